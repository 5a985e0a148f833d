/* Unit tests for the shared helpers: buffers, arenas, SHA-256, paths, allocation hook. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

#include <jansson.h>

static void buf_grows_and_stays_terminated(void **state)
{
    dd_buf b = DD_BUF_INIT;

    assert_string_equal(b.data, "");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(dd_buf_printf(&b, "%d,", i % 10), DD_OK);
    assert_int_equal(b.len, 2000);
    assert_int_equal(b.data[b.len], '\0');
    assert_memory_equal(b.data, "0,1,2,", 6);
    dd_buf_clear(&b);
    assert_string_equal(b.data, "");
    dd_buf_dispose(&b);
    assert_string_equal(b.data, "");
}

static void buf_respects_cap(void **state)
{
    dd_buf b = DD_BUF_INIT;

    b.cap = 8;
    assert_int_equal(dd_buf_puts(&b, "12345678"), DD_OK);
    assert_int_equal(dd_buf_putc(&b, '9'), DD_ELIMIT);
    assert_string_equal(b.data, "12345678");
    dd_buf_dispose(&b);
}

static void arena_allocates_aligned(void **state)
{
    dd_arena *a;

    assert_int_equal(dd_arena_new(&a), DD_OK);
    for (int i = 0; i < 10000; i++) {
        char *p = dd_arena_alloc(a, (size_t)(i % 100) + 1);

        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xab, (size_t)(i % 100) + 1);
    }
    assert_non_null(dd_arena_alloc(a, 1 << 20));
    assert_string_equal(dd_arena_strdup(a, "hello"), "hello");
    assert_string_equal(dd_arena_strndup(a, "hello", 3), "hel");
    dd_arena_free(a);
    dd_arena_free(NULL);
}

static void sha256_known_vectors(void **state)
{
    char d[72];

    assert_int_equal(dd_sha256_digest(d, "", 0), DD_OK);
    assert_string_equal(d,
                        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_int_equal(dd_sha256_digest(d, "abc", 3), DD_OK);
    assert_string_equal(d,
                        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_true(dd_digest_valid(d));
    assert_false(
        dd_digest_valid("sha256:BA7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    assert_false(dd_digest_valid("sha256:ba78"));
    assert_false(dd_digest_valid("md5:x"));
    assert_false(dd_digest_valid(NULL));
}

static void path_normalize_cases(void **state)
{
    static const struct {
        const char *in, *out;
        int rc;
        bool abs;
    } cases[] = {
        {"./etc/passwd", "etc/passwd", DD_OK, false},
        {"/etc//passwd/", "etc/passwd", DD_OK, true},
        {"a/./b/.", "a/b", DD_OK, false},
        {".", "", DD_OK, false},
        {"./", "", DD_OK, false},
        {"a/../b", NULL, DD_EINVALID, false},
        {"../etc", NULL, DD_EINVALID, false},
        {"a/..b/c..", "a/..b/c..", DD_OK, false},
        {"//", "", DD_OK, true},
    };

    for (size_t i = 0; i < DD_ARRAY_SIZE(cases); i++) {
        char buf[64];
        bool abs;

        snprintf(buf, sizeof(buf), "%s", cases[i].in);
        assert_int_equal(dd_path_normalize(buf, &abs), cases[i].rc);
        if (cases[i].rc == DD_OK) {
            assert_string_equal(buf, cases[i].out);
            assert_int_equal(abs, cases[i].abs);
        }
    }
    assert_int_equal(dd_path_depth(""), 0);
    assert_int_equal(dd_path_depth("a"), 1);
    assert_int_equal(dd_path_depth("a/b/c"), 3);
}

static void array_reserve_grows_and_keeps(void **state)
{
    int *v = NULL;
    size_t alloc = 0;

    for (size_t i = 0; i < 1000; i++) {
        assert_int_equal(DD_ARRAY_RESERVE(v, alloc, i + 1, sizeof(*v), 4), DD_OK);
        assert_true(alloc >= i + 1);
        v[i] = (int)i;
    }
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(v[i], (int)i);
    assert_int_equal(DD_ARRAY_RESERVE(v, alloc, SIZE_MAX / 2, sizeof(*v), 4), DD_ENOMEM);
    assert_int_equal(v[999], 999);
    dd_free(v);
}

static void pread_full_reads_to_the_end(void **state)
{
    char path[] = "/tmp/dd-util-XXXXXX", buf[64];
    int fd = mkstemp(path);
    size_t got;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, "0123456789", 10), 10);
    assert_int_equal(dd_pread_full(fd, buf, 4, 3, &got), 0);
    assert_int_equal(got, 4);
    assert_memory_equal(buf, "3456", 4);
    assert_int_equal(dd_pread_full(fd, buf, sizeof(buf), 8, &got), 0);
    assert_int_equal(got, 2);
    close(fd);
    unlink(path);
    assert_int_equal(dd_pread_full(fd, buf, 4, 0, &got), -1);
}

static int fail_after;

static void *failing_malloc(size_t size, void *payload)
{
    return fail_after-- > 0 ? malloc(size) : NULL;
}

static void *failing_realloc(void *p, size_t size, void *payload)
{
    return fail_after-- > 0 ? realloc(p, size) : NULL;
}

static void plain_free(void *p, void *payload)
{
    free(p);
}

static void allocation_hook_fails_cleanly(void **state)
{
    const dd_allocator hook = {failing_malloc, failing_realloc, plain_free, NULL};

    /* fail each allocation in turn: every path must report ENOMEM and leak nothing */
    for (int n = 0; n < 4; n++) {
        dd_buf b = DD_BUF_INIT;
        int rc = DD_OK;

        fail_after = n;
        dd_set_allocator(&hook);
        for (int i = 0; i < 100 && rc == DD_OK; i++)
            rc = dd_buf_puts(&b, "0123456789");
        dd_set_allocator(NULL);
        assert_int_equal(rc, DD_ENOMEM);
        dd_buf_dispose(&b);
    }
}

static void errors_carry_messages(void **state)
{
    dd_error_state st;

    assert_int_equal(dd_error_set(DD_EINVALID, "x.tar: layer %d: bad", 2), DD_EINVALID);
    assert_string_equal(dd_error_message(), "x.tar: layer 2: bad");
    dd_error_prefix("outer");
    assert_string_equal(dd_error_message(), "outer: x.tar: layer 2: bad");
    dd_error_save(&st);
    dd_error_clear();
    assert_string_equal(dd_error_message(), "");
    assert_int_equal(dd_error_restore(&st), DD_EINVALID);
    assert_string_equal(dd_error_message(), "outer: x.tar: layer 2: bad");
    assert_string_equal(dd_error_name(DD_ELIMIT), "limit exceeded");
}

/* dd_json_dump writes what jansson writes, compact and indented, on documents with every kind
 * of value, empty and nested containers, escapes and multi-byte characters, and on random
 * trees. */
static void json_dump_matches_jansson(void **state)
{
    static const char *const docs[] = {
        "{}",
        "[]",
        "[[], {}, [[]], {\"a\": {}}]",
        "{\"s\": \"tab\\t nl\\n q\\\" bs\\\\ ctl\\u0001\\u001f del\\u007f slash/ \\u00e9\\u4e2d"
        "\\ud83d\\ude00\", \"i\": -9223372036854775807, \"r\": 0.1, \"e\": 1e300, \"t\": true, "
        "\"f\": false, \"n\": null, \"z\": 0}",
        "{\"b\": 1, \"a\": 2, \"nested\": {\"list\": [1, [2, [3, {\"deep\": \"x\"}]]]}}",
        "[\"\", {\"\": \"\"}, \"\\b\\f\\r\"]",
    };
    unsigned indents[] = {0, 2, 4};
    unsigned seed = 12345;

    (void)state;
    for (size_t d = 0; d < DD_ARRAY_SIZE(docs) + 200; d++) {
        json_error_t err;
        json_t *doc;

        if (d < DD_ARRAY_SIZE(docs)) {
            doc = json_loads(docs[d], 0, &err);
        } else {
            /* a random tree: containers up to 4 deep, scalars of every type */
            json_t *stack[5];
            int depth = 0;

            doc = stack[0] = (seed & 1) ? json_object() : json_array();
            for (int k = 0; k < 40; k++) {
                json_t *v;

                seed = seed * 1103515245u + 12345u;
                switch ((seed >> 16) % 8) {
                case 0:
                    v = depth < 4 ? json_object() : json_null();
                    break;
                case 1:
                    v = depth < 4 ? json_array() : json_true();
                    break;
                case 2:
                    v = json_integer((json_int_t)(seed >> 8) - 4000000);
                    break;
                case 3:
                    v = json_real((double)(seed >> 12) / 7.0);
                    break;
                case 4:
                    v = json_string("x\"y\\z\n\xc3\xa9");
                    break;
                case 5:
                    v = json_false();
                    break;
                case 6:
                    v = json_string("");
                    break;
                default:
                    if (depth > 0)
                        depth--;
                    continue;
                }
                if (json_is_object(stack[depth])) {
                    char key[16];

                    snprintf(key, sizeof(key), "k%d", k);
                    json_object_set_new(stack[depth], key, v);
                } else {
                    json_array_append_new(stack[depth], v);
                }
                if ((json_is_object(v) || json_is_array(v)) && depth < 4)
                    stack[++depth] = v;
            }
        }
        assert_non_null(doc);
        for (size_t i = 0; i < DD_ARRAY_SIZE(indents); i++) {
            size_t flags =
                JSON_PRESERVE_ORDER | (indents[i] ? JSON_INDENT(indents[i]) : JSON_COMPACT);
            char *want = json_dumps(doc, flags);
            dd_buf got = DD_BUF_INIT;

            assert_non_null(want);
            assert_int_equal(dd_json_dump(&got, doc, indents[i]), DD_OK);
            assert_string_equal(got.data, want);
            free(want);
            dd_buf_dispose(&got);
        }
        json_decref(doc);
    }
}

/* Past 2,048 levels of nesting: DD_ELIMIT, and the buffer keeps what it had. */
static void json_dump_limits_depth(void **state)
{
    json_t *doc = json_array(), *v = doc, *scalar = json_string("x");
    dd_buf b = DD_BUF_INIT;

    (void)state;
    for (int i = 0; i < 3000; i++) {
        json_t *inner = json_array();

        json_array_append_new(v, inner);
        v = inner;
    }
    assert_int_equal(dd_buf_puts(&b, "kept"), DD_OK);
    assert_int_equal(dd_json_dump(&b, doc, 2), DD_ELIMIT);
    assert_string_equal(b.data, "kept");
    assert_int_equal(dd_json_dump(&b, scalar, 0), DD_EINVALID);
    dd_error_clear();
    dd_buf_dispose(&b);
    json_decref(scalar);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_grows_and_stays_terminated),
        cmocka_unit_test(buf_respects_cap),
        cmocka_unit_test(arena_allocates_aligned),
        cmocka_unit_test(sha256_known_vectors),
        cmocka_unit_test(path_normalize_cases),
        cmocka_unit_test(allocation_hook_fails_cleanly),
        cmocka_unit_test(array_reserve_grows_and_keeps),
        cmocka_unit_test(pread_full_reads_to_the_end),
        cmocka_unit_test(errors_carry_messages),
        cmocka_unit_test(json_dump_matches_jansson),
        cmocka_unit_test(json_dump_limits_depth),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
