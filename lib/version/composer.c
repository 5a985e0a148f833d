/* Composer version order: Composer\Semver's VersionParser::normalize (composer/semver 3.x), then
 * PHP's version_compare on the two normalised strings, as Composer\Semver\Comparator does. */
#include "util/util.h"
#include "version/version_int.h"

#include <string.h>

/* A normalised version is at most this much longer than its input: three ".0" or ".9999999"
 * pads, an expanded stability ("a" -> "alpha"), a '-' before it and a "-dev" suffix. */
#define COMPOSER_NORM_MAX (DD_VERSION_MAX_LEN + 64)

/* The numeric part of a branch alias ("1.x-dev"), as normalizeBranch writes it. */
#define BRANCH_WILDCARD "9999999"

typedef struct {
    char s[COMPOSER_NORM_MAX];
    size_t n;
} composer_norm;

static void norm_put(composer_norm *o, const char *p, size_t n)
{
    /* COMPOSER_NORM_MAX covers the longest output of normalize() for any input within
     * DD_VERSION_MAX_LEN; a truncated copy would still order deterministically. */
    if (n > sizeof(o->s) - o->n)
        n = sizeof(o->s) - o->n;
    memcpy(o->s + o->n, p, n);
    o->n += n;
}

static void norm_puts(composer_norm *o, const char *p)
{
    norm_put(o, p, strlen(p));
}

/* PHP's trim() character list. */
static int php_trim_char(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v';
}

/* PCRE's \s without the u flag. */
static int pcre_space(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static void php_trim(const char **s, size_t *n)
{
    while (*n > 0 && php_trim_char((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n > 0 && php_trim_char((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static int prefix_ci(const char *s, size_t n, const char *word)
{
    size_t wn = strlen(word);
    if (n < wn)
        return 0;
    for (size_t i = 0; i < wn; i++)
        if (dd_version__lower((unsigned char)s[i]) != word[i])
            return 0;
    return 1;
}

static int equals(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(s, word, n) == 0;
}

static size_t digits_at(const char *s, size_t i, size_t n)
{
    size_t j = i;
    while (j < n && dd_version__isdigit((unsigned char)s[j]))
        j++;
    return j - i;
}

/* "1.0 as 2.0" -> "1.0": ^([^,\s]++) ++as ++([^,\s]++)$ */
static size_t strip_alias(const char *s, size_t n)
{
    size_t i = 0, j;

    while (i < n && s[i] != ',' && !pcre_space((unsigned char)s[i]))
        i++;
    if (i == 0 || i == n || s[i] != ' ')
        return n;
    j = i;
    while (j < n && s[j] == ' ')
        j++;
    if (n - j < 3 || s[j] != 'a' || s[j + 1] != 's' || s[j + 2] != ' ')
        return n;
    j += 2;
    while (j < n && s[j] == ' ')
        j++;
    if (j == n)
        return n;
    for (; j < n; j++)
        if (s[j] == ',' || pcre_space((unsigned char)s[j]))
            return n;
    return i;
}

/* "1.0@dev" -> "1.0": @(?:stable|RC|beta|alpha|dev)$, case-insensitive. */
static size_t strip_stability_flag(const char *s, size_t n)
{
    static const char *const flags[] = {"stable", "rc", "beta", "alpha", "dev"};

    for (size_t k = 0; k < DD_ARRAY_SIZE(flags); k++) {
        size_t fn = strlen(flags[k]);
        if (n > fn && s[n - fn - 1] == '@' && prefix_ci(s + n - fn, fn, flags[k]))
            return n - fn - 1;
    }
    return n;
}

/* "1.0+build" -> "1.0": ^([^,\s+]++)\+[^\s]++$ where $ may also stand before a final "\n". */
static size_t strip_build(const char *s, size_t n)
{
    size_t i = 0, j;

    while (i < n && s[i] != ',' && s[i] != '+' && !pcre_space((unsigned char)s[i]))
        i++;
    if (i == 0 || i == n || s[i] != '+')
        return n;
    j = i + 1;
    while (j < n && !pcre_space((unsigned char)s[j]))
        j++;
    if (j == i + 1 || !(j == n || (j == n - 1 && s[j] == '\n')))
        return n;
    return i;
}

/* The stability words of VersionParser::$modifierRegex, in the order the regex tries them,
 * and what expandStability() makes of each. */
static const struct {
    const char *word;
    const char *expanded;
} stabilities[] = {
    {"stable", "stable"}, {"beta", "beta"},   {"b", "beta"},   {"rc", "RC"},   {"alpha", "alpha"},
    {"a", "alpha"},       {"patch", "patch"}, {"pl", "patch"}, {"p", "patch"},
};

typedef struct {
    int stability; /* index into stabilities[], or -1 */
    const char *word;
    const char *num; /* the ((?:[.-]?\d+)*+) group */
    size_t num_len;
    int dev;
} composer_modifier;

/* [._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?$ from s[i] to
 * s[n]. The possessive number group never takes what the dev part or the end needs, so one
 * left-to-right pass decides. */
static int parse_modifier(composer_modifier *m, const char *s, size_t i, size_t n)
{
    m->stability = -1;
    m->num_len = 0;
    m->dev = 0;
    if (i < n && (s[i] == '.' || s[i] == '_' || s[i] == '-'))
        i++;
    for (size_t k = 0; k < DD_ARRAY_SIZE(stabilities) && m->stability < 0; k++) {
        size_t wn = strlen(stabilities[k].word), j;
        if (!prefix_ci(s + i, n - i, stabilities[k].word))
            continue;
        j = i + wn;
        for (;;) {
            if (j + 1 < n && (s[j] == '.' || s[j] == '-') &&
                dd_version__isdigit((unsigned char)s[j + 1]))
                j += 1 + digits_at(s, j + 1, n);
            else if (j < n && dd_version__isdigit((unsigned char)s[j]))
                j += digits_at(s, j, n);
            else
                break;
        }
        /* A word that leaves something other than an optional dev part is not this
         * alternative: try the next one, as the regex does. */
        {
            size_t d = j;
            if (d < n && (s[d] == '.' || s[d] == '-') && prefix_ci(s + d + 1, n - d - 1, "dev"))
                d += 4;
            else if (prefix_ci(s + d, n - d, "dev"))
                d += 3;
            if (d != n)
                continue;
            m->stability = (int)k;
            m->word = s + i;
            m->num = s + i + wn;
            m->num_len = j - i - wn;
            m->dev = d != j;
            return 1;
        }
    }
    if (i < n && (s[i] == '.' || s[i] == '-') && prefix_ci(s + i + 1, n - i - 1, "dev"))
        i += 4, m->dev = 1;
    else if (prefix_ci(s + i, n - i, "dev"))
        i += 3, m->dev = 1;
    return i == n;
}

/* Appends the modifier as normalize() does. */
static void put_modifier(composer_norm *o, const composer_modifier *m)
{
    if (m->stability >= 0) {
        const char *num = m->num;
        size_t num_len = m->num_len;

        /* The comparison with 'stable' is case-sensitive; "STABLE" is kept as a label. */
        if (m->stability == 0 && memcmp(m->word, "stable", 6) == 0)
            return;
        norm_puts(o, "-");
        norm_puts(o, stabilities[m->stability].expanded);
        while (num_len > 0 && (*num == '.' || *num == '-'))
            num++, num_len--;
        norm_put(o, num, num_len);
    }
    if (m->dev)
        norm_puts(o, "-dev");
}

/* ^v?(\d{1,5})(\.\d++)?(\.\d++)?(\.\d++)? modifier $, case-insensitive. */
static int parse_classical(composer_norm *o, const char *s, size_t n)
{
    composer_modifier m;
    size_t i = 0, d, parts = 1;

    if (i < n && (s[i] == 'v' || s[i] == 'V'))
        i++;
    d = digits_at(s, i, n);
    if (d < 1 || d > 5)
        return 0;
    o->n = 0;
    norm_put(o, s + i, d);
    i += d;
    while (parts < 4 && i + 1 < n && s[i] == '.' && dd_version__isdigit((unsigned char)s[i + 1])) {
        d = 1 + digits_at(s, i + 1, n);
        norm_put(o, s + i, d);
        i += d;
        parts++;
    }
    if (!parse_modifier(&m, s, i, n))
        return 0;
    for (; parts < 4; parts++)
        norm_puts(o, ".0");
    put_modifier(o, &m);
    return 1;
}

static int date_sep(int c)
{
    return c == '.' || c == ':' || c == '-';
}

/* ^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?) modifier $, case-insensitive; the date's
 * non-digits become dots. The date part ends where a letter, or a separator and a letter,
 * starts the modifier. */
static int parse_date(composer_norm *o, const char *s, size_t n)
{
    composer_modifier m;
    size_t i = 0, start, end, pos, groups = 0, last;

    if (i < n && (s[i] == 'v' || s[i] == 'V'))
        i++;
    start = i;
    if (digits_at(s, i, n) < 4)
        return 0;
    end = i;
    while (end < n && (dd_version__isdigit((unsigned char)s[end]) || date_sep(s[end])))
        end++;
    if (end > start && date_sep(s[end - 1]))
        end--;
    /* Runs of digits after the first four, split by single separators: all but the last
     * are whole two-digit groups; the last may end in a one-to-three digit tail. */
    pos = start + 4;
    last = digits_at(s, pos, end);
    pos += last;
    while (pos < end) {
        size_t run;
        if (!date_sep(s[pos]))
            return 0;
        run = digits_at(s, pos + 1, end);
        if (run == 0 || last % 2 != 0)
            return 0;
        groups += last / 2;
        last = run;
        pos += 1 + run;
    }
    {
        size_t kmin = last > 3 ? (last - 2) / 2 : 0, kmax = last / 2;
        size_t lo = groups + kmin, hi = groups + kmax;
        if (lo > 6 || hi < 1)
            return 0;
    }
    if (!parse_modifier(&m, s, end, n))
        return 0;
    o->n = 0;
    for (size_t k = start; k < end; k++)
        norm_put(o, dd_version__isdigit((unsigned char)s[k]) ? s + k : ".", 1);
    put_modifier(o, &m);
    return 1;
}

/* normalizeBranch() of a name ending in "-dev": only numeric branches ("1.x", "2.3.*") are
 * versions; ^v?(\d++)(\.(?:\d++|[xX*]))?{3}$ after trim(). */
static int parse_numeric_branch(composer_norm *o, const char *s, size_t n)
{
    size_t i = 0, d, parts = 1;

    php_trim(&s, &n);
    if (i < n && (s[i] == 'v' || s[i] == 'V'))
        i++;
    d = digits_at(s, i, n);
    if (d == 0)
        return 0;
    o->n = 0;
    norm_put(o, s + i, d);
    i += d;
    for (; parts < 4 && i + 1 < n && s[i] == '.'; parts++) {
        int c = (unsigned char)s[i + 1];
        if (dd_version__isdigit(c)) {
            d = 1 + digits_at(s, i + 1, n);
            norm_put(o, s + i, d);
            i += d;
        } else if (c == 'x' || c == 'X' || c == '*') {
            norm_puts(o, "." BRANCH_WILDCARD);
            i += 2;
        } else {
            break;
        }
    }
    if (i != n)
        return 0;
    for (; parts < 4; parts++)
        norm_puts(o, "." BRANCH_WILDCARD);
    norm_puts(o, "-dev");
    return 1;
}

/* (.*?)[.-]?dev$, case-insensitive and unanchored: '.' stops at a newline, so the name starts
 * after the last one. */
static int parse_dev_suffix(composer_norm *o, const char *s, size_t n)
{
    size_t k, line = 0;

    if (n < 3 || !prefix_ci(s + n - 3, 3, "dev"))
        return 0;
    k = n - 3;
    if (k > 0 && (s[k - 1] == '.' || s[k - 1] == '-'))
        k--;
    for (size_t j = 0; j < k; j++)
        if (s[j] == '\n')
            line = j + 1;
    return parse_numeric_branch(o, s + line, k - line);
}

/* VersionParser::normalize. Returns NULL and the normalised form, or the reason Composer
 * throws UnexpectedValueException. */
static const char *composer_normalize(composer_norm *o, const char *s, size_t n)
{
    size_t m;

    o->n = 0;
    php_trim(&s, &n);
    n = strip_alias(s, n);
    n = strip_stability_flag(s, n);
    if (equals(s, n, "master") || equals(s, n, "trunk") || equals(s, n, "default")) {
        norm_puts(o, "dev-");
        norm_put(o, s, n);
        return NULL;
    }
    if (prefix_ci(s, n, "dev-")) {
        norm_puts(o, "dev-");
        norm_put(o, s + 4, n - 4);
        return NULL;
    }
    n = strip_build(s, n);
    /* The remaining patterns end in $, which also matches before a final newline (one can
     * be left by the @flag strip). */
    m = n > 0 && s[n - 1] == '\n' ? n - 1 : n;
    if (parse_classical(o, s, m) || parse_date(o, s, m) || parse_dev_suffix(o, s, m))
        return NULL;
    o->n = 0;
    return "not a Composer version, date or branch";
}

const char *dd_version__check_composer(const char *s, size_t n)
{
    composer_norm o;
    return composer_normalize(&o, s, n);
}

/* --- PHP's version_compare on normalised strings --- */

/* One element of php_canonicalize_version's output: a run of digits or of letters (the
 * normalised forms that reach here hold nothing else besides '.' and '-'). */
typedef struct {
    const char *p;
    size_t n;
    int digit;
} php_elem;

static int php_next(php_elem *e, const char *s, size_t n, size_t *pos)
{
    size_t i = *pos, j;

    while (i < n && !dd_version__isalnum((unsigned char)s[i]))
        i++;
    if (i == n)
        return 0;
    e->p = s + i;
    e->digit = dd_version__isdigit((unsigned char)s[i]);
    for (j = i; j < n && dd_version__isalnum((unsigned char)s[j]) &&
                dd_version__isdigit((unsigned char)s[j]) == e->digit;
         j++)
        ;
    e->n = j - i;
    *pos = j;
    return 1;
}

/* compare_special_version_forms: the first entry the element starts with (strncmp). */
#define PHP_ORDER_NUMBER 4

static int php_special_order(const php_elem *e)
{
    static const struct {
        const char *name;
        int order;
    } forms[] = {
        {"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2},
        {"RC", 3},  {"rc", 3},    {"#", 4}, {"pl", 5},   {"p", 5},
    };

    for (size_t k = 0; k < DD_ARRAY_SIZE(forms); k++) {
        size_t fn = strlen(forms[k].name);
        if (e->n >= fn && memcmp(e->p, forms[k].name, fn) == 0)
            return forms[k].order;
    }
    return -1;
}

/* strtol saturates at LONG_MAX (64-bit): larger numbers are all equal to it. */
static int php_number_cmp(const php_elem *a, const php_elem *b)
{
    static const char long_max[] = "9223372036854775807";
    const char *ap = a->p, *bp = b->p;
    size_t an = a->n, bn = b->n;

    while (an > 1 && *ap == '0')
        ap++, an--;
    while (bn > 1 && *bp == '0')
        bp++, bn--;
    if (dd_version__digits_cmp(ap, an, long_max, sizeof(long_max) - 1) > 0)
        ap = long_max, an = sizeof(long_max) - 1;
    if (dd_version__digits_cmp(bp, bn, long_max, sizeof(long_max) - 1) > 0)
        bp = long_max, bn = sizeof(long_max) - 1;
    return dd_version__digits_cmp(ap, an, bp, bn);
}

static int php_elem_cmp(const php_elem *a, const php_elem *b)
{
    if (a->digit && b->digit)
        return php_number_cmp(a, b);
    return dd_version__sign((long)(a->digit ? PHP_ORDER_NUMBER : php_special_order(a)) -
                            (b->digit ? PHP_ORDER_NUMBER : php_special_order(b)));
}

/* php_version_compare: element by element; a longer version wins by a number and is compared
 * with "#N#" (a number) by a name, so "1.0-patch" > "1.0" > "1.0-RC1". */
static int php_version_compare(const char *a, size_t an, const char *b, size_t bn)
{
    size_t ai = 0, bi = 0;
    php_elem ea, eb;
    int ha = php_next(&ea, a, an, &ai), hb = php_next(&eb, b, bn, &bi);

    while (ha && hb) {
        int c = php_elem_cmp(&ea, &eb);
        if (c)
            return c;
        ha = php_next(&ea, a, an, &ai);
        hb = php_next(&eb, b, bn, &bi);
    }
    if (ha)
        return ea.digit ? 1 : dd_version__sign((long)php_special_order(&ea) - PHP_ORDER_NUMBER);
    if (hb)
        return eb.digit ? -1 : dd_version__sign(PHP_ORDER_NUMBER - (long)php_special_order(&eb));
    return 0;
}

static int is_branch(const composer_norm *v)
{
    return v->n >= 4 && memcmp(v->s, "dev-", 4) == 0;
}

int dd_version__order_composer(const char *a, size_t an, const char *b, size_t bn)
{
    composer_norm na, nb;
    int ba, bb;

    composer_normalize(&na, a, an);
    composer_normalize(&nb, b, bn);
    ba = is_branch(&na);
    bb = is_branch(&nb);
    /* Comparator: two branches are equal only when identical and otherwise unordered; they
     * are put in byte order here to keep the order total. A branch ("dev" first) is below
     * every numbered version in version_compare. */
    if (ba && bb)
        return dd_version__span_cmp(na.s, na.n, nb.s, nb.n);
    if (ba != bb)
        return ba ? -1 : 1;
    return php_version_compare(na.s, na.n, nb.s, nb.n);
}
