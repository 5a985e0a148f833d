/* What the matcher, the suppressors and the report writers share inside lib/scan/. */
#ifndef DD_SCAN_INT_H
#define DD_SCAN_INT_H

#include <drydock/scan.h>

#include "util/util.h"

/* An empty result over `inv` (borrowed; must outlive the result). */
int dd_scan__new(dd_scan_result **out, const dd_inventory *inv);

/* Appends a finding: every string and array of `f` is copied into the result's arena. */
int dd_scan__add(dd_scan_result *r, const dd_finding *f);

/* Records the ecosystem used for OS packages (copied; NULL = none). */
int dd_scan__set_os_ecosystem(dd_scan_result *r, const char *ecosystem);

/* Appends a note for the user. */
int dd_scan__note(dd_scan_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sorts the findings by package index, then id. */
void dd_scan__sort(dd_scan_result *r);

/* The report writers, one file each; `fp` is the destination, opts->format picks one. */
int dd_report__table(FILE *fp, const dd_scan_result *r, const dd_report_opts *opts);
int dd_report__json(FILE *fp, const dd_scan_result *r, const dd_report_opts *opts);
int dd_report__sarif(FILE *fp, const dd_scan_result *r, const dd_report_opts *opts);
int dd_report__cyclonedx(FILE *fp, const dd_scan_result *r, const dd_report_opts *opts);
int dd_report__markdown(FILE *fp, const dd_scan_result *r, const dd_report_opts *opts);

#endif
