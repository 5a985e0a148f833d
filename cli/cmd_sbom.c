/* drydock sbom: an image's OS packages as a CycloneDX 1.6 or SPDX 2.3 JSON document. */
#include "cli.h"

#include <drydock/catalog.h>
#include <drydock/image.h>
#include <drydock/sbom.h>
#include <drydock/walk.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    const char *format;
    const char *output;
    const char *scope;
    const char *pkg_types;
    const char *tag;
    const char *platform;
    bool best_effort;
} sbom_flags;

/* SOURCE_DATE_EPOCH (reproducible-builds.org) when set, else now. */
static int sbom_time(int64_t *out)
{
    const char *e = getenv("SOURCE_DATE_EPOCH");
    char *end;
    long long v;

    if (!e || !*e) {
        *out = (int64_t)time(NULL);
        return 0;
    }
    errno = 0;
    v = strtoll(e, &end, 10);
    if (errno || *end || v < 0) {
        dd_cli_error("sbom: SOURCE_DATE_EPOCH must be a number of seconds, not \"%s\"", e);
        return DD_EXIT_USAGE;
    }
    *out = (int64_t)v;
    return 0;
}

int dd_cmd_sbom(const dd_command *cmd, int argc, char **argv)
{
    sbom_flags f = {.format = "cyclonedx", .scope = "squashed"};
    const dd_opt opts[] = {
        {'f', "format", DD_OPT_CHOICE, &f.format, NULL, "cyclonedx|spdx-json",
         "document format (default cyclonedx)"},
        {'o', "output", DD_OPT_STRING, &f.output, "FILE", NULL, "write to FILE instead of stdout"},
        {0, "scope", DD_OPT_CHOICE, &f.scope, NULL, "squashed|all-layers",
         "squashed: what a container sees (default); all-layers: also packages an upper layer "
         "removed"},
        {0, "pkg-types", DD_OPT_STRING, &f.pkg_types, "LIST", NULL,
         "comma-separated: os, library, or purl types (apk, deb, rpm, ...); default all"},
        {0, "best-effort", DD_OPT_FLAG, &f.best_effort, NULL, NULL,
         "exit 0 when a package database is damaged (the packages read are listed)"},
        DD_CLI_IMAGE_OPTS(&f.tag, &f.platform),
        {0},
    };
    dd_catalog_opts copts = DD_CATALOG_OPTS_INIT;
    dd_sbom_opts sopts = DD_SBOM_OPTS_INIT;
    dd_sbom_subject subject = {0};
    dd_sbom_layer *layers = NULL;
    dd_image *img = NULL;
    dd_walk *walk = NULL;
    dd_inventory *inv = NULL;
    dd_cli_out out = {0};
    char *doc = NULL;
    size_t doc_len = 0;
    bool help;
    int npos, rc, crc;

    if ((rc = dd_opt_parse(cmd, opts, argc, argv, &npos, &help)) != 0 || help)
        return rc;
    if (npos != 1) {
        dd_cli_error("sbom: expected one IMAGE, got %d (see drydock sbom --help)", npos);
        return DD_EXIT_USAGE;
    }
    if (f.pkg_types && dd_catalog_parse_pkg_types(&copts.pkg_types, f.pkg_types) != DD_OK) {
        dd_cli_error("sbom: --pkg-types: %s", dd_error_message());
        return DD_EXIT_USAGE;
    }
    if ((rc = sbom_time(&sopts.timestamp)) != 0)
        return rc;
    copts.scope = strcmp(f.scope, "all-layers") == 0 ? DD_SCOPE_ALL_LAYERS : DD_SCOPE_SQUASHED;
    copts.best_effort = f.best_effort;
    sopts.format = strcmp(f.format, "spdx-json") == 0 ? DD_SBOM_SPDX_JSON : DD_SBOM_CYCLONEDX;
    if ((rc = dd_cli_image_walk(&img, &walk, argv[0], f.tag, f.platform, dd_cli_prepare_catalog,
                                &copts)) != 0)
        return rc;
    crc = dd_catalog_run(&inv, walk, &copts);
    if (crc != DD_OK && crc != DD_EINVALID) {
        rc = dd_cli_fail();
        goto done;
    }
    /* the inventory owns copies of what it took from the walk: its captures (1.4 MB for a
     * Debian root) need not stay for the document */
    dd_walk_free(walk);
    walk = NULL;
    for (size_t i = 0; i < dd_inventory_warning_count(inv); i++)
        dd_cli_error("warning: %s", dd_inventory_warning(inv, i));
    if ((rc = dd_cli_sbom_subject(&subject, &layers, img)) != 0)
        goto done;
    if (dd_sbom_write(&doc, &doc_len, inv, &subject, &sopts) != DD_OK) {
        rc = dd_cli_fail();
        goto done;
    }
    if ((rc = dd_cli_out_open(&out, f.output)) != 0)
        goto done;
    rc = dd_cli_out_close(&out, fwrite(doc, 1, doc_len, out.fp) == doc_len);
    if (rc == 0 && crc == DD_EINVALID) {
        dd_cli_error("sbom: a package database is damaged; the SBOM lists the packages read "
                     "before the damage (--best-effort makes this exit 0)");
        rc = DD_EXIT_USAGE;
    }
done:
    dd_free(doc);
    free(layers);
    dd_inventory_free(inv);
    dd_walk_free(walk);
    dd_image_free(img);
    return rc;
}
