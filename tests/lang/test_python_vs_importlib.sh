#!/usr/bin/env bash
# drydock's Python distributions against importlib.metadata, and ownership by dpkg.
#
#   bash tests/lang/test_python_vs_importlib.sh DRYDOCK IMAGES_CACHE
#
# On the root filesystem tests/images/lang.sh builds: every distribution that
# importlib.metadata.distributions() (Debian's /usr/bin/python3) finds in
# usr/lib/python3/dist-packages (Debian's python3-* packages, egg-info and dist-info forms) and
# in opt/app/venv/lib/python3.11/site-packages (copies of them outside dpkg's ownership, and a
# single-file egg-info) is either a pkg:pypi component with the same name, version and path, or,
# owned by a deb, that deb's pkg:pypi evidence. Exactly one component for requests is a deb,
# exactly one is PyPI (the copy). RECORD gives a dist-info's files as importlib counts them.
# --pkg-types selects: library has no debs and still no owned distributions; os has no pypi.
set -euo pipefail
drydock=$(realpath "${1:?usage: test_python_vs_importlib.sh DRYDOCK IMAGES_CACHE}")
cache=$(realpath "${2:?usage: test_python_vs_importlib.sh DRYDOCK IMAGES_CACHE}")
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
dist=usr/lib/python3/dist-packages
venv=opt/app/venv/lib/python3.11/site-packages

sbom "$tmp/dir.json" cyclonedx "dir:$root"
[ "$sbom_status" = 0 ] || bad "sbom dir:$root exited $sbom_status: $(head -3 "$tmp/dir.json.err")"
if "$py" "$here/compare.py" python "$tmp/dir.json" "$root" "$dist" "$venv" >"$tmp/py.cmp"; then
    ok "$(tail -1 "$tmp/py.cmp")"
else
    bad "Python distributions differ from importlib.metadata:"
    head -20 "$tmp/py.cmp" >&2
fi

# no duplicates: one deb for requests (with its PyPI identity), one PyPI component (the copy)
q='[.components[] | select((.name | ascii_downcase | test("requests")) or
    any(.properties[]?; .name == "drydock:package:language_purl" and (.value | test("/requests@"))))
    | "\(.purl) \(.evidence.occurrences[0].location // "-")"] | sort | .[]'
jq -r "$q" "$tmp/dir.json" >"$tmp/requests"
exp="pkg:deb/debian/python3-requests@2.28.1%2Bdfsg-1?arch=all&distro=debian-12&upstream=requests -
pkg:pypi/requests@2.28.1 $venv/requests-2.28.1.egg-info"
[ "$(cat "$tmp/requests")" = "$exp" ] || bad "components for requests: $(cat "$tmp/requests")"
lp=$(jq -r '.components[] | select(.name == "python3-requests") | .evidence.identity[0].concludedValue' "$tmp/dir.json")
[ "$lp" = "pkg:pypi/requests@2.28.1" ] || bad "python3-requests identity evidence: $lp"
[ "$(lang_tuples "$tmp/dir.json" "$dist/" | wc -l)" = 0 ] ||
    bad "pypi components under $dist, which dpkg owns"

# RECORD: the files of the dist-info copies, as importlib counts them
"$py" - "$root/$venv" "$tmp/dir.json" "$venv" >"$tmp/files" <<'PY' || bad "RECORD file counts: $(cat "$tmp/files")"
import json, os, sys
from importlib.metadata import distributions
site, sbom, rel = sys.argv[1:4]
got = {}
for c in json.load(open(sbom))["components"]:
    loc = (c.get("evidence", {}).get("occurrences") or [{}])[0].get("location", "")
    for p in c.get("properties", []):
        if p["name"] == "drydock:package:files":
            got[loc] = int(p["value"])
bad = 0
for d in distributions(path=[site]):
    path = os.path.join(rel, os.path.basename(str(d._path)))
    if path.endswith(".dist-info"):
        want = len(d.files or [])
        if got.get(path) != want:
            print(path, "importlib", want, "drydock", got.get(path)); bad = 1
sys.exit(bad)
PY

# --pkg-types
sbom "$tmp/lib.json" cyclonedx --pkg-types library "dir:$root"
[ "$(jq '[.components[] | select(.purl // "" | startswith("pkg:deb/"))] | length' "$tmp/lib.json")" = 0 ] ||
    bad "--pkg-types library lists debs"
[ "$(lang_tuples "$tmp/lib.json")" = "$(lang_tuples "$tmp/dir.json")" ] ||
    bad "--pkg-types library: the language components differ from the default run's"
sbom "$tmp/os.json" cyclonedx --pkg-types os "dir:$root"
[ "$(lang_tuples "$tmp/os.json" | wc -l)" = 0 ] || bad "--pkg-types os lists language packages"
a=$(jq '[.components[] | select(.purl // "" | startswith("pkg:deb/"))] | length' "$tmp/os.json")
b=$(jq '[.components[] | select(.purl // "" | startswith("pkg:deb/"))] | length' "$tmp/dir.json")
[ "$a" = "$b" ] || bad "--pkg-types os: $a debs, default run $b"
sbom "$tmp/pypi.json" cyclonedx --pkg-types pypi "dir:$root"
[ "$(lang_tuples "$tmp/pypi.json")" = "$(lang_tuples "$tmp/dir.json" | grep '^pkg:pypi/')" ] ||
    bad "--pkg-types pypi differs from the default run's pypi components"
[ $fail = 0 ] && ok "one deb and one PyPI component for requests; --pkg-types library, os, pypi select"
exit $fail
