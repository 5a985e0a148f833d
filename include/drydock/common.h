/* Errors, limits and the allocation hook that every drydock module shares. */
#ifndef DRYDOCK_COMMON_H
#define DRYDOCK_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DD_VERSION_MAJOR  0
#define DD_VERSION_MINOR  1
#define DD_VERSION_PATCH  0
#define DD_VERSION_STRING "0.1.0"

/* Every fallible library call returns one of these; the one-line message that explains the
 * failure (naming the file and position) is kept per thread and read with dd_error_message(). */
typedef enum {
    DD_OK = 0,
    DD_ERROR = -1,
    DD_ENOMEM = -2,
    DD_EIO = -3,
    DD_EINVALID = -4, /* malformed input */
    DD_ENOTFOUND = -5,
    DD_EUNSUPPORTED = -6,
    DD_ELIMIT = -7, /* size, count or depth limit: bomb defence */
    DD_EPERM = -8,  /* not allowed: a credential of too low a scope */
} dd_error_t;

/* The message of the last error set on this thread; "" when none. Borrowed: valid until the
 * next drydock call on this thread. */
const char *dd_error_message(void);

/* The last error code set on this thread (DD_OK when none). */
int dd_error_code(void);

/* Clears this thread's error. */
void dd_error_clear(void);

/* Sets this thread's error and returns `code`, so a failure reads `return dd_error_set(...)`. */
int dd_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefixes this thread's current message with "<prefix>: " and returns the current code. */
int dd_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Short name of an error code ("invalid input", "limit exceeded", ...). */
const char *dd_error_name(int code);

/* Bounds that every reader honours, from one place, so hostile input fails with DD_ELIMIT
 * instead of exhausting memory or time. */
typedef struct {
    uint64_t max_blob_bytes;      /* manifest, index or config document */
    uint64_t max_layer_bytes;     /* uncompressed bytes of one layer */
    uint64_t max_image_bytes;     /* uncompressed bytes of all layers together */
    uint64_t max_entries;         /* tar entries in one image, all layers together */
    uint64_t max_capture_bytes;   /* bytes kept of one captured file */
    uint32_t max_ratio;           /* uncompressed:compressed, enforced past ratio_grace bytes */
    uint64_t ratio_grace;         /* output size below which the ratio is not checked */
    uint32_t max_path_len;        /* bytes of one path */
    uint32_t max_path_depth;      /* components of one path */
    uint32_t max_layers;          /* layers of one image */
    uint32_t max_manifest_depth;  /* index -> index -> manifest nesting */
    uint32_t max_symlink_hops;    /* symlinks followed while resolving one path */
} dd_limits;

#define DD_LIMITS_INIT                                                                             \
    {                                                                                              \
        .max_blob_bytes = 16u << 20, .max_layer_bytes = 16ull << 30,                               \
        .max_image_bytes = 64ull << 30, .max_entries = 4u << 20,                                   \
        .max_capture_bytes = 64u << 20, .max_ratio = 500, .ratio_grace = 16u << 20,                \
        .max_path_len = 4096, .max_path_depth = 256, .max_layers = 1024,                           \
        .max_manifest_depth = 8, .max_symlink_hops = 40                                            \
    }

/* Fills `out` with the defaults of DD_LIMITS_INIT. */
void dd_limits_default(dd_limits *out);

/* Allocation hook: every library allocation goes through these. Tests install a hook that
 * fails the Nth call. Passing NULL restores the libc allocator. Not thread-safe: set it
 * before any other drydock call. */
typedef struct {
    void *(*malloc_fn)(size_t size, void *payload);
    void *(*realloc_fn)(void *ptr, size_t size, void *payload);
    void (*free_fn)(void *ptr, void *payload);
    void *payload;
} dd_allocator;

void dd_set_allocator(const dd_allocator *alloc);

void *dd_malloc(size_t size);
void *dd_calloc(size_t n, size_t size);
void *dd_realloc(void *ptr, size_t size);
void dd_free(void *ptr);
char *dd_strdup(const char *s);
char *dd_strndup(const char *s, size_t n);

/* Version string of the library ("0.1.0"). */
const char *dd_version(void);

#ifdef __cplusplus
}
#endif

#endif
