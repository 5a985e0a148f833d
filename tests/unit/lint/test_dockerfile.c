/* Unit tests for the Dockerfile parser and rules: syntax, positions, expansion, pragmas. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint/dockerfile_int.h"

static dd_df parse_ok(dd_arena **a, const char *text)
{
    dd_df df;
    uint32_t line;

    assert_int_equal(dd_arena_new(a), DD_OK);
    assert_int_equal(dd_df__parse(&df, *a, "Dockerfile", text, strlen(text), &line), DD_OK);
    return df;
}

/* Lints `text` and returns "ID@LINE ..." of its findings. */
static char *lint(const char *text, const dd_lint_config *cfg, int *rc)
{
    static char out[4096];
    dd_lint_result *r;
    size_t used = 0;

    assert_int_equal(dd_lint_result_new(&r), DD_OK);
    *rc = dd_lint_dockerfile(r, "Dockerfile", text, strlen(text), cfg);
    out[0] = '\0';
    for (size_t i = 0; i < dd_lint_result_count(r); i++) {
        const dd_lint_finding *f = dd_lint_result_get(r, i);

        used += (size_t)snprintf(out + used, sizeof(out) - used, "%s@%u ", f->rule->id, f->line);
    }
    dd_lint_result_free(r);
    return out;
}

static bool has(const char *findings, const char *id_at_line)
{
    char key[64];

    snprintf(key, sizeof(key), "%s ", id_at_line);
    return strstr(findings, key) != NULL;
}

static void continuation_comments_and_crlf(void **state)
{
    dd_arena *a;
    dd_df df = parse_ok(&a, "FROM alpine:3.19\r\nRUN apk add \\\r\n  # comment\r\n\r\n"
                            "  curl\r\nrun echo done\r\n");

    assert_int_equal(df.n, 3);
    assert_int_equal(df.insts[1].op, DD_DF_RUN);
    assert_int_equal(df.insts[1].line, 2);
    assert_string_equal(df.insts[1].args, "apk add   curl");
    assert_int_equal(df.insts[2].op, DD_DF_RUN); /* lower-case keyword */
    assert_int_equal(df.insts[2].line, 6);
    dd_arena_free(a);
}

static void words_keep_line_and_column(void **state)
{
    dd_arena *a;
    dd_df df = parse_ok(&a, "FROM alpine\nCOPY --chown=1:1 \\\n    a.txt   /dst/\n");
    const dd_df_inst *in = &df.insts[1];

    assert_int_equal(in->n_flags, 1);
    assert_string_equal(in->flags[0].name, "chown");
    assert_string_equal(in->flags[0].value, "1:1");
    assert_int_equal(in->flags[0].col, 6);
    assert_int_equal(in->n_words, 2);
    assert_int_equal(in->words[0].line, 3);
    assert_int_equal(in->words[0].col, 5);
    assert_int_equal(in->words[1].col, 13);
    dd_arena_free(a);
}

static void escape_directive_and_json(void **state)
{
    dd_arena *a;
    dd_df df = parse_ok(&a, "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
                            "RUN dir `\n  c:\\\nCMD [\"cmd\", \"/S\", \"/C\"]\n");

    assert_int_equal(df.escape, '`');
    assert_string_equal(df.insts[1].args, "dir   c:\\");
    assert_true(df.insts[2].json);
    assert_int_equal(df.insts[2].n_words, 3);
    assert_string_equal(df.insts[2].words[1].s, "/S");
    dd_arena_free(a);
}

static void heredocs(void **state)
{
    dd_arena *a;
    dd_df df = parse_ok(&a, "FROM alpine\nRUN <<EOF\napk add curl\nEOF\n"
                            "COPY <<-\"A\" /a <<B /b\n\thello\n\tA\nworld\nB\nUSER 1000\n");

    assert_int_equal(df.n, 4);
    assert_int_equal(df.insts[1].n_heredocs, 1);
    assert_true(df.insts[1].heredocs[0].is_script);
    assert_string_equal(df.insts[1].heredocs[0].body, "apk add curl\n");
    assert_int_equal(df.insts[2].n_heredocs, 2);
    assert_true(df.insts[2].heredocs[0].quoted);
    assert_string_equal(df.insts[2].heredocs[0].body, "hello\n");
    assert_string_equal(df.insts[2].heredocs[1].body, "world\n");
    assert_int_equal(df.insts[3].line, 10);
    dd_arena_free(a);
}

static void arg_expansion(void **state)
{
    dd_arena *a;
    dd_df df = parse_ok(&a, "ARG REG=docker.io\nARG TAG\nFROM ${REG}/library/node:${TAG:-20}-alpine AS b\n"
                            "ARG TAG\nENV X=${TAG:+set} Y=$UNSET\nFROM b\n");

    assert_int_equal(df.n_stages, 2);
    assert_string_equal(df.stages[0].image, "docker.io/library/node:20-alpine");
    assert_string_equal(df.stages[0].name, "b");
    assert_false(df.stages[0].unresolved);
    assert_int_equal(df.stages[1].base_stage, 0);
    assert_string_equal(df.insts[4].kvs[0].value, "");
    dd_arena_free(a);
}

static void bad_input(void **state)
{
    dd_arena *a;
    dd_df df;
    uint32_t line;
    static const char nul[] = "FROM a\nRUN x\0y\n";
    char *big;

    assert_int_equal(dd_arena_new(&a), DD_OK);
    assert_int_equal(dd_df__parse(&df, a, "D", "FROM a\nRUN <<EOF\nx\n", 18, &line), DD_EINVALID);
    assert_int_equal(line, 2);
    assert_non_null(strstr(dd_error_message(), "D:2: unterminated heredoc"));
    assert_int_equal(dd_df__parse(&df, a, "D", nul, sizeof(nul) - 1, &line), DD_EINVALID);
    assert_int_equal(line, 2);
    assert_int_equal(dd_df__parse(&df, a, "D", "FROM a\nFROB x\n", 14, &line), DD_EINVALID);
    assert_int_equal(line, 2);
    assert_int_equal(dd_df__parse(&df, a, "D", "# nothing\n", 10, &line), DD_EINVALID);
    big = malloc(10u << 20);
    assert_non_null(big);
    memcpy(big, "FROM a\nRUN ", 11);
    memset(big + 11, 'x', (10u << 20) - 11);
    assert_int_equal(dd_df__parse(&df, a, "D", big, 10u << 20, &line), DD_ELIMIT);
    assert_int_equal(line, 2);
    free(big);
    dd_arena_free(a);
}

static void rules_fire_at_the_right_line(void **state)
{
    int rc;
    const char *f = lint("FROM ubuntu\n"
                         "RUN apt-get update && apt-get install -y curl\n"
                         "RUN curl -sk https://x | sh\n"
                         "WORKDIR app\n"
                         "ENV DB_PASSWORD=hunter2\n"
                         "EXPOSE 22 70000\n"
                         "CMD node server.js\n",
                         NULL, &rc);

    assert_int_equal(rc, DD_OK);
    assert_true(has(f, "DD-BI-001@1"));
    assert_true(has(f, "DD-USR-001@1"));
    assert_true(has(f, "DD-IMG-002@1"));
    assert_true(has(f, "DD-PKG-001@2"));
    assert_true(has(f, "DD-LYR-001@2"));
    assert_true(has(f, "DD-LYR-002@2"));
    assert_true(has(f, "DD-BLD-013@3"));
    assert_true(has(f, "DD-BLD-011@3"));
    assert_true(has(f, "DD-BLD-012@3"));
    assert_true(has(f, "DD-BLD-017@4"));
    assert_true(has(f, "DD-SEC-001@5"));
    assert_true(has(f, "DD-IMG-001@6"));
    assert_true(has(f, "DD-BLD-026@6"));
    assert_true(has(f, "DD-BLD-020@7"));
}

static void multi_stage_root_in_build_stage_is_fine(void **state)
{
    int rc;
    const char *f = lint("FROM golang:1.22@sha256:aa AS build\nUSER root\n"
                         "RUN apt-get install -y gcc=1\n"
                         "FROM gcr.io/distroless/static@sha256:bb\n"
                         "COPY --from=build /out /app\nUSER 65532\n"
                         "HEALTHCHECK CMD [\"/app\", \"-health\"]\nENTRYPOINT [\"/app\"]\n",
                         NULL, &rc);

    assert_int_equal(rc, DD_OK);
    assert_false(has(f, "DD-USR-002@2"));
    assert_false(has(f, "DD-LYR-001@3")); /* build stage layers do not ship */
    assert_string_equal(f, "");
}

static void pragmas_and_config(void **state)
{
    dd_lint_config *cfg;
    int rc;
    const char *f;

    f = lint("# drydock global ignore=DD-BI-003\nFROM alpine:3\n"
             "# drydock ignore=DD-PKG-002,DL3019\nRUN apk add curl\nRUN apk add git\n",
             NULL, &rc);
    assert_false(has(f, "DD-BI-003@2"));
    assert_false(has(f, "DD-PKG-002@4"));
    assert_false(has(f, "DD-LYR-003@4"));
    assert_true(has(f, "DD-PKG-002@5"));
    assert_int_equal(dd_lint_config_new(&cfg), DD_OK);
    assert_int_equal(dd_lint_config_ignore(cfg, "DD-PKG-002"), DD_OK);
    assert_int_equal(dd_lint_config_ignore(cfg, "DD-NOPE-1"), DD_ENOTFOUND);
    assert_int_equal(dd_lint_config_override(cfg, "DD-LYR-003", DD_SEV_ERROR), DD_OK);
    assert_int_equal(dd_lint_config_trust_registry(cfg, "ghcr.io"), DD_OK);
    f = lint("FROM alpine:3\nRUN apk add curl\n", cfg, &rc);
    assert_false(has(f, "DD-PKG-002@2"));
    assert_true(has(f, "DD-BI-004@1"));
    {
        dd_lint_result *r;

        assert_int_equal(dd_lint_result_new(&r), DD_OK);
        assert_int_equal(dd_lint_dockerfile(r, "D", "FROM alpine:3\nRUN apk add curl\n", 30, cfg),
                         DD_OK);
        assert_int_equal(dd_lint_result_max_severity(r), DD_SEV_ERROR);
        dd_lint_result_free(r);
    }
    dd_lint_config_free(cfg);
}

static void unusable_file_reports_bld_032(void **state)
{
    int rc;
    const char *f = lint("FROM alpine\nRUN <<EOF\nno end\n", NULL, &rc);

    assert_int_equal(rc, DD_EINVALID);
    assert_string_equal(f, "DD-BLD-032@2 ");
}

static void catalogue_is_sorted_and_complete(void **state)
{
    size_t n;
    const dd_lint_rule *r = dd_lint_rules(&n);

    assert_int_equal(n, 113);
    for (size_t i = 1; i < n; i++)
        assert_true(strcmp(r[i - 1].id, r[i].id) < 0);
    for (size_t i = 0; i < n; i++) {
        assert_ptr_equal(dd_lint_rule_find(r[i].id), &r[i]);
        assert_true(strlen(r[i].title) > 5);
        assert_true(strlen(r[i].fix) > 5);
    }
    assert_string_equal(dd_lint_rule_find_hadolint("DL3008")->id, "DD-PKG-001");
    assert_string_equal(dd_lint_rule_find_hadolint("dl3050")->id, "DD-BLD-031");
    assert_null(dd_lint_rule_find_hadolint("DL9999"));
    assert_int_equal(dd_lint_kind_of("x/Dockerfile.prod"), DD_LINT_DOCKERFILE);
    assert_int_equal(dd_lint_kind_of("api.Dockerfile"), DD_LINT_DOCKERFILE);
    assert_int_equal(dd_lint_kind_of("Containerfile"), DD_LINT_DOCKERFILE);
    assert_int_equal(dd_lint_kind_of("docker-compose.prod.yml"), DD_LINT_COMPOSE);
    assert_int_equal(dd_lint_kind_of(".dockerignore"), DD_LINT_DOCKERIGNORE);
    assert_int_equal(dd_lint_kind_of("README.md"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(continuation_comments_and_crlf),
        cmocka_unit_test(words_keep_line_and_column),
        cmocka_unit_test(escape_directive_and_json),
        cmocka_unit_test(heredocs),
        cmocka_unit_test(arg_expansion),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(rules_fire_at_the_right_line),
        cmocka_unit_test(multi_stage_root_in_build_stage_is_fine),
        cmocka_unit_test(pragmas_and_config),
        cmocka_unit_test(unusable_file_reports_bld_032),
        cmocka_unit_test(catalogue_is_sorted_and_complete),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
