/* Lint findings: collection with config ignores, overrides and inline pragmas, then sorting. */
#include "lint/lint_int.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dd_lint_result {
    dd_arena *arena;
    dd_lint_finding *items;
    size_t n, alloc;
    size_t files;
    bool sorted;
    const char *last_file; /* arena copy reused while the same file reports */
    const char *sup_file;
    const dd_lint__suppression *sup;
    size_t n_sup;
};

int dd_lint_result_new(dd_lint_result **out)
{
    dd_lint_result *r = dd_calloc(1, sizeof(*r));

    *out = NULL;
    if (!r || dd_arena_new(&r->arena) != DD_OK) {
        dd_free(r);
        return dd_error_set(DD_ENOMEM, "out of memory");
    }
    r->sorted = true;
    *out = r;
    return DD_OK;
}

void dd_lint_result_free(dd_lint_result *r)
{
    if (!r)
        return;
    dd_arena_free(r->arena);
    dd_free(r->items);
    dd_free(r);
}

static int cmp_finding(const void *a, const void *b)
{
    const dd_lint_finding *x = a, *y = b;
    /* one file's findings share one copy of its name, and rules are catalogue pointers: most
     * comparisons end without a strcmp */
    int c = x->file == y->file ? 0 : strcmp(x->file, y->file);

    if (c)
        return c;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->column != y->column)
        return x->column < y->column ? -1 : 1;
    c = x->rule == y->rule ? 0 : strcmp(x->rule->id, y->rule->id);
    if (c)
        return c;
    return strcmp(x->message, y->message);
}

static void sort_findings(const dd_lint_result *cr)
{
    dd_lint_result *r = (dd_lint_result *)cr; /* sorting is a cache, not a visible change */

    bool ordered = true;

    if (r->sorted)
        return;
    /* findings arrive file by file, usually in file order: sort each file's run alone and
     * fall back to one sort of everything only when the runs are out of order */
    for (size_t i = 0, j; i < r->n; i = j) {
        for (j = i + 1; j < r->n && r->items[j].file == r->items[i].file; j++)
            ;
        qsort(r->items + i, j - i, sizeof(r->items[0]), cmp_finding);
        if (i > 0 && strcmp(r->items[i - 1].file, r->items[i].file) >= 0)
            ordered = false;
    }
    if (!ordered)
        qsort(r->items, r->n, sizeof(r->items[0]), cmp_finding);
    r->sorted = true;
}

size_t dd_lint_result_count(const dd_lint_result *r)
{
    return r ? r->n : 0;
}

const dd_lint_finding *dd_lint_result_get(const dd_lint_result *r, size_t index)
{
    if (!r || index >= r->n)
        return NULL;
    sort_findings(r);
    return &r->items[index];
}

size_t dd_lint_result_files(const dd_lint_result *r)
{
    return r ? r->files : 0;
}

dd_lint_severity dd_lint_result_max_severity(const dd_lint_result *r)
{
    dd_lint_severity max = DD_SEV_OFF;

    for (size_t i = 0; r && i < r->n; i++)
        if (r->items[i].severity > max)
            max = r->items[i].severity;
    return max;
}

void dd_lint__count_file(dd_lint_result *r)
{
    r->files++;
}

void dd_lint__set_suppressions(dd_lint_result *r, const char *file,
                               const dd_lint__suppression *s, size_t n)
{
    r->sup_file = file;
    r->sup = s;
    r->n_sup = n;
}

static bool suppressed(const dd_lint_result *r, const dd_lint_rule *rule, const char *file,
                       uint32_t line)
{
    if (!r->n_sup || !r->sup_file || strcmp(r->sup_file, file) != 0)
        return false;
    for (size_t i = 0; i < r->n_sup; i++)
        if (r->sup[i].rule == rule && (r->sup[i].line == 0 || r->sup[i].line == line))
            return true;
    return false;
}

static dd_lint_severity effective_severity(const dd_lint_config *cfg, const dd_lint_rule *rule,
                                           dd_lint_severity def)
{
    if (cfg) {
        for (size_t i = 0; i < cfg->n_ignored; i++)
            if (cfg->ignored[i] == rule)
                return DD_SEV_OFF;
        for (size_t i = 0; i < cfg->n_overrides; i++)
            if (cfg->overrides[i].rule == rule)
                return cfg->overrides[i].severity;
    }
    return def;
}

static int vreport(dd_lint_result *r, const dd_lint_config *cfg, const dd_lint_rule *rule,
                   dd_lint_severity def, const char *file, uint32_t line, uint32_t column,
                   const char *fmt, va_list ap) __attribute__((format(printf, 8, 0)));

static int vreport(dd_lint_result *r, const dd_lint_config *cfg, const dd_lint_rule *rule,
                   dd_lint_severity def, const char *file, uint32_t line, uint32_t column,
                   const char *fmt, va_list ap)
{
    dd_lint_severity sev;
    dd_lint_finding *f;
    char small[512], *msg;
    int n;

    sev = effective_severity(cfg, rule, def);
    if (sev == DD_SEV_OFF || suppressed(r, rule, file, line))
        return DD_OK;
    if (DD_ARRAY_RESERVE(r->items, r->alloc, r->n + 1, sizeof(*r->items), 32) !=
        DD_OK)
        return DD_ENOMEM;
    n = vsnprintf(small, sizeof(small), fmt, ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof(small)) {
        /* long messages are cut: findings quote input, and input may be huge */
        memcpy(small + sizeof(small) - 4, "...", 4);
        n = (int)sizeof(small) - 1;
    }
    msg = dd_arena_strndup(r->arena, small, (size_t)n);
    if (!r->last_file || strcmp(r->last_file, file) != 0)
        r->last_file = dd_arena_strdup(r->arena, file);
    if (!msg || !r->last_file)
        return dd_error_set(DD_ENOMEM, "out of memory");
    f = &r->items[r->n++];
    f->rule = rule;
    f->severity = sev;
    f->file = r->last_file;
    f->line = line;
    f->column = column;
    f->message = msg;
    r->sorted = false;
    return DD_OK;
}

int dd_lint__report(dd_lint_result *r, const dd_lint_config *cfg, const char *rule_id,
                    const char *file, uint32_t line, uint32_t column, const char *fmt, ...)
{
    const dd_lint_rule *rule = dd_lint_rule_find(rule_id);
    va_list ap;
    int rc;

    assert(rule != NULL); /* a rule id missing from the catalogue is a programming error */
    if (!rule)
        return DD_OK;
    va_start(ap, fmt);
    rc = vreport(r, cfg, rule, rule->severity, file, line, column, fmt, ap);
    va_end(ap);
    return rc;
}

int dd_lint__report_sev(dd_lint_result *r, const dd_lint_config *cfg, const char *rule_id,
                        dd_lint_severity sev, const char *file, uint32_t line, uint32_t column,
                        const char *fmt, ...)
{
    const dd_lint_rule *rule = dd_lint_rule_find(rule_id);
    va_list ap;
    int rc;

    assert(rule != NULL);
    if (!rule)
        return DD_OK;
    va_start(ap, fmt);
    rc = vreport(r, cfg, rule, sev, file, line, column, fmt, ap);
    va_end(ap);
    return rc;
}
