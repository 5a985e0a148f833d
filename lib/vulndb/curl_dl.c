/* Resolving libcurl's functions at first use (see curl_dl.h for why). */
#include "vulndb/curl_dl.h"

#include <drydock/common.h>

#include "util/util.h"

#include <stdio.h>

dd_curl_api dd_curl__fn;

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

static dd_dl_lib lib = DD_DL_LIB("libcurl.so.4", "libcurl4", syms, dd_curl__fn);

int dd_curl__load(void)
{
    return dd_dl_require(&lib);
}
