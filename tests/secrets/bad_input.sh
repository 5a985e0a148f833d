#!/usr/bin/env bash
# Bad input: a huge single-line file, a binary file with text inside, a file of one repeated
# byte and a deeply nested path. Each is scanned in bounded time (the test's timeout) and
# memory (max RSS from /usr/bin/time -v), and the secrets in them are still reported.
# usage: bad_input.sh DRIVER
set -euo pipefail
mkdir -p "${DD_TEST_TMP:-/tmp}"
driver=$1
tmp=$(mktemp -d "${DD_TEST_TMP:-/tmp}/secrets-bad.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tok=$(python3 -c "import secrets,string; a=string.ascii_letters+string.digits; print('ghp_'+''.join(secrets.choice(a) for _ in range(36)))")
size_mb=48
sanitized=$(ldd "$driver" 2>/dev/null | grep -E 'libasan|libubsan' || true)

# one line of 48 MiB of base64-like text, a token in the middle and one at the very end
python3 - "$tmp/oneline" "$tok" "$size_mb" <<'PY'
import sys
path, tok, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
unit = b'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODk+/'
with open(path, 'wb') as f:
    half = (mb << 20) // 2 // len(unit)
    f.write(unit * half)
    f.write(b' ' + tok.encode() + b' ')
    f.write(unit * half)
    f.write(b' ' + tok.encode())
PY
# a binary with text inside: an ELF header, NULs, then a config with a token
{ printf '\177ELF\002\001\001\000'; head -c 1048576 /dev/zero; printf '\nAPI=%s\n' "$tok"; head -c 1048576 /dev/urandom; } > "$tmp/binary"
# 48 MiB of one byte
head -c $((size_mb << 20)) /dev/zero | tr '\0' 'A' > "$tmp/run"
# a path 200 directories deep
deep=$tmp/deep
for i in $(seq 1 200); do deep=$deep/d$i; done
mkdir -p "$deep"
printf 'token=%s\n' "$tok" > "$deep/.env"

run() { # run NAME ARGS...: the driver under /usr/bin/time; prints the findings
    local name=$1
    shift
    /usr/bin/time -v -o "$tmp/time.$name" "$driver" "$@" > "$tmp/out.$name"
    local rss
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time.$name")
    echo "$name: max RSS ${rss} KiB, $(awk -F': ' '/Elapsed/ {print $2}' "$tmp/time.$name") elapsed"
    # the driver holds the file (48 MiB); the scanner's own memory must stay small (a
    # sanitizer build's shadow memory and quarantine are not the scanner's)
    if [ -z "$sanitized" ] && [ "$rss" -gt $(( (size_mb + 64) * 1024 )) ]; then
        echo "FAIL: $name used ${rss} KiB"
        exit 1
    fi
}
count() { grep -c "DD-SECRET-GITHUB-PAT" "$tmp/out.$1" || true; }

# the default cap (32 MiB a file) reaches the middle token, not the last one
run oneline "$tmp/oneline"
[ "$(count oneline)" -eq 1 ] || { echo "FAIL: huge line: $(count oneline) of 1 token"; exit 1; }
run oneline_whole --max-bytes $(( 64 << 20 )) "$tmp/oneline"
[ "$(count oneline_whole)" -eq 2 ] || { echo "FAIL: huge line: $(count oneline_whole) of 2 tokens"; exit 1; }
run binary_skipped "$tmp/binary"
[ "$(count binary_skipped)" -eq 0 ] || { echo "FAIL: a binary file was scanned by default"; exit 1; }
run binary_scanned --binary "$tmp/binary"
[ "$(count binary_scanned)" -eq 1 ] || { echo "FAIL: --binary: token not found"; exit 1; }
run run "$tmp/run"
[ ! -s "$tmp/out.run" ] || { echo "FAIL: findings in a run of one byte"; exit 1; }
run deep "$tmp/deep"
[ "$(count deep)" -eq 1 ] || { echo "FAIL: deep path: token not found"; exit 1; }
grep -q "d200/.env:1" "$tmp/out.deep" || { echo "FAIL: deep path not named"; exit 1; }
if grep -qF "$tok" "$tmp"/out.*; then echo "FAIL: token printed"; exit 1; fi
echo ok
