/* Opening and walking the IMAGE argument, shared by the commands that read images. */
#include "cli.h"

#include <drydock/catalog.h>
#include <drydock/image.h>
#include <drydock/sbom.h>
#include <drydock/walk.h>

#include <stdlib.h>

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

int dd_cli_sbom_subject(struct dd_sbom_subject *subject, struct dd_sbom_layer **layers,
                        const struct dd_image *img)
{
    const dd_image_identity *id = dd_image_identity_get(img);

    *layers = NULL;
    subject->name = id->n_tags ? id->tags[0] : id->path;
    subject->digest = id->manifest_digest ? id->manifest_digest : id->config_digest;
    subject->config_digest = id->config_digest;
    subject->platform = id->platform;
    subject->n_layers = dd_image_layer_count(img);
    if (subject->n_layers && !(*layers = calloc(subject->n_layers, sizeof(**layers)))) {
        dd_cli_error("out of memory");
        return DD_EXIT_USAGE;
    }
    for (size_t i = 0; i < subject->n_layers; i++) {
        (*layers)[i].digest = dd_image_layer(img, i)->digest;
        (*layers)[i].diff_id = dd_image_layer(img, i)->diff_id;
    }
    subject->layers = *layers;
    return 0;
}
