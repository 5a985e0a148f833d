#!/usr/bin/env bash
# No noise: Debian's /usr/share (documentation full of example keys) and /etc of this machine
# give no finding of severity HIGH or CRITICAL. Lower ones are printed (docs/secrets.md lists
# and explains those of a Debian 12 build machine).
# usage: no_noise.sh DRIVER
set -uo pipefail
mkdir -p "${DD_TEST_TMP:-/tmp}"
driver=$1
out=$(mktemp "${DD_TEST_TMP:-/tmp}/secrets-noise.XXXXXX")
trap 'rm -f "$out"' EXIT
"$driver" --fail-on HIGH /usr/share /etc > "$out"
rc=$?
if [ "$rc" -eq 2 ]; then
    echo "FAIL: the driver stopped on an error"
    exit 1
fi
awk -F'\t' '$1 == "HIGH" || $1 == "CRITICAL"' "$out" > "$out.high"
if [ "$rc" -ne 0 ] || [ -s "$out.high" ]; then
    echo "FAIL: HIGH or CRITICAL findings in /usr/share or /etc:"
    cut -f1-4 "$out.high"
    rm -f "$out.high"
    exit 1
fi
rm -f "$out.high"
echo "ok: no HIGH or CRITICAL finding; lower ones: $(wc -l < "$out")"
cut -f1-4 "$out"
