/* Fuzz target: yarn.lock (yarn 1 and yarn 2+ forms), with and without a package.json whose
 * dependencies mark development packages. */
#include "catalog/lang_int.h"

static const char manifest[] = "{\"dependencies\": {\"express\": \"4.18.2\", \"ms\": \"npm:^2\"}, "
                               "\"devDependencies\": {\"debug\": \"^4.3.4\"}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_pkglist l = {0};
    dd_npm_manifest root;

    if (dd_arena_new(&l.arena) != DD_OK)
        return 0;
    (void)dd_npm__parse_yarn(&l, "yarn.lock", (const char *)data, size, NULL);
    if (dd_npm__parse_manifest(&root, l.arena, "package.json", manifest, sizeof(manifest) - 1) ==
        DD_OK)
        (void)dd_npm__parse_yarn(&l, "yarn.lock", (const char *)data, size, &root);
    for (size_t i = 0; i < l.n; i++) {
        char *purl = NULL;

        if (dd_lang__purl(&purl, DD_PKG_NPM, l.v[i].name, l.v[i].version) == DD_OK)
            dd_free(purl);
    }
    dd_pkglist__dispose(&l);
    dd_arena_free(l.arena);
    return 0;
}
