/* What the OSV reader, the importer and the query side share inside lib/vulndb/. */
#ifndef DD_VULNDB_INT_H
#define DD_VULNDB_INT_H

#include <drydock/vulndb.h>

#include <jansson.h>
#include "util/sqlite_dl.h"

#include "util/util.h"

/* One affected[] entry, reduced to what the database stores. */
typedef struct {
    const char *ecosystem; /* as the record states it */
    const char *name;      /* as the record states it */
    char *key;             /* the name as the ecosystem compares names (dd_vulndb__name_key) */
    char *data;            /* compact JSON: {"r":[[TYPE,[[KIND,VERSION],...]],...],"v":[...],
                              "s":SEVERITY} (see osv.c) */
} dd_osv_affected_row;

/* One OSV record, reduced to what the database stores. Strings borrowed from the json_t, except
 * the JSON texts, which are owned (free with dd_osv__row_dispose). */
typedef struct {
    const char *id;
    const char *modified, *published;
    const char *summary, *details;
    int withdrawn;
    char *aliases;    /* JSON array: aliases[] then upstream[], without duplicates */
    char *refs;       /* JSON array of reference URLs */
    char *severity;   /* JSON object of the record's severity inputs, see osv.c */
    dd_osv_affected_row *affected;
    size_t n_affected;
} dd_osv_row;

/* Reduces one parsed record. DD_EINVALID with the reason as the error message (no position:
 * the caller prefixes "FILE:LINE: ") when a required field is missing or has the wrong type. */
int dd_osv__row(dd_osv_row *row, json_t *rec);
void dd_osv__row_dispose(dd_osv_row *row);

/* The form of package name `name` under which ecosystem `ecosystem` stores and compares it: the
 * PEP 503 normal form for PyPI, lower case for NuGet, Packagist and Maven, else `name` itself.
 * Caller frees with dd_free. */
char *dd_vulndb__name_key(const char *ecosystem, const char *name);

/* Decodes the "data" JSON of an affected row and the record's "severity" JSON into `out`,
 * allocating in `a`. */
int dd_osv__decode(dd_osv_affected *out, dd_arena *a, const char *data, const char *severity,
                   const char *aliases, const char *refs);

/* Checks that an open database is drydock's, with this schema version (DD_EINVALID naming
 * `path` otherwise). */
int dd_vulndb__check(sqlite3 *db, const char *path);

#endif
