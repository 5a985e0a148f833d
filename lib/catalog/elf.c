/* A small bounded ELF reader: header, program and section headers, section names and the mapping
 * of virtual addresses to file offsets, over whichever byte ranges of the file were kept. */
#include "catalog/elf_int.h"

#include <string.h>

#define EI_NIDENT 16

uint16_t dd_elf__u16(const dd_elf *e, const unsigned char *p)
{
    return e->big_endian ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

uint32_t dd_elf__u32(const dd_elf *e, const unsigned char *p)
{
    if (e->big_endian)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

uint64_t dd_elf__u64(const dd_elf *e, const unsigned char *p)
{
    uint64_t hi = dd_elf__u32(e, e->big_endian ? p : p + 4);
    uint64_t lo = dd_elf__u32(e, e->big_endian ? p + 4 : p);

    return hi << 32 | lo;
}

/* A 32- or 64-bit word ("Addr", "Off", "Xword") by class. */
static uint64_t word(const dd_elf *e, const unsigned char *p)
{
    return e->is64 ? dd_elf__u64(e, p) : dd_elf__u32(e, p);
}

int dd_elf__bytes(dd_elf *e, uint64_t off, uint64_t len, const unsigned char **out)
{
    *out = NULL;
    if (off > e->file_size || len > e->file_size - off)
        return dd_error_set(DD_EINVALID,
                            "%s: ELF: %llu bytes at offset %llu lie beyond the end of "
                            "the file (%llu bytes)",
                            e->path, (unsigned long long)len, (unsigned long long)off,
                            (unsigned long long)e->file_size);
    for (size_t i = 0; i < e->n_chunks; i++) {
        const dd_elf_chunk *c = &e->chunks[i];

        if (c->off <= off && off - c->off <= c->len && len <= c->len - (off - c->off)) {
            *out = c->data + (off - c->off);
            return DD_OK;
        }
    }
    if (!e->missing) {
        e->missing = 1;
        e->need_off = off;
        e->need_len = len;
    }
    return dd_error_set(DD_ENOTFOUND, "%s: ELF: %llu bytes at offset %llu were not kept", e->path,
                        (unsigned long long)len, (unsigned long long)off);
}

static int parse_phdrs(dd_elf *e, uint64_t phoff, uint16_t entsize, uint32_t n)
{
    const unsigned char *p;
    size_t need = e->is64 ? 56 : 32;
    int rc;

    if (n == 0)
        return DD_OK;
    if (entsize < need)
        return dd_error_set(DD_EINVALID, "%s: ELF: program header entries of %u bytes", e->path,
                            entsize);
    if (n > DD_ELF_MAX_PHDRS)
        return dd_error_set(DD_EINVALID, "%s: ELF: %u program headers", e->path, n);
    if ((rc = dd_elf__bytes(e, phoff, (uint64_t)entsize * n, &p)) != DD_OK)
        return rc;
    if (!(e->ph = dd_calloc(n, sizeof(*e->ph))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++, p += entsize) {
        dd_elf_phdr *h = &e->ph[i];

        h->type = dd_elf__u32(e, p);
        if (e->is64) {
            h->flags = dd_elf__u32(e, p + 4);
            h->offset = dd_elf__u64(e, p + 8);
            h->vaddr = dd_elf__u64(e, p + 16);
            h->filesz = dd_elf__u64(e, p + 32);
            h->memsz = dd_elf__u64(e, p + 40);
        } else {
            h->offset = dd_elf__u32(e, p + 4);
            h->vaddr = dd_elf__u32(e, p + 8);
            h->filesz = dd_elf__u32(e, p + 16);
            h->memsz = dd_elf__u32(e, p + 20);
            h->flags = dd_elf__u32(e, p + 24);
        }
    }
    e->n_ph = n;
    return DD_OK;
}

static void read_shdr(const dd_elf *e, const unsigned char *p, dd_elf_shdr *h, uint32_t *name,
                      uint32_t *link)
{
    *name = dd_elf__u32(e, p);
    h->type = dd_elf__u32(e, p + 4);
    h->flags = word(e, p + 8);
    h->addr = word(e, e->is64 ? p + 16 : p + 12);
    h->offset = word(e, e->is64 ? p + 24 : p + 16);
    h->size = word(e, e->is64 ? p + 32 : p + 20);
    *link = dd_elf__u32(e, e->is64 ? p + 40 : p + 24);
    h->name = "";
}

static int parse_shdrs(dd_elf *e, uint64_t shoff, uint16_t entsize, uint32_t n, uint32_t strndx)
{
    const unsigned char *p, *names = NULL;
    size_t need = e->is64 ? 64 : 40;
    uint32_t *name_off = NULL, link;
    dd_elf_shdr first;
    uint64_t names_len = 0;
    int rc;

    if (shoff == 0)
        return DD_OK;
    if (entsize < need)
        return dd_error_set(DD_EINVALID, "%s: ELF: section header entries of %u bytes", e->path,
                            entsize);
    /* more than 0xff00 sections, or the name table's index past 0xff00: the real values are in
     * the first section header */
    if (n == 0 || strndx == 0xffff) {
        uint32_t name0;

        if ((rc = dd_elf__bytes(e, shoff, entsize, &p)) != DD_OK)
            return rc;
        read_shdr(e, p, &first, &name0, &link);
        if (n == 0)
            n = first.size > DD_ELF_MAX_SHDRS ? DD_ELF_MAX_SHDRS + 1 : (uint32_t)first.size;
        if (strndx == 0xffff)
            strndx = link;
    }
    if (n == 0)
        return DD_OK;
    if (n > DD_ELF_MAX_SHDRS)
        return dd_error_set(DD_EINVALID, "%s: ELF: %u section headers", e->path, n);
    if ((rc = dd_elf__bytes(e, shoff, (uint64_t)entsize * n, &p)) != DD_OK)
        return rc;
    if (!(e->sh = dd_calloc(n, sizeof(*e->sh))) || !(name_off = dd_calloc(n, sizeof(*name_off))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++, p += entsize)
        read_shdr(e, p, &e->sh[i], &name_off[i], &link);
    e->n_sh = n;
    /* names: a table that is missing or damaged leaves them all "" (Go reads such a file too) */
    if (strndx != 0 && strndx < n && e->sh[strndx].type != DD_ELF_SHT_NOBITS) {
        rc = dd_elf__bytes(e, e->sh[strndx].offset, e->sh[strndx].size, &names);
        if (rc == DD_ENOTFOUND)
            goto done;
        if (rc == DD_OK)
            names_len = e->sh[strndx].size;
        else
            names = NULL;
        rc = DD_OK;
        dd_error_clear();
    }
    for (uint32_t i = 0; names && i < n; i++) {
        if (name_off[i] < names_len && memchr(names + name_off[i], '\0', names_len - name_off[i]))
            e->sh[i].name = (const char *)names + name_off[i];
    }
    rc = DD_OK;
done:
    dd_free(name_off);
    return rc;
}

int dd_elf__open(dd_elf *e, const char *path, uint64_t file_size, const dd_elf_chunk *chunks,
                 size_t n_chunks)
{
    const unsigned char *id, *h;
    uint64_t phoff, shoff;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
    int rc;

    memset(e, 0, sizeof(*e));
    e->path = path;
    e->file_size = file_size;
    e->chunks = chunks;
    e->n_chunks = n_chunks;
    if ((rc = dd_elf__bytes(e, 0, EI_NIDENT, &id)) != DD_OK)
        return rc == DD_EINVALID ? dd_error_set(DD_EINVALID, "%s: ELF: truncated header", path)
                                 : rc;
    if (memcmp(id,
               "\x7f"
               "ELF",
               4) != 0)
        return dd_error_set(DD_EINVALID, "%s: not an ELF file", path);
    if (id[4] != 1 && id[4] != 2)
        return dd_error_set(DD_EINVALID, "%s: ELF: unknown class %u", path, id[4]);
    if (id[5] != 1 && id[5] != 2)
        return dd_error_set(DD_EINVALID, "%s: ELF: unknown data encoding %u", path, id[5]);
    e->is64 = id[4] == 2;
    e->big_endian = id[5] == 2;
    ehsize = e->is64 ? 64 : 52;
    if ((rc = dd_elf__bytes(e, 0, ehsize, &h)) != DD_OK)
        return rc == DD_EINVALID ? dd_error_set(DD_EINVALID, "%s: ELF: truncated header", path)
                                 : rc;
    e->type = dd_elf__u16(e, h + 16);
    e->machine = dd_elf__u16(e, h + 18);
    phoff = word(e, h + (e->is64 ? 32 : 28));
    shoff = word(e, h + (e->is64 ? 40 : 32));
    phentsize = dd_elf__u16(e, h + (e->is64 ? 54 : 42));
    phnum = dd_elf__u16(e, h + (e->is64 ? 56 : 44));
    shentsize = dd_elf__u16(e, h + (e->is64 ? 58 : 46));
    shnum = dd_elf__u16(e, h + (e->is64 ? 60 : 48));
    shstrndx = dd_elf__u16(e, h + (e->is64 ? 62 : 50));
    e->phoff = phoff;
    e->shoff = shoff;
    e->phentsize = phentsize;
    e->phnum = phnum;
    e->shentsize = shentsize;
    e->shnum = shnum;
    if ((rc = parse_phdrs(e, phoff, phentsize, phnum)) != DD_OK)
        return rc;
    return parse_shdrs(e, shoff, shentsize, shnum, shstrndx);
}

void dd_elf__dispose(dd_elf *e)
{
    dd_free(e->ph);
    dd_free(e->sh);
    e->ph = NULL;
    e->sh = NULL;
    e->n_ph = e->n_sh = 0;
}

const dd_elf_shdr *dd_elf__section(const dd_elf *e, const char *name)
{
    for (size_t i = 0; i < e->n_sh; i++)
        if (strcmp(e->sh[i].name, name) == 0)
            return &e->sh[i];
    return NULL;
}

int dd_elf__vaddr(const dd_elf *e, uint64_t addr, uint64_t *off, uint64_t *avail)
{
    for (size_t i = 0; i < e->n_ph; i++) {
        const dd_elf_phdr *p = &e->ph[i];

        if (p->filesz == 0 || addr < p->vaddr || addr - p->vaddr >= p->filesz)
            continue;
        if (p->offset > UINT64_MAX - (addr - p->vaddr))
            continue;
        *off = p->offset + (addr - p->vaddr);
        *avail = p->filesz - (addr - p->vaddr);
        return DD_OK;
    }
    return DD_ENOTFOUND;
}

int dd_elf__read_vaddr(dd_elf *e, uint64_t addr, uint64_t size, const unsigned char **out,
                       uint64_t *got)
{
    uint64_t off, avail;

    *out = NULL;
    *got = 0;
    if (dd_elf__vaddr(e, addr, &off, &avail) != DD_OK)
        return dd_error_set(DD_ENOTFOUND, "%s: ELF: address 0x%llx is not mapped", e->path,
                            (unsigned long long)addr);
    if (size > avail)
        size = avail;
    *got = size;
    return dd_elf__bytes(e, off, size, out);
}
