/* Unit tests for the matcher: real OSV records (tests/data/vulndb/records.jsonl, copied from the
 * Debian, PyPI, RustSec and osv.dev data) against hand-made inventories. */
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
    snprintf(input, sizeof(input), "%s/vulndb/records.jsonl", data);
    snprintf(db_path, sizeof(db_path), "%s/test_match.db", tmp);
    if (dd_vulndb_import(db_path, inputs, 1, NULL, &st) != DD_OK)
        return -1;
    /* 12 records, one of them withdrawn */
    return st.records == 11 && st.withdrawn == 1 && st.skipped == 0 ? 0 : -1;
}

static dd_os_info *os_info(const char *id, const char *version)
{
    dd_os_info *os = dd_calloc(1, sizeof(*os));

    os->id = dd_strdup(id);
    os->version_id = dd_strdup(version);
    return os;
}

static dd_scan_result *scan(dd_inventory *inv)
{
    dd_vulndb *db;
    dd_scan_result *r;

    assert_int_equal(dd_vulndb_open(&db, db_path), DD_OK);
    assert_int_equal(dd_scan_match(&r, inv, db, NULL), DD_OK);
    dd_vulndb_close(db);
    return r;
}

/* The finding of package `name` under `id`, or NULL. */
static const dd_finding *find(const dd_scan_result *r, const char *name, const char *id)
{
    const dd_inventory *inv = dd_scan_inventory(r);

    for (size_t i = 0; i < dd_scan_count(r); i++) {
        const dd_finding *f = dd_scan_get(r, i);
        if (strcmp(dd_inventory_get(inv, f->pkg)->name, name) == 0 && strcmp(f->id, id) == 0)
            return f;
    }
    return NULL;
}

static size_t count_for(const dd_scan_result *r, const char *name)
{
    const dd_inventory *inv = dd_scan_inventory(r);
    size_t n = 0;

    for (size_t i = 0; i < dd_scan_count(r); i++)
        n += strcmp(dd_inventory_get(inv, dd_scan_get(r, i)->pkg)->name, name) == 0;
    return n;
}

static void test_debian_source_packages(void **state)
{
    dd_inventory *inv;
    dd_package libssl = {.type = DD_PKG_DEB, .name = "libssl1.1", .version = "1.1.1n-0+deb11u3",
                         .arch = "amd64", .source_name = "openssl",
                         .source_version = "1.1.1n-0+deb11u3"};
    dd_package chromium = {.type = DD_PKG_DEB, .name = "chromium", .version = "100.0.4896.60-1~deb11u1",
                           .arch = "amd64", .source_name = "chromium",
                           .source_version = "100.0.4896.60-1~deb11u1"};
    /* a binNMU: the binary version differs, the source version is what advisories name */
    dd_package old = {.type = DD_PKG_DEB, .name = "openssl", .version = "1.1.1k-1+deb11u1+b1",
                      .arch = "amd64", .source_name = "openssl",
                      .source_version = "1.1.1k-1+deb11u1"};
    const dd_finding *f;
    dd_scan_result *r;

    (void)state;
    assert_int_equal(dd_inventory__new(&inv), DD_OK);
    dd_inventory__set_os(inv, os_info("debian", "11"));
    assert_int_equal(dd_inventory__add(inv, &libssl), DD_OK);
    assert_int_equal(dd_inventory__add(inv, &chromium), DD_OK);
    assert_int_equal(dd_inventory__add(inv, &old), DD_OK);
    dd_inventory__sort(inv);
    r = scan(inv);
    assert_string_equal(dd_scan_os_ecosystem_used(r), "Debian:11");

    /* installed u3: DSA-5169-1 (fixed in u3) no longer applies, DSA-5343-1's five CVEs do */
    assert_int_equal(count_for(r, "libssl1.1"), 5);
    f = find(r, "libssl1.1", "CVE-2023-0286");
    assert_non_null(f);
    assert_string_equal(f->fixed, "1.1.1n-0+deb11u4");
    assert_string_equal(f->installed, "1.1.1n-0+deb11u3");
    assert_string_equal(f->matched_name, "openssl");
    assert_int_equal(f->n_records, 1);
    assert_string_equal(f->records[0], "DSA-5343-1");
    assert_int_equal(f->n_aliases, 1);
    assert_string_equal(f->aliases[0], "DSA-5343-1");
    assert_int_equal(f->severity, DD_SEV_UNKNOWN);
    assert_null(find(r, "libssl1.1", "CVE-2022-2068"));

    /* source version 1.1.1k-1+deb11u1: DSA-4963-1 is fixed, the four later DSAs are not */
    assert_null(find(r, "openssl", "CVE-2021-3711"));
    f = find(r, "openssl", "CVE-2022-0778");
    assert_non_null(f);
    assert_string_equal(f->installed, "1.1.1k-1+deb11u1");
    assert_string_equal(f->fixed, "1.1.1k-1+deb11u2");
    assert_int_equal(count_for(r, "openssl"), 2 + 1 + 1 + 5);

    /* two DSAs name CVE-2022-2163 for chromium: one finding, both records, the later fix */
    f = find(r, "chromium", "CVE-2022-2163");
    assert_non_null(f);
    assert_int_equal(f->n_records, 2);
    assert_string_equal(f->records[0], "DSA-5168-1");
    assert_string_equal(f->records[1], "DSA-5187-1");
    assert_string_equal(f->fixed, "103.0.5060.134-1~deb11u1");
    dd_scan_result_free(r);
    dd_inventory_free(inv);
}

static void test_language_packages(void **state)
{
    dd_inventory *inv;
    dd_package py = {.type = DD_PKG_PYPI, .name = "py", .version = "1.11.0"};
    dd_package py_new = {.type = DD_PKG_PYPI, .name = "Py", .version = "1.11.1",
                         .db_path = "other/site-packages"};
    dd_package hyper = {.type = DD_PKG_CARGO, .name = "hyper", .version = "0.9.3"};
    dd_package any23 = {.type = DD_PKG_MAVEN, .name = "org.apache.any23:apache-any23",
                        .version = "2.4"};
    dd_package withdrawn = {.type = DD_PKG_PYPI, .name = "arrayfire", .version = "3.3.20160328"};
    /* a Debian package never matches a language record of the same name, and an image without
     * a known distribution matches no OS package at all */
    dd_package deb = {.type = DD_PKG_DEB, .name = "py", .version = "1.0", .source_name = "py"};
    const dd_finding *f;
    dd_scan_result *r;

    (void)state;
    assert_int_equal(dd_inventory__new(&inv), DD_OK);
    assert_int_equal(dd_inventory__add(inv, &py), DD_OK);
    assert_int_equal(dd_inventory__add(inv, &py_new), DD_OK);
    assert_int_equal(dd_inventory__add(inv, &hyper), DD_OK);
    assert_int_equal(dd_inventory__add(inv, &any23), DD_OK);
    assert_int_equal(dd_inventory__add(inv, &withdrawn), DD_OK);
    assert_int_equal(dd_inventory__add(inv, &deb), DD_OK);
    dd_inventory__sort(inv);
    r = scan(inv);

    /* last_affected 1.11.0: 1.11.0 is affected and unfixed, 1.11.1 is not */
    f = find(r, "py", "CVE-2022-42969");
    assert_non_null(f);
    assert_null(f->fixed);
    assert_string_equal(f->ecosystem, "PyPI");
    assert_int_equal(count_for(r, "Py"), 0);

    /* RUSTSEC-2016-0002: fixed 0.9.4, severity from its CVSS 3.0 vector (4.8) */
    f = find(r, "hyper", "CVE-2016-10932");
    assert_non_null(f);
    assert_string_equal(f->fixed, "0.9.4");
    assert_int_equal(f->severity, DD_SEV_MEDIUM);
    assert_string_equal(f->severity_source, "cvss_v3");
    assert_true(f->cvss_score > 4.79 && f->cvss_score < 4.81);

    /* GHSA: Maven names compare case-insensitively; the record's own rating comes first */
    f = find(r, "org.apache.any23:apache-any23", "CVE-2021-38555");
    assert_non_null(f);
    assert_string_equal(f->fixed, "2.5");
    assert_int_equal(f->severity, DD_SEV_CRITICAL);
    assert_string_equal(f->severity_source, "ghsa");

    assert_int_equal(count_for(r, "arrayfire"), 0);
    assert_int_equal(count_for(r, "py") + count_for(r, "Py"), 1);
    assert_null(dd_scan_os_ecosystem_used(r));
    dd_scan_result_free(r);
    dd_inventory_free(inv);
}

/* The findings of `r` for package `pkg` as one comparable line each: id, installed, fixed. */
static char *findings_text(const dd_scan_result *r, size_t pkg)
{
    dd_buf b = DD_BUF_INIT;

    for (size_t i = 0; i < dd_scan_count(r); i++) {
        const dd_finding *f = dd_scan_get(r, i);
        if (f->pkg == pkg)
            assert_int_equal(dd_buf_printf(&b, "%s %s %s %zu\n", f->id, f->installed,
                                           f->fixed ? f->fixed : "-", f->n_records),
                             DD_OK);
    }
    return dd_buf_detach(&b, NULL);
}

/* An inventory of a Debian 11 image holding pk[0..n). */
static dd_inventory *debian11_inventory(const dd_package *pk, size_t n)
{
    dd_inventory *inv;

    assert_int_equal(dd_inventory__new(&inv), DD_OK);
    dd_inventory__set_os(inv, os_info("debian", "11"));
    for (size_t i = 0; i < n; i++)
        assert_int_equal(dd_inventory__add(inv, &pk[i]), DD_OK);
    return inv;
}

/* Packages that share a name (one library at several versions, the binaries of one source) are
 * matched together: each gets exactly the findings it gets when scanned alone. */
static void test_shared_names_match_as_alone(void **state)
{
    static const char *const py_versions[] = {"1.4.0", "1.11.1", "1.11.0", "1.0", "2.0.0", "1.9"};
    dd_package pk[16];
    size_t n = 0;
    dd_inventory *inv;
    dd_scan_result *r;

    (void)state;
    for (size_t i = 0; i < sizeof(py_versions) / sizeof(py_versions[0]); i++) {
        pk[n++] = (dd_package){.type = DD_PKG_PYPI, .name = i % 2 ? "Py" : "py",
                               .version = py_versions[i]};
        if (i == 2)
            pk[n++] = (dd_package){.type = DD_PKG_CARGO, .name = "hyper", .version = "0.9.3"};
    }
    pk[n++] = (dd_package){.type = DD_PKG_DEB, .name = "libssl1.1", .version = "1.1.1k-1+deb11u2",
                           .source_name = "openssl", .source_version = "1.1.1k-1+deb11u2"};
    pk[n++] = (dd_package){.type = DD_PKG_DEB, .name = "openssl", .version = "1.1.1n-0+deb11u3",
                           .source_name = "openssl", .source_version = "1.1.1n-0+deb11u3"};
    pk[n++] = (dd_package){.type = DD_PKG_DEB, .name = "libssl-dev", .version = "1.1.1d-1",
                           .source_name = "openssl", .source_version = "1.1.1d-1"};
    inv = debian11_inventory(pk, n);
    r = scan(inv);
    assert_true(dd_scan_count(r) > 10);
    for (size_t i = 0; i < dd_inventory_count(inv); i++) {
        const dd_package *p = dd_inventory_get(inv, i);
        dd_inventory *one;
        dd_scan_result *alone;
        char *together, *by_itself;

        assert_int_equal(dd_inventory__new(&one), DD_OK);
        dd_inventory__set_os(one, os_info("debian", "11"));
        assert_int_equal(dd_inventory__add(one, p), DD_OK);
        alone = scan(one);
        together = findings_text(r, i);
        by_itself = findings_text(alone, 0);
        assert_string_equal(together, by_itself);
        dd_free(together);
        dd_free(by_itself);
        dd_scan_result_free(alone);
        dd_inventory_free(one);
    }
    dd_scan_result_free(r);
    dd_inventory_free(inv);
}

/* A database handle that keeps what it decoded (dd_vulndb_cache), at bounds that keep nothing,
 * empty the cache again and again, or keep everything, answers as one that keeps nothing, asked
 * twice. */
static void test_cached_queries_answer_as_uncached(void **state)
{
    static const size_t bounds[] = {1024, 6 * 1024, 24 * 1024, 1 << 20};
    dd_package pk[] = {
        {.type = DD_PKG_PYPI, .name = "py", .version = "1.4.0"},
        {.type = DD_PKG_CARGO, .name = "hyper", .version = "0.9.3"},
        {.type = DD_PKG_DEB, .name = "libssl1.1", .version = "1.1.1k-1+deb11u2",
         .source_name = "openssl", .source_version = "1.1.1k-1+deb11u2"},
        {.type = DD_PKG_DEB, .name = "chromium", .version = "100.0.4896.60-1~deb11u1",
         .source_name = "chromium", .source_version = "100.0.4896.60-1~deb11u1"},
        {.type = DD_PKG_PYPI, .name = "arrayfire", .version = "3.3.20160328"},
        {.type = DD_PKG_MAVEN, .name = "org.apache.any23:apache-any23", .version = "2.4"},
        {.type = DD_PKG_PYPI, .name = "no-such-package", .version = "1.0"},
    };
    size_t n = sizeof(pk) / sizeof(pk[0]);
    char *want[sizeof(pk) / sizeof(pk[0])];
    dd_inventory *inv;
    dd_scan_result *r;
    dd_vulndb *db;

    (void)state;
    inv = debian11_inventory(pk, n);
    r = scan(inv);
    assert_true(dd_scan_count(r) > 10);
    for (size_t i = 0; i < n; i++)
        want[i] = findings_text(r, i);
    dd_scan_result_free(r);
    for (size_t b = 0; b < sizeof(bounds) / sizeof(bounds[0]); b++) {
        assert_int_equal(dd_vulndb_open(&db, db_path), DD_OK);
        assert_int_equal(dd_vulndb_cache(db, bounds[b]), DD_OK);
        for (int round = 0; round < 2; round++) {
            assert_int_equal(dd_scan_match(&r, inv, db, NULL), DD_OK);
            for (size_t i = 0; i < n; i++) {
                char *got = findings_text(r, i);
                assert_string_equal(got, want[i]);
                dd_free(got);
            }
            dd_scan_result_free(r);
        }
        dd_vulndb_close(db);
    }
    for (size_t i = 0; i < n; i++)
        dd_free(want[i]);
    dd_inventory_free(inv);

    /* more names than half the slots (1,024 at least): emptied for their number, then py */
    assert_int_equal(dd_inventory__new(&inv), DD_OK);
    for (int i = 0; i < 1500; i++) {
        char nm[32];
        snprintf(nm, sizeof(nm), "absent-%d", i);
        assert_int_equal(dd_inventory__add(inv, &(dd_package){.type = DD_PKG_PYPI, .name = nm,
                                                              .version = "1.0"}),
                         DD_OK);
    }
    assert_int_equal(dd_inventory__add(inv, &pk[0]), DD_OK);
    assert_int_equal(dd_vulndb_open(&db, db_path), DD_OK);
    assert_int_equal(dd_vulndb_cache(db, 1 << 20), DD_OK);
    for (int round = 0; round < 2; round++) {
        assert_int_equal(dd_scan_match(&r, inv, db, NULL), DD_OK);
        assert_int_equal(dd_scan_count(r), 1);
        assert_string_equal(dd_scan_get(r, 0)->id, "CVE-2022-42969");
        dd_scan_result_free(r);
    }
    dd_vulndb_close(db);
    dd_inventory_free(inv);
}

static void test_os_ecosystems(void **state)
{
    static const struct {
        const char *id, *version, *codename, *want;
    } cases[] = {
        {"debian", "11", NULL, "Debian:11"},       {"debian", "12.7", NULL, "Debian:12"},
        {"debian", NULL, "bullseye", "Debian:11"}, {"debian", "6.0.10", NULL, "Debian:6.0"},
        {"alpine", "3.20.3", NULL, "Alpine:v3.20"}, {"alpine", "3.11", NULL, "Alpine:v3.11"},
        {"ubuntu", "22.04", NULL, "Ubuntu:22.04:LTS"}, {"ubuntu", "23.10", NULL, "Ubuntu:23.10"},
        {"rocky", "9.3", NULL, "Rocky Linux:9"},   {"almalinux", "8.9", NULL, "AlmaLinux:8"},
        {"arch", NULL, NULL, NULL},                {"debian", NULL, NULL, NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dd_os_info os = {.id = (char *)cases[i].id, .version_id = (char *)cases[i].version,
                         .version_codename = (char *)cases[i].codename};
        char *eco = NULL;
        int rc = dd_scan_os_ecosystem(&eco, &os);
        if (cases[i].want) {
            assert_int_equal(rc, DD_OK);
            assert_string_equal(eco, cases[i].want);
        } else {
            assert_int_equal(rc, DD_ENOTFOUND);
        }
        dd_free(eco);
    }
}

/* Each package remembers its version's order against the versions the records give, by their
 * text: a listed version matches by order ("1.0.0" is PEP 440's "1.0"), every package of a name
 * answers on its own version, and a record's version that does not parse skips that entry on
 * every package, however often the text comes back. */
static void test_listed_versions_by_order(void **state)
{
    static const char *const records[] = {
        "{\"id\": \"TEST-LIST-1\", \"modified\": \"2024-01-01T00:00:00Z\", \"affected\": ["
        "{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"listed\"},"
        " \"versions\": [\"0.9\", \"1.0\", \"1.2.post1\"]}]}",
        "{\"id\": \"TEST-LIST-2\", \"modified\": \"2024-01-01T00:00:00Z\", \"affected\": ["
        "{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"listed\"}, \"ranges\": ["
        "{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"1.0\"},"
        " {\"fixed\": \"1.1\"}]}]}, {\"package\": {\"ecosystem\": \"PyPI\", \"name\":"
        " \"listed\"}, \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": ["
        "{\"introduced\": \"not a version\"}, {\"fixed\": \"9\"}]}]}]}",
    };
    static const struct {
        const char *version;
        bool list, range;
    } cases[] = {
        {"1.0.0", true, true},  {"1.0", true, true},    {"1.0.1", false, true},
        {"1.2.post1", true, false}, {"1.2.post01", true, false}, {"1.1", false, false},
        {"0.9.0", true, false}, {"2.0", false, false},
    };
    const char *tmp = getenv("DD_TEST_TMP");
    char path[4096], input[4096];
    const char *inputs[] = {input};
    dd_vulndb_import_stats st;
    dd_package pk[sizeof(cases) / sizeof(cases[0])];
    dd_inventory *inv;
    dd_scan_result *r;
    dd_vulndb *db;
    FILE *fp;

    (void)state;
    snprintf(input, sizeof(input), "%s/listed.jsonl", tmp);
    snprintf(path, sizeof(path), "%s/listed.db", tmp);
    assert_non_null(fp = fopen(input, "w"));
    for (size_t i = 0; i < sizeof(records) / sizeof(records[0]); i++)
        fprintf(fp, "%s\n", records[i]);
    fclose(fp);
    remove(path);
    assert_int_equal(dd_vulndb_import(path, inputs, 1, NULL, &st), DD_OK);
    assert_int_equal(st.records, 2);
    assert_int_equal(dd_inventory__new(&inv), DD_OK);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pk[i] = (dd_package){.type = DD_PKG_PYPI, .name = "listed", .version = cases[i].version};
        assert_int_equal(dd_inventory__add(inv, &pk[i]), DD_OK);
    }
    assert_int_equal(dd_vulndb_open(&db, path), DD_OK);
    assert_int_equal(dd_scan_match(&r, inv, db, NULL), DD_OK);
    dd_vulndb_close(db);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool list = false, range = false;

        for (size_t k = 0; k < dd_scan_count(r); k++) {
            const dd_finding *f = dd_scan_get(r, k);

            if (f->pkg != i)
                continue;
            list |= strcmp(f->id, "TEST-LIST-1") == 0;
            range |= strcmp(f->id, "TEST-LIST-2") == 0;
        }
        if (list != cases[i].list || range != cases[i].range)
            fail_msg("listed %s: TEST-LIST-1 %d TEST-LIST-2 %d", cases[i].version, list, range);
    }
    dd_scan_result_free(r);
    dd_inventory_free(inv);
}

static void test_bad_database(void **state)
{
    const char *tmp = getenv("DD_TEST_TMP");
    char path[4096];
    dd_vulndb *db = NULL;
    FILE *fp;

    (void)state;
    snprintf(path, sizeof(path), "%s/not-a-db", tmp);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("this is not sqlite\n", fp);
    fclose(fp);
    assert_int_equal(dd_vulndb_open(&db, path), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "not-a-db"));
    snprintf(path, sizeof(path), "%s/missing.db", tmp);
    assert_int_equal(dd_vulndb_open(&db, path), DD_ENOTFOUND);
    assert_non_null(strstr(dd_error_message(), "drydock db update"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_debian_source_packages),
        cmocka_unit_test(test_language_packages),
        cmocka_unit_test(test_shared_names_match_as_alone),
        cmocka_unit_test(test_cached_queries_answer_as_uncached),
        cmocka_unit_test(test_os_ecosystems),
        cmocka_unit_test(test_listed_versions_by_order),
        cmocka_unit_test(test_bad_database),
    };
    return cmocka_run_group_tests(tests, setup_db, NULL);
}
