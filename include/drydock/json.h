/* Streamed JSON output, for writers that emit one record at a time (lint findings, scan
 * reports) rather than building a whole document tree first. */
#ifndef DRYDOCK_JSON_H
#define DRYDOCK_JSON_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The length of the valid UTF-8 sequence at `s` (1 to 4), or 0 when it is not one (overlong,
 * surrogate, above U+10FFFF, cut short by the end of the string); the NUL itself is 1. */
size_t dd_utf8_seq_len(const unsigned char *s);

/* Writes `s` as a JSON string the way jansson does (UTF-8 kept, no "\/" escape, control
 * characters as \uXXXX); bytes that are not UTF-8 become U+FFFD, since the strings quote
 * input that may be anything. */
void dd_json_put_string(FILE *fp, const char *s);

#ifdef __cplusplus
}
#endif

#endif
