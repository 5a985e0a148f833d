/* Unit tests for the .NET cataloger: deps.json of framework-dependent and self-contained apps,
 * the runtime target, development-only entries, purls, and damage. */
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

static const char app[] =
    "{\n"
    "  \"runtimeTarget\": {\n"
    "    \"name\": \".NETCoreApp,Version=v8.0/linux-x64\",\n"
    "    \"signature\": \"\"\n"
    "  },\n"
    "  \"compilationOptions\": {},\n"
    "  \"targets\": {\n"
    "    \".NETCoreApp,Version=v8.0\": {\n"
    "      \"Other/1.0.0\": {\"runtime\": {\"lib/net8.0/Other.dll\": {}}}\n"
    "    },\n"
    "    \".NETCoreApp,Version=v8.0/linux-x64\": {\n"
    "      \"WebApp/1.0.0\": {\n"
    "        \"dependencies\": {\"Newtonsoft.Json\": \"13.0.3\", \"Data\": \"1.0.0\"},\n"
    "        \"runtime\": {\"WebApp.dll\": {}}\n"
    "      },\n"
    "      \"runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.0\": {\n"
    "        \"runtime\": {\"System.Private.CoreLib.dll\": {\"assemblyVersion\": \"8.0.0.0\"}},\n"
    "        \"native\": {\"libcoreclr.so\": {\"fileVersion\": \"0.0.0.0\"}}\n"
    "      },\n"
    "      \"Newtonsoft.Json/13.0.3\": {\n"
    "        \"runtime\": {\"lib/net6.0/Newtonsoft.Json.dll\": {\"assemblyVersion\": \"13.0.0.0\", "
    "\"fileVersion\": \"13.0.3.27908\"}}\n"
    "      },\n"
    "      \"Libuv/1.9.1\": {\n"
    "        \"runtimeTargets\": {\"runtimes/debian-x64/native/libuv.so\": {\"rid\": "
    "\"debian-x64\", \"assetType\": \"native\"}}\n"
    "      },\n"
    "      \"StyleCop.Analyzers/1.1.118\": {},\n"
    "      \"Data/1.0.0\": {\"runtime\": {\"Data.dll\": {}}}\n"
    "    }\n"
    "  },\n"
    "  \"libraries\": {\n"
    "    \"WebApp/1.0.0\": {\"type\": \"project\", \"serviceable\": false, \"sha512\": \"\"},\n"
    "    \"runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.0\": {\"type\": "
    "\"runtimepack\", \"serviceable\": false, \"sha512\": \"\"},\n"
    "    \"Newtonsoft.Json/13.0.3\": {\"type\": \"package\", \"serviceable\": true, \"sha512\": "
    "\"sha512-x\", \"path\": \"newtonsoft.json/13.0.3\", \"hashPath\": "
    "\"newtonsoft.json.13.0.3.nupkg.sha512\"},\n"
    "    \"Libuv/1.9.1\": {\"type\": \"package\", \"serviceable\": true},\n"
    "    \"StyleCop.Analyzers/1.1.118\": {\"type\": \"package\", \"serviceable\": true},\n"
    "    \"Other/1.0.0\": {\"type\": \"package\", \"serviceable\": true},\n"
    "    \"Data/1.0.0\": {\"type\": \"project\", \"serviceable\": false, \"sha512\": \"\"}\n"
    "  }\n"
    "}\n";

static void deps(void **state)
{
    fixture *f = *state;
    const dd_package *p;
    char *purl = NULL;

    assert_int_equal(dd_dotnet__parse_deps(&f->list, "app/WebApp.deps.json", LIT(app)), DD_OK);
    assert_int_equal(f->list.n, 4);
    p = named(&f->list, "Newtonsoft.Json");
    assert_int_equal(p->type, DD_PKG_NUGET);
    assert_string_equal(p->version, "13.0.3");
    assert_string_equal(p->path, "app/WebApp.deps.json");
    assert_false(p->dev);
    assert_int_equal(dd_package_purl(&purl, p, NULL), DD_OK);
    assert_string_equal(purl, "pkg:nuget/Newtonsoft.Json@13.0.3");
    dd_free(purl);
    p = named(&f->list, "Microsoft.NETCore.App.Runtime.linux-x64");
    assert_string_equal(p->version, "8.0.0");
    assert_false(p->dev);
    assert_false(named(&f->list, "Libuv")->dev);
    assert_true(named(&f->list, "StyleCop.Analyzers")->dev); /* nothing the runtime loads */
    assert_null(named(&f->list, "Other"));                   /* another target's */
    assert_null(named(&f->list, "WebApp"));
    assert_null(named(&f->list, "Data"));
}

static void no_target(void **state)
{
    fixture *f = *state;

    /* no runtimeTarget: every package of "libraries" */
    assert_int_equal(
        dd_dotnet__parse_deps(&f->list, "a.deps.json",
                              LIT("{\"libraries\": {\"A/1.0\": {\"type\": \"package\"}, "
                                  "\"B/2.0\": {\"type\": \"reference\"}}}")),
        DD_OK);
    assert_int_equal(f->list.n, 1);
    assert_string_equal(f->list.v[0].name, "A");
    assert_false(f->list.v[0].dev);
}

static void bad(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *text, *message;
    } cases[] = {
        {"{\"targets\": {}}", "F: no \"libraries\" object"},
        {"[]", "F: no \"libraries\" object"},
        {"{\"libraries\": {}, \"targets\": []}", "F: \"targets\" is not an object"},
        {"{\"runtimeTarget\": {\"name\": \"t\"}, \"targets\": {\"t\": 1}, \"libraries\": {}}",
         "F: targets[\"t\"] is not an object"},
        {"{\"libraries\": {\"A\": {\"type\": \"package\"}}}",
         "F: libraries key \"A\" is not NAME/VERSION"},
        {"{\"libraries\": {\"A/1/2\": {\"type\": \"package\"}}}",
         "F: libraries key \"A/1/2\" is not NAME/VERSION"},
        {"{\"libraries\": {\"A/1\": 1}}", "F: libraries[\"A/1\"] is not an object"},
        {"{\n\"libraries\": {\"A/1\" 1}}", "F:2:21: invalid JSON: ':' expected near '1'"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(dd_dotnet__parse_deps(&f->list, "F", LIT(cases[i].text)), DD_EINVALID);
        assert_string_equal(dd_error_message(), cases[i].message);
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

static void walk(void **state)
{
    const char *tmp = getenv("DD_TEST_TMP");
    char root[4096], ref[4200];
    dd_image *img = NULL;
    dd_walk *w = NULL;
    dd_walk_opts wo = DD_WALK_OPTS_INIT;
    dd_catalog_opts co = DD_CATALOG_OPTS_INIT;
    dd_inventory *inv = NULL;
    const dd_package *p = NULL;

    (void)state;
    snprintf(root, sizeof(root), "%s/dotnet-%d", tmp ? tmp : "/tmp", (int)getpid());
    mkdir(tmp ? tmp : "/tmp", 0755);
    mkdir(root, 0755);
    write_file(root, "app/WebApp.deps.json", app);
    write_file(root, "app/Broken.deps.json", "{\"libraries\": ");
    snprintf(ref, sizeof(ref), "dir:%s", root);
    assert_int_equal(dd_image_open(&img, ref, NULL), DD_OK);
    assert_int_equal(dd_walk_new(&w, &wo), DD_OK);
    assert_int_equal(dd_catalog_register(w, &co), DD_OK);
    assert_int_equal(dd_walk_run(w, img), DD_OK);
    assert_int_equal(dd_catalog_run(&inv, w, &co), DD_OK);
    assert_int_equal(dd_inventory_warning_count(inv), 1);
    assert_non_null(strstr(dd_inventory_warning(inv, 0), "app/Broken.deps.json:1:"));
    assert_int_equal(dd_inventory_count(inv), 4);
    for (size_t i = 0; i < dd_inventory_count(inv); i++)
        if (strcmp(dd_inventory_get(inv, i)->name, "Libuv") == 0)
            p = dd_inventory_get(inv, i);
    assert_non_null(p);
    assert_string_equal(p->purl, "pkg:nuget/Libuv@1.9.1");
    assert_string_equal(p->db_path, "app/WebApp.deps.json");
    dd_inventory_free(inv);
    dd_walk_free(w);
    dd_image_free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(deps, setup, teardown),
        cmocka_unit_test_setup_teardown(no_target, setup, teardown),
        cmocka_unit_test_setup_teardown(bad, setup, teardown),
        cmocka_unit_test(walk),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
