/* What the Java cataloger (java.c) exposes to its tests and fuzz targets: the readers of
 * MANIFEST.MF, pom.properties, archive file names and whole archives held in memory. */
#ifndef DD_JAVA_INT_H
#define DD_JAVA_INT_H

#include "catalog/lang_int.h"

/* Bounds on reading one archive file of the image and everything nested in it. */
typedef struct {
    unsigned max_depth;        /* archives nested below the file (BOOT-INF/lib/x.jar is 1) */
    uint64_t max_nested_bytes; /* bytes of one nested archive */
    uint64_t budget_base;      /* bytes inflated from one file, all depths together, may not */
    uint32_t budget_factor;    /*   exceed budget_base + budget_factor x the file's size */
    uint64_t max_entries;      /* zip entries of one file, all depths together */
    unsigned max_warnings;     /* per file; the next problem is summarised in one more */
    uint64_t max_listed_bytes; /* names, versions and paths of the packages of one file */
} dd_java_limits;

#define DD_JAVA_LIMITS_INIT {4, 64u << 20, 16u << 20, 4, 1u << 20, 16, 4u << 20}

/* Receives one warning ("PATH: message"); a non-DD_OK return ends the reading with it. */
typedef int (*dd_java_warn_fn)(const char *message, void *payload);

/* Reads the Java archive (jar, war, ear, hpi, jpi: a zip) `path`, its `len` bytes at `data`,
 * and the archives nested in it, depth first, up to lim->max_depth, with libarchive (through
 * the central directory; by the local headers in order when there is none). Each archive
 * gives its packages into `out` (strings in out->arena; type maven, path = the archive,
 * "FILE!NESTED!NESTED" below the file, db_path = `path`): one per
 * META-INF/maven/.../pom.properties with groupId, artifactId and version; without any, one from
 * the main section of META-INF/MANIFEST.MF when it states a version; else one from the file
 * name ("name-1.2.jar") when it holds a version. Damage (not a zip, a bad entry, a malformed
 * manifest or pom.properties, a limit reached, a nested archive identical to one that contains
 * it) goes to `warn`, and the reading goes on with what is left. Returns DD_OK, DD_ENOMEM or
 * the callback's code. */
int dd_java__parse_archive(dd_pkglist *out, const char *path, const void *data, size_t len,
                           const dd_java_limits *lim, dd_java_warn_fn warn, void *payload);

/* The same reading of a file whose bytes come in order, in pieces, as a walk extractor gets
 * them, without holding it: its local headers are parsed as they go by, the data of
 * MANIFEST.MF, pom.properties and nested archives decompressed (isa-l) and kept (each up to
 * its cap), the rest passed over (inflated through only when no size says where it ends).
 * Nested archives are then read from memory as dd_java__parse_archive does. `preamble`: bytes
 * (a launch script) may come before the first local header. */
typedef struct dd_java_stream dd_java_stream;

int dd_java__stream_new(dd_java_stream **out, const char *path, uint64_t size, int preamble,
                        const dd_java_limits *lim);

/* Hands over `len` bytes at file offset `offset` (the first call 0, each next one where
 * `*next` said or before it). `*next`: the offset of the next byte it wants (past data it
 * passes over), UINT64_MAX when it wants no more. DD_OK or DD_ENOMEM; damage is recorded. */
int dd_java__stream_feed(dd_java_stream *s, uint64_t offset, const void *data, size_t len,
                         uint64_t *next);

/* Ends the reading: `*extract` (owned by `s`) is the records of what was found, the warnings
 * in order, then the packages. DD_OK or DD_ENOMEM. */
int dd_java__stream_finish(dd_java_stream *s, const void **extract, size_t *len);

void dd_java__stream_free(dd_java_stream *s);

/* One record of an extract: a package (name, version, path of `path_len` bytes, the path not
 * NUL-terminated) or a warning (`warning`, `path_len` bytes; the others NULL). */
typedef int (*dd_java_record_fn)(const char *name, const char *version, const char *path,
                                 const char *warning, size_t path_len, void *payload);

/* Calls `fn` for every record of an extract, in order. DD_EINVALID for a malformed extract, or
 * the callback's code. */
int dd_java__extract_decode(const void *extract, size_t len, dd_java_record_fn fn,
                            void *payload);

/* The attributes of a manifest's main section that name the archive; NULL when absent. */
typedef struct {
    const char *impl_title, *impl_version, *impl_vendor_id;
    const char *spec_title, *spec_version;
    const char *bundle_name, *bundle_symbolic_name, *bundle_version;
} dd_java_manifest;

/* Parses the main section of a MANIFEST.MF (JAR File Specification: "Name: value" lines ended
 * by CR LF, LF or CR, continuation lines starting with one space, names compared without
 * case, the last of repeated names kept) up to its first empty line. A value that is not
 * UTF-8 is left NULL. DD_EINVALID with "PATH:LINE: message" for a line that is no header, a
 * header name that is not 1 to 70 of [A-Za-z0-9_-], a continuation line first, a NUL byte. */
int dd_java__parse_manifest(dd_java_manifest *out, dd_arena *a, const char *path,
                            const char *data, size_t len);

typedef struct {
    const char *group_id, *artifact_id, *version; /* NULL when absent or empty */
} dd_java_pom;

/* Parses a pom.properties as java.util.Properties.load reads a byte stream (ISO 8859-1,
 * converted to UTF-8; "#" and "!" comments; key and value split at the first unescaped "=",
 * ":" or white space; backslash escapes and line continuations), keeping groupId, artifactId
 * and version (the last of each). DD_EINVALID with "PATH:LINE: message" for a malformed
 * \uXXXX escape, as Java rejects it. */
int dd_java__parse_pom_properties(dd_java_pom *out, dd_arena *a, const char *path,
                                  const char *data, size_t len);

/* Splits the base name of an archive ("guava-31.1-jre.jar") at the last "-" followed by a
 * digit into artifact ("guava") and version ("31.1-jre"), the extension removed; without
 * such a "-", the artifact is the name without extension and the version NULL. Strings in
 * `a`; DD_ENOMEM. */
int dd_java__split_file_name(const char **artifact, const char **version, dd_arena *a,
                             const char *base);

#endif
