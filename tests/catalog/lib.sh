# Helpers the tests/catalog scripts share (sourced, not run).

fail=0
die() { printf '%s: error: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }
bad() { printf '%s: FAIL: %s\n' "$(basename "$0")" "$*" >&2; fail=1; }
ok() { printf '%s: ok: %s\n' "$(basename "$0")" "$*"; }

schemas=${DD_SCHEMAS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared/schemas}

# validate FORMAT FILE: the document against its official schema
validate() {
    local schema=bom-1.6.schema.json
    [ "$1" = spdx-json ] && schema=spdx-schema.json
    if ! python3 -W ignore "$schemas/validate.py" "$schema" "$2" >"$2.validate" 2>&1; then
        bad "$2 does not validate against $schema: $(head -5 "$2.validate")"
        return 1
    fi
}

# sbom_twice OUT FORMAT ARGS...: writes the SBOM twice, checks the bytes are equal and that it
# validates; exit status of drydock in $sbom_status
sbom_twice() {
    local out=$1 format=$2
    shift 2
    sbom_status=0
    SOURCE_DATE_EPOCH=1700000000 "$drydock" sbom -f "$format" -o "$out" "$@" 2>"$out.err" || sbom_status=$?
    SOURCE_DATE_EPOCH=1700000000 "$drydock" sbom -f "$format" -o "$out.2" "$@" 2>/dev/null || true
    if ! cmp -s "$out" "$out.2"; then
        bad "two runs of 'sbom -f $format $*' differ"
    fi
    [ -s "$out" ] && validate "$format" "$out"
}

# deb_tuples FILE: "name version arch source source_version" lines of a CycloneDX SBOM's
# present (not removed) deb packages, sorted
deb_tuples() {
    jq -r '.components[] | select(.purl // "" | startswith("pkg:deb/"))
        | (.properties // []) as $p
        | def prop($n): ([$p[] | select(.name == $n) | .value][0] // "");
        select(prop("drydock:package:removed") != "true")
        | [.name, .version, prop("drydock:package:arch"), prop("drydock:package:source"),
           prop("drydock:package:source_version")] | join(" ")' "$1" | LC_ALL=C sort
}

# dpkg_tuples ADMINDIR: the same from dpkg-query, installed packages only
dpkg_tuples() {
    dpkg-query --admindir="$1" -W \
        -f '${db:Status-Status} ${Package} ${Version} ${Architecture} ${source:Package} ${source:Version}\n' |
        awk '$1 == "installed" { print $2, $3, $4, $5, $6 }' | LC_ALL=C sort
}
