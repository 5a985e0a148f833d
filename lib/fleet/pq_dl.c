/* Resolving libpq's functions at first use (see pq_dl.h for why). */
#include "fleet/pq_dl.h"

#include <drydock/common.h>

#include "util/util.h"

#include <stddef.h>
#include <stdio.h>

dd_pq_api dd_pq__fn;

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

static dd_dl_lib lib = DD_DL_LIB("libpq.so.5", "libpq5", syms, dd_pq__fn);

int dd_pq__load(void)
{
    return dd_dl_require(&lib);
}
