/* Package URL parser: a purl string split into its seven components, percent-decoded, with the
 * column of the first problem (purl specification, "How to parse a purl string"). */
#include "catalog/catalog_int.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* The parse works on [0, n) of the input and writes every decoded string into one buffer that
 * follows the struct and the qualifier array in a single allocation, so dd_purl_free is one
 * dd_free. Decoding never lengthens a string, so the input length plus one NUL per string is
 * enough. */
typedef struct {
    const char *s; /* the whole input, for messages */
    size_t n;
    char *out; /* next free byte of the string buffer */
} parser;

static int fail(const parser *p, size_t pos, const char *what)
{
    int shown = p->n > 96 ? 96 : (int)p->n;

    return dd_error_set(DD_EINVALID, "purl \"%.*s%s\": column %zu: %s", shown, p->s,
                        p->n > 96 ? "..." : "", pos + 1, what);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[a, b) into the buffer and returns the decoded string (NUL-terminated) in
 * *out; `no_slash` refuses a decoded "/" (segments of the namespace and subpath). */
static int decode(parser *p, size_t a, size_t b, int no_slash, const char **out)
{
    char *start = p->out;

    for (size_t i = a; i < b; i++) {
        unsigned char c = (unsigned char)p->s[i];

        if (c < 0x20 || c == 0x7f)
            return fail(p, i, "control character");
        if (c == '%') {
            int hi = i + 2 < b ? hexval(p->s[i + 1]) : -1;
            int lo = hi >= 0 ? hexval(p->s[i + 2]) : -1;

            if (hi < 0 || lo < 0)
                return fail(p, i, "\"%\" not followed by two hex digits");
            c = (unsigned char)(hi << 4 | lo);
            if (c == 0)
                return fail(p, i, "%00 decodes to a NUL byte");
            if (c == '/' && no_slash)
                return fail(p, i, "%2F decodes to \"/\" inside a segment");
            i += 2;
        }
        *p->out++ = (char)c;
    }
    *p->out++ = '\0';
    *out = start;
    return DD_OK;
}

/* Decodes the "/"-separated segments of s[a, b), dropping empty ones (and "." and ".." when
 * `dots`), joined by "/". *out is NULL when nothing is left. */
static int segments(parser *p, size_t a, size_t b, int dots, const char **out)
{
    char *start = p->out;
    size_t kept = 0;

    *out = NULL;
    while (a < b) {
        size_t e = a;
        const char *seg;
        char *seg_start = p->out;
        int rc;

        while (e < b && p->s[e] != '/')
            e++;
        if (e > a) {
            if ((rc = decode(p, a, e, 1, &seg)) != DD_OK)
                return rc;
            if (dots && (strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0))
                p->out = seg_start; /* dropped: its bytes are reused */
            else if (kept++)
                seg_start[-1] = '/'; /* the previous kept segment's NUL joins the two */
        }
        a = e + 1;
    }
    if (kept)
        *out = start;
    return DD_OK;
}

/* Finds the last `c` in s[a, b), or `b` when there is none. */
static size_t rfind(const char *s, size_t a, size_t b, char c)
{
    for (size_t i = b; i > a; i--)
        if (s[i - 1] == c)
            return i - 1;
    return b;
}

static size_t find(const char *s, size_t a, size_t b, char c)
{
    for (size_t i = a; i < b; i++)
        if (s[i] == c)
            return i;
    return b;
}

static int parse_type(parser *p, size_t a, size_t b, const char **out)
{
    if (a == b)
        return fail(p, a, "no type");
    if (!isalpha((unsigned char)p->s[a]))
        return fail(p, a, "type does not start with a letter");
    *out = p->out;
    for (size_t i = a; i < b; i++) {
        unsigned char c = (unsigned char)p->s[i];

        if (!isalnum(c) && c != '.' && c != '-')
            return fail(p, i, "type holds a character other than letters, digits, \".\" or \"-\"");
        *p->out++ = (char)tolower(c);
    }
    *p->out++ = '\0';
    return DD_OK;
}

static int parse_qualifiers(parser *p, size_t a, size_t b, dd_purl_qualifier *q, size_t *nq)
{
    *nq = 0;
    while (a < b) {
        size_t e = find(p->s, a, b, '&'), eq = find(p->s, a, e, '=');
        const char *key, *value;
        char *key_start = p->out;
        int rc;

        if (e == a) { /* "a=1&&b=2": nothing between two separators */
            a = e + 1;
            continue;
        }
        if (eq == e)
            return fail(p, a, "qualifier without \"=\"");
        if (eq == a)
            return fail(p, a, "qualifier with an empty key");
        if (!isalpha((unsigned char)p->s[a]))
            return fail(p, a, "qualifier key does not start with a letter");
        for (size_t i = a; i < eq; i++) {
            unsigned char c = (unsigned char)p->s[i];

            if (!isalnum(c) && c != '.' && c != '-' && c != '_')
                return fail(p, i,
                            "qualifier key holds a character other than letters, digits, "
                            "\".\", \"-\" or \"_\"");
            *p->out++ = (char)tolower(c);
        }
        *p->out++ = '\0';
        key = key_start;
        if ((rc = decode(p, eq + 1, e, 0, &value)) != DD_OK)
            return rc;
        for (size_t i = 0; i < *nq; i++)
            if (strcmp(q[i].key, key) == 0)
                return fail(p, a, "qualifier key given twice");
        if (*value) { /* an empty value is the same as no qualifier */
            q[*nq].key = key;
            q[*nq].value = value;
            (*nq)++;
        } else {
            p->out = key_start;
        }
        a = e + 1;
    }
    return DD_OK;
}

int dd_purl_parse(dd_purl **out, const char *s)
{
    parser p = {s, strlen(s), NULL};
    size_t end = p.n, hash, qmark, colon, start, slash, last_slash, at, max_q = 1;
    dd_purl *u;
    dd_purl_qualifier *q;
    size_t nq = 0;
    int rc;

    *out = NULL;
    for (size_t i = 0; i < p.n; i++)
        max_q += s[i] == '&';
    /* struct, qualifiers, and the strings: at most n bytes plus one NUL per string */
    if (max_q > (SIZE_MAX - sizeof(*u) - p.n - 8) / (sizeof(*q) + 2))
        return dd_error_set(DD_ENOMEM, "out of memory");
    u = dd_calloc(1, sizeof(*u) + max_q * sizeof(*q) + p.n + 2 * max_q + 8);
    if (!u)
        return dd_error_set(DD_ENOMEM, "out of memory");
    q = (dd_purl_qualifier *)(u + 1);
    p.out = (char *)(q + max_q);

    hash = rfind(s, 0, end, '#');
    if (hash < end) {
        if ((rc = segments(&p, hash + 1, end, 1, &u->subpath)) != DD_OK)
            goto done;
        end = hash;
    }
    qmark = rfind(s, 0, end, '?');
    if (qmark < end) {
        if ((rc = parse_qualifiers(&p, qmark + 1, end, q, &nq)) != DD_OK)
            goto done;
        end = qmark;
    }
    colon = find(s, 0, end, ':');
    if (colon == end || colon != 3 || strncasecmp(s, "pkg", 3) != 0) {
        rc = fail(&p, 0, "does not start with \"pkg:\"");
        goto done;
    }
    start = colon + 1;
    while (start < end && s[start] == '/')
        start++;
    slash = find(s, start, end, '/');
    if (slash == end) {
        rc = fail(&p, start, "no \"/\" after the type");
        goto done;
    }
    if ((rc = parse_type(&p, start, slash, &u->type)) != DD_OK)
        goto done;
    start = slash + 1;
    /* the version: an "@" in the last segment only */
    last_slash = rfind(s, start, end, '/');
    at = rfind(s, last_slash < end ? last_slash + 1 : start, end, '@');
    if (at < end) {
        if (at + 1 < end && (rc = decode(&p, at + 1, end, 0, &u->version)) != DD_OK)
            goto done;
        end = at;
    }
    while (end > start && s[end - 1] == '/')
        end--;
    last_slash = rfind(s, start, end, '/');
    {
        size_t name_start = last_slash < end ? last_slash + 1 : start;

        if (name_start == end) {
            rc = fail(&p, end, "no name");
            goto done;
        }
        if ((rc = decode(&p, name_start, end, 0, &u->name)) != DD_OK)
            goto done;
        if (!*u->name) {
            rc = fail(&p, name_start, "no name");
            goto done;
        }
    }
    if (last_slash < end && (rc = segments(&p, start, last_slash, 0, &u->ns)) != DD_OK)
        goto done;
    u->qualifiers = q;
    u->n_qualifiers = nq;
    *out = u;
    u = NULL;
done:
    dd_free(u);
    return rc;
}

const char *dd_purl_qualifier_get(const dd_purl *p, const char *key)
{
    for (size_t i = 0; i < p->n_qualifiers; i++)
        if (strcmp(p->qualifiers[i].key, key) == 0)
            return p->qualifiers[i].value;
    return NULL;
}

void dd_purl_free(dd_purl *p)
{
    dd_free(p);
}
