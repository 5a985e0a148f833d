#!/usr/bin/env bash
# drydock's reading of pnpm-lock.yaml against `pnpm ls` of the tree pnpm installed from it.
#
#   bash tests/lang/test_pnpm_vs_pnpm_ls.sh DRYDOCK CACHE
#
# pnpm 7, 8 and 9 (lockfileVersion 5.4, 6.0 and 9.0) are installed from the npm registry with
# npm into CACHE/other/pnpm-N; each installs the same small workspace (express, @babel/core, an
# npm: alias, an optional dependency, devDependencies that collide with the production tree, a
# peer-suffixed ts-node, and a workspace package with its own dependencies) into
# CACHE/other/pnpm-app-N. The lockfile and the manifests alone, without node_modules, are then
# copied into a dir: root: every package `pnpm ls -r --json --depth Infinity` lists for the
# installed twin must be one npm component at that lockfile with the same name, version and
# development flag, and nothing else. The installed twin itself is read by the npm cataloger,
# so its lockfile must give nothing there.
#
# Exits 77 (skipped) when node/npm are missing or the npm registry cannot be reached and nothing
# is cached yet.
set -euo pipefail
drydock=$(realpath "${1:?usage: test_pnpm_vs_pnpm_ls.sh DRYDOCK CACHE}")
cache=${2:?usage: test_pnpm_vs_pnpm_ls.sh DRYDOCK CACHE}
. "$(dirname "$0")/other_lib.sh"
command -v node >/dev/null && command -v npm >/dev/null || skip "node and npm are not installed"

versions="7.33.7 8.15.9 9.15.9"
mkdir -p "$cache/other"
cache=$(cd "$cache/other" && pwd)
exec 9>"$cache/.pnpm.lock"
flock 9

# the workspace, written the same for every pnpm
write_app() {
    mkdir -p "$1/packages/lib"
    cat >"$1/package.json" <<'EOF'
{
  "name": "pnpm-app",
  "version": "1.0.0",
  "private": true,
  "dependencies": {
    "express": "4.18.2",
    "@babel/core": "7.23.9",
    "string-width-cjs": "npm:string-width@^4.2.0",
    "lib": "workspace:*"
  },
  "optionalDependencies": {
    "ms": "^2.1.3"
  },
  "devDependencies": {
    "debug": "^4.3.4",
    "semver": "^7.5.4",
    "@types/express": "^4.17.21",
    "ts-node": "10.9.2",
    "typescript": "5.3.3"
  }
}
EOF
    cat >"$1/packages/lib/package.json" <<'EOF'
{
  "name": "lib",
  "version": "0.1.0",
  "dependencies": {
    "yargs": "17.7.2"
  },
  "devDependencies": {
    "chalk": "^4.1.2"
  }
}
EOF
    printf 'packages:\n  - "packages/*"\n' >"$1/pnpm-workspace.yaml"
}

# install VERSION: pnpm VERSION into $cache/pnpm-MAJOR and the workspace installed by it into
# $cache/pnpm-app-MAJOR, unless the stamps say they are there
install() {
    local v=$1 major=${1%%.*} tool=$cache/pnpm-${1%%.*} app=$cache/pnpm-app-${1%%.*}
    if [ "$(cat "$tool/.stamp" 2>/dev/null)" != "$v" ]; then
        npm ping >/dev/null 2>&1 || skip "the npm registry cannot be reached; cannot install pnpm@$v"
        rm -rf "$tool"
        mkdir -p "$tool"
        npm install --no-audit --no-fund --prefix "$tool" "pnpm@$v" >"$tool.log" 2>&1 ||
            die "npm install pnpm@$v failed: $(tail -5 "$tool.log")"
        echo "$v" >"$tool/.stamp"
    fi
    if [ "$(cat "$app/.stamp" 2>/dev/null)" != "$v" ]; then
        npm ping >/dev/null 2>&1 || skip "the npm registry cannot be reached; cannot run pnpm install"
        rm -rf "$app"
        write_app "$app"
        (cd "$app" && HOME=$cache/home XDG_DATA_HOME=$cache/home XDG_CACHE_HOME=$cache/home \
            "$tool/node_modules/.bin/pnpm" install --store-dir "$cache/store-$major" \
            --config.confirmModulesPurge=false >"$app.log" 2>&1) ||
            die "pnpm@$v install failed: $(tail -5 "$app.log")"
        echo "$v" >"$app/.stamp"
    fi
}

root=$tmp/root
for v in $versions; do
    install "$v"
    major=${v%%.*}
    app=$cache/pnpm-app-$major
    want=$(case $major in 7) echo 5.4 ;; 8) echo "'6.0'" ;; 9) echo "'9.0'" ;; esac)
    head -1 "$app/pnpm-lock.yaml" | grep -qx "lockfileVersion: $want" ||
        bad "pnpm $v wrote $(head -1 "$app/pnpm-lock.yaml"), not lockfileVersion: $want"
    (cd "$app" && HOME=$cache/home "$cache/pnpm-$major/node_modules/.bin/pnpm" ls -r --json \
        --depth Infinity) >"$tmp/ls-$major.json" 2>"$tmp/ls-$major.err" ||
        die "pnpm ls failed for pnpm $v: $(head -3 "$tmp/ls-$major.err")"
    # the lockfile and manifests alone
    mkdir -p "$root/srv/pnpm$major/packages/lib"
    cp "$app/pnpm-lock.yaml" "$app/package.json" "$app/pnpm-workspace.yaml" "$root/srv/pnpm$major/"
    cp "$app/packages/lib/package.json" "$root/srv/pnpm$major/packages/lib/"
done
# an installed twin: the npm cataloger's; its lockfile is not read
mkdir -p "$root/srv/installed/node_modules"
cp "$cache/pnpm-app-9/pnpm-lock.yaml" "$root/srv/installed/"

sbom "$tmp/sbom.json" "$root"
[ "$sbom_status" = 0 ] || bad "sbom dir:$root exited $sbom_status: $(head -3 "$tmp/sbom.json.err")"
[ -s "$tmp/sbom.json.err" ] && bad "warnings: $(head -3 "$tmp/sbom.json.err")"
for v in $versions; do
    major=${v%%.*}
    compare pnpm "$tmp/sbom.json" "$tmp/ls-$major.json" "srv/pnpm$major/pnpm-lock.yaml"
done
compare absent "$tmp/sbom.json" srv/installed/pnpm-lock.yaml
exit $fail
