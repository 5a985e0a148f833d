/* The connection pool and the query helpers every part of the store uses. */
#include "fleet/fleet_int.h"

#include <string.h>
#include <strings.h>

static int open_conn(dd_fleet *f, dd_fleet_conn **out)
{
    dd_fleet_conn *c = dd_calloc(1, sizeof(*c));
    int rc;

    if (!c)
        return dd_error_set(DD_ENOMEM, "out of memory");
    c->ops = f->ops;
    c->kind = f->kind;
    c->f = f;
    if ((rc = f->ops->connect(&c->db, f->target)) != DD_OK) {
        dd_free(c);
        return rc;
    }
    *out = c;
    return DD_OK;
}

static void close_conn(dd_fleet_conn *c)
{
    if (!c)
        return;
    c->ops->close(c->db);
    dd_free(c);
}

int dd_fleet__acquire(dd_fleet *f, dd_fleet_conn **out)
{
    int rc;

    pthread_mutex_lock(&f->mu);
    while (f->n_idle == 0 && f->n_open >= f->pool_size)
        pthread_cond_wait(&f->cv, &f->mu);
    if (f->n_idle > 0) {
        *out = f->idle[--f->n_idle];
        pthread_mutex_unlock(&f->mu);
        return DD_OK;
    }
    f->n_open++;
    pthread_mutex_unlock(&f->mu);
    /* connecting happens outside the lock: a slow database must not stall other callers */
    if ((rc = open_conn(f, out)) != DD_OK) {
        pthread_mutex_lock(&f->mu);
        f->n_open--;
        pthread_cond_signal(&f->cv);
        pthread_mutex_unlock(&f->mu);
    }
    return rc;
}

void dd_fleet__release(dd_fleet *f, dd_fleet_conn *c)
{
    if (!c)
        return;
    /* a transaction left open (a failed commit its caller did not roll back) ends here */
    if (c->writing)
        dd_fleet__rollback(c);
    pthread_mutex_lock(&f->mu);
    if (c->broken) {
        /* a connection that lost its server is dropped; the next acquire opens a new one */
        f->n_open--;
        pthread_mutex_unlock(&f->mu);
        close_conn(c);
        pthread_mutex_lock(&f->mu);
    } else {
        f->idle[f->n_idle++] = c;
    }
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

void dd_fleet__pool_close(dd_fleet *f)
{
    for (size_t i = 0; i < f->n_idle; i++)
        close_conn(f->idle[i]);
    f->n_idle = 0;
}

/* Whether a statement writes: the store's SQL texts are constants that start with their verb. */
static bool sql_writes(const char *sql)
{
    while (*sql == ' ' || *sql == '\n')
        sql++;
    return !strncasecmp(sql, "INSERT", 6) || !strncasecmp(sql, "UPDATE", 6) ||
           !strncasecmp(sql, "DELETE", 6);
}

int dd_q_run(dd_q *q, dd_fleet_conn *c, const char *sql, const dd_dbv *p, int n)
{
    int rc;

    q->c = c;
    q->r = NULL;
    q->locked = false;
    /* SQLite: a write outside a transaction queues on write_mu like a transaction would */
    if (c->kind == DD_DB_SQLITE && !c->writing && sql_writes(sql)) {
        pthread_mutex_lock(&c->f->write_mu);
        q->locked = true;
    }
    if ((rc = c->ops->query(c->db, &q->r, sql, p, n)) != DD_OK) {
        /* a server that went away: drop the connection when it is released */
        if (rc == DD_EIO && !c->ops->alive(c->db))
            c->broken = true;
        if (q->locked) {
            q->locked = false;
            pthread_mutex_unlock(&c->f->write_mu);
        }
        return rc;
    }
    return dd_q_next(q);
}

int dd_q_next(dd_q *q)
{
    return q->r ? q->c->ops->next(q->r) : 0;
}

const char *dd_q_text(dd_q *q, int col)
{
    return q->c->ops->text(q->r, col);
}

int64_t dd_q_int(dd_q *q, int col)
{
    const char *s = dd_q_text(q, col);

    return s ? strtoll(s, NULL, 10) : 0;
}

void dd_q_done(dd_q *q)
{
    if (q->r)
        q->c->ops->done(q->r);
    q->r = NULL;
    if (q->locked) {
        q->locked = false;
        pthread_mutex_unlock(&q->c->f->write_mu);
    }
}

int dd_fleet__exec(dd_fleet_conn *c, const char *sql, const dd_dbv *p, int n)
{
    dd_q q = {0};
    int rc = dd_q_run(&q, c, sql, p, n);

    while (rc > 0)
        rc = dd_q_next(&q);
    dd_q_done(&q);
    return rc < 0 ? rc : DD_OK;
}

int dd_fleet__int(dd_fleet_conn *c, const char *sql, const dd_dbv *p, int n, int64_t *out,
                  bool *found)
{
    dd_q q = {0};
    int rc = dd_q_run(&q, c, sql, p, n);

    *out = rc > 0 ? dd_q_int(&q, 0) : 0;
    if (found)
        *found = rc > 0;
    dd_q_done(&q);
    return rc < 0 ? rc : DD_OK;
}

/* Runs transaction control, marking the connection broken when its server went away. */
static int script(dd_fleet_conn *c, const char *sql)
{
    int rc = c->ops->exec_script(c->db, sql);

    if (rc == DD_EIO && !c->ops->alive(c->db))
        c->broken = true;
    return rc;
}

static void end_write(dd_fleet_conn *c)
{
    if (c->writing) {
        c->writing = false;
        pthread_mutex_unlock(&c->f->write_mu);
    }
}

int dd_fleet__begin(dd_fleet_conn *c)
{
    int rc;

    dd_fleet__retryable = false;
    if (c->kind != DD_DB_SQLITE)
        return script(c, "BEGIN");
    /* SQLite: the writers of this process queue on write_mu; BEGIN IMMEDIATE still takes the
     * write lock up front, so a writer of another process waits on busy_timeout instead of one
     * failing with SQLITE_BUSY when it upgrades a read transaction */
    if (!c->writing) {
        pthread_mutex_lock(&c->f->write_mu);
        c->writing = true;
    }
    if ((rc = script(c, "BEGIN IMMEDIATE")) != DD_OK)
        end_write(c);
    return rc;
}

int dd_fleet__commit(dd_fleet_conn *c)
{
    int rc = script(c, "COMMIT");

    /* a failed COMMIT leaves the transaction open for the caller's rollback */
    if (rc == DD_OK) {
        end_write(c);
        dd_fleet__checkpointer_nudge(c->f);
    }
    return rc;
}

void dd_fleet__rollback(dd_fleet_conn *c)
{
    dd_error_state st;

    dd_error_save(&st);
    if (c->ops->exec_script(c->db, "ROLLBACK") != DD_OK)
        c->broken = true;
    end_write(c);
    dd_error_restore(&st);
}

int dd_fleet__array_text(dd_buf *b, const char *const *v, size_t n)
{
    int rc = dd_buf_putc(b, '{');

    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        if (i)
            rc = dd_buf_putc(b, ',');
        if (!v[i]) {
            if (rc == DD_OK)
                rc = dd_buf_puts(b, "NULL");
            continue;
        }
        /* every element quoted: only '"' and '\\' need a backslash inside the quotes */
        if (rc == DD_OK)
            rc = dd_buf_putc(b, '"');
        for (const char *p = v[i]; *p && rc == DD_OK; p++) {
            if (*p == '"' || *p == '\\')
                rc = dd_buf_putc(b, '\\');
            if (rc == DD_OK)
                rc = dd_buf_putc(b, *p);
        }
        if (rc == DD_OK)
            rc = dd_buf_putc(b, '"');
    }
    if (rc == DD_OK)
        rc = dd_buf_putc(b, '}');
    return rc;
}

/* The integers of a list with `sep` between them, "a,b,c" (printf per number was a fifth of a
 * PostgreSQL ingest's CPU). */
int dd_fleet__join_int(dd_buf *b, const int64_t *v, size_t n, const char *sep)
{
    size_t seplen = strlen(sep);
    int rc = DD_OK;

    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        char t[24], *p = t + sizeof(t);
        uint64_t u = v[i] < 0 ? 0 - (uint64_t)v[i] : (uint64_t)v[i];

        do
            *--p = (char)('0' + u % 10);
        while ((u /= 10) != 0);
        if (v[i] < 0)
            *--p = '-';
        if (i)
            rc = dd_buf_put(b, sep, seplen);
        if (rc == DD_OK)
            rc = dd_buf_put(b, p, (size_t)(t + sizeof(t) - p));
    }
    return rc;
}

int dd_fleet__array_int(dd_buf *b, const int64_t *v, size_t n)
{
    int rc = dd_buf_putc(b, '{');

    if (rc == DD_OK)
        rc = dd_fleet__join_int(b, v, n, ",");
    if (rc == DD_OK)
        rc = dd_buf_putc(b, '}');
    return rc;
}

int64_t dd_fleet__now(void)
{
    return (int64_t)time(NULL);
}
