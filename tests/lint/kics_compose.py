#!/usr/bin/env python3
"""Conformance of drydock's compose rules with KICS's dockerCompose query test cases.

Each KICS query (metadata.json queryName) maps to the DD rules whose K column in the rule
catalogue names it. Every positive file is linted and each expected (file, line) must come
back as a finding of a mapped rule at that line; every negative file must give no warning or
error of a mapped rule. Prints the per-query table; exits 1 under the goal (>= 95% found at
the right line over the covered queries, no W/E false positive on negatives), 2 on setup
errors.

Usage: kics_compose.py [--drydock PATH] [--kics DIR] [--rules LINT-RULES.md] [-v]
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SHARED = os.path.abspath(os.path.join(ROOT, "..", "shared"))
GOAL = 95.0


def load_mapping(rules_md):
    """queryName (lower case) -> list of DD rule ids, from the K column of the catalogue."""
    rows = []
    with open(rules_md, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("| DD-"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 4:
                continue
            rule, anchors = cells[0], cells[-1]
            for seg in anchors.split(";"):
                seg = seg.strip()
                if seg.startswith("K "):
                    rows.append((rule, seg[2:].lower()))
    return rows


def rules_for(query_name, rows):
    q = query_name.lower()
    return sorted({rule for rule, text in rows if re.search(r"(^|[ ,(])" + re.escape(q) +
                                                            r"($|[ ,(])", text)})


class Linter:
    """Runs the real CLI, `drydock lint -f json FILE`, one file per run.

    A *.yml/*.yaml file named on the command line is linted as a compose file whatever its
    base name (KICS names them positiveN.yaml). The run has no config file and a minimal
    environment, so the interpolation of ${VAR} does not depend on the caller's shell.
    """

    def __init__(self, drydock):
        if not drydock or not os.access(drydock, os.X_OK):
            sys.exit("kics_compose: no drydock binary at %s" % drydock)
        self.cmd = [drydock, "lint", "--no-config", "-f", "json", "--failure-threshold", "none"]
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}
        self.name = "drydock lint -f json"

    def run(self, path):
        p = subprocess.run(self.cmd + [path], capture_output=True, text=True, env=self.env)
        if p.returncode not in (0, 1):
            return None, p.stderr.strip() or "exit %d" % p.returncode
        return normalise(json.loads(p.stdout or "{}")), None


def normalise(doc):
    """Findings as (rule, level, line) from drydock's JSON report."""
    if isinstance(doc, dict):
        for key in ("findings", "results", "issues"):
            if isinstance(doc.get(key), list):
                doc = doc[key]
                break
        else:
            doc = []
    out = []
    for f in doc:
        rule = f.get("code") or f.get("rule") or f.get("ruleId") or f.get("id")
        if isinstance(rule, dict):
            rule = rule.get("id")
        level = str(f.get("level") or f.get("severity") or "").lower()
        out.append((rule, level, int(f.get("line") or 0)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--drydock", default=os.path.join(ROOT, "build", "dev", "drydock"))
    ap.add_argument("--kics", default=os.path.join(SHARED, "conformance", "kics"))
    ap.add_argument("--rules", default=os.path.join(SHARED, "LINT-RULES.md"))
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()

    base = os.path.join(a.kics, "dockerCompose")
    if not os.path.isdir(base) or not os.path.isfile(a.rules):
        print("kics_compose: missing %s or %s" % (base, a.rules), file=sys.stderr)
        return 2
    rows = load_mapping(a.rules)
    linter = Linter(a.drydock)
    print("linter: %s" % linter.name)

    table = []
    tot_exp = tot_found = tot_neg = tot_fp = 0
    errors = 0
    for q in sorted(os.listdir(base)):
        qdir = os.path.join(base, q)
        with open(os.path.join(qdir, "metadata.json"), encoding="utf-8") as f:
            meta = json.load(f)
        name = meta["queryName"]
        rules = rules_for(name, rows)
        tdir = os.path.join(qdir, "test")
        with open(os.path.join(tdir, "positive_expected_result.json"), encoding="utf-8") as f:
            expected = json.load(f)
        if not rules:
            table.append((name, "-", len(expected), None, 0, 0, []))
            continue
        cache = {}

        def lint(fn):
            if fn not in cache:
                res, err = linter.run(os.path.join(tdir, fn))
                if err:
                    print("  %s/%s: %s" % (q, fn, err), file=sys.stderr)
                cache[fn] = res or []
                cache[fn + "#err"] = err
            return cache[fn]

        found, missed = 0, []
        for e in expected:
            fn = e.get("filename") or e.get("fileName")
            hits = [f for f in lint(fn) if f[0] in rules and f[2] == e["line"]]
            if hits:
                found += 1
            else:
                missed.append("%s:%d" % (fn, e["line"]))
            if cache.get(fn + "#err"):
                errors += 1
        negs = sorted(fn for fn in os.listdir(tdir) if fn.startswith("negative"))
        fps = []
        for fn in negs:
            for rule, level, line in lint(fn):
                if rule in rules and level in ("warning", "error", "w", "e"):
                    fps.append("%s:%d %s" % (fn, line, rule))
            if cache.get(fn + "#err"):
                errors += 1
        table.append((name, ",".join(r.replace("DD-", "") for r in rules), len(expected), found,
                      len(negs), len(fps), missed + ["FP " + x for x in fps]))
        tot_exp += len(expected)
        tot_found += found
        tot_neg += len(negs)
        tot_fp += len(fps)

    w = max(len(t[0]) for t in table)
    print("%-*s  %-15s %4s %5s %6s %4s %4s" % (w, "KICS query", "DD rules", "exp", "found",
                                               "%", "neg", "FP"))
    for name, rules, exp, found, neg, fp, notes in table:
        if found is None:
            print("%-*s  %-15s %4d %5s %6s %4s %4s  (not covered)" % (w, name, rules, exp, "-",
                                                                      "-", "-", "-"))
            continue
        pct = 100.0 * found / exp if exp else 100.0
        print("%-*s  %-15s %4d %5d %5.1f%% %4d %4d" % (w, name, rules, exp, found, pct, neg, fp))
        if notes and (a.verbose or pct < 100 or fp):
            for n in notes:
                print("%-*s    - %s" % (w, "", n))
    pct = 100.0 * tot_found / tot_exp if tot_exp else 0.0
    print("%-*s  %-15s %4d %5d %5.1f%% %4d %4d" % (w, "TOTAL (covered queries)", "", tot_exp,
                                                   tot_found, pct, tot_neg, tot_fp))
    ok = pct >= GOAL and tot_fp == 0 and errors == 0
    print("goal: >= %.0f%% at the right line, 0 W/E false positives on negatives, no input "
          "errors: %s" % (GOAL, "PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
