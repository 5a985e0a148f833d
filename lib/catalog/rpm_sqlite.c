/* rpmdb.sqlite: the Packages(hnum, blob) table, read from memory without touching the disk. */
#include "catalog/rpm_int.h"

#include "util/sqlite_dl.h"

#include <string.h>

/* The sqlite file header: "SQLite format 3\0", then at byte 18/19 the write/read versions,
 * which are 2 for a database in WAL mode. */
static const char sqlite_magic[16] = "SQLite format 3";

int dd_rpm__sqlite_each(const uint8_t *data, size_t len, const char *path, dd_rpm_blob_cb cb,
                        void *payload)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    unsigned char *copy = NULL;
    int rc = DD_OK, src;

    if (len < 100 || memcmp(data, sqlite_magic, sizeof(sqlite_magic)) != 0)
        return dd_error_set(DD_EINVALID, "%s: offset 0: not an sqlite database", path);
    if ((rc = dd_sqlite__load()) != DD_OK)
        return rc;
    /* An in-memory database cannot be in WAL mode, and rpm leaves its database in WAL mode, so
     * sqlite reads a private copy whose header says "rollback journal". The copy is also what
     * keeps sqlite from ever writing to the caller's bytes. */
    copy = sqlite3_malloc64(len);
    if (!copy)
        return dd_error_set(DD_ENOMEM, "out of memory");
    memcpy(copy, data, len);
    if (copy[18] == 2)
        copy[18] = 1;
    if (copy[19] == 2)
        copy[19] = 1;

    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_free(copy);
        rc = dd_error_set(DD_ENOMEM, "%s: cannot open an in-memory sqlite database", path);
        goto done;
    }
    src = sqlite3_deserialize(db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
                              SQLITE_DESERIALIZE_READONLY | SQLITE_DESERIALIZE_FREEONCLOSE);
    copy = NULL; /* sqlite owns it now, even when deserialize fails */
    if (src != SQLITE_OK) {
        rc = dd_error_set(DD_EINVALID, "%s: offset 0: %s", path, sqlite3_errmsg(db));
        goto done;
    }
    /* rpm's own query order: by header number */
    src = sqlite3_prepare_v2(db, "SELECT hnum, blob FROM Packages ORDER BY hnum", -1, &st, NULL);
    if (src != SQLITE_OK) {
        rc = dd_error_set(DD_EINVALID, "%s: no readable Packages table: %s", path,
                          sqlite3_errmsg(db));
        goto done;
    }
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 hnum = sqlite3_column_int64(st, 0);
        const void *blob = sqlite3_column_blob(st, 1);
        int n = sqlite3_column_bytes(st, 1);

        if (hnum <= 0 || hnum > UINT32_MAX) {
            rc = dd_error_set(DD_EINVALID, "%s: Packages row with header number %lld", path,
                              (long long)hnum);
            goto done;
        }
        if (!blob || n <= 0) {
            rc = dd_error_set(DD_EINVALID, "%s: header %lld: empty blob", path, (long long)hnum);
            goto done;
        }
        if ((rc = cb(blob, (size_t)n, (uint32_t)hnum, payload)) != DD_OK)
            goto done;
    }
    if (src != SQLITE_DONE) {
        if (src == SQLITE_NOMEM)
            rc = dd_error_set(DD_ENOMEM, "out of memory");
        else
            rc = dd_error_set(DD_EINVALID, "%s: %s", path, sqlite3_errmsg(db));
    }
done:
    sqlite3_finalize(st);
    sqlite3_close(db);
    sqlite3_free(copy);
    return rc;
}
