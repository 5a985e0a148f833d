/* Resolving libpq's functions at first use (see pq_dl.h for why). */
#include "fleet/pq_dl.h"

#include <drydock/common.h>

#include "util/util.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

dd_pq_api dd_pq__fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[256];

static void load(void)
{
    static const dd_dl_sym syms[] = {
        {"PQconnectdb", offsetof(dd_pq_api, connectdb)},
        {"PQstatus", offsetof(dd_pq_api, status)},
        {"PQerrorMessage", offsetof(dd_pq_api, errorMessage)},
        {"PQfinish", offsetof(dd_pq_api, finish)},
        {"PQexec", offsetof(dd_pq_api, exec)},
        {"PQprepare", offsetof(dd_pq_api, prepare)},
        {"PQexecPrepared", offsetof(dd_pq_api, execPrepared)},
        {"PQresultStatus", offsetof(dd_pq_api, resultStatus)},
        {"PQresultErrorMessage", offsetof(dd_pq_api, resultErrorMessage)},
        {"PQresultErrorField", offsetof(dd_pq_api, resultErrorField)},
        {"PQntuples", offsetof(dd_pq_api, ntuples)},
        {"PQgetvalue", offsetof(dd_pq_api, getvalue)},
        {"PQgetisnull", offsetof(dd_pq_api, getisnull)},
        {"PQclear", offsetof(dd_pq_api, clear)},
        {"PQsetNoticeProcessor", offsetof(dd_pq_api, setNoticeProcessor)},
    };
    dd_dl_load("libpq.so.5", syms, sizeof(syms) / sizeof(syms[0]), &dd_pq__fn, sizeof(dd_pq__fn),
               load_error, sizeof(load_error));
}

int dd_pq__load(void)
{
    pthread_once(&once, load);
    if (load_error[0])
        return dd_error_set(DD_EUNSUPPORTED, "%s (install libpq5)", load_error);
    return DD_OK;
}
