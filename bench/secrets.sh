#!/usr/bin/env bash
# Secret scanner throughput on text, on one core, against the 1 GB/s goal; the rule database
# compile time (paid once per run); and, when `trivy` is on PATH, the time of a scan of the
# same tree side by side with `trivy fs --scanners secret`.
#
#   bench/secrets.sh [DRIVER] [MAX_MB] [TREE]
#       DRIVER  the test driver dd_secrets_scan (default: a Release build made in
#               build/secrets-bench); MAX_MB of text read into memory (default 400);
#       TREE    the text to scan (default /usr/share: documentation, scripts, data files)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
driver=${1:-}
max_mb=${2:-400}
tree=${3:-/usr/share}
runs=${RUNS:-5}
if [ -z "$driver" ]; then
    build=$root/build/secrets-bench
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" -j2 --target dd_secrets_scan >/dev/null
    driver=$build/tests/dd_secrets_scan
fi
[ -x "$driver" ] || { echo "no driver at $driver" >&2; exit 2; }

n_rules=$("$driver" --rules-md | grep -c '^| .DD-SECRET')
echo "secret scanner: $n_rules rules, $tree (up to $max_mb MB of text), $runs runs"
results=()
for i in $(seq 1 "$runs"); do
    line=$(taskset -c 0 "$driver" --bench "$max_mb" "$tree" 2>/dev/null || "$driver" --bench "$max_mb" "$tree")
    echo "  run $i: $line"
    results+=("$line")
done
printf '%s\n' "${results[@]}" | python3 -c '
import sys, statistics
rows = [dict(kv.split("=") for kv in l.split()) for l in sys.stdin if l.strip()]
g = statistics.median(float(r["gbps"]) for r in rows)
cg = statistics.median(float(r["cpu_gbps"]) for r in rows)
c = statistics.median(float(r["compile_ms"]) for r in rows)
ld = statistics.median(float(r["load_ms"]) for r in rows)
print("throughput (median): %.2f GB/s on one core (%.2f GB/s of CPU time), %s files, %.0f MB"
      % (g, cg, rows[0]["files"], int(rows[0]["bytes"]) / 1e6))
print("throughput/goal ratio: %.2f (goal >= 1.00, i.e. 1 GB/s)" % g)
print("database compile: %.0f ms, once per run (dd_secrets_new), %.1f%% of one scan of this corpus"
      % (c, 100 * c / 1000 / (int(rows[0]["bytes"]) / 1e9 / g + c / 1000)))
print("database load from the cache of an earlier run: %.1f ms" % ld)
'

if command -v trivy >/dev/null 2>&1; then
    echo "side by side with trivy on $tree:"
    if command -v hyperfine >/dev/null 2>&1; then
        hyperfine -w 1 -r 3 -N "$driver $tree" "trivy fs --quiet --scanners secret --skip-db-update $tree"
    else
        t0=$(date +%s.%N); "$driver" "$tree" >/dev/null; t1=$(date +%s.%N)
        trivy fs --quiet --scanners secret "$tree" >/dev/null; t2=$(date +%s.%N)
        python3 -c "import sys; a=$t1-$t0; b=$t2-$t1; print('drydock %.2fs, trivy %.2fs, trivy/drydock ratio %.2f' % (a, b, b/a))"
    fi
else
    echo "trivy not on PATH: drydock's own figures only"
fi

# --- what the secret scanner adds to drydock image (goal: <= 30%) ----------------------------
# The Debian application image of tests/images/app.sh (npm, Python, Go and Java packages on
# Debian 12): `drydock image --scanners vuln` against `--scanners vuln,secret`, side by side.
[ "${IMAGE:-1}" != 0 ] || exit 0
cache=${DRYDOCK_TEST_IMAGES:-$root/tests/images/cache}
app=$cache/app/app.docker.tar
if [ ! -s "$app" ]; then
    echo "building the application image (tests/images/lang.sh, app.sh)" >&2
    { [ -x "$cache/lang/rootfs/bin/sh" ] || bash "$root/tests/images/lang.sh" "$cache" >&2; } &&
        bash "$root/tests/images/app.sh" "$cache" >&2 || { echo "app image build failed" >&2; exit 1; }
fi
drydock=${DRYDOCK:-}
if [ -z "$drydock" ]; then
    (cd "$root" && cmake --preset release >/dev/null && cmake --build --preset release --target drydock >/dev/null)
    drydock=$root/build/release/drydock
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
vulndata=${VULNDATA:-$(cd "$root/.." && pwd)/shared/vulndata}
"$drydock" db import --db "$tmp/vuln.db" "$vulndata" 2>/dev/null
median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
for s in vuln vuln,secret; do # warm the page cache
    "$drydock" image --scanners "$s" --db "$tmp/vuln.db" -f json -o "$tmp/out.json" "$app"
done
irun=${IMAGE_RUNS:-7}
: >"$tmp/base" && : >"$tmp/with"
for i in $(seq 1 "$irun"); do # interleaved, so load on the machine hits both alike
    for s in vuln vuln,secret; do
        t0=$(date +%s.%N)
        "$drydock" image --scanners "$s" --db "$tmp/vuln.db" -f json -o "$tmp/out.json" "$app"
        t1=$(date +%s.%N)
        awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }' >>"$tmp/$([ "$s" = vuln ] && echo base || echo with)"
    done
done
n_secrets=$(jq '[.issues[]? | select(.class == "secret")] | length' "$tmp/out.json")
base=$(median <"$tmp/base") with=$(median <"$tmp/with")
printf 'drydock image %s (%s): --scanners vuln %.3f s, vuln,secret %.3f s (medians of %s, %s secret findings)\n' \
    "$(basename "$app")" "$(du -h "$app" | cut -f1)" "$base" "$with" "$irun" "$n_secrets"
awk -v a="$base" -v b="$with" 'BEGIN { printf "secret scanning overhead ratio: %.2f (goal <= 1.30)\n", b / a }'
