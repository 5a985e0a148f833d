/* The ids a finding answers to (its advisory id, its aliases and the ids of the records merged
 * into it) as shared sets. The findings of one advisory on many identities mostly name the same
 * ids, so a finding keeps the number of its set, and "affected by" goes from an id to the sets
 * holding it, then to their findings: a new finding costs one index entry, not one row per id.
 *
 * A set is known by the SHA-256 of its canonical text (its ids upper-cased, sorted, each once,
 * each ended by a newline); sets and their members are never changed or deleted. */
#include "fleet/fleet_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* An id is at most this long (longer ones are cut, as "affected by" cuts its argument). */
#define VID_MAX 255

typedef struct {
    char digest[72];
    const char **vids; /* in the arena: upper-cased, sorted, distinct */
    size_t n;
    int64_t id;
    bool created; /* inserted by this call: its members are to be written */
} vid_set;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int canon(dd_arena *a, const dd_fleet_vid_list *l, vid_set *s)
{
    const char **v = dd_arena_alloc(a, (l->n ? l->n : 1) * sizeof(*v));
    dd_buf text = DD_BUF_INIT;
    size_t n = 0;
    int rc = DD_OK;

    if (!v)
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < l->n; i++) {
        char *up = dd_arena_strndup(a, l->v[i], strnlen(l->v[i], VID_MAX));

        if (!up)
            return dd_error_set(DD_ENOMEM, "out of memory");
        for (char *p = up; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        if (*up)
            v[n++] = up;
    }
    qsort(v, n, sizeof(*v), cmp_str);
    s->n = 0;
    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        if (s->n && strcmp(v[s->n - 1], v[i]) == 0)
            continue;
        v[s->n++] = v[i];
        if (dd_buf_puts(&text, v[i]) != DD_OK || dd_buf_put(&text, "\n", 1) != DD_OK)
            rc = dd_error_set(DD_ENOMEM, "out of memory");
    }
    s->vids = v;
    if (rc == DD_OK)
        rc = dd_sha256_digest(s->digest, text.data ? text.data : "", text.len);
    dd_buf_dispose(&text);
    return rc;
}

static int cmp_set(const void *a, const void *b)
{
    return strcmp(((const vid_set *)a)->digest, ((const vid_set *)b)->digest);
}

static vid_set *find_set(vid_set *sets, size_t n, const char *digest)
{
    vid_set key;

    snprintf(key.digest, sizeof(key.digest), "%s", digest);
    return bsearch(&key, sets, n, sizeof(*sets), cmp_set);
}

/* The digests of the sets without an id yet, as a PostgreSQL array. */
static int missing_array(dd_buf *b, const vid_set *sets, size_t n, size_t *n_missing)
{
    const char **d = dd_malloc((n ? n : 1) * sizeof(*d));
    size_t k = 0;
    int rc;

    if (!d)
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (!sets[i].id)
            d[k++] = sets[i].digest;
    dd_buf_clear(b);
    rc = dd_fleet__array_text(b, d, k);
    dd_free(d);
    *n_missing = k;
    return rc;
}

/* Runs a statement answering (id, digest) over the missing digests and notes the ids. */
static int note_sets(dd_fleet_conn *c, const char *sql, vid_set *sets, size_t n, bool created)
{
    dd_buf a = DD_BUF_INIT;
    dd_q q = {0};
    size_t k = 0;
    int rc = missing_array(&a, sets, n, &k);

    if (rc != DD_OK || !k) {
        dd_buf_dispose(&a);
        return rc;
    }
    for (rc = dd_q_run(&q, c, sql, (dd_dbv[]){DBT(a.data)}, 1); rc > 0; rc = dd_q_next(&q)) {
        vid_set *s = find_set(sets, n, dd_q_text(&q, 1));

        if (s) {
            s->id = dd_q_int(&q, 0);
            s->created = created;
        }
    }
    dd_q_done(&q);
    dd_buf_dispose(&a);
    return rc < 0 ? rc : DD_OK;
}

/* PostgreSQL: the known sets in one statement, the others inserted in one (in digest order,
 * so that two writers inserting the same sets wait on each other rather than deadlock), those
 * another writer inserted meanwhile read again, and the members of the new ones in one. */
static int resolve_pg(dd_fleet_conn *c, vid_set *sets, size_t n)
{
    static const char *const select_sql =
        "SELECT id, digest FROM vid_sets WHERE digest = ANY($1::text[])";
    const char **vid = NULL;
    int64_t *set_id = NULL;
    size_t rows = 0, k = 0;
    dd_buf a_vid = DD_BUF_INIT, a_id = DD_BUF_INIT;
    int rc;

    if ((rc = note_sets(c, select_sql, sets, n, false)) != DD_OK ||
        (rc = note_sets(c,
                        "INSERT INTO vid_sets (digest) SELECT d FROM unnest($1::text[]) AS u(d) "
                        "ON CONFLICT (digest) DO NOTHING RETURNING id, digest",
                        sets, n, true)) != DD_OK ||
        (rc = note_sets(c, select_sql, sets, n, false)) != DD_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        rows += sets[i].created ? sets[i].n : 0;
    if (!rows)
        return DD_OK;
    vid = dd_malloc(rows * sizeof(*vid));
    set_id = dd_malloc(rows * sizeof(*set_id));
    if (!vid || !set_id) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; sets[i].created && j < sets[i].n; j++) {
            vid[k] = sets[i].vids[j];
            set_id[k++] = sets[i].id;
        }
    if ((rc = dd_fleet__array_text(&a_vid, vid, k)) == DD_OK &&
        (rc = dd_fleet__array_int(&a_id, set_id, k)) == DD_OK)
        rc = dd_fleet__exec(c,
                            "INSERT INTO vid_set_members (vid, set_id) "
                            "SELECT * FROM unnest($1::text[], $2::bigint[])",
                            (dd_dbv[]){DBT(a_vid.data), DBT(a_id.data)}, 2);
done:
    dd_buf_dispose(&a_vid);
    dd_buf_dispose(&a_id);
    dd_free(vid);
    dd_free(set_id);
    return rc;
}

/* SQLite runs in-process, one writer at a time: a statement per set and per member. */
static int resolve_sqlite(dd_fleet_conn *c, vid_set *sets, size_t n)
{
    int rc = DD_OK;

    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        dd_dbv p[2] = {DBT(sets[i].digest)};
        bool found;

        rc = dd_fleet__int(c, "SELECT id FROM vid_sets WHERE digest = $1", p, 1, &sets[i].id,
                           &found);
        if (rc != DD_OK || found)
            continue;
        rc = dd_fleet__int(c, "INSERT INTO vid_sets (digest) VALUES ($1) RETURNING id", p, 1,
                           &sets[i].id, &found);
        for (size_t j = 0; j < sets[i].n && rc == DD_OK; j++) {
            p[0] = DBT(sets[i].vids[j]);
            p[1] = DBI(sets[i].id);
            rc = dd_fleet__exec(c, "INSERT INTO vid_set_members (vid, set_id) VALUES ($1, $2)", p,
                                2);
        }
    }
    return rc;
}

int dd_fleet__vid_sets(dd_fleet_conn *c, const dd_fleet_vid_list *lists, size_t n, int64_t *out)
{
    vid_set *all = dd_calloc(n ? n : 1, sizeof(*all));
    vid_set *uniq = dd_calloc(n ? n : 1, sizeof(*uniq));
    size_t n_uniq = 0;
    dd_arena *a = NULL;
    int rc = all && uniq ? dd_arena_new(&a) : dd_error_set(DD_ENOMEM, "out of memory");

    for (size_t i = 0; i < n && rc == DD_OK; i++)
        rc = canon(a, &lists[i], &all[i]);
    if (rc != DD_OK)
        goto done;
    /* each set once, in digest order */
    memcpy(uniq, all, n * sizeof(*uniq));
    qsort(uniq, n, sizeof(*uniq), cmp_set);
    for (size_t i = 0; i < n; i++)
        if (!n_uniq || strcmp(uniq[n_uniq - 1].digest, uniq[i].digest) != 0)
            uniq[n_uniq++] = uniq[i];
    rc = c->kind == DD_DB_PG ? resolve_pg(c, uniq, n_uniq) : resolve_sqlite(c, uniq, n_uniq);
    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        const vid_set *s = find_set(uniq, n_uniq, all[i].digest);

        if (!s || !s->id)
            rc = dd_error_set(DD_EIO, "the id set of a finding was not stored");
        else
            out[i] = s->id;
    }
done:
    dd_arena_free(a);
    dd_free(all);
    dd_free(uniq);
    return rc;
}
