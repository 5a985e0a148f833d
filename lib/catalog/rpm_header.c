/* The rpm header blob parser: index entries and data store, every offset checked. */
#include "catalog/rpm_int.h"

#include <string.h>

enum {
    RPM_NULL_TYPE = 0,
    RPM_CHAR_TYPE,
    RPM_INT8_TYPE,
    RPM_INT16_TYPE,
    RPM_INT32_TYPE,
    RPM_INT64_TYPE,
    RPM_STRING_TYPE,
    RPM_BIN_TYPE,
    RPM_STRING_ARRAY_TYPE,
    RPM_I18NSTRING_TYPE,
};

static const uint8_t header_magic[3] = {0x8e, 0xad, 0xe8};

/* One index entry as found, with its position for messages. */
typedef struct {
    uint32_t tag, type, offset, count;
    size_t at; /* byte offset of the entry in the blob */
} entry;

typedef struct {
    const uint8_t *data; /* the data store */
    uint32_t dl;
    size_t data_at; /* byte offset of the data store in the blob */
} store;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static int bad(const entry *e, const char *what)
{
    return dd_error_set(DD_EINVALID, "header offset %zu: tag %u: %s", e->at, e->tag, what);
}

/* Length of the NUL-terminated string at `off` in the store, or -1 when it runs past the end. */
static long string_len(const store *s, uint32_t off)
{
    const void *nul;

    if (off >= s->dl)
        return -1;
    nul = memchr(s->data + off, 0, s->dl - off);
    return nul ? (long)((const uint8_t *)nul - (s->data + off)) : -1;
}

/* The first string of a STRING, I18NSTRING or STRING_ARRAY entry, copied into the arena. */
static int get_string(const char **out, dd_arena *arena, const store *s, const entry *e)
{
    long n;

    if (e->type != RPM_STRING_TYPE && e->type != RPM_I18NSTRING_TYPE &&
        e->type != RPM_STRING_ARRAY_TYPE)
        return bad(e, "not a string");
    if (e->count < 1)
        return bad(e, "string with count 0");
    if ((n = string_len(s, e->offset)) < 0)
        return bad(e, "string runs past the data store");
    *out = dd_arena_strndup(arena, (const char *)s->data + e->offset, (size_t)n);
    return *out ? DD_OK : dd_error_set(DD_ENOMEM, "out of memory");
}

static int get_int(uint64_t *out, const store *s, const entry *e)
{
    size_t width = e->type == RPM_INT64_TYPE ? 8 : 4;

    if (e->type != RPM_INT32_TYPE && e->type != RPM_INT64_TYPE)
        return bad(e, "not an integer");
    if (e->count < 1)
        return bad(e, "integer with count 0");
    if (e->offset > s->dl || s->dl - e->offset < width)
        return bad(e, "integer runs past the data store");
    *out = width == 8 ? be64(s->data + e->offset) : be32(s->data + e->offset);
    return DD_OK;
}

/* Points `out[0..count)` at the strings of a STRING_ARRAY entry (borrowed from the blob). */
static int get_string_array(const char ***out, dd_arena *arena, const store *s, const entry *e)
{
    const char **v;
    uint32_t off = e->offset;

    if (e->type != RPM_STRING_ARRAY_TYPE)
        return bad(e, "not a string array");
    /* every string takes at least its NUL, so a count past the store is a lie */
    if (e->count > s->dl || e->offset > s->dl || e->count > s->dl - e->offset)
        return bad(e, "string array count runs past the data store");
    v = dd_arena_alloc(arena, (size_t)e->count * sizeof(*v) + 1);
    if (!v)
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < e->count; i++) {
        long n = string_len(s, off);

        if (n < 0)
            return bad(e, "string array runs past the data store");
        v[i] = (const char *)s->data + off;
        off += (uint32_t)n + 1;
    }
    *out = v;
    return DD_OK;
}

/* rpm stores absolute paths; the inventory wants them relative to the image root. */
static const char *strip_root(const char *p)
{
    while (*p == '/')
        p++;
    return p;
}

static int build_files(dd_rpm_header *out, dd_arena *arena, const store *s, const entry *base,
                       const entry *dirs, const entry *idx, const entry *old)
{
    const char **bn, **dn, **files;
    int rc;

    if (!base) {
        if (!old)
            return DD_OK;
        if ((rc = get_string_array(&bn, arena, s, old)) != DD_OK)
            return rc;
        files = dd_arena_alloc(arena, (size_t)old->count * sizeof(*files) + 1);
        if (!files)
            return dd_error_set(DD_ENOMEM, "out of memory");
        for (uint32_t i = 0; i < old->count; i++)
            if (!(files[i] = dd_arena_strdup(arena, strip_root(bn[i]))))
                return dd_error_set(DD_ENOMEM, "out of memory");
        out->files = files;
        out->n_files = old->count;
        return DD_OK;
    }
    if (!dirs || !idx)
        return bad(base, "file names without directory names or indexes");
    if ((rc = get_string_array(&bn, arena, s, base)) != DD_OK ||
        (rc = get_string_array(&dn, arena, s, dirs)) != DD_OK)
        return rc;
    if (idx->type != RPM_INT32_TYPE || idx->count != base->count)
        return bad(idx, "directory indexes do not match the file names");
    if (idx->offset > s->dl || (s->dl - idx->offset) / 4 < idx->count)
        return bad(idx, "directory indexes run past the data store");
    files = dd_arena_alloc(arena, (size_t)base->count * sizeof(*files) + 1);
    if (!files)
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < base->count; i++) {
        uint32_t d = be32(s->data + idx->offset + 4u * i);
        const char *dir;
        size_t dlen, blen;
        char *p;

        if (d >= dirs->count)
            return bad(idx, "directory index out of range");
        dir = strip_root(dn[d]);
        dlen = strlen(dir);
        blen = strlen(bn[i]);
        if (!(p = dd_arena_alloc(arena, dlen + blen + 1)))
            return dd_error_set(DD_ENOMEM, "out of memory");
        memcpy(p, dir, dlen);
        memcpy(p + dlen, bn[i], blen + 1);
        files[i] = p;
    }
    out->files = files;
    out->n_files = base->count;
    return DD_OK;
}

int dd_rpm__header_parse(dd_rpm_header *out, dd_arena *arena, const uint8_t *blob, size_t len,
                         int want_files)
{
    /* the last entry of a tag wins: rpm lets "dribble" entries after the immutable region
     * replace the region's own */
    const entry *name = NULL, *version = NULL, *release = NULL, *epoch = NULL, *arch = NULL,
                *srpm = NULL, *license = NULL, *vendor = NULL, *size = NULL, *longsize = NULL,
                *base = NULL, *dirs = NULL, *idx = NULL, *old = NULL;
    entry *entries = NULL;
    store s;
    size_t skip = 0;
    uint32_t il;
    uint64_t v;
    int rc = DD_OK;

    memset(out, 0, sizeof(*out));
    if (len >= 8 && memcmp(blob, header_magic, sizeof(header_magic)) == 0)
        skip = 8;
    if (len - skip < 8)
        return dd_error_set(DD_EINVALID, "header offset 0: %zu bytes, too short for a header",
                            len);
    il = be32(blob + skip);
    s.dl = be32(blob + skip + 4);
    if (il < 1 || il > DD_RPM_MAX_INDEX_ENTRIES)
        return dd_error_set(DD_EINVALID, "header offset %zu: %u index entries", skip, il);
    if (s.dl > DD_RPM_MAX_DATA_BYTES)
        return dd_error_set(DD_EINVALID, "header offset %zu: %u bytes of data, more than rpm allows",
                            skip + 4, s.dl);
    s.data_at = skip + 8 + (size_t)il * 16;
    if (s.data_at > len || len - s.data_at < s.dl)
        return dd_error_set(DD_EINVALID,
                            "header offset %zu: %u index entries and %u data bytes need %zu "
                            "bytes, the blob has %zu",
                            skip, il, s.dl, s.data_at + s.dl, len);
    s.data = blob + s.data_at;

    entries = dd_malloc((size_t)il * sizeof(*entries));
    if (!entries)
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < il; i++) {
        const uint8_t *p = blob + skip + 8 + (size_t)i * 16;
        entry *e = &entries[i];

        e->tag = be32(p);
        e->type = be32(p + 4);
        e->offset = be32(p + 8);
        e->count = be32(p + 12);
        e->at = skip + 8 + (size_t)i * 16;
        if (e->type > RPM_I18NSTRING_TYPE) {
            rc = bad(e, "unknown data type");
            goto done;
        }
        if (e->offset > s.dl) {
            rc = bad(e, "data offset past the data store");
            goto done;
        }
        switch (e->tag) {
        case DD_RPMTAG_NAME: name = e; break;
        case DD_RPMTAG_VERSION: version = e; break;
        case DD_RPMTAG_RELEASE: release = e; break;
        case DD_RPMTAG_EPOCH: epoch = e; break;
        case DD_RPMTAG_ARCH: arch = e; break;
        case DD_RPMTAG_SOURCERPM: srpm = e; break;
        case DD_RPMTAG_LICENSE: license = e; break;
        case DD_RPMTAG_VENDOR: vendor = e; break;
        case DD_RPMTAG_SIZE: size = e; break;
        case DD_RPMTAG_LONGSIZE: longsize = e; break;
        case DD_RPMTAG_BASENAMES: base = e; break;
        case DD_RPMTAG_DIRNAMES: dirs = e; break;
        case DD_RPMTAG_DIRINDEXES: idx = e; break;
        case DD_RPMTAG_OLDFILENAMES: old = e; break;
        default: break;
        }
    }

    if ((name && (rc = get_string(&out->name, arena, &s, name)) != DD_OK) ||
        (version && (rc = get_string(&out->version, arena, &s, version)) != DD_OK) ||
        (release && (rc = get_string(&out->release, arena, &s, release)) != DD_OK) ||
        (arch && (rc = get_string(&out->arch, arena, &s, arch)) != DD_OK) ||
        (srpm && (rc = get_string(&out->sourcerpm, arena, &s, srpm)) != DD_OK) ||
        (license && (rc = get_string(&out->license, arena, &s, license)) != DD_OK) ||
        (vendor && (rc = get_string(&out->vendor, arena, &s, vendor)) != DD_OK))
        goto done;
    if (epoch) {
        if ((rc = get_int(&v, &s, epoch)) != DD_OK)
            goto done;
        out->epoch = (uint32_t)v;
        out->has_epoch = 1;
    }
    if (longsize || size) {
        if ((rc = get_int(&out->size, &s, longsize ? longsize : size)) != DD_OK)
            goto done;
        out->has_size = 1;
    }
    if (!out->name) {
        rc = dd_error_set(DD_EINVALID, "header offset %zu: no NAME tag", skip);
        goto done;
    }
    if (want_files)
        rc = build_files(out, arena, &s, base, dirs, idx, old);
done:
    dd_free(entries);
    return rc;
}

int dd_rpm__split_srpm(const char *srpm, size_t *name_len, const char **vr, size_t *vr_len)
{
    static const char *const suffixes[] = {".src.rpm", ".nosrc.rpm"};
    size_t n = strlen(srpm), i;
    const char *rel_dash = NULL, *ver_dash = NULL;

    for (i = 0; i < DD_ARRAY_SIZE(suffixes); i++) {
        size_t sl = strlen(suffixes[i]);

        if (n > sl && memcmp(srpm + n - sl, suffixes[i], sl) == 0) {
            n -= sl;
            break;
        }
    }
    if (i == DD_ARRAY_SIZE(suffixes))
        return -1;
    for (size_t j = n; j-- > 0;) {
        if (srpm[j] != '-')
            continue;
        if (!rel_dash) {
            rel_dash = srpm + j;
        } else {
            ver_dash = srpm + j;
            break;
        }
    }
    if (!ver_dash || ver_dash == srpm || ver_dash + 1 == rel_dash || rel_dash + 1 == srpm + n)
        return -1;
    *name_len = (size_t)(ver_dash - srpm);
    *vr = ver_dash + 1;
    *vr_len = (size_t)(srpm + n - (ver_dash + 1));
    return 0;
}
