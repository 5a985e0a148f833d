/* Fuzz target: one request body through every parser of the fleet server: the JSON depth
 * check, Dependency-Track's PUT body (base64 bom inside), the deployments bodies of PUT and
 * POST, base64, the multipart Content-Type rewrite, and multipart fields fed piece by piece as
 * libmicrohttpd's post processor hands them over. */
#include "server/server_int.h"

#include <string.h>

static const char *const form_keys[] = {
    "bom", "projectName", "projectVersion", "autoCreate", "project", "other", NULL};

/* Reads the input as (key, flags, length, bytes) pieces: the pieces of each field arrive in
 * order unless a flag says otherwise, as a broken parser upstream might hand them. */
static void fuzz_form(const uint8_t *data, size_t size)
{
    dd_server_dt_upload u = DD_SERVER_DT_UPLOAD_INIT;
    uint64_t offs[7] = {0};

    while (size >= 3) {
        size_t k = data[0] % 7, n = data[2];
        uint64_t off = (data[1] & 1) ? (uint64_t)data[1] : offs[k];

        data += 3;
        size -= 3;
        if (n > size)
            n = size;
        if (dd_server__dt_form_field(&u, form_keys[k], (const char *)data, off, n, 4096) != DD_OK)
            break;
        offs[k] = off + n;
        data += n;
        size -= n;
    }
    (void)dd_server__dt_form_finish(&u);
    dd_server__dt_upload_dispose(&u);
}

static void fuzz_strings(const char *s)
{
    char out[512];
    unsigned lim;
    int64_t id;
    size_t len;
    char *p;

    (void)dd_server__multipart_type(out, sizeof(out), s);
    (void)dd_server__parse_limit(&lim, s);
    (void)dd_server__parse_id(&id, s);
    (void)dd_server__parse_bool(&(bool){false}, s);
    if ((p = dd_server__problem(400, s, &len)))
        dd_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    dd_server_dt_upload u = DD_SERVER_DT_UPLOAD_INIT;
    dd_server_deployments d;
    unsigned char *out;
    size_t n;
    char *s;

    (void)dd_server__json_depth_check(body, size, DD_SERVER_JSON_MAX_DEPTH);
    if (dd_server__dt_parse_put(&u, body, size, 1 << 20) == DD_OK)
        (void)dd_server__looks_like_xml(u.bom, u.bom_len);
    dd_server__dt_upload_dispose(&u);
    if (dd_server__deployments_parse(&d, body, size, "prod") == DD_OK)
        dd_server__deployments_dispose(&d);
    if (dd_server__deployments_parse(&d, body, size, NULL) == DD_OK)
        dd_server__deployments_dispose(&d);
    if (dd_server__base64_decode(&out, &n, body, size, 1 << 16) == DD_OK)
        dd_free(out);
    fuzz_form(data, size);
    if (size < 4096 && (s = dd_strndup(body, size))) {
        fuzz_strings(s);
        dd_free(s);
    }
    return 0;
}
