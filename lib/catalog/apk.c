/* The apk cataloger: Alpine's lib/apk/db/installed ("X:value" lines, one paragraph per
 * package, F:/R: naming the files each package owns). */
#include "catalog/catalog_int.h"

#include <stdlib.h>
#include <string.h>

#define APK_DB_PATH  "lib/apk/db/installed"
#define APK_DB_MAX   (256ull << 20)

typedef struct {
    dd_package pkg;
    const char *dir; /* current F: directory */
    size_t dir_len;
    const char **files;
    size_t n_files, files_alloc;
    size_t first_line; /* line of the paragraph's first field */
    int has_fields;
} apk_para;

static int add_file(dd_arena *a, apk_para *p, const char *name, size_t n)
{
    char *path;
    size_t len = p->dir_len ? p->dir_len + 1 + n : n;

    if (p->n_files == p->files_alloc) {
        size_t na = p->files_alloc ? p->files_alloc * 2 : 16;
        const char **nv = dd_arena_alloc(a, na * sizeof(*nv));

        if (!nv)
            return dd_error_set(DD_ENOMEM, "out of memory");
        if (p->n_files)
            memcpy(nv, p->files, p->n_files * sizeof(*nv));
        p->files = nv;
        p->files_alloc = na;
    }
    if (!(path = dd_arena_alloc(a, len + 1)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (p->dir_len) {
        memcpy(path, p->dir, p->dir_len);
        path[p->dir_len] = '/';
        memcpy(path + p->dir_len + 1, name, n);
    } else {
        memcpy(path, name, n);
    }
    path[len] = '\0';
    p->files[p->n_files++] = path;
    return DD_OK;
}

static int finish(dd_pkglist *out, const char *path, apk_para *p)
{
    int rc;

    if (!p->has_fields)
        return DD_OK;
    if (!p->pkg.name || !p->pkg.version) {
        return dd_error_set(DD_EINVALID, "%s:%zu: package without %s", path, p->first_line,
                            p->pkg.name ? "V: (version)" : "P: (name)");
    }
    p->pkg.type = DD_PKG_APK;
    p->pkg.db_path = path;
    p->pkg.files = p->files;
    p->pkg.n_files = p->n_files;
    if (!p->pkg.source_name)
        p->pkg.source_name = p->pkg.name;
    p->pkg.source_version = p->pkg.version;
    rc = dd_pkglist__push(out, &p->pkg);
    memset(p, 0, sizeof(*p));
    return rc;
}

static int parse_u64(uint64_t *out, const char *s, size_t n)
{
    uint64_t v = 0;

    if (n == 0 || n > 19)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

int dd_apk__parse(dd_pkglist *out, const char *path, const char *data, size_t len)
{
    apk_para p = {0};
    size_t pos = 0, lineno = 0;
    int rc = DD_OK;

    while (pos < len && rc == DD_OK) {
        const char *line = data + pos, *nl = memchr(line, '\n', len - pos), *v;
        size_t n = nl ? (size_t)(nl - line) : len - pos, vn;
        const char **field = NULL;
        char *s;

        pos += n + (nl ? 1 : 0);
        lineno++;
        if (n && line[n - 1] == '\r')
            n--;
        if (n == 0) {
            rc = finish(out, path, &p);
            continue;
        }
        if (n < 2 || line[1] != ':')
            return dd_error_set(DD_EINVALID, "%s:%zu: not a \"X:value\" line", path, lineno);
        if (memchr(line, '\0', n))
            return dd_error_set(DD_EINVALID, "%s:%zu: NUL byte", path, lineno);
        if (!p.has_fields) {
            p.has_fields = 1;
            p.first_line = lineno;
        }
        v = line + 2;
        vn = n - 2;
        switch (line[0]) {
        case 'P':
            field = &p.pkg.name;
            break;
        case 'V':
            field = &p.pkg.version;
            break;
        case 'A':
            field = &p.pkg.arch;
            break;
        case 'L':
            field = &p.pkg.license;
            break;
        case 'o':
            field = &p.pkg.source_name;
            break;
        case 'm':
            field = &p.pkg.maintainer;
            break;
        case 'c':
            field = &p.pkg.commit;
            break;
        case 'T':
            field = &p.pkg.description;
            break;
        case 'I':
            if (parse_u64(&p.pkg.installed_size, v, vn) != 0)
                return dd_error_set(DD_EINVALID, "%s:%zu: I: is not a number", path, lineno);
            break;
        case 'F':
            p.dir = v;
            p.dir_len = vn;
            while (p.dir_len && p.dir[p.dir_len - 1] == '/')
                p.dir_len--;
            break;
        case 'R':
            if (vn == 0 || memchr(v, '/', vn))
                return dd_error_set(DD_EINVALID, "%s:%zu: R: is not a file name", path, lineno);
            rc = add_file(out->arena, &p, v, vn);
            break;
        default:
            /* C S U t D p r i q k M a Z and future fields: not needed for the inventory */
            break;
        }
        if (field) {
            if (vn == 0 && (line[0] == 'P' || line[0] == 'V'))
                return dd_error_set(DD_EINVALID, "%s:%zu: empty %c:", path, lineno, line[0]);
            if (!(s = dd_arena_strndup(out->arena, v, vn)))
                return dd_error_set(DD_ENOMEM, "out of memory");
            *field = s;
        }
    }
    /* apk ends every package with a blank line: a paragraph left open is a cut file, and its
     * last field may be cut too, so the package is not kept */
    if (rc == DD_OK && p.has_fields)
        rc = dd_error_set(DD_EINVALID,
                          "%s:%zu: truncated: the package that starts on line %zu does not end "
                          "with a blank line",
                          path, lineno, p.first_line);
    return rc;
}

static const char *const apk_globs[] = {APK_DB_PATH, NULL};

static int apk_run(dd_inventory *inv, const dd_walk *w, const dd_catalog_opts *opts)
{
    const dd_entry **ents = NULL;
    dd_dbver *v = NULL;
    dd_arena *arena = NULL;
    size_t n = 0;
    int rc;

    if ((rc = dd_catalog__versions(&ents, &n, w, APK_DB_PATH, 1)) != DD_OK || n == 0)
        return rc;
    if ((rc = dd_arena_new(&arena)) != DD_OK)
        goto done;
    if (!(v = dd_calloc(n, sizeof(*v)))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const void *data;
        size_t len;
        int truncated = 0;

        v[i].db_path = APK_DB_PATH;
        v[i].layer = ents[i]->layer;
        v[i].squashed = ents[i]->hidden == DD_HIDDEN_NONE;
        v[i].pkgs.arena = arena;
        if ((rc = dd_walk_content(w, ents[i], &data, &len, &truncated)) != DD_OK)
            goto done;
        rc = dd_apk__parse(&v[i].pkgs, APK_DB_PATH, data, len);
        if (rc == DD_OK && truncated)
            rc = dd_error_set(DD_ELIMIT, "%s: larger than the %llu-byte capture limit",
                              APK_DB_PATH, (unsigned long long)APK_DB_MAX);
        if (rc == DD_EINVALID || rc == DD_ELIMIT) {
            /* damage in a version the container does not see only costs attribution */
            if (v[i].squashed)
                rc = dd_inventory__damage(inv);
            else
                rc = DD_OK;
            dd_error_clear();
        }
        if (rc != DD_OK)
            goto done;
    }
    rc = dd_catalog__emit(inv, opts, v, n);
done:
    for (size_t i = 0; v && i < n; i++)
        dd_pkglist__dispose(&v[i].pkgs);
    dd_free(v);
    dd_free(ents);
    dd_arena_free(arena);
    return rc;
}

const dd_cataloger dd_cataloger_apk = {
    .name = "apk",
    .type = DD_PKG_APK,
    .globs = apk_globs,
    .max_bytes = APK_DB_MAX,
    .run = apk_run,
};
