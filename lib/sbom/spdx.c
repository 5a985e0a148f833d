/* SPDX 2.3 JSON: the document DESCRIBES the image, which CONTAINS the operating system and every
 * package; each package carries its purl as a PACKAGE-MANAGER external reference. */
#include "sbom/sbom_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* SPDX ids allow letters, digits, "." and "-" only. */
static int put_idchars(dd_buf *b, const char *s)
{
    int rc = DD_OK;

    for (; *s && rc == DD_OK; s++)
        rc = dd_buf_putc(b, isalnum((unsigned char)*s) || *s == '.' || *s == '-' ? *s : '-');
    return rc;
}

typedef struct {
    json_t *extracted; /* hasExtractedLicensingInfos */
    json_t *seen;      /* LicenseRef ids already listed */
} lic_ctx;

/* A license name that is no SPDX id becomes LicenseRef-<name>, listed once in the document. */
static int license_ref(dd_buf *out, lic_ctx *c, const char *name)
{
    dd_buf id = DD_BUF_INIT;
    int rc = dd_buf_puts(&id, "LicenseRef-");

    if (rc == DD_OK)
        rc = put_idchars(&id, name);
    if (rc == DD_OK)
        rc = dd_buf_puts(out, id.data);
    if (rc == DD_OK && !json_object_get(c->seen, id.data)) {
        json_t *o = json_object();

        json_object_set_new(c->seen, id.data, json_true());
        json_object_set_new(o, "licenseId", json_string(id.data));
        json_object_set_new(o, "extractedText", json_string(name));
        json_object_set_new(o, "name", json_string(name));
        json_array_append_new(c->extracted, o);
    }
    dd_buf_dispose(&id);
    return rc;
}

static int declared(dd_buf *out, lic_ctx *c, const dd_package *p)
{
    int rc = DD_OK;

    if (p->n_licenses) {
        for (size_t i = 0; i < p->n_licenses && rc == DD_OK; i++) {
            if (i)
                rc = dd_buf_puts(out, " AND ");
            if (rc == DD_OK)
                rc = dd_spdx_license_valid(p->licenses[i]) ? dd_buf_puts(out, p->licenses[i])
                                                           : license_ref(out, c, p->licenses[i]);
        }
        return rc;
    }
    if (!p->license || !*p->license)
        return dd_buf_puts(out, "NOASSERTION");
    if (dd_sbom__license_kind(p->license) != DD_LIC_NAME)
        return dd_buf_puts(out, p->license);
    return license_ref(out, c, p->license);
}

/* "Name <mail>" -> "Person: Name (mail)", the agent syntax SPDX asks for. */
static int supplier(dd_buf *out, const char *who, const char *kind)
{
    const char *lt = strchr(who, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    size_t nl;

    if (!lt || !gt)
        return dd_buf_printf(out, "%s: %s", kind, who);
    nl = (size_t)(lt - who);
    while (nl && who[nl - 1] == ' ')
        nl--;
    return dd_buf_printf(out, "%s: %.*s (%.*s)", kind, (int)nl, who, (int)(gt - lt - 1), lt + 1);
}

static json_t *relationship(const char *a, const char *type, const char *b)
{
    json_t *o = json_object();

    json_object_set_new(o, "spdxElementId", json_string(a));
    json_object_set_new(o, "relationshipType", json_string(type));
    json_object_set_new(o, "relatedSpdxElement", json_string(b));
    return o;
}

static void noassert(json_t *o)
{
    json_object_set_new(o, "downloadLocation", json_string("NOASSERTION"));
    json_object_set_new(o, "filesAnalyzed", json_false());
}

int dd_sbom__write_spdx(json_t **out, const dd_inventory *inv, const dd_sbom_subject *s,
                        const dd_sbom_opts *opts, const char *serial)
{
    const dd_os_info *os = dd_inventory_os(inv);
    json_t *doc = json_object(), *ci = json_object(), *creators = json_array(),
           *pkgs = json_array(), *rels = json_array(), *image = json_object();
    lic_ctx lc = {json_array(), json_object()};
    dd_buf b = DD_BUF_INIT, id = DD_BUF_INIT;
    const char *name = s && s->name ? s->name : "image";
    char ts[32];
    int rc = DD_OK;

    *out = NULL;
    dd_sbom__timestamp(ts, opts->timestamp);
    json_object_set_new(doc, "spdxVersion", json_string("SPDX-2.3"));
    json_object_set_new(doc, "dataLicense", json_string("CC0-1.0"));
    json_object_set_new(doc, "SPDXID", json_string("SPDXRef-DOCUMENT"));
    json_object_set_new(doc, "name", json_string(name));
    if ((rc = dd_buf_puts(&b, "https://drydock.dev/spdx/")) != DD_OK ||
        (rc = put_idchars(&b, name)) != DD_OK || (rc = dd_buf_printf(&b, "-%s", serial)) != DD_OK)
        goto done;
    json_object_set_new(doc, "documentNamespace", json_string(b.data));
    dd_buf_clear(&b);
    if ((rc = dd_buf_printf(&b, "Tool: drydock-%s",
                            opts->tool_version ? opts->tool_version : dd_version())) != DD_OK)
        goto done;
    json_array_append_new(creators, json_string(b.data));
    json_object_set_new(ci, "created", json_string(ts));
    json_object_set_new(ci, "creators", creators);
    creators = NULL;
    json_object_set_new(doc, "creationInfo", ci);
    ci = NULL;

    json_object_set_new(image, "SPDXID", json_string("SPDXRef-Image"));
    json_object_set_new(image, "name", json_string(name));
    if (s)
        dd_sbom__set_str(image, "versionInfo", s->digest);
    noassert(image);
    if (s && s->digest && strncmp(s->digest, "sha256:", 7) == 0) {
        json_t *cs = json_array(), *c = json_object();

        json_object_set_new(c, "algorithm", json_string("SHA256"));
        json_object_set_new(c, "checksumValue", json_string(s->digest + 7));
        json_array_append_new(cs, c);
        json_object_set_new(image, "checksums", cs);
    }
    json_object_set_new(image, "licenseConcluded", json_string("NOASSERTION"));
    json_object_set_new(image, "licenseDeclared", json_string("NOASSERTION"));
    json_object_set_new(image, "copyrightText", json_string("NOASSERTION"));
    json_object_set_new(image, "primaryPackagePurpose", json_string("CONTAINER"));
    json_array_append_new(pkgs, image);
    json_array_append_new(rels, relationship("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image"));
    if (os && os->id) {
        json_t *o = json_object();

        json_object_set_new(o, "SPDXID", json_string("SPDXRef-OperatingSystem"));
        json_object_set_new(o, "name", json_string(os->id));
        dd_sbom__set_str(o, "versionInfo", os->version_id ? os->version_id : os->version_codename);
        noassert(o);
        json_object_set_new(o, "licenseConcluded", json_string("NOASSERTION"));
        json_object_set_new(o, "licenseDeclared", json_string("NOASSERTION"));
        json_object_set_new(o, "copyrightText", json_string("NOASSERTION"));
        dd_sbom__set_str(o, "description", os->pretty_name);
        json_object_set_new(o, "primaryPackagePurpose", json_string("OPERATING_SYSTEM"));
        json_array_append_new(pkgs, o);
        json_array_append_new(rels,
                              relationship("SPDXRef-Image", "CONTAINS", "SPDXRef-OperatingSystem"));
    }
    for (size_t i = 0; i < dd_inventory_count(inv); i++) {
        const dd_package *p = dd_inventory_get(inv, i);
        json_t *o = json_object();

        dd_buf_clear(&id);
        if ((rc = dd_buf_printf(&id, "SPDXRef-Package-%s-", dd_pkg_type_name(p->type))) ||
            (rc = put_idchars(&id, p->name)) || (rc = dd_buf_printf(&id, "-%zu", i))) {
            json_decref(o);
            goto done;
        }
        json_object_set_new(o, "SPDXID", json_string(id.data));
        json_object_set_new(o, "name", json_string(p->name));
        dd_sbom__set_str(o, "versionInfo", p->version);
        if (p->vendor || p->maintainer) {
            dd_buf_clear(&b);
            if ((rc = supplier(&b, p->vendor ? p->vendor : p->maintainer,
                               p->vendor ? "Organization" : "Person")) != DD_OK) {
                json_decref(o);
                goto done;
            }
            json_object_set_new(o, "supplier", json_string(b.data));
        }
        noassert(o);
        if (p->source_name) {
            dd_buf_clear(&b);
            if ((rc = dd_buf_printf(&b, "built package from: %s %s", p->source_name,
                                    p->source_version ? p->source_version : "")) != DD_OK) {
                json_decref(o);
                goto done;
            }
            json_object_set_new(o, "sourceInfo", json_string(b.data));
        }
        json_object_set_new(o, "licenseConcluded", json_string("NOASSERTION"));
        dd_buf_clear(&b);
        if ((rc = declared(&b, &lc, p)) != DD_OK) {
            json_decref(o);
            goto done;
        }
        json_object_set_new(o, "licenseDeclared", json_string(b.data));
        json_object_set_new(o, "copyrightText", json_string("NOASSERTION"));
        dd_sbom__set_str(o, "summary", p->description);
        if (p->purl) {
            json_t *refs = json_array(), *r = json_object();

            json_object_set_new(r, "referenceCategory", json_string("PACKAGE-MANAGER"));
            json_object_set_new(r, "referenceType", json_string("purl"));
            json_object_set_new(r, "referenceLocator", json_string(p->purl));
            json_array_append_new(refs, r);
            json_object_set_new(o, "externalRefs", refs);
        }
        dd_buf_clear(&b);
        rc = dd_buf_printf(&b, "drydock: layer %u%s%s, database %s%s", p->layer,
                           s && p->layer < s->n_layers && s->layers[p->layer].diff_id ? " " : "",
                           s && p->layer < s->n_layers && s->layers[p->layer].diff_id
                               ? s->layers[p->layer].diff_id
                               : "",
                           p->db_path ? p->db_path : "?",
                           p->removed ? "; removed by an upper layer" : "");
        if (rc != DD_OK) {
            json_decref(o);
            goto done;
        }
        if (rc == DD_OK && p->path)
            rc = dd_buf_printf(&b, "; found at %s%s", p->path,
                               p->dev ? " (development dependency)" : "");
        for (size_t k = 0; k < p->n_lang_purls && rc == DD_OK; k++)
            rc = dd_buf_printf(&b, "%s%s", k ? ", " : "; installs ", p->lang_purls[k]);
        if (rc != DD_OK) {
            json_decref(o);
            goto done;
        }
        json_object_set_new(o, "comment", json_string(b.data));
        json_object_set_new(o, "primaryPackagePurpose", json_string("LIBRARY"));
        json_array_append_new(pkgs, o);
        json_array_append_new(rels, relationship("SPDXRef-Image", "CONTAINS", id.data));
    }
    if (json_array_size(lc.extracted))
        json_object_set(doc, "hasExtractedLicensingInfos", lc.extracted);
    json_object_set(doc, "packages", pkgs);
    json_object_set(doc, "relationships", rels);
    *out = doc;
    doc = NULL;
done:
    json_decref(doc);
    json_decref(ci);
    json_decref(creators);
    json_decref(pkgs);
    json_decref(rels);
    json_decref(lc.extracted);
    json_decref(lc.seen);
    dd_buf_dispose(&b);
    dd_buf_dispose(&id);
    return rc;
}
