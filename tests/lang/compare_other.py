"""Compares drydock's CycloneDX components with what an ecosystem's own tool (or, where none can
run here, a reading of the file as the format's documentation says) finds in the same files.

  compare_other.py gemspec SBOM EXPECTED.jsonl     RubyGems' Gem::Specification.load per file
  compare_other.py gemlock SBOM EXPECTED.json LOC  Bundler::LockfileParser's specs of LOC
  compare_other.py absent SBOM LOC...              no component found at any LOC
  compare_other.py pnpm SBOM PNPM_LS.json LOC      `pnpm ls --json --depth Infinity` of the
                                                   installed twin of lockfile LOC
  compare_other.py composer SBOM FILE LOC          Composer's installed.json / composer.lock
  compare_other.py deps SBOM FILE LOC              a .NET deps.json

Every comparison is both ways (nothing missing, nothing extra); the last line printed is a
summary. Exit status 1 on any difference.
"""
import json
import sys
from urllib.parse import unquote


def components(sbom_path):
    """(location, purl type, name, version, dev, component) of every component with a location."""
    with open(sbom_path, encoding="utf-8") as f:
        doc = json.load(f)
    out = []
    for c in doc.get("components", []):
        occ = (c.get("evidence", {}).get("occurrences") or [{}])[0].get("location")
        purl = c.get("purl", "")
        if not occ or not purl.startswith("pkg:"):
            continue
        props = {p["name"]: p["value"] for p in c.get("properties", [])}
        ptype = purl[4:].split("/", 1)[0]
        name = c["name"] if not c.get("group") else c["group"] + "/" + c["name"]
        out.append((occ, ptype, name, c.get("version"), props.get("drydock:package:dev") == "true", c))
    return out


def at(sbom, loc, ptype):
    return [x for x in sbom if x[0] == loc and x[1] == ptype]


def report(diffs, what):
    for d in diffs[:40]:
        print(d)
    if diffs:
        print(f"{len(diffs)} differences in {what}")
        return 1
    print(what)
    return 0


def licenses_of(c):
    out = []
    for entry in c.get("licenses", []):
        lic = entry.get("license", {})
        if "id" in lic or "name" in lic:
            out.append(lic.get("id", lic.get("name")))
        elif "expression" in entry:
            out.append(entry["expression"])
    return out


def purl_qualifiers(purl):
    q = purl.split("?", 1)[1] if "?" in purl else ""
    return dict((kv.split("=", 1)[0], unquote(kv.split("=", 1)[1])) for kv in q.split("&") if kv)


def cmd_gemspec(sbom_path, expected_path):
    sbom = components(sbom_path)
    gems = {x[0]: x for x in sbom if x[1] == "gem" and x[0].endswith(".gemspec")}
    diffs, n = [], 0
    with open(expected_path, encoding="utf-8") as f:
        for line in f:
            want = json.loads(line)
            n += 1
            got = gems.pop(want["path"], None)
            if not got:
                diffs.append(f"{want['path']}: no component (RubyGems: {want['name']} {want['version']})")
                continue
            c = got[5]
            authors = ", ".join(a for a in want["authors"] if a)
            checks = [
                ("name", got[2], want["name"]),
                ("version", got[3], want["version"]),
                ("platform", purl_qualifiers(c["purl"]).get("platform", "ruby"), want["platform"]),
                ("licenses", licenses_of(c), [l for l in want["licenses"] if l]),
                ("summary", c.get("description"), want["summary"] or None),
                ("authors", c.get("publisher"), authors or None),
            ]
            for field, g, w in checks:
                if g != w:
                    diffs.append(f"{want['path']}: {field}: drydock {g!r}, RubyGems {w!r}")
    for path in sorted(gems):
        diffs.append(f"{path}: drydock lists {gems[path][2]} {gems[path][3]}, RubyGems nothing")
    return report(diffs, f"{n} gemspecs: name, version, platform, licenses, summary, authors equal RubyGems'")


def cmd_gemlock(sbom_path, expected_path, loc):
    """Bundler's specs of the lockfile at LOC: each one is a component at LOC, or, when that name
    and version is installed, the gemspec's component (listed once, not twice)."""
    with open(expected_path, encoding="utf-8") as f:
        want = {tuple(x) for x in json.load(f)}
    sbom = components(sbom_path)
    got = {(x[2], x[3]) for x in at(sbom, loc, "gem")}
    installed = {(x[2], x[3]) for x in sbom if x[1] == "gem" and x[0].endswith(".gemspec")}
    diffs = [f"{loc}: drydock only: {g}" for g in sorted(got - want)]
    diffs += [f"{loc}: Bundler only: {w}" for w in sorted(want - got - installed)]
    diffs += [f"{loc}: listed twice (lockfile and gemspec): {g}" for g in sorted(got & installed)]
    by_spec = len(want & installed)
    return report(diffs, f"{loc}: {len(want)} gems equal Bundler::LockfileParser's "
                  f"({by_spec} listed by their installed gemspec)")


def cmd_absent(sbom_path, *locs):
    sbom = components(sbom_path)
    diffs = [f"{x[0]}: {x[2]} {x[3]} listed" for x in sbom if x[0] in locs]
    return report(diffs, f"nothing listed at {len(locs)} locations")


def pnpm_tree(ls_path):
    """(name, version) -> dev, from pnpm ls (-r: every workspace project): what only
    devDependencies reach is dev."""
    with open(ls_path, encoding="utf-8") as f:
        projects = json.load(f)
    reach = {}

    def walk(deps, dev):
        for key, node in (deps or {}).items():
            if "version" not in node or node["version"].startswith(("link:", "file:")):
                continue
            k = (node.get("from", key), node["version"])
            seen = reach.get(k)
            if seen is not None and (seen is False or dev):
                continue  # already production, or already dev and this is dev too
            reach[k] = dev
            walk(node.get("dependencies"), dev)
            walk(node.get("optionalDependencies"), dev)

    for root in projects:
        walk(root.get("dependencies"), False)
        walk(root.get("optionalDependencies"), False)
    for root in projects:
        walk(root.get("devDependencies"), True)
    return reach


def cmd_pnpm(sbom_path, ls_path, loc):
    want = pnpm_tree(ls_path)
    got = {(x[2], x[3]): x[4] for x in at(components(sbom_path), loc, "npm")}
    diffs = []
    for k in sorted(set(want) | set(got)):
        if k not in got:
            diffs.append(f"{loc}: pnpm ls only: {k}")
        elif k not in want:
            diffs.append(f"{loc}: drydock only: {k}")
        elif got[k] != want[k]:
            diffs.append(f"{loc}: {k}: dev drydock {got[k]}, pnpm {want[k]}")
    ndev = sum(1 for v in got.values() if v)
    return report(diffs, f"{loc}: {len(got)} packages ({ndev} dev) equal pnpm ls")


def composer_expected(path):
    """Composer's documented layouts: installed.json (1: an array; 2: {"packages", "dev-package-names"})
    and composer.lock ("packages", "packages-dev")."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if isinstance(doc, list):
        return {(p["name"], p["version"]): False for p in doc}
    if "packages-dev" in doc or "content-hash" in doc:
        out = {(p["name"], p["version"]): False for p in doc["packages"]}
        out.update({(p["name"], p["version"]): True for p in doc.get("packages-dev") or []})
        return out
    dev = set(doc.get("dev-package-names", []))
    return {(p["name"], p["version"]): p["name"] in dev for p in doc["packages"]}


def deps_expected(path):
    """The runtime target's "package" and "runtimepack" libraries; dev when the target entry has
    no runtime, runtimeTargets or native assets."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    target = doc.get("targets", {}).get(doc.get("runtimeTarget", {}).get("name"))
    out = {}
    for key, lib in doc["libraries"].items():
        if lib.get("type") not in ("package", "runtimepack"):
            continue
        if target is not None and key not in target:
            continue
        name, version = key.split("/")
        if lib["type"] == "runtimepack" and name.startswith("runtimepack."):
            name = name[len("runtimepack."):]
        entry = target.get(key, {}) if target is not None else None
        dev = entry is not None and not any(entry.get(k) for k in ("runtime", "runtimeTargets", "native"))
        out[(name, version)] = dev
    return out


def cmd_files(kind, sbom_path, path, loc):
    want = composer_expected(path) if kind == "composer" else deps_expected(path)
    ptype = "composer" if kind == "composer" else "nuget"
    got = {(x[2], x[3]): x[4] for x in at(components(sbom_path), loc, ptype)}
    diffs = []
    for k in sorted(set(want) | set(got)):
        if got.get(k) != want.get(k):
            diffs.append(f"{loc}: {k}: drydock {got.get(k)}, file says {want.get(k)} (None: absent)")
    return report(diffs, f"{loc}: {len(got)} {ptype} packages with their dev flags as the file says")


def main(argv):
    kind = argv[1] if len(argv) > 1 else ""
    if kind == "gemspec" and len(argv) == 4:
        return cmd_gemspec(argv[2], argv[3])
    if kind == "gemlock" and len(argv) == 5:
        return cmd_gemlock(argv[2], argv[3], argv[4])
    if kind == "absent" and len(argv) >= 4:
        return cmd_absent(argv[2], *argv[3:])
    if kind == "pnpm" and len(argv) == 5:
        return cmd_pnpm(argv[2], argv[3], argv[4])
    if kind in ("composer", "deps") and len(argv) == 5:
        return cmd_files(kind, argv[2], argv[3], argv[4])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
