/* Unit tests for VEX documents (lib/scan/vex.c): OpenVEX 0.2 and CycloneDX VEX. */
#include "unit/scan/suppress_fixture.h"

#include <drydock/sbom.h>

#include <jansson.h>

static int apply_text(scan_fixture *fx, const char *path, const char *text)
{
    return dd_scan_apply_vex(fx->r, path, text, strlen(text));
}

static void apply_file(scan_fixture *fx, const char *name)
{
    dd_buf b = DD_BUF_INIT;

    read_data(&b, name);
    if (dd_scan_apply_vex(fx->r, name, b.data, b.len) != DD_OK)
        fail_msg("%s: %s", name, dd_error_message());
    dd_buf_dispose(&b);
}

static void openvex_statuses_ids_and_aliases(void **state)
{
    scan_fixture *fx = *state;
    const dd_finding *f;

    apply_file(fx, "app.openvex.json");
    /* not_affected on openssl (exact purl with qualifiers); fixed on lodash 4 through the
     * finding's GHSA alias; affected on libc6 and under_investigation on the others keep them;
     * CVE-2024-0727 reaches openssl as a subcomponent of the image */
    assert_string_equal(suppressed_map(fx->r), "VV..V...");
    f = dd_scan_get(fx->r, F_OPENSSL_5678);
    assert_int_equal(f->suppressed, DD_SUPPRESS_VEX);
    assert_string_equal(f->suppress_reason, "vulnerable_code_not_in_execute_path: The openssl "
                                            "program is never run in the container");
    assert_string_equal(dd_scan_get(fx->r, F_LODASH4_23337)->suppress_reason, "fixed");
    assert_string_equal(dd_scan_get(fx->r, F_OPENSSL_0727)->suppress_reason,
                        "vulnerable_code_not_present");
    assert_true(has_note(fx->r, "VEX app.openvex.json: 6 statements, 3 findings suppressed"));
}

static void openvex_later_statement_wins(void **state)
{
    scan_fixture *fx = *state;

    /* libssl3: not_affected replaces under_investigation (later in time and order); openssl:
     * the not_affected statement is listed first but is the newer one; libc6: same (inherited)
     * time, so the later affected statement wins; lodash: a general not_affected, then affected
     * for 3.10.1 only */
    apply_file(fx, "history.openvex.json");
    assert_string_equal(suppressed_map(fx->r), ".VV.V...");
    assert_string_equal(dd_scan_get(fx->r, F_LIBSSL_5678)->suppress_reason,
                        "vulnerable_code_cannot_be_controlled_by_adversary: Only fixed DH "
                        "parameters are loaded");
    assert_true(has_note(fx->r, "VEX history.openvex.json: 8 statements, 3 findings suppressed"));
}

static void openvex_product_matching(void **state)
{
    scan_fixture *fx = *state;

    /* a product's qualifiers must all match (in any order); no version matches every version;
     * a percent-encoded version and an encoded npm scope match; another version does not */
    apply_file(fx, "qualifiers.openvex.json");
    assert_string_equal(suppressed_map(fx->r), "..VV...V");
}

static void openvex_legacy_string_forms(void **state)
{
    scan_fixture *fx = *state;

    apply_file(fx, "legacy-v001.json");
    assert_string_equal(suppressed_map(fx->r), ".V......");
    assert_string_equal(dd_scan_get(fx->r, F_OPENSSL_0727)->suppress_reason,
                        "component_not_present");
}

static void openvex_subcomponents_of_a_package_product(void **state)
{
    scan_fixture *fx = *state;
    const char *doc =
        "{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"@id\": \"x\", \"author\": \"a\","
        " \"timestamp\": \"2024-01-01T00:00:00Z\", \"version\": 1, \"statements\": ["
        /* express is not installed: its subcomponents say nothing about this image */
        "{\"vulnerability\": {\"name\": \"CVE-2021-23337\"}, \"status\": \"not_affected\","
        " \"justification\": \"vulnerable_code_not_in_execute_path\", \"products\": [{\"@id\":"
        " \"pkg:npm/express@4.18.2\", \"subcomponents\": [{\"@id\": \"pkg:npm/lodash\"}]}]},"
        /* libssl3 is: its subcomponent openssl is covered, libssl3 itself is not */
        "{\"vulnerability\": {\"name\": \"CVE-2023-5678\"}, \"status\": \"not_affected\","
        " \"justification\": \"component_not_present\", \"products\": [{\"@id\":"
        " \"pkg:deb/debian/libssl3\", \"subcomponents\": [{\"identifiers\": {\"purl\":"
        " \"pkg:deb/debian/openssl\"}}]}]},"
        /* an image given by reference, without subcomponents: every package */
        "{\"vulnerability\": {\"name\": \"CVE-2023-45133\"}, \"status\": \"fixed\","
        " \"products\": [{\"@id\": \"registry.payments.example/payments:1.4\"}]},"
        /* a web page is no product drydock can match */
        "{\"vulnerability\": {\"name\": \"CVE-2024-0727\"}, \"status\": \"fixed\","
        " \"products\": [{\"@id\": \"https://payments.example/product\"}]}]}";

    assert_int_equal(apply_text(fx, "sub.json", doc), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "V......V");
}

static void openvex_in_an_in_toto_attestation(void **state)
{
    scan_fixture *fx = *state;
    const char *doc =
        "{\"_type\": \"https://in-toto.io/Statement/v0.1\","
        " \"predicateType\": \"https://openvex.dev/ns/v0.2.0\","
        " \"subject\": [{\"name\": \"registry.payments.example/payments\"}],"
        " \"predicate\": {\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"@id\": \"x\","
        " \"author\": \"a\", \"timestamp\": \"2024-01-01T00:00:00Z\", \"version\": 1,"
        " \"statements\": [{\"vulnerability\": {\"name\": \"CVE-2023-4911\"},"
        " \"products\": [{\"@id\": \"pkg:deb/debian/libc6@2.36-9+deb12u4\"}],"
        " \"status\": \"fixed\"}]}}";

    assert_int_equal(apply_text(fx, "att.json", doc), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "...V....");
}

static void cyclonedx_states_refs_and_versions(void **state)
{
    scan_fixture *fx = *state;

    /* a bom-ref resolved through the document's components; a BOM-Link to a purl; exploitable
     * keeps; a version range; in_triage on the image keeps; not_affected on the image (the
     * metadata component) covers every package */
    apply_file(fx, "app.vex.cdx.json");
    assert_string_equal(suppressed_map(fx->r), "V...V.VV");
    assert_string_equal(dd_scan_get(fx->r, F_OPENSSL_5678)->suppress_reason,
                        "code_not_reachable: DH_check() is never called with untrusted "
                        "parameters");
    assert_string_equal(dd_scan_get(fx->r, F_LODASH4_23337)->suppress_reason,
                        "Patched in the vendored copy");
    assert_true(has_note(fx->r, "VEX app.vex.cdx.json: 6 statements, 4 findings suppressed"));
}

static void cyclonedx_drydock_bom_refs(void **state)
{
    scan_fixture *fx = *state;

    /* the bom-refs drydock writes: a purl, a purl with "#N", the OS and the image; the newer
     * analysis of libssl3 wins though it comes first */
    apply_file(fx, "drydock-refs.vex.cdx.json");
    assert_string_equal(suppressed_map(fx->r), ".VV..V.V");
}

static json_t *find_component(json_t *sbom, const char *name, const char *version)
{
    size_t i;
    json_t *c;

    json_array_foreach(json_object_get(sbom, "components"), i, c) {
        if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0 &&
            (!version || strcmp(json_string_value(json_object_get(c, "version")), version) == 0))
            return c;
    }
    fail_msg("no component %s", name);
    return NULL;
}

/* The refs of drydock-refs.vex.cdx.json are those drydock's own SBOM of the image has. */
static void drydock_sbom_has_the_refs_used(void **state)
{
    scan_fixture *fx = *state;
    dd_sbom_opts opts = DD_SBOM_OPTS_INIT;
    char *out = NULL;
    size_t len = 0;
    json_t *sbom;

    assert_int_equal(dd_sbom_write(&out, &len, fx->inv, NULL, &opts), DD_OK);
    assert_non_null(sbom = json_loadb(out, len, 0, NULL));
    assert_string_equal(
        json_string_value(json_object_get(find_component(sbom, "libssl3", NULL), "bom-ref")),
        "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl");
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(sbom, "metadata"), "component"), "bom-ref")),
        "drydock:image");
    assert_string_equal(
        json_string_value(json_object_get(find_component(sbom, "debian", NULL), "bom-ref")),
        "drydock:os:debian@12");
    json_decref(sbom);
    dd_free(out);
}

/* A drydock SBOM with the vulnerabilities embedded: refs resolve through its components. */
static void cyclonedx_embedded_in_drydock_sbom(void **state)
{
    scan_fixture *fx = *state;
    dd_sbom_opts opts = DD_SBOM_OPTS_INIT;
    char *out = NULL, *doc;
    size_t len = 0;
    json_t *sbom, *vulns;
    const char *libc_ref, *lodash_ref;

    assert_int_equal(dd_sbom_write(&out, &len, fx->inv, NULL, &opts), DD_OK);
    assert_non_null(sbom = json_loadb(out, len, 0, NULL));
    libc_ref = json_string_value(json_object_get(find_component(sbom, "libc6", NULL), "bom-ref"));
    lodash_ref =
        json_string_value(json_object_get(find_component(sbom, "lodash", "3.10.1"), "bom-ref"));
    vulns = json_pack("[{s:s, s:{s:s, s:s}, s:[{s:s}]}, {s:s, s:{s:s}, s:[{s:s}]}]", "id",
                      "CVE-2023-4911", "analysis", "state", "not_affected", "justification",
                      "protected_by_mitigating_control", "affects", "ref", libc_ref, "id",
                      "GHSA-p6mc-m468-83gw", "analysis", "state", "exploitable", "affects", "ref",
                      lodash_ref);
    assert_non_null(vulns);
    json_object_set_new(sbom, "vulnerabilities", vulns);
    assert_non_null(doc = json_dumps(sbom, 0));
    assert_int_equal(apply_text(fx, "bom.cdx.json", doc), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "...V....");
    assert_string_equal(dd_scan_get(fx->r, F_LIBC_4911)->suppress_reason,
                        "protected_by_mitigating_control");
    free(doc);
    json_decref(sbom);
    dd_free(out);
}

static void cyclonedx_versions(void **state)
{
    scan_fixture *fx = *state;
    const char *doc =
        "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.4\", \"version\": 1,"
        " \"vulnerabilities\": ["
        /* an exact version of another package, and ranges in the package's own order */
        "{\"id\": \"CVE-2023-4911\", \"analysis\": {\"state\": \"not_affected\"},"
        " \"affects\": [{\"ref\": \"pkg:deb/debian/libc6\", \"versions\": ["
        "  {\"version\": \"2.36-9+deb12u3\", \"status\": \"unaffected\"},"
        "  {\"range\": \"vers:deb/>=2.36-9+deb12u4|<2.36-10\", \"status\": \"unaffected\"}]}]},"
        /* versions[] says affected: the not_affected state does not apply to it */
        "{\"id\": \"CVE-2021-23337\", \"analysis\": {\"state\": \"not_affected\"},"
        " \"affects\": [{\"ref\": \"pkg:npm/lodash\", \"versions\": ["
        "  {\"range\": \"vers:npm/<4.17.21\", \"status\": \"affected\"},"
        "  {\"version\": \"4.17.21\", \"status\": \"unaffected\"}]}]},"
        /* a range that does not hold the version */
        "{\"id\": \"CVE-2023-5678\", \"analysis\": {\"state\": \"resolved\"},"
        " \"affects\": [{\"ref\": \"pkg:deb/debian/openssl\", \"versions\": ["
        "  {\"range\": \"vers:deb/>=3.0.12\"}]}]},"
        /* a version string that cannot be compared: not covered */
        "{\"id\": \"CVE-2024-0727\", \"analysis\": {\"state\": \"resolved\"},"
        " \"affects\": [{\"ref\": \"pkg:deb/debian/openssl\", \"versions\": ["
        "  {\"range\": \"vers:deb/>=:bad\"}]}]}]}";

    assert_int_equal(apply_text(fx, "v.json", doc), DD_OK);
    assert_string_equal(suppressed_map(fx->r), "...VV...");
}

static void errors(void **state)
{
    scan_fixture *fx = *state;
    static const struct {
        const char *doc;
        int code;
        const char *message;
    } cases[] = {
        {"{\n  \"statements\": [\n  }", DD_EINVALID, "bad.json:3:3: unexpected token near '}'"},
        {"", DD_EINVALID, "bad.json:1:0: '[' or '{' expected near end of file"},
        {"{\"a\": 1, \"a\": 2}", DD_EINVALID, "bad.json:1:12: duplicate object key near '\"a\"'"},
        {"{\"foo\": 1}", DD_EINVALID, "bad.json: not an OpenVEX or CycloneDX document"},
        {"[1, 2]", DD_EINVALID, "bad.json: not an OpenVEX or CycloneDX document"},
        {"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.3\", \"version\": 1}",
         DD_EUNSUPPORTED, "bad.json: CycloneDX 1.3 has no vulnerability analysis (1.4 or later)"},
        {"{\"bomFormat\": \"CycloneDX\", \"version\": 1}", DD_EINVALID,
         "bad.json: CycloneDX document without a 1.x specVersion"},
        {"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"vulnerabilities\": ["
         "{\"id\": \"CVE-1\", \"analysis\": {\"state\": \"exploitable\"}},"
         "{\"id\": \"CVE-1\", \"analysis\": {\"state\": \"wontfix\"}}]}",
         DD_EINVALID, "bad.json: vulnerabilities[1].analysis.state: unknown state \"wontfix\""},
        {"{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"statements\": {}}", DD_EINVALID,
         "bad.json: OpenVEX document without a statements array"},
        {"{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"statements\": ["
         "{\"vulnerability\": {\"name\": \"CVE-1\"}, \"status\": \"fixed\"},"
         "{\"vulnerability\": {\"name\": \"CVE-1\"}, \"status\": \"not affected\"}]}",
         DD_EINVALID, "bad.json: statements[1]: unknown status \"not affected\""},
        {"{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"statements\": ["
         "{\"vulnerability\": {}, \"status\": \"fixed\"}]}",
         DD_EINVALID, "bad.json: statements[0]: no vulnerability name"},
        {"{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"statements\": ["
         "{\"vulnerability\": {\"name\": \"CVE-1\"}}]}",
         DD_EINVALID, "bad.json: statements[0]: no status"},
        {"{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"timestamp\": \"yesterday\","
         " \"statements\": []}",
         DD_EINVALID, "bad.json: timestamp: not an RFC 3339 time: \"yesterday\""},
        {"{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"statements\": ["
         "{\"vulnerability\": {\"name\": \"CVE-1\"}, \"status\": \"fixed\","
         " \"timestamp\": \"2024-02-30T00:00:00Z\"}]}",
         DD_EINVALID,
         "bad.json: statements[0].timestamp: not an RFC 3339 time: \"2024-02-30T00:00:00Z\""},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(apply_text(fx, "bad.json", cases[i].doc), cases[i].code);
        assert_string_equal(dd_error_message(), cases[i].message);
    }
    assert_string_equal(suppressed_map(fx->r), "........");
    assert_int_equal(dd_scan_note_count(fx->r), 0);
}

static void empty_documents_and_earlier_suppressions(void **state)
{
    scan_fixture *fx = *state;

    assert_int_equal(
        apply_text(fx, "empty.json", "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\"}"),
        DD_OK);
    assert_true(has_note(fx->r, "VEX empty.json: 0 statements, 0 findings suppressed"));
    /* an ignore-file suppression stays as it was */
    assert_int_equal(dd_scan_suppress(fx->r, F_OPENSSL_5678, DD_SUPPRESS_IGNOREFILE, "ignored"),
                     DD_OK);
    apply_file(fx, "app.openvex.json");
    assert_string_equal(suppressed_map(fx->r), "IV..V...");
    assert_string_equal(dd_scan_get(fx->r, F_OPENSSL_5678)->suppress_reason, "ignored");
}

static int apply_vex_file(scan_fixture *fx, const char *name)
{
    const dd_allocator hook = {oom_malloc, oom_realloc, oom_free, NULL};
    dd_buf b = DD_BUF_INIT;
    int rc;

    dd_set_allocator(NULL);
    read_data(&b, name);
    dd_set_allocator(&hook);
    rc = dd_scan_apply_vex(fx->r, name, b.data, b.len);
    dd_set_allocator(NULL);
    dd_buf_dispose(&b);
    dd_set_allocator(&hook);
    return rc;
}

static int apply_openvex(scan_fixture *fx)
{
    return apply_vex_file(fx, "app.openvex.json");
}

static int apply_cyclonedx(scan_fixture *fx)
{
    return apply_vex_file(fx, "app.vex.cdx.json");
}

static void out_of_memory(void **state)
{
    void *fx = until_enough_memory(apply_openvex);

    assert_string_equal(suppressed_map(((scan_fixture *)fx)->r), "VV..V...");
    fixture_teardown(&fx);
    fx = until_enough_memory(apply_cyclonedx);
    assert_string_equal(suppressed_map(((scan_fixture *)fx)->r), "V...V.VV");
    fixture_teardown(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(openvex_statuses_ids_and_aliases, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(openvex_later_statement_wins, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(openvex_product_matching, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(openvex_legacy_string_forms, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(openvex_subcomponents_of_a_package_product, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(openvex_in_an_in_toto_attestation, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(cyclonedx_states_refs_and_versions, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(cyclonedx_drydock_bom_refs, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(drydock_sbom_has_the_refs_used, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(cyclonedx_embedded_in_drydock_sbom, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(cyclonedx_versions, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(errors, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(empty_documents_and_earlier_suppressions, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test(out_of_memory),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
