/* The identity ids ingest has seen, by (ecosystem, purl), kept in memory: identities are never
 * deleted and their ids never change, so an entry stays true for the life of the store, whatever
 * other servers do. A push whose packages are all known then needs no lookup statement at all. */
#include "fleet/fleet_int.h"

#include <string.h>

/* Slots grow from MIN_SLOTS up to MAX_SLOTS, kept at most half full; a table full at its largest
 * is emptied and refilled (the cache only saves lookups, it never answers for the database). */
#define MIN_SLOTS 4096u
#define MAX_SLOTS (1u << 20)

typedef struct {
    uint64_t hash;
    char *key; /* ecosystem, NUL, purl; NULL: an empty slot */
    int64_t id;
} slot;

struct dd_fleet_idcache {
    pthread_rwlock_t lock;
    slot *slots;
    size_t cap, n;
};

static uint64_t key_hash(const char *eco, const char *purl)
{
    uint64_t h = dd_fnv1a(DD_FNV1A_INIT, eco);

    h = dd_fnv1a((h ^ 0xff) * 0x100000001b3ull, purl);
    return h ^ (h >> 29);
}

static bool key_equal(const char *key, const char *eco, const char *purl)
{
    size_t el = strlen(eco);

    return strncmp(key, eco, el) == 0 && key[el] == '\0' && strcmp(key + el + 1, purl) == 0;
}

int dd_fleet__idcache_new(dd_fleet_idcache **out)
{
    dd_fleet_idcache *c = dd_calloc(1, sizeof(*c));

    *out = NULL;
    if (!c)
        return dd_error_set(DD_ENOMEM, "out of memory");
    pthread_rwlock_init(&c->lock, NULL);
    *out = c;
    return DD_OK;
}

static void clear_slots(dd_fleet_idcache *c)
{
    for (size_t i = 0; i < c->cap; i++)
        dd_free(c->slots[i].key);
    dd_free(c->slots);
    c->slots = NULL;
    c->cap = c->n = 0;
}

void dd_fleet__idcache_free(dd_fleet_idcache *c)
{
    if (!c)
        return;
    clear_slots(c);
    pthread_rwlock_destroy(&c->lock);
    dd_free(c);
}

void dd_fleet__idcache_read_begin(dd_fleet_idcache *c)
{
    pthread_rwlock_rdlock(&c->lock);
}

void dd_fleet__idcache_read_end(dd_fleet_idcache *c)
{
    pthread_rwlock_unlock(&c->lock);
}

int64_t dd_fleet__idcache_get(const dd_fleet_idcache *c, const char *eco, const char *purl)
{
    uint64_t h = key_hash(eco, purl);

    if (c->cap)
        for (size_t i = h & (c->cap - 1); c->slots[i].key; i = (i + 1) & (c->cap - 1))
            if (c->slots[i].hash == h && key_equal(c->slots[i].key, eco, purl))
                return c->slots[i].id;
    return 0;
}

static void insert_slot(slot *slots, size_t cap, const slot *s)
{
    size_t i = s->hash & (cap - 1);

    while (slots[i].key)
        i = (i + 1) & (cap - 1);
    slots[i] = *s;
}

/* Room for one more entry: a larger table, or an empty one at the largest size. */
static bool make_room(dd_fleet_idcache *c)
{
    size_t cap = c->cap ? c->cap * 2 : MIN_SLOTS;
    slot *grown;

    if ((c->n + 1) * 2 <= c->cap)
        return true;
    if (cap > MAX_SLOTS) {
        size_t keep = c->cap;

        clear_slots(c);
        cap = keep;
    }
    if (!(grown = dd_calloc(cap, sizeof(*grown))))
        return false;
    for (size_t i = 0; i < c->cap; i++)
        if (c->slots[i].key)
            insert_slot(grown, cap, &c->slots[i]);
    dd_free(c->slots);
    c->slots = grown;
    c->cap = cap;
    return true;
}

void dd_fleet__idcache_put(dd_fleet_idcache *c, const char *eco, const char *purl, int64_t id)
{
    size_t el = strlen(eco), pl = strlen(purl);
    slot s = {key_hash(eco, purl), NULL, id};

    pthread_rwlock_wrlock(&c->lock);
    if (c->cap)
        for (size_t i = s.hash & (c->cap - 1); c->slots[i].key; i = (i + 1) & (c->cap - 1))
            if (c->slots[i].hash == s.hash && key_equal(c->slots[i].key, eco, purl))
                goto done;
    /* out of memory only costs lookups later: nothing to report */
    if (!make_room(c) || !(s.key = dd_malloc(el + pl + 2)))
        goto done;
    memcpy(s.key, eco, el + 1);
    memcpy(s.key + el + 1, purl, pl + 1);
    insert_slot(c->slots, c->cap, &s);
    c->n++;
done:
    pthread_rwlock_unlock(&c->lock);
}
