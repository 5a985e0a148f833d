# Helpers the Ruby, PHP, .NET and pnpm tests share (sourced, not run). Needs $drydock set.
# Unlike lib.sh they need no test image: each test assembles a dir: root in a temp folder.

fail=0
die() { printf '%s: error: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }
skip() { printf '%s: SKIP: %s\n' "$(basename "$0")" "$*" >&2; exit 77; }
bad() { printf '%s: FAIL: %s\n' "$(basename "$0")" "$*" >&2; fail=1; }
ok() { printf '%s: ok: %s\n' "$(basename "$0")" "$*"; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fixtures=$here/fixtures
command -v jq >/dev/null || die "jq is not installed"
command -v python3 >/dev/null || die "python3 is not installed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# sbom OUT ROOT: a CycloneDX SBOM of dir:ROOT (exit status in $sbom_status, stderr in OUT.err)
sbom() {
    sbom_status=0
    SOURCE_DATE_EPOCH=1700000000 "$drydock" sbom -f cyclonedx -o "$1" "dir:$2" 2>"$1.err" ||
        sbom_status=$?
}

# compare KIND ...: tests/lang/compare_other.py; prints its last line on success
compare() {
    local out=$tmp/compare.$RANDOM
    if python3 "$here/compare_other.py" "$@" >"$out" 2>&1; then
        ok "$(tail -1 "$out")"
    else
        bad "$1 $(basename "${3:-}"): differs:"
        head -30 "$out" >&2
    fi
}
