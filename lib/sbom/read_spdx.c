/* SPDX 2.2 and 2.3 JSON read back: every package with a purl external reference as a
 * format-neutral record, and the operating-system package. */
#include "sbom/read_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The first purl of externalRefs (category PACKAGE-MANAGER in 2.3, PACKAGE_MANAGER in 2.2; the
 * type alone decides). */
static const char *purl_ref(const dd_jv *pkg)
{
    const dd_jv *refs = dd_jv_get(pkg, "externalRefs"), *ref;
    size_t i;

    for (i = 0; (ref = dd_jv_at(refs, i)); i++) {
        const char *type = dd_jv_get_str(ref, "referenceType");
        const char *loc = dd_jv_get_str(ref, "referenceLocator");

        if (type && loc && strcasecmp(type, "purl") == 0)
            return loc;
    }
    return NULL;
}

/* A value that states nothing. */
static int noassertion(const char *s)
{
    return !s || !*s || strcmp(s, "NOASSERTION") == 0 || strcmp(s, "NONE") == 0;
}

/* "built package from: NAME VERSION", as Trivy and drydock write sourceInfo. */
static int read_source_info(dd_sbom__reader *r, const char *info, dd_sbom__comp *out)
{
    static const char prefix[] = "built package from:";
    const char *p, *sp;

    if (!info || strncmp(info, prefix, sizeof(prefix) - 1) != 0)
        return DD_OK;
    p = info + sizeof(prefix) - 1;
    while (*p == ' ')
        p++;
    if (!*p)
        return DD_OK;
    sp = strchr(p, ' ');
    if (!(out->src_name = dd_arena_strndup(r->arena, p, sp ? (size_t)(sp - p) : strlen(p))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (sp) {
        while (*sp == ' ')
            sp++;
        if (*sp && !(out->src_version = dd_arena_strdup(r->arena, sp)))
            return dd_error_set(DD_ENOMEM, "out of memory");
    }
    return DD_OK;
}

/* Trivy writes the properties it has no SPDX field for as annotations by "Tool: trivy-V" with
 * the comment "KEY: VALUE"; they become the "aquasecurity:trivy:KEY" properties of its
 * CycloneDX output. */
static int read_annotations(dd_sbom__reader *r, const dd_jv *pkg, dd_sbom__comp *out)
{
    const dd_jv *anns = dd_jv_get(pkg, "annotations"), *a;
    dd_sbom__prop *v;
    size_t i, n = 0;

    if (!DD_JV_IS(anns, DD_JV_ARRAY) || !dd_jv_len(anns))
        return DD_OK;
    if (!(v = dd_arena_alloc(r->arena, dd_jv_len(anns) * sizeof(*v))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (i = 0; (a = dd_jv_at(anns, i)); i++) {
        const char *who = dd_jv_get_str(a, "annotator"), *comment = dd_jv_get_str(a, "comment");
        const char *colon;

        if (!who || !comment || strncmp(who, "Tool: trivy", 11) != 0 ||
            !(colon = strstr(comment, ": ")))
            continue;
        if (!(v[n].name =
                  dd_sbom__strf(r, "aquasecurity:trivy:%.*s", (int)(colon - comment), comment)))
            return DD_ENOMEM;
        v[n++].value = colon + 2;
    }
    out->props = v;
    out->n_props = n;
    return DD_OK;
}

/* drydock's own comment: "drydock: layer N[ DIFF_ID], database PATH" followed by "; "-separated
 * notes, one of which may be "removed by an upper layer". */
static int read_drydock_comment(dd_sbom__reader *r, const char *comment, dd_sbom__comp *out)
{
    static const char layer[] = "drydock: layer ", db[] = ", database ",
                      removed[] = "; removed by an upper layer";
    const char *p, *end;
    char *num_end;
    unsigned long v;

    if (!comment || strncmp(comment, layer, sizeof(layer) - 1) != 0)
        return DD_OK;
    p = comment + sizeof(layer) - 1;
    v = strtoul(p, &num_end, 10);
    if (num_end == p || v > UINT32_MAX)
        return DD_OK;
    out->has_layer = 1;
    out->layer = (uint32_t)v;
    if ((end = strstr(num_end, removed)) &&
        (end[sizeof(removed) - 1] == '\0' || end[sizeof(removed) - 1] == ';'))
        out->removed = 1;
    if (!(p = strstr(num_end, db)))
        return DD_OK;
    p += sizeof(db) - 1;
    if (!(end = strstr(p, "; ")))
        end = p + strlen(p);
    if (end > p && !(end - p == 1 && *p == '?') &&
        !(out->db_path = dd_arena_strndup(r->arena, p, (size_t)(end - p))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    return DD_OK;
}

/* "Organization: NAME" / "Person: NAME (mail)" / "NOASSERTION" */
static const char *agent(const char *s)
{
    const char *colon;

    if (noassertion(s))
        return NULL;
    colon = strstr(s, ": ");
    return colon ? colon + 2 : s;
}

static int is_os(const dd_jv *pkg)
{
    const char *purpose = dd_jv_get_str(pkg, "primaryPackagePurpose");
    const char *id = dd_jv_get_str(pkg, "SPDXID");

    if (purpose &&
        (strcmp(purpose, "OPERATING_SYSTEM") == 0 || strcmp(purpose, "OPERATING-SYSTEM") == 0))
        return 1;
    /* Trivy before primaryPackagePurpose */
    return id && strncmp(id, "SPDXRef-OperatingSystem", 23) == 0;
}

/* The SPDXIDs the document describes (documentDescribes, or a DESCRIBES relationship from the
 * document; Trivy wrote "DESCRIBE" for a while): the image or directory, not something found in
 * it. A set (object keys), so that looking a package up costs the same however many there are;
 * NULL on ENOMEM. */
static json_t *described_ids(const dd_jv *doc)
{
    json_t *set = json_object();
    const dd_jv *v;
    size_t i;

    if (!set)
        return NULL;
    for (i = 0; (v = dd_jv_at(dd_jv_get(doc, "documentDescribes"), i)); i++) {
        if (dd_jv_str(v) && json_object_set_new(set, dd_jv_str(v), json_true()))
            goto fail;
    }
    for (i = 0; (v = dd_jv_at(dd_jv_get(doc, "relationships"), i)); i++) {
        const char *type = dd_jv_get_str(v, "relationshipType");
        const char *a = dd_jv_get_str(v, "spdxElementId"),
                   *b = dd_jv_get_str(v, "relatedSpdxElement");

        if (type && a && b && strcmp(a, "SPDXRef-DOCUMENT") == 0 &&
            (strcmp(type, "DESCRIBES") == 0 || strcmp(type, "DESCRIBE") == 0) &&
            json_object_set_new(set, b, json_true()))
            goto fail;
    }
    return set;
fail:
    json_decref(set);
    return NULL;
}

int dd_sbom__read_spdx(dd_sbom__reader *r, const dd_jv *doc)
{
    const dd_jv *pkgs = dd_jv_get(doc, "packages"), *pkg;
    json_t *described;
    size_t i;
    int rc = DD_OK;

    if (!pkgs || DD_JV_IS(pkgs, DD_JV_NULL))
        return DD_OK;
    if (!DD_JV_IS(pkgs, DD_JV_ARRAY))
        return dd_error_set(DD_EINVALID, "%s: packages is not an array", r->path);
    if (!(described = described_ids(doc)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (i = 0; (pkg = dd_jv_at(pkgs, i)); i++) {
        dd_sbom__comp rec = {0};
        const char *lic;

        if ((rc = dd_sbom__visit(r)) != DD_OK)
            break;
        if (!DD_JV_IS(pkg, DD_JV_OBJECT)) {
            rc = dd_error_set(DD_EINVALID, "%s: packages[%zu] is not an object", r->path, i);
            break;
        }
        if (is_os(pkg)) {
            if (!r->have_os && dd_jv_get_str(pkg, "name")) {
                r->os.name = dd_jv_get_str(pkg, "name");
                r->os.version = dd_jv_get_str(pkg, "versionInfo");
                r->os.description = dd_jv_get_str(pkg, "description");
                r->have_os = 1;
            }
            continue;
        }
        if (!(rec.purl = purl_ref(pkg))) {
            const char *id = dd_jv_get_str(pkg, "SPDXID");

            if (!id || !json_object_get(described, id))
                r->no_purl++;
            continue;
        }
        rec.where_array = "packages";
        rec.where_index = i;
        rec.ref = dd_jv_get_str(pkg, "SPDXID");
        rec.name = dd_jv_get_str(pkg, "name");
        rec.version = dd_jv_get_str(pkg, "versionInfo");
        rec.supplier = agent(dd_jv_get_str(pkg, "supplier"));
        rec.publisher = agent(dd_jv_get_str(pkg, "originator"));
        rec.description = dd_jv_get_str(pkg, "summary");
        if (!rec.description)
            rec.description = dd_jv_get_str(pkg, "description");
        lic = dd_jv_get_str(pkg, "licenseDeclared");
        if (noassertion(lic))
            lic = dd_jv_get_str(pkg, "licenseConcluded");
        if (!noassertion(lic))
            rec.license = lic;
        if ((rc = read_source_info(r, dd_jv_get_str(pkg, "sourceInfo"), &rec)) != DD_OK ||
            (rc = read_annotations(r, pkg, &rec)) != DD_OK ||
            (rc = read_drydock_comment(r, dd_jv_get_str(pkg, "comment"), &rec)) != DD_OK ||
            (rc = dd_sbom__add(r, &rec)) != DD_OK)
            break;
    }
    json_decref(described);
    return rc;
}
