#!/usr/bin/env bash
# SBOMs written by other tools, read with dd_sbom_read, against drydock's own catalog of the
# same image: for each test image, Trivy's core and cdxgen run on its exported root filesystem,
# and the set of OS packages (type, name, version, arch, source name, source version) of each
# SBOM must equal drydock's catalog of the image, except for the differences listed in
# differences.tsv (each explained in docs/scan-sbom.md), no more and no fewer. drydock's own
# CycloneDX and SPDX documents of the image must read back to the catalog exactly.
#
#   bash tests/interop/interop.sh SBOM_TSV IMAGES_CACHE
#
# SBOM_TSV is the driver built from sbom_tsv.c; IMAGES_CACHE the directory tests/images/build.sh
# fills (the Debian 12 images "debian" and "derived"; "bullseye-vuln" of tests/images/bullseye.sh
# is added when it has been built). The tools come from fetch-tools.sh (cached; exit 77 = skip
# when the npm registry cannot be reached). Ends with "interop: N passed, M failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tsv=${1:?usage: interop.sh SBOM_TSV IMAGES_CACHE}
images=${2:?usage: interop.sh SBOM_TSV IMAGES_CACHE}
log() { printf 'interop: %s\n' "$*" >&2; }

rc=0
tools=$(bash "$here/fetch-tools.sh") || rc=$?
[ "$rc" = 0 ] || exit "$rc"
trivy=$(sed -n 's/^trivy=//p' <<<"$tools")
cdxgen=$(sed -n 's/^cdxgen=//p' <<<"$tools")
export CDXGEN_PLUGINS_DIR=$(sed -n 's/^cdxgen_plugins=//p' <<<"$tools")

tmp_base=${DD_TEST_TMP:-${TMPDIR:-/tmp}}
mkdir -p "$tmp_base"
tmp=$(mktemp -d "$tmp_base/interop.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Offline runs: no vulnerability database, no version check, no telemetry, no license lookups.
export TRIVY_SKIP_DB_UPDATE=true TRIVY_SKIP_JAVA_DB_UPDATE=true TRIVY_NO_PROGRESS=true \
    TRIVY_CACHE_DIR=$tmp/trivy-cache TRIVY_SKIP_VERSION_CHECK=true TRIVY_DISABLE_TELEMETRY=true
export FETCH_LICENSE=false CDXGEN_TELEMETRY=false

passed=0
failed=0
pass() { passed=$((passed + 1)); printf 'ok   %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }

# name|image drydock reads|exported root filesystem the tools read
set_list=(
    "debian|$images/debian.docker.tar|$images/debian.export.tar"
    "derived|$images/derived.docker.tar|$images/derived.export.tar"
    "bullseye-vuln|$images/bullseye/bullseye-vuln.docker.tar|$images/bullseye/bullseye-vuln.export.tar"
)

# packages FILE: the OS package lines of an sbom_tsv output, sorted
packages() { grep -v '^#' "$1" | awk -F'\t' '$1 == "deb" || $1 == "apk" || $1 == "rpm"' | LC_ALL=C sort; }
# os FILE: "ID MAJOR" of the "# os" line
os_major() { awk '$1 == "#" && $2 == "os" { split($4, v, "."); print $3, v[1] }' "$1"; }

# compare TOOL IMAGE OWN_TSV TOOL_TSV: the differences must be exactly those of differences.tsv
compare() {
    local tool=$1 name=$2 own=$3 got=$4
    packages "$own" >"$tmp/own.set"
    packages "$got" >"$tmp/got.set"
    {
        LC_ALL=C comm -23 "$tmp/own.set" "$tmp/got.set" | sed "s/^/$tool\t$name\tdrydock\t/"
        LC_ALL=C comm -13 "$tmp/own.set" "$tmp/got.set" | sed "s/^/$tool\t$name\t$tool\t/"
    } | LC_ALL=C sort >"$tmp/seen.diff"
    awk -F'\t' -v t="$tool" -v n="$name" '$1 == t && $2 == n' "$here/differences.tsv" |
        LC_ALL=C sort >"$tmp/want.diff"
    local same n_own n_got n_diff
    n_own=$(wc -l <"$tmp/own.set")
    n_got=$(wc -l <"$tmp/got.set")
    n_diff=$(grep -c $'\tdrydock\t' "$tmp/seen.diff" || true)
    same=$((n_own - n_diff))
    if cmp -s "$tmp/seen.diff" "$tmp/want.diff" && [ "$n_own" -gt 0 ]; then
        pass "$tool $name: $n_got OS packages, $same of drydock's $n_own identical, the rest as documented"
    else
        fail "$tool $name: OS packages differ from drydock's other than documented"
        LC_ALL=C comm -23 "$tmp/seen.diff" "$tmp/want.diff" | sed 's/^/    not documented: /'
        LC_ALL=C comm -13 "$tmp/seen.diff" "$tmp/want.diff" | sed 's/^/    documented, not seen: /'
    fi
    if [ "$(os_major "$own")" = "$(os_major "$got")" ]; then
        pass "$tool $name: distribution $(os_major "$got")"
    else
        fail "$tool $name: distribution '$(os_major "$got")', drydock's is '$(os_major "$own")'"
    fi
    sed -n 's/^# warning /    warning: /p' "$got"
}

# read_sbom FILE OUT: dd_sbom_read of FILE as TSV
read_sbom() {
    if "$tsv" read "$1" >"$2" 2>"$2.err"; then
        return 0
    fi
    fail "dd_sbom_read $(basename "$1"): $(cat "$2.err")"
    return 1
}

for entry in "${set_list[@]}"; do
    IFS='|' read -r name image export <<<"$entry"
    if [ ! -f "$image" ] || [ ! -f "$export" ]; then
        if [ "$name" = bullseye-vuln ]; then
            log "$name: not built (tests/images/bullseye.sh builds it), left out"
            continue
        fi
        fail "$name: $image or $export missing (tests/images/build.sh builds them)"
        continue
    fi
    root=$tmp/$name.root
    mkdir -p "$root"
    # the squashed tree a container sees; device nodes are left out (not needed, and mknod
    # needs privileges)
    tar -x -f "$export" -C "$root" --exclude='dev/*' 2>"$tmp/tar.err" ||
        { fail "$name: unpacking $export: $(tail -1 "$tmp/tar.err")"; continue; }

    own=$tmp/$name.drydock.tsv
    if ! "$tsv" image "$image" >"$own" 2>"$own.err"; then
        fail "$name: drydock's catalog of $image: $(cat "$own.err")"
        continue
    fi
    # the directory the tools read holds what the image holds
    if "$tsv" image "dir:$root" >"$tmp/$name.dir.tsv" 2>&1 &&
        cmp -s <(packages "$own") <(packages "$tmp/$name.dir.tsv"); then
        pass "drydock $name: the exported root has the image's $(packages "$own" | wc -l) OS packages"
    else
        fail "drydock $name: the exported root and the image differ"
    fi

    # drydock's own documents read back
    for fmt in cyclonedx spdx-json; do
        doc=$tmp/$name.drydock.$fmt.json
        if ! "$tsv" write "$fmt" "$image" "$doc" 2>"$tmp/write.err"; then
            fail "drydock $name: writing $fmt: $(cat "$tmp/write.err")"
            continue
        fi
        read_sbom "$doc" "$tmp/$name.back.$fmt.tsv" || continue
        if cmp -s <(packages "$own") <(packages "$tmp/$name.back.$fmt.tsv"); then
            pass "drydock $name: its $fmt SBOM reads back to the same OS packages"
        else
            fail "drydock $name: its $fmt SBOM reads back differently"
            diff <(packages "$own") <(packages "$tmp/$name.back.$fmt.tsv") | head -20 | sed 's/^/    /'
        fi
    done

    # Trivy's core on the root filesystem
    doc=$tmp/$name.trivy.json
    if "$trivy" rootfs --format cyclonedx --output "$doc" "$root" 2>"$tmp/trivy.err"; then
        read_sbom "$doc" "$tmp/$name.trivy.tsv" && compare trivy "$name" "$own" "$tmp/$name.trivy.tsv"
    else
        fail "trivy $name: $(tail -3 "$tmp/trivy.err")"
    fi

    # cdxgen on the root filesystem ("rootfs" project type: an unpacked container image)
    doc=$tmp/$name.cdxgen.json
    if node "$cdxgen" -t rootfs --no-install-deps -o "$doc" "$root" >"$tmp/cdxgen.out" 2>&1 &&
        [ -s "$doc" ]; then
        read_sbom "$doc" "$tmp/$name.cdxgen.tsv" && compare cdxgen "$name" "$own" "$tmp/$name.cdxgen.tsv"
    else
        fail "cdxgen $name: $(tail -3 "$tmp/cdxgen.out")"
    fi
    rm -rf "$root"
done

printf 'interop: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
