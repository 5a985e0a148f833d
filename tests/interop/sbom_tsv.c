/* Prints an inventory as TSV for the interop tests: the one dd_sbom_read makes of an SBOM file,
 * or drydock's own catalog of an image; also writes drydock's own SBOM of an image.
 *
 *   sbom_tsv read SBOM              inventory of an SBOM written by any tool
 *   sbom_tsv image IMAGE            drydock's catalog of IMAGE (any form drydock opens)
 *   sbom_tsv write FORMAT IMAGE OUT drydock's SBOM of IMAGE (cyclonedx | spdx-json) into OUT
 *
 * Package lines: type, name, version, arch, source name, source version ("-" for none), sorted
 * as the inventory is. Lines starting with "#" carry the distribution ("# os ID VERSION
 * CODENAME") and each inventory warning ("# warning TEXT"). Exit 0, or 2 with the library's
 * message on stderr. */
#include <drydock/catalog.h>
#include <drydock/image.h>
#include <drydock/sbom.h>
#include <drydock/walk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int fail(const char *what)
{
    fprintf(stderr, "sbom_tsv: %s: %s\n", what, dd_error_message());
    return 2;
}

static const char *dash(const char *s)
{
    return s && *s ? s : "-";
}

static void print_inventory(const dd_inventory *inv)
{
    const dd_os_info *os = dd_inventory_os(inv);

    if (os)
        printf("# os %s %s %s\n", dash(os->id), dash(os->version_id), dash(os->version_codename));
    for (size_t i = 0; i < dd_inventory_warning_count(inv); i++)
        printf("# warning %s\n", dd_inventory_warning(inv, i));
    for (size_t i = 0; i < dd_inventory_count(inv); i++) {
        const dd_package *p = dd_inventory_get(inv, i);

        printf("%s\t%s\t%s\t%s\t%s\t%s\n", dd_pkg_type_name(p->type), dash(p->name),
               dash(p->version), dash(p->arch), dash(p->source_name), dash(p->source_version));
    }
}

static int read_sbom(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    size_t len = 0, alloc = 0, n;
    dd_inventory *inv = NULL;
    int rc;

    if (!f) {
        fprintf(stderr, "sbom_tsv: %s: cannot open\n", path);
        return 2;
    }
    do {
        if (len + 65536 > alloc) {
            char *grown = realloc(data, alloc = (len + 65536) * 2);

            if (!grown) {
                free(data);
                fclose(f);
                return 2;
            }
            data = grown;
        }
        n = fread(data + len, 1, alloc - len, f);
        len += n;
    } while (n > 0);
    fclose(f);
    rc = dd_sbom_read(&inv, path, data ? data : "", len);
    free(data);
    if (rc != DD_OK)
        return fail("read");
    print_inventory(inv);
    dd_inventory_free(inv);
    return 0;
}

static int catalog(dd_image **img_out, dd_walk **walk_out, dd_inventory **inv_out, const char *ref)
{
    dd_image_open_opts iopts = DD_IMAGE_OPEN_OPTS_INIT;
    dd_walk_opts wopts = DD_WALK_OPTS_INIT;
    dd_catalog_opts copts = DD_CATALOG_OPTS_INIT;

    if (dd_image_open(img_out, ref, &iopts) != DD_OK)
        return fail(ref);
    wopts.limits = *dd_image_limits(*img_out);
    if (dd_walk_new(walk_out, &wopts) != DD_OK || dd_catalog_register(*walk_out, &copts) != DD_OK ||
        dd_walk_run(*walk_out, *img_out) != DD_OK ||
        dd_catalog_run(inv_out, *walk_out, &copts) != DD_OK)
        return fail(ref);
    return 0;
}

static int image(const char *ref)
{
    dd_image *img = NULL;
    dd_walk *walk = NULL;
    dd_inventory *inv = NULL;
    int rc = catalog(&img, &walk, &inv, ref);

    if (rc == 0)
        print_inventory(inv);
    dd_inventory_free(inv);
    dd_walk_free(walk);
    dd_image_free(img);
    return rc;
}

static int write_sbom(const char *format, const char *ref, const char *out_path)
{
    dd_image *img = NULL;
    dd_walk *walk = NULL;
    dd_inventory *inv = NULL;
    dd_sbom_opts opts = DD_SBOM_OPTS_INIT;
    dd_sbom_subject subject = {.name = ref};
    char *doc = NULL;
    size_t len = 0;
    FILE *f;
    int rc;

    if (strcmp(format, "spdx-json") == 0)
        opts.format = DD_SBOM_SPDX_JSON;
    else if (strcmp(format, "cyclonedx") != 0) {
        fprintf(stderr, "sbom_tsv: unknown format %s\n", format);
        return 2;
    }
    opts.timestamp = (int64_t)time(NULL);
    if ((rc = catalog(&img, &walk, &inv, ref)) == 0) {
        if (dd_sbom_write(&doc, &len, inv, &subject, &opts) != DD_OK)
            rc = fail("write");
        else if (!(f = fopen(out_path, "wb")) || fwrite(doc, 1, len, f) != len || fclose(f) != 0) {
            fprintf(stderr, "sbom_tsv: %s: cannot write\n", out_path);
            rc = 2;
        }
    }
    dd_free(doc);
    dd_inventory_free(inv);
    dd_walk_free(walk);
    dd_image_free(img);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "read") == 0)
        return read_sbom(argv[2]);
    if (argc == 3 && strcmp(argv[1], "image") == 0)
        return image(argv[2]);
    if (argc == 5 && strcmp(argv[1], "write") == 0)
        return write_sbom(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: sbom_tsv read SBOM | image IMAGE | write FORMAT IMAGE OUT\n");
    return 2;
}
