/* Unit tests for the report writers (table, JSON, SARIF, CycloneDX, markdown) over hand-built
 * results and over the inventory of a real dpkg database (tests/data/rootfs-deb11); the JSON,
 * SARIF and CycloneDX documents are checked against their schemas with ../shared/schemas. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drydock/image.h>
#include <drydock/walk.h>

#include "catalog/catalog_int.h"
#include "sbom/sbom_int.h"
#include "scan/report_int.h"

extern char **environ;

/* --- fixtures --- */

typedef struct {
    dd_inventory *inv;
    dd_scan_result *r;
} fixture;

static dd_os_info *debian11(void)
{
    dd_os_info *os = dd_calloc(1, sizeof(*os));

    os->id = dd_strdup("debian");
    os->version_id = dd_strdup("11.6");
    os->pretty_name = dd_strdup("Debian GNU/Linux 11 (bullseye)");
    return os;
}

static const char NON_ASCII_TITLE[] = "Déni de service — “quoted” 漢字 in X.509 policy";

/* Five packages (three deb, one npm from a lockfile, one npm installed) and seven findings: fixed,
 * unfixed, suppressed by the ignore file and by VEX, a title with a table separator, a line
 * break and an escape sequence, a non-ASCII title, one without CVSS, title or references. */
static fixture make_fixture(bool with_os)
{
    fixture fx;
    dd_package pkgs[] = {
        {.type = DD_PKG_DEB,
         .name = "libssl1.1",
         .version = "1.1.1n-0+deb11u3",
         .arch = "amd64",
         .source_name = "openssl",
         .source_version = "1.1.1n-0+deb11u3",
         .db_path = "var/lib/dpkg/status",
         .layer = 0},
        {.type = DD_PKG_DEB,
         .name = "bash",
         .version = "5.1-2+deb11u1",
         .arch = "amd64",
         .db_path = "var/lib/dpkg/status",
         .layer = 0},
        {.type = DD_PKG_DEB,
         .name = "zlib1g",
         .version = "1:1.2.11.dfsg-2~deb11u1",
         .arch = "amd64",
         .source_name = "zlib",
         .db_path = "var/lib/dpkg/status",
         .layer = 1},
        {.type = DD_PKG_NPM,
         .name = "lodash",
         .version = "4.17.20",
         .db_path = "srv/app/package-lock.json",
         .layer = 2},
        {.type = DD_PKG_NPM,
         .name = "minimist",
         .version = "1.2.5",
         .db_path = "usr/lib/node_modules/minimist/package.json",
         .layer = 2},
    };
    const char *ssl_aliases[] = {"DSA-5343-1"}, *ssl_records[] = {"DEBIAN-CVE-2023-0286"};
    const char *ssl_refs[] = {"https://nvd.nist.gov/vuln/detail/CVE-2023-0286",
                              "https://www.openssl.org/news/secadv/20230207.txt"};
    const char *lodash_aliases[] = {"CVE-2021-23337"};
    const char *lodash_refs[] = {"https://github.com/advisories/GHSA-35jh-r3h4-6jhm"};
    const char *zlib_refs[] = {"https://nvd.nist.gov/vuln/detail/CVE-2022-37434"};
    dd_finding fs[] = {
        {.id = "CVE-2023-0286",
         .aliases = ssl_aliases,
         .n_aliases = 1,
         .pkg = 0,
         .installed = "1.1.1n-0+deb11u3",
         .fixed = "1.1.1n-0+deb11u4",
         .severity = DD_SEV_HIGH,
         .severity_source = "debian",
         .cvss_score = 7.4,
         .cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H",
         .title = "X.400 address type confusion in X.509 GeneralName",
         .description = "There is a type confusion vulnerability relating to X.400 address "
                        "processing inside an X.509 GeneralName.",
         .published = "2023-02-08T20:15:23Z",
         .modified = "2024-02-04T09:15:09Z",
         .references = ssl_refs,
         .n_references = 2,
         .ecosystem = "Debian:11",
         .matched_name = "openssl",
         .records = ssl_records,
         .n_records = 1},
        {.id = "CVE-2023-0464",
         .pkg = 0,
         .installed = "1.1.1n-0+deb11u3",
         .fixed = NULL,
         .severity = DD_SEV_MEDIUM,
         .severity_source = "cvss_v3",
         .cvss_score = 5.9,
         .cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H",
         .title = NON_ASCII_TITLE,
         .ecosystem = "Debian:11",
         .matched_name = "openssl"},
        {.id = "CVE-2022-3715",
         .pkg = 1,
         .installed = "5.1-2+deb11u1",
         .fixed = "5.1-2+deb11u2",
         .severity = DD_SEV_LOW,
         .cvss_score = -1,
         .title = "bash: a heap-buffer-overflow in valid_parameter_transform",
         .ecosystem = "Debian:11",
         .matched_name = "bash",
         .suppressed = DD_SUPPRESS_IGNOREFILE,
         .suppress_reason = "not reachable | see #12"},
        {.id = "CVE-2022-37434",
         .pkg = 2,
         .installed = "1:1.2.11.dfsg-2~deb11u1",
         .fixed = "1:1.2.11.dfsg-2+deb11u2",
         .severity = DD_SEV_CRITICAL,
         .severity_source = "cvss_v3",
         .cvss_score = 9.8,
         .cvss_vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
         .title = "zlib: heap-based\nbuffer over-read | inflate \x1b[31mred\x1b[0m *bold* [x](y)",
         .references = zlib_refs,
         .n_references = 1,
         .ecosystem = "Debian:11",
         .matched_name = "zlib",
         .published = "2022-08-05"},
        {.id = "CVE-2023-45853",
         .pkg = 2,
         .installed = "1:1.2.11.dfsg-2~deb11u1",
         .fixed = NULL,
         .severity = DD_SEV_UNKNOWN,
         .cvss_score = -1,
         .ecosystem = "Debian:11",
         .matched_name = "zlib",
         .suppressed = DD_SUPPRESS_VEX,
         .suppress_reason = "vulnerable_code_not_in_execute_path"},
        {.id = "GHSA-35jh-r3h4-6jhm",
         .aliases = lodash_aliases,
         .n_aliases = 1,
         .pkg = 3,
         .installed = "4.17.20",
         .fixed = "4.17.21",
         .severity = DD_SEV_HIGH,
         .severity_source = "ghsa",
         .cvss_score = -1,
         .title = "Command Injection in lodash",
         .references = lodash_refs,
         .n_references = 1,
         .ecosystem = "npm",
         .matched_name = "lodash",
         .published = "2021-02-15T11:28:00Z"},
        {.id = "GHSA-xvch-5gv4-984h",
         .pkg = 4,
         .installed = "1.2.5",
         .fixed = "1.2.6",
         .severity = DD_SEV_CRITICAL,
         .severity_source = "cvss_v4",
         .cvss_score = 9.3,
         .cvss_vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
         .title = "Prototype Pollution in minimist",
         .ecosystem = "npm",
         .matched_name = "minimist"},
    };

    assert_int_equal(dd_inventory__new(&fx.inv), DD_OK);
    if (with_os)
        dd_inventory__set_os(fx.inv, debian11());
    for (size_t i = 0; i < DD_ARRAY_SIZE(pkgs); i++)
        assert_int_equal(dd_inventory__add(fx.inv, &pkgs[i]), DD_OK);
    /* the inventory keeps the order given: deb before npm, and names within each sorted */
    dd_inventory__sort(fx.inv);
    assert_string_equal(dd_inventory_get(fx.inv, 0)->name, "bash");
    /* the sort moved bash first: point the findings at the packages by name */
    assert_int_equal(dd_scan__new(&fx.r, fx.inv), DD_OK);
    for (size_t i = 0; i < DD_ARRAY_SIZE(fs); i++) {
        const char *want = pkgs[fs[i].pkg].name;

        for (size_t k = 0; k < dd_inventory_count(fx.inv); k++)
            if (strcmp(dd_inventory_get(fx.inv, k)->name, want) == 0)
                fs[i].pkg = k;
        assert_int_equal(dd_scan__add(fx.r, &fs[i]), DD_OK);
    }
    dd_scan__sort(fx.r);
    if (with_os)
        assert_int_equal(dd_scan__set_os_ecosystem(fx.r, "Debian:11"), DD_OK);
    assert_int_equal(
        dd_scan__note(fx.r, "%d packages not matched: no records for ecosystem '%s'", 2, "Go"),
        DD_OK);
    return fx;
}

static fixture make_empty(void)
{
    fixture fx;

    assert_int_equal(dd_inventory__new(&fx.inv), DD_OK);
    dd_inventory__set_os(fx.inv, debian11());
    assert_int_equal(dd_scan__new(&fx.r, fx.inv), DD_OK);
    return fx;
}

static void fixture_free(fixture *fx)
{
    dd_scan_result_free(fx->r);
    dd_inventory_free(fx->inv);
}

static dd_report_opts opts_for(dd_report_format format)
{
    dd_report_opts o = {0};

    o.format = format;
    o.target = "registry.example/app:1.0";
    o.target_digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    o.timestamp = 1700000000;
    o.tool_version = "0.1.0-test";
    return o;
}

/* The report as a NUL-terminated string (free with free()). */
static char *render(const dd_scan_result *r, const dd_report_opts *o)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);

    assert_non_null(fp);
    assert_int_equal(dd_report_write(fp, r, o), DD_OK);
    fclose(fp);
    assert_int_equal(strlen(text), len);
    return text;
}

static json_t *render_json(const dd_scan_result *r, const dd_report_opts *o, char **text)
{
    json_error_t err;
    json_t *doc;

    *text = render(r, o);
    doc = json_loads(*text, 0, &err);
    if (!doc)
        fail_msg("not JSON: %s at line %d", err.text, err.line);
    return doc;
}

/* `text` is byte for byte what jansson writes for the document it holds: the streamed parts
 * are laid out like the rest. */
static void assert_jansson_layout(const char *text, const json_t *doc)
{
    char *dumped = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));

    assert_non_null(dumped);
    assert_int_equal(strlen(text), strlen(dumped) + 1);
    assert_memory_equal(text, dumped, strlen(dumped));
    assert_int_equal(text[strlen(dumped)], '\n');
    free(dumped);
}

static const dd_finding *finding_by_id(const dd_scan_result *r, const char *id)
{
    for (size_t i = 0; i < dd_scan_count(r); i++)
        if (strcmp(dd_scan_get(r, i)->id, id) == 0)
            return dd_scan_get(r, i);
    fail_msg("no finding %s", id);
    return NULL;
}

/* Number of occurrences of `needle` in `hay`. */
static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;

    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* --- selection --- */

static void selection_follows_the_filters(void **state)
{
    fixture fx = make_fixture(true);
    dd_report_opts o = opts_for(DD_REPORT_JSON);
    const dd_finding *high = finding_by_id(fx.r, "CVE-2023-0286"),
                     *unfixed = finding_by_id(fx.r, "CVE-2023-0464"),
                     *ignored = finding_by_id(fx.r, "CVE-2022-3715");
    dd_report_counts c;

    assert_true(dd_report_selects(&o, high));
    assert_true(dd_report_selects(&o, unfixed));
    assert_false(dd_report_selects(&o, ignored));
    o.show_suppressed = true; /* listed, but never selected */
    assert_false(dd_report_selects(&o, ignored));
    assert_true(dd_report__shown(&o, ignored));
    o.severities = 1u << DD_SEV_MEDIUM;
    assert_false(dd_report_selects(&o, high));
    assert_true(dd_report_selects(&o, unfixed));
    o.severities = 0;
    o.ignore_unfixed = true;
    assert_false(dd_report_selects(&o, unfixed));
    assert_true(dd_report_selects(&o, high));

    o = opts_for(DD_REPORT_JSON);
    dd_report__count(&c, fx.r, &o);
    assert_int_equal(c.total, 5);
    assert_int_equal(c.suppressed, 2);
    assert_int_equal(c.by_severity[DD_SEV_CRITICAL], 2);
    assert_int_equal(c.by_severity[DD_SEV_HIGH], 2);
    assert_int_equal(c.by_severity[DD_SEV_MEDIUM], 1);
    assert_int_equal(c.by_severity[DD_SEV_LOW], 0);
    o.severities = (1u << DD_SEV_LOW) | (1u << DD_SEV_CRITICAL);
    dd_report__count(&c, fx.r, &o);
    assert_int_equal(c.total, 2);
    assert_int_equal(c.suppressed, 1); /* the LOW one; the UNKNOWN one is filtered */
    fixture_free(&fx);
}

static void unknown_format_is_refused(void **state)
{
    fixture fx = make_empty();
    dd_report_opts o = opts_for((dd_report_format)42);
    FILE *fp = fopen("/dev/null", "w");

    assert_int_equal(dd_report_write(fp, fx.r, &o), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "42"));
    fclose(fp);
    fixture_free(&fx);
}

static void write_errors_are_reported(void **state)
{
    fixture fx = make_fixture(true);
    FILE *fp = fopen("/dev/full", "w");

    if (!fp)
        skip();
    for (int f = DD_REPORT_TABLE; f <= DD_REPORT_MARKDOWN; f++) {
        dd_report_opts o = opts_for((dd_report_format)f);

        clearerr(fp);
        assert_int_equal(dd_report_write(fp, fx.r, &o), DD_EIO);
        assert_non_null(strstr(dd_error_message(), "writing the report"));
    }
    fclose(fp);
    fixture_free(&fx);
}

/* --- text cleaning --- */

static void text_is_cleaned_and_cut_by_columns(void **state)
{
    dd_buf b = DD_BUF_INIT;
    size_t cols;

    assert_int_equal(dd_report__clean(&b, "  a\tb\n\nc \x1b[31m\xe2\x80\xaeX\x7f ", 0, &cols),
                     DD_OK);
    assert_string_equal(b.data, "a b c [31mX"); /* ESC, RLO and DEL dropped */
    assert_int_equal(cols, 11);
    dd_buf_clear(&b);
    assert_int_equal(dd_report__clean(&b, "caf\xe9 ok", 0, &cols), DD_OK); /* Latin-1 byte */
    assert_string_equal(b.data, "caf\xef\xbf\xbd ok");
    assert_int_equal(cols, 7);
    dd_buf_clear(&b);
    /* wide characters take two columns: "漢字漢字" is 8 columns, cut to 7 = "漢字" + "..." */
    assert_int_equal(dd_report__clean(&b, "漢字漢字", 7, &cols), DD_OK);
    assert_string_equal(b.data, "漢字...");
    assert_int_equal(cols, 7);
    dd_buf_clear(&b);
    assert_int_equal(dd_report__clean(&b, "e\xcc\x81t\xc3\xa9", 0, &cols), DD_OK); /* e + U+0301 */
    assert_int_equal(cols, 3);
    dd_buf_clear(&b);
    assert_int_equal(dd_report__clean(&b, "abcdefgh", 8, &cols), DD_OK); /* fits exactly */
    assert_string_equal(b.data, "abcdefgh");
    dd_buf_clear(&b);
    assert_int_equal(dd_report__clean(&b, "abcdefghi", 8, &cols), DD_OK);
    assert_string_equal(b.data, "abcde...");
    assert_int_equal(cols, 8);
    dd_buf_dispose(&b);
}

/* --- table --- */

/* Display columns of a line, counted independently of the writer: every code point one column,
 * the CJK ideographs of the fixture two. */
static size_t line_cols(const char *s, size_t len)
{
    size_t cols = 0;

    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

        cols += n == 3 && c == 0xe6 ? 2 : n == 3 && c == 0xe5 ? 2 : 1; /* 漢 e6, 字 e5 */
        i += n;
    }
    return cols;
}

/* Every line of every box (from a "┌" line to its "└" line) has the same width. */
static void assert_boxes_aligned(const char *text)
{
    const char *line = text;
    size_t width = 0, boxes = 0;
    bool in_box = false;

    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);

        if (strncmp(line, "┌", strlen("┌")) == 0) {
            in_box = true;
            width = line_cols(line, len);
            boxes++;
        }
        if (in_box && line_cols(line, len) != width)
            fail_msg("misaligned line (%zu columns, box has %zu): %.*s", line_cols(line, len),
                     width, (int)len, line);
        if (strncmp(line, "└", strlen("└")) == 0)
            in_box = false;
        line += len + (end ? 1 : 0);
    }
    assert_false(in_box);
    assert_true(boxes > 0);
}

static void table_groups_targets_and_packages(void **state)
{
    fixture fx = make_fixture(true);
    dd_report_opts o = opts_for(DD_REPORT_TABLE);
    char *t = render(fx.r, &o);
    const char *os_head = "registry.example/app:1.0 (debian 11.6)\n"
                          "======================================\n"
                          "Total: 3 (UNKNOWN: 0, LOW: 0, MEDIUM: 1, HIGH: 1, CRITICAL: 1)\n"
                          "Suppressed: 2\n";
    const char *lock_head = "\nsrv/app/package-lock.json (npm)\n"
                            "===============================\n"
                            "Total: 1 (UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 1, CRITICAL: 0)\n";
    const char *node_head = "\nNode.js (npm)\n=============\n"
                            "Total: 1 (UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 1)\n";
    const char *a, *b;

    assert_true(strncmp(t, os_head, strlen(os_head)) == 0);
    assert_non_null(a = strstr(t, node_head));
    assert_non_null(b = strstr(t, lock_head));
    assert_true(a > t && b > a); /* OS, then the npm targets: the installed ones, the lockfile */
    assert_boxes_aligned(t);
    assert_int_equal(count_of(t, "┌"), 3);
    assert_int_equal(count_of(t, " Package "), 1);
    assert_int_equal(count_of(t, " Library "), 2);
    /* libssl1.1 spans two rows: its name once, the rule between them leaves its column open */
    assert_int_equal(count_of(t, "libssl1.1"), 1);
    assert_non_null(strstr(t, "│           ├───"));
    /* most severe first within a package; status and versions */
    assert_non_null(a = strstr(t, "CVE-2023-0286"));
    assert_non_null(b = strstr(t, "CVE-2023-0464"));
    assert_true(a < b);
    assert_non_null(a = strstr(t, "│ HIGH     │ fixed    │ 1.1.1n-0+deb11u3  "));
    assert_non_null(b = strstr(a, "│ 1.1.1n-0+deb11u4 "));
    assert_true(memchr(a, '\n', (size_t)(b - a)) == NULL);
    assert_non_null(strstr(t, "│ MEDIUM   │ affected │"));
    /* titles: cut, cleaned, with the first reference below */
    assert_non_null(strstr(t, "│ zlib: heap-based buffer over-read | inflate [31mred[0m *b... │"));
    assert_null(strchr(t, '\x1b'));
    assert_non_null(strstr(t, NON_ASCII_TITLE));
    assert_non_null(strstr(t, "https://nvd.nist.gov/vuln/detail/CVE-2023-0286"));
    assert_null(strstr(t, "openssl.org")); /* only the first reference */
    /* suppressed ones are counted, not listed */
    assert_null(strstr(t, "CVE-2022-3715"));
    assert_null(strstr(t, "CVE-2023-45853"));
    /* notes after the last table */
    assert_non_null(
        a = strstr(t, "\nNote: 2 packages not matched: no records for ecosystem 'Go'\n"));
    assert_non_null(b = strrchr(t, '\x94')); /* a byte of the final "┘" */
    assert_true(a > b);
    free(t);
    fixture_free(&fx);
}

static void table_marks_suppressed_and_colours_on_request(void **state)
{
    fixture fx = make_fixture(true);
    dd_report_opts o = opts_for(DD_REPORT_TABLE);
    char *t;

    o.show_suppressed = true;
    o.color = true;
    t = render(fx.r, &o);
    assert_non_null(strstr(t, "Suppressed: 2 (listed with status \"suppressed\")"));
    assert_non_null(strstr(t, "CVE-2022-3715"));
    assert_non_null(strstr(t, "│ suppressed │"));
    assert_non_null(strstr(t, "ignored: not reachable | see #12"));
    assert_non_null(strstr(t, "VEX: vulnerable_code_not_in_execute_path"));
    assert_non_null(strstr(t, "\033[1;31mCRITICAL\033[0m"));
    assert_non_null(strstr(t, "\033[31mHIGH\033[0m"));
    assert_non_null(strstr(t, "\033[33mMEDIUM\033[0m"));
    assert_non_null(strstr(t, "\033[2mLOW\033[0m")); /* suppressed: dimmed */
    /* the escape sequences of the title never reach the terminal, only ours do */
    assert_int_equal(count_of(t, "\033["), 2 * 7);
    free(t);
    fixture_free(&fx);
}

static void table_without_os_or_findings(void **state)
{
    fixture fx = make_fixture(false), empty = make_empty();
    dd_report_opts o = opts_for(DD_REPORT_TABLE);
    char *t = render(fx.r, &o), *e;
    const char *head = "registry.example/app:1.0\n========================\nTotal: 3 ";

    assert_true(strncmp(t, head, strlen(head)) == 0);
    assert_boxes_aligned(t);
    free(t);
    o.target = NULL;
    e = render(empty.r, &o);
    assert_string_equal(e, "image (debian 11.6)\n===================\n"
                           "Total: 0 (UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0)\n");
    free(e);
    fixture_free(&fx);
    fixture_free(&empty);
}

/* --- JSON --- */

static void json_follows_the_schema_layout(void **state)
{
    fixture fx = make_fixture(true);
    dd_report_opts o = opts_for(DD_REPORT_JSON);
    char *text, *again;
    json_t *doc = render_json(fx.r, &o, &text), *f, *sum, *pkg;
    size_t i;

    /* streamed, yet exactly what jansson writes for the same tree */
    assert_jansson_layout(text, doc);
    again = render(fx.r, &o);
    assert_string_equal(text, again);
    free(again);
    {
        const char *start = "{\n  \"schema\": \"drydock-scan/1\",\n  \"target\": ";

        assert_true(strncmp(text, start, strlen(start)) == 0);
    }

    assert_string_equal(json_string_value(json_object_get(doc, "digest")), o.target_digest);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(doc, "os"), "version_id")), "11.6");
    assert_string_equal(json_string_value(json_object_get(doc, "ecosystem")), "Debian:11");
    sum = json_object_get(doc, "summary");
    assert_int_equal(json_integer_value(json_object_get(sum, "total")), 5);
    assert_int_equal(json_integer_value(json_object_get(sum, "suppressed")), 2);
    assert_int_equal(json_integer_value(json_object_get(sum, "CRITICAL")), 2);
    assert_int_equal(json_integer_value(json_object_get(sum, "UNKNOWN")), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "notes")), 1);
    assert_int_equal(json_array_size(json_object_get(doc, "findings")), 5);
    json_array_foreach(json_object_get(doc, "findings"), i, f)
        assert_true(json_is_null(json_object_get(f, "suppressed")));

    f = json_array_get(json_object_get(doc, "findings"), 0); /* libssl1.1: CVE-2023-0286 */
    assert_string_equal(json_string_value(json_object_get(f, "id")), "CVE-2023-0286");
    assert_string_equal(json_string_value(json_array_get(json_object_get(f, "aliases"), 0)),
                        "DSA-5343-1");
    assert_string_equal(json_string_value(json_object_get(f, "status")), "fixed");
    assert_string_equal(json_string_value(json_object_get(f, "severity_source")), "debian");
    assert_true(json_real_value(json_object_get(json_object_get(f, "cvss"), "score")) == 7.4);
    assert_non_null(strstr(text, "\"score\": 7.4,"));
    pkg = json_object_get(f, "package");
    assert_string_equal(json_string_value(json_object_get(pkg, "type")), "deb");
    assert_string_equal(json_string_value(json_object_get(pkg, "source_name")), "openssl");
    assert_string_equal(json_string_value(json_object_get(pkg, "db_path")), "var/lib/dpkg/status");
    assert_non_null(
        strstr(json_string_value(json_object_get(pkg, "purl")), "pkg:deb/debian/libssl1.1@"));
    assert_int_equal(json_integer_value(json_object_get(pkg, "layer")), 0);

    f = json_array_get(json_object_get(doc, "findings"), 1); /* CVE-2023-0464: unfixed */
    assert_true(json_is_null(json_object_get(f, "fixed")));
    assert_string_equal(json_string_value(json_object_get(f, "status")), "affected");
    assert_string_equal(json_string_value(json_object_get(f, "title")), NON_ASCII_TITLE);
    assert_true(json_is_null(json_object_get(f, "description")));
    assert_int_equal(json_array_size(json_object_get(f, "references")), 0);

    f = json_array_get(json_object_get(doc, "findings"), 2); /* zlib: the title kept as is */
    assert_string_equal(
        json_string_value(json_object_get(f, "title")),
        "zlib: heap-based\nbuffer over-read | inflate \x1b[31mred\x1b[0m *bold* [x](y)");
    assert_non_null(strstr(text, "\\u001B[31mred"));
    json_decref(doc);
    free(text);
    fixture_free(&fx);
}

static void json_filters_and_marks_suppressed(void **state)
{
    fixture fx = make_fixture(false), empty = make_empty();
    dd_report_opts o = opts_for(DD_REPORT_JSON);
    char *text;
    json_t *doc, *f;

    o.show_suppressed = true;
    o.target_digest = NULL;
    doc = render_json(fx.r, &o, &text);
    assert_true(json_is_null(json_object_get(doc, "os")));
    assert_true(json_is_null(json_object_get(doc, "ecosystem")));
    assert_true(json_is_null(json_object_get(doc, "digest")));
    assert_int_equal(json_array_size(json_object_get(doc, "findings")), 7);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"), "total")),
                     5);
    f = json_array_get(json_object_get(doc, "findings"), 0); /* bash, the first package */
    assert_string_equal(json_string_value(json_object_get(f, "id")), "CVE-2022-3715");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(f, "suppressed"), "kind")), "ignorefile");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(f, "suppressed"), "reason")),
        "not reachable | see #12");
    assert_true(json_is_null(json_object_get(f, "cvss")));
    json_decref(doc);
    free(text);

    o.show_suppressed = false;
    o.ignore_unfixed = true;
    o.severities = (1u << DD_SEV_HIGH) | (1u << DD_SEV_MEDIUM);
    doc = render_json(fx.r, &o, &text);
    assert_int_equal(json_array_size(json_object_get(doc, "findings")), 2); /* 0286, lodash */
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "summary"), "total")),
                     2);
    json_decref(doc);
    free(text);

    doc = render_json(empty.r, &o, &text);
    assert_int_equal(json_array_size(json_object_get(doc, "findings")), 0);
    assert_non_null(strstr(text, "\"findings\": [],\n  \"issues\": []\n}\n"));
    assert_non_null(strstr(text, "\"notes\": [],"));
    json_decref(doc);
    free(text);
    fixture_free(&fx);
    fixture_free(&empty);
}

/* --- SARIF --- */

static json_t *rule_by_id(json_t *rules, const char *id)
{
    size_t i;
    json_t *r;

    json_array_foreach(rules, i, r) if (strcmp(json_string_value(json_object_get(r, "id")), id) ==
                                        0) return r;
    fail_msg("no rule %s", id);
    return NULL;
}

static const char *rule_sev(json_t *rules, const char *id)
{
    return json_string_value(
        json_object_get(json_object_get(rule_by_id(rules, id), "properties"), "security-severity"));
}

static void sarif_for_code_scanning(void **state)
{
    fixture fx = make_fixture(true);
    dd_report_opts o = opts_for(DD_REPORT_SARIF);
    char *text;
    json_t *doc = render_json(fx.r, &o, &text), *run, *rules, *results, *res, *loc;
    size_t i;

    assert_jansson_layout(text, doc);
    assert_string_equal(json_string_value(json_object_get(doc, "version")), "2.1.0");
    assert_int_equal(json_array_size(json_object_get(doc, "runs")), 1);
    run = json_array_get(json_object_get(doc, "runs"), 0);
    rules = json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
    results = json_object_get(run, "results");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(run, "tool"), "driver"), "version")),
                        "0.1.0-test");
    assert_int_equal(json_array_size(rules), 5);
    assert_int_equal(json_array_size(results), 5);
    assert_string_equal(rule_sev(rules, "CVE-2023-0286"), "7.4");
    assert_string_equal(rule_sev(rules, "CVE-2022-37434"), "9.8");
    assert_string_equal(rule_sev(rules, "GHSA-35jh-r3h4-6jhm"), "8.0"); /* HIGH, no CVSS */
    assert_string_equal(
        json_string_value(json_object_get(rule_by_id(rules, "CVE-2023-0286"), "helpUri")),
        "https://nvd.nist.gov/vuln/detail/CVE-2023-0286");
    assert_string_equal(
        json_string_value(json_array_get(
            json_object_get(json_object_get(rule_by_id(rules, "CVE-2023-0464"), "properties"),
                            "tags"),
            2)),
        "MEDIUM");
    json_array_foreach(results, i, res)
    {
        const char *id = json_string_value(json_object_get(res, "ruleId"));
        const char *level = json_string_value(json_object_get(res, "level"));
        json_t *rule =
            json_array_get(rules, (size_t)json_integer_value(json_object_get(res, "ruleIndex")));

        assert_string_equal(json_string_value(json_object_get(rule, "id")), id);
        if (strcmp(id, "CVE-2023-0464") == 0)
            assert_string_equal(level, "warning");
        else
            assert_string_equal(level, "error");
        assert_null(json_object_get(res, "suppressions"));
    }
    res = json_array_get(results, 0);
    assert_string_equal(json_string_value(json_object_get(res, "ruleId")), "CVE-2023-0286");
    assert_string_equal(json_string_value(json_object_get(json_object_get(res, "message"), "text")),
                        "Package: libssl1.1\nInstalled Version: 1.1.1n-0+deb11u3\n"
                        "Vulnerability CVE-2023-0286\nSeverity: HIGH\n"
                        "Fixed Version: 1.1.1n-0+deb11u4\n"
                        "Link: [CVE-2023-0286](https://nvd.nist.gov/vuln/detail/CVE-2023-0286)");
    loc = json_object_get(json_array_get(json_object_get(res, "locations"), 0), "physicalLocation");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(loc, "artifactLocation"), "uri")),
        "var/lib/dpkg/status");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(loc, "region"), "startLine")), 1);
    json_decref(doc);
    free(text);

    /* suppressed ones are listed with a suppression */
    o.show_suppressed = true;
    o.severities = (1u << DD_SEV_LOW) | (1u << DD_SEV_UNKNOWN);
    doc = render_json(fx.r, &o, &text);
    run = json_array_get(json_object_get(doc, "runs"), 0);
    results = json_object_get(run, "results");
    rules = json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
    assert_int_equal(json_array_size(results), 2);
    res = json_array_get(results, 0);
    assert_string_equal(json_string_value(json_object_get(res, "level")), "note");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(res, "suppressions"), 0), "kind")),
                        "external");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(res, "suppressions"), 0),
                                          "justification")),
        "not reachable | see #12");
    assert_string_equal(rule_sev(rules, "CVE-2022-3715"), "2.0");
    assert_null(rule_sev(rules, "CVE-2023-45853")); /* UNKNOWN: no score to give */
    json_decref(doc);
    free(text);
    fixture_free(&fx);
}

/* --- CycloneDX --- */

static json_t *vuln_by_id(json_t *vulns, const char *id)
{
    size_t i;
    json_t *v;

    json_array_foreach(vulns, i, v) if (strcmp(json_string_value(json_object_get(v, "id")), id) ==
                                        0) return v;
    fail_msg("no vulnerability %s", id);
    return NULL;
}

/* The vulnerability report carries the SBOM of dd_sbom_write, component for component. */
static void assert_same_sbom(json_t *doc, const dd_inventory *inv, const dd_report_opts *o)
{
    dd_sbom_subject subject = {0};
    dd_sbom_opts so = DD_SBOM_OPTS_INIT;
    char *text;
    size_t len, i;
    json_t *sbom, *v, *refs = json_object();

    subject.name = o->target;
    subject.digest = o->target_digest;
    so.timestamp = o->timestamp;
    so.tool_version = o->tool_version;
    assert_int_equal(dd_sbom_write(&text, &len, inv, &subject, &so), DD_OK);
    assert_non_null(sbom = json_loads(text, 0, NULL));
    assert_true(
        json_equal(json_object_get(doc, "components"), json_object_get(sbom, "components")));
    assert_true(
        json_equal(json_object_get(doc, "dependencies"), json_object_get(sbom, "dependencies")));
    assert_true(json_equal(json_object_get(doc, "metadata"), json_object_get(sbom, "metadata")));
    json_array_foreach(json_object_get(sbom, "components"), i, v)
        json_object_set_new(refs, json_string_value(json_object_get(v, "bom-ref")), json_true());
    json_array_foreach(json_object_get(doc, "vulnerabilities"), i, v)
    {
        const char *ref = json_string_value(
            json_object_get(json_array_get(json_object_get(v, "affects"), 0), "ref"));

        assert_non_null(ref);
        if (!json_object_get(refs, ref))
            fail_msg("affects ref %s is not a component", ref);
    }
    json_decref(refs);
    json_decref(sbom);
    dd_free(text);
}

static void cyclonedx_adds_vulnerabilities(void **state)
{
    fixture fx = make_fixture(true);
    dd_report_opts o = opts_for(DD_REPORT_CYCLONEDX);
    char *text, *again, *other;
    json_t *doc = render_json(fx.r, &o, &text), *vulns, *v, *rating;

    again = render(fx.r, &o);
    assert_string_equal(text, again); /* deterministic */
    free(again);
    assert_jansson_layout(text, doc);
    assert_string_equal(json_string_value(json_object_get(doc, "specVersion")), "1.6");
    assert_same_sbom(doc, fx.inv, &o);
    vulns = json_object_get(doc, "vulnerabilities");
    assert_int_equal(json_array_size(vulns), 5);

    v = vuln_by_id(vulns, "CVE-2023-0286");
    assert_string_equal(json_string_value(json_object_get(json_object_get(v, "source"), "name")),
                        "NVD");
    assert_string_equal(json_string_value(json_object_get(json_object_get(v, "source"), "url")),
                        "https://nvd.nist.gov/vuln/detail/CVE-2023-0286");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(v, "references"), 0), "id")),
                        "DSA-5343-1");
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_array_get(json_object_get(v, "references"), 0), "source"),
            "name")),
        "Debian");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(v, "references"), 1), "id")),
                        "DEBIAN-CVE-2023-0286");
    rating = json_array_get(json_object_get(v, "ratings"), 0);
    assert_true(json_real_value(json_object_get(rating, "score")) == 7.4);
    assert_string_equal(json_string_value(json_object_get(rating, "severity")), "high");
    assert_string_equal(json_string_value(json_object_get(rating, "method")), "CVSSv31");
    rating = json_array_get(json_object_get(v, "ratings"), 1); /* Debian's own word */
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(rating, "source"), "name")), "debian");
    assert_string_equal(json_string_value(json_object_get(rating, "method")), "other");
    assert_string_equal(json_string_value(json_object_get(v, "recommendation")),
                        "Upgrade libssl1.1 to 1.1.1n-0+deb11u4");
    assert_string_equal(json_string_value(json_object_get(v, "published")), "2023-02-08T20:15:23Z");
    assert_string_equal(json_string_value(json_object_get(v, "updated")), "2024-02-04T09:15:09Z");
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(
                json_object_get(json_array_get(json_object_get(v, "affects"), 0), "versions"), 0),
            "status")),
        "affected");
    assert_null(json_object_get(v, "analysis"));

    v = vuln_by_id(vulns, "CVE-2022-37434");
    assert_string_equal(json_string_value(json_object_get(v, "published")), "2022-08-05T00:00:00Z");
    v = vuln_by_id(vulns, "CVE-2023-0464");
    assert_null(json_object_get(v, "recommendation"));
    assert_string_equal(json_string_value(json_object_get(v, "description")), NON_ASCII_TITLE);
    v = vuln_by_id(vulns, "GHSA-xvch-5gv4-984h");
    rating = json_array_get(json_object_get(v, "ratings"), 0);
    assert_string_equal(json_string_value(json_object_get(rating, "method")), "CVSSv4");
    assert_string_equal(json_string_value(json_object_get(rating, "severity")), "critical");
    assert_int_equal(json_array_size(json_object_get(v, "ratings")), 1);
    v = vuln_by_id(vulns, "GHSA-35jh-r3h4-6jhm");
    assert_string_equal(json_string_value(json_object_get(json_object_get(v, "source"), "name")),
                        "GitHub");
    assert_non_null(strstr(
        json_string_value(json_object_get(json_array_get(json_object_get(v, "affects"), 0), "ref")),
        "lodash"));
    rating = json_array_get(json_object_get(v, "ratings"), 0);
    assert_string_equal(json_string_value(json_object_get(rating, "severity")), "high");
    assert_null(json_object_get(rating, "score"));
    json_decref(doc);

    /* suppressed ones carry an analysis; another set of findings is another serial number */
    o.show_suppressed = true;
    doc = render_json(fx.r, &o, &other);
    vulns = json_object_get(doc, "vulnerabilities");
    assert_int_equal(json_array_size(vulns), 7);
    v = vuln_by_id(vulns, "CVE-2023-45853");
    assert_string_equal(json_string_value(json_object_get(json_object_get(v, "analysis"), "state")),
                        "not_affected");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(v, "analysis"), "detail")),
        "suppressed by a VEX statement: vulnerable_code_not_in_execute_path");
    assert_int_equal(json_array_size(json_object_get(v, "ratings")), 0); /* UNKNOWN, no score */
    v = vuln_by_id(vulns, "CVE-2022-3715");
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(v, "analysis"), "response"), 0)),
                        "will_not_fix");
    assert_true(strcmp(strstr(text, "urn:uuid:"), strstr(other, "urn:uuid:")) != 0);
    assert_same_sbom(doc, fx.inv, &o);
    json_decref(doc);
    free(other);
    free(text);
    fixture_free(&fx);
}

static void empty_documents_keep_the_layout(void **state)
{
    fixture empty = make_empty();
    const dd_report_format formats[] = {DD_REPORT_JSON, DD_REPORT_SARIF, DD_REPORT_CYCLONEDX};

    for (size_t i = 0; i < DD_ARRAY_SIZE(formats); i++) {
        dd_report_opts o = opts_for(formats[i]);
        char *text;
        json_t *doc = render_json(empty.r, &o, &text);

        assert_jansson_layout(text, doc);
        json_decref(doc);
        free(text);
    }
    fixture_free(&empty);
}

/* --- markdown --- */

static void markdown_table_for_a_pull_request(void **state)
{
    fixture fx = make_fixture(true), empty = make_empty();
    dd_report_opts o = opts_for(DD_REPORT_MARKDOWN);
    char *t = render(fx.r, &o), *e;
    const char *a, *b;

    {
        const char *head =
            "## drydock scan: registry.example/app:1.0 (debian 11.6)\n\n"
            "Digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n\n";

        assert_true(strncmp(t, head, strlen(head)) == 0);
    }
    assert_non_null(strstr(t, "**Total: 5** (UNKNOWN: 0, LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 2), "
                              "suppressed: 2\n"));
    assert_non_null(strstr(t, "| Severity | ID | Package | Installed | Fixed | Title |\n"
                              "| --- | --- | --- | --- | --- | --- |\n"));
    assert_int_equal(count_of(t, "\n| "), 2 + 5);
    /* most severe first */
    assert_non_null(
        a = strstr(
            t, "| CRITICAL | [CVE-2022-37434](https://nvd.nist.gov/vuln/detail/CVE-2022-37434) | "
               "zlib1g | 1:1.2.11.dfsg-2\\~deb11u1 | 1:1.2.11.dfsg-2+deb11u2 | "
               "zlib: heap-based buffer over-read \\| inflate \\[31mred\\[0m \\*bold\\* \\[x\\](y) "
               "|\n"));
    assert_non_null(b = strstr(t, "| MEDIUM | CVE-2023-0464 | libssl1.1 | 1.1.1n-0+deb11u3 |  | "));
    assert_true(a < b);
    assert_non_null(strstr(t, NON_ASCII_TITLE));
    assert_null(strstr(t, "CVE-2022-3715"));
    assert_non_null(strstr(t, "\n> Note: 2 packages not matched: no records for ecosystem 'Go'\n"));
    assert_null(strstr(t, "more\n"));
    free(t);

    o.show_suppressed = true;
    t = render(fx.r, &o);
    assert_non_null(a = strstr(t, "| LOW (suppressed) | CVE-2022-3715 | bash | "));
    assert_non_null(strstr(a, "(ignored: not reachable \\| see \\#12) |\n"));
    assert_true(a > strstr(t, "| MEDIUM |")); /* suppressed ones last */
    free(t);

    e = render(empty.r, &o);
    assert_non_null(strstr(e,
                           "**Total: 0** (UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0)\n\n"
                           "No vulnerabilities found.\n"));
    assert_null(strstr(e, "| Severity |"));
    free(e);
    fixture_free(&fx);
    fixture_free(&empty);
}

/* Many findings with long references: at most 100 rows, never past 60000 bytes. */
static void markdown_stays_under_the_comment_limit(void **state)
{
    dd_inventory *inv;
    dd_scan_result *r;
    dd_package p = {
        .type = DD_PKG_DEB, .name = "pkg", .version = "1", .db_path = "var/lib/dpkg/status"};
    dd_report_opts o = opts_for(DD_REPORT_MARKDOWN);
    static char url[3000];
    const char *refs[] = {url};
    char id[32], *t;
    size_t rows;

    memcpy(url, "https://example.org/", 20);
    memset(url + 20, 'a', sizeof(url) - 21);
    assert_int_equal(dd_inventory__new(&inv), DD_OK);
    assert_int_equal(dd_inventory__add(inv, &p), DD_OK);
    assert_int_equal(dd_scan__new(&r, inv), DD_OK);
    for (int i = 0; i < 250; i++) {
        dd_finding f = {
            .id = id, .installed = "1", .severity = DD_SEV_HIGH, .cvss_score = -1, .title = "t"};

        snprintf(id, sizeof(id), "CVE-2024-%05d", i);
        if (i < 150) { /* short rows first: the count limit applies */
            assert_int_equal(dd_scan__add(r, &f), DD_OK);
            continue;
        }
        f.references = refs;
        f.n_references = 1;
        f.severity = DD_SEV_CRITICAL; /* sorted first */
        assert_int_equal(dd_scan__add(r, &f), DD_OK);
    }
    t = render(r, &o);
    rows = count_of(t, "\n| ") - 2;
    assert_true(strlen(t) <= 60000);
    assert_true(rows < 100); /* the long rows hit the byte limit first */
    assert_true(rows >= 15);
    {
        char more[64];

        snprintf(more, sizeof(more), "\n... and %zu more\n", 250 - rows);
        assert_non_null(strstr(t, more));
    }
    free(t);
    dd_scan_result_free(r);

    /* short rows only: 100 of them */
    assert_int_equal(dd_scan__new(&r, inv), DD_OK);
    for (int i = 0; i < 150; i++) {
        dd_finding f = {.id = id, .installed = "1", .severity = DD_SEV_LOW, .cvss_score = -1};

        snprintf(id, sizeof(id), "CVE-2024-%05d", i);
        assert_int_equal(dd_scan__add(r, &f), DD_OK);
    }
    t = render(r, &o);
    assert_int_equal(count_of(t, "\n| ") - 2, 100);
    assert_non_null(strstr(t, "\n... and 50 more\n"));
    free(t);
    dd_scan_result_free(r);
    dd_inventory_free(inv);
}

/* --- hostile strings --- */

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Random bytes drawn from pieces that break naive writers: control characters, escape
 * sequences, bytes that are not UTF-8, truncated sequences, wide and combining characters,
 * bidi overrides, markdown and JSON punctuation. */
static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n;

    for (; *p; p += n)
        if (!(n = dd_utf8_seq_len(p)))
            return false;
    return true;
}

static void hostile_pieces(char *out, size_t size, bool utf8_only)
{
    static const char *const pieces[] = {
        "\x1b[2J",
        "\n",
        "\r",
        "\t",
        "\x01",
        "\x7f",
        "\xc2\x85",
        "\xff",
        "\xc3",
        "\xe6\xbc",
        "\xf0\x9f\x98",
        "漢",
        "\xcc\x81",
        "\xe2\x80\xae",
        "|",
        "\\",
        "\"",
        "`",
        "*",
        "[",
        "](",
        "<",
        "~",
        "&",
        "#",
        "a",
        "bc",
        " ",
        "😀",
        "\xef\xbb\xbf",
        "%",
        ":",
        "/",
    };
    size_t len = 0, n = rng() % 40;

    for (size_t i = 0; i < n; i++) {
        const char *p = pieces[rng() % DD_ARRAY_SIZE(pieces)];

        if (utf8_only && !valid_utf8(p))
            continue;
        if (len + strlen(p) + 1 > size)
            break;
        memcpy(out + len, p, strlen(p));
        len += strlen(p);
    }
    out[len] = '\0';
}

static void hostile(char *out, size_t size)
{
    hostile_pieces(out, size, false);
}

/* 20 packages and 200 findings made of hostile strings. */
static fixture make_hostile(void)
{
    fixture fx;
    dd_inventory *inv;
    dd_scan_result *r;
    char name[160], version[160];

    rng_state = 12345;

    assert_int_equal(dd_inventory__new(&inv), DD_OK);
    for (int i = 0; i < 20; i++) {
        dd_package p = {.type = i % 2 ? DD_PKG_DEB : DD_PKG_NPM,
                        .name = name,
                        .version = version,
                        .db_path = i % 3 ? "var/lib/dpkg/status" : name};

        /* valid UTF-8: the SBOM writer leaves out a name or version that is not */
        hostile_pieces(name, sizeof(name), true);
        snprintf(name + strlen(name), sizeof(name) - strlen(name), "%d", i); /* never empty */
        hostile_pieces(version, sizeof(version), true);
        snprintf(version + strlen(version), sizeof(version) - strlen(version), "%d", i);
        assert_int_equal(dd_inventory__add(inv, &p), DD_OK);
    }
    dd_inventory__sort(inv);
    assert_int_equal(dd_scan__new(&r, inv), DD_OK);
    for (int i = 0; i < 200; i++) {
        char id[64], title[160], desc[160], fixed[160], url[200], reason[160], alias[64];
        const char *refs[] = {url}, *aliases[] = {alias};
        dd_finding f = {.id = id,
                        .pkg = (size_t)i % 20,
                        .installed = "1",
                        .fixed = fixed,
                        .severity = (dd_severity)(i % 5),
                        .cvss_score = i % 7 ? (i % 101) / 10.0 : -1,
                        .title = title,
                        .description = desc,
                        .references = refs,
                        .n_references = 1,
                        .aliases = aliases,
                        .n_aliases = 1,
                        .published = desc,
                        .modified = title,
                        .suppressed = (dd_suppress_kind)(i % 3),
                        .suppress_reason = reason};

        hostile(id, 40);
        snprintf(id + strlen(id), 16, "-%d", i);
        hostile(alias, sizeof(alias));
        hostile(title, sizeof(title));
        hostile(desc, sizeof(desc));
        hostile(fixed, sizeof(fixed));
        hostile(reason, sizeof(reason));
        snprintf(url, sizeof(url), "https://x/");
        hostile(url + 10, sizeof(url) - 10);
        assert_int_equal(dd_scan__add(r, &f), DD_OK);
    }
    assert_int_equal(dd_scan__note(r, "note \x1b]0;title\x07 %s", "\xff"), DD_OK);
    fx.inv = inv;
    fx.r = r;
    return fx;
}

static void hostile_strings_stay_contained(void **state)
{
    fixture fx = make_hostile();
    const dd_scan_result *r = fx.r;

    for (int f = DD_REPORT_TABLE; f <= DD_REPORT_MARKDOWN; f++) {
        dd_report_opts o = opts_for((dd_report_format)f);
        char *text;

        o.show_suppressed = true;
        o.color = true;
        o.target = "t\x1b[1m\xff|";
        text = render(r, &o);
        if (f == DD_REPORT_JSON || f == DD_REPORT_SARIF || f == DD_REPORT_CYCLONEDX) {
            json_error_t err;
            json_t *doc = json_loads(text, 0, &err); /* valid JSON and valid UTF-8 */

            if (!doc)
                fail_msg("format %d: %s at line %d", f, err.text, err.line);
            if (f == DD_REPORT_SARIF)
                assert_int_equal(json_array_size(json_object_get(
                                     json_array_get(json_object_get(doc, "runs"), 0), "results")),
                                 200);
            json_decref(doc);
        } else {
            /* text formats: UTF-8 only, and no control character but the line ends and, in
             * the table, our own colour sequences */
            for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
                size_t n = dd_utf8_seq_len(p);

                if (n == 0)
                    fail_msg("format %d: a byte that is not UTF-8 at %zu", f,
                             (size_t)(p - (const unsigned char *)text));
                if (*p < 0x20 && *p != '\n' && !(f == DD_REPORT_TABLE && *p == 0x1b && p[1] == '['))
                    fail_msg("format %d: control character %#x at %zu", f, *p,
                             (size_t)(p - (const unsigned char *)text));
                p += n - 1;
            }
            if (f == DD_REPORT_MARKDOWN) /* one line per row: 2 header lines and 100 rows */
                assert_int_equal(count_of(text, "\n| "), 102);
        }
        free(text);
    }
    fixture_free(&fx);
}

/* --- allocation failures --- */

static long fail_after;

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

/* Failing each allocation in turn gives DD_ENOMEM (or, once enough succeed, DD_OK), never a
 * crash or a leak (ASan builds check that). */
static void allocation_failures_are_clean(void **state)
{
    const dd_allocator hook = {failing_malloc, failing_realloc, plain_free, NULL};
    fixture fx = make_fixture(true);

    for (int f = DD_REPORT_TABLE; f <= DD_REPORT_MARKDOWN; f++) {
        dd_report_opts o = opts_for((dd_report_format)f);
        long n;
        int rc = DD_ENOMEM;

        o.show_suppressed = true;
        for (n = 0; n < 100000 && rc != DD_OK; n++) {
            FILE *fp = fopen("/dev/null", "w");

            assert_non_null(fp);
            fail_after = n;
            dd_set_allocator(&hook);
            rc = dd_report_write(fp, fx.r, &o);
            dd_set_allocator(NULL);
            fclose(fp);
            if (rc != DD_OK && rc != DD_ENOMEM)
                fail_msg("format %d, allocation %ld: %d %s", f, n, rc, dd_error_message());
        }
        assert_int_equal(rc, DD_OK);
        if (f != DD_REPORT_JSON) /* streamed: it allocates nothing */
            assert_true(n > 1);
    }
    fixture_free(&fx);
}

/* --- a real inventory and the schemas --- */

static dd_inventory *catalog_rootfs(void)
{
    const char *data = getenv("DD_TEST_DATA");
    char ref[4200];
    dd_image *img = NULL;
    dd_walk *w = NULL;
    dd_image_open_opts io = DD_IMAGE_OPEN_OPTS_INIT;
    dd_walk_opts wo = DD_WALK_OPTS_INIT;
    dd_catalog_opts co = DD_CATALOG_OPTS_INIT;
    dd_inventory *inv = NULL;

    snprintf(ref, sizeof(ref), "dir:%s/rootfs-deb11", data ? data : "tests/data");
    assert_int_equal(dd_image_open(&img, ref, &io), DD_OK);
    assert_int_equal(dd_walk_new(&w, &wo), DD_OK);
    assert_int_equal(dd_catalog_register(w, &co), DD_OK);
    assert_int_equal(dd_walk_run(w, img), DD_OK);
    assert_int_equal(dd_catalog_run(&inv, w, &co), DD_OK);
    dd_walk_free(w);
    dd_image_free(img);
    return inv;
}

/* Findings on the real packages of the deb11 root: libssl1.1 and openssl (same source), and
 * chromium. */
static dd_scan_result *scan_rootfs(const dd_inventory *inv)
{
    dd_scan_result *r;
    const char *refs[] = {"https://security-tracker.debian.org/tracker/CVE-2023-0286"};

    assert_int_equal(dd_scan__new(&r, inv), DD_OK);
    for (size_t i = 0; i < dd_inventory_count(inv); i++) {
        const dd_package *p = dd_inventory_get(inv, i);
        dd_finding f = {.pkg = i,
                        .installed = p->version,
                        .cvss_score = -1,
                        .ecosystem = "Debian:11",
                        .references = refs,
                        .n_references = 1};

        if (strcmp(p->name, "chromium") == 0) {
            f.id = "CVE-2022-1364";
            f.severity = DD_SEV_HIGH;
            f.severity_source = "debian";
            f.fixed = "100.0.4896.127-1~deb11u1";
            f.title = "Type confusion in V8";
            f.references = NULL;
            f.n_references = 0;
        } else {
            f.id = "CVE-2023-0286";
            f.severity = DD_SEV_HIGH;
            f.cvss_score = 7.4;
            f.cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H";
            f.severity_source = "cvss_v3";
            f.fixed = "1.1.1n-0+deb11u4";
            f.matched_name = "openssl";
        }
        assert_int_equal(dd_scan__add(r, &f), DD_OK);
    }
    dd_scan__sort(r);
    assert_int_equal(dd_scan__set_os_ecosystem(r, "Debian:11"), DD_OK);
    return r;
}

static void real_inventory_reports(void **state)
{
    dd_inventory *inv = catalog_rootfs();
    dd_scan_result *r = scan_rootfs(inv);
    dd_report_opts o = opts_for(DD_REPORT_CYCLONEDX);
    char *text;
    json_t *doc;

    assert_int_equal(dd_inventory_count(inv), 3);
    /* libssl1.1 and openssl: one advisory, one database file, two alerts kept apart */
    o = opts_for(DD_REPORT_SARIF);
    doc = render_json(r, &o, &text);
    {
        json_t *results =
            json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "results");
        const char *fp[3];

        assert_int_equal(json_array_size(results), 3);
        for (size_t i = 0; i < 3; i++)
            assert_non_null(fp[i] = json_string_value(json_object_get(
                                json_object_get(json_array_get(results, i), "partialFingerprints"),
                                "drydockPackage/v1")));
        assert_string_not_equal(fp[0], fp[1]);
        assert_string_not_equal(fp[1], fp[2]);
        assert_string_not_equal(fp[0], fp[2]);
    }
    json_decref(doc);
    free(text);
    o = opts_for(DD_REPORT_CYCLONEDX);
    doc = render_json(r, &o, &text);
    assert_int_equal(json_array_size(json_object_get(doc, "vulnerabilities")), 3);
    assert_same_sbom(doc, inv, &o);
    json_decref(doc);
    free(text);
    o = opts_for(DD_REPORT_TABLE);
    text = render(r, &o);
    assert_true(strncmp(text, "registry.example/app:1.0 (debian 11)\n", 37) == 0);
    assert_boxes_aligned(text);
    free(text);
    dd_scan_result_free(r);
    dd_inventory_free(inv);
}

/* --- issues: secrets, configuration and hygiene beside the vulnerabilities --- */

static fixture make_issue_fixture(void)
{
    fixture fx = make_fixture(true);
    const dd_issue issues[] = {
        {.cls = DD_ISSUE_SECRET,
         .rule_id = "DD-SECRET-AWS-ACCESS-KEY-ID",
         .category = "AWS",
         .title = "AWS access key ID",
         .message = "AWS access key ID AK****************LE",
         .severity = DD_SEV_CRITICAL,
         .path = "app/.env",
         .layer = 2,
         .removed_in = 3,
         .line = 4,
         .match = "AK****************LE"},
        {.cls = DD_ISSUE_CONFIG,
         .rule_id = "DD-IMG-003",
         .title = "Config.User empty, root or 0",
         .message = "the image runs as root: User is empty",
         .fix = "add USER with a non-root user",
         .severity = DD_SEV_MEDIUM,
         .location = "User",
         .layer = -1,
         .removed_in = -1},
        {.cls = DD_ISSUE_HYGIENE,
         .rule_id = "DD-HYG-001",
         .title = "Package manager cache left in the image",
         .message = "var/lib/apt/lists: 18 MB of apt lists | <b>",
         .severity = DD_SEV_LOW,
         .path = "var/lib/apt/lists",
         .layer = 1,
         .removed_in = -1,
         .bytes = 18000000},
    };

    for (size_t i = 0; i < DD_ARRAY_SIZE(issues); i++)
        assert_int_equal(dd_scan_add_issue(fx.r, &issues[i]), DD_OK);
    return fx;
}

static void issues_in_every_format(void **state)
{
    fixture fx = make_issue_fixture();
    dd_report_opts o = opts_for(DD_REPORT_JSON);
    json_t *doc, *list, *sum, *results, *rules;
    const char *ignore = "# secrets in fixtures\nDD-SECRET-AWS-ACCESS-KEY-ID # a test key\n";
    char *text;
    size_t found = 0;

    /* JSON: every issue with its fields, counted apart from the vulnerabilities */
    doc = render_json(fx.r, &o, &text);
    list = json_object_get(doc, "issues");
    assert_int_equal(json_array_size(list), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "class")),
                        "secret");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "removed_in")),
                     3);
    assert_true(json_is_null(json_object_get(json_array_get(list, 1), "layer")));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 2), "bytes")),
                     18000000);
    sum = json_object_get(doc, "issue_summary");
    assert_int_equal(json_integer_value(json_object_get(sum, "total")), 3);
    assert_int_equal(json_integer_value(json_object_get(sum, "CRITICAL")), 1);
    assert_int_equal(json_integer_value(json_object_get(sum, "secret")), 1);
    json_decref(doc);
    free(text);
    /* the severity filter applies to issues too */
    o.severities = 1u << DD_SEV_CRITICAL;
    doc = render_json(fx.r, &o, &text);
    assert_int_equal(json_array_size(json_object_get(doc, "issues")), 1);
    json_decref(doc);
    free(text);
    /* SARIF: one rule and one result per issue, located at the file and line */
    o = opts_for(DD_REPORT_SARIF);
    doc = render_json(fx.r, &o, &text);
    results = json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "results");
    rules = json_object_get(
        json_object_get(json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "tool"),
                        "driver"),
        "rules");
    for (size_t i = 0; i < json_array_size(results); i++) {
        json_t *res = json_array_get(results, i);
        const char *id = json_string_value(json_object_get(res, "ruleId"));
        size_t k = (size_t)json_integer_value(json_object_get(res, "ruleIndex"));

        assert_string_equal(json_string_value(json_object_get(json_array_get(rules, k), "id")),
                            id);
        if (strcmp(id, "DD-SECRET-AWS-ACCESS-KEY-ID") == 0) {
            json_t *phys = json_object_get(
                json_array_get(json_object_get(res, "locations"), 0), "physicalLocation");

            found++;
            assert_string_equal(
                json_string_value(json_object_get(json_object_get(phys, "artifactLocation"), "uri")),
                "app/.env");
            assert_int_equal(
                json_integer_value(json_object_get(json_object_get(phys, "region"), "startLine")),
                4);
            assert_string_equal(json_string_value(json_object_get(res, "level")), "error");
        }
    }
    assert_int_equal(found, 1);
    json_decref(doc);
    free(text);
    /* table: a target per class, boxes aligned; markdown: escaped cells */
    o = opts_for(DD_REPORT_TABLE);
    text = render(fx.r, &o);
    assert_non_null(strstr(text, "\nSecrets\n=======\nTotal: 1 (UNKNOWN: 0, LOW: 0, MEDIUM: 0, "
                                 "HIGH: 0, CRITICAL: 1)\n"));
    assert_non_null(strstr(text, "\nImage configuration\n"));
    assert_non_null(strstr(text, "removed in 3"));
    assert_non_null(strstr(text, "app/.env:4"));
    assert_boxes_aligned(text);
    free(text);
    o = opts_for(DD_REPORT_MARKDOWN);
    text = render(fx.r, &o);
    assert_non_null(strstr(text, "### Secrets, configuration and hygiene"));
    assert_non_null(strstr(text, "| CRITICAL | DD-SECRET-AWS-ACCESS-KEY-ID | app/.env:4 | 2 (removed in 3) |"));
    assert_non_null(strstr(text, "\\| \\<b\\>"));
    free(text);
    /* the ignore file suppresses issues by rule id, with its reason */
    assert_int_equal(dd_scan_apply_ignorefile(fx.r, ".drydockignore", ignore, strlen(ignore), 0),
                     DD_OK);
    assert_int_equal(dd_scan_issue_get(fx.r, 0)->suppressed, DD_SUPPRESS_IGNOREFILE);
    assert_string_equal(dd_scan_issue_get(fx.r, 0)->suppress_reason, "a test key");
    assert_int_equal(dd_scan_issue_get(fx.r, 1)->suppressed, DD_SUPPRESS_NONE);
    o = opts_for(DD_REPORT_JSON);
    assert_false(dd_report_selects_issue(&o, dd_scan_issue_get(fx.r, 0)));
    assert_true(dd_report_selects_issue(&o, dd_scan_issue_get(fx.r, 1)));
    doc = render_json(fx.r, &o, &text);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "issue_summary"),
                                                        "suppressed")),
                     1);
    json_decref(doc);
    free(text);
    fixture_free(&fx);
}

/* Writes `text` to DD_TEST_TMP/NAME and runs shared/schemas/validate.py on it. */
static void validate(const char *schemas, const char *schema, const char *name, const char *text)
{
    const char *tmp = getenv("DD_TEST_TMP");
    char path[4200], script[4200];
    char *argv[] = {"python3", "-W", "ignore", script, (char *)schema, path, NULL};
    FILE *fp;
    pid_t pid;
    int status;

    mkdir(tmp ? tmp : "/tmp", 0755);
    snprintf(path, sizeof(path), "%.3000s/report-%.100s", tmp ? tmp : "/tmp", name);
    snprintf(script, sizeof(script), "%.3000s/validate.py", schemas);
    assert_non_null(fp = fopen(path, "w"));
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(posix_spawnp(&pid, "python3", NULL, NULL, argv, environ), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("%s does not validate against %s", path, schema);
}

static void documents_validate_against_their_schemas(void **state)
{
    const char *data = getenv("DD_TEST_DATA"), *env = getenv("DD_SCHEMAS_DIR");
    char schemas[4096], own[4096], script[4200];
    fixture fx = make_fixture(true), nos = make_fixture(false), empty = make_empty(),
            bad = make_hostile(), iss = make_issue_fixture();
    dd_inventory *inv = catalog_rootfs();
    dd_scan_result *real = scan_rootfs(inv);
    const struct {
        const char *name;
        const dd_scan_result *r;
        bool show_suppressed;
    } cases[] = {{"fixture", fx.r, true},
                 {"no-os", nos.r, false},
                 {"empty", empty.r, false},
                 {"real", real, true},
                 {"hostile", bad.r, true},
                 {"issues", iss.r, true}};

    if (env)
        snprintf(schemas, sizeof(schemas), "%.3000s", env);
    else
        snprintf(schemas, sizeof(schemas), "%.3000s/../../../shared/schemas",
                 data ? data : "tests/data");
    snprintf(own, sizeof(own), "%.3000s/../../docs/scan-report.schema.json",
             data ? data : "tests/data");
    snprintf(script, sizeof(script), "%.3000s/validate.py", schemas);
    if (access(script, R_OK) != 0) {
        print_message("no %s: schemas not checked\n", script);
        skip();
    }
    for (size_t i = 0; i < DD_ARRAY_SIZE(cases); i++) {
        static const struct {
            dd_report_format format;
            const char *schema, *ext;
        } formats[] = {{DD_REPORT_JSON, NULL, "json"},
                       {DD_REPORT_SARIF, "sarif-schema-2.1.0.json", "sarif"},
                       {DD_REPORT_CYCLONEDX, "bom-1.6.schema.json", "cdx.json"}};

        for (size_t k = 0; k < DD_ARRAY_SIZE(formats); k++) {
            dd_report_opts o = opts_for(formats[k].format);
            char name[128], *text;

            o.show_suppressed = cases[i].show_suppressed;
            snprintf(name, sizeof(name), "%s.%s", cases[i].name, formats[k].ext);
            text = render(cases[i].r, &o);
            validate(schemas, formats[k].schema ? formats[k].schema : own, name, text);
            free(text);
        }
    }
    dd_scan_result_free(real);
    dd_inventory_free(inv);
    fixture_free(&fx);
    fixture_free(&nos);
    fixture_free(&empty);
    fixture_free(&bad);
    fixture_free(&iss);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(selection_follows_the_filters),
        cmocka_unit_test(unknown_format_is_refused),
        cmocka_unit_test(write_errors_are_reported),
        cmocka_unit_test(text_is_cleaned_and_cut_by_columns),
        cmocka_unit_test(table_groups_targets_and_packages),
        cmocka_unit_test(table_marks_suppressed_and_colours_on_request),
        cmocka_unit_test(table_without_os_or_findings),
        cmocka_unit_test(json_follows_the_schema_layout),
        cmocka_unit_test(json_filters_and_marks_suppressed),
        cmocka_unit_test(sarif_for_code_scanning),
        cmocka_unit_test(cyclonedx_adds_vulnerabilities),
        cmocka_unit_test(empty_documents_keep_the_layout),
        cmocka_unit_test(markdown_table_for_a_pull_request),
        cmocka_unit_test(markdown_stays_under_the_comment_limit),
        cmocka_unit_test(issues_in_every_format),
        cmocka_unit_test(hostile_strings_stay_contained),
        cmocka_unit_test(allocation_failures_are_clean),
        cmocka_unit_test(real_inventory_reports),
        cmocka_unit_test(documents_validate_against_their_schemas),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
