/* The markdown report, sized for a pull-request comment: a heading, the counts, and a table of
 * the most severe findings that fits well under GitHub's 65536-character limit. */
#include "scan/report_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MD_MAX_ROWS   100
#define MD_MAX_BYTES  60000 /* bytes, so never more characters than that */
#define MD_TITLE_COLS 80
#define MD_CELL_COLS  60
#define MD_NOTE_COLS  200
#define MD_MAX_NOTES  10

/* Text for a table cell: one clean line, markdown punctuation escaped so a title cannot end
 * the cell ("|"), open a link, strike text through ("~" in Debian versions) or inject HTML. */
static int md_text(dd_buf *out, dd_buf *tmp, const char *s, size_t max_cols)
{
    int rc;

    dd_buf_clear(tmp);
    if ((rc = dd_report__clean(tmp, s, max_cols, NULL)) != DD_OK)
        return rc;
    for (size_t i = 0; i < tmp->len && rc == DD_OK; i++) {
        if (strchr("\\`*_[]<>|~&#!", tmp->data[i]))
            rc = dd_buf_putc(out, '\\');
        if (rc == DD_OK)
            rc = dd_buf_putc(out, tmp->data[i]);
    }
    return rc;
}

/* A link destination: bytes that could end it or the table cell are percent-encoded. */
static int md_url(dd_buf *out, const char *url)
{
    int rc = DD_OK;

    for (const unsigned char *s = (const unsigned char *)url; *s && rc == DD_OK; s++) {
        if (*s <= 0x20 || *s >= 0x7f || strchr("()<>|\\\"'`[]", *s))
            rc = dd_buf_printf(out, "%%%02X", *s);
        else
            rc = dd_buf_putc(out, (char)*s);
    }
    return rc;
}

typedef struct {
    const dd_scan_result *r;
} sort_ctx;

/* Listed before suppressed, most severe first, then in result order. */
static int cmp_index(const void *a, const void *b, void *payload)
{
    const sort_ctx *c = payload;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    const dd_finding *x = dd_scan_get(c->r, i), *y = dd_scan_get(c->r, j);
    bool sx = x->suppressed != DD_SUPPRESS_NONE, sy = y->suppressed != DD_SUPPRESS_NONE;

    if (sx != sy)
        return sx ? 1 : -1;
    if (dd_report__severity(x) != dd_report__severity(y))
        return dd_report__severity(x) > dd_report__severity(y) ? -1 : 1;
    return i < j ? -1 : i > j ? 1 : 0;
}

static int md_row(dd_buf *out, dd_buf *tmp, const dd_scan_result *r, const dd_finding *f)
{
    const dd_package *p = dd_report__package(r, f);
    const char *url = dd_report__first_url(f);
    int rc;

    if ((rc = dd_buf_printf(out, "| %s%s | ", dd_severity_name(dd_report__severity(f)),
                            f->suppressed != DD_SUPPRESS_NONE ? " (suppressed)" : "")) != DD_OK)
        return rc;
    if (url && (rc = dd_buf_putc(out, '[')) != DD_OK)
        return rc;
    if ((rc = md_text(out, tmp, f->id, MD_CELL_COLS)) != DD_OK)
        return rc;
    if (url && ((rc = dd_buf_puts(out, "](")) != DD_OK || (rc = md_url(out, url)) != DD_OK ||
                (rc = dd_buf_putc(out, ')')) != DD_OK))
        return rc;
    if ((rc = dd_buf_puts(out, " | ")) != DD_OK ||
        (rc = md_text(out, tmp, p && p->name ? p->name : "?", MD_CELL_COLS)) != DD_OK ||
        (rc = dd_buf_puts(out, " | ")) != DD_OK ||
        (rc = md_text(out, tmp, f->installed, MD_CELL_COLS)) != DD_OK ||
        (rc = dd_buf_puts(out, " | ")) != DD_OK ||
        (rc = md_text(out, tmp, f->fixed, MD_CELL_COLS)) != DD_OK ||
        (rc = dd_buf_puts(out, " | ")) != DD_OK ||
        (rc = md_text(out, tmp, f->title ? f->title : f->description, MD_TITLE_COLS)) != DD_OK)
        return rc;
    if (f->suppressed != DD_SUPPRESS_NONE) {
        if ((rc = dd_buf_puts(out, f->suppressed == DD_SUPPRESS_VEX ? " (VEX" : " (ignored")) !=
            DD_OK)
            return rc;
        if (f->suppress_reason &&
            ((rc = dd_buf_puts(out, ": ")) != DD_OK ||
             (rc = md_text(out, tmp, f->suppress_reason, MD_CELL_COLS)) != DD_OK))
            return rc;
        if ((rc = dd_buf_putc(out, ')')) != DD_OK)
            return rc;
    }
    return dd_buf_puts(out, " |\n");
}

static int md_head(dd_buf *out, dd_buf *tmp, const dd_scan_result *r, const dd_report_opts *opts,
                   size_t n_shown)
{
    const dd_inventory *inv = dd_scan_inventory(r);
    const dd_os_info *os = inv ? dd_inventory_os(inv) : NULL;
    dd_report_counts c;
    int rc;

    dd_report__count(&c, r, opts);
    if ((rc = dd_buf_puts(out, "## drydock scan: ")) != DD_OK ||
        (rc = md_text(out, tmp, opts->target && *opts->target ? opts->target : "image", 200)) !=
            DD_OK)
        return rc;
    if (os && os->id &&
        ((rc = dd_buf_puts(out, " (")) != DD_OK || (rc = md_text(out, tmp, os->id, 40)) != DD_OK ||
         (os->version_id && ((rc = dd_buf_putc(out, ' ')) != DD_OK ||
                             (rc = md_text(out, tmp, os->version_id, 40)) != DD_OK)) ||
         (rc = dd_buf_putc(out, ')')) != DD_OK))
        return rc;
    if ((rc = dd_buf_puts(out, "\n\n")) != DD_OK)
        return rc;
    if (opts->target_digest && ((rc = dd_buf_puts(out, "Digest: ")) != DD_OK ||
                                (rc = md_text(out, tmp, opts->target_digest, 100)) != DD_OK ||
                                (rc = dd_buf_puts(out, "\n\n")) != DD_OK))
        return rc;
    if ((rc = dd_buf_printf(out,
                            "**Total: %zu** (UNKNOWN: %zu, LOW: %zu, MEDIUM: %zu, HIGH: %zu, "
                            "CRITICAL: %zu)",
                            c.total, c.by_severity[DD_SEV_UNKNOWN], c.by_severity[DD_SEV_LOW],
                            c.by_severity[DD_SEV_MEDIUM], c.by_severity[DD_SEV_HIGH],
                            c.by_severity[DD_SEV_CRITICAL])) != DD_OK ||
        (c.suppressed && (rc = dd_buf_printf(out, ", suppressed: %zu", c.suppressed)) != DD_OK) ||
        (rc = dd_buf_puts(out, "\n\n")) != DD_OK)
        return rc;
    if (n_shown == 0)
        return dd_buf_puts(out, "No vulnerabilities found.\n");
    return dd_buf_puts(out, "| Severity | ID | Package | Installed | Fixed | Title |\n"
                            "| --- | --- | --- | --- | --- | --- |\n");
}

static int md_notes(dd_buf *out, dd_buf *tmp, const dd_scan_result *r)
{
    size_t n = dd_scan_note_count(r);
    int rc = DD_OK;

    for (size_t i = 0; i < n && i < MD_MAX_NOTES && rc == DD_OK; i++) {
        if ((rc = dd_buf_puts(out, i == 0 ? "\n> Note: " : ">\n> Note: ")) == DD_OK &&
            (rc = md_text(out, tmp, dd_scan_note(r, i), MD_NOTE_COLS)) == DD_OK)
            rc = dd_buf_putc(out, '\n');
    }
    if (rc == DD_OK && n > MD_MAX_NOTES)
        rc = dd_buf_printf(out, ">\n> ... and %zu more notes\n", n - MD_MAX_NOTES);
    return rc;
}

/* The issues' heading, counts and table head; empty when no issue passes and no issue scanner
 * ran. */
static int md_issue_head(dd_buf *out, const dd_scan_result *r, const dd_report_opts *opts,
                         size_t n_shown)
{
    dd_report_counts c;
    int rc;

    dd_report__count_issues(&c, r, opts, -1);
    if (c.total + c.suppressed == 0 && !opts->issue_classes)
        return DD_OK;
    if ((rc = dd_buf_printf(out,
                            "\n### Secrets, configuration and hygiene\n\n**Total: %zu** "
                            "(UNKNOWN: %zu, LOW: %zu, MEDIUM: %zu, HIGH: %zu, CRITICAL: %zu)",
                            c.total, c.by_severity[DD_SEV_UNKNOWN], c.by_severity[DD_SEV_LOW],
                            c.by_severity[DD_SEV_MEDIUM], c.by_severity[DD_SEV_HIGH],
                            c.by_severity[DD_SEV_CRITICAL])) != DD_OK ||
        (c.suppressed && (rc = dd_buf_printf(out, ", suppressed: %zu", c.suppressed)) != DD_OK) ||
        (rc = dd_buf_puts(out, "\n\n")) != DD_OK)
        return rc;
    if (n_shown == 0)
        return dd_buf_puts(out, "No issues found.\n");
    return dd_buf_puts(out, "| Severity | Rule | Where | Layer | Finding |\n"
                            "| --- | --- | --- | --- | --- |\n");
}

static int md_issue_row(dd_buf *out, dd_buf *tmp, const dd_issue *is)
{
    int rc;

    if ((rc = dd_buf_printf(out, "| %s%s | ", dd_severity_name(is->severity),
                            is->suppressed != DD_SUPPRESS_NONE ? " (suppressed)" : "")) != DD_OK ||
        (rc = md_text(out, tmp, is->rule_id, MD_CELL_COLS)) != DD_OK ||
        (rc = dd_buf_puts(out, " | ")) != DD_OK ||
        (rc = md_text(out, tmp, is->path ? is->path : is->location ? is->location : "image",
                      MD_CELL_COLS)) != DD_OK ||
        (is->line && (rc = dd_buf_printf(out, ":%u", is->line)) != DD_OK) ||
        (rc = dd_buf_puts(out, " | ")) != DD_OK ||
        (is->layer >= 0 && (rc = dd_buf_printf(out, "%d", is->layer)) != DD_OK) ||
        (is->removed_in >= 0 && (rc = dd_buf_printf(out, " (removed in %d)", is->removed_in)) !=
                                    DD_OK) ||
        (rc = dd_buf_puts(out, " | ")) != DD_OK ||
        (rc = md_text(out, tmp, is->message ? is->message : is->title, MD_TITLE_COLS)) != DD_OK)
        return rc;
    return dd_buf_puts(out, " |\n");
}

int dd_report__markdown(FILE *fp, const dd_scan_result *r, const dd_report_opts *opts)
{
    dd_buf head = DD_BUF_INIT, body = DD_BUF_INIT, foot = DD_BUF_INIT, line = DD_BUF_INIT,
           tmp = DD_BUF_INIT;
    size_t *shown = NULL, n_shown = 0, listed = 0;
    sort_ctx sc = {r};
    int rc;

    if ((rc = dd_report__shown_list(&shown, &n_shown, r, opts)) != DD_OK ||
        (rc = md_head(&head, &tmp, r, opts, n_shown)) != DD_OK ||
        (rc = md_notes(&foot, &tmp, r)) != DD_OK)
        goto done;
    if (n_shown > 1)
        qsort_r(shown, n_shown, sizeof(*shown), cmp_index, &sc);
    for (; listed < n_shown && listed < MD_MAX_ROWS; listed++) {
        dd_buf_clear(&line);
        if ((rc = md_row(&line, &tmp, r, dd_scan_get(r, shown[listed]))) != DD_OK)
            goto done;
        /* room is kept for the "... and N more" line */
        if (head.len + body.len + line.len + foot.len + 64 > MD_MAX_BYTES)
            break;
        if ((rc = dd_buf_put(&body, line.data, line.len)) != DD_OK)
            goto done;
    }
    fputs(head.data, fp);
    fputs(body.data, fp);
    if (listed < n_shown)
        fprintf(fp, "\n... and %zu more\n", n_shown - listed);
    /* the issues, most severe first, in the room the findings left */
    {
        size_t n_issues = 0, issue_rows = 0, total = head.len + body.len;
        dd_buf ihead = DD_BUF_INIT, ibody = DD_BUF_INIT;

        for (size_t i = 0; i < dd_scan_issue_count(r); i++)
            n_issues += dd_report__issue_shown(opts, dd_scan_issue_get(r, i));
        rc = md_issue_head(&ihead, r, opts, n_issues);
        for (int sev = DD_SEV_CRITICAL; sev >= DD_SEV_UNKNOWN && rc == DD_OK; sev--)
            for (size_t i = 0; i < dd_scan_issue_count(r) && rc == DD_OK; i++) {
                const dd_issue *is = dd_scan_issue_get(r, i);

                if ((int)is->severity != sev || !dd_report__issue_shown(opts, is) ||
                    listed + issue_rows >= MD_MAX_ROWS)
                    continue;
                dd_buf_clear(&line);
                if ((rc = md_issue_row(&line, &tmp, is)) != DD_OK)
                    break;
                if (total + ihead.len + ibody.len + line.len + foot.len + 128 > MD_MAX_BYTES)
                    break;
                if ((rc = dd_buf_put(&ibody, line.data, line.len)) == DD_OK)
                    issue_rows++;
            }
        if (rc == DD_OK && ihead.len) {
            fputs(ihead.data, fp);
            if (ibody.len)
                fputs(ibody.data, fp);
            if (issue_rows < n_issues)
                fprintf(fp, "\n... and %zu more\n", n_issues - issue_rows);
        }
        dd_buf_dispose(&ihead);
        dd_buf_dispose(&ibody);
        if (rc != DD_OK)
            goto done;
    }
    fputs(foot.data, fp);
    if (ferror(fp))
        rc = dd_error_set(DD_EIO, "writing the report: %s", strerror(errno));
done:
    dd_buf_dispose(&head);
    dd_buf_dispose(&body);
    dd_buf_dispose(&foot);
    dd_buf_dispose(&line);
    dd_buf_dispose(&tmp);
    dd_free(shown);
    return rc;
}
