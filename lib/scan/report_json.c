/* The "drydock-scan/1" JSON report (docs/scan-report.md), written one finding at a time in the
 * layout jansson gives with JSON_INDENT(2), so a large result never becomes one big tree. */
#include "scan/report_int.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* A streaming writer: `fresh` is set while the innermost container has no member yet. */
typedef struct {
    FILE *fp;
    unsigned depth;
    bool fresh;
} jw;

/* Starts a member: the separator, the indentation and, inside an object, the key. */
static void member(jw *w, const char *key)
{
    if (w->depth > 0) {
        fputs(w->fresh ? "\n" : ",\n", w->fp);
        fprintf(w->fp, "%*s", (int)(w->depth * 2), "");
    }
    w->fresh = false;
    if (key) {
        dd_json_put_string(w->fp, key);
        fputs(": ", w->fp);
    }
}

static void open_c(jw *w, const char *key, char c)
{
    member(w, key);
    fputc(c, w->fp);
    w->depth++;
    w->fresh = true;
}

static void close_c(jw *w, char c)
{
    w->depth--;
    if (!w->fresh)
        fprintf(w->fp, "\n%*s", (int)(w->depth * 2), "");
    fputc(c, w->fp);
    w->fresh = false;
}

static void put_str(jw *w, const char *key, const char *value)
{
    member(w, key);
    if (value)
        dd_json_put_string(w->fp, value);
    else
        fputs("null", w->fp);
}

static void put_size(jw *w, const char *key, size_t value)
{
    member(w, key);
    fprintf(w->fp, "%zu", value);
}

static void put_null(jw *w, const char *key)
{
    member(w, key);
    fputs("null", w->fp);
}

static void put_strv(jw *w, const char *key, const char *const *v, size_t n)
{
    open_c(w, key, '[');
    for (size_t i = 0; i < n; i++)
        put_str(w, NULL, v[i]);
    close_c(w, ']');
}

static void put_os(jw *w, const dd_os_info *os)
{
    if (!os) {
        put_null(w, "os");
        return;
    }
    open_c(w, "os", '{');
    put_str(w, "id", os->id);
    put_str(w, "version_id", os->version_id);
    put_str(w, "pretty_name", os->pretty_name);
    close_c(w, '}');
}

static void put_package(jw *w, const dd_package *p)
{
    if (!p) { /* a finding whose package index is outside the inventory */
        put_null(w, "package");
        return;
    }
    open_c(w, "package", '{');
    put_str(w, "name", p->name);
    put_str(w, "version", p->version);
    put_str(w, "arch", p->arch);
    put_str(w, "type", dd_pkg_type_name(p->type));
    put_str(w, "purl", p->purl);
    put_str(w, "source_name", p->source_name);
    put_str(w, "source_version", p->source_version);
    member(w, "layer");
    fprintf(w->fp, "%u", p->layer);
    put_str(w, "db_path", p->db_path);
    close_c(w, '}');
}

static void put_finding(jw *w, const dd_finding *f, const dd_package *p)
{
    open_c(w, NULL, '{');
    put_str(w, "id", f->id);
    put_strv(w, "aliases", f->aliases, f->n_aliases);
    put_strv(w, "records", f->records, f->n_records);
    put_str(w, "severity", dd_severity_name(dd_report__severity(f)));
    put_str(w, "severity_source", f->severity_source);
    if (f->cvss_score >= 0 && isfinite(f->cvss_score)) {
        open_c(w, "cvss", '{');
        member(w, "score");
        fprintf(w->fp, "%.1f", f->cvss_score);
        put_str(w, "vector", f->cvss_vector);
        close_c(w, '}');
    } else {
        put_null(w, "cvss");
    }
    put_package(w, p);
    put_str(w, "installed", f->installed);
    put_str(w, "fixed", f->fixed);
    put_str(w, "status", dd_report__status(f));
    put_str(w, "ecosystem", f->ecosystem);
    put_str(w, "matched_name", f->matched_name);
    put_str(w, "title", f->title);
    put_str(w, "description", f->description);
    put_str(w, "published", f->published);
    put_str(w, "modified", f->modified);
    put_strv(w, "references", f->references, f->n_references);
    if (f->suppressed != DD_SUPPRESS_NONE) {
        open_c(w, "suppressed", '{');
        put_str(w, "kind", dd_report__suppress_name(f->suppressed));
        put_str(w, "reason", f->suppress_reason);
        close_c(w, '}');
    } else {
        put_null(w, "suppressed");
    }
    close_c(w, '}');
}

static void put_counts(jw *w, const char *key, const dd_report_counts *c)
{
    open_c(w, key, '{');
    put_size(w, "total", c->total);
    put_size(w, "suppressed", c->suppressed);
    for (int s = DD_SEV_UNKNOWN; s < DD_SEV_COUNT; s++)
        put_size(w, dd_severity_name(s), c->by_severity[s]);
}

static void put_int_or_null(jw *w, const char *key, int64_t v, bool present)
{
    member(w, key);
    if (present)
        fprintf(w->fp, "%lld", (long long)v);
    else
        fputs("null", w->fp);
}

static void put_issue(jw *w, const dd_issue *is)
{
    open_c(w, NULL, '{');
    put_str(w, "class", dd_issue_class_name(is->cls));
    put_str(w, "rule_id", is->rule_id);
    put_str(w, "category", is->category);
    put_str(w, "severity", dd_severity_name(is->severity));
    put_str(w, "title", is->title);
    put_str(w, "message", is->message);
    put_str(w, "fix", is->fix);
    put_str(w, "path", is->path);
    put_str(w, "location", is->location);
    put_int_or_null(w, "layer", is->layer, is->layer >= 0);
    put_int_or_null(w, "removed_in", is->removed_in, is->removed_in >= 0);
    put_int_or_null(w, "line", is->line, is->line > 0);
    put_str(w, "match", is->match);
    put_int_or_null(w, "bytes", (int64_t)is->bytes, is->cls == DD_ISSUE_HYGIENE);
    if (is->suppressed != DD_SUPPRESS_NONE) {
        open_c(w, "suppressed", '{');
        put_str(w, "kind", dd_report__suppress_name(is->suppressed));
        put_str(w, "reason", is->suppress_reason);
        close_c(w, '}');
    } else {
        put_null(w, "suppressed");
    }
    close_c(w, '}');
}

int dd_report__json(FILE *fp, const dd_scan_result *r, const dd_report_opts *opts)
{
    const dd_inventory *inv = dd_scan_inventory(r);
    dd_report_counts c;
    jw w = {fp, 0, false};

    dd_report__count(&c, r, opts);
    open_c(&w, NULL, '{');
    put_str(&w, "schema", "drydock-scan/1");
    put_str(&w, "target", opts->target);
    put_str(&w, "digest", opts->target_digest);
    put_os(&w, inv ? dd_inventory_os(inv) : NULL);
    put_str(&w, "ecosystem", dd_scan_os_ecosystem_used(r));
    put_counts(&w, "summary", &c);
    close_c(&w, '}');
    /* issues: every class together, then each class */
    dd_report__count_issues(&c, r, opts, -1);
    put_counts(&w, "issue_summary", &c);
    for (int k = 0; k < DD_ISSUE_CLASS_COUNT; k++) {
        dd_report_counts ck;

        dd_report__count_issues(&ck, r, opts, k);
        put_size(&w, dd_issue_class_name((dd_issue_class)k), ck.total);
    }
    close_c(&w, '}');
    open_c(&w, "notes", '[');
    for (size_t i = 0; i < dd_scan_note_count(r); i++)
        put_str(&w, NULL, dd_scan_note(r, i));
    close_c(&w, ']');
    open_c(&w, "findings", '[');
    for (size_t i = 0; i < dd_scan_count(r) && !ferror(fp); i++) {
        const dd_finding *f = dd_scan_get(r, i);

        if (dd_report__shown(opts, f))
            put_finding(&w, f, dd_report__package(r, f));
    }
    close_c(&w, ']');
    open_c(&w, "issues", '[');
    for (size_t i = 0; i < dd_scan_issue_count(r) && !ferror(fp); i++) {
        const dd_issue *is = dd_scan_issue_get(r, i);

        if (dd_report__issue_shown(opts, is))
            put_issue(&w, is);
    }
    close_c(&w, ']');
    close_c(&w, '}');
    fputc('\n', fp);
    if (ferror(fp))
        return dd_error_set(DD_EIO, "writing the report: %s", strerror(errno));
    return DD_OK;
}
