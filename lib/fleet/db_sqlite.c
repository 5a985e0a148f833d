/* The SQLite backend of the store's database layer: $N placeholders rewritten to ?N, statements
 * prepared once per connection and cached by the address of their SQL text. */
#include "fleet/fleet_int.h"

#include "util/sqlite_dl.h"
#include <string.h>

typedef struct {
    const char *sql;
    sqlite3_stmt *st;
} cached;

struct dd_db_conn {
    sqlite3 *db;
    cached *cache;
    size_t n_cache, cap_cache; /* open addressing, cap a power of two */
};

struct dd_db_res {
    dd_db_conn *c;
    sqlite3_stmt *st;
    bool own; /* a statement prepared for this call only (its SQL was in use already) */
};

static int db_error(sqlite3 *db, const char *what)
{
    return dd_error_set(DD_EIO, "sqlite: %s: %s", what, sqlite3_errmsg(db));
}

static int sq_connect(dd_db_conn **out, const char *path)
{
    dd_db_conn *c = dd_calloc(1, sizeof(*c));
    int rc;

    if (!c)
        return dd_error_set(DD_ENOMEM, "out of memory");
    if ((rc = dd_sqlite__load()) != DD_OK) {
        dd_free(c);
        return rc;
    }
    if (sqlite3_open_v2(path, &c->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = dd_error_set(DD_EIO, "sqlite: %s: %s", path,
                          c->db ? sqlite3_errmsg(c->db) : "out of memory");
        sqlite3_close(c->db);
        dd_free(c);
        return rc;
    }
    sqlite3_busy_timeout(c->db, 10000);
    /* WAL: readers never wait for the writer; NORMAL sync is durable across a process crash.
     * A fleet's store outgrows SQLite's 2 MB default page cache quickly: 32 MB per connection,
     * and reads through mmap share the OS page cache between the pool's connections. The store's
     * own thread checkpoints (checkpoint.c); a commit does only past 8,192 pages of log (32 MB),
     * when that thread fell that far behind. */
    if (sqlite3_exec(c->db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                     "PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768; "
                     "PRAGMA mmap_size=1073741824; PRAGMA wal_autocheckpoint=8192",
                     NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_error(c->db, path);
        sqlite3_close(c->db);
        dd_free(c);
        return rc;
    }
    *out = c;
    return DD_OK;
}

static void sq_close(dd_db_conn *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cap_cache; i++)
        sqlite3_finalize(c->cache[i].st);
    dd_free(c->cache);
    sqlite3_close(c->db);
    dd_free(c);
}

static int sq_exec_script(dd_db_conn *c, const char *sql)
{
    char *msg = NULL;
    int rc;

    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return DD_OK;
    rc = dd_error_set(DD_EIO, "sqlite: %s", msg ? msg : sqlite3_errmsg(c->db));
    sqlite3_free(msg);
    return rc;
}

/* "$12" -> "?12": SQLite's numbered parameters take the same numbers. */
static int prepare(dd_db_conn *c, const char *sql, sqlite3_stmt **out)
{
    dd_buf b = DD_BUF_INIT;
    int rc;

    for (const char *p = sql; *p; p++)
        if ((rc = dd_buf_putc(&b, *p == '$' ? '?' : *p)) != DD_OK)
            goto done;
    if (sqlite3_prepare_v2(c->db, b.data, (int)b.len + 1, out, NULL) != SQLITE_OK)
        rc = db_error(c->db, "prepare");
done:
    dd_buf_dispose(&b);
    return rc;
}

static size_t slot_of(const dd_db_conn *c, const char *sql)
{
    size_t h = ((uintptr_t)sql >> 3) * 0x9E3779B97F4A7C15ull;

    for (size_t i = h & (c->cap_cache - 1);; i = (i + 1) & (c->cap_cache - 1))
        if (!c->cache[i].sql || c->cache[i].sql == sql)
            return i;
}

static int grow_cache(dd_db_conn *c)
{
    cached *old = c->cache;
    size_t old_cap = c->cap_cache, cap = old_cap ? old_cap * 2 : 64;

    if (!(c->cache = dd_calloc(cap, sizeof(*c->cache)))) {
        c->cache = old;
        return dd_error_set(DD_ENOMEM, "out of memory");
    }
    c->cap_cache = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].sql)
            c->cache[slot_of(c, old[i].sql)] = old[i];
    dd_free(old);
    return DD_OK;
}

static int cached_stmt(dd_db_conn *c, const char *sql, sqlite3_stmt **out, bool *own)
{
    size_t i;
    int rc;

    *own = false;
    if ((c->n_cache + 1) * 2 > c->cap_cache && (rc = grow_cache(c)) != DD_OK)
        return rc;
    i = slot_of(c, sql);
    if (c->cache[i].sql) {
        if (!sqlite3_stmt_busy(c->cache[i].st)) {
            *out = c->cache[i].st;
            return DD_OK;
        }
        /* the cached statement is being stepped by an outer loop: prepare a private one */
        *own = true;
        return prepare(c, sql, out);
    }
    if ((rc = prepare(c, sql, out)) != DD_OK)
        return rc;
    c->cache[i].sql = sql;
    c->cache[i].st = *out;
    c->n_cache++;
    return DD_OK;
}

static int bind(sqlite3_stmt *st, const dd_dbv *p, int n)
{
    for (int i = 0; i < n; i++) {
        int rc = p[i].is_int ? sqlite3_bind_int64(st, i + 1, p[i].i)
                 : p[i].s    ? sqlite3_bind_text(st, i + 1, p[i].s, -1, SQLITE_TRANSIENT)
                             : sqlite3_bind_null(st, i + 1);
        if (rc != SQLITE_OK)
            return dd_error_set(DD_EIO, "sqlite: bind parameter %d: %s", i + 1,
                                sqlite3_errstr(rc));
    }
    return DD_OK;
}

static void release_stmt(sqlite3_stmt *st, bool own)
{
    if (own) {
        sqlite3_finalize(st);
        return;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

static int sq_query(dd_db_conn *c, dd_db_res **out, const char *sql, const dd_dbv *p, int n)
{
    dd_db_res *r;
    sqlite3_stmt *st;
    bool own;
    int rc;

    if ((rc = cached_stmt(c, sql, &st, &own)) != DD_OK)
        return rc;
    if ((rc = bind(st, p, n)) != DD_OK || !(r = dd_malloc(sizeof(*r)))) {
        release_stmt(st, own);
        return rc != DD_OK ? rc : dd_error_set(DD_ENOMEM, "out of memory");
    }
    r->c = c;
    r->st = st;
    r->own = own;
    *out = r;
    return DD_OK;
}

static int sq_next(dd_db_res *r)
{
    int rc = sqlite3_step(r->st);

    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    if (rc == SQLITE_CONSTRAINT)
        return dd_error_set(DD_EINVALID, "sqlite: %s", sqlite3_errmsg(r->c->db));
    return db_error(r->c->db, "step");
}

static const char *sq_text(dd_db_res *r, int col)
{
    return (const char *)sqlite3_column_text(r->st, col);
}

static void sq_done(dd_db_res *r)
{
    release_stmt(r->st, r->own);
    dd_free(r);
}

static bool sq_alive(dd_db_conn *c)
{
    (void)c;
    return true;
}

const dd_db_ops dd_fleet__sqlite_ops = {sq_connect, sq_close, sq_exec_script, sq_query,
                                        sq_next,    sq_text,  sq_done,        sq_alive};
