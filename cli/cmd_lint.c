/* drydock lint: Dockerfiles, compose files, .dockerignore files and build contexts against the
 * rule catalogue, in tty, json, sarif, checkstyle, junit or gitlab format. */
#include "cli.h"

#include <drydock/json.h>
#include <drydock/lint.h>

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

typedef struct {
    const char *format;
    const char *output;
    const char *config;
    const char *ignore;    /* last value; all values are collected by collect_repeated */
    const char *registry;  /* idem */
    const char *threshold;
    bool list_rules;
    bool no_config;
} lint_flags;

static int dump_callback(const char *buffer, size_t size, void *data)
{
    return fwrite(buffer, 1, size, data) == size ? 0 : -1;
}

static bool write_json(FILE *fp, json_t *doc)
{
    bool ok = doc && json_dump_callback(doc, dump_callback, fp,
                                        JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0;

    if (ok)
        fputc('\n', fp);
    json_decref(doc);
    return ok;
}

static const char *sarif_level(dd_lint_severity s)
{
    return s == DD_SEV_ERROR ? "error" : s == DD_SEV_WARNING ? "warning" : "note";
}

static const char *gitlab_severity(dd_lint_severity s)
{
    switch (s) {
    case DD_SEV_ERROR:
        return "critical";
    case DD_SEV_WARNING:
        return "major";
    case DD_SEV_INFO:
        return "minor";
    default:
        return "info";
    }
}

/* The JSON report, written one finding at a time in the layout json_dump gives with
 * JSON_INDENT(2): building a jansson tree of every finding first cost more than linting. */
static bool print_json(FILE *fp, const dd_lint_result *r)
{
    size_t counts[DD_SEV_ERROR + 1] = {0};
    size_t n = dd_lint_result_count(r);

    fprintf(fp, "{\n  \"schema\": \"drydock.lint/1\",\n  \"files\": %zu,\n  \"findings\": %s",
            dd_lint_result_files(r), n ? "[\n" : "[]");
    for (size_t i = 0; i < n; i++) {
        const dd_lint_finding *f = dd_lint_result_get(r, i);

        counts[f->severity]++;
        fprintf(fp, "    {\n      \"rule\": \"%s\",\n      \"severity\": \"%s\",\n      \"file\": ",
                f->rule->id, dd_lint_severity_name(f->severity));
        dd_json_put_string(fp, f->file);
        fprintf(fp, ",\n      \"line\": %u,\n      \"column\": %u,\n      \"message\": ", f->line,
                f->column);
        dd_json_put_string(fp, f->message);
        fputs(",\n      \"title\": ", fp);
        dd_json_put_string(fp, f->rule->title);
        fputs(",\n      \"fix\": ", fp);
        dd_json_put_string(fp, f->rule->fix);
        fputs(i + 1 < n ? "\n    },\n" : "\n    }\n  ]", fp);
    }
    fputs(",\n  \"summary\": {\n", fp);
    for (int s = DD_SEV_ERROR; s >= DD_SEV_STYLE; s--)
        fprintf(fp, "    \"%s\": %zu%s\n", dd_lint_severity_name(s), counts[s],
                s > DD_SEV_STYLE ? "," : "");
    fputs("  }\n}\n", fp);
    return !ferror(fp);
}

static json_t *sarif_report(const dd_lint_result *r)
{
    json_t *root = json_object(), *run = json_object(), *tool = json_object(),
           *driver = json_object(), *rules = json_array(), *results = json_array(),
           *index = json_object();
    size_t nrules;
    const dd_lint_rule *all = dd_lint_rules(&nrules);

    /* only the rules that fired, so the log stays small; ruleIndex points into this list */
    for (size_t i = 0; i < dd_lint_result_count(r); i++) {
        const dd_lint_rule *rule = dd_lint_result_get(r, i)->rule;

        if (!json_object_get(index, rule->id)) {
            json_t *o = json_object(), *cfg = json_object();

            json_object_set_new(index, rule->id, json_integer((json_int_t)json_array_size(rules)));
            json_object_set_new(o, "id", json_string(rule->id));
            json_object_set_new(o, "shortDescription", json_pack("{s:s}", "text", rule->title));
            json_object_set_new(o, "help", json_pack("{s:s}", "text", rule->fix));
            json_object_set_new(o, "helpUri",
                                json_sprintf("https://github.com/drydock/drydock/blob/main/docs/"
                                             "lint-rules.md#%s",
                                             rule->id));
            json_object_set_new(cfg, "level", json_string(rule->severity == DD_SEV_OFF
                                                              ? "none"
                                                              : sarif_level(rule->severity)));
            json_object_set_new(o, "defaultConfiguration", cfg);
            json_array_append_new(rules, o);
        }
    }
    (void)all;
    for (size_t i = 0; i < dd_lint_result_count(r); i++) {
        const dd_lint_finding *f = dd_lint_result_get(r, i);
        json_t *res = json_object(), *loc = json_object(), *phys = json_object();

        json_object_set_new(res, "ruleId", json_string(f->rule->id));
        json_object_set(res, "ruleIndex", json_object_get(index, f->rule->id));
        json_object_set_new(res, "level", json_string(sarif_level(f->severity)));
        json_object_set_new(res, "message",
                            json_pack("{s:s}", "text", f->message));
        json_object_set_new(phys, "artifactLocation", json_pack("{s:s}", "uri", f->file));
        if (f->line > 0) {
            json_t *region = json_object();

            json_object_set_new(region, "startLine", json_integer(f->line));
            if (f->column > 0)
                json_object_set_new(region, "startColumn", json_integer(f->column));
            json_object_set_new(phys, "region", region);
        }
        json_object_set_new(loc, "physicalLocation", phys);
        json_object_set_new(res, "locations", json_pack("[o]", loc));
        json_array_append_new(results, res);
    }
    json_decref(index);
    json_object_set_new(driver, "name", json_string("drydock"));
    json_object_set_new(driver, "version", json_string(dd_version()));
    json_object_set_new(driver, "informationUri",
                        json_string("https://github.com/drydock/drydock"));
    json_object_set_new(driver, "rules", rules);
    json_object_set_new(tool, "driver", driver);
    json_object_set_new(run, "tool", tool);
    json_object_set_new(run, "results", results);
    json_object_set_new(root, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"));
    json_object_set_new(root, "version", json_string("2.1.0"));
    json_object_set_new(root, "runs", json_pack("[o]", run));
    return root;
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static json_t *gitlab_report(const dd_lint_result *r)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < dd_lint_result_count(r); i++) {
        const dd_lint_finding *f = dd_lint_result_get(r, i);
        char fp[40], line[16];
        uint64_t h = 1469598103934665603ull;

        snprintf(line, sizeof(line), "%u", f->line);
        h = fnv1a(fnv1a(fnv1a(fnv1a(h, f->rule->id), f->file), line), f->message);
        snprintf(fp, sizeof(fp), "%016llx%016llx", (unsigned long long)h,
                 (unsigned long long)fnv1a(h, f->rule->id));
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:{s:i}}}", "type", "issue",
                           "description", f->message, "check_name", f->rule->id, "fingerprint",
                           fp, "severity", gitlab_severity(f->severity), "location", "path",
                           f->file, "lines", "begin", f->line ? (int)f->line : 1));
    }
    return arr;
}

static void xml_escape(FILE *fp, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", fp);
            break;
        case '>':
            fputs("&gt;", fp);
            break;
        case '&':
            fputs("&amp;", fp);
            break;
        case '"':
            fputs("&quot;", fp);
            break;
        case '\'':
            fputs("&apos;", fp);
            break;
        default:
            if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
                fputc(' ', fp);
            else
                fputc(*s, fp);
        }
    }
}

static void print_checkstyle(FILE *fp, const dd_lint_result *r)
{
    const char *cur = NULL;

    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n", fp);
    for (size_t i = 0; i < dd_lint_result_count(r); i++) {
        const dd_lint_finding *f = dd_lint_result_get(r, i);

        if (!cur || strcmp(cur, f->file) != 0) {
            if (cur)
                fputs("  </file>\n", fp);
            fputs("  <file name=\"", fp);
            xml_escape(fp, f->file);
            fputs("\">\n", fp);
            cur = f->file;
        }
        fprintf(fp, "    <error line=\"%u\" column=\"%u\" severity=\"%s\" message=\"", f->line,
                f->column, f->severity == DD_SEV_STYLE ? "info" : dd_lint_severity_name(f->severity));
        xml_escape(fp, f->message);
        fprintf(fp, "\" source=\"%s\"/>\n", f->rule->id);
    }
    if (cur)
        fputs("  </file>\n", fp);
    fputs("</checkstyle>\n", fp);
}

static void print_junit(FILE *fp, const dd_lint_result *r)
{
    size_t n = dd_lint_result_count(r);

    fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
                "  <testsuite name=\"drydock lint\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
            n ? n : 1, n);
    if (!n)
        fputs("    <testcase classname=\"drydock lint\" name=\"no findings\"/>\n", fp);
    for (size_t i = 0; i < n; i++) {
        const dd_lint_finding *f = dd_lint_result_get(r, i);

        fputs("    <testcase classname=\"", fp);
        xml_escape(fp, f->file);
        fprintf(fp, "\" name=\"%s %u:%u\">\n      <failure type=\"%s\" message=\"", f->rule->id,
                f->line, f->column, dd_lint_severity_name(f->severity));
        xml_escape(fp, f->message);
        fputs("\">", fp);
        xml_escape(fp, f->file);
        fprintf(fp, ":%u %s %s: ", f->line, f->rule->id, dd_lint_severity_name(f->severity));
        xml_escape(fp, f->message);
        fputs(" (fix: ", fp);
        xml_escape(fp, f->rule->fix);
        fputs(")</failure>\n    </testcase>\n", fp);
    }
    fputs("  </testsuite>\n</testsuites>\n", fp);
}

static void print_tty(FILE *fp, const dd_lint_result *r, bool color)
{
    static const char *const colors[] = {"", "\033[2m", "\033[36m", "\033[33m", "\033[31m"};
    size_t counts[DD_SEV_ERROR + 1] = {0};
    size_t n = dd_lint_result_count(r);

    for (size_t i = 0; i < n; i++) {
        const dd_lint_finding *f = dd_lint_result_get(r, i);

        counts[f->severity]++;
        fprintf(fp, "%s:%u", f->file, f->line);
        if (f->column)
            fprintf(fp, ":%u", f->column);
        fprintf(fp, " %s %s%s%s: %s\n    fix: %s\n", f->rule->id, color ? colors[f->severity] : "",
                dd_lint_severity_name(f->severity), color ? "\033[0m" : "", f->message,
                f->rule->fix);
    }
    fprintf(fp, "%zu finding%s (%zu error, %zu warning, %zu info, %zu style) in %zu file%s\n", n,
            n == 1 ? "" : "s", counts[DD_SEV_ERROR], counts[DD_SEV_WARNING], counts[DD_SEV_INFO],
            counts[DD_SEV_STYLE], dd_lint_result_files(r), dd_lint_result_files(r) == 1 ? "" : "s");
}

static void print_rules(FILE *fp, bool json)
{
    size_t n;
    const dd_lint_rule *rules = dd_lint_rules(&n);
    static const char *const kinds[] = {"", "dockerfile", "compose", "dockerignore", "context",
                                        "image"};

    if (json) {
        json_t *arr = json_array();

        for (size_t i = 0; i < n; i++)
            json_array_append_new(
                arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", rules[i].id, "severity",
                               dd_lint_severity_name(rules[i].severity), "kind",
                               kinds[rules[i].kind], "title", rules[i].title, "fix", rules[i].fix,
                               "hadolint", rules[i].hadolint));
        write_json(fp, arr);
        return;
    }
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "%-11s %-7s %-12s %s\n", rules[i].id, dd_lint_severity_name(rules[i].severity),
                kinds[rules[i].kind], rules[i].title);
}

/* --ignore and --trusted-registry may repeat; the option table keeps only the last value, so
 * every occurrence is collected here first (values may also be comma lists). */
static int collect_repeated(int argc, char **argv, const char *name,
                            int (*fn)(dd_lint_config *, const char *), dd_lint_config *cfg)
{
    size_t nl = strlen(name);

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;

        if (strcmp(a, "--") == 0)
            break;
        if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, nl) != 0)
            continue;
        if (a[2 + nl] == '=')
            v = a + 3 + nl;
        else if (a[2 + nl] == '\0' && i + 1 < argc)
            v = argv[++i];
        if (!v)
            continue;
        while (*v) {
            const char *e = strchr(v, ',');
            size_t len = e ? (size_t)(e - v) : strlen(v);
            char item[128];

            if (len && len < sizeof(item)) {
                memcpy(item, v, len);
                item[len] = '\0';
                if (fn(cfg, item) != DD_OK)
                    return dd_cli_fail();
            }
            if (!e)
                break;
            v = e + 1;
        }
    }
    return 0;
}

int dd_cmd_lint(const dd_command *cmd, int argc, char **argv)
{
    lint_flags f = {.format = "tty"};
    const dd_opt opts[] = {
        {'f', "format", DD_OPT_CHOICE, &f.format, NULL, "tty|json|sarif|checkstyle|junit|gitlab",
         "output format"},
        {'o', "output", DD_OPT_STRING, &f.output, "FILE", NULL, "write to FILE instead of stdout"},
        {0, "config", DD_OPT_STRING, &f.config, "FILE", NULL,
         "read settings from FILE instead of the nearest .drydock.yaml"},
        {0, "no-config", DD_OPT_FLAG, &f.no_config, NULL, NULL, "do not look for .drydock.yaml"},
        {0, "ignore", DD_OPT_STRING, &f.ignore, "RULE", NULL,
         "ignore a rule (DD-... or a hadolint DLxxxx); repeatable, or a comma list"},
        {0, "trusted-registry", DD_OPT_STRING, &f.registry, "REGISTRY", NULL,
         "allow FROM only from these registries (DD-BI-004); repeatable"},
        {0, "failure-threshold", DD_OPT_CHOICE, &f.threshold, NULL,
         "error|warning|info|style|none", "exit 1 when a finding is at least this severe"},
        {0, "list-rules", DD_OPT_FLAG, &f.list_rules, NULL, NULL,
         "print the rule catalogue and exit"},
        {0},
    };
    dd_lint_config *cfg = NULL;
    dd_lint_result *r = NULL;
    dd_cli_out out = {0};
    char *cfg_path = NULL;
    bool help, ok = true, unusable = false;
    int npos, rc;
    size_t nenv = 0;
    dd_lint_severity threshold;

    char **orig = malloc(((size_t)argc + 1) * sizeof(char *));

    if (!orig) {
        dd_cli_error("out of memory");
        return DD_EXIT_USAGE;
    }
    /* dd_opt_parse reorders argv; the repeated options are read from this copy later */
    memcpy(orig, argv, (size_t)argc * sizeof(char *));
    orig[argc] = NULL;
    if ((rc = dd_opt_parse(cmd, opts, argc, argv, &npos, &help)) != 0 || help) {
        free(orig);
        return rc;
    }
    if (f.list_rules) {
        if ((rc = dd_cli_out_open(&out, f.output)) != 0) {
            free(orig);
            return rc;
        }
        print_rules(out.fp, strcmp(f.format, "json") == 0);
        free(orig);
        return dd_cli_out_close(&out, true);
    }
    if (npos < 1) {
        dd_cli_error("lint: expected at least one PATH (see drydock lint --help)");
        free(orig);
        return DD_EXIT_USAGE;
    }
    if (dd_lint_config_new(&cfg) != DD_OK || dd_lint_result_new(&r) != DD_OK) {
        rc = dd_cli_fail();
        goto done;
    }
    if (f.config) {
        if (dd_lint_config_load(cfg, f.config) != DD_OK) {
            rc = dd_cli_fail();
            goto done;
        }
    } else if (!f.no_config) {
        if (dd_lint_config_discover(&cfg_path, ".") != DD_OK) {
            rc = dd_cli_fail();
            goto done;
        }
        if (cfg_path && dd_lint_config_load(cfg, cfg_path) != DD_OK) {
            rc = dd_cli_fail();
            goto done;
        }
    }
    if ((rc = collect_repeated(argc, orig, "ignore", dd_lint_config_ignore, cfg)) !=
            0 ||
        (rc = collect_repeated(argc, orig, "trusted-registry", dd_lint_config_trust_registry,
                               cfg)) != 0)
        goto done;
    while (environ && environ[nenv])
        nenv++;
    if (dd_lint_config_set_env(cfg, (const char *const *)environ, nenv) != DD_OK) {
        rc = dd_cli_fail();
        goto done;
    }
    if (f.threshold) {
        dd_lint_severity s = DD_SEV_OFF;

        if (strcmp(f.threshold, "none") != 0)
            dd_lint_severity_parse(f.threshold, &s);
        dd_lint_config_set_failure_threshold(cfg, s);
    }
    threshold = dd_lint_config_failure_threshold(cfg);
    for (int i = 0; i < npos; i++) {
        int lrc = dd_lint_path(r, argv[i], cfg);

        if (lrc == DD_ENOMEM) {
            rc = dd_cli_fail();
            goto done;
        }
        if (lrc != DD_OK) {
            dd_cli_fail();
            unusable = true;
        }
    }
    if ((rc = dd_cli_out_open(&out, f.output)) != 0)
        goto done;
    if (strcmp(f.format, "json") == 0)
        ok = print_json(out.fp, r);
    else if (strcmp(f.format, "sarif") == 0)
        ok = write_json(out.fp, sarif_report(r));
    else if (strcmp(f.format, "gitlab") == 0)
        ok = write_json(out.fp, gitlab_report(r));
    else if (strcmp(f.format, "checkstyle") == 0)
        print_checkstyle(out.fp, r);
    else if (strcmp(f.format, "junit") == 0)
        print_junit(out.fp, r);
    else
        print_tty(out.fp, r, dd_cli_color(out.fp));
    if (!ok)
        dd_cli_error("lint: cannot write the report");
    rc = dd_cli_out_close(&out, ok);
    if (!ok || rc)
        rc = DD_EXIT_USAGE;
    else if (unusable)
        rc = DD_EXIT_USAGE;
    else if (threshold != DD_SEV_OFF && dd_lint_result_max_severity(r) >= threshold)
        rc = 1;
    else
        rc = DD_EXIT_OK;
done:
    free(orig);
    free(cfg_path);
    dd_lint_result_free(r);
    dd_lint_config_free(cfg);
    return rc;
}
