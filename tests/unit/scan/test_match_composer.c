/* Unit tests for matching Composer packages against Packagist advisories: a real GHSA record
 * (tests/unit/scan/data/packagist.osv.jsonl, two ranges of guzzlehttp/psr7) and installed
 * versions as composer.lock writes them, with and without a leading "v". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog/catalog_int.h"
#include "scan/scan_int.h"

static char db_path[4096];

static int setup_db(void **state)
{
    const char *data = getenv("DD_TEST_DATA"), *tmp = getenv("DD_TEST_TMP");
    char input[4096];
    const char *inputs[] = {input};
    dd_vulndb_import_stats st;

    (void)state;
    if (!data || !tmp)
        return -1;
    mkdir(tmp, 0755);
    /* DD_TEST_DATA is tests/data; this module's own records sit beside the test */
    snprintf(input, sizeof(input), "%s/../unit/scan/data/packagist.osv.jsonl", data);
    snprintf(db_path, sizeof(db_path), "%s/test_match_composer.db", tmp);
    if (dd_vulndb_import(db_path, inputs, 1, NULL, &st) != DD_OK)
        return -1;
    return st.records == 1 && st.skipped == 0 ? 0 : -1;
}

/* Scans an inventory of one Composer package; returns the number of findings and, through
 * `fixed`, the fixed version of the CVE-2023-29197 finding (NULL when there is none). */
static size_t scan_one(const char *name, const char *version, char *fixed, size_t fixed_size)
{
    dd_package pkg = {.type = DD_PKG_COMPOSER, .name = name, .version = version};
    dd_inventory *inv;
    dd_vulndb *db;
    dd_scan_result *r;
    size_t n;

    fixed[0] = '\0';
    assert_int_equal(dd_inventory__new(&inv), DD_OK);
    assert_int_equal(dd_inventory__add(inv, &pkg), DD_OK);
    dd_inventory__sort(inv);
    assert_int_equal(dd_vulndb_open(&db, db_path), DD_OK);
    assert_int_equal(dd_scan_match(&r, inv, db, NULL), DD_OK);
    dd_vulndb_close(db);
    n = dd_scan_count(r);
    for (size_t i = 0; i < n; i++) {
        const dd_finding *f = dd_scan_get(r, i);
        assert_string_equal(f->id, "CVE-2023-29197");
        assert_string_equal(f->ecosystem, "Packagist");
        assert_string_equal(f->installed, version);
        assert_int_equal(f->n_records, 1);
        assert_string_equal(f->records[0], "GHSA-wxmh-65f7-jcvw");
        /* the record's own GitHub rating, MODERATE */
        assert_int_equal(f->severity, DD_SEV_MEDIUM);
        snprintf(fixed, fixed_size, "%s", f->fixed ? f->fixed : "");
    }
    dd_scan_result_free(r);
    dd_inventory_free(inv);
    return n;
}

static void test_packagist_ranges(void **state)
{
    static const struct {
        const char *version;
        const char *fixed; /* NULL: not affected */
    } cases[] = {
        {"1.9.0", "1.9.1"},  /* the fixture composer.lock's version */
        {"v1.9.0", "1.9.1"}, /* tags with a 'v', as many packages write them */
        {"1.0.0", "1.9.1"},  {"v1.9.1-dev", "1.9.1"}, /* a dev build before the fix */
        {"1.9.1", NULL},     {"v1.9.1", NULL},        {"1.9.1-patch1", NULL},
        {"2.0.0-RC1", NULL}, /* after 1.9.1, before the second range's 2.0.0 */
        {"2.0.0", "2.4.5"},  {"v2.4.4", "2.4.5"},     {"2.4.5-beta2", "2.4.5"},
        {"2.4.5", NULL},     {"V2.4.5", NULL},        {"2.5.0", NULL},
        {"1.x-dev", NULL}, /* branch alias 1.9999999.9999999.9999999-dev */
    };
    char fixed[64];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = scan_one("guzzlehttp/psr7", cases[i].version, fixed, sizeof(fixed));
        if (n != (cases[i].fixed ? 1u : 0u))
            fail_msg("guzzlehttp/psr7 %s: %zu findings", cases[i].version, n);
        if (cases[i].fixed && strcmp(fixed, cases[i].fixed) != 0)
            fail_msg("guzzlehttp/psr7 %s: fixed %s, want %s", cases[i].version, fixed,
                     cases[i].fixed);
    }
    /* another package of the same vendor is not matched */
    assert_int_equal(scan_one("guzzlehttp/guzzle", "6.5.8", fixed, sizeof(fixed)), 0);
}

/* A version Composer rejects is counted in a note, not matched and not an error. */
static void test_rejected_version(void **state)
{
    dd_package pkg = {.type = DD_PKG_COMPOSER, .name = "guzzlehttp/psr7", .version = "1.9.0.0.0"};
    dd_inventory *inv;
    dd_vulndb *db;
    dd_scan_result *r;

    (void)state;
    assert_int_equal(dd_inventory__new(&inv), DD_OK);
    assert_int_equal(dd_inventory__add(inv, &pkg), DD_OK);
    assert_int_equal(dd_vulndb_open(&db, db_path), DD_OK);
    assert_int_equal(dd_scan_match(&r, inv, db, NULL), DD_OK);
    dd_vulndb_close(db);
    assert_int_equal(dd_scan_count(r), 0);
    assert_int_equal(dd_scan_note_count(r), 1);
    assert_non_null(strstr(dd_scan_note(r, 0), "1 packages have versions"));
    dd_scan_result_free(r);
    dd_inventory_free(inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packagist_ranges),
        cmocka_unit_test(test_rejected_version),
    };
    return cmocka_run_group_tests(tests, setup_db, NULL);
}
