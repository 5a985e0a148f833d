/* Resolving libmicrohttpd's functions at first use (see mhd_dl.h for why). */
#include "server/mhd_dl.h"

#include <drydock/common.h>

#include "util/util.h"

#include <stdio.h>

dd_mhd_api dd_mhd__fn;

#define SYM(name, field)                                                                           \
    {                                                                                              \
        name, offsetof(dd_mhd_api, field)                                                          \
    }
static const dd_dl_sym syms[] = {
    SYM("MHD_start_daemon", start_daemon),
    SYM("MHD_stop_daemon", stop_daemon),
    SYM("MHD_get_daemon_info", get_daemon_info),
    SYM("MHD_get_connection_values", get_connection_values),
    SYM("MHD_lookup_connection_value", lookup_connection_value),
    SYM("MHD_queue_response", queue_response),
    SYM("MHD_create_response_from_buffer", create_response_from_buffer),
    SYM("MHD_create_response_from_buffer_with_free_callback",
        create_response_from_buffer_with_free_callback),
    SYM("MHD_destroy_response", destroy_response),
    SYM("MHD_add_response_header", add_response_header),
    SYM("MHD_create_post_processor", create_post_processor),
    SYM("MHD_post_process", post_process),
    SYM("MHD_destroy_post_processor", destroy_post_processor),
    SYM("MHD_get_version", get_version),
};
#undef SYM

static dd_dl_lib lib = DD_DL_LIB("libmicrohttpd.so.12", "libmicrohttpd12", syms, dd_mhd__fn);

int dd_mhd__load(void)
{
    return dd_dl_require(&lib);
}
