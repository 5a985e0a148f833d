/* Lenient parsers of /etc/passwd, /etc/group and /etc/shadow as shipped in an image. */
#include "imgcheck/imgcheck_int.h"

#include <string.h>

/* Fields a record needs before the name, password and id can be read. */
static const size_t min_fields[] = {
    [DD_IMGCHECK__PASSWD] = 7,
    [DD_IMGCHECK__GROUP] = 4,
    [DD_IMGCHECK__SHADOW] = 2,
};

#define MAX_FIELDS 16

static bool parse_id(const char *s, size_t len, uint32_t *out)
{
    uint64_t v = 0;

    if (len == 0 || len > 10)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

int dd_imgcheck__accounts_parse(dd_imgcheck__account **out, size_t *n, dd_arena *a,
                                const char *data, size_t len, dd_imgcheck__account_file kind)
{
    const char *p = data, *end = data + len;
    dd_imgcheck__account *recs;
    size_t lines = 1, count = 0;
    uint32_t lineno = 0;

    *out = NULL;
    *n = 0;
    for (const char *q = data; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
        lines++;
    if (!(recs = dd_arena_alloc(a, lines * sizeof(*recs))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        const char *field[MAX_FIELDS];
        size_t flen[MAX_FIELDS], nf = 0;
        const char *f = p;

        lineno++;
        if (eol > p && eol[-1] == '\r')
            eol--;
        if (p == eol || *p == '#' || *p == '+' || *p == '-' || memchr(p, '\0', (size_t)(eol - p)))
            goto next;
        for (;;) {
            const char *colon = memchr(f, ':', (size_t)(eol - f));
            const char *fend = colon ? colon : eol;

            if (nf < MAX_FIELDS) {
                field[nf] = f;
                flen[nf] = (size_t)(fend - f);
            }
            nf++;
            if (!colon)
                break;
            f = colon + 1;
        }
        if (nf < min_fields[kind] || flen[0] == 0)
            goto next;
        {
            dd_imgcheck__account *r = &recs[count];

            memset(r, 0, sizeof(*r));
            r->line = lineno;
            r->name = dd_arena_strndup(a, field[0], flen[0]);
            r->password = dd_arena_strndup(a, field[1], flen[1]);
            if (!r->name || !r->password)
                return dd_error_set(DD_ENOMEM, "out of memory");
            if (kind != DD_IMGCHECK__SHADOW)
                r->has_id = parse_id(field[2], flen[2], &r->id);
            count++;
        }
    next:
        if (!nl)
            break;
        p = nl + 1;
    }
    *out = recs;
    *n = count;
    return DD_OK;
}
