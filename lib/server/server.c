/* The fleet server's glue to libmicrohttpd: the daemon with its thread pool and limits, one
 * request's life (route, key, body, handler, answer), problem documents, and the background
 * thread that re-matches when the vulnerability database changes and delivers the outbox. */
#include "server/server_int.h"
#include "server/mhd_dl.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define DEFAULT_LISTEN      "127.0.0.1:8080"
#define DEFAULT_MAX_BODY    (64ull << 20)
#define DEFAULT_CONNECTIONS 256
#define DEFAULT_TIMEOUT     30
#define CONNECTION_MEMORY   (64u << 10) /* headers and read buffer of one connection */
#define POST_BUFFER         (64u << 10)
#define OUTBOX_TIMEOUT_MS   5000

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void dd_server__log(dd_server *srv, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    if (!srv->opts.log)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    srv->opts.log(srv->opts.log_payload, line);
}

const char *dd_server__query(dd_server_req *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *dd_server__header(dd_server_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

typedef struct {
    const char *key;
    const char **vals;
    size_t n, alloc;
    int rc;
} query_collect;

static enum MHD_Result collect_value(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    query_collect *c = cls;

    if (!key || !value || strcmp(key, c->key) != 0)
        return MHD_YES;
    if ((c->rc = DD_ARRAY_RESERVE(c->vals, c->alloc, c->n + 1, sizeof(*c->vals), 4)) != DD_OK)
        return MHD_NO;
    c->vals[c->n++] = value;
    return MHD_YES;
}

int dd_server__query_all(dd_server_req *r, const char *key, const char ***out, size_t *n)
{
    query_collect c = {.key = key};

    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_value, &c);
    if (c.rc != DD_OK) {
        dd_free(c.vals);
        return c.rc;
    }
    *out = c.vals;
    *n = c.n;
    return DD_OK;
}

int dd_server__answer(dd_server_req *r, int status, json_t *doc)
{
    if (!doc)
        return dd_error_set(DD_ENOMEM, "out of memory building the answer");
    json_decref(r->doc);
    r->doc = doc;
    r->status = status;
    return DD_OK;
}

int dd_server__rematch(dd_server *srv, const char *vulndb_path, dd_fleet_rematch_stats *st)
{
    int rc;

    pthread_mutex_lock(&srv->rematch_lock);
    rc = dd_fleet_rematch(srv->fleet, vulndb_path ? vulndb_path : srv->vulndb_path, st);
    pthread_mutex_unlock(&srv->rematch_lock);
    return rc;
}

/* --- one request --- */

static void req_free(dd_server_req *r)
{
    if (!r)
        return;
    if (r->post)
        MHD_destroy_post_processor(r->post);
    for (size_t i = 0; i < DD_SERVER_MAX_PARAMS; i++)
        dd_free(r->params[i]);
    dd_buf_dispose(&r->body);
    dd_buf_dispose(&r->text);
    dd_server__dt_upload_dispose(&r->form);
    json_decref(r->doc);
    dd_free(r);
}

/* Queues what the request holds: r->doc as JSON, or r->text as r->content_type. */
static enum MHD_Result send_answer(dd_server_req *r)
{
    struct MHD_Response *resp;
    enum MHD_Result ok;
    char *body;
    size_t len;

    if (r->doc) {
        dd_buf_clear(&r->text);
        if (dd_server__json_dump(&r->text, r->doc) != DD_OK)
            return MHD_NO;
        r->content_type = "application/json";
    }
    if (r->status == 204)
        dd_buf_clear(&r->text);
    if (r->text.len == 0) {
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    } else {
        body = dd_buf_detach(&r->text, &len);
        resp = MHD_create_response_from_buffer_with_free_callback(len, body, dd_free);
        if (!resp)
            dd_free(body);
    }
    if (!resp)
        return MHD_NO;
    if (r->content_type && r->status != 204)
        MHD_add_response_header(resp, "Content-Type", r->content_type);
    if (r->status == 401)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
    if (r->status == 405) {
        char allow[128];

        dd_server__route_allow(dd_server__routes, dd_server__n_routes, r->url, allow,
                               sizeof(allow));
        MHD_add_response_header(resp, "Allow", allow);
    }
    ok = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    r->answered = ok == MHD_YES;
    return ok;
}

static enum MHD_Result send_problem(dd_server_req *r, int status, const char *detail)
{
    size_t len;
    char *body = dd_server__problem(status, detail, &len);

    if (!body)
        return MHD_NO;
    json_decref(r->doc);
    r->doc = NULL;
    dd_buf_dispose(&r->text);
    r->text.data = body;
    r->text.len = len;
    r->text.alloc = len + 1;
    r->status = status;
    r->content_type = "application/problem+json";
    return send_answer(r);
}

/* The problem answering error `rc`; an internal error's message goes to the log, not the
 * client. */
static enum MHD_Result send_error(dd_server_req *r, int rc)
{
    int status = r->status >= 400 ? r->status : dd_server__error_status(rc);
    const char *detail = dd_error_message();

    if (status == 500) {
        dd_server__log(r->srv, "%s %s: %s", r->method, r->url, detail);
        detail = "internal error; the server's log has the details";
    }
    return send_problem(r, status, detail);
}

/* The API key of the request: X-Api-Key (Dependency-Track's) or Authorization: Bearer. */
static const char *request_key(dd_server_req *r)
{
    const char *k = dd_server__header(r, "X-Api-Key"), *a;

    if (k && *k)
        return k;
    a = dd_server__header(r, "Authorization");
    if (a && !strncasecmp(a, "Bearer ", 7)) {
        for (a += 7; *a == ' '; a++)
            ;
        return *a ? a : NULL;
    }
    return NULL;
}

static int authorize(dd_server_req *r)
{
    static const char *const scope_names[] = {"", "read", "write", "admin"};
    const char *key;
    int rc;

    if (!r->route->scope)
        return DD_OK;
    if (!(key = request_key(r))) {
        r->status = 401;
        return dd_error_set(DD_EINVALID,
                            "an API key is required: X-Api-Key: KEY or Authorization: Bearer KEY");
    }
    rc = dd_fleet_key_check(r->srv->fleet, key, (dd_fleet_scope)r->route->scope);
    if (rc == DD_ENOTFOUND) {
        r->status = 401;
        return dd_error_set(DD_EINVALID, "the API key is not valid");
    }
    if (rc == DD_EPERM)
        return dd_error_set(DD_EPERM, "%s %s needs a key of scope %s", r->route->method,
                            r->route->pattern, scope_names[r->route->scope]);
    return rc;
}

static enum MHD_Result form_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *filename, const char *content_type,
                                  const char *transfer_encoding, const char *data, uint64_t off,
                                  size_t size)
{
    dd_server_req *r = cls;

    if (dd_server__dt_form_field(&r->form, key, data, off, size, r->srv->opts.max_body) != DD_OK) {
        dd_error_save(&r->form_error);
        r->form_failed = true;
        return MHD_NO;
    }
    return MHD_YES;
}

/* Starts libmicrohttpd's multipart parser, first rewriting the Content-Type it reads into the
 * form it understands (dd_server__multipart_type). The rewrite is in place: the header value
 * lives in the connection's writable read buffer for the whole request, and the new value is
 * never longer than the old. */
static int start_multipart(dd_server_req *r, const char *ct)
{
    size_t n = strlen(ct);
    char *fixed = dd_malloc(n + 1);
    int rc;

    if (!fixed)
        return dd_error_set(DD_ENOMEM, "out of memory");
    rc = dd_server__multipart_type(fixed, n + 1, ct);
    if (rc == DD_OK && strcmp(fixed, ct) != 0)
        memcpy((char *)ct, fixed, strlen(fixed) + 1);
    dd_free(fixed);
    if (rc != DD_OK)
        return rc;
    r->multipart = true;
    if (!(r->post = MHD_create_post_processor(r->conn, POST_BUFFER, form_field, r)))
        return dd_error_set(DD_EINVALID, "multipart/form-data that libmicrohttpd cannot parse");
    return DD_OK;
}

/* Prepares for the body the route reads: refuses a declared length over the limit at once,
 * reserves the declared length, or starts the multipart parser. */
static int prepare_body(dd_server_req *r)
{
    const char *cl = dd_server__header(r, "Content-Length");
    const char *ct = dd_server__header(r, "Content-Type");
    unsigned long long declared = 0;

    if (cl) {
        char *end;

        errno = 0;
        declared = strtoull(cl, &end, 10);
        if (errno || *end)
            return dd_error_set(DD_EINVALID, "Content-Length %.40s is not a number", cl);
    }
    if (declared > r->srv->opts.max_body)
        return dd_error_set(DD_ELIMIT,
                            "the request body of %llu bytes is over the limit of "
                            "%llu bytes (--max-body)",
                            declared, (unsigned long long)r->srv->opts.max_body);
    if (!r->route->body)
        return DD_OK;
    if (r->route->multipart && ct && !strncasecmp(ct, "multipart/form-data", 19))
        return start_multipart(r, ct);
    r->body.cap = (size_t)r->srv->opts.max_body;
    if (declared)
        return dd_buf_grow(&r->body, (size_t)declared);
    return DD_OK;
}

static int copy_params(dd_server_req *r, const dd_server_span *params)
{
    for (size_t i = 0; i < DD_SERVER_MAX_PARAMS && params[i].p; i++)
        if (!(r->params[i] = dd_strndup(params[i].p, params[i].n)))
            return dd_error_set(DD_ENOMEM, "out of memory");
    return DD_OK;
}

/* The first call, with the headers: route, key, body limits. Answers at once when one fails. */
static enum MHD_Result begin(dd_server_req *r, const char *url, const char *method)
{
    dd_server_span params[DD_SERVER_MAX_PARAMS] = {{0}};
    int idx = dd_server__route_find(dd_server__routes, dd_server__n_routes, method, url, params);
    int rc;

    if (idx == DD_SERVER_NO_ROUTE)
        return send_problem(r, 404, "no such endpoint; see /api/openapi.json");
    if (idx == DD_SERVER_BAD_METHOD)
        return send_problem(r, 405, "this endpoint does not take that method (see Allow)");
    r->route = &dd_server__routes[idx];
    r->route_index = (size_t)idx;
    if ((rc = copy_params(r, params)) != DD_OK || (rc = authorize(r)) != DD_OK ||
        (rc = prepare_body(r)) != DD_OK)
        return send_error(r, rc);
    return MHD_YES;
}

/* A piece of the body: kept (or parsed, for multipart) up to the limit. Past it the rest is
 * read and dropped so that the 413 can be answered; a client that sends as much again is cut
 * off. */
static enum MHD_Result take_body(dd_server_req *r, const char *data, size_t size)
{
    uint64_t max = r->srv->opts.max_body;

    r->received += size;
    if (r->too_large || !r->route->body) {
        r->discarded += size;
        return r->discarded > max ? MHD_NO : MHD_YES;
    }
    if (r->received > max) {
        r->too_large = true;
        r->discarded = r->received - max;
        dd_buf_dispose(&r->body);
        return MHD_YES;
    }
    if (r->multipart) {
        if (!r->form_failed && MHD_post_process(r->post, data, size) != MHD_YES &&
            !r->form_failed) {
            dd_error_set(DD_EINVALID, "malformed multipart/form-data body");
            dd_error_save(&r->form_error);
            r->form_failed = true;
        }
        return MHD_YES;
    }
    if (dd_buf_put(&r->body, data, size) != DD_OK)
        return MHD_NO;
    return MHD_YES;
}

/* The last call: the whole body is there; run the handler and answer. */
static enum MHD_Result finish(dd_server_req *r)
{
    int rc;

    if (r->too_large) {
        dd_error_set(DD_ELIMIT, "the request body is over the limit of %llu bytes (--max-body)",
                     (unsigned long long)r->srv->opts.max_body);
        return send_error(r, DD_ELIMIT);
    }
    if (r->post) {
        /* flushes the parser; what it could not parse was already noted */
        MHD_destroy_post_processor(r->post);
        r->post = NULL;
    }
    dd_error_clear();
    rc = r->route->handler(r);
    if (rc != DD_OK)
        return send_error(r, rc);
    if (!r->status)
        r->status = 200;
    return send_answer(r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    dd_server *srv = cls;
    dd_server_req *r = *con_cls;

    if (!r) {
        if (!(r = dd_calloc(1, sizeof(*r))))
            return MHD_NO;
        r->srv = srv;
        r->conn = conn;
        r->body = (dd_buf)DD_BUF_INIT;
        r->text = (dd_buf)DD_BUF_INIT;
        r->form = (dd_server_dt_upload)DD_SERVER_DT_UPLOAD_INIT;
        r->route_index = dd_server__n_routes;
        r->method = method;
        r->url = url;
        r->t0 = now_seconds();
        *con_cls = r;
        return begin(r, url, method);
    }
    if (r->answered)
        return MHD_YES;
    if (*upload_data_size) {
        enum MHD_Result ok = take_body(r, upload_data, *upload_data_size);

        *upload_data_size = 0;
        return ok;
    }
    return finish(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    dd_server *srv = cls;
    dd_server_req *r = *con_cls;

    if (!r)
        return;
    if (r->answered)
        dd_server__metrics_record(srv->metrics, r->route_index, r->status, now_seconds() - r->t0);
    req_free(r);
    *con_cls = NULL;
}

/* Counts open connections, so that accept_connection can refuse one too many. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    dd_server *srv = cls;

    if (toe == MHD_CONNECTION_NOTIFY_STARTED)
        atomic_fetch_add(&srv->open_connections, 1);
    else if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
        atomic_fetch_sub(&srv->open_connections, 1);
}

/* Over --max-connections a connection is closed at once. libmicrohttpd's own limit would
 * instead stop accepting, leaving clients waiting in the listen backlog for a slot; it is set
 * above ours as a backstop. */
static enum MHD_Result accept_connection(void *cls, const struct sockaddr *addr, socklen_t len)
{
    dd_server *srv = cls;

    if (atomic_load(&srv->open_connections) >= srv->opts.max_connections) {
        atomic_fetch_add(&srv->refused_connections, 1);
        return MHD_NO;
    }
    return MHD_YES;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    dd_server *srv = cls;
    char line[512];
    size_t n;

    vsnprintf(line, sizeof(line), fmt, ap);
    n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    dd_server__log(srv, "libmicrohttpd: %s", line);
}

/* --- the background thread --- */

/* Re-matches when the vulnerability database file changed since the last successful check (or
 * was never checked: the file may have changed while no server ran). */
static void watch_vulndb(dd_server *srv)
{
    dd_fleet_rematch_stats st;
    struct stat sb;
    long long mtime;

    if (stat(srv->vulndb_path, &sb) != 0)
        return;
    mtime = (long long)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
    if (mtime == srv->vulndb_mtime_ns && (long long)sb.st_size == srv->vulndb_size)
        return;
    if (dd_server__rematch(srv, NULL, &st) != DD_OK) {
        dd_server__log(srv, "re-match after %s changed: %s", srv->vulndb_path, dd_error_message());
        return; /* tried again at the next interval */
    }
    srv->vulndb_mtime_ns = mtime;
    srv->vulndb_size = (long long)sb.st_size;
    dd_server__log(srv,
                   "re-matched against %s: %llu of %llu package names changed, %llu new "
                   "findings, %llu resolved, %.2f s",
                   srv->vulndb_path, (unsigned long long)st.names_changed,
                   (unsigned long long)st.names_checked, (unsigned long long)st.new_findings,
                   (unsigned long long)st.resolved_findings, st.seconds);
}

static void deliver_outbox(dd_server *srv, dd_fleet_outbox_stats *last)
{
    dd_fleet_outbox_stats st = {0};

    if (dd_fleet_outbox_deliver(srv->fleet, OUTBOX_TIMEOUT_MS, &st) != DD_OK) {
        dd_server__log(srv, "webhook delivery: %s", dd_error_message());
        return;
    }
    /* one line when something happened, not one a second while a receiver stays down */
    if (st.delivered || (st.failed && st.pending != last->pending))
        dd_server__log(srv, "webhooks: %llu delivered, %llu failed, %llu pending",
                       (unsigned long long)st.delivered, (unsigned long long)st.failed,
                       (unsigned long long)st.pending);
    *last = st;
}

static void *worker_main(void *arg)
{
    dd_server *srv = arg;
    dd_fleet_outbox_stats last = {0};
    double next_watch = now_seconds();
    struct timespec until;

    pthread_mutex_lock(&srv->lock);
    while (!srv->stopping) {
        pthread_mutex_unlock(&srv->lock);
        deliver_outbox(srv, &last);
        if (dd_fleet_maintain(srv->fleet) != DD_OK)
            dd_server__log(srv, "index merge: %s", dd_error_message());
        if (srv->vulndb_path && srv->opts.watch_interval && now_seconds() >= next_watch) {
            watch_vulndb(srv);
            next_watch = now_seconds() + srv->opts.watch_interval;
        }
        pthread_mutex_lock(&srv->lock);
        if (srv->stopping)
            break;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&srv->wake, &srv->lock, &until);
    }
    pthread_mutex_unlock(&srv->lock);
    return NULL;
}

static int start_worker(dd_server *srv)
{
    pthread_condattr_t ca;
    int err;

    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&srv->wake, &ca);
    pthread_condattr_destroy(&ca);
    if ((err = pthread_create(&srv->worker, NULL, worker_main, srv)) != 0)
        return dd_error_set(DD_ERROR, "cannot start the background thread: %s", strerror(err));
    srv->worker_started = true;
    return DD_OK;
}

/* --- start and stop --- */

static int apply_defaults(dd_server *srv, const dd_server_opts *opts)
{
    srv->opts = *opts;
    if (!srv->opts.max_body)
        srv->opts.max_body = DEFAULT_MAX_BODY;
    if (srv->opts.max_body > SIZE_MAX / 2)
        return dd_error_set(DD_EINVALID, "--max-body is too large");
    if (!srv->opts.max_connections)
        srv->opts.max_connections = DEFAULT_CONNECTIONS;
    if (!srv->opts.connection_timeout)
        srv->opts.connection_timeout = DEFAULT_TIMEOUT;
    if (!srv->opts.threads)
        srv->opts.threads = dd_cpu_count();
    if (srv->opts.max_connections > 100000)
        return dd_error_set(DD_EINVALID, "--max-connections %u is more than 100000",
                            srv->opts.max_connections);
    if (srv->opts.threads > 1024)
        return dd_error_set(DD_EINVALID, "--threads %u is more than 1024", srv->opts.threads);
    srv->listen = dd_strdup(opts->listen ? opts->listen : DEFAULT_LISTEN);
    srv->vulndb_path = opts->vulndb_path ? dd_strdup(opts->vulndb_path) : NULL;
    if (!srv->listen || (opts->vulndb_path && !srv->vulndb_path))
        return dd_error_set(DD_ENOMEM, "out of memory");
    srv->opts.listen = srv->listen;
    srv->opts.vulndb_path = srv->vulndb_path;
    srv->vulndb_mtime_ns = srv->vulndb_size = -1;
    return DD_OK;
}

static int start_daemon(dd_server *srv)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    const union MHD_DaemonInfo *info;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
    int rc;

    if ((rc = dd_server__parse_listen(&ss, &sslen, srv->listen)) != DD_OK)
        return rc;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    errno = 0;
    srv->daemon = MHD_start_daemon(
        flags, 0, accept_connection, srv, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)srv->opts.threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)(2 * srv->opts.max_connections + srv->opts.threads), MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, srv, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)srv->opts.connection_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, srv, MHD_OPTION_END);
    if (!srv->daemon)
        return dd_error_set(DD_EIO, "cannot listen on %s: %s", srv->listen,
                            errno ? strerror(errno) : "libmicrohttpd refused the options");
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : 0;
    if (!srv->port)
        return dd_error_set(DD_EIO, "cannot tell which port %s was bound to", srv->listen);
    return DD_OK;
}

int dd_server_start(dd_server **out, dd_fleet *fleet, const dd_server_opts *opts)
{
    dd_server *srv;
    int rc;

    *out = NULL;
    if ((rc = dd_mhd__load()) != DD_OK)
        return rc;
    if (!(srv = dd_calloc(1, sizeof(*srv))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    srv->fleet = fleet;
    pthread_mutex_init(&srv->lock, NULL);
    pthread_mutex_init(&srv->rematch_lock, NULL);
    if ((rc = apply_defaults(srv, opts)) != DD_OK ||
        (rc = dd_server__metrics_new(&srv->metrics, dd_server__n_routes)) != DD_OK ||
        (rc = start_daemon(srv)) != DD_OK || (rc = start_worker(srv)) != DD_OK) {
        dd_error_state st;

        dd_error_save(&st);
        dd_server_stop(srv);
        return dd_error_restore(&st);
    }
    *out = srv;
    return (int)srv->port;
}

unsigned dd_server_port(const dd_server *srv)
{
    return srv->port;
}

void dd_server_stop(dd_server *srv)
{
    if (!srv)
        return;
    if (srv->daemon)
        MHD_stop_daemon(srv->daemon);
    if (srv->worker_started) {
        pthread_mutex_lock(&srv->lock);
        srv->stopping = true;
        pthread_cond_signal(&srv->wake);
        pthread_mutex_unlock(&srv->lock);
        pthread_join(srv->worker, NULL);
        pthread_cond_destroy(&srv->wake);
    }
    pthread_mutex_destroy(&srv->lock);
    pthread_mutex_destroy(&srv->rematch_lock);
    dd_server__metrics_free(srv->metrics);
    dd_free(srv->listen);
    dd_free(srv->vulndb_path);
    dd_free(srv);
}
