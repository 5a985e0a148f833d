/* Version ranges ("<1.2.3", ">=2.0,<2.4"), page cursors and purl lookup keys: the small parsers
 * the queries share, each strict about what it accepts. */
#include "fleet/fleet_int.h"

#include <drydock/catalog.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int dd_fleet__scheme_for_type(dd_version_scheme *out, const char *type)
{
    static const struct {
        const char *type;
        dd_version_scheme scheme;
    } map[] = {
        {"deb", DD_VERSION_DEB},       {"apk", DD_VERSION_APK},
        {"rpm", DD_VERSION_RPM},       {"npm", DD_VERSION_NPM},
        {"pypi", DD_VERSION_PEP440},   {"golang", DD_VERSION_GO},
        {"maven", DD_VERSION_MAVEN},   {"gem", DD_VERSION_GEM},
        {"cargo", DD_VERSION_CARGO},   {"composer", DD_VERSION_COMPOSER},
        {"nuget", DD_VERSION_NUGET},
    };

    for (size_t i = 0; i < DD_ARRAY_SIZE(map); i++)
        if (strcmp(map[i].type, type) == 0) {
            *out = map[i].scheme;
            return DD_OK;
        }
    return dd_error_set(DD_EUNSUPPORTED, "purl type \"%s\" has no version order", type);
}

/* The operator at the start of `s`, its length in *n; 0 when there is none. */
static int parse_op(const char *s, size_t *n)
{
    *n = 2;
    if (strncmp(s, "<=", 2) == 0)
        return 'l';
    if (strncmp(s, ">=", 2) == 0)
        return 'g';
    if (strncmp(s, "!=", 2) == 0)
        return '!';
    if (strncmp(s, "==", 2) == 0)
        return '=';
    *n = 1;
    if (*s == '<' || *s == '>' || *s == '=')
        return *s;
    return 0;
}

static int parse_part(dd_fleet_range *r, const char *s, size_t len, dd_version_scheme scheme)
{
    size_t n;
    int op;

    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (!len)
        return dd_error_set(DD_EINVALID, "range: empty constraint");
    if (!(op = parse_op(s, &n)))
        return dd_error_set(DD_EINVALID, "range \"%.*s\": expected <, <=, >, >=, = or !=",
                            (int)len, s);
    if (r->n == DD_FLEET_RANGE_MAX)
        return dd_error_set(DD_ELIMIT, "range: more than %d constraints", DD_FLEET_RANGE_MAX);
    s += n, len -= n;
    while (len && isspace((unsigned char)*s))
        s++, len--;
    if (!len)
        return dd_error_set(DD_EINVALID, "range: operator without a version");
    if (!(r->ver[r->n] = dd_strndup(s, len)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    r->op[r->n] = op;
    r->n++;
    if (dd_version_check(scheme, r->ver[r->n - 1]) != DD_OK)
        return dd_error_prefix("range");
    return DD_OK;
}

int dd_fleet__range_parse(dd_fleet_range *out, const char *s, dd_version_scheme scheme)
{
    int rc = DD_OK;

    memset(out, 0, sizeof(*out));
    if (strlen(s) > 4096)
        return dd_error_set(DD_ELIMIT, "range: longer than 4096 bytes");
    for (const char *p = s;;) {
        size_t len = strcspn(p, ",");

        if ((rc = parse_part(out, p, len, scheme)) != DD_OK)
            break;
        if (!p[len])
            break;
        p += len + 1;
    }
    if (rc != DD_OK)
        dd_fleet__range_dispose(out);
    return rc;
}

void dd_fleet__range_dispose(dd_fleet_range *r)
{
    for (size_t i = 0; i < r->n; i++)
        dd_free(r->ver[i]);
    r->n = 0;
}

bool dd_fleet__range_has(const dd_fleet_range *r, dd_version_scheme scheme, const char *version)
{
    for (size_t i = 0; i < r->n; i++) {
        dd_error_state st;
        int c, ok;

        dd_error_save(&st);
        ok = dd_version_cmp(scheme, version, r->ver[i], &c) == DD_OK;
        dd_error_restore(&st);
        if (!ok)
            return false;
        switch (r->op[i]) {
        case '<': ok = c < 0; break;
        case 'l': ok = c <= 0; break;
        case '>': ok = c > 0; break;
        case 'g': ok = c >= 0; break;
        case '=': ok = c == 0; break;
        default: ok = c != 0; break;
        }
        if (!ok)
            return false;
    }
    return true;
}

/* Cursors are "c" and the id in base 36 with a check letter: opaque to clients, cheap to
 * validate, and a typo is caught instead of silently skipping to another page. */
static char check_letter(uint64_t v)
{
    return (char)('a' + (v * 2654435761u >> 7) % 26);
}

void dd_fleet__cursor_make(char out[40], int64_t last_id)
{
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    char tmp[24];
    uint64_t v = (uint64_t)last_id;
    size_t n = 0, o = 0;

    do {
        tmp[n++] = digits[v % 36];
        v /= 36;
    } while (v);
    out[o++] = 'c';
    while (n)
        out[o++] = tmp[--n];
    out[o++] = check_letter((uint64_t)last_id);
    out[o] = '\0';
}

int dd_fleet__cursor_parse(int64_t *out, const char *s)
{
    uint64_t v = 0;
    size_t len;

    *out = 0;
    if (!s || !*s)
        return DD_OK;
    len = strlen(s);
    /* one spelling per id: no leading zeros */
    if (len < 3 || len > 15 || s[0] != 'c' || (s[1] == '0' && len > 3))
        goto bad;
    for (size_t i = 1; i + 1 < len; i++) {
        const char *d = strchr("0123456789abcdefghijklmnopqrstuvwxyz", s[i]);
        if (!d || v > (uint64_t)INT64_MAX / 36)
            goto bad;
        v = v * 36 + (uint64_t)(d - "0123456789abcdefghijklmnopqrstuvwxyz");
    }
    if (v > INT64_MAX || s[len - 1] != check_letter(v))
        goto bad;
    *out = (int64_t)v;
    return DD_OK;
bad:
    return dd_error_set(DD_EINVALID, "cursor \"%.40s\" is not one this server gave", s);
}

unsigned dd_fleet__page_limit(const dd_fleet_page *pg)
{
    if (!pg || pg->limit == 0)
        return 100;
    return pg->limit > 1000 ? 1000 : pg->limit;
}

/* PyPI's PEP 503 normal form: lower case, runs of "-", "_", "." as one "-". */
static void pep503(char *s)
{
    char *w = s;

    for (char *r = s; *r; r++) {
        if (*r == '-' || *r == '_' || *r == '.') {
            if (w == s || w[-1] != '-')
                *w++ = '-';
            continue;
        }
        *w++ = (char)tolower((unsigned char)*r);
    }
    *w = '\0';
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

int dd_fleet__purl_key(char **key, char **version, const char *purl)
{
    dd_purl *p = NULL;
    dd_buf b = DD_BUF_INIT;
    int rc;

    *key = NULL;
    if (version)
        *version = NULL;
    if ((rc = dd_purl_parse(&p, purl)) != DD_OK)
        return rc;
    if ((rc = dd_buf_printf(&b, "%s/%s/", p->type, p->ns ? p->ns : "")) != DD_OK)
        goto done;
    {
        size_t at = b.len;
        if ((rc = dd_buf_puts(&b, p->name)) != DD_OK)
            goto done;
        if (strcmp(p->type, "pypi") == 0)
            pep503(b.data + at);
        else if (strcmp(p->type, "nuget") == 0 || strcmp(p->type, "composer") == 0)
            lower(b.data);
        b.len = strlen(b.data);
    }
    if (version && p->version && !(*version = dd_strdup(p->version))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    *key = dd_buf_detach(&b, NULL);
done:
    dd_buf_dispose(&b);
    dd_purl_free(p);
    return rc;
}
