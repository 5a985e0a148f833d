/* JSON output: streamed, for the writers that emit one record at a time (lint findings, scan
 * reports), and a fast writer of whole jansson trees (SBOMs, the fleet server's answers). */
#include "util/util.h"

#include <jansson.h>

#include <string.h>

size_t dd_utf8_seq_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        return (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (s[0] >= 0xe0 && s[0] <= 0xef) {
        if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[0] == 0xe0 && s[1] < 0xa0) ||
            (s[0] == 0xed && s[1] >= 0xa0))
            return 0;
        return 3;
    }
    if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80 ||
            (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

void dd_json_put_string(FILE *fp, const char *str)
{
    const unsigned char *s = (const unsigned char *)str, *run = s;

    fputc('"', fp);
    while (*s) {
        size_t n = *s >= 0x20 && *s != '"' && *s != '\\' ? dd_utf8_seq_len(s) : 0;

        if (n) {
            s += n;
            continue;
        }
        fwrite(run, 1, (size_t)(s - run), fp);
        switch (*s) {
        case '"':
            fputs("\\\"", fp);
            break;
        case '\\':
            fputs("\\\\", fp);
            break;
        case '\n':
            fputs("\\n", fp);
            break;
        case '\t':
            fputs("\\t", fp);
            break;
        case '\r':
            fputs("\\r", fp);
            break;
        case '\b':
            fputs("\\b", fp);
            break;
        case '\f':
            fputs("\\f", fp);
            break;
        default:
            if (*s < 0x20)
                fprintf(fp, "\\u%04X", *s); /* as jansson writes it */
            else
                fputs("\\ufffd", fp); /* a byte that is not UTF-8 */
        }
        run = ++s;
    }
    fwrite(run, 1, (size_t)(s - run), fp);
    fputc('"', fp);
}

/* --- a jansson tree as text ---
 *
 * The same bytes as json_dumps(JSON_COMPACT or JSON_INDENT(n), with JSON_PRESERVE_ORDER),
 * written straight into a buffer: jansson's dumper goes through a callback per token and
 * formats and hashes every container's address for its loop check, which made it most of the
 * cost of writing a large answer or document. Reals are still written by jansson. */

#define DUMP_MAX_DEPTH 2048

static int dump_string(dd_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t start = 0;
    int rc;

    if ((rc = dd_buf_grow(out, n + 2)) != DD_OK || (rc = dd_buf_putc(out, '"')) != DD_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[7] = {'\\'};
        size_t len = 2;

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        if (i > start && (rc = dd_buf_put(out, s + start, i - start)) != DD_OK)
            return rc;
        start = i + 1;
        switch (c) {
        case '"':
        case '\\':
            esc[1] = (char)c;
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u', esc[2] = '0', esc[3] = '0';
            esc[4] = hex[c >> 4], esc[5] = hex[c & 15];
            len = 6;
        }
        if ((rc = dd_buf_put(out, esc, len)) != DD_OK)
            return rc;
    }
    if (n > start && (rc = dd_buf_put(out, s + start, n - start)) != DD_OK)
        return rc;
    return dd_buf_putc(out, '"');
}

/* jansson's line break: a newline and `depth` levels of `indent` spaces; nothing when
 * compact. */
static int dump_break(dd_buf *out, unsigned indent, unsigned depth)
{
    size_t n = (size_t)indent * depth;
    int rc;

    if (!indent)
        return DD_OK;
    if ((rc = dd_buf_grow(out, n + 1)) != DD_OK)
        return rc;
    out->data[out->len++] = '\n';
    memset(out->data + out->len, ' ', n);
    out->len += n;
    out->data[out->len] = '\0';
    return DD_OK;
}

static int dump_real(const char *data, size_t size, void *payload)
{
    return dd_buf_put(payload, data, size) == DD_OK ? 0 : -1;
}

static int dump_value(dd_buf *out, const json_t *v, unsigned indent, unsigned depth)
{
    char num[32];
    int rc = DD_OK;

    if (depth > DUMP_MAX_DEPTH)
        return DD_ELIMIT;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        void *it = json_object_iter((json_t *)v);

        if ((rc = dd_buf_putc(out, '{')) != DD_OK || !it)
            return rc == DD_OK ? dd_buf_putc(out, '}') : rc;
        rc = dump_break(out, indent, depth + 1);
        while (it && rc == DD_OK) {
            rc = dump_string(out, json_object_iter_key(it), json_object_iter_key_len(it));
            if (rc == DD_OK)
                rc = indent ? dd_buf_put(out, ": ", 2) : dd_buf_putc(out, ':');
            if (rc == DD_OK)
                rc = dump_value(out, json_object_iter_value(it), indent, depth + 1);
            it = json_object_iter_next((json_t *)v, it);
            if (rc == DD_OK && it)
                rc = dd_buf_putc(out, ',');
            if (rc == DD_OK)
                rc = dump_break(out, indent, it ? depth + 1 : depth);
        }
        return rc == DD_OK ? dd_buf_putc(out, '}') : rc;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(v);

        if ((rc = dd_buf_putc(out, '[')) != DD_OK || n == 0)
            return rc == DD_OK ? dd_buf_putc(out, ']') : rc;
        rc = dump_break(out, indent, depth + 1);
        for (size_t i = 0; i < n && rc == DD_OK; i++) {
            rc = dump_value(out, json_array_get(v, i), indent, depth + 1);
            if (rc == DD_OK && i + 1 < n)
                rc = dd_buf_putc(out, ',');
            if (rc == DD_OK)
                rc = dump_break(out, indent, i + 1 < n ? depth + 1 : depth);
        }
        return rc == DD_OK ? dd_buf_putc(out, ']') : rc;
    }
    case JSON_STRING:
        return dump_string(out, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return dd_buf_puts(out, num);
    case JSON_TRUE:
        return dd_buf_puts(out, "true");
    case JSON_FALSE:
        return dd_buf_puts(out, "false");
    case JSON_NULL:
        return dd_buf_puts(out, "null");
    default:
        return json_dump_callback(v, dump_real, out, JSON_COMPACT | JSON_ENCODE_ANY) == 0
                   ? DD_OK
                   : DD_ENOMEM;
    }
}

int dd_json_dump(dd_buf *out, const json_t *doc, unsigned indent)
{
    size_t len = out->len;
    int rc;

    /* jansson writes nothing for a top level that is not a container; neither does this */
    if (!json_is_object(doc) && !json_is_array(doc))
        return dd_error_set(DD_EINVALID, "JSON text: the top level is not an object or array");
    if ((rc = dump_value(out, doc, indent, 0)) != DD_OK) {
        out->len = len;
        if (out->data != dd_buf__empty)
            out->data[len] = '\0';
        return rc == DD_ELIMIT ? dd_error_set(DD_ELIMIT, "JSON text: nested too deep")
                               : dd_error_set(DD_ENOMEM, "out of memory writing JSON text");
    }
    return DD_OK;
}
