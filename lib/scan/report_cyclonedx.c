/* CycloneDX 1.6 JSON with vulnerabilities: the image's SBOM as drydock's SBOM writer makes it
 * (the same components and bom-refs) and one vulnerabilities[] entry per finding shown. */
#include "scan/report_int.h"
#include "sbom/sbom_int.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

/* uuid5(URL namespace, "https://drydock.dev/scan"): the namespace of report serial numbers */
static const unsigned char scan_ns[16] = {0x78, 0xe9, 0xd3, 0xfd, 0x0b, 0xc0, 0x55, 0x68,
                                          0x89, 0x78, 0xd1, 0xc0, 0xfa, 0x37, 0xce, 0x6d};

/* Who publishes ids of each prefix, and where one id is documented (the id is appended). */
static const struct {
    const char *prefix, *name, *url;
} id_sources[] = {
    {"CVE-", "NVD", "https://nvd.nist.gov/vuln/detail/"},
    {"GHSA-", "GitHub", "https://github.com/advisories/"},
    {"DSA-", "Debian", "https://security-tracker.debian.org/tracker/"},
    {"DLA-", "Debian", "https://security-tracker.debian.org/tracker/"},
    {"DTSA-", "Debian", "https://security-tracker.debian.org/tracker/"},
    {"DEBIAN-", "Debian", "https://osv.dev/vulnerability/"},
    {"USN-", "Ubuntu", "https://ubuntu.com/security/notices/"},
    {"UBUNTU-", "Ubuntu", "https://osv.dev/vulnerability/"},
    {"ALPINE-", "Alpine", "https://osv.dev/vulnerability/"},
    {"RHSA-", "Red Hat", "https://access.redhat.com/errata/"},
    {"RHBA-", "Red Hat", "https://access.redhat.com/errata/"},
    {"RHEA-", "Red Hat", "https://access.redhat.com/errata/"},
    {"ALSA-", "AlmaLinux", "https://osv.dev/vulnerability/"},
    {"RLSA-", "Rocky Linux", "https://osv.dev/vulnerability/"},
    {"GO-", "Go", "https://pkg.go.dev/vuln/"},
    {"PYSEC-", "PyPA", "https://osv.dev/vulnerability/"},
    {"RUSTSEC-", "RustSec", "https://osv.dev/vulnerability/"},
};

/* Ids are appended to URLs as they are: only for the characters ids are made of. */
static bool url_safe_id(const char *id)
{
    if (!*id)
        return false;
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-._:", *p))
            return false;
    return true;
}

static json_t *id_source(const char *id, int *rc)
{
    const char *name = "OSV", *url = "https://osv.dev/vulnerability/";
    json_t *src = json_object();
    dd_buf b = DD_BUF_INIT;

    if (!src) {
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < DD_ARRAY_SIZE(id_sources); i++)
        if (strncmp(id, id_sources[i].prefix, strlen(id_sources[i].prefix)) == 0) {
            name = id_sources[i].name;
            url = id_sources[i].url;
            break;
        }
    dd_report__set(src, "name", json_string(name), rc);
    if (url_safe_id(id)) {
        if (dd_buf_printf(&b, "%s%s", url, id) != DD_OK)
            *rc = dd_error_set(DD_ENOMEM, "out of memory");
        dd_report__set(src, "url", json_string(b.data), rc);
    }
    dd_buf_dispose(&b);
    return src;
}

static const char *severity_lower(dd_severity s)
{
    static const char *const names[DD_SEV_COUNT] = {"unknown", "low", "medium", "high", "critical"};

    return names[s];
}

static const char *cvss_method(const char *vector)
{
    if (!vector)
        return "other";
    if (strncmp(vector, "CVSS:3.1/", 9) == 0)
        return "CVSSv31";
    if (strncmp(vector, "CVSS:3.0/", 9) == 0)
        return "CVSSv3";
    if (strncmp(vector, "CVSS:4.0/", 9) == 0)
        return "CVSSv4";
    if (strncmp(vector, "AV:", 3) == 0) /* v2 vectors carry no prefix */
        return "CVSSv2";
    return "other";
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* An RFC 3339 date-time for the schema's "date-time" fields: the value as it is when it is one,
 * midnight UTC of a bare date, else NULL. */
static const char *date_time(char out[64], const char *s)
{
    size_t n = s ? strlen(s) : 0, i = 19;

    if (n < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2))
        return NULL;
    if (n == 10) {
        snprintf(out, 64, "%.10sT00:00:00Z", s);
        return out;
    }
    if (n < 20 || n >= 64 || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2) || s[13] != ':' ||
        !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
        return NULL;
    if (s[i] == '.') {
        size_t k = ++i;

        while (i < n && isdigit((unsigned char)s[i]))
            i++;
        if (i == k)
            return NULL;
    }
    if ((i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) ||
        (i + 6 == n && (s[i] == '+' || s[i] == '-') && digits(s + i + 1, 2) && s[i + 3] == ':' &&
         digits(s + i + 4, 2)))
        return s;
    return NULL;
}

static void add_prop(json_t *props, const char *name, const char *value, int *rc)
{
    json_t *o;

    if (!value)
        return;
    if (!(o = json_object())) {
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
        return;
    }
    dd_report__set(o, "name", json_string(name), rc);
    dd_report__set(o, "value", dd_report__jstr(value), rc);
    dd_report__append(props, o, rc);
}

static json_t *ratings(const dd_finding *f, int *rc)
{
    json_t *a = json_array();
    bool scored = f->cvss_score >= 0 && isfinite(f->cvss_score);
    const char *src = f->severity_source;

    if (!a) {
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
        return NULL;
    }
    if (scored) {
        json_t *o = json_object();

        if (o) {
            dd_report__set(o, "score", json_real(f->cvss_score), rc);
            dd_report__set(o, "severity",
                           json_string(severity_lower(dd_severity_from_score(f->cvss_score))), rc);
            dd_report__set(o, "method", json_string(cvss_method(f->cvss_vector)), rc);
            if (f->cvss_vector)
                dd_report__set(o, "vector", dd_report__jstr(f->cvss_vector), rc);
        }
        dd_report__append(a, o, rc);
    }
    /* the rating a distribution or an advisory gives as a word, beside the computed score */
    if (src && strncmp(src, "cvss", 4) != 0) {
        json_t *o = json_object(), *so = json_object();

        if (o && so) {
            dd_report__set(so, "name", dd_report__jstr(src), rc);
            dd_report__set(o, "source", so, rc);
            dd_report__set(o, "severity", json_string(severity_lower(dd_report__severity(f))), rc);
            dd_report__set(o, "method", json_string("other"), rc);
        } else {
            json_decref(so);
        }
        dd_report__append(a, o, rc);
    } else if (!scored && dd_report__severity(f) != DD_SEV_UNKNOWN) {
        json_t *o = json_object();

        if (o) {
            dd_report__set(o, "severity", json_string(severity_lower(dd_report__severity(f))), rc);
            dd_report__set(o, "method", json_string("other"), rc);
        }
        dd_report__append(a, o, rc);
    }
    return a;
}

/* Other ids of the same vulnerability: the aliases, and the records merged into the finding. */
static json_t *references(const dd_finding *f, int *rc)
{
    json_t *a = json_array(), *seen = json_object();

    if (!a || !seen) {
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
        json_decref(seen);
        return a;
    }
    if (json_object_set_new_nocheck(seen, f->id, json_true()) != 0)
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t pass = 0; pass < 2; pass++) {
        const char *const *v = pass == 0 ? f->aliases : f->records;
        size_t n = pass == 0 ? f->n_aliases : f->n_records;

        for (size_t i = 0; i < n && *rc == DD_OK; i++) {
            json_t *o;

            if (!v[i] || json_object_get(seen, v[i]))
                continue;
            if (json_object_set_new_nocheck(seen, v[i], json_true()) != 0 || !(o = json_object())) {
                *rc = dd_error_set(DD_ENOMEM, "out of memory");
                break;
            }
            dd_report__set(o, "id", dd_report__jstr(v[i]), rc);
            dd_report__set(o, "source", id_source(v[i], rc), rc);
            dd_report__append(a, o, rc);
        }
    }
    json_decref(seen);
    return a;
}

/* Analysis of a suppressed finding. A VEX statement that suppresses says the package is not
 * affected (or fixed); an ignore-file entry is the user's decision that the finding does not
 * apply. Neither claims a remediation, so both are "not_affected"; the response and detail say
 * which it was. */
static json_t *analysis(const dd_finding *f, int *rc)
{
    json_t *o = json_object(), *resp = json_array();
    dd_buf detail = DD_BUF_INIT;
    bool vex = f->suppressed == DD_SUPPRESS_VEX;

    if (!o || !resp) {
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
        json_decref(resp);
        return o;
    }
    dd_report__set(o, "state", json_string("not_affected"), rc);
    if (!vex) {
        dd_report__append(resp, json_string("will_not_fix"), rc);
        dd_report__set(o, "response", resp, rc);
    } else {
        json_decref(resp);
    }
    if (dd_buf_printf(&detail, "%s%s%s",
                      vex ? "suppressed by a VEX statement" : "suppressed by an ignore file entry",
                      f->suppress_reason ? ": " : "",
                      f->suppress_reason ? f->suppress_reason : "") != DD_OK)
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
    dd_report__set(o, "detail", dd_report__jstr(detail.data), rc);
    dd_buf_dispose(&detail);
    return o;
}

/* Sets `key` to array `a` unless it is empty. */
static void set_array(json_t *o, const char *key, json_t *a, int *rc)
{
    if (a && json_array_size(a) == 0)
        json_decref(a);
    else
        dd_report__set(o, key, a, rc);
}

static json_t *vulnerability(const dd_scan_result *r, const dd_finding *f, const char *ref,
                             json_t *used_refs, int *rc)
{
    const dd_package *p = dd_report__package(r, f);
    json_t *v = json_object(), *affects = json_array(), *aff = json_object(),
           *versions = json_array(), *ver = json_object(), *props = json_array();
    dd_buf b = DD_BUF_INIT;
    char when[64];
    const char *t;

    if (!v || !affects || !aff || !versions || !ver || !props) {
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
        json_decref(affects);
        json_decref(aff);
        json_decref(versions);
        json_decref(ver);
        json_decref(props);
        return v;
    }
    /* bom-refs are unique in the document: the id and the package's ref, numbered on a repeat */
    if (dd_buf_printf(&b, "drydock:vuln:%s:%s", f->id, ref) != DD_OK)
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t k = 1; *rc == DD_OK && json_object_get(used_refs, b.data); k++) {
        dd_buf_clear(&b);
        if (dd_buf_printf(&b, "drydock:vuln:%s:%s#%zu", f->id, ref, k) != DD_OK)
            *rc = dd_error_set(DD_ENOMEM, "out of memory");
    }
    if (*rc == DD_OK && json_object_set_new_nocheck(used_refs, b.data, json_true()) != 0)
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
    dd_report__set(v, "bom-ref", dd_report__jstr(b.data), rc);
    dd_report__set(v, "id", dd_report__jstr(f->id), rc);
    dd_report__set(v, "source", id_source(f->id, rc), rc);
    set_array(v, "references", references(f, rc), rc);
    set_array(v, "ratings", ratings(f, rc), rc);
    if (f->title || f->description)
        dd_report__set(v, "description", dd_report__jstr(f->title ? f->title : f->description), rc);
    if (f->title && f->description)
        dd_report__set(v, "detail", dd_report__jstr(f->description), rc);
    if (f->fixed && p && p->name) {
        dd_buf_clear(&b);
        if (dd_buf_printf(&b, "Upgrade %s to %s", p->name, f->fixed) != DD_OK)
            *rc = dd_error_set(DD_ENOMEM, "out of memory");
        dd_report__set(v, "recommendation", dd_report__jstr(b.data), rc);
    }
    if (f->n_references) {
        json_t *adv = json_array();

        for (size_t i = 0; adv && i < f->n_references; i++) {
            json_t *o;

            if (!f->references[i])
                continue;
            if ((o = json_object()))
                dd_report__set(o, "url", dd_report__jstr(f->references[i]), rc);
            dd_report__append(adv, o, rc);
        }
        dd_report__set(v, "advisories", adv, rc);
    }
    if ((t = date_time(when, f->published)))
        dd_report__set(v, "published", json_string(t), rc);
    if ((t = date_time(when, f->modified)))
        dd_report__set(v, "updated", json_string(t), rc);
    if (f->suppressed != DD_SUPPRESS_NONE)
        dd_report__set(v, "analysis", analysis(f, rc), rc);
    dd_report__set(aff, "ref", dd_report__jstr(ref), rc);
    if (f->installed) {
        dd_report__set(ver, "version", dd_report__jstr(f->installed), rc);
        dd_report__set(ver, "status", json_string("affected"), rc);
        dd_report__append(versions, ver, rc);
        dd_report__set(aff, "versions", versions, rc);
    } else {
        json_decref(ver);
        json_decref(versions);
    }
    dd_report__append(affects, aff, rc);
    dd_report__set(v, "affects", affects, rc);
    add_prop(props, "drydock:vulnerability:status", dd_report__status(f), rc);
    add_prop(props, "drydock:vulnerability:fixed_version", f->fixed, rc);
    add_prop(props, "drydock:vulnerability:ecosystem", f->ecosystem, rc);
    add_prop(props, "drydock:vulnerability:matched_name", f->matched_name, rc);
    add_prop(props, "drydock:vulnerability:severity_source", f->severity_source, rc);
    dd_report__set(v, "properties", props, rc);
    dd_buf_dispose(&b);
    return v;
}

/* The serial number: a UUIDv5 of the SBOM's identity and of the findings shown, so the same
 * scan gives the same bytes and another set of findings another document. */
static int report_serial(char out[37], const dd_scan_result *r, const size_t *shown, size_t n_shown,
                         const dd_sbom_subject *subject)
{
    dd_buf b = DD_BUF_INIT;
    char base[37];
    int rc;

    if ((rc = dd_sbom__serial(base, dd_scan_inventory(r), subject)) != DD_OK)
        return rc;
    rc = dd_buf_printf(&b, "%s\n", base);
    for (size_t i = 0; i < n_shown && rc == DD_OK; i++) {
        const dd_finding *f = dd_scan_get(r, shown[i]);

        rc = dd_buf_printf(&b, "%zu %s %s %s %d %d\n", f->pkg, f->id,
                           f->installed ? f->installed : "", f->fixed ? f->fixed : "",
                           (int)dd_report__severity(f), (int)f->suppressed);
    }
    if (rc == DD_OK)
        dd_sbom_uuid5(out, scan_ns, b.data, b.len);
    dd_buf_dispose(&b);
    return rc;
}

/* The vulnerabilities, made one at a time while the document is written. */
typedef struct {
    const dd_scan_result *r;
    const size_t *shown;
    size_t n_shown, next, n_pkgs;
    char **refs;
    json_t *used_refs;
} vuln_stream;

static int next_vulnerability(json_t **out, void *payload)
{
    vuln_stream *st = payload;
    int rc = DD_OK;

    *out = NULL;
    while (st->next < st->n_shown) {
        const dd_finding *f = dd_scan_get(st->r, st->shown[st->next++]);

        /* a finding must point at a component; one outside the inventory has none */
        if (f->pkg >= st->n_pkgs)
            continue;
        *out = vulnerability(st->r, f, st->refs[f->pkg], st->used_refs, &rc);
        if (rc != DD_OK) {
            json_decref(*out);
            *out = NULL;
        }
        break;
    }
    return rc;
}

int dd_report__cyclonedx(FILE *fp, const dd_scan_result *r, const dd_report_opts *opts)
{
    const dd_inventory *inv = dd_scan_inventory(r);
    dd_sbom_subject subject = {0};
    dd_sbom_opts so = DD_SBOM_OPTS_INIT;
    json_t *doc = NULL, *used_refs = NULL;
    char **refs = NULL, serial[37];
    size_t *shown = NULL, n_shown = 0;
    vuln_stream st;
    int rc;

    subject.name = opts->target;
    subject.digest = opts->target_digest;
    so.timestamp = opts->timestamp;
    so.tool_version = opts->tool_version;
    if ((rc = dd_report__shown_list(&shown, &n_shown, r, opts)) != DD_OK ||
        (rc = report_serial(serial, r, shown, n_shown, &subject)) != DD_OK ||
        (rc = dd_sbom__write_cyclonedx(&doc, inv, &subject, &so, serial)) != DD_OK)
        goto done;
    if (!(refs = dd_sbom__cyclonedx_refs(inv)) || !(used_refs = json_object())) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    /* the last member, so the vulnerabilities can be written one at a time */
    dd_report__set(doc, "vulnerabilities", json_string(DD_REPORT_STREAM_TOKEN), &rc);
    st = (vuln_stream){r, shown, n_shown, 0, dd_inventory_count(inv), refs, used_refs};
    if (rc == DD_OK)
        rc = dd_report__dump_streamed(fp, doc, next_vulnerability, &st);
done:
    json_decref(used_refs);
    json_decref(doc);
    dd_sbom__refs_free(refs);
    dd_free(shown);
    return rc;
}
