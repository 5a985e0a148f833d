/* Unit tests for pnpm-lock.yaml: lockfile versions 5.4, 6.0 and 9.0 in the layouts pnpm 7, 8
 * and 9 write, development dependencies, peer suffixes, aliases, local folders, bounds, and the
 * node_modules rule over a root filesystem. */
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

#include "catalog/pkgfiles_int.h"
#include <drydock/image.h>

#define LIT(s) s, strlen(s)

#include "pkglist_fixture.h"

static const dd_package *find(const dd_pkglist *l, const char *name, const char *version)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].name, name) == 0 && strcmp(l->v[i].version, version) == 0)
            return &l->v[i];
    return NULL;
}

static void v5(void **state)
{
    fixture *f = *state;
    static const char y[] =
        "lockfileVersion: 5.4\n"
        "\n"
        "specifiers:\n"
        "  '@babel/core': 7.23.9\n"
        "  ts-node: 10.9.2\n"
        "  string-width-cjs: npm:string-width@^4.2.0\n"
        "\n"
        "dependencies:\n"
        "  '@babel/core': 7.23.9\n"
        "  string-width-cjs: /string-width/4.2.3\n"
        "\n"
        "devDependencies:\n"
        "  ts-node: 10.9.2_typescript@5.3.3\n"
        "\n"
        "packages:\n"
        "\n"
        "  /@babel/core/7.23.9:\n"
        "    resolution: {integrity: sha512-5q0175NOjddqpvvzU+kDiSOAk4PfdO6FvwCWoQ6RO7rTzEe8vlo+"
        "4HVfcnAREhD4npMs0e9uZypjTwzZPCf/cw==}\n"
        "    engines: {node: '>=6.9.0'}\n"
        "    dependencies:\n"
        "      semver: 6.3.1\n"
        "    dev: false\n"
        "\n"
        "  /semver/6.3.1:\n"
        "    hasBin: true\n"
        "    dev: false\n"
        "\n"
        "  /string-width/4.2.3:\n"
        "    dev: false\n"
        "\n"
        "  /ts-node/10.9.2_typescript@5.3.3:\n"
        "    peerDependencies:\n"
        "      typescript: '>=2.7'\n"
        "    dev: true\n"
        "\n"
        "  /ts-node/10.9.2_typescript@5.4.5:\n"
        "    dev: false\n"
        "\n"
        "  /typescript/5.3.3:\n"
        "    dev: true\n"
        "\n"
        "  registry.example.com/private/1.0.0:\n"
        "    resolution: {tarball: https://registry.example.com/private/-/private-1.0.0.tgz}\n"
        "    dev: true\n"
        "\n"
        "  github.com/user/repo/0123abc:\n"
        "    resolution: {tarball: https://codeload.github.com/user/repo/tar.gz/0123abc}\n"
        "    name: repo\n"
        "    version: 0.5.0\n"
        "\n"
        "  file:../local:\n"
        "    resolution: {directory: ../local, type: directory}\n"
        "    name: local\n"
        "    version: file:../local\n";
    const dd_package *p;

    assert_int_equal(dd_pnpm__parse_lock(&f->list, "srv/app/pnpm-lock.yaml", LIT(y)), DD_OK);
    assert_int_equal(f->list.n, 7);
    p = find(&f->list, "@babel/core", "7.23.9");
    assert_int_equal(p->type, DD_PKG_NPM);
    assert_false(p->dev);
    assert_string_equal(p->path, "srv/app/pnpm-lock.yaml");
    assert_true(find(&f->list, "typescript", "5.3.3")->dev);
    /* two peer variants: production when either is */
    assert_false(find(&f->list, "ts-node", "10.9.2")->dev);
    assert_true(find(&f->list, "private", "1.0.0")->dev);
    assert_non_null(find(&f->list, "repo", "0.5.0"));
    assert_non_null(find(&f->list, "string-width", "4.2.3"));
}

static void v6(void **state)
{
    fixture *f = *state;
    static const char y[] = "lockfileVersion: '6.0'\n"
                            "\n"
                            "settings:\n"
                            "  autoInstallPeers: true\n"
                            "  excludeLinksFromLockfile: false\n"
                            "\n"
                            "dependencies:\n"
                            "  express:\n"
                            "    specifier: 4.18.2\n"
                            "    version: 4.18.2\n"
                            "\n"
                            "packages:\n"
                            "\n"
                            "  /@types/node@20.11.0:\n"
                            "    resolution: {integrity: "
                            "sha512-o9bjXmDNcF7GbM4CNQpmi+TutCgap/"
                            "K3w1JyKgxAjqx41zp9qlIAVFi0IhCNsJcXolEqLWhbFbEeL0PvYm4pcQ==}\n"
                            "    dependencies:\n"
                            "      undici-types: 5.26.5\n"
                            "    dev: true\n"
                            "\n"
                            "  /express@4.18.2:\n"
                            "    engines: {node: '>= 0.10.0'}\n"
                            "    dev: false\n"
                            "\n"
                            "  /ts-node@10.9.2(@types/node@20.11.0)(typescript@5.3.3):\n"
                            "    dev: true\n"
                            "\n"
                            "  /undici-types@5.26.5:\n"
                            "    dev: true\n";

    assert_int_equal(dd_pnpm__parse_lock(&f->list, "pnpm-lock.yaml", LIT(y)), DD_OK);
    assert_int_equal(f->list.n, 4);
    assert_true(find(&f->list, "@types/node", "20.11.0")->dev);
    assert_false(find(&f->list, "express", "4.18.2")->dev);
    assert_true(find(&f->list, "ts-node", "10.9.2")->dev);
}

static void v9(void **state)
{
    fixture *f = *state;
    static const char y[] = "lockfileVersion: '9.0'\n"
                            "\n"
                            "settings:\n"
                            "  autoInstallPeers: true\n"
                            "  excludeLinksFromLockfile: false\n"
                            "\n"
                            "importers:\n"
                            "\n"
                            "  .:\n"
                            "    dependencies:\n"
                            "      '@babel/core':\n"
                            "        specifier: 7.23.9\n"
                            "        version: 7.23.9\n"
                            "      string-width-cjs:\n"
                            "        specifier: npm:string-width@^4.2.0\n"
                            "        version: string-width@4.2.3\n"
                            "      lib:\n"
                            "        specifier: workspace:*\n"
                            "        version: link:packages/lib\n"
                            "    optionalDependencies:\n"
                            "      ms:\n"
                            "        specifier: ^2.1.3\n"
                            "        version: 2.1.3\n"
                            "    devDependencies:\n"
                            "      debug:\n"
                            "        specifier: ^4.3.4\n"
                            "        version: 4.4.3\n"
                            "      ts-node:\n"
                            "        specifier: 10.9.2\n"
                            "        version: 10.9.2(typescript@5.3.3)\n"
                            "\n"
                            "  packages/lib:\n"
                            "    devDependencies:\n"
                            "      typescript:\n"
                            "        specifier: 5.3.3\n"
                            "        version: 5.3.3\n"
                            "\n"
                            "packages:\n"
                            "\n"
                            "  '@babel/core@7.23.9':\n"
                            "    resolution: {integrity: "
                            "sha512-5q0175NOjddqpvvzU+kDiSOAk4PfdO6FvwCWoQ6RO7rTzEe8vlo+"
                            "4HVfcnAREhD4npMs0e9uZypjTwzZPCf/cw==}\n"
                            "    engines: {node: '>=6.9.0'}\n"
                            "\n"
                            "  debug@4.4.3:\n"
                            "    resolution: {integrity: sha512-x}\n"
                            "    peerDependencies:\n"
                            "      supports-color: '*'\n"
                            "    peerDependenciesMeta:\n"
                            "      supports-color:\n"
                            "        optional: true\n"
                            "\n"
                            "  ms@2.1.3:\n"
                            "    resolution: {integrity: sha512-y}\n"
                            "\n"
                            "  string-width@4.2.3:\n"
                            "    resolution: {integrity: sha512-z}\n"
                            "\n"
                            "  ts-node@10.9.2:\n"
                            "    hasBin: true\n"
                            "\n"
                            "  typescript@5.3.3:\n"
                            "    hasBin: true\n"
                            "\n"
                            "  unused@1.0.0:\n"
                            "    resolution: {integrity: sha512-u}\n"
                            "\n"
                            "snapshots:\n"
                            "\n"
                            "  '@babel/core@7.23.9':\n"
                            "    dependencies:\n"
                            "      debug: 4.4.3\n"
                            "    transitivePeerDependencies:\n"
                            "      - supports-color\n"
                            "\n"
                            "  debug@4.4.3:\n"
                            "    dependencies:\n"
                            "      ms: 2.1.3\n"
                            "\n"
                            "  ms@2.1.3: {}\n"
                            "\n"
                            "  string-width@4.2.3: {}\n"
                            "\n"
                            "  ts-node@10.9.2(typescript@5.3.3):\n"
                            "    dependencies:\n"
                            "      typescript: 5.3.3\n"
                            "\n"
                            "  typescript@5.3.3: {}\n"
                            "\n"
                            "  unused@1.0.0: {}\n";

    assert_int_equal(dd_pnpm__parse_lock(&f->list, "pnpm-lock.yaml", LIT(y)), DD_OK);
    assert_int_equal(f->list.n, 7);
    assert_false(find(&f->list, "@babel/core", "7.23.9")->dev);
    assert_false(find(&f->list, "debug", "4.4.3")->dev); /* @babel/core needs it too */
    assert_false(find(&f->list, "ms", "2.1.3")->dev);
    assert_false(find(&f->list, "string-width", "4.2.3")->dev); /* through the alias */
    assert_true(find(&f->list, "ts-node", "10.9.2")->dev);
    assert_true(find(&f->list, "typescript", "5.3.3")->dev);
    assert_false(find(&f->list, "unused", "1.0.0")->dev);
}

static void bad(void **state)
{
    fixture *f = *state;
    char *bomb = NULL, *deep = NULL;
    size_t n = 0;
    static const struct {
        const char *text;
        int rc;
        const char *message;
    } cases[] = {
        {"lockfileVersion: '8.0'\n", DD_EUNSUPPORTED, "F: lockfileVersion 8.0 is not 5, 6 or 9"},
        {"packages: {}\n", DD_EINVALID, "F:1: no lockfileVersion"},
        {"- a\n", DD_EINVALID, "F:1: the top level is not a mapping"},
        {"", DD_EINVALID, "F:1: an empty document"},
        {"lockfileVersion: '9.0'\npackages: [a]\n", DD_EINVALID,
         "F:2: \"packages\" is not a mapping"},
        {"lockfileVersion: '9.0'\npackages:\n  a@1: x\n", DD_EINVALID,
         "F:3: a packages entry that is not KEY: {...}"},
        {"lockfileVersion: '9.0'\npackages:\n  a@1: *nowhere\n", DD_EINVALID,
         "F:3: unknown alias \"*nowhere\""},
        {"lockfileVersion: '9.0'\n\xff\n", DD_EINVALID, "F:2: invalid UTF-8"},
        {"lockfileVersion: '9.0'\npackages:\n  a@1: {\n", DD_EINVALID, NULL},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(dd_pnpm__parse_lock(&f->list, "F", LIT(cases[i].text)), cases[i].rc);
        if (cases[i].message)
            assert_string_equal(dd_error_message(), cases[i].message);
        else
            assert_non_null(strstr(dd_error_message(), "invalid YAML"));
    }
    /* a billion laughs: each level refers to the one before ten times */
    {
        FILE *m = open_memstream(&bomb, &n);

        fputs("lockfileVersion: '9.0'\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n", m);
        for (int i = 1; i < 9; i++)
            fprintf(m, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
                    i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
        fclose(m);
        assert_int_equal(dd_pnpm__parse_lock(&f->list, "F", bomb, n), DD_ELIMIT);
        assert_non_null(strstr(dd_error_message(), "an alias bomb?"));
        free(bomb);
    }
    {
        FILE *m = open_memstream(&deep, &n);

        fputs("lockfileVersion: '9.0'\nx: ", m);
        for (int i = 0; i < 100; i++)
            fputc('[', m);
        fclose(m);
        assert_int_equal(dd_pnpm__parse_lock(&f->list, "F", deep, n), DD_ELIMIT);
        assert_string_equal(dd_error_message(), "F:2: nesting deeper than 64 levels");
        free(deep);
    }
    assert_int_equal(f->list.n, 0);
}

/* --- through the walk --- */

static void write_file(const char *root, const char *rel, const char *text)
{
    char path[4096], dir[4096];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    for (char *s = strchr(path + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
        snprintf(dir, sizeof(dir), "%.*s", (int)(s - path), path);
        mkdir(dir, 0755);
    }
    assert_non_null(fp = fopen(path, "w"));
    fputs(text, fp);
    fclose(fp);
}

static void walk(void **state)
{
    const char *tmp = getenv("DD_TEST_TMP");
    char root[4096], ref[4200];
    dd_image *img = NULL;
    dd_walk *w = NULL;
    dd_walk_opts wo = DD_WALK_OPTS_INIT;
    dd_catalog_opts co = DD_CATALOG_OPTS_INIT;
    dd_inventory *inv = NULL;
    static const char lock[] = "lockfileVersion: '6.0'\npackages:\n  /left-pad@1.3.0:\n"
                               "    dev: true\n";

    (void)state;
    snprintf(root, sizeof(root), "%s/pnpm-%d", tmp ? tmp : "/tmp", (int)getpid());
    mkdir(tmp ? tmp : "/tmp", 0755);
    mkdir(root, 0755);
    write_file(root, "srv/locked/pnpm-lock.yaml", lock);
    /* installed: the npm cataloger reads node_modules; the lockfile is not read */
    write_file(root, "srv/installed/pnpm-lock.yaml", lock);
    write_file(root, "srv/installed/node_modules/.modules.yaml", "layoutVersion: 5\n");
    write_file(root, "srv/locked/node_modules2/x/node_modules/y/pnpm-lock.yaml", lock);
    write_file(root, "srv/bad/pnpm-lock.yaml", "lockfileVersion: '6.0'\npackages: [\n");
    snprintf(ref, sizeof(ref), "dir:%s", root);
    assert_int_equal(dd_image_open(&img, ref, NULL), DD_OK);
    assert_int_equal(dd_walk_new(&w, &wo), DD_OK);
    assert_int_equal(dd_catalog_register(w, &co), DD_OK);
    assert_int_equal(dd_walk_run(w, img), DD_OK);
    assert_int_equal(dd_catalog_run(&inv, w, &co), DD_OK);
    assert_int_equal(dd_inventory_warning_count(inv), 1);
    assert_non_null(strstr(dd_inventory_warning(inv, 0), "srv/bad/pnpm-lock.yaml:"));
    assert_int_equal(dd_inventory_count(inv), 1);
    assert_string_equal(dd_inventory_get(inv, 0)->purl, "pkg:npm/left-pad@1.3.0");
    assert_string_equal(dd_inventory_get(inv, 0)->path, "srv/locked/pnpm-lock.yaml");
    assert_true(dd_inventory_get(inv, 0)->dev);
    dd_inventory_free(inv);
    dd_walk_free(w);
    dd_image_free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(v5, setup, teardown),
        cmocka_unit_test_setup_teardown(v6, setup, teardown),
        cmocka_unit_test_setup_teardown(v9, setup, teardown),
        cmocka_unit_test_setup_teardown(bad, setup, teardown),
        cmocka_unit_test(walk),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
