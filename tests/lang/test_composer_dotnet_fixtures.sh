#!/usr/bin/env bash
# drydock's Composer and .NET packages against the files they come from.
#
#   bash tests/lang/test_composer_dotnet_fixtures.sh DRYDOCK
#
# Neither Composer nor the .NET SDK can run here, so tests/lang/fixtures/php and .../dotnet hold
# files in the exact layout those tools write, with the values of real package releases (see
# tests/lang/README.md): Composer 2's installed.json and composer.lock, Composer 1's
# installed.json, the deps.json of a framework-dependent app (with a project reference and
# asset-less meta packages) and of a self-contained one (with its runtime pack). Each is placed
# where an image has it; the components found there must be the packages the file lists, with
# the development flag it implies (compare_other.py reads the files as the formats' documentation
# says), and a composer.lock beside an installed vendor folder must give nothing.
set -euo pipefail
drydock=$(realpath "${1:?usage: test_composer_dotnet_fixtures.sh DRYDOCK}")
. "$(dirname "$0")/other_lib.sh"

root=$tmp/root
mkdir -p "$root/var/www/app/vendor/composer" "$root/srv/legacy/vendor/composer" \
    "$root/srv/locked" "$root/app/hello2" "$root/app/selfcontained"
cp "$fixtures/php/installed.json" "$root/var/www/app/vendor/composer/installed.json"
cp "$fixtures/php/composer.lock" "$root/var/www/app/composer.lock"
cp "$fixtures/php/installed-composer1.json" "$root/srv/legacy/vendor/composer/installed.json"
cp "$fixtures/php/composer.lock" "$root/srv/locked/composer.lock"
cp "$fixtures/dotnet/hello2.deps.json" "$root/app/hello2/"
cp "$fixtures/dotnet/selfcontained.deps.json" "$root/app/selfcontained/"

sbom "$tmp/sbom.json" "$root"
[ "$sbom_status" = 0 ] || bad "sbom dir:$root exited $sbom_status: $(head -3 "$tmp/sbom.json.err")"
[ -s "$tmp/sbom.json.err" ] && bad "warnings: $(head -3 "$tmp/sbom.json.err")"

compare composer "$tmp/sbom.json" "$fixtures/php/installed.json" var/www/app/vendor/composer/installed.json
compare composer "$tmp/sbom.json" "$fixtures/php/installed-composer1.json" srv/legacy/vendor/composer/installed.json
compare composer "$tmp/sbom.json" "$fixtures/php/composer.lock" srv/locked/composer.lock
compare deps "$tmp/sbom.json" "$fixtures/dotnet/hello2.deps.json" app/hello2/hello2.deps.json
compare deps "$tmp/sbom.json" "$fixtures/dotnet/selfcontained.deps.json" app/selfcontained/selfcontained.deps.json
compare absent "$tmp/sbom.json" var/www/app/composer.lock

# purls as the purl specification writes them for these types
purls=$(jq -r '.components[].purl' "$tmp/sbom.json" | sort -u)
for want in pkg:composer/symfony/polyfill-php72@v1.27.0 pkg:composer/pear/pear_exception@v1.0.2 \
    pkg:nuget/JsonDiffPatch@2.0.61 pkg:nuget/Microsoft.NETCore.App.Runtime.linux-x64@8.0.11; do
    grep -qx "$want" <<<"$purls" || bad "no component with purl $want"
done
[ $fail = 0 ] && ok "composer and nuget purls"
exit $fail
