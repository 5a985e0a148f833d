/* One streaming pass over every layer of an image: the squashed filesystem a container sees,
 * the files upper layers hide, captured file contents and a hook over every file's bytes. */
#ifndef DRYDOCK_WALK_H
#define DRYDOCK_WALK_H

#include <drydock/common.h>
#include <drydock/image.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    DD_FT_REG = 0,
    DD_FT_DIR,
    DD_FT_SYMLINK,
    DD_FT_HARDLINK, /* `link` names the file it shares data with; `size` is that file's size */
    DD_FT_CHAR,
    DD_FT_BLOCK,
    DD_FT_FIFO,
    DD_FT_SOCK,
} dd_file_type;

/* "file", "dir", "symlink", "hardlink", "char", "block", "fifo", "socket". */
const char *dd_file_type_name(dd_file_type t);

typedef enum {
    DD_HIDDEN_NONE = 0,
    DD_HIDDEN_DELETED,  /* a whiteout `.wh.NAME` in an upper layer */
    DD_HIDDEN_OPAQUE,   /* an opaque directory `.wh..wh..opq` in an upper layer */
    DD_HIDDEN_REPLACED, /* an upper layer wrote the same path again */
} dd_hidden_reason;

const char *dd_hidden_reason_name(dd_hidden_reason r);

/* One filesystem entry. Paths are relative to the image root, normalised, without a leading
 * "/" or "./" ("etc/os-release"). All strings live as long as the walk. */
typedef struct {
    const char *path;
    const char *link; /* symlink target as written, or hard-link target path; NULL otherwise */
    dd_file_type type;
    uint32_t mode; /* permission bits with setuid, setgid and sticky (07777) */
    uint32_t uid, gid;
    uint64_t size; /* bytes of a regular file (or of a hard link's target); 0 otherwise */
    int64_t mtime;
    uint32_t devmajor, devminor;
    uint32_t layer;             /* index of the layer that wrote this entry */
    uint32_t hidden_by;         /* layer that hid it; meaningful when hidden != NONE */
    dd_hidden_reason hidden;    /* DD_HIDDEN_NONE for entries of the squashed view */
    int implicit;               /* directory no layer listed, implied by a path below it */
} dd_entry;

/* Called with the bytes of every regular file of every layer, hidden ones included, in order
 * of `offset`, then once with data == NULL and len == 0 when the file ends. Calls for different
 * layers may come from different threads at the same time; calls for one file come from one
 * thread. A non-zero return stops the walk with that code. */
typedef int (*dd_content_hook)(const dd_entry *entry, uint64_t offset, const void *data,
                               size_t len, void *payload);

typedef struct {
    dd_limits limits;
    unsigned threads; /* layers decoded at once; 0 = one per online CPU */
} dd_walk_opts;

#define DD_WALK_OPTS_INIT {DD_LIMITS_INIT, 0}

typedef struct dd_walk dd_walk;

int dd_walk_new(dd_walk **out, const dd_walk_opts *opts);
void dd_walk_free(dd_walk *w);

/* Asks the walk to keep the contents (up to `max_bytes`, capped by limits.max_capture_bytes)
 * of every regular file whose path matches `glob` (fnmatch(3) with FNM_PATHNAME off: "*"
 * crosses "/", so "**" and "*" behave alike; no leading "/"). Call before dd_walk_run. */
int dd_walk_capture(dd_walk *w, const char *glob, uint64_t max_bytes);

/* Installs the content hook; call before dd_walk_run. */
void dd_walk_set_content_hook(dd_walk *w, dd_content_hook hook, void *payload);

/* --- extracts: what an extractor keeps of files chosen by their first bytes --- */

/* What an extractor is told about one file, and tells the walk back. */
typedef struct {
    const dd_entry *entry;
    /* Any range can be asked for, in any order (a file of a directory root that nothing else
     * reads). Otherwise the file streams once from its start: a range behind the last bytes
     * handed over is never handed over again. */
    int seekable;
    /* Preset before each call to go on where the call's bytes end; the extractor moves them to
     * the bytes it wants next. want_len == 0: it wants nothing more. */
    uint64_t want_offset, want_len;
    void *state;  /* the extractor's own, NULL at the first call */
    void *opaque; /* the walk's */
} dd_walk_extract_ctx;

/* Called, on the worker thread of the file's layer, with bytes of a regular file that starts
 * with the extractor's magic (the first call has offset 0), then once with data == NULL to
 * finish: it keeps its result with dd_walk_extract_keep and frees x->state there. A non-zero
 * return stops the walk (keep it for DD_ENOMEM: a damaged file is the extract's business, not
 * the walk's). */
typedef int (*dd_walk_extractor)(dd_walk_extract_ctx *x, uint64_t offset, const void *data,
                                 size_t len, void *payload);

/* Registers an extractor for every regular file (of every layer, hidden ones included) whose
 * permission bits share one with `mode_any` (0: every file), whose base name matches one of the
 * fnmatch globs `names` (NULL-terminated; NULL: every name) and whose first `magic_len` bytes
 * (1 to 16) are `magic`; the first registered extractor whose magic matches gets the file. Files
 * that no extractor's mode and names admit are never opened for their magic.
 * Checking the magic reads the file's first magic_len bytes; what else is read is what the
 * extractor asks for. On a directory root in captures-only mode every directory is then
 * listed and every regular file stat'ed. Call before dd_walk_run. */
int dd_walk_extract(dd_walk *w, const void *magic, size_t magic_len, uint32_t mode_any,
                    const char *const *names, dd_walk_extractor fn, void *payload);

/* Appends to the extract of the file (up to limits.max_capture_bytes: DD_ELIMIT past it). */
int dd_walk_extract_keep(dd_walk_extract_ctx *x, const void *data, size_t len);

/* The extract of `entry` (a hard link shares its target's), NUL-terminated (the NUL not counted
 * in *len). DD_ENOTFOUND when there is none. */
int dd_walk_extracted(const dd_walk *w, const dd_entry *entry, const void **data, size_t *len);

/* Declares that the caller reads only captured contents, looking them up by paths a capture
 * glob matches (dd_walk_lookup, dd_walk_resolve). A source that can skip what it does not
 * read, a root filesystem directory, then opens only the directories below which a glob can
 * match and stats only the entries a glob can match or lead through (directories, symlinks):
 * the view, dd_walk_count and the layer stats cover that part of the tree, and a symlink
 * whose target lies outside it resolves to DD_ENOTFOUND. Image layers are tar streams read
 * whole: their view stays complete, and so does a walk with a content hook, which sees every
 * file. Off by default; call before dd_walk_run. */
void dd_walk_set_captures_only(dd_walk *w, int on);

/* Reads every layer of `img` once (in parallel where opts.threads allows), verifies their
 * digests and builds the squashed view. Returns DD_OK; DD_EINVALID with a message naming the
 * layer and entry (corrupt tar, "../" or absolute names, digest mismatch); DD_ELIMIT; DD_EIO;
 * DD_ENOMEM; or a content hook's code. */
int dd_walk_run(dd_walk *w, dd_image *img);

/* The squashed view, sorted by path (bytewise). */
size_t dd_walk_count(const dd_walk *w);
const dd_entry *dd_walk_entry(const dd_walk *w, size_t index);
const dd_entry *dd_walk_lookup(const dd_walk *w, const char *path);

/* Follows symlinks (relative and absolute, in every path component) inside the image root the
 * way the kernel would with the root as "/". Returns DD_OK with the final entry,
 * DD_ENOTFOUND, or DD_ELIMIT on a loop (more than limits.max_symlink_hops). */
int dd_walk_resolve(const dd_walk *w, const char *path, const dd_entry **out);

/* Entries hidden by an upper layer (deleted, under an opaque directory, or replaced), sorted
 * by path, then layer. */
size_t dd_walk_hidden_count(const dd_walk *w);
const dd_entry *dd_walk_hidden(const dd_walk *w, size_t index);

/* Captured contents of `entry` (of the squashed view or a hidden one). DD_ENOTFOUND when the
 * entry matched no capture glob. `*truncated` (may be NULL) is set when the file was larger
 * than the capture's max_bytes. */
int dd_walk_content(const dd_walk *w, const dd_entry *entry, const void **data, size_t *len,
                    int *truncated);

typedef struct {
    uint64_t entries;           /* tar entries in the layer, whiteout markers included */
    uint64_t compressed_bytes;  /* blob bytes read */
    uint64_t uncompressed_bytes;
    uint64_t whiteouts, opaque_dirs;
} dd_layer_stats;

size_t dd_walk_layer_count(const dd_walk *w);
const dd_layer_stats *dd_walk_layer_stats(const dd_walk *w, size_t index);

#ifdef __cplusplus
}
#endif

#endif
