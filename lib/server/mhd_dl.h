/* libmicrohttpd, loaded when `drydock serve` starts rather than when drydock starts: linked
 * directly, libmicrohttpd pulls GnuTLS (and through it p11-kit, nettle, idn2, tasn1) into every
 * command although only the server uses it. lib/server calls the usual MHD_* names; this header
 * maps them onto the functions dd_mhd__load() resolves from libmicrohttpd.so.12. */
#ifndef DD_MHD_DL_H
#define DD_MHD_DL_H

#include <microhttpd.h>

typedef struct {
    struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port,
                                       MHD_AcceptPolicyCallback apc, void *apc_cls,
                                       MHD_AccessHandlerCallback dh, void *dh_cls, ...);
    void (*stop_daemon)(struct MHD_Daemon *daemon);
    const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *daemon,
                                                   enum MHD_DaemonInfoType info_type, ...);
    int (*get_connection_values)(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                                 MHD_KeyValueIterator iterator, void *iterator_cls);
    const char *(*lookup_connection_value)(struct MHD_Connection *connection,
                                           enum MHD_ValueKind kind, const char *key);
    enum MHD_Result (*queue_response)(struct MHD_Connection *connection, unsigned int status_code,
                                      struct MHD_Response *response);
    struct MHD_Response *(*create_response_from_buffer)(size_t size, void *buffer,
                                                        enum MHD_ResponseMemoryMode mode);
    struct MHD_Response *(*create_response_from_buffer_with_free_callback)(
        size_t size, void *buffer, MHD_ContentReaderFreeCallback crfc);
    void (*destroy_response)(struct MHD_Response *response);
    enum MHD_Result (*add_response_header)(struct MHD_Response *response, const char *header,
                                           const char *content);
    struct MHD_PostProcessor *(*create_post_processor)(struct MHD_Connection *connection,
                                                       size_t buffer_size,
                                                       MHD_PostDataIterator iter, void *iter_cls);
    enum MHD_Result (*post_process)(struct MHD_PostProcessor *pp, const char *post_data,
                                    size_t post_data_len);
    enum MHD_Result (*destroy_post_processor)(struct MHD_PostProcessor *pp);
    const char *(*get_version)(void);
} dd_mhd_api;

extern dd_mhd_api dd_mhd__fn;

/* Loads libmicrohttpd once per process. DD_EUNSUPPORTED with dlopen's reason when it is missing
 * (Debian: the libmicrohttpd12 package). Thread-safe. */
int dd_mhd__load(void);

#define MHD_start_daemon                dd_mhd__fn.start_daemon
#define MHD_stop_daemon                 dd_mhd__fn.stop_daemon
#define MHD_get_daemon_info             dd_mhd__fn.get_daemon_info
#define MHD_get_connection_values       dd_mhd__fn.get_connection_values
#define MHD_lookup_connection_value     dd_mhd__fn.lookup_connection_value
#define MHD_queue_response              dd_mhd__fn.queue_response
#define MHD_create_response_from_buffer dd_mhd__fn.create_response_from_buffer
#define MHD_create_response_from_buffer_with_free_callback                                         \
    dd_mhd__fn.create_response_from_buffer_with_free_callback
#define MHD_destroy_response       dd_mhd__fn.destroy_response
#define MHD_add_response_header    dd_mhd__fn.add_response_header
#define MHD_create_post_processor  dd_mhd__fn.create_post_processor
#define MHD_post_process           dd_mhd__fn.post_process
#define MHD_destroy_post_processor dd_mhd__fn.destroy_post_processor
#define MHD_get_version            dd_mhd__fn.get_version

#endif
