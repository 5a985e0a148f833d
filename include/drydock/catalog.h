/* Catalogs of what an image holds: the operating system it is based on and the packages
 * installed in it, as one inventory. */
#ifndef DRYDOCK_CATALOG_H
#define DRYDOCK_CATALOG_H

#include <drydock/common.h>
#include <drydock/walk.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The distribution, from os-release(5). Strings are NULL when the file does not set them. */
typedef struct {
    char *id;               /* "debian", "alpine", ... */
    char *id_like;
    char *name;
    char *version_id;       /* "12", "3.20.3" */
    char *version_codename; /* "bookworm" */
    char *pretty_name;
    char *source_path; /* the file it came from, relative to the image root */
} dd_os_info;

/* Parses os-release text. Unknown keys are ignored; lines that are not KEY=VALUE make
 * DD_EINVALID with the line number. The caller frees `*out` with dd_os_info_free. */
int dd_os_release_parse(dd_os_info **out, const char *data, size_t len);

/* Registers with the walk the captures that dd_os_detect needs; call before dd_walk_run. */
int dd_os_register_captures(dd_walk *w);

/* Parses one of the fallback release files, chosen by the base name of `path`:
 * "alpine-release" ("3.20.3"), "debian_version" ("12.7", "trixie/sid"), "redhat-release" and
 * its siblings "centos-release", "fedora-release", "rocky-release", "almalinux-release",
 * "oracle-release", "system-release" ("NAME release 9.3 (Codename)"), and "lsb-release"
 * (DISTRIB_ID, DISTRIB_RELEASE, DISTRIB_CODENAME, DISTRIB_DESCRIPTION); "os-release" is
 * passed to dd_os_release_parse. DD_EINVALID when the text is not what that file holds,
 * DD_EUNSUPPORTED for another base name. `source_path` is set to `path`. */
int dd_os_release_parse_file(dd_os_info **out, const char *path, const char *data, size_t len);

/* Finds the distribution in a finished walk: etc/os-release (symlinks followed), then
 * usr/lib/os-release, then the fallbacks in this order: etc/alpine-release, etc/redhat-release
 * and its siblings, etc/lsb-release, etc/debian_version. DD_ENOTFOUND when the image has none
 * of them (a distroless or scratch image); DD_EINVALID with "PATH:LINE:" for a malformed
 * os-release (a malformed fallback is skipped). */
int dd_os_detect(dd_os_info **out, const dd_walk *w);

void dd_os_info_free(dd_os_info *info);

/* --- the inventory: packages with evidence, the one model every later part speaks --- */

typedef enum {
    DD_PKG_APK = 1,
    DD_PKG_DEB,
    DD_PKG_RPM,
    DD_PKG_NPM,
    DD_PKG_PYPI,
    DD_PKG_GOLANG,
    DD_PKG_MAVEN,
    DD_PKG_GEM,
    DD_PKG_CARGO,
    DD_PKG_COMPOSER,
    DD_PKG_NUGET,
} dd_pkg_type;

/* purl type ("apk", "deb", "rpm", "npm", "pypi", "golang", "maven", "gem", "cargo",
 * "composer", "nuget"). */
const char *dd_pkg_type_name(dd_pkg_type t);

/* One installed package. Strings are owned by the inventory; NULL when unknown. */
typedef struct {
    dd_pkg_type type;
    const char *name;
    const char *version;        /* as the package manager prints it: deb "1:2.3-4", rpm "V-R" */
    const char *epoch;          /* rpm epoch, NULL when none */
    const char *release;        /* rpm release */
    const char *arch;
    const char *source_name;    /* dpkg Source:, apk origin, rpm source rpm name */
    const char *source_version; /* dpkg Source: (VERSION) or the binary version */
    const char *license;        /* SPDX expression or the database's text */
    const char *maintainer, *vendor, *commit, *description;
    uint64_t installed_size;
    const char *purl;
    const char *db_path;        /* database it came from, relative to the image root */
    uint32_t layer;             /* layer that wrote that database entry */
    int removed;                /* listed only in a lower layer's database (all-layers scope) */
    const char *const *files;   /* files the package owns, image-root relative, no leading "/" */
    size_t n_files;
    /* Licenses one by one, in the order the package states them (dpkg: the License: fields of
     * a machine-readable copyright file, as SPDX ids where a Debian short name maps to one).
     * When empty, `license` (one expression or free text) is the whole statement. */
    const char *const *licenses;
    size_t n_licenses;
    /* Language packages (npm, pypi): where the package is installed, image-root relative (the
     * node_modules/NAME directory, the .dist-info or .egg-info directory or file; for a
     * package-lock entry, where npm would install it; for a yarn.lock entry, the lockfile);
     * db_path is the file it was read from. */
    const char *path;
    int dev; /* a development dependency (npm devDependencies, lockfile "dev") */
    /* An OS package that installed language packages (Debian's python3-requests): their purls
     * (pkg:pypi/requests@2.28.1), kept as evidence instead of separate components. */
    const char *const *lang_purls;
    size_t n_lang_purls;
    /* The checksum the ecosystem records for a language package, as it writes it: a Go
     * module's "h1:BASE64" sum from the build info, a crate's SHA-256 hex from Cargo.lock. */
    const char *checksum;
} dd_package;

typedef struct dd_inventory dd_inventory;

typedef enum {
    DD_SCOPE_SQUASHED = 0, /* what a container sees */
    DD_SCOPE_ALL_LAYERS,   /* also packages an upper layer removed, marked removed */
} dd_catalog_scope;

typedef struct {
    dd_catalog_scope scope;
    unsigned pkg_types;    /* bit mask: 1u << dd_pkg_type; 0 = every type */
    int best_effort;       /* keep the packages read before a database turned out corrupt */
} dd_catalog_opts;

#define DD_CATALOG_OPTS_INIT {DD_SCOPE_SQUASHED, 0, 0}

/* Registers with the walk every capture the enabled catalogers need; call before dd_walk_run. */
int dd_catalog_register(dd_walk *w, const dd_catalog_opts *opts);

/* Runs every enabled cataloger over a finished walk. A corrupt database is listed with
 * dd_inventory_warning ("PATH:LINE: message", or an offset) and the packages read before the
 * damage are kept; the call then returns DD_EINVALID (the first problem as the error message)
 * unless opts->best_effort, when it returns DD_OK. On DD_OK and on DD_EINVALID `*out` is the
 * caller's inventory; on any other error it is NULL. */
int dd_catalog_run(dd_inventory **out, const dd_walk *w, const dd_catalog_opts *opts);

/* Parses a comma-separated list of package classes or purl types into a dd_catalog_opts
 * pkg_types mask: "os" (apk, deb, rpm), "library" (every language ecosystem), or a type name
 * ("deb", "apk", ...). DD_EINVALID naming the unknown word. */
int dd_catalog_parse_pkg_types(unsigned *out, const char *list);

/* The Package URL of `pkg` (purl specification, canonical form: percent-encoded segments,
 * qualifiers sorted by key): pkg:deb/debian/NAME@VERSION?arch=A&distro=debian-12[&upstream=S],
 * pkg:apk/alpine/NAME@V?arch=A&distro=alpine-3.20.3, pkg:rpm/NS/NAME@V-R?arch=A&distro=D
 * [&epoch=E]. `os` may be NULL. The caller frees `*out` with dd_free. DD_EINVALID when the
 * package has no name or version. */
int dd_package_purl(char **out, const dd_package *pkg, const dd_os_info *os);

/* True when `id` is an SPDX license or exception identifier (case-sensitive). */
int dd_spdx_license_valid(const char *id);

void dd_inventory_free(dd_inventory *inv);
/* The readers take NULL as an empty inventory (a scan that cataloged nothing). */
const dd_os_info *dd_inventory_os(const dd_inventory *inv); /* NULL when unknown */
/* Packages sorted by type, name, version, arch, db_path. */
size_t dd_inventory_count(const dd_inventory *inv);
const dd_package *dd_inventory_get(const dd_inventory *inv, size_t index);
size_t dd_inventory_warning_count(const dd_inventory *inv);
const char *dd_inventory_warning(const dd_inventory *inv, size_t index);

/* --- Package URLs read back (purl specification, "How to parse") --- */

typedef struct {
    const char *key;   /* lowercase */
    const char *value; /* percent-decoded, never empty */
} dd_purl_qualifier;

/* The parts of a purl, each percent-decoded. Only the type is normalised (lowercased): the
 * rules of particular types (pypi's "_" to "-", lowercased npm names) are left to the caller,
 * so a reader keeps names as the producer wrote them. Strings live as long as the dd_purl. */
typedef struct {
    const char *type;    /* "deb", "npm", ... */
    const char *ns;      /* namespace segments joined by "/" ("@babel", "org.apache.commons");
                            NULL when none */
    const char *name;
    const char *version; /* NULL when none */
    const dd_purl_qualifier *qualifiers; /* in the order written */
    size_t n_qualifiers;
    const char *subpath; /* segments joined by "/" without "." and ".."; NULL when none */
} dd_purl;

/* Parses `s` ("pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS#SUBPATH"). Leading slashes after
 * "pkg:" are skipped; an "@" counts as the version separator only in the last path segment, so
 * an unencoded npm scope ("pkg:npm/@babel/core") parses; qualifiers with an empty value are
 * dropped. DD_EINVALID with "purl \"S\": column N: what" (N counts bytes from 1) for a missing
 * scheme, type or name, a bad type or qualifier key, a repeated key, a bad or NUL
 * percent-escape, a raw control character, or a "/" decoded inside a segment; DD_ENOMEM. The
 * caller frees `*out` with dd_purl_free. */
int dd_purl_parse(dd_purl **out, const char *s);

/* The value of qualifier `key` (lowercase), NULL when `p` has none. */
const char *dd_purl_qualifier_get(const dd_purl *p, const char *key);

void dd_purl_free(dd_purl *p);

#ifdef __cplusplus
}
#endif

#endif
