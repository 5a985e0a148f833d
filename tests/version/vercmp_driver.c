/* Differential-test driver: reads "A<TAB>B" lines on stdin and prints the order of A and B in
 * the scheme named by argv[1] as -1, 0 or 1, or "E <reason>" when the library rejects one.
 * "apk-raw" orders apk versions even when invalid, as apk-tools' own test harness does. */
#include <drydock/version.h>

#include "version/version_int.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    char line[4096];
    dd_version_scheme s = DD_VERSION_DEB;
    int raw_apk = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s SCHEME < pairs\n", argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "apk-raw") == 0)
        raw_apk = 1;
    else if (dd_version_scheme_from_name(&s, argv[1]) != DD_OK) {
        fprintf(stderr, "%s\n", dd_error_message());
        return 2;
    }
    while (fgets(line, sizeof(line), stdin)) {
        char *tab, *a = line, *b;
        size_t n = strlen(line);
        int out = 0;

        if (n && line[n - 1] == '\n')
            line[--n] = '\0';
        tab = strchr(line, '\t');
        if (!tab) {
            printf("E no tab\n");
            continue;
        }
        *tab = '\0';
        b = tab + 1;
        if (raw_apk) {
            out = dd_version__order_apk(a, strlen(a), b, strlen(b));
            printf("%d\n", out);
        } else if (dd_version_cmp(s, a, b, &out) == DD_OK) {
            printf("%d\n", out < 0 ? -1 : out > 0);
        } else {
            printf("E %s\n", dd_error_message());
        }
    }
    return 0;
}
