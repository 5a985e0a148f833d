/* Re-match when advisories change: only the (ecosystem, name) pairs whose advisories differ from
 * the fingerprint kept at their last match are matched again. Each pair is one unit of work in
 * its own transaction; with PostgreSQL its fingerprint row is the job, claimed with
 * FOR UPDATE SKIP LOCKED so concurrent servers split the pairs between them. */
#include "fleet/fleet_int.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    char *eco, *name;
} pair;

typedef struct {
    pair *v;
    size_t n, alloc;
} pair_list;

static void pairs_dispose(pair_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        dd_free(l->v[i].eco);
        dd_free(l->v[i].name);
    }
    dd_free(l->v);
}

static int load_pairs(dd_fleet_conn *c, pair_list *l)
{
    dd_q q = {0};
    int rc;

    for (rc = dd_q_run(&q, c,
                       "SELECT DISTINCT ecosystem, match_name FROM identities "
                       "WHERE ecosystem <> '' AND match_name IS NOT NULL "
                       "ORDER BY ecosystem, match_name",
                       NULL, 0);
         rc > 0; rc = dd_q_next(&q)) {
        pair *p;

        if (DD_ARRAY_RESERVE(l->v, l->alloc, l->n + 1, sizeof(*l->v), 64) != DD_OK) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            break;
        }
        p = &l->v[l->n++];
        p->eco = dd_strdup(dd_q_text(&q, 0));
        p->name = dd_strdup(dd_q_text(&q, 1));
        if (!p->eco || !p->name) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            break;
        }
    }
    dd_q_done(&q);
    return rc < 0 ? rc : DD_OK;
}

/* The identities of one pair, strings in `a`. */
static int load_idents(dd_fleet_conn *c, dd_arena *a, const char *eco, const char *name,
                       dd_fleet_ident **out, size_t *n)
{
    size_t alloc = 0;
    dd_q q = {0};
    int rc;

    *out = NULL;
    *n = 0;
    for (rc = dd_q_run(&q, c,
                       "SELECT id, purl, ecosystem, ptype, name, version, source_name, "
                       "source_version, epoch FROM identities WHERE ecosystem = $1 AND "
                       "match_name = $2 ORDER BY id",
                       (dd_dbv[]){DBT(eco), DBT(name)}, 2);
         rc > 0; rc = dd_q_next(&q)) {
        dd_fleet_ident *it;
        const char **f[8];

        if (DD_ARRAY_RESERVE(*out, alloc, *n + 1, sizeof(**out), 16) != DD_OK) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            break;
        }
        it = &(*out)[(*n)++];
        it->id = dd_q_int(&q, 0);
        f[0] = &it->purl, f[1] = &it->ecosystem, f[2] = &it->type, f[3] = &it->name;
        f[4] = &it->version, f[5] = &it->source_name, f[6] = &it->source_version;
        f[7] = &it->epoch;
        for (int k = 0; k < 8; k++) {
            const char *s = dd_q_text(&q, k + 1);
            *f[k] = s ? dd_arena_strdup(a, s) : NULL;
        }
    }
    dd_q_done(&q);
    return rc < 0 ? rc : DD_OK;
}

/* The pair's stored fingerprint, read without a lock ("" when the pair has none yet). */
static int peek_pair(dd_fleet_conn *c, const char *eco, const char *name, char stored[80])
{
    dd_q q = {0};
    int rc = dd_q_run(&q, c,
                      "SELECT fingerprint FROM advisory_fingerprints WHERE ecosystem = $1 AND "
                      "name = $2",
                      (dd_dbv[]){DBT(eco), DBT(name)}, 2);

    stored[0] = '\0';
    if (rc > 0)
        snprintf(stored, 80, "%s", dd_q_text(&q, 0));
    dd_q_done(&q);
    return rc < 0 ? rc : DD_OK;
}

/* Claims the pair's fingerprint row; *skip when another server holds it. */
static int claim_pair(dd_fleet_conn *c, const char *eco, const char *name, char stored[80],
                      bool *skip)
{
    dd_q q = {0};
    int rc;

    *skip = false;
    stored[0] = '\0';
    if (c->kind == DD_DB_PG)
        rc = dd_q_run(&q, c,
                      "SELECT fingerprint FROM advisory_fingerprints WHERE ecosystem = $1 AND "
                      "name = $2 FOR UPDATE SKIP LOCKED",
                      (dd_dbv[]){DBT(eco), DBT(name)}, 2);
    else
        rc = dd_q_run(&q, c,
                      "SELECT fingerprint FROM advisory_fingerprints WHERE ecosystem = $1 AND "
                      "name = $2",
                      (dd_dbv[]){DBT(eco), DBT(name)}, 2);
    if (rc > 0)
        snprintf(stored, 80, "%s", dd_q_text(&q, 0));
    *skip = rc == 0;
    dd_q_done(&q);
    return rc < 0 ? rc : DD_OK;
}

/* Whether the pair must be matched: its advisories changed since `stored` was recorded, or it
 * holds identities pushed while the store had no vulnerability database (never matched). */
static int pair_due(dd_fleet_conn *c, const char *eco, const char *name, const char *stored,
                    const char *fp, bool *due)
{
    int64_t unmatched = 0;
    int rc;

    *due = strcmp(stored, fp) != 0;
    if (*due)
        return DD_OK;
    rc = dd_fleet__int(c,
                       "SELECT COUNT(*) FROM identities WHERE ecosystem = $1 AND "
                       "match_name = $2 AND matched_at = 0",
                       (dd_dbv[]){DBT(eco), DBT(name)}, 2, &unmatched, NULL);
    *due = unmatched > 0;
    return rc;
}

/* One pair. The matching (CPU, the vulnerability database) happens before the write
 * transaction, so the transaction holds SQLite's write lock, or the pair's row on PostgreSQL,
 * only while the result is written; under the lock the fingerprint is compared again, so a pair
 * another server finished meanwhile is not written twice. */
static int rematch_pair(dd_fleet_conn *c, dd_vulndb *db, const char *eco, const char *name,
                        dd_fleet_rematch_stats *st)
{
    dd_fleet_newf_list nf = {0};
    dd_fleet_ident *ids = NULL;
    dd_scan_result *r = NULL;
    dd_arena *a = NULL;
    char fp[72], stored[80];
    size_t n = 0;
    bool skip, due;
    int rc;

    if ((rc = dd_fleet__fingerprint(db, eco, name, fp)) != DD_OK)
        return rc;
    if ((rc = peek_pair(c, eco, name, stored)) != DD_OK ||
        (rc = pair_due(c, eco, name, stored, fp, &due)) != DD_OK || !due)
        return rc;
    if ((rc = dd_arena_new(&a)) != DD_OK ||
        (rc = load_idents(c, a, eco, name, &ids, &n)) != DD_OK ||
        (rc = dd_fleet__match_compute(db, ids, n, &r)) != DD_OK)
        goto out;
    /* the row must exist before it can be claimed */
    if ((rc = dd_fleet__exec(c,
                             "INSERT INTO advisory_fingerprints (ecosystem, name, fingerprint, "
                             "checked_at) VALUES ($1, $2, '', 0) ON CONFLICT DO NOTHING",
                             (dd_dbv[]){DBT(eco), DBT(name)}, 2)) != DD_OK)
        goto out;
    if ((rc = dd_fleet__begin(c)) != DD_OK)
        goto out;
    /* a re-match that a crash cuts short is done again by the next one (its fingerprint is not
     * recorded with it), so its commits need not wait for the disk: hundreds of pairs would
     * otherwise pay one flush each */
    if (c->kind == DD_DB_PG &&
        (rc = c->ops->exec_script(c->db, "SET LOCAL synchronous_commit TO off")) != DD_OK)
        goto finish;
    if ((rc = claim_pair(c, eco, name, stored, &skip)) != DD_OK || skip)
        goto finish;
    if ((rc = pair_due(c, eco, name, stored, fp, &due)) != DD_OK || !due)
        goto finish;
    st->names_changed++;
    if ((rc = dd_fleet__match_record(c, ids, n, r, DD_FLEET_IDENTS_MATCHED, &nf,
                                     &st->resolved_findings)) != DD_OK)
        goto finish;
    st->identities_matched += n;
    st->new_findings += nf.n;
    if ((rc = dd_fleet__queue(c, &nf)) != DD_OK)
        goto finish;
    rc = dd_fleet__exec(c,
                        "UPDATE advisory_fingerprints SET fingerprint = $3, checked_at = $4 "
                        "WHERE ecosystem = $1 AND name = $2",
                        (dd_dbv[]){DBT(eco), DBT(name), DBT(fp), DBI(dd_fleet__now())}, 4);
finish:
    if (rc == DD_OK)
        rc = dd_fleet__commit(c);
    else
        dd_fleet__rollback(c);
out:
    dd_free(nf.v);
    dd_free(ids);
    dd_scan_result_free(r);
    dd_arena_free(a);
    return rc;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The pairs are shared out between a few workers, each with its own pooled connection and
 * vulnerability database handle: matching is CPU work that a second core halves. */
#define MAX_WORKERS 4

typedef struct {
    dd_fleet *f;
    const char *vulndb_path;
    const pair_list *pairs;
    pthread_mutex_t mu;
    size_t next;
    bool failed;
    dd_error_state err;
    dd_fleet_rematch_stats total;
} rematch_job;

static void *rematch_worker(void *arg)
{
    rematch_job *job = arg;
    dd_fleet_rematch_stats st = {0};
    dd_fleet_conn *c = NULL;
    dd_fleet_vdb *db = NULL;
    int rc;

    if ((rc = dd_fleet__acquire(job->f, &c)) == DD_OK &&
        (rc = dd_fleet__vulndb_take(job->f, job->vulndb_path, &db)) == DD_OK && !db)
        rc = dd_error_set(DD_EINVALID, "re-match: the store has no vulnerability database");
    while (rc == DD_OK) {
        size_t i;

        pthread_mutex_lock(&job->mu);
        i = job->failed ? job->pairs->n : job->next++;
        pthread_mutex_unlock(&job->mu);
        if (i >= job->pairs->n)
            break;
        rc = rematch_pair(c, db->db, job->pairs->v[i].eco, job->pairs->v[i].name, &st);
    }
    dd_fleet__vulndb_give(job->f, db);
    if (c)
        dd_fleet__release(job->f, c);
    pthread_mutex_lock(&job->mu);
    if (rc != DD_OK && !job->failed) {
        job->failed = true;
        dd_error_save(&job->err);
    }
    job->total.names_changed += st.names_changed;
    job->total.identities_matched += st.identities_matched;
    job->total.new_findings += st.new_findings;
    job->total.resolved_findings += st.resolved_findings;
    pthread_mutex_unlock(&job->mu);
    return NULL;
}

int dd_fleet_rematch(dd_fleet *f, const char *vulndb_path, dd_fleet_rematch_stats *out)
{
    pair_list pairs = {0};
    rematch_job job = {0};
    pthread_t th[MAX_WORKERS];
    size_t n_workers, started = 0;
    struct timespec t0;
    dd_fleet_conn *c;
    dd_fleet_vdb *db = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if ((rc = dd_fleet__acquire(f, &c)) != DD_OK)
        return rc;
    if ((rc = dd_fleet__vulndb_take(f, vulndb_path, &db)) == DD_OK && !db)
        rc = dd_error_set(DD_EINVALID, "re-match: the store has no vulnerability database");
    /* given back for a worker to take: the check was that there is one */
    dd_fleet__vulndb_give(f, db);
    if (rc == DD_OK)
        rc = load_pairs(c, &pairs);
    /* the workers take connections of their own; holding this one could starve a small pool */
    dd_fleet__release(f, c);
    if (rc != DD_OK)
        goto done;
    out->names_checked = pairs.n;
    job.f = f;
    job.vulndb_path = vulndb_path;
    job.pairs = &pairs;
    pthread_mutex_init(&job.mu, NULL);
    n_workers = dd_cpu_count();
    if (n_workers > MAX_WORKERS)
        n_workers = MAX_WORKERS;
    if (n_workers > f->pool_size)
        n_workers = f->pool_size;
    if (n_workers > pairs.n / 16 + 1) /* a handful of pairs: not worth a thread */
        n_workers = pairs.n / 16 + 1;
    for (size_t i = 1; i < n_workers; i++)
        if (pthread_create(&th[i], NULL, rematch_worker, &job) == 0)
            started++;
    rematch_worker(&job);
    for (size_t i = 1; i <= started; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&job.mu);
    out->names_changed = job.total.names_changed;
    out->identities_matched = job.total.identities_matched;
    out->new_findings = job.total.new_findings;
    out->resolved_findings = job.total.resolved_findings;
    if (job.failed)
        rc = dd_error_restore(&job.err);
done:
    pairs_dispose(&pairs);
    out->seconds = seconds_since(&t0);
    return rc;
}
