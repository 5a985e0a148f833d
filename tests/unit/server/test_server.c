/* The server in-process over a SQLite store in a temporary directory, spoken to over real
 * sockets: keys and scopes, limits (body size, JSON depth, connections), routing errors, the
 * Dependency-Track uploads and the metrics they leave. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drydock/fleet.h>
#include <drydock/server.h>

#include "util/util.h"

#define ADMIN "ddk_unit-test-admin-key-0123456789"

static const char sbom[] =
    "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"metadata\":{\"component\":{\"type\":"
    "\"container\",\"name\":\"app\"}},\"components\":[{\"type\":\"library\",\"name\":\"zlib\","
    "\"version\":\"1.2.13\",\"purl\":\"pkg:deb/debian/zlib1g@1.2.13?distro=debian-12\"}]}";

typedef struct {
    char dir[512];
    dd_fleet *fleet;
    dd_server *srv;
    unsigned port;
} fixture;

typedef struct {
    int status;
    char head[4096];
    char *body;
} reply;

static int open_socket(unsigned port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

/* Sends `req` whole and reads the answer until the server closes (requests say
 * Connection: close). */
static void exchange(fixture *fx, const char *req, size_t len, reply *out)
{
    int fd = open_socket(fx->port);
    dd_buf b = DD_BUF_INIT;
    char chunk[8192], *sep;
    ssize_t n;

    for (size_t off = 0; off < len; off += (size_t)n) {
        n = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (n <= 0)
            break; /* the server may answer (413) and close before reading everything */
    }
    while ((n = recv(fd, chunk, sizeof(chunk), 0)) > 0)
        assert_int_equal(dd_buf_put(&b, chunk, (size_t)n), DD_OK);
    close(fd);
    memset(out, 0, sizeof(*out));
    assert_int_equal(sscanf(b.data, "HTTP/1.1 %d", &out->status), 1);
    sep = strstr(b.data, "\r\n\r\n");
    assert_non_null(sep);
    snprintf(out->head, sizeof(out->head), "%.*s", (int)(sep - b.data), b.data);
    out->body = strdup(sep + 4);
    dd_buf_dispose(&b);
}

static void request(fixture *fx, const char *method, const char *path, const char *key,
                    const char *extra_headers, const char *body, reply *out)
{
    dd_buf r = DD_BUF_INIT;

    assert_int_equal(
        dd_buf_printf(&r, "%s %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n", method, path),
        DD_OK);
    if (key)
        assert_int_equal(dd_buf_printf(&r, "X-Api-Key: %s\r\n", key), DD_OK);
    if (extra_headers)
        assert_int_equal(dd_buf_puts(&r, extra_headers), DD_OK);
    if (body)
        assert_int_equal(dd_buf_printf(&r, "Content-Length: %zu\r\n\r\n%s", strlen(body), body),
                         DD_OK);
    else
        assert_int_equal(dd_buf_puts(&r, "\r\n"), DD_OK);
    exchange(fx, r.data, r.len, out);
    dd_buf_dispose(&r);
}

static void reply_free(reply *r)
{
    free(r->body);
}

static json_t *reply_json(const reply *r)
{
    json_t *doc = json_loads(r->body, 0, NULL);

    if (!doc)
        fail_msg("not JSON: %s", r->body);
    return doc;
}

static int setup(void **state)
{
    const char *tmp = getenv("DD_TEST_TMP");
    fixture *fx = calloc(1, sizeof(*fx));
    dd_fleet_opts fo = DD_FLEET_OPTS_INIT;
    dd_server_opts so = DD_SERVER_OPTS_INIT;
    char url[600];
    int port;

    snprintf(fx->dir, sizeof(fx->dir), "%s/server-XXXXXX", tmp ? tmp : "/tmp");
    if (tmp)
        (void)mkdir(tmp, 0755);
    assert_non_null(mkdtemp(fx->dir));
    snprintf(url, sizeof(url), "sqlite:%s/fleet.db", fx->dir);
    fo.url = url;
    if (dd_fleet_open(&fx->fleet, &fo) != DD_OK)
        fail_msg("%s", dd_error_message());
    assert_int_equal(dd_fleet_key_bootstrap(fx->fleet, ADMIN), DD_OK);
    so.listen = "127.0.0.1:0";
    so.threads = 2;
    so.max_body = 4096;
    so.max_connections = 3;
    so.watch_interval = 0;
    port = dd_server_start(&fx->srv, fx->fleet, &so);
    if (port <= 0)
        fail_msg("%s", dd_error_message());
    fx->port = (unsigned)port;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char cmd[700];

    dd_server_stop(fx->srv);
    dd_fleet_close(fx->fleet);
    snprintf(cmd, sizeof(cmd), "%s/fleet.db", fx->dir);
    unlink(cmd);
    snprintf(cmd, sizeof(cmd), "%s/fleet.db-wal", fx->dir);
    unlink(cmd);
    snprintf(cmd, sizeof(cmd), "%s/fleet.db-shm", fx->dir);
    unlink(cmd);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void assert_problem(const reply *r, int status, const char *detail_part)
{
    json_t *doc;

    assert_int_equal(r->status, status);
    assert_non_null(strstr(r->head, "Content-Type: application/problem+json"));
    doc = reply_json(r);
    assert_int_equal(json_integer_value(json_object_get(doc, "status")), status);
    assert_string_equal(json_string_value(json_object_get(doc, "type")), "about:blank");
    if (detail_part && !strstr(json_string_value(json_object_get(doc, "detail")), detail_part))
        fail_msg("detail \"%s\" lacks \"%s\"", json_string_value(json_object_get(doc, "detail")),
                 detail_part);
    json_decref(doc);
}

static void keys_and_scopes(void **state)
{
    fixture *fx = *state;
    reply r;
    json_t *doc;
    char *read_key;

    request(fx, "GET", "/healthz", NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    request(fx, "GET", "/api/v1/summary", NULL, NULL, NULL, &r);
    assert_problem(&r, 401, "API key is required");
    assert_non_null(strstr(r.head, "WWW-Authenticate: Bearer"));
    reply_free(&r);
    request(fx, "GET", "/api/v1/summary", "ddk_nope", NULL, NULL, &r);
    assert_problem(&r, 401, "not valid");
    reply_free(&r);
    request(fx, "GET", "/api/v1/summary", NULL, "Authorization: Bearer " ADMIN "\r\n", NULL, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);

    request(fx, "POST", "/api/v1/keys", ADMIN, NULL, "{\"name\":\"ro\",\"scope\":\"read\"}", &r);
    assert_int_equal(r.status, 201);
    doc = reply_json(&r);
    read_key = strdup(json_string_value(json_object_get(doc, "secret")));
    assert_true(json_integer_value(json_object_get(doc, "id")) > 0);
    json_decref(doc);
    reply_free(&r);
    request(fx, "GET", "/api/v1/summary", read_key, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    request(fx, "POST", "/api/v1/images?repository=a", read_key, NULL, sbom, &r);
    assert_problem(&r, 403, "scope write");
    reply_free(&r);
    request(fx, "GET", "/api/v1/keys", read_key, NULL, NULL, &r);
    assert_problem(&r, 403, "scope admin");
    reply_free(&r);
    free(read_key);
}

static void routing_errors(void **state)
{
    fixture *fx = *state;
    reply r;

    request(fx, "GET", "/api/v2/images", ADMIN, NULL, NULL, &r);
    assert_problem(&r, 404, "no such endpoint");
    reply_free(&r);
    request(fx, "DELETE", "/api/v1/images", ADMIN, NULL, NULL, &r);
    assert_problem(&r, 405, NULL);
    assert_non_null(strstr(r.head, "Allow: POST, GET, HEAD"));
    reply_free(&r);
    request(fx, "GET",
            "/api/v1/images/sha256:"
            "0000000000000000000000000000000000000000000000000000000000000000",
            ADMIN, NULL, NULL, &r);
    assert_problem(&r, 404, NULL);
    reply_free(&r);
}

static void limits(void **state)
{
    fixture *fx = *state;
    char *big = malloc(5000), *deep = malloc(300);
    int fds[3];
    reply r;

    memset(big, 'x', 4999);
    big[4999] = '\0';
    request(fx, "POST", "/api/v1/images?repository=a", ADMIN, NULL, big, &r);
    assert_problem(&r, 413, "over the limit of 4096 bytes");
    reply_free(&r);

    snprintf(deep, 300, "{\"deployments\":");
    memset(deep + 15, '[', 65);
    memset(deep + 80, ']', 65);
    snprintf(deep + 145, 20, "}");
    request(fx, "PUT", "/api/v1/deployments/prod", ADMIN, NULL, deep, &r);
    assert_problem(&r, 400, "deeper than 64");
    reply_free(&r);

    /* three idle connections fill --max-connections 3; a fourth is closed at once. The
     * connections of the requests above may still be closing on the server's threads, so a
     * connection refused before three are held is retried after a pause. */
    {
        int held = 0, refused_full = 0;

        for (int attempt = 0; attempt < 50 && !refused_full; attempt++) {
            int fd = open_socket(fx->port);
            struct pollfd p = {.fd = fd, .events = POLLIN};
            char c;

            if (poll(&p, 1, 1000) == 1 && recv(fd, &c, 1, 0) <= 0) {
                close(fd); /* refused */
                if (held == 3)
                    refused_full = 1;
                else
                    usleep(100000);
            } else {
                assert_true(held < 3); /* never more than --max-connections held */
                fds[held++] = fd;
            }
        }
        assert_int_equal(held, 3);
        assert_true(refused_full);
    }
    for (int i = 0; i < 3; i++)
        close(fds[i]);
    usleep(200000);
    request(fx, "GET", "/healthz", NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    free(big);
    free(deep);
}

static void dependency_track_uploads(void **state)
{
    fixture *fx = *state;
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    dd_buf body = DD_BUF_INIT, mp = DD_BUF_INIT, req = DD_BUF_INIT;
    size_t n = strlen(sbom);
    char path[128];
    json_t *doc;
    reply r;

    /* PUT with the SBOM in base64, wrapped as `base64` wraps it */
    dd_buf_puts(&body, "{\"projectName\":\"reg.example/dt\",\"projectVersion\":\"1.0\","
                       "\"autoCreate\":true,\"bom\":\"");
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)sbom[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)(unsigned char)sbom[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)sbom[i + 2];
        dd_buf_putc(&body, b64[v >> 18 & 63]);
        dd_buf_putc(&body, b64[v >> 12 & 63]);
        dd_buf_putc(&body, i + 1 < n ? b64[v >> 6 & 63] : '=');
        dd_buf_putc(&body, i + 2 < n ? b64[v & 63] : '=');
        if (i % 57 == 54)
            dd_buf_puts(&body, "\\n");
    }
    dd_buf_puts(&body, "\"}");
    request(fx, "PUT", "/api/v1/bom", ADMIN, "Content-Type: application/json\r\n", body.data, &r);
    assert_int_equal(r.status, 200);
    doc = reply_json(&r);
    assert_int_equal(strlen(json_string_value(json_object_get(doc, "token"))), 36);
    snprintf(path, sizeof(path), "/api/v1/event/token/%s",
             json_string_value(json_object_get(doc, "token")));
    json_decref(doc);
    reply_free(&r);
    request(fx, "GET", path, ADMIN, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"processing\":false}");
    reply_free(&r);

    /* POST multipart as curl sends it with DT's documented -H carrying a boundary of its own */
    dd_buf_printf(
        &mp,
        "--XyZ\r\nContent-Disposition: form-data; name=\"projectName\"\r\n\r\nreg.example/mp"
        "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"autoCreate\"\r\n\r\ntrue\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"bom\"; filename=\"bom.json\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n%s\r\n--XyZ--\r\n",
        sbom);
    dd_buf_printf(&req,
                  "POST /api/v1/bom HTTP/1.1\r\nHost: t\r\nConnection: close\r\nX-Api-Key: %s\r\n"
                  "Content-Type: multipart/form-data; charset=utf-8; "
                  "boundary=__X_CURL_BOUNDARY__; boundary=XyZ\r\nContent-Length: %zu\r\n\r\n%s",
                  ADMIN, mp.len, mp.data);
    exchange(fx, req.data, req.len, &r);
    if (r.status != 200)
        fail_msg("multipart: %d %s", r.status, r.body);
    reply_free(&r);

    /* autoCreate absent and a project never pushed: 404, as Dependency-Track answers */
    request(fx, "PUT", "/api/v1/bom", ADMIN, NULL, "{\"projectName\":\"never\",\"bom\":\"e30=\"}",
            &r);
    assert_problem(&r, 404, "autoCreate");
    reply_free(&r);
    request(fx, "PUT", "/api/v1/bom", ADMIN, NULL,
            "{\"projectName\":\"x\",\"autoCreate\":true,\"bom\":\"PD94bWwgdmVyc2lvbj0iMS4wIj8+\"}",
            &r);
    assert_problem(&r, 400, "XML");
    reply_free(&r);

    request(fx, "GET", "/api/v1/images?repository=reg.example/mp", ADMIN, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    doc = reply_json(&r);
    assert_int_equal(json_array_size(json_object_get(doc, "images")), 1);
    json_decref(doc);
    reply_free(&r);

    request(fx, "GET", "/metrics", ADMIN, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "text/plain; version=0.0.4"));
    assert_non_null(strstr(r.body, "dd_http_requests_total{method=\"PUT\",route=\"/api/v1/bom\","
                                   "status=\"200\"} 1\n"));
    assert_non_null(strstr(r.body, "dd_fleet_images"));
    reply_free(&r);
    dd_buf_dispose(&body);
    dd_buf_dispose(&mp);
    dd_buf_dispose(&req);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_and_scopes),
        cmocka_unit_test(routing_errors),
        cmocka_unit_test(limits),
        cmocka_unit_test(dependency_track_uploads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
