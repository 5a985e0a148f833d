/* Opening and walking the IMAGE argument, shared by the commands that read images. */
#include "cli.h"

#include <drydock/catalog.h>
#include <drydock/image.h>
#include <drydock/walk.h>

int dd_cli_image_walk(dd_image **img_out, dd_walk **walk_out, const char *ref, const char *tag,
                      const char *platform, int (*prepare)(dd_walk *w, const void *payload),
                      const void *payload)
{
    dd_image_open_opts iopts = DD_IMAGE_OPEN_OPTS_INIT;
    dd_walk_opts wopts = DD_WALK_OPTS_INIT;
    dd_image *img = NULL;
    dd_walk *walk = NULL;

    *img_out = NULL;
    *walk_out = NULL;
    iopts.tag = tag;
    iopts.platform = platform;
    if (dd_image_open(&img, ref, &iopts) != DD_OK)
        return dd_cli_fail();
    wopts.limits = *dd_image_limits(img);
    if (dd_walk_new(&walk, &wopts) != DD_OK || (prepare && prepare(walk, payload) != DD_OK) ||
        dd_walk_run(walk, img) != DD_OK) {
        int rc = dd_cli_fail();

        dd_walk_free(walk);
        dd_image_free(img);
        return rc;
    }
    *img_out = img;
    *walk_out = walk;
    return 0;
}

int dd_cli_prepare_catalog(struct dd_walk *w, const void *catalog_opts)
{
    /* the catalogers read only the files they capture: a directory root skips the rest */
    dd_walk_set_captures_only(w, 1);
    return dd_catalog_register(w, catalog_opts);
}
