/* Resolving libcurl's functions at first use (see curl_dl.h for why). */
#include "vulndb/curl_dl.h"

#include <drydock/common.h>

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

dd_curl_api dd_curl__fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[256];

static void load(void)
{
    static const struct {
        const char *name;
        size_t off;
    } syms[] = {
        {"curl_global_init", offsetof(dd_curl_api, global_init)},
        {"curl_easy_init", offsetof(dd_curl_api, easy_init)},
        {"curl_easy_setopt", offsetof(dd_curl_api, easy_setopt)},
        {"curl_easy_perform", offsetof(dd_curl_api, easy_perform)},
        {"curl_easy_getinfo", offsetof(dd_curl_api, easy_getinfo)},
        {"curl_easy_reset", offsetof(dd_curl_api, easy_reset)},
        {"curl_easy_cleanup", offsetof(dd_curl_api, easy_cleanup)},
        {"curl_easy_strerror", offsetof(dd_curl_api, easy_strerror)},
        {"curl_easy_escape", offsetof(dd_curl_api, easy_escape)},
        {"curl_free", offsetof(dd_curl_api, free)},
        {"curl_slist_append", offsetof(dd_curl_api, slist_append)},
        {"curl_slist_free_all", offsetof(dd_curl_api, slist_free_all)},
    };
    dd_curl_api api;
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);

    if (!h) {
        snprintf(load_error, sizeof(load_error), "cannot load libcurl: %s", dlerror());
        return;
    }
    for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
        void *f = dlsym(h, syms[i].name);
        if (!f) {
            snprintf(load_error, sizeof(load_error), "libcurl.so.4 has no %s", syms[i].name);
            return; /* the handle stays open: harmless, and dlclose of a half-used library is not */
        }
        *(void **)((char *)&api + syms[i].off) = f;
    }
    dd_curl__fn = api;
}

int dd_curl__load(void)
{
    pthread_once(&once, load);
    if (load_error[0])
        return dd_error_set(DD_EUNSUPPORTED, "%s (install libcurl4)", load_error);
    return DD_OK;
}
