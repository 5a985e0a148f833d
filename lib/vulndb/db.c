/* Reading the vulnerability database: metadata, per-ecosystem counts and the per-package
 * lookups the matcher makes. */
#include "vulndb/vulndb_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct dd_vulndb {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *query;
    dd_arena *arena; /* strings of the current query's entries */
    dd_vulndb_info info;
    char *source;
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

void dd_vulndb_close(dd_vulndb *v)
{
    if (!v)
        return;
    if (v->db) { /* NULL when SQLite could not be loaded */
        sqlite3_finalize(v->query);
        sqlite3_close(v->db);
    }
    dd_arena_free(v->arena);
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

int dd_vulndb_query(dd_vulndb *db, const char *ecosystem, const char *name,
                    int (*fn)(const dd_osv_affected *a, void *payload), void *payload)
{
    char *key = dd_vulndb__name_key(ecosystem, name);
    int rc = DD_OK, s;

    if (!key)
        return DD_ENOMEM;
    dd_arena_free(db->arena);
    db->arena = NULL;
    if (dd_arena_new(&db->arena) != DD_OK) {
        dd_free(key);
        return DD_ENOMEM;
    }
    sqlite3_bind_text(db->query, 1, ecosystem, -1, SQLITE_STATIC);
    sqlite3_bind_text(db->query, 2, key, -1, SQLITE_STATIC);
    while ((s = sqlite3_step(db->query)) == SQLITE_ROW) {
        dd_osv_affected a;
        int dec = DD_OK;

        memset(&a, 0, sizeof(a));
        a.id = dd_arena_strdup(db->arena, col(db->query, 0));
        a.ecosystem = dd_arena_strdup(db->arena, col(db->query, 1));
        a.name = dd_arena_strdup(db->arena, col(db->query, 2));
        if (!a.id || !a.ecosystem || !a.name) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            break;
        }
        if ((dec = dd_osv__decode(&a, db->arena, col(db->query, 3), col(db->query, 4),
                                  col(db->query, 5), col(db->query, 6))) != DD_OK) {
            rc = dd_error_prefix("%s", db->path);
            break;
        }
#define OPT(field, i)                                                                              \
    a.field = col(db->query, i) ? dd_arena_strdup(db->arena, col(db->query, i)) : NULL
        OPT(summary, 7);
        OPT(details, 8);
        OPT(published, 9);
        OPT(modified, 10);
#undef OPT
        if ((rc = fn(&a, payload)) != 0)
            break;
    }
    if (rc == DD_OK && s != SQLITE_DONE && s != SQLITE_ROW)
        rc = sql_fail(db->db, db->path, "damaged database");
    sqlite3_reset(db->query);
    sqlite3_clear_bindings(db->query);
    dd_free(key);
    return rc;
}
