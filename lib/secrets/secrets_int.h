/* Private interface of the secret scanner: the rule table and the checks that decide whether a
 * match is a secret (placeholders, entropy, runs). */
#ifndef DD_SECRETS_INT_H
#define DD_SECRETS_INT_H

#include <drydock/secrets.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* rule flags */
enum {
    DD_SECRETS__GENERIC = 1 << 0,  /* keyword assignment: no key suffix, test paths allowed */
    DD_SECRETS__URL = 1 << 1,      /* the body is a URL's password, followed by "@" and a host */
    DD_SECRETS__RAWCTX = 1 << 2,   /* ctx is a regex used as written, not a keyword list */
    DD_SECRETS__ENTROPY = 1 << 3,  /* the body must pass the entropy gate */
    DD_SECRETS__USERPASS = 1 << 4, /* the body is base64 of "user:password" */
    DD_SECRETS__KEYBODY = 1 << 5,  /* key material: runs of one character are normal */
    DD_SECRETS__FANOUT = 1 << 6,   /* the prefix's lone classes are enumerated: see secrets.c */
};

/* One rule: [ctx] prefix body boundary. The secret is prefix + body; ctx is the text that must
 * come before it (a keyword list made into "KEY ... =" by the scanner, or a raw regex). */
typedef struct {
    const char *id; /* without the "DD-SECRET-" that the table macros add */
    const char *category;
    const char *title;
    dd_severity severity;
    const char *ctx;     /* NULL: none */
    const char *prefix;  /* regex, may be "" */
    const char *charset; /* contents of the body's character class ("^..." negates) */
    uint16_t min, max;   /* body length */
    uint16_t flags;
    const char *ex; /* literal text matching ctx + prefix for the example; NULL: unescaped prefix */
    /* Where the secret starts: the verify pass finds `anchor` (default: prefix) before the
     * match's end with every byte after it in `span` (default: charset), taking the leftmost
     * such anchor; span "*" admits any byte and takes the nearest anchor (key blocks). */
    const char *anchor;
    const char *span;
} dd_secrets__rule;

extern const dd_secrets__rule dd_secrets__rules[];
extern const size_t dd_secrets__n_rules;

/* A byte class as a 256-entry table, parsed from a rule's charset string (ranges "a-z",
 * escapes \s \xHH \\ \- \] and others taken literally, a leading "^" negating). DD_EINVALID on a
 * malformed string. */
int dd_secrets__charset_parse(bool out[256], const char *charset);

/* True when `s` looks like a placeholder or documentation example rather than a secret:
 * placeholder words (example, changeme, dummy, xxxx, <your-...>, ${VAR}, ...), or, unless
 * `key_body`, a run of 6 equal characters or 8 consecutive ones ("12345678", "abcdefgh"). */
bool dd_secrets__placeholder(const char *s, size_t len, bool key_body);

/* A run of 6 equal bytes or 8 consecutive ones ("000000", "12345678", "abcdefgh"). */
bool dd_secrets__has_runs(const char *s, size_t len);

/* Shannon entropy of the bytes, in bits per byte. */
double dd_secrets__entropy(const char *s, size_t len);

/* The entropy gate of keyword rules: long enough, mixed enough and random enough to be a
 * credential rather than a word, a path or a variable reference. */
bool dd_secrets__entropy_ok(const char *s, size_t len);

/* The stricter gate of generic assignments: the entropy gate, a letter and a digit, and not
 * a name from code (CONSTANT_NAME, Module::name, s:name). */
bool dd_secrets__generic_value_ok(const char *s, size_t len);

/* A URL password that is not a made-up one: 6 bytes or more, not only lowercase letters. */
bool dd_secrets__url_password_ok(const char *s, size_t len);

/* Writes the redacted form of `s` into `out` (at least len + 1 bytes): the first and last 2
 * characters of 16 or more, 1 of 8 to 15, none of shorter ones; the rest '*'. Stars past 64
 * are not written (the length then shows as "*...*"), so a long key stays one short line. */
void dd_secrets__redact(char *out, const char *s, size_t len);

/* Test hook: with `raw`, matches skip the allow rules (placeholders, entropy, paths). */
void dd_secrets__set_raw(dd_secrets *s, bool raw);

/* Test hook: forgets the findings kept from the content hook. */
void dd_secrets__clear_kept(dd_secrets *s);

/* The path allow rules: true when a finding of `rule` in the file `path` is dropped. */
bool dd_secrets__path_allowed(const dd_secrets__rule *rule, const char *path);

#endif
