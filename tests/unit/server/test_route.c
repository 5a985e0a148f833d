/* Unit tests for the server's routing: the matcher, the real route table (every row of
 * docs/fleet-api.md), the metrics text, and docs/openapi.json, which must equal the document
 * the server embeds and describe exactly the routes it has. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_int.h"

static int h_dummy(dd_server_req *r)
{
    return DD_OK;
}

static const dd_server_route table[] = {
    {"GET", "/a", 0, h_dummy, false, false},
    {"POST", "/a", 1, h_dummy, true, false},
    {"GET", "/a/{x}", 1, h_dummy, false, false},
    {"DELETE", "/a/{x}/b/{y}", 3, h_dummy, false, false},
};

static void matcher_captures_segments(void **state)
{
    dd_server_span p[DD_SERVER_MAX_PARAMS];
    size_t n = sizeof(table) / sizeof(table[0]);
    char allow[64];

    assert_int_equal(dd_server__route_find(table, n, "GET", "/a", p), 0);
    assert_null(p[0].p);
    assert_int_equal(dd_server__route_find(table, n, "HEAD", "/a", p), 0);
    assert_int_equal(dd_server__route_find(table, n, "POST", "/a", p), 1);
    assert_int_equal(dd_server__route_find(table, n, "PUT", "/a", p), DD_SERVER_BAD_METHOD);
    assert_int_equal(dd_server__route_find(table, n, "GET", "/a/sha256:ff", p), 2);
    assert_int_equal(p[0].n, 9);
    assert_memory_equal(p[0].p, "sha256:ff", 9);
    assert_int_equal(dd_server__route_find(table, n, "DELETE", "/a/1/b/22", p), 3);
    assert_memory_equal(p[0].p, "1", 1);
    assert_int_equal(p[1].n, 2);
    assert_memory_equal(p[1].p, "22", 2);
    assert_int_equal(dd_server__route_find(table, n, "GET", "/a/", p), DD_SERVER_NO_ROUTE);
    assert_int_equal(dd_server__route_find(table, n, "GET", "/a/1/", p), DD_SERVER_NO_ROUTE);
    assert_int_equal(dd_server__route_find(table, n, "GET", "/ab", p), DD_SERVER_NO_ROUTE);
    assert_int_equal(dd_server__route_find(table, n, "GET", "/a/1/b", p), DD_SERVER_NO_ROUTE);
    assert_int_equal(dd_server__route_find(table, n, "GET", "", p), DD_SERVER_NO_ROUTE);
    dd_server__route_allow(table, n, "/a", allow, sizeof(allow));
    assert_string_equal(allow, "GET, HEAD, POST");
}

/* The method and path of each row of the API contract, with its scope. */
static const struct {
    const char *method, *path;
    int scope;
} contract[] = {
    {"GET", "/healthz", 0},
    {"GET", "/readyz", 0},
    {"GET", "/metrics", 1},
    {"GET", "/api/openapi.json", 1},
    {"POST", "/api/v1/images", 2},
    {"PUT", "/api/v1/bom", 2},
    {"POST", "/api/v1/bom", 2},
    {"GET", "/api/v1/event/token/0c6f9a3e-2b1d-4f57-9d0e-7a1b2c3d4e5f", 1},
    {"PUT", "/api/v1/deployments/prod", 2},
    {"POST", "/api/v1/deployments", 2},
    {"GET", "/api/v1/affected/CVE-2024-3094", 1},
    {"GET", "/api/v1/images", 1},
    {"GET", "/api/v1/images/sha256:0123", 1},
    {"GET", "/api/v1/packages", 1},
    {"GET", "/api/v1/summary", 1},
    {"POST", "/api/v1/admin/rematch", 3},
    {"POST", "/api/v1/keys", 3},
    {"GET", "/api/v1/keys", 3},
    {"DELETE", "/api/v1/keys/7", 3},
    {"POST", "/api/v1/webhooks", 3},
    {"GET", "/api/v1/webhooks", 3},
    {"DELETE", "/api/v1/webhooks/7", 3},
};

static void every_contract_row_is_routed_with_its_scope(void **state)
{
    dd_server_span p[DD_SERVER_MAX_PARAMS];
    size_t n = sizeof(contract) / sizeof(contract[0]);

    assert_int_equal(dd_server__n_routes, n);
    for (size_t i = 0; i < n; i++) {
        int idx = dd_server__route_find(dd_server__routes, dd_server__n_routes, contract[i].method,
                                        contract[i].path, p);

        if (idx < 0)
            fail_msg("%s %s is not routed", contract[i].method, contract[i].path);
        assert_int_equal(dd_server__routes[idx].scope, contract[i].scope);
        assert_string_equal(dd_server__routes[idx].method, contract[i].method);
    }
    assert_int_equal(dd_server__route_find(dd_server__routes, dd_server__n_routes, "DELETE",
                                           "/api/v1/images", p),
                     DD_SERVER_BAD_METHOD);
    assert_int_equal(
        dd_server__route_find(dd_server__routes, dd_server__n_routes, "GET", "/api/v2/images", p),
        DD_SERVER_NO_ROUTE);
}

static char *read_docs_openapi(void)
{
    const char *data = getenv("DD_TEST_DATA");
    char path[4096];
    dd_buf b = DD_BUF_INIT;

    snprintf(path, sizeof(path), "%s/../../docs/openapi.json", data ? data : "tests/data");
    if (dd_read_file(&b, path, 1 << 20) != DD_OK)
        fail_msg("%s: %s", path, dd_error_message());
    return dd_buf_detach(&b, NULL);
}

static void openapi_is_the_docs_file_and_names_every_route(void **state)
{
    char *file = read_docs_openapi();
    json_t *doc, *paths;
    size_t ops = 0;
    const char *key;
    json_t *item;

    assert_string_equal(file, dd_server__openapi);
    doc = json_loads(dd_server__openapi, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
    paths = json_object_get(doc, "paths");
    for (size_t i = 0; i < dd_server__n_routes; i++) {
        char lower[8];
        size_t k;

        for (k = 0; dd_server__routes[i].method[k] && k < sizeof(lower) - 1; k++)
            lower[k] = (char)tolower((unsigned char)dd_server__routes[i].method[k]);
        lower[k] = '\0';
        if (!json_object_get(json_object_get(paths, dd_server__routes[i].pattern), lower))
            fail_msg("openapi.json lacks %s %s", dd_server__routes[i].method,
                     dd_server__routes[i].pattern);
    }
    json_object_foreach(paths, key, item) ops += json_object_size(item);
    assert_int_equal(ops, dd_server__n_routes); /* and describes no route the server lacks */
    json_decref(doc);
    dd_free(file);
}

static void metrics_count_by_route_and_status(void **state)
{
    dd_server_metrics *m;
    dd_buf out = DD_BUF_INIT;

    assert_int_equal(dd_server__metrics_new(&m, dd_server__n_routes), DD_OK);
    dd_server__metrics_record(m, 0, 200, 0.0004);
    dd_server__metrics_record(m, 0, 200, 0.02);
    dd_server__metrics_record(m, 0, 418, 0.02);
    dd_server__metrics_record(m, dd_server__n_routes, 404, 20);
    assert_int_equal(dd_server__metrics_render(m, dd_server__routes, &out), DD_OK);
    assert_non_null(strstr(out.data, "dd_http_requests_total{method=\"GET\",route=\"/healthz\","
                                     "status=\"200\"} 2\n"));
    assert_non_null(strstr(out.data, "status=\"other\"} 1\n"));
    assert_non_null(strstr(out.data, "route=\"unmatched\",status=\"404\"} 1\n"));
    assert_non_null(strstr(out.data, "route=\"/healthz\",le=\"0.001\"} 1\n"));
    assert_non_null(strstr(out.data, "route=\"/healthz\",le=\"0.025\"} 3\n"));
    assert_non_null(strstr(out.data, "route=\"unmatched\",le=\"10\"} 0\n"));
    assert_non_null(strstr(out.data, "route=\"unmatched\",le=\"+Inf\"} 1\n"));
    assert_non_null(strstr(out.data, "dd_http_request_duration_seconds_count{method=\"GET\","
                                     "route=\"/healthz\"} 3\n"));
    assert_null(strstr(out.data, "/readyz")); /* nothing recorded, nothing printed */
    dd_buf_dispose(&out);
    dd_server__metrics_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matcher_captures_segments),
        cmocka_unit_test(every_contract_row_is_routed_with_its_scope),
        cmocka_unit_test(openapi_is_the_docs_file_and_names_every_route),
        cmocka_unit_test(metrics_count_by_route_and_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
