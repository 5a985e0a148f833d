/* Fuzz target: Gemfile.lock (GEM, GIT, PATH sections, platforms). */
#include "catalog/pkgfiles_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_pkglist l = {0};

    if (dd_arena_new(&l.arena) != DD_OK)
        return 0;
    (void)dd_ruby__parse_gemfile_lock(&l, "srv/app/Gemfile.lock", (const char *)data, size);
    for (size_t i = 0; i < l.n; i++) {
        char *purl = NULL;

        if (dd_package_purl(&purl, &l.v[i], NULL) == DD_OK)
            dd_free(purl);
    }
    dd_pkglist__dispose(&l);
    dd_arena_free(l.arena);
    return 0;
}
