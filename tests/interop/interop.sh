#!/usr/bin/env bash
# SBOMs written by other tools, against drydock's own view of the same image: for each test
# image, Trivy's core and cdxgen run on its exported root filesystem, and
#  - packages: the set of packages (type, name, version, arch, source name, source version) that
#    dd_sbom_read makes of each SBOM must equal drydock's catalog of the image, except for the
#    differences listed in differences.tsv (each explained in docs/scan-sbom.md), no more and no
#    fewer; drydock's own CycloneDX and SPDX documents of the image must read back to it exactly;
#  - findings: `drydock scan-sbom` on each of those SBOMs must give the findings `drydock image`
#    gives on the image, except for those that the listed package differences account for
#    (compare_findings.py derives them from differences.tsv alone).
#
#   bash tests/interop/interop.sh SBOM_TSV IMAGES_CACHE DRYDOCK VULNDATA
#
# SBOM_TSV is the driver built from sbom_tsv.c; IMAGES_CACHE the directory tests/images/build.sh
# fills (the Debian 12 images "debian" and "derived") with tests/images/bullseye.sh's
# "bullseye-vuln" (Debian 11) in its bullseye/; DRYDOCK the drydock program; VULNDATA the OSV
# files (../shared/vulndata) imported into a database of the test's own. The tools come from
# fetch-tools.sh (cached; exit 77 = skip when the npm registry cannot be reached). Ends with
# "interop: N passed, M failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage="usage: interop.sh SBOM_TSV IMAGES_CACHE DRYDOCK VULNDATA"
tsv=${1:?$usage}
images=${2:?$usage}
drydock=${3:?$usage}
vulndata=${4:?$usage}
py=/usr/bin/python3
log() { printf 'interop: %s\n' "$*" >&2; }

rc=0
tools=$(bash "$here/fetch-tools.sh") || rc=$?
[ "$rc" = 0 ] || exit "$rc"
trivy=$(sed -n 's/^trivy=//p' <<<"$tools")
cdxgen=$(sed -n 's/^cdxgen=//p' <<<"$tools")
CDXGEN_PLUGINS_DIR=$(sed -n 's/^cdxgen_plugins=//p' <<<"$tools")
export CDXGEN_PLUGINS_DIR
[ -x "$py" ] || { log "$py is missing"; exit 1; }

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

db=$tmp/vuln.db
if ! "$drydock" db import --db "$db" "$vulndata" >"$tmp/import.out" 2>&1; then
    cat "$tmp/import.out"
    fail "drydock db import $vulndata"
    printf 'interop: %d passed, %d failed\n' "$passed" "$failed"
    exit 1
fi

# name|image drydock reads|exported root filesystem the tools read|findings drydock image must
# give (a number, or "some"): the data has no Debian 12 records, so none on Debian 12
b=$images/bullseye
set_list=(
    "debian|$images/debian.docker.tar|$images/debian.export.tar|0"
    "derived|$images/derived.docker.tar|$images/derived.export.tar|0"
    "bullseye-vuln|$b/bullseye-vuln.docker.tar|$b/bullseye-vuln.export.tar|some"
)

# packages FILE: the package lines of an sbom_tsv output, sorted
packages() { grep -v '^#' "$1" | LC_ALL=C sort || true; }
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
        pass "$tool $name: $n_got packages, $same of drydock's $n_own identical," \
            "the rest as documented"
    else
        fail "$tool $name: packages differ from drydock's other than documented"
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

# findings TOOL IMAGE OWN_TSV IMAGE_REPORT SBOM: drydock scan-sbom of SBOM against the image's
# findings, the difference derived from differences.tsv
findings() {
    local tool=$1 name=$2 own=$3 report=$4 doc=$5 out
    out=$tmp/$name.$tool.scan.json
    if ! "$drydock" scan-sbom -f json --db "$db" "$doc" >"$out" 2>"$out.err"; then
        fail "$tool $name: drydock scan-sbom exited non-zero: $(head -3 "$out.err")"
        return
    fi
    if "$py" "$here/compare_findings.py" "$tool" "$name" "$here/differences.tsv" "$own" \
        "$vulndata" "$report" "$out" >"$out.cmp" 2>&1; then
        pass "$tool $name: scan-sbom: $(tail -1 "$out.cmp")"
        sed '$d' "$out.cmp"
    else
        fail "$tool $name: scan-sbom findings differ from the image's other than documented:"
        cat "$out.cmp"
    fi
}

for entry in "${set_list[@]}"; do
    IFS='|' read -r name image export want_findings <<<"$entry"
    if [ ! -f "$image" ] || [ ! -f "$export" ]; then
        fail "$name: $image or $export missing (tests/images/build.sh and bullseye.sh build them)"
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
        pass "drydock $name: the exported root has the image's $(packages "$own" | wc -l) packages"
    else
        fail "drydock $name: the exported root and the image differ"
    fi

    # the findings of the image itself, which every SBOM's are compared with
    report=$tmp/$name.image.json
    if ! "$drydock" image -f json --db "$db" "$image" >"$report" 2>"$report.err"; then
        fail "drydock $name: drydock image exited non-zero: $(head -3 "$report.err")"
        continue
    fi
    n=$(jq '.findings | length' "$report")
    if [ "$want_findings" = some ] && [ "$n" -gt 0 ] || [ "$n" = "$want_findings" ]; then
        pass "drydock $name: drydock image: $n findings"
    else
        fail "drydock $name: drydock image: $n findings, expected $want_findings"
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
            pass "drydock $name: its $fmt SBOM reads back to the same packages"
        else
            fail "drydock $name: its $fmt SBOM reads back differently"
            diff <(packages "$own") <(packages "$tmp/$name.back.$fmt.tsv") | head -20 | sed 's/^/    /'
        fi
        findings "drydock-$fmt" "$name" "$own" "$report" "$doc"
    done

    # Trivy's core on the root filesystem
    doc=$tmp/$name.trivy.json
    if "$trivy" rootfs --format cyclonedx --output "$doc" "$root" 2>"$tmp/trivy.err"; then
        if read_sbom "$doc" "$tmp/$name.trivy.tsv"; then
            compare trivy "$name" "$own" "$tmp/$name.trivy.tsv"
            findings trivy "$name" "$own" "$report" "$doc"
        fi
    else
        fail "trivy $name: $(tail -3 "$tmp/trivy.err")"
    fi

    # cdxgen on the root filesystem ("rootfs" project type: an unpacked container image)
    doc=$tmp/$name.cdxgen.json
    if node "$cdxgen" -t rootfs --no-install-deps -o "$doc" "$root" >"$tmp/cdxgen.out" 2>&1 &&
        [ -s "$doc" ]; then
        if read_sbom "$doc" "$tmp/$name.cdxgen.tsv"; then
            compare cdxgen "$name" "$own" "$tmp/$name.cdxgen.tsv"
            findings cdxgen "$name" "$own" "$report" "$doc"
        fi
    else
        fail "cdxgen $name: $(tail -3 "$tmp/cdxgen.out")"
    fi
    rm -rf "$root"
done

printf 'interop: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
