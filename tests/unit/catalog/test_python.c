/* Unit tests for the Python cataloger: core metadata, RECORD, purls, and ownership by dpkg over
 * a root filesystem. */
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

#include "pkglist_fixture.h"

static int parse(fixture *f, const char *text, int truncated)
{
    return dd_python__parse_metadata(&f->list, "x.dist-info/METADATA", text, strlen(text),
                                     truncated);
}

static void metadata_fields(void **state)
{
    fixture *f = *state;
    const dd_package *p;

    assert_int_equal(parse(f,
                           "Metadata-Version: 2.1\r\nName: Foo.Bar_baz\r\nVersion: 1.2.3\r\n"
                           "Summary: things\r\nAuthor: Ann\r\nAuthor-email: ann@example.org\r\n"
                           "License: MIT\r\nClassifier: License :: OSI Approved :: BSD License\r\n"
                           "\r\nName: not-a-header\n",
                           0),
                     DD_OK);
    p = &f->list.v[0];
    assert_int_equal(p->type, DD_PKG_PYPI);
    assert_string_equal(p->name, "Foo.Bar_baz");
    assert_string_equal(p->version, "1.2.3");
    assert_string_equal(p->description, "things");
    assert_string_equal(p->maintainer, "Ann <ann@example.org>");
    assert_string_equal(p->license, "MIT");
    assert_string_equal(p->db_path, "x.dist-info/METADATA");
    /* License-Expression wins; a multi-line License is text: the classifiers say it */
    assert_int_equal(parse(f,
                           "Name: a\nVersion: 1\nLicense: MIT\nLicense-Expression: "
                           "Apache-2.0 OR MIT\n",
                           0),
                     DD_OK);
    assert_string_equal(f->list.v[1].license, "Apache-2.0 OR MIT");
    assert_int_equal(parse(f,
                           "Name: b\nVersion: 2\nLicense: Copyright (c) someone\n"
                           "        Permission is hereby granted\n"
                           "Classifier: License :: OSI Approved :: MIT License\n"
                           "Classifier: Programming Language :: Python\n"
                           "Classifier: License :: Other/Proprietary License\n",
                           0),
                     DD_OK);
    p = &f->list.v[2];
    assert_null(p->license);
    assert_int_equal(p->n_licenses, 2);
    assert_string_equal(p->licenses[0], "MIT");
    assert_string_equal(p->licenses[1], "Other/Proprietary License");
    /* the first of a repeated field counts, as email.message does */
    assert_int_equal(parse(f, "name: c\nVersion: 3\nName: d\n", 0), DD_OK);
    assert_string_equal(f->list.v[3].name, "c");
}

static void metadata_damage(void **state)
{
    fixture *f = *state;

    assert_int_equal(parse(f, "Metadata-Version: 2.1\nthis is no header\nName: x\n", 0),
                     DD_EINVALID);
    assert_string_equal(dd_error_message(),
                        "x.dist-info/METADATA:2: not a \"Key: value\" header line");
    assert_int_equal(parse(f, "Name: x\n\nVersion: 1\n", 0), DD_EINVALID);
    assert_string_equal(dd_error_message(), "x.dist-info/METADATA: no Version: header");
    assert_int_equal(parse(f, "Name:\nVersion: 1\n", 0), DD_EINVALID);
    assert_string_equal(dd_error_message(), "x.dist-info/METADATA:1: Name: is empty or not UTF-8");
    assert_int_equal(parse(f, "Name: \xff\xfe\nVersion: 1\n", 0), DD_EINVALID);
    assert_int_equal(parse(f, " continued\nName: x\n", 0), DD_EINVALID);
    assert_int_equal(dd_python__parse_metadata(&f->list, "m", "Name: a\0\nVersion: 1\n", 20, 0),
                     DD_EINVALID);
    assert_string_equal(dd_error_message(), "m:1: NUL byte");
    /* cut by the capture limit: fine once Name and Version are read, else a limit */
    assert_int_equal(parse(f, "Name: x\nVersion: 1\nDescription: long te", 1), DD_OK);
    assert_int_equal(parse(f, "Metadata-Version: 1.0\nSummary: long te", 1), DD_ELIMIT);
    assert_int_equal(f->list.n, 1);
}

static void purls(void **state)
{
    char *purl;

    (void)state;
    assert_int_equal(dd_lang__purl(&purl, DD_PKG_PYPI, "Foo.Bar__baz-", "1.0+local"), DD_OK);
    assert_string_equal(purl, "pkg:pypi/foo-bar-baz-@1.0%2Blocal");
    dd_free(purl);
    assert_int_equal(dd_lang__purl(&purl, DD_PKG_NPM, "@babel/core", "7.23.9"), DD_OK);
    assert_string_equal(purl, "pkg:npm/%40babel/core@7.23.9");
    dd_free(purl);
    assert_int_equal(dd_lang__purl(&purl, DD_PKG_NPM, "left pad", "1.0.0-rc.1"), DD_OK);
    assert_string_equal(purl, "pkg:npm/left%20pad@1.0.0-rc.1");
    dd_free(purl);
    assert_int_equal(dd_lang__purl(&purl, DD_PKG_NPM, "x", ""), DD_EINVALID);
    assert_true(dd_lang__utf8_valid("h\xc3\xa9", 3));
    assert_false(dd_lang__utf8_valid("\xc0\x80", 2));     /* overlong */
    assert_false(dd_lang__utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
    assert_false(dd_lang__utf8_valid("\xe2\x82", 2));     /* cut */
}

static void record(void **state)
{
    fixture *f = *state;
    const char **v;
    size_t n;
    static const char rec[] = "requests/__init__.py,sha256=abc,4924\n"
                              "\"odd,name \"\"q\"\".py\",,\n"
                              "../../../bin/normalizer,sha256=x,10\r\n"
                              "./requests/./api.py,,\n"
                              "/etc/absolute.conf,,\n"
                              "../../../../../../../escape,,\n"
                              "\n";

    assert_int_equal(dd_python__parse_record(&v, &n, f->arena, "usr/lib/python3/dist-packages", rec,
                                             strlen(rec), 1),
                     DD_OK);
    assert_int_equal(n, 5);
    assert_string_equal(v[0], "usr/lib/python3/dist-packages/requests/__init__.py");
    assert_string_equal(v[1], "usr/lib/python3/dist-packages/odd,name \"q\".py");
    assert_string_equal(v[2], "usr/bin/normalizer");
    assert_string_equal(v[3], "usr/lib/python3/dist-packages/requests/api.py");
    assert_string_equal(v[4], "etc/absolute.conf");
    assert_int_equal(dd_python__parse_record(&v, &n, f->arena, "site/x.egg-info",
                                             "../x/__init__.py\nPKG-INFO\n", 26, 0),
                     DD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "site/x/__init__.py");
    assert_string_equal(v[1], "site/x.egg-info/PKG-INFO");
}

/* --- through the walk: ownership --- */

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

static dd_inventory *catalog(const char *root, unsigned types, int *rc)
{
    char ref[4200];
    dd_image *img = NULL;
    dd_walk *w = NULL;
    dd_walk_opts wo = DD_WALK_OPTS_INIT;
    dd_catalog_opts co = DD_CATALOG_OPTS_INIT;
    dd_inventory *inv = NULL;

    co.pkg_types = types;
    snprintf(ref, sizeof(ref), "dir:%s", root);
    assert_int_equal(dd_image_open(&img, ref, NULL), DD_OK);
    assert_int_equal(dd_walk_new(&w, &wo), DD_OK);
    assert_int_equal(dd_catalog_register(w, &co), DD_OK);
    assert_int_equal(dd_walk_run(w, img), DD_OK);
    *rc = dd_catalog_run(&inv, w, &co);
    dd_walk_free(w);
    dd_image_free(img);
    return inv;
}

static const dd_package *find(const dd_inventory *inv, dd_pkg_type t, const char *name)
{
    for (size_t i = 0; i < dd_inventory_count(inv); i++) {
        const dd_package *p = dd_inventory_get(inv, i);

        if (p->type == t && strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

static void ownership(void **state)
{
    const char *tmp = getenv("DD_TEST_TMP");
    char root[4096];
    dd_inventory *inv;
    const dd_package *p;
    unsigned pypi;
    int rc;

    (void)state;
    snprintf(root, sizeof(root), "%s/python-%d", tmp ? tmp : "/tmp", (int)getpid());
    mkdir(tmp ? tmp : "/tmp", 0755);
    mkdir(root, 0755);
    write_file(root, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
    write_file(root, "var/lib/dpkg/status",
               "Package: python3-requests\nStatus: install ok installed\nArchitecture: all\n"
               "Source: requests\nVersion: 2.28.1+dfsg-1\n\n");
    write_file(root, "var/lib/dpkg/info/python3-requests.list",
               "/.\n/usr\n/usr/lib/python3/dist-packages/requests-2.28.1.egg-info\n"
               "/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO\n");
    write_file(root, "usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO",
               "Metadata-Version: 2.1\nName: requests\nVersion: 2.28.1\n");
    write_file(root, "opt/venv/site-packages/requests-2.28.1.egg-info/PKG-INFO",
               "Metadata-Version: 2.1\nName: requests\nVersion: 2.28.1\n");
    write_file(root, "opt/venv/site-packages/Six-1.0.dist-info/METADATA",
               "Name: Six\nVersion: 1.0\n\n");
    write_file(root, "opt/venv/site-packages/Six-1.0.dist-info/RECORD",
               "six.py,sha256=x,1\nSix-1.0.dist-info/METADATA,,\n");
    write_file(root, "opt/venv/site-packages/bad-1.dist-info/METADATA", "Name bad\n");
    write_file(root, "opt/eggs/old.egg/EGG-INFO/PKG-INFO", "Name: old\nVersion: 0.1\n");
    write_file(root, "opt/eggs/single-0.2.egg-info", "Name: single\nVersion: 0.2\n");
    write_file(root, "opt/eggs/not-metadata.dist-info/OTHER", "Name: no\nVersion: 0\n");

    inv = catalog(root, 0, &rc);
    assert_int_equal(rc, DD_OK); /* a bad METADATA is a warning, not damage */
    assert_int_equal(dd_inventory_warning_count(inv), 1);
    assert_non_null(
        strstr(dd_inventory_warning(inv, 0), "opt/venv/site-packages/bad-1.dist-info/METADATA:1:"));
    assert_int_equal(dd_inventory_count(inv), 5);
    p = find(inv, DD_PKG_DEB, "python3-requests");
    assert_non_null(p);
    assert_int_equal(p->n_lang_purls, 1);
    assert_string_equal(p->lang_purls[0], "pkg:pypi/requests@2.28.1");
    p = find(inv, DD_PKG_PYPI, "requests");
    assert_non_null(p);
    assert_string_equal(p->path, "opt/venv/site-packages/requests-2.28.1.egg-info");
    assert_string_equal(p->purl, "pkg:pypi/requests@2.28.1");
    p = find(inv, DD_PKG_PYPI, "Six");
    assert_string_equal(p->purl, "pkg:pypi/six@1.0");
    assert_int_equal(p->n_files, 2);
    assert_string_equal(p->files[0], "opt/venv/site-packages/six.py");
    assert_string_equal(find(inv, DD_PKG_PYPI, "old")->path, "opt/eggs/old.egg");
    assert_string_equal(find(inv, DD_PKG_PYPI, "single")->path, "opt/eggs/single-0.2.egg-info");
    dd_inventory_free(inv);
    /* only pypi asked for: dpkg still decides what is not a PyPI component */
    assert_int_equal(dd_catalog_parse_pkg_types(&pypi, "pypi"), DD_OK);
    inv = catalog(root, pypi, &rc);
    assert_int_equal(rc, DD_OK);
    assert_int_equal(dd_inventory_count(inv), 4);
    assert_null(find(inv, DD_PKG_DEB, "python3-requests"));
    assert_string_equal(find(inv, DD_PKG_PYPI, "requests")->path,
                        "opt/venv/site-packages/requests-2.28.1.egg-info");
    dd_inventory_free(inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(metadata_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(metadata_damage, setup, teardown),
        cmocka_unit_test(purls),
        cmocka_unit_test_setup_teardown(record, setup, teardown),
        cmocka_unit_test(ownership),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
