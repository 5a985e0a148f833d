/* CVSS v3.0 and v3.1 base scores: the formulas of the specification documents (v3.1 section
 * 7.1 and Appendix A, v3.0 section 8.1), evaluated in the same order as FIRST's calculators. */
#include "cvss/cvss_int.h"

#include <math.h>
#include <string.h>

enum { AV, AC, PR, UI, S, C, I, A, N_METRICS = 22 };

/* Base metrics first, in the order of the enum above; every other metric is validated only. */
static const dd_cvss__metric metrics[N_METRICS] = {
    {"AV", {"N", "A", "L", "P"}, true},
    {"AC", {"L", "H"}, true},
    {"PR", {"N", "L", "H"}, true},
    {"UI", {"N", "R"}, true},
    {"S", {"U", "C"}, true},
    {"C", {"H", "L", "N"}, true},
    {"I", {"H", "L", "N"}, true},
    {"A", {"H", "L", "N"}, true},
    /* temporal */
    {"E", {"X", "H", "F", "P", "U"}, false},
    {"RL", {"X", "U", "W", "T", "O"}, false},
    {"RC", {"X", "C", "R", "U"}, false},
    /* environmental */
    {"CR", {"X", "H", "M", "L"}, false},
    {"IR", {"X", "H", "M", "L"}, false},
    {"AR", {"X", "H", "M", "L"}, false},
    {"MAV", {"X", "N", "A", "L", "P"}, false},
    {"MAC", {"X", "L", "H"}, false},
    {"MPR", {"X", "N", "L", "H"}, false},
    {"MUI", {"X", "N", "R"}, false},
    {"MS", {"X", "U", "C"}, false},
    {"MC", {"X", "H", "L", "N"}, false},
    {"MI", {"X", "H", "L", "N"}, false},
    {"MA", {"X", "H", "L", "N"}, false},
};

/* Weights by value index in the table above (specification section 7.4). */
static const double w_av[] = {0.85, 0.62, 0.55, 0.2};
static const double w_ac[] = {0.77, 0.44};
static const double w_pr_unchanged[] = {0.85, 0.62, 0.27};
static const double w_pr_changed[] = {0.85, 0.68, 0.5};
static const double w_ui[] = {0.85, 0.62};
static const double w_cia[] = {0.56, 0.22, 0};

/* v3.1 Appendix A: round to an integer number of 1e-5 first, then up to one decimal. */
double dd_cvss__roundup_v31(double x)
{
    long long i = llround(x * 100000.0);

    if (i % 10000 == 0)
        return (double)i / 100000.0;
    return (double)(i / 10000 + 1) / 10.0;
}

/* v3.0 section 8.1 and its calculator (Math.ceil(x * 10) / 10): floating-point error included,
 * which is what v3.1's Roundup was introduced to correct. On all 2592 base vectors the two rules
 * agree (the unit test checks it); they part on temporal and environmental scores. */
double dd_cvss__roundup_v30(double x)
{
    return ceil(x * 10.0) / 10.0;
}

int dd_cvss3_base_score(const char *vector, double *out)
{
    int v[N_METRICS], rc;
    size_t len;
    bool v30, changed;
    double iss, impact, exploitability, score;

    if ((rc = dd_cvss__check_len(vector, &len)) != DD_OK)
        return rc;
    if (len < 9 || (memcmp(vector, "CVSS:3.0/", 9) != 0 && memcmp(vector, "CVSS:3.1/", 9) != 0))
        return dd_cvss__fail(DD_EINVALID, vector, len,
                             "wrong prefix: expected 'CVSS:3.0/' or 'CVSS:3.1/'");
    v30 = vector[7] == '0';
    if ((rc = dd_cvss__parse(vector, len, 9, metrics, N_METRICS, v)) != DD_OK)
        return rc;

    changed = v[S] == 1;
    iss = 1 - ((1 - w_cia[v[C]]) * (1 - w_cia[v[I]]) * (1 - w_cia[v[A]]));
    if (changed)
        impact = 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15);
    else
        impact = 6.42 * iss;
    exploitability = 8.22 * w_av[v[AV]] * w_ac[v[AC]] *
                     (changed ? w_pr_changed : w_pr_unchanged)[v[PR]] * w_ui[v[UI]];
    if (impact <= 0) {
        score = 0;
    } else {
        double raw = changed ? 1.08 * (impact + exploitability) : impact + exploitability;
        if (raw > 10)
            raw = 10;
        score = v30 ? dd_cvss__roundup_v30(raw) : dd_cvss__roundup_v31(raw);
    }
    *out = score;
    return DD_OK;
}
