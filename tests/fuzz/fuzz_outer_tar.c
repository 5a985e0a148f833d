/* Fuzzes the outer tar index and, through it, a whole image open and layer read: the input is
 * the image tarball itself. */
#include "image/image_int.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_image_open_opts o = DD_IMAGE_OPEN_OPTS_INIT;
    dd_tarindex *t = NULL;
    dd_image *img = NULL;
    char path[64];
    bool not_tar;
    int fd = memfd_create("fuzz_outer_tar", MFD_CLOEXEC);

    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size)
        goto done;
    o.limits.max_entries = 4096;
    o.limits.max_layer_bytes = 8u << 20;
    o.limits.ratio_grace = 1u << 20;
    o.limits.max_blob_bytes = 1u << 20;
    if (dd_image__tarindex_open(&t, fd, "fuzz.tar", &o.limits, &not_tar) == DD_OK) {
        for (size_t i = 0; i < dd_image__tarindex_count(t); i++) {
            const dd_tar_member *m;

            (void)dd_image__tarindex_resolve(t, dd_image__tarindex_at(t, i)->name, &m);
        }
    }
    dd_image__tarindex_free(t);
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    if (dd_image_open(&img, path, &o) == DD_OK) {
        for (size_t i = 0; i < dd_image_layer_count(img); i++) {
            dd_layer_reader *r;

            if (dd_layer_reader_open(&r, img, i) == DD_OK) {
                (void)dd_layer_reader_drain(r);
                dd_layer_reader_free(r);
            }
        }
        dd_image_free(img);
    }
done:
    close(fd);
    dd_error_clear();
    return 0;
}
