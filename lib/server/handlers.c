/* The handlers of the fleet API (docs/fleet-api.md), one per route, and the route table. Each
 * reads the request through server.c's accessors, calls the store and answers a JSON document;
 * errors go back as dd_error codes that server.c turns into problem documents. */
#include "server/server_int.h"

#include <string.h>
#include <strings.h>

#define ANSWER(r, status, ...) dd_server__answer((r), (status), json_pack(__VA_ARGS__))

/* ?limit=&cursor= */
static int page_from_query(dd_server_req *r, dd_fleet_page *pg)
{
    pg->cursor = dd_server__query(r, "cursor");
    return dd_server__parse_limit(&pg->limit, dd_server__query(r, "limit"));
}

/* A store query answering a document: 200 with it, or the store's error. */
static int answer_doc(dd_server_req *r, int rc, json_t *doc)
{
    if (rc != DD_OK) {
        json_decref(doc);
        return rc;
    }
    return dd_server__answer(r, 200, doc);
}

static int h_healthz(dd_server_req *r)
{
    return ANSWER(r, 200, "{s:s}", "status", "ok");
}

static int h_readyz(dd_server_req *r)
{
    if (!dd_fleet_ping(r->srv->fleet)) {
        r->status = 503;
        return dd_error_set(DD_EIO, "the %s database does not answer",
                            dd_fleet_backend(r->srv->fleet));
    }
    return ANSWER(r, 200, "{s:s}", "status", "ready");
}

static int h_metrics(dd_server_req *r)
{
    size_t cap = 64 << 10, len = 0;
    char *buf = NULL;
    int rc;

    /* the store's gauges first, in a buffer grown until they fit */
    for (;;) {
        char *grown = dd_realloc(buf, cap);

        if (!grown) {
            dd_free(buf);
            return dd_error_set(DD_ENOMEM, "out of memory");
        }
        buf = grown;
        len = 0;
        rc = dd_fleet_metrics(r->srv->fleet, buf, cap, &len);
        if (rc != DD_ELIMIT || cap >= (16u << 20))
            break;
        cap *= 2;
    }
    if (rc == DD_OK)
        rc = dd_buf_put(&r->text, buf, len);
    dd_free(buf);
    if (rc == DD_OK)
        rc = dd_server__metrics_render(r->srv->metrics, dd_server__routes, &r->text);
    if (rc == DD_OK)
        rc = dd_buf_printf(&r->text,
                           "# HELP dd_http_connections_open HTTP connections open now.\n"
                           "# TYPE dd_http_connections_open gauge\n"
                           "dd_http_connections_open %u\n"
                           "# HELP dd_http_connections_refused_total Connections closed at once "
                           "for being over --max-connections.\n"
                           "# TYPE dd_http_connections_refused_total counter\n"
                           "dd_http_connections_refused_total %llu\n",
                           atomic_load(&r->srv->open_connections),
                           (unsigned long long)atomic_load(&r->srv->refused_connections));
    if (rc != DD_OK)
        return rc;
    r->status = 200;
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return DD_OK;
}

static int h_openapi(dd_server_req *r)
{
    int rc = dd_buf_puts(&r->text, dd_server__openapi);

    if (rc != DD_OK)
        return rc;
    r->status = 200;
    r->content_type = "application/json";
    return DD_OK;
}

/* A body encoding the store can inflate (it recognises gzip and zstd by their magic). */
static int check_content_encoding(dd_server_req *r)
{
    static const char *const ok[] = {"identity", "gzip", "x-gzip", "zstd"};
    const char *ce = dd_server__header(r, "Content-Encoding");

    if (!ce || !*ce)
        return DD_OK;
    for (size_t i = 0; i < DD_ARRAY_SIZE(ok); i++)
        if (!strcasecmp(ce, ok[i]))
            return DD_OK;
    r->status = 415;
    return dd_error_set(DD_EINVALID, "Content-Encoding %.40s: only gzip and zstd are accepted", ce);
}

/* A body that can be an SBOM: not empty, not XML, and (when it is JSON rather than compressed
 * bytes, which the store inflates and jansson then bounds) nested at most 64 levels. */
static int check_sbom_body(const void *data, size_t len, const char *what)
{
    const unsigned char *p = data, *end = p + len;

    if (len == 0)
        return dd_error_set(DD_EINVALID, "%s is empty: send the SBOM", what);
    if (dd_server__looks_like_xml(data, len))
        return dd_error_set(DD_EINVALID, "%s is XML; drydock reads CycloneDX or SPDX JSON", what);
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    if (p < end && (*p == '{' || *p == '[') &&
        dd_server__json_depth_check(data, len, DD_SERVER_JSON_MAX_DEPTH) != DD_OK)
        return dd_error_prefix("%s", what);
    return DD_OK;
}

static json_t *ingest_json(const dd_fleet_ingest_result *res)
{
    return json_pack("{s:I, s:s, s:b, s:I, s:I, s:I}", "image_id", (json_int_t)res->image_id,
                     "digest", res->digest, "created", res->created, "packages",
                     (json_int_t)res->packages, "new_identities", (json_int_t)res->new_identities,
                     "new_findings", (json_int_t)res->new_findings);
}

static int h_images_post(dd_server_req *r)
{
    dd_fleet_image_ref ref = {0};
    dd_fleet_ingest_result res;
    const char **tags = NULL, **labels = NULL;
    int rc;

    if ((rc = check_content_encoding(r)) != DD_OK ||
        (rc = check_sbom_body(r->body.data, r->body.len, "the request body")))
        return rc;
    ref.repository = dd_server__query(r, "repository");
    if (!ref.repository || !*ref.repository)
        return dd_error_set(DD_EINVALID, "the repository= query argument is required");
    ref.digest = dd_server__query(r, "digest");
    ref.base_image = dd_server__query(r, "base_image");
    if ((rc = dd_server__query_all(r, "tag", &tags, &ref.n_tags)) != DD_OK ||
        (rc = dd_server__query_all(r, "label", &labels, &ref.n_labels)) != DD_OK)
        goto done;
    ref.tags = tags;
    ref.labels = labels;
    for (size_t i = 0; i < ref.n_labels; i++)
        if (!strchr(labels[i], '=')) {
            rc = dd_error_set(DD_EINVALID, "label %.80s: expected KEY=VALUE", labels[i]);
            goto done;
        }
    rc = dd_fleet_ingest(r->srv->fleet, &ref, "SBOM", r->body.data, r->body.len, &res);
    if (rc == DD_OK)
        rc = dd_server__answer(r, res.created ? 201 : 200, ingest_json(&res));
done:
    dd_free(tags);
    dd_free(labels);
    return rc;
}

/* Whether the store holds an image of `repository` (a Dependency-Track project exists). */
static int repository_known(dd_server_req *r, const char *repository, bool *known)
{
    dd_fleet_image_filter flt = {.repository = repository};
    dd_fleet_page pg = {NULL, 1};
    json_t *doc = NULL;
    int rc = dd_fleet_images(r->srv->fleet, &flt, &pg, &doc);

    *known = rc == DD_OK && json_array_size(json_object_get(doc, "images")) > 0;
    json_decref(doc);
    return rc;
}

/* The ingest behind both of Dependency-Track's upload forms. */
static int dt_ingest(dd_server_req *r, dd_server_dt_upload *u)
{
    const char *tags[1];
    dd_fleet_image_ref ref = {0};
    dd_fleet_ingest_result res;
    char token[37];
    bool known;
    int rc;

    if (!u->project_name || !*u->project_name)
        return dd_error_set(DD_ENOTFOUND,
                            "project %.40s is not known: drydock names projects by projectName "
                            "and projectVersion (with autoCreate=true)",
                            u->project_uuid);
    if (!u->auto_create) {
        if ((rc = repository_known(r, u->project_name, &known)) != DD_OK)
            return rc;
        if (!known)
            return dd_error_set(DD_ENOTFOUND,
                                "project %.200s does not exist; pass autoCreate=true to create it",
                                u->project_name);
    }
    ref.repository = u->project_name;
    if (u->project_version && *u->project_version) {
        tags[0] = u->project_version;
        ref.tags = tags;
        ref.n_tags = 1;
    }
    if ((rc = check_sbom_body(u->bom, u->bom_len, "bom")) != DD_OK ||
        (rc = dd_fleet_ingest(r->srv->fleet, &ref, "bom", u->bom, u->bom_len, &res)) != DD_OK ||
        (rc = dd_fleet_token_record(r->srv->fleet, res.image_id, token)) != DD_OK)
        return rc;
    return ANSWER(r, 200, "{s:s}", "token", token);
}

static int h_bom_put(dd_server_req *r)
{
    dd_server_dt_upload u = DD_SERVER_DT_UPLOAD_INIT;
    int rc = dd_server__dt_parse_put(&u, r->body.data, r->body.len, r->srv->opts.max_body);

    if (rc == DD_OK)
        rc = dt_ingest(r, &u);
    dd_server__dt_upload_dispose(&u);
    return rc;
}

static int h_bom_post(dd_server_req *r)
{
    int rc;

    if (!r->multipart) {
        r->status = 415;
        return dd_error_set(DD_EINVALID, "POST /api/v1/bom takes multipart/form-data (fields "
                                         "projectName, projectVersion, autoCreate, bom)");
    }
    if (r->form_failed)
        return dd_error_restore(&r->form_error);
    if ((rc = dd_server__dt_form_finish(&r->form)) != DD_OK)
        return rc;
    return dt_ingest(r, &r->form);
}

static int h_event_token(dd_server_req *r)
{
    bool known;
    int rc = dd_fleet_token_get(r->srv->fleet, r->params[0], &known);

    if (rc != DD_OK)
        return rc;
    /* ingest is synchronous: a token is answered only after its upload committed */
    return ANSWER(r, 200, "{s:b}", "processing", 0);
}

static int deploy(dd_server_req *r, const char *environment, bool snapshot)
{
    dd_server_deployments d;
    int rc = dd_server__deployments_parse(&d, r->body.data, r->body.len, environment);

    if (rc != DD_OK)
        return rc;
    rc = dd_fleet_deploy(r->srv->fleet, d.environment, snapshot, d.items, d.n);
    if (rc == DD_OK)
        rc = ANSWER(r, 200, "{s:s, s:I}", "environment", d.environment, "deployments",
                    (json_int_t)d.n);
    dd_server__deployments_dispose(&d);
    return rc;
}

static int h_deploy_put(dd_server_req *r)
{
    return deploy(r, r->params[0], true);
}

static int h_deploy_post(dd_server_req *r)
{
    return deploy(r, NULL, false);
}

static int h_affected(dd_server_req *r)
{
    dd_fleet_page pg;
    json_t *doc = NULL;
    int rc = page_from_query(r, &pg);

    if (rc != DD_OK)
        return rc;
    rc = dd_fleet_affected(r->srv->fleet, r->params[0], &pg, &doc);
    return answer_doc(r, rc, doc);
}

static int h_images_get(dd_server_req *r)
{
    dd_fleet_image_filter flt = {
        .repository = dd_server__query(r, "repository"),
        .base_image = dd_server__query(r, "base_image"),
        .purl = dd_server__query(r, "purl"),
        .range = dd_server__query(r, "range"),
    };
    dd_fleet_page pg;
    json_t *doc = NULL;
    int rc = page_from_query(r, &pg);

    if (rc != DD_OK)
        return rc;
    if (flt.range && !flt.purl)
        return dd_error_set(DD_EINVALID, "range= needs purl=");
    rc = dd_fleet_images(r->srv->fleet, &flt, &pg, &doc);
    return answer_doc(r, rc, doc);
}

static int h_image_get(dd_server_req *r)
{
    json_t *doc = NULL;
    int rc = dd_fleet_image(r->srv->fleet, r->params[0], &doc);

    return answer_doc(r, rc, doc);
}

static int h_packages(dd_server_req *r)
{
    const char *purl = dd_server__query(r, "purl");
    dd_fleet_page pg;
    json_t *doc = NULL;
    int rc = page_from_query(r, &pg);

    if (rc != DD_OK)
        return rc;
    if (!purl || !*purl)
        return dd_error_set(DD_EINVALID, "the purl= query argument is required");
    rc = dd_fleet_packages(r->srv->fleet, purl, dd_server__query(r, "range"), &pg, &doc);
    return answer_doc(r, rc, doc);
}

static int h_summary(dd_server_req *r)
{
    json_t *doc = NULL;
    int rc = dd_fleet_summary(r->srv->fleet, &doc);

    return answer_doc(r, rc, doc);
}

static int h_rematch(dd_server_req *r)
{
    dd_fleet_rematch_stats st;
    const char *path = NULL;
    json_t *body = NULL, *v;
    int rc;

    if (r->body.len > 0) {
        if ((rc = dd_server__json_object(&body, r->body.data, r->body.len, "request body")))
            return rc;
        v = json_object_get(body, "vulndb");
        if (v && !json_is_string(v)) {
            json_decref(body);
            return dd_error_set(DD_EINVALID, "vulndb must be a string");
        }
        /* naming a file on the server's disk is an operator's choice, made at its start */
        if (v && r->srv->opts.allow_vulndb_path)
            path = json_string_value(v);
    }
    rc = dd_server__rematch(r->srv, path, &st);
    if (rc == DD_OK)
        rc = ANSWER(r, 200, "{s:I, s:I, s:I, s:I, s:I, s:f}", "names_checked",
                    (json_int_t)st.names_checked, "names_changed", (json_int_t)st.names_changed,
                    "identities_matched", (json_int_t)st.identities_matched, "new_findings",
                    (json_int_t)st.new_findings, "resolved_findings",
                    (json_int_t)st.resolved_findings, "seconds", st.seconds);
    json_decref(body);
    return rc;
}

static int parse_scope(dd_fleet_scope *out, const char *s)
{
    static const struct {
        const char *name;
        dd_fleet_scope scope;
    } scopes[] = {{"read", DD_FLEET_SCOPE_READ},
                  {"write", DD_FLEET_SCOPE_WRITE},
                  {"admin", DD_FLEET_SCOPE_ADMIN}};

    for (size_t i = 0; s && i < DD_ARRAY_SIZE(scopes); i++)
        if (!strcmp(s, scopes[i].name)) {
            *out = scopes[i].scope;
            return DD_OK;
        }
    return dd_error_set(DD_EINVALID, "scope must be read, write or admin");
}

/* The id of the key just created: the newest of that name whose prefix starts its secret
 * (dd_fleet_key_create does not return it). 0 when not found. */
static int64_t created_key_id(dd_server_req *r, const char *name, const char *secret)
{
    json_t *doc = NULL, *k;
    int64_t id = 0;
    size_t i;

    if (dd_fleet_key_list(r->srv->fleet, &doc) != DD_OK)
        return 0;
    json_array_foreach(json_object_get(doc, "keys"), i, k)
    {
        const char *kn = json_string_value(json_object_get(k, "name"));
        const char *kp = json_string_value(json_object_get(k, "prefix"));
        json_int_t kid = json_integer_value(json_object_get(k, "id"));

        if (kn && kp && !strcmp(kn, name) && !strncmp(secret, kp, strlen(kp)) && kid > id)
            id = kid;
    }
    json_decref(doc);
    return id;
}

static int h_keys_post(dd_server_req *r)
{
    json_t *body = NULL;
    const char *name, *scope_name;
    dd_fleet_scope scope = DD_FLEET_SCOPE_READ;
    char secret[64];
    int64_t id;
    int rc;

    if ((rc = dd_server__json_object(&body, r->body.data, r->body.len, "request body")))
        return rc;
    name = json_string_value(json_object_get(body, "name"));
    scope_name = json_string_value(json_object_get(body, "scope"));
    if (!name || !*name || strlen(name) > 200)
        rc = dd_error_set(DD_EINVALID, "name must be a string of 1 to 200 characters");
    else if ((rc = parse_scope(&scope, scope_name)) == DD_OK &&
             (rc = dd_fleet_key_create(r->srv->fleet, name, scope, secret)) == DD_OK) {
        id = created_key_id(r, name, secret);
        rc = ANSWER(r, 201, "{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "name", name, "scope",
                    scope_name, "secret", secret);
    }
    json_decref(body);
    return rc;
}

static int h_keys_get(dd_server_req *r)
{
    json_t *doc = NULL;
    int rc = dd_fleet_key_list(r->srv->fleet, &doc);

    return answer_doc(r, rc, doc);
}

static int h_keys_delete(dd_server_req *r)
{
    int64_t id;
    int rc = dd_server__parse_id(&id, r->params[0]);

    if (rc == DD_OK && (rc = dd_fleet_key_revoke(r->srv->fleet, id)) == DD_OK)
        r->status = 204;
    return rc;
}

static int h_webhooks_post(dd_server_req *r)
{
    json_t *body = NULL;
    const char *url, *secret;
    int64_t id;
    int rc;

    if ((rc = dd_server__json_object(&body, r->body.data, r->body.len, "request body")))
        return rc;
    url = json_string_value(json_object_get(body, "url"));
    secret = json_string_value(json_object_get(body, "secret"));
    if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)))
        rc = dd_error_set(DD_EINVALID, "url must be an http:// or https:// URL");
    else if (!secret || !*secret)
        rc = dd_error_set(DD_EINVALID, "secret must be a non-empty string (the HMAC key)");
    else if ((rc = dd_fleet_webhook_add(r->srv->fleet, url, secret, &id)) == DD_OK)
        rc = ANSWER(r, 201, "{s:I}", "id", (json_int_t)id);
    json_decref(body);
    return rc;
}

static int h_webhooks_get(dd_server_req *r)
{
    json_t *doc = NULL;
    int rc = dd_fleet_webhook_list(r->srv->fleet, &doc);

    return answer_doc(r, rc, doc);
}

static int h_webhooks_delete(dd_server_req *r)
{
    int64_t id;
    int rc = dd_server__parse_id(&id, r->params[0]);

    if (rc == DD_OK && (rc = dd_fleet_webhook_delete(r->srv->fleet, id)) == DD_OK)
        r->status = 204;
    return rc;
}

#define R  DD_FLEET_SCOPE_READ
#define W  DD_FLEET_SCOPE_WRITE
#define A  DD_FLEET_SCOPE_ADMIN
#define NB false, false /* no body */
#define BD true, false  /* a body */
#define MP true, true   /* a multipart/form-data body */

/* Every route of docs/fleet-api.md; docs/openapi.json describes the same set (unit-tested). */
const dd_server_route dd_server__routes[] = {
    {"GET", "/healthz", 0, h_healthz, NB},
    {"GET", "/readyz", 0, h_readyz, NB},
    {"GET", "/metrics", R, h_metrics, NB},
    {"GET", "/api/openapi.json", R, h_openapi, NB},
    {"POST", "/api/v1/images", W, h_images_post, BD},
    {"GET", "/api/v1/images", R, h_images_get, NB},
    {"GET", "/api/v1/images/{digest}", R, h_image_get, NB},
    {"PUT", "/api/v1/bom", W, h_bom_put, BD},
    {"POST", "/api/v1/bom", W, h_bom_post, MP},
    {"GET", "/api/v1/event/token/{token}", R, h_event_token, NB},
    {"PUT", "/api/v1/deployments/{environment}", W, h_deploy_put, BD},
    {"POST", "/api/v1/deployments", W, h_deploy_post, BD},
    {"GET", "/api/v1/affected/{id}", R, h_affected, NB},
    {"GET", "/api/v1/packages", R, h_packages, NB},
    {"GET", "/api/v1/summary", R, h_summary, NB},
    {"POST", "/api/v1/admin/rematch", A, h_rematch, BD},
    {"POST", "/api/v1/keys", A, h_keys_post, BD},
    {"GET", "/api/v1/keys", A, h_keys_get, NB},
    {"DELETE", "/api/v1/keys/{id}", A, h_keys_delete, NB},
    {"POST", "/api/v1/webhooks", A, h_webhooks_post, BD},
    {"GET", "/api/v1/webhooks", A, h_webhooks_get, NB},
    {"DELETE", "/api/v1/webhooks/{id}", A, h_webhooks_delete, NB},
};
const size_t dd_server__n_routes = DD_ARRAY_SIZE(dd_server__routes);
