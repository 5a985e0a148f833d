#!/usr/bin/env bash
# Every planted problem of the leaky image is found with its path and layer (the layer checked
# against the layer tars), and no generated secret appears in any output.
#   bash test_leaky.sh IMGCHECK_DRIVER IMAGES_CACHE
set -euo pipefail
driver=${1:?usage: test_leaky.sh DRIVER CACHE}
cache=${2:?usage: test_leaky.sh DRIVER CACHE}
dir=$cache/imgcheck
"$driver" findings "$dir/leaky.docker.tar" >"$dir/leaky.jsonl"
"$driver" table "$dir/leaky.docker.tar" >"$dir/leaky.txt"
"$driver" hygiene "$dir/leaky.docker.tar" >"$dir/leaky.hygiene.json"
python3 - "$dir" <<'PY'
import json, os, sys, tarfile
d = sys.argv[1]
found = [json.loads(l) for l in open(os.path.join(d, "leaky.jsonl"))]
fails = []
# which layers write each path, and which delete it, read from the tars
writes, deletes = {}, {}
with tarfile.open(os.path.join(d, "leaky.docker.tar")) as t:
    for i, name in enumerate(json.load(t.extractfile("manifest.json"))[0]["Layers"]):
        with tarfile.open(fileobj=t.extractfile(name)) as lt:
            for m in lt:
                p = m.name.lstrip("./")
                b = os.path.basename(p)
                if b.startswith(".wh."):
                    deletes.setdefault(os.path.join(os.path.dirname(p), b[4:]), i)
                else:
                    writes.setdefault(p, i)

def want(rule, where, severity, removed=False):
    hits = [f for f in found if f["rule_id"] == rule and (f["path"] == where or f["location"] == where)]
    if not hits:
        fails.append("no %s at %s" % (rule, where)); return
    f = hits[0]
    if f["severity"] != severity:
        fails.append("%s at %s: severity %s, want %s" % (rule, where, f["severity"], severity))
    if f["path"] and f["layer"] != writes.get(f["path"], -1):
        fails.append("%s at %s: layer %d, the tars say %d" % (rule, where, f["layer"], writes.get(f["path"], -1)))
    if removed and f["removed_in"] != deletes.get(where, -1):
        fails.append("%s at %s: removed_in %d, the tars say %d" % (rule, where, f["removed_in"], deletes.get(where, -1)))

for p in ["app/.npmrc", "app/tls/server.key", "app/.git/config", "root/.ssh/id_rsa",
          "root/.ssh/id_ed25519", "root/.docker/config.json", "root/.aws/credentials",
          "root/.git-credentials", "root/.kube/config"]:
    want("DD-SEC-005", p, "HIGH")
want("DD-SEC-005", "app/.env", "HIGH", removed=True)
want("DD-IMG-006", "app/.git", "LOW")
want("DD-IMG-004", "usr/local/bin/helper", "LOW")
want("DD-IMG-009", "var/www/upload", "MEDIUM")
want("DD-IMG-009", "srv/shared.txt", "MEDIUM")
want("DD-USR-005", "etc/shadow", "HIGH")
want("DD-USR-006", "etc/passwd", "MEDIUM")
want("DD-IMG-003", "User", "MEDIUM")
want("DD-IMG-001", "ExposedPorts", "MEDIUM")
want("DD-IMG-005", "Volumes", "HIGH")
want("DD-IMG-007", "Env", "HIGH")
want("DD-IMG-002", "Healthcheck", "LOW")
want("DD-HYG-002", "var/lib/apt/lists", "LOW")
want("DD-HYG-002", "var/cache/apt", "LOW")
want("DD-HYG-002", "root/.cache/pip", "LOW")
want("DD-HYG-003", "usr/bin/gcc", "LOW")
want("DD-HYG-003", "usr/bin/make", "LOW")
if not any(f["rule_id"] == "DD-HYG-001" and f["layer"] == writes["app/bundle.bin"] for f in found):
    fails.append("no DD-HYG-001 for the layer of app/bundle.bin")
for tmp in ("tmp", "tmp/scratch"):
    if any(f["path"] == tmp for f in found):
        fails.append("%s reported" % tmp)
outputs = "".join(open(os.path.join(d, n)).read() for n in ("leaky.jsonl", "leaky.txt", "leaky.hygiene.json"))
for s in open(os.path.join(d, "leaky.secrets")).read().split():
    if s in outputs:
        fails.append("secret %s...%s appears in the output" % (s[:2], s[-2:]))
for f in fails:
    print("FAIL", f, file=sys.stderr)
print("leaky: %d findings, %d failures" % (len(found), len(fails)))
sys.exit(1 if fails else 0)
PY
