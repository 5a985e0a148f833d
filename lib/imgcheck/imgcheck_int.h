/* Private interface of the image checks: the finding list, account file parsing, helpers. */
#ifndef DD_IMGCHECK_INT_H
#define DD_IMGCHECK_INT_H

#include <drydock/imgcheck.h>

#include "util/util.h"

#include <stdbool.h>

/* ---- findings: collected, sorted, then handed over ---- */

typedef struct {
    dd_arena *arena; /* the strings of every finding */
    dd_issue *items;
    size_t n, alloc;
} dd_imgcheck__list;

int dd_imgcheck__list_init(dd_imgcheck__list *l);
void dd_imgcheck__list_dispose(dd_imgcheck__list *l);

/* Where a finding points; the rest of dd_issue comes from the rule. */
typedef struct {
    const char *path;     /* file in the image, or NULL */
    const char *location; /* config field, or NULL */
    int32_t layer, removed_in;
    uint32_t line;
    uint64_t bytes;
    dd_severity severity; /* DD_SEV_UNKNOWN: the rule's default */
} dd_imgcheck__where;

#define DD_IMGCHECK__WHERE_INIT                                                                    \
    {                                                                                              \
        NULL, NULL, -1, -1, 0, 0, DD_SEV_UNKNOWN                                                   \
    }

/* Adds a finding of rule `rule_id` (title, fix and default severity from the lint catalogue, or
 * the module's own table for DD-IMG-009 and DD-HYG-*); strings are copied. DD_OK or DD_ENOMEM. */
int dd_imgcheck__add(dd_imgcheck__list *l, dd_issue_class cls, const char *rule_id,
                     const dd_imgcheck__where *where, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Sorts by rule id, path, location, layer, line when `sort` is set, then hands every finding
 * to `fn`. */
int dd_imgcheck__emit(dd_imgcheck__list *l, bool sort, dd_issue_fn fn, void *payload);

/* The severity of a lint catalogue level: E -> HIGH, W -> MEDIUM, I and S -> LOW. */
dd_severity dd_imgcheck__severity(int lint_severity);

/* ---- /etc/passwd, /etc/group, /etc/shadow ---- */

typedef enum {
    DD_IMGCHECK__PASSWD = 0, /* name:password:uid:gid:gecos:home:shell */
    DD_IMGCHECK__GROUP,      /* name:password:gid:members */
    DD_IMGCHECK__SHADOW,     /* name:password:lastchange:... */
} dd_imgcheck__account_file;

typedef struct {
    const char *name;
    const char *password; /* the second field as written ("x", "*", "!", "" ...) */
    uint32_t id;          /* uid or gid; meaningful when has_id */
    bool has_id;
    uint32_t line; /* 1-based */
} dd_imgcheck__account;

/* Parses an account file leniently the way libc's getpwent does: one record per line, fields
 * split on ':', comment and blank lines and NIS "+"/"-" lines skipped; a line with fewer
 * fields than the format needs, or a NUL byte, is skipped; an id that is not a decimal number
 * below 2^32 leaves has_id false. Records and strings live in `a`. DD_OK or DD_ENOMEM. */
int dd_imgcheck__accounts_parse(dd_imgcheck__account **out, size_t *n, dd_arena *a,
                                const char *data, size_t len, dd_imgcheck__account_file kind);

/* ---- helpers shared by the checks ---- */

/* The base name of a normalised path. */
const char *dd_imgcheck__basename(const char *path);

/* True when the captured bytes hold a PEM private key block ("-----BEGIN ... PRIVATE KEY-----"). */
bool dd_imgcheck__has_private_key(const char *data, size_t len);

/* Writes `value` with every character but the first and the last replaced by '*' (at most 16
 * stars; all stars for values of 4 characters or fewer) into `a`. NULL on ENOMEM. */
char *dd_imgcheck__redact(dd_arena *a, const char *value, size_t len);

/* True when `s` holds a URL whose user information carries a password
 * ("https://user:pass@host"), the password not a "$VARIABLE" reference. */
bool dd_imgcheck__url_has_password(const char *s, size_t len);

/* File checks and sensitive files (files.c); configuration rules (config.c). */
int dd_imgcheck__files(dd_imgcheck__list *l, const dd_walk *w, dd_arena *scratch,
                       const dd_imgcheck__account *passwd, size_t n_passwd);
int dd_imgcheck__config(dd_imgcheck__list *l, const dd_image_config *cfg,
                        const dd_imgcheck__account *passwd, size_t n_passwd);

#endif
