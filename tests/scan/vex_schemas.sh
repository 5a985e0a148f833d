#!/usr/bin/env bash
# The VEX documents the suppression tests read are valid against the official schemas
# (../shared/schemas): CycloneDX 1.6 for *.cdx.json, OpenVEX 0.2.0 for *.openvex.json (those
# of tests/data/vex/ too, which the scan_*.case CLI cases read). The unit tests then prove
# drydock reads documents as the specifications write them.
# Exit 77 (skipped) when the schemas or python3-jsonschema are absent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../unit/scan/data
schemas=${DD_SCHEMAS_DIR:-$here/../../../shared/schemas}
[ -f "$schemas/validate.py" ] || { echo "skipped: no schemas at $schemas"; exit 77; }
python3 -c 'import jsonschema' 2>/dev/null || { echo "skipped: no python3-jsonschema"; exit 77; }
shopt -s nullglob
cdx=("$data"/*.cdx.json)
openvex=("$data"/*.openvex.json "$here"/../data/vex/*.openvex.json)
[ ${#cdx[@]} -gt 0 ] && [ ${#openvex[@]} -gt 0 ] || { echo "no test documents in $data"; exit 1; }
python3 -W ignore "$schemas/validate.py" bom-1.6.schema.json "${cdx[@]}"
if [ -f "$schemas/openvex_json_schema.json" ]; then
    python3 -W ignore "$schemas/validate.py" openvex_json_schema.json "${openvex[@]}"
fi
echo "vex schemas: ${#cdx[@]} CycloneDX and ${#openvex[@]} OpenVEX documents valid"
