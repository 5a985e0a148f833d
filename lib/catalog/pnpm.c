/* pnpm-lock.yaml for the npm ecosystem: lockfileVersion 5.x (pnpm 7 and older), 6.x (pnpm 8)
 * and 9.x (pnpm 9 and 10), read with libfyaml into a small tree (aliases shared, not copied,
 * and bounded), where no node_modules folder sits beside the lockfile. */
#include "catalog/pkgfiles_int.h"

#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

#define LOCK_MAX    (64u << 20) /* bytes of one lockfile */
#define MAX_NODES   4000000u    /* nodes once every alias is expanded */
#define MAX_DEPTH   64          /* nesting of mappings and sequences */
#define MAX_ANCHORS 1024        /* pnpm writes none; a few are tolerated */

/* --- a YAML tree --- */

typedef enum { Y_SCALAR, Y_MAP, Y_SEQ } ytype;

typedef struct ynode ynode;
struct ynode {
    ytype type;
    uint32_t line;
    const char *s; /* scalar text ("" for collections) */
    size_t len;
    const ynode **kids; /* Y_MAP: key, value, key, value...; Y_SEQ: items */
    size_t n;           /* pairs of a map, items of a sequence */
    uint64_t weight;    /* nodes of its full expansion */
};

typedef struct {
    ynode *node;
    const ynode **kids;
    size_t n, alloc; /* entries of kids (2 per pair in a map) */
    const char *anchor;
} yframe;

typedef struct {
    dd_arena *a;
    const char *path;
    yframe stack[MAX_DEPTH];
    int depth;
    struct {
        const char *name;
        const ynode *node;
    } anchors[MAX_ANCHORS];
    size_t n_anchors;
    const ynode *root;
    int have_root;
} ybuilder;

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

static int attach(ybuilder *b, const ynode *n)
{
    yframe *f;

    if (b->depth == 0) {
        if (!b->have_root)
            b->root = n, b->have_root = 1;
        return DD_OK;
    }
    f = &b->stack[b->depth - 1];
    if (DD_ARRAY_RESERVE(f->kids, f->alloc, f->n + 1, sizeof(*f->kids), 16) != DD_OK)
        return DD_ENOMEM;
    f->kids[f->n++] = n;
    f->node->weight = sat_add(f->node->weight, n->weight);
    if (f->node->weight > MAX_NODES)
        return dd_error_set(DD_ELIMIT, "%s:%u: more than %u nodes (an alias bomb?)", b->path,
                            f->node->line, MAX_NODES);
    return DD_OK;
}

static int add_anchor(ybuilder *b, const char *name, const ynode *n, uint32_t line)
{
    if (!name)
        return DD_OK;
    if (b->n_anchors == MAX_ANCHORS)
        return dd_error_set(DD_ELIMIT, "%s:%u: more than %u anchors", b->path, line, MAX_ANCHORS);
    b->anchors[b->n_anchors].name = name;
    b->anchors[b->n_anchors++].node = n;
    return DD_OK;
}

static int on_event(ybuilder *b, struct fy_event *ev)
{
    const struct fy_mark *mk = fy_event_start_mark(ev);
    uint32_t line = mk ? (uint32_t)mk->line + 1 : 0;
    ynode *n;
    size_t len;
    int rc;

    switch (ev->type) {
    case FYET_SCALAR:
        if (!(n = dd_arena_alloc(b->a, sizeof(*n))))
            return dd_error_set(DD_ENOMEM, "out of memory");
        memset(n, 0, sizeof(*n));
        n->type = Y_SCALAR;
        n->line = line;
        n->weight = 1;
        if (!(n->s = dd_yaml_token_text(b->a, ev->scalar.value, &n->len)))
            return dd_error_set(DD_ENOMEM, "out of memory");
        if (ev->scalar.anchor) {
            const char *an = dd_yaml_token_text(b->a, ev->scalar.anchor, &len);

            if (!an)
                return dd_error_set(DD_ENOMEM, "out of memory");
            if ((rc = add_anchor(b, an, n, line)) != DD_OK)
                return rc;
        }
        return attach(b, n);
    case FYET_ALIAS: {
        const char *an = dd_yaml_token_text(b->a, ev->alias.anchor, &len);

        if (!an)
            return dd_error_set(DD_ENOMEM, "out of memory");
        for (size_t i = b->n_anchors; i-- > 0;)
            if (strcmp(b->anchors[i].name, an) == 0)
                return attach(b, b->anchors[i].node);
        return dd_error_set(DD_EINVALID, "%s:%u: unknown alias \"*%s\"", b->path, line, an);
    }
    case FYET_MAPPING_START:
    case FYET_SEQUENCE_START: {
        struct fy_token *anchor =
            ev->type == FYET_MAPPING_START ? ev->mapping_start.anchor : ev->sequence_start.anchor;
        yframe *f;

        if (b->depth >= MAX_DEPTH)
            return dd_error_set(DD_ELIMIT, "%s:%u: nesting deeper than %d levels", b->path, line,
                                MAX_DEPTH);
        if (!(n = dd_arena_alloc(b->a, sizeof(*n))))
            return dd_error_set(DD_ENOMEM, "out of memory");
        memset(n, 0, sizeof(*n));
        n->type = ev->type == FYET_MAPPING_START ? Y_MAP : Y_SEQ;
        n->line = line;
        n->s = "";
        n->weight = 1;
        f = &b->stack[b->depth++];
        memset(f, 0, sizeof(*f));
        f->node = n;
        if (anchor && !(f->anchor = dd_yaml_token_text(b->a, anchor, &len)))
            return dd_error_set(DD_ENOMEM, "out of memory");
        return DD_OK;
    }
    case FYET_MAPPING_END:
    case FYET_SEQUENCE_END: {
        yframe *f = &b->stack[b->depth - 1];

        n = f->node;
        if (f->n) {
            if (!(n->kids = dd_arena_alloc(b->a, f->n * sizeof(*n->kids)))) {
                rc = dd_error_set(DD_ENOMEM, "out of memory");
            } else {
                memcpy(n->kids, f->kids, f->n * sizeof(*n->kids));
                rc = DD_OK;
            }
        } else {
            rc = DD_OK;
        }
        n->n = n->type == Y_MAP ? f->n / 2 : f->n;
        dd_free(f->kids);
        b->depth--;
        if (rc != DD_OK || (rc = add_anchor(b, f->anchor, n, n->line)) != DD_OK)
            return rc;
        return attach(b, n);
    }
    default:
        return DD_OK;
    }
}

static void diag_quiet(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag, (void)user, (void)buf, (void)len;
}

/* Bytes libfyaml should never see: NUL and invalid UTF-8 (libfyaml 0.7.12 can loop forever on
 * it). */
static int prescan(const char *path, const char *data, size_t len)
{
    size_t line = 1, start = 0;

    if (len > LOCK_MAX)
        return dd_error_set(DD_ELIMIT, "%s: larger than %u bytes", path, LOCK_MAX);
    for (size_t i = 0; i <= len; i++) {
        if (i < len && data[i] != '\n' && data[i] != '\0')
            continue;
        if (!dd_lang__utf8_valid(data + start, i - start))
            return dd_error_set(DD_EINVALID, "%s:%zu: invalid UTF-8", path, line);
        if (i < len && data[i] == '\0')
            return dd_error_set(DD_EINVALID, "%s:%zu: a NUL byte", path, line);
        line++;
        start = i + 1;
    }
    return DD_OK;
}

static int parse_yaml(const ynode **out, dd_arena *a, const char *path, const char *data,
                      size_t len)
{
    struct fy_diag_cfg dcfg;
    struct fy_diag *diag = NULL;
    struct fy_parser *fyp = NULL;
    struct fy_parse_cfg cfg;
    struct fy_event *ev;
    ybuilder *b;
    int rc, docs = 0;

    *out = NULL;
    if ((rc = prescan(path, data, len)) != DD_OK)
        return rc;
    if (!(b = dd_calloc(1, sizeof(*b))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    b->a = a;
    b->path = path;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = diag_quiet;
    dcfg.colorize = false;
    if (!(diag = fy_diag_create(&dcfg))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    fy_diag_set_collect_errors(diag, true);
    memset(&cfg, 0, sizeof(cfg));
    cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG;
    cfg.diag = diag;
    if (!(fyp = fy_parser_create(&cfg)) || fy_parser_set_string(fyp, len ? data : "", len) != 0) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    while ((ev = fy_parser_parse(fyp)) != NULL) {
        if (ev->type == FYET_DOCUMENT_START)
            docs++;
        rc = docs <= 1 ? on_event(b, ev) : DD_OK;
        fy_parser_event_free(fyp, ev);
        if (rc != DD_OK)
            goto done;
    }
    if (fy_parser_get_stream_error(fyp)) {
        void *it = NULL;
        struct fy_diag_error *err;
        int line = 1;
        const char *msg = "invalid YAML";

        while ((err = fy_diag_errors_iterate(diag, &it)) != NULL)
            if (err->type >= FYET_ERROR) {
                line = err->line > 0 ? err->line : 1;
                msg = err->msg ? err->msg : msg;
                break;
            }
        rc = dd_error_set(DD_EINVALID, "%s:%d: invalid YAML: %.200s", path, line, msg);
        goto done;
    }
    *out = b->root;
done:
    while (b->depth > 0)
        dd_free(b->stack[--b->depth].kids);
    if (fyp)
        fy_parser_destroy(fyp);
    if (diag)
        fy_diag_destroy(diag);
    dd_free(b);
    return rc;
}

static int is_scalar(const ynode *n, const char *s)
{
    return n && n->type == Y_SCALAR && strlen(s) == n->len && memcmp(n->s, s, n->len) == 0;
}

static const ynode *get(const ynode *map, const char *key)
{
    if (!map || map->type != Y_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (is_scalar(map->kids[2 * i], key))
            return map->kids[2 * i + 1];
    return NULL;
}

static const char *scalar(const ynode *n)
{
    return n && n->type == Y_SCALAR && n->len ? n->s : NULL;
}

/* --- the lockfile --- */

typedef struct {
    const char *key;  /* snapshot key "name@1.0.0(peer@2)" (v9) */
    const char *pkg;  /* the package key it is a variant of ("name@1.0.0") */
    const ynode *val; /* its entry */
    int prod, dev;
} snap;

typedef struct {
    const char *name, *version;
    int dev;
    int prod;        /* v9: reached from production dependencies */
    const char *key; /* the packages key */
} entry;

typedef struct {
    dd_arena *a;
    const char *path;
    int major;
    entry *v;
    size_t n, alloc;
    snap *snaps;
    size_t n_snaps;
} plock;

/* name and version of a packages key: "/name/1.2.3_peer" (v5), "/name@1.2.3(peer@1)" (v6),
 * "name@1.2.3" (v9), scoped names "@s/n"; NULL name when the key has no such form. */
static int split_key(plock *l, const char *key, const char **name, const char **version)
{
    const char *s = key, *at = NULL, *end;

    *name = *version = NULL;
    if (*s == '/')
        s++;
    else if (l->major < 9 && *s != '@' && strchr(s, '/')) {
        /* "registry.example.com/name/1.0.0": a host first */
        const char *slash = strchr(s, '/');

        if (memchr(s, '.', (size_t)(slash - s)) || memchr(s, ':', (size_t)(slash - s)))
            s = slash + 1;
    }
    if (l->major == 5) {
        /* the "/" after the name ("@s/n/1.0.0": the second one) */
        const char *from = s, *slash;

        if (*s == '@' && (slash = strchr(s, '/')))
            from = slash + 1;
        slash = strchr(from, '/');
        if (!slash || slash == from || !slash[1])
            return DD_OK;
        at = slash;
    } else {
        at = strchr(*s == '@' ? s + 1 : s, '@');
        if (!at || at == s || !at[1])
            return DD_OK;
    }
    /* the version ends at a peer suffix: "(" (v6, v9) or "_" (v5) */
    for (end = at + 1; *end && *end != '(' && !(l->major == 5 && *end == '_'); end++)
        ;
    if (end == at + 1)
        return DD_OK;
    *name = dd_arena_strndup(l->a, s, (size_t)(at - s));
    *version = dd_arena_strndup(l->a, at + 1, (size_t)(end - at - 1));
    if (!*name || !*version)
        return dd_error_set(DD_ENOMEM, "out of memory");
    return DD_OK;
}

static int cmp_snap(const void *a, const void *b)
{
    return strcmp(((const snap *)a)->key, ((const snap *)b)->key);
}

static snap *find_snap(plock *l, const char *key)
{
    snap k = {.key = key};

    return l->n_snaps ? bsearch(&k, l->snaps, l->n_snaps, sizeof(*l->snaps), cmp_snap) : NULL;
}

/* The snapshot a dependency `name: ref` resolves to: "name@ref", or the ref itself for an alias
 * ("string-width@4.2.3"); none for a workspace link. */
static snap *resolve(plock *l, dd_buf *b, const char *name, const char *ref)
{
    const char *paren = strchr(ref, '(');
    size_t head = paren ? (size_t)(paren - ref) : strlen(ref);
    const char *at = head > 1 ? memchr(ref + 1, '@', head - 1) : NULL;

    if (strncmp(ref, "link:", 5) == 0)
        return NULL;
    dd_buf_clear(b);
    if ((at ? dd_buf_puts(b, ref) : dd_buf_printf(b, "%s@%s", name, ref)) != DD_OK)
        return NULL;
    return find_snap(l, b->data);
}

/* Marks prod (or dev) on every snapshot the dependency maps reach. */
static int reach(plock *l, const ynode *const *maps, size_t n_maps, int prod)
{
    snap **stack = NULL;
    size_t depth = 0, alloc = 0;
    dd_buf b = DD_BUF_INIT;
    int rc = DD_OK;

    for (size_t m = 0; m < n_maps; m++) {
        const ynode *deps = maps[m];

        for (size_t i = 0; deps && deps->type == Y_MAP && i < deps->n && rc == DD_OK; i++) {
            const ynode *k = deps->kids[2 * i], *v = deps->kids[2 * i + 1];
            const char *ref = scalar(v) ? scalar(v) : scalar(get(v, "version"));
            snap *s;

            if (!scalar(k) || !ref || !(s = resolve(l, &b, k->s, ref)))
                continue;
            if (prod ? s->prod : s->dev || s->prod)
                continue;
            if (prod)
                s->prod = 1;
            else
                s->dev = 1;
            if (DD_ARRAY_RESERVE(stack, alloc, depth + 1, sizeof(*stack), 64) != DD_OK) {
                rc = DD_ENOMEM;
                break;
            }
            stack[depth++] = s;
            while (depth && rc == DD_OK) {
                snap *cur = stack[--depth];
                const ynode *sub[] = {get(cur->val, "dependencies"),
                                      get(cur->val, "optionalDependencies")};

                for (size_t g = 0; g < 2; g++)
                    for (size_t j = 0; sub[g] && sub[g]->type == Y_MAP && j < sub[g]->n; j++) {
                        const ynode *dk = sub[g]->kids[2 * j], *dv = sub[g]->kids[2 * j + 1];
                        snap *next;

                        if (!scalar(dk) || !scalar(dv) || !(next = resolve(l, &b, dk->s, dv->s)))
                            continue;
                        if (prod ? next->prod : next->dev || next->prod)
                            continue;
                        if (prod)
                            next->prod = 1;
                        else
                            next->dev = 1;
                        if (DD_ARRAY_RESERVE(stack, alloc, depth + 1, sizeof(*stack), 64) !=
                            DD_OK) {
                            rc = DD_ENOMEM;
                            break;
                        }
                        stack[depth++] = next;
                    }
            }
        }
    }
    dd_free(stack);
    dd_buf_dispose(&b);
    return rc;
}

static int cmp_entry_key(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->key, ((const entry *)b)->key);
}

/* v9: what the importers' dependencies and optionalDependencies reach through the snapshots
 * is production, what only their devDependencies reach is dev. */
static int dev_from_importers(plock *l, const ynode *root)
{
    const ynode *importers = get(root, "importers"), *snaps = get(root, "snapshots");
    const ynode **prod = NULL, **dev = NULL;
    size_t n_prod = 0, n_dev = 0;
    int rc = DD_OK;

    if (!snaps || snaps->type != Y_MAP || !importers || importers->type != Y_MAP)
        return DD_OK;
    if (!(l->snaps = dd_arena_alloc(l->a, (snaps->n + 1) * sizeof(*l->snaps))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < snaps->n; i++) {
        const ynode *k = snaps->kids[2 * i];
        const char *key = scalar(k), *paren;
        snap *s = &l->snaps[l->n_snaps];

        if (!key)
            continue;
        memset(s, 0, sizeof(*s));
        s->key = key;
        s->val = snaps->kids[2 * i + 1];
        paren = strchr(key, '(');
        s->pkg = paren ? dd_arena_strndup(l->a, key, (size_t)(paren - key)) : key;
        if (!s->pkg)
            return dd_error_set(DD_ENOMEM, "out of memory");
        l->n_snaps++;
    }
    if (l->n_snaps > 1)
        qsort(l->snaps, l->n_snaps, sizeof(*l->snaps), cmp_snap);
    if (!(prod = dd_malloc((2 * importers->n + 1) * sizeof(*prod))) ||
        !(dev = dd_malloc((importers->n + 1) * sizeof(*dev)))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < importers->n; i++) {
        const ynode *imp = importers->kids[2 * i + 1];

        prod[n_prod++] = get(imp, "dependencies");
        prod[n_prod++] = get(imp, "optionalDependencies");
        dev[n_dev++] = get(imp, "devDependencies");
    }
    /* production first, so a package both reach is not dev */
    if ((rc = reach(l, prod, n_prod, 1)) != DD_OK || (rc = reach(l, dev, n_dev, 0)) != DD_OK)
        goto done;
    if (l->n > 1)
        qsort(l->v, l->n, sizeof(*l->v), cmp_entry_key);
    for (size_t i = 0; i < l->n_snaps; i++) {
        entry k = {.key = l->snaps[i].pkg}, *e;

        if (!l->n || !(e = bsearch(&k, l->v, l->n, sizeof(*l->v), cmp_entry_key)))
            continue;
        e->prod |= l->snaps[i].prod;
        e->dev |= l->snaps[i].dev;
    }
    for (size_t i = 0; i < l->n; i++)
        l->v[i].dev = l->v[i].dev && !l->v[i].prod;
done:
    dd_free(prod);
    dd_free(dev);
    return rc;
}

static int cmp_entry(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    return c ? c : strcmp(x->version, y->version);
}

static int lock_version(plock *l, const ynode *root)
{
    const char *v = scalar(get(root, "lockfileVersion"));
    int major = 0;

    if (!v)
        return dd_error_set(DD_EINVALID, "%s:%u: no lockfileVersion", l->path, root->line);
    for (const char *s = v; *s >= '0' && *s <= '9' && major < 1000; s++)
        major = major * 10 + (*s - '0');
    if (major != 5 && major != 6 && major != 7 && major != 9)
        return dd_error_set(DD_EUNSUPPORTED, "%s: lockfileVersion %.20s is not 5, 6 or 9", l->path,
                            v);
    l->major = major == 7 ? 9 : major; /* 7.0: pnpm 9's prereleases, the layout of 9.0 */
    return DD_OK;
}

int dd_pnpm__parse_lock(dd_pkglist *out, const char *path, const char *data, size_t len)
{
    plock l = {.a = out->arena, .path = path};
    const ynode *root, *pkgs;
    int rc;

    if ((rc = parse_yaml(&root, out->arena, path, data, len)) != DD_OK)
        return rc;
    if (!root)
        return dd_error_set(DD_EINVALID, "%s:1: an empty document", path);
    if (root->type != Y_MAP)
        return dd_error_set(DD_EINVALID, "%s:%u: the top level is not a mapping", path, root->line);
    if ((rc = lock_version(&l, root)) != DD_OK)
        return rc;
    pkgs = get(root, "packages");
    if (pkgs && pkgs->type != Y_MAP && !(pkgs->type == Y_SCALAR && pkgs->len == 0))
        return dd_error_set(DD_EINVALID, "%s:%u: \"packages\" is not a mapping", path, pkgs->line);
    for (size_t i = 0; pkgs && pkgs->type == Y_MAP && i < pkgs->n; i++) {
        const ynode *k = pkgs->kids[2 * i], *v = pkgs->kids[2 * i + 1];
        const char *key = scalar(k), *name = NULL, *version = NULL;
        entry *e;

        if (!key || (v->type != Y_MAP && !(v->type == Y_SCALAR && v->len == 0))) {
            rc = dd_error_set(DD_EINVALID, "%s:%u: a packages entry that is not KEY: {...}", path,
                              k->line);
            goto done;
        }
        if ((rc = split_key(&l, key, &name, &version)) != DD_OK)
            goto done;
        /* tarball and git dependencies say who they are */
        if (scalar(get(v, "name")))
            name = scalar(get(v, "name"));
        if (scalar(get(v, "version")))
            version = scalar(get(v, "version"));
        if (!name || !version || strncmp(version, "file:", 5) == 0 ||
            strncmp(version, "link:", 5) == 0)
            continue;
        if (DD_ARRAY_RESERVE(l.v, l.alloc, l.n + 1, sizeof(*l.v), 64) != DD_OK) {
            rc = DD_ENOMEM;
            goto done;
        }
        e = &l.v[l.n++];
        memset(e, 0, sizeof(*e));
        e->name = name;
        e->version = version;
        e->key = key[0] == '/' ? key + 1 : key;
        e->dev = is_scalar(get(v, "dev"), "true");
    }
    if (l.major == 9 && (rc = dev_from_importers(&l, root)) != DD_OK)
        goto done;
    /* peer variants of one name and version are one package: dev only when every one is */
    if (l.n > 1)
        qsort(l.v, l.n, sizeof(*l.v), cmp_entry);
    for (size_t i = 0; i < l.n; i++) {
        dd_package p = {0};
        size_t j = i;
        int dev = l.v[i].dev;

        while (j + 1 < l.n && cmp_entry(&l.v[i], &l.v[j + 1]) == 0)
            dev &= l.v[++j].dev;
        p.type = DD_PKG_NPM;
        p.name = l.v[i].name;
        p.version = l.v[i].version;
        p.path = path;
        p.db_path = path;
        p.dev = dev;
        if ((rc = dd_pkglist__push(out, &p)) != DD_OK)
            goto done;
        i = j;
    }
done:
    dd_free(l.v);
    return rc;
}

/* --- running over a walk --- */

static int match(const char *path)
{
    return strcmp(dd_lang__basename(path), "pnpm-lock.yaml") == 0;
}

typedef struct {
    dd_inventory *inv;
    const dd_walk *w;
    dd_arena *arena;
    dd_pkglist squashed, hidden;
} pnpm_run;

/* Whether the lockfile's folder has an installed tree (the npm cataloger reads it), or the
 * lockfile lies inside one (a package's own). */
static int installed(pnpm_run *r, const char *path)
{
    const char *dir = dd_lang__dirname(r->arena, path), *nm;
    const dd_entry *e;

    if (!dir || !(nm = dd_lang__join(r->arena, dir, "node_modules")))
        return -1;
    for (const char *s = path; (s = strstr(s, "node_modules/")); s++)
        if (s == path || s[-1] == '/')
            return 1;
    if (dd_walk_resolve(r->w, nm, &e) != DD_OK) {
        dd_error_clear();
        return 0;
    }
    return e->type == DD_FT_DIR;
}

static int on_file(const dd_entry *e, int squashed, const char *data, size_t len, int truncated,
                   void *payload)
{
    pnpm_run *r = payload;
    dd_pkglist *l = squashed ? &r->squashed : &r->hidden;
    size_t first = l->n;
    int rc;

    if ((rc = installed(r, e->path)) != 0)
        return rc < 0 ? dd_error_set(DD_ENOMEM, "out of memory") : DD_OK;
    rc = truncated ? dd_error_set(DD_ELIMIT, "%s: larger than the %u-byte capture limit", e->path,
                                  LOCK_MAX)
                   : dd_pnpm__parse_lock(l, e->path, data, len);
    for (size_t i = first; i < l->n; i++)
        l->v[i].layer = e->layer;
    if (rc == DD_EINVALID || rc == DD_ELIMIT || rc == DD_EUNSUPPORTED) {
        if (!squashed) {
            dd_error_clear();
            return DD_OK;
        }
        rc = dd_inventory__warn(r->inv, "%s", dd_error_message());
        dd_error_clear();
    }
    return rc;
}

static int pnpm_run_walk(dd_inventory *inv, const dd_walk *w, const dd_catalog_opts *opts)
{
    pnpm_run r = {.inv = inv, .w = w};
    int rc;

    if ((rc = dd_arena_new(&r.arena)) != DD_OK)
        return rc;
    r.squashed.arena = r.hidden.arena = r.arena;
    if ((rc = dd_lang__each_file(w, opts, match, on_file, &r)) == DD_OK)
        rc = dd_lang__emit(inv, opts, &r.squashed, &r.hidden);
    dd_pkglist__dispose(&r.squashed);
    dd_pkglist__dispose(&r.hidden);
    dd_arena_free(r.arena);
    return rc;
}

static const char *const pnpm_globs[] = {"*pnpm-lock.yaml", NULL};

const dd_cataloger dd_cataloger_pnpm = {
    .name = "pnpm",
    .type = DD_PKG_NPM,
    .globs = pnpm_globs,
    .max_bytes = LOCK_MAX,
    .run = pnpm_run_walk,
};
