#!/usr/bin/env bash
# Builds, once, a real Debian 11 image whose dpkg database holds package versions that Debian
# released for bullseye before some of the advisories in ../shared/vulndata, and whose
# application site-packages holds Python distributions that PyPI advisories affect: the input
# of the end-to-end vulnerability scan tests (tests/scan/README.md says what is real and what
# is not).
#
#   bash tests/images/bullseye.sh CACHE_DIR
#
# Everything lands in CACHE_DIR/bullseye/ (build.sh empties CACHE_DIR/*.tar and its podman
# storage when it rebuilds, so this image lives beside it, with its own storage):
#   rootfs/                     debootstrap --variant=minbase bullseye, current versions
#   debs/                       the .debs debootstrap fetched (--cache-dir)
#   relabelled/                 the same .debs with older version strings (table below)
#   bullseye-vuln.docker.tar    podman save --format docker-archive
#   bullseye-vuln.oci.tar       podman save --format oci-archive
#   bullseye-vuln.oci/          skopeo copy to an OCI layout, gzip layers (tag 11)
#   bullseye-vuln.export.tar    podman export of a container: the squashed ground truth
#   bullseye-vuln.rootfs/       that export unpacked (for dir: scans and the oracle)
#   relabelled.tsv              package, real version, version written, source, source version
#   apt/, pydebs/               a private apt (bullseye main) and the .debs the Python
#                               distributions are taken from
#   site-packages/              those distributions, as layer 2 puts them under PY_SITE
# Each step is skipped when its stamp and outputs are there; the stamps carry a hash of this
# script, so editing it rebuilds the images (the debootstrap root survives unless
# ROOTFS_VERSION changes).
set -euo pipefail

ROOTFS_VERSION="bullseye rootfs v2 minbase"
IMAGES_VERSION=2
MIRROR=http://deb.debian.org/debian
# Packages added to minbase: each has Debian:11 advisories in the data (minbase already holds
# zlib1g, gzip, liblzma5 and bsdutils).
INCLUDE=libssl1.1,openssl,libexpat1,xz-utils,curl,chromium-sandbox,sudo

# The relabelled packages: binary|version written|source version (- = the same)|why.
# Old bullseye .debs cannot be downloaded any more (the mirror keeps current versions only),
# so the current .deb is unpacked, its control Version (and Source version) set to a version
# Debian really released for bullseye (checked: it has an entry in the package's own
# changelog), and packed again; the files inside are unchanged.
RELABEL=(
    # openssl: two binaries of one source; 1.1.1k-1+deb11u1 is DSA-4963-1's fixed version,
    # affected by DSA-5103-1, DSA-5139-1, DSA-5169-1 and DSA-5343-1.
    "libssl1.1|1.1.1k-1+deb11u1|-|DSA-4963-1 fixed version"
    "openssl|1.1.1k-1+deb11u1|-|DSA-4963-1 fixed version"
    # zlib: a version with an epoch; DSA-5111-1's fixed version, affected by DSA-5218-1.
    "zlib1g|1:1.2.11.dfsg-2+deb11u1|-|DSA-5111-1 fixed version"
    # expat: DSA-5073-1's fixed version; affected by DSA-5085-1, by its regression update
    # DSA-5085-2 (a record without any CVE id), DSA-5236-1 and DSA-5266-1.
    "libexpat1|2.2.10-2+deb11u1|-|DSA-5073-1 fixed version"
    # xz-utils: the bullseye 11.0 version, which DSA-5123-1 (5.2.5-2.1~deb11u1) replaced;
    # CVE-2022-1271 is also in gzip's DSA-5122-1: one CVE, two sources, three binaries.
    "liblzma5|5.2.5-2|-|bullseye 11.0 version, before DSA-5123-1"
    "xz-utils|5.2.5-2|-|bullseye 11.0 version, before DSA-5123-1"
    # gzip: the bullseye 11.0 version that DSA-5122-1's 1.10-4+deb11u1 is built on.
    "gzip|1.10-4|-|bullseye 11.0 version, before DSA-5122-1"
    # util-linux: bsdutils carries an epoch its source does not have (Source: util-linux
    # (2.36.1-8)); only the source version is below DSA-5055-1's 2.36.1-8+deb11u1. The other
    # util-linux binaries stay at their current version, so they must not be reported.
    "bsdutils|1:2.36.1-8|2.36.1-8|bullseye 11.0 version, before DSA-5055-1"
    # chromium: DSA-5163-1's fixed version; affected by 24 later DSAs, two pairs of which name
    # the same CVE (CVE-2022-2163: DSA-5168-1, DSA-5187-1; CVE-2022-3201: DSA-5230-1,
    # DSA-5244-1), so one finding must merge two records.
    "chromium-sandbox|102.0.5005.115-1~deb11u1|-|DSA-5163-1 fixed version"
    # curl: two binaries; DSA-5197-1's fixed version, affected by DSA-5330-1 and DSA-5365-1.
    "curl|7.74.0-1.3+deb11u2|-|DSA-5197-1 fixed version"
    "libcurl4|7.74.0-1.3+deb11u2|-|DSA-5197-1 fixed version"
    # sudo: the bullseye 11.0 version DSA-5321-1's 1.9.5p2-3+deb11u1 is built on; removed
    # after the install (REMOVE), so dpkg keeps it as "config-files" with this version: a
    # package that is not installed any more, which must not be reported.
    "sudo|1.9.5p2-3|-|bullseye 11.0 version, before DSA-5321-1"
)
# Relabelled packages then removed (dpkg -r, not purged: their conffiles stay).
REMOVE=(sudo)

# Python distributions that layer 2 puts in an application's site-packages, outside dpkg's
# ownership (as a `pip install` into a virtual environment would), so that they are PyPI
# packages matched against the PyPI advisories. The files come from bullseye .debs, unchanged:
#   .deb|version|what|why, where what is "egg:EGG_INFO_DIR NAME..." (an .egg-info directory
#   and the top-level packages beside it) or "wheel:WHEEL" (a .whl unpacked), paths in the .deb
PY_SITE=opt/app/lib/python3.9/site-packages
PY_DISTS=(
    # py 1.10.0 as Debian ships it (py/ and py-1.10.0.egg-info/ from python3-py): affected by
    # PYSEC-2022-42969 (last_affected 1.11.0, no fix); PYSEC-2020-92's fixed version.
    "python3-py|1.10.0-1|egg:usr/lib/python3/dist-packages/py-1.10.0.egg-info py|last_affected, unfixed"
    # urllib3 1.26.5, the wheel pip vendors (python-pip-whl), unpacked as pip installs a wheel
    # (urllib3/ and urllib3-1.26.5.dist-info/ with METADATA and RECORD): PYSEC-2023-192 and
    # PYSEC-2023-212 carry CVSS v3.1 vectors (HIGH, MEDIUM) and fixes in two branches;
    # PYSEC-2021-108's fixed version.
    "python-pip-whl|20.3.4-4+deb11u1|wheel:usr/share/python-wheels/urllib3-1.26.5-py2.py3-none-any.whl|CVSS, two branches"
)

cache=${1:?usage: bullseye.sh CACHE_DIR}
mkdir -p "$cache/bullseye"
cache=$(cd "$cache" && pwd)
w=$cache/bullseye

log() { printf "bullseye.sh: [%ss] %s\n" "$SECONDS" "$*" >&2; }
die() { printf 'bullseye.sh: error: %s\n' "$*" >&2; exit 1; }

exec 9>"$w/.build.lock"
if ! flock -n 9; then
    log "another bullseye.sh is running on $w, waiting for it"
    flock 9
fi

for tool in podman skopeo debootstrap dpkg-deb dpkg-query chroot tar flock sha256sum apt-get \
    python3; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, podman mount)"

images_key="bullseye v$IMAGES_VERSION $(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"

# --- podman storage private to this image -------------------------------------------------
pod="$w/podman"
mkdir -p "$pod/root" "$pod/run" "$pod/tmp"
export CONTAINERS_STORAGE_CONF="$pod/storage.conf"
export TMPDIR="$pod/tmp"
# libpod's own state (alive files, exit codes) too, away from build.sh's podman in /run/libpod
export CONTAINERS_CONF="$pod/containers.conf"
printf '[engine]\ntmp_dir = "%s"\n' "$pod/run/libpod" >"$CONTAINERS_CONF"
write_storage_conf() {
    cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "$1"
runroot = "$pod/run"
graphroot = "$pod/root"
EOF
}
if [ ! -f "$CONTAINERS_STORAGE_CONF" ]; then
    write_storage_conf overlay
    if ! podman info >/dev/null 2>&1; then
        log "overlay storage does not work here, using vfs"
        rm -rf "$pod/root" "$pod/run"; mkdir -p "$pod/root" "$pod/run"
        write_storage_conf vfs
    fi
fi
podman ps -a -q | while read -r ctr; do
    podman unmount "$ctr" >/dev/null 2>&1 || true
    podman rm -f "$ctr" >/dev/null
done

steps="$w/steps"
mkdir -p "$steps"
step_done() { # NAME [OUTPUT...]: true when NAME ran to the end and its outputs still exist
    local name=$1; shift
    [ -f "$steps/$name" ] || return 1
    local out
    for out in "$@"; do [ -e "$out" ] || return 1; done
    log "$name: done already"
}
step_ok() { printf '%s\n' "$images_key" >"$steps/$1"; }

# unmount_below DIR: what debootstrap left mounted there (its /proc, when a process in the
# chroot still held it at the end), deepest first; the image must not contain it.
unmount_below() {
    local dir mnt
    dir=$(realpath "$1")
    awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts |
        sort -r | while read -r mnt; do
        umount "$mnt" 2>/dev/null || umount -l "$mnt" || die "cannot unmount $mnt"
    done
}

# --- 1. Debian 11 root filesystem, current versions ---------------------------------------
rootfs="$w/rootfs"
rootfs_key="$ROOTFS_VERSION +$INCLUDE"
if [ "$(cat "$w/rootfs.stamp" 2>/dev/null)" = "$rootfs_key" ] && [ -x "$rootfs/bin/sh" ]; then
    log "rootfs: done already"
else
    log "rootfs: debootstrap --variant=minbase --include=$INCLUDE bullseye"
    for d in "$rootfs" "$rootfs.partial"; do
        if [ -d "$d" ]; then unmount_below "$d"; fi
    done
    rm -rf "$rootfs" "$rootfs.partial" "$w/debs"
    mkdir -p "$w/debs"
    debootstrap --variant=minbase --include="$INCLUDE" --cache-dir="$w/debs" \
        bullseye "$rootfs.partial" "$MIRROR" >"$w/debootstrap.log" 2>&1 || {
        unmount_below "$rootfs.partial"
        die "debootstrap failed, see $w/debootstrap.log"
    }
    unmount_below "$rootfs.partial"
    # apt-get clean, as image builds do: the .debs stay in debs/ only
    rm -f "$rootfs.partial/var/cache/apt/archives/"*.deb
    mv "$rootfs.partial" "$rootfs"
    printf '%s\n' "$rootfs_key" >"$w/rootfs.stamp"
    rm -f "$w/images.stamp" "$steps"/*
fi

if [ "$(cat "$w/images.stamp" 2>/dev/null)" != "$images_key" ]; then
    log "images stamp is not '$images_key': rebuilding the images"
    podman rm -a -f >/dev/null 2>&1 || true
    podman rmi -a -f >/dev/null 2>&1 || true
    rm -rf "$steps" "$w/relabelled" "$w/relabelled.tsv" "$w"/*.tar "$w/bullseye-vuln.oci" \
        "$w/bullseye-vuln.rootfs"
    mkdir -p "$steps"
    printf '%s\n' "$images_key" >"$w/images.stamp"
fi

BASE=localhost/drydock-test/bullseye-base:11
VULN=localhost/drydock-test/bullseye-vuln:11

# --- 2. the relabelled .debs ----------------------------------------------------------------
# field PKG FIELD: a field of PKG as dpkg recorded it in the debootstrap root.
field() { dpkg-query --admindir="$rootfs/var/lib/dpkg" -W -f="\${$2}" "$1"; }
if ! step_done relabel "$w/relabelled.tsv"; then
    log "relabel: ${#RELABEL[@]} packages"
    rm -rf "$w/relabelled" "$w/relabel-tmp"
    mkdir -p "$w/relabelled" "$w/relabel-tmp"
    table=$w/relabel-tmp/table.tsv
    # what is installed first: a control file may name a sibling's exact version
    : >"$table"
    for entry in "${RELABEL[@]}"; do
        IFS='|' read -r pkg ver srcver why <<<"$entry"
        [ "$srcver" = - ] && srcver=$ver
        cur=$(field "$pkg" Version) || die "$pkg is not installed in $rootfs"
        dpkg --compare-versions "$ver" lt "$cur" || die "$pkg: $ver is not older than $cur"
        src=$(field "$pkg" source:Package)
        # the version must be an upload Debian made: an entry of the package's own changelog
        cl="$rootfs/usr/share/doc/$pkg/changelog.Debian.gz"
        gzip -dc "$cl" | awk -v h="$src ($srcver) " 'index($0, h) == 1 { found = 1 }
            END { exit !found }' || die "$pkg: no '$src ($srcver)' entry in $cl"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$pkg" "$(field "$pkg" Architecture)" "$cur" \
            "$ver" "$src" "$srcver" "$why" >>"$table"
    done
    # shellcheck disable=SC2094 # the loop and python3 both only read the table
    while IFS=$'\t' read -r pkg arch cur ver src srcver _; do
        # the .deb debootstrap installed: same package, version and architecture
        deb=""
        for f in "$w/debs/${pkg}_"*"_$arch.deb"; do
            [ -f "$f" ] || continue
            if [ "$(dpkg-deb -f "$f" Version)" = "$cur" ]; then deb=$f; break; fi
        done
        [ -n "$deb" ] || die "no .deb of $pkg $cur ($arch) in $w/debs"
        t="$w/relabel-tmp/$pkg"
        dpkg-deb -R "$deb" "$t"
        python3 - "$t/DEBIAN/control" "$pkg" "$ver" "$src" "$srcver" \
            "$table" <<'PY'
# Version: set; Source: as dpkg-gencontrol writes it (the source version in parentheses only
# when it differs from the binary's, no field when name and version are the binary's); an
# exact "(= CUR)" relation on a relabelled sibling (curl on libcurl4) follows it.
import re, sys
path, pkg, ver, src, srcver, table = sys.argv[1:]
moved = {}
for line in open(table):
    p, _, cur, new = line.split("\t")[:4]
    moved[p] = (cur, new)
fields = []  # [name, value], continuation lines kept in the value
for line in open(path).read().splitlines():
    if line[:1] in (" ", "\t"):
        fields[-1][1] += "\n" + line
    elif line:
        name, value = line.split(":", 1)
        fields.append([name, value.strip()])
if srcver != ver:
    source = "%s (%s)" % (src, srcver)
elif src != pkg:
    source = src
else:
    source = None
out = []
for name, value in fields:
    if name == "Source":
        continue
    if name == "Version":
        value = ver
    if name in ("Depends", "Pre-Depends", "Recommends", "Suggests", "Breaks", "Conflicts",
                "Replaces", "Enhances", "Provides"):
        for p, (cur, new) in moved.items():
            value = re.sub(r"(?<![A-Za-z0-9.+-])(%s(?::[a-z0-9]+)?) *\( *= *%s *\)"
                           % (re.escape(p), re.escape(cur)), r"\1 (= %s)" % new, value)
    out.append("%s: %s" % (name, value))
    if name == "Package" and source:
        out.append("Source: " + source)
open(path, "w").write("\n".join(out) + "\n")
PY
        dpkg-deb -b "$t" "$w/relabelled/${pkg}_${ver#*:}_$arch.deb" >/dev/null
        rm -rf "$t"
    done <"$table"
    mv "$table" "$w/relabelled.tsv"
    rmdir "$w/relabel-tmp"
    step_ok relabel
fi

# --- 2b. the Python distributions -----------------------------------------------------------
# apt-get download from bullseye with an apt of its own (lists, cache and sources under apt/,
# nothing of the host's apt configuration), then each distribution staged in site-packages/.
site="$w/site-packages"
if ! step_done pydist "$site"; then
    log "pydist: ${#PY_DISTS[@]} Python distributions from bullseye .debs"
    keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    [ -f "$keyring" ] || die "no $keyring: install debian-archive-keyring"
    a="$w/apt"
    rm -rf "$a" "$w/pydebs" "$site" "$site.partial"
    mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/etc/sources.list.d" \
        "$a/etc/apt.conf.d" "$a/etc/preferences.d" "$w/pydebs" "$site.partial"
    : >"$a/status"
    printf 'deb [signed-by=%s] %s bullseye main\n' "$keyring" "$MIRROR" >"$a/etc/sources.list"
    cat >"$a/apt.conf" <<EOF
Dir::State "$a"; Dir::State::Lists "$a/lists"; Dir::State::status "$a/status";
Dir::Cache "$a/cache"; Dir::Etc "$a/etc"; Dir::Etc::SourceList "$a/etc/sources.list";
Dir::Etc::SourceParts "$a/etc/sources.list.d"; Dir::Etc::Parts "$a/etc/apt.conf.d";
Dir::Etc::PreferencesParts "$a/etc/preferences.d"; APT::Architecture "amd64";
APT::Architectures { "amd64"; }; Acquire::Languages "none"; APT::Sandbox::User "root";
EOF
    export APT_CONFIG="$a/apt.conf"
    apt-get update >"$w/apt.log" 2>&1 || die "apt-get update (bullseye) failed, see $w/apt.log"
    for entry in "${PY_DISTS[@]}"; do
        IFS='|' read -r deb ver what _ <<<"$entry"
        (cd "$w/pydebs" && apt-get download "$deb=$ver") >>"$w/apt.log" 2>&1 ||
            die "apt-get download $deb=$ver failed (no longer in bullseye?), see $w/apt.log"
        f=$(ls "$w/pydebs/${deb}_"*.deb)
        [ "$(dpkg-deb -f "$f" Version)" = "$ver" ] || die "$f is not version $ver"
        x="$w/pydebs/x"
        rm -rf "$x"
        dpkg-deb -x "$f" "$x"
        case "$what" in
        egg:*) # an egg-info directory and the top-level packages beside it, as shipped
            read -r -a parts <<<"${what#egg:}"
            dir=$(dirname "${parts[0]}")
            for p in "${parts[@]}"; do
                p=${p#"$dir"/}
                [ -e "$x/$dir/$p" ] || die "$deb: no $dir/$p"
                cp -a "$x/$dir/$p" "$site.partial/"
            done ;;
        wheel:*) # a wheel unpacked into site-packages (its .dist-info holds METADATA, RECORD)
            whl="$x/${what#wheel:}"
            [ -f "$whl" ] || die "$deb: no ${what#wheel:}"
            python3 -m zipfile -e "$whl" "$site.partial/" || die "cannot unpack $whl" ;;
        *) die "PY_DISTS: unknown kind in '$what'" ;;
        esac
        rm -rf "$x"
    done
    unset APT_CONFIG
    mv "$site.partial" "$site"
    step_ok pydist
fi

# --- 3. layer 1: the debootstrap root -------------------------------------------------------
if ! { step_done import && podman image exists "$BASE"; }; then
    log "import: $BASE from the rootfs"
    unmount_below "$rootfs"
    tar -C "$rootfs" -c . | podman import -q \
        --change 'CMD ["bash"]' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --message "drydock-test: debootstrap --variant=minbase bullseye" \
        - "$BASE" >/dev/null
    step_ok import
fi

# --- 4. layer 2: the relabelled packages installed by the image's own dpkg ------------------
if ! { step_done vuln && podman image exists "$VULN"; }; then
    log "vuln: $VULN (dpkg -i of the relabelled .debs on $BASE)"
    ctr=$(podman create "$BASE" /bin/true)
    m=$(podman mount "$ctr")
    mkdir "$m/tmp/relabelled"
    cp "$w/relabelled/"*.deb "$m/tmp/relabelled/"
    # bullseye's dpkg (1.20) in the image writes its own database: status, info/*.list,
    # md5sums; the package files are unpacked again, so they are in this layer too.
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C \
        chroot "$m" sh -c 'dpkg --force-downgrade -i /tmp/relabelled/*.deb' \
        >"$w/dpkg-install.log" 2>&1 || die "dpkg -i failed, see $w/dpkg-install.log"
    # SUDO_FORCE_REMOVE: sudo's prerm refuses removal while root has no password
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C \
        SUDO_FORCE_REMOVE=yes chroot "$m" dpkg -r "${REMOVE[@]}" >>"$w/dpkg-install.log" 2>&1 ||
        die "dpkg -r failed, see $w/dpkg-install.log"
    rm -rf "$m/tmp/relabelled"
    # the Python distributions, in an application's site-packages that no package owns
    mkdir -p "$m/$PY_SITE"
    cp -a "$site/." "$m/$PY_SITE/"
    owned=$(chroot "$m" dpkg -S "/$PY_SITE" 2>/dev/null || true)
    [ -z "$owned" ] || die "/$PY_SITE is owned by a package: $owned"
    # everything configured, and each relabelled package's files are the ones its (real)
    # md5sums list: the binaries are the real bullseye ones
    audit=$(chroot "$m" dpkg --audit 2>&1) || die "dpkg --audit: $audit"
    [ -z "$audit" ] || die "dpkg --audit: $audit"
    while IFS=$'\t' read -r pkg arch _ ver src srcver _; do
        got=$(dpkg-query --admindir="$m/var/lib/dpkg" -W \
            -f='${db:Status-Abbrev}|${Version}|${source:Package}|${source:Version}' "$pkg")
        want="ii |$ver|$src|$srcver"
        if [[ " ${REMOVE[*]} " == *" $pkg "* ]]; then
            [ "$got" = "rc |$ver|$src|$srcver" ] || die "$pkg in the image: '$got'"
            continue
        fi
        [ "$got" = "$want" ] || die "$pkg in the image: '$got', expected '$want'"
        bad=$(chroot "$m" dpkg --verify "$pkg" 2>&1 | grep -v ' c /' || true)
        [ -z "$bad" ] || die "dpkg --verify $pkg: $bad"
    done <"$w/relabelled.tsv"
    podman unmount "$ctr" >/dev/null
    podman commit --format docker -q "$ctr" "$VULN" >/dev/null
    podman rm -f "$ctr" >/dev/null
    step_ok vuln
fi

# --- 5. the archive forms and the squashed root ---------------------------------------------
f="$w/bullseye-vuln.docker.tar"
if ! step_done save-docker "$f"; then
    log "save: $f"
    rm -f "$f.partial"
    podman save -q --format docker-archive -o "$f.partial" "$VULN"
    mv "$f.partial" "$f"; step_ok save-docker
fi
f="$w/bullseye-vuln.oci.tar"
if ! step_done save-oci "$f"; then
    log "save: $f"
    rm -f "$f.partial"
    podman save -q --format oci-archive -o "$f.partial" "$VULN"
    mv "$f.partial" "$f"; step_ok save-oci
fi
f="$w/bullseye-vuln.oci"
if ! step_done save-oci-dir "$f/index.json"; then
    log "save: $f (skopeo copy, gzip layers)"
    rm -rf "$f"
    skopeo copy -q --dest-compress --dest-compress-format gzip \
        "containers-storage:$VULN" "oci:$f:11"
    step_ok save-oci-dir
fi
f="$w/bullseye-vuln.export.tar"
if ! step_done export "$f" "$w/bullseye-vuln.rootfs/var/lib/dpkg/status"; then
    log "export: $f and bullseye-vuln.rootfs/"
    ctr=$(podman create "$VULN")
    rm -f "$f.partial"
    podman export -o "$f.partial" "$ctr"
    podman rm -f "$ctr" >/dev/null
    mv "$f.partial" "$f"
    rm -rf "$w/bullseye-vuln.rootfs"
    mkdir "$w/bullseye-vuln.rootfs"
    tar -C "$w/bullseye-vuln.rootfs" --numeric-owner -xpf "$f"
    step_ok export
fi

log "bullseye-vuln ready in $w"
