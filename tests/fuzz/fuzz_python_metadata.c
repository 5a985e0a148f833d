/* Fuzz target: Python core metadata (METADATA, PKG-INFO), whole and as if cut by the capture
 * limit, and the same bytes as a RECORD and an installed-files.txt. */
#include "catalog/lang_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_pkglist l = {0};
    const char **files;
    size_t n;

    if (dd_arena_new(&l.arena) != DD_OK)
        return 0;
    (void)dd_python__parse_metadata(&l, "x.dist-info/METADATA", (const char *)data, size, 0);
    (void)dd_python__parse_metadata(&l, "x.dist-info/METADATA", (const char *)data, size, 1);
    for (size_t i = 0; i < l.n; i++) {
        char *purl = NULL;

        if (dd_lang__purl(&purl, l.v[i].type, l.v[i].name, l.v[i].version) == DD_OK)
            dd_free(purl);
    }
    (void)dd_python__parse_record(&files, &n, l.arena, "usr/lib/python3/dist-packages",
                                  (const char *)data, size, 1);
    (void)dd_python__parse_record(&files, &n, l.arena, "", (const char *)data, size, 0);
    dd_pkglist__dispose(&l);
    dd_arena_free(l.arena);
    return 0;
}
