/* The npm cataloger: installed packages from the package.json of every package directory
 * (NAME or @SCOPE/NAME directly under a node_modules directory, or under Debian's
 * usr/share/nodejs and usr/lib/nodejs), development dependencies marked by following the
 * project's dependency graph the way Node resolves it; and package-lock.json /
 * npm-shrinkwrap.json (lockfileVersion 1, 2, 3) and yarn.lock (yarn.c) where no node_modules
 * sits beside them. */
#include "catalog/lang_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define MANIFEST_MAX (1u << 20)
#define LOCK_MAX     (64u << 20)

/* --- package.json --- */

/* Parsed into a scratch arena (json_tree.c: a tree of a few arena blocks, where jansson's cost
 * more than the rest of the cataloger); what is kept is copied into the caller's. */

static const char *jv_dup(dd_arena *a, const dd_jv *v)
{
    const char *s = dd_jv_str(v);

    return s ? dd_arena_strdup(a, s) : NULL;
}

/* The keys of an object member and their values (ranges), appended to `*v` and `*r`. A key
 * given twice counts once, at its first place with its last value, as jansson keeps it. */
static int dep_names(const char ***v, const char ***r, size_t *n, dd_arena *a, const dd_jv *obj)
{
    size_t k = *n;
    const char **grown, **ranges;

    if (!DD_JV_IS(obj, DD_JV_OBJECT) || obj->n == 0)
        return DD_OK;
    if (!(grown = dd_arena_alloc(a, (k + obj->n) * sizeof(*grown))) ||
        !(ranges = dd_arena_alloc(a, (k + obj->n) * sizeof(*ranges))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (k) {
        memcpy(grown, *v, k * sizeof(*grown));
        memcpy(ranges, *r, k * sizeof(*ranges));
    }
    for (size_t i = 0; i < obj->n; i++) {
        const char *key = obj->u.members[i].key, *range;
        size_t j = 0;

        while (j < i && strcmp(obj->u.members[j].key, key) != 0)
            j++;
        if (j < i)
            continue;
        range = dd_jv_str(dd_jv_get(obj, key));
        grown[k] = dd_arena_strdup(a, key);
        ranges[k] = dd_arena_strdup(a, range ? range : "");
        if (!grown[k] || !ranges[k])
            return dd_error_set(DD_ENOMEM, "out of memory");
        k++;
    }
    *v = grown;
    *r = ranges;
    *n = k;
    return DD_OK;
}

/* "license": "MIT" | {"type": "MIT"}; the old "licenses": [{"type": ...}, "..."] joined with
 * " OR " (several licenses listed were alternatives). */
static const char *manifest_license(dd_arena *a, const dd_jv *root)
{
    const dd_jv *l = dd_jv_get(root, "license"), *ls;
    dd_buf b = DD_BUF_INIT;
    const char *out = NULL;

    if (DD_JV_IS(l, DD_JV_STRING))
        return jv_dup(a, l);
    if (dd_jv_get_str(l, "type"))
        return dd_arena_strdup(a, dd_jv_get_str(l, "type"));
    ls = dd_jv_get(root, "licenses");
    for (size_t i = 0; i < dd_jv_len(ls); i++) {
        const dd_jv *item = dd_jv_at(ls, i);
        const char *t =
            DD_JV_IS(item, DD_JV_STRING) ? dd_jv_str(item) : dd_jv_get_str(item, "type");

        if (!t || !*t)
            continue;
        if ((b.len && dd_buf_puts(&b, " OR ") != DD_OK) || dd_buf_puts(&b, t) != DD_OK) {
            dd_buf_dispose(&b);
            return NULL;
        }
    }
    if (b.len)
        out = dd_arena_strdup(a, b.data);
    dd_buf_dispose(&b);
    return out;
}

static const char *manifest_author(dd_arena *a, const dd_jv *root)
{
    const dd_jv *au = dd_jv_get(root, "author");
    const char *name, *email;
    dd_buf b = DD_BUF_INIT;
    const char *out;

    if (DD_JV_IS(au, DD_JV_STRING))
        return jv_dup(a, au);
    name = dd_jv_get_str(au, "name");
    email = dd_jv_get_str(au, "email");
    if (!name || !*name)
        return NULL;
    if (!email || !*email)
        return dd_arena_strdup(a, name);
    if (dd_buf_printf(&b, "%s <%s>", name, email) != DD_OK)
        return NULL;
    out = dd_arena_strdup(a, b.data);
    dd_buf_dispose(&b);
    return out;
}

int dd_npm__parse_manifest(dd_npm_manifest *out, dd_arena *a, const char *path, const char *data,
                           size_t len)
{
    dd_arena *scratch = NULL;
    const dd_jv *root;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = dd_arena_new(&scratch)) != DD_OK)
        return rc;
    if ((rc = dd_json_parse(&root, scratch, path, data, len)) != DD_OK)
        goto done;
    if (root->type != DD_JV_OBJECT) {
        rc = dd_error_set(DD_EINVALID, "%s:1:1: the top level is not a JSON object", path);
        goto done;
    }
    out->name = jv_dup(a, dd_jv_get(root, "name"));
    out->version = jv_dup(a, dd_jv_get(root, "version"));
    if (out->name && !*out->name)
        out->name = NULL;
    if (out->version && !*out->version)
        out->version = NULL;
    out->license = manifest_license(a, root);
    out->description = jv_dup(a, dd_jv_get(root, "description"));
    if (out->description && !*out->description)
        out->description = NULL;
    out->author = manifest_author(a, root);
    if ((rc = dep_names(&out->deps, &out->dep_ranges, &out->n_deps, a,
                        dd_jv_get(root, "dependencies"))) ||
        (rc = dep_names(&out->deps, &out->dep_ranges, &out->n_deps, a,
                        dd_jv_get(root, "optionalDependencies"))) ||
        (rc = dep_names(&out->deps, &out->dep_ranges, &out->n_deps, a,
                        dd_jv_get(root, "peerDependencies"))) ||
        (rc = dep_names(&out->dev_deps, &out->dev_dep_ranges, &out->n_dev_deps, a,
                        dd_jv_get(root, "devDependencies"))))
        goto done;
done:
    dd_arena_free(scratch);
    return rc;
}

/* --- package-lock.json --- */

static int set_error(const char *path, const json_error_t *err)
{
    return dd_error_set(DD_EINVALID, "%s:%d:%d: invalid JSON: %s", path, err->line, err->column,
                        err->text);
}

static int lock_push(dd_pkglist *out, const char *name, const char *version, const char *license,
                     const char *dir, const char *key, int dev, const char *path)
{
    dd_package p = {0};

    p.type = DD_PKG_NPM;
    p.name = dd_arena_strdup(out->arena, name);
    p.version = dd_arena_strdup(out->arena, version);
    p.license = license ? dd_arena_strdup(out->arena, license) : NULL;
    p.path = dd_lang__join(out->arena, dir, key);
    p.db_path = path;
    p.dev = dev;
    if (!p.name || !p.version || !p.path || (license && !p.license))
        return dd_error_set(DD_ENOMEM, "out of memory");
    return dd_pkglist__push(out, &p);
}

/* lockfileVersion 2 and 3: "packages" keyed by install path ("node_modules/a/node_modules/b"). */
static int lock_packages(dd_pkglist *out, const char *path, const char *dir, json_t *pkgs)
{
    const char *key;
    json_t *v;
    int rc = DD_OK;

    json_object_foreach(pkgs, key, v)
    {
        const char *nm = NULL, *name, *version;
        json_t *jv;

        /* "" is the project itself; keys without node_modules/ are workspace folders */
        for (const char *s = key; (s = strstr(s, "node_modules/")); s++)
            if (s == key || s[-1] == '/')
                nm = s;
        if (!nm)
            continue;
        if (!json_is_object(v))
            return dd_error_set(DD_EINVALID, "%s: packages[\"%s\"] is not an object", path, key);
        if (json_is_true(json_object_get(v, "link")))
            continue; /* the target folder has (or is) its own entry */
        jv = json_object_get(v, "version");
        if (!jv)
            continue;
        if (!json_is_string(jv))
            return dd_error_set(DD_EINVALID, "%s: packages[\"%s\"].version is not a string", path,
                                key);
        version = json_string_value(jv);
        name = json_string_value(json_object_get(v, "name"));
        if (!name)
            name = nm + strlen("node_modules/");
        if (!*name || !*version)
            continue;
        rc = lock_push(out, name, version, json_string_value(json_object_get(v, "license")), dir,
                       key, json_is_true(json_object_get(v, "dev")), path);
        if (rc != DD_OK)
            break;
    }
    return rc;
}

/* lockfileVersion 1: "dependencies" nested as installed. */
static int lock_deps_v1(dd_pkglist *out, const char *path, const char *dir, const char *parent,
                        json_t *deps, dd_buf *key)
{
    const char *name;
    json_t *v;
    int rc = DD_OK;

    json_object_foreach(deps, name, v)
    {
        const char *version, *real = name;
        size_t mark = key->len;
        json_t *jv, *nested;
        char *alias = NULL;

        if (!json_is_object(v))
            return dd_error_set(DD_EINVALID, "%s: dependencies \"%s\" is not an object", path,
                                name);
        jv = json_object_get(v, "version");
        if (!json_is_string(jv))
            return dd_error_set(DD_EINVALID, "%s: dependencies \"%s\" has no version string", path,
                                name);
        version = json_string_value(jv);
        dd_buf_clear(key);
        if ((rc = dd_buf_printf(key, "%s%snode_modules/%s", parent, *parent ? "/" : "", name)) !=
            DD_OK)
            return rc;
        mark = key->len;
        /* "npm:REAL@VERSION" installs REAL under the alias name */
        if (strncmp(version, "npm:", 4) == 0) {
            const char *at = strrchr(version + 4, '@');

            if (at && at > version + 4) {
                alias = dd_arena_strndup(out->arena, version + 4, (size_t)(at - version - 4));
                if (!alias)
                    return dd_error_set(DD_ENOMEM, "out of memory");
                real = alias;
                version = at + 1;
            }
        }
        /* local folders ("file:../x") are project code, not installed packages */
        if (*version && strncmp(version, "file:", 5) != 0 && strncmp(version, "link:", 5) != 0) {
            rc = lock_push(out, real, version, NULL, dir, key->data,
                           json_is_true(json_object_get(v, "dev")), path);
            if (rc != DD_OK)
                return rc;
        }
        nested = json_object_get(v, "dependencies");
        if (json_is_object(nested)) {
            char *here = dd_arena_strndup(out->arena, key->data, mark);

            if (!here)
                return dd_error_set(DD_ENOMEM, "out of memory");
            if ((rc = lock_deps_v1(out, path, dir, here, nested, key)) != DD_OK)
                return rc;
        }
    }
    return rc;
}

int dd_npm__parse_lock(dd_pkglist *out, const char *path, const char *dir, const char *data,
                       size_t len)
{
    json_error_t err;
    json_t *root = json_loadb(data, len, 0, &err), *ver, *pkgs, *deps;
    dd_buf key = DD_BUF_INIT;
    int rc = DD_OK;

    if (!root)
        return set_error(path, &err);
    if (!json_is_object(root)) {
        rc = dd_error_set(DD_EINVALID, "%s:1:1: the top level is not a JSON object", path);
        goto done;
    }
    ver = json_object_get(root, "lockfileVersion");
    if (ver &&
        (!json_is_integer(ver) || json_integer_value(ver) < 1 || json_integer_value(ver) > 3)) {
        rc = dd_error_set(DD_EUNSUPPORTED, "%s: lockfileVersion is not 1, 2 or 3", path);
        goto done;
    }
    pkgs = json_object_get(root, "packages");
    deps = json_object_get(root, "dependencies");
    if (pkgs && !json_is_object(pkgs)) {
        rc = dd_error_set(DD_EINVALID, "%s: \"packages\" is not an object", path);
    } else if (pkgs) {
        rc = lock_packages(out, path, dir, pkgs);
    } else if (deps && !json_is_object(deps)) {
        rc = dd_error_set(DD_EINVALID, "%s: \"dependencies\" is not an object", path);
    } else if (deps) {
        rc = lock_deps_v1(out, path, dir, "", deps, &key);
    }
done:
    dd_buf_dispose(&key);
    json_decref(root);
    return rc;
}

/* --- running over a walk --- */

static int is_module_dir(const char *dir, size_t n)
{
    static const char nm[] = "node_modules";
    const size_t nml = sizeof(nm) - 1;

    if (n >= nml && memcmp(dir + n - nml, nm, nml) == 0 && (n == nml || dir[n - nml - 1] == '/'))
        return 1;
    /* Debian's node-* packages install into the global module folders */
    if ((n == 16 && memcmp(dir, "usr/share/nodejs", 16) == 0) ||
        (n == 14 && memcmp(dir, "usr/lib/nodejs", 14) == 0))
        return 1;
    if (n > 15 && memcmp(dir, "usr/lib/", 8) == 0 && memcmp(dir + n - 7, "/nodejs", 7) == 0 &&
        !memchr(dir + 8, '/', n - 15))
        return 1;
    return 0;
}

/* Whether `dir` is a package folder: NAME or @SCOPE/NAME in a module folder. */
static int is_package_dir(const char *dir)
{
    const char *base = dd_lang__basename(dir), *scope;
    size_t pn;

    if (base == dir || base[0] == '.' || base[0] == '@' || !*base)
        return 0;
    pn = (size_t)(base - dir - 1);
    if (is_module_dir(dir, pn))
        return 1;
    /* @scope/name */
    scope = pn ? dir + pn : dir;
    while (scope > dir && scope[-1] != '/')
        scope--;
    if (*scope != '@' || scope == dir)
        return 0;
    return is_module_dir(dir, (size_t)(scope - dir - 1));
}

static int is_manifest(const char *path)
{
    return strcmp(dd_lang__basename(path), "package.json") == 0;
}

static int is_yarn_lock(const char *path)
{
    return strcmp(dd_lang__basename(path), "yarn.lock") == 0;
}

static int is_lock(const char *path)
{
    const char *b = dd_lang__basename(path);

    return strcmp(b, "package-lock.json") == 0 || strcmp(b, "npm-shrinkwrap.json") == 0 ||
           is_yarn_lock(path);
}

static int match(const char *path)
{
    return is_manifest(path) || is_lock(path);
}

typedef struct {
    const char *dir; /* the package folder */
    const dd_entry *e;
    dd_npm_manifest m;
    int prod, dev; /* reached from a project's dependencies / devDependencies */
} node;

typedef struct {
    dd_inventory *inv;
    const dd_walk *w;
    dd_arena *arena;
    node *nodes; /* installed packages of the squashed view */
    size_t n_nodes, nodes_alloc;
    node *roots; /* projects with a node_modules folder */
    size_t n_roots, roots_alloc;
    dd_pkglist squashed, hidden;
} npm_run;

static int warn(npm_run *r)
{
    int rc = dd_inventory__warn(r->inv, "%s", dd_error_message());

    dd_error_clear();
    return rc;
}

static int has_dir(const dd_walk *w, dd_arena *a, const char *dir, const char *name)
{
    const char *p = dd_lang__join(a, dir, name);
    const dd_entry *e;

    if (!p)
        return -1;
    if (dd_walk_resolve(w, p, &e) != DD_OK) {
        dd_error_clear();
        return 0;
    }
    return e->type == DD_FT_DIR;
}

/* A yarn.lock, with the package.json beside it for the development dependencies. */
static int parse_yarn(npm_run *r, dd_pkglist *l, const dd_entry *e, const char *dir,
                      const char *data, size_t len, int squashed)
{
    const char *mpath = dd_lang__join(r->arena, dir, "package.json");
    const dd_entry *me = mpath ? dd_walk_lookup(r->w, mpath) : NULL;
    dd_npm_manifest m, *root = NULL;
    const void *mdata;
    size_t mlen;
    int truncated = 0, rc;

    if (!mpath)
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (me && me->type == DD_FT_REG &&
        dd_walk_content(r->w, me, &mdata, &mlen, &truncated) == DD_OK && !truncated) {
        rc = dd_npm__parse_manifest(&m, r->arena, mpath, mdata, mlen);
        if (rc == DD_OK)
            root = &m;
        else if (rc == DD_EINVALID && squashed && (rc = warn(r)) != DD_OK)
            return rc;
        else if (rc != DD_OK && rc != DD_EINVALID)
            return rc;
    }
    dd_error_clear();
    return dd_npm__parse_yarn(l, e->path, data, len, root);
}

static int on_file(const dd_entry *e, int squashed, const char *data, size_t len, int truncated,
                   void *payload)
{
    npm_run *r = payload;
    char *dir = dd_lang__dirname(r->arena, e->path);
    int rc, pkg;

    if (!dir)
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (is_lock(e->path)) {
        dd_pkglist *l = squashed ? &r->squashed : &r->hidden;
        size_t first = l->n;

        /* an installed tree is the truth; the lockfile only says what it would be */
        if ((rc = has_dir(r->w, r->arena, dir, "node_modules")) != 0)
            return rc < 0 ? dd_error_set(DD_ENOMEM, "out of memory") : DD_OK;
        if (truncated)
            rc = dd_error_set(DD_ELIMIT, "%s: larger than the %u-byte capture limit", e->path,
                              LOCK_MAX);
        else if (is_yarn_lock(e->path))
            rc = parse_yarn(r, l, e, dir, data, len, squashed);
        else
            rc = dd_npm__parse_lock(l, e->path, dir, data, len);
        for (size_t i = first; i < l->n; i++)
            l->v[i].layer = e->layer;
        if (rc == DD_EINVALID || rc == DD_ELIMIT || rc == DD_EUNSUPPORTED)
            return squashed ? warn(r) : (dd_error_clear(), DD_OK);
        return rc;
    }
    pkg = is_package_dir(dir);
    if (!pkg) {
        /* a project: only when it has installed packages whose dev flags it decides */
        if (!squashed || (rc = has_dir(r->w, r->arena, dir, "node_modules")) == 0)
            return DD_OK;
        if (rc < 0)
            return dd_error_set(DD_ENOMEM, "out of memory");
    }
    {
        node nd = {.dir = dir, .e = e};

        if (truncated)
            rc = dd_error_set(DD_ELIMIT, "%s: larger than the %u-byte capture limit", e->path,
                              MANIFEST_MAX);
        else
            rc = dd_npm__parse_manifest(&nd.m, r->arena, e->path, data, len);
        if (rc == DD_EINVALID || rc == DD_ELIMIT)
            return squashed ? warn(r) : (dd_error_clear(), DD_OK);
        if (rc != DD_OK)
            return rc;
        if (!pkg) {
            if (DD_ARRAY_RESERVE(r->roots, r->roots_alloc, r->n_roots + 1, sizeof(*r->roots), 8) !=
                DD_OK)
                return DD_ENOMEM;
            r->roots[r->n_roots++] = nd;
            return DD_OK;
        }
        /* a folder without name or version is no installed package (npm ls skips it too) */
        if (!nd.m.name || !nd.m.version)
            return DD_OK;
        if (!squashed) {
            dd_package p = {0};

            p.type = DD_PKG_NPM;
            p.name = nd.m.name;
            p.version = nd.m.version;
            p.path = dir;
            p.db_path = e->path;
            p.layer = e->layer;
            return dd_pkglist__push(&r->hidden, &p);
        }
        if (DD_ARRAY_RESERVE(r->nodes, r->nodes_alloc, r->n_nodes + 1, sizeof(*r->nodes), 64) !=
            DD_OK)
            return DD_ENOMEM;
        r->nodes[r->n_nodes++] = nd;
    }
    return DD_OK;
}

static int cmp_node(const void *a, const void *b)
{
    return strcmp(((const node *)a)->dir, ((const node *)b)->dir);
}

static node *find_node(npm_run *r, const char *dir)
{
    node key = {.dir = dir};

    return r->n_nodes ? bsearch(&key, r->nodes, r->n_nodes, sizeof(*r->nodes), cmp_node) : NULL;
}

/* Node's lookup of `name` required from `from`: FROM/node_modules/NAME, then the same in every
 * ancestor folder that is not itself a node_modules folder. */
static node *resolve_dep(npm_run *r, dd_buf *b, const char *from, const char *name)
{
    size_t n = strlen(from);

    for (;;) {
        const char *base;
        node *hit;

        dd_buf_clear(b);
        if (dd_buf_put(b, from, n) != DD_OK)
            return NULL;
        base = b->data;
        for (const char *s = b->data; s < b->data + n; s++)
            if (*s == '/')
                base = s + 1;
        if (strcmp(base, "node_modules") != 0 || n == 0) {
            if (dd_buf_printf(b, "%snode_modules/%s", n ? "/" : "", name) != DD_OK)
                return NULL;
            if ((hit = find_node(r, b->data)))
                return hit;
        }
        if (n == 0)
            return NULL;
        while (n > 0 && from[n - 1] != '/')
            n--;
        if (n > 0)
            n--; /* the "/" */
    }
}

/* Marks everything reachable from `names` (required from `from`) with prod or dev. */
static int reach(npm_run *r, const char *from, const char *const *names, size_t n_names, int prod)
{
    node **stack = NULL;
    size_t depth = 0, alloc = 0;
    dd_buf b = DD_BUF_INIT;
    int rc = DD_OK;

    for (size_t i = 0; i < n_names && rc == DD_OK; i++) {
        node *nd = resolve_dep(r, &b, from, names[i]);

        if (!nd || (prod ? nd->prod : nd->dev || nd->prod))
            continue;
        if (prod)
            nd->prod = 1;
        else
            nd->dev = 1;
        if (DD_ARRAY_RESERVE(stack, alloc, depth + 1, sizeof(*stack), 64) != DD_OK) {
            rc = DD_ENOMEM;
            break;
        }
        stack[depth++] = nd;
        while (depth && rc == DD_OK) {
            node *cur = stack[--depth];

            for (size_t k = 0; k < cur->m.n_deps; k++) {
                node *next = resolve_dep(r, &b, cur->dir, cur->m.deps[k]);

                if (!next || (prod ? next->prod : next->dev || next->prod))
                    continue;
                if (prod)
                    next->prod = 1;
                else
                    next->dev = 1;
                if (DD_ARRAY_RESERVE(stack, alloc, depth + 1, sizeof(*stack), 64) != DD_OK) {
                    rc = DD_ENOMEM;
                    break;
                }
                stack[depth++] = next;
            }
        }
    }
    dd_free(stack);
    dd_buf_dispose(&b);
    return rc;
}

static int npm_run_walk(dd_inventory *inv, const dd_walk *w, const dd_catalog_opts *opts)
{
    npm_run r = {.inv = inv, .w = w};
    int rc;

    if ((rc = dd_arena_new(&r.arena)) != DD_OK)
        return rc;
    r.squashed.arena = r.arena;
    r.hidden.arena = r.arena;
    if ((rc = dd_lang__each_file(w, opts, match, on_file, &r)) != DD_OK)
        goto done;
    if (r.n_nodes > 1)
        qsort(r.nodes, r.n_nodes, sizeof(*r.nodes), cmp_node);
    /* production first, so a package both graphs reach is not dev */
    for (size_t i = 0; i < r.n_roots && rc == DD_OK; i++)
        rc = reach(&r, r.roots[i].dir, r.roots[i].m.deps, r.roots[i].m.n_deps, 1);
    for (size_t i = 0; i < r.n_roots && rc == DD_OK; i++)
        rc = reach(&r, r.roots[i].dir, r.roots[i].m.dev_deps, r.roots[i].m.n_dev_deps, 0);
    for (size_t i = 0; i < r.n_nodes && rc == DD_OK; i++) {
        const node *nd = &r.nodes[i];
        dd_package p = {0};

        p.type = DD_PKG_NPM;
        p.name = nd->m.name;
        p.version = nd->m.version;
        p.license = nd->m.license;
        p.description = nd->m.description;
        p.maintainer = nd->m.author;
        p.path = nd->dir;
        p.db_path = nd->e->path;
        p.layer = nd->e->layer;
        p.dev = nd->dev && !nd->prod;
        rc = dd_pkglist__push(&r.squashed, &p);
    }
    if (rc == DD_OK)
        rc = dd_lang__emit(inv, opts, &r.squashed, &r.hidden);
done:
    dd_free(r.nodes);
    dd_free(r.roots);
    dd_pkglist__dispose(&r.squashed);
    dd_pkglist__dispose(&r.hidden);
    dd_arena_free(r.arena);
    return rc;
}

/* Every package.json: package folders, and the projects whose devDependencies mark packages. */
static const char *const npm_globs[] = {
    "*package.json", "*package-lock.json", "*npm-shrinkwrap.json", "*yarn.lock", NULL,
};

static const uint64_t npm_glob_max[] = {MANIFEST_MAX, LOCK_MAX, LOCK_MAX, LOCK_MAX};

const dd_cataloger dd_cataloger_npm = {
    .name = "npm",
    .type = DD_PKG_NPM,
    .globs = npm_globs,
    .glob_max_bytes = npm_glob_max,
    .max_bytes = MANIFEST_MAX,
    .run = npm_run_walk,
};
