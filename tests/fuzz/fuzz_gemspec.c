/* Fuzz target: a gemspec as RubyGems writes it into specifications/ (whole and as if cut by the
 * capture limit). */
#include "catalog/pkgfiles_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_pkglist l = {0};

    if (dd_arena_new(&l.arena) != DD_OK)
        return 0;
    (void)dd_ruby__parse_gemspec(&l, "specifications/x-1.0.gemspec", (const char *)data, size, 0);
    (void)dd_ruby__parse_gemspec(&l, "specifications/x-1.0.gemspec", (const char *)data, size, 1);
    for (size_t i = 0; i < l.n; i++) {
        char *purl = NULL;

        if (dd_package_purl(&purl, &l.v[i], NULL) == DD_OK)
            dd_free(purl);
    }
    dd_pkglist__dispose(&l);
    dd_arena_free(l.arena);
    return 0;
}
