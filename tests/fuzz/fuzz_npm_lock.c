/* Fuzz target: package-lock.json / npm-shrinkwrap.json, lockfileVersion 1, 2 and 3. */
#include "catalog/lang_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_pkglist l = {0};

    if (dd_arena_new(&l.arena) != DD_OK)
        return 0;
    (void)dd_npm__parse_lock(&l, "srv/app/package-lock.json", "srv/app", (const char *)data, size);
    for (size_t i = 0; i < l.n; i++) {
        char *purl = NULL;

        if (dd_lang__purl(&purl, DD_PKG_NPM, l.v[i].name, l.v[i].version) == DD_OK)
            dd_free(purl);
    }
    dd_pkglist__dispose(&l);
    dd_arena_free(l.arena);
    return 0;
}
