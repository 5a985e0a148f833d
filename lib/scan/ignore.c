/* The ignore file: vulnerability ids and purl patterns whose findings are not counted, one
 * entry a line, in the manner of Trivy's .trivyignore (docs/suppress.md). */
#include "scan/suppress_int.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    size_t line;
    const char *id;    /* NULL for an entry that is only purl patterns */
    const char **pkgs; /* purl globs; the entry matches a package matching any */
    size_t n_pkgs;
    const char *reason; /* the comment, NULL when none */
    char exp[11];       /* "YYYY-MM-DD", "" when the entry does not lapse */
    bool expired;
} ignore_entry;

typedef struct {
    ignore_entry *v;
    size_t n, alloc;
} ignore_list;

/* The forms a purl pattern is matched against: the purl as written and percent-decoded, each
 * in full, without "?qualifiers#subpath", without "@version", and without both. */
#define PURL_FORMS 8

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Parses "YYYY-MM-DD" (exactly) into the first second past the end of that day, UTC. */
static bool parse_date(const char *s, size_t len, int64_t *end_of_day)
{
    unsigned y = 0, m = 0, d = 0;

    if (len != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (size_t i = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    y = (unsigned)((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'));
    m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
    d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
    if (y == 0 || m < 1 || m > 12 || d < 1 || d > dd_scan__month_days(y, m))
        return false;
    *end_of_day = (dd_scan__days_from_civil(y, m, d) + 1) * 86400;
    return true;
}

static int bad_line(const char *path, size_t line, const char *what, const char *tok, size_t len)
{
    /* tokens can be long: the message shows the start of one */
    int shown = len > 80 ? 80 : (int)len;

    return dd_error_set(DD_EINVALID, "%s:%zu: %s: \"%.*s%s\"", path, line, what, shown, tok,
                        len > 80 ? "..." : "");
}

/* Number of "pkg:" words before the comment of a line. */
static size_t count_patterns(const char *s, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len;) {
        while (i < len && is_blank(s[i]))
            i++;
        if (i >= len || s[i] == '#')
            break;
        if (len - i >= 4 && memcmp(s + i, "pkg:", 4) == 0)
            n++;
        while (i < len && !is_blank(s[i]))
            i++;
    }
    return n;
}

/* One line, without its terminator and surrounding blanks, known not to be blank or a comment. */
static int parse_line(ignore_list *l, dd_arena *a, const char *path, size_t line, const char *s,
                      size_t len, int64_t now)
{
    ignore_entry e = {.line = line};
    size_t i = 0, max_pkgs = count_patterns(s, len);
    int64_t end_of_day = 0;

    if (max_pkgs && !(e.pkgs = dd_arena_alloc(a, max_pkgs * sizeof(*e.pkgs))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    while (i < len) {
        size_t start, tlen;
        const char *tok;

        while (i < len && is_blank(s[i]))
            i++;
        if (i >= len)
            break;
        if (s[i] == '#') {
            /* the rest of the line is a comment: the entry's reason */
            size_t r = i + 1;

            while (r < len && is_blank(s[r]))
                r++;
            if (r < len && !(e.reason = dd_arena_strndup(a, s + r, len - r)))
                return dd_error_set(DD_ENOMEM, "out of memory");
            break;
        }
        start = i;
        while (i < len && !is_blank(s[i]))
            i++;
        tok = s + start;
        tlen = i - start;
        if (tlen >= 4 && memcmp(tok, "exp:", 4) == 0) {
            if (start == 0)
                return bad_line(path, line, "no id or pkg: pattern before the expiry date", tok,
                                tlen);
            if (e.exp[0])
                return bad_line(path, line, "a second expiry date", tok, tlen);
            if (!parse_date(tok + 4, tlen - 4, &end_of_day))
                return bad_line(path, line, "invalid date (want exp:YYYY-MM-DD)", tok, tlen);
            memcpy(e.exp, tok + 4, 10);
            e.exp[10] = '\0';
            e.expired = now >= end_of_day;
        } else if (tlen >= 4 && memcmp(tok, "pkg:", 4) == 0) {
            if (tlen == 4)
                return bad_line(path, line, "empty purl pattern", tok, tlen);
            if (!(e.pkgs[e.n_pkgs++] = dd_arena_strndup(a, tok, tlen)))
                return dd_error_set(DD_ENOMEM, "out of memory");
        } else if (start == 0) {
            if (memchr(tok, '*', tlen) || memchr(tok, '?', tlen) || memchr(tok, '[', tlen))
                return bad_line(path, line, "ids are matched exactly, not as patterns", tok, tlen);
            if (!(e.id = dd_arena_strndup(a, tok, tlen)))
                return dd_error_set(DD_ENOMEM, "out of memory");
        } else {
            return bad_line(path, line,
                            "unexpected word (one entry a line: ID [exp:YYYY-MM-DD] "
                            "[pkg:PATTERN] [# reason])",
                            tok, tlen);
        }
    }
    if (DD_ARRAY_RESERVE(l->v, l->alloc, l->n + 1, sizeof(*l->v), 16) != DD_OK)
        return DD_ENOMEM;
    l->v[l->n++] = e;
    return DD_OK;
}

static int parse_file(ignore_list *l, dd_arena *a, const char *path, const char *data, size_t len,
                      int64_t now)
{
    size_t pos = 0, line = 0;

    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *s = data + pos, *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        int rc;

        line++;
        pos += n + (nl ? 1 : 0);
        if (n > 0 && s[n - 1] == '\r')
            n--;
        if (n > DD_IGNORE_MAX_LINE)
            return dd_error_set(DD_ELIMIT, "%s:%zu: line longer than %d bytes", path, line,
                                DD_IGNORE_MAX_LINE);
        if (memchr(s, '\0', n))
            return dd_error_set(DD_EINVALID, "%s:%zu: NUL byte in the line", path, line);
        while (n > 0 && (is_blank(s[n - 1]) || s[n - 1] == '\r'))
            n--;
        while (n > 0 && is_blank(*s)) {
            s++;
            n--;
        }
        if (n == 0 || *s == '#')
            continue;
        if ((rc = parse_line(l, a, path, line, s, n, now)) != DD_OK)
            return rc;
    }
    return DD_OK;
}

/* Fills `forms` with the purl variants a pattern is tried against (strings in `a`). */
static int purl_forms(const char *forms[PURL_FORMS], dd_arena *a, const char *purl)
{
    for (int dec = 0; dec < 2; dec++) {
        size_t len = strlen(purl), base_len, ver_at;
        const char *p = purl;
        char *full, *no_q, *no_v, *bare;

        if (dec && !(p = dd_scan__pct_decode(a, purl, len)))
            return DD_ENOMEM;
        len = strlen(p);
        /* the base is everything before "?qualifiers" and "#subpath" */
        base_len = strcspn(p, "?#");
        /* the version starts at the last '@' of the base that no '/' follows */
        ver_at = base_len;
        for (size_t i = base_len; i-- > 0;) {
            if (p[i] == '/')
                break;
            if (p[i] == '@') {
                ver_at = i;
                break;
            }
        }
        full = dd_arena_strdup(a, p);
        no_q = dd_arena_strndup(a, p, base_len);
        bare = dd_arena_strndup(a, p, ver_at);
        no_v = dd_arena_alloc(a, len + 1);
        if (!full || !no_q || !bare || !no_v)
            return dd_error_set(DD_ENOMEM, "out of memory");
        memcpy(no_v, p, ver_at);
        memcpy(no_v + ver_at, p + base_len, len - base_len + 1);
        forms[dec * 4 + 0] = full;
        forms[dec * 4 + 1] = no_q;
        forms[dec * 4 + 2] = no_v;
        forms[dec * 4 + 3] = bare;
    }
    return DD_OK;
}

static bool pkg_matches(const ignore_entry *e, const char *const forms[PURL_FORMS])
{
    for (size_t i = 0; i < e->n_pkgs; i++)
        for (int f = 0; f < PURL_FORMS; f++)
            if (forms[f] && fnmatch(e->pkgs[i], forms[f], FNM_CASEFOLD) == 0)
                return true;
    return false;
}

typedef struct {
    const char *id;
    size_t entry;
} id_key;

static int cmp_key(const void *a, const void *b)
{
    const id_key *x = a, *y = b;
    int c = strcasecmp(x->id, y->id);

    if (c)
        return c;
    return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* What apply() needs at hand: the entries with an id sorted by it, the entries without one,
 * and the purl forms of the package of the finding at hand. */
typedef struct {
    const ignore_list *l;
    const dd_inventory *inv;
    dd_arena *a;
    id_key *keys;
    size_t n_keys;
    size_t *pkg_only;
    size_t n_pkg_only;
    const char *forms[PURL_FORMS];
    size_t forms_pkg;
} matcher;

/* Whether entry `k`'s purl patterns (if any) take in the package of `f`. */
static int entry_takes(matcher *m, size_t k, const dd_finding *f, bool *yes)
{
    const ignore_entry *e = &m->l->v[k];
    const dd_package *p;
    int rc;

    *yes = e->n_pkgs == 0;
    if (*yes || !f) /* an issue has no package: only entries without purl patterns take it */
        return DD_OK;
    if (!m->inv || !(p = dd_inventory_get(m->inv, f->pkg)) || !p->purl)
        return DD_OK;
    /* findings come grouped by package: its purl forms are computed once */
    if (m->forms_pkg != f->pkg) {
        if ((rc = purl_forms(m->forms, m->a, p->purl)) != DD_OK)
            return rc;
        m->forms_pkg = f->pkg;
    }
    *yes = pkg_matches(e, m->forms);
    return DD_OK;
}

/* The first entry (in file order) that applies to `id` of `f`, if it comes before `*best`. */
static int first_for_id(matcher *m, const dd_finding *f, const char *id, size_t *best)
{
    size_t lo = 0, hi = m->n_keys;
    int rc;

    if (!id)
        return DD_OK;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcasecmp(m->keys[mid].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < m->n_keys && strcasecmp(m->keys[lo].id, id) == 0; lo++) {
        size_t k = m->keys[lo].entry;
        bool yes;

        if (k >= *best)
            break;
        if ((rc = entry_takes(m, k, f, &yes)) != DD_OK)
            return rc;
        if (yes) {
            *best = k;
            break;
        }
    }
    return DD_OK;
}

/* Suppresses finding `i` (or issue `i` when `issue`) by entry `e`. */
static int suppress(dd_scan_result *r, size_t i, bool issue, const ignore_entry *e,
                    const char *path)
{
    dd_buf b = DD_BUF_INIT;
    const char *reason = e->reason;
    int rc = DD_OK;

    /* without a comment, the reason says which entry it was */
    if (!reason && (rc = dd_buf_printf(&b, "%s:%zu", path, e->line)) == DD_OK)
        reason = b.data;
    if (rc == DD_OK)
        rc = issue ? dd_scan_suppress_issue(r, i, DD_SUPPRESS_IGNOREFILE, reason)
                   : dd_scan_suppress(r, i, DD_SUPPRESS_IGNOREFILE, reason);
    dd_buf_dispose(&b);
    return rc;
}

static int apply(dd_scan_result *r, const ignore_list *l, dd_arena *a, const char *path,
                 size_t *suppressed)
{
    matcher m = {.l = l, .inv = dd_scan_inventory(r), .a = a, .forms_pkg = SIZE_MAX};
    int rc = DD_OK;

    if (l->n == 0)
        return DD_OK;
    m.keys = dd_malloc(l->n * sizeof(*m.keys));
    m.pkg_only = dd_malloc(l->n * sizeof(*m.pkg_only));
    if (!m.keys || !m.pkg_only) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < l->n; k++) {
        if (l->v[k].expired)
            continue;
        if (l->v[k].id)
            m.keys[m.n_keys++] = (id_key){l->v[k].id, k};
        else
            m.pkg_only[m.n_pkg_only++] = k;
    }
    if (m.n_keys > 1)
        qsort(m.keys, m.n_keys, sizeof(*m.keys), cmp_key);
    for (size_t i = 0; i < dd_scan_count(r) && rc == DD_OK; i++) {
        const dd_finding *f = dd_scan_get(r, i);
        size_t best = SIZE_MAX;

        if (f->suppressed != DD_SUPPRESS_NONE)
            continue;
        rc = first_for_id(&m, f, f->id, &best);
        for (size_t j = 0; j < f->n_aliases && rc == DD_OK; j++)
            rc = first_for_id(&m, f, f->aliases[j], &best);
        for (size_t j = 0; j < f->n_records && rc == DD_OK; j++)
            rc = first_for_id(&m, f, f->records[j], &best);
        for (size_t j = 0; j < m.n_pkg_only && rc == DD_OK && m.pkg_only[j] < best; j++) {
            bool yes;

            if ((rc = entry_takes(&m, m.pkg_only[j], f, &yes)) == DD_OK && yes)
                best = m.pkg_only[j];
        }
        if (rc != DD_OK || best == SIZE_MAX)
            continue;
        if ((rc = suppress(r, i, false, &l->v[best], path)) == DD_OK)
            (*suppressed)++;
    }
    /* issues: by rule id, from the entries without purl patterns */
    for (size_t i = 0; i < dd_scan_issue_count(r) && rc == DD_OK; i++) {
        const dd_issue *is = dd_scan_issue_get(r, i);
        size_t best = SIZE_MAX;

        if (is->suppressed != DD_SUPPRESS_NONE)
            continue;
        if ((rc = first_for_id(&m, NULL, is->rule_id, &best)) != DD_OK || best == SIZE_MAX)
            continue;
        if ((rc = suppress(r, i, true, &l->v[best], path)) == DD_OK)
            (*suppressed)++;
    }
done:
    dd_free(m.keys);
    dd_free(m.pkg_only);
    return rc;
}

int dd_scan_apply_ignorefile(dd_scan_result *r, const char *path, const char *data, size_t len,
                             int64_t now)
{
    ignore_list l = {0};
    dd_arena *a = NULL;
    size_t suppressed = 0, expired = 0;
    int rc;

    if (len > DD_IGNORE_MAX_BYTES)
        return dd_error_set(DD_ELIMIT, "%s: larger than %u MiB", path, DD_IGNORE_MAX_BYTES >> 20);
    if ((rc = dd_arena_new(&a)) != DD_OK)
        return rc;
    /* the whole file is read before anything is applied: a bad line changes nothing */
    if ((rc = parse_file(&l, a, path, data ? data : "", len, now)) != DD_OK)
        goto done;
    for (size_t k = 0; k < l.n; k++) {
        const ignore_entry *e = &l.v[k];

        if (!e->expired)
            continue;
        expired++;
        if ((rc = dd_scan__note(r, "%s:%zu: entry for %s expired on %s", path, e->line,
                                e->id ? e->id : e->pkgs[0], e->exp)) != DD_OK)
            goto done;
    }
    if ((rc = apply(r, &l, a, path, &suppressed)) != DD_OK)
        goto done;
    if (l.n)
        rc = dd_scan__note(r, "ignore file %s: %zu entries (%zu expired), %zu findings suppressed",
                           path, l.n, expired, suppressed);
done:
    dd_free(l.v);
    dd_arena_free(a);
    return rc;
}
