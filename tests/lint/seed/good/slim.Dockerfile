# Acceptable: a slim variant, packages pinned and the apt lists removed in the same layer.
FROM python:3.12-slim@sha256:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update && \
    apt-get install -y --no-install-recommends \
    ca-certificates=20230311 \
    curl=7.88.1-10+deb12u5 && \
    rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt ./
RUN --mount=type=secret,id=pip_token pip install --no-cache-dir -r requirements.txt
COPY app.py ./
USER 10001
HEALTHCHECK CMD ["curl", "--fail", "http://localhost:8080/health"]
ENTRYPOINT ["python", "app.py"]
