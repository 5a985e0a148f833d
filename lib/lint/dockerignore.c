/* .dockerignore loading and matching with the builder's semantics, and the context walker. */
#include "lint/lint_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define IGN_MAX_PATTERNS 100000
#define IGN_MAX_LINE     (64u << 10)
#define WALK_MAX_ENTRIES (1u << 20)
#define WALK_MAX_DEPTH   256

/* A pattern compiles to tokens run as a small NFA (linear in pattern x path, no backtracking).
 * This mirrors the regexp moby's patternmatcher builds: `*` is [^/]*, `?` is [^/], `**` at the
 * end is .*, `**` elsewhere (with its "/") is (.*\/)?, `[...]` a class, `\x` a literal. */
typedef enum {
    T_LIT,       /* one byte */
    T_STAR,      /* [^/]* */
    T_ONE,       /* [^/] */
    T_ANY,       /* .* */
    T_DIRS,      /* (.*\/)? */
    T_CLASS,     /* [...] */
} tok_kind;

typedef struct {
    tok_kind kind;
    unsigned char c;
    bool negate;
    uint8_t set[32]; /* T_CLASS: bitmap of bytes */
} tok;

typedef struct {
    char *text; /* cleaned pattern, without "!" */
    bool exception;
    uint32_t line;
    tok *toks;
    size_t n;
} pattern;

struct dd_ignore {
    pattern *p;
    size_t n, alloc;
    bool has_exceptions;
};

/* Go's filepath.Clean on a "/"-separated path. */
static char *clean_path(const char *in, size_t len)
{
    char *out = dd_malloc(len + 2);
    size_t o = 0, i = 0;
    bool rooted = len && in[0] == '/';
    size_t dotdot; /* where ".." may back up to */

    if (!out)
        return NULL;
    if (rooted) {
        out[o++] = '/';
        i = 1;
    }
    dotdot = o;
    while (i < len) {
        if (in[i] == '/') {
            i++;
        } else if (in[i] == '.' && (i + 1 == len || in[i + 1] == '/')) {
            i++;
        } else if (in[i] == '.' && i + 1 < len && in[i + 1] == '.' &&
                   (i + 2 == len || in[i + 2] == '/')) {
            i += 2;
            if (o > dotdot) {
                o--;
                while (o > dotdot && out[o] != '/')
                    o--;
            } else if (!rooted) {
                if (o > 0)
                    out[o++] = '/';
                out[o++] = '.';
                out[o++] = '.';
                dotdot = o;
            }
        } else {
            if ((rooted && o != 1) || (!rooted && o != 0))
                out[o++] = '/';
            while (i < len && in[i] != '/')
                out[o++] = in[i++];
        }
    }
    if (o == 0)
        out[o++] = '.';
    out[o] = '\0';
    return out;
}

static int compile(pattern *p, const char *path, uint32_t line)
{
    const char *s = p->text;
    size_t len = strlen(s);

    p->toks = dd_calloc(len + 1, sizeof(tok));
    if (!p->toks)
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < len;) {
        tok *t = &p->toks[p->n++];

        if (s[i] == '*') {
            if (i + 1 < len && s[i + 1] == '*') {
                i += 2;
                if (i < len && s[i] == '/')
                    i++;
                t->kind = i == len ? T_ANY : T_DIRS;
            } else {
                t->kind = T_STAR;
                i++;
            }
        } else if (s[i] == '?') {
            t->kind = T_ONE;
            i++;
        } else if (s[i] == '\\') {
            t->kind = T_LIT;
            t->c = (unsigned char)(i + 1 < len ? s[i + 1] : '\\');
            i += i + 1 < len ? 2 : 1;
        } else if (s[i] == '[') {
            size_t j = i + 1;
            bool any = false;

            t->kind = T_CLASS;
            if (j < len && s[j] == '^') {
                t->negate = true;
                j++;
            }
            while (j < len && (s[j] != ']' || !any)) {
                unsigned char lo, hi;

                if (s[j] == '\\' && j + 1 < len)
                    j++;
                lo = hi = (unsigned char)s[j++];
                if (j + 1 < len && s[j] == '-' && s[j + 1] != ']') {
                    j++;
                    if (s[j] == '\\' && j + 1 < len)
                        j++;
                    hi = (unsigned char)s[j++];
                    if (hi < lo)
                        return dd_error_set(DD_EINVALID, "%s:%u: bad range in pattern \"%s\"",
                                            path, line, s);
                }
                for (unsigned c = lo; c <= hi; c++)
                    t->set[c >> 3] |= (uint8_t)(1u << (c & 7));
                any = true;
            }
            if (j >= len)
                return dd_error_set(DD_EINVALID, "%s:%u: syntax error in pattern \"%s\"", path,
                                    line, s);
            i = j + 1;
        } else {
            t->kind = T_LIT;
            t->c = (unsigned char)s[i++];
        }
    }
    return DD_OK;
}

static bool class_has(const tok *t, unsigned char c)
{
    bool in = (t->set[c >> 3] >> (c & 7)) & 1;

    return t->negate ? !in : in;
}

/* Thompson simulation over token positions 0..n; `cur`/`next` are bitsets of n+1 bits. */
#define BIT_SET(b, i) ((b)[(i) >> 6] |= 1ull << ((i) & 63))
#define BIT_HAS(b, i) (((b)[(i) >> 6] >> ((i) & 63)) & 1)

static bool skippable(tok_kind k)
{
    return k == T_STAR || k == T_ANY || k == T_DIRS;
}

/* Optional tokens may be skipped; the moves only go forward, so one pass suffices. */
static void closure(const pattern *p, uint64_t *set)
{
    for (size_t i = 0; i < p->n; i++)
        if (BIT_HAS(set, i) && skippable(p->toks[i].kind))
            BIT_SET(set, i + 1);
}

static bool run_nfa(const pattern *p, const char *s, size_t len)
{
    size_t words = (p->n + 1 + 63) / 64;
    uint64_t stackbuf[2 * 8];
    uint64_t *cur = words <= 8 ? stackbuf : dd_calloc(2 * words, sizeof(uint64_t));
    uint64_t *next;
    bool ok = false;

    if (!cur)
        return false;
    memset(cur, 0, 2 * words * sizeof(uint64_t));
    next = cur + words;
    BIT_SET(cur, 0);
    closure(p, cur);
    for (size_t pos = 0; pos < len; pos++) {
        unsigned char c = (unsigned char)s[pos];
        bool any = false;

        memset(next, 0, words * sizeof(uint64_t));
        for (size_t i = 0; i < p->n; i++) {
            const tok *t = &p->toks[i];

            if (!BIT_HAS(cur, i))
                continue;
            switch (t->kind) {
            case T_LIT:
                if (c == t->c)
                    BIT_SET(next, i + 1);
                break;
            case T_ONE:
                if (c != '/')
                    BIT_SET(next, i + 1);
                break;
            case T_CLASS:
                if (class_has(t, c))
                    BIT_SET(next, i + 1);
                break;
            case T_STAR:
                if (c != '/')
                    BIT_SET(next, i);
                break;
            case T_ANY:
                BIT_SET(next, i);
                break;
            case T_DIRS:
                BIT_SET(next, i);
                if (c == '/')
                    BIT_SET(next, i + 1);
                break;
            }
        }
        for (size_t w = 0; w < words; w++) {
            cur[w] = next[w];
            any = any || next[w];
        }
        if (!any)
            goto done;
        closure(p, cur);
    }
    ok = BIT_HAS(cur, p->n);
done:
    if (cur != stackbuf)
        dd_free(cur);
    return ok;
}

static bool pattern_matches(const pattern *p, const char *path, size_t len)
{
    return run_nfa(p, path, len);
}

void dd_ignore_free(dd_ignore *ig)
{
    if (!ig)
        return;
    for (size_t i = 0; i < ig->n; i++) {
        dd_free(ig->p[i].text);
        dd_free(ig->p[i].toks);
    }
    dd_free(ig->p);
    dd_free(ig);
}

int dd_ignore_load(dd_ignore **out, const char *path, const char *data, size_t len)
{
    dd_ignore *ig = dd_calloc(1, sizeof(*ig));
    size_t pos = 0;
    uint32_t line = 0;
    int rc = DD_OK;

    *out = NULL;
    if (!ig)
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *s = data + pos, *nl = memchr(s, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - s) : len - pos;
        const char *b = s, *e = s + ll;
        bool exc = false;
        pattern *p;

        pos += ll + (nl ? 1 : 0);
        line++;
        if (memchr(s, '\0', ll)) {
            rc = dd_error_set(DD_EINVALID, "%s:%u: binary file (NUL byte)", path, line);
            goto done;
        }
        if (ll > IGN_MAX_LINE) {
            rc = dd_error_set(DD_ELIMIT, "%s:%u: line longer than %u bytes", path, line,
                              IGN_MAX_LINE);
            goto done;
        }
        if (ll && s[0] == '#') /* comments are recognised before trimming, as the builder does */
            continue;
        while (b < e && (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\v' || *b == '\f'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\v' ||
                         e[-1] == '\f'))
            e--;
        if (b == e)
            continue;
        if (*b == '!') {
            exc = true;
            b++;
            while (b < e && (*b == ' ' || *b == '\t'))
                b++;
            if (b == e) {
                rc = dd_error_set(DD_EINVALID, "%s:%u: illegal exclusion pattern \"!\"", path,
                                  line);
                goto done;
            }
        }
        if (ig->n == IGN_MAX_PATTERNS) {
            rc = dd_error_set(DD_ELIMIT, "%s:%u: more than %u patterns", path, line,
                              IGN_MAX_PATTERNS);
            goto done;
        }
        if ((rc = DD_ARRAY_RESERVE(ig->p, ig->alloc, ig->n + 1, sizeof(*ig->p),
                                   16)) != DD_OK)
            goto done;
        p = &ig->p[ig->n];
        memset(p, 0, sizeof(*p));
        p->text = clean_path(b, (size_t)(e - b));
        if (!p->text) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
        ig->n++;
        if (p->text[0] == '/' && p->text[1]) /* relative to the context root */
            memmove(p->text, p->text + 1, strlen(p->text));
        p->exception = exc;
        p->line = line;
        ig->has_exceptions = ig->has_exceptions || exc;
        if ((rc = compile(p, path, line)))
            goto done;
    }
    *out = ig;
    ig = NULL;
done:
    dd_ignore_free(ig);
    return rc;
}

int dd_ignore_match(const dd_ignore *ig, const char *rel, uint32_t *line)
{
    size_t len = strlen(rel);
    bool matched = false;

    *line = 0;
    if (!ig)
        return 0;
    for (size_t i = 0; i < ig->n; i++) {
        const pattern *p = &ig->p[i];
        bool m;

        /* an exclusion only matters once matched, an inclusion only until then */
        if (p->exception != matched)
            continue;
        m = pattern_matches(p, rel, len);
        /* a pattern matching a parent directory matches everything under it */
        for (size_t k = 0; !m && k < len; k++)
            if (rel[k] == '/')
                m = pattern_matches(p, rel, k);
        if (m) {
            matched = !p->exception;
            *line = p->line;
        }
    }
    return matched;
}

int dd_ignore_excluded(const dd_ignore *ig, const char *rel)
{
    uint32_t line;

    return dd_ignore_match(ig, rel, &line);
}

int dd_ignore_may_reinclude(const dd_ignore *ig, const char *rel)
{
    size_t dl = strlen(rel);

    if (!ig || !ig->has_exceptions)
        return 0;
    /* The builders (BuildKit's fsutil walker, buildah's copier) descend into an excluded
     * directory only when an exception's text, read as a path, starts with "rel/": so
     * "!dir/keep" reopens dir/, while an exception starting with a wildcard reopens nothing. */
    for (size_t i = 0; i < ig->n; i++) {
        const char *t = ig->p[i].text;
        size_t tl = strlen(t);

        if (!ig->p[i].exception)
            continue;
        if ((tl > dl && strncmp(t, rel, dl) == 0 && t[dl] == '/') ||
            (tl == dl && strcmp(t, rel) == 0))
            return 1;
    }
    return 0;
}

size_t dd_ignore_count(const dd_ignore *ig)
{
    return ig ? ig->n : 0;
}

const char *dd_ignore_pattern(const dd_ignore *ig, size_t i, int *exception, uint32_t *line)
{
    if (!ig || i >= ig->n)
        return NULL;
    if (exception)
        *exception = ig->p[i].exception;
    if (line)
        *line = ig->p[i].line;
    return ig->p[i].text;
}

/* ---- walking a context ---- */

typedef struct {
    const dd_ignore *ig;
    dd_ignore_walk_cb cb;
    void *payload;
    size_t entries;
} walker;

/* Directory entries are kept as one string: the d_type byte, then the name. */
static int cmp_entry(const void *a, const void *b)
{
    return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

static int walk_dir(walker *w, dd_buf *abs, dd_buf *rel, int depth)
{
    DIR *d = NULL;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, alloc = 0, abs_len = abs->len, rel_len = rel->len;
    int rc = DD_OK;

    if (depth > WALK_MAX_DEPTH)
        return dd_error_set(DD_ELIMIT, "%s: directories nested deeper than %d", abs->data,
                            WALK_MAX_DEPTH);
    d = opendir(abs->data);
    if (!d)
        return dd_error_set(DD_EIO, "%s: %s", abs->data, strerror(errno));
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (++w->entries > WALK_MAX_ENTRIES) {
            rc = dd_error_set(DD_ELIMIT, "%s: more than %u entries in the context", abs->data,
                              WALK_MAX_ENTRIES);
            goto done;
        }
        if ((rc = DD_ARRAY_RESERVE(names, alloc, n + 1, sizeof(*names),
                                   32)) != DD_OK)
            goto done;
        {
            size_t len = strlen(de->d_name);

            names[n] = dd_malloc(len + 2);
            if (!names[n]) {
                rc = dd_error_set(DD_ENOMEM, "out of memory");
                goto done;
            }
            names[n][0] = (char)de->d_type;
            memcpy(names[n] + 1, de->d_name, len + 1);
        }
        n++;
    }
    closedir(d);
    d = NULL;
    if (n)
        qsort(names, n, sizeof(*names), cmp_entry);
    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        const char *name = names[i] + 1;
        unsigned char type = (unsigned char)names[i][0];
        struct stat st;
        bool is_dir, excluded;

        abs->len = abs_len;
        abs->data[abs_len] = '\0';
        rel->len = rel_len;
        rel->data[rel_len] = '\0';
        if ((rc = dd_buf_printf(abs, "/%s", name)) ||
            (rc = dd_buf_printf(rel, "%s%s", rel_len ? "/" : "", name)))
            break;
        /* the file system's d_type saves an lstat per entry; some report DT_UNKNOWN */
        if (type != DT_UNKNOWN) {
            is_dir = type == DT_DIR;
        } else if (lstat(abs->data, &st) != 0) {
            rc = dd_error_set(DD_EIO, "%s: %s", abs->data, strerror(errno));
            break;
        } else {
            is_dir = S_ISDIR(st.st_mode);
        }
        excluded = dd_ignore_excluded(w->ig, rel->data);
        if (!excluded)
            rc = w->cb(rel->data, is_dir, w->payload);
        if (rc == DD_OK && is_dir && (!excluded || dd_ignore_may_reinclude(w->ig, rel->data)))
            rc = walk_dir(w, abs, rel, depth + 1);
    }
done:
    if (d)
        closedir(d);
    for (size_t i = 0; i < n; i++)
        dd_free(names[i]);
    dd_free(names);
    abs->len = abs_len;
    abs->data[abs_len] = '\0';
    rel->len = rel_len;
    rel->data[rel_len] = '\0';
    return rc;
}

int dd_ignore_walk(const char *dir, const dd_ignore *ig, dd_ignore_walk_cb cb, void *payload)
{
    dd_buf abs = DD_BUF_INIT, rel = DD_BUF_INIT, data = DD_BUF_INIT;
    dd_ignore *own = NULL;
    walker w = {ig, cb, payload, 0};
    struct stat st;
    int rc;

    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return dd_error_set(DD_ENOTFOUND, "%s: not a directory", dir);
    if ((rc = dd_buf_puts(&abs, dir)))
        goto done;
    while (abs.len > 1 && abs.data[abs.len - 1] == '/')
        abs.data[--abs.len] = '\0';
    if (!ig) {
        size_t base = abs.len;

        if ((rc = dd_buf_puts(&abs, "/.dockerignore")))
            goto done;
        rc = dd_read_file(&data, abs.data, 16u << 20);
        if (rc == DD_OK) {
            rc = dd_ignore_load(&own, abs.data, data.data, data.len);
            if (rc)
                goto done;
        } else if (rc == DD_ENOTFOUND) {
            dd_error_clear();
            rc = DD_OK;
        } else {
            goto done;
        }
        abs.len = base;
        abs.data[base] = '\0';
        w.ig = own;
    }
    rc = walk_dir(&w, &abs, &rel, 0);
done:
    dd_ignore_free(own);
    dd_buf_dispose(&abs);
    dd_buf_dispose(&rel);
    dd_buf_dispose(&data);
    return rc;
}
