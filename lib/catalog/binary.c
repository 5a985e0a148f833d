/* ELF binaries in the walk: the extractor that keeps, of every executable ELF file, what the Go
 * and Rust catalogers read (the Go build info, the cargo-auditable .dep-v0 section), reading no
 * more of the file than that where the walk lets it choose. */
#include "catalog/elf_int.h"

#include <stdlib.h>
#include <string.h>

#define ELF_MAGIC                                                                                  \
    "\x7f"                                                                                         \
    "ELF"

/* A .dep-v0 section larger than this is not kept (cargo-auditable's are a few KiB). */
#define DEP_V0_MAX (8u << 20)

/* Streamed files: what is kept while the bytes go by (see keep_ranges) is bounded by this. */
#define STREAM_KEEP_MAX  (64u << 20)
#define STREAM_HEAD      (64u << 10)  /* the first bytes: header, program headers, notes */
#define STREAM_TAIL      (64u << 10)  /* the last bytes: Go's section name table */
#define STREAM_BEFORE_SH (256u << 10) /* before the section headers: names, added sections */

/* Files read where the extractor asks: each range asked for is at least this long. */
#define SEEK_MIN_READ   (16u << 10)
#define SEEK_MAX_ROUNDS 64

static int put_record(dd_buf *out, int tag, const void *data, size_t len)
{
    unsigned char h[5] = {(unsigned char)tag, (unsigned char)len, (unsigned char)(len >> 8),
                          (unsigned char)(len >> 16), (unsigned char)(len >> 24)};
    int rc;

    if (len > UINT32_MAX)
        return dd_error_set(DD_ELIMIT, "record of %zu bytes", len);
    if ((rc = dd_buf_put(out, h, sizeof(h))) != DD_OK)
        return rc;
    return dd_buf_put(out, data, len);
}

/* A warning record from the current error message. */
static int put_warning(dd_buf *out, int tag)
{
    const char *msg = dd_error_message();
    int rc = put_record(out, tag, msg, strlen(msg));

    if (rc == DD_OK)
        dd_error_clear();
    return rc;
}

int dd_binary__next(const unsigned char *data, size_t len, size_t *pos, int *tag,
                    const unsigned char **rec, size_t *rec_len)
{
    size_t n;

    if (*pos >= len)
        return 0;
    if (len - *pos < 5)
        return -1;
    n = (size_t)data[*pos + 1] | (size_t)data[*pos + 2] << 8 | (size_t)data[*pos + 3] << 16 |
        (size_t)data[*pos + 4] << 24;
    if (n > len - *pos - 5)
        return -1;
    *tag = data[*pos];
    *rec = data + *pos + 5;
    *rec_len = n;
    *pos += 5 + n;
    return 1;
}

int dd_binary__summarize(dd_buf *out, dd_elf *e)
{
    dd_gobin_raw raw;
    const dd_elf_shdr *dep;
    const unsigned char *p;
    int found = 0, rc;

    rc = dd_gobin__read_raw(&raw, &found, e);
    if (rc == DD_EINVALID)
        rc = put_warning(out, DD_BINARY_WARNING);
    if (rc != DD_OK)
        return rc;
    if (found && ((rc = put_record(out, DD_BINARY_GO_VERSION, raw.vers, raw.vers_len)) != DD_OK ||
                  (rc = put_record(out, DD_BINARY_GO_MODINFO, raw.mod, raw.mod_len)) != DD_OK))
        return rc;
    if (!(dep = dd_elf__section(e, ".dep-v0")) || dep->type == DD_ELF_SHT_NOBITS || !dep->size)
        return DD_OK;
    if (dep->size > DEP_V0_MAX) {
        dd_error_set(DD_ELIMIT, "%s: section .dep-v0 of %llu bytes (the limit is %u)", e->path,
                     (unsigned long long)dep->size, DEP_V0_MAX);
        return put_warning(out, DD_BINARY_DEP_WARNING);
    }
    rc = dd_elf__bytes(e, dep->offset, dep->size, &p);
    if (rc == DD_EINVALID)
        return put_warning(out, DD_BINARY_DEP_WARNING);
    if (rc != DD_OK)
        return rc;
    return put_record(out, DD_BINARY_DEP_V0, p, (size_t)dep->size);
}

int dd_binary__summarize_file(dd_buf *out, const char *path, const void *data, size_t len)
{
    dd_elf_chunk chunk = {0, len, data};
    dd_elf e;
    int rc = dd_elf__open(&e, path, len, &chunk, 1);

    if (rc == DD_EINVALID)
        rc = len >= 4 && memcmp(data, ELF_MAGIC, 4) == 0 ? put_warning(out, DD_BINARY_WARNING)
                                                         : DD_OK;
    else if (rc == DD_OK)
        rc = dd_binary__summarize(out, &e);
    dd_elf__dispose(&e);
    dd_error_clear();
    return rc == DD_ENOTFOUND ? DD_OK : rc; /* a whole file lacks nothing */
}

/* ---- the extractor ---- */

typedef struct {
    uint64_t lo, hi;
} range;

typedef struct {
    uint64_t off;
    size_t len, at; /* `at`: where its bytes start in `data` */
} kept;

typedef struct {
    uint64_t size;
    dd_buf data; /* the kept bytes */
    kept *kept;
    size_t n_kept, kept_alloc;
    /* streamed files: the ranges worth keeping, known once the head is in */
    range *ranges;
    size_t n_ranges, ranges_alloc;
    int planned;
    int over; /* more than STREAM_KEEP_MAX would have been kept */
    /* files read where asked */
    int rounds;
    uint64_t last_off, last_len;
    dd_buf result; /* the records, kept at the end */
    int done;
} xstate;

static void xstate_free(xstate *s)
{
    if (!s)
        return;
    dd_buf_dispose(&s->data);
    dd_buf_dispose(&s->result);
    dd_free(s->kept);
    dd_free(s->ranges);
    dd_free(s);
}

/* Appends bytes at `off`; contiguous bytes extend the last chunk. */
static int keep(xstate *s, uint64_t off, const unsigned char *p, size_t len)
{
    kept *k = s->n_kept ? &s->kept[s->n_kept - 1] : NULL;
    int rc;

    if (len == 0)
        return DD_OK;
    if (s->data.len + len > STREAM_KEEP_MAX + (4u << 20)) {
        s->over = 1;
        return DD_OK;
    }
    if (k && k->off + k->len == off && k->at + k->len == s->data.len) {
        k->len += len;
    } else {
        if ((rc = DD_ARRAY_RESERVE(s->kept, s->kept_alloc, s->n_kept + 1, sizeof(*s->kept), 8)) !=
            DD_OK)
            return rc;
        s->kept[s->n_kept++] = (kept){off, len, s->data.len};
    }
    return dd_buf_put(&s->data, p, len);
}

static int cmp_chunk(const void *a, const void *b)
{
    const dd_elf_chunk *x = a, *y = b;

    return x->off < y->off ? -1 : x->off > y->off;
}

/* The kept bytes as chunks (free with dd_free). */
static dd_elf_chunk *chunks_of(const xstate *s)
{
    dd_elf_chunk *c = dd_calloc(s->n_kept ? s->n_kept : 1, sizeof(*c));

    if (!c)
        return NULL;
    for (size_t i = 0; i < s->n_kept; i++)
        c[i] = (dd_elf_chunk){s->kept[i].off, s->kept[i].len,
                              (const unsigned char *)s->data.data + s->kept[i].at};
    qsort(c, s->n_kept, sizeof(*c), cmp_chunk);
    return c;
}

/* Runs the summary over what is kept. DD_ENOTFOUND with *need_off, *need_len when more is
 * needed; otherwise the records (or a warning) are in s->result. */
static int summarize_kept(xstate *s, const char *path, uint64_t *need_off, uint64_t *need_len)
{
    dd_elf_chunk *c = chunks_of(s);
    dd_elf e;
    int rc;

    if (!c)
        return dd_error_set(DD_ENOMEM, "out of memory");
    dd_buf_clear(&s->result);
    rc = dd_elf__open(&e, path, s->size, c, s->n_kept);
    if (rc == DD_OK)
        rc = dd_binary__summarize(&s->result, &e);
    else if (rc == DD_EINVALID)
        rc = put_warning(&s->result, DD_BINARY_WARNING);
    if (rc == DD_ENOTFOUND && e.missing) {
        *need_off = e.need_off;
        *need_len = e.need_len;
    } else if (rc == DD_ENOTFOUND) {
        rc = DD_OK; /* nothing in particular was missing */
        dd_error_clear();
    }
    dd_elf__dispose(&e);
    dd_free(c);
    return rc;
}

static int add_range(xstate *s, uint64_t lo, uint64_t len)
{
    uint64_t hi;
    int rc;

    if (lo >= s->size || len == 0)
        return DD_OK;
    hi = len > s->size - lo ? s->size : lo + len;
    if ((rc = DD_ARRAY_RESERVE(s->ranges, s->ranges_alloc, s->n_ranges + 1, sizeof(*s->ranges),
                               8)) != DD_OK)
        return rc;
    s->ranges[s->n_ranges++] = (range){lo, hi};
    return DD_OK;
}

static int cmp_range(const void *a, const void *b)
{
    const range *x = a, *y = b;

    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Streamed files: which bytes to keep, decided from the header and program headers. The section
 * headers usually come last (the GNU linkers) or first (Go's): what a section holds is known
 * only once they are in, so what can hold the build info, the strings it points to or the
 * .dep-v0 section is kept as it goes by: every loadable segment that is not executable, the
 * section headers, the bytes before them (where the name table and sections objcopy adds lie)
 * and the end of the file (where Go puts its name table). */
static int plan_ranges(xstate *s, const char *path)
{
    dd_elf_chunk c = {0, s->n_kept ? s->kept[0].len : 0, (const unsigned char *)s->data.data};
    dd_elf e;
    int rc;

    s->planned = 1;
    rc = dd_elf__open(&e, path, s->size, &c, s->n_kept ? 1 : 0);
    if (rc != DD_OK && !(rc == DD_ENOTFOUND && (e.n_ph || !e.phnum))) {
        /* no usable program headers in the head: the final summary says why */
        dd_elf__dispose(&e);
        dd_error_clear();
        return DD_OK;
    }
    dd_error_clear();
    rc = add_range(s, 0, STREAM_HEAD);
    if (rc == DD_OK && e.phnum)
        rc = add_range(s, e.phoff, (uint64_t)e.phentsize * e.phnum);
    if (rc == DD_OK && e.shoff) {
        uint64_t n = e.shnum ? e.shnum : DD_ELF_MAX_SHDRS;

        rc = add_range(s, e.shoff > STREAM_BEFORE_SH ? e.shoff - STREAM_BEFORE_SH : 0,
                       (e.shoff > STREAM_BEFORE_SH ? STREAM_BEFORE_SH : e.shoff) + n * e.shentsize);
    }
    if (rc == DD_OK)
        rc = add_range(s, s->size > STREAM_TAIL ? s->size - STREAM_TAIL : 0, STREAM_TAIL);
    for (size_t i = 0; rc == DD_OK && i < e.n_ph; i++)
        if (e.ph[i].type == DD_ELF_PT_LOAD && !(e.ph[i].flags & DD_ELF_PF_X))
            rc = add_range(s, e.ph[i].offset, e.ph[i].filesz);
    dd_elf__dispose(&e);
    if (rc != DD_OK)
        return rc;
    qsort(s->ranges, s->n_ranges, sizeof(*s->ranges), cmp_range);
    return DD_OK;
}

/* Streamed files: keeps what of [off, off+len) the ranges cover. */
static int keep_streamed(xstate *s, uint64_t off, const unsigned char *p, size_t len)
{
    int rc;

    for (size_t i = 0; i < s->n_ranges && len; i++) {
        const range *r = &s->ranges[i];
        uint64_t lo = r->lo > off ? r->lo : off, hi = r->hi < off + len ? r->hi : off + len;

        if (lo >= hi)
            continue;
        /* ranges overlap: keep each byte once */
        if (s->n_kept) {
            const kept *k = &s->kept[s->n_kept - 1];

            if (k->off + k->len > lo)
                lo = k->off + k->len;
        }
        if (lo < hi && (rc = keep(s, lo, p + (lo - off), (size_t)(hi - lo))) != DD_OK)
            return rc;
    }
    return DD_OK;
}

/* The bytes the sorted ranges cover, overlaps counted once. */
static uint64_t ranges_total(const xstate *s)
{
    uint64_t total = 0, end = 0;

    for (size_t i = 0; i < s->n_ranges; i++) {
        uint64_t lo = s->ranges[i].lo > end ? s->ranges[i].lo : end;

        if (s->ranges[i].hi > lo)
            total += s->ranges[i].hi - lo;
        if (s->ranges[i].hi > end)
            end = s->ranges[i].hi;
    }
    return total;
}

static uint64_t ranges_end(const xstate *s)
{
    uint64_t end = 0;

    for (size_t i = 0; i < s->n_ranges; i++)
        if (s->ranges[i].hi > end)
            end = s->ranges[i].hi;
    return end;
}

static int finish(dd_walk_extract_ctx *x, xstate *s)
{
    const char *path = x->entry->path;
    uint64_t need_off = 0, need_len = 0;
    int rc = DD_OK;

    if (!s->done) {
        rc = summarize_kept(s, path, &need_off, &need_len);
        if (rc == DD_ENOTFOUND) {
            dd_buf_clear(&s->result);
            dd_error_set(DD_ELIMIT,
                         "%s: ELF: %llu bytes at offset %llu were needed but not read "
                         "(%s)",
                         path, (unsigned long long)need_len, (unsigned long long)need_off,
                         x->seekable ? "the file ended early"
                         : s->over   ? "over the limit of what a streamed file keeps"
                                     : "outside what a streamed file keeps");
            rc = put_warning(&s->result, DD_BINARY_WARNING);
        }
    }
    if (rc == DD_OK && s->result.len)
        rc = dd_walk_extract_keep(x, s->result.data, s->result.len);
    if (rc == DD_ELIMIT) {
        rc = DD_OK; /* an extract past the capture limit: left out */
        dd_error_clear();
    }
    xstate_free(s);
    x->state = NULL;
    return rc;
}

/* Files read where asked: the next range, or want_len = 0 when the summary is complete. */
static int ask_next(dd_walk_extract_ctx *x, xstate *s)
{
    uint64_t need_off = 0, need_len = 0, lo, len;
    int rc = summarize_kept(s, x->entry->path, &need_off, &need_len);

    x->want_len = 0;
    if (rc != DD_ENOTFOUND) {
        s->done = 1;
        return rc;
    }
    dd_error_clear();
    if (++s->rounds > SEEK_MAX_ROUNDS || (need_off == s->last_off && need_len == s->last_len)) {
        dd_buf_clear(&s->result);
        dd_error_set(DD_ELIMIT, "%s: ELF: reading stopped after %d ranges", x->entry->path,
                     s->rounds);
        s->done = 1;
        return put_warning(&s->result, DD_BINARY_WARNING);
    }
    s->last_off = need_off;
    s->last_len = need_len;
    /* a little before (a name table just before the section headers) and after it */
    lo = need_off > 4096 ? need_off - 4096 : 0;
    len = need_off - lo + (need_len > SEEK_MIN_READ ? need_len : SEEK_MIN_READ);
    if (len > s->size - lo) /* need_off + need_len <= size: dd_elf__bytes checked it */
        len = s->size - lo;
    x->want_offset = lo;
    x->want_len = len;
    return DD_OK;
}

int dd_binary__extract(dd_walk_extract_ctx *x, uint64_t offset, const void *data, size_t len,
                       void *payload)
{
    xstate *s = x->state;
    uint64_t total;
    int rc;

    (void)payload;
    if (!data)
        return s ? finish(x, s) : DD_OK;
    if (!s) {
        if (!(s = dd_calloc(1, sizeof(*s))))
            return dd_error_set(DD_ENOMEM, "out of memory");
        s->data = (dd_buf)DD_BUF_INIT;
        s->result = (dd_buf)DD_BUF_INIT;
        s->size = x->entry->size;
        x->state = s;
    }
    if (x->seekable) {
        if ((rc = keep(s, offset, data, len)) != DD_OK)
            return rc;
        if (offset == 0 && len < 64 && s->rounds == 0) {
            /* the magic alone: the header and program headers first */
            x->want_offset = 0;
            x->want_len = s->size < SEEK_MIN_READ ? s->size : SEEK_MIN_READ;
            s->rounds = 1;
            return DD_OK;
        }
        if (x->want_len > 0 && x->want_offset < s->size)
            return DD_OK; /* the range asked for goes on */
        return ask_next(x, s);
    }
    if (!s->planned) {
        /* the head, whole, in one or more pieces */
        if ((rc = keep(s, offset, data, len)) != DD_OK)
            return rc;
        if (offset + len < (s->size < STREAM_HEAD ? s->size : STREAM_HEAD))
            return DD_OK;
        if ((rc = plan_ranges(s, x->entry->path)) != DD_OK)
            return rc;
        if (!s->n_ranges) {
            x->want_len = 0; /* no usable header: the final summary says why */
            return DD_OK;
        }
        /* what will be kept, in one allocation: growing by doubling copied and faulted in the
         * tens of megabytes a Go program keeps twice over */
        total = ranges_total(s) + s->data.len; /* the head's last piece may pass its range */
        if (total > STREAM_KEEP_MAX + (4u << 20))
            total = STREAM_KEEP_MAX + (4u << 20);
        if (total > s->data.len && (rc = dd_buf_grow(&s->data, total - s->data.len)) != DD_OK)
            return rc;
        /* the head is kept already, as one chunk; the rest of this piece by the ranges */
        x->want_len = ranges_end(s) > offset + len ? ranges_end(s) - (offset + len) : 0;
        return DD_OK;
    }
    if ((rc = keep_streamed(s, offset, data, len)) != DD_OK)
        return rc;
    if (offset + len >= ranges_end(s))
        x->want_len = 0;
    return DD_OK;
}

int dd_binary__register(dd_walk *w, const dd_catalog_opts *opts)
{
    unsigned bins = (1u << DD_PKG_GOLANG) | (1u << DD_PKG_CARGO);

    if (opts->pkg_types && !(opts->pkg_types & bins))
        return DD_OK;
    /* executables only, as Trivy looks at them: a shared library with the mode of one is read
     * too, a Go program without any execute bit is not */
    return dd_walk_extract(w, ELF_MAGIC, 4, 0111, NULL, dd_binary__extract, NULL);
}
