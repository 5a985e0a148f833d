/* The image configuration document: runtime settings, history and rootfs.diff_ids. */
#include "image/image_int.h"

#include <jansson.h>
#include <string.h>

#define MAX_CONFIG_LIST 65536u /* entries of one Env, Labels, history... */

typedef struct {
    dd_arena *a;
    const char *what;
} ctx;

static int str_field(ctx *c, const char **out, json_t *obj, const char *key, const char *path)
{
    json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (!v || json_is_null(v))
        return DD_OK;
    if (!json_is_string(v))
        return dd_error_set(DD_EINVALID, "%s: %s%s is not a string", c->what, path, key);
    if (!(*out = dd_arena_strndup(c->a, json_string_value(v), json_string_length(v))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    return DD_OK;
}

/* Array of strings; *set tells an absent or null member from an empty list. */
static int list_field(ctx *c, const char *const **out, size_t *n_out, int *set, json_t *obj,
                      const char *key, const char *path)
{
    json_t *v = json_object_get(obj, key);
    const char **items;
    size_t n;

    *out = NULL;
    *n_out = 0;
    if (set)
        *set = 0;
    if (!v || json_is_null(v))
        return DD_OK;
    if (!json_is_array(v))
        return dd_error_set(DD_EINVALID, "%s: %s%s is not an array of strings", c->what, path,
                            key);
    n = json_array_size(v);
    if (n > MAX_CONFIG_LIST)
        return dd_error_set(DD_ELIMIT, "%s: %s%s has %zu entries, over the limit of %u",
                            c->what, path, key, n, MAX_CONFIG_LIST);
    if (!(items = dd_arena_alloc(c->a, (n + 1) * sizeof(*items))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(v, i);

        if (!json_is_string(s))
            return dd_error_set(DD_EINVALID, "%s: %s%s[%zu] is not a string", c->what, path, key,
                                i);
        if (!(items[i] = dd_arena_strndup(c->a, json_string_value(s), json_string_length(s))))
            return dd_error_set(DD_ENOMEM, "out of memory");
    }
    items[n] = NULL;
    *out = items;
    *n_out = n;
    if (set)
        *set = 1;
    return DD_OK;
}

/* The keys of an object whose values are ignored ({"80/tcp": {}}). */
static int keys_field(ctx *c, const char *const **out, size_t *n_out, json_t *obj,
                      const char *key, const char *path)
{
    json_t *v = json_object_get(obj, key), *val;
    const char **items, *k;
    size_t n, i = 0;

    *out = NULL;
    *n_out = 0;
    if (!v || json_is_null(v))
        return DD_OK;
    if (!json_is_object(v))
        return dd_error_set(DD_EINVALID, "%s: %s%s is not an object", c->what, path, key);
    n = json_object_size(v);
    if (n > MAX_CONFIG_LIST)
        return dd_error_set(DD_ELIMIT, "%s: %s%s has %zu entries, over the limit of %u",
                            c->what, path, key, n, MAX_CONFIG_LIST);
    if (!(items = dd_arena_alloc(c->a, (n + 1) * sizeof(*items))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    json_object_foreach(v, k, val)
    {
        if (!(items[i++] = dd_arena_strdup(c->a, k)))
            return dd_error_set(DD_ENOMEM, "out of memory");
    }
    items[i] = NULL;
    *out = items;
    *n_out = i;
    return DD_OK;
}

static int labels_field(ctx *c, dd_image_config *cfg, json_t *obj)
{
    json_t *v = json_object_get(obj, "Labels"), *val;
    dd_kv *items;
    const char *k;
    size_t n, i = 0;

    if (!v || json_is_null(v))
        return DD_OK;
    if (!json_is_object(v))
        return dd_error_set(DD_EINVALID, "%s: config.Labels is not an object", c->what);
    n = json_object_size(v);
    if (n > MAX_CONFIG_LIST)
        return dd_error_set(DD_ELIMIT, "%s: config.Labels has %zu entries, over the limit of %u",
                            c->what, n, MAX_CONFIG_LIST);
    if (!(items = dd_arena_alloc(c->a, (n + 1) * sizeof(*items))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    json_object_foreach(v, k, val)
    {
        if (!json_is_string(val))
            return dd_error_set(DD_EINVALID, "%s: config.Labels[\"%.64s\"] is not a string",
                                c->what, k);
        items[i].key = dd_arena_strdup(c->a, k);
        items[i].value = dd_arena_strndup(c->a, json_string_value(val), json_string_length(val));
        if (!items[i].key || !items[i].value)
            return dd_error_set(DD_ENOMEM, "out of memory");
        i++;
    }
    cfg->labels = items;
    cfg->n_labels = i;
    return DD_OK;
}

static int int_field(ctx *c, int64_t *out, json_t *obj, const char *key, const char *path)
{
    json_t *v = json_object_get(obj, key);

    *out = 0;
    if (!v || json_is_null(v))
        return DD_OK;
    if (!json_is_integer(v))
        return dd_error_set(DD_EINVALID, "%s: %s%s is not an integer", c->what, path, key);
    *out = json_integer_value(v);
    return DD_OK;
}

static int healthcheck_field(ctx *c, dd_image_config *cfg, json_t *obj)
{
    json_t *v = json_object_get(obj, "Healthcheck");
    dd_healthcheck *h;
    const char *p = "config.Healthcheck.";
    int rc;

    if (!v || json_is_null(v))
        return DD_OK;
    if (!json_is_object(v))
        return dd_error_set(DD_EINVALID, "%s: config.Healthcheck is not an object", c->what);
    if (!(h = dd_arena_alloc(c->a, sizeof(*h))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    memset(h, 0, sizeof(*h));
    if ((rc = list_field(c, &h->test, &h->n_test, NULL, v, "Test", p)) != DD_OK ||
        (rc = int_field(c, &h->interval_ns, v, "Interval", p)) != DD_OK ||
        (rc = int_field(c, &h->timeout_ns, v, "Timeout", p)) != DD_OK ||
        (rc = int_field(c, &h->start_period_ns, v, "StartPeriod", p)) != DD_OK ||
        (rc = int_field(c, &h->start_interval_ns, v, "StartInterval", p)) != DD_OK ||
        (rc = int_field(c, &h->retries, v, "Retries", p)) != DD_OK)
        return rc;
    cfg->healthcheck = h;
    return DD_OK;
}

static int history_field(ctx *c, dd_image_config *cfg, json_t *root)
{
    json_t *v = json_object_get(root, "history");
    dd_history *items = NULL;
    size_t n;
    int32_t layer = 0;
    int rc;

    if (!v || json_is_null(v))
        return DD_OK;
    if (!json_is_array(v))
        return dd_error_set(DD_EINVALID, "%s: history is not an array", c->what);
    n = json_array_size(v);
    if (n > MAX_CONFIG_LIST)
        return dd_error_set(DD_ELIMIT, "%s: history has %zu entries, over the limit of %u",
                            c->what, n, MAX_CONFIG_LIST);
    if (n && !(items = dd_arena_alloc(c->a, n * sizeof(*items))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_t *h = json_array_get(v, i), *empty;
        char path[48];

        snprintf(path, sizeof(path), "history[%zu].", i);
        if (!json_is_object(h))
            return dd_error_set(DD_EINVALID, "%s: history[%zu] is not an object", c->what, i);
        memset(&items[i], 0, sizeof(items[i]));
        if ((rc = str_field(c, &items[i].created, h, "created", path)) != DD_OK ||
            (rc = str_field(c, &items[i].created_by, h, "created_by", path)) != DD_OK ||
            (rc = str_field(c, &items[i].comment, h, "comment", path)) != DD_OK ||
            (rc = str_field(c, &items[i].author, h, "author", path)) != DD_OK)
            return rc;
        empty = json_object_get(h, "empty_layer");
        if (empty && !json_is_null(empty) && !json_is_boolean(empty))
            return dd_error_set(DD_EINVALID, "%s: %sempty_layer is not a boolean", c->what,
                                path);
        items[i].empty_layer = json_is_true(empty);
        /* each step that made a layer maps to the next layer, bottom first */
        items[i].layer = items[i].empty_layer ? -1 : layer++;
    }
    cfg->history = n ? items : NULL;
    cfg->n_history = n;
    return DD_OK;
}

int dd_image__parse_config(dd_image_config *out, dd_arena *a, const void *data, size_t len,
                           const char *what)
{
    json_error_t err;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err), *cfg, *rootfs;
    ctx c = {a, what};
    const char *p = "config.";
    int rc = DD_OK;

    memset(out, 0, sizeof(*out));
    if (!root)
        return dd_error_set(DD_EINVALID, "%s: invalid JSON at line %d column %d: %s", what,
                            err.line, err.column, err.text);
    if (!json_is_object(root)) {
        rc = dd_error_set(DD_EINVALID, "%s: not a JSON object", what);
        goto done;
    }
    if ((rc = str_field(&c, &out->os, root, "os", "")) != DD_OK ||
        (rc = str_field(&c, &out->architecture, root, "architecture", "")) != DD_OK ||
        (rc = str_field(&c, &out->variant, root, "variant", "")) != DD_OK ||
        (rc = str_field(&c, &out->os_version, root, "os.version", "")) != DD_OK ||
        (rc = str_field(&c, &out->created, root, "created", "")) != DD_OK ||
        (rc = str_field(&c, &out->author, root, "author", "")) != DD_OK)
        goto done;
    cfg = json_object_get(root, "config");
    if (cfg && !json_is_null(cfg)) {
        if (!json_is_object(cfg)) {
            rc = dd_error_set(DD_EINVALID, "%s: config is not an object", what);
            goto done;
        }
        if ((rc = str_field(&c, &out->user, cfg, "User", p)) != DD_OK ||
            (rc = str_field(&c, &out->workdir, cfg, "WorkingDir", p)) != DD_OK ||
            (rc = str_field(&c, &out->stop_signal, cfg, "StopSignal", p)) != DD_OK ||
            (rc = list_field(&c, &out->env, &out->n_env, NULL, cfg, "Env", p)) != DD_OK ||
            (rc = list_field(&c, &out->entrypoint, &out->n_entrypoint, &out->entrypoint_set, cfg,
                             "Entrypoint", p)) != DD_OK ||
            (rc = list_field(&c, &out->cmd, &out->n_cmd, &out->cmd_set, cfg, "Cmd", p)) !=
                DD_OK ||
            (rc = list_field(&c, &out->shell, &out->n_shell, NULL, cfg, "Shell", p)) != DD_OK ||
            (rc = keys_field(&c, &out->exposed_ports, &out->n_exposed_ports, cfg,
                             "ExposedPorts", p)) != DD_OK ||
            (rc = keys_field(&c, &out->volumes, &out->n_volumes, cfg, "Volumes", p)) != DD_OK ||
            (rc = labels_field(&c, out, cfg)) != DD_OK ||
            (rc = healthcheck_field(&c, out, cfg)) != DD_OK)
            goto done;
    }
    if ((rc = history_field(&c, out, root)) != DD_OK)
        goto done;
    rootfs = json_object_get(root, "rootfs");
    if (rootfs && !json_is_null(rootfs)) {
        if (!json_is_object(rootfs)) {
            rc = dd_error_set(DD_EINVALID, "%s: rootfs is not an object", what);
            goto done;
        }
        if ((rc = list_field(&c, &out->diff_ids, &out->n_diff_ids, NULL, rootfs, "diff_ids",
                             "rootfs.")) != DD_OK)
            goto done;
        for (size_t i = 0; i < out->n_diff_ids; i++)
            if (!dd_digest_valid(out->diff_ids[i])) {
                rc = dd_error_set(DD_EINVALID, "%s: rootfs.diff_ids[%zu]: malformed digest "
                                  "\"%.80s\"", what, i, out->diff_ids[i]);
                goto done;
            }
    }
done:
    json_decref(root);
    if (rc != DD_OK)
        memset(out, 0, sizeof(*out));
    return rc;
}
