/* CVSS scores of vector strings: v3.0 and v3.1 base scores and v4.0 scores, computed exactly as
 * FIRST's specifications and reference calculators compute them. */
#ifndef DRYDOCK_CVSS_H
#define DRYDOCK_CVSS_H

#include <drydock/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest vector string accepted, in bytes. The longest valid vectors (every metric of every
 * group spelled out) are under 200 bytes; longer strings fail with DD_ELIMIT. */
#define DD_CVSS_MAX_LEN 256

/* Version numbers stored by dd_cvss_score in *version_out. */
#define DD_CVSS_V30 30
#define DD_CVSS_V31 31
#define DD_CVSS_V40 40

/* Base score of a CVSS v3.0 or v3.1 vector ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
 * rounded as the specification says: v3.1 with the Roundup of its Appendix A, v3.0 with the
 * plain round-up to one decimal of the v3.0 document and calculator. Temporal and
 * environmental metrics in the vector are parsed and validated, but the BASE score is returned.
 * Metrics may come in any order. No allocation.
 * Errors (*out untouched, message names the vector, the offending metric and its offset):
 * DD_EINVALID for a NULL or malformed vector (wrong or missing prefix, empty component, unknown
 * metric, duplicate metric, bad value, missing base metric); DD_ELIMIT when longer than
 * DD_CVSS_MAX_LEN. */
int dd_cvss3_base_score(const char *vector, double *out);

/* Score of a CVSS v4.0 vector ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"):
 * CVSS-B for base metrics only, CVSS-BT/-BE/-BTE when threat or environmental metrics are
 * present, since the 4.0 specification scores the whole vector. Computed with the
 * specification's macrovector lookup table and interpolation (section 8), rounded half up to
 * one decimal. Supplemental metrics are validated and do not change the score. Metrics may come
 * in any order. No allocation. Errors as dd_cvss3_base_score. */
int dd_cvss4_score(const char *vector, double *out);

/* Scores any supported vector, dispatching on its prefix: "CVSS:3.0/", "CVSS:3.1/" (base score)
 * or "CVSS:4.0/" (score of the whole vector). *version_out, when not NULL, gets DD_CVSS_V30,
 * DD_CVSS_V31 or DD_CVSS_V40 on success. Errors: DD_EUNSUPPORTED for CVSS v2 vectors (no
 * prefix, "AV:N/AC:L/Au:N/C:P/I:P/A:P", or "CVSS:2.0/") and for other well-formed "CVSS:M.N/"
 * versions, which drydock does not score; otherwise as dd_cvss3_base_score. Nothing is stored
 * on error. */
int dd_cvss_score(const char *vector, double *out, int *version_out);

#ifdef __cplusplus
}
#endif

#endif
