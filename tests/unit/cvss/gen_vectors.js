#!/usr/bin/env node
// Writes vectors_v3.txt and vectors_v4.txt ("VECTOR SCORE" lines) for test_cvss.c: CVSS vectors
// scored by independent JavaScript implementations from the npm registry, so the C scorers are
// checked against them. Deterministic: a fixed seed, so a rerun rewrites the same files.
//
//   npm install --prefix DIR ae-cvss-calculator@1.0.13 @turingpointde/cvss.js@2.1.0 cvss@1.0.5
//   node tests/unit/cvss/gen_vectors.js DIR/node_modules tests/unit/cvss
//
// References, each checked first against every example of examples.txt:
//   v3.1  ae-cvss-calculator (Cvss3P1): Roundup of the v3.1 specification, Appendix A.
//   v3.0  @turingpointde/cvss.js: the plain round-up to one decimal of the v3.0 calculator.
//   v4.0  ae-cvss-calculator (Cvss4P0): FIRST's algorithm with the reference calculator's
//         round-half-up (epsilon lift; RedHatProductSecurity/cvss-v4-calculator issue 66).
// The other libraries score the same vectors as a cross-check; their agreement is printed and
// recorded in the files' headers.
'use strict';

const fs = require('fs');
const path = require('path');

if (process.argv.length !== 4) {
    console.error('usage: gen_vectors.js NODE_MODULES_DIR OUT_DIR');
    process.exit(2);
}
const modules = path.resolve(process.argv[2]);
const outDir = process.argv[3];
const load = (name) => require(path.join(modules, name));
const ae = load('ae-cvss-calculator');
const tp = load('@turingpointde/cvss.js');
const cvssLib = load('cvss');
const version = (name) =>
    JSON.parse(fs.readFileSync(path.join(modules, name, 'package.json'), 'utf8')).version;

// mulberry32: a small seeded generator, so the output does not depend on Math.random.
let seed = 0x5eed2024;
function rand() {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rand() * a.length)];
function shuffle(a) {
    for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
}

const V3_BASE = [['AV', 'NALP'], ['AC', 'LH'], ['PR', 'NLH'], ['UI', 'NR'], ['S', 'UC'],
                 ['C', 'HLN'], ['I', 'HLN'], ['A', 'HLN']];
const V3_OPTIONAL = [['E', 'XHFPU'], ['RL', 'XUWTO'], ['RC', 'XCRU'], ['CR', 'XHML'],
                     ['IR', 'XHML'], ['AR', 'XHML'], ['MAV', 'XNALP'], ['MAC', 'XLH'],
                     ['MPR', 'XNLH'], ['MUI', 'XNR'], ['MS', 'XUC'], ['MC', 'XHLN'],
                     ['MI', 'XHLN'], ['MA', 'XHLN']];
const V4_BASE = [['AV', 'NALP'], ['AC', 'LH'], ['AT', 'NP'], ['PR', 'NLH'], ['UI', 'NPA'],
                 ['VC', 'HLN'], ['VI', 'HLN'], ['VA', 'HLN'], ['SC', 'HLN'], ['SI', 'HLN'],
                 ['SA', 'HLN']];
const V4_THREAT = [['E', 'XAPU']];
const V4_ENV = [['CR', 'XHML'], ['IR', 'XHML'], ['AR', 'XHML'], ['MAV', 'XNALP'], ['MAC', 'XLH'],
                ['MAT', 'XNP'], ['MPR', 'XNLH'], ['MUI', 'XNPA'], ['MVC', 'XHLN'],
                ['MVI', 'XHLN'], ['MVA', 'XHLN'], ['MSC', 'XHLN'], ['MSI', 'XSHLN'],
                ['MSA', 'XSHLN']];
const V4_SUPPLEMENTAL = [['S', ['X', 'N', 'P']], ['AU', ['X', 'N', 'Y']], ['R', ['X', 'A', 'U', 'I']],
                         ['V', ['X', 'D', 'C']], ['RE', ['X', 'L', 'M', 'H']],
                         ['U', ['X', 'Clear', 'Green', 'Amber', 'Red']]];

function* allBase(metrics, prefix = []) {
    if (prefix.length === metrics.length) {
        yield prefix;
        return;
    }
    const [name, values] = metrics[prefix.length];
    for (const v of values)
        yield* allBase(metrics, prefix.concat(`${name}:${v}`));
}

const randomPart = (metrics) => metrics.map(([name, values]) => `${name}:${pick([...values])}`);
const somePart = (metrics, p) => randomPart(metrics).filter(() => rand() < p);
function vector(prefix, parts) {
    if (rand() < 0.5)
        shuffle(parts);
    return `${prefix}/${parts.join('/')}`;
}

const fmt = (x) => (typeof x === 'number' && isFinite(x) ? x.toFixed(1) : 'ERR');
function score(fn) {
    try {
        return fmt(fn());
    } catch (e) {
        return 'ERR';
    }
}
const ref = {
    '3.1': (v) => score(() => new ae.Cvss3P1(v).calculateScores().base),
    '3.0': (v) => score(() => tp.CVSS(v).getScore()),
    '4.0': (v) => score(() => new ae.Cvss4P0(v).calculateScores().overall),
};
const cross = {
    '3.1': { 'turingpointde': (v) => score(() => tp.CVSS(v).getScore()) },
    '3.0': { 'ae-cvss-calculator': (v) => score(() => new ae.Cvss3P0(v).calculateScores().base),
             'cvss': (v) => score(() => cvssLib.getBaseScore(v)) },
    '4.0': { 'turingpointde': (v) => score(() => tp.CVSS(v).getScore()) },
};

// Every example must come out of the reference exactly as FIRST publishes it.
const examples = fs.readFileSync(path.join(__dirname, 'examples.txt'), 'utf8').split('\n')
    .filter((l) => l.startsWith('CVSS:'))
    .map((l) => l.split(/\s+/));
for (const [v, want] of examples) {
    const got = ref[v.slice(5, 8)](v);
    if (got !== Number(want).toFixed(1)) {
        console.error(`reference disagrees with example ${v}: ${got}, published ${want}`);
        process.exit(1);
    }
}
console.error(`${examples.length} examples reproduced by the references`);

function write(file, header, vectors) {
    const stats = {};
    const lines = [];
    for (const v of vectors) {
        const ver = v.slice(5, 8);
        const s = ref[ver](v);
        if (s === 'ERR') {
            console.error(`reference rejects ${v}`);
            process.exit(1);
        }
        lines.push(`${v} ${s}`);
        for (const [name, fn] of Object.entries(cross[ver])) {
            const key = `CVSS ${ver} vs ${name}`;
            stats[key] = stats[key] || { n: 0, same: 0 };
            stats[key].n++;
            if (fn(v) === s)
                stats[key].same++;
        }
    }
    const agreement = Object.entries(stats).map(
        ([k, { n, same }]) => `# cross-check ${k}: ${same}/${n} identical`);
    agreement.forEach((l) => console.error(`${file}: ${l.slice(2)}`));
    fs.writeFileSync(path.join(outDir, file),
                     header.concat(agreement).join('\n') + '\n' + lines.join('\n') + '\n');
    console.error(`${file}: ${lines.length} vectors`);
}

const libs = `ae-cvss-calculator ${version('ae-cvss-calculator')}, @turingpointde/cvss.js ` +
             `${version('@turingpointde/cvss.js')}, cvss ${version('cvss')}`;

// v3: every base vector of both versions, then vectors with temporal and environmental metrics
// (in random order, X included), whose base score must not change.
{
    const vectors = [];
    for (const ver of ['3.0', '3.1']) {
        for (const parts of allBase(V3_BASE))
            vectors.push(`CVSS:${ver}/${parts.join('/')}`);
        for (let i = 0; i < 750; i++)
            vectors.push(vector(`CVSS:${ver}`, randomPart(V3_BASE).concat(somePart(V3_OPTIONAL, 0.5))));
    }
    write('vectors_v3.txt', [
        '# Generated by gen_vectors.js; do not edit. "VECTOR SCORE": CVSS v3.0/v3.1 base scores.',
        `# References: v3.1 ae-cvss-calculator, v3.0 @turingpointde/cvss.js (${libs}).`,
        '# All 2592 base vectors of each version, then 750 each with temporal/environmental metrics.',
    ], vectors);
}

// v4: random base vectors, then with threat, environmental and supplemental metrics, and the
// exact x.x5 ties (found where a library without the reference's epsilon lift rounds down).
{
    const vectors = [];
    for (let i = 0; i < 1000; i++)
        vectors.push(vector('CVSS:4.0', randomPart(V4_BASE)));
    for (let i = 0; i < 500; i++)
        vectors.push(vector('CVSS:4.0', randomPart(V4_BASE).concat(randomPart(V4_THREAT))));
    for (let i = 0; i < 1000; i++)
        vectors.push(vector('CVSS:4.0', randomPart(V4_BASE).concat(somePart(V4_ENV, 0.5))));
    for (let i = 0; i < 1000; i++)
        vectors.push(vector('CVSS:4.0', randomPart(V4_BASE).concat(
            somePart(V4_THREAT, 0.7), somePart(V4_ENV, 0.5), somePart(V4_SUPPLEMENTAL, 0.5))));
    let ties = 0;
    for (let i = 0; i < 40000 && ties < 300; i++) {
        const v = `CVSS:4.0/${randomPart(V4_BASE).join('/')}`;
        if (ref['4.0'](v) !== cross['4.0'].turingpointde(v)) {
            vectors.push(v);
            ties++;
        }
    }
    write('vectors_v4.txt', [
        '# Generated by gen_vectors.js; do not edit. "VECTOR SCORE": CVSS v4.0 scores of the',
        `# whole vector. Reference: ae-cvss-calculator (${libs}).`,
        '# 1000 base, 500 base+threat, 1000 base+environmental, 1000 with all groups (X',
        `# included, random order), then ${ties} base vectors where turingpointde differs from the`,
        '# reference: exact x.x5 ties that its floating point rounds down.',
    ], vectors);
}
