/* libhs (vectorscan), loaded when the secret scanner first compiles or loads its rules rather
 * than when drydock starts: linked directly, libhs and the libstdc++ it pulls in cost every
 * command about 1.4 MB of RSS and 1 ms before main, although only secret scanning uses it.
 * secrets.c calls the usual hs_* names; this header maps them onto the functions dd_hs__load()
 * resolves from libhs.so.5. */
#ifndef DD_HS_DL_H
#define DD_HS_DL_H

#include <hs.h>

typedef struct {
    const char *(*version)(void);
    hs_error_t (*compile_multi)(const char *const *expressions, const unsigned *flags,
                                const unsigned *ids, unsigned elements, unsigned mode,
                                const hs_platform_info_t *platform, hs_database_t **db,
                                hs_compile_error_t **error);
    hs_error_t (*expression_info)(const char *expression, unsigned flags, hs_expr_info_t **info,
                                  hs_compile_error_t **error);
    hs_error_t (*free_compile_error)(hs_compile_error_t *error);
    hs_error_t (*serialize_database)(const hs_database_t *db, char **bytes, size_t *length);
    hs_error_t (*deserialize_database)(const char *bytes, const size_t length, hs_database_t **db);
    hs_error_t (*free_database)(hs_database_t *db);
    hs_error_t (*alloc_scratch)(const hs_database_t *db, hs_scratch_t **scratch);
    hs_error_t (*free_scratch)(hs_scratch_t *scratch);
    hs_error_t (*scan)(const hs_database_t *db, const char *data, unsigned length, unsigned flags,
                       hs_scratch_t *scratch, match_event_handler on_event, void *context);
    hs_error_t (*open_stream)(const hs_database_t *db, unsigned flags, hs_stream_t **stream);
    hs_error_t (*scan_stream)(hs_stream_t *id, const char *data, unsigned length, unsigned flags,
                              hs_scratch_t *scratch, match_event_handler on_event, void *ctxt);
    hs_error_t (*close_stream)(hs_stream_t *id, hs_scratch_t *scratch, match_event_handler on_event,
                               void *ctxt);
} dd_hs_api;

extern dd_hs_api dd_hs__fn;

/* Loads libhs once per process. DD_EUNSUPPORTED with dlopen's reason when it is missing
 * (Debian: the libvectorscan5 package). Thread-safe. */
int dd_hs__load(void);

#define hs_version              dd_hs__fn.version
#define hs_compile_multi        dd_hs__fn.compile_multi
#define hs_expression_info      dd_hs__fn.expression_info
#define hs_free_compile_error   dd_hs__fn.free_compile_error
#define hs_serialize_database   dd_hs__fn.serialize_database
#define hs_deserialize_database dd_hs__fn.deserialize_database
#define hs_free_database        dd_hs__fn.free_database
#define hs_alloc_scratch        dd_hs__fn.alloc_scratch
#define hs_free_scratch         dd_hs__fn.free_scratch
#define hs_scan                 dd_hs__fn.scan
#define hs_open_stream          dd_hs__fn.open_stream
#define hs_scan_stream          dd_hs__fn.scan_stream
#define hs_close_stream         dd_hs__fn.close_stream

#endif
