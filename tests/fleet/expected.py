#!/usr/bin/python3
"""The findings a set of SBOMs should have against a set of OSV records, computed without
drydock's code: the oracle of the fleet tests.

    expected.py --osv FILE.jsonl [--osv ...] NAME=SBOM.cdx.json [NAME=...]

Prints {"findings": [{"image": NAME, "purl": P, "record": ID, "aliases": [...]}]} sorted.
Packages are read from the CycloneDX components (purl, version, and drydock's source package
properties for Debian); versions are ordered with each ecosystem's reference code: dpkg's
(python3-apt), PEP 440 (python3-packaging) and SemVer 2.0 (below). Ecosystems the test images
do not hold are left out.
"""
import json
import re
import sys
from urllib.parse import unquote

import apt_pkg
from packaging.version import InvalidVersion, Version

apt_pkg.init_system()


def semver_key(v):
    m = re.match(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+.*)?$", v)
    if not m:
        return None
    pre = m.group(4)
    # a pre-release sorts before its release; identifiers compare numerically when numeric
    pre_key = (1,) if pre is None else (0,) + tuple(
        (0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) + (pre_key,)


def compare(eco, a, b):
    if eco.startswith("Debian"):
        return apt_pkg.version_compare(a, b)
    if eco == "PyPI":
        try:
            va, vb = Version(a), Version(b)
        except InvalidVersion:
            return None
        return (va > vb) - (va < vb)
    ka, kb = semver_key(a), semver_key(b)
    if ka is None or kb is None:
        return None
    return (ka > kb) - (ka < kb)


def in_range(eco, version, events):
    """OSV's evaluation: walk the events in version order ("0" first)."""
    affected = False
    for ev in events:
        (kind, at), = [(k, v) for k, v in ev.items() if k in ("introduced", "fixed", "last_affected")]
        if kind == "introduced":
            c = 1 if at == "0" else compare(eco, version, at)
            if c is None:
                return False
            if c >= 0:
                affected = True
        elif kind == "fixed":
            c = compare(eco, version, at)
            if c is None:
                return False
            if c >= 0:
                affected = False
        else:
            c = compare(eco, version, at)
            if c is None:
                return False
            if c > 0:
                affected = False
    return affected


def pep503(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def package_keys(comp):
    """(ecosystem, name, version) under which advisories are filed for this component."""
    purl = comp.get("purl") or ""
    m = re.match(r"^pkg:([a-z]+)/(.+?)@([^?#]+)(?:\?([^#]*))?", purl)
    if not m:
        return []
    ptype, path, version = m.group(1), unquote(m.group(2)), unquote(m.group(3))
    quals = dict(q.split("=", 1) for q in (m.group(4) or "").split("&") if "=" in q)
    props = {p["name"]: p["value"] for p in comp.get("properties") or []}
    if ptype == "deb":
        distro = unquote(quals.get("distro", ""))
        dm = re.match(r"^debian-(\d+)", distro)
        if not dm:
            return []
        name = props.get("drydock:package:source") or path.split("/")[-1]
        ver = props.get("drydock:package:source_version") or version
        return [("Debian:" + dm.group(1), name, ver)]
    if ptype == "pypi":
        return [("PyPI", pep503(path.split("/")[-1]), version)]
    if ptype == "npm":
        return [("npm", path, version)]
    return []


def load_records(paths):
    by_key = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                rec = json.loads(line)
                if rec.get("withdrawn"):
                    continue
                for aff in rec.get("affected", []):
                    pkg = aff.get("package", {})
                    eco = pkg.get("ecosystem", "")
                    name = pep503(pkg.get("name", "")) if eco == "PyPI" else pkg.get("name", "")
                    by_key.setdefault((eco, name), []).append((rec, aff))
    return by_key


def affected(eco, version, aff):
    if version in aff.get("versions", []):
        return True
    return any(in_range(eco, version, r.get("events", []))
               for r in aff.get("ranges", []) if r.get("type") in ("ECOSYSTEM", "SEMVER"))


def main(argv):
    osv, sboms = [], []
    i = 0
    while i < len(argv):
        if argv[i] == "--osv":
            osv.append(argv[i + 1])
            i += 2
        else:
            name, _, path = argv[i].partition("=")
            sboms.append((name, path))
            i += 1
    by_key = load_records(osv)
    out = set()
    aliases = {}
    for name, path in sboms:
        with open(path) as f:
            doc = json.load(f)
        for comp in doc.get("components", []):
            for eco, pkg, version in package_keys(comp):
                for rec, aff in by_key.get((eco, pkg), []):
                    if affected(eco, version, aff):
                        out.add((name, comp["purl"], rec["id"]))
                        aliases[rec["id"]] = sorted(rec.get("aliases", []))
    findings = [{"image": n, "purl": p, "record": r, "aliases": aliases[r]}
                for n, p, r in sorted(out)]
    json.dump({"findings": findings}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
