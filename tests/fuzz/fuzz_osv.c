/* Fuzz target: one OSV record reduced to database rows, and the rows decoded back as the
 * matcher reads them. */
#include "vulndb/vulndb_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *rec = json_loadb((const char *)data, size, 0, NULL);
    dd_osv_row row;
    dd_arena *a;

    if (!rec)
        return 0;
    if (dd_osv__row(&row, rec) == DD_OK) {
        if (dd_arena_new(&a) == DD_OK) {
            for (size_t i = 0; i < row.n_affected; i++) {
                dd_osv_affected out = {.id = row.id};
                (void)dd_osv__decode(&out, a, row.affected[i].data, row.severity, row.aliases,
                                     row.refs);
            }
            dd_arena_free(a);
        }
        dd_osv__row_dispose(&row);
    }
    json_decref(rec);
    return 0;
}
