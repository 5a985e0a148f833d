/* Unit tests for Package URLs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <drydock/catalog.h>

static void check(const dd_package *p, const dd_os_info *os, const char *want)
{
    char *purl = NULL;

    assert_int_equal(dd_package_purl(&purl, p, os), DD_OK);
    assert_string_equal(purl, want);
    dd_free(purl);
}

static void deb(void **state)
{
    dd_os_info os = {.id = "debian", .version_id = "12"};
    dd_package p = {.type = DD_PKG_DEB, .name = "libc6", .version = "2.36-9+deb12u4",
                    .arch = "amd64", .source_name = "glibc"};

    check(&p, &os, "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc");
    p.name = "bsdutils";
    p.version = "1:2.38.1-5+b1";
    p.source_name = "bsdutils";
    check(&p, &os, "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bb1?arch=amd64&distro=debian-12");
    p.source_name = NULL;
    check(&p, NULL, "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bb1?arch=amd64");
}

static void ubuntu_namespace(void **state)
{
    dd_os_info os = {.id = "ubuntu", .version_id = "22.04"};
    dd_package p = {.type = DD_PKG_DEB, .name = "bash", .version = "5.1-6ubuntu1", .arch = "amd64"};

    check(&p, &os, "pkg:deb/ubuntu/bash@5.1-6ubuntu1?arch=amd64&distro=ubuntu-22.04");
}

static void apk(void **state)
{
    dd_os_info os = {.id = "alpine", .version_id = "3.20.3"};
    dd_package p = {.type = DD_PKG_APK, .name = "libcrypto3", .version = "3.3.2-r0",
                    .arch = "x86_64", .source_name = "openssl"};

    /* apk purls carry no upstream qualifier (origin is in the SBOM properties) */
    check(&p, &os, "pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&distro=alpine-3.20.3");
}

static void rpm(void **state)
{
    dd_os_info os = {.id = "rhel", .version_id = "9.3"};
    dd_package p = {.type = DD_PKG_RPM, .name = "openssl-libs", .version = "3.0.7-24.el9",
                    .epoch = "1", .arch = "x86_64"};

    check(&p, &os, "pkg:rpm/redhat/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=rhel-9.3&epoch=1");
    p.epoch = NULL;
    p.vendor = "Fedora Project";
    check(&p, NULL, "pkg:rpm/fedora%20project/openssl-libs@3.0.7-24.el9?arch=x86_64");
}

static void encodes_reserved_characters(void **state)
{
    dd_os_info os = {.id = "debian", .version_id = "12"};
    dd_package p = {.type = DD_PKG_DEB, .name = "we@ird/na me", .version = "1.0~rc1+x#y",
                    .arch = "amd64"};

    check(&p, &os, "pkg:deb/debian/we%40ird%2Fna%20me@1.0~rc1%2Bx%23y?arch=amd64&distro=debian-12");
}

static void needs_name_and_version(void **state)
{
    dd_package p = {.type = DD_PKG_DEB, .name = "x"};
    char *purl = NULL;

    assert_int_equal(dd_package_purl(&purl, &p, NULL), DD_EINVALID);
    assert_null(purl);
}

static void codename_when_no_version(void **state)
{
    dd_os_info os = {.id = "debian", .version_codename = "trixie"};
    dd_package p = {.type = DD_PKG_DEB, .name = "a", .version = "1", .arch = "all"};

    check(&p, &os, "pkg:deb/debian/a@1?arch=all&distro=debian-trixie");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deb),
        cmocka_unit_test(ubuntu_namespace),
        cmocka_unit_test(apk),
        cmocka_unit_test(rpm),
        cmocka_unit_test(encodes_reserved_characters),
        cmocka_unit_test(needs_name_and_version),
        cmocka_unit_test(codename_when_no_version),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
