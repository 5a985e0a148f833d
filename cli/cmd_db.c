/* drydock db: the offline vulnerability database: import OSV records, update from osv.dev,
 * show what it holds. */
#include "cli.h"

#include <drydock/vulndb.h>

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The database path: --db, else the default under the user's cache directory. */
int dd_cli_db_path(char **out, const char *flag)
{
    if (flag) {
        if (!(*out = strdup(flag))) {
            dd_cli_error("out of memory");
            return DD_EXIT_USAGE;
        }
        return 0;
    }
    if (dd_vulndb_default_path(out) != DD_OK)
        return dd_cli_fail();
    return 0;
}

/* Creates the parent directories of `path` (mkdir -p of its dirname). */
int dd_cli_mkdir_parents(const char *path)
{
    char *p = strdup(path), *s;

    if (!p)
        return -1;
    for (s = p + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            dd_cli_error("db: cannot create %s: %s", p, strerror(errno));
            free(p);
            return -1;
        }
        *s = '/';
    }
    free(p);
    return 0;
}

static const dd_command import_cmd = {
    "db import", NULL, "[flags] PATH...",
    "Import OSV records into the vulnerability database.",
    "PATH is a directory (its .json, .jsonl and .zip files, recursively), a .json file (one\n"
    "record or an array), a .jsonl file (one record a line) or osv.dev's per-ecosystem all.zip.\n"
    "The database is rebuilt from the inputs (or extended, with --append) under a temporary\n"
    "name and renamed into place when complete. Malformed records are skipped and counted.\n"
    "\nExit codes: 0 success, 2 usage error or unusable input."};

static int db_import(int argc, char **argv)
{
    const char *db_flag = NULL;
    bool append = false;
    const dd_opt opts[] = {
        {0, "db", DD_OPT_STRING, &db_flag, "FILE", NULL,
         "database file (default $XDG_CACHE_HOME/drydock/vuln.db)"},
        {0, "append", DD_OPT_FLAG, &append, NULL, NULL, "keep the records already in the database"},
        {0},
    };
    dd_vulndb_import_opts iopts = DD_VULNDB_IMPORT_OPTS_INIT;
    dd_vulndb_import_stats st;
    struct timespec t0, t1;
    char *path = NULL;
    bool help;
    int npos, rc;

    if ((rc = dd_opt_parse(&import_cmd, opts, argc, argv, &npos, &help)) != 0 || help)
        return rc;
    if (npos < 1) {
        dd_cli_error("db import: give at least one PATH (see drydock db import --help)");
        return DD_EXIT_USAGE;
    }
    if ((rc = dd_cli_db_path(&path, db_flag)) != 0)
        return rc;
    if (dd_cli_mkdir_parents(path) != 0) {
        free(path);
        return DD_EXIT_USAGE;
    }
    iopts.append = append;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (dd_vulndb_import(path, (const char *const *)argv, (size_t)npos, &iopts, &st) != DD_OK) {
        rc = dd_cli_fail();
        free(path);
        return rc;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr,
            "drydock: imported %llu records (%llu affected entries) into %s in %.2f s; %llu "
            "withdrawn left out, %llu replaced, %llu malformed skipped\n",
            (unsigned long long)st.records, (unsigned long long)st.affected, path,
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            (unsigned long long)st.withdrawn, (unsigned long long)st.replaced,
            (unsigned long long)st.skipped);
    for (unsigned i = 0; i < st.n_reasons; i++)
        fprintf(stderr, "drydock: skipped %s\n", st.reasons[i]);
    if (st.skipped > st.n_reasons)
        fprintf(stderr, "drydock: ... and %llu more skipped\n",
                (unsigned long long)(st.skipped - st.n_reasons));
    free(path);
    return DD_EXIT_OK;
}

static const dd_command status_cmd = {
    "db status", NULL, "[flags]",
    "Show the vulnerability database: source, age and records per ecosystem.",
    "\nExit codes: 0 success, 2 when the database is missing or unusable."};

static int print_ecosystem(const char *ecosystem, uint64_t records, uint64_t affected, void *p)
{
    (void)p;
    printf("  %-28s %8llu records %8llu entries\n", ecosystem, (unsigned long long)records,
           (unsigned long long)affected);
    return 0;
}

static int json_ecosystem(const char *ecosystem, uint64_t records, uint64_t affected, void *p)
{
    return json_array_append_new(p, json_pack("{s:s, s:I, s:I}", "ecosystem", ecosystem, "records",
                                              (json_int_t)records, "affected",
                                              (json_int_t)affected)) == 0
               ? 0
               : DD_ENOMEM;
}

static int db_status(int argc, char **argv)
{
    const char *db_flag = NULL, *format = "table";
    const dd_opt opts[] = {
        {0, "db", DD_OPT_STRING, &db_flag, "FILE", NULL,
         "database file (default $XDG_CACHE_HOME/drydock/vuln.db)"},
        {'f', "format", DD_OPT_CHOICE, &format, NULL, "table|json", "output format"},
        {0},
    };
    dd_vulndb_info info;
    dd_vulndb *db = NULL;
    char *path = NULL, when[64] = "unknown";
    bool help;
    int npos, rc;
    time_t built;
    struct tm tm;

    if ((rc = dd_opt_parse(&status_cmd, opts, argc, argv, &npos, &help)) != 0 || help)
        return rc;
    if ((rc = dd_cli_db_path(&path, db_flag)) != 0)
        return rc;
    if (dd_vulndb_open(&db, path) != DD_OK) {
        free(path);
        return dd_cli_fail();
    }
    dd_vulndb_info_get(db, &info);
    built = (time_t)info.built_at;
    if (gmtime_r(&built, &tm))
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (strcmp(format, "json") == 0) {
        json_t *doc = json_pack("{s:s, s:i, s:s, s:I, s:s?, s:I, s:[]}", "path", path, "schema",
                                info.schema, "built_at", when, "age_seconds",
                                (json_int_t)(time(NULL) - built), "source", info.source,
                                "records", (json_int_t)info.records, "ecosystems");
        if (!doc) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
        } else {
            rc = dd_vulndb_each_ecosystem(db, json_ecosystem, json_object_get(doc, "ecosystems"));
            if (rc == DD_OK) {
                json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
                putchar('\n');
            }
            json_decref(doc);
        }
    } else {
        long long age = (long long)(time(NULL) - built);
        printf("Database: %s (schema %d)\nSource:   %s\nBuilt:    %s (%lld h %lld min ago)\n"
               "Records:  %llu\nEcosystems:\n",
               path, info.schema, info.source ? info.source : "?", when, age / 3600,
               (age % 3600) / 60, (unsigned long long)info.records);
        rc = dd_vulndb_each_ecosystem(db, print_ecosystem, NULL);
    }
    dd_vulndb_close(db);
    free(path);
    return rc == DD_OK ? DD_EXIT_OK : dd_cli_fail();
}

int dd_cmd_db(const dd_command *cmd, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        printf("Usage: drydock db <import|update|status> [flags]\n\n%s\n\n"
               "  import   import OSV records from files, directories or all.zip archives\n"
               "  update   download osv.dev's per-ecosystem archives and import them\n"
               "  status   show the database's source, age and records per ecosystem\n\n"
               "Run 'drydock db <subcommand> --help' for its flags.\n",
               cmd->summary);
        return argc < 2 ? DD_EXIT_USAGE : DD_EXIT_OK;
    }
    if (strcmp(argv[1], "import") == 0)
        return db_import(argc - 1, argv + 1);
    if (strcmp(argv[1], "status") == 0)
        return db_status(argc - 1, argv + 1);
    if (strcmp(argv[1], "update") == 0)
        return dd_cmd_db_update(argc - 1, argv + 1);
    dd_cli_error("db: no subcommand \"%s\" (import, update or status)", argv[1]);
    return DD_EXIT_USAGE;
}
