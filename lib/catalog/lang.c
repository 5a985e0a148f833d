/* Helpers of the language catalogers: purls, paths, iteration over captured files, and the
 * emission of squashed and removed packages. */
#include "catalog/lang_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Percent-encodes all but the purl specification's unreserved characters (and ":"). */
static int put_encoded(dd_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = DD_OK;

    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        unsigned char c = (unsigned char)s[i];

        if (isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~' || c == ':') {
            rc = dd_buf_putc(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};

            rc = dd_buf_put(b, e, 3);
        }
    }
    return rc;
}

char *dd_lang__pep503(dd_arena *a, const char *name)
{
    size_t n = strlen(name), j = 0;
    char *out = dd_arena_alloc(a, n + 1);

    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];

        if (c == '-' || c == '_' || c == '.') {
            if (j == 0 || out[j - 1] != '-')
                out[j++] = '-';
        } else {
            out[j++] = (char)tolower((unsigned char)c);
        }
    }
    out[j] = '\0';
    return out;
}

int dd_lang__purl(char **out, dd_pkg_type type, const char *name, const char *version)
{
    dd_buf b = DD_BUF_INIT;
    dd_arena *a = NULL;
    int rc;

    *out = NULL;
    if (!name || !*name || !version || !*version)
        return dd_error_set(DD_EINVALID, "purl: package without name or version");
    if (type != DD_PKG_NPM && type != DD_PKG_PYPI)
        return dd_error_set(DD_EUNSUPPORTED, "purl: not a language package type");
    rc = dd_buf_printf(&b, "pkg:%s/", dd_pkg_type_name(type));
    if (rc == DD_OK && type == DD_PKG_NPM) {
        const char *slash = name[0] == '@' ? strchr(name, '/') : NULL;

        /* "@scope/name": the scope is the namespace, "@" encoded as %40 */
        if (slash) {
            rc = put_encoded(&b, name, (size_t)(slash - name));
            if (rc == DD_OK)
                rc = dd_buf_putc(&b, '/');
            name = slash + 1;
        }
        if (rc == DD_OK)
            rc = put_encoded(&b, name, strlen(name));
    } else if (rc == DD_OK) {
        char *norm;

        if ((rc = dd_arena_new(&a)) != DD_OK)
            goto done;
        if (!(norm = dd_lang__pep503(a, name))) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
        rc = put_encoded(&b, norm, strlen(norm));
    }
    if (rc == DD_OK)
        rc = dd_buf_putc(&b, '@');
    if (rc == DD_OK)
        rc = put_encoded(&b, version, strlen(version));
    if (rc != DD_OK)
        goto done;
    if (!(*out = dd_buf_detach(&b, NULL)))
        rc = dd_error_set(DD_ENOMEM, "out of memory");
done:
    dd_buf_dispose(&b);
    dd_arena_free(a);
    return rc;
}

int dd_lang__utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < len) {
        unsigned c = s[i];
        size_t need;
        unsigned min, cp;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            need = 1, min = 0x80, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            need = 2, min = 0x800, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            need = 3, min = 0x10000, cp = c & 0x07;
        else
            return 0;
        if (len - i - 1 < need)
            return 0;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += need + 1;
    }
    return 1;
}

char *dd_lang__dirname(dd_arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');

    return dd_arena_strndup(a, path, slash ? (size_t)(slash - path) : 0);
}

const char *dd_lang__basename(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

char *dd_lang__join(dd_arena *a, const char *dir, const char *name)
{
    size_t dn = strlen(dir), nn = strlen(name);
    char *out;

    if (dn == 0)
        return dd_arena_strdup(a, name);
    if (!(out = dd_arena_alloc(a, dn + 1 + nn + 1)))
        return NULL;
    memcpy(out, dir, dn);
    out[dn] = '/';
    memcpy(out + dn + 1, name, nn + 1);
    return out;
}

static int visit(const dd_walk *w, const dd_entry *e, int squashed, dd_lang_file_fn fn,
                 void *payload)
{
    const void *data;
    size_t len;
    int truncated = 0;

    if (e->type != DD_FT_REG || dd_walk_content(w, e, &data, &len, &truncated) != DD_OK) {
        dd_error_clear();
        return DD_OK;
    }
    return fn(e, squashed, data, len, truncated, payload);
}

int dd_lang__each_file(const dd_walk *w, const dd_catalog_opts *opts,
                       int (*match)(const char *path), dd_lang_file_fn fn, void *payload)
{
    int rc = DD_OK;

    for (size_t i = 0, n = dd_walk_count(w); i < n && rc == DD_OK; i++) {
        const dd_entry *e = dd_walk_entry(w, i);

        if (match(e->path))
            rc = visit(w, e, 1, fn, payload);
    }
    if (opts->scope != DD_SCOPE_ALL_LAYERS)
        return rc;
    for (size_t i = 0, n = dd_walk_hidden_count(w); i < n && rc == DD_OK; i++) {
        const dd_entry *e = dd_walk_hidden(w, i);

        if (match(e->path))
            rc = visit(w, e, 0, fn, payload);
    }
    return rc;
}

static int cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int cmp_key(const void *pa, const void *pb)
{
    const dd_package *a = pa, *b = pb;
    int c;

    if ((c = cmp_str(a->name, b->name)) || (c = cmp_str(a->version, b->version)))
        return c;
    return cmp_str(a->path, b->path);
}

/* The key order, newest layer first among equal keys (the removed package keeps the layer of
 * the last version that listed it). */
static int cmp_key_newest(const void *pa, const void *pb)
{
    const dd_package *a = pa, *b = pb;
    int c = cmp_key(a, b);

    if (c)
        return c;
    return a->layer > b->layer ? -1 : a->layer < b->layer;
}

static int add(dd_inventory *inv, dd_package *p)
{
    char *purl = NULL;
    /* the other language types (gem platforms, composer vendors) are purl.c's */
    int rc = p->type == DD_PKG_NPM || p->type == DD_PKG_PYPI
                 ? dd_lang__purl(&purl, p->type, p->name, p->version)
                 : dd_package_purl(&purl, p, NULL);

    if (rc != DD_OK)
        return rc;
    p->purl = purl;
    rc = dd_inventory__add(inv, p);
    p->purl = NULL;
    dd_free(purl);
    return rc;
}

int dd_lang__emit(dd_inventory *inv, const dd_catalog_opts *opts, dd_pkglist *squashed,
                  dd_pkglist *hidden)
{
    int rc = DD_OK;

    for (size_t i = 0; i < squashed->n && rc == DD_OK; i++) {
        squashed->v[i].removed = 0;
        rc = add(inv, &squashed->v[i]);
    }
    if (rc != DD_OK || opts->scope != DD_SCOPE_ALL_LAYERS || !hidden || hidden->n == 0)
        return rc;
    if (squashed->n > 1)
        qsort(squashed->v, squashed->n, sizeof(*squashed->v), cmp_key);
    qsort(hidden->v, hidden->n, sizeof(*hidden->v), cmp_key_newest);
    for (size_t i = 0; i < hidden->n && rc == DD_OK; i++) {
        dd_package *p = &hidden->v[i];

        if (i > 0 && cmp_key(&hidden->v[i - 1], p) == 0)
            continue;
        if (squashed->n &&
            bsearch(p, squashed->v, squashed->n, sizeof(*squashed->v), cmp_key) != NULL)
            continue;
        p->removed = 1;
        rc = add(inv, p);
    }
    return rc;
}
