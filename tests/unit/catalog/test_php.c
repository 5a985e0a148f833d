/* Unit tests for the PHP cataloger: Composer 1 and 2 installed.json, composer.lock, purls, and
 * which lockfiles count over a root filesystem. */
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

/* Composer 2: an object with the packages and the names installed for development. */
static const char installed2[] =
    "{\n"
    "    \"packages\": [\n"
    "        {\n"
    "            \"name\": \"guzzlehttp/guzzle\",\n"
    "            \"version\": \"6.5.8\",\n"
    "            \"version_normalized\": \"6.5.8.0\",\n"
    "            \"type\": \"library\",\n"
    "            \"installation-source\": \"dist\",\n"
    "            \"license\": [\n"
    "                \"MIT\"\n"
    "            ],\n"
    "            \"authors\": [\n"
    "                {\"name\": \"Graham Campbell\", \"email\": \"hello@gjcampbell.co.uk\"},\n"
    "                {\"name\": \"M\\u00e1rk S\\u00e1gi-Kaz\\u00e1r\"}\n"
    "            ],\n"
    "            \"description\": \"Guzzle is a PHP HTTP client library\",\n"
    "            \"install-path\": \"../guzzlehttp/guzzle\"\n"
    "        },\n"
    "        {\n"
    "            \"name\": \"symfony/polyfill-php72\",\n"
    "            \"version\": \"v1.27.0\",\n"
    "            \"version_normalized\": \"1.27.0.0\",\n"
    "            \"license\": \"MIT or BSD-2-Clause\",\n"
    "            \"install-path\": \"../symfony/polyfill-php72\"\n"
    "        },\n"
    "        {\n"
    "            \"name\": \"pear/log\",\n"
    "            \"version\": \"1.13.3\",\n"
    "            \"version_normalized\": \"1.13.3.0\",\n"
    "            \"install-path\": \"../pear/log\"\n"
    "        }\n"
    "    ],\n"
    "    \"dev\": true,\n"
    "    \"dev-package-names\": [\n"
    "        \"pear/log\"\n"
    "    ]\n"
    "}\n";

static void installed_json(void **state)
{
    fixture *f = *state;
    const dd_package *p;
    char *purl = NULL;

    assert_int_equal(
        dd_php__parse_installed(&f->list, "app/vendor/composer/installed.json", LIT(installed2)),
        DD_OK);
    assert_int_equal(f->list.n, 3);
    p = named(&f->list, "guzzlehttp/guzzle");
    assert_int_equal(p->type, DD_PKG_COMPOSER);
    assert_string_equal(p->version, "6.5.8");
    assert_string_equal(p->license, "MIT");
    assert_string_equal(p->maintainer, "Graham Campbell, M\xc3\xa1rk S\xc3\xa1gi-Kaz\xc3\xa1r");
    assert_string_equal(p->description, "Guzzle is a PHP HTTP client library");
    assert_string_equal(p->path, "app/vendor/composer/installed.json");
    assert_false(p->dev);
    p = named(&f->list, "symfony/polyfill-php72");
    assert_string_equal(p->version, "v1.27.0"); /* as Composer writes it */
    assert_string_equal(p->license, "MIT or BSD-2-Clause");
    assert_int_equal(dd_package_purl(&purl, p, NULL), DD_OK);
    assert_string_equal(purl, "pkg:composer/symfony/polyfill-php72@v1.27.0");
    dd_free(purl);
    assert_true(named(&f->list, "pear/log")->dev);

    /* Composer 1: the array alone, nothing marked dev */
    assert_int_equal(
        dd_php__parse_installed(&f->list, "i.json",
                                LIT("[{\"name\": \"Psr/Log\", \"version\": \"1.1.4\"}]")),
        DD_OK);
    p = &f->list.v[f->list.n - 1];
    assert_string_equal(p->name, "Psr/Log");
    assert_false(p->dev);
    assert_int_equal(dd_package_purl(&purl, p, NULL), DD_OK);
    assert_string_equal(purl, "pkg:composer/psr/log@1.1.4");
    dd_free(purl);
}

static void lock(void **state)
{
    fixture *f = *state;
    static const char j[] =
        "{\"_readme\": [\"This file locks the dependencies of your project to a known state\"],\n"
        " \"content-hash\": \"99c95f97c9ab9a0045cd1f3b910a5b77\",\n"
        " \"packages\": [{\"name\": \"guzzlehttp/psr7\", \"version\": \"1.9.0\", \"license\": "
        "[\"MIT\", \"Apache-2.0\"]}],\n"
        " \"packages-dev\": [{\"name\": \"pear/pear_exception\", \"version\": \"v1.0.2\"}],\n"
        " \"aliases\": [], \"minimum-stability\": \"stable\", \"plugin-api-version\": \"2.3.0\"}";

    assert_int_equal(dd_php__parse_lock(&f->list, "composer.lock", LIT(j)), DD_OK);
    assert_int_equal(f->list.n, 2);
    assert_false(named(&f->list, "guzzlehttp/psr7")->dev);
    assert_int_equal(named(&f->list, "guzzlehttp/psr7")->n_licenses, 2);
    assert_null(named(&f->list, "guzzlehttp/psr7")->license);
    assert_true(named(&f->list, "pear/pear_exception")->dev);
    assert_int_equal(dd_php__parse_lock(&f->list, "composer.lock",
                                        LIT("{\"packages\": [], \"packages-dev\": null}")),
                     DD_OK);
}

static void bad(void **state)
{
    fixture *f = *state;
    static const struct {
        int installed;
        const char *text, *message;
    } cases[] = {
        {1, "{\"packages\": 1}",
         "F: neither an array of packages nor an object with a \"packages\" array"},
        {1, "[1]", "F: packages[0] is not an object"},
        {1, "[{\"name\": \"a/b\"}]", "F: packages[0] has no name or version"},
        {1, "[{\"name\": \"a/b\",\n \"version\": }]", NULL},
        {0, "{\"packages-dev\": []}", "F: no \"packages\" array"},
        {0, "{\"packages\": [], \"packages-dev\": {}}", "F: \"packages-dev\" is not an array"},
        {0, "{\"packages\": [], \"packages-dev\": [{\"version\": \"1\"}]}",
         "F: packages-dev[0] has no name or version"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = cases[i].installed ? dd_php__parse_installed(&f->list, "F", LIT(cases[i].text))
                                    : dd_php__parse_lock(&f->list, "F", LIT(cases[i].text));

        assert_int_equal(rc, DD_EINVALID);
        if (cases[i].message)
            assert_string_equal(dd_error_message(), cases[i].message);
        else
            assert_non_null(strstr(dd_error_message(), "F:2:"));
    }
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

static const dd_package *at(const dd_inventory *inv, const char *path, const char *name)
{
    for (size_t i = 0; i < dd_inventory_count(inv); i++) {
        const dd_package *p = dd_inventory_get(inv, i);

        if (p->path && strcmp(p->path, path) == 0 && strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

static void walk_rules(void **state)
{
    const char *tmp = getenv("DD_TEST_TMP");
    char root[4096], ref[4200];
    dd_image *img = NULL;
    dd_walk *w = NULL;
    dd_walk_opts wo = DD_WALK_OPTS_INIT;
    dd_catalog_opts co = DD_CATALOG_OPTS_INIT;
    dd_inventory *inv = NULL;
    static const char lockfile[] =
        "{\"packages\": [{\"name\": \"monolog/monolog\", \"version\": \"3.5.0\"}], "
        "\"packages-dev\": []}";

    (void)state;
    snprintf(root, sizeof(root), "%s/php-%d", tmp ? tmp : "/tmp", (int)getpid());
    mkdir(tmp ? tmp : "/tmp", 0755);
    mkdir(root, 0755);
    /* installed: installed.json counts, the lockfile beside it does not */
    write_file(root, "var/www/composer.lock", lockfile);
    write_file(root, "var/www/vendor/composer/installed.json", installed2);
    /* a package's own lockfile inside the vendor folder */
    write_file(root, "var/www/vendor/guzzlehttp/guzzle/composer.lock", lockfile);
    /* a lockfile alone */
    write_file(root, "srv/locked/composer.lock", lockfile);
    write_file(root, "srv/bad/composer.lock", "{\"packages\": [}");
    snprintf(ref, sizeof(ref), "dir:%s", root);
    assert_int_equal(dd_image_open(&img, ref, NULL), DD_OK);
    assert_int_equal(dd_walk_new(&w, &wo), DD_OK);
    assert_int_equal(dd_catalog_register(w, &co), DD_OK);
    assert_int_equal(dd_walk_run(w, img), DD_OK);
    assert_int_equal(dd_catalog_run(&inv, w, &co), DD_OK);
    assert_int_equal(dd_inventory_warning_count(inv), 1);
    assert_non_null(strstr(dd_inventory_warning(inv, 0), "srv/bad/composer.lock:1:"));
    assert_int_equal(dd_inventory_count(inv), 4);
    assert_string_equal(at(inv, "srv/locked/composer.lock", "monolog/monolog")->purl,
                        "pkg:composer/monolog/monolog@3.5.0");
    assert_true(at(inv, "var/www/vendor/composer/installed.json", "pear/log")->dev);
    assert_null(at(inv, "var/www/composer.lock", "monolog/monolog"));
    dd_inventory_free(inv);
    dd_walk_free(w);
    dd_image_free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(installed_json, setup, teardown),
        cmocka_unit_test_setup_teardown(lock, setup, teardown),
        cmocka_unit_test_setup_teardown(bad, setup, teardown),
        cmocka_unit_test(walk_rules),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
