/* The cataloger table and what every OS cataloger shares: database versions across layers,
 * the layer that installed a package, and the packages an upper layer removed. */
#include "catalog/catalog_int.h"
#include "catalog/lang_int.h"

#include <stdlib.h>
#include <string.h>

/* The OS catalogers first: the language packages their files own are folded into them. */
static const dd_cataloger *const catalogers[] = {
    &dd_cataloger_apk,
    &dd_cataloger_dpkg,
    &dd_cataloger_rpm,
    &dd_cataloger_npm,
    &dd_cataloger_python,
    &dd_cataloger_java,
    &dd_cataloger_ruby,
    &dd_cataloger_php,
    &dd_cataloger_dotnet,
    &dd_cataloger_pnpm,
    &dd_cataloger_gobin,
    &dd_cataloger_rust,
};

#define OS_TYPES ((1u << DD_PKG_APK) | (1u << DD_PKG_DEB) | (1u << DD_PKG_RPM))

static int enabled(const dd_cataloger *c, const dd_catalog_opts *opts)
{
    return opts->pkg_types == 0 || (opts->pkg_types & (1u << c->type)) != 0;
}

/* With only language types asked for, the OS catalogers still run, into a scratch inventory,
 * so that what an OS package installed is not reported as a language package. */
static int ownership_only(const dd_cataloger *c, const dd_catalog_opts *opts)
{
    if (enabled(c, opts) || !(OS_TYPES & (1u << c->type)))
        return 0;
    for (size_t i = 0; i < DD_ARRAY_SIZE(catalogers); i++)
        if (!(OS_TYPES & (1u << catalogers[i]->type)) && enabled(catalogers[i], opts))
            return 1;
    return 0;
}

int dd_catalog_parse_pkg_types(unsigned *out, const char *list)
{
    unsigned mask = 0;
    const char *p = list;

    *out = 0;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int found = 0;

        if (n == 2 && memcmp(p, "os", 2) == 0) {
            mask |= OS_TYPES;
            found = 1;
        } else if (n == 7 && memcmp(p, "library", 7) == 0) {
            for (int t = DD_PKG_NPM; t <= DD_PKG_NUGET; t++)
                mask |= 1u << t;
            found = 1;
        } else {
            for (int t = DD_PKG_APK; t <= DD_PKG_NUGET; t++) {
                const char *name = dd_pkg_type_name((dd_pkg_type)t);

                if (strlen(name) == n && memcmp(name, p, n) == 0) {
                    mask |= 1u << t;
                    found = 1;
                }
            }
        }
        if (!found)
            return dd_error_set(DD_EINVALID,
                                "unknown package type \"%.*s\" (os, library, apk, deb, rpm, npm, "
                                "pypi, golang, maven, gem, cargo, composer, nuget)",
                                (int)n, p);
        if (!end)
            break;
        p = end + 1;
    }
    *out = mask;
    return DD_OK;
}

int dd_catalog_register(dd_walk *w, const dd_catalog_opts *opts)
{
    int rc;

    if ((rc = dd_os_register_captures(w)) != DD_OK)
        return rc;
    if ((rc = dd_binary__register(w, opts)) != DD_OK)
        return rc;
    if ((rc = dd_java__register(w, opts)) != DD_OK)
        return rc;
    for (size_t i = 0; i < DD_ARRAY_SIZE(catalogers); i++) {
        const dd_cataloger *c = catalogers[i];

        if (!enabled(c, opts) && !ownership_only(c, opts))
            continue;
        for (size_t g = 0; c->globs[g]; g++)
            if ((rc = dd_walk_capture(w, c->globs[g],
                                      c->glob_max_bytes ? c->glob_max_bytes[g] : c->max_bytes)) !=
                DD_OK)
                return rc;
    }
    return DD_OK;
}

int dd_catalog_run(dd_inventory **out, const dd_walk *w, const dd_catalog_opts *opts)
{
    dd_inventory *inv = NULL, *owners = NULL;
    dd_os_info *os = NULL;
    int rc;

    *out = NULL;
    if ((rc = dd_inventory__new(&inv)) != DD_OK)
        return rc;
    rc = dd_os_detect(&os, w);
    if (rc == DD_EINVALID) {
        /* a broken os-release costs the distro qualifiers, not the inventory */
        if ((rc = dd_inventory__warn(inv, "%s", dd_error_message())) != DD_OK)
            goto done;
    } else if (rc != DD_OK && rc != DD_ENOTFOUND) {
        goto done;
    }
    dd_inventory__set_os(inv, os);
    dd_error_clear();
    for (size_t i = 0; i < DD_ARRAY_SIZE(catalogers); i++) {
        const dd_cataloger *c = catalogers[i];

        if (ownership_only(c, opts)) {
            if (!owners && (rc = dd_inventory__new(&owners)) != DD_OK)
                goto done;
            rc = c->run(owners, w, opts);
            if (rc == DD_EINVALID || rc == DD_ELIMIT) {
                rc = dd_inventory__warn(inv, "%s", dd_error_message());
                dd_error_clear();
            }
            if (rc != DD_OK)
                goto done;
            continue;
        }
        if (!enabled(c, opts))
            continue;
        rc = c->run(inv, w, opts);
        if (rc == DD_EINVALID || rc == DD_ELIMIT) {
            if ((rc = dd_inventory__damage(inv)) != DD_OK)
                goto done;
        } else if (rc != DD_OK) {
            goto done;
        }
    }
    /* damage the scratch run found is a warning here: its packages are not what was asked for */
    for (size_t i = 0; owners && i < dd_inventory_warning_count(owners); i++)
        if ((rc = dd_inventory__warn(inv, "%s", dd_inventory_warning(owners, i))) != DD_OK)
            goto done;
    if ((rc = dd_owner__resolve(inv, owners ? owners : inv)) != DD_OK)
        goto done;
    dd_inventory__sort(inv);
    rc = DD_OK;
    if (dd_inventory__damaged(inv) && !opts->best_effort) {
        /* the first problem is the error; every one stays in the warnings */
        rc = dd_error_set(DD_EINVALID, "%s",
                          dd_inventory_warning(inv, (size_t)dd_inventory__damaged(inv) - 1));
    }
    *out = inv;
    inv = NULL;
done:
    dd_inventory_free(owners);
    dd_inventory_free(inv);
    return rc;
}

int dd_catalog__versions(const dd_entry ***out, size_t *n, const dd_walk *w, const char *path,
                         int hidden)
{
    size_t lo = 0, hi = hidden ? dd_walk_hidden_count(w) : 0, count = 0;
    const dd_entry **v = NULL;
    const dd_entry *top = dd_walk_lookup(w, path);
    const void *data;
    size_t len;

    *out = NULL;
    *n = 0;
    /* hidden entries are sorted by path, then layer: find the first with this path */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(dd_walk_hidden(w, mid)->path, path) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    hi = hidden ? dd_walk_hidden_count(w) : 0;
    for (size_t i = lo; i < hi && strcmp(dd_walk_hidden(w, i)->path, path) == 0; i++)
        count++;
    if (!(v = dd_calloc(count + 1, sizeof(*v))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = lo; i < lo + count; i++) {
        const dd_entry *e = dd_walk_hidden(w, i);

        if (e->type == DD_FT_REG && dd_walk_content(w, e, &data, &len, NULL) == DD_OK)
            v[(*n)++] = e;
    }
    if (top && top->type == DD_FT_REG && dd_walk_content(w, top, &data, &len, NULL) == DD_OK)
        v[(*n)++] = top;
    dd_error_clear();
    if (*n == 0) {
        dd_free(v);
        return DD_OK;
    }
    *out = v;
    return DD_OK;
}

/* --- layer attribution and removed packages --- */

static int cmp_key(const dd_package *a, const dd_package *b)
{
    int c;

    if ((c = strcmp(a->name, b->name)))
        return c;
    if ((c = strcmp(a->arch ? a->arch : "", b->arch ? b->arch : "")))
        return c;
    return strcmp(a->version ? a->version : "", b->version ? b->version : "");
}

static int cmp_pkg_key(const void *a, const void *b)
{
    return cmp_key(a, b);
}

/* Sorted copy of a list's packages for lookups by (name, arch, version). */
typedef struct {
    dd_package *v;
    size_t n;
} sorted_set;

static int has_key(const sorted_set *s, const dd_package *p)
{
    return s->n && bsearch(p, s->v, s->n, sizeof(*s->v), cmp_pkg_key) != NULL;
}

int dd_catalog__emit(dd_inventory *inv, const dd_catalog_opts *opts, dd_dbver *v, size_t n)
{
    sorted_set *sets = NULL, squashed = {0}, removed = {0};
    size_t n_squashed = 0;
    int rc = DD_OK;

    if (n == 0)
        return DD_OK;
    if (!(sets = dd_calloc(n, sizeof(*sets)))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (v[i].pkgs.n && !(sets[i].v = dd_malloc(v[i].pkgs.n * sizeof(dd_package)))) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
        if (v[i].pkgs.n)
            memcpy(sets[i].v, v[i].pkgs.v, v[i].pkgs.n * sizeof(dd_package));
        sets[i].n = v[i].pkgs.n;
        if (sets[i].n > 1)
            qsort(sets[i].v, sets[i].n, sizeof(dd_package), cmp_pkg_key);
        if (v[i].squashed)
            n_squashed += sets[i].n;
    }
    /* the squashed packages: the layer is the oldest version of the same file from which the
     * package stays listed unchanged up to the squashed one */
    for (size_t i = 0; i < n; i++) {
        if (!v[i].squashed)
            continue;
        for (size_t k = 0; k < v[i].pkgs.n; k++) {
            dd_package p = v[i].pkgs.v[k];
            size_t j = i;

            while (j > 0 && strcmp(v[j - 1].db_path, v[i].db_path) == 0 &&
                   has_key(&sets[j - 1], &p))
                j--;
            p.layer = v[j].layer;
            p.removed = 0;
            if ((rc = dd_inventory__add(inv, &p)) != DD_OK)
                goto done;
        }
    }
    if (opts->scope != DD_SCOPE_ALL_LAYERS)
        goto done;
    if (n_squashed && !(squashed.v = dd_malloc(n_squashed * sizeof(dd_package)))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (v[i].squashed) {
            if (sets[i].n)
                memcpy(squashed.v + squashed.n, sets[i].v, sets[i].n * sizeof(dd_package));
            squashed.n += sets[i].n;
        }
    if (squashed.n > 1)
        qsort(squashed.v, squashed.n, sizeof(dd_package), cmp_pkg_key);
    /* newest hidden version first, so a package removed twice is reported with the layer that
     * last listed it */
    for (size_t i = n; i-- > 0;) {
        if (v[i].squashed)
            continue;
        for (size_t k = 0; k < v[i].pkgs.n; k++) {
            dd_package p = v[i].pkgs.v[k];
            dd_package *grown;

            if (has_key(&squashed, &p) || has_key(&removed, &p))
                continue;
            p.layer = v[i].layer;
            p.removed = 1;
            if ((rc = dd_inventory__add(inv, &p)) != DD_OK)
                goto done;
            if (!(grown = dd_realloc(removed.v, (removed.n + 1) * sizeof(*grown)))) {
                rc = dd_error_set(DD_ENOMEM, "out of memory");
                goto done;
            }
            removed.v = grown;
            removed.v[removed.n++] = p;
            if (removed.n > 1)
                qsort(removed.v, removed.n, sizeof(dd_package), cmp_pkg_key);
        }
    }
done:
    for (size_t i = 0; sets && i < n; i++)
        dd_free(sets[i].v);
    dd_free(sets);
    dd_free(squashed.v);
    dd_free(removed.v);
    return rc;
}
