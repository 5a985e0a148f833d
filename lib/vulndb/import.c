/* Imports OSV records into a new SQLite database written beside the destination and renamed
 * over it when complete: readers of the old file never see a half-built one. */
#include "vulndb/vulndb_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_RECORD_BYTES (64u << 20)  /* one record: osv.dev's largest are a few MB */
#define MAX_JSON_FILE    (1024u << 20) /* one .json file holding an array of records */
#define MAX_DIR_DEPTH    16

static const char schema_sql[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE vuln(id INTEGER PRIMARY KEY, osv_id TEXT NOT NULL UNIQUE, modified TEXT,"
    " published TEXT, summary TEXT, details TEXT, aliases TEXT NOT NULL, refs TEXT NOT NULL,"
    " severity TEXT NOT NULL);"
    "CREATE TABLE affected(vuln INTEGER NOT NULL, ecosystem TEXT NOT NULL, name TEXT NOT NULL,"
    " key TEXT NOT NULL, data TEXT NOT NULL);"
    "CREATE INDEX affected_by_package ON affected(ecosystem, key);"
    "CREATE INDEX affected_by_vuln ON affected(vuln);";

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *find, *del_vuln, *del_aff, *ins_vuln, *ins_aff;
    dd_vulndb_import_stats *stats;
} importer;

static int sql_fail(sqlite3 *db, const char *what)
{
    return dd_error_set(DD_EIO, "vulnerability database: %s: %s", what, sqlite3_errmsg(db));
}

static void skip(importer *im, const char *where, unsigned long line, const char *why)
{
    dd_vulndb_import_stats *s = im->stats;

    s->skipped++;
    if (s->n_reasons < DD_VULNDB_MAX_REASONS) {
        char *r = s->reasons[s->n_reasons];
        size_t cap = sizeof(s->reasons[0]);
        int n = line ? snprintf(r, cap, "%s:%lu: %s", where, line, why)
                     : snprintf(r, cap, "%s: %s", where, why);
        if (n >= (int)cap) /* cut long reasons visibly */
            memcpy(r + cap - 4, "...", 4);
        s->n_reasons++;
    }
}

static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
    return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static int step_done(importer *im, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? DD_OK : sql_fail(im->db, what);
}

/* Removes an earlier record with the same id; 1 when there was one. */
static int remove_earlier(importer *im, const char *id, int *found)
{
    sqlite3_int64 rowid;
    int rc;

    *found = 0;
    sqlite3_bind_text(im->find, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(im->find);
    if (rc == SQLITE_ROW) {
        rowid = sqlite3_column_int64(im->find, 0);
        sqlite3_reset(im->find);
        *found = 1;
        sqlite3_bind_int64(im->del_aff, 1, rowid);
        if (step_done(im, im->del_aff, "delete") != DD_OK)
            return DD_EIO;
        sqlite3_bind_int64(im->del_vuln, 1, rowid);
        return step_done(im, im->del_vuln, "delete");
    }
    sqlite3_reset(im->find);
    return rc == SQLITE_DONE ? DD_OK : sql_fail(im->db, "lookup");
}

/* Stores one parsed record, or counts why it was not stored. Only database failures are
 * returned as errors. */
static int store(importer *im, json_t *rec, const char *where, unsigned long line)
{
    dd_osv_row row;
    sqlite3_int64 rowid;
    int found, rc;

    if (dd_osv__row(&row, rec) != DD_OK) {
        if (dd_error_code() == DD_ENOMEM)
            return DD_ENOMEM;
        skip(im, where, line, dd_error_message());
        return DD_OK;
    }
    if ((rc = remove_earlier(im, row.id, &found)) != DD_OK)
        goto out;
    im->stats->replaced += (uint64_t)found;
    if (row.withdrawn) {
        im->stats->withdrawn++;
        goto out;
    }
    bind_text(im->ins_vuln, 1, row.id);
    bind_text(im->ins_vuln, 2, row.modified);
    bind_text(im->ins_vuln, 3, row.published);
    bind_text(im->ins_vuln, 4, row.summary);
    bind_text(im->ins_vuln, 5, row.details);
    bind_text(im->ins_vuln, 6, row.aliases);
    bind_text(im->ins_vuln, 7, row.refs);
    bind_text(im->ins_vuln, 8, row.severity);
    if ((rc = step_done(im, im->ins_vuln, "insert")) != DD_OK)
        goto out;
    rowid = sqlite3_last_insert_rowid(im->db);
    for (size_t i = 0; i < row.n_affected; i++) {
        const dd_osv_affected_row *a = &row.affected[i];
        sqlite3_bind_int64(im->ins_aff, 1, rowid);
        bind_text(im->ins_aff, 2, a->ecosystem);
        bind_text(im->ins_aff, 3, a->name);
        bind_text(im->ins_aff, 4, a->key);
        bind_text(im->ins_aff, 5, a->data);
        if ((rc = step_done(im, im->ins_aff, "insert")) != DD_OK)
            goto out;
    }
    im->stats->records++;
    im->stats->affected += row.n_affected;
out:
    dd_osv__row_dispose(&row);
    return rc;
}

/* A buffer of JSON: one record or an array of records. */
static int store_json(importer *im, const char *data, size_t len, const char *where)
{
    json_error_t err;
    json_t *doc = json_loadb(data, len, 0, &err), *e;
    size_t i;
    int rc = DD_OK;
    char why[300];

    if (!doc) {
        snprintf(why, sizeof(why), "not JSON: %s (line %d, column %d)", err.text, err.line,
                 err.column);
        skip(im, where, 0, why);
        return DD_OK;
    }
    if (json_is_array(doc)) {
        json_array_foreach(doc, i, e) {
            if ((rc = store(im, e, where, 0)) != DD_OK)
                break;
        }
    } else {
        rc = store(im, doc, where, 0);
    }
    json_decref(doc);
    return rc;
}

static int import_jsonl(importer *im, const char *path)
{
    FILE *fp = fopen(path, "rb");
    dd_buf line = DD_BUF_INIT;
    unsigned long lineno = 0;
    int c, rc = DD_OK, too_long = 0;

    if (!fp)
        return dd_error_set(DD_EIO, "%s: %s", path, strerror(errno));
    for (;;) {
        c = getc(fp);
        if (c != EOF && c != '\n') {
            if (line.len < MAX_RECORD_BYTES) {
                if ((rc = dd_buf_putc(&line, (char)c)) != DD_OK)
                    break;
            } else {
                too_long = 1;
            }
            continue;
        }
        if (c == EOF && line.len == 0 && !too_long)
            break;
        lineno++;
        if (too_long) {
            skip(im, path, lineno, "record longer than 64 MiB");
        } else if (line.len > 0 && !(line.len == 1 && line.data[0] == '\r')) {
            json_error_t err;
            json_t *rec = json_loadb(line.data, line.len, 0, &err);
            if (!rec) {
                char why[300];
                snprintf(why, sizeof(why), "not JSON: %s (column %d)", err.text, err.column);
                skip(im, path, lineno, why);
            } else {
                rc = store(im, rec, path, lineno);
                json_decref(rec);
                if (rc != DD_OK)
                    break;
            }
        }
        line.len = 0;
        too_long = 0;
        if (c == EOF)
            break;
    }
    if (rc == DD_OK && ferror(fp))
        rc = dd_error_set(DD_EIO, "%s: read error", path);
    fclose(fp);
    dd_buf_dispose(&line);
    return rc;
}

static int import_json(importer *im, const char *path)
{
    dd_buf b = DD_BUF_INIT;
    int rc = dd_read_file(&b, path, MAX_JSON_FILE);

    if (rc == DD_OK)
        rc = store_json(im, b.data, b.len, path);
    dd_buf_dispose(&b);
    return rc;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int import_zip(importer *im, const char *path)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    dd_buf b = DD_BUF_INIT, where = DD_BUF_INIT;
    int rc = DD_OK, r;

    if (!a)
        return dd_error_set(DD_ENOMEM, "out of memory");
    archive_read_support_format_zip(a);
    if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
        rc = dd_error_set(DD_EINVALID, "%s: not a zip archive: %s", path, archive_error_string(a));
        goto out;
    }
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        la_int64_t size = archive_entry_size(e);
        ssize_t got;
        char chunk[1 << 16];

        if (!name || archive_entry_filetype(e) != AE_IFREG || !ends_with(name, ".json"))
            continue;
        where.len = 0;
        if ((rc = dd_buf_printf(&where, "%s!%s", path, name)) != DD_OK)
            goto out;
        if (size > (la_int64_t)MAX_RECORD_BYTES) {
            skip(im, where.data, 0, "record longer than 64 MiB");
            continue;
        }
        b.len = 0;
        while ((got = archive_read_data(a, chunk, sizeof(chunk))) > 0) {
            if (b.len + (size_t)got > MAX_RECORD_BYTES)
                break;
            if ((rc = dd_buf_put(&b, chunk, (size_t)got)) != DD_OK)
                goto out;
        }
        if (got < 0) {
            rc = dd_error_set(DD_EINVALID, "%s: %s", where.data, archive_error_string(a));
            goto out;
        }
        if (got > 0) {
            skip(im, where.data, 0, "record longer than 64 MiB");
            continue;
        }
        if ((rc = store_json(im, b.data, b.len, where.data)) != DD_OK)
            goto out;
    }
    if (r != ARCHIVE_EOF)
        rc = dd_error_set(DD_EINVALID, "%s: %s", path, archive_error_string(a));
out:
    archive_read_free(a);
    dd_buf_dispose(&b);
    dd_buf_dispose(&where);
    return rc;
}

static int import_path(importer *im, const char *path, int depth, int explicit);

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int import_dir(importer *im, const char *path, int depth)
{
    DIR *d;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, alloc = 0;
    int rc = DD_OK;

    if (depth > MAX_DIR_DEPTH)
        return dd_error_set(DD_ELIMIT, "%s: directories nested deeper than %d", path,
                            MAX_DIR_DEPTH);
    if (!(d = opendir(path)))
        return dd_error_set(DD_EIO, "%s: %s", path, strerror(errno));
    while ((de = readdir(d))) {
        char *full;
        if (de->d_name[0] == '.')
            continue;
        if (DD_ARRAY_RESERVE(names, alloc, n + 1, sizeof(*names), 64) != DD_OK) {
            rc = DD_ENOMEM;
            break;
        }
        if (!(full = dd_malloc(strlen(path) + strlen(de->d_name) + 2))) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            break;
        }
        sprintf(full, "%s/%s", path, de->d_name);
        names[n++] = full;
    }
    closedir(d);
    if (rc == DD_OK)
        qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (rc == DD_OK)
            rc = import_path(im, names[i], depth + 1, 0);
        dd_free(names[i]);
    }
    dd_free(names);
    return rc;
}

static int import_path(importer *im, const char *path, int depth, int explicit)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return dd_error_set(DD_EIO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return import_dir(im, path, depth);
    if (!S_ISREG(st.st_mode))
        return explicit ? dd_error_set(DD_EINVALID, "%s: not a file or directory", path) : DD_OK;
    if (ends_with(path, ".jsonl"))
        return import_jsonl(im, path);
    if (ends_with(path, ".json"))
        return import_json(im, path);
    if (ends_with(path, ".zip"))
        return import_zip(im, path);
    if (explicit)
        return dd_error_set(DD_EINVALID,
                            "%s: not an OSV input (a directory, .json, .jsonl or .zip file)", path);
    return DD_OK;
}

static int exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? DD_OK : sql_fail(db, sql);
}

static int set_meta(sqlite3 *db, const char *key, const char *value)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", -1, &st,
                           NULL) != SQLITE_OK)
        return sql_fail(db, "meta");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? DD_OK : sql_fail(db, "meta");
    sqlite3_finalize(st);
    return rc;
}

static int copy_file(const char *from, int to_fd)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    char buf[1 << 16];
    ssize_t n;

    if (in < 0)
        return errno == ENOENT ? DD_ENOTFOUND : dd_error_set(DD_EIO, "%s: %s", from, strerror(errno));
    while ((n = read(in, buf, sizeof(buf))) > 0)
        if (write(to_fd, buf, (size_t)n) != n) {
            close(in);
            return dd_error_set(DD_EIO, "copying %s: %s", from, strerror(errno));
        }
    close(in);
    return n == 0 ? DD_OK : dd_error_set(DD_EIO, "%s: %s", from, strerror(errno));
}

static int prepare_all(importer *im)
{
    static const struct {
        size_t off;
        const char *sql;
    } stmts[] = {
        {offsetof(importer, find), "SELECT id FROM vuln WHERE osv_id = ?"},
        {offsetof(importer, del_vuln), "DELETE FROM vuln WHERE id = ?"},
        {offsetof(importer, del_aff), "DELETE FROM affected WHERE vuln = ?"},
        {offsetof(importer, ins_vuln),
         "INSERT INTO vuln(osv_id, modified, published, summary, details, aliases, refs, "
         "severity) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"},
        {offsetof(importer, ins_aff),
         "INSERT INTO affected(vuln, ecosystem, name, key, data) VALUES (?, ?, ?, ?, ?)"},
    };

    for (size_t i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
        sqlite3_stmt **st = (sqlite3_stmt **)((char *)im + stmts[i].off);
        if (sqlite3_prepare_v2(im->db, stmts[i].sql, -1, st, NULL) != SQLITE_OK)
            return sql_fail(im->db, "prepare");
    }
    return DD_OK;
}

int dd_vulndb_import(const char *db_path, const char *const *inputs, size_t n_inputs,
                     const dd_vulndb_import_opts *opts, dd_vulndb_import_stats *stats)
{
    dd_vulndb_import_opts defaults = DD_VULNDB_IMPORT_OPTS_INIT;
    dd_vulndb_import_stats local;
    importer im = {0};
    char *tmp = NULL, buf[32];
    int fd = -1, rc, created = 0;

    if (!opts)
        opts = &defaults;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof(*stats));
    im.stats = stats;
    if (!(tmp = dd_malloc(strlen(db_path) + 16)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    sprintf(tmp, "%s.tmp-XXXXXX", db_path);
    if ((fd = mkstemp(tmp)) < 0) {
        rc = dd_error_set(DD_EIO, "%s: cannot create a file beside it: %s", db_path,
                          strerror(errno));
        goto out;
    }
    created = 1;
    (void)fchmod(fd, 0644);
    /* --append starts from a copy of the old database; a missing one is an empty start */
    rc = opts->append ? copy_file(db_path, fd) : DD_ENOTFOUND;
    if (rc != DD_OK && rc != DD_ENOTFOUND)
        goto out;
    if (rc == DD_ENOTFOUND && ftruncate(fd, 0) != 0) {
        rc = dd_error_set(DD_EIO, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    if ((rc = dd_sqlite__load()) != DD_OK)
        goto out;
    if (sqlite3_open_v2(tmp, &im.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        rc = sql_fail(im.db, "open");
        goto out;
    }
    if ((rc = exec(im.db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                          "PRAGMA cache_size=-65536; PRAGMA page_size=8192;")) != DD_OK)
        goto out;
    {
        sqlite3_stmt *st;
        int has_schema = 0;
        if (sqlite3_prepare_v2(im.db, "SELECT 1 FROM sqlite_master WHERE name = 'vuln'", -1, &st,
                               NULL) == SQLITE_OK) {
            has_schema = sqlite3_step(st) == SQLITE_ROW;
            sqlite3_finalize(st);
        }
        if (has_schema && (rc = dd_vulndb__check(im.db, db_path)) != DD_OK)
            goto out;
        if ((rc = exec(im.db, "BEGIN")) != DD_OK ||
            (!has_schema && (rc = exec(im.db, schema_sql)) != DD_OK))
            goto out;
    }
    if ((rc = prepare_all(&im)) != DD_OK)
        goto out;
    for (size_t i = 0; i < n_inputs && rc == DD_OK; i++)
        rc = import_path(&im, inputs[i], 0, 1);
    if (rc != DD_OK)
        goto out;
    snprintf(buf, sizeof(buf), "%d", DD_VULNDB_SCHEMA);
    if ((rc = set_meta(im.db, "schema", buf)) != DD_OK)
        goto out;
    snprintf(buf, sizeof(buf), "%lld",
             (long long)(opts->built_at ? opts->built_at : (int64_t)time(NULL)));
    if ((rc = set_meta(im.db, "built_at", buf)) != DD_OK ||
        (rc = set_meta(im.db, "source", opts->source ? opts->source : "file")) != DD_OK ||
        (rc = exec(im.db, "COMMIT")) != DD_OK)
        goto out;
out:
    if (im.db) {
        sqlite3_finalize(im.find);
        sqlite3_finalize(im.del_vuln);
        sqlite3_finalize(im.del_aff);
        sqlite3_finalize(im.ins_vuln);
        sqlite3_finalize(im.ins_aff);
        if (sqlite3_close(im.db) != SQLITE_OK && rc == DD_OK)
            rc = dd_error_set(DD_EIO, "%s: closing the database failed", tmp);
    }
    if (rc == DD_OK && fsync(fd) != 0)
        rc = dd_error_set(DD_EIO, "%s: %s", tmp, strerror(errno));
    if (fd >= 0)
        close(fd);
    if (rc == DD_OK && rename(tmp, db_path) != 0)
        rc = dd_error_set(DD_EIO, "%s: %s", db_path, strerror(errno));
    if (rc != DD_OK && created)
        unlink(tmp);
    dd_free(tmp);
    return rc;
}
