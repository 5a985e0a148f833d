/* Unit tests for lib/cvss: FIRST's published examples, every vector of vectors_v3.txt and
 * vectors_v4.txt (scored by independent npm implementations, see gen_vectors.js), the rounding
 * rules, malformed vectors, and every CVSS vector in the OSV data under ../shared/vulndata. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <drydock/cvss.h>

#include "cvss/cvss_int.h"

/* Scores compare in tenths: every score is a multiple of 0.1. */
static int tenths(double score)
{
    return (int)lround(score * 10.0);
}

/* Checks one vector against its expected score through the dispatcher and the versioned entry
 * point; reports the failure with the vector. Returns 1 when it agrees. */
static int check_score(const char *vector, double want, const char *where)
{
    double got = -1, got2 = -1;
    int version = 0, rc;

    rc = dd_cvss_score(vector, &got, &version);
    if (rc != DD_OK) {
        print_error("%s: %s: %s\n", where, vector, dd_error_message());
        return 0;
    }
    rc =
        version == DD_CVSS_V40 ? dd_cvss4_score(vector, &got2) : dd_cvss3_base_score(vector, &got2);
    if (rc != DD_OK || tenths(got) != tenths(got2)) {
        print_error("%s: %s: entry points disagree\n", where, vector);
        return 0;
    }
    if (tenths(got) != tenths(want)) {
        print_error("%s: %s: got %.1f, want %.1f\n", where, vector, got, want);
        return 0;
    }
    return 1;
}

static char *source_path(const char *rel)
{
    const char *data = getenv("DD_TEST_DATA");
    size_t n;
    char *p;

    if (!data)
        fail_msg("DD_TEST_DATA is not set");
    n = strlen(data) + strlen(rel) + 2;
    p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", data, rel);
    return p;
}

/* Reads "VECTOR SCORE ..." lines ('#' comments and blank lines skipped) and checks each one.
 * Returns the number of vectors; *agree gets how many scored as expected. */
static size_t check_file(const char *rel, size_t *agree)
{
    char *path = source_path(rel), line[1024];
    FILE *f = fopen(path, "r");
    size_t n = 0, lineno = 0;

    if (!f)
        fail_msg("%s: cannot open", path);
    *agree = 0;
    while (fgets(line, sizeof(line), f)) {
        char vector[512], where[64];
        double want;

        lineno++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "%511s %lf", vector, &want) != 2)
            fail_msg("%s:%zu: not 'VECTOR SCORE'", path, lineno);
        snprintf(where, sizeof(where), "%s:%zu", rel, lineno);
        n++;
        *agree += (size_t)check_score(vector, want, where);
    }
    fclose(f);
    free(path);
    return n;
}

static void published_examples(void **state)
{
    size_t agree, n = check_file("../unit/cvss/examples.txt", &agree);

    print_message("examples: %zu/%zu agree\n", agree, n);
    assert_true(n >= 40);
    assert_int_equal(agree, n);
}

static void differential_v3(void **state)
{
    size_t agree, n = check_file("../unit/cvss/vectors_v3.txt", &agree);

    print_message("vectors_v3.txt: %zu/%zu agree with the reference implementations\n", agree, n);
    /* every base vector of both versions (2 * 2592) plus vectors with optional metrics */
    assert_true(n >= 2 * 2592 + 1000);
    assert_int_equal(agree, n);
}

static void differential_v4(void **state)
{
    size_t agree, n = check_file("../unit/cvss/vectors_v4.txt", &agree);

    print_message("vectors_v4.txt: %zu/%zu agree with the reference implementation\n", agree, n);
    assert_true(n >= 3500);
    assert_int_equal(agree, n);
}

/* v3.0 rounds up with a plain ceiling, v3.1 with Appendix A's Roundup. They differ when
 * floating-point error lands just above a tenth: the temporal score of a base 5.0 vector with
 * RC:U is Roundup(5.0 * 0.92) = Roundup(4.6000000000000005), 4.7 by the v3.0 rule (and FIRST's
 * v3.0 calculator) but 4.6 by v3.1's. */
static void rounding_v30_v31(void **state)
{
    double base30, base31;

    assert_true(dd_cvss__roundup_v30(4.02) == 4.1); /* the v3.0 specification's examples */
    assert_true(dd_cvss__roundup_v30(4.00) == 4.0);
    assert_true(dd_cvss__roundup_v31(4.02) == 4.1);
    assert_true(dd_cvss__roundup_v31(4.00) == 4.0);
    assert_true(dd_cvss__roundup_v31(4.000000000000001) == 4.0); /* v3.1 Appendix A */
    assert_true(dd_cvss__roundup_v30(4.000000000000001) == 4.1);

    assert_int_equal(
        dd_cvss3_base_score("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:N/A:N/RC:U", &base30), DD_OK);
    assert_int_equal(
        dd_cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:N/A:N/RC:U", &base31), DD_OK);
    assert_int_equal(tenths(base30), 50);
    assert_int_equal(tenths(base31), 50);
    assert_true(dd_cvss__roundup_v30(base30 * 0.92) == 4.7);
    assert_true(dd_cvss__roundup_v31(base31 * 0.92) == 4.6);
}

/* The two rules agree on every base vector, so v3.0 and v3.1 base scores never differ. */
static void v30_equals_v31_on_base(void **state)
{
    static const char *const vals[8] = {"NALP", "LH", "NLH", "NR", "UC", "HLN", "HLN", "HLN"};
    static const char *const names[8] = {"AV", "AC", "PR", "UI", "S", "C", "I", "A"};
    int idx[8] = {0}, count = 0;

    for (;;) {
        char v30[128], v31[128];
        size_t o = 0;
        double s30, s31;
        int k;

        o += (size_t)snprintf(v30 + o, sizeof(v30) - o, "CVSS:3.0");
        for (int m = 0; m < 8; m++)
            o += (size_t)snprintf(v30 + o, sizeof(v30) - o, "/%s:%c", names[m], vals[m][idx[m]]);
        memcpy(v31, v30, o + 1);
        v31[7] = '1';
        assert_int_equal(dd_cvss3_base_score(v30, &s30), DD_OK);
        assert_int_equal(dd_cvss3_base_score(v31, &s31), DD_OK);
        if (tenths(s30) != tenths(s31))
            fail_msg("%s: %.1f vs %.1f", v30, s30, s31);
        count++;
        for (k = 7; k >= 0; k--) {
            if (vals[k][++idx[k]])
                break;
            idx[k] = 0;
        }
        if (k < 0)
            break;
    }
    assert_int_equal(count, 2592);
}

typedef struct {
    const char *vector;
    int code;
    const char *message; /* a substring of the error message */
} bad_vector;

static void check_bad(int (*fn)(const char *, double *), const bad_vector *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double out = 42;
        int rc = fn(b[i].vector, &out);
        if (rc != b[i].code)
            fail_msg("'%s': code %d (%s), want %d", b[i].vector ? b[i].vector : "(null)", rc,
                     dd_error_message(), b[i].code);
        if (!strstr(dd_error_message(), b[i].message))
            fail_msg("'%s': message '%s' lacks '%s'", b[i].vector ? b[i].vector : "(null)",
                     dd_error_message(), b[i].message);
        assert_true(out == 42);
    }
}

static int score_any(const char *vector, double *out)
{
    int version = 7, rc = dd_cvss_score(vector, out, &version);
    if (rc != DD_OK)
        assert_int_equal(version, 7);
    return rc;
}

#define V31 "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
#define V40 "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"

static void malformed_v3(void **state)
{
    static const bad_vector bad[] = {
        {NULL, DD_EINVALID, "none given"},
        {"", DD_EINVALID, "wrong prefix"},
        {"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", DD_EINVALID, "wrong prefix"},
        {"cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", DD_EINVALID, "wrong prefix"},
        {"CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", DD_EINVALID, "wrong prefix"},
        {V40, DD_EINVALID, "wrong prefix"},
        {"CVSS:3.1", DD_EINVALID, "wrong prefix"},
        {"CVSS:3.1/", DD_EINVALID, "empty metric at offset 9"},
        {V31 "/", DD_EINVALID, "empty metric at offset 45"},
        {"CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", DD_EINVALID, "empty metric at offset 14"},
        {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", DD_EINVALID, "missing base metric 'A'"},
        {"CVSS:3.1/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", DD_EINVALID, "missing base metric 'AV'"},
        {V31 "/AV:L", DD_EINVALID, "duplicate metric 'AV' at offset 45"},
        {V31 "/E:F/E:F", DD_EINVALID, "duplicate metric 'E' at offset 49"},
        {V31 "/XX:Y", DD_EINVALID, "unknown metric 'XX' at offset 45"},
        {V31 "/AT:N", DD_EINVALID, "unknown metric 'AT' at offset 45"},
        {V31 "/av:n", DD_EINVALID, "unknown metric 'av'"},
        {"CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", DD_EINVALID,
         "metric 'AV' has invalid value 'Q' at offset 12"},
        {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:U/A:U", DD_EINVALID,
         "metric 'I' has invalid value 'U' at offset 39"},
        {"CVSS:3.1/AV:N:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", DD_EINVALID, "invalid value 'N:L'"},
        {"CVSS:3.1/AV:/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", DD_EINVALID, "invalid value ''"},
        {"CVSS:3.1/AVN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", DD_EINVALID, "metric 'AVN' at offset 9"},
        {V31 "/E:A", DD_EINVALID, "metric 'E' has invalid value 'A'"},
        {V31 "/MS:X/MPR:S", DD_EINVALID, "metric 'MPR' has invalid value 'S'"},
        {V31 " ", DD_EINVALID, "metric 'A' has invalid value 'H '"},
        {"CVSS:3.1/AV:\x01", DD_EINVALID, "'AV' has invalid value '\\x01'"},
    };
    check_bad(dd_cvss3_base_score, bad, sizeof(bad) / sizeof(bad[0]));
}

static void malformed_v4(void **state)
{
    static const bad_vector bad[] = {
        {V31, DD_EINVALID, "wrong prefix: expected 'CVSS:4.0/'"},
        {"CVSS:4.0/", DD_EINVALID, "empty metric at offset 9"},
        {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N", DD_EINVALID,
         "missing base metric 'SA'"},
        {V40 "/SC:N", DD_EINVALID, "duplicate metric 'SC' at offset 64"},
        {V40 "/S:C", DD_EINVALID, "metric 'S' has invalid value 'C'"},
        {V40 "/MSC:S", DD_EINVALID, "metric 'MSC' has invalid value 'S'"},
        {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N", DD_EINVALID,
         "metric 'SI' has invalid value 'S'"},
        {V40 "/E:F", DD_EINVALID, "metric 'E' has invalid value 'F'"},
        {V40 "/U:green", DD_EINVALID, "metric 'U' has invalid value 'green'"},
        {V40 "/RL:O", DD_EINVALID, "unknown metric 'RL'"},
        {V40 "/ABCDEFGHIJKLMNOPQRSTUVWXYZ:1", DD_EINVALID, "unknown metric 'ABCDEFGHIJKLMNOP...'"},
    };
    check_bad(dd_cvss4_score, bad, sizeof(bad) / sizeof(bad[0]));
}

static void dispatch(void **state)
{
    static const bad_vector bad[] = {
        {"AV:N/AC:L/Au:N/C:P/I:P/A:P", DD_EUNSUPPORTED, "CVSS v2 vectors are not scored"},
        {"(AV:N/AC:L/Au:N/C:P/I:P/A:P)", DD_EUNSUPPORTED, "CVSS v2"},
        {"CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P", DD_EUNSUPPORTED, "CVSS v2"},
        {"CVSS:5.0/AV:N", DD_EUNSUPPORTED, "CVSS version 5.0 is not scored"},
        {"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", DD_EINVALID, "no 'CVSS:3.0/'"},
        {"CVSS:3.1", DD_EINVALID, "no 'CVSS:3.0/'"},
        {"", DD_EINVALID, "no 'CVSS:3.0/'"},
        {NULL, DD_EINVALID, "none given"},
        {V31 "/A:H", DD_EINVALID, "duplicate metric 'A'"},
    };
    double out;
    int version = 0;

    check_bad(score_any, bad, sizeof(bad) / sizeof(bad[0]));
    assert_int_equal(dd_cvss_score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", &out, &version),
                     DD_OK);
    assert_int_equal(version, DD_CVSS_V30);
    assert_int_equal(dd_cvss_score(V31, &out, &version), DD_OK);
    assert_int_equal(version, DD_CVSS_V31);
    assert_int_equal(tenths(out), 98);
    assert_int_equal(dd_cvss_score(V40, &out, NULL), DD_OK);
    assert_int_equal(tenths(out), 93);
}

static void limits(void **state)
{
    char buf[DD_CVSS_MAX_LEN + 2];
    double out = 42;

    /* 256 bytes are parsed (and fail on the unknown metric), 257 are refused unread */
    memset(buf, 'A', sizeof(buf));
    memcpy(buf, V31 "/XX:", strlen(V31 "/XX:"));
    buf[DD_CVSS_MAX_LEN] = '\0';
    assert_int_equal(dd_cvss3_base_score(buf, &out), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "unknown metric 'XX' at offset 45"));
    buf[DD_CVSS_MAX_LEN] = 'A';
    buf[DD_CVSS_MAX_LEN + 1] = '\0';
    assert_int_equal(dd_cvss3_base_score(buf, &out), DD_ELIMIT);
    assert_int_equal(dd_cvss4_score(buf, &out), DD_ELIMIT);
    assert_int_equal(score_any(buf, &out), DD_ELIMIT);
    assert_non_null(strstr(dd_error_message(), "longer than 256 bytes"));
    assert_true(out == 42);
}

/* Metric order, explicit X and supplemental metrics never change a score; modified base metrics
 * replace their base metric; the all-None shortcut reads the modified values. */
static void v4_semantics(void **state)
{
    static const struct {
        const char *a, *b;
    } same[] = {
        {V40, "CVSS:4.0/SA:N/SI:N/SC:N/VA:H/VI:H/VC:H/UI:N/PR:N/AT:N/AC:L/AV:N"},
        {V40, V40 "/E:X/CR:X/IR:X/AR:X/MAV:X/MSI:X/S:X/U:X"},
        {V40, V40 "/E:A/CR:H/IR:H/AR:H"},
        {V40, V40 "/S:P/AU:Y/R:I/V:C/RE:H/U:Red"},
        {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:L/VA:L/SC:L/SI:L/SA:L",
         "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/MAV:P/MAC:H/MAT:P/"
         "MPR:H/MUI:A/MVC:L/MVI:L/MVA:L/MSC:L/MSI:L/MSA:L"},
        {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
         V40 "/MVC:N/MVI:N/MVA:N"},
        {V31, "CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N/E:U/RL:O/RC:R/MAV:P/MS:C/MC:N"},
    };
    static const struct {
        const char *vector;
        int tenths;
    } scores[] = {
        {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0},
        /* MSI:S makes the subsequent system's integrity impact Safety: not all None any more */
        {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/MSI:S", 89},
        {V40 "/MSI:S/MSA:S", 100},
        {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 100},
        /* macrovector 212221 has no lower macrovector: its score is the table's 0.1 */
        {"CVSS:4.0/AV:A/AC:H/AT:P/PR:L/UI:P/VC:L/VI:L/VA:N/SC:L/SI:L/SA:L/E:U", 1},
    };
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        double a, b;
        assert_int_equal(dd_cvss_score(same[i].a, &a, NULL), DD_OK);
        assert_int_equal(dd_cvss_score(same[i].b, &b, NULL), DD_OK);
        if (tenths(a) != tenths(b))
            fail_msg("%s: %.1f, %s: %.1f", same[i].a, a, same[i].b, b);
    }
    for (size_t i = 0; i < sizeof(scores) / sizeof(scores[0]); i++) {
        double s;
        assert_int_equal(dd_cvss4_score(scores[i].vector, &s), DD_OK);
        if (tenths(s) != scores[i].tenths)
            fail_msg("%s: %.1f, want %.1f", scores[i].vector, s, scores[i].tenths / 10.0);
    }
}

/* Vectors in the OSV data that break the specification: rejected, as FIRST's grammar and two of
 * the three npm reference implementations reject them. */
static const struct {
    const char *vector, *message;
} osv_malformed[] = {
    /* npm NSWG-ECO-504: 'U' is no value of I or A */
    {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:U/A:U", "metric 'I' has invalid value 'U'"},
};

static void osv_vectors(void **state)
{
    char *dir_path = source_path("../../../shared/vulndata");
    DIR *dir = opendir(dir_path);
    struct dirent *de;
    size_t vectors = 0, scored = 0, rejected = 0, files = 0, v3 = 0, v4 = 0;
    bool seen[sizeof(osv_malformed) / sizeof(osv_malformed[0])] = {false};

    if (!dir) {
        print_message("%s: not present, OSV vectors not checked\n", dir_path);
        free(dir_path);
        skip();
    }
    while ((de = readdir(dir))) {
        size_t nlen = strlen(de->d_name), lineno = 0;
        char *path;
        FILE *f;
        char *line = NULL;
        size_t cap = 0;

        if (nlen < 6 || strcmp(de->d_name + nlen - 6, ".jsonl") != 0)
            continue;
        path = malloc(strlen(dir_path) + nlen + 2);
        assert_non_null(path);
        snprintf(path, strlen(dir_path) + nlen + 2, "%s/%s", dir_path, de->d_name);
        f = fopen(path, "r");
        if (!f)
            fail_msg("%s: cannot open", path);
        files++;
        while (getline(&line, &cap, f) > 0) {
            json_error_t jerr;
            json_t *rec = json_loads(line, 0, &jerr), *sev, *item;
            size_t i;

            lineno++;
            if (!rec)
                fail_msg("%s:%zu: %s", path, lineno, jerr.text);
            sev = json_object_get(rec, "severity");
            json_array_foreach(sev, i, item)
            {
                const char *type = json_string_value(json_object_get(item, "type"));
                const char *score = json_string_value(json_object_get(item, "score"));
                double out;
                int version = 0, rc, want;
                bool known = false;

                if (!type || !score || (strcmp(type, "CVSS_V3") && strcmp(type, "CVSS_V4")))
                    continue;
                want = strcmp(type, "CVSS_V4") == 0 ? DD_CVSS_V40 : 0;
                vectors++;
                rc = dd_cvss_score(score, &out, &version);
                if (rc == DD_OK) {
                    scored++;
                    if (want ? version != want : version != DD_CVSS_V30 && version != DD_CVSS_V31)
                        fail_msg("%s:%zu: %s vector '%s' read as version %d", path, lineno, type,
                                 score, version);
                    assert_true(out >= 0 && out <= 10);
                    if (version == DD_CVSS_V40)
                        v4++;
                    else
                        v3++;
                    continue;
                }
                for (size_t k = 0; k < sizeof(osv_malformed) / sizeof(osv_malformed[0]); k++)
                    if (strcmp(score, osv_malformed[k].vector) == 0 && rc == DD_EINVALID &&
                        strstr(dd_error_message(), osv_malformed[k].message))
                        known = seen[k] = true;
                if (!known)
                    fail_msg("%s:%zu: %s", path, lineno, dd_error_message());
                rejected++;
            }
            json_decref(rec);
        }
        free(line);
        fclose(f);
        free(path);
    }
    closedir(dir);
    free(dir_path);
    print_message("OSV data: %zu files, %zu CVSS vectors: %zu scored (%zu v3, %zu v4), %zu "
                  "rejected as malformed\n",
                  files, vectors, scored, v3, v4, rejected);
    assert_true(files > 0);
    assert_true(scored > 0 && v4 > 0);
    for (size_t k = 0; k < sizeof(osv_malformed) / sizeof(osv_malformed[0]); k++)
        if (!seen[k])
            fail_msg("'%s' no longer in the OSV data: drop it from osv_malformed",
                     osv_malformed[k].vector);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(published_examples),
        cmocka_unit_test(differential_v3),
        cmocka_unit_test(differential_v4),
        cmocka_unit_test(rounding_v30_v31),
        cmocka_unit_test(v30_equals_v31_on_base),
        cmocka_unit_test(malformed_v3),
        cmocka_unit_test(malformed_v4),
        cmocka_unit_test(dispatch),
        cmocka_unit_test(limits),
        cmocka_unit_test(v4_semantics),
        cmocka_unit_test(osv_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
