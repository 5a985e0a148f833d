/* Unit tests for the SBOM readers: documents shaped as Trivy, Syft, cdxgen and drydock write
 * them, the distribution and its inference, language purls, drydock's own documents read back,
 * and malformed input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "catalog/catalog_int.h"
#include "sbom/sbom_int.h"

static dd_inventory *read_ok(const char *doc)
{
    dd_inventory *inv = NULL;

    if (dd_sbom_read(&inv, "t.json", doc, strlen(doc)) != DD_OK)
        fail_msg("dd_sbom_read: %s", dd_error_message());
    assert_non_null(inv);
    return inv;
}

static void read_fails(const char *doc, int code, const char *msg)
{
    dd_inventory *inv = (dd_inventory *)1;

    assert_int_equal(dd_sbom_read(&inv, "t.json", doc, strlen(doc)), code);
    assert_null(inv);
    if (!strstr(dd_error_message(), msg))
        fail_msg("got \"%s\", want \"%s\"", dd_error_message(), msg);
}

static const dd_package *find(const dd_inventory *inv, const char *name)
{
    for (size_t i = 0; i < dd_inventory_count(inv); i++)
        if (strcmp(dd_inventory_get(inv, i)->name, name) == 0)
            return dd_inventory_get(inv, i);
    fail_msg("no package %s", name);
    return NULL;
}

static void str_or_null(const char *got, const char *want)
{
    if (!want)
        assert_null(got);
    else if (!got)
        fail_msg("got NULL, want \"%s\"", want);
    else
        assert_string_equal(got, want);
}

static void pkg(const dd_inventory *inv, const char *name, dd_pkg_type type, const char *version,
                const char *arch, const char *src, const char *src_version)
{
    const dd_package *p = find(inv, name);

    assert_int_equal(p->type, type);
    str_or_null(p->version, version);
    str_or_null(p->arch, arch);
    str_or_null(p->source_name, src);
    str_or_null(p->source_version, src_version);
}

/* Index of the first warning containing `s`, or -1. */
static int warning(const dd_inventory *inv, const char *s)
{
    for (size_t i = 0; i < dd_inventory_warning_count(inv); i++)
        if (strstr(dd_inventory_warning(inv, i), s))
            return (int)i;
    return -1;
}

static size_t inferred(const dd_inventory *inv)
{
    size_t n = 0;

    for (size_t i = 0; i < dd_inventory_warning_count(inv); i++)
        n += strncmp(dd_inventory_warning(inv, i), "inferred: ", 10) == 0;
    return n;
}

static void os_is(const dd_inventory *inv, const char *id, const char *version,
                  const char *codename)
{
    const dd_os_info *os = dd_inventory_os(inv);

    assert_non_null(os);
    str_or_null(os->id, id);
    str_or_null(os->version_id, version);
    str_or_null(os->version_codename, codename);
}

/* Trivy 0.5x-0.7x: an operating-system component, purls with an epoch qualifier, the source
 * package in aquasecurity:trivy: properties. */
static const char trivy_doc[] =
    "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.7\",\"metadata\":{\"component\":"
    "{\"bom-ref\":\"x\",\"type\":\"application\",\"name\":\"vm\"}},\"components\":["
    "{\"bom-ref\":\"os\",\"type\":\"operating-system\",\"name\":\"debian\",\"version\":\"12.15\","
    " \"properties\":[{\"name\":\"aquasecurity:trivy:Class\",\"value\":\"os-pkgs\"}]},"
    "{\"bom-ref\":\"pkg:deb/debian/login@4.13%2Bdfsg1-1%2Bdeb12u2?arch=amd64&distro=debian-12.15"
    "&epoch=1\",\"type\":\"library\",\"name\":\"login\",\"version\":\"1:4.13+dfsg1-1+deb12u2\","
    " \"supplier\":{\"name\":\"Shadow <s@example.org>\"},"
    " \"licenses\":[{\"license\":{\"id\":\"GPL-2.0-or-later\"}},{\"license\":{\"name\":\"x\"}}],"
    " \"purl\":\"pkg:deb/debian/login@4.13%2Bdfsg1-1%2Bdeb12u2?arch=amd64&distro=debian-12.15"
    "&epoch=1\",\"properties\":["
    "  {\"name\":\"aquasecurity:trivy:SrcEpoch\",\"value\":\"1\"},"
    "  {\"name\":\"aquasecurity:trivy:SrcName\",\"value\":\"shadow\"},"
    "  {\"name\":\"aquasecurity:trivy:SrcRelease\",\"value\":\"1+deb12u2\"},"
    "  {\"name\":\"aquasecurity:trivy:SrcVersion\",\"value\":\"4.13+dfsg1\"}]},"
    "{\"bom-ref\":\"b\",\"type\":\"library\",\"name\":\"bash\",\"version\":\"5.2.15-2+b13\","
    " \"purl\":\"pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=amd64&distro=debian-12.15\","
    " \"properties\":[{\"name\":\"aquasecurity:trivy:SrcName\",\"value\":\"bash\"},"
    "  {\"name\":\"aquasecurity:trivy:SrcRelease\",\"value\":\"2\"},"
    "  {\"name\":\"aquasecurity:trivy:SrcVersion\",\"value\":\"5.2.15\"}]},"
    "{\"bom-ref\":\"t\",\"type\":\"library\",\"name\":\"tzdata\",\"version\":\"2024a-0+deb12u1\","
    " \"purl\":\"pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12.15\","
    " \"properties\":[{\"name\":\"aquasecurity:trivy:SrcName\",\"value\":\"tzdata\"},"
    "  {\"name\":\"aquasecurity:trivy:SrcVersion\",\"value\":\"2024a-0+deb12u1\"}]},"
    "{\"bom-ref\":\"j\",\"type\":\"library\",\"group\":\"org.yaml\",\"name\":\"snakeyaml\","
    " \"version\":\"1.33\",\"purl\":\"pkg:maven/org.yaml/snakeyaml@1.33\",\"properties\":["
    "  {\"name\":\"aquasecurity:trivy:FilePath\",\"value\":\"app/lib/snakeyaml-1.33.jar\"}]}"
    "]}";

static void trivy(void **state)
{
    dd_inventory *inv = read_ok(trivy_doc);
    const dd_package *login;

    assert_int_equal(dd_inventory_count(inv), 4);
    os_is(inv, "debian", "12.15", NULL);
    pkg(inv, "login", DD_PKG_DEB, "1:4.13+dfsg1-1+deb12u2", "amd64", "shadow",
        "1:4.13+dfsg1-1+deb12u2");
    pkg(inv, "bash", DD_PKG_DEB, "5.2.15-2+b13", "amd64", "bash", "5.2.15-2");
    pkg(inv, "tzdata", DD_PKG_DEB, "2024a-0+deb12u1", "all", "tzdata", "2024a-0+deb12u1");
    pkg(inv, "org.yaml:snakeyaml", DD_PKG_MAVEN, "1.33", NULL, NULL, NULL);
    assert_string_equal(find(inv, "org.yaml:snakeyaml")->db_path, "app/lib/snakeyaml-1.33.jar");
    login = find(inv, "login");
    /* the purl exactly as written */
    assert_string_equal(login->purl, "pkg:deb/debian/login@4.13%2Bdfsg1-1%2Bdeb12u2?arch=amd64"
                                     "&distro=debian-12.15&epoch=1");
    assert_string_equal(login->maintainer, "Shadow <s@example.org>");
    assert_int_equal(login->n_licenses, 2);
    assert_string_equal(login->licenses[1], "x");
    /* sorted as catalogs are: deb before maven */
    assert_int_equal(dd_inventory_get(inv, 0)->type, DD_PKG_DEB);
    assert_int_equal(dd_inventory_get(inv, 3)->type, DD_PKG_MAVEN);
    assert_int_equal(inferred(inv), 0);
    assert_int_equal(warning(inv, "skipped"), -1);
    dd_inventory_free(inv);
}

/* Syft: upstream qualifiers and syft:metadata: properties, an OS component with syft:distro:
 * properties; apk origins and source rpms. */
static void syft(void **state)
{
    static const char doc[] =
        "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":["
        "{\"type\":\"library\",\"name\":\"libssl3\",\"version\":\"3.0.15-1~deb12u1\","
        " \"purl\":\"pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&upstream=openssl"
        "&distro=debian-12\"},"
        "{\"type\":\"library\",\"name\":\"libc6\",\"version\":\"2.36-9+deb12u4\","
        " \"purl\":\"pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12\","
        " \"properties\":[{\"name\":\"syft:metadata:source\",\"value\":\"glibc\"}]},"
        "{\"type\":\"library\",\"name\":\"libgcc-s1\",\"version\":\"12.2.0-14\","
        " \"purl\":\"pkg:deb/debian/libgcc-s1@12.2.0-14?arch=amd64&upstream=gcc-12%4012.2.0-14"
        "&distro=debian-12\"},"
        "{\"type\":\"library\",\"name\":\"e2fsprogs\",\"version\":\"1.47.0-2+b2\","
        " \"purl\":\"pkg:deb/debian/e2fsprogs@1.47.0-2+b2?arch=amd64&distro=debian-12\","
        " \"properties\":[{\"name\":\"syft:metadata:source\",\"value\":\"e2fsprogs\"},"
        "  {\"name\":\"syft:metadata:sourceVersion\",\"value\":\"1.47.0-2\"}]},"
        "{\"type\":\"operating-system\",\"name\":\"debian\",\"version\":\"12\","
        " \"description\":\"Debian GNU/Linux 12 (bookworm)\",\"properties\":["
        "  {\"name\":\"syft:distro:id\",\"value\":\"debian\"},"
        "  {\"name\":\"syft:distro:versionCodename\",\"value\":\"bookworm\"}]}]}";
    static const char apk_rpm[] =
        "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":["
        "{\"type\":\"library\",\"name\":\"libcrypto3\",\"version\":\"3.3.2-r0\","
        " \"purl\":\"pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&distro=alpine-3.20.3\","
        " \"properties\":[{\"name\":\"syft:metadata:originPackage\",\"value\":\"openssl\"}]},"
        "{\"type\":\"library\",\"name\":\"openssl-libs\",\"version\":\"1:3.0.7-27.el9\","
        " \"purl\":\"pkg:rpm/rocky/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1"
        "&distro=rocky-9.3\",\"properties\":[{\"name\":\"syft:metadata:sourceRpm\","
        "  \"value\":\"openssl-3.0.7-27.el9.src.rpm\"}]},"
        "{\"type\":\"library\",\"name\":\"bash\",\"version\":\"5.1.8-9.el9\","
        " \"purl\":\"pkg:rpm/rocky/bash@5.1.8-9.el9?arch=x86_64&upstream=bash-5.1.8-9.el9.src.rpm"
        "&distro=rocky-9.3\"},"
        "{\"type\":\"library\",\"name\":\"gpg-pubkey\",\"version\":\"1-1\","
        " \"purl\":\"pkg:rpm/rocky/gpg-pubkey@1-1?distro=rocky-9.3\"}]}";
    dd_inventory *inv = read_ok(doc);
    const dd_package *p;

    os_is(inv, "debian", "12", "bookworm");
    assert_string_equal(dd_inventory_os(inv)->pretty_name, "Debian GNU/Linux 12 (bookworm)");
    pkg(inv, "libssl3", DD_PKG_DEB, "3.0.15-1~deb12u1", "amd64", "openssl", "3.0.15-1~deb12u1");
    pkg(inv, "libc6", DD_PKG_DEB, "2.36-9+deb12u4", "amd64", "glibc", "2.36-9+deb12u4");
    pkg(inv, "libgcc-s1", DD_PKG_DEB, "12.2.0-14", "amd64", "gcc-12", "12.2.0-14");
    pkg(inv, "e2fsprogs", DD_PKG_DEB, "1.47.0-2+b2", "amd64", "e2fsprogs", "1.47.0-2");
    assert_int_equal(inferred(inv), 0);
    dd_inventory_free(inv);

    inv = read_ok(apk_rpm);
    /* two distributions' purls: the most frequent qualifier names it */
    os_is(inv, "rocky", "9.3", NULL);
    pkg(inv, "libcrypto3", DD_PKG_APK, "3.3.2-r0", "x86_64", "openssl", "3.3.2-r0");
    pkg(inv, "openssl-libs", DD_PKG_RPM, "3.0.7-27.el9", "x86_64", "openssl", "3.0.7-27.el9");
    p = find(inv, "openssl-libs");
    assert_string_equal(p->epoch, "1");
    assert_string_equal(p->release, "27.el9");
    pkg(inv, "bash", DD_PKG_RPM, "5.1.8-9.el9", "x86_64", "bash", "5.1.8-9.el9");
    /* an rpm that names no source rpm has none (drydock's rpm catalog does the same) */
    pkg(inv, "gpg-pubkey", DD_PKG_RPM, "1-1", NULL, NULL, NULL);
    assert_null(find(inv, "gpg-pubkey")->epoch);
    dd_inventory_free(inv);
}

/* cdxgen: no OS component; Debian source packages as components tagged "source" whose evidence
 * names their binaries; a source merged into the binary of the same name and version; nested
 * components; the epoch both in the version and in a qualifier. */
static const char cdxgen_doc[] =
    "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.7\",\"metadata\":{\"component\":"
    "{\"type\":\"container\",\"name\":\"rootfs\",\"purl\":\"pkg:container/rootfs@latest\"}},"
    "\"components\":["
    "{\"bom-ref\":\"a\",\"type\":\"library\",\"name\":\"libc6\",\"version\":\"2.36-9+deb12u4\","
    " \"purl\":\"pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"
    "&distro_name=bookworm\",\"properties\":[{\"name\":\"aquasecurity:trivy:PkgID\","
    "  \"value\":\"libc6@2.36-9+deb12u4\"}],"
    " \"components\":[{\"bom-ref\":\"f\",\"type\":\"file\",\"name\":\"libc.so.6\","
    "  \"purl\":\"pkg:generic/libc.so.6?path=%2Flib%2Flibc.so.6\"}]},"
    "{\"bom-ref\":\"g\",\"type\":\"library\",\"name\":\"glibc\",\"version\":\"2.36-9+deb12u4\","
    " \"purl\":\"pkg:deb/debian/glibc@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"
    "&distro_name=bookworm\",\"tags\":[\"source\"],\"evidence\":{\"identity\":[{\"field\":"
    "\"purl\",\"methods\":[{\"technique\":\"filename\",\"value\":\"libc-bin\"},"
    "{\"technique\":\"filename\",\"value\":\"libc6\"}]}]}},"
    "{\"bom-ref\":\"s\",\"type\":\"library\",\"name\":\"shadow\",\"version\":\"1:4.13-1\","
    " \"purl\":\"pkg:deb/debian/shadow@1:4.13-1?arch=amd64&distro=debian-12&epoch=1\","
    " \"tags\":[\"source\"],\"evidence\":{\"identity\":{\"field\":\"purl\",\"methods\":["
    " {\"technique\":\"filename\",\"value\":\"login\"}]}}},"
    "{\"bom-ref\":\"l\",\"type\":\"library\",\"name\":\"login\",\"version\":\"1:4.13-1\","
    " \"purl\":\"pkg:deb/debian/login@1:4.13-1?arch=amd64&distro=debian-12&epoch=1\"},"
    "{\"bom-ref\":\"u\",\"type\":\"library\",\"name\":\"util-linux\",\"version\":\"2.38.1-5\","
    " \"purl\":\"pkg:deb/debian/util-linux@2.38.1-5?arch=amd64&distro=debian-12\","
    " \"tags\":[\"source\"],\"properties\":[{\"name\":\"aquasecurity:trivy:PkgID\","
    "  \"value\":\"util-linux@2.38.1-5\"}],\"evidence\":{\"identity\":[{\"methods\":["
    "  {\"value\":\"mount\"}]}]}},"
    "{\"bom-ref\":\"m\",\"type\":\"library\",\"name\":\"mount\",\"version\":\"2.38.1-5\","
    " \"purl\":\"pkg:deb/debian/mount@2.38.1-5?arch=amd64&distro=debian-12\"},"
    "{\"bom-ref\":\"b\",\"type\":\"library\",\"name\":\"bash\",\"version\":\"5.2.15-2+b13\","
    " \"purl\":\"pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=amd64&distro=debian-12\"},"
    "{\"bom-ref\":\"a\",\"type\":\"library\",\"name\":\"libc6\",\"version\":\"2.36-9+deb12u4\","
    " \"purl\":\"pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"
    "&distro_name=bookworm\"},"
    "{\"type\":\"cryptographic-asset\",\"name\":\"key.asc\"}"
    "]}";

static void cdxgen(void **state)
{
    dd_inventory *inv = read_ok(cdxgen_doc);

    /* libc6 (listed twice with one bom-ref: once), login, util-linux, mount, bash; not the
     * source packages */
    assert_int_equal(dd_inventory_count(inv), 5);
    os_is(inv, "debian", "12", "bookworm");
    pkg(inv, "libc6", DD_PKG_DEB, "2.36-9+deb12u4", "amd64", "glibc", "2.36-9+deb12u4");
    pkg(inv, "login", DD_PKG_DEB, "1:4.13-1", "amd64", "shadow", "1:4.13-1");
    pkg(inv, "util-linux", DD_PKG_DEB, "2.38.1-5", "amd64", "util-linux", "2.38.1-5");
    pkg(inv, "mount", DD_PKG_DEB, "2.38.1-5", "amd64", "util-linux", "2.38.1-5");
    pkg(inv, "bash", DD_PKG_DEB, "5.2.15-2+b13", "amd64", "bash", "5.2.15-2");
    assert_true(warning(inv, "inferred: 1 OS packages name no source package") >= 0);
    assert_true(warning(inv, "binNMU") >= 0);
    assert_true(warning(inv, "t.json: skipped 1 components of purl types drydock does not "
                             "match (generic 1), 1 without a purl") >= 0);
    dd_inventory_free(inv);
}

static void languages(void **state)
{
    static const char doc[] =
        "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\"components\":["
        "{\"type\":\"library\",\"name\":\"core\",\"purl\":\"pkg:npm/%40babel/core@7.24.0\"},"
        "{\"type\":\"library\",\"name\":\"x\",\"purl\":\"pkg:golang/github.com/gorilla/"
        "mux@v1.8.0\"},"
        "{\"type\":\"library\",\"name\":\"x\",\"purl\":\"pkg:pypi/Django_Rest@3.0\"},"
        "{\"type\":\"library\",\"name\":\"x\",\"purl\":\"pkg:composer/monolog/monolog@3.5.0\"},"
        "{\"type\":\"library\",\"name\":\"x\",\"purl\":\"pkg:gem/rails@7.1.0\"},"
        "{\"type\":\"library\",\"name\":\"x\",\"purl\":\"pkg:cargo/serde@1.0.197\"},"
        "{\"type\":\"library\",\"name\":\"x\",\"purl\":\"pkg:nuget/Newtonsoft.Json@13.0.3\"},"
        "{\"type\":\"library\",\"name\":\"x\",\"version\":\"2.0\",\"purl\":\"pkg:npm/noversion\"},"
        "{\"type\":\"library\",\"name\":\"x\",\"purl\":\"pkg:npm/nothing\"},"
        "{\"type\":\"library\",\"name\":\"x\",\"purl\":\"pkg:github/actions/checkout@v4\"},"
        "{\"type\":\"library\",\"name\":\"x\",\"purl\":\"pkg:generic/openssl@3.0\"},"
        "{\"type\":\"library\",\"name\":\"x\",\"purl\":\"pkg:generic/zlib@1.3\"},"
        "{\"type\":\"library\",\"name\":\"x\",\"purl\":\"npm/bad\"}]}";
    dd_inventory *inv = read_ok(doc);

    assert_int_equal(dd_inventory_count(inv), 8);
    pkg(inv, "@babel/core", DD_PKG_NPM, "7.24.0", NULL, NULL, NULL);
    pkg(inv, "github.com/gorilla/mux", DD_PKG_GOLANG, "v1.8.0", NULL, NULL, NULL);
    pkg(inv, "Django_Rest", DD_PKG_PYPI, "3.0", NULL, NULL, NULL);
    pkg(inv, "monolog/monolog", DD_PKG_COMPOSER, "3.5.0", NULL, NULL, NULL);
    pkg(inv, "rails", DD_PKG_GEM, "7.1.0", NULL, NULL, NULL);
    pkg(inv, "serde", DD_PKG_CARGO, "1.0.197", NULL, NULL, NULL);
    pkg(inv, "Newtonsoft.Json", DD_PKG_NUGET, "13.0.3", NULL, NULL, NULL);
    /* the component's version when the purl has none */
    pkg(inv, "noversion", DD_PKG_NPM, "2.0", NULL, NULL, NULL);
    /* no OS packages: no distribution, nothing inferred */
    assert_null(dd_inventory_os(inv));
    assert_int_equal(inferred(inv), 0);
    assert_true(warning(inv, "t.json: components[12]: purl \"npm/bad\": column 1:") >= 0);
    assert_true(warning(inv, "skipped 3 components of purl types drydock does not match "
                             "(generic 2, github 1), 1 without a version") >= 0);
    dd_inventory_free(inv);
}

static void distro_inferred(void **state)
{
    static const char deb[] =
        "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.3\",\"components\":["
        "{\"type\":\"library\",\"name\":\"a\",\"purl\":\"pkg:deb/debian/"
        "openssl@1.1.1n-0%2Bdeb11u3\"},"
        "{\"type\":\"library\",\"name\":\"b\",\"purl\":\"pkg:deb/debian/"
        "curl@7.74.0-1.3%2Bdeb11u7\"},"
        "{\"type\":\"library\",\"name\":\"c\",\"purl\":\"pkg:deb/debian/bash@5.1-2%2Bdeb11u1\"},"
        "{\"type\":\"library\",\"name\":\"d\",\"purl\":\"pkg:deb/debian/systemd@252.5-2~deb12u1\"},"
        "{\"type\":\"library\",\"name\":\"e\",\"purl\":\"pkg:deb/debian/tar@1.34%2Bdfsg-1\"}]}";
    static const char apk[] =
        "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.2\",\"components\":["
        "{\"type\":\"library\",\"name\":\"a\",\"purl\":\"pkg:apk/musl@1.2.5-r0\"}]}";
    static const char rpm[] =
        "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":["
        "{\"type\":\"library\",\"name\":\"a\",\"purl\":\"pkg:rpm/redhat/bash@5.1.8-9.el9\"},"
        "{\"type\":\"library\",\"name\":\"b\",\"purl\":\"pkg:rpm/redhat/zlib@1.2.11-40.el9\"}]}";
    /* older Trivy: the distro qualifier is the version alone */
    static const char version_only[] =
        "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":["
        "{\"type\":\"library\",\"name\":\"a\",\"purl\":\"pkg:apk/alpine/"
        "musl@1.2.3-r0?distro=3.16.0\"}]}";
    /* a codename alone */
    static const char codename[] =
        "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":["
        "{\"type\":\"library\",\"name\":\"a\",\"purl\":\"pkg:deb/debian/"
        "curl@7.50.3-1?distro=jessie\"}]}";
    dd_inventory *inv = read_ok(deb);
    int w;

    os_is(inv, "debian", "11", NULL);
    assert_int_equal(inferred(inv), 2);
    w = warning(inv, "inferred: distribution debian 11 from the namespace of 5 OS package purls, "
                     "its release from the versions of 3 of them");
    assert_true(w >= 0);
    /* no OS package names its source: each is its own */
    assert_true(warning(inv, "inferred: 5 OS packages name no source package") >= 0);
    pkg(inv, "openssl", DD_PKG_DEB, "1.1.1n-0+deb11u3", NULL, "openssl", "1.1.1n-0+deb11u3");
    dd_inventory_free(inv);

    inv = read_ok(apk);
    os_is(inv, "alpine", NULL, NULL);
    assert_true(warning(inv, "inferred: distribution alpine from the namespace of 1 OS package "
                             "purls; the release is unknown") >= 0);
    dd_inventory_free(inv);

    inv = read_ok(rpm);
    os_is(inv, "rhel", "9", NULL);
    assert_true(warning(inv, "inferred: distribution rhel 9") >= 0);
    dd_inventory_free(inv);

    inv = read_ok(version_only);
    os_is(inv, "alpine", "3.16.0", NULL);
    dd_inventory_free(inv);

    inv = read_ok(codename);
    os_is(inv, "debian", NULL, "jessie");
    dd_inventory_free(inv);
}

/* Trivy's SPDX: the OS package by its SPDXID (before primaryPackagePurpose), sourceInfo,
 * annotations; PACKAGE_MANAGER (2.2) as the purl category. */
static void spdx_trivy(void **state)
{
    static const char doc[] =
        "{\"spdxVersion\":\"SPDX-2.2\",\"SPDXID\":\"SPDXRef-DOCUMENT\",\"name\":\"x\","
        "\"packages\":["
        "{\"SPDXID\":\"SPDXRef-ContainerImage-1\",\"name\":\"img\"},"
        "{\"SPDXID\":\"SPDXRef-OperatingSystem-2\",\"name\":\"alpine\",\"versionInfo\":\"3.16.0\"},"
        "{\"SPDXID\":\"SPDXRef-Package-3\",\"name\":\"libcrypto1.1\",\"versionInfo\":\"1.1.1q-r0\","
        " \"sourceInfo\":\"built package from: openssl 1.1.1q-r0\",\"licenseDeclared\":\"OpenSSL\","
        " \"externalRefs\":[{\"referenceCategory\":\"SECURITY\",\"referenceType\":\"cpe23Type\","
        "  \"referenceLocator\":\"cpe:2.3:a:x\"},{\"referenceCategory\":\"PACKAGE_MANAGER\","
        "  \"referenceType\":\"purl\",\"referenceLocator\":"
        "  \"pkg:apk/alpine/libcrypto1.1@1.1.1q-r0?arch=x86_64&distro=3.16.0\"}],"
        " \"annotations\":[{\"annotator\":\"Tool: trivy-0.50.0\",\"annotationType\":\"OTHER\","
        "  \"comment\":\"PkgType: alpine\"},{\"annotator\":\"Tool: trivy-0.50.0\","
        "  \"comment\":\"LayerDiffID: sha256:aa\"}]},"
        "{\"SPDXID\":\"SPDXRef-Package-4\",\"name\":\"openssl-libs\",\"versionInfo\":\"1:3.0.7-27."
        "el9\","
        " \"sourceInfo\":\"built package from: openssl 1:3.0.7-27.el9\","
        " \"externalRefs\":[{\"referenceCategory\":\"PACKAGE-MANAGER\",\"referenceType\":\"purl\","
        "  \"referenceLocator\":\"pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?epoch=1\"}]},"
        /* drydock's comment, with the notes it may carry */
        "{\"SPDXID\":\"SPDXRef-Package-5\",\"name\":\"left-pad\",\"versionInfo\":\"1.3.0\","
        " \"comment\":\"drydock: layer 2 sha256:ee, database app/package-lock.json; removed by an "
        "upper layer; found at app/node_modules/left-pad (development dependency)\","
        " \"externalRefs\":[{\"referenceType\":\"purl\",\"referenceLocator\":"
        "  \"pkg:npm/left-pad@1.3.0\"}]}],"
        "\"relationships\":[]}";
    dd_inventory *inv = read_ok(doc);

    assert_int_equal(dd_inventory_count(inv), 3);
    os_is(inv, "alpine", "3.16.0", NULL);
    assert_string_equal(find(inv, "left-pad")->db_path, "app/package-lock.json");
    assert_int_equal(find(inv, "left-pad")->layer, 2);
    assert_true(find(inv, "left-pad")->removed);
    pkg(inv, "libcrypto1.1", DD_PKG_APK, "1.1.1q-r0", "x86_64", "openssl", "1.1.1q-r0");
    assert_string_equal(find(inv, "libcrypto1.1")->license, "OpenSSL");
    /* rpm source versions carry no epoch */
    pkg(inv, "openssl-libs", DD_PKG_RPM, "3.0.7-27.el9", NULL, "openssl", "3.0.7-27.el9");
    assert_true(warning(inv, "1 without a purl") >= 0);
    assert_int_equal(inferred(inv), 0);
    dd_inventory_free(inv);
}

/* drydock's own documents read back to the inventory they were written from. */
static dd_inventory *make_inventory(void)
{
    dd_inventory *inv;
    dd_os_info *os = dd_calloc(1, sizeof(*os));
    const char *lics[] = {"LGPL-2.1-or-later", "public-domain"};
    dd_package libc = {.type = DD_PKG_DEB,
                       .name = "libc6",
                       .version = "2.36-9+deb12u4",
                       .arch = "amd64",
                       .source_name = "glibc",
                       .source_version = "2.36-9+deb12u4",
                       .maintainer = "GNU Libc Maintainers <debian-glibc@lists.debian.org>",
                       .db_path = "var/lib/dpkg/status",
                       .layer = 1,
                       .licenses = lics,
                       .n_licenses = 2,
                       .installed_size = 12345};
    dd_package login = {.type = DD_PKG_DEB,
                        .name = "login",
                        .version = "1:4.13+dfsg1-1",
                        .arch = "amd64",
                        .source_name = "shadow",
                        .source_version = "1:4.13+dfsg1-1",
                        .db_path = "var/lib/dpkg/status"};
    dd_package gone = {.type = DD_PKG_DEB,
                       .name = "tzdata",
                       .version = "2024a-0+deb12u1",
                       .arch = "all",
                       .source_name = "tzdata",
                       .source_version = "2024a-0+deb12u1",
                       .db_path = "var/lib/dpkg/status",
                       .removed = 1};
    dd_package rpm = {.type = DD_PKG_RPM,
                      .name = "openssl-libs",
                      .version = "3.0.7-27.el9",
                      .epoch = "1",
                      .release = "27.el9",
                      .arch = "x86_64",
                      .source_name = "openssl",
                      .source_version = "3.0.7-27.el9",
                      .vendor = "Rocky Enterprise Software",
                      .license = "Apache-2.0",
                      .db_path = "var/lib/rpm/rpmdb.sqlite"};

    assert_int_equal(dd_inventory__new(&inv), DD_OK);
    os->id = dd_strdup("debian");
    os->version_id = dd_strdup("12");
    os->version_codename = dd_strdup("bookworm");
    dd_inventory__set_os(inv, os);
    assert_int_equal(dd_inventory__add(inv, &gone), DD_OK);
    assert_int_equal(dd_inventory__add(inv, &libc), DD_OK);
    assert_int_equal(dd_inventory__add(inv, &login), DD_OK);
    assert_int_equal(dd_inventory__add(inv, &rpm), DD_OK);
    dd_inventory__sort(inv);
    return inv;
}

static void same_packages(const dd_inventory *a, const dd_inventory *b, int spdx)
{
    assert_int_equal(dd_inventory_count(a), dd_inventory_count(b));
    for (size_t i = 0; i < dd_inventory_count(a); i++) {
        const dd_package *p = dd_inventory_get(a, i), *q = dd_inventory_get(b, i);

        assert_int_equal(p->type, q->type);
        assert_string_equal(p->name, q->name);
        assert_string_equal(p->version, q->version);
        str_or_null(q->epoch, p->epoch);
        str_or_null(q->release, p->release);
        str_or_null(q->arch, p->arch);
        str_or_null(q->source_name, p->source_name);
        str_or_null(q->source_version, p->source_version);
        str_or_null(q->purl, p->purl);
        str_or_null(q->db_path, p->db_path);
        assert_int_equal(p->layer, q->layer);
        assert_int_equal(p->removed, q->removed);
        if (!spdx) {
            assert_int_equal(p->installed_size, q->installed_size);
            assert_int_equal(p->n_licenses, q->n_licenses);
            str_or_null(q->license, p->license);
        }
    }
}

static void drydock_round_trip(void **state)
{
    dd_inventory *inv = make_inventory(), *back;
    dd_sbom_opts opts = DD_SBOM_OPTS_INIT;
    static const dd_sbom_layer layers[] = {{"sha256:aa", "sha256:bb"}, {"sha256:cc", "sha256:dd"}};
    const dd_sbom_subject subject = {
        .name = "app:1", .digest = "sha256:0123", .layers = layers, .n_layers = 2};
    char *doc;
    size_t len;

    for (int f = DD_SBOM_CYCLONEDX; f <= DD_SBOM_SPDX_JSON; f++) {
        opts.format = (dd_sbom_format)f;
        assert_int_equal(dd_sbom_write(&doc, &len, inv, &subject, &opts), DD_OK);
        if (dd_sbom_read(&back, "own.json", doc, len) != DD_OK)
            fail_msg("%s", dd_error_message());
        same_packages(inv, back, f == DD_SBOM_SPDX_JSON);
        os_is(back, "debian", "12", f == DD_SBOM_CYCLONEDX ? "bookworm" : NULL);
        assert_int_equal(inferred(back), 0);
        assert_int_equal(warning(back, "skipped"), -1);
        dd_inventory_free(back);
        dd_free(doc);
    }
    dd_inventory_free(inv);
}

static void nesting(void **state)
{
    char doc[8192];
    size_t n = 0;
    dd_inventory *inv;

    /* 64 levels are read, 65 are refused */
    for (int depth = 64; depth <= 65; depth++) {
        n = (size_t)snprintf(doc, sizeof(doc),
                             "{\"bomFormat\":\"CycloneDX\",\"specVersion\":"
                             "\"1.6\",\"components\":");
        for (int i = 0; i < depth; i++)
            n += (size_t)snprintf(doc + n, sizeof(doc) - n,
                                  "[{\"type\":\"library\",\"name\":"
                                  "\"n\",\"components\":");
        n += (size_t)snprintf(doc + n, sizeof(doc) - n, "[]");
        for (int i = 0; i < depth; i++)
            n += (size_t)snprintf(doc + n, sizeof(doc) - n, "}]");
        n += (size_t)snprintf(doc + n, sizeof(doc) - n, "}");
        assert_true(n < sizeof(doc) - 1);
        if (depth == 64) {
            inv = read_ok(doc);
            assert_true(warning(inv, "64 without a purl") >= 0);
            dd_inventory_free(inv);
        } else {
            read_fails(doc, DD_ELIMIT, "nested more than 64 deep");
        }
    }
}

static void malformed(void **state)
{
    dd_inventory *inv = (dd_inventory *)1;

    read_fails("", DD_EINVALID, "t.json:1:0:");
    read_fails("{\"bomFormat\":\"CycloneDX\",\n \"specVersion\": }", DD_EINVALID, "t.json:2:");
    read_fails("[1,2]", DD_EINVALID, "t.json: neither a CycloneDX nor an SPDX JSON document");
    read_fails("{\"a\":1}", DD_EINVALID, "no bomFormat or spdxVersion");
    read_fails("{\"bomFormat\":\"SWID\"}", DD_EINVALID, "bomFormat is \"SWID\"");
    read_fails("{\"bomFormat\":\"CycloneDX\"}", DD_EINVALID, "without specVersion");
    read_fails("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.1\"}", DD_EUNSUPPORTED,
               "CycloneDX 1.1 is not supported");
    read_fails("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.8\"}", DD_EUNSUPPORTED, "1.8");
    read_fails("{\"spdxVersion\":\"SPDX-2.1\"}", DD_EUNSUPPORTED, "SPDX-2.1 is not supported");
    read_fails("{\"@context\":\"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\",\"@graph\":[]}",
               DD_EUNSUPPORTED, "SPDX 3 JSON-LD is not supported");
    read_fails("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":{}}",
               DD_EINVALID, "t.json: components is not an array");
    read_fails("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[{},"
               "{\"components\":[3]}]}",
               DD_EINVALID, "t.json: components[1].components[0] is not an object");
    read_fails("{\"spdxVersion\":\"SPDX-2.3\",\"packages\":{}}", DD_EINVALID,
               "packages is not an array");
    read_fails("{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[\"x\"]}", DD_EINVALID,
               "packages[0] is not an object");
    /* the size cap is checked before a byte is read */
    assert_int_equal(dd_sbom_read(&inv, "big.json", "{}", (size_t)(512ull << 20) + 1), DD_ELIMIT);
    assert_null(inv);
    assert_non_null(strstr(dd_error_message(), "big.json: 536870913 bytes, over the 512 MiB"));
    /* empty documents are fine */
    inv = read_ok("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\"}");
    assert_int_equal(dd_inventory_count(inv), 0);
    assert_null(dd_inventory_os(inv));
    assert_int_equal(dd_inventory_warning_count(inv), 0);
    dd_inventory_free(inv);
}

static int fail_after;

static void *failing_malloc(size_t size, void *payload)
{
    return fail_after-- > 0 ? malloc(size) : NULL;
}

static void *failing_realloc(void *p, size_t size, void *payload)
{
    return fail_after-- > 0 ? realloc(p, size) : NULL;
}

static void plain_free(void *p, void *payload)
{
    free(p);
}

/* Fails each drydock allocation in turn: ENOMEM every time until it succeeds, nothing leaked
 * (the sanitizer build checks). */
static void out_of_memory(void **state)
{
    const dd_allocator hook = {failing_malloc, failing_realloc, plain_free, NULL};
    const char *docs[] = {trivy_doc, cdxgen_doc};

    for (size_t d = 0; d < DD_ARRAY_SIZE(docs); d++) {
        int rc = DD_ENOMEM, n;

        for (n = 0; rc == DD_ENOMEM && n < 10000; n++) {
            dd_inventory *inv = NULL;

            fail_after = n;
            dd_set_allocator(&hook);
            rc = dd_sbom_read(&inv, "t.json", docs[d], strlen(docs[d]));
            dd_set_allocator(NULL);
            if (rc == DD_OK)
                dd_inventory_free(inv);
            else
                assert_null(inv);
            /* jansson reports some of its own allocation failures as syntax errors
             * ("t.json:LINE:COLUMN: ..."); past the parse, every failure is ENOMEM */
            if (rc == DD_EINVALID && strncmp(dd_error_message(), "t.json:1:", 9) == 0)
                rc = DD_ENOMEM;
            if (rc != DD_OK && rc != DD_ENOMEM)
                fail_msg("allocation %d failed: %s", n, dd_error_message());
        }
        assert_int_equal(rc, DD_OK);
        assert_true(n > 10);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trivy),
        cmocka_unit_test(syft),
        cmocka_unit_test(cdxgen),
        cmocka_unit_test(languages),
        cmocka_unit_test(distro_inferred),
        cmocka_unit_test(spdx_trivy),
        cmocka_unit_test(drydock_round_trip),
        cmocka_unit_test(nesting),
        cmocka_unit_test(malformed),
        cmocka_unit_test(out_of_memory),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
