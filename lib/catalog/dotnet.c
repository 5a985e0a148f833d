/* The .NET cataloger: the NuGet packages an application's *.deps.json (written by dotnet build
 * and dotnet publish, read by the host to load assemblies) says it runs with. */
#include "catalog/pkgfiles_int.h"

#include <jansson.h>
#include <string.h>

#define DEPS_MAX (64u << 20)

static const char runtimepack[] = "runtimepack.";

/* Whether a target entry carries something the runtime loads: "runtime", "runtimeTargets" or
 * "native" assets (not only "compile", "resources" or "dependencies"). */
static int has_runtime_assets(json_t *entry)
{
    static const char *const keys[] = {"runtime", "runtimeTargets", "native"};

    for (size_t i = 0; i < DD_ARRAY_SIZE(keys); i++) {
        json_t *v = json_object_get(entry, keys[i]);

        if ((json_is_object(v) && json_object_size(v)) || (json_is_array(v) && json_array_size(v)))
            return 1;
    }
    return 0;
}

int dd_dotnet__parse_deps(dd_pkglist *out, const char *path, const char *data, size_t len)
{
    json_error_t err;
    json_t *root = json_loadb(data, len, 0, &err), *libs, *targets, *target = NULL, *lib;
    const char *target_name = NULL, *key;
    int rc = DD_OK;

    if (!root)
        return dd_error_set(DD_EINVALID, "%s:%d:%d: invalid JSON: %s", path, err.line, err.column,
                            err.text);
    libs = json_object_get(root, "libraries");
    targets = json_object_get(root, "targets");
    if (!json_is_object(root) || !json_is_object(libs)) {
        rc = dd_error_set(DD_EINVALID, "%s: no \"libraries\" object", path);
        goto done;
    }
    if (targets && !json_is_object(targets)) {
        rc = dd_error_set(DD_EINVALID, "%s: \"targets\" is not an object", path);
        goto done;
    }
    target_name =
        json_string_value(json_object_get(json_object_get(root, "runtimeTarget"), "name"));
    if (target_name && targets)
        target = json_object_get(targets, target_name);
    if (target && !json_is_object(target)) {
        rc = dd_error_set(DD_EINVALID, "%s: targets[\"%s\"] is not an object", path, target_name);
        goto done;
    }
    json_object_foreach(libs, key, lib)
    {
        const char *type, *slash = strchr(key, '/'), *name = key;
        json_t *entry = NULL;
        dd_package p = {0};

        if (!json_is_object(lib)) {
            rc = dd_error_set(DD_EINVALID, "%s: libraries[\"%s\"] is not an object", path, key);
            break;
        }
        if (!slash || slash == key || !slash[1] || strchr(slash + 1, '/')) {
            rc = dd_error_set(DD_EINVALID, "%s: libraries key \"%s\" is not NAME/VERSION", path,
                              key);
            break;
        }
        type = json_string_value(json_object_get(lib, "type"));
        if (!type || (strcmp(type, "package") != 0 && strcmp(type, "runtimepack") != 0))
            continue; /* "project", "reference": the application's own code */
        /* a runtime target lists what this application loads; others are left out */
        if (target && !(entry = json_object_get(target, key)))
            continue;
        if (strcmp(type, "runtimepack") == 0 &&
            strncmp(key, runtimepack, sizeof(runtimepack) - 1) == 0)
            name += sizeof(runtimepack) - 1;
        p.type = DD_PKG_NUGET;
        p.name = dd_arena_strndup(out->arena, name, (size_t)(slash - name));
        p.version = dd_arena_strdup(out->arena, slash + 1);
        p.path = path;
        p.db_path = path;
        p.dev = entry && !has_runtime_assets(entry);
        if (!p.name || !p.version) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            break;
        }
        if (!*p.name)
            continue;
        if ((rc = dd_pkglist__push(out, &p)) != DD_OK)
            break;
    }
done:
    json_decref(root);
    return rc;
}

/* --- running over a walk --- */

static int match(const char *path)
{
    size_t n = strlen(path);

    return n > 10 && memcmp(path + n - 10, ".deps.json", 10) == 0;
}

typedef struct {
    dd_inventory *inv;
    dd_pkglist squashed, hidden;
} dotnet_run;

static int on_file(const dd_entry *e, int squashed, const char *data, size_t len, int truncated,
                   void *payload)
{
    dotnet_run *r = payload;
    dd_pkglist *l = squashed ? &r->squashed : &r->hidden;
    size_t first = l->n;
    int rc;

    rc = truncated ? dd_error_set(DD_ELIMIT, "%s: larger than the %u-byte capture limit", e->path,
                                  DEPS_MAX)
                   : dd_dotnet__parse_deps(l, e->path, data, len);
    for (size_t i = first; i < l->n; i++)
        l->v[i].layer = e->layer;
    if (rc == DD_EINVALID || rc == DD_ELIMIT) {
        if (!squashed) {
            dd_error_clear();
            return DD_OK;
        }
        rc = dd_inventory__warn(r->inv, "%s", dd_error_message());
        dd_error_clear();
    }
    return rc;
}

static int dotnet_run_walk(dd_inventory *inv, const dd_walk *w, const dd_catalog_opts *opts)
{
    dotnet_run r = {.inv = inv};
    dd_arena *a;
    int rc;

    if ((rc = dd_arena_new(&a)) != DD_OK)
        return rc;
    r.squashed.arena = r.hidden.arena = a;
    if ((rc = dd_lang__each_file(w, opts, match, on_file, &r)) == DD_OK)
        rc = dd_lang__emit(inv, opts, &r.squashed, &r.hidden);
    dd_pkglist__dispose(&r.squashed);
    dd_pkglist__dispose(&r.hidden);
    dd_arena_free(a);
    return rc;
}

static const char *const dotnet_globs[] = {"*.deps.json", NULL};

const dd_cataloger dd_cataloger_dotnet = {
    .name = "dotnet",
    .type = DD_PKG_NUGET,
    .globs = dotnet_globs,
    .max_bytes = DEPS_MAX,
    .run = dotnet_run_walk,
};
