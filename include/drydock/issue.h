/* Findings about an image that are not vulnerabilities of a package: leaked secrets, image
 * configuration and layer hygiene. Each scanner hands them to one callback; the scan result
 * keeps them beside the vulnerability findings, and every report writes both. */
#ifndef DRYDOCK_ISSUE_H
#define DRYDOCK_ISSUE_H

#include <drydock/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    DD_SEV_UNKNOWN = 0,
    DD_SEV_LOW,
    DD_SEV_MEDIUM,
    DD_SEV_HIGH,
    DD_SEV_CRITICAL,
} dd_severity;

#define DD_SEV_COUNT 5

/* "UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL". */
const char *dd_severity_name(dd_severity s);

/* Parses a severity word case-insensitively: the five names, and the words distros use
 * ("negligible", "unimportant" -> LOW; "moderate" -> MEDIUM; "important" -> HIGH; "urgent" ->
 * CRITICAL; "not yet assigned" -> UNKNOWN). DD_EINVALID for anything else. */
int dd_severity_parse(dd_severity *out, const char *word);

/* The severity band of a CVSS base score (0.1-3.9 LOW, 4.0-6.9 MEDIUM, 7.0-8.9 HIGH, 9.0-10
 * CRITICAL; 0 and negative UNKNOWN). */
dd_severity dd_severity_from_score(double score);

/* Why a finding is not counted. */
typedef enum {
    DD_SUPPRESS_NONE = 0,
    DD_SUPPRESS_IGNOREFILE, /* an entry of the ignore file */
    DD_SUPPRESS_VEX,        /* a VEX statement: not_affected or fixed */
} dd_suppress_kind;

typedef enum {
    DD_ISSUE_SECRET = 0, /* a credential in a file's bytes, an Env value or a history step */
    DD_ISSUE_CONFIG,     /* the image configuration and its files (DD-IMG-*, DD-SEC-005, ...) */
    DD_ISSUE_HYGIENE,    /* wasted bytes, caches and build tools left in the image */
} dd_issue_class;

#define DD_ISSUE_CLASS_COUNT 3

/* "secret", "config", "hygiene": also the names `--scanners` takes. */
const char *dd_issue_class_name(dd_issue_class c);

/* One finding. Strings are borrowed by the callback (copy what you keep) and owned by the scan
 * result once added to it. */
typedef struct {
    dd_issue_class cls;
    const char *rule_id;  /* "DD-SECRET-AWS-ACCESS-KEY-ID", "DD-IMG-003", "DD-SEC-005" */
    const char *category; /* secrets: the provider or family ("AWS", "PrivateKey"); else NULL */
    const char *title;    /* the rule's one-line title */
    const char *message;  /* what was found here, with any secret redacted */
    const char *fix;      /* one-line hint, or NULL */
    dd_severity severity;
    const char *path;     /* the file in the image ("app/.env"); NULL for the configuration */
    const char *location; /* in the configuration: "User", "Env", "history[3].created_by"; NULL */
    int32_t layer;        /* layer that wrote the file, or made the history step; -1 none */
    int32_t removed_in;   /* layer whose whiteout or rewrite hides the file; -1: still seen */
    uint32_t line;        /* 1-based line in the file or value; 0 when none */
    const char *match;    /* secrets: the redacted match ("AK****************LE"); else NULL */
    uint64_t bytes;       /* hygiene: the bytes concerned; 0 otherwise */
    dd_suppress_kind suppressed;
    const char *suppress_reason;
} dd_issue;

#define DD_ISSUE_INIT {.layer = -1, .removed_in = -1}

/* Receives one finding; a non-DD_OK return stops the scanner with that code. */
typedef int (*dd_issue_fn)(const dd_issue *issue, void *payload);

#ifdef __cplusplus
}
#endif

#endif
