/* NuGet version order, as NuGet.Versioning's NuGetVersion parses and VersionComparer.Default
 * compares: up to four numbers, dotted release labels, metadata ignored, labels compared
 * case-insensitively. */
#include "version/version_int.h"

#include <string.h>

typedef struct {
    const char *num[4];
    size_t num_len[4];
    int parts;
    const char *label; /* NULL: a release */
    size_t label_len;
} nuget_version;

/* .NET's String.Trim for ASCII white space. */
static int nuget_isspace(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int nuget_part_ok(const char *p, size_t n, int allow_leading_zeros)
{
    size_t digits = 0;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!dd_version__isalnum((unsigned char)p[i]) && p[i] != '-')
            return 0;
        digits += dd_version__isdigit((unsigned char)p[i]) != 0;
    }
    return allow_leading_zeros || !(n > 1 && p[0] == '0' && digits == n);
}

static int nuget_parts_ok(const char *p, size_t n, int allow_leading_zeros)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == '.') {
            if (!nuget_part_ok(p + start, i - start, allow_leading_zeros))
                return 0;
            start = i + 1;
        }
    }
    return 1;
}

/* System.Version: 2 to 4 non-negative Int32 parts ("1" is read as "1.0"). */
static const char *nuget_parse(nuget_version *v, const char *s, size_t n)
{
    const char *end = s + n, *p, *dash, *plus, *vend;

    while (s < end && nuget_isspace((unsigned char)*s))
        s++;
    while (end > s && nuget_isspace((unsigned char)end[-1]))
        end--;
    v->label = NULL;
    v->label_len = 0;
    plus = memchr(s, '+', (size_t)(end - s));
    dash = memchr(s, '-', (size_t)((plus ? plus : end) - s));
    vend = dash ? dash : plus ? plus : end;
    if (dash) {
        v->label = dash + 1;
        v->label_len = (size_t)((plus ? plus : end) - v->label);
        if (!nuget_parts_ok(v->label, v->label_len, 0))
            return "invalid release label";
    }
    if (plus && !nuget_parts_ok(plus + 1, (size_t)(end - plus - 1), 1))
        return "invalid metadata";
    v->parts = 0;
    for (p = s;;) {
        const char *q = p;
        size_t z;
        while (p < vend && dd_version__isdigit((unsigned char)*p))
            p++;
        if (p == q || v->parts == 4)
            return "invalid version number";
        for (z = 0; q + z + 1 < p && q[z] == '0'; z++)
            ;
        v->num[v->parts] = q + z;
        v->num_len[v->parts] = (size_t)(p - q) - z;
        if (dd_version__digits_cmp(v->num[v->parts], v->num_len[v->parts], "2147483647", 10) > 0)
            return "version number above Int32.MaxValue";
        v->parts++;
        if (p == vend)
            break;
        if (*p != '.')
            return "invalid version number";
        p++;
    }
    for (int i = v->parts; i < 4; i++) {
        v->num[i] = "0";
        v->num_len[i] = 1;
    }
    return NULL;
}

/* Int32.TryParse on a label: an optional '-' and digits that fit in an Int32. */
static int nuget_label_int(const char *p, size_t n, long *out)
{
    int neg = 0;
    long v = 0;
    if (n && *p == '-') {
        neg = 1;
        p++;
        n--;
    }
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!dd_version__isdigit((unsigned char)p[i]))
            return 0;
        v = v * 10 + (p[i] - '0');
        if (v > 2147483648L)
            return 0;
    }
    if (!neg && v > 2147483647L)
        return 0;
    *out = neg ? -v : v;
    return 1;
}

static int nuget_label_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    long x, y;
    int xn = nuget_label_int(a, an, &x), yn = nuget_label_int(b, bn, &y);

    if (xn && yn)
        return (x > y) - (x < y);
    if (xn || yn)
        return xn ? -1 : 1;
    /* StringComparer.OrdinalIgnoreCase folds to upper case. */
    for (size_t i = 0; i < an && i < bn; i++) {
        int ca = a[i] >= 'a' && a[i] <= 'z' ? a[i] - 32 : a[i];
        int cb = b[i] >= 'a' && b[i] <= 'z' ? b[i] - 32 : b[i];
        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
    return dd_version__sign((long)an - (long)bn);
}

const char *dd_version__check_nuget(const char *s, size_t n)
{
    nuget_version v;
    return nuget_parse(&v, s, n);
}

int dd_version__order_nuget(const char *a, size_t an, const char *b, size_t bn)
{
    nuget_version x, y;
    const char *p, *q, *pe, *qe;
    int r;

    nuget_parse(&x, a, an);
    nuget_parse(&y, b, bn);
    for (int i = 0; i < 4; i++)
        if ((r = dd_version__digits_cmp(x.num[i], x.num_len[i], y.num[i], y.num_len[i])))
            return r;
    if (!x.label || !y.label)
        return (x.label == NULL) - (y.label == NULL);
    p = x.label, pe = p + x.label_len;
    q = y.label, qe = q + y.label_len;
    for (;;) {
        const char *pd, *qd;
        if (p > pe || q > qe)
            return (p <= pe) - (q <= qe);
        pd = memchr(p, '.', (size_t)(pe - p));
        qd = memchr(q, '.', (size_t)(qe - q));
        if (!pd)
            pd = pe;
        if (!qd)
            qd = qe;
        if ((r = nuget_label_cmp(p, (size_t)(pd - p), q, (size_t)(qd - q))))
            return r;
        p = pd + 1;
        q = qd + 1;
    }
}
