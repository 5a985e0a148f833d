#!/usr/bin/python3
"""Expected vulnerability findings for the Debian packages and Python distributions of a root.

    /usr/bin/python3 tests/scan/oracle.py --root ROOTFS --vulndata DIR [--ecosystem E] [-o OUT]

An oracle for `drydock image`, independent of drydock's C code: the installed packages come
from dpkg-query (dpkg's own reading of ROOTFS/var/lib/dpkg), versions are compared with
python3-apt's apt_pkg.version_compare (dpkg order); the Python distributions are read with
Python's importlib.metadata and their versions compared with packaging.version (PEP 440, Debian
python3-packaging); ranges are evaluated as the OSV schema's "Evaluation" section writes it.
Rules (tests/scan/README.md has them with reasons):

- packages: those whose dpkg state is "installed"; each is matched by its SOURCE name and
  SOURCE version against affected[] entries of the OS ecosystem ("Debian:" + VERSION_ID of
  ROOTFS/etc/os-release unless --ecosystem); withdrawn records are skipped;
- Python distributions: every *.dist-info/METADATA, *.egg-info/PKG-INFO, *.egg-info file and
  *.egg/EGG-INFO/PKG-INFO under ROOTFS that no installed dpkg package owns (dpkg-query -S);
  each is matched by its name normalised as PEP 503 says and its version against affected[]
  entries of the ecosystem "PyPI" (names normalised the same way); a range holding a version
  that PEP 440 rejects is not used;
- a record matches when the (source) version is in affected[].versions or in one of its
  ECOSYSTEM/SEMVER ranges; its fixed version is the first `fixed` event above the installed
  version in a range that matched, none when there is no such event;
- a matching record is reported under its CVE ids (its own id when that starts with "CVE-",
  else every "CVE-" id of aliases[] and upstream[]), or under its own id when it has none;
- findings of the same (package, arch, id) merge: records = sorted union of the record ids,
  aliases = sorted union of the record ids and their non-CVE aliases/upstream ids (GHSA-,
  ...) but the finding's: other CVEs of the same advisory are other vulnerabilities, not
  other names of this one; fixed = the highest fixed version of the merged records, null when one of them
  has none.

Output: {"ecosystem", "packages", "python_distributions", "findings": [{"id", "package",
"arch", "installed", "fixed", "records", "aliases", "version", "source", "ecosystem",
"matched_name"}]} sorted by package, arch, id ("installed" is the version compared: a deb's
source version; "version" the package's own; "source" null and "arch" null for a Python
distribution; "matched_name" the name looked up).
"""
import argparse
import email.parser
import functools
import glob
import importlib.metadata
import json
import os
import pathlib
import re
import subprocess
import sys

import apt_pkg
from packaging.version import InvalidVersion, Version

apt_pkg.init_system()


def vcmp(a, b):
    return apt_pkg.version_compare(a, b)


def pcmp(a, b):
    """PEP 440 order; InvalidVersion when either does not parse."""
    va, vb = Version(a), Version(b)
    return (va > vb) - (va < vb)


def pep503(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def die(msg):
    print("oracle.py: error: " + msg, file=sys.stderr)
    sys.exit(2)


def os_ecosystem(root):
    """ "Debian:<VERSION_ID>" from the root's os-release (etc/ first, then usr/lib/)."""
    for rel in ("etc/os-release", "usr/lib/os-release"):
        path = os.path.join(root, rel)
        if not os.path.exists(path):
            continue
        info = {}
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if "=" in line and not line.startswith("#"):
                    k, v = line.split("=", 1)
                    info[k] = v.strip().strip('"').strip("'")
        if info.get("ID") != "debian" or "VERSION_ID" not in info:
            die("%s: not a numbered Debian release (ID=%s VERSION_ID=%s)"
                % (path, info.get("ID"), info.get("VERSION_ID")))
        return "Debian:" + info["VERSION_ID"]
    die("%s: no etc/os-release or usr/lib/os-release" % root)


def installed_packages(admindir):
    """(package, arch, version, source, source version) of every installed package."""
    fmt = "${Package}\\t${Architecture}\\t${Version}\\t${source:Package}\\t" \
          "${source:Version}\\t${db:Status-Abbrev}\\n"
    try:
        out = subprocess.run(["dpkg-query", "--admindir=" + admindir, "-W", "-f=" + fmt],
                             check=True, capture_output=True, text=True).stdout
    except subprocess.CalledProcessError as e:
        die("dpkg-query --admindir=%s: %s" % (admindir, e.stderr.strip()))
    pkgs = []
    for line in out.splitlines():
        name, arch, ver, src, srcver, abbrev = line.split("\t")
        # Status-Abbrev is want, state, error: state "i" is "installed"; "config-files",
        # "half-installed" and the rest are not.
        if len(abbrev) >= 2 and abbrev[1] == "i":
            pkgs.append((name, arch, ver, src, srcver))
    return pkgs


def python_distributions(root, admindir):
    """(name, version, metadata path relative to root) of the Python distributions under root
    that no installed dpkg package owns, sorted."""
    found = []
    for top, dirs, files in os.walk(root):
        if top == root:
            dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev")]
        dirs.sort()
        for d in dirs:
            path = os.path.join(top, d)
            if d.endswith(".dist-info") and os.path.isfile(os.path.join(path, "METADATA")):
                found.append((path, os.path.join(path, "METADATA")))
            elif d.endswith(".egg-info") and os.path.isfile(os.path.join(path, "PKG-INFO")):
                found.append((path, os.path.join(path, "PKG-INFO")))
            elif d == "EGG-INFO" and top.endswith(".egg") and \
                    os.path.isfile(os.path.join(path, "PKG-INFO")):
                found.append((path, os.path.join(path, "PKG-INFO")))
        for f in files:
            path = os.path.join(top, f)
            if f.endswith(".egg-info") and os.path.isfile(path) and not os.path.islink(path):
                found.append((None, path))
    dists = []
    for dist_dir, meta_path in found:
        rel = os.path.relpath(meta_path, root)
        owned = subprocess.run(["dpkg-query", "--admindir=" + admindir, "-S", "/" + rel],
                               capture_output=True, text=True)
        if owned.returncode == 0:
            continue
        if dist_dir:
            meta = importlib.metadata.PathDistribution(pathlib.Path(dist_dir)).metadata
        else:
            with open(meta_path, "rb") as f:
                meta = email.parser.BytesHeaderParser().parse(f)
        if not meta.get("Name") or not meta.get("Version"):
            die("%s: no Name or Version" % meta_path)
        dists.append((meta["Name"], meta["Version"], rel))
    return sorted(dists)


def event_key(ev):
    """Sort key of an event: its version in dpkg order, "0" lowest (introduced:0)."""
    kind, ver = next(iter(ev.items()))
    return (kind, ver)


def sort_events(events, vcmp=vcmp):
    def cmp(a, b):
        (ka, va), (kb, vb) = event_key(a), event_key(b)
        za = ka == "introduced" and va == "0"
        zb = kb == "introduced" and vb == "0"
        if za or zb:
            return (0 if za else 1) - (0 if zb else 1)
        c = vcmp(va, vb)
        if c:
            return c
        # equal versions: introduced first, so that "introduced X, fixed X" is empty
        return (ka != "introduced") - (kb != "introduced")
    return sorted(events, key=functools.cmp_to_key(cmp))


def range_match(v, rng, vcmp=vcmp):
    """(affected, fixed) of version v in one range, per the OSV evaluation pseudocode."""
    events = rng.get("events", [])
    limits = [e["limit"] for e in events if "limit" in e]
    if limits and not any(lim == "*" or vcmp(v, lim) < 0 for lim in limits):
        return False, None
    vulnerable = False
    for ev in sort_events(events, vcmp):
        if "introduced" in ev and (ev["introduced"] == "0" or vcmp(v, ev["introduced"]) >= 0):
            vulnerable = True
        elif "fixed" in ev and vcmp(v, ev["fixed"]) >= 0:
            vulnerable = False
        elif "last_affected" in ev and vcmp(v, ev["last_affected"]) > 0:
            vulnerable = False
    if not vulnerable:
        return False, None
    above = [ev["fixed"] for ev in events if "fixed" in ev and vcmp(ev["fixed"], v) > 0]
    fixed = functools.reduce(lambda a, b: a if vcmp(a, b) <= 0 else b, above) if above else None
    return True, fixed


def affected_match(v, aff, vcmp=vcmp):
    """(affected, fixed) of v in one affected[] entry; fixed None = no fix above v. A range
    with a version that vcmp rejects (InvalidVersion) is not used."""
    hit, fixes, unfixed = False, [], False
    for rng in aff.get("ranges", []):
        if rng.get("type") not in ("ECOSYSTEM", "SEMVER"):
            continue
        try:
            ok, fixed = range_match(v, rng, vcmp)
        except InvalidVersion:
            continue
        if ok:
            hit = True
            if fixed is None:
                unfixed = True
            else:
                fixes.append(fixed)
    if any(same_version(v, x, vcmp) for x in aff.get("versions", [])):
        if not hit:
            unfixed = True  # listed, and no range says where it ends
        hit = True
    if not hit:
        return False, None
    if unfixed or not fixes:
        return True, None
    return True, max(fixes, key=functools.cmp_to_key(vcmp))


def same_version(a, b, vcmp):
    if a == b:
        return True
    try:
        return vcmp(a, b) == 0
    except InvalidVersion:
        return False


def load_records(vulndata, ecosystems):
    """{ecosystem: {name: [(record, affected entry)]}} for the ecosystems; PyPI names PEP 503
    normalised."""
    index = {eco: {} for eco in ecosystems}
    files = sorted(glob.glob(os.path.join(vulndata, "*.jsonl")))
    if not files:
        die("%s: no *.jsonl files" % vulndata)
    for path in files:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except ValueError as e:
                    die("%s:%d: %s" % (path, n, e))
                if rec.get("withdrawn"):
                    continue
                for aff in rec.get("affected", []):
                    pkg = aff.get("package", {})
                    eco, name = pkg.get("ecosystem"), pkg.get("name")
                    if eco in index and isinstance(name, str):
                        if eco == "PyPI":
                            name = pep503(name)
                        index[eco].setdefault(name, []).append((rec, aff))
    return index


def report_ids(rec):
    if rec["id"].startswith("CVE-"):
        return [rec["id"]]
    cves = sorted({a for a in rec.get("aliases", []) + rec.get("upstream", [])
                   if a.startswith("CVE-")})
    return cves or [rec["id"]]


def deb_lookup(pkgs, ecosystem):
    """dpkg packages (installed_packages) as lookups: by source name and source version."""
    return [{"package": name, "arch": arch, "version": ver, "source": src, "ecosystem": ecosystem,
             "name": src, "installed": srcver} for name, arch, ver, src, srcver in pkgs]


def pypi_lookup(dists):
    """Python distributions (python_distributions) as lookups: PEP 503 name, own version."""
    return [{"package": name, "arch": None, "version": ver, "source": None, "ecosystem": "PyPI",
             "name": pep503(name), "installed": ver} for name, ver, _ in dists]


SCHEMES = {"PyPI": pcmp}


def match(lookups, index):
    """The merged findings of packages `lookups` (deb_lookup, pypi_lookup) against `index`
    (load_records)."""
    merged = {}
    for p in lookups:
        cmp = SCHEMES.get(p["ecosystem"], vcmp)
        for rec, aff in index.get(p["ecosystem"], {}).get(p["name"], []):
            hit, fixed = affected_match(p["installed"], aff, cmp)
            if not hit:
                continue
            ids = {rec["id"]} | {a for a in rec.get("aliases", []) + rec.get("upstream", [])
                                 if not a.startswith("CVE-")}
            for fid in report_ids(rec):
                f = merged.setdefault((p["package"], p["arch"] or "", fid), {
                    "id": fid, "package": p["package"], "arch": p["arch"],
                    "installed": p["installed"], "version": p["version"], "source": p["source"],
                    "ecosystem": p["ecosystem"], "matched_name": p["name"], "cmp": cmp,
                    "records": set(), "ids": set(), "fixes": [], "unfixed": False})
                f["records"].add(rec["id"])
                f["ids"] |= ids
                if fixed is None:
                    f["unfixed"] = True
                else:
                    f["fixes"].append(fixed)
    findings = []
    for key in sorted(merged):
        f = merged[key]
        fixed = None
        if not f["unfixed"]:
            fixed = max(f["fixes"], key=functools.cmp_to_key(f["cmp"]))
        findings.append({
            "id": f["id"], "package": f["package"], "arch": f["arch"],
            "installed": f["installed"], "fixed": fixed,
            "records": sorted(f["records"]), "aliases": sorted(f["ids"] - {f["id"]}),
            "version": f["version"], "source": f["source"], "ecosystem": f["ecosystem"],
            "matched_name": f["matched_name"]})
    return findings


def self_test():
    """The evaluation rules on made-up records: the real data only has introduced 0 / fixed."""
    def rng(*events):
        return {"ranges": [{"type": "ECOSYSTEM", "events": list(events)}]}
    I, F, L, M = "introduced", "fixed", "last_affected", "limit"
    cases = [  # (affected entry, version, expected (affected, fixed))
        (rng({F: "1.2-1"}, {I: "0"}), "1.1-1", (True, "1.2-1")),      # events out of order
        (rng({F: "1.2-1"}, {I: "0"}), "1.2-1", (False, None)),         # fixed itself
        (rng({I: "1.0"}, {F: "1.5"}, {I: "2.0"}, {F: "2.3"}), "1.7", (False, None)),
        (rng({I: "2.0"}, {F: "2.3"}, {I: "1.0"}, {F: "1.5"}), "2.1", (True, "2.3")),
        (rng({I: "1.0"}, {F: "1.5"}), "0.9", (False, None)),
        (rng({I: "1.0"}, {F: "1.5"}), "1.0", (True, "1.5")),           # introduced itself
        (rng({I: "0"}, {L: "1.4"}), "1.4", (True, None)),              # last_affected itself
        (rng({I: "0"}, {L: "1.4"}), "1.4.1", (False, None)),
        (rng({I: "0"}, {M: "2.0"}), "1.9", (True, None)),
        (rng({I: "0"}, {M: "2.0"}), "2.0", (False, None)),             # at the limit
        (rng({I: "0"}, {F: "1:1.0-1"}), "2.0-1", (True, "1:1.0-1")),   # epoch 0 < 1
        (rng({I: "0"}, {F: "1.0-1~deb11u1"}), "1.0-1~deb10u1", (True, "1.0-1~deb11u1")),
        (rng({I: "0"}, {F: "1.0-1~deb11u1"}), "1.0-1", (False, None)),  # ~ sorts first
        ({"versions": ["3.0-1"]}, "3.0-1", (True, None)),
        ({"versions": ["3.0-1"]}, "3.0-2", (False, None)),
        ({"ranges": [{"type": "GIT", "events": [{I: "0"}]}]}, "1.0", (False, None)),
    ]
    bad = 0
    for aff, v, want in cases:
        got = affected_match(v, aff)
        if got != want:
            print("self-test: %s at %s: got %s, want %s" % (aff, v, got, want), file=sys.stderr)
            bad += 1

    def rec(rid, fixed, aliases=(), upstream=(), withdrawn=False):
        r = {"id": rid, "aliases": list(aliases), "upstream": list(upstream),
             "affected": [{"package": {"ecosystem": "Debian:11", "name": "src"}}]}
        r["affected"][0].update(rng({I: "0"}, {F: fixed}) if fixed else rng({I: "0"}))
        if withdrawn:
            r["withdrawn"] = "2023-01-01T00:00:00Z"
        return r
    recs = [rec("DSA-1-1", "1.5", ["CVE-1"]), rec("DSA-2-1", "1.7", ["CVE-1", "CVE-2"]),
            rec("DSA-3-1", "1.1"),                          # not affected: 1.1 < 1.2
            rec("DSA-4-1", "1.6"),                          # no CVE: its own id
            rec("UBUNTU-5", "1.9", upstream=["CVE-3"]),     # CVE from upstream[]
            rec("CVE-3", "1.8", ["GHSA-x"]),                # a CVE record: its own id
            rec("DSA-6-1", None, ["CVE-2"]),                # unfixed: CVE-2 has no fix
            rec("DSA-7-1", "9", ["CVE-9"], withdrawn=True)]
    tmp = {"Debian:11": {}}
    for r in recs:
        if not r.get("withdrawn"):
            tmp["Debian:11"].setdefault("src", []).append((r, r["affected"][0]))
    got = [(f["id"], f["fixed"], f["records"], f["aliases"])
           for f in match(deb_lookup([("bin", "amd64", "1:1.2", "src", "1.2")], "Debian:11"),
                          tmp)]
    want = [("CVE-1", "1.7", ["DSA-1-1", "DSA-2-1"], ["DSA-1-1", "DSA-2-1"]),
            ("CVE-2", None, ["DSA-2-1", "DSA-6-1"], ["DSA-2-1", "DSA-6-1"]),
            ("CVE-3", "1.9", ["CVE-3", "UBUNTU-5"], ["GHSA-x", "UBUNTU-5"]),
            ("DSA-4-1", "1.6", ["DSA-4-1"], [])]
    if got != want:
        print("self-test: merge: got %s, want %s" % (got, want), file=sys.stderr)
        bad += 1
    # PEP 440 order: not dpkg's, not string order
    pcases = [
        (rng({I: "0"}, {L: "1.11.0"}), "1.10.0", (True, None)),      # 1.10 > 1.9, < 1.11
        (rng({I: "0"}, {F: "1.10.0"}), "1.10.0", (False, None)),     # fixed itself
        (rng({I: "0"}, {F: "1.10"}), "1.10.0", (False, None)),       # 1.10 == 1.10.0
        (rng({I: "2.0.0"}, {F: "2.0.7"}, {I: "0"}, {F: "1.26.18"}), "1.26.5", (True, "1.26.18")),
        (rng({I: "0"}, {F: "1.0"}), "1.0rc1", (True, "1.0")),          # pre-release first
        (rng({I: "0"}, {F: "1.0.post1"}), "1.0", (True, "1.0.post1")),
        (rng({I: "0"}, {F: "1.0"}), "1!0.5", (False, None)),           # epoch
        (rng({I: "0"}, {F: "not a version"}), "1.0", (False, None)),   # range not used
        ({"versions": ["1.0.0"]}, "1.0", (True, None)),
    ]
    for aff, v, want in pcases:
        got = affected_match(v, aff, pcmp)
        if got != want:
            print("self-test: PyPI %s at %s: got %s, want %s" % (aff, v, got, want),
                  file=sys.stderr)
            bad += 1
    if [pep503(n) for n in ("Foo.Bar", "foo__bar", "FOO-_.bar")] != ["foo-bar"] * 3:
        print("self-test: pep503", file=sys.stderr)
        bad += 1
    n = len(cases) + len(pcases) + 2
    print("oracle.py: self-test: %d of %d checks failed" % (bad, n), file=sys.stderr)
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", help="root filesystem (its var/lib/dpkg is read)")
    ap.add_argument("--vulndata", help="directory of OSV *.jsonl files")
    ap.add_argument("--ecosystem", help="OSV ecosystem (default: from os-release)")
    ap.add_argument("-o", "--output", help="write here instead of stdout")
    ap.add_argument("--self-test", action="store_true", help="check the evaluation rules")
    args = ap.parse_args()
    if args.self_test:
        sys.exit(self_test())
    if not args.root or not args.vulndata:
        ap.error("--root and --vulndata are required")

    admindir = os.path.join(args.root, "var/lib/dpkg")
    if not os.path.isfile(os.path.join(admindir, "status")):
        die("%s: no var/lib/dpkg/status" % args.root)
    eco = args.ecosystem or os_ecosystem(args.root)
    index = load_records(args.vulndata, (eco, "PyPI"))
    pkgs = installed_packages(admindir)
    dists = python_distributions(args.root, admindir)
    findings = match(deb_lookup(pkgs, eco) + pypi_lookup(dists), index)
    doc = {"ecosystem": eco, "packages": len(pkgs), "python_distributions": len(dists),
           "findings": findings}
    text = json.dumps(doc, indent=1, sort_keys=True) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    print("oracle.py: %s: %d installed packages, %d Python distributions (%s), %d findings in %d "
          "packages" % (eco, len(pkgs), len(dists), " ".join("%s %s" % d[:2] for d in dists),
                        len(findings), len({(f["package"], f["arch"]) for f in findings})),
          file=sys.stderr)


if __name__ == "__main__":
    main()
