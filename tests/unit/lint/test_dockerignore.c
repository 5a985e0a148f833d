/* .dockerignore: the builder's matching semantics, loading errors and DD-IGN-002..005. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <drydock/lint.h>

#include <stdio.h>
#include <string.h>

static dd_ignore *load(const char *text)
{
    dd_ignore *ig = NULL;

    if (dd_ignore_load(&ig, ".dockerignore", text, strlen(text)))
        fail_msg("load: %s", dd_error_message());
    return ig;
}

typedef struct {
    const char *patterns;
    const char *path;
    int excluded;
} match_case;

static void test_matching(void **state)
{
    (void)state;
    static const match_case cases[] = {
        {"*.md\n", "README.md", 1},
        {"*.md\n", "docs/README.md", 0},          /* `*` stays in one component */
        {"**/*.md\n", "docs/a/README.md", 1},
        {"**/*.md\n", "README.md", 1},            /* `**` also matches zero dirs */
        {"docs/**\n", "docs/x/y", 1},
        {"docs/**\n", "docs", 0},
        {"src/**/test\n", "src/test", 1},
        {"src/**/test\n", "src/a/b/test", 1},
        {"src/**/test\n", "src/a/b/test/x.c", 1}, /* a matched dir excludes what is under it */
        {"node_modules\n", "node_modules/pkg/i.js", 1},
        {"node_modules\n", "sub/node_modules/x", 0},
        {"/build\n", "build/out", 1},             /* leading "/" is the context root */
        {"logs/\n", "logs/a.log", 1},             /* trailing "/" is cleaned away */
        {"./src/../docs\n", "docs/i.md", 1},      /* patterns are cleaned */
        {"a//b/./c\n", "a/b/c", 1},
        {"q?.txt\n", "q1.txt", 1},
        {"q?.txt\n", "q/.txt", 0},
        {"[a-c]x\n", "bx", 1},
        {"[^a-c]x\n", "bx", 0},
        {"[^a-c]x\n", "dx", 1},
        {"\\[x\\].txt\n", "[x].txt", 1},
        {"*.md\n!README.md\n", "README.md", 0},
        {"*.md\n!README.md\n", "CHANGES.md", 1},
        {"*.txt\n!notes.txt\nnotes.txt\n", "notes.txt", 1}, /* last match wins */
        {"build\n!build/keep.txt\n", "build/keep.txt", 0},
        {"build\n!build/keep.txt\n", "build/other", 1},
        {"# comment\n", "# comment", 0},
        {" # not a comment\n", "# not a comment", 1}, /* comments only at column 1 */
        {"  logs  \n", "logs", 1},
        {"*\n!src\n", "src/main.c", 0},
        {"*\n!src\n", "Dockerfile", 1},
        {"**\n", "any/thing", 1},
        {".env*\n!.env.example\n", ".env.local", 1},
        {".env*\n!.env.example\n", ".env.example", 0},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dd_ignore *ig = load(cases[i].patterns);
        int got = dd_ignore_excluded(ig, cases[i].path);

        if (got != cases[i].excluded)
            fail_msg("patterns \"%s\" path \"%s\": excluded %d, want %d", cases[i].patterns,
                     cases[i].path, got, cases[i].excluded);
        dd_ignore_free(ig);
    }
}

static void test_reinclude_walk_rule(void **state)
{
    (void)state;
    dd_ignore *ig = load("build\n!build/keep.txt\n**\n!**/*.py\n");

    assert_true(dd_ignore_may_reinclude(ig, "build"));
    assert_false(dd_ignore_may_reinclude(ig, "src"));
    assert_false(dd_ignore_may_reinclude(ig, "buildx"));
    dd_ignore_free(ig);
}

static void test_load_errors(void **state)
{
    (void)state;
    dd_ignore *ig = NULL;
    uint32_t line = 0;
    int exc = 0;

    assert_int_equal(dd_ignore_load(&ig, "x/.dockerignore", "a\n!\n", 4), DD_EINVALID);
    assert_string_equal(dd_error_message(), "x/.dockerignore:2: illegal exclusion pattern \"!\"");
    assert_int_equal(dd_ignore_load(&ig, "x/.dockerignore", "ok\n[abc\n", 8), DD_EINVALID);
    assert_string_equal(dd_error_message(), "x/.dockerignore:2: syntax error in pattern \"[abc\"");
    assert_int_equal(dd_ignore_load(&ig, "x/.dockerignore", "a\0b", 3), DD_EINVALID);
    assert_null(ig);

    ig = load("\xEF\xBB\xBF/a/\r\n\n!  b\n");
    assert_int_equal(dd_ignore_count(ig), 2);
    assert_string_equal(dd_ignore_pattern(ig, 0, &exc, &line), "a");
    assert_int_equal(line, 1);
    assert_false(exc);
    assert_string_equal(dd_ignore_pattern(ig, 1, &exc, &line), "b");
    assert_int_equal(line, 3);
    assert_true(exc);
    dd_ignore_free(ig);
}

static char *lint_ids(const char *text)
{
    static char out[4096];
    dd_lint_result *r = NULL;
    size_t o = 0;

    assert_int_equal(dd_lint_result_new(&r), DD_OK);
    assert_int_equal(dd_lint_dockerignore(r, ".dockerignore", text, strlen(text), NULL), DD_OK);
    out[0] = '\0';
    for (size_t i = 0; i < dd_lint_result_count(r); i++) {
        const dd_lint_finding *f = dd_lint_result_get(r, i);

        o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s@%u", o ? " " : "", f->rule->id,
                              f->line);
    }
    dd_lint_result_free(r);
    return out;
}

static void test_rules(void **state)
{
    (void)state;
    assert_string_equal(lint_ids("# empty\n"), "DD-IGN-002@1 DD-IGN-003@1 DD-IGN-004@1");
    assert_string_equal(lint_ids(".git\n**/.env\n*.pem\n*.key\nid_rsa*\ncredentials*\n.aws/\n"
                                 "node_modules\n.cache\n.npm\n.idea\n.vscode\n"),
                        "");
    /* a later exception re-includes a secret */
    assert_string_equal(lint_ids(".git\n.env*\n*.pem\n*.key\nid_rsa*\ncredentials*\n.aws\n"
                                 "node_modules\n.cache\n.npm\n.idea\n.vscode\n"
                                 "!.env.example\n!.env.production\n!certs/server.pem\n"),
                        "DD-IGN-005@14");
    /* the whole context excluded, sources re-included: .git and secrets stay out */
    assert_string_equal(lint_ids("*\n!src\n!package.json\n"), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matching),
        cmocka_unit_test(test_reinclude_walk_rule),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_rules),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
