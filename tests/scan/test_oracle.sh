#!/usr/bin/env bash
# The scan tests' input and oracle, checked before any drydock output is compared with them.
#
#   bash tests/scan/test_oracle.sh IMAGES_CACHE VULNDATA
#
# 1. oracle.py's evaluation rules on made-up records (--self-test);
# 2. the bullseye-vuln image (tests/images/bullseye.sh) is what the scan tests assume: two
#    layers, the lower one's dpkg status with the current bullseye versions, the upper one's
#    with the relabelled ones, written by dpkg with the package files beside it, and the
#    Python distributions in the upper one only;
# 3. the oracle on the squashed root holds every fact of expected-pins.txt, and on the
#    debootstrap root (current versions only) finds nothing.
set -euo pipefail
cache=$(realpath "${1:?usage: test_oracle.sh IMAGES_CACHE VULNDATA}")
vulndata=$(realpath "${2:?usage: test_oracle.sh IMAGES_CACHE VULNDATA}")
here=$(cd "$(dirname "$0")" && pwd)
w=$cache/bullseye
py=/usr/bin/python3

die() { printf 'test_oracle.sh: error: %s\n' "$*" >&2; exit 1; }
pass=0 fail=0
ok() { pass=$((pass + 1)); printf 'ok: %s\n' "$*"; }
bad() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*" >&2; }

"$py" -c 'import apt_pkg' 2>/dev/null || die "$py cannot import apt_pkg: install python3-apt"
"$py" -c 'import packaging.version' 2>/dev/null ||
    die "$py cannot import packaging.version: install python3-packaging"
command -v dpkg-query >/dev/null || die "dpkg-query is not installed"
for f in bullseye-vuln.docker.tar bullseye-vuln.rootfs/var/lib/dpkg/status \
    rootfs/var/lib/dpkg/status relabelled.tsv; do
    [ -e "$w/$f" ] || die "no $w/$f: run tests/images/bullseye.sh $cache first"
done
mkdir -p "${DD_TEST_TMP:-${TMPDIR:-/tmp}}"
tmp=$(mktemp -d "${DD_TEST_TMP:-${TMPDIR:-/tmp}}/scan-oracle.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- 1 ------------------------------------------------------------------------------------
if "$py" "$here/oracle.py" --self-test 2>"$tmp/self-test"; then
    ok "$(cat "$tmp/self-test")"
else
    bad "oracle self-test:"; cat "$tmp/self-test" >&2
fi

# --- 2 ------------------------------------------------------------------------------------
if "$py" - "$w/bullseye-vuln.docker.tar" "$w/relabelled.tsv" >"$tmp/layers" 2>&1 <<'EOF'; then
import io, json, subprocess, sys, tarfile, tempfile
archive, table = sys.argv[1], sys.argv[2]
relabelled = [l.rstrip("\n").split("\t") for l in open(table)]
def versions(status_bytes):
    with tempfile.TemporaryDirectory() as d:
        open(d + "/status", "wb").write(status_bytes)
        out = subprocess.run(["dpkg-query", "--admindir=" + d, "-W",
                              "-f=${Package}\t${Version}\t${db:Status-Abbrev}\n"],
                             check=True, capture_output=True, text=True).stdout
    return {l.split("\t")[0]: l.split("\t")[1:] for l in out.splitlines()}
with tarfile.open(archive) as t:
    manifest = json.load(t.extractfile("manifest.json"))
    layers = manifest[0]["Layers"]
    assert len(layers) == 2, "%d layers, expected 2" % len(layers)
    status = []
    names = []
    for layer in layers:
        with tarfile.open(fileobj=t.extractfile(layer)) as lt:
            ns = {m.name.lstrip("./"): m for m in lt.getmembers()}
            names.append(ns)
            status.append(versions(lt.extractfile(ns["var/lib/dpkg/status"]).read()))
for pkg, arch, cur, ver, src, srcver, why in relabelled:
    assert status[0][pkg][0] == cur, "layer 0: %s %s, expected %s" % (pkg, status[0][pkg], cur)
    assert status[1][pkg][0] == ver, "layer 1: %s %s, expected %s" % (pkg, status[1][pkg], ver)
# the relabelled packages' files were unpacked again: they are in the upper layer
for path in ("usr/lib/x86_64-linux-gnu/libssl.so.1.1", "usr/bin/openssl", "usr/bin/gzip",
             "usr/lib/chromium/chrome-sandbox", "var/lib/dpkg/info/libssl1.1:amd64.list"):
    assert path in names[1], "%s is not in the upper layer" % path
# the Python distributions are in the upper layer only
site = "opt/app/lib/python3.9/site-packages/"
for path in ("py-1.10.0.egg-info/PKG-INFO", "py/__init__.py",
             "urllib3-1.26.5.dist-info/METADATA", "urllib3-1.26.5.dist-info/RECORD",
             "urllib3/__init__.py"):
    assert site + path in names[1], "%s is not in the upper layer" % (site + path)
    assert site + path not in names[0], "%s is in the lower layer" % (site + path)
print("%d relabelled packages: current versions in layer 0, relabelled in layer 1 "
      "(%d entries)" % (len(relabelled), len(names[1])))
EOF
    ok "$(tail -1 "$tmp/layers")"
else
    bad "image layers:"; cat "$tmp/layers" >&2
fi

# --- 3 ------------------------------------------------------------------------------------
if "$py" "$here/oracle.py" --root "$w/bullseye-vuln.rootfs" --vulndata "$vulndata" \
    -o "$tmp/expected.json" 2>"$tmp/oracle.err"; then
    ok "$(cat "$tmp/oracle.err")"
    if "$py" "$here/findings.py" pins "$here/expected-pins.txt" "$tmp/expected.json" \
        >"$tmp/pins" 2>&1; then
        ok "$(tail -1 "$tmp/pins")"
    else
        bad "pins against the oracle:"; cat "$tmp/pins" >&2
    fi
else
    bad "oracle.py on bullseye-vuln.rootfs:"; cat "$tmp/oracle.err" >&2
fi
if "$py" "$here/oracle.py" --root "$w/rootfs" --vulndata "$vulndata" -o "$tmp/base.json" \
    2>"$tmp/base.err"; then
    n=$("$py" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' \
        "$tmp/base.json")
    if [ "$n" = 0 ]; then ok "debootstrap root (current versions): no findings"
    else bad "debootstrap root (current versions): $n findings, expected none"; fi
else
    bad "oracle.py on rootfs:"; cat "$tmp/base.err" >&2
fi

echo "test_oracle: $pass passed, $fail failed"
[ "$fail" = 0 ]
