/* The SBOM entry point and what both writers share: identity, time, license classification. */
#include "sbom/sbom_int.h"

/* Nettle's SHA-1, as lib/util/sha256.c says why */
#include <nettle/sha1.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* drydock's namespace for SBOM identities: uuid5(URL namespace, "https://drydock.dev/sbom") */
static const unsigned char sbom_ns[16] = {0x5c, 0x3e, 0x0a, 0x3b, 0x7e, 0x21, 0x5d, 0x52,
                                          0x9a, 0x4f, 0x1d, 0x6b, 0x2e, 0x8c, 0x90, 0x11};

const char *dd_sbom_format_name(dd_sbom_format f)
{
    switch (f) {
    case DD_SBOM_CYCLONEDX:
        return "cyclonedx";
    case DD_SBOM_SPDX_JSON:
        return "spdx-json";
    }
    return "unknown";
}

void dd_sbom_uuid5(char out[37], const unsigned char ns[16], const char *name, size_t len)
{
    unsigned char md[SHA1_DIGEST_SIZE];
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    struct sha1_ctx ctx;

    sha1_init(&ctx);
    sha1_update(&ctx, 16, ns);
    sha1_update(&ctx, len, (const uint8_t *)name);
    sha1_digest(&ctx, sizeof(md), md);
    md[6] = (unsigned char)((md[6] & 0x0f) | 0x50); /* version 5 */
    md[8] = (unsigned char)((md[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[md[i] >> 4];
        out[o++] = hex[md[i] & 15];
    }
    out[o] = '\0';
}

int dd_sbom__serial(char out[37], const dd_inventory *inv, const dd_sbom_subject *subject)
{
    dd_buf b = DD_BUF_INIT;
    int rc = DD_OK;

    if (subject && subject->digest) {
        dd_sbom_uuid5(out, sbom_ns, subject->digest, strlen(subject->digest));
        return DD_OK;
    }
    /* no digest (a directory): the identity is what it holds */
    for (size_t i = 0; i < dd_inventory_count(inv) && rc == DD_OK; i++) {
        const dd_package *p = dd_inventory_get(inv, i);

        rc = dd_buf_printf(&b, "%s %u %d\n", p->purl ? p->purl : p->name, p->layer, p->removed);
    }
    if (rc == DD_OK)
        dd_sbom_uuid5(out, sbom_ns, b.data, b.len);
    dd_buf_dispose(&b);
    return rc;
}

void dd_sbom__timestamp(char out[32], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}

void dd_sbom__set_str(json_t *o, const char *key, const char *value)
{
    if (value)
        json_object_set_new(o, key, json_string(value));
}

/* SPDX expressions: ids (optionally "+"), LicenseRef-*, AND, OR, WITH, parentheses. */
dd_lic_kind dd_sbom__license_kind(const char *s)
{
    const char *p = s;
    int depth = 0, want_operand = 1, operands = 0;
    char tok[128];

    if (dd_spdx_license_valid(s))
        return DD_LIC_ID;
    while (*p) {
        size_t n = 0;

        if (*p == ' ') {
            p++;
            continue;
        }
        if (*p == '(') {
            if (!want_operand)
                return DD_LIC_NAME;
            depth++;
            p++;
            continue;
        }
        if (*p == ')') {
            if (want_operand || depth == 0)
                return DD_LIC_NAME;
            depth--;
            p++;
            continue;
        }
        while (p[n] && p[n] != ' ' && p[n] != '(' && p[n] != ')')
            n++;
        if (n >= sizeof(tok))
            return DD_LIC_NAME;
        memcpy(tok, p, n);
        tok[n] = '\0';
        p += n;
        if (strcmp(tok, "AND") == 0 || strcmp(tok, "OR") == 0 || strcmp(tok, "WITH") == 0) {
            if (want_operand)
                return DD_LIC_NAME;
            want_operand = 1;
            continue;
        }
        if (!want_operand)
            return DD_LIC_NAME;
        if (n && tok[n - 1] == '+')
            tok[n - 1] = '\0';
        if (!dd_spdx_license_valid(tok) && strncmp(tok, "LicenseRef-", 11) != 0)
            return DD_LIC_NAME;
        want_operand = 0;
        operands++;
    }
    if (want_operand || depth || operands < 2)
        return DD_LIC_NAME;
    return DD_LIC_EXPRESSION;
}

int dd_sbom__dump(char **out, size_t *len, json_t *doc)
{
    dd_buf b = DD_BUF_INIT;
    int rc;

    if ((rc = dd_json_dump(&b, doc, 2)) != DD_OK || (rc = dd_buf_putc(&b, '\n')) != DD_OK) {
        dd_buf_dispose(&b);
        return rc;
    }
    if (!(*out = dd_buf_detach(&b, len)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    return DD_OK;
}

int dd_sbom_write(char **out, size_t *len, const dd_inventory *inv, const dd_sbom_subject *subject,
                  const dd_sbom_opts *opts)
{
    json_t *doc = NULL;
    char serial[37];
    int rc;

    *out = NULL;
    *len = 0;
    if ((rc = dd_sbom__serial(serial, inv, subject)) != DD_OK)
        return rc;
    switch (opts->format) {
    case DD_SBOM_CYCLONEDX:
        rc = dd_sbom__write_cyclonedx(&doc, inv, subject, opts, serial);
        break;
    case DD_SBOM_SPDX_JSON:
        rc = dd_sbom__write_spdx(&doc, inv, subject, opts, serial);
        break;
    default:
        return dd_error_set(DD_EINVALID, "unknown SBOM format %d", (int)opts->format);
    }
    if (rc == DD_OK)
        rc = dd_sbom__dump(out, len, doc);
    json_decref(doc);
    return rc;
}
