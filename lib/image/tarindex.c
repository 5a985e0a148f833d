/* Index of an uncompressed outer tar: member name to data range, without extracting. */
#include "image/image_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TAR_BLOCK    512u
#define PAX_MAX      (1u << 20) /* one extended header; real ones are a few hundred bytes */

struct dd_tarindex {
    dd_arena *arena;
    const char *archive;
    dd_limits limits;
    dd_tar_member *members; /* sorted by name, then ordinal */
    size_t n, alloc;
};

/* Octal (NUL/space padded) or GNU base-256 numeric field. */
static bool parse_number(const unsigned char *p, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;

    if (n > 0 && (p[0] & 0x80)) {
        if (p[0] & 0x40)
            return false; /* negative */
        v = p[0] & 0x3f;
        for (i = 1; i < n; i++) {
            if (v > (UINT64_MAX >> 8))
                return false;
            v = (v << 8) | p[i];
        }
        *out = v;
        return true;
    }
    while (i < n && p[i] == ' ')
        i++;
    for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
        if (v > (UINT64_MAX >> 3))
            return false;
        v = (v << 3) | (uint64_t)(p[i] - '0');
    }
    for (; i < n; i++)
        if (p[i] != ' ' && p[i] != '\0')
            return false;
    *out = v;
    return true;
}

static bool checksum_ok(const unsigned char *h)
{
    uint64_t want;
    uint64_t usum = 0;
    int64_t ssum = 0;

    if (!parse_number(h + 148, 8, &want))
        return false;
    for (unsigned i = 0; i < TAR_BLOCK; i++) {
        unsigned char c = (i >= 148 && i < 156) ? ' ' : h[i];
        usum += c;
        ssum += (signed char)c;
    }
    return usum == want || (uint64_t)ssum == want;
}

static bool block_is_zero(const unsigned char *h)
{
    for (unsigned i = 0; i < TAR_BLOCK; i++)
        if (h[i])
            return false;
    return true;
}

static size_t field_len(const unsigned char *p, size_t n)
{
    const void *z = memchr(p, '\0', n);
    return z ? (size_t)((const unsigned char *)z - p) : n;
}

/* Applies the path, linkpath and size records of a PAX extended header. */
static int parse_pax(dd_tarindex *t, const char *data, size_t len, uint64_t hdr_off,
                     dd_buf *path, dd_buf *link, uint64_t *size, bool *has_size)
{
    size_t pos = 0;

    while (pos < len) {
        size_t reclen = 0, i = pos, klen;
        const char *key, *eq, *val, *end;

        while (i < len && data[i] >= '0' && data[i] <= '9') {
            if (reclen > len)
                break;
            reclen = reclen * 10 + (size_t)(data[i] - '0');
            i++;
        }
        if (i == pos || i >= len || data[i] != ' ' || reclen <= i - pos + 1 ||
            reclen > len - pos || data[pos + reclen - 1] != '\n') {
            if (data[pos] == '\0')
                break; /* NUL padding some writers leave */
            return dd_error_set(DD_EINVALID, "%s: offset %llu: malformed pax header record",
                                t->archive, (unsigned long long)hdr_off);
        }
        key = data + i + 1;
        end = data + pos + reclen - 1;
        eq = memchr(key, '=', (size_t)(end - key));
        if (!eq)
            return dd_error_set(DD_EINVALID, "%s: offset %llu: pax record without '='",
                                t->archive, (unsigned long long)hdr_off);
        klen = (size_t)(eq - key);
        val = eq + 1;
        if (klen == 4 && memcmp(key, "path", 4) == 0) {
            dd_buf_clear(path);
            if (dd_buf_put(path, val, (size_t)(end - val)) != DD_OK)
                return dd_error_code();
        } else if (klen == 8 && memcmp(key, "linkpath", 8) == 0) {
            dd_buf_clear(link);
            if (dd_buf_put(link, val, (size_t)(end - val)) != DD_OK)
                return dd_error_code();
        } else if (klen == 4 && memcmp(key, "size", 4) == 0) {
            uint64_t v = 0;
            const char *c = val;

            if (c == end)
                goto bad_size;
            for (; c < end; c++) {
                if (*c < '0' || *c > '9' || v > (UINT64_MAX - 9) / 10)
                    goto bad_size;
                v = v * 10 + (uint64_t)(*c - '0');
            }
            *size = v;
            *has_size = true;
        }
        pos += reclen;
    }
    return DD_OK;
bad_size:
    return dd_error_set(DD_EINVALID, "%s: offset %llu: pax size is not a number", t->archive,
                        (unsigned long long)hdr_off);
}

/* Reads the data of a GNU long name or PAX header member into `out`. */
static int read_meta(dd_tarindex *t, int fd, uint64_t off, uint64_t size, uint64_t max,
                     uint64_t file_size, dd_buf *out, const char *what)
{
    size_t got;

    if (size > max)
        return dd_error_set(DD_ELIMIT, "%s: offset %llu: %s of %llu bytes is over the limit",
                            t->archive, (unsigned long long)off, what,
                            (unsigned long long)size);
    if (off + size > file_size)
        return dd_error_set(DD_EINVALID, "%s: offset %llu: truncated archive (%s)", t->archive,
                            (unsigned long long)off, what);
    dd_buf_clear(out);
    if (dd_buf_grow(out, (size_t)size) != DD_OK)
        return dd_error_code();
    if (dd_pread_full(fd, out->data, (size_t)size, off, &got) != 0)
        return dd_error_set(DD_EIO, "%s: %s", t->archive, strerror(errno));
    if (got != size)
        return dd_error_set(DD_EINVALID, "%s: offset %llu: truncated archive (%s)", t->archive,
                            (unsigned long long)off, what);
    out->len = (size_t)size;
    out->data[out->len] = '\0';
    return DD_OK;
}

static int add_member(dd_tarindex *t, const char *name, size_t name_len, const char *link,
                      size_t link_len, char type, uint64_t off, uint64_t size)
{
    dd_tar_member *m;
    char *nm;
    int rc;

    if (t->n >= t->limits.max_entries)
        return dd_error_set(DD_ELIMIT, "%s: more than %llu members", t->archive,
                            (unsigned long long)t->limits.max_entries);
    if (name_len > t->limits.max_path_len)
        return dd_error_set(DD_ELIMIT, "%s: offset %llu: member name longer than %u bytes",
                            t->archive, (unsigned long long)off, t->limits.max_path_len);
    if (!(nm = dd_arena_strndup(t->arena, name, name_len)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (dd_path_normalize(nm, NULL) != DD_OK || !nm[0])
        return DD_OK; /* "..": never looked up, never extracted; the root itself: nothing */
    if ((rc = DD_ARRAY_RESERVE(t->members, t->alloc, t->n + 1, sizeof(*t->members),
                               64)) != DD_OK)
        return rc;
    m = &t->members[t->n];
    m->name = nm;
    m->link = NULL;
    if (type == '1' || type == '2') {
        if (!(m->link = dd_arena_strndup(t->arena, link, link_len)))
            return dd_error_set(DD_ENOMEM, "out of memory");
    }
    m->type = type ? type : '0';
    if (m->type == '7')
        m->type = '0'; /* contiguous file */
    m->offset = off;
    m->size = size;
    m->ordinal = (uint32_t)t->n;
    t->n++;
    return DD_OK;
}

static int member_cmp(const void *a, const void *b)
{
    const dd_tar_member *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c)
        return c;
    return x->ordinal < y->ordinal ? -1 : x->ordinal > y->ordinal;
}

int dd_image__tarindex_open(dd_tarindex **out, int fd, const char *archive, const dd_limits *lim,
                            bool *not_tar)
{
    dd_tarindex *t = NULL;
    dd_buf longname = DD_BUF_INIT, longlink = DD_BUF_INIT, paxpath = DD_BUF_INIT,
           paxlink = DD_BUF_INIT, meta = DD_BUF_INIT;
    bool have_longname = false, have_longlink = false, pax_size_set = false;
    uint64_t pax_size = 0, off = 0, file_size;
    unsigned char h[TAR_BLOCK];
    struct stat st;
    int rc = DD_OK;

    *out = NULL;
    if (not_tar)
        *not_tar = false;
    if (fstat(fd, &st) != 0)
        return dd_error_set(DD_EIO, "%s: %s", archive, strerror(errno));
    file_size = (uint64_t)st.st_size;
    if (!(t = dd_calloc(1, sizeof(*t))) || dd_arena_new(&t->arena) != DD_OK) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    t->limits = *lim;
    if (!(t->archive = dd_arena_strdup(t->arena, archive))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    for (;;) {
        size_t got, nlen, llen;
        uint64_t size, data_off;
        const char *name, *link;
        char type;

        if (dd_pread_full(fd, h, TAR_BLOCK, off, &got) != 0) {
            rc = dd_error_set(DD_EIO, "%s: %s", archive, strerror(errno));
            goto done;
        }
        if (got == 0 && off > 0 && off == file_size)
            break; /* no end-of-archive blocks: accepted, as GNU tar does */
        if (got < TAR_BLOCK) {
            if (off == 0 && not_tar)
                *not_tar = true;
            rc = dd_error_set(DD_EINVALID, "%s: offset %llu: truncated archive (%s)", archive,
                              (unsigned long long)off, got ? "partial header" : "no header");
            goto done;
        }
        if (block_is_zero(h))
            break;
        if (!checksum_ok(h)) {
            if (off == 0 && not_tar)
                *not_tar = true;
            rc = dd_error_set(DD_EINVALID, "%s: offset %llu: bad tar header checksum", archive,
                              (unsigned long long)off);
            goto done;
        }
        if (!parse_number(h + 124, 12, &size)) {
            rc = dd_error_set(DD_EINVALID, "%s: offset %llu: bad size field", archive,
                              (unsigned long long)off);
            goto done;
        }
        type = (char)h[156];
        data_off = off + TAR_BLOCK;
        if (type == 'L' || type == 'K' || type == 'x' || type == 'g') {
            uint64_t max = type == 'L' || type == 'K' ? (uint64_t)t->limits.max_path_len + 1
                                                      : PAX_MAX;
            const char *what = type == 'x' ? "pax header" : type == 'g' ? "global pax header"
                                                                        : "GNU long name";

            if (type == 'g') {
                if (size > file_size || data_off + size > file_size) {
                    rc = dd_error_set(DD_EINVALID, "%s: offset %llu: truncated archive (%s)",
                                      archive, (unsigned long long)off, what);
                    goto done;
                }
            } else if ((rc = read_meta(t, fd, data_off, size, max, file_size, &meta, what)) !=
                       DD_OK) {
                goto done;
            }
            if (type == 'L') {
                dd_buf_clear(&longname);
                if ((rc = dd_buf_put(&longname, meta.data, strnlen(meta.data, meta.len))) !=
                    DD_OK)
                    goto done;
                have_longname = true;
            } else if (type == 'K') {
                dd_buf_clear(&longlink);
                if ((rc = dd_buf_put(&longlink, meta.data, strnlen(meta.data, meta.len))) !=
                    DD_OK)
                    goto done;
                have_longlink = true;
            } else if (type == 'x') {
                if ((rc = parse_pax(t, meta.data, meta.len, off, &paxpath, &paxlink, &pax_size,
                                    &pax_size_set)) != DD_OK)
                    goto done;
            }
            off = data_off + ((size + TAR_BLOCK - 1) / TAR_BLOCK) * TAR_BLOCK;
            continue;
        }
        if (pax_size_set)
            size = pax_size;
        if (type == '1' || type == '2')
            size = 0; /* links carry no data */
        if (size > file_size || data_off + size > file_size) {
            nlen = field_len(h, 100);
            rc = dd_error_set(DD_EINVALID,
                              "%s: member %.*s: size %llu goes past the end of the archive "
                              "(%llu bytes)",
                              archive, (int)(paxpath.len   ? paxpath.len
                                             : have_longname ? longname.len
                                                             : nlen),
                              paxpath.len     ? paxpath.data
                              : have_longname ? longname.data
                                              : (const char *)h,
                              (unsigned long long)size, (unsigned long long)file_size);
            goto done;
        }
        if (paxpath.len) {
            name = paxpath.data;
            nlen = paxpath.len;
        } else if (have_longname) {
            name = longname.data;
            nlen = longname.len;
        } else {
            size_t plen = memcmp(h + 257, "ustar", 5) == 0 ? field_len(h + 345, 155) : 0;

            nlen = field_len(h, 100);
            dd_buf_clear(&meta);
            if (plen) {
                if ((rc = dd_buf_put(&meta, h + 345, plen)) != DD_OK ||
                    (rc = dd_buf_putc(&meta, '/')) != DD_OK)
                    goto done;
            }
            if ((rc = dd_buf_put(&meta, h, nlen)) != DD_OK)
                goto done;
            name = meta.data;
            nlen = meta.len;
        }
        if (paxlink.len) {
            link = paxlink.data;
            llen = paxlink.len;
        } else if (have_longlink) {
            link = longlink.data;
            llen = longlink.len;
        } else {
            link = (const char *)h + 157;
            llen = field_len(h + 157, 100);
        }
        if ((rc = add_member(t, name, nlen, link, llen, type, data_off, size)) != DD_OK)
            goto done;
        dd_buf_clear(&paxpath);
        dd_buf_clear(&paxlink);
        have_longname = have_longlink = pax_size_set = false;
        off = data_off + ((size + TAR_BLOCK - 1) / TAR_BLOCK) * TAR_BLOCK;
    }
    if (t->n)
        qsort(t->members, t->n, sizeof(*t->members), member_cmp);
    *out = t;
    t = NULL;
done:
    dd_buf_dispose(&longname);
    dd_buf_dispose(&longlink);
    dd_buf_dispose(&paxpath);
    dd_buf_dispose(&paxlink);
    dd_buf_dispose(&meta);
    dd_image__tarindex_free(t);
    return rc;
}

void dd_image__tarindex_free(dd_tarindex *t)
{
    if (!t)
        return;
    dd_free(t->members);
    dd_arena_free(t->arena);
    dd_free(t);
}

size_t dd_image__tarindex_count(const dd_tarindex *t)
{
    return t->n;
}

const dd_tar_member *dd_image__tarindex_at(const dd_tarindex *t, size_t i)
{
    return i < t->n ? &t->members[i] : NULL;
}

/* Last member named exactly `name` (already normalised). */
static const dd_tar_member *find_exact(const dd_tarindex *t, const char *name)
{
    size_t lo = 0, hi = t->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(t->members[mid].name, name) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && strcmp(t->members[lo - 1].name, name) == 0)
        return &t->members[lo - 1];
    return NULL;
}

const dd_tar_member *dd_image__tarindex_find(const dd_tarindex *t, const char *name)
{
    const dd_tar_member *m = NULL;
    char *copy = dd_strdup(name);

    if (!copy)
        return NULL;
    if (dd_path_normalize(copy, NULL) == DD_OK)
        m = find_exact(t, copy);
    dd_free(copy);
    return m;
}

/* Joins `target` onto directory `base` (a normalised member name, up to its last '/' when
 * `base_is_file`) resolving ".." lexically. Fails when the result leaves the archive root. */
static int join_link(dd_buf *out, const char *base, bool base_is_file, const char *target)
{
    const char *p;

    dd_buf_clear(out);
    if (target[0] != '/' && base) {
        const char *slash = base_is_file ? strrchr(base, '/') : base + strlen(base);

        if (slash && slash > base && dd_buf_put(out, base, (size_t)(slash - base)) != DD_OK)
            return dd_error_code();
    }
    p = target;
    while (*p) {
        const char *start;
        size_t n;

        while (*p == '/')
            p++;
        if (!*p)
            break;
        start = p;
        while (*p && *p != '/')
            p++;
        n = (size_t)(p - start);
        if (n == 1 && start[0] == '.')
            continue;
        if (n == 2 && start[0] == '.' && start[1] == '.') {
            char *s;

            if (out->len == 0)
                return DD_EINVALID;
            s = memrchr(out->data, '/', out->len);
            out->len = s ? (size_t)(s - out->data) : 0;
            out->data[out->len] = '\0';
            continue;
        }
        if (out->len && dd_buf_putc(out, '/') != DD_OK)
            return dd_error_code();
        if (dd_buf_put(out, start, n) != DD_OK)
            return dd_error_code();
    }
    return DD_OK;
}

int dd_image__tarindex_resolve(const dd_tarindex *t, const char *name, const dd_tar_member **out)
{
    dd_buf cur = DD_BUF_INIT, next = DD_BUF_INIT;
    const dd_tar_member *m;
    uint32_t hops = 0;
    int rc = DD_OK;

    *out = NULL;
    if ((rc = join_link(&cur, NULL, false, name)) != DD_OK) {
        if (rc == DD_EINVALID)
            rc = dd_error_set(DD_ENOTFOUND, "%s: %s: no such member (outside the archive)",
                              t->archive, name);
        goto done;
    }
    for (;;) {
        dd_buf tmp;

        m = find_exact(t, cur.data);
        if (!m) {
            if (hops)
                rc = dd_error_set(DD_ENOTFOUND, "%s: %s: link target %s: no such member",
                                  t->archive, name, cur.data);
            else
                rc = dd_error_set(DD_ENOTFOUND, "%s: %s: no such member", t->archive, name);
            goto done;
        }
        if (m->type == '0')
            break;
        if (m->type != '1' && m->type != '2') {
            rc = dd_error_set(DD_EINVALID, "%s: %s: not a regular file", t->archive, name);
            goto done;
        }
        if (++hops > t->limits.max_symlink_hops) {
            rc = dd_error_set(DD_EINVALID, "%s: %s: too many levels of links (loop?)",
                              t->archive, name);
            goto done;
        }
        /* a symlink is relative to its directory; a hard link names a member from the root */
        rc = join_link(&next, m->type == '2' ? m->name : NULL, true, m->link);
        if (rc != DD_OK) {
            if (rc == DD_EINVALID)
                rc = dd_error_set(DD_ENOTFOUND, "%s: %s: link points outside the archive",
                                  t->archive, name);
            goto done;
        }
        tmp = cur;
        cur = next;
        next = tmp;
    }
    *out = m;
done:
    dd_buf_dispose(&cur);
    dd_buf_dispose(&next);
    return rc;
}
