/* Unit tests for the rpm database readers on real databases (tests/data/rpm, made by
 * tests/catalog/rpm/make-fixtures.sh with rpm 4.18 and db5.3_load) and corrupted copies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/rpm_int.h"

typedef struct {
    dd_buf lines;
    size_t records, files;
} dump;

static int on_record(const uint8_t *blob, size_t len, uint32_t hdrnum, void *payload)
{
    dump *d = payload;
    dd_arena *arena;
    dd_rpm_header h;
    int rc;

    assert_int_equal(dd_arena_new(&arena), DD_OK);
    assert_true(hdrnum > 0);
    if ((rc = dd_rpm__header_parse(&h, arena, blob, len, 1)) == DD_OK) {
        d->records++;
        d->files += h.n_files;
        dd_buf_printf(&d->lines, "%s|%u|%s|%s|%s|%s|%s|%s|%llu\n", h.name,
                      h.has_epoch ? h.epoch : 0, h.version, h.release, h.arch ? h.arch : "(none)",
                      h.sourcerpm ? h.sourcerpm : "(none)", h.license,
                      h.vendor ? h.vendor : "(none)", (unsigned long long)h.size);
    }
    dd_arena_free(arena);
    return rc;
}

static int line_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the lines of `text` in place, as `LC_ALL=C sort` does. */
static void sort_lines(dd_buf *text)
{
    char *lines[64], *p = text->data;
    size_t n = 0;
    dd_buf out = DD_BUF_INIT;

    while (*p && n < 64) {
        char *nl = strchr(p, '\n');

        lines[n++] = p;
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    qsort(lines, n, sizeof(*lines), line_cmp);
    for (size_t i = 0; i < n; i++)
        dd_buf_printf(&out, "%s\n", lines[i]);
    dd_buf_dispose(text);
    *text = out;
}

static void load(dd_buf *out, const char *name)
{
    char path[4096];
    const char *dir = getenv("DD_TEST_DATA");

    snprintf(path, sizeof(path), "%s/rpm/%s", dir ? dir : "tests/data", name);
    *out = (dd_buf)DD_BUF_INIT;
    if (dd_read_file(out, path, 1u << 24) != DD_OK)
        fail_msg("%s: %s", path, dd_error_message());
}

static void reads_like_rpm(const char *name, dd_rpmdb_format format)
{
    dd_buf db, expected;
    dump d = {DD_BUF_INIT, 0, 0};

    load(&db, name);
    load(&expected, "expected-qa.txt");
    assert_int_equal(dd_rpm__detect((const uint8_t *)db.data, db.len), format);
    assert_int_equal(dd_rpm__db_each((const uint8_t *)db.data, db.len, name, on_record, &d), DD_OK);
    sort_lines(&d.lines);
    assert_string_equal(d.lines.data, expected.data);
    assert_int_equal(d.records, 6);
    assert_int_equal(d.files, 501); /* lines of expected-files.txt */
    dd_buf_dispose(&d.lines);
    dd_buf_dispose(&db);
    dd_buf_dispose(&expected);
}

static void reads_sqlite(void **state)
{
    reads_like_rpm("rpmdb.sqlite", DD_RPMDB_SQLITE);
}

static void reads_bdb(void **state)
{
    reads_like_rpm("Packages", DD_RPMDB_BDB);
}

static void reads_ndb(void **state)
{
    reads_like_rpm("Packages.db", DD_RPMDB_NDB);
}

/* Every truncation of a database fails with the path and an offset, or reads a prefix. */
static void truncations_fail_cleanly(const char *name, size_t step)
{
    dd_buf db;

    load(&db, name);
    for (size_t n = 0; n < db.len; n += step) {
        dump d = {DD_BUF_INIT, 0, 0};
        int rc = dd_rpm__db_each((const uint8_t *)db.data, n, name, on_record, &d);

        assert_true(rc != DD_OK || d.records <= 6);
        if (rc != DD_OK && !strstr(dd_error_message(), name))
            fail_msg("truncated to %zu: \"%s\" does not name the file", n, dd_error_message());
        assert_true(d.records <= 6);
        dd_buf_dispose(&d.lines);
    }
    dd_buf_dispose(&db);
}

static void truncated_databases(void **state)
{
    truncations_fail_cleanly("Packages", 97);
    truncations_fail_cleanly("Packages.db", 89);
    truncations_fail_cleanly("rpmdb.sqlite", 4096);
}

static uint32_t le32(const char *p)
{
    const uint8_t *u = (const uint8_t *)p;

    return (uint32_t)u[3] << 24 | (uint32_t)u[2] << 16 | (uint32_t)u[1] << 8 | u[0];
}

static void put_le32(char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (char)(v >> (8 * i));
}

static void bdb_overflow_loop_is_caught(void **state)
{
    dd_buf db;
    uint32_t pagesize;
    int patched = 0;

    load(&db, "Packages");
    pagesize = le32(db.data + 20);
    /* point every overflow page's "next" back at itself */
    for (size_t off = pagesize; off + pagesize <= db.len; off += pagesize)
        if (db.data[off + 25] == 7) {
            put_le32(db.data + off + 16, (uint32_t)(off / pagesize));
            patched++;
        }
    assert_true(patched > 10);
    {
        dump d = {DD_BUF_INIT, 0, 0};

        assert_int_equal(dd_rpm__bdb_each((const uint8_t *)db.data, db.len, "Packages",
                                          on_record, &d), DD_EINVALID);
        assert_non_null(strstr(dd_error_message(), "Packages: offset "));
        dd_buf_dispose(&d.lines);
    }
    dd_buf_dispose(&db);
}

static void bdb_rejects_other_databases(void **state)
{
    dd_buf db;
    dump d = {DD_BUF_INIT, 0, 0};

    load(&db, "Packages");
    db.data[24] = 1; /* encrypted */
    assert_int_equal(dd_rpm__bdb_each((const uint8_t *)db.data, db.len, "P", on_record, &d),
                     DD_EUNSUPPORTED);
    db.data[24] = 0;
    db.data[12] = 0x62; /* btree magic */
    assert_int_equal(dd_rpm__bdb_each((const uint8_t *)db.data, db.len, "P", on_record, &d),
                     DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "P: offset 12"));
    dd_buf_dispose(&db);
    dd_buf_dispose(&d.lines);
}

static void ndb_corruption_names_the_offset(void **state)
{
    dd_buf db;
    dump d = {DD_BUF_INIT, 0, 0};

    load(&db, "Packages.db");
    memcpy(db.data + 48, "Slop", 4);
    assert_int_equal(dd_rpm__ndb_each((const uint8_t *)db.data, db.len, "Packages.db", on_record,
                                      &d), DD_EINVALID);
    assert_string_equal(dd_error_message(), "Packages.db: offset 48: bad slot magic");
    memcpy(db.data + 48, "Slot", 4);
    /* two slots for one package */
    memcpy(db.data + 48 + 4, db.data + 32 + 4, 4);
    assert_int_equal(dd_rpm__ndb_each((const uint8_t *)db.data, db.len, "Packages.db", on_record,
                                      &d), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "second slot"));
    dd_buf_dispose(&db);
    dd_buf_dispose(&d.lines);
}

static void a_bad_header_stops_with_its_number(void **state)
{
    dd_buf db;
    dump d = {DD_BUF_INIT, 0, 0};
    uint32_t blkoff;

    load(&db, "Packages.db");
    blkoff = le32(db.data + 32 + 8 + 16); /* the second package's blob */
    put_le32(db.data + blkoff * 16 + 16 + 4, 0xffffffu); /* its dl */
    assert_int_equal(dd_rpm__ndb_each((const uint8_t *)db.data, db.len, "Packages.db", on_record,
                                      &d), DD_EINVALID);
    assert_int_equal(d.records, 1);
    dd_buf_dispose(&db);
    dd_buf_dispose(&d.lines);
}

static void sqlite_garbage_is_invalid(void **state)
{
    char junk[4096];
    dump d = {DD_BUF_INIT, 0, 0};

    memset(junk, 'x', sizeof(junk));
    memcpy(junk, "SQLite format 3", 16);
    assert_int_equal(dd_rpm__sqlite_each((const uint8_t *)junk, sizeof(junk), "rpmdb.sqlite",
                                         on_record, &d), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "rpmdb.sqlite"));
    assert_int_equal(dd_rpm__db_each((const uint8_t *)"hello", 5, "x", on_record, &d),
                     DD_EUNSUPPORTED);
    dd_buf_dispose(&d.lines);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_sqlite),
        cmocka_unit_test(reads_bdb),
        cmocka_unit_test(reads_ndb),
        cmocka_unit_test(truncated_databases),
        cmocka_unit_test(bdb_overflow_loop_is_caught),
        cmocka_unit_test(bdb_rejects_other_databases),
        cmocka_unit_test(ndb_corruption_names_the_offset),
        cmocka_unit_test(a_bad_header_stops_with_its_number),
        cmocka_unit_test(sqlite_garbage_is_invalid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
