/* docker-archive sources: `docker save` / `podman save` tarballs, legacy and Docker >= 25. */
#include "image/image_int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static bool all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* The digest a member name embeds: "blobs/sha256/<hex>" or "<hex><suffix>" as its last
 * component. Legacy "<v1 id>/layer.tar" directories are not digests. */
static bool digest_from_name(const char *name, const char *suffix, char out[72])
{
    char *norm = dd_strdup(name);
    const char *base;
    size_t slen = strlen(suffix);
    bool ok = false;

    if (!norm)
        return false;
    if (dd_path_normalize(norm, NULL) != DD_OK)
        goto done;
    if (strncmp(norm, "blobs/sha256/", 13) == 0 && strlen(norm + 13) == 64 &&
        all_hex(norm + 13, 64)) {
        snprintf(out, 72, "sha256:%s", norm + 13);
        ok = true;
        goto done;
    }
    base = strrchr(norm, '/');
    base = base ? base + 1 : norm;
    if (strlen(base) == 64 + slen && all_hex(base, 64) && strcmp(base + 64, suffix) == 0) {
        snprintf(out, 72, "sha256:%.64s", base);
        ok = true;
    }
done:
    dd_free(norm);
    return ok;
}

/* sha256 of a whole located blob, for a compressed layer whose name carries no digest. */
static int hash_blob(dd_image *img, const dd_image__loc *loc, char out[72])
{
    dd_sha256 *h = NULL;
    unsigned char *buf = NULL;
    uint64_t pos = 0;
    int fd = img->fd, rc;

    if ((rc = dd_sha256_new(&h)) != DD_OK)
        return rc;
    if (!(buf = dd_malloc(1u << 18))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    while (pos < loc->size) {
        size_t want = loc->size - pos > (1u << 18) ? (1u << 18) : (size_t)(loc->size - pos);
        ssize_t n = pread(fd, buf, want, (off_t)(loc->offset + pos));

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = dd_error_set(n < 0 ? DD_EIO : DD_EINVALID, "%s: truncated at offset %llu",
                              img->id.path, (unsigned long long)(loc->offset + pos));
            goto done;
        }
        dd_sha256_update(h, buf, (size_t)n);
        pos += (uint64_t)n;
    }
    dd_sha256_final_digest(h, out);
done:
    dd_free(buf);
    dd_sha256_free(h);
    return rc;
}

static int list_tags(dd_buf *b, const dd_image__docker_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (e[i].n_tags == 0 && dd_buf_printf(b, "%s<untagged %s>", b->len ? ", " : "",
                                              e[i].config) != DD_OK)
            return dd_error_code();
        for (size_t k = 0; k < e[i].n_tags; k++)
            if (dd_buf_printf(b, "%s%s", b->len ? ", " : "", e[i].tags[k]) != DD_OK)
                return dd_error_code();
    }
    return DD_OK;
}

static int select_entry(dd_image *img, const dd_image__docker_entry *e, size_t n,
                        const char *tag, const dd_image__docker_entry **out)
{
    dd_buf choices = DD_BUF_INIT;
    size_t hits = 0;
    int rc = DD_OK;

    *out = NULL;
    if (!tag) {
        if (n == 1) {
            *out = &e[0];
            return DD_OK;
        }
        if ((rc = list_tags(&choices, e, n)) == DD_OK)
            rc = dd_error_set(DD_ENOTFOUND, "%s: %zu images in the archive; choose one with a "
                              "tag: %s", img->id.path, n, choices.data);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < e[i].n_tags; k++) {
            if (dd_image__tag_matches(e[i].tags[k], tag)) {
                if (!*out || strcmp((*out)->config, e[i].config) != 0)
                    hits++;
                *out = &e[i];
                break;
            }
        }
    }
    if (hits == 1)
        goto done;
    if ((rc = list_tags(&choices, e, n)) != DD_OK)
        goto done;
    if (hits == 0)
        rc = dd_error_set(DD_ENOTFOUND, "%s: no image tagged \"%s\" (tags: %s)", img->id.path,
                          tag, choices.data);
    else
        rc = dd_error_set(DD_ENOTFOUND, "%s: tag \"%s\" matches %zu images (tags: %s)",
                          img->id.path, tag, hits, choices.data);
    *out = NULL;
done:
    dd_buf_dispose(&choices);
    return rc;
}

/* Docker >= 25 also writes an OCI index.json: the manifest digest and layer media types of the
 * selected image come from the manifest whose config is ours. */
static int find_oci_manifest(dd_image *img, dd_image__desc_list *list, int depth,
                             dd_image__desc_list *layers_out)
{
    dd_buf doc = DD_BUF_INIT;
    int rc = DD_OK;

    for (size_t i = 0; i < list->n && !img->id.manifest_digest; i++) {
        const dd_image__desc *d = &list->items[i];
        dd_image__doc_kind kind = dd_image__media_kind(d->media_type);
        const char *name;
        dd_image__desc cfg;
        dd_image__desc_list sub;

        if (d->attestation || (d->media_type && kind == DD_DOC_UNKNOWN))
            continue;
        if ((rc = dd_image__blob_path(img, d->digest, &name)) != DD_OK)
            goto done;
        if (!dd_image__store_exists(&img->store, name))
            continue;
        if ((rc = dd_image__read_verified(img, name, d->digest, d->size, "manifest", &doc)) !=
            DD_OK)
            goto done;
        if (kind == DD_DOC_UNKNOWN)
            kind = dd_image__sniff_kind(doc.data, doc.len);
        if (kind == DD_DOC_INDEX) {
            if (depth + 1 > (int)img->limits.max_manifest_depth) {
                rc = dd_error_set(DD_ELIMIT, "%s: index.json: nested deeper than %u",
                                  img->id.path, img->limits.max_manifest_depth);
                goto done;
            }
            if ((rc = dd_image__parse_index(&sub, img->arena, doc.data, doc.len, img->id.path)) !=
                    DD_OK ||
                (rc = find_oci_manifest(img, &sub, depth + 1, layers_out)) != DD_OK)
                goto done;
            continue;
        }
        if (kind != DD_DOC_MANIFEST)
            continue;
        if ((rc = dd_image__parse_manifest(&cfg, &sub, img->arena, doc.data, doc.len,
                                           img->id.path, &img->limits)) != DD_OK)
            goto done;
        if (strcmp(cfg.digest, img->id.config_digest) == 0) {
            img->id.manifest_digest = d->digest;
            *layers_out = sub;
        }
    }
done:
    dd_buf_dispose(&doc);
    return rc;
}

int dd_image__open_docker(dd_image *img, const char *tag, const char *platform)
{
    dd_buf doc = DD_BUF_INIT, what = DD_BUF_INIT;
    dd_image__docker_entry *entries;
    const dd_image__docker_entry *e;
    dd_image__desc_list oci_layers = {NULL, 0};
    size_t n_entries;
    char digest[72], named[72];
    char *cdig;
    int rc;

    if ((rc = dd_image__store_read(&img->store, "manifest.json", &doc)) != DD_OK)
        goto done;
    if ((rc = dd_buf_printf(&what, "%s: manifest.json", img->id.path)) != DD_OK)
        goto done;
    if ((rc = dd_image__parse_docker_manifest(&entries, &n_entries, img->arena, doc.data,
                                              doc.len, what.data, &img->limits)) != DD_OK)
        goto done;
    if ((rc = select_entry(img, entries, n_entries, tag, &e)) != DD_OK)
        goto done;
    img->id.tags = e->tags;
    img->id.n_tags = e->n_tags;

    /* config */
    if ((rc = dd_image__store_read(&img->store, e->config, &doc)) != DD_OK)
        goto done;
    if ((rc = dd_sha256_digest(digest, doc.data, doc.len)) != DD_OK)
        goto done;
    if (digest_from_name(e->config, ".json", named) && strcmp(named, digest) != 0) {
        rc = dd_error_set(DD_EINVALID, "%s: config %s: digest mismatch: name says %s, content "
                          "is %s", img->id.path, e->config, named, digest);
        goto done;
    }
    if (!(cdig = dd_arena_strdup(img->arena, digest))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    img->id.config_digest = cdig;
    dd_buf_clear(&what);
    if ((rc = dd_buf_printf(&what, "%s: config %s", img->id.path, e->config)) != DD_OK)
        goto done;
    if ((rc = dd_image__parse_config(&img->config, img->arena, doc.data, doc.len, what.data)) !=
        DD_OK)
        goto done;
    img->id.platform = dd_image__config_platform(img->arena, &img->config);
    if (platform && !dd_image__platform_matches(img->id.platform, platform)) {
        rc = dd_error_set(DD_ENOTFOUND, "%s: no image for platform %s (the image is %s)",
                          img->id.path, platform,
                          img->id.platform ? img->id.platform : "of an unknown platform");
        goto done;
    }
    if (img->config.n_diff_ids != e->n_layers) {
        rc = dd_error_set(DD_EINVALID, "%s: config %s lists %zu diff_ids but manifest.json has "
                          "%zu layers", img->id.path, e->config, img->config.n_diff_ids,
                          e->n_layers);
        goto done;
    }

    /* Docker >= 25: manifest digest and media types from the OCI index */
    if (dd_image__tarindex_find(img->tar, "index.json")) {
        dd_image__desc_list top;

        if ((rc = dd_image__store_read(&img->store, "index.json", &doc)) != DD_OK)
            goto done;
        dd_buf_clear(&what);
        if ((rc = dd_buf_printf(&what, "%s: index.json", img->id.path)) != DD_OK)
            goto done;
        if ((rc = dd_image__parse_index(&top, img->arena, doc.data, doc.len, what.data)) !=
                DD_OK ||
            (rc = find_oci_manifest(img, &top, 0, &oci_layers)) != DD_OK)
            goto done;
        if (oci_layers.n != e->n_layers)
            oci_layers.n = 0;
    }

    /* layers */
    img->n_layers = e->n_layers;
    if (e->n_layers) {
        img->layers = dd_arena_alloc(img->arena, e->n_layers * sizeof(*img->layers));
        img->locs = dd_arena_alloc(img->arena, e->n_layers * sizeof(*img->locs));
        if (!img->layers || !img->locs) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
    }
    for (size_t i = 0; i < e->n_layers; i++) {
        dd_layer_desc *l = &img->layers[i];
        dd_image__loc *loc = &img->locs[i];

        memset(l, 0, sizeof(*l));
        if ((rc = dd_image__store_locate(&img->store, e->layers[i], img->arena, loc)) != DD_OK)
            goto done;
        l->path = e->layers[i];
        l->size = loc->size;
        l->diff_id = img->config.diff_ids[i];
        l->media_type = oci_layers.n ? oci_layers.items[i].media_type : NULL;
        if ((rc = dd_image__detect_compression(img, loc, &l->compression)) != DD_OK)
            goto done;
        if (oci_layers.n) {
            l->digest = oci_layers.items[i].digest;
            if (oci_layers.items[i].size >= 0 && (uint64_t)oci_layers.items[i].size != l->size) {
                char sd[24];

                rc = dd_error_set(DD_EINVALID, "%s: layer %zu (%s): blob is %llu bytes, "
                                  "manifest says %lld", img->id.path, i,
                                  dd_image__short_digest(l->digest, sd),
                                  (unsigned long long)l->size,
                                  (long long)oci_layers.items[i].size);
                goto done;
            }
        } else if (digest_from_name(e->layers[i], ".tar", named) ||
                   digest_from_name(e->layers[i], ".tar.gz", named) ||
                   digest_from_name(e->layers[i], ".tar.zst", named)) {
            l->digest = dd_arena_strdup(img->arena, named);
        } else if (l->compression == DD_COMPRESSION_NONE) {
            l->digest = l->diff_id; /* an uncompressed blob is its own diff */
        } else {
            if ((rc = hash_blob(img, loc, digest)) != DD_OK)
                goto done;
            l->digest = dd_arena_strdup(img->arena, digest);
        }
        if (!l->digest) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
    }
done:
    dd_buf_dispose(&doc);
    dd_buf_dispose(&what);
    return rc;
}
