/* Fuzz target: every version comparator. The input is "A\nB"; both strings are checked and
 * compared in each scheme, and the order must be antisymmetric and reflexive. */
#include <drydock/version.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char buf[2 * DD_VERSION_MAX_LEN + 8];
    const char *a, *b;
    char *nl;

    if (size >= sizeof(buf))
        size = sizeof(buf) - 1;
    memcpy(buf, data, size);
    buf[size] = '\0';
    nl = memchr(buf, '\n', size);
    if (nl) {
        *nl = '\0';
        b = nl + 1;
    } else {
        b = "1.0";
    }
    a = buf;
    for (int s = 0; s < DD_VERSION_SCHEME_COUNT; s++) {
        int ab = 0, ba = 0, aa = 1;
        int r1 = dd_version_cmp((dd_version_scheme)s, a, b, &ab);
        int r2 = dd_version_cmp((dd_version_scheme)s, b, a, &ba);
        if ((r1 == 0) != (r2 == 0))
            abort();
        if (r1 == 0 && (ab > 0) - (ab < 0) != -((ba > 0) - (ba < 0)))
            abort();
        if (dd_version_valid((dd_version_scheme)s, a)) {
            if (dd_version_cmp((dd_version_scheme)s, a, a, &aa) != 0 || aa != 0)
                abort();
        }
    }
    return 0;
}
