/* Ownership: a language package whose metadata file an OS package installed (Debian's
 * python3-requests, node-debug) is that OS package, not a second component; its language purl
 * stays on the OS package as evidence. */
#include "catalog/lang_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *path;
    size_t pkg; /* index in the owners' inventory */
} owned_file;

static int cmp_owned(const void *a, const void *b)
{
    const owned_file *x = a, *y = b;
    int c = strcmp(x->path, y->path);

    if (c)
        return c;
    return x->pkg < y->pkg ? -1 : x->pkg > y->pkg;
}

static int is_os(dd_pkg_type t)
{
    return t == DD_PKG_APK || t == DD_PKG_DEB || t == DD_PKG_RPM;
}

int dd_owner__resolve(dd_inventory *inv, const dd_inventory *owners)
{
    owned_file *files = NULL;
    unsigned char *drop = NULL;
    size_t n_files = 0, n = dd_inventory_count(inv), n_owners = dd_inventory_count(owners);
    int rc = DD_OK, any = 0;

    for (size_t i = 0; i < n_owners; i++) {
        const dd_package *p = dd_inventory_get(owners, i);

        if (is_os(p->type) && !p->removed)
            n_files += p->n_files;
    }
    for (size_t i = 0; i < n && !any; i++) {
        const dd_package *p = dd_inventory_get(inv, i);

        any = !is_os(p->type) && p->db_path;
    }
    if (n_files == 0 || !any)
        return DD_OK;
    if (!(files = dd_malloc(n_files * sizeof(*files))) || !(drop = dd_calloc(n, 1))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    n_files = 0;
    for (size_t i = 0; i < n_owners; i++) {
        const dd_package *p = dd_inventory_get(owners, i);

        if (!is_os(p->type) || p->removed)
            continue;
        for (size_t k = 0; k < p->n_files; k++)
            files[n_files++] = (owned_file){p->files[k], i};
    }
    qsort(files, n_files, sizeof(*files), cmp_owned);
    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        const dd_package *p = dd_inventory_get(inv, i);
        const owned_file *hit;
        size_t lo = 0, hi = n_files;

        if (is_os(p->type) || !p->db_path || p->removed)
            continue;
        /* the first entry for the path: the owner listed first (two owners are rare) */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (strcmp(files[mid].path, p->db_path) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        hit = lo < n_files && strcmp(files[lo].path, p->db_path) == 0 ? &files[lo] : NULL;
        if (!hit)
            continue;
        drop[i] = 1;
        if (owners == inv && p->purl)
            rc = dd_inventory__add_lang_purl(inv, hit->pkg, p->purl);
    }
    if (rc == DD_OK)
        dd_inventory__drop(inv, drop);
done:
    dd_free(files);
    dd_free(drop);
    return rc;
}
