/* Linting of Dockerfiles, compose files, .dockerignore files and build contexts against the
 * rule catalogue (docs/lint-rules.md). Parsers keep line and column for every node; rules turn
 * parsed documents into findings; the caller picks a report writer. */
#ifndef DRYDOCK_LINT_H
#define DRYDOCK_LINT_H

#include <drydock/common.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Ordered: a failure threshold of W means W and E fail. DD_SEV_OFF never reports. */
typedef enum {
    DD_SEV_OFF = 0,
    DD_SEV_STYLE,
    DD_SEV_INFO,
    DD_SEV_WARNING,
    DD_SEV_ERROR,
} dd_lint_severity;

/* "style", "info", "warning", "error", "off"; parse accepts those and their first letters. */
const char *dd_lint_severity_name(dd_lint_severity s);
int dd_lint_severity_parse(const char *s, dd_lint_severity *out);

typedef enum {
    DD_LINT_DOCKERFILE = 1,
    DD_LINT_COMPOSE,
    DD_LINT_DOCKERIGNORE,
    DD_LINT_CONTEXT, /* a build context directory, audited against its .dockerignore */
    DD_LINT_IMAGE,   /* checked on a built image (catalogued here, run by the image scanner) */
} dd_lint_kind;

/* One rule of the catalogue. */
typedef struct {
    const char *id;      /* "DD-BI-001": stable, used in pragmas and config */
    dd_lint_severity severity; /* default */
    dd_lint_kind kind;
    const char *title;   /* what it detects, one line */
    const char *fix;     /* the one-line fix hint */
    const char *hadolint; /* space-separated hadolint codes this rule covers ("DL3008"), or "" */
} dd_lint_rule;

/* The whole catalogue, sorted by id. */
const dd_lint_rule *dd_lint_rules(size_t *count);
const dd_lint_rule *dd_lint_rule_find(const char *id);
/* The rule covering hadolint code `code` ("DL3008"), or NULL: lets `# hadolint ignore=` work. */
const dd_lint_rule *dd_lint_rule_find_hadolint(const char *code);

/* One finding. Strings are owned by the dd_lint_result that holds it. */
typedef struct {
    const dd_lint_rule *rule;
    dd_lint_severity severity; /* after config overrides */
    const char *file;
    uint32_t line;   /* 1-based; 0 when the finding is about the whole file */
    uint32_t column; /* 1-based; 0 when unknown */
    const char *message;
} dd_lint_finding;

typedef struct dd_lint_result dd_lint_result;

int dd_lint_result_new(dd_lint_result **out);
void dd_lint_result_free(dd_lint_result *r);
size_t dd_lint_result_count(const dd_lint_result *r);
/* Findings sorted by file, line, column, rule id. */
const dd_lint_finding *dd_lint_result_get(const dd_lint_result *r, size_t index);
/* Number of files linted into `r` (each dd_lint_* call on one file counts once). */
size_t dd_lint_result_files(const dd_lint_result *r);
/* The most severe finding's severity, DD_SEV_OFF when there are none. */
dd_lint_severity dd_lint_result_max_severity(const dd_lint_result *r);

/* Settings from `.drydock.yaml` and the command line. */
typedef struct dd_lint_config dd_lint_config;

int dd_lint_config_new(dd_lint_config **out);
void dd_lint_config_free(dd_lint_config *cfg);
/* Reads a `.drydock.yaml` (ignored rules, severity overrides, trusted registries, required
 * labels, failure threshold). DD_EINVALID with "FILE:LINE:" on a bad file. */
int dd_lint_config_load(dd_lint_config *cfg, const char *path);
/* Ignores a rule id (or a hadolint code mapped through the catalogue). DD_ENOTFOUND for an id
 * that names no rule. */
int dd_lint_config_ignore(dd_lint_config *cfg, const char *rule_id);
/* Reports `rule_id` at severity `s` instead of its default (DD_SEV_OFF silences it). */
int dd_lint_config_override(dd_lint_config *cfg, const char *rule_id, dd_lint_severity s);
/* Adds a registry host ("docker.io", "ghcr.io") to the allow-list of DD-BI-004; the rule is
 * active only once the list is not empty. */
int dd_lint_config_trust_registry(dd_lint_config *cfg, const char *registry);
/* Adds a label every final stage must set (DD-BLD-031). */
int dd_lint_config_require_label(dd_lint_config *cfg, const char *label);
/* Failure threshold from the config file; DD_SEV_WARNING unless set. */
dd_lint_severity dd_lint_config_failure_threshold(const dd_lint_config *cfg);
void dd_lint_config_set_failure_threshold(dd_lint_config *cfg, dd_lint_severity s);
/* Finds the config file as documented in docs/lint.md: `.drydock.yaml` (or `.drydock.yml`) in
 * `start_dir`, else in its parents up to the first directory holding `.git` or the root. *out
 * is the path (dd_free) or NULL when none exists; returns DD_OK either way, DD_ENOMEM. */
int dd_lint_config_discover(char **out, const char *start_dir);
/* Variables for compose interpolation ("KEY=VALUE"), given by the program: the library never
 * reads the environment itself. The strings are copied. */
int dd_lint_config_set_env(dd_lint_config *cfg, const char *const *env, size_t n);

/* Each linter parses `data` (the contents of `path`, which is only used in findings and
 * messages) and appends findings to `r`. An unusable file (does not parse, binary, over a
 * limit) returns DD_EINVALID or DD_ELIMIT with "FILE:LINE: message" and adds nothing else. */
int dd_lint_dockerfile(dd_lint_result *r, const char *path, const char *data, size_t len,
                       const dd_lint_config *cfg);

/* Facts about the build context that Dockerfile rules need but the file cannot tell. */
typedef struct {
    int has_dockerignore; /* -1 unknown (no finding), 0 absent, 1 present (DD-IGN-001) */
} dd_lint_dockerfile_opts;

#define DD_LINT_DOCKERFILE_OPTS_INIT {.has_dockerignore = -1}

/* dd_lint_dockerfile with context facts; `opts` may be NULL. */
int dd_lint_dockerfile_ext(dd_lint_result *r, const char *path, const char *data, size_t len,
                           const dd_lint_config *cfg, const dd_lint_dockerfile_opts *opts);

/* --- compose, .dockerignore and build contexts --- */

/* Lints a compose file. Interpolation (${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}, ${VAR?e},
 * ${VAR:+x}, $$) takes the config's variables first, then a `.env` file beside `path`; an
 * unset variable becomes "". `extends:` with `file:` reads that file relative to `path`.
 * DD_EINVALID on YAML that does not parse, a binary file or a document that is not a mapping;
 * DD_ELIMIT on a line over 1 MiB, nesting over 64 levels or aliases expanding past 1M nodes
 * (the "billion laughs"). Messages read "FILE:LINE: message". */
int dd_lint_compose(dd_lint_result *r, const char *path, const char *data, size_t len,
                    const dd_lint_config *cfg);

/* Lints a .dockerignore (DD-IGN-002..005). DD_EINVALID on a binary file or a bad pattern. */
int dd_lint_dockerignore(dd_lint_result *r, const char *path, const char *data, size_t len,
                         const dd_lint_config *cfg);

/* Audits a build context directory: walks it, applies its .dockerignore and reports each file
 * the builder would receive although it looks sensitive (.env, private keys, .git, cloud and
 * registry credentials, .npmrc/.pypirc with tokens), naming the file. DD_ENOTFOUND when `dir`
 * is not a directory, DD_ELIMIT past 1M entries or depth 256, DD_EIO on a read error. */
int dd_lint_context(dd_lint_result *r, const char *dir, const dd_lint_config *cfg);

/* .dockerignore matching with the builder's semantics (moby patternmatcher + BuildKit): each
 * pattern is cleaned like Go's filepath.Clean, a leading "/" is dropped, `*` `?` `[...]` match
 * within one path component, `**` any number of components, `!` re-includes, the last
 * matching pattern wins, and a pattern matching a directory matches everything under it. */
typedef struct dd_ignore dd_ignore;

/* Parses the contents of a .dockerignore (`#` comment lines, blank lines, CRLF). `path` is used
 * in messages only. DD_EINVALID ("FILE:LINE: message") on a malformed bracket expression or a
 * NUL byte, DD_ELIMIT past 100,000 patterns or a 64 KiB line. */
int dd_ignore_load(dd_ignore **out, const char *path, const char *data, size_t len);
void dd_ignore_free(dd_ignore *ig);

/* True when `rel` (a "/"-separated path relative to the context root, no leading "/") is
 * excluded from the build context, i.e. the builder does NOT send it. */
int dd_ignore_excluded(const dd_ignore *ig, const char *rel);

/* Like dd_ignore_excluded, but also reports the 1-based line of the deciding pattern in *line
 * (0 when no pattern matched). */
int dd_ignore_match(const dd_ignore *ig, const char *rel, uint32_t *line);

/* True when some `!` exception could re-include a path below the excluded directory `rel`, so
 * a walker must still descend into it (as the builder does). */
int dd_ignore_may_reinclude(const dd_ignore *ig, const char *rel);

size_t dd_ignore_count(const dd_ignore *ig);
/* The cleaned pattern text (without the "!"), whether it is an exception, and its line. */
const char *dd_ignore_pattern(const dd_ignore *ig, size_t i, int *exception, uint32_t *line);

/* Lists the files (and symlinks) of the build context `dir` that the builder sends, after its
 * .dockerignore (when `ig` is NULL, `dir`/.dockerignore is loaded if present). Calls `cb` with
 * each path relative to `dir` in sorted order, directories (is_dir 1) before their contents; a
 * non-zero return from `cb` stops the walk and is returned. DD_ENOTFOUND, DD_EIO, DD_ELIMIT as
 * dd_lint_context. */
typedef int (*dd_ignore_walk_cb)(const char *rel, int is_dir, void *payload);
int dd_ignore_walk(const char *dir, const dd_ignore *ig, dd_ignore_walk_cb cb, void *payload);

/* --- discovery --- */

/* The kind of file `path` names, by its base name; 0 when it is none of them. */
dd_lint_kind dd_lint_kind_of(const char *path);

/* Lints a file (kind from its name) or a directory (Dockerfile, *.Dockerfile, Dockerfile.*,
 * Containerfile, compose.y*ml, docker-compose*.y*ml, .dockerignore and the build context). */
int dd_lint_path(dd_lint_result *r, const char *path, const dd_lint_config *cfg);

#ifdef __cplusplus
}
#endif

#endif
