/* drydock serve: the fleet server. Opens the store, creates the first administrator key from
 * DRYDOCK_ADMIN_KEY, serves the HTTP API until SIGTERM or SIGINT. */
#include "cli.h"

#include <drydock/fleet.h>
#include <drydock/server.h>
#include <drydock/vulndb.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "sqlite:" + $XDG_DATA_HOME/drydock/fleet.db, else ~/.local/share/drydock/fleet.db. */
static char *default_db_url(void)
{
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    char *url;
    int n;

    if (xdg && *xdg)
        n = asprintf(&url, "sqlite:%s/drydock/fleet.db", xdg);
    else if (home && *home)
        n = asprintf(&url, "sqlite:%s/.local/share/drydock/fleet.db", home);
    else
        return NULL;
    return n < 0 ? NULL : url;
}

/* Creates the directory a SQLite store goes in ("sqlite:PATH" or a bare PATH). */
static int make_store_dir(const char *url)
{
    if (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11))
        return 0;
    if (!strncmp(url, "sqlite:", 7))
        url += 7;
    return strchr(url, '/') ? dd_cli_mkdir_parents(url) : 0;
}

/* "64M", "1G", "4096": bytes. */
static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-')
        return -1;
    switch (*end) {
    case 'K':
    case 'k':
        v <<= 10, end++;
        break;
    case 'M':
    case 'm':
        v <<= 20, end++;
        break;
    case 'G':
    case 'g':
        v <<= 30, end++;
        break;
    default:
        break;
    }
    if (!strcmp(end, "iB") || !strcmp(end, "B"))
        end += strlen(end);
    if (*end || v == 0)
        return -1;
    *out = v;
    return 0;
}

static void log_line(void *payload, const char *line)
{
    (void)payload;
    fprintf(stderr, "drydock: %s\n", line);
}

/* The vulnerability database: --vulndb, else the default one when it exists. */
static char *vulndb_path(const char *flag)
{
    char *path = NULL;

    if (flag)
        return strdup(flag);
    if (dd_vulndb_default_path(&path) != DD_OK)
        return NULL;
    if (access(path, R_OK) != 0) {
        free(path);
        return NULL;
    }
    return path;
}

/* The URL the server answers on, for the "serving on" line. */
static void print_serving(const char *listen, unsigned port)
{
    const char *colon = strrchr(listen, ':');
    int hlen = colon ? (int)(colon - listen) : 0;

    if (hlen == 0)
        fprintf(stderr, "drydock: serving on http://0.0.0.0:%u\n", port);
    else
        fprintf(stderr, "drydock: serving on http://%.*s:%u\n", hlen, listen, port);
}

typedef struct {
    const char *db, *listen, *vulndb, *max_body;
    int watch, threads, max_connections, timeout;
    bool allow_vulndb_path;
} serve_flags;

static int check_flags(const serve_flags *fl, dd_server_opts *so)
{
    if (fl->watch < 0 || fl->threads < 0 || fl->max_connections < 0 || fl->timeout < 0) {
        dd_cli_error("serve: --watch-vulndb, --threads, --max-connections and --timeout take "
                     "numbers of 0 or more");
        return DD_EXIT_USAGE;
    }
    if (fl->max_body && parse_size(fl->max_body, &so->max_body) != 0) {
        dd_cli_error("serve: --max-body needs a size such as 64M, not \"%s\"", fl->max_body);
        return DD_EXIT_USAGE;
    }
    so->listen = fl->listen;
    so->watch_interval = (unsigned)fl->watch;
    so->threads = (unsigned)fl->threads;
    so->max_connections = (unsigned)fl->max_connections;
    so->connection_timeout = (unsigned)fl->timeout;
    so->allow_vulndb_path = fl->allow_vulndb_path;
    so->log = log_line;
    return 0;
}

/* Blocks SIGINT and SIGTERM in every thread started from here on, so that only sigwait below
 * receives them; SIGPIPE is ignored (a client may close its socket at any time). */
static void block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int serve(dd_fleet_opts *fo, dd_server_opts *so)
{
    const char *admin = getenv("DRYDOCK_ADMIN_KEY");
    dd_fleet *fleet = NULL;
    dd_server *srv = NULL;
    sigset_t set;
    int sig, port;

    block_signals(&set);
    if (dd_fleet_open(&fleet, fo) != DD_OK)
        return dd_cli_fail();
    if (admin && *admin && dd_fleet_key_bootstrap(fleet, admin) != DD_OK) {
        dd_fleet_close(fleet);
        return dd_cli_fail();
    }
    if ((port = dd_server_start(&srv, fleet, so)) < 0) {
        dd_fleet_close(fleet);
        return dd_cli_fail();
    }
    print_serving(so->listen ? so->listen : "127.0.0.1:8080", (unsigned)port);
    while (sigwait(&set, &sig) != 0)
        ;
    fprintf(stderr, "drydock: %s received, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    dd_server_stop(srv);
    dd_fleet_close(fleet);
    return DD_EXIT_OK;
}

int dd_cmd_serve(const dd_command *cmd, int argc, char **argv)
{
    serve_flags fl = {.watch = 10};
    const dd_opt opts[] = {
        {0, "db", DD_OPT_STRING, &fl.db, "URL", NULL,
         "store: sqlite:PATH or postgresql://... (default sqlite:$XDG_DATA_HOME/drydock/fleet.db)"},
        {0, "listen", DD_OPT_STRING, &fl.listen, "HOST:PORT", NULL,
         "address to listen on; port 0 = any free port (default 127.0.0.1:8080)"},
        {0, "vulndb", DD_OPT_STRING, &fl.vulndb, "FILE", NULL,
         "vulnerability database to match against (default $XDG_CACHE_HOME/drydock/vuln.db "
         "when it exists)"},
        {0, "watch-vulndb", DD_OPT_INT, &fl.watch, "SECONDS", NULL,
         "re-match when the vulnerability database file changes, checked this often (default "
         "10; 0 = never)"},
        {0, "threads", DD_OPT_INT, &fl.threads, "N", NULL,
         "request threads (default 0 = one per CPU)"},
        {0, "max-connections", DD_OPT_INT, &fl.max_connections, "N", NULL,
         "connections open at once; more are refused (default 256)"},
        {0, "max-body", DD_OPT_STRING, &fl.max_body, "SIZE", NULL,
         "largest request body, e.g. 64M; larger ones get 413 (default 64M)"},
        {0, "timeout", DD_OPT_INT, &fl.timeout, "SECONDS", NULL,
         "close connections idle this long (default 30)"},
        {0, "allow-vulndb-path", DD_OPT_FLAG, &fl.allow_vulndb_path, NULL, NULL,
         "let POST /api/v1/admin/rematch name another database file"},
        {0},
    };
    dd_fleet_opts fo = DD_FLEET_OPTS_INIT;
    dd_server_opts so = DD_SERVER_OPTS_INIT;
    char *db_default = NULL, *vdb = NULL;
    bool help;
    int npos, rc;

    if ((rc = dd_opt_parse(cmd, opts, argc, argv, &npos, &help)) != 0 || help)
        return rc;
    if (npos > 0) {
        dd_cli_error("serve: unexpected argument \"%s\" (see drydock serve --help)", argv[0]);
        return DD_EXIT_USAGE;
    }
    if ((rc = check_flags(&fl, &so)) != 0)
        return rc;
    if (!fl.db && !(fl.db = db_default = default_db_url())) {
        dd_cli_error("serve: give --db (neither XDG_DATA_HOME nor HOME is set)");
        return DD_EXIT_USAGE;
    }
    if (make_store_dir(fl.db) != 0) {
        free(db_default);
        return DD_EXIT_USAGE;
    }
    vdb = vulndb_path(fl.vulndb);
    fo.url = fl.db;
    fo.vulndb_path = vdb;
    so.vulndb_path = vdb;
    rc = serve(&fo, &so);
    free(vdb);
    free(db_default);
    return rc;
}
