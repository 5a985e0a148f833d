/* SQLite, loaded when a command first opens a database rather than when drydock starts: linked
 * directly it costs every command about 0.9 MB of RSS, although only the vulnerability
 * database, the fleet store and rpm's sqlite Packages use it (bench/README.md). The code calls
 * the usual sqlite3_* names; this header maps them onto the functions dd_sqlite__load()
 * resolves from libsqlite3.so.0. Every path into SQLite calls dd_sqlite__load() first. */
#ifndef DD_SQLITE_DL_H
#define DD_SQLITE_DL_H

#include <sqlite3.h>

typedef struct {
    int (*open_v2)(const char *path, sqlite3 **db, int flags, const char *vfs);
    int (*close)(sqlite3 *db);
    int (*exec)(sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **), void *arg,
                char **errmsg);
    int (*busy_timeout)(sqlite3 *db, int ms);
    const char *(*errmsg)(sqlite3 *db);
    const char *(*errstr)(int code);
    int (*errcode)(sqlite3 *db);
    int (*extended_errcode)(sqlite3 *db);
    int (*changes)(sqlite3 *db);
    sqlite3_int64 (*last_insert_rowid)(sqlite3 *db);
    int (*get_autocommit)(sqlite3 *db);
    int (*deserialize)(sqlite3 *db, const char *schema, unsigned char *data, sqlite3_int64 size,
                       sqlite3_int64 cap, unsigned flags);
    void *(*malloc64)(sqlite3_uint64 n);
    void (*free)(void *p);
    int (*prepare_v2)(sqlite3 *db, const char *sql, int n, sqlite3_stmt **st, const char **tail);
    int (*prepare_v3)(sqlite3 *db, const char *sql, int n, unsigned flags, sqlite3_stmt **st,
                      const char **tail);
    int (*step)(sqlite3_stmt *st);
    int (*reset)(sqlite3_stmt *st);
    int (*finalize)(sqlite3_stmt *st);
    int (*clear_bindings)(sqlite3_stmt *st);
    int (*stmt_busy)(sqlite3_stmt *st);
    int (*bind_null)(sqlite3_stmt *st, int i);
    int (*bind_int)(sqlite3_stmt *st, int i, int v);
    int (*bind_int64)(sqlite3_stmt *st, int i, sqlite3_int64 v);
    int (*bind_double)(sqlite3_stmt *st, int i, double v);
    int (*bind_text)(sqlite3_stmt *st, int i, const char *s, int n, void (*dtor)(void *));
    int (*bind_blob)(sqlite3_stmt *st, int i, const void *p, int n, void (*dtor)(void *));
    int (*column_count)(sqlite3_stmt *st);
    int (*column_type)(sqlite3_stmt *st, int i);
    int (*column_int)(sqlite3_stmt *st, int i);
    sqlite3_int64 (*column_int64)(sqlite3_stmt *st, int i);
    double (*column_double)(sqlite3_stmt *st, int i);
    const unsigned char *(*column_text)(sqlite3_stmt *st, int i);
    const void *(*column_blob)(sqlite3_stmt *st, int i);
    int (*column_bytes)(sqlite3_stmt *st, int i);
} dd_sqlite_api;

extern dd_sqlite_api dd_sqlite__fn;

/* Loads libsqlite3 once per process. DD_EUNSUPPORTED with dlopen's reason when it is missing
 * (Debian: the libsqlite3-0 package). Thread-safe. */
int dd_sqlite__load(void);

#define sqlite3_open_v2           dd_sqlite__fn.open_v2
#define sqlite3_close             dd_sqlite__fn.close
#define sqlite3_exec              dd_sqlite__fn.exec
#define sqlite3_busy_timeout      dd_sqlite__fn.busy_timeout
#define sqlite3_errmsg            dd_sqlite__fn.errmsg
#define sqlite3_errstr            dd_sqlite__fn.errstr
#define sqlite3_errcode           dd_sqlite__fn.errcode
#define sqlite3_extended_errcode  dd_sqlite__fn.extended_errcode
#define sqlite3_changes           dd_sqlite__fn.changes
#define sqlite3_last_insert_rowid dd_sqlite__fn.last_insert_rowid
#define sqlite3_get_autocommit    dd_sqlite__fn.get_autocommit
#define sqlite3_deserialize       dd_sqlite__fn.deserialize
#define sqlite3_malloc64          dd_sqlite__fn.malloc64
#define sqlite3_free              dd_sqlite__fn.free
#define sqlite3_prepare_v2        dd_sqlite__fn.prepare_v2
#define sqlite3_prepare_v3        dd_sqlite__fn.prepare_v3
#define sqlite3_step              dd_sqlite__fn.step
#define sqlite3_reset             dd_sqlite__fn.reset
#define sqlite3_finalize          dd_sqlite__fn.finalize
#define sqlite3_clear_bindings    dd_sqlite__fn.clear_bindings
#define sqlite3_stmt_busy         dd_sqlite__fn.stmt_busy
#define sqlite3_bind_null         dd_sqlite__fn.bind_null
#define sqlite3_bind_int          dd_sqlite__fn.bind_int
#define sqlite3_bind_int64        dd_sqlite__fn.bind_int64
#define sqlite3_bind_double       dd_sqlite__fn.bind_double
#define sqlite3_bind_text         dd_sqlite__fn.bind_text
#define sqlite3_bind_blob         dd_sqlite__fn.bind_blob
#define sqlite3_column_count      dd_sqlite__fn.column_count
#define sqlite3_column_type       dd_sqlite__fn.column_type
#define sqlite3_column_int        dd_sqlite__fn.column_int
#define sqlite3_column_int64      dd_sqlite__fn.column_int64
#define sqlite3_column_double     dd_sqlite__fn.column_double
#define sqlite3_column_text       dd_sqlite__fn.column_text
#define sqlite3_column_blob       dd_sqlite__fn.column_blob
#define sqlite3_column_bytes      dd_sqlite__fn.column_bytes

#endif
