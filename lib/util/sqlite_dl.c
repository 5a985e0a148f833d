/* Resolving SQLite's functions at first use (see sqlite_dl.h for why). */
#include "util/sqlite_dl.h"

#include <drydock/common.h>

#include "util/util.h"

#include <stddef.h>

dd_sqlite_api dd_sqlite__fn;

static const dd_dl_sym syms[] = {
    {"sqlite3_open_v2", offsetof(dd_sqlite_api, open_v2)},
    {"sqlite3_close", offsetof(dd_sqlite_api, close)},
    {"sqlite3_exec", offsetof(dd_sqlite_api, exec)},
    {"sqlite3_busy_timeout", offsetof(dd_sqlite_api, busy_timeout)},
    {"sqlite3_errmsg", offsetof(dd_sqlite_api, errmsg)},
    {"sqlite3_errstr", offsetof(dd_sqlite_api, errstr)},
    {"sqlite3_errcode", offsetof(dd_sqlite_api, errcode)},
    {"sqlite3_extended_errcode", offsetof(dd_sqlite_api, extended_errcode)},
    {"sqlite3_changes", offsetof(dd_sqlite_api, changes)},
    {"sqlite3_last_insert_rowid", offsetof(dd_sqlite_api, last_insert_rowid)},
    {"sqlite3_get_autocommit", offsetof(dd_sqlite_api, get_autocommit)},
    {"sqlite3_deserialize", offsetof(dd_sqlite_api, deserialize)},
    {"sqlite3_malloc64", offsetof(dd_sqlite_api, malloc64)},
    {"sqlite3_free", offsetof(dd_sqlite_api, free)},
    {"sqlite3_prepare_v2", offsetof(dd_sqlite_api, prepare_v2)},
    {"sqlite3_prepare_v3", offsetof(dd_sqlite_api, prepare_v3)},
    {"sqlite3_step", offsetof(dd_sqlite_api, step)},
    {"sqlite3_reset", offsetof(dd_sqlite_api, reset)},
    {"sqlite3_finalize", offsetof(dd_sqlite_api, finalize)},
    {"sqlite3_clear_bindings", offsetof(dd_sqlite_api, clear_bindings)},
    {"sqlite3_stmt_busy", offsetof(dd_sqlite_api, stmt_busy)},
    {"sqlite3_bind_null", offsetof(dd_sqlite_api, bind_null)},
    {"sqlite3_bind_int", offsetof(dd_sqlite_api, bind_int)},
    {"sqlite3_bind_int64", offsetof(dd_sqlite_api, bind_int64)},
    {"sqlite3_bind_double", offsetof(dd_sqlite_api, bind_double)},
    {"sqlite3_bind_text", offsetof(dd_sqlite_api, bind_text)},
    {"sqlite3_bind_blob", offsetof(dd_sqlite_api, bind_blob)},
    {"sqlite3_column_count", offsetof(dd_sqlite_api, column_count)},
    {"sqlite3_column_type", offsetof(dd_sqlite_api, column_type)},
    {"sqlite3_column_int", offsetof(dd_sqlite_api, column_int)},
    {"sqlite3_column_int64", offsetof(dd_sqlite_api, column_int64)},
    {"sqlite3_column_double", offsetof(dd_sqlite_api, column_double)},
    {"sqlite3_column_text", offsetof(dd_sqlite_api, column_text)},
    {"sqlite3_column_blob", offsetof(dd_sqlite_api, column_blob)},
    {"sqlite3_column_bytes", offsetof(dd_sqlite_api, column_bytes)},
};

static dd_dl_lib lib = DD_DL_LIB("libsqlite3.so.0", "libsqlite3-0", syms, dd_sqlite__fn);

int dd_sqlite__load(void)
{
    return dd_dl_require(&lib);
}
