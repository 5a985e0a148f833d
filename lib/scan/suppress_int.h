/* What the two suppressors (ignore.c, vex.c) share inside lib/scan/. */
#ifndef DD_SCAN_SUPPRESS_INT_H
#define DD_SCAN_SUPPRESS_INT_H

#include "scan/scan_int.h"

#include <stdbool.h>

/* Largest ignore file and longest line of it, in bytes. */
#define DD_IGNORE_MAX_BYTES (16u << 20)
#define DD_IGNORE_MAX_LINE  4096
/* Largest VEX document, in bytes (a CycloneDX BOM with embedded VEX can be big). */
#define DD_VEX_MAX_BYTES (64u << 20)

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d (m 1-12, d 1-31). */
int64_t dd_scan__days_from_civil(int64_t y, unsigned m, unsigned d);

/* Days in month `m` (1-12) of year `y`. */
unsigned dd_scan__month_days(int64_t y, unsigned m);

/* True when `id` is the finding's id, one of its aliases or one of its records, compared
 * without regard to ASCII case. */
bool dd_scan__finding_has_id(const dd_finding *f, const char *id);

/* Percent-decodes `len` bytes of `s` into `a` (NUL-terminated). A '%' not followed by two hex
 * digits is kept as it is. NULL on ENOMEM (message set). */
char *dd_scan__pct_decode(dd_arena *a, const char *s, size_t len);

#endif
