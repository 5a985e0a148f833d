/* License names: SPDX identifiers, Debian short names mapped to them, and Debian copyright
 * files (machine-readable DEP-5 and free-form). */
#include "catalog/catalog_int.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int cmp_id(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

int dd_spdx_license_valid(const char *id)
{
    return id && bsearch(id, dd_spdx__ids, dd_spdx__n_ids, sizeof(char *), cmp_id) != NULL;
}

/* The ids in case-insensitive order, for spdx_casefold (SPDX ids are unique ignoring case). */
static const char **ids_folded;
static pthread_once_t ids_folded_once = PTHREAD_ONCE_INIT;

static int cmp_folded(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_folded_key(const void *key, const void *elem)
{
    return strcasecmp(key, *(const char *const *)elem);
}

static void fold_ids(void)
{
    const char **v = dd_malloc(dd_spdx__n_ids * sizeof(*v));

    if (!v)
        return; /* spdx_casefold then scans the list */
    memcpy(v, dd_spdx__ids, dd_spdx__n_ids * sizeof(*v));
    qsort(v, dd_spdx__n_ids, sizeof(*v), cmp_folded);
    ids_folded = v;
}

static const char *spdx_casefold(const char *name)
{
    const char *const *hit;

    pthread_once(&ids_folded_once, fold_ids);
    if (ids_folded) {
        hit = bsearch(name, ids_folded, dd_spdx__n_ids, sizeof(char *), cmp_folded_key);
        return hit ? *hit : NULL;
    }
    for (size_t i = 0; i < dd_spdx__n_ids; i++)
        if (strcasecmp(dd_spdx__ids[i], name) == 0)
            return dd_spdx__ids[i];
    return NULL;
}

static const char *spdx_canonical(const char *name)
{
    const char *const *hit = bsearch(name, dd_spdx__ids, dd_spdx__n_ids, sizeof(char *), cmp_id);

    return hit ? *hit : spdx_casefold(name);
}

/* Debian short names (DEP-5 section "License specification") that are not SPDX ids as written. */
static const struct {
    const char *name, *spdx;
} aliases[] = {
    {"Expat", "MIT"},
    {"Artistic", "Artistic-1.0"},
    {"Artistic-1", "Artistic-1.0"},
    {"Artistic-2", "Artistic-2.0"},
    {"Apache-2", "Apache-2.0"},
    {"Apache-1.1", "Apache-1.1"},
    {"CC0", "CC0-1.0"},
    {"MPL-2", "MPL-2.0"},
    {"MPL-1.1", "MPL-1.1"},
    {"PSF-2", "PSF-2.0"},
    {"Python-2", "Python-2.0"},
    {"Zope-2.1", "ZPL-2.1"},
    {"BSD-2", "BSD-2-Clause"},
    {"BSD-3", "BSD-3-Clause"},
    {"BSD-4", "BSD-4-Clause"},
    {"BSD", "BSD-3-Clause"},
    {"LGPL-2.1+", "LGPL-2.1-or-later"},
};

/* GPL-2, GPL-2+, GPL-2.0+, LGPL-3, AGPL-3+, GFDL-1.3+, GFDL-NIV-1.3: the GNU family. */
static const char *gnu_family(char *buf, size_t bufsz, const char *name)
{
    static const char *const families[] = {"GPL", "LGPL", "AGPL", "GFDL-NIV", "GFDL"};
    size_t n = strlen(name);
    int plus = n && name[n - 1] == '+';

    if (plus)
        n--;
    for (size_t i = 0; i < DD_ARRAY_SIZE(families); i++) {
        size_t fl = strlen(families[i]);
        const char *ver;
        size_t vl;
        int dot;

        if (n <= fl + 1 || strncasecmp(name, families[i], fl) != 0 ||
            (name[fl] != '-' && !isdigit((unsigned char)name[fl])))
            continue;
        ver = name + fl + (name[fl] == '-');
        vl = n - (size_t)(ver - name);
        if (vl == 0 || vl > 4 || !isdigit((unsigned char)ver[0]))
            return NULL;
        for (size_t k = 0; k < vl; k++)
            if (!isdigit((unsigned char)ver[k]) && ver[k] != '.')
                return NULL;
        dot = memchr(ver, '.', vl) != NULL;
        if (strcmp(families[i], "GFDL-NIV") == 0)
            snprintf(buf, bufsz, "GFDL-%.*s%s-no-invariants-%s", (int)vl, ver, dot ? "" : ".0",
                     plus ? "or-later" : "only");
        else
            snprintf(buf, bufsz, "%s-%.*s%s-%s", families[i], (int)vl, ver, dot ? "" : ".0",
                     plus ? "or-later" : "only");
        return spdx_canonical(buf);
    }
    return NULL;
}

const char *dd_license__spdx(const char *name, size_t len)
{
    char s[96], buf[128];
    const char *hit;

    if (len == 0 || len >= sizeof(s))
        return NULL;
    memcpy(s, name, len);
    s[len] = '\0';
    /* the GNU family first: "GPL-2.0+" and "LGPL-2.1" are deprecated SPDX ids */
    if ((hit = gnu_family(buf, sizeof(buf), s)))
        return hit;
    if ((hit = spdx_canonical(s)))
        return hit;
    for (size_t i = 0; i < DD_ARRAY_SIZE(aliases); i++)
        if (strcasecmp(aliases[i].name, s) == 0)
            return spdx_canonical(aliases[i].spdx);
    return NULL;
}

/* --- copyright files --- */

typedef struct {
    const char **v;
    size_t n, alloc;
    dd_arena *arena;
} name_list;

static int add_name(name_list *l, const char *s, size_t n)
{
    const char *spdx, *keep;

    while (n && (isspace((unsigned char)*s) || *s == ','))
        s++, n--;
    while (n && (isspace((unsigned char)s[n - 1]) || s[n - 1] == ',' || s[n - 1] == '.'))
        n--;
    if (n == 0 || n > 200)
        return DD_OK;
    spdx = dd_license__spdx(s, n);
    for (size_t i = 0; i < l->n; i++)
        if (spdx ? strcmp(l->v[i], spdx) == 0 : strlen(l->v[i]) == n && !memcmp(l->v[i], s, n))
            return DD_OK;
    if (l->n == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 8;
        const char **nv = dd_arena_alloc(l->arena, na * sizeof(*nv));

        if (!nv)
            return dd_error_set(DD_ENOMEM, "out of memory");
        if (l->n)
            memcpy(nv, l->v, l->n * sizeof(*nv));
        l->v = nv;
        l->alloc = na;
    }
    keep = spdx ? spdx : dd_arena_strndup(l->arena, s, n);
    if (!keep)
        return dd_error_set(DD_ENOMEM, "out of memory");
    l->v[l->n++] = keep;
    return DD_OK;
}

/* Splits a License: synopsis into names the way Trivy does: on ",", " or ", " and ",
 * " and/or ", "_or_" (the operators are dropped: each name is one license of the package). */
static int add_synopsis(name_list *l, const char *s, size_t n)
{
    static const char *const seps[] = {" and/or ", " or ", " and ", "_or_", ","};
    size_t start = 0, i = 0;
    int rc = DD_OK;

    while (i < n && rc == DD_OK) {
        size_t sl = 0;

        for (size_t k = 0; k < DD_ARRAY_SIZE(seps); k++) {
            size_t kl = strlen(seps[k]);

            if (i + kl <= n && strncasecmp(s + i, seps[k], kl) == 0) {
                sl = kl;
                break;
            }
        }
        if (sl) {
            rc = add_name(l, s + start, i - start);
            i += sl;
            start = i;
        } else {
            i++;
        }
    }
    if (rc == DD_OK)
        rc = add_name(l, s + start, n - start);
    return rc;
}

static int starts_field(const char *line, size_t n, const char *field)
{
    size_t fl = strlen(field);

    return n > fl && strncasecmp(line, field, fl) == 0 && line[fl] == ':';
}

int dd_copyright__licenses(const char ***out, size_t *n, dd_arena *a, const char *data, size_t len)
{
    name_list l = {.arena = a};
    size_t pos = 0;
    int machine = 0, first_para = 1, in_files = 0, rc = DD_OK;

    *out = NULL;
    *n = 0;
    /* machine-readable when the header paragraph has Format: */
    for (size_t p = 0; p < len;) {
        const char *line = data + p, *nl = memchr(line, '\n', len - p);
        size_t ln = nl ? (size_t)(nl - line) : len - p;

        p += ln + 1;
        if (ln == 0 || (ln == 1 && line[0] == '\r'))
            break;
        if (starts_field(line, ln, "Format") || starts_field(line, ln, "Format-Specification"))
            machine = 1;
    }
    while (pos < len && rc == DD_OK) {
        const char *line = data + pos, *nl = memchr(line, '\n', len - pos);
        size_t ln = nl ? (size_t)(nl - line) : len - pos;
        const char *cl;

        pos += ln + (nl ? 1 : 0);
        while (ln && line[ln - 1] == '\r')
            ln--;
        if (machine) {
            int blank = 1;

            for (size_t k = 0; k < ln && blank; k++)
                if (!isspace((unsigned char)line[k]))
                    blank = 0;
            if (blank) {
                first_para = 0;
                in_files = 0;
                continue;
            }
            if (line[0] == ' ' || line[0] == '\t' || first_para)
                continue;
            if (starts_field(line, ln, "Files"))
                in_files = 1;
            else if (in_files && starts_field(line, ln, "License"))
                rc = add_synopsis(&l, line + 8, ln - 8);
            continue;
        }
        if (starts_field(line, ln, "License")) {
            rc = add_synopsis(&l, line + 8, ln - 8);
        } else if ((cl = memmem(line, ln, "/usr/share/common-licenses/", 27))) {
            const char *s = cl + 27, *e = s;

            while (e < line + ln && (isalnum((unsigned char)*e) || strchr("_.+-", *e)))
                e++;
            while (e > s && (e[-1] == '.' || e[-1] == '-' || e[-1] == '_'))
                e--;
            rc = add_name(&l, s, (size_t)(e - s));
        }
    }
    if (rc == DD_OK) {
        *out = l.v;
        *n = l.n;
    }
    return rc;
}
