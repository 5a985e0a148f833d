/* Table-driven option parsing: one table per command parses argv and prints --help. */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void dd_cli_error(const char *fmt, ...)
{
    va_list ap;

    fputs("drydock: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static const dd_opt *find_long(const dd_opt *opts, const char *name, size_t len)
{
    for (const dd_opt *o = opts; o->long_name || o->short_name; o++)
        if (o->long_name && strlen(o->long_name) == len && memcmp(o->long_name, name, len) == 0)
            return o;
    return NULL;
}

static const dd_opt *find_short(const dd_opt *opts, char c)
{
    for (const dd_opt *o = opts; o->long_name || o->short_name; o++)
        if (o->short_name == c)
            return o;
    return NULL;
}

static bool choice_ok(const char *choices, const char *value)
{
    size_t n = strlen(value);
    const char *p = choices;

    while (*p) {
        const char *end = strchr(p, '|');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        if (len == n && memcmp(p, value, n) == 0)
            return true;
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}

static int set_value(const dd_command *cmd, const dd_opt *o, const char *value)
{
    switch (o->type) {
    case DD_OPT_FLAG:
        *(bool *)o->dest = true;
        return 0;
    case DD_OPT_STRING:
        *(const char **)o->dest = value;
        return 0;
    case DD_OPT_CHOICE:
        if (!choice_ok(o->choices, value)) {
            dd_cli_error("%s: --%s must be one of %s, not \"%s\"", cmd->name, o->long_name,
                         o->choices, value);
            return DD_EXIT_USAGE;
        }
        *(const char **)o->dest = value;
        return 0;
    case DD_OPT_INT: {
        char *end;
        long v;

        errno = 0;
        v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < INT_MIN || v > INT_MAX) {
            dd_cli_error("%s: --%s needs a number, not \"%s\"", cmd->name, o->long_name, value);
            return DD_EXIT_USAGE;
        }
        *(int *)o->dest = (int)v;
        return 0;
    }
    }
    return DD_EXIT_USAGE;
}

int dd_opt_parse(const dd_command *cmd, const dd_opt *opts, int argc, char **argv, int *npos,
                 bool *help_shown)
{
    int pos = 0;
    bool only_pos = false;

    *help_shown = false;
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        const dd_opt *o;
        const char *value = NULL;
        int rc;

        if (only_pos || arg[0] != '-' || arg[1] == '\0') {
            argv[pos++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_pos = true;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            dd_opt_print_help(stdout, cmd, opts);
            *help_shown = true;
            return 0;
        }
        if (arg[1] == '-') {
            const char *name = arg + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);

            o = find_long(opts, name, len);
            if (!o) {
                dd_cli_error("%s: unknown option --%.*s (see drydock %s --help)", cmd->name,
                             (int)len, name, cmd->name);
                return DD_EXIT_USAGE;
            }
            if (eq) {
                if (o->type == DD_OPT_FLAG) {
                    dd_cli_error("%s: --%s takes no value", cmd->name, o->long_name);
                    return DD_EXIT_USAGE;
                }
                value = eq + 1;
            }
        } else {
            o = find_short(opts, arg[1]);
            if (!o) {
                dd_cli_error("%s: unknown option -%c (see drydock %s --help)", cmd->name, arg[1],
                             cmd->name);
                return DD_EXIT_USAGE;
            }
            if (arg[2]) {
                if (o->type == DD_OPT_FLAG) {
                    dd_cli_error("%s: -%c takes no value", cmd->name, arg[1]);
                    return DD_EXIT_USAGE;
                }
                value = arg + 2;
            }
        }
        if (o->type != DD_OPT_FLAG && !value) {
            if (i + 1 >= argc) {
                dd_cli_error("%s: --%s needs a value", cmd->name, o->long_name);
                return DD_EXIT_USAGE;
            }
            value = argv[++i];
        }
        if ((rc = set_value(cmd, o, value)) != 0)
            return rc;
    }
    argv[pos] = NULL;
    *npos = pos;
    return 0;
}

void dd_opt_print_help(FILE *out, const dd_command *cmd, const dd_opt *opts)
{
    fprintf(out, "Usage: drydock %s %s\n\n%s\n\nOptions:\n", cmd->name, cmd->usage, cmd->summary);
    for (const dd_opt *o = opts; o->long_name || o->short_name; o++) {
        char left[64];
        int n;

        n = snprintf(left, sizeof(left), "%s%c%s--%s", o->short_name ? "-" : "",
                     o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ",
                     o->long_name);
        if (o->type != DD_OPT_FLAG && n > 0 && (size_t)n < sizeof(left))
            snprintf(left + n, sizeof(left) - (size_t)n, " %s",
                     o->type == DD_OPT_CHOICE ? o->choices : o->arg_name);
        fprintf(out, "  %-34s %s\n", left, o->help);
    }
    fprintf(out, "  %-34s %s\n", "-h, --help", "show this help");
    if (cmd->details)
        fprintf(out, "\n%s\n", cmd->details);
}

int dd_cli_out_open(dd_cli_out *out, const char *path)
{
    struct stat st;
    size_t n;
    int fd;

    memset(out, 0, sizeof(*out));
    if (!path || strcmp(path, "-") == 0) {
        out->fp = stdout;
        return 0;
    }
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* a device or pipe (/dev/null, a FIFO) is written in place: never renamed over */
        if (!(out->fp = fopen(path, "w"))) {
            dd_cli_error("%s: %s", path, strerror(errno));
            return DD_EXIT_USAGE;
        }
        out->direct = true;
        return 0;
    }
    n = strlen(path) + 16;
    out->path = strdup(path);
    out->tmp_path = malloc(n);
    if (!out->path || !out->tmp_path) {
        dd_cli_error("out of memory");
        goto fail;
    }
    snprintf(out->tmp_path, n, "%s.XXXXXX", path);
    fd = mkstemp(out->tmp_path);
    if (fd < 0) {
        dd_cli_error("%s: %s", path, strerror(errno));
        goto fail;
    }
    out->fp = fdopen(fd, "w");
    if (!out->fp) {
        dd_cli_error("%s: %s", path, strerror(errno));
        close(fd);
        unlink(out->tmp_path);
        goto fail;
    }
    return 0;
fail:
    free(out->path);
    free(out->tmp_path);
    memset(out, 0, sizeof(*out));
    return DD_EXIT_USAGE;
}

int dd_cli_out_close(dd_cli_out *out, bool ok)
{
    int rc = 0;

    if (!out->fp)
        return 0;
    if (out->fp == stdout) {
        if (fflush(stdout) != 0 || ferror(stdout)) {
            dd_cli_error("writing standard output: %s", strerror(errno));
            rc = DD_EXIT_USAGE;
        }
        out->fp = NULL;
        return rc;
    }
    if (out->direct) {
        if (fclose(out->fp) != 0) {
            dd_cli_error("writing output: %s", strerror(errno));
            rc = DD_EXIT_USAGE;
        }
        memset(out, 0, sizeof(*out));
        return rc;
    }
    if (fflush(out->fp) != 0 || ferror(out->fp)) {
        dd_cli_error("%s: %s", out->path, strerror(errno));
        ok = false;
        rc = DD_EXIT_USAGE;
    }
    fclose(out->fp);
    if (ok && rename(out->tmp_path, out->path) != 0) {
        dd_cli_error("%s: %s", out->path, strerror(errno));
        rc = DD_EXIT_USAGE;
        ok = false;
    }
    if (!ok)
        unlink(out->tmp_path);
    free(out->path);
    free(out->tmp_path);
    memset(out, 0, sizeof(*out));
    return rc;
}

bool dd_cli_color(FILE *fp)
{
    const char *nc = getenv("NO_COLOR");

    return isatty(fileno(fp)) && !(nc && *nc);
}
