/* Unit tests for the apk database parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_int.h"

#include "pkglist_fixture.h"

static const char two[] = "C:Q1abc=\nP:musl\nV:1.2.5-r0\nA:x86_64\nS:411323\nI:654336\n"
                          "T:the musl c library\nU:https://musl.libc.org/\nL:MIT\no:musl\n"
                          "m:Natanael Copa <ncopa@alpinelinux.org>\nt:1714981135\n"
                          "c:0123456789abcdef\nD:so:libc.musl-x86_64.so.1\nF:lib\nR:ld-musl-x86_64.so.1\n"
                          "a:0:0:755\nZ:Q1xyz=\nR:libc.musl-x86_64.so.1\n\n"
                          "P:libcrypto3\nV:3.3.2-r0\nA:x86_64\nI:4939776\nL:Apache-2.0\no:openssl\n"
                          "F:usr/lib/\nR:libcrypto.so.3\n\n";

static void parses_fields_and_files(void **state)
{
    fixture *f = *state;
    const dd_package *p;

    assert_int_equal(dd_apk__parse(&f->list, "lib/apk/db/installed", two, strlen(two)), DD_OK);
    assert_int_equal(f->list.n, 2);
    p = &f->list.v[0];
    assert_int_equal(p->type, DD_PKG_APK);
    assert_string_equal(p->name, "musl");
    assert_string_equal(p->version, "1.2.5-r0");
    assert_string_equal(p->arch, "x86_64");
    assert_string_equal(p->license, "MIT");
    assert_string_equal(p->source_name, "musl");
    assert_string_equal(p->source_version, "1.2.5-r0");
    assert_string_equal(p->maintainer, "Natanael Copa <ncopa@alpinelinux.org>");
    assert_string_equal(p->commit, "0123456789abcdef");
    assert_string_equal(p->description, "the musl c library");
    assert_int_equal(p->installed_size, 654336);
    assert_int_equal(p->n_files, 2);
    assert_string_equal(p->files[0], "lib/ld-musl-x86_64.so.1");
    assert_string_equal(p->files[1], "lib/libc.musl-x86_64.so.1");
    assert_string_equal(p->db_path, "lib/apk/db/installed");
    p = &f->list.v[1];
    assert_string_equal(p->source_name, "openssl");
    assert_string_equal(p->files[0], "usr/lib/libcrypto.so.3");
}

static void truncation_keeps_earlier_packages(void **state)
{
    fixture *f = *state;
    size_t cut = strlen(two) - 10;

    assert_int_equal(dd_apk__parse(&f->list, "lib/apk/db/installed", two, cut), DD_EINVALID);
    assert_int_equal(f->list.n, 1);
    assert_non_null(strstr(dd_error_message(), "lib/apk/db/installed:"));
    assert_non_null(strstr(dd_error_message(), "truncated"));
}

static void rejects_garbage_with_line(void **state)
{
    fixture *f = *state;
    const char bad[] = "P:a\nV:1\n\nP:b\nthis is not a field\n\n";
    const char nover[] = "P:a\nA:x86_64\n\n";
    const char badsize[] = "P:a\nV:1\nI:12x\n\n";

    assert_int_equal(dd_apk__parse(&f->list, "db", bad, strlen(bad)), DD_EINVALID);
    assert_string_equal(dd_error_message(), "db:5: not a \"X:value\" line");
    assert_int_equal(f->list.n, 1);
    assert_int_equal(dd_apk__parse(&f->list, "db", nover, strlen(nover)), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "db:1: package without V:"));
    assert_int_equal(dd_apk__parse(&f->list, "db", badsize, strlen(badsize)), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "db:3:"));
}

static void empty_db_is_empty(void **state)
{
    fixture *f = *state;

    assert_int_equal(dd_apk__parse(&f->list, "db", "", 0), DD_OK);
    assert_int_equal(dd_apk__parse(&f->list, "db", "\n\n", 2), DD_OK);
    assert_int_equal(f->list.n, 0);
}

/* Every package of the real Alpine 3.20.3 database. */
static void reads_real_alpine_db(void **state)
{
    fixture *f = *state;
    const char *data_dir = getenv("DD_TEST_DATA");
    char path[4096];
    dd_buf b = DD_BUF_INIT;
    int rc;

    snprintf(path, sizeof(path), "%s/../../../shared/fixtures/alpine/3.20.3/lib/apk/db/installed",
             data_dir ? data_dir : "tests/data");
    rc = dd_read_file(&b, path, 1 << 20);
    if (rc != DD_OK) {
        dd_buf_dispose(&b);
        skip();
    }
    assert_int_equal(dd_apk__parse(&f->list, "lib/apk/db/installed", b.data, b.len), DD_OK);
    assert_int_equal(f->list.n, 14);
    assert_string_equal(f->list.v[0].name, "alpine-baselayout");
    assert_string_equal(f->list.v[0].license, "GPL-2.0-only");
    dd_buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(parses_fields_and_files, setup, teardown),
        cmocka_unit_test_setup_teardown(truncation_keeps_earlier_packages, setup, teardown),
        cmocka_unit_test_setup_teardown(rejects_garbage_with_line, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_db_is_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(reads_real_alpine_db, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
