/* The fleet server's HTTP client (drydock push, drydock fleet): requests over libcurl, answers
 * parsed with jansson, problem+json errors turned into one-line messages. */
#include <drydock/fleet_client.h>

#include "util/util.h"
#include "vulndb/curl_dl.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define DEFAULT_TIMEOUT_MS   120000L
#define DEFAULT_MAX_ANSWER   (256u << 20)
#define CONNECT_TIMEOUT_MS   15000L
#define MAX_PAGE_LIMIT       1000u
/* A server that never stops answering "next" would make list() run forever: no fleet query
 * of ours lists more than this. */
#define MAX_LIST_ITEMS       (10u << 20)

struct dd_fleet_client {
    CURL *curl;
    char *base;       /* without the trailing "/" */
    char *key_header; /* "X-Api-Key: KEY", NULL without a key */
    long timeout_ms;
    size_t max_answer;
};

typedef struct {
    dd_buf body;
    bool over_limit;
} answer;

static bool has_control_chars(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

int dd_fleet_client_new(dd_fleet_client **out, const dd_fleet_client_opts *opts)
{
    dd_fleet_client *c;
    size_t n;
    int rc;

    *out = NULL;
    if (!opts->server || (strncmp(opts->server, "http://", 7) != 0 &&
                          strncmp(opts->server, "https://", 8) != 0))
        return dd_error_set(DD_EINVALID, "server URL must start with http:// or https://, not "
                                         "\"%s\"", opts->server ? opts->server : "");
    if (has_control_chars(opts->server))
        return dd_error_set(DD_EINVALID, "server URL holds control characters");
    /* a key is one header line: a newline in it would add headers of its own */
    if (opts->api_key && (has_control_chars(opts->api_key) || !*opts->api_key))
        return dd_error_set(DD_EINVALID, "API key is empty or holds control characters");
    if ((rc = dd_curl__load()) != DD_OK)
        return rc;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return dd_error_set(DD_ERROR, "libcurl: global initialisation failed");
    if (!(c = dd_calloc(1, sizeof(*c))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
    c->max_answer = opts->max_answer_bytes ? opts->max_answer_bytes : DEFAULT_MAX_ANSWER;
    n = strlen(opts->server);
    while (n > 0 && opts->server[n - 1] == '/')
        n--;
    c->base = dd_strndup(opts->server, n);
    if (opts->api_key) {
        dd_buf h = DD_BUF_INIT;

        if (dd_buf_printf(&h, "X-Api-Key: %s", opts->api_key) == DD_OK)
            c->key_header = dd_buf_detach(&h, NULL);
        dd_buf_dispose(&h);
    }
    c->curl = curl_easy_init();
    if (!c->base || (opts->api_key && !c->key_header) || !c->curl) {
        dd_fleet_client_free(c);
        return dd_error_set(DD_ENOMEM, "out of memory");
    }
    *out = c;
    return DD_OK;
}

void dd_fleet_client_free(dd_fleet_client *c)
{
    if (!c)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    dd_free(c->base);
    dd_free(c->key_header);
    dd_free(c);
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *payload)
{
    answer *a = payload;
    size_t n = size * nmemb;

    if (dd_buf_put(&a->body, ptr, n) != DD_OK) {
        a->over_limit = true;
        return 0; /* libcurl stops with CURLE_WRITE_ERROR */
    }
    return n;
}

/* base + path + "?k=v&..." with keys and values percent-encoded. */
static int build_url(dd_fleet_client *c, dd_buf *url, const char *path,
                     const dd_fleet_param *params, size_t n_params)
{
    char sep = strchr(path, '?') ? '&' : '?';
    int rc;

    if ((rc = dd_buf_puts(url, c->base)) != DD_OK || (rc = dd_buf_puts(url, path)) != DD_OK)
        return rc;
    for (size_t i = 0; i < n_params; i++) {
        char *k, *v;

        if (!params[i].value)
            continue;
        k = curl_easy_escape(c->curl, params[i].key, 0);
        v = curl_easy_escape(c->curl, params[i].value, 0);
        rc = k && v ? dd_buf_printf(url, "%c%s=%s", sep, k, v) : DD_ENOMEM;
        curl_free(k);
        curl_free(v);
        if (rc != DD_OK)
            return dd_error_set(rc, "out of memory");
        sep = '&';
    }
    return DD_OK;
}

static const char *reason_phrase(long status)
{
    static const struct {
        long status;
        const char *text;
    } phrases[] = {
        {400, "Bad Request"},         {401, "Unauthorized"},
        {403, "Forbidden"},           {404, "Not Found"},
        {405, "Method Not Allowed"},  {409, "Conflict"},
        {413, "Content Too Large"},   {415, "Unsupported Media Type"},
        {422, "Unprocessable Content"}, {429, "Too Many Requests"},
        {500, "Internal Server Error"}, {502, "Bad Gateway"},
        {503, "Service Unavailable"}, {504, "Gateway Timeout"},
    };

    for (size_t i = 0; i < DD_ARRAY_SIZE(phrases); i++)
        if (phrases[i].status == status)
            return phrases[i].text;
    return status >= 500 ? "Server Error" : "Client Error";
}

static int status_error_code(long status)
{
    switch (status) {
    case 401:
    case 403:
        return DD_EPERM;
    case 404:
        return DD_ENOTFOUND;
    case 413:
        return DD_ELIMIT;
    default:
        return DD_ERROR;
    }
}

/* "server: 401 Unauthorized: DETAIL" from a problem+json answer, or from the status and the
 * first line of whatever else the server (or a proxy in front of it) answered. */
static int answer_error(long status, const dd_buf *body)
{
    json_t *doc = json_loadb(body->data, body->len, 0, NULL);
    const char *title = json_string_value(json_object_get(doc, "title"));
    const char *detail = json_string_value(json_object_get(doc, "detail"));
    int code = status_error_code(status), rc;

    if (!title)
        title = reason_phrase(status);
    if (detail && !has_control_chars(detail))
        rc = dd_error_set(code, "server: %ld %s: %s", status, title, detail);
    else if (!doc && body->len) {
        size_t n = strcspn(body->data, "\r\n");

        rc = dd_error_set(code, "server: %ld %s: %.*s", status, title, (int)(n > 200 ? 200 : n),
                          body->data);
    } else
        rc = dd_error_set(code, "server: %ld %s", status, title);
    json_decref(doc);
    return rc;
}

static int set_request(dd_fleet_client *c, const char *url, const char *method,
                       struct curl_slist *headers, const void *body, size_t len, answer *a)
{
    CURL *h = c->curl;

    curl_easy_reset(h); /* keeps the connection: one for every page of a list */
    if (curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK)
        return dd_error_set(DD_EINVALID, "%s: libcurl refuses this URL", url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "drydock/" DD_VERSION_STRING);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    if (strcmp(method, "GET") == 0 && !body)
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    else if (strcmp(method, "POST") != 0 || !body)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    return DD_OK;
}

static struct curl_slist *request_headers(dd_fleet_client *c, const char *content_type,
                                          const char *content_encoding, bool *oom)
{
    struct curl_slist *l = NULL, *n;
    char line[160];
    /* "Expect:" stops libcurl waiting for a 100 Continue the server may never send */
    const char *fixed[] = {"Accept: application/json", "Expect:"};

    *oom = false;
    for (size_t i = 0; i < DD_ARRAY_SIZE(fixed); i++) {
        if (!(n = curl_slist_append(l, fixed[i])))
            goto oom;
        l = n;
    }
    if (c->key_header) {
        if (!(n = curl_slist_append(l, c->key_header)))
            goto oom;
        l = n;
    }
    if (content_type) {
        snprintf(line, sizeof(line), "Content-Type: %s", content_type);
        if (!(n = curl_slist_append(l, line)))
            goto oom;
        l = n;
    }
    if (content_encoding) {
        snprintf(line, sizeof(line), "Content-Encoding: %s", content_encoding);
        if (!(n = curl_slist_append(l, line)))
            goto oom;
        l = n;
    }
    return l;
oom:
    curl_slist_free_all(l);
    *oom = true;
    return NULL;
}

/* The answer of a completed transfer: JSON on 2xx, the error message otherwise. */
static int read_answer(const char *url, long status, answer *a, json_t **out)
{
    json_error_t jerr;

    if (status < 200 || status > 299)
        return answer_error(status, &a->body);
    if (a->body.len == 0)
        return DD_OK;
    if (!(*out = json_loadb(a->body.data, a->body.len, 0, &jerr)))
        return dd_error_set(DD_EINVALID, "%s: the server's answer (%ld) is not JSON: %s at byte "
                                         "%d", url, status, jerr.text, jerr.position);
    return DD_OK;
}

int dd_fleet_client_call(dd_fleet_client *c, const char *method, const char *path,
                         const dd_fleet_param *params, size_t n_params, const char *content_type,
                         const char *content_encoding, const void *body, size_t len,
                         json_t **out, long *status)
{
    answer a = {DD_BUF_INIT, false};
    dd_buf url = DD_BUF_INIT;
    struct curl_slist *headers = NULL;
    long code = 0;
    CURLcode cc;
    bool oom;
    int rc;

    *out = NULL;
    if (status)
        *status = 0;
    a.body.cap = c->max_answer;
    if ((rc = build_url(c, &url, path, params, n_params)) != DD_OK)
        goto done;
    headers = request_headers(c, body ? content_type : NULL, body ? content_encoding : NULL,
                              &oom);
    if (oom) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = set_request(c, url.data, method, headers, body, len, &a)) != DD_OK)
        goto done;
    cc = curl_easy_perform(c->curl);
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &code);
    if (status)
        *status = code;
    if (a.over_limit) {
        rc = dd_error_set(DD_ELIMIT, "%s: the server's answer is larger than %zu bytes", url.data,
                          c->max_answer);
        goto done;
    }
    if (cc != CURLE_OK) {
        rc = dd_error_set(DD_EIO, "%s: %s", url.data, curl_easy_strerror(cc));
        goto done;
    }
    rc = read_answer(url.data, code, &a, out);
done:
    /* the handle points at this frame's header list and buffers until reset */
    curl_easy_reset(c->curl);
    curl_slist_free_all(headers);
    dd_buf_dispose(&url);
    dd_buf_dispose(&a.body);
    return rc;
}

/* Appends page's list into all's and checks "next" moved on. */
static int merge_page(json_t *all, json_t *page, const char *list_key, const char *path)
{
    json_t *items = json_object_get(page, list_key);

    if (!json_is_array(items))
        return dd_error_set(DD_EINVALID, "%s: the server's answer has no \"%s\" list", path,
                            list_key);
    if (all != page && json_array_extend(json_object_get(all, list_key), items) != 0)
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (json_object_set(all, "next", json_object_get(page, "next")) != 0)
        return dd_error_set(DD_ENOMEM, "out of memory");
    return DD_OK;
}

int dd_fleet_client_list(dd_fleet_client *c, const char *path, const dd_fleet_param *params,
                         size_t n_params, const char *list_key, size_t max_items,
                         unsigned page_size, json_t **out)
{
    dd_fleet_param *p = dd_calloc(n_params + 2, sizeof(*p));
    char limit[24], *cursor = NULL;
    json_t *all = NULL;
    int rc = DD_OK;

    *out = NULL;
    if (!p)
        return dd_error_set(DD_ENOMEM, "out of memory");
    memcpy(p, params, n_params * sizeof(*p));
    if (!page_size || page_size > MAX_PAGE_LIMIT)
        page_size = MAX_PAGE_LIMIT;
    snprintf(limit, sizeof(limit), "%zu",
             max_items && max_items < page_size ? max_items : (size_t)page_size);
    p[n_params] = (dd_fleet_param){"limit", limit};
    for (;;) {
        json_t *page = NULL;
        const char *next;
        size_t held;

        p[n_params + 1] = (dd_fleet_param){"cursor", cursor};
        if ((rc = dd_fleet_client_call(c, "GET", path, p, n_params + 2, NULL, NULL, NULL, 0,
                                       &page, NULL)) != DD_OK)
            break;
        if (!all)
            all = json_incref(page);
        rc = merge_page(all, page, list_key, path);
        json_decref(page);
        if (rc != DD_OK)
            break;
        held = json_array_size(json_object_get(all, list_key));
        next = json_string_value(json_object_get(all, "next"));
        if (!next || !*next || (max_items && held >= max_items))
            break;
        if (held > MAX_LIST_ITEMS) {
            rc = dd_error_set(DD_ELIMIT, "%s: more than %u items", path, MAX_LIST_ITEMS);
            break;
        }
        if (cursor && strcmp(cursor, next) == 0) {
            rc = dd_error_set(DD_EINVALID, "%s: the server answered the same cursor twice", path);
            break;
        }
        dd_free(cursor);
        if (!(cursor = dd_strdup(next))) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            break;
        }
    }
    if (rc == DD_OK && max_items) {
        json_t *items = json_object_get(all, list_key);

        while (json_array_size(items) > max_items)
            json_array_remove(items, json_array_size(items) - 1);
    }
    dd_free(cursor);
    dd_free(p);
    if (rc != DD_OK) {
        json_decref(all);
        return rc;
    }
    *out = all;
    return DD_OK;
}

int dd_fleet_gzip(void **out, size_t *out_len, const void *data, size_t len)
{
    z_stream zs;
    uLong bound;
    void *buf;
    int zrc;

    *out = NULL;
    *out_len = 0;
    memset(&zs, 0, sizeof(zs));
    /* 15 + 16: a gzip wrapper rather than zlib's */
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return dd_error_set(DD_ENOMEM, "zlib: cannot start compressing");
    bound = deflateBound(&zs, (uLong)len);
    if ((uint64_t)len > UINT32_MAX || !(buf = dd_malloc(bound))) {
        deflateEnd(&zs);
        return dd_error_set(len > UINT32_MAX ? DD_ELIMIT : DD_ENOMEM,
                            "SBOM of %zu bytes too large to compress", len);
    }
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = buf;
    zs.avail_out = (uInt)bound;
    zrc = deflate(&zs, Z_FINISH);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    if (zrc != Z_STREAM_END) {
        dd_free(buf);
        return dd_error_set(DD_ERROR, "zlib: compression did not finish (%d)", zrc);
    }
    *out = buf;
    return DD_OK;
}

static const char *compressed_as(const unsigned char *p, size_t len)
{
    if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return "gzip";
    if (len >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        return "zstd";
    return NULL;
}

int dd_fleet_client_push(dd_fleet_client *c, const dd_fleet_image_ref *ref, const void *sbom,
                         size_t len, json_t **out)
{
    size_t n = 0, n_max = 3 + ref->n_tags + ref->n_labels, zlen = len;
    dd_fleet_param *p = dd_calloc(n_max, sizeof(*p));
    const char *encoding = compressed_as(sbom, len);
    void *z = NULL;
    int rc;

    *out = NULL;
    if (!p)
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (!ref->repository || !*ref->repository) {
        dd_free(p);
        return dd_error_set(DD_EINVALID, "push: the image needs a repository name");
    }
    p[n++] = (dd_fleet_param){"repository", ref->repository};
    for (size_t i = 0; i < ref->n_tags; i++)
        p[n++] = (dd_fleet_param){"tag", ref->tags[i]};
    p[n++] = (dd_fleet_param){"digest", ref->digest};
    p[n++] = (dd_fleet_param){"base_image", ref->base_image};
    for (size_t i = 0; i < ref->n_labels; i++)
        p[n++] = (dd_fleet_param){"label", ref->labels[i]};
    if (!encoding) {
        if ((rc = dd_fleet_gzip(&z, &zlen, sbom, len)) != DD_OK)
            goto done;
        encoding = "gzip";
    }
    rc = dd_fleet_client_call(c, "POST", "/api/v1/images", p, n, "application/json", encoding,
                              z ? z : sbom, zlen, out, NULL);
done:
    dd_free(z);
    dd_free(p);
    return rc;
}

int dd_fleet_client_deploy(dd_fleet_client *c, const char *environment, bool snapshot,
                           json_t *deployments, json_t **out)
{
    json_t *body = json_object();
    dd_buf path = DD_BUF_INIT;
    char *text = NULL, *env = NULL;
    int rc = DD_ENOMEM;

    *out = NULL;
    if (!environment || !*environment)
        rc = dd_error_set(DD_EINVALID, "deploy: the environment is required");
    if (!environment || !*environment || !body)
        goto done;
    if (json_object_set(body, "deployments", deployments) != 0 ||
        (!snapshot && json_object_set_new(body, "environment", json_string(environment)) != 0))
        goto oom;
    if (!(text = json_dumps(body, JSON_COMPACT)))
        goto oom;
    if (snapshot) {
        if (!(env = curl_easy_escape(c->curl, environment, 0)) ||
            dd_buf_printf(&path, "/api/v1/deployments/%s", env) != DD_OK)
            goto oom;
    } else if (dd_buf_puts(&path, "/api/v1/deployments") != DD_OK)
        goto oom;
    rc = dd_fleet_client_call(c, snapshot ? "PUT" : "POST", path.data, NULL, 0,
                              "application/json", NULL, text, strlen(text), out, NULL);
    goto done;
oom:
    rc = dd_error_set(DD_ENOMEM, "out of memory");
done:
    curl_free(env);
    dd_free(text);
    dd_buf_dispose(&path);
    json_decref(body);
    return rc;
}
