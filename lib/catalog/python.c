/* The Python cataloger: installed distributions from *.dist-info/METADATA (files from RECORD),
 * *.egg-info/PKG-INFO (files from installed-files.txt), single-file *.egg-info and
 * *.egg/EGG-INFO/PKG-INFO. Names keep their spelling; the purl normalises them (PEP 503). */
#include "catalog/lang_int.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define METADATA_MAX (64u << 10) /* the header is what counts; long descriptions are cut */
#define RECORD_MAX   (4u << 20)
#define LICENSE_MAX  128 /* a longer License: is the license text, not its name */

/* --- core metadata (RFC 822 style header, then the description as body) --- */

typedef struct {
    const char *name, *version, *summary, *license, *license_expr;
    const char *author, *author_email, *maintainer, *maintainer_email;
    int license_multiline;
    const char **classifiers;
    size_t n_classifiers, classifiers_alloc;
} py_meta;

/* A header name as Python's email parser accepts it: printable ASCII but ":" and space. */
static size_t header_key_len(const char *line, size_t n)
{
    size_t i = 0;

    while (i < n && line[i] >= 0x21 && line[i] <= 0x7E && line[i] != ':')
        i++;
    return i > 0 && i < n && line[i] == ':' ? i : 0;
}

static char *value_dup(dd_arena *a, const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    if (!dd_lang__utf8_valid(s, n))
        return NULL;
    return dd_arena_strndup(a, s, n);
}

/* Classifier license names with one SPDX id each; others keep the classifier's last part. */
static const struct {
    const char *classifier, *spdx;
} classifier_ids[] = {
    {"License :: OSI Approved :: MIT License", "MIT"},
    {"License :: OSI Approved :: Apache Software License", "Apache-2.0"},
    {"License :: OSI Approved :: ISC License (ISCL)", "ISC"},
    {"License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"},
    {"License :: OSI Approved :: Python Software Foundation License", "PSF-2.0"},
    {"License :: OSI Approved :: GNU General Public License v2 (GPLv2)", "GPL-2.0-only"},
    {"License :: OSI Approved :: GNU General Public License v3 (GPLv3)", "GPL-3.0-only"},
    {"License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)",
     "GPL-2.0-or-later"},
    {"License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)",
     "GPL-3.0-or-later"},
    {"License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)",
     "LGPL-2.0-or-later"},
    {"License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)", "LGPL-3.0-only"},
    {"License :: OSI Approved :: The Unlicense (Unlicense)", "Unlicense"},
    {"License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication", "CC0-1.0"},
};

static const char *classifier_license(const char *c)
{
    const char *last;

    if (strncmp(c, "License ::", 10) != 0)
        return NULL;
    for (size_t i = 0; i < DD_ARRAY_SIZE(classifier_ids); i++)
        if (strcmp(c, classifier_ids[i].classifier) == 0)
            return classifier_ids[i].spdx;
    last = strstr(c, " :: ");
    while (last && strstr(last + 4, " :: "))
        last = strstr(last + 4, " :: ");
    return last ? last + 4 : NULL;
}

static int set_field(py_meta *m, dd_arena *a, const char *key, size_t klen, const char *v,
                     size_t vn)
{
    static const struct {
        const char *key;
        size_t off;
    } fields[] = {
        {"Name", offsetof(py_meta, name)},
        {"Version", offsetof(py_meta, version)},
        {"Summary", offsetof(py_meta, summary)},
        {"License", offsetof(py_meta, license)},
        {"License-Expression", offsetof(py_meta, license_expr)},
        {"Author", offsetof(py_meta, author)},
        {"Author-email", offsetof(py_meta, author_email)},
        {"Maintainer", offsetof(py_meta, maintainer)},
        {"Maintainer-email", offsetof(py_meta, maintainer_email)},
    };

    if (klen == 10 && strncasecmp(key, "Classifier", 10) == 0) {
        char *c = value_dup(a, v, vn);

        if (!c || strncmp(c, "License ::", 10) != 0)
            return DD_OK;
        if (DD_ARRAY_RESERVE(m->classifiers, m->classifiers_alloc, m->n_classifiers + 1,
                             sizeof(*m->classifiers), 4) != DD_OK)
            return DD_ENOMEM;
        m->classifiers[m->n_classifiers++] = c;
        return DD_OK;
    }
    for (size_t i = 0; i < DD_ARRAY_SIZE(fields); i++) {
        const char **slot = (const char **)((char *)m + fields[i].off);

        if (strlen(fields[i].key) != klen || strncasecmp(key, fields[i].key, klen) != 0)
            continue;
        /* the first occurrence counts, as email.message.Message.get() returns it */
        if (!*slot)
            *slot = value_dup(a, v, vn);
        return DD_OK;
    }
    return DD_OK;
}

static int has_nul(const char *s, size_t n)
{
    return memchr(s, '\0', n) != NULL;
}

static const char *person(dd_arena *a, const char *name, const char *email)
{
    size_t n;
    char *out;

    if (name && !*name)
        name = NULL;
    if (email && !*email)
        email = NULL;
    if (!name || !email || strchr(email, '<'))
        return name ? name : email;
    n = strlen(name) + strlen(email) + 4;
    if (!(out = dd_arena_alloc(a, n)))
        return name;
    memcpy(out, name, strlen(name));
    memcpy(out + strlen(name), " <", 2);
    memcpy(out + strlen(name) + 2, email, strlen(email));
    memcpy(out + n - 2, ">", 2);
    return out;
}

int dd_python__parse_metadata(dd_pkglist *out, const char *path, const char *data, size_t len,
                              int truncated)
{
    py_meta m = {0};
    dd_package p = {0};
    size_t pos = 0, lineno = 0, name_line = 0, version_line = 0;
    int in_header = 1, last_license = 0, have_line = 0, rc = DD_OK;

    while (pos < len && in_header) {
        const char *line = data + pos, *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos, klen;

        pos += n + (nl ? 1 : 0);
        lineno++;
        if (has_nul(line, n)) {
            rc = dd_error_set(DD_EINVALID, "%s:%zu: NUL byte", path, lineno);
            goto done;
        }
        if (n && line[n - 1] == '\r')
            n--;
        if (n == 0) {
            in_header = 0; /* the body: the description */
            break;
        }
        if (!nl && truncated)
            break; /* a line cut by the capture limit */
        if (line[0] == ' ' || line[0] == '\t') {
            if (!have_line) {
                rc = dd_error_set(DD_EINVALID, "%s:%zu: continuation line before any header", path,
                                  lineno);
                goto done;
            }
            if (last_license)
                m.license_multiline = 1;
            continue;
        }
        if (!(klen = header_key_len(line, n))) {
            rc =
                dd_error_set(DD_EINVALID, "%s:%zu: not a \"Key: value\" header line", path, lineno);
            goto done;
        }
        have_line = 1;
        last_license = klen == 7 && strncasecmp(line, "License", 7) == 0;
        if (klen == 4 && strncasecmp(line, "Name", 4) == 0 && !name_line)
            name_line = lineno;
        if (klen == 7 && strncasecmp(line, "Version", 7) == 0 && !version_line)
            version_line = lineno;
        if ((rc = set_field(&m, out->arena, line, klen, line + klen + 1, n - klen - 1)) != DD_OK)
            goto done;
    }
    if (!m.name || !*m.name || !m.version || !*m.version) {
        const char *what = !m.name || !*m.name ? "Name" : "Version";
        size_t at = !m.name || !*m.name ? name_line : version_line;

        if (in_header && truncated)
            rc = dd_error_set(DD_ELIMIT, "%s: the header is longer than the %u-byte capture limit",
                              path, METADATA_MAX);
        else if (at)
            rc = dd_error_set(DD_EINVALID, "%s:%zu: %s: is empty or not UTF-8", path, at, what);
        else
            rc = dd_error_set(DD_EINVALID, "%s: no %s: header", path, what);
        goto done;
    }
    p.type = DD_PKG_PYPI;
    p.name = m.name;
    p.version = m.version;
    p.description = m.summary && *m.summary ? m.summary : NULL;
    p.maintainer = person(out->arena, m.maintainer ? m.maintainer : m.author,
                          m.maintainer ? m.maintainer_email : m.author_email);
    p.db_path = path;
    if (m.license_expr && *m.license_expr) {
        p.license = m.license_expr;
    } else if (m.license && *m.license && !m.license_multiline &&
               strlen(m.license) <= LICENSE_MAX && strcmp(m.license, "UNKNOWN") != 0) {
        p.license = m.license;
    } else if (m.n_classifiers) {
        const char **v = dd_arena_alloc(out->arena, m.n_classifiers * sizeof(*v));
        size_t k = 0;

        if (!v) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < m.n_classifiers; i++) {
            const char *l = classifier_license(m.classifiers[i]);
            int dup = 0;

            for (size_t j = 0; l && j < k; j++)
                dup |= strcmp(v[j], l) == 0;
            if (l && !dup)
                v[k++] = l;
        }
        p.licenses = v;
        p.n_licenses = k;
        if (k == 1)
            p.license = v[0];
    }
    rc = dd_pkglist__push(out, &p);
done:
    dd_free(m.classifiers);
    return rc;
}

/* --- RECORD and installed-files.txt --- */

/* Appends the normalised "base/rel" (or "rel" from the root when it starts with "/") to `b`.
 * Returns 0 when the path climbs above the image root or is empty. */
static int resolve(dd_buf *b, const char *base, const char *rel, size_t n)
{
    size_t start;

    dd_buf_clear(b);
    if (!(n && rel[0] == '/') && *base && dd_buf_puts(b, base) != DD_OK)
        return 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;

        while (j < n && rel[j] != '/')
            j++;
        if ((j - i == 1 && rel[i] == '.') || j == i) {
            /* "." and empty components */
        } else if (j - i == 2 && rel[i] == '.' && rel[i + 1] == '.') {
            char *slash;

            if (b->len == 0)
                return 0;
            slash = strrchr(b->data, '/');
            start = slash ? (size_t)(slash - b->data) : 0;
            b->len = start;
            b->data[start] = '\0';
        } else {
            if ((b->len && dd_buf_putc(b, '/') != DD_OK) || dd_buf_put(b, rel + i, j - i) != DD_OK)
                return 0;
        }
        i = j + 1;
    }
    return b->len > 0;
}

int dd_python__parse_record(const char ***out, size_t *n, dd_arena *a, const char *base,
                            const char *data, size_t len, int csv)
{
    const char **v = NULL;
    size_t count = 0, alloc = 0, pos = 0;
    dd_buf field = DD_BUF_INIT, full = DD_BUF_INIT;
    int rc = DD_OK;

    *out = NULL;
    *n = 0;
    while (pos < len && rc == DD_OK) {
        const char *line = data + pos, *nl = memchr(line, '\n', len - pos);
        size_t ln = nl ? (size_t)(nl - line) : len - pos;
        char *copy;

        pos += ln + (nl ? 1 : 0);
        if (ln && line[ln - 1] == '\r')
            ln--;
        dd_buf_clear(&field);
        if (csv && ln && line[0] == '"') {
            /* a quoted field: "" is one quote */
            size_t i = 1;

            while (i < ln && rc == DD_OK) {
                if (line[i] == '"' && i + 1 < ln && line[i + 1] == '"') {
                    rc = dd_buf_putc(&field, '"');
                    i += 2;
                } else if (line[i] == '"') {
                    break;
                } else {
                    rc = dd_buf_putc(&field, line[i++]);
                }
            }
        } else {
            const char *comma = csv ? memchr(line, ',', ln) : NULL;

            rc = dd_buf_put(&field, line, comma ? (size_t)(comma - line) : ln);
        }
        if (rc != DD_OK)
            break;
        if (field.len == 0 || memchr(field.data, '\0', field.len) ||
            !resolve(&full, base, field.data, field.len))
            continue;
        if (DD_ARRAY_RESERVE(v, alloc, count + 1, sizeof(*v), 64) != DD_OK) {
            rc = DD_ENOMEM;
            break;
        }
        if (!(copy = dd_arena_strndup(a, full.data, full.len))) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            break;
        }
        v[count++] = copy;
    }
    if (rc == DD_OK && count) {
        const char **c = dd_arena_alloc(a, count * sizeof(*c));

        if (!c) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
        } else {
            memcpy(c, v, count * sizeof(*c));
            *out = c;
            *n = count;
        }
    }
    dd_free(v);
    dd_buf_dispose(&field);
    dd_buf_dispose(&full);
    return rc;
}

/* --- running over a walk --- */

static int ends_with(const char *s, size_t n, const char *suffix)
{
    size_t m = strlen(suffix);

    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

typedef enum {
    PY_NONE = 0,
    PY_DIST_INFO, /* NAME.dist-info/METADATA */
    PY_EGG_INFO,  /* NAME.egg-info/PKG-INFO */
    PY_EGG_FILE,  /* NAME.egg-info, a file */
    PY_EGG_DIR,   /* NAME.egg/EGG-INFO/PKG-INFO */
} py_kind;

static py_kind kind_of(const char *path)
{
    const char *base = dd_lang__basename(path);
    size_t dn = base > path ? (size_t)(base - path - 1) : 0;

    if (strcmp(base, "METADATA") == 0 && ends_with(path, dn, ".dist-info"))
        return PY_DIST_INFO;
    if (strcmp(base, "PKG-INFO") == 0) {
        if (ends_with(path, dn, ".egg-info"))
            return PY_EGG_INFO;
        if (ends_with(path, dn, "/EGG-INFO") || (dn == 8 && memcmp(path, "EGG-INFO", 8) == 0)) {
            size_t gn = dn >= 9 ? dn - 9 : 0;

            if (ends_with(path, gn, ".egg"))
                return PY_EGG_DIR;
        }
        return PY_NONE;
    }
    if (ends_with(base, strlen(base), ".egg-info") && strlen(base) > 9)
        return PY_EGG_FILE;
    return PY_NONE;
}

static int match(const char *path)
{
    return kind_of(path) != PY_NONE;
}

typedef struct {
    dd_inventory *inv;
    const dd_walk *w;
    dd_arena *arena;
    dd_pkglist squashed, hidden;
} py_run;

/* The files of a squashed distribution from its RECORD or installed-files.txt. */
static int attach_files(py_run *r, dd_package *p, py_kind kind)
{
    const char *list, *base;
    const dd_entry *e;
    const void *data;
    size_t len;
    int truncated = 0, rc;

    if (kind == PY_DIST_INFO) {
        list = dd_lang__join(r->arena, p->path, "RECORD");
        base = dd_lang__dirname(r->arena, p->path);
    } else if (kind == PY_EGG_INFO) {
        list = dd_lang__join(r->arena, p->path, "installed-files.txt");
        base = p->path;
    } else {
        return DD_OK;
    }
    if (!list || !base)
        return dd_error_set(DD_ENOMEM, "out of memory");
    e = dd_walk_lookup(r->w, list);
    if (!e || e->type != DD_FT_REG || dd_walk_content(r->w, e, &data, &len, &truncated) != DD_OK) {
        dd_error_clear();
        return DD_OK;
    }
    if (truncated) {
        /* the last line may be cut */
        const char *nl = len ? memrchr(data, '\n', len) : NULL;

        len = nl ? (size_t)(nl - (const char *)data) + 1 : 0;
        if ((rc = dd_inventory__warn(r->inv,
                                     "%s: larger than the %u-byte capture limit: the file list "
                                     "is cut",
                                     list, RECORD_MAX)) != DD_OK)
            return rc;
    }
    return dd_python__parse_record((const char ***)&p->files, &p->n_files, r->arena, base, data,
                                   len, kind == PY_DIST_INFO);
}

static int on_file(const dd_entry *e, int squashed, const char *data, size_t len, int truncated,
                   void *payload)
{
    py_run *r = payload;
    dd_pkglist *l = squashed ? &r->squashed : &r->hidden;
    py_kind kind = kind_of(e->path);
    dd_package *p;
    int rc = dd_python__parse_metadata(l, e->path, data, len, truncated);

    if (rc == DD_EINVALID || rc == DD_ELIMIT) {
        /* a language file is no package database: a warning, the rest is still cataloged */
        rc = squashed ? dd_inventory__warn(r->inv, "%s", dd_error_message()) : DD_OK;
        dd_error_clear();
        return rc;
    }
    if (rc != DD_OK)
        return rc;
    p = &l->v[l->n - 1];
    p->layer = e->layer;
    switch (kind) {
    case PY_DIST_INFO:
    case PY_EGG_INFO:
        p->path = dd_lang__dirname(r->arena, e->path);
        break;
    case PY_EGG_DIR: {
        char *d = dd_lang__dirname(r->arena, e->path);

        p->path = d ? dd_lang__dirname(r->arena, d) : NULL;
        break;
    }
    default:
        p->path = e->path;
        break;
    }
    if (!p->path)
        return dd_error_set(DD_ENOMEM, "out of memory");
    return squashed ? attach_files(r, p, kind) : DD_OK;
}

static int python_run(dd_inventory *inv, const dd_walk *w, const dd_catalog_opts *opts)
{
    py_run r = {.inv = inv, .w = w};
    int rc;

    if ((rc = dd_arena_new(&r.arena)) != DD_OK)
        return rc;
    r.squashed.arena = r.arena;
    r.hidden.arena = r.arena;
    rc = dd_lang__each_file(w, opts, match, on_file, &r);
    if (rc == DD_OK)
        rc = dd_lang__emit(inv, opts, &r.squashed, &r.hidden);
    dd_pkglist__dispose(&r.squashed);
    dd_pkglist__dispose(&r.hidden);
    dd_arena_free(r.arena);
    return rc;
}

static const char *const python_globs[] = {
    "*.dist-info/METADATA",
    "*.dist-info/RECORD",
    "*.egg-info/PKG-INFO",
    "*.egg-info/installed-files.txt",
    "*.egg-info",
    "*.egg/EGG-INFO/PKG-INFO",
    NULL,
};

static const uint64_t python_glob_max[] = {
    METADATA_MAX, RECORD_MAX, METADATA_MAX, RECORD_MAX, METADATA_MAX, METADATA_MAX,
};

const dd_cataloger dd_cataloger_python = {
    .name = "python",
    .type = DD_PKG_PYPI,
    .globs = python_globs,
    .glob_max_bytes = python_glob_max,
    .max_bytes = METADATA_MAX,
    .run = python_run,
};
