/* Fuzz target: Cargo.lock (the TOML subset of formats 1 to 4) and the packages' purls. */
#include "catalog/elf_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_pkglist l = {0};

    if (dd_arena_new(&l.arena) != DD_OK)
        return 0;
    (void)dd_rust__parse_lock(&l, "Cargo.lock", (const char *)data, size);
    for (size_t i = 0; i < l.n; i++) {
        char *purl = NULL;

        if (dd_package_purl(&purl, &l.v[i], NULL) == DD_OK)
            dd_free(purl);
    }
    dd_error_clear();
    dd_pkglist__dispose(&l);
    dd_arena_free(l.arena);
    return 0;
}
