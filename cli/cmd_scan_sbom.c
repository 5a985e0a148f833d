/* drydock scan-sbom: the vulnerability scan of `drydock image`, over the packages a CycloneDX or
 * SPDX JSON SBOM lists, whichever tool wrote it. */
#include "cli.h"

#include <drydock/catalog.h>
#include <drydock/sbom.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SBOM_BYTES (512u << 20)

static int read_sbom(const char *path, char **data, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    struct stat st;
    size_t got;

    if (!fp || fstat(fileno(fp), &st) != 0) {
        dd_cli_error("scan-sbom: %s: %s", path, strerror(errno));
        if (fp)
            fclose(fp);
        return DD_EXIT_USAGE;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_SBOM_BYTES) {
        dd_cli_error("scan-sbom: %s: %s", path,
                     S_ISREG(st.st_mode) ? "larger than 512 MiB" : "not a regular file");
        fclose(fp);
        return DD_EXIT_USAGE;
    }
    if (!(*data = malloc((size_t)st.st_size + 1))) {
        fclose(fp);
        dd_cli_error("scan-sbom: out of memory");
        return DD_EXIT_USAGE;
    }
    got = fread(*data, 1, (size_t)st.st_size, fp);
    fclose(fp);
    if (got != (size_t)st.st_size) {
        dd_cli_error("scan-sbom: %s: short read", path);
        free(*data);
        return DD_EXIT_USAGE;
    }
    (*data)[got] = '\0';
    *len = got;
    return 0;
}

int dd_cmd_scan_sbom(const dd_command *cmd, int argc, char **argv)
{
    dd_cli_scan_flags f = DD_CLI_SCAN_FLAGS_INIT;
    dd_cli_scan_input in = {.match = true};
    const dd_opt opts[] = {
        DD_CLI_SCAN_OPTS(&f),
        {0},
    };
    dd_inventory *inv = NULL;
    char *data = NULL;
    size_t len = 0;
    double t0;
    bool help;
    int npos, rc;

    if ((rc = dd_opt_parse(cmd, opts, argc, argv, &npos, &help)) != 0 || help)
        return rc;
    if (npos != 1) {
        dd_cli_error("scan-sbom: expected one FILE, got %d (see drydock scan-sbom --help)", npos);
        return DD_EXIT_USAGE;
    }
    t0 = dd_cli_now_ms();
    if ((rc = read_sbom(argv[0], &data, &len)) != 0)
        return rc;
    if (dd_sbom_read(&inv, argv[0], data, len) != DD_OK) {
        free(data);
        return dd_cli_fail();
    }
    free(data);
    for (size_t i = 0; i < dd_inventory_warning_count(inv); i++) {
        const char *w = dd_inventory_warning(inv, i);
        dd_cli_error("%s%s", strncmp(w, "inferred: ", 10) == 0 ? "" : "warning: ", w);
    }
    in.inv = inv;
    in.target = argv[0];
    in.t_catalog_ms = dd_cli_now_ms() - t0;
    rc = dd_cli_scan_report(&f, &in);
    dd_inventory_free(inv);
    return rc;
}
