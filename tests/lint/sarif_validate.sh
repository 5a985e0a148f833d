#!/usr/bin/env bash
# SARIF output of drydock lint validates against the official SARIF 2.1.0 schema
# (../shared/schemas, read by its validate.py). Exit 77 (skipped) when the schemas are absent.
set -euo pipefail
drydock=$1
here=$(cd "$(dirname "$0")" && pwd)
schemas=${DD_SCHEMAS_DIR:-$here/../../../shared/schemas}
[ -f "$schemas/validate.py" ] || { echo "skipped: no schemas at $schemas"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
"$drydock" lint --no-config -f sarif -o "$tmp/avoid.sarif" "$here/seed/avoid" || status=$?
[ "$status" = 1 ] || { echo "expected exit 1 on seed/avoid, got $status"; exit 1; }
"$drydock" lint --no-config -f sarif -o "$tmp/good.sarif" "$here/seed/good"
printf 'FROM a\nRUN <<EOF\n' >"$tmp/Dockerfile"
"$drydock" lint --no-config -f sarif -o "$tmp/bad.sarif" "$tmp/Dockerfile" 2>/dev/null || true
python3 -W ignore "$schemas/validate.py" sarif-schema-2.1.0.json "$tmp/avoid.sarif" \
    "$tmp/good.sarif" "$tmp/bad.sarif"
jq -e '[.runs[0].results[] | select(.ruleId and .level and .locations[0].physicalLocation.region.startLine >= 1)] | length > 5' \
    "$tmp/avoid.sarif" >/dev/null
echo "sarif: ok"
