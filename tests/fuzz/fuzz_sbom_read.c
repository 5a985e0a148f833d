/* Fuzz target: the CycloneDX and SPDX readers; an inventory read is written back as CycloneDX
 * and read again. */
#include <drydock/sbom.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_inventory *inv = NULL, *again = NULL;
    dd_sbom_opts opts = DD_SBOM_OPTS_INIT;
    char *doc = NULL;
    size_t len;

    if (dd_sbom_read(&inv, "fuzz.json", (const char *)data, size) != DD_OK)
        return 0;
    for (size_t i = 0; i < dd_inventory_count(inv); i++) {
        const dd_package *p = dd_inventory_get(inv, i);

        /* every package has a name, a version and the purl it came from */
        if (!p->name || !p->version || !p->purl || strncasecmp(p->purl, "pkg:", 4) != 0)
            abort();
    }
    for (size_t i = 0; i < dd_inventory_warning_count(inv); i++)
        if (!dd_inventory_warning(inv, i))
            abort();
    if (dd_sbom_write(&doc, &len, inv, NULL, &opts) == DD_OK) {
        if (dd_sbom_read(&again, "again.json", doc, len) != DD_OK)
            abort(); /* drydock reads what it writes */
        if (dd_inventory_count(again) != dd_inventory_count(inv))
            abort();
        dd_inventory_free(again);
        dd_free(doc);
    }
    dd_inventory_free(inv);
    return 0;
}
