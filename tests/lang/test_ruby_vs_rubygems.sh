#!/usr/bin/env bash
# drydock's gems against RubyGems and Bundler themselves, on real files.
#
#   bash tests/lang/test_ruby_vs_rubygems.sh DRYDOCK CACHE
#
# A dir: root is assembled from the gemspecs Debian's ruby packages installed on this machine
# (usr/lib/ruby/gems/*/specifications and .../default, usr/share/rubygems-integration and
# usr/lib/*/rubygems-integration: the default and bundled gems of libruby, rake, ...), plus the
# gemspecs of a few Debian ruby-* packages fetched with `apt-get download` into CACHE/other/debs
# and unpacked with dpkg -x (nokogiri's summary has a \u escape; skipped with a note when the
# archive cannot be reached). Every gemspec must be one component whose name, version,
# platform, licenses, summary and authors equal what `Gem::Specification.load` says of the same
# file.
#
# Gemfile.lock: the two real ones libruby3.1 ships inside its bundled gems (rbs's steep/ and
# typeprof's; one has a PATH section), copied into application folders; an excerpt of Rails'
# (GIT sections, platform variants; tests/lang/fixtures/ruby); and one Bundler itself writes
# here (`bundle lock --local` over installed gems). Each application's gems must equal
# `Bundler::LockfileParser`'s specs less PATH sources. The lockfiles left inside installed gems,
# and the one whose gems are installed, must give nothing. Installed with dpkg into a root of
# their own, the ruby-* packages must be one deb each with the gem's purl as evidence.
set -euo pipefail
drydock=$(realpath "${1:?usage: test_ruby_vs_rubygems.sh DRYDOCK CACHE}")
cache=${2:?usage: test_ruby_vs_rubygems.sh DRYDOCK CACHE}
. "$(dirname "$0")/other_lib.sh"
command -v ruby >/dev/null || skip "ruby is not installed (scripts/install-deps.sh installs it)"

root=$tmp/root
mkdir -p "$root"
# Debian's gemspecs on this machine, at their own paths
specdirs=$(cd / && ls -d usr/lib/ruby/gems/*/specifications usr/share/rubygems-integration/*/specifications \
    usr/lib/*/rubygems-integration/*/specifications 2>/dev/null || true)
[ -n "$specdirs" ] || skip "no gemspecs under /usr (Debian's ruby is not installed)"
(cd / && tar -cf - $specdirs) | tar -C "$root" -xf -
# the Gemfile.lock files libruby ships inside its bundled gems, left where they are
locks_in_gems=$(cd / && ls usr/lib/ruby/gems/*/gems/*/Gemfile.lock usr/lib/ruby/gems/*/gems/*/*/Gemfile.lock 2>/dev/null || true)
[ -n "$locks_in_gems" ] && (cd / && tar -cf - $locks_in_gems) | tar -C "$root" -xf -

# a few Debian ruby-* packages, unpacked (not installed: no dpkg database in this root)
debs="ruby-nokogiri ruby-rack ruby-mustermann ruby-json"
mkdir -p "$cache/other/debs"
if ! ls "$cache"/other/debs/ruby-nokogiri_*.deb >/dev/null 2>&1; then
    (cd "$cache/other/debs" && apt-get download $debs >/dev/null 2>&1) ||
        printf '%s: note: apt-get download %s failed; only the installed gemspecs are compared\n' \
            "$(basename "$0")" "$debs" >&2
fi
for deb in "$cache"/other/debs/*.deb; do
    [ -f "$deb" ] && dpkg -x "$deb" "$tmp/deb" && (cd "$tmp/deb" && find . -name '*.gemspec' -path '*/specifications/*' |
        tar -cf - -T -) | tar -C "$root" -xf -
    rm -rf "$tmp/deb"
done

# applications with a Gemfile.lock and no installed gems
n=0
for lock in $locks_in_gems; do
    n=$((n + 1))
    mkdir -p "$root/srv/debian-$n"
    cp "/$lock" "$root/srv/debian-$n/Gemfile.lock"
done
mkdir -p "$root/srv/rails"
cp "$fixtures/ruby/rails-excerpt.Gemfile.lock" "$root/srv/rails/Gemfile.lock"
# an application bundled here: its gems are the installed ones, so its lockfile is not read
mkdir -p "$root/srv/bundled"
printf 'source "https://rubygems.org"\ngem "rake"\ngem "minitest"\ngem "test-unit"\n' >"$root/srv/bundled/Gemfile"
(cd "$root/srv/bundled" && HOME=$tmp BUNDLE_GEMFILE=$PWD/Gemfile \
    ruby -e 'load Gem.bin_path("bundler", "bundle")' -- lock --local >"$tmp/bundle.log" 2>&1) ||
    die "bundle lock --local failed: $(tail -3 "$tmp/bundle.log")"
cp -r "$root/srv/bundled" "$root/srv/bundled-elsewhere"
grep -q '^    rake (' "$root/srv/bundled/Gemfile.lock" || die "bundle lock wrote no rake spec"

sbom "$tmp/sbom.json" "$root"
[ "$sbom_status" = 0 ] || bad "sbom dir:$root exited $sbom_status: $(head -3 "$tmp/sbom.json.err")"
[ -s "$tmp/sbom.json.err" ] && bad "warnings: $(head -3 "$tmp/sbom.json.err")"

# RubyGems' view of every gemspec file of the root
(cd "$root" && find . -name '*.gemspec' -path '*/specifications/*' | sed 's|^\./||' | sort) >"$tmp/gemspecs"
ngems=$(wc -l <"$tmp/gemspecs")
[ "$ngems" -ge 50 ] || bad "only $ngems gemspecs assembled"
(cd "$root" && ruby -rjson -e '
    STDIN.each_line do |l|
      path = l.chomp
      s = Gem::Specification.load(path) or abort "RubyGems cannot load #{path}"
      puts JSON.generate("path" => path, "name" => s.name, "version" => s.version.to_s,
                         "platform" => s.platform.to_s, "licenses" => s.licenses,
                         "summary" => s.summary.to_s, "authors" => s.authors)
    end') <"$tmp/gemspecs" >"$tmp/rubygems.jsonl" || die "ruby failed over the gemspecs"
compare gemspec "$tmp/sbom.json" "$tmp/rubygems.jsonl"
grep -q '"name":"nokogiri"' "$tmp/rubygems.jsonl" ||
    printf '%s: note: no Debian ruby-* package was unpacked\n' "$(basename "$0")" >&2

# Bundler's view of every application lockfile
for app in "$root"/srv/*/; do
    app=${app%/}
    rel=srv/$(basename "$app")/Gemfile.lock
    case $rel in srv/bundled*) continue ;; esac
    touch "$app/Gemfile" # Bundler resolves PATH sources against the Gemfile's folder
    (cd "$app" && BUNDLE_GEMFILE=$app/Gemfile ruby -rbundler -rjson -e '
        specs = Bundler::LockfileParser.new(File.read("Gemfile.lock")).specs
        local = specs.select { |s| s.source.is_a?(Bundler::Source::Path) && !s.source.is_a?(Bundler::Source::Git) }
        puts JSON.generate((specs - local).map { |s| [s.name, s.version.to_s] }.uniq)') \
        >"$tmp/bundler.json" || die "Bundler cannot parse $rel"
    compare gemlock "$tmp/sbom.json" "$tmp/bundler.json" "$rel"
done
absent=(srv/bundled/Gemfile.lock srv/bundled-elsewhere/Gemfile.lock)
for lock in $locks_in_gems; do absent+=("$lock"); done
compare absent "$tmp/sbom.json" "${absent[@]}"

# the same ruby-* packages installed with dpkg: one deb each with its gem's purl as evidence,
# no gem component (the gemspecs are the deb's files)
if ls "$cache"/other/debs/ruby-*.deb >/dev/null 2>&1; then
    own=$tmp/owned
    mkdir -p "$own/var/lib/dpkg/info" "$own/var/lib/dpkg/updates" "$own/var/lib/dpkg/triggers"
    : >"$own/var/lib/dpkg/status"
    dpkg --root="$own" --force-depends --force-not-root --force-script-chrootless --log=/dev/null \
        -i "$cache"/other/debs/ruby-*.deb >"$tmp/dpkg.log" 2>&1 || die "dpkg -i failed: $(tail -3 "$tmp/dpkg.log")"
    sbom "$tmp/owned.json" "$own"
    [ "$sbom_status" = 0 ] || bad "sbom dir:$own exited $sbom_status"
    n=$(jq '[.components[] | select(.purl | startswith("pkg:gem/"))] | length' "$tmp/owned.json")
    [ "$n" = 0 ] || bad "$n gem components in a root where dpkg owns every gemspec"
    for deb in "$cache"/other/debs/ruby-*.deb; do
        pkg=$(dpkg-deb -f "$deb" Package)
        want=$(cd "$own" && dpkg-deb -c "$deb" | awk '{ print "." substr($6, 2) }' |
            grep '/specifications/.*\.gemspec$' | ruby -e '
                STDIN.each_line { |l| s = Gem::Specification.load(l.chomp); puts "pkg:gem/#{s.name}@#{s.version}" }' | sort)
        got=$(jq -r --arg p "$pkg" '.components[] | select(.name == $p and (.purl | startswith("pkg:deb/")))
            | [.properties[] | select(.name == "drydock:package:language_purl") | .value] | .[]' "$tmp/owned.json" | sort)
        [ -n "$want" ] && [ "$got" = "$want" ] || bad "$pkg: evidence '$got', RubyGems says '$want'"
    done
    [ $fail = 0 ] && ok "dpkg-installed ruby-* packages: one deb each, their gem purls as evidence"
fi
exit $fail
