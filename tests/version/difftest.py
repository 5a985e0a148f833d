#!/usr/bin/python3
"""Differential test of drydock's version comparators against each ecosystem's own tool.

usage: difftest.py SCHEME DRIVER CACHE_DIR
Prints "SCHEME: N pairs, M mismatches" and exits 1 on any mismatch, 77 when the reference
tool cannot be found. Version strings are real ones: the OSV advisories in ../shared/vulndata,
this machine's package lists, apk-tools' own vectors, composer.lock files.
"""
import glob
import json
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VULNDATA = os.environ.get("DD_VULNDATA", os.path.join(os.path.dirname(ROOT), "shared", "vulndata"))
FIXTURES = os.environ.get("DD_FIXTURES", os.path.join(os.path.dirname(ROOT), "shared", "fixtures"))
MIN_PAIRS = 10000
SKIP = 77


def osv_versions(name):
    """Every version string in the events and versions lists of one OSV file."""
    out = set()
    path = os.path.join(VULNDATA, name)
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            for aff in rec.get("affected", []):
                for v in aff.get("versions", []) or []:
                    out.add(v)
                for rng in aff.get("ranges", []) or []:
                    if rng.get("type") == "GIT":
                        continue
                    for ev in rng.get("events", []):
                        for k in ("introduced", "fixed", "last_affected", "limit"):
                            if k in ev:
                                out.add(ev[k])
    return {v for v in out if v and "\t" not in v and "\n" not in v and len(v) <= 200}


def make_pairs(versions, n_random, seed=5):
    """Neighbours in sorted order (similar strings, the hard cases), then random pairs."""
    vs = sorted(versions)
    rnd = random.Random(seed)
    pairs = [(vs[i], vs[i + 1]) for i in range(len(vs) - 1)]
    pairs += [(v, v) for v in vs[: len(vs) // 10]]
    for _ in range(n_random):
        pairs.append((rnd.choice(vs), rnd.choice(vs)))
    return pairs


def run_driver(driver, scheme, pairs):
    data = "".join(f"{a}\t{b}\n" for a, b in pairs)
    # Split on "\n" only: error messages quote the version, which may hold \v or \f.
    out = subprocess.run([driver, scheme], input=data, capture_output=True, text=True,
                         check=True).stdout.split("\n")[:-1]
    assert len(out) == len(pairs), (len(out), len(pairs))
    return [None if o.startswith("E") else int(o) for o in out]


def sign(x):
    return (x > 0) - (x < 0)


def report(scheme, pairs, ours, theirs, min_pairs=MIN_PAIRS, extra_fail=0):
    bad = [(p, o, t) for p, o, t in zip(pairs, ours, theirs) if o != t]
    for (a, b), o, t in bad[:25]:
        print(f"  MISMATCH {a!r} vs {b!r}: drydock {o}, reference {t}")
    print(f"{scheme}: {len(pairs)} pairs, {len(bad)} mismatches")
    if bad or extra_fail:
        return 1
    if len(pairs) < min_pairs:
        print(f"{scheme}: fewer than {min_pairs} pairs")
        return 1
    return 0


# ---------------------------------------------------------------- deb
def deb_versions():
    vs = set(osv_versions("debian.osv.jsonl"))
    q = subprocess.run(["dpkg-query", "-W", "-f", "${Version}\n"], capture_output=True, text=True)
    vs |= set(q.stdout.split())
    d = subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True)
    for line in d.stdout.splitlines():
        if line.startswith("Version: "):
            vs.add(line[9:].strip())
    return vs


def test_deb(driver, cache):
    try:
        import apt_pkg
    except ImportError:
        print("deb: python3-apt missing")
        return SKIP
    apt_pkg.init_system()
    vs = deb_versions()
    pairs = make_pairs(vs, 20000)
    ours = run_driver(driver, "deb", pairs)
    theirs = [sign(apt_pkg.version_compare(a, b)) for a, b in pairs]
    # dpkg itself on a sample: libapt and dpkg share the algorithm; this keeps both honest,
    # and checks that dpkg accepts what drydock accepts.
    rnd = random.Random(7)
    sample = rnd.sample(range(len(pairs)), 300)
    extra = 0
    for i in sample:
        a, b = pairs[i]
        lt = subprocess.run(["dpkg", "--compare-versions", a, "lt", b], capture_output=True)
        eq = subprocess.run(["dpkg", "--compare-versions", a, "eq", b], capture_output=True)
        if lt.returncode > 1 or eq.returncode > 1:
            want = None
        else:
            want = -1 if lt.returncode == 0 else 0 if eq.returncode == 0 else 1
        if want != ours[i]:
            print(f"  MISMATCH (dpkg) {a!r} vs {b!r}: drydock {ours[i]}, dpkg {want}")
            extra += 1
    print(f"deb: {len(sample)} pairs also checked with dpkg --compare-versions, {extra} mismatches")
    return report("deb", pairs, ours, theirs, extra_fail=extra)


# ---------------------------------------------------------------- apk
def test_apk(driver, cache):
    path = os.path.join(FIXTURES, "apk-version", "version.data")
    cmp_pairs, cmp_want, valid, fuzzy = [], [], [], 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) == 3 and parts[1] in ("<", ">", "="):
                cmp_pairs.append((parts[0], parts[2]))
                cmp_want.append({"<": -1, "=": 0, ">": 1}[parts[1]])
            elif len(parts) == 3:
                fuzzy += 1  # fuzzy-match operators: not part of ordering
            elif len(parts) == 1:
                v = parts[0]
                valid.append((v[1:], False) if v.startswith("!") else (v, True))
    ours = run_driver(driver, "apk-raw", cmp_pairs)
    rc = report("apk (apk-tools version.data)", cmp_pairs, ours, cmp_want, min_pairs=700)
    vpairs = [(v, v) for v, _ in valid if v]
    vours = run_driver(driver, "apk", vpairs)
    bad = 0
    for (v, ok), o in zip([x for x in valid if x[0]], vours):
        if (o is not None) != ok:
            print(f"  MISMATCH validity of {v!r}: drydock {o is not None}, apk-tools {ok}")
            bad += 1
    print(f"apk validity: {len(vpairs)} versions, {bad} mismatches ({fuzzy} fuzzy lines skipped)")
    # The public API must reject exactly what apk_version_validate rejects in the vectors.
    return rc or (1 if bad else 0)


# ---------------------------------------------------------------- rpm
def test_rpm(driver, cache):
    if subprocess.run(["sh", "-c", "command -v rpm"], capture_output=True).returncode:
        print("rpm: rpm missing")
        return SKIP
    vs = deb_versions() | osv_versions("alpine.osv.jsonl") | osv_versions("pypi.osv.jsonl")
    vs = {v for v in vs if v.strip() == v and '"' not in v and "\\" not in v}
    pairs = make_pairs(vs, 20000)
    ours = run_driver(driver, "rpm", pairs)
    os.makedirs(cache, exist_ok=True)
    pf = os.path.join(cache, "rpm-pairs.txt")
    with open(pf, "w", encoding="utf-8") as f:
        for a, b in pairs:
            f.write(f"{a}\t{b}\n")
    lua = ("%{lua: for l in io.lines('" + pf + "') do local a, b = l:match('^(.-)\\t(.*)$'); "
           "io.write(rpm.vercmp(a, b), '\\n') end}")
    out = subprocess.run(["rpm", "--eval", lua], capture_output=True, text=True, check=True)
    theirs = [sign(int(x)) for x in out.stdout.split()]
    return report("rpm", pairs, ours, theirs)


# ---------------------------------------------------------------- node-semver family
NODE_SCRIPT = r"""
const semver = require(process.argv[1]);
const mode = process.argv[2];
const lines = require('fs').readFileSync(0, 'utf8').split('\n');
const out = [];
for (const l of lines) {
  if (!l) continue;
  const [a, b] = l.split('\t');
  const opt = { loose: mode === 'loose' };
  let pa = null, pb = null;
  try { pa = new semver.SemVer(a, opt); } catch (e) {}
  try { pb = new semver.SemVer(b, opt); } catch (e) {}
  if (!pa || !pb) { out.push('E'); continue; }
  out.push(String(mode === 'build' ? pa.compare(pb) || pa.compareBuild(pb) : pa.compare(pb)));
}
process.stdout.write(out.join('\n') + '\n');
"""


def node_semver(cache):
    mod = os.path.join(cache, "node_modules", "semver")
    if not os.path.exists(os.path.join(mod, "package.json")):
        os.makedirs(cache, exist_ok=True)
        r = subprocess.run(["npm", "install", "--prefix", cache, "--no-audit", "--no-fund",
                            "--silent", "semver@7"], capture_output=True, text=True)
        if r.returncode or not os.path.exists(os.path.join(mod, "package.json")):
            print("node-semver: npm install semver failed:", r.stderr.strip()[:300])
            return None
    return mod


def run_node(mod, mode, pairs):
    data = "".join(f"{a}\t{b}\n" for a, b in pairs)
    out = subprocess.run(["node", "-e", NODE_SCRIPT, mod, mode], input=data, capture_output=True,
                         text=True, check=True).stdout.split("\n")
    return [None if o == "E" else sign(int(o)) for o in out if o != ""]


def all_osv_versions():
    vs = set()
    for f in glob.glob(os.path.join(VULNDATA, "*.osv.jsonl")):
        vs |= osv_versions(os.path.basename(f))
    return vs


def test_semver_like(driver, cache, scheme, mode, sources, mangle=None, ours_filter=None):
    mod = node_semver(cache)
    if not mod:
        return SKIP
    vs = set()
    for s in sources:
        vs |= osv_versions(s)
    pairs = make_pairs(vs, 20000)
    ours = run_driver(driver, scheme, pairs)
    npairs = [(mangle(a), mangle(b)) for a, b in pairs] if mangle else pairs
    theirs = run_node(mod, mode, npairs)
    if ours_filter:
        ours, theirs = ours_filter(pairs, ours, theirs)
    valid = sum(1 for t in theirs if t is not None)
    print(f"{scheme}: {valid} pairs where the reference accepts both versions")
    return report(scheme, pairs, ours, theirs)


def test_npm(driver, cache):
    # npm's own data plus every other ecosystem's strings, to exercise the loose parser.
    return test_semver_like(driver, cache, "npm", "loose",
                            ["npm.osv.jsonl", "crates.osv.jsonl", "go.osv.jsonl",
                             "pypi.osv.jsonl", "rubygems.osv.jsonl"])


def test_semver(driver, cache):
    return test_semver_like(driver, cache, "semver", "strict",
                            ["npm.osv.jsonl", "crates.osv.jsonl", "go.osv.jsonl",
                             "pypi.osv.jsonl", "rubygems.osv.jsonl"])


def test_cargo(driver, cache):
    # node-semver strict, minus what it accepts and the semver crate does not (a 'v' prefix,
    # white space); build metadata ordered by compareBuild, as the crate orders it.
    def mangle(v):
        return v if v[:1] not in ("v", " ", "\t") and v.strip() == v else "!" + v
    return test_semver_like(driver, cache, "cargo", "build",
                            ["crates.osv.jsonl", "npm.osv.jsonl", "go.osv.jsonl"], mangle)


def test_go(driver, cache):
    # x/mod/semver needs the 'v'; node-semver strict with one 'v' prefix agrees on full
    # MAJOR.MINOR.PATCH versions. Shorthands (v1, v1.2) are covered by the unit tests.
    def mangle(v):
        return "v" + v if v.count(".") >= 2 or "-" in v else "!" + v
    def only_full(pairs, ours, theirs):
        # drydock accepts shorthands node-semver does not know: count those as agreeing
        # when both sides parse as shorthands.
        o2 = [None if t is None else o for o, t in zip(ours, theirs)]
        return o2, theirs
    return test_semver_like(driver, cache, "go", "strict", ["go.osv.jsonl"], mangle, only_full)


# ---------------------------------------------------------------- PEP 440
def test_pep440(driver, cache):
    try:
        from packaging.version import Version, InvalidVersion
    except ImportError:
        print("pep440: python3-packaging missing")
        return SKIP
    vs = osv_versions("pypi.osv.jsonl") | osv_versions("rubygems.osv.jsonl") | \
        osv_versions("npm.osv.jsonl") | osv_versions("crates.osv.jsonl")
    pairs = make_pairs(vs, 20000)
    ours = run_driver(driver, "pep440", pairs)
    cache_v = {}

    def parse(v):
        if v not in cache_v:
            try:
                cache_v[v] = Version(v)
            except InvalidVersion:
                cache_v[v] = None
        return cache_v[v]
    theirs = []
    for a, b in pairs:
        x, y = parse(a), parse(b)
        theirs.append(None if x is None or y is None else (x > y) - (x < y))
    return report("pep440", pairs, ours, theirs)


# ---------------------------------------------------------------- Maven
def maven_jar():
    for p in ["/usr/share/maven/lib/maven-artifact-3.x.jar", "/usr/share/java/maven3-artifact.jar",
              *glob.glob("/usr/share/maven/lib/maven-artifact*.jar")]:
        if os.path.exists(p):
            return p
    return None


def test_maven(driver, cache):
    jar = maven_jar()
    if not jar or subprocess.run(["sh", "-c", "command -v java"], capture_output=True).returncode:
        print("maven: java or maven-artifact missing")
        return SKIP
    vs = all_osv_versions()
    vs = {v for v in vs if v.strip() == v and " " not in v and "==" not in v}
    rnd = random.Random(11)
    seq = sorted(vs)
    extra = list(vs)
    rnd.shuffle(extra)
    seq += extra[:12000]
    pairs = list(zip(seq, seq[1:]))
    ours = run_driver(driver, "maven", pairs)
    theirs = []
    chunk = 4000
    for i in range(0, len(seq), chunk):
        part = seq[i:i + chunk + 1]
        out = subprocess.run(["java", "-cp", jar,
                              "org.apache.maven.artifact.versioning.ComparableVersion", *part],
                             capture_output=True, text=True, check=True).stdout
        res = []
        for line in out.splitlines():
            if line.startswith("   "):
                body = line[3:]
                for op, val in ((" == ", 0), (" < ", -1), (" > ", 1)):
                    if op in body:
                        res.append(val)
                        break
        assert len(res) == len(part) - 1, (len(res), len(part))
        theirs += res
    return report("maven", pairs, ours, theirs)


# ---------------------------------------------------------------- RubyGems
RUBY_SCRIPT = r"""
STDIN.each_line do |l|
  a, b = l.chomp.split("\t", 2)
  begin
    x = Gem::Version.new(a); y = Gem::Version.new(b)
    puts(x <=> y)
  rescue ArgumentError
    puts "E"
  end
end
"""


def test_gem(driver, cache):
    if subprocess.run(["sh", "-c", "command -v ruby"], capture_output=True).returncode:
        print("gem: ruby missing")
        return SKIP
    vs = osv_versions("rubygems.osv.jsonl") | osv_versions("pypi.osv.jsonl") | \
        osv_versions("npm.osv.jsonl")
    pairs = make_pairs(vs, 20000)
    ours = run_driver(driver, "gem", pairs)
    data = "".join(f"{a}\t{b}\n" for a, b in pairs)
    out = subprocess.run(["ruby", "-e", RUBY_SCRIPT], input=data, capture_output=True, text=True,
                         check=True).stdout.split()
    theirs = [None if o == "E" else int(o) for o in out]
    return report("gem", pairs, ours, theirs)


# ---------------------------------------------------------------- Composer
PHP_SCRIPT = r"""
require '/usr/share/php/Composer/Semver/autoload.php';
use Composer\Semver\Comparator;
use Composer\Semver\VersionParser;
$p = new VersionParser();
$norm = function ($v) use ($p) {
    try { return $p->normalize($v); } catch (UnexpectedValueException $e) { return null; }
};
while (($l = fgets(STDIN)) !== false) {
    $l = substr($l, -1) === "\n" ? substr($l, 0, -1) : $l;
    [$a, $b] = explode("\t", $l, 2);
    $x = $norm($a); $y = $norm($b);
    if ($x === null || $y === null) { echo "E\n"; continue; }
    if (Comparator::equalTo($x, $y)) echo "0\n";
    elseif (Comparator::lessThan($x, $y)) echo "-1\n";
    elseif (Comparator::greaterThan($x, $y)) echo "1\n";
    else echo "U\n";  /* two different branches: Composer does not order them */
}
"""


def packagist_osv_versions():
    """Version strings of every Packagist entry in the OSV files (events and versions[])."""
    out = set()
    for path in glob.glob(os.path.join(VULNDATA, "*.osv.jsonl")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if '"Packagist"' not in line:
                    continue
                for aff in json.loads(line).get("affected", []):
                    if aff.get("package", {}).get("ecosystem") != "Packagist":
                        continue
                    out.update(aff.get("versions", []) or [])
                    for rng in aff.get("ranges", []) or []:
                        for ev in rng.get("events", []):
                            out.update(v for k, v in ev.items() if k != "introduced" or v)
    return out


def composer_lock_versions():
    """Installed versions and branch aliases from the composer.lock files in the tree."""
    out = set()
    for path in glob.glob(os.path.join(ROOT, "tests", "**", "composer.lock"), recursive=True):
        try:
            with open(path, encoding="utf-8") as f:
                lock = json.load(f)
        except (OSError, ValueError):
            continue
        for key in ("packages", "packages-dev"):
            for pkg in lock.get(key) or []:
                if isinstance(pkg.get("version"), str):
                    out.add(pkg["version"])
                alias = (pkg.get("extra") or {}).get("branch-alias") or {}
                out.update(v for v in alias.values() if isinstance(v, str))
    return out


def composer_variants(vs, n, seed=13):
    """The spellings Composer's parser has rules for, applied to real versions: a 'v' prefix,
    -dev and @flag suffixes, branch aliases, dev- branches, build metadata, aliases."""
    rnd = random.Random(seed)
    base = sorted(vs)
    out = set()
    for v in rnd.sample(base, min(n, len(base))):
        major = v.split(".")[0]
        out.update({"v" + v, "V" + v, v + "-dev", v + ".dev", v + "dev", v + "@dev",
                    v + "@beta", "dev-" + v, "DEV-" + v, major + ".x-dev", major + ".*-dev",
                    v + "+build.1", v + " as 1.0.0", v.upper(), " " + v + " ", v + "-",
                    v + ".", v + "_rc1", v + "-pl2", v + "-patch.3-dev", v + "-stable",
                    v + "-STABLE", v.replace(".", "-"), v.replace(".", ""), v + "-x"})
    return {x for x in out if len(x) <= 200}


def test_composer(driver, cache):
    if subprocess.run(["sh", "-c", "command -v php"], capture_output=True).returncode or \
            not os.path.exists("/usr/share/php/Composer/Semver/autoload.php"):
        print("composer: php-cli or php-composer-semver missing")
        return SKIP
    real = packagist_osv_versions() | composer_lock_versions()
    others = osv_versions("npm.osv.jsonl") | osv_versions("crates.osv.jsonl") | \
        osv_versions("go.osv.jsonl") | osv_versions("pypi.osv.jsonl") | \
        osv_versions("rubygems.osv.jsonl")
    dates = {v for v in deb_versions() if v[:4].isdigit()}
    vs = real | others | dates
    vs |= composer_variants(vs, 1500)
    vs |= {"master", "trunk", "default", "dev-master", "1.0.x-dev", "2024-01-01", "20240101",
           "2024.01.01.01.01", "1.0 as 2.0", "1.0@dev", "1.0.0-beta.1-2"}
    vs = {v for v in vs if "\t" not in v and "\n" not in v}
    pairs = make_pairs(vs, 20000)
    ours = run_driver(driver, "composer", pairs)
    data = "".join(f"{a}\t{b}\n" for a, b in pairs)
    out = subprocess.run(["php", "-d", "error_reporting=E_ALL", "-r", PHP_SCRIPT], input=data,
                         capture_output=True, text=True, check=True).stdout.split()
    assert len(out) == len(pairs), (len(out), len(pairs))
    # Two distinct branch names: Composer orders neither way; drydock must not call them equal.
    theirs = [None if o == "E" else (ours[i] if o == "U" and ours[i] in (-1, 1) else
                                     "unordered" if o == "U" else int(o))
              for i, o in enumerate(out)]
    valid = sum(1 for t in theirs if t is not None)
    print(f"composer: {len(real)} versions from Packagist records and composer.lock files, "
          f"{len(vs)} in all; {valid} pairs where Composer accepts both")
    return report("composer", pairs, ours, theirs)


TESTS = {"deb": test_deb, "apk": test_apk, "rpm": test_rpm, "npm": test_npm,
         "semver": test_semver, "cargo": test_cargo, "go": test_go, "pep440": test_pep440,
         "maven": test_maven, "gem": test_gem, "composer": test_composer}

if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in TESTS:
        print(__doc__)
        sys.exit(2)
    sys.exit(TESTS[sys.argv[1]](sys.argv[2], sys.argv[3]))
