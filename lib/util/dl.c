/* Libraries loaded at first use: one all-or-nothing resolver, run once per library, for the
 * tables of function pointers that the *_dl.h headers (lib/util/sqlite_dl.h,
 * lib/vulndb/curl_dl.h, lib/fleet/pq_dl.h, lib/server/mhd_dl.h, lib/secrets/hs_dl.h) map the
 * libraries' usual names onto. */
#include "util/util.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int dl_load(const char *soname, const dd_dl_sym *syms, size_t n, void *table,
                   size_t table_size, char *err, size_t errcap)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL), *tmp;

    if (!h) {
        snprintf(err, errcap, "cannot load %s: %s", soname, dlerror());
        return -1;
    }
    if (!(tmp = calloc(1, table_size))) {
        snprintf(err, errcap, "cannot load %s: out of memory", soname);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        void *f = dlsym(h, syms[i].name);
        if (!f) {
            snprintf(err, errcap, "%s has no %s", soname, syms[i].name);
            free(tmp);
            return -1; /* the handle stays open: harmless, and dlclose of a half-used library is not
                        */
        }
        memcpy((char *)tmp + syms[i].off, &f, sizeof(f));
    }
    memcpy(table, tmp, table_size);
    free(tmp);
    return 0;
}

int dd_dl_require(dd_dl_lib *lib)
{
    int state = atomic_load_explicit(&lib->state, memory_order_acquire);

    if (state == 0) {
        pthread_mutex_lock(&lib->mu);
        if ((state = atomic_load_explicit(&lib->state, memory_order_relaxed)) == 0) {
            state = dl_load(lib->soname, lib->syms, lib->n_syms, lib->table, lib->table_size,
                            lib->err, sizeof(lib->err)) == 0
                        ? 1
                        : -1;
            atomic_store_explicit(&lib->state, state, memory_order_release);
        }
        pthread_mutex_unlock(&lib->mu);
    }
    if (state < 0)
        return dd_error_set(DD_EUNSUPPORTED, "%s (install %s)", lib->err, lib->package);
    return DD_OK;
}
