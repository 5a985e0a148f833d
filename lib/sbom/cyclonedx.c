/* CycloneDX 1.6 JSON: the image as metadata.component, an operating-system component, one
 * library component per package, and dependencies from the OS to its packages. */
#include "sbom/sbom_int.h"

#include <stdio.h>
#include <string.h>

static void add_prop(json_t *props, const char *name, const char *value)
{
    json_t *o;

    if (!value)
        return;
    o = json_object();
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "value", json_string(value));
    json_array_append_new(props, o);
}

static json_t *license_entry(const char *s)
{
    json_t *o = json_object(), *l = json_object();

    if (dd_spdx_license_valid(s))
        json_object_set_new(l, "id", json_string(s));
    else
        json_object_set_new(l, "name", json_string(s));
    json_object_set_new(o, "license", l);
    return o;
}

static json_t *licenses(const dd_package *p)
{
    json_t *a;

    if (p->n_licenses) {
        a = json_array();
        for (size_t i = 0; i < p->n_licenses; i++)
            json_array_append_new(a, license_entry(p->licenses[i]));
        return a;
    }
    if (!p->license || !*p->license)
        return NULL;
    a = json_array();
    if (dd_sbom__license_kind(p->license) == DD_LIC_EXPRESSION) {
        json_t *o = json_object();

        json_object_set_new(o, "expression", json_string(p->license));
        json_array_append_new(a, o);
    } else {
        json_array_append_new(a, license_entry(p->license));
    }
    return a;
}

static int is_os_type(dd_pkg_type t)
{
    return t == DD_PKG_APK || t == DD_PKG_DEB || t == DD_PKG_RPM;
}

/* Where a language package was found, and the language identities of an OS package that
 * installed language packages (Debian's python3-requests is pkg:pypi/requests). */
static json_t *evidence(const dd_package *p)
{
    json_t *ev, *ids;

    if (!p->path && !p->n_lang_purls)
        return NULL;
    ev = json_object();
    if (p->path) {
        json_t *occ = json_array(), *o = json_object();

        json_object_set_new(o, "location", json_string(p->path));
        json_array_append_new(occ, o);
        json_object_set_new(ev, "occurrences", occ);
    }
    if (!p->n_lang_purls)
        return ev;
    ids = json_array();
    for (size_t i = 0; i < p->n_lang_purls; i++) {
        json_t *id = json_object(), *methods = json_array(), *m = json_object();

        json_object_set_new(id, "field", json_string("purl"));
        json_object_set_new(id, "confidence", json_real(1.0));
        json_object_set_new(id, "concludedValue", json_string(p->lang_purls[i]));
        json_object_set_new(m, "technique", json_string("manifest-analysis"));
        json_object_set_new(m, "confidence", json_real(1.0));
        json_array_append_new(methods, m);
        json_object_set_new(id, "methods", methods);
        json_array_append_new(ids, id);
    }
    json_object_set_new(ev, "identity", ids);
    return ev;
}

static json_t *component(const dd_package *p, const char *ref, const dd_sbom_subject *s)
{
    json_t *c = json_object(), *props = json_array(), *lic, *ev;
    char num[32];

    json_object_set_new(c, "bom-ref", json_string(ref));
    json_object_set_new(c, "type", json_string("library"));
    if (p->vendor) {
        json_t *sup = json_object();

        json_object_set_new(sup, "name", json_string(p->vendor));
        json_object_set_new(c, "supplier", sup);
    }
    dd_sbom__set_str(c, "publisher", p->maintainer);
    json_object_set_new(c, "name", json_string(p->name));
    dd_sbom__set_str(c, "version", p->version);
    dd_sbom__set_str(c, "description", p->description);
    if ((lic = licenses(p)))
        json_object_set_new(c, "licenses", lic);
    dd_sbom__set_str(c, "purl", p->purl);
    add_prop(props, "drydock:package:type", dd_pkg_type_name(p->type));
    add_prop(props, "drydock:package:arch", p->arch);
    add_prop(props, "drydock:package:epoch", p->epoch);
    add_prop(props, "drydock:package:release", p->release);
    add_prop(props, "drydock:package:source", p->source_name);
    add_prop(props, "drydock:package:source_version", p->source_version);
    add_prop(props, "drydock:package:path", p->db_path);
    add_prop(props, "drydock:package:commit", p->commit);
    if (p->installed_size) {
        snprintf(num, sizeof(num), "%llu", (unsigned long long)p->installed_size);
        add_prop(props, "drydock:package:installed_size", num);
    }
    snprintf(num, sizeof(num), "%zu", p->n_files);
    add_prop(props, "drydock:package:files", num);
    snprintf(num, sizeof(num), "%u", p->layer);
    add_prop(props, "drydock:layer:index", num);
    if (s && p->layer < s->n_layers) {
        add_prop(props, "drydock:layer:digest", s->layers[p->layer].digest);
        add_prop(props, "drydock:layer:diff_id", s->layers[p->layer].diff_id);
    }
    if (p->removed)
        add_prop(props, "drydock:package:removed", "true");
    if (p->dev)
        add_prop(props, "drydock:package:dev", "true");
    add_prop(props, "drydock:package:checksum", p->checksum);
    for (size_t i = 0; i < p->n_lang_purls; i++)
        add_prop(props, "drydock:package:language_purl", p->lang_purls[i]);
    json_object_set_new(c, "properties", props);
    if ((ev = evidence(p)))
        json_object_set_new(c, "evidence", ev);
    return c;
}

/* bom-refs must be unique: the purl, with "#N" added when two packages share one (the same
 * package listed by two databases, or by a removed and a present version of one file). */
char **dd_sbom__cyclonedx_refs(const dd_inventory *inv)
{
    size_t n = dd_inventory_count(inv);
    char **refs = dd_calloc(n + 1, sizeof(*refs));

    if (!refs)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const dd_package *p = dd_inventory_get(inv, i);
        dd_buf b = DD_BUF_INIT;
        size_t dup = 0;

        /* the inventory is sorted by type and name: equal purls sit in one run */
        for (size_t j = i; j-- > 0;) {
            const dd_package *q = dd_inventory_get(inv, j);

            if (q->type != p->type || strcmp(q->name, p->name) != 0)
                break;
            if (p->purl && q->purl && strcmp(p->purl, q->purl) == 0)
                dup++;
        }
        if (dd_buf_puts(&b, p->purl ? p->purl : p->name) != DD_OK ||
            (dup && dd_buf_printf(&b, "#%zu", dup) != DD_OK) ||
            !(refs[i] = dd_buf_detach(&b, NULL))) {
            dd_buf_dispose(&b);
            for (size_t k = 0; k < i; k++)
                dd_free(refs[k]);
            dd_free(refs);
            return NULL;
        }
    }
    return refs;
}

void dd_sbom__refs_free(char **refs)
{
    if (!refs)
        return;
    for (size_t i = 0; refs[i]; i++)
        dd_free(refs[i]);
    dd_free(refs);
}

int dd_sbom__write_cyclonedx(json_t **out, const dd_inventory *inv, const dd_sbom_subject *s,
                             const dd_sbom_opts *opts, const char *serial)
{
    const dd_os_info *os = dd_inventory_os(inv);
    json_t *doc = json_object(), *meta = json_object(), *tools = json_object(),
           *tool_list = json_array(), *tool = json_object(), *image = json_object(),
           *comps = json_array(), *deps = json_array(), *image_dep = json_object(),
           *image_on = json_array(), *os_dep = NULL, *os_on = NULL, *props = json_array();
    char ts[32], urn[64], os_ref[256];
    char **refs = dd_sbom__cyclonedx_refs(inv);
    size_t n = dd_inventory_count(inv);

    *out = NULL;
    if (!refs) {
        json_t *made[] = {doc,   meta, tools,     tool,     tool_list, image,
                          comps, deps, image_dep, image_on, props};

        for (size_t i = 0; i < DD_ARRAY_SIZE(made); i++)
            json_decref(made[i]);
        return dd_error_set(DD_ENOMEM, "out of memory");
    }
    snprintf(urn, sizeof(urn), "urn:uuid:%s", serial);
    dd_sbom__timestamp(ts, opts->timestamp);
    json_object_set_new(doc, "$schema", json_string("http://cyclonedx.org/schema/bom-1.6.schema.json"));
    json_object_set_new(doc, "bomFormat", json_string("CycloneDX"));
    json_object_set_new(doc, "specVersion", json_string("1.6"));
    json_object_set_new(doc, "serialNumber", json_string(urn));
    json_object_set_new(doc, "version", json_integer(1));
    json_object_set_new(meta, "timestamp", json_string(ts));
    json_object_set_new(tool, "type", json_string("application"));
    json_object_set_new(tool, "name", json_string("drydock"));
    json_object_set_new(tool, "version",
                        json_string(opts->tool_version ? opts->tool_version : dd_version()));
    json_array_append_new(tool_list, tool);
    json_object_set_new(tools, "components", tool_list);
    json_object_set_new(meta, "tools", tools);
    json_object_set_new(image, "bom-ref", json_string("drydock:image"));
    json_object_set_new(image, "type", json_string("container"));
    json_object_set_new(image, "name", json_string(s && s->name ? s->name : "image"));
    if (s)
        dd_sbom__set_str(image, "version", s->digest);
    if (s) {
        add_prop(props, "drydock:image:digest", s->digest);
        add_prop(props, "drydock:image:config_digest", s->config_digest);
        add_prop(props, "drydock:image:platform", s->platform);
        for (size_t i = 0; i < s->n_layers; i++) {
            char name[64];

            snprintf(name, sizeof(name), "drydock:layer:%zu", i);
            add_prop(props, name, s->layers[i].diff_id ? s->layers[i].diff_id
                                                       : s->layers[i].digest);
        }
    }
    if (json_array_size(props))
        json_object_set_new(image, "properties", props);
    else
        json_decref(props);
    json_object_set_new(meta, "component", image);
    json_object_set_new(doc, "metadata", meta);
    if (os && os->id) {
        json_t *oc = json_object(), *op = json_array();

        snprintf(os_ref, sizeof(os_ref), "drydock:os:%s%s%s", os->id,
                 os->version_id ? "@" : "", os->version_id ? os->version_id : "");
        json_object_set_new(oc, "bom-ref", json_string(os_ref));
        json_object_set_new(oc, "type", json_string("operating-system"));
        json_object_set_new(oc, "name", json_string(os->id));
        dd_sbom__set_str(oc, "version", os->version_id ? os->version_id : os->version_codename);
        dd_sbom__set_str(oc, "description", os->pretty_name);
        add_prop(op, "drydock:os:codename", os->version_codename);
        add_prop(op, "drydock:os:source", os->source_path);
        if (json_array_size(op))
            json_object_set_new(oc, "properties", op);
        else
            json_decref(op);
        json_array_append_new(comps, oc);
        os_dep = json_object();
        os_on = json_array();
        json_array_append_new(image_on, json_string(os_ref));
    }
    for (size_t i = 0; i < n; i++) {
        const dd_package *p = dd_inventory_get(inv, i);

        json_array_append_new(comps, component(p, refs[i], s));
        if (os_on && is_os_type(p->type))
            json_array_append_new(os_on, json_string(refs[i]));
        else
            json_array_append_new(image_on, json_string(refs[i]));
    }
    json_object_set_new(doc, "components", comps);
    json_object_set_new(image_dep, "ref", json_string("drydock:image"));
    json_object_set_new(image_dep, "dependsOn", image_on);
    json_array_append_new(deps, image_dep);
    if (os_dep) {
        json_object_set_new(os_dep, "ref", json_string(os_ref));
        json_object_set_new(os_dep, "dependsOn", os_on);
        json_array_append_new(deps, os_dep);
    }
    for (size_t i = 0; i < n; i++) {
        json_t *d = json_object();

        json_object_set_new(d, "ref", json_string(refs[i]));
        json_array_append_new(deps, d);
    }
    json_object_set_new(doc, "dependencies", deps);
    dd_sbom__refs_free(refs);
    *out = doc;
    return DD_OK;
}
