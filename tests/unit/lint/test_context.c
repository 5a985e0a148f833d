/* Build-context audit: sensitive files the builder would receive are named; ignored ones not. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <drydock/lint.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[2048];

static void put(const char *rel, const char *text)
{
    char p[4200], dir[4200];

    snprintf(p, sizeof(p), "%s/%s", root, rel);
    for (char *s = strchr(p + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
        snprintf(dir, sizeof(dir), "%.*s", (int)(s - p), p);
        mkdir(dir, 0755);
    }
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    const char *base = getenv("DD_TEST_TMP");

    (void)state;
    base = base && *base ? base : "/tmp";
    mkdir(base, 0755);
    /* a fresh directory per run: no leftovers from an earlier one */
    snprintf(root, sizeof(root), "%s/context_audit.%ld", base, (long)getpid());
    mkdir(root, 0755);
    put("Dockerfile", "FROM scratch\nCOPY . /app\n");
    put("main.go", "package main\n");
    put(".env", "DB_PASSWORD=x\n");
    put(".env.example", "DB_PASSWORD=\n");
    put("deploy/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n");
    put("deploy/id_ed25519.pub", "ssh-ed25519 AAAA\n");
    put("certs/tls.crt", "-----BEGIN CERTIFICATE-----\n");
    put("certs/ca.pem", "-----BEGIN CERTIFICATE-----\n");
    put("certs/tls.key", "-----BEGIN PRIVATE KEY-----\n");
    put("misc/blob.txt", "junk\n-----BEGIN RSA PRIVATE KEY-----\nMII\n");
    put(".git/HEAD", "ref: refs/heads/main\n");
    put(".git/config", "[core]\n");
    put(".aws/credentials", "[default]\naws_access_key_id=AKIA\n");
    put(".npmrc", "//registry.npmjs.org/:_authToken=npm_xxx\n");
    put("web/.npmrc", "save-exact=true\n");
    put(".pypirc", "[pypi]\npassword = pypi-xxx\n");
    put(".docker/config.json", "{\"auths\":{\"r\":{\"auth\":\"eDp5\"}}}\n");
    put("gcp/sa.json", "{\"type\": \"service_account\", \"private_key\": \"-----BEGIN\"}\n");
    put("ignored/.env", "X=1\n");
    put(".dockerignore", "ignored\n");
    return 0;
}

static char *audit(void)
{
    static char out[8192];
    dd_lint_result *r = NULL;
    size_t o = 0, rl = strlen(root);

    assert_int_equal(dd_lint_result_new(&r), DD_OK);
    if (dd_lint_context(r, root, NULL))
        fail_msg("audit: %s", dd_error_message());
    out[0] = '\0';
    for (size_t i = 0; i < dd_lint_result_count(r); i++) {
        const dd_lint_finding *f = dd_lint_result_get(r, i);

        assert_int_equal(strncmp(f->file, root, rl), 0);
        o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s:%s", o ? " " : "", f->file + rl + 1,
                              f->rule->id + 3);
    }
    dd_lint_result_free(r);
    return out;
}

static void test_audit(void **state)
{
    (void)state;
    assert_string_equal(audit(), ".aws/credentials:IGN-003 .docker/config.json:IGN-003 "
                                 ".env:IGN-003 .git:IGN-002 .npmrc:IGN-003 .pypirc:IGN-003 "
                                 "certs/tls.key:IGN-003 deploy/id_ed25519:IGN-003 "
                                 "gcp/sa.json:IGN-003 misc/blob.txt:IGN-003");
}

static void test_audit_with_good_ignore(void **state)
{
    (void)state;
    put(".dockerignore", ".git\n**/.env\n!.env.example\n.aws\n.docker\n.npmrc\n.pypirc\n"
                         "**/*.key\ndeploy/id_*\n!deploy/*.pub\ngcp\nmisc\nignored\n");
    assert_string_equal(audit(), "");
}

static int collect(const char *rel, int is_dir, void *payload)
{
    char *buf = payload;
    size_t n = strlen(buf);

    if (!is_dir)
        snprintf(buf + n, 4096 - n, "%s ", rel);
    return 0;
}

static void test_walk_order_and_errors(void **state)
{
    (void)state;
    char buf[4096] = "";
    dd_ignore *ig = NULL;

    assert_int_equal(dd_ignore_load(&ig, "x", "*\n!certs\n!Dockerfile\ncerts/*.key\n", 33), DD_OK);
    assert_int_equal(dd_ignore_walk(root, ig, collect, buf), DD_OK);
    assert_string_equal(buf, "Dockerfile certs/ca.pem certs/tls.crt ");
    dd_ignore_free(ig);
    assert_int_equal(dd_lint_context(NULL, "/nonexistent/ctx", NULL), DD_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_audit),
        cmocka_unit_test(test_audit_with_good_ignore),
        cmocka_unit_test(test_walk_order_and_errors),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
