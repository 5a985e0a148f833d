/* Private interface of the image module: the outer tar index, blob stores, document parsers. */
#ifndef DD_IMAGE_INT_H
#define DD_IMAGE_INT_H

#include <drydock/image.h>

#include "util/util.h"

#include <stdbool.h>
#include <stdio.h>

/* ---- outer tar index (tarindex.c) ---- */

typedef struct {
    const char *name; /* normalised member name */
    const char *link; /* link target as written for '1' and '2'; NULL otherwise */
    uint64_t offset;  /* first data byte in the archive */
    uint64_t size;    /* data bytes (0 for links and directories) */
    char type;        /* tar typeflag: '0' file, '1' hard link, '2' symlink, '5' dir, ... */
    uint32_t ordinal; /* position in the archive, so the last duplicate wins */
} dd_tar_member;

typedef struct dd_tarindex dd_tarindex;

/* Reads every header of the uncompressed tar on `fd` (not owned; read with pread only) and
 * indexes the members by normalised name. `archive` names the file in messages. Returns
 * DD_EINVALID for a bad checksum, a truncated archive or a size beyond the file,
 * DD_ELIMIT past limits->max_entries or max_path_len, DD_EIO. When the very first header is
 * not a tar header the code is DD_EINVALID and *not_tar is set. */
int dd_image__tarindex_open(dd_tarindex **out, int fd, const char *archive, const dd_limits *lim,
                            bool *not_tar);
void dd_image__tarindex_free(dd_tarindex *t);
size_t dd_image__tarindex_count(const dd_tarindex *t);
const dd_tar_member *dd_image__tarindex_at(const dd_tarindex *t, size_t i);
/* The member named `name` (normalised here) without following links; NULL when absent. */
const dd_tar_member *dd_image__tarindex_find(const dd_tarindex *t, const char *name);
/* The regular-file member that `name` designates, following symlinks and hard links between
 * members (at most limits->max_symlink_hops). DD_ENOTFOUND naming the archive and member,
 * DD_EINVALID for a link loop or a member that is not a regular file. */
int dd_image__tarindex_resolve(const dd_tarindex *t, const char *name, const dd_tar_member **out);

/* ---- blob store: a directory or an indexed tar (store.c) ---- */

typedef struct {
    const char *root;   /* the directory or archive path, for messages and joins */
    int fd;             /* archive descriptor, -1 for a directory */
    dd_tarindex *tar;   /* NULL for a directory */
    const dd_limits *limits;
} dd_image__store;

/* Where a blob's bytes are: a file of its own (`file` set, the whole file) or a range of the
 * archive descriptor. */
typedef struct {
    char *file;      /* full path, owned by the image arena; NULL inside an archive */
    uint64_t offset; /* in the archive */
    uint64_t size;
} dd_image__loc;

bool dd_image__store_exists(const dd_image__store *s, const char *name);
/* Locates blob `name` (relative to the store). DD_ENOTFOUND names the store and blob. */
int dd_image__store_locate(const dd_image__store *s, const char *name, dd_arena *a,
                           dd_image__loc *out);
/* Reads a whole small blob into `out`, bounded by limits->max_blob_bytes. */
int dd_image__store_read(const dd_image__store *s, const char *name, dd_buf *out);
/* Reads up to `n` leading bytes of a located blob; sets *got. */
int dd_image__store_peek(const dd_image__store *s, const dd_image__loc *loc, void *buf, size_t n,
                         size_t *got);

/* ---- documents (json.c) ---- */

typedef struct {
    const char *media_type;
    const char *digest;
    int64_t size; /* -1 when absent */
    const char *platform;   /* "os/arch[/variant]" from descriptor.platform, or NULL */
    const char *ref_name;   /* org.opencontainers.image.ref.name */
    const char *image_name; /* io.containerd.image.name */
    bool attestation;       /* vnd.docker.reference.type = attestation-manifest */
} dd_image__desc;

typedef struct {
    dd_image__desc *items;
    size_t n;
} dd_image__desc_list;

/* Which document a media type designates. */
typedef enum {
    DD_DOC_UNKNOWN = 0,
    DD_DOC_INDEX,
    DD_DOC_MANIFEST,
} dd_image__doc_kind;

dd_image__doc_kind dd_image__media_kind(const char *media_type);

/* An OCI image index / Docker manifest list ("manifests"). `what` prefixes every message. */
int dd_image__parse_index(dd_image__desc_list *out, dd_arena *a, const void *data, size_t len,
                          const char *what);

/* An OCI image manifest / Docker schema2 manifest. */
int dd_image__parse_manifest(dd_image__desc *config, dd_image__desc_list *layers, dd_arena *a,
                             const void *data, size_t len, const char *what,
                             const dd_limits *lim);

/* The kind a document without a media type declares by its shape or its own mediaType. */
dd_image__doc_kind dd_image__sniff_kind(const void *data, size_t len);

/* One entry of a docker-archive manifest.json. */
typedef struct {
    const char *config;
    const char *const *tags;
    size_t n_tags;
    const char *const *layers;
    size_t n_layers;
} dd_image__docker_entry;

int dd_image__parse_docker_manifest(dd_image__docker_entry **out, size_t *n_out, dd_arena *a,
                                    const void *data, size_t len, const char *what,
                                    const dd_limits *lim);

/* The image config (config.c). Strings are copied into `a`. */
int dd_image__parse_config(dd_image_config *out, dd_arena *a, const void *data, size_t len,
                           const char *what);

/* Whether `a` names the same image reference as the wanted `want` tag (tag.c). */
bool dd_image__tag_matches(const char *candidate, const char *want);
/* Whether platform `have` ("os/arch[/variant]") satisfies `want`. */
bool dd_image__platform_matches(const char *have, const char *want);

/* ---- the image (image.c, docker.c, oci.c) ---- */

struct dd_image {
    dd_arena *arena;
    dd_limits limits;
    dd_image_identity id;
    dd_image_config config;
    dd_layer_desc *layers;
    dd_image__loc *locs;
    size_t n_layers;
    int fd; /* archive, -1 for directories */
    dd_tarindex *tar;
    dd_image__store store;
    const char *rootfs_dir;
};

/* Fill img->id (except kind and path), config, layers and locs. `tag` and `platform` select. */
int dd_image__open_docker(dd_image *img, const char *tag, const char *platform);
int dd_image__open_oci(dd_image *img, const char *tag, const char *platform);

/* Detects the compression of a located blob from its first bytes. */
int dd_image__detect_compression(dd_image *img, const dd_image__loc *loc, dd_compression *out);

/* Reads, bounds and verifies a blob against an expected digest (and size when >= 0). */
int dd_image__read_verified(dd_image *img, const char *name, const char *digest, int64_t size,
                            const char *what, dd_buf *out);

/* "blobs/sha256/<hex>" for a valid digest, in the arena; DD_EUNSUPPORTED/EINVALID otherwise. */
int dd_image__blob_path(dd_image *img, const char *digest, const char **out);

/* "os/arch[/variant]" from a parsed config, in the arena; NULL when the config has no os. */
const char *dd_image__config_platform(dd_arena *a, const dd_image_config *cfg);

/* Short form "sha256:0123456789ab" of a digest for messages, into `buf`. */
const char *dd_image__short_digest(const char *digest, char buf[24]);

#endif
