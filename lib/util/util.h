/* Internal helpers shared by every module: growable buffers, arenas, SHA-256, paths. */
#ifndef DD_UTIL_H
#define DD_UTIL_H

#include <drydock/common.h>
#include <drydock/json.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Growable byte buffer: `data` is never NULL and always NUL-terminated; growth past `cap`
 * (0 = unbounded) fails with DD_ELIMIT. Embedded: release with dd_buf_dispose. */
typedef struct {
    char *data;
    size_t len;
    size_t alloc;
    size_t cap;
} dd_buf;

extern char dd_buf__empty[1];
#define DD_BUF_INIT                                                                                \
    {                                                                                              \
        dd_buf__empty, 0, 0, 0                                                                     \
    }

int dd_buf_grow(dd_buf *b, size_t extra);
int dd_buf_put(dd_buf *b, const void *data, size_t len);
int dd_buf_puts(dd_buf *b, const char *s);
int dd_buf_putc(dd_buf *b, char c);
int dd_buf_printf(dd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dd_buf_vprintf(dd_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void dd_buf_clear(dd_buf *b);
/* Hands the bytes to the caller (free with dd_free) and resets the buffer. */
char *dd_buf_detach(dd_buf *b, size_t *len);
void dd_buf_dispose(dd_buf *b);

/* Appends `doc` (an object or array) as JSON text, byte for byte what jansson's json_dumps
 * writes with JSON_PRESERVE_ORDER and JSON_COMPACT (indent 0) or JSON_INDENT(indent); no
 * trailing newline. DD_ELIMIT past 2,048 levels of nesting; the buffer is unchanged on error. */
struct json_t;
int dd_json_dump(dd_buf *out, const struct json_t *doc, unsigned indent);

/* Bump allocator: many small allocations freed at once. Not thread-safe; one per thread. */
typedef struct dd_arena dd_arena;

int dd_arena_new(dd_arena **out);
void dd_arena_free(dd_arena *a);
void *dd_arena_alloc(dd_arena *a, size_t size); /* 16-byte aligned, NULL on ENOMEM */
char *dd_arena_strdup(dd_arena *a, const char *s);
char *dd_arena_strndup(dd_arena *a, const char *s, size_t n);
size_t dd_arena_bytes(const dd_arena *a);

/* A parsed JSON document (json_tree.c): a read-only tree in an arena, for readers that take a
 * few members of large documents (SBOMs, package manifests). */
typedef enum {
    DD_JV_NULL = 0,
    DD_JV_FALSE,
    DD_JV_TRUE,
    DD_JV_NUMBER,
    DD_JV_STRING,
    DD_JV_ARRAY,
    DD_JV_OBJECT,
} dd_jtype;

typedef struct dd_jmember dd_jmember;

typedef struct dd_jv {
    dd_jtype type;
    size_t n; /* string length, array items, object members */
    union {
        const char *s; /* NUL-terminated, never holds a NUL */
        const struct dd_jv *items;
        const dd_jmember *members;
    } u;
} dd_jv;

struct dd_jmember {
    const char *key;
    dd_jv value;
};

/* Parses `data` as jansson does with its default flags (an object or array at the top, strict
 * UTF-8, no \u0000, integers within 64 bits) into a tree allocated in `a`. DD_EINVALID
 * "PATH:LINE:COLUMN: invalid JSON: TEXT" (jansson's message) when it is not JSON, DD_ENOMEM. */
int dd_json_parse(const dd_jv **out, dd_arena *a, const char *path, const char *data, size_t len);
/* Member `key` of object `o` (the last of repeated keys); NULL when `o` is not an object or has
 * no such member. */
const dd_jv *dd_jv_get(const dd_jv *o, const char *key);
/* The text of string `v`, NULL when `v` is not a string. */
const char *dd_jv_str(const dd_jv *v);
/* Items of array `v` (0 when it is not an array), and item `i` (NULL past the end). */
size_t dd_jv_len(const dd_jv *v);
const dd_jv *dd_jv_at(const dd_jv *v, size_t i);

/* The string member `key` of `o`, NULL when absent or not a string. */
const char *dd_jv_get_str(const dd_jv *o, const char *key);

#define DD_JV_IS(v, t) ((v) && (v)->type == (t))

/* FNV-1a over a NUL-terminated string, continuing from `h` (DD_FNV1A_INIT to start): the hash
 * of the in-memory tables keyed by text. */
#define DD_FNV1A_INIT 0xcbf29ce484222325ull

static inline uint64_t dd_fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

/* n bytes from the kernel's random number generator (getrandom), waiting for it to be seeded. */
int dd_random_bytes(void *buf, size_t n);

/* SHA-256 through Nettle. */
typedef struct dd_sha256 dd_sha256;

int dd_sha256_new(dd_sha256 **out);
void dd_sha256_update(dd_sha256 *h, const void *data, size_t len);
/* Writes "sha256:<64 hex>" and a NUL into `out`. */
void dd_sha256_final_digest(dd_sha256 *h, char out[72]);
void dd_sha256_free(dd_sha256 *h);
/* One-shot: "sha256:<hex>" of a buffer. */
int dd_sha256_digest(char out[72], const void *data, size_t len);

/* True for "sha256:" followed by 64 lowercase hex digits. */
bool dd_digest_valid(const char *digest);

/* Normalises a tar member or relative path in place: strips leading "./" and "/", collapses
 * "//" and "/./", drops a trailing "/". Returns DD_EINVALID for a ".." component (the message
 * is left to the caller) and sets *was_absolute when the name started with "/". An empty result
 * means the root itself. */
int dd_path_normalize(char *path, bool *was_absolute);

/* Number of "/"-separated components of a normalised path (0 for ""). */
size_t dd_path_depth(const char *path);

/* Reads a whole file into `out` (bounded by `max_bytes`). DD_ENOTFOUND, DD_EIO, DD_ELIMIT. */
int dd_read_file(dd_buf *out, const char *path, uint64_t max_bytes);

/* pread(2) until `n` bytes or the end of the file; `*got` is what was read. Returns 0, or -1
 * with errno set on an I/O error. */
int dd_pread_full(int fd, void *buf, size_t n, uint64_t offset, size_t *got);

/* Makes room for at least `need` elements of `elem_size` bytes in the array `*items` of
 * capacity `*alloc` (doubling, from `initial`). Returns DD_OK or DD_ENOMEM with the message set;
 * the array is unchanged on failure. Call it through DD_ARRAY_RESERVE, which assigns the grown
 * pointer back to the typed array. */
int dd_array_reserve(void **items, size_t *alloc, size_t need, size_t elem_size, size_t initial);

#define DD_ARRAY_RESERVE(arr, alloc, need, elem_size, initial)                                     \
    ({                                                                                             \
        void *dd__items = (arr);                                                                   \
        int dd__rc = dd_array_reserve(&dd__items, &(alloc), (need), (elem_size), (initial));       \
        (arr) = dd__items;                                                                         \
        dd__rc;                                                                                    \
    })

struct fy_token;
/* The text of a libfyaml token (a scalar, anchor or alias), copied into `a`; "" for NULL or
 * a token the parser found damaged (it reports that itself), NULL when out of memory. Read
 * through fy_token_iter: fy_token_get_text of libfyaml 0.7.12 leaks the buffer it builds for
 * some quoted scalars (found by fuzzing). */
const char *dd_yaml_token_text(dd_arena *a, struct fy_token *t, size_t *len);

/* One function of a library loaded at first use: its name, and the offset of its pointer in
 * the caller's table of function pointers. */
typedef struct {
    const char *name;
    size_t off;
} dd_dl_sym;

/* A library loaded at first use: its soname, the Debian package that ships it (named in the
 * error), the functions to resolve and the table they go into. Define one per library with
 * DD_DL_LIB and load it with dd_dl_require. */
typedef struct {
    const char *soname, *package;
    const dd_dl_sym *syms;
    size_t n_syms;
    void *table;
    size_t table_size;
    pthread_mutex_t mu;
    atomic_int state; /* 0 not tried yet, 1 loaded, -1 failed (err says why) */
    char err[256];
} dd_dl_lib;

#define DD_DL_LIB(soname, package, syms, table)                                                    \
    {                                                                                              \
        soname, package, syms, sizeof(syms) / sizeof((syms)[0]), &(table), sizeof(table),          \
            PTHREAD_MUTEX_INITIALIZER, 0, ""                                                       \
    }

/* dlopen()s the library once per process and resolves all of its functions into its table,
 * all or nothing. DD_EUNSUPPORTED with dlopen's reason and the package to install when it
 * cannot; the same answer on every later call. Thread-safe. */
int dd_dl_require(dd_dl_lib *lib);

/* Number of online CPUs (at least 1). */
unsigned dd_cpu_count(void);

/* Thread error state, to carry a worker's failure back to the thread that waits for it. */
typedef struct {
    int code;
    char message[512];
} dd_error_state;

void dd_error_save(dd_error_state *out);
int dd_error_restore(const dd_error_state *st);

#endif
