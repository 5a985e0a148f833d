#!/usr/bin/env bash
# drydock's npm packages against `npm ls --all --json --long` on the same folders.
#
#   bash tests/lang/test_npm_vs_npm_ls.sh DRYDOCK IMAGES_CACHE
#
# On the root filesystem tests/images/lang.sh builds: for each app installed with
# `npm install` (srv/web: express, @babel/core, colliding devDependencies; srv/cli: yargs,
# chalk, a scoped package) every package npm ls lists, one per install path, must be one
# component with the same name, version, path and development flag, and nothing else may be
# listed there. The lockfile-only folders (srv/lock-v3: web's package-lock.json v3; srv/lock-v1:
# the same manifest locked as lockfileVersion 1) must give web's installed set at their own
# paths. srv/yarn-lock (the yarn.lock yarn 1 wrote for web's manifest) must list what yarn
# installed in srv/yarn-web. Debian's node-* packages are one deb each with their npm
# identities as evidence.
set -euo pipefail
drydock=$(realpath "${1:?usage: test_npm_vs_npm_ls.sh DRYDOCK IMAGES_CACHE}")
cache=$(realpath "${2:?usage: test_npm_vs_npm_ls.sh DRYDOCK IMAGES_CACHE}")
. "$(dirname "$0")/lib.sh"
command -v npm >/dev/null || die "npm is not installed"

sbom "$tmp/dir.json" cyclonedx "dir:$root"
[ "$sbom_status" = 0 ] || bad "sbom dir:$root exited $sbom_status: $(head -3 "$tmp/dir.json.err")"

for app in web cli; do
    (cd "$root/srv/$app" && npm ls --all --json --long) >"$tmp/$app.npm-ls.json" 2>"$tmp/$app.npm-ls.err" ||
        bad "npm ls in srv/$app failed: $(head -3 "$tmp/$app.npm-ls.err")"
    if python3 "$here/compare.py" npm "$tmp/dir.json" "$tmp/$app.npm-ls.json" "$root" "srv/$app" \
        >"$tmp/$app.cmp"; then
        ok "$(tail -1 "$tmp/$app.cmp")"
    else
        bad "srv/$app differs from npm ls:"
        head -20 "$tmp/$app.cmp" >&2
    fi
done
for lock in lock-v3 lock-v1; do
    if python3 "$here/compare.py" npm "$tmp/dir.json" "$tmp/web.npm-ls.json" "$root" "srv/$lock" \
        srv/web >"$tmp/$lock.cmp"; then
        ok "$(tail -1 "$tmp/$lock.cmp") (lockfile against web's installed tree)"
    else
        bad "srv/$lock differs from web's npm ls:"
        head -20 "$tmp/$lock.cmp" >&2
    fi
done

# yarn 1: the yarn.lock alone against the tree yarn installed from it
(cd "$root/srv/yarn-web" && npm ls --all --json --long) >"$tmp/yarn.npm-ls.json" 2>/dev/null || true
if python3 "$here/compare.py" yarn "$tmp/dir.json" "$tmp/yarn.npm-ls.json" "$root" srv/yarn-lock \
    srv/yarn-web >"$tmp/yarn.cmp"; then
    ok "$(tail -1 "$tmp/yarn.cmp")"
else
    bad "srv/yarn-lock differs from the tree yarn installed:"
    head -20 "$tmp/yarn.cmp" >&2
fi

# nested duplicates and scoped names made it through (where npm nests which copy depends on
# its version: only the shape is checked here, the placement by the comparison above)
lang_tuples "$tmp/dir.json" srv/web/ >"$tmp/web.t"
grep -q "^pkg:npm/%40babel/core@7.23.9 srv/web/node_modules/@babel/core " "$tmp/web.t" ||
    bad "no component for @babel/core at srv/web/node_modules/@babel/core"
ms=$(awk '$1 ~ /^pkg:npm\/ms@/ { print $1 }' "$tmp/web.t" | sort -u | wc -l)
deep=$(awk '$2 ~ /node_modules\/.*node_modules\/.*node_modules\/ms$/' "$tmp/web.t" | wc -l)
[ "$ms" -ge 3 ] && [ "$deep" -ge 1 ] || bad "ms: $ms versions, $deep nested two levels deep"

dev=$(awk '$3 == "true"' "$tmp/web.t" | wc -l)
[ "$dev" -gt 0 ] || bad "no development dependency marked under srv/web"

# Debian's node-* packages: no npm component of their own, their identities on the deb
n=$(lang_tuples "$tmp/dir.json" usr/ | wc -l)
[ "$n" = 0 ] || bad "$n npm/pypi components under usr/ (owned by Debian packages)"
ev() { jq -r --arg n "$2" '.components[] | select(.name == $n and (.purl // "" | startswith("pkg:deb/")))
    | [.properties[] | select(.name == "drydock:package:language_purl") | .value] | join(" ")' "$1"; }
[ "$(ev "$tmp/dir.json" node-ms)" = "pkg:npm/%40types/ms@0.7.31 pkg:npm/ms@2.1.3" ] ||
    bad "node-ms evidence: '$(ev "$tmp/dir.json" node-ms)'"
[ "$(ev "$tmp/dir.json" node-debug)" = "pkg:npm/%40types/debug@4.1.7 pkg:npm/debug@4.3.4" ] ||
    bad "node-debug evidence: '$(ev "$tmp/dir.json" node-debug)'"

# SPDX: the same npm packages, each with its purl and where it was found
sbom "$tmp/dir.spdx.json" spdx-json "dir:$root"
a=$(jq '[.components[] | select(.purl // "" | startswith("pkg:npm/"))] | length' "$tmp/dir.json")
b=$(jq '[.packages[] | select(any(.externalRefs[]?; .referenceLocator | startswith("pkg:npm/")))
    | select(.comment | test("found at "))] | length' "$tmp/dir.spdx.json")
[ "$a" = "$b" ] && [ "$a" -gt 300 ] || bad "npm components: CycloneDX $a, SPDX $b"
[ $fail = 0 ] && ok "$a npm components; Debian's node-* packages carry their npm identities"
exit $fail
