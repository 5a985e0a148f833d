/* Unit tests for the walk: layers built in memory with libarchive's writer and fed through
 * dd_walk__run_buffers, and a small directory read as a rootfs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "walk/walk_int.h"

/* ---- building layers ---- */

typedef struct {
    struct archive *a;
    unsigned char *buf;
    size_t cap, used;
} layer_writer;

#define MAX_LAYERS 16

typedef struct {
    layer_writer lw[MAX_LAYERS];
    size_t n;
    const void *bufs[MAX_LAYERS];
    size_t lens[MAX_LAYERS];
} image_builder;

static layer_writer *layer_begin(image_builder *ib)
{
    layer_writer *lw = &ib->lw[ib->n++];

    lw->cap = 4u << 20;
    lw->buf = malloc(lw->cap);
    assert_non_null(lw->buf);
    lw->a = archive_write_new();
    assert_int_equal(archive_write_set_format_pax_restricted(lw->a), ARCHIVE_OK);
    assert_int_equal(archive_write_open_memory(lw->a, lw->buf, lw->cap, &lw->used), ARCHIVE_OK);
    return lw;
}

/* type: 'f' file, 'd' dir, 'l' symlink (arg = target), 'h' hard link (arg = target),
 * 'c' char device; for files `arg` is the content (len bytes). */
static void add(layer_writer *lw, const char *path, char type, unsigned mode, const char *arg,
                size_t len)
{
    struct archive_entry *e = archive_entry_new();

    archive_entry_set_pathname(e, path);
    archive_entry_set_uid(e, 1000);
    archive_entry_set_gid(e, 100);
    archive_entry_set_mtime(e, 1700000000, 0);
    switch (type) {
    case 'f':
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, (la_int64_t)len);
        break;
    case 'd':
        archive_entry_set_filetype(e, AE_IFDIR);
        break;
    case 'l':
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, arg);
        break;
    case 'h':
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, arg);
        archive_entry_set_size(e, 0);
        break;
    case 'c':
        archive_entry_set_filetype(e, AE_IFCHR);
        archive_entry_set_rdevmajor(e, 1);
        archive_entry_set_rdevminor(e, 3);
        break;
    }
    archive_entry_set_perm(e, mode);
    assert_int_equal(archive_write_header(lw->a, e), ARCHIVE_OK);
    if (type == 'f' && len)
        assert_int_equal(archive_write_data(lw->a, arg, len), (la_ssize_t)len);
    archive_entry_free(e);
}

static void file(layer_writer *lw, const char *path, const char *content)
{
    add(lw, path, 'f', 0644, content, strlen(content));
}

static void dir(layer_writer *lw, const char *path)
{
    add(lw, path, 'd', 0755, NULL, 0);
}

static void image_finish(image_builder *ib)
{
    for (size_t i = 0; i < ib->n; i++) {
        if (ib->lw[i].a) {
            assert_int_equal(archive_write_close(ib->lw[i].a), ARCHIVE_OK);
            archive_write_free(ib->lw[i].a);
            ib->lw[i].a = NULL;
        }
        ib->bufs[i] = ib->lw[i].buf;
        ib->lens[i] = ib->lw[i].used;
    }
}

static void image_dispose(image_builder *ib)
{
    for (size_t i = 0; i < ib->n; i++) {
        if (ib->lw[i].a)
            archive_write_free(ib->lw[i].a);
        free(ib->lw[i].buf);
    }
    memset(ib, 0, sizeof(*ib));
}

/* Runs a walk over the builder's layers with default options and `threads`. */
static int run(image_builder *ib, dd_walk *w, size_t chunk)
{
    image_finish(ib);
    return dd_walk__run_buffers(w, "test.tar", ib->bufs, ib->lens, ib->n, chunk);
}

static dd_walk *new_walk(unsigned threads)
{
    dd_walk_opts o = DD_WALK_OPTS_INIT;
    dd_walk *w;

    o.threads = threads;
    assert_int_equal(dd_walk_new(&w, &o), DD_OK);
    return w;
}

static const dd_entry *hidden_at(dd_walk *w, const char *path, uint32_t layer)
{
    for (size_t i = 0; i < dd_walk_hidden_count(w); i++) {
        const dd_entry *e = dd_walk_hidden(w, i);

        if (strcmp(e->path, path) == 0 && e->layer == layer)
            return e;
    }
    return NULL;
}

/* ---- tests ---- */

static void basic_view_sorted_with_metadata(void **state)
{
    image_builder ib = {0};
    layer_writer *l0 = layer_begin(&ib);
    dd_walk *w = new_walk(0);
    const dd_entry *e;

    dir(l0, "./etc/");
    file(l0, "./etc/passwd", "root:x:0:0\n");
    add(l0, "etc/shadow", 'f', 04640, "s", 1);
    add(l0, "bin", 'l', 0777, "usr/bin", 0);
    add(l0, "dev/null", 'c', 0666, NULL, 0);
    dir(l0, "etc-old");
    dir(l0, "./");
    assert_int_equal(run(&ib, w, 0), DD_OK);

    assert_int_equal(dd_walk_count(w), 7);
    /* bytewise: "etc" < "etc-old" < "etc/passwd" ('-' sorts before '/') */
    assert_string_equal(dd_walk_entry(w, 0)->path, "bin");
    assert_string_equal(dd_walk_entry(w, 1)->path, "dev");
    assert_string_equal(dd_walk_entry(w, 2)->path, "dev/null");
    assert_string_equal(dd_walk_entry(w, 3)->path, "etc");
    assert_string_equal(dd_walk_entry(w, 4)->path, "etc-old");
    assert_string_equal(dd_walk_entry(w, 5)->path, "etc/passwd");
    assert_string_equal(dd_walk_entry(w, 6)->path, "etc/shadow");
    assert_null(dd_walk_entry(w, 7));

    e = dd_walk_lookup(w, "etc/passwd");
    assert_non_null(e);
    assert_int_equal(e->type, DD_FT_REG);
    assert_int_equal(e->size, 11);
    assert_int_equal(e->mode, 0644);
    assert_int_equal(e->uid, 1000);
    assert_int_equal(e->gid, 100);
    assert_int_equal(e->mtime, 1700000000);
    assert_null(e->link);
    assert_ptr_equal(dd_walk_lookup(w, "/etc//passwd"), e);
    assert_int_equal(dd_walk_lookup(w, "etc/shadow")->mode, 04640);
    e = dd_walk_lookup(w, "bin");
    assert_int_equal(e->type, DD_FT_SYMLINK);
    assert_string_equal(e->link, "usr/bin");
    e = dd_walk_lookup(w, "dev/null");
    assert_int_equal(e->type, DD_FT_CHAR);
    assert_int_equal(e->devmajor, 1);
    assert_int_equal(e->devminor, 3);
    e = dd_walk_lookup(w, "dev");
    assert_int_equal(e->implicit, 1);
    assert_int_equal(e->mode, 0755);
    assert_int_equal(e->uid, 0);
    assert_int_equal(dd_walk_lookup(w, "etc")->implicit, 0);
    assert_null(dd_walk_lookup(w, ""));
    assert_null(dd_walk_lookup(w, "nope"));
    assert_int_equal(dd_walk_hidden_count(w), 0);
    assert_int_equal(dd_walk_layer_count(w), 1);
    assert_int_equal(dd_walk_layer_stats(w, 0)->entries, 7);
    assert_int_equal(dd_walk_layer_stats(w, 0)->uncompressed_bytes, ib.lens[0]);
    assert_string_equal(dd_file_type_name(DD_FT_HARDLINK), "hardlink");
    assert_string_equal(dd_hidden_reason_name(DD_HIDDEN_OPAQUE), "opaque");
    dd_walk_free(w);
    image_dispose(&ib);
}

static void whiteouts_delete_lower_subtrees(void **state)
{
    image_builder ib = {0};
    layer_writer *l0 = layer_begin(&ib), *l1;
    dd_walk *w = new_walk(0);
    const dd_entry *e;

    dir(l0, "etc");
    file(l0, "etc/a", "a");
    file(l0, "etc/b", "b");
    dir(l0, "d");
    dir(l0, "d/x");
    file(l0, "d/x/y", "y");
    l1 = layer_begin(&ib);
    dir(l1, "etc");
    file(l1, "etc/.wh.a", "");
    file(l1, ".wh.d", "");
    file(l1, "etc/.wh.missing", "");
    assert_int_equal(run(&ib, w, 0), DD_OK);

    assert_non_null(dd_walk_lookup(w, "etc/b"));
    assert_null(dd_walk_lookup(w, "etc/a"));
    assert_null(dd_walk_lookup(w, "d"));
    assert_null(dd_walk_lookup(w, "d/x/y"));
    assert_null(dd_walk_lookup(w, "etc/.wh.a"));
    assert_int_equal(dd_walk_count(w), 2);
    assert_int_equal(dd_walk_hidden_count(w), 4);
    /* sorted by path */
    assert_string_equal(dd_walk_hidden(w, 0)->path, "d");
    assert_string_equal(dd_walk_hidden(w, 1)->path, "d/x");
    assert_string_equal(dd_walk_hidden(w, 2)->path, "d/x/y");
    assert_string_equal(dd_walk_hidden(w, 3)->path, "etc/a");
    e = hidden_at(w, "etc/a", 0);
    assert_non_null(e);
    assert_int_equal(e->hidden, DD_HIDDEN_DELETED);
    assert_int_equal(e->hidden_by, 1);
    assert_int_equal(hidden_at(w, "d/x/y", 0)->hidden, DD_HIDDEN_DELETED);
    assert_int_equal(dd_walk_layer_stats(w, 1)->whiteouts, 3);
    assert_int_equal(dd_walk_layer_stats(w, 1)->entries, 4);
    dd_walk_free(w);
    image_dispose(&ib);
}

static void opaque_dir_hides_lower_contents(void **state)
{
    image_builder ib = {0};
    layer_writer *l0 = layer_begin(&ib), *l1, *l2;
    dd_walk *w = new_walk(0);

    dir(l0, "d");
    file(l0, "d/a", "a");
    dir(l0, "d/sub");
    file(l0, "d/sub/b", "b");
    file(l0, "keep", "k");
    l1 = layer_begin(&ib);
    dir(l1, "d");
    file(l1, "d/c", "c");
    file(l1, "d/.wh..wh..opq", ""); /* after d/c in tar order: still applied first */
    l2 = layer_begin(&ib);
    file(l2, "d/e", "e");
    assert_int_equal(run(&ib, w, 0), DD_OK);

    assert_non_null(dd_walk_lookup(w, "d/c"));
    assert_non_null(dd_walk_lookup(w, "d/e"));
    assert_non_null(dd_walk_lookup(w, "keep"));
    assert_null(dd_walk_lookup(w, "d/a"));
    assert_null(dd_walk_lookup(w, "d/sub"));
    assert_null(dd_walk_lookup(w, "d/.wh..wh..opq"));
    assert_int_equal(dd_walk_lookup(w, "d")->layer, 1);
    assert_int_equal(dd_walk_count(w), 4);
    assert_int_equal(dd_walk_hidden_count(w), 3);
    assert_int_equal(hidden_at(w, "d/a", 0)->hidden, DD_HIDDEN_OPAQUE);
    assert_int_equal(hidden_at(w, "d/sub", 0)->hidden_by, 1);
    assert_int_equal(hidden_at(w, "d/sub/b", 0)->hidden, DD_HIDDEN_OPAQUE);
    assert_int_equal(dd_walk_layer_stats(w, 1)->opaque_dirs, 1);
    dd_walk_free(w);
    image_dispose(&ib);
}

static void replace_file_by_dir_and_dir_by_file(void **state)
{
    image_builder ib = {0};
    layer_writer *l0 = layer_begin(&ib), *l1;
    dd_walk *w = new_walk(0);
    const dd_entry *e;

    file(l0, "x", "xx");
    dir(l0, "y");
    file(l0, "y/z", "z");
    dir(l0, "y/deep");
    file(l0, "y/deep/q", "q");
    add(l0, "m", 'd', 0755, NULL, 0);
    file(l0, "m/old", "o");
    file(l0, "same", "1");
    l1 = layer_begin(&ib);
    dir(l1, "x");
    file(l1, "x/w", "w");
    file(l1, "y", "now a file");
    add(l1, "m", 'd', 0700, NULL, 0);
    file(l1, "m/new", "n");
    file(l1, "same", "2");
    file(l1, "same", "3"); /* within one layer the later entry wins */
    assert_int_equal(run(&ib, w, 0), DD_OK);

    e = dd_walk_lookup(w, "x");
    assert_int_equal(e->type, DD_FT_DIR);
    assert_int_equal(e->layer, 1);
    assert_non_null(dd_walk_lookup(w, "x/w"));
    e = dd_walk_lookup(w, "y");
    assert_int_equal(e->type, DD_FT_REG);
    assert_null(dd_walk_lookup(w, "y/z"));
    /* directory over directory: updated, contents merge, nothing hidden */
    e = dd_walk_lookup(w, "m");
    assert_int_equal(e->layer, 1);
    assert_int_equal(e->mode, 0700);
    assert_int_equal(dd_walk_lookup(w, "m/old")->layer, 0);
    assert_int_equal(dd_walk_lookup(w, "m/new")->layer, 1);
    assert_null(hidden_at(w, "m", 0));
    assert_int_equal(dd_walk_lookup(w, "same")->size, 1);

    assert_int_equal(hidden_at(w, "x", 0)->hidden, DD_HIDDEN_REPLACED);
    assert_int_equal(hidden_at(w, "y", 0)->hidden, DD_HIDDEN_REPLACED);
    assert_int_equal(hidden_at(w, "y/z", 0)->hidden, DD_HIDDEN_REPLACED);
    assert_int_equal(hidden_at(w, "y/deep/q", 0)->hidden_by, 1);
    assert_int_equal(hidden_at(w, "same", 0)->hidden, DD_HIDDEN_REPLACED);
    assert_null(hidden_at(w, "same", 1)); /* same-layer rewrites are not "hidden" */
    assert_int_equal(dd_walk_hidden_count(w), 6);
    dd_walk_free(w);
    image_dispose(&ib);
}

static void implicit_parents(void **state)
{
    image_builder ib = {0};
    layer_writer *l0 = layer_begin(&ib), *l1;
    dd_walk *w = new_walk(0);
    const dd_entry *e;

    file(l0, "a/b/c", "c");
    file(l0, "f", "f");
    l1 = layer_begin(&ib);
    add(l1, "a", 'd', 0711, NULL, 0);
    file(l1, "f/g/h", "h"); /* a lower file in the way becomes an implicit directory */
    assert_int_equal(run(&ib, w, 0), DD_OK);

    e = dd_walk_lookup(w, "a/b");
    assert_non_null(e);
    assert_int_equal(e->implicit, 1);
    assert_int_equal(e->type, DD_FT_DIR);
    assert_int_equal(e->mode, 0755);
    assert_int_equal(e->layer, 0);
    e = dd_walk_lookup(w, "a");
    assert_int_equal(e->implicit, 0);
    assert_int_equal(e->layer, 1);
    assert_int_equal(e->mode, 0711);
    e = dd_walk_lookup(w, "f");
    assert_int_equal(e->type, DD_FT_DIR);
    assert_int_equal(e->implicit, 1);
    assert_int_equal(e->layer, 1);
    assert_int_equal(dd_walk_lookup(w, "f/g")->implicit, 1);
    assert_int_equal(hidden_at(w, "f", 0)->hidden, DD_HIDDEN_REPLACED);
    assert_int_equal(dd_walk_count(w), 6);
    dd_walk_free(w);
    image_dispose(&ib);
}

static void hard_links(void **state)
{
    image_builder ib = {0};
    layer_writer *l0 = layer_begin(&ib), *l1;
    dd_walk *w = new_walk(0);
    const dd_entry *e;

    file(l0, "bin/x", "12345");
    add(l0, "bin/y", 'h', 0755, "./bin/x", 0);
    l1 = layer_begin(&ib);
    add(l1, "z", 'h', 0755, "bin/y", 0);
    assert_int_equal(dd_walk_capture(w, "bin/x", 100), DD_OK);
    assert_int_equal(run(&ib, w, 0), DD_OK);
    /* a link shares its target's capture */
    {
        const void *data;
        size_t len;

        assert_int_equal(dd_walk_content(w, dd_walk_lookup(w, "z"), &data, &len, NULL), DD_OK);
        assert_int_equal(len, 5);
        assert_memory_equal(data, "12345", 5);
    }

    e = dd_walk_lookup(w, "bin/y");
    assert_int_equal(e->type, DD_FT_HARDLINK);
    assert_string_equal(e->link, "bin/x");
    assert_int_equal(e->size, 5);
    e = dd_walk_lookup(w, "z");
    assert_int_equal(e->type, DD_FT_HARDLINK);
    assert_string_equal(e->link, "bin/y");
    assert_int_equal(e->size, 5);
    dd_walk_free(w);
    image_dispose(&ib);

    /* a target later in the layer or absent is an error naming the entry */
    w = new_walk(0);
    l0 = layer_begin(&ib);
    add(l0, "early", 'h', 0644, "late", 0);
    file(l0, "late", "x");
    assert_int_equal(run(&ib, w, 0), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "test.tar: layer 0: entry \"early\""));
    assert_non_null(strstr(dd_error_message(), "\"late\" not found"));
    dd_walk_free(w);
    image_dispose(&ib);

    w = new_walk(0);
    l0 = layer_begin(&ib);
    add(l0, "evil", 'h', 0644, "../../etc/shadow", 0);
    assert_int_equal(run(&ib, w, 0), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "entry \"evil\": path escapes the root"));
    dd_walk_free(w);
    image_dispose(&ib);
}

static void resolve_symlinks(void **state)
{
    image_builder ib = {0};
    layer_writer *l0 = layer_begin(&ib);
    dd_walk *w = new_walk(0);
    const dd_entry *e;

    file(l0, "usr/bin/sh", "#!");
    file(l0, "usr/lib/libc.so.6", "elf");
    add(l0, "bin", 'l', 0777, "usr/bin", 0);
    add(l0, "lib", 'l', 0777, "/usr/lib", 0);
    add(l0, "usr/lib/libc.so", 'l', 0777, "libc.so.6", 0);
    add(l0, "etc/alt/sh", 'l', 0777, "../../../../../bin/sh", 0);
    add(l0, "loop/a", 'l', 0777, "b", 0);
    add(l0, "loop/b", 'l', 0777, "/loop/a", 0);
    add(l0, "dangling", 'l', 0777, "nowhere", 0);
    assert_int_equal(run(&ib, w, 0), DD_OK);

    assert_int_equal(dd_walk_resolve(w, "bin/sh", &e), DD_OK);
    assert_string_equal(e->path, "usr/bin/sh");
    assert_int_equal(dd_walk_resolve(w, "/lib/libc.so", &e), DD_OK);
    assert_string_equal(e->path, "usr/lib/libc.so.6");
    assert_int_equal(dd_walk_resolve(w, "etc/alt/sh", &e), DD_OK);
    assert_string_equal(e->path, "usr/bin/sh");
    assert_int_equal(dd_walk_resolve(w, "bin/../lib/libc.so.6", &e), DD_OK);
    assert_string_equal(e->path, "usr/lib/libc.so.6");
    assert_int_equal(dd_walk_resolve(w, "bin", &e), DD_OK);
    assert_string_equal(e->path, "usr/bin");
    assert_int_equal(dd_walk_resolve(w, "loop/a", &e), DD_ELIMIT);
    assert_null(e);
    assert_non_null(strstr(dd_error_message(), "symlink loop at loop/"));
    assert_int_equal(dd_walk_resolve(w, "dangling", &e), DD_ENOTFOUND);
    assert_int_equal(dd_walk_resolve(w, "usr/bin/sh/x", &e), DD_ENOTFOUND);
    assert_int_equal(dd_walk_resolve(w, "/", &e), DD_ENOTFOUND);
    dd_walk_free(w);
    image_dispose(&ib);
}

static void captures_keep_contents_of_every_version(void **state)
{
    image_builder ib = {0};
    layer_writer *l0 = layer_begin(&ib), *l1;
    dd_walk *w = new_walk(0);
    const dd_entry *e;
    const void *data;
    size_t len;
    int trunc;
    char big[5000];

    memset(big, 'B', sizeof(big));
    file(l0, "etc/os-release", "ID=one\n");
    add(l0, "var/big.json", 'f', 0644, big, sizeof(big));
    file(l0, "var/other.txt", "nope");
    l1 = layer_begin(&ib);
    file(l1, "etc/os-release", "ID=two\n");
    file(l1, "usr/lib/os-release", "");
    assert_int_equal(dd_walk_capture(w, "*os-release", 100), DD_OK);
    assert_int_equal(dd_walk_capture(w, "var/*.json", 1000), DD_OK);
    assert_int_equal(dd_walk_capture(w, "/abs", 10), DD_EINVALID);
    assert_int_equal(run(&ib, w, 300), DD_OK);

    e = dd_walk_lookup(w, "etc/os-release");
    assert_int_equal(dd_walk_content(w, e, &data, &len, &trunc), DD_OK);
    assert_int_equal(len, 7);
    assert_memory_equal(data, "ID=two\n", 7);
    assert_int_equal(trunc, 0);
    e = hidden_at(w, "etc/os-release", 0);
    assert_int_equal(dd_walk_content(w, e, &data, &len, NULL), DD_OK);
    assert_memory_equal(data, "ID=one\n", 7);
    e = dd_walk_lookup(w, "usr/lib/os-release");
    assert_int_equal(dd_walk_content(w, e, &data, &len, &trunc), DD_OK);
    assert_int_equal(len, 0);
    e = dd_walk_lookup(w, "var/big.json");
    assert_int_equal(dd_walk_content(w, e, &data, &len, &trunc), DD_OK);
    assert_int_equal(len, 1000);
    assert_int_equal(trunc, 1);
    assert_memory_equal(data, big, 1000);
    e = dd_walk_lookup(w, "var/other.txt");
    assert_int_equal(dd_walk_content(w, e, &data, &len, &trunc), DD_ENOTFOUND);
    assert_int_equal(dd_walk_content(w, dd_walk_lookup(w, "etc"), &data, &len, NULL),
                     DD_ENOTFOUND);
    assert_int_equal(dd_walk_capture(w, "late", 1), DD_ERROR);
    dd_walk_free(w);
    image_dispose(&ib);
}

typedef struct {
    uint64_t sum, bytes;
    unsigned ends, files_with_data;
    uint64_t expect_next;
    int order_ok;
} hook_state;

static int sum_hook(const dd_entry *e, uint64_t off, const void *data, size_t len, void *payload)
{
    hook_state *s = payload;
    const unsigned char *p = data;

    if (!data) {
        if (off != e->size || s->expect_next != e->size)
            s->order_ok = 0;
        s->ends++;
        s->expect_next = 0;
        return 0;
    }
    if (off != s->expect_next)
        s->order_ok = 0;
    s->expect_next = off + len;
    for (size_t i = 0; i < len; i++)
        s->sum += p[i] * (off + i + 1);
    s->bytes += len;
    return 0;
}

typedef struct {
    _Atomic uint64_t sum, bytes, ends;
} atomic_hook_state;

static int atomic_sum_hook(const dd_entry *e, uint64_t off, const void *data, size_t len,
                           void *payload)
{
    atomic_hook_state *s = payload;
    const unsigned char *p = data;
    uint64_t sum = 0;

    if (!data) {
        s->ends++;
        return 0;
    }
    for (size_t i = 0; i < len; i++)
        sum += p[i] * (off + i + 1);
    s->sum += sum;
    s->bytes += len;
    return 0;
}

static int failing_hook(const dd_entry *e, uint64_t off, const void *data, size_t len,
                        void *payload)
{
    if (strcmp(e->path, "stop") == 0)
        return dd_error_set(DD_EIO, "hook says stop at %s", e->path);
    return 0;
}

static void content_hook_sees_every_byte_once(void **state)
{
    image_builder ib = {0};
    dd_walk *w = new_walk(2);
    hook_state hs = {.order_ok = 1};
    uint64_t want = 0, want_bytes = 0;
    unsigned char *blob = malloc(300000);

    for (size_t i = 0; i < 300000; i++)
        blob[i] = (unsigned char)(i * 7919 >> 3);
    for (int l = 0; l < 3; l++) {
        layer_writer *lw = layer_begin(&ib);

        for (int f = 0; f < 4; f++) {
            char name[32];
            size_t len = (size_t)(f * 70001 + l * 13);

            snprintf(name, sizeof(name), "f%d", f);
            add(lw, name, 'f', 0644, (const char *)blob, len);
            for (size_t i = 0; i < len; i++)
                want += blob[i] * (i + 1);
            want_bytes += len;
        }
        dir(lw, "d");
        add(lw, "h", 'h', 0644, "f1", 0);
    }
    dd_walk_set_content_hook(w, sum_hook, &hs);
    /* threads = 2 and three layers: hook calls may come from two threads, so serialise by
     * walking with one thread for the checksum state */
    w->opts.threads = 1;
    assert_int_equal(run(&ib, w, 4093), DD_OK);
    assert_int_equal(hs.bytes, want_bytes);
    assert_int_equal(hs.sum, want);
    assert_int_equal(hs.ends, 12);
    assert_int_equal(hs.order_ok, 1);
    dd_walk_free(w);

    /* the same from three threads at once */
    {
        atomic_hook_state as = {0};

        w = new_walk(3);
        dd_walk_set_content_hook(w, atomic_sum_hook, &as);
        assert_int_equal(dd_walk__run_buffers(w, "t", ib.bufs, ib.lens, ib.n, 8192), DD_OK);
        assert_int_equal(as.bytes, want_bytes);
        assert_int_equal(as.sum, want);
        assert_int_equal(as.ends, 12);
        dd_walk_free(w);
    }
    image_dispose(&ib);

    w = new_walk(1);
    file(layer_begin(&ib), "stop", "x");
    dd_walk_set_content_hook(w, failing_hook, NULL);
    assert_int_equal(run(&ib, w, 0), DD_EIO);
    assert_string_equal(dd_error_message(), "hook says stop at stop");
    dd_walk_free(w);
    image_dispose(&ib);
    free(blob);
}

static void escaping_names_are_invalid(void **state)
{
    static const char *const bad[] = {"../etc/passwd", "a/../../b", "/etc/passwd", "ok/.."};

    for (size_t i = 0; i < DD_ARRAY_SIZE(bad); i++) {
        image_builder ib = {0};
        layer_writer *l0 = layer_begin(&ib), *l1 = layer_begin(&ib);
        dd_walk *w = new_walk(0);
        char want[256];

        file(l0, "fine", "x");
        file(l1, "fine2", "x");
        file(l1, bad[i], "x");
        assert_int_equal(run(&ib, w, 0), DD_EINVALID);
        snprintf(want, sizeof(want), "test.tar: layer 1: entry \"%s\": path escapes the root",
                 bad[i]);
        assert_string_equal(dd_error_message(), want);
        dd_walk_free(w);
        image_dispose(&ib);
    }
}

static void long_pax_names(void **state)
{
    image_builder ib = {0};
    layer_writer *l0 = layer_begin(&ib);
    dd_walk *w = new_walk(0);
    char name[700], target[700];

    memset(name, 'n', sizeof(name));
    for (size_t i = 50; i < 650; i += 50)
        name[i] = '/';
    name[650] = '\0';
    memcpy(target, name, sizeof(name));
    target[649] = 't';
    file(l0, name, "long");
    add(l0, "short", 'l', 0777, target, 0);
    add(l0, "hl", 'h', 0777, name, 0);
    assert_int_equal(run(&ib, w, 512), DD_OK);
    assert_int_equal(dd_walk_lookup(w, name)->size, 4);
    assert_string_equal(dd_walk_lookup(w, "short")->link, target);
    assert_string_equal(dd_walk_lookup(w, "hl")->link, name);
    assert_int_equal(dd_walk_lookup(w, "hl")->size, 4);
    dd_walk_free(w);
    image_dispose(&ib);
}

static void limits(void **state)
{
    image_builder ib = {0};
    layer_writer *l0, *l1;
    dd_walk_opts o = DD_WALK_OPTS_INIT;
    dd_walk *w;

    /* entries count across layers, markers included */
    o.limits.max_entries = 5;
    assert_int_equal(dd_walk_new(&w, &o), DD_OK);
    l0 = layer_begin(&ib);
    l1 = layer_begin(&ib);
    for (int i = 0; i < 3; i++) {
        char n[16];

        snprintf(n, sizeof(n), "f%d", i);
        file(l0, n, "");
        file(l1, n, "");
    }
    assert_int_equal(run(&ib, w, 0), DD_ELIMIT);
    assert_non_null(strstr(dd_error_message(), "more than 5 entries"));
    dd_walk_free(w);
    image_dispose(&ib);

    /* uncompressed bytes count across layers */
    o = (dd_walk_opts)DD_WALK_OPTS_INIT;
    o.limits.max_image_bytes = 3000;
    assert_int_equal(dd_walk_new(&w, &o), DD_OK);
    l0 = layer_begin(&ib);
    l1 = layer_begin(&ib);
    file(l0, "a", "x");
    file(l1, "b", "y");
    assert_int_equal(run(&ib, w, 0), DD_ELIMIT);
    assert_non_null(strstr(dd_error_message(), "image larger than the limit of 3000"));
    dd_walk_free(w);
    image_dispose(&ib);

    o = (dd_walk_opts)DD_WALK_OPTS_INIT;
    o.limits.max_path_depth = 4;
    assert_int_equal(dd_walk_new(&w, &o), DD_OK);
    l0 = layer_begin(&ib);
    file(l0, "a/b/c/d", "");
    file(l0, "a/b/c/d/e", "");
    assert_int_equal(run(&ib, w, 0), DD_ELIMIT);
    assert_string_equal(dd_error_message(),
                        "test.tar: layer 0: entry \"a/b/c/d/e\": path deeper than 4 components");
    dd_walk_free(w);
    image_dispose(&ib);

    o = (dd_walk_opts)DD_WALK_OPTS_INIT;
    o.limits.max_path_len = 10;
    assert_int_equal(dd_walk_new(&w, &o), DD_OK);
    l0 = layer_begin(&ib);
    file(l0, "./././././0123456789", "");
    file(l0, "0123456789a", "");
    assert_int_equal(run(&ib, w, 0), DD_ELIMIT);
    assert_non_null(strstr(dd_error_message(), "path longer than 10 bytes"));
    dd_walk_free(w);
    image_dispose(&ib);
}

static void corrupt_and_truncated_tars(void **state)
{
    image_builder ib = {0};
    layer_writer *l0 = layer_begin(&ib);
    dd_walk *w = new_walk(0);
    char big[3000];

    memset(big, 'x', sizeof(big));
    file(l0, "first", "1");
    add(l0, "second", 'f', 0644, big, sizeof(big));
    file(l0, "third", "3");
    image_finish(&ib);
    ib.lens[0] = 512 * 3 + 700; /* cut inside the data of "second" */
    assert_int_equal(dd_walk__run_buffers(w, "t.tar", ib.bufs, ib.lens, 1, 0), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "t.tar: layer 0"));
    dd_walk_free(w);

    /* cut in the next header: names the last good entry */
    w = new_walk(0);
    ib.lens[0] = 512 * 2 + 100;
    assert_int_equal(dd_walk__run_buffers(w, "t.tar", ib.bufs, ib.lens, 1, 0), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "t.tar: layer 0: after entry \"first\""));
    dd_walk_free(w);

    /* garbage */
    w = new_walk(0);
    memset(ib.lw[0].buf, 'G', 2048);
    ib.lens[0] = 2048;
    assert_int_equal(dd_walk__run_buffers(w, "t.tar", ib.bufs, ib.lens, 1, 0), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "t.tar: layer 0"));
    dd_walk_free(w);
    image_dispose(&ib);

    /* an empty layer (two zero blocks) is fine */
    w = new_walk(0);
    layer_begin(&ib);
    assert_int_equal(run(&ib, w, 0), DD_OK);
    assert_int_equal(dd_walk_count(w), 0);
    dd_walk_free(w);
    image_dispose(&ib);
}

static void parallel_layers_match_serial(void **state)
{
    image_builder ib = {0};
    dd_walk *w1 = new_walk(1), *w4 = new_walk(4);

    for (int l = 0; l < 10; l++) {
        layer_writer *lw = layer_begin(&ib);

        for (int f = 0; f < 300; f++) {
            char n[64];

            snprintf(n, sizeof(n), "dir%d/sub%d/file%d", f % 7, f % 3, (f * 31 + l) % 400);
            file(lw, n, "content");
            if (f % 50 == 0) {
                snprintf(n, sizeof(n), "dir%d/.wh.sub%d", (f + l) % 7, l % 3);
                file(lw, n, "");
            }
        }
        if (l == 6)
            file(lw, "dir3/.wh..wh..opq", "");
    }
    assert_int_equal(run(&ib, w1, 1000), DD_OK);
    assert_int_equal(dd_walk__run_buffers(w4, "test.tar", ib.bufs, ib.lens, ib.n, 1000), DD_OK);
    assert_int_equal(dd_walk_count(w1), dd_walk_count(w4));
    assert_int_equal(dd_walk_hidden_count(w1), dd_walk_hidden_count(w4));
    for (size_t i = 0; i < dd_walk_count(w1); i++) {
        assert_string_equal(dd_walk_entry(w1, i)->path, dd_walk_entry(w4, i)->path);
        assert_int_equal(dd_walk_entry(w1, i)->layer, dd_walk_entry(w4, i)->layer);
        if (i)
            assert_true(strcmp(dd_walk_entry(w1, i - 1)->path, dd_walk_entry(w1, i)->path) < 0);
    }
    for (size_t i = 0; i < dd_walk_hidden_count(w1); i++) {
        const dd_entry *a = dd_walk_hidden(w1, i), *b = dd_walk_hidden(w4, i);

        assert_string_equal(a->path, b->path);
        assert_int_equal(a->layer, b->layer);
        assert_int_equal(a->hidden, b->hidden);
        assert_int_equal(a->hidden_by, b->hidden_by);
        assert_true(a->hidden_by > a->layer);
    }
    dd_walk_free(w1);
    dd_walk_free(w4);

    /* a bad layer among many: the error comes back from the worker */
    w4 = new_walk(4);
    ib.lens[7] = 700;
    assert_int_equal(dd_walk__run_buffers(w4, "p.tar", ib.bufs, ib.lens, ib.n, 1000),
                     DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "p.tar: layer 7"));
    dd_walk_free(w4);
    image_dispose(&ib);
}

static void write_file(const char *path, const char *content)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static void rootfs_directory(void **state)
{
    const char *tmp = getenv("DD_TEST_TMP");
    char root[512], p[600], q[600];
    dd_walk *w = new_walk(0);
    const dd_entry *e;
    const void *data;
    size_t len;

    if (!tmp)
        tmp = "/tmp";
    mkdir(tmp, 0755);
    snprintf(root, sizeof(root), "%s/walk-rootfs-%d", tmp, (int)getpid());
    assert_int_equal(mkdir(root, 0755), 0);
    snprintf(p, sizeof(p), "%s/etc", root);
    assert_int_equal(mkdir(p, 0750), 0);
    snprintf(p, sizeof(p), "%s/etc/os-release", root);
    write_file(p, "ID=rootfs\n");
    snprintf(p, sizeof(p), "%s/etc/.wh.notawhiteout", root);
    write_file(p, "");
    snprintf(p, sizeof(p), "%s/link", root);
    assert_int_equal(symlink("/etc", p), 0);
    snprintf(p, sizeof(p), "%s/etc/os-release", root);
    snprintf(q, sizeof(q), "%s/hard", root);
    assert_int_equal(link(p, q), 0);
    snprintf(p, sizeof(p), "%s/dangling", root);
    assert_int_equal(symlink("../../../outside", p), 0);

    assert_int_equal(dd_walk_capture(w, "etc/*", 64), DD_OK);
    snprintf(p, sizeof(p), "%s///", root);
    assert_int_equal(dd_walk__run_rootfs(w, p, "dir:rootfs"), DD_OK);
    assert_int_equal(dd_walk_count(w), 6);
    /* the second path of an inode is a hard link to the first (readdir order decides) */
    e = dd_walk_lookup(w, "hard");
    if (e->type == DD_FT_HARDLINK)
        assert_string_equal(e->link, "etc/os-release");
    else
        assert_string_equal(dd_walk_lookup(w, "etc/os-release")->link, "hard");
    assert_int_equal(e->size, 10);
    e = dd_walk_lookup(w, "etc");
    assert_int_equal(e->type, DD_FT_DIR);
    assert_int_equal(e->mode, 0750);
    e = dd_walk_lookup(w, "link");
    assert_int_equal(e->type, DD_FT_SYMLINK);
    assert_string_equal(e->link, "/etc");
    assert_non_null(dd_walk_lookup(w, "etc/.wh.notawhiteout"));
    assert_int_equal(dd_walk_resolve(w, "link/os-release", &e), DD_OK);
    assert_int_equal(dd_walk_content(w, e, &data, &len, NULL), DD_OK);
    assert_int_equal(len, 10);
    assert_memory_equal(data, "ID=rootfs\n", 10);
    assert_int_equal(dd_walk_layer_count(w), 1);
    assert_int_equal(dd_walk_layer_stats(w, 0)->entries, 7);
    assert_int_equal(dd_walk_layer_stats(w, 0)->uncompressed_bytes, 10);
    dd_walk_free(w);

    snprintf(p, sizeof(p), "%s/etc/os-release", root);
    unlink(p);
    snprintf(p, sizeof(p), "%s/etc/.wh.notawhiteout", root);
    unlink(p);
    snprintf(p, sizeof(p), "%s/etc", root);
    rmdir(p);
    snprintf(p, sizeof(p), "%s/link", root);
    unlink(p);
    snprintf(p, sizeof(p), "%s/dangling", root);
    unlink(p);
    unlink(q);
    rmdir(root);
}

typedef struct {
    uint64_t bytes, ends;
    unsigned char sum;
} rootfs_hook;

static int rootfs_hook_cb(const dd_entry *e, uint64_t off, const void *data, size_t len,
                          void *payload)
{
    rootfs_hook *h = payload;

    (void)e;
    (void)off;
    if (!data) {
        h->ends++;
        return 0;
    }
    h->bytes += len;
    for (size_t i = 0; i < len; i++)
        h->sum = (unsigned char)(h->sum + ((const unsigned char *)data)[i]);
    return 0;
}

/* The rootfs reader: nested directories, a big file through the hook, a hard link whose
 * second path is the only one a glob captures, the entry limit, a missing directory. */
static void rootfs_nested_hard_links_hook(void **state)
{
    const char *tmp = getenv("DD_TEST_TMP");
    char root[512], p[700], q[700];
    dd_walk *w;
    dd_walk_opts o = DD_WALK_OPTS_INIT;
    rootfs_hook h = {0};
    const dd_entry *e;
    const void *data;
    size_t len;
    unsigned char want = 0;
    FILE *f;

    (void)state;
    if (!tmp)
        tmp = "/tmp";
    mkdir(tmp, 0755);
    snprintf(root, sizeof(root), "%s/walk-rootfs2-%d", tmp, (int)getpid());
    assert_int_equal(mkdir(root, 0755), 0);
    for (int d = 0; d < 3; d++) {
        snprintf(p, sizeof(p), "%s/d%d", root, d);
        assert_int_equal(mkdir(p, 0700 + d), 0);
        for (int k = 0; k < 40; k++) {
            snprintf(p, sizeof(p), "%s/d%d/sub%02d", root, d, k);
            assert_int_equal(mkdir(p, 0755), 0);
            snprintf(p, sizeof(p), "%s/d%d/sub%02d/file", root, d, k);
            write_file(p, "x");
        }
    }
    snprintf(p, sizeof(p), "%s/d0/big", root);
    assert_non_null(f = fopen(p, "w"));
    for (int i = 0; i < 200000; i++) {
        fputc((unsigned char)(i * 31), f);
        want = (unsigned char)(want + (unsigned char)(i * 31));
    }
    fclose(f);
    snprintf(q, sizeof(q), "%s/d2/bigcopy", root);
    assert_int_equal(link(p, q), 0);

    dd_walk_new(&w, &o);
    assert_int_equal(dd_walk_capture(w, "d2/bigcopy", 10), DD_OK);
    dd_walk_set_content_hook(w, rootfs_hook_cb, &h);
    assert_int_equal(dd_walk__run_rootfs(w, root, NULL), DD_OK);
    /* 3 dirs, 120 subdirs, 120 files, big, bigcopy */
    assert_int_equal(dd_walk_count(w), 3 + 120 + 120 + 2);
    assert_int_equal(dd_walk_layer_stats(w, 0)->entries, 1 + 3 + 120 + 120 + 2);
    assert_int_equal(dd_walk_layer_stats(w, 0)->uncompressed_bytes, 120 + 200000);
    assert_int_equal(h.bytes, 120 + 200000); /* the inode's data once */
    assert_int_equal(h.ends, 121);
    assert_int_equal(h.sum, (unsigned char)(want + 120 * 'x'));
    assert_int_equal(dd_walk_lookup(w, "d1")->mode, 0701);
    e = dd_walk_lookup(w, "d2/bigcopy");
    assert_non_null(e);
    assert_int_equal(e->size, 200000);
    assert_int_equal(dd_walk_content(w, e, &data, &len, NULL), DD_OK);
    assert_int_equal(len, 10);
    assert_memory_equal(data, "\x00\x1f\x3e\x5d\x7c\x9b\xba\xd9\xf8\x17", 10);
    for (size_t i = 1; i < dd_walk_count(w); i++)
        assert_true(strcmp(dd_walk_entry(w, i - 1)->path, dd_walk_entry(w, i)->path) < 0);
    dd_walk_free(w);

    /* the entry limit counts the root and every entry */
    o.limits.max_entries = 50;
    dd_walk_new(&w, &o);
    assert_int_equal(dd_walk__run_rootfs(w, root, "dir:x"), DD_ELIMIT);
    dd_walk_free(w);
    o = (dd_walk_opts)DD_WALK_OPTS_INIT;
    dd_walk_new(&w, &o);
    snprintf(p, sizeof(p), "%s/missing", root);
    assert_int_equal(dd_walk__run_rootfs(w, p, "dir:missing"), DD_EIO);
    assert_non_null(strstr(dd_error_message(), "dir:missing: reading the directory"));
    dd_walk_free(w);

    snprintf(p, sizeof(p), "rm -rf '%s'", root);
    assert_int_equal(system(p), 0);
}

/* mkdir -p and write helpers for the captures-only tree, relative to `root` */
static void mk(const char *root, const char *rel)
{
    char p[700];

    snprintf(p, sizeof(p), "%s/%s", root, rel);
    assert_int_equal(mkdir(p, 0755), 0);
}

static void put(const char *root, const char *rel, const char *content)
{
    char p[700];

    snprintf(p, sizeof(p), "%s/%s", root, rel);
    write_file(p, content);
}

static void sym(const char *root, const char *rel, const char *target)
{
    char p[700];

    snprintf(p, sizeof(p), "%s/%s", root, rel);
    assert_int_equal(symlink(target, p), 0);
}

static const char *const sparse_globs[] = {
    "etc/os\\-release",          /* an escaped literal */
    "usr?lib/os-release",        /* "?" matches "/" */
    "usr/share/doc/*/copyright", /* "*" crosses "/": nested directories count */
    "var/lib/dpkg/status",
    "var/lib/dpkg/info/*.list",
    "lib/apk/db/installed", /* lib is a symlink: recorded, not followed */
    "opt/[ab]/x",           /* a bracket: every directory below opt/ is read */
};

static dd_walk *sparse_walk(const char *root, int captures_only, dd_content_hook hook)
{
    dd_walk *w = new_walk(0);
    rootfs_hook h = {0};

    for (size_t i = 0; i < sizeof(sparse_globs) / sizeof(sparse_globs[0]); i++)
        assert_int_equal(dd_walk_capture(w, sparse_globs[i], 1024), DD_OK);
    dd_walk_set_captures_only(w, captures_only);
    if (hook)
        dd_walk_set_content_hook(w, hook, &h);
    assert_int_equal(dd_walk__run_rootfs(w, root, "dir:sparse"), DD_OK);
    return w;
}

/* Captures only: the rootfs reader opens just the directories a glob can reach, records what a
 * glob matches or leads through, and captures exactly what the full walk captures. */
static void rootfs_captures_only(void **state)
{
    static const char *const present[] = {
        "etc",
        "etc/os-release",
        "usr",
        "usr/lib",
        "usr/lib/os-release",
        "usr/share",
        "usr/share/doc",
        "usr/share/doc/a",
        "usr/share/doc/a/copyright",
        "usr/share/doc/b",
        "usr/share/doc/c",
        "usr/share/doc/c/nested",
        "usr/share/doc/c/nested/copyright",
        "var",
        "var/lib",
        "var/lib/dpkg",
        "var/lib/dpkg/status",
        "var/lib/dpkg/info",
        "var/lib/dpkg/info/x.list",
        "lib",
        "opt",
        "opt/a",
        "opt/a/x",
        "opt/zz",
        "usr/share/doc/a/link", /* a symlink where a match could be below */
    };
    static const char *const absent[] = {
        "etc/hostname",
        "etc/apt",
        "etc/apt/sources.list",
        "usr/bin",
        "usr/bin/sh",
        "usr/lib/libc.so",
        "usr/share/doc/a/changelog.gz",
        "var/lib/dpkg/info/x.md5sums",
        "var/lib/dpkg/alternatives",
        "var/log",
        "home",
        "link-etc",
    };
    const char *tmp = getenv("DD_TEST_TMP");
    char root[512], cmd[600];
    dd_walk *full, *sparse, *hooked;
    const dd_entry *e;
    const void *data;
    size_t len, captured = 0;

    (void)state;
    if (!tmp)
        tmp = "/tmp";
    mkdir(tmp, 0755);
    snprintf(root, sizeof(root), "%s/walk-sparse-%d", tmp, (int)getpid());
    assert_int_equal(mkdir(root, 0755), 0);
    mk(root, "etc");
    put(root, "etc/hostname", "box\n");
    mk(root, "etc/apt");
    put(root, "etc/apt/sources.list", "deb x\n");
    sym(root, "etc/os-release", "../usr/lib/os-release");
    mk(root, "usr");
    mk(root, "usr/bin");
    put(root, "usr/bin/sh", "#!\n");
    mk(root, "usr/lib");
    put(root, "usr/lib/os-release", "ID=sparse\n");
    put(root, "usr/lib/libc.so", "elf");
    mk(root, "usr/share");
    mk(root, "usr/share/doc");
    mk(root, "usr/share/doc/a");
    put(root, "usr/share/doc/a/copyright", "License: MIT\n");
    put(root, "usr/share/doc/a/changelog.gz", "gz");
    sym(root, "usr/share/doc/a/link", "../../../bin");
    sym(root, "usr/share/doc/b", "a");
    mk(root, "usr/share/doc/c");
    mk(root, "usr/share/doc/c/nested");
    put(root, "usr/share/doc/c/nested/copyright", "License: GPL-2\n");
    mk(root, "var");
    mk(root, "var/log");
    mk(root, "var/lib");
    mk(root, "var/lib/dpkg");
    mk(root, "var/lib/dpkg/alternatives");
    put(root, "var/lib/dpkg/status", "Package: x\n\n");
    mk(root, "var/lib/dpkg/info");
    put(root, "var/lib/dpkg/info/x.list", "/usr/bin/sh\n");
    put(root, "var/lib/dpkg/info/x.md5sums", "0 usr/bin/sh\n");
    sym(root, "lib", "usr/lib");
    mk(root, "opt");
    mk(root, "opt/a");
    put(root, "opt/a/x", "ax");
    mk(root, "opt/zz");
    mk(root, "home");
    sym(root, "link-etc", "etc");

    full = sparse_walk(root, 0, NULL);
    sparse = sparse_walk(root, 1, NULL);
    for (size_t i = 0; i < sizeof(present) / sizeof(present[0]); i++)
        if (!dd_walk_lookup(sparse, present[i]))
            fail_msg("captures only: %s missing", present[i]);
    for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
        if (dd_walk_lookup(sparse, absent[i]))
            fail_msg("captures only: %s read", absent[i]);
    assert_int_equal(dd_walk_count(sparse), sizeof(present) / sizeof(present[0]));
    /* the root and every name of the directories read: the root's (7), etc (3), usr (3),
     * usr/lib (2), usr/share (1), doc (3), doc/a (3), doc/c (1), nested (1), var (2),
     * var/lib (1), dpkg (3), info (2), opt (2), opt/a (1), opt/zz (0) */
    assert_int_equal(dd_walk_layer_stats(sparse, 0)->entries,
                     1 + 7 + 3 + 3 + 2 + 1 + 3 + 3 + 1 + 1 + 2 + 1 + 3 + 2 + 2 + 1);
    assert_true(dd_walk_layer_stats(sparse, 0)->entries < dd_walk_layer_stats(full, 0)->entries);

    /* every sparse entry is the full walk's, and every capture of the full walk is there */
    for (size_t i = 0; i < dd_walk_count(sparse); i++) {
        const dd_entry *s = dd_walk_entry(sparse, i), *f = dd_walk_lookup(full, s->path);

        assert_non_null(f);
        assert_int_equal(s->type, f->type);
        assert_int_equal(s->mode, f->mode);
        assert_int_equal(s->size, f->size);
        assert_int_equal(s->mtime, f->mtime);
        assert_int_equal(s->implicit, 0);
        if (s->link)
            assert_string_equal(s->link, f->link);
    }
    for (size_t i = 0; i < dd_walk_count(full); i++) {
        const dd_entry *f = dd_walk_entry(full, i), *s;
        const void *fd, *sd;
        size_t fl, sl;

        if (dd_walk_content(full, f, &fd, &fl, NULL) != DD_OK)
            continue;
        captured++;
        assert_non_null(s = dd_walk_lookup(sparse, f->path));
        assert_int_equal(dd_walk_content(sparse, s, &sd, &sl, NULL), DD_OK);
        assert_int_equal(sl, fl);
        assert_memory_equal(sd, fd, fl);
    }
    assert_int_equal(captured, 6); /* os-release, 2 copyright, status, x.list, opt/a/x */

    /* the paths catalogers resolve still resolve */
    assert_int_equal(dd_walk_resolve(sparse, "etc/os-release", &e), DD_OK);
    assert_string_equal(e->path, "usr/lib/os-release");
    assert_int_equal(dd_walk_content(sparse, e, &data, &len, NULL), DD_OK);
    assert_memory_equal(data, "ID=sparse\n", 10);
    assert_int_equal(dd_walk_resolve(sparse, "usr/share/doc/b/copyright", &e), DD_OK);
    assert_string_equal(e->path, "usr/share/doc/a/copyright");
    /* a symlink leading out of the part read resolves to nothing */
    assert_int_equal(dd_walk_resolve(sparse, "lib/libc.so", &e), DD_ENOTFOUND);
    assert_int_equal(dd_walk_resolve(full, "lib/libc.so", &e), DD_OK);

    /* a content hook sees every file: the walk is then complete */
    hooked = sparse_walk(root, 1, rootfs_hook_cb);
    assert_int_equal(dd_walk_count(hooked), dd_walk_count(full));
    dd_walk_free(hooked);
    dd_walk_free(sparse);
    dd_walk_free(full);

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(basic_view_sorted_with_metadata),
        cmocka_unit_test(whiteouts_delete_lower_subtrees),
        cmocka_unit_test(opaque_dir_hides_lower_contents),
        cmocka_unit_test(replace_file_by_dir_and_dir_by_file),
        cmocka_unit_test(implicit_parents),
        cmocka_unit_test(hard_links),
        cmocka_unit_test(resolve_symlinks),
        cmocka_unit_test(captures_keep_contents_of_every_version),
        cmocka_unit_test(content_hook_sees_every_byte_once),
        cmocka_unit_test(escaping_names_are_invalid),
        cmocka_unit_test(long_pax_names),
        cmocka_unit_test(limits),
        cmocka_unit_test(corrupt_and_truncated_tars),
        cmocka_unit_test(parallel_layers_match_serial),
        cmocka_unit_test(rootfs_directory),
        cmocka_unit_test(rootfs_nested_hard_links_hook),
        cmocka_unit_test(rootfs_captures_only),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
