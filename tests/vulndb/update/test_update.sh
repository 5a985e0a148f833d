#!/usr/bin/env bash
# `drydock db update` against a real HTTP server on loopback that is laid out like osv.dev's
# bucket (BASE/<Ecosystem>/all.zip), with archives built here from the shared OSV data.
# Usage: test_update.sh DRYDOCK VULNDATA_DIR   (exits 77 when python3 or the data is missing)
set -euo pipefail
drydock=$1
vulndata=$2
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON3:-python3}

if ! command -v "$python" >/dev/null || [ ! -f "$vulndata/debian.osv.jsonl" ]; then
    echo "SKIP: needs python3 and $vulndata" >&2
    exit 77
fi
# loopback only: no proxy from the environment may take these requests
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy='*' NO_PROXY='*'

base_tmp=${DD_TEST_TMP:-${TMPDIR:-/tmp}}
mkdir -p "$base_tmp"
tmp=$(mktemp -d "$base_tmp/db-update.XXXXXX")
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in out err; do
        if [ -f "$tmp/$f" ]; then
            echo "--- $f" >&2
            cat "$tmp/$f" >&2
        fi
    done
    exit 1
}

bucket=$tmp/bucket
db=$tmp/db/vuln.db
cache=$tmp/db/osv
"$python" "$here/bucket.py" build "$vulndata" "$bucket" "$tmp/expected.json"
cp "$bucket/Debian/all.zip" "$tmp/debian-original.zip"
cp "$bucket/crates.io/all.zip" "$tmp/crates-original.zip"

: >"$tmp/requests.log"
"$python" "$here/bucket.py" serve "$bucket" "$tmp/port" "$tmp/requests.log" &
server_pid=$!
for _ in $(seq 100); do
    [ -s "$tmp/port" ] && break
    kill -0 "$server_pid" 2>/dev/null || fail "the bucket server did not start"
    sleep 0.1
done
[ -s "$tmp/port" ] || fail "the bucket server did not write its port"
url=http://127.0.0.1:$(cat "$tmp/port")

# Runs drydock db update with the given flags; sets $status, keeps stdout/stderr in out/err.
update() {
    : >"$tmp/requests.log"
    status=0
    "$drydock" db update --base-url "$url" --db "$db" "$@" >"$tmp/out" 2>"$tmp/err" || status=$?
}
expect_status() {
    [ "$status" = "$1" ] || fail "${2:-update}: exit $status, expected $1"
}
line_count() { # PATTERN FILE
    grep -c -E -- "$1" "$2" || true
}
has() { # FILE STRING
    grep -q -F -- "$2" "$1" || fail "$1 lacks: $2"
}
db_id() {
    echo "$(stat -c '%i %s %Y' "$db") $(sha256sum <"$db")"
}
# The database must hold the expected records: `drydock db status -f json` against the counts
# the bucket builder took from the source files. Arguments adjust the expectation: "-Alpine"
# (that archive is gone), "npm=-1" (the npm archive lost one record with one affected entry).
check_counts() {
    "$drydock" db status --db "$db" -f json >"$tmp/status.json" 2>"$tmp/err" ||
        fail "db status failed"
    "$python" - "$tmp/expected.json" "$tmp/status.json" "$url" "$@" <<'EOF' || fail "counts differ"
import json, sys
expected, status = (json.load(open(p)) for p in sys.argv[1:3])
url, adjust = sys.argv[3], sys.argv[4:]
for a in adjust:
    if a.startswith("-"):
        del expected[a[1:]]
    else:
        archive, delta = a.split("=")
        x = expected[archive]
        x["stored"] += int(delta)
        x["ecosystems"][archive] = [n + int(delta) for n in x["ecosystems"][archive]]
total = sum(x["stored"] for x in expected.values())
want = {e: tuple(v) for x in expected.values() for e, v in x["ecosystems"].items()}
got = {e["ecosystem"]: (e["records"], e["affected"]) for e in status["ecosystems"]}
bad = False
if status["records"] != total:
    print(f"records: {status['records']}, expected {total}", file=sys.stderr)
    bad = True
if status["source"] != url:
    print(f"source: {status['source']}, expected {url}", file=sys.stderr)
    bad = True
for e in sorted(set(want) | set(got)):
    if want.get(e) != got.get(e):
        print(f"{e}: {got.get(e)}, expected {want.get(e)}", file=sys.stderr)
        bad = True
sys.exit(1 if bad else 0)
EOF
}
published=Debian,Alpine,PyPI,npm,Go,crates.io,RubyGems

# 1. First update, default ecosystem list: the seven published archives are downloaded, the
#    seven others are 404s (warnings), and the database holds every record of the sources.
update
expect_status 0 "first update"
[ "$(line_count ' downloaded ' "$tmp/out")" = 7 ] || fail "first update: not 7 downloads"
[ "$(line_count ' missing$' "$tmp/out")" = 7 ] || fail "first update: not 7 missing"
[ "$(line_count '^drydock: warning: .*HTTP 404' "$tmp/err")" = 7 ] || fail "not 7 warnings"
has "$tmp/err" "$url/Rocky%20Linux/all.zip: not found (HTTP 404)"
has "$tmp/requests.log" "/Red%20Hat/all.zip 404"
[ "$(line_count '^/[^ ]+ 200 - drydock/[0-9]' "$tmp/requests.log")" = 7 ] ||
    fail "first update: expected 7 unconditional GETs with drydock's User-Agent"
withdrawn=$("$python" -c 'import json, sys
print(sum(x["withdrawn"] for x in json.load(open(sys.argv[1])).values()))' "$tmp/expected.json")
has "$tmp/out" "$withdrawn withdrawn"
for eco in ${published//,/ }; do
    cmp -s "$bucket/$eco/all.zip" "$cache/$eco/all.zip" || fail "cached $eco differs from served"
    has "$cache/$eco/all.zip.meta" "last-modified: "
done
for eco in Ubuntu Maven "Red Hat"; do
    [ ! -e "$cache/$eco/all.zip" ] || fail "a 404 left $eco/all.zip in the cache"
done
check_counts
echo "first update: $(tail -1 "$tmp/out")"

# 2. Nothing changed: every archive is answered 304, the database is not rebuilt.
before=$(db_id)
update
expect_status 0 "second update"
[ "$(line_count ' not modified$' "$tmp/out")" = 7 ] || fail "second update: not 7 not-modified"
[ "$(line_count ' 304 ims ' "$tmp/requests.log")" = 7 ] || fail "second update: not 7 x 304"
[ "$(line_count ' downloaded ' "$tmp/out")" = 0 ] || fail "second update downloaded something"
has "$tmp/out" "is up to date"
[ "$(db_id)" = "$before" ] || fail "an update with nothing new rewrote the database"
# ... but a database that went away is rebuilt from the cache without downloading anything.
rm "$db"
update
expect_status 0 "update after the database was removed"
[ "$(line_count ' not modified$' "$tmp/out")" = 7 ] || fail "not 7 not-modified"
has "$tmp/out" "imported "
check_counts

# 3. One archive changes on the server (npm loses a record): only it is downloaded, and the
#    rebuilt database has exactly one npm record fewer (a rebuild, not an append).
"$python" - "$bucket/npm/all.zip" <<'EOF'
import json, os, sys, time, zipfile
path = sys.argv[1]
with zipfile.ZipFile(path) as z:
    names = sorted(z.namelist())
    drop = next(n for n in names if not json.loads(z.read(n)).get("withdrawn"))
    with zipfile.ZipFile(path + ".new", "w", zipfile.ZIP_DEFLATED) as out:
        for n in names:
            if n != drop:
                out.writestr(n, z.read(n))
os.replace(path + ".new", path)
t = time.time() + 5  # Last-Modified has whole seconds: make it newer than the cached copy's
os.utime(path, (t, t))
EOF
update --ecosystems "$published"
expect_status 0 "update after npm changed"
grep -q -E '^npm +downloaded ' "$tmp/out" || fail "npm was not downloaded"
[ "$(line_count ' not modified$' "$tmp/out")" = 6 ] || fail "not 6 archives not modified"
[ "$(line_count ' 200 ' "$tmp/requests.log")" = 1 ] || fail "more than one archive fetched"
has "$tmp/out" "imported "
check_counts npm=-1

# 4. A damaged body is refused and the old database and cached archive stay:
#    (a) a truncated archive whose x-goog-hash md5 is the full archive's (GCS's header format:
#        Debian gets one header per hash, crates.io the joined list),
#    (b) a body cut short of its Content-Length.
before=$(db_id)
for eco in Debian crates.io; do
    "$python" - "$bucket/$eco/all.zip" <<'EOF'
import base64, hashlib, os, sys, time
path = sys.argv[1]
data = open(path, "rb").read()
with open(path + ".goog-md5", "w") as f:
    f.write(base64.b64encode(hashlib.md5(data).digest()).decode())
with open(path, "wb") as f:
    f.write(data[: len(data) // 3])
t = time.time() + 10
os.utime(path, (t, t))
EOF
done
update
expect_status 2 "update with a wrong md5"
for eco in Debian crates.io; do
    grep -q -E "^$eco +failed\$" "$tmp/out" || fail "$eco not reported failed"
    has "$tmp/err" "db update: $eco: $url/$eco/all.zip: checksum mismatch: x-goog-hash md5="
done
[ "$(line_count ' not modified$' "$tmp/out")" = 5 ] || fail "the other archives were not tried"
has "$tmp/err" "2 of 14 archives could not be fetched; $db was left as it was"
[ "$(db_id)" = "$before" ] || fail "a failed update changed the database"
cmp -s "$tmp/debian-original.zip" "$cache/Debian/all.zip" || fail "the cached Debian changed"
cmp -s "$tmp/crates-original.zip" "$cache/crates.io/all.zip" || fail "the cached crates changed"
for f in "$cache"/*/*; do
    case ${f##*/} in
    all.zip | all.zip.meta) ;;
    *) fail "left behind in the cache: $f" ;;
    esac
done

rm "$bucket/Debian/all.zip.goog-md5" "$bucket/crates.io/all.zip.goog-md5"
cp "$tmp/debian-original.zip" "$bucket/Debian/all.zip"
cp "$tmp/crates-original.zip" "$bucket/crates.io/all.zip"
touch -d '+20 seconds' "$bucket/Debian/all.zip" "$bucket/crates.io/all.zip"
touch "$bucket/Debian/all.zip.cut"
update --ecosystems Debian,Alpine
expect_status 2 "update with a cut body"
grep -q -E '^Debian +failed$' "$tmp/out" || fail "a cut Debian body was not reported failed"
has "$tmp/err" "db update: Debian: $url/Debian/all.zip: "
[ "$(db_id)" = "$before" ] || fail "a failed update changed the database"
cmp -s "$tmp/debian-original.zip" "$cache/Debian/all.zip" || fail "the cached Debian changed"
rm "$bucket/Debian/all.zip.cut"

# 5. An ecosystem the bucket does not have (any more) is a warning, and it is left out.
rm -r "$bucket/Alpine"
update --ecosystems "$published,Hex"
expect_status 0 "update with Alpine gone"
grep -q -E '^Alpine +missing$' "$tmp/out" || fail "Alpine not reported missing"
for eco in Debian crates.io; do
    grep -q -E "^$eco +downloaded " "$tmp/out" || fail "the repaired $eco was not downloaded"
done
has "$tmp/err" "warning: db update: Hex: $url/Hex/all.zip: not found (HTTP 404)"
[ ! -e "$cache/Alpine/all.zip" ] || fail "the cached Alpine archive was kept"
check_counts npm=-1 -Alpine
update --ecosystems Hex,Alpine
expect_status 2 "update with nothing published"
has "$tmp/err" "has none of the 2 archives asked for"

# 6. Failures to reach the server: a server that never answers (--timeout) and a closed port.
before=$(db_id)
touch "$bucket/Go/all.zip.stall"
start=$(date +%s)
update --ecosystems Go --timeout 2
expect_status 2 "update against a stalled server"
[ $(($(date +%s) - start)) -lt 15 ] || fail "--timeout 2 was not honoured"
has "$tmp/err" "db update: Go: $url/Go/all.zip: "
grep -q -i 'timed out' "$tmp/err" || fail "the timeout is not named"
rm "$bucket/Go/all.zip.stall"

closed=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
status=0
"$drydock" db update --base-url "http://127.0.0.1:$closed/" --db "$db" --ecosystems Debian,Go \
    >"$tmp/out" 2>"$tmp/err" || status=$?
expect_status 2 "update against a closed port"
has "$tmp/err" "db update: Debian: http://127.0.0.1:$closed/Debian/all.zip: "
has "$tmp/err" "db update: Go: http://127.0.0.1:$closed/Go/all.zip: "
grep -q -i "connect" "$tmp/err" || fail "the connection failure is not named"
[ "$(db_id)" = "$before" ] || fail "an unreachable server changed the database"

# 7. Usage errors and a second update on the same cache.
for args in "--base-url ftp://example.org" "--ecosystems ../etc" "--ecosystems Debian,,Go" \
    "--timeout 0" "stray"; do
    status=0
    # shellcheck disable=SC2086
    "$drydock" db update --db "$db" $args >"$tmp/out" 2>"$tmp/err" || status=$?
    expect_status 2 "db update $args"
    [ "$(wc -l <"$tmp/err")" = 1 ] || fail "db update $args: not one line on stderr"
done
if command -v flock >/dev/null; then
    status=0
    flock "$cache/.lock" "$drydock" db update --base-url "$url" --db "$db" >"$tmp/out" \
        2>"$tmp/err" || status=$?
    expect_status 2 "update while the cache is locked"
    has "$tmp/err" "another drydock db update is using this cache"
fi

# 8. --force downloads everything again; its timings are the loopback measurement.
update --force --ecosystems "${published/Alpine,/}"
expect_status 0 "forced update"
[ "$(line_count ' downloaded ' "$tmp/out")" = 6 ] || fail "--force did not download all 6"
[ "$(line_count ' ims ' "$tmp/requests.log")" = 0 ] || fail "--force sent If-Modified-Since"
check_counts npm=-1 -Alpine
echo "forced update of 6 archives: $(tail -1 "$tmp/out")"
echo "PASS"
