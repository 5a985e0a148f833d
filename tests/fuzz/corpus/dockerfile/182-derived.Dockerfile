# Top layers of localhost/drydock-test/derived:1, built by build.sh without RUN steps (no
# runtime here) so the image config carries every field drydock reports. The base image
# (derived-commit) is made by build.sh with podman commit and holds the whiteouts.
FROM localhost/drydock-test/derived-commit:1
MAINTAINER drydock tests <tests@drydock.invalid>
LABEL org.opencontainers.image.title="drydock derived test image" \
      com.example.spaces="a value with spaces" \
      com.example.empty=""
ENV APP_HOME=/srv/app \
    APP_MODE="test mode"
# Replaces /etc/motd, which the commit layer below already replaced once.
COPY motd /etc/motd
COPY app/ /srv/app/
# A local tar is extracted by ADD: hard links, setuid/setgid/sticky modes, long (PAX) names
# and symlinks land in this layer as they are in the tar (made by build.sh).
ADD extras.tar /opt/extras/
WORKDIR /srv/app
USER app
EXPOSE 8080/tcp 53/udp
VOLUME ["/data", "/var/log/app"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/bin/sh", "-c", "test -r /etc/motd"]
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["exec /srv/app/bin/run.sh"]
