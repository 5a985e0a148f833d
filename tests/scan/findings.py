#!/usr/bin/python3
"""Compares vulnerability findings: drydock's JSON report, oracle.py's output, pinned facts.

    findings.py compare EXPECTED.json REPORT.json [--layer=N]
                                                     oracle output vs `drydock image -f json`
    findings.py pins PINS FINDINGS.json              pinned facts vs either kind of file

Exit 0 when they agree, 1 with a readable list of differences on stderr when not, 2 on bad
input. The compared tuple is (package, arch, id, installed, fixed, records, aliases); compare
also checks, per finding, drydock's package.version, package.source_name/source_version,
matched_name and ecosystem against the values the oracle recorded (dpkg's for a deb; for a
Python distribution no source, the PEP 503 name and "PyPI"), and with --layer=N that
package.layer is N for every finding (the layer whose dpkg database or site-packages wrote
the package's version).
"""
import json
import sys

KEY = ("package", "arch", "id")
VALUES = ("installed", "fixed", "records", "aliases")


def die(msg):
    print("findings.py: error: " + msg, file=sys.stderr)
    sys.exit(2)


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        die("%s: %s" % (path, e))


def normalise(doc, path):
    """The findings of either file as oracle-shaped dicts (plus "_report" for drydock's)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        die("%s: no findings array" % path)
    if "schema" not in doc:  # oracle.py's output
        return doc["findings"]
    if doc["schema"] != "drydock-scan/1":
        die("%s: schema is %r, not drydock-scan/1" % (path, doc["schema"]))
    out = []
    for i, f in enumerate(doc["findings"]):
        try:
            pkg = f["package"]
            out.append({"package": pkg["name"], "arch": pkg.get("arch"), "id": f["id"],
                        "installed": f["installed"], "fixed": f["fixed"],
                        "records": f["records"], "aliases": f["aliases"], "_report": f})
        except (KeyError, TypeError) as e:
            die("%s: findings[%d]: no %s" % (path, i, e))
    return out


def show(f):
    aliases = ",".join(f["aliases"][:6])
    if len(f["aliases"]) > 6:
        aliases += ",... (%d in all)" % len(f["aliases"])
    return "%s %s %s installed=%s fixed=%s records=%s aliases=%s" % (
        f["package"], f["arch"], f["id"], f["installed"], f["fixed"],
        ",".join(f["records"]), aliases)


def compare(exp_path, got_path, layer=None):
    exp_doc, got_doc = load(exp_path), load(got_path)
    exp, got = normalise(exp_doc, exp_path), normalise(got_doc, got_path)
    problems = []
    # the OS ecosystem used: os.ecosystem, or a top-level "ecosystem"
    os_info = got_doc.get("os") if isinstance(got_doc.get("os"), dict) else {}
    eco = os_info.get("ecosystem", got_doc.get("ecosystem"))
    if eco != exp_doc.get("ecosystem"):
        problems.append("ecosystem (os.ecosystem or top-level) is %r, expected %r"
                        % (eco, exp_doc.get("ecosystem")))
    e_map, g_map = {}, {}
    for f in got:
        k = tuple(f[x] for x in KEY)
        if k in g_map:
            problems.append("reported twice: %s" % " ".join(map(str, k)))
        g_map[k] = f
    for f in exp:
        e_map[tuple(f[x] for x in KEY)] = f
    missing = sorted(set(e_map) - set(g_map))
    extra = sorted(set(g_map) - set(e_map))
    for k in missing:
        problems.append("missing:  %s" % show(e_map[k]))
    for k in extra:
        problems.append("extra:    %s" % show(g_map[k]))
    for k in sorted(set(e_map) & set(g_map)):
        e, g = e_map[k], g_map[k]
        for field in VALUES:
            if e[field] == g[field]:
                continue
            if isinstance(e[field], list) and isinstance(g[field], list):
                lack = sorted(set(e[field]) - set(g[field]))
                more = sorted(set(g[field]) - set(e[field]))
                what = "lacks %s, has extra %s" % (json.dumps(lack), json.dumps(more))
                if not lack and not more:
                    what = "has the expected ids in another order or repeated: %s" % (
                        json.dumps(g[field]))
                problems.append("differs:  %s: %s %s" % (" ".join(k), field, what))
            else:
                problems.append("differs:  %s: %s is %s, expected %s"
                                % (" ".join(k), field, json.dumps(g[field]),
                                   json.dumps(e[field])))
        r = g["_report"]
        pkg = r.get("package", {})
        # oracle output of before the Python distributions: deb findings only
        e_eco = e.get("ecosystem", exp_doc.get("ecosystem"))
        e_matched = e.get("matched_name", e["source"])
        e_srcver = e["installed"] if e["source"] is not None else None
        for what, have, want in (("package.version", pkg.get("version"), e["version"]),
                                 ("package.source_name", pkg.get("source_name"), e["source"]),
                                 ("package.source_version", pkg.get("source_version"), e_srcver),
                                 ("matched_name", r.get("matched_name"), e_matched),
                                 ("ecosystem", r.get("ecosystem"), e_eco),
                                 ("package.layer", pkg.get("layer"), layer)):
            if what == "package.layer" and layer is None:
                continue
            if have != want:
                problems.append("differs:  %s: %s is %s, expected %s"
                                % (" ".join(k), what, json.dumps(have), json.dumps(want)))
    if problems:
        print("%s against %s: %d differences (%d missing, %d extra):"
              % (got_path, exp_path, len(problems), len(missing), len(extra)), file=sys.stderr)
        for p in problems[:60]:
            print("  " + p, file=sys.stderr)
        if len(problems) > 60:
            print("  ... and %d more" % (len(problems) - 60), file=sys.stderr)
        return 1
    print("%s: %d findings, equal to the oracle's" % (got_path, len(got)))
    return 0


def pins(pins_path, path):
    """Each line: `PKG ID [field=value...]` (the finding exists, with those values; lists are
    comma-separated, empty for none; fixed=null for no fix, arch=null for none), `!PKG ID` (no
    such finding), `count PKG N` or `count * N` (number of findings of PKG, of all)."""
    found = normalise(load(path), path)
    by = {(f["package"], f["id"]): f for f in found}
    bad = n = 0
    try:
        lines = open(pins_path, encoding="utf-8").read().splitlines()
    except OSError as e:
        die(str(e))
    for lineno, line in enumerate(lines, 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        n += 1
        where = "%s:%d" % (pins_path, lineno)
        if words[0] == "count":
            if len(words) != 3 or not words[2].isdigit():
                die("%s: expected `count PKG N`" % where)
            have = sum(1 for f in found if words[1] in ("*", f["package"]))
            if have != int(words[2]):
                print("%s: %s: %d findings of %s, pinned %s"
                      % (path, where, have, words[1], words[2]), file=sys.stderr)
                bad += 1
            continue
        if len(words) < 2:
            die("%s: expected `PKG ID [field=value...]`" % where)
        if words[0].startswith("!"):
            if (words[0][1:], words[1]) in by:
                print("%s: %s: unexpected finding %s" % (path, where, show(by[(words[0][1:],
                      words[1])])), file=sys.stderr)
                bad += 1
            continue
        f = by.get((words[0], words[1]))
        if f is None:
            print("%s: %s: no finding %s %s" % (path, where, words[0], words[1]),
                  file=sys.stderr)
            bad += 1
            continue
        for kv in words[2:]:
            if "=" not in kv:
                die("%s: %r is not field=value" % (where, kv))
            field, value = kv.split("=", 1)
            if field in ("records", "aliases"):
                want = value.split(",") if value else []
            elif field in ("fixed", "arch") and value == "null":
                want = None
            elif field in ("installed", "fixed", "arch"):
                want = value
            else:
                die("%s: unknown field %r" % (where, field))
            if f[field] != want:
                print("%s: %s: %s %s: %s is %s, pinned %s"
                      % (path, where, words[0], words[1], field, json.dumps(f[field]),
                         json.dumps(want)), file=sys.stderr)
                bad += 1
    if n == 0:
        die("%s: no pins" % pins_path)
    if bad:
        print("%s: %d of %d pins fail" % (path, bad, n), file=sys.stderr)
        return 1
    print("%s: %d pins hold" % (path, n))
    return 0


def main():
    if len(sys.argv) in (4, 5) and sys.argv[1] == "compare":
        layer = None
        if len(sys.argv) == 5:
            if not sys.argv[4].startswith("--layer=") or not sys.argv[4][8:].isdigit():
                die("expected --layer=N, not %r" % sys.argv[4])
            layer = int(sys.argv[4][8:])
        sys.exit(compare(sys.argv[2], sys.argv[3], layer))
    if len(sys.argv) == 4 and sys.argv[1] == "pins":
        sys.exit(pins(sys.argv[2], sys.argv[3]))
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    main()
