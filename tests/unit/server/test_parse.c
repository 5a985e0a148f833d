/* Unit tests for the fleet server's pure parsers: JSON depth, base64, Dependency-Track uploads,
 * deployments, problem documents, listen addresses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "server/server_int.h"

static char *nested(unsigned depth, char open, char close)
{
    char *s = malloc(2 * depth + 1);

    memset(s, open, depth);
    memset(s + depth, close, depth);
    s[2 * depth] = '\0';
    return s;
}

static void depth_limit_counts_brackets_outside_strings(void **state)
{
    char *ok = nested(64, '[', ']'), *deep = nested(65, '[', ']');
    char *objs = nested(65, '{', '}');

    assert_int_equal(dd_server__json_depth_check(ok, strlen(ok), 64), DD_OK);
    assert_int_equal(dd_server__json_depth_check(deep, strlen(deep), 64), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "deeper than 64"));
    assert_int_equal(dd_server__json_depth_check(objs, strlen(objs), 64), DD_EINVALID);
    /* brackets in strings, escaped quotes included, do not nest */
    {
        const char *s = "{\"a\":\"[[[[[[\\\"[[[[[[[[[\",\"b\":[1]}";
        assert_int_equal(dd_server__json_depth_check(s, strlen(s), 2), DD_OK);
        assert_int_equal(dd_server__json_depth_check(s, strlen(s), 1), DD_EINVALID);
    }
    /* an escaped backslash does not escape the quote after it: the string ends there */
    {
        const char *s = "{\"a\":\"x\\\\\",\"b\":[[1]]}";
        assert_int_equal(dd_server__json_depth_check(s, strlen(s), 3), DD_OK);
        assert_int_equal(dd_server__json_depth_check(s, strlen(s), 2), DD_EINVALID);
    }
    /* a closing bracket too many does not hide deeper nesting after it */
    {
        const char *s = "]]]][[[";
        assert_int_equal(dd_server__json_depth_check(s, strlen(s), 2), DD_EINVALID);
    }
    free(ok);
    free(deep);
    free(objs);
}

static void json_object_rejects_deep_duplicates_and_non_objects(void **state)
{
    char *deep = nested(100000, '[', ']');
    json_t *doc;

    assert_int_equal(dd_server__json_object(&doc, deep, strlen(deep), "body"), DD_EINVALID);
    assert_null(doc);
    assert_non_null(strstr(dd_error_message(), "body"));
    assert_int_equal(dd_server__json_object(&doc, "[1]", 3, "body"), DD_EINVALID);
    assert_int_equal(dd_server__json_object(&doc, "{\"a\":1,\"a\":2}", 13, "body"), DD_EINVALID);
    assert_int_equal(dd_server__json_object(&doc, "{\"a\":", 5, "body"), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "not JSON"));
    assert_int_equal(dd_server__json_object(&doc, "{\"a\":1}", 7, "body"), DD_OK);
    assert_int_equal(json_integer_value(json_object_get(doc, "a")), 1);
    json_decref(doc);
    free(deep);
}

static void base64_decodes_exactly(void **state)
{
    static const struct {
        const char *in, *out;
    } ok[] = {
        {"", ""},
        {"Zg==", "f"},
        {"Zm8=", "fo"},
        {"Zm9v", "foo"},
        {"Zm9vYg", "foob"}, /* padding optional */
        {"Zm9v\nYmFy\r\n", "foobar"},
        {" Zm9vYmE= ", "fooba"},
        {"+/+/", "\xfb\xff\xbf"},
    };
    unsigned char *out;
    size_t n;

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_int_equal(dd_server__base64_decode(&out, &n, ok[i].in, strlen(ok[i].in), 100),
                         DD_OK);
        assert_int_equal(n, strlen(ok[i].out));
        assert_memory_equal(out, ok[i].out, n);
        dd_free(out);
    }
    assert_int_equal(dd_server__base64_decode(&out, &n, "Zm9v!", 5, 100), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "offset 4"));
    assert_int_equal(dd_server__base64_decode(&out, &n, "Z", 1, 100), DD_EINVALID);
    assert_int_equal(dd_server__base64_decode(&out, &n, "Zg=a", 4, 100), DD_EINVALID);
    assert_int_equal(dd_server__base64_decode(&out, &n, "Zg===", 5, 100), DD_EINVALID);
    assert_int_equal(dd_server__base64_decode(&out, &n, "Zm9v=", 5, 100), DD_EINVALID);
    assert_int_equal(dd_server__base64_decode(&out, &n, "Zm9vYmFy", 8, 5), DD_ELIMIT);
    assert_null(out);
}

static void xml_is_recognised(void **state)
{
    assert_true(dd_server__looks_like_xml("<?xml version", 13));
    assert_true(dd_server__looks_like_xml("\xef\xbb\xbf \n<bom", 9));
    assert_false(dd_server__looks_like_xml("{\"bomFormat\"", 12));
    assert_false(dd_server__looks_like_xml("", 0));
}

static char *b64(const char *s)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s), j = 0;
    char *o = malloc(n / 3 * 4 + 5);

    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)s[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)(unsigned char)s[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)s[i + 2];
        o[j++] = a[v >> 18 & 63];
        o[j++] = a[v >> 12 & 63];
        o[j++] = i + 1 < n ? a[v >> 6 & 63] : '=';
        o[j++] = i + 2 < n ? a[v & 63] : '=';
    }
    o[j] = '\0';
    return o;
}

/* `tmpl` with its "%s" replaced by the base64 of `bom_text`. */
static int put(dd_server_dt_upload *u, const char *tmpl, const char *bom_text)
{
    char *enc = b64(bom_text), body[4096];
    const char *hole = strstr(tmpl, "%s");
    int rc;

    assert_non_null(hole);
    snprintf(body, sizeof(body), "%.*s%s%s", (int)(hole - tmpl), tmpl, enc, hole + 2);
    rc = dd_server__dt_parse_put(u, body, strlen(body), 1 << 20);
    free(enc);
    return rc;
}

static void dt_put_parses_dependency_track_bodies(void **state)
{
    const char *sbom = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[]}";
    dd_server_dt_upload u = DD_SERVER_DT_UPLOAD_INIT;

    assert_int_equal(put(&u,
                         "{\"projectName\":\"registry.example/app\",\"projectVersion\":\"1.4\","
                         "\"autoCreate\":true,\"bom\":\"%s\"}",
                         sbom),
                     DD_OK);
    assert_string_equal(u.project_name, "registry.example/app");
    assert_string_equal(u.project_version, "1.4");
    assert_true(u.auto_create);
    assert_int_equal(u.bom_len, strlen(sbom));
    assert_memory_equal(u.bom, sbom, u.bom_len);
    dd_server__dt_upload_dispose(&u);

    /* autoCreate as a string, a project uuid alone (the handler answers 404 for it) */
    assert_int_equal(put(&u,
                         "{\"project\":\"f90934f5-cb88-47ce-81cb-db06fc67d4b4\","
                         "\"autoCreate\":\"false\",\"bom\":\"%s\"}",
                         sbom),
                     DD_OK);
    assert_false(u.auto_create);
    assert_null(u.project_name);
    assert_string_equal(u.project_uuid, "f90934f5-cb88-47ce-81cb-db06fc67d4b4");
    dd_server__dt_upload_dispose(&u);

    assert_int_equal(put(&u, "{\"bom\":\"%s\"}", sbom), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "projectName"));
    dd_server__dt_upload_dispose(&u);
    assert_int_equal(put(&u, "{\"projectName\":\"a\",\"bom\":\"%s\"}", "<?xml version=\"1.0\"?>"),
                     DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "XML"));
    dd_server__dt_upload_dispose(&u);
    assert_int_equal(put(&u, "{\"projectName\":\"a\",\"bom\":\"%s!\"}", sbom), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "bom: base64"));
    dd_server__dt_upload_dispose(&u);
    assert_int_equal(put(&u, "{\"projectName\":7,\"bom\":\"%s\"}", sbom), DD_EINVALID);
    dd_server__dt_upload_dispose(&u);
    assert_int_equal(put(&u, "{\"projectName\":\"a\",\"autoCreate\":\"yes\",\"bom\":\"%s\"}", sbom),
                     DD_EINVALID);
    dd_server__dt_upload_dispose(&u);
    assert_int_equal(put(&u, "{\"projectName\":\"a\"}%s", ""), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "bom is required"));
    dd_server__dt_upload_dispose(&u);
}

static void dt_form_fields_accumulate(void **state)
{
    dd_server_dt_upload u = DD_SERVER_DT_UPLOAD_INIT;
    const char *sbom = "{\"spdxVersion\":\"SPDX-2.3\"}";

    assert_int_equal(dd_server__dt_form_field(&u, "projectName", "reg/ap", 0, 6, 100), DD_OK);
    assert_int_equal(dd_server__dt_form_field(&u, "projectName", "p", 6, 1, 100), DD_OK);
    assert_int_equal(dd_server__dt_form_field(&u, "projectVersion", "2.0", 0, 3, 100), DD_OK);
    assert_int_equal(dd_server__dt_form_field(&u, "autoCreate", "true", 0, 4, 100), DD_OK);
    assert_int_equal(dd_server__dt_form_field(&u, "isLatest", "x", 0, 1, 100), DD_OK);
    assert_int_equal(dd_server__dt_form_field(&u, "bom", sbom, 0, 10, 100), DD_OK);
    assert_int_equal(dd_server__dt_form_field(&u, "bom", sbom + 10, 10, strlen(sbom) - 10, 100),
                     DD_OK);
    assert_int_equal(dd_server__dt_form_field(&u, "bom", "x", 3, 1, 100), DD_EINVALID);
    assert_int_equal(dd_server__dt_form_finish(&u), DD_OK);
    assert_string_equal(u.project_name, "reg/app");
    assert_string_equal(u.project_version, "2.0");
    assert_true(u.auto_create);
    assert_int_equal(u.bom_len, strlen(sbom));
    assert_memory_equal(u.bom, sbom, u.bom_len);
    dd_server__dt_upload_dispose(&u);

    assert_int_equal(dd_server__dt_form_field(&u, "bom", sbom, 0, strlen(sbom), 10), DD_ELIMIT);
    dd_server__dt_upload_dispose(&u);
    assert_int_equal(dd_server__dt_form_field(&u, "projectName", "a\0b", 0, 3, 100), DD_EINVALID);
    dd_server__dt_upload_dispose(&u);
    assert_int_equal(dd_server__dt_form_field(&u, "projectName", "app", 0, 3, 100), DD_OK);
    assert_int_equal(dd_server__dt_form_finish(&u), DD_EINVALID); /* no bom */
    dd_server__dt_upload_dispose(&u);
}

static void multipart_type_keeps_the_last_boundary(void **state)
{
    char out[256];

    /* curl -H 'Content-Type: multipart/form-data; boundary=A' -F ... appends its own */
    assert_int_equal(dd_server__multipart_type(out, sizeof(out),
                                               "multipart/form-data; charset=utf-8; "
                                               "boundary=__X_CURL_BOUNDARY__; boundary=----xyz"),
                     DD_OK);
    assert_string_equal(out, "multipart/form-data;boundary=----xyz");
    assert_int_equal(
        dd_server__multipart_type(out, sizeof(out), "Multipart/Form-Data; boundary=\"a b\"; x=y"),
        DD_OK);
    assert_string_equal(out, "multipart/form-data;boundary=a b");
    assert_int_equal(dd_server__multipart_type(out, sizeof(out), "multipart/form-data;boundary=q"),
                     DD_OK);
    assert_string_equal(out, "multipart/form-data;boundary=q");
    assert_int_equal(dd_server__multipart_type(out, sizeof(out), "multipart/form-data"),
                     DD_EINVALID);
    assert_int_equal(dd_server__multipart_type(out, sizeof(out), "multipart/form-data; boundary="),
                     DD_EINVALID);
    assert_int_equal(dd_server__multipart_type(out, sizeof(out), "application/json"), DD_EINVALID);
    assert_int_equal(
        dd_server__multipart_type(out, sizeof(out), "multipart/form-data; boundary=\"open"),
        DD_EINVALID);
}

static void deployments_parse_and_name_the_bad_entry(void **state)
{
    const char *put_body =
        "{\"deployments\":[{\"cluster\":\"c1\",\"namespace\":\"ns\",\"container\":\"web\","
        "\"image\":\"sha256:ab\",\"last_seen\":1700000000},{\"cluster\":\"c2\",\"container\":"
        "\"db\",\"image\":\"postgres:15\"}]}";
    dd_server_deployments d;

    assert_int_equal(dd_server__deployments_parse(&d, put_body, strlen(put_body), "prod"), DD_OK);
    assert_int_equal(d.n, 2);
    assert_string_equal(d.environment, "prod");
    assert_string_equal(d.items[0].cluster, "c1");
    assert_string_equal(d.items[0].namespace_, "ns");
    assert_int_equal(d.items[0].last_seen, 1700000000);
    assert_null(d.items[1].namespace_);
    assert_int_equal(d.items[1].last_seen, 0);
    assert_string_equal(d.items[1].environment, "prod");
    dd_server__deployments_dispose(&d);

    /* POST: the environment comes from the body */
    assert_int_equal(dd_server__deployments_parse(&d, put_body, strlen(put_body), NULL),
                     DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "environment"));
    {
        const char *b = "{\"environment\":\"staging\",\"deployments\":[{\"cluster\":\"c\","
                        "\"container\":\"x\",\"image\":\"\"}]}";
        assert_int_equal(dd_server__deployments_parse(&d, b, strlen(b), NULL), DD_EINVALID);
        assert_non_null(strstr(dd_error_message(), "deployments[0].image"));
    }
    {
        const char *b = "{\"environment\":\"staging\",\"deployments\":[]}";
        assert_int_equal(dd_server__deployments_parse(&d, b, strlen(b), NULL), DD_OK);
        assert_int_equal(d.n, 0);
        assert_string_equal(d.environment, "staging");
        dd_server__deployments_dispose(&d);
    }
    {
        const char *b = "{\"deployments\":[{\"cluster\":\"c\",\"container\":\"x\",\"image\":"
                        "\"i\",\"last_seen\":-5}]}";
        assert_int_equal(dd_server__deployments_parse(&d, b, strlen(b), "p"), DD_EINVALID);
        assert_non_null(strstr(dd_error_message(), "last_seen"));
    }
    assert_int_equal(dd_server__deployments_parse(&d, "{\"deployments\":{}}", 18, "p"),
                     DD_EINVALID);
}

static void problems_are_rfc9457_json(void **state)
{
    size_t len;
    char *s = dd_server__problem(413, "too big \xff here", &len);
    json_t *doc;

    assert_non_null(s);
    assert_int_equal(strlen(s), len);
    doc = json_loads(s, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "type")), "about:blank");
    assert_string_equal(json_string_value(json_object_get(doc, "title")), "Content Too Large");
    assert_int_equal(json_integer_value(json_object_get(doc, "status")), 413);
    assert_string_equal(json_string_value(json_object_get(doc, "detail")), "too big ? here");
    json_decref(doc);
    dd_free(s);
    assert_int_equal(dd_server__error_status(DD_EINVALID), 400);
    assert_int_equal(dd_server__error_status(DD_ENOTFOUND), 404);
    assert_int_equal(dd_server__error_status(DD_EPERM), 403);
    assert_int_equal(dd_server__error_status(DD_ELIMIT), 413);
    assert_int_equal(dd_server__error_status(DD_EIO), 500);
    assert_int_equal(dd_server__error_status(DD_ENOMEM), 500);
    assert_string_equal(dd_server__status_title(401), "Unauthorized");
}

static void listen_addresses(void **state)
{
    struct sockaddr_storage ss;
    socklen_t n;

    assert_int_equal(dd_server__parse_listen(&ss, &n, "127.0.0.1:8080"), DD_OK);
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8080);
    assert_int_equal(dd_server__parse_listen(&ss, &n, "[::1]:0"), DD_OK);
    assert_int_equal(ss.ss_family, AF_INET6);
    assert_int_equal(dd_server__parse_listen(&ss, &n, ":9000"), DD_OK);
    assert_int_equal(dd_server__parse_listen(&ss, &n, "127.0.0.1"), DD_EINVALID);
    assert_int_equal(dd_server__parse_listen(&ss, &n, "127.0.0.1:70000"), DD_EINVALID);
    assert_int_equal(dd_server__parse_listen(&ss, &n, "127.0.0.1:-1"), DD_EINVALID);
    assert_int_equal(dd_server__parse_listen(&ss, &n, "[::1:80"), DD_EINVALID);
}

static void limits_and_ids(void **state)
{
    unsigned lim;
    int64_t id;

    assert_int_equal(dd_server__parse_limit(&lim, NULL), DD_OK);
    assert_int_equal(lim, 0);
    assert_int_equal(dd_server__parse_limit(&lim, "50"), DD_OK);
    assert_int_equal(lim, 50);
    assert_int_equal(dd_server__parse_limit(&lim, "0"), DD_EINVALID);
    assert_int_equal(dd_server__parse_limit(&lim, "1001"), DD_EINVALID);
    assert_int_equal(dd_server__parse_limit(&lim, "-1"), DD_EINVALID);
    assert_int_equal(dd_server__parse_limit(&lim, "5x"), DD_EINVALID);
    assert_int_equal(dd_server__parse_id(&id, "42"), DD_OK);
    assert_int_equal(id, 42);
    assert_int_equal(dd_server__parse_id(&id, "0"), DD_EINVALID);
    assert_int_equal(dd_server__parse_id(&id, "99999999999999999999"), DD_EINVALID);
    assert_int_equal(dd_server__parse_id(&id, "abc"), DD_EINVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(depth_limit_counts_brackets_outside_strings),
        cmocka_unit_test(json_object_rejects_deep_duplicates_and_non_objects),
        cmocka_unit_test(base64_decodes_exactly),
        cmocka_unit_test(xml_is_recognised),
        cmocka_unit_test(dt_put_parses_dependency_track_bodies),
        cmocka_unit_test(dt_form_fields_accumulate),
        cmocka_unit_test(multipart_type_keeps_the_last_boundary),
        cmocka_unit_test(deployments_parse_and_name_the_bad_entry),
        cmocka_unit_test(problems_are_rfc9457_json),
        cmocka_unit_test(listen_addresses),
        cmocka_unit_test(limits_and_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
