/* Version comparison entry points: scheme table, limits, error messages and the OSV ecosystem
 * to scheme mapping. */
#include "util/util.h"
#include "version/version_int.h"

#include <string.h>

typedef struct {
    const char *name;
    const char *label; /* for messages */
    dd_version__check_fn check;
    dd_version__order_fn order;
} scheme_entry;

#define SCHEME(name, label)                                                                        \
    {                                                                                              \
#name, label, dd_version__check_##name, dd_version__order_##name                           \
    }

/* Indexed by dd_version_scheme. */
static const scheme_entry schemes[DD_VERSION_SCHEME_COUNT] = {
    SCHEME(deb, "Debian"),    SCHEME(apk, "Alpine"),  SCHEME(rpm, "RPM"),
    SCHEME(semver, "SemVer"), SCHEME(npm, "npm"),     SCHEME(pep440, "PEP 440"),
    SCHEME(go, "Go"),         SCHEME(maven, "Maven"), SCHEME(gem, "RubyGems"),
    SCHEME(nuget, "NuGet"),   SCHEME(cargo, "Cargo"), SCHEME(composer, "Composer"),
};

int dd_version__digits_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int r;
    while (an > 0 && *a == '0')
        a++, an--;
    while (bn > 0 && *b == '0')
        b++, bn--;
    if (an != bn)
        return an < bn ? -1 : 1;
    r = memcmp(a, b, an);
    return (r > 0) - (r < 0);
}

int dd_version__span_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int r = memcmp(a, b, an < bn ? an : bn);
    if (r)
        return r < 0 ? -1 : 1;
    return (an > bn) - (an < bn);
}

/* Quotes at most the first 64 bytes of a version in a message. */
#define QUOTE_MAX 64

static const char *check_one(const scheme_entry *e, const char *v, size_t *len, int *code)
{
    size_t n = strnlen(v, DD_VERSION_MAX_LEN + 1);
    *len = n;
    if (n > DD_VERSION_MAX_LEN) {
        *code = DD_ELIMIT;
        return "longer than 256 bytes";
    }
    *code = DD_EINVALID;
    return e->check(v, n);
}

static int set_invalid(const scheme_entry *e, const char *v, size_t n, int code, const char *why)
{
    int shown = (int)(n > QUOTE_MAX ? QUOTE_MAX : n);
    return dd_error_set(code, "invalid %s version '%.*s%s': %s", e->label, shown, v,
                        n > QUOTE_MAX ? "..." : "", why);
}

int dd_version_cmp(dd_version_scheme s, const char *a, const char *b, int *out)
{
    const scheme_entry *e;
    const char *why;
    size_t an, bn;
    int code;

    if ((unsigned)s >= DD_VERSION_SCHEME_COUNT)
        return dd_error_set(DD_EINVALID, "unknown version scheme %d", (int)s);
    e = &schemes[s];
    if (!a || !b)
        return dd_error_set(DD_EINVALID, "missing %s version", e->label);
    if ((why = check_one(e, a, &an, &code)))
        return set_invalid(e, a, an, code, why);
    if ((why = check_one(e, b, &bn, &code)))
        return set_invalid(e, b, bn, code, why);
    *out = e->order(a, an, b, bn);
    return DD_OK;
}

bool dd_version_valid(dd_version_scheme s, const char *v)
{
    size_t n;
    int code;

    if ((unsigned)s >= DD_VERSION_SCHEME_COUNT || !v)
        return false;
    return check_one(&schemes[s], v, &n, &code) == NULL;
}

int dd_version_check(dd_version_scheme s, const char *v)
{
    const char *why;
    size_t n;
    int code;

    if ((unsigned)s >= DD_VERSION_SCHEME_COUNT)
        return dd_error_set(DD_EINVALID, "unknown version scheme %d", (int)s);
    if (!v)
        return dd_error_set(DD_EINVALID, "missing %s version", schemes[s].label);
    if ((why = check_one(&schemes[s], v, &n, &code)))
        return set_invalid(&schemes[s], v, n, code, why);
    return DD_OK;
}

const char *dd_version_scheme_name(dd_version_scheme s)
{
    return (unsigned)s < DD_VERSION_SCHEME_COUNT ? schemes[s].name : "?";
}

int dd_version_scheme_from_name(dd_version_scheme *out, const char *name)
{
    for (size_t i = 0; name && i < DD_VERSION_SCHEME_COUNT; i++) {
        if (strcmp(schemes[i].name, name) == 0) {
            *out = (dd_version_scheme)i;
            return DD_OK;
        }
    }
    return dd_error_set(DD_ENOTFOUND, "unknown version scheme '%s'", name ? name : "");
}

/* OSV ecosystem names (https://ossf.github.io/osv-schema/#affectedpackage-field). Distro
 * ecosystems carry a release after ':' and match on the part before it. */
static const struct {
    const char *ecosystem;
    dd_version_scheme scheme;
} ecosystems[] = {
    {"Debian", DD_VERSION_DEB},
    {"Ubuntu", DD_VERSION_DEB},
    {"Alpine", DD_VERSION_APK},
    {"Wolfi", DD_VERSION_APK},
    {"Chainguard", DD_VERSION_APK},
    {"Alpaquita", DD_VERSION_APK},
    {"BellSoft Hardened Containers", DD_VERSION_APK},
    {"Red Hat", DD_VERSION_RPM},
    {"Rocky Linux", DD_VERSION_RPM},
    {"AlmaLinux", DD_VERSION_RPM},
    {"SUSE", DD_VERSION_RPM},
    {"openSUSE", DD_VERSION_RPM},
    {"Mageia", DD_VERSION_RPM},
    {"openEuler", DD_VERSION_RPM},
    {"Azure Linux", DD_VERSION_RPM},
    {"Photon OS", DD_VERSION_RPM},
    {"CentOS", DD_VERSION_RPM},
    {"Fedora", DD_VERSION_RPM},
    {"Oracle Linux", DD_VERSION_RPM},
    {"Amazon Linux", DD_VERSION_RPM},
    {"npm", DD_VERSION_NPM},
    {"PyPI", DD_VERSION_PEP440},
    {"Go", DD_VERSION_GO},
    {"crates.io", DD_VERSION_CARGO},
    {"RubyGems", DD_VERSION_GEM},
    {"Maven", DD_VERSION_MAVEN},
    {"NuGet", DD_VERSION_NUGET},
    {"Packagist", DD_VERSION_COMPOSER},
    {"Hex", DD_VERSION_SEMVER},
    {"Pub", DD_VERSION_SEMVER},
    {"SwiftURL", DD_VERSION_SEMVER},
    {"Bitnami", DD_VERSION_SEMVER},
};

int dd_version_scheme_for_ecosystem(dd_version_scheme *out, const char *ecosystem)
{
    size_t n;

    if (!ecosystem)
        return dd_error_set(DD_EUNSUPPORTED, "no ecosystem given");
    n = strcspn(ecosystem, ":");
    for (size_t i = 0; i < DD_ARRAY_SIZE(ecosystems); i++) {
        if (strlen(ecosystems[i].ecosystem) == n &&
            memcmp(ecosystems[i].ecosystem, ecosystem, n) == 0) {
            *out = ecosystems[i].scheme;
            return DD_OK;
        }
    }
    return dd_error_set(DD_EUNSUPPORTED, "no version scheme for ecosystem '%s'", ecosystem);
}
