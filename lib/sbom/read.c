/* SBOMs written by any tool read back into an inventory: the format, each purl as a package with
 * its source package, and the distribution, every guess recorded as an "inferred: " warning. */
#include "sbom/read_int.h"

#include "catalog/catalog_int.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Warnings about single components (a purl that does not parse) stop after this many; one more
 * says how many were left out. */
#define MAX_COMPONENT_WARNINGS 20

/* --- what the format readers share ------------------------------------------------------- */

char *dd_sbom__strf(dd_sbom__reader *r, const char *fmt, ...)
{
    dd_buf b = DD_BUF_INIT;
    va_list ap;
    char *s = NULL;
    int rc;

    va_start(ap, fmt);
    rc = dd_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (rc == DD_OK && !(s = dd_arena_strdup(r->arena, b.data)))
        dd_error_set(DD_ENOMEM, "out of memory");
    dd_buf_dispose(&b);
    return s;
}

int dd_sbom__visit(dd_sbom__reader *r)
{
    if (++r->visited > DD_SBOM_READ_MAX_COMPONENTS)
        return dd_error_set(DD_ELIMIT, "%s: more than %u components or packages", r->path,
                            DD_SBOM_READ_MAX_COMPONENTS);
    return DD_OK;
}

int dd_sbom__add(dd_sbom__reader *r, const dd_sbom__comp *c)
{
    if (DD_ARRAY_RESERVE(r->comps, r->alloc, r->n_comps + 1, sizeof(*r->comps), 256) != DD_OK)
        return DD_ENOMEM;
    r->comps[r->n_comps++] = *c;
    return DD_OK;
}

static uint64_t hash_str(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return (h ^ 0xff) * 0x100000001b3ull;
}

/* The same component twice (a nested copy, a repeated entry: same bom-ref and purl) is one
 * package, the first; entries that only share a bom-ref are kept apart. A hash set of
 * (bom-ref, purl) keeps this O(n) and free of shared state (readers run on many threads). */
static int drop_repeats(dd_sbom__reader *r)
{
    size_t cap = 16, k = 0;
    size_t *slots;

    if (r->n_comps < 2)
        return DD_OK;
    while (cap < 2 * r->n_comps)
        cap *= 2;
    if (!(slots = dd_malloc(cap * sizeof(*slots))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    memset(slots, 0xff, cap * sizeof(*slots)); /* SIZE_MAX: empty */
    for (size_t i = 0; i < r->n_comps; i++) {
        const dd_sbom__comp *c = &r->comps[i];
        bool repeat = false;

        if (c->ref) {
            size_t h = (size_t)hash_str(hash_str(0xcbf29ce484222325ull, c->ref), c->purl);

            for (size_t j = h & (cap - 1);; j = (j + 1) & (cap - 1)) {
                const dd_sbom__comp *o;

                if (slots[j] == SIZE_MAX) {
                    slots[j] = k; /* the index the kept copy will have */
                    break;
                }
                o = &r->comps[slots[j]];
                if (strcmp(o->ref, c->ref) == 0 && strcmp(o->purl, c->purl) == 0) {
                    repeat = true;
                    break;
                }
            }
        }
        if (!repeat)
            r->comps[k++] = *c;
    }
    r->n_comps = k;
    dd_free(slots);
    return DD_OK;
}

/* --- from records to packages ------------------------------------------------------------ */

typedef struct {
    const dd_sbom__comp *c;
    dd_purl *purl;
    dd_pkg_type type;
} item;

/* A tally of strings (purl types skipped, distro qualifiers, release markers). */
typedef struct {
    json_t *counts; /* string -> integer */
} tally;

static int tally_add(tally *t, const char *key)
{
    json_t *v = json_object_get(t->counts, key);

    if (v)
        return json_integer_set(v, json_integer_value(v) + 1) == 0
                   ? DD_OK
                   : dd_error_set(DD_ERROR, "tally");
    return json_object_set_new(t->counts, key, json_integer(1)) == 0
               ? DD_OK
               : dd_error_set(DD_ENOMEM, "out of memory");
}

/* The most frequent key (the first of equals in insertion order), NULL when empty. */
static const char *tally_top(const tally *t, json_int_t *count)
{
    const char *key, *best = NULL;
    json_int_t best_n = 0;
    json_t *v;

    json_object_foreach(t->counts, key, v)
    {
        if (json_integer_value(v) > best_n) {
            best_n = json_integer_value(v);
            best = key;
        }
    }
    if (count)
        *count = best_n;
    return best;
}

typedef struct {
    dd_sbom__reader *r;
    dd_inventory *inv;
    item *items;
    size_t n_items, items_alloc;
    item *sources; /* cdxgen's source packages */
    size_t n_sources, sources_alloc;
    json_t *src_by_binary; /* "NAME" and "NAME\x1fARCH" -> index into sources */
    tally skipped;         /* purl type -> components skipped */
    size_t no_version, component_warnings;
    /* inferences, reported once each with a count and an example */
    size_t self_source;
    const char *self_example;
    size_t binnmu;
    const char *binnmu_example;
} builder;

static int warn_component(builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int warn_component(builder *b, const char *fmt, ...)
{
    dd_buf m = DD_BUF_INIT;
    va_list ap;
    int rc;

    if (b->component_warnings++ >= MAX_COMPONENT_WARNINGS)
        return DD_OK;
    va_start(ap, fmt);
    rc = dd_buf_vprintf(&m, fmt, ap);
    va_end(ap);
    if (rc == DD_OK)
        rc = dd_inventory__warn(b->inv, "%s", m.data);
    dd_buf_dispose(&m);
    return rc;
}

static const char *prop(const dd_sbom__comp *c, const char *name)
{
    for (size_t i = 0; i < c->n_props; i++)
        if (strcmp(c->props[i].name, name) == 0)
            return c->props[i].value;
    return NULL;
}

static dd_pkg_type type_of(const char *purl_type)
{
    for (int t = DD_PKG_APK; t <= DD_PKG_NUGET; t++) {
        const char *name = dd_pkg_type_name((dd_pkg_type)t);
        /* the first letter tells most types apart: a call per component, not per type */
        if (name[0] == purl_type[0] && strcmp(name, purl_type) == 0)
            return (dd_pkg_type)t;
    }
    return 0;
}

static int is_os_type(dd_pkg_type t)
{
    return t == DD_PKG_DEB || t == DD_PKG_APK || t == DD_PKG_RPM;
}

static int push_item(item **v, size_t *n, size_t *alloc, const item *it)
{
    if (DD_ARRAY_RESERVE(*v, *alloc, *n + 1, sizeof(**v), 64) != DD_OK)
        return DD_ENOMEM;
    (*v)[(*n)++] = *it;
    return DD_OK;
}

/* Parses every record's purl and sorts it: a package, a source package (cdxgen), or skipped. */
static int classify(builder *b)
{
    dd_sbom__reader *r = b->r;
    int rc;

    for (size_t i = 0; i < r->n_comps; i++) {
        const dd_sbom__comp *c = &r->comps[i];
        item it = {c, NULL, 0};

        if (dd_purl_parse(&it.purl, c->purl) != DD_OK) {
            if (dd_error_code() == DD_ENOMEM)
                return DD_ENOMEM;
            if ((rc = warn_component(b, "%s: %s[%zu]: %s", r->path, c->where_array, c->where_index,
                                     dd_error_message())) != DD_OK)
                return rc;
            continue;
        }
        it.type = type_of(it.purl->type);
        if (!it.type) {
            rc = tally_add(&b->skipped, it.purl->type);
            dd_purl_free(it.purl);
            if (rc != DD_OK)
                return rc;
            continue;
        }
        if (c->is_source && it.type == DD_PKG_DEB) {
            /* cdxgen merges a source package into the installed binary package of the same
             * name and version (util-linux): the source tag then sits on a component that also
             * has the binary's Trivy properties, and it is both */
            item bin = {c, NULL, it.type};

            rc = DD_OK;
            if (prop(c, "aquasecurity:trivy:PkgID") && dd_purl_parse(&bin.purl, c->purl) != DD_OK)
                rc = DD_ENOMEM;
            else if (bin.purl &&
                     (rc = push_item(&b->items, &b->n_items, &b->items_alloc, &bin)) != DD_OK)
                dd_purl_free(bin.purl);
            if (rc == DD_OK)
                rc = push_item(&b->sources, &b->n_sources, &b->sources_alloc, &it);
        } else {
            rc = push_item(&b->items, &b->n_items, &b->items_alloc, &it);
        }
        if (rc != DD_OK) {
            dd_purl_free(it.purl);
            return rc;
        }
    }
    return DD_OK;
}

/* "EPOCH:VERSION" unless the version already carries that epoch. */
static const char *with_epoch(builder *b, const char *version, const char *epoch)
{
    size_t el;

    if (!epoch || !*epoch || strcmp(epoch, "0") == 0)
        return version;
    el = strlen(epoch);
    if (strncmp(version, epoch, el) == 0 && version[el] == ':')
        return version;
    return dd_sbom__strf(b->r, "%s:%s", epoch, version);
}

/* Length of a leading "DIGITS:" (an epoch), 0 when there is none. */
static size_t epoch_len(const char *v)
{
    size_t i = 0;

    while (isdigit((unsigned char)v[i]))
        i++;
    return i && v[i] == ':' ? i : 0;
}

static int index_sources(builder *b)
{
    for (size_t i = 0; i < b->n_sources; i++) {
        const item *s = &b->sources[i];
        const char *arch = dd_purl_qualifier_get(s->purl, "arch");

        for (size_t j = 0; j < s->c->n_binaries; j++) {
            dd_buf key = DD_BUF_INIT;
            int rc = dd_buf_printf(&key, "%s\x1f%s", s->c->binaries[j], arch ? arch : "");

            if (rc == DD_OK && !json_object_get(b->src_by_binary, key.data))
                rc = json_object_set_new(b->src_by_binary, key.data, json_integer((json_int_t)i));
            if (rc == DD_OK && !json_object_get(b->src_by_binary, s->c->binaries[j]))
                rc = json_object_set_new(b->src_by_binary, s->c->binaries[j],
                                         json_integer((json_int_t)i));
            dd_buf_dispose(&key);
            if (rc != DD_OK)
                return dd_error_set(DD_ENOMEM, "out of memory");
        }
    }
    return DD_OK;
}

/* The cdxgen source package whose evidence names binary `name` (`arch`); *out NULL when none. */
static int cdxgen_source(builder *b, const char *name, const char *arch, const item **out)
{
    dd_buf key = DD_BUF_INIT;
    const json_t *v;
    int rc;

    *out = NULL;
    if (!b->n_sources)
        return DD_OK;
    if ((rc = dd_buf_printf(&key, "%s\x1f%s", name, arch ? arch : "")) != DD_OK)
        return rc;
    v = json_object_get(b->src_by_binary, key.data);
    dd_buf_dispose(&key);
    if (!v)
        v = json_object_get(b->src_by_binary, name);
    if (v)
        *out = &b->sources[json_integer_value(v)];
    return DD_OK;
}

/* Trivy's SrcVersion, SrcRelease and SrcEpoch as one version: deb "E:V-R", rpm "V-R" (the
 * source rpm's file name has no epoch, and drydock's rpm catalog keeps none), apk "V". */
static int trivy_src_version(builder *b, const dd_sbom__comp *c, dd_pkg_type t, const char **out)
{
    const char *v = prop(c, "aquasecurity:trivy:SrcVersion");
    const char *rel = prop(c, "aquasecurity:trivy:SrcRelease");
    const char *ep = prop(c, "aquasecurity:trivy:SrcEpoch");

    *out = NULL;
    if (!v)
        return DD_OK;
    if (t == DD_PKG_DEB && (!ep || !*ep || strcmp(ep, "0") == 0))
        ep = NULL;
    if (t == DD_PKG_APK || !rel || !*rel)
        *out = t == DD_PKG_DEB && ep ? dd_sbom__strf(b->r, "%s:%s", ep, v) : v;
    else if (t == DD_PKG_DEB && ep)
        *out = dd_sbom__strf(b->r, "%s:%s-%s", ep, v, rel);
    else
        *out = dd_sbom__strf(b->r, "%s-%s", v, rel);
    return *out ? DD_OK : DD_ENOMEM;
}

/* A source rpm file name "NAME-VERSION-RELEASE.src.rpm" as name and "VERSION-RELEASE". */
static int split_srpm(builder *b, const char *file, const char **name, const char **vr)
{
    size_t n = strlen(file), rel, ver;

    if (n > 8 && strcmp(file + n - 8, ".src.rpm") == 0)
        n -= 8;
    else if (n > 10 && strcmp(file + n - 10, ".nosrc.rpm") == 0)
        n -= 10;
    else
        return 0;
    for (rel = n; rel > 0 && file[rel - 1] != '-'; rel--)
        ;
    if (rel < 2)
        return 0;
    for (ver = rel - 1; ver > 0 && file[ver - 1] != '-'; ver--)
        ;
    if (ver < 2)
        return 0;
    *name = dd_arena_strndup(b->r->arena, file, ver - 1);
    *vr = dd_arena_strndup(b->r->arena, file + ver, n - ver);
    return *name && *vr ? 1 : -1;
}

/* "NAME" or "NAME@VERSION" (the upstream qualifier). */
static int split_at(builder *b, const char *s, const char **name, const char **version)
{
    const char *at = strchr(s, '@');

    if (!at) {
        *name = s;
        return DD_OK;
    }
    if (!(*name = dd_arena_strndup(b->r->arena, s, (size_t)(at - s))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (at[1])
        *version = at + 1;
    return DD_OK;
}

/* Fills the source package of an OS package from the first place that states it: drydock's,
 * Trivy's and Syft's properties, SPDX sourceInfo, the upstream qualifier, cdxgen's source
 * components. Nothing stated: a deb or apk package is its own source (as dpkg and apk say when a
 * package names none), a binNMU version ("+bN") losing its suffix; an rpm has none. */
static int source_of(builder *b, const item *it, dd_package *p)
{
    const dd_sbom__comp *c = it->c;
    const char *name = NULL, *version = NULL, *v;
    int rc = DD_OK, split;

    if ((name = prop(c, "drydock:package:source"))) {
        version = prop(c, "drydock:package:source_version");
    } else if ((name = prop(c, "aquasecurity:trivy:SrcName"))) {
        rc = trivy_src_version(b, c, it->type, &version);
    } else if (it->type == DD_PKG_DEB && (name = prop(c, "syft:metadata:source"))) {
        version = prop(c, "syft:metadata:sourceVersion");
    } else if (it->type == DD_PKG_APK && (name = prop(c, "syft:metadata:originPackage"))) {
        version = NULL;
    } else if (it->type == DD_PKG_RPM && (v = prop(c, "syft:metadata:sourceRpm")) &&
               (split = split_srpm(b, v, &name, &version)) != 0) {
        rc = split < 0 ? DD_ENOMEM : DD_OK;
    } else if ((name = c->src_name)) {
        version = c->src_version;
        if (version && it->type == DD_PKG_RPM && epoch_len(version))
            version += epoch_len(version) + 1;
    } else if ((v = dd_purl_qualifier_get(it->purl, "upstream"))) {
        if (it->type == DD_PKG_RPM && (split = split_srpm(b, v, &name, &version)) != 0)
            rc = split < 0 ? DD_ENOMEM : DD_OK;
        else
            rc = split_at(b, v, &name, &version);
    } else if (it->type == DD_PKG_DEB && c->is_source) {
        /* cdxgen's source package merged into this binary package: its own source */
        name = p->name;
        version = p->version;
    } else if (it->type == DD_PKG_DEB) {
        const item *s;

        if ((rc = cdxgen_source(b, p->name, p->arch, &s)) != DD_OK)
            return rc;
        if (s) {
            name = s->purl->name;
            if (s->purl->version &&
                !(version =
                      with_epoch(b, s->purl->version, dd_purl_qualifier_get(s->purl, "epoch"))))
                rc = DD_ENOMEM;
        }
    }
    if (rc != DD_OK)
        return rc;
    if (name && !*name)
        name = NULL;
    if (!name) {
        if (it->type == DD_PKG_RPM)
            return DD_OK;
        name = p->name;
        version = p->version;
        b->self_source++;
        if (!b->self_example)
            b->self_example = p->name;
        if (it->type == DD_PKG_DEB) {
            /* a binNMU rebuilds a source version without changing it: VERSION+bN */
            size_t n = strlen(version), d = n;

            while (d > 0 && isdigit((unsigned char)version[d - 1]))
                d--;
            if (d < n && d >= 3 && version[d - 1] == 'b' && version[d - 2] == '+') {
                if (!(version = dd_arena_strndup(b->r->arena, version, d - 2)))
                    return dd_error_set(DD_ENOMEM, "out of memory");
                b->binnmu++;
                if (!b->binnmu_example)
                    b->binnmu_example = p->name;
            }
        }
    }
    p->source_name = name;
    p->source_version = version && *version ? version : p->version;
    return DD_OK;
}

/* The name drydock's catalogers give a package of each type: npm "@scope/name", maven
 * "group:artifact", golang and composer "namespace/name", the others the purl name. */
static const char *package_name(builder *b, const item *it)
{
    const dd_purl *u = it->purl;

    if (!u->ns)
        return u->name;
    switch (it->type) {
    case DD_PKG_NPM:
    case DD_PKG_GOLANG:
    case DD_PKG_COMPOSER:
        return dd_sbom__strf(b->r, "%s/%s", u->ns, u->name);
    case DD_PKG_MAVEN:
        return dd_sbom__strf(b->r, "%s:%s", u->ns, u->name);
    default:
        return u->name;
    }
}

static int make_package(builder *b, const item *it)
{
    const dd_sbom__comp *c = it->c;
    const dd_purl *u = it->purl;
    dd_package p = {.type = it->type, .purl = c->purl};
    const char *v;
    int rc;

    if (!(p.name = package_name(b, it)))
        return DD_ENOMEM;
    p.version = u->version ? u->version : c->version;
    if (!p.version || !*p.version) {
        b->no_version++;
        return DD_OK;
    }
    if (it->type == DD_PKG_DEB) {
        const char *epoch = dd_purl_qualifier_get(u, "epoch");

        if (epoch) {
            if (!(p.version = with_epoch(b, p.version, epoch)))
                return DD_ENOMEM;
        } else if (!epoch_len(p.version) && c->version && epoch_len(c->version) &&
                   strcmp(c->version + epoch_len(c->version) + 1, p.version) == 0) {
            p.version = c->version; /* the epoch only in the component's version */
        }
    } else if (it->type == DD_PKG_RPM) {
        size_t el = epoch_len(p.version);

        if (el) {
            if (!(p.epoch = dd_arena_strndup(b->r->arena, p.version, el)))
                return dd_error_set(DD_ENOMEM, "out of memory");
            p.version += el + 1;
        }
        if ((v = dd_purl_qualifier_get(u, "epoch")) || (v = prop(c, "drydock:package:epoch")) ||
            (v = prop(c, "syft:metadata:epoch")))
            p.epoch = v;
        if ((v = strrchr(p.version, '-')))
            p.release = v + 1;
        else
            p.release = prop(c, "drydock:package:release");
    }
    if (!(p.arch = dd_purl_qualifier_get(u, "arch")) &&
        !(p.arch = prop(c, "drydock:package:arch")) &&
        !(p.arch = prop(c, "aquasecurity:trivy:PackageArchitecture")))
        p.arch = prop(c, "syft:metadata:architecture");
    if (is_os_type(it->type) && (rc = source_of(b, it, &p)) != DD_OK)
        return rc;
    p.license = c->license;
    p.licenses = c->licenses;
    p.n_licenses = c->n_licenses;
    p.description = c->description;
    if (it->type == DD_PKG_RPM)
        p.vendor = c->supplier;
    p.maintainer = c->publisher ? c->publisher : it->type != DD_PKG_RPM ? c->supplier : NULL;
    p.commit = prop(c, "drydock:package:commit");
    if (!(p.db_path = prop(c, "drydock:package:path")) && !(p.db_path = c->db_path) &&
        !(p.db_path = prop(c, "aquasecurity:trivy:FilePath")))
        p.db_path = prop(c, "syft:location:0:path");
    if ((v = prop(c, "drydock:layer:index"))) {
        char *end;
        unsigned long l = strtoul(v, &end, 10);

        if (*v && !*end && l <= UINT32_MAX)
            p.layer = (uint32_t)l;
    } else if (c->has_layer) {
        p.layer = c->layer;
    }
    if ((v = prop(c, "drydock:package:installed_size")))
        p.installed_size = strtoull(v, NULL, 10);
    p.removed = c->removed || ((v = prop(c, "drydock:package:removed")) && strcmp(v, "true") == 0);
    return dd_inventory__add(b->inv, &p);
}

/* --- the distribution -------------------------------------------------------------------- */

/* Names that are not os-release IDs: Trivy's OS families, and the rpm purl namespaces drydock
 * writes (lib/catalog/purl.c). */
static const struct {
    const char *from, *to;
} os_ids[] = {
    {"redhat", "rhel"},
    {"alma", "almalinux"},
    {"amazon", "amzn"},
    {"oracle", "ol"},
    {"opensuse.leap", "opensuse-leap"},
    {"opensuse.tumbleweed", "opensuse-tumbleweed"},
    {"opensuse", "opensuse-leap"},
    {"suse linux enterprise server", "sles"},
    {"suse", "sles"},
    {"cbl-mariner", "mariner"},
};

/* `s` lowercased and mapped to an os-release ID, in the reader's arena. */
static char *os_id(builder *b, const char *s, size_t n)
{
    char *id = dd_arena_strndup(b->r->arena, s, n);

    if (!id) {
        dd_error_set(DD_ENOMEM, "out of memory");
        return NULL;
    }
    for (char *p = id; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    for (size_t i = 0; i < DD_ARRAY_SIZE(os_ids); i++)
        if (strcmp(id, os_ids[i].from) == 0)
            return dd_arena_strdup(b->r->arena, os_ids[i].to);
    return id;
}

/* A distro qualifier: "debian-12", "opensuse-leap-15.5" (ID-VERSION, split at the last "-"
 * before a digit), "3.16.0" (a version alone, as older Trivy writes it for apk), "bookworm" (a
 * codename). */
static int split_distro(builder *b, const char *v, char **id, const char **version,
                        const char **codename)
{
    size_t n = strlen(v), dash = n;
    int digits_only = 1, has_digit = 0;

    *id = NULL;
    *version = *codename = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)v[i]) && v[i] != '.')
            digits_only = 0;
        if (isdigit((unsigned char)v[i]))
            has_digit = 1;
        if (v[i] == '-' && i > 0 && isdigit((unsigned char)v[i + 1]))
            dash = i;
    }
    if (digits_only) {
        *version = v;
        return DD_OK;
    }
    if (dash < n) {
        if (!(*id = os_id(b, v, dash)))
            return DD_ENOMEM;
        *version = v + dash + 1;
        return DD_OK;
    }
    if (!has_digit)
        *codename = v;
    return DD_OK;
}

/* The release a package version marks: Debian "+deb12u1", "~deb12u1", "~bpo12+1"; Ubuntu
 * "~22.04"; rpm ".el9", ".fc39", ".amzn2023", ".cm2", ".azl3", ".ph5". Written into `out`. */
static int release_marker(const char *id, const char *version, char out[16])
{
    static const struct {
        const char *id, *marker;
    } rpm_markers[] = {
        {"rhel", ".el"},        {"centos", ".el"}, {"rocky", ".el"},  {"almalinux", ".el"},
        {"ol", ".el"},          {"fedora", ".fc"}, {"amzn", ".amzn"}, {"mariner", ".cm"},
        {"azurelinux", ".azl"}, {"photon", ".ph"},
    };
    const char *p;
    size_t n;

    if (strcmp(id, "debian") == 0) {
        static const char *const marks[] = {"deb", "bpo"};

        for (size_t m = 0; m < DD_ARRAY_SIZE(marks); m++)
            for (p = version; (p = strstr(p, marks[m])); p++) {
                if (p == version || (p[-1] != '+' && p[-1] != '~') || !isdigit((unsigned char)p[3]))
                    continue;
                for (n = 0; n < 8 && isdigit((unsigned char)p[3 + n]); n++)
                    out[n] = p[3 + n];
                out[n] = '\0';
                return 1;
            }
        return 0;
    }
    if (strcmp(id, "ubuntu") == 0) {
        for (p = version; (p = strchr(p, '~')); p++)
            if (isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) && p[3] == '.' &&
                isdigit((unsigned char)p[4]) && isdigit((unsigned char)p[5])) {
                memcpy(out, p + 1, 5);
                out[5] = '\0';
                return 1;
            }
        return 0;
    }
    for (size_t i = 0; i < DD_ARRAY_SIZE(rpm_markers); i++) {
        size_t ml = strlen(rpm_markers[i].marker);

        if (strcmp(id, rpm_markers[i].id) != 0)
            continue;
        for (p = version; (p = strstr(p, rpm_markers[i].marker)); p++) {
            if (!isdigit((unsigned char)p[ml]))
                continue;
            for (n = 0; n < 8 && isdigit((unsigned char)p[ml + n]); n++)
                out[n] = p[ml + n];
            out[n] = '\0';
            return 1;
        }
    }
    return 0;
}

static int set_str(char **dst, const char *s)
{
    if (!s)
        return DD_OK;
    if (!(*dst = dd_strdup(s)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    return DD_OK;
}

/* The distribution: the OS component or package, else the OS purls' distro qualifiers, else
 * inferred from their namespace and the release their versions mark. */
static int decide_os(builder *b, dd_os_info **out)
{
    const dd_sbom__os *os = b->r->have_os ? &b->r->os : NULL;
    tally distros = {json_object()}, namespaces = {json_object()}, markers = {json_object()};
    const char *version = NULL, *codename = NULL, *top, *how_id = NULL;
    char *id = NULL;
    size_t n_os = 0;
    json_int_t marked = 0;
    dd_os_info *info = NULL;
    int rc = DD_OK;

    *out = NULL;
    if (!distros.counts || !namespaces.counts || !markers.counts) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < b->n_items && rc == DD_OK; i++) {
        const dd_purl *u = b->items[i].purl;
        const char *d = dd_purl_qualifier_get(u, "distro");

        if (!is_os_type(b->items[i].type))
            continue;
        n_os++;
        if (d)
            rc = tally_add(&distros, d);
        if (rc == DD_OK)
            rc = tally_add(&namespaces, u->ns ? u->ns : dd_pkg_type_name(b->items[i].type));
        if (rc == DD_OK && !codename)
            codename = dd_purl_qualifier_get(u, "distro_name");
    }
    if (rc != DD_OK)
        goto done;
    if (os) {
        if (!(id = os_id(b, os->name, strlen(os->name)))) {
            rc = DD_ENOMEM;
            goto done;
        }
        version = os->version && *os->version ? os->version : NULL;
        if (os->codename)
            codename = os->codename;
    }
    if ((top = tally_top(&distros, NULL))) {
        char *qid;
        const char *qversion, *qcodename;

        if ((rc = split_distro(b, top, &qid, &qversion, &qcodename)) != DD_OK)
            goto done;
        if (!id && qid)
            id = qid;
        if (!id || !qid || strcmp(id, qid) == 0) {
            if (!version)
                version = qversion;
            if (!codename)
                codename = qcodename;
        }
    }
    if (!id && n_os) {
        /* the namespace the OS purls share: "debian", "alpine", "redhat"; an apk purl without one
         * is Alpine's (apk versions end in -rN) */
        const char *ns = tally_top(&namespaces, NULL);

        if (strcmp(ns, "apk") == 0)
            ns = "alpine";
        if (strcmp(ns, "deb") != 0 && strcmp(ns, "rpm") != 0) {
            if (!(id = os_id(b, ns, strlen(ns)))) {
                rc = DD_ENOMEM;
                goto done;
            }
            how_id = "namespace";
        }
    }
    if (id && !version && n_os) {
        char mark[16];

        for (size_t i = 0; i < b->n_items && rc == DD_OK; i++)
            if (is_os_type(b->items[i].type) &&
                release_marker(id, b->items[i].purl->version ? b->items[i].purl->version : "",
                               mark))
                rc = tally_add(&markers, mark);
        if (rc != DD_OK)
            goto done;
        if ((version = tally_top(&markers, &marked)) &&
            !(version = dd_arena_strdup(b->r->arena, version))) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
    }
    if (!id)
        goto done;
    if (how_id || marked) {
        dd_buf m = DD_BUF_INIT;

        if (how_id) {
            rc = dd_buf_printf(&m,
                               "inferred: distribution %s%s%s from the namespace of %zu OS "
                               "package purls",
                               id, version ? " " : "", version ? version : "", n_os);
            if (rc == DD_OK && marked)
                rc = dd_buf_printf(&m, ", its release from the versions of %lld of them",
                                   (long long)marked);
        } else {
            rc = dd_buf_printf(&m,
                               "inferred: release %s of %s from the versions of %lld of %zu "
                               "OS packages (no OS component or distro qualifier names it)",
                               version, id, (long long)marked, n_os);
        }
        if (rc == DD_OK && !version)
            rc = dd_buf_puts(&m, "; the release is unknown");
        if (rc == DD_OK)
            rc = dd_inventory__warn(b->inv, "%s", m.data);
        dd_buf_dispose(&m);
        if (rc != DD_OK)
            goto done;
    }
    if (!(info = dd_calloc(1, sizeof(*info)))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = set_str(&info->id, id)) != DD_OK || (rc = set_str(&info->version_id, version)) ||
        (rc = set_str(&info->version_codename, codename)) != DD_OK ||
        (rc = set_str(&info->pretty_name, os ? os->description : NULL)) != DD_OK)
        goto done;
    *out = info;
    info = NULL;
done:
    dd_os_info_free(info);
    json_decref(distros.counts);
    json_decref(namespaces.counts);
    json_decref(markers.counts);
    return rc;
}

/* --- the whole document ------------------------------------------------------------------ */

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int report_skipped(builder *b)
{
    dd_buf m = DD_BUF_INIT;
    const char *key;
    json_t *v;
    size_t n = 0;
    int rc = DD_OK;

    json_object_foreach(b->skipped.counts, key, v)
    {
        n += (size_t)json_integer_value(v);
    }
    if (b->component_warnings > MAX_COMPONENT_WARNINGS)
        rc = dd_inventory__warn(b->inv, "%s: %zu more purls that do not parse", b->r->path,
                                b->component_warnings - MAX_COMPONENT_WARNINGS);
    if (rc != DD_OK || (!n && !b->r->no_purl && !b->no_version))
        return rc;
    rc = dd_buf_printf(&m, "%s: skipped", b->r->path);
    if (rc == DD_OK && n) {
        const char **keys = dd_calloc(json_object_size(b->skipped.counts), sizeof(*keys));
        size_t k = 0;

        if (!keys) {
            dd_buf_dispose(&m);
            return dd_error_set(DD_ENOMEM, "out of memory");
        }
        json_object_foreach(b->skipped.counts, key, v)
        {
            keys[k++] = key;
        }
        /* the types in name order, so the message is stable */
        qsort(keys, k, sizeof(*keys), cmp_key);
        rc = dd_buf_printf(&m, " %zu components of purl types drydock does not match (", n);
        for (size_t i = 0; i < k && i < 10 && rc == DD_OK; i++)
            rc = dd_buf_printf(
                &m, "%s%s %lld", i ? ", " : "", keys[i],
                (long long)json_integer_value(json_object_get(b->skipped.counts, keys[i])));
        if (rc == DD_OK && k > 10)
            rc = dd_buf_printf(&m, " and %zu more types", k - 10);
        if (rc == DD_OK)
            rc = dd_buf_putc(&m, ')');
        dd_free(keys);
    }
    if (rc == DD_OK && b->r->no_purl)
        rc = dd_buf_printf(&m, "%s %zu without a purl", n ? "," : "", b->r->no_purl);
    if (rc == DD_OK && b->no_version)
        rc = dd_buf_printf(&m, "%s %zu without a version", n || b->r->no_purl ? "," : "",
                           b->no_version);
    if (rc == DD_OK)
        rc = dd_inventory__warn(b->inv, "%s", m.data);
    dd_buf_dispose(&m);
    return rc;
}

static int report_inferences(builder *b)
{
    int rc = DD_OK;

    if (b->self_source)
        rc = dd_inventory__warn(b->inv,
                                "inferred: %zu OS packages name no source package; each is taken "
                                "as its own source, as dpkg and apk do (e.g. %s)",
                                b->self_source, b->self_example);
    if (rc == DD_OK && b->binnmu)
        rc = dd_inventory__warn(b->inv,
                                "inferred: the source version of %zu of those drops the binNMU "
                                "suffix \"+bN\" of the binary version (e.g. %s)",
                                b->binnmu, b->binnmu_example);
    return rc;
}

static int build(dd_sbom__reader *r, dd_inventory *inv)
{
    builder b = {.r = r, .inv = inv};
    dd_os_info *os = NULL;
    int rc;

    b.skipped.counts = json_object();
    b.src_by_binary = json_object();
    if (!b.skipped.counts || !b.src_by_binary) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = classify(&b)) != DD_OK || (rc = index_sources(&b)) != DD_OK ||
        (rc = decide_os(&b, &os)) != DD_OK)
        goto done;
    dd_inventory__set_os(inv, os);
    for (size_t i = 0; i < b.n_items && rc == DD_OK; i++)
        rc = make_package(&b, &b.items[i]);
    if (rc == DD_OK)
        rc = report_inferences(&b);
    if (rc == DD_OK)
        rc = report_skipped(&b);
    if (rc == DD_OK)
        dd_inventory__sort(inv);
done:
    for (size_t i = 0; i < b.n_items; i++)
        dd_purl_free(b.items[i].purl);
    for (size_t i = 0; i < b.n_sources; i++)
        dd_purl_free(b.sources[i].purl);
    dd_free(b.items);
    dd_free(b.sources);
    json_decref(b.skipped.counts);
    json_decref(b.src_by_binary);
    return rc;
}

typedef enum { FMT_CYCLONEDX = 1, FMT_SPDX } doc_format;

static int detect(doc_format *out, const char *path, const dd_jv *doc)
{
    const char *bom = dd_jv_get_str(doc, "bomFormat"), *spec = dd_jv_get_str(doc, "specVersion");
    const char *spdx = dd_jv_get_str(doc, "spdxVersion"), *ctx = dd_jv_get_str(doc, "@context");

    if (!DD_JV_IS(doc, DD_JV_OBJECT))
        return dd_error_set(DD_EINVALID,
                            "%s: neither a CycloneDX nor an SPDX JSON document (the top level is "
                            "not an object)",
                            path);
    if (bom && strcmp(bom, "CycloneDX") == 0) {
        if (!spec)
            return dd_error_set(DD_EINVALID, "%s: CycloneDX document without specVersion", path);
        if (strlen(spec) != 3 || spec[0] != '1' || spec[1] != '.' || spec[2] < '2' || spec[2] > '7')
            return dd_error_set(DD_EUNSUPPORTED,
                                "%s: CycloneDX %s is not supported (1.2 to 1.7 are)", path, spec);
        *out = FMT_CYCLONEDX;
        return DD_OK;
    }
    if (spdx) {
        if (strcmp(spdx, "SPDX-2.2") != 0 && strcmp(spdx, "SPDX-2.3") != 0)
            return dd_error_set(DD_EUNSUPPORTED,
                                "%s: %s is not supported (SPDX-2.2 and SPDX-2.3 are)", path, spdx);
        *out = FMT_SPDX;
        return DD_OK;
    }
    if ((ctx && strstr(ctx, "spdx.org/rdf/3")) || dd_jv_get(doc, "@graph"))
        return dd_error_set(DD_EUNSUPPORTED,
                            "%s: SPDX 3 JSON-LD is not supported (SPDX-2.2, SPDX-2.3 and "
                            "CycloneDX 1.2 to 1.7 JSON are)",
                            path);
    if (bom)
        return dd_error_set(DD_EINVALID, "%s: bomFormat is \"%s\", not CycloneDX", path, bom);
    return dd_error_set(DD_EINVALID,
                        "%s: neither a CycloneDX nor an SPDX JSON document (no bomFormat or "
                        "spdxVersion)",
                        path);
}

int dd_sbom_read(dd_inventory **out, const char *path, const char *data, size_t len)
{
    dd_sbom__reader r = {.path = path};
    dd_inventory *inv = NULL;
    const dd_jv *doc = NULL;
    doc_format fmt = FMT_CYCLONEDX;
    int rc;

    *out = NULL;
    if ((uint64_t)len > DD_SBOM_READ_MAX_BYTES)
        return dd_error_set(DD_ELIMIT, "%s: %zu bytes, over the %llu MiB limit for an SBOM", path,
                            len, (unsigned long long)(DD_SBOM_READ_MAX_BYTES >> 20));
    /* the document's tree lives in the reader's arena, with every string the readers make */
    if ((rc = dd_arena_new(&r.arena)) != DD_OK)
        return rc;
    if ((rc = dd_json_parse(&doc, r.arena, path, data, len)) != DD_OK)
        goto done;
    if ((rc = detect(&fmt, path, doc)) != DD_OK)
        goto done;
    rc = fmt == FMT_CYCLONEDX ? dd_sbom__read_cyclonedx(&r, doc) : dd_sbom__read_spdx(&r, doc);
    if (rc != DD_OK || (rc = drop_repeats(&r)) != DD_OK)
        goto done;
    if ((rc = dd_inventory__new(&inv)) != DD_OK || (rc = build(&r, inv)) != DD_OK)
        goto done;
    *out = inv;
    inv = NULL;
done:
    dd_inventory_free(inv);
    dd_free(r.comps);
    dd_arena_free(r.arena);
    return rc;
}
