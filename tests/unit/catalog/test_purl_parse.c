/* Unit tests for the purl parser: the components, percent-decoding, the leniencies real SBOMs
 * need, and every error with its column. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <drydock/catalog.h>

static dd_purl *parse(const char *s)
{
    dd_purl *p = NULL;
    int rc = dd_purl_parse(&p, s);

    if (rc != DD_OK)
        fail_msg("%s: %s", s, dd_error_message());
    assert_non_null(p);
    return p;
}

static void str_or_null(const char *got, const char *want)
{
    if (!want)
        assert_null(got);
    else
        assert_string_equal(got, want);
}

static void check(const char *s, const char *type, const char *ns, const char *name,
                  const char *version, const char *subpath)
{
    dd_purl *p = parse(s);

    assert_string_equal(p->type, type);
    str_or_null(p->ns, ns);
    assert_string_equal(p->name, name);
    str_or_null(p->version, version);
    str_or_null(p->subpath, subpath);
    dd_purl_free(p);
}

/* `s` fails with DD_EINVALID, the message naming `column` and containing `what`. */
static void bad(const char *s, size_t column, const char *what)
{
    dd_purl *p = (dd_purl *)1;
    char want[32];

    assert_int_equal(dd_purl_parse(&p, s), DD_EINVALID);
    assert_null(p);
    snprintf(want, sizeof(want), ": column %zu: ", column);
    if (!strstr(dd_error_message(), want) || !strstr(dd_error_message(), what))
        fail_msg("%s: got \"%s\", want column %zu and \"%s\"", s, dd_error_message(), column, what);
    assert_non_null(strstr(dd_error_message(), "purl \""));
}

static void components(void **state)
{
    dd_purl *p = parse("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&"
                       "upstream=glibc%402.36-9");

    assert_string_equal(p->type, "deb");
    assert_string_equal(p->ns, "debian");
    assert_string_equal(p->name, "libc6");
    assert_string_equal(p->version, "2.36-9+deb12u4");
    assert_int_equal(p->n_qualifiers, 3);
    assert_string_equal(p->qualifiers[0].key, "arch");
    assert_string_equal(p->qualifiers[0].value, "amd64");
    assert_string_equal(p->qualifiers[2].key, "upstream");
    assert_string_equal(dd_purl_qualifier_get(p, "upstream"), "glibc@2.36-9");
    assert_string_equal(dd_purl_qualifier_get(p, "distro"), "debian-12");
    assert_null(dd_purl_qualifier_get(p, "epoch"));
    assert_null(p->subpath);
    dd_purl_free(p);
    dd_purl_free(NULL);
}

static void ecosystems(void **state)
{
    /* npm scopes encoded, as the specification asks, and not, as some tools write them */
    check("pkg:npm/%40babel/core@7.24.0", "npm", "@babel", "core", "7.24.0", NULL);
    check("pkg:npm/@babel/core@7.24.0", "npm", "@babel", "core", "7.24.0", NULL);
    check("pkg:npm/@babel/core", "npm", "@babel", "core", NULL, NULL);
    check("pkg:npm/lodash@4.17.21", "npm", NULL, "lodash", "4.17.21", NULL);
    check("pkg:maven/org.apache.commons/commons-lang3@3.12.0?type=jar", "maven",
          "org.apache.commons", "commons-lang3", "3.12.0", NULL);
    check("pkg:golang/github.com/gorilla/mux@v1.8.0", "golang", "github.com/gorilla", "mux",
          "v1.8.0", NULL);
    check("pkg:golang/google.golang.org/genproto#googleapis/api/annotations", "golang",
          "google.golang.org", "genproto", NULL, "googleapis/api/annotations");
    check("pkg:pypi/Django_Rest@3.0", "pypi", NULL, "Django_Rest", "3.0", NULL); /* as given */
    check("pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1", "rpm", "redhat",
          "openssl-libs", "3.0.7-27.el9", NULL);
    check("pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3", "apk", "alpine", "musl",
          "1.2.5-r0", NULL);
    check("pkg:nuget/Newtonsoft.Json@13.0.3", "nuget", NULL, "Newtonsoft.Json", "13.0.3", NULL);
    check("pkg:docker/library/debian@sha256%3A0123", "docker", "library", "debian", "sha256:0123",
          NULL);
}

static void leniencies(void **state)
{
    dd_purl *p;

    /* "+" unencoded (Syft) is a plus, not a space; ":" needs no encoding (cdxgen's epochs) */
    check("pkg:deb/debian/libc6@2.36-9+deb12u4", "deb", "debian", "libc6", "2.36-9+deb12u4", NULL);
    check("pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?epoch=1", "deb", "debian", "bsdutils",
          "1:2.38.1-5+deb12u3", NULL);
    /* scheme and type case, slashes after the scheme, stray slashes around segments */
    check("PKG:NPM/foo@1", "npm", NULL, "foo", "1", NULL);
    check("pkg://npm/foo@1", "npm", NULL, "foo", "1", NULL);
    check("pkg:npm//a//b/@1", "npm", "a", "b", "1", NULL);
    check("pkg:generic/foo@", "generic", NULL, "foo", NULL, NULL);
    /* subpath: empty, "." and ".." segments dropped */
    check("pkg:npm/foo@1#/./a/../b//", "npm", NULL, "foo", "1", "a/b");
    check("pkg:npm/foo@1#./..", "npm", NULL, "foo", "1", NULL);
    /* qualifiers: keys lowercased, empty values dropped, empty pairs skipped, values decoded */
    p = parse("pkg:deb/debian/a@1?Arch=amd64&distro=&&x=%3D%26%20y");
    assert_int_equal(p->n_qualifiers, 2);
    assert_string_equal(p->qualifiers[0].key, "arch");
    assert_null(dd_purl_qualifier_get(p, "distro"));
    assert_string_equal(dd_purl_qualifier_get(p, "x"), "=& y");
    dd_purl_free(p);
    /* UTF-8 as it comes, and encoded */
    check("pkg:npm/caf%C3%A9@1", "npm", NULL, "caf\xc3\xa9", "1", NULL);
    check("pkg:npm/caf\xc3\xa9@1", "npm", NULL, "caf\xc3\xa9", "1", NULL);
}

static void errors(void **state)
{
    char big[400];

    bad("", 1, "does not start with \"pkg:\"");
    bad("npm/foo@1", 1, "pkg:");
    bad("http://example.com/a", 1, "pkg:");
    bad("pkg:npm", 5, "no \"/\" after the type");
    bad("pkg:/npm", 6, "no \"/\" after the type");
    bad("pkg:1npm/foo", 5, "type does not start with a letter");
    bad("pkg:n_pm/foo", 6, "type holds");
    bad("pkg:/foo", 6, "no \"/\"");
    bad("pkg:npm/", 9, "no name");
    bad("pkg:npm/@1", 9, "no name");
    bad("pkg:npm/foo%2", 12, "two hex digits");
    bad("pkg:npm/foo%zz@1", 12, "two hex digits");
    bad("pkg:npm/foo@1%0", 14, "two hex digits");
    bad("pkg:npm/foo%00", 12, "NUL");
    bad("pkg:npm/a%2Fb/c", 10, "inside a segment");
    bad("pkg:npm/foo#a%2fb", 14, "inside a segment");
    bad("pkg:npm/fo\x01o", 11, "control character");
    bad("pkg:npm/foo@1?arch", 15, "without \"=\"");
    bad("pkg:npm/foo@1?=x", 15, "empty key");
    bad("pkg:npm/foo@1?1a=x", 15, "does not start with a letter");
    bad("pkg:npm/foo@1?a b=x", 16, "qualifier key holds");
    bad("pkg:npm/foo@1?a=1&A=2", 19, "given twice");
    bad("pkg:npm/foo@1?a=%G0", 17, "two hex digits");
    /* a long purl is cut in the message */
    memset(big, 'a', sizeof(big) - 1);
    memcpy(big, "pkg:npm/", 8);
    big[sizeof(big) - 2] = '%';
    big[sizeof(big) - 1] = '\0';
    bad(big, sizeof(big) - 1, "two hex digits");
    assert_non_null(strstr(dd_error_message(), "...\": column"));
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

static void out_of_memory(void **state)
{
    const dd_allocator hook = {failing_malloc, failing_realloc, plain_free, NULL};
    dd_purl *p = (dd_purl *)1;
    int rc;

    fail_after = 0;
    dd_set_allocator(&hook);
    rc = dd_purl_parse(&p, "pkg:npm/foo@1");
    dd_set_allocator(NULL);
    assert_int_equal(rc, DD_ENOMEM);
    assert_null(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(components), cmocka_unit_test(ecosystems),    cmocka_unit_test(leniencies),
        cmocka_unit_test(errors),     cmocka_unit_test(out_of_memory),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
