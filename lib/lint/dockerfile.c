/* Dockerfile parser: BuildKit syntax in one pass over the bytes, into an arena-backed tree
 * where every instruction, flag and word keeps its line and column. */
#include "lint/dockerfile_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct {
    uint32_t off, line, col;
} seg;

typedef struct {
    const char *name;
    char *value; /* NULL: declared without a value */
    size_t tag;  /* stage index, for the set of stage names */
} var;

/* Names are unique in a set. Past VARSET_SCAN entries a hash index (open addressing, slot =
 * entry index + 1) keeps lookups constant: a file of 50,000 ARGs must not cost 50,000^2. */
#define VARSET_SCAN 8

typedef struct {
    var *v;
    size_t n, alloc;
    uint32_t *idx;
    size_t cap; /* slots of idx, a power of two; 0 while there is no index */
} varset;

typedef struct {
    dd_df *df;
    dd_arena *a;
    const char *data;
    size_t len, pos;
    uint32_t line; /* number of the line that starts at pos */
    char esc;
    dd_buf logical;
    seg *segs;
    size_t n_segs, a_segs;
    dd_buf tmp;
    varset globals, locals;
    varset *scope;      /* the variables expansion sees: locals, or globals for FROM */
    varset stage_names; /* lower-cased AS names, tag = stage index (the last one wins) */
    size_t expanded;    /* bytes produced by expansion, against DD_DF_MAX_EXPANSION */
    size_t a_insts, a_stages, a_sups, a_pragmas;
    size_t pending_sup; /* first suppression waiting for the next instruction */
    uint32_t *err_line;
    bool unresolved; /* set by expansion when a variable had no value */
} parser;

static const struct {
    const char *name;
    dd_df_op op;
} keywords[] = {
    {"ADD", DD_DF_ADD},
    {"ARG", DD_DF_ARG},
    {"CMD", DD_DF_CMD},
    {"COPY", DD_DF_COPY},
    {"ENTRYPOINT", DD_DF_ENTRYPOINT},
    {"ENV", DD_DF_ENV},
    {"EXPOSE", DD_DF_EXPOSE},
    {"FROM", DD_DF_FROM},
    {"HEALTHCHECK", DD_DF_HEALTHCHECK},
    {"LABEL", DD_DF_LABEL},
    {"MAINTAINER", DD_DF_MAINTAINER},
    {"ONBUILD", DD_DF_ONBUILD},
    {"RUN", DD_DF_RUN},
    {"SHELL", DD_DF_SHELL},
    {"STOPSIGNAL", DD_DF_STOPSIGNAL},
    {"USER", DD_DF_USER},
    {"VOLUME", DD_DF_VOLUME},
    {"WORKDIR", DD_DF_WORKDIR},
};

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static int fail(parser *p, int code, uint32_t line, const char *msg)
{
    *p->err_line = line;
    return dd_error_set(code, "%s:%u: %s", p->df->path, line, msg);
}

static int nomem(void)
{
    return dd_error_set(DD_ENOMEM, "out of memory");
}

/* Arena vectors: growth copies into a block twice the size; the old block stays in the arena,
 * which bounds the waste to the final size. */
static void *vec_reserve(dd_arena *a, void *v, size_t n, size_t *alloc, size_t elem)
{
    size_t na;
    void *nv;

    if (n < *alloc)
        return v;
    na = *alloc ? *alloc * 2 : 8;
    nv = dd_arena_alloc(a, na * elem);
    if (!nv)
        return NULL;
    if (n)
        memcpy(nv, v, n * elem);
    *alloc = na;
    return nv;
}

#define VEC_PUSH(a, v, n, alloc)                                                                   \
    ((v) = vec_reserve((a), (v), (n), &(alloc), sizeof(*(v))), (v) ? &(v)[(n)++] : NULL)

/* Reads the physical line at p->pos (without "\n" or "\r\n"). False at the end of input. */
static bool next_line(parser *p, const char **start, size_t *len, uint32_t *line)
{
    const char *s, *nl;
    size_t n;

    if (p->pos >= p->len)
        return false;
    s = p->data + p->pos;
    nl = memchr(s, '\n', p->len - p->pos);
    n = nl ? (size_t)(nl - s) : p->len - p->pos;
    p->pos += n + (nl ? 1 : 0);
    *line = p->line++;
    if (n && s[n - 1] == '\r')
        n--;
    *start = s;
    *len = n;
    return true;
}

/* --- variables --- */

static size_t name_hash(const char *name, size_t n)
{
    size_t h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)name[i]) * 16777619u;
    return h;
}

static bool name_eq(const char *a, const char *b, size_t n)
{
    return strncmp(a, b, n) == 0 && a[n] == '\0';
}

static var *var_find(const varset *vs, const char *name, size_t n)
{
    if (!vs->idx) {
        for (size_t i = vs->n; i-- > 0;)
            if (name_eq(vs->v[i].name, name, n))
                return &vs->v[i];
        return NULL;
    }
    for (size_t h = name_hash(name, n) & (vs->cap - 1);; h = (h + 1) & (vs->cap - 1)) {
        uint32_t slot = vs->idx[h];

        if (!slot)
            return NULL;
        if (name_eq(vs->v[slot - 1].name, name, n))
            return &vs->v[slot - 1];
    }
}

static void varset_clear(varset *vs)
{
    /* the old index stays in the arena: clearing it could cost more than it saved */
    vs->n = 0;
    vs->idx = NULL;
    vs->cap = 0;
}

static void index_put(varset *vs, size_t i)
{
    const char *name = vs->v[i].name;
    size_t h = name_hash(name, strlen(name)) & (vs->cap - 1);

    while (vs->idx[h])
        h = (h + 1) & (vs->cap - 1);
    vs->idx[h] = (uint32_t)i + 1;
}

static int index_grow(parser *p, varset *vs)
{
    size_t cap = 64;

    while (cap < vs->n * 2)
        cap *= 2;
    vs->idx = dd_arena_alloc(p->a, cap * sizeof(*vs->idx));
    if (!vs->idx)
        return nomem();
    memset(vs->idx, 0, cap * sizeof(*vs->idx));
    vs->cap = cap;
    for (size_t i = 0; i < vs->n; i++)
        index_put(vs, i);
    return DD_OK;
}

static int var_set_tag(parser *p, varset *vs, const char *name, const char *value, size_t tag)
{
    var *v = var_find(vs, name, strlen(name));

    if (v) {
        v->value = value ? dd_arena_strdup(p->a, value) : NULL;
        v->tag = tag;
        return value && !v->value ? nomem() : DD_OK;
    }
    v = VEC_PUSH(p->a, vs->v, vs->n, vs->alloc);
    if (!v)
        return nomem();
    v->name = dd_arena_strdup(p->a, name);
    v->value = value ? dd_arena_strdup(p->a, value) : NULL;
    v->tag = tag;
    if (!v->name || (value && !v->value))
        return nomem();
    if (vs->n > VARSET_SCAN && vs->n * 2 > vs->cap)
        return index_grow(p, vs);
    if (vs->idx)
        index_put(vs, vs->n - 1);
    return DD_OK;
}

static int var_set(parser *p, varset *vs, const char *name, const char *value)
{
    return var_set_tag(p, vs, name, value, 0);
}

static const char *var_lookup(parser *p, const char *name, size_t n)
{
    const var *v = var_find(p->scope ? p->scope : &p->locals, name, n);

    return v ? v->value : NULL;
}

/* Appends a variable's value unless the file's expansion budget is spent. */
static void put_value(parser *p, dd_buf *out, const char *val)
{
    size_t n = strlen(val);

    if (p->expanded + n > DD_DF_MAX_EXPANSION) {
        p->unresolved = true;
        return;
    }
    p->expanded += n;
    dd_buf_put(out, val, n);
}

static int expand_into(parser *p, dd_buf *out, const char *s, size_t n, int depth);

/* Expands the variable reference at s[0] == '$'; returns the bytes consumed. */
static size_t expand_var(parser *p, dd_buf *out, const char *s, size_t n, int depth)
{
    size_t i = 1, name_start, name_len, end;
    const char *val;
    int nest = 1;

    if (n < 2)
        goto literal;
    if (s[1] != '{') {
        while (i < n && is_name_char(s[i]))
            i++;
        if (i == 1)
            goto literal;
        val = var_lookup(p, s + 1, i - 1);
        if (!val)
            p->unresolved = true;
        else
            put_value(p, out, val);
        return i;
    }
    i = 2;
    name_start = i;
    while (i < n && is_name_char(s[i]))
        i++;
    name_len = i - name_start;
    for (end = i; end < n; end++) {
        if (s[end] == '{')
            nest++;
        else if (s[end] == '}' && --nest == 0)
            break;
    }
    if (end >= n || name_len == 0)
        goto literal;
    val = var_lookup(p, s + name_start, name_len);
    if (i == end) {
        if (!val)
            p->unresolved = true;
        else
            put_value(p, out, val);
    } else {
        bool colon = s[i] == ':';
        char op = s[i + colon];
        const char *w = s + i + colon + 1;
        size_t wn = end > i + colon + 1 ? end - (i + colon + 1) : 0;
        bool set = val && (!colon || *val);

        if (op == '-' || op == '=') {
            if (set)
                put_value(p, out, val);
            else if (depth < 8)
                expand_into(p, out, w, wn, depth + 1);
        } else if (op == '+') {
            if (set && depth < 8)
                expand_into(p, out, w, wn, depth + 1);
        } else {
            /* ${VAR:?err} and unknown modifiers: the value, or unresolved */
            if (set)
                put_value(p, out, val);
            else
                p->unresolved = true;
        }
    }
    return end + 1;
literal:
    dd_buf_putc(out, '$');
    return 1;
}

static int expand_into(parser *p, dd_buf *out, const char *s, size_t n, int depth)
{
    for (size_t i = 0; i < n;) {
        if (s[i] == p->esc && i + 1 < n && s[i + 1] == '$') {
            dd_buf_putc(out, '$');
            i += 2;
        } else if (s[i] == '$') {
            i += expand_var(p, out, s + i, n - i, depth);
        } else {
            dd_buf_putc(out, s[i++]);
        }
    }
    return DD_OK;
}

/* --- positions in the joined logical line --- */

static void pos_of(const parser *p, size_t off, uint32_t *line, uint32_t *col)
{
    size_t lo = 0, hi = p->n_segs;

    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;

        if (p->segs[mid].off <= off)
            lo = mid;
        else
            hi = mid;
    }
    *line = p->segs[lo].line;
    *col = p->segs[lo].col + (uint32_t)(off - p->segs[lo].off);
}

static int add_seg(parser *p, uint32_t line, uint32_t col)
{
    seg *s;

    if (p->n_segs == p->a_segs) {
        size_t na = p->a_segs ? p->a_segs * 2 : 16;
        seg *ns = dd_realloc(p->segs, na * sizeof(*ns));

        if (!ns)
            return nomem();
        p->segs = ns;
        p->a_segs = na;
    }
    s = &p->segs[p->n_segs++];
    s->off = (uint32_t)p->logical.len;
    s->line = line;
    s->col = col;
    return DD_OK;
}

/* --- words --- */

/* Splits `text` (at offset `base` of the logical line) into words: quotes removed, escapes
 * resolved and, when `expand`, variables substituted. */
static int lex_words(parser *p, dd_df_inst *in, const char *text, size_t n, size_t base,
                     bool expand)
{
    size_t alloc = 0;
    char q;

    for (size_t i = 0; i < n;) {
        size_t start;
        dd_df_word *w;

        while (i < n && (is_ws(text[i]) || text[i] == '\n'))
            i++;
        if (i >= n)
            break;
        start = i;
        q = 0;
        dd_buf_clear(&p->tmp);
        while (i < n && (q || !(is_ws(text[i]) || text[i] == '\n'))) {
            char c = text[i];

            if (!q && (c == '"' || c == '\'')) {
                q = c;
                i++;
            } else if (q && c == q) {
                q = 0;
                i++;
            } else if (c == p->esc && q != '\'' && i + 1 < n) {
                char nx = text[i + 1];

                if (q == '"' && nx != '"' && nx != p->esc && nx != '$')
                    dd_buf_putc(&p->tmp, c);
                if (!expand && nx == '$')
                    dd_buf_putc(&p->tmp, c);
                dd_buf_putc(&p->tmp, nx);
                i += 2;
            } else if (c == '$' && expand && q != '\'') {
                i += expand_var(p, &p->tmp, text + i, n - i, 0);
            } else {
                dd_buf_putc(&p->tmp, c);
                i++;
            }
        }
        w = VEC_PUSH(p->a, in->words, in->n_words, alloc);
        if (!w)
            return nomem();
        w->s = dd_arena_strndup(p->a, p->tmp.data, p->tmp.len);
        w->raw = dd_arena_strndup(p->a, text + start, i - start);
        if (!w->s || !w->raw)
            return nomem();
        pos_of(p, base + start, &w->line, &w->col);
    }
    return DD_OK;
}

/* A JSON array of strings; false (and nothing kept) when `text` is not one. */
static bool parse_json_array(parser *p, dd_df_inst *in, const char *text, size_t n, size_t base)
{
    size_t i = 0, alloc = 0, count = 0;
    dd_df_word *words = NULL;

    while (i < n && is_ws(text[i]))
        i++;
    if (i >= n || text[i] != '[')
        return false;
    i++;
    for (;;) {
        size_t start;
        dd_df_word *w;

        while (i < n && (is_ws(text[i]) || text[i] == '\n'))
            i++;
        if (i < n && text[i] == ']' && count == 0) {
            i++;
            break;
        }
        if (i >= n || text[i] != '"')
            return false;
        start = i++;
        dd_buf_clear(&p->tmp);
        while (i < n && text[i] != '"') {
            if (text[i] == '\\' && i + 1 < n) {
                char c = text[++i];

                switch (c) {
                case 'n':
                    c = '\n';
                    break;
                case 't':
                    c = '\t';
                    break;
                case 'r':
                    c = '\r';
                    break;
                case 'b':
                case 'f':
                    c = ' ';
                    break;
                case 'u':
                    /* \uXXXX: kept as '?', rules never look inside such characters */
                    c = '?';
                    i += i + 4 < n ? 4 : 0;
                    break;
                default:
                    break;
                }
                dd_buf_putc(&p->tmp, c);
                i++;
            } else {
                dd_buf_putc(&p->tmp, text[i++]);
            }
        }
        if (i >= n)
            return false;
        i++;
        w = VEC_PUSH(p->a, words, count, alloc);
        if (!w)
            return false;
        w->s = dd_arena_strndup(p->a, p->tmp.data, p->tmp.len);
        w->raw = dd_arena_strndup(p->a, text + start, i - start);
        if (!w->s || !w->raw)
            return false;
        pos_of(p, base + start, &w->line, &w->col);
        while (i < n && (is_ws(text[i]) || text[i] == '\n'))
            i++;
        if (i < n && text[i] == ',') {
            i++;
            continue;
        }
        if (i < n && text[i] == ']') {
            i++;
            break;
        }
        return false;
    }
    while (i < n && (is_ws(text[i]) || text[i] == '\n'))
        i++;
    if (i != n)
        return false;
    in->words = words;
    in->n_words = count;
    in->json = true;
    return true;
}

/* --- pragmas --- */

static int parse_pragma(parser *p, const char *s, size_t n, uint32_t line)
{
    size_t i = 0;
    bool global = false;
    uint32_t *pl;

    while (i < n && (s[i] == '#' || is_ws(s[i])))
        i++;
    if (n - i >= 7 && strncasecmp(s + i, "drydock", 7) == 0)
        i += 7;
    else if (n - i >= 8 && strncasecmp(s + i, "hadolint", 8) == 0)
        i += 8;
    else
        return DD_OK;
    while (i < n && is_ws(s[i]))
        i++;
    if (n - i >= 6 && strncasecmp(s + i, "global", 6) == 0) {
        global = true;
        i += 6;
        while (i < n && is_ws(s[i]))
            i++;
    }
    if (n - i < 6 || strncasecmp(s + i, "ignore", 6) != 0)
        return DD_OK;
    i += 6;
    while (i < n && is_ws(s[i]))
        i++;
    if (i >= n || s[i] != '=')
        return DD_OK;
    i++;
    pl = VEC_PUSH(p->a, p->df->pragma_lines, p->df->n_pragmas, p->a_pragmas);
    if (!pl)
        return nomem();
    *pl = line;
    while (i < n) {
        size_t start;
        const dd_lint_rule *rule;

        while (i < n && (is_ws(s[i]) || s[i] == ','))
            i++;
        start = i;
        while (i < n && !is_ws(s[i]) && s[i] != ',')
            i++;
        if (i == start)
            break;
        rule = dd_lint__rule_lookup(s + start, i - start);
        if (rule) {
            dd_lint__suppression *sp = VEC_PUSH(p->a, p->df->sups, p->df->n_sups, p->a_sups);

            if (!sp)
                return nomem();
            sp->rule = rule;
            /* UINT32_MAX: waits for the next instruction's line */
            sp->line = global ? 0 : UINT32_MAX;
        }
    }
    return DD_OK;
}

/* --- instructions --- */

static dd_df_op lookup_op(const char *s, size_t n, const char **name)
{
    for (size_t i = 0; i < DD_ARRAY_SIZE(keywords); i++)
        if (strlen(keywords[i].name) == n && strncasecmp(keywords[i].name, s, n) == 0) {
            *name = keywords[i].name;
            return keywords[i].op;
        }
    return DD_DF_UNKNOWN;
}

static bool takes_flags(dd_df_op op)
{
    return op == DD_DF_FROM || op == DD_DF_RUN || op == DD_DF_COPY || op == DD_DF_ADD ||
           op == DD_DF_HEALTHCHECK;
}

static bool expands(dd_df_op op)
{
    return !(op == DD_DF_RUN || op == DD_DF_CMD || op == DD_DF_ENTRYPOINT || op == DD_DF_SHELL ||
             op == DD_DF_HEALTHCHECK || op == DD_DF_ONBUILD || op == DD_DF_MAINTAINER);
}

static bool may_be_json(dd_df_op op)
{
    return op == DD_DF_RUN || op == DD_DF_CMD || op == DD_DF_ENTRYPOINT || op == DD_DF_SHELL ||
           op == DD_DF_VOLUME || op == DD_DF_COPY || op == DD_DF_ADD;
}

/* Finds heredoc openers (`<<EOF`, `<<-EOF`, `<<"EOF"`) in the arguments and reads their bodies
 * from the following lines. */
static int read_heredocs(parser *p, dd_df_inst *in)
{
    const char *s = in->args;
    size_t n = strlen(s), alloc = 0;
    char q = 0;

    for (size_t i = 0; i + 2 < n; i++) {
        dd_df_heredoc *h;
        size_t j, ms;
        char mq = 0;

        if (q) {
            if (s[i] == q)
                q = 0;
            continue;
        }
        if (s[i] == '\'' || s[i] == '"') {
            q = s[i];
            continue;
        }
        if (s[i] != '<' || s[i + 1] != '<' || (i > 0 && s[i - 1] == '<'))
            continue;
        j = i + 2;
        h = NULL;
        if (j < n && s[j] == '<')
            continue; /* here-string <<< */
        {
            bool strip = false;

            if (j < n && s[j] == '-') {
                strip = true;
                j++;
            }
            if (j < n && (s[j] == '"' || s[j] == '\''))
                mq = s[j++];
            ms = j;
            if (j >= n || !(is_name_char(s[j]) && !(s[j] >= '0' && s[j] <= '9')))
                continue;
            while (j < n && (is_name_char(s[j]) || s[j] == '.' || s[j] == '-'))
                j++;
            if (in->n_heredocs >= DD_DF_MAX_HEREDOCS)
                return fail(p, DD_ELIMIT, in->line, "too many heredocs in one instruction");
            h = VEC_PUSH(p->a, in->heredocs, in->n_heredocs, alloc);
            if (!h)
                return nomem();
            memset(h, 0, sizeof(*h));
            h->strip_tabs = strip;
            h->quoted = mq != 0;
            h->marker = dd_arena_strndup(p->a, s + ms, j - ms);
            if (!h->marker)
                return nomem();
            {
                uint32_t col;

                pos_of(p, (size_t)(s - in->args) + i + (p->logical.len - n), &h->line, &col);
            }
            /* the body is the script when nothing but a shell precedes the opener */
            {
                size_t k = 0;
                bool only_shell = true;

                while (k < i && is_ws(s[k]))
                    k++;
                if (k < i) {
                    const char *w = s + k;
                    size_t wl = 0;

                    while (k + wl < i && !is_ws(w[wl]))
                        wl++;
                    only_shell = (wl == 2 && memcmp(w, "sh", 2) == 0) ||
                                 (wl == 4 && memcmp(w, "bash", 4) == 0) ||
                                 (wl == 7 && memcmp(w, "/bin/sh", 7) == 0) ||
                                 (wl == 9 && memcmp(w, "/bin/bash", 9) == 0);
                }
                h->is_script = in->op == DD_DF_RUN && only_shell;
            }
            if (mq && j < n && s[j] == mq)
                j++;
            i = j - 1;
        }
    }
    for (size_t k = 0; k < in->n_heredocs; k++) {
        dd_df_heredoc *h = &in->heredocs[k];
        size_t mlen = strlen(h->marker);
        const char *ls;
        size_t ll;
        uint32_t lno;
        bool closed = false;

        dd_buf_clear(&p->tmp);
        while (next_line(p, &ls, &ll, &lno)) {
            const char *t = ls;
            size_t tl = ll;

            if (ll > DD_DF_MAX_LINE)
                return fail(p, DD_ELIMIT, lno, "line longer than 1 MiB");
            if (h->strip_tabs)
                while (tl && *t == '\t') {
                    t++;
                    tl--;
                }
            if (tl == mlen && memcmp(t, h->marker, mlen) == 0) {
                closed = true;
                in->end_line = lno;
                break;
            }
            if (dd_buf_put(&p->tmp, t, tl) != DD_OK || dd_buf_putc(&p->tmp, '\n') != DD_OK)
                return nomem();
        }
        if (!closed) {
            char msg[96];

            snprintf(msg, sizeof(msg), "unterminated heredoc <<%.40s", h->marker);
            return fail(p, DD_EINVALID, h->line, msg);
        }
        h->body = dd_arena_strndup(p->a, p->tmp.data, p->tmp.len);
        if (!h->body)
            return nomem();
    }
    return DD_OK;
}

static int parse_kvs(parser *p, dd_df_inst *in)
{
    size_t alloc = 0;

    if (in->n_words == 0)
        return DD_OK;
    if (in->op != DD_DF_ARG && !strchr(in->words[0].raw, '=')) {
        /* legacy `ENV KEY value with spaces` */
        dd_df_kv *kv = VEC_PUSH(p->a, in->kvs, in->n_kvs, alloc);
        const char *rest = in->args + strlen(in->words[0].raw);

        if (!kv)
            return nomem();
        while (*rest && (is_ws(*rest) || *rest == '\n'))
            rest++;
        kv->key = in->words[0].s;
        dd_buf_clear(&p->tmp);
        for (size_t i = 1; i < in->n_words; i++) {
            if (i > 1)
                dd_buf_putc(&p->tmp, ' ');
            dd_buf_puts(&p->tmp, in->words[i].s);
        }
        kv->value = dd_arena_strndup(p->a, p->tmp.data, p->tmp.len);
        kv->raw_value = dd_arena_strdup(p->a, rest);
        kv->has_value = true;
        kv->line = in->words[0].line;
        kv->col = in->words[0].col;
        return kv->value && kv->raw_value ? DD_OK : nomem();
    }
    for (size_t i = 0; i < in->n_words; i++) {
        dd_df_word *w = &in->words[i];
        dd_df_kv *kv = VEC_PUSH(p->a, in->kvs, in->n_kvs, alloc);
        char *eq = strchr(w->s, '='), *req = strchr(w->raw, '=');

        if (!kv)
            return nomem();
        kv->line = w->line;
        kv->col = w->col;
        if (eq && req) {
            kv->key = dd_arena_strndup(p->a, w->raw, (size_t)(req - w->raw));
            kv->value = eq + 1;
            kv->raw_value = req + 1;
            kv->has_value = true;
        } else {
            kv->key = w->s;
            kv->value = kv->raw_value = NULL;
            kv->has_value = false;
        }
        if (!kv->key)
            return nomem();
    }
    return DD_OK;
}

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* Parses the logical line in p->logical (starting with the keyword) into `in`. */
static int parse_instruction(parser *p, dd_df_inst *in, size_t start, bool nested)
{
    const char *s = p->logical.data + start;
    size_t n = p->logical.len - start, i = 0, kw;
    size_t falloc = 0;
    int rc;

    while (i < n && is_ws(s[i]))
        i++;
    kw = i;
    while (i < n && !is_ws(s[i]))
        i++;
    in->op = lookup_op(s + kw, i - kw, &in->name);
    pos_of(p, start + kw, &in->line, &in->col);
    in->end_line = p->line - 1;
    if (in->op == DD_DF_UNKNOWN) {
        char msg[96];

        snprintf(msg, sizeof(msg), "unknown instruction \"%.*s\"",
                 (int)(i - kw > 40 ? 40 : i - kw), s + kw);
        return fail(p, DD_EINVALID, in->line, msg);
    }
    while (i < n && is_ws(s[i]))
        i++;
    while (takes_flags(in->op) && i + 2 < n && s[i] == '-' && s[i + 1] == '-' &&
           is_name_char(s[i + 2])) {
        size_t fs = i + 2, eq = 0;
        dd_df_flag *f = VEC_PUSH(p->a, in->flags, in->n_flags, falloc);
        char q = 0;

        if (!f)
            return nomem();
        while (i < n && (q || !is_ws(s[i]))) {
            if (!q && (s[i] == '"' || s[i] == '\''))
                q = s[i];
            else if (q && s[i] == q)
                q = 0;
            if (s[i] == '=' && !eq)
                eq = i;
            i++;
        }
        f->name = dd_arena_strndup(p->a, s + fs, (eq ? eq : i) - fs);
        f->value = eq ? dd_arena_strndup(p->a, s + eq + 1, i - eq - 1) : NULL;
        if (!f->name || (eq && !f->value))
            return nomem();
        if (f->value && expands(in->op)) {
            dd_buf e = DD_BUF_INIT;

            expand_into(p, &e, f->value, strlen(f->value), 0);
            f->value = dd_arena_strndup(p->a, e.data, e.len);
            dd_buf_dispose(&e);
            if (!f->value)
                return nomem();
        }
        pos_of(p, start + fs - 2, &f->line, &f->col);
        while (i < n && is_ws(s[i]))
            i++;
    }
    in->args = dd_arena_strndup(p->a, s + i, n - i);
    if (!in->args)
        return nomem();
    pos_of(p, start + i, &in->args_line, &in->args_col);
    if (!nested && (in->op == DD_DF_RUN || in->op == DD_DF_COPY || in->op == DD_DF_ADD) &&
        strstr(in->args, "<<") && (rc = read_heredocs(p, in)) != DD_OK)
        return rc;
    if (!(may_be_json(in->op) && parse_json_array(p, in, s + i, n - i, start + i))) {
        p->unresolved = false;
        if (in->op == DD_DF_ONBUILD) {
            dd_df_inst *t = dd_arena_alloc(p->a, sizeof(*t));

            if (!t)
                return nomem();
            memset(t, 0, sizeof(*t));
            t->stage = in->stage;
            in->trigger = t;
            if (i < n && (rc = parse_instruction(p, t, start + i, true)) != DD_OK) {
                /* an unknown trigger makes the whole file unusable, as in BuildKit */
                return rc;
            }
        } else if ((rc = lex_words(p, in, s + i, n - i, start + i, expands(in->op))) != DD_OK) {
            return rc;
        }
    }
    if (in->op == DD_DF_ENV || in->op == DD_DF_ARG || in->op == DD_DF_LABEL)
        if ((rc = parse_kvs(p, in)) != DD_OK)
            return rc;
    switch (in->op) {
    case DD_DF_FROM:
    case DD_DF_RUN:
    case DD_DF_CMD:
    case DD_DF_ENTRYPOINT:
    case DD_DF_SHELL:
    case DD_DF_WORKDIR:
    case DD_DF_USER:
    case DD_DF_ENV:
    case DD_DF_ARG:
    case DD_DF_LABEL:
    case DD_DF_EXPOSE:
    case DD_DF_COPY:
    case DD_DF_ADD:
    case DD_DF_VOLUME:
    case DD_DF_STOPSIGNAL:
    case DD_DF_MAINTAINER:
    case DD_DF_HEALTHCHECK:
        if (in->n_words == 0 && in->n_heredocs == 0 && !(in->json && in->op != DD_DF_FROM)) {
            char msg[64];

            snprintf(msg, sizeof(msg), "%s requires at least one argument", in->name);
            return fail(p, DD_EINVALID, in->line, msg);
        }
        break;
    default:
        break;
    }
    return DD_OK;
}

/* Updates variables and stages after an instruction. */
static int apply(parser *p, dd_df_inst *in)
{
    dd_df *df = p->df;
    int rc;

    if (in->op == DD_DF_FROM) {
        dd_df_stage *st = VEC_PUSH(p->a, df->stages, df->n_stages, p->a_stages);
        dd_df_word *img = &in->words[0];

        if (!st)
            return nomem();
        memset(st, 0, sizeof(*st));
        /* FROM sees only the global ARGs */
        p->scope = &p->globals;
        p->unresolved = false;
        {
            dd_buf e = DD_BUF_INIT;

            expand_into(p, &e, img->raw, strlen(img->raw), 0);
            st->image = dd_arena_strndup(p->a, e.data, e.len);
            dd_buf_dispose(&e);
        }
        p->scope = &p->locals;
        st->unresolved = p->unresolved || !st->image || !*st->image;
        if (st->image && !*st->image)
            st->image = img->raw;
        st->raw_image = img->raw;
        if (!st->image)
            return nomem();
        st->line = in->line;
        st->col = in->col;
        st->first = st->last = (size_t)(in - df->insts);
        st->base_stage = -1;
        if (in->n_words >= 3 && strcasecmp(in->words[1].s, "as") == 0) {
            st->name = dd_arena_strdup(p->a, in->words[2].s);
            if (!st->name)
                return nomem();
            lower(st->name);
        }
        {
            /* names are lower-cased; a stage of the set is always an earlier one */
            const var *named;

            dd_buf_clear(&p->tmp);
            dd_buf_puts(&p->tmp, st->image);
            lower(p->tmp.data);
            named = var_find(&p->stage_names, p->tmp.data, p->tmp.len);
            if (named)
                st->base_stage = (int)named->tag;
        }
        if (st->name &&
            (rc = var_set_tag(p, &p->stage_names, st->name, NULL, df->n_stages - 1)) != DD_OK)
            return rc;
        for (size_t i = 0; i < in->n_flags; i++)
            if (strcmp(in->flags[i].name, "platform") == 0)
                st->platform = in->flags[i].value ? in->flags[i].value : "";
        in->stage = (int)df->n_stages - 1;
        /* stage scope starts empty: globals must be re-declared with ARG */
        varset_clear(&p->locals);
        return DD_OK;
    }
    if (df->n_stages)
        df->stages[df->n_stages - 1].last = (size_t)(in - df->insts);
    if (in->op == DD_DF_ARG) {
        for (size_t i = 0; i < in->n_kvs; i++) {
            dd_df_kv *kv = &in->kvs[i];
            const char *val = kv->has_value ? kv->value : NULL;

            if (!df->n_stages) {
                rc = var_set(p, &p->globals, kv->key, val);
            } else {
                if (!val) {
                    const var *g = var_find(&p->globals, kv->key, strlen(kv->key));

                    val = g ? g->value : NULL;
                }
                rc = var_set(p, &p->locals, kv->key, val);
            }
            if (rc != DD_OK)
                return rc;
        }
    } else if (in->op == DD_DF_ENV) {
        for (size_t i = 0; i < in->n_kvs; i++)
            if (in->kvs[i].has_value &&
                (rc = var_set(p, &p->locals, in->kvs[i].key, in->kvs[i].value)) != DD_OK)
                return rc;
    }
    return DD_OK;
}

static bool is_directive(const char *s, size_t n, const char **key, size_t *kl, const char **val,
                         size_t *vl)
{
    size_t i = 0, ks;

    if (!n || s[0] != '#')
        return false;
    i = 1;
    while (i < n && is_ws(s[i]))
        i++;
    ks = i;
    while (i < n && is_name_char(s[i]))
        i++;
    if (i == ks)
        return false;
    *key = s + ks;
    *kl = i - ks;
    while (i < n && is_ws(s[i]))
        i++;
    if (i >= n || s[i] != '=')
        return false;
    i++;
    while (i < n && is_ws(s[i]))
        i++;
    *val = s + i;
    while (n > i && is_ws(s[n - 1]))
        n--;
    *vl = n - i;
    return true;
}

int dd_df__parse(dd_df *df, dd_arena *a, const char *path, const char *data, size_t len,
                 uint32_t *err_line)
{
    parser p;
    const char *ls;
    size_t ll;
    uint32_t lno, dummy;
    bool directives = true;
    int rc = DD_OK;
    const char *nul;

    memset(df, 0, sizeof(*df));
    memset(&p, 0, sizeof(p));
    df->arena = a;
    df->path = path;
    df->escape = '\\';
    p.df = df;
    p.a = a;
    p.data = data;
    p.len = len;
    p.line = 1;
    p.esc = '\\';
    p.logical = (dd_buf)DD_BUF_INIT;
    p.tmp = (dd_buf)DD_BUF_INIT;
    p.err_line = err_line ? err_line : &dummy;
    *p.err_line = 0;
    if (len > DD_DF_MAX_BYTES)
        return fail(&p, DD_ELIMIT, 1, "file larger than 16 MiB");
    if ((nul = memchr(data, '\0', len)) != NULL) {
        uint32_t l = 1;

        for (const char *c = data; c < nul; c++)
            l += *c == '\n';
        return fail(&p, DD_EINVALID, l, "binary file (NUL byte)");
    }
    /* a UTF-8 byte order mark is allowed before the first line */
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        p.pos = 3;
    while (next_line(&p, &ls, &ll, &lno)) {
        size_t i = 0, start;
        dd_df_inst *in;
        const char *key, *val;
        size_t kl, vl;
        bool cont;

        if (ll > DD_DF_MAX_LINE) {
            rc = fail(&p, DD_ELIMIT, lno, "line longer than 1 MiB");
            goto done;
        }
        if (directives && is_directive(ls, ll, &key, &kl, &val, &vl)) {
            if (kl == 6 && strncasecmp(key, "escape", 6) == 0) {
                if (vl != 1 || (val[0] != '\\' && val[0] != '`')) {
                    rc = fail(&p, DD_EINVALID, lno, "escape must be \\ or `");
                    goto done;
                }
                p.esc = df->escape = val[0];
            } else if (kl == 6 && strncasecmp(key, "syntax", 6) == 0) {
                df->syntax = dd_arena_strndup(a, val, vl);
            }
            continue;
        }
        directives = false;
        while (i < ll && is_ws(ls[i]))
            i++;
        if (i == ll)
            continue;
        if (ls[i] == '#') {
            if ((rc = parse_pragma(&p, ls + i, ll - i, lno)) != DD_OK)
                goto done;
            continue;
        }
        if (df->n >= DD_DF_MAX_INSTRUCTIONS) {
            rc = fail(&p, DD_ELIMIT, lno, "more than 100000 instructions");
            goto done;
        }
        dd_buf_clear(&p.logical);
        p.n_segs = 0;
        start = 0;
        /* join continuation lines; comment and blank lines inside are dropped */
        for (;;) {
            size_t e = ll;

            while (e > i && is_ws(ls[e - 1]))
                e--;
            cont = e > i && ls[e - 1] == p.esc;
            if (cont)
                e--;
            if ((rc = add_seg(&p, lno, (uint32_t)i + 1)) != DD_OK ||
                (rc = dd_buf_put(&p.logical, ls + i, e - i)) != DD_OK)
                goto done;
            if (!cont)
                break;
            for (;;) {
                if (!next_line(&p, &ls, &ll, &lno)) {
                    cont = false;
                    break;
                }
                if (ll > DD_DF_MAX_LINE) {
                    rc = fail(&p, DD_ELIMIT, lno, "line longer than 1 MiB");
                    goto done;
                }
                i = 0;
                while (i < ll && is_ws(ls[i]))
                    i++;
                if (i < ll && ls[i] == '#')
                    continue;
                if (i == ll)
                    continue;
                i = 0; /* keep the indentation: it separates words */
                break;
            }
            if (!cont)
                break;
        }
        in = VEC_PUSH(a, df->insts, df->n, p.a_insts);
        if (!in) {
            rc = nomem();
            goto done;
        }
        memset(in, 0, sizeof(*in));
        in->stage = (int)df->n_stages - 1;
        if ((rc = parse_instruction(&p, in, start, false)) != DD_OK)
            goto done;
        for (size_t k = p.pending_sup; k < df->n_sups; k++)
            if (df->sups[k].line == UINT32_MAX)
                df->sups[k].line = in->line;
        p.pending_sup = df->n_sups;
        if ((rc = apply(&p, in)) != DD_OK)
            goto done;
    }
    for (size_t k = p.pending_sup; k < df->n_sups; k++)
        if (df->sups[k].line == UINT32_MAX)
            df->sups[k].line = 0xFFFFFFFEu; /* a pragma at the end applies to nothing */
    if (df->n_stages == 0) {
        rc = fail(&p, DD_EINVALID, df->n ? df->insts[0].line : 1, "no FROM instruction");
        goto done;
    }
done:
    dd_free(p.segs);
    dd_buf_dispose(&p.logical);
    dd_buf_dispose(&p.tmp);
    return rc;
}
