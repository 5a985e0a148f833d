/* What drydock push and drydock fleet share: the server and key from flags or environment. */
#ifndef DD_FLEET_CLI_H
#define DD_FLEET_CLI_H

#include <drydock/fleet_client.h>

/* A client of `server` (else $DRYDOCK_SERVER) with `api_key` (else $DRYDOCK_API_KEY).
 * `what` names the command in messages. Returns 0, or DD_EXIT_USAGE after printing why. */
int dd_cli_fleet_client(dd_fleet_client **out, const char *what, const char *server,
                        const char *api_key);

/* Writes `doc` as indented JSON to -o FILE or stdout; returns 0 or DD_EXIT_USAGE. */
int dd_cli_fleet_print_json(const json_t *doc, const char *output);

#endif
