/* dd_walk_run: the image's layer readers (or its rootfs directory) as the walk's source. Kept
 * apart so that the rest of the module links without the image module. */
#include "walk/walk_int.h"

static int img_open(void *payload, size_t index, void **reader)
{
    return dd_layer_reader_open((dd_layer_reader **)reader, payload, index);
}

static int img_read(void *reader, const void **buf, size_t *len)
{
    return dd_layer_reader_read(reader, buf, len);
}

static int img_drain(void *reader)
{
    return dd_layer_reader_drain(reader);
}

static void img_close(void *reader, uint64_t *compressed, uint64_t *uncompressed)
{
    if (!reader)
        return;
    *compressed = dd_layer_reader_compressed_bytes(reader);
    *uncompressed = dd_layer_reader_uncompressed_bytes(reader);
    dd_layer_reader_free(reader);
}

static const char *img_digest(void *payload, size_t index)
{
    const dd_layer_desc *d = dd_image_layer(payload, index);

    if (!d)
        return NULL;
    return d->digest ? d->digest : d->diff_id;
}

/* The stricter of the walk's limits and the image's. */
static void tighten(dd_limits *l, const dd_limits *img)
{
#define DD_TIGHTEN(f)                                                                              \
    if (img->f && img->f < l->f)                                                                   \
    l->f = img->f
    DD_TIGHTEN(max_entries);
    DD_TIGHTEN(max_image_bytes);
    DD_TIGHTEN(max_capture_bytes);
    DD_TIGHTEN(max_path_len);
    DD_TIGHTEN(max_path_depth);
    DD_TIGHTEN(max_layers);
    DD_TIGHTEN(max_symlink_hops);
#undef DD_TIGHTEN
}

int dd_walk_run(dd_walk *w, dd_image *img)
{
    const dd_image_identity *id = dd_image_identity_get(img);
    const dd_limits *lim = dd_image_limits(img);
    const char *name = id && id->path ? id->path : "image";
    const char *dir = dd_image_rootfs_dir(img);
    dd_walk__source src = {.name = name,
                           .n_layers = dd_image_layer_count(img),
                           .open = img_open,
                           .read = img_read,
                           .drain = img_drain,
                           .close = img_close,
                           .digest = img_digest,
                           .payload = img};

    if (lim)
        tighten(&w->opts.limits, lim);
    for (size_t i = 0; i < w->n_captures; i++)
        if (w->captures[i].max_bytes > w->opts.limits.max_capture_bytes)
            w->captures[i].max_bytes = w->opts.limits.max_capture_bytes;
    if (dir)
        return dd_walk__run_rootfs(w, dir, name);
    return dd_walk__run_source(w, &src);
}
