/* Streamed JSON output shared by the writers that emit one record at a time (lint findings,
 * scan reports) instead of building a whole jansson tree first. */
#include "util/util.h"

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
