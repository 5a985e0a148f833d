/* The inventory: packages with evidence, their strings in one arena, sorted once at the end. */
#include "catalog/catalog_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct dd_inventory {
    dd_arena *arena;
    dd_os_info *os;
    dd_package *pkgs;
    size_t n, alloc;
    char **warnings;
    size_t n_warnings, warnings_alloc;
    int damaged; /* 1 + index of the first damage warning; 0 when none */
};

static const char *const type_names[] = {
    [DD_PKG_APK] = "apk",       [DD_PKG_DEB] = "deb",     [DD_PKG_RPM] = "rpm",
    [DD_PKG_NPM] = "npm",       [DD_PKG_PYPI] = "pypi",   [DD_PKG_GOLANG] = "golang",
    [DD_PKG_MAVEN] = "maven",   [DD_PKG_GEM] = "gem",     [DD_PKG_CARGO] = "cargo",
    [DD_PKG_COMPOSER] = "composer", [DD_PKG_NUGET] = "nuget",
};

const char *dd_pkg_type_name(dd_pkg_type t)
{
    if ((size_t)t < DD_ARRAY_SIZE(type_names) && type_names[t])
        return type_names[t];
    return "unknown";
}

int dd_inventory__new(dd_inventory **out)
{
    dd_inventory *inv = dd_calloc(1, sizeof(*inv));

    *out = NULL;
    if (!inv)
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (dd_arena_new(&inv->arena) != DD_OK) {
        dd_free(inv);
        return DD_ENOMEM;
    }
    *out = inv;
    return DD_OK;
}

void dd_inventory_free(dd_inventory *inv)
{
    if (!inv)
        return;
    dd_arena_free(inv->arena);
    dd_os_info_free(inv->os);
    dd_free(inv->pkgs);
    dd_free(inv->warnings);
    dd_free(inv);
}

void dd_inventory__set_os(dd_inventory *inv, dd_os_info *os)
{
    dd_os_info_free(inv->os);
    inv->os = os;
}

const dd_os_info *dd_inventory__os(const dd_inventory *inv)
{
    return inv->os;
}

/* The readers take NULL as the empty inventory of a scan that cataloged nothing. */
const dd_os_info *dd_inventory_os(const dd_inventory *inv)
{
    return inv ? inv->os : NULL;
}

size_t dd_inventory_count(const dd_inventory *inv)
{
    return inv ? inv->n : 0;
}

const dd_package *dd_inventory_get(const dd_inventory *inv, size_t index)
{
    return inv && index < inv->n ? &inv->pkgs[index] : NULL;
}

size_t dd_inventory_warning_count(const dd_inventory *inv)
{
    return inv ? inv->n_warnings : 0;
}

const char *dd_inventory_warning(const dd_inventory *inv, size_t index)
{
    return inv && index < inv->n_warnings ? inv->warnings[index] : NULL;
}

/* Copies a string into the arena; NULL stays NULL. Sets *failed on ENOMEM. */
static const char *copy(dd_inventory *inv, const char *s, int *failed)
{
    char *c;

    if (!s)
        return NULL;
    if (!(c = dd_arena_strdup(inv->arena, s)))
        *failed = 1;
    return c;
}

static const char *const *copy_list(dd_inventory *inv, const char *const *v, size_t n,
                                    int *failed)
{
    const char **c;

    if (!n)
        return NULL;
    if (!(c = dd_arena_alloc(inv->arena, n * sizeof(*c)))) {
        *failed = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        c[i] = copy(inv, v[i], failed);
    return c;
}

int dd_inventory__add(dd_inventory *inv, const dd_package *pkg)
{
    dd_package p = *pkg;
    int failed = 0;

    if (DD_ARRAY_RESERVE(inv->pkgs, inv->alloc, inv->n + 1, sizeof(*inv->pkgs), 64) !=
        DD_OK)
        return DD_ENOMEM;
    p.name = copy(inv, pkg->name, &failed);
    p.version = copy(inv, pkg->version, &failed);
    p.epoch = copy(inv, pkg->epoch, &failed);
    p.release = copy(inv, pkg->release, &failed);
    p.arch = copy(inv, pkg->arch, &failed);
    p.source_name = copy(inv, pkg->source_name, &failed);
    p.source_version = copy(inv, pkg->source_version, &failed);
    p.license = copy(inv, pkg->license, &failed);
    p.maintainer = copy(inv, pkg->maintainer, &failed);
    p.vendor = copy(inv, pkg->vendor, &failed);
    p.commit = copy(inv, pkg->commit, &failed);
    p.description = copy(inv, pkg->description, &failed);
    p.db_path = copy(inv, pkg->db_path, &failed);
    p.files = copy_list(inv, pkg->files, pkg->n_files, &failed);
    p.licenses = copy_list(inv, pkg->licenses, pkg->n_licenses, &failed);
    p.path = copy(inv, pkg->path, &failed);
    p.lang_purls = copy_list(inv, pkg->lang_purls, pkg->n_lang_purls, &failed);
    p.checksum = copy(inv, pkg->checksum, &failed);
    if (pkg->purl) {
        p.purl = copy(inv, pkg->purl, &failed);
    } else if (p.name && p.version && !failed) {
        char *purl = NULL;
        int rc = dd_package_purl(&purl, &p, inv->os);

        if (rc == DD_ENOMEM)
            failed = 1;
        p.purl = purl ? copy(inv, purl, &failed) : NULL;
        dd_free(purl);
    }
    if (failed)
        return dd_error_set(DD_ENOMEM, "out of memory");
    inv->pkgs[inv->n++] = p;
    return DD_OK;
}

int dd_inventory__add_lang_purl(dd_inventory *inv, size_t index, const char *purl)
{
    dd_package *p = &inv->pkgs[index];
    const char **v;

    for (size_t i = 0; i < p->n_lang_purls; i++)
        if (strcmp(p->lang_purls[i], purl) == 0)
            return DD_OK;
    /* arena arrays do not grow: a new one each time (a package installs few of them) */
    if (!(v = dd_arena_alloc(inv->arena, (p->n_lang_purls + 1) * sizeof(*v))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (p->n_lang_purls)
        memcpy(v, p->lang_purls, p->n_lang_purls * sizeof(*v));
    if (!(v[p->n_lang_purls] = dd_arena_strdup(inv->arena, purl)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    p->lang_purls = v;
    p->n_lang_purls++;
    return DD_OK;
}

void dd_inventory__drop(dd_inventory *inv, const unsigned char *drop)
{
    size_t k = 0;

    for (size_t i = 0; i < inv->n; i++)
        if (!drop[i])
            inv->pkgs[k++] = inv->pkgs[i];
    inv->n = k;
}

static int add_warning(dd_inventory *inv, const char *msg)
{
    char *c;

    if (DD_ARRAY_RESERVE(inv->warnings, inv->warnings_alloc, inv->n_warnings + 1, sizeof(*inv->warnings), 8) !=
        DD_OK)
        return DD_ENOMEM;
    if (!(c = dd_arena_strdup(inv->arena, msg)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    inv->warnings[inv->n_warnings++] = c;
    return DD_OK;
}

int dd_inventory__warn(dd_inventory *inv, const char *fmt, ...)
{
    dd_buf b = DD_BUF_INIT;
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = dd_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (rc == DD_OK)
        rc = add_warning(inv, b.data);
    dd_buf_dispose(&b);
    return rc;
}

int dd_inventory__damage(dd_inventory *inv)
{
    const char *msg = dd_error_message();

    int rc = add_warning(inv, *msg ? msg : "damaged package database");

    if (rc == DD_OK && !inv->damaged)
        inv->damaged = (int)inv->n_warnings;
    return rc;
}

int dd_inventory__damaged(const dd_inventory *inv)
{
    return inv->damaged;
}

static int cmp_str(const char *a, const char *b)
{
    if (a == b)
        return 0;
    if (!a)
        return -1;
    if (!b)
        return 1;
    /* most names differ at their first byte: no call then (strcmp compares bytes unsigned) */
    if (*a != *b)
        return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
    return strcmp(a, b);
}

static int cmp_pkg(const void *pa, const void *pb)
{
    const dd_package *a = pa, *b = pb;
    int c;

    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    if ((c = cmp_str(a->name, b->name)) || (c = cmp_str(a->version, b->version)) ||
        (c = cmp_str(a->arch, b->arch)) || (c = cmp_str(a->db_path, b->db_path)))
        return c;
    if (a->removed != b->removed)
        return a->removed < b->removed ? -1 : 1;
    if (a->layer != b->layer)
        return a->layer < b->layer ? -1 : 1;
    return cmp_str(a->purl, b->purl);
}

void dd_inventory__sort(dd_inventory *inv)
{
    if (inv->n > 1)
        qsort(inv->pkgs, inv->n, sizeof(*inv->pkgs), cmp_pkg);
}

int dd_pkglist__push(dd_pkglist *l, const dd_package *pkg)
{
    if (DD_ARRAY_RESERVE(l->v, l->alloc, l->n + 1, sizeof(*l->v), 32) !=
        DD_OK)
        return DD_ENOMEM;
    l->v[l->n++] = *pkg;
    return DD_OK;
}

void dd_pkglist__dispose(dd_pkglist *l)
{
    dd_free(l->v);
    l->v = NULL;
    l->n = l->alloc = 0;
}
