/* drydock db update: fetch osv.dev's per-ecosystem archives and rebuild the database from them. */
#include "cli.h"

#include <drydock/common.h>
#include <drydock/vulndb.h>
#include <drydock/vulndb_update.h>

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const dd_command db_update_command = {
    "db update",
    NULL,
    "[--db PATH] [--base-url URL] [--ecosystems LIST] [flags]",
    "Download osv.dev's per-ecosystem archives and rebuild the vulnerability database.",
    "Each archive (BASE/<Ecosystem>/all.zip) is kept in the cache directory with the\n"
    "Last-Modified the server gave; the next update asks If-Modified-Since and keeps the cached\n"
    "copy on 304. A body is accepted only when its length matches Content-Length and its MD5\n"
    "the server's x-goog-hash; otherwise that archive fails and the cached copy stays. The\n"
    "database is then rebuilt from the cached archives of the listed ecosystems in one atomic\n"
    "step, unless it was already built from exactly those archives.\n"
    "Default ecosystems: Debian, Alpine, Ubuntu, PyPI, npm, Go, crates.io, RubyGems, Maven,\n"
    "NuGet, Packagist, Rocky Linux, AlmaLinux, Red Hat. Proxies: libcurl's environment\n"
    "variables (https_proxy, no_proxy, ...).\n"
    "\nExit codes: 0 success (an ecosystem the server does not have is a warning), 2 usage error\n"
    "or an archive that could not be fetched (the database is then left as it was).",
};

typedef struct {
    const char *db;
    const char *base_url;
    const char *ecosystems;
    const char *cache_dir;
    int timeout;
    bool force;
} update_flags;

#define TIMEOUT_UNSET INT_MIN

static void human_bytes(char *out, size_t cap, uint64_t n)
{
    if (n >= (1u << 20))
        snprintf(out, cap, "%.1f MiB", (double)n / (1u << 20));
    else if (n >= 1024)
        snprintf(out, cap, "%.1f KiB", (double)n / 1024);
    else
        snprintf(out, cap, "%llu bytes", (unsigned long long)n);
}

static void report_fetch(const dd_vulndb_fetch_result *r, void *payload)
{
    char size[32];

    switch (r->status) {
    case DD_VULNDB_FETCH_DOWNLOADED:
        human_bytes(size, sizeof(size), r->bytes);
        printf("%-12s downloaded    %s in %.2f s\n", r->ecosystem, size, r->seconds);
        break;
    case DD_VULNDB_FETCH_NOT_MODIFIED:
        printf("%-12s not modified\n", r->ecosystem);
        break;
    case DD_VULNDB_FETCH_MISSING:
        printf("%-12s missing\n", r->ecosystem);
        fflush(stdout);
        dd_cli_error("warning: db update: %s: %s; left out of the database", r->ecosystem,
                     r->message);
        break;
    case DD_VULNDB_FETCH_FAILED:
        printf("%-12s failed\n", r->ecosystem);
        fflush(stdout);
        dd_cli_error("db update: %s: %s", r->ecosystem, r->message);
        break;
    }
    fflush(stdout);
}

/* Splits "a, b,c" into `*out` (pointers into `list`, which is modified). */
static int split_list(char *list, const char ***out, size_t *n_out)
{
    size_t n = 1, k = 0;
    const char **items;

    for (const char *p = list; *p; p++)
        n += *p == ',';
    if (!(items = calloc(n, sizeof(*items)))) {
        dd_cli_error("db update: out of memory");
        return DD_EXIT_USAGE;
    }
    for (char *p = list;;) {
        char *comma = strchr(p, ','), *end = comma ? comma : p + strlen(p);

        while (*p == ' ')
            p++;
        while (end > p && end[-1] == ' ')
            end--;
        if (end == p) {
            dd_cli_error("db update: --ecosystems has an empty item");
            free(items);
            return DD_EXIT_USAGE;
        }
        *end = '\0';
        items[k++] = p;
        if (!comma)
            break;
        p = comma + 1;
    }
    *out = items;
    *n_out = k;
    return 0;
}

static void print_result(const char *db_path, const dd_vulndb_update_stats *st)
{
    const dd_vulndb_import_stats *is = &st->import;
    dd_vulndb *db = NULL;
    dd_vulndb_info info;

    if (st->rebuilt) {
        for (unsigned i = 0; i < is->n_reasons; i++)
            dd_cli_error("warning: db update: %s", is->reasons[i]);
        printf("imported %llu records (%llu affected entries; %llu withdrawn and %llu malformed "
               "left out) into %s\n",
               (unsigned long long)is->records, (unsigned long long)is->affected,
               (unsigned long long)is->withdrawn, (unsigned long long)is->skipped, db_path);
        printf("fetch %.2f s, import %.2f s\n", st->fetch_seconds, st->import_seconds);
        return;
    }
    if (dd_vulndb_open(&db, db_path) == DD_OK && dd_vulndb_info_get(db, &info) == DD_OK) {
        char when[32] = "?";
        time_t t = (time_t)info.built_at;
        struct tm tm;

        if (gmtime_r(&t, &tm))
            strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        printf("%s is up to date (%llu records, built %s)\n", db_path,
               (unsigned long long)info.records, when);
    } else {
        printf("%s is up to date\n", db_path);
    }
    dd_vulndb_close(db);
}

int dd_cmd_db_update(int argc, char **argv)
{
    update_flags f = {.timeout = TIMEOUT_UNSET};
    const dd_opt opts[] = {
        {0, "db", DD_OPT_STRING, &f.db, "PATH", NULL,
         "the database (default $XDG_CACHE_HOME/drydock/vuln.db)"},
        {0, "base-url", DD_OPT_STRING, &f.base_url, "URL", NULL,
         "where BASE/<Ecosystem>/all.zip are (default: osv.dev's bucket)"},
        {0, "ecosystems", DD_OPT_STRING, &f.ecosystems, "LIST", NULL,
         "comma-separated, as osv.dev spells them (default: all listed below)"},
        {0, "timeout", DD_OPT_INT, &f.timeout, "SECONDS", NULL,
         "limit for one archive's download (default 1800; connecting: at most 30)"},
        {0, "cache-dir", DD_OPT_STRING, &f.cache_dir, "DIR", NULL,
         "where the archives are kept (default: osv/ beside the database)"},
        {0, "force", DD_OPT_FLAG, &f.force, NULL, NULL,
         "download every archive and rebuild, even when nothing changed"},
        {0},
    };
    dd_vulndb_update_opts uopts = DD_VULNDB_UPDATE_OPTS_INIT;
    dd_vulndb_update_stats stats;
    const char **ecos = NULL;
    char *eco_list = NULL, *db_path = NULL;
    bool help;
    int npos, rc;

    if ((rc = dd_opt_parse(&db_update_command, opts, argc, argv, &npos, &help)) != 0 || help)
        return rc;
    /* With CURLOPT_NOSIGNAL libcurl no longer ignores SIGPIPE for us, and a TLS write to a
     * connection the server closed can still raise it: that must fail one transfer, not end
     * the program. */
    signal(SIGPIPE, SIG_IGN);
    if (npos != 0) {
        dd_cli_error("db update: unexpected argument \"%s\" (see drydock db update --help)",
                     argv[0]);
        return DD_EXIT_USAGE;
    }
    if (f.timeout == TIMEOUT_UNSET) {
        f.timeout = 0;
    } else if (f.timeout <= 0) {
        dd_cli_error("db update: --timeout must be a positive number of seconds");
        return DD_EXIT_USAGE;
    }
    if ((rc = dd_cli_db_path(&db_path, f.db)) != 0)
        return rc;
    if (f.ecosystems) {
        if (!(eco_list = strdup(f.ecosystems))) {
            dd_cli_error("db update: out of memory");
            rc = DD_EXIT_USAGE;
            goto done;
        }
        if ((rc = split_list(eco_list, &ecos, &uopts.n_ecosystems)) != 0)
            goto done;
        uopts.ecosystems = ecos;
    }
    uopts.base_url = f.base_url;
    uopts.cache_dir = f.cache_dir;
    uopts.timeout = f.timeout;
    uopts.force = f.force;
    uopts.on_fetch = report_fetch;
    if (dd_vulndb_update(db_path, &uopts, &stats) != DD_OK) {
        fflush(stdout);
        dd_cli_error("db update: %s", dd_error_message());
        rc = DD_EXIT_USAGE;
        goto done;
    }
    print_result(db_path, &stats);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        dd_cli_error("db update: writing standard output failed");
        rc = DD_EXIT_USAGE;
    }
done:
    free(ecos);
    free(eco_list);
    free(db_path);
    return rc;
}
