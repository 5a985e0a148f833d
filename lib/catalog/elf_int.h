/* A small bounded ELF reader over the byte ranges kept of a file, and the walk extractor that
 * keeps what the Go and Rust binary catalogers read (build info, the .dep-v0 section). */
#ifndef DD_ELF_INT_H
#define DD_ELF_INT_H

#include "catalog/catalog_int.h"

/* Bytes [off, off+len) of the file. */
typedef struct {
    uint64_t off;
    size_t len;
    const unsigned char *data;
} dd_elf_chunk;

typedef struct {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz;
} dd_elf_phdr;

typedef struct {
    const char *name; /* NUL-terminated inside the section name table; "" when unknown */
    uint32_t type;
    uint64_t flags, addr, offset, size;
} dd_elf_shdr;

#define DD_ELF_PT_LOAD    1
#define DD_ELF_PF_X       1
#define DD_ELF_PF_W       2
#define DD_ELF_SHT_NOBITS 8

/* Hard limits, so a hostile header cannot make the reader allocate much. */
#define DD_ELF_MAX_PHDRS 4096
#define DD_ELF_MAX_SHDRS 65536

/* A file read through its kept chunks. Every offset and size is checked against the file size
 * and the chunks; nothing is read outside them. */
typedef struct {
    const char *path; /* names the file in messages */
    uint64_t file_size;
    const dd_elf_chunk *chunks;
    size_t n_chunks;
    /* set when a read needed bytes no chunk holds: the first such range */
    int missing;
    uint64_t need_off, need_len;

    int is64, big_endian;
    uint16_t type, machine;
    uint64_t phoff, shoff;
    uint16_t phentsize, phnum, shentsize, shnum; /* as the header gives them */
    dd_elf_phdr *ph;                             /* allocated by dd_elf__open */
    size_t n_ph;
    dd_elf_shdr *sh;
    size_t n_sh;
} dd_elf;

/* Parses the header, the program headers and (when the file has them) the section headers and
 * their names. `chunks` must outlive `e`. Returns DD_OK; DD_EINVALID with "PATH: ..." when the
 * file is no ELF or a table lies outside it; DD_ENOTFOUND when bytes it needs were not kept
 * (e->missing and the range set); DD_ENOMEM. dd_elf__dispose frees what it allocated, whatever
 * it returned. */
int dd_elf__open(dd_elf *e, const char *path, uint64_t file_size, const dd_elf_chunk *chunks,
                 size_t n_chunks);
void dd_elf__dispose(dd_elf *e);

/* Points *out at bytes [off, off+len) of the file. DD_EINVALID when the range leaves the file,
 * DD_ENOTFOUND when no chunk holds all of it (recorded as missing). */
int dd_elf__bytes(dd_elf *e, uint64_t off, uint64_t len, const unsigned char **out);

/* The first section called `name`, or NULL. */
const dd_elf_shdr *dd_elf__section(const dd_elf *e, const char *name);

/* Where virtual address `addr` lies in the file, as Go's debug/buildinfo maps it: the first
 * program header whose file image holds it; `*avail` bytes of that image follow it. DD_OK, or
 * DD_ENOTFOUND when no program header maps it (nothing is recorded as missing). */
int dd_elf__vaddr(const dd_elf *e, uint64_t addr, uint64_t *off, uint64_t *avail);

/* Reads up to `size` bytes at virtual address `addr`, no further than the end of the file
 * image of the program header that maps it: *got <= size. DD_OK; DD_ENOTFOUND when unmapped or
 * not kept (e->missing tells which); DD_EINVALID when the image leaves the file. */
int dd_elf__read_vaddr(dd_elf *e, uint64_t addr, uint64_t size, const unsigned char **out,
                       uint64_t *got);

/* Integers in the file's byte order. */
uint16_t dd_elf__u16(const dd_elf *e, const unsigned char *p);
uint32_t dd_elf__u32(const dd_elf *e, const unsigned char *p);
uint64_t dd_elf__u64(const dd_elf *e, const unsigned char *p);

/* --- what the binary catalogers keep of an ELF file --- */

/* Records of an extract, each a tag byte, a 32-bit little-endian length and the bytes. A
 * warning is one line naming the file. */
enum {
    DD_BINARY_GO_VERSION = 'V',  /* the Go toolchain version, as the binary records it */
    DD_BINARY_GO_MODINFO = 'M',  /* the module information, framing sentinels removed */
    DD_BINARY_DEP_V0 = 'D',      /* the .dep-v0 section: zlib-compressed cargo-auditable JSON */
    DD_BINARY_WARNING = 'W',     /* damage in the ELF structure or the Go build info */
    DD_BINARY_DEP_WARNING = 'R', /* damage around the .dep-v0 section */
};

/* Reads what the catalogers want from the file behind `e`: the Go build info (as
 * debug/buildinfo finds it) and the .dep-v0 section, appended to `out` as records. Returns
 * DD_OK (a file without either adds nothing, damage adds a warning record), DD_ENOTFOUND when
 * bytes it needs were not kept (e->missing), DD_ENOMEM, DD_ELIMIT. */
int dd_binary__summarize(dd_buf *out, dd_elf *e);

/* Walks the records of an extract. Returns 1 with the next record, 0 at the end, -1 when the
 * records are damaged. `*pos` starts at 0. */
int dd_binary__next(const unsigned char *data, size_t len, size_t *pos, int *tag,
                    const unsigned char **rec, size_t *rec_len);

/* Runs dd_binary__summarize over a whole file in memory (tests, fuzz targets). */
int dd_binary__summarize_file(dd_buf *out, const char *path, const void *data, size_t len);

/* The walk extractor (dd_walk_extractor) for files starting with "\x7fELF". */
int dd_binary__extract(dd_walk_extract_ctx *x, uint64_t offset, const void *data, size_t len,
                       void *payload);

/* --- Go (gobin.c) --- */

/* The raw build info of a Go binary: pointers into the chunks of `e`. */
typedef struct {
    const unsigned char *vers, *mod;
    size_t vers_len, mod_len;
    uint64_t offset; /* file offset of the build info header */
} dd_gobin_raw;

/* Finds and decodes the build info blob as Go's debug/buildinfo does (the .go.buildinfo
 * section, else the first writable non-executable PT_LOAD segment; the aligned
 * "\xff Go buildinf:" magic; inline varint strings when flag bit 2 is set, else pointers to
 * runtime.buildVersion and runtime.modinfo followed through the program headers). `*found`
 * is 0 for a file that is no Go binary. DD_OK, DD_ENOTFOUND (bytes not kept), DD_EINVALID. */
int dd_gobin__read_raw(dd_gobin_raw *out, int *found, dd_elf *e);

/* The packages of a Go binary at `path` from its version and module information: the module
 * "stdlib" at the toolchain's version ("go1.19.8" gives "1.19.8"), the main module and every
 * dependency (the replacement's path and version where one is given). DD_EINVALID with
 * "PATH: Go build info line N: message" at the first malformed line (packages before it kept). */
int dd_gobin__parse(dd_pkglist *out, const char *path, const char *vers, size_t vers_len,
                    const char *mod, size_t mod_len);

/* --- Rust (rust.c) --- */

/* The packages of a Cargo.lock (format 1 to 4): one per [[package]] with name, version, source
 * and checksum (from [metadata] in format 1). DD_EINVALID with "PATH:LINE: message" at the
 * first damage. */
int dd_rust__parse_lock(dd_pkglist *out, const char *path, const char *data, size_t len);

/* The packages of a cargo-auditable .dep-v0 section (zlib-compressed JSON), the build-only ones
 * left out. DD_EINVALID with "PATH: .dep-v0: message"; DD_ELIMIT when it inflates past the
 * limit. */
int dd_rust__parse_dep_v0(dd_pkglist *out, const char *path, const void *data, size_t len);

#endif
