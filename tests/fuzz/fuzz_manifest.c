/* Fuzzes the OCI/Docker schema2 manifest parser and the docker-archive manifest.json parser. */
#include "image/image_int.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_limits lim = DD_LIMITS_INIT;
    dd_arena *a = NULL;
    dd_image__desc config;
    dd_image__desc_list layers;
    dd_image__docker_entry *entries;
    size_t n;

    if (dd_arena_new(&a) != DD_OK)
        return 0;
    (void)dd_image__parse_manifest(&config, &layers, a, data, size, "fuzz", &lim);
    (void)dd_image__parse_docker_manifest(&entries, &n, a, data, size, "fuzz", &lim);
    (void)dd_image__sniff_kind(data, size);
    dd_arena_free(a);
    dd_error_clear();
    return 0;
}
