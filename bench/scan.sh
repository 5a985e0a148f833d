#!/usr/bin/env bash
# Benchmarks the vulnerability side: `drydock db import` of all of ../shared/vulndata (goal:
# < 3 s) and `drydock image --scanners vuln` on the Debian images of tests/images (the
# application image of tests/images/app.sh among them, when built) with a warm database (goal:
# < 0.3 s end to end), medians over RUNS runs, with the breakdown drydock prints with --timing
# (catalog, match, report).
#
#   bash bench/scan.sh [CACHE_DIR]
#
# Environment: RUNS (default 5), DRYDOCK (use this binary instead of building the release
# preset), VULNDATA (default ../shared/vulndata).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cache=${1:-${DRYDOCK_TEST_IMAGES:-$root/tests/images/cache}}
runs=${RUNS:-5}
vulndata=${VULNDATA:-$(cd "$root/.." && pwd)/shared/vulndata}
log() { printf 'bench: %s\n' "$*" >&2; }

[ -d "$vulndata" ] || { log "no OSV data at $vulndata"; exit 1; }
[ -f "$cache/debian.docker.tar" ] || bash "$root/tests/images/build.sh" "$cache"
if [ -n "${DRYDOCK:-}" ]; then
    drydock=$DRYDOCK
else
    log "drydock: cmake --preset release && cmake --build --preset release --target drydock"
    (cd "$root" && cmake --preset release >/dev/null && cmake --build --preset release --target drydock >/dev/null)
    drydock=$root/build/release/drydock
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# median of the numbers on stdin
median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
now() { date +%s.%N; }

import_times=()
for ((i = 0; i < runs; i++)); do
    rm -f "$tmp/vuln.db"
    t0=$(now)
    "$drydock" db import --db "$tmp/vuln.db" "$vulndata" 2>"$tmp/import.log"
    t1=$(now)
    import_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
done
records=$(grep -o 'imported [0-9]* records' "$tmp/import.log" | grep -o '[0-9]*')
imp=$(printf '%s\n' "${import_times[@]}" | median)
printf '%-44s %8.3f s  (goal < 3 s; %s records, %s)\n' "db import (all of vulndata)" "$imp" \
    "$records" "$(du -h "$tmp/vuln.db" | cut -f1)"

images=()
for f in debian.docker.tar debian.oci.tar bullseye/bullseye-vuln.docker.tar bullseye/bullseye-vuln.oci.tar \
    app/app.docker.tar; do
    [ -f "$cache/$f" ] && images+=("$cache/$f")
done
[ -d "$cache/rootfs" ] && images+=("dir:$cache/rootfs")
"$drydock" image --scanners vuln --db "$tmp/vuln.db" -f json -o "$tmp/warm.json" "${images[0]}" # warm the caches
for img in "${images[@]}"; do
    walls=() cat=() mat=() rep=()
    for ((i = 0; i < runs; i++)); do
        t0=$(now)
        "$drydock" image --scanners vuln --timing --db "$tmp/vuln.db" -f json -o "$tmp/out.json" "$img" 2>"$tmp/t.log"
        t1=$(now)
        walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
        line=$(grep 'timing:' "$tmp/t.log")
        cat+=("$(sed -E 's/.*catalog ([0-9.]+) ms.*/\1/' <<<"$line")")
        mat+=("$(sed -E 's/.*match ([0-9.]+) ms.*/\1/' <<<"$line")")
        rep+=("$(sed -E 's/.*report ([0-9.]+) ms.*/\1/' <<<"$line")")
    done
    n=$(jq '.findings | length' "$tmp/out.json")
    pk=$(jq '[.findings[].package.name] | unique | length' "$tmp/out.json")
    printf '%-44s %8.3f s  (goal < 0.3 s; catalog %s ms, match %s ms, report %s ms; %s findings in %s packages)\n' \
        "image $(basename "$img")" "$(printf '%s\n' "${walls[@]}" | median)" \
        "$(printf '%s\n' "${cat[@]}" | median)" "$(printf '%s\n' "${mat[@]}" | median)" \
        "$(printf '%s\n' "${rep[@]}" | median)" "$n" "$pk"
done
