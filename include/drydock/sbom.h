/* SBOM writers over an inventory: CycloneDX 1.6 JSON and SPDX 2.3 JSON, byte-for-byte
 * deterministic for the same inventory, subject and options. */
#ifndef DRYDOCK_SBOM_H
#define DRYDOCK_SBOM_H

#include <drydock/catalog.h>
#include <drydock/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    DD_SBOM_CYCLONEDX = 0, /* CycloneDX 1.6 JSON */
    DD_SBOM_SPDX_JSON,     /* SPDX 2.3 JSON */
} dd_sbom_format;

/* "cyclonedx", "spdx-json". */
const char *dd_sbom_format_name(dd_sbom_format f);

/* Per layer of the image the inventory was read from; every string may be NULL. */
typedef struct dd_sbom_layer {
    const char *digest;  /* compressed blob digest */
    const char *diff_id; /* digest of the uncompressed tar */
} dd_sbom_layer;

/* What the SBOM describes. Borrowed for the duration of the call. */
typedef struct dd_sbom_subject {
    const char *name;    /* image name: its first tag or ref name, else the path it came from */
    const char *digest;  /* manifest digest, else config digest; NULL for a directory */
    const char *config_digest;
    const char *platform;
    const dd_sbom_layer *layers; /* indexed by dd_package.layer */
    size_t n_layers;
} dd_sbom_subject;

typedef struct {
    dd_sbom_format format;
    int64_t timestamp; /* seconds since the epoch for metadata.timestamp / created (the CLI passes
                          SOURCE_DATE_EPOCH when set, else the current time) */
    const char *tool_version; /* NULL = dd_version() */
} dd_sbom_opts;

#define DD_SBOM_OPTS_INIT {DD_SBOM_CYCLONEDX, 0, NULL}

/* Writes the SBOM of `inv` as one JSON document ending in "\n" into `*out` (`*len` bytes,
 * NUL-terminated; the caller frees it with dd_free). The serial number (CycloneDX) and the
 * document namespace (SPDX) are UUIDv5 values of the subject's digest, or, for a subject
 * without one, of the packages' purls, so the same input gives the same bytes.
 * DD_EINVALID for an unknown format, DD_ENOMEM. */
int dd_sbom_write(char **out, size_t *len, const dd_inventory *inv, const dd_sbom_subject *subject,
                  const dd_sbom_opts *opts);

/* The RFC 4122 version 5 (SHA-1) UUID of `name` in namespace `ns` (16 bytes), as 36 characters
 * and a NUL. */
void dd_sbom_uuid5(char out[37], const unsigned char ns[16], const char *name, size_t len);

/* Reads a CycloneDX (1.2-1.7) or SPDX 2.2/2.3 JSON document (`path` names it in messages) into
 * an inventory: one package per component/package with a purl of a type drydock knows (deb, apk,
 * rpm, npm, pypi, golang, maven, gem, cargo, composer, nuget); others are counted and skipped
 * (one warning says how many of each). The distro comes from the operating-system component
 * (CycloneDX) or the purls' distro qualifier, else is inferred from the purls (namespace and
 * version markers such as "+deb11u", "~deb12", ".el9", "-r0" with apk); every inference is
 * recorded as an inventory warning starting "inferred: ". Each package keeps its original purl.
 * DD_EINVALID "PATH: ..." for a document that is neither, or malformed JSON (with line/column
 * from jansson); DD_EUNSUPPORTED for another version of either (SPDX 3 JSON-LD included);
 * DD_ELIMIT past 512 MiB, 4 Mi components or 64 levels of nested components; DD_ENOMEM. On
 * DD_OK the caller frees `*out` with dd_inventory_free. */
int dd_sbom_read(dd_inventory **out, const char *path, const char *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif
