#!/usr/bin/env bash
# Malformed language files: a warning naming the file, everything else still cataloged.
#
#   bash tests/lang/test_bad_input.sh DRYDOCK IMAGES_CACHE
#
# tests/images/lang.sh puts in its root: a package.json cut inside an object
# (srv/broken/node_modules/bad) beside a good one, a package-lock.json cut after 700 bytes
# (srv/broken-lock), a METADATA whose second line is no header
# (opt/broken/site-packages/broken-1.0.dist-info) beside a good one. Language files are no
# package database: the run exits 0, prints exactly these three warnings (file and line), and
# the good neighbours and every deb are listed.
set -euo pipefail
drydock=$(realpath "${1:?usage: test_bad_input.sh DRYDOCK IMAGES_CACHE}")
cache=$(realpath "${2:?usage: test_bad_input.sh DRYDOCK IMAGES_CACHE}")
. "$(dirname "$0")/lib.sh"

sbom "$tmp/dir.json" cyclonedx "dir:$root"
[ "$sbom_status" = 0 ] || bad "exit status $sbom_status, expected 0"
grep -v '^drydock: warning: ' "$tmp/dir.json.err" | grep . && bad "stderr has more than warnings"
warnings=$(grep -c 'warning: ' "$tmp/dir.json.err" || true)
[ "$warnings" = 3 ] || bad "$warnings warnings, expected 3: $(cat "$tmp/dir.json.err")"
for w in "srv/broken/node_modules/bad/package.json:3:" "srv/broken-lock/package-lock.json:" \
    "opt/broken/site-packages/broken-1.0.dist-info/METADATA:2: "; do
    grep -qF "warning: $w" "$tmp/dir.json.err" || bad "no warning naming $w"
done
t=$(lang_tuples "$tmp/dir.json")
grep -q "^pkg:npm/good@1.2.3 srv/broken/node_modules/good " <<<"$t" || bad "good@1.2.3 is missing"
grep -q "^pkg:pypi/fine@2.0 opt/broken/site-packages/fine-2.0.dist-info " <<<"$t" || bad "fine 2.0 is missing"
grep -q " srv/broken-lock/" <<<"$t" && bad "packages from the cut lockfile are listed"
a=$(jq '[.components[] | select(.purl // "" | startswith("pkg:deb/"))] | length' "$tmp/dir.json")
b=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${db:Status-Status}\n' | grep -c '^installed$')
[ "$a" = "$b" ] || bad "$a debs listed, dpkg-query says $b installed"
[ $fail = 0 ] && ok "three warnings naming the files; the good neighbours and $a debs listed"
exit $fail
