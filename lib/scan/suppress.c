/* Helpers shared by the ignore-file and VEX suppressors: dates, ids, percent-decoding. */
#include "scan/suppress_int.h"

#include <strings.h>

int64_t dd_scan__days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* shift the year to start in March so that the leap day is the last day of a year */
    int64_t yy = m <= 2 ? y - 1 : y;
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

unsigned dd_scan__month_days(int64_t y, unsigned m)
{
    static const unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    if (m < 1 || m > 12)
        return 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

bool dd_scan__finding_has_id(const dd_finding *f, const char *id)
{
    if (f->id && strcasecmp(f->id, id) == 0)
        return true;
    for (size_t i = 0; i < f->n_aliases; i++)
        if (f->aliases[i] && strcasecmp(f->aliases[i], id) == 0)
            return true;
    for (size_t i = 0; i < f->n_records; i++)
        if (f->records[i] && strcasecmp(f->records[i], id) == 0)
            return true;
    return false;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *dd_scan__pct_decode(dd_arena *a, const char *s, size_t len)
{
    char *out = dd_arena_alloc(a, len + 1);
    size_t n = 0;

    if (!out) {
        dd_error_set(DD_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        int hi, lo;

        /* "%00" stays as written: a NUL would cut the string short */
        if (s[i] == '%' && i + 2 < len && (hi = hexval(s[i + 1])) >= 0 &&
            (lo = hexval(s[i + 2])) >= 0 && (hi | lo) != 0) {
            out[n++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            out[n++] = s[i];
        }
    }
    out[n] = '\0';
    return out;
}
