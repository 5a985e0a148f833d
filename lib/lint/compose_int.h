/* The compose document model shared by the compose parser (compose.c) and its rules
 * (rules_compose.c): a YAML tree with lines, aliases shared, merge keys and interpolation done. */
#ifndef DD_LINT_COMPOSE_INT_H
#define DD_LINT_COMPOSE_INT_H

#include "lint/lint_int.h"

#include <stdbool.h>
#include <stdint.h>

/* Bomb defences, see docs/internals/lint-compose.md. */
#define DD_COMPOSE_MAX_LINE    (1u << 20)   /* bytes of one line */
#define DD_COMPOSE_MAX_BYTES   (16u << 20)  /* bytes of one file */
#define DD_COMPOSE_MAX_DEPTH   64           /* nesting of mappings and sequences */
#define DD_COMPOSE_MAX_NODES   1000000      /* nodes once every alias is expanded */
#define DD_COMPOSE_MAX_EXTENDS 8            /* chain of `extends:` */
#define DD_COMPOSE_MAX_FILES   32           /* files read through `extends: file:` */

/* Node lines carry the file they come from in their top bits: (file index << 26) | line, the
 * compose file itself being index 0 (see dd_compose__where). */
#define DD_COMPOSE_LINE_BITS 26

typedef enum {
    DD_YNULL = 0,
    DD_YSCALAR,
    DD_YMAP,
    DD_YSEQ,
} dd_ynode_type;

typedef struct dd_ynode dd_ynode;

typedef struct {
    const dd_ynode *key;
    const dd_ynode *value;
} dd_ypair;

/* A node lives in the document's arena. An alias is the very node its anchor names, so a
 * node may have several parents; `weight` counts the nodes of its full expansion. */
struct dd_ynode {
    dd_ynode_type type;
    uint32_t line; /* 1-based, file index in the top bits (DD_COMPOSE_LINE_BITS) */
    uint32_t column;
    const char *str; /* scalar after interpolation; "" for others */
    size_t len;
    const char *raw; /* scalar as written (before interpolation) */
    bool plain;      /* plain (unquoted) scalar: `null`, `~`, `true` are YAML values */
    dd_ypair *pairs; /* DD_YMAP */
    const dd_ynode **items; /* DD_YSEQ */
    size_t n;
    uint64_t weight;
};

typedef struct {
    const char *name;
    const dd_ynode *key;  /* the service's key under `services:` (its line) */
    const dd_ynode *def;  /* its mapping after `extends` (DD_YMAP, possibly empty) */
} dd_compose_service;

typedef struct {
    dd_arena *arena;
    const char *path;
    const dd_ynode *root;
    dd_compose_service *services;
    size_t n_services;
    const dd_ynode *networks; /* top-level sections, NULL when absent */
    const dd_ynode *volumes;
    const dd_ynode *secrets;
    const dd_ynode *configs;
    const char *files[DD_COMPOSE_MAX_FILES + 1]; /* [0] = path, then `extends` files */
    size_t n_files;
} dd_compose;

/* The file and plain line of a node line. */
const char *dd_compose__where(const dd_compose *c, uint32_t line, uint32_t *plain);

/* Parses and interpolates `data`; resolves `extends`. Errors as dd_lint_compose. */
int dd_compose__parse(dd_compose **out, const char *path, const char *data, size_t len,
                      const dd_lint_config *cfg);
void dd_compose__free(dd_compose *c);

/* Runs every compose rule over a parsed document. */
int dd_compose__rules(dd_lint_result *r, const dd_compose *c, const dd_lint_config *cfg);

/* Tree helpers: all accept NULL. */
const dd_ypair *dd_ynode_pair(const dd_ynode *map, const char *key);
const dd_ynode *dd_ynode_get(const dd_ynode *map, const char *key);
bool dd_ynode_is_null(const dd_ynode *n);
bool dd_ynode_is_true(const dd_ynode *n);
bool dd_ynode_str_eq(const dd_ynode *n, const char *s);
bool dd_ynode_str_ieq(const dd_ynode *n, const char *s);

/* One `ports:` entry, short ("[IP:]HOST[-HOST]:CONT[-CONT][/proto]") or long syntax. */
typedef struct {
    char host_ip[64];   /* "" when none */
    uint32_t host_lo, host_hi; /* 0 when no host port (ephemeral or none published) */
    uint32_t cont_lo, cont_hi;
    bool published;     /* a host side exists (even ephemeral "IP::port") */
    char proto[8];
    uint32_t line;
} dd_compose_port;

/* false when the entry cannot be read as a port. */
bool dd_compose__port_parse(const dd_ynode *entry, dd_compose_port *out);

/* One `volumes:` entry of a service, short ("SRC:DST[:MODE]") or long syntax. */
typedef struct {
    char type[8];         /* "bind", "volume", "tmpfs", ... */
    const char *source;   /* arena string, "" when none */
    const char *target;
    const char *mode;     /* short syntax options ("ro,rshared"), "" when none */
    const char *propagation; /* long syntax bind.propagation, "" when none */
    bool read_only;
    uint32_t line;        /* the entry */
    uint32_t source_line; /* the `source:` key in long syntax, else the entry */
    uint32_t propagation_line;
} dd_compose_volume;

bool dd_compose__volume_parse(const dd_compose *c, const dd_ynode *entry, dd_compose_volume *out);

#endif
