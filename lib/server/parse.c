/* The server's pure parsers: JSON bodies (depth-checked before jansson sees them), base64,
 * Dependency-Track uploads, deployments, problem documents, listen addresses. No I/O, so the
 * unit tests and the fuzz target drive them directly. */
#include "server/server_int.h"

#include <drydock/json.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int dd_server__json_depth_check(const char *data, size_t len, unsigned max_depth)
{
    unsigned depth = 0;
    bool in_string = false;

    for (size_t i = 0; i < len; i++) {
        char c = data[i];

        if (in_string) {
            /* to the next quote or backslash at once: most of an SBOM is inside strings */
            const char *q = memchr(data + i, '"', len - i);
            const char *bs = memchr(data + i, '\\', (size_t)((q ? q : data + len) - (data + i)));

            if (bs) {
                i = (size_t)(bs - data) + 1; /* the escaped character cannot end the string */
            } else if (q) {
                i = (size_t)(q - data);
                in_string = false;
            } else {
                break;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth)
                return dd_error_set(DD_EINVALID, "JSON nested deeper than %u levels (at byte %zu)",
                                    max_depth, i);
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return DD_OK;
}

int dd_server__json_object(json_t **out, const char *data, size_t len, const char *what)
{
    json_error_t err;
    json_t *doc;
    int rc;

    *out = NULL;
    if ((rc = dd_server__json_depth_check(data, len, DD_SERVER_JSON_MAX_DEPTH)) != DD_OK)
        return dd_error_prefix("%s", what);
    doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    if (!doc)
        return dd_error_set(DD_EINVALID, "%s: not JSON: %s (line %d, column %d)", what, err.text,
                            err.line, err.column);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return dd_error_set(DD_EINVALID, "%s: a JSON object was expected", what);
    }
    *out = doc;
    return DD_OK;
}

/* The 6-bit value of a base64 character, -1 for whitespace, -2 for anything else. */
static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
        return -1;
    return -2;
}

/* Our own decoder rather than EVP_DecodeBlock: that one rejects the line breaks `base64` writes
 * every 76 characters and counts padding into the length, which would need a copy and fixes. */
int dd_server__base64_decode(unsigned char **out, size_t *out_len, const char *in, size_t len,
                             size_t max_out)
{
    unsigned char *buf;
    uint32_t acc = 0;
    unsigned bits = 0, pad = 0;
    size_t n = 0, cap = len / 4 * 3 + 3;

    *out = NULL;
    *out_len = 0;
    if (cap > max_out + 3)
        cap = max_out + 3;
    if (!(buf = dd_malloc(cap)))
        return dd_error_set(DD_ENOMEM, "out of memory decoding base64");
    for (size_t i = 0; i < len; i++) {
        int v = b64_value((unsigned char)in[i]);

        if (v == -1)
            continue;
        if (in[i] == '=') {
            pad++;
            continue;
        }
        if (v < 0 || pad) {
            dd_free(buf);
            return dd_error_set(DD_EINVALID, "base64: unexpected character 0x%02x at offset %zu",
                                (unsigned char)in[i], i);
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= max_out) {
                dd_free(buf);
                return dd_error_set(DD_ELIMIT, "base64: decodes to more than %zu bytes", max_out);
            }
            buf[n++] = (unsigned char)(acc >> bits);
        }
    }
    /* a lone 6-bit group cannot encode a byte; padding beyond "==" is no padding */
    if (bits >= 6 || pad > 2 || (pad && (bits / 2 != pad))) {
        dd_free(buf);
        return dd_error_set(DD_EINVALID, "base64: truncated or badly padded input");
    }
    *out = buf;
    *out_len = n;
    return DD_OK;
}

bool dd_server__looks_like_xml(const void *data, size_t len)
{
    const unsigned char *p = data, *end = p + len;

    if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
        p += 3;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p < end && *p == '<';
}

int dd_server__parse_bool(bool *out, const char *s)
{
    if (!strcasecmp(s, "true") || !strcmp(s, "1")) {
        *out = true;
        return DD_OK;
    }
    if (!strcasecmp(s, "false") || !strcmp(s, "0")) {
        *out = false;
        return DD_OK;
    }
    return dd_error_set(DD_EINVALID, "\"%.40s\" is not true or false", s);
}

void dd_server__dt_upload_dispose(dd_server_dt_upload *u)
{
    dd_free(u->project_name);
    dd_free(u->project_version);
    dd_free(u->project_uuid);
    dd_free(u->bom);
    dd_free(u->form_auto_create);
    dd_buf_dispose(&u->form_bom);
    memset(u, 0, sizeof(*u));
    u->form_bom = (dd_buf)DD_BUF_INIT;
}

/* Copies an optional string member; DD_EINVALID when it is there but not a string. */
static int dt_string(char **out, json_t *doc, const char *key)
{
    json_t *v = json_object_get(doc, key);

    if (!v || json_is_null(v))
        return DD_OK;
    if (!json_is_string(v))
        return dd_error_set(DD_EINVALID, "%s must be a string", key);
    if (!(*out = dd_strndup(json_string_value(v), json_string_length(v))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    return DD_OK;
}

int dd_server__dt_parse_put(dd_server_dt_upload *out, const char *body, size_t len, size_t max_bom)
{
    json_t *doc = NULL, *v;
    int rc;

    if ((rc = dd_server__json_object(&doc, body, len, "request body")) != DD_OK)
        return rc;
    if ((rc = dt_string(&out->project_name, doc, "projectName")) != DD_OK ||
        (rc = dt_string(&out->project_version, doc, "projectVersion")) != DD_OK ||
        (rc = dt_string(&out->project_uuid, doc, "project")) != DD_OK)
        goto done;
    v = json_object_get(doc, "autoCreate");
    if (json_is_boolean(v)) {
        out->auto_create = json_is_true(v);
    } else if (json_is_string(v)) {
        if ((rc = dd_server__parse_bool(&out->auto_create, json_string_value(v))) != DD_OK) {
            rc = dd_error_prefix("autoCreate");
            goto done;
        }
    } else if (v && !json_is_null(v)) {
        rc = dd_error_set(DD_EINVALID, "autoCreate must be true or false");
        goto done;
    }
    v = json_object_get(doc, "bom");
    if (!json_is_string(v)) {
        rc = dd_error_set(DD_EINVALID, "bom is required: the SBOM encoded in base64");
        goto done;
    }
    if ((rc = dd_server__base64_decode(&out->bom, &out->bom_len, json_string_value(v),
                                       json_string_length(v), max_bom)) != DD_OK) {
        rc = dd_error_prefix("bom");
        goto done;
    }
    rc = dd_server__dt_check(out);
done:
    json_decref(doc);
    return rc;
}

/* Appends a piece of a short text field; a field given again replaces the earlier value. */
static int form_text(char **dst, const char *key, const char *data, uint64_t off, size_t size)
{
    size_t have = *dst ? strlen(*dst) : 0;
    char *grown;

    if (off == 0) {
        dd_free(*dst);
        *dst = NULL;
        have = 0;
    } else if (off != have) {
        return dd_error_set(DD_EINVALID, "%s: field data out of order", key);
    }
    if (have + size > DD_SERVER_FIELD_MAX)
        return dd_error_set(DD_ELIMIT, "%s: longer than %d bytes", key, DD_SERVER_FIELD_MAX);
    if (memchr(data, '\0', size))
        return dd_error_set(DD_EINVALID, "%s: contains a NUL byte", key);
    if (!(grown = dd_realloc(*dst, have + size + 1)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    memcpy(grown + have, data, size);
    grown[have + size] = '\0';
    *dst = grown;
    return DD_OK;
}

int dd_server__dt_form_field(dd_server_dt_upload *u, const char *key, const char *data,
                             uint64_t off, size_t size, size_t max_bom)
{
    if (!key)
        return DD_OK;
    if (!strcmp(key, "bom")) {
        if (off == 0 && u->form_bom.len > 0)
            return dd_error_set(DD_EINVALID, "bom: the field is given twice");
        if (off != u->form_bom.len)
            return dd_error_set(DD_EINVALID, "bom: field data out of order");
        u->form_bom.cap = max_bom;
        if (dd_buf_put(&u->form_bom, data, size) != DD_OK)
            return dd_error_set(DD_ELIMIT, "bom: larger than %zu bytes", max_bom);
        return DD_OK;
    }
    if (!strcmp(key, "projectName"))
        return form_text(&u->project_name, key, data, off, size);
    if (!strcmp(key, "projectVersion"))
        return form_text(&u->project_version, key, data, off, size);
    if (!strcmp(key, "project"))
        return form_text(&u->project_uuid, key, data, off, size);
    if (!strcmp(key, "autoCreate"))
        return form_text(&u->form_auto_create, key, data, off, size);
    return DD_OK; /* DT's other fields (parentName, isLatest, ...) mean nothing here */
}

int dd_server__dt_form_finish(dd_server_dt_upload *u)
{
    if (u->form_auto_create && dd_server__parse_bool(&u->auto_create, u->form_auto_create))
        return dd_error_prefix("autoCreate");
    dd_free(u->bom);
    u->bom = (unsigned char *)dd_buf_detach(&u->form_bom, &u->bom_len);
    if (!u->bom)
        return dd_error_set(DD_ENOMEM, "out of memory");
    return dd_server__dt_check(u);
}

int dd_server__dt_check(const dd_server_dt_upload *u)
{
    if (!u->bom || u->bom_len == 0)
        return dd_error_set(DD_EINVALID, "bom is required and was empty");
    if (dd_server__looks_like_xml(u->bom, u->bom_len))
        return dd_error_set(DD_EINVALID, "bom is XML; drydock reads CycloneDX or SPDX JSON SBOMs "
                                         "only (cyclonedx: --output-format json)");
    if ((!u->project_name || !*u->project_name) && (!u->project_uuid || !*u->project_uuid))
        return dd_error_set(DD_EINVALID, "projectName is required");
    return DD_OK;
}

int dd_server__multipart_type(char *out, size_t size, const char *ct)
{
    const char *p, *boundary = NULL;
    size_t blen = 0;

    if (strncasecmp(ct, "multipart/form-data", 19) != 0)
        return dd_error_set(DD_EINVALID, "Content-Type %.60s is not multipart/form-data", ct);
    /* the last boundary parameter wins: curl appends its own after one given with -H */
    for (p = ct + 19; (p = strchr(p, ';'));) {
        for (p++; *p == ' ' || *p == '\t'; p++)
            ;
        if (strncasecmp(p, "boundary=", 9) != 0)
            continue;
        p += 9;
        if (*p == '"') {
            const char *q = strchr(p + 1, '"');

            if (!q)
                return dd_error_set(DD_EINVALID, "multipart/form-data: unterminated boundary");
            boundary = p + 1;
            blen = (size_t)(q - p - 1);
        } else {
            boundary = p;
            blen = strcspn(p, "; \t");
        }
    }
    if (!boundary || blen == 0 || blen > 70)
        return dd_error_set(DD_EINVALID, "multipart/form-data without a valid boundary");
    if (19 + 10 + blen + 1 > size)
        return dd_error_set(DD_ELIMIT, "multipart/form-data: Content-Type too long");
    snprintf(out, size, "multipart/form-data;boundary=%.*s", (int)blen, boundary);
    return DD_OK;
}

/* A required (or, with `optional`, possibly absent or null) non-empty string member of
 * deployment `i`. */
static int dep_string(const char **out, json_t *o, size_t i, const char *key, bool optional)
{
    json_t *v = json_object_get(o, key);

    *out = NULL;
    if ((!v || json_is_null(v)) && optional)
        return DD_OK;
    if (!json_is_string(v) || json_string_length(v) == 0)
        return dd_error_set(DD_EINVALID, "deployments[%zu].%s must be a non-empty string", i, key);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return dd_error_set(DD_EINVALID, "deployments[%zu].%s contains a NUL character", i, key);
    *out = json_string_value(v);
    return DD_OK;
}

static int dep_entry(dd_fleet_deployment *d, json_t *o, size_t i, const char *environment)
{
    json_t *seen;
    int rc;

    if (!json_is_object(o))
        return dd_error_set(DD_EINVALID, "deployments[%zu] must be an object", i);
    d->environment = environment;
    if ((rc = dep_string(&d->cluster, o, i, "cluster", false)) != DD_OK ||
        (rc = dep_string(&d->namespace_, o, i, "namespace", true)) != DD_OK ||
        (rc = dep_string(&d->container, o, i, "container", false)) != DD_OK ||
        (rc = dep_string(&d->image, o, i, "image", false)) != DD_OK)
        return rc;
    seen = json_object_get(o, "last_seen");
    d->last_seen = 0;
    if (seen && !json_is_null(seen)) {
        if (!json_is_integer(seen) || json_integer_value(seen) < 0)
            return dd_error_set(DD_EINVALID,
                                "deployments[%zu].last_seen must be seconds since the epoch", i);
        d->last_seen = json_integer_value(seen);
    }
    return DD_OK;
}

int dd_server__deployments_parse(dd_server_deployments *out, const char *body, size_t len,
                                 const char *environment)
{
    json_t *list, *env;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = dd_server__json_object(&out->doc, body, len, "request body")) != DD_OK)
        return rc;
    if (!environment) {
        env = json_object_get(out->doc, "environment");
        if (!json_is_string(env) || json_string_length(env) == 0 ||
            strlen(json_string_value(env)) != json_string_length(env)) {
            rc = dd_error_set(DD_EINVALID, "environment must be a non-empty string");
            goto fail;
        }
        environment = json_string_value(env);
    }
    out->environment = environment;
    list = json_object_get(out->doc, "deployments");
    if (!json_is_array(list)) {
        rc = dd_error_set(DD_EINVALID, "deployments must be an array");
        goto fail;
    }
    out->n = json_array_size(list);
    if (out->n && !(out->items = dd_calloc(out->n, sizeof(*out->items)))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < out->n; i++)
        if ((rc = dep_entry(&out->items[i], json_array_get(list, i), i, environment)) != DD_OK)
            goto fail;
    return DD_OK;
fail:
    dd_server__deployments_dispose(out);
    return rc;
}

void dd_server__deployments_dispose(dd_server_deployments *d)
{
    json_decref(d->doc);
    dd_free(d->items);
    memset(d, 0, sizeof(*d));
}

int dd_server__error_status(int code)
{
    switch (code) {
    case DD_EINVALID:
        return 400;
    case DD_ENOTFOUND:
        return 404;
    case DD_EPERM:
        return 403;
    case DD_ELIMIT:
        return 413;
    default:
        return 500;
    }
}

const char *dd_server__status_title(int status)
{
    static const struct {
        int status;
        const char *title;
    } titles[] = {
        {200, "OK"},
        {201, "Created"},
        {204, "No Content"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {413, "Content Too Large"},
        {415, "Unsupported Media Type"},
        {500, "Internal Server Error"},
        {503, "Service Unavailable"},
    };

    for (size_t i = 0; i < DD_ARRAY_SIZE(titles); i++)
        if (titles[i].status == status)
            return titles[i].title;
    return "Error";
}

/* The detail as valid UTF-8 (messages quote request bytes, which may be anything). */
static char *utf8_clean(const char *s)
{
    size_t n = strlen(s);
    char *o = dd_malloc(n + 1);
    size_t j = 0;

    if (!o)
        return NULL;
    for (size_t i = 0; i < n;) {
        size_t k = dd_utf8_seq_len((const unsigned char *)s + i);

        if (k == 0) {
            o[j++] = '?';
            i++;
        } else {
            memcpy(o + j, s + i, k);
            j += k;
            i += k;
        }
    }
    o[j] = '\0';
    return o;
}

/* The answer's JSON text: jansson's compact form, written by dd_json_dump (jansson's dumper,
 * a callback per token and a loop check hashing every container, was a third of the cost of a
 * large answer). */
int dd_server__json_dump(dd_buf *out, const json_t *doc)
{
    int rc = dd_json_dump(out, doc, 0);

    if (rc == DD_OK)
        return DD_OK;
    dd_error_clear();
    return dd_error_set(rc == DD_ELIMIT ? DD_ELIMIT : DD_ENOMEM,
                        rc == DD_ELIMIT ? "the answer is nested too deep"
                                        : "out of memory writing the answer");
}

char *dd_server__problem(int status, const char *detail, size_t *len)
{
    char *clean = utf8_clean(detail ? detail : "");
    json_t *doc;
    dd_buf b = DD_BUF_INIT;
    int rc;

    if (!clean)
        return NULL;
    doc = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank", "title",
                    dd_server__status_title(status), "status", status, "detail", clean);
    dd_free(clean);
    if (!doc)
        return NULL;
    rc = dd_server__json_dump(&b, doc);
    json_decref(doc);
    if (rc != DD_OK) {
        dd_buf_dispose(&b);
        return NULL;
    }
    return dd_buf_detach(&b, len);
}

int dd_server__parse_listen(struct sockaddr_storage *out, socklen_t *out_len, const char *listen)
{
    char host[256], port[8];
    const char *colon, *h = listen, *hend;
    struct addrinfo hints = {0}, *res = NULL;
    char *end;
    unsigned long pn;
    int gai;

    if (listen[0] == '[') {
        if (!(hend = strchr(listen, ']')) || hend[1] != ':')
            return dd_error_set(DD_EINVALID, "listen address %s: expected [IPV6]:PORT", listen);
        h = listen + 1;
        colon = hend + 1;
    } else {
        if (!(colon = strrchr(listen, ':')))
            return dd_error_set(DD_EINVALID, "listen address %s: expected HOST:PORT", listen);
        hend = colon;
    }
    if ((size_t)(hend - h) >= sizeof(host))
        return dd_error_set(DD_EINVALID, "listen address %s: host name too long", listen);
    memcpy(host, h, (size_t)(hend - h));
    host[hend - h] = '\0';
    errno = 0;
    pn = strtoul(colon + 1, &end, 10);
    if (!isdigit((unsigned char)colon[1]) || *end || errno || pn > 65535)
        return dd_error_set(DD_EINVALID, "listen address %s: port must be 0 to 65535", listen);
    snprintf(port, sizeof(port), "%lu", pn);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if ((gai = getaddrinfo(host[0] ? host : NULL, port, &hints, &res)) != 0)
        return dd_error_set(DD_EINVALID, "listen address %s: %s", listen, gai_strerror(gai));
    memcpy(out, res->ai_addr, res->ai_addrlen);
    *out_len = res->ai_addrlen;
    freeaddrinfo(res);
    return DD_OK;
}

int dd_server__parse_limit(unsigned *out, const char *s)
{
    char *end;
    unsigned long v;

    *out = 0;
    if (!s)
        return DD_OK;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (!isdigit((unsigned char)s[0]) || *end || errno || v < 1 || v > 1000)
        return dd_error_set(DD_EINVALID, "limit must be a number from 1 to 1000");
    *out = (unsigned)v;
    return DD_OK;
}

int dd_server__parse_id(int64_t *out, const char *s)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (!isdigit((unsigned char)s[0]) || *end || errno || v < 1)
        return dd_error_set(DD_EINVALID, "id \"%.40s\" must be a positive number", s);
    *out = v;
    return DD_OK;
}
