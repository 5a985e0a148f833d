#!/usr/bin/env bash
# drydock image --scanners secret,config,hygiene on the leaky image of tests/imgcheck/build.sh
# (keys and tokens made at test time, a .env deleted by an upper layer, every configuration
# rule broken): each class of issue is reported with its layer, no secret value appears in any
# format, the JSON and SARIF validate, and the gate, the severity filter and the ignore file
# work on issues as they do on vulnerabilities.
# Usage: test_image_scanners.sh DRYDOCK IMAGES_CACHE SCHEMAS_DIR REPORT_SCHEMA
set -uo pipefail
drydock=$1 cache=$2 schemas=$3 report_schema=$4
img=$cache/imgcheck/leaky.docker.tar
secrets=$cache/imgcheck/leaky.secrets
mkdir -p "${DD_TEST_TMP:-${TMPDIR:-/tmp}}"
tmp=$(mktemp -d "${DD_TEST_TMP:-${TMPDIR:-/tmp}}/scanners.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "test_image_scanners.sh: FAIL: $*" >&2; fail=1; }
ok() { echo "test_image_scanners.sh: ok: $*"; }
[ -s "$img" ] && [ -s "$secrets" ] || { echo "no $img: run tests/imgcheck/build.sh" >&2; exit 1; }
python=/usr/bin/python3
[ -x "$python" ] || python=python3

run() { # run NAME EXPECTED_EXIT ARGS...: stdout in $tmp/NAME, stderr in $tmp/NAME.err
    local name=$1 want=$2 st=0
    shift 2
    "$drydock" image "$@" >"$tmp/$name" 2>"$tmp/$name.err" || st=$?
    [ "$st" = "$want" ] || bad "$name: exit $st, expected $want: $(head -3 "$tmp/$name.err")"
}

all=(--scanners secret,config,hygiene)
run json 0 "${all[@]}" -f json "$img"
run table 0 "${all[@]}" "$img"
run sarif 0 "${all[@]}" -f sarif "$img"
run markdown 0 "${all[@]}" -f markdown "$img"
run cdx 0 "${all[@]}" -f cyclonedx "$img"

# every class, each issue where the image has it
for cls in secret config hygiene; do
    n=$(jq --arg c "$cls" '[.issues[] | select(.class == $c)] | length' "$tmp/json")
    [ "${n:-0}" -gt 0 ] || bad "no $cls issue"
done
# the .env the top layer deletes: found in the layer that wrote it, marked removed
jq -e '[.issues[] | select(.class == "secret" and .path == "app/.env" and .removed_in != null
        and .layer < .removed_in)] | length > 0' "$tmp/json" >/dev/null ||
    bad "the deleted app/.env: no secret with layer and removed_in"
jq -e '[.issues[] | select(.rule_id == "DD-SEC-005" and .path == "app/.env"
        and .removed_in != null)] | length > 0' "$tmp/json" >/dev/null ||
    bad "the deleted app/.env: no DD-SEC-005 with removed_in"
for p in root/.ssh/id_rsa root/.ssh/id_ed25519 app/tls/server.key app/.npmrc root/.git-credentials \
    root/.aws/credentials; do
    jq -e --arg p "$p" '[.issues[] | select(.class == "secret" and .path == $p and .layer != null
        and (.severity == "HIGH" or .severity == "CRITICAL"))] | length > 0' "$tmp/json" \
        >/dev/null || bad "$p: no HIGH or CRITICAL secret with its layer"
done
jq -e '[.issues[] | select(.class == "secret" and .location == "Env")] | length > 0' \
    "$tmp/json" >/dev/null || bad "ENV DATABASE_PASSWORD: no secret in the configuration's Env"
for r in DD-IMG-001 DD-IMG-003 DD-IMG-005 DD-USR-005 DD-USR-006 DD-HYG-002 DD-HYG-003; do
    jq -e --arg r "$r" '[.issues[] | select(.rule_id == $r)] | length > 0' "$tmp/json" \
        >/dev/null || bad "no $r"
done
ok "$(jq '.issues | length' "$tmp/json") issues: $(jq -c '.issue_summary' "$tmp/json")"

# redaction: no generated secret in any output, whatever the format
while read -r s; do
    [ -n "$s" ] || continue
    for f in json table sarif markdown cdx; do
        grep -qF -- "$s" "$tmp/$f" "$tmp/$f.err" && bad "$f: a secret value is printed unredacted"
    done
done <"$secrets"
ok "no secret value in table, json, sarif, markdown or cyclonedx"

# the documents validate; the table lists a target per class
"$python" -W ignore "$schemas/validate.py" "$report_schema" "$tmp/json" >/dev/null ||
    bad "the JSON report does not validate against $report_schema"
"$python" -W ignore "$schemas/validate.py" sarif-schema-2.1.0.json "$tmp/sarif" >/dev/null ||
    bad "the SARIF log does not validate"
for t in Secrets "Image configuration" Hygiene; do
    grep -qx "$t" "$tmp/table" || bad "table: no \"$t\" target"
done
grep -q "removed in" "$tmp/table" || bad "table: no \"removed in\" layer"
jq -e '[.runs[0].results[] | select(.ruleId | startswith("DD-SECRET-"))] | length > 0' \
    "$tmp/sarif" >/dev/null || bad "SARIF: no secret result"
ok "JSON and SARIF validate; table and markdown list the issues"

# the gate: --severity and --exit-code count issues; the ignore file suppresses them by rule id
crit=$(jq '[.issues[] | select(.severity == "CRITICAL")] | length' "$tmp/json")
if [ "$crit" -gt 0 ]; then
    run gate 7 "${all[@]}" --severity CRITICAL --exit-code 7 -f json "$img"
    jq -r '.issues[] | select(.severity == "CRITICAL") | .rule_id' "$tmp/json" | sort -u |
        sed 's/$/ # test keys/' >"$tmp/ignore"
    run gate_ignored 0 "${all[@]}" --severity CRITICAL --exit-code 7 --ignorefile "$tmp/ignore" \
        -f json "$img"
    [ "$(jq '.issues | length' "$tmp/gate_ignored")" = 0 ] || bad "ignored issues are listed"
    [ "$(jq '.issue_summary.suppressed' "$tmp/gate_ignored")" = "$crit" ] ||
        bad "suppressed count $(jq '.issue_summary.suppressed' "$tmp/gate_ignored"), expected $crit"
    ok "--exit-code on $crit CRITICAL issues, and 0 once the ignore file names their rules"
else
    bad "no CRITICAL issue to gate on"
fi
run fail_on 3 --scanners config --fail-on HIGH --exit-code 3 -f json "$img"
run lone 0 --scanners hygiene -f json "$img"
[ "$(jq '[.issues[] | select(.class != "hygiene")] | length' "$tmp/lone")" = 0 ] ||
    bad "--scanners hygiene reports other classes"
[ "$(jq '.findings | length' "$tmp/lone")" = 0 ] || bad "--scanners hygiene reports findings"
run bad_scanner 2 --scanners vuln,secrets "$img"
grep -q 'secrets' "$tmp/bad_scanner.err" || bad "--scanners secrets: no message naming it"
ok "--fail-on on config issues, one scanner alone, an unknown scanner refused"

# no noise: the clean Debian image (a debootstrap root) and the clean Alpine one carry no
# secret and nothing HIGH or CRITICAL; what they do carry (no HEALTHCHECK, root user, Debian's
# setuid binaries) is LOW or MEDIUM by the catalogue (docs/imgcheck.md)
for clean in "$cache/debian.docker.tar" "$cache/imgcheck/alpine.docker.tar"; do
    name=clean-$(basename "$clean" .docker.tar)
    run "$name" 0 --scanners secret,config -f json "$clean"
    loud=$(jq -r '[.issues[] | select(.class == "secret" or .severity == "HIGH" or
                   .severity == "CRITICAL") | "\(.severity) \(.rule_id) \(.path // .location)"]
                  | join("; ")' "$tmp/$name")
    [ -z "$loud" ] || bad "$(basename "$clean"): $loud"
done
ok "clean Debian and Alpine images: no secret, nothing HIGH or CRITICAL"
exit $fail
