/* The PostgreSQL backend of the store's database layer: statements prepared once per
 * connection (named by the order they were first used) and run with text parameters. */
#include "fleet/fleet_int.h"
#include "fleet/pq_dl.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MAX_PARAMS 520

typedef struct {
    const char *sql;
    unsigned n;
} prepared;

struct dd_db_conn {
    PGconn *pg;
    prepared *cache;
    size_t n_cache, cap_cache;
};

struct dd_db_res {
    PGresult *res;
    int row, rows;
};

/* libpq prints notices ("relation exists, skipping") on stderr; the library never prints. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* libpq's messages end in a newline; messages here are one line. */
static int pg_error(const char *what, const char *msg)
{
    size_t n = strcspn(msg, "\n");

    return dd_error_set(DD_EIO, "postgresql: %s%s%.*s", what, *what ? ": " : "", (int)n, msg);
}

static int pg_connect(dd_db_conn **out, const char *uri)
{
    dd_db_conn *c;
    int rc;

    if ((rc = dd_pq__load()) != DD_OK)
        return rc;
    if (!(c = dd_calloc(1, sizeof(*c))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    c->pg = PQconnectdb(uri);
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        rc = pg_error("", c->pg ? PQerrorMessage(c->pg) : "out of memory");
        if (c->pg)
            PQfinish(c->pg);
        dd_free(c);
        return rc;
    }
    PQsetNoticeProcessor(c->pg, ignore_notice, NULL);
    *out = c;
    return DD_OK;
}

static void pg_close(dd_db_conn *c)
{
    if (!c)
        return;
    PQfinish(c->pg);
    dd_free(c->cache);
    dd_free(c);
}

__thread bool dd_fleet__retryable;

static int check(PGresult *res, const char *what)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    const char *state;

    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return DD_OK;
    state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    /* class 40: a deadlock or serialization failure between concurrent writers; the
     * transaction can simply run again */
    if (state && strncmp(state, "40", 2) == 0)
        dd_fleet__retryable = true;
    /* class 23: integrity constraint violations are the input's fault, not the database's */
    if (state && strncmp(state, "23", 2) == 0)
        return dd_error_set(DD_EINVALID, "postgresql: %.*s", (int)strcspn(PQresultErrorMessage(res), "\n"),
                            PQresultErrorMessage(res));
    return pg_error(what, res ? PQresultErrorMessage(res) : "out of memory");
}

static int pg_exec_script(dd_db_conn *c, const char *sql)
{
    PGresult *res = PQexec(c->pg, sql);
    int rc = check(res, "");

    PQclear(res);
    return rc;
}

static int find_or_prepare(dd_db_conn *c, const char *sql, int n, char name[32])
{
    PGresult *res;
    int rc;

    for (size_t i = 0; i < c->n_cache; i++)
        if (c->cache[i].sql == sql) {
            snprintf(name, 32, "dd%u", c->cache[i].n);
            return DD_OK;
        }
    if ((rc = DD_ARRAY_RESERVE(c->cache, c->cap_cache, c->n_cache + 1, sizeof(*c->cache), 64)) !=
        DD_OK)
        return rc;
    snprintf(name, 32, "dd%zu", c->n_cache);
    res = PQprepare(c->pg, name, sql, n, NULL);
    rc = check(res, "prepare");
    PQclear(res);
    if (rc != DD_OK)
        return rc;
    c->cache[c->n_cache].sql = sql;
    c->cache[c->n_cache].n = (unsigned)c->n_cache;
    c->n_cache++;
    return DD_OK;
}

static int pg_query(dd_db_conn *c, dd_db_res **out, const char *sql, const dd_dbv *p, int n)
{
    const char *values[MAX_PARAMS];
    char ints[MAX_PARAMS][24], name[32];
    PGresult *res;
    dd_db_res *r;
    int rc;

    if (n > MAX_PARAMS)
        return dd_error_set(DD_ERROR, "postgresql: %d parameters (at most %d)", n, MAX_PARAMS);
    if ((rc = find_or_prepare(c, sql, n, name)) != DD_OK)
        return rc;
    for (int i = 0; i < n; i++) {
        if (p[i].is_int) {
            snprintf(ints[i], sizeof(ints[i]), "%" PRId64, p[i].i);
            values[i] = ints[i];
        } else {
            values[i] = p[i].s;
        }
    }
    res = PQexecPrepared(c->pg, name, n, values, NULL, NULL, 0);
    if ((rc = check(res, "query")) != DD_OK) {
        PQclear(res);
        return rc;
    }
    if (!(r = dd_malloc(sizeof(*r)))) {
        PQclear(res);
        return dd_error_set(DD_ENOMEM, "out of memory");
    }
    r->res = res;
    r->row = -1;
    r->rows = PQntuples(res);
    *out = r;
    return DD_OK;
}

static int pg_next(dd_db_res *r)
{
    if (r->row + 1 >= r->rows)
        return 0;
    r->row++;
    return 1;
}

static const char *pg_text(dd_db_res *r, int col)
{
    if (r->row < 0 || PQgetisnull(r->res, r->row, col))
        return NULL;
    return PQgetvalue(r->res, r->row, col);
}

static void pg_done(dd_db_res *r)
{
    PQclear(r->res);
    dd_free(r);
}

static bool pg_alive(dd_db_conn *c)
{
    return PQstatus(c->pg) == CONNECTION_OK;
}

const dd_db_ops dd_fleet__pg_ops = {pg_connect, pg_close, pg_exec_script, pg_query,
                                    pg_next,    pg_text,  pg_done,        pg_alive};
