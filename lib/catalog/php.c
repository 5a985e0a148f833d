/* The PHP cataloger: the packages Composer installed, from vendor/composer/installed.json
 * (Composer 1 and 2), and composer.lock where Composer did not install beside it. */
#include "catalog/pkgfiles_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX (64u << 20)

static int json_error(const char *path, const json_error_t *err)
{
    return dd_error_set(DD_EINVALID, "%s:%d:%d: invalid JSON: %s", path, err->line, err->column,
                        err->text);
}

static const char *opt_str(dd_arena *a, json_t *obj, const char *key, int *nomem)
{
    const char *s = json_string_value(json_object_get(obj, key));
    const char *out;

    if (!s || !*s)
        return NULL;
    if (!(out = dd_arena_strdup(a, s)))
        *nomem = 1;
    return out;
}

/* "license": ["MIT"] (Composer writes an array; a string is read too). */
static int licenses(dd_package *p, dd_arena *a, json_t *lic)
{
    const char **v;
    size_t n = 0, i;
    json_t *item;

    if (json_is_string(lic)) {
        if (!*json_string_value(lic))
            return DD_OK;
        if (!(v = dd_arena_alloc(a, sizeof(*v))) ||
            !(v[0] = dd_arena_strdup(a, json_string_value(lic))))
            return dd_error_set(DD_ENOMEM, "out of memory");
        n = 1;
    } else if (json_is_array(lic) && json_array_size(lic)) {
        if (!(v = dd_arena_alloc(a, json_array_size(lic) * sizeof(*v))))
            return dd_error_set(DD_ENOMEM, "out of memory");
        json_array_foreach(lic, i, item)
        {
            const char *s = json_string_value(item);

            if (!s || !*s)
                continue;
            if (!(v[n++] = dd_arena_strdup(a, s)))
                return dd_error_set(DD_ENOMEM, "out of memory");
        }
    } else {
        return DD_OK;
    }
    p->licenses = v;
    p->n_licenses = n;
    p->license = n == 1 ? v[0] : NULL;
    return DD_OK;
}

/* "authors": [{"name": "Fabien Potencier", "email": "..."}], names joined with ", ". */
static int authors(dd_package *p, dd_arena *a, json_t *au)
{
    dd_buf b = DD_BUF_INIT;
    size_t i;
    json_t *item;
    int rc = DD_OK;

    if (!json_is_array(au))
        return DD_OK;
    json_array_foreach(au, i, item)
    {
        const char *name = json_string_value(json_object_get(item, "name"));

        if (name && *name && (rc = dd_buf_printf(&b, "%s%s", b.len ? ", " : "", name)) != DD_OK)
            break;
    }
    if (rc == DD_OK && b.len && !(p->maintainer = dd_arena_strdup(a, b.data)))
        rc = dd_error_set(DD_ENOMEM, "out of memory");
    dd_buf_dispose(&b);
    return rc;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of "dev-package-names", sorted (NULL when there are none). */
static const char **sorted_names(json_t *names, size_t *n)
{
    const char **v;
    size_t i;
    json_t *item;

    *n = 0;
    if (!json_is_array(names) || !json_array_size(names))
        return NULL;
    if (!(v = dd_malloc(json_array_size(names) * sizeof(*v))))
        return NULL;
    json_array_foreach(names, i, item) if (json_is_string(item)) v[(*n)++] =
        json_string_value(item);
    qsort(v, *n, sizeof(*v), cmp_name);
    return v;
}

/* The packages of a Composer array: `dev` marks them all, `dev_names` (sorted) those it lists. */
static int packages(dd_pkglist *out, const char *path, const char *what, json_t *arr, int dev,
                    const char **dev_names, size_t n_dev_names)
{
    size_t i;
    json_t *item;
    int rc = DD_OK;

    json_array_foreach(arr, i, item)
    {
        dd_package p = {0};
        const char *name, *version;
        int nomem = 0;

        if (!json_is_object(item))
            return dd_error_set(DD_EINVALID, "%s: %s[%zu] is not an object", path, what, i);
        name = json_string_value(json_object_get(item, "name"));
        version = json_string_value(json_object_get(item, "version"));
        if (!name || !*name || !version || !*version)
            return dd_error_set(DD_EINVALID, "%s: %s[%zu] has no name or version", path, what, i);
        p.type = DD_PKG_COMPOSER;
        p.name = dd_arena_strdup(out->arena, name);
        p.version = dd_arena_strdup(out->arena, version);
        p.description = opt_str(out->arena, item, "description", &nomem);
        p.path = path;
        p.db_path = path;
        p.dev = dev || (n_dev_names &&
                        bsearch(&name, dev_names, n_dev_names, sizeof(*dev_names), cmp_name));
        if (!p.name || !p.version || nomem)
            return dd_error_set(DD_ENOMEM, "out of memory");
        if ((rc = licenses(&p, out->arena, json_object_get(item, "license"))) != DD_OK ||
            (rc = authors(&p, out->arena, json_object_get(item, "authors"))) != DD_OK ||
            (rc = dd_pkglist__push(out, &p)) != DD_OK)
            return rc;
    }
    return DD_OK;
}

int dd_php__parse_installed(dd_pkglist *out, const char *path, const char *data, size_t len)
{
    json_error_t err;
    json_t *root = json_loadb(data, len, 0, &err), *pkgs;
    int rc;

    if (!root)
        return json_error(path, &err);
    if (json_is_array(root)) {
        rc = packages(out, path, "packages", root, 0, NULL, 0); /* Composer 1 */
    } else if (json_is_object(root) && json_is_array(pkgs = json_object_get(root, "packages"))) {
        json_t *names = json_object_get(root, "dev-package-names");
        size_t n = 0;
        const char **dev_names = sorted_names(names, &n);

        if (!dev_names && json_is_array(names) && json_array_size(names))
            rc = dd_error_set(DD_ENOMEM, "out of memory");
        else
            rc = packages(out, path, "packages", pkgs, 0, dev_names, n);
        dd_free(dev_names);
    } else {
        rc = dd_error_set(DD_EINVALID,
                          "%s: neither an array of packages nor an object with a \"packages\" "
                          "array",
                          path);
    }
    json_decref(root);
    return rc;
}

int dd_php__parse_lock(dd_pkglist *out, const char *path, const char *data, size_t len)
{
    json_error_t err;
    json_t *root = json_loadb(data, len, 0, &err), *pkgs, *dev;
    int rc;

    if (!root)
        return json_error(path, &err);
    pkgs = json_object_get(root, "packages");
    dev = json_object_get(root, "packages-dev");
    if (!json_is_object(root) || !json_is_array(pkgs)) {
        rc = dd_error_set(DD_EINVALID, "%s: no \"packages\" array", path);
    } else if (dev && !json_is_null(dev) && !json_is_array(dev)) {
        rc = dd_error_set(DD_EINVALID, "%s: \"packages-dev\" is not an array", path);
    } else if ((rc = packages(out, path, "packages", pkgs, 0, NULL, 0)) == DD_OK && dev) {
        rc = packages(out, path, "packages-dev", dev, 1, NULL, 0);
    }
    json_decref(root);
    return rc;
}

/* --- running over a walk --- */

/* VENDOR/composer/installed.json (VENDOR is "vendor" unless composer.json says otherwise) */
static int is_installed(const char *path)
{
    size_t n = strlen(path);
    static const char tail[] = "composer/installed.json";
    const size_t tn = sizeof(tail) - 1;

    return n > tn && memcmp(path + n - tn, tail, tn) == 0 && path[n - tn - 1] == '/';
}

static int is_lock(const char *path)
{
    return strcmp(dd_lang__basename(path), "composer.lock") == 0;
}

static int match(const char *path)
{
    return is_installed(path) || is_lock(path);
}

typedef struct {
    dd_inventory *inv;
    const dd_walk *w;
    dd_arena *arena;
    dd_pkglist squashed, hidden;
} php_run;

static int installed_at(php_run *r, const char *dir)
{
    const char *p = dd_lang__join(r->arena, dir, "vendor/composer/installed.json");
    const dd_entry *e;

    if (!p)
        return -1;
    if (dd_walk_resolve(r->w, p, &e) != DD_OK) {
        dd_error_clear();
        return 0;
    }
    return e->type == DD_FT_REG;
}

/* A composer.lock counts when Composer did not install beside it (no
 * DIR/vendor/composer/installed.json) and it is no installed package's own (below a vendor
 * folder with an installed.json). */
static int lock_counts(php_run *r, const char *path)
{
    char *dir = dd_lang__dirname(r->arena, path);
    int rc;

    if (!dir)
        return -1;
    if ((rc = installed_at(r, dir)) != 0)
        return rc < 0 ? rc : 0;
    for (const char *s = dir; (s = strstr(s, "vendor/")); s++) {
        const char *up;

        if (s != dir && s[-1] != '/')
            continue;
        if (!(up = dd_arena_strndup(r->arena, dir, s > dir ? (size_t)(s - dir - 1) : 0)))
            return -1;
        if ((rc = installed_at(r, up)) != 0)
            return rc < 0 ? rc : 0;
    }
    return 1;
}

static int on_file(const dd_entry *e, int squashed, const char *data, size_t len, int truncated,
                   void *payload)
{
    php_run *r = payload;
    dd_pkglist *l = squashed ? &r->squashed : &r->hidden;
    size_t first = l->n;
    int rc;

    if (is_lock(e->path)) {
        if ((rc = lock_counts(r, e->path)) <= 0)
            return rc < 0 ? dd_error_set(DD_ENOMEM, "out of memory") : DD_OK;
        rc = truncated ? dd_error_set(DD_ELIMIT, "%s: larger than the %u-byte capture limit",
                                      e->path, JSON_MAX)
                       : dd_php__parse_lock(l, e->path, data, len);
    } else {
        rc = truncated ? dd_error_set(DD_ELIMIT, "%s: larger than the %u-byte capture limit",
                                      e->path, JSON_MAX)
                       : dd_php__parse_installed(l, e->path, data, len);
    }
    for (size_t i = first; i < l->n; i++)
        l->v[i].layer = e->layer;
    if (rc == DD_EINVALID || rc == DD_ELIMIT) {
        if (!squashed) {
            dd_error_clear();
            return DD_OK;
        }
        rc = dd_inventory__warn(r->inv, "%s", dd_error_message());
        dd_error_clear();
    }
    return rc;
}

static int php_run_walk(dd_inventory *inv, const dd_walk *w, const dd_catalog_opts *opts)
{
    php_run r = {.inv = inv, .w = w};
    int rc;

    if ((rc = dd_arena_new(&r.arena)) != DD_OK)
        return rc;
    r.squashed.arena = r.hidden.arena = r.arena;
    if ((rc = dd_lang__each_file(w, opts, match, on_file, &r)) == DD_OK)
        rc = dd_lang__emit(inv, opts, &r.squashed, &r.hidden);
    dd_pkglist__dispose(&r.squashed);
    dd_pkglist__dispose(&r.hidden);
    dd_arena_free(r.arena);
    return rc;
}

static const char *const php_globs[] = {"*composer/installed.json", "*composer.lock", NULL};

const dd_cataloger dd_cataloger_php = {
    .name = "php",
    .type = DD_PKG_COMPOSER,
    .globs = php_globs,
    .max_bytes = JSON_MAX,
    .run = php_run_walk,
};
