#!/usr/bin/env bash
# Dependency-Track compatibility: the curl calls of Dependency-Track's CI documentation
# (docs/_docs/usage/cicd.md: PUT of base64 JSON, inline and from a file; POST multipart, with
# the documented Content-Type header and with curl's own) and the token poll, unchanged, with
# projectName/projectVersion as DT clients send them; the uploads become images.
#
#   test_dt.sh DRYDOCK BACKEND IMAGES VULNDATA [PG_DIR]
DRYDOCK=$1 BACKEND=$2 IMAGES=$3 VULNDATA=$4 PG_DIR=${5:-}
source "$(dirname "$0")/lib.sh"

make_sboms
db=$(new_db)
start_server dt "$db"
KEY=$(api POST /api/v1/keys -H 'Content-Type: application/json' -d '{"name":"dt","scope":"write"}' | jq -r .secret)
expect_status 201 "create write key"
H=${SERVER#http://}

token_done() { # TOKEN: a UUID, and the poll DT clients make answers processing=false
    local out
    [[ $1 =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]] || fail "upload answered no token: ${2:-}"
    out=$(curl -sS --max-time 60 -H "X-Api-Key: $KEY" "http://$H/api/v1/event/token/$1")
    [ "$(echo "$out" | jq .processing)" = false ] || fail "token $1: $out"
}

# 1. PUT, JSON inline as the documentation writes it ($'...' with newlines)
bom=$(base64 -w 0 "$WORK/sbom/deb11.cdx.json")
out=$(curl -sS --max-time 120 -X "PUT" "http://$H/api/v1/bom" \
     -H 'Content-Type: application/json' \
     -H "X-API-Key: $KEY" \
     -d $'{\n  "projectName": "dt/deb11",\n  "projectVersion": "1.0",\n  "autoCreate": true,\n  "bom": "'"$bom"$'"\n  }')
t1=$(echo "$out" | jq -r .token)
token_done "$t1" "PUT inline: $out"

# 2. PUT from a payload file (the "Large Payloads" form), the lang image's SBOM
cat >"$WORK/payload.json" <<JSON
{"projectName": "dt/lang", "projectVersion": "2.0", "autoCreate": true,
 "bom": "$(base64 -w 0 "$WORK/sbom/lang.cdx.json")"}
JSON
out=$(curl -sS --max-time 120 -X "PUT" "http://$H/api/v1/bom" \
     -H 'Content-Type: application/json' \
     -H "X-API-Key: $KEY" \
     -d @"$WORK/payload.json")
t2=$(echo "$out" | jq -r .token)
token_done "$t2" "PUT from a file: $out"

# 3. POST multipart with the documented header (its own boundary), the BOM as a field (curl
# reads its text from the file with "<")
out=$(curl -sS --max-time 120 -X "POST" "http://$H/api/v1/bom" \
     -H 'Content-Type: multipart/form-data; charset=utf-8; boundary=__X_CURL_BOUNDARY__' \
     -H "X-Api-Key: $KEY" \
     -F "projectName=dt/debian" \
     -F "projectVersion=12" \
     -F "autoCreate=true" \
     -F "bom=<$WORK/sbom/debian.cdx.json")
t3=$(echo "$out" | jq -r .token)
token_done "$t3" "POST multipart, documented header: $out"

# 4. POST multipart with the BOM as a file (gh-upload-sbom and most CI plugins)
out=$(curl -sS --max-time 120 -X "POST" "http://$H/api/v1/bom" \
     -H "X-Api-Key: $KEY" \
     -F "autoCreate=true" \
     -F "projectName=dt/derived" \
     -F "projectVersion=1" \
     -F "bom=@$WORK/sbom/derived.cdx.json")
t4=$(echo "$out" | jq -r .token)
token_done "$t4" "POST multipart, file: $out"
[ "$(printf '%s\n' "$t1" "$t2" "$t3" "$t4" | sort -u | wc -l)" = 4 ] || fail "tokens are not distinct"

# the four uploads are images named by project and version, with the SBOMs' packages
for pair in dt/deb11:1.0:deb11 dt/lang:2.0:lang dt/debian:12:debian dt/derived:1:derived; do
    IFS=: read -r repo tag n <<<"$pair"
    out=$(api GET "/api/v1/images?repository=$(jq -rn --arg r "$repo" '$r|@uri')")
    expect_status 200 "images of $repo"
    [ "$(echo "$out" | jq '.images|length')" = 1 ] || fail "$repo: $out"
    [ "$(echo "$out" | jq -r '.images[0].tags|index("'"$tag"'") != null')" = true ] || fail "$repo has no tag $tag: $out"
    want=$(jq '[.components[]|select(.purl)]|length' "$WORK/sbom/$n.cdx.json")
    [ "$(echo "$out" | jq '.images[0].packages')" = "$want" ] || fail "$repo: packages $(echo "$out" | jq '.images[0].packages'), want $want"
done
for n in debian derived; do
    d=$(jq -r .metadata.component.version "$WORK/sbom/$n.cdx.json")
    api GET "/api/v1/images/$d" >/dev/null
    expect_status 200 "the $n upload is stored under the SBOM's digest $d"
done

# what DT refuses, refused the same way: an unknown project UUID, no project at all, no key
out=$(curl -sS --max-time 60 -o /dev/null -w '%{http_code}' -X PUT "http://$H/api/v1/bom" -H 'Content-Type: application/json' \
    -H "X-API-Key: $KEY" -d "{\"project\": \"f90934f5-cb88-47ce-81cb-db06fc67d4b4\", \"bom\": \"$bom\"}")
[ "$out" = 404 ] || fail "PUT with an unknown project uuid: $out, want 404"
out=$(curl -sS --max-time 60 -o /dev/null -w '%{http_code}' -X PUT "http://$H/api/v1/bom" -H 'Content-Type: application/json' \
    -H "X-API-Key: $KEY" -d "{\"bom\": \"$bom\"}")
[ "${out:0:1}" = 4 ] || fail "PUT without project: $out, want 4xx"
out=$(curl -sS --max-time 60 -o /dev/null -w '%{http_code}' -X PUT "http://$H/api/v1/bom" -H 'Content-Type: application/json' \
    -d "{\"projectName\": \"x\", \"projectVersion\": \"1\", \"bom\": \"$bom\"}")
[ "$out" = 401 ] || fail "PUT without key: $out, want 401"
out=$(curl -sS --max-time 60 -o /dev/null -w '%{http_code}' -X PUT "http://$H/api/v1/bom" -H 'Content-Type: application/json' \
    -H "X-API-Key: $KEY" -d '{"projectName": "x", "projectVersion": "1", "bom": "not base64!"}')
[ "$out" = 400 ] || fail "PUT with a bom that is not base64: $out, want 400"
log "ok"
