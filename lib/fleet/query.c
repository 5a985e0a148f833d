/* The store's queries, each answering the jansson document of the HTTP API's response. */
#include "fleet/fleet_int.h"

#include <ctype.h>
#include <sys/types.h>
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

/* --- id lists --- */

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
                      "SELECT f.advisory, f.aliases, f.severity FROM vid_set_members v "
                      "JOIN findings f ON f.vid_set = v.set_id WHERE v.vid = $1 "
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

/* --- a page's images, fetched together ---
 *
 * A page of 100 images once cost a few statements per image (its row, its tags, its
 * deployments, each finding's package): hundreds of round trips to PostgreSQL. These take the
 * whole page in one statement each, the ids bound as one list parameter: a JSON array read with
 * json_each on SQLite, an array on PostgreSQL. */

typedef struct {
    const char *sqlite, *pg;
} dual_sql;

#define SQL_FOR(c, d) ((c)->kind == DD_DB_PG ? (d).pg : (d).sqlite)

static int id_list(dd_buf *b, const dd_fleet_conn *c, const int64_t *v, size_t n)
{
    int rc;

    if (c->kind == DD_DB_PG)
        return dd_fleet__array_int(b, v, n);
    rc = dd_buf_putc(b, '[');
    for (size_t i = 0; i < n && rc == DD_OK; i++)
        rc = dd_buf_printf(b, "%s%lld", i ? "," : "", (long long)v[i]);
    return rc == DD_OK ? dd_buf_putc(b, ']') : rc;
}

static int text_list(dd_buf *b, const dd_fleet_conn *c, const char *const *v, size_t n)
{
    json_t *a;
    char *s;
    int rc = DD_OK;

    if (c->kind == DD_DB_PG)
        return dd_fleet__array_text(b, v, n);
    if (!(a = json_array()))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < n && rc == DD_OK; i++)
        if (json_array_append_new(a, json_string(v[i])) != 0)
            rc = dd_error_set(DD_ENOMEM, "out of memory");
    s = rc == DD_OK ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    if (rc == DD_OK && !s)
        rc = dd_error_set(DD_ENOMEM, "out of memory");
    if (rc == DD_OK)
        rc = dd_buf_puts(b, s);
    free(s);
    return rc;
}

/* The position of `id` in the sorted `v`, -1 when absent. */
static ssize_t id_index(const int64_t *v, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] == id)
            return (ssize_t)mid;
        if (v[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static const dual_sql heads_sql = {
    "SELECT id, digest, repository, base_image, os, pushed_at FROM images "
    "WHERE id IN (SELECT value FROM json_each($1))",
    "SELECT id, digest, repository, base_image, os, pushed_at FROM images "
    "WHERE id = ANY($1::bigint[])"};
static const dual_sql tags_sql = {
    "SELECT image_id, tag FROM tags WHERE image_id IN (SELECT value FROM json_each($1)) "
    "ORDER BY image_id, tag",
    "SELECT image_id, tag FROM tags WHERE image_id = ANY($1::bigint[]) ORDER BY image_id, tag"};
static const dual_sql deployments_sql = {
    "SELECT digest, environment, cluster, namespace, container, last_seen FROM deployments "
    "WHERE digest IN (SELECT value FROM json_each($1)) "
    "ORDER BY digest, environment, cluster, namespace, container",
    "SELECT digest, environment, cluster, namespace, container, last_seen FROM deployments "
    "WHERE digest = ANY($1::text[]) ORDER BY digest, environment, cluster, namespace, container"};

/* The heads of images `ids` (sorted, distinct) as image_head makes them, in `out[i]` (NULL for
 * an id the store does not have); with `deployments`, each with its deployments too. */
static int page_heads(dd_fleet_conn *c, const int64_t *ids, size_t n, bool full, bool deployments,
                      json_t **out)
{
    dd_buf list = DD_BUF_INIT, digests = DD_BUF_INIT;
    const char **dv = NULL;
    json_t *by_digest = NULL;
    size_t nd = 0;
    dd_q q = {0};
    int rc;

    memset(out, 0, n * sizeof(*out));
    if (!n)
        return DD_OK;
    if ((rc = id_list(&list, c, ids, n)) != DD_OK)
        return rc;
    for (rc = dd_q_run(&q, c, SQL_FOR(c, heads_sql), (dd_dbv[]){DBT(list.data)}, 1); rc > 0;
         rc = dd_q_next(&q)) {
        ssize_t k = id_index(ids, n, dd_q_int(&q, 0));
        json_t *im;

        if (k < 0)
            continue;
        im = json_pack("{ssss}", "digest", dd_q_text(&q, 1), "repository", dd_q_text(&q, 2));
        if (im && full) {
            json_object_set_new(im, "base_image", text_or_null(dd_q_text(&q, 3)));
            json_object_set_new(im, "os", text_or_null(dd_q_text(&q, 4)));
            json_object_set_new(im, "pushed_at", json_integer(dd_q_int(&q, 5)));
        }
        if (im)
            json_object_set_new(im, "tags", json_array());
        out[k] = im;
    }
    dd_q_done(&q);
    if (rc < 0)
        goto done;
    for (rc = dd_q_run(&q, c, SQL_FOR(c, tags_sql), (dd_dbv[]){DBT(list.data)}, 1); rc > 0;
         rc = dd_q_next(&q)) {
        ssize_t k = id_index(ids, n, dd_q_int(&q, 0));
        if (k >= 0 && out[k])
            json_array_append_new(json_object_get(out[k], "tags"), json_string(dd_q_text(&q, 1)));
    }
    dd_q_done(&q);
    if (rc < 0 || !deployments)
        goto done;
    if (!(dv = dd_calloc(n, sizeof(*dv))) || !(by_digest = json_object())) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (out[i]) {
            json_t *list_of = json_array();
            dv[nd++] = json_string_value(json_object_get(out[i], "digest"));
            json_object_set_new(out[i], "deployments", list_of);
            json_object_set(by_digest, dv[nd - 1], list_of);
        }
    if (!nd || (rc = text_list(&digests, c, dv, nd)) != DD_OK)
        goto done;
    for (rc = dd_q_run(&q, c, SQL_FOR(c, deployments_sql), (dd_dbv[]){DBT(digests.data)}, 1);
         rc > 0; rc = dd_q_next(&q)) {
        json_t *to = json_object_get(by_digest, dd_q_text(&q, 0));
        if (to)
            json_array_append_new(to, json_pack("{sssssssssI}", "environment", dd_q_text(&q, 1),
                                                "cluster", dd_q_text(&q, 2), "namespace",
                                                dd_q_text(&q, 3), "container", dd_q_text(&q, 4),
                                                "last_seen", (json_int_t)dd_q_int(&q, 5)));
    }
    dd_q_done(&q);
done:
    if (rc < 0)
        for (size_t i = 0; i < n; i++) {
            json_decref(out[i]);
            out[i] = NULL;
        }
    json_decref(by_digest);
    dd_free(dv);
    dd_buf_dispose(&list);
    dd_buf_dispose(&digests);
    return rc < 0 ? rc : DD_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* The open findings of the advisory, each with its package entry, sorted by finding id. */
typedef struct {
    int64_t fid, ident;
    json_t *pkg;
} adv_finding;

typedef struct {
    adv_finding *v;
    size_t n, alloc;
} adv_findings;

static void adv_findings_dispose(adv_findings *af)
{
    for (size_t i = 0; i < af->n; i++)
        json_decref(af->v[i].pkg);
    dd_free(af->v);
}

/* Appends the finding of the current row: columns id, identity_id, purl, name, version, fixed,
 * severity. */
static int push_finding(adv_findings *af, dd_q *q)
{
    adv_finding *f;

    if (DD_ARRAY_RESERVE(af->v, af->alloc, af->n + 1, sizeof(*af->v), 16) != DD_OK)
        return dd_error_set(DD_ENOMEM, "out of memory");
    f = &af->v[af->n];
    f->fid = dd_q_int(q, 0);
    f->ident = dd_q_int(q, 1);
    f->pkg = json_pack("{sssssssoss}", "purl", dd_q_text(q, 2), "name", dd_q_text(q, 3),
                       "installed", dd_q_text(q, 4), "fixed", text_or_null(dd_q_text(q, 5)),
                       "severity", dd_q_text(q, 6));
    if (!f->pkg)
        return dd_error_set(DD_ENOMEM, "out of memory");
    af->n++;
    return DD_OK;
}

static int cmp_adv_finding(const void *a, const void *b)
{
    return cmp_i64(&((const adv_finding *)a)->fid, &((const adv_finding *)b)->fid);
}

static const json_t *finding_pkg(const adv_findings *af, int64_t fid)
{
    size_t lo = 0, hi = af->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (af->v[mid].fid == fid)
            return af->v[mid].pkg;
        if (af->v[mid].fid < fid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The document's head and the advisory's open findings with their packages. On PostgreSQL one
 * statement whose plan needs no statistics (a freshly loaded store has none, and a join here
 * then read every finding): the ids from the finding ids' index as an array, the findings by
 * primary key, each one's identity by a LATERAL primary-key lookup; the first row, open ones
 * first, is the head. */
static int affected_findings(dd_fleet_conn *c, const affected_args *a, json_t *doc,
                             adv_findings *out)
{
    dd_q q = {0};
    bool head = false;
    int rc;

    if (c->kind != DD_DB_PG) {
        if ((rc = affected_head(c, a, doc)) != DD_OK)
            return rc;
        head = true;
        rc = dd_q_run(&q, c,
                      "SELECT f.id, f.identity_id, i.purl, i.name, i.version, f.fixed, "
                      "f.severity, f.state FROM vid_set_members v "
                      "JOIN findings f ON f.vid_set = v.set_id "
                      "JOIN identities i ON i.id = f.identity_id "
                      "WHERE v.vid = $1 AND f.state = 'open'",
                      (dd_dbv[]){DBT(a->vid)}, 1);
    } else {
        rc = dd_q_run(&q, c,
                      "SELECT f.id, f.identity_id, i.purl, i.name, i.version, f.fixed, "
                      "f.severity, f.state, f.advisory, f.aliases FROM findings f "
                      "CROSS JOIN LATERAL (SELECT purl, name, version FROM identities "
                      "WHERE id = f.identity_id) i "
                      "WHERE f.vid_set = ANY(ARRAY(SELECT set_id FROM vid_set_members "
                      "WHERE vid = $1)) "
                      "ORDER BY CASE f.state WHEN 'open' THEN 0 ELSE 1 END, f.id",
                      (dd_dbv[]){DBT(a->vid)}, 1);
    }
    for (; rc > 0; rc = dd_q_next(&q)) {
        if (!head) {
            json_t *aliases = json_loads(dd_q_text(&q, 9), 0, NULL);
            json_object_set_new(doc, "advisory", json_string(dd_q_text(&q, 8)));
            json_object_set_new(doc, "aliases", aliases ? aliases : json_array());
            json_object_set_new(doc, "severity", json_string(dd_q_text(&q, 6)));
            head = true;
        }
        if (strcmp(dd_q_text(&q, 7), "open") == 0 && (rc = push_finding(out, &q)) != DD_OK)
            break;
    }
    dd_q_done(&q);
    if (rc >= 0 && !head) {
        json_object_set_new(doc, "advisory", json_string(a->vid));
        json_object_set_new(doc, "aliases", json_array());
        json_object_set_new(doc, "severity", json_null());
    }
    if (out->n)
        qsort(out->v, out->n, sizeof(*out->v), cmp_adv_finding);
    return rc < 0 ? rc : DD_OK;
}

static int cmp_pair(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;

    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

/* (identity, image) rows: the first `limit` + 1 images after the cursor of each identity. */
typedef struct {
    int64_t (*v)[2];
    size_t n, alloc;
} row_list;

static int row_push(row_list *l, int64_t a, int64_t b)
{
    if (DD_ARRAY_RESERVE(l->v, l->alloc, l->n + 1, sizeof(*l->v), 256) != DD_OK)
        return dd_error_set(DD_ENOMEM, "out of memory");
    l->v[l->n][0] = a;
    l->v[l->n][1] = b;
    l->n++;
    return DD_OK;
}

/* One identity's images, as (identity, image) rows. */
typedef struct {
    row_list *out;
    int64_t ident;
} ident_rows;

static int push_ident_row(void *ctx, int64_t image_id)
{
    ident_rows *r = ctx;

    return row_push(r->out, r->ident, image_id);
}

static int first_images(dd_fleet_conn *c, const affected_args *a, const idlist *idents,
                        row_list *out)
{
    dd_buf arr = DD_BUF_INIT;
    dd_q q = {0};
    int rc = DD_OK;

    if (c->kind == DD_DB_PG) {
        /* one round trip: the index's function once per identity (schema.c, migration 3) */
        if ((rc = dd_fleet__array_int(&arr, idents->v, idents->n)) != DD_OK)
            return rc;
        for (rc = dd_q_run(&q, c,
                           "SELECT i.id, o.h FROM unnest($1::bigint[]) AS i(id) "
                           "CROSS JOIN LATERAL image_holders(ARRAY[i.id], $2, $3) AS o(h)",
                           (dd_dbv[]){DBT(arr.data), DBI(a->after), DBI(a->limit + 1)}, 3);
             rc > 0; rc = dd_q_next(&q))
            if ((rc = row_push(out, dd_q_int(&q, 0), dd_q_int(&q, 1))) != DD_OK)
                break;
        dd_q_done(&q);
        dd_buf_dispose(&arr);
        return rc < 0 ? rc : DD_OK;
    }
    for (size_t j = 0; j < idents->n && rc == DD_OK; j++) {
        ident_rows r = {out, idents->v[j]};

        rc =
            dd_fleet__holders_each(c, &idents->v[j], 1, a->after, a->limit + 1, push_ident_row, &r);
    }
    return rc;
}

/* The affected page's (image, finding) pairs, sorted. Each identity's images come from its
 * index in order and stop after `limit` + 1, so a page costs the same however many images the
 * advisory affects: the page is the first `limit` images of their union, and every image of an
 * identity up to the page's last one is among that identity's first `limit` + 1. */
static int affected_pairs(dd_fleet_conn *c, const affected_args *a, const adv_findings *af,
                          pairs *out, bool *more)
{
    idlist idents = {0}, all = {0};
    row_list rows = {0}, pr = {0};
    int64_t upto;
    int rc = DD_OK;

    *more = false;
    for (size_t k = 0; k < af->n && rc == DD_OK; k++)
        rc = idlist_push(&idents, af->v[k].ident);
    idlist_sort_unique(&idents);
    if (rc != DD_OK || !idents.n || (rc = first_images(c, a, &idents, &rows)) != DD_OK)
        goto done;
    for (size_t r = 0; r < rows.n && rc == DD_OK; r++)
        rc = idlist_push(&all, rows.v[r][1]);
    idlist_sort_unique(&all);
    if (rc != DD_OK || !all.n)
        goto done;
    *more = all.n > a->limit;
    upto = all.v[(*more ? a->limit : all.n) - 1];
    for (size_t r = 0; r < rows.n && rc == DD_OK; r++) {
        if (rows.v[r][1] > upto)
            continue;
        /* each open finding of the identity: an advisory has few per identity */
        for (size_t k = 0; k < af->n && rc == DD_OK; k++)
            if (af->v[k].ident == rows.v[r][0])
                rc = row_push(&pr, rows.v[r][1], af->v[k].fid);
    }
    if (rc != DD_OK)
        goto done;
    if (pr.n)
        qsort(pr.v, pr.n, sizeof(*pr.v), cmp_pair);
    for (size_t i = 0; i < pr.n && rc == DD_OK; i++) {
        if (i && pr.v[i][0] == pr.v[i - 1][0] && pr.v[i][1] == pr.v[i - 1][1])
            continue;
        if (!i || pr.v[i][0] != pr.v[i - 1][0])
            out->images++;
        rc = pairs_push(out, pr.v[i][0], pr.v[i][1]);
    }
done:
    dd_free(idents.v);
    dd_free(all.v);
    dd_free(rows.v);
    dd_free(pr.v);
    return rc;
}

static int affected_run(dd_fleet_conn *c, const void *args, json_t *doc)
{
    const affected_args *a = args;
    json_t *images = json_object_get(doc, "images"), **heads = NULL;
    adv_findings af = {0};
    int64_t *img_ids = NULL;
    size_t n_img = 0;
    pairs p = {0};
    bool more = false;
    int rc;

    if ((rc = affected_findings(c, a, doc, &af)) == DD_OK)
        rc = affected_pairs(c, a, &af, &p, &more);
    if (rc != DD_OK || !p.n)
        goto done;
    img_ids = dd_malloc(p.n * sizeof(*img_ids));
    heads = dd_calloc(p.n, sizeof(*heads));
    if (!img_ids || !heads) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    /* the pairs come sorted by image: its ids are distinct in order */
    for (size_t i = 0; i < p.n; i++)
        if (!n_img || img_ids[n_img - 1] != p.image[i])
            img_ids[n_img++] = p.image[i];
    if ((rc = page_heads(c, img_ids, n_img, false, true, heads)) != DD_OK)
        goto done;
    for (size_t i = 0, k = 0; i < p.n; i++) {
        const json_t *pkg;
        json_t *im;

        if (img_ids[k] != p.image[i])
            k++;
        if (!(im = heads[k]))
            continue;
        if (i == 0 || p.image[i] != p.image[i - 1]) {
            json_t *deps = json_incref(json_object_get(im, "deployments"));
            /* the keys in the order the API has always written them */
            json_object_del(im, "deployments");
            json_object_set_new(im, "packages", json_array());
            json_object_set_new(im, "deployments", deps);
            json_array_append(images, im);
        }
        /* a finding's entry is shared by every image of the page holding it */
        if ((pkg = finding_pkg(&af, p.finding[i])))
            json_array_append(json_object_get(im, "packages"), (json_t *)pkg);
    }
done:
    set_next(doc, rc == DD_OK && more, p.n ? p.image[p.n - 1] : 0);
    for (size_t i = 0; heads && i < n_img; i++)
        json_decref(heads[i]);
    adv_findings_dispose(&af);
    dd_free(heads);
    dd_free(img_ids);
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

static int push_image(void *ctx, int64_t image_id)
{
    return idlist_push(ctx, image_id);
}

/* The images after `after` holding any identity of `ids`, sorted. */
static int images_holding(dd_fleet_conn *c, const idlist *ids, int64_t after, idlist *out)
{
    return dd_fleet__holders_each(c, ids->v, ids->n, after, 0, push_image, out);
}

/* --- images --- */

typedef struct {
    const dd_fleet_image_filter *flt;
    pkg_filter pf;
    int64_t after;
    unsigned limit;
} images_args;

static const dual_sql package_counts_sql = {
    "SELECT image_id, COUNT(*) FROM occurrences WHERE image_id IN "
    "(SELECT value FROM json_each($1)) GROUP BY image_id",
    "SELECT image_id, cardinality(identity_ids) FROM image_occurrences "
    "WHERE image_id = ANY($1::bigint[])"};
static const dual_sql finding_counts_sql = {
    "SELECT o.image_id, f.severity, COUNT(DISTINCT f.id) FROM occurrences o "
    "JOIN findings f ON f.identity_id = o.identity_id WHERE o.image_id IN "
    "(SELECT value FROM json_each($1)) AND f.state = 'open' GROUP BY o.image_id, f.severity",
    /* PostgreSQL: the identity ids alone, not the view, which would unpack the paths too */
    "SELECT o.image_id, f.severity, COUNT(DISTINCT f.id) FROM image_occurrences o "
    "CROSS JOIN LATERAL unnest(o.identity_ids) AS x(identity_id) "
    "JOIN findings f ON f.identity_id = x.identity_id WHERE o.image_id = ANY($1::bigint[]) "
    "AND f.state = 'open' GROUP BY o.image_id, f.severity"};
static const dual_sql deployment_counts_sql = {
    "SELECT digest, COUNT(*) FROM deployments WHERE digest IN "
    "(SELECT value FROM json_each($1)) GROUP BY digest",
    "SELECT digest, COUNT(*) FROM deployments WHERE digest = ANY($1::text[]) GROUP BY digest"};

/* The counts of the page's images `ims[i]` (ids `ids`, sorted): packages, open findings by
 * severity, deployments; three statements for the whole page. */
static int page_counts(dd_fleet_conn *c, const int64_t *ids, json_t **ims, size_t n)
{
    dd_buf list = DD_BUF_INIT, digests = DD_BUF_INIT;
    const char **dv = dd_calloc(n ? n : 1, sizeof(*dv));
    json_t *by_digest = json_object();
    dd_q q = {0};
    int rc = DD_OK;

    if (!dv || !by_digest) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *counts = json_object();

        for (size_t k = 0; k < DD_ARRAY_SIZE(severities); k++)
            json_object_set_new(counts, severities[k], json_integer(0));
        json_object_set_new(ims[i], "packages", json_integer(0));
        json_object_set_new(ims[i], "findings", counts);
        json_object_set_new(ims[i], "deployments", json_integer(0));
        dv[i] = json_string_value(json_object_get(ims[i], "digest"));
        json_object_set(by_digest, dv[i], ims[i]);
    }
    if (!n)
        goto done;
    if ((rc = id_list(&list, c, ids, n)) != DD_OK || (rc = text_list(&digests, c, dv, n)) != DD_OK)
        goto done;
    for (rc = dd_q_run(&q, c, SQL_FOR(c, package_counts_sql), (dd_dbv[]){DBT(list.data)}, 1);
         rc > 0; rc = dd_q_next(&q)) {
        ssize_t k = id_index(ids, n, dd_q_int(&q, 0));
        if (k >= 0)
            json_object_set_new(ims[k], "packages", json_integer(dd_q_int(&q, 1)));
    }
    dd_q_done(&q);
    if (rc < 0)
        goto done;
    for (rc = dd_q_run(&q, c, SQL_FOR(c, finding_counts_sql), (dd_dbv[]){DBT(list.data)}, 1);
         rc > 0; rc = dd_q_next(&q)) {
        ssize_t k = id_index(ids, n, dd_q_int(&q, 0));
        if (k >= 0)
            json_object_set_new(json_object_get(ims[k], "findings"), dd_q_text(&q, 1),
                                json_integer(dd_q_int(&q, 2)));
    }
    dd_q_done(&q);
    if (rc < 0)
        goto done;
    for (rc = dd_q_run(&q, c, SQL_FOR(c, deployment_counts_sql), (dd_dbv[]){DBT(digests.data)}, 1);
         rc > 0; rc = dd_q_next(&q)) {
        json_t *im = json_object_get(by_digest, dd_q_text(&q, 0));
        if (im)
            json_object_set_new(im, "deployments", json_integer(dd_q_int(&q, 1)));
    }
    dd_q_done(&q);
done:
    json_decref(by_digest);
    dd_free(dv);
    dd_buf_dispose(&list);
    dd_buf_dispose(&digests);
    return rc < 0 ? rc : DD_OK;
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

/* Candidates are read in chunks: a filter may pass few of them, and a page stops at its
 * limit. */
#define HEAD_CHUNK 256

static int images_run(dd_fleet_conn *c, const void *args, json_t *doc)
{
    const images_args *a = args;
    json_t *images = json_object_get(doc, "images"), **heads = NULL, **page = NULL;
    idlist idents = {0}, ids = {0};
    int64_t *page_ids = NULL;
    size_t taken = 0;
    bool more = false;
    int rc;

    if (a->pf.key) {
        if ((rc = filter_identities(c, &a->pf, &idents)) == DD_OK)
            rc = images_holding(c, &idents, a->after, &ids);
    } else {
        rc = plain_ids(c, a, &ids);
    }
    heads = dd_calloc(HEAD_CHUNK, sizeof(*heads));
    page = dd_calloc(a->limit + 1, sizeof(*page));
    page_ids = dd_calloc(a->limit + 1, sizeof(*page_ids));
    if (rc == DD_OK && (!heads || !page || !page_ids))
        rc = dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t at = 0; at < ids.n && rc == DD_OK && !more; at += HEAD_CHUNK) {
        size_t n = ids.n - at < HEAD_CHUNK ? ids.n - at : HEAD_CHUNK;

        if ((rc = page_heads(c, ids.v + at, n, true, false, heads)) != DD_OK)
            break;
        for (size_t i = 0; i < n; i++) {
            json_t *im = heads[i];

            heads[i] = NULL;
            if (!im || more || !wanted(a, im)) {
                json_decref(im);
                continue;
            }
            if (taken == a->limit) {
                json_decref(im);
                more = true;
                continue;
            }
            page_ids[taken] = ids.v[at + i];
            page[taken++] = im;
        }
    }
    if (rc == DD_OK)
        rc = page_counts(c, page_ids, page, taken);
    for (size_t i = 0; i < taken; i++)
        json_array_append_new(images, page[i]);
    set_next(doc, more, taken ? page_ids[taken - 1] : 0);
    dd_free(heads);
    dd_free(page);
    dd_free(page_ids);
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
    idlist idents = {0};
    dd_q q = {0};
    size_t i;
    int rc;

    for (i = 0; advisory[i] && i + 1 < sizeof(vid); i++)
        vid[i] = (char)toupper((unsigned char)advisory[i]);
    vid[i] = '\0';
    for (rc = dd_q_run(&q, c,
                       "SELECT DISTINCT f.identity_id FROM vid_set_members v "
                       "JOIN findings f ON f.vid_set = v.set_id "
                       "WHERE v.vid = $1 AND f.state = 'open'",
                       (dd_dbv[]){DBT(vid)}, 1);
         rc > 0; rc = dd_q_next(&q))
        if ((rc = idlist_push(&idents, dd_q_int(&q, 0))) != DD_OK)
            break;
    dd_q_done(&q);
    if (rc >= 0)
        rc = dd_fleet__holders_count(c, idents.v, idents.n, out);
    dd_free(idents.v);
    return rc < 0 ? rc : DD_OK;
}

/* The advisories most images hold, by the images of each identity summed: on SQLite the
 * index's own count of rows per term, on PostgreSQL the lengths of its chunks. */
static const dual_sql top_sql = {
    "SELECT f.advisory, MAX(CASE f.severity WHEN 'CRITICAL' THEN 4 "
    "WHEN 'HIGH' THEN 3 WHEN 'MEDIUM' THEN 2 WHEN 'LOW' THEN 1 ELSE 0 END), "
    "SUM(ic.n) AS n FROM findings f JOIN (SELECT CAST(term AS INTEGER) AS identity_id, "
    "doc AS n FROM image_index_terms) ic "
    "ON ic.identity_id = f.identity_id WHERE f.state = 'open' "
    "GROUP BY f.advisory ORDER BY n DESC, f.advisory LIMIT 10",
    "SELECT f.advisory, MAX(CASE f.severity WHEN 'CRITICAL' THEN 4 "
    "WHEN 'HIGH' THEN 3 WHEN 'MEDIUM' THEN 2 WHEN 'LOW' THEN 1 ELSE 0 END), "
    "SUM(ic.n) AS n FROM findings f JOIN (SELECT identity_id, SUM(n) AS n "
    "FROM holder_chunks GROUP BY identity_id) ic "
    "ON ic.identity_id = f.identity_id WHERE f.state = 'open' "
    "GROUP BY f.advisory ORDER BY n DESC, f.advisory LIMIT 10"};

/* Advisories ranked by the images of each identity summed (an image holding two identities
 * with one advisory counts twice there: joining every finding with every occurrence costs
 * minutes on a large fleet), then counted exactly for the ten listed. */
static int summary_top(dd_fleet_conn *c, json_t *doc)
{
    json_t *top = json_array();
    dd_q q = {0};
    int rc;

    json_object_set_new(doc, "top_advisories", top);
    for (rc = dd_q_run(&q, c, SQL_FOR(c, top_sql), NULL, 0); rc > 0; rc = dd_q_next(&q)) {
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
#define EXPOSED_SQL(pairs)                                                                         \
    "SELECT i.digest, i.repository, e.cr, e.hi FROM (SELECT o.image_id, "                          \
    "SUM(ic.cr) AS cr, SUM(ic.hi) AS hi FROM (" pairs ") o JOIN (SELECT identity_id, "             \
    "SUM(CASE WHEN severity = 'CRITICAL' THEN 1 ELSE 0 END) AS cr, "                               \
    "SUM(CASE WHEN severity = 'HIGH' THEN 1 ELSE 0 END) AS hi FROM findings "                      \
    "WHERE state = 'open' GROUP BY identity_id) ic "                                               \
    "ON ic.identity_id = o.identity_id GROUP BY o.image_id "                                       \
    "ORDER BY cr DESC, hi DESC, o.image_id LIMIT 10) e "                                           \
    "JOIN images i ON i.id = e.image_id ORDER BY e.cr DESC, e.hi DESC, i.id"

/* the distinct (image, identity) pairs: on PostgreSQL from the identity ids alone */
static const dual_sql exposed_sql = {
    EXPOSED_SQL("SELECT DISTINCT image_id, identity_id FROM occurrences"),
    EXPOSED_SQL("SELECT DISTINCT o.image_id, x AS identity_id FROM image_occurrences o, "
                "unnest(o.identity_ids) AS x")};

static int summary_exposed(dd_fleet_conn *c, json_t *doc)
{
    json_t *list = json_array();
    dd_q q = {0};
    int rc;

    json_object_set_new(doc, "most_exposed", list);
    for (rc = dd_q_run(&q, c, SQL_FOR(c, exposed_sql), NULL, 0); rc > 0; rc = dd_q_next(&q))
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
    /* PostgreSQL ranks by its index's chunks: the images queued since the last merge first */
    if ((rc = dd_fleet__holders_merge(c, 0)) == DD_OK && (rc = summary_counts(c, doc)) == DD_OK &&
        (rc = summary_top(c, doc)) == DD_OK)
        rc = summary_exposed(c, doc);
    return rc;
}

int dd_fleet_summary(dd_fleet *f, json_t **out)
{
    return with_conn(f, summary_run, NULL, json_object(), out);
}
