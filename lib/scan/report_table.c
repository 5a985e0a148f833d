/* The table report for terminals: per target a header, the counts per severity, and a
 * box-drawn table of the findings grouped by package, columns sized to their content. */
#include "scan/report_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { COL_PKG, COL_ID, COL_SEV, COL_STATUS, COL_INSTALLED, COL_FIXED, COL_TITLE, N_COLS };

#define MAX_LINES  3  /* lines of one cell: the title cell has title, URL, suppression */
#define TITLE_COLS 60 /* titles and suppression reasons are cut to this many columns */
#define URL_COLS   80
#define CELL_COLS  60 /* every other cell, so one hostile value cannot widen the table */

typedef struct {
    const char *line[MAX_LINES];
    size_t cols[MAX_LINES];
    unsigned n;
} cell;

typedef struct {
    const dd_finding *f;
    const dd_package *p;
    int group;         /* 0: OS packages; 1: language packages, one target per gpath/type */
    const char *gpath; /* the file of a language target; NULL: one target for the type */
    bool hidden;       /* suppressed and not listed: counted only */
    cell c[N_COLS];
} row;

typedef struct {
    FILE *fp;
    const dd_report_opts *opts;
    dd_arena *arena;
    dd_buf tmp;
    bool printed; /* a target was written: the next one starts after a blank line */
} table_ctx;

static const char *const headers[N_COLS] = {"Package", "Vulnerability",     "Severity",
                                            "Status",  "Installed Version", "Fixed Version",
                                            "Title"};

static bool is_os_type(dd_pkg_type t)
{
    return t == DD_PKG_APK || t == DD_PKG_DEB || t == DD_PKG_RPM;
}

/* Adds a line to a cell: `s` cleaned and cut to `max` columns; empty text adds nothing. */
static int cell_add(table_ctx *t, cell *c, const char *s, size_t max)
{
    size_t cols;
    char *copy;
    int rc;

    if (!s || c->n == MAX_LINES)
        return DD_OK;
    dd_buf_clear(&t->tmp);
    if ((rc = dd_report__clean(&t->tmp, s, max, &cols)) != DD_OK)
        return rc;
    if (t->tmp.len == 0)
        return DD_OK;
    if (!(copy = dd_arena_strdup(t->arena, t->tmp.data)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    c->line[c->n] = copy;
    c->cols[c->n++] = cols;
    return DD_OK;
}

static int fill_row(table_ctx *t, row *w)
{
    const dd_finding *f = w->f;
    const char *status = f->suppressed != DD_SUPPRESS_NONE ? "suppressed" : dd_report__status(f);
    dd_buf why = DD_BUF_INIT;
    int rc;

    if ((rc = cell_add(t, &w->c[COL_PKG], w->p && w->p->name ? w->p->name : "?", CELL_COLS)) ||
        (rc = cell_add(t, &w->c[COL_ID], f->id, CELL_COLS)) ||
        (rc = cell_add(t, &w->c[COL_SEV], dd_severity_name(dd_report__severity(f)), 0)) ||
        (rc = cell_add(t, &w->c[COL_STATUS], status, 0)) ||
        (rc = cell_add(t, &w->c[COL_INSTALLED], f->installed, CELL_COLS)) ||
        (rc = cell_add(t, &w->c[COL_FIXED], f->fixed, CELL_COLS)) ||
        (rc = cell_add(t, &w->c[COL_TITLE], f->title ? f->title : f->description, TITLE_COLS)) ||
        (rc = cell_add(t, &w->c[COL_TITLE], dd_report__first_url(f), URL_COLS)))
        return rc;
    if (f->suppressed != DD_SUPPRESS_NONE) {
        if (dd_buf_printf(&why, "%s%s%s", f->suppressed == DD_SUPPRESS_VEX ? "VEX" : "ignored",
                          f->suppress_reason ? ": " : "",
                          f->suppress_reason ? f->suppress_reason : "") != DD_OK)
            rc = dd_error_set(DD_ENOMEM, "out of memory");
        else
            rc = cell_add(t, &w->c[COL_TITLE], why.data, TITLE_COLS);
        dd_buf_dispose(&why);
    }
    return rc;
}

/* Files that list many packages are targets of their own; packages found one by one (an
 * installed package.json, a .dist-info directory, a gemspec, a jar) are one target per
 * language, as a scanner user expects ("Node.js", "Python"). */
static const char *lockfile_target(const dd_package *p)
{
    static const char *const one_by_one[] = {"package.json", "METADATA", "PKG-INFO"};
    const char *base;

    if (!p->db_path)
        return NULL;
    base = strrchr(p->db_path, '/');
    base = base ? base + 1 : p->db_path;
    switch (p->type) {
    case DD_PKG_NPM:
    case DD_PKG_PYPI:
        for (size_t i = 0; i < DD_ARRAY_SIZE(one_by_one); i++)
            if (strcmp(base, one_by_one[i]) == 0)
                return NULL;
        if (strstr(p->db_path, ".egg-info") || strstr(p->db_path, ".dist-info"))
            return NULL;
        return p->db_path;
    case DD_PKG_GEM:
        return strstr(base, ".gemspec") ? NULL : p->db_path;
    case DD_PKG_MAVEN:
        return NULL;
    default:
        return p->db_path;
    }
}

static const char *language_name(dd_pkg_type t)
{
    switch (t) {
    case DD_PKG_NPM:
        return "Node.js";
    case DD_PKG_PYPI:
        return "Python";
    case DD_PKG_GEM:
        return "Ruby";
    case DD_PKG_MAVEN:
        return "Java";
    default:
        return dd_pkg_type_name(t);
    }
}

/* NULL before any path. */
static int cmp_path(const char *a, const char *b)
{
    if (!a || !b)
        return a ? 1 : b ? -1 : 0;
    return strcmp(a, b);
}

/* Targets (OS first, then language targets by type and file), listed rows before hidden ones,
 * then package, most severe first, id. */
static int cmp_row(const void *a, const void *b)
{
    const row *x = a, *y = b;
    int c;

    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if (x->group != 0 && x->p->type != y->p->type)
        return x->p->type < y->p->type ? -1 : 1;
    if (x->group != 0 && (c = cmp_path(x->gpath, y->gpath)) != 0)
        return c;
    if (x->hidden != y->hidden)
        return x->hidden ? 1 : -1;
    if (x->f->pkg != y->f->pkg)
        return x->f->pkg < y->f->pkg ? -1 : 1;
    if (dd_report__severity(x->f) != dd_report__severity(y->f))
        return dd_report__severity(x->f) > dd_report__severity(y->f) ? -1 : 1;
    return strcmp(x->f->id, y->f->id);
}

static bool same_group(const row *x, const row *y)
{
    if (x->group != y->group)
        return false;
    return x->group == 0 || (x->p->type == y->p->type && cmp_path(x->gpath, y->gpath) == 0);
}

/* `n` copies of the one-character string `s`, written in chunks. */
static void repeat(FILE *fp, const char *s, size_t n)
{
    char chunk[64 * 4];
    size_t len = strlen(s), per = sizeof(chunk) / len;

    for (size_t i = 0; i < per && i < n; i++)
        memcpy(chunk + i * len, s, len);
    while (n) {
        size_t k = n < per ? n : per;

        fwrite(chunk, len, k, fp);
        n -= k;
    }
}

/* A horizontal rule over `ncols` columns; `merged` leaves the first column open (a package
 * spanning rows). */
static void rule_line(FILE *fp, int ncols, const size_t *w, const char *l, const char *m,
                      const char *r, bool merged)
{
    for (int c = 0; c < ncols; c++) {
        if (c == 0 && merged) {
            fputs("│", fp);
            repeat(fp, " ", w[0] + 2);
            continue;
        }
        fputs(c == 0 ? l : c == 1 && merged ? "├" : m, fp);
        repeat(fp, "─", w[c] + 2);
    }
    fputs(r, fp);
    fputc('\n', fp);
}

static const char *const severity_colors[DD_SEV_COUNT] = {"", "\033[34m", "\033[33m",
                                                          "\033[31m", "\033[1;31m"};

static const char *severity_color(const dd_finding *f)
{
    if (f->suppressed != DD_SUPPRESS_NONE)
        return "\033[2m";
    return severity_colors[dd_report__severity(f)];
}

static void print_row(table_ctx *t, const row *w, const size_t *width, bool show_pkg)
{
    unsigned h = 1;

    for (int c = 0; c < N_COLS; c++)
        if (w->c[c].n > h)
            h = w->c[c].n;
    for (unsigned k = 0; k < h; k++) {
        fputs("│", t->fp);
        for (int c = 0; c < N_COLS; c++) {
            const cell *x = &w->c[c];
            bool has = k < x->n && (c != COL_PKG || show_pkg);
            const char *color = c == COL_SEV && t->opts->color ? severity_color(w->f) : "";

            fputc(' ', t->fp);
            if (has && *color)
                fprintf(t->fp, "%s%s\033[0m", color, x->line[k]);
            else if (has)
                fputs(x->line[k], t->fp);
            repeat(t->fp, " ", width[c] - (has ? x->cols[k] : 0) + 1);
            fputs("│", t->fp);
        }
        fputc('\n', t->fp);
    }
}

/* The header row, labels centred; `first` (may be NULL) replaces the first label. */
static void header_line(FILE *fp, int ncols, const size_t *width, const char *const *labels,
                        const char *first)
{
    fputs("│", fp);
    for (int c = 0; c < ncols; c++) {
        const char *label = c == 0 && first ? first : labels[c];
        size_t pad = width[c] - strlen(label);

        repeat(fp, " ", 1 + pad / 2);
        fputs(label, fp);
        repeat(fp, " ", pad - pad / 2 + 1);
        fputs("│", fp);
    }
    fputc('\n', fp);
}

static void print_table(table_ctx *t, const row *rows, size_t n)
{
    size_t width[N_COLS];
    const char *const *head = headers;
    const char *pkg_head = rows[0].group == 0 ? "Package" : "Library";

    for (int c = 0; c < N_COLS; c++) {
        width[c] = strlen(c == COL_PKG ? pkg_head : head[c]);
        for (size_t i = 0; i < n; i++)
            for (unsigned k = 0; k < rows[i].c[c].n; k++)
                if (rows[i].c[c].cols[k] > width[c])
                    width[c] = rows[i].c[c].cols[k];
    }
    rule_line(t->fp, N_COLS, width, "┌", "┬", "┐", false);
    header_line(t->fp, N_COLS, width, head, pkg_head);
    for (size_t i = 0; i < n; i++) {
        bool same_pkg = i > 0 && rows[i].f->pkg == rows[i - 1].f->pkg;

        rule_line(t->fp, N_COLS, width, "├", "┼", "┤", same_pkg);
        print_row(t, &rows[i], width, !same_pkg);
    }
    rule_line(t->fp, N_COLS, width, "└", "┴", "┘", false);
}

/* "TARGET (debian 11.6)", "app/package-lock.json (npm)", "Python (pypi)", underlined. */
static int print_target(table_ctx *t, const row *first, const dd_os_info *os)
{
    const char *target = t->opts->target && *t->opts->target ? t->opts->target : "image";
    dd_buf b = DD_BUF_INIT;
    size_t cols = 0, more = 0;
    int rc;

    if (!first || first->group == 0) {
        rc = dd_report__clean(&b, target, 200, &cols);
        if (rc == DD_OK && os && os->id && (rc = dd_buf_puts(&b, " (")) == DD_OK &&
            (rc = dd_report__clean(&b, os->id, 40, &more)) == DD_OK) {
            cols += 2 + more;
            if (os->version_id && (rc = dd_buf_putc(&b, ' ')) == DD_OK &&
                (rc = dd_report__clean(&b, os->version_id, 40, &more)) == DD_OK)
                cols += 1 + more;
            if (rc == DD_OK && (rc = dd_buf_putc(&b, ')')) == DD_OK)
                cols++;
        }
    } else {
        const char *type = dd_pkg_type_name(first->p->type);

        rc = dd_report__clean(&b, first->gpath ? first->gpath : language_name(first->p->type), 200,
                              &cols);
        if (rc == DD_OK && (rc = dd_buf_printf(&b, " (%s)", type)) == DD_OK)
            cols += 3 + strlen(type);
    }
    if (rc == DD_OK) {
        fprintf(t->fp, "%s%s\n", t->printed ? "\n" : "", b.data);
        repeat(t->fp, "=", cols);
        fputc('\n', t->fp);
        t->printed = true;
    }
    dd_buf_dispose(&b);
    return rc;
}

static void print_summary(table_ctx *t, const row *rows, size_t n)
{
    size_t by[DD_SEV_COUNT] = {0}, total = 0, suppressed = 0;

    for (size_t i = 0; i < n; i++) {
        if (rows[i].f->suppressed != DD_SUPPRESS_NONE) {
            suppressed++;
            continue;
        }
        total++;
        by[dd_report__severity(rows[i].f)]++;
    }
    fprintf(t->fp, "Total: %zu (UNKNOWN: %zu, LOW: %zu, MEDIUM: %zu, HIGH: %zu, CRITICAL: %zu)\n",
            total, by[DD_SEV_UNKNOWN], by[DD_SEV_LOW], by[DD_SEV_MEDIUM], by[DD_SEV_HIGH],
            by[DD_SEV_CRITICAL]);
    if (suppressed)
        fprintf(t->fp, "Suppressed: %zu%s\n", suppressed,
                t->opts->show_suppressed ? " (listed with status \"suppressed\")" : "");
}

/* One target: its header, counts and, when it lists any finding, its table. Suppressed
 * findings are counted, and listed only with show_suppressed: the sort put them last. */
static int print_group(table_ctx *t, const row *rows, size_t n, const dd_os_info *os)
{
    size_t k = 0;
    int rc;

    if ((rc = print_target(t, n ? &rows[0] : NULL, os)) != DD_OK)
        return rc;
    print_summary(t, rows, n);
    while (k < n && !rows[k].hidden)
        k++;
    if (k) {
        fputc('\n', t->fp);
        print_table(t, rows, k);
    }
    return DD_OK;
}

/* --- issues: one target per class, a table of severity, rule, where, layer and finding --- */

enum { IC_SEV, IC_RULE, IC_WHERE, IC_LAYER, IC_FINDING, N_ICOLS };

static const char *const issue_headers[N_ICOLS] = {"Severity", "Rule", "Where", "Layer",
                                                   "Finding"};

static const char *const issue_targets[DD_ISSUE_CLASS_COUNT] = {
    "Secrets", "Image configuration", "Hygiene"};

typedef struct {
    const dd_issue *is;
    cell c[N_ICOLS];
} issue_row;

static int fill_issue_row(table_ctx *t, issue_row *w)
{
    const dd_issue *is = w->is;
    dd_buf b = DD_BUF_INIT;
    int rc = DD_OK;

    if (is->path && is->line)
        rc = dd_buf_printf(&b, "%s:%u", is->path, is->line);
    else
        rc = dd_buf_puts(&b, is->path ? is->path : is->location ? is->location : "image");
    if (rc == DD_OK && (rc = cell_add(t, &w->c[IC_WHERE], b.data, CELL_COLS)) == DD_OK &&
        (rc = cell_add(t, &w->c[IC_SEV], dd_severity_name(is->severity), 0)) == DD_OK)
        rc = cell_add(t, &w->c[IC_RULE], is->rule_id, CELL_COLS);
    if (rc == DD_OK && is->layer >= 0) {
        dd_buf_clear(&b);
        if ((rc = dd_buf_printf(&b, "%d", is->layer)) == DD_OK &&
            (rc = cell_add(t, &w->c[IC_LAYER], b.data, 0)) == DD_OK && is->removed_in >= 0) {
            dd_buf_clear(&b);
            if ((rc = dd_buf_printf(&b, "removed in %d", is->removed_in)) == DD_OK)
                rc = cell_add(t, &w->c[IC_LAYER], b.data, 0);
        }
    }
    if (rc == DD_OK)
        rc = cell_add(t, &w->c[IC_FINDING], is->title, TITLE_COLS);
    if (rc == DD_OK)
        rc = cell_add(t, &w->c[IC_FINDING], is->message, TITLE_COLS);
    if (rc == DD_OK && is->suppressed != DD_SUPPRESS_NONE) {
        dd_buf_clear(&b);
        if ((rc = dd_buf_printf(&b, "%s%s%s",
                                is->suppressed == DD_SUPPRESS_VEX ? "VEX" : "ignored",
                                is->suppress_reason ? ": " : "",
                                is->suppress_reason ? is->suppress_reason : "")) == DD_OK)
            rc = cell_add(t, &w->c[IC_FINDING], b.data, TITLE_COLS);
    }
    dd_buf_dispose(&b);
    return rc;
}

static void print_issue_table(table_ctx *t, const issue_row *rows, size_t n)
{
    size_t width[N_ICOLS];

    for (int c = 0; c < N_ICOLS; c++) {
        width[c] = strlen(issue_headers[c]);
        for (size_t i = 0; i < n; i++)
            for (unsigned k = 0; k < rows[i].c[c].n; k++)
                if (rows[i].c[c].cols[k] > width[c])
                    width[c] = rows[i].c[c].cols[k];
    }
    rule_line(t->fp, N_ICOLS, width, "┌", "┬", "┐", false);
    header_line(t->fp, N_ICOLS, width, issue_headers, NULL);
    for (size_t i = 0; i < n; i++) {
        unsigned h = 1;

        rule_line(t->fp, N_ICOLS, width, "├", "┼", "┤", false);
        for (int c = 0; c < N_ICOLS; c++)
            if (rows[i].c[c].n > h)
                h = rows[i].c[c].n;
        for (unsigned k = 0; k < h; k++) {
            fputs("│", t->fp);
            for (int c = 0; c < N_ICOLS; c++) {
                const cell *x = &rows[i].c[c];
                bool has = k < x->n;
                const char *color = "";

                if (has && c == IC_SEV && t->opts->color)
                    color = rows[i].is->suppressed != DD_SUPPRESS_NONE
                                ? "\033[2m"
                                : severity_colors[rows[i].is->severity];
                fputc(' ', t->fp);
                if (has && *color)
                    fprintf(t->fp, "%s%s\033[0m", color, x->line[k]);
                else if (has)
                    fputs(x->line[k], t->fp);
                repeat(t->fp, " ", width[c] - (has ? x->cols[k] : 0) + 1);
                fputs("│", t->fp);
            }
            fputc('\n', t->fp);
        }
    }
    rule_line(t->fp, N_ICOLS, width, "└", "┴", "┘", false);
}

/* The issues of class `cls`: header, counts and table; nothing when the class has no issue
 * and its scanner did not run. */
static int print_issues(table_ctx *t, const dd_scan_result *r, dd_issue_class cls)
{
    size_t count = dd_scan_issue_count(r), n = 0, suppressed = 0;
    size_t by[DD_SEV_COUNT] = {0}, total = 0;
    issue_row *rows = NULL;
    const char *title = issue_targets[cls];
    int rc = DD_OK;

    for (size_t i = 0; i < count; i++) {
        const dd_issue *is = dd_scan_issue_get(r, i);

        if (is->cls != cls || !dd_report__issue_passes(t->opts, is))
            continue;
        if (is->suppressed != DD_SUPPRESS_NONE)
            suppressed++;
        else
            total++, by[is->severity]++;
    }
    if (total + suppressed == 0 && !(t->opts->issue_classes & (1u << cls)))
        return DD_OK;
    fprintf(t->fp, "%s%s\n", t->printed ? "\n" : "", title);
    repeat(t->fp, "=", strlen(title));
    fputc('\n', t->fp);
    t->printed = true;
    fprintf(t->fp, "Total: %zu (UNKNOWN: %zu, LOW: %zu, MEDIUM: %zu, HIGH: %zu, CRITICAL: %zu)\n",
            total, by[DD_SEV_UNKNOWN], by[DD_SEV_LOW], by[DD_SEV_MEDIUM], by[DD_SEV_HIGH],
            by[DD_SEV_CRITICAL]);
    if (suppressed)
        fprintf(t->fp, "Suppressed: %zu%s\n", suppressed,
                t->opts->show_suppressed ? " (listed, marked \"ignored\")" : "");
    if (count && !(rows = dd_calloc(count, sizeof(*rows))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < count && rc == DD_OK; i++) {
        const dd_issue *is = dd_scan_issue_get(r, i);

        if (is->cls != cls || !dd_report__issue_shown(t->opts, is))
            continue;
        rows[n].is = is;
        rc = fill_issue_row(t, &rows[n++]);
    }
    if (rc == DD_OK && n) {
        fputc('\n', t->fp);
        print_issue_table(t, rows, n);
    }
    dd_free(rows);
    return rc;
}

int dd_report__table(FILE *fp, const dd_scan_result *r, const dd_report_opts *opts)
{
    const dd_inventory *inv = dd_scan_inventory(r);
    const dd_os_info *os = inv ? dd_inventory_os(inv) : NULL;
    table_ctx t = {fp, opts, NULL, DD_BUF_INIT, false};
    row *rows = NULL;
    size_t n = 0, count = dd_scan_count(r), start;
    int rc;

    if ((rc = dd_arena_new(&t.arena)) != DD_OK)
        return rc;
    if (count && !(rows = dd_calloc(count, sizeof(*rows)))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        const dd_finding *f = dd_scan_get(r, i);
        row *w;

        if (!dd_report__passes(opts, f))
            continue;
        w = &rows[n++];
        w->f = f;
        w->p = dd_report__package(r, f);
        w->group = !w->p || is_os_type(w->p->type) ? 0 : 1;
        w->gpath = w->group ? lockfile_target(w->p) : NULL;
        w->hidden = f->suppressed != DD_SUPPRESS_NONE && !opts->show_suppressed;
        if (!w->hidden && (rc = fill_row(&t, w)) != DD_OK)
            goto done;
    }
    if (n > 1)
        qsort(rows, n, sizeof(*rows), cmp_row);
    /* the image's own target: always when nothing else is shown or the OS is known, unless
     * no package was scanned (issues only) */
    if (!inv && n == 0) {
        start = 0;
    } else if (n == 0 || rows[0].group == 0 || os) {
        size_t k = 0;

        while (k < n && rows[k].group == 0)
            k++;
        if ((rc = print_group(&t, rows, k, os)) != DD_OK)
            goto done;
        start = k;
    } else {
        start = 0;
    }
    while (start < n) {
        size_t end = start + 1;

        while (end < n && same_group(&rows[start], &rows[end]))
            end++;
        if ((rc = print_group(&t, rows + start, end - start, os)) != DD_OK)
            goto done;
        start = end;
    }
    for (int k = 0; k < DD_ISSUE_CLASS_COUNT; k++)
        if ((rc = print_issues(&t, r, (dd_issue_class)k)) != DD_OK)
            goto done;
    for (size_t i = 0; i < dd_scan_note_count(r); i++) {
        dd_buf_clear(&t.tmp);
        if ((rc = dd_report__clean(&t.tmp, dd_scan_note(r, i), 0, NULL)) != DD_OK)
            goto done;
        fprintf(fp, "%sNote: %s\n", i == 0 ? "\n" : "", t.tmp.data);
    }
    if (ferror(fp))
        rc = dd_error_set(DD_EIO, "writing the report: %s", strerror(errno));
done:
    dd_free(rows);
    dd_buf_dispose(&t.tmp);
    dd_arena_free(t.arena);
    return rc;
}
