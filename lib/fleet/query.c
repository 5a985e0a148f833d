/* The store's queries, each answering the jansson document of the HTTP API's response. */
#include "fleet/fleet_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const severities[] = {"CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"};

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *dd_fleet__image_tags(dd_fleet_conn *c, int64_t image_id)
{
    json_t *tags = json_array();
    dd_q q = {0};
    int rc;

    for (rc = dd_q_run(&q, c, "SELECT tag FROM tags WHERE image_id = $1 ORDER BY tag",
                       (dd_dbv[]){DBI(image_id)}, 1);
         rc > 0; rc = dd_q_next(&q))
        json_array_append_new(tags, json_string(dd_q_text(&q, 0)));
    dd_q_done(&q);
    return rc < 0 ? (json_decref(tags), NULL) : tags;
}

static json_t *deployments_of(dd_fleet_conn *c, const char *digest)
{
    json_t *list = json_array();
    dd_q q = {0};
    int rc;

    for (rc = dd_q_run(&q, c,
                       "SELECT environment, cluster, namespace, container, last_seen "
                       "FROM deployments WHERE digest = $1 "
                       "ORDER BY environment, cluster, namespace, container",
                       (dd_dbv[]){DBT(digest)}, 1);
         rc > 0; rc = dd_q_next(&q))
        json_array_append_new(list, json_pack("{sssssssssI}", "environment", dd_q_text(&q, 0),
                                              "cluster", dd_q_text(&q, 1), "namespace",
                                              dd_q_text(&q, 2), "container", dd_q_text(&q, 3),
                                              "last_seen", (json_int_t)dd_q_int(&q, 4)));
    dd_q_done(&q);
    return rc < 0 ? (json_decref(list), NULL) : list;
}

/* An image's identity: digest, repository, tags; NULL when the store has no image `id`. */
static json_t *image_head(dd_fleet_conn *c, int64_t id, bool full)
{
    json_t *im = NULL;
    dd_q q = {0};

    if (dd_q_run(&q, c,
                 "SELECT digest, repository, base_image, os, pushed_at FROM images WHERE id = $1",
                 (dd_dbv[]){DBI(id)}, 1) > 0) {
        im = json_pack("{ssss}", "digest", dd_q_text(&q, 0), "repository", dd_q_text(&q, 1));
        if (im && full) {
            json_object_set_new(im, "base_image", text_or_null(dd_q_text(&q, 2)));
            json_object_set_new(im, "os", text_or_null(dd_q_text(&q, 3)));
            json_object_set_new(im, "pushed_at", json_integer(dd_q_int(&q, 4)));
        }
    }
    dd_q_done(&q);
    if (im)
        json_object_set_new(im, "tags", dd_fleet__image_tags(c, id));
    return im;
}

static json_t *page_doc(void)
{
    json_t *doc = json_object();

    json_object_set_new(doc, "images", json_array());
    return doc;
}

static void set_next(json_t *doc, bool more, int64_t last)
{
    char cur[40];

    if (!more) {
        json_object_set_new(doc, "next", json_null());
        return;
    }
    dd_fleet__cursor_make(cur, last);
    json_object_set_new(doc, "next", json_string(cur));
}

/* Runs `fn` with a pooled connection and hands back its document. */
typedef int (*query_fn)(dd_fleet_conn *c, const void *args, json_t *doc);

static int with_conn(dd_fleet *f, query_fn fn, const void *args, json_t *doc, json_t **out)
{
    dd_fleet_conn *c;
    int rc;

    *out = NULL;
    if (!doc)
        return dd_error_set(DD_ENOMEM, "out of memory");
    if ((rc = dd_fleet__acquire(f, &c)) != DD_OK) {
        json_decref(doc);
        return rc;
    }
    rc = fn(c, args, doc);
    dd_fleet__release(f, c);
    if (rc != DD_OK) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return DD_OK;
}

/* --- affected --- */

typedef struct {
    char vid[256];
    int64_t after;
    unsigned limit;
} affected_args;

static int affected_head(dd_fleet_conn *c, const affected_args *a, json_t *doc)
{
    dd_q q = {0};
    int rc = dd_q_run(&q, c,
                      "SELECT f.advisory, f.aliases, f.severity FROM finding_ids v "
                      "JOIN findings f ON f.id = v.finding_id WHERE v.vid = $1 "
                      "ORDER BY CASE f.state WHEN 'open' THEN 0 ELSE 1 END, f.id LIMIT 1",
                      (dd_dbv[]){DBT(a->vid)}, 1);

    if (rc > 0) {
        json_t *aliases = json_loads(dd_q_text(&q, 1), 0, NULL);
        json_object_set_new(doc, "advisory", json_string(dd_q_text(&q, 0)));
        json_object_set_new(doc, "aliases", aliases ? aliases : json_array());
        json_object_set_new(doc, "severity", json_string(dd_q_text(&q, 2)));
    } else {
        json_object_set_new(doc, "advisory", json_string(a->vid));
        json_object_set_new(doc, "aliases", json_array());
        json_object_set_new(doc, "severity", json_null());
    }
    dd_q_done(&q);
    return rc < 0 ? rc : DD_OK;
}

/* The (image, finding) pairs of the page: rows sorted by image, read until `limit` + 1
 * images were seen (the extra one says there is a next page). */
typedef struct {
    int64_t *image, *finding;
    size_t n, alloc;
    size_t images;
} pairs;

static int pairs_push(pairs *p, int64_t image, int64_t finding)
{
    size_t a = p->alloc;

    /* both arrays grow alike: the second reserve sees the same size the first did */
    if (DD_ARRAY_RESERVE(p->image, a, p->n + 1, sizeof(*p->image), 64) != DD_OK ||
        DD_ARRAY_RESERVE(p->finding, p->alloc, p->n + 1, sizeof(*p->finding), 64) != DD_OK)
        return dd_error_set(DD_ENOMEM, "out of memory");
    p->image[p->n] = image;
    p->finding[p->n] = finding;
    p->n++;
    return DD_OK;
}

static int affected_pairs(dd_fleet_conn *c, const affected_args *a, pairs *out, bool *more)
{
    int64_t last = -1;
    dd_q q = {0};
    int rc;

    *more = false;
    for (rc = dd_q_run(&q, c,
                       "SELECT o.image_id, f.id FROM finding_ids v "
                       "JOIN findings f ON f.id = v.finding_id "
                       "JOIN occurrences o ON o.identity_id = f.identity_id "
                       "WHERE v.vid = $1 AND f.state = 'open' AND o.image_id > $2 "
                       "ORDER BY o.image_id, f.id",
                       (dd_dbv[]){DBT(a->vid), DBI(a->after)}, 2);
         rc > 0; rc = dd_q_next(&q)) {
        int64_t image = dd_q_int(&q, 0), finding = dd_q_int(&q, 1);

        if (image != last) {
            if (out->images == a->limit) {
                *more = true;
                break;
            }
            out->images++;
            last = image;
        }
        /* an identity at two paths of one image: one package entry */
        if (out->n && out->image[out->n - 1] == image && out->finding[out->n - 1] == finding)
            continue;
        if ((rc = pairs_push(out, image, finding)) != DD_OK)
            break;
    }
    dd_q_done(&q);
    return rc < 0 ? rc : DD_OK;
}

/* The package entry of a finding, made once per finding and shared by the images holding it. */
static json_t *finding_package(dd_fleet_conn *c, json_t *cache, int64_t finding)
{
    char key[24];
    json_t *pkg;
    dd_q q = {0};

    snprintf(key, sizeof(key), "%lld", (long long)finding);
    if ((pkg = json_object_get(cache, key)))
        return json_deep_copy(pkg);
    if (dd_q_run(&q, c,
                 "SELECT i.purl, i.name, i.version, f.fixed, f.severity FROM findings f "
                 "JOIN identities i ON i.id = f.identity_id WHERE f.id = $1",
                 (dd_dbv[]){DBI(finding)}, 1) > 0)
        pkg = json_pack("{sssssssoss}", "purl", dd_q_text(&q, 0), "name", dd_q_text(&q, 1),
                        "installed", dd_q_text(&q, 2), "fixed", text_or_null(dd_q_text(&q, 3)),
                        "severity", dd_q_text(&q, 4));
    dd_q_done(&q);
    if (pkg)
        json_object_set(cache, key, pkg);
    return pkg;
}

static int affected_run(dd_fleet_conn *c, const void *args, json_t *doc)
{
    const affected_args *a = args;
    json_t *images = json_object_get(doc, "images"), *cache = json_object(), *im = NULL;
    pairs p = {0};
    bool more = false;
    int rc;

    if ((rc = affected_head(c, a, doc)) == DD_OK)
        rc = affected_pairs(c, a, &p, &more);
    for (size_t i = 0; i < p.n && rc == DD_OK; i++) {
        json_t *pkg;

        if (i == 0 || p.image[i] != p.image[i - 1]) {
            if (!(im = image_head(c, p.image[i], false)))
                continue;
            json_array_append_new(images, im);
            json_object_set_new(im, "packages", json_array());
            json_object_set_new(
                im, "deployments",
                deployments_of(c, json_string_value(json_object_get(im, "digest"))));
        }
        if (im && (pkg = finding_package(c, cache, p.finding[i])))
            json_array_append_new(json_object_get(im, "packages"), pkg);
    }
    set_next(doc, rc == DD_OK && more, p.n ? p.image[p.n - 1] : 0);
    json_decref(cache);
    dd_free(p.image);
    dd_free(p.finding);
    return rc;
}

int dd_fleet_affected(dd_fleet *f, const char *id, const dd_fleet_page *pg, json_t **out)
{
    affected_args a;
    size_t i;
    int rc;

    *out = NULL;
    if (!id || !*id || strlen(id) >= sizeof(a.vid))
        return dd_error_set(DD_EINVALID, "advisory id is empty or longer than 255 bytes");
    /* ids are stored upper-cased: "cve-2024-1234" finds CVE-2024-1234 */
    for (i = 0; id[i]; i++)
        a.vid[i] = (char)toupper((unsigned char)id[i]);
    a.vid[i] = '\0';
    a.limit = dd_fleet__page_limit(pg);
    if ((rc = dd_fleet__cursor_parse(&a.after, pg ? pg->cursor : NULL)) != DD_OK)
        return rc;
    return with_conn(f, affected_run, &a, page_doc(), out);
}

/* --- identities of a purl and a range --- */

typedef struct {
    int64_t *v;
    size_t n, alloc;
} idlist;

static int idlist_push(idlist *l, int64_t id)
{
    if (DD_ARRAY_RESERVE(l->v, l->alloc, l->n + 1, sizeof(*l->v), 32) != DD_OK)
        return dd_error_set(DD_ENOMEM, "out of memory");
    l->v[l->n++] = id;
    return DD_OK;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

static void idlist_sort_unique(idlist *l)
{
    size_t w = 0;

    if (!l->n)
        return;
    qsort(l->v, l->n, sizeof(*l->v), cmp_id);
    for (size_t i = 0; i < l->n; i++)
        if (w == 0 || l->v[w - 1] != l->v[i])
            l->v[w++] = l->v[i];
    l->n = w;
}

/* A parsed package filter: the purl's key and version and the range. */
typedef struct {
    char *key, *version;
    bool has_range;
    dd_fleet_range range;
    dd_version_scheme scheme;
} pkg_filter;

static void pkg_filter_dispose(pkg_filter *p)
{
    dd_free(p->key);
    dd_free(p->version);
    dd_fleet__range_dispose(&p->range);
}

static int pkg_filter_parse(pkg_filter *out, const char *purl, const char *range)
{
    int rc;

    memset(out, 0, sizeof(*out));
    if (!purl || !*purl)
        return range ? dd_error_set(DD_EINVALID, "a range needs a purl") : DD_OK;
    if ((rc = dd_fleet__purl_key(&out->key, &out->version, purl)) != DD_OK)
        return rc;
    if (range && *range) {
        char type[16];
        snprintf(type, sizeof(type), "%.*s", (int)strcspn(out->key, "/"), out->key);
        /* a range over a type without a version order is the query's fault: DD_EINVALID */
        if (dd_fleet__scheme_for_type(&out->scheme, type) != DD_OK)
            rc = dd_error_set(DD_EINVALID, "range: purl type \"%s\" has no version order", type);
        else
            rc = dd_fleet__range_parse(&out->range, range, out->scheme);
        if (rc != DD_OK) {
            pkg_filter_dispose(out);
            return rc;
        }
        out->has_range = true;
    }
    return DD_OK;
}

/* The identities the filter matches, as a sorted list of ids. */
static int filter_identities(dd_fleet_conn *c, const pkg_filter *pf, idlist *out)
{
    dd_q q = {0};
    int rc;

    for (rc = dd_q_run(&q, c, "SELECT id, version FROM identities WHERE pkey = $1",
                       (dd_dbv[]){DBT(pf->key)}, 1);
         rc > 0; rc = dd_q_next(&q)) {
        const char *v = dd_q_text(&q, 1);

        if (pf->version && strcmp(v, pf->version) != 0)
            continue;
        if (pf->has_range && !dd_fleet__range_has(&pf->range, pf->scheme, v))
            continue;
        if ((rc = idlist_push(out, dd_q_int(&q, 0))) != DD_OK)
            break;
    }
    dd_q_done(&q);
    return rc < 0 ? rc : DD_OK;
}

/* The images after `after` holding any identity of `ids`, sorted. */
static int images_holding(dd_fleet_conn *c, const idlist *ids, int64_t after, idlist *out)
{
    int rc = DD_OK;

    for (size_t i = 0; i < ids->n && rc >= 0; i++) {
        dd_q q = {0};
        for (rc = dd_q_run(&q, c,
                           "SELECT DISTINCT image_id FROM occurrences WHERE identity_id = $1 "
                           "AND image_id > $2",
                           (dd_dbv[]){DBI(ids->v[i]), DBI(after)}, 2);
             rc > 0; rc = dd_q_next(&q))
            if ((rc = idlist_push(out, dd_q_int(&q, 0))) != DD_OK)
                break;
        dd_q_done(&q);
    }
    idlist_sort_unique(out);
    return rc < 0 ? rc : DD_OK;
}

/* --- images --- */

typedef struct {
    const dd_fleet_image_filter *flt;
    pkg_filter pf;
    int64_t after;
    unsigned limit;
} images_args;

static int image_counts(dd_fleet_conn *c, int64_t id, json_t *im)
{
    json_t *counts = json_object();
    dd_q q = {0};
    int64_t n;
    int rc;

    for (size_t i = 0; i < DD_ARRAY_SIZE(severities); i++)
        json_object_set_new(counts, severities[i], json_integer(0));
    if ((rc = dd_fleet__int(c, "SELECT COUNT(*) FROM occurrences WHERE image_id = $1",
                            (dd_dbv[]){DBI(id)}, 1, &n, NULL)) != DD_OK) {
        json_decref(counts);
        return rc;
    }
    json_object_set_new(im, "packages", json_integer(n));
    for (rc = dd_q_run(&q, c,
                       "SELECT f.severity, COUNT(DISTINCT f.id) FROM occurrences o "
                       "JOIN findings f ON f.identity_id = o.identity_id "
                       "WHERE o.image_id = $1 AND f.state = 'open' GROUP BY f.severity",
                       (dd_dbv[]){DBI(id)}, 1);
         rc > 0; rc = dd_q_next(&q))
        json_object_set_new(counts, dd_q_text(&q, 0), json_integer(dd_q_int(&q, 1)));
    dd_q_done(&q);
    json_object_set_new(im, "findings", counts);
    if (rc < 0)
        return rc;
    rc = dd_fleet__int(c, "SELECT COUNT(*) FROM deployments WHERE digest = $1",
                       (dd_dbv[]){DBT(json_string_value(json_object_get(im, "digest")))}, 1, &n,
                       NULL);
    json_object_set_new(im, "deployments", json_integer(n));
    return rc;
}

static bool wanted(const images_args *a, json_t *im)
{
    const char *repo = json_string_value(json_object_get(im, "repository"));
    const char *base = json_string_value(json_object_get(im, "base_image"));

    if (a->flt->repository && (!repo || strcmp(repo, a->flt->repository) != 0))
        return false;
    if (a->flt->base_image && (!base || strcmp(base, a->flt->base_image) != 0))
        return false;
    return true;
}

/* Candidate image ids without a package filter: by repository, base image, or all. */
static int plain_ids(dd_fleet_conn *c, const images_args *a, idlist *out)
{
    const dd_fleet_image_filter *flt = a->flt;
    dd_q q = {0};
    int rc;

    if (flt->repository)
        rc = dd_q_run(&q, c,
                      "SELECT id FROM images WHERE repository = $1 AND id > $2 ORDER BY id "
                      "LIMIT $3",
                      (dd_dbv[]){DBT(flt->repository), DBI(a->after),
                                 /* with a base image too, wanted() filters: take them all */
                                 DBI(flt->base_image ? INT64_MAX : a->limit + 1)},
                      3);
    else if (flt->base_image)
        rc = dd_q_run(&q, c,
                      "SELECT id FROM images WHERE base_image = $1 AND id > $2 ORDER BY id "
                      "LIMIT $3",
                      (dd_dbv[]){DBT(flt->base_image), DBI(a->after), DBI(a->limit + 1)}, 3);
    else
        rc = dd_q_run(&q, c, "SELECT id FROM images WHERE id > $1 ORDER BY id LIMIT $2",
                      (dd_dbv[]){DBI(a->after), DBI(a->limit + 1)}, 2);
    for (; rc > 0; rc = dd_q_next(&q))
        if ((rc = idlist_push(out, dd_q_int(&q, 0))) != DD_OK)
            break;
    dd_q_done(&q);
    return rc < 0 ? rc : DD_OK;
}

static int images_run(dd_fleet_conn *c, const void *args, json_t *doc)
{
    const images_args *a = args;
    json_t *images = json_object_get(doc, "images");
    idlist idents = {0}, ids = {0};
    size_t taken = 0;
    int64_t last = 0;
    bool more = false;
    int rc;

    if (a->pf.key) {
        if ((rc = filter_identities(c, &a->pf, &idents)) == DD_OK)
            rc = images_holding(c, &idents, a->after, &ids);
    } else {
        rc = plain_ids(c, a, &ids);
    }
    for (size_t i = 0; i < ids.n && rc == DD_OK; i++) {
        json_t *im = image_head(c, ids.v[i], true);

        if (!im || !wanted(a, im)) {
            json_decref(im);
            continue;
        }
        if (taken == a->limit) {
            json_decref(im);
            more = true;
            break;
        }
        json_array_append_new(images, im);
        rc = image_counts(c, ids.v[i], im);
        last = ids.v[i];
        taken++;
    }
    set_next(doc, more, last);
    dd_free(idents.v);
    dd_free(ids.v);
    return rc;
}

int dd_fleet_images(dd_fleet *f, const dd_fleet_image_filter *flt, const dd_fleet_page *pg,
                    json_t **out)
{
    dd_fleet_image_filter none = {0};
    images_args a = {0};
    int rc;

    *out = NULL;
    a.flt = flt ? flt : &none;
    a.limit = dd_fleet__page_limit(pg);
    if ((rc = dd_fleet__cursor_parse(&a.after, pg ? pg->cursor : NULL)) != DD_OK)
        return rc;
    if ((rc = pkg_filter_parse(&a.pf, a.flt->purl, a.flt->range)) != DD_OK)
        return rc;
    rc = with_conn(f, images_run, &a, page_doc(), out);
    pkg_filter_dispose(&a.pf);
    return rc;
}

/* --- packages --- */

typedef struct {
    pkg_filter pf;
    int64_t after;
    unsigned limit;
} packages_args;

/* The image's occurrences of the matching identities: one indexed lookup per identity, since
 * a purl names few identities while an image holds thousands of packages. */
static int image_packages(dd_fleet_conn *c, const idlist *idents, int64_t image_id, json_t *im)
{
    json_t *pkgs = json_array();
    int rc = DD_OK;

    for (size_t i = 0; i < idents->n && rc >= 0; i++) {
        dd_q q = {0};
        for (rc = dd_q_run(&q, c,
                           "SELECT i.purl, i.version, o.layer, o.path FROM occurrences o "
                           "JOIN identities i ON i.id = o.identity_id "
                           "WHERE o.identity_id = $1 AND o.image_id = $2 ORDER BY o.path",
                           (dd_dbv[]){DBI(idents->v[i]), DBI(image_id)}, 2);
             rc > 0; rc = dd_q_next(&q))
            json_array_append_new(pkgs,
                                  json_pack("{sssssIso}", "purl", dd_q_text(&q, 0), "version",
                                            dd_q_text(&q, 1), "layer", (json_int_t)dd_q_int(&q, 2),
                                            "path", text_or_null(dd_q_text(&q, 3))));
        dd_q_done(&q);
    }
    json_object_set_new(im, "packages", pkgs);
    return rc < 0 ? rc : DD_OK;
}

static int packages_run(dd_fleet_conn *c, const void *args, json_t *doc)
{
    const packages_args *a = args;
    json_t *images = json_object_get(doc, "images");
    idlist idents = {0}, ids = {0};
    size_t shown = 0;
    int rc;

    if ((rc = filter_identities(c, &a->pf, &idents)) == DD_OK)
        rc = images_holding(c, &idents, a->after, &ids);
    idlist_sort_unique(&idents);
    for (size_t i = 0; i < ids.n && shown < a->limit && rc == DD_OK; i++) {
        json_t *im = image_head(c, ids.v[i], false);

        if (!im)
            continue;
        json_array_append_new(images, im);
        rc = image_packages(c, &idents, ids.v[i], im);
        shown++;
    }
    set_next(doc, ids.n > shown, shown ? ids.v[shown - 1] : 0);
    dd_free(idents.v);
    dd_free(ids.v);
    return rc;
}

int dd_fleet_packages(dd_fleet *f, const char *purl, const char *range, const dd_fleet_page *pg,
                      json_t **out)
{
    packages_args a = {0};
    json_t *doc;
    int rc;

    *out = NULL;
    if (!purl || !*purl)
        return dd_error_set(DD_EINVALID, "a package query needs a purl");
    a.limit = dd_fleet__page_limit(pg);
    if ((rc = dd_fleet__cursor_parse(&a.after, pg ? pg->cursor : NULL)) != DD_OK)
        return rc;
    if ((rc = pkg_filter_parse(&a.pf, purl, range)) != DD_OK)
        return rc;
    doc = page_doc();
    json_object_set_new(doc, "package", json_string(purl));
    json_object_set_new(doc, "range", range && *range ? json_string(range) : json_null());
    rc = with_conn(f, packages_run, &a, doc, out);
    pkg_filter_dispose(&a.pf);
    return rc;
}

/* --- one image --- */

static json_t *labels_of(dd_fleet_conn *c, int64_t id)
{
    json_t *labels = json_object();
    dd_q q = {0};
    int rc;

    for (rc = dd_q_run(&q, c, "SELECT key, value FROM image_labels WHERE image_id = $1",
                       (dd_dbv[]){DBI(id)}, 1);
         rc > 0; rc = dd_q_next(&q))
        json_object_set_new(labels, dd_q_text(&q, 0), json_string(dd_q_text(&q, 1)));
    dd_q_done(&q);
    return labels;
}

static int image_package_list(dd_fleet_conn *c, int64_t id, json_t *im)
{
    json_t *pkgs = json_array();
    dd_q q = {0};
    int rc;

    for (rc = dd_q_run(&q, c,
                       "SELECT i.purl, i.ptype, i.name, i.version, o.layer, o.path "
                       "FROM occurrences o JOIN identities i ON i.id = o.identity_id "
                       "WHERE o.image_id = $1 ORDER BY i.purl, o.path",
                       (dd_dbv[]){DBI(id)}, 1);
         rc > 0; rc = dd_q_next(&q))
        json_array_append_new(
            pkgs, json_pack("{sssssssssIso}", "purl", dd_q_text(&q, 0), "type", dd_q_text(&q, 1),
                            "name", dd_q_text(&q, 2), "version", dd_q_text(&q, 3), "layer",
                            (json_int_t)dd_q_int(&q, 4), "path", text_or_null(dd_q_text(&q, 5))));
    dd_q_done(&q);
    json_object_set_new(im, "packages", pkgs);
    return rc < 0 ? rc : DD_OK;
}

static int image_findings(dd_fleet_conn *c, int64_t id, json_t *im)
{
    json_t *list = json_array();
    dd_q q = {0};
    int rc;

    for (rc = dd_q_run(&q, c,
                       "SELECT DISTINCT f.advisory, f.aliases, f.severity, i.purl, i.version, "
                       "f.fixed, f.first_seen FROM occurrences o "
                       "JOIN findings f ON f.identity_id = o.identity_id "
                       "JOIN identities i ON i.id = o.identity_id "
                       "WHERE o.image_id = $1 AND f.state = 'open' ORDER BY i.purl, f.advisory",
                       (dd_dbv[]){DBI(id)}, 1);
         rc > 0; rc = dd_q_next(&q)) {
        json_t *aliases = json_loads(dd_q_text(&q, 1), 0, NULL);
        json_array_append_new(list,
                              json_pack("{sssosssssssosI}", "advisory", dd_q_text(&q, 0), "aliases",
                                        aliases ? aliases : json_array(), "severity",
                                        dd_q_text(&q, 2), "purl", dd_q_text(&q, 3), "installed",
                                        dd_q_text(&q, 4), "fixed", text_or_null(dd_q_text(&q, 5)),
                                        "first_seen", (json_int_t)dd_q_int(&q, 6)));
    }
    dd_q_done(&q);
    json_object_set_new(im, "findings", list);
    return rc < 0 ? rc : DD_OK;
}

static int image_run(dd_fleet_conn *c, const void *args, json_t *doc)
{
    int64_t id;
    bool found;
    json_t *im;
    int rc;

    if ((rc = dd_fleet__int(c, "SELECT id FROM images WHERE digest = $1",
                            (dd_dbv[]){DBT((const char *)args)}, 1, &id, &found)) != DD_OK)
        return rc;
    if (!found)
        return dd_error_set(DD_ENOTFOUND, "image %.100s is not in the store", (const char *)args);
    if (!(im = image_head(c, id, true)))
        return dd_error_set(DD_ENOTFOUND, "image %.100s is not in the store", (const char *)args);
    json_object_update(doc, im);
    json_decref(im);
    json_object_set_new(doc, "labels", labels_of(c, id));
    if ((rc = image_package_list(c, id, doc)) == DD_OK)
        rc = image_findings(c, id, doc);
    json_object_set_new(doc, "deployments", deployments_of(c, (const char *)args));
    return rc;
}

int dd_fleet_image(dd_fleet *f, const char *digest, json_t **out)
{
    *out = NULL;
    if (!digest || !dd_digest_valid(digest))
        return dd_error_set(DD_EINVALID, "\"%.100s\" is not an image digest (sha256:<64 hex>)",
                            digest ? digest : "");
    return with_conn(f, image_run, digest, json_object(), out);
}

/* --- summary --- */

static int summary_counts(dd_fleet_conn *c, json_t *doc)
{
    static const struct {
        const char *key, *sql;
    } counts[] = {
        {"images", "SELECT COUNT(*) FROM images"},
        {"identities", "SELECT COUNT(*) FROM identities"},
        {"deployments", "SELECT COUNT(*) FROM deployments"},
    };
    json_t *sev = json_object();
    dd_q q = {0};
    int64_t n;
    int rc = DD_OK;

    for (size_t i = 0; i < DD_ARRAY_SIZE(counts) && rc == DD_OK; i++)
        if ((rc = dd_fleet__int(c, counts[i].sql, NULL, 0, &n, NULL)) == DD_OK)
            json_object_set_new(doc, counts[i].key, json_integer(n));
    for (size_t i = 0; i < DD_ARRAY_SIZE(severities); i++)
        json_object_set_new(sev, severities[i], json_integer(0));
    json_object_set_new(doc, "findings", sev);
    if (rc != DD_OK)
        return rc;
    for (rc = dd_q_run(&q, c,
                       "SELECT severity, COUNT(*) FROM findings WHERE state = 'open' "
                       "GROUP BY severity",
                       NULL, 0);
         rc > 0; rc = dd_q_next(&q))
        json_object_set_new(sev, dd_q_text(&q, 0), json_integer(dd_q_int(&q, 1)));
    dd_q_done(&q);
    return rc < 0 ? rc : DD_OK;
}

/* The exact number of images holding open findings of `advisory`. */
static int advisory_images(dd_fleet_conn *c, const char *advisory, int64_t *out)
{
    char vid[256];
    size_t i;

    for (i = 0; advisory[i] && i + 1 < sizeof(vid); i++)
        vid[i] = (char)toupper((unsigned char)advisory[i]);
    vid[i] = '\0';
    return dd_fleet__int(c,
                         "SELECT COUNT(DISTINCT o.image_id) FROM finding_ids v "
                         "JOIN findings f ON f.id = v.finding_id "
                         "JOIN occurrences o ON o.identity_id = f.identity_id "
                         "WHERE v.vid = $1 AND f.state = 'open'",
                         (dd_dbv[]){DBT(vid)}, 1, out, NULL);
}

/* Advisories ranked by the images of each identity summed (an image holding two identities
 * with one advisory counts twice there: joining every finding with every occurrence costs
 * minutes on a large fleet), then counted exactly for the ten listed. */
static int summary_top(dd_fleet_conn *c, json_t *doc)
{
    json_t *top = json_array();
    dd_q q = {0};
    int rc;

    json_object_set_new(doc, "top_advisories", top);
    for (rc = dd_q_run(&q, c,
                       "SELECT f.advisory, MAX(CASE f.severity WHEN 'CRITICAL' THEN 4 "
                       "WHEN 'HIGH' THEN 3 WHEN 'MEDIUM' THEN 2 WHEN 'LOW' THEN 1 ELSE 0 END), "
                       "SUM(ic.n) AS n FROM findings f JOIN (SELECT identity_id, "
                       "COUNT(DISTINCT image_id) AS n FROM occurrences GROUP BY identity_id) ic "
                       "ON ic.identity_id = f.identity_id WHERE f.state = 'open' "
                       "GROUP BY f.advisory ORDER BY n DESC, f.advisory LIMIT 10",
                       NULL, 0);
         rc > 0; rc = dd_q_next(&q)) {
        int64_t s = dd_q_int(&q, 1);
        json_array_append_new(top, json_pack("{sssssI}", "advisory", dd_q_text(&q, 0), "severity",
                                             severities[s >= 1 && s <= 4 ? 4 - s : 4], "images",
                                             (json_int_t)0));
    }
    dd_q_done(&q);
    for (size_t i = 0; rc >= 0 && i < json_array_size(top); i++) {
        json_t *e = json_array_get(top, i);
        int64_t n;
        if ((rc = advisory_images(c, json_string_value(json_object_get(e, "advisory")), &n)) ==
            DD_OK)
            json_object_set_new(e, "images", json_integer(n));
    }
    return rc < 0 ? rc : DD_OK;
}

/* Images by critical, then high findings, summed over their identities' open findings. */
static int summary_exposed(dd_fleet_conn *c, json_t *doc)
{
    json_t *list = json_array();
    dd_q q = {0};
    int rc;

    json_object_set_new(doc, "most_exposed", list);
    for (rc = dd_q_run(&q, c,
                       "SELECT i.digest, i.repository, e.cr, e.hi FROM (SELECT o.image_id, "
                       "SUM(ic.cr) AS cr, SUM(ic.hi) AS hi FROM (SELECT DISTINCT image_id, "
                       "identity_id FROM occurrences) o JOIN (SELECT identity_id, "
                       "SUM(CASE WHEN severity = 'CRITICAL' THEN 1 ELSE 0 END) AS cr, "
                       "SUM(CASE WHEN severity = 'HIGH' THEN 1 ELSE 0 END) AS hi FROM findings "
                       "WHERE state = 'open' GROUP BY identity_id) ic "
                       "ON ic.identity_id = o.identity_id GROUP BY o.image_id "
                       "ORDER BY cr DESC, hi DESC, o.image_id LIMIT 10) e "
                       "JOIN images i ON i.id = e.image_id ORDER BY e.cr DESC, e.hi DESC, i.id",
                       NULL, 0);
         rc > 0; rc = dd_q_next(&q))
        json_array_append_new(list,
                              json_pack("{sssssIsI}", "digest", dd_q_text(&q, 0), "repository",
                                        dd_q_text(&q, 1), "critical", (json_int_t)dd_q_int(&q, 2),
                                        "high", (json_int_t)dd_q_int(&q, 3)));
    dd_q_done(&q);
    return rc < 0 ? rc : DD_OK;
}

static int summary_run(dd_fleet_conn *c, const void *args, json_t *doc)
{
    int rc;

    (void)args;
    if ((rc = summary_counts(c, doc)) == DD_OK && (rc = summary_top(c, doc)) == DD_OK)
        rc = summary_exposed(c, doc);
    return rc;
}

int dd_fleet_summary(dd_fleet *f, json_t **out)
{
    return with_conn(f, summary_run, NULL, json_object(), out);
}
