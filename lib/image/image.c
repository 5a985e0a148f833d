/* Opening an image: reference parsing, source detection, accessors and shared helpers. */
#include "image/image_int.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *prefix;
    dd_source_kind kind;
} source_prefixes[] = {
    {"docker-archive:", DD_SOURCE_DOCKER_ARCHIVE},
    {"oci-dir:", DD_SOURCE_OCI_DIR},
    {"oci-archive:", DD_SOURCE_OCI_ARCHIVE},
    {"dir:", DD_SOURCE_ROOTFS},
};

const char *dd_source_kind_name(dd_source_kind kind)
{
    switch (kind) {
    case DD_SOURCE_DOCKER_ARCHIVE:
        return "docker-archive";
    case DD_SOURCE_OCI_DIR:
        return "oci-dir";
    case DD_SOURCE_OCI_ARCHIVE:
        return "oci-archive";
    case DD_SOURCE_ROOTFS:
        return "dir";
    default:
        return "auto";
    }
}

const char *dd_compression_name(dd_compression c)
{
    switch (c) {
    case DD_COMPRESSION_GZIP:
        return "gzip";
    case DD_COMPRESSION_ZSTD:
        return "zstd";
    default:
        return "none";
    }
}

const char *dd_image__short_digest(const char *digest, char buf[24])
{
    if (!digest)
        return "-";
    snprintf(buf, 24, "%.19s", digest);
    return buf;
}

/* ---- tag and platform matching ---- */

static const char *const registry_prefixes[] = {
    "docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/",
    "localhost/",
};

static int norm_ref(dd_buf *out, const char *ref)
{
    const char *slash, *colon;

    for (size_t i = 0; i < DD_ARRAY_SIZE(registry_prefixes); i++) {
        size_t n = strlen(registry_prefixes[i]);

        if (strncmp(ref, registry_prefixes[i], n) == 0) {
            ref += n;
            break;
        }
    }
    slash = strrchr(ref, '/');
    colon = strrchr(ref, ':');
    if (dd_buf_puts(out, ref) != DD_OK)
        return DD_ENOMEM;
    if (!strchr(ref, '@') && (!colon || (slash && colon < slash)))
        return dd_buf_puts(out, ":latest");
    return DD_OK;
}

bool dd_image__tag_matches(const char *candidate, const char *want)
{
    dd_buf a = DD_BUF_INIT, b = DD_BUF_INIT;
    bool ok = false;

    if (!candidate || !want)
        return false;
    if (strcmp(candidate, want) == 0)
        return true;
    if (!strchr(want, ':') && !strchr(want, '/')) {
        /* a bare tag: "1.0" selects "app:1.0" */
        const char *colon = strrchr(candidate, ':'), *slash = strrchr(candidate, '/');

        if (colon && (!slash || colon > slash) && strcmp(colon + 1, want) == 0)
            return true;
    }
    if (norm_ref(&a, candidate) == DD_OK && norm_ref(&b, want) == DD_OK)
        ok = strcmp(a.data, b.data) == 0;
    dd_buf_dispose(&a);
    dd_buf_dispose(&b);
    return ok;
}

static void split_platform(const char *p, char parts[3][32])
{
    for (int i = 0; i < 3; i++)
        parts[i][0] = '\0';
    for (int i = 0; i < 3 && p && *p; i++) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);

        snprintf(parts[i], 32, "%.*s", (int)n, p);
        p = slash ? slash + 1 : NULL;
    }
    if (strcmp(parts[1], "x86_64") == 0)
        snprintf(parts[1], 32, "amd64");
    else if (strcmp(parts[1], "aarch64") == 0)
        snprintf(parts[1], 32, "arm64");
    if (strcmp(parts[1], "arm64") == 0 && strcmp(parts[2], "v8") == 0)
        parts[2][0] = '\0'; /* arm64 is v8 unless it says otherwise */
}

bool dd_image__platform_matches(const char *have, const char *want)
{
    char h[3][32], w[3][32];

    if (!want)
        return true;
    if (!have)
        return false;
    split_platform(have, h);
    split_platform(want, w);
    if (strcmp(h[0], w[0]) != 0 || strcmp(h[1], w[1]) != 0)
        return false;
    return !w[2][0] || strcmp(h[2], w[2]) == 0;
}

const char *dd_image__config_platform(dd_arena *a, const dd_image_config *cfg)
{
    dd_buf b = DD_BUF_INIT;
    const char *p = NULL;

    if (!cfg->os || !cfg->architecture || !*cfg->os || !*cfg->architecture)
        return NULL;
    if (dd_buf_printf(&b, "%s/%s%s%s", cfg->os, cfg->architecture,
                      cfg->variant && *cfg->variant ? "/" : "",
                      cfg->variant && *cfg->variant ? cfg->variant : "") == DD_OK)
        p = dd_arena_strdup(a, b.data);
    dd_buf_dispose(&b);
    return p;
}

/* ---- blob helpers ---- */

int dd_image__blob_path(dd_image *img, const char *digest, const char **out)
{
    char path[96];

    if (!dd_digest_valid(digest))
        return dd_error_set(DD_EINVALID, "%s: malformed digest \"%.80s\"", img->id.path,
                            digest ? digest : "");
    snprintf(path, sizeof(path), "blobs/sha256/%s", digest + 7);
    if (!(*out = dd_arena_strdup(img->arena, path)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    return DD_OK;
}

int dd_image__read_verified(dd_image *img, const char *name, const char *digest, int64_t size,
                            const char *what, dd_buf *out)
{
    char got[72];
    int rc;

    if (size >= 0 && (uint64_t)size > img->limits.max_blob_bytes)
        return dd_error_set(DD_ELIMIT, "%s: %s %s: declared size %lld is over the limit of %llu",
                            img->id.path, what, name, (long long)size,
                            (unsigned long long)img->limits.max_blob_bytes);
    if ((rc = dd_image__store_read(&img->store, name, out)) != DD_OK)
        return rc;
    if (size >= 0 && out->len != (uint64_t)size)
        return dd_error_set(DD_EINVALID, "%s: %s %s: size mismatch: descriptor says %lld, blob "
                            "is %zu bytes", img->id.path, what, name, (long long)size, out->len);
    if ((rc = dd_sha256_digest(got, out->data, out->len)) != DD_OK)
        return rc;
    if (digest && strcmp(got, digest) != 0)
        return dd_error_set(DD_EINVALID, "%s: %s %s: digest mismatch: descriptor says %s, "
                            "content is %s", img->id.path, what, name, digest, got);
    return DD_OK;
}

int dd_image__detect_compression(dd_image *img, const dd_image__loc *loc, dd_compression *out)
{
    unsigned char m[4];
    size_t got = 0;
    int rc;

    *out = DD_COMPRESSION_NONE;
    if ((rc = dd_image__store_peek(&img->store, loc, m, sizeof(m), &got)) != DD_OK)
        return rc;
    if (got >= 2 && m[0] == 0x1f && m[1] == 0x8b)
        *out = DD_COMPRESSION_GZIP;
    else if (got >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
        *out = DD_COMPRESSION_ZSTD;
    return DD_OK;
}

/* ---- opening ---- */

static bool path_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Splits "[kind:]PATH[:TAG]". A ":TAG" suffix is only split off when the whole string is not
 * an existing path and what precedes the colon is. */
static int parse_ref(const char *ref, dd_source_kind *kind, dd_buf *path, dd_buf *tag)
{
    const char *rest = ref;

    *kind = DD_SOURCE_AUTO;
    for (size_t i = 0; i < DD_ARRAY_SIZE(source_prefixes); i++) {
        size_t n = strlen(source_prefixes[i].prefix);

        if (strncmp(ref, source_prefixes[i].prefix, n) == 0) {
            *kind = source_prefixes[i].kind;
            rest = ref + n;
            break;
        }
    }
    if (!*rest)
        return dd_error_set(DD_EINVALID, "%s: empty path", ref);
    if (dd_buf_puts(path, rest) != DD_OK)
        return dd_error_code();
    if (path_exists(path->data))
        return DD_OK;
    for (size_t i = path->len; i-- > 1;) {
        if (path->data[i] != ':')
            continue;
        path->data[i] = '\0';
        if (path_exists(path->data) && rest[i + 1]) {
            path->len = i;
            return dd_buf_puts(tag, rest + i + 1);
        }
        path->data[i] = ':';
    }
    return dd_error_set(DD_ENOTFOUND, "%s: no such file or directory", rest);
}

static int open_rootfs(dd_image *img)
{
    dd_layer_desc *l;

    img->rootfs_dir = img->id.path;
    img->layers = dd_arena_alloc(img->arena, sizeof(*img->layers));
    img->locs = dd_arena_alloc(img->arena, sizeof(*img->locs));
    if (!img->layers || !img->locs)
        return dd_error_set(DD_ENOMEM, "out of memory");
    l = img->layers;
    memset(l, 0, sizeof(*l));
    memset(img->locs, 0, sizeof(*img->locs));
    l->path = img->id.path;
    l->compression = DD_COMPRESSION_NONE;
    img->n_layers = 1;
    return DD_OK;
}

int dd_image_open(dd_image **out, const char *ref, const dd_image_open_opts *opts)
{
    dd_image_open_opts defaults = DD_IMAGE_OPEN_OPTS_INIT;
    dd_buf path = DD_BUF_INIT, tag = DD_BUF_INIT;
    dd_source_kind kind;
    dd_image *img = NULL;
    const char *want_tag;
    struct stat st;
    int rc;

    *out = NULL;
    if (!opts)
        opts = &defaults;
    if ((rc = parse_ref(ref, &kind, &path, &tag)) != DD_OK)
        goto done;
    want_tag = opts->tag ? opts->tag : tag.len ? tag.data : NULL;
    if (!(img = dd_calloc(1, sizeof(*img)))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    img->fd = -1;
    img->limits = opts->limits;
    if ((rc = dd_arena_new(&img->arena)) != DD_OK)
        goto done;
    if (!(img->id.path = dd_arena_strdup(img->arena, path.data))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    img->store.root = img->id.path;
    img->store.fd = -1;
    img->store.limits = &img->limits;
    if (stat(path.data, &st) != 0) {
        rc = dd_error_set(errno == ENOENT ? DD_ENOTFOUND : DD_EIO, "%s: %s", path.data,
                          strerror(errno));
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        bool oci = dd_image__store_exists(&img->store, "index.json") ||
                   dd_image__store_exists(&img->store, "oci-layout");

        if (kind == DD_SOURCE_AUTO)
            kind = oci ? DD_SOURCE_OCI_DIR : DD_SOURCE_ROOTFS;
        if (kind == DD_SOURCE_DOCKER_ARCHIVE || kind == DD_SOURCE_OCI_ARCHIVE) {
            rc = dd_error_set(DD_EINVALID, "%s: is a directory, not a %s tarball", path.data,
                              dd_source_kind_name(kind));
            goto done;
        }
        img->id.kind = kind;
        if (kind == DD_SOURCE_ROOTFS) {
            if (tag.len) {
                rc = dd_error_set(DD_EINVALID, "%s: a root filesystem directory has no tags",
                                  path.data);
                goto done;
            }
            rc = open_rootfs(img);
            goto finish;
        }
        rc = dd_image__open_oci(img, want_tag, opts->platform);
        goto finish;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = dd_error_set(DD_EINVALID, "%s: not a regular file or directory", path.data);
        goto done;
    }
    if (kind == DD_SOURCE_OCI_DIR || kind == DD_SOURCE_ROOTFS) {
        rc = dd_error_set(DD_EINVALID, "%s: is a file, not a directory (%s)", path.data,
                          dd_source_kind_name(kind));
        goto done;
    }
    if ((img->fd = open(path.data, O_RDONLY | O_CLOEXEC)) < 0) {
        rc = dd_error_set(errno == ENOENT ? DD_ENOTFOUND : DD_EIO, "%s: %s", path.data,
                          strerror(errno));
        goto done;
    }
    {
        unsigned char magic[4] = {0};
        bool not_tar = false;

        if (pread(img->fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
            ((magic[0] == 0x1f && magic[1] == 0x8b) ||
             (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd))) {
            rc = dd_error_set(DD_EINVALID, "%s: not a container image (a compressed file: "
                              "decompress it first)", path.data);
            goto done;
        }
        rc = dd_image__tarindex_open(&img->tar, img->fd, path.data, &img->limits, &not_tar);
        if (rc != DD_OK) {
            if (not_tar)
                rc = dd_error_set(DD_EINVALID, "%s: not a container image (no manifest.json or "
                                  "index.json)", path.data);
            goto done;
        }
    }
    img->store.fd = img->fd;
    img->store.tar = img->tar;
    {
        bool has_manifest = dd_image__tarindex_find(img->tar, "manifest.json") != NULL;
        bool has_index = dd_image__tarindex_find(img->tar, "index.json") != NULL;

        if (kind == DD_SOURCE_AUTO) {
            if (has_manifest)
                kind = DD_SOURCE_DOCKER_ARCHIVE;
            else if (has_index)
                kind = DD_SOURCE_OCI_ARCHIVE;
            else {
                rc = dd_error_set(DD_EINVALID, "%s: not a container image (no manifest.json or "
                                  "index.json)", path.data);
                goto done;
            }
        }
        if (kind == DD_SOURCE_DOCKER_ARCHIVE && !has_manifest) {
            rc = dd_error_set(DD_EINVALID, "%s: not a docker-archive (no manifest.json)%s",
                              path.data, has_index ? "; try oci-archive:" : "");
            goto done;
        }
        if (kind == DD_SOURCE_OCI_ARCHIVE && !has_index) {
            rc = dd_error_set(DD_EINVALID, "%s: not an OCI archive (no index.json)", path.data);
            goto done;
        }
    }
    img->id.kind = kind;
    if (kind == DD_SOURCE_DOCKER_ARCHIVE)
        rc = dd_image__open_docker(img, want_tag, opts->platform);
    else
        rc = dd_image__open_oci(img, want_tag, opts->platform);
finish:
    if (rc == DD_OK) {
        *out = img;
        img = NULL;
    }
done:
    dd_buf_dispose(&path);
    dd_buf_dispose(&tag);
    dd_image_free(img);
    return rc;
}

void dd_image_free(dd_image *img)
{
    if (!img)
        return;
    dd_image__tarindex_free(img->tar);
    if (img->fd >= 0)
        close(img->fd);
    dd_arena_free(img->arena);
    dd_free(img);
}

const dd_image_identity *dd_image_identity_get(const dd_image *img)
{
    return &img->id;
}

const dd_image_config *dd_image_config_get(const dd_image *img)
{
    return &img->config;
}

const dd_limits *dd_image_limits(const dd_image *img)
{
    return &img->limits;
}

size_t dd_image_layer_count(const dd_image *img)
{
    return img->n_layers;
}

const dd_layer_desc *dd_image_layer(const dd_image *img, size_t index)
{
    return index < img->n_layers ? &img->layers[index] : NULL;
}

const char *dd_image_rootfs_dir(const dd_image *img)
{
    return img->id.kind == DD_SOURCE_ROOTFS ? img->rootfs_dir : NULL;
}
