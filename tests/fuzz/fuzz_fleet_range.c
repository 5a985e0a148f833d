/* Fuzz target: the fleet store's small parsers: version ranges ("<1.2.3", ">=2.0,<2.4"), page
 * cursors and purl lookup keys. Input: one byte choosing the version scheme, then
 * "RANGE\nCURSOR\nVERSION-OR-PURL". A cursor that parses must print back as itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fleet/fleet_int.h"

/* The `i`th newline-separated field of `s` (NUL-terminated in place), or "". */
static char *field(char *s, int i)
{
    while (i-- > 0) {
        char *nl = strchr(s, '\n');
        if (!nl)
            return s + strlen(s);
        s = nl + 1;
    }
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_version_scheme scheme;
    dd_fleet_range r;
    char *buf, *range, *cursor, *version, *key = NULL, *ver = NULL, *nl;
    int64_t id;

    if (size < 1 || size > 8192)
        return 0;
    scheme = (dd_version_scheme)(data[0] % DD_VERSION_SCHEME_COUNT);
    if (!(buf = malloc(size)))
        return 0;
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = '\0';
    range = buf;
    cursor = field(buf, 1);
    version = field(buf, 2);
    for (char *p = buf; (nl = strchr(p, '\n')); p = nl + 1)
        *nl = '\0';
    if (dd_fleet__range_parse(&r, range, scheme) == DD_OK) {
        (void)dd_fleet__range_has(&r, scheme, version);
        dd_fleet__range_dispose(&r);
    }
    if (dd_fleet__cursor_parse(&id, cursor) == DD_OK && *cursor) {
        char again[40];
        dd_fleet__cursor_make(again, id);
        if (strcmp(again, cursor) != 0)
            abort();
    }
    if (dd_fleet__purl_key(&key, &ver, version) == DD_OK) {
        dd_free(key);
        dd_free(ver);
    }
    free(buf);
    return 0;
}
