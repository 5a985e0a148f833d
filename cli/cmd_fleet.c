/* drydock fleet: questions to the fleet server (which images and containers hold an advisory or
 * a package, one image, the summary) and recording where images run. */
#include "cli.h"
#include "fleet_cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    const char *server, *api_key, *format, *output;
    int limit, page_size;
    const char *repository, *base_image, *package;
    const char *environment, *file, *cluster, *namespace_, *container, *image;
    bool snapshot;
} fleet_flags;

#define FLEET_COMMON_OPTS(f)                                                                       \
    {0, "server", DD_OPT_STRING, &(f)->server, "URL", NULL,                                       \
     "the fleet server (default $DRYDOCK_SERVER)"},                                                \
    {0, "api-key", DD_OPT_STRING, &(f)->api_key, "KEY", NULL,                                     \
     "a key of read scope, write for deploy (default $DRYDOCK_API_KEY)"},                         \
    {'f', "format", DD_OPT_CHOICE, &(f)->format, NULL, "table|json", "output (default table)"},   \
    {                                                                                              \
        'o', "output", DD_OPT_STRING, &(f)->output, "FILE", NULL,                                  \
            "write to FILE instead of stdout"                                                      \
    }

#define FLEET_LIMIT_OPT(f)                                                                         \
    {0, "limit", DD_OPT_INT, &(f)->limit, "N", NULL,                                              \
     "list at most N images (default: all, following the server's pages)"},                       \
    {                                                                                              \
        0, "page-size", DD_OPT_INT, &(f)->page_size, "N", NULL,                                    \
            "images asked for per request (default 1000, the most the server gives)"               \
    }

int dd_cli_fleet_client(dd_fleet_client **out, const char *what, const char *server,
                        const char *api_key)
{
    dd_fleet_client_opts o = DD_FLEET_CLIENT_OPTS_INIT;

    o.server = server ? server : getenv("DRYDOCK_SERVER");
    o.api_key = api_key ? api_key : getenv("DRYDOCK_API_KEY");
    if (!o.server || !*o.server) {
        dd_cli_error("%s: give the server with --server URL or DRYDOCK_SERVER", what);
        return DD_EXIT_USAGE;
    }
    if (o.api_key && !*o.api_key)
        o.api_key = NULL;
    if (dd_fleet_client_new(out, &o) != DD_OK) {
        dd_cli_error("%s: %s", what, dd_error_message());
        return DD_EXIT_USAGE;
    }
    return 0;
}

int dd_cli_fleet_print_json(const json_t *doc, const char *output)
{
    dd_cli_out out;
    int rc;

    if ((rc = dd_cli_out_open(&out, output)) != 0)
        return rc;
    rc = json_dumpf(doc, out.fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 &&
         fputc('\n', out.fp) != EOF;
    return dd_cli_out_close(&out, rc);
}

/* --- table helpers: the server's documents printed defensively (a missing field is "-") --- */

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s && *s ? s : "-";
}

static long long num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);

    if (json_is_array(v))
        return (long long)json_array_size(v);
    return (long long)json_integer_value(v);
}

/* An epoch-seconds field as UTC ISO 8601 ("-" when missing). */
static const char *when(char out[32], const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    time_t t;
    struct tm tm;

    if (!json_is_integer(v))
        return str(o, key);
    t = (time_t)json_integer_value(v);
    if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return "-";
    return out;
}

/* "sha256:0123456789ab" of a digest: enough to tell images apart on a terminal. */
static void short_digest(char out[20], const char *digest)
{
    snprintf(out, 20, "%s", digest);
}

/* The tags joined by ",", cut to fit `cap`. */
static void join_tags(char *out, size_t cap, const json_t *o)
{
    const json_t *tags = json_object_get(o, "tags");
    size_t i, n = 0;
    json_t *t;

    out[0] = '\0';
    json_array_foreach(tags, i, t)
    {
        int w;

        if (!json_is_string(t))
            continue;
        w = snprintf(out + n, cap - n, "%s%s", n ? "," : "", json_string_value(t));
        if (w < 0 || (size_t)w >= cap - n)
            break;
        n += (size_t)w;
    }
    if (!out[0])
        snprintf(out, cap, "-");
}

static void print_image_name(FILE *fp, const json_t *img)
{
    char tags[128], dg[20];

    join_tags(tags, sizeof(tags), img);
    short_digest(dg, str(img, "digest"));
    fprintf(fp, "%-19s  %s:%s", dg, str(img, "repository"), tags);
}

static void print_affected(FILE *fp, const json_t *doc)
{
    const json_t *images = json_object_get(doc, "images"), *aliases, *img;
    size_t i, n_deploy = 0;
    json_t *a;

    fprintf(fp, "%s", str(doc, "advisory"));
    aliases = json_object_get(doc, "aliases");
    json_array_foreach(aliases, i, a) fprintf(fp, "%s%s", i ? ", " : " (", json_string_value(a));
    if (json_array_size(aliases))
        fputc(')', fp);
    json_array_foreach(images, i, img) n_deploy += json_array_size(json_object_get(img, "deployments"));
    fprintf(fp, " %s: %zu images, %zu deployments\n", str(doc, "severity"),
            json_array_size(images), n_deploy);
    json_array_foreach(images, i, img)
    {
        const json_t *p, *d;
        size_t j;

        fputc('\n', fp);
        print_image_name(fp, img);
        fputc('\n', fp);
        json_array_foreach(json_object_get(img, "packages"), j, p)
            fprintf(fp, "  package  %-40s %-24s fixed %-20s %s\n", str(p, "purl"),
                    str(p, "installed"), str(p, "fixed"), str(p, "severity"));
        json_array_foreach(json_object_get(img, "deployments"), j, d)
            fprintf(fp, "  runs in  %s/%s/%s/%s\n", str(d, "environment"), str(d, "cluster"),
                    str(d, "namespace"), str(d, "container"));
    }
}

static void print_findings_counts(FILE *fp, const json_t *findings)
{
    static const char *sev[] = {"CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"};

    for (size_t i = 0; i < sizeof(sev) / sizeof(sev[0]); i++)
        fprintf(fp, " %8lld", (long long)json_integer_value(json_object_get(findings, sev[i])));
}

static void print_images(FILE *fp, const json_t *doc)
{
    const json_t *img;
    size_t i;

    fprintf(fp, "%-19s  %-40s %-20s %8s %8s %8s %8s %8s %8s %7s\n", "IMAGE", "REPOSITORY:TAGS",
            "BASE", "PACKAGES", "CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN", "DEPLOYS");
    json_array_foreach(json_object_get(doc, "images"), i, img)
    {
        char tags[128], dg[20], name[256];

        join_tags(tags, sizeof(tags), img);
        short_digest(dg, str(img, "digest"));
        snprintf(name, sizeof(name), "%s:%s", str(img, "repository"), tags);
        fprintf(fp, "%-19s  %-40s %-20s %8lld", dg, name, str(img, "base_image"),
                num(img, "packages"));
        print_findings_counts(fp, json_object_get(img, "findings"));
        fprintf(fp, " %7lld\n", num(img, "deployments"));
    }
}

static void print_packages(FILE *fp, const json_t *doc)
{
    const json_t *img;
    size_t i;

    fprintf(fp, "%s %s: %zu images\n", str(doc, "package"), str(doc, "range"),
            json_array_size(json_object_get(doc, "images")));
    json_array_foreach(json_object_get(doc, "images"), i, img)
    {
        const json_t *p;
        size_t j;

        fputc('\n', fp);
        print_image_name(fp, img);
        fputc('\n', fp);
        json_array_foreach(json_object_get(img, "packages"), j, p)
            fprintf(fp, "  %-50s %-24s %s\n", str(p, "purl"), str(p, "version"), str(p, "path"));
    }
}

static void print_image(FILE *fp, const json_t *doc)
{
    const json_t *p, *fd, *d, *labels = json_object_get(doc, "labels"), *v;
    const char *k;
    char t[32];
    size_t i;

    print_image_name(fp, doc);
    fprintf(fp, "\n  digest      %s\n  base image  %s\n  os          %s\n  pushed at   %s\n",
            str(doc, "digest"), str(doc, "base_image"), str(doc, "os"), when(t, doc, "pushed_at"));
    json_object_foreach((json_t *)labels, k, v) fprintf(fp, "  label       %s=%s\n", k,
                                                        json_string_value(v));
    json_array_foreach(json_object_get(doc, "deployments"), i, d)
        fprintf(fp, "  runs in     %s/%s/%s/%s (last seen %s)\n", str(d, "environment"),
                str(d, "cluster"), str(d, "namespace"), str(d, "container"),
                when(t, d, "last_seen"));
    fprintf(fp, "\nPACKAGES (%zu)\n", json_array_size(json_object_get(doc, "packages")));
    json_array_foreach(json_object_get(doc, "packages"), i, p)
        fprintf(fp, "  %-60s %s\n", str(p, "purl"), str(p, "path"));
    fprintf(fp, "\nFINDINGS (%zu)\n", json_array_size(json_object_get(doc, "findings")));
    json_array_foreach(json_object_get(doc, "findings"), i, fd)
        fprintf(fp, "  %-22s %-9s %-40s %-20s fixed %s\n", str(fd, "advisory"),
                str(fd, "severity"), str(fd, "purl"), str(fd, "installed"), str(fd, "fixed"));
}

/* The summary's counts, then each list of objects as rows of its scalar fields: the lists'
 * fields are whatever the server answers, so they are printed by name. */
static void print_summary(FILE *fp, const json_t *doc)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)doc, key, v)
    {
        if (json_is_integer(v) || json_is_string(v) || json_is_real(v)) {
            char *s = json_dumps(v, JSON_ENCODE_ANY);

            fprintf(fp, "%-20s %s\n", key, s ? s : "?");
            free(s);
        } else if (json_is_object(v)) {
            const char *k2;
            json_t *v2;

            fprintf(fp, "%-20s", key);
            json_object_foreach(v, k2, v2) fprintf(fp, " %s=%lld", k2,
                                                   (long long)json_integer_value(v2));
            fputc('\n', fp);
        }
    }
    json_object_foreach((json_t *)doc, key, v)
    {
        size_t i;
        json_t *row;

        if (!json_is_array(v))
            continue;
        fprintf(fp, "\n%s\n", key);
        json_array_foreach(v, i, row)
        {
            const char *k2;
            json_t *v2;

            fputs(" ", fp);
            json_object_foreach(row, k2, v2)
            {
                if (json_is_string(v2))
                    fprintf(fp, " %s", json_string_value(v2));
                else if (json_is_integer(v2))
                    fprintf(fp, " %s=%lld", k2, (long long)json_integer_value(v2));
            }
            fputc('\n', fp);
        }
    }
}

/* --- subcommands --- */

static int show(const fleet_flags *f, const json_t *doc, void (*table)(FILE *, const json_t *))
{
    dd_cli_out out;
    int rc;

    if (strcmp(f->format, "json") == 0)
        return dd_cli_fleet_print_json(doc, f->output);
    if ((rc = dd_cli_out_open(&out, f->output)) != 0)
        return rc;
    table(out.fp, doc);
    return dd_cli_out_close(&out, !ferror(out.fp));
}

static int fail(const char *what)
{
    dd_cli_error("fleet %s: %s", what, dd_error_message());
    return DD_EXIT_USAGE;
}

/* PURL[@RANGE]: the range is what follows the last '@' when it starts with a comparison, so
 * a purl's own "@VERSION" stays in the purl. */
static void split_purl_range(char *arg, const char **purl, const char **range)
{
    char *at = strrchr(arg, '@');

    *purl = arg;
    *range = NULL;
    if (at && strchr("<>=!", at[1]) && at[1]) {
        *at = '\0';
        *range = at + 1;
    }
}

static int run_list(const fleet_flags *f, const char *what, const char *path,
                    const dd_fleet_param *params, size_t n,
                    void (*table)(FILE *, const json_t *))
{
    dd_fleet_client *c = NULL;
    json_t *doc = NULL;
    int rc;

    if (f->limit < 0 || f->page_size < 0) {
        dd_cli_error("fleet %s: --limit and --page-size must be positive", what);
        return DD_EXIT_USAGE;
    }
    if ((rc = dd_cli_fleet_client(&c, "fleet", f->server, f->api_key)) != 0)
        return rc;
    if (dd_fleet_client_list(c, path, params, n, "images", (size_t)f->limit,
                             (unsigned)f->page_size, &doc) != DD_OK)
        rc = fail(what);
    else
        rc = show(f, doc, table);
    json_decref(doc);
    dd_fleet_client_free(c);
    return rc;
}

static int run_get(const fleet_flags *f, const char *what, const char *path,
                   void (*table)(FILE *, const json_t *))
{
    dd_fleet_client *c = NULL;
    json_t *doc = NULL;
    int rc;

    if ((rc = dd_cli_fleet_client(&c, "fleet", f->server, f->api_key)) != 0)
        return rc;
    if (dd_fleet_client_call(c, "GET", path, NULL, 0, NULL, NULL, NULL, 0, &doc, NULL) != DD_OK)
        rc = fail(what);
    else if (!doc) {
        dd_cli_error("fleet %s: the server answered nothing", what);
        rc = DD_EXIT_USAGE;
    } else
        rc = show(f, doc, table);
    json_decref(doc);
    dd_fleet_client_free(c);
    return rc;
}

/* "/api/v1/PREFIX/ESCAPED" for a path parameter (an advisory id or a digest). */
static char *path_with(const char *prefix, const char *arg)
{
    size_t n = strlen(prefix) + 3 * strlen(arg) + 1;
    char *p = malloc(n), *w;

    if (!p)
        return NULL;
    w = p + snprintf(p, n, "%s", prefix);
    for (const unsigned char *s = (const unsigned char *)arg; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            strchr("-._~:", *s))
            *w++ = (char)*s;
        else
            w += snprintf(w, 4, "%%%02X", *s);
    }
    *w = '\0';
    return p;
}

typedef int (*fleet_fn)(fleet_flags *f, int npos, char **pos);

static int fleet_affected(fleet_flags *f, int npos, char **pos)
{
    dd_fleet_param none = {"", NULL};
    char *path;
    int rc;

    if (npos != 1) {
        dd_cli_error("fleet affected: expected one advisory ID (CVE-..., GHSA-..., DSA-...)");
        return DD_EXIT_USAGE;
    }
    if (!(path = path_with("/api/v1/affected/", pos[0]))) {
        dd_cli_error("fleet affected: out of memory");
        return DD_EXIT_USAGE;
    }
    rc = run_list(f, "affected", path, &none, 0, print_affected);
    free(path);
    return rc;
}

static int fleet_images(fleet_flags *f, int npos, char **pos)
{
    dd_fleet_param p[4] = {{"repository", f->repository}, {"base_image", f->base_image},
                           {"purl", NULL}, {"range", NULL}};
    char *pkg = NULL;
    int rc;

    (void)pos;
    if (npos != 0) {
        dd_cli_error("fleet images: takes no arguments (filters are --repository, "
                     "--base-image, --package)");
        return DD_EXIT_USAGE;
    }
    if (f->package) {
        if (!(pkg = strdup(f->package))) {
            dd_cli_error("fleet images: out of memory");
            return DD_EXIT_USAGE;
        }
        split_purl_range(pkg, &p[2].value, &p[3].value);
    }
    rc = run_list(f, "images", "/api/v1/images", p, 4, print_images);
    free(pkg);
    return rc;
}

static int fleet_packages(fleet_flags *f, int npos, char **pos)
{
    dd_fleet_param p[2] = {{"purl", NULL}, {"range", NULL}};

    if (npos != 1) {
        dd_cli_error("fleet packages: expected one PURL[@RANGE], as in "
                     "'pkg:deb/debian/openssl@<3.0.11'");
        return DD_EXIT_USAGE;
    }
    split_purl_range(pos[0], &p[0].value, &p[1].value);
    return run_list(f, "packages", "/api/v1/packages", p, 2, print_packages);
}

static int fleet_image(fleet_flags *f, int npos, char **pos)
{
    char *path;
    int rc;

    if (npos != 1) {
        dd_cli_error("fleet image: expected one image DIGEST (sha256:...)");
        return DD_EXIT_USAGE;
    }
    if (!(path = path_with("/api/v1/images/", pos[0]))) {
        dd_cli_error("fleet image: out of memory");
        return DD_EXIT_USAGE;
    }
    rc = run_get(f, "image", path, print_image);
    free(path);
    return rc;
}

static int fleet_summary(fleet_flags *f, int npos, char **pos)
{
    (void)pos;
    if (npos != 0) {
        dd_cli_error("fleet summary: takes no arguments");
        return DD_EXIT_USAGE;
    }
    return run_get(f, "summary", "/api/v1/summary", print_summary);
}

/* The deployments of --file: {"deployments": [...]} (as the API takes it) or a bare array.
 * *env_out is the file's "environment" when it has one. */
static int load_deployments(const char *path, json_t **out, const char **env_out)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr), *list;

    if (!doc) {
        dd_cli_error("fleet deploy: %s:%d: %s", path, jerr.line, jerr.text);
        return DD_EXIT_USAGE;
    }
    list = json_is_array(doc) ? doc : json_object_get(doc, "deployments");
    if (!json_is_array(list)) {
        dd_cli_error("fleet deploy: %s: expected {\"deployments\": [...]} or an array", path);
        json_decref(doc);
        return DD_EXIT_USAGE;
    }
    *env_out = json_string_value(json_object_get(doc, "environment"));
    *out = doc;
    return 0;
}

static int one_deployment(const fleet_flags *f, json_t **out)
{
    json_t *d;

    if (!f->cluster || !f->container || !f->image) {
        dd_cli_error("fleet deploy: give --file FILE, or --cluster, --container and --image "
                     "(and --namespace)");
        return DD_EXIT_USAGE;
    }
    d = json_pack("[{s:s, s:s, s:s, s:s}]", "cluster", f->cluster, "container", f->container,
                  "image", f->image, "namespace", f->namespace_ ? f->namespace_ : "");
    if (!d) {
        dd_cli_error("fleet deploy: out of memory");
        return DD_EXIT_USAGE;
    }
    if (!f->namespace_)
        json_object_del(json_array_get(d, 0), "namespace");
    *out = d;
    return 0;
}

static void print_deployed(FILE *fp, const json_t *doc)
{
    fprintf(fp, "recorded %lld deployments in %s\n", num(doc, "deployments"),
            str(doc, "environment"));
}

static int fleet_deploy(fleet_flags *f, int npos, char **pos)
{
    dd_fleet_client *c = NULL;
    json_t *doc = NULL, *answer = NULL, *list;
    const char *env = f->environment, *file_env = NULL;
    int rc;

    (void)pos;
    if (npos != 0) {
        dd_cli_error("fleet deploy: takes no arguments (see drydock fleet deploy --help)");
        return DD_EXIT_USAGE;
    }
    if (f->file && (f->cluster || f->container || f->image || f->namespace_)) {
        dd_cli_error("fleet deploy: --file and --cluster/--container/--image exclude each other");
        return DD_EXIT_USAGE;
    }
    rc = f->file ? load_deployments(f->file, &doc, &file_env) : one_deployment(f, &doc);
    if (rc != 0)
        return rc;
    if (!env)
        env = file_env;
    if (!env || !*env) {
        dd_cli_error("fleet deploy: --environment is required");
        rc = DD_EXIT_USAGE;
        goto done;
    }
    list = json_is_array(doc) ? doc : json_object_get(doc, "deployments");
    if ((rc = dd_cli_fleet_client(&c, "fleet", f->server, f->api_key)) != 0)
        goto done;
    if (dd_fleet_client_deploy(c, env, f->snapshot, list, &answer) != DD_OK)
        rc = fail("deploy");
    else if (!answer) {
        dd_cli_error("fleet deploy: the server answered nothing");
        rc = DD_EXIT_USAGE;
    } else
        rc = show(f, answer, print_deployed);
done:
    json_decref(answer);
    json_decref(doc);
    dd_fleet_client_free(c);
    return rc;
}

static int run_sub(const dd_command *sub, const dd_opt *opts, fleet_fn fn, fleet_flags *f,
                   int argc, char **argv)
{
    bool help;
    int npos, rc;

    if ((rc = dd_opt_parse(sub, opts, argc, argv, &npos, &help)) != 0 || help)
        return rc;
    return fn(f, npos, argv);
}

static const dd_command sub_affected = {
    "fleet affected", NULL, "[flags] ID",
    "Images affected by an advisory (its id, CVE or any alias) and the containers running them.",
    "Lists every image (following the server's pages) with the packages carrying the advisory,\n"
    "their installed and fixed versions, and the deployments of the image.\n"
    "\nExit codes: 0 success, 2 usage error or an error from the server."};
static const dd_command sub_images = {
    "fleet images", NULL, "[flags]",
    "Images of the fleet, filtered by repository, base image or a package.",
    "--package takes a purl without version (every version) and an optional range after '@':\n"
    "  --package 'pkg:deb/debian/openssl@<3.0.11-1~deb12u1'\n"
    "  --package 'pkg:pypi/urllib3@>=1.26.0,<1.26.18'\n"
    "\nExit codes: 0 success, 2 usage error or an error from the server."};
static const dd_command sub_packages = {
    "fleet packages", NULL, "[flags] PURL[@RANGE]",
    "Images holding a package (in a version range), with the path and layer of each copy.",
    "\nExit codes: 0 success, 2 usage error or an error from the server."};
static const dd_command sub_image = {
    "fleet image", NULL, "[flags] DIGEST",
    "One image: identity, labels, packages and findings.",
    "\nExit codes: 0 success, 2 usage error, an unknown digest or an error from the server."};
static const dd_command sub_summary = {
    "fleet summary", NULL, "[flags]",
    "Counts by severity, the top advisories and the most exposed images.",
    "\nExit codes: 0 success, 2 usage error or an error from the server."};
static const dd_command sub_deploy = {
    "fleet deploy", NULL, "--environment E [--snapshot] (--file FILE | --cluster C ...)",
    "Record which image runs where.",
    "--file holds {\"deployments\": [{\"cluster\", \"namespace\", \"container\", \"image\",\n"
    "\"last_seen\"}]} (or the bare array); IMAGE is sha256:..., REPO@sha256:... or REPO:TAG.\n"
    "Without --snapshot each deployment is added or updated; with it the list replaces every\n"
    "deployment of the environment.\n"
    "\nExit codes: 0 success, 2 usage error or an error from the server."};

int dd_cmd_fleet(const dd_command *cmd, int argc, char **argv)
{
    fleet_flags f = {.format = "table"};
    const dd_opt list_opts[] = {FLEET_COMMON_OPTS(&f), FLEET_LIMIT_OPT(&f), {0}};
    const dd_opt get_opts[] = {FLEET_COMMON_OPTS(&f), {0}};
    const dd_opt images_opts[] = {
        FLEET_COMMON_OPTS(&f),
        FLEET_LIMIT_OPT(&f),
        {0, "repository", DD_OPT_STRING, &f.repository, "REPO", NULL, "only this repository"},
        {0, "base-image", DD_OPT_STRING, &f.base_image, "REF", NULL,
         "only images built on REF"},
        {0, "package", DD_OPT_STRING, &f.package, "PURL[@RANGE]", NULL,
         "only images holding this package"},
        {0},
    };
    const dd_opt deploy_opts[] = {
        FLEET_COMMON_OPTS(&f),
        {0, "environment", DD_OPT_STRING, &f.environment, "ENV", NULL, "prod, staging, ..."},
        {0, "snapshot", DD_OPT_FLAG, &f.snapshot, NULL, NULL,
         "replace every deployment of the environment"},
        {0, "file", DD_OPT_STRING, &f.file, "FILE", NULL, "the deployments, as JSON"},
        {0, "cluster", DD_OPT_STRING, &f.cluster, "NAME", NULL, "cluster or host"},
        {0, "namespace", DD_OPT_STRING, &f.namespace_, "NAME", NULL, "namespace"},
        {0, "container", DD_OPT_STRING, &f.container, "NAME", NULL, "container name"},
        {0, "image", DD_OPT_STRING, &f.image, "REF", NULL, "the image the container runs"},
        {0},
    };
    const struct {
        const char *name;
        const dd_command *sub;
        const dd_opt *opts;
        fleet_fn fn;
    } subs[] = {
        {"affected", &sub_affected, list_opts, fleet_affected},
        {"images", &sub_images, images_opts, fleet_images},
        {"packages", &sub_packages, list_opts, fleet_packages},
        {"image", &sub_image, get_opts, fleet_image},
        {"summary", &sub_summary, get_opts, fleet_summary},
        {"deploy", &sub_deploy, deploy_opts, fleet_deploy},
    };

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        FILE *fp = argc < 2 ? stderr : stdout;

        fprintf(fp, "Usage: drydock fleet %s\n\n%s\n\nSubcommands:\n", cmd->usage, cmd->summary);
        for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
            fprintf(fp, "  %-10s %s\n", subs[i].name, subs[i].sub->summary);
        fprintf(fp, "\nSee drydock fleet SUBCOMMAND --help.\n");
        return argc < 2 ? DD_EXIT_USAGE : DD_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
        if (strcmp(argv[1], subs[i].name) == 0)
            return run_sub(subs[i].sub, subs[i].opts, subs[i].fn, &f, argc - 1, argv + 1);
    dd_cli_error("fleet: unknown subcommand \"%s\" (affected, images, packages, image, summary, "
                 "deploy)",
                 argv[1]);
    return DD_EXIT_USAGE;
}
