/* Keeping the vulnerability database current: osv.dev's per-ecosystem all.zip archives are
 * downloaded into a local cache (conditionally, verified) and the database is rebuilt from it. */
#ifndef DRYDOCK_VULNDB_UPDATE_H
#define DRYDOCK_VULNDB_UPDATE_H

#include <drydock/common.h>
#include <drydock/vulndb.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* osv.dev's public bucket: BASE/<Ecosystem>/all.zip. */
#define DD_VULNDB_OSV_BASE_URL "https://osv-vulnerabilities.storage.googleapis.com"

#define DD_VULNDB_UPDATE_MAX_BYTES       (2ull << 30) /* one archive */
#define DD_VULNDB_UPDATE_CONNECT_TIMEOUT 30           /* seconds */
#define DD_VULNDB_UPDATE_TIMEOUT         1800         /* seconds for one archive */

/* The ecosystems fetched when the caller names none, spelt as the bucket's directories are
 * ("Debian", "PyPI", "crates.io", "Rocky Linux", ...). Static storage; `*n` gets the count. */
const char *const *dd_vulndb_osv_ecosystems(size_t *n);

/* Checks an ecosystem name given by a user and returns the bucket's spelling in `*out`: a known
 * name in any letter case gives its canonical spelling (static storage); another name is
 * returned as given (osv.dev adds ecosystems) when it is usable as a directory name.
 * DD_EINVALID (message names it) for "", ".", "..", a "/" or "\", or a control character. */
int dd_vulndb_ecosystem_name(const char **out, const char *name);

typedef enum {
    DD_VULNDB_FETCH_DOWNLOADED = 0, /* a new archive replaced the cached one */
    DD_VULNDB_FETCH_NOT_MODIFIED,   /* the server answered 304: the cached archive is current */
    DD_VULNDB_FETCH_MISSING,        /* the server has no archive for it (404): left out */
    DD_VULNDB_FETCH_FAILED,         /* any other failure: the cached archive is kept */
} dd_vulndb_fetch_status;

/* What happened to one ecosystem's archive. */
typedef struct {
    const char *ecosystem; /* the canonical name, static or borrowed from the options */
    dd_vulndb_fetch_status status;
    long http_status;  /* of the last response, 0 when none came */
    uint64_t bytes;    /* body bytes received */
    double seconds;    /* time of the transfer */
    int error;         /* MISSING: DD_ENOTFOUND; FAILED: its dd_error_t; else DD_OK */
    char message[512]; /* MISSING and FAILED: one line naming the URL */
} dd_vulndb_fetch_result;

typedef struct {
    const char *base_url;          /* NULL = DD_VULNDB_OSV_BASE_URL; http or https */
    const char *const *ecosystems; /* NULL = dd_vulndb_osv_ecosystems(); each passed through
                                      dd_vulndb_ecosystem_name */
    size_t n_ecosystems;
    const char *cache_dir; /* NULL = the directory "osv" beside db_path */
    long connect_timeout;  /* seconds; 0 = DD_VULNDB_UPDATE_CONNECT_TIMEOUT */
    long timeout;          /* seconds for one archive; 0 = DD_VULNDB_UPDATE_TIMEOUT */
    uint64_t max_bytes;    /* of one archive; 0 = DD_VULNDB_UPDATE_MAX_BYTES */
    int force;             /* download every archive and rebuild even when current */
    /* Called once per ecosystem, in list order, when its fetch has ended (may be NULL). */
    void (*on_fetch)(const dd_vulndb_fetch_result *r, void *payload);
    void *payload;
} dd_vulndb_update_opts;

#define DD_VULNDB_UPDATE_OPTS_INIT                                                                 \
    {                                                                                              \
        NULL, NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL                                                \
    }

typedef struct {
    size_t downloaded, not_modified, missing, failed;
    int rebuilt;           /* 1 when the database was rebuilt, 0 when it was already current */
    double fetch_seconds;  /* all downloads together */
    double import_seconds; /* the rebuild */
    dd_vulndb_import_stats import; /* counts of the rebuild (zero when not rebuilt) */
} dd_vulndb_update_stats;

/* Brings the database at `db_path` up to date with the archives at the base URL.
 *
 * Each archive is fetched into CACHE/<Ecosystem>/all.zip through a temporary file, sending
 * If-Modified-Since with the Last-Modified recorded beside the cached copy (in all.zip.meta).
 * A body is accepted only when its length equals Content-Length, its MD5 equals the md5= of the
 * x-goog-hash headers when the server sends them, it stays under `max_bytes` and it starts like
 * a zip archive; otherwise that ecosystem FAILS and its cached archive is kept. A 404 is
 * MISSING: the ecosystem's cached copy is removed and it is left out of the database. Every
 * ecosystem is tried; `stats` counts the outcomes.
 *
 * When none FAILED, the database is rebuilt (dd_vulndb_import, not appending, source = the base
 * URL) from the cached archives of the listed ecosystems, atomically. The rebuild is skipped when
 * nothing was downloaded or removed, the database opens and the state recorded beside it
 * (DB.update) says it was built from these very archives; `force` rebuilds anyway.
 *
 * The cache directory is locked for the duration (CACHE/.lock) so two updates cannot interleave.
 * Errors (message set; the database is untouched): DD_EINVALID (bad base URL or ecosystem
 * name), DD_ERROR (some ecosystems FAILED: their results carry the details), DD_ENOTFOUND (every
 * ecosystem MISSING: nothing to build from), DD_EIO (cache or database directory), DD_ENOMEM,
 * and what dd_vulndb_import returns. */
int dd_vulndb_update(const char *db_path, const dd_vulndb_update_opts *opts,
                     dd_vulndb_update_stats *stats);

#ifdef __cplusplus
}
#endif

#endif
