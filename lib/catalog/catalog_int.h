/* What the catalogers share inside lib/catalog/. */
#ifndef DD_CATALOG_INT_H
#define DD_CATALOG_INT_H

#include <drydock/catalog.h>

#include "util/util.h"

/* A cataloger declares the files it needs and turns their captured bytes into packages. */
typedef struct {
    const char *name;          /* "dpkg", "apk", "rpm", ... */
    dd_pkg_type type;
    const char *const *globs;  /* NULL-terminated capture globs (see dd_walk_capture) */
    uint64_t max_bytes;        /* per captured file */
    int (*run)(dd_inventory *inv, const dd_walk *w, const dd_catalog_opts *opts);
    const uint64_t *glob_max_bytes; /* per glob, parallel to `globs`; NULL: max_bytes for all */
} dd_cataloger;

/* Appends a package; every string of `pkg` (and its files array) is copied into the
 * inventory's arena. `purl` may be NULL: dd_inventory__add computes it from the fields and the
 * inventory's OS. */
int dd_inventory__add(dd_inventory *inv, const dd_package *pkg);

/* Records a warning ("PATH:LINE: message") for --best-effort runs. */
int dd_inventory__warn(dd_inventory *inv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

const dd_os_info *dd_inventory__os(const dd_inventory *inv);

/* For the ownership pass (owner.c): adds a language purl (copied, once) to the package at
 * `index`; removes the packages whose `drop[index]` is set (the others keep their order). */
int dd_inventory__add_lang_purl(dd_inventory *inv, size_t index, const char *purl);
void dd_inventory__drop(dd_inventory *inv, const unsigned char *drop);

/* --- helpers for the catalogers (catalog.c, inventory.c) --- */

/* A new empty inventory; dd_catalog_run makes one, unit tests make their own. */
int dd_inventory__new(dd_inventory **out);

/* Hands `os` (may be NULL) to the inventory; purls computed afterwards use it. */
void dd_inventory__set_os(dd_inventory *inv, dd_os_info *os);

/* Sorts the packages into the documented order (dd_catalog_run does it once at the end). */
void dd_inventory__sort(dd_inventory *inv);

/* Packages parsed from one database file, before they reach the inventory: strings live in
 * `arena` (owned by whoever made the list). */
typedef struct {
    dd_arena *arena;
    dd_package *v;
    size_t n, alloc;
} dd_pkglist;

/* Appends a shallow copy of `pkg` (its strings must outlive the list). */
int dd_pkglist__push(dd_pkglist *l, const dd_package *pkg);
void dd_pkglist__dispose(dd_pkglist *l);

/* One version of a database file: the squashed one or one an upper layer hid. */
typedef struct {
    const char *db_path;  /* image-root relative */
    uint32_t layer;       /* layer that wrote this version */
    int squashed;         /* the version a container sees */
    dd_pkglist pkgs;      /* what it lists (files and licenses already attached) */
} dd_dbver;

/* The versions of the file at `path` (exact, no symlinks followed), oldest layer first: those
 * hidden by upper layers (only with `hidden`) and then the squashed one; only versions whose
 * content was captured. `*out` is an array of entries (free with dd_free, NULL when none). */
int dd_catalog__versions(const dd_entry ***out, size_t *n, const dd_walk *w, const char *path,
                         int hidden);

/* Adds the packages of database versions to the inventory. `v` is sorted by db_path, then
 * layer. Packages of squashed versions are added with the layer of the oldest version from which
 * every later version of the same file lists them unchanged (the layer that installed them).
 * With scope all-layers, packages that only hidden versions list (by name, arch and version,
 * across every file of `v`) are added once each, marked removed, with the layer of the last
 * version that lists them. */
int dd_catalog__emit(dd_inventory *inv, const dd_catalog_opts *opts, dd_dbver *v, size_t n);

/* Records a parse problem ("PATH:LINE: message" is the current error message) for the run:
 * appended as a warning; the run then ends with DD_EINVALID unless best-effort. */
int dd_inventory__damage(dd_inventory *inv);
/* 0 when no damage was recorded, else 1 + the index of the first damage warning. */
int dd_inventory__damaged(const dd_inventory *inv);

/* Debian copyright files: the licenses of a machine-readable (DEP-5) file, or the
 * /usr/share/common-licenses/NAME references and License: lines of a free-form one; each
 * mapped to an SPDX id where the Debian short name has one, deduplicated, in order of
 * appearance. Strings are allocated in `a`. */
int dd_copyright__licenses(const char ***out, size_t *n, dd_arena *a, const char *data,
                           size_t len);

/* The SPDX id of a Debian/Alpine/RPM short license name ("GPL-2+" -> "GPL-2.0-or-later",
 * "Expat" -> "MIT"), the name itself when it already is one, else NULL. */
const char *dd_license__spdx(const char *name, size_t len);

extern const char *const dd_spdx__ids[];
extern const size_t dd_spdx__n_ids;

/* Byte parsers, usable without a walk (the fuzz targets and unit tests call them). Each adds
 * what it reads to `out` (strings in out->arena) and returns DD_EINVALID with
 * "PATH:LINE: message" at the first damage, keeping the packages read before it. */
int dd_apk__parse(dd_pkglist *out, const char *path, const char *data, size_t len);
/* `status_d`: a distroless status.d file, where a missing Status: means installed. */
int dd_dpkg__parse_status(dd_pkglist *out, const char *path, const char *data, size_t len,
                          int status_d);
/* The paths of a dpkg info/NAME.list (absolute, one a line) or status.d/NAME.md5sums
 * ("MD5  path") file, image-root relative; "/." is left out. */
int dd_dpkg__parse_filelist(const char ***out, size_t *n, dd_arena *a, const char *data,
                            size_t len, int md5sums);

/* The catalogers, each in its own file. */
extern const dd_cataloger dd_cataloger_apk;
extern const dd_cataloger dd_cataloger_dpkg;
extern const dd_cataloger dd_cataloger_rpm;
extern const dd_cataloger dd_cataloger_npm;
extern const dd_cataloger dd_cataloger_python;
extern const dd_cataloger dd_cataloger_java;
/* The walk extractors of the Java archives it reads (java.c); registered when it is enabled. */
int dd_java__register(dd_walk *w, const dd_catalog_opts *opts);
extern const dd_cataloger dd_cataloger_ruby;
extern const dd_cataloger dd_cataloger_php;
extern const dd_cataloger dd_cataloger_dotnet;
extern const dd_cataloger dd_cataloger_pnpm;
extern const dd_cataloger dd_cataloger_gobin;
extern const dd_cataloger dd_cataloger_rust;
/* The walk extractor of ELF executables the two above read (binary.c); registered when one of
 * them is enabled. */
int dd_binary__register(dd_walk *w, const dd_catalog_opts *opts);

#endif
