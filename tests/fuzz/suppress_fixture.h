/* The inventory and findings the suppression fuzz targets apply their input to: a Debian 12
 * image with openssl, libc6 and two npm packages, made once per process. */
#ifndef DD_FUZZ_SUPPRESS_FIXTURE_H
#define DD_FUZZ_SUPPRESS_FIXTURE_H

#include "catalog/catalog_int.h"
#include "scan/scan_int.h"

#include <stdlib.h>
#include <string.h>

static dd_inventory *fuzz_inventory(void)
{
    static dd_inventory *inv;
    static const char os_release[] = "ID=debian\nVERSION_ID=\"12\"\n";
    const dd_package pkgs[] = {
        {.type = DD_PKG_DEB, .name = "openssl", .version = "3.0.11-1~deb12u2", .arch = "amd64"},
        {.type = DD_PKG_DEB,
         .name = "libssl3",
         .version = "3.0.11-1~deb12u2",
         .arch = "amd64",
         .source_name = "openssl"},
        {.type = DD_PKG_DEB,
         .name = "libc6",
         .version = "2.36-9+deb12u4",
         .arch = "amd64",
         .source_name = "glibc"},
        {.type = DD_PKG_NPM, .name = "lodash", .version = "4.17.21"},
        {.type = DD_PKG_NPM,
         .name = "@babel/traverse",
         .version = "7.22.5",
         .purl = "pkg:npm/%40babel/traverse@7.22.5"},
    };
    dd_os_info *os = NULL;

    if (inv)
        return inv;
    if (dd_inventory__new(&inv) != DD_OK ||
        dd_os_release_parse(&os, os_release, sizeof(os_release) - 1) != DD_OK)
        abort();
    dd_inventory__set_os(inv, os);
    for (size_t i = 0; i < sizeof(pkgs) / sizeof(pkgs[0]); i++)
        if (dd_inventory__add(inv, &pkgs[i]) != DD_OK)
            abort();
    dd_inventory__sort(inv);
    return inv;
}

/* A fresh result with a few findings on every package of the inventory. */
static dd_scan_result *fuzz_result(void)
{
    static const char *const ids[] = {"CVE-2023-5678", "CVE-2024-0727", "CVE-2023-4911",
                                      "CVE-2021-23337", "GHSA-p6mc-m468-83gw"};
    static const char *const aliases[] = {"DSA-5532-1", "GHSA-35jh-r3h4-6jhm"};
    dd_inventory *inv = fuzz_inventory();
    dd_scan_result *r = NULL;

    if (dd_scan__new(&r, inv) != DD_OK)
        abort();
    for (size_t p = 0; p < dd_inventory_count(inv); p++)
        for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
            dd_finding f = {.id = ids[i], .pkg = p, .cvss_score = -1};

            if (i < 2) {
                f.aliases = &aliases[i];
                f.n_aliases = 1;
            }
            f.installed = dd_inventory_get(inv, p)->version;
            if (dd_scan__add(r, &f) != DD_OK)
                abort();
        }
    return r;
}

#endif
