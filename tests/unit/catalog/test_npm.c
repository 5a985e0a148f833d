/* Unit tests for the npm cataloger: package.json, lockfiles v1-v3, and installed trees with
 * development dependencies over a root filesystem. */
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

#include "catalog/lang_int.h"
#include <drydock/image.h>

#define LIT(s) s, strlen(s)

#include "pkglist_fixture.h"

static void manifest(void **state)
{
    fixture *f = *state;
    dd_npm_manifest m;
    static const char j[] =
        "{\"name\": \"@s/pkg\", \"version\": \"1.0.0\", \"description\": \"d\",\n"
        " \"license\": {\"type\": \"ISC\"}, \"author\": {\"name\": \"Ann\", \"email\": "
        "\"a@b.c\"},\n"
        " \"dependencies\": {\"a\": \"^1\", \"b\": \"2\"}, \"peerDependencies\": {\"c\": \"*\"},\n"
        " \"devDependencies\": {\"d\": \"1\"}, \"version\": \"1.0.1\"}";

    assert_int_equal(dd_npm__parse_manifest(&m, f->arena, "p/package.json", j, strlen(j)), DD_OK);
    assert_string_equal(m.name, "@s/pkg");
    assert_string_equal(m.version, "1.0.1"); /* the last of a repeated key, as JSON.parse */
    assert_string_equal(m.license, "ISC");
    assert_string_equal(m.author, "Ann <a@b.c>");
    assert_string_equal(m.description, "d");
    assert_int_equal(m.n_deps, 3);
    assert_string_equal(m.deps[2], "c");
    assert_int_equal(m.n_dev_deps, 1);
    assert_int_equal(
        dd_npm__parse_manifest(&m, f->arena, "p/package.json",
                               LIT("{\"licenses\": [{\"type\": \"MIT\"}, \"GPL-2.0\"]}")),
        DD_OK);
    assert_null(m.name);
    assert_string_equal(m.license, "MIT OR GPL-2.0");
    assert_int_equal(dd_npm__parse_manifest(&m, f->arena, "p/package.json", LIT("{\"a\":\n  1,")),
                     DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "p/package.json:2:"));
    assert_int_equal(dd_npm__parse_manifest(&m, f->arena, "p/package.json", LIT("[1]")),
                     DD_EINVALID);
}

static const dd_package *find(const dd_pkglist *l, const char *path)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].path, path) == 0)
            return &l->v[i];
    return NULL;
}

static void lock_v3(void **state)
{
    fixture *f = *state;
    const dd_package *p;
    static const char j[] =
        "{\"name\": \"app\", \"lockfileVersion\": 3, \"packages\": {\n"
        " \"\": {\"name\": \"app\", \"version\": \"1.0.0\"},\n"
        " \"node_modules/a\": {\"version\": \"1.0.0\", \"license\": \"MIT\"},\n"
        " \"node_modules/a/node_modules/b\": {\"version\": \"2.0.0\", \"dev\": true},\n"
        " \"node_modules/@s/c\": {\"version\": \"3.0.0\", \"devOptional\": true},\n"
        " \"node_modules/alias\": {\"name\": \"real\", \"version\": \"4.0.0\"},\n"
        " \"node_modules/ws\": {\"resolved\": \"packages/ws\", \"link\": true},\n"
        " \"packages/ws\": {\"name\": \"ws\", \"version\": \"0.1.0\"},\n"
        " \"packages/ws/node_modules/d\": {\"version\": \"5.0.0\"}}}";

    assert_int_equal(
        dd_npm__parse_lock(&f->list, "srv/app/package-lock.json", "srv/app", j, strlen(j)), DD_OK);
    assert_int_equal(f->list.n, 5);
    p = find(&f->list, "srv/app/node_modules/a");
    assert_string_equal(p->name, "a");
    assert_string_equal(p->license, "MIT");
    assert_string_equal(p->db_path, "srv/app/package-lock.json");
    assert_false(p->dev);
    p = find(&f->list, "srv/app/node_modules/a/node_modules/b");
    assert_string_equal(p->name, "b");
    assert_true(p->dev);
    assert_false(find(&f->list, "srv/app/node_modules/@s/c")->dev);
    assert_string_equal(find(&f->list, "srv/app/node_modules/alias")->name, "real");
    assert_string_equal(find(&f->list, "srv/app/packages/ws/node_modules/d")->name, "d");
    assert_int_equal(dd_npm__parse_lock(&f->list, "l", "", LIT("{\"lockfileVersion\": 9}")),
                     DD_EUNSUPPORTED);
    assert_int_equal(
        dd_npm__parse_lock(&f->list, "l", "",
                           LIT("{\"packages\": {\"node_modules/x\": {\"version\": 1}}}")),
        DD_EINVALID);
    assert_string_equal(dd_error_message(),
                        "l: packages[\"node_modules/x\"].version is not a string");
    assert_int_equal(dd_npm__parse_lock(&f->list, "l", "", LIT("{\"packages\": []}")), DD_EINVALID);
}

static void lock_v1(void **state)
{
    fixture *f = *state;
    static const char j[] =
        "{\"lockfileVersion\": 1, \"requires\": true, \"dependencies\": {\n"
        " \"debug\": {\"version\": \"2.6.9\", \"dev\": true, \"dependencies\": {\n"
        "   \"ms\": {\"version\": \"2.0.0\", \"dev\": true}}},\n"
        " \"ms\": {\"version\": \"2.1.3\"},\n"
        " \"al\": {\"version\": \"npm:@s/real@1.2.3\"},\n"
        " \"local\": {\"version\": \"file:../local\"}}}";

    assert_int_equal(dd_npm__parse_lock(&f->list, "package-lock.json", "", j, strlen(j)), DD_OK);
    assert_int_equal(f->list.n, 4);
    assert_true(find(&f->list, "node_modules/debug")->dev);
    assert_string_equal(find(&f->list, "node_modules/debug/node_modules/ms")->version, "2.0.0");
    assert_string_equal(find(&f->list, "node_modules/ms")->version, "2.1.3");
    assert_string_equal(find(&f->list, "node_modules/al")->name, "@s/real");
    assert_string_equal(find(&f->list, "node_modules/al")->version, "1.2.3");
    assert_null(find(&f->list, "node_modules/local"));
    assert_int_equal(
        dd_npm__parse_lock(&f->list, "l", "", LIT("{\"dependencies\": {\"x\": {\"dev\": true}}}")),
        DD_EINVALID);
}

static void yarn_v1(void **state)
{
    fixture *f = *state;
    dd_npm_manifest root;
    const dd_package *p;
    static const char pj[] =
        "{\"dependencies\": {\"express\": \"4.18.2\"}, \"devDependencies\": {\"debug\": "
        "\"^4.3.4\", \"@types/ms\": \"*\"}}";
    static const char lock[] =
        "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n"
        "# yarn lockfile v1\n\n\n"
        "\"@types/ms@*\":\n  version \"0.7.31\"\n  resolved \"https://r.example/ms.tgz\"\n\n"
        "debug@2.6.9:\n  version \"2.6.9\"\n  dependencies:\n    ms \"2.0.0\"\n\n"
        "debug@^4.3.4:\n  version \"4.3.4\"\n  dependencies:\n    ms \"2.1.2\"\n\n"
        "express@4.18.2:\n  version \"4.18.2\"\n  dependencies:\n    debug \"2.6.9\"\n"
        "    \"alias\" \"npm:@s/real@^1\"\n\n"
        "\"alias@npm:@s/real@^1\":\n  version \"1.0.1\"\n\n"
        "ms@2.0.0:\n  version \"2.0.0\"\n\n"
        "ms@2.1.2, ms@^2.1.1:\n  version \"2.1.2\"\n";

    assert_int_equal(dd_npm__parse_manifest(&root, f->arena, "package.json", LIT(pj)), DD_OK);
    assert_int_equal(dd_npm__parse_yarn(&f->list, "srv/y/yarn.lock", LIT(lock), &root), DD_OK);
    assert_int_equal(f->list.n, 7);
    for (size_t i = 0; i < f->list.n; i++) {
        p = &f->list.v[i];
        assert_string_equal(p->path, "srv/y/yarn.lock");
        /* express's tree is production, the rest only the devDependencies reach */
        if (strcmp(p->name, "@types/ms") == 0 || strcmp(p->version, "4.3.4") == 0 ||
            strcmp(p->version, "2.1.2") == 0)
            assert_true(p->dev);
        else
            assert_false(p->dev);
    }
    assert_string_equal(f->list.v[4].name, "@s/real");
    assert_string_equal(f->list.v[4].version, "1.0.1");
    assert_int_equal(
        dd_npm__parse_yarn(&f->list, "y", LIT("a@1:\n  version \"1\"\nnot an entry\n"), NULL),
        DD_EINVALID);
    assert_string_equal(dd_error_message(), "y:3: not an entry line (KEY:)");
    assert_int_equal(f->list.n, 8); /* the entry before the damage */
    assert_int_equal(dd_npm__parse_yarn(&f->list, "y", LIT("a@1:\n  resolved \"x\"\n"), NULL),
                     DD_EINVALID);
    assert_string_equal(dd_error_message(), "y:1: entry a has no version");
}

static void yarn_berry(void **state)
{
    fixture *f = *state;
    dd_npm_manifest root;
    static const char pj[] = "{\"name\": \"app\", \"dependencies\": {\"ms\": \"2.1.3\"}, "
                             "\"devDependencies\": {\"debug\": \"^4.3.4\"}}";
    static const char lock[] =
        "# This file is generated by running \"yarn install\" inside your project.\n"
        "# Manual changes might be lost - proceed with caution!\n\n"
        "__metadata:\n  version: 8\n  cacheKey: 10c0\n\n"
        "\"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n"
        "  dependencies:\n    debug: \"npm:^4.3.4\"\n    ms: \"npm:2.1.3\"\n"
        "  languageName: unknown\n  linkType: soft\n\n"
        "\"debug@npm:^4.3.4\":\n  version: 4.3.4\n  resolution: \"debug@npm:4.3.4\"\n"
        "  dependencies:\n    ms: \"npm:2.1.2\"\n  peerDependenciesMeta:\n    supports-color:\n"
        "      optional: true\n  checksum: 10c0/cedbec\n  languageName: node\n  linkType: hard\n\n"
        "\"ms@npm:2.1.2\":\n  version: 2.1.2\n  resolution: \"ms@npm:2.1.2\"\n\n"
        "\"ms@npm:2.1.3, ms@npm:^2.1.1\":\n  version: 2.1.3\n  resolution: \"ms@npm:2.1.3\"\n\n"
        "\"resolve@patch:resolve@npm%3A^1.1.7#optional!builtin<compat/resolve>\":\n"
        "  version: 1.22.8\n  resolution: "
        "\"resolve@patch:resolve@npm%3A1.22.8#optional!builtin\"\n";

    assert_int_equal(dd_npm__parse_manifest(&root, f->arena, "package.json", LIT(pj)), DD_OK);
    assert_int_equal(dd_npm__parse_yarn(&f->list, "yarn.lock", LIT(lock), &root), DD_OK);
    assert_int_equal(f->list.n, 3);
    assert_string_equal(f->list.v[0].name, "debug");
    assert_true(f->list.v[0].dev);
    assert_string_equal(f->list.v[1].version, "2.1.2");
    assert_true(f->list.v[1].dev);
    assert_string_equal(f->list.v[2].version, "2.1.3");
    assert_false(f->list.v[2].dev);
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

static const dd_package *at(const dd_inventory *inv, const char *path)
{
    for (size_t i = 0; i < dd_inventory_count(inv); i++) {
        const dd_package *p = dd_inventory_get(inv, i);

        if (p->path && strcmp(p->path, path) == 0)
            return p;
    }
    return NULL;
}

static void installed_tree(void **state)
{
    const char *tmp = getenv("DD_TEST_TMP");
    char root[4096], ref[4200];
    dd_image *img = NULL;
    dd_walk *w = NULL;
    dd_walk_opts wo = DD_WALK_OPTS_INIT;
    dd_catalog_opts co = DD_CATALOG_OPTS_INIT;
    dd_inventory *inv = NULL;
    const dd_package *p;

    (void)state;
    snprintf(root, sizeof(root), "%s/npm-%d", tmp ? tmp : "/tmp", (int)getpid());
    mkdir(tmp ? tmp : "/tmp", 0755);
    mkdir(root, 0755);
    /* app needs a (which needs c) and @s/e; b (which needs d and c) only for development */
    write_file(root, "app/package.json",
               "{\"name\": \"app\", \"version\": \"1.0.0\", \"dependencies\": {\"a\": \"1\", "
               "\"@s/e\": \"1\"}, \"devDependencies\": {\"b\": \"1\"}}");
    write_file(root, "app/package-lock.json",
               "{\"lockfileVersion\": 3, \"packages\": {"
               "\"node_modules/zz\": {\"version\": \"9\"}}}");
    write_file(root, "app/node_modules/a/package.json",
               "{\"name\": \"a\", \"version\": \"1.0.0\", \"license\": \"MIT\", "
               "\"dependencies\": {\"c\": \"2\"}}");
    write_file(root, "app/node_modules/a/node_modules/c/package.json",
               "{\"name\": \"c\", \"version\": \"2.0.0\"}");
    write_file(root, "app/node_modules/a/lib/package.json", "{\"type\": \"module\"}");
    write_file(root, "app/node_modules/b/package.json",
               "{\"name\": \"b\", \"version\": \"1.0.0\", \"dependencies\": {\"c\": \"1\", "
               "\"d\": \"1\"}}");
    write_file(root, "app/node_modules/c/package.json",
               "{\"name\": \"c\", \"version\": \"1.0.0\"}");
    write_file(root, "app/node_modules/d/package.json",
               "{\"name\": \"d\", \"version\": \"1.0.0\"}");
    write_file(
        root, "app/node_modules/@s/e/package.json",
        "{\"name\": \"@s/e\", \"version\": \"3.0.0\", \"peerDependencies\": {\"d\": \"1\"}}");
    write_file(root, "app/node_modules/.bin/package.json", "{\"name\": \"x\", \"version\": \"1\"}");
    write_file(root, "app/node_modules/noversion/package.json", "{\"name\": \"noversion\"}");
    write_file(root, "app/node_modules/broken/package.json", "{\"name\": ");
    write_file(root, "locked/package-lock.json",
               "{\"lockfileVersion\": 2, \"packages\": {\"node_modules/l\": {\"version\": "
               "\"0.1.0\", \"dev\": true}}}");
    write_file(root, "yarned/package.json", "{\"devDependencies\": {\"y\": \"^1\"}}");
    write_file(root, "yarned/yarn.lock", "# yarn lockfile v1\n\ny@^1:\n  version \"1.0.0\"\n");
    write_file(root, "usr/share/nodejs/@types/ms/package.json",
               "{\"name\": \"@types/ms\", \"version\": \"0.7.31\"}");
    snprintf(ref, sizeof(ref), "dir:%s", root);
    assert_int_equal(dd_image_open(&img, ref, NULL), DD_OK);
    assert_int_equal(dd_walk_new(&w, &wo), DD_OK);
    assert_int_equal(dd_catalog_register(w, &co), DD_OK);
    assert_int_equal(dd_walk_run(w, img), DD_OK);
    assert_int_equal(dd_catalog_run(&inv, w, &co), DD_OK);
    assert_int_equal(dd_inventory_warning_count(inv), 1);
    assert_non_null(
        strstr(dd_inventory_warning(inv, 0), "app/node_modules/broken/package.json:1:"));
    assert_int_equal(dd_inventory_count(inv), 9);
    p = at(inv, "yarned/yarn.lock");
    assert_string_equal(p->purl, "pkg:npm/y@1.0.0");
    assert_true(p->dev);
    p = at(inv, "app/node_modules/a");
    assert_string_equal(p->purl, "pkg:npm/a@1.0.0");
    assert_string_equal(p->db_path, "app/node_modules/a/package.json");
    assert_string_equal(p->license, "MIT");
    assert_false(p->dev);
    assert_false(at(inv, "app/node_modules/a/node_modules/c")->dev);
    assert_true(at(inv, "app/node_modules/b")->dev);
    assert_true(at(inv, "app/node_modules/c")->dev);  /* only b resolves to this c */
    assert_false(at(inv, "app/node_modules/d")->dev); /* @s/e's peer: production */
    assert_string_equal(at(inv, "app/node_modules/@s/e")->purl, "pkg:npm/%40s/e@3.0.0");
    assert_true(at(inv, "locked/node_modules/l")->dev);
    assert_non_null(at(inv, "usr/share/nodejs/@types/ms"));
    assert_null(at(inv, "app/node_modules/zz")); /* the lockfile beside node_modules */
    dd_inventory_free(inv);
    dd_walk_free(w);
    dd_image_free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(manifest, setup, teardown),
        cmocka_unit_test_setup_teardown(lock_v3, setup, teardown),
        cmocka_unit_test_setup_teardown(lock_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(yarn_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(yarn_berry, setup, teardown),
        cmocka_unit_test(installed_tree),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
