/* The store's schema as numbered migrations: migration N is applied once, in its own
 * transaction, and recorded in schema_migrations. The DDL is the one place the two backends need
 * different texts: "@ID@" stands for an auto-numbered primary key, and a migration may have a
 * text of its own for PostgreSQL. */
#include "fleet/fleet_int.h"

#include <string.h>

typedef struct {
    const char *sql; /* both backends, or SQLite only when `pg` is set */
    const char *pg;  /* PostgreSQL's own text, NULL when `sql` serves both */
    int (*run)(dd_fleet_conn *c); /* then this, in the same transaction; NULL for none */
} migration;

static int vid_sets_from_rows(dd_fleet_conn *c);

static const migration migrations[] = {
    /* 1: the data model of docs/fleet.md */
    {"CREATE TABLE identities ("
     " id @ID@, purl TEXT NOT NULL, ecosystem TEXT NOT NULL, ptype TEXT NOT NULL,"
     " pkey TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL, match_name TEXT,"
     " source_name TEXT, source_version TEXT, epoch TEXT, matched_at BIGINT NOT NULL DEFAULT 0,"
     " UNIQUE (ecosystem, purl));"
     "CREATE INDEX identities_package ON identities (pkey);"
     "CREATE INDEX identities_match ON identities (ecosystem, match_name);"
     "CREATE TABLE images ("
     " id @ID@, digest TEXT NOT NULL UNIQUE, repository TEXT NOT NULL, os TEXT,"
     " os_ecosystem TEXT, base_image TEXT, pushed_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
     "CREATE INDEX images_repository ON images (repository, id);"
     "CREATE INDEX images_base ON images (base_image, id);"
     "CREATE TABLE image_labels ("
     " image_id BIGINT NOT NULL REFERENCES images (id) ON DELETE CASCADE, key TEXT NOT NULL,"
     " value TEXT NOT NULL, PRIMARY KEY (image_id, key));"
     "CREATE TABLE tags ("
     " repository TEXT NOT NULL, tag TEXT NOT NULL,"
     " image_id BIGINT NOT NULL REFERENCES images (id) ON DELETE CASCADE,"
     " updated_at BIGINT NOT NULL, PRIMARY KEY (repository, tag));"
     "CREATE INDEX tags_image ON tags (image_id);"
     "CREATE TABLE tag_history ("
     " id @ID@, repository TEXT NOT NULL, tag TEXT NOT NULL, image_id BIGINT NOT NULL,"
     " previous_image_id BIGINT, moved_at BIGINT NOT NULL);"
     "CREATE INDEX tag_history_tag ON tag_history (repository, tag, id);"
     "CREATE TABLE occurrences ("
     " image_id BIGINT NOT NULL REFERENCES images (id) ON DELETE CASCADE,"
     " identity_id BIGINT NOT NULL REFERENCES identities (id), layer BIGINT, path TEXT);"
     "CREATE INDEX occurrences_image ON occurrences (image_id);"
     "CREATE INDEX occurrences_identity ON occurrences (identity_id, image_id);"
     "CREATE TABLE findings ("
     " id @ID@, identity_id BIGINT NOT NULL REFERENCES identities (id), advisory TEXT NOT NULL,"
     " aliases TEXT NOT NULL, severity TEXT NOT NULL, fixed TEXT, first_seen BIGINT NOT NULL,"
     " state TEXT NOT NULL DEFAULT 'open', resolved_at BIGINT,"
     " UNIQUE (identity_id, advisory));"
     /* covers the per-image counts by severity: no row lookups */
     "CREATE INDEX findings_counts ON findings (identity_id, state, severity, id);"
     "CREATE TABLE finding_ids ("
     " vid TEXT NOT NULL, finding_id BIGINT NOT NULL REFERENCES findings (id) ON DELETE CASCADE,"
     " PRIMARY KEY (vid, finding_id));"
     "CREATE TABLE advisory_fingerprints ("
     " ecosystem TEXT NOT NULL, name TEXT NOT NULL, fingerprint TEXT NOT NULL,"
     " checked_at BIGINT NOT NULL, PRIMARY KEY (ecosystem, name));"
     "CREATE TABLE deployments ("
     " id @ID@, environment TEXT NOT NULL, cluster TEXT NOT NULL, namespace TEXT NOT NULL,"
     " container TEXT NOT NULL, digest TEXT NOT NULL, last_seen BIGINT NOT NULL,"
     " UNIQUE (environment, cluster, namespace, container));"
     "CREATE INDEX deployments_digest ON deployments (digest);"
     "CREATE TABLE api_keys ("
     " id @ID@, name TEXT NOT NULL, scope BIGINT NOT NULL, prefix TEXT NOT NULL,"
     " hash TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL, revoked BIGINT NOT NULL DEFAULT 0);"
     "CREATE INDEX api_keys_prefix ON api_keys (prefix);"
     "CREATE TABLE webhooks ("
     " id @ID@, url TEXT NOT NULL, secret TEXT NOT NULL, created_at BIGINT NOT NULL);"
     "CREATE TABLE outbox ("
     " id @ID@, webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,"
     " body TEXT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0, next_attempt BIGINT NOT NULL,"
     " claimed_until BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, last_error TEXT);"
     "CREATE INDEX outbox_due ON outbox (next_attempt);"
     "CREATE TABLE upload_tokens ("
     " token TEXT PRIMARY KEY, image_id BIGINT NOT NULL, created_at BIGINT NOT NULL);",
     NULL, NULL},
    /* 2: occurrences without foreign keys on PostgreSQL. Their checks were most of the cost of
     * an ingest there (two lookups through the trigger machinery for each of thousands of rows);
     * the one writer of occurrences, ingest, takes both ids from rows of its own transaction,
     * images and identities are never deleted, and SQLite keeps its cheap in-process checks. */
    {"SELECT 1",
     "ALTER TABLE occurrences DROP CONSTRAINT IF EXISTS occurrences_image_id_fkey,"
     " DROP CONSTRAINT IF EXISTS occurrences_identity_id_fkey",
     NULL},
    /* 3: which images hold an identity comes from an inverted index written in bulk
     * (holders.c), no longer from a B-tree on (identity_id, image_id), whose upkeep was most of
     * an ingest; occurrences are kept in image order, for one image's packages. SQLite's
     * occurrences become a table clustered on that order, without the foreign key checks (two
     * lookups per row; images and identities are never deleted). */
    {"CREATE TABLE occurrences_by_image ("
     " image_id INTEGER NOT NULL, identity_id INTEGER NOT NULL, n INTEGER NOT NULL,"
     " layer BIGINT, path TEXT, PRIMARY KEY (image_id, identity_id, n)) WITHOUT ROWID;"
     "INSERT INTO occurrences_by_image"
     " SELECT image_id, identity_id, rowid, layer, path FROM occurrences;"
     "DROP TABLE occurrences;"
     "ALTER TABLE occurrences_by_image RENAME TO occurrences;"
     "CREATE VIRTUAL TABLE image_index USING fts5 ("
     " ids, tokenize = 'ascii', detail = none, columnsize = 0);"
     "INSERT INTO image_index (rowid, ids)"
     " SELECT image_id, group_concat(identity_id, ' ') FROM (SELECT DISTINCT image_id,"
     " identity_id FROM occurrences ORDER BY image_id, identity_id) GROUP BY image_id;"
     /* the number of images holding each identity, read off the index (the summary) */
     "CREATE VIRTUAL TABLE image_index_terms USING fts5vocab (image_index, row);",
     /* PostgreSQL: an image's occurrences are one row of three parallel arrays (one row to
      * write per push, not 3,000 heap tuples and index entries), read through a view of the
      * old table's shape. */
     "CREATE TABLE image_occurrences ("
     " image_id BIGINT PRIMARY KEY, identity_ids BIGINT[] NOT NULL, layers BIGINT[] NOT NULL,"
     " paths TEXT[] NOT NULL);"
     "INSERT INTO image_occurrences SELECT image_id, array_agg(identity_id ORDER BY ctid),"
     " array_agg(layer ORDER BY ctid), array_agg(path ORDER BY ctid) FROM occurrences"
     " GROUP BY image_id;"
     "DROP TABLE occurrences;"
     "CREATE VIEW occurrences AS SELECT o.image_id, u.identity_id, u.layer, u.path"
     " FROM image_occurrences o,"
     " unnest(o.identity_ids, o.layers, o.paths) AS u(identity_id, layer, path);"
     /* PostgreSQL: each identity's images in sorted arrays, one row per 1,024 image ids, with
      * their number (holder_chunks), and the images pushed since the last merge (holder_queue,
      * with the identities the chunks hold for them). The function answers from both in one
      * snapshot: per identity, the chunks in order up to the one that completes `lim` images
      * (counted by `n`, so that the arrays after it are never read), less the queued images,
      * plus the queued images holding it. */
     "CREATE TABLE holder_chunks ("
     " identity_id BIGINT NOT NULL, chunk BIGINT NOT NULL, images BIGINT[] NOT NULL,"
     " n BIGINT NOT NULL, PRIMARY KEY (identity_id, chunk));"
     "INSERT INTO holder_chunks SELECT identity_id, image_id / 1024,"
     " array_agg(DISTINCT image_id ORDER BY image_id), COUNT(DISTINCT image_id)"
     " FROM occurrences GROUP BY 1, 2;"
     "CREATE TABLE holder_queue (image_id BIGINT PRIMARY KEY, old_ids BIGINT[]);"
     "CREATE FUNCTION image_holders(ids BIGINT[], after BIGINT, lim BIGINT)"
     " RETURNS SETOF BIGINT LANGUAGE sql STABLE AS '"
     "WITH q AS MATERIALIZED (SELECT COALESCE(array_agg(image_id), ARRAY[]::bigint[]) AS queued,"
     " COUNT(*) AS n FROM holder_queue)"
     "SELECT DISTINCT x FROM ("
     " SELECT w.x FROM unnest(ids) AS i(id) CROSS JOIN LATERAL ("
     "  SELECT u.v AS x FROM q, (SELECT chunk, images, SUM(n) OVER (ORDER BY chunk) - n AS before,"
     "   FIRST_VALUE(n) OVER (ORDER BY chunk) AS first FROM holder_chunks"
     "   WHERE identity_id = i.id AND chunk >= after / 1024) h"
     "  CROSS JOIN LATERAL unnest(h.images) WITH ORDINALITY AS u(v, k)"
     "  WHERE (lim IS NULL OR h.before - h.first - q.n < lim) AND u.v > after"
     "  AND u.v <> ALL (q.queued) ORDER BY h.chunk, u.k LIMIT lim) w"
     " UNION ALL"
     /* a subquery per queued image, never a join: a plan testing every image's array (each
      * read back from TOAST, which the planner does not count) cost 66 ms per identity */
     " SELECT qi.image_id FROM holder_queue qi WHERE qi.image_id > after AND (SELECT"
     "  o.identity_ids && ids FROM image_occurrences o WHERE o.image_id = qi.image_id)"
     ") s ORDER BY x LIMIT lim';",
     NULL},
    /* 4: findings and their ids without foreign keys on PostgreSQL, as occurrences in 2: the
     * checks of the 1,700 id rows of 600 new findings were half of their insert (18 of 33 ms).
     * Their writers take the ids from rows of their own transaction, and identities and
     * findings are never deleted. */
    {"SELECT 1",
     "ALTER TABLE findings DROP CONSTRAINT IF EXISTS findings_identity_id_fkey;"
     "ALTER TABLE finding_ids DROP CONSTRAINT IF EXISTS finding_ids_finding_id_fkey",
     NULL},
    /* 5: the ids a finding answers to as shared sets (vidset.c) instead of a row per (id,
     * finding): the 1,700 rows of a push's 630 new findings were its dearest insert, while the
     * findings of one advisory mostly share their ids. The rows of finding_ids become sets. */
    {"CREATE TABLE vid_sets (id @ID@, digest TEXT NOT NULL UNIQUE);"
     "CREATE TABLE vid_set_members ("
     " vid TEXT NOT NULL, set_id INTEGER NOT NULL, PRIMARY KEY (vid, set_id)) WITHOUT ROWID;"
     "ALTER TABLE findings ADD COLUMN vid_set BIGINT;",
     "CREATE TABLE vid_sets (id @ID@, digest TEXT NOT NULL UNIQUE);"
     "CREATE TABLE vid_set_members ("
     " vid TEXT NOT NULL, set_id BIGINT NOT NULL, PRIMARY KEY (vid, set_id));"
     "ALTER TABLE findings ADD COLUMN vid_set BIGINT;",
     vid_sets_from_rows},
    /* 6: PostgreSQL: the arrays of image_occurrences and holder_chunks compressed with LZ4
     * rather than pglz. pglz was most of a push's occurrences insert (700 against 140 ms for 300
     * images) and of a merge's update of the chunks (1.2 s against 0.4 s for 150 images). A
     * server built without LZ4 stores them uncompressed instead (EXTERNAL: about as fast, four
     * times the size). Values already written keep their compression until rewritten. */
    {"SELECT 1",
     "DO $$ BEGIN"
     " ALTER TABLE image_occurrences ALTER COLUMN identity_ids SET COMPRESSION lz4,"
     "  ALTER COLUMN layers SET COMPRESSION lz4, ALTER COLUMN paths SET COMPRESSION lz4;"
     " ALTER TABLE holder_chunks ALTER COLUMN images SET COMPRESSION lz4;"
     "EXCEPTION WHEN feature_not_supported THEN"
     " ALTER TABLE image_occurrences ALTER COLUMN identity_ids SET STORAGE EXTERNAL,"
     "  ALTER COLUMN layers SET STORAGE EXTERNAL, ALTER COLUMN paths SET STORAGE EXTERNAL;"
     " ALTER TABLE holder_chunks ALTER COLUMN images SET STORAGE EXTERNAL;"
     "END $$",
     NULL},
    /* 7: PostgreSQL: the findings' unique key carries the columns of the per-image counts
     * (INCLUDE), so the separate index for those counts goes: each of a finding's four indexes
     * was a third of its insert (630 findings: 12 ms with four, 8 ms with three). The counts
     * stay index-only scans; SQLite has no INCLUDE and keeps both. */
    {"SELECT 1",
     "CREATE UNIQUE INDEX IF NOT EXISTS findings_identity_advisory"
     " ON findings (identity_id, advisory) INCLUDE (state, severity, id);"
     "ALTER TABLE findings DROP CONSTRAINT IF EXISTS findings_identity_id_advisory_key;"
     "DROP INDEX IF EXISTS findings_counts",
     NULL},
};

#define N_MIGRATIONS ((int64_t)(sizeof(migrations) / sizeof(migrations[0])))

/* The DDL of `sql` for the connection's backend. */
static int ddl_for(dd_buf *b, const char *sql, dd_db_kind kind)
{
    const char *id = kind == DD_DB_PG ? "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
                                      : "INTEGER PRIMARY KEY";
    int rc = DD_OK;

    for (const char *p = sql; *p && rc == DD_OK;) {
        const char *m = strstr(p, "@ID@");
        size_t n = m ? (size_t)(m - p) : strlen(p);

        rc = dd_buf_put(b, p, n);
        if (m && rc == DD_OK)
            rc = dd_buf_puts(b, id);
        p += n + (m ? 4 : 0);
    }
    return rc;
}

static int apply(dd_fleet_conn *c, int64_t n)
{
    const migration *m = &migrations[n - 1];
    dd_buf b = DD_BUF_INIT;
    dd_dbv p[2] = {DBI(n), DBI(dd_fleet__now())};
    int rc;

    if ((rc = ddl_for(&b, c->kind == DD_DB_PG && m->pg ? m->pg : m->sql, c->kind)) != DD_OK)
        goto done;
    if ((rc = c->ops->exec_script(c->db, b.data)) != DD_OK)
        goto done;
    if (m->run && (rc = m->run(c)) != DD_OK)
        goto done;
    rc = dd_fleet__exec(c, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", p,
                        2);
done:
    dd_buf_dispose(&b);
    if (rc != DD_OK)
        dd_error_prefix("migration %d", (int)n);
    return rc;
}

static int current_version(dd_fleet_conn *c, int64_t *out)
{
    return dd_fleet__int(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NULL, 0, out,
                         NULL);
}

/* Applies the next missing migration, if any; *done set when none is left. */
static int step(dd_fleet_conn *c, bool *done)
{
    int64_t v;
    int rc;

    if ((rc = dd_fleet__begin(c)) != DD_OK)
        return rc;
    /* several servers starting at once on one database: the first migrates, the others wait on
     * this lock and then find the work done */
    if (c->kind == DD_DB_PG &&
        (rc = c->ops->exec_script(c->db, "SELECT pg_advisory_xact_lock(7270417)")) != DD_OK)
        goto fail;
    if ((rc = current_version(c, &v)) != DD_OK)
        goto fail;
    if (v > N_MIGRATIONS) {
        rc = dd_error_set(DD_EUNSUPPORTED,
                          "store schema version %d is newer than this drydock knows (%d)", (int)v,
                          (int)N_MIGRATIONS);
        goto fail;
    }
    *done = v == N_MIGRATIONS;
    if (!*done && (rc = apply(c, v + 1)) != DD_OK)
        goto fail;
    return dd_fleet__commit(c);
fail:
    dd_fleet__rollback(c);
    return rc;
}

int dd_fleet__migrate(dd_fleet *f, dd_fleet_conn *c)
{
    bool done = false;
    int rc;

    (void)f;
    /* IF NOT EXISTS: two servers may both get here before either holds the lock */
    rc = c->ops->exec_script(c->db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                    " version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)");
    if (rc != DD_OK && c->kind == DD_DB_PG)
        /* PostgreSQL's IF NOT EXISTS races on the catalog; the loser retries once */
        rc = c->ops->exec_script(c->db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                        " version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)");
    while (rc == DD_OK && !done)
        rc = step(c, &done);
    return rc;
}

/* --- migration 5 --- */

/* Findings by id range, a range at a time: their rows of finding_ids grouped into lists. */
#define SET_RANGE 4096

typedef struct {
    int64_t *row_finding; /* the rows, in finding order */
    const char **row_vid;
    size_t n_rows, alloc_rows;
    int64_t *finding; /* each finding once, with the list of its ids */
    dd_fleet_vid_list *lists;
    size_t n, alloc;
} range_rows;

static int range_read(dd_fleet_conn *c, dd_arena *a, int64_t lo, int64_t hi, range_rows *out)
{
    dd_q q = {0};
    size_t alloc;
    int rc;

    out->n = out->n_rows = 0;
    for (rc = dd_q_run(&q, c,
                       "SELECT finding_id, vid FROM finding_ids WHERE finding_id > $1 AND "
                       "finding_id <= $2 ORDER BY finding_id",
                       (dd_dbv[]){DBI(lo), DBI(hi)}, 2);
         rc > 0; rc = dd_q_next(&q)) {
        const char *vid = dd_arena_strdup(a, dd_q_text(&q, 1));

        alloc = out->alloc_rows;
        if (!vid ||
            DD_ARRAY_RESERVE(out->row_finding, alloc, out->n_rows + 1, sizeof(int64_t), 256) !=
                DD_OK ||
            DD_ARRAY_RESERVE(out->row_vid, out->alloc_rows, out->n_rows + 1, sizeof(char *), 256) !=
                DD_OK) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            break;
        }
        out->row_finding[out->n_rows] = dd_q_int(&q, 0);
        out->row_vid[out->n_rows++] = vid;
    }
    dd_q_done(&q);
    for (size_t i = 0; rc >= 0 && i < out->n_rows; i++) {
        if (out->n && out->finding[out->n - 1] == out->row_finding[i]) {
            out->lists[out->n - 1].n++;
            continue;
        }
        alloc = out->alloc;
        if (DD_ARRAY_RESERVE(out->finding, alloc, out->n + 1, sizeof(int64_t), 64) != DD_OK ||
            DD_ARRAY_RESERVE(out->lists, out->alloc, out->n + 1, sizeof(*out->lists), 64) !=
                DD_OK) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            break;
        }
        out->finding[out->n] = out->row_finding[i];
        out->lists[out->n].v = out->row_vid + i;
        out->lists[out->n++].n = 1;
    }
    return rc < 0 ? rc : DD_OK;
}

static int set_findings(dd_fleet_conn *c, const int64_t *finding, const int64_t *set, size_t n)
{
    dd_buf a_f = DD_BUF_INIT, a_s = DD_BUF_INIT;
    int rc = DD_OK;

    if (c->kind == DD_DB_PG && n && (rc = dd_fleet__array_int(&a_f, finding, n)) == DD_OK &&
        (rc = dd_fleet__array_int(&a_s, set, n)) == DD_OK)
        rc = dd_fleet__exec(c,
                            "UPDATE findings f SET vid_set = u.s FROM unnest($1::bigint[], "
                            "$2::bigint[]) AS u(id, s) WHERE f.id = u.id",
                            (dd_dbv[]){DBT(a_f.data), DBT(a_s.data)}, 2);
    for (size_t i = 0; c->kind != DD_DB_PG && i < n && rc == DD_OK; i++)
        rc = dd_fleet__exec(c, "UPDATE findings SET vid_set = $2 WHERE id = $1",
                            (dd_dbv[]){DBI(finding[i]), DBI(set[i])}, 2);
    dd_buf_dispose(&a_f);
    dd_buf_dispose(&a_s);
    return rc;
}

static int vid_sets_from_rows(dd_fleet_conn *c)
{
    range_rows rr = {0};
    int64_t top = 0, *set = NULL;
    size_t set_alloc = 0;
    int rc = dd_fleet__int(c, "SELECT COALESCE(MAX(finding_id), 0) FROM finding_ids", NULL, 0, &top,
                           NULL);

    for (int64_t lo = 0; rc == DD_OK && lo < top; lo += SET_RANGE) {
        dd_arena *a = NULL;

        if ((rc = dd_arena_new(&a)) != DD_OK)
            break;
        if ((rc = range_read(c, a, lo, lo + SET_RANGE, &rr)) == DD_OK &&
            DD_ARRAY_RESERVE(set, set_alloc, rr.n ? rr.n : 1, sizeof(*set), 64) != DD_OK)
            rc = dd_error_set(DD_ENOMEM, "out of memory");
        if (rc == DD_OK && rr.n && (rc = dd_fleet__vid_sets(c, rr.lists, rr.n, set)) == DD_OK)
            rc = set_findings(c, rr.finding, set, rr.n);
        dd_arena_free(a);
    }
    if (rc == DD_OK)
        rc = c->ops->exec_script(c->db, "DROP TABLE finding_ids;"
                                        "CREATE INDEX findings_vid_set ON findings (vid_set);");
    dd_free(rr.row_finding);
    dd_free(rr.row_vid);
    dd_free(rr.finding);
    dd_free(rr.lists);
    dd_free(set);
    return rc;
}
