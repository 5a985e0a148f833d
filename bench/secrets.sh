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
c = statistics.median(float(r["compile_ms"]) for r in rows)
print("throughput (median): %.2f GB/s on one core, %s files, %.0f MB" % (g, rows[0]["files"], int(rows[0]["bytes"]) / 1e6))
print("throughput/goal ratio: %.2f (goal >= 1.00, i.e. 1 GB/s)" % g)
print("database compile: %.0f ms, once per run (dd_secrets_new), %.1f%% of one scan of this corpus"
      % (c, 100 * c / 1000 / (int(rows[0]["bytes"]) / 1e9 / g + c / 1000)))
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
