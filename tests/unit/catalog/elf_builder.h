/* Builds small ELF executables in memory for the ELF, Go and Rust unit tests: a read-only
 * segment, a writable one, optional named sections and section headers first (Go's linker) or
 * last (the GNU linkers), in either class and byte order. */
#ifndef DD_TEST_ELF_BUILDER_H
#define DD_TEST_ELF_BUILDER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TB_RO_OFF  0x400u /* file offset of the read-only segment */
#define TB_RO_ADDR 0x401000u
#define TB_RW_ADDR 0x600000u
#define TB_SEG_MAX 0x1000u /* room for each segment's bytes */

typedef struct {
    int is64, big;
    const unsigned char *ro; /* read-only segment bytes */
    size_t ro_len;
    const unsigned char *rw; /* writable segment bytes */
    size_t rw_len;
    /* sections: 0 none; .rodata and .data always when set; the build info section spans
     * rw[bi_off, bi_off + bi_len) when bi_len */
    int sections;
    size_t bi_off, bi_len;
    const char *bi_name;        /* ".go.buildinfo" by default */
    const unsigned char *extra; /* a non-alloc section after the segments (".dep-v0") */
    size_t extra_len;
    const char *extra_name;
    int shdrs_first; /* section headers right after the program headers */
} tb_spec;

typedef struct {
    unsigned char *data;
    size_t len;
} tb_file;

static inline void tb_put(const tb_spec *s, unsigned char *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[s->big ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

/* A word of the class: 4 or 8 bytes. */
static inline void tb_word(const tb_spec *s, unsigned char *p, uint64_t v)
{
    tb_put(s, p, v, s->is64 ? 8 : 4);
}

static inline size_t tb_strtab_add(char *tab, size_t *len, const char *name)
{
    size_t at = *len;

    memcpy(tab + at, name, strlen(name) + 1);
    *len += strlen(name) + 1;
    return at;
}

/* The pointer-width address of offset `off` in the read-only or writable segment. */
static inline uint64_t tb_ro_addr(size_t off)
{
    return TB_RO_ADDR + off;
}

static inline uint64_t tb_rw_addr(size_t off)
{
    return TB_RW_ADDR + off;
}

static inline tb_file tb_build(const tb_spec *s)
{
    size_t ehsize = s->is64 ? 64 : 52, phent = s->is64 ? 56 : 32, shent = s->is64 ? 64 : 40;
    size_t rw_off = TB_RO_OFF + TB_SEG_MAX, extra_off = rw_off + TB_SEG_MAX;
    size_t strtab_off = extra_off + s->extra_len, sh_off, nsec = 0, total;
    char strtab[256];
    size_t strtab_len = 1;
    unsigned char *f;
    struct {
        size_t name;
        uint32_t type;
        uint64_t flags, addr, off, size;
    } sec[8];

    strtab[0] = '\0';
    memset(sec, 0, sizeof(sec));
    nsec = 1; /* the null section */
    if (s->sections) {
        sec[nsec++] = (typeof(sec[0])){
            tb_strtab_add(strtab, &strtab_len, ".rodata"), 1, 2, TB_RO_ADDR, TB_RO_OFF, s->ro_len};
        sec[nsec++] = (typeof(sec[0])){
            tb_strtab_add(strtab, &strtab_len, ".data"), 1, 3, TB_RW_ADDR, rw_off, s->rw_len};
        if (s->bi_len)
            sec[nsec++] = (typeof(sec[0])){
                tb_strtab_add(strtab, &strtab_len, s->bi_name ? s->bi_name : ".go.buildinfo"),
                1,
                3,
                TB_RW_ADDR + s->bi_off,
                rw_off + s->bi_off,
                s->bi_len};
        if (s->extra_len)
            sec[nsec++] = (typeof(sec[0])){
                tb_strtab_add(strtab, &strtab_len, s->extra_name ? s->extra_name : ".dep-v0"),
                1,
                0,
                0,
                extra_off,
                s->extra_len};
        sec[nsec] = (typeof(sec[0])){
            tb_strtab_add(strtab, &strtab_len, ".shstrtab"), 3, 0, 0, strtab_off, 0};
        sec[nsec].size = strtab_len;
        nsec++;
    }
    sh_off = s->shdrs_first ? ehsize + 2 * phent : strtab_off + strtab_len;
    total = s->shdrs_first ? strtab_off + strtab_len : sh_off + (s->sections ? nsec * shent : 0);
    f = calloc(1, total);
    memcpy(f,
           "\x7f"
           "ELF",
           4);
    f[4] = s->is64 ? 2 : 1;
    f[5] = s->big ? 2 : 1;
    f[6] = 1;
    tb_put(s, f + 16, 2, 2); /* ET_EXEC */
    tb_put(s, f + 18, s->is64 ? 62 : 3, 2);
    tb_put(s, f + 20, 1, 4);
    if (s->is64) {
        tb_put(s, f + 32, ehsize, 8); /* phoff */
        tb_put(s, f + 40, s->sections ? sh_off : 0, 8);
        tb_put(s, f + 52, ehsize, 2);
        tb_put(s, f + 54, phent, 2);
        tb_put(s, f + 56, 2, 2);
        tb_put(s, f + 58, shent, 2);
        tb_put(s, f + 60, s->sections ? nsec : 0, 2);
        tb_put(s, f + 62, s->sections ? nsec - 1 : 0, 2);
    } else {
        tb_put(s, f + 28, ehsize, 4);
        tb_put(s, f + 32, s->sections ? sh_off : 0, 4);
        tb_put(s, f + 40, ehsize, 2);
        tb_put(s, f + 42, phent, 2);
        tb_put(s, f + 44, 2, 2);
        tb_put(s, f + 46, shent, 2);
        tb_put(s, f + 48, s->sections ? nsec : 0, 2);
        tb_put(s, f + 50, s->sections ? nsec - 1 : 0, 2);
    }
    for (int i = 0; i < 2; i++) {
        unsigned char *p = f + ehsize + i * phent;
        uint64_t off = i ? rw_off : TB_RO_OFF, addr = i ? TB_RW_ADDR : TB_RO_ADDR;
        uint64_t sz = i ? s->rw_len : s->ro_len;
        uint32_t flags = i ? 6 : 4; /* RW, R */

        tb_put(s, p, 1, 4); /* PT_LOAD */
        if (s->is64) {
            tb_put(s, p + 4, flags, 4);
            tb_put(s, p + 8, off, 8);
            tb_put(s, p + 16, addr, 8);
            tb_put(s, p + 24, addr, 8);
            tb_put(s, p + 32, sz, 8);
            tb_put(s, p + 40, sz, 8);
        } else {
            tb_put(s, p + 4, off, 4);
            tb_put(s, p + 8, addr, 4);
            tb_put(s, p + 12, addr, 4);
            tb_put(s, p + 16, sz, 4);
            tb_put(s, p + 20, sz, 4);
            tb_put(s, p + 24, flags, 4);
        }
    }
    memcpy(f + TB_RO_OFF, s->ro, s->ro_len);
    memcpy(f + rw_off, s->rw, s->rw_len);
    if (s->extra_len)
        memcpy(f + extra_off, s->extra, s->extra_len);
    if (s->sections)
        memcpy(f + strtab_off, strtab, strtab_len);
    for (size_t i = 0; s->sections && i < nsec; i++) {
        unsigned char *p = f + sh_off + i * shent;

        tb_put(s, p, sec[i].name, 4);
        tb_put(s, p + 4, sec[i].type, 4);
        tb_word(s, p + 8, sec[i].flags);
        tb_word(s, p + (s->is64 ? 16 : 12), sec[i].addr);
        tb_word(s, p + (s->is64 ? 24 : 16), sec[i].off);
        tb_word(s, p + (s->is64 ? 32 : 20), sec[i].size);
    }
    return (tb_file){f, total};
}

/* Appends Go's varint of `v` at p; returns the bytes written. */
static inline size_t tb_uvarint(unsigned char *p, uint64_t v)
{
    size_t n = 0;

    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

/* The cmd/go framing around module information. */
static const unsigned char tb_info_start[16] = {0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
                                                0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6};
static const unsigned char tb_info_end[16] = {0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
                                              0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2};

/* The modinfo string as the linker stores it: framed. Returns its length in out. */
static inline size_t tb_frame(unsigned char *out, const char *mod)
{
    size_t n = strlen(mod);

    memcpy(out, tb_info_start, 16);
    memcpy(out + 16, mod, n);
    memcpy(out + 16 + n, tb_info_end, 16);
    return n + 32;
}

/* A Go 1.18+ build info blob (inline strings) at rw[at]; returns its length. */
static inline size_t tb_inline_info(unsigned char *rw, size_t at, int ptr_size, int big,
                                    const char *vers, const char *mod)
{
    unsigned char *p = rw + at;
    size_t n = 32;

    memcpy(p, "\xff Go buildinf:", 14);
    p[14] = (unsigned char)ptr_size;
    p[15] = (unsigned char)(2 | (big ? 1 : 0));
    n += tb_uvarint(p + n, strlen(vers));
    memcpy(p + n, vers, strlen(vers));
    n += strlen(vers);
    if (mod) {
        unsigned char framed[4096];
        size_t fl = tb_frame(framed, mod);

        n += tb_uvarint(p + n, fl);
        memcpy(p + n, framed, fl);
        n += fl;
    } else {
        p[n++] = 0;
    }
    return n;
}

#endif
