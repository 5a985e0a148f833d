/* What the lint parsers and rule files share inside lib/lint/. */
#ifndef DD_LINT_INT_H
#define DD_LINT_INT_H

#include <drydock/lint.h>

#include "util/util.h"

/* Adds a finding of `rule_id` unless the config ignores the rule or an inline pragma for that
 * line does; the severity comes from the config's overrides or the rule's default. The
 * message is formatted; `file` and the message are copied. */
int dd_lint__report(dd_lint_result *r, const dd_lint_config *cfg, const char *rule_id,
                    const char *file, uint32_t line, uint32_t column, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* One severity override of the config. */
typedef struct {
    const dd_lint_rule *rule;
    dd_lint_severity severity;
} dd_lint__override;

/* The value types of a label schema (hadolint's `label-schema`, DD-BLD-031). */
typedef enum {
    DD_LINT__LABEL_TEXT = 0, /* any non-empty text */
    DD_LINT__LABEL_URL,
    DD_LINT__LABEL_RFC3339,
    DD_LINT__LABEL_SPDX,
    DD_LINT__LABEL_HASH, /* a git commit hash */
    DD_LINT__LABEL_SEMVER,
    DD_LINT__LABEL_EMAIL,
} dd_lint__label_type;

typedef struct {
    char *name;
    dd_lint__label_type type;
} dd_lint__label_rule;

/* The type named `name` ("url", "rfc3339", ...); false when it names none. */
bool dd_lint__label_type_parse(const char *name, dd_lint__label_type *out);
/* True when `value` (non-empty) is valid for `type`. */
bool dd_lint__label_value_valid(dd_lint__label_type type, const char *value);
/* True when `key` follows Docker's label key guidelines; otherwise *why says what is wrong. */
bool dd_lint__label_key_valid(const char *key, const char **why);

/* The config, visible to every linter of the module (read-only there). Strings and arrays are
 * heap-owned by the config. */
struct dd_lint_config {
    const dd_lint_rule **ignored;
    size_t n_ignored;
    dd_lint__override *overrides;
    size_t n_overrides;
    char **trusted_registries;
    size_t n_trusted_registries;
    char **required_labels;
    size_t n_required_labels;
    dd_lint__label_rule *label_schema; /* non-empty: DD-BLD-031 checks label keys and values */
    size_t n_label_schema;
    bool strict_labels; /* labels outside the schema are reported */
    char **env; /* "KEY=VALUE", for compose interpolation */
    size_t n_env;
    dd_lint_severity failure_threshold;
};

/* dd_lint__report with the finding's own default severity (config overrides still win):
 * for a rule whose findings differ in weight, as DD-BLD-031's. */
int dd_lint__report_sev(dd_lint_result *r, const dd_lint_config *cfg, const char *rule_id,
                        dd_lint_severity sev, const char *file, uint32_t line, uint32_t column,
                        const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/* An inline pragma: `rule` is ignored at `line` of the current file (0 = the whole file). */
typedef struct {
    const dd_lint_rule *rule;
    uint32_t line;
} dd_lint__suppression;

/* Installs the pragmas of `file` for the following dd_lint__report calls until it is called
 * again (NULL, 0 clears them). The array is borrowed and must outlive those calls. */
void dd_lint__set_suppressions(dd_lint_result *r, const char *file,
                               const dd_lint__suppression *s, size_t n);

/* Counts one more linted file (for dd_lint_result_files). */
void dd_lint__count_file(dd_lint_result *r);

/* The catalogue entry whose hadolint column names `code`, or whose id is `id_or_code`. */
const dd_lint_rule *dd_lint__rule_lookup(const char *id_or_code, size_t len);

/* dd_lint_context; `dockerfiles_linted` tells that the caller lints the Dockerfiles at the top
 * of `dir` itself, so their contents need no second look for private keys. */
int dd_lint__context(dd_lint_result *r, const char *dir, const dd_lint_config *cfg,
                     bool dockerfiles_linted);

/* Case-insensitive base-name tests used by discovery and the Dockerfile rules. */
bool dd_lint__name_is_dockerfile(const char *base);

#endif
