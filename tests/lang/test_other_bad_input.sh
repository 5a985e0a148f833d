#!/usr/bin/env bash
# Malformed Ruby, PHP, .NET and pnpm files: a warning naming the file (and line), everything
# else still cataloged, exit status 0, bounded time and memory.
#
#   bash tests/lang/test_other_bad_input.sh DRYDOCK
#
# Beside a good file of each kind: a gemspec cut inside a string (its "# stub:" line still names
# the gem), a Gemfile.lock with a merge conflict, a composer.lock cut in the middle, an
# installed.json of another shape, a deps.json whose library key is no NAME/VERSION, a
# pnpm-lock.yaml with an alias bomb (a billion laughs) and one of an unknown lockfileVersion.
set -euo pipefail
drydock=$(realpath "${1:?usage: test_other_bad_input.sh DRYDOCK}")
. "$(dirname "$0")/other_lib.sh"

root=$tmp/root
gems=$root/usr/local/bundle/specifications
mkdir -p "$gems" "$root/srv/rb" "$root/srv/php/vendor/composer" "$root/srv/php-lock" \
    "$root/srv/net" "$root/srv/pnpm-bomb" "$root/srv/pnpm-new" "$root/srv/pnpm-good"
cat >"$gems/good-1.0.gemspec" <<'EOF'
# -*- encoding: utf-8 -*-
# stub: good 1.0 ruby lib

Gem::Specification.new do |s|
  s.name = "good".freeze
  s.version = "1.0"
  s.licenses = ["MIT".freeze]
end
EOF
sed 's/good/cut/g; s/1\.0/2.0/; /licenses/a\  s.summary = "never ends' "$gems/good-1.0.gemspec" \
    >"$gems/cut-2.0.gemspec"
printf 'GEM\n  remote: https://rubygems.org/\n  specs:\n<<<<<<< HEAD\n    rack (2.2.8)\n' >"$root/srv/rb/Gemfile.lock"
printf '{"packages": {"name": "a/b"}}\n' >"$root/srv/php/vendor/composer/installed.json"
head -c 3000 "$fixtures/php/composer.lock" >"$root/srv/php-lock/composer.lock"
printf '{"libraries": {"Newtonsoft.Json": {"type": "package"}}}\n' >"$root/srv/net/App.deps.json"
cp "$fixtures/dotnet/selfcontained.deps.json" "$root/srv/net/"
{
    printf "lockfileVersion: '9.0'\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for i in 1 2 3 4 5 6 7 8 9; do
        j=$((i - 1))
        printf 'a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n' \
            $i $i $j $j $j $j $j $j $j $j $j $j
    done
} >"$root/srv/pnpm-bomb/pnpm-lock.yaml"
printf "lockfileVersion: '10.0'\n" >"$root/srv/pnpm-new/pnpm-lock.yaml"
printf "lockfileVersion: '9.0'\npackages:\n  left-pad@1.3.0:\n    resolution: {integrity: sha512-x}\n" \
    >"$root/srv/pnpm-good/pnpm-lock.yaml"

start=$(date +%s)
sbom "$tmp/sbom.json" "$root"
[ $(($(date +%s) - start)) -lt 20 ] || bad "the run took more than 20 s"
[ "$sbom_status" = 0 ] || bad "exit status $sbom_status, expected 0"
grep -v '^drydock: warning: ' "$tmp/sbom.json.err" | grep . && bad "stderr has more than warnings"
warnings=$(grep -c 'warning: ' "$tmp/sbom.json.err" || true)
[ "$warnings" = 7 ] || bad "$warnings warnings, expected 7: $(cat "$tmp/sbom.json.err")"
for w in "usr/local/bundle/specifications/cut-2.0.gemspec:8: a string that does not end" \
    "srv/rb/Gemfile.lock:4: a merge conflict marker" \
    "srv/php/vendor/composer/installed.json: neither an array" \
    "srv/php-lock/composer.lock:" \
    "srv/net/App.deps.json: libraries key \"Newtonsoft.Json\" is not NAME/VERSION" \
    "srv/pnpm-bomb/pnpm-lock.yaml:" "srv/pnpm-new/pnpm-lock.yaml: lockfileVersion 10.0"; do
    grep -qF "warning: $w" "$tmp/sbom.json.err" || bad "no warning naming $w"
done
grep -qF "(an alias bomb?)" "$tmp/sbom.json.err" || bad "the alias bomb is not named"
purls=$(jq -r '.components[].purl' "$tmp/sbom.json" | sort)
for want in pkg:gem/good@1.0 pkg:gem/cut@2.0 pkg:npm/left-pad@1.3.0 \
    pkg:nuget/YamlDotNet@16.3.0; do
    grep -qx "$want" <<<"$purls" || bad "$want is missing"
done
[ $fail = 0 ] && ok "seven warnings naming the files; the good neighbours listed"
exit $fail
