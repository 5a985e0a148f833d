/* Unit tests for os-release parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <drydock/catalog.h>

static void parses_quoted_and_bare_values(void **state)
{
    const char text[] = "# comment\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
                        "NAME='Debian'\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\r\n"
                        "ID=debian\nHOME_URL=\"https://www.debian.org/\"\n"
                        "ESCAPED=\"a \\\"b\\\" c\"\n\n";
    dd_os_info *info;

    assert_int_equal(dd_os_release_parse(&info, text, strlen(text)), DD_OK);
    assert_string_equal(info->id, "debian");
    assert_string_equal(info->name, "Debian");
    assert_string_equal(info->version_id, "12");
    assert_string_equal(info->version_codename, "bookworm");
    assert_string_equal(info->pretty_name, "Debian GNU/Linux 12 (bookworm)");
    assert_null(info->id_like);
    dd_os_info_free(info);
}

static void rejects_malformed_lines(void **state)
{
    dd_os_info *info;
    const char bad1[] = "ID=debian\nthis is not a pair\n";
    const char bad2[] = "ID=\"debian\n";

    assert_int_equal(dd_os_release_parse(&info, bad1, strlen(bad1)), DD_EINVALID);
    assert_null(info);
    assert_non_null(strstr(dd_error_message(), "2:"));
    assert_int_equal(dd_os_release_parse(&info, bad2, strlen(bad2)), DD_EINVALID);
}

static void unquotes_escapes(void **state)
{
    const char text[] = "NAME=\"x\\$y\\\\z\"";
    dd_os_info *info;

    assert_int_equal(dd_os_release_parse(&info, text, strlen(text)), DD_OK);
    assert_string_equal(info->name, "x$y\\z");
    dd_os_info_free(info);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_quoted_and_bare_values),
        cmocka_unit_test(rejects_malformed_lines),
        cmocka_unit_test(unquotes_escapes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
