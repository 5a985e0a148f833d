/* The fleet store: every image's inventory as CI pushed it, the vulnerability findings of its
 * packages, and where each image runs. One interface over two backends, a SQLite file (WAL) by
 * default and PostgreSQL for several stateless servers sharing one database. The data is split
 * by how often it changes: package identities (a purl and its match key) are shared by every
 * image holding them and matched once; images hold occurrences of identities (layer, path);
 * findings belong to identities; deployments say which image digest runs where.
 *
 * Every query answers with a jansson document shaped as the HTTP API's response body
 * (docs/fleet-api.md), so the server only serialises it. A dd_fleet may be used from several
 * threads at once: each call takes a connection from the handle's pool. */
#ifndef DRYDOCK_FLEET_H
#define DRYDOCK_FLEET_H

#include <drydock/common.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dd_fleet dd_fleet;

typedef struct {
    /* "sqlite:PATH", a bare PATH, or "postgresql://..." / "postgres://..." (libpq's URI). */
    const char *url;
    /* The vulnerability database ingests are matched against (dd_vulndb_open); NULL: packages
     * are stored unmatched until dd_fleet_rematch runs with one. */
    const char *vulndb_path;
    unsigned pool_size; /* connections kept open; 0 = 8 */
} dd_fleet_opts;

#define DD_FLEET_OPTS_INIT {NULL, NULL, 0}

/* Opens (creating when missing) the store at opts->url and brings its schema to the newest
 * version through the numbered migrations, in one transaction each (several servers starting at
 * once on one PostgreSQL database serialise on an advisory lock). DD_EINVALID for a URL of
 * another scheme, DD_EIO when the database cannot be reached (libpq's or SQLite's message),
 * DD_EUNSUPPORTED for a schema newer than this program knows. */
int dd_fleet_open(dd_fleet **out, const dd_fleet_opts *opts);
void dd_fleet_close(dd_fleet *f);

/* "sqlite" or "postgresql". */
const char *dd_fleet_backend(const dd_fleet *f);

/* Whether the database answers a trivial query now (readiness). */
bool dd_fleet_ping(dd_fleet *f);

/* --- ingest --- */

/* Who the pushed SBOM describes. */
typedef struct {
    const char *repository; /* "registry.example/team/app" (required) */
    const char *const *tags; /* "1.4", "latest"; may be empty */
    size_t n_tags;
    /* The image digest ("sha256:<64 hex>"); NULL = the SBOM's subject digest (CycloneDX
     * metadata.component version/hashes or the drydock:digest property, SPDX's package
     * checksum), else "sha256:" of the SBOM's canonical bytes, so a re-push stays idempotent. */
    const char *digest;
    const char *base_image; /* "debian:12" or "docker.io/library/debian@sha256:..."; NULL */
    const char *const *labels; /* "key=value" */
    size_t n_labels;
} dd_fleet_image_ref;

typedef struct {
    int64_t image_id;
    char digest[80];   /* the digest recorded */
    bool created;      /* false when that digest was already stored (tags and labels merged) */
    uint64_t packages; /* occurrences recorded */
    uint64_t new_identities; /* package identities this ingest added to the store */
    uint64_t new_findings;   /* findings that did not exist before, queued for webhooks */
} dd_fleet_ingest_result;

/* Ingests one SBOM (CycloneDX or SPDX JSON, dd_sbom_read; gzip or zstd compressed when its
 * first bytes say so, inflated up to 512 MiB) for `ref`, in one transaction: identities are
 * upserted, identities new to the store are matched against the vulnerability database, the
 * occurrences replace those of an earlier push of the same digest. `name` names the document in
 * messages. DD_EINVALID "NAME: ..." for a malformed SBOM or a ref without repository, DD_ELIMIT
 * past the size limits, DD_EIO for a database failure; nothing is written on error. */
int dd_fleet_ingest(dd_fleet *f, const dd_fleet_image_ref *ref, const char *name,
                    const void *data, size_t len, dd_fleet_ingest_result *out);

/* --- Dependency-Track's asynchronous upload tokens --- */

/* Records a processed upload and writes its token (a UUID) into `token`; DT's clients poll
 * GET /api/v1/event/token/{token}, which answers processing=false once ingest committed.
 * Tokens live in the database, so any server of a PostgreSQL fleet can answer the poll. */
int dd_fleet_token_record(dd_fleet *f, int64_t image_id, char token[37]);
/* DD_OK with *known set; an unknown token is *known = false (DT answers processing=false). */
int dd_fleet_token_get(dd_fleet *f, const char *token, bool *known);

/* --- deployments --- */

typedef struct {
    const char *environment; /* "prod" (required) */
    const char *cluster;     /* cluster or host name (required) */
    const char *namespace_;  /* may be NULL */
    const char *container;   /* container or pod/container name (required) */
    /* The image that runs: a digest "sha256:...", or "REPOSITORY@sha256:...", or
     * "REPOSITORY:TAG" resolved to the digest that tag points at now. */
    const char *image;
    int64_t last_seen; /* seconds since the epoch; 0 = now */
} dd_fleet_deployment;

/* Replaces every deployment of `environment` with `d` (a full snapshot), or, with `snapshot`
 * false, upserts each of `d` by (environment, cluster, namespace, container). An image the
 * store does not hold is recorded by digest and joins the image when it is pushed. One
 * transaction. DD_EINVALID naming the entry for a missing field or an unresolvable tag. */
int dd_fleet_deploy(dd_fleet *f, const char *environment, bool snapshot,
                    const dd_fleet_deployment *d, size_t n);

/* --- queries (documents as docs/fleet-api.md gives them) --- */

/* A page: `cursor` is NULL or the "next" string of the previous page; `limit` 0 = 100, at most
 * 1000. A malformed cursor is DD_EINVALID. */
typedef struct {
    const char *cursor;
    unsigned limit;
} dd_fleet_page;

/* Images affected by advisory `id` (its record id, CVE or any alias), each with the packages
 * that carry it (purl, installed, fixed, severity) and the deployments running it:
 * {"advisory": ID, "aliases": [...], "severity": S, "images": [...], "next": CURSOR|null}.
 * An id the database does not know answers an empty "images" list. */
int dd_fleet_affected(dd_fleet *f, const char *id, const dd_fleet_page *pg, json_t **out);

/* Images filtered by any of: repository (exact), base image (exact), package (a purl without
 * version matches every version; `range` like "<1.2.3", ">=2.0,<2.4" compared with the
 * ecosystem's version order). NULL fields do not filter.
 * {"images": [{"digest", "repository", "tags", "base_image", "os", "pushed_at",
 *  "packages": N, "findings": {"CRITICAL": n, ...}, "deployments": N}], "next": ...}. */
typedef struct {
    const char *repository;
    const char *base_image;
    const char *purl;
    const char *range;
} dd_fleet_image_filter;

int dd_fleet_images(dd_fleet *f, const dd_fleet_image_filter *flt, const dd_fleet_page *pg,
                    json_t **out);

/* Images holding a package: like dd_fleet_images with only `purl` and `range`, answering each
 * image with the matching packages' purl, version, layer and path:
 * {"package": PURL, "range": R|null, "images": [...], "next": ...}. DD_EINVALID for a bad
 * purl or range. */
int dd_fleet_packages(dd_fleet *f, const char *purl, const char *range, const dd_fleet_page *pg,
                      json_t **out);

/* One image by digest: identity, tags, labels, packages (with layer and path) and findings.
 * DD_ENOTFOUND when the store does not hold it. */
int dd_fleet_image(dd_fleet *f, const char *digest, json_t **out);

/* Counts: images, identities, deployments, findings by severity, the top advisories (by images
 * affected) and the most exposed images (by critical then high findings). */
int dd_fleet_summary(dd_fleet *f, json_t **out);

/* Folds the images pushed since the last call into the index of which images hold each package
 * (PostgreSQL; on SQLite the index does it as it goes). Answers are exact either way; the server
 * calls this every second so that the queue of images read one by one stays short. */
int dd_fleet_maintain(dd_fleet *f);

/* --- re-matching when advisories change --- */

typedef struct {
    uint64_t names_checked;    /* distinct (ecosystem, name) pairs in the store */
    uint64_t names_changed;    /* of those, the ones whose advisories changed */
    uint64_t identities_matched; /* identities matched again */
    uint64_t new_findings, resolved_findings;
    double seconds;
} dd_fleet_rematch_stats;

/* Opens the vulnerability database at `vulndb_path` (NULL = the one of dd_fleet_opts) and
 * matches again only the identities whose (ecosystem, name) have different advisories than at
 * their last match (each pair keeps a fingerprint of its advisories); new findings are recorded
 * and queued in the webhook outbox, findings no longer matched are marked resolved. With
 * PostgreSQL the pairs are split into jobs that concurrent servers claim with FOR UPDATE SKIP
 * LOCKED, so two servers re-matching at once record each finding once. */
int dd_fleet_rematch(dd_fleet *f, const char *vulndb_path, dd_fleet_rematch_stats *out);

/* --- API keys --- */

typedef enum {
    DD_FLEET_SCOPE_READ = 1,  /* queries */
    DD_FLEET_SCOPE_WRITE = 2, /* ingest, deployments (implies read) */
    DD_FLEET_SCOPE_ADMIN = 3, /* keys, webhooks, re-match (implies write) */
} dd_fleet_scope;

/* Creates a key; writes the secret ("ddk_" and 40 base32 characters, shown once) into
 * `secret`. Only its SHA-256 is stored. */
int dd_fleet_key_create(dd_fleet *f, const char *name, dd_fleet_scope scope, char secret[64]);
/* Creates the administrator key `secret` named "bootstrap" when the store has no admin key yet
 * (DRYDOCK_ADMIN_KEY at the server's first start); DD_OK and nothing done otherwise. */
int dd_fleet_key_bootstrap(dd_fleet *f, const char *secret);
/* DD_OK when `secret` is a live key of at least scope `need` (compared by hash, in constant
 * time), DD_EPERM when it is a key of a lower scope, DD_ENOTFOUND when it is no key. */
int dd_fleet_key_check(dd_fleet *f, const char *secret, dd_fleet_scope need);
/* {"keys": [{"id", "name", "scope", "created_at", "prefix"}]}; no secret or hash. */
int dd_fleet_key_list(dd_fleet *f, json_t **out);
int dd_fleet_key_revoke(dd_fleet *f, int64_t id);

/* --- webhooks and their outbox --- */

/* Registers a receiver of new findings: each delivery is a POST of
 * {"event": "finding.new", "findings": [...]} with header
 * X-Drydock-Signature: sha256=HEX(HMAC-SHA256(secret, body)). */
int dd_fleet_webhook_add(dd_fleet *f, const char *url, const char *secret, int64_t *id);
int dd_fleet_webhook_list(dd_fleet *f, json_t **out);
int dd_fleet_webhook_delete(dd_fleet *f, int64_t id);

typedef struct {
    uint64_t delivered, failed, pending;
} dd_fleet_outbox_stats;

/* Delivers what the outbox holds (libcurl, `timeout_ms` per request): an entry is removed only
 * after its receiver answered 2xx; failures are retried with exponential backoff on later
 * calls; entries survive restarts. Safe to call from several servers at once (entries are
 * claimed). */
int dd_fleet_outbox_deliver(dd_fleet *f, long timeout_ms, dd_fleet_outbox_stats *out);

/* --- metrics --- */

/* Prometheus text exposition of the store's gauges (images, identities, deployments, findings
 * by severity, outbox depth), appended to `buf` of `cap` bytes at `*len`. DD_ELIMIT when full. */
int dd_fleet_metrics(dd_fleet *f, char *buf, size_t cap, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
