/* Unit tests for the distribution release-file fallbacks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <drydock/catalog.h>

static dd_os_info *parse(const char *path, const char *text)
{
    dd_os_info *info = NULL;

    assert_int_equal(dd_os_release_parse_file(&info, path, text, strlen(text)), DD_OK);
    assert_string_equal(info->source_path, path);
    return info;
}

static void alpine(void **state)
{
    dd_os_info *i = parse("etc/alpine-release", "3.20.3\n");

    assert_string_equal(i->id, "alpine");
    assert_string_equal(i->version_id, "3.20.3");
    dd_os_info_free(i);
}

static void debian(void **state)
{
    dd_os_info *i = parse("etc/debian_version", "12.7\n");

    assert_string_equal(i->id, "debian");
    assert_string_equal(i->version_id, "12");
    dd_os_info_free(i);
    i = parse("etc/debian_version", "trixie/sid\n");
    assert_null(i->version_id);
    assert_string_equal(i->version_codename, "trixie");
    dd_os_info_free(i);
}

static void redhat_family(void **state)
{
    static const struct {
        const char *path, *text, *id, *version, *codename;
    } cases[] = {
        {"etc/redhat-release", "Red Hat Enterprise Linux release 9.3 (Plow)\n", "rhel", "9.3", "Plow"},
        {"etc/centos-release", "CentOS Linux release 7.9.2009 (Core)\n", "centos", "7.9.2009", "Core"},
        {"etc/fedora-release", "Fedora release 39 (Thirty Nine)\n", "fedora", "39", "Thirty Nine"},
        {"etc/rocky-release", "Rocky Linux release 9.3 (Blue Onyx)\n", "rocky", "9.3", "Blue Onyx"},
        {"etc/almalinux-release", "AlmaLinux release 9.3 (Shamrock Pampas Cat)\n", "almalinux", "9.3", "Shamrock Pampas Cat"},
        {"etc/oracle-release", "Oracle Linux Server release 8.9\n", "ol", "8.9", NULL},
        {"etc/system-release", "Amazon Linux release 2 (Karoo)\n", "amzn", "2", "Karoo"},
    };

    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        dd_os_info *i = parse(cases[k].path, cases[k].text);

        assert_string_equal(i->id, cases[k].id);
        assert_string_equal(i->version_id, cases[k].version);
        if (cases[k].codename)
            assert_string_equal(i->version_codename, cases[k].codename);
        else
            assert_null(i->version_codename);
        dd_os_info_free(i);
    }
}

static void lsb(void **state)
{
    dd_os_info *i = parse("etc/lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\n"
                                             "DISTRIB_CODENAME=jammy\n"
                                             "DISTRIB_DESCRIPTION=\"Ubuntu 22.04.3 LTS\"\n");

    assert_string_equal(i->id, "ubuntu");
    assert_string_equal(i->version_id, "22.04");
    assert_string_equal(i->version_codename, "jammy");
    assert_string_equal(i->pretty_name, "Ubuntu 22.04.3 LTS");
    dd_os_info_free(i);
}

static void bad_and_unknown(void **state)
{
    dd_os_info *i = NULL;

    assert_int_equal(dd_os_release_parse_file(&i, "etc/alpine-release", "\n", 1), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "/etc/alpine-release"));
    assert_int_equal(dd_os_release_parse_file(&i, "etc/redhat-release", "garbage", 7), DD_EINVALID);
    assert_int_equal(dd_os_release_parse_file(&i, "etc/issue", "x", 1), DD_EUNSUPPORTED);
    assert_int_equal(dd_os_release_parse_file(&i, "etc/lsb-release", "DISTRIB_RELEASE=1\n", 18),
                     DD_EINVALID);
    assert_null(i);
    i = parse("usr/lib/os-release", "ID=debian\nVERSION_ID=12\n");
    assert_string_equal(i->id, "debian");
    dd_os_info_free(i);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alpine),        cmocka_unit_test(debian), cmocka_unit_test(redhat_family),
        cmocka_unit_test(lsb),           cmocka_unit_test(bad_and_unknown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
