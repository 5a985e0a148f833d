#!/usr/bin/env bash
# Checks the identity and configuration `drydock inspect` reports for the real test images
# against `podman image inspect` and the images' own config blobs, image selection by tag in
# a two-image archive, and that the table form runs.
#
#   bash tests/images/test_inspect.sh DRYDOCK CACHE_DIR
set -euo pipefail

drydock=${1:?usage: test_inspect.sh DRYDOCK CACHE_DIR}
cache=${2:?usage: test_inspect.sh DRYDOCK CACHE_DIR}
log() { printf 'test_inspect: %s\n' "$*" >&2; }
[ -x "$drydock" ] || { log "no drydock binary at $drydock"; exit 1; }
[ -f "$cache/steps/save-both" ] || { log "$cache is not built: run tests/images/build.sh $cache"; exit 1; }
cache=$(cd "$cache" && pwd)
# podman reads the storage build.sh made, not the machine's
export CONTAINERS_STORAGE_CONF="$cache/podman/storage.conf"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { log "FAIL: $*"; failures=$((failures + 1)); }

# inspect EXPECTED-EXIT OUT ERR ARGS...: run drydock, check its exit code.
inspect() {
    local want=$1 out=$2 err=$3 rc=0; shift 3
    timeout 300 "$drydock" inspect "$@" >"$out" 2>"$err" || rc=$?
    if [ "$rc" != "$want" ]; then
        fail "drydock inspect $* exited $rc, expected $want: $(head -n 3 "$err" | tr '\n' ' ' | head -c 400)"
        return 1
    fi
}

# check.py JSON PODMAN-INSPECT CONFIG MANIFEST|- KIND OS-RELEASE: the config fields against
# podman's view of the image; healthcheck against the form's own config blob, because the
# OCI config has no healthcheck and skopeo/podman drop it when they write OCI forms.
CHECK=$(cat <<'EOF'
import hashlib, json, sys
doc = json.load(open(sys.argv[1]))
pod = json.load(open(sys.argv[2]))[0]
cfg_raw = open(sys.argv[3], "rb").read()
cfg = json.loads(cfg_raw)
man_raw = open(sys.argv[4], "rb").read() if sys.argv[4] != "-" else None
kind = sys.argv[5]
osrel = {}
for line in open(sys.argv[6]):
    if "=" in line:
        k, v = line.rstrip("\n").split("=", 1)
        osrel[k] = v.strip('"')
bad = []
def eq(field, got, want):
    if got != want:
        bad.append("%s: expected %r got %r" % (field, want, got))
c = doc.get("config") or {}
pc = pod["Config"]
eq("schema", doc.get("schema"), "drydock.inspect/1")
eq("source.kind", (doc.get("source") or {}).get("kind"), kind)
eq("config.user", c.get("user"), pc.get("User") or None)
eq("config.env", c.get("env"), pc.get("Env"))
eq("config.entrypoint", c.get("entrypoint"), pc.get("Entrypoint"))
eq("config.cmd", c.get("cmd"), pc.get("Cmd"))
eq("config.workdir", c.get("workdir"), pc.get("WorkingDir") or None)
eq("config.exposed_ports", sorted(c.get("exposed_ports") or []), sorted(pc.get("ExposedPorts") or {}))
eq("config.volumes", sorted(c.get("volumes") or []), sorted(pc.get("Volumes") or {}))
eq("config.labels", c.get("labels") or {}, pc.get("Labels") or {})
eq("config.stop_signal", c.get("stop_signal"), pc.get("StopSignal"))
eq("config.author", c.get("author"), cfg.get("author") or None)
eq("config.created", c.get("created"), cfg.get("created"))
hc = (cfg.get("config") or {}).get("Healthcheck")
if hc:
    want = {"test": hc.get("Test"), "interval_ns": hc.get("Interval", 0),
            "timeout_ns": hc.get("Timeout", 0), "start_period_ns": hc.get("StartPeriod", 0),
            "retries": hc.get("Retries", 0)}
    got = c.get("healthcheck")
    if got is not None:
        got = {k: got.get(k) for k in want}
    eq("config.healthcheck", got, want)
else:
    eq("config.healthcheck", c.get("healthcheck"), None)
eq("platform", doc.get("platform"), "%s/%s" % (pod["Os"], pod["Architecture"]))
o = doc.get("os") or {}
for k in ("id", "version_id", "version_codename", "pretty_name"):
    eq("os." + k, o.get(k), osrel.get(k.upper()))
eq("config_digest", doc.get("config_digest"), "sha256:" + hashlib.sha256(cfg_raw).hexdigest())
if man_raw is not None:
    eq("manifest_digest", doc.get("manifest_digest"), "sha256:" + hashlib.sha256(man_raw).hexdigest())
if kind == "docker-archive":
    eq("tags", doc.get("tags"), pod["RepoTags"])
hist = cfg.get("history") or []
got = doc.get("history") or []
eq("len(history)", len(got), len(hist))
layer = 0
for i, (g, h) in enumerate(zip(got, hist)):
    eq("history[%d].created_by" % i, g.get("created_by"), h.get("created_by"))
    eq("history[%d].empty_layer" % i, bool(g.get("empty_layer")), bool(h.get("empty_layer")))
    if not h.get("empty_layer"):
        eq("history[%d].layer" % i, g.get("layer"), layer)
        layer += 1
eq("len(layers)", len(doc.get("layers") or []), len(cfg["rootfs"]["diff_ids"]))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF
)

osrel="$cache/rootfs/usr/lib/os-release"
for name in debian derived; do
    image=localhost/drydock-test/derived:1
    [ "$name" = debian ] && image=localhost/drydock-test/debian:12
    podman image inspect "$image" >"$tmp/podman.json"
    for form in docker-archive:docker.tar docker-archive:docker-gz.tar oci-archive:oci.tar \
                oci-dir:oci-gzip oci-dir:oci-zstd; do
        kind=${form%%:*}
        path="$cache/$name.${form#*:}"
        sref="$kind:$path"
        [ "$kind" = oci-dir ] && sref="oci:$path"
        log "$name: inspect -f json $kind:$path"
        inspect 0 "$tmp/out.json" "$tmp/err" -f json "$kind:$path" || continue
        skopeo inspect --config --raw "$sref" >"$tmp/config.json"
        man=-
        if [ "$kind" != docker-archive ]; then
            skopeo inspect --raw "$sref" >"$tmp/manifest.json"
            man="$tmp/manifest.json"
        fi
        if ! python3 -c "$CHECK" "$tmp/out.json" "$tmp/podman.json" "$tmp/config.json" "$man" \
                "$kind" "$osrel" >"$tmp/check" 2>&1; then
            fail "$name as $kind:${form#*:}: identity/config differ"
        fi
        cat "$tmp/check" >&2
    done
done

# -o writes the same document as stdout
log "derived: -o FILE"
if inspect 0 "$tmp/stdout.json" "$tmp/err" -f json "$cache/derived.docker.tar" &&
   inspect 0 "$tmp/empty" "$tmp/err" -f json -o "$tmp/o.json" "$cache/derived.docker.tar"; then
    cmp -s "$tmp/stdout.json" "$tmp/o.json" || fail "-o FILE differs from stdout"
    [ ! -s "$tmp/empty" ] || fail "-o FILE still wrote to stdout"
fi

# tag selection in the two-image archive
both="$cache/both.docker.tar"
log "both: no tag -> exit 2 listing both tags"
if inspect 2 "$tmp/out" "$tmp/err" -f json "$both"; then
    [ "$(wc -l <"$tmp/err")" = 1 ] || fail "no tag: stderr is not one line: $(cat "$tmp/err")"
    for t in localhost/drydock-test/debian:12 localhost/drydock-test/derived:1; do
        grep -qF "$t" "$tmp/err" || fail "no tag: the message does not list $t: $(cat "$tmp/err")"
    done
    grep -qF "both.docker.tar" "$tmp/err" || fail "no tag: the message does not name the file"
fi
# user_of JSON: the config's user, to see which image was picked
user_of() { python3 -c 'import json,sys; print((json.load(open(sys.argv[1])).get("config") or {}).get("user"))' "$1"; }
for sel in "docker-archive:$both:localhost/drydock-test/derived:1=app" \
           "$both:localhost/drydock-test/derived:1=app" \
           "docker-archive:$both:localhost/drydock-test/debian:12=None"; do
    ref=${sel%=*} want=${sel##*=}
    log "both: $ref"
    if inspect 0 "$tmp/out" "$tmp/err" -f json "$ref"; then
        [ "$(user_of "$tmp/out")" = "$want" ] || fail "$ref picked the wrong image (user $(user_of "$tmp/out"))"
    fi
done
for sel in "localhost/drydock-test/derived:1=app" "localhost/drydock-test/debian:12=None"; do
    log "both: --tag ${sel%=*}"
    if inspect 0 "$tmp/out" "$tmp/err" -f json --tag "${sel%=*}" "docker-archive:$both"; then
        [ "$(user_of "$tmp/out")" = "${sel##*=}" ] || fail "--tag ${sel%=*} picked the wrong image"
    fi
done
log "both: a tag it does not hold -> exit 2"
if inspect 2 "$tmp/out" "$tmp/err" -f json --tag localhost/nope:0 "docker-archive:$both"; then
    [ "$(wc -l <"$tmp/err")" = 1 ] || fail "unknown tag: stderr is not one line: $(cat "$tmp/err")"
fi

# the table form, with every section, runs and says something
for args in "" "--layers" "--layers --files --removed"; do
    for f in "$cache/derived.docker.tar" "oci-dir:$cache/derived.oci-zstd" "dir:$cache/rootfs"; do
        log "table: inspect $args $f"
        # shellcheck disable=SC2086
        if inspect 0 "$tmp/out" "$tmp/err" $args "$f"; then
            [ -s "$tmp/out" ] || fail "table inspect $args $f printed nothing"
            [ ! -s "$tmp/err" ] || fail "table inspect $args $f wrote to stderr: $(head -n 2 "$tmp/err")"
        fi
    done
done
if inspect 0 "$tmp/out" "$tmp/err" "$cache/derived.docker.tar"; then
    grep -q 'Debian GNU/Linux 12' "$tmp/out" || fail "the table does not show the OS (Debian GNU/Linux 12)"
fi

if [ "$failures" -gt 0 ]; then
    log "$failures failure(s)"
    exit 1
fi
log "all checks passed"
