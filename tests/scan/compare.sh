#!/usr/bin/env bash
# `drydock image` on the bullseye-vuln image, in every form, against oracle.py.
#
#   bash tests/scan/compare.sh DRYDOCK IMAGES_CACHE VULNDATA
#
# Imports VULNDATA with `drydock db import`, scans the docker-archive, the oci-archive, the
# OCI layout and the squashed root (dir:) of tests/images/bullseye.sh's image with
# `drydock image -f json`, and requires of each report: exit 0, the findings set (package,
# arch, id, installed, fixed, records, aliases) equal to oracle.py's on the squashed root,
# package.version / source_name / source_version, matched_name and ecosystem as dpkg has
# them, package.layer the layer that wrote the package's version (1; 0 for dir:), and every
# fact of expected-pins.txt. The debootstrap root alone (current versions)
# must give no findings. Exits 77 (skipped) while drydock has no `image` or `db` command.
set -euo pipefail
drydock=$(realpath "${1:?usage: compare.sh DRYDOCK IMAGES_CACHE VULNDATA}")
cache=$(realpath "${2:?usage: compare.sh DRYDOCK IMAGES_CACHE VULNDATA}")
vulndata=$(realpath "${3:?usage: compare.sh DRYDOCK IMAGES_CACHE VULNDATA}")
here=$(cd "$(dirname "$0")" && pwd)
w=$cache/bullseye
py=/usr/bin/python3

die() { printf 'compare.sh: error: %s\n' "$*" >&2; exit 1; }
pass=0 fail=0
ok() { pass=$((pass + 1)); printf 'ok: %s\n' "$*"; }
bad() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*" >&2; }

for cmd in image db; do
    if ! "$drydock" help "$cmd" >/dev/null 2>&1; then
        echo "compare.sh: drydock has no '$cmd' command yet: skipped"
        exit 77
    fi
done
"$py" -c 'import apt_pkg' 2>/dev/null || die "$py cannot import apt_pkg: install python3-apt"
"$py" -c 'import packaging.version' 2>/dev/null ||
    die "$py cannot import packaging.version: install python3-packaging"
[ -f "$w/bullseye-vuln.rootfs/var/lib/dpkg/status" ] ||
    die "no $w/bullseye-vuln.rootfs: run tests/images/bullseye.sh $cache first"
mkdir -p "${DD_TEST_TMP:-${TMPDIR:-/tmp}}"
tmp=$(mktemp -d "${DD_TEST_TMP:-${TMPDIR:-/tmp}}/scan-compare.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if ! "$drydock" db import --db "$tmp/vuln.db" "$vulndata" >"$tmp/import.out" 2>&1; then
    cat "$tmp/import.out" >&2
    die "drydock db import --db $tmp/vuln.db $vulndata failed"
fi
ok "drydock db import $vulndata"

oracle() { # ROOT OUT
    "$py" "$here/oracle.py" --root "$1" --vulndata "$vulndata" -o "$2" 2>"$2.err" ||
        { cat "$2.err" >&2; die "oracle.py --root $1 failed"; }
    printf 'oracle: %s\n' "$(cat "$2.err")"
}
oracle "$w/bullseye-vuln.rootfs" "$tmp/expected.json"
oracle "$w/rootfs" "$tmp/expected-base.json"
"$py" "$here/findings.py" pins "$here/expected-pins.txt" "$tmp/expected.json" >/dev/null ||
    die "the oracle does not hold expected-pins.txt (see test_oracle.sh)"

n=0
# IMAGE|expected findings|layer of every finding's package: only the relabelled packages have
# findings, and layer 1 (index from 0) holds the dpkg database that gave them their version;
# a dir: root is one layer.
for entry in "docker-archive:$w/bullseye-vuln.docker.tar|expected|1" \
    "oci-archive:$w/bullseye-vuln.oci.tar|expected|1" \
    "oci-dir:$w/bullseye-vuln.oci|expected|1" \
    "dir:$w/bullseye-vuln.rootfs|expected|0" \
    "dir:$w/rootfs|expected-base|0"; do
    IFS='|' read -r image exp_name layer <<<"$entry"
    exp=$tmp/$exp_name.json
    n=$((n + 1))
    out=$tmp/report-$n.json
    set +e
    "$drydock" image -f json --db "$tmp/vuln.db" "$image" >"$out" 2>"$out.err"
    status=$?
    set -e
    if [ "$status" != 0 ]; then
        bad "drydock image $image exited $status: $(head -5 "$out.err")"
        continue
    fi
    if "$py" "$here/findings.py" compare "$exp" "$out" --layer="$layer" >"$out.cmp" 2>&1; then
        ok "$image: $(tail -1 "$out.cmp")"
    else
        bad "$image differs from the oracle:"; cat "$out.cmp" >&2
    fi
    if [ "$exp_name" = expected ]; then
        if "$py" "$here/findings.py" pins "$here/expected-pins.txt" "$out" >"$out.pins" 2>&1; then
            ok "$image: $(tail -1 "$out.pins")"
        else
            bad "$image: pins:"; cat "$out.pins" >&2
        fi
    fi
done

echo "compare: $pass passed, $fail failed"
[ "$fail" = 0 ]
