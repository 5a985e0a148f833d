/* Checks of a built image's configuration and files (DD-IMG-*, DD-USR-005/006, DD-SEC-005) and
 * its layer hygiene (wasted bytes, dive's efficiency score, caches, build tools: DD-HYG-*), all
 * from one walk of the layers. */
#ifndef DRYDOCK_IMGCHECK_H
#define DRYDOCK_IMGCHECK_H

#include <drydock/common.h>
#include <drydock/image.h>
#include <drydock/issue.h>
#include <drydock/walk.h>

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Asks the walk, before dd_walk_run, for the files the checks read: etc/passwd, etc/group,
 * etc/shadow and the credential files whose contents decide (.npmrc, .pypirc,
 * .docker/config.json, .aws/credentials, kubeconfigs, .git/config, .netrc, PEM key files).
 * Returns DD_OK, DD_ENOMEM, or DD_ERROR when the walk has already run. */
int dd_imgcheck_prepare(dd_walk *w);

/* Runs the configuration rules over `cfg` (may be NULL: only the file checks run) and the file
 * checks over the walk `w` (after dd_walk_run, prepared with dd_imgcheck_prepare): user root or
 * unset, secret-like Env entries and history steps, EXPOSE 22, no healthcheck, volumes on
 * /proc /sys /dev, risky history steps, setuid/setgid and world-writable files, empty
 * passwords, duplicate ids, unneeded directories and credential files in every layer, hidden
 * ones included ("removed in layer N, still shipped in layer M").
 * Each finding goes to `fn` (cls DD_ISSUE_CONFIG), sorted by rule id, then path or location,
 * then layer. Returns DD_OK, DD_ENOMEM, or the first non-DD_OK code `fn` returned. */
int dd_imgcheck_run(const dd_image_config *cfg, const dd_walk *w, dd_issue_fn fn, void *payload);

/* Rule id of world-writable files outside the temporary directories (not in the lint
 * catalogue yet; title and fix come from the catalogue once it has them). */
#define DD_IMGCHECK_RULE_WORLD_WRITABLE "DD-IMG-009"

/* --- layer hygiene --- */

typedef struct dd_hygiene dd_hygiene;

/* One layer's bytes. "Bytes" are the contents of regular files as the layer's tar carries them
 * (hard links and other entries carry none); a path written twice in one layer counts once. */
typedef struct {
    uint32_t index;
    const char *created_by; /* the history step that made the layer, or NULL */
    uint64_t files, bytes;  /* regular files the layer writes */
    uint64_t wasted_files,
        wasted_bytes; /* of those, the ones an upper layer overwrites or deletes */
    uint64_t removed_files,
        removed_bytes; /* lower layers' files this layer overwrites or deletes */
} dd_hygiene_layer;

/* A package-manager cache left in the final image: the bytes one layer left below one cache
 * directory. */
typedef struct {
    const char *kind; /* "apt-lists", "apt-archives", "apk", "pip", "npm", "yarn", "yum", "dnf" */
    const char *path; /* the cache directory ("var/lib/apt/lists", "root/.cache/pip") */
    uint32_t layer;
    uint64_t files, bytes;
} dd_hygiene_cache;

/* A build tool present in the final image. */
typedef struct {
    const char *name; /* "gcc", "make", "git", "pip" */
    const char *kind; /* "compiler", "build", "vcs", "package-manager", "toolchain" */
    const char *path; /* where it was found ("usr/bin/gcc") */
    uint32_t layer;
} dd_hygiene_tool;

typedef struct {
    uint64_t files, bytes;               /* all layers together */
    uint64_t wasted_files, wasted_bytes; /* bytes no container sees: sum over the layers */
    /* dive's figures (docs/imgcheck.md): the sizes of every version of each path written more
     * than once (the last version included), and sum(smallest version) / sum(all versions)
     * over every path; 1.0 for an image without bytes. */
    uint64_t dive_wasted_bytes;
    double efficiency;
    uint64_t cache_files, cache_bytes;
    const char *shell;           /* path of a shell in the final image ("bin/sh"), or NULL */
    const char *package_manager; /* path of an OS package manager ("usr/bin/dpkg"), or NULL */
} dd_hygiene_summary;

/* Computes the hygiene of the walked image `w` (after dd_walk_run; `cfg` may be NULL and only
 * names the layers' history steps). Returns DD_OK with the caller's result in *out (free with
 * dd_hygiene_free), or DD_ENOMEM. */
int dd_hygiene_compute(dd_hygiene **out, const dd_image_config *cfg, const dd_walk *w);
void dd_hygiene_free(dd_hygiene *h);

const dd_hygiene_summary *dd_hygiene_summary_get(const dd_hygiene *h);
size_t dd_hygiene_layer_count(const dd_hygiene *h);
const dd_hygiene_layer *dd_hygiene_layer_get(const dd_hygiene *h, size_t index);
/* Caches sorted by path, then layer. */
size_t dd_hygiene_cache_count(const dd_hygiene *h);
const dd_hygiene_cache *dd_hygiene_cache_get(const dd_hygiene *h, size_t index);
/* Build tools sorted by name. */
size_t dd_hygiene_tool_count(const dd_hygiene *h);
const dd_hygiene_tool *dd_hygiene_tool_get(const dd_hygiene *h, size_t index);

/* Hands the hygiene findings to `fn` (cls DD_ISSUE_HYGIENE), in this order: DD-HYG-001 per
 * layer with wasted bytes, DD-HYG-002 per cache, DD-HYG-003 per build tool, DD-HYG-004 when a
 * shell or a package manager is present, DD-HYG-005 when the efficiency is below 0.9 (dive's
 * default CI threshold). Returns DD_OK, DD_ENOMEM or the first non-DD_OK code of `fn`. */
int dd_hygiene_issues(const dd_hygiene *h, dd_issue_fn fn, void *payload);

/* A human table: layers, totals, caches, build tools. DD_EIO on a write error. */
int dd_hygiene_write_text(FILE *fp, const dd_hygiene *h);
/* One JSON object (keys in docs/imgcheck.md) and a newline. DD_EIO on a write error. */
int dd_hygiene_write_json(FILE *fp, const dd_hygiene *h);

#ifdef __cplusplus
}
#endif

#endif
