#!/usr/bin/env bash
# Reliability on one backend: kill -9 during a stream of pushes and restart (every push answered
# 2xx is there and whole), the body limit (413), too-deep JSON (400), a slow client dropped, too
# many connections refused, every endpoint but the health checks refusing a missing or wrong key
# (401) and a key of too low a scope (403), malformed SBOMs answered 400 with a message.
#
#   test_reliability.sh DRYDOCK BACKEND IMAGES VULNDATA [PG_DIR]
DRYDOCK=$1 BACKEND=$2 IMAGES=$3 VULNDATA=$4 PG_DIR=${5:-}
source "$(dirname "$0")/lib.sh"

make_sboms
db=$(new_db)

# --- kill -9 in the middle of a stream of pushes ---
start_server crash1 "$db" --max-connections 64
sbom="$WORK/sbom/lang.cdx.json"
want_pkgs=$(jq '[.components[]|select(.purl)]|length' "$sbom")
pusher() { # pushes distinct digests until told to stop, one line per push: DIGEST STATUS
    local i=0
    while [ ! -f "$WORK/stop" ] && [ $i -lt 2000 ]; do
        i=$((i + 1))
        d="sha256:$(printf '%064x' "$i")"
        st=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' -X POST -H "X-Api-Key: $ADMIN_KEY" \
            -H 'Content-Type: application/json' --data-binary @"$sbom" \
            "$SERVER/api/v1/images?repository=crash/app&tag=t$i&digest=$d") || st=000
        echo "$d $st"
    done
}
pusher >"$WORK/pushes1" &
p1=$!
sleep 2.5
kill -9 "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
touch "$WORK/stop"
wait "$p1" || true
rm -f "$WORK/stop"
ok=$(awk '$2 ~ /^2/' "$WORK/pushes1" | wc -l)
[ "$ok" -ge 3 ] || fail "only $ok pushes answered before the kill: too slow to test"
log "kill -9 after $ok answered pushes"
start_server crash2 "$db"
present=0
while read -r d st; do
    out=$(api GET "/api/v1/images/$d")
    code=$(cat "$WORK/.status")
    if [[ $st == 2* ]]; then
        [ "$code" = 200 ] || fail "push $d was answered $st but is gone after the crash ($code)"
    fi
    if [ "$code" = 200 ]; then
        present=$((present + 1))
        n=$(echo "$out" | jq '.packages|length')
        [ "$n" = "$want_pkgs" ] || fail "image $d after the crash has $n packages, want $want_pkgs"
    elif [ "$code" != 404 ]; then
        fail "GET image $d after the crash: $code"
    fi
done <"$WORK/pushes1"
total=$(api GET "/api/v1/images?repository=crash/app&limit=1000" | jq '.images|length')
[ "$total" = "$present" ] || fail "$total images listed, $present found one by one"
log "after restart: $ok answered pushes all present and whole ($present stored)"

# --- limits: a server with small ones ---
stop_server
start_server limits "$db" --max-body 1M --max-connections 8 --timeout 2
H=${SERVER#http://}
head -c 2000000 /dev/zero | tr '\0' ' ' >"$WORK/big"
api POST "/api/v1/images?repository=big" -H 'Content-Type: application/json' --data-binary @"$WORK/big" >/dev/null
expect_status 413 "a 2 MB body over a 1 MiB limit"
python3 -c 'print("["*1000 + "]"*1000)' >"$WORK/deep.json"
api POST "/api/v1/images?repository=deep" -H 'Content-Type: application/json' --data-binary @"$WORK/deep.json" >/dev/null
expect_status 400 "JSON nested 1000 deep"
python3 -c 'print("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":" + "[{\"components\":"*200 + "[]" + "}]"*200 + "}")' >"$WORK/deep2.json"
api POST "/api/v1/images?repository=deep" -H 'Content-Type: application/json' --data-binary @"$WORK/deep2.json" >/dev/null
expect_status 400 "a CycloneDX document nested 400 deep"
api PUT /api/v1/deployments/prod -H 'Content-Type: application/json' --data-binary @"$WORK/deep.json" >/dev/null
expect_status 400 "deployments nested 1000 deep"
DD_KEY=$ADMIN_KEY python3 "$FLEET_TESTS/slow_clients.py" slow "${H%:*}" "${H#*:}" 8 >"$WORK/slow.out" || fail "slow client: $(cat "$WORK/slow.out")"
python3 "$FLEET_TESTS/slow_clients.py" flood "${H%:*}" "${H#*:}" 8 >"$WORK/flood.out" || fail "connection flood: $(cat "$WORK/flood.out")"
log "$(cat "$WORK/slow.out"); $(head -1 "$WORK/flood.out")"

# --- malformed SBOMs: 400 with a message naming what is wrong ---
head -c 4096 /dev/urandom >"$WORK/random.bin"
printf '\x1f\x8b\x08\x00garbage-after-a-gzip-magic' >"$WORK/badgz.bin"
head -c 5000 "$WORK/sbom/lang.cdx.json" >"$WORK/cut.json"
echo '{"bomFormat":"CycloneDX","specVersion":"1.6","components":{"not":"a list"}}' >"$WORK/shape.json"
for f in "$TEST_DATA/scan/truncated.cdx.json" "$TEST_DATA/scan/not-sbom.json" "$WORK/random.bin" \
    "$WORK/badgz.bin" "$WORK/cut.json" "$WORK/shape.json"; do
    out=$(api POST "/api/v1/images?repository=bad" -H 'Content-Type: application/json' --data-binary @"$f")
    expect_status 400 "malformed SBOM $(basename "$f")"
    detail=$(echo "$out" | jq -r .detail)
    [ -n "$detail" ] && [ "$detail" != null ] || fail "400 for $(basename "$f") without a detail: $out"
    [ "$(echo "$out" | jq .status)" = 400 ] || fail "problem+json status: $out"
done
if "$DRYDOCK" push --server "$SERVER" --api-key "$ADMIN_KEY" --name bad/sbom:1 "$WORK/shape.json" 2>"$WORK/err"; then
    fail "push of a malformed SBOM exited 0"
fi
grep -q '^drydock: push: server: 400 Bad Request: .' "$WORK/err" || fail "push message: $(cat "$WORK/err")"

# --- keys: 401 without or with a wrong key, 403 below the scope, on every endpoint ---
read_key=$(api POST /api/v1/keys -H 'Content-Type: application/json' -d '{"name":"r","scope":"read"}' | jq -r .secret)
write_key=$(api POST /api/v1/keys -H 'Content-Type: application/json' -d '{"name":"w","scope":"write"}' | jq -r .secret)
endpoints=(
    "read GET /metrics" "read GET /api/openapi.json" "read GET /api/v1/images"
    "read GET /api/v1/images/sha256:$(printf '%064x' 1)" "read GET /api/v1/packages?purl=pkg:npm/ms"
    "read GET /api/v1/affected/CVE-2023-32681" "read GET /api/v1/summary"
    "read GET /api/v1/event/token/f90934f5-cb88-47ce-81cb-db06fc67d4b4"
    "write POST /api/v1/images?repository=x" "write PUT /api/v1/bom" "write POST /api/v1/bom"
    "write PUT /api/v1/deployments/prod" "write POST /api/v1/deployments"
    "admin POST /api/v1/admin/rematch" "admin POST /api/v1/keys" "admin GET /api/v1/keys"
    "admin DELETE /api/v1/keys/999" "admin POST /api/v1/webhooks" "admin GET /api/v1/webhooks"
    "admin DELETE /api/v1/webhooks/999"
)
for e in "${endpoints[@]}"; do
    read -r scope method path <<<"$e"
    st=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' -X "$method" -d '{}' "$SERVER$path")
    [ "$st" = 401 ] || fail "$method $path without a key: $st, want 401"
    st=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' -X "$method" -d '{}' -H 'X-Api-Key: ddk_wrongwrongwrongwrongwrongwrongwrongwrong' "$SERVER$path")
    [ "$st" = 401 ] || fail "$method $path with a wrong key: $st, want 401"
    st=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' -X "$method" -d '{}' -H 'Authorization: Bearer nope' "$SERVER$path")
    [ "$st" = 401 ] || fail "$method $path with a wrong bearer token: $st, want 401"
    low=
    case $scope in write) low=$read_key ;; admin) low=$write_key ;; esac
    if [ -n "$low" ]; then
        st=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' -X "$method" -d '{}' -H "X-Api-Key: $low" "$SERVER$path")
        [ "$st" = 403 ] || fail "$method $path with a key below $scope: $st, want 403"
        st=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' -X "$method" -d '{}' -H "Authorization: Bearer $low" "$SERVER$path")
        [ "$st" = 403 ] || fail "$method $path with a bearer key below $scope: $st, want 403"
    fi
done
for p in /healthz /readyz; do
    st=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' "$SERVER$p")
    [ "$st" = 200 ] || fail "$p without a key: $st, want 200"
done
# a revoked key stops working
kid=$(api GET /api/v1/keys | jq -r '.keys[]|select(.name=="r")|.id')
api DELETE "/api/v1/keys/$kid" >/dev/null
expect_status 204 "revoke key"
st=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' -H "X-Api-Key: $read_key" "$SERVER/api/v1/summary")
[ "$st" = 401 ] || fail "a revoked key: $st, want 401"
log "ok"
