#!/usr/bin/env bash
# Makes the tiny hand-made images the fast tests use: an OCI layout directory with two gzip
# layers (the second replaces, deletes and hides files of the first) and the same image as a
# legacy docker-archive with plain layers. Deterministic; the output is committed under
# tests/data/tiny/ so the fast tests need no podman.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/tiny
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tarit() { # DIR OUT: a reproducible tar of DIR's contents
    tar --sort=name --mtime=@1700000000 --owner=0 --group=0 --numeric-owner --format=pax \
        --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
        -C "$1" -cf "$2" .
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

# layer 0: a small root
l0=$work/l0
mkdir -p "$l0/etc" "$l0/usr/lib" "$l0/bin" "$l0/opt/app/cache" "$l0/home/app"
printf 'PRETTY_NAME="Tiny Linux 1.0"\nNAME="Tiny"\nID=tiny\nVERSION_ID=1.0\n' >"$l0/usr/lib/os-release"
ln -s ../usr/lib/os-release "$l0/etc/os-release"
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n' >"$l0/etc/passwd"
printf 'welcome\n' >"$l0/etc/motd"
printf '#!/bin/sh\necho hi\n' >"$l0/bin/hello"
chmod 0755 "$l0/bin/hello"
ln "$l0/bin/hello" "$l0/bin/hello-again"
printf 'old\n' >"$l0/opt/app/cache/a"
printf 'old\n' >"$l0/opt/app/cache/b"
printf 'secret=1\n' >"$l0/opt/app/.env"
chmod 4755 "$l0/bin/hello"
tarit "$l0" "$work/layer0.tar"

# layer 1: replaces motd, deletes .env, makes cache opaque with one new file
l1=$work/l1
mkdir -p "$l1/etc" "$l1/opt/app/cache"
printf 'replaced\n' >"$l1/etc/motd"
: >"$l1/opt/app/.wh..env"
: >"$l1/opt/app/cache/.wh..wh..opq"
printf 'new\n' >"$l1/opt/app/cache/c"
tarit "$l1" "$work/layer1.tar"

d0=$(sha "$work/layer0.tar")
d1=$(sha "$work/layer1.tar")
gzip -n -9 -c "$work/layer0.tar" >"$work/layer0.tar.gz"
gzip -n -9 -c "$work/layer1.tar" >"$work/layer1.tar.gz"
g0=$(sha "$work/layer0.tar.gz")
g1=$(sha "$work/layer1.tar.gz")

cat >"$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"2023-11-14T22:13:20Z","config":{"User":"app","Env":["PATH=/usr/local/bin:/usr/bin:/bin","APP_MODE=tiny"],"Entrypoint":["/bin/hello"],"Cmd":["--greet"],"WorkingDir":"/home/app","ExposedPorts":{"8080/tcp":{}},"Volumes":{"/data":{}},"Labels":{"org.opencontainers.image.title":"tiny"},"Healthcheck":{"Test":["CMD","/bin/hello"],"Interval":30000000000,"Retries":3}},"rootfs":{"type":"layers","diff_ids":["sha256:$d0","sha256:$d1"]},"history":[{"created":"2023-11-14T22:13:20Z","created_by":"ADD root /"},{"created":"2023-11-14T22:13:20Z","created_by":"ENV APP_MODE=tiny","empty_layer":true},{"created":"2023-11-14T22:13:20Z","created_by":"COPY overlay /"}]}
JSON
printf '%s' "$(tr -d '\n' <"$work/config.json")" >"$work/config.min.json"
c=$(sha "$work/config.min.json")
csize=$(stat -c %s "$work/config.min.json")

rm -rf "$out"
mkdir -p "$out/oci/blobs/sha256"
cp "$work/layer0.tar.gz" "$out/oci/blobs/sha256/$g0"
cp "$work/layer1.tar.gz" "$out/oci/blobs/sha256/$g1"
cp "$work/config.min.json" "$out/oci/blobs/sha256/$c"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$c" "$csize" "$g0" "$(stat -c %s "$work/layer0.tar.gz")" "$g1" "$(stat -c %s "$work/layer1.tar.gz")" \
    >"$work/manifest.json"
m=$(sha "$work/manifest.json")
cp "$work/manifest.json" "$out/oci/blobs/sha256/$m"
printf '{"imageLayoutVersion":"1.0.0"}' >"$out/oci/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"1.0"},"platform":{"architecture":"amd64","os":"linux"}}]}' \
    "$m" "$(stat -c %s "$work/manifest.json")" >"$out/oci/index.json"

# the same image as a legacy docker-archive with uncompressed layers
da=$work/da
mkdir -p "$da/$d0" "$da/$d1"
cp "$work/layer0.tar" "$da/$d0/layer.tar"
cp "$work/layer1.tar" "$da/$d1/layer.tar"
cp "$work/config.min.json" "$da/$c.json"
printf '[{"Config":"%s.json","RepoTags":["localhost/tiny:1.0"],"Layers":["%s/layer.tar","%s/layer.tar"]}]' \
    "$c" "$d0" "$d1" >"$da/manifest.json"
tar --sort=name --mtime=@1700000000 --owner=0 --group=0 --numeric-owner -C "$da" -cf "$out/tiny.docker-archive.tar" .
echo "made $out" >&2
