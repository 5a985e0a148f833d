/* dd_buf: a bounded, always NUL-terminated growable buffer. */
#include "util/util.h"

#include <stdio.h>
#include <string.h>

char dd_buf__empty[1];

int dd_buf_grow(dd_buf *b, size_t extra)
{
    size_t want, alloc;
    char *p;

    if (extra > SIZE_MAX - b->len - 1)
        return dd_error_set(DD_ENOMEM, "buffer size overflow");
    want = b->len + extra + 1;
    if (b->cap && want - 1 > b->cap)
        return dd_error_set(DD_ELIMIT, "buffer larger than its limit of %zu bytes", b->cap);
    if (want <= b->alloc)
        return DD_OK;
    alloc = b->alloc ? b->alloc : 64;
    while (alloc < want)
        alloc = alloc > SIZE_MAX / 2 ? want : alloc * 2;
    p = dd_realloc(b->alloc ? b->data : NULL, alloc);
    if (!p)
        return dd_error_set(DD_ENOMEM, "out of memory growing a buffer to %zu bytes", alloc);
    if (!b->alloc)
        p[0] = '\0';
    b->data = p;
    b->alloc = alloc;
    return DD_OK;
}

int dd_buf_put(dd_buf *b, const void *data, size_t len)
{
    int rc;

    if (len == 0)
        return DD_OK;
    if ((rc = dd_buf_grow(b, len)) != DD_OK)
        return rc;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return DD_OK;
}

int dd_buf_puts(dd_buf *b, const char *s)
{
    return dd_buf_put(b, s, strlen(s));
}

int dd_buf_putc(dd_buf *b, char c)
{
    return dd_buf_put(b, &c, 1);
}

int dd_buf_vprintf(dd_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n, rc;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return dd_error_set(DD_ERROR, "bad format string");
    if ((rc = dd_buf_grow(b, (size_t)n)) != DD_OK)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return DD_OK;
}

int dd_buf_printf(dd_buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = dd_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void dd_buf_clear(dd_buf *b)
{
    b->len = 0;
    if (b->alloc)
        b->data[0] = '\0';
}

char *dd_buf_detach(dd_buf *b, size_t *len)
{
    char *p;

    if (len)
        *len = b->len;
    if (!b->alloc) {
        p = dd_malloc(1);
        if (p)
            p[0] = '\0';
    } else {
        p = b->data;
    }
    b->data = dd_buf__empty;
    b->len = b->alloc = 0;
    return p;
}

void dd_buf_dispose(dd_buf *b)
{
    if (b->alloc)
        dd_free(b->data);
    b->data = dd_buf__empty;
    b->len = b->alloc = 0;
}

int dd_array_reserve(void **items, size_t *alloc, size_t need, size_t elem_size, size_t initial)
{
    void **p = items;
    size_t na = *alloc ? *alloc : (initial ? initial : 8);
    void *grown;

    if (need <= *alloc)
        return DD_OK;
    while (na < need) {
        if (na > SIZE_MAX / 2)
            return dd_error_set(DD_ENOMEM, "array size overflow");
        na *= 2;
    }
    if (elem_size && na > SIZE_MAX / elem_size)
        return dd_error_set(DD_ENOMEM, "array size overflow");
    grown = dd_realloc(*p, na * elem_size);
    if (!grown)
        return dd_error_set(DD_ENOMEM, "out of memory growing an array to %zu elements", na);
    *p = grown;
    *alloc = na;
    return DD_OK;
}
