#!/usr/bin/env bash
# Checks `drydock inspect --files` against the root filesystem podman exports for the same
# image, in every form build.sh saved, and `--removed` against what build.sh deleted.
#
#   bash tests/images/test_squash.sh DRYDOCK CACHE_DIR
set -euo pipefail

drydock=${1:?usage: test_squash.sh DRYDOCK CACHE_DIR}
cache=${2:?usage: test_squash.sh DRYDOCK CACHE_DIR}
log() { printf 'test_squash: %s\n' "$*" >&2; }
[ -x "$drydock" ] || { log "no drydock binary at $drydock"; exit 1; }
[ -f "$cache/steps/export-big4x" ] || { log "$cache is not built: run tests/images/build.sh $cache"; exit 1; }
command -v python3 >/dev/null || { log "python3 is required"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { log "FAIL: $*"; failures=$((failures + 1)); }

# compare.py JSON TRUTH_TAR|- : the files of drydock's JSON against a tar listing (a file or,
# with -, a tar stream on stdin). Compared per path: type, permission bits (with setuid,
# setgid, sticky), uid, gid, size of regular files, symlink target.
#
# Hard links are normalised on both sides the same way, because which member of a link group
# a tar writer emits first (as the regular file) and which as links to it is arbitrary (podman
# export and the image layers disagree on /usr/bin/gunzip vs /usr/bin/uncompress): every
# regular file and hard link becomes type "file" with the size of its group's data, and the
# path's hard-link group (the set of paths joined by links, found by union-find) must be the
# same on both sides.
COMPARE=$(cat <<'EOF'
import json, posixpath, sys, tarfile

TYPES = {tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.DIRTYPE: "dir",
         tarfile.SYMTYPE: "symlink", tarfile.LNKTYPE: "hardlink", tarfile.CHRTYPE: "char",
         tarfile.BLKTYPE: "block", tarfile.FIFOTYPE: "fifo", tarfile.CONTTYPE: "file"}

def norm(name):
    name = name.lstrip("/")
    while name.startswith("./"):
        name = name[2:]
    name = posixpath.normpath(name) if name else ""
    return "" if name == "." else "/" + name

def truth(src):
    f = sys.stdin.buffer if src == "-" else open(src, "rb")
    out = {}
    with tarfile.open(fileobj=f, mode="r|*") as t:
        for m in t:
            p = norm(m.name)
            if not p:
                continue
            out[p] = {"type": TYPES.get(m.type, "other:%r" % m.type), "mode": m.mode & 0o7777,
                      "uid": m.uid, "gid": m.gid, "size": m.size if m.isreg() else 0,
                      "link": (norm(m.linkname) if m.islnk() else m.linkname) if m.linkname else None}
    return out

def drydock(path):
    doc = json.load(open(path))
    out = {}
    dups = []
    for f in doc.get("files") or []:
        p = f["path"]
        if p in out:
            dups.append(p)
        link = f.get("link")
        if f["type"] == "hardlink" and link:
            link = "/" + link.lstrip("/")
        out[p] = {"type": f["type"], "mode": int(f["mode"], 8), "uid": f.get("uid"),
                  "gid": f.get("gid"), "size": f.get("size") or 0, "link": link}
    return out, dups

def normalise_links(files):
    parent = {}
    def find(x):
        while parent.get(x, x) != x:
            x = parent[x]
        return x
    for p, e in files.items():
        if e["type"] == "hardlink" and e["link"]:
            a, b = find(p), find(e["link"])
            if a != b:
                parent[a] = b
    groups = {}
    for p, e in files.items():
        if e["type"] in ("file", "hardlink"):
            groups.setdefault(find(p), set()).add(p)
    for root, members in groups.items():
        data = [files[m]["size"] for m in members if files[m]["type"] == "file"]
        size = max(data) if data else files[root]["size"] if root in files else 0
        for m in members:
            e = files[m]
            e["type"] = "file"
            e["size"] = size
            e["link"] = None
            e["group"] = sorted(members) if len(members) > 1 else None
    for e in files.values():
        e.setdefault("group", None)

got, dups = drydock(sys.argv[1])
exp = truth(sys.argv[2])
normalise_links(got)
normalise_links(exp)
problems = ["%s: listed %s" % (p, "twice") for p in dups]
for p in sorted(set(exp) - set(got)):
    problems.append("%s: missing (expected %s)" % (p, exp[p]["type"]))
for p in sorted(set(got) - set(exp)):
    problems.append("%s: unexpected %s" % (p, got[p]["type"]))
for p in sorted(set(exp) & set(got)):
    for k in ("type", "mode", "uid", "gid", "size", "link", "group"):
        if k == "size" and exp[p]["type"] != "file":
            continue
        e, g = exp[p][k], got[p][k]
        if e != g:
            if k == "mode":
                e, g = "%04o" % e, "%04o" % g
            problems.append("%s: %s expected %r got %r" % (p, k, e, g))
print("%d paths expected, %d listed, %d mismatches" % (len(exp), len(got), len(problems)))
for line in problems[:20]:
    print("  " + line)
sys.exit(1 if problems else 0)
EOF
)

# layers.py JSON CONFIG MANIFEST|-: layers[].diff_id against the config's rootfs.diff_ids
# and, for OCI forms, layers[].digest and config_digest against the manifest.
LAYERS=$(cat <<'EOF'
import hashlib, json, sys
doc = json.load(open(sys.argv[1]))
cfg_raw = open(sys.argv[2], "rb").read()
cfg = json.loads(cfg_raw)
want = cfg["rootfs"]["diff_ids"]
got = [l.get("diff_id") for l in doc.get("layers", [])]
bad = []
if got != want:
    bad.append("layers[].diff_id %r, config says %r" % (got, want))
if sys.argv[3] != "-":
    man = json.load(open(sys.argv[3]))
    md = [l["digest"] for l in man["layers"]]
    gd = [l.get("digest") for l in doc.get("layers", [])]
    if gd != md:
        bad.append("layers[].digest %r, manifest says %r" % (gd, md))
    mt = [l["mediaType"] for l in man["layers"]]
    gt = [l.get("media_type") for l in doc.get("layers", [])]
    if gt != mt:
        bad.append("layers[].media_type %r, manifest says %r" % (gt, mt))
    if doc.get("config_digest") != man["config"]["digest"]:
        bad.append("config_digest %r, manifest says %r" % (doc.get("config_digest"), man["config"]["digest"]))
    if "sha256:" + hashlib.sha256(cfg_raw).hexdigest() != man["config"]["digest"]:
        bad.append("(test) skopeo's config does not hash to the manifest's config digest")
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF
)

# removed.py JSON EXPECTED: --removed must list exactly what build.sh deleted or replaced,
# sorted; and files' "layer" must be right for some paths whose layer is known.
REMOVED=$(cat <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
exp = {(e["path"], e["reason"], e["layer"], e["removed_by"]) for e in json.load(open(sys.argv[2]))}
got = {(e["path"], e.get("reason"), e.get("layer"), e.get("removed_by")) for e in doc.get("removed") or []}
bad = ["missing from --removed: %s reason=%s layer=%s removed_by=%s" % e for e in sorted(exp - got)]
bad += ["unexpected in --removed: %s reason=%s layer=%s removed_by=%s" % e for e in sorted(got - exp)]
print("%d removed expected, %d listed, %d mismatches" % (len(exp), len(got), len(bad)))
for b in bad[:20]:
    print("  " + b)
# the layer that wrote some files whose history build.sh knows
files = {f["path"]: f for f in doc.get("files") or []}
for path, layer in (("/etc/os-release", 0), ("/etc/passwd", 1), ("/etc/host.conf", 1),
                    ("/etc/apt/apt.conf.d/99drydock-test", 1), ("/etc/apt/apt.conf.d", 1),
                    ("/usr/local/bin/suid-helper", 1), ("/etc/motd", 2),
                    ("/srv/app/config.json", 3), ("/srv/app", 3), ("/opt/extras/bin/tool", 4)):
    got_layer = files.get(path, {}).get("layer")
    if got_layer != layer:
        print("  %s: layer expected %d got %r" % (path, layer, got_layer))
        bad.append(path)
rows = [(e["path"], e.get("layer", 0)) for e in doc.get("removed") or []]
if rows != sorted(rows, key=lambda r: (r[0].encode(), r[1])):
    print("  --removed is not sorted by path, then layer")
    bad.append("order")
sys.exit(1 if bad else 0)
EOF
)

# run_inspect OUT ARGS...: drydock's JSON into OUT; false (and a message) when it fails.
run_inspect() {
    local out=$1; shift
    local rc=0
    timeout 600 "$drydock" inspect -f json "$@" >"$out" 2>"$tmp/stderr" || rc=$?
    if [ "$rc" != 0 ]; then
        fail "drydock inspect $* exited $rc: $(head -n 3 "$tmp/stderr" | tr '\n' ' ' | head -c 400)"
        return 1
    fi
}

check_form() { # IMAGE-NAME FORM-LABEL IMAGE-REF SKOPEO-REF OCI(0/1)
    local name=$1 label=$2 ref=$3 sref=$4 oci=$5 json="$tmp/$1.$2.json"
    log "$name as $label: inspect --files --removed $ref"
    run_inspect "$json" --files --removed "$ref" || return 0
    if ! python3 -c "$COMPARE" "$json" "$cache/$name.export.tar" >"$tmp/out"; then
        fail "$name as $label: files differ from podman export"
    fi
    sed 's/^/    /' "$tmp/out" >&2
    skopeo inspect --config --raw "$sref" >"$tmp/config.json"
    local man=-
    if [ "$oci" = 1 ]; then
        skopeo inspect --raw "$sref" >"$tmp/manifest.json"
        man="$tmp/manifest.json"
    fi
    if ! python3 -c "$LAYERS" "$json" "$tmp/config.json" "$man" >"$tmp/out"; then
        fail "$name as $label: layers differ from the image's config/manifest"
    fi
    sed 's/^/    /' "$tmp/out" >&2
    if [ "$name" = derived ]; then
        if ! python3 -c "$REMOVED" "$json" "$cache/expected/derived.removed.json" >"$tmp/out"; then
            fail "$name as $label: --removed or files[].layer differ from what build.sh did"
        fi
        sed 's/^/    /' "$tmp/out" >&2
    fi
}

for name in debian derived; do
    check_form "$name" docker-archive "docker-archive:$cache/$name.docker.tar" "docker-archive:$cache/$name.docker.tar" 0
    check_form "$name" docker-archive-gzip "docker-archive:$cache/$name.docker-gz.tar" "docker-archive:$cache/$name.docker-gz.tar" 0
    check_form "$name" oci-archive "oci-archive:$cache/$name.oci.tar" "oci-archive:$cache/$name.oci.tar" 1
    check_form "$name" oci-dir-gzip "oci-dir:$cache/$name.oci-gzip" "oci:$cache/$name.oci-gzip" 1
    check_form "$name" oci-dir-zstd "oci-dir:$cache/$name.oci-zstd" "oci:$cache/$name.oci-zstd" 1
done
# without a prefix: the form is detected
check_form derived detected-docker-archive "$cache/derived.docker.tar" "docker-archive:$cache/derived.docker.tar" 0
check_form derived detected-oci-dir "$cache/derived.oci-zstd" "oci:$cache/derived.oci-zstd" 1
check_form big4x docker-archive-gzip "docker-archive:$cache/big4x.docker-gz.tar" "docker-archive:$cache/big4x.docker-gz.tar" 0

# the debootstrap root as a directory, against GNU tar's view of the same directory
log "rootfs as dir: inspect --files dir:$cache/rootfs"
if run_inspect "$tmp/rootfs.json" --files "dir:$cache/rootfs"; then
    if ! tar -C "$cache/rootfs" --numeric-owner -cf - . | python3 -c "$COMPARE" "$tmp/rootfs.json" - >"$tmp/out"; then
        fail "rootfs as dir: files differ from tar's listing of the directory"
    fi
    sed 's/^/    /' "$tmp/out" >&2
fi

if [ "$failures" -gt 0 ]; then
    log "$failures failure(s)"
    exit 1
fi
log "all forms match"
