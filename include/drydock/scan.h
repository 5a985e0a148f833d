/* Vulnerability findings: an inventory matched against the offline database, filtered and
 * suppressed as the user asked, and the reports written from them. */
#ifndef DRYDOCK_SCAN_H
#define DRYDOCK_SCAN_H

#include <drydock/catalog.h>
#include <drydock/common.h>
#include <drydock/issue.h>
#include <drydock/vulndb.h>

#include <stdbool.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One vulnerability in one package. Strings are owned by the result. */
typedef struct {
    const char *id;               /* the CVE id when the records give one, else the record id */
    const char *const *aliases;   /* every other id of the merged records, sorted */
    size_t n_aliases;
    size_t pkg;                   /* index into the result's inventory */
    const char *installed;        /* the version compared */
    const char *fixed;            /* lowest version that fixes every matching record; NULL =
                                     unfixed */
    dd_severity severity;
    const char *severity_source;  /* "debian", "ghsa", "cvss_v3", "cvss_v4", "record", NULL */
    double cvss_score;            /* computed base score; negative when no vector */
    const char *cvss_vector;      /* the vector scored, NULL when none */
    const char *title;
    const char *description;
    const char *published, *modified;
    const char *const *references;
    size_t n_references;
    const char *ecosystem;        /* the OSV ecosystem matched: "Debian:11" */
    const char *matched_name;     /* the name matched: the source package for distro packages */
    const char *const *records;   /* ids of the OSV records merged into this finding, sorted */
    size_t n_records;
    dd_suppress_kind suppressed;
    const char *suppress_reason;  /* the ignore entry's or VEX statement's justification */
} dd_finding;

typedef struct dd_scan_result dd_scan_result;

typedef struct {
    /* Ecosystem of OS packages; NULL = derived from the inventory's OS (dd_scan_os_ecosystem). */
    const char *os_ecosystem;
} dd_scan_opts;

#define DD_SCAN_OPTS_INIT {NULL}

/* The OSV ecosystem of an image's distribution: "Debian:11" (major version, or the release
 * number of a codename when only the codename is known), "Alpine:v3.20" (major.minor),
 * "Ubuntu:22.04:LTS" / "Ubuntu:23.10", "Rocky Linux:9", "AlmaLinux:9", "Red Hat:...", etc.
 * The caller frees `*out`. DD_ENOTFOUND when the distribution has no OSV ecosystem. */
int dd_scan_os_ecosystem(char **out, const dd_os_info *os);

/* The OSV ecosystem of a language package type ("npm", "PyPI", "Go", "Maven", "RubyGems",
 * "crates.io", "Packagist", "NuGet"); NULL for the OS package types. */
const char *dd_scan_language_ecosystem(dd_pkg_type t);

/* Matches every package of `inv` against `db`. The result keeps a reference to `inv`, which
 * must outlive it. Findings are sorted by package index, then id. */
int dd_scan_match(dd_scan_result **out, const dd_inventory *inv, dd_vulndb *db,
                  const dd_scan_opts *opts);

void dd_scan_result_free(dd_scan_result *r);
const dd_inventory *dd_scan_inventory(const dd_scan_result *r);
/* The ecosystem used for OS packages, NULL when none applied. */
const char *dd_scan_os_ecosystem_used(const dd_scan_result *r);
size_t dd_scan_count(const dd_scan_result *r);
const dd_finding *dd_scan_get(const dd_scan_result *r, size_t index);
/* Notes for the user ("no OSV ecosystem for distribution 'arch'; OS packages not matched"). */
size_t dd_scan_note_count(const dd_scan_result *r);
const char *dd_scan_note(const dd_scan_result *r, size_t index);

/* An empty result over `inv` (may be NULL), for scans that match no packages: issues only. */
int dd_scan_result_new(dd_scan_result **out, const dd_inventory *inv);

/* --- issues: secrets, configuration and hygiene (include/drydock/issue.h) --- */

/* Adds a copy of `issue` (its strings copied). DD_ENOMEM. */
int dd_scan_add_issue(dd_scan_result *r, const dd_issue *issue);
/* dd_scan_add_issue as a dd_issue_fn, `result` being the dd_scan_result. */
int dd_scan_add_issue_cb(const dd_issue *issue, void *result);
/* The issues in the order added. */
size_t dd_scan_issue_count(const dd_scan_result *r);
const dd_issue *dd_scan_issue_get(const dd_scan_result *r, size_t index);
/* Marks an issue suppressed, copying `reason` (may be NULL). */
int dd_scan_suppress_issue(dd_scan_result *r, size_t index, dd_suppress_kind kind,
                           const char *reason);

/* Marks a finding suppressed (ignore file or VEX), copying `reason` (may be NULL). */
int dd_scan_suppress(dd_scan_result *r, size_t index, dd_suppress_kind kind, const char *reason);

/* --- suppression --- */

/* Applies an ignore file (`path` names it in messages) to the result. One entry a line:
 *   ID [exp:YYYY-MM-DD] [pkg:PURL-PATTERN] [# reason]
 *   pkg:PURL-PATTERN [exp:YYYY-MM-DD] [# reason]
 * ID matches a finding's id or any of its aliases or records (case-insensitive); a purl pattern
 * is a glob (fnmatch) over the package's purl, with or without its qualifiers; given after an ID
 * it narrows the ID to those packages. `exp:` makes the entry lapse after that day (UTC) of
 * `now` (seconds since the epoch); '#' starts a comment and the reason. Matching findings are
 * marked DD_SUPPRESS_IGNOREFILE with the reason. DD_EINVALID with "PATH:LINE: message" for a
 * malformed line. */
int dd_scan_apply_ignorefile(dd_scan_result *r, const char *path, const char *data, size_t len,
                             int64_t now);

/* Applies a VEX document: OpenVEX 0.2 JSON or CycloneDX 1.4-1.6 JSON with vulnerabilities[]
 * analysis. A statement with status not_affected or fixed (CycloneDX: state not_affected,
 * false_positive or resolved) for a vulnerability id (the finding's id, an alias or a record) and
 * a product/affects reference that matches the finding's package (purl, with or without
 * qualifiers and version, or the CycloneDX bom-ref drydock writes) marks the finding
 * DD_SUPPRESS_VEX with the justification and impact statement as the reason. DD_EINVALID with
 * "PATH: message" for a document that is neither format. */
int dd_scan_apply_vex(dd_scan_result *r, const char *path, const char *data, size_t len);

/* --- reports --- */

typedef enum {
    DD_REPORT_TABLE = 0,
    DD_REPORT_JSON,
    DD_REPORT_SARIF,
    DD_REPORT_CYCLONEDX,
    DD_REPORT_MARKDOWN,
} dd_report_format;

/* Which findings a report shows and what the image was. Borrowed for the call. */
typedef struct {
    dd_report_format format;
    const char *target;          /* what was scanned: the image name or SBOM path */
    const char *target_digest;   /* image digest or NULL */
    unsigned severities;         /* bit mask of 1u << dd_severity shown; 0 = all */
    bool ignore_unfixed;         /* leave out findings without a fixed version */
    bool show_suppressed;        /* also list suppressed findings, marked as such */
    bool color;                  /* table: ANSI colours */
    unsigned issue_classes;      /* 1u << dd_issue_class of each issue scanner that ran: the
                                    table and markdown print their sections even when empty */
    int64_t timestamp;           /* SARIF/CycloneDX time stamps: seconds since the epoch */
    const char *tool_version;    /* NULL = dd_version() */
} dd_report_opts;

/* Whether finding `f` passes the opts' severity and unfixed filters and is not suppressed. */
bool dd_report_selects(const dd_report_opts *opts, const dd_finding *f);

/* Whether issue `is` passes the severity filter and is not suppressed (issues have no fixed
 * version: --ignore-unfixed leaves them be). */
bool dd_report_selects_issue(const dd_report_opts *opts, const dd_issue *is);

/* Writes the report to `fp`. DD_EIO when writing fails. */
int dd_report_write(FILE *fp, const dd_scan_result *r, const dd_report_opts *opts);

#ifdef __cplusplus
}
#endif

#endif
