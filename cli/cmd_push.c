/* drydock push: an image's inventory (cataloged here, sent as CycloneDX) or an SBOM file, with
 * the image's identity, to the fleet server. */
#include "cli.h"
#include "fleet_cli.h"

#include <drydock/catalog.h>
#include <drydock/image.h>
#include <drydock/sbom.h>
#include <drydock/walk.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SBOM_FILE_BYTES (512u << 20)
#define MAX_REPEATED        64

typedef struct {
    const char *server, *name, *digest, *base_image, *api_key, *platform, *format;
    const char *tags[MAX_REPEATED + 1];
    size_t n_tags;
    const char *labels[MAX_REPEATED];
    size_t n_labels;
    const char *tag_unused, *label_unused; /* the table rows of the repeatable options */
} push_flags;

/* --tag and --label may be given many times: they are taken out of argv before the table
 * parses the rest (the table still lists them for --help). */
static int take_repeated(push_flags *f, int *argc, char **argv)
{
    int w = 1;

    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i], *v = NULL;
        bool is_tag = false, is_label = false;

        if (strcmp(a, "--") == 0) {
            while (i < *argc)
                argv[w++] = argv[i++];
            break;
        }
        if (strcmp(a, "--tag") == 0 || strcmp(a, "--label") == 0) {
            if (i + 1 >= *argc) {
                dd_cli_error("push: %s needs a value", a);
                return DD_EXIT_USAGE;
            }
            is_tag = a[2] == 't';
            is_label = !is_tag;
            v = argv[++i];
        } else if (strncmp(a, "--tag=", 6) == 0) {
            is_tag = true;
            v = a + 6;
        } else if (strncmp(a, "--label=", 8) == 0) {
            is_label = true;
            v = a + 8;
        }
        if (!v) {
            argv[w++] = argv[i];
            continue;
        }
        if ((is_tag && f->n_tags >= MAX_REPEATED) || (is_label && f->n_labels >= MAX_REPEATED)) {
            dd_cli_error("push: at most %d --tag and %d --label", MAX_REPEATED, MAX_REPEATED);
            return DD_EXIT_USAGE;
        }
        if (is_label && (!strchr(v, '=') || v[0] == '=')) {
            dd_cli_error("push: --label needs KEY=VALUE, not \"%s\"", v);
            return DD_EXIT_USAGE;
        }
        if (is_tag)
            f->tags[f->n_tags++] = v;
        else
            f->labels[f->n_labels++] = v;
    }
    argv[w] = NULL;
    *argc = w;
    return 0;
}

/* --name REPO[:TAG][@DIGEST] into the ref; the tag goes first in the tag list. `name` is
 * modified (cut at ':' and '@'). */
static int split_name(push_flags *f, char *name, dd_fleet_image_ref *ref)
{
    char *at = strchr(name, '@'), *slash, *colon;

    if (at) {
        *at = '\0';
        if (!f->digest)
            f->digest = at + 1;
    }
    slash = strrchr(name, '/');
    colon = strrchr(slash ? slash : name, ':');
    if (colon) {
        *colon = '\0';
        memmove(f->tags + 1, f->tags, f->n_tags * sizeof(f->tags[0]));
        f->tags[0] = colon + 1;
        f->n_tags++;
        if (!*f->tags[0]) {
            dd_cli_error("push: --name has an empty tag after ':'");
            return DD_EXIT_USAGE;
        }
    }
    if (!*name) {
        dd_cli_error("push: --name needs a repository, as in registry.example/app:1.4");
        return DD_EXIT_USAGE;
    }
    ref->repository = name;
    return 0;
}

/* An SBOM is a JSON document: a file whose first non-blank byte is '{'. Anything else is an
 * image (an archive, a layout or rootfs directory, a prefixed or registry reference). */
static bool is_sbom_file(const char *path)
{
    struct stat st;
    FILE *fp;
    int ch;

    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || !(fp = fopen(path, "rb")))
        return false;
    while ((ch = fgetc(fp)) == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
        ;
    fclose(fp);
    return ch == '{';
}

static int read_sbom_file(const char *path, char **out, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    struct stat st;
    char *buf;

    if (!fp || fstat(fileno(fp), &st) != 0) {
        dd_cli_error("push: %s: %s", path, strerror(errno));
        if (fp)
            fclose(fp);
        return DD_EXIT_USAGE;
    }
    if ((uint64_t)st.st_size > MAX_SBOM_FILE_BYTES) {
        dd_cli_error("push: %s: %lld bytes, more than the %u MiB an SBOM may have", path,
                     (long long)st.st_size, MAX_SBOM_FILE_BYTES >> 20);
        fclose(fp);
        return DD_EXIT_USAGE;
    }
    if (!(buf = malloc((size_t)st.st_size + 1)) ||
        fread(buf, 1, (size_t)st.st_size, fp) != (size_t)st.st_size) {
        dd_cli_error("push: %s: %s", path, buf ? "cannot read it whole" : "out of memory");
        free(buf);
        fclose(fp);
        return DD_EXIT_USAGE;
    }
    fclose(fp);
    *out = buf;
    *len = (size_t)st.st_size;
    return 0;
}

/* The image's CycloneDX, as `drydock sbom` writes it; *digest gets the image's digest (a
 * copy, NULL for a rootfs, which has none). */
static int image_cyclonedx(const char *ref, const char *platform, char **out, size_t *len,
                           char **digest)
{
    dd_catalog_opts copts = DD_CATALOG_OPTS_INIT;
    dd_sbom_opts sopts = DD_SBOM_OPTS_INIT;
    dd_sbom_subject subject = {0};
    dd_sbom_layer *layers = NULL;
    dd_image *img = NULL;
    dd_walk *walk = NULL;
    dd_inventory *inv = NULL;
    int rc, crc;

    *out = NULL;
    *digest = NULL;
    if ((rc = dd_cli_image_walk(&img, &walk, ref, NULL, platform, dd_cli_prepare_catalog,
                                &copts)) != 0)
        return rc;
    crc = dd_catalog_run(&inv, walk, &copts);
    if (crc != DD_OK) {
        /* a damaged package database would push a partial inventory as if it were whole */
        rc = dd_cli_fail();
        goto done;
    }
    dd_walk_free(walk);
    walk = NULL;
    if ((rc = dd_cli_sbom_subject(&subject, &layers, img)) != 0)
        goto done;
    if (dd_sbom_write(out, len, inv, &subject, &sopts) != DD_OK) {
        rc = dd_cli_fail();
        goto done;
    }
    if (subject.digest && !(*digest = strdup(subject.digest))) {
        dd_cli_error("push: out of memory");
        dd_free(*out);
        *out = NULL;
        rc = DD_EXIT_USAGE;
    }
done:
    free(layers);
    dd_inventory_free(inv);
    dd_walk_free(walk);
    dd_image_free(img);
    return rc;
}

static void print_answer_table(const json_t *a, const char *repository)
{
    printf("%s %s@%s: image %lld, %lld packages, %lld new package identities, %lld new "
           "findings\n",
           json_is_true(json_object_get(a, "created")) ? "pushed" : "updated", repository,
           json_string_value(json_object_get(a, "digest"))
               ? json_string_value(json_object_get(a, "digest"))
               : "?",
           (long long)json_integer_value(json_object_get(a, "image_id")),
           (long long)json_integer_value(json_object_get(a, "packages")),
           (long long)json_integer_value(json_object_get(a, "new_identities")),
           (long long)json_integer_value(json_object_get(a, "new_findings")));
}

static int send_push(dd_fleet_client *c, push_flags *f, dd_fleet_image_ref *ref,
                     const char *sbom, size_t len)
{
    json_t *answer = NULL;
    int rc = 0;

    ref->tags = f->tags;
    ref->n_tags = f->n_tags;
    ref->labels = f->labels;
    ref->n_labels = f->n_labels;
    ref->digest = f->digest;
    ref->base_image = f->base_image;
    if (dd_fleet_client_push(c, ref, sbom, len, &answer) != DD_OK) {
        dd_cli_error("push: %s", dd_error_message());
        rc = DD_EXIT_USAGE;
    } else if (strcmp(f->format, "json") == 0)
        rc = dd_cli_fleet_print_json(answer, NULL);
    else
        print_answer_table(answer, ref->repository);
    json_decref(answer);
    return rc;
}

int dd_cmd_push(const dd_command *cmd, int argc, char **argv)
{
    push_flags f = {.format = "table"};
    const dd_opt opts[] = {
        {0, "server", DD_OPT_STRING, &f.server, "URL", NULL,
         "the fleet server (default $DRYDOCK_SERVER)"},
        {0, "name", DD_OPT_STRING, &f.name, "REPO[:TAG]", NULL,
         "the image's repository and tag (required)"},
        {0, "tag", DD_OPT_STRING, &f.tag_unused, "TAG", NULL, "one more tag (repeatable)"},
        {0, "digest", DD_OPT_STRING, &f.digest, "sha256:HEX", NULL,
         "the image digest (default: the image's, or the SBOM's subject)"},
        {0, "base-image", DD_OPT_STRING, &f.base_image, "REF", NULL,
         "the image it is built on, as in debian:12"},
        {0, "label", DD_OPT_STRING, &f.label_unused, "KEY=VALUE", NULL,
         "a label to record (repeatable)"},
        {0, "api-key", DD_OPT_STRING, &f.api_key, "KEY", NULL,
         "a key of write scope (default $DRYDOCK_API_KEY)"},
        {0, "platform", DD_OPT_STRING, &f.platform, "OS/ARCH[/VARIANT]", NULL,
         "select this platform of a multi-platform index"},
        {'f', "format", DD_OPT_CHOICE, &f.format, NULL, "table|json",
         "answer format (default table)"},
        {0},
    };
    dd_fleet_image_ref ref = {0};
    dd_fleet_client *c = NULL;
    char *name = NULL, *sbom = NULL, *image_digest = NULL;
    size_t len = 0;
    bool help, from_image = false;
    int npos, rc;

    if ((rc = take_repeated(&f, &argc, argv)) != 0)
        return rc;
    if ((rc = dd_opt_parse(cmd, opts, argc, argv, &npos, &help)) != 0 || help)
        return rc;
    if (npos != 1) {
        dd_cli_error("push: expected one IMAGE or SBOM, got %d (see drydock push --help)", npos);
        return DD_EXIT_USAGE;
    }
    if (!f.name) {
        dd_cli_error("push: --name REPO:TAG is required");
        return DD_EXIT_USAGE;
    }
    if (!(name = strdup(f.name))) {
        dd_cli_error("push: out of memory");
        return DD_EXIT_USAGE;
    }
    if ((rc = split_name(&f, name, &ref)) != 0)
        goto done;
    /* the server and key are checked before an image is cataloged, which takes a while */
    if ((rc = dd_cli_fleet_client(&c, "push", f.server, f.api_key)) != 0)
        goto done;
    from_image = !is_sbom_file(argv[0]);
    if (from_image)
        rc = image_cyclonedx(argv[0], f.platform, &sbom, &len, &image_digest);
    else
        rc = read_sbom_file(argv[0], &sbom, &len);
    if (rc != 0)
        goto done;
    if (!f.digest)
        f.digest = image_digest;
    rc = send_push(c, &f, &ref, sbom, len);
done:
    dd_fleet_client_free(c);
    if (from_image)
        dd_free(sbom);
    else
        free(sbom);
    free(image_digest);
    free(name);
    return rc;
}
