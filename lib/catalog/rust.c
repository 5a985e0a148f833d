/* Rust: the packages of Cargo.lock files (formats 1 to 4, read with a TOML subset that covers
 * what cargo writes) and of the dependency list cargo-auditable embeds in binaries (the .dep-v0
 * section: zlib-compressed JSON). */
#include "catalog/elf_int.h"
#include "catalog/lang_int.h"

#include <jansson.h>
#include <string.h>
#include <zlib.h>

#define LOCK_MAX        (16u << 20) /* bytes of a Cargo.lock kept */
#define DEP_V0_JSON_MAX (64u << 20) /* bytes a .dep-v0 section may inflate to */
#define ARRAY_DEPTH_MAX 64

/* ---- Cargo.lock: a TOML subset ---- */

typedef struct {
    const char *path;
    const char *p, *end;
    size_t line;
    dd_arena *a;
} toml;

typedef struct {
    const char *name, *version, *source, *checksum;
    size_t line; /* of its [[package]] header */
} lock_pkg;

static int toml_error(toml *t, const char *what)
{
    return dd_error_set(DD_EINVALID, "%s:%zu: %s", t->path, t->line, what);
}

static void skip_blank(toml *t)
{
    while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
        t->p++;
}

static void skip_comment(toml *t)
{
    if (t->p < t->end && *t->p == '#')
        while (t->p < t->end && *t->p != '\n')
            t->p++;
}

/* Blanks, comments and newlines (inside arrays). */
static void skip_space(toml *t)
{
    for (;;) {
        skip_blank(t);
        skip_comment(t);
        if (t->p < t->end && *t->p == '\r' && t->p + 1 < t->end && t->p[1] == '\n')
            t->p++;
        if (t->p >= t->end || *t->p != '\n')
            return;
        t->p++;
        t->line++;
    }
}

/* Blanks, a comment, then the end of the line (or of the file). */
static int end_of_line(toml *t)
{
    skip_blank(t);
    skip_comment(t);
    if (t->p < t->end && *t->p == '\r' && t->p + 1 < t->end && t->p[1] == '\n')
        t->p++;
    if (t->p < t->end && *t->p != '\n')
        return toml_error(t, "expected the end of the line");
    if (t->p < t->end) {
        t->p++;
        t->line++;
    }
    return DD_OK;
}

static int put_utf8(dd_buf *b, unsigned long cp)
{
    char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18);
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return dd_buf_put(b, u, n);
}

/* A basic ("...") or literal ('...') string on one line, into `a`. */
static int parse_string(toml *t, const char **out)
{
    char quote = *t->p++;
    dd_buf b = DD_BUF_INIT;
    int rc = DD_OK;

    if (t->end - t->p >= 2 && t->p[0] == quote && t->p[1] == quote)
        return toml_error(t, "multi-line strings are not part of a Cargo.lock");
    for (;;) {
        unsigned char c;

        if (t->p >= t->end || *t->p == '\n') {
            rc = toml_error(t, "unterminated string");
            goto done;
        }
        c = (unsigned char)*t->p++;
        if (c == (unsigned char)quote)
            break;
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            rc = toml_error(t, "control character in a string");
            goto done;
        }
        if (c != '\\' || quote == '\'') {
            rc = dd_buf_putc(&b, (char)c);
        } else if (t->p >= t->end) {
            rc = toml_error(t, "unterminated string");
        } else {
            char e = *t->p++, plain = e == 'b'    ? '\b'
                                      : e == 't'  ? '\t'
                                      : e == 'n'  ? '\n'
                                      : e == 'f'  ? '\f'
                                      : e == 'r'  ? '\r'
                                      : e == '"'  ? '"'
                                      : e == '\\' ? '\\'
                                                  : '\0';

            if (plain) {
                rc = dd_buf_putc(&b, plain);
            } else if (e == 'u' || e == 'U') {
                int digits = e == 'u' ? 4 : 8;
                unsigned long cp = 0;

                for (int i = 0; i < digits && rc == DD_OK; i++) {
                    char h = t->p < t->end ? *t->p++ : '\0';
                    int v = h >= '0' && h <= '9'   ? h - '0'
                            : h >= 'a' && h <= 'f' ? h - 'a' + 10
                            : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                   : -1;

                    if (v < 0)
                        rc = toml_error(t, "bad \\u escape");
                    cp = cp << 4 | (unsigned long)(v < 0 ? 0 : v);
                }
                if (rc == DD_OK && (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
                    rc = toml_error(t, "\\u escape of no Unicode scalar value");
                if (rc == DD_OK)
                    rc = put_utf8(&b, cp);
            } else {
                rc = toml_error(t, "unknown escape in a string");
            }
        }
        if (rc != DD_OK)
            goto done;
    }
    if (!dd_lang__utf8_valid(b.data, b.len) || memchr(b.data, '\0', b.len)) {
        rc = toml_error(t, "string is not UTF-8 text");
        goto done;
    }
    if (!(*out = dd_arena_strndup(t->a, b.data, b.len)))
        rc = dd_error_set(DD_ENOMEM, "out of memory");
done:
    dd_buf_dispose(&b);
    return rc;
}

static int is_bare(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* One key (bare or quoted). */
static int parse_key(toml *t, const char **out)
{
    const char *s = t->p;

    if (t->p < t->end && (*t->p == '"' || *t->p == '\''))
        return parse_string(t, out);
    while (t->p < t->end && is_bare(*t->p))
        t->p++;
    if (t->p == s)
        return toml_error(t, "expected a key");
    if (!(*out = dd_arena_strndup(t->a, s, (size_t)(t->p - s))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    return DD_OK;
}

/* A value; *str is set when it is a string. Arrays and inline tables are read and dropped. */
static int parse_value(toml *t, const char **str, int depth)
{
    int rc;

    *str = NULL;
    if (t->p >= t->end)
        return toml_error(t, "expected a value");
    if (depth > ARRAY_DEPTH_MAX)
        return toml_error(t, "arrays nested too deep");
    if (*t->p == '"' || *t->p == '\'')
        return parse_string(t, str);
    if (*t->p == '[') {
        t->p++;
        for (;;) {
            const char *ignored;

            skip_space(t);
            if (t->p < t->end && *t->p == ']')
                break;
            if ((rc = parse_value(t, &ignored, depth + 1)) != DD_OK)
                return rc;
            skip_space(t);
            if (t->p < t->end && *t->p == ',') {
                t->p++;
                continue;
            }
            if (t->p < t->end && *t->p == ']')
                break;
            return toml_error(t, "expected \",\" or \"]\" in an array");
        }
        t->p++;
        return DD_OK;
    }
    if (*t->p == '{') {
        t->p++;
        skip_blank(t);
        if (t->p < t->end && *t->p == '}') {
            t->p++;
            return DD_OK;
        }
        for (;;) {
            const char *key, *ignored;

            skip_blank(t);
            if ((rc = parse_key(t, &key)) != DD_OK)
                return rc;
            skip_blank(t);
            if (t->p >= t->end || *t->p != '=')
                return toml_error(t, "expected \"=\" in an inline table");
            t->p++;
            skip_blank(t);
            if ((rc = parse_value(t, &ignored, depth + 1)) != DD_OK)
                return rc;
            skip_blank(t);
            if (t->p < t->end && *t->p == ',') {
                t->p++;
                continue;
            }
            if (t->p < t->end && *t->p == '}') {
                t->p++;
                return DD_OK;
            }
            return toml_error(t, "expected \",\" or \"}\" in an inline table");
        }
    }
    /* integers, booleans, dates: one bare token */
    {
        const char *s = t->p;

        while (t->p < t->end && (is_bare(*t->p) || *t->p == '+' || *t->p == '.' || *t->p == ':'))
            t->p++;
        if (t->p == s)
            return toml_error(t, "expected a value");
    }
    return DD_OK;
}

/* "[name]" or "[[name]]" with dotted keys joined by "." into *name. */
static int parse_header(toml *t, const char **name, int *array)
{
    dd_buf b = DD_BUF_INIT;
    int rc = DD_OK;

    t->p++;
    *array = t->p < t->end && *t->p == '[';
    if (*array)
        t->p++;
    for (;;) {
        const char *key;

        skip_blank(t);
        if ((rc = parse_key(t, &key)) != DD_OK)
            goto done;
        if ((b.len && (rc = dd_buf_putc(&b, '.')) != DD_OK) || (rc = dd_buf_puts(&b, key)) != DD_OK)
            goto done;
        skip_blank(t);
        if (t->p < t->end && *t->p == '.') {
            t->p++;
            continue;
        }
        break;
    }
    if (t->p >= t->end || *t->p != ']' || (*array && (t->end - t->p < 2 || t->p[1] != ']'))) {
        rc = toml_error(t, "unterminated table header");
        goto done;
    }
    t->p += *array ? 2 : 1;
    if (!(*name = dd_arena_strdup(t->a, b.data)))
        rc = dd_error_set(DD_ENOMEM, "out of memory");
done:
    dd_buf_dispose(&b);
    return rc;
}

/* "checksum NAME VERSION (SOURCE)" of format 1's [metadata]: the package it names. */
static lock_pkg *checksum_owner(lock_pkg *v, size_t n, const char *key)
{
    const char *name = key + strlen("checksum "), *sp1, *sp2;

    if (strncmp(key, "checksum ", 9) != 0 || !(sp1 = strchr(name, ' ')) ||
        !(sp2 = strchr(sp1 + 1, ' ')))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(v[i].name), vl = strlen(v[i].version), sl;

        if ((size_t)(sp1 - name) != nl || memcmp(name, v[i].name, nl) ||
            (size_t)(sp2 - sp1 - 1) != vl || memcmp(sp1 + 1, v[i].version, vl))
            continue;
        sl = v[i].source ? strlen(v[i].source) : 0;
        if (sp2[1] == '(' && strlen(sp2 + 2) == sl + 1 && sp2[2 + sl] == ')' && v[i].source &&
            memcmp(sp2 + 2, v[i].source, sl) == 0)
            return &v[i];
    }
    return NULL;
}

int dd_rust__parse_lock(dd_pkglist *out, const char *path, const char *data, size_t len)
{
    toml t = {.path = path, .p = data, .end = data + len, .line = 1, .a = out->arena};
    lock_pkg *pkgs = NULL, *cur = NULL;
    size_t n = 0, alloc = 0;
    enum { T_OTHER, T_PACKAGE, T_METADATA } table = T_OTHER;
    int rc = DD_OK;

    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        t.p += 3;
    for (;;) {
        const char *key, *value;

        skip_blank(&t);
        if (t.p >= t.end)
            break;
        if (*t.p == '#' || *t.p == '\n' || *t.p == '\r') {
            if ((rc = end_of_line(&t)) != DD_OK)
                goto done;
            continue;
        }
        if (*t.p == '[') {
            const char *name;
            int array;

            if ((rc = parse_header(&t, &name, &array)) != DD_OK)
                goto done;
            if (cur && (!cur->name || !cur->version)) {
                t.line = cur->line;
                rc = toml_error(&t,
                                cur->name ? "package without a version" : "package without a name");
                goto done;
            }
            cur = NULL;
            table = T_OTHER;
            /* format 1's [root] is the root package, a [[package]] by another name */
            if ((array && strcmp(name, "package") == 0) || (!array && strcmp(name, "root") == 0)) {
                if ((rc = DD_ARRAY_RESERVE(pkgs, alloc, n + 1, sizeof(*pkgs), 64)) != DD_OK)
                    goto done;
                cur = &pkgs[n++];
                *cur = (lock_pkg){.line = t.line};
                table = T_PACKAGE;
            } else if (!array && strcmp(name, "metadata") == 0) {
                table = T_METADATA;
            }
            if ((rc = end_of_line(&t)) != DD_OK)
                goto done;
            continue;
        }
        if ((rc = parse_key(&t, &key)) != DD_OK)
            goto done;
        skip_blank(&t);
        if (t.p < t.end && *t.p == '.') {
            rc = toml_error(&t, "dotted keys are not part of a Cargo.lock");
            goto done;
        }
        if (t.p >= t.end || *t.p != '=') {
            rc = toml_error(&t, "expected \"=\" after a key");
            goto done;
        }
        t.p++;
        skip_blank(&t);
        if ((rc = parse_value(&t, &value, 0)) != DD_OK)
            goto done;
        if (table == T_PACKAGE) {
            const char **field = strcmp(key, "name") == 0       ? &cur->name
                                 : strcmp(key, "version") == 0  ? &cur->version
                                 : strcmp(key, "source") == 0   ? &cur->source
                                 : strcmp(key, "checksum") == 0 ? &cur->checksum
                                                                : NULL;

            if (field && *field) {
                rc = toml_error(&t, "key given twice in one package");
                goto done;
            }
            if (field && !value) {
                rc = toml_error(&t, "package field is not a string");
                goto done;
            }
            if (field)
                *field = value;
        } else if (table == T_METADATA && value) {
            lock_pkg *owner = checksum_owner(pkgs, n, key);

            if (owner && !owner->checksum && strcmp(value, "<none>") != 0)
                owner->checksum = value;
        }
        if ((rc = end_of_line(&t)) != DD_OK)
            goto done;
    }
    if (cur && (!cur->name || !cur->version)) {
        t.line = cur->line;
        rc = toml_error(&t, cur->name ? "package without a version" : "package without a name");
    }

done:
    /* the packages read before any damage are kept (a half-read last one is not) */
    for (size_t i = 0; i < n; i++) {
        dd_package p = {.type = DD_PKG_CARGO,
                        .name = pkgs[i].name,
                        .version = pkgs[i].version,
                        .checksum = pkgs[i].checksum,
                        .path = path,
                        .db_path = path};
        int prc;

        if (!p.name || !p.version || !*p.name || !*p.version)
            continue;
        if ((prc = dd_pkglist__push(out, &p)) != DD_OK && rc == DD_OK)
            rc = prc;
    }
    dd_free(pkgs);
    return rc;
}

/* ---- cargo-auditable's .dep-v0 ---- */

static int inflate_all(dd_buf *out, const char *path, const void *data, size_t len)
{
    z_stream z;
    int zr, rc = DD_OK;

    memset(&z, 0, sizeof(z));
    if (inflateInit(&z) != Z_OK)
        return dd_error_set(DD_ENOMEM, "out of memory");
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
    do {
        if ((rc = dd_buf_grow(out, 64u << 10)) != DD_OK) {
            if (rc == DD_ELIMIT)
                rc = dd_error_set(DD_ELIMIT, "%s: .dep-v0: inflates to more than %u bytes", path,
                                  DEP_V0_JSON_MAX);
            goto done;
        }
        z.next_out = (Bytef *)out->data + out->len;
        z.avail_out = (uInt)(out->alloc - out->len - 1);
        zr = inflate(&z, Z_NO_FLUSH);
        out->len = (size_t)((char *)z.next_out - out->data);
        out->data[out->len] = '\0';
        if (zr != Z_OK && zr != Z_STREAM_END) {
            rc = dd_error_set(DD_EINVALID, "%s: .dep-v0: not zlib data (%s)", path,
                              z.msg               ? z.msg
                              : zr == Z_BUF_ERROR ? "truncated"
                                                  : "corrupt");
            goto done;
        }
        if (zr == Z_OK && z.avail_in == 0 && z.avail_out > 0) {
            rc = dd_error_set(DD_EINVALID, "%s: .dep-v0: truncated zlib data", path);
            goto done;
        }
    } while (zr != Z_STREAM_END);
done:
    inflateEnd(&z);
    return rc;
}

int dd_rust__parse_dep_v0(dd_pkglist *out, const char *path, const void *data, size_t len)
{
    dd_buf json = DD_BUF_INIT;
    json_error_t jerr;
    json_t *root = NULL, *pkgs;
    int rc;

    json.cap = DEP_V0_JSON_MAX;
    if ((rc = inflate_all(&json, path, data, len)) != DD_OK)
        goto done;
    if (!(root = json_loadb(json.data, json.len, JSON_REJECT_DUPLICATES, &jerr))) {
        rc = dd_error_set(DD_EINVALID, "%s: .dep-v0: line %d, column %d: %s", path, jerr.line,
                          jerr.column, jerr.text);
        goto done;
    }
    if (!json_is_object(root) || !json_is_array(pkgs = json_object_get(root, "packages"))) {
        rc = dd_error_set(DD_EINVALID, "%s: .dep-v0: no \"packages\" array", path);
        goto done;
    }
    for (size_t i = 0; i < json_array_size(pkgs); i++) {
        json_t *o = json_array_get(pkgs, i), *name, *version, *kind;
        dd_package p = {.type = DD_PKG_CARGO, .path = path, .db_path = path};

        name = json_object_get(o, "name");
        version = json_object_get(o, "version");
        kind = json_object_get(o, "kind");
        if (!json_is_object(o) || !json_is_string(name) || !json_string_length(name) ||
            !json_is_string(version) || !json_string_length(version) ||
            !json_is_string(json_object_get(o, "source")) || (kind && !json_is_string(kind))) {
            rc = dd_error_set(DD_EINVALID,
                              "%s: .dep-v0: packages[%zu]: needs string name, version and source",
                              path, i);
            goto done;
        }
        if (kind && strcmp(json_string_value(kind), "build") == 0)
            continue; /* only used to build the binary, not part of it */
        if (memchr(json_string_value(name), '\0', json_string_length(name)) ||
            memchr(json_string_value(version), '\0', json_string_length(version))) {
            rc = dd_error_set(DD_EINVALID, "%s: .dep-v0: packages[%zu]: NUL in a string", path, i);
            goto done;
        }
        if (!(p.name = dd_arena_strdup(out->arena, json_string_value(name))) ||
            !(p.version = dd_arena_strdup(out->arena, json_string_value(version)))) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
        if ((rc = dd_pkglist__push(out, &p)) != DD_OK)
            goto done;
    }
done:
    json_decref(root);
    dd_buf_dispose(&json);
    return rc;
}

/* ---- the cataloger ---- */

typedef struct {
    dd_inventory *inv;
    dd_pkglist squashed, hidden;
    int elf_warnings; /* the Go cataloger is off: ELF damage is reported here */
} rust_run;

static int is_lock(const char *path)
{
    return strcmp(dd_lang__basename(path), "Cargo.lock") == 0;
}

/* A parse result: damage in what the container sees is a warning, in hidden versions silence. */
static int settle(rust_run *r, int squashed, int rc)
{
    if (rc != DD_EINVALID && rc != DD_ELIMIT)
        return rc;
    rc = squashed ? dd_inventory__warn(r->inv, "%s", dd_error_message()) : DD_OK;
    dd_error_clear();
    return rc;
}

static int on_lock(const dd_entry *e, int squashed, const char *data, size_t len, int truncated,
                   void *payload)
{
    rust_run *r = payload;
    dd_pkglist *l = squashed ? &r->squashed : &r->hidden;
    size_t first = l->n;
    int rc = truncated
                 ? dd_error_set(DD_ELIMIT, "%s: larger than the %u-byte limit", e->path, LOCK_MAX)
                 : dd_rust__parse_lock(l, e->path, data, len);

    for (size_t i = first; i < l->n; i++)
        l->v[i].layer = e->layer;
    return settle(r, squashed, rc);
}

static int on_binary(rust_run *r, const dd_walk *w, const dd_entry *e, int squashed)
{
    dd_pkglist *l = squashed ? &r->squashed : &r->hidden;
    const unsigned char *data, *rec;
    size_t len, pos = 0, rec_len, first = l->n;
    int tag, rc = DD_OK;

    if ((e->type != DD_FT_REG && e->type != DD_FT_HARDLINK) ||
        dd_walk_extracted(w, e, (const void **)&data, &len) != DD_OK) {
        dd_error_clear();
        return DD_OK;
    }
    while (rc == DD_OK && dd_binary__next(data, len, &pos, &tag, &rec, &rec_len) == 1) {
        if (tag == DD_BINARY_DEP_V0)
            rc = settle(r, squashed, dd_rust__parse_dep_v0(l, e->path, rec, rec_len));
        else if (squashed &&
                 (tag == DD_BINARY_DEP_WARNING || (tag == DD_BINARY_WARNING && r->elf_warnings)))
            rc = dd_inventory__warn(r->inv, "%.*s", (int)rec_len, (const char *)rec);
    }
    for (size_t i = first; i < l->n; i++)
        l->v[i].layer = e->layer;
    return rc;
}

static int run(dd_inventory *inv, const dd_walk *w, const dd_catalog_opts *opts)
{
    rust_run r = {.inv = inv};
    dd_arena *a;
    int rc;

    r.elf_warnings = opts->pkg_types && !(opts->pkg_types & (1u << DD_PKG_GOLANG));
    if ((rc = dd_arena_new(&a)) != DD_OK)
        return rc;
    r.squashed.arena = r.hidden.arena = a;
    rc = dd_lang__each_file(w, opts, is_lock, on_lock, &r);
    for (size_t i = 0, n = dd_walk_count(w); rc == DD_OK && i < n; i++)
        rc = on_binary(&r, w, dd_walk_entry(w, i), 1);
    for (size_t i = 0, n = dd_walk_hidden_count(w);
         rc == DD_OK && opts->scope == DD_SCOPE_ALL_LAYERS && i < n; i++)
        rc = on_binary(&r, w, dd_walk_hidden(w, i), 0);
    if (rc == DD_OK)
        rc = dd_lang__emit(inv, opts, &r.squashed, &r.hidden);
    dd_pkglist__dispose(&r.squashed);
    dd_pkglist__dispose(&r.hidden);
    dd_arena_free(a);
    return rc;
}

static const char *const rust_globs[] = {"*Cargo.lock", NULL};

const dd_cataloger dd_cataloger_rust = {
    .name = "rust",
    .type = DD_PKG_CARGO,
    .globs = rust_globs,
    .max_bytes = LOCK_MAX,
    .run = run,
};
