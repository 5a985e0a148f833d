/* Fuzz target: os-release parsing. */
#include <drydock/catalog.h>

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_os_info *info = NULL;

    if (dd_os_release_parse(&info, (const char *)data, size) == DD_OK)
        dd_os_info_free(info);
    return 0;
}
