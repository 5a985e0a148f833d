/* Reading the vulnerability database: metadata, per-ecosystem counts and the per-package
 * lookups the matcher makes. */
#include "vulndb/vulndb_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The decoded entries of one (ecosystem, name), kept by the cache (dd_vulndb_cache). */
typedef struct {
    const char *key; /* ecosystem, '\n', name key, in the cache's arena; NULL: an empty slot */
    const dd_osv_affected *v;
    size_t n;
} cached_name;

struct dd_vulndb {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *query;
    dd_arena *arena; /* the current query's entries when nothing is cached */
    dd_vulndb_info info;
    char *source;
    /* the cache: open addressing with linear probing, its keys and entries in one arena, all
     * dropped at once when the arena has grown past the bound or half the slots are used */
    cached_name *slots;
    dd_arena *cache_arena;
    size_t n_slots, n_cached, cache_limit;
};

static int sql_fail(sqlite3 *db, const char *path, const char *what)
{
    return dd_error_set(DD_EINVALID, "%s: %s: %s", path, what, sqlite3_errmsg(db));
}

int dd_vulndb_default_path(char **out)
{
    const char *base = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    dd_buf b = DD_BUF_INIT;
    int rc;

    *out = NULL;
    if (base && *base)
        rc = dd_buf_printf(&b, "%s/drydock/vuln.db", base);
    else if (home && *home)
        rc = dd_buf_printf(&b, "%s/.cache/drydock/vuln.db", home);
    else
        return dd_error_set(DD_ENOTFOUND,
                            "neither XDG_CACHE_HOME nor HOME is set: give the database with --db");
    if (rc != DD_OK) {
        dd_buf_dispose(&b);
        return rc;
    }
    *out = b.data;
    return DD_OK;
}

/* Reads a meta value into a new string; NULL when absent. */
static char *meta(sqlite3 *db, const char *key)
{
    sqlite3_stmt *st;
    char *v = NULL;

    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = dd_strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

int dd_vulndb__check(sqlite3 *db, const char *path)
{
    char *schema = meta(db, "schema");
    int rc = DD_OK;

    if (!schema)
        rc = dd_error_set(DD_EINVALID, "%s: not a drydock vulnerability database", path);
    else if (atoi(schema) != DD_VULNDB_SCHEMA)
        rc = dd_error_set(DD_EINVALID,
                          "%s: database schema %s, this drydock reads schema %d: run drydock db "
                          "update or import again",
                          path, schema, DD_VULNDB_SCHEMA);
    dd_free(schema);
    return rc;
}

static void cache_flush(dd_vulndb *v)
{
    dd_arena_free(v->cache_arena);
    v->cache_arena = NULL;
    if (v->slots)
        memset(v->slots, 0, v->n_slots * sizeof(*v->slots));
    v->n_cached = 0;
}

static cached_name *cache_slot(dd_vulndb *v, const char *key)
{
    size_t i = (size_t)dd_fnv1a(DD_FNV1A_INIT, key) & (v->n_slots - 1);

    while (v->slots[i].key && strcmp(v->slots[i].key, key) != 0)
        i = (i + 1) & (v->n_slots - 1);
    return &v->slots[i];
}

int dd_vulndb_cache(dd_vulndb *v, size_t bytes)
{
    cache_flush(v);
    dd_free(v->slots);
    v->slots = NULL;
    v->n_slots = 0;
    v->cache_limit = bytes;
    if (!bytes)
        return DD_OK;
    /* a slot per KiB of the bound, 1,024 to 65,536 of them */
    v->n_slots = 1024;
    while (v->n_slots < 65536 && v->n_slots * 1024 < bytes)
        v->n_slots *= 2;
    if (!(v->slots = dd_calloc(v->n_slots, sizeof(*v->slots)))) {
        v->n_slots = 0;
        v->cache_limit = 0;
        return dd_error_set(DD_ENOMEM, "out of memory");
    }
    return DD_OK;
}

void dd_vulndb_close(dd_vulndb *v)
{
    if (!v)
        return;
    if (v->db) { /* NULL when SQLite could not be loaded */
        sqlite3_finalize(v->query);
        sqlite3_close(v->db);
    }
    dd_arena_free(v->arena);
    dd_arena_free(v->cache_arena);
    dd_free(v->slots);
    dd_free(v->source);
    dd_free(v->path);
    dd_free(v);
}

int dd_vulndb_open(dd_vulndb **out, const char *path)
{
    dd_vulndb *v;
    struct stat st;
    sqlite3_stmt *s;
    char *built;
    int rc;

    *out = NULL;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return dd_error_set(DD_ENOTFOUND,
                                "%s: no vulnerability database: run drydock db update, or drydock "
                                "db import PATH",
                                path);
        return dd_error_set(DD_EIO, "%s: %s", path, strerror(errno));
    }
    if (!(v = dd_calloc(1, sizeof(*v))) || !(v->path = dd_strdup(path))) {
        dd_free(v);
        return dd_error_set(DD_ENOMEM, "out of memory");
    }
    if ((rc = dd_sqlite__load()) != DD_OK)
        goto fail;
    if (sqlite3_open_v2(path, &v->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = sql_fail(v->db, path, "cannot open");
        goto fail;
    }
    /* a file that is not SQLite fails on its first read */
    if (sqlite3_prepare_v2(v->db, "SELECT 1 FROM sqlite_master WHERE name = 'meta'", -1, &s,
                           NULL) != SQLITE_OK) {
        rc = sql_fail(v->db, path, "not a drydock vulnerability database");
        goto fail;
    }
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW) {
        rc = dd_error_set(DD_EINVALID, "%s: not a drydock vulnerability database", path);
        goto fail;
    }
    if ((rc = dd_vulndb__check(v->db, path)) != DD_OK)
        goto fail;
    if (sqlite3_prepare_v2(v->db,
                           "SELECT v.osv_id, a.ecosystem, a.name, a.data, v.severity, v.aliases, "
                           "v.refs, v.summary, v.details, v.published, v.modified FROM affected a "
                           "JOIN vuln v ON v.id = a.vuln WHERE a.ecosystem = ? AND a.key = ? "
                           "ORDER BY v.osv_id, a.rowid",
                           -1, &v->query, NULL) != SQLITE_OK) {
        rc = sql_fail(v->db, path, "damaged database");
        goto fail;
    }
    v->info.schema = DD_VULNDB_SCHEMA;
    built = meta(v->db, "built_at");
    v->info.built_at = built ? strtoll(built, NULL, 10) : 0;
    dd_free(built);
    v->source = meta(v->db, "source");
    v->info.source = v->source;
    if (sqlite3_prepare_v2(v->db, "SELECT COUNT(*) FROM vuln", -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            v->info.records = (uint64_t)sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    *out = v;
    return DD_OK;
fail:
    dd_vulndb_close(v);
    return rc;
}

int dd_vulndb_info_get(const dd_vulndb *db, dd_vulndb_info *out)
{
    *out = db->info;
    return DD_OK;
}

int dd_vulndb_each_ecosystem(const dd_vulndb *db,
                             int (*fn)(const char *ecosystem, uint64_t records, uint64_t affected,
                                       void *payload),
                             void *payload)
{
    sqlite3_stmt *st;
    int rc = DD_OK, s;

    if (sqlite3_prepare_v2(db->db,
                           "SELECT ecosystem, COUNT(DISTINCT vuln), COUNT(*) FROM affected GROUP BY "
                           "ecosystem ORDER BY ecosystem",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db->db, db->path, "damaged database");
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        rc = fn((const char *)sqlite3_column_text(st, 0), (uint64_t)sqlite3_column_int64(st, 1),
                (uint64_t)sqlite3_column_int64(st, 2), payload);
        if (rc != 0)
            break;
    }
    if (rc == DD_OK && s != SQLITE_DONE)
        rc = sql_fail(db->db, db->path, "damaged database");
    sqlite3_finalize(st);
    return rc;
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Reads and decodes the entries of (ecosystem, key) into `a`: *out, *n (an array in `a`). */
static int read_entries(dd_vulndb *db, dd_arena *a, const char *ecosystem, const char *key,
                        dd_osv_affected **out, size_t *n)
{
    dd_osv_affected *v = NULL, *kept;
    size_t alloc = 0;
    int rc = DD_OK, s;

    *out = NULL;
    *n = 0;
    sqlite3_bind_text(db->query, 1, ecosystem, -1, SQLITE_STATIC);
    sqlite3_bind_text(db->query, 2, key, -1, SQLITE_STATIC);
    while ((s = sqlite3_step(db->query)) == SQLITE_ROW) {
        dd_osv_affected e;

        if (DD_ARRAY_RESERVE(v, alloc, *n + 1, sizeof(*v), 8) != DD_OK) {
            rc = DD_ENOMEM;
            break;
        }
        memset(&e, 0, sizeof(e));
        e.id = dd_arena_strdup(a, col(db->query, 0));
        e.ecosystem = dd_arena_strdup(a, col(db->query, 1));
        e.name = dd_arena_strdup(a, col(db->query, 2));
        if (!e.id || !e.ecosystem || !e.name) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            break;
        }
        if (dd_osv__decode(&e, a, col(db->query, 3), col(db->query, 4), col(db->query, 5),
                           col(db->query, 6)) != DD_OK) {
            rc = dd_error_prefix("%s", db->path);
            break;
        }
#define OPT(field, i) e.field = col(db->query, i) ? dd_arena_strdup(a, col(db->query, i)) : NULL
        OPT(summary, 7);
        OPT(details, 8);
        OPT(published, 9);
        OPT(modified, 10);
#undef OPT
        v[(*n)++] = e;
    }
    if (rc == DD_OK && s != SQLITE_DONE)
        rc = sql_fail(db->db, db->path, "damaged database");
    sqlite3_reset(db->query);
    sqlite3_clear_bindings(db->query);
    if (rc == DD_OK && *n) {
        if ((kept = dd_arena_alloc(a, *n * sizeof(*kept))))
            *out = memcpy(kept, v, *n * sizeof(*kept));
        else
            rc = dd_error_set(DD_ENOMEM, "out of memory");
    }
    dd_free(v);
    return rc;
}

int dd_vulndb_query(dd_vulndb *db, const char *ecosystem, const char *name,
                    int (*fn)(const dd_osv_affected *a, void *payload), void *payload)
{
    char *nkey = dd_vulndb__name_key(ecosystem, name);
    cached_name *slot = NULL, fresh = {0};
    dd_osv_affected *v = NULL;
    dd_buf ckey = DD_BUF_INIT;
    int rc = DD_OK;

    if (!nkey)
        return dd_error_set(DD_ENOMEM, "out of memory");
    dd_arena_free(db->arena);
    db->arena = NULL;
    if (db->cache_limit) {
        if ((rc = dd_buf_printf(&ckey, "%s\n%s", ecosystem, nkey)) != DD_OK)
            goto out;
        slot = cache_slot(db, ckey.data);
        if (!slot->key &&
            ((db->cache_arena && dd_arena_bytes(db->cache_arena) > db->cache_limit) ||
             db->n_cached >= db->n_slots / 2)) {
            cache_flush(db);
            slot = cache_slot(db, ckey.data);
        }
    }
    if (!slot || !slot->key) {
        dd_arena **into = slot ? &db->cache_arena : &db->arena;

        if ((!*into && (rc = dd_arena_new(into)) != DD_OK) ||
            (rc = read_entries(db, *into, ecosystem, nkey, &v, &fresh.n)) != DD_OK)
            goto out;
        fresh.v = v;
        if (slot) {
            if (!(fresh.key = dd_arena_strdup(*into, ckey.data))) {
                rc = dd_error_set(DD_ENOMEM, "out of memory");
                goto out;
            }
            *slot = fresh;
            db->n_cached++;
        } else {
            slot = &fresh;
        }
    }
    for (size_t i = 0; i < slot->n; i++)
        if ((rc = fn(&slot->v[i], payload)) != 0)
            break;
out:
    dd_buf_dispose(&ckey);
    dd_free(nkey);
    return rc;
}
