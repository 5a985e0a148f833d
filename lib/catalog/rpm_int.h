/* What the rpm cataloger's files share: the header blob parser and the three database readers. */
#ifndef DD_RPM_INT_H
#define DD_RPM_INT_H

#include "catalog/catalog_int.h"

#include <stddef.h>
#include <stdint.h>

/* Bounds rpm itself puts on one header (lib/header.c hdrchkTags / hdrchkData). */
#define DD_RPM_MAX_INDEX_ENTRIES 0xffffu
#define DD_RPM_MAX_DATA_BYTES    (16u << 20)
/* A header blob can be no larger than its index and data store together. */
#define DD_RPM_MAX_BLOB_BYTES (8u + 16u * DD_RPM_MAX_INDEX_ENTRIES + DD_RPM_MAX_DATA_BYTES)

/* Header tags the cataloger reads. */
enum {
    DD_RPMTAG_NAME = 1000,
    DD_RPMTAG_VERSION = 1001,
    DD_RPMTAG_RELEASE = 1002,
    DD_RPMTAG_EPOCH = 1003,
    DD_RPMTAG_SIZE = 1009,
    DD_RPMTAG_VENDOR = 1011,
    DD_RPMTAG_LICENSE = 1014,
    DD_RPMTAG_ARCH = 1022,
    DD_RPMTAG_OLDFILENAMES = 1027,
    DD_RPMTAG_SOURCERPM = 1044,
    DD_RPMTAG_DIRINDEXES = 1116,
    DD_RPMTAG_BASENAMES = 1117,
    DD_RPMTAG_DIRNAMES = 1118,
    DD_RPMTAG_LONGSIZE = 5009,
};

/* The fields of one installed package's header. Strings are NUL-terminated copies in the
 * arena given to dd_rpm__header_parse; NULL when the header lacks the tag. */
typedef struct {
    const char *name, *version, *release, *arch, *sourcerpm, *license, *vendor;
    uint32_t epoch;
    int has_epoch;
    uint64_t size;
    int has_size;
    const char **files; /* image-root relative ("usr/bin/x"), NULL when not asked for */
    size_t n_files;
} dd_rpm_header;

/* Parses a header blob as rpm stores it in its database (the "il dl index data" image, without
 * the 8-byte magic of a package file's header; a leading magic is accepted and skipped). Every
 * offset and count is checked against `len`. With `want_files`, the file list is built from
 * BASENAMES/DIRNAMES/DIRINDEXES or the old FILENAMES. Returns DD_OK, DD_EINVALID with a message
 * naming the blob offset (the caller prefixes the database path and record), DD_ELIMIT, or
 * DD_ENOMEM. */
int dd_rpm__header_parse(dd_rpm_header *out, dd_arena *arena, const uint8_t *blob, size_t len,
                         int want_files);

/* Called with each package header blob of a database, with the record's key (rpm's header
 * number). The blob is borrowed for the call only. A non-zero return stops the reader, which
 * returns that code. */
typedef int (*dd_rpm_blob_cb)(const uint8_t *blob, size_t len, uint32_t hdrnum, void *payload);

/* The three database readers. Each reads the whole database from memory, read-only, and calls
 * `cb` for every package record in database order. `path` names the database in messages.
 * A corrupt database returns DD_EINVALID ("PATH: offset N: ...") after the records read so far
 * were delivered; DD_ELIMIT, DD_ENOMEM, or the callback's code. */
int dd_rpm__sqlite_each(const uint8_t *data, size_t len, const char *path, dd_rpm_blob_cb cb,
                        void *payload);
int dd_rpm__bdb_each(const uint8_t *data, size_t len, const char *path, dd_rpm_blob_cb cb,
                     void *payload);
int dd_rpm__ndb_each(const uint8_t *data, size_t len, const char *path, dd_rpm_blob_cb cb,
                     void *payload);

/* The format a database file's first bytes announce. */
typedef enum {
    DD_RPMDB_UNKNOWN = 0,
    DD_RPMDB_SQLITE,
    DD_RPMDB_BDB,
    DD_RPMDB_NDB,
} dd_rpmdb_format;

dd_rpmdb_format dd_rpm__detect(const uint8_t *data, size_t len);

/* Reads any of the three formats (by its magic). DD_EUNSUPPORTED for an unknown format. */
int dd_rpm__db_each(const uint8_t *data, size_t len, const char *path, dd_rpm_blob_cb cb,
                    void *payload);

/* Splits a source rpm file name "NAME-VERSION-RELEASE.src.rpm" into its name and
 * "VERSION-RELEASE". Returns 0 and sets the (name, name_len, vr, vr_len) spans inside `srpm`, or
 * -1 when the name does not have that shape. */
int dd_rpm__split_srpm(const char *srpm, size_t *name_len, const char **vr, size_t *vr_len);

#endif
