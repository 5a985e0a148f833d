#!/usr/bin/python3
"""Findings of an SBOM (`drydock scan-sbom -f json`) against those of the image it describes
(`drydock image -f json`), the difference derived from the documented package differences.

    compare_findings.py TOOL IMAGE_NAME DIFFERENCES_TSV OWN_TSV VULNDATA IMAGE_REPORT SBOM_REPORT

A finding is compared as (package name, package version, arch, id, installed, fixed, severity).
What the SBOM's findings must be follows from the image's findings and differences.tsv alone:

- a package line that only drydock's catalog has (whose = "drydock") is not in the SBOM: its
  findings go;
- a package line that only TOOL's SBOM has (whose = TOOL) is matched under its own lookup key:
  a deb by (source name, source version), a PyPI package by (PEP 503 name, version). Findings
  depend on the key alone, so its findings are those the image report has for any package
  matched under that key (none when the catalog (OWN_TSV) has a package with that key and the
  report shows no finding for it). When no package of the image has that key, the findings
  are derived as none only if VULNDATA has no record at all for that name in the ecosystem;
  otherwise the test cannot derive them and fails;
- every other finding must be there unchanged, and nothing else.

The derived differences are printed with their reason (the differences.tsv line). Exit 0 when
the SBOM's findings are exactly the derived ones, 1 when not, 2 on bad input.
"""
import glob
import json
import os
import re
import sys

OS_TYPES = ("deb", "apk", "rpm")


def die(msg):
    print("compare_findings.py: error: " + msg, file=sys.stderr)
    sys.exit(2)


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        die("%s: %s" % (path, e))
    if not isinstance(doc, dict) or doc.get("schema") != "drydock-scan/1" or \
            not isinstance(doc.get("findings"), list):
        die("%s: not a drydock-scan/1 report" % path)
    return doc


def pep503(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def dash(v):
    return None if v == "-" else v


def lookup_key(ptype, name, version, source, source_version, ecosystem):
    """The (ecosystem, name, version) the matcher looks a package up under (docs/scan.md)."""
    if ptype == "deb":
        return (ecosystem, source or name, source_version or version)
    if ptype == "pypi":
        return ("PyPI", pep503(name), version)
    return None


def tuple_of(f):
    p = f["package"]
    return (p["name"], p.get("version"), p.get("arch"), f["id"], f["installed"], f["fixed"],
            f.get("severity"))


def show(t):
    name, version, arch, fid, installed, fixed, sev = t
    return "%s %s (%s) %s installed=%s fixed=%s %s" % (name, version, arch or "-", fid,
                                                      installed, fixed or "unfixed", sev)


def record_names(vulndata, ecosystem):
    """Every affected[].package.name of the ecosystem in VULNDATA (PyPI names PEP 503)."""
    names = set()
    files = sorted(glob.glob(os.path.join(vulndata, "*.jsonl")))
    if not files:
        die("%s: no *.jsonl files" % vulndata)
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if ecosystem not in line:
                    continue
                for aff in json.loads(line).get("affected", []):
                    pkg = aff.get("package", {})
                    if pkg.get("ecosystem") == ecosystem and isinstance(pkg.get("name"), str):
                        names.add(pep503(pkg["name"]) if ecosystem == "PyPI" else pkg["name"])
    return names


def main():
    if len(sys.argv) != 8:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        sys.exit(2)
    tool, image, diff_path, own_tsv, vulndata, image_path, sbom_path = sys.argv[1:]
    img, sbom = load_json(image_path), load_json(sbom_path)
    eco = img.get("ecosystem")
    problems = []
    if sbom.get("ecosystem") != eco:
        problems.append("ecosystem %r, the image's is %r" % (sbom.get("ecosystem"), eco))

    # the documented package lines: whose -> [(type, name, version, arch, src, srcver)]
    documented = {"drydock": [], tool: []}
    try:
        with open(diff_path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.startswith("#") or not line.strip():
                    continue
                cols = line.rstrip("\n").split("\t")
                if len(cols) != 9:
                    die("%s:%d: %d columns, expected 9" % (diff_path, n, len(cols)))
                if cols[0] == tool and cols[1] == image:
                    if cols[2] not in documented:
                        die("%s:%d: whose is %r" % (diff_path, n, cols[2]))
                    documented[cols[2]].append(tuple(dash(c) for c in cols[3:]))
    except OSError as e:
        die(str(e))

    # lookup keys of drydock's catalog of the image
    own_keys = set()
    try:
        with open(own_tsv, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#"):
                    continue
                t, name, ver, _, src, srcver = (dash(c) for c in line.rstrip("\n").split("\t"))
                own_keys.add(lookup_key(t, name, ver, src, srcver, eco))
    except (OSError, ValueError) as e:
        die("%s: %s" % (own_tsv, e))

    by_key = {}  # lookup key -> {(id, installed, fixed, severity)} from the image's report
    for f in img["findings"]:
        p = f["package"]
        key = lookup_key(p.get("type"), p["name"], p.get("version"), p.get("source_name"),
                         p.get("source_version"), eco)
        if key is None or f.get("ecosystem") != key[0] or f.get("matched_name") != key[1] or \
                f.get("installed") != key[2]:
            die("%s: %s %s: matched as %s %s %s, not under the key %s" % (
                image_path, p["name"], f["id"], f.get("ecosystem"), f.get("matched_name"),
                f.get("installed"), key))
        by_key.setdefault(key, set()).add((f["id"], f["installed"], f["fixed"],
                                           f.get("severity")))

    expected = {tuple_of(f) for f in img["findings"]}
    removed, added = set(), set()
    for t, name, ver, arch, _, _ in documented["drydock"]:
        for f in img["findings"]:
            p = f["package"]
            if (p.get("type"), p["name"], p.get("version"), p.get("arch")) == (t, name, ver, arch):
                removed.add((tuple_of(f), "only drydock's catalog has %s %s %s" % (t, name, ver)))
    names_cache = {}
    quiet = []  # documented lines of the tool that change no finding
    for t, name, ver, arch, src, srcver in documented[tool]:
        key = lookup_key(t, name, ver, src, srcver, eco)
        why = "%s's SBOM has %s %s %s matched as %s %s" % (tool, t, name, ver, key and key[1],
                                                          key and key[2])
        if key is None:
            problems.append("cannot derive the findings of %s %s: type %s" % (name, ver, t))
            continue
        if key not in own_keys:
            if key[0] not in names_cache:
                names_cache[key[0]] = record_names(vulndata, key[0])
            if key[1] in names_cache[key[0]]:
                problems.append("cannot derive the findings of %s %s: no package of the image "
                                "is matched as %s %s, and %s has records for it"
                                % (name, ver, key[1], key[2], key[0]))
                continue
            why += " (no %s record names %s)" % (key[0], key[1])
        if not by_key.get(key):
            quiet.append("%s %s: %s, which has no findings" % (name, ver, why))
        for fid, installed, fixed, sev in by_key.get(key, ()):
            added.add(((name, ver, arch, fid, installed, fixed, sev), why))
    expected -= {t for t, _ in removed}
    expected |= {t for t, _ in added}

    got = [tuple_of(f) for f in sbom["findings"]]
    if len(set(got)) != len(got):
        problems.append("%d findings reported twice" % (len(got) - len(set(got))))
    got = set(got)
    for t in sorted(expected - got, key=str):
        problems.append("missing: " + show(t))
    for t in sorted(got - expected, key=str):
        problems.append("extra:   " + show(t))

    for t, why in sorted(removed | added, key=str):
        sign = "-" if (t, why) in removed else "+"
        print("    %s %s: %s" % (sign, show(t), why))
    for q in quiet:
        print("    = " + q)
    if problems:
        print("%s %s: %d findings, %d derived from the image's %d:" % (
            tool, image, len(got), len(expected), len(img["findings"])), file=sys.stderr)
        for p in problems[:40]:
            print("  " + p, file=sys.stderr)
        if len(problems) > 40:
            print("  ... and %d more" % (len(problems) - 40), file=sys.stderr)
        sys.exit(1)
    print("%d findings: the image's %d, %d fewer and %d more as the package differences say"
          % (len(got), len(img["findings"]), len(removed), len(added)))


if __name__ == "__main__":
    main()
