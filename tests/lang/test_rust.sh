#!/usr/bin/env bash
# Rust: real Cargo.lock files (tests/lang/data/cargo, provenance in tests/lang/README.md) against
# Python's tomllib reading the same files, and cargo-auditable's .dep-v0 section in two ELF
# files made here in its exact format (no real artifact can be had here): added with objcopy to
# a copy of a Debian binary, and linked by gcc into a read-only section as cargo-auditable links
# it. Directory root and docker-archive. usage: test_rust.sh DRYDOCK
set -euo pipefail
drydock=${1:?usage: test_rust.sh DRYDOCK}
here=$(cd "$(dirname "$0")" && pwd)
fail=0
bad() { printf 'test_rust.sh: FAIL: %s\n' "$*" >&2; fail=1; }
ok() { printf 'test_rust.sh: ok: %s\n' "$*"; }
for t in jq objcopy gcc python3; do
    command -v $t >/dev/null || { echo "test_rust.sh: $t is not installed" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/srv/ripgrep" "$root/srv/digenum" "$root/usr/bin" "$root/opt/bin" "$root/srv/bad"
cp "$here/data/cargo/ripgrep/Cargo.lock" "$root/srv/ripgrep/Cargo.lock"
cp "$here/data/cargo/digenum/Cargo.lock" "$root/srv/digenum/Cargo.lock"
head -c 700 "$here/data/cargo/ripgrep/Cargo.lock" >"$root/srv/bad/Cargo.lock" # cut in a string

# cargo-auditable's JSON for ripgrep's lockfile: every package, its dependencies by index, the
# root, the build-only ones marked "build"; serialized as serde_json writes it, zlib-compressed
python3 - "$root/srv/ripgrep/Cargo.lock" "$tmp/dep-v0" "$tmp/dep-v0.c" <<'PY'
import json, sys, tomllib, zlib
lock = tomllib.load(open(sys.argv[1], "rb"))
pkgs = lock["package"]
index = {}
for i, p in enumerate(pkgs):
    index.setdefault(p["name"], i)
    index[p["name"] + " " + p["version"]] = i
build = {"cc", "pkg-config", "find-msvc-tools", "jobserver", "shlex", "getrandom", "r-efi"}
out = []
for p in pkgs:
    src = p.get("source", "")
    e = {"name": p["name"], "version": p["version"],
         "source": "crates.io" if src.startswith("registry+https://github.com/rust-lang/crates.io-index")
         else "git" if src.startswith("git+") else "registry" if src else "local"}
    if p["name"] in build:
        e["kind"] = "build"
    deps = sorted(index[d] for d in p.get("dependencies", []))
    if deps:
        e["dependencies"] = deps
    if p["name"] == "ripgrep":
        e["root"] = True
    out.append(e)
data = zlib.compress(json.dumps({"packages": out}, separators=(",", ":")).encode(), 9)
open(sys.argv[2], "wb").write(data)
with open(sys.argv[3], "w") as c:
    c.write("__attribute__((section(\".dep-v0\"), used))\nstatic const unsigned char "
            "dep_v0[] = {%s};\nint main(void) { return 0; }\n" % ",".join(str(b) for b in data))
PY
cp /usr/bin/true "$tmp/true"
objcopy --add-section .dep-v0="$tmp/dep-v0" "$tmp/true" "$root/usr/bin/rg-objcopy"
gcc -O1 -o "$root/opt/bin/rg-linked" "$tmp/dep-v0.c"
readelf -lW "$root/opt/bin/rg-linked" | grep -q '^ *0[0-9] .*\.dep-v0' ||
    bad "gcc did not place .dep-v0 in a loadable segment"

# expected, from tomllib and the JSON: "PATH NAME VERSION CHECKSUM" lines
python3 - "$root" >"$tmp/expected" <<'PY'
import json, os, sys, tomllib, zlib
root = sys.argv[1]
rows = set()
for rel in ("srv/ripgrep/Cargo.lock", "srv/digenum/Cargo.lock"):
    lock = tomllib.load(open(os.path.join(root, rel), "rb"))
    meta = lock.get("metadata", {})
    for p in lock["package"]:
        key = "checksum %s %s (%s)" % (p["name"], p["version"], p.get("source", ""))
        rows.add((rel, p["name"], p["version"], p.get("checksum") or meta.get(key) or "-"))
audit = json.loads(zlib.decompress(open(os.path.join(os.path.dirname(root), "dep-v0"), "rb").read()))
for rel in ("usr/bin/rg-objcopy", "opt/bin/rg-linked"):
    for p in audit["packages"]:
        if p.get("kind", "runtime") != "build":
            rows.add((rel, p["name"], p["version"], "-"))
for line in sorted(" ".join(r) for r in rows):
    print(line)
PY

actual() { # SBOM OUT
    jq -r '.components[] | select(.purl // "" | startswith("pkg:cargo/"))
        | (.properties // []) as $p | def prop($n): ([$p[] | select(.name == $n) | .value][0] // "-");
        [.evidence.occurrences[0].location, .name, .version, prop("drydock:package:checksum")]
        | join(" ")' "$1" | LC_ALL=C sort >"$2"
}
compare() { # WHAT EXPECTED ACTUAL
    if diff -u "$2" "$3" >"$tmp/diff"; then
        ok "$1: $(wc -l <"$2") packages equal tomllib and the .dep-v0 JSON"
    else
        bad "$1 differs (- expected, + drydock):"
        head -40 "$tmp/diff" >&2
    fi
}

status=0
"$drydock" sbom -f cyclonedx -o "$tmp/dir.json" "dir:$root" 2>"$tmp/dir.err" || status=$?
[ "$status" = 0 ] || bad "sbom dir: exit $status: $(cat "$tmp/dir.err")"
actual "$tmp/dir.json" "$tmp/actual"
grep -v '^srv/bad/' "$tmp/actual" >"$tmp/actual.good" || true
compare "directory root" "$tmp/expected" "$tmp/actual.good"
[ "$(grep -c 'warning: srv/bad/Cargo.lock:[0-9]*: ' "$tmp/dir.err")" = 1 ] ||
    bad "no warning naming the cut Cargo.lock and its line: $(cat "$tmp/dir.err")"
purl=$(jq -r '[.components[] | select(.name == "tikv-jemalloc-sys") | .purl][0]' "$tmp/dir.json")
[ "$purl" = "pkg:cargo/tikv-jemalloc-sys@0.7.1%2B5.3.1-0-g81034ce1f1373e37dc865038e1bc8eeecf559ce8" ] ||
    bad "purl $purl"

python3 "$here/docker_archive.py" "$tmp/rust.tar" rust-test:1 "$root"
"$drydock" sbom -f cyclonedx -o "$tmp/tar.json" "docker-archive:$tmp/rust.tar" 2>"$tmp/tar.err" ||
    bad "sbom docker-archive: $(cat "$tmp/tar.err")"
actual "$tmp/tar.json" "$tmp/tar.actual"
grep -v '^srv/bad/' "$tmp/tar.actual" >"$tmp/tar.actual.good" || true
compare "docker-archive (streamed layer)" "$tmp/expected" "$tmp/tar.actual.good"

if [ "$fail" != 0 ]; then
    echo "test_rust.sh: 0 passed, 1 failed"
    exit 1
fi
echo "test_rust.sh: 1 passed, 0 failed"
