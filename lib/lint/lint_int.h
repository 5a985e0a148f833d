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
    char **env; /* "KEY=VALUE", for compose interpolation */
    size_t n_env;
    dd_lint_severity failure_threshold;
};

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

/* Case-insensitive base-name tests used by discovery and the Dockerfile rules. */
bool dd_lint__name_is_dockerfile(const char *base);

#endif
