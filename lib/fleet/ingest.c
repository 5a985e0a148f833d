/* Ingest of one pushed SBOM: inflate, read, record the image, its tags and labels, upsert the
 * package identities and the occurrences, and match the identities new to the store, all in one
 * transaction. */
#include "fleet/fleet_int.h"

#include <drydock/sbom.h>
#include <drydock/scan.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define MAX_INFLATED (512ull << 20)

/* --- decompression, bounded --- */

static int inflate_gzip(dd_buf *out, const char *name, const unsigned char *data, size_t len)
{
    z_stream z = {0};
    int zrc = Z_OK, rc = DD_OK;

    if (inflateInit2(&z, 15 + 32) != Z_OK)
        return dd_error_set(DD_ENOMEM, "out of memory");
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)len;
    while (zrc != Z_STREAM_END) {
        if ((rc = dd_buf_grow(out, 1 << 16)) != DD_OK)
            break;
        z.next_out = (unsigned char *)out->data + out->len;
        z.avail_out = (uInt)(out->alloc - out->len - 1);
        zrc = inflate(&z, Z_NO_FLUSH);
        out->len = (size_t)((char *)z.next_out - out->data);
        out->data[out->len] = '\0';
        if (zrc != Z_OK && zrc != Z_STREAM_END) {
            rc = dd_error_set(DD_EINVALID, "%s: gzip: %s", name, z.msg ? z.msg : "corrupt data");
            break;
        }
        if (zrc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
            rc = dd_error_set(DD_EINVALID, "%s: gzip: truncated stream", name);
            break;
        }
    }
    inflateEnd(&z);
    if (rc == DD_ELIMIT)
        dd_error_set(DD_ELIMIT, "%s: inflates past %llu MiB", name, MAX_INFLATED >> 20);
    return rc;
}

static int inflate_zstd(dd_buf *out, const char *name, const unsigned char *data, size_t len)
{
    ZSTD_DStream *z = ZSTD_createDStream();
    ZSTD_inBuffer in = {data, len, 0};
    size_t zr = 1;
    int rc = DD_OK;

    if (!z)
        return dd_error_set(DD_ENOMEM, "out of memory");
    while (zr != 0) {
        ZSTD_outBuffer o;

        if ((rc = dd_buf_grow(out, 1 << 16)) != DD_OK)
            break;
        o.dst = out->data + out->len;
        o.size = out->alloc - out->len - 1;
        o.pos = 0;
        zr = ZSTD_decompressStream(z, &o, &in);
        out->len += o.pos;
        out->data[out->len] = '\0';
        if (ZSTD_isError(zr)) {
            rc = dd_error_set(DD_EINVALID, "%s: zstd: %s", name, ZSTD_getErrorName(zr));
            break;
        }
        if (zr != 0 && in.pos == in.size && o.pos < o.size) {
            rc = dd_error_set(DD_EINVALID, "%s: zstd: truncated frame", name);
            break;
        }
    }
    ZSTD_freeDStream(z);
    if (rc == DD_ELIMIT)
        dd_error_set(DD_ELIMIT, "%s: inflates past %llu MiB", name, MAX_INFLATED >> 20);
    return rc;
}

/* The SBOM's bytes: inflated into `tmp` when its magic says gzip or zstd, else `data` as is. */
static int plain_bytes(dd_buf *tmp, const char *name, const void *data, size_t len,
                       const char **out, size_t *out_len)
{
    const unsigned char *d = data;
    int rc = DD_OK;

    tmp->cap = MAX_INFLATED;
    if (len >= 2 && d[0] == 0x1f && d[1] == 0x8b)
        rc = inflate_gzip(tmp, name, d, len);
    else if (len >= 4 && d[0] == 0x28 && d[1] == 0xb5 && d[2] == 0x2f && d[3] == 0xfd)
        rc = inflate_zstd(tmp, name, d, len);
    else {
        *out = data;
        *out_len = len;
        return DD_OK;
    }
    *out = tmp->data;
    *out_len = tmp->len;
    return rc;
}

/* --- the image's digest --- */

static bool take_digest(char out[80], const char *s)
{
    if (!s || !dd_digest_valid(s))
        return false;
    snprintf(out, 80, "%s", s);
    return true;
}

static bool take_hex(char out[80], const char *hex)
{
    char d[80];

    if (!hex)
        return false;
    snprintf(d, sizeof(d), "sha256:%s", hex);
    return take_digest(out, d);
}

static bool cyclonedx_digest(char out[80], json_t *doc)
{
    json_t *c = json_object_get(json_object_get(doc, "metadata"), "component"), *v;
    size_t i;

    json_array_foreach(json_object_get(c, "properties"), i, v)
    {
        const char *n = json_string_value(json_object_get(v, "name"));
        if (n && (strcmp(n, "drydock:image:digest") == 0 || strcmp(n, "drydock:digest") == 0) &&
            take_digest(out, json_string_value(json_object_get(v, "value"))))
            return true;
    }
    json_array_foreach(json_object_get(c, "hashes"), i, v)
    {
        const char *alg = json_string_value(json_object_get(v, "alg"));
        if (alg && strcmp(alg, "SHA-256") == 0 &&
            take_hex(out, json_string_value(json_object_get(v, "content"))))
            return true;
    }
    return take_digest(out, json_string_value(json_object_get(c, "version")));
}

static bool spdx_digest(char out[80], json_t *doc)
{
    json_t *described = json_object_get(doc, "documentDescribes"), *pkg, *d, *cs;
    size_t i, j, k;

    json_array_foreach(json_object_get(doc, "packages"), i, pkg)
    {
        const char *id = json_string_value(json_object_get(pkg, "SPDXID"));
        bool subject = false;

        json_array_foreach(described, j, d) subject |=
            id && json_is_string(d) && strcmp(json_string_value(d), id) == 0;
        if (!subject)
            continue;
        json_array_foreach(json_object_get(pkg, "checksums"), k, cs)
        {
            const char *alg = json_string_value(json_object_get(cs, "algorithm"));
            if (alg && strcmp(alg, "SHA256") == 0 &&
                take_hex(out, json_string_value(json_object_get(cs, "checksumValue"))))
                return true;
        }
        if (take_digest(out, json_string_value(json_object_get(pkg, "versionInfo"))))
            return true;
    }
    return false;
}

/* The end of the JSON value starting at `p` (a string, or an object or array skipped by
 * bracket depth outside strings), NULL when the text ends first. Only used to cut out one
 * top-level member for jansson to parse; jansson validates what is cut out. */
static const char *value_end(const char *p, const char *end)
{
    int depth = 0;
    bool in_str = false;

    for (; p < end; p++) {
        if (in_str) {
            if (*p == '\\')
                p++;
            else if (*p == '"')
                in_str = false;
            if (!in_str && depth == 0)
                return p + 1;
            continue;
        }
        if (*p == '"')
            in_str = true;
        else if (*p == '{' || *p == '[')
            depth++;
        else if ((*p == '}' || *p == ']') && --depth == 0)
            return p + 1;
        else if (depth == 0 && (*p == ',' || *p == '}'))
            return p;
    }
    return NULL;
}

/* The text of top-level member `key` of the object in `data`, found without parsing the rest:
 * CycloneDX's "metadata" is small beside its components, and a second full parse of a large
 * SBOM would cost as much as reading it. */
static json_t *top_member(const char *data, size_t len, const char *key)
{
    const char *p = data, *end = data + len;
    size_t klen = strlen(key);

    while (p < end && *p != '{')
        p++;
    for (p++; p < end;) {
        const char *k, *v;

        while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ','))
            p++;
        if (p >= end || *p != '"')
            return NULL;
        k = p + 1;
        if (!(p = value_end(p, end)))
            return NULL;
        while (p < end && *p != ':')
            p++;
        v = ++p;
        if (!(p = value_end(v, end)))
            return NULL;
        if ((size_t)(p - k) > klen && strncmp(k, key, klen) == 0 && k[klen] == '"')
            return json_loadb(v, (size_t)(p - v), JSON_DECODE_ANY, NULL);
    }
    return NULL;
}

/* The digest the ref names, else the SBOM's subject, else the SHA-256 of its bytes. */
static int image_digest(char out[80], const dd_fleet_image_ref *ref, const char *name,
                        const char *data, size_t len)
{
    json_t *doc, *meta;
    bool ok = false;

    if (ref->digest) {
        if (!take_digest(out, ref->digest))
            return dd_error_set(DD_EINVALID, "%s: digest \"%.80s\" is not sha256:<64 hex>", name,
                                ref->digest);
        return DD_OK;
    }
    if ((meta = top_member(data, len, "metadata"))) {
        json_t *wrap = json_pack("{sO}", "metadata", meta);
        ok = wrap && cyclonedx_digest(out, wrap);
        json_decref(wrap);
        json_decref(meta);
    } else if ((doc = json_loadb(data, len, JSON_DECODE_ANY, NULL))) {
        ok = spdx_digest(out, doc);
        json_decref(doc);
    }
    if (!ok) {
        char d[72];
        int rc = dd_sha256_digest(d, data, len);
        if (rc != DD_OK)
            return rc;
        snprintf(out, 80, "%s", d);
    }
    return DD_OK;
}

/* --- the image row, its tags and labels --- */

static int check_ref(const dd_fleet_image_ref *ref, const char *name)
{
    if (!ref->repository || !*ref->repository)
        return dd_error_set(DD_EINVALID, "%s: no repository given", name);
    if (strlen(ref->repository) > 512)
        return dd_error_set(DD_EINVALID, "%s: repository longer than 512 bytes", name);
    for (size_t i = 0; i < ref->n_tags; i++)
        if (!ref->tags[i] || !*ref->tags[i] || strlen(ref->tags[i]) > 128)
            return dd_error_set(DD_EINVALID, "%s: tag %zu is empty or longer than 128 bytes", name,
                                i + 1);
    for (size_t i = 0; i < ref->n_labels; i++)
        if (!ref->labels[i] || !strchr(ref->labels[i], '=') || ref->labels[i][0] == '=')
            return dd_error_set(DD_EINVALID, "%s: label \"%.100s\" is not key=value", name,
                                ref->labels[i] ? ref->labels[i] : "");
    return DD_OK;
}

static int upsert_image(dd_fleet_conn *c, const dd_fleet_image_ref *ref, const char *digest,
                        const char *os, const char *os_eco, dd_fleet_ingest_result *out)
{
    int64_t now = dd_fleet__now();
    dd_dbv p[7] = {DBT(digest), DBT(ref->repository), DBT(os),
                   DBT(os_eco), DBT(ref->base_image), DBI(now),
                   DBI(now)};
    bool found;
    int rc;

    rc = dd_fleet__int(c,
                       "INSERT INTO images (digest, repository, os, os_ecosystem, base_image, "
                       "pushed_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                       "ON CONFLICT (digest) DO NOTHING RETURNING id",
                       p, 7, &out->image_id, &found);
    out->created = found;
    if (rc != DD_OK || found)
        return rc;
    /* a re-push: the repository and base image given now win, the rest is merged */
    return dd_fleet__int(
        c,
        "UPDATE images SET repository = $2, base_image = COALESCE($3, "
        "base_image), updated_at = $4 WHERE digest = $1 RETURNING id",
        (dd_dbv[]){DBT(digest), DBT(ref->repository), DBT(ref->base_image), DBI(now)}, 4,
        &out->image_id, NULL);
}

static int move_tag(dd_fleet_conn *c, const char *repo, const char *tag, int64_t image_id)
{
    dd_dbv p[2] = {DBT(repo), DBT(tag)};
    int64_t prev, now = dd_fleet__now();
    bool found;
    int rc;

    if ((rc = dd_fleet__int(c, "SELECT image_id FROM tags WHERE repository = $1 AND tag = $2", p, 2,
                            &prev, &found)) != DD_OK)
        return rc;
    if (found && prev == image_id)
        return DD_OK;
    rc = dd_fleet__exec(c,
                        "INSERT INTO tags (repository, tag, image_id, updated_at) "
                        "VALUES ($1, $2, $3, $4) ON CONFLICT (repository, tag) DO UPDATE "
                        "SET image_id = excluded.image_id, updated_at = excluded.updated_at",
                        (dd_dbv[]){DBT(repo), DBT(tag), DBI(image_id), DBI(now)}, 4);
    if (rc != DD_OK)
        return rc;
    return dd_fleet__exec(
        c,
        "INSERT INTO tag_history (repository, tag, image_id, "
        "previous_image_id, moved_at) VALUES ($1, $2, $3, $4, $5)",
        (dd_dbv[]){DBT(repo), DBT(tag), DBI(image_id), found ? DBI(prev) : DBT(NULL), DBI(now)}, 5);
}

static int set_label(dd_fleet_conn *c, int64_t image_id, const char *kv)
{
    const char *eq = strchr(kv, '=');
    char *key = dd_strndup(kv, (size_t)(eq - kv));
    int rc;

    if (!key)
        return dd_error_set(DD_ENOMEM, "out of memory");
    rc = dd_fleet__exec(c,
                        "INSERT INTO image_labels (image_id, key, value) VALUES ($1, $2, $3) "
                        "ON CONFLICT (image_id, key) DO UPDATE SET value = excluded.value",
                        (dd_dbv[]){DBI(image_id), DBT(key), DBT(eq + 1)}, 3);
    dd_free(key);
    return rc;
}

static int record_ref(dd_fleet_conn *c, const dd_fleet_image_ref *ref, int64_t image_id)
{
    int rc = DD_OK;

    for (size_t i = 0; i < ref->n_tags && rc == DD_OK; i++)
        rc = move_tag(c, ref->repository, ref->tags[i], image_id);
    for (size_t i = 0; i < ref->n_labels && rc == DD_OK; i++)
        rc = set_label(c, image_id, ref->labels[i]);
    return rc;
}

/* --- identities and occurrences --- */

static bool is_os_type(dd_pkg_type t)
{
    return t == DD_PKG_DEB || t == DD_PKG_APK || t == DD_PKG_RPM;
}

/* What ingest keeps of one package while it runs. */
typedef struct {
    dd_fleet_ident id;
    char *match_name;
    bool is_new;
} ingest_ident;

/* The identity of `p`: its purl and the ecosystem it is matched in ("" when none). */
static void ident_of(ingest_ident *out, const dd_package *p, const char *os_eco)
{
    memset(out, 0, sizeof(*out));
    out->id.purl = p->purl;
    out->id.ecosystem =
        is_os_type(p->type) ? (os_eco ? os_eco : "") : dd_scan_language_ecosystem(p->type);
    if (!out->id.ecosystem)
        out->id.ecosystem = "";
    out->id.type = dd_pkg_type_name(p->type);
    out->id.name = p->name;
    out->id.version = p->version;
    out->id.source_name = p->source_name;
    out->id.source_version = p->source_version;
    out->id.epoch = p->epoch;
    out->match_name =
        (char *)(is_os_type(p->type) && p->source_name && *p->source_name ? p->source_name
                                                                          : p->name);
}

/* --- batched statements: a 3,000-package push is a few statements, not 6,000 ---
 *
 * SQLite runs in-process, so a statement is cheap and the batches are VALUES lists of fixed
 * size (128, then 16, then 1 rows: three texts to prepare). PostgreSQL pays a round trip and a
 * parse of every parameter: there a whole batch is one statement over bound arrays
 * (unnest($2::text[])), whatever its size. */

#define BATCH 128

static const int occurrence_tiers[] = {BATCH, 16, 1};

static pthread_once_t batch_once = PTHREAD_ONCE_INIT;
static char lookup_sql[BATCH * 16 + 160];
static char occurrences_sql[3][BATCH * 40 + 128];

static const char lookup_pg_sql[] =
    "SELECT i.id, v.ord FROM unnest($2::text[]) WITH ORDINALITY AS v(purl, ord) "
    "JOIN identities i ON i.ecosystem = $1 AND i.purl = v.purl";
static const char occurrences_pg_sql[] =
    "INSERT INTO image_occurrences (image_id, identity_ids, layers, paths) "
    "VALUES ($1, $2::bigint[], $3::bigint[], $4::text[]) ON CONFLICT (image_id) DO UPDATE "
    "SET identity_ids = excluded.identity_ids, layers = excluded.layers, paths = excluded.paths";

static void build_occurrences_sql(char *out, size_t cap, int rows)
{
    size_t o = (size_t)snprintf(out, cap,
                                "INSERT INTO occurrences (image_id, identity_id, n, "
                                "layer, path) VALUES ");

    for (int i = 0; i < rows; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s($%d, $%d, $%d, $%d, $%d)", i ? ", " : "",
                              5 * i + 1, 5 * i + 2, 5 * i + 3, 5 * i + 4, 5 * i + 5);
}

/* The texts of the batched statements, made once from constants (never from input). */
static void build_batch_sql(void)
{
    size_t o;

    /* a join with a VALUES list rather than "purl IN (...)": the (ecosystem, purl) index is
     * probed once per purl; each row carries its position in the batch (a constant), so the
     * answers need no search */
    o = (size_t)snprintf(lookup_sql, sizeof(lookup_sql), "SELECT i.id, v.column1 FROM (VALUES ");
    for (int i = 0; i < BATCH; i++)
        o += (size_t)snprintf(lookup_sql + o, sizeof(lookup_sql) - o, "%s(%d, $%d)", i ? ", " : "",
                              i + 1, i + 2);
    snprintf(lookup_sql + o, sizeof(lookup_sql) - o,
             ") AS v JOIN identities i ON i.ecosystem = $1 AND i.purl = v.column2");
    for (size_t t = 0; t < DD_ARRAY_SIZE(occurrence_tiers); t++)
        build_occurrences_sql(occurrences_sql[t], sizeof(occurrences_sql[t]), occurrence_tiers[t]);
}

/* Finds the known identities of `its[idx[0..n)]` (one ecosystem; at most BATCH on SQLite) in
 * one statement. Unused VALUES slots are NULL, which equals no purl. */
static int lookup_chunk(dd_fleet_conn *c, ingest_ident *its, const size_t *idx, size_t n)
{
    dd_dbv p[BATCH + 1];
    dd_buf arr = DD_BUF_INIT;
    const char **purls = NULL;
    dd_q q = {0};
    int rc;

    p[0] = DBT(its[idx[0]].id.ecosystem);
    if (c->kind == DD_DB_PG) {
        if (!(purls = dd_malloc(n * sizeof(*purls))))
            return dd_error_set(DD_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
            purls[i] = its[idx[i]].id.purl;
        rc = dd_fleet__array_text(&arr, purls, n);
        dd_free(purls);
        if (rc != DD_OK)
            goto done;
        p[1] = DBT(arr.data);
        rc = dd_q_run(&q, c, lookup_pg_sql, p, 2);
    } else {
        for (size_t i = 0; i < BATCH; i++)
            p[i + 1] = DBT(i < n ? its[idx[i]].id.purl : NULL);
        rc = dd_q_run(&q, c, lookup_sql, p, BATCH + 1);
    }
    for (; rc > 0; rc = dd_q_next(&q)) {
        int64_t pos = dd_q_int(&q, 1);

        if (pos >= 1 && (size_t)pos <= n)
            its[idx[pos - 1]].id.id = dd_q_int(&q, 0);
    }
    dd_q_done(&q);
done:
    dd_buf_dispose(&arr);
    return rc < 0 ? rc : DD_OK;
}

/* Sets id.id of every identity the store knows already: per ecosystem, BATCH at a time on
 * SQLite, all at once on PostgreSQL. */
static int lookup_known(dd_fleet_conn *c, ingest_ident *its, const bool *valid, size_t n)
{
    bool *done = dd_calloc(n ? n : 1, sizeof(*done));
    size_t *idx = dd_malloc((n ? n : 1) * sizeof(*idx));
    size_t cap = c->kind == DD_DB_PG ? (n ? n : 1) : BATCH;
    int rc = DD_OK;

    if (!done || !idx) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        size_t k = 0;

        if (done[i] || !valid[i])
            continue;
        for (size_t j = i; j < n && rc == DD_OK; j++) {
            if (done[j] || !valid[j] || strcmp(its[j].id.ecosystem, its[i].id.ecosystem) != 0)
                continue;
            done[j] = true;
            idx[k++] = j;
            if (k == cap) {
                rc = lookup_chunk(c, its, idx, k);
                k = 0;
            }
        }
        if (k && rc == DD_OK)
            rc = lookup_chunk(c, its, idx, k);
    }
out:
    dd_free(done);
    dd_free(idx);
    return rc;
}

static int insert_identity(dd_fleet_conn *c, ingest_ident *it)
{
    dd_dbv p[10] = {DBT(it->id.purl), DBT(it->id.ecosystem)};
    char *key = NULL;
    bool found;
    int rc;

    if ((rc = dd_fleet__purl_key(&key, NULL, it->id.purl)) != DD_OK)
        return rc;
    p[2] = DBT(it->id.type);
    p[3] = DBT(key);
    p[4] = DBT(it->id.name);
    p[5] = DBT(it->id.version);
    p[6] = DBT(it->match_name);
    p[7] = DBT(it->id.source_name);
    p[8] = DBT(it->id.source_version);
    p[9] = DBT(it->id.epoch);
    rc = dd_fleet__int(c,
                       "INSERT INTO identities (purl, ecosystem, ptype, pkey, name, version, "
                       "match_name, source_name, source_version, epoch) VALUES ($1, $2, $3, $4, "
                       "$5, $6, $7, $8, $9, $10) ON CONFLICT (ecosystem, purl) DO NOTHING "
                       "RETURNING id",
                       p, 10, &it->id.id, &found);
    it->is_new = found;
    /* the same purl twice in one SBOM, or another writer inserted it since the lookup */
    if (rc == DD_OK && !found)
        rc = dd_fleet__int(c, "SELECT id FROM identities WHERE purl = $1 AND ecosystem = $2", p, 2,
                           &it->id.id, &found);
    dd_free(key);
    return rc;
}

typedef struct {
    const char *eco, *purl;
    size_t i; /* in the plan's identities */
} purl_ref;

static int cmp_purl_ref(const void *a, const void *b)
{
    const purl_ref *x = a, *y = b;
    int c = strcmp(x->eco, y->eco);

    return c ? c : strcmp(x->purl, y->purl);
}

enum { IDENT_COLUMNS = 10 };

/* The identities of `its` without an id, on PostgreSQL: each (ecosystem, purl) once, in one
 * statement (one round trip where there were as many as new identities: 3,000 for a first push).
 * An SBOM's second copy of a purl, and one another writer inserted since the lookup, are left
 * without an id for lookup_known. */
static int insert_identities_pg(dd_fleet_conn *c, ingest_ident *its, const bool *valid, size_t n)
{
    purl_ref *u = dd_malloc((n ? n : 1) * sizeof(*u));
    const char **col = dd_calloc(IDENT_COLUMNS * (n ? n : 1), sizeof(*col));
    char **keys = dd_calloc(n ? n : 1, sizeof(*keys));
    dd_buf arr[IDENT_COLUMNS];
    dd_dbv p[IDENT_COLUMNS];
    size_t m = 0, k = 0;
    dd_q q = {0};
    int rc = DD_OK;

    for (size_t j = 0; j < IDENT_COLUMNS; j++)
        arr[j] = (dd_buf)DD_BUF_INIT;
    if (!u || !col || !keys) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (valid[i] && !its[i].id.id)
            u[m++] = (purl_ref){its[i].id.ecosystem, its[i].id.purl, i};
    if (!m)
        goto done;
    qsort(u, m, sizeof(*u), cmp_purl_ref);
    for (size_t i = 0; i < m; i++)
        if (k == 0 || cmp_purl_ref(&u[i], &u[k - 1]) != 0)
            u[k++] = u[i];
    /* column j of row i at col[j * k + i]: each column is the array of one parameter */
    for (size_t i = 0; i < k && rc == DD_OK; i++) {
        const ingest_ident *it = &its[u[i].i];
        const char *row[IDENT_COLUMNS] = {it->id.purl,    it->id.ecosystem,   it->id.type,
                                          NULL,           it->id.name,        it->id.version,
                                          it->match_name, it->id.source_name, it->id.source_version,
                                          it->id.epoch};

        rc = dd_fleet__purl_key(&keys[i], NULL, it->id.purl);
        row[3] = keys[i];
        for (size_t j = 0; j < IDENT_COLUMNS; j++)
            col[j * k + i] = row[j];
    }
    for (size_t j = 0; j < IDENT_COLUMNS && rc == DD_OK; j++) {
        rc = dd_fleet__array_text(&arr[j], col + j * k, k);
        p[j] = DBT(arr[j].data);
    }
    if (rc != DD_OK)
        goto done;
    for (rc = dd_q_run(&q, c,
                       "INSERT INTO identities (purl, ecosystem, ptype, pkey, name, version, "
                       "match_name, source_name, source_version, epoch) SELECT * FROM "
                       "unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], "
                       "$6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) "
                       "ON CONFLICT (ecosystem, purl) DO NOTHING RETURNING id, ecosystem, purl",
                       p, IDENT_COLUMNS);
         rc > 0; rc = dd_q_next(&q)) {
        purl_ref key = {dd_q_text(&q, 1), dd_q_text(&q, 2), 0};
        const purl_ref *hit =
            key.eco && key.purl ? bsearch(&key, u, k, sizeof(*u), cmp_purl_ref) : NULL;

        if (hit) {
            its[hit->i].id.id = dd_q_int(&q, 0);
            its[hit->i].is_new = true;
        }
    }
    dd_q_done(&q);
    rc = rc < 0 ? rc : DD_OK;
done:
    for (size_t j = 0; j < IDENT_COLUMNS; j++)
        dd_buf_dispose(&arr[j]);
    for (size_t i = 0; keys && i < k; i++)
        dd_free(keys[i]);
    dd_free(keys);
    dd_free(col);
    dd_free(u);
    return rc;
}

/* The occurrences on PostgreSQL: the image's row of three arrays, replacing an earlier push's. */
static int insert_occurrences_pg(dd_fleet_conn *c, int64_t image_id, const dd_inventory *inv,
                                 const ingest_ident *its, const bool *valid, size_t n)
{
    int64_t *ids = dd_malloc((n ? n : 1) * sizeof(*ids));
    int64_t *layers = dd_malloc((n ? n : 1) * sizeof(*layers));
    const char **paths = dd_malloc((n ? n : 1) * sizeof(*paths));
    dd_buf a_ids = DD_BUF_INIT, a_layers = DD_BUF_INIT, a_paths = DD_BUF_INIT;
    size_t k = 0;
    int rc;

    if (!ids || !layers || !paths) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const dd_package *pk = dd_inventory_get(inv, i);

        if (!valid[i])
            continue;
        ids[k] = its[i].id.id;
        layers[k] = pk->layer;
        paths[k] = pk->path ? pk->path : pk->db_path;
        k++;
    }
    if ((rc = dd_fleet__array_int(&a_ids, ids, k)) != DD_OK ||
        (rc = dd_fleet__array_int(&a_layers, layers, k)) != DD_OK ||
        (rc = dd_fleet__array_text(&a_paths, paths, k)) != DD_OK)
        goto done;
    rc = dd_fleet__exec(
        c, occurrences_pg_sql,
        (dd_dbv[]){DBI(image_id), DBT(a_ids.data), DBT(a_layers.data), DBT(a_paths.data)}, 4);
done:
    dd_buf_dispose(&a_ids);
    dd_buf_dispose(&a_layers);
    dd_buf_dispose(&a_paths);
    dd_free(ids);
    dd_free(layers);
    dd_free(paths);
    return rc;
}

static int insert_occurrences(dd_fleet_conn *c, int64_t image_id, const dd_inventory *inv,
                              const ingest_ident *its, const bool *valid, size_t n)
{
    dd_dbv *p;
    size_t k = 0, done = 0;
    int rc = DD_OK;

    if (c->kind == DD_DB_PG)
        return insert_occurrences_pg(c, image_id, inv, its, valid, n);
    if (!(p = dd_malloc((n ? n : 1) * 5 * sizeof(*p))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const dd_package *pk = dd_inventory_get(inv, i);

        if (!valid[i])
            continue;
        p[5 * k] = DBI(image_id);
        p[5 * k + 1] = DBI(its[i].id.id);
        p[5 * k + 2] = DBI(k); /* the key's last part: an identity may occur at several paths */
        p[5 * k + 3] = DBI(pk->layer);
        p[5 * k + 4] = DBT(pk->path ? pk->path : pk->db_path);
        k++;
    }
    for (size_t t = 0; t < DD_ARRAY_SIZE(occurrence_tiers) && rc == DD_OK; t++) {
        size_t rows = (size_t)occurrence_tiers[t];
        for (; k - done >= rows && rc == DD_OK; done += rows)
            rc = dd_fleet__exec(c, occurrences_sql[t], p + 5 * done, (int)(5 * rows));
    }
    dd_free(p);
    return rc;
}

/* --- fingerprints: for each (ecosystem, name) the new identities bring, the advisories they
 * were matched against, so that re-match knows which names changed --- */

typedef struct {
    const char *eco, *name;
    bool known; /* the store has its fingerprint */
    char fp[72];
} eco_name;

static int cmp_eco_name(const void *a, const void *b)
{
    const eco_name *x = a, *y = b;
    int c = strcmp(x->eco, y->eco);

    return c ? c : strcmp(x->name, y->name);
}

/* Sets `known` of the pairs v[0..n): one statement per pair on SQLite, one in all on PostgreSQL
 * (a round trip each would be most of a push bringing a few dozen names). */
static int find_known_names(dd_fleet_conn *c, eco_name *v, size_t n)
{
    const char **ecos = NULL, **names = NULL;
    dd_buf a_eco = DD_BUF_INIT, a_name = DD_BUF_INIT;
    dd_q q = {0};
    int rc = DD_OK;

    if (c->kind != DD_DB_PG) {
        for (size_t i = 0; i < n && rc == DD_OK; i++) {
            int64_t one;

            rc = dd_fleet__int(c,
                               "SELECT 1 FROM advisory_fingerprints WHERE ecosystem = $1 AND "
                               "name = $2",
                               (dd_dbv[]){DBT(v[i].eco), DBT(v[i].name)}, 2, &one, &v[i].known);
        }
        return rc;
    }
    if (!(ecos = dd_malloc(n * sizeof(*ecos))) || !(names = dd_malloc(n * sizeof(*names)))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        ecos[i] = v[i].eco, names[i] = v[i].name;
    if ((rc = dd_fleet__array_text(&a_eco, ecos, n)) != DD_OK ||
        (rc = dd_fleet__array_text(&a_name, names, n)) != DD_OK)
        goto done;
    for (rc = dd_q_run(&q, c,
                       "SELECT v.ord FROM unnest($1::text[], $2::text[]) WITH ORDINALITY "
                       "AS v(ecosystem, name, ord) JOIN advisory_fingerprints a "
                       "ON a.ecosystem = v.ecosystem AND a.name = v.name",
                       (dd_dbv[]){DBT(a_eco.data), DBT(a_name.data)}, 2);
         rc > 0; rc = dd_q_next(&q)) {
        int64_t ord = dd_q_int(&q, 0);

        if (ord >= 1 && (size_t)ord <= n)
            v[ord - 1].known = true;
    }
    dd_q_done(&q);
    rc = rc < 0 ? rc : DD_OK;
done:
    dd_buf_dispose(&a_eco);
    dd_buf_dispose(&a_name);
    dd_free(ecos);
    dd_free(names);
    return rc;
}

/* Inserts the fingerprints of the pairs not `known`. */
static int insert_fingerprints(dd_fleet_conn *c, const eco_name *v, size_t n)
{
    const char **cols[3] = {NULL, NULL, NULL};
    dd_buf arr[3] = {DD_BUF_INIT, DD_BUF_INIT, DD_BUF_INIT};
    int64_t now = dd_fleet__now();
    size_t k = 0;
    int rc = DD_OK;

    if (c->kind != DD_DB_PG) {
        for (size_t i = 0; i < n && rc == DD_OK; i++)
            if (!v[i].known)
                rc = dd_fleet__exec(
                    c,
                    "INSERT INTO advisory_fingerprints (ecosystem, name, "
                    "fingerprint, checked_at) VALUES ($1, $2, $3, $4) "
                    "ON CONFLICT DO NOTHING",
                    (dd_dbv[]){DBT(v[i].eco), DBT(v[i].name), DBT(v[i].fp), DBI(now)}, 4);
        return rc;
    }
    for (int j = 0; j < 3; j++)
        if (!(cols[j] = dd_malloc(n * sizeof(*cols[j])))) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
    for (size_t i = 0; i < n; i++)
        if (!v[i].known) {
            cols[0][k] = v[i].eco, cols[1][k] = v[i].name, cols[2][k] = v[i].fp;
            k++;
        }
    for (int j = 0; j < 3 && rc == DD_OK; j++)
        rc = dd_fleet__array_text(&arr[j], cols[j], k);
    /* ON CONFLICT DO NOTHING: another push may have brought the same name meanwhile */
    if (rc == DD_OK && k)
        rc = dd_fleet__exec(
            c,
            "INSERT INTO advisory_fingerprints (ecosystem, name, fingerprint, "
            "checked_at) SELECT e, n, f, $4 FROM unnest($1::text[], $2::text[], "
            "$3::text[]) AS v(e, n, f) ON CONFLICT DO NOTHING",
            (dd_dbv[]){DBT(arr[0].data), DBT(arr[1].data), DBT(arr[2].data), DBI(now)}, 4);
done:
    for (int j = 0; j < 3; j++) {
        dd_buf_dispose(&arr[j]);
        dd_free(cols[j]);
    }
    return rc;
}

static int note_fingerprints(dd_fleet_conn *c, dd_vulndb *db, const ingest_ident *its, size_t n)
{
    eco_name *v = dd_calloc(n ? n : 1, sizeof(*v));
    size_t k = 0, m = 0;
    int rc = DD_OK;

    if (!v)
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (its[i].is_new && *its[i].id.ecosystem) {
            v[k].eco = its[i].id.ecosystem;
            v[k].name = its[i].match_name;
            k++;
        }
    /* each pair once */
    if (k)
        qsort(v, k, sizeof(*v), cmp_eco_name);
    for (size_t i = 0; i < k; i++)
        if (m == 0 || cmp_eco_name(&v[i], &v[m - 1]) != 0)
            v[m++] = v[i];
    if (m)
        rc = find_known_names(c, v, m);
    for (size_t i = 0; i < m && rc == DD_OK; i++)
        if (!v[i].known)
            rc = dd_fleet__fingerprint(db, v[i].eco, v[i].name, v[i].fp);
    if (rc == DD_OK && m)
        rc = insert_fingerprints(c, v, m);
    dd_free(v);
    return rc;
}

/* Matches the new identities, one batch per ecosystem. */
static int match_new(dd_fleet_conn *c, dd_vulndb *db, ingest_ident *its, size_t n,
                     dd_fleet_newf_list *nf)
{
    dd_fleet_ident *batch = dd_malloc((n ? n : 1) * sizeof(*batch));
    bool *done = dd_calloc(n ? n : 1, sizeof(*done));
    int rc = DD_OK;

    if (!batch || !done) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        size_t k = 0;

        if (done[i] || !its[i].is_new || !*its[i].id.ecosystem)
            continue;
        for (size_t j = i; j < n; j++)
            if (!done[j] && its[j].is_new &&
                strcmp(its[j].id.ecosystem, its[i].id.ecosystem) == 0) {
                batch[k++] = its[j].id;
                done[j] = true;
            }
        rc = dd_fleet__match_new_idents(c, db, batch, k, nf);
    }
    if (rc == DD_OK)
        rc = note_fingerprints(c, db, its, n);
out:
    dd_free(batch);
    dd_free(done);
    return rc;
}

static char *os_text(const dd_os_info *os)
{
    dd_buf b = DD_BUF_INIT;

    if (!os || !os->id)
        return NULL;
    if (dd_buf_printf(&b, "%s%s%s", os->id, os->version_id ? " " : "",
                      os->version_id ? os->version_id : "") != DD_OK)
        return NULL;
    return dd_buf_detach(&b, NULL);
}

/* What ingest knows before its transaction: the packages' identities, and which of them the
 * store holds already. Identities are never deleted, so the lookup can run before the write
 * transaction (outside SQLite's single writer lock); one that appears meanwhile is found by
 * insert_identity's conflict. */
typedef struct {
    size_t n;
    ingest_ident *its;
    bool *valid;
    bool *cached;   /* its id came from the store's id cache */
    int64_t *known; /* identity id found by the lookup, 0 when none */
    char *os, *os_eco;
} ingest_plan;

static void plan_dispose(ingest_plan *pl)
{
    dd_free(pl->its);
    dd_free(pl->valid);
    dd_free(pl->cached);
    dd_free(pl->known);
    dd_free(pl->os);
    dd_free(pl->os_eco);
}

static int plan_packages(dd_fleet *f, dd_fleet_conn *c, const dd_inventory *inv, ingest_plan *pl)
{
    bool *ask;
    size_t n = dd_inventory_count(inv);
    int rc;

    memset(pl, 0, sizeof(*pl));
    pl->n = n;
    pl->os = os_text(dd_inventory_os(inv));
    if (dd_scan_os_ecosystem(&pl->os_eco, dd_inventory_os(inv)) != DD_OK)
        pl->os_eco = NULL;
    pl->its = dd_calloc(n ? n : 1, sizeof(*pl->its));
    pl->valid = dd_calloc(n ? n : 1, sizeof(*pl->valid));
    pl->known = dd_calloc(n ? n : 1, sizeof(*pl->known));
    pl->cached = dd_calloc(n ? n : 1, sizeof(*pl->cached));
    if (!pl->its || !pl->valid || !pl->known || !pl->cached)
        return dd_error_set(DD_ENOMEM, "out of memory");
    pthread_once(&batch_once, build_batch_sql);
    for (size_t i = 0; i < n; i++) {
        const dd_package *pk = dd_inventory_get(inv, i);

        pl->valid[i] = pk->purl && pk->name && pk->version;
        if (pl->valid[i])
            ident_of(&pl->its[i], pk, pl->os_eco);
    }
    /* the database is asked only about what the cache does not know */
    if (!(ask = dd_calloc(n ? n : 1, sizeof(*ask))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    dd_fleet__idcache_read_begin(f->ids);
    for (size_t i = 0; i < n; i++) {
        if (!pl->valid[i])
            continue;
        pl->its[i].id.id =
            dd_fleet__idcache_get(f->ids, pl->its[i].id.ecosystem, pl->its[i].id.purl);
        pl->cached[i] = pl->its[i].id.id != 0;
        ask[i] = !pl->cached[i];
    }
    dd_fleet__idcache_read_end(f->ids);
    rc = lookup_known(c, pl->its, ask, n);
    dd_free(ask);
    if (rc != DD_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        pl->known[i] = pl->its[i].id.id;
    return DD_OK;
}

/* PostgreSQL's index (holders.c) is folded in by the server's timer every second; a push finding
 * this many images queued (no server, or one falling behind) does it itself. */
#define MERGE_AT 256

/* After the commit: the ids the cache did not have. */
static void remember_ids(dd_fleet *f, const ingest_plan *pl)
{
    for (size_t i = 0; i < pl->n; i++)
        if (pl->valid[i] && !pl->cached[i] && pl->its[i].id.id)
            dd_fleet__idcache_put(f->ids, pl->its[i].id.ecosystem, pl->its[i].id.purl,
                                  pl->its[i].id.id);
}

/* The image's row of the inverted index: the identities it holds. */
static int put_holders(dd_fleet_conn *c, int64_t image_id, const ingest_ident *its,
                       const bool *valid, size_t n)
{
    int64_t *ids = dd_malloc((n ? n : 1) * sizeof(*ids));
    size_t k = 0;
    int rc;

    if (!ids)
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (valid[i])
            ids[k++] = its[i].id.id;
    rc = dd_fleet__holders_put(c, image_id, ids, k);
    dd_free(ids);
    return rc;
}

static int record_packages(dd_fleet_conn *c, const dd_inventory *inv, ingest_plan *pl,
                           dd_vulndb *db, dd_fleet_ingest_result *out, dd_fleet_newf_list *nf)
{
    ingest_ident *its = pl->its;
    size_t n = pl->n;
    dd_dbv p[1] = {DBI(out->image_id)};
    int rc = DD_OK;

    /* an attempt rolled back may have set ids of identities it inserted: start from the lookup */
    for (size_t i = 0; i < n; i++) {
        its[i].id.id = pl->known[i];
        its[i].is_new = false;
    }
    if (c->kind == DD_DB_PG) {
        bool *ask = dd_calloc(n ? n : 1, sizeof(*ask));

        rc = ask ? insert_identities_pg(c, its, pl->valid, n)
                 : dd_error_set(DD_ENOMEM, "out of memory");
        for (size_t i = 0; i < n && rc == DD_OK; i++)
            ask[i] = pl->valid[i] && !its[i].id.id;
        if (rc == DD_OK)
            rc = lookup_known(c, its, ask, n);
        dd_free(ask);
    }
    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        if (!pl->valid[i])
            continue;
        if (!its[i].id.id)
            rc = insert_identity(c, &its[i]);
        out->packages++;
        out->new_identities += its[i].is_new;
    }
    /* the index first: PostgreSQL's reads the occurrences a re-push replaces */
    if (rc == DD_OK)
        rc = put_holders(c, out->image_id, its, pl->valid, n);
    if (rc == DD_OK && c->kind == DD_DB_SQLITE) /* PostgreSQL's row is replaced as a whole */
        rc = dd_fleet__exec(c, "DELETE FROM occurrences WHERE image_id = $1", p, 1);
    if (rc == DD_OK)
        rc = insert_occurrences(c, out->image_id, inv, its, pl->valid, n);
    if (rc == DD_OK && db)
        rc = match_new(c, db, its, n, nf);
    out->new_findings = nf->n;
    return rc;
}

static int ingest_tx(dd_fleet_conn *c, const dd_fleet_image_ref *ref, const dd_inventory *inv,
                     ingest_plan *pl, dd_vulndb *db, dd_fleet_ingest_result *out)
{
    dd_fleet_newf_list nf = {0};
    int rc;

    if ((rc = dd_fleet__begin(c)) != DD_OK)
        goto done;
    if ((rc = upsert_image(c, ref, out->digest, pl->os, pl->os_eco, out)) == DD_OK &&
        (rc = record_ref(c, ref, out->image_id)) == DD_OK &&
        (rc = record_packages(c, inv, pl, db, out, &nf)) == DD_OK &&
        (rc = dd_fleet__queue(c, &nf)) == DD_OK)
        rc = dd_fleet__commit(c);
    if (rc != DD_OK)
        dd_fleet__rollback(c);
done:
    dd_free(nf.v);
    return rc;
}

int dd_fleet_ingest(dd_fleet *f, const dd_fleet_image_ref *ref, const char *name, const void *data,
                    size_t len, dd_fleet_ingest_result *out)
{
    dd_buf tmp = DD_BUF_INIT;
    dd_inventory *inv = NULL;
    dd_fleet_conn *c = NULL;
    dd_fleet_vdb *vdb = NULL;
    ingest_plan pl = {0};
    const char *plain;
    size_t plain_len;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!name)
        name = "sbom";
    if ((rc = check_ref(ref, name)) != DD_OK)
        return rc;
    if ((rc = plain_bytes(&tmp, name, data, len, &plain, &plain_len)) != DD_OK)
        goto done;
    if ((rc = dd_sbom_read(&inv, name, plain, plain_len)) != DD_OK)
        goto done;
    if ((rc = image_digest(out->digest, ref, name, plain, plain_len)) != DD_OK)
        goto done;
    /* a store whose vulnerability database is not there yet keeps the packages unmatched; the
     * first re-match after it appears matches them */
    if ((rc = dd_fleet__vulndb_take(f, NULL, &vdb)) == DD_ENOTFOUND) {
        rc = DD_OK;
        dd_error_clear();
    }
    if (rc != DD_OK || (rc = dd_fleet__acquire(f, &c)) != DD_OK)
        goto done;
    if ((rc = plan_packages(f, c, inv, &pl)) == DD_OK) {
        /* a deadlock between two pushes sharing new identities (PostgreSQL) is retried */
        for (int attempt = 0; attempt < 3; attempt++) {
            out->packages = out->new_identities = out->new_findings = 0;
            if ((rc = ingest_tx(c, ref, inv, &pl, vdb ? vdb->db : NULL, out)) == DD_OK ||
                !dd_fleet__retryable)
                break;
        }
        if (rc == DD_OK) {
            remember_ids(f, &pl);
            /* PostgreSQL: a full queue is folded in by the push that fills it; a failure
             * there leaves it queued, still answered exactly, for the next merge */
            if (dd_fleet__holders_merge(c, MERGE_AT) != DD_OK)
                dd_error_clear();
        }
    }
    dd_fleet__release(f, c);
done:
    dd_fleet__vulndb_give(f, vdb);
    if (rc != DD_OK)
        out->created = false;
    plan_dispose(&pl);
    dd_inventory_free(inv);
    dd_buf_dispose(&tmp);
    return rc;
}
