/* Webhooks for new findings through a durable outbox: entries are written in the transaction
 * that found them, claimed by one deliverer at a time, removed only after a 2xx answer, and
 * retried with exponential backoff. Also the store's Prometheus gauges. */
#include "fleet/fleet_int.h"

#include <nettle/hmac.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vulndb/curl_dl.h"

#define CLAIM_SECONDS 120
#define MAX_BACKOFF   3600
/* A re-match may find thousands of findings in thousands of images: deliveries stay bounded */
#define FINDINGS_PER_DELIVERY 200
#define IMAGES_PER_FINDING    100

int dd_fleet_webhook_add(dd_fleet *f, const char *url, const char *secret, int64_t *id)
{
    dd_fleet_conn *c;
    int rc;

    *id = 0;
    if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
        strlen(url) > 2048 || strpbrk(url, " \r\n\t"))
        return dd_error_set(DD_EINVALID, "webhook url \"%.100s\" is not an http(s) URL",
                            url ? url : "");
    if (!secret || !*secret || strlen(secret) > 1024)
        return dd_error_set(DD_EINVALID, "webhook secret is empty or longer than 1024 bytes");
    if ((rc = dd_fleet__acquire(f, &c)) != DD_OK)
        return rc;
    rc = dd_fleet__int(c,
                       "INSERT INTO webhooks (url, secret, created_at) VALUES ($1, $2, $3) "
                       "RETURNING id",
                       (dd_dbv[]){DBT(url), DBT(secret), DBI(dd_fleet__now())}, 3, id, NULL);
    dd_fleet__release(f, c);
    return rc;
}

int dd_fleet_webhook_list(dd_fleet *f, json_t **out)
{
    json_t *doc = json_object(), *list = json_array();
    dd_fleet_conn *c;
    dd_q q = {0};
    int rc;

    *out = NULL;
    json_object_set_new(doc, "webhooks", list);
    if ((rc = dd_fleet__acquire(f, &c)) != DD_OK) {
        json_decref(doc);
        return rc;
    }
    for (rc = dd_q_run(&q, c, "SELECT id, url FROM webhooks ORDER BY id", NULL, 0); rc > 0;
         rc = dd_q_next(&q))
        json_array_append_new(
            list, json_pack("{sIss}", "id", (json_int_t)dd_q_int(&q, 0), "url", dd_q_text(&q, 1)));
    dd_q_done(&q);
    dd_fleet__release(f, c);
    if (rc < 0) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return DD_OK;
}

int dd_fleet_webhook_delete(dd_fleet *f, int64_t id)
{
    dd_fleet_conn *c;
    int64_t got;
    bool found;
    int rc;

    if ((rc = dd_fleet__acquire(f, &c)) != DD_OK)
        return rc;
    rc = dd_fleet__int(c, "DELETE FROM webhooks WHERE id = $1 RETURNING id", (dd_dbv[]){DBI(id)}, 1,
                       &got, &found);
    dd_fleet__release(f, c);
    if (rc == DD_OK && !found)
        return dd_error_set(DD_ENOTFOUND, "no webhook %lld", (long long)id);
    return rc;
}

/* --- the outbox --- */

typedef struct {
    int64_t v[IMAGES_PER_FINDING];
    size_t n;
} image_ids;

static int keep_image(void *ctx, int64_t image_id)
{
    image_ids *ids = ctx;

    if (ids->n < IMAGES_PER_FINDING)
        ids->v[ids->n++] = image_id;
    return DD_OK;
}

static json_t *finding_images(dd_fleet_conn *c, int64_t identity_id)
{
    json_t *images = json_array();
    image_ids ids = {{0}, 0};

    if (dd_fleet__holders_each(c, &identity_id, 1, 0, IMAGES_PER_FINDING, keep_image, &ids) !=
        DD_OK)
        return images;
    for (size_t k = 0; k < ids.n; k++) {
        dd_q q = {0};

        if (dd_q_run(&q, c, "SELECT digest, repository FROM images WHERE id = $1",
                     (dd_dbv[]){DBI(ids.v[k])}, 1) > 0)
            json_array_append_new(images, json_pack("{ssssso?}", "digest", dd_q_text(&q, 0),
                                                    "repository", dd_q_text(&q, 1), "tags",
                                                    dd_fleet__image_tags(c, ids.v[k])));
        dd_q_done(&q);
    }
    return images;
}

static json_t *finding_doc(dd_fleet_conn *c, const dd_fleet_newf *nf)
{
    dd_q q = {0};
    json_t *doc = NULL;

    if (dd_q_run(&q, c,
                 "SELECT f.advisory, f.aliases, f.severity, i.purl, i.version, f.fixed "
                 "FROM findings f JOIN identities i ON i.id = f.identity_id WHERE f.id = $1",
                 (dd_dbv[]){DBI(nf->finding_id)}, 1) > 0) {
        json_t *aliases = json_loads(dd_q_text(&q, 1), 0, NULL);
        const char *fixed = dd_q_text(&q, 5);

        doc = json_object();
        json_object_set_new(doc, "advisory", json_string(dd_q_text(&q, 0)));
        json_object_set_new(doc, "aliases", aliases ? aliases : json_array());
        json_object_set_new(doc, "severity", json_string(dd_q_text(&q, 2)));
        json_object_set_new(doc, "purl", json_string(dd_q_text(&q, 3)));
        json_object_set_new(doc, "installed", json_string(dd_q_text(&q, 4)));
        json_object_set_new(doc, "fixed", fixed ? json_string(fixed) : json_null());
    }
    dd_q_done(&q);
    if (doc)
        json_object_set_new(doc, "images", finding_images(c, nf->identity_id));
    return doc;
}

/* Queues findings [from, to) of `nf` as one delivery for every webhook. */
static int queue_chunk(dd_fleet_conn *c, const dd_fleet_newf_list *nf, size_t from, size_t to)
{
    json_t *doc, *list;
    char *body;
    int rc;

    if (!(doc = json_pack("{sss[]}", "event", "finding.new", "findings")))
        return dd_error_set(DD_ENOMEM, "out of memory");
    list = json_object_get(doc, "findings");
    for (size_t i = from; i < to; i++) {
        json_t *fd = finding_doc(c, &nf->v[i]);
        if (fd)
            json_array_append_new(list, fd);
    }
    body = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!body)
        return dd_error_set(DD_ENOMEM, "out of memory");
    rc = dd_fleet__exec(c,
                        "INSERT INTO outbox (webhook_id, body, next_attempt, created_at) "
                        "SELECT id, $1, $2, $2 FROM webhooks",
                        (dd_dbv[]){DBT(body), DBI(dd_fleet__now())}, 2);
    free(body);
    return rc;
}

int dd_fleet__queue(dd_fleet_conn *c, const dd_fleet_newf_list *nf)
{
    int64_t hooks;
    int rc;

    if (!nf->n)
        return DD_OK;
    if ((rc = dd_fleet__int(c, "SELECT COUNT(*) FROM webhooks", NULL, 0, &hooks, NULL)) != DD_OK ||
        hooks == 0)
        return rc;
    for (size_t i = 0; i < nf->n && rc == DD_OK; i += FINDINGS_PER_DELIVERY)
        rc = queue_chunk(c, nf, i,
                         nf->n - i > FINDINGS_PER_DELIVERY ? i + FINDINGS_PER_DELIVERY : nf->n);
    return rc;
}

typedef struct {
    int64_t id, attempts;
    char *url, *secret, *body;
} entry;

static void entry_dispose(entry *e)
{
    dd_free(e->url);
    dd_free(e->secret);
    dd_free(e->body);
}

/* Claims the next due entry; 0 when none is due. */
static int claim(dd_fleet_conn *c, entry *e)
{
    int64_t now = dd_fleet__now();
    dd_q q = {0};
    int rc;

    memset(e, 0, sizeof(*e));
    /* the UPDATE ... WHERE claimed_until < now is the claim: of two deliverers racing for one
     * entry, only one sees its row come back */
    rc = dd_q_run(&q, c,
                  "UPDATE outbox SET claimed_until = $2 WHERE id = (SELECT id FROM outbox "
                  "WHERE next_attempt <= $1 AND claimed_until < $1 ORDER BY id LIMIT 1) "
                  "AND claimed_until < $1 RETURNING id, attempts, body, "
                  "(SELECT url FROM webhooks w WHERE w.id = webhook_id), "
                  "(SELECT secret FROM webhooks w WHERE w.id = webhook_id)",
                  (dd_dbv[]){DBI(now), DBI(now + CLAIM_SECONDS)}, 2);
    if (rc > 0) {
        e->id = dd_q_int(&q, 0);
        e->attempts = dd_q_int(&q, 1);
        e->body = dd_strdup(dd_q_text(&q, 2) ? dd_q_text(&q, 2) : "");
        e->url = dd_strdup(dd_q_text(&q, 3) ? dd_q_text(&q, 3) : "");
        e->secret = dd_strdup(dd_q_text(&q, 4) ? dd_q_text(&q, 4) : "");
        if (!e->body || !e->url || !e->secret)
            rc = dd_error_set(DD_ENOMEM, "out of memory");
    }
    dd_q_done(&q);
    return rc;
}

static void sign(char out[80], const char *secret, const char *body)
{
    unsigned char mac[SHA256_DIGEST_SIZE];
    struct hmac_sha256_ctx ctx;

    hmac_sha256_set_key(&ctx, strlen(secret), (const uint8_t *)secret);
    hmac_sha256_update(&ctx, strlen(body), (const uint8_t *)body);
    hmac_sha256_digest(&ctx, sizeof(mac), mac);
    explicit_bzero(&ctx, sizeof(ctx));
    memcpy(out, "sha256=", 7);
    for (unsigned i = 0; i < sizeof(mac); i++)
        snprintf(out + 7 + 2 * i, 3, "%02x", mac[i]);
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *payload)
{
    (void)ptr;
    (void)payload;
    return size * nmemb;
}

/* POSTs the entry; DD_OK on a 2xx answer, else the reason in the thread's error. */
static int post(const entry *e, long timeout_ms)
{
    char sig[80], hdr_sig[128], hdr_id[64];
    struct curl_slist *h = NULL;
    long status = 0;
    CURLcode cr;
    CURL *curl;
    int rc;

    if ((rc = dd_curl__load()) != DD_OK)
        return rc;
    if (!(curl = curl_easy_init()))
        return dd_error_set(DD_ENOMEM, "out of memory");
    sign(sig, e->secret, e->body);
    snprintf(hdr_sig, sizeof(hdr_sig), "X-Drydock-Signature: %s", sig);
    snprintf(hdr_id, sizeof(hdr_id), "X-Drydock-Delivery: %" PRId64, e->id);
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, hdr_sig);
    h = curl_slist_append(h, hdr_id);
    curl_easy_setopt(curl, CURLOPT_URL, e->url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, e->body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(e->body));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 10000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    cr = curl_easy_perform(curl);
    if (cr == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (cr != CURLE_OK)
        rc = dd_error_set(DD_EIO, "%s: %s", e->url, curl_easy_strerror(cr));
    else if (status < 200 || status > 299)
        rc = dd_error_set(DD_EIO, "%s: answered %ld", e->url, status);
    curl_slist_free_all(h);
    curl_easy_cleanup(curl);
    return rc;
}

static int settle(dd_fleet_conn *c, const entry *e, bool ok)
{
    int64_t backoff = 5;

    if (ok)
        return dd_fleet__exec(c, "DELETE FROM outbox WHERE id = $1", (dd_dbv[]){DBI(e->id)}, 1);
    for (int64_t i = 0; i < e->attempts && backoff < MAX_BACKOFF; i++)
        backoff *= 2;
    if (backoff > MAX_BACKOFF)
        backoff = MAX_BACKOFF;
    return dd_fleet__exec(
        c,
        "UPDATE outbox SET attempts = attempts + 1, next_attempt = $2, "
        "claimed_until = 0, last_error = $3 WHERE id = $1",
        (dd_dbv[]){DBI(e->id), DBI(dd_fleet__now() + backoff), DBT(dd_error_message())}, 3);
}

int dd_fleet_outbox_deliver(dd_fleet *f, long timeout_ms, dd_fleet_outbox_stats *out)
{
    dd_fleet_conn *c;
    int64_t pending = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = dd_fleet__acquire(f, &c)) != DD_OK)
        return rc;
    for (;;) {
        entry e;
        bool ok;

        if ((rc = claim(c, &e)) <= 0) {
            entry_dispose(&e);
            break;
        }
        ok = post(&e, timeout_ms) == DD_OK;
        rc = settle(c, &e, ok);
        entry_dispose(&e);
        if (rc != DD_OK)
            break;
        if (ok)
            out->delivered++;
        else
            out->failed++;
    }
    if (rc >= 0)
        rc = dd_fleet__int(c, "SELECT COUNT(*) FROM outbox", NULL, 0, &pending, NULL);
    out->pending = (uint64_t)pending;
    dd_fleet__release(f, c);
    return rc < 0 ? rc : DD_OK;
}

/* --- metrics --- */

static int append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*len >= cap)
        return dd_error_set(DD_ELIMIT, "metrics: buffer of %zu bytes is full", cap);
    va_start(ap, fmt);
    n = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap - *len)
        return dd_error_set(DD_ELIMIT, "metrics: buffer of %zu bytes is full", cap);
    *len += (size_t)n;
    return DD_OK;
}

static int gauge(dd_fleet_conn *c, char *buf, size_t cap, size_t *len, const char *name,
                 const char *help, const char *sql)
{
    int64_t v;
    int rc = dd_fleet__int(c, sql, NULL, 0, &v, NULL);

    if (rc != DD_OK)
        return rc;
    return append(buf, cap, len, "# HELP %s %s\n# TYPE %s gauge\n%s %" PRId64 "\n", name, help,
                  name, name, v);
}

static int severity_gauges(dd_fleet_conn *c, char *buf, size_t cap, size_t *len)
{
    static const char *const sev[] = {"CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"};
    int rc = append(buf, cap, len,
                    "# HELP dd_fleet_findings Open findings by severity.\n"
                    "# TYPE dd_fleet_findings gauge\n");

    for (size_t i = 0; i < DD_ARRAY_SIZE(sev) && rc == DD_OK; i++) {
        int64_t v;
        if ((rc = dd_fleet__int(c,
                                "SELECT COUNT(*) FROM findings WHERE state = 'open' AND "
                                "severity = $1",
                                (dd_dbv[]){DBT(sev[i])}, 1, &v, NULL)) == DD_OK)
            rc = append(buf, cap, len, "dd_fleet_findings{severity=\"%s\"} %" PRId64 "\n", sev[i],
                        v);
    }
    return rc;
}

int dd_fleet_metrics(dd_fleet *f, char *buf, size_t cap, size_t *len)
{
    dd_fleet_conn *c;
    int rc;

    if ((rc = dd_fleet__acquire(f, &c)) != DD_OK)
        return rc;
    rc = gauge(c, buf, cap, len, "dd_fleet_images", "Images in the store.",
               "SELECT COUNT(*) FROM images");
    if (rc == DD_OK)
        rc = gauge(c, buf, cap, len, "dd_fleet_identities", "Distinct package identities.",
                   "SELECT COUNT(*) FROM identities");
    if (rc == DD_OK)
        rc = gauge(c, buf, cap, len, "dd_fleet_deployments", "Recorded deployments.",
                   "SELECT COUNT(*) FROM deployments");
    if (rc == DD_OK)
        rc = severity_gauges(c, buf, cap, len);
    if (rc == DD_OK)
        rc = gauge(c, buf, cap, len, "dd_fleet_outbox_pending",
                   "Webhook deliveries waiting in the outbox.", "SELECT COUNT(*) FROM outbox");
    dd_fleet__release(f, c);
    return rc;
}
