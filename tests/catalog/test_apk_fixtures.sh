#!/usr/bin/env bash
# drydock's Alpine packages against the real apk databases in ../shared/fixtures/alpine.
#
#   bash tests/catalog/test_apk_fixtures.sh DRYDOCK [FIXTURES_DIR]
#
# Each fixture becomes a root filesystem directory read with `dir:`; every package and every
# field that matters (name, version, arch, origin, license, maintainer, installed size, commit,
# description, the number of files it owns, the purl) must match an independent reading of
# the database here, in Python. Every SBOM validates and is byte-identical twice.
set -euo pipefail
drydock=$(realpath "${1:?usage: test_apk_fixtures.sh DRYDOCK [FIXTURES_DIR]}")
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${2:-$(cd "$here/../../.." && pwd)/shared/fixtures/alpine}
. "$here/lib.sh"
[ -d "$fixtures" ] || die "no Alpine fixtures at $fixtures"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for dir in "$fixtures"/*/; do
    version=$(basename "$dir")
    root=$tmp/root-$version
    mkdir -p "$root"
    cp -a "$dir/." "$root/"
    sbom_twice "$tmp/$version.cdx.json" cyclonedx "dir:$root"
    [ "$sbom_status" = 0 ] || bad "$version: drydock sbom exited $sbom_status"
    sbom_twice "$tmp/$version.spdx.json" spdx-json "dir:$root"
    python3 - "$root/lib/apk/db/installed" "$tmp/$version.cdx.json" "$root/etc/alpine-release" <<'EOF' || fail=1
import json, sys, urllib.parse
db, sbom, release = sys.argv[1:4]
rel = open(release).read().strip()
want = {}
for para in open(db, encoding="utf-8").read().split("\n\n"):
    if not para.strip():
        continue
    f, files = {}, 0
    for line in para.split("\n"):
        if len(line) > 1 and line[1] == ":":
            k, v = line[0], line[2:]
            if k == "R":
                files += 1
            elif k not in f:
                f[k] = v
    q = lambda s: urllib.parse.quote(s, safe=":")
    want[f["P"]] = {
        "version": f["V"], "arch": f["A"], "source": f.get("o", f["P"]),
        "license": f.get("L"), "publisher": f.get("m"), "size": f.get("I"),
        "commit": f.get("c"), "description": f.get("T"), "files": str(files),
        "purl": "pkg:apk/alpine/%s@%s?arch=%s&distro=alpine-%s" % (q(f["P"]), q(f["V"]), q(f["A"]), rel),
    }
doc = json.load(open(sbom))
got = {}
os_comp = None
for c in doc["components"]:
    if c["type"] == "operating-system":
        os_comp = c
        continue
    p = {x["name"]: x["value"] for x in c.get("properties", [])}
    lic = c.get("licenses", [{}])[0]
    lic = lic.get("expression") or lic.get("license", {}).get("id") or lic.get("license", {}).get("name")
    got[c["name"]] = {
        "version": c.get("version"), "arch": p.get("drydock:package:arch"),
        "source": p.get("drydock:package:source"), "license": lic,
        "publisher": c.get("publisher"), "size": p.get("drydock:package:installed_size"),
        "commit": p.get("drydock:package:commit"), "description": c.get("description"),
        "files": p.get("drydock:package:files"), "purl": c.get("purl"),
    }
bad = 0
if set(want) != set(got):
    print("package sets differ: only in db %s, only in sbom %s" % (sorted(set(want) - set(got)), sorted(set(got) - set(want))))
    bad = 1
for name in sorted(set(want) & set(got)):
    for k, v in want[name].items():
        if got[name][k] != v:
            print("%s: %s is %r, the database says %r" % (name, k, got[name][k], v))
            bad = 1
if not os_comp or os_comp["name"] != "alpine" or os_comp.get("version") != rel:
    print("operating-system component: %r" % os_comp)
    bad = 1
print("%s: %d packages, every field %s" % (db, len(want), "WRONG" if bad else "equal"))
sys.exit(bad)
EOF
    # the fallback: with etc/os-release gone, etc/alpine-release still names the distro
    rm "$root/etc/os-release"
    SOURCE_DATE_EPOCH=1 "$drydock" sbom "dir:$root" >"$tmp/$version.fallback.json"
    purl=$(jq -r '[.components[] | select(.type == "library")][0].purl' "$tmp/$version.fallback.json")
    case $purl in
    *"distro=alpine-$(cat "$dir/etc/alpine-release")") ok "$version: etc/alpine-release fallback ($purl)" ;;
    *) bad "$version: without os-release the purl is $purl" ;;
    esac
done
# a damaged database: a warning naming file and line, the packages before it, exit 2
root=$tmp/damaged
mkdir -p "$root/lib/apk/db" "$root/etc"
cp "$fixtures/3.20.3/etc/os-release" "$root/etc/"
head -c 3000 "$fixtures/3.20.3/lib/apk/db/installed" >"$root/lib/apk/db/installed"
status=0
"$drydock" sbom "dir:$root" >"$tmp/damaged.json" 2>"$tmp/damaged.err" || status=$?
[ $status = 2 ] || bad "truncated db: exit $status, expected 2"
grep -q 'lib/apk/db/installed:[0-9]*: truncated' "$tmp/damaged.err" || bad "truncated db: stderr $(cat "$tmp/damaged.err")"
n=$(jq '[.components[] | select(.type == "library")] | length' "$tmp/damaged.json")
[ "$n" -ge 1 ] || bad "truncated db: $n packages listed"
"$drydock" sbom --best-effort "dir:$root" >/dev/null 2>&1 || bad "truncated db: --best-effort exits non-zero"
[ $fail = 0 ] && ok "truncated db: warning with file and line, $n packages, exit 2 (0 with --best-effort)"
exit $fail
