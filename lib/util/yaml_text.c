/* The text of a libfyaml token, copied into an arena. */
#include "util/util.h"

#include <libfyaml.h>

const char *dd_yaml_token_text(dd_arena *a, struct fy_token *t, size_t *len)
{
    struct fy_token_iter *it;
    const struct fy_iter_chunk *c = NULL;
    dd_buf buf = DD_BUF_INIT;
    const char *out = NULL;
    int err = 0, rc = DD_OK;

    *len = 0;
    if (!t)
        return "";
    if (!(it = fy_token_iter_create(t))) {
        dd_error_set(DD_ENOMEM, "out of memory");
        return NULL;
    }
    while (rc == DD_OK && (c = fy_token_iter_chunk_next(it, c, &err)) != NULL)
        rc = dd_buf_put(&buf, c->str, c->len);
    fy_token_iter_destroy(it);
    if (rc == DD_OK && err != 0)
        out = ""; /* the parser reports the damage itself */
    else if (rc == DD_OK && (out = dd_arena_strndup(a, buf.data, buf.len)))
        *len = buf.len;
    else if (rc == DD_OK)
        dd_error_set(DD_ENOMEM, "out of memory");
    dd_buf_dispose(&buf);
    return out;
}
