#!/usr/bin/env bash
# End to end on one backend: push the test images (as images and as SBOM files), record
# deployments, check `fleet affected` against an oracle that computes the findings from the
# SBOMs and the OSV records without drydock's code; then swap in a vulnerability database with
# added advisories, let the server re-match (the --watch-vulndb poll), and check the new answers
# and that the webhook receiver got exactly the new findings, signed.
#
#   test_e2e.sh DRYDOCK BACKEND IMAGES VULNDATA [PG_DIR]
DRYDOCK=$1 BACKEND=$2 IMAGES=$3 VULNDATA=$4 PG_DIR=${5:-}
source "$(dirname "$0")/lib.sh"

make_sboms
cp "$FLEET_TESTS/extra.osv.jsonl" "$WORK/extra.jsonl"
osv_args=()
for f in "$VULNDATA"/*.osv.jsonl; do osv_args+=(--osv "$f"); done
sbom_args=(debian="$WORK/sbom/debian.cdx.json" derived="$WORK/sbom/derived.cdx.json"
    lang="$WORK/sbom/lang.cdx.json" deb11="$WORK/sbom/deb11.cdx.json")
"$ORACLE_PY" "$FLEET_TESTS/expected.py" "${osv_args[@]}" "${sbom_args[@]}" >"$WORK/expect1.json"
"$ORACLE_PY" "$FLEET_TESTS/expected.py" "${osv_args[@]}" --osv "$WORK/extra.jsonl" \
    "${sbom_args[@]}" >"$WORK/expect2.json"
[ "$(jq '.findings|length' "$WORK/expect1.json")" -gt 10 ] || fail "the oracle found too few findings in the real data"
make_vulndb "$WORK/v1.db" "$VULNDATA"
make_vulndb "$WORK/v2.db" "$VULNDATA" "$WORK/extra.jsonl"
cp "$WORK/v1.db" "$WORK/vulndb.db"

db=$(new_db)
start_server main "$db" --vulndb "$WORK/vulndb.db" --watch-vulndb 1
log "server on $SERVER ($db)"

# --- keys of each scope ---
WRITE_KEY=$(api POST /api/v1/keys -H 'Content-Type: application/json' -d '{"name":"ci","scope":"write"}' | jq -r .secret)
expect_status 201 "create write key"
READ_KEY=$(api POST /api/v1/keys -H 'Content-Type: application/json' -d '{"name":"ro","scope":"read"}' | jq -r .secret)
expect_status 201 "create read key"
export DRYDOCK_SERVER=$SERVER

# --- push: two images read from their archives, two SBOM files ---
push() { DRYDOCK_API_KEY=$WRITE_KEY "$DRYDOCK" push -f json "$@"; }
push "$IMAGES/debian.docker.tar" --name drydock-test/debian:12 >"$WORK/p-debian.json"
push "$IMAGES/derived.docker.tar" --name drydock-test/derived:1 --tag latest \
    --base-image drydock-test/debian:12 --label team=platform --label tier=web >"$WORK/p-derived.json"
push "$WORK/sbom/lang.cdx.json" --name drydock-test/lang:1 >"$WORK/p-lang.json"
push "$WORK/sbom/deb11.cdx.json" --name drydock-test/deb11:1 --api-key "$WRITE_KEY" >"$WORK/p-deb11.json"
declare -A DIGEST
for n in debian derived lang deb11; do
    DIGEST[$n]=$(jq -r .digest "$WORK/p-$n.json")
    [[ ${DIGEST[$n]} == sha256:* ]] || fail "push $n: no digest in $(cat "$WORK/p-$n.json")"
    [ "$(jq .created "$WORK/p-$n.json")" = true ] || fail "push $n: not created"
    want=$(jq '[.components[]|select(.purl)]|length' "$WORK/sbom/$n.cdx.json")
    got=$(jq .packages "$WORK/p-$n.json")
    [ "$got" = "$want" ] || fail "push $n: $got packages recorded, the SBOM has $want"
done
# the image read from its archive has the digest its SBOM names
for n in debian derived; do
    [ "${DIGEST[$n]}" = "$(jq -r .metadata.component.version "$WORK/sbom/$n.cdx.json")" ] ||
        fail "push $n: digest ${DIGEST[$n]} is not the SBOM's subject"
done
# a second push of a known digest is idempotent: 200, created false, same id
push "$IMAGES/debian.docker.tar" --name drydock-test/debian:bookworm >"$WORK/p-debian2.json"
[ "$(jq .created "$WORK/p-debian2.json")" = false ] || fail "re-push created a second image"
[ "$(jq .image_id "$WORK/p-debian2.json")" = "$(jq .image_id "$WORK/p-debian.json")" ] ||
    fail "re-push changed the image id"
[ "$(jq .new_findings "$WORK/p-debian2.json")" = 0 ] || fail "re-push made new findings"
log "pushed: ${DIGEST[*]}"

# --- deployments: a snapshot of prod from a file, one staging container on its own ---
cat >"$WORK/prod.json" <<JSON
{"deployments": [
 {"cluster": "c1", "namespace": "web", "container": "api", "image": "${DIGEST[lang]}", "last_seen": 1700000000},
 {"cluster": "c1", "namespace": "web", "container": "front", "image": "drydock-test/derived:latest"},
 {"cluster": "c2", "namespace": "data", "container": "db", "image": "drydock-test/deb11@${DIGEST[deb11]}"},
 {"cluster": "c2", "namespace": "data", "container": "old", "image": "${DIGEST[debian]}"}
]}
JSON
DRYDOCK_API_KEY=$WRITE_KEY "$DRYDOCK" fleet deploy --environment prod --snapshot --file "$WORK/prod.json" \
    >"$WORK/deploy.out" || fail "fleet deploy --file"
grep -q 'recorded 4 deployments in prod' "$WORK/deploy.out" || fail "deploy answered $(cat "$WORK/deploy.out")"
# a second snapshot without "old" replaces the first: debian runs nowhere in prod
jq 'del(.deployments[3])' "$WORK/prod.json" >"$WORK/prod2.json"
DRYDOCK_API_KEY=$WRITE_KEY "$DRYDOCK" fleet deploy --environment prod --snapshot --file "$WORK/prod2.json" >/dev/null
DRYDOCK_API_KEY=$WRITE_KEY "$DRYDOCK" fleet deploy --environment staging --cluster s1 --namespace qa \
    --container api --image "drydock-test/lang:1" >/dev/null || fail "fleet deploy one container"
# expected deployments per image, as "env/cluster/namespace/container"
declare -A DEPLOYS=([lang]="prod/c1/web/api staging/s1/qa/api" [derived]="prod/c1/web/front"
    [deb11]="prod/c2/data/db" [debian]="")

name_of() { # digest -> image name
    for n in "${!DIGEST[@]}"; do [ "${DIGEST[$n]}" = "$1" ] && { echo "$n"; return; }; done
    echo "unknown:$1"
}

# check_affected EXPECT.json ID...: `fleet affected` of each id names exactly the oracle's
# images, packages and deployments.
check_affected() {
    local expect=$1
    shift
    for id in "$@"; do
        DRYDOCK_API_KEY=$READ_KEY "$DRYDOCK" fleet affected -f json --page-size 2 "$id" >"$WORK/aff.json" ||
            fail "fleet affected $id"
        want=$(jq -r --arg id "$id" '[.findings[]|select(.record==$id or (.aliases|index($id)))|"\(.image) \(.purl)"]|unique|.[]' "$expect")
        got=$(jq -r '.images[] as $i | $i.packages[] | "\($i.digest) \(.purl)"' "$WORK/aff.json" |
            while read -r d p; do echo "$(name_of "$d") $p"; done | sort -u)
        [ "$got" = "$want" ] || fail "fleet affected $id: got
$got
expected
$want"
        for d in $(jq -r '.images[].digest' "$WORK/aff.json"); do
            n=$(name_of "$d")
            gotd=$(jq -r --arg d "$d" '.images[]|select(.digest==$d)|.deployments[]|"\(.environment)/\(.cluster)/\(.namespace)/\(.container)"' "$WORK/aff.json" | sort | xargs)
            wantd=$(echo "${DEPLOYS[$n]}" | tr ' ' '\n' | sort | xargs)
            [ "$gotd" = "$wantd" ] || fail "fleet affected $id: $n runs in '$gotd', expected '$wantd'"
        done
    done
}

# --- the real advisories: every record the oracle finds, and nothing more per image ---
mapfile -t ids1 < <(jq -r '.findings[].record' "$WORK/expect1.json" | sort -u)
check_affected "$WORK/expect1.json" "${ids1[@]}"
for n in debian derived lang deb11; do
    DRYDOCK_API_KEY=$READ_KEY "$DRYDOCK" fleet image -f json "${DIGEST[$n]}" >"$WORK/img.json" || fail "fleet image $n"
    got=$(jq -r '[.findings[].purl]|unique|.[]' "$WORK/img.json")
    want=$(jq -r --arg n "$n" '[.findings[]|select(.image==$n)|.purl]|unique|.[]' "$WORK/expect1.json")
    [ "$got" = "$want" ] || fail "fleet image $n: vulnerable packages
$got
expected
$want"
done
log "v1: ${#ids1[@]} advisories answered as the oracle says"

# --- queries by package, base image, repository; pagination ---
count_images() { DRYDOCK_API_KEY=$READ_KEY "$DRYDOCK" fleet images -f json "$@" | jq -r '[.images[].digest]|sort|.[]' | while read -r d; do name_of "$d"; done | sort | xargs; }
[ "$(count_images --repository drydock-test/lang)" = lang ] || fail "images --repository"
[ "$(count_images --base-image drydock-test/debian:12)" = derived ] || fail "images --base-image: $(count_images --base-image drydock-test/debian:12)"
[ "$(count_images --package 'pkg:pypi/urllib3@<1.26.17')" = lang ] || fail "images --package urllib3@<1.26.17"
[ "$(count_images --package 'pkg:pypi/urllib3@>=1.26.13')" = "" ] || fail "images --package urllib3@>=1.26.13"
want=$(for n in debian derived lang deb11; do
    if jq -e '[.components[]|select(.purl and (.purl|startswith("pkg:deb/debian/zlib1g@")))]|length > 0' \
        "$WORK/sbom/$n.cdx.json" >/dev/null; then echo $n; fi
done | sort | xargs)
[ "$(count_images --package pkg:deb/debian/zlib1g)" = "$want" ] || fail "images --package zlib1g: want $want"
[ "$(count_images --page-size 1)" = "deb11 debian derived lang" ] || fail "images across pages of 1"
[ "$(DRYDOCK_API_KEY=$READ_KEY "$DRYDOCK" fleet images -f json --limit 3 --page-size 2 | jq '.images|length')" = 3 ] ||
    fail "images --limit 3"
DRYDOCK_API_KEY=$READ_KEY "$DRYDOCK" fleet packages -f json 'pkg:pypi/requests@<2.31.0' >"$WORK/pk.json"
[ "$(jq -r '[.images[].digest]|join(" ")' "$WORK/pk.json")" = "${DIGEST[lang]}" ] || fail "fleet packages requests"
DRYDOCK_API_KEY=$READ_KEY "$DRYDOCK" fleet summary -f json >"$WORK/summary.json"
[ "$(jq .images "$WORK/summary.json")" = 4 ] || fail "summary: $(cat "$WORK/summary.json")"
DRYDOCK_API_KEY=$READ_KEY "$DRYDOCK" fleet summary >/dev/null || fail "summary table"
DRYDOCK_API_KEY=$READ_KEY "$DRYDOCK" fleet affected "${ids1[0]}" >/dev/null || fail "affected table"

# --- errors reach the user as one line naming the server's reason ---
if DRYDOCK_API_KEY=wrong "$DRYDOCK" fleet summary 2>"$WORK/err"; then fail "wrong key accepted"; fi
grep -q '^drydock: fleet summary: server: 401 ' "$WORK/err" || fail "401 message: $(cat "$WORK/err")"
if DRYDOCK_API_KEY=$READ_KEY "$DRYDOCK" push "$WORK/sbom/lang.cdx.json" --name x/y:1 2>"$WORK/err"; then fail "read key pushed"; fi
grep -q '^drydock: push: server: 403 ' "$WORK/err" || fail "403 message: $(cat "$WORK/err")"
if DRYDOCK_API_KEY=$READ_KEY "$DRYDOCK" fleet image sha256:$(printf '0%.0s' {1..64}) 2>"$WORK/err"; then fail "unknown digest found"; fi
grep -q 'server: 404 ' "$WORK/err" || fail "404 message: $(cat "$WORK/err")"
[ "$(wc -l <"$WORK/err")" = 1 ] || fail "more than one line on stderr"

# --- re-match: the webhook receiver, then the database with the added advisories ---
secret="s3cret-$RANDOM"
start_receiver "$secret"
api POST /api/v1/webhooks -H 'Content-Type: application/json' \
    -d "{\"url\":\"$RECEIVER_URL\",\"secret\":\"$secret\"}" >/dev/null
expect_status 201 "add webhook"
cp "$WORK/v2.db" "$WORK/vulndb.db.new"
mv "$WORK/vulndb.db.new" "$WORK/vulndb.db"
affected_by_extra() {
    kill -0 "$SERVER_PID" || fail "the server died re-matching"
    [ "$(DRYDOCK_API_KEY=$READ_KEY "$DRYDOCK" fleet affected -f json DDTEST-2026-0001 | jq '.images|length')" -gt 0 ]
}
wait_for 60 affected_by_extra || fail "the server did not re-match within 60 s of the database change"
mapfile -t ids2 < <(jq -r '.findings[].record' "$WORK/expect2.json" | sort -u)
check_affected "$WORK/expect2.json" "${ids2[@]}" DDTEST-2026-0003 DDTEST-2026-0004 CVE-2099-0001 CVE-2099-0005
# the new findings: (record, purl) pairs of v2 that v1 did not have, with their images
jq -r --slurpfile old "$WORK/expect1.json" '
    ($old[0].findings|map("\(.record) \(.purl)")) as $o
    | [.findings[]|select(("\(.record) \(.purl)") as $k | $o|index($k)|not)]
    | group_by("\(.record) \(.purl)")[] | "\(.[0].record) \(.[0].purl) \([.[].image]|sort|join(","))"' \
    "$WORK/expect2.json" | sort >"$WORK/new.want"
[ -s "$WORK/new.want" ] || fail "the added advisories hit nothing: the test data is wrong"
received() {
    [ -f "$WORK/hooks.jsonl" ] || return 1
    jq -r '.body.findings[] | "\(.advisory) \(.purl) \([.images[].digest]|sort|join(","))"' "$WORK/hooks.jsonl" |
        while read -r adv purl digests; do
            rec=$(jq -r --arg a "$adv" '[.findings[]|select(.record==$a or (.aliases|index($a)))|.record][0] // $a' "$WORK/expect2.json")
            names=$(echo "$digests" | tr ',' '\n' | while read -r d; do name_of "$d"; done | sort | paste -sd,)
            echo "$rec $purl $names"
        done | sort >"$WORK/new.got"
    [ "$(wc -l <"$WORK/new.got")" -ge "$(wc -l <"$WORK/new.want")" ]
}
wait_for 60 received || fail "webhook: $(cat "$WORK/new.got" 2>/dev/null | wc -l) findings received, want $(wc -l <"$WORK/new.want")"
sleep 2 # a late duplicate delivery would show now
received || true
[ ! -s "$WORK/hooks.bad" ] || fail "webhook deliveries with a bad signature: $(head -c 500 "$WORK/hooks.bad")"
diff "$WORK/new.want" "$WORK/new.got" >&2 || fail "the webhook did not get exactly the new findings"
# a re-match with nothing changed finds nothing new
r=$(api POST /api/v1/admin/rematch -H 'Content-Type: application/json' -d '{}')
expect_status 200 "admin rematch"
[ "$(echo "$r" | jq .new_findings)" = 0 ] || fail "second rematch found new findings: $r"
log "re-match: $(wc -l <"$WORK/new.want") new findings delivered, signed, once"

stop_server
log "ok"
