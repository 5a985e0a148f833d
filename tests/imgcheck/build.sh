#!/usr/bin/env bash
# Builds, once, the images of the image-check tests, with podman and without RUN steps.
#
#   bash tests/imgcheck/build.sh OUT_DIR ALPINE_FIXTURE_DIR
#
# OUT_DIR/leaky.docker.tar   an image that breaks every rule: keys made here by ssh-keygen and
#                            openssl, credential files, a .env added in layer 1 and deleted in
#                            layer 3, setuid and world-writable files, an empty password, a
#                            second uid 0, USER root, EXPOSE 22, VOLUME /proc, an ENV password,
#                            apt lists and caches, a pip cache, gcc and make
# OUT_DIR/leaky.secrets      the generated secret values (the tests check they never appear)
# OUT_DIR/alpine.docker.tar  Alpine 3.20.3 assembled from its package database (paths, owners
#                            and modes of every installed file; symlinks where apk records
#                            mode 0777) and alpine-baselayout's account files
# A stamp covering this script, its data and the fixture skips the work when nothing changed.
# podman keeps its storage under OUT_DIR/podman.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: build.sh OUT_DIR ALPINE_FIXTURE_DIR}
alpine=${2:?usage: build.sh OUT_DIR ALPINE_FIXTURE_DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)

log() { printf "imgcheck/build.sh: [%ss] %s\n" "$SECONDS" "$*" >&2; }
die() { printf 'imgcheck/build.sh: error: %s\n' "$*" >&2; exit 1; }

for tool in podman ssh-keygen openssl python3 tar flock sha256sum; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
[ "$(id -u)" = 0 ] || die "must run as root (podman mount)"
[ -f "$alpine/lib/apk/db/installed" ] || die "$alpine/lib/apk/db/installed: no Alpine package database"

exec 9>"$out/.lock"
flock 9

key=$({
    cat "${BASH_SOURCE[0]}"
    (cd "$here/data" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    sha256sum "$alpine/lib/apk/db/installed"
} | sha256sum | cut -c1-32)
if [ "$(cat "$out/stamp" 2>/dev/null)" = "$key" ] && [ -s "$out/leaky.docker.tar" ] &&
    [ -s "$out/alpine.docker.tar" ] && [ -s "$out/leaky.secrets" ]; then
    log "up to date"
    exit 0
fi
rm -f "$out/stamp"

pod="$out/podman"
mkdir -p "$pod/root" "$pod/run" "$pod/tmp"
export CONTAINERS_STORAGE_CONF="$pod/storage.conf"
export TMPDIR="$pod/tmp"
cat >"$CONTAINERS_STORAGE_CONF" <<CONF
[storage]
driver = "overlay"
runroot = "$pod/run"
graphroot = "$pod/root"
CONF
if ! podman info >/dev/null 2>&1; then
    sed -i 's/"overlay"/"vfs"/' "$CONTAINERS_STORAGE_CONF"
    rm -rf "$pod/root" "$pod/run"
    mkdir -p "$pod/root" "$pod/run"
fi

work=$(mktemp -d "$out/work.XXXXXX")
cleanup() {
    [ -n "${ctr:-}" ] && { podman unmount "$ctr" >/dev/null 2>&1 || true; podman rm -f "$ctr" >/dev/null 2>&1 || true; }
    rm -rf "$work"
}
trap cleanup EXIT

# --- the leaky image -------------------------------------------------------------------------
BASE=localhost/drydock-imgcheck/base:1
BUILT=localhost/drydock-imgcheck/leaky-build:1
LEAKY=localhost/drydock-imgcheck/leaky:1

log "base layer"
r=$work/base
mkdir -p "$r/etc" "$r/bin" "$r/usr/bin" "$r/usr/local/bin" "$r/tmp" "$r/var/www/upload" "$r/srv" \
    "$r/var/lib/apt/lists/partial" "$r/var/cache/apt/archives/partial" "$r/root" "$r/app"
cat >"$r/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
app:x:1000:1000:app:/app:/bin/sh
toor:x:0:0:second root:/root:/bin/sh
guest:x:1001:1001:guest:/home/guest:/bin/sh
P
cat >"$r/etc/group" <<'G'
root:x:0:
daemon:x:1:
app:x:1000:
guest:x:1001:
G
cat >"$r/etc/shadow" <<'S'
root:*:19700:0:99999:7:::
daemon:*:19700:0:99999:7:::
app:!:19700:0:99999:7:::
toor:*:19700:0:99999:7:::
guest::19700:0:99999:7:::
S
chmod 0640 "$r/etc/shadow"
cp /bin/dash "$r/bin/sh"
cp /usr/bin/dpkg "$r/usr/bin/dpkg"
cp /usr/bin/gcc "$r/usr/bin/gcc"
cp /usr/bin/make "$r/usr/bin/make"
cp /bin/true "$r/usr/local/bin/helper" && chmod 4755 "$r/usr/local/bin/helper"
chmod 1777 "$r/tmp"
echo scratch >"$r/tmp/scratch" && chmod 0666 "$r/tmp/scratch"
chmod 0777 "$r/var/www/upload"
echo shared >"$r/srv/shared.txt" && chmod 0666 "$r/srv/shared.txt"
# apt left behind: the package lists (this machine's dpkg database stands in for a Packages
# file) and a downloaded package
cp /var/lib/dpkg/status "$r/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages"
: >"$r/var/lib/apt/lists/lock"
mkdir -p "$work/deb/DEBIAN" "$work/deb/usr/share/doc/leftover"
printf 'Package: leftover\nVersion: 1.0\nArchitecture: all\nMaintainer: test <t@example.com>\nDescription: left in the cache\n' >"$work/deb/DEBIAN/control"
head -c 200000 /usr/bin/dpkg >"$work/deb/usr/share/doc/leftover/blob"
dpkg-deb -Zgzip --build "$work/deb" "$r/var/cache/apt/archives/leftover_1.0_all.deb" >/dev/null
tar -C "$r" --numeric-owner --owner=0 --group=0 -c . | podman import -q \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' --message "imgcheck base" - "$BASE" >/dev/null

log "build context: keys and credentials made now"
ctx=$work/ctx
mkdir -p "$ctx/app/tls" "$ctx/app/.git/refs/heads" "$ctx/home/.ssh" "$ctx/home/.docker" \
    "$ctx/home/.aws" "$ctx/home/.kube" "$ctx/home/.cache/pip/http/a/b"
ssh-keygen -q -t rsa -b 2048 -N '' -C build -f "$ctx/home/.ssh/id_rsa"
ssh-keygen -q -t ed25519 -N '' -C build -f "$ctx/home/.ssh/id_ed25519"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$ctx/app/tls/server.key" 2>/dev/null
openssl req -x509 -key "$ctx/app/tls/server.key" -subj /CN=app -days 1 -out "$ctx/app/tls/server.crt" 2>/dev/null
rnd() { openssl rand -hex "$1"; }
db_password=$(rnd 12)
npm_token=npm_$(openssl rand -base64 48 | tr -dc 'A-Za-z0-9' | head -c 36)
git_token=ghp_$(openssl rand -base64 48 | tr -dc 'A-Za-z0-9' | head -c 36)
aws_secret=$(openssl rand -base64 30 | tr -dc 'A-Za-z0-9' | head -c 40)
kube_token=$(rnd 20)
docker_auth=$(printf 'ci:%s' "$(rnd 10)" | base64 -w0)
printf '%s\n' "$db_password" "$npm_token" "$git_token" "$aws_secret" "$kube_token" "$docker_auth" \
    >"$work/secrets"
printf 'DATABASE_URL=postgres://app:%s@db/app\nSESSION_SECRET=%s\n' "$db_password" "$(rnd 16)" >"$ctx/app/.env"
printf '//registry.npmjs.org/:_authToken=%s\n' "$npm_token" >"$ctx/app/.npmrc"
printf 'ref: refs/heads/main\n' >"$ctx/app/.git/HEAD"
printf '[remote "origin"]\n\turl = https://ci:%s@github.com/example/app.git\n' "$git_token" >"$ctx/app/.git/config"
printf 'console.log("app")\n' >"$ctx/app/server.js"
head -c 1048576 /dev/urandom >"$ctx/app/bundle.bin"
printf '{"auths":{"registry.example.com":{"auth":"%s"}}}\n' "$docker_auth" >"$ctx/home/.docker/config.json"
printf '[default]\naws_access_key_id = AKIA%s\naws_secret_access_key = %s\n' \
    "$(openssl rand -hex 8 | tr a-f A-F)" "$aws_secret" >"$ctx/home/.aws/credentials"
printf 'https://ci:%s@github.com\n' "$git_token" >"$ctx/home/.git-credentials"
cat >"$ctx/home/.kube/config" <<K
apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://10.0.0.1:6443
users:
- name: admin
  user:
    token: $kube_token
K
head -c 300000 /dev/urandom >"$ctx/home/.cache/pip/http/a/b/wheel-cache-entry"
cat >"$ctx/Dockerfile" <<D
FROM $BASE
COPY app/ /app/
COPY home/ /root/
ENV APP_ENV=production DATABASE_PASSWORD=$db_password
EXPOSE 22 8080
VOLUME /proc
USER root
CMD ["/bin/sh"]
D
log "podman build"
podman build --format docker -q -t "$BUILT" "$ctx" >/dev/null

log "commit layer: delete app/.env, rewrite app/bundle.bin"
ctr=$(podman create "$BUILT" /bin/sh)
m=$(podman mount "$ctr")
rm -f "$m/app/.env"
head -c 4096 /dev/urandom >"$m/app/bundle.bin"
podman unmount "$ctr" >/dev/null
podman commit --format docker -q "$ctr" "$LEAKY" >/dev/null
podman rm -f "$ctr" >/dev/null
ctr=

podman save -q --format docker-archive -o "$work/leaky.docker.tar" "$LEAKY"
mv "$work/leaky.docker.tar" "$out/leaky.docker.tar"
mv "$work/secrets" "$out/leaky.secrets"

# --- Alpine from its package database ---------------------------------------------------------
ALPINE=localhost/drydock-imgcheck/alpine:3.20.3
log "alpine root from $alpine"
ar=$work/alpine
python3 - "$alpine/lib/apk/db/installed" "$ar" "$here/data/alpine" <<'PY'
import os, shutil, sys
db, root, data = sys.argv[1:]
os.makedirs(root)
d = None
def mode(line):
    _, uid, gid, m = line.strip().split(":")
    return int(uid), int(gid), int(m, 8)
entries = []  # (path, kind, uid, gid, mode)
for line in open(db, encoding="utf-8"):
    tag, _, val = line.rstrip("\n").partition(":")
    if tag == "F":
        d = val
        entries.append([d, "dir", 0, 0, 0o755])
    elif tag == "M" and entries and entries[-1][1] == "dir":
        entries[-1][2:] = mode(line)
    elif tag == "R":
        entries.append([os.path.join(d or "", val), "file", 0, 0, 0o644])
    elif tag == "a" and entries and entries[-1][1] == "file":
        entries[-1][2:] = mode(line)
for path, kind, uid, gid, m in entries:
    p = os.path.join(root, path)
    if kind == "dir":
        os.makedirs(p, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(p), exist_ok=True)
        if m == 0o777:  # apk records a symlink's mode as 0777
            os.symlink("/bin/busybox" if path in ("bin/sh",) else "../" + os.path.basename(path), p)
            continue
        with open(p, "wb") as f:
            f.write(b"#!/bin/sh\n" if m & 0o111 else b"")
    if not os.path.islink(p):
        os.chown(p, uid, gid)
        os.chmod(p, m)
shutil.copy(os.path.join(data, "passwd"), os.path.join(root, "etc/passwd"))
shutil.copy(os.path.join(data, "group"), os.path.join(root, "etc/group"))
with open(os.path.join(root, "etc/shadow"), "w") as f:  # as alpine-baselayout's build writes it
    for line in open(os.path.join(data, "passwd")):
        name = line.split(":")[0]
        f.write("%s:%s::0:::::\n" % (name, "*" if name == "root" else "!"))
os.chmod(os.path.join(root, "etc/shadow"), 0o640)
os.chown(os.path.join(root, "etc/shadow"), 0, 42)
PY
tar -C "$ar" --numeric-owner -c . | podman import -q --change 'CMD ["/bin/sh"]' \
    --message "imgcheck alpine 3.20.3 from its package database" - "$ALPINE" >/dev/null
podman save -q --format docker-archive -o "$work/alpine.docker.tar" "$ALPINE"
mv "$work/alpine.docker.tar" "$out/alpine.docker.tar"

echo "$key" >"$out/stamp"
log "done"
