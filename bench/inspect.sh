#!/usr/bin/env bash
# Benchmarks `drydock inspect --files` on a real Debian image: wall time against the floor of
# `gzip -dc | tar -t` over the same layer blobs, and peak memory on that image and on one
# four times its size.
#
#   bash bench/inspect.sh [CACHE_DIR]
#
# CACHE_DIR defaults to $DRYDOCK_TEST_IMAGES, else tests/images/cache (the image tests'
# cache, so the images are built once for both). The images are built by
# tests/images/build.sh if needed; drydock is built with the release preset. Environment:
# RUNS (timed runs of each command, default 10), DRYDOCK (use this binary, skip the build).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cache=${1:-${DRYDOCK_TEST_IMAGES:-$root/tests/images/cache}}
runs=${RUNS:-10}
log() { printf 'bench: %s\n' "$*" >&2; }

log "images: tests/images/build.sh $cache"
bash "$root/tests/images/build.sh" "$cache"
cache=$(cd "$cache" && pwd)

if [ -n "${DRYDOCK:-}" ]; then
    drydock=$DRYDOCK
else
    log "drydock: cmake --preset release && cmake --build --preset release --target drydock"
    (cd "$root" && cmake --preset release >/dev/null && cmake --build --preset release --target drydock >/dev/null)
    drydock="$root/build/release/drydock"
fi
[ -x "$drydock" ] || { log "no drydock binary at $drydock"; exit 1; }

if [ ! -x /usr/bin/time ]; then
    log "GNU time is missing: apt-get install -y time (for peak RSS)"
    apt-get install -y time >/dev/null
fi

image="$cache/derived.docker-gz.tar"
big="$cache/big4x.docker-gz.tar"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The baseline reads the very layer blobs of the image: take them out of the archive once
# (not timed), in manifest order.
log "baseline: extracting the layer blobs of $(basename "$image")"
python3 - "$image" "$tmp/layers" <<'EOF'
import json, os, shutil, sys, tarfile
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst)
with tarfile.open(src) as t:
    layers = json.load(t.extractfile("manifest.json"))[0]["Layers"]
    for i, name in enumerate(layers):
        with t.extractfile(name) as f, open(os.path.join(dst, "%03d.tar.gz" % i), "wb") as o:
            shutil.copyfileobj(f, o, 1 << 20)
EOF
cat >"$tmp/baseline.sh" <<'EOF'
set -euo pipefail
for l in "$1"/*.tar.gz; do gzip -dc "$l" | tar -t >/dev/null; done
EOF
inspect_cmd="'$drydock' inspect --files -f json '$image' >/dev/null"
baseline_cmd="bash '$tmp/baseline.sh' '$tmp/layers'"
log "inspect:  $inspect_cmd"
log "gzip+tar: $baseline_cmd"
eval "$inspect_cmd" || { log "drydock inspect fails on $image"; exit 1; }

if command -v hyperfine >/dev/null; then
    log "timing with hyperfine, $runs runs each after 2 warm-ups"
    hyperfine --style basic --warmup 2 --runs "$runs" --export-json "$tmp/times.json" \
        -n inspect "$inspect_cmd" -n gzip+tar "$baseline_cmd" >&2
    read -r t_inspect t_base < <(python3 -c '
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print(r["inspect"], r["gzip+tar"])' "$tmp/times.json")
else
    log "timing with a bash loop (no hyperfine), $runs runs each, alternating"
    : >"$tmp/inspect.t"; : >"$tmp/base.t"
    eval "$baseline_cmd"  # warm-up
    for _ in $(seq "$runs"); do
        s=$(date +%s.%N); eval "$inspect_cmd"; e=$(date +%s.%N)
        echo "$e - $s" | bc >>"$tmp/inspect.t"
        s=$(date +%s.%N); eval "$baseline_cmd"; e=$(date +%s.%N)
        echo "$e - $s" | bc >>"$tmp/base.t"
    done
    median() { sort -g "$1" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
    t_inspect=$(median "$tmp/inspect.t") t_base=$(median "$tmp/base.t")
fi

# peak_rss_kb IMAGE: GNU time's maximum resident set size of one inspect --files run.
peak_rss_kb() {
    /usr/bin/time -v -o "$tmp/rss" "$drydock" inspect --files -f json "$1" >/dev/null
    awk -F': *' '/Maximum resident set size/ {print $2}' "$tmp/rss"
}
log "peak RSS: $(basename "$image")"
rss_small=$(peak_rss_kb "$image")
log "peak RSS: $(basename "$big")"
rss_big=$(peak_rss_kb "$big")

size_small=$(stat -c %s "$image") size_big=$(stat -c %s "$big")
python3 - "$t_inspect" "$t_base" "$rss_small" "$rss_big" "$size_small" "$size_big" <<'EOF'
import sys
ti, tb, rs, rb, ss, sb = map(float, sys.argv[1:])
print("image:    derived Debian 12, docker-archive with gzip layers, %.1f MB" % (ss / 1e6))
print("inspect --files -f json wall (median): %.3f s" % ti)
print("gzip -dc | tar -t wall (median):       %.3f s" % tb)
print("inspect/gzip+tar wall ratio: %.2f (goal <= 1.0)" % (ti / tb))
print("peak RSS derived (%.0f MB archive): %.1f MB" % (ss / 1e6, rs / 1024))
print("peak RSS 4x      (%.0f MB archive): %.1f MB" % (sb / 1e6, rb / 1024))
print("peak RSS 4x/derived ratio: %.2f (goal: both <= 64 MB and flat, ratio ~1.0)" % (rb / rs))
EOF
