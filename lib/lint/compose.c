/* Compose file parser: libfyaml events into a line-numbered tree with anchors, aliases, merge
 * keys, interpolation and `extends` resolved, bounded against alias bombs and deep nesting. */
#include "lint/compose_int.h"

#include <libfyaml.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- variables: the config's, then `.env` beside the compose file ---- */

typedef struct {
    const char *key;
    size_t key_len;
    const char *value;
} var;

typedef struct {
    var *v;
    size_t n, alloc;
} var_set;

typedef struct {
    dd_arena *arena;
    const char *path; /* file being parsed, for messages */
    const char *dir;  /* its directory ("" for the cwd) */
    var_set cfg_vars;
    var_set file_vars;
    /* other files read by `extends: file:` */
    struct parsed_file {
        const char *path;
        const dd_ynode *root;
    } files[DD_COMPOSE_MAX_FILES];
    size_t n_files;
    uint32_t cur_file; /* index of the file being parsed (0 = the compose file) */
} parse_ctx;

static int var_add(parse_ctx *pc, var_set *s, const char *k, size_t klen, const char *v,
                   size_t vlen)
{
    if (DD_ARRAY_RESERVE(s->v, s->alloc, s->n + 1, sizeof(*s->v), 32) !=
        DD_OK)
        return DD_ENOMEM;
    s->v[s->n].key = dd_arena_strndup(pc->arena, k, klen);
    s->v[s->n].key_len = klen;
    s->v[s->n].value = dd_arena_strndup(pc->arena, v, vlen);
    if (!s->v[s->n].key || !s->v[s->n].value)
        return dd_error_set(DD_ENOMEM, "out of memory");
    s->n++;
    return DD_OK;
}

/* The last definition wins, as with a shell environment. */
static const char *var_find(const var_set *s, const char *k, size_t klen)
{
    for (size_t i = s->n; i-- > 0;)
        if (s->v[i].key_len == klen && memcmp(s->v[i].key, k, klen) == 0)
            return s->v[i].value;
    return NULL;
}

static const char *lookup(const parse_ctx *pc, const char *k, size_t klen)
{
    const char *v = var_find(&pc->cfg_vars, k, klen);

    return v ? v : var_find(&pc->file_vars, k, klen);
}

/* `.env`: KEY=VALUE lines, `#` comments, optional `export `, quotes. */
static int load_dotenv(parse_ctx *pc, const char *data, size_t len)
{
    size_t pos = 0;

    while (pos < len) {
        const char *line = data + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - line) : len - pos;
        const char *e = line + ll, *p = line, *k, *eq, *v, *ve;

        pos += ll + (nl ? 1 : 0);
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        if (e > p && e[-1] == '\r')
            e--;
        if (p == e || *p == '#')
            continue;
        if ((size_t)(e - p) > 7 && memcmp(p, "export ", 7) == 0)
            p += 7;
        k = p;
        eq = memchr(p, '=', (size_t)(e - p));
        if (!eq)
            continue;
        ve = eq;
        while (ve > k && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        v = eq + 1;
        while (v < e && (*v == ' ' || *v == '\t'))
            v++;
        if (v < e && (*v == '"' || *v == '\'')) {
            const char *q = memchr(v + 1, *v, (size_t)(e - v - 1));

            if (q) {
                int rc = var_add(pc, &pc->file_vars, k, (size_t)(ve - k), v + 1,
                                 (size_t)(q - v - 1));
                if (rc)
                    return rc;
                continue;
            }
        }
        {
            const char *end = v;

            /* an unquoted value ends at " #" */
            while (end < e && !(*end == '#' && end > v && (end[-1] == ' ' || end[-1] == '\t')))
                end++;
            while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
            int rc = var_add(pc, &pc->file_vars, k, (size_t)(ve - k), v, (size_t)(end - v));
            if (rc)
                return rc;
        }
    }
    return DD_OK;
}

/* ---- interpolation ---- */

static bool is_name_start(char c)
{
    return c == '_' || isalpha((unsigned char)c);
}

static bool is_name_char(char c)
{
    return c == '_' || isalnum((unsigned char)c);
}

static int interpolate(const parse_ctx *pc, uint32_t line, const char *s, size_t len, dd_buf *out,
                       int depth);

/* Expands the body of "${...}" (without the braces). */
static int expand_braced(const parse_ctx *pc, uint32_t line, const char *s, size_t len,
                         dd_buf *out, int depth)
{
    size_t i = 0;
    const char *val;

    if (len == 0 || !is_name_start(s[0]))
        return dd_error_set(DD_EINVALID, "%s:%u: invalid interpolation format \"${%.*s}\"",
                            pc->path, line, (int)(len > 60 ? 60 : len), s);
    while (i < len && is_name_char(s[i]))
        i++;
    val = lookup(pc, s, i);
    if (i == len)
        return val ? dd_buf_puts(out, val) : DD_OK;
    {
        bool colon = s[i] == ':';
        char op = colon && i + 1 < len ? s[i + 1] : s[i];
        size_t arg = i + (colon ? 2 : 1);
        bool set = val != NULL, nonempty = val && *val;

        if ((colon && i + 1 >= len) || (op != '-' && op != '?' && op != '+'))
            return dd_error_set(DD_EINVALID, "%s:%u: invalid interpolation format \"${%.*s}\"",
                                pc->path, line, (int)(len > 60 ? 60 : len), s);
        switch (op) {
        case '-':
            if (colon ? nonempty : set)
                return dd_buf_puts(out, val);
            return interpolate(pc, line, s + arg, len - arg, out, depth + 1);
        case '+':
            if (colon ? nonempty : set)
                return interpolate(pc, line, s + arg, len - arg, out, depth + 1);
            return DD_OK;
        default: /* '?': compose refuses the file; a linter judges it as written, with "" */
            return (colon ? nonempty : set) ? dd_buf_puts(out, val) : DD_OK;
        }
    }
}

static int interpolate(const parse_ctx *pc, uint32_t line, const char *s, size_t len, dd_buf *out,
                       int depth)
{
    size_t i = 0;
    int rc = DD_OK;

    if (depth > 16)
        return dd_error_set(DD_ELIMIT, "%s:%u: interpolation nested too deeply", pc->path, line);
    while (i < len && rc == DD_OK) {
        const char *d = memchr(s + i, '$', len - i);

        if (!d)
            return dd_buf_put(out, s + i, len - i);
        rc = dd_buf_put(out, s + i, (size_t)(d - (s + i)));
        i = (size_t)(d - s) + 1;
        if (rc)
            break;
        if (i < len && s[i] == '$') {
            rc = dd_buf_putc(out, '$');
            i++;
        } else if (i < len && s[i] == '{') {
            size_t j = i + 1;
            int nest = 1;

            while (j < len) {
                if (s[j] == '$' && j + 1 < len && s[j + 1] == '{') {
                    nest++;
                    j += 2;
                    continue;
                }
                if (s[j] == '}' && --nest == 0)
                    break;
                j++;
            }
            if (j >= len)
                return dd_error_set(DD_EINVALID,
                                    "%s:%u: invalid interpolation format: unterminated \"${\"",
                                    pc->path, line);
            rc = expand_braced(pc, line, s + i + 1, j - i - 1, out, depth);
            i = j + 1;
        } else if (i < len && is_name_start(s[i])) {
            size_t j = i;
            const char *val;

            while (j < len && is_name_char(s[j]))
                j++;
            val = lookup(pc, s + i, j - i);
            if (val)
                rc = dd_buf_puts(out, val);
            i = j;
        } else {
            rc = dd_buf_putc(out, '$');
        }
    }
    return rc;
}

/* ---- YAML events to tree ---- */

#define LINE_MASK ((1u << DD_COMPOSE_LINE_BITS) - 1)

typedef struct {
    dd_ynode *node;
    void *kids; /* dd_ypair[] or const dd_ynode *[] (heap, grown) */
    size_t n, alloc;
    const dd_ynode *pending_key; /* maps: key read, value awaited */
    const dd_ynode **merges;     /* `<<` sources, in order */
    size_t n_merges, alloc_merges;
    const char *anchor; /* arena copy, registered when the node completes */
} frame;

typedef struct {
    const char *name;
    const dd_ynode *node;
} anchor_def;

typedef struct {
    parse_ctx *pc;
    const char *path;
    frame stack[DD_COMPOSE_MAX_DEPTH + 1];
    int depth;
    anchor_def *anchors;
    size_t n_anchors, alloc_anchors;
    const dd_ynode *root;
    bool have_root;
    char diag_msg[256];
    int diag_line, diag_col;
    bool diag_set;
} builder;

static void diag_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag;
    (void)user;
    (void)buf;
    (void)len; /* the library never prints; errors are collected and read afterwards */
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

static bool key_is(const dd_ynode *k, const char *s)
{
    return k && k->type == DD_YSCALAR && strcmp(k->str, s) == 0;
}

/* Attaches a finished node to the frame on top of the stack (or makes it the root). */
static int attach(builder *b, const dd_ynode *n)
{
    frame *f;

    if (b->depth == 0) {
        if (!b->have_root) {
            b->root = n;
            b->have_root = true;
        }
        return DD_OK;
    }
    f = &b->stack[b->depth - 1];
    if (f->node->type == DD_YSEQ) {
        int rc = DD_ARRAY_RESERVE(f->kids, f->alloc, f->n + 1, sizeof(const dd_ynode *), 8);

        if (rc)
            return rc;
        ((const dd_ynode **)f->kids)[f->n++] = n;
        f->node->weight = sat_add(f->node->weight, n->weight);
        return DD_OK;
    }
    if (!f->pending_key) {
        f->pending_key = n;
        return DD_OK;
    }
    if (f->pending_key->type == DD_YSCALAR && f->pending_key->plain &&
        strcmp(f->pending_key->str, "<<") == 0) {
        /* merge key: a mapping or a sequence of mappings */
        size_t cnt = n->type == DD_YSEQ ? n->n : 1;

        for (size_t i = 0; i < cnt; i++) {
            const dd_ynode *src = n->type == DD_YSEQ ? n->items[i] : n;
            int rc;

            if (src->type != DD_YMAP)
                return dd_error_set(DD_EINVALID, "%s:%u: merge key \"<<\" needs a mapping",
                                    b->path, src->line & LINE_MASK);
            rc = DD_ARRAY_RESERVE(f->merges, f->alloc_merges, f->n_merges + 1, sizeof(*f->merges), 8);
            if (rc)
                return rc;
            f->merges[f->n_merges++] = src;
        }
        f->node->weight = sat_add(f->node->weight, n->weight);
        f->pending_key = NULL;
        return DD_OK;
    }
    {
        int rc = DD_ARRAY_RESERVE(f->kids, f->alloc, f->n + 1, sizeof(dd_ypair), 8);

        if (rc)
            return rc;
        ((dd_ypair *)f->kids)[f->n].key = f->pending_key;
        ((dd_ypair *)f->kids)[f->n].value = n;
        f->n++;
        f->node->weight = sat_add(f->node->weight, sat_add(f->pending_key->weight, n->weight));
        f->pending_key = NULL;
    }
    return DD_OK;
}

static int check_weight(builder *b, const dd_ynode *n)
{
    if (n->weight > DD_COMPOSE_MAX_NODES)
        return dd_error_set(DD_ELIMIT,
                            "%s:%u: aliases expand to more than %u nodes (alias bomb?)", b->path,
                            n->line & LINE_MASK, (unsigned)DD_COMPOSE_MAX_NODES);
    return DD_OK;
}

static int register_anchor(builder *b, const char *name, const dd_ynode *n)
{
    int rc;

    if (!name)
        return DD_OK;
    rc = DD_ARRAY_RESERVE(b->anchors, b->alloc_anchors, b->n_anchors + 1, sizeof(*b->anchors), 8);
    if (rc)
        return rc;
    b->anchors[b->n_anchors].name = name;
    b->anchors[b->n_anchors].node = n;
    b->n_anchors++;
    return DD_OK;
}

static const char *token_text(parse_ctx *pc, struct fy_token *t, size_t *len)
{
    return dd_yaml_token_text(pc->arena, t, len);
}

static bool in_key_position(const builder *b)
{
    if (b->depth == 0)
        return false;
    const frame *f = &b->stack[b->depth - 1];

    return f->node->type == DD_YMAP && !f->pending_key;
}

/* Closes a mapping: explicit pairs first, then merged pairs whose keys are not yet there. */
static int finish_map(builder *b, frame *f)
{
    dd_ypair *pairs = f->kids;
    size_t n = f->n, total = n;
    dd_ypair *out;

    for (size_t m = 0; m < f->n_merges; m++)
        total += f->merges[m]->n;
    out = dd_arena_alloc(b->pc->arena, (total ? total : 1) * sizeof(*out));
    if (!out)
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (n)
        memcpy(out, pairs, n * sizeof(*out));
    for (size_t m = 0; m < f->n_merges; m++) {
        const dd_ynode *src = f->merges[m];

        for (size_t i = 0; i < src->n; i++) {
            bool dup = false;

            for (size_t j = 0; j < n && !dup; j++)
                dup = out[j].key->type == DD_YSCALAR && src->pairs[i].key->type == DD_YSCALAR &&
                      strcmp(out[j].key->str, src->pairs[i].key->str) == 0;
            if (!dup)
                out[n++] = src->pairs[i];
        }
    }
    f->node->pairs = out;
    f->node->n = n;
    return DD_OK;
}

static int handle_event(builder *b, struct fy_event *ev)
{
    parse_ctx *pc = b->pc;
    const struct fy_mark *mk = fy_event_start_mark(ev);
    uint32_t plain_line = mk ? (uint32_t)mk->line + 1 : 0;
    uint32_t line = plain_line | (pc->cur_file << DD_COMPOSE_LINE_BITS);
    uint32_t col = mk ? (uint32_t)mk->column + 1 : 0;
    int rc = DD_OK;

    switch (ev->type) {
    case FYET_SCALAR: {
        dd_ynode *n = dd_arena_alloc(pc->arena, sizeof(*n));
        size_t len;
        const char *text;

        if (!n)
            return dd_error_set(DD_ENOMEM, "out of memory");
        memset(n, 0, sizeof(*n));
        text = token_text(pc, ev->scalar.value, &len);
        if (!text)
            return dd_error_set(DD_ENOMEM, "out of memory");
        n->type = DD_YSCALAR;
        n->line = line;
        n->column = col;
        n->raw = text;
        n->str = text;
        n->len = len;
        n->plain = fy_event_get_node_style(ev) == FYNS_PLAIN;
        n->weight = 1;
        if (n->plain && (len == 0 || strcmp(text, "~") == 0 || strcmp(text, "null") == 0 ||
                         strcmp(text, "Null") == 0 || strcmp(text, "NULL") == 0))
            n->type = DD_YNULL;
        if (n->type == DD_YSCALAR && !in_key_position(b) && memchr(text, '$', len)) {
            dd_buf out = DD_BUF_INIT;

            out.cap = DD_COMPOSE_MAX_BYTES;
            rc = interpolate(pc, plain_line, text, len, &out, 0);
            if (rc == DD_OK) {
                n->str = dd_arena_strndup(pc->arena, out.data, out.len);
                n->len = out.len;
                if (!n->str)
                    rc = dd_error_set(DD_ENOMEM, "out of memory");
            } else if (rc == DD_ELIMIT && dd_error_code() != DD_ELIMIT) {
                rc = dd_error_set(DD_ELIMIT, "%s:%u: interpolated value too long", b->path,
                                  plain_line);
            }
            dd_buf_dispose(&out);
            if (rc)
                return rc;
        }
        if (ev->scalar.anchor) {
            size_t al;
            const char *an = token_text(pc, ev->scalar.anchor, &al);

            if ((rc = register_anchor(b, an, n)))
                return rc;
        }
        return attach(b, n);
    }
    case FYET_ALIAS: {
        size_t al;
        const char *an = token_text(pc, ev->alias.anchor, &al);

        for (size_t i = b->n_anchors; i-- > 0;)
            if (strcmp(b->anchors[i].name, an) == 0)
                return attach(b, b->anchors[i].node);
        return dd_error_set(DD_EINVALID, "%s:%u: unknown alias \"*%s\"", b->path, plain_line, an);
    }
    case FYET_MAPPING_START:
    case FYET_SEQUENCE_START: {
        dd_ynode *n;
        frame *f;
        struct fy_token *anchor = ev->type == FYET_MAPPING_START ? ev->mapping_start.anchor
                                                                 : ev->sequence_start.anchor;

        if (b->depth >= DD_COMPOSE_MAX_DEPTH)
            return dd_error_set(DD_ELIMIT, "%s:%u: nesting deeper than %d levels", b->path,
                                plain_line, DD_COMPOSE_MAX_DEPTH);
        n = dd_arena_alloc(pc->arena, sizeof(*n));
        if (!n)
            return dd_error_set(DD_ENOMEM, "out of memory");
        memset(n, 0, sizeof(*n));
        n->type = ev->type == FYET_MAPPING_START ? DD_YMAP : DD_YSEQ;
        n->line = line;
        n->column = col;
        n->str = n->raw = "";
        n->weight = 1;
        f = &b->stack[b->depth++];
        memset(f, 0, sizeof(*f));
        f->node = n;
        if (anchor) {
            size_t al;

            f->anchor = token_text(pc, anchor, &al);
        }
        return DD_OK;
    }
    case FYET_MAPPING_END:
    case FYET_SEQUENCE_END: {
        frame *f = &b->stack[b->depth - 1];
        dd_ynode *n = f->node;

        if (n->type == DD_YMAP) {
            rc = finish_map(b, f);
        } else if (f->n) {
            n->items = dd_arena_alloc(pc->arena, f->n * sizeof(*n->items));
            if (!n->items)
                rc = dd_error_set(DD_ENOMEM, "out of memory");
            else
                memcpy(n->items, f->kids, f->n * sizeof(*n->items));
            n->n = f->n;
        }
        dd_free(f->kids);
        dd_free(f->merges);
        b->depth--;
        if (rc)
            return rc;
        if ((rc = check_weight(b, n)) || (rc = register_anchor(b, f->anchor, n)))
            return rc;
        return attach(b, n);
    }
    default:
        return DD_OK;
    }
}

static void builder_dispose(builder *b)
{
    while (b->depth > 0) {
        frame *f = &b->stack[--b->depth];

        dd_free(f->kids);
        dd_free(f->merges);
    }
    dd_free(b->anchors);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t need;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        need = 2, cp = s[0] & 0x1F;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        need = 3, cp = s[0] & 0x0F;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        need = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((need == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return need;
}

/* Bytes a YAML parser should never see: NUL (binary), invalid UTF-8 (YAML is Unicode; libfyaml
 * 0.7.12 also loops forever on it inside a "%" directive) and overlong lines. */
static int prescan(const char *path, const char *data, size_t len)
{
    size_t line = 1, start = 0;

    if (len > DD_COMPOSE_MAX_BYTES)
        return dd_error_set(DD_ELIMIT, "%s:1: file larger than %u bytes", path,
                            (unsigned)DD_COMPOSE_MAX_BYTES);
    for (size_t i = 0; i <= len; i++) {
        if (i == len || data[i] == '\n') {
            if (i - start > DD_COMPOSE_MAX_LINE)
                return dd_error_set(DD_ELIMIT, "%s:%zu: line longer than %u bytes", path, line,
                                    (unsigned)DD_COMPOSE_MAX_LINE);
            line++;
            start = i + 1;
        } else if (data[i] == '\0') {
            return dd_error_set(DD_EINVALID, "%s:%zu: binary file (NUL byte)", path, line);
        } else if ((unsigned char)data[i] >= 0x80) {
            size_t n = utf8_len((const unsigned char *)data + i, len - i);

            if (n == 0)
                return dd_error_set(DD_EINVALID, "%s:%zu: invalid UTF-8", path, line);
            i += n - 1;
        }
    }
    return DD_OK;
}

/* Parses one YAML document into a tree (NULL root for an empty stream). */
static int parse_tree(parse_ctx *pc, const char *path, const char *data, size_t len,
                      const dd_ynode **out)
{
    struct fy_diag_cfg dcfg;
    struct fy_diag *diag = NULL;
    struct fy_parser *fyp = NULL;
    struct fy_parse_cfg cfg;
    struct fy_event *ev;
    builder *b = NULL;
    int rc = DD_OK, docs = 0;

    *out = NULL;
    if ((rc = prescan(path, data, len)))
        return rc;
    b = dd_calloc(1, sizeof(*b));
    if (!b)
        return dd_error_set(DD_ENOMEM, "out of memory");
    b->pc = pc;
    b->path = path;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = diag_output;
    dcfg.colorize = false;
    diag = fy_diag_create(&dcfg);
    if (!diag) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    fy_diag_set_collect_errors(diag, true);
    memset(&cfg, 0, sizeof(cfg));
    cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG;
    cfg.diag = diag;
    fyp = fy_parser_create(&cfg);
    if (!fyp || fy_parser_set_string(fyp, len ? data : "", len) != 0) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    while ((ev = fy_parser_parse(fyp)) != NULL) {
        if (ev->type == FYET_DOCUMENT_START)
            docs++;
        if (docs <= 1)
            rc = handle_event(b, ev);
        fy_parser_event_free(fyp, ev);
        if (rc)
            goto done;
    }
    if (fy_parser_get_stream_error(fyp)) {
        void *it = NULL;
        struct fy_diag_error *err;
        int line = 0;
        const char *msg = "invalid YAML";

        while ((err = fy_diag_errors_iterate(diag, &it)) != NULL) {
            if (err->type >= FYET_ERROR) {
                line = err->line;
                msg = err->msg ? err->msg : msg;
                break;
            }
        }
        rc = dd_error_set(DD_EINVALID, "%s:%d: invalid YAML: %.200s", path,
                          line > 0 ? line : 1, msg);
        goto done;
    }
    *out = b->root;
done:
    if (fyp)
        fy_parser_destroy(fyp);
    if (diag)
        fy_diag_destroy(diag);
    builder_dispose(b);
    dd_free(b);
    return rc;
}

/* ---- tree helpers ---- */

const dd_ypair *dd_ynode_pair(const dd_ynode *map, const char *key)
{
    if (!map || map->type != DD_YMAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (key_is(map->pairs[i].key, key))
            return &map->pairs[i];
    return NULL;
}

const dd_ynode *dd_ynode_get(const dd_ynode *map, const char *key)
{
    const dd_ypair *p = dd_ynode_pair(map, key);

    return p ? p->value : NULL;
}

bool dd_ynode_is_null(const dd_ynode *n)
{
    return !n || n->type == DD_YNULL;
}

bool dd_ynode_is_true(const dd_ynode *n)
{
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On",
                                      "ON"};

    if (!n || n->type != DD_YSCALAR)
        return false;
    for (size_t i = 0; i < DD_ARRAY_SIZE(yes); i++)
        if (strcmp(n->str, yes[i]) == 0)
            return true;
    return false;
}

bool dd_ynode_str_eq(const dd_ynode *n, const char *s)
{
    return n && n->type == DD_YSCALAR && strcmp(n->str, s) == 0;
}

bool dd_ynode_str_ieq(const dd_ynode *n, const char *s)
{
    return n && n->type == DD_YSCALAR && strcasecmp(n->str, s) == 0;
}

/* ---- extends ---- */

static dd_ynode *new_map(dd_arena *a, const dd_ynode *like, size_t cap)
{
    dd_ynode *n = dd_arena_alloc(a, sizeof(*n));

    if (!n)
        return NULL;
    memset(n, 0, sizeof(*n));
    n->type = DD_YMAP;
    n->line = like ? like->line : 1;
    n->column = like ? like->column : 1;
    n->str = n->raw = "";
    n->weight = 1;
    n->pairs = dd_arena_alloc(a, (cap ? cap : 1) * sizeof(dd_ypair));
    return n->pairs ? n : NULL;
}

/* Compose's `extends` merge: mappings merge by key, sequences concatenate, the local value
 * replaces a scalar. `extends` itself is dropped. */
static const dd_ynode *merge_service(dd_arena *a, const dd_ynode *base, const dd_ynode *local,
                                     int depth)
{
    dd_ynode *m;

    if (depth > DD_COMPOSE_MAX_DEPTH)
        return local;
    if (!base || base->type != DD_YMAP)
        return local;
    if (!local || local->type != DD_YMAP)
        return base;
    m = new_map(a, local, base->n + local->n);
    if (!m)
        return NULL;
    for (size_t i = 0; i < base->n; i++)
        if (!key_is(base->pairs[i].key, "extends") &&
            !dd_ynode_pair(local, base->pairs[i].key->str))
            m->pairs[m->n++] = base->pairs[i];
    for (size_t i = 0; i < local->n; i++) {
        const dd_ypair *lp = &local->pairs[i];
        const dd_ynode *bv = dd_ynode_get(base, lp->key->str);
        dd_ypair np = *lp;

        if (key_is(lp->key, "extends"))
            continue;
        if (bv && bv->type == DD_YMAP && lp->value->type == DD_YMAP) {
            np.value = merge_service(a, bv, lp->value, depth + 1);
            if (!np.value)
                return NULL;
        } else if (bv && bv->type == DD_YSEQ && lp->value->type == DD_YSEQ) {
            dd_ynode *s = dd_arena_alloc(a, sizeof(*s));

            if (!s)
                return NULL;
            *s = *lp->value;
            s->n = bv->n + lp->value->n;
            s->items = dd_arena_alloc(a, (s->n ? s->n : 1) * sizeof(*s->items));
            if (!s->items)
                return NULL;
            memcpy(s->items, bv->items, bv->n * sizeof(*s->items));
            memcpy(s->items + bv->n, lp->value->items, lp->value->n * sizeof(*s->items));
            np.value = s;
        }
        m->pairs[m->n++] = np;
    }
    return m;
}

static int read_other(parse_ctx *pc, const char *from_path, uint32_t line, const char *file,
                      const char **path_out, const dd_ynode **root_out)
{
    dd_buf data = DD_BUF_INIT, full = DD_BUF_INIT;
    int rc;

    if (file[0] == '/' || !pc->dir[0])
        rc = dd_buf_puts(&full, file);
    else
        rc = dd_buf_printf(&full, "%s/%s", pc->dir, file);
    if (rc)
        goto done;
    for (size_t i = 0; i < pc->n_files; i++) {
        if (strcmp(pc->files[i].path, full.data) == 0) {
            *path_out = pc->files[i].path;
            *root_out = pc->files[i].root;
            goto done;
        }
    }
    if (pc->n_files == DD_ARRAY_SIZE(pc->files)) {
        rc = dd_error_set(DD_ELIMIT, "%s:%u: extends reads too many files", from_path, line);
        goto done;
    }
    rc = dd_read_file(&data, full.data, DD_COMPOSE_MAX_BYTES);
    if (rc) {
        rc = dd_error_set(rc == DD_ELIMIT ? DD_ELIMIT : DD_EINVALID,
                          "%s:%u: extends file %s cannot be read (%s)", from_path, line,
                          full.data, dd_error_name(rc));
        goto done;
    }
    *path_out = dd_arena_strdup(pc->arena, full.data);
    if (!*path_out) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    {
        uint32_t saved = pc->cur_file;

        pc->cur_file = (uint32_t)pc->n_files + 1;
        rc = parse_tree(pc, *path_out, data.data, data.len, root_out);
        pc->cur_file = saved;
    }
    if (rc)
        goto done;
    pc->files[pc->n_files].path = *path_out;
    pc->files[pc->n_files].root = *root_out;
    pc->n_files++;
done:
    dd_buf_dispose(&data);
    dd_buf_dispose(&full);
    return rc;
}

static int resolve_service(parse_ctx *pc, const char *path, const dd_ynode *root,
                           const dd_ynode *def, int depth, const dd_ynode **out)
{
    const dd_ypair *ext = dd_ynode_pair(def, "extends");
    const dd_ynode *svc_name, *file, *other_root = root, *base_def, *resolved;
    const char *other_path = path;
    int rc;

    *out = def;
    if (!ext)
        return DD_OK;
    if (depth >= DD_COMPOSE_MAX_EXTENDS)
        return dd_error_set(DD_ELIMIT, "%s:%u: extends chain longer than %d (a cycle?)", path,
                            ext->key->line & LINE_MASK, DD_COMPOSE_MAX_EXTENDS);
    if (ext->value->type == DD_YSCALAR) {
        svc_name = ext->value;
        file = NULL;
    } else {
        svc_name = dd_ynode_get(ext->value, "service");
        file = dd_ynode_get(ext->value, "file");
    }
    if (!svc_name || svc_name->type != DD_YSCALAR)
        return dd_error_set(DD_EINVALID, "%s:%u: extends needs a service name", path,
                            ext->key->line & LINE_MASK);
    if (file && file->type == DD_YSCALAR) {
        rc = read_other(pc, path, file->line & LINE_MASK, file->str, &other_path, &other_root);
        if (rc)
            return rc;
    }
    base_def = dd_ynode_get(dd_ynode_get(other_root, "services"), svc_name->str);
    if (!base_def || base_def->type != DD_YMAP)
        return dd_error_set(DD_EINVALID, "%s:%u: extends names service \"%s\", not found in %s",
                            path, svc_name->line & LINE_MASK, svc_name->str, other_path);
    rc = resolve_service(pc, other_path, other_root, base_def, depth + 1, &resolved);
    if (rc)
        return rc;
    *out = merge_service(pc->arena, resolved, def, 0);
    return *out ? DD_OK : dd_error_set(DD_ENOMEM, "out of memory");
}

/* ---- the document ---- */

void dd_compose__free(dd_compose *c)
{
    if (!c)
        return;
    dd_arena_free(c->arena);
    dd_free(c);
}

static int load_vars(parse_ctx *pc, const dd_lint_config *cfg)
{
    int rc = DD_OK;
    dd_buf env = DD_BUF_INIT, p = DD_BUF_INIT;

    if (cfg) {
        for (size_t i = 0; i < cfg->n_env && rc == DD_OK; i++) {
            const char *kv = cfg->env[i], *eq = kv ? strchr(kv, '=') : NULL;

            if (eq)
                rc = var_add(pc, &pc->cfg_vars, kv, (size_t)(eq - kv), eq + 1, strlen(eq + 1));
        }
    }
    if (rc)
        goto done;
    rc = pc->dir[0] ? dd_buf_printf(&p, "%s/.env", pc->dir) : dd_buf_puts(&p, ".env");
    if (rc)
        goto done;
    rc = dd_read_file(&env, p.data, 1u << 20);
    if (rc == DD_OK) {
        if (!memchr(env.data, '\0', env.len))
            rc = load_dotenv(pc, env.data, env.len);
    } else {
        rc = DD_OK; /* no .env (or unreadable): nothing to take from it */
        dd_error_clear();
    }
done:
    dd_buf_dispose(&env);
    dd_buf_dispose(&p);
    return rc;
}

int dd_compose__parse(dd_compose **out, const char *path, const char *data, size_t len,
                      const dd_lint_config *cfg)
{
    dd_compose *c = NULL;
    parse_ctx *pc = NULL;
    const dd_ynode *root, *services;
    const char *slash;
    int rc;

    *out = NULL;
    c = dd_calloc(1, sizeof(*c));
    pc = dd_calloc(1, sizeof(*pc));
    if (!c || !pc || dd_arena_new(&c->arena) != DD_OK) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    pc->arena = c->arena;
    c->path = pc->path = dd_arena_strdup(c->arena, path);
    slash = strrchr(path, '/');
    pc->dir = slash ? dd_arena_strndup(c->arena, path, slash == path ? 1 : (size_t)(slash - path))
                    : "";
    if (!c->path || !pc->dir) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = load_vars(pc, cfg)))
        goto done;
    if ((rc = parse_tree(pc, c->path, data, len, &root)))
        goto done;
    if (root && root->type != DD_YMAP && root->type != DD_YNULL) {
        rc = dd_error_set(DD_EINVALID, "%s:%u: not a compose file: the top level is not a mapping",
                          path, root->line & LINE_MASK);
        goto done;
    }
    c->root = root;
    c->networks = dd_ynode_get(root, "networks");
    c->volumes = dd_ynode_get(root, "volumes");
    c->secrets = dd_ynode_get(root, "secrets");
    c->configs = dd_ynode_get(root, "configs");
    services = dd_ynode_get(root, "services");
    if (services && services->type == DD_YMAP && services->n) {
        c->services = dd_arena_alloc(c->arena, services->n * sizeof(*c->services));
        if (!c->services) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < services->n; i++) {
            const dd_ypair *p = &services->pairs[i];
            dd_compose_service *s = &c->services[c->n_services];
            const dd_ynode *def = p->value;

            if (p->key->type != DD_YSCALAR)
                continue;
            if (def->type == DD_YNULL) {
                def = new_map(c->arena, p->key, 0);
                if (!def) {
                    rc = dd_error_set(DD_ENOMEM, "out of memory");
                    goto done;
                }
            } else if (def->type != DD_YMAP) {
                rc = dd_error_set(DD_EINVALID, "%s:%u: service \"%s\" is not a mapping", path,
                                  p->key->line & LINE_MASK, p->key->str);
                goto done;
            }
            if ((rc = resolve_service(pc, c->path, root, def, 0, &def)))
                goto done;
            s->name = p->key->str;
            s->key = p->key;
            s->def = def;
            c->n_services++;
        }
    } else if (services && services->type != DD_YMAP && services->type != DD_YNULL) {
        rc = dd_error_set(DD_EINVALID, "%s:%u: services: is not a mapping", path, services->line & LINE_MASK);
        goto done;
    }
    c->files[0] = c->path;
    for (size_t i = 0; i < pc->n_files; i++)
        c->files[i + 1] = pc->files[i].path;
    c->n_files = pc->n_files + 1;
    *out = c;
    c = NULL;
done:
    if (pc) {
        dd_free(pc->cfg_vars.v);
        dd_free(pc->file_vars.v);
        dd_free(pc);
    }
    dd_compose__free(c);
    return rc;
}

const char *dd_compose__where(const dd_compose *c, uint32_t line, uint32_t *plain)
{
    uint32_t idx = line >> DD_COMPOSE_LINE_BITS;

    *plain = line & LINE_MASK;
    return idx < c->n_files ? c->files[idx] : c->path;
}

/* ---- ports and volumes ---- */

static bool parse_range(const char *s, size_t len, uint32_t *lo, uint32_t *hi)
{
    const char *dash = memchr(s, '-', len);
    char *end;
    char tmp[32];
    unsigned long a, b;

    if (len == 0 || len >= sizeof(tmp))
        return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (!isdigit((unsigned char)tmp[0]))
        return false;
    a = strtoul(tmp, &end, 10);
    if (dash) {
        if (*end != '-' || !isdigit((unsigned char)end[1]))
            return false;
        b = strtoul(end + 1, &end, 10);
    } else {
        b = a;
    }
    if (*end || a > 65535 || b > 65535)
        return false;
    *lo = (uint32_t)a;
    *hi = (uint32_t)b;
    return true;
}

static void set_str(char *dst, size_t cap, const char *s, size_t len)
{
    if (len >= cap)
        len = cap - 1;
    memcpy(dst, s, len);
    dst[len] = '\0';
}

/* "published" of long syntax may carry an address too ("127.0.0.1:8080"). */
static bool parse_host_side(const char *s, size_t len, dd_compose_port *p)
{
    const char *colon;

    if (len && s[0] == '[') {
        const char *rb = memchr(s, ']', len);

        if (!rb)
            return false;
        set_str(p->host_ip, sizeof(p->host_ip), s + 1, (size_t)(rb - s - 1));
        len -= (size_t)(rb + 1 - s);
        s = rb + 1;
        if (len && *s == ':') {
            s++;
            len--;
        }
        return len == 0 || parse_range(s, len, &p->host_lo, &p->host_hi);
    }
    colon = NULL;
    for (size_t i = len; i-- > 0;)
        if (s[i] == ':') {
            colon = s + i;
            break;
        }
    if (colon) {
        set_str(p->host_ip, sizeof(p->host_ip), s, (size_t)(colon - s));
        len -= (size_t)(colon + 1 - s);
        s = colon + 1;
        return len == 0 || parse_range(s, len, &p->host_lo, &p->host_hi);
    }
    if (memchr(s, '.', len)) { /* an address alone */
        set_str(p->host_ip, sizeof(p->host_ip), s, len);
        return true;
    }
    return len == 0 || parse_range(s, len, &p->host_lo, &p->host_hi);
}

bool dd_compose__port_parse(const dd_ynode *e, dd_compose_port *p)
{
    memset(p, 0, sizeof(*p));
    if (!e)
        return false;
    p->line = e->line;
    set_str(p->proto, sizeof(p->proto), "tcp", 3);
    if (e->type == DD_YSCALAR) {
        const char *s = e->str, *slash = strchr(s, '/'), *colon = NULL;
        size_t len = slash ? (size_t)(slash - s) : e->len;

        if (slash)
            set_str(p->proto, sizeof(p->proto), slash + 1, strlen(slash + 1));
        for (size_t i = len; i-- > 0;)
            if (s[i] == ':') {
                colon = s + i;
                break;
            }
        p->published = true; /* "3000" alone publishes on an ephemeral host port */
        if (!colon)
            return parse_range(s, len, &p->cont_lo, &p->cont_hi);
        if (!parse_range(colon + 1, len - (size_t)(colon + 1 - s), &p->cont_lo, &p->cont_hi))
            return false;
        return parse_host_side(s, (size_t)(colon - s), p);
    }
    if (e->type == DD_YMAP) {
        const dd_ynode *t = dd_ynode_get(e, "target"), *pub = dd_ynode_get(e, "published"),
                       *ip = dd_ynode_get(e, "host_ip"), *pr = dd_ynode_get(e, "protocol");

        if (!t || t->type != DD_YSCALAR || !parse_range(t->str, t->len, &p->cont_lo, &p->cont_hi))
            return false;
        if (pr && pr->type == DD_YSCALAR)
            set_str(p->proto, sizeof(p->proto), pr->str, pr->len);
        p->published = true; /* no `published`: an ephemeral host port */
        if (pub && pub->type == DD_YSCALAR && !parse_host_side(pub->str, pub->len, p))
            return false;
        if (ip && ip->type == DD_YSCALAR)
            set_str(p->host_ip, sizeof(p->host_ip), ip->str, ip->len);
        return true;
    }
    return false;
}

static const char *astrndup(const dd_compose *c, const char *s, size_t n)
{
    const char *r = dd_arena_strndup(c->arena, s, n);

    return r ? r : "";
}

bool dd_compose__volume_parse(const dd_compose *c, const dd_ynode *e, dd_compose_volume *v)
{
    memset(v, 0, sizeof(*v));
    v->source = v->target = v->mode = v->propagation = "";
    if (!e)
        return false;
    v->line = v->source_line = v->propagation_line = e->line;
    if (e->type == DD_YSCALAR) {
        const char *s = e->str, *c1 = strchr(s, ':'), *c2;

        /* a Windows drive letter ("C:\x") is part of the source */
        if (c1 && c1 == s + 1 && isalpha((unsigned char)s[0]) && (c1[1] == '\\' || c1[1] == '/'))
            c1 = strchr(c1 + 1, ':');
        if (!c1) {
            set_str(v->type, sizeof(v->type), "volume", 6);
            v->target = s;
            return true;
        }
        c2 = strchr(c1 + 1, ':');
        v->source = astrndup(c, s, (size_t)(c1 - s));
        v->target = c2 ? astrndup(c, c1 + 1, (size_t)(c2 - c1 - 1)) : c1 + 1;
        v->mode = c2 ? c2 + 1 : "";
        if (v->source[0] == '/' || v->source[0] == '.' || v->source[0] == '~' ||
            (v->source[0] && v->source[1] == ':'))
            set_str(v->type, sizeof(v->type), "bind", 4);
        else
            set_str(v->type, sizeof(v->type), "volume", 6);
        v->read_only = strstr(v->mode, "ro") != NULL;
        return true;
    }
    if (e->type == DD_YMAP) {
        const dd_ynode *t = dd_ynode_get(e, "type"), *src = dd_ynode_get(e, "source"),
                       *dst = dd_ynode_get(e, "target"), *ro = dd_ynode_get(e, "read_only"),
                       *bind = dd_ynode_get(e, "bind"), *prop = dd_ynode_get(bind, "propagation");

        if (t && t->type == DD_YSCALAR)
            set_str(v->type, sizeof(v->type), t->str, t->len);
        else
            set_str(v->type, sizeof(v->type), "volume", 6);
        if (src && src->type == DD_YSCALAR) {
            v->source = src->str;
            v->source_line = src->line;
        }
        if (dst && dst->type == DD_YSCALAR)
            v->target = dst->str;
        if (prop && prop->type == DD_YSCALAR) {
            v->propagation = prop->str;
            v->propagation_line = prop->line;
        }
        v->read_only = dd_ynode_is_true(ro);
        return true;
    }
    return false;
}

/* ---- entry point ---- */

/* ---- inline pragmas ---- */

typedef struct {
    dd_lint__suppression *v;
    size_t n, alloc;
} sup_list;

static int sup_push(sup_list *l, const dd_lint_rule *rule, uint32_t line)
{
    if (DD_ARRAY_RESERVE(l->v, l->alloc, l->n + 1, sizeof(*l->v), 8) !=
        DD_OK)
        return DD_ENOMEM;
    l->v[l->n].rule = rule;
    l->v[l->n++].line = line;
    return DD_OK;
}

/* A comment line "# drydock ignore=ID,..." silences those rules on the next line that holds
 * YAML and on the lines of the block under it (the lines indented deeper), so that a pragma
 * above a service key covers the whole service; "# drydock global ignore=..." covers the file.
 * The text is scanned line by line, since libfyaml drops comments; unknown ids are skipped, as
 * in Dockerfiles. */
static int scan_pragmas(sup_list *l, const char *data, size_t len)
{
    struct {
        size_t from, to, indent; /* entries l->v[from..to) cover lines indented deeper */
    } blocks[16];
    size_t depth = 0, pending = 0; /* entries from `pending` on wait for the next YAML line */
    uint32_t line = 0;

    for (size_t pos = 0; pos < len;) {
        const char *s = data + pos, *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos, i = 0;
        bool global = false;

        pos += n + 1;
        line++;
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
            i++;
        if (i == n)
            continue;
        if (s[i] != '#') {
            size_t mine = l->n;

            while (depth && blocks[depth - 1].indent >= i)
                depth--;
            for (size_t k = pending; k < mine; k++)
                if (l->v[k].line == UINT32_MAX)
                    l->v[k].line = line;
            for (size_t b = 0; b < depth; b++)
                for (size_t k = blocks[b].from; k < blocks[b].to; k++)
                    if (sup_push(l, l->v[k].rule, line) != DD_OK)
                        return DD_ENOMEM;
            if (pending < mine && depth < DD_ARRAY_SIZE(blocks)) {
                blocks[depth].from = pending;
                blocks[depth].to = mine;
                blocks[depth++].indent = i;
            }
            pending = l->n;
            continue;
        }
        while (i < n && (s[i] == '#' || s[i] == ' ' || s[i] == '\t'))
            i++;
        if (n - i < 7 || strncasecmp(s + i, "drydock", 7) != 0)
            continue;
        i += 7;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (n - i >= 6 && strncasecmp(s + i, "global", 6) == 0) {
            global = true;
            i += 6;
            while (i < n && (s[i] == ' ' || s[i] == '\t'))
                i++;
        }
        if (n - i < 7 || strncasecmp(s + i, "ignore=", 7) != 0)
            continue;
        i += 7;
        while (i < n) {
            size_t start;
            const dd_lint_rule *rule;

            while (i < n && (s[i] == ',' || s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
                i++;
            start = i;
            while (i < n && s[i] != ',' && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
                i++;
            if (i == start)
                break;
            rule = dd_lint__rule_lookup(s + start, i - start);
            /* UINT32_MAX waits for the next YAML line; a pragma at the end applies to none */
            if (rule && sup_push(l, rule, global ? 0 : UINT32_MAX) != DD_OK)
                return DD_ENOMEM;
        }
    }
    return DD_OK;
}

int dd_lint_compose(dd_lint_result *r, const char *path, const char *data, size_t len,
                    const dd_lint_config *cfg)
{
    dd_compose *c = NULL;
    sup_list sups = {0};
    int rc;

    dd_lint__count_file(r);
    if ((rc = dd_compose__parse(&c, path, data, len, cfg)) != DD_OK)
        return rc;
    /* cheap: files without "drydock" (nearly all) skip the line scan */
    if (memmem(data, len, "drydock", 7) && (rc = scan_pragmas(&sups, data, len)) != DD_OK)
        goto done;
    dd_lint__set_suppressions(r, path, sups.v, sups.n);
    rc = dd_compose__rules(r, c, cfg);
    dd_lint__set_suppressions(r, NULL, NULL, 0);
done:
    dd_free(sups.v);
    dd_compose__free(c);
    return rc;
}
