/* What the parts of lib/fleet/ share: the database layer (one SQL text per statement with $1..$N
 * placeholders, run on SQLite or PostgreSQL), the connection pool and the store handle. */
#ifndef DD_FLEET_INT_H
#define DD_FLEET_INT_H

#include <drydock/fleet.h>
#include <drydock/scan.h>
#include <drydock/version.h>
#include <drydock/vulndb.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "util/util.h"

typedef enum { DD_DB_SQLITE = 1, DD_DB_PG = 2 } dd_db_kind;

/* One bound parameter: text (NULL text binds SQL NULL) or a 64-bit integer. */
typedef struct {
    const char *s;
    int64_t i;
    bool is_int;
} dd_dbv;

#define DBT(x) ((dd_dbv){.s = (x), .i = 0, .is_int = false})
#define DBI(x) ((dd_dbv){.s = NULL, .i = (int64_t)(x), .is_int = true})

typedef struct dd_db_conn dd_db_conn;
typedef struct dd_db_res dd_db_res;

/* The backend's operations; each sets the thread's error (DD_EIO with the database's message). */
typedef struct {
    int (*connect)(dd_db_conn **out, const char *target);
    void (*close)(dd_db_conn *c);
    /* Runs `sql` (no parameters, may hold several statements; DDL and transaction control). */
    int (*exec_script)(dd_db_conn *c, const char *sql);
    /* Starts `sql` (a string constant: statements are cached by its address) with `params`. */
    int (*query)(dd_db_conn *c, dd_db_res **out, const char *sql, const dd_dbv *params, int n);
    /* 1 with a row, 0 at the end, <0 on error. */
    int (*next)(dd_db_res *r);
    const char *(*text)(dd_db_res *r, int col); /* NULL for SQL NULL; valid until next() */
    void (*done)(dd_db_res *r);
    /* Whether the connection still reaches its server (libpq's status; SQLite: always). */
    bool (*alive)(dd_db_conn *c);
} dd_db_ops;

extern const dd_db_ops dd_fleet__sqlite_ops;
extern const dd_db_ops dd_fleet__pg_ops;

/* A pooled connection with the per-connection state the store keeps beside it. */
typedef struct {
    const dd_db_ops *ops;
    dd_db_kind kind;
    dd_fleet *f;
    dd_db_conn *db;
    bool broken;  /* dropped and reconnected on release */
    bool writing; /* SQLite: holds the store's write_mu, between begin and commit or rollback */
} dd_fleet_conn;

typedef struct dd_fleet_idcache dd_fleet_idcache;
typedef struct dd_fleet_checkpointer dd_fleet_checkpointer;

/* An open vulnerability database, as of the file's mtime when it was opened. */
typedef struct {
    dd_vulndb *db;
    char *path;
    struct timespec mtime;
} dd_fleet_vdb;

struct dd_fleet {
    dd_db_kind kind;
    dd_fleet_idcache *ids; /* identity ids by (ecosystem, purl), idcache.c */
    const dd_db_ops *ops;
    char *target; /* file path or libpq URI */
    char *vulndb_path;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* SQLite has one writer at a time: its write transactions, and writes outside one, queue
     * here and not on SQLite's busy handler, which sleeps in steps of up to 100 ms however soon
     * the lock is free. Recursive: a write may run inside a loop over another's rows. */
    pthread_mutex_t write_mu;
    dd_fleet_conn **idle;
    size_t n_idle, n_open, pool_size;
    dd_fleet_checkpointer *ckpt; /* SQLite's checkpoint thread, checkpoint.c */
    /* Open handles on the vulnerability database (match.c), apart from the connections: the
     * decoded advisories each keeps stay with whoever matches next, not with whichever
     * connection the pool hands out. */
    pthread_mutex_t vdb_mu;
    dd_fleet_vdb **vdb_idle;
    size_t n_vdb_idle;
};

/* --- the pool and the query helpers (db.c) --- */

int dd_fleet__acquire(dd_fleet *f, dd_fleet_conn **out);
void dd_fleet__release(dd_fleet *f, dd_fleet_conn *c);
void dd_fleet__pool_close(dd_fleet *f);

typedef struct {
    dd_fleet *f;
    dd_fleet_conn *c;
    dd_db_res *r;
    bool locked; /* an SQLite write outside a transaction, holding write_mu until dd_q_done */
} dd_q;

/* Runs a statement and steps to its first row: 1 row, 0 none, <0 error. dd_q_done always. */
int dd_q_run(dd_q *q, dd_fleet_conn *c, const char *sql, const dd_dbv *p, int n);
int dd_q_next(dd_q *q);
const char *dd_q_text(dd_q *q, int col);
int64_t dd_q_int(dd_q *q, int col);
void dd_q_done(dd_q *q);

/* Runs a statement to completion (rows ignored). */
int dd_fleet__exec(dd_fleet_conn *c, const char *sql, const dd_dbv *p, int n);
/* Runs a statement answering one integer; `*found` false (and *out 0) for no row. */
int dd_fleet__int(dd_fleet_conn *c, const char *sql, const dd_dbv *p, int n, int64_t *out,
                  bool *found);
int dd_fleet__begin(dd_fleet_conn *c);
/* Set by the PostgreSQL backend when a statement failed with a deadlock or serialization
 * failure (SQLSTATE class 40): the whole transaction may be retried. Cleared by begin. */
extern __thread bool dd_fleet__retryable;
int dd_fleet__commit(dd_fleet_conn *c);
void dd_fleet__rollback(dd_fleet_conn *c);

/* --- SQLite's checkpoints (checkpoint.c): a thread of the store, nothing on PostgreSQL --- */
int dd_fleet__checkpointer_start(dd_fleet *f);
/* After a commit: the log has pages to copy back. */
void dd_fleet__checkpointer_nudge(dd_fleet *f);
void dd_fleet__checkpointer_stop(dd_fleet *f);

/* --- the identity id cache (idcache.c); thread-safe --- */
int dd_fleet__idcache_new(dd_fleet_idcache **out);
void dd_fleet__idcache_free(dd_fleet_idcache *c);
/* The id of (ecosystem, purl), 0 when not cached; between read_begin and read_end, so that a
 * push's 3,000 lookups take the lock once, not once each (the request threads would take turns
 * at its cache line). */
void dd_fleet__idcache_read_begin(dd_fleet_idcache *c);
int64_t dd_fleet__idcache_get(const dd_fleet_idcache *c, const char *eco, const char *purl);
void dd_fleet__idcache_read_end(dd_fleet_idcache *c);
/* Remembers an id; only ids of committed rows. */
void dd_fleet__idcache_put(dd_fleet_idcache *c, const char *eco, const char *purl, int64_t id);

/* --- schema (schema.c) --- */
int dd_fleet__migrate(dd_fleet *f, dd_fleet_conn *c);

/* --- which images hold an identity (holders.c) --- */

/* Records that image `image_id` holds the identities ids[0..n) (any order, repeats allowed),
 * replacing what it held before. Called in the push's transaction before its occurrences are
 * replaced: PostgreSQL queues the image, with what it held, for a merge to fold in. */
int dd_fleet__holders_put(dd_fleet_conn *c, int64_t image_id, const int64_t *ids, size_t n);
/* PostgreSQL: folds the queued images into the index when at least `min` are queued (0: any);
 * outside a transaction. Nothing to do on SQLite. */
int dd_fleet__holders_merge(dd_fleet_conn *c, size_t min);
/* Calls `each` (which stops the walk by failing) for every image with an id above `after`
 * holding any identity of ids[0..n), in ascending order, at most `limit` of them (0: all). */
int dd_fleet__holders_each(dd_fleet_conn *c, const int64_t *ids, size_t n, int64_t after,
                           int64_t limit, int (*each)(void *ctx, int64_t image_id), void *ctx);
/* The number of images holding any identity of ids[0..n). */
int dd_fleet__holders_count(dd_fleet_conn *c, const int64_t *ids, size_t n, int64_t *out);

/* --- matching (match.c) --- */

/* One identity to match: as stored. */
typedef struct {
    int64_t id;
    const char *purl, *ecosystem, *type, *name, *version, *source_name, *source_version, *epoch;
} dd_fleet_ident;

/* A finding recorded for the webhook body. */
typedef struct {
    int64_t finding_id, identity_id;
} dd_fleet_newf;

typedef struct {
    dd_fleet_newf *v;
    size_t n, alloc;
} dd_fleet_newf_list;

/* A handle on the vulnerability database at `path` (NULL: the store's), to give back when
 * done: the store's are kept open, with their decoded advisories, until the file changes (a
 * `drydock db update` renames a new one over it). NULL with DD_OK when `path` is NULL and the
 * store has none configured; DD_ENOTFOUND when the file is not there. */
int dd_fleet__vulndb_take(dd_fleet *f, const char *path, dd_fleet_vdb **out);
void dd_fleet__vulndb_give(dd_fleet *f, dd_fleet_vdb *h);
/* Closes the idle handles (the store's close). */
void dd_fleet__vulndb_close_all(dd_fleet *f);
/* What the identities whose findings are recorded may have already. */
typedef enum {
    /* none: the transaction recording them inserted them (an ingest's new identities; no other
     * writer sees them before it commits), so their findings go in without conflict checks */
    DD_FLEET_IDENTS_NEW,
    /* findings of earlier matches (a re-match): those matched again are reopened or refreshed,
     * the open ones no longer matched resolved */
    DD_FLEET_IDENTS_MATCHED,
} dd_fleet_idents_state;

/* Matches `ids` (all of one ecosystem, just inserted: DD_FLEET_IDENTS_NEW) and records their
 * findings, appended to `nf`. */
int dd_fleet__match_new_idents(dd_fleet_conn *c, dd_vulndb *db, const dd_fleet_ident *ids, size_t n,
                               dd_fleet_newf_list *nf);
/* The same in two steps: the matching alone (no database; `*out` NULL when n is 0), then the
 * recording of its result. The result's package i is ids[i]; the new findings (and reopened
 * ones) are appended to `nf`, the number resolved added to `*resolved`. */
int dd_fleet__match_compute(dd_vulndb *db, const dd_fleet_ident *ids, size_t n,
                            dd_scan_result **out);
int dd_fleet__match_record(dd_fleet_conn *c, const dd_fleet_ident *ids, size_t n,
                           const dd_scan_result *r, dd_fleet_idents_state state,
                           dd_fleet_newf_list *nf, uint64_t *resolved);
/* The fingerprint (hex SHA-256 over ids and modified) of the advisories of (ecosystem, name). */
int dd_fleet__fingerprint(dd_vulndb *db, const char *ecosystem, const char *name, char out[72]);
/* Queues `nf` for every webhook (one outbox entry each). */
int dd_fleet__queue(dd_fleet_conn *c, const dd_fleet_newf_list *nf);

/* --- the id sets of findings (vidset.c) --- */

/* The ids one finding answers to, in any case and order, repeats allowed. */
typedef struct {
    const char *const *v;
    size_t n;
} dd_fleet_vid_list;

/* The number of the set of each of lists[0..n) into out[0..n), storing the sets the store does
 * not have yet (in the caller's transaction). */
int dd_fleet__vid_sets(dd_fleet_conn *c, const dd_fleet_vid_list *lists, size_t n, int64_t *out);

/* --- ranges and cursors (range.c) --- */

#define DD_FLEET_RANGE_MAX 8
typedef struct {
    int op[DD_FLEET_RANGE_MAX]; /* '<', 'l' (<=), '>', 'g' (>=), '=', '!' */
    char *ver[DD_FLEET_RANGE_MAX];
    size_t n;
} dd_fleet_range;

/* Parses "<1.2.3", ">=2.0,<2.4", "=1.0" (spaces allowed around parts), checking each version
 * in `scheme`. DD_EINVALID naming the part. */
int dd_fleet__range_parse(dd_fleet_range *out, const char *s, dd_version_scheme scheme);
void dd_fleet__range_dispose(dd_fleet_range *r);
/* Whether `version` lies in the range; a version the scheme rejects lies in none. */
bool dd_fleet__range_has(const dd_fleet_range *r, dd_version_scheme scheme, const char *version);
/* The version order of a purl type ("deb", "npm", ...). DD_EUNSUPPORTED otherwise. */
int dd_fleet__scheme_for_type(dd_version_scheme *out, const char *type);

/* A page cursor: an opaque string over the last id of the page. */
void dd_fleet__cursor_make(char out[40], int64_t last_id);
/* NULL or "" is 0; DD_EINVALID for anything not made by dd_fleet__cursor_make. */
int dd_fleet__cursor_parse(int64_t *out, const char *s);

/* The tags of image `image_id`, sorted, as a JSON array; NULL on a database error. */
json_t *dd_fleet__image_tags(dd_fleet_conn *c, int64_t image_id);
unsigned dd_fleet__page_limit(const dd_fleet_page *pg);

/* The lookup key of a purl: "type/namespace/name" as the ecosystem compares names (PyPI's
 * normal form, lower case where names are case-insensitive), and its version (NULL when none).
 * The caller frees both with dd_free; `version` may be NULL. DD_EINVALID for a bad purl. */
int dd_fleet__purl_key(char **key, char **version, const char *purl);

/* PostgreSQL array literals for a bound array parameter ("$2::text[]", "$3::bigint[]"): one
 * statement then carries a whole batch. A NULL string is SQL NULL. DD_ENOMEM. */
int dd_fleet__array_text(dd_buf *b, const char *const *v, size_t n);
int dd_fleet__array_int(dd_buf *b, const int64_t *v, size_t n);
/* The integers with `sep` between them. */
int dd_fleet__join_int(dd_buf *b, const int64_t *v, size_t n, const char *sep);

/* Seconds since the epoch. */
int64_t dd_fleet__now(void);

#endif
