/* Fuzz target: the npm package.json reader. */
#include "catalog/lang_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_arena *a = NULL;
    dd_npm_manifest m;

    if (dd_arena_new(&a) != DD_OK)
        return 0;
    if (dd_npm__parse_manifest(&m, a, "node_modules/x/package.json", (const char *)data, size) ==
            DD_OK &&
        m.name && m.version) {
        char *purl = NULL;

        if (dd_lang__purl(&purl, DD_PKG_NPM, m.name, m.version) == DD_OK)
            dd_free(purl);
    }
    dd_arena_free(a);
    return 0;
}
