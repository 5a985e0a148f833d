/* Unit tests for .drydock.yaml loading and discovery. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lint/lint_int.h"

static char dir[256];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    const char *tmp = getenv("DD_TEST_TMP");

    snprintf(dir, sizeof(dir), "%s/lintcfg.XXXXXX", tmp ? tmp : "/tmp");
    if (tmp)
        mkdir(tmp, 0755);
    return mkdtemp(dir) ? 0 : -1;
}

static void loads_every_key(void **state)
{
    char path[512];
    dd_lint_config *cfg;

    snprintf(path, sizeof(path), "%s/.drydock.yaml", dir);
    write_file(path, "ignored: [DD-LYR-007, DL3008]\n"
                     "override:\n  error: [DD-BI-003]\n  info:\n    - DD-PKG-002\n"
                     "severity: {DD-BLD-016: style}\n"
                     "trustedRegistries: [docker.io, ghcr.io]\n"
                     "required_labels: [org.opencontainers.image.source]\n"
                     "failure-threshold: error\n");
    assert_int_equal(dd_lint_config_new(&cfg), DD_OK);
    assert_int_equal(dd_lint_config_load(cfg, path), DD_OK);
    assert_int_equal(cfg->n_ignored, 2);
    assert_string_equal(cfg->ignored[1]->id, "DD-PKG-001");
    assert_int_equal(cfg->n_overrides, 3);
    assert_int_equal(cfg->overrides[0].severity, DD_SEV_ERROR);
    assert_int_equal(cfg->overrides[2].severity, DD_SEV_STYLE);
    assert_int_equal(cfg->n_trusted_registries, 2);
    assert_int_equal(cfg->n_required_labels, 1);
    assert_int_equal(dd_lint_config_failure_threshold(cfg), DD_SEV_ERROR);
    dd_lint_config_free(cfg);
}

static void bad_files_name_the_line(void **state)
{
    char path[512];
    dd_lint_config *cfg;

    snprintf(path, sizeof(path), "%s/bad.yaml", dir);
    assert_int_equal(dd_lint_config_new(&cfg), DD_OK);
    write_file(path, "ignored:\n  - DD-LYR-007\n  - DD-NOPE-9\n");
    assert_int_equal(dd_lint_config_load(cfg, path), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "bad.yaml:3: no lint rule"));
    write_file(path, "ignored: [a\nb: {\n");
    assert_int_equal(dd_lint_config_load(cfg, path), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "bad.yaml:"));
    write_file(path, "colour: blue\n");
    assert_int_equal(dd_lint_config_load(cfg, path), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "bad.yaml:1: unknown key"));
    dd_lint_config_free(cfg);
}

static void discovery_climbs_to_git_root(void **state)
{
    char sub[512], git[512], path[512], *found = NULL;

    snprintf(sub, sizeof(sub), "%s/a/b", dir);
    snprintf(path, sizeof(path), "%s/a", dir);
    mkdir(path, 0755);
    mkdir(sub, 0755);
    snprintf(git, sizeof(git), "%s/.git", dir);
    mkdir(git, 0755);
    snprintf(path, sizeof(path), "%s/.drydock.yaml", dir);
    write_file(path, "ignored: []\n");
    assert_int_equal(dd_lint_config_discover(&found, sub), DD_OK);
    assert_non_null(found);
    assert_non_null(strstr(found, "/.drydock.yaml"));
    dd_free(found);
    unlink(path);
    assert_int_equal(dd_lint_config_discover(&found, sub), DD_OK);
    assert_null(found); /* stops at the directory holding .git */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_every_key),
        cmocka_unit_test(bad_files_name_the_line),
        cmocka_unit_test(discovery_climbs_to_git_root),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
