/* The offline vulnerability database: OSV records imported into one SQLite file, indexed by
 * ecosystem and package name, and the queries the matcher makes of it. */
#ifndef DRYDOCK_VULNDB_H
#define DRYDOCK_VULNDB_H

#include <drydock/common.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Schema version written into (and required of) every database file. */
#define DD_VULNDB_SCHEMA 1

/* The default database path: $XDG_CACHE_HOME/drydock/vuln.db, else $HOME/.cache/drydock/vuln.db.
 * The caller frees `*out` with dd_free. DD_ENOTFOUND when neither variable is set. */
int dd_vulndb_default_path(char **out);

/* What an import read. `reasons` holds the first few skip reasons ("FILE:LINE: message"). */
#define DD_VULNDB_MAX_REASONS 5
typedef struct {
    uint64_t records;   /* records stored */
    uint64_t affected;  /* affected[] entries stored */
    uint64_t skipped;   /* malformed records skipped */
    uint64_t withdrawn; /* withdrawn records left out */
    uint64_t replaced;  /* records that replaced an earlier record with the same id */
    char reasons[DD_VULNDB_MAX_REASONS][256];
    unsigned n_reasons;
} dd_vulndb_import_stats;

typedef struct {
    const char *source; /* recorded as the database's source ("file", a base URL); NULL = "file" */
    int append;         /* keep the records of the existing database at `db_path`, if any */
    int64_t built_at;   /* seconds since the epoch recorded as the build time; 0 = now */
} dd_vulndb_import_opts;

#define DD_VULNDB_IMPORT_OPTS_INIT {NULL, 0, 0}

/* Imports OSV records into the database at `db_path`. Each input is a directory (its *.json,
 * *.jsonl and *.zip files, recursively, in name order), a .json file (one record, or an array of
 * records), a .jsonl file (one record a line) or a .zip archive of .json records (osv.dev's
 * per-ecosystem all.zip). A later record with the same id replaces an earlier one. Malformed
 * records are skipped and counted. The database is written beside `db_path` under a temporary
 * name and renamed over it only when complete, so a failure leaves the old file untouched.
 * Errors: DD_EIO (unreadable input, unwritable directory), DD_EINVALID (an input that is not
 * JSON, zip or a directory at all), DD_ENOMEM. */
int dd_vulndb_import(const char *db_path, const char *const *inputs, size_t n_inputs,
                     const dd_vulndb_import_opts *opts, dd_vulndb_import_stats *stats);

typedef struct dd_vulndb dd_vulndb;

/* Opens a database read-only. DD_ENOTFOUND when the file is missing (message suggests
 * `drydock db import`/`update`), DD_EINVALID when it is not a drydock database or has another
 * schema version. */
int dd_vulndb_open(dd_vulndb **out, const char *path);
void dd_vulndb_close(dd_vulndb *db);

/* Database metadata. Borrowed from `db`. */
typedef struct {
    int schema;
    int64_t built_at;   /* seconds since the epoch */
    const char *source;
    uint64_t records;
} dd_vulndb_info;
int dd_vulndb_info_get(const dd_vulndb *db, dd_vulndb_info *out);

/* Calls `fn` for each ecosystem with its record and affected-entry counts, in name order. */
int dd_vulndb_each_ecosystem(const dd_vulndb *db,
                             int (*fn)(const char *ecosystem, uint64_t records, uint64_t affected,
                                       void *payload),
                             void *payload);

/* --- the advisory model the matcher reads --- */

typedef enum {
    DD_OSV_INTRODUCED = 0,
    DD_OSV_FIXED,
    DD_OSV_LAST_AFFECTED,
    DD_OSV_LIMIT,
} dd_osv_event_kind;

typedef struct {
    dd_osv_event_kind kind;
    const char *version; /* "0" for introduced means every version */
} dd_osv_event;

typedef enum {
    DD_OSV_RANGE_ECOSYSTEM = 0,
    DD_OSV_RANGE_SEMVER,
    DD_OSV_RANGE_GIT, /* commits: never matched against installed versions */
} dd_osv_range_type;

typedef struct {
    dd_osv_range_type type;
    const dd_osv_event *events;
    size_t n_events;
} dd_osv_range;

/* One affected[] entry of one record, as the matcher sees it. Strings are borrowed from the
 * query that returned it and valid until the next query on the same database handle. */
typedef struct {
    const char *id;           /* the record's id */
    const char *ecosystem;    /* as the record states it: "Debian:11" */
    const char *name;         /* as the record states it */
    const char *const *aliases; /* aliases[] and upstream[] of the record */
    size_t n_aliases;
    const dd_osv_range *ranges;
    size_t n_ranges;
    const char *const *versions; /* explicit versions[] */
    size_t n_versions;
    /* Severity inputs, most specific first: a rating word the distro or the record gives
     * ("HIGH", "medium", "important"; NULL when none), CVSS vectors (NULL when none), and a
     * bare numeric score some sources give instead of a vector (negative when none). */
    const char *rating;
    const char *rating_source; /* "debian", "ubuntu", "ghsa", "record", ... */
    const char *cvss_v3;
    const char *cvss_v4;
    double score;    /* a CVSS v3 or v4 score given without a vector */
    double score_v2; /* a CVSS v2 score, the last resort (v2 bands: no CRITICAL) */
    const char *summary;
    const char *details;
    const char *published;
    const char *modified;
    const char *const *references; /* URLs */
    size_t n_references;
} dd_osv_affected;

/* Calls `fn` for every affected[] entry of a non-withdrawn record in `ecosystem` for package
 * `name`. Ecosystems are compared exactly ("Debian:11", "Alpine:v3.11", "PyPI"); names as the
 * ecosystem compares them: PyPI by its PEP 503 normal form, NuGet, Packagist and Maven
 * case-insensitively, the rest exactly. A non-zero return from `fn` stops the walk and is
 * returned. `fn` must not query `db` itself. */
int dd_vulndb_query(dd_vulndb *db, const char *ecosystem, const char *name,
                    int (*fn)(const dd_osv_affected *a, void *payload), void *payload);

/* Keeps the decoded entries of the names dd_vulndb_query reads (names without any too), up to
 * about `bytes` (0, the default: keep none), for a caller that asks about the same names again:
 * the fleet server, whose new packages are mostly new versions of names it has matched. The
 * cache is emptied whole before a read that finds it past `bytes` (so it holds at most `bytes`
 * and one name's entries), and lives as long as `db`: reopen the database when its file
 * changes. */
int dd_vulndb_cache(dd_vulndb *db, size_t bytes);

#ifdef __cplusplus
}
#endif

#endif
