/* SemVer family: node-semver strict and loose (npm), the Rust semver crate (Cargo) and
 * golang.org/x/mod/semver (Go), sharing one span-based parser. */
#include "version/version_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef enum { SV_STRICT, SV_LOOSE, SV_CARGO, SV_GO } sv_mode;

typedef struct {
    const char *num[3];
    size_t num_len[3];
    const char *pre; /* identifiers without the leading '-'; NULL when none */
    size_t pre_len;
    const char *build; /* without the '+'; NULL when none */
    size_t build_len;
} sv_version;

/* JavaScript's String.prototype.trim, for the ASCII white space. */
static int sv_isspace(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int sv_ident_char(int c)
{
    return dd_version__isalnum(c) || c == '-';
}

static size_t sv_digits(const char *p, const char *end)
{
    size_t i = 0;
    while (p + i < end && dd_version__isdigit((unsigned char)p[i]))
        i++;
    return i;
}

/* A dot-separated list of non-empty [0-9A-Za-z-] identifiers; with `strict_num`, all-digit
 * identifiers other than "0" must not start with '0'. */
static int sv_idents_ok(const char *p, size_t n, int strict_num)
{
    size_t start = 0;

    if (n == 0)
        return 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == '.') {
            size_t len = i - start;
            if (len == 0)
                return 0;
            if (strict_num && len > 1 && p[start] == '0' && sv_digits(p + start, p + i) == len)
                return 0;
            start = i + 1;
        } else if (!sv_ident_char((unsigned char)p[i])) {
            return 0;
        }
    }
    return 1;
}

/* Value above Number.MAX_SAFE_INTEGER (9007199254740991)? node-semver refuses such parts. */
static int sv_above_max_safe(const char *p, size_t n)
{
    while (n > 1 && *p == '0') {
        p++;
        n--;
    }
    return dd_version__digits_cmp(p, n, "9007199254740991", 16) > 0;
}

/* Fits in a u64 (the semver crate's limit)? */
static int sv_fits_u64(const char *p, size_t n)
{
    return dd_version__digits_cmp(p, n, "18446744073709551615", 20) <= 0;
}

/* The part after the patch number: prerelease and build, as the mode's grammar allows. */
static const char *sv_tail(sv_version *v, const char *p, const char *end, sv_mode mode)
{
    const char *plus = memchr(p, '+', (size_t)(end - p));
    const char *pe = plus ? plus : end;
    size_t plen = (size_t)(pe - p);

    v->pre = NULL;
    v->pre_len = 0;
    v->build = NULL;
    v->build_len = 0;
    if (plen) {
        if (mode == SV_LOOSE) {
            /* [-]?ident(.ident)*: the hyphen is optional and preferred when what follows it
             * still parses; otherwise it is part of the first identifier ("1.2.3-" is "-"). */
            if (*p == '-' && sv_idents_ok(p + 1, plen - 1, 0)) {
                v->pre = p + 1;
                v->pre_len = plen - 1;
            } else if (sv_idents_ok(p, plen, 0)) {
                v->pre = p;
                v->pre_len = plen;
            } else {
                return "invalid prerelease";
            }
        } else {
            if (*p != '-')
                return "unexpected characters after the patch number";
            if (!sv_idents_ok(p + 1, plen - 1, 1))
                return "invalid prerelease";
            v->pre = p + 1;
            v->pre_len = plen - 1;
        }
    }
    if (plus) {
        if (!sv_idents_ok(plus + 1, (size_t)(end - plus - 1), 0))
            return "invalid build metadata";
        v->build = plus + 1;
        v->build_len = (size_t)(end - plus - 1);
    }
    return NULL;
}

static const char *sv_parse(sv_version *v, const char *s, size_t n, sv_mode mode)
{
    const char *p = s, *end = s + n, *why;
    int parts, shorthand = 0;

    if (mode == SV_STRICT || mode == SV_LOOSE) {
        while (p < end && sv_isspace((unsigned char)*p))
            p++;
        while (end > p && sv_isspace((unsigned char)end[-1]))
            end--;
    }
    if (mode == SV_LOOSE) {
        while (p < end && (*p == 'v' || *p == '=' || sv_isspace((unsigned char)*p)))
            p++;
    } else if (mode == SV_STRICT || mode == SV_GO) {
        if (p < end && *p == 'v')
            p++;
    }
    for (parts = 0; parts < 3; parts++) {
        size_t d;
        if (parts > 0) {
            if (mode == SV_GO && p == end) {
                /* Go's shorthands: v1 is v1.0.0, v1.2 is v1.2.0. */
                v->num[parts] = "0";
                v->num_len[parts] = 1;
                shorthand = 1;
                continue;
            }
            if (p == end || *p != '.')
                return "expected MAJOR.MINOR.PATCH";
            p++;
        }
        d = sv_digits(p, end);
        if (d == 0)
            return "expected MAJOR.MINOR.PATCH";
        if (mode != SV_LOOSE && d > 1 && *p == '0')
            return "leading zero in a version number";
        v->num[parts] = p;
        v->num_len[parts] = d;
        p += d;
    }
    why = sv_tail(v, p, end, mode);
    if (why && mode == SV_LOOSE && v->num_len[2] > 1) {
        /* The loose regex backtracks into the patch number: "1.2.34.5" is 1.2.3-4.5. Every
         * shorter split parses alike, and the regex takes the longest: one digit back. */
        const char *q = v->num[2] + v->num_len[2] - 1;
        if (!sv_tail(v, q, end, mode)) {
            v->num_len[2]--;
            v->pre = q;
            why = NULL;
            v->pre_len = (size_t)((v->build ? v->build - 1 : end) - q);
        }
    }
    if (why)
        return why;
    if (mode == SV_GO) {
        /* A shorthand (v1, v1.2) may carry neither prerelease nor build. */
        if (shorthand && (v->pre || v->build))
            return "a shorthand version cannot have a prerelease or build";
    }
    if (mode == SV_STRICT || mode == SV_LOOSE) {
        for (int i = 0; i < 3; i++)
            if (sv_above_max_safe(v->num[i], v->num_len[i]))
                return "version number above Number.MAX_SAFE_INTEGER";
    }
    if (mode == SV_CARGO) {
        for (int i = 0; i < 3; i++)
            if (!sv_fits_u64(v->num[i], v->num_len[i]))
                return "version number does not fit in 64 bits";
    }
    return NULL;
}

static size_t sv_next_ident(const char *p, const char *end)
{
    const char *dot = memchr(p, '.', (size_t)(end - p));
    return (size_t)((dot ? dot : end) - p);
}

static int sv_all_digits(const char *p, size_t n)
{
    return n > 0 && sv_digits(p, p + n) == n;
}

/* node-semver turns all-digit identifiers into JavaScript numbers (doubles) before comparing. */
static int sv_js_number_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    char ab[DD_VERSION_MAX_LEN + 1], bb[DD_VERSION_MAX_LEN + 1];
    double x, y;

    while (an > 1 && *a == '0')
        a++, an--;
    while (bn > 1 && *b == '0')
        b++, bn--;
    if (an <= 15 && bn <= 15)
        return dd_version__digits_cmp(a, an, b, bn);
    memcpy(ab, a, an);
    ab[an] = '\0';
    memcpy(bb, b, bn);
    bb[bn] = '\0';
    x = strtod(ab, NULL);
    y = strtod(bb, NULL);
    return (x > y) - (x < y);
}

/* Prerelease precedence: none above any; identifier by identifier, numeric below
 * alphanumeric, a prefix below the longer list. */
static int sv_pre_cmp(const sv_version *x, const sv_version *y, int js_numbers)
{
    const char *a, *b, *ae, *be;

    if (!x->pre || !y->pre)
        return (x->pre == NULL) - (y->pre == NULL);
    a = x->pre, ae = a + x->pre_len;
    b = y->pre, be = b + y->pre_len;
    for (;;) {
        size_t an, bn;
        int ad, bd, r;
        if (a >= ae || b >= be)
            return (a < ae) - (b < be);
        an = sv_next_ident(a, ae);
        bn = sv_next_ident(b, be);
        ad = sv_all_digits(a, an);
        bd = sv_all_digits(b, bn);
        if (ad && bd)
            r = js_numbers ? sv_js_number_cmp(a, an, b, bn) : dd_version__digits_cmp(a, an, b, bn);
        else if (ad || bd)
            r = ad ? -1 : 1;
        else
            r = dd_version__span_cmp(a, an, b, bn);
        if (r)
            return r;
        a += an + 1;
        b += bn + 1;
        /* Step past the end marker without overshooting the comparison above. */
        if (a > ae)
            a = ae;
        if (b > be)
            b = be;
    }
}

/* The semver crate orders build metadata too (numeric below alphanumeric, then length). */
static int sv_build_cmp_cargo(const sv_version *x, const sv_version *y)
{
    const char *a = x->build ? x->build : "", *b = y->build ? y->build : "";
    const char *ae = a + (x->build ? x->build_len : 0), *be = b + (y->build ? y->build_len : 0);

    if (!x->build || !y->build)
        return (x->build != NULL) - (y->build != NULL);
    for (;;) {
        size_t an, bn, az, bz;
        int ad, bd, r;
        if (a >= ae || b >= be)
            return (a < ae) - (b < be);
        an = sv_next_ident(a, ae);
        bn = sv_next_ident(b, be);
        ad = sv_all_digits(a, an);
        bd = sv_all_digits(b, bn);
        if (ad && bd) {
            for (az = 0; az < an && a[az] == '0'; az++)
                ;
            for (bz = 0; bz < bn && b[bz] == '0'; bz++)
                ;
            r = dd_version__sign((long)(an - az) - (long)(bn - bz));
            if (!r)
                r = dd_version__span_cmp(a + az, an - az, b + bz, bn - bz);
            if (!r)
                r = dd_version__sign((long)an - (long)bn);
        } else if (ad || bd) {
            r = ad ? -1 : 1;
        } else {
            r = dd_version__span_cmp(a, an, b, bn);
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

static int sv_order(const char *a, size_t an, const char *b, size_t bn, sv_mode mode)
{
    sv_version x, y;
    int r;

    sv_parse(&x, a, an, mode);
    sv_parse(&y, b, bn, mode);
    for (int i = 0; i < 3; i++) {
        r = dd_version__digits_cmp(x.num[i], x.num_len[i], y.num[i], y.num_len[i]);
        if (r)
            return r;
    }
    r = sv_pre_cmp(&x, &y, mode == SV_STRICT || mode == SV_LOOSE);
    if (!r && mode == SV_CARGO)
        r = sv_build_cmp_cargo(&x, &y);
    return r;
}

#define SV_SCHEME(name, mode)                                                                      \
    const char *dd_version__check_##name(const char *s, size_t n)                                  \
    {                                                                                              \
        sv_version v;                                                                              \
        return sv_parse(&v, s, n, mode);                                                           \
    }                                                                                              \
    int dd_version__order_##name(const char *a, size_t an, const char *b, size_t bn)               \
    {                                                                                              \
        return sv_order(a, an, b, bn, mode);                                                       \
    }

SV_SCHEME(semver, SV_STRICT)
SV_SCHEME(npm, SV_LOOSE)
SV_SCHEME(cargo, SV_CARGO)
SV_SCHEME(go, SV_GO)
