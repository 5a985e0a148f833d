/* Unit tests for the Go binary cataloger: the build info in both formats, every class and byte
 * order, how it is found, the module information text, and the walk over a directory root and
 * a streamed layer. */
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

#include "catalog/elf_int.h"
#include "catalog/lang_int.h"
#include "walk/walk_int.h"
#include "unit/catalog/elf_builder.h"
#include <drydock/image.h>

static const char *const MODINFO = "path\texample.com/app/cmd/app\n"
                                   "mod\texample.com/app\tv1.4.0\th1:mainsum=\n"
                                   "dep\texample.com/lib\tv1.2.0\th1:libsum=\n"
                                   "dep\texample.com/orig\tv1.0.0\n"
                                   "=>\texample.com/fork\tv0.3.1\th1:forksum=\n"
                                   "\n"
                                   "dep\texample.com/local\tv0.0.0\n"
                                   "=>\t../local\t(devel)\t\n"
                                   "\n"
                                   "build\t-compiler=gc\n"
                                   "build\tGOOS=linux\n";

#include "pkglist_fixture.h"

/* "name version sum" of package i. */
static void expect_pkg(const dd_pkglist *l, size_t i, const char *name, const char *version,
                       const char *sum)
{
    assert_true(i < l->n);
    assert_int_equal(l->v[i].type, DD_PKG_GOLANG);
    assert_string_equal(l->v[i].name, name);
    assert_string_equal(l->v[i].version, version);
    if (sum)
        assert_string_equal(l->v[i].checksum, sum);
    else
        assert_null(l->v[i].checksum);
    assert_string_equal(l->v[i].path, "usr/bin/app");
}

/* Summarizes `file` and parses what it kept into f->list. Returns the number of warnings. */
static int read_binary(fixture *f, tb_file file)
{
    dd_buf out = DD_BUF_INIT;
    const unsigned char *rec, *vers = NULL;
    size_t pos = 0, rec_len, vers_len = 0;
    int tag, warnings = 0;

    assert_int_equal(dd_binary__summarize_file(&out, "usr/bin/app", file.data, file.len), DD_OK);
    while (dd_binary__next((const unsigned char *)out.data, out.len, &pos, &tag, &rec, &rec_len) ==
           1) {
        if (tag == DD_BINARY_WARNING)
            warnings++;
        if (tag == DD_BINARY_GO_VERSION) {
            vers = rec;
            vers_len = rec_len;
        }
        if (tag == DD_BINARY_GO_MODINFO)
            assert_int_equal(dd_gobin__parse(&f->list, "usr/bin/app", (const char *)vers, vers_len,
                                             (const char *)rec, rec_len),
                             DD_OK);
    }
    dd_buf_dispose(&out);
    free(file.data);
    return warnings;
}

static void expect_app(const dd_pkglist *l, const char *go)
{
    assert_int_equal(l->n, 5);
    expect_pkg(l, 0, "stdlib", go, NULL);
    expect_pkg(l, 1, "example.com/app", "v1.4.0", "h1:mainsum=");
    expect_pkg(l, 2, "example.com/lib", "v1.2.0", "h1:libsum=");
    /* a replacement module is what was built; a directory keeps the module's path */
    expect_pkg(l, 3, "example.com/fork", "v0.3.1", "h1:forksum=");
    expect_pkg(l, 4, "example.com/local", "(devel)", NULL);
}

/* Go 1.18+: the strings follow the header, in every class and byte order. */
static void inline_format(void **state)
{
    fixture *f = *state;

    for (int is64 = 0; is64 <= 1; is64++) {
        for (int big = 0; big <= 1; big++) {
            unsigned char ro[64] = {0}, rw[2048] = {0};
            tb_spec s = {.is64 = is64,
                         .big = big,
                         .ro = ro,
                         .ro_len = sizeof(ro),
                         .rw = rw,
                         .sections = 1,
                         .bi_off = 0x20};

            s.bi_len = tb_inline_info(rw, 0x20, is64 ? 8 : 4, big, "go1.19.8", MODINFO);
            s.rw_len = 0x20 + s.bi_len + 16;
            f->list.n = 0;
            assert_int_equal(read_binary(f, tb_build(&s)), 0);
            expect_app(&f->list, "1.19.8");
        }
    }
}

/* Go 1.13-1.17: pointers to the string headers of runtime.buildVersion and runtime.modinfo,
 * whose bytes lie in the read-only segment; with section headers first as Go's linker writes
 * them, and last. */
static void pointer_format(void **state)
{
    fixture *f = *state;

    for (int variant = 0; variant < 8; variant++) {
        int is64 = variant & 1, big = (variant >> 1) & 1, ps = is64 ? 8 : 4;
        unsigned char ro[2048] = {0}, rw[256] = {0};
        const char *vers = "go1.16.15";
        size_t mod_len = tb_frame(ro + 0x200, MODINFO);
        tb_spec s = {.is64 = is64,
                     .big = big,
                     .ro = ro,
                     .ro_len = 0x200 + mod_len,
                     .rw = rw,
                     .rw_len = sizeof(rw),
                     .sections = 1,
                     .bi_off = 0,
                     .bi_len = 32,
                     .shdrs_first = variant >> 2};

        memcpy(ro + 0x100, vers, strlen(vers));
        memcpy(rw, "\xff Go buildinf:", 14);
        rw[14] = (unsigned char)ps;
        rw[15] = (unsigned char)big;
        tb_put(&s, rw + 16, tb_rw_addr(0x40), ps);               /* &runtime.buildVersion */
        tb_put(&s, rw + 16 + ps, tb_rw_addr(0x40 + 2 * ps), ps); /* &runtime.modinfo */
        tb_put(&s, rw + 0x40, tb_ro_addr(0x100), ps);
        tb_put(&s, rw + 0x40 + ps, strlen(vers), ps);
        tb_put(&s, rw + 0x40 + 2 * ps, tb_ro_addr(0x200), ps);
        tb_put(&s, rw + 0x40 + 3 * ps, mod_len, ps);
        f->list.n = 0;
        assert_int_equal(read_binary(f, tb_build(&s)), 0);
        expect_app(&f->list, "1.16.15");
    }
}

/* Without section headers the first writable segment is searched for the 16-byte aligned
 * magic; with named sections but no .go.buildinfo the file is no Go binary. */
static void found_where_go_looks(void **state)
{
    fixture *f = *state;
    unsigned char ro[64] = {0}, rw[2048] = {0};
    tb_spec s = {.is64 = 1, .ro = ro, .ro_len = sizeof(ro), .rw = rw};
    size_t n;

    memcpy(rw + 0x08, "\xff Go buildinf:", 14); /* misaligned: skipped */
    n = tb_inline_info(rw, 0x50, 8, 0, "go1.21.0", "mod\texample.com/x\tv0.1.0\t\n");
    s.rw_len = 0x50 + n + 16;
    assert_int_equal(read_binary(f, tb_build(&s)), 0);
    assert_int_equal(f->list.n, 2);
    expect_pkg(&f->list, 0, "stdlib", "1.21.0", NULL);
    expect_pkg(&f->list, 1, "example.com/x", "v0.1.0", NULL);

    f->list.n = 0;
    s.sections = 1; /* .rodata and .data, no .go.buildinfo */
    assert_int_equal(read_binary(f, tb_build(&s)), 0);
    assert_int_equal(f->list.n, 0);

    /* a string running past its segment: debug/buildinfo calls that no Go binary */
    s.sections = 0;
    memset(rw, 0, sizeof(rw));
    n = tb_inline_info(rw, 0x50, 8, 0, "go1.21.0", NULL);
    rw[0x50 + 32] = 0x7f; /* the version claims 127 bytes */
    s.rw_len = 0x50 + n;
    assert_int_equal(read_binary(f, tb_build(&s)), 0);
    assert_int_equal(f->list.n, 0);
}

/* A file cut short inside its program headers or section headers is worth a warning. */
static void truncated_binary(void **state)
{
    fixture *f = *state;
    unsigned char ro[64] = {0}, rw[512] = {0};
    tb_spec s = {.is64 = 1, .ro = ro, .ro_len = sizeof(ro), .rw = rw, .sections = 1, .bi_off = 0};
    tb_file file;

    s.bi_len = tb_inline_info(rw, 0, 8, 0, "go1.20.1", MODINFO);
    s.rw_len = s.bi_len;
    file = tb_build(&s);
    file.len -= 100; /* into the section headers */
    assert_int_equal(read_binary(f, file), 1);
    assert_int_equal(f->list.n, 0);
}

static void modinfo_text(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *vers, *stdlib;
    } versions[] = {
        {"go1.22.3 X:boringcrypto", "1.22.3"},
        {"go1.26.0-X:nodwarf5", "1.26.0"},
        {"go1.21.4", "1.21.4"},
        {"devel go1.23-abcdef Tue Jan 1 00:00:00 2024 +0000", NULL},
    };

    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        f->list.n = 0;
        assert_int_equal(dd_gobin__parse(&f->list, "usr/bin/app", versions[i].vers,
                                         strlen(versions[i].vers), "", 0),
                         DD_OK);
        if (versions[i].stdlib) {
            assert_int_equal(f->list.n, 1);
            expect_pkg(&f->list, 0, "stdlib", versions[i].stdlib, NULL);
        } else {
            assert_int_equal(f->list.n, 0);
        }
    }
    /* a last line without its newline is not read, as Go does */
    f->list.n = 0;
    assert_int_equal(
        dd_gobin__parse(&f->list, "usr/bin/app", "go1.21.4", 8, "dep\ta\tv1\t\ndep\tb\tv2", 18),
        DD_OK);
    assert_int_equal(f->list.n, 2);
    expect_pkg(&f->list, 1, "a", "v1", NULL);
}

static void modinfo_damage(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *mod, *msg;
        size_t kept; /* packages read before the damage (stdlib included) */
    } cases[] = {
        {"dep\ta\tv1\nmod\tonly\n",
         "usr/bin/app: Go build info line 2: expected 2 or 3 columns; "
         "got 1",
         2},
        {"=>\tx\tv1\t\n",
         "usr/bin/app: Go build info line 1: replacement with no module on "
         "previous line",
         1},
        {"dep\ta\tv1\t\n=>\tb\tv2\n",
         "usr/bin/app: Go build info line 2: expected 3 columns "
         "for replacement; got 2",
         2},
        {"dep\ta\tv1\tx\ty\n",
         "usr/bin/app: Go build info line 1: expected 2 or 3 columns; "
         "got 4",
         1},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        f->list.n = 0;
        assert_int_equal(dd_gobin__parse(&f->list, "usr/bin/app", "go1.20", 6, cases[i].mod,
                                         strlen(cases[i].mod)),
                         DD_EINVALID);
        assert_string_equal(dd_error_message(), cases[i].msg);
        assert_int_equal(f->list.n, cases[i].kept);
    }
    f->list.n = 0;
    assert_int_equal(dd_gobin__parse(&f->list, "usr/bin/app", "go1.20", 6, "dep\t\xff\tv1\n", 9),
                     DD_EINVALID);
}

/* ---- through the walk: a directory root read where the extractor asks, and a tar layer ---- */

static void write_bytes(const char *root, const char *rel, const void *data, size_t len,
                        mode_t mode)
{
    char path[4200], *slash;
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(path, 0755);
        *slash = '/';
    }
    assert_non_null(fp = fopen(path, "wb"));
    assert_int_equal(fwrite(data, 1, len, fp), len);
    fclose(fp);
    chmod(path, mode);
}

static const dd_package *find(const dd_inventory *inv, const char *name, const char *path)
{
    for (size_t i = 0; i < dd_inventory_count(inv); i++) {
        const dd_package *p = dd_inventory_get(inv, i);

        if (p->type == DD_PKG_GOLANG && strcmp(p->name, name) == 0 && strcmp(p->path, path) == 0)
            return p;
    }
    return NULL;
}

static tb_file app_binary(int is64, int big)
{
    unsigned char ro[64] = {0}, rw[2048] = {0};
    tb_spec s = {.is64 = is64,
                 .big = big,
                 .ro = ro,
                 .ro_len = sizeof(ro),
                 .rw = rw,
                 .sections = 1,
                 .bi_off = 0x10};

    s.bi_len = tb_inline_info(rw, 0x10, is64 ? 8 : 4, big, "go1.19.8", MODINFO);
    s.rw_len = 0x10 + s.bi_len;
    return tb_build(&s);
}

static void check_walked(const dd_inventory *inv)
{
    const dd_package *p;

    assert_int_equal(dd_inventory_count(inv), 10);
    assert_non_null(p = find(inv, "stdlib", "usr/bin/app"));
    assert_string_equal(p->purl, "pkg:golang/stdlib@1.19.8");
    assert_non_null(p = find(inv, "example.com/fork", "opt/App/bin/app32be"));
    assert_string_equal(p->purl, "pkg:golang/example.com/fork@v0.3.1");
    assert_string_equal(p->checksum, "h1:forksum=");
    assert_string_equal(p->db_path, "opt/App/bin/app32be");
    /* not executable: not read (as Trivy); a script: 4 bytes read, nothing found */
    assert_null(find(inv, "stdlib", "usr/lib/app.so"));
}

static void walk_directory_root(void **state)
{
    const char *tmp = getenv("DD_TEST_TMP");
    char root[4096], ref[4200];
    tb_file a = app_binary(1, 0), b = app_binary(0, 1);
    dd_catalog_opts co = DD_CATALOG_OPTS_INIT;
    dd_walk_opts wo = DD_WALK_OPTS_INIT;
    dd_image *img = NULL;
    dd_walk *w = NULL;
    dd_inventory *inv = NULL;

    (void)state;
    snprintf(root, sizeof(root), "%s/gobin-%d", tmp ? tmp : "/tmp", (int)getpid());
    mkdir(tmp ? tmp : "/tmp", 0755);
    mkdir(root, 0755);
    write_bytes(root, "usr/bin/app", a.data, a.len, 0755);
    write_bytes(root, "opt/App/bin/app32be", b.data, b.len, 0750);
    write_bytes(root, "usr/lib/app.so", a.data, a.len, 0644);
    write_bytes(root, "usr/bin/script", "#!/bin/sh\n", 10, 0755);
    co.pkg_types = 1u << DD_PKG_GOLANG;
    snprintf(ref, sizeof(ref), "dir:%s", root);
    assert_int_equal(dd_image_open(&img, ref, NULL), DD_OK);
    assert_int_equal(dd_walk_new(&w, &wo), DD_OK);
    dd_walk_set_captures_only(w, 1);
    assert_int_equal(dd_catalog_register(w, &co), DD_OK);
    assert_int_equal(dd_walk_run(w, img), DD_OK);
    assert_int_equal(dd_catalog_run(&inv, w, &co), DD_OK);
    check_walked(inv);
    dd_inventory_free(inv);
    dd_walk_free(w);
    dd_image_free(img);
    free(a.data);
    free(b.data);
}

/* A ustar member header for `name` of `size` bytes with `mode`. */
static void tar_header(unsigned char *h, const char *name, size_t size, unsigned mode)
{
    unsigned sum = 0;

    memset(h, 0, 512);
    snprintf((char *)h, 100, "%s", name);
    snprintf((char *)h + 100, 8, "%07o", mode);
    snprintf((char *)h + 108, 8, "%07o", 0);
    snprintf((char *)h + 116, 8, "%07o", 0);
    snprintf((char *)h + 124, 12, "%011zo", size);
    snprintf((char *)h + 136, 12, "%011o", 0);
    memset(h + 148, ' ', 8);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
}

static size_t tar_add(unsigned char *t, size_t at, const char *name, const void *data, size_t len,
                      unsigned mode)
{
    tar_header(t + at, name, len, mode);
    memcpy(t + at + 512, data, len);
    return at + 512 + (len + 511) / 512 * 512;
}

static void walk_streamed_layer(void **state)
{
    tb_file a = app_binary(1, 0), b = app_binary(0, 1);
    size_t cap = 2 * (a.len + b.len) + 16384, n = 0;
    unsigned char *t = calloc(1, cap);
    dd_catalog_opts co = DD_CATALOG_OPTS_INIT;
    dd_walk_opts wo = DD_WALK_OPTS_INIT;
    dd_walk *w = NULL;
    dd_inventory *inv = NULL;
    const void *bufs[1];
    size_t lens[1];

    (void)state;
    n = tar_add(t, n, "usr/bin/app", a.data, a.len, 0755);
    n = tar_add(t, n, "opt/App/bin/app32be", b.data, b.len, 0750);
    n = tar_add(t, n, "usr/lib/app.so", a.data, a.len, 0644);
    n = tar_add(t, n, "usr/bin/script", "#!/bin/sh\n", 10, 0755);
    n += 1024;
    bufs[0] = t;
    lens[0] = n;
    co.pkg_types = 1u << DD_PKG_GOLANG;
    assert_int_equal(dd_walk_new(&w, &wo), DD_OK);
    assert_int_equal(dd_catalog_register(w, &co), DD_OK);
    /* 700-byte pieces: the head and every range arrive split */
    assert_int_equal(dd_walk__run_buffers(w, "layer", bufs, lens, 1, 700), DD_OK);
    assert_int_equal(dd_catalog_run(&inv, w, &co), DD_OK);
    check_walked(inv);
    dd_inventory_free(inv);
    dd_walk_free(w);
    free(t);
    free(a.data);
    free(b.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(inline_format, setup, teardown),
        cmocka_unit_test_setup_teardown(pointer_format, setup, teardown),
        cmocka_unit_test_setup_teardown(found_where_go_looks, setup, teardown),
        cmocka_unit_test_setup_teardown(truncated_binary, setup, teardown),
        cmocka_unit_test_setup_teardown(modinfo_text, setup, teardown),
        cmocka_unit_test_setup_teardown(modinfo_damage, setup, teardown),
        cmocka_unit_test(walk_directory_root),
        cmocka_unit_test(walk_streamed_layer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
