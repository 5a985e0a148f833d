/* Fuzz target: Debian copyright files and license short names. */
#include "catalog/catalog_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_arena *a;
    const char **v;
    size_t n;

    if (dd_arena_new(&a) != DD_OK)
        return 0;
    (void)dd_copyright__licenses(&v, &n, a, (const char *)data, size);
    (void)dd_license__spdx((const char *)data, size);
    dd_arena_free(a);
    return 0;
}
