/* The secret scanner: credentials in the bytes of every file of every layer (files that upper
 * layers delete or replace included), in the image configuration's Env and history, or in any
 * buffer. Every rule is compiled once into one vectorscan database; files stream through it
 * chunk by chunk, and every secret handed out is redacted. */
#ifndef DRYDOCK_SECRETS_H
#define DRYDOCK_SECRETS_H

#include <drydock/common.h>
#include <drydock/image.h>
#include <drydock/issue.h>
#include <drydock/walk.h>

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dd_secrets dd_secrets;

typedef struct {
    bool scan_binary;        /* also files that look binary (default: skipped) */
    uint64_t max_file_bytes; /* bytes of one file scanned, 0 = your default */
    /* Where the compiled rule databases are kept between runs (compiling takes about a
     * second): NULL = $XDG_CACHE_HOME/drydock, else $HOME/.cache/drydock; "" = not kept. */
    const char *cache_dir;
} dd_secrets_opts;

#define DD_SECRETS_OPTS_INIT {false, 0, NULL}

/* Bytes of one file scanned when dd_secrets_opts.max_file_bytes is 0; the rest is skipped. */
#define DD_SECRETS_DEFAULT_MAX_FILE_BYTES (32u << 20)

/* Compiles every rule into one vectorscan database (once per run, or loaded from the cache of
 * an earlier run with the very same rules and vectorscan). `opts` may be NULL for the
 * defaults. Returns DD_OK and the caller's scanner in `*out`, DD_ENOMEM, or DD_ERROR when the
 * database does not compile (a broken rule: a programming error, the message names it). */
int dd_secrets_new(dd_secrets **out, const dd_secrets_opts *opts);

/* Frees the scanner, its database, scratch spaces and kept findings. NULL is accepted. */
void dd_secrets_free(dd_secrets *s);

/* Number of rules compiled into the database. */
size_t dd_secrets_rule_count(const dd_secrets *s);

/* Installs the scanner as the walk's content hook (dd_walk_set_content_hook, see
 * include/drydock/walk.h: calls for different layers come from different threads at once,
 * calls for one file from one thread, hidden files included). Before dd_walk_run. The findings
 * are kept in the scanner until dd_secrets_collect; `s` must outlive the walk's run. Returns
 * DD_OK. */
int dd_secrets_attach(dd_secrets *s, dd_walk *w);

/* After dd_walk_run: every finding in the layers, with layer = the layer that wrote the
 * file and removed_in = the layer that deleted or replaced it (from dd_walk_hidden*; -1 when
 * the file is still in the squashed view), sorted by path, layer, line, rule_id. Strings are
 * borrowed for the call. Returns DD_OK, DD_ENOMEM or the first non-DD_OK code of `fn`. */
int dd_secrets_collect(dd_secrets *s, const dd_walk *w, dd_issue_fn fn, void *payload);

/* The image configuration: each Env value (location "Env", message naming the variable),
 * each history created_by (location "history[N].created_by", layer = that step's layer).
 * Returns DD_OK, DD_ENOMEM or the first non-DD_OK code of `fn`. */
int dd_secrets_scan_config(dd_secrets *s, const dd_image_config *cfg, dd_issue_fn fn,
                           void *payload);

/* One buffer named `path` (tests, benchmarks, other callers). Thread-safe per call. The
 * binary check and the size cap apply as for a file of a layer; findings come sorted by line,
 * with layer and removed_in -1. Returns DD_OK, DD_ENOMEM, DD_ERROR (a vectorscan failure) or
 * the first non-DD_OK code of `fn`. */
int dd_secrets_scan_buffer(dd_secrets *s, const char *path, const void *data, size_t len,
                           dd_issue_fn fn, void *payload);

/* --- the rule catalogue (documentation, tests) --- */

typedef struct {
    const char *id;       /* "DD-SECRET-GITHUB-PAT" */
    const char *category; /* "GitHub" */
    const char *title;
    dd_severity severity;
    const char *pattern; /* the vectorscan expression compiled into the database */
    const char *example; /* an obviously fake example the allow rules drop */
    bool generic;        /* a keyword assignment gated by entropy, not a provider format */
} dd_secrets_rule_info;

/* Rule `index` (< dd_secrets_rule_count) of the scanner; the strings live as long as `s`. */
const dd_secrets_rule_info *dd_secrets_rule(const dd_secrets *s, size_t index);

/* Files seen through the content hook, files skipped as binary, bytes scanned (all threads),
 * for progress and benchmarks. */
typedef struct {
    uint64_t files, binary_skipped, bytes_scanned, truncated_files;
} dd_secrets_stats;

void dd_secrets_get_stats(const dd_secrets *s, dd_secrets_stats *out);

#ifdef __cplusplus
}
#endif

#endif
