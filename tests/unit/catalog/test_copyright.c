/* Unit tests for Debian copyright files and license names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "catalog/catalog_int.h"

static void dep5_files_paragraphs(void **state)
{
    const char text[] =
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: bash\nLicense: GPL-3+\n\n"
        "Files: *\nCopyright: 1987-2022 Free Software Foundation, Inc.\nLicense: GPL-3+\n\n"
        "Files: lib/sh/*\nCopyright: x\nLicense: GPL-2+ or Artistic\n\n"
        "Files: support/*\nCopyright: y\nLicense: BSD-3-clause, and Expat\n\n"
        "Files: doc/*\nCopyright: z\nLicense: GFDL-NIV-1.3+\n\n"
        "Files: misc/*\nCopyright: w\nLicense: public-domain\n\n"
        "License: GPL-3+\n This program is free software\n .\n License: NOT-A-FIELD\n\n"
        "License: Unused-In-Files\n text\n";
    dd_arena *a;
    const char **v;
    size_t n;

    assert_int_equal(dd_arena_new(&a), DD_OK);
    assert_int_equal(dd_copyright__licenses(&v, &n, a, text, strlen(text)), DD_OK);
    assert_int_equal(n, 7);
    assert_string_equal(v[0], "GPL-3.0-or-later");
    assert_string_equal(v[1], "GPL-2.0-or-later");
    assert_string_equal(v[2], "Artistic-1.0");
    assert_string_equal(v[3], "BSD-3-Clause");
    assert_string_equal(v[4], "MIT");
    assert_string_equal(v[5], "GFDL-1.3-no-invariants-or-later");
    assert_string_equal(v[6], "public-domain");
    dd_arena_free(a);
}

static void free_form_common_licenses(void **state)
{
    const char text[] = "This is the Debian prepackaged version of zlib.\n\n"
                        "On Debian systems, the full text of the GNU General Public\n"
                        "License version 2 can be found in `/usr/share/common-licenses/GPL-2'.\n"
                        "See /usr/share/common-licenses/LGPL-2.1.\n"
                        "And /usr/share/common-licenses/GPL-2 again.\n";
    dd_arena *a;
    const char **v;
    size_t n;

    assert_int_equal(dd_arena_new(&a), DD_OK);
    assert_int_equal(dd_copyright__licenses(&v, &n, a, text, strlen(text)), DD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0], "GPL-2.0-only");
    assert_string_equal(v[1], "LGPL-2.1-only");
    assert_int_equal(dd_copyright__licenses(&v, &n, a, "", 0), DD_OK);
    assert_int_equal(n, 0);
    dd_arena_free(a);
}

static void short_names(void **state)
{
    assert_string_equal(dd_license__spdx("MIT", 3), "MIT");
    assert_string_equal(dd_license__spdx("mit", 3), "MIT");
    assert_string_equal(dd_license__spdx("GPL-2", 5), "GPL-2.0-only");
    assert_string_equal(dd_license__spdx("GPL-2.0+", 8), "GPL-2.0-or-later");
    assert_string_equal(dd_license__spdx("LGPL-2.1+", 9), "LGPL-2.1-or-later");
    assert_string_equal(dd_license__spdx("Apache-2", 8), "Apache-2.0");
    assert_string_equal(dd_license__spdx("zlib", 4), "Zlib");
    assert_null(dd_license__spdx("public-domain", 13));
    assert_null(dd_license__spdx("GPL", 3));
    assert_true(dd_spdx_license_valid("Apache-2.0"));
    assert_false(dd_spdx_license_valid("apache-2.0"));
    assert_false(dd_spdx_license_valid("Expat"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dep5_files_paragraphs),
        cmocka_unit_test(free_form_common_licenses),
        cmocka_unit_test(short_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
