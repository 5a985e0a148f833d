#!/usr/bin/env bash
# Gathers the real Go binaries tests/lang/test_go.sh reads, once, under CACHE/go (see
# tests/lang/README.md, "Go binaries"): Debian's Go toolchain (golang-1.19-go and
# golang-1.19-src, unpacked here, not installed), Debian packages with Go binaries, Go binaries
# published on the npm registry, and a module built here by that toolchain in module mode with
# replacements, for four architectures.
# usage: go_bins.sh CACHE
set -euo pipefail
cache=${1:?usage: go_bins.sh CACHE}
out=$cache/go
stamp=$out/go_bins.stamp
version=3 # bump when what is gathered changes
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then
    exit 0
fi
rm -rf "$out"
mkdir -p "$out/debs" "$out/bin" "$out/npm"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Debian: the toolchain and packages whose binaries Go built (their binaries come from GOPATH
# builds: a toolchain version and a path, no modules)
(cd "$out/debs" && apt-get download golang-1.19-go golang-1.19-src runc umoci docker-registry \
    2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
for p in golang-1.19-go golang-1.19-src runc umoci docker-registry; do
    ls "$out/debs/${p}"_*.deb >/dev/null 2>&1 || { echo "go_bins.sh: apt-get download $p failed" >&2; exit 1; }
done
dpkg -x "$out"/debs/golang-1.19-go_*.deb "$work/tc"
dpkg -x "$out"/debs/golang-1.19-src_*.deb "$work/tc"
for p in runc umoci docker-registry; do
    dpkg -x "$out"/debs/"${p}"_*.deb "$work/deb-$p"
done
cp "$work/deb-runc/usr/sbin/runc" "$out/bin/runc"
cp "$work/deb-umoci/usr/bin/umoci" "$out/bin/umoci"
cp "$work/deb-docker-registry/usr/bin/docker-registry" "$out/bin/docker-registry"

# npm: Go programs built by their projects in module mode, with dependencies and sums; esbuild
# 0.14 was built by Go 1.17 (the pointer format) for 64-bit and 32-bit x86 and big-endian s390x
npm_get() { # SPEC NAME: the package's bin/ executable as bin/NAME
    local d
    d=$(mktemp -d -p "$work")
    (cd "$d" && npm pack --silent "$1" >/dev/null)
    tar -xzf "$d"/*.tgz -C "$d"
    find "$d" -type f -path '*/bin/*' -perm -u+x -name "${3:-*}" -exec cp {} "$out/npm/$2" \;
    [ -s "$out/npm/$2" ] || { echo "go_bins.sh: no binary in $1" >&2; exit 1; }
}
npm_get esbuild-linux-64@0.14.0 esbuild-0.14.0-amd64 esbuild
npm_get esbuild-linux-32@0.14.0 esbuild-0.14.0-386 esbuild
npm_get esbuild-linux-s390x@0.14.8 esbuild-0.14.8-s390x esbuild
npm_get esbuild-linux-64@0.15.18 esbuild-0.15.18-amd64 esbuild
npm_get lefthook-linux-x64@2.2.2 lefthook-2.2.2 lefthook

# A module built by Debian's toolchain in module mode, offline: its dependencies come from a
# file:// module proxy made here, so the build info carries real sums the go command computed;
# one dependency is replaced by another module, one by a directory
python3 - "$work/mod" <<'PY'
import json, os, sys, zipfile
root = sys.argv[1]
def module(path, ver, declared, files):
    d = os.path.join(root, "proxy", path, "@v")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "list"), "a") as f:
        f.write(ver + "\n")
    with open(os.path.join(d, ver + ".info"), "w") as f:
        json.dump({"Version": ver, "Time": "2023-01-02T03:04:05Z"}, f)
    gomod = "module %s\n\ngo 1.19\n" % declared
    with open(os.path.join(d, ver + ".mod"), "w") as f:
        f.write(gomod)
    with zipfile.ZipFile(os.path.join(d, ver + ".zip"), "w") as z:
        z.writestr("%s@%s/go.mod" % (path, ver), gomod)
        for name, text in files.items():
            z.writestr("%s@%s/%s" % (path, ver, name), text)
module("example.com/lib", "v1.2.0", "example.com/lib",
       {"lib.go": "package lib\n\nfunc Name() string { return \"lib\" }\n"})
module("example.com/fork", "v0.3.1", "example.com/orig",
       {"orig.go": "package orig\n\nfunc Name() string { return \"fork\" }\n"})
os.makedirs(os.path.join(root, "local"))
with open(os.path.join(root, "local", "go.mod"), "w") as f:
    f.write("module example.com/local\n\ngo 1.19\n")
with open(os.path.join(root, "local", "local.go"), "w") as f:
    f.write("package local\n\nfunc Name() string { return \"local\" }\n")
os.makedirs(os.path.join(root, "app"))
with open(os.path.join(root, "app", "go.mod"), "w") as f:
    f.write("module example.com/app\n\ngo 1.19\n\nrequire (\n\texample.com/lib v1.2.0\n"
            "\texample.com/local v0.0.0\n\texample.com/orig v1.0.0\n)\n\n"
            "replace example.com/orig => example.com/fork v0.3.1\n\n"
            "replace example.com/local => ../local\n")
with open(os.path.join(root, "app", "main.go"), "w") as f:
    f.write("package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/lib\"\n"
            "\t\"example.com/local\"\n\t\"example.com/orig\"\n)\n\n"
            "func main() { fmt.Println(lib.Name(), orig.Name(), local.Name()) }\n")
PY
goroot=$(echo "$work"/tc/usr/lib/go-1.*)
for arch in amd64 386 s390x mips; do
    (cd "$work/mod/app" && env -i PATH=/usr/bin:/bin HOME="$work" GOROOT="$goroot" \
        GOPATH="$work/gopath" GOCACHE="$work/gocache" GOPROXY="file://$work/mod/proxy" \
        GOSUMDB=off GOFLAGS=-mod=mod GO111MODULE=on CGO_ENABLED=0 GOOS=linux GOARCH=$arch \
        "$goroot/bin/go" build -trimpath -o "$out/bin/app-$arch" .)
done

# what test_go.sh needs of the toolchain: `go version -m` (which wants a GOROOT to exist)
mkdir -p "$out/goroot/bin"
cp "$goroot/bin/go" "$out/goroot/bin/go"
cp "$goroot/VERSION" "$out/goroot/VERSION"
rm -rf "$out/debs"
echo "$version" >"$stamp"
