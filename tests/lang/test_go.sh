#!/usr/bin/env bash
# Go binaries against `go version -m` (Debian's Go 1.19): every binary tests/lang/go_bins.sh
# gathered, placed in a directory root and in a two-layer docker-archive; the stdlib, main
# module and every dependency (path, version, sum, replacement) must be what the go command
# reads, both ways. Also: binaries a Debian package owns, a truncated binary, a non-executable
# copy. usage: test_go.sh DRYDOCK CACHE
set -euo pipefail
drydock=${1:?usage: test_go.sh DRYDOCK CACHE}
cache=${2:?usage: test_go.sh DRYDOCK CACHE}
here=$(cd "$(dirname "$0")" && pwd)
fail=0
bad() { printf 'test_go.sh: FAIL: %s\n' "$*" >&2; fail=1; }
ok() { printf 'test_go.sh: ok: %s\n' "$*"; }
go=$cache/go
[ -f "$go/go_bins.stamp" ] || { echo "test_go.sh: no $go: run tests/lang/go_bins.sh $cache" >&2; exit 1; }
command -v jq >/dev/null || { echo "test_go.sh: jq is not installed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GOROOT=$go/goroot

# ---- the root: each binary at a path of its own ----
root=$tmp/root
mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/local/bin" "$root/opt/esbuild" \
    "$root/opt/app/bin" "$root/srv/not-exec" "$root/srv/bad"
cp "$go/bin/runc" "$root/usr/sbin/runc"
cp "$go/bin/umoci" "$go/bin/docker-registry" "$root/usr/bin/"
for b in skopeo podman; do
    [ -x "/usr/bin/$b" ] && cp "/usr/bin/$b" "$root/usr/bin/$b"
done
cp "$go"/npm/esbuild-* "$root/opt/esbuild/"
cp "$go/npm/lefthook-2.2.2" "$root/usr/local/bin/lefthook"
cp "$go"/bin/app-* "$root/opt/app/bin/"
cp "$go/npm/lefthook-2.2.2" "$root/srv/not-exec/lefthook" # mode 0644: not read, as Trivy
chmod 0644 "$root/srv/not-exec/lefthook"
head -c 300000 "$go/npm/esbuild-0.15.18-amd64" >"$root/srv/bad/esbuild-truncated"
chmod 0755 "$root/srv/bad/esbuild-truncated"
printf '#!/bin/sh\nexit 0\n' >"$root/usr/bin/script"
chmod 0755 "$root/usr/bin/script"

# expected: `go version -m` over every executable Go binary, as "PATH NAME VERSION SUM" lines
expected() { # ROOT OUT [SKIP-PREFIX]
    (cd "$1" && find . -type f -perm -u+x ! -path "./${3:-none}/*" | sed 's|^\./||' | sort) |
        while read -r rel; do
            "$GOROOT/bin/go" version -m "$1/$rel" 2>/dev/null | sed "s|^$1/$rel:|=FILE $rel:|" || true
        done | python3 "$here/go_version_tuples.py" >"$2"
}
# actual: the golang components of a CycloneDX document
actual() { # SBOM OUT [SCOPE-FILTER]
    jq -r '.components[] | select(.purl // "" | startswith("pkg:golang/"))
        | (.properties // []) as $p | def prop($n): ([$p[] | select(.name == $n) | .value][0] // "-");
        [.evidence.occurrences[0].location, .name, .version, prop("drydock:package:checksum"),
         prop("drydock:package:removed")] | join(" ")' "$1" |
        awk -v removed="${3:-}" '(removed == "" && $5 == "-") || (removed != "" && $5 == "true") {print $1, $2, $3, $4}' |
        LC_ALL=C sort >"$2"
}
compare() { # WHAT EXPECTED ACTUAL
    if diff -u "$2" "$3" >"$tmp/diff"; then
        ok "$1: $(wc -l <"$2") packages equal go version -m"
    else
        bad "$1 differs from go version -m (- go, + drydock):"
        head -40 "$tmp/diff" >&2
    fi
}

expected "$root" "$tmp/expected" srv
[ "$(cut -d' ' -f1 "$tmp/expected" | sort -u | wc -l)" -ge 14 ] ||
    bad "expected at least 14 Go binaries, go version -m read $(cut -d' ' -f1 "$tmp/expected" | sort -u | wc -l)"
grep -q '^opt/app/bin/app-s390x example.com/fork v0.3.1 h1:' "$tmp/expected" ||
    bad "the module built here lost its replacement"
grep -q '^opt/esbuild/esbuild-0.14.8-s390x stdlib 1.17.5 -$' "$tmp/expected" ||
    bad "esbuild 0.14.8 (s390x, Go 1.17) not read by go version -m"

status=0
"$drydock" sbom -f cyclonedx -o "$tmp/dir.json" "dir:$root" 2>"$tmp/dir.err" || status=$?
[ "$status" = 0 ] || bad "sbom dir: exit $status: $(cat "$tmp/dir.err")"
actual "$tmp/dir.json" "$tmp/actual"
grep -v '^srv/' "$tmp/actual" >"$tmp/actual.good" || true
compare "directory root" "$tmp/expected" "$tmp/actual.good"
grep -q '^srv/' "$tmp/actual" && bad "packages from srv/ (not executable, truncated): $(grep '^srv/' "$tmp/actual" | head -3)"
[ "$(grep -c 'warning: srv/bad/esbuild-truncated: ELF: ' "$tmp/dir.err")" = 1 ] ||
    bad "no single warning naming the truncated binary: $(cat "$tmp/dir.err")"
[ "$(grep -c warning "$tmp/dir.err")" = 1 ] || bad "other warnings: $(cat "$tmp/dir.err")"
purl=$(jq -r '.components[] | select(.name == "github.com/charmbracelet/x/ansi") | .purl' "$tmp/dir.json")
[ "$purl" = "pkg:golang/github.com/charmbracelet/x/ansi@v0.11.8" ] || bad "purl $purl"
purl=$(jq -r '[.components[] | select(.name == "stdlib") | .purl] | sort | .[0]' "$tmp/dir.json")
[ "$purl" = "pkg:golang/stdlib@1.17.2" ] || bad "stdlib purl $purl"

# ---- a docker-archive: the same binaries streamed, an upper layer deleting one ----
mkdir -p "$tmp/l2/opt/esbuild" "$tmp/l2/usr/local/bin"
: >"$tmp/l2/opt/esbuild/.wh.esbuild-0.15.18-amd64"
cp "$go/npm/esbuild-0.15.18-amd64" "$tmp/l2/usr/local/bin/esbuild"
python3 "$here/docker_archive.py" "$tmp/go.tar" go-test:1 "$root" "$tmp/l2"
"$drydock" sbom -f cyclonedx -o "$tmp/tar.json" "docker-archive:$tmp/go.tar" 2>"$tmp/tar.err" ||
    bad "sbom docker-archive: $(cat "$tmp/tar.err")"
actual "$tmp/tar.json" "$tmp/tar.actual"
{
    grep -v '^opt/esbuild/esbuild-0.15.18-amd64 ' "$tmp/expected"
    grep '^opt/esbuild/esbuild-0.15.18-amd64 ' "$tmp/expected" |
        sed 's|^opt/esbuild/esbuild-0.15.18-amd64 |usr/local/bin/esbuild |'
} | LC_ALL=C sort >"$tmp/tar.expected"
grep -v '^srv/' "$tmp/tar.actual" >"$tmp/tar.actual.good" || true
compare "docker-archive (streamed layers)" "$tmp/tar.expected" "$tmp/tar.actual.good"
"$drydock" sbom -f cyclonedx --scope all-layers -o "$tmp/all.json" "docker-archive:$tmp/go.tar" \
    2>/dev/null || bad "sbom --scope all-layers failed"
actual "$tmp/all.json" "$tmp/removed" removed
grep '^opt/esbuild/esbuild-0.15.18-amd64 ' "$tmp/expected" >"$tmp/removed.expected"
compare "packages of the deleted binary, removed (all-layers)" "$tmp/removed.expected" "$tmp/removed"

# ---- Debian's own skopeo: its Go packages are the deb's evidence, not components ----
if [ -x /usr/bin/skopeo ] && [ -f /var/lib/dpkg/info/skopeo.list ]; then
    owned=$tmp/owned
    mkdir -p "$owned/usr/bin" "$owned/var/lib/dpkg/info" "$owned/etc"
    cp /usr/bin/skopeo "$owned/usr/bin/skopeo"
    cp /var/lib/dpkg/info/skopeo.list "$owned/var/lib/dpkg/info/"
    awk 'BEGIN{RS=""; ORS="\n\n"} /^Package: skopeo\n/' /var/lib/dpkg/status >"$owned/var/lib/dpkg/status"
    cp /etc/os-release "$owned/etc/os-release"
    "$drydock" sbom -f cyclonedx -o "$tmp/owned.json" "dir:$owned" 2>/dev/null || bad "sbom owned failed"
    want=$(expected "$owned" /dev/stdout | awk '{printf "pkg:golang/%s@%s\n", $2, $3}')
    got=$(jq -r '.components[] | select(.name == "skopeo") | .properties[]
        | select(.name == "drydock:package:language_purl") | .value' "$tmp/owned.json")
    [ -n "$want" ] && [ "$got" = "$want" ] || bad "skopeo's deb carries '$got', go version -m says '$want'"
    [ "$(jq '[.components[] | select(.purl // "" | startswith("pkg:golang/"))] | length' "$tmp/owned.json")" = 0 ] ||
        bad "Debian's skopeo also listed as Go components"
    ok "Debian's skopeo: one deb component with $got"
fi

if [ "$fail" != 0 ]; then
    echo "test_go.sh: 0 passed, 1 failed"
    exit 1
fi
echo "test_go.sh: 1 passed, 0 failed"
