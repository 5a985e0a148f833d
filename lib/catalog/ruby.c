/* The Ruby cataloger: installed gems from the gemspecs RubyGems writes into specifications/ and
 * specifications/default/ (read as the literal Ruby subset RubyGems generates, never
 * evaluated), and Gemfile.lock / gems.locked of applications whose gems are not installed. */
#include "catalog/pkgfiles_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define GEMSPEC_MAX (4u << 20)
#define LOCK_MAX    (16u << 20)

/* --- a lexer for the Ruby RubyGems writes --- */

typedef enum {
    TK_END = 0,
    TK_NL,    /* a newline outside brackets: the end of a statement */
    TK_WORD,  /* identifier, constant, @ivar, $global, keyword */
    TK_STR,   /* string literal: raw body in s/n, decoded on demand */
    TK_WORDS, /* %w[] array of words */
    TK_SYM,   /* :symbol */
    TK_PUNCT, /* operator or bracket, 1 or 2 bytes */
    TK_OTHER, /* number, regexp or shell literal, %i[] */
} tk_kind;

typedef struct {
    tk_kind kind;
    const char *s;
    size_t n;
    char quote; /* TK_STR: '\'' or 'q' (no escapes but \\ and the delimiters), '"' or 'Q' */
    char open, close;
    int dynamic; /* a "#{...}" interpolation: no literal value */
    size_t line;
} token;

typedef struct {
    const char *p, *end, *path;
    size_t line;
    int depth; /* open ( [ { */
    int bol;   /* at the beginning of a line */
} lexer;

static int is_ident(unsigned char c)
{
    return isalnum(c) || c == '_' || c >= 0x80;
}

static int lex_error(const lexer *lx, size_t line, const char *what)
{
    return dd_error_set(DD_EINVALID, "%s:%zu: %s", lx->path, line, what);
}

/* Whether the line at `p` starts with `word` followed by a blank or its end. */
static int line_starts(const char *p, const char *end, const char *word)
{
    size_t n = strlen(word);

    return (size_t)(end - p) >= n && memcmp(p, word, n) == 0 &&
           (p + n == end || p[n] == ' ' || p[n] == '\t' || p[n] == '\r' || p[n] == '\n');
}

static void skip_line(lexer *lx)
{
    const char *nl = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));

    lx->p = nl ? nl : lx->end;
}

static char closing(char open)
{
    switch (open) {
    case '(':
        return ')';
    case '[':
        return ']';
    case '{':
        return '}';
    case '<':
        return '>';
    default:
        return open;
    }
}

/* The body of a literal opened by `open` (already consumed) up to its closing delimiter, bracket
 * pairs nested, backslash escapes skipped. */
static int lex_delimited(lexer *lx, token *t, char open)
{
    char close = closing(open);
    int nest = 0;
    size_t start_line = lx->line;

    t->s = lx->p;
    t->open = open;
    t->close = close;
    while (lx->p < lx->end) {
        char c = *lx->p;

        if (c == '\\' && lx->p + 1 < lx->end) {
            if (lx->p[1] == '\n')
                lx->line++;
            lx->p += 2;
            continue;
        }
        if (c == '\n')
            lx->line++;
        if (c == '#' && open == '"' && lx->p + 1 < lx->end && lx->p[1] == '{')
            t->dynamic = 1;
        if (c == close && open != close && nest > 0) {
            nest--;
        } else if (c == close) {
            t->n = (size_t)(lx->p - t->s);
            lx->p++;
            return DD_OK;
        } else if (c == open && open != close) {
            nest++;
        }
        lx->p++;
    }
    return lex_error(lx, start_line, "a string that does not end");
}

static int lex_next(lexer *lx, token *t)
{
    memset(t, 0, sizeof(*t));
    for (;;) {
        if (lx->bol) {
            lx->bol = 0;
            if (line_starts(lx->p, lx->end, "__END__")) {
                lx->p = lx->end;
            } else if (line_starts(lx->p, lx->end, "=begin")) {
                size_t start = lx->line;

                for (;;) {
                    skip_line(lx);
                    if (lx->p == lx->end)
                        return lex_error(lx, start, "=begin without =end");
                    lx->p++;
                    lx->line++;
                    if (line_starts(lx->p, lx->end, "=end"))
                        break;
                }
                skip_line(lx);
            }
        }
        while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r' ||
                                   *lx->p == '\f' || *lx->p == '\v'))
            lx->p++;
        if (lx->p + 1 < lx->end && lx->p[0] == '\\' && lx->p[1] == '\n') {
            lx->p += 2; /* a continued line */
            lx->line++;
            continue;
        }
        if (lx->p < lx->end && *lx->p == '#') {
            skip_line(lx);
            continue;
        }
        if (lx->p < lx->end && *lx->p == '\n') {
            lx->p++;
            lx->line++;
            lx->bol = 1;
            if (lx->depth > 0)
                continue;
            t->kind = TK_NL;
            t->line = lx->line - 1;
            return DD_OK;
        }
        break;
    }
    t->line = lx->line;
    if (lx->p >= lx->end) {
        t->kind = TK_END;
        return DD_OK;
    }
    {
        const char *p = lx->p;
        unsigned char c = (unsigned char)*p;
        size_t rest = (size_t)(lx->end - p);

        t->s = p;
        if (c == '\0')
            return lex_error(lx, lx->line, "a NUL byte in the code");
        if (is_ident(c) && !isdigit(c)) {
            while (p < lx->end && is_ident((unsigned char)*p))
                p++;
            /* respond_to?, bang! (not "a != b" nor "x ?a : b") */
            if (p < lx->end && (*p == '?' || *p == '!') && !(p + 1 < lx->end && p[1] == '='))
                p++;
            t->kind = TK_WORD;
        } else if ((c == '@' || c == '$') && rest > 1 && is_ident((unsigned char)p[1])) {
            for (p++; p < lx->end && (*p == '@' || is_ident((unsigned char)*p));)
                p++;
            t->kind = TK_WORD;
        } else if (isdigit(c)) {
            while (p < lx->end && (is_ident((unsigned char)*p) || *p == '.'))
                p++;
            t->kind = TK_OTHER;
        } else if (c == '"' || c == '\'' || c == '`') {
            lx->p++;
            t->quote = (char)c;
            if (lex_delimited(lx, t, (char)c) != DD_OK)
                return DD_EINVALID;
            t->kind = c == '`' ? TK_OTHER : TK_STR;
            return DD_OK;
        } else if (c == '%' && rest > 2 && p[1] && strchr("qQwWiIrsx", p[1]) &&
                   ispunct((unsigned char)p[2]) && p[2] != '=') {
            char type = p[1];

            lx->p += 3;
            if (lex_delimited(lx, t, p[2]) != DD_OK)
                return DD_EINVALID;
            if (type == 'q' || type == 'Q') {
                t->kind = TK_STR;
                t->quote = type;
                t->dynamic = 0;
            } else {
                t->kind = type == 'w' || type == 'W' ? TK_WORDS : TK_OTHER;
            }
            return DD_OK;
        } else if (c == '%' && rest > 1 && p[1] && strchr("([{<|!/", p[1])) {
            lx->p += 2;
            if (lex_delimited(lx, t, p[1]) != DD_OK)
                return DD_EINVALID;
            t->kind = TK_STR;
            t->quote = 'Q';
            t->dynamic = 0;
            return DD_OK;
        } else if (c == ':' && rest > 1 && p[1] == ':') {
            p += 2;
            t->kind = TK_PUNCT;
        } else if (c == ':' && rest > 1 && p[1] == '"') {
            lx->p += 2;
            if (lex_delimited(lx, t, '"') != DD_OK)
                return DD_EINVALID;
            t->kind = TK_SYM;
            return DD_OK;
        } else if (c == ':' && rest > 1 && is_ident((unsigned char)p[1]) &&
                   !isdigit((unsigned char)p[1])) {
            for (p++; p < lx->end && is_ident((unsigned char)*p);)
                p++;
            if (p < lx->end && (*p == '?' || *p == '!' || *p == '='))
                p++;
            t->kind = TK_SYM;
        } else {
            p++;
            if (c == '(' || c == '[' || c == '{') {
                lx->depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (lx->depth > 0)
                    lx->depth--;
            } else if (c == '=' && p < lx->end && (*p == '=' || *p == '~' || *p == '>')) {
                p++;
            }
            t->kind = TK_PUNCT;
        }
        t->n = (size_t)(p - t->s);
        lx->p = p;
    }
    return DD_OK;
}

static int tok_is(const token *t, tk_kind kind, const char *text)
{
    size_t n = strlen(text);

    return t->kind == kind && t->n == n && memcmp(t->s, text, n) == 0;
}

/* --- string literals --- */

static int put_utf8(dd_buf *b, unsigned long cp)
{
    char u[4];
    size_t n;

    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return DD_EINVALID;
    if (cp < 0x80) {
        u[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    }
    return dd_buf_put(b, u, n);
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

/* The character a one-letter escape stands for, -1 for another letter. */
static int simple_escape(char c)
{
    static const char map[] = "n\nt\tr\rf\fv\va\ab\be\x1bs ";

    for (size_t k = 0; k + 1 < sizeof(map) - 1; k += 2)
        if (map[k] == c)
            return (unsigned char)map[k + 1];
    return -1;
}

/* The escapes of a double-quoted string as String#dump writes them, and the rest Ruby reads:
 * \n \t \r \f \v \a \b \e \s, octal \NNN, \xHH, \uHHHH, \u{H H}, \cX, \C-X, \M-X. */
static int unescape_double(dd_buf *b, const char *s, size_t n)
{
    int rc = DD_OK;

    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        char c = s[i];
        int v;

        if (c != '\\' || i + 1 >= n) {
            rc = dd_buf_putc(b, c);
            continue;
        }
        c = s[++i];
        if ((v = simple_escape(c)) >= 0) {
            rc = dd_buf_putc(b, (char)v);
            continue;
        }
        switch (c) {
        case '\n':
            break;
        case 'x':
            if (i + 1 >= n || (v = hexval(s[i + 1])) < 0)
                return DD_EINVALID;
            i++;
            if (i + 1 < n && hexval(s[i + 1]) >= 0)
                v = v * 16 + hexval(s[++i]);
            rc = dd_buf_putc(b, (char)v);
            break;
        case 'u':
            if (i + 1 < n && s[i + 1] == '{') {
                i += 2;
                for (;;) {
                    unsigned long cp = 0;
                    size_t digits = 0;

                    while (i < n && s[i] == ' ')
                        i++;
                    if (i < n && s[i] == '}')
                        break;
                    while (i < n && hexval(s[i]) >= 0 && digits < 7)
                        cp = cp * 16 + (unsigned long)hexval(s[i++]), digits++;
                    if (digits == 0 || digits > 6 || (rc = put_utf8(b, cp)) != DD_OK)
                        return rc == DD_OK ? DD_EINVALID : rc;
                }
                if (i >= n)
                    return DD_EINVALID;
            } else {
                unsigned long cp = 0;

                if (n - i <= 4)
                    return DD_EINVALID;
                for (int k = 1; k <= 4; k++) {
                    if ((v = hexval(s[i + (size_t)k])) < 0)
                        return DD_EINVALID;
                    cp = cp * 16 + (unsigned long)v;
                }
                i += 4;
                rc = put_utf8(b, cp);
            }
            break;
        case 'c':
        case 'C':
        case 'M': {
            int meta = c == 'M';

            if (c != 'c') {
                if (i + 1 >= n || s[i + 1] != '-')
                    return DD_EINVALID;
                i++;
            }
            if (i + 1 >= n)
                return DD_EINVALID;
            c = s[++i];
            rc = dd_buf_putc(b, meta ? (char)(c | 0x80) : (char)(c & 0x9f));
            break;
        }
        default:
            if (c >= '0' && c <= '7') {
                v = c - '0';
                for (int k = 0; k < 2 && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7'; k++)
                    v = v * 8 + (s[++i] - '0');
                rc = dd_buf_putc(b, (char)(v & 0xFF));
            } else {
                rc = dd_buf_putc(b, c); /* \" \\ \# and any other character itself */
            }
        }
    }
    return rc;
}

/* The value of a string token in `a`; NULL with DD_EINVALID set for an escape Ruby would reject,
 * an interpolation, or text that is not UTF-8 (the encoding RubyGems writes). */
static const char *str_value(dd_arena *a, const char *path, const token *t)
{
    dd_buf b = DD_BUF_INIT;
    const char *out = NULL;
    int rc = DD_OK;

    if (t->dynamic) {
        dd_error_set(DD_EINVALID, "%s:%zu: an interpolated string", path, t->line);
        return NULL;
    }
    if (t->quote == '"' || t->quote == 'Q') {
        rc = unescape_double(&b, t->s, t->n);
    } else {
        for (size_t i = 0; i < t->n && rc == DD_OK; i++) {
            char c = t->s[i];

            if (c == '\\' && i + 1 < t->n &&
                (t->s[i + 1] == '\\' || t->s[i + 1] == t->open || t->s[i + 1] == t->close))
                c = t->s[++i];
            rc = dd_buf_putc(&b, c);
        }
    }
    if (rc == DD_ENOMEM) {
        dd_buf_dispose(&b);
        dd_error_set(DD_ENOMEM, "out of memory");
        return NULL;
    }
    if (rc != DD_OK || memchr(b.data, '\0', b.len) || !dd_lang__utf8_valid(b.data, b.len)) {
        dd_error_set(DD_EINVALID, "%s:%zu: a string with a bad escape or not UTF-8", path, t->line);
    } else if (!(out = dd_arena_strndup(a, b.data, b.len))) {
        dd_error_set(DD_ENOMEM, "out of memory");
    }
    dd_buf_dispose(&b);
    return out;
}

/* --- gemspec --- */

typedef struct {
    dd_arena *a;
    const char *path;
    const char *name, *version, *platform, *summary;
    const char **licenses, **authors;
    size_t n_licenses, n_authors;
    int has_licenses, has_authors;
} gemspec;

/* A value: the first string of the statement, or the strings of its first array. */
typedef struct {
    const char *str;
    const char **v;
    size_t n, alloc;
    int is_array;
} value;

static int value_push(value *val, const char *s)
{
    if (DD_ARRAY_RESERVE(val->v, val->alloc, val->n + 1, sizeof(*val->v), 8) != DD_OK)
        return DD_ENOMEM;
    val->v[val->n++] = s;
    return DD_OK;
}

/* Reads the rest of an assignment statement (after "=") into `val`; stops at its end. A string
 * that does not decode leaves the value unset (and the error message set). */
static int read_value(gemspec *g, lexer *lx, value *val, int *bad)
{
    token t;
    int depth = 0, done = 0, rc;

    memset(val, 0, sizeof(*val));
    for (;;) {
        if ((rc = lex_next(lx, &t)) != DD_OK)
            return rc;
        if (t.kind == TK_END || t.kind == TK_NL)
            return DD_OK;
        if (done)
            continue;
        if (depth == 0 && t.kind == TK_STR) {
            if (!(val->str = str_value(g->a, g->path, &t))) {
                if (dd_error_code() == DD_ENOMEM)
                    return DD_ENOMEM;
                *bad = 1;
            }
            done = 1;
        } else if (depth == 0 && t.kind == TK_WORDS) {
            const char *w = t.s, *end = t.s + t.n;

            val->is_array = 1;
            while (w < end) {
                const char *e;
                char *s;

                while (w < end && isspace((unsigned char)*w))
                    w++;
                for (e = w; e < end && !isspace((unsigned char)*e);)
                    e++;
                if (e == w)
                    break;
                if (!(s = dd_arena_strndup(g->a, w, (size_t)(e - w))) ||
                    value_push(val, s) != DD_OK)
                    return dd_error_set(DD_ENOMEM, "out of memory");
                w = e;
            }
            done = 1;
        } else if (tok_is(&t, TK_PUNCT, "[")) {
            if (depth++ == 0)
                val->is_array = 1;
        } else if (tok_is(&t, TK_PUNCT, "]") && depth > 0) {
            if (--depth == 0)
                done = 1;
        } else if (depth == 1 && t.kind == TK_STR) {
            const char *s = str_value(g->a, g->path, &t);

            if (!s && dd_error_code() == DD_ENOMEM)
                return DD_ENOMEM;
            if (!s)
                *bad = 1;
            else if (value_push(val, s) != DD_OK)
                return dd_error_set(DD_ENOMEM, "out of memory");
        }
    }
}

static const char **arena_list(dd_arena *a, const value *val, size_t *n)
{
    const char **v;

    *n = 0;
    if (!val->is_array && !val->str)
        return NULL;
    if (!(v = dd_arena_alloc(a, (val->n + 1) * sizeof(*v))))
        return NULL;
    if (val->is_array) {
        if (val->n)
            memcpy(v, val->v, val->n * sizeof(*v));
        *n = val->n;
    } else {
        v[0] = val->str;
        *n = 1;
    }
    return v;
}

/* `VAR.ATTR = VALUE`: keeps the attributes a package needs. */
static int assign(gemspec *g, lexer *lx, const token *attr, int *bad)
{
    static const char *const wanted[] = {"name",    "version",  "platform", "summary",
                                         "license", "licenses", "author",   "authors"};
    value val;
    size_t k;
    int rc;

    for (k = 0; k < DD_ARRAY_SIZE(wanted); k++)
        if (tok_is(attr, TK_WORD, wanted[k]))
            break;
    if (k == DD_ARRAY_SIZE(wanted)) {
        token t;

        do {
            if ((rc = lex_next(lx, &t)) != DD_OK)
                return rc;
        } while (t.kind != TK_END && t.kind != TK_NL);
        return DD_OK;
    }
    if ((rc = read_value(g, lx, &val, bad)) != DD_OK)
        goto done;
    switch (k) {
    case 0:
    case 1:
    case 3:
        if (val.str) {
            const char **slot = k == 0 ? &g->name : k == 1 ? &g->version : &g->summary;

            *slot = val.str;
        }
        break;
    case 2:
        /* "x86_64-linux", or Gem::Platform.new(["x86_64", "linux", nil]) */
        if (val.str) {
            g->platform = val.str;
        } else if (val.is_array && val.n) {
            dd_buf b = DD_BUF_INIT;

            for (size_t i = 0; i < val.n && rc == DD_OK; i++)
                rc = dd_buf_printf(&b, "%s%s", i ? "-" : "", val.v[i]);
            if (rc == DD_OK && !(g->platform = dd_arena_strdup(g->a, b.data)))
                rc = DD_ENOMEM;
            dd_buf_dispose(&b);
            if (rc != DD_OK)
                rc = dd_error_set(DD_ENOMEM, "out of memory");
        }
        break;
    case 4:
    case 5:
    case 6:
    case 7: {
        size_t n;
        const char **v = arena_list(g->a, &val, &n);

        if (!v && (val.is_array || val.str)) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
        } else if (v && k <= 5) {
            g->licenses = v, g->n_licenses = n, g->has_licenses = 1;
        } else if (v) {
            g->authors = v, g->n_authors = n, g->has_authors = 1;
        }
        break;
    }
    default:
        break;
    }
done:
    dd_free(val.v);
    return rc;
}

/* "# stub: NAME VERSION PLATFORM REQUIRE_PATHS" on the first or second line. */
static int parse_stub(gemspec *g, const char *data, size_t len, const char **name,
                      const char **version, const char **platform)
{
    static const char prefix[] = "# stub: ";
    const char *p = data, *end = data + len;

    *name = *version = *platform = NULL;
    for (int line = 0; line < 2 && p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end;

        if ((size_t)(eol - p) > sizeof(prefix) - 1 && memcmp(p, prefix, sizeof(prefix) - 1) == 0) {
            const char *f[3];
            size_t fl[3], k = 0;
            const char *s = p + sizeof(prefix) - 1;

            while (k < 3 && s < eol) {
                const char *e = s;

                while (e < eol && *e != ' ' && *e != '\r' && *e != '\0')
                    e++;
                f[k] = s, fl[k] = (size_t)(e - s), k++;
                s = e < eol && *e == ' ' ? e + 1 : eol;
            }
            if (k < 2 || fl[0] == 0 || fl[1] == 0 || !dd_lang__utf8_valid(f[0], fl[0]) ||
                !dd_lang__utf8_valid(f[1], fl[1]))
                return DD_OK;
            *name = dd_arena_strndup(g->a, f[0], fl[0]);
            *version = dd_arena_strndup(g->a, f[1], fl[1]);
            if (k == 3 && fl[2] && dd_lang__utf8_valid(f[2], fl[2]))
                *platform = dd_arena_strndup(g->a, f[2], fl[2]);
            if (!*name || !*version || (k == 3 && fl[2] && !*platform))
                return dd_error_set(DD_ENOMEM, "out of memory");
            return DD_OK;
        }
        p = eol + 1;
    }
    return DD_OK;
}

/* Gem::Version#to_s: surrounding blanks stripped, "-" written ".pre.". */
static const char *gem_version(dd_arena *a, const char *v)
{
    dd_buf b = DD_BUF_INIT;
    const char *out;
    size_t n;

    while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
        v++;
    n = strlen(v);
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\n' || v[n - 1] == '\r'))
        n--;
    if (!memchr(v, '-', n))
        return dd_arena_strndup(a, v, n);
    for (size_t i = 0; i < n; i++)
        if ((v[i] == '-' ? dd_buf_puts(&b, ".pre.") : dd_buf_putc(&b, v[i])) != DD_OK) {
            dd_buf_dispose(&b);
            return NULL;
        }
    out = dd_arena_strdup(a, b.data);
    dd_buf_dispose(&b);
    return out;
}

static const char *join(dd_arena *a, const char *const *v, size_t n, const char *sep)
{
    dd_buf b = DD_BUF_INIT;
    const char *out = NULL;
    int rc = DD_OK;

    for (size_t i = 0; i < n && rc == DD_OK; i++)
        if (v[i] && *v[i])
            rc = dd_buf_printf(&b, "%s%s", b.len ? sep : "", v[i]);
    if (rc == DD_OK)
        out = b.len ? dd_arena_strdup(a, b.data) : "";
    dd_buf_dispose(&b);
    return out;
}

int dd_ruby__parse_gemspec(dd_pkglist *out, const char *path, const char *data, size_t len,
                           int truncated)
{
    gemspec g = {.a = out->arena, .path = path};
    const char *stub_name, *stub_version, *stub_platform, *var = NULL;
    lexer lx = {.p = data, .end = data + len, .path = path, .line = 1, .bol = 1};
    size_t var_len = 0;
    int rc, seen_new = 0, bad = 0, err = DD_OK;
    dd_package p = {0};
    token t;

    if ((rc = parse_stub(&g, data, len, &stub_name, &stub_version, &stub_platform)) != DD_OK)
        return rc;
    /* statements: "Gem::Specification.new do |s|", then "s.attr = value ..." */
    for (;;) {
        if ((rc = lex_next(&lx, &t)) != DD_OK)
            break;
        if (t.kind == TK_END)
            break;
        if (t.kind == TK_NL)
            continue;
        if (seen_new && var && t.kind == TK_WORD && t.n == var_len &&
            memcmp(t.s, var, var_len) == 0) {
            token dot, attr, eq;

            if ((rc = lex_next(&lx, &dot)) != DD_OK)
                break;
            if (tok_is(&dot, TK_PUNCT, ".")) {
                if ((rc = lex_next(&lx, &attr)) != DD_OK || (rc = lex_next(&lx, &eq)) != DD_OK)
                    break;
                if (attr.kind == TK_WORD && tok_is(&eq, TK_PUNCT, "=")) {
                    if ((rc = assign(&g, &lx, &attr, &bad)) != DD_OK)
                        break;
                    continue;
                }
                t = eq;
            } else {
                t = dot;
            }
        }
        /* the rest of the statement; "Specification.new ... |VAR|" names the block variable */
        {
            int step = 0; /* 1 after "Specification", 2 after ".", 3 after "new", 4 after "|" */

            while (t.kind != TK_NL && t.kind != TK_END) {
                if (tok_is(&t, TK_WORD, "Specification"))
                    step = 1;
                else if (step == 1 && tok_is(&t, TK_PUNCT, "."))
                    step = 2;
                else if (step == 2 && tok_is(&t, TK_WORD, "new"))
                    step = 3, seen_new = 1;
                else if (step == 3 && tok_is(&t, TK_PUNCT, "|"))
                    step = 4;
                else if (step == 4 && t.kind == TK_WORD && !var)
                    var = t.s, var_len = t.n, step = 5;
                else if (step < 3)
                    step = 0;
                if ((rc = lex_next(&lx, &t)) != DD_OK)
                    break;
            }
            if (rc != DD_OK)
                break;
        }
        if (t.kind == TK_END)
            break;
    }
    if (rc == DD_ENOMEM)
        return rc;
    if (rc != DD_OK)
        err = rc; /* a lexing error: keep what was read, report it */
    else if (bad)
        dd_error_clear(); /* a value that did not decode is left unset */
    if (!g.name)
        g.name = stub_name;
    if (!g.version)
        g.version = stub_version;
    if (!g.platform)
        g.platform = stub_platform;
    if (truncated) {
        err =
            dd_error_set(DD_ELIMIT, "%s: larger than the %u-byte capture limit", path, GEMSPEC_MAX);
    }
    if (!g.name || !*g.name || !g.version) {
        if (err != DD_OK)
            return err;
        return dd_error_set(DD_EINVALID,
                            "%s:1: no gem name and version (no \"# stub:\" line, no "
                            "Gem::Specification.new block setting them)",
                            path);
    }
    p.type = DD_PKG_GEM;
    p.name = g.name;
    if (!(p.version = gem_version(out->arena, g.version)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (!*p.version)
        return err != DD_OK ? err : dd_error_set(DD_EINVALID, "%s: an empty version", path);
    p.arch = g.platform && *g.platform && strcmp(g.platform, "ruby") != 0 ? g.platform : NULL;
    p.licenses = g.licenses;
    p.n_licenses = g.n_licenses;
    if (g.n_licenses == 1)
        p.license = g.licenses[0];
    p.description = g.summary && *g.summary ? g.summary : NULL;
    if (g.n_authors) {
        if (!(p.maintainer = join(out->arena, g.authors, g.n_authors, ", ")))
            return dd_error_set(DD_ENOMEM, "out of memory");
        if (!*p.maintainer)
            p.maintainer = NULL;
    }
    p.path = path;
    p.db_path = path;
    if ((rc = dd_pkglist__push(out, &p)) != DD_OK)
        return rc;
    return err;
}

/* --- Gemfile.lock --- */

typedef struct {
    const char *name, *version;
} locked;

static int cmp_locked(const void *a, const void *b)
{
    const locked *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : strcmp(x->version, y->version);
}

enum { SEC_NONE, SEC_GEM, SEC_GIT, SEC_PATH, SEC_PLUGIN, SEC_OTHER };

static int section_of(const char *s, size_t n)
{
    static const struct {
        const char *name;
        int sec;
    } map[] = {
        {"GEM", SEC_GEM},
        {"GIT", SEC_GIT},
        {"PATH", SEC_PATH},
        {"PLUGIN SOURCE", SEC_PLUGIN},
        {"PLATFORMS", SEC_OTHER},
        {"DEPENDENCIES", SEC_OTHER},
        {"RUBY VERSION", SEC_OTHER},
        {"BUNDLED WITH", SEC_OTHER},
        {"CHECKSUMS", SEC_OTHER},
    };

    for (size_t i = 0; i < DD_ARRAY_SIZE(map); i++)
        if (strlen(map[i].name) == n && memcmp(map[i].name, s, n) == 0)
            return map[i].sec;
    return -1;
}

int dd_ruby__parse_gemfile_lock(dd_pkglist *out, const char *path, const char *data, size_t len)
{
    locked *v = NULL;
    size_t n = 0, alloc = 0, lineno = 0;
    const char *p = data, *end = data + len;
    int sec = SEC_NONE, in_specs = 0, rc = DD_OK;

    while (p < end && rc == DD_OK) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end, *s = p;
        size_t indent = 0, ln;

        lineno++;
        p = nl ? nl + 1 : end;
        if (eol > s && eol[-1] == '\r')
            eol--;
        ln = (size_t)(eol - s);
        if (ln == 0)
            continue;
        if (memchr(s, '\0', ln)) {
            rc = dd_error_set(DD_EINVALID, "%s:%zu: a NUL byte", path, lineno);
            break;
        }
        if (ln >= 7 && (memcmp(s, "<<<<<<<", 7) == 0 || memcmp(s, "=======", 7) == 0 ||
                        memcmp(s, ">>>>>>>", 7) == 0 || memcmp(s, "|||||||", 7) == 0)) {
            rc = dd_error_set(DD_EINVALID, "%s:%zu: a merge conflict marker", path, lineno);
            break;
        }
        if (s[0] != ' ') {
            if ((sec = section_of(s, ln)) < 0) {
                rc = dd_error_set(DD_EINVALID, "%s:%zu: \"%.*s\" is no Gemfile.lock section", path,
                                  lineno, (int)(ln < 40 ? ln : 40), s);
                break;
            }
            in_specs = 0;
            continue;
        }
        if (sec == SEC_NONE) {
            rc = dd_error_set(DD_EINVALID, "%s:%zu: an indented line before any section", path,
                              lineno);
            break;
        }
        if (sec == SEC_OTHER)
            continue;
        while (indent < ln && s[indent] == ' ')
            indent++;
        if (indent == ln)
            continue;
        if (indent == 2) {
            in_specs = ln == 8 && memcmp(s, "  specs:", 8) == 0;
            continue;
        }
        if (!in_specs || (indent != 4 && indent != 6) || s[indent] == '\t') {
            rc = dd_error_set(DD_EINVALID, "%s:%zu: unexpected indentation (%zu spaces)", path,
                              lineno, indent);
            break;
        }
        if (indent == 6 || sec == SEC_PATH || sec == SEC_PLUGIN)
            continue; /* a dependency of the spec above; local and plugin sources */
        {
            /* "    name (1.2.3-x86_64-linux)" with an optional trailing "!" */
            const char *e = eol, *open, *dash, *name = s + 4;

            if (e > name && e[-1] == '!')
                e--;
            open = NULL;
            for (const char *q = name; q + 1 < e; q++)
                if (q[0] == ' ' && q[1] == '(') {
                    open = q;
                    break;
                }
            if (!open || e[-1] != ')' || open == name || e - open < 4) {
                rc =
                    dd_error_set(DD_EINVALID, "%s:%zu: a spec without \"(VERSION)\"", path, lineno);
                break;
            }
            dash = memchr(open + 2, '-', (size_t)(e - 1 - (open + 2)));
            if (!dash)
                dash = e - 1;
            if (dash == open + 2 || !dd_lang__utf8_valid(name, (size_t)(e - name))) {
                rc = dd_error_set(DD_EINVALID, "%s:%zu: a spec without a version", path, lineno);
                break;
            }
            if (DD_ARRAY_RESERVE(v, alloc, n + 1, sizeof(*v), 64) != DD_OK) {
                rc = DD_ENOMEM;
                break;
            }
            v[n].name = dd_arena_strndup(out->arena, name, (size_t)(open - name));
            v[n].version = dd_arena_strndup(out->arena, open + 2, (size_t)(dash - open - 2));
            if (!v[n].name || !v[n].version) {
                rc = dd_error_set(DD_ENOMEM, "out of memory");
                break;
            }
            n++;
        }
    }
    /* every platform's build of a gem is one package (the lockfile does not say which one
     * this machine installs) */
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_locked);
    for (size_t i = 0; i < n && rc != DD_ENOMEM; i++) {
        dd_package pkg = {0};
        int prc;

        if (i > 0 && cmp_locked(&v[i - 1], &v[i]) == 0)
            continue;
        pkg.type = DD_PKG_GEM;
        pkg.name = v[i].name;
        pkg.version = v[i].version;
        pkg.path = path;
        pkg.db_path = path;
        if ((prc = dd_pkglist__push(out, &pkg)) != DD_OK)
            rc = prc;
    }
    dd_free(v);
    return rc;
}

/* --- running over a walk --- */

/* DIR/specifications/NAME.gemspec or DIR/specifications/default/NAME.gemspec */
static int is_gemspec(const char *path)
{
    const char *base = dd_lang__basename(path), *dir;
    size_t bn = strlen(base), dn;

    if (bn <= 8 || strcmp(base + bn - 8, ".gemspec") != 0 || base == path)
        return 0;
    dir = path;
    dn = (size_t)(base - path - 1);
    if (dn >= 8 && memcmp(dir + dn - 8, "/default", 8) == 0)
        dn -= 8;
    else if (dn == 7 && memcmp(dir, "default", 7) == 0)
        return 0;
    return (dn == 14 && memcmp(dir, "specifications", 14) == 0) ||
           (dn > 14 && memcmp(dir + dn - 15, "/specifications", 15) == 0);
}

static int is_lock(const char *path)
{
    const char *b = dd_lang__basename(path);

    return strcmp(b, "Gemfile.lock") == 0 || strcmp(b, "gems.locked") == 0;
}

static int match(const char *path)
{
    return is_gemspec(path) || is_lock(path);
}

typedef struct {
    const char *db_path;
    uint32_t layer;
    int squashed;
    size_t first, n; /* its entries in `locks` */
} lockfile;

typedef struct {
    dd_inventory *inv;
    const dd_walk *w;
    dd_arena *arena;
    dd_pkglist squashed, hidden, locks;
    lockfile *lf;
    size_t n_lf, lf_alloc;
} ruby_run;

static int warn(ruby_run *r)
{
    int rc = dd_inventory__warn(r->inv, "%s", dd_error_message());

    dd_error_clear();
    return rc;
}

static int is_dir(const dd_walk *w, dd_arena *a, const char *dir, const char *name)
{
    const char *p = dd_lang__join(a, dir, name);
    const dd_entry *e;

    if (!p)
        return -1;
    if (dd_walk_resolve(w, p, &e) != DD_OK) {
        dd_error_clear();
        return 0;
    }
    return e->type == DD_FT_DIR;
}

/* A Gemfile.lock inside an installed gem (GEMHOME/gems/NAME-VERSION/, GEMHOME/bundler/gems/X/)
 * is that gem's own development lockfile, not an application's. */
static int inside_gem(ruby_run *r, const char *path)
{
    for (const char *s = path; (s = strstr(s, "gems/")); s++) {
        const char *home_end;
        char *home;
        int d;

        if (s != path && s[-1] != '/')
            continue;
        if (!strchr(s + 5, '/'))
            return 0; /* GEMHOME/gems/Gemfile.lock: not inside a gem folder */
        home_end = s;
        if (home_end - path >= 8 && memcmp(home_end - 8, "bundler/", 8) == 0 &&
            (home_end - 8 == path || home_end[-9] == '/'))
            home_end -= 8;
        home =
            dd_arena_strndup(r->arena, path, home_end > path ? (size_t)(home_end - path - 1) : 0);
        if (!home)
            return -1;
        if ((d = is_dir(r->w, r->arena, home, "specifications")) != 0)
            return d;
    }
    return 0;
}

static int on_file(const dd_entry *e, int squashed, const char *data, size_t len, int truncated,
                   void *payload)
{
    ruby_run *r = payload;
    int rc;

    if (is_gemspec(e->path)) {
        dd_pkglist *l = squashed ? &r->squashed : &r->hidden;
        size_t first = l->n;

        rc = dd_ruby__parse_gemspec(l, e->path, data, len, truncated);
        for (size_t i = first; i < l->n; i++)
            l->v[i].layer = e->layer;
        if (rc == DD_EINVALID || rc == DD_ELIMIT)
            return squashed ? warn(r) : (dd_error_clear(), DD_OK);
        return rc;
    }
    if ((rc = inside_gem(r, e->path)) != 0)
        return rc < 0 ? dd_error_set(DD_ENOMEM, "out of memory") : DD_OK;
    {
        size_t first = r->locks.n;

        if (truncated)
            rc = dd_error_set(DD_ELIMIT, "%s: larger than the %u-byte capture limit", e->path,
                              LOCK_MAX);
        else
            rc = dd_ruby__parse_gemfile_lock(&r->locks, e->path, data, len);
        if (rc != DD_OK && rc != DD_EINVALID && rc != DD_ELIMIT)
            return rc;
        if (rc != DD_OK && (rc = squashed ? warn(r) : (dd_error_clear(), DD_OK)) != DD_OK)
            return rc;
        if (r->locks.n == first)
            return DD_OK;
        if (DD_ARRAY_RESERVE(r->lf, r->lf_alloc, r->n_lf + 1, sizeof(*r->lf), 8) != DD_OK)
            return DD_ENOMEM;
        r->lf[r->n_lf++] = (lockfile){e->path, e->layer, squashed, first, r->locks.n - first};
    }
    return DD_OK;
}

static int cmp_pkg(const void *a, const void *b)
{
    const dd_package *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : strcmp(x->version, y->version);
}

/* A lockfile whose gems are mostly installed (gemspecs, default gems included, with those names
 * and versions) belongs to an application bundled here: the gemspecs say it all, and the gems
 * bundle install left out (BUNDLE_WITHOUT groups) are not in the image. Otherwise the lockfile
 * says what the application needs; each gem it locks that is installed anyway (a gem Ruby
 * itself bundles) is listed once, by its gemspec. */
static int add_lockfiles(ruby_run *r)
{
    dd_package *installed = NULL;
    size_t n = r->squashed.n;
    int rc = DD_OK;

    if (r->n_lf == 0)
        return DD_OK;
    if (n && !(installed = dd_malloc(n * sizeof(*installed))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (n)
        memcpy(installed, r->squashed.v, n * sizeof(*installed));
    if (n > 1)
        qsort(installed, n, sizeof(*installed), cmp_pkg);
    for (size_t i = 0; i < r->n_lf && rc == DD_OK; i++) {
        const lockfile *f = &r->lf[i];
        unsigned char *hit = dd_calloc(f->n ? f->n : 1, 1);
        size_t hits = 0;

        if (!hit) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            break;
        }
        for (size_t k = 0; k < f->n && n; k++)
            if (bsearch(&r->locks.v[f->first + k], installed, n, sizeof(*installed), cmp_pkg))
                hit[k] = 1, hits++;
        for (size_t k = 0; 2 * hits <= f->n && k < f->n && rc == DD_OK; k++) {
            dd_package p = r->locks.v[f->first + k];

            if (hit[k])
                continue;
            p.layer = f->layer;
            rc = dd_pkglist__push(f->squashed ? &r->squashed : &r->hidden, &p);
        }
        dd_free(hit);
    }
    dd_free(installed);
    return rc;
}

static int ruby_run_walk(dd_inventory *inv, const dd_walk *w, const dd_catalog_opts *opts)
{
    ruby_run r = {.inv = inv, .w = w};
    int rc;

    if ((rc = dd_arena_new(&r.arena)) != DD_OK)
        return rc;
    r.squashed.arena = r.hidden.arena = r.locks.arena = r.arena;
    if ((rc = dd_lang__each_file(w, opts, match, on_file, &r)) == DD_OK &&
        (rc = add_lockfiles(&r)) == DD_OK)
        rc = dd_lang__emit(inv, opts, &r.squashed, &r.hidden);
    dd_free(r.lf);
    dd_pkglist__dispose(&r.squashed);
    dd_pkglist__dispose(&r.hidden);
    dd_pkglist__dispose(&r.locks);
    dd_arena_free(r.arena);
    return rc;
}

static const char *const ruby_globs[] = {
    "*specifications/*.gemspec",
    "*Gemfile.lock",
    "*gems.locked",
    NULL,
};

static const uint64_t ruby_glob_max[] = {GEMSPEC_MAX, LOCK_MAX, LOCK_MAX};

const dd_cataloger dd_cataloger_ruby = {
    .name = "ruby",
    .type = DD_PKG_GEM,
    .globs = ruby_globs,
    .glob_max_bytes = ruby_glob_max,
    .max_bytes = GEMSPEC_MAX,
    .run = ruby_run_walk,
};
