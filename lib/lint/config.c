/* Lint settings: `.drydock.yaml` (read with libfyaml) plus what the command line adds. */
#include "lint/lint_int.h"

#include <errno.h>
#include <libfyaml.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG_MAX_BYTES (1u << 20)

int dd_lint_config_new(dd_lint_config **out)
{
    *out = dd_calloc(1, sizeof(**out));
    if (!*out)
        return dd_error_set(DD_ENOMEM, "out of memory");
    (*out)->failure_threshold = DD_SEV_WARNING;
    return DD_OK;
}

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dd_free(v[i]);
    dd_free(v);
}

void dd_lint_config_free(dd_lint_config *cfg)
{
    if (!cfg)
        return;
    dd_free(cfg->ignored);
    dd_free(cfg->overrides);
    free_strv(cfg->trusted_registries, cfg->n_trusted_registries);
    free_strv(cfg->required_labels, cfg->n_required_labels);
    free_strv(cfg->env, cfg->n_env);
    for (size_t i = 0; i < cfg->n_label_schema; i++)
        dd_free(cfg->label_schema[i].name);
    dd_free(cfg->label_schema);
    dd_free(cfg);
}

static int grow(void **v, size_t n, size_t elem)
{
    /* arrays grow one by one: configs hold a handful of entries */
    void *nv = dd_realloc(*v, (n + 1) * elem);

    if (!nv)
        return dd_error_set(DD_ENOMEM, "out of memory");
    *v = nv;
    return DD_OK;
}

static int push_str(char ***v, size_t *n, const char *s, size_t len)
{
    char *copy;

    for (size_t i = 0; i < *n; i++)
        if (strlen((*v)[i]) == len && memcmp((*v)[i], s, len) == 0)
            return DD_OK;
    if (grow((void **)v, *n, sizeof(char *)) != DD_OK)
        return DD_ENOMEM;
    copy = dd_strndup(s, len);
    if (!copy)
        return dd_error_set(DD_ENOMEM, "out of memory");
    (*v)[(*n)++] = copy;
    return DD_OK;
}

static int ignore_rule(dd_lint_config *cfg, const dd_lint_rule *rule)
{
    for (size_t i = 0; i < cfg->n_ignored; i++)
        if (cfg->ignored[i] == rule)
            return DD_OK;
    if (grow((void **)&cfg->ignored, cfg->n_ignored, sizeof(*cfg->ignored)) != DD_OK)
        return DD_ENOMEM;
    cfg->ignored[cfg->n_ignored++] = rule;
    return DD_OK;
}

int dd_lint_config_ignore(dd_lint_config *cfg, const char *rule_id)
{
    const dd_lint_rule *rule = dd_lint__rule_lookup(rule_id, strlen(rule_id));

    if (!rule)
        return dd_error_set(DD_ENOTFOUND, "no lint rule \"%s\" (see drydock lint --list-rules)",
                            rule_id);
    return ignore_rule(cfg, rule);
}

static int override_rule(dd_lint_config *cfg, const dd_lint_rule *rule, dd_lint_severity s)
{
    for (size_t i = 0; i < cfg->n_overrides; i++)
        if (cfg->overrides[i].rule == rule) {
            cfg->overrides[i].severity = s;
            return DD_OK;
        }
    if (grow((void **)&cfg->overrides, cfg->n_overrides, sizeof(*cfg->overrides)) != DD_OK)
        return DD_ENOMEM;
    cfg->overrides[cfg->n_overrides].rule = rule;
    cfg->overrides[cfg->n_overrides++].severity = s;
    return DD_OK;
}

int dd_lint_config_override(dd_lint_config *cfg, const char *rule_id, dd_lint_severity s)
{
    const dd_lint_rule *rule = dd_lint__rule_lookup(rule_id, strlen(rule_id));

    if (!rule)
        return dd_error_set(DD_ENOTFOUND, "no lint rule \"%s\"", rule_id);
    return override_rule(cfg, rule, s);
}

int dd_lint_config_trust_registry(dd_lint_config *cfg, const char *registry)
{
    return push_str(&cfg->trusted_registries, &cfg->n_trusted_registries, registry,
                    strlen(registry));
}

int dd_lint_config_require_label(dd_lint_config *cfg, const char *label)
{
    return push_str(&cfg->required_labels, &cfg->n_required_labels, label, strlen(label));
}

dd_lint_severity dd_lint_config_failure_threshold(const dd_lint_config *cfg)
{
    return cfg ? cfg->failure_threshold : DD_SEV_WARNING;
}

void dd_lint_config_set_failure_threshold(dd_lint_config *cfg, dd_lint_severity s)
{
    cfg->failure_threshold = s;
}

int dd_lint_config_set_env(dd_lint_config *cfg, const char *const *env, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (push_str(&cfg->env, &cfg->n_env, env[i], strlen(env[i])) != DD_OK)
            return DD_ENOMEM;
    return DD_OK;
}

/* --- .drydock.yaml --- */

static uint32_t node_line(struct fy_node *n)
{
    struct fy_token *t = n ? fy_node_get_scalar_token(n) : NULL;
    const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;

    return m ? (uint32_t)m->line + 1 : 0;
}

static bool key_is(const char *key, const char *a, const char *b)
{
    return strcmp(key, a) == 0 || (b && strcmp(key, b) == 0);
}

/* Calls `fn` for each scalar of a sequence (or for a lone scalar). */
static int each_scalar(const char *path, struct fy_node *n, const char *what,
                       int (*fn)(dd_lint_config *, const char *, size_t, const char *, uint32_t),
                       dd_lint_config *cfg)
{
    void *it = NULL;
    struct fy_node *item;
    size_t len;
    const char *s;
    int rc;

    if (fy_node_is_scalar(n)) {
        s = fy_node_get_scalar(n, &len);
        return fn(cfg, s, len, path, node_line(n));
    }
    if (!fy_node_is_sequence(n))
        return dd_error_set(DD_EINVALID, "%s:%u: %s must be a list", path, node_line(n), what);
    while ((item = fy_node_sequence_iterate(n, &it)) != NULL) {
        if (!fy_node_is_scalar(item))
            return dd_error_set(DD_EINVALID, "%s:%u: %s must hold strings", path,
                                node_line(item), what);
        s = fy_node_get_scalar(item, &len);
        if ((rc = fn(cfg, s, len, path, node_line(item))) != DD_OK)
            return rc;
    }
    return DD_OK;
}

static int add_ignored(dd_lint_config *cfg, const char *s, size_t len, const char *path,
                       uint32_t line)
{
    const dd_lint_rule *rule = dd_lint__rule_lookup(s, len);

    if (!rule)
        return dd_error_set(DD_EINVALID, "%s:%u: no lint rule \"%.*s\"", path, line, (int)len, s);
    return ignore_rule(cfg, rule);
}

static int add_registry(dd_lint_config *cfg, const char *s, size_t len, const char *path,
                        uint32_t line)
{
    return push_str(&cfg->trusted_registries, &cfg->n_trusted_registries, s, len);
}

static int add_label(dd_lint_config *cfg, const char *s, size_t len, const char *path,
                     uint32_t line)
{
    return push_str(&cfg->required_labels, &cfg->n_required_labels, s, len);
}

static dd_lint_severity pending_sev;

static int add_override(dd_lint_config *cfg, const char *s, size_t len, const char *path,
                        uint32_t line)
{
    const dd_lint_rule *rule = dd_lint__rule_lookup(s, len);

    if (!rule)
        return dd_error_set(DD_EINVALID, "%s:%u: no lint rule \"%.*s\"", path, line, (int)len, s);
    return override_rule(cfg, rule, pending_sev);
}

static int parse_sev(const char *path, struct fy_node *n, dd_lint_severity *out)
{
    const char *s = fy_node_is_scalar(n) ? fy_node_get_scalar0(n) : NULL;

    if (!s || dd_lint_severity_parse(s, out) != DD_OK)
        return dd_error_set(DD_EINVALID,
                            "%s:%u: severity must be error, warning, info, style or none", path,
                            node_line(n));
    return DD_OK;
}

/* override: {error: [ids], warning: [...]}  or  severity: {DD-X-001: error} */
static int load_overrides(dd_lint_config *cfg, const char *path, struct fy_node *n,
                          bool by_severity)
{
    void *it = NULL;
    struct fy_node_pair *p;
    int rc;

    if (!fy_node_is_mapping(n))
        return dd_error_set(DD_EINVALID, "%s:%u: override must be a mapping", path,
                            node_line(n));
    while ((p = fy_node_mapping_iterate(n, &it)) != NULL) {
        struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
        const char *ks = k && fy_node_is_scalar(k) ? fy_node_get_scalar0(k) : NULL;

        if (!ks || !v)
            return dd_error_set(DD_EINVALID, "%s:%u: bad override entry", path, node_line(k));
        if (by_severity) {
            if ((rc = parse_sev(path, k, &pending_sev)) != DD_OK)
                return rc;
            if ((rc = each_scalar(path, v, "override", add_override, cfg)) != DD_OK)
                return rc;
        } else {
            if ((rc = parse_sev(path, v, &pending_sev)) != DD_OK)
                return rc;
            if ((rc = add_override(cfg, ks, strlen(ks), path, node_line(k))) != DD_OK)
                return rc;
        }
    }
    return DD_OK;
}

static int parse_bool(const char *path, struct fy_node *n, bool *out)
{
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "on"};
    static const char *const no[] = {"false", "False", "FALSE", "no", "off"};
    const char *s = fy_node_is_scalar(n) ? fy_node_get_scalar0(n) : NULL;

    for (size_t i = 0; s && i < DD_ARRAY_SIZE(yes); i++)
        if (strcmp(s, yes[i]) == 0 || strcmp(s, no[i]) == 0) {
            *out = strcmp(s, yes[i]) == 0;
            return DD_OK;
        }
    return dd_error_set(DD_EINVALID, "%s:%u: expected true or false", path, node_line(n));
}

/* label-schema: {author: text, version: semver} as hadolint has it. Every label of the schema
 * is also required (hadolint DL3049). */
static int load_label_schema(dd_lint_config *cfg, const char *path, struct fy_node *n)
{
    void *it = NULL;
    struct fy_node_pair *p;
    int rc;

    if (!fy_node_is_mapping(n))
        return dd_error_set(DD_EINVALID, "%s:%u: label-schema must map labels to types", path,
                            node_line(n));
    while ((p = fy_node_mapping_iterate(n, &it)) != NULL) {
        struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
        const char *ks = k && fy_node_is_scalar(k) ? fy_node_get_scalar0(k) : NULL;
        const char *vs = v && fy_node_is_scalar(v) ? fy_node_get_scalar0(v) : NULL;
        dd_lint__label_type type;
        dd_lint__label_rule *lr = NULL;

        if (!ks || !*ks)
            return dd_error_set(DD_EINVALID, "%s:%u: label names must be strings", path,
                                node_line(k));
        if (!vs || !dd_lint__label_type_parse(vs, &type))
            return dd_error_set(DD_EINVALID,
                                "%s:%u: label %s: type must be text, url, rfc3339, spdx, hash, "
                                "semver or email",
                                path, node_line(v ? v : k), ks);
        for (size_t i = 0; i < cfg->n_label_schema; i++)
            if (strcmp(cfg->label_schema[i].name, ks) == 0)
                lr = &cfg->label_schema[i];
        if (!lr) {
            if (grow((void **)&cfg->label_schema, cfg->n_label_schema,
                     sizeof(*cfg->label_schema)) != DD_OK)
                return DD_ENOMEM;
            lr = &cfg->label_schema[cfg->n_label_schema];
            if (!(lr->name = dd_strdup(ks)))
                return dd_error_set(DD_ENOMEM, "out of memory");
            cfg->n_label_schema++;
        }
        lr->type = type;
        if ((rc = dd_lint_config_require_label(cfg, ks)) != DD_OK)
            return rc;
    }
    return DD_OK;
}

static void diag_discard(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
}

static int load_doc(dd_lint_config *cfg, const char *path, struct fy_document *doc)
{
    struct fy_node *root = fy_document_root(doc);
    struct fy_node_pair *p;
    void *it = NULL;
    int rc;

    if (!root)
        return DD_OK; /* an empty file is a valid, empty config */
    if (!fy_node_is_mapping(root))
        return dd_error_set(DD_EINVALID, "%s:1: the config must be a mapping", path);
    while ((p = fy_node_mapping_iterate(root, &it)) != NULL) {
        struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
        const char *key = k && fy_node_is_scalar(k) ? fy_node_get_scalar0(k) : NULL;

        if (!key)
            return dd_error_set(DD_EINVALID, "%s:%u: keys must be strings", path, node_line(k));
        if (!v)
            continue;
        if (key_is(key, "ignored", "ignore"))
            rc = each_scalar(path, v, key, add_ignored, cfg);
        else if (key_is(key, "override", "overrides"))
            rc = load_overrides(cfg, path, v, true);
        else if (key_is(key, "severity", "severities"))
            rc = load_overrides(cfg, path, v, false);
        else if (key_is(key, "trustedRegistries", "trusted_registries") ||
                 strcmp(key, "trusted-registries") == 0)
            rc = each_scalar(path, v, key, add_registry, cfg);
        else if (key_is(key, "required_labels", "requiredLabels") ||
                 strcmp(key, "required-labels") == 0)
            rc = each_scalar(path, v, key, add_label, cfg);
        else if (key_is(key, "label-schema", "label_schema") || strcmp(key, "labelSchema") == 0)
            rc = load_label_schema(cfg, path, v);
        else if (key_is(key, "strict-labels", "strict_labels") || strcmp(key, "strictLabels") == 0)
            rc = parse_bool(path, v, &cfg->strict_labels);
        else if (key_is(key, "failure-threshold", "failure_threshold") ||
                 strcmp(key, "failureThreshold") == 0)
            rc = parse_sev(path, v, &cfg->failure_threshold);
        else
            rc = dd_error_set(DD_EINVALID, "%s:%u: unknown key \"%s\"", path, node_line(k), key);
        if (rc != DD_OK)
            return rc;
    }
    return DD_OK;
}

int dd_lint_config_load(dd_lint_config *cfg, const char *path)
{
    struct fy_diag_cfg dcfg;
    struct fy_parse_cfg pcfg;
    struct fy_diag *diag = NULL;
    struct fy_document *doc = NULL;
    dd_buf data = DD_BUF_INIT;
    int rc;

    rc = dd_read_file(&data, path, CONFIG_MAX_BYTES);
    if (rc != DD_OK) {
        dd_error_prefix("%s", path);
        goto done;
    }
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = diag_discard;
    dcfg.colorize = false;
    diag = fy_diag_create(&dcfg);
    memset(&pcfg, 0, sizeof(pcfg));
    pcfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG;
    pcfg.diag = diag;
    if (!diag) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    doc = fy_document_build_from_string(&pcfg, data.data, data.len);
    if (!doc || fy_document_resolve(doc) != 0) {
        void *it = NULL;
        struct fy_diag_error *e = fy_diag_errors_iterate(diag, &it);

        rc = dd_error_set(DD_EINVALID, "%s:%d: %s", path, e ? e->line + 1 : 1,
                          e && e->msg ? e->msg : "invalid YAML");
        goto done;
    }
    rc = load_doc(cfg, path, doc);
done:
    fy_document_destroy(doc);
    if (diag)
        fy_diag_destroy(diag);
    dd_buf_dispose(&data);
    return rc;
}

static bool exists(const char *path, bool want_dir)
{
    struct stat st;

    return stat(path, &st) == 0 && (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
}

int dd_lint_config_discover(char **out, const char *start_dir)
{
    static const char *const names[] = {".drydock.yaml", ".drydock.yml"};
    dd_buf dir = DD_BUF_INIT, cand = DD_BUF_INIT;
    int rc = DD_OK;

    *out = NULL;
    if (dd_buf_puts(&dir, start_dir && *start_dir ? start_dir : ".") != DD_OK)
        goto nomem;
    for (int depth = 0; depth < 64; depth++) {
        for (size_t i = 0; i < DD_ARRAY_SIZE(names); i++) {
            dd_buf_clear(&cand);
            if (dd_buf_printf(&cand, "%s/%s", dir.data, names[i]) != DD_OK)
                goto nomem;
            if (exists(cand.data, false)) {
                *out = dd_buf_detach(&cand, NULL);
                goto done;
            }
        }
        dd_buf_clear(&cand);
        if (dd_buf_printf(&cand, "%s/.git", dir.data) != DD_OK)
            goto nomem;
        if (access(cand.data, F_OK) == 0 || strcmp(dir.data, "/") == 0)
            break;
        {
            /* climb with realpath so "." and relative starts reach the root */
            char *real = realpath(dir.data, NULL), *slash;

            if (!real)
                break;
            slash = strrchr(real, '/');
            if (slash == real)
                slash[1] = '\0';
            else if (slash)
                *slash = '\0';
            dd_buf_clear(&dir);
            rc = dd_buf_puts(&dir, real);
            free(real);
            if (rc != DD_OK)
                goto nomem;
        }
    }
    goto done;
nomem:
    rc = dd_error_set(DD_ENOMEM, "out of memory");
done:
    dd_buf_dispose(&dir);
    dd_buf_dispose(&cand);
    return rc;
}
