#!/usr/bin/env bash
# Hygiene numbers against an independent count: for each test image, the per-layer files,
# bytes, wasted files and wasted bytes, dive's wasted bytes and efficiency must equal what
# hygiene_count.py computes from the layer tars.
#   bash test_hygiene.sh IMGCHECK_DRIVER IMAGES_CACHE
set -euo pipefail
driver=${1:?usage: test_hygiene.sh DRIVER CACHE}
cache=${2:?usage: test_hygiene.sh DRIVER CACHE}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fail=0
for img in imgcheck/leaky imgcheck/alpine derived debian; do
    tar=$cache/$img.docker.tar
    [ -s "$tar" ] || { echo "FAIL $tar is missing" >&2; fail=1; continue; }
    python3 "$here/hygiene_count.py" "$tar" >"$cache/imgcheck/expect.json"
    "$driver" hygiene "$tar" >"$cache/imgcheck/got.json"
    if python3 - "$cache/imgcheck/expect.json" "$cache/imgcheck/got.json" "$img" <<'PY'
import json, sys
want, got, name = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
keys = ("files", "bytes", "wasted_files", "wasted_bytes")
bad = []
if len(want["layers"]) != len(got["layers"]):
    bad.append("layer count %d != %d" % (len(got["layers"]), len(want["layers"])))
for i, (w, g) in enumerate(zip(want["layers"], got["layers"])):
    for k in keys:
        if w[k] != g[k]:
            bad.append("layer %d %s: %d, independent count %d" % (i, k, g[k], w[k]))
if want["dive_wasted_bytes"] != got["dive_wasted_bytes"]:
    bad.append("dive_wasted_bytes %d != %d" % (got["dive_wasted_bytes"], want["dive_wasted_bytes"]))
if abs(want["efficiency"] - got["efficiency"]) > 1e-6:
    bad.append("efficiency %f != %f" % (got["efficiency"], want["efficiency"]))
for b in bad:
    print("FAIL %s: %s" % (name, b), file=sys.stderr)
print("%s: %d layers, wasted %s, dive wasted %d, efficiency %.4f" % (
    name, len(got["layers"]), [l["wasted_bytes"] for l in got["layers"]],
    got["dive_wasted_bytes"], got["efficiency"]))
sys.exit(1 if bad else 0)
PY
    then :; else fail=1; fi
done
[ "$fail" = 0 ] && echo "hygiene: all counts equal" || exit 1
