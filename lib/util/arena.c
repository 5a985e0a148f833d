/* Bump allocator for parse results that live and die together. */
#include "util/util.h"

#include <string.h>

#define ARENA_CHUNK (64u * 1024u)

struct chunk {
    struct chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

struct dd_arena {
    struct chunk *head;
    size_t total;
};

int dd_arena_new(dd_arena **out)
{
    *out = dd_calloc(1, sizeof(dd_arena));
    return *out ? DD_OK : dd_error_set(DD_ENOMEM, "out of memory");
}

void dd_arena_free(dd_arena *a)
{
    struct chunk *c, *next;

    if (!a)
        return;
    for (c = a->head; c; c = next) {
        next = c->next;
        dd_free(c);
    }
    dd_free(a);
}

void *dd_arena_alloc(dd_arena *a, size_t size)
{
    struct chunk *c = a->head;
    size_t need = (size + 15u) & ~(size_t)15u;
    void *p;

    if (size > SIZE_MAX - 64 - sizeof(struct chunk))
        return NULL;
    if (!c || c->size - c->used < need) {
        size_t csize = need > ARENA_CHUNK / 4 ? need : ARENA_CHUNK;

        c = dd_malloc(sizeof(struct chunk) + csize);
        if (!c)
            return NULL;
        c->size = csize;
        c->used = 0;
        if (need > ARENA_CHUNK / 4 && a->head) {
            /* a big block goes behind the current chunk so its free tail stays usable */
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
        a->total += csize;
    }
    p = c->data + c->used;
    c->used += need;
    return p;
}

char *dd_arena_strndup(dd_arena *a, const char *s, size_t n)
{
    char *p = dd_arena_alloc(a, n + 1);

    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *dd_arena_strdup(dd_arena *a, const char *s)
{
    return dd_arena_strndup(a, s, strlen(s));
}

size_t dd_arena_bytes(const dd_arena *a)
{
    return a->total;
}
