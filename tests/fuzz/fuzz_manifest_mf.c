/* Fuzz target: the text metadata of Java archives, a MANIFEST.MF main section and a
 * pom.properties (the same bytes as both), and the archive file-name split on the first line. */
#include "catalog/java_int.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_arena *a;
    dd_java_manifest m;
    dd_java_pom p;
    const char *art, *ver, *nl = memchr(data, '\n', size);
    char name[256];
    size_t n = nl ? (size_t)(nl - (const char *)data) : size;

    if (dd_arena_new(&a) != DD_OK)
        return 0;
    (void)dd_java__parse_manifest(&m, a, "x.jar!META-INF/MANIFEST.MF", (const char *)data, size);
    (void)dd_java__parse_pom_properties(&p, a, "x.jar!META-INF/maven/g/a/pom.properties",
                                        (const char *)data, size);
    if (n >= sizeof(name))
        n = sizeof(name) - 1;
    memcpy(name, data, n);
    name[n] = 0;
    (void)dd_java__split_file_name(&art, &ver, a, name);
    dd_error_clear();
    dd_arena_free(a);
    return 0;
}
