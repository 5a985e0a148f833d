/* PEP 440 version order, as Python's packaging.version.Version parses and compares. */
#include "version/version_int.h"

#include <string.h>

typedef struct {
    const char *epoch; /* NULL: 0 */
    size_t epoch_len;
    const char *rel; /* digits and dots */
    size_t rel_len;
    int pre;           /* 0 none, else 1 a, 2 b, 3 rc */
    const char *pre_n; /* NULL: 0 */
    size_t pre_n_len;
    int has_post;
    const char *post_n;
    size_t post_n_len;
    int has_dev;
    const char *dev_n;
    size_t dev_n_len;
    const char *local; /* NULL: none */
    size_t local_len;
} pep_version;

/* Python's \s for ASCII. */
static int pep_isspace(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static int pep_sep(int c)
{
    return c == '-' || c == '_' || c == '.';
}

/* Case-insensitive keyword at p? Returns its length or 0. */
static size_t pep_word(const char *p, const char *end, const char *w)
{
    size_t n;

    if (p >= end || dd_version__lower((unsigned char)*p) != w[0])
        return 0;
    n = strlen(w);
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (dd_version__lower((unsigned char)p[i]) != w[i])
            return 0;
    return n;
}

static size_t pep_digits(const char *p, const char *end)
{
    size_t i = 0;
    while (p + i < end && dd_version__isdigit((unsigned char)p[i]))
        i++;
    return i;
}

/* [-_.]?(digits)? after a pre/post/dev keyword; both parts greedy, as the regex takes them. */
static const char *pep_opt_number(const char *p, const char *end, const char **num, size_t *len)
{
    size_t d;
    if (p < end && pep_sep((unsigned char)*p))
        p++;
    d = pep_digits(p, end);
    *num = d ? p : NULL;
    *len = d;
    return p + d;
}

static const char *pep_parse(pep_version *v, const char *s, size_t n)
{
    const char *p = s, *end = s + n, *q;
    size_t d, k;

    memset(v, 0, sizeof(*v));
    while (p < end && pep_isspace((unsigned char)*p))
        p++;
    while (end > p && pep_isspace((unsigned char)end[-1]))
        end--;
    if (p < end && (*p == 'v' || *p == 'V'))
        p++;
    d = pep_digits(p, end);
    if (d && p + d < end && p[d] == '!') {
        v->epoch = p;
        v->epoch_len = d;
        p += d + 1;
        d = pep_digits(p, end);
    }
    if (!d)
        return "no release number";
    v->rel = p;
    p += d;
    while (p + 1 < end && *p == '.' && dd_version__isdigit((unsigned char)p[1]))
        p += 1 + pep_digits(p + 1, end);
    v->rel_len = (size_t)(p - v->rel);

    /* Pre-release. The longer spelling wins where both match: the tail of the longer one
     * ("lpha", "eta", "view") can never start a later part. */
    q = p;
    if (q < end && pep_sep((unsigned char)*q))
        q++;
    {
        static const struct {
            const char *w;
            int kind;
        } pre[] = {{"alpha", 1},   {"a", 1},   {"beta", 2}, {"b", 2},
                   {"preview", 3}, {"pre", 3}, {"rc", 3},   {"c", 3}};
        for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
            if ((k = pep_word(q, end, pre[i].w)) != 0) {
                v->pre = pre[i].kind;
                p = pep_opt_number(q + k, end, &v->pre_n, &v->pre_n_len);
                break;
            }
        }
    }
    /* Post-release: "-N", or [-_.]?(post|rev|r)[-_.]?N? */
    if (p + 1 < end && *p == '-' && dd_version__isdigit((unsigned char)p[1])) {
        v->has_post = 1;
        v->post_n = p + 1;
        v->post_n_len = pep_digits(p + 1, end);
        p += 1 + v->post_n_len;
    } else {
        q = p;
        if (q < end && pep_sep((unsigned char)*q))
            q++;
        if ((k = pep_word(q, end, "post")) || (k = pep_word(q, end, "rev")) ||
            (k = pep_word(q, end, "r"))) {
            v->has_post = 1;
            p = pep_opt_number(q + k, end, &v->post_n, &v->post_n_len);
        }
    }
    /* Development release. */
    q = p;
    if (q < end && pep_sep((unsigned char)*q))
        q++;
    if ((k = pep_word(q, end, "dev"))) {
        v->has_dev = 1;
        p = pep_opt_number(q + k, end, &v->dev_n, &v->dev_n_len);
    }
    /* Local version: +[a-z0-9]+([-_.][a-z0-9]+)* */
    if (p < end && *p == '+') {
        p++;
        v->local = p;
        for (;;) {
            q = p;
            while (p < end && dd_version__isalnum((unsigned char)*p))
                p++;
            if (p == q)
                return "invalid local version label";
            if (p < end && pep_sep((unsigned char)*p))
                p++;
            else
                break;
        }
        v->local_len = (size_t)(p - v->local);
    }
    if (p != end)
        return "not a PEP 440 version";
    return NULL;
}

static int pep_num_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    return dd_version__digits_cmp(a ? a : "0", a ? an : 1, b ? b : "0", b ? bn : 1);
}

/* Release segments compare as tuples with trailing zeros dropped: pad the shorter with 0. */
static int pep_release_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    const char *ae = a + an, *be = b + bn;
    while (a < ae || b < be) {
        size_t da = a < ae ? pep_digits(a, ae) : 0, db = b < be ? pep_digits(b, be) : 0;
        int r = dd_version__digits_cmp(da ? a : "0", da ? da : 1, db ? b : "0", db ? db : 1);
        if (r)
            return r;
        a = a < ae ? a + da + 1 : ae;
        b = b < be ? b + db + 1 : be;
        if (a > ae)
            a = ae;
        if (b > be)
            b = be;
    }
    return 0;
}

static size_t pep_local_seg(const char *p, const char *end)
{
    size_t i = 0;
    while (p + i < end && !pep_sep((unsigned char)p[i]))
        i++;
    return i;
}

/* Local labels: segment by segment, numbers above strings, numbers by value, strings
 * case-folded; a prefix sorts first. */
static int pep_local_cmp(const pep_version *x, const pep_version *y)
{
    const char *a = x->local, *b = y->local, *ae, *be;

    if (!a || !b)
        return (a != NULL) - (b != NULL);
    ae = a + x->local_len;
    be = b + y->local_len;
    for (;;) {
        size_t an, bn;
        int ad, bd, r = 0;
        if (a >= ae || b >= be)
            return (a < ae) - (b < be);
        an = pep_local_seg(a, ae);
        bn = pep_local_seg(b, be);
        ad = pep_digits(a, a + an) == an;
        bd = pep_digits(b, b + bn) == bn;
        if (ad && bd) {
            r = dd_version__digits_cmp(a, an, b, bn);
        } else if (ad || bd) {
            r = ad ? 1 : -1;
        } else {
            for (size_t i = 0; i < an && i < bn && !r; i++)
                r = dd_version__lower((unsigned char)a[i]) - dd_version__lower((unsigned char)b[i]);
            if (!r)
                r = dd_version__sign((long)an - (long)bn);
            r = dd_version__sign(r);
        }
        if (r)
            return r;
        a += an + 1;
        b += bn + 1;
        if (a > ae)
            a = ae;
        if (b > be)
            b = be;
    }
}

/* packaging's _cmpkey: (epoch, release, pre, post, dev, local) with the infinities. */
static int pep_pre_key(const pep_version *v)
{
    if (!v->pre && !v->has_post && v->has_dev)
        return -1; /* 1.0.dev0 sorts before 1.0a0 */
    if (!v->pre)
        return 1;
    return 0;
}

const char *dd_version__check_pep440(const char *s, size_t n)
{
    pep_version v;
    return pep_parse(&v, s, n);
}

int dd_version__order_pep440(const char *a, size_t an, const char *b, size_t bn)
{
    pep_version x, y;
    int r, kx, ky;

    pep_parse(&x, a, an);
    pep_parse(&y, b, bn);
    if ((r = pep_num_cmp(x.epoch, x.epoch_len, y.epoch, y.epoch_len)))
        return r;
    if ((r = pep_release_cmp(x.rel, x.rel_len, y.rel, y.rel_len)))
        return r;
    kx = pep_pre_key(&x);
    ky = pep_pre_key(&y);
    if (kx != ky)
        return kx < ky ? -1 : 1;
    if (kx == 0) {
        if (x.pre != y.pre)
            return x.pre < y.pre ? -1 : 1;
        if ((r = pep_num_cmp(x.pre_n, x.pre_n_len, y.pre_n, y.pre_n_len)))
            return r;
    }
    if (x.has_post != y.has_post)
        return x.has_post ? 1 : -1;
    if (x.has_post && (r = pep_num_cmp(x.post_n, x.post_n_len, y.post_n, y.post_n_len)))
        return r;
    if (x.has_dev != y.has_dev)
        return x.has_dev ? -1 : 1;
    if (x.has_dev && (r = pep_num_cmp(x.dev_n, x.dev_n_len, y.dev_n, y.dev_n_len)))
        return r;
    return pep_local_cmp(&x, &y);
}
