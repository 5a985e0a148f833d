/* Squash: applies the layers' records in order to a directory tree (one node per path, found
 * through a hash on (parent, name)) to get the view a container sees and the hidden entries. */
#include "walk/walk_int.h"

#include <stdlib.h>
#include <string.h>

static uint32_t hash_name(const dd_walk__node *parent, const char *name, size_t len)
{
    uint64_t h = 1469598103934665603ull ^ ((uint64_t)(uintptr_t)parent * 0x9E3779B97F4A7C15ull);

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)name[i];
        h *= 1099511628211ull;
    }
    return (uint32_t)(h ^ (h >> 32));
}

dd_walk__node *dd_walk__tree_child(const dd_walk__tree *t, const dd_walk__node *parent,
                                   const char *name, size_t len)
{
    uint32_t h;

    if (!t->n_buckets)
        return NULL;
    h = hash_name(parent, name, len);
    for (dd_walk__node *n = t->buckets[h & (t->n_buckets - 1)]; n; n = n->hash_next)
        if (n->hash == h && n->parent == parent && n->name_len == len &&
            memcmp(n->name, name, len) == 0)
            return n;
    return NULL;
}

static int tree_rehash(dd_walk__tree *t)
{
    size_t nb = t->n_buckets ? t->n_buckets * 2 : 1024;
    dd_walk__node **b = dd_calloc(nb, sizeof(*b));

    if (!b)
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < t->n_buckets; i++) {
        dd_walk__node *n = t->buckets[i], *next;

        for (; n; n = next) {
            next = n->hash_next;
            n->hash_next = b[n->hash & (nb - 1)];
            b[n->hash & (nb - 1)] = n;
        }
    }
    dd_free(t->buckets);
    t->buckets = b;
    t->n_buckets = nb;
    return DD_OK;
}

static dd_walk__node *tree_add(dd_walk__tree *t, dd_walk__node *parent, const char *name,
                               size_t len, dd_walk__rec *rec)
{
    dd_walk__node *n;
    size_t slot;

    if (t->n_nodes >= t->n_buckets && tree_rehash(t) != DD_OK)
        return NULL;
    if (!(n = dd_arena_alloc(t->arena, sizeof(*n)))) {
        dd_error_set(DD_ENOMEM, "out of memory");
        return NULL;
    }
    memset(n, 0, sizeof(*n));
    n->parent = parent;
    n->name = name;
    n->name_len = (uint32_t)len;
    n->hash = hash_name(parent, name, len);
    n->cur = rec;
    slot = n->hash & (t->n_buckets - 1);
    n->hash_next = t->buckets[slot];
    t->buckets[slot] = n;
    n->next_sibling = parent->first_child;
    if (parent->first_child)
        parent->first_child->prev_sibling = n;
    parent->first_child = n;
    t->n_nodes++;
    return n;
}

static void tree_unhash(dd_walk__tree *t, dd_walk__node *n)
{
    dd_walk__node **pp = &t->buckets[n->hash & (t->n_buckets - 1)];

    while (*pp && *pp != n)
        pp = &(*pp)->hash_next;
    if (*pp)
        *pp = n->hash_next;
    t->n_nodes--;
}

/* Takes `n` (and, by the caller, its subtree) out of its parent's children. */
static void tree_unlink(dd_walk__node *n)
{
    if (n->prev_sibling)
        n->prev_sibling->next_sibling = n->next_sibling;
    else
        n->parent->first_child = n->next_sibling;
    if (n->next_sibling)
        n->next_sibling->prev_sibling = n->prev_sibling;
    n->prev_sibling = n->next_sibling = NULL;
}

/* Moves `rec` to the hidden list, unless the same layer wrote it (a later entry of one layer
 * simply wins) or no layer did (an implicit directory is nothing an upper layer removed). */
static int hide(dd_walk__tree *t, dd_walk__rec *rec, dd_hidden_reason why, uint32_t layer)
{
    if (rec->e.layer == layer || rec->e.implicit)
        return DD_OK;
    if (DD_ARRAY_RESERVE(t->hidden, t->hidden_alloc, t->n_hidden + 1, sizeof(*t->hidden), 256) !=
        DD_OK)
        return DD_ENOMEM;
    rec->e.hidden = why;
    rec->e.hidden_by = layer;
    t->hidden[t->n_hidden++] = rec;
    return DD_OK;
}

/* Hides everything below `dir` and drops those nodes from the tree. Recursion depth is bounded
 * by limits.max_path_depth. */
static int hide_children(dd_walk__tree *t, dd_walk__node *dir, dd_hidden_reason why,
                         uint32_t layer)
{
    dd_walk__node *c = dir->first_child;
    int rc;

    dir->first_child = NULL;
    t->cache_node = NULL;
    for (; c; c = c->next_sibling) {
        if ((rc = hide_children(t, c, why, layer)) != DD_OK)
            return rc;
        if ((rc = hide(t, c->cur, why, layer)) != DD_OK)
            return rc;
        tree_unhash(t, c);
    }
    return DD_OK;
}

static dd_walk__node *tree_lookup(const dd_walk__tree *t, const char *path, size_t len)
{
    const dd_walk__node *n = &t->root;
    const char *end = path + len;

    while (n && path < end) {
        const char *slash = memchr(path, '/', (size_t)(end - path));
        size_t clen = slash ? (size_t)(slash - path) : (size_t)(end - path);

        n = dd_walk__tree_child(t, n, path, clen);
        path += clen + (slash ? 1 : 0);
    }
    return (dd_walk__node *)n;
}

static dd_walk__rec *implicit_dir(dd_walk__tree *t, const char *path, size_t len, uint32_t layer)
{
    dd_walk__rec *r = dd_arena_alloc(t->arena, sizeof(*r));

    if (!r) {
        dd_error_set(DD_ENOMEM, "out of memory");
        return NULL;
    }
    memset(r, 0, sizeof(*r));
    r->e.path = dd_arena_strndup(t->arena, path, len);
    if (!r->e.path) {
        dd_error_set(DD_ENOMEM, "out of memory");
        return NULL;
    }
    r->e.type = DD_FT_DIR;
    r->e.mode = 0755;
    r->e.layer = layer;
    r->e.implicit = 1;
    return r;
}

/* The directory node for `path` (len bytes, "" = root), creating implicit directories for
 * missing components and turning a lower non-directory in the way into one. */
static dd_walk__node *ensure_dir(dd_walk__tree *t, const char *path, size_t len, uint32_t layer)
{
    dd_walk__node *n = &t->root;
    const char *p = path, *end = path + len;

    if (t->cache_node && t->cache_len == len && memcmp(t->cache_dir, path, len) == 0)
        return t->cache_node;
    while (p < end) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        size_t clen = slash ? (size_t)(slash - p) : (size_t)(end - p);
        dd_walk__node *c = dd_walk__tree_child(t, n, p, clen);

        if (!c || c->cur->e.type != DD_FT_DIR) {
            dd_walk__rec *r = implicit_dir(t, path, (size_t)(p + clen - path), layer);

            if (!r)
                return NULL;
            if (!c) {
                if (!(c = tree_add(t, n, r->e.path + (p - path), clen, r)))
                    return NULL;
            } else {
                if (hide(t, c->cur, DD_HIDDEN_REPLACED, layer) != DD_OK)
                    return NULL;
                c->cur = r;
            }
        }
        n = c;
        p += clen + (slash ? 1 : 0);
    }
    t->cache_dir = path;
    t->cache_len = len;
    t->cache_node = n;
    return n;
}

static int apply_opaque(dd_walk__tree *t, const dd_walk__rec *r, uint32_t layer)
{
    dd_walk__node *n = tree_lookup(t, r->e.path, strlen(r->e.path));

    if (!n || (n != &t->root && n->cur->e.type != DD_FT_DIR))
        return DD_OK;
    return hide_children(t, n, DD_HIDDEN_OPAQUE, layer);
}

static int apply_whiteout(dd_walk__tree *t, const dd_walk__rec *r, uint32_t layer)
{
    dd_walk__node *n = tree_lookup(t, r->e.path, strlen(r->e.path));
    int rc;

    if (!n || n == &t->root)
        return DD_OK;
    if ((rc = hide_children(t, n, DD_HIDDEN_DELETED, layer)) != DD_OK)
        return rc;
    if ((rc = hide(t, n->cur, DD_HIDDEN_DELETED, layer)) != DD_OK)
        return rc;
    tree_unlink(n);
    tree_unhash(t, n);
    t->cache_node = NULL;
    return DD_OK;
}

static int apply_entry(dd_walk__tree *t, const dd_walk__layer *l, dd_walk__rec *r,
                       uint32_t layer)
{
    const char *path = r->e.path;
    size_t len = strlen(path);
    const char *slash = memrchr(path, '/', len);
    const char *name = slash ? slash + 1 : path;
    dd_walk__node *parent, *n;
    dd_walk__rec *old;
    int rc;

    if (r->e.type == DD_FT_HARDLINK) {
        dd_walk__node *target = tree_lookup(t, r->e.link, strlen(r->e.link));

        if (!target || target == &t->root)
            return dd_error_set(DD_EINVALID, "%s: entry \"%.200s\": hard link target \"%.200s\" "
                                "not found", l->label, path, r->e.link);
        r->e.size = target->cur->e.size;
        r->target = target->cur;
    }
    parent = ensure_dir(t, path, slash ? (size_t)(slash - path) : 0, layer);
    if (!parent)
        return dd_error_code();
    n = dd_walk__tree_child(t, parent, name, (size_t)(path + len - name));
    if (!n)
        return tree_add(t, parent, name, (size_t)(path + len - name), r) ? DD_OK
                                                                          : dd_error_code();
    old = n->cur;
    n->cur = r;
    if (old->e.type == DD_FT_DIR && r->e.type == DD_FT_DIR)
        return DD_OK; /* the directory is updated; its contents merge */
    if (old->e.type == DD_FT_DIR && (rc = hide_children(t, n, DD_HIDDEN_REPLACED, layer)) != DD_OK)
        return rc;
    return hide(t, old, DD_HIDDEN_REPLACED, layer);
}

static int squash_layer(dd_walk__tree *t, const dd_walk__layer *l, uint32_t layer)
{
    dd_walk__rec *r;
    int rc;

    if (l->stats.opaque_dirs)
        for (r = l->head; r; r = r->next)
            if (r->kind == DD_WALK__REC_OPAQUE && (rc = apply_opaque(t, r, layer)) != DD_OK)
                return rc;
    if (l->stats.whiteouts)
        for (r = l->head; r; r = r->next)
            if (r->kind == DD_WALK__REC_WHITEOUT && (rc = apply_whiteout(t, r, layer)) != DD_OK)
                return rc;
    for (r = l->head; r; r = r->next)
        if (r->kind == DD_WALK__REC_ENTRY && (rc = apply_entry(t, l, r, layer)) != DD_OK)
            return rc;
    return DD_OK;
}

static int cmp_path(const void *a, const void *b)
{
    const dd_walk__rec *x = *(dd_walk__rec *const *)a, *y = *(dd_walk__rec *const *)b;

    return strcmp(x->e.path, y->e.path);
}

static int cmp_path_layer(const void *a, const void *b)
{
    const dd_walk__rec *x = *(dd_walk__rec *const *)a, *y = *(dd_walk__rec *const *)b;
    int c = strcmp(x->e.path, y->e.path);

    if (c)
        return c;
    return x->e.layer < y->e.layer ? -1 : x->e.layer > y->e.layer;
}

int dd_walk__squash(dd_walk *w)
{
    dd_walk__tree *t = &w->tree;
    size_t k = 0;
    int rc;

    if ((rc = dd_arena_new(&t->arena)) != DD_OK)
        return rc;
    if ((rc = tree_rehash(t)) != DD_OK)
        return rc;
    for (size_t i = 0; i < w->n_layers; i++)
        if ((rc = squash_layer(t, &w->layers[i], (uint32_t)i)) != DD_OK)
            return rc;
    w->files = dd_malloc((t->n_nodes ? t->n_nodes : 1) * sizeof(*w->files));
    if (!w->files)
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t b = 0; b < t->n_buckets; b++)
        for (dd_walk__node *n = t->buckets[b]; n; n = n->hash_next)
            w->files[k++] = n->cur;
    w->n_files = k;
    qsort(w->files, w->n_files, sizeof(*w->files), cmp_path);
    if (t->n_hidden)
        qsort(t->hidden, t->n_hidden, sizeof(*t->hidden), cmp_path_layer);
    return DD_OK;
}

void dd_walk__tree_dispose(dd_walk__tree *t)
{
    dd_arena_free(t->arena);
    dd_free(t->buckets);
    dd_free(t->hidden);
    memset(t, 0, sizeof(*t));
}
