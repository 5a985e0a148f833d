/* drydock image: one walk of an image's layers feeds every scanner asked for. Packages are
 * matched against the offline vulnerability database (vuln), every file of every layer goes
 * through the secret rules (secret), the configuration and its files through the image rules
 * (config), and the layers' bytes are weighed (hygiene). The findings of all of them go through
 * one ignore file, severity filter, exit code and report. */
#include "cli.h"

#include <drydock/catalog.h>
#include <drydock/image.h>
#include <drydock/imgcheck.h>
#include <drydock/scan.h>
#include <drydock/secrets.h>
#include <drydock/walk.h>

#include <stdlib.h>
#include <string.h>

enum { SCAN_VULN = 1u << DD_ISSUE_CLASS_COUNT }; /* beside the issue classes' bits */

/* Parses "vuln,secret,config,hygiene" into issue-class bits plus SCAN_VULN. */
static int parse_scanners(unsigned *out, const char *list)
{
    char *copy = strdup(list), *save = NULL, *tok;
    int rc = 0;

    *out = 0;
    if (!copy)
        return DD_EXIT_USAGE;
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        unsigned bit = 0;
        if (strcmp(tok, "vuln") == 0)
            bit = SCAN_VULN;
        for (int c = 0; c < DD_ISSUE_CLASS_COUNT && !bit; c++)
            if (strcmp(tok, dd_issue_class_name((dd_issue_class)c)) == 0)
                bit = 1u << c;
        if (!bit) {
            dd_cli_error("image: --scanners: \"%s\" is not one of vuln, secret, config, hygiene",
                         tok);
            rc = DD_EXIT_USAGE;
            break;
        }
        *out |= bit;
    }
    free(copy);
    if (rc == 0 && !*out) {
        dd_cli_error("image: --scanners: no scanner named");
        rc = DD_EXIT_USAGE;
    }
    return rc;
}

typedef struct {
    unsigned scanners;
    const dd_catalog_opts *copts;
    dd_secrets *secrets;
} image_scan;

/* The walk's preparation: each scanner registers what it reads before the one pass. */
static int prepare(dd_walk *w, const void *payload)
{
    const image_scan *s = payload;
    int rc = DD_OK;

    if (s->scanners == SCAN_VULN)
        return dd_cli_prepare_catalog(w, s->copts); /* only the package databases are read */
    if (s->scanners & SCAN_VULN)
        rc = dd_catalog_register(w, s->copts);
    if (rc == DD_OK && s->secrets)
        rc = dd_secrets_attach(s->secrets, w);
    if (rc == DD_OK && (s->scanners & ((1u << DD_ISSUE_CONFIG) | (1u << DD_ISSUE_HYGIENE))))
        rc = dd_imgcheck_prepare(w);
    return rc;
}

/* Runs the issue scanners over the walked image into `out`. */
static int find_issues(dd_scan_result *out, const image_scan *s, const dd_image_config *cfg,
                       const dd_walk *w)
{
    int rc = DD_OK;

    if (s->secrets) {
        rc = dd_secrets_collect(s->secrets, w, dd_scan_add_issue_cb, out);
        if (rc == DD_OK && cfg)
            rc = dd_secrets_scan_config(s->secrets, cfg, dd_scan_add_issue_cb, out);
    }
    if (rc == DD_OK && (s->scanners & (1u << DD_ISSUE_CONFIG)))
        rc = dd_imgcheck_run(cfg, w, dd_scan_add_issue_cb, out);
    if (rc == DD_OK && (s->scanners & (1u << DD_ISSUE_HYGIENE))) {
        dd_hygiene *h = NULL;
        rc = dd_hygiene_compute(&h, cfg, w);
        if (rc == DD_OK)
            rc = dd_hygiene_issues(h, dd_scan_add_issue_cb, out);
        dd_hygiene_free(h);
    }
    return rc;
}

int dd_cmd_image(const dd_command *cmd, int argc, char **argv)
{
    dd_cli_scan_flags f = DD_CLI_SCAN_FLAGS_INIT;
    const char *tag = NULL, *platform = NULL, *pkg_types = NULL;
    const char *scanners = "vuln,secret,config";
    bool best_effort = false, secret_binary = false;
    const dd_opt opts[] = {
        DD_CLI_SCAN_OPTS(&f),
        {0, "scanners", DD_OPT_STRING, &scanners, "LIST", NULL,
         "what to look for: vuln, secret, config, hygiene (default vuln,secret,config)"},
        {0, "pkg-types", DD_OPT_STRING, &pkg_types, "LIST", NULL,
         "comma-separated: os, library, or purl types (apk, deb, rpm, ...); default all"},
        {0, "best-effort", DD_OPT_FLAG, &best_effort, NULL, NULL,
         "scan the packages read from a damaged package database instead of failing"},
        {0, "secret-scan-binary", DD_OPT_FLAG, &secret_binary, NULL, NULL,
         "also look for secrets in files that look binary (skipped by default)"},
        DD_CLI_IMAGE_OPTS(&tag, &platform),
        {0},
    };
    dd_catalog_opts copts = DD_CATALOG_OPTS_INIT;
    image_scan s = {.copts = &copts};
    const dd_image_identity *id;
    dd_image *img = NULL;
    dd_walk *walk = NULL;
    dd_inventory *inv = NULL;
    dd_scan_result *issues = NULL;
    double t0;
    bool help;
    int npos, rc;

    if ((rc = dd_opt_parse(cmd, opts, argc, argv, &npos, &help)) != 0 || help)
        return rc;
    if (npos != 1) {
        dd_cli_error("image: expected one IMAGE, got %d (see drydock image --help)", npos);
        return DD_EXIT_USAGE;
    }
    if ((rc = parse_scanners(&s.scanners, scanners)) != 0)
        return rc;
    if (pkg_types && dd_catalog_parse_pkg_types(&copts.pkg_types, pkg_types) != DD_OK) {
        dd_cli_error("image: --pkg-types: %s", dd_error_message());
        return DD_EXIT_USAGE;
    }
    copts.best_effort = best_effort;
    if (s.scanners & (1u << DD_ISSUE_SECRET)) {
        dd_secrets_opts so = DD_SECRETS_OPTS_INIT;
        so.scan_binary = secret_binary;
        if (dd_secrets_new(&s.secrets, &so) != DD_OK)
            return dd_cli_fail();
    }
    t0 = dd_cli_now_ms();
    if ((rc = dd_cli_image_walk(&img, &walk, argv[0], tag, platform, prepare, &s)) != 0)
        goto done;
    id = dd_image_identity_get(img);
    if (s.scanners & SCAN_VULN) {
        int crc = dd_catalog_run(&inv, walk, &copts);
        if (crc != DD_OK) {
            if (crc == DD_EINVALID)
                dd_cli_error("image: %s (--best-effort scans the packages read)",
                             dd_error_message());
            rc = crc == DD_EINVALID ? DD_EXIT_USAGE : dd_cli_fail();
            goto done;
        }
        for (size_t i = 0; i < dd_inventory_warning_count(inv); i++)
            dd_cli_error("warning: %s", dd_inventory_warning(inv, i));
    }
    if (s.scanners & ~SCAN_VULN) {
        /* a root filesystem has no configuration: only its files are checked */
        const dd_image_config *cfg = id->config_digest ? dd_image_config_get(img) : NULL;
        if (dd_scan_result_new(&issues, NULL) != DD_OK ||
            find_issues(issues, &s, cfg, walk) != DD_OK) {
            rc = dd_cli_fail();
            goto done;
        }
    }
    dd_walk_free(walk); /* the inventory and the issues own copies of what they read */
    walk = NULL;
    dd_secrets_free(s.secrets);
    s.secrets = NULL;
    {
        dd_cli_scan_input in = {.inv = inv, .match = (s.scanners & SCAN_VULN) != 0};

        in.issues = issues;
        in.issue_classes = s.scanners & ~SCAN_VULN;
        in.target = id->n_tags ? id->tags[0] : id->path;
        in.digest = id->manifest_digest ? id->manifest_digest : id->config_digest;
        in.t_catalog_ms = dd_cli_now_ms() - t0;
        rc = dd_cli_scan_report(&f, &in);
    }
done:
    dd_scan_result_free(issues);
    dd_inventory_free(inv);
    dd_walk_free(walk);
    dd_secrets_free(s.secrets);
    dd_image_free(img);
    return rc;
}
