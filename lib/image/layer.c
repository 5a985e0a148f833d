/* Layer readers: a blob's uncompressed tar bytes as a stream, with every digest checked. */
#include "image/image_int.h"

#include <errno.h>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#define IN_CHUNK  (256u * 1024u)
#define OUT_CHUNK (512u * 1024u)

struct dd_layer_reader {
    const dd_image *img;
    size_t index;
    const dd_layer_desc *desc;
    dd_image__loc loc;
    int fd;
    bool own_fd;
    uint64_t pos;       /* compressed bytes read from the blob */
    uint64_t out_total; /* uncompressed bytes returned */
    unsigned char *in, *out;
    size_t in_len, in_off;
    dd_sha256 *h_blob, *h_diff; /* h_diff is NULL for an uncompressed blob: same bytes */
    dd_compression comp;
    struct inflate_state *gz;
    bool gz_in_member;
    ZSTD_DCtx *zs;
    size_t zs_pending; /* last ZSTD_decompressStream hint: 0 at a frame boundary */
    bool finished;
    int failed;
    dd_error_state err;
};

static int fail(dd_layer_reader *r, int code)
{
    r->failed = code;
    dd_error_save(&r->err);
    return code;
}

static const char *short_digest(const dd_layer_reader *r, char buf[24])
{
    return dd_image__short_digest(r->desc->digest, buf);
}

int dd_layer_reader_open(dd_layer_reader **out, dd_image *img, size_t index)
{
    dd_layer_reader *r = NULL;
    int rc = DD_OK;

    *out = NULL;
    if (img->id.kind == DD_SOURCE_ROOTFS)
        return dd_error_set(DD_EUNSUPPORTED, "%s: a root filesystem directory has no layer "
                            "stream; read the directory", img->id.path);
    if (index >= img->n_layers)
        return dd_error_set(DD_ENOTFOUND, "%s: no layer %zu (the image has %zu)", img->id.path,
                            index, img->n_layers);
    if (!(r = dd_calloc(1, sizeof(*r))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    r->img = img;
    r->index = index;
    r->desc = &img->layers[index];
    r->loc = img->locs[index];
    r->comp = r->desc->compression;
    r->fd = img->fd;
    if (r->loc.file) {
        /* each reader has its own descriptor: readers of one image run on many threads */
        if ((r->fd = open(r->loc.file, O_RDONLY | O_CLOEXEC)) < 0) {
            rc = dd_error_set(errno == ENOENT ? DD_ENOTFOUND : DD_EIO, "%s: %s", r->loc.file,
                              strerror(errno));
            goto done;
        }
        r->own_fd = true;
    }
    if (!(r->in = dd_malloc(IN_CHUNK))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = dd_sha256_new(&r->h_blob)) != DD_OK)
        goto done;
    if (r->comp != DD_COMPRESSION_NONE) {
        if (!(r->out = dd_malloc(OUT_CHUNK))) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
        if ((rc = dd_sha256_new(&r->h_diff)) != DD_OK)
            goto done;
    }
    if (r->comp == DD_COMPRESSION_GZIP) {
        if (!(r->gz = dd_malloc(sizeof(*r->gz)))) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
        isal_inflate_init(r->gz);
        r->gz->crc_flag = ISAL_GZIP;
        r->gz_in_member = true;
    } else if (r->comp == DD_COMPRESSION_ZSTD) {
        if (!(r->zs = ZSTD_createDCtx())) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
        r->zs_pending = 1;
    }
    *out = r;
    r = NULL;
done:
    dd_layer_reader_free(r);
    return rc;
}

void dd_layer_reader_free(dd_layer_reader *r)
{
    if (!r)
        return;
    if (r->own_fd)
        close(r->fd);
    dd_free(r->in);
    dd_free(r->out);
    dd_free(r->gz);
    ZSTD_freeDCtx(r->zs);
    dd_sha256_free(r->h_blob);
    dd_sha256_free(r->h_diff);
    dd_free(r);
}

uint64_t dd_layer_reader_compressed_bytes(const dd_layer_reader *r)
{
    return r->pos;
}

uint64_t dd_layer_reader_uncompressed_bytes(const dd_layer_reader *r)
{
    return r->out_total;
}

/* Reads the next chunk of the blob into `in`. Sets r->in_len = 0 at the end of the blob. */
static int refill(dd_layer_reader *r)
{
    uint64_t left = r->loc.size - r->pos;
    size_t want = left > IN_CHUNK ? IN_CHUNK : (size_t)left;
    char sd[24];
    ssize_t n;

    r->in_off = r->in_len = 0;
    if (want == 0)
        return DD_OK;
    do {
        n = pread(r->fd, r->in, want, (off_t)(r->loc.offset + r->pos));
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return dd_error_set(DD_EIO, "%s: layer %zu (%s): %s", r->img->id.path, r->index,
                            short_digest(r, sd), strerror(errno));
    if (n == 0)
        return dd_error_set(DD_EINVALID, "%s: layer %zu (%s): blob truncated at %llu of %llu "
                            "bytes", r->img->id.path, r->index, short_digest(r, sd),
                            (unsigned long long)r->pos, (unsigned long long)r->loc.size);
    dd_sha256_update(r->h_blob, r->in, (size_t)n);
    r->pos += (uint64_t)n;
    r->in_len = (size_t)n;
    return DD_OK;
}

static bool input_done(const dd_layer_reader *r)
{
    return r->in_off == r->in_len && r->pos == r->loc.size;
}

/* Counts output against the layer size and the compression ratio limits. */
static int account(dd_layer_reader *r, size_t produced)
{
    const dd_limits *lim = &r->img->limits;
    uint64_t consumed = r->pos - (r->in_len - r->in_off);
    char sd[24];

    r->out_total += produced;
    if (r->out_total > lim->max_layer_bytes)
        return dd_error_set(DD_ELIMIT, "%s: layer %zu (%s): more than %llu uncompressed bytes",
                            r->img->id.path, r->index, short_digest(r, sd),
                            (unsigned long long)lim->max_layer_bytes);
    if (r->comp != DD_COMPRESSION_NONE && lim->max_ratio && r->out_total > lim->ratio_grace &&
        r->out_total / (consumed ? consumed : 1) > lim->max_ratio)
        return dd_error_set(DD_ELIMIT, "%s: layer %zu (%s): %llu bytes from %llu compressed, "
                            "over the ratio of %u:1 (decompression bomb?)", r->img->id.path,
                            r->index, short_digest(r, sd), (unsigned long long)r->out_total,
                            (unsigned long long)consumed, lim->max_ratio);
    return DD_OK;
}

static int finish(dd_layer_reader *r)
{
    char got[72], sd[24];

    dd_sha256_final_digest(r->h_blob, got);
    if (r->desc->size && r->pos != r->desc->size)
        return dd_error_set(DD_EINVALID, "%s: layer %zu (%s): blob is %llu bytes, manifest says "
                            "%llu", r->img->id.path, r->index, short_digest(r, sd),
                            (unsigned long long)r->pos, (unsigned long long)r->desc->size);
    if (r->desc->digest && strcmp(got, r->desc->digest) != 0)
        return dd_error_set(DD_EINVALID, "%s: layer %zu (%s): digest mismatch: manifest says %s, "
                            "content is %s", r->img->id.path, r->index, short_digest(r, sd),
                            r->desc->digest, got);
    if (r->h_diff)
        dd_sha256_final_digest(r->h_diff, got);
    if (r->desc->diff_id && strcmp(got, r->desc->diff_id) != 0)
        return dd_error_set(DD_EINVALID, "%s: layer %zu (%s): diff_id mismatch: config says %s, "
                            "content is %s", r->img->id.path, r->index, short_digest(r, sd),
                            r->desc->diff_id, got);
    r->finished = true;
    return DD_OK;
}

static int corrupt(dd_layer_reader *r, const char *what)
{
    char sd[24];

    return dd_error_set(DD_EINVALID, "%s: layer %zu (%s): corrupt %s data at compressed offset "
                        "%llu", r->img->id.path, r->index, short_digest(r, sd), what,
                        (unsigned long long)(r->pos - (r->in_len - r->in_off)));
}

static int truncated(dd_layer_reader *r, const char *what)
{
    char sd[24];

    return dd_error_set(DD_EINVALID, "%s: layer %zu (%s): truncated %s stream", r->img->id.path,
                        r->index, short_digest(r, sd), what);
}

/* Between gzip members: another member, NUL padding, or garbage. */
static int gzip_next_member(dd_layer_reader *r)
{
    for (;;) {
        while (r->in_off < r->in_len && r->in[r->in_off] == 0)
            r->in_off++;
        if (r->in_off < r->in_len)
            break;
        if (r->pos == r->loc.size)
            return DD_OK;
        if (refill(r) != DD_OK)
            return dd_error_code();
    }
    if (r->in[r->in_off] != 0x1f)
        return corrupt(r, "gzip (trailing garbage)");
    isal_inflate_reset(r->gz);
    r->gz->crc_flag = ISAL_GZIP;
    r->gz_in_member = true;
    return DD_OK;
}

static int read_gzip(dd_layer_reader *r, size_t *produced)
{
    int rc;

    *produced = 0;
    for (;;) {
        int ret;

        if (!r->gz_in_member) {
            if ((rc = gzip_next_member(r)) != DD_OK)
                return rc;
            if (!r->gz_in_member)
                return DD_OK; /* end of blob */
        }
        if (r->in_off == r->in_len && r->pos < r->loc.size && (rc = refill(r)) != DD_OK)
            return rc;
        r->gz->next_in = r->in + r->in_off;
        r->gz->avail_in = (uint32_t)(r->in_len - r->in_off);
        r->gz->next_out = r->out;
        r->gz->avail_out = OUT_CHUNK;
        ret = isal_inflate(r->gz);
        r->in_off = (size_t)(r->gz->next_in - r->in);
        *produced = OUT_CHUNK - r->gz->avail_out;
        if (ret < 0)
            return corrupt(r, ret == ISAL_INCORRECT_CHECKSUM ? "gzip (CRC mismatch)" : "gzip");
        if (r->gz->block_state == ISAL_BLOCK_FINISH)
            r->gz_in_member = false;
        if (*produced)
            return DD_OK;
        if (r->gz_in_member && input_done(r))
            return truncated(r, "gzip");
    }
}

static int read_zstd(dd_layer_reader *r, size_t *produced)
{
    int rc;

    *produced = 0;
    for (;;) {
        ZSTD_inBuffer in;
        ZSTD_outBuffer out = {r->out, OUT_CHUNK, 0};
        size_t ret;

        if (r->in_off == r->in_len && r->pos < r->loc.size && (rc = refill(r)) != DD_OK)
            return rc;
        in.src = r->in;
        in.size = r->in_len;
        in.pos = r->in_off;
        size_t before = in.pos;

        ret = ZSTD_decompressStream(r->zs, &out, &in);
        r->in_off = in.pos;
        *produced = out.pos;
        if (ZSTD_isError(ret)) {
            char sd[24];

            return dd_error_set(DD_EINVALID, "%s: layer %zu (%s): corrupt zstd data: %s",
                                r->img->id.path, r->index, short_digest(r, sd),
                                ZSTD_getErrorName(ret));
        }
        /* with no input left the hint describes the next frame, not the one just ended */
        if (in.pos != before || out.pos)
            r->zs_pending = ret;
        if (*produced)
            return DD_OK;
        if (input_done(r))
            return r->zs_pending ? truncated(r, "zstd") : DD_OK;
    }
}

int dd_layer_reader_read(dd_layer_reader *r, const void **buf, size_t *len)
{
    size_t produced = 0;
    int rc;

    *buf = NULL;
    *len = 0;
    if (r->failed)
        return dd_error_restore(&r->err);
    if (r->finished)
        return DD_OK;
    switch (r->comp) {
    case DD_COMPRESSION_GZIP:
        rc = read_gzip(r, &produced);
        break;
    case DD_COMPRESSION_ZSTD:
        rc = read_zstd(r, &produced);
        break;
    default:
        rc = refill(r);
        produced = r->in_len;
        r->in_off = r->in_len;
        break;
    }
    if (rc != DD_OK)
        return fail(r, rc);
    if (produced == 0)
        return (rc = finish(r)) == DD_OK ? DD_OK : fail(r, rc);
    if (r->h_diff)
        dd_sha256_update(r->h_diff, r->out, produced);
    if ((rc = account(r, produced)) != DD_OK)
        return fail(r, rc);
    *buf = r->comp == DD_COMPRESSION_NONE ? (const void *)r->in : (const void *)r->out;
    *len = produced;
    return DD_OK;
}

int dd_layer_reader_drain(dd_layer_reader *r)
{
    const void *buf;
    size_t len;
    int rc;

    do {
        if ((rc = dd_layer_reader_read(r, &buf, &len)) != DD_OK)
            return rc;
    } while (len);
    return DD_OK;
}
