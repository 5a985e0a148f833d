#!/usr/bin/env python3
"""Independent count of a docker-archive's layer hygiene, straight from its layer tars.

Prints one JSON object: per layer the regular files and bytes it writes and, of those, the ones
an upper layer overwrites or deletes (overlay semantics: a layer's whiteouts and opaque markers
hide lower layers' paths, a path written again replaces the lower one, the last entry of a path
within one layer counts); and dive's efficiency and wasted bytes, computed as dive does it
(a tree per layer, its leaves, whiteout sizes from the stacked lower layers)."""
import json, os, sys, tarfile


def layers_of(archive):
    with tarfile.open(archive) as t:
        manifest = json.load(t.extractfile("manifest.json"))
        out = []
        for name in manifest[0]["Layers"]:
            entries = []
            with tarfile.open(fileobj=t.extractfile(name)) as lt:
                for m in lt:
                    p = os.path.normpath(m.name.lstrip("/")).lstrip("./") if m.name not in (".", "./") else ""
                    if not p or p == ".":
                        continue
                    entries.append((p, m))
            out.append(entries)
        return out


def size_of(m):
    return m.size if m.isreg() and not m.islnk() else 0


def main(archive):
    layers = layers_of(archive)
    # ---- overlay: which (layer, path) versions survive
    state = {}  # path -> (layer, member)
    stats = []
    for idx, entries in enumerate(layers):
        last = {}
        for p, m in entries:
            base = os.path.basename(p)
            if base.startswith(".wh."):
                continue
            last[p] = m
        # whiteouts and opaque directories act on the lower layers only
        for p, m in entries:
            base, parent = os.path.basename(p), os.path.dirname(p)
            if base == ".wh..wh..opq":
                for q in [q for q in state if q.startswith(parent + "/") or parent == ""]:
                    del state[q]
            elif base.startswith(".wh."):
                target = os.path.join(parent, base[4:])
                for q in [q for q in state if q == target or q.startswith(target + "/")]:
                    del state[q]
        for p, m in last.items():
            old = state.get(p)
            if old and not (old[1].isdir() and m.isdir()) and old[1].isdir():
                for q in [q for q in state if q.startswith(p + "/")]:
                    del state[q]
            # a path below a non-directory replaces it
            parts = p.split("/")
            for i in range(1, len(parts)):
                anc = "/".join(parts[:i])
                if anc in state and not state[anc][1].isdir():
                    del state[anc]
            state[p] = (idx, m)
        files = sum(1 for m in last.values() if m.isreg() and not m.islnk())
        nbytes = sum(size_of(m) for m in last.values())
        stats.append({"files": files, "bytes": nbytes, "last": last})
    for idx, s in enumerate(stats):
        wasted = [(p, m) for p, m in s["last"].items()
                  if m.isreg() and not m.islnk() and state.get(p, (None,))[0] != idx]
        s["wasted_files"] = len(wasted)
        s["wasted_bytes"] = sum(size_of(m) for _, m in wasted)

    # ---- dive: leaves of each layer's tree, whiteouts sized from the stacked lower layers
    stacked = {}  # path -> size, dirs included (size 0)
    data = {}     # path -> [cumulative, minimum, count]
    for idx, entries in enumerate(layers):
        nodes = {}
        for p, m in entries:
            base, parent = os.path.basename(p), os.path.dirname(p)
            if base.startswith(".wh..wh.."):
                continue
            if base.startswith(".wh."):
                nodes[(os.path.join(parent, base[4:]), True)] = None
            else:
                nodes[(p, False)] = m
        names = set()
        for p, wh in nodes:
            names.add(os.path.join(os.path.dirname(p), ".wh." + os.path.basename(p)) if wh else p)
        prefixes = set()
        for n in names:
            parts = n.split("/")
            for i in range(1, len(parts)):
                prefixes.add("/".join(parts[:i]))
        for (p, wh), m in nodes.items():
            name = os.path.join(os.path.dirname(p), ".wh." + os.path.basename(p)) if wh else p
            if name in prefixes:
                continue  # not a leaf
            if wh:
                if p not in stacked:
                    continue
                under = [q for q in stacked if q.startswith(p + "/")]
                size = sum(stacked[q] or 0 for q in under) if stacked[p] is None else 0
            else:
                size = size_of(m)
            d = data.setdefault(p, [0, None, 0])
            d[0] += size
            d[1] = size if d[1] is None else min(d[1], size)
            d[2] += 1
        # stack this layer: whiteouts remove, entries add (directories have size None)
        for (p, wh), m in nodes.items():
            if wh:
                for q in [q for q in stacked if q == p or q.startswith(p + "/")]:
                    del stacked[q]
        for (p, wh), m in nodes.items():
            if not wh:
                parts = p.split("/")
                for i in range(1, len(parts)):
                    stacked.setdefault("/".join(parts[:i]), None)
                stacked[p] = None if m.isdir() else size_of(m)
    # directories count 0 bytes in a whiteout's sum
    total = sum(d[0] for d in data.values())
    minimum = sum(d[1] for d in data.values())
    dive_wasted = sum(d[0] for d in data.values() if d[2] >= 2)
    print(json.dumps({
        "layers": [{k: s[k] for k in ("files", "bytes", "wasted_files", "wasted_bytes")} for s in stats],
        "dive_wasted_bytes": dive_wasted,
        "efficiency": minimum / total if total else 1.0,
    }))


main(sys.argv[1])
