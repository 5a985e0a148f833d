/* Private interface of lib/cvss: the vector-string parser that the v3 and v4 scorers share. */
#ifndef DD_CVSS_INT_H
#define DD_CVSS_INT_H

#include <drydock/cvss.h>

#include <stdbool.h>
#include <stddef.h>

/* Most values one metric has ("X" included): v4.0's U has X, Clear, Green, Amber, Red. */
#define DD_CVSS__MAX_VALUES 6

/* One metric of a version's vector grammar. Optional metrics list "X" (Not Defined) first, so
 * an absent optional metric reads as value 0, exactly like an explicit "X". */
typedef struct {
    const char *name;                        /* abbreviated name: "AV", "MSI", "U" */
    const char *values[DD_CVSS__MAX_VALUES]; /* abbreviated values, NULL-terminated */
    bool required;                           /* a base metric: must be present */
} dd_cvss__metric;

/* Parses `vector` ("CVSS:M.N/NAME:VALUE/...", `len` bytes, `len` <= DD_CVSS_MAX_LEN) whose
 * prefix, `prefix_len` bytes with the trailing '/', the caller has already checked. Metrics may
 * come in any order. On success val[i] is the index of metric i's value in tab[i].values (0 for
 * an absent optional metric). Errors: DD_EINVALID, message naming the vector, the component and
 * its byte offset: empty component, component without ':', unknown metric, duplicate metric,
 * value not in the metric's list, missing required metric. */
int dd_cvss__parse(const char *vector, size_t len, size_t prefix_len, const dd_cvss__metric *tab,
                   size_t n, int *val);

/* Sets this thread's error to "invalid CVSS vector '<vector>': <why>" (the vector quoted, cut and
 * with unprintable bytes escaped) and returns `code`. */
int dd_cvss__fail(int code, const char *vector, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Checks `vector` for NULL and DD_CVSS_MAX_LEN and stores its length in *len; on failure sets the
 * error (DD_EINVALID or DD_ELIMIT) and returns it. */
int dd_cvss__check_len(const char *vector, size_t *len);

/* The two round-up rules of CVSS v3 (exposed for the unit tests): v3.1 Appendix A's Roundup, which
 * first rounds to five decimals so floating-point noise (4.000000000000001) does not add a tenth,
 * and v3.0's plain ceiling to one decimal, noise included. */
double dd_cvss__roundup_v31(double x);
double dd_cvss__roundup_v30(double x);

#endif
