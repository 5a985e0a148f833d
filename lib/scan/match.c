/* Matching an inventory against the OSV database.
 *
 * Distro packages are looked up by their source package (dpkg Source:, apk origin, rpm source
 * rpm) in the image's release ("Debian:11"), language packages in their own ecosystem; never one
 * against the other. Each affected[] entry is evaluated with OSV's semantics in the ecosystem's
 * own version order. A record that is not itself a CVE is reported under the CVE ids it names,
 * so a DSA and the CVE records it aliases give one finding per package and CVE. */
#include "scan/scan_int.h"

#include <drydock/cvss.h>
#include <drydock/version.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One matching affected[] entry, copied out of the query into the package's scratch arena. */
typedef struct {
    const char *record;
    const char *const *aliases;
    size_t n_aliases;
    const char *fixed; /* NULL: no fix above the installed version */
    dd_severity severity;
    int rank; /* how authoritative the severity is: rating 5, v3 4, v4 3, score 2, v2 1, none 0 */
    const char *severity_source;
    double cvss_score;
    const char *cvss_vector;
    const char *summary, *details, *published, *modified;
    const char *const *references;
    size_t n_references;
} hit;

/* The installed version's order against one version text of the records (cmp_installed). */
typedef struct {
    const char *v; /* in the package's arena; NULL: a free slot */
    uint64_t hash;
    int cmp; /* -1, 0, 1; CMP_INVALID when `v` does not parse */
} cmp_slot;

#define CMP_INVALID 2

typedef struct {
    dd_version_scheme scheme;
    const char *version; /* valid in `scheme` */
    dd_arena *arena;
    hit *hits;
    size_t n_hits, alloc;
    int bad_record_versions; /* entries skipped because a version in them does not parse */
    cmp_slot *seen;          /* open addressing, a power of two slots, at most half in use */
    size_t n_seen, cap_seen;
} pkg_match;

static int cmp_ver(const pkg_match *m, const char *a, const char *b, int *out)
{
    return dd_version_cmp(m->scheme, a, b, out);
}

static cmp_slot *seen_slot(cmp_slot *t, size_t cap, uint64_t hash, const char *v)
{
    size_t i = (size_t)hash & (cap - 1);

    while (t[i].v && (t[i].hash != hash || strcmp(t[i].v, v) != 0))
        i = (i + 1) & (cap - 1);
    return &t[i];
}

static int seen_grow(pkg_match *m)
{
    size_t cap = m->cap_seen ? m->cap_seen * 2 : 64;
    cmp_slot *t = dd_calloc(cap, sizeof(*t));

    if (!t)
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < m->cap_seen; i++)
        if (m->seen[i].v)
            *seen_slot(t, cap, m->seen[i].hash, m->seen[i].v) = m->seen[i];
    dd_free(m->seen);
    m->seen = t;
    m->cap_seen = cap;
    return DD_OK;
}

/* The order of the installed version against `v` (*out), DD_EINVALID when `v` does not parse.
 * Remembered by text: the records of one name give the same versions again and again (a PyPI
 * record lists every release it affects), and a comparison parses both sides. */
static int cmp_installed(pkg_match *m, const char *v, int *out)
{
    uint64_t hash = dd_fnv1a(DD_FNV1A_INIT, v);
    cmp_slot *s;
    int c = 0;

    if (m->n_seen * 2 >= m->cap_seen && seen_grow(m) != DD_OK)
        return DD_ENOMEM;
    s = seen_slot(m->seen, m->cap_seen, hash, v);
    if (!s->v) {
        if (!(s->v = dd_arena_strdup(m->arena, v)))
            return dd_error_set(DD_ENOMEM, "out of memory");
        s->hash = hash;
        s->cmp = cmp_ver(m, m->version, v, &c) == DD_OK ? c : CMP_INVALID;
        m->n_seen++;
    }
    *out = s->cmp;
    return s->cmp == CMP_INVALID ? DD_EINVALID : DD_OK;
}

static _Thread_local const pkg_match *sort_m;

static int cmp_events(const void *a, const void *b)
{
    const dd_osv_event *x = *(const dd_osv_event *const *)a, *y = *(const dd_osv_event *const *)b;
    int zx = x->kind == DD_OSV_INTRODUCED && strcmp(x->version, "0") == 0;
    int zy = y->kind == DD_OSV_INTRODUCED && strcmp(y->version, "0") == 0;
    int c = 0;

    if (zx || zy)
        return zy - zx;
    if (cmp_ver(sort_m, x->version, y->version, &c) != DD_OK)
        c = 0;
    return c;
}

/* Evaluates one range: *affected, and the first fix above the installed version. DD_EINVALID
 * when a version of the range does not parse in the scheme (the range is then not used). */
static int eval_range(pkg_match *m, const dd_osv_range *r, int *affected, const char **fixed)
{
    const dd_osv_event *ev[64], **sorted = ev;
    size_t n = 0;
    int state = 0, below_limit = -1, rc = DD_OK, c;

    *affected = 0;
    *fixed = NULL;
    if (r->n_events > sizeof(ev) / sizeof(ev[0]) &&
        !(sorted = dd_malloc(r->n_events * sizeof(*sorted))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->n_events; i++) {
        const dd_osv_event *e = &r->events[i];
        if (e->kind == DD_OSV_INTRODUCED && strcmp(e->version, "0") == 0) {
            sorted[n++] = e;
            continue;
        }
        /* the installed version is valid: a comparison fails only on the record's */
        if ((rc = cmp_installed(m, e->version, &c)) != DD_OK)
            goto out;
        if (e->kind == DD_OSV_LIMIT) {
            if (below_limit < 0)
                below_limit = 0;
            if (c < 0)
                below_limit = 1;
            continue;
        }
        sorted[n++] = e;
    }
    sort_m = m;
    qsort(sorted, n, sizeof(*sorted), cmp_events);
    for (size_t i = 0; i < n; i++) {
        const dd_osv_event *e = sorted[i];
        if (e->kind == DD_OSV_INTRODUCED && strcmp(e->version, "0") == 0) {
            state = 1;
            continue;
        }
        if ((rc = cmp_installed(m, e->version, &c)) != DD_OK)
            goto out;
        if (e->kind == DD_OSV_INTRODUCED && c >= 0)
            state = 1;
        else if (e->kind == DD_OSV_FIXED && c >= 0)
            state = 0;
        else if (e->kind == DD_OSV_LAST_AFFECTED && c > 0)
            state = 0;
        else if (e->kind == DD_OSV_FIXED && c < 0 && state && !*fixed)
            *fixed = e->version;
    }
    if (state && below_limit == 0)
        state = 0;
    *affected = state;
    if (!state)
        *fixed = NULL;
out:
    if (sorted != ev)
        dd_free(sorted);
    return rc;
}

static const char *scratch_str(pkg_match *m, const char *s)
{
    return s ? dd_arena_strdup(m->arena, s) : NULL;
}

static const char *const *scratch_strv(pkg_match *m, const char *const *v, size_t n)
{
    const char **c;

    if (n == 0 || !(c = dd_arena_alloc(m->arena, n * sizeof(*c))))
        return NULL;
    for (size_t i = 0; i < n; i++)
        c[i] = scratch_str(m, v[i]);
    return c;
}

/* The severity of one entry and how authoritative it is. */
static void entry_severity(hit *h, const dd_osv_affected *a)
{
    dd_severity s;
    double score;

    h->cvss_score = -1;
    h->cvss_vector = NULL;
    if (a->cvss_v3 && dd_cvss_score(a->cvss_v3, &score, NULL) == DD_OK) {
        h->cvss_score = score;
        h->cvss_vector = a->cvss_v3;
    } else if (a->cvss_v4 && dd_cvss_score(a->cvss_v4, &score, NULL) == DD_OK) {
        h->cvss_score = score;
        h->cvss_vector = a->cvss_v4;
    }
    if (a->rating && dd_severity_parse(&s, a->rating) == DD_OK && s != DD_SEV_UNKNOWN) {
        h->severity = s;
        h->rank = 5;
        h->severity_source = a->rating_source ? a->rating_source : "record";
    } else if (h->cvss_vector) {
        h->severity = dd_severity_from_score(h->cvss_score);
        h->rank = h->cvss_vector == a->cvss_v3 ? 4 : 3;
        h->severity_source = h->rank == 4 ? "cvss_v3" : "cvss_v4";
    } else if (a->score >= 0) {
        h->severity = dd_severity_from_score(a->score);
        h->rank = 2;
        h->severity_source = "cvss_score";
        h->cvss_score = a->score;
    } else if (a->score_v2 >= 0) {
        /* CVSS v2 bands: 0-3.9 low, 4.0-6.9 medium, 7.0-10 high */
        h->severity = a->score_v2 >= 7.0   ? DD_SEV_HIGH
                      : a->score_v2 >= 4.0 ? DD_SEV_MEDIUM
                      : a->score_v2 > 0    ? DD_SEV_LOW
                                           : DD_SEV_UNKNOWN;
        h->rank = 1;
        h->severity_source = "cvss_v2";
        h->cvss_score = a->score_v2;
    } else {
        h->severity = DD_SEV_UNKNOWN;
        h->rank = 0;
        h->severity_source = NULL;
    }
}

static int on_entry(const dd_osv_affected *a, void *payload)
{
    pkg_match *m = payload;
    const char *fixed = NULL, *fix = NULL;
    int affected = 0, aff, unfixed = 0, any_range = 0, c;
    hit *h;

    for (size_t i = 0; i < a->n_ranges; i++) {
        const dd_osv_range *r = &a->ranges[i];
        int rc;
        if (r->type == DD_OSV_RANGE_GIT)
            continue;
        rc = eval_range(m, r, &aff, &fix);
        if (rc == DD_ENOMEM)
            return rc;
        if (rc != DD_OK) {
            m->bad_record_versions++;
            continue;
        }
        any_range = 1;
        if (!aff)
            continue;
        if (!fix)
            unfixed = 1;
        else if (!fixed || (cmp_ver(m, fix, fixed, &c) == DD_OK && c > 0))
            fixed = fix;
        affected = 1;
    }
    if (!affected)
        for (size_t i = 0; i < a->n_versions; i++) {
            int rc = DD_OK;

            c = strcmp(a->versions[i], m->version);
            if (c != 0 && (rc = cmp_installed(m, a->versions[i], &c)) == DD_ENOMEM)
                return rc;
            if (rc == DD_OK && c == 0) {
                affected = 1;
                unfixed = !any_range;
                break;
            }
        }
    if (!affected)
        return 0;
    if (DD_ARRAY_RESERVE(m->hits, m->alloc, m->n_hits + 1, sizeof(*m->hits), 8) != DD_OK)
        return DD_ENOMEM;
    h = &m->hits[m->n_hits];
    memset(h, 0, sizeof(*h));
    entry_severity(h, a);
    h->record = scratch_str(m, a->id);
    h->aliases = scratch_strv(m, a->aliases, a->n_aliases);
    h->n_aliases = h->aliases ? a->n_aliases : 0;
    h->fixed = unfixed ? NULL : scratch_str(m, fixed);
    h->severity_source = scratch_str(m, h->severity_source);
    h->cvss_vector = scratch_str(m, h->cvss_vector);
    h->summary = scratch_str(m, a->summary);
    h->details = scratch_str(m, a->details);
    h->published = scratch_str(m, a->published);
    h->modified = scratch_str(m, a->modified);
    h->references = scratch_strv(m, a->references, a->n_references);
    h->n_references = h->references ? a->n_references : 0;
    if (!h->record)
        return dd_error_set(DD_ENOMEM, "out of memory");
    m->n_hits++;
    return 0;
}

/* --- from hits to findings --- */

typedef struct {
    const char *id;
    size_t hit;
} tagged;

static int cmp_tagged(const void *a, const void *b)
{
    const tagged *x = a, *y = b;
    int c = strcmp(x->id, y->id);

    return c ? c : (x->hit > y->hit) - (x->hit < y->hit);
}

static int is_cve(const char *id)
{
    return strncmp(id, "CVE-", 4) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts and removes duplicates in place; returns the new count. */
static size_t sort_unique(const char **v, size_t n)
{
    size_t k = 0;

    if (n == 0)
        return 0;
    qsort(v, n, sizeof(*v), cmp_str);
    for (size_t i = 0; i < n; i++)
        if (k == 0 || strcmp(v[k - 1], v[i]) != 0)
            v[k++] = v[i];
    return k;
}

static int emit(dd_scan_result *r, pkg_match *m, size_t pkg, const char *ecosystem,
                const char *name)
{
    tagged *t = NULL;
    size_t nt = 0, alloc = 0;
    int rc = DD_OK;

    for (size_t i = 0; i < m->n_hits; i++) {
        const hit *h = &m->hits[i];
        int named = 0;
        if (is_cve(h->record)) {
            if (DD_ARRAY_RESERVE(t, alloc, nt + 1, sizeof(*t), 16) != DD_OK)
                goto nomem;
            t[nt++] = (tagged){h->record, i};
            continue;
        }
        for (size_t j = 0; j < h->n_aliases; j++)
            if (is_cve(h->aliases[j])) {
                if (DD_ARRAY_RESERVE(t, alloc, nt + 1, sizeof(*t), 16) != DD_OK)
                    goto nomem;
                t[nt++] = (tagged){h->aliases[j], i};
                named = 1;
            }
        if (!named) {
            if (DD_ARRAY_RESERVE(t, alloc, nt + 1, sizeof(*t), 16) != DD_OK)
                goto nomem;
            t[nt++] = (tagged){h->record, i};
        }
    }
    qsort(t, nt, sizeof(*t), cmp_tagged);
    for (size_t i = 0; i < nt;) {
        size_t j = i, n_al = 0, n_rec = 0, n_ref = 0, cap_al = 0, cap_ref = 0;
        const hit *best = NULL, *text = NULL;
        const char *fixed = NULL, **al = NULL, **rec = NULL, **refs = NULL;
        int unfixed = 0, c;
        dd_finding f;

        while (j < nt && strcmp(t[j].id, t[i].id) == 0)
            j++;
        for (size_t k = i; k < j; k++) {
            cap_al += 1 + m->hits[t[k].hit].n_aliases;
            cap_ref += m->hits[t[k].hit].n_references;
        }
        if (!(al = dd_arena_alloc(m->arena, (cap_al + 1) * sizeof(*al))) ||
            !(rec = dd_arena_alloc(m->arena, (j - i) * sizeof(*rec))) ||
            !(refs = dd_arena_alloc(m->arena, (cap_ref + 1) * sizeof(*refs))))
            goto nomem;
        for (size_t k = i; k < j; k++) {
            const hit *h = &m->hits[t[k].hit];
            rec[n_rec++] = h->record;
            if (strcmp(h->record, t[i].id) != 0)
                al[n_al++] = h->record;
            for (size_t a = 0; a < h->n_aliases; a++)
                if (!is_cve(h->aliases[a]) && strcmp(h->aliases[a], t[i].id) != 0)
                    al[n_al++] = h->aliases[a];
            for (size_t a = 0; a < h->n_references; a++)
                refs[n_ref++] = h->references[a];
            if (!h->fixed)
                unfixed = 1;
            else if (!fixed || (cmp_ver(m, h->fixed, fixed, &c) == DD_OK && c > 0))
                fixed = h->fixed;
            if (!best || h->rank > best->rank ||
                (h->rank == best->rank && h->severity > best->severity))
                best = h;
            if (!text)
                text = h;
        }
        /* the record named like the finding gives the text, else the first record by id */
        for (size_t k = i; k < j; k++)
            if (strcmp(m->hits[t[k].hit].record, t[i].id) == 0)
                text = &m->hits[t[k].hit];
        memset(&f, 0, sizeof(f));
        f.id = t[i].id;
        n_al = sort_unique(al, n_al);
        f.aliases = al;
        f.n_aliases = n_al;
        f.n_records = sort_unique(rec, n_rec);
        f.records = rec;
        /* references: in the order the records give them, without duplicates */
        {
            size_t kept = 0;
            for (size_t a = 0; a < n_ref && kept < 16; a++) {
                size_t b;
                for (b = 0; b < kept && strcmp(refs[b], refs[a]) != 0; b++)
                    ;
                if (b == kept)
                    refs[kept++] = refs[a];
            }
            f.references = refs;
            f.n_references = kept;
        }
        f.pkg = pkg;
        f.installed = m->version;
        f.fixed = unfixed ? NULL : fixed;
        f.severity = best->severity;
        f.severity_source = best->severity_source;
        f.cvss_score = best->cvss_score;
        f.cvss_vector = best->cvss_vector;
        f.title = text->summary;
        f.description = text->details;
        f.published = text->published;
        f.modified = text->modified;
        f.ecosystem = ecosystem;
        f.matched_name = name;
        if ((rc = dd_scan__add(r, &f)) != DD_OK)
            break;
        i = j;
    }
    dd_free(t);
    return rc;
nomem:
    dd_free(t);
    return dd_error_set(DD_ENOMEM, "out of memory");
}

/* --- which ecosystem, name and version a package is looked up under --- */

int dd_scan_os_ecosystem(char **out, const dd_os_info *os)
{
    static const struct {
        const char *codename, *release;
    } debian[] = {{"buzz", "1.1"},    {"rex", "1.2"},    {"bo", "1.3"},      {"hamm", "2.0"},
                  {"slink", "2.1"},   {"potato", "2.2"}, {"woody", "3.0"},   {"sarge", "3.1"},
                  {"etch", "4.0"},    {"lenny", "5.0"},  {"squeeze", "6.0"}, {"wheezy", "7"},
                  {"jessie", "8"},    {"stretch", "9"},  {"buster", "10"},   {"bullseye", "11"},
                  {"bookworm", "12"}, {"trixie", "13"},  {"forky", "14"}};
    const char *id = os ? os->id : NULL, *v = os ? os->version_id : NULL;
    dd_buf b = DD_BUF_INIT;
    int rc = DD_ENOTFOUND;
    size_t n;

    *out = NULL;
    if (!id)
        return dd_error_set(DD_ENOTFOUND, "the image's distribution is unknown");
    n = v ? strcspn(v, ".") : 0;
    if (strcmp(id, "debian") == 0) {
        if (v && n > 0) {
            /* releases before 7 keep the minor number: "Debian:6.0" */
            int major = atoi(v);
            if (major >= 7)
                rc = dd_buf_printf(&b, "Debian:%.*s", (int)n, v);
            else
                rc = dd_buf_printf(&b, "Debian:%d.%c", major, v[n] == '.' ? v[n + 1] : '0');
        } else if (os->version_codename) {
            for (size_t i = 0; i < sizeof(debian) / sizeof(debian[0]); i++)
                if (strcmp(os->version_codename, debian[i].codename) == 0)
                    rc = dd_buf_printf(&b, "Debian:%s", debian[i].release);
        }
    } else if (strcmp(id, "alpine") == 0 && v) {
        size_t m = n;
        if (v[m] == '.')
            m += 1 + strcspn(v + m + 1, ".");
        rc = dd_buf_printf(&b, "Alpine:v%.*s", (int)m, v);
    } else if (strcmp(id, "ubuntu") == 0 && v) {
        int year = atoi(v);
        int lts = year % 2 == 0 && strncmp(v + n, ".04", 3) == 0;
        rc = dd_buf_printf(&b, "Ubuntu:%s%s", v, lts ? ":LTS" : "");
    } else if (strcmp(id, "rocky") == 0 && v) {
        rc = dd_buf_printf(&b, "Rocky Linux:%.*s", (int)n, v);
    } else if (strcmp(id, "almalinux") == 0 && v) {
        rc = dd_buf_printf(&b, "AlmaLinux:%.*s", (int)n, v);
    }
    if (rc == DD_ENOTFOUND) {
        dd_buf_dispose(&b);
        return dd_error_set(DD_ENOTFOUND, "no OSV ecosystem for distribution \"%s\" %s", id,
                            v ? v : "(no version)");
    }
    if (rc != DD_OK) {
        dd_buf_dispose(&b);
        return rc;
    }
    *out = b.data;
    return DD_OK;
}

const char *dd_scan_language_ecosystem(dd_pkg_type t)
{
    switch (t) {
    case DD_PKG_NPM:
        return "npm";
    case DD_PKG_PYPI:
        return "PyPI";
    case DD_PKG_GOLANG:
        return "Go";
    case DD_PKG_MAVEN:
        return "Maven";
    case DD_PKG_GEM:
        return "RubyGems";
    case DD_PKG_CARGO:
        return "crates.io";
    case DD_PKG_COMPOSER:
        return "Packagist";
    case DD_PKG_NUGET:
        return "NuGet";
    default:
        return NULL;
    }
}

static int is_os_type(dd_pkg_type t)
{
    return t == DD_PKG_DEB || t == DD_PKG_APK || t == DD_PKG_RPM;
}

/* One package as it is looked up: the advisories of (ecosystem, name) are read and decoded
 * once for every package that shares them (a source package's binaries, one library at several
 * versions), and each entry is evaluated against each of those packages' versions. */
typedef struct {
    const char *eco, *name, *version;
    dd_version_scheme scheme;
    size_t pkg;
} lookup;

static int cmp_lookup(const void *a, const void *b)
{
    const lookup *x = a, *y = b;
    int c = strcmp(x->eco, y->eco);

    if (!c)
        c = strcmp(x->name, y->name);
    return c ? c : (x->pkg > y->pkg) - (x->pkg < y->pkg);
}

typedef struct {
    pkg_match *m;
    size_t n;
} group_match;

static int on_group_entry(const dd_osv_affected *a, void *payload)
{
    const group_match *g = payload;
    int rc;

    for (size_t i = 0; i < g->n; i++)
        if ((rc = on_entry(a, &g->m[i])) != 0)
            return rc;
    return 0;
}

/* Matches the packages l[0..n), which share ecosystem and name. */
static int match_group(dd_scan_result *r, dd_vulndb *db, const lookup *l, size_t n,
                       size_t *bad_records)
{
    group_match g = {dd_calloc(n, sizeof(*g.m)), 0};
    int rc = DD_OK;

    if (!g.m)
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (; g.n < n; g.n++) {
        g.m[g.n].scheme = l[g.n].scheme;
        g.m[g.n].version = l[g.n].version;
        if ((rc = dd_arena_new(&g.m[g.n].arena)) != DD_OK)
            break;
    }
    if (rc == DD_OK)
        rc = dd_vulndb_query(db, l[0].eco, l[0].name, on_group_entry, &g);
    for (size_t i = 0; i < g.n; i++) {
        if (rc == DD_OK && g.m[i].n_hits)
            rc = emit(r, &g.m[i], l[i].pkg, l[i].eco, l[i].name);
        *bad_records += (size_t)g.m[i].bad_record_versions;
        dd_free(g.m[i].hits);
        dd_free(g.m[i].seen);
        dd_arena_free(g.m[i].arena);
    }
    dd_free(g.m);
    return rc;
}

int dd_scan_match(dd_scan_result **out, const dd_inventory *inv, dd_vulndb *db,
                  const dd_scan_opts *opts)
{
    dd_scan_opts defaults = DD_SCAN_OPTS_INIT;
    dd_scan_result *r = NULL;
    dd_arena *scratch = NULL;
    lookup *l = NULL;
    char *os_eco = NULL, version_buf[DD_VERSION_MAX_LEN + 32];
    unsigned noted_scheme = 0;
    size_t unmatched_os = 0, bad_versions = 0, bad_records = 0, n = 0;
    int rc;

    *out = NULL;
    if (!opts)
        opts = &defaults;
    if ((rc = dd_scan__new(&r, inv)) != DD_OK)
        return rc;
    if ((rc = dd_arena_new(&scratch)) != DD_OK)
        goto out;
    if (dd_inventory_count(inv) && !(l = dd_malloc(dd_inventory_count(inv) * sizeof(*l)))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto out;
    }
    if (opts->os_ecosystem) {
        if (!(os_eco = dd_strdup(opts->os_ecosystem))) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto out;
        }
    } else if (dd_scan_os_ecosystem(&os_eco, dd_inventory_os(inv)) != DD_OK) {
        if (dd_error_code() == DD_ENOMEM) {
            rc = DD_ENOMEM;
            goto out;
        }
        os_eco = NULL;
        for (size_t i = 0; i < dd_inventory_count(inv); i++)
            if (is_os_type(dd_inventory_get(inv, i)->type))
                unmatched_os++;
        if (unmatched_os && (rc = dd_scan__note(r, "%s; its %zu OS packages were not matched",
                                                dd_error_message(), unmatched_os)) != DD_OK)
            goto out;
    }
    if ((rc = dd_scan__set_os_ecosystem(r, os_eco)) != DD_OK)
        goto out;
    for (size_t i = 0; i < dd_inventory_count(inv); i++) {
        const dd_package *p = dd_inventory_get(inv, i);
        const char *eco, *name, *version;
        dd_version_scheme scheme;

        if (p->removed)
            continue;
        if (is_os_type(p->type)) {
            if (!os_eco)
                continue;
            eco = os_eco;
            name = p->source_name && *p->source_name ? p->source_name : p->name;
            version = p->version;
            if (p->type == DD_PKG_DEB && p->source_version && *p->source_version)
                version = p->source_version;
            if (p->type == DD_PKG_RPM && p->epoch && *p->epoch && strcmp(p->epoch, "0") != 0) {
                snprintf(version_buf, sizeof(version_buf), "%s:%s", p->epoch, p->version);
                if (!(version = dd_arena_strdup(scratch, version_buf))) {
                    rc = dd_error_set(DD_ENOMEM, "out of memory");
                    goto out;
                }
            }
        } else {
            eco = dd_scan_language_ecosystem(p->type);
            name = p->name;
            version = p->version;
        }
        if (!eco || !name || !version)
            continue;
        if (dd_version_scheme_for_ecosystem(&scheme, eco) != DD_OK) {
            if (!(noted_scheme & (1u << p->type))) {
                noted_scheme |= 1u << p->type;
                if ((rc = dd_scan__note(r, "%s packages not matched: %s", eco,
                                        dd_error_message())) != DD_OK)
                    goto out;
            }
            continue;
        }
        if (!dd_version_valid(scheme, version)) {
            bad_versions++;
            continue;
        }
        l[n++] = (lookup){eco, name, version, scheme, i};
    }
    if (n > 1)
        qsort(l, n, sizeof(*l), cmp_lookup);
    for (size_t i = 0, j; i < n && rc == DD_OK; i = j) {
        for (j = i + 1;
             j < n && strcmp(l[j].eco, l[i].eco) == 0 && strcmp(l[j].name, l[i].name) == 0; j++)
            ;
        rc = match_group(r, db, l + i, j - i, &bad_records);
    }
    if (rc != DD_OK)
        goto out;
    if (bad_versions &&
        (rc = dd_scan__note(r,
                            "%zu packages have versions their ecosystem's order rejects; not "
                            "matched",
                            bad_versions)) != DD_OK)
        goto out;
    if (bad_records &&
        (rc = dd_scan__note(r, "%zu advisory ranges have versions that do not parse; not used",
                            bad_records)) != DD_OK)
        goto out;
    dd_scan__sort(r);
out:
    dd_free(os_eco);
    dd_free(l);
    dd_arena_free(scratch);
    if (rc != DD_OK) {
        dd_scan_result_free(r);
        return rc;
    }
    *out = r;
    return DD_OK;
}
