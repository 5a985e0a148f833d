/* The fixture the catalog parser tests share: a package list over its own arena, and a lookup
 * by name. Included after cmocka.h and catalog/catalog_int.h. */
#ifndef DD_TEST_PKGLIST_FIXTURE_H
#define DD_TEST_PKGLIST_FIXTURE_H

#include <stdlib.h>
#include <string.h>

typedef struct {
    dd_arena *arena;
    dd_pkglist list;
} fixture;

static inline int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    assert_int_equal(dd_arena_new(&f->arena), DD_OK);
    f->list.arena = f->arena;
    *state = f;
    return 0;
}

static inline int teardown(void **state)
{
    fixture *f = *state;

    dd_pkglist__dispose(&f->list);
    dd_arena_free(f->arena);
    free(f);
    return 0;
}

/* The first package of `l` named `name`, NULL when none. */
static inline const dd_package *named(const dd_pkglist *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].name, name) == 0)
            return &l->v[i];
    return NULL;
}

#endif
