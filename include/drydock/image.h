/* Container image sources: docker-archive, OCI layout and archive, root filesystem directory.
 * Opening an image reads and verifies its metadata; layers are then read as byte streams. */
#ifndef DRYDOCK_IMAGE_H
#define DRYDOCK_IMAGE_H

#include <drydock/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    DD_SOURCE_AUTO = 0,
    DD_SOURCE_DOCKER_ARCHIVE, /* `docker save` / `podman save` tarball, legacy or OCI-in-archive */
    DD_SOURCE_OCI_DIR,        /* OCI image layout directory */
    DD_SOURCE_OCI_ARCHIVE,    /* OCI image layout in a tarball */
    DD_SOURCE_ROOTFS,         /* unpacked root filesystem directory, one pseudo-layer */
} dd_source_kind;

typedef enum {
    DD_COMPRESSION_NONE = 0,
    DD_COMPRESSION_GZIP,
    DD_COMPRESSION_ZSTD,
} dd_compression;

/* "docker-archive", "oci-dir", "oci-archive", "dir"; the prefixes accepted by dd_image_open. */
const char *dd_source_kind_name(dd_source_kind kind);
const char *dd_compression_name(dd_compression c);

typedef struct {
    const char *key;
    const char *value;
} dd_kv;

typedef struct {
    const char *created;    /* RFC 3339 or NULL */
    const char *created_by; /* or NULL */
    const char *comment;    /* or NULL */
    const char *author;     /* or NULL */
    int empty_layer;
    int32_t layer; /* index of the layer this step made, -1 for empty steps */
} dd_history;

typedef struct {
    const char *const *test; /* e.g. {"CMD-SHELL", "curl -f http://localhost/"}; NULL when none */
    size_t n_test;
    int64_t interval_ns, timeout_ns, start_period_ns, start_interval_ns;
    int64_t retries;
} dd_healthcheck;

/* The image configuration (OCI image config / Docker container config). Every string may be
 * NULL when the image does not set it; arrays have their count beside them. */
typedef struct {
    const char *os, *architecture, *variant, *os_version;
    const char *created, *author;
    const char *user, *workdir, *stop_signal;
    const char *const *env; /* "KEY=VALUE" */
    size_t n_env;
    const char *const *entrypoint;
    size_t n_entrypoint;
    const char *const *cmd;
    size_t n_cmd;
    const char *const *shell;
    size_t n_shell;
    const char *const *exposed_ports; /* "80/tcp" */
    size_t n_exposed_ports;
    const char *const *volumes; /* "/data" */
    size_t n_volumes;
    const dd_kv *labels;
    size_t n_labels;
    const dd_healthcheck *healthcheck; /* NULL when the image has none */
    int entrypoint_set, cmd_set;       /* distinguishes an empty list from an absent one */
    const dd_history *history;
    size_t n_history;
    const char *const *diff_ids; /* rootfs.diff_ids, one per layer */
    size_t n_diff_ids;
} dd_image_config;

typedef struct {
    const char *digest;     /* compressed blob digest "sha256:<hex>"; NULL for a rootfs */
    const char *diff_id;    /* digest of the uncompressed tar; NULL for a rootfs */
    const char *media_type; /* as the manifest says, or NULL for a legacy docker-archive */
    const char *path;       /* where the blob is, inside the archive or directory */
    uint64_t size;          /* compressed size in bytes */
    dd_compression compression; /* detected from the blob's first bytes */
} dd_layer_desc;

typedef struct {
    dd_source_kind kind;
    const char *path;            /* file or directory opened */
    const char *manifest_digest; /* NULL where the source has no manifest (legacy archive) */
    const char *config_digest;   /* NULL for a rootfs */
    const char *const *tags;     /* repo tags or OCI ref names of the selected image */
    size_t n_tags;
    const char *platform;        /* "linux/amd64" or "linux/arm64/v8"; NULL when unknown */
} dd_image_identity;

typedef struct {
    const char *tag;      /* select the image with this tag or ref name; NULL for the only one */
    const char *platform; /* "os/arch[/variant]"; NULL when only one platform is present */
    dd_limits limits;
} dd_image_open_opts;

#define DD_IMAGE_OPEN_OPTS_INIT {NULL, NULL, DD_LIMITS_INIT}

typedef struct dd_image dd_image;

/* Opens `ref`: a path with an optional kind prefix ("docker-archive:", "oci-dir:",
 * "oci-archive:", "dir:") and, for archives and OCI directories, an optional ":TAG" suffix
 * (opts->tag wins when both are given). Reads and verifies the manifest (or index), the
 * config and the layer descriptors; layer contents are read later with dd_layer_reader_open.
 * Returns DD_OK and the caller's image in `*out`; DD_ENOTFOUND when the path, a blob, the tag
 * or the platform is missing (the message lists the choices when selection is ambiguous or
 * fails); DD_EINVALID for malformed documents or digest mismatches; DD_ELIMIT; DD_EIO; DD_ENOMEM. */
int dd_image_open(dd_image **out, const char *ref, const dd_image_open_opts *opts);

void dd_image_free(dd_image *img);

const dd_image_identity *dd_image_identity_get(const dd_image *img);
const dd_image_config *dd_image_config_get(const dd_image *img);
const dd_limits *dd_image_limits(const dd_image *img);

size_t dd_image_layer_count(const dd_image *img);
const dd_layer_desc *dd_image_layer(const dd_image *img, size_t index);

/* Directory of a DD_SOURCE_ROOTFS image (its single pseudo-layer is read from disk there);
 * NULL for every other kind. */
const char *dd_image_rootfs_dir(const dd_image *img);

/* A layer's uncompressed tar bytes as a stream. The blob's digest and the diff_id are checked
 * when the stream reaches its end: the final read returns DD_EINVALID on a mismatch, so a
 * caller must read to the end (dd_layer_reader_drain) before trusting what it parsed.
 * Readers of different layers of one image may be used from different threads at once. */
typedef struct dd_layer_reader dd_layer_reader;

int dd_layer_reader_open(dd_layer_reader **out, dd_image *img, size_t index);

/* Points `*buf` at up to the next chunk of uncompressed bytes and sets `*len` (0 at the end).
 * The buffer is valid until the next call. Returns DD_OK, DD_EINVALID (corrupt compressed
 * data, truncated blob, digest mismatch), DD_ELIMIT (layer size or ratio), DD_EIO. */
int dd_layer_reader_read(dd_layer_reader *r, const void **buf, size_t *len);

/* Reads to the end so the digests are checked. */
int dd_layer_reader_drain(dd_layer_reader *r);

uint64_t dd_layer_reader_compressed_bytes(const dd_layer_reader *r);
uint64_t dd_layer_reader_uncompressed_bytes(const dd_layer_reader *r);

void dd_layer_reader_free(dd_layer_reader *r);

#ifdef __cplusplus
}
#endif

#endif
