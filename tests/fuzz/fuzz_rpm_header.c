/* Fuzz target: the rpm header blob parser, with the file list built. */
#include "catalog/rpm_int.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_arena *arena;
    dd_rpm_header h;

    if (dd_arena_new(&arena) != DD_OK)
        return 0;
    if (dd_rpm__header_parse(&h, arena, data, size, 1) == DD_OK) {
        /* touch every string so the sanitizers see a bad pointer */
        size_t n = strlen(h.name);

        for (size_t i = 0; i < h.n_files; i++)
            n += strlen(h.files[i]);
        (void)n;
    }
    dd_arena_free(arena);
    return 0;
}
