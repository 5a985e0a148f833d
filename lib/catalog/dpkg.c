/* The dpkg cataloger: var/lib/dpkg/status and distroless var/lib/dpkg/status.d/ (deb822
 * paragraphs), owned files from info/NAME[:ARCH].list or status.d/NAME.md5sums, licenses from
 * usr/share/doc/NAME/copyright. */
#include "catalog/catalog_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define STATUS_PATH    "var/lib/dpkg/status"
#define STATUS_D       "var/lib/dpkg/status.d/"
#define INFO_DIR       "var/lib/dpkg/info/"
#define STATUS_MAX     (256ull << 20)
#define COPYRIGHT_MAX  (1ull << 20)

typedef struct {
    dd_package pkg;
    const char *status; /* Status: value, NULL when absent */
    size_t status_len;
    size_t first_line;
    int has_fields;
} deb_para;

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

static char *trimmed_dup(dd_arena *a, const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return dd_arena_strndup(a, s, n);
}

/* "install ok installed": the third word is the package's state; only "installed" counts (the
 * want word may be install, hold, deinstall or purge: the files are there until it happens). */
static int status_installed(const char *path, size_t line, const char *s, size_t n, int *out)
{
    const char *words[3];
    size_t lens[3], nw = 0, i = 0;

    while (i < n) {
        while (i < n && isspace((unsigned char)s[i]))
            i++;
        if (i == n)
            break;
        if (nw == 3)
            return dd_error_set(DD_EINVALID, "%s:%zu: Status: has more than three words", path,
                                line);
        words[nw] = s + i;
        while (i < n && !isspace((unsigned char)s[i]))
            i++;
        lens[nw] = (size_t)(s + i - words[nw]);
        nw++;
    }
    if (nw != 3)
        return dd_error_set(DD_EINVALID, "%s:%zu: Status: is not \"WANT FLAG STATE\"", path,
                            line);
    *out = lens[2] == 9 && memcmp(words[2], "installed", 9) == 0;
    return DD_OK;
}

static int finish(dd_pkglist *out, const char *path, deb_para *p, int status_d)
{
    int installed = status_d; /* distroless status.d files carry no Status: */
    int rc;

    if (!p->has_fields)
        return DD_OK;
    if (!p->pkg.name)
        return dd_error_set(DD_EINVALID, "%s:%zu: paragraph without Package:", path,
                            p->first_line);
    if (p->status &&
        (rc = status_installed(path, p->first_line, p->status, p->status_len, &installed)) !=
            DD_OK)
        return rc;
    if (installed) {
        if (!p->pkg.version)
            return dd_error_set(DD_EINVALID, "%s:%zu: installed package %s has no Version:",
                                path, p->first_line, p->pkg.name);
        p->pkg.type = DD_PKG_DEB;
        p->pkg.db_path = path;
        if (!p->pkg.source_name)
            p->pkg.source_name = p->pkg.name;
        if (!p->pkg.source_version)
            p->pkg.source_version = p->pkg.version;
        if ((rc = dd_pkglist__push(out, &p->pkg)) != DD_OK)
            return rc;
    }
    memset(p, 0, sizeof(*p));
    return DD_OK;
}

static int parse_source(dd_arena *a, deb_para *p, const char *path, size_t line, const char *v,
                        size_t n)
{
    const char *open = memchr(v, '(', n);

    if (!open) {
        p->pkg.source_name = trimmed_dup(a, v, n);
        return p->pkg.source_name ? DD_OK : dd_error_set(DD_ENOMEM, "out of memory");
    }
    {
        const char *close = memchr(open, ')', n - (size_t)(open - v));

        if (!close)
            return dd_error_set(DD_EINVALID, "%s:%zu: Source: version without \")\"", path, line);
        p->pkg.source_name = trimmed_dup(a, v, (size_t)(open - v));
        p->pkg.source_version = trimmed_dup(a, open + 1, (size_t)(close - open - 1));
        if (!p->pkg.source_name || !p->pkg.source_version)
            return dd_error_set(DD_ENOMEM, "out of memory");
        if (!*p->pkg.source_name || !*p->pkg.source_version)
            return dd_error_set(DD_EINVALID, "%s:%zu: empty name or version in Source:", path,
                                line);
    }
    return DD_OK;
}

static int parse_size(uint64_t *out, const char *s, size_t n)
{
    uint64_t v = 0;

    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || n > 15)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v * 1024; /* Installed-Size is in KiB */
    return 0;
}

int dd_dpkg__parse_status(dd_pkglist *out, const char *path, const char *data, size_t len,
                          int status_d)
{
    deb_para p = {0};
    size_t pos = 0, lineno = 0;
    int rc = DD_OK, in_field = 0;

    while (pos < len && rc == DD_OK) {
        const char *line = data + pos, *nl = memchr(line, '\n', len - pos), *colon;
        size_t n = nl ? (size_t)(nl - line) : len - pos, klen;
        const char *v;
        size_t vn;

        pos += n + (nl ? 1 : 0);
        lineno++;
        if (memchr(line, '\0', n))
            return dd_error_set(DD_EINVALID, "%s:%zu: NUL byte", path, lineno);
        if (is_blank(line, n)) {
            rc = finish(out, path, &p, status_d);
            in_field = 0;
            continue;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            if (!in_field)
                return dd_error_set(DD_EINVALID, "%s:%zu: continuation line outside a field",
                                    path, lineno);
            continue; /* Description, Conffiles and the like: not needed */
        }
        if (line[0] == '#' && !p.has_fields)
            continue;
        colon = memchr(line, ':', n);
        if (!colon || colon == line)
            return dd_error_set(DD_EINVALID, "%s:%zu: not a \"Field: value\" line", path, lineno);
        if (!p.has_fields) {
            p.has_fields = 1;
            p.first_line = lineno;
        }
        in_field = 1;
        klen = (size_t)(colon - line);
        v = colon + 1;
        vn = n - klen - 1;
#define FIELD(name) (klen == sizeof(name) - 1 && strncasecmp(line, name, klen) == 0)
        if (FIELD("Package")) {
            if (!(p.pkg.name = trimmed_dup(out->arena, v, vn)))
                return dd_error_set(DD_ENOMEM, "out of memory");
            if (!*p.pkg.name)
                return dd_error_set(DD_EINVALID, "%s:%zu: empty Package:", path, lineno);
        } else if (FIELD("Version")) {
            if (!(p.pkg.version = trimmed_dup(out->arena, v, vn)))
                return dd_error_set(DD_ENOMEM, "out of memory");
            if (!*p.pkg.version)
                return dd_error_set(DD_EINVALID, "%s:%zu: empty Version:", path, lineno);
        } else if (FIELD("Architecture")) {
            if (!(p.pkg.arch = trimmed_dup(out->arena, v, vn)))
                return dd_error_set(DD_ENOMEM, "out of memory");
        } else if (FIELD("Maintainer")) {
            if (!(p.pkg.maintainer = trimmed_dup(out->arena, v, vn)))
                return dd_error_set(DD_ENOMEM, "out of memory");
        } else if (FIELD("Description")) {
            if (!(p.pkg.description = trimmed_dup(out->arena, v, vn)))
                return dd_error_set(DD_ENOMEM, "out of memory");
        } else if (FIELD("Status")) {
            p.status = v;
            p.status_len = vn;
        } else if (FIELD("Source")) {
            if ((rc = parse_source(out->arena, &p, path, lineno, v, vn)) != DD_OK)
                return rc;
        } else if (FIELD("Installed-Size")) {
            if (parse_size(&p.pkg.installed_size, v, vn) != 0)
                return dd_error_set(DD_EINVALID, "%s:%zu: Installed-Size: is not a number",
                                    path, lineno);
        }
#undef FIELD
    }
    if (rc != DD_OK)
        return rc;
    /* dpkg ends every paragraph of its status file with a blank line: one left open means the
     * file was cut, maybe inside the last field, so that package is not kept */
    if (p.has_fields && !status_d)
        return dd_error_set(DD_EINVALID,
                            "%s:%zu: truncated: the paragraph that starts on line %zu does not "
                            "end with a blank line",
                            path, lineno, p.first_line);
    return finish(out, path, &p, status_d);
}

int dd_dpkg__parse_filelist(const char ***out, size_t *n, dd_arena *a, const char *data,
                            size_t len, int md5sums)
{
    const char **v = NULL;
    size_t count = 0, pos = 0, lines = 0;
    char *copy;

    *out = NULL;
    *n = 0;
    for (const char *p = data, *end = data + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        lines++;
    lines++;
    /* one copy of the whole list; each path is cut out of it in place */
    if (!(v = dd_arena_alloc(a, lines * sizeof(*v))) || !(copy = dd_arena_alloc(a, len + 1)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    memcpy(copy, data, len);
    copy[len] = '\0';
    while (pos < len) {
        char *line = copy + pos, *nl = memchr(line, '\n', len - pos);
        size_t ln = nl ? (size_t)(nl - line) : len - pos;

        pos += ln + (nl ? 1 : 0);
        if (md5sums) {
            /* "<32 hex>  path" */
            char *sp = memchr(line, ' ', ln);

            if (!sp)
                continue;
            while (sp < line + ln && *sp == ' ')
                sp++;
            ln -= (size_t)(sp - line);
            line = sp;
        }
        while (ln && line[ln - 1] == '\r')
            ln--;
        while (ln && *line == '/')
            line++, ln--;
        if (ln == 0 || (ln == 1 && line[0] == '.'))
            continue;
        line[ln] = '\0'; /* a '\n' or '\r' of the copy, or its final NUL */
        v[count++] = line;
    }
    *out = v;
    *n = count;
    return DD_OK;
}

/* --- running over a walk --- */

static const char *const dpkg_globs[] = {
    STATUS_PATH,
    STATUS_D "*",
    INFO_DIR "*.list",
    "usr/share/doc/*/copyright",
    NULL,
};

/* Captured bytes of the squashed file at `path` (symlinks followed when `follow`). */
static int squashed_content(const dd_walk *w, const char *path, int follow, const char **data,
                            size_t *len)
{
    const dd_entry *e = NULL;
    const void *d;

    if (follow) {
        if (dd_walk_resolve(w, path, &e) != DD_OK)
            e = NULL;
    } else {
        e = dd_walk_lookup(w, path);
    }
    if (!e || e->type != DD_FT_REG || dd_walk_content(w, e, &d, len, NULL) != DD_OK) {
        dd_error_clear();
        return DD_ENOTFOUND;
    }
    *data = d;
    return DD_OK;
}

/* Files and licenses of the packages a container sees. */
static int attach_evidence(const dd_walk *w, dd_pkglist *l, int status_d)
{
    dd_buf path = DD_BUF_INIT;
    int rc = DD_OK;

    for (size_t i = 0; i < l->n && rc == DD_OK; i++) {
        dd_package *p = &l->v[i];
        const char *data;
        size_t len;
        int found = 0;

        /* Multi-Arch: same packages keep their list as NAME:ARCH.list */
        if (status_d) {
            dd_buf_clear(&path);
            if ((rc = dd_buf_printf(&path, STATUS_D "%s.md5sums", p->name)) != DD_OK)
                break;
            found = squashed_content(w, path.data, 0, &data, &len) == DD_OK;
            if (found)
                rc = dd_dpkg__parse_filelist((const char ***)&p->files, &p->n_files, l->arena,
                                             data, len, 1);
        }
        for (int pass = 0; pass < 2 && !found && rc == DD_OK; pass++) {
            dd_buf_clear(&path);
            if (pass == 0 && !p->arch)
                continue;
            rc = pass == 0 ? dd_buf_printf(&path, INFO_DIR "%s:%s.list", p->name, p->arch)
                           : dd_buf_printf(&path, INFO_DIR "%s.list", p->name);
            if (rc != DD_OK)
                break;
            found = squashed_content(w, path.data, 0, &data, &len) == DD_OK;
            if (found)
                rc = dd_dpkg__parse_filelist((const char ***)&p->files, &p->n_files, l->arena,
                                             data, len, 0);
        }
        if (rc != DD_OK)
            break;
        dd_buf_clear(&path);
        if ((rc = dd_buf_printf(&path, "usr/share/doc/%s/copyright", p->name)) != DD_OK)
            break;
        if (squashed_content(w, path.data, 1, &data, &len) == DD_OK) {
            rc = dd_copyright__licenses((const char ***)&p->licenses, &p->n_licenses, l->arena,
                                        data, len);
            if (rc == DD_OK && p->n_licenses == 1)
                p->license = p->licenses[0];
        }
    }
    dd_buf_dispose(&path);
    return rc;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

typedef struct {
    const char **v;
    size_t n, alloc;
} path_set;

static int path_set_add(path_set *s, const char *p)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], p) == 0)
            return DD_OK;
    if (DD_ARRAY_RESERVE(s->v, s->alloc, s->n + 1, sizeof(*s->v), 16) !=
        DD_OK)
        return DD_ENOMEM;
    s->v[s->n++] = p;
    return DD_OK;
}

/* The database files: the status file and every status.d paragraph file, squashed or (for
 * all-layers) hidden, in path order. */
static int database_paths(path_set *out, const dd_walk *w, int hidden)
{
    size_t plen = strlen(STATUS_D);
    int rc = path_set_add(out, STATUS_PATH);

    for (size_t i = 0, n = dd_walk_count(w); i < n && rc == DD_OK; i++) {
        const dd_entry *e = dd_walk_entry(w, i);

        if (strncmp(e->path, STATUS_D, plen) == 0 && e->type == DD_FT_REG &&
            !strchr(e->path + plen, '/') && !ends_with(e->path, ".md5sums"))
            rc = path_set_add(out, e->path);
    }
    for (size_t i = 0, n = hidden ? dd_walk_hidden_count(w) : 0; i < n && rc == DD_OK; i++) {
        const dd_entry *e = dd_walk_hidden(w, i);

        if (strncmp(e->path, STATUS_D, plen) == 0 && e->type == DD_FT_REG &&
            !strchr(e->path + plen, '/') && !ends_with(e->path, ".md5sums"))
            rc = path_set_add(out, e->path);
    }
    return rc;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int dpkg_run(dd_inventory *inv, const dd_walk *w, const dd_catalog_opts *opts)
{
    path_set paths = {0};
    dd_dbver *v = NULL;
    size_t nv = 0, av = 0;
    dd_arena *arena = NULL;
    int rc;

    if ((rc = dd_arena_new(&arena)) != DD_OK)
        return rc;
    if ((rc = database_paths(&paths, w, 1)) != DD_OK)
        goto done;
    if (paths.n > 1)
        qsort(paths.v, paths.n, sizeof(*paths.v), cmp_path);
    for (size_t k = 0; k < paths.n; k++) {
        const dd_entry **ents = NULL;
        size_t ne = 0;
        int status_d = strcmp(paths.v[k], STATUS_PATH) != 0;

        if ((rc = dd_catalog__versions(&ents, &ne, w, paths.v[k], 1)) != DD_OK)
            goto done;
        for (size_t i = 0; i < ne && rc == DD_OK; i++) {
            const void *data;
            size_t len;
            int truncated = 0;
            dd_dbver *cur;

            if (nv == av) {
                size_t na = av ? av * 2 : 8;
                dd_dbver *g = dd_realloc(v, na * sizeof(*g));

                if (!g) {
                    rc = dd_error_set(DD_ENOMEM, "out of memory");
                    break;
                }
                v = g;
                av = na;
            }
            cur = &v[nv++];
            memset(cur, 0, sizeof(*cur));
            cur->db_path = ents[i]->path;
            cur->layer = ents[i]->layer;
            cur->squashed = ents[i]->hidden == DD_HIDDEN_NONE;
            cur->pkgs.arena = arena;
            if ((rc = dd_walk_content(w, ents[i], &data, &len, &truncated)) != DD_OK)
                break;
            rc = dd_dpkg__parse_status(&cur->pkgs, cur->db_path, data, len, status_d);
            if (rc == DD_OK && truncated)
                rc = dd_error_set(DD_ELIMIT, "%s: larger than the %llu-byte capture limit",
                                  cur->db_path, (unsigned long long)STATUS_MAX);
            if (rc == DD_EINVALID || rc == DD_ELIMIT) {
                /* the packages before the damage are kept; a damaged version the container
                 * does not see only costs layer attribution */
                rc = cur->squashed ? dd_inventory__damage(inv) : DD_OK;
                dd_error_clear();
            }
            if (rc == DD_OK && cur->squashed)
                rc = attach_evidence(w, &cur->pkgs, status_d);
        }
        dd_free(ents);
        if (rc != DD_OK)
            goto done;
    }
    rc = dd_catalog__emit(inv, opts, v, nv);
done:
    for (size_t i = 0; i < nv; i++)
        dd_pkglist__dispose(&v[i].pkgs);
    dd_free(v);
    dd_free(paths.v);
    dd_arena_free(arena);
    return rc;
}

const dd_cataloger dd_cataloger_dpkg = {
    .name = "dpkg",
    .type = DD_PKG_DEB,
    .globs = dpkg_globs,
    .max_bytes = STATUS_MAX,
    .run = dpkg_run,
};
