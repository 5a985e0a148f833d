/* Blob stores: names relative to an image layout, in a directory or in an indexed tar. */
#include "image/image_int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* root + "/" + normalised name; DD_ENOTFOUND for a name that leaves the root. */
static int dir_join(const dd_image__store *s, const char *name, dd_buf *out)
{
    char *norm = dd_strdup(name);
    int rc = DD_OK;

    if (!norm)
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (dd_path_normalize(norm, NULL) != DD_OK || !norm[0]) {
        rc = dd_error_set(DD_ENOTFOUND, "%s: %s: no such blob (outside the layout)", s->root,
                          name);
        goto done;
    }
    rc = dd_buf_printf(out, "%s/%s", s->root, norm);
done:
    dd_free(norm);
    return rc;
}

bool dd_image__store_exists(const dd_image__store *s, const char *name)
{
    dd_buf p = DD_BUF_INIT;
    struct stat st;
    bool ok;

    if (s->tar) {
        const dd_tar_member *m;
        dd_error_state saved;

        dd_error_save(&saved);
        ok = dd_image__tarindex_resolve(s->tar, name, &m) == DD_OK;
        dd_error_restore(&saved);
        return ok;
    }
    ok = dir_join(s, name, &p) == DD_OK && stat(p.data, &st) == 0 && S_ISREG(st.st_mode);
    dd_buf_dispose(&p);
    return ok;
}

int dd_image__store_locate(const dd_image__store *s, const char *name, dd_arena *a,
                           dd_image__loc *out)
{
    dd_buf p = DD_BUF_INIT;
    struct stat st;
    int rc = DD_OK;

    memset(out, 0, sizeof(*out));
    if (s->tar) {
        const dd_tar_member *m;

        if ((rc = dd_image__tarindex_resolve(s->tar, name, &m)) != DD_OK)
            return rc;
        out->offset = m->offset;
        out->size = m->size;
        return DD_OK;
    }
    if ((rc = dir_join(s, name, &p)) != DD_OK)
        goto done;
    if (stat(p.data, &st) != 0) {
        rc = dd_error_set(errno == ENOENT || errno == ENOTDIR ? DD_ENOTFOUND : DD_EIO,
                          "%s: %s: %s", s->root, name, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = dd_error_set(DD_EINVALID, "%s: %s: not a regular file", s->root, name);
        goto done;
    }
    if (!(out->file = dd_arena_strdup(a, p.data))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    out->size = (uint64_t)st.st_size;
done:
    dd_buf_dispose(&p);
    return rc;
}

int dd_image__store_peek(const dd_image__store *s, const dd_image__loc *loc, void *buf, size_t n,
                         size_t *got)
{
    int fd = s->fd, rc = DD_OK;

    if (n > loc->size)
        n = (size_t)loc->size;
    if (loc->file && (fd = open(loc->file, O_RDONLY | O_CLOEXEC)) < 0)
        return dd_error_set(DD_EIO, "%s: %s", loc->file, strerror(errno));
    if (dd_pread_full(fd, buf, n, loc->offset, got) != 0)
        rc = dd_error_set(DD_EIO, "%s: %s", loc->file ? loc->file : s->root, strerror(errno));
    if (loc->file)
        close(fd);
    return rc;
}

int dd_image__store_read(const dd_image__store *s, const char *name, dd_buf *out)
{
    dd_image__loc loc;
    dd_arena *a = NULL;
    size_t got;
    int rc;

    if ((rc = dd_arena_new(&a)) != DD_OK)
        return rc;
    if ((rc = dd_image__store_locate(s, name, a, &loc)) != DD_OK)
        goto done;
    if (loc.size > s->limits->max_blob_bytes) {
        rc = dd_error_set(DD_ELIMIT, "%s: %s: %llu bytes, over the limit of %llu for a document",
                          s->root, name, (unsigned long long)loc.size,
                          (unsigned long long)s->limits->max_blob_bytes);
        goto done;
    }
    dd_buf_clear(out);
    if ((rc = dd_buf_grow(out, (size_t)loc.size)) != DD_OK)
        goto done;
    if ((rc = dd_image__store_peek(s, &loc, out->data, (size_t)loc.size, &got)) != DD_OK)
        goto done;
    if (got != loc.size) {
        rc = dd_error_set(DD_EINVALID, "%s: %s: truncated (%zu of %llu bytes)", s->root, name,
                          got, (unsigned long long)loc.size);
        goto done;
    }
    out->len = got;
    out->data[got] = '\0';
done:
    dd_arena_free(a);
    return rc;
}
