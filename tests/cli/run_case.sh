#!/usr/bin/env bash
# Runs one CLI case file against the drydock binary.
#
# A case file holds "key: value" lines (and "#" comments):
#   args:            the arguments, split like a shell would; @DATA@ and @IMAGES@ are replaced
#                    by the test data and image cache folders
#   exit:            the expected exit status (default 0)
#   stdout-has:      a string stdout must contain (repeatable)
#   stderr-has:      a string stderr must contain (repeatable)
#   stderr-lines:    the exact number of lines on stderr
#   stdout-json:     a file under tests/cli/expected/ that stdout must equal as JSON
#                    (compared canonically: keys sorted, whitespace ignored)
#   jq:              a jq filter over stdout that must print "true" (repeatable)
#   check:           a shell command that must succeed after the run (repeatable)
#   before:          drydock arguments run (and required to succeed) before the case, e.g. to
#                    build a vulnerability database in @TMP@ (repeatable)
set -euo pipefail
drydock=$1
case_file=$2
here=$(cd "$(dirname "$0")" && pwd)
data=${DD_TEST_DATA:-$here/../data}
images=${DD_TEST_IMAGES:-$here/../images/cache}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

args="" expect_exit=0 stderr_lines=""
stdout_has=() stderr_has=() jq_checks=() checks=() befores=() stdout_json=""
while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
    '#'* | '') continue ;;
    esac
    key=${line%%:*}
    value=${line#*:}
    value=${value# }
    value=${value//@DATA@/$data}
    value=${value//@IMAGES@/$images}
    value=${value//@TMP@/$tmp}
    case "$key" in
    args) args=$value ;;
    exit) expect_exit=$value ;;
    stdout-has) stdout_has+=("$value") ;;
    stderr-has) stderr_has+=("$value") ;;
    stderr-lines) stderr_lines=$value ;;
    stdout-json) stdout_json=$value ;;
    jq) jq_checks+=("$value") ;;
    check) checks+=("$value") ;;
    before) befores+=("$value") ;;
    *)
        echo "$case_file: unknown key \"$key\"" >&2
        exit 1
        ;;
    esac
done <"$case_file"

for b in "${befores[@]+"${befores[@]}"}"; do
    eval "set -- $b"
    if ! "$drydock" "$@" >"$tmp/before.out" 2>&1 </dev/null; then
        echo "before: drydock $b failed:" >&2
        cat "$tmp/before.out" >&2
        exit 1
    fi
done
eval "set -- $args"
status=0
"$drydock" "$@" >"$tmp/stdout" 2>"$tmp/stderr" </dev/null || status=$?
fail=0
if [ "$status" != "$expect_exit" ]; then
    echo "exit status $status, expected $expect_exit" >&2
    fail=1
fi
for s in "${stdout_has[@]+"${stdout_has[@]}"}"; do
    grep -qF -- "$s" "$tmp/stdout" || { echo "stdout lacks: $s" >&2; fail=1; }
done
for s in "${stderr_has[@]+"${stderr_has[@]}"}"; do
    grep -qF -- "$s" "$tmp/stderr" || { echo "stderr lacks: $s" >&2; fail=1; }
done
if [ -n "$stderr_lines" ] && [ "$(wc -l <"$tmp/stderr")" != "$stderr_lines" ]; then
    echo "stderr has $(wc -l <"$tmp/stderr") lines, expected $stderr_lines" >&2
    fail=1
fi
if grep -qE 'AddressSanitizer|runtime error:|LeakSanitizer' "$tmp/stderr"; then
    echo "sanitizer report on stderr" >&2
    fail=1
fi
if [ -n "$stdout_json" ]; then
    if ! diff <(jq -S . "$here/expected/$stdout_json") <(jq -S . "$tmp/stdout") >"$tmp/diff"; then
        echo "stdout differs from expected/$stdout_json:" >&2
        head -40 "$tmp/diff" >&2
        fail=1
    fi
fi
for f in "${jq_checks[@]+"${jq_checks[@]}"}"; do
    if [ "$(jq -r "$f" "$tmp/stdout" 2>&1)" != "true" ]; then
        echo "jq check failed: $f" >&2
        fail=1
    fi
done
for c in "${checks[@]+"${checks[@]}"}"; do
    if ! (eval "$c") >/dev/null 2>&1; then
        echo "check failed: $c" >&2
        fail=1
    fi
done
if [ $fail -ne 0 ]; then
    echo "--- $case_file: drydock $args" >&2
    echo "--- stdout (head):" >&2
    head -20 "$tmp/stdout" >&2
    echo "--- stderr:" >&2
    cat "$tmp/stderr" >&2
    exit 1
fi
echo "ok: $(basename "$case_file")"
