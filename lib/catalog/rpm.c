/* The rpm cataloger: finds the rpm databases of an image and turns their headers into packages. */
#include "catalog/rpm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where distributions keep the database: the classic place, the one Fedora 36+ and SUSE moved
 * to (with var/lib/rpm as a symlink), and the one some minimal images (CBL-Mariner) use. */
static const char *const rpm_dirs[] = {"var/lib/rpm", "usr/lib/sysimage/rpm", "usr/share/rpm"};
/* One directory holds one live database; when a conversion left an older format behind, the
 * newest format is the one rpm was switched to. */
static const char *const rpm_files[] = {"rpmdb.sqlite", "Packages.db", "Packages"};

static const char *const rpm_globs[] = {
    "var/lib/rpm/rpmdb.sqlite",          "var/lib/rpm/Packages.db",
    "var/lib/rpm/Packages",              "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/Packages.db",  "usr/lib/sysimage/rpm/Packages",
    "usr/share/rpm/rpmdb.sqlite",        "usr/share/rpm/Packages.db",
    "usr/share/rpm/Packages",            NULL,
};

/* Large distributions' databases reach 100 MiB; the walk caps this at limits.max_capture_bytes. */
#define RPM_MAX_DB_BYTES (512ull << 20)

#define MAX_DBS (DD_ARRAY_SIZE(rpm_dirs) * DD_ARRAY_SIZE(rpm_files))

typedef struct {
    dd_inventory *inv;
    dd_dbver *ver;
    int want_files;
} parse_ctx;

/* Turns one header into a package of the version's list; strings go to the list's arena. */
static int to_package(dd_package *pkg, dd_arena *arena, const dd_rpm_header *h)
{
    size_t name_len, vr_len;
    const char *vr;
    char epoch[16];

    memset(pkg, 0, sizeof(*pkg));
    pkg->type = DD_PKG_RPM;
    pkg->name = h->name;
    if (h->version) {
        size_t vl = strlen(h->version), rl = h->release ? strlen(h->release) : 0;
        char *version = dd_arena_alloc(arena, vl + rl + 2);

        if (!version)
            return dd_error_set(DD_ENOMEM, "out of memory");
        memcpy(version, h->version, vl + 1);
        if (h->release) {
            version[vl] = '-';
            memcpy(version + vl + 1, h->release, rl + 1);
        }
        pkg->version = version;
    }
    if (h->has_epoch) {
        snprintf(epoch, sizeof(epoch), "%u", h->epoch);
        if (!(pkg->epoch = dd_arena_strdup(arena, epoch)))
            return dd_error_set(DD_ENOMEM, "out of memory");
    }
    pkg->release = h->release;
    pkg->arch = h->arch;
    if (h->sourcerpm && dd_rpm__split_srpm(h->sourcerpm, &name_len, &vr, &vr_len) == 0) {
        if (!(pkg->source_name = dd_arena_strndup(arena, h->sourcerpm, name_len)) ||
            !(pkg->source_version = dd_arena_strndup(arena, vr, vr_len)))
            return dd_error_set(DD_ENOMEM, "out of memory");
    }
    pkg->license = h->license;
    pkg->vendor = h->vendor;
    pkg->installed_size = h->has_size ? h->size : 0;
    pkg->files = h->files;
    pkg->n_files = h->n_files;
    return DD_OK;
}

static int on_header(const uint8_t *blob, size_t len, uint32_t hdrnum, void *payload)
{
    parse_ctx *c = payload;
    dd_pkglist *l = &c->ver->pkgs;
    dd_rpm_header h;
    dd_package pkg;
    int rc;

    rc = dd_rpm__header_parse(&h, l->arena, blob, len, c->want_files);
    if (rc == DD_EINVALID) {
        /* one damaged header costs that package, not the database's other ones */
        dd_error_prefix("%s: header %u", c->ver->db_path, hdrnum);
        rc = c->ver->squashed ? dd_inventory__damage(c->inv) : DD_OK;
        dd_error_clear();
        return rc;
    }
    if (rc != DD_OK)
        return rc;
    /* rpm --import stores each trusted key as a pseudo-package "gpg-pubkey"; it is no software,
     * owns no files and has no advisories, so like Trivy and Syft the inventory leaves it out */
    if (strcmp(h.name, "gpg-pubkey") == 0)
        return DD_OK;
    if ((rc = to_package(&pkg, l->arena, &h)) != DD_OK)
        return rc;
    pkg.db_path = c->ver->db_path;
    pkg.layer = c->ver->layer;
    return dd_pkglist__push(l, &pkg);
}

/* Reads one version of a database into `ver`. Damage in the version the container sees is
 * recorded on the inventory; in a hidden one it only costs attribution. */
static int read_version(dd_inventory *inv, const dd_walk *w, const dd_entry *e, dd_dbver *ver,
                        const dd_catalog_opts *opts)
{
    parse_ctx c = {inv, ver, ver->squashed || opts->scope == DD_SCOPE_ALL_LAYERS};
    const void *data;
    size_t len;
    int truncated = 0, rc;

    if ((rc = dd_walk_content(w, e, &data, &len, &truncated)) != DD_OK)
        return rc;
    if (truncated)
        rc = dd_error_set(DD_ELIMIT, "%s: offset %zu: database larger than the capture limit",
                          ver->db_path, len);
    else
        rc = dd_rpm__db_each(data, len, ver->db_path, on_header, &c);
    if (rc == DD_EINVALID || rc == DD_ELIMIT || rc == DD_EUNSUPPORTED) {
        rc = ver->squashed ? dd_inventory__damage(inv) : DD_OK;
        dd_error_clear();
    }
    return rc;
}

static int add_path(const char **paths, size_t *n, const char *path)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(paths[i], path) == 0)
            return 0;
    paths[(*n)++] = path;
    return 1;
}

static int cmp_dbver(const void *a, const void *b)
{
    const dd_dbver *x = a, *y = b;
    int c = strcmp(x->db_path, y->db_path);

    return c ? c : (x->layer > y->layer) - (x->layer < y->layer);
}

static int rpm_run(dd_inventory *inv, const dd_walk *w, const dd_catalog_opts *opts)
{
    /* literal paths live in `names`, resolved ones in the walk */
    char names[MAX_DBS][64];
    const char *paths[MAX_DBS * 2];
    size_t n_paths = 0, n_names = 0, n_v = 0;
    dd_dbver *v = NULL;
    dd_arena *arena = NULL;
    int rc = DD_OK;

    for (size_t d = 0; d < DD_ARRAY_SIZE(rpm_dirs); d++) {
        int chosen = 0;

        for (size_t f = 0; f < DD_ARRAY_SIZE(rpm_files); f++) {
            const dd_entry *e = NULL;
            char *name = names[n_names];

            snprintf(name, sizeof(names[0]), "%s/%s", rpm_dirs[d], rpm_files[f]);
            /* var/lib/rpm is often a symlink to usr/lib/sysimage/rpm: follow it, and read the
             * file it leads to once */
            if (!chosen && dd_walk_resolve(w, name, &e) == DD_OK && e &&
                e->type == DD_FT_REG) {
                add_path(paths, &n_paths, e->path);
                chosen = 1;
            } else if (!dd_walk_lookup(w, name)) {
                /* gone from the squashed view: its hidden versions still tell which layer
                 * installed a package and, in all-layers scope, what was removed */
                n_names += (size_t)add_path(paths, &n_paths, name);
            }
            dd_error_clear();
        }
    }
    if ((rc = dd_arena_new(&arena)) != DD_OK)
        goto done;
    for (size_t p = 0; p < n_paths; p++) {
        const dd_entry **ents = NULL;
        size_t n = 0;
        dd_dbver *grown;

        if ((rc = dd_catalog__versions(&ents, &n, w, paths[p], 1)) != DD_OK)
            goto done;
        if (n && !(grown = dd_realloc(v, (n_v + n) * sizeof(*v)))) {
            dd_free(ents);
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
        if (n)
            v = grown;
        for (size_t i = 0; i < n && rc == DD_OK; i++) {
            dd_dbver *ver = &v[n_v++];

            memset(ver, 0, sizeof(*ver));
            ver->db_path = paths[p];
            ver->layer = ents[i]->layer;
            ver->squashed = ents[i]->hidden == DD_HIDDEN_NONE;
            ver->pkgs.arena = arena;
            rc = read_version(inv, w, ents[i], ver, opts);
        }
        dd_free(ents);
        if (rc != DD_OK)
            goto done;
    }
    if (n_v)
        qsort(v, n_v, sizeof(*v), cmp_dbver);
    {
        /* versions that list nothing (damaged, or emptied) are left out: dd_catalog__emit
         * sorts each version's list and an empty one trips UBSan there (catalog.c); the cost is
         * that an emptied-then-refilled database attributes across the empty layer */
        size_t kept = 0;

        for (size_t i = 0; i < n_v; i++) {
            if (v[i].pkgs.n == 0) {
                dd_pkglist__dispose(&v[i].pkgs);
                continue;
            }
            v[kept++] = v[i];
        }
        n_v = kept;
    }
    rc = dd_catalog__emit(inv, opts, v, n_v);
done:
    for (size_t i = 0; i < n_v; i++)
        dd_pkglist__dispose(&v[i].pkgs);
    dd_free(v);
    dd_arena_free(arena);
    return rc;
}

const dd_cataloger dd_cataloger_rpm = {
    .name = "rpm",
    .type = DD_PKG_RPM,
    .globs = rpm_globs,
    .max_bytes = RPM_MAX_DB_BYTES,
    .run = rpm_run,
};
