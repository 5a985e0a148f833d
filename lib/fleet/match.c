/* Matching package identities against the vulnerability database and recording their findings:
 * the one path ingest (identities new to the store) and re-match (identities whose advisories
 * changed) share. */
#include "fleet/fleet_int.h"

#include <drydock/scan.h>

#include <ctype.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog/catalog_int.h"

/* Decoded advisories each handle keeps, by name (dd_vulndb_cache). */
#define VULNDB_CACHE_BYTES ((size_t)32 << 20)

static void vdb_free(dd_fleet_vdb *h)
{
    if (!h)
        return;
    dd_vulndb_close(h->db);
    dd_free(h->path);
    dd_free(h);
}

static bool same_mtime(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

int dd_fleet__vulndb_take(dd_fleet *f, const char *path, dd_fleet_vdb **out)
{
    dd_fleet_vdb *h = NULL;
    struct stat sb;
    int rc;

    *out = NULL;
    if (!path)
        path = f->vulndb_path;
    if (!path)
        return DD_OK;
    if (stat(path, &sb) != 0)
        return dd_error_set(DD_ENOTFOUND, "%s: vulnerability database not found", path);
    /* the store's: the last given back, whose cache is warmest; those of an older file are
     * closed (the file changed under all of them at once) */
    pthread_mutex_lock(&f->vdb_mu);
    while (f->vulndb_path && strcmp(path, f->vulndb_path) == 0 && !h && f->n_vdb_idle) {
        h = f->vdb_idle[--f->n_vdb_idle];
        if (!same_mtime(&h->mtime, &sb.st_mtim)) {
            vdb_free(h);
            h = NULL;
        }
    }
    pthread_mutex_unlock(&f->vdb_mu);
    if (h) {
        *out = h;
        return DD_OK;
    }
    if (!(h = dd_calloc(1, sizeof(*h))) || !(h->path = dd_strdup(path))) {
        dd_free(h);
        return dd_error_set(DD_ENOMEM, "out of memory");
    }
    h->mtime = sb.st_mtim;
    /* a fleet's new identities are mostly new versions of names it matched before */
    if ((rc = dd_vulndb_open(&h->db, path)) != DD_OK ||
        (rc = dd_vulndb_cache(h->db, VULNDB_CACHE_BYTES)) != DD_OK) {
        vdb_free(h);
        return rc;
    }
    *out = h;
    return DD_OK;
}

void dd_fleet__vulndb_give(dd_fleet *f, dd_fleet_vdb *h)
{
    if (!h)
        return;
    /* handles on another file (a re-match given its own) are not kept */
    pthread_mutex_lock(&f->vdb_mu);
    if (f->vulndb_path && strcmp(h->path, f->vulndb_path) == 0 && f->n_vdb_idle < f->pool_size) {
        f->vdb_idle[f->n_vdb_idle++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&f->vdb_mu);
    vdb_free(h);
}

void dd_fleet__vulndb_close_all(dd_fleet *f)
{
    for (size_t i = 0; i < f->n_vdb_idle; i++)
        vdb_free(f->vdb_idle[i]);
    f->n_vdb_idle = 0;
}

/* --- fingerprints --- */

typedef struct {
    char **v;
    size_t n, alloc;
    int rc;
} strlist;

static int collect_entry(const dd_osv_affected *a, void *payload)
{
    strlist *l = payload;
    dd_buf b = DD_BUF_INIT;

    if (DD_ARRAY_RESERVE(l->v, l->alloc, l->n + 1, sizeof(*l->v), 16) != DD_OK ||
        dd_buf_printf(&b, "%s\t%s\n", a->id, a->modified ? a->modified : "") != DD_OK) {
        dd_buf_dispose(&b);
        return dd_error_set(DD_ENOMEM, "out of memory");
    }
    l->v[l->n++] = dd_buf_detach(&b, NULL);
    return 0;
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int dd_fleet__fingerprint(dd_vulndb *db, const char *ecosystem, const char *name, char out[72])
{
    strlist l = {0};
    dd_buf b = DD_BUF_INIT;
    int rc = dd_vulndb_query(db, ecosystem, name, collect_entry, &l);

    if (rc == DD_OK) {
        /* a record lists a package once per affected[] entry: sort and keep each line once */
        if (l.n)
            qsort(l.v, l.n, sizeof(*l.v), cmp_strp);
        for (size_t i = 0; i < l.n && rc == DD_OK; i++)
            if (i == 0 || strcmp(l.v[i], l.v[i - 1]) != 0)
                rc = dd_buf_puts(&b, l.v[i]);
        if (rc == DD_OK)
            rc = dd_sha256_digest(out, b.data, b.len);
    }
    for (size_t i = 0; i < l.n; i++)
        dd_free(l.v[i]);
    dd_free(l.v);
    dd_buf_dispose(&b);
    return rc;
}

/* --- building the inventory of identities --- */

static dd_pkg_type type_of(const char *name)
{
    for (int t = DD_PKG_APK; t <= DD_PKG_NUGET; t++)
        if (strcmp(dd_pkg_type_name((dd_pkg_type)t), name) == 0)
            return (dd_pkg_type)t;
    return 0;
}

static int build_inventory(dd_inventory **out, const dd_fleet_ident *ids, size_t n)
{
    dd_inventory *inv;
    int rc;

    if ((rc = dd_inventory__new(&inv)) != DD_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        dd_package p = {0};

        p.type = type_of(ids[i].type);
        p.name = ids[i].name;
        p.version = ids[i].version;
        p.source_name = ids[i].source_name;
        p.source_version = ids[i].source_version;
        p.epoch = ids[i].epoch;
        p.purl = ids[i].purl;
        if ((rc = dd_inventory__add(inv, &p)) != DD_OK) {
            dd_inventory_free(inv);
            return rc;
        }
    }
    *out = inv;
    return DD_OK;
}

/* --- recording findings --- */

static char *aliases_json(const dd_finding *fd)
{
    json_t *a = json_array();
    char *s;

    for (size_t i = 0; a && i < fd->n_aliases; i++)
        json_array_append_new(a, json_string(fd->aliases[i]));
    s = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    return s;
}

/* The id set of each finding of `r`: its id, aliases and the records merged into it. */
static int finding_sets(dd_fleet_conn *c, const dd_scan_result *r, int64_t *out)
{
    size_t n = dd_scan_count(r), total = 0, k = 0;
    dd_fleet_vid_list *lists;
    const char **ids;
    int rc;

    for (size_t i = 0; i < n; i++)
        total += 1 + dd_scan_get(r, i)->n_aliases + dd_scan_get(r, i)->n_records;
    lists = dd_malloc((n ? n : 1) * sizeof(*lists));
    ids = dd_malloc((total ? total : 1) * sizeof(*ids));
    if (!lists || !ids) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const dd_finding *fd = dd_scan_get(r, i);

        lists[i].v = ids + k;
        lists[i].n = 1 + fd->n_aliases + fd->n_records;
        ids[k++] = fd->id;
        for (size_t j = 0; j < fd->n_aliases; j++)
            ids[k++] = fd->aliases[j];
        for (size_t j = 0; j < fd->n_records; j++)
            ids[k++] = fd->records[j];
    }
    rc = dd_fleet__vid_sets(c, lists, n, out);
done:
    dd_free(lists);
    dd_free(ids);
    return rc;
}

static int push_new(dd_fleet_newf_list *nf, int64_t finding_id, int64_t identity_id)
{
    if (DD_ARRAY_RESERVE(nf->v, nf->alloc, nf->n + 1, sizeof(*nf->v), 16) != DD_OK)
        return dd_error_set(DD_ENOMEM, "out of memory");
    nf->v[nf->n].finding_id = finding_id;
    nf->v[nf->n].identity_id = identity_id;
    nf->n++;
    return DD_OK;
}

/* Records one finding of identity `ident`, whose ids are set `set`: inserted when new, reopened
 * when it was resolved, its ids, severity and fixed version refreshed otherwise. */
static int record_finding(dd_fleet_conn *c, const dd_finding *fd, int64_t ident, int64_t set,
                          dd_fleet_newf_list *nf)
{
    char *aliases = aliases_json(fd);
    const char *sev = dd_severity_name(fd->severity);
    dd_dbv p[7] = {DBI(ident),     DBT(fd->id), DBT(aliases),        DBT(sev),
                   DBT(fd->fixed), DBI(set),    DBI(dd_fleet__now())};
    int64_t id;
    bool found;
    int rc;

    if (!aliases)
        return dd_error_set(DD_ENOMEM, "out of memory");
    /* ON CONFLICT DO NOTHING: two servers matching the same identity record it once */
    rc = dd_fleet__int(c,
                       "INSERT INTO findings (identity_id, advisory, aliases, severity, fixed, "
                       "vid_set, first_seen) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                       "ON CONFLICT (identity_id, advisory) DO NOTHING RETURNING id",
                       p, 7, &id, &found);
    if (rc == DD_OK && !found)
        rc = dd_fleet__int(c,
                           "UPDATE findings SET state = 'open', resolved_at = NULL, aliases = $3, "
                           "severity = $4, fixed = $5, vid_set = $6 WHERE identity_id = $1 AND "
                           "advisory = $2 AND state = 'resolved' RETURNING id",
                           p, 6, &id, &found);
    if (rc == DD_OK && !found) {
        rc = dd_fleet__exec(c,
                            "UPDATE findings SET aliases = $3, severity = $4, fixed = $5, "
                            "vid_set = $6 WHERE identity_id = $1 AND advisory = $2",
                            p, 6);
        id = 0;
    }
    free(aliases);
    if (rc == DD_OK && id)
        rc = push_new(nf, id, ident);
    return rc;
}

/* Marks the findings `gone` resolved: one statement over an array on PostgreSQL, one per
 * finding on SQLite (in process, where a statement costs no round trip). */
static int mark_resolved(dd_fleet_conn *c, const int64_t *gone, size_t n, uint64_t *resolved)
{
    dd_buf a = DD_BUF_INIT;
    int rc = DD_OK;

    if (n && c->kind == DD_DB_PG && (rc = dd_fleet__array_int(&a, gone, n)) == DD_OK)
        rc = dd_fleet__exec(c,
                            "UPDATE findings SET state = 'resolved', resolved_at = $2 "
                            "WHERE id = ANY($1::bigint[])",
                            (dd_dbv[]){DBT(a.data), DBI(dd_fleet__now())}, 2);
    for (size_t i = 0; c->kind != DD_DB_PG && rc >= 0 && i < n; i++)
        rc = dd_fleet__exec(c,
                            "UPDATE findings SET state = 'resolved', resolved_at = $2 "
                            "WHERE id = $1",
                            (dd_dbv[]){DBI(gone[i]), DBI(dd_fleet__now())}, 2);
    if (rc >= 0)
        *resolved += n;
    dd_buf_dispose(&a);
    return rc < 0 ? rc : DD_OK;
}

/* Marks resolved the open findings of `ident` that `r` (findings [lo, hi)) no longer has. */
static int resolve_gone(dd_fleet_conn *c, const dd_scan_result *r, size_t lo, size_t hi,
                        int64_t ident, uint64_t *resolved)
{
    dd_dbv p[1] = {DBI(ident)};
    dd_q q = {0};
    int64_t *gone = NULL;
    size_t n = 0, alloc = 0;
    int rc;

    for (rc = dd_q_run(&q, c,
                       "SELECT id, advisory FROM findings WHERE identity_id = $1 AND "
                       "state = 'open'",
                       p, 1);
         rc > 0; rc = dd_q_next(&q)) {
        const char *adv = dd_q_text(&q, 1);
        bool still = false;

        for (size_t i = lo; i < hi && !still; i++)
            still = strcmp(dd_scan_get(r, i)->id, adv) == 0;
        if (still)
            continue;
        if (DD_ARRAY_RESERVE(gone, alloc, n + 1, sizeof(*gone), 8) != DD_OK) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            break;
        }
        gone[n++] = dd_q_int(&q, 0);
    }
    dd_q_done(&q);
    if (rc >= 0)
        rc = mark_resolved(c, gone, n, resolved);
    dd_free(gone);
    return rc < 0 ? rc : DD_OK;
}

/* --- the same, batched for PostgreSQL: a few statements over bound arrays per batch of
 * identities, instead of several round trips per finding --- */

typedef struct {
    const dd_scan_result *r;
    const dd_fleet_ident *ids;
} result_view;

/* qsort takes no payload; one per thread, as several connections match at once */
static __thread const result_view *sort_view;

static int64_t ident_of_finding(const result_view *v, size_t k)
{
    return v->ids[dd_scan_get(v->r, k)->pkg].id;
}

static int cmp_finding(int64_t ident_a, const char *adv_a, int64_t ident_b, const char *adv_b)
{
    if (ident_a != ident_b)
        return ident_a < ident_b ? -1 : 1;
    return strcmp(adv_a, adv_b);
}

static int cmp_by_key(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return cmp_finding(ident_of_finding(sort_view, x), dd_scan_get(sort_view->r, x)->id,
                       ident_of_finding(sort_view, y), dd_scan_get(sort_view->r, y)->id);
}

/* The result's finding of (identity, advisory), by binary search over `order`; -1 when none. */
static ssize_t find_finding(const result_view *v, const size_t *order, size_t n, int64_t ident,
                            const char *adv)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_finding(ident_of_finding(v, order[mid]), dd_scan_get(v->r, order[mid])->id,
                            ident, adv);
        if (c == 0)
            return (ssize_t)order[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

typedef struct {
    dd_buf ident, advisory, aliases, severity, fixed, set;
} finding_arrays;

static void finding_arrays_dispose(finding_arrays *a)
{
    dd_buf_dispose(&a->ident);
    dd_buf_dispose(&a->advisory);
    dd_buf_dispose(&a->aliases);
    dd_buf_dispose(&a->severity);
    dd_buf_dispose(&a->fixed);
    dd_buf_dispose(&a->set);
}

/* The arrays of the result's findings (whose id sets are `set`), less those with an id in `fid`
 * when it is not NULL. */
static int finding_arrays_make(finding_arrays *out, const result_view *v, const int64_t *set,
                               const int64_t *fid)
{
    size_t n_all = dd_scan_count(v->r), n = 0;
    size_t m = n_all ? n_all : 1;
    int64_t *ident = dd_malloc(m * sizeof(*ident));
    int64_t *sets = dd_malloc(m * sizeof(*sets));
    const char **adv = dd_calloc(m, sizeof(*adv));
    const char **sev = dd_calloc(m, sizeof(*sev));
    const char **fixed = dd_calloc(m, sizeof(*fixed));
    char **aliases = dd_calloc(m, sizeof(*aliases));
    int rc = DD_OK;

    if (!ident || !sets || !adv || !sev || !fixed || !aliases)
        rc = dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t k = 0; k < n_all && rc == DD_OK; k++) {
        const dd_finding *fd = dd_scan_get(v->r, k);

        if (fid && fid[k])
            continue;
        ident[n] = ident_of_finding(v, k);
        sets[n] = set[k];
        adv[n] = fd->id;
        sev[n] = dd_severity_name(fd->severity);
        fixed[n] = fd->fixed;
        if (!(aliases[n++] = aliases_json(fd)))
            rc = dd_error_set(DD_ENOMEM, "out of memory");
    }
    if (rc == DD_OK &&
        ((rc = dd_fleet__array_int(&out->ident, ident, n)) != DD_OK ||
         (rc = dd_fleet__array_text(&out->advisory, adv, n)) != DD_OK ||
         (rc = dd_fleet__array_text(&out->aliases, (const char *const *)aliases, n)) != DD_OK ||
         (rc = dd_fleet__array_text(&out->severity, sev, n)) != DD_OK ||
         (rc = dd_fleet__array_text(&out->fixed, fixed, n)) != DD_OK ||
         (rc = dd_fleet__array_int(&out->set, sets, n)) != DD_OK))
        rc = dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t k = 0; aliases && k < n; k++)
        free(aliases[k]);
    dd_free(aliases);
    dd_free(ident);
    dd_free(sets);
    dd_free(adv);
    dd_free(sev);
    dd_free(fixed);
    return rc;
}

#define FINDINGS_UNNEST                                                                            \
    "unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) "          \
    "AS v(identity_id, advisory, aliases, severity, fixed, vid_set)"

/* Runs a statement answering (finding id, identity id, advisory) and notes each finding's id
 * in `fid` (indexed like the result). */
static int note_ids(dd_fleet_conn *c, const char *sql, const dd_dbv *p, int np,
                    const result_view *v, const size_t *order, size_t n, int64_t *fid)
{
    dd_q q = {0};
    int rc;

    for (rc = dd_q_run(&q, c, sql, p, np); rc > 0; rc = dd_q_next(&q)) {
        ssize_t k = find_finding(v, order, n, dd_q_int(&q, 1), dd_q_text(&q, 2));
        if (k >= 0)
            fid[k] = dd_q_int(&q, 0);
    }
    dd_q_done(&q);
    return rc < 0 ? rc : DD_OK;
}

/* The list of the new and reopened findings (fid[k] != 0) for the webhooks, in the result's
 * order. */
static int record_new_pg(const result_view *v, const int64_t *fid, dd_fleet_newf_list *nf)
{
    int rc = DD_OK;

    for (size_t k = 0; k < dd_scan_count(v->r) && rc == DD_OK; k++)
        if (fid[k])
            rc = push_new(nf, fid[k], ident_of_finding(v, k));
    return rc;
}

/* Resolves the open findings of `ids` the result no longer has. */
static int resolve_gone_pg(dd_fleet_conn *c, const result_view *v, const size_t *order,
                           const char *ident_array, uint64_t *resolved)
{
    size_t n = dd_scan_count(v->r), n_gone = 0, alloc = 0;
    int64_t *gone = NULL;
    dd_q q = {0};
    int rc;

    for (rc = dd_q_run(&q, c,
                       "SELECT id, identity_id, advisory FROM findings "
                       "WHERE identity_id = ANY($1::bigint[]) AND state = 'open'",
                       (dd_dbv[]){DBT(ident_array)}, 1);
         rc > 0; rc = dd_q_next(&q)) {
        if (find_finding(v, order, n, dd_q_int(&q, 1), dd_q_text(&q, 2)) >= 0)
            continue;
        if (DD_ARRAY_RESERVE(gone, alloc, n_gone + 1, sizeof(*gone), 16) != DD_OK) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            break;
        }
        gone[n_gone++] = dd_q_int(&q, 0);
    }
    dd_q_done(&q);
    if (rc >= 0)
        rc = mark_resolved(c, gone, n_gone, resolved);
    dd_free(gone);
    return rc < 0 ? rc : DD_OK;
}

static int record_pg(dd_fleet_conn *c, const dd_fleet_ident *ids, size_t n_ids,
                     const dd_scan_result *r, dd_fleet_idents_state state, dd_fleet_newf_list *nf,
                     uint64_t *resolved)
{
    result_view v = {r, ids};
    size_t n = dd_scan_count(r);
    size_t *order = dd_malloc((n ? n : 1) * sizeof(*order));
    int64_t *fid = dd_calloc(n ? n : 1, sizeof(*fid));
    int64_t *set = dd_calloc(n ? n : 1, sizeof(*set));
    int64_t *idv = dd_malloc((n_ids ? n_ids : 1) * sizeof(*idv));
    finding_arrays fa = {DD_BUF_INIT, DD_BUF_INIT, DD_BUF_INIT,
                         DD_BUF_INIT, DD_BUF_INIT, DD_BUF_INIT};
    dd_buf a_ids = DD_BUF_INIT;
    int64_t now = dd_fleet__now();
    int rc = DD_OK;

    if (!order || !fid || !set || !idv) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < n; k++)
        order[k] = k;
    sort_view = &v;
    if (n)
        qsort(order, n, sizeof(*order), cmp_by_key);
    for (size_t i = 0; i < n_ids; i++)
        idv[i] = ids[i].id;
    if ((rc = dd_fleet__array_int(&a_ids, idv, n_ids)) != DD_OK)
        goto done;
    if (n) {
        dd_dbv p[7];
        bool any_old = false;

        if ((rc = finding_sets(c, r, set)) != DD_OK ||
            (rc = finding_arrays_make(&fa, &v, set, NULL)) != DD_OK)
            goto done;
        p[0] = DBT(fa.ident.data), p[1] = DBT(fa.advisory.data), p[2] = DBT(fa.aliases.data);
        p[3] = DBT(fa.severity.data), p[4] = DBT(fa.fixed.data), p[5] = DBT(fa.set.data);
        p[6] = DBI(now);
        /* ON CONFLICT DO NOTHING: two servers matching the same identity record it once;
         * identities this transaction inserted have no findings anywhere else */
        if ((rc = note_ids(c,
                           state == DD_FLEET_IDENTS_NEW
                               ? "INSERT INTO findings (identity_id, advisory, aliases, "
                                 "severity, fixed, vid_set, first_seen) SELECT v.identity_id, "
                                 "v.advisory, v.aliases, v.severity, v.fixed, v.vid_set, $7 "
                                 "FROM " FINDINGS_UNNEST " RETURNING id, identity_id, advisory"
                               : "INSERT INTO findings (identity_id, advisory, aliases, "
                                 "severity, fixed, vid_set, first_seen) SELECT v.identity_id, "
                                 "v.advisory, v.aliases, v.severity, v.fixed, v.vid_set, $7 "
                                 "FROM " FINDINGS_UNNEST
                                 " ON CONFLICT (identity_id, advisory) DO NOTHING "
                                 "RETURNING id, identity_id, advisory",
                           p, 7, &v, order, n, fid)) != DD_OK)
            goto done;
        /* the findings recorded before (all of them on a re-match, none for the identities an
         * ingest has just added) are reopened or refreshed */
        for (size_t k = 0; k < n; k++)
            any_old |= !fid[k];
        finding_arrays_dispose(&fa);
        if (any_old && (rc = finding_arrays_make(&fa, &v, set, fid)) != DD_OK)
            goto done;
        p[0] = DBT(fa.ident.data), p[1] = DBT(fa.advisory.data), p[2] = DBT(fa.aliases.data);
        p[3] = DBT(fa.severity.data), p[4] = DBT(fa.fixed.data), p[5] = DBT(fa.set.data);
        /* a resolved finding that matches again is reopened and counts as new */
        if (any_old &&
            (rc = note_ids(c,
                           "UPDATE findings f SET state = 'open', resolved_at = NULL, "
                           "aliases = v.aliases, severity = v.severity, fixed = v.fixed, "
                           "vid_set = v.vid_set FROM " FINDINGS_UNNEST
                           " WHERE f.identity_id = v.identity_id AND "
                           "f.advisory = v.advisory AND f.state = 'resolved' "
                           "RETURNING f.id, f.identity_id, f.advisory",
                           p, 6, &v, order, n, fid)) != DD_OK)
            goto done;
        /* the others keep their state; their ids, severity and fixed version are refreshed */
        if (any_old && (rc = dd_fleet__exec(
                            c,
                            "UPDATE findings f SET aliases = v.aliases, severity = "
                            "v.severity, fixed = v.fixed, vid_set = v.vid_set FROM " FINDINGS_UNNEST
                            " WHERE f.identity_id = v.identity_id AND "
                            "f.advisory = v.advisory AND (f.aliases <> v.aliases OR "
                            "f.severity <> v.severity OR f.fixed IS DISTINCT FROM v.fixed "
                            "OR f.vid_set IS DISTINCT FROM v.vid_set)",
                            p, 6)) != DD_OK)
            goto done;
        if ((rc = record_new_pg(&v, fid, nf)) != DD_OK)
            goto done;
    }
    if (state == DD_FLEET_IDENTS_MATCHED &&
        (rc = resolve_gone_pg(c, &v, order, a_ids.data, resolved)) != DD_OK)
        goto done;
    rc = dd_fleet__exec(c, "UPDATE identities SET matched_at = $2 WHERE id = ANY($1::bigint[])",
                        (dd_dbv[]){DBT(a_ids.data), DBI(now)}, 2);
done:
    finding_arrays_dispose(&fa);
    dd_buf_dispose(&a_ids);
    dd_free(order);
    dd_free(fid);
    dd_free(set);
    dd_free(idv);
    return rc;
}

int dd_fleet__match_compute(dd_vulndb *db, const dd_fleet_ident *ids, size_t n,
                            dd_scan_result **out)
{
    dd_inventory *inv = NULL;
    dd_scan_opts so = DD_SCAN_OPTS_INIT;
    int rc;

    *out = NULL;
    if (!n)
        return DD_OK;
    /* every identity of the batch shares one ecosystem: the OS one applies to its OS packages */
    so.os_ecosystem = ids[0].ecosystem;
    if ((rc = build_inventory(&inv, ids, n)) == DD_OK)
        rc = dd_scan_match(out, inv, db, &so);
    dd_inventory_free(inv);
    return rc;
}

int dd_fleet__match_record(dd_fleet_conn *c, const dd_fleet_ident *ids, size_t n,
                           const dd_scan_result *r, dd_fleet_idents_state state,
                           dd_fleet_newf_list *nf, uint64_t *resolved)
{
    bool resolve = state == DD_FLEET_IDENTS_MATCHED;
    size_t k = 0, n_found = dd_scan_count(r);
    int64_t *set;
    int rc;

    if (!n)
        return DD_OK;
    if (c->kind == DD_DB_PG)
        return record_pg(c, ids, n, r, state, nf, resolved);
    if (!(set = dd_malloc((n_found ? n_found : 1) * sizeof(*set))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    rc = finding_sets(c, r, set);
    /* SQLite runs in-process: a statement per row costs microseconds */
    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        size_t lo = k;
        dd_dbv p[2] = {DBI(ids[i].id), DBI(dd_fleet__now())};

        for (; k < n_found && dd_scan_get(r, k)->pkg == i && rc == DD_OK; k++)
            rc = record_finding(c, dd_scan_get(r, k), ids[i].id, set[k], nf);
        if (rc == DD_OK && resolve)
            rc = resolve_gone(c, r, lo, k, ids[i].id, resolved);
        if (rc == DD_OK)
            rc = dd_fleet__exec(c, "UPDATE identities SET matched_at = $2 WHERE id = $1", p, 2);
    }
    dd_free(set);
    return rc;
}

int dd_fleet__match_new_idents(dd_fleet_conn *c, dd_vulndb *db, const dd_fleet_ident *ids, size_t n,
                               dd_fleet_newf_list *nf)
{
    dd_scan_result *r = NULL;
    uint64_t resolved = 0;
    int rc;

    if (!n)
        return DD_OK;
    if ((rc = dd_fleet__match_compute(db, ids, n, &r)) == DD_OK)
        rc = dd_fleet__match_record(c, ids, n, r, DD_FLEET_IDENTS_NEW, nf, &resolved);
    dd_scan_result_free(r);
    return rc;
}
