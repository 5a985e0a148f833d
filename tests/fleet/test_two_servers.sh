#!/usr/bin/env bash
# Two servers on one PostgreSQL database, ingesting at once (different images, and the same
# digests raced on both) and re-matching at once against a database with added advisories: every
# image stored once, every new finding recorded once (the two re-match answers add up to the
# oracle's count), `fleet affected` complete, and each new finding delivered to the webhook once.
#
#   test_two_servers.sh DRYDOCK postgresql IMAGES VULNDATA PG_DIR
DRYDOCK=$1 BACKEND=$2 IMAGES=$3 VULNDATA=$4 PG_DIR=${5:-}
source "$(dirname "$0")/lib.sh"
[ "$BACKEND" = postgresql ] || fail "this test is about PostgreSQL"

make_sboms
cp "$FLEET_TESTS/extra.osv.jsonl" "$WORK/extra.jsonl"
make_vulndb "$WORK/v1.db" "$VULNDATA"
make_vulndb "$WORK/v2.db" "$VULNDATA" "$WORK/extra.jsonl"
db=$(new_db)
start_server a "$db" --vulndb "$WORK/v1.db" --watch-vulndb 0 --allow-vulndb-path
A=$SERVER
start_server b "$db" --vulndb "$WORK/v1.db" --watch-vulndb 0 --allow-vulndb-path
B=$SERVER
log "servers $A and $B on $db"

push_to() { # SERVER SBOM REPO DIGEST -> "DIGEST STATUS"
    local st
    st=$(curl -s --max-time 120 -o /dev/null -w '%{http_code}' -X POST -H "X-Api-Key: $ADMIN_KEY" \
        -H 'Content-Type: application/json' --data-binary @"$2" "$1/api/v1/images?repository=$3&digest=$4") || st=000
    echo "$4 $st"
}
dig() { printf 'sha256:%064x' "$1"; }
# each server its own images, and digests 200..205 pushed to both at the same moment (in a
# subshell, whose `wait` waits for its pushes only, not for the servers)
(
    for i in $(seq 1 10); do push_to "$A" "$WORK/sbom/lang.cdx.json" two/lang "$(dig "$i")"; done &
    for i in $(seq 101 110); do push_to "$B" "$WORK/sbom/deb11.cdx.json" two/deb11 "$(dig "$i")"; done &
    for i in $(seq 200 205); do
        push_to "$A" "$WORK/sbom/lang.cdx.json" two/race "$(dig "$i")" &
        push_to "$B" "$WORK/sbom/lang.cdx.json" two/race "$(dig "$i")" &
        wait
    done
    wait
) >"$WORK/pushes"
bad=$(awk '$2 !~ /^20[01]$/' "$WORK/pushes")
[ -z "$bad" ] || fail "pushes not answered 200/201: $bad"
n=$(api GET "/api/v1/images?limit=1000" | jq '.images|length')
[ "$n" = 26 ] || fail "$n images stored, want 26 (10 + 10 + 6 raced)"

# the receiver of new findings, from now on (the pushes' own findings are not its concern)
secret="two-$RANDOM"
start_receiver "$secret"
api POST /api/v1/webhooks -H 'Content-Type: application/json' -d "{\"url\":\"$RECEIVER_URL\",\"secret\":\"$secret\"}" >/dev/null
expect_status 201 "add webhook"

# the oracle: findings of v2 that v1 lacks, over the SBOMs pushed, as (record, purl) pairs
osv_args=()
for f in "$VULNDATA"/*.osv.jsonl; do osv_args+=(--osv "$f"); done
"$ORACLE_PY" "$FLEET_TESTS/expected.py" "${osv_args[@]}" lang="$WORK/sbom/lang.cdx.json" deb11="$WORK/sbom/deb11.cdx.json" >"$WORK/e1.json"
"$ORACLE_PY" "$FLEET_TESTS/expected.py" "${osv_args[@]}" --osv "$WORK/extra.jsonl" lang="$WORK/sbom/lang.cdx.json" deb11="$WORK/sbom/deb11.cdx.json" >"$WORK/e2.json"
jq -r --slurpfile old "$WORK/e1.json" '($old[0].findings|map("\(.record) \(.purl)")) as $o
    | [.findings[]|"\(.record) \(.purl)"]|unique|.[]|select(. as $k|$o|index($k)|not)' "$WORK/e2.json" | sort >"$WORK/new.want"
want=$(wc -l <"$WORK/new.want")
[ "$want" -gt 0 ] || fail "the added advisories hit nothing"

# both re-match at once against v2
(
    for s in "$A" "$B"; do
        curl -s --max-time 300 -X POST -H "X-Api-Key: $ADMIN_KEY" -H 'Content-Type: application/json' \
            -d "{\"vulndb\":\"$WORK/v2.db\"}" "$s/api/v1/admin/rematch" >"$WORK/rematch-${s##*:}.json" &
    done
    wait
)
got=0
for f in "$WORK"/rematch-*.json; do
    v=$(jq .new_findings "$f") || fail "rematch answer: $(cat "$f")"
    got=$((got + v))
done
[ "$got" = "$want" ] || fail "the two re-matches recorded $got new findings, the oracle says $want: $(cat "$WORK"/rematch-*.json)"

# every image holding a new finding is named by fleet affected, once
while read -r rec purl; do
    out=$(api GET "/api/v1/affected/$rec?limit=1000")
    case $purl in
    pkg:pypi/*|pkg:npm/*|pkg:deb/debian/*distro=debian-12*) repos="two/lang two/race" ;;
    *) repos="two/deb11" ;;
    esac
    wantn=0
    for r in $repos; do case $r in two/lang|two/deb11) wantn=$((wantn + 10)) ;; two/race) wantn=$((wantn + 6)) ;; esac; done
    gotn=$(echo "$out" | jq --arg p "$purl" '[.images[]|select(.packages|map(.purl)|index($p))|.digest]|length')
    uniq=$(echo "$out" | jq --arg p "$purl" '[.images[]|select(.packages|map(.purl)|index($p))|.digest]|unique|length')
    [ "$gotn" = "$wantn" ] && [ "$uniq" = "$gotn" ] || fail "affected $rec $purl: $gotn images ($uniq distinct), want $wantn"
done <"$WORK/new.want"

# the webhook got each new finding once, whichever server delivered it
delivered() {
    [ -f "$WORK/hooks.jsonl" ] && [ "$(jq -r '.body.findings[]|.advisory' "$WORK/hooks.jsonl" | wc -l)" -ge "$want" ]
}
wait_for 60 delivered || fail "webhook: $(jq -r '.body.findings[]|.advisory' "$WORK/hooks.jsonl" 2>/dev/null | wc -l) findings delivered, want $want"
sleep 2
jq -r '.body.findings[]|"\(.advisory) \(.purl)"' "$WORK/hooks.jsonl" | while read -r adv purl; do
    rec=$(jq -r --arg a "$adv" '[.findings[]|select(.record==$a or (.aliases|index($a)))|.record][0] // $a' "$WORK/e2.json")
    echo "$rec $purl"
done | sort >"$WORK/new.got"
[ ! -s "$WORK/hooks.bad" ] || fail "deliveries with a bad signature"
diff "$WORK/new.want" "$WORK/new.got" >&2 || fail "webhook deliveries differ from the new findings (duplicates or missing)"
log "ok: 26 images, $want new findings recorded and delivered once across two servers"
