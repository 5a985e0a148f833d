#!/usr/bin/env bash
# Builds, once, the language-package test image: the Debian 12 root of build.sh plus real
# Debian python3-* and node-* packages installed with dpkg, real npm packages installed with
# `npm install`, copies of Debian's dist-info/egg-info outside dpkg's ownership, and a few
# malformed files.
#
#   bash tests/images/lang.sh CACHE_DIR
#
# Needs CACHE_DIR/rootfs from tests/images/build.sh. Outputs, under CACHE_DIR/lang/:
#   rootfs/            the root filesystem (scanned as dir:)
#   lang.docker.tar    the same tree as a docker-archive of three layers: 0 the Debian root with
#                      the Debian packages, 1 /srv and /opt (the apps), 2 deletes
#                      srv/cli/node_modules/@sindresorhus (podman commit: a whiteout)
#   versions.txt       the Debian packages and npm manifests used
# Idempotent: a stamp covering this script skips the work when nothing changed.
set -euo pipefail

LANG_VERSION=3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${1:?usage: lang.sh CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
out=$cache/lang

log() { printf "lang.sh: [%ss] %s\n" "$SECONDS" "$*" >&2; }
die() { printf 'lang.sh: error: %s\n' "$*" >&2; exit 1; }

# build.sh's lock: it clears podman containers and images when it rebuilds, so the two never
# use the cache's podman storage at once
exec 9>"$cache/.build.lock"
if ! flock -n 9; then
    log "another image build is running on $cache, waiting for it"
    flock 9
fi

for tool in podman dpkg apt-get npm python3 tar flock; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
[ "$(id -u)" = 0 ] || die "must run as root (dpkg --root, podman mount)"
[ -x "$cache/rootfs/bin/sh" ] || die "no $cache/rootfs: run tests/images/build.sh $cache first"

key="lang v$LANG_VERSION $(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16) $(cat "$cache/rootfs.stamp")"
if [ "$(cat "$out/stamp" 2>/dev/null)" = "$key" ] && [ -x "$out/rootfs/bin/sh" ] &&
    [ -s "$out/lang.docker.tar" ]; then
    log "done already ($out)"
    exit 0
fi
rm -rf "$out"
mkdir -p "$out/debs" "$out/work"

# --- 1. Debian packages: Python distributions (egg-info and dist-info forms) and node-* ----
debs="python3-requests python3-urllib3 python3-idna python3-certifi python3-charset-normalizer
python3-chardet python3-six python3-yaml node-ms node-debug"
log "apt-get download $(echo $debs)"
# shellcheck disable=SC2086
if ! (cd "$out/debs" && apt-get download $debs >/dev/null 2>&1); then
    apt-get update >/dev/null 2>&1 || die "apt-get update failed"
    # shellcheck disable=SC2086
    (cd "$out/debs" && apt-get download $debs >/dev/null) || die "apt-get download failed"
fi

root=$out/rootfs.partial
log "root: copy of $cache/rootfs, dpkg --root -i the Debian packages"
cp -a "$cache/rootfs" "$root"
# python3 itself is not installed: --force-depends; the maintainer scripts (run chrooted) skip
# py3compile when it is missing, so every package ends "install ok installed"
dpkg --root="$root" --force-depends --force-not-root -i "$out/debs"/*.deb >"$out/dpkg.log" 2>&1 ||
    die "dpkg -i failed, see $out/dpkg.log"
for p in $debs; do
    s=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${db:Status-Status}' "$p")
    [ "$s" = installed ] || die "$p is '$s' after dpkg -i"
done

# --- 2. npm apps, installed from the npm registry ----------------------------------------------
npm_install() { # DIR ARGS...: npm install with the manifests written beforehand
    local dir=$1
    shift
    (cd "$dir" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error "$@") \
        >>"$out/npm.log" 2>&1 || die "npm install in $dir failed, see $out/npm.log"
}
w=$out/work
mkdir -p "$w/web" "$w/cli" "$w/lock-v1"
# web: express (nested duplicate versions: debug 2.6.9 and 4, ms 2.0.0 and 2.1.3), @babel/core
# (scoped packages, semver 6 nested), devDependencies that collide with them
cat >"$w/web/package.json" <<'EOF'
{
  "name": "drydock-test-web",
  "version": "1.0.0",
  "private": true,
  "dependencies": {
    "express": "4.18.2",
    "@babel/core": "7.23.9",
    "cookie-parser": "1.4.6"
  },
  "devDependencies": {
    "debug": "4.3.4",
    "semver": "7.5.4",
    "@types/express": "4.17.21"
  },
  "optionalDependencies": {
    "ms": "2.1.3"
  }
}
EOF
cat >"$w/cli/package.json" <<'EOF'
{
  "name": "drydock-test-cli",
  "version": "0.3.0",
  "private": true,
  "dependencies": {
    "yargs": "17.7.2",
    "chalk": "4.1.2",
    "commander": "11.1.0",
    "@sindresorhus/is": "4.6.0"
  }
}
EOF
log "npm install: web, cli; web's lockfile rewritten as lockfileVersion 1"
npm_install "$w/web"
npm_install "$w/cli"
cp "$w/web/package.json" "$w/web/package-lock.json" "$w/lock-v1/"
npm_install "$w/lock-v1" --package-lock-only --lockfile-version 1
grep -q '"lockfileVersion": 1,' "$w/lock-v1/package-lock.json" || die "npm wrote no version-1 lockfile"

# yarn 1 (from the npm registry) installing web's manifest: its node_modules and its yarn.lock
log "yarn install: web's manifest with yarn 1.22.22"
mkdir -p "$w/yarn" "$w/yarn-web"
npm_install "$w/yarn" yarn@1.22.22
cp "$w/web/package.json" "$w/yarn-web/"
(cd "$w/yarn-web" && "$w/yarn/node_modules/.bin/yarn" install --ignore-scripts --non-interactive \
    --no-progress --cache-folder "$w/yarn-cache") >>"$out/npm.log" 2>&1 ||
    die "yarn install failed, see $out/npm.log"

mkdir -p "$root/srv"
cp -a "$w/web" "$root/srv/web"
cp -a "$w/yarn-web" "$root/srv/yarn-web"
mkdir -p "$root/srv/yarn-lock"
cp "$w/yarn-web/package.json" "$w/yarn-web/yarn.lock" "$root/srv/yarn-lock/"
cp -a "$w/cli" "$root/srv/cli"
# lockfiles with no node_modules beside them: web's own v3 lockfile, and the v1 form
mkdir -p "$root/srv/lock-v3" "$root/srv/lock-v1"
cp "$w/web/package.json" "$w/web/package-lock.json" "$root/srv/lock-v3/"
cp "$w/lock-v1/package.json" "$w/lock-v1/package-lock.json" "$root/srv/lock-v1/"

# --- 3. Python distributions outside dpkg's ownership -----------------------------------------
dist=$root/usr/lib/python3/dist-packages
site=$root/opt/app/venv/lib/python3.11/site-packages
mkdir -p "$site"
for d in requests-2.28.1.egg-info urllib3-1.26.12.egg-info PyYAML-6.0.dist-info \
    chardet-5.1.0.dist-info; do
    [ -d "$dist/$d" ] || die "$dist/$d is missing: the Debian package changed"
    cp -a "$dist/$d" "$site/"
done
# the single-file egg-info form (distutils)
{
    printf 'Metadata-Version: 1.1\nName: drydock_Test.Single\nVersion: 0.9\n'
    printf 'Summary: a single-file egg-info\nLicense: MIT\n'
} >"$site/drydock_Test.Single-0.9.egg-info"

# --- 4. malformed inputs, away from the trees the tools compare ---------------------------------
mkdir -p "$root/srv/broken/node_modules/good" "$root/srv/broken/node_modules/bad" \
    "$root/srv/broken-lock" "$root/opt/broken/site-packages/broken-1.0.dist-info" \
    "$root/opt/broken/site-packages/fine-2.0.dist-info"
printf '{"name": "good", "version": "1.2.3"}\n' >"$root/srv/broken/node_modules/good/package.json"
printf '{"name": "bad", "version": "1.0.0",\n  "main": \n' >"$root/srv/broken/node_modules/bad/package.json"
head -c 700 "$w/web/package-lock.json" >"$root/srv/broken-lock/package-lock.json"
printf 'Metadata-Version: 2.1\nthis line is no header\nName: broken\n' \
    >"$root/opt/broken/site-packages/broken-1.0.dist-info/METADATA"
printf 'Metadata-Version: 2.1\nName: fine\nVersion: 2.0\n\nbody\n' \
    >"$root/opt/broken/site-packages/fine-2.0.dist-info/METADATA"

{
    dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Package} ${Version}\n' $debs
    printf 'npm %s, node %s, yarn %s\n' "$(npm --version)" "$(node --version 2>/dev/null || echo '?')" \
        "$("$w/yarn/node_modules/.bin/yarn" --version)"
} >"$out/versions.txt"
mv "$root" "$out/rootfs"
root=$out/rootfs

# --- 5. the two-layer docker-archive -------------------------------------------------------
pod=$cache/podman
export CONTAINERS_STORAGE_CONF=$pod/storage.conf
export TMPDIR=$pod/tmp
[ -f "$CONTAINERS_STORAGE_CONF" ] || die "no podman storage under $cache (run build.sh)"
BASE=localhost/drydock-test/lang-base:1
APPS=localhost/drydock-test/lang-apps:1
APP=localhost/drydock-test/lang:1
log "image: $BASE (root + Debian packages), $APPS (+ /srv, /opt), $APP (- one npm package)"
podman rmi -f "$APP" "$APPS" "$BASE" >/dev/null 2>&1 || true
tar -C "$root" --exclude=./srv --exclude=./opt --exclude=./dev -c . |
    podman import -q --change 'CMD ["bash"]' - "$BASE" >/dev/null
ctr=$(podman create "$BASE" /bin/true)
m=$(podman mount "$ctr")
tar -C "$root" -c ./srv ./opt | tar -C "$m" -x
podman unmount "$ctr" >/dev/null
podman commit --format docker -q "$ctr" "$APPS" >/dev/null
podman rm -f "$ctr" >/dev/null
ctr=$(podman create "$APPS" /bin/true)
m=$(podman mount "$ctr")
rm -rf "$m/srv/cli/node_modules/@sindresorhus"
podman unmount "$ctr" >/dev/null
podman commit --format docker -q "$ctr" "$APP" >/dev/null
podman rm -f "$ctr" >/dev/null
rm -f "$out/lang.docker.tar.partial"
podman save -q --format docker-archive -o "$out/lang.docker.tar.partial" "$APP"
mv "$out/lang.docker.tar.partial" "$out/lang.docker.tar"
rm -rf "$w/cli" "$w/web/node_modules" "$w/yarn-web/node_modules" "$w/yarn-cache"
printf '%s\n' "$key" >"$out/stamp"
log "ready: $out"
