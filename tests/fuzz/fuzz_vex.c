/* Fuzz target: OpenVEX and CycloneDX VEX documents applied to a small result. */
#include "suppress_fixture.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_scan_result *r = fuzz_result();

    (void)dd_scan_apply_vex(r, "fuzz", (const char *)data, size);
    dd_scan_result_free(r);
    return 0;
}
