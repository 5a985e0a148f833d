/* Layer hygiene: wasted bytes per layer, dive's efficiency score, package-manager caches, build
 * tools, and how far the final image is from distroless. */
#include "imgcheck/imgcheck_int.h"

#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MIB                (1024u * 1024u)
#define EFFICIENCY_MINIMUM 0.9 /* dive's default CI rule, lowestEfficiency */

struct dd_hygiene {
    dd_arena *arena;
    dd_hygiene_summary sum;
    dd_hygiene_layer *layers;
    size_t n_layers;
    dd_hygiene_cache *caches;
    size_t n_caches, caches_alloc;
    dd_hygiene_tool *tools;
    size_t n_tools, tools_alloc;
};

/* Bytes a layer's tar carries for an entry: a regular file's contents; a hard link shares its
 * target's and carries none. */
static uint64_t entry_bytes(const dd_entry *e)
{
    return e->type == DD_FT_REG ? e->size : 0;
}

/* ---- wasted bytes per layer ---- */

static void count_layers(dd_hygiene *h, const dd_walk *w)
{
    size_t n = dd_walk_count(w), nh = dd_walk_hidden_count(w);

    for (size_t i = 0; i < n; i++) {
        const dd_entry *e = dd_walk_entry(w, i);

        if (e->type == DD_FT_REG && e->layer < h->n_layers) {
            h->layers[e->layer].files++;
            h->layers[e->layer].bytes += e->size;
        }
    }
    for (size_t i = 0; i < nh; i++) {
        const dd_entry *e = dd_walk_hidden(w, i);

        if (e->type != DD_FT_REG || e->layer >= h->n_layers || e->hidden_by >= h->n_layers)
            continue;
        h->layers[e->layer].files++;
        h->layers[e->layer].bytes += e->size;
        h->layers[e->layer].wasted_files++;
        h->layers[e->layer].wasted_bytes += e->size;
        h->layers[e->hidden_by].removed_files++;
        h->layers[e->hidden_by].removed_bytes += e->size;
    }
    for (size_t i = 0; i < h->n_layers; i++) {
        h->sum.files += h->layers[i].files;
        h->sum.bytes += h->layers[i].bytes;
        h->sum.wasted_files += h->layers[i].wasted_files;
        h->sum.wasted_bytes += h->layers[i].wasted_bytes;
    }
}

/* ---- dive's efficiency ----
 * dive builds one tree per layer from its tar (whiteouts as nodes named by the path they
 * delete, opaque markers dropped) and visits the leaves of every tree. Per path it adds up the
 * leaves' sizes (a whiteout's size is what it deletes when that is a directory, else 0) and
 * keeps the smallest; the score is sum(smallest) / sum(all), the wasted bytes the sum over the
 * paths seen more than once. The walk keeps every layer's entries (the view and the hidden
 * ones) and, for a whiteout, the entries it deleted: the nodes follow from those. */

typedef struct {
    const char *path;
    uint64_t size;
    uint32_t layer;
    bool leaf;
} dive_node;

/* Bytewise, with '/' below every other byte, so that a directory's descendants follow it. */
static int path_cmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned ca = (unsigned char)*a, cb = (unsigned char)*b;

        ca = ca == '/' ? 1 : ca;
        cb = cb == '/' ? 1 : cb;
        if (ca != cb || ca == 0)
            return (int)ca - (int)cb;
    }
}

static int cmp_layer_path(const void *pa, const void *pb)
{
    const dive_node *a = pa, *b = pb;

    if (a->layer != b->layer)
        return a->layer < b->layer ? -1 : 1;
    return path_cmp(a->path, b->path);
}

static int cmp_path_layer(const void *pa, const void *pb)
{
    const dive_node *a = pa, *b = pb;
    int c = strcmp(a->path, b->path);

    if (c)
        return c;
    return a->layer < b->layer ? -1 : a->layer > b->layer;
}

/* The first hidden entry whose path does not sort before the `plen` bytes of `path` (the
 * hidden list is sorted by path): the entries with that prefix follow it, shortest first. */
static size_t hidden_lower_bound(const dd_walk *w, const char *path, size_t plen)
{
    size_t lo = 0, hi = dd_walk_hidden_count(w);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strncmp(dd_walk_hidden(w, mid)->path, path, plen) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* True when the parent directory of `e` was deleted by the same whiteout layer: then `e` is
 * below a whiteout, not the target of one. */
static bool deleted_with_parent(const dd_walk *w, const dd_entry *e)
{
    const char *slash = strrchr(e->path, '/');
    size_t plen, i;

    if (!slash)
        return false;
    plen = (size_t)(slash - e->path);
    for (i = hidden_lower_bound(w, e->path, plen); i < dd_walk_hidden_count(w); i++) {
        const dd_entry *p = dd_walk_hidden(w, i);

        if (strlen(p->path) != plen || strncmp(p->path, e->path, plen) != 0)
            break;
        if (p->hidden == DD_HIDDEN_DELETED && p->hidden_by == e->hidden_by)
            return true;
    }
    return false;
}

/* What a whiteout of directory `e` deletes: the bytes below it hidden by the same layer. */
static int deleted_below(uint64_t *out, const dd_walk *w, const dd_entry *e)
{
    size_t plen = strlen(e->path);
    dd_buf prefix = DD_BUF_INIT;

    *out = 0;
    if (dd_buf_printf(&prefix, "%s/", e->path) != DD_OK)
        return DD_ENOMEM;
    for (size_t i = hidden_lower_bound(w, prefix.data, plen + 1); i < dd_walk_hidden_count(w);
         i++) {
        const dd_entry *c = dd_walk_hidden(w, i);

        if (strncmp(c->path, prefix.data, plen + 1) != 0)
            break;
        if (c->hidden == DD_HIDDEN_DELETED && c->hidden_by == e->hidden_by)
            *out += entry_bytes(c);
    }
    dd_buf_dispose(&prefix);
    return DD_OK;
}

static int dive_efficiency(dd_hygiene *h, const dd_walk *w)
{
    size_t n = dd_walk_count(w), nh = dd_walk_hidden_count(w), k = 0;
    dive_node *nodes = dd_malloc((n + 2 * nh + 1) * sizeof(*nodes));
    uint64_t minimum = 0, discovered = 0;

    if (!nodes)
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const dd_entry *e = dd_walk_entry(w, i);

        if (!e->implicit)
            nodes[k++] = (dive_node){e->path, entry_bytes(e), e->layer, true};
    }
    for (size_t i = 0; i < nh; i++) {
        const dd_entry *e = dd_walk_hidden(w, i);

        if (e->implicit)
            continue;
        nodes[k++] = (dive_node){e->path, entry_bytes(e), e->layer, true};
        if (e->hidden == DD_HIDDEN_DELETED && !deleted_with_parent(w, e)) {
            uint64_t size = 0;

            if (e->type == DD_FT_DIR && deleted_below(&size, w, e) != DD_OK) {
                dd_free(nodes);
                return DD_ENOMEM;
            }
            nodes[k++] = (dive_node){e->path, size, e->hidden_by, true};
        }
    }
    /* a node with another node of its layer below it is a directory, not a leaf */
    if (k > 1)
        qsort(nodes, k, sizeof(*nodes), cmp_layer_path);
    for (size_t i = 0; i < k; i++) {
        size_t len = strlen(nodes[i].path), j = i + 1;

        while (j < k && nodes[j].layer == nodes[i].layer &&
               strcmp(nodes[j].path, nodes[i].path) == 0)
            j++;
        if (j < k && nodes[j].layer == nodes[i].layer &&
            strncmp(nodes[j].path, nodes[i].path, len) == 0 && nodes[j].path[len] == '/')
            nodes[i].leaf = false;
    }
    if (k > 1)
        qsort(nodes, k, sizeof(*nodes), cmp_path_layer);
    for (size_t i = 0; i < k;) {
        uint64_t cum = 0, min = UINT64_MAX;
        size_t leaves = 0, j = i;

        for (; j < k && strcmp(nodes[j].path, nodes[i].path) == 0; j++) {
            if (!nodes[j].leaf)
                continue;
            leaves++;
            cum += nodes[j].size;
            if (nodes[j].size < min)
                min = nodes[j].size;
        }
        if (leaves) {
            discovered += cum;
            minimum += min;
            if (leaves >= 2)
                h->sum.dive_wasted_bytes += cum;
        }
        i = j;
    }
    h->sum.efficiency = discovered ? (double)minimum / (double)discovered : 1.0;
    dd_free(nodes);
    return DD_OK;
}

/* ---- caches ---- */

static const struct {
    const char *kind;
    const char *marker; /* the cache directory with a trailing '/' */
    bool anchored;      /* at the root only; else below any directory ("root/.cache/pip/") */
} cache_dirs[] = {
    {"apt-lists", "var/lib/apt/lists/", true}, {"apt-cache", "var/cache/apt/", true},
    {"apk", "var/cache/apk/", true},           {"yum", "var/cache/yum/", true},
    {"dnf", "var/cache/dnf/", true},           {"pip", ".cache/pip/", false},
    {"npm", ".npm/_cacache/", false},          {"yarn", ".cache/yarn/", false},
};

/* The length of the cache directory `path` lies in, or 0; `*kind` is set. */
static size_t cache_root(const char *path, const char **kind)
{
    for (size_t i = 0; i < DD_ARRAY_SIZE(cache_dirs); i++) {
        const char *m = cache_dirs[i].marker, *p = path;
        size_t ml = strlen(m);

        if (cache_dirs[i].anchored) {
            if (strncmp(path, m, ml) != 0)
                continue;
            *kind = cache_dirs[i].kind;
            return ml - 1;
        }
        while ((p = strstr(p, m)) != NULL) {
            if (p == path || p[-1] == '/') {
                *kind = cache_dirs[i].kind;
                return (size_t)(p - path) + ml - 1;
            }
            p++;
        }
    }
    return 0;
}

static int add_cache(dd_hygiene *h, const dd_entry *e)
{
    const char *kind = NULL;
    size_t root = cache_root(e->path, &kind);
    dd_hygiene_cache *c = NULL;

    if (!root || e->type != DD_FT_REG)
        return DD_OK;
    for (size_t i = 0; i < h->n_caches && !c; i++)
        if (h->caches[i].layer == e->layer && strlen(h->caches[i].path) == root &&
            strncmp(h->caches[i].path, e->path, root) == 0)
            c = &h->caches[i];
    if (!c) {
        if (DD_ARRAY_RESERVE(h->caches, h->caches_alloc, h->n_caches + 1, sizeof(*h->caches), 8) !=
            DD_OK)
            return DD_ENOMEM;
        c = &h->caches[h->n_caches];
        memset(c, 0, sizeof(*c));
        c->kind = kind;
        c->layer = e->layer;
        if (!(c->path = dd_arena_strndup(h->arena, e->path, root)))
            return dd_error_set(DD_ENOMEM, "out of memory");
        h->n_caches++;
    }
    c->files++;
    c->bytes += e->size;
    return DD_OK;
}

static int cmp_cache(const void *pa, const void *pb)
{
    const dd_hygiene_cache *a = pa, *b = pb;
    int c = strcmp(a->path, b->path);

    if (c)
        return c;
    return a->layer < b->layer ? -1 : a->layer > b->layer;
}

/* ---- build tools, shell, package manager ---- */

static const struct {
    const char *name;
    const char *kind;
    const char *const globs[5]; /* base names, NULL-terminated */
} tools[] = {
    {"gcc", "compiler", {"gcc", "gcc-[0-9]*", NULL}},
    {"g++", "compiler", {"g++", "g++-[0-9]*", NULL}},
    {"cc", "compiler", {"cc", "c++", NULL}},
    {"clang", "compiler", {"clang", "clang-[0-9]*", "clang++", NULL}},
    {"tcc", "compiler", {"tcc", NULL}},
    {"gfortran", "compiler", {"gfortran", "gfortran-[0-9]*", NULL}},
    {"javac", "compiler", {"javac", NULL}},
    {"rustc", "compiler", {"rustc", NULL}},
    {"make", "build", {"make", "gmake", NULL}},
    {"cmake", "build", {"cmake", NULL}},
    {"ninja", "build", {"ninja", NULL}},
    {"autoconf", "build", {"autoconf", "automake", "libtool", NULL}},
    {"meson", "build", {"meson", NULL}},
    {"maven", "build", {"mvn", NULL}},
    {"gradle", "build", {"gradle", NULL}},
    {"git", "vcs", {"git", NULL}},
    {"svn", "vcs", {"svn", NULL}},
    {"hg", "vcs", {"hg", NULL}},
    {"pip", "package-manager", {"pip", "pip[0-9]*", NULL}},
    {"npm", "package-manager", {"npm", NULL}},
    {"yarn", "package-manager", {"yarn", NULL}},
    {"pnpm", "package-manager", {"pnpm", NULL}},
    {"gem", "package-manager", {"gem", "bundle", NULL}},
    {"composer", "package-manager", {"composer", NULL}},
    {"cargo", "package-manager", {"cargo", NULL}},
    {"poetry", "package-manager", {"poetry", "pipenv", NULL}},
    {"go", "toolchain", {"go", NULL}},
    {"rustup", "toolchain", {"rustup", NULL}},
};

static const char *const bin_dirs[] = {
    "bin",           "sbin",           "usr/bin",          "usr/sbin",
    "usr/local/bin", "usr/local/sbin", "usr/local/go/bin", "usr/local/cargo/bin",
};

static const char *const shells[] = {
    "bin/sh",  "bin/bash",   "bin/ash",      "bin/dash",
    "bin/zsh", "usr/bin/sh", "usr/bin/bash", "bin/busybox",
};

static const char *const package_managers[] = {
    "usr/bin/apt-get", "usr/bin/apt", "usr/bin/dpkg",   "sbin/apk",
    "usr/bin/apk",     "usr/bin/yum", "usr/bin/dnf",    "usr/bin/microdnf",
    "usr/bin/rpm",     "bin/rpm",     "usr/bin/zypper", "usr/bin/pacman",
};

/* Sets *present when `path` is, or leads by symlinks to, a regular file. DD_OK or DD_ENOMEM
 * (a missing target or a symlink loop is simply absent). */
static int executable_present(bool *present, const dd_walk *w, const char *path)
{
    const dd_entry *t;
    int rc = dd_walk_resolve(w, path, &t);

    *present = false;
    if (rc == DD_ENOMEM)
        return rc;
    if (rc != DD_OK) {
        dd_error_clear();
        return DD_OK;
    }
    *present = t->type == DD_FT_REG || t->type == DD_FT_HARDLINK;
    return DD_OK;
}

/* The first of `paths` present in the image, or NULL. */
static int first_present(const char **out, const dd_walk *w, const char *const *paths, size_t n)
{
    int rc;

    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        bool present;

        if ((rc = executable_present(&present, w, paths[i])) != DD_OK)
            return rc;
        if (present) {
            *out = paths[i]; /* static: outlives the walk */
            return DD_OK;
        }
    }
    return DD_OK;
}

static int add_tool(dd_hygiene *h, const dd_walk *w, const dd_entry *e)
{
    const char *base = dd_imgcheck__basename(e->path);
    size_t dlen = (size_t)(base - e->path);
    bool in_bin = false;

    if (dlen == 0)
        return DD_OK;
    for (size_t i = 0; i < DD_ARRAY_SIZE(bin_dirs) && !in_bin; i++)
        in_bin = strlen(bin_dirs[i]) == dlen - 1 && strncmp(e->path, bin_dirs[i], dlen - 1) == 0;
    if (!in_bin)
        return DD_OK;
    for (size_t i = 0; i < DD_ARRAY_SIZE(tools); i++) {
        bool match = false;

        for (size_t g = 0; tools[i].globs[g] && !match; g++)
            match = fnmatch(tools[i].globs[g], base, 0) == 0;
        if (!match)
            continue;
        for (size_t t = 0; t < h->n_tools; t++)
            if (h->tools[t].name == tools[i].name)
                return DD_OK; /* the first path (in path order) stands for the tool */
        bool present = e->type == DD_FT_REG || e->type == DD_FT_HARDLINK;
        int rc;

        if (!present && e->type == DD_FT_SYMLINK &&
            (rc = executable_present(&present, w, e->path)) != DD_OK)
            return rc;
        if (!present)
            return DD_OK;
        if (DD_ARRAY_RESERVE(h->tools, h->tools_alloc, h->n_tools + 1, sizeof(*h->tools), 8) !=
            DD_OK)
            return DD_ENOMEM;
        h->tools[h->n_tools] = (dd_hygiene_tool){tools[i].name, tools[i].kind,
                                                 dd_arena_strdup(h->arena, e->path), e->layer};
        if (!h->tools[h->n_tools].path)
            return dd_error_set(DD_ENOMEM, "out of memory");
        h->n_tools++;
        return DD_OK;
    }
    return DD_OK;
}

static int cmp_tool(const void *pa, const void *pb)
{
    return strcmp(((const dd_hygiene_tool *)pa)->name, ((const dd_hygiene_tool *)pb)->name);
}

/* ---- the result ---- */

int dd_hygiene_compute(dd_hygiene **out, const dd_image_config *cfg, const dd_walk *w)
{
    dd_hygiene *h = dd_calloc(1, sizeof(*h));
    size_t n = dd_walk_count(w), kept = 0;
    int rc = DD_ENOMEM;

    *out = NULL;
    if (!h || dd_arena_new(&h->arena) != DD_OK)
        goto fail;
    h->n_layers = dd_walk_layer_count(w);
    if (h->n_layers && !(h->layers = dd_arena_alloc(h->arena, h->n_layers * sizeof(*h->layers))))
        goto fail;
    for (size_t i = 0; i < h->n_layers; i++) {
        memset(&h->layers[i], 0, sizeof(h->layers[i]));
        h->layers[i].index = (uint32_t)i;
    }
    for (size_t i = 0; cfg && i < cfg->n_history; i++) {
        int32_t l = cfg->history[i].layer;

        if (l >= 0 && (size_t)l < h->n_layers && cfg->history[i].created_by &&
            !(h->layers[l].created_by = dd_arena_strdup(h->arena, cfg->history[i].created_by)))
            goto fail;
    }
    count_layers(h, w);
    if ((rc = dive_efficiency(h, w)) != DD_OK)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        const dd_entry *e = dd_walk_entry(w, i);

        if ((rc = add_cache(h, e)) != DD_OK || (rc = add_tool(h, w, e)) != DD_OK)
            goto fail;
    }
    /* an empty cache directory (apt's lock file, partial/) costs nothing */
    for (size_t i = 0; i < h->n_caches; i++)
        if (h->caches[i].bytes)
            h->caches[kept++] = h->caches[i];
    h->n_caches = kept;
    if (h->n_caches > 1)
        qsort(h->caches, h->n_caches, sizeof(*h->caches), cmp_cache);
    if (h->n_tools > 1)
        qsort(h->tools, h->n_tools, sizeof(*h->tools), cmp_tool);
    for (size_t i = 0; i < h->n_caches; i++) {
        h->sum.cache_files += h->caches[i].files;
        h->sum.cache_bytes += h->caches[i].bytes;
    }
    if ((rc = first_present(&h->sum.shell, w, shells, DD_ARRAY_SIZE(shells))) != DD_OK ||
        (rc = first_present(&h->sum.package_manager, w, package_managers,
                            DD_ARRAY_SIZE(package_managers))) != DD_OK)
        goto fail;
    *out = h;
    return DD_OK;
fail:
    if (rc == DD_ENOMEM && dd_error_code() != DD_ENOMEM)
        dd_error_set(DD_ENOMEM, "out of memory");
    dd_hygiene_free(h);
    return rc;
}

void dd_hygiene_free(dd_hygiene *h)
{
    if (!h)
        return;
    dd_arena_free(h->arena);
    dd_free(h->caches);
    dd_free(h->tools);
    dd_free(h);
}

const dd_hygiene_summary *dd_hygiene_summary_get(const dd_hygiene *h)
{
    return &h->sum;
}

size_t dd_hygiene_layer_count(const dd_hygiene *h)
{
    return h->n_layers;
}

const dd_hygiene_layer *dd_hygiene_layer_get(const dd_hygiene *h, size_t index)
{
    return index < h->n_layers ? &h->layers[index] : NULL;
}

size_t dd_hygiene_cache_count(const dd_hygiene *h)
{
    return h->n_caches;
}

const dd_hygiene_cache *dd_hygiene_cache_get(const dd_hygiene *h, size_t index)
{
    return index < h->n_caches ? &h->caches[index] : NULL;
}

size_t dd_hygiene_tool_count(const dd_hygiene *h)
{
    return h->n_tools;
}

const dd_hygiene_tool *dd_hygiene_tool_get(const dd_hygiene *h, size_t index)
{
    return index < h->n_tools ? &h->tools[index] : NULL;
}

/* LOW below a mebibyte, MEDIUM from there. */
static dd_severity size_severity(uint64_t bytes)
{
    return bytes >= MIB ? DD_SEV_MEDIUM : DD_SEV_LOW;
}

static int hygiene_findings(dd_imgcheck__list *l, const dd_hygiene *h)
{
    int rc;

    for (size_t i = 0; i < h->n_layers; i++) {
        const dd_hygiene_layer *ly = &h->layers[i];
        dd_imgcheck__where where = DD_IMGCHECK__WHERE_INIT;

        if (!ly->wasted_bytes)
            continue;
        where.layer = (int32_t)i;
        where.bytes = ly->wasted_bytes;
        where.severity = size_severity(ly->wasted_bytes);
        if ((rc = dd_imgcheck__add(l, DD_ISSUE_HYGIENE, "DD-HYG-001", &where,
                                   "layer %zu carries %" PRIu64 " bytes in %" PRIu64
                                   " files that upper layers overwrite or delete",
                                   i, ly->wasted_bytes, ly->wasted_files)) != DD_OK)
            return rc;
    }
    for (size_t i = 0; i < h->n_caches; i++) {
        const dd_hygiene_cache *c = &h->caches[i];
        dd_imgcheck__where where = DD_IMGCHECK__WHERE_INIT;

        where.path = c->path;
        where.layer = (int32_t)c->layer;
        where.bytes = c->bytes;
        where.severity = size_severity(c->bytes);
        if ((rc = dd_imgcheck__add(l, DD_ISSUE_HYGIENE, "DD-HYG-002", &where,
                                   "%s cache %s: %" PRIu64 " bytes in %" PRIu64
                                   " files left by layer %u",
                                   c->kind, c->path, c->bytes, c->files, c->layer)) != DD_OK)
            return rc;
    }
    for (size_t i = 0; i < h->n_tools; i++) {
        const dd_hygiene_tool *t = &h->tools[i];
        dd_imgcheck__where where = DD_IMGCHECK__WHERE_INIT;

        where.path = t->path;
        where.layer = (int32_t)t->layer;
        if ((rc = dd_imgcheck__add(l, DD_ISSUE_HYGIENE, "DD-HYG-003", &where,
                                   "%s %s is in the final image (%s, layer %u)", t->kind, t->name,
                                   t->path, t->layer)) != DD_OK)
            return rc;
    }
    if (h->sum.shell || h->sum.package_manager) {
        dd_imgcheck__where where = DD_IMGCHECK__WHERE_INIT;

        where.path = h->sum.shell ? h->sum.shell : h->sum.package_manager;
        if ((rc = dd_imgcheck__add(l, DD_ISSUE_HYGIENE, "DD-HYG-004", &where,
                                   "%s%s%s%s%s: the image is not distroless",
                                   h->sum.shell ? "shell " : "", h->sum.shell ? h->sum.shell : "",
                                   h->sum.shell && h->sum.package_manager ? " and " : "",
                                   h->sum.package_manager ? "package manager " : "",
                                   h->sum.package_manager ? h->sum.package_manager : "")) != DD_OK)
            return rc;
    }
    if (h->sum.efficiency < EFFICIENCY_MINIMUM) {
        dd_imgcheck__where where = DD_IMGCHECK__WHERE_INIT;

        where.bytes = h->sum.dive_wasted_bytes;
        if ((rc = dd_imgcheck__add(l, DD_ISSUE_HYGIENE, "DD-HYG-005", &where,
                                   "efficiency %.1f%%: %" PRIu64
                                   " bytes in paths that several layers write",
                                   h->sum.efficiency * 100.0, h->sum.dive_wasted_bytes)) != DD_OK)
            return rc;
    }
    return DD_OK;
}

int dd_hygiene_issues(const dd_hygiene *h, dd_issue_fn fn, void *payload)
{
    dd_imgcheck__list l;
    int rc;

    if ((rc = dd_imgcheck__list_init(&l)) != DD_OK)
        return rc;
    if ((rc = hygiene_findings(&l, h)) == DD_OK)
        rc = dd_imgcheck__emit(&l, false, fn, payload);
    dd_imgcheck__list_dispose(&l);
    return rc;
}

/* ---- writers ---- */

static void json_str_or_null(FILE *fp, const char *s)
{
    if (s)
        dd_json_put_string(fp, s);
    else
        fputs("null", fp);
}

int dd_hygiene_write_json(FILE *fp, const dd_hygiene *h)
{
    const dd_hygiene_summary *s = &h->sum;

    fprintf(fp, "{\"layers\":[");
    for (size_t i = 0; i < h->n_layers; i++) {
        const dd_hygiene_layer *l = &h->layers[i];

        fprintf(fp, "%s{\"index\":%u,\"created_by\":", i ? "," : "", l->index);
        json_str_or_null(fp, l->created_by);
        fprintf(fp,
                ",\"files\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"wasted_files\":%" PRIu64
                ",\"wasted_bytes\":%" PRIu64 ",\"removed_files\":%" PRIu64
                ",\"removed_bytes\":%" PRIu64 "}",
                l->files, l->bytes, l->wasted_files, l->wasted_bytes, l->removed_files,
                l->removed_bytes);
    }
    fprintf(fp,
            "],\"files\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"wasted_files\":%" PRIu64
            ",\"wasted_bytes\":%" PRIu64 ",\"dive_wasted_bytes\":%" PRIu64
            ",\"efficiency\":%.6f,\"cache_files\":%" PRIu64 ",\"cache_bytes\":%" PRIu64
            ",\"caches\":[",
            s->files, s->bytes, s->wasted_files, s->wasted_bytes, s->dive_wasted_bytes,
            s->efficiency, s->cache_files, s->cache_bytes);
    for (size_t i = 0; i < h->n_caches; i++) {
        const dd_hygiene_cache *c = &h->caches[i];

        fprintf(fp, "%s{\"kind\":\"%s\",\"path\":", i ? "," : "", c->kind);
        dd_json_put_string(fp, c->path);
        fprintf(fp, ",\"layer\":%u,\"files\":%" PRIu64 ",\"bytes\":%" PRIu64 "}", c->layer,
                c->files, c->bytes);
    }
    fprintf(fp, "],\"build_tools\":[");
    for (size_t i = 0; i < h->n_tools; i++) {
        const dd_hygiene_tool *t = &h->tools[i];

        fprintf(fp, "%s{\"name\":\"%s\",\"kind\":\"%s\",\"path\":", i ? "," : "", t->name, t->kind);
        dd_json_put_string(fp, t->path);
        fprintf(fp, ",\"layer\":%u}", t->layer);
    }
    fprintf(fp, "],\"shell\":");
    json_str_or_null(fp, s->shell);
    fprintf(fp, ",\"package_manager\":");
    json_str_or_null(fp, s->package_manager);
    fprintf(fp, "}\n");
    return ferror(fp) ? dd_error_set(DD_EIO, "write error") : DD_OK;
}

int dd_hygiene_write_text(FILE *fp, const dd_hygiene *h)
{
    const dd_hygiene_summary *s = &h->sum;

    fprintf(fp, "%-6s %10s %14s %10s %14s %14s  %s\n", "LAYER", "FILES", "BYTES", "WASTED",
            "WASTED BYTES", "REMOVES BYTES", "CREATED BY");
    for (size_t i = 0; i < h->n_layers; i++) {
        const dd_hygiene_layer *l = &h->layers[i];
        const char *cb = l->created_by ? l->created_by : "";

        fprintf(
            fp,
            "%-6u %10" PRIu64 " %14" PRIu64 " %10" PRIu64 " %14" PRIu64 " %14" PRIu64 "  %.60s\n",
            l->index, l->files, l->bytes, l->wasted_files, l->wasted_bytes, l->removed_bytes, cb);
    }
    fprintf(fp, "%-6s %10" PRIu64 " %14" PRIu64 " %10" PRIu64 " %14" PRIu64 "\n", "total", s->files,
            s->bytes, s->wasted_files, s->wasted_bytes);
    fprintf(fp,
            "\nefficiency %.2f%% (dive's score), %" PRIu64
            " bytes in paths written more than once\n",
            s->efficiency * 100.0, s->dive_wasted_bytes);
    if (h->n_caches) {
        fprintf(fp, "\n%-12s %-40s %6s %10s %14s\n", "CACHE", "PATH", "LAYER", "FILES", "BYTES");
        for (size_t i = 0; i < h->n_caches; i++) {
            const dd_hygiene_cache *c = &h->caches[i];

            fprintf(fp, "%-12s %-40s %6u %10" PRIu64 " %14" PRIu64 "\n", c->kind, c->path, c->layer,
                    c->files, c->bytes);
        }
    }
    if (h->n_tools) {
        fprintf(fp, "\n%-10s %-16s %-40s %6s\n", "TOOL", "KIND", "PATH", "LAYER");
        for (size_t i = 0; i < h->n_tools; i++) {
            const dd_hygiene_tool *t = &h->tools[i];

            fprintf(fp, "%-10s %-16s %-40s %6u\n", t->name, t->kind, t->path, t->layer);
        }
    }
    fprintf(fp, "\nshell: %s\npackage manager: %s\n", s->shell ? s->shell : "none",
            s->package_manager ? s->package_manager : "none");
    return ferror(fp) ? dd_error_set(DD_EIO, "write error") : DD_OK;
}
