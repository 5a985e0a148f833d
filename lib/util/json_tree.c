/* The JSON parser of the SBOM readers and the package manifests: the whole document into one
 * arena as a read-only tree (strings decoded in place in a copy of the text), accepting exactly
 * what jansson accepts with its default flags. A 3,000-component CycloneDX document is ten
 * thousand objects: a jansson tree is a hash table and a few heap blocks per object, built and
 * then freed, which cost more than everything else the SBOM readers do; here the tree is a few
 * arena blocks and no frees. A document that does not parse is handed to jansson once more for
 * its message, so errors read as jansson's. */
#include "util/util.h"

#include <jansson.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* jansson's JSON_PARSER_MAX_DEPTH */
#define MAX_DEPTH 2048

typedef struct {
    char *p, *end; /* the copy being parsed; strings are decoded over it */
    dd_arena *arena;
    dd_jv *vals; /* children of the arrays being parsed, innermost last */
    size_t n_vals, alloc_vals;
    dd_jmember *mems; /* members of the objects being parsed */
    size_t n_mems, alloc_mems;
    unsigned depth;
    int enomem;
} parser;

static const dd_jv null_value = {DD_JV_NULL, 0, {NULL}};

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
        ps->p++;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;

    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    *out = v;
    return 0;
}

static char *put_utf8(char *w, unsigned cp)
{
    if (cp < 0x80) {
        *w++ = (char)cp;
    } else if (cp < 0x800) {
        *w++ = (char)(0xC0 | (cp >> 6));
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *w++ = (char)(0xE0 | (cp >> 12));
        *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *w++ = (char)(0xF0 | (cp >> 18));
        *w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    }
    return w;
}

/* The length of the valid UTF-8 sequence starting at `s` (a byte >= 0x80), 0 when invalid:
 * overlong forms, surrogates and code points past U+10FFFF are refused, as jansson does. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
    unsigned c = s[0], cp;
    size_t n;

    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    if ((size_t)(end - s) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* A string at ps->p (its opening quote), decoded in place and NUL-terminated. */
static int parse_string(parser *ps, const char **out, size_t *len)
{
    char *start = ++ps->p, *w;
    const char *end = ps->end;

    /* the common case: nothing to decode, the closing quote becomes the terminator */
    while (ps->p < end) {
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"') {
            *ps->p = '\0';
            *out = start;
            *len = (size_t)(ps->p - start);
            ps->p++;
            return 0;
        }
        if (c == '\\')
            break;
        if (c < 0x20)
            return -1;
        if (c >= 0x80) {
            size_t n = utf8_len((const unsigned char *)ps->p, (const unsigned char *)end);
            if (!n)
                return -1;
            ps->p += n;
        } else {
            ps->p++;
        }
    }
    w = ps->p;
    while (ps->p < end) {
        unsigned char c = (unsigned char)*ps->p;

        if (c == '"') {
            *w = '\0';
            *out = start;
            *len = (size_t)(w - start);
            ps->p++;
            return 0;
        }
        if (c < 0x20)
            return -1;
        if (c >= 0x80) {
            size_t n = utf8_len((const unsigned char *)ps->p, (const unsigned char *)end);
            if (!n)
                return -1;
            memmove(w, ps->p, n);
            w += n;
            ps->p += n;
            continue;
        }
        if (c != '\\') {
            *w++ = *ps->p++;
            continue;
        }
        if (++ps->p >= end)
            return -1;
        switch (*ps->p) {
        case '"':
        case '\\':
        case '/':
            *w++ = *ps->p++;
            break;
        case 'b':
            *w++ = '\b', ps->p++;
            break;
        case 'f':
            *w++ = '\f', ps->p++;
            break;
        case 'n':
            *w++ = '\n', ps->p++;
            break;
        case 'r':
            *w++ = '\r', ps->p++;
            break;
        case 't':
            *w++ = '\t', ps->p++;
            break;
        case 'u': {
            unsigned cp, lo;

            if (end - ps->p < 5 || hex4(ps->p + 1, &cp) != 0)
                return -1;
            ps->p += 5;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return -1;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
                    hex4(ps->p + 2, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
                    return -1;
                ps->p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (cp == 0) /* jansson without JSON_ALLOW_NUL */
                return -1;
            /* the escape is at least as long as its UTF-8 form: w never passes ps->p */
            w = put_utf8(w, cp);
            break;
        }
        default:
            return -1;
        }
    }
    return -1;
}

/* A number, checked as jansson checks it: the grammar, integers within 64 bits, reals finite. */
static int parse_number(parser *ps)
{
    const char *s = ps->p, *end = ps->end, *p = s;
    int real = 0;
    char buf[512], *copy;
    size_t n;

    if (p < end && *p == '-')
        p++;
    if (p >= end)
        return -1;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    else
        return -1;
    if (p < end && *p == '.') {
        real = 1;
        if (++p >= end || *p < '0' || *p > '9')
            return -1;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        real = 1;
        if (++p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9')
            return -1;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    ps->p = (char *)p;
    n = (size_t)(p - s);
    /* short integers cannot overflow: only long ones and reals need the C library */
    if (!real && n <= 18)
        return 0;
    copy = n < sizeof(buf) ? buf : dd_malloc(n + 1);
    if (!copy) {
        ps->enomem = 1;
        return -1;
    }
    memcpy(copy, s, n);
    copy[n] = '\0';
    errno = 0;
    if (real) {
        double d = strtod(copy, NULL);
        if (errno == ERANGE && (d > 1.0 || d < -1.0))
            n = 0;
    } else {
        (void)strtoll(copy, NULL, 10);
        if (errno == ERANGE)
            n = 0;
    }
    if (copy != buf)
        dd_free(copy);
    return n ? 0 : -1;
}

static int literal(parser *ps, const char *word, size_t n)
{
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return -1;
    ps->p += n;
    return 0;
}

static int parse_value(parser *ps, dd_jv *out);

/* After an item of an array or object: 1 on ",", 0 on `close` (both consumed), -1 else. */
static int next_item(parser *ps, char close)
{
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ',') {
        ps->p++;
        skip_ws(ps);
        return 1;
    }
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return 0;
    }
    return -1;
}

/* The n items of `size` bytes at `stack` copied into the arena (NULL for none, or out of
 * memory: ps->enomem says which). */
static void *keep_items(parser *ps, const void *stack, size_t n, size_t size)
{
    void *items;

    if (!n)
        return NULL;
    if (!(items = dd_arena_alloc(ps->arena, n * size))) {
        ps->enomem = 1;
        return NULL;
    }
    memcpy(items, stack, n * size);
    return items;
}

static int parse_array(parser *ps, dd_jv *out)
{
    size_t base = ps->n_vals, n;
    dd_jv *items = NULL;
    int more;

    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
    } else {
        for (;;) {
            dd_jv v;

            if (parse_value(ps, &v) != 0)
                return -1;
            if (DD_ARRAY_RESERVE(ps->vals, ps->alloc_vals, ps->n_vals + 1, sizeof(*ps->vals),
                                 256) != DD_OK) {
                ps->enomem = 1;
                return -1;
            }
            ps->vals[ps->n_vals++] = v;
            if ((more = next_item(ps, ']')) < 0)
                return -1;
            if (!more)
                break;
        }
    }
    n = ps->n_vals - base;
    items = keep_items(ps, ps->vals + base, n, sizeof(*items));
    if (n && !items)
        return -1;
    ps->n_vals = base;
    out->type = DD_JV_ARRAY;
    out->n = n;
    out->u.items = items;
    return 0;
}

static int parse_object(parser *ps, dd_jv *out)
{
    size_t base = ps->n_mems, n, klen;
    dd_jmember *mems = NULL;
    int more;

    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
    } else {
        for (;;) {
            dd_jmember m;

            if (ps->p >= ps->end || *ps->p != '"' || parse_string(ps, &m.key, &klen) != 0)
                return -1;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                return -1;
            ps->p++;
            if (parse_value(ps, &m.value) != 0)
                return -1;
            if (DD_ARRAY_RESERVE(ps->mems, ps->alloc_mems, ps->n_mems + 1, sizeof(*ps->mems),
                                 256) != DD_OK) {
                ps->enomem = 1;
                return -1;
            }
            ps->mems[ps->n_mems++] = m;
            if ((more = next_item(ps, '}')) < 0)
                return -1;
            if (!more)
                break;
        }
    }
    n = ps->n_mems - base;
    mems = keep_items(ps, ps->mems + base, n, sizeof(*mems));
    if (n && !mems)
        return -1;
    ps->n_mems = base;
    out->type = DD_JV_OBJECT;
    out->n = n;
    out->u.members = mems;
    return 0;
}

static int parse_value(parser *ps, dd_jv *out)
{
    int rc;

    skip_ws(ps);
    if (ps->p >= ps->end)
        return -1;
    *out = null_value;
    switch (*ps->p) {
    case '{':
    case '[':
        if (++ps->depth > MAX_DEPTH)
            return -1;
        rc = *ps->p == '{' ? parse_object(ps, out) : parse_array(ps, out);
        ps->depth--;
        return rc;
    case '"': {
        size_t len;

        out->type = DD_JV_STRING;
        rc = parse_string(ps, &out->u.s, &len);
        out->n = len;
        return rc;
    }
    case 't':
        out->type = DD_JV_TRUE;
        return literal(ps, "true", 4);
    case 'f':
        out->type = DD_JV_FALSE;
        return literal(ps, "false", 5);
    case 'n':
        return literal(ps, "null", 4);
    default:
        out->type = DD_JV_NUMBER;
        return parse_number(ps);
    }
}

/* The message of a document that does not parse: jansson's, as the readers always gave. */
static int parse_error(const char *path, const char *data, size_t len, const parser *ps,
                       const char *copy)
{
    json_error_t jerr;
    json_t *doc;
    int line = 1, col = 0;

    if (ps->enomem)
        return dd_error_set(DD_ENOMEM, "%s: out of memory", path);
    if (!(doc = json_loadb(data, len, 0, &jerr))) {
        /* jansson leaves the error unset (line -1, no text) when its first allocation fails */
        if (json_error_code(&jerr) == json_error_out_of_memory || (jerr.line < 0 && !jerr.text[0]))
            return dd_error_set(DD_ENOMEM, "%s: out of memory", path);
        return dd_error_set(DD_EINVALID, "%s:%d:%d: invalid JSON: %s", path, jerr.line, jerr.column,
                            jerr.text);
    }
    /* not expected: the two parsers disagree. Say where this one stopped. */
    json_decref(doc);
    for (const char *p = copy; p < ps->p; p++)
        if (*p == '\n')
            line++, col = 0;
        else
            col++;
    return dd_error_set(DD_EINVALID, "%s:%d:%d: invalid JSON", path, line, col);
}

int dd_json_parse(const dd_jv **out, dd_arena *a, const char *path, const char *data, size_t len)
{
    parser ps = {0};
    dd_jv *root;
    char *copy;
    int rc = DD_OK;

    *out = NULL;
    if (!(copy = dd_arena_alloc(a, len + 1)) || !(root = dd_arena_alloc(a, sizeof(*root))))
        return dd_error_set(DD_ENOMEM, "%s: out of memory", path);
    memcpy(copy, data, len);
    copy[len] = '\0';
    ps.p = copy;
    ps.end = copy + len;
    ps.arena = a;
    skip_ws(&ps);
    /* jansson's default: the top level is an object or an array, and nothing follows it */
    if (ps.p >= ps.end || (*ps.p != '{' && *ps.p != '[') || parse_value(&ps, root) != 0) {
        rc = -1;
    } else {
        skip_ws(&ps);
        if (ps.p != ps.end)
            rc = -1;
    }
    if (rc != DD_OK)
        rc = parse_error(path, data, len, &ps, copy);
    else
        *out = root;
    dd_free(ps.vals);
    dd_free(ps.mems);
    return rc;
}

const dd_jv *dd_jv_get(const dd_jv *o, const char *key)
{
    if (!o || o->type != DD_JV_OBJECT)
        return NULL;
    /* a key given twice: the last one counts, as in jansson */
    for (size_t i = o->n; i-- > 0;) {
        const char *k = o->u.members[i].key;

        /* the first letters differ for most keys asked about: no call then */
        if (k[0] == key[0] && strcmp(k, key) == 0)
            return &o->u.members[i].value;
    }
    return NULL;
}

const char *dd_jv_str(const dd_jv *v)
{
    return v && v->type == DD_JV_STRING ? v->u.s : NULL;
}

const char *dd_jv_get_str(const dd_jv *o, const char *key)
{
    return dd_jv_str(dd_jv_get(o, key));
}

size_t dd_jv_len(const dd_jv *v)
{
    return v && v->type == DD_JV_ARRAY ? v->n : 0;
}

const dd_jv *dd_jv_at(const dd_jv *v, size_t i)
{
    return v && v->type == DD_JV_ARRAY && i < v->n ? &v->u.items[i] : NULL;
}
