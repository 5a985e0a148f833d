/* The scan result: findings over an inventory, their strings in one arena. */
#include "scan/scan_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct dd_scan_result {
    const dd_inventory *inv;
    dd_arena *arena;
    dd_finding *v;
    size_t n, alloc;
    dd_issue *issues;
    size_t n_issues, issues_alloc;
    char **notes;
    size_t n_notes, notes_alloc;
    const char *os_ecosystem;
};

static const char *const severity_names[DD_SEV_COUNT] = {"UNKNOWN", "LOW", "MEDIUM", "HIGH",
                                                         "CRITICAL"};

const char *dd_severity_name(dd_severity s)
{
    return (unsigned)s < DD_SEV_COUNT ? severity_names[s] : "UNKNOWN";
}

int dd_severity_parse(dd_severity *out, const char *word)
{
    static const struct {
        const char *word;
        dd_severity sev;
    } words[] = {
        {"unknown", DD_SEV_UNKNOWN},     {"not yet assigned", DD_SEV_UNKNOWN},
        {"low", DD_SEV_LOW},             {"negligible", DD_SEV_LOW},
        {"unimportant", DD_SEV_LOW},     {"medium", DD_SEV_MEDIUM},
        {"moderate", DD_SEV_MEDIUM},     {"high", DD_SEV_HIGH},
        {"important", DD_SEV_HIGH},      {"critical", DD_SEV_CRITICAL},
        {"urgent", DD_SEV_CRITICAL},
    };

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcasecmp(word, words[i].word) == 0) {
            *out = words[i].sev;
            return DD_OK;
        }
    return dd_error_set(DD_EINVALID, "unknown severity \"%s\"", word);
}

const char *dd_issue_class_name(dd_issue_class c)
{
    static const char *const names[DD_ISSUE_CLASS_COUNT] = {"secret", "config", "hygiene"};

    return (unsigned)c < DD_ISSUE_CLASS_COUNT ? names[c] : "unknown";
}

dd_severity dd_severity_from_score(double score)
{
    if (score >= 9.0)
        return DD_SEV_CRITICAL;
    if (score >= 7.0)
        return DD_SEV_HIGH;
    if (score >= 4.0)
        return DD_SEV_MEDIUM;
    if (score > 0.0)
        return DD_SEV_LOW;
    return DD_SEV_UNKNOWN;
}

int dd_scan__new(dd_scan_result **out, const dd_inventory *inv)
{
    dd_scan_result *r = dd_calloc(1, sizeof(*r));

    *out = NULL;
    if (!r)
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (dd_arena_new(&r->arena) != DD_OK) {
        dd_free(r);
        return DD_ENOMEM;
    }
    r->inv = inv;
    *out = r;
    return DD_OK;
}

void dd_scan_result_free(dd_scan_result *r)
{
    if (!r)
        return;
    dd_arena_free(r->arena);
    dd_free(r->v);
    dd_free(r->issues);
    dd_free(r->notes);
    dd_free(r);
}

static const char *copy_str(dd_scan_result *r, const char *s, int *rc)
{
    char *c;

    if (!s)
        return NULL;
    if (!(c = dd_arena_strdup(r->arena, s)))
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
    return c;
}

static const char *const *copy_strv(dd_scan_result *r, const char *const *v, size_t n, int *rc)
{
    const char **c;

    if (n == 0)
        return NULL;
    if (!(c = dd_arena_alloc(r->arena, n * sizeof(*c)))) {
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        c[i] = copy_str(r, v[i], rc);
    return c;
}

int dd_scan_result_new(dd_scan_result **out, const dd_inventory *inv)
{
    return dd_scan__new(out, inv);
}

int dd_scan_add_issue(dd_scan_result *r, const dd_issue *is)
{
    dd_issue c = *is;
    int rc = DD_OK;

    if (DD_ARRAY_RESERVE(r->issues, r->issues_alloc, r->n_issues + 1, sizeof(*r->issues), 16) !=
        DD_OK)
        return DD_ENOMEM;
    c.rule_id = copy_str(r, is->rule_id, &rc);
    c.category = copy_str(r, is->category, &rc);
    c.title = copy_str(r, is->title, &rc);
    c.message = copy_str(r, is->message, &rc);
    c.fix = copy_str(r, is->fix, &rc);
    c.path = copy_str(r, is->path, &rc);
    c.location = copy_str(r, is->location, &rc);
    c.match = copy_str(r, is->match, &rc);
    c.suppress_reason = copy_str(r, is->suppress_reason, &rc);
    if (rc != DD_OK)
        return rc;
    if ((unsigned)c.severity >= DD_SEV_COUNT)
        c.severity = DD_SEV_UNKNOWN;
    r->issues[r->n_issues++] = c;
    return DD_OK;
}

int dd_scan_add_issue_cb(const dd_issue *is, void *result)
{
    return dd_scan_add_issue(result, is);
}

size_t dd_scan_issue_count(const dd_scan_result *r)
{
    return r->n_issues;
}

const dd_issue *dd_scan_issue_get(const dd_scan_result *r, size_t index)
{
    return index < r->n_issues ? &r->issues[index] : NULL;
}

int dd_scan_suppress_issue(dd_scan_result *r, size_t index, dd_suppress_kind kind,
                           const char *reason)
{
    int rc = DD_OK;

    if (index >= r->n_issues)
        return dd_error_set(DD_EINVALID, "no issue %zu", index);
    r->issues[index].suppressed = kind;
    r->issues[index].suppress_reason = copy_str(r, reason, &rc);
    return rc;
}

int dd_scan__add(dd_scan_result *r, const dd_finding *f)
{
    dd_finding c = *f;
    int rc = DD_OK;

    if (DD_ARRAY_RESERVE(r->v, r->alloc, r->n + 1, sizeof(*r->v), 16) != DD_OK)
        return DD_ENOMEM;
    c.id = copy_str(r, f->id, &rc);
    c.aliases = copy_strv(r, f->aliases, f->n_aliases, &rc);
    c.installed = copy_str(r, f->installed, &rc);
    c.fixed = copy_str(r, f->fixed, &rc);
    c.severity_source = copy_str(r, f->severity_source, &rc);
    c.cvss_vector = copy_str(r, f->cvss_vector, &rc);
    c.title = copy_str(r, f->title, &rc);
    c.description = copy_str(r, f->description, &rc);
    c.published = copy_str(r, f->published, &rc);
    c.modified = copy_str(r, f->modified, &rc);
    c.references = copy_strv(r, f->references, f->n_references, &rc);
    c.ecosystem = copy_str(r, f->ecosystem, &rc);
    c.matched_name = copy_str(r, f->matched_name, &rc);
    c.records = copy_strv(r, f->records, f->n_records, &rc);
    c.suppress_reason = copy_str(r, f->suppress_reason, &rc);
    if (rc != DD_OK)
        return rc;
    r->v[r->n++] = c;
    return DD_OK;
}

int dd_scan__set_os_ecosystem(dd_scan_result *r, const char *ecosystem)
{
    int rc = DD_OK;

    r->os_ecosystem = copy_str(r, ecosystem, &rc);
    return rc;
}

int dd_scan__note(dd_scan_result *r, const char *fmt, ...)
{
    dd_buf b = DD_BUF_INIT;
    va_list ap;
    char *c = NULL;
    int rc;

    va_start(ap, fmt);
    rc = dd_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (rc == DD_OK && !(c = dd_arena_strdup(r->arena, b.data)))
        rc = dd_error_set(DD_ENOMEM, "out of memory");
    dd_buf_dispose(&b);
    if (rc != DD_OK)
        return rc;
    if (DD_ARRAY_RESERVE(r->notes, r->notes_alloc, r->n_notes + 1, sizeof(*r->notes), 4) != DD_OK)
        return DD_ENOMEM;
    r->notes[r->n_notes++] = c;
    return DD_OK;
}

static int cmp_finding(const void *a, const void *b)
{
    const dd_finding *x = a, *y = b;

    if (x->pkg != y->pkg)
        return x->pkg < y->pkg ? -1 : 1;
    return strcmp(x->id, y->id);
}

void dd_scan__sort(dd_scan_result *r)
{
    if (r->n > 1)
        qsort(r->v, r->n, sizeof(*r->v), cmp_finding);
}

const dd_inventory *dd_scan_inventory(const dd_scan_result *r) { return r->inv; }
const char *dd_scan_os_ecosystem_used(const dd_scan_result *r) { return r->os_ecosystem; }
size_t dd_scan_count(const dd_scan_result *r) { return r->n; }
const dd_finding *dd_scan_get(const dd_scan_result *r, size_t i) { return i < r->n ? &r->v[i] : NULL; }
size_t dd_scan_note_count(const dd_scan_result *r) { return r->n_notes; }
const char *dd_scan_note(const dd_scan_result *r, size_t i) { return i < r->n_notes ? r->notes[i] : NULL; }

int dd_scan_suppress(dd_scan_result *r, size_t index, dd_suppress_kind kind, const char *reason)
{
    int rc = DD_OK;

    if (index >= r->n)
        return dd_error_set(DD_EINVALID, "no finding %zu", index);
    r->v[index].suppressed = kind;
    r->v[index].suppress_reason = copy_str(r, reason, &rc);
    return rc;
}
