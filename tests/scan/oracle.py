#!/usr/bin/python3
"""Expected vulnerability findings for the Debian packages of a root filesystem.

    /usr/bin/python3 tests/scan/oracle.py --root ROOTFS --vulndata DIR [--ecosystem E] [-o OUT]

An oracle for `drydock image`, independent of drydock's C code: the installed packages come
from dpkg-query (dpkg's own reading of ROOTFS/var/lib/dpkg), versions are compared with
python3-apt's apt_pkg.version_compare (dpkg order), and ranges are evaluated as the OSV
schema's "Evaluation" section writes it. Rules (tests/scan/README.md has them with reasons):

- packages: those whose dpkg state is "installed"; each is matched by its SOURCE name and
  SOURCE version against affected[] entries of the OS ecosystem ("Debian:" + VERSION_ID of
  ROOTFS/etc/os-release unless --ecosystem); withdrawn records are skipped;
- a record matches when the source version is in affected[].versions or in one of its
  ECOSYSTEM/SEMVER ranges; its fixed version is the first `fixed` event above the installed
  version in a range that matched, none when there is no such event;
- a matching record is reported under its CVE ids (its own id when that starts with "CVE-",
  else every "CVE-" id of aliases[] and upstream[]), or under its own id when it has none;
- findings of the same (package, arch, id) merge: records = sorted union of the record ids,
  aliases = sorted union of the record ids and their non-CVE aliases/upstream ids (GHSA-,
  ...) but the finding's: other CVEs of the same advisory are other vulnerabilities, not
  other names of this one; fixed = the highest fixed version of the merged records, null when one of them
  has none.

Output: {"ecosystem", "packages", "findings": [{"id", "package", "arch", "installed", "fixed",
"records", "aliases", "version", "source"}]} sorted by package, arch, id ("installed" is the
source version compared, "version" the binary package's own).
"""
import argparse
import functools
import glob
import json
import os
import subprocess
import sys

import apt_pkg

apt_pkg.init_system()


def vcmp(a, b):
    return apt_pkg.version_compare(a, b)


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


def event_key(ev):
    """Sort key of an event: its version in dpkg order, "0" lowest (introduced:0)."""
    kind, ver = next(iter(ev.items()))
    return (kind, ver)


def sort_events(events):
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


def range_match(v, rng):
    """(affected, fixed) of version v in one range, per the OSV evaluation pseudocode."""
    events = rng.get("events", [])
    limits = [e["limit"] for e in events if "limit" in e]
    if limits and not any(lim == "*" or vcmp(v, lim) < 0 for lim in limits):
        return False, None
    vulnerable = False
    for ev in sort_events(events):
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


def affected_match(v, aff):
    """(affected, fixed) of v in one affected[] entry; fixed None = no fix above v."""
    hit, fixes, unfixed = False, [], False
    for rng in aff.get("ranges", []):
        if rng.get("type") not in ("ECOSYSTEM", "SEMVER"):
            continue
        ok, fixed = range_match(v, rng)
        if ok:
            hit = True
            if fixed is None:
                unfixed = True
            else:
                fixes.append(fixed)
    if v in aff.get("versions", []):
        if not hit:
            unfixed = True  # listed, and no range says where it ends
        hit = True
    if not hit:
        return False, None
    if unfixed or not fixes:
        return True, None
    return True, max(fixes, key=functools.cmp_to_key(vcmp))


def load_records(vulndata, ecosystem):
    """source name -> [(record, affected entry)] for the ecosystem."""
    index = {}
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
                    if pkg.get("ecosystem") == ecosystem:
                        index.setdefault(pkg.get("name"), []).append((rec, aff))
    return index


def report_ids(rec):
    if rec["id"].startswith("CVE-"):
        return [rec["id"]]
    cves = sorted({a for a in rec.get("aliases", []) + rec.get("upstream", [])
                   if a.startswith("CVE-")})
    return cves or [rec["id"]]


def match(pkgs, index):
    """The merged findings of installed packages `pkgs` against `index` (load_records)."""
    merged = {}
    for name, arch, ver, src, srcver in pkgs:
        for rec, aff in index.get(src, []):
            hit, fixed = affected_match(srcver, aff)
            if not hit:
                continue
            ids = {rec["id"]} | {a for a in rec.get("aliases", []) + rec.get("upstream", [])
                                 if not a.startswith("CVE-")}
            for fid in report_ids(rec):
                f = merged.setdefault((name, arch, fid), {
                    "id": fid, "package": name, "arch": arch, "installed": srcver,
                    "version": ver, "source": src, "records": set(), "ids": set(), "fixes": [],
                    "unfixed": False})
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
            fixed = max(f["fixes"], key=functools.cmp_to_key(vcmp))
        findings.append({
            "id": f["id"], "package": f["package"], "arch": f["arch"],
            "installed": f["installed"], "fixed": fixed,
            "records": sorted(f["records"]), "aliases": sorted(f["ids"] - {f["id"]}),
            "version": f["version"], "source": f["source"]})
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
    tmp = {}
    for r in recs:
        if not r.get("withdrawn"):
            tmp.setdefault("src", []).append((r, r["affected"][0]))
    got = [(f["id"], f["fixed"], f["records"], f["aliases"])
           for f in match([("bin", "amd64", "1:1.2", "src", "1.2")], tmp)]
    want = [("CVE-1", "1.7", ["DSA-1-1", "DSA-2-1"], ["DSA-1-1", "DSA-2-1"]),
            ("CVE-2", None, ["DSA-2-1", "DSA-6-1"], ["DSA-2-1", "DSA-6-1"]),
            ("CVE-3", "1.9", ["CVE-3", "UBUNTU-5"], ["GHSA-x", "UBUNTU-5"]),
            ("DSA-4-1", "1.6", ["DSA-4-1"], [])]
    if got != want:
        print("self-test: merge: got %s, want %s" % (got, want), file=sys.stderr)
        bad += 1
    print("oracle.py: self-test: %d of %d checks failed" % (bad, len(cases) + 1), file=sys.stderr)
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
    index = load_records(args.vulndata, eco)
    pkgs = installed_packages(admindir)
    findings = match(pkgs, index)
    doc = {"ecosystem": eco, "packages": len(pkgs), "findings": findings}
    text = json.dumps(doc, indent=1, sort_keys=True) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    print("oracle.py: %s: %d installed packages, %d findings in %d packages"
          % (eco, len(pkgs), len(findings), len({(f["package"], f["arch"]) for f in findings})),
          file=sys.stderr)


if __name__ == "__main__":
    main()
