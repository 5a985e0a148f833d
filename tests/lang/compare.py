"""Compares drydock's language components with each ecosystem's own tool.

  compare.py npm SBOM NPM_LS_JSON ROOT APP [TOOL_APP]
      every package `npm ls --all --json --long` lists under ROOT/TOOL_APP (flattened, one
      entry per install path: deduped repeats collapse onto their path) must be a component
      with the same name, version, path (APP/...) and development flag, and no other npm
      component may sit under APP. TOOL_APP defaults to APP; a lockfile-only folder is
      compared with the installed folder its lockfile came from.
  compare.py yarn SBOM NPM_LS_JSON ROOT LOCK_APP TREE_APP
      a yarn.lock folder (LOCK_APP, no node_modules) against the tree yarn installed from it
      (TREE_APP): its (name, version) set must equal npm ls's over TREE_APP, and its
      (name, version, dev) set the components drydock finds in TREE_APP's node_modules (npm
      ls marks nothing dev in a tree without npm's lockfile, so the dev flags are checked
      against the node_modules graph, itself checked against npm ls on npm's trees).
  compare.py python SBOM ROOT DIR...
      every distribution importlib.metadata.distributions(path=[ROOT/DIR...]) finds must be
      either a pkg:pypi component with the same name, version and path, or, when a Debian
      package owns it, listed as pkg:pypi/NAME@VERSION evidence (language_purl) on that deb;
      no other pypi component may sit under the DIRs.

Prints one line per difference and exits 1 when there is any.
"""
import json
import os
import re
import sys


def components(sbom):
    for c in json.load(open(sbom))["components"]:
        props = {}
        for p in c.get("properties", []):
            props.setdefault(p["name"], []).append(p["value"])
        loc = (c.get("evidence", {}).get("occurrences") or [{}])[0].get("location")
        yield c, props, loc


def npm(sbom, npm_ls, root, app, tool_app=None):
    tool_app = tool_app or app
    tree = json.load(open(npm_ls))
    want = {}

    def walk(node):
        for dep in (node.get("dependencies") or {}).values():
            if "path" in dep and not dep.get("missing"):
                rel = os.path.relpath(dep["path"], os.path.join(root, tool_app))
                want[app + "/" + rel] = (dep.get("name"), dep.get("version"), bool(dep.get("dev")))
            walk(dep)

    walk(tree)
    got = {}
    for c, props, loc in components(sbom):
        if (c.get("purl") or "").startswith("pkg:npm/") and loc and loc.startswith(app + "/"):
            if loc in got:
                print("npm: two components at %s" % loc)
            dev = props.get("drydock:package:dev") == ["true"]
            got[loc] = (c["name"], c.get("version"), dev)
    diffs = 0
    for k in sorted(set(want) | set(got)):
        if want.get(k) != got.get(k):
            print("npm: %s: npm ls %s, drydock %s" % (k, want.get(k), got.get(k)))
            diffs += 1
    print("npm: %s: %d packages from npm ls, %d components, %d differences"
          % (app, len(want), len(got), diffs))
    return 1 if diffs or not want else 0


def yarn(sbom, npm_ls, root, lock_app, tree_app):
    tree = json.load(open(npm_ls))
    tool = set()

    def walk(node):
        for dep in (node.get("dependencies") or {}).values():
            if "version" in dep and not dep.get("missing"):
                tool.add((dep["name"], dep["version"]))
            walk(dep)

    walk(tree)
    lock, installed = set(), set()
    for c, props, loc in components(sbom):
        if not (c.get("purl") or "").startswith("pkg:npm/") or not loc:
            continue
        t = (c["name"], c.get("version"), props.get("drydock:package:dev") == ["true"])
        if loc.startswith(lock_app + "/"):
            lock.add(t)
        elif loc.startswith(tree_app + "/"):
            installed.add(t)
    diffs = 0
    for nv in sorted(tool ^ {(n, v) for n, v, _ in lock}):
        print("yarn: %s@%s: %s" % (nv[0], nv[1], "npm ls only" if nv in tool else "yarn.lock only"))
        diffs += 1
    for t in sorted(lock ^ installed):
        print("yarn: %s@%s dev=%s: %s" % (t[0], t[1], t[2],
                                         "yarn.lock only" if t in lock else "node_modules only"))
        diffs += 1
    print("yarn: %s: %d packages from npm ls, %d from yarn.lock (%d dev), %d differences"
          % (lock_app, len(tool), len(lock), sum(1 for t in lock if t[2]), diffs))
    return 1 if diffs or not lock else 0


def pep503(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def python(sbom, root, dirs):
    from importlib.metadata import distributions

    want = {}
    for d in distributions(path=[os.path.join(root, x) for x in dirs]):
        name = d.metadata["Name"]
        if name is None:  # importlib's view of a header it could not read
            continue
        want[os.path.relpath(str(d._path), root)] = (name, d.version)
    got, evidence = {}, {}
    for c, props, loc in components(sbom):
        purl = c.get("purl") or ""
        if purl.startswith("pkg:pypi/") and loc and any(loc.startswith(x + "/") for x in dirs):
            got[loc] = (c["name"], c.get("version"))
        for lp in props.get("drydock:package:language_purl", []):
            evidence.setdefault(lp, []).append(c["name"])
    diffs = 0
    for path, (name, version) in sorted(want.items()):
        purl = "pkg:pypi/%s@%s" % (pep503(name), version)
        if path in got:
            if got.pop(path) != (name, version):
                print("python: %s: importlib %s %s, drydock differs" % (path, name, version))
                diffs += 1
        elif purl in evidence:
            pass  # owned by a Debian package: evidence on it, no component of its own
        else:
            print("python: %s: importlib finds %s %s, drydock has neither a component nor "
                  "evidence" % (path, name, version))
            diffs += 1
    for path, nv in sorted(got.items()):
        print("python: %s: drydock lists %s, importlib does not" % (path, nv))
        diffs += 1
    print("python: %d distributions from importlib, %d differences" % (len(want), diffs))
    return 1 if diffs or not want else 0


def main(argv):
    if len(argv) >= 5 and argv[0] == "npm":
        return npm(*argv[1:])
    if len(argv) == 6 and argv[0] == "yarn":
        return yarn(*argv[1:])
    if len(argv) >= 4 and argv[0] == "python":
        return python(argv[1], argv[2], argv[3:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
