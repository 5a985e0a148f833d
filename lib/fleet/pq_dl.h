/* libpq, loaded when a store first connects to PostgreSQL rather than when drydock starts:
 * linked directly, libpq brings GnuTLS or OpenSSL's TLS stack, Kerberos and LDAP into every
 * drydock command. db_pg.c calls the usual PQ* names; this header maps them onto the functions
 * dd_pq__load() resolves from libpq.so.5. */
#ifndef DD_PQ_DL_H
#define DD_PQ_DL_H

#include <libpq-fe.h>

typedef struct {
    PGconn *(*connectdb)(const char *conninfo);
    ConnStatusType (*status)(const PGconn *conn);
    char *(*errorMessage)(const PGconn *conn);
    void (*finish)(PGconn *conn);
    PGresult *(*exec)(PGconn *conn, const char *query);
    PGresult *(*prepare)(PGconn *conn, const char *name, const char *query, int nParams,
                         const Oid *paramTypes);
    PGresult *(*execPrepared)(PGconn *conn, const char *name, int nParams,
                              const char *const *paramValues, const int *paramLengths,
                              const int *paramFormats, int resultFormat);
    ExecStatusType (*resultStatus)(const PGresult *res);
    char *(*resultErrorMessage)(const PGresult *res);
    char *(*resultErrorField)(const PGresult *res, int fieldcode);
    int (*ntuples)(const PGresult *res);
    char *(*getvalue)(const PGresult *res, int row, int col);
    int (*getisnull)(const PGresult *res, int row, int col);
    void (*clear)(PGresult *res);
    PQnoticeProcessor (*setNoticeProcessor)(PGconn *conn, PQnoticeProcessor proc, void *arg);
} dd_pq_api;

extern dd_pq_api dd_pq__fn;

/* Loads libpq once per process. DD_EUNSUPPORTED with dlopen's reason when it is missing
 * (Debian: the libpq5 package). Thread-safe. */
int dd_pq__load(void);

#define PQconnectdb          dd_pq__fn.connectdb
#define PQstatus             dd_pq__fn.status
#define PQerrorMessage       dd_pq__fn.errorMessage
#define PQfinish             dd_pq__fn.finish
#define PQexec               dd_pq__fn.exec
#define PQprepare            dd_pq__fn.prepare
#define PQexecPrepared       dd_pq__fn.execPrepared
#define PQresultStatus       dd_pq__fn.resultStatus
#define PQresultErrorMessage dd_pq__fn.resultErrorMessage
#define PQresultErrorField   dd_pq__fn.resultErrorField
#define PQntuples            dd_pq__fn.ntuples
#define PQgetvalue           dd_pq__fn.getvalue
#define PQgetisnull          dd_pq__fn.getisnull
#define PQclear              dd_pq__fn.clear
#define PQsetNoticeProcessor dd_pq__fn.setNoticeProcessor

#endif
