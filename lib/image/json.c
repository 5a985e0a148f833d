/* Parsers for the OCI index and manifest and the docker-archive manifest.json. */
#include "image/image_int.h"

#include <jansson.h>
#include <string.h>

#define MAX_INDEX_ENTRIES 4096u /* descriptors of one index: real ones have a handful */

static const struct {
    const char *media_type;
    dd_image__doc_kind kind;
} media_kinds[] = {
    {"application/vnd.oci.image.index.v1+json", DD_DOC_INDEX},
    {"application/vnd.docker.distribution.manifest.list.v2+json", DD_DOC_INDEX},
    {"application/vnd.oci.image.manifest.v1+json", DD_DOC_MANIFEST},
    {"application/vnd.docker.distribution.manifest.v2+json", DD_DOC_MANIFEST},
};

dd_image__doc_kind dd_image__media_kind(const char *media_type)
{
    if (!media_type)
        return DD_DOC_UNKNOWN;
    for (size_t i = 0; i < DD_ARRAY_SIZE(media_kinds); i++)
        if (strcmp(media_type, media_kinds[i].media_type) == 0)
            return media_kinds[i].kind;
    return DD_DOC_UNKNOWN;
}

static json_t *load(const void *data, size_t len, const char *what)
{
    json_error_t err;
    json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);

    if (!j)
        dd_error_set(DD_EINVALID, "%s: invalid JSON at line %d column %d: %s", what, err.line,
                     err.column, err.text);
    return j;
}

dd_image__doc_kind dd_image__sniff_kind(const void *data, size_t len)
{
    json_t *j = json_loadb(data, len, 0, NULL);
    dd_image__doc_kind k = DD_DOC_UNKNOWN;

    if (json_is_object(j)) {
        k = dd_image__media_kind(json_string_value(json_object_get(j, "mediaType")));
        if (k == DD_DOC_UNKNOWN && json_is_array(json_object_get(j, "manifests")))
            k = DD_DOC_INDEX;
        else if (k == DD_DOC_UNKNOWN && json_is_array(json_object_get(j, "layers")))
            k = DD_DOC_MANIFEST;
    }
    json_decref(j);
    return k;
}

/* Optional string member; NULL when absent or null, DD_EINVALID for another type. */
static int opt_str(const char **out, dd_arena *a, json_t *obj, const char *key, const char *what,
                   const char *where)
{
    json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (!v || json_is_null(v))
        return DD_OK;
    if (!json_is_string(v))
        return dd_error_set(DD_EINVALID, "%s: %s%s is not a string", what, where, key);
    if (!(*out = dd_arena_strndup(a, json_string_value(v), json_string_length(v))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    return DD_OK;
}

static int parse_desc(dd_image__desc *d, dd_arena *a, json_t *j, const char *what,
                      const char *where, bool need_size)
{
    json_t *size, *plat, *ann;
    int rc;

    memset(d, 0, sizeof(*d));
    d->size = -1;
    if (!json_is_object(j))
        return dd_error_set(DD_EINVALID, "%s: %s is not an object", what, where);
    if ((rc = opt_str(&d->media_type, a, j, "mediaType", what, where)) != DD_OK ||
        (rc = opt_str(&d->digest, a, j, "digest", what, where)) != DD_OK)
        return rc;
    if (!d->digest)
        return dd_error_set(DD_EINVALID, "%s: %s has no digest", what, where);
    if (strncmp(d->digest, "sha512:", 7) == 0 || strncmp(d->digest, "sha384:", 7) == 0)
        return dd_error_set(DD_EUNSUPPORTED, "%s: %s: digest algorithm of %s is not supported",
                            what, where, d->digest);
    if (!dd_digest_valid(d->digest))
        return dd_error_set(DD_EINVALID, "%s: %s: malformed digest \"%.80s\"", what, where,
                            d->digest);
    size = json_object_get(j, "size");
    if (size) {
        if (!json_is_integer(size) || json_integer_value(size) < 0)
            return dd_error_set(DD_EINVALID, "%s: %s: size is not a non-negative integer", what,
                                where);
        d->size = json_integer_value(size);
    } else if (need_size) {
        return dd_error_set(DD_EINVALID, "%s: %s has no size", what, where);
    }
    plat = json_object_get(j, "platform");
    if (plat && !json_is_null(plat)) {
        const char *os = json_string_value(json_object_get(plat, "os"));
        const char *arch = json_string_value(json_object_get(plat, "architecture"));
        const char *variant = json_string_value(json_object_get(plat, "variant"));
        dd_buf b = DD_BUF_INIT;

        if (!json_is_object(plat) || !os || !arch)
            return dd_error_set(DD_EINVALID, "%s: %s: platform needs os and architecture",
                                what, where);
        rc = dd_buf_printf(&b, "%s/%s%s%s", os, arch, variant && *variant ? "/" : "",
                           variant && *variant ? variant : "");
        if (rc == DD_OK && !(d->platform = dd_arena_strdup(a, b.data)))
            rc = dd_error_set(DD_ENOMEM, "out of memory");
        dd_buf_dispose(&b);
        if (rc != DD_OK)
            return rc;
    }
    ann = json_object_get(j, "annotations");
    if (ann && !json_is_null(ann)) {
        const char *t;

        if (!json_is_object(ann))
            return dd_error_set(DD_EINVALID, "%s: %s: annotations is not an object", what,
                                where);
        if ((rc = opt_str(&d->ref_name, a, ann, "org.opencontainers.image.ref.name", what,
                          where)) != DD_OK ||
            (rc = opt_str(&d->image_name, a, ann, "io.containerd.image.name", what, where)) !=
                DD_OK)
            return rc;
        t = json_string_value(json_object_get(ann, "vnd.docker.reference.type"));
        if (t && strcmp(t, "attestation-manifest") == 0)
            d->attestation = true;
    }
    if (d->platform && strcmp(d->platform, "unknown/unknown") == 0)
        d->attestation = true;
    return DD_OK;
}

static int parse_desc_array(dd_image__desc_list *out, dd_arena *a, json_t *arr, const char *what,
                            const char *key, bool need_size, size_t max)
{
    size_t n = json_array_size(arr);
    char where[64];
    int rc;

    if (!json_is_array(arr))
        return dd_error_set(DD_EINVALID, "%s: %s is not an array", what, key);
    if (n > max)
        return dd_error_set(DD_ELIMIT, "%s: %s has %zu entries, over the limit of %zu", what,
                            key, n, max);
    out->n = 0;
    out->items = n ? dd_arena_alloc(a, n * sizeof(*out->items)) : NULL;
    if (n && !out->items)
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        snprintf(where, sizeof(where), "%s[%zu]", key, i);
        if ((rc = parse_desc(&out->items[i], a, json_array_get(arr, i), what, where,
                             need_size)) != DD_OK)
            return rc;
        out->n++;
    }
    return DD_OK;
}

int dd_image__parse_index(dd_image__desc_list *out, dd_arena *a, const void *data, size_t len,
                          const char *what)
{
    json_t *j = load(data, len, what);
    int rc = DD_OK;

    out->items = NULL;
    out->n = 0;
    if (!j)
        return DD_EINVALID;
    if (!json_is_object(j)) {
        rc = dd_error_set(DD_EINVALID, "%s: not a JSON object", what);
        goto done;
    }
    if (!json_object_get(j, "manifests")) {
        rc = dd_error_set(DD_EINVALID, "%s: no \"manifests\" (not an image index)", what);
        goto done;
    }
    rc = parse_desc_array(out, a, json_object_get(j, "manifests"), what, "manifests", false,
                          MAX_INDEX_ENTRIES);
done:
    json_decref(j);
    return rc;
}

int dd_image__parse_manifest(dd_image__desc *config, dd_image__desc_list *layers, dd_arena *a,
                             const void *data, size_t len, const char *what,
                             const dd_limits *lim)
{
    json_t *j = load(data, len, what), *sv;
    int rc = DD_OK;

    layers->items = NULL;
    layers->n = 0;
    if (!j)
        return DD_EINVALID;
    if (!json_is_object(j)) {
        rc = dd_error_set(DD_EINVALID, "%s: not a JSON object", what);
        goto done;
    }
    sv = json_object_get(j, "schemaVersion");
    if (sv && json_is_integer(sv) && json_integer_value(sv) == 1) {
        rc = dd_error_set(DD_EUNSUPPORTED, "%s: Docker schema 1 manifests are not supported",
                          what);
        goto done;
    }
    if (!json_object_get(j, "config")) {
        rc = dd_error_set(DD_EINVALID, "%s: no \"config\" (not an image manifest)", what);
        goto done;
    }
    if ((rc = parse_desc(config, a, json_object_get(j, "config"), what, "config", true)) !=
        DD_OK)
        goto done;
    if (!json_object_get(j, "layers")) {
        rc = dd_error_set(DD_EINVALID, "%s: no \"layers\"", what);
        goto done;
    }
    rc = parse_desc_array(layers, a, json_object_get(j, "layers"), what, "layers", true,
                          lim->max_layers);
done:
    json_decref(j);
    return rc;
}

/* An array of strings copied into the arena, NULL-terminated. */
static int str_array(const char *const **out, size_t *n_out, dd_arena *a, json_t *arr,
                     const char *what, const char *where, size_t max)
{
    size_t n = json_array_size(arr);
    const char **v;

    *out = NULL;
    *n_out = 0;
    if (!arr || json_is_null(arr))
        return DD_OK;
    if (!json_is_array(arr))
        return dd_error_set(DD_EINVALID, "%s: %s is not an array", what, where);
    if (n > max)
        return dd_error_set(DD_ELIMIT, "%s: %s has %zu entries, over the limit of %zu", what,
                            where, n, max);
    if (!(v = dd_arena_alloc(a, (n + 1) * sizeof(*v))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(arr, i);

        if (!json_is_string(s))
            return dd_error_set(DD_EINVALID, "%s: %s[%zu] is not a string", what, where, i);
        if (!(v[i] = dd_arena_strndup(a, json_string_value(s), json_string_length(s))))
            return dd_error_set(DD_ENOMEM, "out of memory");
    }
    v[n] = NULL;
    *out = v;
    *n_out = n;
    return DD_OK;
}

int dd_image__parse_docker_manifest(dd_image__docker_entry **out, size_t *n_out, dd_arena *a,
                                    const void *data, size_t len, const char *what,
                                    const dd_limits *lim)
{
    json_t *j = load(data, len, what);
    dd_image__docker_entry *e = NULL;
    size_t n;
    char where[64];
    int rc = DD_OK;

    *out = NULL;
    *n_out = 0;
    if (!j)
        return DD_EINVALID;
    if (!json_is_array(j)) {
        rc = dd_error_set(DD_EINVALID, "%s: not a JSON array", what);
        goto done;
    }
    n = json_array_size(j);
    if (n == 0) {
        rc = dd_error_set(DD_EINVALID, "%s: no images", what);
        goto done;
    }
    if (n > MAX_INDEX_ENTRIES) {
        rc = dd_error_set(DD_ELIMIT, "%s: %zu images, over the limit of %u", what, n,
                          MAX_INDEX_ENTRIES);
        goto done;
    }
    if (!(e = dd_arena_alloc(a, n * sizeof(*e)))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(j, i);

        memset(&e[i], 0, sizeof(e[i]));
        snprintf(where, sizeof(where), "[%zu].", i);
        if (!json_is_object(o)) {
            rc = dd_error_set(DD_EINVALID, "%s: [%zu] is not an object", what, i);
            goto done;
        }
        if ((rc = opt_str(&e[i].config, a, o, "Config", what, where)) != DD_OK)
            goto done;
        if (!e[i].config) {
            rc = dd_error_set(DD_EINVALID, "%s: [%zu] has no Config", what, i);
            goto done;
        }
        snprintf(where, sizeof(where), "[%zu].RepoTags", i);
        if ((rc = str_array(&e[i].tags, &e[i].n_tags, a, json_object_get(o, "RepoTags"), what,
                            where, MAX_INDEX_ENTRIES)) != DD_OK)
            goto done;
        snprintf(where, sizeof(where), "[%zu].Layers", i);
        if (!json_object_get(o, "Layers")) {
            rc = dd_error_set(DD_EINVALID, "%s: [%zu] has no Layers", what, i);
            goto done;
        }
        if ((rc = str_array(&e[i].layers, &e[i].n_layers, a, json_object_get(o, "Layers"), what,
                            where, lim->max_layers)) != DD_OK)
            goto done;
    }
    *out = e;
    *n_out = n;
done:
    json_decref(j);
    return rc;
}
