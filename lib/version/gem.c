/* RubyGems version order, as Gem::Version parses ("-" becomes ".pre.") and compares its
 * canonical segments. */
#include "version/version_int.h"

#include <string.h>

typedef struct {
    const char *p; /* NULL: the "pre" that stands for a '-' */
    size_t len;
    int num;
} gem_seg;

#define GEM_MAX_SEGS (DD_VERSION_MAX_LEN + 2)

typedef struct {
    gem_seg seg[GEM_MAX_SEGS];
    size_t count;
    size_t canon[GEM_MAX_SEGS]; /* indexes into seg of the canonical segments */
    size_t canon_count;
} gem_version;

/* Ruby's \s. */
static int gem_isspace(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static void gem_trim(const char **s, const char **end)
{
    while (*s < *end && gem_isspace((unsigned char)**s))
        (*s)++;
    while (*end > *s && gem_isspace((unsigned char)(*end)[-1]))
        (*end)--;
}

/* ANCHORED_VERSION_PATTERN: [0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)? or
 * nothing at all (which Gem::Version reads as "0"). */
static const char *gem_check(const char *s, size_t n)
{
    const char *end = s + n, *p;

    gem_trim(&s, &end);
    p = s;
    if (p == end)
        return NULL;
    if (!dd_version__isdigit((unsigned char)*p))
        return "malformed version number string";
    while (p < end && dd_version__isdigit((unsigned char)*p))
        p++;
    while (p < end && *p == '.') {
        const char *q = ++p;
        while (p < end && dd_version__isalnum((unsigned char)*p))
            p++;
        if (p == q)
            return "malformed version number string";
    }
    if (p < end && *p == '-') {
        do {
            const char *q = ++p;
            while (p < end && (dd_version__isalnum((unsigned char)*p) || *p == '-'))
                p++;
            if (p == q)
                return "malformed version number string";
        } while (p < end && *p == '.');
    }
    return p == end ? NULL : "malformed version number string";
}

static int gem_is_zero(const gem_seg *g)
{
    if (!g->num)
        return 0;
    for (size_t i = 0; i < g->len; i++)
        if (g->p[i] != '0')
            return 0;
    return 1;
}

static void gem_parse(gem_version *v, const char *s, size_t n)
{
    const char *end = s + n, *p;
    size_t first_str, k;

    gem_trim(&s, &end);
    v->count = 0;
    /* scan(/[0-9]+|[a-z]+/i) over the string with every '-' read as ".pre." */
    for (p = s; p < end;) {
        gem_seg *g = &v->seg[v->count];
        if (dd_version__isdigit((unsigned char)*p) || dd_version__isalpha((unsigned char)*p)) {
            int num = dd_version__isdigit((unsigned char)*p);
            g->p = p;
            while (p < end && (num ? dd_version__isdigit((unsigned char)*p)
                                   : dd_version__isalpha((unsigned char)*p)))
                p++;
            g->len = (size_t)(p - g->p);
            g->num = num;
            v->count++;
        } else {
            if (*p == '-') {
                g->p = "pre";
                g->len = 3;
                g->num = 0;
                v->count++;
            }
            p++;
        }
    }
    /* canonical_segments: the numeric run before the first string and the rest, each with
     * its trailing zeros dropped. */
    for (first_str = 0; first_str < v->count && v->seg[first_str].num; first_str++)
        ;
    v->canon_count = 0;
    for (k = first_str; k > 0 && gem_is_zero(&v->seg[k - 1]); k--)
        ;
    for (size_t i = 0; i < k; i++)
        v->canon[v->canon_count++] = i;
    for (k = v->count; k > first_str && gem_is_zero(&v->seg[k - 1]); k--)
        ;
    for (size_t i = first_str; i < k; i++)
        v->canon[v->canon_count++] = i;
}

const char *dd_version__check_gem(const char *s, size_t n)
{
    return gem_check(s, n);
}

int dd_version__order_gem(const char *a, size_t an, const char *b, size_t bn)
{
    static const gem_seg zero = {"0", 1, 1};
    gem_version x, y;
    size_t limit;

    gem_parse(&x, a, an);
    gem_parse(&y, b, bn);
    limit = x.canon_count > y.canon_count ? x.canon_count : y.canon_count;
    for (size_t i = 0; i < limit; i++) {
        const gem_seg *l = i < x.canon_count ? &x.seg[x.canon[i]] : &zero;
        const gem_seg *r = i < y.canon_count ? &y.seg[y.canon[i]] : &zero;
        int c;
        if (l->num != r->num)
            return l->num ? 1 : -1; /* a string sorts below a number */
        c = l->num ? dd_version__digits_cmp(l->p, l->len, r->p, r->len)
                   : dd_version__span_cmp(l->p, l->len, r->p, r->len);
        if (c)
            return c;
    }
    return 0;
}
