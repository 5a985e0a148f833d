/* RPM version order: rpm's parseEVR() split and rpmvercmp() segment comparison. */
#include "version/version_int.h"

#include <string.h>

typedef struct {
    const char *e, *v, *r; /* e and r are NULL when absent */
    size_t el, vl, rl;
} rpm_evr;

/* parseEVR: leading digits then ':' is the epoch (empty means "0"); the last '-' after those
 * digits ends the version. */
static void rpm_split(rpm_evr *out, const char *s, size_t n)
{
    const char *end = s + n, *p = s, *hy = NULL;

    while (p < end && dd_version__isdigit((unsigned char)*p))
        p++;
    for (const char *q = p; q < end; q++)
        if (*q == '-')
            hy = q;
    if (p < end && *p == ':') {
        out->e = s;
        out->el = (size_t)(p - s);
        if (out->el == 0) {
            out->e = "0";
            out->el = 1;
        }
        out->v = p + 1;
    } else {
        out->e = NULL;
        out->el = 0;
        out->v = s;
    }
    if (hy) {
        out->vl = (size_t)(hy - out->v);
        out->r = hy + 1;
        out->rl = (size_t)(end - hy - 1);
    } else {
        out->vl = (size_t)(end - out->v);
        out->r = NULL;
        out->rl = 0;
    }
}

static int rpm_sep(int c)
{
    return !dd_version__isalnum(c) && c != '~' && c != '^';
}

/* rpmvercmp, on spans instead of NUL-terminated copies. */
static int rpm_vercmp(const char *a, size_t an, const char *b, size_t bn)
{
    const char *one = a, *two = b, *ae = a + an, *be = b + bn;

    if (an == bn && memcmp(a, b, an) == 0)
        return 0;
    while (one < ae || two < be) {
        const char *s1, *s2;
        int isnum, rc;

        while (one < ae && rpm_sep((unsigned char)*one))
            one++;
        while (two < be && rpm_sep((unsigned char)*two))
            two++;
        /* '~' sorts before everything, even the end. */
        if ((one < ae && *one == '~') || (two < be && *two == '~')) {
            if (!(one < ae && *one == '~'))
                return 1;
            if (!(two < be && *two == '~'))
                return -1;
            one++;
            two++;
            continue;
        }
        /* '^' sorts after the end but before anything else. */
        if ((one < ae && *one == '^') || (two < be && *two == '^')) {
            if (one == ae)
                return -1;
            if (two == be)
                return 1;
            if (*one != '^')
                return 1;
            if (*two != '^')
                return -1;
            one++;
            two++;
            continue;
        }
        if (!(one < ae && two < be))
            break;
        s1 = one;
        s2 = two;
        if (dd_version__isdigit((unsigned char)*s1)) {
            while (s1 < ae && dd_version__isdigit((unsigned char)*s1))
                s1++;
            while (s2 < be && dd_version__isdigit((unsigned char)*s2))
                s2++;
            isnum = 1;
        } else {
            while (s1 < ae && dd_version__isalpha((unsigned char)*s1))
                s1++;
            while (s2 < be && dd_version__isalpha((unsigned char)*s2))
                s2++;
            isnum = 0;
        }
        if (one == s1)
            return -1;
        /* Segments of different kinds: numeric is newer. */
        if (two == s2)
            return isnum ? 1 : -1;
        if (isnum)
            rc = dd_version__digits_cmp(one, (size_t)(s1 - one), two, (size_t)(s2 - two));
        else
            rc = dd_version__span_cmp(one, (size_t)(s1 - one), two, (size_t)(s2 - two));
        if (rc)
            return rc;
        one = s1;
        two = s2;
    }
    if (one == ae && two == be)
        return 0;
    return one < ae ? 1 : -1;
}

const char *dd_version__check_rpm(const char *s, size_t n)
{
    /* rpmverParse accepts any non-empty string; the dispatcher already refuses "". */
    (void)s;
    return n ? NULL : "version string is empty";
}

int dd_version__order_rpm(const char *a, size_t an, const char *b, size_t bn)
{
    rpm_evr x, y;
    int rc;

    rpm_split(&x, a, an);
    rpm_split(&y, b, bn);
    rc = rpm_vercmp(x.e ? x.e : "0", x.e ? x.el : 1, y.e ? y.e : "0", y.e ? y.el : 1);
    if (!rc)
        rc = rpm_vercmp(x.v, x.vl, y.v, y.vl);
    /* rpm 4.18's rpmverCmp: a version with a release (even an empty one) is newer than the
     * same version without. */
    if (!rc && x.r && y.r)
        rc = rpm_vercmp(x.r, x.rl, y.r, y.rl);
    else if (!rc)
        rc = (x.r != NULL) - (y.r != NULL);
    return rc;
}
