/* Berkeley DB hash databases (rpm's old Packages file), read-only and without libdb. */
#include "catalog/rpm_int.h"

#include <string.h>

#define BDB_HASH_MAGIC 0x061561u
#define BDB_META_SIZE  512u
#define BDB_PAGE_HDR   26u

/* page types */
enum {
    P_HASH_UNSORTED = 2,
    P_OVERFLOW = 7,
    P_HASHMETA = 8,
    P_HASH = 13,
};

/* item types on hash pages */
enum {
    H_KEYDATA = 1,
    H_DUPLICATE = 2,
    H_OFFPAGE = 3,
    H_OFFDUP = 4,
};

typedef struct {
    const uint8_t *data;
    size_t len;
    const char *path;
    int swapped; /* written on a machine of the other byte order */
    uint32_t pagesize, last_pgno, max_bucket;
    uint32_t spares[32];
    uint32_t npages;   /* pages present in the bytes we have */
    uint8_t *visited;  /* one bit per page: hash pages already read */
    dd_buf value;      /* reassembled overflow value */
} bdb;

static uint32_t get32(const bdb *db, const uint8_t *p)
{
    if (db->swapped)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t get16(const bdb *db, const uint8_t *p)
{
    return db->swapped ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static size_t page_offset(const bdb *db, uint32_t pgno)
{
    return (size_t)pgno * db->pagesize;
}

static int page_error(const bdb *db, uint32_t pgno, const char *what)
{
    return dd_error_set(DD_EINVALID, "%s: offset %zu: page %u: %s", db->path,
                        page_offset(db, pgno), pgno, what);
}

/* The page `pgno` after checking that it is inside the file, records its own number and has
 * one of the wanted types. */
static int get_page(const uint8_t **out, const bdb *db, uint32_t pgno, int type_a, int type_b)
{
    const uint8_t *p;

    if (pgno == 0 || pgno > db->last_pgno)
        return page_error(db, pgno, "page number out of range");
    if (pgno >= db->npages)
        return dd_error_set(DD_EINVALID, "%s: offset %zu: page %u past the end of the file "
                            "(truncated)", db->path, page_offset(db, pgno), pgno);
    p = db->data + page_offset(db, pgno);
    if (get32(db, p + 8) != pgno)
        return page_error(db, pgno, "page records another page number");
    if (p[25] != type_a && p[25] != type_b)
        return page_error(db, pgno, "unexpected page type");
    *out = p;
    return DD_OK;
}

/* Reassembles an off-page value from its chain of overflow pages. */
static int read_overflow(const bdb *db, dd_buf *out, uint32_t pgno, uint32_t total)
{
    uint32_t hops = 0;
    int rc;

    dd_buf_clear(out);
    if (total == 0 || total > DD_RPM_MAX_BLOB_BYTES)
        return page_error(db, pgno, "overflow value of impossible length");
    while (out->len < total) {
        const uint8_t *p;
        uint16_t used;

        /* every page carries at least one byte, so more hops than pages is a loop */
        if (++hops > db->npages)
            return page_error(db, pgno, "overflow chain loops");
        if ((rc = get_page(&p, db, pgno, P_OVERFLOW, P_OVERFLOW)) != DD_OK)
            return rc;
        used = get16(db, p + 22);
        if (used == 0 || used > db->pagesize - BDB_PAGE_HDR || used > total - out->len)
            return page_error(db, pgno, "overflow page length out of range");
        if ((rc = dd_buf_put(out, p + BDB_PAGE_HDR, used)) != DD_OK)
            return rc;
        pgno = get32(db, p + 16);
        if (out->len < total && pgno == 0)
            return page_error(db, pgno, "overflow chain ends early");
    }
    return DD_OK;
}

/* Item `i` of a hash page: its bytes are between its offset and the previous item's offset
 * (items are packed from the end of the page down). */
static int item_span(const bdb *db, uint32_t pgno, const uint8_t *p, uint16_t nitems, uint16_t i,
                     uint16_t *off, uint16_t *len)
{
    uint16_t o = get16(db, p + BDB_PAGE_HDR + 2u * i);
    uint32_t end = i == 0 ? db->pagesize : get16(db, p + BDB_PAGE_HDR + 2u * (i - 1));

    if (o < BDB_PAGE_HDR + 2u * nitems || o >= end || end > db->pagesize)
        return page_error(db, pgno, "item offset out of range");
    *off = o;
    *len = (uint16_t)(end - o);
    return DD_OK;
}

/* Points (*val, *vlen) at item `i`'s value, reassembling overflow chains into db->value. */
static int item_value(bdb *db, uint32_t pgno, const uint8_t *p, uint16_t nitems, uint16_t i,
                      const uint8_t **val, size_t *vlen)
{
    uint16_t off = 0, len = 0;
    int rc;

    if ((rc = item_span(db, pgno, p, nitems, i, &off, &len)) != DD_OK)
        return rc;
    switch (p[off]) {
    case H_KEYDATA:
        *val = p + off + 1;
        *vlen = len - 1u;
        return DD_OK;
    case H_OFFPAGE:
        if (len < 12)
            return page_error(db, pgno, "short off-page item");
        if ((rc = read_overflow(db, &db->value, get32(db, p + off + 4), get32(db, p + off + 8))) !=
            DD_OK)
            return rc;
        *val = (const uint8_t *)db->value.data;
        *vlen = db->value.len;
        return DD_OK;
    case H_DUPLICATE:
    case H_OFFDUP:
        return page_error(db, pgno, "duplicate keys, which rpm's Packages never has");
    default:
        return page_error(db, pgno, "unknown item type");
    }
}

static int read_bucket_chain(bdb *db, uint32_t pgno, dd_rpm_blob_cb cb, void *payload)
{
    int rc;

    /* Berkeley DB extends the file before it writes a new doubling's bucket pages, so a
     * bucket that never held a key can be a zero page */
    if (pgno != 0 && pgno < db->npages && pgno <= db->last_pgno) {
        const uint8_t *p = db->data + page_offset(db, pgno);

        if (p[25] == 0 && get32(db, p + 8) == 0)
            return DD_OK;
    }
    while (pgno != 0) {
        const uint8_t *p;
        uint16_t nitems;

        if ((rc = get_page(&p, db, pgno, P_HASH, P_HASH_UNSORTED)) != DD_OK)
            return rc;
        if (db->visited[pgno / 8] & (1u << (pgno % 8)))
            return page_error(db, pgno, "hash page reached twice");
        db->visited[pgno / 8] |= (uint8_t)(1u << (pgno % 8));
        nitems = get16(db, p + 20);
        if (nitems % 2 != 0 || BDB_PAGE_HDR + 2u * nitems > db->pagesize)
            return page_error(db, pgno, "item count out of range");
        for (uint16_t i = 0; i < nitems; i += 2) {
            const uint8_t *key, *val;
            size_t klen, vlen;
            uint8_t keybuf[4];
            uint32_t hdrnum;

            if ((rc = item_value(db, pgno, p, nitems, i, &key, &klen)) != DD_OK)
                return rc;
            if (klen != 4)
                return page_error(db, pgno, "key is not a 4-byte header number");
            memcpy(keybuf, key, 4); /* the key may live in db->value, which the value reuses */
            hdrnum = get32(db, keybuf);
            if ((rc = item_value(db, pgno, p, nitems, (uint16_t)(i + 1), &val, &vlen)) != DD_OK)
                return rc;
            /* record 0 is rpm's own bookkeeping (the next header number), not a package */
            if (hdrnum == 0)
                continue;
            if ((rc = cb(val, vlen, hdrnum, payload)) != DD_OK)
                return rc;
        }
        pgno = get32(db, p + 16);
    }
    return DD_OK;
}

int dd_rpm__bdb_each(const uint8_t *data, size_t len, const char *path, dd_rpm_blob_cb cb,
                     void *payload)
{
    bdb db = {.data = data, .len = len, .path = path, .value = DD_BUF_INIT};
    uint32_t magic, version;
    int rc = DD_OK;

    db.value.cap = DD_RPM_MAX_BLOB_BYTES + 1;
    if (len < BDB_META_SIZE)
        return dd_error_set(DD_EINVALID, "%s: offset 0: %zu bytes, too short for a Berkeley DB",
                            path, len);
    magic = (uint32_t)data[12] | (uint32_t)data[13] << 8 | (uint32_t)data[14] << 16 |
            (uint32_t)data[15] << 24;
    if (magic == BDB_HASH_MAGIC) {
        db.swapped = 0;
    } else if (magic == 0x61150600u) {
        db.swapped = 1;
    } else {
        return dd_error_set(DD_EINVALID, "%s: offset 12: not a Berkeley DB hash database", path);
    }
    version = get32(&db, data + 16);
    if (version < 8 || version > 10)
        return dd_error_set(DD_EUNSUPPORTED, "%s: offset 16: hash version %u", path, version);
    if (data[24] != 0)
        return dd_error_set(DD_EUNSUPPORTED, "%s: offset 24: encrypted database", path);
    if (data[25] != P_HASHMETA)
        return dd_error_set(DD_EINVALID, "%s: offset 25: page 0 is not a hash metadata page",
                            path);
    db.pagesize = get32(&db, data + 20);
    if (db.pagesize < 512 || db.pagesize > 65536 || (db.pagesize & (db.pagesize - 1)) != 0)
        return dd_error_set(DD_EINVALID, "%s: offset 20: page size %u", path, db.pagesize);
    db.last_pgno = get32(&db, data + 32);
    db.max_bucket = get32(&db, data + 72);
    for (int i = 0; i < 32; i++)
        db.spares[i] = get32(&db, data + 96 + 4 * i);
    db.npages = len / db.pagesize > UINT32_MAX ? UINT32_MAX : (uint32_t)(len / db.pagesize);
    if (db.max_bucket >= db.npages)
        return dd_error_set(DD_EINVALID, "%s: offset 72: %u buckets in a file of %u pages", path,
                            db.max_bucket + 1, db.npages);
    db.visited = dd_calloc(db.npages / 8 + 1, 1);
    if (!db.visited)
        return dd_error_set(DD_ENOMEM, "out of memory");

    for (uint32_t bucket = 0; bucket <= db.max_bucket; bucket++) {
        int bits = 0;
        uint32_t pgno;

        for (uint32_t b = bucket; b; b >>= 1)
            bits++;
        pgno = bucket + db.spares[bits];
        if (pgno < bucket) {
            rc = dd_error_set(DD_EINVALID, "%s: offset %u: bucket %u: spare page count overflows",
                              path, 96 + 4 * bits, bucket);
            goto done;
        }
        if ((rc = read_bucket_chain(&db, pgno, cb, payload)) != DD_OK)
            goto done;
    }
done:
    dd_free(db.visited);
    dd_buf_dispose(&db.value);
    return rc;
}
