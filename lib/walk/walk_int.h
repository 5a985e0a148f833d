/* Private interface of the walk module: layer sources, per-layer records, the squash tree. */
#ifndef DD_WALK_INT_H
#define DD_WALK_INT_H

#include <drydock/walk.h>

#include "util/util.h"

#include <archive.h>

#include <stdatomic.h>
#include <stdbool.h>

/* ---- layer sources: where the tar bytes of each layer come from ---- */

/* A stream of uncompressed tar bytes per layer. dd_walk_run wraps the image's layer readers in
 * one; tests and the fuzz target feed memory buffers through dd_walk__run_buffers. `open`,
 * `read`, `drain` and `close` of different layers are called from different threads at once. */
typedef struct {
    const char *name; /* the image path, first word of every message */
    size_t n_layers;
    int (*open)(void *payload, size_t index, void **reader);
    /* Points *buf at the next bytes and sets *len; *len == 0 at the end. */
    int (*read)(void *reader, const void **buf, size_t *len);
    /* Reads to the end so that digests are checked. */
    int (*drain)(void *reader);
    /* Reports the byte counts and releases the reader (NULL accepted). */
    void (*close)(void *reader, uint64_t *compressed, uint64_t *uncompressed);
    /* "sha256:..." naming layer `index` in messages, or NULL. */
    const char *(*digest)(void *payload, size_t index);
    void *payload;
} dd_walk__source;

/* Parses every layer of `src` (in parallel), then squashes. The work of dd_walk_run. */
int dd_walk__run_source(dd_walk *w, const dd_walk__source *src);

/* Runs the walk over `n` in-memory tar layers, handing them to the parser `chunk` bytes at a
 * time (0 = 64 KiB). `name` stands for the image path in messages. */
int dd_walk__run_buffers(dd_walk *w, const char *name, const void *const *bufs, const size_t *lens,
                         size_t n, size_t chunk);

/* Runs the walk over the directory `dir` read from disk as the single layer (no whiteout
 * semantics). `name` stands for the image path in messages (NULL: `dir`). */
int dd_walk__run_rootfs(dd_walk *w, const char *dir, const char *name);

/* Returned by a worker that stopped because another one failed; never leaves the module. */
#define DD_WALK__STOPPED 1

/* ---- per-layer records ---- */

enum {
    DD_WALK__REC_ENTRY = 0, /* an entry of the view */
    DD_WALK__REC_WHITEOUT,  /* `.wh.NAME`: e.path is the deleted path */
    DD_WALK__REC_OPAQUE,    /* `.wh..wh..opq`: e.path is the opaque directory */
};

typedef struct dd_walk__rec dd_walk__rec;
struct dd_walk__rec {
    dd_entry e; /* first, so a `const dd_entry *` handed out converts back */
    dd_walk__rec *next;
    dd_walk__rec *target; /* a hard link's target record, set by the squash */
    unsigned char *data;  /* captured bytes (layer arena), NUL-terminated; NULL when none */
    size_t len;
    unsigned char *xdata; /* the extract (layer arena); NULL when none */
    size_t xlen;
    uint8_t kind;
    uint8_t captured, truncated;
};

typedef struct {
    dd_arena *arena; /* records, strings and captures of this layer */
    dd_walk__rec *head, *tail;
    size_t n_recs;
    dd_layer_stats stats;
    char *label; /* "IMAGE: layer N (sha256:...)", dd_malloc'd */
} dd_walk__layer;

typedef struct {
    char *glob;
    const char *tail; /* literal suffix every match ends with (inside glob) */
    size_t tail_len;
    uint64_t max_bytes;
} dd_walk__capture;

#define DD_WALK__MAGIC_MAX 16

/* A base-name glob of an extractor; "*" and literal text ("*.jar") is matched as a suffix. */
typedef struct {
    const char *glob;   /* the caller's, static */
    const char *suffix; /* inside glob; NULL when fnmatch must decide */
    size_t suffix_len;
} dd_walk__name;

typedef struct {
    unsigned char magic[DD_WALK__MAGIC_MAX];
    size_t magic_len;
    uint32_t mode_any;
    dd_walk__name *names; /* n_names base-name globs (dd_malloc'd); none: any name */
    size_t n_names;
    dd_walk_extractor fn;
    void *payload;
} dd_walk__extractor;

/* ---- squash tree (squash.c) ---- */

typedef struct dd_walk__node dd_walk__node;
struct dd_walk__node {
    dd_walk__node *parent, *first_child, *prev_sibling, *next_sibling;
    dd_walk__node *hash_next;
    const char *name; /* not NUL-terminated: points into some record's path */
    uint32_t name_len;
    uint32_t hash;
    dd_walk__rec *cur; /* the visible entry; NULL only for the root */
};

typedef struct {
    dd_arena *arena; /* nodes and implicit directory records */
    dd_walk__node root;
    dd_walk__node **buckets;
    size_t n_buckets, n_nodes;
    dd_walk__rec **hidden; /* dd_malloc'd, grows */
    size_t n_hidden, hidden_alloc;
    /* the directory of the previous entry, to skip the walk from the root */
    const char *cache_dir;
    size_t cache_len;
    dd_walk__node *cache_node;
} dd_walk__tree;

struct dd_walk {
    dd_walk_opts opts;
    dd_walk__capture *captures;
    size_t n_captures;
    dd_content_hook hook;
    void *hook_payload;
    dd_walk__extractor *extractors;
    size_t n_extractors;
    bool captures_only; /* dd_walk_set_captures_only: sources may skip the rest */
    bool ran;

    dd_walk__layer *layers;
    size_t n_layers;
    atomic_uint_fast64_t n_entries;   /* across layers, against limits.max_entries */
    atomic_uint_fast64_t image_bytes; /* uncompressed, across layers, against max_image_bytes */

    dd_walk__tree tree;
    dd_walk__rec **files; /* squashed view, sorted by path */
    size_t n_files;
};

/* What libarchive's read callback pulls a layer's bytes from; a failed read leaves its error
 * here so the parser reports it instead of libarchive's. */
typedef struct {
    const dd_walk__source *src;
    void *reader;
    dd_walk *walk; /* whose image_bytes the layer's bytes count against */
    bool failed;
    dd_error_state err;
} dd_walk__feed;

/* Parses the tar entries of `a`, fed by `feed`, into `layer`. Returns DD_OK at the end of the
 * archive, DD_WALK__STOPPED when `stop` was raised, or an error with its message set. */
int dd_walk__parse_layer(dd_walk *w, dd_walk__layer *layer, struct archive *a, dd_walk__feed *feed,
                         atomic_bool *stop);

/* Reads the directory `dir` from disk into `layer` (no whiteout semantics; a second path of
 * an inode becomes a hard link to the first). DD_EIO when something cannot be read. */
int dd_walk__parse_rootfs(dd_walk *w, dd_walk__layer *layer, const char *dir);

/* The libarchive read callback over a dd_walk__feed. */
la_ssize_t dd_walk__feed_read(struct archive *a, void *feed, const void **buf);

/* Squash: builds w->tree, w->files and the hidden list from w->layers. */
int dd_walk__squash(dd_walk *w);
void dd_walk__tree_dispose(dd_walk__tree *t);
/* The child `name` (len bytes) of `parent`, or NULL. */
dd_walk__node *dd_walk__tree_child(const dd_walk__tree *t, const dd_walk__node *parent,
                                   const char *name, size_t len);

#endif
