/* Package URLs (github.com/package-url/purl-spec) in canonical form for OS packages (and the
 * language types lang.c does not write itself). */
#include "catalog/catalog_int.h"

#include <ctype.h>
#include <string.h>

/* Percent-encodes everything but the unreserved characters and ":" (which the specification
 * says is never encoded), so "+" becomes %2B as packageurl-go and Trivy write it. */
static int put_encoded(dd_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = DD_OK;

    for (const unsigned char *p = (const unsigned char *)s; *p && rc == DD_OK; p++) {
        if (isalnum(*p) || *p == '.' || *p == '-' || *p == '_' || *p == '~' || *p == ':') {
            rc = dd_buf_putc(b, (char)*p);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};

            rc = dd_buf_put(b, e, 3);
        }
    }
    return rc;
}

/* Lower-case copy of the namespace (the type's rule for deb, apk and rpm). */
static int put_lower(dd_buf *b, const char *s)
{
    dd_buf t = DD_BUF_INIT;
    int rc = DD_OK;

    for (const char *p = s; *p && rc == DD_OK; p++)
        rc = dd_buf_putc(&t, (char)tolower((unsigned char)*p));
    if (rc == DD_OK)
        rc = put_encoded(b, t.data);
    dd_buf_dispose(&t);
    return rc;
}

/* A Go module path as purl segments: each element lower-cased and encoded, "/" between. */
static int put_golang(dd_buf *b, const char *path)
{
    int rc = DD_OK;

    while (rc == DD_OK && *path) {
        size_t n = strcspn(path, "/");
        char *seg = dd_strndup(path, n);

        rc = seg ? put_lower(b, seg) : dd_error_set(DD_ENOMEM, "out of memory");
        dd_free(seg);
        path += n;
        if (*path == '/' && rc == DD_OK) {
            path++;
            if (*path)
                rc = dd_buf_putc(b, '/');
        }
    }
    return rc;
}

/* The rpm namespace: the vendor family Trivy and Grype match on. */
static const char *rpm_namespace(const dd_os_info *os, const dd_package *pkg)
{
    static const struct {
        const char *id, *ns;
    } map[] = {
        {"rhel", "redhat"}, {"centos", "centos"}, {"fedora", "fedora"},
        {"rocky", "rocky"}, {"almalinux", "almalinux"}, {"ol", "oracle"},
        {"amzn", "amazon"}, {"opensuse-leap", "opensuse"}, {"opensuse-tumbleweed", "opensuse"},
        {"sles", "suse"}, {"photon", "photon"}, {"mariner", "mariner"}, {"azurelinux", "azurelinux"},
    };

    if (os && os->id) {
        for (size_t i = 0; i < DD_ARRAY_SIZE(map); i++)
            if (strcmp(map[i].id, os->id) == 0)
                return map[i].ns;
        return os->id;
    }
    return pkg->vendor;
}

typedef struct {
    const char *key, *value;
} qualifier;

int dd_package_purl(char **out, const dd_package *pkg, const dd_os_info *os)
{
    dd_buf b = DD_BUF_INIT, distro = DD_BUF_INIT;
    qualifier q[4];
    size_t nq = 0;
    const char *ns = NULL;
    int rc;

    *out = NULL;
    if (!pkg->name || !*pkg->name || !pkg->version || !*pkg->version)
        return dd_error_set(DD_EINVALID, "purl: package without name or version");
    switch (pkg->type) {
    case DD_PKG_DEB:
        ns = os && os->id ? os->id : "debian";
        break;
    case DD_PKG_APK:
        ns = os && os->id ? os->id : "alpine";
        break;
    case DD_PKG_RPM:
        ns = rpm_namespace(os, pkg);
        break;
    default:
        break;
    }
    rc = dd_buf_printf(&b, "pkg:%s/", dd_pkg_type_name(pkg->type));
    if (rc == DD_OK && ns && *ns) {
        rc = put_lower(&b, ns);
        if (rc == DD_OK)
            rc = dd_buf_putc(&b, '/');
    }
    if (rc == DD_OK && pkg->type == DD_PKG_MAVEN) {
        /* "groupId:artifactId": the groupId is the namespace (required, kept as written) */
        const char *colon = strchr(pkg->name, ':');
        char *group = colon ? dd_strndup(pkg->name, (size_t)(colon - pkg->name)) : NULL;

        if (!colon || colon == pkg->name || !colon[1])
            rc = dd_error_set(DD_EINVALID, "purl: maven package \"%s\" without groupId",
                              pkg->name);
        else
            rc = group ? put_encoded(&b, group) : dd_error_set(DD_ENOMEM, "out of memory");
        dd_free(group);
        if (rc == DD_OK)
            rc = dd_buf_putc(&b, '/');
        if (rc == DD_OK)
            rc = put_encoded(&b, colon + 1);
    } else if (rc == DD_OK && pkg->type == DD_PKG_COMPOSER && strchr(pkg->name, '/')) {
        /* "vendor/package": the vendor is the namespace; both are lower case */
        const char *slash = strchr(pkg->name, '/');
        char *vendor = dd_strndup(pkg->name, (size_t)(slash - pkg->name));

        rc = vendor ? put_lower(&b, vendor) : dd_error_set(DD_ENOMEM, "out of memory");
        dd_free(vendor);
        if (rc == DD_OK)
            rc = dd_buf_putc(&b, '/');
        if (rc == DD_OK)
            rc = put_lower(&b, slash + 1);
    } else if (rc == DD_OK && pkg->type == DD_PKG_GOLANG) {
        /* a module path: its elements are the namespace and name segments, lower-cased as the
         * golang type says (the package's name keeps Go's case) */
        rc = put_golang(&b, pkg->name);
    } else if (rc == DD_OK) {
        rc = put_encoded(&b, pkg->name);
    }
    if (rc == DD_OK)
        rc = dd_buf_putc(&b, '@');
    if (rc == DD_OK)
        rc = put_encoded(&b, pkg->version);
    if (rc != DD_OK)
        goto done;
    /* qualifiers, in key order */
    if (pkg->arch && *pkg->arch && pkg->type != DD_PKG_GEM)
        q[nq++] = (qualifier){"arch", pkg->arch};
    if (os && os->id && (pkg->type == DD_PKG_DEB || pkg->type == DD_PKG_APK ||
                         pkg->type == DD_PKG_RPM)) {
        const char *ver = os->version_id ? os->version_id : os->version_codename;

        rc = ver ? dd_buf_printf(&distro, "%s-%s", os->id, ver) : dd_buf_puts(&distro, os->id);
        if (rc != DD_OK)
            goto done;
        q[nq++] = (qualifier){"distro", distro.data};
    }
    if (pkg->type == DD_PKG_RPM && pkg->epoch && *pkg->epoch && strcmp(pkg->epoch, "0") != 0)
        q[nq++] = (qualifier){"epoch", pkg->epoch};
    /* a gem built for one platform ("x86_64-linux", "java"); "ruby" is the default */
    if (pkg->type == DD_PKG_GEM && pkg->arch && *pkg->arch && strcmp(pkg->arch, "ruby") != 0)
        q[nq++] = (qualifier){"platform", pkg->arch};
    if (pkg->type == DD_PKG_DEB && pkg->source_name && *pkg->source_name &&
        strcmp(pkg->source_name, pkg->name) != 0)
        q[nq++] = (qualifier){"upstream", pkg->source_name};
    for (size_t i = 0; i < nq && rc == DD_OK; i++) {
        rc = dd_buf_printf(&b, "%c%s=", i ? '&' : '?', q[i].key);
        if (rc == DD_OK)
            rc = put_encoded(&b, q[i].value);
    }
    if (rc != DD_OK)
        goto done;
    *out = dd_buf_detach(&b, NULL);
    if (!*out)
        rc = dd_error_set(DD_ENOMEM, "out of memory");
done:
    dd_buf_dispose(&b);
    dd_buf_dispose(&distro);
    return rc;
}
