/* Fuzz target: the dpkg status parser (status file and status.d form) and file lists. */
#include "catalog/catalog_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_pkglist l = {0};
    const char **files;
    size_t n;

    if (dd_arena_new(&l.arena) != DD_OK)
        return 0;
    (void)dd_dpkg__parse_status(&l, "var/lib/dpkg/status", (const char *)data, size, 0);
    (void)dd_dpkg__parse_status(&l, "var/lib/dpkg/status.d/x", (const char *)data, size, 1);
    for (size_t i = 0; i < l.n; i++) {
        char *purl = NULL;

        if (dd_package_purl(&purl, &l.v[i], NULL) == DD_OK)
            dd_free(purl);
    }
    (void)dd_dpkg__parse_filelist(&files, &n, l.arena, (const char *)data, size, 0);
    (void)dd_dpkg__parse_filelist(&files, &n, l.arena, (const char *)data, size, 1);
    dd_pkglist__dispose(&l);
    dd_arena_free(l.arena);
    return 0;
}
