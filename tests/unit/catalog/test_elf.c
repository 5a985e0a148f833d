/* Unit tests for the bounded ELF reader: both classes and byte orders, section lookup, virtual
 * address mapping, bounds on every table, and reading through kept chunks only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/elf_int.h"
#include "unit/catalog/elf_builder.h"

static tb_file sample(int is64, int big, int shdrs_first)
{
    static unsigned char ro[256], rw[128], dep[40];
    tb_spec s = {.is64 = is64,
                 .big = big,
                 .ro = ro,
                 .ro_len = sizeof(ro),
                 .rw = rw,
                 .rw_len = sizeof(rw),
                 .sections = 1,
                 .bi_off = 0x20,
                 .bi_len = 0x30,
                 .extra = dep,
                 .extra_len = sizeof(dep),
                 .shdrs_first = shdrs_first};

    for (size_t i = 0; i < sizeof(ro); i++)
        ro[i] = (unsigned char)i;
    memset(rw, 0xab, sizeof(rw));
    memset(dep, 'd', sizeof(dep));
    return tb_build(&s);
}

static void classes_and_byte_orders(void **state)
{
    (void)state;
    for (int v = 0; v < 8; v++) {
        tb_file f = sample(v & 1, (v >> 1) & 1, v >> 2);
        dd_elf_chunk c = {0, f.len, f.data};
        const dd_elf_shdr *sh;
        const unsigned char *p;
        uint64_t off, avail, got;
        dd_elf e;

        assert_int_equal(dd_elf__open(&e, "bin/x", f.len, &c, 1), DD_OK);
        assert_int_equal(e.is64, v & 1);
        assert_int_equal(e.big_endian, (v >> 1) & 1);
        assert_int_equal(e.type, 2);
        assert_int_equal(e.n_ph, 2);
        assert_int_equal(e.ph[1].flags, 6);
        assert_int_equal(e.ph[1].vaddr, TB_RW_ADDR);
        assert_int_equal(e.n_sh, 6);
        assert_non_null(sh = dd_elf__section(&e, ".go.buildinfo"));
        assert_int_equal(sh->addr, TB_RW_ADDR + 0x20);
        assert_int_equal(sh->size, 0x30);
        assert_non_null(sh = dd_elf__section(&e, ".dep-v0"));
        assert_int_equal(sh->size, 40);
        assert_int_equal(dd_elf__bytes(&e, sh->offset, sh->size, &p), DD_OK);
        assert_int_equal(p[39], 'd');
        assert_null(dd_elf__section(&e, ".text"));
        /* addresses map through the program headers, up to the end of the segment's file image */
        assert_int_equal(dd_elf__vaddr(&e, TB_RO_ADDR + 0x10, &off, &avail), DD_OK);
        assert_int_equal(off, TB_RO_OFF + 0x10);
        assert_int_equal(avail, 256 - 0x10);
        assert_int_equal(dd_elf__read_vaddr(&e, TB_RO_ADDR + 0xf0, 100, &p, &got), DD_OK);
        assert_int_equal(got, 16);
        assert_int_equal(p[0], 0xf0);
        assert_int_equal(dd_elf__vaddr(&e, TB_RO_ADDR + 256, &off, &avail), DD_ENOTFOUND);
        assert_int_equal(dd_elf__read_vaddr(&e, 0x10, 4, &p, &got), DD_ENOTFOUND);
        assert_false(e.missing);
        dd_elf__dispose(&e);
        free(f.data);
    }
}

/* Only what the chunks hold can be read; the first missing range is recorded. */
static void chunks(void **state)
{
    tb_file f = sample(1, 0, 0);
    dd_elf_chunk c[2] = {{0, 4096, f.data}, {0, 0, NULL}};
    const dd_elf_shdr *sh;
    dd_elf e;

    (void)state;
    assert_int_equal(dd_elf__open(&e, "bin/x", f.len, c, 1), DD_ENOTFOUND);
    assert_true(e.missing);
    assert_int_equal(e.need_off, e.shoff);
    assert_int_equal(e.n_ph, 2); /* read before the section headers were needed */
    dd_elf__dispose(&e);
    /* the section headers alone: the names are needed next */
    c[1] = (dd_elf_chunk){e.shoff, f.len - e.shoff, f.data + e.shoff};
    assert_int_equal(dd_elf__open(&e, "bin/x", f.len, c, 2), DD_ENOTFOUND);
    assert_true(e.need_off < e.shoff);
    dd_elf__dispose(&e);
    c[1] = (dd_elf_chunk){e.need_off, f.len - e.need_off, f.data + e.need_off};
    assert_int_equal(dd_elf__open(&e, "bin/x", f.len, c, 2), DD_OK);
    assert_non_null(sh = dd_elf__section(&e, ".go.buildinfo"));
    dd_elf__dispose(&e);
    free(f.data);
}

static void set16(unsigned char *p, int big, unsigned v)
{
    p[big ? 1 : 0] = (unsigned char)v;
    p[big ? 0 : 1] = (unsigned char)(v >> 8);
}

static void damage(void **state)
{
    tb_file f = sample(1, 1, 0);
    dd_elf_chunk c = {0, f.len, f.data};
    unsigned char *copy = malloc(f.len);
    dd_elf e;

    (void)state;
    /* not ELF, cut inside the header, unknown class */
    assert_int_equal(dd_elf__open(&e, "bin/x", 3, &c, 1), DD_EINVALID);
    assert_string_equal(dd_error_message(), "bin/x: ELF: truncated header");
    dd_elf__dispose(&e);
    assert_int_equal(dd_elf__open(&e, "bin/x", 40, &c, 1), DD_EINVALID);
    dd_elf__dispose(&e);
    memcpy(copy, f.data, f.len);
    c.data = copy;
    copy[4] = 3;
    assert_int_equal(dd_elf__open(&e, "bin/x", f.len, &c, 1), DD_EINVALID);
    assert_string_equal(dd_error_message(), "bin/x: ELF: unknown class 3");
    dd_elf__dispose(&e);
    copy[4] = 2;
    /* section headers past the end of a truncated file */
    assert_int_equal(dd_elf__open(&e, "bin/x", f.len - 10, &c, 1), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "beyond the end of the file"));
    dd_elf__dispose(&e);
    /* absurd counts and entry sizes */
    set16(copy + 56, 1, 0xffff);
    assert_int_equal(dd_elf__open(&e, "bin/x", f.len, &c, 1), DD_EINVALID);
    assert_string_equal(dd_error_message(), "bin/x: ELF: 65535 program headers");
    dd_elf__dispose(&e);
    set16(copy + 56, 1, 2);
    set16(copy + 58, 1, 12);
    assert_int_equal(dd_elf__open(&e, "bin/x", f.len, &c, 1), DD_EINVALID);
    dd_elf__dispose(&e);
    set16(copy + 58, 1, 64);
    /* a name table index out of range: the sections are read, nameless */
    set16(copy + 62, 1, 40);
    assert_int_equal(dd_elf__open(&e, "bin/x", f.len, &c, 1), DD_OK);
    assert_int_equal(e.n_sh, 6);
    assert_null(dd_elf__section(&e, ".dep-v0"));
    dd_elf__dispose(&e);
    free(copy);
    free(f.data);
}

/* 64-bit offsets near the top wrap nowhere. */
static void huge_offsets(void **state)
{
    tb_file f = sample(1, 0, 0);
    dd_elf_chunk c = {0, f.len, f.data};
    const unsigned char *p;
    dd_elf e;

    (void)state;
    assert_int_equal(dd_elf__open(&e, "bin/x", f.len, &c, 1), DD_OK);
    assert_int_equal(dd_elf__bytes(&e, UINT64_MAX - 2, 8, &p), DD_EINVALID);
    assert_int_equal(dd_elf__bytes(&e, 8, UINT64_MAX, &p), DD_EINVALID);
    assert_int_equal(dd_elf__bytes(&e, f.len, 0, &p), DD_OK);
    e.ph[1].offset = UINT64_MAX - 4;
    e.ph[1].filesz = 100;
    {
        uint64_t off, avail;

        assert_int_equal(dd_elf__vaddr(&e, TB_RW_ADDR + 50, &off, &avail), DD_ENOTFOUND);
    }
    dd_elf__dispose(&e);
    free(f.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classes_and_byte_orders),
        cmocka_unit_test(chunks),
        cmocka_unit_test(damage),
        cmocka_unit_test(huge_offsets),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
