/* Fuzzes the OCI image index / Docker manifest list parser and tag/platform matching. */
#include "image/image_int.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_arena *a = NULL;
    dd_image__desc_list list;

    if (dd_arena_new(&a) != DD_OK)
        return 0;
    if (dd_image__parse_index(&list, a, data, size, "fuzz") == DD_OK) {
        for (size_t i = 0; i < list.n; i++) {
            const dd_image__desc *d = &list.items[i];

            (void)dd_image__media_kind(d->media_type);
            (void)dd_image__platform_matches(d->platform, "linux/arm64/v8");
            if (d->ref_name)
                (void)dd_image__tag_matches(d->ref_name, "app:1.0");
        }
    }
    dd_arena_free(a);
    dd_error_clear();
    return 0;
}
