/* The single allocation hook, so tests can fail any allocation the library makes. */
#include "util/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static dd_allocator current;

static void *hook_json_malloc(size_t size)
{
    return dd_malloc(size);
}

static void hook_json_free(void *ptr)
{
    dd_free(ptr);
}

void dd_set_allocator(const dd_allocator *alloc)
{
    if (alloc) {
        current = *alloc;
        json_set_alloc_funcs(hook_json_malloc, hook_json_free);
    } else {
        memset(&current, 0, sizeof(current));
        json_set_alloc_funcs(malloc, free);
    }
}

void *dd_malloc(size_t size)
{
    if (size == 0)
        size = 1;
    if (current.malloc_fn)
        return current.malloc_fn(size, current.payload);
    return malloc(size);
}

void *dd_calloc(size_t n, size_t size)
{
    void *p;

    if (size && n > SIZE_MAX / size)
        return NULL;
    p = dd_malloc(n * size);
    if (p)
        memset(p, 0, n * size > 0 ? n * size : 1);
    return p;
}

void *dd_realloc(void *ptr, size_t size)
{
    if (size == 0)
        size = 1;
    if (current.realloc_fn)
        return current.realloc_fn(ptr, size, current.payload);
    return realloc(ptr, size);
}

void dd_free(void *ptr)
{
    if (!ptr)
        return;
    if (current.free_fn)
        current.free_fn(ptr, current.payload);
    else
        free(ptr);
}

char *dd_strndup(const char *s, size_t n)
{
    char *p = dd_malloc(n + 1);

    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *dd_strdup(const char *s)
{
    return dd_strndup(s, strlen(s));
}
