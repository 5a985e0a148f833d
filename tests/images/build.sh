#!/usr/bin/env bash
# Builds, once, the real container images the image tests and the benchmark read.
#
#   bash tests/images/build.sh CACHE_DIR
#
# Everything lands in CACHE_DIR (see tests/images/README.md for the list of outputs); podman
# keeps its own storage under CACHE_DIR/podman so no global container state is read or
# changed. Each step is skipped when its stamp says it is done for this version of the
# script; bump IMAGES_VERSION (or ROOTFS_VERSION) when a change must rebuild.
set -euo pipefail

ROOTFS_VERSION="rootfs v1 bookworm minbase"
IMAGES_VERSION=4

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${1:?usage: build.sh CACHE_DIR}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

log() { printf "build.sh: [%ss] %s\n" "$SECONDS" "$*" >&2; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }

# one build at a time per cache: ctest fixtures, the benchmark and people may start it at once
exec 9>"$cache/.build.lock"
if ! flock -n 9; then
    log "another build.sh is running on $cache, waiting for it"
    flock 9
fi

for tool in podman skopeo debootstrap python3 tar gzip flock; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, podman mount)"

# The images-version key also covers the build inputs, so editing the Dockerfile, the build
# context or this script rebuilds the images (but not the 1-minute debootstrap).
images_key="images v$IMAGES_VERSION $({
    cat "${BASH_SOURCE[0]}" "$here/derived.Dockerfile"
    (cd "$here/derived" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
} | sha256sum | cut -c1-16)"

# --- podman storage private to the cache --------------------------------------------------
pod="$cache/podman"
mkdir -p "$pod/root" "$pod/run" "$pod/tmp"
export CONTAINERS_STORAGE_CONF="$pod/storage.conf"
export TMPDIR="$pod/tmp"
write_storage_conf() {
    cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "$1"
runroot = "$pod/run"
graphroot = "$pod/root"
EOF
}
if [ ! -f "$CONTAINERS_STORAGE_CONF" ]; then
    # overlay records deletions the way real builds do (.wh. files and .wh..wh..opq for a
    # directory removed and made again); vfs only if overlay does not work here.
    write_storage_conf overlay
    if ! podman info >/dev/null 2>&1; then
        log "overlay storage does not work here, using vfs (no opaque directories then)"
        rm -rf "$pod/root" "$pod/run"; mkdir -p "$pod/root" "$pod/run"
        write_storage_conf vfs
    fi
fi
driver=$(podman info --format '{{.Store.GraphDriverName}}')
log "podman storage: $driver under $pod"

# rm_container ID: podman rm, without the noise it makes about healthcheck timers when
# systemd is not running (the derived image has a HEALTHCHECK).
rm_container() {
    podman rm -f "$1" 2>&1 >/dev/null | { grep -v 'healthcheck' >&2 || true; }
}
# containers only live inside one step; any left over come from an interrupted run
podman ps -a -q | while read -r ctr; do
    podman unmount "$ctr" >/dev/null 2>&1 || true
    rm_container "$ctr"
done

steps="$cache/steps"
mkdir -p "$steps"

# step_done NAME [OUTPUT...]: true when NAME ran to the end and its outputs still exist.
step_done() {
    local name=$1; shift
    [ -f "$steps/$name" ] || return 1
    local out
    for out in "$@"; do [ -e "$out" ] || return 1; done
    log "$name: done already"
}
step_ok() { printf '%s\n' "$images_key" >"$steps/$1"; }
image_ok() { podman image exists "$1"; }

# --- 1. Debian 12 root filesystem ---------------------------------------------------------
rootfs="$cache/rootfs"
if [ "$(cat "$cache/rootfs.stamp" 2>/dev/null)" = "$ROOTFS_VERSION" ] && [ -x "$rootfs/bin/sh" ]; then
    log "rootfs: done already"
else
    log "rootfs: debootstrap --variant=minbase bookworm (about a minute)"
    rm -rf "$rootfs" "$rootfs.partial"
    debootstrap --variant=minbase bookworm "$rootfs.partial" http://deb.debian.org/debian \
        >"$cache/debootstrap.log" 2>&1 || die "debootstrap failed, see $cache/debootstrap.log"
    mv "$rootfs.partial" "$rootfs"
    printf '%s\n' "$ROOTFS_VERSION" >"$cache/rootfs.stamp"
    # the images are made from this rootfs: they must follow it
    rm -f "$cache/images.stamp" "$steps"/*
fi

# after the rootfs step, which clears this stamp when it bootstraps a new root
if [ "$(cat "$cache/images.stamp" 2>/dev/null)" != "$images_key" ]; then
    log "images stamp is not '$images_key': rebuilding all images"
    podman rm -a -f >/dev/null 2>&1 || true
    podman rmi -a -f >/dev/null 2>&1 || true
    rm -rf "$steps" "$cache/work" "$cache/expected"
    rm -rf "$cache"/*.tar "$cache"/*.oci-gzip "$cache"/*.oci-zstd
    mkdir -p "$steps"
    printf '%s\n' "$images_key" >"$cache/images.stamp"
fi

DEBIAN=localhost/drydock-test/debian:12
COMMIT=localhost/drydock-test/derived-commit:1
DERIVED=localhost/drydock-test/derived:1
BIG=localhost/drydock-test/big4x:1

# --- 2. import the rootfs as a one-layer image --------------------------------------------
if ! { step_done import && image_ok "$DEBIAN"; }; then
    log "import: $DEBIAN from the rootfs"
    tar -C "$rootfs" -c . | podman import -q \
        --change 'CMD ["bash"]' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --message "drydock-test: debootstrap --variant=minbase bookworm" \
        - "$DEBIAN" >/dev/null
    step_ok import
fi

# --- 3. a layer with real deletions, made by podman commit --------------------------------
# What this layer removes or hides is written to expected/derived.removed.json, which
# test_squash.sh checks `drydock inspect --removed` against.
if ! { step_done commit && image_ok "$COMMIT"; }; then
    log "commit: $COMMIT (deletions, opaque dir, special files) on $DEBIAN"
    ctr=$(podman create "$DEBIAN" /bin/true)
    m=$(podman mount "$ctr")
    # a plain deletion: one .wh. file
    rm "$m/etc/issue.net"
    # a whole directory deleted: one .wh. for the directory, everything under it is gone
    rm -rf "$m/usr/share/lintian"
    # a directory deleted and made again: overlay marks it opaque (.wh..wh..opq)
    rm -rf "$m/etc/apt/apt.conf.d"
    mkdir "$m/etc/apt/apt.conf.d"
    printf 'APT::Install-Recommends "false";\n' >"$m/etc/apt/apt.conf.d/99drydock-test"
    # files written again: replaced
    printf 'drydock commit layer motd\n' >"$m/etc/motd"
    printf 'app:x:1000:1000:drydock test app:/srv/app:/bin/sh\n' >>"$m/etc/passwd"
    printf 'app:x:1000:\n' >>"$m/etc/group"
    # a file replaced by a symlink (type change)
    rm "$m/etc/host.conf"
    ln -s hosts "$m/etc/host.conf"
    # special files and modes
    mkdir -p "$m/usr/local/share/drydock-test" "$m/srv/shared" "$m/srv/tmp" "$m/srv/dev"
    chmod 2775 "$m/srv/shared"
    chmod 1777 "$m/srv/tmp"
    printf '#!/bin/sh\nid\n' >"$m/usr/local/bin/suid-helper"
    chmod 4755 "$m/usr/local/bin/suid-helper"
    printf '#!/bin/sh\nid\n' >"$m/usr/local/bin/sgid-helper"
    chmod 2711 "$m/usr/local/bin/sgid-helper"
    ln -s /bin/bash "$m/usr/local/bin/bash-abs"
    ln -s ../../../bin/bash "$m/usr/local/bin/bash-rel"
    ln -s does-not-exist "$m/usr/local/bin/dangling"
    printf 'hard linked twice\n' >"$m/usr/local/share/drydock-test/hl-a"
    ln "$m/usr/local/share/drydock-test/hl-a" "$m/usr/local/share/drydock-test/hl-b"
    mkfifo -m 0620 "$m/srv/dev/fifo"
    mknod -m 0666 "$m/srv/dev/null" c 1 3
    mknod -m 0660 "$m/srv/dev/loop-test" b 7 200
    long="$m/usr/local/share/drydock-test/a-directory-name-that-is-rather-long-0123456789"
    long="$long/and-another-long-directory-name-abcdefghijklmnopqrstuvwxyz-0123456789"
    mkdir -p "$long"
    printf 'long path\n' >"$long/a-file-whose-full-path-is-well-over-one-hundred-characters.txt"
    podman unmount "$ctr" >/dev/null
    podman commit --format docker -q "$ctr" "$COMMIT" >/dev/null
    rm_container "$ctr"
    mkdir -p "$cache/expected"
    python3 - "$rootfs" "$cache/expected/derived.removed.json" "$driver" <<'EOF'
import json, os, sys
root, out, driver = sys.argv[1], sys.argv[2], sys.argv[3]
exp = []
def below(rel, reason, layer, by, self_too):
    top = os.path.join(root, rel)
    if self_too:
        exp.append({"path": "/" + rel, "reason": reason, "layer": layer, "removed_by": by})
    for d, dirs, files in os.walk(top):
        for n in dirs + files:
            p = os.path.relpath(os.path.join(d, n), root)
            exp.append({"path": "/" + p, "reason": reason, "layer": layer, "removed_by": by})
# layer 0 = the rootfs, 1 = the commit layer, 2.. = the Dockerfile layers (COPY motd first)
exp.append({"path": "/etc/issue.net", "reason": "deleted", "layer": 0, "removed_by": 1})
below("usr/share/lintian", "deleted", 0, 1, True)
# overlay marks the directory opaque; vfs's diff writes a whiteout per vanished child
below("etc/apt/apt.conf.d", "opaque" if driver == "overlay" else "deleted", 0, 1, False)
exp.append({"path": "/etc/motd", "reason": "replaced", "layer": 0, "removed_by": 1})
exp.append({"path": "/etc/passwd", "reason": "replaced", "layer": 0, "removed_by": 1})
exp.append({"path": "/etc/group", "reason": "replaced", "layer": 0, "removed_by": 1})
exp.append({"path": "/etc/host.conf", "reason": "replaced", "layer": 0, "removed_by": 1})
# COPY motd is the first Dockerfile step that makes a layer: index 2
exp.append({"path": "/etc/motd", "reason": "replaced", "layer": 1, "removed_by": 2})
json.dump(exp, open(out, "w"), indent=1)
EOF
    step_ok commit
fi

# --- 4. the Dockerfile layers: every config field -----------------------------------------
if ! { step_done derived && image_ok "$DERIVED"; }; then
    log "derived: podman build $DERIVED from derived.Dockerfile"
    ctx="$cache/work/derived-context"
    rm -rf "$ctx"; mkdir -p "$ctx"
    cp -a "$here/derived/." "$ctx/"
    # extras.tar for ADD: hard links, modes, a PAX long name, symlinks.
    python3 - "$ctx/extras.tar" <<'EOF'
import io, sys, tarfile
def add(t, name, data=None, **kw):
    ti = tarfile.TarInfo(name)
    ti.mtime = 1700000000
    for k, v in kw.items():
        setattr(ti, k, v)
    t.addfile(ti, io.BytesIO(data) if data is not None else None)
    if data is not None:
        pass
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    add(t, "bin", type=tarfile.DIRTYPE, mode=0o755)
    d = b"#!/bin/sh\necho extras\n"
    add(t, "bin/tool", d, size=len(d), mode=0o4755)
    add(t, "bin/tool-link", type=tarfile.LNKTYPE, linkname="bin/tool", mode=0o4755)
    add(t, "bin/tool-sym", type=tarfile.SYMTYPE, linkname="tool", mode=0o777)
    add(t, "share", type=tarfile.DIRTYPE, mode=0o2755)
    add(t, "share/sticky", type=tarfile.DIRTYPE, mode=0o1777)
    long = "share/" + "x" * 90 + "/" + "y" * 80 + "/file-with-a-pax-path.txt"
    add(t, long[:long.rindex("/")].rsplit("/", 1)[0], type=tarfile.DIRTYPE, mode=0o755)
    add(t, long[:long.rindex("/")], type=tarfile.DIRTYPE, mode=0o755)
    d = b"pax path\n"
    add(t, long, d, size=len(d), mode=0o644)
    add(t, "share/hl-of-long", type=tarfile.LNKTYPE, linkname=long, mode=0o644)
    d = b"readonly\n"
    add(t, "share/readonly", d, size=len(d), mode=0o400)
EOF
    podman build --format docker -q -f "$here/derived.Dockerfile" -t "$DERIVED" "$ctx" >/dev/null
    step_ok derived
fi

# --- 5. the "4x" image: derived plus three layers each holding a copy of the Debian tree --
if ! { step_done big && image_ok "$BIG"; }; then
    log "big4x: $BIG (three more layers, each a copy of the rootfs)"
    base=$DERIVED
    for i in 1 2 3; do
        ctr=$(podman create "$base")
        m=$(podman mount "$ctr")
        mkdir -p "$m/bulk$i"
        # everything but the device nodes
        tar -C "$rootfs" --exclude=./dev -c . | tar -C "$m/bulk$i" -x
        podman unmount "$ctr" >/dev/null
        podman commit --format docker -q "$ctr" "localhost/drydock-test/big4x-step:$i" >/dev/null
        rm_container "$ctr"
        base="localhost/drydock-test/big4x-step:$i"
    done
    podman tag "$base" "$BIG"
    step_ok big
fi

# --- 6. the archive forms -----------------------------------------------------------------
# gzip_docker_archive IN OUT: the same docker-archive with every layer file gzip-compressed
# (docker load accepts that); the config and its diff_ids are untouched, only manifest.json's
# Layers paths change. The legacy <id>/layer.tar links and `repositories` are dropped since
# they would point at the uncompressed files.
gzip_docker_archive() {
    python3 - "$1" "$2" <<'EOF'
import gzip, hashlib, json, os, shutil, sys, tarfile, tempfile
src, dst = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp(dir=os.path.dirname(dst))
try:
    with tarfile.open(src) as t:
        manifest = json.load(t.extractfile("manifest.json"))
        out = tarfile.open(dst + ".partial", "w", format=tarfile.PAX_FORMAT)
        done = {}
        for img in manifest:
            for name in [img["Config"]]:
                if name not in done:
                    m = t.getmember(name)
                    out.addfile(m, t.extractfile(m))
                    done[name] = name
            layers = []
            for name in img["Layers"]:
                if name not in done:
                    gz = os.path.join(tmp, "layer.gz")
                    with t.extractfile(name) as f, open(gz, "wb") as g:
                        # mtime=0: the same input always gives the same blob
                        with gzip.GzipFile(fileobj=g, mode="wb", compresslevel=6, mtime=0) as z:
                            shutil.copyfileobj(f, z, 1 << 20)
                    h = hashlib.sha256()
                    with open(gz, "rb") as g:
                        for b in iter(lambda: g.read(1 << 20), b""):
                            h.update(b)
                    newname = h.hexdigest() + ".tar.gz"
                    ti = tarfile.TarInfo(newname)
                    ti.size = os.path.getsize(gz)
                    ti.mode = 0o444
                    with open(gz, "rb") as g:
                        out.addfile(ti, g)
                    done[name] = newname
                layers.append(done[name])
            img["Layers"] = layers
            img.pop("LayerSources", None)
        data = json.dumps(manifest).encode()
        ti = tarfile.TarInfo("manifest.json"); ti.size = len(data); ti.mode = 0o444
        import io
        out.addfile(ti, io.BytesIO(data))
        out.close()
    os.rename(dst + ".partial", dst)
finally:
    shutil.rmtree(tmp)
EOF
}

save_forms() { # NAME IMAGE
    local name=$1 image=$2 f
    f="$cache/$name.docker.tar"
    if ! step_done "save-$name-docker" "$f"; then
        log "save: $f"
        rm -f "$f.partial"
        podman save -q --format docker-archive -o "$f.partial" "$image"
        mv "$f.partial" "$f"; step_ok "save-$name-docker"
    fi
    f="$cache/$name.oci.tar"
    if ! step_done "save-$name-oci" "$f"; then
        log "save: $f"
        rm -f "$f.partial"
        podman save -q --format oci-archive -o "$f.partial" "$image"
        mv "$f.partial" "$f"; step_ok "save-$name-oci"
    fi
    local comp
    for comp in gzip zstd; do
        f="$cache/$name.oci-$comp"
        if ! step_done "save-$name-oci-$comp" "$f/index.json"; then
            log "save: $f (skopeo copy, $comp layers)"
            rm -rf "$f"
            skopeo copy -q --dest-compress --dest-compress-format "$comp" \
                "containers-storage:$image" "oci:$f:${image##*:}"
            step_ok "save-$name-oci-$comp"
        fi
    done
    f="$cache/$name.docker-gz.tar"
    if ! step_done "save-$name-docker-gz" "$f"; then
        log "save: $f (docker-archive with gzip layers)"
        gzip_docker_archive "$cache/$name.docker.tar" "$f"
        step_ok "save-$name-docker-gz"
    fi
}

export_rootfs() { # NAME IMAGE: the ground truth, what podman puts in a container of IMAGE
    local name=$1 image=$2 f="$cache/$1.export.tar" ctr
    if ! step_done "export-$name" "$f"; then
        log "export: $f"
        ctr=$(podman create "$image")
        rm -f "$f.partial"
        podman export -o "$f.partial" "$ctr"
        rm_container "$ctr"
        mv "$f.partial" "$f"; step_ok "export-$name"
    fi
}

save_forms debian "$DEBIAN"
save_forms derived "$DERIVED"
export_rootfs debian "$DEBIAN"
export_rootfs derived "$DERIVED"

f="$cache/both.docker.tar"
if ! step_done save-both "$f"; then
    log "save: $f (two images, for tag selection)"
    rm -f "$f.partial"
    podman save -q -m --format docker-archive -o "$f.partial" "$DEBIAN" "$DERIVED"
    mv "$f.partial" "$f"; step_ok save-both
fi

f="$cache/big4x.docker.tar"
if ! step_done save-big-docker "$f"; then
    log "save: $f"
    rm -f "$f.partial"
    podman save -q --format docker-archive -o "$f.partial" "$BIG"
    mv "$f.partial" "$f"; step_ok save-big-docker
fi
f="$cache/big4x.docker-gz.tar"
if ! step_done save-big-docker-gz "$f"; then
    log "save: $f (docker-archive with gzip layers)"
    gzip_docker_archive "$cache/big4x.docker.tar" "$f"
    step_ok save-big-docker-gz
fi
export_rootfs big4x "$BIG"

log "all images ready in $cache"
