/* Matching package identities against the vulnerability database and recording their findings:
 * the one path ingest (identities new to the store) and re-match (identities whose advisories
 * changed) share. */
#include "fleet/fleet_int.h"

#include <drydock/scan.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog/catalog_int.h"

int dd_fleet__vulndb(dd_fleet *f, dd_fleet_conn *c, const char *path, dd_vulndb **out)
{
    struct stat sb;
    int rc;

    *out = NULL;
    if (!path)
        path = f->vulndb_path;
    if (!path)
        return DD_OK;
    if (stat(path, &sb) != 0)
        return dd_error_set(DD_ENOTFOUND, "%s: vulnerability database not found", path);
    /* `drydock db update` renames a new file over the old one: a changed mtime means reopen */
    if (c->vdb && c->vdb_path && strcmp(c->vdb_path, path) == 0 &&
        c->vdb_mtime.tv_sec == sb.st_mtim.tv_sec && c->vdb_mtime.tv_nsec == sb.st_mtim.tv_nsec) {
        *out = c->vdb;
        return DD_OK;
    }
    if (c->vdb)
        dd_vulndb_close(c->vdb);
    c->vdb = NULL;
    dd_free(c->vdb_path);
    if (!(c->vdb_path = dd_strdup(path)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    if ((rc = dd_vulndb_open(&c->vdb, path)) != DD_OK)
        return rc;
    c->vdb_mtime = sb.st_mtim;
    *out = c->vdb;
    return DD_OK;
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

static int add_vid(dd_fleet_conn *c, const char *vid, int64_t finding_id)
{
    char up[256];
    size_t i;
    dd_dbv p[2];

    for (i = 0; vid[i] && i + 1 < sizeof(up); i++)
        up[i] = (char)toupper((unsigned char)vid[i]);
    up[i] = '\0';
    p[0] = DBT(up);
    p[1] = DBI(finding_id);
    return dd_fleet__exec(c,
                          "INSERT INTO finding_ids (vid, finding_id) VALUES ($1, $2) "
                          "ON CONFLICT DO NOTHING",
                          p, 2);
}

static int add_vids(dd_fleet_conn *c, const dd_finding *fd, int64_t finding_id)
{
    int rc = add_vid(c, fd->id, finding_id);

    for (size_t i = 0; rc == DD_OK && i < fd->n_aliases; i++)
        rc = add_vid(c, fd->aliases[i], finding_id);
    for (size_t i = 0; rc == DD_OK && i < fd->n_records; i++)
        rc = add_vid(c, fd->records[i], finding_id);
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

/* Records one finding of identity `ident`: inserted when new, reopened when it was resolved,
 * its severity and fixed version refreshed otherwise. */
static int record_finding(dd_fleet_conn *c, const dd_finding *fd, int64_t ident,
                          dd_fleet_newf_list *nf)
{
    char *aliases = aliases_json(fd);
    const char *sev = dd_severity_name(fd->severity);
    dd_dbv p[6] = {DBI(ident), DBT(fd->id), DBT(aliases), DBT(sev), DBT(fd->fixed),
                   DBI(dd_fleet__now())};
    int64_t id;
    bool found;
    int rc;

    if (!aliases)
        return dd_error_set(DD_ENOMEM, "out of memory");
    /* ON CONFLICT DO NOTHING: two servers matching the same identity record it once */
    rc = dd_fleet__int(c,
                       "INSERT INTO findings (identity_id, advisory, aliases, severity, fixed, "
                       "first_seen) VALUES ($1, $2, $3, $4, $5, $6) "
                       "ON CONFLICT (identity_id, advisory) DO NOTHING RETURNING id",
                       p, 6, &id, &found);
    if (rc == DD_OK && !found)
        rc = dd_fleet__int(c,
                           "UPDATE findings SET state = 'open', resolved_at = NULL, aliases = $3, "
                           "severity = $4, fixed = $5 WHERE identity_id = $1 AND advisory = $2 "
                           "AND state = 'resolved' RETURNING id",
                           p, 5, &id, &found);
    if (rc == DD_OK && !found) {
        rc = dd_fleet__exec(c,
                            "UPDATE findings SET aliases = $3, severity = $4, fixed = $5 "
                            "WHERE identity_id = $1 AND advisory = $2",
                            p, 5);
        id = 0;
    }
    free(aliases);
    if (rc == DD_OK && id)
        rc = add_vids(c, fd, id);
    if (rc == DD_OK && id)
        rc = push_new(nf, id, ident);
    return rc;
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

    for (rc = dd_q_run(&q, c, "SELECT id, advisory FROM findings WHERE identity_id = $1 AND "
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
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        dd_dbv u[2] = {DBI(gone[i]), DBI(dd_fleet__now())};
        rc = dd_fleet__exec(c,
                            "UPDATE findings SET state = 'resolved', resolved_at = $2 "
                            "WHERE id = $1",
                            u, 2);
    }
    if (rc >= 0)
        *resolved += n;
    dd_free(gone);
    return rc < 0 ? rc : DD_OK;
}

int dd_fleet__match_idents(dd_fleet_conn *c, dd_vulndb *db, const dd_fleet_ident *ids, size_t n,
                           bool resolve, dd_fleet_newf_list *nf, uint64_t *resolved)
{
    dd_inventory *inv = NULL;
    dd_scan_result *r = NULL;
    dd_scan_opts so = DD_SCAN_OPTS_INIT;
    size_t k = 0;
    int rc;

    if (!n)
        return DD_OK;
    /* every identity of the batch shares one ecosystem: the OS one applies to its OS packages */
    so.os_ecosystem = ids[0].ecosystem;
    if ((rc = build_inventory(&inv, ids, n)) != DD_OK)
        goto done;
    if ((rc = dd_scan_match(&r, inv, db, &so)) != DD_OK)
        goto done;
    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        size_t lo = k;
        dd_dbv p[2] = {DBI(ids[i].id), DBI(dd_fleet__now())};

        for (; k < dd_scan_count(r) && dd_scan_get(r, k)->pkg == i && rc == DD_OK; k++)
            rc = record_finding(c, dd_scan_get(r, k), ids[i].id, nf);
        if (rc == DD_OK && resolve)
            rc = resolve_gone(c, r, lo, k, ids[i].id, resolved);
        if (rc == DD_OK)
            rc = dd_fleet__exec(c, "UPDATE identities SET matched_at = $2 WHERE id = $1", p, 2);
    }
done:
    dd_scan_result_free(r);
    dd_inventory_free(inv);
    return rc;
}
