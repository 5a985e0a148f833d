/* SQLite's checkpoints, off the request path.
 *
 * In WAL mode a commit appends pages to the write-ahead log; a checkpoint copies them back into
 * the database file. SQLite's default runs it inside the commit that takes the log past 1,000
 * pages, so one push in a few pays for the pages of all of them (a fifth of a push's time, and
 * most of the spread between pushes). Here a thread of the store does it on its own connection:
 * woken by each commit, at most every CHECKPOINT_GAP_MS, PASSIVE (it never waits for a reader or
 * the writer). A log the thread falls far behind on is still checkpointed by the commit that
 * takes it past the bound set in db_sqlite.c, SQLite's own way, so it stays bounded. */
#include "fleet/fleet_int.h"

#include <errno.h>
#include <string.h>

#define CHECKPOINT_GAP_MS 50

struct dd_fleet_checkpointer {
    dd_fleet *f;
    dd_db_conn *db;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool due, stop;
};

static void deadline_in(struct timespec *t, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, t);
    t->tv_nsec += ms * 1000000L;
    t->tv_sec += t->tv_nsec / 1000000000L;
    t->tv_nsec %= 1000000000L;
}

static void *run(void *arg)
{
    dd_fleet_checkpointer *k = arg;
    struct timespec until;

    pthread_mutex_lock(&k->mu);
    while (!k->stop) {
        if (!k->due) {
            pthread_cond_wait(&k->cv, &k->mu);
            continue;
        }
        k->due = false;
        pthread_mutex_unlock(&k->mu);
        /* a failure (the file gone, a disk full) is the next commit's to report */
        if (k->f->ops->exec_script(k->db, "PRAGMA wal_checkpoint(PASSIVE)") != DD_OK)
            dd_error_clear();
        pthread_mutex_lock(&k->mu);
        /* the commits of the next CHECKPOINT_GAP_MS are copied together */
        deadline_in(&until, CHECKPOINT_GAP_MS);
        while (!k->stop && pthread_cond_timedwait(&k->cv, &k->mu, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&k->mu);
    return NULL;
}

int dd_fleet__checkpointer_start(dd_fleet *f)
{
    dd_fleet_checkpointer *k;
    pthread_condattr_t ca;
    int rc, err;

    if (f->kind != DD_DB_SQLITE)
        return DD_OK;
    if (!(k = dd_calloc(1, sizeof(*k))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    k->f = f;
    if ((rc = f->ops->connect(&k->db, f->target)) != DD_OK) {
        dd_free(k);
        return rc;
    }
    pthread_mutex_init(&k->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&k->cv, &ca);
    pthread_condattr_destroy(&ca);
    if ((err = pthread_create(&k->thread, NULL, run, k)) != 0) {
        pthread_cond_destroy(&k->cv);
        pthread_mutex_destroy(&k->mu);
        f->ops->close(k->db);
        dd_free(k);
        return dd_error_set(DD_ERROR, "cannot start the checkpoint thread: %s", strerror(err));
    }
    f->ckpt = k;
    return DD_OK;
}

void dd_fleet__checkpointer_nudge(dd_fleet *f)
{
    dd_fleet_checkpointer *k = f->ckpt;

    if (!k)
        return;
    pthread_mutex_lock(&k->mu);
    if (!k->due) {
        k->due = true;
        pthread_cond_signal(&k->cv);
    }
    pthread_mutex_unlock(&k->mu);
}

void dd_fleet__checkpointer_stop(dd_fleet *f)
{
    dd_fleet_checkpointer *k = f->ckpt;

    if (!k)
        return;
    pthread_mutex_lock(&k->mu);
    k->stop = true;
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
    pthread_join(k->thread, NULL);
    pthread_cond_destroy(&k->cv);
    pthread_mutex_destroy(&k->mu);
    f->ops->close(k->db);
    dd_free(k);
    f->ckpt = NULL;
}
