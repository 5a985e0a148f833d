/* CVSS v4.0 scores: the macrovector lookup and interpolation of the specification's section 8,
 * as FIRST's reference calculator computes them, in exact integer arithmetic. */
#include "cvss/cvss_int.h"

#include <stdint.h>
#include <string.h>

/* The first 15 metrics are the ones the score reads, in this order; the modified base metrics
 * follow at MOD + i for base metric i, then the supplemental metrics, validated only. */
enum { AV, AC, AT, PR, UI, VC, VI, VA, SC, SI, SA, E, CR, IR, AR, MOD, N_METRICS = 32 };
#define N_BASE 11

static const dd_cvss__metric metrics[N_METRICS] = {
    {"AV", {"N", "A", "L", "P"}, true},
    {"AC", {"L", "H"}, true},
    {"AT", {"N", "P"}, true},
    {"PR", {"N", "L", "H"}, true},
    {"UI", {"N", "P", "A"}, true},
    {"VC", {"H", "L", "N"}, true},
    {"VI", {"H", "L", "N"}, true},
    {"VA", {"H", "L", "N"}, true},
    {"SC", {"H", "L", "N"}, true},
    {"SI", {"H", "L", "N"}, true},
    {"SA", {"H", "L", "N"}, true},
    /* threat */
    {"E", {"X", "A", "P", "U"}, false},
    /* environmental: security requirements, then modified base metrics in base order */
    {"CR", {"X", "H", "M", "L"}, false},
    {"IR", {"X", "H", "M", "L"}, false},
    {"AR", {"X", "H", "M", "L"}, false},
    {"MAV", {"X", "N", "A", "L", "P"}, false},
    {"MAC", {"X", "L", "H"}, false},
    {"MAT", {"X", "N", "P"}, false},
    {"MPR", {"X", "N", "L", "H"}, false},
    {"MUI", {"X", "N", "P", "A"}, false},
    {"MVC", {"X", "H", "L", "N"}, false},
    {"MVI", {"X", "H", "L", "N"}, false},
    {"MVA", {"X", "H", "L", "N"}, false},
    {"MSC", {"X", "H", "L", "N"}, false},
    {"MSI", {"X", "S", "H", "L", "N"}, false},
    {"MSA", {"X", "S", "H", "L", "N"}, false},
    /* supplemental: no effect on the score */
    {"S", {"X", "N", "P"}, false},
    {"AU", {"X", "N", "Y"}, false},
    {"R", {"X", "A", "U", "I"}, false},
    {"V", {"X", "D", "C"}, false},
    {"RE", {"X", "L", "M", "H"}, false},
    {"U", {"X", "Clear", "Green", "Amber", "Red"}, false},
};

/* Scores of the 270 macrovectors "EQ1 EQ2 EQ3 EQ4 EQ5 EQ6", in tenths: the table FIRST publishes
 * with the specification (cvss_lookup.js of the reference calculator), sorted by key. */
static const struct {
    char mv[7];
    uint8_t tenths;
} lookup_table[270] = {
    {"000000", 100}, {"000001", 99}, {"000010", 98}, {"000011", 95}, {"000020", 95}, {"000021", 92},
    {"000100", 100}, {"000101", 96}, {"000110", 93}, {"000111", 87}, {"000120", 91}, {"000121", 81},
    {"000200", 93},  {"000201", 90}, {"000210", 89}, {"000211", 80}, {"000220", 81}, {"000221", 68},
    {"001000", 98},  {"001001", 95}, {"001010", 95}, {"001011", 92}, {"001020", 90}, {"001021", 84},
    {"001100", 93},  {"001101", 92}, {"001110", 89}, {"001111", 81}, {"001120", 81}, {"001121", 65},
    {"001200", 88},  {"001201", 80}, {"001210", 78}, {"001211", 70}, {"001220", 69}, {"001221", 48},
    {"002001", 92},  {"002011", 82}, {"002021", 72}, {"002101", 79}, {"002111", 69}, {"002121", 50},
    {"002201", 69},  {"002211", 55}, {"002221", 27}, {"010000", 99}, {"010001", 97}, {"010010", 95},
    {"010011", 92},  {"010020", 92}, {"010021", 85}, {"010100", 95}, {"010101", 91}, {"010110", 90},
    {"010111", 83},  {"010120", 84}, {"010121", 71}, {"010200", 92}, {"010201", 81}, {"010210", 82},
    {"010211", 71},  {"010220", 72}, {"010221", 53}, {"011000", 95}, {"011001", 93}, {"011010", 92},
    {"011011", 85},  {"011020", 85}, {"011021", 73}, {"011100", 92}, {"011101", 82}, {"011110", 80},
    {"011111", 72},  {"011120", 70}, {"011121", 59}, {"011200", 84}, {"011201", 70}, {"011210", 71},
    {"011211", 52},  {"011220", 50}, {"011221", 30}, {"012001", 86}, {"012011", 75}, {"012021", 52},
    {"012101", 71},  {"012111", 52}, {"012121", 29}, {"012201", 63}, {"012211", 29}, {"012221", 17},
    {"100000", 98},  {"100001", 95}, {"100010", 94}, {"100011", 87}, {"100020", 91}, {"100021", 81},
    {"100100", 94},  {"100101", 89}, {"100110", 86}, {"100111", 74}, {"100120", 77}, {"100121", 64},
    {"100200", 87},  {"100201", 75}, {"100210", 74}, {"100211", 63}, {"100220", 63}, {"100221", 49},
    {"101000", 94},  {"101001", 89}, {"101010", 88}, {"101011", 77}, {"101020", 76}, {"101021", 67},
    {"101100", 86},  {"101101", 76}, {"101110", 74}, {"101111", 58}, {"101120", 59}, {"101121", 50},
    {"101200", 72},  {"101201", 57}, {"101210", 57}, {"101211", 52}, {"101220", 52}, {"101221", 25},
    {"102001", 83},  {"102011", 70}, {"102021", 54}, {"102101", 65}, {"102111", 58}, {"102121", 26},
    {"102201", 53},  {"102211", 21}, {"102221", 13}, {"110000", 95}, {"110001", 90}, {"110010", 88},
    {"110011", 76},  {"110020", 76}, {"110021", 70}, {"110100", 90}, {"110101", 77}, {"110110", 75},
    {"110111", 62},  {"110120", 61}, {"110121", 53}, {"110200", 77}, {"110201", 66}, {"110210", 68},
    {"110211", 59},  {"110220", 52}, {"110221", 30}, {"111000", 89}, {"111001", 78}, {"111010", 76},
    {"111011", 67},  {"111020", 62}, {"111021", 58}, {"111100", 74}, {"111101", 59}, {"111110", 57},
    {"111111", 57},  {"111120", 47}, {"111121", 23}, {"111200", 61}, {"111201", 52}, {"111210", 57},
    {"111211", 29},  {"111220", 24}, {"111221", 16}, {"112001", 71}, {"112011", 59}, {"112021", 30},
    {"112101", 58},  {"112111", 26}, {"112121", 15}, {"112201", 23}, {"112211", 13}, {"112221", 6},
    {"200000", 93},  {"200001", 87}, {"200010", 86}, {"200011", 72}, {"200020", 75}, {"200021", 58},
    {"200100", 86},  {"200101", 74}, {"200110", 74}, {"200111", 61}, {"200120", 56}, {"200121", 34},
    {"200200", 70},  {"200201", 54}, {"200210", 52}, {"200211", 40}, {"200220", 40}, {"200221", 22},
    {"201000", 85},  {"201001", 75}, {"201010", 74}, {"201011", 55}, {"201020", 62}, {"201021", 51},
    {"201100", 72},  {"201101", 57}, {"201110", 55}, {"201111", 41}, {"201120", 46}, {"201121", 19},
    {"201200", 53},  {"201201", 36}, {"201210", 34}, {"201211", 19}, {"201220", 19}, {"201221", 8},
    {"202001", 64},  {"202011", 51}, {"202021", 20}, {"202101", 47}, {"202111", 21}, {"202121", 11},
    {"202201", 24},  {"202211", 9},  {"202221", 4},  {"210000", 88}, {"210001", 75}, {"210010", 73},
    {"210011", 53},  {"210020", 60}, {"210021", 50}, {"210100", 73}, {"210101", 55}, {"210110", 59},
    {"210111", 40},  {"210120", 41}, {"210121", 20}, {"210200", 54}, {"210201", 43}, {"210210", 45},
    {"210211", 22},  {"210220", 20}, {"210221", 11}, {"211000", 75}, {"211001", 55}, {"211010", 58},
    {"211011", 45},  {"211020", 40}, {"211021", 21}, {"211100", 61}, {"211101", 51}, {"211110", 48},
    {"211111", 18},  {"211120", 20}, {"211121", 9},  {"211200", 46}, {"211201", 18}, {"211210", 17},
    {"211211", 7},   {"211220", 8},  {"211221", 2},  {"212001", 53}, {"212011", 24}, {"212021", 14},
    {"212101", 24},  {"212111", 12}, {"212121", 5},  {"212201", 10}, {"212211", 3},  {"212221", 1},
};

/* Score of macrovector (e[0..5]) in tenths, or -1 when there is no such macrovector (an EQ
 * past its last level, or EQ3 = 2 with EQ6 = 0). */
static int lookup(const int e[6])
{
    char key[6];
    size_t lo = 0, hi = sizeof(lookup_table) / sizeof(lookup_table[0]);

    for (int i = 0; i < 6; i++) {
        if (e[i] < 0 || e[i] > 9)
            return -1;
        key[i] = (char)('0' + e[i]);
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(key, lookup_table[mid].mv, 6);
        if (c == 0)
            return lookup_table[mid].tenths;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

/* Severity order of each scored metric's values, most severe first: a value's level is its
 * position here (the reference calculator's levels in steps of 0.1, times ten). The subsequent
 * system metrics share "SHLN", so SC:H is one step below the SI:S/SA:S of MSI/MSA. */
static const char *const levels[AR + 1] = {
    [AV] = "NALP", [AC] = "LH",  [AT] = "NP",  [PR] = "NLH",  [UI] = "NPA",
    [VC] = "HLN",  [VI] = "HLN", [VA] = "HLN", [SC] = "SHLN", [SI] = "SHLN",
    [SA] = "SHLN", [E] = "APU",  [CR] = "HML", [IR] = "HML",  [AR] = "HML",
};

static int level(int metric, char value)
{
    const char *p = strchr(levels[metric], value);
    return p ? (int)(p - levels[metric]) : 0;
}

/* The highest-severity vectors of each EQ's levels (the reference calculator's max_composed),
 * as values of the EQ's metrics in the order given. Tried in this order; the first whose every
 * metric is at least as severe as the scored vector's is the one distances are measured from. */
static const int eq1_metrics[] = {AV, PR, UI};
static const char *const eq1_max[3][4] = {
    {"NNN"},
    {"ANN", "NLN", "NNP"},
    {"PNN", "ALP"},
};
static const int eq2_metrics[] = {AC, AT};
static const char *const eq2_max[2][3] = {
    {"LN"},
    {"HN", "LP"},
};
static const int eq36_metrics[] = {VC, VI, VA, CR, IR, AR};
static const char *const eq36_max[3][2][6] = {
    {{"HHHHHH"}, {"HHLMMH", "HHHMMM"}},
    {{"LHHHHH", "HLHHHH"}, {"LHLHMH", "LHHHMM", "HLHMHM", "HLLMHH", "LLHHHM"}},
    {{NULL}, {"LLLHHH"}},
};
static const int eq4_metrics[] = {SC, SI, SA};
static const char *const eq4_max[3][2] = {{"HSS"}, {"HHH"}, {"LLL"}};

/* Depth of each EQ level: its largest severity distance plus one (the reference's
 * max_severity). EQ5 has one metric, so its distance is always 0. */
static const int eq1_depth[3] = {1, 4, 5};
static const int eq2_depth[2] = {1, 2};
static const int eq36_depth[3][2] = {{7, 6}, {8, 8}, {0, 10}};
static const int eq4_depth[3] = {6, 5, 4};

/* Sum over an EQ's metrics of (scored level - max vector level); *neg is set when any single
 * metric of the scored vector is more severe than the max vector's. */
static int distance(const char *eff, const int *m, size_t n, const char *max, bool *neg)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int d = level(m[i], eff[m[i]]) - level(m[i], max[i]);
        if (d < 0)
            *neg = true;
        sum += d;
    }
    return sum;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The score in tenths of a vector whose effective metric values are eff[AV..AR]. */
static int score_tenths(const char *eff)
{
    int eq[6], value, lower[5], depth[5], dist[5] = {0}, n_lower = 0;
    /* depths divide 840, so every proportion is an integer over 840 * n_lower: exact */
    const int64_t unit = 840;
    int64_t num = 0, den, s;

    {
        static const int impact[] = {VC, VI, VA, SC, SI, SA};
        bool all_none = true;
        for (size_t i = 0; i < NELEM(impact); i++)
            if (eff[impact[i]] != 'N')
                all_none = false;
        if (all_none)
            return 0;
    }

    /* EQ1..EQ6 (specification table 24) */
    if (eff[AV] == 'N' && eff[PR] == 'N' && eff[UI] == 'N')
        eq[0] = 0;
    else if ((eff[AV] == 'N' || eff[PR] == 'N' || eff[UI] == 'N') && eff[AV] != 'P')
        eq[0] = 1;
    else
        eq[0] = 2;
    eq[1] = eff[AC] == 'L' && eff[AT] == 'N' ? 0 : 1;
    if (eff[VC] == 'H' && eff[VI] == 'H')
        eq[2] = 0;
    else if (eff[VC] == 'H' || eff[VI] == 'H' || eff[VA] == 'H')
        eq[2] = 1;
    else
        eq[2] = 2;
    if (eff[SI] == 'S' || eff[SA] == 'S')
        eq[3] = 0;
    else if (eff[SC] == 'H' || eff[SI] == 'H' || eff[SA] == 'H')
        eq[3] = 1;
    else
        eq[3] = 2;
    eq[4] = eff[E] == 'A' ? 0 : eff[E] == 'P' ? 1 : 2;
    eq[5] = (eff[CR] == 'H' && eff[VC] == 'H') || (eff[IR] == 'H' && eff[VI] == 'H') ||
                    (eff[AR] == 'H' && eff[VA] == 'H')
                ? 0
                : 1;
    value = lookup(eq);

    /* The score of the next lower macrovector along each EQ (-1 when there is none). EQ3 and
     * EQ6 move together: 00 goes to the higher of 01 and 10, 01 and 10 go to 11, 11 to 21. */
    for (int i = 0; i < 5; i++) {
        int next[6];
        memcpy(next, eq, sizeof(next));
        if (i < 2) {
            next[i]++;
        } else if (i == 2) {
            if (eq[2] == 0 && eq[5] == 0) {
                int l, r;
                next[5]++;
                l = lookup(next);
                next[5]--;
                next[2]++;
                r = lookup(next);
                lower[i] = l > r ? l : r;
                continue;
            }
            if (eq[2] == 1 && eq[5] == 0)
                next[5]++;
            else
                next[2]++;
        } else {
            next[i]++;
        }
        lower[i] = lookup(next);
    }

    /* Severity distances from the first max vector (over all combinations of the EQs' max
     * vectors, in the reference's order) that is at least as severe in every metric; if none
     * is, the reference keeps the distances of the last one tried, and so does this. */
    {
        const char *const *m1 = eq1_max[eq[0]], *const *m2 = eq2_max[eq[1]];
        const char *const *m36 = eq36_max[eq[2]][eq[5]], *const *m4 = eq4_max[eq[3]];
        bool found = false;

        for (size_t a = 0; a < 4 && m1[a] && !found; a++)
            for (size_t b = 0; b < 3 && m2[b] && !found; b++)
                for (size_t c = 0; c < 6 && m36[c] && !found; c++)
                    for (size_t d = 0; d < 2 && m4[d] && !found; d++) {
                        bool neg = false;
                        dist[0] = distance(eff, eq1_metrics, NELEM(eq1_metrics), m1[a], &neg);
                        dist[1] = distance(eff, eq2_metrics, NELEM(eq2_metrics), m2[b], &neg);
                        dist[2] = distance(eff, eq36_metrics, NELEM(eq36_metrics), m36[c], &neg);
                        dist[3] = distance(eff, eq4_metrics, NELEM(eq4_metrics), m4[d], &neg);
                        dist[4] = 0;
                        found = !neg;
                    }
    }
    depth[0] = eq1_depth[eq[0]];
    depth[1] = eq2_depth[eq[1]];
    depth[2] = eq36_depth[eq[2]][eq[5]];
    depth[3] = eq4_depth[eq[3]];
    depth[4] = 1;

    /* score = value - mean over the EQs with a lower macrovector of
     *         (value - lower) * distance / depth,
     * kept as the integer s / den, then clamped to 0..10 and rounded half up. */
    for (int i = 0; i < 5; i++) {
        if (lower[i] < 0)
            continue;
        n_lower++;
        num += (int64_t)(value - lower[i]) * dist[i] * (unit / depth[i]);
    }
    if (n_lower == 0)
        return value;
    den = unit * n_lower;
    s = (int64_t)value * den - num;
    if (s < 0)
        s = 0;
    if (s > 100 * den)
        s = 100 * den;
    return (int)((2 * s + den) / (2 * den));
}

int dd_cvss4_score(const char *vector, double *out)
{
    int v[N_METRICS], rc;
    char eff[AR + 1];
    size_t len;

    if ((rc = dd_cvss__check_len(vector, &len)) != DD_OK)
        return rc;
    if (len < 9 || memcmp(vector, "CVSS:4.0/", 9) != 0)
        return dd_cvss__fail(DD_EINVALID, vector, len, "wrong prefix: expected 'CVSS:4.0/'");
    if ((rc = dd_cvss__parse(vector, len, 9, metrics, N_METRICS, v)) != DD_OK)
        return rc;

    /* Effective values: a defined modified metric replaces its base metric; undefined E reads
     * as A (Attacked) and undefined CR/IR/AR as H, the worst cases, as the specification says. */
    for (int i = 0; i < N_BASE; i++)
        eff[i] = v[MOD + i] ? metrics[MOD + i].values[v[MOD + i]][0] : metrics[i].values[v[i]][0];
    eff[E] = v[E] ? metrics[E].values[v[E]][0] : 'A';
    for (int i = CR; i <= AR; i++)
        eff[i] = v[i] ? metrics[i].values[v[i]][0] : 'H';

    *out = score_tenths(eff) / 10.0;
    return DD_OK;
}
