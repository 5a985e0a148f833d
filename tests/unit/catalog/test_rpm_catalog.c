/* Unit tests for the rpm cataloger over a directory image: database discovery, symlinked
 * database directories, gpg-pubkey, package fields and damaged databases. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drydock/catalog.h>
#include <drydock/image.h>
#include <drydock/walk.h>

#include "util/util.h"

static char root[1024];

static void mkdirs(const char *rel)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/%.2048s", root, rel);
    for (char *p = path + strlen(root) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    mkdir(path, 0755);
}

static void put_file(const char *rel, const char *fixture, long corrupt_at)
{
    char src[4096], dst[4096];
    const char *data_dir = getenv("DD_TEST_DATA");
    dd_buf b = DD_BUF_INIT;
    FILE *f;

    snprintf(src, sizeof(src), "%.2048s/rpm/%.100s", data_dir ? data_dir : "tests/data", fixture);
    snprintf(dst, sizeof(dst), "%s/%.2048s", root, rel);
    assert_int_equal(dd_read_file(&b, src, 1u << 24), DD_OK);
    if (corrupt_at >= 0)
        memcpy(b.data + corrupt_at, "XXXX", 4);
    assert_non_null(f = fopen(dst, "wb"));
    assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
    fclose(f);
    dd_buf_dispose(&b);
}

static void make_root(const char *name)
{
    const char *tmp = getenv("DD_TEST_TMP");

    snprintf(root, sizeof(root), "%.900s/rpm-%s", tmp ? tmp : "/tmp", name);
    mkdir(tmp ? tmp : "/tmp", 0755);
    mkdirs("");
}

static int catalog(dd_inventory **inv, int best_effort)
{
    char ref[4200];
    dd_image *img = NULL;
    dd_walk *w = NULL;
    dd_image_open_opts io = DD_IMAGE_OPEN_OPTS_INIT;
    dd_walk_opts wo = DD_WALK_OPTS_INIT;
    dd_catalog_opts co = DD_CATALOG_OPTS_INIT;
    int rc;

    co.pkg_types = 1u << DD_PKG_RPM;
    co.best_effort = best_effort;
    snprintf(ref, sizeof(ref), "dir:%s", root);
    assert_int_equal(dd_image_open(&img, ref, &io), DD_OK);
    assert_int_equal(dd_walk_new(&w, &wo), DD_OK);
    assert_int_equal(dd_catalog_register(w, &co), DD_OK);
    assert_int_equal(dd_walk_run(w, img), DD_OK);
    rc = dd_catalog_run(inv, w, &co);
    dd_walk_free(w);
    dd_image_free(img);
    return rc;
}

static const dd_package *find(const dd_inventory *inv, const char *name, const char *db)
{
    for (size_t i = 0; i < dd_inventory_count(inv); i++) {
        const dd_package *p = dd_inventory_get(inv, i);

        if (strcmp(p->name, name) == 0 && strcmp(p->db_path, db) == 0)
            return p;
    }
    return NULL;
}

static void reads_every_location_once(void **state)
{
    dd_inventory *inv = NULL;
    const dd_package *p;
    char link[4096];

    make_root("locations");
    mkdirs("usr/lib/sysimage/rpm");
    mkdirs("var/lib");
    mkdirs("usr/share/rpm");
    put_file("usr/lib/sysimage/rpm/rpmdb.sqlite", "rpmdb.sqlite", -1);
    /* a leftover older format beside the live one is not read */
    put_file("usr/lib/sysimage/rpm/Packages", "Packages", -1);
    put_file("usr/share/rpm/Packages.db", "Packages.db", -1);
    snprintf(link, sizeof(link), "%s/var/lib/rpm", root);
    unlink(link);
    assert_int_equal(symlink("../../usr/lib/sysimage/rpm", link), 0);

    assert_int_equal(catalog(&inv, 0), DD_OK);
    /* five packages in each database; gpg-pubkey left out */
    assert_int_equal(dd_inventory_count(inv), 10);
    assert_null(find(inv, "gpg-pubkey", "usr/lib/sysimage/rpm/rpmdb.sqlite"));
    assert_non_null(p = find(inv, "alpha", "usr/lib/sysimage/rpm/rpmdb.sqlite"));
    assert_int_equal(p->type, DD_PKG_RPM);
    assert_string_equal(p->version, "1.2.3-4.dd12");
    assert_string_equal(p->epoch, "2");
    assert_string_equal(p->release, "4.dd12");
    assert_string_equal(p->arch, "noarch");
    assert_string_equal(p->source_name, "alpha");
    assert_string_equal(p->source_version, "1.2.3-4.dd12");
    assert_string_equal(p->license, "MIT");
    assert_string_equal(p->vendor, "Drydock Test Vendor");
    assert_int_equal(p->installed_size, 31);
    assert_int_equal(p->n_files, 2);
    assert_non_null(p->purl);
    assert_non_null(p = find(inv, "beta-doc", "usr/share/rpm/Packages.db"));
    assert_null(p->epoch);
    assert_null(p->vendor);
    assert_string_equal(p->source_name, "beta");
    assert_string_equal(p->files[0], "usr/share/doc/beta/README");
    assert_non_null(p = find(inv, "gamma", "usr/share/rpm/Packages.db"));
    assert_int_equal(p->n_files, 493);
    dd_inventory_free(inv);
}

static void damaged_database_names_the_file(void **state)
{
    dd_inventory *inv = NULL;

    make_root("damaged");
    mkdirs("var/lib/rpm");
    put_file("var/lib/rpm/Packages.db", "Packages.db", 64); /* a slot's magic */
    assert_int_equal(catalog(&inv, 0), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "var/lib/rpm/Packages.db: offset 64"));
    dd_inventory_free(inv);
    inv = NULL;
    assert_int_equal(catalog(&inv, 1), DD_OK);
    assert_int_equal(dd_inventory_warning_count(inv), 1);
    assert_non_null(strstr(dd_inventory_warning(inv, 0), "var/lib/rpm/Packages.db"));
    dd_inventory_free(inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_every_location_once),
        cmocka_unit_test(damaged_database_names_the_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
