# Shared by the fleet tests: the backend's database, the server started and stopped, API calls,
# the test images' SBOMs and the vulnerability databases. Source it after setting:
#   DRYDOCK  the drydock binary          BACKEND  sqlite | postgresql
#   IMAGES   the test images cache       VULNDATA the OSV data (../shared/vulndata)
#   PG_DIR   where pg.sh wrote pg.url (the "pg" fixture)
# Every test works in its own $WORK directory, removed on success.
set -euo pipefail

FLEET_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TEST_DATA=$(cd "$FLEET_TESTS/../data" && pwd)
ADMIN_KEY=ddk_test_admin_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
export DRYDOCK_ADMIN_KEY=$ADMIN_KEY
test_name=$(basename "$0" .sh)
mkdir -p "${DD_TEST_TMP:-/tmp}"
WORK=$(mktemp -d "${DD_TEST_TMP:-/tmp}/fleet-$test_name-$BACKEND.XXXXXX")
SERVER_PIDS=()
echo "$ADMIN_KEY" >"$WORK/admin.key" # to look into a kept $WORK by hand
ORACLE_PY=/usr/bin/python3

log() { printf '%s[%s]: %s\n' "$test_name" "$BACKEND" "$*" >&2; }
fail() {
    log "FAIL: $*"
    for f in "$WORK"/server*.log; do
        [ -f "$f" ] && { echo "--- $f (last 30 lines)" >&2; tail -30 "$f" >&2; }
    done
    exit 1
}

cleanup() {
    local rc=$?
    for pid in "${SERVER_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${SERVER_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    [ -n "${RECEIVER_PID:-}" ] && kill "$RECEIVER_PID" 2>/dev/null
    if [ "$rc" = 0 ]; then
        rm -rf "$WORK"
    else
        log "kept $WORK"
    fi
}
trap cleanup EXIT

# The database URL of this test: a fresh SQLite file, or a fresh database on the fixture's
# PostgreSQL server.
new_db() {
    local name=${1:-main}
    case "$BACKEND" in
    sqlite) echo "sqlite:$WORK/$name.db" ;;
    postgresql)
        local base db
        base=$(cat "${PG_DIR:?PG_DIR is not set}/pg.url") || fail "no pg.url: is the pg fixture up?"
        db="t_${test_name}_${name}_$$_$RANDOM"
        db=${db//[^a-zA-Z0-9_]/_}
        psql -q -X "$base" -c "CREATE DATABASE $db" >/dev/null || fail "CREATE DATABASE $db"
        echo "${base%/*}/$db"
        ;;
    *) fail "unknown backend $BACKEND" ;;
    esac
}

# start_server NAME DB_URL [serve flags...]: starts `drydock serve` on a free loopback port and
# waits for its "serving on" line; sets SERVER (the base URL) and SERVER_PID.
start_server() {
    local name=$1 db=$2
    shift 2
    local logf="$WORK/server-$name.log"
    "$DRYDOCK" serve --db "$db" --listen 127.0.0.1:0 "$@" >"$logf" 2>&1 &
    SERVER_PID=$!
    SERVER_PIDS+=("$SERVER_PID")
    for _ in $(seq 1 300); do
        if SERVER=$(grep -o 'serving on http://[0-9.:]*' "$logf" | head -1 | sed 's/serving on //') &&
            [ -n "$SERVER" ]; then
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || fail "server $name exited: $(cat "$logf")"
        sleep 0.1
    done
    fail "server $name did not say it was serving within 30 s"
}

stop_server() {
    local pid=${1:-$SERVER_PID}
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# api METHOD PATH [curl args...]: prints the body; the status is left in $WORK/.status (read
# by expect_status and status_of, since api runs in a subshell under $(...)). Uses the admin
# key unless KEY is set.
api() {
    local method=$1 path=$2
    shift 2
    local out="$WORK/.answer" st
    st=$(curl -sS --max-time 120 -o "$out" -w '%{http_code}' -X "$method" \
        -H "X-Api-Key: ${KEY:-$ADMIN_KEY}" "$@" "$SERVER$path") || st=000
    echo "$st" >"$WORK/.status"
    cat "$out"
}

expect_status() {
    local want=$1 what=$2
    HTTP_STATUS=$(cat "$WORK/.status")
    [ "$HTTP_STATUS" = "$want" ] || fail "$what: status $HTTP_STATUS, expected $want ($(cat "$WORK/.answer" 2>/dev/null | head -c 300))"
}

# The SBOMs of the test images, made once per test by `drydock sbom` (real images from
# tests/images/build.sh and the lang fixture, and the Debian 11 package database of tests/data).
make_sboms() {
    mkdir -p "$WORK/sbom"
    "$DRYDOCK" sbom -o "$WORK/sbom/debian.cdx.json" "$IMAGES/debian.docker.tar"
    "$DRYDOCK" sbom -o "$WORK/sbom/derived.cdx.json" "$IMAGES/derived.docker.tar"
    "$DRYDOCK" sbom -o "$WORK/sbom/lang.cdx.json" "$IMAGES/lang/lang.docker.tar" 2>/dev/null
    "$DRYDOCK" sbom -o "$WORK/sbom/deb11.cdx.json" "dir:$TEST_DATA/rootfs-deb11"
}

# The vulnerability databases: v1 from the real OSV data, v2 = v1 plus the test's own records
# (extra.jsonl, written by the caller).
make_vulndb() {
    local out=$1
    shift
    "$DRYDOCK" db import --db "$out" "$@" 2>"$WORK/import.log" || fail "db import: $(cat "$WORK/import.log")"
}

# The webhook receiver: a python3 http.server that checks each delivery's HMAC and appends the
# body to $WORK/hooks.jsonl (or logs a bad signature to $WORK/hooks.bad).
start_receiver() {
    local secret=$1
    python3 "$FLEET_TESTS/receiver.py" "$secret" "$WORK/hooks.jsonl" "$WORK/hooks.bad" \
        "$WORK/receiver.port" >"$WORK/receiver.log" 2>&1 &
    RECEIVER_PID=$!
    for _ in $(seq 1 100); do
        [ -s "$WORK/receiver.port" ] && break
        sleep 0.1
    done
    [ -s "$WORK/receiver.port" ] || fail "webhook receiver did not start: $(cat "$WORK/receiver.log")"
    RECEIVER_URL="http://127.0.0.1:$(cat "$WORK/receiver.port")/hook"
}

# wait_for SECONDS COMMAND...: retries COMMAND every 0.2 s until it succeeds.
wait_for() {
    local secs=$1
    shift
    local n=$((secs * 5))
    for _ in $(seq 1 "$n"); do
        "$@" && return 0
        sleep 0.2
    done
    return 1
}
