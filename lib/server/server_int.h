/* Inside the fleet server: the pure request parsers (parse.c), the route table (route.c), the
 * handlers (handlers.c), the metrics (metrics.c) and the libmicrohttpd glue (server.c). */
#ifndef DD_SERVER_INT_H
#define DD_SERVER_INT_H

#include <drydock/fleet.h>
#include <drydock/server.h>

#include "util/util.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define DD_SERVER_JSON_MAX_DEPTH 64
#define DD_SERVER_FIELD_MAX      4096 /* a multipart field other than the bom */

/* --- parse.c: request bodies and values, no I/O --- */

/* DD_OK when no array or object of the JSON text nests deeper than `max_depth` (brackets inside
 * strings do not count), DD_EINVALID naming the limit otherwise: jansson has no depth option and
 * recurses, so this bounded scan runs before it. */
int dd_server__json_depth_check(const char *data, size_t len, unsigned max_depth);

/* Parses a request body that must be one JSON object (`what` names it in messages): depth
 * checked first, duplicate keys rejected. DD_EINVALID with jansson's position otherwise. */
int dd_server__json_object(json_t **out, const char *data, size_t len, const char *what);

/* Decodes standard base64 (whitespace ignored, padding optional at the very end) into a new
 * buffer of at most `max_out` bytes (free with dd_free). DD_EINVALID naming the offset of a
 * character outside the alphabet, DD_ELIMIT past max_out. */
int dd_server__base64_decode(unsigned char **out, size_t *out_len, const char *in, size_t len,
                             size_t max_out);

/* Whether a document starts (after a byte-order mark and whitespace) with '<': an XML SBOM,
 * which drydock does not read. */
bool dd_server__looks_like_xml(const void *data, size_t len);

/* "true"/"false" (any case), "1"/"0". DD_EINVALID otherwise. */
int dd_server__parse_bool(bool *out, const char *s);

/* A Dependency-Track upload (PUT JSON or POST multipart). */
typedef struct {
    char *project_name, *project_version, *project_uuid;
    bool auto_create;
    unsigned char *bom;
    size_t bom_len;
    dd_buf form_bom; /* multipart: the bom field's bytes as they arrive */
    char *form_auto_create;
} dd_server_dt_upload;

#define DD_SERVER_DT_UPLOAD_INIT                                                                   \
    {                                                                                              \
        .form_bom = DD_BUF_INIT                                                                    \
    }

void dd_server__dt_upload_dispose(dd_server_dt_upload *u);

/* PUT /api/v1/bom: {"projectName", "projectVersion", "autoCreate", "project", "bom": BASE64};
 * the bom is decoded (at most `max_bom` bytes) and checked (dd_server__dt_check). */
int dd_server__dt_parse_put(dd_server_dt_upload *out, const char *body, size_t len, size_t max_bom);
/* POST /api/v1/bom: one piece of a multipart field (as libmicrohttpd's post processor hands
 * them: `off` is the piece's offset in the field's value). Unknown fields are ignored. */
int dd_server__dt_form_field(dd_server_dt_upload *u, const char *key, const char *data,
                             uint64_t off, size_t size, size_t max_bom);
/* After the last field: moves the bom in place and checks the upload. */
int dd_server__dt_form_finish(dd_server_dt_upload *u);
/* The Content-Type libmicrohttpd's multipart parser understands: "multipart/form-data;boundary=B"
 * with B the last boundary parameter of `ct` (unquoted). libmicrohttpd takes everything after
 * the first "boundary=" as the boundary, so "...; boundary=X; charset=..." or curl's
 * "-H 'Content-Type: multipart/form-data; boundary=A'" (to which curl appends its own
 * "; boundary=B") would not parse. Never longer than `ct`. DD_EINVALID without a boundary. */
int dd_server__multipart_type(char *out, size_t size, const char *ct);
/* A project (name, or uuid) and a JSON SBOM are there. DD_EINVALID naming what is missing, or
 * saying an XML bom is not read. */
int dd_server__dt_check(const dd_server_dt_upload *u);

/* The body of PUT /api/v1/deployments/{environment} or POST /api/v1/deployments. */
typedef struct {
    json_t *doc; /* owns the strings below */
    const char *environment;
    dd_fleet_deployment *items;
    size_t n;
} dd_server_deployments;

/* `environment` is the path's (PUT) or NULL to read it from the body (POST). */
int dd_server__deployments_parse(dd_server_deployments *out, const char *body, size_t len,
                                 const char *environment);
void dd_server__deployments_dispose(dd_server_deployments *d);

/* HTTP status of a dd_error_t: 400, 404, 403, 413, else 500. */
int dd_server__error_status(int code);
/* "Bad Request", "Not Found", ... ("Error" for a status without a name here). */
const char *dd_server__status_title(int status);
/* The application/problem+json body (free with dd_free); NULL when out of memory. */
char *dd_server__problem(int status, const char *detail, size_t *len);

/* Appends `doc` as compact JSON. */
int dd_server__json_dump(dd_buf *out, const json_t *doc);

/* Resolves a listen address ("HOST:PORT", "[V6]:PORT", ":PORT"). DD_EINVALID naming it. */
int dd_server__parse_listen(struct sockaddr_storage *out, socklen_t *out_len, const char *listen);

/* ?limit=: a decimal 1..1000 (absent: 0, the store's default). */
int dd_server__parse_limit(unsigned *out, const char *s);
/* A positive decimal id of a path. */
int dd_server__parse_id(int64_t *out, const char *s);

/* --- route.c --- */

typedef struct dd_server_req dd_server_req;
typedef int (*dd_server_handler)(dd_server_req *req);

typedef struct {
    const char *method;  /* "GET", "POST", "PUT", "DELETE" */
    const char *pattern; /* "/api/v1/images/{digest}": {NAME} takes one path segment */
    int scope;           /* dd_fleet_scope needed, 0 for none */
    dd_server_handler handler;
    bool body;      /* whether it reads a request body */
    bool multipart; /* whether a multipart/form-data body is parsed into fields */
} dd_server_route;

#define DD_SERVER_MAX_PARAMS 2

typedef struct {
    const char *p;
    size_t n;
} dd_server_span;

#define DD_SERVER_NO_ROUTE   (-1)
#define DD_SERVER_BAD_METHOD (-2)

extern const dd_server_route dd_server__routes[];
extern const size_t dd_server__n_routes;

/* The index of the route of `tab` for `method` (HEAD is GET) and `path` (no query), with the
 * path's parameters in `params`; DD_SERVER_NO_ROUTE when no pattern matches the path,
 * DD_SERVER_BAD_METHOD when one does for another method. */
int dd_server__route_find(const dd_server_route *tab, size_t n, const char *method,
                          const char *path, dd_server_span params[DD_SERVER_MAX_PARAMS]);
/* The methods `path` answers, "GET, POST", for the Allow header of a 405. */
void dd_server__route_allow(const dd_server_route *tab, size_t n, const char *path, char *buf,
                            size_t size);

/* --- openapi.c --- */

extern const char dd_server__openapi[];

/* --- metrics.c --- */

typedef struct dd_server_metrics dd_server_metrics;

int dd_server__metrics_new(dd_server_metrics **out, size_t n_routes);
void dd_server__metrics_free(dd_server_metrics *m);
/* One answered request: route index (n_routes for "no route"), status, seconds taken. */
void dd_server__metrics_record(dd_server_metrics *m, size_t route, int status, double seconds);
/* Appends the counters and histograms in Prometheus text format. */
int dd_server__metrics_render(dd_server_metrics *m, const dd_server_route *tab, dd_buf *out);

/* --- server.c, for the handlers --- */

struct dd_server {
    dd_fleet *fleet;
    dd_server_opts opts;
    char *listen;
    char *vulndb_path;
    unsigned port;
    void *daemon; /* struct MHD_Daemon */
    dd_server_metrics *metrics;
    /* the background thread */
    pthread_t worker;
    bool worker_started;
    pthread_mutex_t lock; /* guards the fields below and serialises re-matches */
    pthread_cond_t wake;
    bool stopping;
    pthread_mutex_t rematch_lock;
    long long vulndb_mtime_ns;
    long long vulndb_size;
    /* connections open now, and refused for being over opts.max_connections */
    _Atomic unsigned open_connections;
    _Atomic uint64_t refused_connections;
};

struct dd_server_req {
    dd_server *srv;
    const dd_server_route *route;
    size_t route_index;
    void *conn; /* struct MHD_Connection */
    char *params[DD_SERVER_MAX_PARAMS];
    dd_buf body;
    uint64_t discarded; /* body bytes dropped past the limit */
    bool too_large;
    bool form_failed;
    dd_server_dt_upload form;
    dd_error_state form_error;
    void *post; /* struct MHD_PostProcessor, for a multipart/form-data body */
    bool multipart;
    uint64_t received;        /* body bytes received */
    const char *method, *url; /* libmicrohttpd's, valid for the request */
    const char *content_encoding;
    double t0;
    /* the answer */
    int status;
    json_t *doc; /* JSON answer, or */
    dd_buf text; /* another body, with */
    const char *content_type;
    bool answered;
};

/* The value of query argument `key` (the first when repeated), NULL when absent. */
const char *dd_server__query(dd_server_req *r, const char *key);
/* Every value of query argument `key`, in order (free *out with dd_free). */
int dd_server__query_all(dd_server_req *r, const char *key, const char ***out, size_t *n);
/* A request header, NULL when absent. */
const char *dd_server__header(dd_server_req *r, const char *name);
/* Logs one line through opts.log. */
void dd_server__log(dd_server *srv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Runs a re-match now (serialised with the background one). */
int dd_server__rematch(dd_server *srv, const char *vulndb_path, dd_fleet_rematch_stats *st);

/* A handler answers by setting r->status and r->doc (taken), or r->text and r->content_type, or
 * returns an error code with the thread's message set (and r->status set when the error's own
 * status, dd_server__error_status, is not the right one: 415, 503). dd_server__answer takes
 * `doc`; NULL (json_pack failed) is DD_ENOMEM. */
int dd_server__answer(dd_server_req *r, int status, json_t *doc);

#endif
