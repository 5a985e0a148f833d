#!/usr/bin/env python3
"""Reads `go version -m` output (each binary's block starting with a "=FILE PATH" line put in
by test_go.sh) and prints one "PATH NAME VERSION SUM" line per package drydock should report,
sorted: "stdlib" at the toolchain's version ("go1.19.8" -> "1.19.8", GOEXPERIMENT suffixes
cut, development toolchains skipped), the main module, and each dependency as built: a
replacement module's path, version and sum; for a replacement directory, the module's own path
at the directory's version or "(devel)", without a sum. A missing sum prints as "-".
"""
import sys


def stdlib_version(v):
    if not (v.startswith("go") and len(v) > 2 and v[2].isdigit()):
        return None
    v = v[2:].split(" ", 1)[0]
    return v.split("-X:", 1)[0]


def local_path(p):
    return p.startswith(("/", "./", "../", "\\")) or p in (".", "..") or \
        (len(p) > 1 and p[1] == ":" and p[0].isalpha())


def main():
    out = []
    path = None
    mods = []

    def flush():
        for m in mods:
            name, version, summ = m["path"], m["version"], m["sum"]
            if not name:
                continue
            r = m.get("replace")
            if r and local_path(r[0]):
                version, summ = (r[1] or "(devel)"), ""
            elif r:
                name, version, summ = r
            out.append((path, name, version, summ or "-"))

    for line in sys.stdin.read().split("\n"):
        if line.startswith("=FILE "):
            flush()
            mods = []
            rest = line[6:]
            path, _, vers = rest.partition(": ")
            s = stdlib_version(vers.strip())
            if s:
                out.append((path, "stdlib", s, "-"))
            continue
        if not line.startswith("\t"):
            continue
        f = line[1:].split("\t")
        if f[0] in ("mod", "dep") and len(f) >= 3:
            mods.append({"path": f[1], "version": f[2], "sum": f[3] if len(f) > 3 else ""})
        elif f[0] == "=>" and len(f) >= 3 and mods:
            mods[-1]["replace"] = (f[1], f[2], f[3] if len(f) > 3 else "")
    flush()
    for line in sorted(set(" ".join(t) for t in out)):
        print(line)


if __name__ == "__main__":
    main()
