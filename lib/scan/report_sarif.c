/* SARIF 2.1.0 as GitHub code scanning reads it: one rule per vulnerability id, one result per
 * finding, located at the package database that lists the package. */
#include "scan/report_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define INFORMATION_URI "https://github.com/drydock/drydock"

static const char *sarif_level(dd_severity s)
{
    return s >= DD_SEV_HIGH ? "error" : s == DD_SEV_MEDIUM ? "warning" : "note";
}

static bool has_score(const dd_finding *f)
{
    return f->cvss_score >= 0 && isfinite(f->cvss_score);
}

/* GitHub ranks alerts by "security-severity": the CVSS score, else a value inside the band of
 * the severity. False when there is neither. */
static bool security_severity(char out[16], const dd_finding *f)
{
    static const double band[DD_SEV_COUNT] = {-1, 2.0, 5.5, 8.0, 9.5};
    double v = has_score(f) ? f->cvss_score : band[dd_report__severity(f)];

    if (v < 0)
        return false;
    snprintf(out, 16, "%.1f", v > 10.0 ? 10.0 : v);
    return true;
}

/* Whether `a` ranks above `b` for the rule both share: higher severity, then higher score. */
static bool ranks_above(const dd_finding *a, const dd_finding *b)
{
    double sa = has_score(a) ? a->cvss_score : -1, sb = has_score(b) ? b->cvss_score : -1;

    if (dd_report__severity(a) != dd_report__severity(b))
        return dd_report__severity(a) > dd_report__severity(b);
    return sa > sb;
}

/* An artifactLocation uri: the path percent-encoded where RFC 3986 does not allow it ("%3A" for
 * ":", so an image reference "alpine:3.20" does not read as a scheme). */
static int location_uri(dd_buf *b, const char *path)
{
    static const char keep[] = "-._~/!$&'()*+,;=@";
    int rc = DD_OK;

    for (const unsigned char *s = (const unsigned char *)path; *s && rc == DD_OK; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            strchr(keep, *s))
            rc = dd_buf_putc(b, (char)*s);
        else
            rc = dd_buf_printf(b, "%%%02X", *s);
    }
    return rc;
}

static json_t *text_obj(const char *text, int *rc)
{
    json_t *o = json_object();

    if (!o) {
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
        return NULL;
    }
    dd_report__set(o, "text", dd_report__jstr(text), rc);
    return o;
}

static json_t *make_rule(const dd_finding *f, int *rc)
{
    json_t *rule = json_object(), *cfg = json_object(), *props = json_object(),
           *tags = json_array(), *help = json_object();
    const char *url = dd_report__first_url(f), *sev = dd_severity_name(dd_report__severity(f));
    const char *title = f->title ? f->title : f->description ? f->description : f->id;
    dd_buf text = DD_BUF_INIT, md = DD_BUF_INIT, brief = DD_BUF_INIT;
    char score[16];

    if (!rule || !cfg || !props || !tags || !help) {
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
        json_decref(rule);
        json_decref(cfg);
        json_decref(props);
        json_decref(tags);
        json_decref(help);
        return NULL;
    }
    dd_report__set(rule, "id", dd_report__jstr(f->id), rc);
    /* one line: the title, or the start of the description when there is none */
    if (dd_report__clean(&brief, title, 200, NULL) != DD_OK)
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
    dd_report__set(rule, "shortDescription", text_obj(brief.len ? brief.data : f->id, rc), rc);
    dd_buf_dispose(&brief);
    dd_report__set(rule, "fullDescription", text_obj(f->description ? f->description : title, rc),
                   rc);
    dd_report__set(cfg, "level", json_string(sarif_level(dd_report__severity(f))), rc);
    dd_report__set(rule, "defaultConfiguration", cfg, rc);
    if (url)
        dd_report__set(rule, "helpUri", dd_report__jstr(url), rc);
    if (dd_buf_printf(&text, "Vulnerability %s\nSeverity: %s\n", f->id, sev) != DD_OK ||
        dd_buf_printf(&md, "**Vulnerability %s**\n\nSeverity: %s\n", f->id, sev) != DD_OK ||
        (has_score(f) &&
         (dd_buf_printf(&text, "CVSS: %.1f%s%s\n", f->cvss_score, f->cvss_vector ? " " : "",
                        f->cvss_vector ? f->cvss_vector : "") != DD_OK ||
          dd_buf_printf(&md, "\nCVSS: %.1f%s%s%s\n", f->cvss_score, f->cvss_vector ? " `" : "",
                        f->cvss_vector ? f->cvss_vector : "",
                        f->cvss_vector ? "`" : "") != DD_OK)) ||
        (f->description && (dd_buf_printf(&text, "%s\n", f->description) != DD_OK ||
                            dd_buf_printf(&md, "\n%s\n", f->description) != DD_OK)) ||
        (url && (dd_buf_printf(&text, "%s\n", url) != DD_OK ||
                 dd_buf_printf(&md, "\n[%s](%s)\n", f->id, url) != DD_OK)))
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
    dd_report__set(help, "text", dd_report__jstr(text.data), rc);
    dd_report__set(help, "markdown", dd_report__jstr(md.data), rc);
    dd_report__set(rule, "help", help, rc);
    dd_buf_dispose(&text);
    dd_buf_dispose(&md);
    if (security_severity(score, f))
        dd_report__set(props, "security-severity", json_string(score), rc);
    dd_report__append(tags, json_string("vulnerability"), rc);
    dd_report__append(tags, json_string("security"), rc);
    dd_report__append(tags, json_string(sev), rc);
    dd_report__set(props, "tags", tags, rc);
    dd_report__set(rule, "properties", props, rc);
    return rule;
}

/* Two packages of one database file share its location: a fingerprint of the vulnerability
 * and the package keeps their alerts apart, and the same across scans. */
static json_t *fingerprint(const dd_finding *f, const dd_package *p, int *rc)
{
    json_t *o = json_object();
    dd_buf b = DD_BUF_INIT;
    char digest[72];

    if (!o ||
        dd_buf_printf(&b, "%s\n%s\n%s\n%s", f->id,
                      p && p->purl   ? p->purl
                      : p && p->name ? p->name
                                     : "",
                      p && p->arch ? p->arch : "", p && p->db_path ? p->db_path : "") != DD_OK ||
        dd_sha256_digest(digest, b.data, b.len) != DD_OK) {
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
        dd_buf_dispose(&b);
        return o;
    }
    /* "sha256:" and the first 32 hex digits */
    digest[7 + 32] = '\0';
    dd_report__set(o, "drydockPackage/v1", json_string(digest + 7), rc);
    dd_buf_dispose(&b);
    return o;
}

static json_t *make_result(const dd_scan_result *r, const dd_finding *f, size_t rule_index,
                           const dd_report_opts *opts, int *rc)
{
    const dd_package *p = dd_report__package(r, f);
    const char *url = dd_report__first_url(f);
    const char *where = p && p->db_path ? p->db_path : opts->target ? opts->target : "image";
    json_t *res = json_object(), *loc = json_object(), *phys = json_object(), *art = json_object(),
           *region = json_object(), *locs = json_array();
    dd_buf msg = DD_BUF_INIT, uri = DD_BUF_INIT, what = DD_BUF_INIT;

    if (!res || !loc || !phys || !art || !region || !locs) {
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
        json_decref(res);
        json_decref(loc);
        json_decref(phys);
        json_decref(art);
        json_decref(region);
        json_decref(locs);
        return NULL;
    }
    if (dd_buf_printf(&msg,
                      "Package: %s\nInstalled Version: %s\nVulnerability %s\nSeverity: %s\n"
                      "Fixed Version: %s",
                      p && p->name ? p->name : "?", f->installed ? f->installed : "?", f->id,
                      dd_severity_name(dd_report__severity(f)),
                      f->fixed ? f->fixed : "none") != DD_OK ||
        (url && dd_buf_printf(&msg, "\nLink: [%s](%s)", f->id, url) != DD_OK) ||
        location_uri(&uri, where) != DD_OK ||
        dd_buf_printf(&what, "%s@%s", p && p->name ? p->name : "?",
                      f->installed ? f->installed : "?") != DD_OK)
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
    dd_report__set(res, "ruleId", dd_report__jstr(f->id), rc);
    dd_report__set(res, "ruleIndex", json_integer((json_int_t)rule_index), rc);
    dd_report__set(res, "level", json_string(sarif_level(dd_report__severity(f))), rc);
    dd_report__set(res, "message", text_obj(msg.data, rc), rc);
    dd_report__set(art, "uri", dd_report__jstr(uri.data), rc);
    dd_report__set(phys, "artifactLocation", art, rc);
    dd_report__set(region, "startLine", json_integer(1), rc);
    dd_report__set(phys, "region", region, rc);
    dd_report__set(loc, "physicalLocation", phys, rc);
    dd_report__set(loc, "message", text_obj(what.data, rc), rc);
    dd_report__append(locs, loc, rc);
    dd_report__set(res, "locations", locs, rc);
    dd_report__set(res, "partialFingerprints", fingerprint(f, p, rc), rc);
    if (f->suppressed != DD_SUPPRESS_NONE) {
        json_t *sups = json_array(), *sup = json_object();

        if (sup) {
            dd_report__set(sup, "kind", json_string("external"), rc);
            if (f->suppress_reason)
                dd_report__set(sup, "justification", dd_report__jstr(f->suppress_reason), rc);
        }
        dd_report__append(sups, sup, rc);
        if (sups)
            dd_report__set(res, "suppressions", sups, rc);
        else
            *rc = dd_error_set(DD_ENOMEM, "out of memory");
    }
    dd_buf_dispose(&msg);
    dd_buf_dispose(&uri);
    dd_buf_dispose(&what);
    return res;
}

/* --- issues: one rule per rule id, one result per issue at its file (or the image) --- */

static json_t *make_issue_rule(const dd_issue *is, int *rc)
{
    json_t *rule = json_object(), *cfg = json_object(), *props = json_object(),
           *tags = json_array(), *help = json_object();
    const char *title = is->title ? is->title : is->rule_id;
    dd_buf text = DD_BUF_INIT;
    char score[16];
    static const double band[DD_SEV_COUNT] = {-1, 2.0, 5.5, 8.0, 9.5};

    if (!rule || !cfg || !props || !tags || !help) {
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
        json_decref(rule);
        json_decref(cfg);
        json_decref(props);
        json_decref(tags);
        json_decref(help);
        return NULL;
    }
    dd_report__set(rule, "id", dd_report__jstr(is->rule_id), rc);
    dd_report__set(rule, "shortDescription", text_obj(title, rc), rc);
    dd_report__set(rule, "fullDescription", text_obj(title, rc), rc);
    dd_report__set(cfg, "level", json_string(sarif_level(is->severity)), rc);
    dd_report__set(rule, "defaultConfiguration", cfg, rc);
    if (dd_buf_printf(&text, "%s\nSeverity: %s\n%s%s", title, dd_severity_name(is->severity),
                      is->fix ? "Fix: " : "", is->fix ? is->fix : "") != DD_OK)
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
    dd_report__set(help, "text", dd_report__jstr(text.data), rc);
    dd_report__set(help, "markdown", dd_report__jstr(text.data), rc);
    dd_report__set(rule, "help", help, rc);
    dd_buf_dispose(&text);
    if (band[is->severity] > 0) {
        snprintf(score, sizeof(score), "%.1f", band[is->severity]);
        dd_report__set(props, "security-severity", json_string(score), rc);
    }
    dd_report__append(tags, json_string(dd_issue_class_name(is->cls)), rc);
    dd_report__append(tags, json_string("security"), rc);
    dd_report__append(tags, json_string(dd_severity_name(is->severity)), rc);
    dd_report__set(props, "tags", tags, rc);
    dd_report__set(rule, "properties", props, rc);
    return rule;
}

static json_t *make_issue_result(const dd_issue *is, size_t rule_index, const dd_report_opts *opts,
                                 int *rc)
{
    const char *where = is->path ? is->path : opts->target ? opts->target : "image";
    json_t *res = json_object(), *loc = json_object(), *phys = json_object(), *art = json_object(),
           *region = json_object(), *locs = json_array(), *fp = json_object();
    dd_buf msg = DD_BUF_INIT, uri = DD_BUF_INIT, key = DD_BUF_INIT;
    char digest[72];

    if (!res || !loc || !phys || !art || !region || !locs || !fp) {
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
        json_decref(res);
        json_decref(loc);
        json_decref(phys);
        json_decref(art);
        json_decref(region);
        json_decref(locs);
        json_decref(fp);
        return NULL;
    }
    if (dd_buf_printf(&msg, "%s", is->message ? is->message : is->title ? is->title : "") !=
            DD_OK ||
        (is->location && dd_buf_printf(&msg, " (%s)", is->location) != DD_OK) ||
        (is->layer >= 0 && dd_buf_printf(&msg, "\nLayer: %d", is->layer) != DD_OK) ||
        (is->removed_in >= 0 &&
         dd_buf_printf(&msg, " (removed in layer %d, still shipped)", is->removed_in) != DD_OK) ||
        location_uri(&uri, where) != DD_OK ||
        dd_buf_printf(&key, "%s\n%s\n%s\n%d\n%u\n%s", is->rule_id ? is->rule_id : "", where,
                      is->location ? is->location : "", is->layer, is->line,
                      is->match ? is->match : "") != DD_OK ||
        dd_sha256_digest(digest, key.data, key.len) != DD_OK)
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
    dd_report__set(res, "ruleId", dd_report__jstr(is->rule_id), rc);
    dd_report__set(res, "ruleIndex", json_integer((json_int_t)rule_index), rc);
    dd_report__set(res, "level", json_string(sarif_level(is->severity)), rc);
    dd_report__set(res, "message", text_obj(msg.data, rc), rc);
    dd_report__set(art, "uri", dd_report__jstr(uri.data), rc);
    dd_report__set(phys, "artifactLocation", art, rc);
    dd_report__set(region, "startLine", json_integer(is->line ? is->line : 1), rc);
    dd_report__set(phys, "region", region, rc);
    dd_report__set(loc, "physicalLocation", phys, rc);
    dd_report__append(locs, loc, rc);
    dd_report__set(res, "locations", locs, rc);
    if (*rc == DD_OK)
        digest[7 + 32] = '\0';
    dd_report__set(fp, "drydockIssue/v1", json_string(*rc == DD_OK ? digest + 7 : ""), rc);
    dd_report__set(res, "partialFingerprints", fp, rc);
    if (is->suppressed != DD_SUPPRESS_NONE) {
        json_t *sups = json_array(), *sup = json_object();

        if (sup) {
            dd_report__set(sup, "kind", json_string("external"), rc);
            if (is->suppress_reason)
                dd_report__set(sup, "justification", dd_report__jstr(is->suppress_reason), rc);
        }
        dd_report__append(sups, sup, rc);
        if (sups)
            dd_report__set(res, "suppressions", sups, rc);
        else
            *rc = dd_error_set(DD_ENOMEM, "out of memory");
    }
    dd_buf_dispose(&msg);
    dd_buf_dispose(&uri);
    dd_buf_dispose(&key);
    return res;
}

static json_t *run_properties(const dd_scan_result *r, const dd_report_opts *opts, int *rc)
{
    json_t *props = json_object();
    const dd_inventory *inv = dd_scan_inventory(r);
    const dd_os_info *os = inv ? dd_inventory_os(inv) : NULL;

    if (!props) {
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
        return NULL;
    }
    dd_report__set(props, "target", dd_report__jstr(opts->target), rc);
    dd_report__set(props, "digest", dd_report__jstr(opts->target_digest), rc);
    dd_report__set(props, "os", dd_report__jstr(os ? os->pretty_name : NULL), rc);
    dd_report__set(props, "ecosystem", dd_report__jstr(dd_scan_os_ecosystem_used(r)), rc);
    return props;
}

static json_t *invocation(const dd_scan_result *r, const dd_report_opts *opts, int *rc)
{
    json_t *inv = json_object(), *notes = json_array();
    char ts[32];

    if (!inv || !notes) {
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
        json_decref(inv);
        json_decref(notes);
        return NULL;
    }
    dd_report__timestamp(ts, opts->timestamp);
    dd_report__set(inv, "executionSuccessful", json_true(), rc);
    dd_report__set(inv, "endTimeUtc", json_string(ts), rc);
    for (size_t i = 0; i < dd_scan_note_count(r); i++) {
        json_t *n = json_object();

        if (n) {
            dd_report__set(n, "level", json_string("note"), rc);
            dd_report__set(n, "message", text_obj(dd_scan_note(r, i), rc), rc);
        }
        dd_report__append(notes, n, rc);
    }
    if (json_array_size(notes))
        dd_report__set(inv, "toolExecutionNotifications", notes, rc);
    else
        json_decref(notes);
    return inv;
}

/* The results, made one at a time while the log is written. */
typedef struct {
    const dd_scan_result *r;
    const dd_report_opts *opts;
    const size_t *shown;
    size_t n_shown, next;
    size_t next_issue;
    json_t *index; /* rule id -> index in the rules array */
} result_stream;

static int next_result(json_t **out, void *payload)
{
    result_stream *st = payload;
    const dd_finding *f;
    int rc = DD_OK;

    *out = NULL;
    if (st->next == st->n_shown) {
        /* then the issues shown */
        while (st->next_issue < dd_scan_issue_count(st->r)) {
            const dd_issue *is = dd_scan_issue_get(st->r, st->next_issue++);

            if (!dd_report__issue_shown(st->opts, is))
                continue;
            *out = make_issue_result(
                is, (size_t)json_integer_value(json_object_get(st->index, is->rule_id)), st->opts,
                &rc);
            break;
        }
        if (rc != DD_OK) {
            json_decref(*out);
            *out = NULL;
        }
        return rc;
    }
    f = dd_scan_get(st->r, st->shown[st->next++]);
    *out = make_result(st->r, f, (size_t)json_integer_value(json_object_get(st->index, f->id)),
                       st->opts, &rc);
    if (rc != DD_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int dd_report__sarif(FILE *fp, const dd_scan_result *r, const dd_report_opts *opts)
{
    json_t *root = json_object(), *run = json_object(), *tool = json_object(),
           *driver = json_object(), *rules = json_array(), *index = json_object(),
           *runs = json_array(), *invs = json_array();
    const dd_finding **reps = NULL; /* the finding that describes each rule */
    size_t *shown = NULL, n_shown = 0, n_rules = 0;
    result_stream st;
    int rc = DD_OK;

    if (!root || !run || !tool || !driver || !rules || !index || !runs || !invs) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        json_decref(run);
        json_decref(tool);
        json_decref(driver);
        json_decref(rules);
        json_decref(runs);
        json_decref(invs);
        goto done;
    }
    if ((rc = dd_report__shown_list(&shown, &n_shown, r, opts)) != DD_OK)
        goto fail;
    if (n_shown && !(reps = dd_calloc(n_shown, sizeof(*reps)))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto fail;
    }
    /* one rule per id, in order of first appearance, described by its most severe finding */
    for (size_t i = 0; i < n_shown && rc == DD_OK; i++) {
        const dd_finding *f = dd_scan_get(r, shown[i]);
        json_t *at = json_object_get(index, f->id);

        if (at) {
            size_t k = (size_t)json_integer_value(at);

            if (ranks_above(f, reps[k]))
                reps[k] = f;
            continue;
        }
        reps[n_rules] = f;
        /* an internal map, never written: ids need not be checked as UTF-8 keys */
        if (json_object_set_new_nocheck(index, f->id, json_integer((json_int_t)n_rules)) != 0)
            rc = dd_error_set(DD_ENOMEM, "out of memory");
        n_rules++;
    }
    for (size_t k = 0; k < n_rules && rc == DD_OK; k++)
        dd_report__append(rules, make_rule(reps[k], &rc), &rc);
    /* the issues' rules after the vulnerabilities', in order of first appearance */
    for (size_t i = 0; i < dd_scan_issue_count(r) && rc == DD_OK; i++) {
        const dd_issue *is = dd_scan_issue_get(r, i);

        if (!is->rule_id || !dd_report__issue_shown(opts, is) ||
            json_object_get(index, is->rule_id))
            continue;
        if (json_object_set_new_nocheck(index, is->rule_id, json_integer((json_int_t)n_rules)) !=
            0)
            rc = dd_error_set(DD_ENOMEM, "out of memory");
        n_rules++;
        dd_report__append(rules, make_issue_rule(is, &rc), &rc);
    }
fail:
    dd_report__set(driver, "name", json_string("drydock"), &rc);
    dd_report__set(driver, "version", dd_report__jstr(dd_report__tool_version(opts)), &rc);
    dd_report__set(driver, "informationUri", json_string(INFORMATION_URI), &rc);
    dd_report__set(driver, "rules", rules, &rc);
    dd_report__set(tool, "driver", driver, &rc);
    dd_report__set(run, "tool", tool, &rc);
    dd_report__append(invs, invocation(r, opts, &rc), &rc);
    dd_report__set(run, "invocations", invs, &rc);
    dd_report__set(run, "properties", run_properties(r, opts, &rc), &rc);
    /* last, so the results can be written one at a time */
    dd_report__set(run, "results", json_string(DD_REPORT_STREAM_TOKEN), &rc);
    dd_report__set(root, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"),
                   &rc);
    dd_report__set(root, "version", json_string("2.1.0"), &rc);
    dd_report__append(runs, run, &rc);
    dd_report__set(root, "runs", runs, &rc);
    st = (result_stream){r, opts, shown, n_shown, 0, 0, index};
    if (rc == DD_OK)
        rc = dd_report__dump_streamed(fp, root, next_result, &st);
done:
    json_decref(root);
    json_decref(index);
    dd_free(reps);
    dd_free(shown);
    return rc;
}
