#!/usr/bin/env bash
# Runs `drydock inspect --files` on every hostile input hostile.sh made and checks the answer:
# the exit code of cases.tsv (2 for all but the documented exit-0 cases), exactly one line on
# stderr naming the input file (and, for a layer problem, the layer), no sanitizer report,
# and no run longer than 60 seconds.
#
#   bash tests/images/test_hostile.sh DRYDOCK CACHE_DIR
set -euo pipefail

drydock=${1:?usage: test_hostile.sh DRYDOCK CACHE_DIR}
cache=${2:?usage: test_hostile.sh DRYDOCK CACHE_DIR}
log() { printf 'test_hostile: %s\n' "$*" >&2; }
[ -x "$drydock" ] || { log "no drydock binary at $drydock"; exit 1; }
cache=$(cd "$cache" && pwd)
dir="$cache/hostile"
[ -f "$dir/cases.tsv" ] || { log "no $dir/cases.tsv: run tests/images/hostile.sh $cache"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 total=0
fail() { log "FAIL: $*"; failures=$((failures + 1)); }

while IFS=$'\t' read -r name ref want layer_tokens note; do
    total=$((total + 1))
    ref=${ref//\{dir\}/$dir}
    path=${ref#docker-archive:}; path=${path#oci-archive:}; path=${path#oci-dir:}
    file=$(basename "$path")
    rc=0
    timeout 60 "$drydock" inspect --files -f json "$ref" >"$tmp/out" 2>"$tmp/err" || rc=$?
    msg=$(head -n 1 "$tmp/err")
    log "$name: exit $rc: ${msg:0:200}"
    if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error|UndefinedBehaviorSanitizer' "$tmp/err"; then
        fail "$name: sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error' "$tmp/err")"
    fi
    if [ "$rc" = 124 ]; then
        fail "$name: no answer within 60 s ($note)"
        continue
    fi
    if [ "$rc" != "$want" ]; then
        fail "$name: exit $rc, expected $want ($note)"
        continue
    fi
    lines=$(wc -l <"$tmp/err")
    if [ "$want" = 0 ]; then
        [ "$lines" = 0 ] || fail "$name: success but stderr says: $(head -n 3 "$tmp/err" | tr '\n' ' ')"
    else
        [ "$lines" = 1 ] && [ -z "$(tail -c 1 "$tmp/err" | tr -d '\n')" ] ||
            fail "$name: stderr is $lines line(s), expected exactly one: $(head -c 400 "$tmp/err" | tr '\n' '|')"
        grep -qF -- "$file" "$tmp/err" || fail "$name: the message does not name the input $file: $msg"
        [ -s "$tmp/out" ] && fail "$name: failed but wrote to stdout"
        if [ "$layer_tokens" != - ]; then
            found=0
            IFS=, read -ra tokens <<<"$layer_tokens"
            for t in "${tokens[@]}"; do
                case $t in
                # "layer 2", "layer #2", "layers[2]" (the manifest's array)
                layer\ *) grep -qiE "layers?[ #\[]*${t#layer }([^0-9]|$)" "$tmp/err" && found=1 ;;
                # a digest may be shortened to 12 hex digits
                *) grep -qF -- "${t:0:12}" "$tmp/err" && found=1 ;;
                esac
            done
            [ "$found" = 1 ] || fail "$name: the message does not name the layer (${tokens[0]}, its digest or file): $msg"
        fi
    fi
    if [ "$name" = symlink-loop ] && [ "$rc" = 0 ]; then
        python3 - "$tmp/out" <<'EOF' || fail "symlink-loop: the loop's symlinks are not listed as symlinks"
import json, sys
files = {f["path"]: f for f in json.load(open(sys.argv[1])).get("files") or []}
want = {"/loop/a": "b", "/loop/b": "a", "/loop/self": "self", "/loop/up": "../loop/up"}
bad = [p for p, l in want.items() if files.get(p, {}).get("type") != "symlink" or files[p].get("link") != l]
for p in bad:
    print("  %s: %r" % (p, files.get(p)), file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
    fi
done <"$dir/cases.tsv"

if [ "$failures" -gt 0 ]; then
    log "$failures failure(s) in $total cases"
    exit 1
fi
log "all $total hostile cases answered as expected"
