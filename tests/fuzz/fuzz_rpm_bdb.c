/* Fuzz target: the rpm Berkeley DB hash reader, each record parsed as a header. */
#include "catalog/rpm_int.h"

static int parse_record(const uint8_t *blob, size_t len, uint32_t hdrnum, void *payload)
{
    dd_arena *arena;
    dd_rpm_header h;

    (void)hdrnum;
    (void)payload;
    if (dd_arena_new(&arena) != DD_OK)
        return DD_ENOMEM;
    (void)dd_rpm__header_parse(&h, arena, blob, len, 1);
    dd_arena_free(arena);
    return DD_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)dd_rpm__bdb_each(data, size, "fuzz", parse_record, NULL);
    return 0;
}
