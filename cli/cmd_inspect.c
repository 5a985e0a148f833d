/* drydock inspect: an image's identity, config, history, layers and squashed file tree. */
#include "cli.h"

#include <drydock/catalog.h>
#include <drydock/image.h>
#include <drydock/imgcheck.h>
#include <drydock/walk.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *format;
    const char *output;
    const char *tag;
    const char *platform;
    bool layers, files, removed, hygiene;
} inspect_flags;

typedef struct {
    const dd_image_identity *id;
    const dd_image_config *cfg;
    dd_image *img;
    dd_walk *walk;
    dd_os_info *os;
    dd_hygiene *hygiene; /* with --hygiene */
} inspect_result;

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jstrv(const char *const *v, size_t n, int set)
{
    json_t *a;

    if (!v && !set)
        return json_null();
    a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *json_config(const dd_image_config *c)
{
    json_t *o = json_object(), *labels = json_object();

    json_object_set_new(o, "user", jstr(c->user));
    json_object_set_new(o, "workdir", jstr(c->workdir));
    json_object_set_new(o, "env", jstrv(c->env, c->n_env, 1));
    json_object_set_new(o, "entrypoint", jstrv(c->entrypoint, c->n_entrypoint, c->entrypoint_set));
    json_object_set_new(o, "cmd", jstrv(c->cmd, c->n_cmd, c->cmd_set));
    json_object_set_new(o, "shell", jstrv(c->shell, c->n_shell, 0));
    json_object_set_new(o, "exposed_ports", jstrv(c->exposed_ports, c->n_exposed_ports, 1));
    json_object_set_new(o, "volumes", jstrv(c->volumes, c->n_volumes, 1));
    for (size_t i = 0; i < c->n_labels; i++)
        json_object_set_new(labels, c->labels[i].key, jstr(c->labels[i].value));
    json_object_set_new(o, "labels", labels);
    json_object_set_new(o, "stop_signal", jstr(c->stop_signal));
    if (c->healthcheck) {
        const dd_healthcheck *h = c->healthcheck;
        json_t *hc = json_object();

        json_object_set_new(hc, "test", jstrv(h->test, h->n_test, 1));
        json_object_set_new(hc, "interval_ns", json_integer(h->interval_ns));
        json_object_set_new(hc, "timeout_ns", json_integer(h->timeout_ns));
        json_object_set_new(hc, "start_period_ns", json_integer(h->start_period_ns));
        json_object_set_new(hc, "start_interval_ns", json_integer(h->start_interval_ns));
        json_object_set_new(hc, "retries", json_integer(h->retries));
        json_object_set_new(o, "healthcheck", hc);
    } else {
        json_object_set_new(o, "healthcheck", json_null());
    }
    json_object_set_new(o, "created", jstr(c->created));
    json_object_set_new(o, "author", jstr(c->author));
    return o;
}

static void mode_string(char out[8], uint32_t mode)
{
    snprintf(out, 8, "%04o", mode & 07777);
}

static json_t *json_entry(const dd_entry *e, bool hidden)
{
    json_t *o = json_object();
    char mode[8], path[8192];

    snprintf(path, sizeof(path), "/%s", e->path);
    mode_string(mode, e->mode);
    json_object_set_new(o, "path", json_string(path));
    json_object_set_new(o, "type", json_string(dd_file_type_name(e->type)));
    json_object_set_new(o, "mode", json_string(mode));
    json_object_set_new(o, "uid", json_integer(e->uid));
    json_object_set_new(o, "gid", json_integer(e->gid));
    json_object_set_new(o, "size", json_integer((json_int_t)e->size));
    if (e->type == DD_FT_HARDLINK && e->link) {
        snprintf(path, sizeof(path), "/%s", e->link);
        json_object_set_new(o, "link", json_string(path));
    } else {
        json_object_set_new(o, "link", jstr(e->link));
    }
    if (e->type == DD_FT_CHAR || e->type == DD_FT_BLOCK) {
        json_object_set_new(o, "devmajor", json_integer(e->devmajor));
        json_object_set_new(o, "devminor", json_integer(e->devminor));
    }
    json_object_set_new(o, "layer", json_integer(e->layer));
    if (e->implicit)
        json_object_set_new(o, "implicit", json_true());
    if (hidden) {
        json_object_set_new(o, "removed_by", json_integer(e->hidden_by));
        json_object_set_new(o, "reason", json_string(dd_hidden_reason_name(e->hidden)));
    }
    return o;
}

static json_t *json_inspect(const inspect_result *r, const inspect_flags *f)
{
    json_t *root = json_object(), *src = json_object(), *hist = json_array(),
           *layers = json_array();
    const dd_image_config *c = r->cfg;

    json_object_set_new(root, "schema", json_string("drydock.inspect/1"));
    json_object_set_new(src, "kind", json_string(dd_source_kind_name(r->id->kind)));
    json_object_set_new(src, "path", json_string(r->id->path));
    json_object_set_new(root, "source", src);
    json_object_set_new(root, "manifest_digest", jstr(r->id->manifest_digest));
    json_object_set_new(root, "config_digest", jstr(r->id->config_digest));
    json_object_set_new(root, "tags", jstrv(r->id->tags, r->id->n_tags, 1));
    json_object_set_new(root, "platform", jstr(r->id->platform));
    if (r->os) {
        json_t *os = json_object();

        json_object_set_new(os, "id", jstr(r->os->id));
        json_object_set_new(os, "version_id", jstr(r->os->version_id));
        json_object_set_new(os, "version_codename", jstr(r->os->version_codename));
        json_object_set_new(os, "pretty_name", jstr(r->os->pretty_name));
        json_object_set_new(root, "os", os);
    } else {
        json_object_set_new(root, "os", json_null());
    }
    json_object_set_new(root, "config", json_config(c));
    for (size_t i = 0; i < c->n_history; i++) {
        const dd_history *h = &c->history[i];
        json_t *o = json_object();

        json_object_set_new(o, "created", jstr(h->created));
        json_object_set_new(o, "created_by", jstr(h->created_by));
        json_object_set_new(o, "comment", jstr(h->comment));
        json_object_set_new(o, "empty_layer", json_boolean(h->empty_layer));
        json_object_set_new(o, "layer", h->layer >= 0 ? json_integer(h->layer) : json_null());
        json_array_append_new(hist, o);
    }
    json_object_set_new(root, "history", hist);
    for (size_t i = 0; i < dd_image_layer_count(r->img); i++) {
        const dd_layer_desc *d = dd_image_layer(r->img, i);
        const dd_layer_stats *s = dd_walk_layer_stats(r->walk, i);
        json_t *o = json_object();

        json_object_set_new(o, "index", json_integer((json_int_t)i));
        json_object_set_new(o, "digest", jstr(d->digest));
        json_object_set_new(o, "diff_id", jstr(d->diff_id));
        json_object_set_new(o, "media_type", jstr(d->media_type));
        json_object_set_new(o, "compression", json_string(dd_compression_name(d->compression)));
        json_object_set_new(o, "size", json_integer((json_int_t)d->size));
        json_object_set_new(o, "uncompressed_size", json_integer((json_int_t)s->uncompressed_bytes));
        json_object_set_new(o, "entries", json_integer((json_int_t)s->entries));
        json_object_set_new(o, "whiteouts", json_integer((json_int_t)s->whiteouts));
        json_object_set_new(o, "opaque_dirs", json_integer((json_int_t)s->opaque_dirs));
        json_array_append_new(layers, o);
    }
    json_object_set_new(root, "layers", layers);
    return root;
}

/* Writes one array of entries, one compact object per line, building one object at a time so
 * memory does not grow with the number of files. */
static bool write_entries(FILE *fp, const char *key, const inspect_result *r, bool hidden)
{
    size_t n = hidden ? dd_walk_hidden_count(r->walk) : dd_walk_count(r->walk);

    fprintf(fp, ",\n  \"%s\": [", key);
    for (size_t i = 0; i < n; i++) {
        const dd_entry *e = hidden ? dd_walk_hidden(r->walk, i) : dd_walk_entry(r->walk, i);
        json_t *o = json_entry(e, hidden);
        int rc;

        fputs(i ? ",\n    " : "\n    ", fp);
        rc = o ? json_dumpf(o, fp, JSON_COMPACT | JSON_PRESERVE_ORDER) : -1;
        json_decref(o);
        if (rc != 0)
            return false;
    }
    fputs(n ? "\n  ]" : "]", fp);
    return true;
}

/* The document is the small part built whole (identity, config, history, layers) followed by
 * the file lists streamed entry by entry. */
static bool write_json(FILE *fp, const inspect_result *r, const inspect_flags *f)
{
    json_t *doc = json_inspect(r, f);
    char *head = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    size_t len;
    bool ok;

    json_decref(doc);
    if (!head)
        return false;
    /* drop the closing brace so the streamed members can follow */
    len = strlen(head);
    while (len && (head[len - 1] == '\n' || head[len - 1] == ' '))
        len--;
    if (len && head[len - 1] == '}')
        len--;
    while (len && (head[len - 1] == '\n' || head[len - 1] == ' '))
        len--;
    ok = fwrite(head, 1, len, fp) == len;
    free(head);
    if (ok && r->hygiene) {
        /* the hygiene object, indented as a member of the document */
        char *buf = NULL;
        size_t n = 0;
        FILE *mem = open_memstream(&buf, &n);

        ok = mem && dd_hygiene_write_json(mem, r->hygiene) == DD_OK;
        if (mem)
            ok = fclose(mem) == 0 && ok;
        while (ok && n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
            n--;
        ok = ok && fputs(",\n  \"hygiene\": ", fp) >= 0;
        for (size_t i = 0; ok && i < n; i++)
            ok = (buf[i] == '\n' ? fputs("\n  ", fp) : fputc(buf[i], fp)) >= 0;
        free(buf);
    }
    if (ok && f->files)
        ok = write_entries(fp, "files", r, false);
    if (ok && f->removed)
        ok = write_entries(fp, "removed", r, true);
    if (ok)
        ok = fputs("\n}\n", fp) >= 0;
    return ok;
}

static void human_size(char out[32], uint64_t n)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    double v = (double)n;
    size_t u = 0;

    while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1000;
        u++;
    }
    if (u == 0)
        snprintf(out, 32, "%llu B", (unsigned long long)n);
    else
        snprintf(out, 32, "%.1f %s", v, units[u]);
}

static void print_list(FILE *fp, const char *label, const char *const *v, size_t n)
{
    if (!n)
        return;
    fprintf(fp, "  %-13s", label);
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "%s%s", i ? " " : "", v[i]);
    fputc('\n', fp);
}

static void print_entry_row(FILE *fp, const dd_entry *e, bool hidden)
{
    char mode[8], size[32];

    mode_string(mode, e->mode);
    human_size(size, e->size);
    fprintf(fp, "%-8s %s %5u:%-5u %10s  L%-3u ", dd_file_type_name(e->type), mode, e->uid, e->gid,
            size, e->layer);
    if (hidden)
        fprintf(fp, "%-8s L%-3u ", dd_hidden_reason_name(e->hidden), e->hidden_by);
    fprintf(fp, "/%s", e->path);
    if (e->type == DD_FT_SYMLINK)
        fprintf(fp, " -> %s", e->link);
    else if (e->type == DD_FT_HARDLINK)
        fprintf(fp, " => /%s", e->link);
    fputc('\n', fp);
}

static void print_table(FILE *fp, const inspect_result *r, const inspect_flags *f)
{
    const dd_image_config *c = r->cfg;
    uint64_t total = 0, ctotal = 0;
    size_t nl = dd_image_layer_count(r->img);
    char a[32], b[32];

    fprintf(fp, "Image         %s (%s)\n", r->id->path, dd_source_kind_name(r->id->kind));
    for (size_t i = 0; i < r->id->n_tags; i++)
        fprintf(fp, "  %-12s %s\n", i ? "" : "tags", r->id->tags[i]);
    if (r->id->manifest_digest)
        fprintf(fp, "  manifest     %s\n", r->id->manifest_digest);
    if (r->id->config_digest)
        fprintf(fp, "  config       %s\n", r->id->config_digest);
    if (r->id->platform)
        fprintf(fp, "  platform     %s\n", r->id->platform);
    if (r->os)
        fprintf(fp, "  os           %s\n",
                r->os->pretty_name ? r->os->pretty_name : r->os->id ? r->os->id : "?");
    fputs("Config\n", fp);
    fprintf(fp, "  user         %s\n", c->user && *c->user ? c->user : "(root by default)");
    if (c->workdir && *c->workdir)
        fprintf(fp, "  workdir      %s\n", c->workdir);
    print_list(fp, "entrypoint", c->entrypoint, c->n_entrypoint);
    print_list(fp, "cmd", c->cmd, c->n_cmd);
    for (size_t i = 0; i < c->n_env; i++)
        fprintf(fp, "  %-12s %s\n", i ? "" : "env", c->env[i]);
    print_list(fp, "ports", c->exposed_ports, c->n_exposed_ports);
    print_list(fp, "volumes", c->volumes, c->n_volumes);
    for (size_t i = 0; i < c->n_labels; i++)
        fprintf(fp, "  %-12s %s=%s\n", i ? "" : "labels", c->labels[i].key,
                c->labels[i].value ? c->labels[i].value : "");
    if (c->healthcheck)
        print_list(fp, "healthcheck", c->healthcheck->test, c->healthcheck->n_test);
    if (c->stop_signal)
        fprintf(fp, "  stop signal  %s\n", c->stop_signal);
    if (c->n_history) {
        fputs("History\n", fp);
        for (size_t i = 0; i < c->n_history; i++) {
            const dd_history *h = &c->history[i];
            char layer[16] = "-";

            if (h->layer >= 0)
                snprintf(layer, sizeof(layer), "L%d", h->layer);
            fprintf(fp, "  %-4s %.19s  %.100s\n", layer, h->created ? h->created : "",
                    h->created_by ? h->created_by : h->comment ? h->comment : "");
        }
    }
    fputs("Layers\n", fp);
    for (size_t i = 0; i < nl; i++) {
        const dd_layer_desc *d = dd_image_layer(r->img, i);
        const dd_layer_stats *s = dd_walk_layer_stats(r->walk, i);

        total += s->uncompressed_bytes;
        ctotal += d->size;
        human_size(a, d->size);
        human_size(b, s->uncompressed_bytes);
        fprintf(fp, "  L%-3zu %.19s  %-5s %10s -> %10s  %6llu entries\n", i,
                d->digest ? d->digest : "(directory)", dd_compression_name(d->compression), a, b,
                (unsigned long long)s->entries);
        if (f->layers) {
            if (d->diff_id)
                fprintf(fp, "        diff_id %s\n", d->diff_id);
            if (d->media_type)
                fprintf(fp, "        media   %s\n", d->media_type);
            if (s->whiteouts || s->opaque_dirs)
                fprintf(fp, "        whiteouts %llu, opaque dirs %llu\n",
                        (unsigned long long)s->whiteouts, (unsigned long long)s->opaque_dirs);
        }
    }
    human_size(a, ctotal);
    human_size(b, total);
    fprintf(fp, "  total %s compressed, %s uncompressed, %zu files in the squashed view, %zu hidden\n",
            a, b, dd_walk_count(r->walk), dd_walk_hidden_count(r->walk));
    if (f->files) {
        fputs("Files\n", fp);
        for (size_t i = 0; i < dd_walk_count(r->walk); i++)
            print_entry_row(fp, dd_walk_entry(r->walk, i), false);
    }
    if (f->removed) {
        fputs("Removed (hidden by an upper layer)\n", fp);
        for (size_t i = 0; i < dd_walk_hidden_count(r->walk); i++)
            print_entry_row(fp, dd_walk_hidden(r->walk, i), true);
    }
}

static int register_os(dd_walk *w, const void *payload)
{
    const inspect_flags *f = payload;
    int rc = dd_os_register_captures(w);

    if (rc == DD_OK && f->hygiene)
        rc = dd_imgcheck_prepare(w);
    return rc;
}

int dd_cmd_inspect(const dd_command *cmd, int argc, char **argv)
{
    inspect_flags f = {.format = "table"};
    const dd_opt opts[] = {
        {'f', "format", DD_OPT_CHOICE, &f.format, NULL, "table|json", "output format"},
        {'o', "output", DD_OPT_STRING, &f.output, "FILE", NULL, "write to FILE instead of stdout"},
        {0, "layers", DD_OPT_FLAG, &f.layers, NULL, NULL, "show each layer's detail (table)"},
        {0, "files", DD_OPT_FLAG, &f.files, NULL, NULL, "list the squashed file tree"},
        {0, "removed", DD_OPT_FLAG, &f.removed, NULL, NULL,
         "list files that upper layers delete or replace"},
        {0, "hygiene", DD_OPT_FLAG, &f.hygiene, NULL, NULL,
         "wasted bytes per layer, caches and build tools left in the image"},
        DD_CLI_IMAGE_OPTS(&f.tag, &f.platform),
        {0},
    };
    inspect_result r = {0};
    dd_cli_out out = {0};
    bool help;
    int npos, rc;

    if ((rc = dd_opt_parse(cmd, opts, argc, argv, &npos, &help)) != 0 || help)
        return rc;
    if (npos != 1) {
        dd_cli_error("inspect: expected one IMAGE, got %d (see drydock inspect --help)", npos);
        return DD_EXIT_USAGE;
    }
    if ((rc = dd_cli_image_walk(&r.img, &r.walk, argv[0], f.tag, f.platform, register_os,
                                &f)) != 0)
        return rc;
    r.id = dd_image_identity_get(r.img);
    r.cfg = dd_image_config_get(r.img);
    if (f.hygiene && dd_hygiene_compute(&r.hygiene, r.cfg, r.walk) != DD_OK) {
        rc = dd_cli_fail();
        goto done;
    }
    if (dd_os_detect(&r.os, r.walk) == DD_EINVALID)
        dd_cli_error("warning: %s: %s", r.id->path, dd_error_message());
    if ((rc = dd_cli_out_open(&out, f.output)) != 0)
        goto done;
    if (strcmp(f.format, "json") == 0) {
        bool ok = write_json(out.fp, &r, &f);

        if (!ok)
            dd_cli_error("inspect: cannot write the JSON document");
        rc = dd_cli_out_close(&out, ok);
        if (!ok)
            rc = DD_EXIT_USAGE;
    } else {
        print_table(out.fp, &r, &f);
        if (r.hygiene) {
            fputc('\n', out.fp);
            if (dd_hygiene_write_text(out.fp, r.hygiene) != DD_OK)
                dd_cli_error("inspect: %s", dd_error_message());
        }
        rc = dd_cli_out_close(&out, !ferror(out.fp));
    }
done:
    dd_hygiene_free(r.hygiene);
    dd_os_info_free(r.os);
    dd_walk_free(r.walk);
    dd_image_free(r.img);
    return rc;
}
