/* Fuzz target: the ignore file (ids, exp: dates, purl patterns) applied to a small result. */
#include "suppress_fixture.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_scan_result *r = fuzz_result();

    /* 2024-06-01T12:00:00Z */
    (void)dd_scan_apply_ignorefile(r, "fuzz", (const char *)data, size, 1717243200);
    dd_scan_result_free(r);
    return 0;
}
