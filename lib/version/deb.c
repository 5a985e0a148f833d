/* Debian version order, as dpkg's parseversion() and verrevcmp() define it. */
#include "version/version_int.h"

#include <limits.h>
#include <string.h>

typedef struct {
    long epoch;
    const char *ver; /* upstream version */
    size_t ver_len;
    const char *rev; /* revision, "" when absent */
    size_t rev_len;
} deb_version;

/* dpkg trims blanks in front and white space behind, and refuses anything inside. */
static int deb_isblank(int c)
{
    return c == ' ' || c == '\t';
}

static int deb_isspace(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Hard errors only: dpkg --compare-versions warns about bad characters and a non-digit start
 * but still compares, so those versions are accepted here too. */
static const char *deb_parse(deb_version *out, const char *s, size_t n)
{
    const char *end = s + n, *colon, *hyphen, *p;

    while (s < end && deb_isblank((unsigned char)*s))
        s++;
    if (s == end)
        return "version string is empty";
    p = s;
    while (p < end && !deb_isspace((unsigned char)*p))
        p++;
    for (const char *q = p; q < end; q++)
        if (!deb_isspace((unsigned char)*q))
            return "version string has embedded spaces";
    end = p;

    out->epoch = 0;
    colon = memchr(s, ':', (size_t)(end - s));
    if (colon) {
        /* strtol semantics: optional sign, then digits up to the colon. */
        const char *d = s;
        int neg = 0;
        unsigned long v = 0;
        if (d < colon && (*d == '+' || *d == '-')) {
            neg = *d == '-';
            d++;
        }
        if (d == colon || !dd_version__isdigit((unsigned char)*d))
            return colon == s || d == colon ? "epoch in version is empty"
                                            : "epoch in version is not number";
        for (; d < colon && dd_version__isdigit((unsigned char)*d); d++) {
            if (v <= (unsigned long)INT_MAX)
                v = v * 10 + (unsigned long)(*d - '0');
        }
        if (d != colon)
            return "epoch in version is not number";
        if (neg && v != 0)
            return "epoch in version is negative";
        if (v > (unsigned long)INT_MAX)
            return "epoch in version is too big";
        out->epoch = (long)v;
        s = colon + 1;
        if (s == end)
            return "nothing after colon in version number";
    }
    hyphen = NULL;
    for (p = s; p < end; p++)
        if (*p == '-')
            hyphen = p;
    out->ver = s;
    if (hyphen) {
        out->ver_len = (size_t)(hyphen - s);
        out->rev = hyphen + 1;
        out->rev_len = (size_t)(end - hyphen - 1);
        if (out->rev_len == 0)
            return "revision number is empty";
    } else {
        out->ver_len = (size_t)(end - s);
        out->rev = "";
        out->rev_len = 0;
    }
    if (out->ver_len == 0)
        return "version number is empty";
    return NULL;
}

/* dpkg's order(): digits 0, letters themselves, '~' below the end, other bytes above letters.
 * The byte is read as a plain (signed) char, exactly as dpkg does. */
static int deb_order(const char *p, const char *end)
{
    int c = p < end ? (signed char)*p : 0;
    if (dd_version__isdigit(c))
        return 0;
    if (dd_version__isalpha(c))
        return c;
    if (c == '~')
        return -1;
    if (c)
        return c + 256;
    return 0;
}

static int deb_verrevcmp(const char *a, size_t an, const char *b, size_t bn)
{
    const char *ae = a + an, *be = b + bn;

    while (a < ae || b < be) {
        int first_diff = 0;
        while ((a < ae && !dd_version__isdigit((unsigned char)*a)) ||
               (b < be && !dd_version__isdigit((unsigned char)*b))) {
            int ac = deb_order(a, ae), bc = deb_order(b, be);
            if (ac != bc)
                return ac - bc;
            a++;
            b++;
        }
        while (a < ae && *a == '0')
            a++;
        while (b < be && *b == '0')
            b++;
        while (a < ae && b < be && dd_version__isdigit((unsigned char)*a) &&
               dd_version__isdigit((unsigned char)*b)) {
            if (!first_diff)
                first_diff = *a - *b;
            a++;
            b++;
        }
        if (a < ae && dd_version__isdigit((unsigned char)*a))
            return 1;
        if (b < be && dd_version__isdigit((unsigned char)*b))
            return -1;
        if (first_diff)
            return first_diff;
    }
    return 0;
}

const char *dd_version__check_deb(const char *s, size_t n)
{
    deb_version v;
    return deb_parse(&v, s, n);
}

int dd_version__order_deb(const char *a, size_t an, const char *b, size_t bn)
{
    deb_version va, vb;
    int r;

    deb_parse(&va, a, an);
    deb_parse(&vb, b, bn);
    if (va.epoch != vb.epoch)
        return va.epoch < vb.epoch ? -1 : 1;
    r = deb_verrevcmp(va.ver, va.ver_len, vb.ver, vb.ver_len);
    if (!r)
        r = deb_verrevcmp(va.rev, va.rev_len, vb.rev, vb.rev_len);
    return dd_version__sign(r);
}
