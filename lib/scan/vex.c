/* VEX documents (OpenVEX 0.2, CycloneDX 1.4-1.6 analysis) read into statements and applied to
 * the findings: not_affected and fixed suppress, affected and under_investigation keep
 * (docs/suppress.md). */
#include "scan/suppress_int.h"

#include <drydock/version.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A Package URL split into its parts, percent-decoded; strings in the run's arena. */
typedef struct {
    const char *type;    /* lower case */
    const char *path;    /* namespace and name: "debian/openssl", "@babel/core" */
    const char *version; /* NULL when none */
    const char **qk, **qv;
    size_t nq;
    const char *subpath; /* NULL when none */
} purl_parts;

typedef enum {
    TGT_PURL = 0, /* packages whose purl matches */
    TGT_ALL,      /* every package: the statement names the image or the product itself */
    TGT_OS,       /* every distro package: drydock's operating-system component */
} target_kind;

typedef struct {
    target_kind kind;
    purl_parts purl;
    json_t *versions; /* CycloneDX affects[].versions (borrowed from the document), or NULL */
} target;

typedef struct {
    bool suppress; /* not_affected or fixed */
    const char *reason;
    bool has_time;
    int64_t sec;
    long nsec;
    target *t;
    size_t n_t;
} statement;

typedef struct {
    const char *id;
    size_t stmt;
} vuln_key;

typedef struct {
    const char *ref;
    json_t *comp;
    size_t order; /* position in the document */
    bool root;    /* metadata.component: the product the BOM describes */
} comp_ref;

typedef struct {
    dd_scan_result *r;
    const dd_inventory *inv;
    const char *path;
    dd_arena *a;
    statement *s;
    size_t n_s, alloc_s;
    vuln_key *k;
    size_t n_k, alloc_k;
    comp_ref *comps;
    size_t n_comps, alloc_comps;
    purl_parts *pkg_purl;     /* per inventory index, parsed on first use */
    unsigned char *pkg_state; /* 0 not parsed yet, 1 parsed, 2 no usable purl */
    bool out_of_memory;       /* set where a match had to give up for want of memory */
} vex_run;

/* The match of one target or statement with one package. */
enum { NO_MATCH = 0, MATCH, MATCH_AFFECTED };

static int oom(void)
{
    return dd_error_set(DD_ENOMEM, "out of memory");
}

/* --- Package URLs --- */

static char *lower_dup(dd_arena *a, const char *s, size_t len)
{
    char *c = dd_arena_strndup(a, s, len);

    for (size_t i = 0; c && c[i]; i++)
        if (c[i] >= 'A' && c[i] <= 'Z')
            c[i] = (char)(c[i] - 'A' + 'a');
    return c;
}

static const char *last_of(const char *s, size_t len, char c)
{
    for (size_t i = len; i-- > 0;)
        if (s[i] == c)
            return s + i;
    return NULL;
}

/* Splits a purl (purl specification: scheme, type, namespace, name, version, qualifiers,
 * subpath). DD_EINVALID, without a message, for a string that is not one. */
static int purl_parse(purl_parts *out, dd_arena *a, const char *s)
{
    const char *p, *end, *cut, *slash, *name_at, *at;
    size_t len;

    memset(out, 0, sizeof(*out));
    if (strncasecmp(s, "pkg:", 4) != 0)
        return DD_EINVALID;
    for (p = s + 4; *p == '/'; p++)
        ;
    len = strlen(p);
    end = p + len;
    if ((cut = last_of(p, len, '#'))) {
        const char *sp = cut + 1, *se = end;

        while (sp < se && *sp == '/')
            sp++;
        while (se > sp && se[-1] == '/')
            se--;
        if (se > sp && !(out->subpath = dd_scan__pct_decode(a, sp, (size_t)(se - sp))))
            return DD_ENOMEM;
        end = cut;
    }
    if ((cut = last_of(p, (size_t)(end - p), '?'))) {
        const char *q = cut + 1;
        size_t n = 1;

        for (const char *c = q; c < end; c++)
            n += *c == '&';
        out->qk = dd_arena_alloc(a, n * sizeof(*out->qk));
        out->qv = dd_arena_alloc(a, n * sizeof(*out->qv));
        if (!out->qk || !out->qv)
            return oom();
        while (q < end) {
            const char *amp = memchr(q, '&', (size_t)(end - q)), *pe = amp ? amp : end;
            const char *eq = memchr(q, '=', (size_t)(pe - q));

            if (eq && eq > q && pe > eq + 1) {
                if (!(out->qk[out->nq] = lower_dup(a, q, (size_t)(eq - q))) ||
                    !(out->qv[out->nq] = dd_scan__pct_decode(a, eq + 1, (size_t)(pe - eq - 1))))
                    return oom();
                out->nq++;
            }
            q = amp ? amp + 1 : end;
        }
        end = cut;
    }
    while (end > p && end[-1] == '/')
        end--;
    if (!(slash = memchr(p, '/', (size_t)(end - p))) || slash == p)
        return DD_EINVALID;
    if (!(out->type = lower_dup(a, p, (size_t)(slash - p))))
        return oom();
    p = slash + 1;
    while (p < end && *p == '/')
        p++;
    /* the version follows the last '@' that no '/' follows (an npm scope's '@' is not it) */
    name_at = last_of(p, (size_t)(end - p), '/');
    name_at = name_at ? name_at + 1 : p;
    if ((at = last_of(name_at, (size_t)(end - name_at), '@'))) {
        if (at + 1 < end &&
            !(out->version = dd_scan__pct_decode(a, at + 1, (size_t)(end - at - 1))))
            return DD_ENOMEM;
        end = at;
    }
    if (end <= name_at)
        return DD_EINVALID;
    /* namespace and name as one string: writers differ on encoding the '/' of a scoped name */
    if (!(out->path = dd_scan__pct_decode(a, p, (size_t)(end - p))))
        return DD_ENOMEM;
    return DD_OK;
}

/* Types whose namespace and name the purl specification makes case-insensitive. */
static bool case_insensitive_type(const char *type)
{
    static const char *const types[] = {"alpm",   "apk", "bitbucket", "composer", "deb",
                                        "github", "npm", "nuget",     "pypi"};

    for (size_t i = 0; i < DD_ARRAY_SIZE(types); i++)
        if (strcmp(type, types[i]) == 0)
            return true;
    return false;
}

static char pypi_fold(char c)
{
    if (c >= 'A' && c <= 'Z')
        return (char)(c - 'A' + 'a');
    return c == '_' || c == '.' ? '-' : c;
}

static bool segment_eq(const char *type, const char *a, const char *b)
{
    if (strcmp(type, "pypi") == 0) {
        /* PEP 503: runs of '-', '_' and '.' are one separator; purls write single ones */
        for (; *a && *b; a++, b++)
            if (pypi_fold(*a) != pypi_fold(*b))
                return false;
        return *a == *b;
    }
    return case_insensitive_type(type) ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

/* Whether package purl `have` is one that `want` names: same type, namespace and name; the
 * same version when `want` gives one; each qualifier of `want` present with the same value. */
static bool purl_match(const purl_parts *want, const purl_parts *have)
{
    if (strcmp(want->type, have->type) != 0 || !segment_eq(want->type, want->path, have->path))
        return false;
    if (want->version && (!have->version || strcmp(want->version, have->version) != 0))
        return false;
    for (size_t i = 0; i < want->nq; i++) {
        bool found = false;

        for (size_t j = 0; j < have->nq && !found; j++)
            found = strcmp(want->qk[i], have->qk[j]) == 0 && strcmp(want->qv[i], have->qv[j]) == 0;
        if (!found)
            return false;
    }
    if (want->subpath && (!have->subpath || strcmp(want->subpath, have->subpath) != 0))
        return false;
    return true;
}

/* The parsed purl of package `i`, NULL when it has none. */
static const purl_parts *package_purl(vex_run *v, size_t i)
{
    const dd_package *p = dd_inventory_get(v->inv, i);

    if (v->pkg_state[i] == 0) {
        int rc = p && p->purl ? purl_parse(&v->pkg_purl[i], v->a, p->purl) : DD_EINVALID;

        if (rc == DD_ENOMEM) {
            v->out_of_memory = true;
            return NULL;
        }
        v->pkg_state[i] = rc == DD_OK ? 1 : 2;
    }
    return v->pkg_state[i] == 1 ? &v->pkg_purl[i] : NULL;
}

/* --- versions: CycloneDX affects[].versions with exact versions and vers ranges --- */

static bool scheme_of(dd_pkg_type t, dd_version_scheme *out)
{
    static const struct {
        dd_pkg_type type;
        dd_version_scheme scheme;
    } map[] = {
        {DD_PKG_DEB, DD_VERSION_DEB},     {DD_PKG_APK, DD_VERSION_APK},
        {DD_PKG_RPM, DD_VERSION_RPM},     {DD_PKG_NPM, DD_VERSION_NPM},
        {DD_PKG_PYPI, DD_VERSION_PEP440}, {DD_PKG_GOLANG, DD_VERSION_GO},
        {DD_PKG_MAVEN, DD_VERSION_MAVEN}, {DD_PKG_GEM, DD_VERSION_GEM},
        {DD_PKG_CARGO, DD_VERSION_CARGO}, {DD_PKG_NUGET, DD_VERSION_NUGET},
        {DD_PKG_COMPOSER, DD_VERSION_COMPOSER},
    };

    for (size_t i = 0; i < DD_ARRAY_SIZE(map); i++)
        if (map[i].type == t) {
            *out = map[i].scheme;
            return true;
        }
    return false;
}

#define VERS_MAX_CONSTRAINTS 64

typedef struct {
    int op; /* '<', 'l' (<=), '>', 'g' (>=), '=', '!' (!=) */
    const char *v;
} vers_constraint;

static bool vers_sat(dd_version_scheme sch, const vers_constraint *c, const char *v)
{
    int cmp;

    if (dd_version_cmp(sch, v, c->v, &cmp) != DD_OK)
        return false;
    switch (c->op) {
    case '<':
        return cmp < 0;
    case 'l':
        return cmp <= 0;
    case '>':
        return cmp > 0;
    case 'g':
        return cmp >= 0;
    case '=':
        return cmp == 0;
    default:
        return cmp != 0;
    }
}

/* Whether `version` is in the vers range (the "vers" specification's algorithm), compared in
 * the package's own scheme. A range that cannot be read or compared contains nothing. */
static bool vers_contains(vex_run *v, const char *range, dd_version_scheme sch, const char *version)
{
    vers_constraint c[VERS_MAX_CONSTRAINTS];
    size_t n = 0, nr = 0;
    const char *p = strchr(range, '/');

    if (strncasecmp(range, "vers:", 5) != 0 || !p || !version)
        return false;
    p++;
    while (*p == ' ')
        p++;
    if (strcmp(p, "*") == 0)
        return true;
    while (*p) {
        const char *bar = strchr(p, '|'), *e = bar ? bar : p + strlen(p);
        int op = '=';

        while (p < e && *p == ' ')
            p++;
        if (e - p >= 2 && (p[0] == '<' || p[0] == '>' || p[0] == '!') && p[1] == '=') {
            op = p[0] == '<' ? 'l' : p[0] == '>' ? 'g' : '!';
            p += 2;
        } else if (p < e && (*p == '<' || *p == '>' || *p == '=')) {
            op = *p++;
        }
        while (e > p && e[-1] == ' ')
            e--;
        if (e <= p || n == VERS_MAX_CONSTRAINTS)
            return false;
        c[n].op = op;
        if (!(c[n].v = dd_scan__pct_decode(v->a, p, (size_t)(e - p)))) {
            v->out_of_memory = true;
            return false;
        }
        if (!dd_version_valid(sch, c[n].v))
            return false;
        n++;
        p = bar ? bar + 1 : e;
    }
    /* equalities first, then the ranges in version order, pairwise */
    for (size_t i = 0; i < n; i++) {
        if (c[i].op == '=' && vers_sat(sch, &c[i], version))
            return true;
        if (c[i].op == '!' && !vers_sat(sch, &c[i], version))
            return false;
    }
    for (size_t i = 0; i < n; i++)
        if (c[i].op != '=' && c[i].op != '!')
            c[nr++] = c[i];
    if (nr == 0)
        return false;
    for (size_t i = 1; i < nr; i++) /* insertion sort: few constraints */
        for (size_t j = i; j > 0; j--) {
            int cmp = 0;
            vers_constraint t;

            if (dd_version_cmp(sch, c[j - 1].v, c[j].v, &cmp) != DD_OK)
                return false;
            if (cmp <= 0)
                break;
            t = c[j - 1];
            c[j - 1] = c[j];
            c[j] = t;
        }
    if (nr == 1)
        return vers_sat(sch, &c[0], version);
    for (size_t i = 0; i + 1 < nr; i++) {
        const vers_constraint *cur = &c[i], *next = &c[i + 1];
        bool cur_lt = cur->op == '<' || cur->op == 'l',
             next_gt = next->op == '>' || next->op == 'g';

        if (i == 0 && cur_lt && vers_sat(sch, cur, version))
            return true;
        if (i + 2 == nr && next_gt && vers_sat(sch, next, version))
            return true;
        if (!cur_lt && !next_gt && vers_sat(sch, cur, version) && vers_sat(sch, next, version))
            return true;
    }
    return false;
}

/* Which item of affects[].versions holds the package's version: MATCH (status unaffected or
 * none), MATCH_AFFECTED (affected or unknown), NO_MATCH (none holds it). */
static int versions_match(vex_run *v, json_t *versions, const dd_package *p)
{
    /* the schema wants an array; some published examples write one object */
    size_t n = json_is_array(versions) ? json_array_size(versions) : 1;
    dd_version_scheme sch = DD_VERSION_DEB;
    bool have_scheme = scheme_of(p->type, &sch);

    for (size_t i = 0; i < n; i++) {
        json_t *item = json_is_array(versions) ? json_array_get(versions, i) : versions;
        const char *ver = json_string_value(json_object_get(item, "version"));
        const char *range = json_string_value(json_object_get(item, "range"));
        const char *status = json_string_value(json_object_get(item, "status"));
        bool hit = false;

        if (!p->version)
            return NO_MATCH;
        if (ver)
            hit = strcmp(ver, p->version) == 0;
        else if (range && have_scheme)
            hit = vers_contains(v, range, sch, p->version);
        if (hit)
            return status && (strcmp(status, "affected") == 0 || strcmp(status, "unknown") == 0)
                       ? MATCH_AFFECTED
                       : MATCH;
    }
    return NO_MATCH;
}

static bool is_os_type(dd_pkg_type t)
{
    return t == DD_PKG_DEB || t == DD_PKG_APK || t == DD_PKG_RPM;
}

static int target_match(vex_run *v, const target *t, size_t pkg)
{
    const dd_package *p = dd_inventory_get(v->inv, pkg);
    const purl_parts *pp;
    bool hit = false;

    if (!p)
        return NO_MATCH;
    switch (t->kind) {
    case TGT_ALL:
        hit = true;
        break;
    case TGT_OS:
        hit = is_os_type(p->type);
        break;
    case TGT_PURL:
        hit = (pp = package_purl(v, pkg)) && purl_match(&t->purl, pp);
        break;
    }
    if (!hit)
        return NO_MATCH;
    return t->versions ? versions_match(v, t->versions, p) : MATCH;
}

static int statement_match(vex_run *v, const statement *s, size_t pkg)
{
    int m = NO_MATCH;

    for (size_t i = 0; i < s->n_t && m != MATCH_AFFECTED; i++) {
        int tm = target_match(v, &s->t[i], pkg);

        if (tm > m)
            m = tm;
    }
    return m;
}

/* --- time stamps --- */

static bool digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM). */
static bool parse_time(const char *s, int64_t *sec, long *nsec)
{
    int y, mo, d, h, mi, se, oh = 0, om = 0;
    long ns = 0;
    int64_t t;
    const char *p;

    if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &se))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || (unsigned)d > dd_scan__month_days(y, (unsigned)mo) ||
        h > 23 || mi > 59 || se > 60)
        return false;
    p = s + 19;
    if (*p == '.') {
        long scale = 100000000;

        if (!(p[1] >= '0' && p[1] <= '9'))
            return false;
        for (p++; *p >= '0' && *p <= '9'; p++) {
            ns += (*p - '0') * scale;
            scale /= 10;
        }
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return false;
        if (*p == '-') {
            oh = -oh;
            om = -om;
        }
        p += 6;
    } else {
        return false;
    }
    if (*p)
        return false;
    t = dd_scan__days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
    *sec = t - (oh * 3600 + om * 60);
    *nsec = ns;
    return true;
}

/* Whether statement `b`, later in the document than `a`, overrides it: it does unless both
 * carry times and `b`'s is earlier. */
static bool overrides(const statement *a, const statement *b)
{
    if (a->has_time && b->has_time)
        return b->sec > a->sec || (b->sec == a->sec && b->nsec >= a->nsec);
    return true;
}

/* --- building statements --- */

static int add_statement(vex_run *v, statement **out, size_t max_targets)
{
    statement *s;

    if (DD_ARRAY_RESERVE(v->s, v->alloc_s, v->n_s + 1, sizeof(*v->s), 16) != DD_OK)
        return DD_ENOMEM;
    s = &v->s[v->n_s++];
    memset(s, 0, sizeof(*s));
    if (max_targets) {
        if (!(s->t = dd_arena_alloc(v->a, max_targets * sizeof(*s->t))))
            return oom();
        memset(s->t, 0, max_targets * sizeof(*s->t));
    }
    *out = s;
    return DD_OK;
}

static int add_key(vex_run *v, const char *id)
{
    if (!id || !*id)
        return DD_OK;
    if (DD_ARRAY_RESERVE(v->k, v->alloc_k, v->n_k + 1, sizeof(*v->k), 16) != DD_OK)
        return DD_ENOMEM;
    v->k[v->n_k].id = id;
    v->k[v->n_k].stmt = v->n_s - 1;
    v->n_k++;
    return DD_OK;
}

/* "a: b" of the non-empty parts, else `fallback`. */
static int make_reason(vex_run *v, const char **out, const char *a, const char *b,
                       const char *fallback)
{
    dd_buf buf = DD_BUF_INIT;
    int rc = DD_OK;

    if (a && *a)
        rc = dd_buf_puts(&buf, a);
    if (rc == DD_OK && b && *b)
        rc = buf.len ? dd_buf_printf(&buf, ": %s", b) : dd_buf_puts(&buf, b);
    if (rc == DD_OK && !buf.len && fallback)
        rc = dd_buf_puts(&buf, fallback);
    if (rc == DD_OK && !(*out = dd_arena_strdup(v->a, buf.data)))
        rc = oom();
    dd_buf_dispose(&buf);
    return rc;
}

static bool is_image_purl(const purl_parts *p)
{
    return strcmp(p->type, "oci") == 0 || strcmp(p->type, "docker") == 0;
}

/* An OpenVEX component's identifier: the string itself (the 0.0.1 form), identifiers.purl,
 * else @id. */
static const char *component_id(json_t *c)
{
    const char *s;

    if (json_is_string(c))
        return json_string_value(c);
    if ((s = json_string_value(json_object_get(json_object_get(c, "identifiers"), "purl"))))
        return s;
    return json_string_value(json_object_get(c, "@id"));
}

static bool inventory_has(vex_run *v, const purl_parts *want)
{
    for (size_t i = 0; i < dd_inventory_count(v->inv); i++) {
        const purl_parts *pp = package_purl(v, i);

        if (pp && purl_match(want, pp))
            return true;
    }
    return false;
}

/* Adds the targets of one OpenVEX product to `s`. */
static int openvex_product(vex_run *v, statement *s, json_t *prod)
{
    const char *id = component_id(prod);
    json_t *subs = json_object_get(prod, "subcomponents");
    purl_parts pp;
    bool is_purl = false;
    int rc;

    if (id) {
        if ((rc = purl_parse(&pp, v->a, id)) == DD_ENOMEM)
            return rc;
        is_purl = rc == DD_OK;
    }
    if (json_array_size(subs)) {
        size_t i;
        json_t *sub;

        /* the product is what holds the subcomponents: a package product must be installed */
        if (is_purl && !is_image_purl(&pp) && !inventory_has(v, &pp))
            return DD_OK;
        json_array_foreach(subs, i, sub) {
            const char *sid = component_id(sub);
            target *t = &s->t[s->n_t];

            if (!sid)
                continue;
            if ((rc = purl_parse(&t->purl, v->a, sid)) == DD_ENOMEM)
                return rc;
            if (rc == DD_OK) {
                t->kind = TGT_PURL;
                s->n_t++;
            }
        }
        return DD_OK;
    }
    if (!id)
        return DD_OK;
    if (is_purl && !is_image_purl(&pp)) {
        s->t[s->n_t].kind = TGT_PURL;
        s->t[s->n_t++].purl = pp;
    } else if (is_purl || !strstr(id, "://")) {
        /* the image itself (pkg:oci, pkg:docker, a reference or a digest): all its packages */
        s->t[s->n_t++].kind = TGT_ALL;
    }
    return DD_OK;
}

static int read_openvex(vex_run *v, json_t *doc)
{
    json_t *stmts = json_object_get(doc, "statements"), *st;
    const char *doc_ts = json_string_value(json_object_get(doc, "timestamp"));
    int64_t doc_sec = 0;
    long doc_nsec = 0;
    size_t i;
    int rc;

    if (!json_is_array(stmts))
        return dd_error_set(DD_EINVALID, "%s: OpenVEX document without a statements array",
                            v->path);
    if (doc_ts && !parse_time(doc_ts, &doc_sec, &doc_nsec))
        return dd_error_set(DD_EINVALID, "%s: timestamp: not an RFC 3339 time: \"%.64s\"", v->path,
                            doc_ts);
    json_array_foreach(stmts, i, st) {
        json_t *vuln = json_object_get(st, "vulnerability"), *prods, *prod;
        const char *status = json_string_value(json_object_get(st, "status"));
        const char *ts = json_string_value(json_object_get(st, "timestamp"));
        const char *name;
        size_t max_t = 0, j;
        statement *s;

        if (!json_is_object(st))
            return dd_error_set(DD_EINVALID, "%s: statements[%zu]: not an object", v->path, i);
        name = json_is_string(vuln) ? json_string_value(vuln)
                                    : json_string_value(json_object_get(vuln, "name"));
        if (!name || !*name)
            return dd_error_set(DD_EINVALID, "%s: statements[%zu]: no vulnerability name", v->path,
                                i);
        if (!status)
            return dd_error_set(DD_EINVALID, "%s: statements[%zu]: no status", v->path, i);
        if (strcmp(status, "not_affected") != 0 && strcmp(status, "fixed") != 0 &&
            strcmp(status, "affected") != 0 && strcmp(status, "under_investigation") != 0)
            return dd_error_set(DD_EINVALID, "%s: statements[%zu]: unknown status \"%.64s\"",
                                v->path, i, status);
        prods = json_object_get(st, "products");
        json_array_foreach(prods, j, prod) {
            max_t += 1 + json_array_size(json_object_get(prod, "subcomponents"));
        }
        if ((rc = add_statement(v, &s, max_t)) != DD_OK)
            return rc;
        s->suppress = strcmp(status, "not_affected") == 0 || strcmp(status, "fixed") == 0;
        if (ts) {
            if (!parse_time(ts, &s->sec, &s->nsec))
                return dd_error_set(DD_EINVALID,
                                    "%s: statements[%zu].timestamp: not an RFC 3339 time: "
                                    "\"%.64s\"",
                                    v->path, i, ts);
            s->has_time = true;
        } else if (doc_ts) {
            s->sec = doc_sec;
            s->nsec = doc_nsec;
            s->has_time = true;
        }
        if (s->suppress &&
            (rc = make_reason(
                 v, &s->reason, json_string_value(json_object_get(st, "justification")),
                 json_string_value(json_object_get(st, "impact_statement")), status)) != DD_OK)
            return rc;
        if ((rc = add_key(v, name)) != DD_OK)
            return rc;
        if (json_is_object(vuln)) {
            json_t *aliases = json_object_get(vuln, "aliases"), *alias;

            json_array_foreach(aliases, j, alias) {
                if ((rc = add_key(v, json_string_value(alias))) != DD_OK)
                    return rc;
            }
        }
        json_array_foreach(prods, j, prod) {
            if ((rc = openvex_product(v, s, prod)) != DD_OK)
                return rc;
        }
    }
    return DD_OK;
}

/* --- CycloneDX --- */

static int collect_components(vex_run *v, json_t *list, bool root)
{
    size_t i;
    json_t *c;
    int rc;

    json_array_foreach(list, i, c) {
        const char *ref = json_string_value(json_object_get(c, "bom-ref"));

        if (ref) {
            if (DD_ARRAY_RESERVE(v->comps, v->alloc_comps, v->n_comps + 1, sizeof(*v->comps), 64) !=
                DD_OK)
                return DD_ENOMEM;
            v->comps[v->n_comps].ref = ref;
            v->comps[v->n_comps].comp = c;
            v->comps[v->n_comps].root = root;
            v->comps[v->n_comps].order = v->n_comps;
            v->n_comps++;
        }
        if ((rc = collect_components(v, json_object_get(c, "components"), false)) != DD_OK)
            return rc;
    }
    return DD_OK;
}

static int cmp_comp(const void *a, const void *b)
{
    const comp_ref *x = a, *y = b;
    int c = strcmp(x->ref, y->ref);

    /* equal refs keep document order (the root first): the first one is used */
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static const comp_ref *find_component(vex_run *v, const char *ref)
{
    size_t lo = 0, hi = v->n_comps;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(v->comps[mid].ref, ref) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < v->n_comps && strcmp(v->comps[lo].ref, ref) == 0 ? &v->comps[lo] : NULL;
}

/* Turns an affects[].ref into a target. *ok is false for a reference that names nothing
 * drydock can match. */
static int resolve_ref(vex_run *v, const char *ref, target *t, bool *ok)
{
    const comp_ref *c;
    const char *hash;
    int rc;

    *ok = false;
    memset(t, 0, sizeof(*t));
    /* a BOM-Link (urn:cdx:SERIAL/VERSION#BOM-REF) names a component of another BOM */
    if (strncasecmp(ref, "urn:cdx:", 8) == 0) {
        /* without a fragment it names a whole BOM, not a component */
        if (!(hash = strchr(ref, '#')))
            return DD_OK;
        if (!(ref = dd_scan__pct_decode(v->a, hash + 1, strlen(hash + 1))))
            return DD_ENOMEM;
    }
    if ((c = find_component(v, ref))) {
        const char *purl = json_string_value(json_object_get(c->comp, "purl"));

        if (c->root) {
            t->kind = TGT_ALL;
            *ok = true;
            return DD_OK;
        }
        if (purl) {
            if ((rc = purl_parse(&t->purl, v->a, purl)) == DD_ENOMEM)
                return rc;
            if (rc == DD_OK) {
                t->kind = is_image_purl(&t->purl) ? TGT_ALL : TGT_PURL;
                *ok = true;
                return DD_OK;
            }
        }
    }
    /* drydock's own bom-refs (lib/sbom/cyclonedx.c): the image, the OS, a package's purl with
     * "#N" on repeats (every copy of the package is meant). A package without a purl has its
     * name as bom-ref, but without a version it has no findings either. */
    if (strcmp(ref, "drydock:image") == 0) {
        t->kind = TGT_ALL;
        *ok = true;
        return DD_OK;
    }
    if (strncmp(ref, "drydock:os:", 11) == 0) {
        t->kind = TGT_OS;
        *ok = true;
        return DD_OK;
    }
    if (strncasecmp(ref, "pkg:", 4) == 0) {
        const char *cut = strrchr(ref, '#');
        const char *purl = ref;

        if (cut && cut[1] && strspn(cut + 1, "0123456789") == strlen(cut + 1) &&
            !(purl = dd_arena_strndup(v->a, ref, (size_t)(cut - ref))))
            return oom();
        if ((rc = purl_parse(&t->purl, v->a, purl)) == DD_ENOMEM)
            return rc;
        if (rc == DD_OK) {
            t->kind = is_image_purl(&t->purl) ? TGT_ALL : TGT_PURL;
            *ok = true;
        }
        return DD_OK;
    }
    return DD_OK;
}

static int cdx_spec_minor(const char *spec)
{
    int minor = 0;

    if (!spec || strncmp(spec, "1.", 2) != 0 || !spec[2] || strlen(spec) > 4)
        return -1;
    for (const char *p = spec + 2; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        minor = minor * 10 + (*p - '0');
    }
    return minor;
}

static int read_cyclonedx(vex_run *v, json_t *doc)
{
    static const struct {
        const char *state;
        bool suppress;
    } states[] = {
        {"not_affected", true},           {"false_positive", true}, {"resolved", true},
        {"resolved_with_pedigree", true}, {"exploitable", false},   {"in_triage", false},
    };
    const char *spec = json_string_value(json_object_get(doc, "specVersion"));
    json_t *vulns = json_object_get(doc, "vulnerabilities"), *vu,
           *meta_comp = json_object_get(json_object_get(doc, "metadata"), "component");
    int minor = cdx_spec_minor(spec);
    size_t i;
    int rc;

    if (minor < 0)
        return dd_error_set(DD_EINVALID, "%s: CycloneDX document without a 1.x specVersion",
                            v->path);
    if (minor < 4)
        return dd_error_set(DD_EUNSUPPORTED,
                            "%s: CycloneDX %s has no vulnerability analysis (1.4 or later)",
                            v->path, spec);
    if (vulns && !json_is_array(vulns))
        return dd_error_set(DD_EINVALID, "%s: vulnerabilities: not an array", v->path);
    if (json_is_object(meta_comp)) {
        json_t *one = json_array();

        if (!one || json_array_append(one, meta_comp) != 0) {
            json_decref(one);
            return oom();
        }
        rc = collect_components(v, one, true);
        json_decref(one);
        if (rc != DD_OK)
            return rc;
    }
    if ((rc = collect_components(v, json_object_get(doc, "components"), false)) != DD_OK)
        return rc;
    if (v->n_comps > 1)
        qsort(v->comps, v->n_comps, sizeof(*v->comps), cmp_comp);
    json_array_foreach(vulns, i, vu) {
        json_t *an = json_object_get(vu, "analysis"), *affects = json_object_get(vu, "affects"),
               *aff, *refs;
        const char *id = json_string_value(json_object_get(vu, "id"));
        const char *state = json_string_value(json_object_get(an, "state"));
        const char *ts;
        statement *s;
        size_t j, k;
        bool known = false;

        if (!json_is_object(vu))
            return dd_error_set(DD_EINVALID, "%s: vulnerabilities[%zu]: not an object", v->path, i);
        /* a vulnerability without analysis is a scanner's finding, not a statement */
        if (!state)
            continue;
        if ((rc = add_statement(v, &s, json_array_size(affects))) != DD_OK)
            return rc;
        for (k = 0; k < DD_ARRAY_SIZE(states); k++)
            if (strcmp(state, states[k].state) == 0) {
                s->suppress = states[k].suppress;
                known = true;
            }
        if (!known)
            return dd_error_set(DD_EINVALID,
                                "%s: vulnerabilities[%zu].analysis.state: unknown state \"%.64s\"",
                                v->path, i, state);
        ts = json_string_value(json_object_get(an, "lastUpdated"));
        if (!ts)
            ts = json_string_value(json_object_get(an, "firstIssued"));
        if (ts) {
            if (!parse_time(ts, &s->sec, &s->nsec))
                return dd_error_set(DD_EINVALID,
                                    "%s: vulnerabilities[%zu].analysis: not an RFC 3339 time: "
                                    "\"%.64s\"",
                                    v->path, i, ts);
            s->has_time = true;
        }
        if (s->suppress &&
            (rc =
                 make_reason(v, &s->reason, json_string_value(json_object_get(an, "justification")),
                             json_string_value(json_object_get(an, "detail")), state)) != DD_OK)
            return rc;
        if ((rc = add_key(v, id)) != DD_OK)
            return rc;
        /* references[] are the same vulnerability under other ids */
        refs = json_object_get(vu, "references");
        json_array_foreach(refs, j, aff) {
            if ((rc = add_key(v, json_string_value(json_object_get(aff, "id")))) != DD_OK)
                return rc;
        }
        json_array_foreach(affects, j, aff) {
            const char *ref = json_string_value(json_object_get(aff, "ref"));
            json_t *versions = json_object_get(aff, "versions");
            bool ok;

            if (!ref)
                continue;
            if ((rc = resolve_ref(v, ref, &s->t[s->n_t], &ok)) != DD_OK)
                return rc;
            if (!ok)
                continue;
            if (json_is_array(versions) ? json_array_size(versions) > 0 : json_is_object(versions))
                s->t[s->n_t].versions = versions;
            s->n_t++;
        }
    }
    return DD_OK;
}

/* --- applying --- */

static int cmp_key(const void *a, const void *b)
{
    const vuln_key *x = a, *y = b;
    int c = strcasecmp(x->id, y->id);

    if (c)
        return c;
    return x->stmt < y->stmt ? -1 : x->stmt > y->stmt;
}

static size_t key_lower_bound(const vex_run *v, const char *id)
{
    size_t lo = 0, hi = v->n_k;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcasecmp(v->k[mid].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return x < y ? -1 : x > y;
}

/* Adds the statements about `id` to `cand` (once each: `stamp` marks those taken for `mark`). */
static int gather(const vex_run *v, const char *id, size_t *stamp, size_t mark, size_t **cand,
                  size_t *n, size_t *alloc)
{
    if (!id)
        return DD_OK;
    for (size_t k = key_lower_bound(v, id); k < v->n_k && strcasecmp(v->k[k].id, id) == 0; k++) {
        size_t si = v->k[k].stmt;

        if (stamp[si] == mark)
            continue;
        stamp[si] = mark;
        if (DD_ARRAY_RESERVE(*cand, *alloc, *n + 1, sizeof(**cand), 8) != DD_OK)
            return DD_ENOMEM;
        (*cand)[(*n)++] = si;
    }
    return DD_OK;
}

static int apply(vex_run *v, size_t *suppressed)
{
    size_t *stamp = NULL, *cand = NULL, n_cand = 0, alloc_cand = 0;
    int rc = DD_OK;

    if (v->n_k == 0)
        return DD_OK;
    qsort(v->k, v->n_k, sizeof(*v->k), cmp_key);
    if (!(stamp = dd_calloc(v->n_s, sizeof(*stamp))))
        return oom();
    for (size_t i = 0; i < dd_scan_count(v->r) && rc == DD_OK; i++) {
        const dd_finding *f = dd_scan_get(v->r, i);
        const statement *win = NULL;
        bool win_suppress = false;

        if (f->suppressed != DD_SUPPRESS_NONE || f->pkg >= dd_inventory_count(v->inv))
            continue;
        n_cand = 0;
        rc = gather(v, f->id, stamp, i + 1, &cand, &n_cand, &alloc_cand);
        for (size_t a = 0; a < f->n_aliases && rc == DD_OK; a++)
            rc = gather(v, f->aliases[a], stamp, i + 1, &cand, &n_cand, &alloc_cand);
        for (size_t a = 0; a < f->n_records && rc == DD_OK; a++)
            rc = gather(v, f->records[a], stamp, i + 1, &cand, &n_cand, &alloc_cand);
        if (rc != DD_OK || n_cand == 0)
            continue;
        /* statements in document order; a later one overrides an earlier (time stamps
         * permitting) */
        qsort(cand, n_cand, sizeof(*cand), cmp_size);
        for (size_t c = 0; c < n_cand; c++) {
            const statement *s = &v->s[cand[c]];
            int m = statement_match(v, s, f->pkg);

            if (m == NO_MATCH || (win && !overrides(win, s)))
                continue;
            win = s;
            win_suppress = s->suppress && m == MATCH;
        }
        if (win && win_suppress) {
            if ((rc = dd_scan_suppress(v->r, i, DD_SUPPRESS_VEX, win->reason)) == DD_OK)
                (*suppressed)++;
        }
    }
    dd_free(stamp);
    dd_free(cand);
    if (rc == DD_OK && v->out_of_memory)
        rc = oom();
    return rc;
}

/* The OpenVEX document in `doc`: the document itself, or the predicate of an in-toto
 * attestation that carries one. NULL when it is not OpenVEX. */
static json_t *openvex_doc(json_t *doc)
{
    const char *ctx = json_string_value(json_object_get(doc, "@context"));
    const char *pred_type = json_string_value(json_object_get(doc, "predicateType"));
    json_t *pred = json_object_get(doc, "predicate");

    if (ctx && strncmp(ctx, "https://openvex.dev/ns", 22) == 0)
        return doc;
    if (pred_type && strncmp(pred_type, "https://openvex.dev/ns", 22) == 0 && json_is_object(pred))
        return pred;
    return NULL;
}

int dd_scan_apply_vex(dd_scan_result *r, const char *path, const char *data, size_t len)
{
    vex_run v = {.r = r, .inv = dd_scan_inventory(r), .path = path};
    json_error_t err;
    json_t *doc = NULL, *ov;
    const char *fmt;
    size_t n_pkgs, suppressed = 0;
    int rc;

    if (len > DD_VEX_MAX_BYTES)
        return dd_error_set(DD_ELIMIT, "%s: larger than %u MiB", path, DD_VEX_MAX_BYTES >> 20);
    if (!(doc = json_loadb(data ? data : "", len, JSON_REJECT_DUPLICATES, &err))) {
        /* jansson leaves the error unset (line -1, no text) when its first allocation fails */
        if (json_error_code(&err) == json_error_out_of_memory || (err.line < 0 && !err.text[0]))
            return oom();
        return dd_error_set(DD_EINVALID, "%s:%d:%d: %s", path, err.line, err.column, err.text);
    }
    n_pkgs = v.inv ? dd_inventory_count(v.inv) : 0;
    if ((rc = dd_arena_new(&v.a)) != DD_OK)
        goto done;
    if (n_pkgs && (!(v.pkg_purl = dd_calloc(n_pkgs, sizeof(*v.pkg_purl))) ||
                   !(v.pkg_state = dd_calloc(n_pkgs, 1)))) {
        rc = oom();
        goto done;
    }
    fmt = json_string_value(json_object_get(doc, "bomFormat"));
    if (json_is_object(doc) && fmt && strcmp(fmt, "CycloneDX") == 0) {
        rc = read_cyclonedx(&v, doc);
    } else if (json_is_object(doc) && (ov = openvex_doc(doc))) {
        rc = read_openvex(&v, ov);
    } else {
        rc = dd_error_set(DD_EINVALID, "%s: not an OpenVEX or CycloneDX document", path);
    }
    if (rc == DD_OK && v.inv)
        rc = apply(&v, &suppressed);
    if (rc == DD_OK)
        rc = dd_scan__note(r, "VEX %s: %zu statements, %zu findings suppressed", path, v.n_s,
                           suppressed);
done:
    dd_free(v.s);
    dd_free(v.k);
    dd_free(v.comps);
    dd_free(v.pkg_purl);
    dd_free(v.pkg_state);
    dd_arena_free(v.a);
    json_decref(doc);
    return rc;
}
