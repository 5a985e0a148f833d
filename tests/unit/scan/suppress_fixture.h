/* A small Debian 12 image's inventory and findings over it, shared by the suppression tests. */
#ifndef DD_TEST_SCAN_SUPPRESS_FIXTURE_H
#define DD_TEST_SCAN_SUPPRESS_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "scan/scan_int.h"

typedef struct {
    dd_inventory *inv;
    dd_scan_result *r;
} scan_fixture;

/* Findings by index, as fixture_setup adds them. */
enum {
    F_OPENSSL_5678 = 0, /* openssl 3.0.11-1~deb12u2: CVE-2023-5678 (DSA-5532-1) */
    F_OPENSSL_0727,     /* openssl: CVE-2024-0727 */
    F_LIBSSL_5678,      /* libssl3 (source openssl): CVE-2023-5678 */
    F_LIBC_4911,        /* libc6 2.36-9+deb12u4: CVE-2023-4911 */
    F_LODASH4_23337,    /* lodash 4.17.21: CVE-2021-23337 (GHSA-35jh-r3h4-6jhm) */
    F_LODASH3_23337,    /* lodash 3.10.1: CVE-2021-23337 */
    F_LODASH3_GHSA,     /* lodash 3.10.1: GHSA-p6mc-m468-83gw (no CVE) */
    F_BABEL_45133,      /* @babel/traverse 7.22.5: CVE-2023-45133 */
    F_COUNT
};

static size_t fixture_pkg(const dd_inventory *inv, const char *name, const char *version)
{
    for (size_t i = 0; i < dd_inventory_count(inv); i++) {
        const dd_package *p = dd_inventory_get(inv, i);

        if (strcmp(p->name, name) == 0 && strcmp(p->version, version) == 0)
            return i;
    }
    fail_msg("no package %s %s", name, version);
    return 0;
}

static void fixture_add(scan_fixture *fx, const char *name, const char *version, const char *id,
                        const char *alias, const char *record)
{
    const char *aliases[1] = {alias}, *records[1] = {record};
    dd_finding f = {0};

    f.id = id;
    f.pkg = fixture_pkg(fx->inv, name, version);
    f.installed = version;
    f.severity = DD_SEV_HIGH;
    f.cvss_score = -1;
    if (alias) {
        f.aliases = aliases;
        f.n_aliases = 1;
    }
    if (record) {
        f.records = records;
        f.n_records = 1;
    }
    assert_int_equal(dd_scan__add(fx->r, &f), DD_OK);
}

static int fixture_setup(void **state)
{
    static const char os_release[] = "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n";
    scan_fixture *fx = calloc(1, sizeof(*fx));
    dd_os_info *os = NULL;
    const dd_package pkgs[] = {
        {.type = DD_PKG_DEB,
         .name = "openssl",
         .version = "3.0.11-1~deb12u2",
         .arch = "amd64",
         .source_name = "openssl"},
        {.type = DD_PKG_DEB,
         .name = "libssl3",
         .version = "3.0.11-1~deb12u2",
         .arch = "amd64",
         .source_name = "openssl"},
        {.type = DD_PKG_DEB,
         .name = "libc6",
         .version = "2.36-9+deb12u4",
         .arch = "amd64",
         .source_name = "glibc"},
        {.type = DD_PKG_NPM, .name = "lodash", .version = "4.17.21"},
        {.type = DD_PKG_NPM, .name = "lodash", .version = "3.10.1"},
        {.type = DD_PKG_NPM,
         .name = "@babel/traverse",
         .version = "7.22.5",
         .purl = "pkg:npm/%40babel/traverse@7.22.5"},
    };

    assert_non_null(fx);
    assert_int_equal(dd_inventory__new(&fx->inv), DD_OK);
    assert_int_equal(dd_os_release_parse(&os, os_release, sizeof(os_release) - 1), DD_OK);
    dd_inventory__set_os(fx->inv, os);
    for (size_t i = 0; i < sizeof(pkgs) / sizeof(pkgs[0]); i++)
        assert_int_equal(dd_inventory__add(fx->inv, &pkgs[i]), DD_OK);
    dd_inventory__sort(fx->inv);
    assert_int_equal(dd_scan__new(&fx->r, fx->inv), DD_OK);
    fixture_add(fx, "openssl", "3.0.11-1~deb12u2", "CVE-2023-5678", "DSA-5532-1",
                "DEBIAN-CVE-2023-5678");
    fixture_add(fx, "openssl", "3.0.11-1~deb12u2", "CVE-2024-0727", NULL, NULL);
    fixture_add(fx, "libssl3", "3.0.11-1~deb12u2", "CVE-2023-5678", "DSA-5532-1", NULL);
    fixture_add(fx, "libc6", "2.36-9+deb12u4", "CVE-2023-4911", NULL, NULL);
    fixture_add(fx, "lodash", "4.17.21", "CVE-2021-23337", "GHSA-35jh-r3h4-6jhm", NULL);
    fixture_add(fx, "lodash", "3.10.1", "CVE-2021-23337", "GHSA-35jh-r3h4-6jhm", NULL);
    fixture_add(fx, "lodash", "3.10.1", "GHSA-p6mc-m468-83gw", NULL, NULL);
    fixture_add(fx, "@babel/traverse", "7.22.5", "CVE-2023-45133", "GHSA-67hx-6x53-jw92", NULL);
    *state = fx;
    return 0;
}

static int fixture_teardown(void **state)
{
    scan_fixture *fx = *state;

    dd_scan_result_free(fx->r);
    dd_inventory_free(fx->inv);
    free(fx);
    return 0;
}

/* The findings' suppression as a string of one letter each: '.' counted, 'I' ignore file,
 * 'V' VEX, so a test states the whole outcome at once. */
static const char *suppressed_map(const dd_scan_result *r)
{
    static char map[F_COUNT + 1];

    assert_int_equal(dd_scan_count(r), F_COUNT);
    for (size_t i = 0; i < F_COUNT; i++) {
        dd_suppress_kind k = dd_scan_get(r, i)->suppressed;

        map[i] = k == DD_SUPPRESS_NONE ? '.' : k == DD_SUPPRESS_IGNOREFILE ? 'I' : 'V';
    }
    map[F_COUNT] = '\0';
    return map;
}

static bool has_note(const dd_scan_result *r, const char *want)
{
    for (size_t i = 0; i < dd_scan_note_count(r); i++)
        if (strcmp(dd_scan_note(r, i), want) == 0)
            return true;
    return false;
}

/* An allocator that fails every allocation after the first `oom_left` ones. */
static long oom_left;

static void *oom_malloc(size_t size, void *payload)
{
    return oom_left-- > 0 ? malloc(size) : NULL;
}

static void *oom_realloc(void *p, size_t size, void *payload)
{
    return oom_left-- > 0 ? realloc(p, size) : NULL;
}

static void oom_free(void *p, void *payload)
{
    free(p);
}

/* Runs `apply` on a fresh fixture with the Nth allocation failing, for N = 0, 1, ... until it
 * succeeds: each failure must be DD_ENOMEM (and leak nothing: the sanitizer build checks).
 * Returns the fixture of the successful run; the caller tears it down. */
static scan_fixture *until_enough_memory(int (*apply)(scan_fixture *fx))
{
    const dd_allocator hook = {oom_malloc, oom_realloc, oom_free, NULL};
    void *state = NULL;
    int rc = DD_ENOMEM;
    long n;

    for (n = 0; rc == DD_ENOMEM; n++) {
        if (state)
            fixture_teardown(&state);
        fixture_setup(&state);
        oom_left = n;
        dd_set_allocator(&hook);
        rc = apply(state);
        dd_set_allocator(NULL);
        /* jansson reports some of its own allocation failures as syntax errors
         * ("PATH:LINE:COLUMN: ..."); past the parse, every failure is ENOMEM */
        if (rc == DD_EINVALID && strstr(dd_error_message(), ".json:") &&
            isdigit((unsigned char)strstr(dd_error_message(), ".json:")[6]))
            rc = DD_ENOMEM;
        if (rc != DD_OK && rc != DD_ENOMEM)
            fail_msg("allocation %ld failed: %s", n, dd_error_message());
        if (n > 100000)
            fail_msg("still out of memory after %ld allocations", n);
    }
    assert_int_equal(rc, DD_OK);
    /* the run allocates: the loop failed it at several steps */
    assert_true(n > 3);
    return state;
}

/* The test data directory tests/unit/scan/data, through DD_TEST_DATA (tests/data). */
static void data_path(char *out, size_t size, const char *name)
{
    const char *d = getenv("DD_TEST_DATA");

    snprintf(out, size, "%s/../unit/scan/data/%s", d ? d : "tests/data", name);
}

static void read_data(dd_buf *b, const char *name)
{
    char path[4096];

    data_path(path, sizeof(path), name);
    if (dd_read_file(b, path, 1 << 20) != DD_OK)
        fail_msg("%s: %s", path, dd_error_message());
}

#endif
