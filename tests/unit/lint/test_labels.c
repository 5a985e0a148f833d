/* Unit tests for the label schema of DD-BLD-031: config loading, value types, key syntax and
 * the findings on a Dockerfile. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lint/lint_int.h"

static char dir[256];

static int setup(void **state)
{
    const char *tmp = getenv("DD_TEST_TMP");

    snprintf(dir, sizeof(dir), "%s/lintlabels.XXXXXX", tmp ? tmp : "/tmp");
    if (tmp)
        mkdir(tmp, 0755);
    return mkdtemp(dir) ? 0 : -1;
}

static dd_lint_config *load(const char *yaml, int want_rc)
{
    char path[512];
    dd_lint_config *cfg;
    FILE *f;

    snprintf(path, sizeof(path), "%s/.drydock.yaml", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(yaml, f);
    fclose(f);
    assert_int_equal(dd_lint_config_new(&cfg), DD_OK);
    assert_int_equal(dd_lint_config_load(cfg, path), want_rc);
    return cfg;
}

static void value_types(void **state)
{
    static const struct {
        dd_lint__label_type type;
        const char *value;
        bool ok;
    } cases[] = {
        {DD_LINT__LABEL_URL, "https://github.com/drydock/drydock", true},
        {DD_LINT__LABEL_URL, "git+ssh://git@example.com/x.git", true},
        {DD_LINT__LABEL_URL, "urn:isbn:0451450523", true},
        {DD_LINT__LABEL_URL, "github.com/drydock", false},
        {DD_LINT__LABEL_URL, "https://", false},
        {DD_LINT__LABEL_URL, "https://exa mple.com", false},
        {DD_LINT__LABEL_RFC3339, "2024-05-01T12:00:00Z", true},
        {DD_LINT__LABEL_RFC3339, "2024-02-29t23:59:60.123+05:30", true},
        {DD_LINT__LABEL_RFC3339, "2023-02-29T00:00:00Z", false},
        {DD_LINT__LABEL_RFC3339, "2024-05-01", false},
        {DD_LINT__LABEL_RFC3339, "2024-05-01T12:00:00", false},
        {DD_LINT__LABEL_RFC3339, "2024-13-01T12:00:00Z", false},
        {DD_LINT__LABEL_SPDX, "MIT", true},
        {DD_LINT__LABEL_SPDX, "Apache-2.0 OR MIT", true},
        {DD_LINT__LABEL_SPDX, "(MIT OR BSD-3-Clause) AND GPL-2.0+", true},
        {DD_LINT__LABEL_SPDX, "GPL-2.0-or-later WITH Classpath-exception-2.0", true},
        {DD_LINT__LABEL_SPDX, "LicenseRef-acme", true},
        {DD_LINT__LABEL_SPDX, "mit-ish", false},
        {DD_LINT__LABEL_SPDX, "MIT OR", false},
        {DD_LINT__LABEL_SPDX, "(MIT", false},
        {DD_LINT__LABEL_SPDX, "MIT Apache-2.0", false},
        {DD_LINT__LABEL_HASH, "0123456789abcdef0123456789abcdef01234567", true},
        {DD_LINT__LABEL_HASH, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
         true},
        {DD_LINT__LABEL_HASH, "0123456", false},
        {DD_LINT__LABEL_HASH, "g123456789abcdef0123456789abcdef01234567", false},
        {DD_LINT__LABEL_SEMVER, "1.2.3", true},
        {DD_LINT__LABEL_SEMVER, "1.0.0-alpha.1+build.5", true},
        {DD_LINT__LABEL_SEMVER, "0.0.0-0.3.7", true},
        {DD_LINT__LABEL_SEMVER, "1.2", false},
        {DD_LINT__LABEL_SEMVER, "v1.2.3", false},
        {DD_LINT__LABEL_SEMVER, "01.2.3", false},
        {DD_LINT__LABEL_SEMVER, "1.2.3-01", false},
        {DD_LINT__LABEL_SEMVER, "1.2.3-", false},
        {DD_LINT__LABEL_EMAIL, "first.last@example.org", true},
        {DD_LINT__LABEL_EMAIL, "\"odd name\"@example.org", true},
        {DD_LINT__LABEL_EMAIL, "root@localhost", true},
        {DD_LINT__LABEL_EMAIL, "me@", false},
        {DD_LINT__LABEL_EMAIL, "a..b@example.org", false},
        {DD_LINT__LABEL_EMAIL, "Jane <jane@example.org>", false},
        {DD_LINT__LABEL_TEXT, "anything at all", true},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (dd_lint__label_value_valid(cases[i].type, cases[i].value) != cases[i].ok)
            fail_msg("type %d, \"%s\": expected %s", cases[i].type, cases[i].value,
                     cases[i].ok ? "valid" : "invalid");
    }
}

static void key_syntax(void **state)
{
    const char *why;

    assert_true(dd_lint__label_key_valid("org.opencontainers.image.source", &why));
    assert_true(dd_lint__label_key_valid("maintainer", &why));
    assert_true(dd_lint__label_key_valid("build-id2", &why));
    assert_false(dd_lint__label_key_valid("Maintainer", &why));
    assert_false(dd_lint__label_key_valid("com.docker.compose.project", &why));
    assert_non_null(strstr(why, "reserved"));
    assert_false(dd_lint__label_key_valid("a..b", &why));
    assert_false(dd_lint__label_key_valid("a.-b", &why));
    assert_false(dd_lint__label_key_valid("ends.", &why));
    assert_false(dd_lint__label_key_valid("has_underscore", &why));
    assert_false(dd_lint__label_key_valid("1abc", &why));
}

static void config_schema(void **state)
{
    dd_lint_config *cfg =
        load("label-schema: {author: text, version: semver}\nstrict-labels: true\n", DD_OK);

    assert_int_equal(cfg->n_label_schema, 2);
    assert_string_equal(cfg->label_schema[1].name, "version");
    assert_int_equal(cfg->label_schema[1].type, DD_LINT__LABEL_SEMVER);
    assert_true(cfg->strict_labels);
    assert_int_equal(cfg->n_required_labels, 2); /* schema labels are required (DL3049) */
    dd_lint_config_free(cfg);

    cfg = load("label-schema:\n  author: text\n  version: semverish\n", DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), ".drydock.yaml:3: label version: type must be"));
    dd_lint_config_free(cfg);
    cfg = load("label-schema: [author]\n", DD_EINVALID);
    dd_lint_config_free(cfg);
    cfg = load("strict-labels: maybe\n", DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), ":1: expected true or false"));
    dd_lint_config_free(cfg);
}

/* The findings of `text` under `cfg` as "SEV:LINE:MESSAGE|" lines. */
static char *lint(const char *text, const dd_lint_config *cfg)
{
    static char out[8192];
    dd_lint_result *r;
    size_t used = 0;

    assert_int_equal(dd_lint_result_new(&r), DD_OK);
    assert_int_equal(dd_lint_dockerfile(r, "Dockerfile", text, strlen(text), cfg), DD_OK);
    out[0] = '\0';
    for (size_t i = 0; i < dd_lint_result_count(r); i++) {
        const dd_lint_finding *f = dd_lint_result_get(r, i);

        if (strcmp(f->rule->id, "DD-BLD-031") == 0)
            used += (size_t)snprintf(out + used, sizeof(out) - used, "%s:%u:%s|",
                                     dd_lint_severity_name(f->severity), f->line, f->message);
    }
    dd_lint_result_free(r);
    return out;
}

static void dockerfile_findings(void **state)
{
    dd_lint_config *cfg = load("label-schema:\n  author: text\n  version: semver\n"
                               "  org.opencontainers.image.source: url\n",
                               DD_OK);
    const char *df = "FROM alpine:3.19 AS build\n"
                     "LABEL Author=x\n"
                     "FROM alpine:3.19\n"
                     "ARG V\n"
                     "LABEL author=\"\" version=1.2 extra=1\n"
                     "LABEL org.opencontainers.image.source=https://example.com/x version=$V\n";
    char *out = lint(df, cfg);

    assert_non_null(strstr(out, "style:2:label key Author must start with a lower-case letter|"));
    assert_non_null(strstr(out, "warning:5:label author is empty|"));
    assert_non_null(strstr(out, "warning:5:label version=1.2 is not a semantic version|"));
    assert_null(strstr(out, "extra")); /* not strict */
    assert_null(strstr(out, ":6:"));   /* a valid URL; a build argument is not judged */
    assert_null(strstr(out, "missing"));
    dd_lint_config_free(cfg);

    cfg = load("label-schema: {author: text, version: semver}\nstrict-labels: true\n", DD_OK);
    out = lint("FROM alpine:3.19\nLABEL author=me extra=1\n", cfg);
    assert_non_null(strstr(out, "info:2:label extra is not in the label schema"));
    assert_non_null(strstr(out, "info:1:the required label version is missing|"));
    dd_lint_config_free(cfg);

    /* no schema: labels are not judged */
    assert_int_equal(dd_lint_config_new(&cfg), DD_OK);
    assert_string_equal(lint("FROM alpine:3.19\nLABEL Bad..Key=\"\"\n", cfg), "");
    dd_lint_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(value_types),
        cmocka_unit_test(key_syntax),
        cmocka_unit_test(config_schema),
        cmocka_unit_test(dockerfile_findings),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
