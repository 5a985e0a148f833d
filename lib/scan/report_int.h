/* What the report writers share inside lib/scan/: selection, counts, text cleaning. */
#ifndef DD_REPORT_INT_H
#define DD_REPORT_INT_H

#include "scan/scan_int.h"

#include <jansson.h>

/* Whether `f` passes the severity and unfixed filters of `opts`, suppressed or not. */
bool dd_report__passes(const dd_report_opts *opts, const dd_finding *f);

/* Whether a writer lists `f`: selected, or suppressed and opts->show_suppressed. */
bool dd_report__shown(const dd_report_opts *opts, const dd_finding *f);

/* The counts every summary shows: findings selected (dd_report_selects), per severity, and the
 * suppressed findings that pass the filters (listed or not). */
typedef struct {
    size_t total;
    size_t suppressed;
    size_t by_severity[DD_SEV_COUNT];
} dd_report_counts;

void dd_report__count(dd_report_counts *out, const dd_scan_result *r, const dd_report_opts *opts);

/* The same three for issues (severity filter only; the scan result keeps severities in range),
 * and their counts: of class `cls`, or of every class when `cls` is negative. */
bool dd_report__issue_passes(const dd_report_opts *opts, const dd_issue *is);
bool dd_report__issue_shown(const dd_report_opts *opts, const dd_issue *is);
void dd_report__count_issues(dd_report_counts *out, const dd_scan_result *r,
                             const dd_report_opts *opts, int cls);

/* The indices of the findings shown, in result order. `*out` is the caller's (dd_free), NULL
 * when `*n` is 0. DD_ENOMEM. */
int dd_report__shown_list(size_t **out, size_t *n, const dd_scan_result *r,
                          const dd_report_opts *opts);

/* The severity of `f`, UNKNOWN for a value outside the enum. */
dd_severity dd_report__severity(const dd_finding *f);

/* The package of `f`, NULL when its index is outside the result's inventory. */
const dd_package *dd_report__package(const dd_scan_result *r, const dd_finding *f);

/* "fixed" when the finding has a fixed version, else "affected". */
const char *dd_report__status(const dd_finding *f);

/* "ignorefile", "vex", or NULL for DD_SUPPRESS_NONE. */
const char *dd_report__suppress_name(dd_suppress_kind k);

/* The first reference that is an http(s) URL, NULL when none. */
const char *dd_report__first_url(const dd_finding *f);

/* opts->tool_version, else dd_version(). */
const char *dd_report__tool_version(const dd_report_opts *opts);

/* "2024-01-02T03:04:05Z" */
void dd_report__timestamp(char out[32], int64_t t);


/* Terminal columns of code point `cp`: 0 for combining marks and zero-width characters, 2 for
 * East Asian wide and fullwidth characters and emoji, else 1. */
unsigned dd_report__cp_width(uint32_t cp);

/* Appends `s` to `out` as one line of safe text: tabs and line breaks become a space, runs of
 * spaces collapse, leading and trailing ones go; other control characters (C0, DEL, C1), bidi
 * overrides and bytes that are not UTF-8 are dropped or become U+FFFD, so text from an advisory
 * cannot move a terminal's cursor or reorder a line. With `max_cols` > 0 the text is cut to at
 * most that many columns, ending in "..." when cut. `*cols` (may be NULL) receives the columns
 * appended. NULL `s` appends nothing. DD_ENOMEM. */
int dd_report__clean(dd_buf *out, const char *s, size_t max_cols, size_t *cols);

/* A jansson string of `s` (NULL -> JSON null); bytes that are not UTF-8 become U+FFFD so a
 * package database in another encoding still gives a valid document. NULL on ENOMEM. */
json_t *dd_report__jstr(const char *s);

/* Sets `key` of `o` to `v` (stolen); a NULL `v` or a failed set makes `*rc` DD_ENOMEM. */
void dd_report__set(json_t *o, const char *key, json_t *v, int *rc);

/* Appends `v` (stolen) to array `a`, like dd_report__set. */
void dd_report__append(json_t *a, json_t *v, int *rc);

/* Writes `doc` with two-space indentation, keys in insertion order, reals as written ("7.5"),
 * and a final newline. DD_EIO when writing fails, DD_ENOMEM. */
int dd_report__dump(FILE *fp, const json_t *doc);

/* A placeholder for an array written element by element by dd_report__dump_streamed. */
#define DD_REPORT_STREAM_TOKEN "drydock:stream:array"

/* Gives the next element of a streamed array in `*out` (the caller's), NULL after the last. */
typedef int (*dd_report_next_fn)(json_t **out, void *payload);

/* Writes `doc` like dd_report__dump, with the string DD_REPORT_STREAM_TOKEN replaced by the
 * array of the elements `next` gives, each dumped and freed in turn, so the document never holds
 * them all. The placeholder must be the last value written (every object that encloses it has it
 * as its last member): the same bytes as a dump of the whole tree. Errors of `next`, DD_EIO,
 * DD_ENOMEM. */
int dd_report__dump_streamed(FILE *fp, const json_t *doc, dd_report_next_fn next, void *payload);

#endif
