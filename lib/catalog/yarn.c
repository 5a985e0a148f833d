/* yarn.lock for the npm cataloger: yarn 1's own format and yarn 2+'s YAML subset, read line by
 * line (both are entries at column 0, fields at 2 spaces, dependencies at 4), and the
 * development dependencies the package.json beside it implies. */
#include "catalog/lang_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name, *version;
    size_t line;
    int skip; /* a workspace (the project itself) or a patch of another entry */
    int prod, dev;
    const char **deps; /* "name@range" as entry keys spell them */
    size_t n_deps, deps_alloc;
} yentry;

typedef struct {
    const char *spec;
    size_t entry;
} yspec;

typedef struct {
    dd_arena *a;
    yentry *v;
    size_t n, alloc;
    yspec *specs;
    size_t n_specs, specs_alloc;
    int berry;
} ylock;

/* Unquoted, trimmed copy of s[0..n) in the arena; "" stays "". */
static char *unquote(dd_arena *a, const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '"'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '"'))
        n--;
    return dd_arena_strndup(a, s, n);
}

/* The name in "name@range" (a scope's "@" is not the separator), or NULL. */
static const char *spec_split(const char *spec, const char **range)
{
    const char *at = spec[0] ? strchr(spec + 1, '@') : NULL;

    if (!at || at == spec)
        return NULL;
    *range = at + 1;
    return spec;
}

static int add_spec(ylock *y, const char *spec, size_t entry)
{
    if (DD_ARRAY_RESERVE(y->specs, y->specs_alloc, y->n_specs + 1, sizeof(*y->specs), 64) != DD_OK)
        return DD_ENOMEM;
    y->specs[y->n_specs++] = (yspec){spec, entry};
    return DD_OK;
}

/* An entry line: `"a@^1", a@^1.2:` (yarn 1) or `"a@npm:^1, a@npm:^1.2":` (yarn 2+). */
static int begin_entry(ylock *y, const char *path, size_t lineno, const char *key, size_t n)
{
    char *copy = dd_arena_strndup(y->a, key, n), *p, *comma;
    yentry *e;
    int rc;

    if (!copy)
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (DD_ARRAY_RESERVE(y->v, y->alloc, y->n + 1, sizeof(*y->v), 64) != DD_OK)
        return DD_ENOMEM;
    e = &y->v[y->n];
    memset(e, 0, sizeof(*e));
    e->line = lineno;
    for (p = copy; p; p = comma ? comma + 1 : NULL) {
        const char *spec, *name, *range;

        comma = strchr(p, ',');
        if (!(spec = unquote(y->a, p, comma ? (size_t)(comma - p) : strlen(p))))
            return dd_error_set(DD_ENOMEM, "out of memory");
        if (!*spec)
            continue;
        if (!(name = spec_split(spec, &range)))
            return dd_error_set(DD_EINVALID, "%s:%zu: \"%s\" is not NAME@RANGE", path, lineno,
                                spec);
        if (!e->name) {
            /* an alias installs another package: "alias@npm:real@^1" */
            const char *at =
                strncmp(range, "npm:", 4) == 0 && range[4] ? strrchr(range + 5, '@') : NULL;

            e->name = at ? dd_arena_strndup(y->a, range + 4, (size_t)(at - range - 4))
                         : dd_arena_strndup(y->a, name, (size_t)(range - 1 - name));
            if (!e->name)
                return dd_error_set(DD_ENOMEM, "out of memory");
        }
        if ((rc = add_spec(y, spec, y->n)) != DD_OK)
            return rc;
    }
    if (!e->name)
        return dd_error_set(DD_EINVALID, "%s:%zu: an entry without a key", path, lineno);
    y->n++;
    return DD_OK;
}

/* "name range", "name: range", "\"@s/n\": \"npm:^1\"" -> "name@range" (yarn 2+ keys spell a
 * bare range with the npm: protocol). */
static const char *dep_spec(ylock *y, const char *s, size_t n, int berry)
{
    size_t i = 0, name_end;
    const char *name, *range;
    dd_buf b = DD_BUF_INIT;
    char *out = NULL;

    if (n && s[0] == '"') {
        for (i = 1; i < n && s[i] != '"'; i++)
            ;
        name_end = i++;
        name = s + 1;
    } else {
        while (i < n && s[i] != ' ' && s[i] != ':')
            i++;
        name_end = i;
        name = s;
    }
    while (i < n && (s[i] == ':' || s[i] == ' '))
        i++;
    if (i >= n)
        return NULL;
    if (!(range = unquote(y->a, s + i, n - i)))
        return NULL;
    if (dd_buf_put(&b, name, (size_t)(s + name_end - name)) == DD_OK &&
        dd_buf_putc(&b, '@') == DD_OK &&
        (!berry || strchr(range, ':') || dd_buf_puts(&b, "npm:") == DD_OK) &&
        dd_buf_puts(&b, range) == DD_OK)
        out = dd_arena_strdup(y->a, b.data);
    dd_buf_dispose(&b);
    return out;
}

static int cmp_spec(const void *a, const void *b)
{
    return strcmp(((const yspec *)a)->spec, ((const yspec *)b)->spec);
}

static yentry *find(ylock *y, const char *spec)
{
    yspec key = {spec, 0}, *hit;

    hit = y->n_specs ? bsearch(&key, y->specs, y->n_specs, sizeof(*y->specs), cmp_spec) : NULL;
    return hit ? &y->v[hit->entry] : NULL;
}

static int mark(ylock *y, const char *name, const char *range, int prod)
{
    dd_buf b = DD_BUF_INIT;
    yentry **stack = NULL, *e;
    size_t depth = 0, alloc = 0;
    int rc =
        dd_buf_printf(&b, "%s@%s%s", name, y->berry && !strchr(range, ':') ? "npm:" : "", range);

    if (rc != DD_OK || !(e = find(y, b.data)) || (prod ? e->prod : e->prod || e->dev))
        goto done;
    *(prod ? &e->prod : &e->dev) = 1;
    if (DD_ARRAY_RESERVE(stack, alloc, 1, sizeof(*stack), 64) != DD_OK) {
        rc = DD_ENOMEM;
        goto done;
    }
    stack[depth++] = e;
    while (depth && rc == DD_OK) {
        yentry *cur = stack[--depth];

        for (size_t k = 0; k < cur->n_deps; k++) {
            yentry *next = find(y, cur->deps[k]);

            if (!next || (prod ? next->prod : next->prod || next->dev))
                continue;
            *(prod ? &next->prod : &next->dev) = 1;
            if (DD_ARRAY_RESERVE(stack, alloc, depth + 1, sizeof(*stack), 64) != DD_OK) {
                rc = DD_ENOMEM;
                break;
            }
            stack[depth++] = next;
        }
    }
done:
    dd_free(stack);
    dd_buf_dispose(&b);
    return rc;
}

static int end_entry(ylock *y, const char *path)
{
    yentry *e = y->n ? &y->v[y->n - 1] : NULL;

    if (e && !e->version && !e->skip)
        return dd_error_set(DD_EINVALID, "%s:%zu: entry %s has no version", path, e->line, e->name);
    return DD_OK;
}

int dd_npm__parse_yarn(dd_pkglist *out, const char *path, const char *data, size_t len,
                       const dd_npm_manifest *root)
{
    ylock y = {.a = out->arena};
    size_t pos = 0, lineno = 0;
    int rc = DD_OK, in_entry = 0, in_deps = 0;

    while (pos < len && rc == DD_OK) {
        const char *line = data + pos, *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos, indent = 0;

        pos += n + (nl ? 1 : 0);
        lineno++;
        if (n && line[n - 1] == '\r')
            n--;
        if (memchr(line, '\0', n)) {
            rc = dd_error_set(DD_EINVALID, "%s:%zu: NUL byte", path, lineno);
            break;
        }
        while (indent < n && line[indent] == ' ')
            indent++;
        if (indent == n || line[indent] == '#')
            continue;
        if (indent == 0) {
            if ((rc = end_entry(&y, path)) != DD_OK)
                break;
            in_deps = 0;
            if (line[n - 1] != ':') {
                rc = dd_error_set(DD_EINVALID, "%s:%zu: not an entry line (KEY:)", path, lineno);
                break;
            }
            if (n == 11 && memcmp(line, "__metadata:", 11) == 0) {
                y.berry = 1;
                in_entry = 0;
                continue;
            }
            rc = begin_entry(&y, path, lineno, line, n - 1);
            in_entry = 1;
            continue;
        }
        if (!in_entry)
            continue; /* __metadata's fields */
        if (indent == 2) {
            const char *k = line + 2, *v;
            size_t kn = 0, vn;
            yentry *e = &y.v[y.n - 1];

            while (2 + kn < n && k[kn] != ' ' && k[kn] != ':')
                kn++;
            v = k + kn;
            vn = n - 2 - kn;
            while (vn && (*v == ':' || *v == ' '))
                v++, vn--;
            in_deps = vn == 0 && ((kn == 12 && memcmp(k, "dependencies", 12) == 0) ||
                                  (kn == 20 && memcmp(k, "optionalDependencies", 20) == 0) ||
                                  (kn == 16 && memcmp(k, "peerDependencies", 16) == 0));
            if (kn == 7 && memcmp(k, "version", 7) == 0) {
                if (!(e->version = unquote(y.a, v, vn)))
                    rc = dd_error_set(DD_ENOMEM, "out of memory");
                else if (!*e->version)
                    rc = dd_error_set(DD_EINVALID, "%s:%zu: empty version", path, lineno);
            } else if (kn == 10 && memcmp(k, "resolution", 10) == 0) {
                /* yarn 2+: the project's own workspaces, and patched copies of an entry */
                const char *r = unquote(y.a, v, vn);

                if (!r)
                    rc = dd_error_set(DD_ENOMEM, "out of memory");
                else if (strstr(r, "@workspace:") || strstr(r, "@patch:") || strstr(r, "@link:") ||
                         strstr(r, "@portal:"))
                    e->skip = 1;
            }
            continue;
        }
        if (indent == 4 && in_deps) {
            yentry *e = &y.v[y.n - 1];
            const char *spec = dep_spec(&y, line + 4, n - 4, y.berry);

            if (!spec)
                continue;
            if (DD_ARRAY_RESERVE(e->deps, e->deps_alloc, e->n_deps + 1, sizeof(*e->deps), 8) !=
                DD_OK) {
                rc = DD_ENOMEM;
                break;
            }
            e->deps[e->n_deps++] = spec;
        }
    }
    if (rc == DD_OK)
        rc = end_entry(&y, path);
    /* keep what was read before the damage */
    if (y.n_specs > 1)
        qsort(y.specs, y.n_specs, sizeof(*y.specs), cmp_spec);
    if (rc == DD_OK && root) {
        int mrc = DD_OK;

        for (size_t i = 0; i < root->n_deps && mrc == DD_OK; i++)
            mrc = mark(&y, root->deps[i], root->dep_ranges[i], 1);
        for (size_t i = 0; i < root->n_dev_deps && mrc == DD_OK; i++)
            mrc = mark(&y, root->dev_deps[i], root->dev_dep_ranges[i], 0);
        rc = mrc;
    }
    for (size_t i = 0; i < y.n && (rc == DD_OK || rc == DD_EINVALID); i++) {
        const yentry *e = &y.v[i];
        dd_package p = {0};
        int prc;

        if (e->skip || !e->version)
            continue;
        p.type = DD_PKG_NPM;
        p.name = e->name;
        p.version = e->version;
        p.path = path;
        p.db_path = path;
        p.dev = e->dev && !e->prod;
        if ((prc = dd_pkglist__push(out, &p)) != DD_OK)
            rc = prc;
    }
    for (size_t i = 0; i < y.n; i++)
        dd_free(y.v[i].deps);
    dd_free(y.v);
    dd_free(y.specs);
    return rc;
}
