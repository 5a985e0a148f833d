/* Unit tests for dd_walk_run over real image sources: the tiny OCI layout and docker-archive
 * of tests/data, and a rootfs directory opened with "dir:". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drydock/walk.h>

static const char *data_dir(void)
{
    const char *d = getenv("DD_TEST_DATA");

    return d ? d : "tests/data";
}

static dd_walk *walk_image(const char *ref, dd_image **img_out)
{
    dd_image_open_opts io = DD_IMAGE_OPEN_OPTS_INIT;
    dd_walk_opts wo = DD_WALK_OPTS_INIT;
    dd_image *img;
    dd_walk *w;
    int rc = dd_image_open(&img, ref, &io);

    if (rc != DD_OK)
        fail_msg("%s: %s", ref, dd_error_message());
    assert_int_equal(dd_walk_new(&w, &wo), DD_OK);
    assert_int_equal(dd_walk_capture(w, "*os-release", 4096), DD_OK);
    rc = dd_walk_run(w, img);
    if (rc != DD_OK)
        fail_msg("%s: %s", ref, dd_error_message());
    *img_out = img;
    return w;
}

static const dd_entry *hidden_at(dd_walk *w, const char *path)
{
    for (size_t i = 0; i < dd_walk_hidden_count(w); i++)
        if (strcmp(dd_walk_hidden(w, i)->path, path) == 0)
            return dd_walk_hidden(w, i);
    return NULL;
}

static void check_tiny(dd_walk *w)
{
    const dd_entry *e;
    const void *data;
    size_t len;

    e = dd_walk_lookup(w, "etc/motd");
    assert_non_null(e);
    assert_int_equal(e->layer, 1);
    assert_int_equal(e->size, 9);
    assert_null(dd_walk_lookup(w, "opt/app/.env"));
    assert_null(dd_walk_lookup(w, "opt/app/cache/a"));
    assert_non_null(dd_walk_lookup(w, "opt/app/cache/c"));
    e = dd_walk_lookup(w, "bin/hello-again");
    assert_int_equal(e->type, DD_FT_HARDLINK);
    assert_string_equal(e->link, "bin/hello");
    assert_int_equal(e->size, dd_walk_lookup(w, "bin/hello")->size);
    assert_int_equal(dd_walk_lookup(w, "bin/hello")->mode, 04755);
    assert_int_equal(dd_walk_resolve(w, "/etc/os-release", &e), DD_OK);
    assert_string_equal(e->path, "usr/lib/os-release");
    assert_int_equal(dd_walk_content(w, e, &data, &len, NULL), DD_OK);
    assert_non_null(memmem(data, len, "ID=tiny", 7));

    assert_int_equal(hidden_at(w, "etc/motd")->hidden, DD_HIDDEN_REPLACED);
    assert_int_equal(hidden_at(w, "opt/app/.env")->hidden, DD_HIDDEN_DELETED);
    assert_int_equal(hidden_at(w, "opt/app/cache/a")->hidden, DD_HIDDEN_OPAQUE);
    assert_int_equal(hidden_at(w, "opt/app/cache/b")->hidden_by, 1);
    assert_int_equal(dd_walk_hidden_count(w), 4);

    assert_int_equal(dd_walk_layer_count(w), 2);
    assert_int_equal(dd_walk_layer_stats(w, 1)->whiteouts, 1);
    assert_int_equal(dd_walk_layer_stats(w, 1)->opaque_dirs, 1);
    assert_true(dd_walk_layer_stats(w, 0)->uncompressed_bytes > 0);
    assert_true(dd_walk_layer_stats(w, 0)->compressed_bytes > 0);
}

static void tiny_oci_layout(void **state)
{
    char ref[1024];
    dd_image *img;
    dd_walk *w;

    snprintf(ref, sizeof(ref), "oci-dir:%s/tiny/oci", data_dir());
    w = walk_image(ref, &img);
    check_tiny(w);
    assert_true(dd_walk_layer_stats(w, 0)->compressed_bytes <
                dd_walk_layer_stats(w, 0)->uncompressed_bytes);
    dd_walk_free(w);
    dd_image_free(img);
}

static void tiny_docker_archive(void **state)
{
    char ref[1024];
    dd_image *img;
    dd_walk *w;

    snprintf(ref, sizeof(ref), "docker-archive:%s/tiny/tiny.docker-archive.tar", data_dir());
    w = walk_image(ref, &img);
    check_tiny(w);
    dd_walk_free(w);
    dd_image_free(img);
}

static void rootfs_via_image(void **state)
{
    const char *tmp = getenv("DD_TEST_TMP");
    char root[512], p[600], ref[700];
    const dd_entry *e;
    dd_image *img;
    dd_walk *w;

    if (!tmp)
        tmp = "/tmp";
    mkdir(tmp, 0755);
    snprintf(root, sizeof(root), "%s/walk-image-rootfs-%d", tmp, (int)getpid());
    assert_int_equal(mkdir(root, 0755), 0);
    snprintf(p, sizeof(p), "%s/usr", root);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof(p), "%s/usr/os-release", root);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("ID=dir\n", f);
    fclose(f);
    snprintf(p, sizeof(p), "%s/os-release", root);
    assert_int_equal(symlink("usr/os-release", p), 0);

    snprintf(ref, sizeof(ref), "dir:%s", root);
    w = walk_image(ref, &img);
    assert_int_equal(dd_walk_count(w), 3);
    assert_int_equal(dd_walk_resolve(w, "os-release", &e), DD_OK);
    assert_string_equal(e->path, "usr/os-release");
    assert_int_equal(e->size, 7);
    assert_int_equal(dd_walk_layer_count(w), 1);
    dd_walk_free(w);
    dd_image_free(img);

    unlink(p);
    snprintf(p, sizeof(p), "%s/usr/os-release", root);
    unlink(p);
    snprintf(p, sizeof(p), "%s/usr", root);
    rmdir(p);
    rmdir(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tiny_oci_layout),
        cmocka_unit_test(tiny_docker_archive),
        cmocka_unit_test(rootfs_via_image),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
