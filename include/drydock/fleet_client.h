/* A client of the fleet server's HTTP API (docs/fleet-api.md): pushing SBOMs, recording
 * deployments and asking which images hold an advisory or a package. libcurl is loaded at the
 * first request (as drydock db update loads it); answers are parsed with jansson; a
 * problem+json answer becomes the error message "server: STATUS TITLE: DETAIL". A client is
 * one connection kept alive between requests; use it from one thread at a time. */
#ifndef DRYDOCK_FLEET_CLIENT_H
#define DRYDOCK_FLEET_CLIENT_H

#include <drydock/common.h>
#include <drydock/fleet.h>

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dd_fleet_client dd_fleet_client;

typedef struct {
    const char *server;  /* base URL: "http://fleet.example:8080" (a trailing "/" is fine) */
    const char *api_key; /* sent as X-Api-Key; NULL sends none */
    long timeout_ms;     /* whole request; 0 = 120000 */
    size_t max_answer_bytes; /* bigger answers fail with DD_ELIMIT; 0 = 256 MiB */
} dd_fleet_client_opts;

#define DD_FLEET_CLIENT_OPTS_INIT {NULL, NULL, 0, 0}

/* DD_EINVALID when `server` is not an http:// or https:// URL; DD_EUNSUPPORTED when libcurl
 * cannot be loaded. The client copies what it keeps of `opts`. */
int dd_fleet_client_new(dd_fleet_client **out, const dd_fleet_client_opts *opts);
void dd_fleet_client_free(dd_fleet_client *c);

/* One query parameter; a NULL value leaves the parameter out. */
typedef struct {
    const char *key;
    const char *value;
} dd_fleet_param;

/* One request: `method` to `path` (starting "/api/...") with the parameters escaped into the
 * query string; `body` (may be NULL) is sent as `content_type`, with `content_encoding` when
 * not NULL. A 2xx answer's JSON is stored in *out (the caller's, json_decref; NULL for an
 * empty answer such as 204) and *status (may be NULL) gets the HTTP status. Errors: DD_EIO when
 * the server cannot be reached or the answer is cut, DD_EINVALID when a 2xx answer is not JSON,
 * DD_ELIMIT past max_answer_bytes, and for a 4xx/5xx answer DD_ENOTFOUND (404), DD_EPERM (401,
 * 403) or DD_ERROR with the message "server: 401 Unauthorized: DETAIL". */
int dd_fleet_client_call(dd_fleet_client *c, const char *method, const char *path,
                         const dd_fleet_param *params, size_t n_params, const char *content_type,
                         const char *content_encoding, const void *body, size_t len,
                         json_t **out, long *status);

/* GET of a paginated list: follows the "next" cursors and appends every page's `list_key`
 * array into the first page's, until "next" is null or `max_items` (0 = no limit) items are
 * held; each request asks for `page_size` items (0 = the server's maximum, 1000). *out is the
 * first page with the whole list and "next" of the last page read. */
int dd_fleet_client_list(dd_fleet_client *c, const char *path, const dd_fleet_param *params,
                         size_t n_params, const char *list_key, size_t max_items,
                         unsigned page_size, json_t **out);

/* POST /api/v1/images: sends `sbom` (CycloneDX or SPDX JSON, `len` bytes) gzip-compressed, or
 * as is when it already starts with the gzip or zstd magic, with the identity in `ref`
 * (digest, base image and labels optional). *out is the server's answer
 * ({"image_id", "digest", "created", "packages", "new_identities", "new_findings"}). */
int dd_fleet_client_push(dd_fleet_client *c, const dd_fleet_image_ref *ref, const void *sbom,
                         size_t len, json_t **out);

/* Records deployments of `environment`: `deployments` is a JSON array of
 * {"cluster", "namespace", "container", "image", "last_seen"} objects (borrowed). With
 * `snapshot` it replaces the environment's deployments (PUT /api/v1/deployments/ENV), else it
 * upserts each (POST /api/v1/deployments). *out is the server's answer. */
int dd_fleet_client_deploy(dd_fleet_client *c, const char *environment, bool snapshot,
                           json_t *deployments, json_t **out);

/* Gzip-compresses `len` bytes into a new buffer (*out, free with dd_free). */
int dd_fleet_gzip(void **out, size_t *out_len, const void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif
