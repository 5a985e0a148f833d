/* Fuzz target: the walk's per-layer tar parser and the squash, fed the input as one layer and
 * then as two stacked copies (so its whiteouts and opaque markers meet lower entries). */
#include "walk/walk_int.h"

#include <stdint.h>
#include <string.h>

static int count_hook(const dd_entry *e, uint64_t off, const void *data, size_t len,
                      void *payload)
{
    uint64_t *n = payload;

    *n += len + (e->path[0] != '\0');
    return 0;
}

static void query(dd_walk *w)
{
    for (size_t i = 0; i < dd_walk_count(w); i++) {
        const dd_entry *e = dd_walk_entry(w, i), *r;
        const void *data;
        size_t len;

        if (dd_walk_lookup(w, e->path) != e)
            __builtin_trap();
        if (i && strcmp(dd_walk_entry(w, i - 1)->path, e->path) >= 0)
            __builtin_trap();
        dd_walk_resolve(w, e->path, &r);
        if (dd_walk_content(w, e, &data, &len, NULL) == DD_OK && len > 256)
            __builtin_trap();
    }
    for (size_t i = 0; i < dd_walk_hidden_count(w); i++) {
        const dd_entry *e = dd_walk_hidden(w, i);

        if (e->hidden == DD_HIDDEN_NONE || e->hidden_by <= e->layer)
            __builtin_trap();
    }
}

static void walk_layers(const uint8_t *data, size_t size, size_t n)
{
    dd_walk_opts o = DD_WALK_OPTS_INIT;
    const void *bufs[2] = {data, data};
    size_t lens[2] = {size, size};
    uint64_t seen = 0;
    dd_walk *w;

    o.threads = 1;
    o.limits.max_entries = 20000;
    o.limits.max_capture_bytes = 4096;
    o.limits.max_symlink_hops = 8;
    if (dd_walk_new(&w, &o) != DD_OK)
        return;
    dd_walk_capture(w, "*", 256);
    dd_walk_set_content_hook(w, count_hook, &seen);
    /* odd chunk sizes move the buffer boundaries around the headers */
    if (dd_walk__run_buffers(w, "fuzz.tar", bufs, lens, n, 1 + size % 4099) == DD_OK)
        query(w);
    dd_walk_free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    walk_layers(data, size, 1);
    walk_layers(data, size, 2);
    return 0;
}
