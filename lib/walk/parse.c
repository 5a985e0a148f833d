/* Per-layer streaming parse: tar (or disk) entries to records, whiteout markers, captures and
 * the content hook. Runs on a worker thread; touches only its own layer and atomics. */
#include "walk/walk_int.h"

#include <archive_entry.h>
#include <errno.h>
#include <fnmatch.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WH_PREFIX     ".wh."
#define WH_META       ".wh..wh."
#define WH_OPAQUE     ".wh..wh..opq"
#define MSG_NAME_MAX  200 /* bytes of an entry name quoted in a message */

typedef struct {
    dd_walk *w;
    dd_walk__layer *layer;
    struct archive *a;
    dd_walk__feed *feed;
    const char *strip;
    size_t strip_len;
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
    if (!c->feed)
        return dd_error_set(DD_EIO, "%s: %s: %s", c->layer->label, what, msg);
    if (c->last)
        return dd_error_set(DD_EINVALID, "%s: after entry \"%s\": %s: %s", c->layer->label,
                            c->last, what, msg);
    return dd_error_set(DD_EINVALID, "%s: at the first entry: %s: %s", c->layer->label, what,
                        msg);
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

/* Reads a regular file's data: into its capture (when `capture`) and through the hook. */
static int read_data(parse_ctx *c, dd_walk__rec *r, bool capture, uint64_t cap)
{
    dd_walk *w = c->w;
    size_t keep = 0;

    if (capture) {
        keep = r->e.size < cap ? (size_t)r->e.size : (size_t)cap;
        r->data = dd_arena_alloc(c->layer->arena, keep + 1);
        if (!r->data)
            return dd_error_set(DD_ENOMEM, "%s: entry \"%.*s\": out of memory capturing %zu bytes",
                                c->layer->label, MSG_NAME_MAX, r->e.path, keep);
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
                return dd_error_restore(&c->feed->err);
            return dd_error_set(c->feed ? DD_EINVALID : DD_EIO, "%s: entry \"%.*s\": %s",
                                c->layer->label, MSG_NAME_MAX, r->e.path,
                                msg ? msg : "corrupt data");
        }
        if (off < 0)
            off = 0;
        if (capture && (uint64_t)off < keep) {
            size_t n = keep - (size_t)off < size ? keep - (size_t)off : size;

            memcpy(r->data + off, buf, n);
        }
        if (w->hook) {
            int rc = w->hook(&r->e, (uint64_t)off, buf, size, w->hook_payload);

            if (rc != 0)
                goto hook_failed;
            if (atomic_load_explicit(c->stop, memory_order_relaxed))
                return DD_WALK__STOPPED;
        } else if ((uint64_t)off + size >= keep) {
            break; /* the capture is full and nobody else wants the rest */
        }
    }
    if (w->hook) {
        int rc = w->hook(&r->e, r->e.size, NULL, 0, w->hook_payload);

        if (rc != 0)
            goto hook_failed;
    }
    return DD_OK;

hook_failed:
    if (dd_error_code() == DD_OK)
        dd_error_set(DD_ERROR, "%s: entry \"%.*s\": content hook stopped the walk",
                     c->layer->label, MSG_NAME_MAX, r->e.path);
    return dd_error_code();
}

/* A rootfs hard link matching a capture: its data was seen under the inode's first path,
 * which may match no glob, so the capture reads the file itself (not following symlinks). */
static int capture_from_disk(parse_ctx *c, dd_walk__rec *r, const char *source, uint64_t cap)
{
    struct stat st;
    size_t keep, got = 0;
    int fd, rc = DD_OK;

    if (!source)
        return DD_OK;
    if ((fd = open(source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0) {
        rc = dd_error_set(DD_EIO, "%s: entry \"%.*s\": %s", c->layer->label, MSG_NAME_MAX,
                          r->e.path, strerror(errno));
        goto done;
    }
    keep = (uint64_t)st.st_size < cap ? (size_t)st.st_size : (size_t)cap;
    if (!(r->data = dd_arena_alloc(c->layer->arena, keep + 1))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    while (got < keep) {
        ssize_t n = read(fd, r->data + got, keep - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = dd_error_set(DD_EIO, "%s: entry \"%.*s\": %s", c->layer->label, MSG_NAME_MAX,
                              r->e.path, strerror(errno));
            goto done;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    r->data[got] = '\0';
    r->len = got;
    r->captured = 1;
    r->truncated = (uint64_t)st.st_size > cap;

done:
    if (fd >= 0)
        close(fd);
    return rc;
}

/* The name of a disk entry relative to the directory read, or NULL for the directory itself. */
static const char *strip_prefix(parse_ctx *c, const char *raw)
{
    if (strncmp(raw, c->strip, c->strip_len) != 0)
        return raw;
    raw += c->strip_len;
    while (*raw == '/')
        raw++;
    return raw;
}

static int parse_entry(parse_ctx *c, struct archive_entry *ae)
{
    dd_walk *w = c->w;
    dd_walk__layer *layer = c->layer;
    const char *raw = archive_entry_pathname(ae), *base, *target;
    dd_walk__rec *r;
    size_t len;
    uint64_t cap = 0;
    bool capture;
    int rc;

    if (!raw)
        raw = archive_entry_pathname_utf8(ae);
    if (!raw)
        return dd_error_set(DD_EINVALID, "%s: after entry \"%s\": entry name cannot be decoded",
                            layer->label, c->last ? c->last : "");
    if (!c->feed)
        raw = strip_prefix(c, raw);
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
    if (c->feed && strncmp(base, WH_PREFIX, 4) == 0) {
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
        if (!c->feed)
            target = strip_prefix(c, target);
        if ((rc = normalize_name(c, &c->link, target, raw)) != DD_OK)
            return rc;
        if (c->link.len == 0)
            return dd_error_set(DD_EINVALID, "%s: entry \"%.*s\": hard link to the root",
                                layer->label, MSG_NAME_MAX, raw);
        if (!(r->e.link = dd_arena_strndup(layer->arena, c->link.data, c->link.len)))
            return dd_error_set(DD_ENOMEM, "out of memory");
    }
    if (r->e.type == DD_FT_HARDLINK && !c->feed && w->n_captures &&
        capture_match(w, r->e.path, len, &cap))
        return capture_from_disk(c, r, archive_entry_sourcepath(ae), cap);
    if (r->e.type != DD_FT_REG)
        return DD_OK;
    capture = w->n_captures && capture_match(w, r->e.path, len, &cap);
    if (!capture && !w->hook)
        return DD_OK; /* libarchive skips the data at the next header */
    return read_data(c, r, capture, cap);
}

int dd_walk__parse_layer(dd_walk *w, dd_walk__layer *layer, struct archive *a,
                         dd_walk__feed *feed, const char *strip, atomic_bool *stop)
{
    parse_ctx c = {.w = w, .layer = layer, .a = a, .feed = feed, .strip = strip,
                   .stop = stop, .name = DD_BUF_INIT, .link = DD_BUF_INIT};
    struct archive_entry *ae;
    struct archive_entry_linkresolver *links = NULL;
    int rc = DD_OK;

    if (strip)
        c.strip_len = strlen(strip);
    if (!feed) {
        /* a directory has no hard-link entries: the resolver turns the second and later
         * paths of one inode into links to the first, as tar would write them */
        if (!(links = archive_entry_linkresolver_new()))
            return dd_error_set(DD_ENOMEM, "out of memory");
        archive_entry_linkresolver_set_strategy(links, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
    }
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
            rc = archive_failure(&c, feed ? "corrupt or truncated tar" : "reading the directory");
            goto done;
        }
        if (!feed) {
            struct archive_entry *spare = NULL;

            if (archive_read_disk_can_descend(a))
                archive_read_disk_descend(a);
            archive_entry_linkify(links, &ae, &spare);
            if (!ae)
                continue;
        }
        if ((rc = parse_entry(&c, ae)) != DD_OK)
            goto done;
    }

done:
    if (links)
        archive_entry_linkresolver_free(links);
    dd_buf_dispose(&c.name);
    dd_buf_dispose(&c.link);
    dd_free(c.last);
    return rc;
}
