/* Unit tests for lib/version: hand-picked vectors per scheme, including the cases the
 * differential tests cannot reach (NuGet, Go shorthands, limits, ecosystem names). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <drydock/version.h>

typedef struct {
    const char *a;
    int op; /* '<', '=', '>' */
    const char *b;
} vec;

static void check_vectors(dd_version_scheme s, const vec *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int out = 99, want = v[i].op == '<' ? -1 : v[i].op == '>' ? 1 : 0;
        int rc = dd_version_cmp(s, v[i].a, v[i].b, &out);
        if (rc != DD_OK)
            fail_msg("%s: %s vs %s: %s", dd_version_scheme_name(s), v[i].a, v[i].b,
                     dd_error_message());
        out = (out > 0) - (out < 0);
        if (out != want)
            fail_msg("%s: %s %c %s, got %d", dd_version_scheme_name(s), v[i].a, v[i].op, v[i].b,
                     out);
        /* antisymmetry */
        assert_int_equal(dd_version_cmp(s, v[i].b, v[i].a, &out), DD_OK);
        assert_int_equal((out > 0) - (out < 0), -want);
    }
}

static void check_invalid(dd_version_scheme s, const char *const *bad, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int out = 99;
        if (dd_version_valid(s, bad[i]))
            fail_msg("%s: '%s' accepted", dd_version_scheme_name(s), bad[i]);
        assert_int_equal(dd_version_cmp(s, bad[i], "1.0.0", &out), DD_EINVALID);
        assert_int_equal(out, 99);
        assert_non_null(strstr(dd_error_message(), bad[i]));
    }
}

#define VECS(s, ...)                                                                               \
    do {                                                                                           \
        static const vec v_[] = {__VA_ARGS__};                                                     \
        check_vectors(s, v_, sizeof(v_) / sizeof(v_[0]));                                          \
    } while (0)
#define BAD(s, ...)                                                                                \
    do {                                                                                           \
        static const char *const b_[] = {__VA_ARGS__};                                             \
        check_invalid(s, b_, sizeof(b_) / sizeof(b_[0]));                                          \
    } while (0)

static void deb_order(void **state)
{
    VECS(DD_VERSION_DEB, {"1.0~rc1", '<', "1.0"}, {"1.0", '<', "1.0+b1"}, {"1:0.1", '>', "9.9"},
         {"1.0-1", '=', "1.0-1"}, {"1.0", '=', "1.0-0"},
         {"2:1.20.11-1+deb11u6", '>', "2:1.20.11-1"}, {"102.9.0esr-1~deb11u1", '<', "102.9.0esr-1"},
         {"1.0a", '<', "1.0b"}, {"1.0~~", '<', "1.0~"}, {"1.2-3-4", '>', "1.2-3"},
         {"0:1.0", '=', "1.0"}, {" 1.0", '=', "1.0"});
    BAD(DD_VERSION_DEB, "", "1.0 2", "a:1.0", "1.0-", "-1", "1:", "99999999999:1");
}

static void apk_order(void **state)
{
    VECS(DD_VERSION_APK, {"1.0_alpha1", '<', "1.0"}, {"1.0_p1", '>', "1.0"},
         {"1.0-r1", '>', "1.0-r0"}, {"1.0.2h-r3", '>', "1.0.2g-r9"},
         {"2.4.41-r0", '<', "2.4.41-r1"}, {"1.0~1234-r1", '<', "1.0~2345-r0"},
         {"1.01", '<', "1.1"});
    BAD(DD_VERSION_APK, "", "a", "1.0-1", "0.1_foobar", "0.1-r2.1", "1.0bc");
}

static void rpm_order(void **state)
{
    VECS(DD_VERSION_RPM, {"1.0~rc1", '<', "1.0"}, {"1.0^git1", '>', "1.0"},
         {"1.0^git1", '<', "1.0.1"}, {"1:1.0", '>', "2.0"}, {"1.0-1", '<', "1.0-10"},
         {"1.0", '<', "1.0-1"}, {"1.0a", '<', "1.0.1"}, {"1.0_1", '=', "1.0.1"},
         {"2.0.1", '>', "2.0a"});
    BAD(DD_VERSION_RPM, "");
}

static void semver_order(void **state)
{
    VECS(DD_VERSION_SEMVER, {"1.0.0-alpha", '<', "1.0.0-alpha.1"},
         {"1.0.0-alpha.1", '<', "1.0.0-alpha.beta"}, {"1.0.0-beta.2", '<', "1.0.0-beta.11"},
         {"1.0.0-rc.1", '<', "1.0.0"}, {"1.0.0+build", '=', "1.0.0"}, {"v1.2.3", '=', "1.2.3"});
    BAD(DD_VERSION_SEMVER, "1.2", "01.2.3", "1.2.3-01", "1.2.3-", "=1.2.3", "1.2.3.4",
        "9007199254740992.0.0");
    VECS(DD_VERSION_NPM, {"=v1.2.3", '=', "1.2.3"}, {"1.2.3beta", '=', "1.2.3-beta"},
         {"01.2.3", '=', "1.2.3"}, {"1.2.34.5", '=', "1.2.3-4.5"}, {"1.2.3-", '<', "1.2.3"});
    BAD(DD_VERSION_NPM, "1.2", "a.b.c", "1.2.3.x+");
    VECS(DD_VERSION_CARGO, {"1.0.0+a", '<', "1.0.0+b"}, {"1.0.0-alpha", '<', "1.0.0"},
         {"18446744073709551615.0.0", '>', "1.0.0"});
    BAD(DD_VERSION_CARGO, "v1.0.0", "18446744073709551616.0.0", " 1.0.0");
}

static void go_order(void **state)
{
    VECS(DD_VERSION_GO, {"v1", '=', "v1.0.0"}, {"v1.2", '=', "1.2.0"},
         {"v2.0.3+incompatible", '=', "v2.0.3"},
         {"v0.0.0-20200101000000-abcdefabcdef", '<', "v0.0.1"},
         {"v1.2.4-0.20200101000000-abcdefabcdef", '>', "v1.2.3"},
         {"v1.2.4-0.20200101000000-abcdefabcdef", '<', "v1.2.4"}, {"0", '<', "0.0.1"});
    BAD(DD_VERSION_GO, "v1.2-pre", "v01.2.3", "v1.2.3.4", "vv1.0.0", "v1+meta");
}

static void pep440_order(void **state)
{
    VECS(DD_VERSION_PEP440, {"1.0.dev0", '<', "1.0a0"}, {"1.0a1", '<', "1.0b1"},
         {"1.0rc1", '<', "1.0"}, {"1.0", '<', "1.0.post1"}, {"1.0-1", '=', "1.0.post1"},
         {"1.0", '=', "1.0.0"}, {"1!0.1", '>', "2.0"}, {"1.0+abc", '>', "1.0"},
         {"1.0+abc", '<', "1.0+1"}, {"1.0alpha", '=', "1.0a0"}, {"V1.0-PREVIEW2", '=', "1.0rc2"},
         {"1.0.post1.dev2", '<', "1.0.post1"}, {"1.0r", '=', "1.0.post0"});
    BAD(DD_VERSION_PEP440, "1.0-", "a1.0", "1.0+", "1.0+a..b", "1.0.x", "1.0alp");
}

static void maven_order(void **state)
{
    VECS(DD_VERSION_MAVEN, {"1.0-alpha-1", '<', "1.0"}, {"1.0", '=', "1.0.0"}, {"1.0", '=', "1-ga"},
         {"1.0", '<', "1.0-sp"}, {"1.0-rc1", '=', "1.0-cr1"}, {"1.0-SNAPSHOT", '<', "1.0"},
         {"1.0.0.a1", '=', "1.0.0-a1"}, {"1.0-1", '=', "1-1"}, {"1.0.x", '=', "1-x"},
         {"1.0-foo", '>', "1.0"}, {"1.0.1", '>', "1.0-1"}, {"1.0", '=', "1.0.final"},
         {"1.0-a", '>', "1.0-alpha1"}, {"0000000000000000000.1", '>', "5.1"}, {"", '=', "0"});
}

static void gem_order(void **state)
{
    VECS(DD_VERSION_GEM, {"1.0.a", '<', "1.0"}, {"1.0-1", '<', "1.0"}, {"1.0.0", '=', "1"},
         {"1.0.b1", '<', "1.0.b2"}, {"1.0.a.2", '>', "1.0.a.1"}, {"2.0.0.rc1", '<', "2.0.0"},
         {"", '=', "0"});
    BAD(DD_VERSION_GEM, "a", "1..0", "1.0-", "1.0 junk");
}

static void nuget_order(void **state)
{
    /* From the NuGet.Versioning test suite and docs.microsoft.com's version rules. */
    VECS(DD_VERSION_NUGET, {"1.0", '=', "1.0.0.0"}, {"1.0.0-beta", '<', "1.0.0"},
         {"1.0.0-BETA", '=', "1.0.0-beta"}, {"1.0.0+abc", '=', "1.0.0+def"},
         {"1.0.0-alpha.1", '<', "1.0.0-alpha.2"}, {"1.0.0-alpha.2", '<', "1.0.0-alpha.10"},
         {"1.0.0-1", '<', "1.0.0-a"}, {"1.0.0.1", '>', "1.0.0"}, {"01.2", '=', "1.2"},
         {"1.0.0-alpha", '<', "1.0.0-alpha.1"}, {"1", '=', "1.0"});
    BAD(DD_VERSION_NUGET, "1.0.0.0.0", "1.0-", "1.0-01", "a.b", "1.0+", "3000000000.0", "1.0-a_b");
}

static void composer_order(void **state)
{
    /* normalize: 'v' dropped, four parts, stabilities spelled out, @flags, aliases and build
     * metadata stripped; then version_compare's order dev < alpha < beta < RC < (end) < patch */
    VECS(DD_VERSION_COMPOSER, {"v1.2.3", '=', "1.2.3"}, {"V1.2.3", '=', "1.2.3.0"},
         {"1", '=', "1.0.0.0"}, {"1.02", '=', "1.2"}, {"1.0.0", '<', "1.0.0.1"},
         {"1.0.0-dev", '<', "1.0.0-alpha"}, {"1.0.0-a1", '=', "1.0.0-alpha1"},
         {"1.0.0-alpha2", '<', "1.0.0-b1"}, {"1.0.0-beta.1-2", '=', "1.0.0-beta1.2"},
         {"1.0.0-beta", '<', "1.0.0-beta1"}, {"1.0.0-RC1", '<', "1.0.0"},
         {"1.0.0rc1", '=', "1.0.0-RC1"}, {"1.0.0", '<', "1.0.0-patch1"},
         {"1.0.0-pl1", '=', "1.0.0-p1"}, {"1.0.0-patch1", '<', "1.0.1-dev"},
         {"1.0.0-beta1-dev", '<', "1.0.0-beta1"}, {"1.0.0bdev", '=', "1.0.0-beta-dev"},
         {"1.0.0-stable", '=', "1.0.0"}, {"1.0.0-stable-dev", '=', "1.0.0"},
         /* "STABLE" is not the case-sensitive 'stable', so it stays as an unknown label */
         {"1.0.0-STABLE", '<', "1.0.0-dev"}, {"1.0@dev", '=', "1.0"},
         {"1.0.0 as 2.0.0", '=', "1.0.0"}, {"1.0.0+build.7", '=', "1.0.0"},
         {"1.0.", '=', "1.0"}, {"1.0-", '=', "1.0"}, {" 1.0 ", '=', "1.0"},
         /* dates; numeric branches; dev- branches below every numbered version */
         {"2024-01-01", '<', "2024.01.01"}, {"20240101", '<', "20240102"},
         {"2024.01.01.01.01", '>', "2024.01.01"}, {"1.x-dev", '>', "1.999999.0"},
         {"1.x-dev", '<', "1.10000000"}, {"v2.3.*-dev", '=', "2.3.x-dev"},
         {"dev-master", '<', "0.0.0.0-dev"}, {"master", '=', "dev-master"},
         {"dev-feature", '>', "dev-bugfix"}, {"DEV-master", '=', "dev-master"},
         /* numbers saturate at LONG_MAX in strtol, as in PHP */
         {"1.9223372036854775807", '=', "1.99999999999999999999"},
         {"1.9223372036854775806", '<', "1.9223372036854775807"});
    BAD(DD_VERSION_COMPOSER, "", "foo", "1.0.0.0.0", "1.0_beta_dev", "1.0-beta_1", "foo-dev",
        "1.2.3.4.5-dev", "1.0 as", "1,0", "1.0.0-gamma", "2024-1", "2024--01", "2024_01",
        "2024-01.1:01", "20240101-1234567890123456");
    /* more than five leading digits: a date (four digits, then two-digit groups, then an
     * optional one-to-three digit tail), up to six groups */
    VECS(DD_VERSION_COMPOSER, {"123456", '>', "99999.99"}, {"2024:01", '=', "2024-01"},
         {"2024-01-011", '=', "2024:01:11"}, {"2024-01-01-1234", '=', "2024.1.1.1234"},
         {"123456-dev", '<', "123456"}, {"dev-", '<', "0"});
    assert_string_equal(dd_version_scheme_name(DD_VERSION_COMPOSER), "composer");
}

static void limits_and_names(void **state)
{
    char big[DD_VERSION_MAX_LEN + 2];
    dd_version_scheme s;
    int out = 0;

    memset(big, '1', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(dd_version_cmp(DD_VERSION_DEB, big, "1", &out), DD_ELIMIT);
    assert_false(dd_version_valid(DD_VERSION_MAVEN, big));
    big[DD_VERSION_MAX_LEN] = '\0';
    assert_int_equal(dd_version_cmp(DD_VERSION_DEB, big, "1", &out), DD_OK);
    assert_int_equal(dd_version_cmp((dd_version_scheme)99, "1", "1", &out), DD_EINVALID);
    assert_int_equal(dd_version_cmp(DD_VERSION_DEB, NULL, "1", &out), DD_EINVALID);

    static const struct {
        const char *eco;
        dd_version_scheme s;
    } map[] = {{"Debian:12", DD_VERSION_DEB},
               {"Ubuntu:Pro:14.04:LTS", DD_VERSION_DEB},
               {"Alpine:v3.20", DD_VERSION_APK},
               {"Red Hat:enterprise_linux:9", DD_VERSION_RPM},
               {"npm", DD_VERSION_NPM},
               {"PyPI", DD_VERSION_PEP440},
               {"Go", DD_VERSION_GO},
               {"crates.io", DD_VERSION_CARGO},
               {"RubyGems", DD_VERSION_GEM},
               {"Maven", DD_VERSION_MAVEN},
               {"NuGet", DD_VERSION_NUGET},
               {"Packagist", DD_VERSION_COMPOSER}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        assert_int_equal(dd_version_scheme_for_ecosystem(&s, map[i].eco), DD_OK);
        assert_int_equal(s, map[i].s);
    }
    assert_int_equal(dd_version_scheme_for_ecosystem(&s, "Hackage"), DD_EUNSUPPORTED);
    assert_int_equal(dd_version_scheme_for_ecosystem(&s, "Debianx"), DD_EUNSUPPORTED);
    for (int i = 0; i < DD_VERSION_SCHEME_COUNT; i++) {
        assert_int_equal(dd_version_scheme_from_name(&s, dd_version_scheme_name(i)), DD_OK);
        assert_int_equal(s, i);
    }
    assert_int_equal(dd_version_scheme_from_name(&s, "nope"), DD_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deb_order),   cmocka_unit_test(apk_order),
        cmocka_unit_test(rpm_order),   cmocka_unit_test(semver_order),
        cmocka_unit_test(go_order),    cmocka_unit_test(pep440_order),
        cmocka_unit_test(maven_order), cmocka_unit_test(gem_order),
        cmocka_unit_test(nuget_order), cmocka_unit_test(composer_order),
        cmocka_unit_test(limits_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
