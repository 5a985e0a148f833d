#!/usr/bin/env bash
# Generates hostile image inputs into CACHE_DIR/hostile/ for test_hostile.sh, with a table of
# what drydock must answer for each (CACHE_DIR/hostile/cases.tsv).
#
#   bash tests/images/hostile.sh CACHE_DIR
#
# Most inputs are small images written here with python3's tarfile; a few are the real
# images of build.sh, cut or damaged. cases.tsv columns (tab separated):
#   name  ref  exit  layer-tokens  note
# ref is the IMAGE argument with {dir} standing for the hostile directory; exit is the exit
# code drydock must give; layer-tokens (comma separated, or -) are ways of naming the bad
# layer, one of which the one-line message must contain (its index as "layer N", its blob
# digest or diff_id hex, or its member name).
set -euo pipefail

HOSTILE_VERSION=2
cache=${1:?usage: hostile.sh CACHE_DIR}
cache=$(cd "$cache" && pwd)
out="$cache/hostile"
log() { printf 'hostile.sh: %s\n' "$*" >&2; }

# build.sh holds this lock while it writes the images; hostile.sh reads them
exec 9>"$cache/.build.lock"
flock 9
[ -f "$cache/steps/save-derived-oci-gzip" ] || { log "error: run build.sh $cache first"; exit 1; }
key="hostile v$HOSTILE_VERSION $(sha256sum <"${BASH_SOURCE[0]}" | cut -c1-16) $(cat "$cache/images.stamp")"
# a rebuild of the images changes their digests: the damaged copies must follow
key="$key $(sha256sum <"$cache/derived.oci-gzip/index.json" | cut -c1-16)"
if [ "$(cat "$out/stamp" 2>/dev/null)" = "$key" ] && [ -f "$out/cases.tsv" ]; then
    log "hostile inputs are up to date in $out"
    exit 0
fi
log "generating hostile inputs in $out"
rm -rf "$out"
mkdir -p "$out"

python3 - "$out" "$cache" <<'EOF'
import gzip, hashlib, io, json, os, shutil, struct, subprocess, sys, tarfile, zlib

out, cache = sys.argv[1], sys.argv[2]
cases = []

def case(name, ref, code, layer_tokens, note):
    cases.append((name, ref, str(code), ",".join(layer_tokens) if layer_tokens else "-", note))

def sha(b):
    return hashlib.sha256(b).hexdigest()

def tar_bytes(members):
    """members: (TarInfo-kwargs, data-bytes-or-None)"""
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.PAX_FORMAT) as t:
        for kw, data in members:
            ti = tarfile.TarInfo(kw.pop("name"))
            ti.mtime = 1700000000
            for k, v in kw.items():
                setattr(ti, k, v)
            if data is not None:
                ti.size = len(data)
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    return bio.getvalue()

def f(name, data, mode=0o644):
    return ({"name": name, "mode": mode}, data)

def d(name, mode=0o755):
    return ({"name": name, "type": tarfile.DIRTYPE, "mode": mode}, None)

BASE = tar_bytes([d("etc"), f("etc/os-release", b'ID=hostile\nVERSION_ID="1"\n'),
                  f("etc/motd", b"hostile test image\n")])

def config(diff_ids):
    return json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                       "rootfs": {"type": "layers", "diff_ids": ["sha256:" + x for x in diff_ids]},
                       "history": [{"created_by": "hostile.sh"} for _ in diff_ids]}).encode()

def add(t, name, data):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mode = 0o644
    t.addfile(ti, io.BytesIO(data))

def docker_archive(name, blobs, diff_ids=None, manifest=None, first=True):
    """blobs: layer files as stored (maybe compressed); diff_ids: hex of the uncompressed tars
    (default: sha of the blob). manifest.json goes first so a cut archive still has it."""
    diff_ids = diff_ids or [sha(b) for b in blobs]
    cfg = config(diff_ids)
    names = ["%s/layer.tar" % sha(b) for b in blobs]
    man = manifest if manifest is not None else json.dumps(
        [{"Config": sha(cfg) + ".json", "RepoTags": ["localhost/hostile/%s:1" % name.split(".")[0]],
          "Layers": names}]).encode()
    path = os.path.join(out, name)
    with tarfile.open(path, "w") as t:
        add(t, "manifest.json", man)
        add(t, sha(cfg) + ".json", cfg)
        for n, b in zip(names, blobs):
            add(t, n, b)
    return names

def oci_dir(name, blobs, media=None, sizes=None, diff_ids=None):
    path = os.path.join(out, name)
    os.makedirs(os.path.join(path, "blobs", "sha256"))
    def put(b):
        with open(os.path.join(path, "blobs", "sha256", sha(b)), "wb") as fh:
            fh.write(b)
        return "sha256:" + sha(b)
    diff_ids = diff_ids or [sha(b) for b in blobs]
    cfg = config(diff_ids)
    layers = []
    for i, b in enumerate(blobs):
        layers.append({"mediaType": (media or {}).get(i, "application/vnd.oci.image.layer.v1.tar"),
                       "digest": put(b), "size": (sizes or {}).get(i, len(b))})
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                 "digest": put(cfg), "size": len(cfg)},
                      "layers": layers}).encode()
    md = put(man)
    write_index(path, {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": md, "size": len(man)})
    return path, put

def write_index(path, desc, raw=None):
    with open(os.path.join(path, "oci-layout"), "w") as fh:
        fh.write('{"imageLayoutVersion": "1.0.0"}')
    with open(os.path.join(path, "index.json"), "wb") as fh:
        fh.write(raw if raw is not None else json.dumps(
            {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [desc]}).encode())

# --- not images at all ----------------------------------------------------------------------
with open(os.path.join(out, "random.bin"), "wb") as fh:
    fh.write(bytes((i * 2654435761 >> 13) & 0xFF for i in range(8192)))
open(os.path.join(out, "empty.bin"), "wb").close()
with open(os.path.join(out, "text.txt"), "w") as fh:
    fh.write("This is a text file, not a container image.\n" * 20)
case("random", "{dir}/random.bin", 2, None, "random bytes, form detected")
case("random-as-docker", "docker-archive:{dir}/random.bin", 2, None, "random bytes, forced docker-archive")
case("random-as-oci-archive", "oci-archive:{dir}/random.bin", 2, None, "random bytes, forced oci-archive")
case("empty", "{dir}/empty.bin", 2, None, "an empty file")
case("empty-as-docker", "docker-archive:{dir}/empty.bin", 2, None, "an empty file, forced docker-archive")
case("text", "{dir}/text.txt", 2, None, "a text file")
case("missing-file", "docker-archive:{dir}/does-not-exist.tar", 2, None, "no such file")
case("not-oci-dir", "oci-dir:{dir}/text.txt", 2, None, "a file given as an OCI directory")

# --- cut archives ---------------------------------------------------------------------------
src = os.path.join(cache, "debian.docker-gz.tar")
with open(src, "rb") as fh, open(os.path.join(out, "truncated.docker.tar"), "wb") as o:
    o.write(fh.read(os.path.getsize(src) // 2))
case("truncated", "docker-archive:{dir}/truncated.docker.tar", 2, None,
     "the real debian gzip docker-archive cut in half (its manifest.json is at the end)")

big = tar_bytes([d("data"), f("data/blob", os.urandom(64 << 10))])
gz = gzip.compress(big, mtime=0)
names = docker_archive("truncated-layer.docker.tar", [BASE, gz], [sha(BASE), sha(big)])
p = os.path.join(out, "truncated-layer.docker.tar")
os.truncate(p, os.path.getsize(p) - 1024 - len(gz) // 2)
case("truncated-layer", "docker-archive:{dir}/truncated-layer.docker.tar", 2,
     ["layer 1", sha(gz), sha(big), names[1]],
     "manifest.json first, then the archive ends in the middle of the gzip layer 1")

gzcut = gz[: len(gz) // 2]
names = docker_archive("truncated-gzip.docker.tar", [BASE, gzcut], [sha(BASE), sha(big)])
case("truncated-gzip", "docker-archive:{dir}/truncated-gzip.docker.tar", 2,
     ["layer 1", sha(gzcut), sha(big), names[1]],
     "a complete archive whose layer 1 blob is a gzip stream cut in half")

# --- bad member names -----------------------------------------------------------------------
bad = tar_bytes([d("etc"), f("etc/ok", b"ok\n"), f("../../../etc/evil", b"escape\n")])
names = docker_archive("dotdot.docker.tar", [BASE, bad])
case("dotdot", "docker-archive:{dir}/dotdot.docker.tar", 2, ["layer 1", sha(bad), names[1]],
     "layer 1 has a member ../../../etc/evil")
bad = tar_bytes([f("/etc/evil", b"absolute\n")])
names = docker_archive("absolute.docker.tar", [BASE, bad])
case("absolute", "docker-archive:{dir}/absolute.docker.tar", 2, ["layer 1", sha(bad), names[1]],
     "layer 1 has a member /etc/evil")
bad = tar_bytes([d("etc"), f("etc/../../evil", b"escape\n")])
names = docker_archive("dotdot-inner.docker.tar", [BASE, bad])
case("dotdot-inner", "docker-archive:{dir}/dotdot-inner.docker.tar", 2, ["layer 1", sha(bad), names[1]],
     "layer 1 has a member etc/../../evil (.. inside the name)")

# --- links ----------------------------------------------------------------------------------
loop = tar_bytes([d("loop"),
                  ({"name": "loop/a", "type": tarfile.SYMTYPE, "linkname": "b", "mode": 0o777}, None),
                  ({"name": "loop/b", "type": tarfile.SYMTYPE, "linkname": "a", "mode": 0o777}, None),
                  ({"name": "loop/self", "type": tarfile.SYMTYPE, "linkname": "self", "mode": 0o777}, None),
                  ({"name": "loop/up", "type": tarfile.SYMTYPE, "linkname": "../loop/up", "mode": 0o777}, None)])
docker_archive("symlink-loop.docker.tar", [BASE, loop])
case("symlink-loop", "docker-archive:{dir}/symlink-loop.docker.tar", 0, None,
     "symlinks a->b, b->a, self->self: the walk lists symlinks without following them, so "
     "this image inspects fine (exit 0) and lists /loop/a /loop/b /loop/self /loop/up; a loop "
     "is only an error when something resolves a path through it")
hl = tar_bytes([d("etc"), ({"name": "etc/hl", "type": tarfile.LNKTYPE, "linkname": "etc/nowhere",
                            "mode": 0o644}, None)])
names = docker_archive("hardlink-missing.docker.tar", [BASE, hl])
case("hardlink-missing", "docker-archive:{dir}/hardlink-missing.docker.tar", 2,
     ["layer 1", sha(hl), names[1]], "layer 1 has a hard link to etc/nowhere, which no layer wrote")
hl = tar_bytes([({"name": "etc/hl", "type": tarfile.LNKTYPE, "linkname": "../etc/motd",
                  "mode": 0o644}, None)])
names = docker_archive("hardlink-dotdot.docker.tar", [BASE, hl])
case("hardlink-dotdot", "docker-archive:{dir}/hardlink-dotdot.docker.tar", 2,
     ["layer 1", sha(hl), names[1]], "layer 1 has a hard link whose target is ../etc/motd")

# --- absurd sizes ---------------------------------------------------------------------------
t = bytearray(tar_bytes([f("etc/small", b"0123456789")]))
# GNU/POSIX tar: the size field is 12 bytes at offset 124 of the header; PAX_FORMAT wrote no
# extended header for this short name, so the first header is the file's.
assert t[0:9] == b"etc/small"
t[124:136] = b"77777777777\0"
chk = sum(t[0:148]) + 8 * 32 + sum(t[156:512])
t[148:156] = b"%06o\0 " % chk
t = bytes(t)
names = docker_archive("huge-tar-size.docker.tar", [BASE, t])
case("huge-tar-size", "docker-archive:{dir}/huge-tar-size.docker.tar", 2, ["layer 1", sha(t), names[1]],
     "layer 1: a 10-byte file whose tar header says 077777777777 bytes (8 GiB)")

p, _ = oci_dir("huge-descriptor.oci", [BASE], sizes={0: 1 << 60})
case("huge-descriptor", "oci-dir:{dir}/huge-descriptor.oci", 2, ["layer 0", sha(BASE)],
     "the layer descriptor declares size 2^60")
p, put = oci_dir("negative-descriptor.oci", [BASE], sizes={0: -1})
case("negative-descriptor", "oci-dir:{dir}/negative-descriptor.oci", 2, ["layer 0", sha(BASE)],
     "the layer descriptor declares size -1")

# --- bad JSON -------------------------------------------------------------------------------
docker_archive("bad-manifest.docker.tar", [BASE], manifest=b'[{"Config": "x.json", "Layers": [')
case("bad-manifest-json", "docker-archive:{dir}/bad-manifest.docker.tar", 2, None,
     "manifest.json is cut JSON")
docker_archive("manifest-object.docker.tar", [BASE], manifest=b'{"Config": 5, "Layers": "no"}')
case("manifest-wrong-types", "docker-archive:{dir}/manifest-object.docker.tar", 2, None,
     "manifest.json is an object with fields of the wrong types")
p, put = oci_dir("bad-index.oci", [BASE])
with open(os.path.join(p, "index.json"), "wb") as fh:
    fh.write(b'{"schemaVersion": 2, "manifests": [{"digest": ')
case("bad-index-json", "oci-dir:{dir}/bad-index.oci", 2, None, "index.json is cut JSON")
p, put = oci_dir("bad-manifest.oci", [BASE])
junk = b'{"schemaVersion": 2, "config": {"digest": "sha256:'
write_index(p, {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": put(junk),
                "size": len(junk)})
case("bad-manifest-json-oci", "oci-dir:{dir}/bad-manifest.oci", 2, None,
     "the manifest blob (digest correct) is cut JSON")

# --- index graphs ---------------------------------------------------------------------------
# A real cycle cannot be written: an index names its children by digest, so a blob cannot
# contain its own digest or that of a blob that contains its digest. What can be written:
# (1) a chain of nested indexes deeper than max_manifest_depth (8); (2) a descriptor that says
# "manifest" for a blob that is an index (the media types disagree, input error); (3) an
# index that lists index.json's own bytes as a child blob (index.json is not addressed by
# digest, so its bytes can be stored as a blob: the child is an index pointing at the
# manifest, one extra level, which is valid and must inspect fine).
p, put = oci_dir("index-deep.oci", [BASE])
desc = json.load(open(os.path.join(p, "index.json")))["manifests"][0]
for i in range(12):
    idx = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                      "manifests": [desc]}).encode()
    desc = {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": put(idx), "size": len(idx)}
write_index(p, desc)
case("index-deep", "oci-dir:{dir}/index-deep.oci", 2, None,
     "index.json -> 12 nested indexes -> manifest (max_manifest_depth is 8)")
p, put = oci_dir("index-mediatype.oci", [BASE])
desc = json.load(open(os.path.join(p, "index.json")))["manifests"][0]
idx = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                  "manifests": [desc]}).encode()
write_index(p, {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": put(idx),
                "size": len(idx)})
case("index-mediatype", "oci-dir:{dir}/index-mediatype.oci", 2, None,
     "index.json's descriptor says manifest, the blob is an index")
p, put = oci_dir("index-self.oci", [BASE])
raw = open(os.path.join(p, "index.json"), "rb").read()
write_index(p, {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": put(raw),
                "size": len(raw)})
case("index-self", "oci-dir:{dir}/index-self.oci", 0, None,
     "index.json lists a blob holding index.json's former bytes (an index -> the manifest): "
     "valid, one extra level")

# --- damaged copies of the real derived image (OCI dir, gzip layers) ------------------------
src = os.path.join(cache, "derived.oci-gzip")
man = None
def copy_real(name):
    dst = os.path.join(out, name)
    # hard links: the 90 MB of blobs are shared; a damaged blob is written as a new file
    subprocess.run(["cp", "-al", src, dst], check=True)
    return dst
def real_manifest(path):
    idx = json.load(open(os.path.join(path, "index.json")))
    md = idx["manifests"][0]["digest"].split(":")[1]
    return json.load(open(os.path.join(path, "blobs", "sha256", md)))
p = copy_real("digest-mismatch.oci")
layers = real_manifest(p)["layers"]
victim = layers[0]["digest"].split(":")[1]
bp = os.path.join(p, "blobs", "sha256", victim)
data = bytearray(open(bp, "rb").read())
data[len(data) // 2] ^= 0x01
os.unlink(bp)
with open(bp, "wb") as fh:
    fh.write(data)
case("digest-mismatch", "oci-dir:{dir}/digest-mismatch.oci", 2, ["layer 0", victim],
     "one bit flipped in the middle of layer 0's gzip blob (gzip CRC or digest must catch it)")
p = copy_real("digest-mismatch-tail.oci")
victim = layers[2]["digest"].split(":")[1]
bp = os.path.join(p, "blobs", "sha256", victim)
want = os.path.getsize(bp)
os.unlink(bp)
# a valid gzip stream of a valid tar, of exactly the size the manifest declares (padded with
# the gzip header's FNAME field), just not the bytes the manifest names: only the digest
# (or the diff_id) can tell
small = tar_bytes([f("x", b"x")])
body = zlib.compressobj(9, zlib.DEFLATED, -15)
body = body.compress(small) + body.flush()
trailer = struct.pack("<II", zlib.crc32(small), len(small) & 0xFFFFFFFF)
pad = want - (10 + len(body) + len(trailer)) - 1
assert pad >= 1, "the replaced layer is too small to pad"
blob = b"\x1f\x8b\x08\x08" + b"\0\0\0\0" + b"\x02\xff" + b"n" * pad + b"\0" + body + trailer
assert len(blob) == want and gzip.decompress(blob) == small
with open(bp, "wb") as fh:
    fh.write(blob)
case("digest-mismatch-valid-gzip", "oci-dir:{dir}/digest-mismatch-tail.oci", 2, ["layer 2", victim],
     "layer 2's blob replaced by another valid gzip tar of the declared size: only the digest can tell")
p = copy_real("missing-blob.oci")
victim = layers[3]["digest"].split(":")[1]
os.unlink(os.path.join(p, "blobs", "sha256", victim))
case("missing-blob", "oci-dir:{dir}/missing-blob.oci", 2, ["layer 3", victim],
     "layer 3's blob is missing")
p = copy_real("missing-config.oci")
cfgd = real_manifest(p)["config"]["digest"].split(":")[1]
os.unlink(os.path.join(p, "blobs", "sha256", cfgd))
case("missing-config", "oci-dir:{dir}/missing-config.oci", 2, None, "the config blob is missing")

# --- diff_id mismatch -----------------------------------------------------------------------
names = docker_archive("diffid-mismatch.docker.tar", [BASE, gz], [sha(BASE), sha(b"not this")])
case("diffid-mismatch", "docker-archive:{dir}/diffid-mismatch.docker.tar", 2,
     ["layer 1", sha(gz), sha(b"not this"), names[1]],
     "layer 1 decompresses fine but its diff_id in the config is wrong")

with open(os.path.join(out, "cases.tsv"), "w") as fh:
    for c in cases:
        fh.write("\t".join(c) + "\n")
EOF

# --- the gzip bomb: a tar holding 1 GiB of zeros, gzip -9 (ratio ~1000:1, max_ratio is 500)
log "gzip bomb: 1 GiB of zeros in a tar, gzip -9 (a few seconds)"
python3 - "$out" <<'EOF'
import hashlib, io, json, os, subprocess, sys, tarfile
out = sys.argv[1]
size = 1 << 30
ti = tarfile.TarInfo("zeros")
ti.size = size
ti.mode = 0o644
header = ti.tobuf(format=tarfile.GNU_FORMAT)
tail = b"\0" * 1024  # the file is block-aligned; then the two end blocks
h = hashlib.sha256()
gz = subprocess.Popen(["gzip", "-9", "-n"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
import threading
chunks = []
reader = threading.Thread(target=lambda: chunks.append(gz.stdout.read()))
reader.start()
def feed(b):
    h.update(b)
    gz.stdin.write(b)
feed(header)
zero = b"\0" * (1 << 20)
for _ in range(size // len(zero)):
    feed(zero)
feed(tail)
gz.stdin.close()
reader.join()
gz.wait()
blob = chunks[0]
diff = h.hexdigest()
bsha = hashlib.sha256(blob).hexdigest()
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff]},
                  "history": [{"created_by": "hostile.sh gzip bomb"}]}).encode()
cname = hashlib.sha256(cfg).hexdigest() + ".json"
lname = bsha + ".tar.gz"
man = json.dumps([{"Config": cname, "RepoTags": ["localhost/hostile/bomb:1"], "Layers": [lname]}]).encode()
with tarfile.open(os.path.join(out, "gzip-bomb.docker.tar"), "w") as t:
    for n, b in (("manifest.json", man), (cname, cfg), (lname, blob)):
        i = tarfile.TarInfo(n); i.size = len(b); i.mode = 0o644
        t.addfile(i, io.BytesIO(b))
with open(os.path.join(out, "cases.tsv"), "a") as fh:
    fh.write("\t".join(["gzip-bomb", "docker-archive:{dir}/gzip-bomb.docker.tar", "2",
                        ",".join(["layer 0", bsha, diff, lname]),
                        "layer 0: %d gzip bytes that inflate to 1 GiB of zeros (ratio %d:1)"
                        % (len(blob), size // len(blob))]) + "\n")
EOF

printf '%s\n' "$key" >"$out/stamp"
log "$(wc -l <"$out/cases.tsv") hostile cases in $out/cases.tsv"
