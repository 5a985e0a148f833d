/* The checks that decide whether a rule's match is a secret: character classes, placeholders,
 * entropy, the allowed paths, and the redaction every output goes through. */
#include "secrets/secrets_int.h"

#include "util/util.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Reads one class member at *p (a literal or an escape); -1 for "\s", which adds a set. */
static int class_char(const char **p)
{
    const char *s = *p;
    int c = (unsigned char)*s++;

    if (c == '\\') {
        c = (unsigned char)*s++;
        if (c == 's') {
            c = -1;
        } else if (c == 'x' && hexval(s[0]) >= 0 && hexval(s[1]) >= 0) {
            c = hexval(s[0]) * 16 + hexval(s[1]);
            s += 2;
        } else if (c == 'n') {
            c = '\n';
        } else if (c == 'r') {
            c = '\r';
        } else if (c == 't') {
            c = '\t';
        } else if (c == 0) {
            return -2;
        }
    }
    *p = s;
    return c;
}

int dd_secrets__charset_parse(bool out[256], const char *charset)
{
    const char *p = charset;
    bool neg = false;

    memset(out, 0, 256 * sizeof(bool));
    if (*p == '^') {
        neg = true;
        p++;
    }
    while (*p) {
        int lo = class_char(&p);

        if (lo == -2)
            return dd_error_set(DD_EINVALID, "charset \"%s\": trailing backslash", charset);
        if (lo == -1) {
            out[' '] = out['\t'] = out['\n'] = out['\r'] = out['\f'] = out['\v'] = true;
            continue;
        }
        if (p[0] == '-' && p[1]) {
            p++;
            int hi = class_char(&p);

            if (hi < lo)
                return dd_error_set(DD_EINVALID, "charset \"%s\": bad range", charset);
            for (int c = lo; c <= hi; c++)
                out[c] = true;
        } else {
            out[lo] = true;
        }
    }
    if (neg)
        for (int c = 0; c < 256; c++)
            out[c] = !out[c];
    return DD_OK;
}

/* Words that mark documentation examples, templates and placeholders. */
static const char *const placeholder_words[] = {
    "example",  "sample",   "dummy",   "placeholder", "changeme", "change_me", "change-me",
    "redacted", "xxxx",     "****",    "your_",       "your-",    "yourkey",   "yourtoken",
    "yourpass", "insert",   "replace", "fake",        "notreal",  "not_real",  "not-a-",
    "${",       "{{",       "<",       "%(",          "$(",       "todo",      "fixme",
    "lorem",    "password", "passwd",  "secret",      "mytoken",  "mysecret",  "mypassword",
    "test123",  "hunter2",  "foobar",  "123456",      "qwerty",   "letmein",   "s3cr3t",
    "p@ssw0rd", "abc123",   "token",   "...",
};

static bool contains_ci(const char *s, size_t len, const char *w)
{
    size_t wl = strlen(w);

    for (size_t i = 0; i + wl <= len; i++)
        if (strncasecmp(s + i, w, wl) == 0)
            return true;
    return false;
}

bool dd_secrets__placeholder(const char *s, size_t len, bool key_body)
{
    for (size_t i = 0; i < DD_ARRAY_SIZE(placeholder_words); i++) {
        const char *w = placeholder_words[i];

        /* key material is base64: short words occur by chance, keep the telling ones */
        if (key_body && strlen(w) < 6)
            continue;
        if (contains_ci(s, len, w))
            return true;
    }
    return !key_body && dd_secrets__has_runs(s, len);
}

bool dd_secrets__has_runs(const char *s, size_t len)
{
    size_t same = 1, up = 1, down = 1;

    for (size_t i = 1; i < len; i++) {
        unsigned char a = (unsigned char)s[i - 1], b = (unsigned char)s[i];

        same = b == a ? same + 1 : 1;
        up = b == a + 1 ? up + 1 : 1;
        down = b + 1 == a ? down + 1 : 1;
        if (same >= 6 || up >= 8 || down >= 8)
            return true;
    }
    return false;
}

double dd_secrets__entropy(const char *s, size_t len)
{
    unsigned count[256] = {0};
    double h = 0;

    if (!len)
        return 0;
    for (size_t i = 0; i < len; i++)
        count[(unsigned char)s[i]]++;
    for (int c = 0; c < 256; c++) {
        if (count[c]) {
            double p = (double)count[c] / (double)len;

            h -= p * log2(p);
        }
    }
    return h;
}

/* "./x", "~/x", and "/usr/lib/x": an absolute path's first component is lower-case letters,
 * digits and ".-_" and it holds no "+". A base64 secret may begin with "/" too (one AWS
 * secret in 64): its first component is mixed case. */
static bool looks_like_path(const char *s, size_t len)
{
    size_t i = 1;

    if ((s[0] == '.' && len > 1 && s[1] == '/') || s[0] == '~')
        return true;
    if (s[0] != '/' || memchr(s, '+', len))
        return false;
    for (; i < len && s[i] != '/'; i++)
        if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && !strchr(".-_", s[i]))
            return false;
    return i > 1;
}

bool dd_secrets__entropy_ok(const char *s, size_t len)
{
    bool lower = false, upper = false, digit = false, symbol = false;

    if (len < 8)
        return false;
    if (looks_like_path(s, len))
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (islower(c))
            lower = true;
        else if (isupper(c))
            upper = true;
        else if (isdigit(c))
            digit = true;
        else if (c != '.' && c != '_' && c != '-')
            symbol = true; /* identifier punctuation does not count */
    }
    if ((int)lower + (int)upper + (int)digit + (int)symbol < 2)
        return false;
    /* the entropy of n bytes is at most log2(n): ask for most of what the length allows */
    double need = len >= 16 ? 2.9 : log2((double)len) * 0.8;

    return dd_secrets__entropy(s, len) >= need;
}

void dd_secrets__redact(char *out, const char *s, size_t len)
{
    size_t keep = len >= 16 ? 2 : len >= 8 ? 1 : 0;
    size_t stars = len - 2 * keep;
    char *o = out;

    if (stars > 64)
        stars = 64;
    memcpy(o, s, keep);
    o += keep;
    memset(o, '*', stars);
    o += stars;
    memcpy(o, s + len - keep, keep);
    o += keep;
    *o = '\0';
}

static bool has_component(const char *path, const char *const *names, size_t n)
{
    for (const char *p = path; *p;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);

        if (slash) /* directories only */
            for (size_t i = 0; i < n; i++)
                if (strlen(names[i]) == len && strncasecmp(p, names[i], len) == 0)
                    return true;
        if (!slash)
            break;
        p = slash + 1;
    }
    return false;
}

static bool has_prefix_dir(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    while (*path == '/')
        path++;
    return strncmp(path, dir, n) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);

    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

bool dd_secrets__path_allowed(const dd_secrets__rule *rule, const char *path)
{
    /* documentation shipped by packages: examples by nature */
    static const char *const doc_dirs[] = {"usr/share/doc/", "usr/share/man/", "usr/share/info/",
                                           "usr/share/gtk-doc/", "usr/share/help/"};
    /* test fixtures and examples: generic assignments there are made up */
    static const char *const test_dirs[] = {
        "test",   "tests",    "testdata", "test-data", "testing", "__tests__",
        "spec",   "fixtures", "fixture",  "examples",  "example", "samples",
        "sample", "docs",     "doc",      "demo",      "mocks",   "t",
    };
    static const char *const doc_suffixes[] = {".md",  ".rst", ".adoc", ".html", ".htm",
                                               ".txt", ".pod", ".tex",  ".po",   ".mo"};

    if (!path)
        return false;
    for (size_t i = 0; i < DD_ARRAY_SIZE(doc_dirs); i++)
        if (has_prefix_dir(path, doc_dirs[i]))
            return true;
    if (!(rule->flags & DD_SECRETS__GENERIC) && strcmp(rule->category, "Generic") != 0)
        return false;
    if (has_component(path, test_dirs, DD_ARRAY_SIZE(test_dirs)))
        return true;
    for (size_t i = 0; i < DD_ARRAY_SIZE(doc_suffixes); i++)
        if (ends_with(path, doc_suffixes[i]))
            return true;
    const char *base = strrchr(path, '/');

    base = base ? base + 1 : path;
    return strncasecmp(base, "test_", 5) == 0 || ends_with(base, "_test.go") ||
           ends_with(base, ".test.js") || ends_with(base, ".spec.js") ||
           ends_with(base, ".test.ts") || ends_with(base, ".spec.ts");
}

bool dd_secrets__generic_value_ok(const char *s, size_t len)
{
    bool digit = false, alpha = false, ident = true;

    if (!dd_secrets__entropy_ok(s, len))
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        digit |= isdigit(c) != 0;
        alpha |= isalpha(c) != 0;
        if (!isalnum(c) && c != '_')
            ident = false;
        if (c == ':' && i + 1 < len && s[i + 1] == ':')
            return false; /* Perl, Ruby, C++ scopes */
    }
    /* a value of code: a constant or variable name, a vim scope ("s:name") */
    if (ident && memchr(s, '_', len))
        return false;
    if (len > 2 && isalpha((unsigned char)s[0]) && s[1] == ':')
        return false;
    return digit && alpha;
}

bool dd_secrets__url_password_ok(const char *s, size_t len)
{
    bool other = false;

    if (len < 6)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!islower((unsigned char)s[i]))
            other = true;
    return other;
}
