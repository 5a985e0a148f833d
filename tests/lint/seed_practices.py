#!/usr/bin/env python3
"""The seed guide's practices end to end (../shared/seed/docker-security-guide.txt).

seed/good/ holds Dockerfiles written to follow the guide to the letter: they must give no
warning or error. seed/avoid/ holds each "avoid"/"never" example of the guide, one per file,
whose first line names the rule it must trigger ("# expect: DD-XXX-NNN").

usage: seed_practices.py DRYDOCK
"""
import json
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))


def lint(drydock, path):
    out = subprocess.run([drydock, "lint", "--no-config", "--failure-threshold", "none", "-f",
                          "json", path], capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit("drydock exited %d on %s" % (out.returncode, path))
    return json.loads(out.stdout)["findings"]


def main():
    drydock = sys.argv[1]
    fail = 0
    good = os.path.join(here, "seed", "good")
    for f in lint(drydock, good):
        if f["severity"] in ("warning", "error"):
            print("FAIL good: %s:%d %s %s" % (f["file"], f["line"], f["rule"], f["message"]))
            fail = 1
    avoid = os.path.join(here, "seed", "avoid")
    for name in sorted(os.listdir(avoid)):
        path = os.path.join(avoid, name)
        want = open(path).readline().split("expect:")[1].strip()
        got = sorted({f["rule"] for f in lint(drydock, path)})
        status = "ok  " if want in got else "FAIL"
        fail |= want not in got
        print("%s %-36s expects %-11s got %s" % (status, name, want, " ".join(got)))
    print("seed practices: %s" % ("FAIL" if fail else "ok"))
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
