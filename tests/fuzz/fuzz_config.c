/* Fuzzes the image config parser. */
#include "image/image_int.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_arena *a = NULL;
    dd_image_config cfg;

    if (dd_arena_new(&a) != DD_OK)
        return 0;
    if (dd_image__parse_config(&cfg, a, data, size, "fuzz") == DD_OK)
        (void)dd_image__config_platform(a, &cfg);
    dd_arena_free(a);
    dd_error_clear();
    return 0;
}
