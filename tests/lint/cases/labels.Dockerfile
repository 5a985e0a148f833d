FROM alpine:3.19@sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b
LABEL org.opencontainers.image.source="github.com/acme/app" \
      org.opencontainers.image.created="2024-05-01 noon" \
      org.opencontainers.image.licenses="MIT-ish" \
      org.opencontainers.image.revision="abc123" \
      org.opencontainers.image.version="v1.2" \
      org.opencontainers.image.authors="ops at acme" \
      Maintainer="ops"
USER 10001
HEALTHCHECK NONE
CMD ["/app"]
