/* Which images hold a package identity: the store's inverted index (migration 3), read in image
 * id order so that a page of "affected by" stops after its `limit` images.
 *
 * A B-tree on (identity_id, image_id) answered this before, but its upkeep was most of an
 * ingest: a 3,000-package push dirtied some 3,000 pages, each in another place of the index.
 * Both backends now write a push as a few rows and fold it into the term index in bulk:
 *
 * - SQLite: an FTS5 table, one row per image (rowid = image id) whose terms are the ids of the
 *   identities it holds (detail=none: no positions). FTS5 writes each transaction's terms as a
 *   new segment and merges segments as later writes go on.
 * - PostgreSQL: each identity's images as sorted arrays, one row per 1,024 image ids
 *   (holder_chunks). A push only queues its image (holder_queue, with what the chunks hold for
 *   it), and a merge folds up to 256 queued images into the chunks in one transaction: the
 *   server's timer every second, a push that finds 256 queued, a summary before it ranks.
 *   Answers come from the chunks less the queued images, plus the queued images holding the
 *   identity, in one statement (function image_holders), so they are exact at any time. */
#include "fleet/fleet_int.h"

#include <stdlib.h>
#include <string.h>

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* The backend's text for a set of ids: an FTS5 query ("1 OR 2") or document ("1 2"), or a
 * PostgreSQL array literal ("{1,2}"). */
static int id_set(dd_buf *b, dd_fleet_conn *c, const int64_t *v, size_t n, const char *sep)
{
    if (c->kind == DD_DB_PG)
        return dd_fleet__array_int(b, v, n);
    return dd_fleet__join_int(b, v, n, sep);
}

int dd_fleet__holders_put(dd_fleet_conn *c, int64_t image_id, const int64_t *ids, size_t n)
{
    int64_t *v;
    dd_buf doc = DD_BUF_INIT;
    size_t k = 0;
    int rc;

    if (c->kind == DD_DB_PG)
        /* queued with what the chunks hold for it now: its occurrences before this push, or,
         * when it is queued already, what it held then. DO UPDATE, not DO NOTHING: a merge
         * holding the row locked is waited for, and the row then queued again (the statement's
         * snapshot still sees the occurrences that merge folded in) */
        return dd_fleet__exec(c,
                              "INSERT INTO holder_queue (image_id, old_ids) VALUES ($1, "
                              "(SELECT identity_ids FROM image_occurrences "
                              "WHERE image_id = $1)) ON CONFLICT (image_id) "
                              "DO UPDATE SET old_ids = holder_queue.old_ids",
                              (dd_dbv[]){DBI(image_id)}, 1);
    if (!(v = dd_malloc((n ? n : 1) * sizeof(*v))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    memcpy(v, ids, n * sizeof(*v));
    qsort(v, n, sizeof(*v), cmp_id);
    for (size_t i = 0; i < n; i++)
        if (!k || v[k - 1] != v[i])
            v[k++] = v[i];
    /* FTS5 has no upsert: a re-pushed image's row goes, then comes back */
    rc =
        dd_fleet__exec(c, "DELETE FROM image_index WHERE rowid = $1", (dd_dbv[]){DBI(image_id)}, 1);
    if (rc == DD_OK && k && (rc = dd_fleet__join_int(&doc, v, k, " ")) == DD_OK)
        rc = dd_fleet__exec(c, "INSERT INTO image_index (rowid, ids) VALUES ($1, $2)",
                            (dd_dbv[]){DBI(image_id), DBT(doc.data)}, 2);
    dd_buf_dispose(&doc);
    dd_free(v);
    return rc;
}

int dd_fleet__holders_each(dd_fleet_conn *c, const int64_t *ids, size_t n, int64_t after,
                           int64_t limit, int (*each)(void *ctx, int64_t image_id), void *ctx)
{
    dd_buf any = DD_BUF_INIT;
    dd_q q = {0};
    int rc;

    if (!n)
        return DD_OK;
    if ((rc = id_set(&any, c, ids, n, " OR ")) != DD_OK)
        return rc;
    for (rc = dd_q_run(
             &q, c,
             c->kind == DD_DB_PG ? "SELECT image_holders($1::bigint[], $2, $3)"
                                 : "SELECT rowid FROM image_index WHERE image_index MATCH $1 "
                                   "AND rowid > $2 ORDER BY rowid LIMIT $3",
             (dd_dbv[]){DBT(any.data), DBI(after), DBI(limit > 0 ? limit : INT64_MAX)}, 3);
         rc > 0; rc = dd_q_next(&q))
        if ((rc = each(ctx, dd_q_int(&q, 0))) != DD_OK)
            break;
    dd_q_done(&q);
    dd_buf_dispose(&any);
    return rc < 0 ? rc : DD_OK;
}

int dd_fleet__holders_count(dd_fleet_conn *c, const int64_t *ids, size_t n, int64_t *out)
{
    dd_buf any = DD_BUF_INIT;
    int rc;

    *out = 0;
    if (!n)
        return DD_OK;
    if ((rc = id_set(&any, c, ids, n, " OR ")) != DD_OK)
        return rc;
    rc = dd_fleet__int(c,
                       c->kind == DD_DB_PG
                           ? "SELECT COUNT(*) FROM image_holders($1::bigint[], 0, NULL)"
                           : "SELECT COUNT(*) FROM image_index WHERE image_index MATCH $1",
                       (dd_dbv[]){DBT(any.data)}, 1, out, NULL);
    dd_buf_dispose(&any);
    return rc;
}

/* --- PostgreSQL: folding the queue into the chunks --- */

#define MERGE_BATCH 256

/* Folds up to MERGE_BATCH queued images into the chunks, in one transaction; *n the number
 * folded (0 when another server is merging). */
static int merge_batch(dd_fleet_conn *c, size_t *n)
{
    dd_buf arr = DD_BUF_INIT;
    int64_t ids[MERGE_BATCH], got;
    dd_q q = {0};
    int rc;

    *n = 0;
    if ((rc = dd_fleet__begin(c)) != DD_OK)
        return rc;
    /* one merger at a time; the others find the work done or being done */
    if ((rc = dd_fleet__int(c,
                            "SELECT CASE WHEN pg_try_advisory_xact_lock(7270418) THEN 1 "
                            "ELSE 0 END",
                            NULL, 0, &got, NULL)) != DD_OK ||
        !got)
        goto done;
    /* locked: a push of one of these images waits for this merge, then queues it again */
    for (rc = dd_q_run(&q, c,
                       "SELECT image_id FROM holder_queue ORDER BY image_id LIMIT $1 FOR UPDATE",
                       (dd_dbv[]){DBI(MERGE_BATCH)}, 1);
         rc > 0 && *n < MERGE_BATCH; rc = dd_q_next(&q))
        ids[(*n)++] = dd_q_int(&q, 0);
    dd_q_done(&q);
    if (rc < 0 || !*n || (rc = dd_fleet__array_int(&arr, ids, *n)) != DD_OK)
        goto done;
    /* what a re-pushed image held before leaves its chunks, then what it holds now goes in */
    if ((rc = dd_fleet__exec(
             c,
             "UPDATE holder_chunks h SET (images, n) = (SELECT a, cardinality(a) FROM "
             "(SELECT ARRAY(SELECT v FROM unnest(h.images) AS v WHERE v <> ALL (r.gone) "
             "ORDER BY v) AS a) s) FROM (SELECT x AS identity_id, "
             "q.image_id / 1024 AS chunk, array_agg(q.image_id) AS gone FROM holder_queue q, "
             "unnest(q.old_ids) AS x WHERE q.image_id = ANY ($1::bigint[]) GROUP BY 1, 2) r "
             "WHERE h.identity_id = r.identity_id AND h.chunk = r.chunk",
             (dd_dbv[]){DBT(arr.data)}, 1)) != DD_OK)
        goto done;
    if ((rc = dd_fleet__exec(c,
                             "INSERT INTO holder_chunks (identity_id, chunk, images, n) "
                             "SELECT x, o.image_id / 1024, "
                             "array_agg(DISTINCT o.image_id ORDER BY o.image_id), "
                             "COUNT(DISTINCT o.image_id) FROM image_occurrences o, "
                             "unnest(o.identity_ids) AS x "
                             "WHERE o.image_id = ANY ($1::bigint[]) GROUP BY 1, 2 "
                             "ON CONFLICT (identity_id, chunk) DO UPDATE SET (images, n) = "
                             "(SELECT a, cardinality(a) FROM (SELECT CASE WHEN "
                             "excluded.images[1] > holder_chunks.images[holder_chunks.n] "
                             "THEN holder_chunks.images || excluded.images "
                             "ELSE ARRAY(SELECT DISTINCT v "
                             "FROM unnest(holder_chunks.images || excluded.images) AS v "
                             "ORDER BY v) END AS a) s)",
                             (dd_dbv[]){DBT(arr.data)}, 1)) != DD_OK)
        goto done;
    rc = dd_fleet__exec(c, "DELETE FROM holder_queue WHERE image_id = ANY ($1::bigint[])",
                        (dd_dbv[]){DBT(arr.data)}, 1);
done:
    dd_buf_dispose(&arr);
    if (rc == DD_OK)
        return dd_fleet__commit(c);
    dd_fleet__rollback(c);
    return rc;
}

int dd_fleet__holders_merge(dd_fleet_conn *c, size_t min)
{
    int64_t queued;
    size_t n = MERGE_BATCH;
    int rc;

    if (c->kind != DD_DB_PG)
        return DD_OK;
    if ((rc = dd_fleet__int(c, "SELECT COUNT(*) FROM holder_queue", NULL, 0, &queued, NULL)) !=
            DD_OK ||
        (size_t)queued < (min ? min : 1))
        return rc;
    while (rc == DD_OK && n == MERGE_BATCH)
        rc = merge_batch(c, &n);
    return rc;
}

int dd_fleet_maintain(dd_fleet *f)
{
    dd_fleet_conn *c;
    int rc;

    if (f->kind != DD_DB_PG)
        return DD_OK;
    if ((rc = dd_fleet__acquire(f, &c)) != DD_OK)
        return rc;
    rc = dd_fleet__holders_merge(c, 0);
    dd_fleet__release(f, c);
    return rc;
}
