/* Private interface between the version dispatcher and the per-scheme comparators. */
#ifndef DD_VERSION_INT_H
#define DD_VERSION_INT_H

#include <drydock/version.h>

#include <stddef.h>

/* Every scheme provides a checker and an order. The checker returns NULL when the tool accepts
 * the version, else a short static reason. The order assumes both versions passed the checker
 * (apk's also orders invalid ones, exactly as apk-tools does) and returns -1, 0 or 1. Neither
 * allocates; both run in time linear in the lengths (at most DD_VERSION_MAX_LEN). */
typedef const char *(*dd_version__check_fn)(const char *s, size_t n);
typedef int (*dd_version__order_fn)(const char *a, size_t an, const char *b, size_t bn);

#define DD_VERSION__DECLARE(name)                                                                  \
    const char *dd_version__check_##name(const char *s, size_t n);                                 \
    int dd_version__order_##name(const char *a, size_t an, const char *b, size_t bn)

DD_VERSION__DECLARE(deb);
DD_VERSION__DECLARE(apk);
DD_VERSION__DECLARE(rpm);
DD_VERSION__DECLARE(semver);
DD_VERSION__DECLARE(npm);
DD_VERSION__DECLARE(pep440);
DD_VERSION__DECLARE(go);
DD_VERSION__DECLARE(maven);
DD_VERSION__DECLARE(gem);
DD_VERSION__DECLARE(nuget);
DD_VERSION__DECLARE(cargo);
DD_VERSION__DECLARE(composer);

/* Numeric order of two runs of ASCII digits of any length (leading zeros ignored). */
int dd_version__digits_cmp(const char *a, size_t an, const char *b, size_t bn);

/* Byte order of two spans, shorter first on a common prefix (memcmp, then length). */
int dd_version__span_cmp(const char *a, size_t an, const char *b, size_t bn);

static inline int dd_version__sign(long v)
{
    return (v > 0) - (v < 0);
}

static inline int dd_version__isdigit(int c)
{
    return c >= '0' && c <= '9';
}

static inline int dd_version__isalpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int dd_version__isalnum(int c)
{
    return dd_version__isdigit(c) || dd_version__isalpha(c);
}

static inline int dd_version__lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

#endif
