/* Resolving libcurl's functions at first use (see curl_dl.h for why). */
#include "vulndb/curl_dl.h"

#include <drydock/common.h>

#include "util/util.h"

#include <pthread.h>
#include <stdio.h>

dd_curl_api dd_curl__fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[256];

static void load(void)
{
    static const dd_dl_sym syms[] = {
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
    dd_dl_load("libcurl.so.4", syms, sizeof(syms) / sizeof(syms[0]), &dd_curl__fn,
               sizeof(dd_curl__fn), load_error, sizeof(load_error));
}

int dd_curl__load(void)
{
    pthread_once(&once, load);
    if (load_error[0])
        return dd_error_set(DD_EUNSUPPORTED, "%s (install libcurl4)", load_error);
    return DD_OK;
}
