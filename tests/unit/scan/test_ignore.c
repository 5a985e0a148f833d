/* Unit tests for the ignore file (lib/scan/ignore.c). */
#include "unit/scan/suppress_fixture.h"

/* 2024-06-01T12:00:00Z */
#define NOW 1717243200

static int apply(scan_fixture *fx, const char *text)
{
    return dd_scan_apply_ignorefile(fx->r, ".drydockignore", text, strlen(text), NOW);
}

static void ids_and_aliases_match_without_case(void **state)
{
    scan_fixture *fx = *state;

    assert_int_equal(apply(fx, "cve-2024-0727\n"), DD_OK);
    assert_string_equal(suppressed_map(fx->r), ".I......");
    /* an alias (DSA) catches both packages of the advisory */
    assert_int_equal(apply(fx, "DSA-5532-1\n"), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "III.....");
    /* a GHSA id that is a finding's own id, and one that is an alias */
    assert_int_equal(apply(fx, "GHSA-p6mc-m468-83gw\nghsa-67hx-6x53-jw92"), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "III...II");
}

static void record_ids_match(void **state)
{
    scan_fixture *fx = *state;

    assert_int_equal(apply(fx, "DEBIAN-CVE-2023-5678\n"), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "I.......");
}

static void comments_blanks_crlf_bom_and_blanks_around(void **state)
{
    scan_fixture *fx = *state;
    const dd_finding *f;

    assert_int_equal(apply(fx, "\xEF\xBB\xBF# accepted risks\r\n"
                               "\r\n"
                               "  \t\r\n"
                               "   CVE-2023-4911   # not reachable: no setuid binaries\t \r\n"
                               "#CVE-2024-0727\r\n"
                               "\tCVE-2021-23337\r\n"),
                     DD_OK);
    assert_string_equal(suppressed_map(fx->r), "...III..");
    f = dd_scan_get(fx->r, F_LIBC_4911);
    assert_int_equal(f->suppressed, DD_SUPPRESS_IGNOREFILE);
    assert_string_equal(f->suppress_reason, "not reachable: no setuid binaries");
    /* without a comment the reason names the entry */
    assert_string_equal(dd_scan_get(fx->r, F_LODASH4_23337)->suppress_reason, ".drydockignore:6");
    assert_true(has_note(fx->r, "ignore file .drydockignore: 2 entries (0 expired), "
                                "3 findings suppressed"));
}

static void purl_patterns(void **state)
{
    scan_fixture *fx = *state;

    /* a prefix glob over the purl */
    assert_int_equal(apply(fx, "pkg:deb/debian/openssl*\n"), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "II......");
    /* a version glob: matched against the purl without its qualifiers */
    assert_int_equal(apply(fx, "pkg:npm/lodash@4.17.*\n"), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "II..I...");
    /* no version: every version */
    assert_int_equal(apply(fx, "pkg:npm/lodash # vendored, patched\n"), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "II..III.");
    assert_string_equal(dd_scan_get(fx->r, F_LODASH3_GHSA)->suppress_reason, "vendored, patched");
}

static void purl_patterns_see_decoded_and_qualified_forms(void **state)
{
    scan_fixture *fx = *state;

    /* the purl writes '+' as %2B; the pattern may use either */
    assert_int_equal(apply(fx, "pkg:deb/debian/libc6@2.36-9+deb12u4\n"), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "...I....");
    /* qualifiers take part when the pattern has them */
    assert_int_equal(apply(fx, "pkg:deb/debian/libssl3@*?arch=arm64*\n"), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "...I....");
    assert_int_equal(apply(fx, "pkg:deb/*?arch=amd64&distro=debian-12&upstream=openssl\n"), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "..II....");
    /* a scoped npm name: its '@' is not a version */
    assert_int_equal(apply(fx, "pkg:npm/%40babel/traverse\n"), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "..II...I");
}

static void id_narrowed_to_packages(void **state)
{
    scan_fixture *fx = *state;

    assert_int_equal(apply(fx, "CVE-2021-23337 pkg:npm/lodash@3.*\n"
                               "CVE-2023-5678 pkg:deb/debian/libssl3 # only the library\n"),
                     DD_OK);
    assert_string_equal(suppressed_map(fx->r), "..I..I..");
    /* two patterns: either one */
    assert_int_equal(apply(fx, "CVE-2023-5678 pkg:npm/* pkg:deb/debian/openssl\n"), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "I.I..I..");
}

static void expired_entries_are_noted_not_applied(void **state)
{
    scan_fixture *fx = *state;

    assert_int_equal(apply(fx, "# review monthly\n"
                               "CVE-2023-5678 exp:2024-05-31\n"
                               "CVE-2024-0727 exp:2024-06-01 # last day today\n"
                               "pkg:npm/lodash@3.* exp:2023-01-01\n"
                               "CVE-2023-4911 exp:2028-02-29\n"),
                     DD_OK);
    assert_string_equal(suppressed_map(fx->r), ".I.I....");
    assert_true(has_note(fx->r, ".drydockignore:2: entry for CVE-2023-5678 expired on 2024-05-31"));
    assert_true(
        has_note(fx->r, ".drydockignore:4: entry for pkg:npm/lodash@3.* expired on 2023-01-01"));
    assert_true(has_note(fx->r, "ignore file .drydockignore: 4 entries (2 expired), "
                                "2 findings suppressed"));
}

static void expiry_is_the_end_of_the_day_utc(void **state)
{
    scan_fixture *fx = *state;
    const char *text = "CVE-2024-0727 exp:2024-06-01\n";

    /* 2024-06-01T23:59:59Z: still in force */
    assert_int_equal(dd_scan_apply_ignorefile(fx->r, "f", text, strlen(text), 1717286399), DD_OK);
    assert_string_equal(suppressed_map(fx->r), ".I......");
    assert_int_equal(dd_scan_suppress(fx->r, F_OPENSSL_0727, DD_SUPPRESS_NONE, NULL), DD_OK);
    /* 2024-06-02T00:00:00Z: lapsed */
    assert_int_equal(dd_scan_apply_ignorefile(fx->r, "f", text, strlen(text), 1717286400), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "........");
    assert_true(has_note(fx->r, "f:1: entry for CVE-2024-0727 expired on 2024-06-01"));
}

static void check_error(scan_fixture *fx, const char *text, int code, const char *message)
{
    assert_int_equal(dd_scan_apply_ignorefile(fx->r, "ci/.drydockignore", text, strlen(text), NOW),
                     code);
    assert_string_equal(dd_error_message(), message);
    /* a bad line anywhere leaves every finding alone */
    assert_string_equal(suppressed_map(fx->r), "........");
}

static void malformed_lines_name_file_and_line(void **state)
{
    scan_fixture *fx = *state;

    check_error(fx, "CVE-2023-5678\n# x\nCVE-2024-0727 exp:2024-02-30\n", DD_EINVALID,
                "ci/.drydockignore:3: invalid date (want exp:YYYY-MM-DD): \"exp:2024-02-30\"");
    check_error(fx, "CVE-2023-5678 exp:24-01-01\n", DD_EINVALID,
                "ci/.drydockignore:1: invalid date (want exp:YYYY-MM-DD): \"exp:24-01-01\"");
    check_error(fx, "CVE-2023-5678 exp:2023-02-29\n", DD_EINVALID,
                "ci/.drydockignore:1: invalid date (want exp:YYYY-MM-DD): \"exp:2023-02-29\"");
    check_error(fx, "CVE-2023-5678 exp:\n", DD_EINVALID,
                "ci/.drydockignore:1: invalid date (want exp:YYYY-MM-DD): \"exp:\"");
    check_error(fx, "\n\nCVE-2023-5678 CVE-2024-0727\n", DD_EINVALID,
                "ci/.drydockignore:3: unexpected word (one entry a line: ID [exp:YYYY-MM-DD] "
                "[pkg:PATTERN] [# reason]): \"CVE-2024-0727\"");
    check_error(fx, "exp:2025-01-01 CVE-2023-5678\n", DD_EINVALID,
                "ci/.drydockignore:1: no id or pkg: pattern before the expiry date: "
                "\"exp:2025-01-01\"");
    check_error(fx, "CVE-2023-5678 exp:2025-01-01 exp:2026-01-01\n", DD_EINVALID,
                "ci/.drydockignore:1: a second expiry date: \"exp:2026-01-01\"");
    check_error(fx, "CVE-2023-*\n", DD_EINVALID,
                "ci/.drydockignore:1: ids are matched exactly, not as patterns: \"CVE-2023-*\"");
    check_error(fx, "CVE-2023-5678 pkg:\n", DD_EINVALID,
                "ci/.drydockignore:1: empty purl pattern: \"pkg:\"");
}

static void limits(void **state)
{
    scan_fixture *fx = *state;
    size_t big = (16u << 20) + 1;
    char *text = malloc(big);

    assert_non_null(text);
    /* a line of 4096 bytes is fine, one more is not */
    memset(text, 'A', 9000);
    memcpy(text, "CVE-1 # ", 8);
    text[4096] = '\n';
    assert_int_equal(dd_scan_apply_ignorefile(fx->r, "f", text, 4097, NOW), DD_OK);
    memcpy(text + 4097, "CVE-2 # ", 8);
    text[4097 + 4097] = '\n';
    assert_int_equal(dd_scan_apply_ignorefile(fx->r, "f", text, 4097 + 4098, NOW), DD_ELIMIT);
    assert_string_equal(dd_error_message(), "f:2: line longer than 4096 bytes");
    /* a NUL byte */
    assert_int_equal(dd_scan_apply_ignorefile(fx->r, "f", "CVE-1\nCVE\0-2\n", 12, NOW),
                     DD_EINVALID);
    assert_string_equal(dd_error_message(), "f:2: NUL byte in the line");
    /* the whole file */
    memset(text, '\n', big);
    assert_int_equal(dd_scan_apply_ignorefile(fx->r, "f", text, big, NOW), DD_ELIMIT);
    assert_string_equal(dd_error_message(), "f: larger than 16 MiB");
    assert_int_equal(dd_scan_apply_ignorefile(fx->r, "f", text, big - 1, NOW), DD_OK);
    free(text);
    assert_string_equal(suppressed_map(fx->r), "........");
}

static void empty_and_comment_only_files_do_nothing(void **state)
{
    scan_fixture *fx = *state;

    assert_int_equal(dd_scan_apply_ignorefile(fx->r, "f", NULL, 0, NOW), DD_OK);
    assert_int_equal(apply(fx, "# nothing yet\n\n"), DD_OK);
    assert_int_equal(apply(fx, "\xEF\xBB\xBF"), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "........");
    assert_int_equal(dd_scan_note_count(fx->r), 0);
}

static void earlier_suppression_is_kept(void **state)
{
    scan_fixture *fx = *state;

    assert_int_equal(dd_scan_suppress(fx->r, F_LIBC_4911, DD_SUPPRESS_VEX, "from VEX"), DD_OK);
    assert_int_equal(apply(fx, "CVE-2023-4911 # from the ignore file\n"), DD_OK);
    assert_int_equal(dd_scan_get(fx->r, F_LIBC_4911)->suppressed, DD_SUPPRESS_VEX);
    assert_string_equal(dd_scan_get(fx->r, F_LIBC_4911)->suppress_reason, "from VEX");
    assert_true(has_note(fx->r, "ignore file .drydockignore: 1 entries (0 expired), "
                                "0 findings suppressed"));
}

/* A file in the style of a project's .trivyignore, with drydock's purl entries. */
static void real_file(void **state)
{
    scan_fixture *fx = *state;
    dd_buf b = DD_BUF_INIT;

    read_data(&b, "drydockignore");
    assert_int_equal(dd_scan_apply_ignorefile(fx->r, "drydockignore", b.data, b.len, NOW), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "I..I.III");
    assert_string_equal(dd_scan_get(fx->r, F_LIBC_4911)->suppress_reason,
                        "looney tunables: the image runs no setuid programs");
    assert_true(has_note(fx->r, "drydockignore:13: entry for CVE-2024-0727 expired on 2024-03-31"));
    dd_buf_dispose(&b);
}

static int apply_real_file(scan_fixture *fx)
{
    dd_buf b = DD_BUF_INIT;
    int rc;

    dd_set_allocator(NULL);
    read_data(&b, "drydockignore");
    dd_set_allocator(&(const dd_allocator){oom_malloc, oom_realloc, oom_free, NULL});
    rc = dd_scan_apply_ignorefile(fx->r, "drydockignore", b.data, b.len, NOW);
    dd_buf_dispose(&b);
    return rc;
}

static void out_of_memory(void **state)
{
    void *fx = until_enough_memory(apply_real_file);

    assert_string_equal(suppressed_map(((scan_fixture *)fx)->r), "I..I.III");
    fixture_teardown(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ids_and_aliases_match_without_case, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(record_ids_match, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(comments_blanks_crlf_bom_and_blanks_around, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(purl_patterns, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(purl_patterns_see_decoded_and_qualified_forms,
                                        fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(id_narrowed_to_packages, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(expired_entries_are_noted_not_applied, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(expiry_is_the_end_of_the_day_utc, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(malformed_lines_name_file_and_line, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(limits, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(empty_and_comment_only_files_do_nothing, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(earlier_suppression_is_kept, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(real_file, fixture_setup, fixture_teardown),
        cmocka_unit_test(out_of_memory),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
