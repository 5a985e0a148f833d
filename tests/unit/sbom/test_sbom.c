/* Unit tests for the SBOM writers over a hand-made inventory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "sbom/sbom_int.h"

static dd_inventory *make_inventory(void)
{
    dd_inventory *inv;
    dd_os_info *os = dd_calloc(1, sizeof(*os));
    const char *files[] = {"usr/lib/x86_64-linux-gnu/libc.so.6"};
    const char *lics[] = {"LGPL-2.1-or-later", "public-domain"};
    dd_package libc = {.type = DD_PKG_DEB, .name = "libc6", .version = "2.36-9+deb12u4",
                       .arch = "amd64", .source_name = "glibc", .source_version = "2.36-9+deb12u4",
                       .maintainer = "GNU Libc Maintainers <debian-glibc@lists.debian.org>",
                       .db_path = "var/lib/dpkg/status", .layer = 1, .files = files, .n_files = 1,
                       .licenses = lics, .n_licenses = 2};
    dd_package gone = {.type = DD_PKG_DEB, .name = "tzdata", .version = "2024a-0+deb12u1",
                       .arch = "all", .db_path = "var/lib/dpkg/status", .removed = 1};
    dd_package musl = {.type = DD_PKG_APK, .name = "musl", .version = "1.2.5-r0", .arch = "x86_64",
                       .license = "MIT AND BSD-2-Clause", .db_path = "lib/apk/db/installed"};

    assert_int_equal(dd_inventory__new(&inv), DD_OK);
    os->id = dd_strdup("debian");
    os->version_id = dd_strdup("12");
    os->pretty_name = dd_strdup("Debian GNU/Linux 12 (bookworm)");
    dd_inventory__set_os(inv, os);
    assert_int_equal(dd_inventory__add(inv, &gone), DD_OK);
    assert_int_equal(dd_inventory__add(inv, &libc), DD_OK);
    assert_int_equal(dd_inventory__add(inv, &musl), DD_OK);
    dd_inventory__sort(inv);
    return inv;
}

static const dd_sbom_layer layers[] = {{"sha256:aaaa", "sha256:bbbb"}, {"sha256:cccc", "sha256:dddd"}};
static const dd_sbom_subject subject = {
    .name = "localhost/app:1", .digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    .layers = layers, .n_layers = 2};

static json_t *write_doc(dd_inventory *inv, dd_sbom_format format, char **text)
{
    dd_sbom_opts opts = DD_SBOM_OPTS_INIT;
    size_t len;
    json_t *doc;

    opts.format = format;
    opts.timestamp = 1700000000;
    assert_int_equal(dd_sbom_write(text, &len, inv, &subject, &opts), DD_OK);
    assert_int_equal(strlen(*text), len);
    assert_int_equal((*text)[len - 1], '\n');
    assert_non_null(doc = json_loads(*text, 0, NULL));
    return doc;
}

static void cyclonedx(void **state)
{
    dd_inventory *inv = make_inventory();
    char *a, *b;
    json_t *doc = write_doc(inv, DD_SBOM_CYCLONEDX, &a), *doc2 = write_doc(inv, DD_SBOM_CYCLONEDX, &b);
    json_t *comps = json_object_get(doc, "components"), *c;
    char serial[37];

    assert_string_equal(a, b); /* deterministic */
    dd_sbom__serial(serial, inv, &subject);
    assert_non_null(strstr(json_string_value(json_object_get(doc, "serialNumber")), serial));
    assert_string_equal(json_string_value(json_object_get(doc, "specVersion")), "1.6");
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "metadata"), "timestamp")),
                        "2023-11-14T22:13:20Z");
    c = json_object_get(json_object_get(doc, "metadata"), "component");
    assert_string_equal(json_string_value(json_object_get(c, "type")), "container");
    assert_string_equal(json_string_value(json_object_get(c, "version")), subject.digest);
    assert_int_equal(json_array_size(comps), 4); /* OS + 3 packages */
    assert_string_equal(json_string_value(json_object_get(json_array_get(comps, 0), "type")),
                        "operating-system");
    /* sorted: apk before deb; libc6 before tzdata */
    c = json_array_get(comps, 1);
    assert_string_equal(json_string_value(json_object_get(c, "name")), "musl");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(c, "licenses"), 0), "expression")),
                        "MIT AND BSD-2-Clause");
    c = json_array_get(comps, 2);
    assert_string_equal(json_string_value(json_object_get(c, "purl")),
                        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc");
    assert_string_equal(json_string_value(json_object_get(json_object_get(
                            json_array_get(json_object_get(c, "licenses"), 0), "license"), "id")),
                        "LGPL-2.1-or-later");
    assert_string_equal(json_string_value(json_object_get(json_object_get(
                            json_array_get(json_object_get(c, "licenses"), 1), "license"), "name")),
                        "public-domain");
    assert_non_null(strstr(a, "\"sha256:cccc\""));
    assert_non_null(strstr(a, "\"drydock:package:removed\""));
    /* dependencies: image -> os, os -> its three packages */
    c = json_array_get(json_object_get(doc, "dependencies"), 1);
    assert_int_equal(json_array_size(json_object_get(c, "dependsOn")), 3);
    json_decref(doc);
    json_decref(doc2);
    dd_free(a);
    dd_free(b);
    dd_inventory_free(inv);
}

static void spdx(void **state)
{
    dd_inventory *inv = make_inventory();
    char *a, *b;
    json_t *doc = write_doc(inv, DD_SBOM_SPDX_JSON, &a), *doc2 = write_doc(inv, DD_SBOM_SPDX_JSON, &b);
    json_t *pkgs = json_object_get(doc, "packages"), *rels = json_object_get(doc, "relationships");
    json_t *libc = json_array_get(pkgs, 3);

    assert_string_equal(a, b);
    assert_string_equal(json_string_value(json_object_get(doc, "spdxVersion")), "SPDX-2.3");
    assert_int_equal(json_array_size(pkgs), 5); /* image, OS, 3 packages */
    assert_int_equal(json_array_size(rels), 5); /* DESCRIBES + 4 CONTAINS */
    assert_string_equal(json_string_value(json_object_get(json_array_get(rels, 0), "relationshipType")),
                        "DESCRIBES");
    assert_string_equal(json_string_value(json_object_get(libc, "name")), "libc6");
    assert_string_equal(json_string_value(json_object_get(libc, "licenseDeclared")),
                        "LGPL-2.1-or-later AND LicenseRef-public-domain");
    assert_string_equal(json_string_value(json_object_get(libc, "supplier")),
                        "Person: GNU Libc Maintainers (debian-glibc@lists.debian.org)");
    assert_int_equal(json_array_size(json_object_get(doc, "hasExtractedLicensingInfos")), 1);
    assert_non_null(strstr(json_string_value(json_object_get(doc, "documentNamespace")),
                           "https://drydock.dev/spdx/localhost-app-1-"));
    json_decref(doc);
    json_decref(doc2);
    dd_free(a);
    dd_free(b);
    dd_inventory_free(inv);
}

static void uuid5_and_license_kinds(void **state)
{
    static const unsigned char dns[16] = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                                          0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    char u[37];

    dd_sbom_uuid5(u, dns, "www.example.com", 15);
    assert_string_equal(u, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
    assert_int_equal(dd_sbom__license_kind("MIT"), DD_LIC_ID);
    assert_int_equal(dd_sbom__license_kind("MIT OR (Apache-2.0 AND BSD-3-Clause)"), DD_LIC_EXPRESSION);
    assert_int_equal(dd_sbom__license_kind("GPL-2.0-or-later WITH Classpath-exception-2.0"),
                     DD_LIC_EXPRESSION);
    assert_int_equal(dd_sbom__license_kind("MIT BSD"), DD_LIC_NAME);
    assert_int_equal(dd_sbom__license_kind("MIT AND"), DD_LIC_NAME);
    assert_int_equal(dd_sbom__license_kind("(MIT"), DD_LIC_NAME);
    assert_int_equal(dd_sbom__license_kind("public-domain"), DD_LIC_NAME);
}

static void empty_inventory_without_digest(void **state)
{
    dd_inventory *inv;
    dd_sbom_subject s = {.name = "rootfs"};
    dd_sbom_opts o = DD_SBOM_OPTS_INIT;
    char *text;
    size_t len;

    assert_int_equal(dd_inventory__new(&inv), DD_OK);
    assert_int_equal(dd_sbom_write(&text, &len, inv, &s, &o), DD_OK);
    assert_non_null(strstr(text, "\"components\": []"));
    dd_free(text);
    o.format = DD_SBOM_SPDX_JSON;
    assert_int_equal(dd_sbom_write(&text, &len, inv, &s, &o), DD_OK);
    dd_free(text);
    o.format = (dd_sbom_format)42;
    assert_int_equal(dd_sbom_write(&text, &len, inv, &s, &o), DD_EINVALID);
    dd_inventory_free(inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cyclonedx),
        cmocka_unit_test(spdx),
        cmocka_unit_test(uuid5_and_license_kinds),
        cmocka_unit_test(empty_inventory_without_digest),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
