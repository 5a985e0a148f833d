/* Fuzz target: the CVSS vector parsers and scorers. The input is one vector string; every entry
 * point must agree with the dispatcher, a score must be a tenth in 0..10, and a failure must
 * leave the output untouched and explain itself. */
#include <drydock/cvss.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check(int rc, double out)
{
    if (rc == DD_OK) {
        double t = out * 10.0;
        if (!(out >= 0.0 && out <= 10.0) || fabs(t - round(t)) > 1e-9)
            abort();
    } else if (out != -1.0 || dd_error_message()[0] == '\0') {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char buf[DD_CVSS_MAX_LEN + 16];
    double any = -1.0, v3 = -1.0, v4 = -1.0;
    int version = -1, rc, rc3, rc4;

    if (size >= sizeof(buf))
        size = sizeof(buf) - 1;
    memcpy(buf, data, size);
    buf[size] = '\0';

    rc = dd_cvss_score(buf, &any, &version);
    check(rc, any);
    rc3 = dd_cvss3_base_score(buf, &v3);
    check(rc3, v3);
    rc4 = dd_cvss4_score(buf, &v4);
    check(rc4, v4);

    /* at most one versioned parser accepts a string, and the dispatcher agrees with it */
    if (rc3 == DD_OK && rc4 == DD_OK)
        abort();
    if (rc == DD_OK) {
        if (version == DD_CVSS_V40
                ? rc4 != DD_OK || v4 != any
                : rc3 != DD_OK || v3 != any || (version != DD_CVSS_V30 && version != DD_CVSS_V31))
            abort();
    } else if (version != -1 || (rc3 == DD_OK || rc4 == DD_OK)) {
        abort();
    }
    return 0;
}
