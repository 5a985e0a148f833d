/* Resolving libhs's functions at first use (see hs_dl.h for why). */
#include "secrets/hs_dl.h"

#include <drydock/common.h>

#include "util/util.h"

#include <stdio.h>

dd_hs_api dd_hs__fn;

static const dd_dl_sym syms[] = {
    {"hs_version", offsetof(dd_hs_api, version)},
    {"hs_compile_multi", offsetof(dd_hs_api, compile_multi)},
    {"hs_expression_info", offsetof(dd_hs_api, expression_info)},
    {"hs_free_compile_error", offsetof(dd_hs_api, free_compile_error)},
    {"hs_serialize_database", offsetof(dd_hs_api, serialize_database)},
    {"hs_deserialize_database", offsetof(dd_hs_api, deserialize_database)},
    {"hs_free_database", offsetof(dd_hs_api, free_database)},
    {"hs_alloc_scratch", offsetof(dd_hs_api, alloc_scratch)},
    {"hs_free_scratch", offsetof(dd_hs_api, free_scratch)},
    {"hs_scan", offsetof(dd_hs_api, scan)},
    {"hs_open_stream", offsetof(dd_hs_api, open_stream)},
    {"hs_scan_stream", offsetof(dd_hs_api, scan_stream)},
    {"hs_close_stream", offsetof(dd_hs_api, close_stream)},
};

static dd_dl_lib lib = DD_DL_LIB("libhs.so.5", "libvectorscan5", syms, dd_hs__fn);

int dd_hs__load(void)
{
    return dd_dl_require(&lib);
}
