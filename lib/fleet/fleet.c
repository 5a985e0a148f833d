/* Opening and closing the store: the URL, the pool, the schema. */
#include "fleet/fleet_int.h"

#include <ctype.h>
#include <string.h>

/* "sqlite:PATH", a bare PATH, or a PostgreSQL URI; another scheme is refused. */
static int parse_url(dd_fleet *f, const char *url)
{
    const char *target = url;
    size_t n = 0;

    if (!url || !*url)
        return dd_error_set(DD_EINVALID, "store URL is empty");
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
        f->kind = DD_DB_PG;
        f->ops = &dd_fleet__pg_ops;
    } else {
        while (isalnum((unsigned char)url[n]) || url[n] == '+' || url[n] == '-' || url[n] == '.')
            n++;
        if (strncmp(url, "sqlite:", 7) == 0)
            target = url + 7;
        else if (n > 0 && strncmp(url + n, "://", 3) == 0)
            return dd_error_set(DD_EINVALID,
                                "store URL \"%s\": scheme \"%.*s\" is not sqlite: or postgresql://",
                                url, (int)n, url);
        if (!*target)
            return dd_error_set(DD_EINVALID, "store URL \"%s\" has no path", url);
        f->kind = DD_DB_SQLITE;
        f->ops = &dd_fleet__sqlite_ops;
    }
    if (!(f->target = dd_strdup(target)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    return DD_OK;
}

int dd_fleet_open(dd_fleet **out, const dd_fleet_opts *opts)
{
    dd_fleet *f;
    dd_fleet_conn *c = NULL;
    int rc;

    *out = NULL;
    if (!(f = dd_calloc(1, sizeof(*f))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    pthread_mutex_init(&f->mu, NULL);
    {
        pthread_mutexattr_t ma;

        pthread_mutexattr_init(&ma);
        pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
        pthread_mutex_init(&f->write_mu, &ma);
        pthread_mutexattr_destroy(&ma);
    }
    pthread_cond_init(&f->cv, NULL);
    pthread_mutex_init(&f->vdb_mu, NULL);
    f->pool_size = opts->pool_size ? opts->pool_size : 8;
    if ((rc = dd_fleet__idcache_new(&f->ids)) != DD_OK)
        goto fail;
    if ((rc = parse_url(f, opts->url)) != DD_OK)
        goto fail;
    if (!(f->idle = dd_calloc(f->pool_size, sizeof(*f->idle))) ||
        !(f->vdb_idle = dd_calloc(f->pool_size, sizeof(*f->vdb_idle))) ||
        (opts->vulndb_path && !(f->vulndb_path = dd_strdup(opts->vulndb_path)))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = dd_fleet__acquire(f, &c)) != DD_OK)
        goto fail;
    rc = dd_fleet__migrate(f, c);
    dd_fleet__release(f, c);
    if (rc != DD_OK || (rc = dd_fleet__checkpointer_start(f)) != DD_OK)
        goto fail;
    *out = f;
    return DD_OK;
fail:
    dd_fleet_close(f);
    return rc;
}

void dd_fleet_close(dd_fleet *f)
{
    if (!f)
        return;
    dd_fleet__checkpointer_stop(f);
    dd_fleet__pool_close(f);
    if (f->vdb_idle)
        dd_fleet__vulndb_close_all(f);
    dd_fleet__idcache_free(f->ids);
    pthread_mutex_destroy(&f->mu);
    pthread_mutex_destroy(&f->write_mu);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->vdb_mu);
    dd_free(f->idle);
    dd_free(f->vdb_idle);
    dd_free(f->target);
    dd_free(f->vulndb_path);
    dd_free(f);
}

const char *dd_fleet_backend(const dd_fleet *f)
{
    return f->kind == DD_DB_PG ? "postgresql" : "sqlite";
}

bool dd_fleet_ping(dd_fleet *f)
{
    dd_fleet_conn *c;
    int64_t one = 0;
    bool ok;

    if (dd_fleet__acquire(f, &c) != DD_OK)
        return false;
    ok = dd_fleet__int(c, "SELECT 1", NULL, 0, &one, NULL) == DD_OK && one == 1;
    if (!ok)
        c->broken = !c->ops->alive(c->db);
    dd_fleet__release(f, c);
    return ok;
}
