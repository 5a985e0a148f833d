/* The walk handle: options, captures, the parallel pass over the layers and the queries on
 * the squashed view. */
#include "walk/walk_int.h"

#include <pthread.h>
#include <string.h>

const char *dd_file_type_name(dd_file_type t)
{
    static const char *const names[] = {"file", "dir",   "symlink", "hardlink",
                                        "char", "block", "fifo",    "socket"};

    return (unsigned)t < DD_ARRAY_SIZE(names) ? names[t] : "unknown";
}

const char *dd_hidden_reason_name(dd_hidden_reason r)
{
    static const char *const names[] = {"none", "deleted", "opaque", "replaced"};

    return (unsigned)r < DD_ARRAY_SIZE(names) ? names[r] : "unknown";
}

int dd_walk_new(dd_walk **out, const dd_walk_opts *opts)
{
    dd_walk_opts defaults = DD_WALK_OPTS_INIT;
    dd_walk *w = dd_calloc(1, sizeof(*w));

    *out = NULL;
    if (!w)
        return dd_error_set(DD_ENOMEM, "out of memory");
    w->opts = opts ? *opts : defaults;
    atomic_init(&w->n_entries, 0);
    *out = w;
    return DD_OK;
}

void dd_walk_free(dd_walk *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n_captures; i++)
        dd_free(w->captures[i].glob);
    dd_free(w->captures);
    for (size_t i = 0; i < w->n_extractors; i++)
        dd_free(w->extractors[i].names);
    dd_free(w->extractors);
    for (size_t i = 0; i < w->n_layers; i++) {
        dd_arena_free(w->layers[i].arena);
        dd_free(w->layers[i].label);
    }
    dd_free(w->layers);
    dd_walk__tree_dispose(&w->tree);
    dd_free(w->files);
    dd_free(w);
}

int dd_walk_capture(dd_walk *w, const char *glob, uint64_t max_bytes)
{
    dd_walk__capture *caps, *cap;
    const char *tail;

    if (w->ran)
        return dd_error_set(DD_ERROR, "capture \"%s\": the walk has already run", glob);
    if (!glob[0] || glob[0] == '/')
        return dd_error_set(DD_EINVALID, "capture \"%s\": empty or absolute glob", glob);
    caps = dd_realloc(w->captures, (w->n_captures + 1) * sizeof(*caps));
    if (!caps)
        return dd_error_set(DD_ENOMEM, "out of memory");
    w->captures = caps;
    cap = &caps[w->n_captures];
    if (!(cap->glob = dd_strdup(glob)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    /* every match ends with the literal text after the glob's last special character */
    tail = cap->glob + strlen(cap->glob);
    while (tail > cap->glob && !strchr("*?[]\\", tail[-1]))
        tail--;
    cap->tail = tail;
    cap->tail_len = strlen(tail);
    cap->max_bytes =
        max_bytes < w->opts.limits.max_capture_bytes ? max_bytes : w->opts.limits.max_capture_bytes;
    w->n_captures++;
    return DD_OK;
}

void dd_walk_set_content_hook(dd_walk *w, dd_content_hook hook, void *payload)
{
    w->hook = hook;
    w->hook_payload = payload;
}

int dd_walk_extract(dd_walk *w, const void *magic, size_t magic_len, uint32_t mode_any,
                    const char *const *names, dd_walk_extractor fn, void *payload)
{
    dd_walk__extractor *x;

    if (w->ran)
        return dd_error_set(DD_ERROR, "extractor: the walk has already run");
    if (magic_len == 0 || magic_len > DD_WALK__MAGIC_MAX)
        return dd_error_set(DD_EINVALID, "extractor: magic of %zu bytes (1 to %d)", magic_len,
                            DD_WALK__MAGIC_MAX);
    x = dd_realloc(w->extractors, (w->n_extractors + 1) * sizeof(*x));
    if (!x)
        return dd_error_set(DD_ENOMEM, "out of memory");
    w->extractors = x;
    x = &w->extractors[w->n_extractors];
    memset(x, 0, sizeof(*x));
    for (size_t i = 0; names && names[i]; i++)
        x->n_names++;
    if (x->n_names && !(x->names = dd_calloc(x->n_names, sizeof(*x->names))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < x->n_names; i++) {
        const char *g = names[i];

        x->names[i].glob = g;
        /* every file is asked about each name: "*" and literal text needs no fnmatch */
        if (g[0] == '*' && !g[1 + strcspn(g + 1, "*?[\\")]) {
            x->names[i].suffix = g + 1;
            x->names[i].suffix_len = strlen(g + 1);
        }
    }
    w->n_extractors++;
    memcpy(x->magic, magic, magic_len);
    x->magic_len = magic_len;
    x->mode_any = mode_any & 07777;
    x->fn = fn;
    x->payload = payload;
    return DD_OK;
}

int dd_walk_extracted(const dd_walk *w, const dd_entry *entry, const void **data, size_t *len)
{
    const dd_walk__rec *r = (const dd_walk__rec *)entry;

    (void)w;
    *data = NULL;
    *len = 0;
    while (r && !r->xdata && r->e.type == DD_FT_HARDLINK && r->target)
        r = r->target;
    if (!r || !r->xdata)
        return dd_error_set(DD_ENOTFOUND, "%s: no extract", entry ? entry->path : "(null)");
    *data = r->xdata;
    *len = r->xlen;
    return DD_OK;
}

void dd_walk_set_captures_only(dd_walk *w, int on)
{
    w->captures_only = on != 0;
}

/* ---- the parallel pass ---- */

typedef struct {
    dd_walk *w;
    const dd_walk__source *src;
    atomic_size_t next;
    atomic_bool stop;
    int rc;
    dd_error_state err;
} walk_pool;

static int run_layer(walk_pool *p, size_t index)
{
    const dd_walk__source *src = p->src;
    dd_walk__layer *l = &p->w->layers[index];
    dd_walk__feed feed = {.src = src, .walk = p->w};
    struct archive *a = NULL;
    uint64_t comp = 0, uncomp = 0;
    int rc;

    if ((rc = src->open(src->payload, index, &feed.reader)) != DD_OK)
        goto done;
    if (!(a = archive_read_new())) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
        archive_read_open(a, &feed, NULL, dd_walk__feed_read, NULL) != ARCHIVE_OK) {
        if (feed.failed)
            rc = dd_error_restore(&feed.err);
        else
            rc = dd_error_set(DD_EINVALID, "%s: not a tar archive: %s", l->label,
                              archive_error_string(a) ? archive_error_string(a) : "unknown");
        goto done;
    }
    if ((rc = dd_walk__parse_layer(p->w, l, a, &feed, &p->stop)) != DD_OK) {
        /* damaged bytes often look like a bad tar first: when the digests disagree too,
         * that is the real diagnosis */
        if (rc == DD_EINVALID && !feed.failed) {
            dd_error_state tar_err;

            dd_error_save(&tar_err);
            if (src->drain(feed.reader) != DD_OK)
                rc = dd_error_code();
            else
                dd_error_restore(&tar_err);
        }
        goto done;
    }
    /* the reader checks the digests only once it has seen every byte */
    rc = src->drain(feed.reader);

done:
    archive_read_free(a);
    if (feed.reader) {
        src->close(feed.reader, &comp, &uncomp);
        l->stats.compressed_bytes = comp;
        l->stats.uncompressed_bytes = uncomp;
    }
    return rc;
}

static void *walk_worker(void *arg)
{
    walk_pool *p = arg;

    while (!atomic_load(&p->stop)) {
        size_t i = atomic_fetch_add(&p->next, 1);
        int rc;

        if (i >= p->w->n_layers)
            break;
        rc = run_layer(p, i);
        if (rc != DD_OK && rc != DD_WALK__STOPPED) {
            bool expected = false;

            /* the first failure wins; the others see `stop` between entries and give up */
            if (atomic_compare_exchange_strong(&p->stop, &expected, true)) {
                dd_error_save(&p->err);
                p->rc = rc;
            }
            break;
        }
    }
    return NULL;
}

static int init_layers(dd_walk *w, size_t n, const char *name,
                       const char *(*digest)(void *, size_t), void *payload)
{
    if (w->ran)
        return dd_error_set(DD_ERROR, "%s: the walk has already run", name);
    w->ran = true;
    if (n > w->opts.limits.max_layers)
        return dd_error_set(DD_ELIMIT, "%s: more than %u layers", name, w->opts.limits.max_layers);
    if (!(w->layers = dd_calloc(n ? n : 1, sizeof(*w->layers))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    w->n_layers = n;
    for (size_t i = 0; i < n; i++) {
        dd_buf label = DD_BUF_INIT;
        const char *d = digest ? digest(payload, i) : NULL;
        int rc = d ? dd_buf_printf(&label, "%s: layer %zu (%s)", name, i, d)
                   : dd_buf_printf(&label, "%s: layer %zu", name, i);

        if (rc != DD_OK || !(w->layers[i].label = dd_buf_detach(&label, NULL))) {
            dd_buf_dispose(&label);
            return dd_error_set(DD_ENOMEM, "out of memory");
        }
        if ((rc = dd_arena_new(&w->layers[i].arena)) != DD_OK)
            return rc;
    }
    return DD_OK;
}

int dd_walk__run_source(dd_walk *w, const dd_walk__source *src)
{
    walk_pool pool = {.w = w, .src = src, .rc = DD_OK};
    pthread_t *threads = NULL;
    size_t n_workers, started = 0;
    int rc;

    if ((rc = init_layers(w, src->n_layers, src->name, src->digest, src->payload)) != DD_OK)
        return rc;
    atomic_init(&pool.next, 0);
    atomic_init(&pool.stop, false);
    n_workers = w->opts.threads ? w->opts.threads : dd_cpu_count();
    if (n_workers > w->n_layers)
        n_workers = w->n_layers;
    /* the calling thread is one of the workers */
    if (n_workers > 1 && (threads = dd_calloc(n_workers - 1, sizeof(*threads))))
        for (; started < n_workers - 1; started++)
            if (pthread_create(&threads[started], NULL, walk_worker, &pool) != 0)
                break;
    walk_worker(&pool);
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    dd_free(threads);
    if (pool.rc != DD_OK)
        return dd_error_restore(&pool.err);
    return dd_walk__squash(w);
}

/* ---- in-memory layers, for tests and the fuzz target ---- */

typedef struct {
    const void *const *bufs;
    const size_t *lens;
    size_t chunk;
} mem_source;

typedef struct {
    const unsigned char *p;
    size_t left, chunk, total;
} mem_reader;

static int mem_open(void *payload, size_t index, void **reader)
{
    mem_source *s = payload;
    mem_reader *r = dd_malloc(sizeof(*r));

    if (!r)
        return dd_error_set(DD_ENOMEM, "out of memory");
    r->p = s->bufs[index];
    r->left = r->total = s->lens[index];
    r->chunk = s->chunk;
    *reader = r;
    return DD_OK;
}

static int mem_read(void *reader, const void **buf, size_t *len)
{
    mem_reader *r = reader;
    size_t n = r->left < r->chunk ? r->left : r->chunk;

    *buf = r->p;
    *len = n;
    r->p += n;
    r->left -= n;
    return DD_OK;
}

static int mem_drain(void *reader)
{
    mem_reader *r = reader;

    r->p += r->left;
    r->left = 0;
    return DD_OK;
}

static void mem_close(void *reader, uint64_t *compressed, uint64_t *uncompressed)
{
    mem_reader *r = reader;

    if (!r)
        return;
    *compressed = *uncompressed = r->total;
    dd_free(r);
}

int dd_walk__run_buffers(dd_walk *w, const char *name, const void *const *bufs, const size_t *lens,
                         size_t n, size_t chunk)
{
    mem_source ms = {bufs, lens, chunk ? chunk : 65536};
    dd_walk__source src = {.name = name,
                           .n_layers = n,
                           .open = mem_open,
                           .read = mem_read,
                           .drain = mem_drain,
                           .close = mem_close,
                           .payload = &ms};

    return dd_walk__run_source(w, &src);
}

/* ---- rootfs: one directory read from disk as the single layer ---- */

int dd_walk__run_rootfs(dd_walk *w, const char *dir, const char *name)
{
    dd_walk__layer *l;
    int rc;

    if (!name)
        name = dir;
    if ((rc = init_layers(w, 1, name, NULL, NULL)) != DD_OK)
        return rc;
    l = &w->layers[0];
    dd_free(l->label);
    if (!(l->label = dd_strdup(name)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    if ((rc = dd_walk__parse_rootfs(w, l, dir)) != DD_OK)
        return rc;
    for (const dd_walk__rec *r = l->head; r; r = r->next)
        if (r->e.type == DD_FT_REG)
            l->stats.uncompressed_bytes += r->e.size;
    return dd_walk__squash(w);
}

/* ---- queries ---- */

size_t dd_walk_count(const dd_walk *w)
{
    return w->n_files;
}

const dd_entry *dd_walk_entry(const dd_walk *w, size_t index)
{
    return index < w->n_files ? &w->files[index]->e : NULL;
}

/* The node of `path` (leading "/", "//" and "." tolerated, ".." not), without following
 * symlinks; the root for "" and "/". */
static const dd_walk__node *find_node(const dd_walk *w, const char *path)
{
    const dd_walk__node *n = &w->tree.root;

    while (n && *path) {
        const char *end = strchr(path, '/');
        size_t len = end ? (size_t)(end - path) : strlen(path);

        if (len == 2 && path[0] == '.' && path[1] == '.')
            return NULL;
        if (len && !(len == 1 && path[0] == '.'))
            n = dd_walk__tree_child(&w->tree, n, path, len);
        path += len + (end ? 1 : 0);
    }
    return n;
}

const dd_entry *dd_walk_lookup(const dd_walk *w, const char *path)
{
    const dd_walk__node *n = find_node(w, path);

    return n && n->cur ? &n->cur->e : NULL;
}

int dd_walk_resolve(const dd_walk *w, const char *path, const dd_entry **out)
{
    const dd_walk__node *root = &w->tree.root, *n = root;
    dd_buf rest = DD_BUF_INIT, next = DD_BUF_INIT, tmp;
    unsigned hops = 0;
    size_t pos = 0;
    int rc = DD_OK;

    *out = NULL;
    if ((rc = dd_buf_puts(&rest, path)) != DD_OK)
        goto done;
    while (pos < rest.len) {
        const char *comp;
        size_t start, len;
        const dd_walk__node *c;

        while (pos < rest.len && rest.data[pos] == '/')
            pos++;
        if (pos >= rest.len)
            break;
        start = pos;
        while (pos < rest.len && rest.data[pos] != '/')
            pos++;
        comp = rest.data + start;
        len = pos - start;
        if (len == 1 && comp[0] == '.')
            continue;
        if (len == 2 && comp[0] == '.' && comp[1] == '.') {
            /* like chroot: ".." of the root is the root */
            n = n->parent ? n->parent : root;
            continue;
        }
        if (n != root && n->cur->e.type != DD_FT_DIR) {
            rc = dd_error_set(DD_ENOTFOUND, "%s: \"%s\" is not a directory", path, n->cur->e.path);
            goto done;
        }
        if (!(c = dd_walk__tree_child(&w->tree, n, comp, len))) {
            rc = dd_error_set(DD_ENOTFOUND, "%s: not found in the image", path);
            goto done;
        }
        if (c->cur->e.type != DD_FT_SYMLINK) {
            n = c;
            continue;
        }
        if (++hops > w->opts.limits.max_symlink_hops) {
            rc = dd_error_set(DD_ELIMIT, "symlink loop at %s", c->cur->e.path);
            goto done;
        }
        /* continue with the target followed by what is left of the path */
        dd_buf_clear(&next);
        if ((rc = dd_buf_puts(&next, c->cur->e.link)) != DD_OK ||
            (rc = dd_buf_putc(&next, '/')) != DD_OK ||
            (rc = dd_buf_put(&next, rest.data + pos, rest.len - pos)) != DD_OK)
            goto done;
        if (c->cur->e.link[0] == '/')
            n = root;
        tmp = rest;
        rest = next;
        next = tmp;
        pos = 0;
    }
    if (n == root) {
        rc = dd_error_set(DD_ENOTFOUND, "%s: the root directory is not an entry", path);
        goto done;
    }
    *out = &n->cur->e;

done:
    dd_buf_dispose(&rest);
    dd_buf_dispose(&next);
    return rc;
}

size_t dd_walk_hidden_count(const dd_walk *w)
{
    return w->tree.n_hidden;
}

const dd_entry *dd_walk_hidden(const dd_walk *w, size_t index)
{
    return index < w->tree.n_hidden ? &w->tree.hidden[index]->e : NULL;
}

int dd_walk_content(const dd_walk *w, const dd_entry *entry, const void **data, size_t *len,
                    int *truncated)
{
    const dd_walk__rec *r = (const dd_walk__rec *)entry;

    *data = NULL;
    *len = 0;
    if (truncated)
        *truncated = 0;
    /* a hard link without a capture of its own shares its target's (the chain of targets
     * only goes to earlier records, so it ends) */
    while (r && !r->captured && r->e.type == DD_FT_HARDLINK && r->target)
        r = r->target;
    if (!r || !r->captured)
        return dd_error_set(DD_ENOTFOUND, "%s: not captured", entry ? entry->path : "(null)");
    *data = r->data;
    *len = r->len;
    if (truncated)
        *truncated = r->truncated;
    return DD_OK;
}

size_t dd_walk_layer_count(const dd_walk *w)
{
    return w->n_layers;
}

const dd_layer_stats *dd_walk_layer_stats(const dd_walk *w, size_t index)
{
    return index < w->n_layers ? &w->layers[index].stats : NULL;
}
