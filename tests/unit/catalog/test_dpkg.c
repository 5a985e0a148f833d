/* Unit tests for the dpkg status parser and the dpkg cataloger over a root filesystem. */
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

#include "catalog/catalog_int.h"
#include <drydock/image.h>

#include "pkglist_fixture.h"

static const char status[] =
    "Package: libc6\nStatus: install ok installed\nPriority: optional\nSection: libs\n"
    "Installed-Size: 12986\nMaintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>\n"
    "Architecture: amd64\nMulti-Arch: same\nSource: glibc\nVersion: 2.36-9+deb12u4\n"
    "Depends: libgcc-s1\nConffiles:\n /etc/ld.so.conf.d/x86_64-linux-gnu.conf abc\n"
    "Description: GNU C Library: Shared libraries\n Contains the standard libraries.\n .\n more\n\n"
    "Package: old-config\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1\n\n"
    "Package: libgcc-s1\nstatus: hold ok installed\nArchitecture: amd64\n"
    "Source: gcc-12 (12.2.0-14)\nVersion: 12.2.0-14\n\n"
    "Package: bsdutils\nStatus: install ok installed\nArchitecture: amd64\n"
    "Source: util-linux (2.38.1-5)\nVersion: 1:2.38.1-5+b1\n\n";

static void parses_installed_packages(void **state)
{
    fixture *f = *state;
    const dd_package *p;

    assert_int_equal(dd_dpkg__parse_status(&f->list, "var/lib/dpkg/status", status,
                                           strlen(status), 0),
                     DD_OK);
    assert_int_equal(f->list.n, 3); /* config-files is not installed */
    p = &f->list.v[0];
    assert_int_equal(p->type, DD_PKG_DEB);
    assert_string_equal(p->name, "libc6");
    assert_string_equal(p->version, "2.36-9+deb12u4");
    assert_string_equal(p->arch, "amd64");
    assert_string_equal(p->source_name, "glibc");
    assert_string_equal(p->source_version, "2.36-9+deb12u4");
    assert_string_equal(p->maintainer, "GNU Libc Maintainers <debian-glibc@lists.debian.org>");
    assert_string_equal(p->description, "GNU C Library: Shared libraries");
    assert_int_equal(p->installed_size, 12986 * 1024);
    p = &f->list.v[1];
    assert_string_equal(p->name, "libgcc-s1");
    assert_string_equal(p->source_name, "gcc-12");
    assert_string_equal(p->source_version, "12.2.0-14");
    p = &f->list.v[2];
    assert_string_equal(p->version, "1:2.38.1-5+b1");
    assert_string_equal(p->source_version, "2.38.1-5");
}

static void damage_names_file_and_line(void **state)
{
    fixture *f = *state;
    const char cont[] = " leading continuation\n";
    const char nocolon[] = "Package: a\nStatus: install ok installed\nVersion: 1\n\nPackage b\n";
    const char nover[] = "Package: a\nStatus: install ok installed\nArchitecture: all\n\n";
    const char badstatus[] = "Package: a\nStatus: installed\nVersion: 1\n\n";
    const char badsrc[] = "Package: a\nStatus: install ok installed\nSource: x (1\nVersion: 1\n\n";

    assert_int_equal(dd_dpkg__parse_status(&f->list, "st", cont, strlen(cont), 0), DD_EINVALID);
    assert_string_equal(dd_error_message(), "st:1: continuation line outside a field");
    assert_int_equal(dd_dpkg__parse_status(&f->list, "st", nocolon, strlen(nocolon), 0),
                     DD_EINVALID);
    assert_string_equal(dd_error_message(), "st:5: not a \"Field: value\" line");
    assert_int_equal(f->list.n, 1); /* the package before the damage */
    assert_int_equal(dd_dpkg__parse_status(&f->list, "st", nover, strlen(nover), 0), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "st:1: installed package a has no Version:"));
    assert_int_equal(dd_dpkg__parse_status(&f->list, "st", badstatus, strlen(badstatus), 0),
                     DD_EINVALID);
    assert_int_equal(dd_dpkg__parse_status(&f->list, "st", badsrc, strlen(badsrc), 0),
                     DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "st:3:"));
}

static void truncation(void **state)
{
    fixture *f = *state;
    size_t cut = strlen(status) - 20; /* inside the last field name */

    assert_int_equal(dd_dpkg__parse_status(&f->list, "st", status, cut, 0), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "st:34:"));
    assert_int_equal(f->list.n, 2);
    dd_pkglist__dispose(&f->list);
    /* cut at a line end: the open paragraph is the damage */
    assert_int_equal(dd_dpkg__parse_status(&f->list, "st", status, strlen(status) - 1, 0),
                     DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "truncated"));
    assert_int_equal(f->list.n, 2);
    /* the same cut in a distroless status.d file (no blank line needed) still reads it */
    dd_pkglist__dispose(&f->list);
    assert_int_equal(dd_dpkg__parse_status(&f->list, "sd", status, strlen(status) - 1, 1), DD_OK);
}

static void status_d_needs_no_status(void **state)
{
    fixture *f = *state;
    const char sd[] = "Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n";

    assert_int_equal(dd_dpkg__parse_status(&f->list, "var/lib/dpkg/status.d/tzdata", sd,
                                           strlen(sd), 1),
                     DD_OK);
    assert_int_equal(f->list.n, 1);
    assert_string_equal(f->list.v[0].source_name, "tzdata");
}

static void file_lists(void **state)
{
    fixture *f = *state;
    const char list[] = "/.\n/usr\n/usr/bin/bash\n/usr/share/doc/bash/copyright\n";
    const char md5[] = "0123456789abcdef0123456789abcdef  usr/bin/bash\n"
                       "fedcba9876543210fedcba9876543210  etc/bash.bashrc\n";
    const char **v;
    size_t n;

    assert_int_equal(dd_dpkg__parse_filelist(&v, &n, f->arena, list, strlen(list), 0), DD_OK);
    assert_int_equal(n, 3);
    assert_string_equal(v[0], "usr");
    assert_string_equal(v[1], "usr/bin/bash");
    assert_int_equal(dd_dpkg__parse_filelist(&v, &n, f->arena, md5, strlen(md5), 1), DD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[1], "etc/bash.bashrc");
}

/* --- through the walk: a distroless-style root filesystem --- */

static void write_file(const char *root, const char *rel, const char *text)
{
    char path[4096], dir[4096];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    for (char *s = strchr(path + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
        snprintf(dir, sizeof(dir), "%.*s", (int)(s - path), path);
        mkdir(dir, 0755);
    }
    assert_non_null(fp = fopen(path, "w"));
    fputs(text, fp);
    fclose(fp);
}

static void distroless_rootfs(void **state)
{
    const char *tmp = getenv("DD_TEST_TMP");
    char root[4096], ref[4200];
    dd_image *img = NULL;
    dd_walk *w = NULL;
    dd_walk_opts wo = DD_WALK_OPTS_INIT;
    dd_catalog_opts co = DD_CATALOG_OPTS_INIT;
    dd_inventory *inv = NULL;
    const dd_package *p;

    snprintf(root, sizeof(root), "%s/distroless-%d", tmp ? tmp : "/tmp", (int)getpid());
    mkdir(tmp ? tmp : "/tmp", 0755);
    mkdir(root, 0755);
    write_file(root, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
    write_file(root, "var/lib/dpkg/status.d/base-files",
               "Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n");
    write_file(root, "var/lib/dpkg/status.d/base-files.md5sums",
               "0123456789abcdef0123456789abcdef  etc/debian_version\n");
    write_file(root, "var/lib/dpkg/status.d/libssl3",
               "Package: libssl3\nVersion: 3.0.13-1~deb12u1\nArchitecture: amd64\n"
               "Source: openssl\n");
    write_file(root, "usr/share/doc/libssl3/copyright",
               "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
               "Source: https://www.openssl.org/\n\nFiles: *\nCopyright: 1998-2021 OpenSSL\n"
               "License: Apache-2.0\n\nLicense: Apache-2.0\n text\n");
    snprintf(ref, sizeof(ref), "dir:%s", root);
    assert_int_equal(dd_image_open(&img, ref, NULL), DD_OK);
    assert_int_equal(dd_walk_new(&w, &wo), DD_OK);
    assert_int_equal(dd_catalog_register(w, &co), DD_OK);
    assert_int_equal(dd_walk_run(w, img), DD_OK);
    assert_int_equal(dd_catalog_run(&inv, w, &co), DD_OK);
    assert_int_equal(dd_inventory_count(inv), 2);
    p = dd_inventory_get(inv, 0);
    assert_string_equal(p->name, "base-files");
    assert_string_equal(p->db_path, "var/lib/dpkg/status.d/base-files");
    assert_int_equal(p->n_files, 1);
    assert_string_equal(p->files[0], "etc/debian_version");
    assert_string_equal(p->purl, "pkg:deb/debian/base-files@12.4%2Bdeb12u5?arch=amd64&distro=debian-12");
    p = dd_inventory_get(inv, 1);
    assert_string_equal(p->name, "libssl3");
    assert_string_equal(p->source_name, "openssl");
    assert_int_equal(p->n_licenses, 1);
    assert_string_equal(p->licenses[0], "Apache-2.0");
    assert_string_equal(p->purl,
                        "pkg:deb/debian/libssl3@3.0.13-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl");
    dd_inventory_free(inv);
    /* a damaged paragraph file: warning, the other packages, DD_EINVALID */
    write_file(root, "var/lib/dpkg/status.d/zz-broken", "Package: zz\nno colon here\n");
    dd_walk_free(w);
    dd_image_free(img);
    assert_int_equal(dd_image_open(&img, ref, NULL), DD_OK);
    assert_int_equal(dd_walk_new(&w, &wo), DD_OK);
    assert_int_equal(dd_catalog_register(w, &co), DD_OK);
    assert_int_equal(dd_walk_run(w, img), DD_OK);
    assert_int_equal(dd_catalog_run(&inv, w, &co), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "var/lib/dpkg/status.d/zz-broken:2:"));
    assert_int_equal(dd_inventory_count(inv), 2);
    assert_int_equal(dd_inventory_warning_count(inv), 1);
    dd_inventory_free(inv);
    co.best_effort = 1;
    assert_int_equal(dd_catalog_run(&inv, w, &co), DD_OK);
    assert_int_equal(dd_inventory_count(inv), 2);
    dd_inventory_free(inv);
    dd_walk_free(w);
    dd_image_free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(parses_installed_packages, setup, teardown),
        cmocka_unit_test_setup_teardown(damage_names_file_and_line, setup, teardown),
        cmocka_unit_test_setup_teardown(truncation, setup, teardown),
        cmocka_unit_test_setup_teardown(status_d_needs_no_status, setup, teardown),
        cmocka_unit_test_setup_teardown(file_lists, setup, teardown),
        cmocka_unit_test(distroless_rootfs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
