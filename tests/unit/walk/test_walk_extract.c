/* Unit tests for the walk's extractors: files chosen by their first bytes and mode, the ranges an
 * extractor asks for in a streamed layer (forward only) and in a directory root (anywhere), the
 * extract kept, and the files nobody reads past their magic. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "walk/walk_int.h"

#define FILE_LEN 100000

/* The test extractor: asks for [want_at, want_at+8), then (directory roots only) for [16, 24);
 * keeps what it is handed as "OFFSET:BYTES;" and counts its calls. */
typedef struct {
    uint64_t want_at;
    int calls, finals, seekable_seen;
} probe;

static int probe_fn(dd_walk_extract_ctx *x, uint64_t off, const void *data, size_t len,
                    void *payload)
{
    probe *p = payload;
    char head[32];
    int rc, *step = x->state;

    if (!data) {
        __atomic_add_fetch(&p->finals, 1, __ATOMIC_RELAXED);
        free(step);
        x->state = NULL;
        return DD_OK;
    }
    __atomic_add_fetch(&p->calls, 1, __ATOMIC_RELAXED);
    if (!step && !(x->state = step = calloc(1, sizeof(*step))))
        return DD_ENOMEM;
    if (x->seekable)
        __atomic_store_n(&p->seekable_seen, 1, __ATOMIC_RELAXED);
    snprintf(head, sizeof(head), "%llu:", (unsigned long long)off);
    if ((rc = dd_walk_extract_keep(x, head, strlen(head))) != DD_OK ||
        (rc = dd_walk_extract_keep(x, data, len)) != DD_OK ||
        (rc = dd_walk_extract_keep(x, ";", 1)) != DD_OK)
        return rc;
    if (*step > 0 && x->want_len > 0)
        return DD_OK; /* the range asked for goes on */
    switch ((*step)++) {
    case 0:
        x->want_offset = p->want_at;
        x->want_len = 8;
        break;
    case 1:
        if (x->seekable) {
            x->want_offset = 16;
            x->want_len = 8;
        }
        break;
    default:
        break;
    }
    return DD_OK;
}

/* "MAGC" then bytes whose value is their offset mod 251, ASCII-safe enough for comparisons. */
static unsigned char *content(int magic)
{
    unsigned char *c = malloc(FILE_LEN);

    for (size_t i = 0; i < FILE_LEN; i++)
        c[i] = (unsigned char)('a' + i % 26);
    memcpy(c, magic ? "MAGC" : "NOPE", 4);
    return c;
}

static void tar_header(unsigned char *h, const char *name, size_t size, unsigned mode)
{
    unsigned sum = 0;

    memset(h, 0, 512);
    snprintf((char *)h, 100, "%s", name);
    snprintf((char *)h + 100, 8, "%07o", mode);
    snprintf((char *)h + 108, 8, "%07o", 0);
    snprintf((char *)h + 116, 8, "%07o", 0);
    snprintf((char *)h + 124, 12, "%011zo", size);
    snprintf((char *)h + 136, 12, "%011o", 0);
    memset(h + 148, ' ', 8);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
}

static size_t tar_add(unsigned char *t, size_t at, const char *name, const void *data, size_t len,
                      unsigned mode)
{
    tar_header(t + at, name, len, mode);
    memcpy(t + at + 512, data, len);
    return at + 512 + (len + 511) / 512 * 512;
}

/* Checks the "OFFSET:BYTES;" records of `x` against `file`; returns the bytes they hold and
 * writes "FIRST-END" of their span into `span`. */
static size_t covered(const char *x, size_t len, const unsigned char *file, char *span)
{
    size_t total = 0, pos = 0;
    unsigned long long first = 0, end = 0;

    while (pos < len) {
        char *colon;
        unsigned long long off = strtoull(x + pos, &colon, 10);
        const char *semi = memchr(colon, ';', len - (size_t)(colon - x));
        size_t n;

        assert_int_equal(*colon, ':');
        assert_non_null(semi);
        n = (size_t)(semi - colon - 1);
        assert_memory_equal(colon + 1, file + off, n);
        if (total == 0)
            first = off;
        else
            assert_int_equal(off, end); /* in order, no gap, no repeat */
        end = off + n;
        total += n;
        pos = (size_t)(semi - x) + 1;
    }
    snprintf(span, 64, "%llu-%llu", first, end);
    return total;
}

static const char *extract_of(const dd_walk *w, const char *path, size_t *len)
{
    const dd_entry *e = dd_walk_lookup(w, path);
    const void *data;

    assert_non_null(e);
    if (dd_walk_extracted(w, e, &data, len) != DD_OK)
        return NULL;
    return data;
}

/* Streamed: bytes before the range asked for are skipped, nothing goes backwards, the magic
 * may arrive split, and only matching executable files reach the extractor. */
static void streamed_layer(void **state)
{
    unsigned char *yes = content(1), *no = content(0);
    unsigned char *t = calloc(1, 4 * FILE_LEN + 8192);
    probe p = {.want_at = 50000};
    dd_walk *w = NULL;
    const void *bufs[1];
    size_t lens[1], n = 0, len;
    const char *x;
    char expect[64];

    (void)state;
    n = tar_add(t, n, "bin/yes", yes, FILE_LEN, 0755);
    n = tar_add(t, n, "bin/no", no, FILE_LEN, 0755);
    n = tar_add(t, n, "lib/yes-not-exec", yes, FILE_LEN, 0644);
    n = tar_add(t, n, "bin/short", "MA", 2, 0755);
    n += 1024;
    bufs[0] = t;
    lens[0] = n;
    assert_int_equal(dd_walk_new(&w, NULL), DD_OK);
    assert_int_equal(dd_walk_extract(w, "MAGC", 4, 0111, NULL, probe_fn, &p), DD_OK);
    assert_int_equal(dd_walk_extract(w, "", 0, 0, NULL, probe_fn, &p), DD_EINVALID);
    assert_int_equal(dd_walk__run_buffers(w, "t.tar", bufs, lens, 1, 3), DD_OK);
    x = extract_of(w, "bin/yes", &len);
    assert_non_null(x);
    /* the magic (split over two 3-byte pieces), then exactly the 8 bytes at 50000, in pieces
     * as they stream by; nothing more: a streamed file goes no way back */
    assert_int_equal(strncmp(x, "0:MAGC;", 7), 0);
    assert_int_equal(covered(x + 7, len - 7, yes, expect), 8);
    assert_string_equal(expect, "50000-50008");
    assert_null(extract_of(w, "bin/no", &len));
    assert_null(extract_of(w, "lib/yes-not-exec", &len));
    assert_null(extract_of(w, "bin/short", &len));
    assert_int_equal(p.finals, 1);
    assert_int_equal(p.seekable_seen, 0);
    dd_walk_free(w);
    free(t);
    free(yes);
    free(no);
}

/* Base-name globs narrow an extractor before any byte is read: a file with the magic but
 * another name is never handed over. */
static void names_filter(void **state)
{
    static const char *const names[] = {"*.jar", "*.war", NULL};
    unsigned char *yes = content(1);
    unsigned char *t = calloc(1, 3 * FILE_LEN + 8192);
    probe p = {.want_at = 50000};
    dd_walk *w = NULL;
    const void *bufs[1];
    size_t lens[1], n = 0, len;

    (void)state;
    n = tar_add(t, n, "lib/app.jar", yes, FILE_LEN, 0644);
    n = tar_add(t, n, "lib/app.txt", yes, FILE_LEN, 0644);
    n = tar_add(t, n, "lib/jar", yes, FILE_LEN, 0644);
    n += 1024;
    bufs[0] = t;
    lens[0] = n;
    assert_int_equal(dd_walk_new(&w, NULL), DD_OK);
    assert_int_equal(dd_walk_extract(w, "MAGC", 4, 0, names, probe_fn, &p), DD_OK);
    assert_int_equal(dd_walk__run_buffers(w, "t.tar", bufs, lens, 1, 3), DD_OK);
    assert_non_null(extract_of(w, "lib/app.jar", &len));
    assert_null(extract_of(w, "lib/app.txt", &len));
    assert_null(extract_of(w, "lib/jar", &len));
    assert_int_equal(p.finals, 1);
    dd_walk_free(w);
    free(t);
    free(yes);
}

static void write_file(const char *dir, const char *name, const void *data, size_t len, mode_t mode)
{
    char path[4200];
    int n = snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp;

    assert_true(n > 0 && (size_t)n < sizeof(path));
    assert_non_null(fp = fopen(path, "wb"));
    assert_int_equal(fwrite(data, 1, len, fp), len);
    fclose(fp);
    chmod(path, mode);
}

/* A directory root: the extractor reads where it asks, backwards too; a file a glob captures as
 * well streams, and its capture is whole. */
static void directory_root(void **state)
{
    const char *tmp = getenv("DD_TEST_TMP");
    char root[4096], sub[4200];
    unsigned char *yes = content(1), *no = content(0);
    probe p = {.want_at = 70000};
    dd_walk *w = NULL;
    const void *data;
    size_t len;
    const char *x;
    int truncated;

    (void)state;
    snprintf(root, sizeof(root), "%s/walk-extract-%d", tmp ? tmp : "/tmp", (int)getpid());
    mkdir(tmp ? tmp : "/tmp", 0755);
    mkdir(root, 0755);
    snprintf(sub, sizeof(sub), "%s/deep", root);
    mkdir(sub, 0755);
    write_file(sub, "yes", yes, FILE_LEN, 0700);
    write_file(sub, "no", no, FILE_LEN, 0755);
    write_file(root, "captured", yes, FILE_LEN, 0755);
    assert_int_equal(dd_walk_new(&w, NULL), DD_OK);
    dd_walk_set_captures_only(w, 1);
    assert_int_equal(dd_walk_capture(w, "captured", 1000), DD_OK);
    assert_int_equal(dd_walk_extract(w, "MAGC", 4, 0111, NULL, probe_fn, &p), DD_OK);
    assert_int_equal(dd_walk__run_rootfs(w, root, "dir:t"), DD_OK);
    /* every directory is listed for the extractor, whatever the globs reach */
    x = extract_of(w, "deep/yes", &len);
    assert_non_null(x);
    assert_string_equal(x, "0:MAGC;70000:ijklmnop;16:qrstuvwx;");
    assert_int_equal(p.seekable_seen, 1);
    assert_null(extract_of(w, "deep/no", &len));
    x = extract_of(w, "captured", &len);
    assert_non_null(x);
    assert_non_null(strstr(x, "70000:"));
    assert_null(strstr(x, "16:"));
    assert_int_equal(dd_walk_content(w, dd_walk_lookup(w, "captured"), &data, &len, &truncated),
                     DD_OK);
    assert_int_equal(len, 1000);
    assert_true(truncated);
    assert_memory_equal(data, yes, 1000);
    assert_int_equal(p.finals, 2);
    dd_walk_free(w);
    free(yes);
    free(no);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(streamed_layer),
        cmocka_unit_test(names_filter),
        cmocka_unit_test(directory_root),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
