#!/usr/bin/env bash
# Builds, once, the application test image that bench/sbom.sh measures: the language image of
# lang.sh (the Debian 12 root, Debian python3-* and node-* packages, npm apps installed from the
# npm registry, Python distributions outside dpkg) without its malformed files, plus real Go
# binaries and real Java archives taken from this machine's Debian packages.
#
#   bash tests/images/app.sh CACHE_DIR
#
# Needs CACHE_DIR/lang/rootfs from tests/images/lang.sh (which needs build.sh's root) and the
# Debian packages skopeo, podman and maven installed here. Outputs, under CACHE_DIR/app/:
#   rootfs/            the root filesystem (scanned as dir:), which adds to lang's:
#                        usr/local/bin/skopeo, usr/local/bin/podman  copies of /usr/bin's (Go)
#                        opt/app/lib/*.jar   copies of the jars /usr/share/maven/lib links to
#                        opt/app/app.jar     a Spring Boot style fat jar: BOOT-INF/lib/ holds
#                                            nine of those jars (stored, not deflated)
#                      none of it under dpkg's ownership
#   app.docker.tar     the same tree as a docker-archive of two layers: 0 the Debian root with
#                      the Debian packages, 1 /srv, /opt and the two binaries
#   jars.tsv           path (! separates nesting), groupId, artifactId, version of every
#                      pom.properties in those archives, as python3's zipfile reads them
#   versions.txt       the Debian packages the binaries and jars come from, lang's versions
# Idempotent: a stamp covering this script, lang's stamp and the versions of skopeo, podman and
# maven skips the work when nothing changed.
set -euo pipefail

APP_VERSION=1
cache=${1:?usage: app.sh CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
out=$cache/app

log() { printf "app.sh: [%ss] %s\n" "$SECONDS" "$*" >&2; }
die() { printf 'app.sh: error: %s\n' "$*" >&2; exit 1; }

# build.sh's lock: it clears podman containers and images when it rebuilds, so the builders
# never use the cache's podman storage at once
exec 9>"$cache/.build.lock"
if ! flock -n 9; then
    log "another image build is running on $cache, waiting for it"
    flock 9
fi

for tool in podman dpkg-query python3 tar flock sha256sum; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
[ "$(id -u)" = 0 ] || die "must run as root (podman mount)"
lang=$cache/lang
if [ ! -x "$lang/rootfs/bin/sh" ] || [ ! -f "$lang/stamp" ]; then
    die "no $lang/rootfs: run tests/images/build.sh and tests/images/lang.sh on $cache first"
fi
for f in /usr/bin/skopeo /usr/bin/podman; do
    [ -x "$f" ] || die "$f is missing (Debian packages skopeo and podman)"
done
mvnlib=/usr/share/maven/lib
compgen -G "$mvnlib/*.jar" >/dev/null || die "no jars in $mvnlib (Debian package maven)"

key="app v$APP_VERSION $(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16) [$(cat "$lang/stamp")]"
key="$key $(dpkg-query -W -f '${Package}=${Version} ' skopeo podman maven)"
if [ "$(cat "$out/stamp" 2>/dev/null)" = "$key" ] && [ -x "$out/rootfs/bin/sh" ] &&
    [ -s "$out/app.docker.tar" ]; then
    log "done already ($out)"
    exit 0
fi
rm -rf "$out"
mkdir -p "$out"

# --- 1. lang's root without the malformed inputs it carries for its own tests ---------------
root=$out/rootfs.partial
log "root: copy of $lang/rootfs without srv/broken, srv/broken-lock, opt/broken"
cp -a "$lang/rootfs" "$root"
rm -rf "$root/srv/broken" "$root/srv/broken-lock" "$root/opt/broken"

# --- 2. Go binaries: Debian's builds, outside dpkg's ownership -------------------------------
# /usr/local/bin is where a Dockerfile's COPY of a release binary puts it
log "Go: /usr/bin/skopeo, /usr/bin/podman -> /usr/local/bin"
mkdir -p "$root/usr/local/bin"
cp /usr/bin/skopeo /usr/bin/podman "$root/usr/local/bin/"
for b in skopeo podman; do
    # the build information a Go linker writes: the magic that precedes it
    LC_ALL=C grep -q -a -F $'\xff Go buildinf:' "$root/usr/local/bin/$b" ||
        die "/usr/bin/$b carries no Go build information"
done

# --- 3. Java archives: the jars maven runs with, and a fat jar made of some of them ---------
log "Java: $mvnlib/*.jar -> /opt/app/lib, fat jar /opt/app/app.jar"
mkdir -p "$root/opt/app/lib"
for j in "$mvnlib"/*.jar; do
    cp -L "$j" "$root/opt/app/lib/$(basename "$j")"
done
python3 - "$root" <<'EOF'
import io, os, sys, zipfile
root = sys.argv[1]
lib = os.path.join(root, "opt/app/lib")
STAMP = (2024, 1, 1, 0, 0, 0)

def pom_props(z):
    """(groupId, artifactId, version) of each META-INF/maven/**/pom.properties in z."""
    found = []
    for n in z.namelist():
        if n.startswith("META-INF/maven/") and n.endswith("/pom.properties"):
            kv = {}
            for line in z.read(n).decode("utf-8", "replace").splitlines():
                line = line.strip()
                if line and not line.startswith(("#", "!")) and "=" in line:
                    k, v = line.split("=", 1)
                    kv[k.strip()] = v.strip()
            if {"groupId", "artifactId", "version"} <= kv.keys():
                found.append((kv["groupId"], kv["artifactId"], kv["version"]))
    return found

# Spring Boot names BOOT-INF/lib entries artifactId-version.jar; aopalliance has no
# pom.properties and keeps its file name (the file-name fallback case)
picks = ["guava.jar", "commons-lang3.jar", "commons-io.jar", "commons-cli.jar", "slf4j-api.jar",
         "jansi.jar", "plexus-utils.jar", "maven-resolver-api.jar", "aopalliance.jar"]
entries = []
for p in picks:
    path = os.path.join(lib, p)
    data = open(path, "rb").read()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        props = pom_props(z)
    name = f"{props[0][1]}-{props[0][2]}.jar" if len(props) == 1 else p
    entries.append((name, data))

manifest = ("Manifest-Version: 1.0\r\n"
            "Main-Class: org.springframework.boot.loader.JarLauncher\r\n"
            "Start-Class: drydock.test.app.Main\r\n"
            "Spring-Boot-Version: 2.7.18\r\n"
            "Spring-Boot-Classes: BOOT-INF/classes/\r\n"
            "Spring-Boot-Lib: BOOT-INF/lib/\r\n"
            "Spring-Boot-Classpath-Index: BOOT-INF/classpath.idx\r\n"
            "Implementation-Title: drydock test app\r\n"
            "Implementation-Version: 1.4.2\r\n\r\n")
pom = ("#Created by Apache Maven 3.8.7\r\n"
       "groupId=io.drydock.test\r\nartifactId=app\r\nversion=1.4.2\r\n")
out = os.path.join(root, "opt/app/app.jar")
with zipfile.ZipFile(out, "w") as z:
    def add(name, data, method=zipfile.ZIP_DEFLATED):
        zi = zipfile.ZipInfo(name, STAMP)
        zi.compress_type = method
        zi.external_attr = 0o644 << 16
        z.writestr(zi, data)
    add("META-INF/MANIFEST.MF", manifest)
    add("META-INF/maven/io.drydock.test/app/pom.properties", pom)
    add("BOOT-INF/classes/application.properties", "server.port=8080\n")
    for name, data in entries:
        # nested jars are stored: Spring Boot's loader maps them in place
        add("BOOT-INF/lib/" + name, data, zipfile.ZIP_STORED)
    add("BOOT-INF/classpath.idx", "".join(f'- "BOOT-INF/lib/{n}"\n' for n, _ in entries))
EOF

# jars.tsv: what each archive's pom.properties says, nested archives included
python3 - "$root" "$out/jars.tsv" <<'EOF'
import io, os, sys, zipfile
root, dst = sys.argv[1], sys.argv[2]
rows = []
def walk(z, path):
    for n in sorted(z.namelist()):
        if n.startswith("META-INF/maven/") and n.endswith("/pom.properties"):
            kv = dict(l.split("=", 1) for l in z.read(n).decode().splitlines()
                      if "=" in l and not l.startswith("#"))
            rows.append((path, kv.get("groupId", ""), kv.get("artifactId", ""),
                         kv.get("version", "")))
        elif n.endswith(".jar"):
            with zipfile.ZipFile(io.BytesIO(z.read(n))) as inner:
                walk(inner, path + "!" + n)
base = os.path.join(root, "opt/app")
for d, _, files in sorted(os.walk(base)):
    for f in sorted(files):
        if f.endswith(".jar"):
            p = os.path.join(d, f)
            with zipfile.ZipFile(p) as z:
                walk(z, "/" + os.path.relpath(p, root))
with open(dst, "w") as o:
    for r in rows:
        o.write("\t".join(r) + "\n")
EOF

{
    dpkg-query -W -f '${Package} ${Version}\n' skopeo podman
    for j in "$mvnlib"/*.jar; do readlink -f "$j"; done | sort -u |
        xargs dpkg -S 2>/dev/null | cut -d: -f1 | sort -u |
        xargs dpkg-query -W -f '${Package} ${Version}\n'
    cat "$lang/versions.txt"
} >"$out/versions.txt"
mv "$root" "$out/rootfs"
root=$out/rootfs

# --- 4. the two-layer docker-archive -------------------------------------------------------
pod=$cache/podman
export CONTAINERS_STORAGE_CONF=$pod/storage.conf
export TMPDIR=$pod/tmp
[ -f "$CONTAINERS_STORAGE_CONF" ] || die "no podman storage under $cache (run build.sh)"
BASE=localhost/drydock-test/app-base:1
APP=localhost/drydock-test/app:1
layer1=(./srv ./opt ./usr/local/bin/skopeo ./usr/local/bin/podman)
log "image: $BASE (root + Debian packages), $APP (+ ${layer1[*]})"
podman rmi -f "$APP" "$BASE" >/dev/null 2>&1 || true
excl=()
for p in "${layer1[@]}"; do excl+=("--exclude=$p"); done
tar -C "$root" "${excl[@]}" --exclude=./dev -c . |
    podman import -q --change 'CMD ["bash"]' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        - "$BASE" >/dev/null
ctr=$(podman create "$BASE" /bin/true)
m=$(podman mount "$ctr")
tar -C "$root" -c "${layer1[@]}" | tar -C "$m" -x
podman unmount "$ctr" >/dev/null
podman commit --format docker -q --change 'WORKDIR /srv/web' "$ctr" "$APP" >/dev/null
podman rm -f "$ctr" >/dev/null
rm -f "$out/app.docker.tar.partial"
podman save -q --format docker-archive -o "$out/app.docker.tar.partial" "$APP"
mv "$out/app.docker.tar.partial" "$out/app.docker.tar"
# nothing reads the images from the storage: only the archive is kept
podman rmi -f "$APP" "$BASE" >/dev/null 2>&1 || true
printf '%s\n' "$key" >"$out/stamp"
log "ready: $out ($(du -sh "$root" | cut -f1) root, $(du -h "$out/app.docker.tar" | cut -f1) archive)"
