/* CVSS vector strings: the parser shared by the v3 and v4 scorers, and the version dispatcher. */
#include "cvss/cvss_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Bytes of the vector quoted in a message, and of a metric name or value. */
#define QUOTE_VECTOR 96
#define QUOTE_PART   16

/* Copies at most `max` bytes of (s, n) into dst, escaping unprintable bytes as \xNN and marking
 * a cut with "...", so hostile input cannot put control characters into a message. */
static void quote(char *dst, size_t cap, const char *s, size_t n, size_t max)
{
    size_t o = 0;

    for (size_t i = 0; i < n && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (o + 5 >= cap)
            break;
        if (c < 0x20 || c >= 0x7f)
            o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", c);
        else
            dst[o++] = (char)c;
    }
    if (n > max && o + 4 < cap) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o] = '\0';
}

int dd_cvss__fail(int code, const char *vector, size_t len, const char *fmt, ...)
{
    char q[QUOTE_VECTOR * 4 + 8], why[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    quote(q, sizeof(q), vector, len, QUOTE_VECTOR);
    return dd_error_set(code, "invalid CVSS vector '%s': %s", q, why);
}

int dd_cvss__check_len(const char *vector, size_t *len)
{
    if (!vector)
        return dd_error_set(DD_EINVALID, "invalid CVSS vector: none given");
    *len = strnlen(vector, DD_CVSS_MAX_LEN + 1);
    if (*len > DD_CVSS_MAX_LEN)
        return dd_cvss__fail(DD_ELIMIT, vector, *len, "longer than %d bytes", DD_CVSS_MAX_LEN);
    return DD_OK;
}

static int find_metric(const dd_cvss__metric *tab, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(tab[i].name) == len && memcmp(tab[i].name, s, len) == 0)
            return (int)i;
    return -1;
}

static int find_value(const dd_cvss__metric *m, const char *s, size_t len)
{
    for (int j = 0; j < DD_CVSS__MAX_VALUES && m->values[j]; j++)
        if (strlen(m->values[j]) == len && memcmp(m->values[j], s, len) == 0)
            return j;
    return -1;
}

int dd_cvss__parse(const char *vector, size_t len, size_t prefix_len, const dd_cvss__metric *tab,
                   size_t n, int *val)
{
    size_t pos = prefix_len;
    char name[QUOTE_PART * 4 + 8], value[QUOTE_PART * 4 + 8];

    for (size_t i = 0; i < n; i++)
        val[i] = -1;
    for (;;) {
        const char *comp = vector + pos, *slash, *colon;
        size_t clen, nlen;
        int mi, vi;

        slash = memchr(comp, '/', len - pos);
        clen = slash ? (size_t)(slash - comp) : len - pos;
        if (clen == 0)
            return dd_cvss__fail(DD_EINVALID, vector, len, "empty metric at offset %zu", pos);
        colon = memchr(comp, ':', clen);
        if (!colon) {
            quote(name, sizeof(name), comp, clen, QUOTE_PART);
            return dd_cvss__fail(DD_EINVALID, vector, len,
                                 "metric '%s' at offset %zu has no ':' and value", name, pos);
        }
        nlen = (size_t)(colon - comp);
        quote(name, sizeof(name), comp, nlen, QUOTE_PART);
        mi = find_metric(tab, n, comp, nlen);
        if (mi < 0)
            return dd_cvss__fail(DD_EINVALID, vector, len, "unknown metric '%s' at offset %zu",
                                 name, pos);
        if (val[mi] >= 0)
            return dd_cvss__fail(DD_EINVALID, vector, len, "duplicate metric '%s' at offset %zu",
                                 name, pos);
        vi = find_value(&tab[mi], colon + 1, clen - nlen - 1);
        if (vi < 0) {
            quote(value, sizeof(value), colon + 1, clen - nlen - 1, QUOTE_PART);
            return dd_cvss__fail(DD_EINVALID, vector, len,
                                 "metric '%s' has invalid value '%s' at offset %zu", name, value,
                                 pos + nlen + 1);
        }
        val[mi] = vi;
        if (!slash)
            break;
        pos += clen + 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (val[i] >= 0)
            continue;
        if (tab[i].required)
            return dd_cvss__fail(DD_EINVALID, vector, len, "missing base metric '%s'", tab[i].name);
        val[i] = 0;
    }
    return DD_OK;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A v2 vector has no prefix and the v2-only metric Au ("AV:N/AC:L/Au:N/C:P/I:P/A:P"); NVD also
 * writes it in parentheses. */
static bool looks_like_v2(const char *v, size_t len)
{
    if (len > 0 && v[0] == '(') {
        v++;
        len--;
    }
    if (len < 3 || memcmp(v, "AV:", 3) != 0)
        return false;
    for (size_t i = 0; i + 4 <= len; i++)
        if (memcmp(v + i, "/Au:", 4) == 0)
            return true;
    return false;
}

int dd_cvss_score(const char *vector, double *out, int *version_out)
{
    size_t len = 0;
    double score;
    int rc, version;

    if ((rc = dd_cvss__check_len(vector, &len)) != DD_OK)
        return rc;
    if (len >= 9 && memcmp(vector, "CVSS:", 5) == 0 && is_digit(vector[5]) && vector[6] == '.' &&
        is_digit(vector[7]) && vector[8] == '/') {
        if (memcmp(vector + 5, "3.0", 3) == 0 || memcmp(vector + 5, "3.1", 3) == 0) {
            version = vector[7] == '0' ? DD_CVSS_V30 : DD_CVSS_V31;
            rc = dd_cvss3_base_score(vector, &score);
        } else if (memcmp(vector + 5, "4.0", 3) == 0) {
            version = DD_CVSS_V40;
            rc = dd_cvss4_score(vector, &score);
        } else if (vector[5] == '2') {
            return dd_cvss__fail(DD_EUNSUPPORTED, vector, len,
                                 "CVSS v2 vectors are not scored (only 3.0, 3.1 and 4.0)");
        } else {
            return dd_cvss__fail(DD_EUNSUPPORTED, vector, len,
                                 "CVSS version %c.%c is not scored (only 3.0, 3.1 and 4.0)",
                                 vector[5], vector[7]);
        }
    } else if (looks_like_v2(vector, len)) {
        return dd_cvss__fail(DD_EUNSUPPORTED, vector, len,
                             "CVSS v2 vectors are not scored (only 3.0, 3.1 and 4.0)");
    } else {
        return dd_cvss__fail(DD_EINVALID, vector, len,
                             "no 'CVSS:3.0/', 'CVSS:3.1/' or 'CVSS:4.0/' prefix");
    }
    if (rc != DD_OK)
        return rc;
    *out = score;
    if (version_out)
        *version_out = version;
    return DD_OK;
}
