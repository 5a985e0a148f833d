#!/usr/bin/env bash
# No noise: the clean Debian and Alpine images give no HIGH or CRITICAL finding, and only the
# lower ones docs/imgcheck.md lists and justifies.
#   bash test_noise.sh IMGCHECK_DRIVER IMAGES_CACHE
set -euo pipefail
driver=${1:?usage: test_noise.sh DRIVER CACHE}
cache=${2:?usage: test_noise.sh DRIVER CACHE}
fail=0
check() { # IMAGE ALLOWED_RULES...
    local tar=$1; shift
    "$driver" findings "$tar" >"$cache/imgcheck/noise.jsonl" || { echo "FAIL driver on $tar" >&2; fail=1; return; }
    python3 - "$cache/imgcheck/noise.jsonl" "$tar" "$@" <<'PY' || fail=1
import collections, json, sys
path, tar, allowed = sys.argv[1], sys.argv[2], set(sys.argv[3:])
found = [json.loads(l) for l in open(path)]
bad = [f for f in found if f["severity"] in ("HIGH", "CRITICAL") or f["rule_id"] not in allowed]
for f in bad:
    print("FAIL %s: %s %s %s %s" % (tar, f["rule_id"], f["severity"], f["path"] or f["location"], f["message"]), file=sys.stderr)
c = collections.Counter((f["rule_id"], f["severity"]) for f in found)
print("%s: %s" % (tar.split("/")[-1], ", ".join("%s %s x%d" % (r, s, n) for (r, s), n in sorted(c.items()))))
sys.exit(1 if bad else 0)
PY
}
# Debian (debootstrap minbase): no USER, no HEALTHCHECK, 11 setuid/setgid programs of
# login/passwd/mount/util-linux, the apt lists and .debs debootstrap leaves, a shell and apt
check "$cache/debian.docker.tar" DD-IMG-002 DD-IMG-003 DD-IMG-004 DD-HYG-002 DD-HYG-004
# Alpine: no USER, no HEALTHCHECK, busybox's shell and apk
check "$cache/imgcheck/alpine.docker.tar" DD-IMG-002 DD-IMG-003 DD-HYG-004
[ "$fail" = 0 ] && echo "noise: none" || exit 1
