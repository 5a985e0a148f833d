/* Label schema checks (DD-BLD-031, hadolint DL3048-DL3058): label key syntax and the value
 * types a schema may ask for. */
#include "lint/lint_int.h"

#include <drydock/catalog.h>

#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    dd_lint__label_type type;
} type_names[] = {
    {"text", DD_LINT__LABEL_TEXT},       {"url", DD_LINT__LABEL_URL},
    {"rfc3339", DD_LINT__LABEL_RFC3339}, {"spdx", DD_LINT__LABEL_SPDX},
    {"hash", DD_LINT__LABEL_HASH},       {"semver", DD_LINT__LABEL_SEMVER},
    {"email", DD_LINT__LABEL_EMAIL},
};

bool dd_lint__label_type_parse(const char *name, dd_lint__label_type *out)
{
    for (size_t i = 0; i < DD_ARRAY_SIZE(type_names); i++)
        if (strcmp(name, type_names[i].name) == 0) {
            *out = type_names[i].type;
            return true;
        }
    return false;
}

static bool is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return is_lower(c) || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
    return is_alpha(c) || is_digit(c);
}

bool dd_lint__label_key_valid(const char *key, const char **why)
{
    static const char *const reserved[] = {"com.docker.", "io.docker.", "org.dockerproject."};
    size_t n = strlen(key);

    for (size_t i = 0; i < DD_ARRAY_SIZE(reserved); i++)
        if (strncmp(key, reserved[i], strlen(reserved[i])) == 0) {
            *why = "uses a namespace reserved by Docker";
            return false;
        }
    if (!n || !is_lower(key[0])) {
        *why = "must start with a lower-case letter";
        return false;
    }
    if (!is_lower(key[n - 1]) && !is_digit(key[n - 1])) {
        *why = "must end with a lower-case letter or a digit";
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = key[i];

        if (!is_lower(c) && !is_digit(c) && c != '.' && c != '-') {
            *why = "may hold only lower-case letters, digits, '.' and '-'";
            return false;
        }
        if ((c == '.' || c == '-') && (key[i + 1] == '.' || key[i + 1] == '-')) {
            *why = "must not hold consecutive separators";
            return false;
        }
    }
    return true;
}

/* scheme ":" rest, as an absolute URI (RFC 3986); the web schemes also need "//host". */
static bool url_valid(const char *s)
{
    const char *p = s;
    size_t scheme;

    if (!is_alpha(*p))
        return false;
    while (is_alnum(*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    if (*p != ':' || !p[1])
        return false;
    scheme = (size_t)(p - s);
    for (const char *q = p + 1; *q; q++)
        if ((unsigned char)*q <= ' ' || *q == '"' || *q == '<' || *q == '>' || *q == '\\' ||
            *q == '^' || *q == '`' || *q == '{' || *q == '|' || *q == '}' || *q == 0x7f)
            return false;
    if ((scheme == 4 && strncasecmp(s, "http", 4) == 0) ||
        (scheme == 5 && strncasecmp(s, "https", 5) == 0) ||
        (scheme == 3 && strncasecmp(s, "ftp", 3) == 0))
        return p[1] == '/' && p[2] == '/' && p[3] && p[3] != '/' && p[3] != '?' && p[3] != '#';
    return true;
}

static bool digits(const char **p, size_t n, int *out)
{
    int v = 0;

    for (size_t i = 0; i < n; i++) {
        if (!is_digit((*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* date-time of RFC 3339 section 5.6: 2024-05-01T12:00:00(.123)?(Z|+02:00). */
static bool rfc3339_valid(const char *p)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h, mi, sec, oh, om;

    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
        return false;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return false;
    p++;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' ||
        !digits(&p, 2, &sec) || h > 23 || mi > 59 || sec > 60)
        return false;
    if (*p == '.') {
        if (!is_digit(*++p))
            return false;
        while (is_digit(*p))
            p++;
    }
    if (*p == 'Z' || *p == 'z')
        return p[1] == '\0';
    if (*p != '+' && *p != '-')
        return false;
    p++;
    return digits(&p, 2, &oh) && *p++ == ':' && digits(&p, 2, &om) && *p == '\0' && oh <= 23 &&
           om <= 59;
}

/* An SPDX license expression: ids (optionally "+"), LicenseRef-/DocumentRef- references, AND,
 * OR, WITH exception, parentheses. */
static bool spdx_valid(const char *s)
{
    char tok[128];
    int depth = 0;
    bool want_operand = true, after_with = false;

    while (*s) {
        size_t n;

        if (*s == ' ' || *s == '\t') {
            s++;
            continue;
        }
        if (*s == '(' || *s == ')') {
            if (*s == '(') {
                if (!want_operand || after_with)
                    return false;
                depth++;
            } else {
                if (want_operand || --depth < 0)
                    return false;
            }
            s++;
            continue;
        }
        n = strcspn(s, " \t()");
        if (n >= sizeof(tok))
            return false;
        memcpy(tok, s, n);
        tok[n] = '\0';
        s += n;
        if (strcmp(tok, "AND") == 0 || strcmp(tok, "OR") == 0 || strcmp(tok, "WITH") == 0) {
            if (want_operand)
                return false;
            want_operand = true;
            after_with = strcmp(tok, "WITH") == 0;
            continue;
        }
        if (!want_operand)
            return false;
        if (!after_with && n > 1 && tok[n - 1] == '+')
            tok[n - 1] = '\0';
        if (strncmp(tok, "LicenseRef-", 11) == 0 || strncmp(tok, "DocumentRef-", 12) == 0) {
            if (!tok[strcspn(tok, "-") + 1])
                return false;
        } else if (!dd_spdx_license_valid(tok))
            return false;
        want_operand = false;
        after_with = false;
    }
    return !want_operand && depth == 0;
}

/* A git object name: 40 hex digits (SHA-1) or 64 (SHA-256). */
static bool hash_valid(const char *s)
{
    size_t n = strspn(s, "0123456789abcdefABCDEF");

    return !s[n] && (n == 40 || n == 64);
}

/* One numeric identifier without leading zeros; advances *p. */
static bool semver_number(const char **p)
{
    const char *s = *p;

    if (!is_digit(*s))
        return false;
    if (*s == '0' && is_digit(s[1]))
        return false;
    while (is_digit(*s))
        s++;
    *p = s;
    return true;
}

/* Dot-separated identifiers of [0-9A-Za-z-]; numeric ones without leading zeros when
 * `numeric_strict` (pre-release), any for build metadata. */
static bool semver_idents(const char **p, bool numeric_strict)
{
    const char *s = *p;

    for (;;) {
        const char *b = s;
        bool numeric = true;

        while (is_alnum(*s) || *s == '-') {
            numeric = numeric && is_digit(*s);
            s++;
        }
        if (s == b)
            return false;
        if (numeric_strict && numeric && *b == '0' && s - b > 1)
            return false;
        if (*s != '.')
            break;
        s++;
    }
    *p = s;
    return true;
}

/* Semantic Versioning 2.0.0: MAJOR.MINOR.PATCH(-pre)?(+build)? */
static bool semver_valid(const char *p)
{
    if (!semver_number(&p) || *p++ != '.' || !semver_number(&p) || *p++ != '.' ||
        !semver_number(&p))
        return false;
    if (*p == '-') {
        p++;
        if (!semver_idents(&p, true))
            return false;
    }
    if (*p == '+') {
        p++;
        if (!semver_idents(&p, false))
            return false;
    }
    return *p == '\0';
}

/* addr-spec of RFC 5322 without comments or obsolete forms: dot-atom or quoted local part,
 * then a dot-atom domain (a host name) or a [domain literal]. */
static bool email_valid(const char *s)
{
    static const char atext[] = "!#$%&'*+-/=?^_`{|}~";
    const char *p = s, *at;

    if (*p == '"') {
        for (p++; *p && *p != '"'; p++)
            if (*p == '\\' && p[1])
                p++;
        if (*p != '"')
            return false;
        p++;
    } else {
        bool prev_dot = true;

        for (; *p && *p != '@'; p++) {
            if (*p == '.') {
                if (prev_dot)
                    return false;
                prev_dot = true;
            } else if (is_alnum(*p) || strchr(atext, *p) || (unsigned char)*p >= 0x80) {
                prev_dot = false;
            } else
                return false;
        }
        if (prev_dot)
            return false;
    }
    if (*p != '@')
        return false;
    at = p++;
    if (p - s > 65 || !*p)
        return false;
    if (*p == '[') {
        size_t n = strlen(p);

        return n > 2 && p[n - 1] == ']' && strcspn(p + 1, "[]\\ ") == n - 2;
    }
    for (;;) {
        const char *b = p;

        while (is_alnum(*p) || *p == '-' || (unsigned char)*p >= 0x80)
            p++;
        if (p == b || *b == '-' || p[-1] == '-' || p - b > 63)
            return false;
        if (*p == '\0')
            break;
        if (*p++ != '.')
            return false;
    }
    return strlen(at + 1) <= 255;
}

bool dd_lint__label_value_valid(dd_lint__label_type type, const char *value)
{
    switch (type) {
    case DD_LINT__LABEL_URL:
        return url_valid(value);
    case DD_LINT__LABEL_RFC3339:
        return rfc3339_valid(value);
    case DD_LINT__LABEL_SPDX:
        return spdx_valid(value);
    case DD_LINT__LABEL_HASH:
        return hash_valid(value);
    case DD_LINT__LABEL_SEMVER:
        return semver_valid(value);
    case DD_LINT__LABEL_EMAIL:
        return email_valid(value);
    case DD_LINT__LABEL_TEXT:
    default:
        return true;
    }
}
