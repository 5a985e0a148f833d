/* The fleet server: the HTTP API of docs/fleet-api.md over a dd_fleet store, on libmicrohttpd
 * (loaded at dd_server_start), with a background thread that re-matches the store when the
 * vulnerability database file changes and delivers the webhook outbox. */
#ifndef DRYDOCK_SERVER_H
#define DRYDOCK_SERVER_H

#include <drydock/common.h>
#include <drydock/fleet.h>

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dd_server dd_server;

typedef struct {
    /* "HOST:PORT", "[V6]:PORT" or ":PORT" (all interfaces); port 0 = any free port.
     * NULL = "127.0.0.1:8080". HOST is a numeric address or a name resolved once. */
    const char *listen;
    unsigned threads;            /* request threads; 0 = number of CPUs */
    unsigned max_connections;    /* connections open at once, more are refused; 0 = 256 */
    uint64_t max_body;           /* request body bytes, more is 413; 0 = 64 MiB */
    unsigned connection_timeout; /* seconds a connection may stay idle; 0 = 30 */
    /* The vulnerability database watched and re-matched against (also the store's, see
     * dd_fleet_opts); NULL: no watching. */
    const char *vulndb_path;
    unsigned watch_interval; /* seconds between checks of vulndb_path; 0 = never */
    /* Whether POST /api/v1/admin/rematch may name another database file in its body. */
    bool allow_vulndb_path;
    /* Receives one line per event worth an operator's attention (internal errors with their
     * real message, background re-matches and deliveries); called from any thread. NULL: quiet.
     * The library never prints. */
    void (*log)(void *payload, const char *line);
    void *log_payload;
} dd_server_opts;

#define DD_SERVER_OPTS_INIT                                                                        \
    {                                                                                              \
        NULL, 0, 0, 0, 0, NULL, 10, false, NULL, NULL                                              \
    }

/* Starts serving `fleet` (borrowed: it must outlive the server) as `opts` says. Returns the TCP
 * port bound (1-65535, the real one when opts->listen asked for port 0) with *out set, or a
 * negative dd_error_t: DD_EINVALID for a malformed listen address or option, DD_EIO when the
 * address cannot be bound, DD_EUNSUPPORTED when libmicrohttpd cannot be loaded. */
int dd_server_start(dd_server **out, dd_fleet *fleet, const dd_server_opts *opts);

/* The port bound by dd_server_start. */
unsigned dd_server_port(const dd_server *srv);

/* Stops accepting, finishes the requests under way, stops the background thread and frees the
 * server. Accepts NULL. */
void dd_server_stop(dd_server *srv);

#ifdef __cplusplus
}
#endif

#endif
