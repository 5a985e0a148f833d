/* Test helper linking libdrydock: lints compose files, .dockerignore files and build contexts
 * and prints JSON findings, or lists the files a build context sends to the builder.
 *
 *   lint_helper compose FILE...        findings as JSON (one array over all files)
 *   lint_helper dockerignore FILE...
 *   lint_helper context DIR...
 *   lint_helper list-context DIR       the files the builder receives, one per line, sorted
 *   lint_helper -e KEY=VALUE ...       (before the mode) variables for compose interpolation
 *
 * Exit: 0 no findings, 1 findings, 2 unusable input (message on stderr). */
#include <drydock/lint.h>

#include "util/util.h"

#include <stdio.h>
#include <string.h>

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static int print_file(const char *rel, int is_dir, void *payload)
{
    (void)payload;
    if (!is_dir)
        printf("%s\n", rel);
    return 0;
}

int main(int argc, char **argv)
{
    const char *env[64];
    size_t n_env = 0;
    dd_lint_config *cfg = NULL;
    dd_lint_result *r = NULL;
    int i = 1, rc = 0, status = 0;
    const char *mode;

    while (i + 1 < argc && strcmp(argv[i], "-e") == 0 && n_env < 64) {
        env[n_env++] = argv[i + 1];
        i += 2;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: lint_helper [-e K=V]... compose|dockerignore|context|"
                        "list-context PATH...\n");
        return 2;
    }
    mode = argv[i++];
    if (strcmp(mode, "list-context") == 0) {
        if (i >= argc)
            return 2;
        rc = dd_ignore_walk(argv[i], NULL, print_file, NULL);
        if (rc) {
            fprintf(stderr, "%s\n", dd_error_message());
            return 2;
        }
        return 0;
    }
    if (dd_lint_config_new(&cfg) || dd_lint_result_new(&r) ||
        dd_lint_config_set_env(cfg, env, n_env)) {
        fprintf(stderr, "%s\n", dd_error_message());
        return 2;
    }
    for (; i < argc; i++) {
        dd_buf data = DD_BUF_INIT;

        if (strcmp(mode, "context") == 0) {
            rc = dd_lint_context(r, argv[i], cfg);
        } else {
            rc = dd_read_file(&data, argv[i], 64u << 20);
            if (rc == DD_OK && strcmp(mode, "compose") == 0)
                rc = dd_lint_compose(r, argv[i], data.data, data.len, cfg);
            else if (rc == DD_OK)
                rc = dd_lint_dockerignore(r, argv[i], data.data, data.len, cfg);
        }
        dd_buf_dispose(&data);
        if (rc) {
            fprintf(stderr, "%s\n", dd_error_message());
            status = 2;
        }
    }
    printf("[");
    for (size_t k = 0; k < dd_lint_result_count(r); k++) {
        const dd_lint_finding *f = dd_lint_result_get(r, k);

        printf("%s\n {\"code\": ", k ? "," : "");
        json_str(f->rule->id);
        printf(", \"level\": \"%s\", \"file\": ", dd_lint_severity_name(f->severity));
        json_str(f->file);
        printf(", \"line\": %u, \"column\": %u, \"message\": ", f->line, f->column);
        json_str(f->message);
        printf("}");
    }
    printf("\n]\n");
    if (!status && dd_lint_result_count(r))
        status = 1;
    dd_lint_result_free(r);
    dd_lint_config_free(cfg);
    return status;
}
