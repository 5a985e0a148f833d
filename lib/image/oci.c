/* OCI image layouts, as a directory or a tarball: index walk, selection, manifest, config. */
#include "image/image_int.h"

#include <jansson.h>
#include <string.h>

#define MAX_DESCRIPTORS 65536u /* descriptors visited in one walk of nested indexes */

typedef struct {
    dd_image__desc desc;      /* the manifest's descriptor */
    const char **tags;        /* ref names of this manifest and of the indexes above it */
    size_t n_tags, alloc_tags;
    const char *platform;     /* from the descriptor, or from the config when needed */
} candidate;

typedef struct {
    dd_image *img;
    candidate *c;
    size_t n, alloc;
    const char *stack[64]; /* digests of the indexes being walked, to catch cycles */
    size_t depth;
    size_t visited;
} walk_ctx;

static int add_tag(candidate *c, const char *t)
{
    const char **nt;

    if (!t)
        return DD_OK;
    for (size_t i = 0; i < c->n_tags; i++)
        if (strcmp(c->tags[i], t) == 0)
            return DD_OK;
    if (c->n_tags + 1 >= c->alloc_tags) {
        size_t na = c->alloc_tags ? c->alloc_tags * 2 : 4;

        if (!(nt = dd_realloc(c->tags, na * sizeof(*nt))))
            return dd_error_set(DD_ENOMEM, "out of memory");
        c->tags = nt;
        c->alloc_tags = na;
    }
    c->tags[c->n_tags++] = t;
    c->tags[c->n_tags] = NULL;
    return DD_OK;
}

static int add_candidate(walk_ctx *w, const dd_image__desc *d, const char *const *inherited,
                         size_t n_inherited)
{
    candidate *c = NULL;
    int rc;

    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->c[i].desc.digest, d->digest) == 0) {
            c = &w->c[i]; /* one manifest named twice: merge the names */
            break;
        }
    if (!c) {
        if ((rc = DD_ARRAY_RESERVE(w->c, w->alloc, w->n + 1, sizeof(*w->c),
                                   8)) != DD_OK)
            return rc;
        c = &w->c[w->n++];
        memset(c, 0, sizeof(*c));
        c->desc = *d;
        c->platform = d->platform;
    }
    if ((rc = add_tag(c, d->ref_name)) != DD_OK || (rc = add_tag(c, d->image_name)) != DD_OK)
        return rc;
    for (size_t i = 0; i < n_inherited; i++)
        if ((rc = add_tag(c, inherited[i])) != DD_OK)
            return rc;
    return DD_OK;
}

static int walk_index(walk_ctx *w, const dd_image__desc_list *list, const char *const *inherited,
                      size_t n_inherited)
{
    dd_image *img = w->img;
    dd_buf doc = DD_BUF_INIT;
    int rc = DD_OK;

    for (size_t i = 0; i < list->n; i++) {
        const dd_image__desc *d = &list->items[i];
        dd_image__doc_kind kind = dd_image__media_kind(d->media_type);
        dd_image__desc_list sub;
        const char *name, *tags[66];
        size_t n_tags = 0;

        if (++w->visited > MAX_DESCRIPTORS) {
            rc = dd_error_set(DD_ELIMIT, "%s: index.json: more than %u descriptors in nested "
                              "indexes", img->id.path, MAX_DESCRIPTORS);
            goto done;
        }
        if (d->media_type && kind == DD_DOC_UNKNOWN)
            continue; /* an artifact, a signature: not an image */
        if (d->attestation)
            continue;
        if ((rc = dd_image__blob_path(img, d->digest, &name)) != DD_OK)
            goto done;
        if (kind == DD_DOC_UNKNOWN) {
            if ((rc = dd_image__read_verified(img, name, d->digest, d->size, "manifest", &doc)) !=
                DD_OK)
                goto done;
            kind = dd_image__sniff_kind(doc.data, doc.len);
            if (kind == DD_DOC_UNKNOWN)
                continue;
        }
        if (kind == DD_DOC_MANIFEST) {
            if ((rc = add_candidate(w, d, inherited, n_inherited)) != DD_OK)
                goto done;
            continue;
        }
        /* a nested index */
        for (size_t k = 0; k < w->depth; k++)
            if (strcmp(w->stack[k], d->digest) == 0) {
                rc = dd_error_set(DD_EINVALID, "%s: index %s refers to itself", img->id.path,
                                  d->digest);
                goto done;
            }
        if (w->depth + 1 > img->limits.max_manifest_depth ||
            w->depth + 1 >= DD_ARRAY_SIZE(w->stack)) {
            rc = dd_error_set(DD_ELIMIT, "%s: index %s: indexes nested deeper than %u",
                              img->id.path, d->digest, img->limits.max_manifest_depth);
            goto done;
        }
        if ((rc = dd_image__read_verified(img, name, d->digest, d->size, "index", &doc)) !=
            DD_OK)
            goto done;
        {
            dd_buf what = DD_BUF_INIT;

            rc = dd_buf_printf(&what, "%s: index %s", img->id.path, name);
            if (rc == DD_OK)
                rc = dd_image__parse_index(&sub, img->arena, doc.data, doc.len, what.data);
            dd_buf_dispose(&what);
            if (rc != DD_OK)
                goto done;
        }
        for (size_t k = 0; k < n_inherited && n_tags < 64; k++)
            tags[n_tags++] = inherited[k];
        if (d->ref_name)
            tags[n_tags++] = d->ref_name;
        if (d->image_name)
            tags[n_tags++] = d->image_name;
        w->stack[w->depth++] = d->digest;
        rc = walk_index(w, &sub, tags, n_tags);
        w->depth--;
        if (rc != DD_OK)
            goto done;
    }
done:
    dd_buf_dispose(&doc);
    return rc;
}

/* Reads and verifies a manifest and its config; fills `cfg` (strings in `a`). */
static int load_manifest(dd_image *img, const dd_image__desc *md, dd_arena *a,
                         dd_image__desc *config_desc, dd_image__desc_list *layers,
                         dd_image_config *cfg)
{
    dd_buf doc = DD_BUF_INIT, what = DD_BUF_INIT;
    const char *name;
    int rc;

    if ((rc = dd_image__blob_path(img, md->digest, &name)) != DD_OK ||
        (rc = dd_image__read_verified(img, name, md->digest, md->size, "manifest", &doc)) !=
            DD_OK ||
        (rc = dd_buf_printf(&what, "%s: manifest %s", img->id.path, name)) != DD_OK ||
        (rc = dd_image__parse_manifest(config_desc, layers, a, doc.data, doc.len, what.data,
                                       &img->limits)) != DD_OK)
        goto done;
    dd_buf_clear(&what);
    if ((rc = dd_image__blob_path(img, config_desc->digest, &name)) != DD_OK ||
        (rc = dd_image__read_verified(img, name, config_desc->digest, config_desc->size,
                                      "config", &doc)) != DD_OK ||
        (rc = dd_buf_printf(&what, "%s: config %s", img->id.path, name)) != DD_OK ||
        (rc = dd_image__parse_config(cfg, a, doc.data, doc.len, what.data)) != DD_OK)
        goto done;
done:
    dd_buf_dispose(&doc);
    dd_buf_dispose(&what);
    return rc;
}

/* Platforms that descriptors leave out come from the configs, read only when they matter. */
static int resolve_platform(dd_image *img, candidate *c)
{
    dd_image__desc cd;
    dd_image__desc_list ld;
    dd_image_config cfg;
    int rc;

    if (c->platform)
        return DD_OK;
    if ((rc = load_manifest(img, &c->desc, img->arena, &cd, &ld, &cfg)) != DD_OK)
        return rc;
    c->platform = dd_image__config_platform(img->arena, &cfg);
    return DD_OK;
}

static int describe(dd_buf *b, const candidate *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int rc = dd_buf_printf(b, "%s%s %s", i ? ", " : "",
                               c[i].n_tags ? c[i].tags[0] : "<untagged>",
                               c[i].platform ? c[i].platform : "unknown-platform");
        if (rc != DD_OK)
            return rc;
        for (size_t k = 1; k < c[i].n_tags; k++)
            if ((rc = dd_buf_printf(b, " (also %s)", c[i].tags[k])) != DD_OK)
                return rc;
    }
    return DD_OK;
}

static bool has_tag(const candidate *c, const char *tag)
{
    for (size_t i = 0; i < c->n_tags; i++)
        if (dd_image__tag_matches(c->tags[i], tag))
            return true;
    return false;
}

static int select_candidate(walk_ctx *w, const char *tag, const char *platform, size_t *out)
{
    dd_image *img = w->img;
    dd_buf choices = DD_BUF_INIT;
    size_t keep = 0, n;
    int rc = DD_OK;
    bool *ok = NULL;

    if (w->n == 0)
        return dd_error_set(DD_ENOTFOUND, "%s: index.json lists no image manifests",
                            img->id.path);
    if (!(ok = dd_calloc(w->n, sizeof(*ok))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < w->n; i++)
        ok[i] = !tag || has_tag(&w->c[i], tag);
    n = 0;
    for (size_t i = 0; i < w->n; i++)
        n += ok[i];
    if (n > 1 || platform) {
        for (size_t i = 0; i < w->n; i++)
            if (ok[i] && (rc = resolve_platform(img, &w->c[i])) != DD_OK)
                goto done;
    }
    for (size_t i = 0; i < w->n; i++) {
        if (ok[i] && platform && !dd_image__platform_matches(w->c[i].platform, platform))
            ok[i] = false;
        if (ok[i])
            keep = i;
    }
    n = 0;
    for (size_t i = 0; i < w->n; i++)
        n += ok[i];
    if (n == 1) {
        *out = keep;
        goto done;
    }
    /* the message lists every choice with its platform; a broken one shows as unknown */
    for (size_t i = 0; i < w->n; i++) {
        dd_error_state saved;

        dd_error_save(&saved);
        (void)resolve_platform(img, &w->c[i]);
        dd_error_restore(&saved);
    }
    if ((rc = describe(&choices, w->c, w->n)) != DD_OK)
        goto done;
    if (n == 0 && tag && platform)
        rc = dd_error_set(DD_ENOTFOUND, "%s: no image tagged \"%s\" for platform %s (choices: "
                          "%s)", img->id.path, tag, platform, choices.data);
    else if (n == 0 && tag)
        rc = dd_error_set(DD_ENOTFOUND, "%s: no image tagged \"%s\" (choices: %s)",
                          img->id.path, tag, choices.data);
    else if (n == 0)
        rc = dd_error_set(DD_ENOTFOUND, "%s: no image for platform %s (choices: %s)",
                          img->id.path, platform, choices.data);
    else
        rc = dd_error_set(DD_ENOTFOUND, "%s: %zu images match; choose with a tag or --platform "
                          "(choices: %s)", img->id.path, n, choices.data);
done:
    dd_free(ok);
    dd_buf_dispose(&choices);
    return rc;
}

static int check_layout(dd_image *img)
{
    dd_buf doc = DD_BUF_INIT;
    json_t *j = NULL;
    json_error_t err;
    int rc;

    if ((rc = dd_image__store_read(&img->store, "oci-layout", &doc)) != DD_OK)
        goto done;
    j = json_loadb(doc.data, doc.len, 0, &err);
    if (!j) {
        rc = dd_error_set(DD_EINVALID, "%s: oci-layout: invalid JSON at line %d column %d: %s",
                          img->id.path, err.line, err.column, err.text);
        goto done;
    }
    if (!json_is_string(json_object_get(j, "imageLayoutVersion"))) {
        rc = dd_error_set(DD_EINVALID, "%s: oci-layout: no imageLayoutVersion", img->id.path);
        goto done;
    }
    if (strncmp(json_string_value(json_object_get(j, "imageLayoutVersion")), "1.", 2) != 0) {
        rc = dd_error_set(DD_EUNSUPPORTED, "%s: oci-layout: imageLayoutVersion %.32s is not "
                          "supported", img->id.path,
                          json_string_value(json_object_get(j, "imageLayoutVersion")));
        goto done;
    }
done:
    json_decref(j);
    dd_buf_dispose(&doc);
    return rc;
}

int dd_image__open_oci(dd_image *img, const char *tag, const char *platform)
{
    walk_ctx w;
    dd_buf doc = DD_BUF_INIT, what = DD_BUF_INIT;
    dd_image__desc_list top, layers;
    dd_image__desc cfg_desc;
    const candidate *sel;
    size_t idx = 0;
    int rc;

    memset(&w, 0, sizeof(w));
    w.img = img;
    if ((rc = check_layout(img)) != DD_OK)
        goto done;
    if ((rc = dd_image__store_read(&img->store, "index.json", &doc)) != DD_OK ||
        (rc = dd_buf_printf(&what, "%s: index.json", img->id.path)) != DD_OK ||
        (rc = dd_image__parse_index(&top, img->arena, doc.data, doc.len, what.data)) != DD_OK)
        goto done;
    if ((rc = walk_index(&w, &top, NULL, 0)) != DD_OK)
        goto done;
    if ((rc = select_candidate(&w, tag, platform, &idx)) != DD_OK)
        goto done;
    sel = &w.c[idx];
    img->id.manifest_digest = sel->desc.digest;
    if (sel->n_tags) {
        const char **t = dd_arena_alloc(img->arena, (sel->n_tags + 1) * sizeof(*t));

        if (!t) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
        memcpy(t, sel->tags, (sel->n_tags + 1) * sizeof(*t));
        img->id.tags = t;
        img->id.n_tags = sel->n_tags;
    }
    if ((rc = load_manifest(img, &sel->desc, img->arena, &cfg_desc, &layers, &img->config)) !=
        DD_OK)
        goto done;
    img->id.config_digest = cfg_desc.digest;
    img->id.platform = sel->platform ? sel->platform
                                     : dd_image__config_platform(img->arena, &img->config);
    if (img->config.n_diff_ids != layers.n) {
        rc = dd_error_set(DD_EINVALID, "%s: config %s lists %zu diff_ids but the manifest has "
                          "%zu layers", img->id.path, cfg_desc.digest, img->config.n_diff_ids,
                          layers.n);
        goto done;
    }
    img->n_layers = layers.n;
    if (layers.n) {
        img->layers = dd_arena_alloc(img->arena, layers.n * sizeof(*img->layers));
        img->locs = dd_arena_alloc(img->arena, layers.n * sizeof(*img->locs));
        if (!img->layers || !img->locs) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
    }
    for (size_t i = 0; i < layers.n; i++) {
        const dd_image__desc *d = &layers.items[i];
        dd_layer_desc *l = &img->layers[i];
        dd_image__loc *loc = &img->locs[i];
        char sd[24];

        memset(l, 0, sizeof(*l));
        l->digest = d->digest;
        l->diff_id = img->config.diff_ids[i];
        l->media_type = d->media_type;
        l->size = (uint64_t)d->size;
        if ((rc = dd_image__blob_path(img, d->digest, &l->path)) != DD_OK ||
            (rc = dd_image__store_locate(&img->store, l->path, img->arena, loc)) != DD_OK)
            goto done;
        if (loc->size != l->size) {
            rc = dd_error_set(DD_EINVALID, "%s: layer %zu (%s): blob is %llu bytes, manifest "
                              "says %llu", img->id.path, i, dd_image__short_digest(d->digest, sd),
                              (unsigned long long)loc->size, (unsigned long long)l->size);
            goto done;
        }
        if ((rc = dd_image__detect_compression(img, loc, &l->compression)) != DD_OK)
            goto done;
    }
done:
    for (size_t i = 0; i < w.n; i++)
        dd_free(w.c[i].tags);
    dd_free(w.c);
    dd_buf_dispose(&doc);
    dd_buf_dispose(&what);
    return rc;
}
