# expect: DD-LYR-002
# guide: "apt-get install -y --no-install-recommends"
FROM debian:12-slim@sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9
RUN apt-get update && apt-get install -y curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*
USER 1000
CMD ["curl"]
