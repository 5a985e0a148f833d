/* Per-layer streaming parse: tar (or disk) entries to records, whiteout markers, captures and
 * the content hook. Runs on a worker thread; touches only its own layer and atomics. */
#include "walk/walk_int.h"

#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define WH_PREFIX    ".wh."
#define WH_META      ".wh..wh."
#define WH_OPAQUE    ".wh..wh..opq"
#define MSG_NAME_MAX 200 /* bytes of an entry name quoted in a message */

typedef struct {
    dd_walk *w;
    dd_walk__layer *layer;
    struct archive *a;
    dd_walk__feed *feed;
    atomic_bool *stop;
    dd_buf name; /* scratch: the member name being normalised */
    dd_buf link; /* scratch: the hard-link target being normalised */
    char *last;  /* previous entry's name as written (dd_malloc'd), for messages */
    size_t last_alloc;
} parse_ctx;

la_ssize_t dd_walk__feed_read(struct archive *a, void *data, const void **buf)
{
    dd_walk__feed *feed = data;
    size_t len = 0;

    if (feed->src->read(feed->reader, buf, &len) != DD_OK)
        goto fail;
    if (feed->walk) {
        uint64_t total = atomic_fetch_add(&feed->walk->image_bytes, len) + len;
        uint64_t max = feed->walk->opts.limits.max_image_bytes;

        if (max && total > max) {
            dd_error_set(DD_ELIMIT, "%s: image larger than the limit of %llu uncompressed bytes",
                         feed->src->name, (unsigned long long)max);
            goto fail;
        }
    }
    return (la_ssize_t)len;
fail:
    dd_error_save(&feed->err);
    feed->failed = true;
    archive_set_error(a, EIO, "layer read error");
    return -1;
}

static int remember_last(parse_ctx *c, const char *raw)
{
    size_t n = strlen(raw);

    if (n > MSG_NAME_MAX)
        n = MSG_NAME_MAX;
    if (n + 1 > c->last_alloc) {
        char *p = dd_realloc(c->last, MSG_NAME_MAX + 1);

        if (!p)
            return dd_error_set(DD_ENOMEM, "out of memory");
        c->last = p;
        c->last_alloc = MSG_NAME_MAX + 1;
    }
    memcpy(c->last, raw, n);
    c->last[n] = '\0';
    return DD_OK;
}

/* The error of a failed libarchive call: the feed's own error when the bytes could not be
 * read (digest, decompression, limits), otherwise corrupt input naming the last entry. */
static int archive_failure(parse_ctx *c, const char *what)
{
    const char *msg = archive_error_string(c->a);

    if (c->feed && c->feed->failed)
        return dd_error_restore(&c->feed->err);
    if (!msg)
        msg = "unknown error";
    if (c->last)
        return dd_error_set(DD_EINVALID, "%s: after entry \"%s\": %s: %s", c->layer->label, c->last,
                            what, msg);
    return dd_error_set(DD_EINVALID, "%s: at the first entry: %s: %s", c->layer->label, what, msg);
}

/* Normalises `raw` into `buf`; DD_EINVALID for ".." components and absolute names. */
static int normalize_name(parse_ctx *c, dd_buf *buf, const char *raw, const char *entry)
{
    bool absolute = false;
    int rc;

    if (strlen(raw) > buf->cap)
        return dd_error_set(DD_ELIMIT, "%s: entry \"%.64s...\": path longer than %u bytes",
                            c->layer->label, entry, c->w->opts.limits.max_path_len);
    dd_buf_clear(buf);
    if ((rc = dd_buf_puts(buf, raw)) != DD_OK)
        return rc;
    if (dd_path_normalize(buf->data, &absolute) != DD_OK || absolute)
        return dd_error_set(DD_EINVALID, "%s: entry \"%.*s\": path escapes the root",
                            c->layer->label, MSG_NAME_MAX, entry);
    buf->len = strlen(buf->data);
    return DD_OK;
}

static int check_path_limits(parse_ctx *c, const char *path, size_t len, const char *raw)
{
    const dd_limits *lim = &c->w->opts.limits;

    if (len > lim->max_path_len)
        return dd_error_set(DD_ELIMIT, "%s: entry \"%.*s%s\": path longer than %u bytes",
                            c->layer->label, 64, raw, strlen(raw) > 64 ? "..." : "",
                            lim->max_path_len);
    if (dd_path_depth(path) > lim->max_path_depth)
        return dd_error_set(DD_ELIMIT, "%s: entry \"%.*s\": path deeper than %u components",
                            c->layer->label, MSG_NAME_MAX, raw, lim->max_path_depth);
    return DD_OK;
}

static dd_file_type type_of(struct archive_entry *ae)
{
    if (archive_entry_hardlink(ae))
        return DD_FT_HARDLINK;
    switch (archive_entry_filetype(ae)) {
    case AE_IFDIR:
        return DD_FT_DIR;
    case AE_IFLNK:
        return DD_FT_SYMLINK;
    case AE_IFCHR:
        return DD_FT_CHAR;
    case AE_IFBLK:
        return DD_FT_BLOCK;
    case AE_IFIFO:
        return DD_FT_FIFO;
    case AE_IFSOCK:
        return DD_FT_SOCK;
    default:
        return DD_FT_REG; /* unknown tar types read as regular files, as POSIX says */
    }
}

/* Whether a capture glob matches `path`, and the most bytes any matching one keeps. */
static bool capture_match(const dd_walk *w, const char *path, size_t len, uint64_t *max_bytes)
{
    bool any = false;

    *max_bytes = 0;
    for (size_t i = 0; i < w->n_captures; i++) {
        const dd_walk__capture *cap = &w->captures[i];

        /* the literal tail is a cheap necessary condition that spares most fnmatch calls */
        if (cap->tail_len > len || memcmp(path + len - cap->tail_len, cap->tail, cap->tail_len))
            continue;
        if (fnmatch(cap->glob, path, 0) != 0)
            continue;
        if (!any || cap->max_bytes > *max_bytes)
            *max_bytes = cap->max_bytes;
        any = true;
    }
    return any;
}

/* Whether `glob` can match some path that starts with path[0..len) followed by "/". Exact for
 * literal characters (escaped or not) and "?"; "*" (which crosses "/") and a bracket
 * expression accept any rest, so the answer errs only towards yes. */
static bool glob_reaches_below(const char *g, const char *path, size_t len)
{
    for (size_t j = 0; j <= len; j++, g++) {
        char c = j < len ? path[j] : '/';

        if (*g == '*' || *g == '[')
            return true;
        if (*g == '\0')
            return false;
        if (*g == '?')
            continue;
        if (*g == '\\' && g[1])
            g++;
        if (*g != c)
            return false;
    }
    return true;
}

/* Whether a capture glob can match something below the directory `path`. */
static bool capture_below(const dd_walk *w, const char *path, size_t len)
{
    for (size_t i = 0; i < w->n_captures; i++)
        if (glob_reaches_below(w->captures[i].glob, path, len))
            return true;
    return false;
}

static dd_walk__rec *new_rec(parse_ctx *c, uint8_t kind, const char *path, size_t len)
{
    dd_walk__rec *r = dd_arena_alloc(c->layer->arena, sizeof(*r));
    char *p;

    if (!r || !(p = dd_arena_strndup(c->layer->arena, path, len))) {
        dd_error_set(DD_ENOMEM, "out of memory");
        return NULL;
    }
    memset(r, 0, sizeof(*r));
    r->kind = kind;
    r->e.path = p;
    r->e.layer = (uint32_t)(c->layer - c->w->layers);
    if (c->layer->tail)
        c->layer->tail->next = r;
    else
        c->layer->head = r;
    c->layer->tail = r;
    c->layer->n_recs++;
    return r;
}

/* ---- extracts: a file's bytes handed to the extractor whose magic it starts with ---- */

typedef struct {
    const dd_walk__extractor *ext; /* chosen once the magic matched; NULL before and when none */
    dd_walk_extract_ctx ctx;
    dd_buf out;
    unsigned char head[DD_WALK__MAGIC_MAX]; /* the file's first bytes, for the magic */
    size_t head_len, need;                  /* need: bytes of head the candidates compare */
    bool candidate;                         /* some extractor may want the file */
    bool seekable;
} xfeed;

/* Whether extractor `x` admits the file by its permission bits and base name (its magic is
 * checked once the first bytes are read). */
static bool extractor_admits(const dd_walk__extractor *x, const dd_walk__rec *r)
{
    const char *base;
    size_t bl;

    if (x->mode_any && !(r->e.mode & x->mode_any))
        return false;
    if (r->e.size < x->magic_len)
        return false;
    if (!x->n_names)
        return true;
    base = strrchr(r->e.path, '/');
    base = base ? base + 1 : r->e.path;
    bl = strlen(base);
    for (size_t i = 0; i < x->n_names; i++) {
        const dd_walk__name *n = &x->names[i];

        if (n->suffix ? n->suffix_len <= bl &&
                            memcmp(base + bl - n->suffix_len, n->suffix, n->suffix_len) == 0
                      : fnmatch(n->glob, base, 0) == 0)
            return true;
    }
    return false;
}

static bool xfeed_begin(xfeed *f, dd_walk *w, dd_walk__rec *r, bool seekable)
{
    memset(f, 0, sizeof(*f));
    f->out = (dd_buf)DD_BUF_INIT;
    f->out.cap = (size_t)w->opts.limits.max_capture_bytes;
    f->seekable = seekable;
    if (r->e.type != DD_FT_REG)
        return false;
    for (size_t i = 0; i < w->n_extractors; i++) {
        const dd_walk__extractor *x = &w->extractors[i];

        if (!extractor_admits(x, r))
            continue;
        f->candidate = true;
        if (x->magic_len > f->need)
            f->need = x->magic_len;
    }
    return f->candidate;
}

static bool xfeed_wants(const xfeed *f)
{
    return f && (f->candidate || (f->ext && f->ctx.want_len > 0));
}

/* Hands [off, off+len) to the extractor, less what lies before the range it wants. */
static int xfeed_deliver(xfeed *f, uint64_t off, const unsigned char *data, size_t len)
{
    while (f->ext && len > 0 && f->ctx.want_len > 0) {
        uint64_t wo = f->ctx.want_offset;
        size_t n;
        int rc;

        if (wo >= off + len)
            return DD_OK; /* what it wants comes later */
        if (wo > off) {
            data += wo - off;
            len -= (size_t)(wo - off);
            off = wo;
        }
        n = f->ctx.want_len < len ? (size_t)f->ctx.want_len : len;
        f->ctx.want_offset = off + n;
        f->ctx.want_len -= n;
        if ((rc = f->ext->fn(&f->ctx, off, data, n, f->ext->payload)) != 0)
            return rc;
        off += n;
        data += n;
        len -= n;
    }
    return DD_OK;
}

/* Bytes [off, off+len) of the file `r`: the magic first, then the extractor's share. */
static int xfeed_data(xfeed *f, dd_walk *w, dd_walk__rec *r, uint64_t off, const void *data,
                      size_t len)
{
    const unsigned char *p = data;
    size_t n;
    int rc;

    if (!f->candidate)
        return f->ext ? xfeed_deliver(f, off, p, len) : DD_OK;
    if (off != f->head_len) {
        f->candidate = false; /* a hole where the magic would be */
        return DD_OK;
    }
    n = f->need - f->head_len < len ? f->need - f->head_len : len;
    memcpy(f->head + f->head_len, p, n);
    f->head_len += n;
    if (f->head_len < f->need)
        return DD_OK;
    f->candidate = false;
    for (size_t i = 0; i < w->n_extractors && !f->ext; i++) {
        const dd_walk__extractor *x = &w->extractors[i];

        if (extractor_admits(x, r) && memcmp(f->head, x->magic, x->magic_len) == 0)
            f->ext = x;
    }
    if (!f->ext)
        return DD_OK;
    f->ctx.entry = &r->e;
    f->ctx.seekable = f->seekable;
    f->ctx.want_offset = 0;
    f->ctx.want_len = UINT64_MAX;
    f->ctx.opaque = f;
    if ((rc = xfeed_deliver(f, 0, f->head, f->head_len)) != DD_OK)
        return rc;
    return xfeed_deliver(f, off + n, p + n, len - n);
}

/* The final call, and the extract into the layer's arena. */
static int xfeed_end(xfeed *f, parse_ctx *c, dd_walk__rec *r, bool keep)
{
    int rc = DD_OK;

    if (f->ext) {
        rc = f->ext->fn(&f->ctx, r->e.size, NULL, 0, f->ext->payload);
        if (rc == DD_OK && keep && f->out.len) {
            /* NUL-terminated, as captures are */
            if (!(r->xdata = dd_arena_alloc(c->layer->arena, f->out.len + 1)))
                rc = dd_error_set(DD_ENOMEM, "%s: entry \"%.*s\": out of memory", c->layer->label,
                                  MSG_NAME_MAX, r->e.path);
            else
                memcpy(r->xdata, f->out.data, (r->xlen = f->out.len) + 1);
        }
        f->ext = NULL;
    }
    dd_buf_dispose(&f->out);
    return rc;
}

int dd_walk_extract_keep(dd_walk_extract_ctx *x, const void *data, size_t len)
{
    xfeed *f = x->opaque;

    return dd_buf_put(&f->out, data, len);
}

/* Reads a regular file's data: into its capture (when `capture`), through the hook and to the
 * extractor (when `xf`). */
static int read_data(parse_ctx *c, dd_walk__rec *r, bool capture, uint64_t cap, xfeed *xf)
{
    dd_walk *w = c->w;
    size_t keep = 0;
    int rc = DD_OK;

    if (capture) {
        keep = r->e.size < cap ? (size_t)r->e.size : (size_t)cap;
        r->data = dd_arena_alloc(c->layer->arena, keep + 1);
        if (!r->data) {
            rc = dd_error_set(DD_ENOMEM, "%s: entry \"%.*s\": out of memory capturing %zu bytes",
                              c->layer->label, MSG_NAME_MAX, r->e.path, keep);
            goto done;
        }
        memset(r->data, 0, keep + 1); /* sparse holes read as zeros */
        r->len = keep;
        r->captured = 1;
        r->truncated = r->e.size > cap;
    }
    for (;;) {
        const void *buf;
        size_t size;
        la_int64_t off;
        int ar = archive_read_data_block(c->a, &buf, &size, &off);

        if (ar == ARCHIVE_EOF)
            break;
        if (ar < ARCHIVE_WARN) {
            const char *msg = archive_error_string(c->a);

            if (c->feed && c->feed->failed)
                rc = dd_error_restore(&c->feed->err);
            else
                rc = dd_error_set(c->feed ? DD_EINVALID : DD_EIO, "%s: entry \"%.*s\": %s",
                                  c->layer->label, MSG_NAME_MAX, r->e.path,
                                  msg ? msg : "corrupt data");
            goto done;
        }
        if (off < 0)
            off = 0;
        if (capture && (uint64_t)off < keep) {
            size_t n = keep - (size_t)off < size ? keep - (size_t)off : size;

            memcpy(r->data + off, buf, n);
        }
        if (xf && (rc = xfeed_data(xf, w, r, (uint64_t)off, buf, size)) != DD_OK)
            goto done;
        if (w->hook) {
            if (w->hook(&r->e, (uint64_t)off, buf, size, w->hook_payload) != 0)
                goto hook_failed;
            if (atomic_load_explicit(c->stop, memory_order_relaxed)) {
                rc = DD_WALK__STOPPED;
                goto done;
            }
        } else if ((uint64_t)off + size >= keep && !xfeed_wants(xf)) {
            break; /* the capture is full and nobody else wants the rest */
        }
    }
    if (w->hook && w->hook(&r->e, r->e.size, NULL, 0, w->hook_payload) != 0)
        goto hook_failed;
    goto done;

hook_failed:
    if (dd_error_code() == DD_OK)
        dd_error_set(DD_ERROR, "%s: entry \"%.*s\": content hook stopped the walk", c->layer->label,
                     MSG_NAME_MAX, r->e.path);
    rc = dd_error_code();
done:
    if (xf) {
        int xrc = xfeed_end(xf, c, r, rc == DD_OK);

        if (rc == DD_OK)
            rc = xrc;
    }
    return rc;
}

static int parse_entry(parse_ctx *c, struct archive_entry *ae)
{
    dd_walk *w = c->w;
    dd_walk__layer *layer = c->layer;
    const char *raw = archive_entry_pathname(ae), *base, *target;
    dd_walk__rec *r;
    size_t len;
    uint64_t cap = 0;
    bool capture, extract;
    xfeed xf;
    int rc;

    if (!raw)
        raw = archive_entry_pathname_utf8(ae);
    if (!raw)
        return dd_error_set(DD_EINVALID, "%s: after entry \"%s\": entry name cannot be decoded",
                            layer->label, c->last ? c->last : "");
    if ((rc = remember_last(c, raw)) != DD_OK)
        return rc;
    layer->stats.entries++;
    if (atomic_fetch_add(&w->n_entries, 1) + 1 > w->opts.limits.max_entries)
        return dd_error_set(DD_ELIMIT, "%s: entry \"%.*s\": more than %llu entries in the image",
                            layer->label, MSG_NAME_MAX, raw,
                            (unsigned long long)w->opts.limits.max_entries);
    if ((rc = normalize_name(c, &c->name, raw, raw)) != DD_OK)
        return rc;
    len = c->name.len;
    if ((rc = check_path_limits(c, c->name.data, len, raw)) != DD_OK)
        return rc;
    if (len == 0)
        return DD_OK; /* the root directory itself is not an entry */

    base = strrchr(c->name.data, '/');
    base = base ? base + 1 : c->name.data;
    if (strncmp(base, WH_PREFIX, 4) == 0) {
        size_t dir_len = base == c->name.data ? 0 : (size_t)(base - c->name.data - 1);

        if (strcmp(base, WH_OPAQUE) == 0) {
            layer->stats.opaque_dirs++;
            return new_rec(c, DD_WALK__REC_OPAQUE, c->name.data, dir_len) ? DD_OK : DD_ENOMEM;
        }
        if (strncmp(base, WH_META, strlen(WH_META)) == 0)
            return DD_OK; /* aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs): not a file */
        if (!base[4] || strcmp(base + 4, ".") == 0 || strcmp(base + 4, "..") == 0)
            return dd_error_set(DD_EINVALID, "%s: entry \"%.*s\": whiteout names no file",
                                layer->label, MSG_NAME_MAX, raw);
        layer->stats.whiteouts++;
        /* the deleted path is the marker's path without ".wh." */
        memmove((char *)base, base + 4, strlen(base + 4) + 1);
        return new_rec(c, DD_WALK__REC_WHITEOUT, c->name.data, len - 4) ? DD_OK : DD_ENOMEM;
    }

    if (!(r = new_rec(c, DD_WALK__REC_ENTRY, c->name.data, len)))
        return DD_ENOMEM;
    r->e.type = type_of(ae);
    r->e.mode = (uint32_t)archive_entry_perm(ae) & 07777;
    r->e.uid = (uint32_t)archive_entry_uid(ae);
    r->e.gid = (uint32_t)archive_entry_gid(ae);
    r->e.mtime = (int64_t)archive_entry_mtime(ae);
    if (r->e.type == DD_FT_REG && archive_entry_size_is_set(ae) && archive_entry_size(ae) > 0)
        r->e.size = (uint64_t)archive_entry_size(ae);
    if (r->e.type == DD_FT_CHAR || r->e.type == DD_FT_BLOCK) {
        r->e.devmajor = (uint32_t)archive_entry_rdevmajor(ae);
        r->e.devminor = (uint32_t)archive_entry_rdevminor(ae);
    }
    if (r->e.type == DD_FT_SYMLINK) {
        target = archive_entry_symlink(ae);
        if (!target)
            target = archive_entry_symlink_utf8(ae);
        if (!(r->e.link = dd_arena_strdup(layer->arena, target ? target : "")))
            return dd_error_set(DD_ENOMEM, "out of memory");
    } else if (r->e.type == DD_FT_HARDLINK) {
        target = archive_entry_hardlink(ae);
        if ((rc = normalize_name(c, &c->link, target, raw)) != DD_OK)
            return rc;
        if (c->link.len == 0)
            return dd_error_set(DD_EINVALID, "%s: entry \"%.*s\": hard link to the root",
                                layer->label, MSG_NAME_MAX, raw);
        if (!(r->e.link = dd_arena_strndup(layer->arena, c->link.data, c->link.len)))
            return dd_error_set(DD_ENOMEM, "out of memory");
    }
    if (r->e.type != DD_FT_REG)
        return DD_OK;
    capture = w->n_captures && capture_match(w, r->e.path, len, &cap);
    extract = w->n_extractors && xfeed_begin(&xf, w, r, false);
    if (!capture && !w->hook && !extract)
        return DD_OK; /* libarchive skips the data at the next header */
    return read_data(c, r, capture, cap, extract ? &xf : NULL);
}

int dd_walk__parse_layer(dd_walk *w, dd_walk__layer *layer, struct archive *a, dd_walk__feed *feed,
                         atomic_bool *stop)
{
    parse_ctx c = {.w = w,
                   .layer = layer,
                   .a = a,
                   .feed = feed,
                   .stop = stop,
                   .name = DD_BUF_INIT,
                   .link = DD_BUF_INIT};
    struct archive_entry *ae;
    int rc = DD_OK;

    c.name.cap = (size_t)w->opts.limits.max_path_len * 4 + 4096;
    c.link.cap = c.name.cap;
    for (;;) {
        int ar;

        if (atomic_load_explicit(stop, memory_order_relaxed)) {
            rc = DD_WALK__STOPPED;
            goto done;
        }
        ar = archive_read_next_header(a, &ae);
        if (ar == ARCHIVE_EOF)
            break;
        if (ar < ARCHIVE_WARN) {
            rc = archive_failure(&c, "corrupt or truncated tar");
            goto done;
        }
        if ((rc = parse_entry(&c, ae)) != DD_OK)
            goto done;
    }

done:
    dd_buf_dispose(&c.name);
    dd_buf_dispose(&c.link);
    dd_free(c.last);
    return rc;
}

/* ---- rootfs: a directory read from disk with openat/getdents64/fstatat ----
 *
 * One fstatat per entry, and per directory one openat, its getdents64 calls and a close: no
 * chdir, no path lookups from the root, nothing libarchive's disk reader adds (fchdir and
 * fcntl per directory, a second stat, its entry objects). Depth first, each directory's
 * entries in getdents order, the directory before its contents (libarchive's order), so the
 * first path of an inode is the same one. Directories stay open down the current path
 * (at most limits.max_path_depth + 1 descriptors).
 *
 * Captures only (dd_walk_set_captures_only, no hook): getdents64's d_type decides without a
 * stat which names can matter. A directory is entered, and a directory or symlink recorded,
 * only when a capture glob can match below its path; any other entry only when a glob
 * matches its path. Names a filesystem gives no type (DT_UNKNOWN) are stat'ed when their path
 * passes either test. */

#define RF_DENTS_BUF (32 * 1024)
#define RF_READ_BUF  (64 * 1024)

typedef struct {
    int fd;
    size_t path_len; /* bytes of this directory's path in the path buffer */
    char *names;     /* its entries in getdents order: a d_type byte, the name, a NUL */
    size_t names_len, names_alloc, pos;
} rootfs_level;

typedef struct {
    dev_t dev;
    ino_t ino;
    const char *path; /* the first path seen (layer arena) */
} rootfs_inode;

typedef struct {
    parse_ctx c;
    bool sparse; /* captures only: skip what no capture glob can reach */
    dev_t root_dev;
    rootfs_level *levels;
    size_t n_levels, levels_alloc;
    char *path; /* the entry's path relative to the root */
    size_t path_alloc;
    char *dents;          /* getdents64 buffer */
    char *readbuf;        /* data blocks handed to the hook */
    rootfs_inode *inodes; /* open addressing, power-of-two size, for hard links */
    size_t n_inodes, inodes_alloc;
} rootfs_ctx;

static int rootfs_errno(rootfs_ctx *x, const char *path, int err)
{
    return dd_error_set(DD_EIO, "%s: entry \"%.*s\": %s", x->c.layer->label, MSG_NAME_MAX,
                        *path ? path : ".", strerror(err));
}

/* Reads the names in directory `fd` into `lv` (not "." and ".."). Every name counts against
 * limits.max_entries, read or skipped, so a huge directory stops here. */
static int rootfs_read_dir(rootfs_ctx *x, rootfs_level *lv, const char *path)
{
    dd_walk *w = x->c.w;

    lv->names_len = lv->pos = 0;
    for (;;) {
        ssize_t n = getdents64(lv->fd, x->dents, RF_DENTS_BUF);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return dd_error_set(DD_EIO, "%s: reading the directory \"%.*s\": %s", x->c.layer->label,
                                MSG_NAME_MAX, *path ? path : ".", strerror(errno));
        if (n == 0)
            return DD_OK;
        for (ssize_t off = 0; off < n;) {
            const struct dirent64 *d = (const struct dirent64 *)(x->dents + off);
            const char *name = d->d_name;
            size_t len = strlen(name);

            off += d->d_reclen;
            if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
                continue;
            x->c.layer->stats.entries++;
            if (atomic_fetch_add(&w->n_entries, 1) + 1 > w->opts.limits.max_entries)
                return dd_error_set(DD_ELIMIT,
                                    "%s: reading the directory \"%.*s\": more than %llu entries "
                                    "in the image",
                                    x->c.layer->label, MSG_NAME_MAX, *path ? path : ".",
                                    (unsigned long long)w->opts.limits.max_entries);
            if (lv->names_len + len + 2 > lv->names_alloc) {
                size_t na = lv->names_alloc ? lv->names_alloc : 1024;
                char *p;

                while (na < lv->names_len + len + 2)
                    na *= 2;
                if (!(p = dd_realloc(lv->names, na)))
                    return dd_error_set(DD_ENOMEM, "out of memory");
                lv->names = p;
                lv->names_alloc = na;
            }
            lv->names[lv->names_len] = (char)d->d_type;
            memcpy(lv->names + lv->names_len + 1, name, len + 1);
            lv->names_len += len + 2;
        }
    }
}

/* Opens directory `name` of the current level (the root when no level exists) as a new
 * level whose path is x->path[0..path_len). */
static int rootfs_push(rootfs_ctx *x, int at, const char *name, size_t path_len)
{
    rootfs_level *lv;
    int fd;

    if (x->n_levels == x->levels_alloc) {
        size_t na = x->levels_alloc ? x->levels_alloc * 2 : 16;
        rootfs_level *p = dd_realloc(x->levels, na * sizeof(*p));

        if (!p)
            return dd_error_set(DD_ENOMEM, "out of memory");
        memset(p + x->levels_alloc, 0, (na - x->levels_alloc) * sizeof(*p));
        x->levels = p;
        x->levels_alloc = na;
    }
    /* the root may be a symlink to a directory; nothing below it is followed */
    fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (x->n_levels ? O_NOFOLLOW : 0));
    if (fd < 0)
        return dd_error_set(DD_EIO, "%s: reading the directory \"%.*s\": %s", x->c.layer->label,
                            MSG_NAME_MAX, path_len ? x->path : ".", strerror(errno));
    lv = &x->levels[x->n_levels++];
    lv->fd = fd;
    lv->path_len = path_len;
    return rootfs_read_dir(x, lv, x->path);
}

static void rootfs_pop(rootfs_ctx *x)
{
    close(x->levels[--x->n_levels].fd);
}

/* The first path of inode (dev, ino), or NULL after recording `path` as it. */
static int rootfs_first_path(rootfs_ctx *x, const struct stat *st, const char *path,
                             const char **first)
{
    size_t mask, i;

    *first = NULL;
    if (2 * (x->n_inodes + 1) > x->inodes_alloc) {
        size_t na = x->inodes_alloc ? x->inodes_alloc * 2 : 256;
        rootfs_inode *t = dd_malloc(na * sizeof(*t));

        if (!t)
            return dd_error_set(DD_ENOMEM, "out of memory");
        memset(t, 0, na * sizeof(*t));
        for (size_t k = 0; k < x->inodes_alloc; k++) {
            const rootfs_inode *o = &x->inodes[k];

            if (!o->path)
                continue;
            for (i = ((size_t)o->ino * 0x9e3779b97f4a7c15u) & (na - 1); t[i].path;
                 i = (i + 1) & (na - 1))
                ;
            t[i] = *o;
        }
        dd_free(x->inodes);
        x->inodes = t;
        x->inodes_alloc = na;
    }
    mask = x->inodes_alloc - 1;
    for (i = ((size_t)st->st_ino * 0x9e3779b97f4a7c15u) & mask; x->inodes[i].path;
         i = (i + 1) & mask) {
        if (x->inodes[i].ino == st->st_ino && x->inodes[i].dev == st->st_dev) {
            *first = x->inodes[i].path;
            return DD_OK;
        }
    }
    x->inodes[i] = (rootfs_inode){.dev = st->st_dev, .ino = st->st_ino, .path = path};
    x->n_inodes++;
    return DD_OK;
}

/* Reads file `name` of directory `at`: up to min(size, cap) bytes into the record's capture
 * (when `capture`), with a hook every byte up to `size` through it, and to the extractor (when
 * `xf`) the bytes it wants as they stream by. */
static int rootfs_read_file(rootfs_ctx *x, dd_walk__rec *r, int at, const char *name, uint64_t size,
                            bool capture, uint64_t cap, bool hook, xfeed *xf)
{
    dd_walk *w = x->c.w;
    size_t keep = 0, got = 0;
    uint64_t off = 0;
    bool buffered = hook || xf; /* read through readbuf rather than into the capture */
    int fd, rc = DD_OK;

    if (capture) {
        keep = size < cap ? (size_t)size : (size_t)cap;
        if (!(r->data = dd_arena_alloc(x->c.layer->arena, keep + 1))) {
            rc = dd_error_set(DD_ENOMEM, "%s: entry \"%.*s\": out of memory capturing %zu bytes",
                              x->c.layer->label, MSG_NAME_MAX, r->e.path, keep);
            goto done_closed;
        }
        r->len = keep;
        r->captured = 1;
        r->truncated = size > cap;
    }
    if ((fd = openat(at, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        rc = rootfs_errno(x, r->e.path, errno);
        goto done_closed;
    }
    while (off < size && (hook || got < keep || xfeed_wants(xf))) {
        /* without a hook or an extractor the capture buffer is read into directly */
        char *buf = buffered ? x->readbuf : (char *)r->data + got;
        size_t want =
            buffered ? (size - off < RF_READ_BUF ? (size_t)(size - off) : RF_READ_BUF) : keep - got;
        ssize_t n;

        if (!hook && got >= keep && xf && xf->ext && xf->ctx.want_offset > off) {
            /* only the extractor reads on, and it wants bytes further on */
            if (lseek(fd, (off_t)xf->ctx.want_offset, SEEK_SET) < 0) {
                rc = rootfs_errno(x, r->e.path, errno);
                goto done;
            }
            off = xf->ctx.want_offset;
            continue;
        }
        n = read(fd, buf, want);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = rootfs_errno(x, r->e.path, errno);
            goto done;
        }
        if (n == 0)
            break; /* the file shrank since it was stat'ed */
        if (buffered && capture && off < keep)
            memcpy(r->data + off, buf, keep - off < (size_t)n ? keep - off : (size_t)n);
        if (xf && (rc = xfeed_data(xf, w, r, off, buf, (size_t)n)) != DD_OK)
            goto done;
        if (hook) {
            if (w->hook(&r->e, off, buf, (size_t)n, w->hook_payload) != 0) {
                if (dd_error_code() == DD_OK)
                    dd_error_set(DD_ERROR, "%s: entry \"%.*s\": content hook stopped the walk",
                                 x->c.layer->label, MSG_NAME_MAX, r->e.path);
                rc = dd_error_code();
                goto done;
            }
        }
        off += (uint64_t)n;
        got = off < keep ? (size_t)off : keep;
    }
    if (capture)
        memset(r->data + got, 0, keep + 1 - got); /* bytes the file no longer has read as zeros */
    if (hook && w->hook(&r->e, r->e.size, NULL, 0, w->hook_payload) != 0) {
        if (dd_error_code() == DD_OK)
            dd_error_set(DD_ERROR, "%s: entry \"%.*s\": content hook stopped the walk",
                         x->c.layer->label, MSG_NAME_MAX, r->e.path);
        rc = dd_error_code();
    }

done:
    close(fd);
done_closed:
    if (xf) {
        int xrc = xfeed_end(xf, &x->c, r, rc == DD_OK);

        if (rc == DD_OK)
            rc = xrc;
    }
    return rc;
}

/* A file only an extractor wants, read with pread where it asks: the magic, then its ranges in
 * any order, at most 4 times the file's size in all (an extractor that keeps asking stops). */
static int rootfs_extract_file(rootfs_ctx *x, dd_walk__rec *r, int at, const char *name, xfeed *xf)
{
    dd_walk *w = x->c.w;
    uint64_t size = r->e.size, budget = 4 * size + RF_READ_BUF;
    size_t got;
    int fd, rc = DD_OK;

    if ((fd = openat(at, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
        rc = rootfs_errno(x, r->e.path, errno);
        goto done_closed;
    }
    if (dd_pread_full(fd, x->readbuf, xf->need, 0, &got) != 0) {
        rc = rootfs_errno(x, r->e.path, errno);
        goto done;
    }
    if ((rc = xfeed_data(xf, w, r, 0, x->readbuf, got)) != DD_OK)
        goto done;
    while (xf->ext && xf->ctx.want_len > 0 && xf->ctx.want_offset < size && budget > 0) {
        uint64_t off = xf->ctx.want_offset;
        size_t want = RF_READ_BUF;

        if (xf->ctx.want_len < want)
            want = (size_t)xf->ctx.want_len;
        if (size - off < want)
            want = (size_t)(size - off);
        if (budget < want)
            want = (size_t)budget;
        if (dd_pread_full(fd, x->readbuf, want, off, &got) != 0) {
            rc = rootfs_errno(x, r->e.path, errno);
            goto done;
        }
        if (got == 0)
            break; /* the file shrank since it was stat'ed */
        budget -= got;
        if ((rc = xfeed_data(xf, w, r, off, x->readbuf, got)) != DD_OK)
            goto done;
    }

done:
    close(fd);
done_closed : {
    int xrc = xfeed_end(xf, &x->c, r, rc == DD_OK);

    return rc == DD_OK ? xrc : rc;
}
}

static dd_file_type rootfs_type(mode_t m)
{
    if (S_ISDIR(m))
        return DD_FT_DIR;
    if (S_ISLNK(m))
        return DD_FT_SYMLINK;
    if (S_ISCHR(m))
        return DD_FT_CHAR;
    if (S_ISBLK(m))
        return DD_FT_BLOCK;
    if (S_ISFIFO(m))
        return DD_FT_FIFO;
    if (S_ISSOCK(m))
        return DD_FT_SOCK;
    return DD_FT_REG;
}

/* Captures only: whether the entry at x->path[0..len), of getdents type `dtype`, can matter. */
static bool rootfs_wanted(const rootfs_ctx *x, size_t len, unsigned char dtype)
{
    const dd_walk *w = x->c.w;
    uint64_t cap;

    if ((dtype == DT_DIR || dtype == DT_LNK || dtype == DT_UNKNOWN) &&
        capture_below(w, x->path, len))
        return true;
    /* an extractor chooses files by their bytes: every regular file and directory can matter */
    if (w->n_extractors && (dtype == DT_DIR || dtype == DT_REG || dtype == DT_UNKNOWN))
        return true;
    return capture_match(w, x->path, len, &cap);
}

/* One entry `name` of the deepest level, whose path x->path[0..len) has been built. */
static int rootfs_entry(rootfs_ctx *x, const char *name, size_t len)
{
    parse_ctx *c = &x->c;
    dd_walk *w = c->w;
    rootfs_level *lv = &x->levels[x->n_levels - 1];
    struct stat st;
    dd_walk__rec *r;
    const char *first = NULL;
    uint64_t cap = 0;
    bool capture, extract;
    xfeed xf;
    int rc;

    if ((rc = check_path_limits(c, x->path, len, x->path)) != DD_OK)
        return rc;
    if (fstatat(lv->fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return rootfs_errno(x, x->path, errno);
    /* captures only: a single-link regular file that no glob captures and no extractor admits
     * is neither read nor kept (on a Debian root, two thirds of the entries) */
    if (x->sparse && !w->hook && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
        !(w->n_captures && capture_match(w, x->path, len, &cap))) {
        dd_walk__rec probe;
        bool admitted = false;

        memset(&probe, 0, sizeof(probe));
        probe.e.type = DD_FT_REG;
        probe.e.path = x->path;
        probe.e.mode = (uint32_t)st.st_mode & 07777;
        probe.e.size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
        for (size_t i = 0; i < w->n_extractors && !admitted; i++)
            admitted = extractor_admits(&w->extractors[i], &probe);
        if (!admitted)
            return DD_OK;
    }
    if (!(r = new_rec(c, DD_WALK__REC_ENTRY, x->path, len)))
        return DD_ENOMEM;
    r->e.type = rootfs_type(st.st_mode);
    r->e.mode = (uint32_t)st.st_mode & 07777;
    r->e.uid = (uint32_t)st.st_uid;
    r->e.gid = (uint32_t)st.st_gid;
    r->e.mtime = (int64_t)st.st_mtim.tv_sec;
    /* a second path of an inode is a hard link to the first, as tar writes it (and
     * libarchive's link resolver decides: not for directories and devices) */
    if (st.st_nlink > 1 && r->e.type != DD_FT_DIR && r->e.type != DD_FT_CHAR &&
        r->e.type != DD_FT_BLOCK) {
        if ((rc = rootfs_first_path(x, &st, r->e.path, &first)) != DD_OK)
            return rc;
        if (first) {
            r->e.type = DD_FT_HARDLINK;
            r->e.link = first;
            /* the first path may match no glob: a matching link reads the file itself */
            if (w->n_captures && capture_match(w, r->e.path, len, &cap))
                return rootfs_read_file(x, r, lv->fd, name, (uint64_t)st.st_size, true, cap, false,
                                        NULL);
            return DD_OK;
        }
    }
    switch (r->e.type) {
    case DD_FT_REG:
        if (st.st_size > 0)
            r->e.size = (uint64_t)st.st_size;
        capture = w->n_captures && capture_match(w, r->e.path, len, &cap);
        /* a file nothing else reads is the extractor's to read where it likes */
        extract = w->n_extractors && xfeed_begin(&xf, w, r, !capture && !w->hook);
        if (!capture && !w->hook && !extract)
            return DD_OK;
        if (extract && !capture && !w->hook)
            return rootfs_extract_file(x, r, lv->fd, name, &xf);
        return rootfs_read_file(x, r, lv->fd, name, r->e.size, capture, cap, w->hook != NULL,
                                extract ? &xf : NULL);
    case DD_FT_CHAR:
    case DD_FT_BLOCK:
        r->e.devmajor = (uint32_t)major(st.st_rdev);
        r->e.devminor = (uint32_t)minor(st.st_rdev);
        return DD_OK;
    case DD_FT_SYMLINK: {
        size_t n = st.st_size > 0 ? (size_t)st.st_size : 64;

        for (;;) {
            char *t = dd_arena_alloc(c->layer->arena, n + 1);
            ssize_t got;

            if (!t)
                return dd_error_set(DD_ENOMEM, "out of memory");
            if ((got = readlinkat(lv->fd, name, t, n + 1)) < 0)
                return rootfs_errno(x, r->e.path, errno);
            if ((size_t)got <= n) {
                t[got] = '\0';
                r->e.link = t;
                return DD_OK;
            }
            n *= 2; /* the link grew since it was stat'ed */
        }
    }
    case DD_FT_DIR:
        if (st.st_dev != x->root_dev)
            return DD_OK; /* another mount: listed, not entered */
        if (x->sparse && !w->n_extractors && !capture_below(w, r->e.path, len))
            return DD_OK; /* a glob matches the directory itself, none can below it */
        return rootfs_push(x, lv->fd, name, len);
    default:
        return DD_OK;
    }
}

int dd_walk__parse_rootfs(dd_walk *w, dd_walk__layer *layer, const char *dir)
{
    rootfs_ctx x = {.c = {.w = w, .layer = layer}, .sparse = w->captures_only && !w->hook};
    struct stat st;
    int rc;

    x.path_alloc = (size_t)w->opts.limits.max_path_len + 512;
    x.dents = dd_malloc(RF_DENTS_BUF);
    x.path = dd_malloc(x.path_alloc);
    if (!x.dents || !x.path ||
        ((w->hook || w->n_extractors) && !(x.readbuf = dd_malloc(RF_READ_BUF)))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    x.path[0] = '\0';
    /* the root itself counts as an entry read but is not an entry of the view */
    layer->stats.entries++;
    if (atomic_fetch_add(&w->n_entries, 1) + 1 > w->opts.limits.max_entries) {
        rc = dd_error_set(DD_ELIMIT, "%s: more than %llu entries in the image", layer->label,
                          (unsigned long long)w->opts.limits.max_entries);
        goto done;
    }
    if ((rc = rootfs_push(&x, AT_FDCWD, dir, 0)) != DD_OK)
        goto done;
    if (fstat(x.levels[0].fd, &st) != 0) {
        rc = rootfs_errno(&x, "", errno);
        goto done;
    }
    x.root_dev = st.st_dev;
    while (x.n_levels) {
        rootfs_level *lv = &x.levels[x.n_levels - 1];
        const char *name;
        unsigned char dtype;
        size_t nlen, len;

        if (lv->pos >= lv->names_len) {
            rootfs_pop(&x);
            continue;
        }
        dtype = (unsigned char)lv->names[lv->pos];
        name = lv->names + lv->pos + 1;
        nlen = strlen(name);
        lv->pos += nlen + 2;
        len = lv->path_len + (lv->path_len ? 1 : 0) + nlen;
        if (len + 1 > x.path_alloc) {
            rc = dd_error_set(DD_ELIMIT, "%s: entry \"%.*s/%.64s...\": path longer than %u bytes",
                              layer->label, 64, x.path, name, w->opts.limits.max_path_len);
            goto done;
        }
        if (lv->path_len)
            x.path[lv->path_len] = '/';
        memcpy(x.path + len - nlen, name, nlen + 1);
        if (x.sparse && !rootfs_wanted(&x, len, dtype))
            continue;
        /* rootfs_entry may push a level (and move x.levels): name points into lv->names,
         * which stays where it is */
        if ((rc = rootfs_entry(&x, name, len)) != DD_OK)
            goto done;
    }

done:
    while (x.n_levels)
        rootfs_pop(&x);
    for (size_t i = 0; i < x.levels_alloc; i++)
        dd_free(x.levels[i].names);
    dd_free(x.levels);
    dd_free(x.inodes);
    dd_free(x.dents);
    dd_free(x.readbuf);
    dd_free(x.path);
    return rc;
}
