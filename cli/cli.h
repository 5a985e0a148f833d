/* The drydock program: the command table, option parsing and output helpers its commands share. */
#ifndef DD_CLI_H
#define DD_CLI_H

#include <stdbool.h>
#include <stdio.h>

#define DD_EXIT_OK    0
#define DD_EXIT_USAGE 2 /* usage or input error */

typedef enum {
    DD_OPT_FLAG,   /* bool: present or not */
    DD_OPT_STRING, /* const char *: the next argument or "=value" */
    DD_OPT_CHOICE, /* const char *: one of `choices` ("a|b|c") */
    DD_OPT_INT,    /* int: a decimal number */
} dd_opt_type;

/* One row of a command's option table; the same table parses argv and prints --help. */
typedef struct {
    char short_name; /* 0 when none */
    const char *long_name;
    dd_opt_type type;
    void *dest;
    const char *arg_name; /* shown in --help, e.g. "FILE" */
    const char *choices;  /* for DD_OPT_CHOICE */
    const char *help;
} dd_opt;

typedef struct dd_command dd_command;
struct dd_command {
    const char *name;
    int (*run)(const dd_command *cmd, int argc, char **argv);
    const char *usage;   /* "[flags] IMAGE" */
    const char *summary; /* one line */
    const char *details; /* paragraphs after the option list, or NULL */
};

/* Parses argv[1..] against `opts`; positional arguments are moved to the front of argv and
 * counted in *npos. Prints the command's help and returns 0 with *help_shown on --help.
 * Returns 0 on success, DD_EXIT_USAGE after printing a one-line message on a bad option. */
int dd_opt_parse(const dd_command *cmd, const dd_opt *opts, int argc, char **argv, int *npos,
                 bool *help_shown);
void dd_opt_print_help(FILE *out, const dd_command *cmd, const dd_opt *opts);

/* Prints "drydock: <message>" on stderr. */
void dd_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the library's last error as "drydock: <message>" and returns DD_EXIT_USAGE. */
int dd_cli_fail(void);

/* Output to stdout or, with -o, to a file that appears whole or not at all. */
typedef struct {
    FILE *fp;
    char *path;     /* final path, NULL for stdout */
    char *tmp_path; /* temporary beside it */
    bool direct;    /* a device or pipe, written in place */
} dd_cli_out;

int dd_cli_out_open(dd_cli_out *out, const char *path);
/* Commits (rename over the final path) when `ok`, removes the temporary otherwise. Returns 0 or
 * DD_EXIT_USAGE when the write failed. */
int dd_cli_out_close(dd_cli_out *out, bool ok);

/* Whether colour may be used on `fp` (a TTY and NO_COLOR unset). */
bool dd_cli_color(FILE *fp);

/* The option rows every command that takes an IMAGE shares. */
#define DD_CLI_IMAGE_OPTS(tag_dest, platform_dest)                                                 \
    {0, "tag", DD_OPT_STRING, (tag_dest), "TAG", NULL, "select the image with this tag"},          \
    {                                                                                              \
        0, "platform", DD_OPT_STRING, (platform_dest), "OS/ARCH[/VARIANT]", NULL,                  \
            "select this platform of a multi-platform index"                                       \
    }

struct dd_image;
struct dd_walk;

/* Opens IMAGE `ref` (selected by `tag` and `platform`, either may be NULL), lets `prepare`
 * register the walk's captures (may be NULL), and walks every layer. Returns 0 with both
 * handles, or DD_EXIT_USAGE after printing the library's message, with both set to NULL. */
/* A dd_cli_image_walk `prepare` for commands that catalog packages: registers the catalogers'
 * captures (payload: the dd_catalog_opts) and lets a directory root skip everything else. */
int dd_cli_prepare_catalog(struct dd_walk *w, const void *catalog_opts);

int dd_cli_image_walk(struct dd_image **img_out, struct dd_walk **walk_out, const char *ref,
                      const char *tag, const char *platform,
                      int (*prepare)(struct dd_walk *w, const void *payload), const void *payload);

struct dd_sbom_subject;
struct dd_sbom_layer;
/* Fills `subject` with the identity and layers of `img` for an SBOM; `*layers` (free() it)
 * holds the layer digests `subject` points at. Returns 0 or DD_EXIT_USAGE after the message. */
int dd_cli_sbom_subject(struct dd_sbom_subject *subject, struct dd_sbom_layer **layers,
                        const struct dd_image *img);

/* The vulnerability database path: `flag` (--db) when given, else dd_vulndb_default_path. The
 * caller frees `*out` with free(). Returns 0 or DD_EXIT_USAGE after printing the message. */
int dd_cli_db_path(char **out, const char *flag);
/* Creates the missing parent directories of `path`; -1 after printing the message. */
int dd_cli_mkdir_parents(const char *path);

/* The flags every vulnerability scan shares (drydock image, drydock scan-sbom). */
typedef struct {
    const char *db;
    const char *format;
    const char *output;
    const char *severity;
    const char *fail_on;
    int exit_code;
    bool ignore_unfixed;
    const char *ignorefile;
    const char *vex; /* comma-separated files */
    bool show_suppressed;
    bool timing;
} dd_cli_scan_flags;

#define DD_CLI_SCAN_FLAGS_INIT {.format = "table"}

#define DD_CLI_SCAN_OPTS(f)                                                                        \
    {0, "db", DD_OPT_STRING, &(f)->db, "FILE", NULL,                                              \
     "vulnerability database (default $XDG_CACHE_HOME/drydock/vuln.db)"},                         \
    {'f', "format", DD_OPT_CHOICE, &(f)->format, NULL, "table|json|sarif|cyclonedx|markdown",     \
     "report format (default table)"},                                                             \
    {'o', "output", DD_OPT_STRING, &(f)->output, "FILE", NULL, "write to FILE instead of stdout"}, \
    {0, "severity", DD_OPT_STRING, &(f)->severity, "LIST", NULL,                                  \
     "show only these severities: UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL (default all)"},               \
    {0, "fail-on", DD_OPT_STRING, &(f)->fail_on, "SEVERITY", NULL,                                \
     "exit 1 (or --exit-code) when a shown finding is at or above SEVERITY"},                      \
    {0, "exit-code", DD_OPT_INT, &(f)->exit_code, "N", NULL,                                      \
     "exit N when any finding is shown (default 0)"},                                              \
    {0, "ignore-unfixed", DD_OPT_FLAG, &(f)->ignore_unfixed, NULL, NULL,                          \
     "leave out vulnerabilities without a fixed version"},                                         \
    {0, "ignorefile", DD_OPT_STRING, &(f)->ignorefile, "FILE", NULL,                              \
     "ids and purl patterns to suppress (default .drydockignore when present)"},                   \
    {0, "vex", DD_OPT_STRING, &(f)->vex, "FILE[,FILE]", NULL,                                     \
     "OpenVEX or CycloneDX VEX documents whose not_affected/fixed statements suppress findings"}, \
    {0, "show-suppressed", DD_OPT_FLAG, &(f)->show_suppressed, NULL, NULL,                        \
     "also list suppressed findings, marked as such"},                                             \
    {                                                                                              \
        0, "timing", DD_OPT_FLAG, &(f)->timing, NULL, NULL,                                        \
            "print the time spent cataloging, matching and reporting on stderr"                    \
    }

struct dd_inventory;
struct dd_scan_result;
/* What a scan reports: `inv` (NULL when no package was cataloged) matched against the database
 * when `match` is set, and the issues (secrets, configuration, hygiene) already found in
 * `issues` (may be NULL) with `issue_classes` the bit mask of 1u << dd_issue_class that ran.
 * Applies suppressions, writes the report and returns the exit code: 0, the
 * --exit-code/--fail-on code when shown findings or issues remain, DD_EXIT_USAGE on unusable
 * input. `t_catalog_ms` is reported with --timing. */
typedef struct {
    const struct dd_inventory *inv;
    bool match;
    const struct dd_scan_result *issues;
    unsigned issue_classes;
    const char *target, *digest;
    double t_catalog_ms;
} dd_cli_scan_input;

int dd_cli_scan_report(const dd_cli_scan_flags *f, const dd_cli_scan_input *in);
/* Monotonic milliseconds. */
double dd_cli_now_ms(void);

int dd_cmd_db(const dd_command *cmd, int argc, char **argv);
int dd_cmd_db_update(int argc, char **argv); /* argv[0] is "update" */
int dd_cmd_image(const dd_command *cmd, int argc, char **argv);
int dd_cmd_scan_sbom(const dd_command *cmd, int argc, char **argv);
int dd_cmd_inspect(const dd_command *cmd, int argc, char **argv);
int dd_cmd_lint(const dd_command *cmd, int argc, char **argv);
int dd_cmd_sbom(const dd_command *cmd, int argc, char **argv);
int dd_cmd_serve(const dd_command *cmd, int argc, char **argv);
int dd_cmd_push(const dd_command *cmd, int argc, char **argv);
int dd_cmd_fleet(const dd_command *cmd, int argc, char **argv);

#endif
