#!/usr/bin/env bash
# Lint throughput: Dockerfiles per second on one core over a generated corpus of realistic
# Dockerfiles, and the ratio against the npm package dockerfilelint on the same files.
#
#   bench/lint.sh [DRYDOCK] [N]     (defaults: build/release/drydock or build/lint/drydock, 20000)
#
# The corpus is made from the templates in tests/fuzz/corpus/dockerfile (KICS test cases, the
# seed practices, real image Dockerfiles) with varied names, tags, packages and lengths.
# dockerfilelint is installed with npm into bench/.cache (not committed); without npm or the
# registry the ratio is skipped.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
drydock=${1:-}
n=${2:-20000}
if [ -z "$drydock" ]; then
    for c in "$root/build/release/drydock" "$root/build/lint/drydock" "$root/build/dev/drydock"; do
        [ -x "$c" ] && { drydock=$c; break; }
    done
fi
[ -x "$drydock" ] || { echo "no drydock binary; pass its path" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"

python3 - "$root/tests/fuzz/corpus/dockerfile" "$work/corpus" "$n" <<'PY'
import os, random, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
random.seed(42)
templates = []
for f in sorted(os.listdir(src)):
    data = open(os.path.join(src, f), "rb").read()
    if b"\0" in data or "unterminated" in f or not data.strip().upper().startswith((b"FROM", b"#", b"ARG")):
        continue
    templates.append(data.decode("utf-8", "replace"))
pkgs = ["curl", "git", "ca-certificates", "openssl", "python3", "libpq-dev", "nginx", "jq"]
bases = ["debian:12-slim", "ubuntu:22.04", "alpine:3.19", "node:20-alpine", "python:3.12-slim",
         "golang:1.22", "nginx:1.25", "eclipse-temurin:21-jre"]
for i in range(n):
    t = random.choice(templates)
    extra = "\n".join("RUN apt-get update && apt-get install -y --no-install-recommends %s && "
                      "rm -rf /var/lib/apt/lists/*" % " ".join(random.sample(pkgs, 3))
                      for _ in range(random.randint(0, 3)))
    body = "FROM %s AS base%d\n%s\n%s\nUSER %d\n" % (random.choice(bases), i, extra, t,
                                                      1000 + i % 50)
    with open(os.path.join(dst, "f%05d.Dockerfile" % i), "w") as fh:
        fh.write(body)
PY
bytes=$(cat "$work/corpus"/*.Dockerfile | wc -c)
echo "corpus: $n Dockerfiles, $((bytes / 1024)) KiB (avg $((bytes / n)) bytes)"

pin="taskset -c 0"
command -v taskset >/dev/null || pin=""
# warm the page cache, then time the tty and the json report (both written one finding at a time)
cat "$work/corpus"/*.Dockerfile >/dev/null
for fmt in tty json; do
    start=$(date +%s%N)
    /usr/bin/time -f "%U %S" -o "$work/cpu" $pin "$drydock" lint --no-config \
        --failure-threshold none -f $fmt "$work/corpus" >"$work/out.$fmt" 2>/dev/null || true
    end=$(date +%s%N)
    ns=$((end - start))
    cpu=$(awk '{print $1 + $2}' "$work/cpu")
    r=$(python3 -c "print(round($n / ($ns / 1e9)))")
    rcpu=$(python3 -c "print(round($n / max($cpu, 0.01)))")
    echo "drydock -f $fmt: $n files in $((ns / 1000000)) ms wall ($cpu s CPU) on one core = $r Dockerfiles/s wall, $rcpu/s CPU"
    if [ $fmt = tty ]; then rate=$r; fi
done
echo "findings: $(jq '.findings | length' "$work/out.json")"

cache="$root/bench/.cache"
dfl="$cache/node_modules/.bin/dockerfilelint"
if [ ! -x "$dfl" ] && command -v npm >/dev/null; then
    mkdir -p "$cache"
    npm install --prefix "$cache" --no-audit --no-fund --silent dockerfilelint >/dev/null 2>&1 || true
fi
if [ -x "$dfl" ]; then
    m=$((n < 2000 ? n : 2000))
    ls "$work/corpus" | sed -n "1,${m}s|^|$work/corpus/|p" >"$work/list"
    start=$(date +%s%N)
    # dockerfilelint takes one file per run for its JSON output; batch them through xargs
    xargs -a "$work/list" -n 200 $pin "$dfl" -o json >/dev/null 2>&1 || true
    end=$(date +%s%N)
    ns2=$((end - start))
    rate2=$(python3 -c "print(round($m / ($ns2 / 1e9), 1))")
    echo "dockerfilelint: $m files in $((ns2 / 1000000)) ms on one core = $rate2 Dockerfiles/s"
    python3 -c "print('ratio: drydock is %.0fx faster than dockerfilelint' % ($rate / $rate2))"
else
    echo "dockerfilelint: not available (npm install failed); ratio skipped"
fi
python3 -c "import sys; sys.exit(0 if $rate >= 10000 else 1)" && echo "goal >= 10000/s: met" ||
    { echo "goal >= 10000/s: NOT met"; exit 1; }
