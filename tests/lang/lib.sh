# Helpers the tests/lang scripts share (sourced, not run). Needs $drydock and $cache set.

fail=0
die() { printf '%s: error: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }
bad() { printf '%s: FAIL: %s\n' "$(basename "$0")" "$*" >&2; fail=1; }
ok() { printf '%s: ok: %s\n' "$(basename "$0")" "$*"; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
schemas=${DD_SCHEMAS:-$(cd "$here/../../.." && pwd)/shared/schemas}
command -v jq >/dev/null || die "jq is not installed"
lang=$cache/lang
root=$lang/rootfs
[ -x "$root/bin/sh" ] && [ -s "$lang/lang.docker.tar" ] ||
    die "no $lang: run tests/images/build.sh and tests/images/lang.sh on $cache first"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# sbom OUT FORMAT ARGS...: writes the SBOM twice, requires equal bytes and a document that
# validates against its schema; drydock's exit status in $sbom_status, its stderr in OUT.err
sbom() {
    local out=$1 format=$2 schema=bom-1.6.schema.json
    shift 2
    sbom_status=0
    SOURCE_DATE_EPOCH=1700000000 "$drydock" sbom -f "$format" -o "$out" "$@" 2>"$out.err" ||
        sbom_status=$?
    SOURCE_DATE_EPOCH=1700000000 "$drydock" sbom -f "$format" -o "$out.2" "$@" 2>/dev/null || true
    cmp -s "$out" "$out.2" || bad "two runs of 'sbom -f $format $*' differ"
    [ "$format" = spdx-json ] && schema=spdx-schema.json
    if [ -f "$schemas/validate.py" ] &&
        ! python3 -W ignore "$schemas/validate.py" "$schema" "$out" >"$out.validate" 2>&1; then
        bad "$out does not validate against $schema: $(head -5 "$out.validate")"
    fi
}

# lang_tuples FILE [PREFIX]: "purl path dev layer removed" of a CycloneDX SBOM's npm and pypi
# components (whose path starts with PREFIX), sorted
lang_tuples() {
    jq -r --arg pre "${2:-}" '.components[] | select(.purl // "" | test("^pkg:(npm|pypi)/"))
        | (.properties // []) as $p
        | def prop($n): ([$p[] | select(.name == $n) | .value][0] // "");
        (.evidence.occurrences[0].location // "") as $loc
        | select($loc | startswith($pre))
        | [.purl, $loc, prop("drydock:package:dev"), prop("drydock:layer:index"),
           prop("drydock:package:removed")] | join(" ")' "$1" | LC_ALL=C sort
}
