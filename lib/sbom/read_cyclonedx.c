/* CycloneDX JSON (1.2 to 1.7) read back: every component with a purl, nested components
 * included, as a format-neutral record, and the operating-system component. */
#include "sbom/read_int.h"

#include <string.h>

/* properties: [{"name": N, "value": V}]; entries that are not both strings are left out. */
static int read_props(dd_sbom__reader *r, const dd_jv *c, dd_sbom__comp *out)
{
    const dd_jv *props = dd_jv_get(c, "properties"), *p;
    dd_sbom__prop *v;
    size_t i, n = 0;

    if (!DD_JV_IS(props, DD_JV_ARRAY) || !dd_jv_len(props))
        return DD_OK;
    if (!(v = dd_arena_alloc(r->arena, dd_jv_len(props) * sizeof(*v))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (i = 0; (p = dd_jv_at(props, i)); i++) {
        const char *name = dd_jv_get_str(p, "name"), *value = dd_jv_get_str(p, "value");

        if (name && value)
            v[n++] = (dd_sbom__prop){name, value};
    }
    out->props = v;
    out->n_props = n;
    return DD_OK;
}

/* licenses: [{"expression": E}] or [{"license": {"id": I} | {"name": N}}, ...]. */
static int read_licenses(dd_sbom__reader *r, const dd_jv *c, dd_sbom__comp *out)
{
    const dd_jv *lics = dd_jv_get(c, "licenses"), *l;
    size_t i, n = 0;

    if (!DD_JV_IS(lics, DD_JV_ARRAY) || !dd_jv_len(lics))
        return DD_OK;
    if (!(out->licenses = dd_arena_alloc(r->arena, dd_jv_len(lics) * sizeof(char *))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (i = 0; (l = dd_jv_at(lics, i)); i++) {
        const char *expr = dd_jv_get_str(l, "expression");
        const dd_jv *lic = dd_jv_get(l, "license");
        const char *s = expr ? expr : dd_jv_get_str(lic, "id");

        if (!s)
            s = dd_jv_get_str(lic, "name");
        if (s && *s)
            out->licenses[n++] = s;
    }
    out->n_licenses = n;
    if (n == 1) { /* one statement: the package's license */
        out->license = out->licenses[0];
        out->n_licenses = 0;
    }
    return DD_OK;
}

/* cdxgen lists each Debian source package as a component tagged "source", naming the binary
 * packages built from it in evidence.identity[].methods[].value (identity is an array from 1.6
 * on, one object before). */
static int read_source_evidence(dd_sbom__reader *r, const dd_jv *c, dd_sbom__comp *out)
{
    const dd_jv *tags = dd_jv_get(c, "tags"), *t, *ids, *id;
    size_t i, j, k, n = 0, cap = 0;

    for (i = 0; (t = dd_jv_at(tags, i)); i++) {
        if (dd_jv_str(t) && strcmp(dd_jv_str(t), "source") == 0)
            out->is_source = 1;
    }
    if (!out->is_source)
        return DD_OK;
    ids = dd_jv_get(dd_jv_get(c, "evidence"), "identity");
    for (k = 0; k < 2; k++) { /* count, then fill */
        if (k == 1) {
            if (!cap)
                break;
            if (!(out->binaries = dd_arena_alloc(r->arena, cap * sizeof(char *))))
                return dd_error_set(DD_ENOMEM, "out of memory");
        }
        for (i = 0; i < (DD_JV_IS(ids, DD_JV_ARRAY) ? dd_jv_len(ids) : 1); i++) {
            const dd_jv *methods, *m;

            id = DD_JV_IS(ids, DD_JV_ARRAY) ? dd_jv_at(ids, i) : ids;
            methods = dd_jv_get(id, "methods");
            for (j = 0; (m = dd_jv_at(methods, j)); j++) {
                const char *v = dd_jv_get_str(m, "value");

                if (!v || !*v)
                    continue;
                if (k == 0)
                    cap++;
                else
                    out->binaries[n++] = v;
            }
        }
    }
    out->n_binaries = n;
    return DD_OK;
}

static const char *prop(const dd_sbom__comp *c, const char *name)
{
    for (size_t i = 0; i < c->n_props; i++)
        if (strcmp(c->props[i].name, name) == 0)
            return c->props[i].value;
    return NULL;
}

static int read_os(dd_sbom__reader *r, const dd_jv *c)
{
    dd_sbom__comp tmp = {0};
    int rc;

    if (r->have_os) /* the first one names the distribution */
        return DD_OK;
    if ((rc = read_props(r, c, &tmp)) != DD_OK)
        return rc;
    r->os.name = dd_jv_get_str(c, "name");
    r->os.version = dd_jv_get_str(c, "version");
    r->os.description = dd_jv_get_str(c, "description");
    r->os.codename = prop(&tmp, "drydock:os:codename");
    if (!r->os.codename)
        r->os.codename = prop(&tmp, "syft:distro:versionCodename");
    r->have_os = r->os.name != NULL;
    return DD_OK;
}

static int read_component(dd_sbom__reader *r, const dd_jv *c, const char *array, size_t index)
{
    dd_sbom__comp rec = {0};
    const dd_jv *sup = dd_jv_get(c, "supplier");
    int rc;

    rec.where_array = array;
    rec.where_index = index;
    rec.ref = dd_jv_get_str(c, "bom-ref");
    rec.purl = dd_jv_get_str(c, "purl");
    rec.name = dd_jv_get_str(c, "name");
    rec.version = dd_jv_get_str(c, "version");
    rec.supplier = DD_JV_IS(sup, DD_JV_OBJECT) ? dd_jv_get_str(sup, "name") : NULL;
    rec.publisher = dd_jv_get_str(c, "publisher");
    rec.description = dd_jv_get_str(c, "description");
    if ((rc = read_props(r, c, &rec)) != DD_OK || (rc = read_licenses(r, c, &rec)) != DD_OK ||
        (rc = read_source_evidence(r, c, &rec)) != DD_OK)
        return rc;
    return dd_sbom__add(r, &rec);
}

static int walk(dd_sbom__reader *r, const dd_jv *arr, const char *prefix, unsigned depth)
{
    const dd_jv *c;
    size_t i;
    int rc;

    if (!DD_JV_IS(arr, DD_JV_ARRAY))
        return dd_error_set(DD_EINVALID, "%s: %s is not an array", r->path, prefix);
    if (depth > DD_SBOM_READ_MAX_DEPTH)
        return dd_error_set(DD_ELIMIT, "%s: components nested more than %d deep, at %s", r->path,
                            DD_SBOM_READ_MAX_DEPTH, prefix);
    for (i = 0; (c = dd_jv_at(arr, i)); i++) {
        const dd_jv *nested = dd_jv_get(c, "components");
        const char *type = dd_jv_get_str(c, "type");

        if ((rc = dd_sbom__visit(r)) != DD_OK)
            return rc;
        if (!DD_JV_IS(c, DD_JV_OBJECT))
            return dd_error_set(DD_EINVALID, "%s: %s[%zu] is not an object", r->path, prefix, i);
        if (type && strcmp(type, "operating-system") == 0)
            rc = read_os(r, c);
        else if (dd_jv_get_str(c, "purl"))
            rc = read_component(r, c, prefix, i);
        else {
            r->no_purl++;
            rc = DD_OK;
        }
        if (rc != DD_OK)
            return rc;
        if (nested) {
            /* one path string per nested array, not one per component */
            const char *sub = dd_sbom__strf(r, "%s[%zu].components", prefix, i);

            if (!sub)
                return DD_ENOMEM;
            if ((rc = walk(r, nested, sub, depth + 1)) != DD_OK)
                return rc;
        }
    }
    return DD_OK;
}

int dd_sbom__read_cyclonedx(dd_sbom__reader *r, const dd_jv *doc)
{
    const dd_jv *comps = dd_jv_get(doc, "components");
    const dd_jv *subject = dd_jv_get(dd_jv_get(doc, "metadata"), "component");
    int rc;

    if (comps && !DD_JV_IS(comps, DD_JV_NULL) && (rc = walk(r, comps, "components", 0)) != DD_OK)
        return rc;
    /* the subject itself is what the SBOM describes, not something installed in it; what it
     * nests is */
    if (DD_JV_IS(subject, DD_JV_OBJECT)) {
        const dd_jv *nested = dd_jv_get(subject, "components");

        if (nested && (rc = walk(r, nested, "metadata.component.components", 1)) != DD_OK)
            return rc;
    }
    return DD_OK;
}
