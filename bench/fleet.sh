#!/usr/bin/env bash
# Benchmarks the fleet server (`drydock serve`) on SQLite and on PostgreSQL 15, over loopback:
#   - ingest of 3,000-component SBOMs: per-push latency (goal < 50 ms) and sustained rate with
#     CONC pushes in flight (goal >= 100 per second);
#   - "affected by" (GET /api/v1/affected/ID) over IMAGES images x 500 packages, driven by wrk
#     for DURATION seconds with THREADS connections, then 16: p99 (goal < 20 ms), errors (goal 0);
#   - re-match after importing 1,000 new advisories (goal < 5 s).
# The package sets are real: components of the test images' SBOMs (Debian 12 dpkg, the lang
# image's npm and Python packages) and (name, version) pairs that PyPI advisories of
# ../shared/vulndata list as affected, so "affected by" answers real matches.
# Dependency-Track, the reference of issue 7, cannot be installed here (no JVM service in
# Debian): the goals stand in for it and the "x goal" column is measured / goal.
#
#   bash bench/fleet.sh [CACHE_DIR]
#
# Environment: DRYDOCK (use this binary instead of building the release preset), IMAGES
# (default 10000), INGEST (3,000-component pushes, default 300), CONC (default 4), DURATION
# (seconds of each "affected by" wrk run, default 60), THREADS (the server's request threads,
# default the number of CPUs), BACKENDS (default "sqlite postgresql"), VULNDATA.
# The load is wrk's alone (Lua scripts beside this file, no process per request): pushes by
# fleet-push.lua, each SBOM sent once; "affected by" by fleet-affected.lua, p99 once with as
# many connections as the server has threads (the goal line) and once with 16 (saturation).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cache=${1:-${DRYDOCK_TEST_IMAGES:-$root/tests/images/cache}}
vulndata=${VULNDATA:-$(cd "$root/.." && pwd)/shared/vulndata}
n_images=${IMAGES:-10000}
n_ingest=${INGEST:-300}
conc=${CONC:-4}
duration=${DURATION:-60}
server_threads=${THREADS:-$(nproc)}
backends=${BACKENDS:-sqlite postgresql}
log() { printf 'bench: %s\n' "$*" >&2; }

for tool in wrk curl jq python3; do
    command -v "$tool" >/dev/null ||
        { log "$tool is not installed (Debian: apt-get install $tool)"; exit 1; }
done
[ -f "$cache/debian.docker.tar" ] || bash "$root/tests/images/build.sh" "$cache"
if [ -n "${DRYDOCK:-}" ]; then
    drydock=$DRYDOCK
else
    log "drydock: cmake --preset release && cmake --build --preset release --target drydock"
    (cd "$root" && cmake --preset release >/dev/null &&
        cmake --build --preset release --target drydock >/dev/null)
    drydock=$root/build/release/drydock
fi
tmp=$(mktemp -d)
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    [[ $backends == *postgresql* ]] && bash "$root/tests/fleet/pg.sh" stop "$tmp/pg" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
export DRYDOCK_ADMIN_KEY=ddk_bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')

# --- inputs ---------------------------------------------------------------------------------
log "SBOMs of the test images, the vulnerability databases"
"$drydock" sbom -o "$tmp/debian.cdx.json" "$cache/debian.docker.tar"
lang_sbom=
if [ -f "$cache/lang/lang.docker.tar" ]; then
    "$drydock" sbom -o "$tmp/lang.cdx.json" "$cache/lang/lang.docker.tar" 2>/dev/null
    lang_sbom=$tmp/lang.cdx.json
fi
"$drydock" db import --db "$tmp/v1.db" "$vulndata" 2>/dev/null

# gen.py: the package pool, SBOMs drawn from it, the advisory ids to query, and 1,000 new
# advisories on pool packages for the re-match.
cat >"$tmp/gen.py" <<'PY'
import json, random, sys, os
out, vulndata, n_small, n_big = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
sboms = sys.argv[5:]
rnd = random.Random(7)
pool, seen = [], set()
for path in sboms:
    for c in json.load(open(path)).get("components", []):
        if c.get("purl") and c["purl"] not in seen:
            seen.add(c["purl"]); pool.append((c["name"], c.get("version", ""), c["purl"]))
ids = []
for line in open(os.path.join(vulndata, "pypi.osv.jsonl")):
    rec = json.loads(line)
    for aff in rec.get("affected", []):
        vs = aff.get("versions") or []
        name = aff["package"]["name"].lower()
        for v in vs[-3:]:
            purl = f"pkg:pypi/{name}@{v}"
            if purl not in seen:
                seen.add(purl); pool.append((name, v, purl))
        if vs:
            ids.append(rec["id"])
def sbom(i, n):
    comps = [{"type": "library", "name": nm, "version": v, "purl": p, "bom-ref": p}
             for nm, v, p in rnd.sample(pool, min(n, len(pool)))]
    return {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "metadata": {"component": {"type": "container", "name": f"bench/app{i}",
                                       "version": "sha256:%064x" % (i + 1)}},
            "components": comps}
os.makedirs(f"{out}/small", exist_ok=True); os.makedirs(f"{out}/big", exist_ok=True)
for i in range(n_small):
    json.dump(sbom(i, 500), open(f"{out}/small/{i}.json", "w"))
for i in range(n_big):
    json.dump(sbom(10**6 + i, 3000), open(f"{out}/big/{i}.json", "w"))
rnd.shuffle(ids)
with open(f"{out}/ids.txt", "w") as f:
    f.write("\n".join(ids[:200]) + "\n")
pypi = sorted({nm for nm, v, p in pool if p.startswith("pkg:pypi/")})
with open(f"{out}/new.jsonl", "w") as f:
    for k in range(1000):
        nm = pypi[k % len(pypi)]
        f.write(json.dumps({"schema_version": "1.6.0", "id": "BENCH-%04d" % k,
                            "modified": "2026-01-01T00:00:00Z",
                            "affected": [{"package": {"ecosystem": "PyPI", "name": nm},
                                          "ranges": [{"type": "ECOSYSTEM", "events": [
                                              {"introduced": "0"}, {"fixed": "99999"}]}]}]}) + "\n")
print(len(pool))
PY
pool=$(python3 "$tmp/gen.py" "$tmp/gen" "$vulndata" "$n_images" "$n_ingest" \
    "$tmp/debian.cdx.json" $lang_sbom)
log "pool of $pool real packages; $n_images SBOMs of 500 and $n_ingest of 3,000 components written"
"$drydock" db import --db "$tmp/v2.db" "$vulndata" "$tmp/gen/new.jsonl" 2>/dev/null

# --- the server --------------------------------------------------------------------------------
start_server() { # DB_URL
    "$drydock" serve --db "$1" --listen 127.0.0.1:0 --vulndb "$tmp/vulndb.db" --watch-vulndb 0 \
        --allow-vulndb-path --max-connections 512 --threads "$server_threads" 2>"$tmp/server.log" &
    server_pid=$!
    for _ in $(seq 1 300); do
        server=$(grep -o 'http://[0-9.:]*' "$tmp/server.log" | head -1) &&
            [ -n "$server" ] && return 0
        sleep 0.1
    done
    log "the server did not start: $(cat "$tmp/server.log")"
    exit 1
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }
# push_all LIST CONNECTIONS OUT: wrk (bench/fleet-push.lua) pushes every SBOM listed in LIST
# exactly once over CONNECTIONS connections (one wrk thread each), then prints its key/value
# summary to OUT. wrk's -d is only a bound: the script interrupts wrk when the last push is
# answered.
push_all() {
    local n
    n=$(wc -l <"$1")
    [ "$2" -le "$n" ] || set -- "$1" "$n" "$3"
    rm -f "$tmp/push.done"
    FLEET_FILES=$1 FLEET_THREADS=$2 FLEET_KEY=$DRYDOCK_ADMIN_KEY FLEET_DONE=$tmp/push.done \
        wrk -t"$2" -c"$2" -d3600s -T60s -s "$here/fleet-push.lua" "$server" >"$3"
}
kv() { awk -v k="$1" '$1 == k {print $2}' "$2"; }
# affected CONNECTIONS OUT: wrk (bench/fleet-affected.lua) for DURATION seconds
affected() {
    local t=$(($1 < 2 ? $1 : 2))
    FLEET_IDS=$tmp/gen/ids.txt FLEET_KEY=$DRYDOCK_ADMIN_KEY \
        wrk -t"$t" -c"$1" -d"${duration}s" -s "$here/fleet-affected.lua" "$server" >"$2"
}
row() { # NAME VALUE UNIT GOAL(number) GOAL_TEXT [NOTE]
    printf '%-12s %-44s %10.3f %-4s  goal %-10s  %6.2f x goal  %s\n' "$backend" "$1" "$2" "$3" \
        "$5" "$(awk -v a="$2" -v b="$4" 'BEGIN { print a / b }')" "${6:-}"
}

printf '\n%-12s %-44s %10s %-4s  %-15s  %s\n' backend measure value unit goal \
    "(Dependency-Track: not installable here; the goals are the reference)"
for backend in $backends; do
    case $backend in
    sqlite) db="sqlite:$tmp/fleet.db" ;;
    postgresql)
        bash "$root/tests/fleet/pg.sh" start "$tmp/pg" 2>/dev/null
        base=$(cat "$tmp/pg/pg.url")
        psql -q -X "$base" -c "CREATE DATABASE bench" >/dev/null
        db="${base%/*}/bench"
        ;;
    esac
    cp "$tmp/v1.db" "$tmp/vulndb.db"
    start_server "$db"
    server_url=$server
    # 1. ingest of 3,000-component SBOMs: one at a time (latency), then CONC at once (rate)
    half=$((n_ingest / 2))
    ls "$tmp/gen/big/"*.json >"$tmp/big.list" # no "ls | head": SIGPIPE under pipefail
    head -n "$half" "$tmp/big.list" >"$tmp/seq.list"
    tail -n +"$((half + 1))" "$tmp/big.list" >"$tmp/par.list"
    push_all "$tmp/seq.list" 1 "$tmp/seq.txt"
    push_all "$tmp/par.list" "$conc" "$tmp/par.txt"
    bad=$(($(kv failed "$tmp/seq.txt") + $(kv failed "$tmp/par.txt")))
    log "$backend: the slowest pushes one at a time, ms (#place): $(kv slowest_ms "$tmp/seq.txt")"
    row "ingest 3,000 components: median" "$(kv median_ms "$tmp/seq.txt")" ms 50 "< 50 ms"
    row "ingest 3,000 components: p99" "$(kv p99_ms "$tmp/seq.txt")" ms 50 "< 50 ms"
    row "ingest sustained, $conc in flight" "$(kv rate "$tmp/par.txt")" "/s" 100 ">= 100/s" \
        "($bad failed of $n_ingest)"
    # 2. the fleet: IMAGES images of 500 packages
    ls "$tmp/gen/small/"*.json >"$tmp/fleet.list"
    t0=$(date +%s.%N)
    push_all "$tmp/fleet.list" "$conc" "$tmp/fleet.txt"
    t1=$(date +%s.%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')
    log "$backend: $n_images images of 500 packages ingested in $secs s" \
        "($(kv rate "$tmp/fleet.txt") per second, $(kv failed "$tmp/fleet.txt") failed)"
    # PostgreSQL after a bulk load: VACUUM ANALYZE, as its documentation advises, so that the
    # "affected by" runs measure the fleet and not autovacuum catching up with a load of
    # IMAGES pushes in seconds (which doubled the p50 and tripled the p99 of the first run)
    if [ "$backend" = postgresql ]; then
        t0=$(date +%s.%N)
        psql -q -X "$db" -c "VACUUM ANALYZE" >/dev/null
        log "postgresql: VACUUM ANALYZE after the load: $(awk -v a="$t0" -v b="$(date +%s.%N)" \
            'BEGIN { printf "%.1f", b - a }') s"
    fi
    # 3. "affected by", wrk over the advisory ids for DURATION seconds: the goal line with as many
    # connections as the server has worker threads (each request is served as it comes), then
    # 16 connections, where requests queue behind the busy threads (saturation, not the goal)
    key=$DRYDOCK_ADMIN_KEY
    hits=$(curl -s -H "X-Api-Key: $key" \
        "$server/api/v1/affected/$(head -1 "$tmp/gen/ids.txt")?limit=1000" | jq '.images|length')
    errs=0
    for c in $server_threads 16; do
        affected "$c" "$tmp/wrk.txt"
        errs=$((errs + $(kv errors "$tmp/wrk.txt") + $(kv non2xx "$tmp/wrk.txt")))
        if [ "$c" = "$server_threads" ]; then
            what="affected by: p99, $c conn. = server threads"
            note="($(kv requests "$tmp/wrk.txt") requests in ${duration} s,"
            note+=" p50 $(kv p50_ms "$tmp/wrk.txt") ms; $n_images images x 500;"
            note+=" first id hits $hits images)"
        else
            what="affected by: p99, $c conn. (saturated)"
            note="($(kv requests "$tmp/wrk.txt") requests in ${duration} s,"
            note+=" p50 $(kv p50_ms "$tmp/wrk.txt") ms; queueing: not the goal)"
        fi
        row "$what" "$(kv p99_ms "$tmp/wrk.txt")" ms 20 "< 20 ms" "$note"
    done
    printf '%-12s %-44s %10d %-4s  goal %-10s  %s\n' "$backend" "errors over the wrk runs" \
        "$errs" "" "0" "$([ "$errs" = 0 ] && echo met || echo MISSED)"
    # 4. re-match after importing 1,000 advisories
    t0=$(date +%s.%N)
    r=$(curl -s -X POST -H "X-Api-Key: $key" -H 'Content-Type: application/json' \
        -d "{\"vulndb\":\"$tmp/v2.db\"}" "$server/api/v1/admin/rematch")
    t1=$(date +%s.%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
    row "re-match after 1,000 new advisories" "$secs" \
        s 5 "< 5 s" \
        "($(echo "$r" | jq -r '"\(.names_changed) names changed, \(.new_findings) new findings"'))"
    stop_server
done
