/* What the language catalogers (npm, python) share inside lib/catalog/: purls of language
 * packages, path helpers, and the emission of packages found in files of the walk. */
#ifndef DD_LANG_INT_H
#define DD_LANG_INT_H

#include "catalog/catalog_int.h"

/* The purl of a language package: pkg:npm/%40scope/name@v (a scoped npm name is namespace and
 * name), pkg:pypi/NAME@V with NAME normalised as PEP 503 says (lower case, runs of "-", "_" and
 * "." made one "-"). The caller frees `*out` with dd_free. DD_EINVALID without name or version,
 * DD_EUNSUPPORTED for another type. */
int dd_lang__purl(char **out, dd_pkg_type type, const char *name, const char *version);

/* PEP 503 normalised copy of `name` in `a` (NULL on ENOMEM). */
char *dd_lang__pep503(dd_arena *a, const char *name);

/* True when the `len` bytes at `s` are well-formed UTF-8 (the JSON writers need it). */
int dd_lang__utf8_valid(const char *s, size_t len);

/* The directory part of an image-root relative path ("" for a top-level name), in `a`. */
char *dd_lang__dirname(dd_arena *a, const char *path);
/* The last component of `path` (a pointer into it). */
const char *dd_lang__basename(const char *path);
/* "DIR/NAME", or NAME when DIR is "", in `a`. */
char *dd_lang__join(dd_arena *a, const char *dir, const char *name);

/* Calls `fn` for every captured regular file of the walk whose path `match` accepts: the
 * squashed view, then (with scope all-layers) the versions upper layers hid. `squashed` tells
 * which. A non-DD_OK return of `fn` stops the iteration with that code. */
typedef int (*dd_lang_file_fn)(const dd_entry *e, int squashed, const char *data, size_t len,
                               int truncated, void *payload);
int dd_lang__each_file(const dd_walk *w, const dd_catalog_opts *opts,
                       int (*match)(const char *path), dd_lang_file_fn fn, void *payload);

/* Adds the packages found: every package of `squashed` (purls computed with dd_lang__purl), then
 * with scope all-layers each package of `hidden` that `squashed` does not list with the same
 * name, version and path, once, marked removed. Both lists may be reordered. */
int dd_lang__emit(dd_inventory *inv, const dd_catalog_opts *opts, dd_pkglist *squashed,
                  dd_pkglist *hidden);

/* --- byte parsers, usable without a walk (fuzz targets, unit tests) --- */

/* Python core metadata (a .dist-info METADATA, an .egg-info PKG-INFO or single-file .egg-info):
 * one package into `out` (strings in out->arena). DD_EINVALID with "PATH:LINE: message" for a
 * header line that is neither "Key: value" nor a continuation, NUL bytes, invalid UTF-8 in Name
 * or Version, no Name or no Version; DD_ELIMIT when `truncated` and the capture ends inside the
 * header. */
int dd_python__parse_metadata(dd_pkglist *out, const char *path, const char *data, size_t len,
                              int truncated);

/* The files of a RECORD (CSV: path,hash,size; `csv` set) or installed-files.txt (one path a
 * line), joined to `base` (image-root relative) with "." and ".." resolved; paths that leave
 * the image root are dropped. */
int dd_python__parse_record(const char ***out, size_t *n, dd_arena *a, const char *base,
                            const char *data, size_t len, int csv);

/* A package.json: name, version, license, description, author and the names of its
 * dependencies. */
typedef struct {
    const char *name, *version, *license, *description, *author;
    const char **deps;       /* dependencies, optionalDependencies, peerDependencies */
    const char **dep_ranges; /* their version ranges ("" when not a string) */
    size_t n_deps;
    const char **dev_deps; /* devDependencies */
    const char **dev_dep_ranges;
    size_t n_dev_deps;
} dd_npm_manifest;

/* Parses a package.json (strings in `a`). DD_EINVALID with "PATH:LINE:COLUMN: message" for
 * JSON that does not parse or a top level that is not an object; a manifest without name or
 * version is DD_OK with those NULL. */
int dd_npm__parse_manifest(dd_npm_manifest *out, dd_arena *a, const char *path, const char *data,
                           size_t len);

/* Parses a package-lock.json or npm-shrinkwrap.json (lockfileVersion 1, 2 or 3) whose directory
 * is `dir` (image-root relative): one package per installed entry into `out`, with path where
 * npm installs it and dev set from the lockfile. DD_EINVALID with "PATH:..." for JSON that does
 * not parse or has the wrong shape (the entries read before stay in `out`). */
int dd_npm__parse_lock(dd_pkglist *out, const char *path, const char *dir, const char *data,
                       size_t len);

/* Parses a yarn.lock of yarn 1 ("# yarn lockfile v1", `name@range:` entries with `version "V"`)
 * or of yarn 2+ (YAML with `__metadata:`, `version: V`, workspace entries skipped) in folder
 * `dir`: one package per entry into `out`, path = `path` (yarn does not say where it installs
 * what). With `root` (the package.json beside it), what only its devDependencies reach is
 * marked dev. DD_EINVALID with "PATH:LINE: message" at the first damage (entries before it
 * stay in `out`). */
int dd_npm__parse_yarn(dd_pkglist *out, const char *path, const char *data, size_t len,
                       const dd_npm_manifest *root);

/* Ownership: removes from `inv` every language package whose metadata file (db_path) an OS
 * package of `owners` lists among its files; when `owners` is `inv`, its purl is added to that
 * OS package's lang_purls. */
int dd_owner__resolve(dd_inventory *inv, const dd_inventory *owners);

#endif
