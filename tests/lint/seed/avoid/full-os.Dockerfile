# expect: DD-BI-005
# guide: "Avoid: full OS images  # FROM ubuntu:22.04"
FROM ubuntu:22.04@sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9
USER 1000
HEALTHCHECK CMD ["true"]
CMD ["bash"]
