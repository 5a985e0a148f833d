/* API keys (stored as SHA-256 hashes, checked in constant time) and Dependency-Track's upload
 * tokens. */
#include "fleet/fleet_int.h"

#include <nettle/memops.h>

#include <stdio.h>
#include <string.h>

#define PREFIX_LEN 12 /* "ddk_" and 8 characters: shown in listings, used to find the row */

static const char *scope_name(int64_t s)
{
    return s == DD_FLEET_SCOPE_ADMIN ? "admin" : s == DD_FLEET_SCOPE_WRITE ? "write" : "read";
}

static int hash_secret(char out[72], const char *secret)
{
    return dd_sha256_digest(out, secret, strlen(secret));
}

/* The first characters of a secret, as the listing and the lookup use them. */
static void prefix_of(char out[PREFIX_LEN + 1], const char *secret)
{
    snprintf(out, PREFIX_LEN + 1, "%s", secret);
}

static int insert_key(dd_fleet_conn *c, const char *name, dd_fleet_scope scope, const char *secret)
{
    char hash[72], prefix[PREFIX_LEN + 1];
    int rc;

    if ((rc = hash_secret(hash, secret)) != DD_OK)
        return rc;
    prefix_of(prefix, secret);
    return dd_fleet__exec(
        c,
        "INSERT INTO api_keys (name, scope, prefix, hash, created_at) "
        "VALUES ($1, $2, $3, $4, $5)",
        (dd_dbv[]){DBT(name), DBI(scope), DBT(prefix), DBT(hash), DBI(dd_fleet__now())}, 5);
}

/* "ddk_" and 40 characters of RFC 4648 base32 over 25 random bytes (200 bits). */
static int make_secret(char out[64])
{
    static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
    unsigned char raw[25];
    size_t o = 4;
    int rc = dd_random_bytes(raw, sizeof(raw));

    if (rc != DD_OK)
        return rc;
    memcpy(out, "ddk_", 4);
    for (size_t bit = 0; bit < sizeof(raw) * 8; bit += 5) {
        unsigned v = 0;
        for (size_t k = 0; k < 5; k++)
            v = v << 1 | ((raw[(bit + k) / 8] >> (7 - (bit + k) % 8)) & 1u);
        out[o++] = b32[v];
    }
    out[o] = '\0';
    explicit_bzero(raw, sizeof(raw));
    return DD_OK;
}

static int check_name(const char *name)
{
    if (!name || !*name || strlen(name) > 128)
        return dd_error_set(DD_EINVALID, "key name is empty or longer than 128 bytes");
    return DD_OK;
}

int dd_fleet_key_create(dd_fleet *f, const char *name, dd_fleet_scope scope, char secret[64])
{
    dd_fleet_conn *c;
    int rc;

    secret[0] = '\0';
    if ((rc = check_name(name)) != DD_OK)
        return rc;
    if (scope < DD_FLEET_SCOPE_READ || scope > DD_FLEET_SCOPE_ADMIN)
        return dd_error_set(DD_EINVALID, "key scope %d is not read, write or admin", (int)scope);
    if ((rc = make_secret(secret)) != DD_OK)
        return rc;
    if ((rc = dd_fleet__acquire(f, &c)) != DD_OK)
        return rc;
    rc = insert_key(c, name, scope, secret);
    dd_fleet__release(f, c);
    if (rc != DD_OK)
        explicit_bzero(secret, 64);
    return rc;
}

int dd_fleet_key_bootstrap(dd_fleet *f, const char *secret)
{
    dd_fleet_conn *c;
    int64_t n;
    int rc;

    if (!secret || strlen(secret) < 16 || strlen(secret) > 256)
        return dd_error_set(DD_EINVALID, "bootstrap admin key must be 16 to 256 characters");
    if ((rc = dd_fleet__acquire(f, &c)) != DD_OK)
        return rc;
    if ((rc = dd_fleet__begin(c)) != DD_OK)
        goto done;
    /* several servers may start at once: the count and the insert are one transaction, and on
     * PostgreSQL the advisory lock orders them */
    if (c->kind == DD_DB_PG)
        rc = c->ops->exec_script(c->db, "SELECT pg_advisory_xact_lock(7270418)");
    if (rc == DD_OK)
        rc = dd_fleet__int(c, "SELECT COUNT(*) FROM api_keys WHERE scope = $1 AND revoked = 0",
                           (dd_dbv[]){DBI(DD_FLEET_SCOPE_ADMIN)}, 1, &n, NULL);
    if (rc == DD_OK && n == 0)
        rc = insert_key(c, "bootstrap", DD_FLEET_SCOPE_ADMIN, secret);
    if (rc == DD_OK)
        rc = dd_fleet__commit(c);
    else
        dd_fleet__rollback(c);
done:
    dd_fleet__release(f, c);
    return rc;
}

int dd_fleet_key_check(dd_fleet *f, const char *secret, dd_fleet_scope need)
{
    char hash[72], prefix[PREFIX_LEN + 1];
    dd_fleet_conn *c;
    dd_q q = {0};
    int64_t scope = -1;
    int rc;

    if (!secret || !*secret || strlen(secret) > 256)
        return dd_error_set(DD_ENOTFOUND, "no such API key");
    if ((rc = hash_secret(hash, secret)) != DD_OK)
        return rc;
    prefix_of(prefix, secret);
    if ((rc = dd_fleet__acquire(f, &c)) != DD_OK)
        return rc;
    /* found by its prefix, then compared by hash in constant time: the lookup does not leak
     * how much of a guessed hash matched */
    for (rc = dd_q_run(&q, c, "SELECT hash, scope FROM api_keys WHERE prefix = $1 AND revoked = 0",
                       (dd_dbv[]){DBT(prefix)}, 1);
         rc > 0; rc = dd_q_next(&q)) {
        const char *h = dd_q_text(&q, 0);
        if (h && strlen(h) == strlen(hash) && memeql_sec(h, hash, strlen(hash)))
            scope = dd_q_int(&q, 1);
    }
    dd_q_done(&q);
    dd_fleet__release(f, c);
    if (rc < 0)
        return rc;
    if (scope < 0)
        return dd_error_set(DD_ENOTFOUND, "no such API key");
    if (scope < (int64_t)need)
        return dd_error_set(DD_EPERM, "API key of scope %s; this needs %s", scope_name(scope),
                            scope_name(need));
    return DD_OK;
}

int dd_fleet_key_list(dd_fleet *f, json_t **out)
{
    json_t *doc = json_object(), *keys = json_array();
    dd_fleet_conn *c;
    dd_q q = {0};
    int rc;

    *out = NULL;
    if (!doc || !keys) {
        json_decref(doc);
        json_decref(keys);
        return dd_error_set(DD_ENOMEM, "out of memory");
    }
    json_object_set_new(doc, "keys", keys);
    if ((rc = dd_fleet__acquire(f, &c)) != DD_OK) {
        json_decref(doc);
        return rc;
    }
    for (rc = dd_q_run(&q, c,
                       "SELECT id, name, scope, created_at, prefix FROM api_keys "
                       "WHERE revoked = 0 ORDER BY id",
                       NULL, 0);
         rc > 0; rc = dd_q_next(&q))
        json_array_append_new(
            keys, json_pack("{sIsssssIss}", "id", (json_int_t)dd_q_int(&q, 0), "name",
                            dd_q_text(&q, 1), "scope", scope_name(dd_q_int(&q, 2)), "created_at",
                            (json_int_t)dd_q_int(&q, 3), "prefix", dd_q_text(&q, 4)));
    dd_q_done(&q);
    dd_fleet__release(f, c);
    if (rc < 0) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return DD_OK;
}

int dd_fleet_key_revoke(dd_fleet *f, int64_t id)
{
    dd_fleet_conn *c;
    bool found;
    int64_t got;
    int rc;

    if ((rc = dd_fleet__acquire(f, &c)) != DD_OK)
        return rc;
    rc = dd_fleet__int(c,
                       "UPDATE api_keys SET revoked = 1 WHERE id = $1 AND revoked = 0 "
                       "RETURNING id",
                       (dd_dbv[]){DBI(id)}, 1, &got, &found);
    dd_fleet__release(f, c);
    if (rc == DD_OK && !found)
        return dd_error_set(DD_ENOTFOUND, "no API key %lld", (long long)id);
    return rc;
}

/* --- upload tokens --- */

static int make_uuid(char out[37])
{
    unsigned char b[16];
    int rc = dd_random_bytes(b, sizeof(b));

    if (rc != DD_OK)
        return rc;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
    return DD_OK;
}

int dd_fleet_token_record(dd_fleet *f, int64_t image_id, char token[37])
{
    dd_fleet_conn *c;
    int rc;

    if ((rc = make_uuid(token)) != DD_OK)
        return rc;
    if ((rc = dd_fleet__acquire(f, &c)) != DD_OK)
        return rc;
    rc = dd_fleet__exec(c,
                        "INSERT INTO upload_tokens (token, image_id, created_at) "
                        "VALUES ($1, $2, $3)",
                        (dd_dbv[]){DBT(token), DBI(image_id), DBI(dd_fleet__now())}, 3);
    dd_fleet__release(f, c);
    return rc;
}

int dd_fleet_token_get(dd_fleet *f, const char *token, bool *known)
{
    dd_fleet_conn *c;
    int64_t one;
    int rc;

    *known = false;
    if (!token || strlen(token) != 36)
        return DD_OK;
    if ((rc = dd_fleet__acquire(f, &c)) != DD_OK)
        return rc;
    rc = dd_fleet__int(c, "SELECT 1 FROM upload_tokens WHERE token = $1", (dd_dbv[]){DBT(token)}, 1,
                       &one, known);
    dd_fleet__release(f, c);
    return rc;
}
