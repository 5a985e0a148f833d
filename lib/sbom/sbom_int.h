/* What the SBOM writers share inside lib/sbom/. */
#ifndef DD_SBOM_INT_H
#define DD_SBOM_INT_H

#include <drydock/sbom.h>

#include "util/util.h"

#include <jansson.h>

/* How one license statement is written. */
typedef enum {
    DD_LIC_ID = 0,     /* an SPDX license id */
    DD_LIC_EXPRESSION, /* a valid SPDX expression of several ids */
    DD_LIC_NAME,       /* free text */
} dd_lic_kind;

dd_lic_kind dd_sbom__license_kind(const char *s);

/* "2024-01-02T03:04:05Z" */
void dd_sbom__timestamp(char out[32], int64_t t);

/* The document's stable identity: UUIDv5 of the subject digest, or of the purls. */
int dd_sbom__serial(char out[37], const dd_inventory *inv, const dd_sbom_subject *subject);

/* Appends json to `out` with two-space indentation and a final newline. */
int dd_sbom__dump(char **out, size_t *len, json_t *doc);

/* jansson setters that skip NULL strings. */
void dd_sbom__set_str(json_t *o, const char *key, const char *value);

/* The CycloneDX bom-ref of each package of `inv`, indexed like the inventory and ending in a
 * NULL: the purl (else the name), "#N" appended to the Nth repeat. Free with
 * dd_sbom__refs_free. NULL on ENOMEM. */
char **dd_sbom__cyclonedx_refs(const dd_inventory *inv);
void dd_sbom__refs_free(char **refs);

int dd_sbom__write_cyclonedx(json_t **out, const dd_inventory *inv, const dd_sbom_subject *subject,
                             const dd_sbom_opts *opts, const char *serial);
int dd_sbom__write_spdx(json_t **out, const dd_inventory *inv, const dd_sbom_subject *subject,
                        const dd_sbom_opts *opts, const char *serial);

#endif
