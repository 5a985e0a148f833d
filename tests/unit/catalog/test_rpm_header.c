/* Unit tests for the rpm header blob parser, on hand-built and hostile blobs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "catalog/rpm_int.h"

enum { T_INT32 = 4, T_STRING = 6, T_BIN = 7, T_STRING_ARRAY = 8, T_I18N = 9 };

typedef struct {
    uint32_t tag, type, count;
    const void *data;
    size_t len;
} tag_spec;

static uint8_t blob[1 << 16];

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Lays out an "il dl index data" blob the way rpm does, with 4-byte alignment for integers. */
static size_t build(const tag_spec *t, size_t n)
{
    size_t dl = 0, data_at = 8 + 16 * n;

    for (size_t i = 0; i < n; i++) {
        if (t[i].type == T_INT32)
            while (dl % 4)
                blob[data_at + dl++] = 0;
        put32(blob + 8 + 16 * i, t[i].tag);
        put32(blob + 8 + 16 * i + 4, t[i].type);
        put32(blob + 8 + 16 * i + 8, (uint32_t)dl);
        put32(blob + 8 + 16 * i + 12, t[i].count);
        memcpy(blob + data_at + dl, t[i].data, t[i].len);
        dl += t[i].len;
    }
    put32(blob, (uint32_t)n);
    put32(blob + 4, (uint32_t)dl);
    return data_at + dl;
}

#define S(tag, str) {tag, T_STRING, 1, str, sizeof(str)}

static const uint8_t epoch_7[4] = {0, 0, 0, 7};
static const uint8_t size_1234[4] = {0, 0, 0x04, 0xd2};
static const uint8_t dirindexes[12] = {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
static const char dirnames[] = "/usr/bin/\0/etc/";
static const char basenames[] = "tool\0tool.conf\0helper";

static size_t build_full(void)
{
    const tag_spec t[] = {
        {63, T_BIN, 16, "\0\0\0\077\0\0\0\007\0\0\0\0\0\0\0\020", 16},
        S(DD_RPMTAG_NAME, "tool"),
        S(DD_RPMTAG_VERSION, "1.0"),
        S(DD_RPMTAG_RELEASE, "3.el9"),
        {DD_RPMTAG_EPOCH, T_INT32, 1, epoch_7, 4},
        {DD_RPMTAG_SIZE, T_INT32, 1, size_1234, 4},
        {DD_RPMTAG_LICENSE, T_STRING, 1, "MIT", 4},
        {DD_RPMTAG_VENDOR, T_STRING, 1, "Example", 8},
        S(DD_RPMTAG_ARCH, "x86_64"),
        S(DD_RPMTAG_SOURCERPM, "tool-src-1.0-3.el9.src.rpm"),
        {DD_RPMTAG_DIRINDEXES, T_INT32, 3, dirindexes, sizeof(dirindexes)},
        {DD_RPMTAG_BASENAMES, T_STRING_ARRAY, 3, basenames, sizeof(basenames)},
        {DD_RPMTAG_DIRNAMES, T_STRING_ARRAY, 2, dirnames, sizeof(dirnames)},
    };

    return build(t, DD_ARRAY_SIZE(t));
}

static void parses_every_field(void **state)
{
    size_t len = build_full();
    dd_arena *arena;
    dd_rpm_header h;

    assert_int_equal(dd_arena_new(&arena), DD_OK);
    assert_int_equal(dd_rpm__header_parse(&h, arena, blob, len, 1), DD_OK);
    assert_string_equal(h.name, "tool");
    assert_string_equal(h.version, "1.0");
    assert_string_equal(h.release, "3.el9");
    assert_true(h.has_epoch);
    assert_int_equal(h.epoch, 7);
    assert_true(h.has_size);
    assert_int_equal(h.size, 1234);
    assert_string_equal(h.license, "MIT");
    assert_string_equal(h.vendor, "Example");
    assert_string_equal(h.arch, "x86_64");
    assert_string_equal(h.sourcerpm, "tool-src-1.0-3.el9.src.rpm");
    assert_int_equal(h.n_files, 3);
    assert_string_equal(h.files[0], "usr/bin/tool");
    assert_string_equal(h.files[1], "etc/tool.conf");
    assert_string_equal(h.files[2], "usr/bin/helper");
    /* without files, no file list */
    assert_int_equal(dd_rpm__header_parse(&h, arena, blob, len, 0), DD_OK);
    assert_int_equal(h.n_files, 0);
    assert_null(h.files);
    dd_arena_free(arena);
}

static void accepts_the_package_file_magic(void **state)
{
    static uint8_t with_magic[sizeof(blob) + 8];
    size_t len = build_full();
    dd_arena *arena;
    dd_rpm_header h;

    memcpy(with_magic, "\x8e\xad\xe8\x01\0\0\0\0", 8);
    memcpy(with_magic + 8, blob, len);
    assert_int_equal(dd_arena_new(&arena), DD_OK);
    assert_int_equal(dd_rpm__header_parse(&h, arena, with_magic, len + 8, 1), DD_OK);
    assert_string_equal(h.name, "tool");
    dd_arena_free(arena);
}

static void later_entries_replace_earlier_ones(void **state)
{
    const tag_spec t[] = {
        S(DD_RPMTAG_NAME, "old"),
        {DD_RPMTAG_OLDFILENAMES, T_STRING_ARRAY, 2, "/a\0/b/c", 8},
        {DD_RPMTAG_NAME, T_I18N, 1, "new", 4},
    };
    size_t len = build(t, DD_ARRAY_SIZE(t));
    dd_arena *arena;
    dd_rpm_header h;

    assert_int_equal(dd_arena_new(&arena), DD_OK);
    assert_int_equal(dd_rpm__header_parse(&h, arena, blob, len, 1), DD_OK);
    assert_string_equal(h.name, "new");
    assert_null(h.version);
    assert_false(h.has_epoch);
    assert_int_equal(h.n_files, 2);
    assert_string_equal(h.files[0], "a");
    assert_string_equal(h.files[1], "b/c");
    dd_arena_free(arena);
}

static void expect_invalid(const tag_spec *t, size_t n, const char *fragment)
{
    size_t len = build(t, n);
    dd_arena *arena;
    dd_rpm_header h;

    assert_int_equal(dd_arena_new(&arena), DD_OK);
    assert_int_equal(dd_rpm__header_parse(&h, arena, blob, len, 1), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "header offset"));
    if (fragment && !strstr(dd_error_message(), fragment))
        fail_msg("message \"%s\" lacks \"%s\"", dd_error_message(), fragment);
    dd_arena_free(arena);
}

static void rejects_lying_entries(void **state)
{
    const tag_spec no_nul[] = {{DD_RPMTAG_NAME, T_STRING, 1, "abc", 3}};
    const tag_spec count_lie[] = {
        S(DD_RPMTAG_NAME, "x"),
        {DD_RPMTAG_OLDFILENAMES, T_STRING_ARRAY, 3, "/a\0/b", 6},
    };
    const tag_spec huge_count[] = {
        S(DD_RPMTAG_NAME, "x"),
        {DD_RPMTAG_BASENAMES, T_STRING_ARRAY, 0xffffffffu, "a", 2},
        {DD_RPMTAG_DIRNAMES, T_STRING_ARRAY, 1, "/", 2},
        {DD_RPMTAG_DIRINDEXES, T_INT32, 1, "\0\0\0\0", 4},
    };
    const tag_spec bad_dirindex[] = {
        S(DD_RPMTAG_NAME, "x"),
        {DD_RPMTAG_DIRINDEXES, T_INT32, 1, "\0\0\0\2", 4},
        {DD_RPMTAG_BASENAMES, T_STRING_ARRAY, 1, "a", 2},
        {DD_RPMTAG_DIRNAMES, T_STRING_ARRAY, 1, "/", 2},
    };
    const tag_spec short_dirindexes[] = {
        S(DD_RPMTAG_NAME, "x"),
        {DD_RPMTAG_BASENAMES, T_STRING_ARRAY, 2, "a\0b", 4},
        {DD_RPMTAG_DIRNAMES, T_STRING_ARRAY, 1, "/", 2},
        {DD_RPMTAG_DIRINDEXES, T_INT32, 1, "\0\0\0\0", 4},
    };
    const tag_spec no_dirs[] = {
        S(DD_RPMTAG_NAME, "x"),
        {DD_RPMTAG_BASENAMES, T_STRING_ARRAY, 1, "a", 2},
    };
    const tag_spec int_past_end[] = {
        S(DD_RPMTAG_NAME, "x"),
        {DD_RPMTAG_EPOCH, T_INT32, 1, "\0\0", 2},
    };
    const tag_spec string_as_int[] = {S(DD_RPMTAG_NAME, "x"), S(DD_RPMTAG_EPOCH, "1")};
    const tag_spec no_name[] = {S(DD_RPMTAG_VERSION, "1")};
    const tag_spec bad_type[] = {{DD_RPMTAG_NAME, 42, 1, "x", 2}};

    expect_invalid(no_nul, 1, "past the data store");
    expect_invalid(count_lie, 2, "tag 1027");
    expect_invalid(huge_count, 4, "count");
    expect_invalid(bad_dirindex, 4, "out of range");
    expect_invalid(short_dirindexes, 4, "do not match");
    expect_invalid(no_dirs, 2, "without directory");
    expect_invalid(int_past_end, 2, "past the data store");
    expect_invalid(string_as_int, 2, "not an integer");
    expect_invalid(no_name, 1, "no NAME");
    expect_invalid(bad_type, 1, "unknown data type");
}

static void rejects_bad_sizes(void **state)
{
    size_t len = build_full();
    dd_arena *arena;
    dd_rpm_header h;

    assert_int_equal(dd_arena_new(&arena), DD_OK);
    /* every truncation fails cleanly */
    for (size_t n = 0; n < len; n++)
        assert_int_equal(dd_rpm__header_parse(&h, arena, blob, n, 1), DD_EINVALID);
    put32(blob, 0);
    assert_int_equal(dd_rpm__header_parse(&h, arena, blob, len, 1), DD_EINVALID);
    put32(blob, 0x10000);
    assert_int_equal(dd_rpm__header_parse(&h, arena, blob, len, 1), DD_EINVALID);
    put32(blob, 13);
    put32(blob + 4, 0xffffff00u);
    assert_int_equal(dd_rpm__header_parse(&h, arena, blob, len, 1), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "offset 4"));
    dd_arena_free(arena);
}

static void survives_every_byte_flipped(void **state)
{
    size_t len = build_full();
    static uint8_t copy[sizeof(blob)];
    dd_arena *arena;
    dd_rpm_header h;

    assert_int_equal(dd_arena_new(&arena), DD_OK);
    for (size_t i = 0; i < len; i++) {
        static const uint8_t flips[] = {0x01, 0x80, 0xff};

        for (size_t f = 0; f < sizeof(flips); f++) {
            memcpy(copy, blob, len);
            copy[i] ^= flips[f];
            (void)dd_rpm__header_parse(&h, arena, copy, len, 1);
        }
    }
    dd_arena_free(arena);
}

static void splits_source_rpm_names(void **state)
{
    size_t nl, vl;
    const char *vr;

    assert_int_equal(dd_rpm__split_srpm("glibc-2.34-100.el9_4.2.src.rpm", &nl, &vr, &vl), 0);
    assert_int_equal(nl, 5);
    assert_memory_equal(vr, "2.34-100.el9_4.2", vl);
    assert_int_equal(vl, strlen("2.34-100.el9_4.2"));
    assert_int_equal(dd_rpm__split_srpm("python3-dnf-plugins-core-4.3.0-13.el9.src.rpm", &nl,
                                        &vr, &vl), 0);
    assert_int_equal(nl, strlen("python3-dnf-plugins-core"));
    assert_int_equal(dd_rpm__split_srpm("kernel-5.14.0-1.nosrc.rpm", &nl, &vr, &vl), 0);
    assert_int_equal(nl, 6);
    assert_int_equal(dd_rpm__split_srpm("(none)", &nl, &vr, &vl), -1);
    assert_int_equal(dd_rpm__split_srpm("noversion.src.rpm", &nl, &vr, &vl), -1);
    assert_int_equal(dd_rpm__split_srpm("a-1.src.rpm", &nl, &vr, &vl), -1);
    assert_int_equal(dd_rpm__split_srpm("-1-2.src.rpm", &nl, &vr, &vl), -1);
    assert_int_equal(dd_rpm__split_srpm("a--2.src.rpm", &nl, &vr, &vl), -1);
    assert_int_equal(dd_rpm__split_srpm(".src.rpm", &nl, &vr, &vl), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_every_field),
        cmocka_unit_test(accepts_the_package_file_magic),
        cmocka_unit_test(later_entries_replace_earlier_ones),
        cmocka_unit_test(rejects_lying_entries),
        cmocka_unit_test(rejects_bad_sizes),
        cmocka_unit_test(survives_every_byte_flipped),
        cmocka_unit_test(splits_source_rpm_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
