#!/usr/bin/env bash
# drydock's Debian packages against dpkg's own view.
#
#   bash tests/catalog/test_dpkg_vs_dpkg_query.sh DRYDOCK IMAGES_CACHE
#
# For the debootstrap root and every archive form of the images tests/images/build.sh makes,
# the (name, version, arch, source, source version) set of `drydock sbom` must equal
# `dpkg-query --admindir=ROOT/var/lib/dpkg -W` over installed packages. Then an image whose upper
# layer rewrites the status file (one package dropped as a purge would, one added) must give the
# squashed truth, attribute the added package to the upper layer, and with --scope all-layers
# list the dropped one as removed. Every SBOM written validates and is byte-identical twice.
set -euo pipefail
drydock=$(realpath "${1:?usage: test_dpkg_vs_dpkg_query.sh DRYDOCK IMAGES_CACHE}")
cache=$(realpath "${2:?usage: test_dpkg_vs_dpkg_query.sh DRYDOCK IMAGES_CACHE}")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

command -v dpkg-query >/dev/null || die "dpkg-query is not installed"
command -v jq >/dev/null || die "jq is not installed"
rootfs=$cache/rootfs
[ -f "$rootfs/var/lib/dpkg/status" ] || die "no $rootfs: run tests/images/build.sh $cache first"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

dpkg_tuples "$rootfs/var/lib/dpkg" >"$tmp/expected"
[ "$(wc -l <"$tmp/expected")" -gt 50 ] || die "dpkg-query lists too few packages"

# --- 1. the root filesystem and every form of the images built from it ---------------------
n=0
for src in "dir:$rootfs" debian.docker.tar debian.docker-gz.tar debian.oci.tar \
    oci-dir:debian.oci-gzip oci-dir:debian.oci-zstd derived.docker.tar derived.oci.tar; do
    case $src in
    dir:*) ref=$src ;;
    *:*) ref=${src%%:*}:$cache/${src#*:} ;;
    *) ref=$cache/$src ;;
    esac
    [ -e "${ref#*:}" ] || [ -e "$ref" ] || { bad "$src missing from $cache"; continue; }
    n=$((n + 1))
    for format in cyclonedx spdx-json; do
        sbom_twice "$tmp/$n.$format.json" "$format" "$ref"
        [ "$sbom_status" = 0 ] || bad "$src: drydock sbom exited $sbom_status: $(cat "$tmp/$n.$format.json.err")"
    done
    deb_tuples "$tmp/$n.cyclonedx.json" >"$tmp/$n.got"
    if diff "$tmp/expected" "$tmp/$n.got" >"$tmp/$n.diff"; then
        ok "$src: $(wc -l <"$tmp/$n.got") packages equal dpkg-query's"
    else
        bad "$src differs from dpkg-query (< dpkg-query, > drydock):"
        head -20 "$tmp/$n.diff" >&2
    fi
    # SPDX lists the same packages
    spdx_n=$(jq '[.packages[] | select(.primaryPackagePurpose == "LIBRARY")] | length' "$tmp/$n.spdx-json.json")
    [ "$spdx_n" = "$(wc -l <"$tmp/$n.got")" ] || bad "$src: SPDX has $spdx_n packages"
done

# --- 2. an upper layer that rewrites the status file ----------------------------------------
# Built here with podman in the image cache's private storage, from build.sh's Debian image;
# cached under CACHE/catalog/ with a stamp that covers this script.
drop=tzdata
work=$cache/catalog
key="dpkg-rewrite v1 $(sha256sum "$0" | cut -c1-16) $(cat "$cache/images.stamp" 2>/dev/null || true)"
archive=$work/dpkg-rewrite.docker.tar
if [ "$(cat "$work/dpkg-rewrite.stamp" 2>/dev/null || true)" != "$key" ] || [ ! -s "$archive" ]; then
    command -v podman >/dev/null || die "podman is not installed"
    export CONTAINERS_STORAGE_CONF=$cache/podman/storage.conf
    export TMPDIR=$cache/podman/tmp
    [ -f "$CONTAINERS_STORAGE_CONF" ] || die "no podman storage under $cache (run build.sh)"
    mkdir -p "$work"
    rm -f "$archive" "$work/dpkg-rewrite.stamp"
    image=localhost/drydock-test/dpkg-rewrite:1
    ctr=$(podman create localhost/drydock-test/debian:12 /bin/true)
    m=$(podman mount "$ctr")
    # what `dpkg --purge tzdata` leaves: its paragraph gone, its info files gone; and one new
    # package, as an install in this layer would add it
    python3 - "$m/var/lib/dpkg/status" "$drop" <<'EOF'
import sys
path, drop = sys.argv[1], sys.argv[2]
paras = open(path, encoding="utf-8").read().split("\n\n")
keep = [p for p in paras if p.strip() and not p.startswith("Package: %s\n" % drop)]
keep.append("Package: drydock-test-added\nStatus: install ok installed\nPriority: optional\n"
            "Section: misc\nInstalled-Size: 12\nMaintainer: drydock tests <tests@drydock.invalid>\n"
            "Architecture: all\nSource: drydock-test-src (0.9-1)\nVersion: 1.0-1\n"
            "Description: a package this layer adds\n a longer description line\n")
open(path, "w", encoding="utf-8").write("\n\n".join(keep) + "\n\n")
EOF
    rm -f "$m/var/lib/dpkg/info/$drop".*
    printf '/.\n/usr\n/usr/share\n/usr/share/drydock-test-added\n' >"$m/var/lib/dpkg/info/drydock-test-added.list"
    cp "$m/var/lib/dpkg/status" "$work/dpkg-rewrite.status"
    podman unmount "$ctr" >/dev/null
    podman commit --format docker -q "$ctr" "$image" >/dev/null
    podman rm "$ctr" >/dev/null
    podman save --format docker-archive -o "$archive.partial" "$image" >/dev/null
    mv "$archive.partial" "$archive"
    printf '%s\n' "$key" >"$work/dpkg-rewrite.stamp"
fi

mkdir -p "$tmp/admin"
cp "$work/dpkg-rewrite.status" "$tmp/admin/status"
dpkg_tuples "$tmp/admin" >"$tmp/rw.expected"
grep -q "^$drop " "$tmp/rw.expected" && bad "the rewritten status still lists $drop"
sbom_twice "$tmp/rw.json" cyclonedx "$archive"
[ "$sbom_status" = 0 ] || bad "rewrite image: drydock sbom exited $sbom_status"
deb_tuples "$tmp/rw.json" >"$tmp/rw.got"
if diff "$tmp/rw.expected" "$tmp/rw.got" >"$tmp/rw.diff"; then
    ok "rewrite image: squashed view equals dpkg-query on the rewritten status ($(wc -l <"$tmp/rw.got") packages)"
else
    bad "rewrite image differs from dpkg-query (< dpkg-query, > drydock):"
    head -20 "$tmp/rw.diff" >&2
fi
layer_of() { # FILE NAME -> "layer removed"
    jq -r --arg n "$2" '.components[] | select(.name == $n) | (.properties // []) as $p
        | def prop($k): ([$p[] | select(.name == $k) | .value][0] // "");
        "\(prop("drydock:layer:index")) \(prop("drydock:package:removed"))"' "$1"
}
[ "$(layer_of "$tmp/rw.json" drydock-test-added)" = "1 " ] ||
    bad "drydock-test-added: layer/removed '$(layer_of "$tmp/rw.json" drydock-test-added)', expected layer 1"
[ "$(layer_of "$tmp/rw.json" bash)" = "0 " ] ||
    bad "bash: layer/removed '$(layer_of "$tmp/rw.json" bash)', expected layer 0"
[ -z "$(layer_of "$tmp/rw.json" "$drop")" ] || bad "$drop is listed in the squashed scope"
src=$(jq -r '.components[] | select(.name == "drydock-test-added") | .purl' "$tmp/rw.json")
[ "$src" = "pkg:deb/debian/drydock-test-added@1.0-1?arch=all&distro=debian-12&upstream=drydock-test-src" ] ||
    bad "purl of the added package: $src"

sbom_twice "$tmp/rw-all.json" cyclonedx --scope all-layers "$archive"
sbom_twice "$tmp/rw-all.spdx.json" spdx-json --scope all-layers "$archive"
[ "$(layer_of "$tmp/rw-all.json" "$drop")" = "0 true" ] ||
    bad "all-layers: $drop is '$(layer_of "$tmp/rw-all.json" "$drop")', expected '0 true' (removed, from layer 0)"
deb_tuples "$tmp/rw-all.json" >"$tmp/rw-all.got"
diff -q "$tmp/rw.expected" "$tmp/rw-all.got" >/dev/null ||
    bad "all-layers: the present packages differ from the squashed ones"
removed=$(jq '[.components[] | select(any(.properties[]?; .name == "drydock:package:removed"))] | length' "$tmp/rw-all.json")
[ "$removed" = 1 ] || bad "all-layers: $removed removed packages, expected 1"
[ $fail = 0 ] && ok "all-layers lists $drop as removed in layer 0, the rest as in the squashed view"
exit $fail
