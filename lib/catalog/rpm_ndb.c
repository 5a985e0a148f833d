/* rpm's ndb Packages.db: a header, slot pages naming each package's blob, then the blobs. */
#include "catalog/rpm_int.h"

#include <stdlib.h>
#include <string.h>

#define NDB_MAGIC       0x506d7052u /* "RpmP" little-endian */
#define NDB_SLOT_MAGIC  0x746f6c53u /* "Slot" */
#define NDB_BLOB_MAGIC  0x53626c42u /* "BlbS" */
#define NDB_TAIL_MAGIC  0x45626c42u /* "BlbE" */
#define NDB_HEADER_SIZE 32u
#define NDB_PAGE_SIZE   4096u
#define NDB_SLOT_SIZE   16u
#define NDB_BLK_SIZE    16u
#define NDB_BLOB_HEAD   16u
#define NDB_BLOB_TAIL   12u

typedef struct {
    uint32_t pkgidx, blkoff, blkcnt;
    size_t at; /* byte offset of the slot */
} slot;

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static int slot_cmp_pkgidx(const void *a, const void *b)
{
    uint32_t x = ((const slot *)a)->pkgidx, y = ((const slot *)b)->pkgidx;

    return x < y ? -1 : x > y;
}

static int read_blob(const uint8_t *data, size_t len, const char *path, const slot *s,
                     const uint8_t **blob, size_t *blob_len)
{
    size_t off = (size_t)s->blkoff * NDB_BLK_SIZE, end = off + (size_t)s->blkcnt * NDB_BLK_SIZE;
    uint32_t bloblen;
    const uint8_t *tail;

    if (end > len)
        return dd_error_set(DD_EINVALID, "%s: offset %zu: package %u: blob runs past the end of "
                            "the file (truncated)", path, off, s->pkgidx);
    if (le32(data + off) != NDB_BLOB_MAGIC)
        return dd_error_set(DD_EINVALID, "%s: offset %zu: package %u: no blob magic", path, off,
                            s->pkgidx);
    if (le32(data + off + 4) != s->pkgidx)
        return dd_error_set(DD_EINVALID, "%s: offset %zu: blob of package %u where the slot "
                            "says %u", path, off + 4, le32(data + off + 4), s->pkgidx);
    bloblen = le32(data + off + 12);
    if (bloblen > DD_RPM_MAX_BLOB_BYTES ||
        s->blkcnt != (NDB_BLOB_HEAD + (uint64_t)bloblen + NDB_BLOB_TAIL + NDB_BLK_SIZE - 1) /
                         NDB_BLK_SIZE)
        return dd_error_set(DD_EINVALID, "%s: offset %zu: package %u: blob length %u does not "
                            "fit its %u blocks", path, off + 12, s->pkgidx, bloblen, s->blkcnt);
    tail = data + end - NDB_BLOB_TAIL;
    /* rpm checks the tail's length and magic on every read, and the adler32 only when it
     * rewrites neighbouring blobs; so does this reader */
    if (le32(tail + 4) != bloblen || le32(tail + 8) != NDB_TAIL_MAGIC)
        return dd_error_set(DD_EINVALID, "%s: offset %zu: package %u: bad blob trailer", path,
                            end - NDB_BLOB_TAIL, s->pkgidx);
    *blob = data + off + NDB_BLOB_HEAD;
    *blob_len = bloblen;
    return DD_OK;
}

int dd_rpm__ndb_each(const uint8_t *data, size_t len, const char *path, dd_rpm_blob_cb cb,
                     void *payload)
{
    uint32_t version, npages, min_blkoff;
    slot *slots = NULL, *sorted = NULL;
    size_t nslots = 0;
    int rc = DD_OK;

    if (len < NDB_HEADER_SIZE || le32(data) != NDB_MAGIC)
        return dd_error_set(DD_EINVALID, "%s: offset 0: not an ndb Packages.db", path);
    if ((version = le32(data + 4)) != 0)
        return dd_error_set(DD_EUNSUPPORTED, "%s: offset 4: ndb version %u", path, version);
    npages = le32(data + 12);
    if (npages == 0 || npages > len / NDB_PAGE_SIZE)
        return dd_error_set(DD_EINVALID, "%s: offset 12: %u slot pages in a file of %zu bytes",
                            path, npages, len);
    min_blkoff = npages * (NDB_PAGE_SIZE / NDB_BLK_SIZE);

    slots = dd_malloc((size_t)npages * (NDB_PAGE_SIZE / NDB_SLOT_SIZE) * sizeof(*slots));
    if (!slots)
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t at = NDB_HEADER_SIZE; at < (size_t)npages * NDB_PAGE_SIZE; at += NDB_SLOT_SIZE) {
        const uint8_t *p = data + at;
        slot s = {le32(p + 4), le32(p + 8), le32(p + 12), at};

        if (le32(p) != NDB_SLOT_MAGIC) {
            rc = dd_error_set(DD_EINVALID, "%s: offset %zu: bad slot magic", path, at);
            goto done;
        }
        if (s.blkoff == 0)
            continue; /* free slot */
        if (s.pkgidx == 0 || s.blkcnt == 0 || s.blkoff < min_blkoff ||
            (uint64_t)s.blkoff + s.blkcnt > len / NDB_BLK_SIZE) {
            rc = dd_error_set(DD_EINVALID, "%s: offset %zu: slot of package %u points outside "
                              "the blob area (blocks %u+%u, truncated?)", path, at, s.pkgidx,
                              s.blkoff, s.blkcnt);
            goto done;
        }
        slots[nslots++] = s;
    }
    /* rpm refuses a database where two slots claim one package */
    if (nslots > 1) {
        if (!(sorted = dd_malloc(nslots * sizeof(*sorted)))) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
        memcpy(sorted, slots, nslots * sizeof(*sorted));
        qsort(sorted, nslots, sizeof(*sorted), slot_cmp_pkgidx);
        for (size_t i = 1; i < nslots; i++)
            if (sorted[i].pkgidx == sorted[i - 1].pkgidx) {
                rc = dd_error_set(DD_EINVALID, "%s: offset %zu: second slot for package %u", path,
                                  sorted[i].at > sorted[i - 1].at ? sorted[i].at
                                                                  : sorted[i - 1].at,
                                  sorted[i].pkgidx);
                goto done;
            }
    }
    for (size_t i = 0; i < nslots; i++) {
        const uint8_t *blob = NULL;
        size_t blob_len = 0;

        if ((rc = read_blob(data, len, path, &slots[i], &blob, &blob_len)) != DD_OK ||
            (rc = cb(blob, blob_len, slots[i].pkgidx, payload)) != DD_OK)
            goto done;
    }
done:
    dd_free(sorted);
    dd_free(slots);
    return rc;
}

dd_rpmdb_format dd_rpm__detect(const uint8_t *data, size_t len)
{
    if (len >= 16 && memcmp(data, "SQLite format 3", 16) == 0)
        return DD_RPMDB_SQLITE;
    if (len >= 4 && le32(data) == NDB_MAGIC)
        return DD_RPMDB_NDB;
    if (len >= 16 && (le32(data + 12) == 0x061561u || le32(data + 12) == 0x61150600u))
        return DD_RPMDB_BDB;
    return DD_RPMDB_UNKNOWN;
}

int dd_rpm__db_each(const uint8_t *data, size_t len, const char *path, dd_rpm_blob_cb cb,
                    void *payload)
{
    switch (dd_rpm__detect(data, len)) {
    case DD_RPMDB_SQLITE: return dd_rpm__sqlite_each(data, len, path, cb, payload);
    case DD_RPMDB_BDB: return dd_rpm__bdb_each(data, len, path, cb, payload);
    case DD_RPMDB_NDB: return dd_rpm__ndb_each(data, len, path, cb, payload);
    default: break;
    }
    return dd_error_set(DD_EUNSUPPORTED, "%s: offset 0: not an rpm database this reader knows",
                        path);
}
