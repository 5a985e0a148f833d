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
int dd_cli_image_walk(struct dd_image **img_out, struct dd_walk **walk_out, const char *ref,
                      const char *tag, const char *platform,
                      int (*prepare)(struct dd_walk *w, const void *payload), const void *payload);

int dd_cmd_inspect(const dd_command *cmd, int argc, char **argv);
int dd_cmd_lint(const dd_command *cmd, int argc, char **argv);
int dd_cmd_sbom(const dd_command *cmd, int argc, char **argv);

#endif
