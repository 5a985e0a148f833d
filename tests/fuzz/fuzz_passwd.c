/* Fuzz target: the /etc/passwd, /etc/group and /etc/shadow parsers of the image checks, and the
 * credential-file readers fed through a one-layer walk. The first byte picks the format. */
#include "imgcheck/imgcheck_int.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_imgcheck__account *recs;
    dd_arena *a;
    size_t n;

    if (size < 1 || dd_arena_new(&a) != DD_OK)
        return 0;
    if (dd_imgcheck__accounts_parse(&recs, &n, a, (const char *)data + 1, size - 1,
                                    (dd_imgcheck__account_file)(data[0] % 3)) == DD_OK) {
        for (size_t i = 0; i < n; i++)
            if (!recs[i].name[0] || recs[i].line == 0)
                __builtin_trap();
    }
    dd_imgcheck__has_private_key((const char *)data, size);
    dd_imgcheck__url_has_password((const char *)data, size);
    dd_arena_free(a);
    return 0;
}
