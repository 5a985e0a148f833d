/* drydock image: an image's packages matched against the offline vulnerability database, as a
 * CI gate (--severity, --fail-on, --exit-code) or a report. */
#include "cli.h"

#include <drydock/catalog.h>
#include <drydock/image.h>
#include <drydock/walk.h>

#include <stdlib.h>
#include <string.h>

int dd_cmd_image(const dd_command *cmd, int argc, char **argv)
{
    dd_cli_scan_flags f = DD_CLI_SCAN_FLAGS_INIT;
    const char *tag = NULL, *platform = NULL, *pkg_types = NULL, *scanners = "vuln";
    bool best_effort = false;
    const dd_opt opts[] = {
        DD_CLI_SCAN_OPTS(&f),
        {0, "scanners", DD_OPT_STRING, &scanners, "LIST", NULL,
         "what to look for: vuln (default vuln)"},
        {0, "pkg-types", DD_OPT_STRING, &pkg_types, "LIST", NULL,
         "comma-separated: os, library, or purl types (apk, deb, rpm, ...); default all"},
        {0, "best-effort", DD_OPT_FLAG, &best_effort, NULL, NULL,
         "scan the packages read from a damaged package database instead of failing"},
        DD_CLI_IMAGE_OPTS(&tag, &platform),
        {0},
    };
    dd_catalog_opts copts = DD_CATALOG_OPTS_INIT;
    const dd_image_identity *id;
    dd_image *img = NULL;
    dd_walk *walk = NULL;
    dd_inventory *inv = NULL;
    double t0;
    bool help;
    int npos, rc, crc;

    if ((rc = dd_opt_parse(cmd, opts, argc, argv, &npos, &help)) != 0 || help)
        return rc;
    if (npos != 1) {
        dd_cli_error("image: expected one IMAGE, got %d (see drydock image --help)", npos);
        return DD_EXIT_USAGE;
    }
    if (strcmp(scanners, "vuln") != 0) {
        dd_cli_error("image: --scanners: only \"vuln\" is available, not \"%s\"", scanners);
        return DD_EXIT_USAGE;
    }
    if (pkg_types && dd_catalog_parse_pkg_types(&copts.pkg_types, pkg_types) != DD_OK) {
        dd_cli_error("image: --pkg-types: %s", dd_error_message());
        return DD_EXIT_USAGE;
    }
    copts.best_effort = best_effort;
    t0 = dd_cli_now_ms();
    if ((rc = dd_cli_image_walk(&img, &walk, argv[0], tag, platform, dd_cli_prepare_catalog,
                                &copts)) != 0)
        return rc;
    id = dd_image_identity_get(img);
    crc = dd_catalog_run(&inv, walk, &copts);
    if (crc != DD_OK) {
        if (crc == DD_EINVALID)
            dd_cli_error("image: %s (--best-effort scans the packages read)", dd_error_message());
        rc = crc == DD_EINVALID ? DD_EXIT_USAGE : dd_cli_fail();
        goto done;
    }
    dd_walk_free(walk); /* the inventory owns copies of what it read */
    walk = NULL;
    for (size_t i = 0; i < dd_inventory_warning_count(inv); i++)
        dd_cli_error("warning: %s", dd_inventory_warning(inv, i));
    {
        dd_cli_scan_input in = {.inv = inv, .match = true};

        in.target = id->n_tags ? id->tags[0] : id->path;
        in.digest = id->manifest_digest ? id->manifest_digest : id->config_digest;
        in.t_catalog_ms = dd_cli_now_ms() - t0;
        rc = dd_cli_scan_report(&f, &in);
    }
done:
    dd_inventory_free(inv);
    dd_walk_free(walk);
    dd_image_free(img);
    return rc;
}
