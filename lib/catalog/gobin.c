/* Go binaries: the build information the Go linker embeds in every executable (toolchain
 * version, main module, dependencies with versions, sums and replacements), found and decoded as
 * Go's own debug/buildinfo does, in both the pointer-based (Go 1.13-1.17) and the inline
 * (Go 1.18+) formats. */
#include "catalog/elf_int.h"
#include "catalog/lang_int.h"

#include <string.h>

static const unsigned char build_info_magic[14] = "\xff Go buildinf:";

#define BUILD_INFO_ALIGN  16
#define BUILD_INFO_HEADER 32
#define SEARCH_CHUNK      (64u << 10)
#define MAX_STRING        (16u << 20) /* a version or module string longer than this is damage */

/* The cmd/go/internal/modload framing around the module information. */
#define MODINFO_FRAME 16

/* A failed read: missing bytes go up to be fetched, an unmapped address or short read means the
 * file is no Go binary (debug/buildinfo's errNotGoExe), damage is a warning. */
static int not_go(dd_elf *e, int rc)
{
    if (rc == DD_ENOTFOUND && e->missing)
        return rc;
    if (rc == DD_EINVALID || rc == DD_ENOMEM)
        return rc;
    dd_error_clear();
    return DD_OK;
}

/* Go's binary.Uvarint: the value and the bytes it took (0: too short, <0: overflow). */
static uint64_t uvarint(const unsigned char *b, size_t n, int *used)
{
    uint64_t x = 0;
    unsigned s = 0;

    for (size_t i = 0; i < n && i < 10; i++) {
        if (b[i] < 0x80) {
            if (i == 9 && b[i] > 1) {
                *used = -(int)(i + 1);
                return 0;
            }
            *used = (int)(i + 1);
            return x | (uint64_t)b[i] << s;
        }
        x |= (uint64_t)(b[i] & 0x7f) << s;
        s += 7;
    }
    *used = n >= 10 ? -11 : 0;
    return 0;
}

/* A varint-prefixed string at `addr` (the inline format). *ok = 0 when there is none. */
static int decode_string(dd_elf *e, uint64_t addr, const unsigned char **s, size_t *len,
                         uint64_t *next, int *ok)
{
    const unsigned char *b;
    uint64_t got, n;
    int used, rc;

    *ok = 0;
    if ((rc = dd_elf__read_vaddr(e, addr, 10, &b, &got)) != DD_OK)
        return not_go(e, rc);
    n = uvarint(b, (size_t)got, &used);
    if (used <= 0)
        return DD_OK;
    if (n > MAX_STRING)
        return dd_error_set(DD_EINVALID, "%s: Go build info: a string of %llu bytes", e->path,
                            (unsigned long long)n);
    addr += (uint64_t)used;
    if ((rc = dd_elf__read_vaddr(e, addr, n, &b, &got)) != DD_OK)
        return not_go(e, rc);
    if (got < n)
        return DD_OK; /* the segment ends before the string does */
    *s = b;
    *len = (size_t)n;
    *next = addr + n;
    *ok = 1;
    return DD_OK;
}

static uint64_t read_ptr(const unsigned char *p, int size, int big)
{
    uint64_t v = 0;

    for (int i = 0; i < size; i++)
        v |= (uint64_t)p[big ? i : size - 1 - i] << (8 * (size - 1 - i));
    return v;
}

/* A Go string header (pointer, length) at `addr`, followed to its bytes (the pointer format).
 * An unreadable string is empty, as debug/buildinfo has it. */
static int read_string(dd_elf *e, int ptr_size, int big, uint64_t addr, const unsigned char **s,
                       size_t *len)
{
    const unsigned char *h;
    uint64_t got, data, n;
    int rc;

    *s = NULL;
    *len = 0;
    if ((rc = dd_elf__read_vaddr(e, addr, 2 * (uint64_t)ptr_size, &h, &got)) != DD_OK)
        return not_go(e, rc);
    if (got < 2 * (uint64_t)ptr_size)
        return DD_OK;
    data = read_ptr(h, ptr_size, big);
    n = read_ptr(h + ptr_size, ptr_size, big);
    if (n > MAX_STRING)
        return dd_error_set(DD_EINVALID, "%s: Go build info: a string of %llu bytes", e->path,
                            (unsigned long long)n);
    if ((rc = dd_elf__read_vaddr(e, data, n, s, &got)) != DD_OK) {
        *s = NULL;
        return not_go(e, rc);
    }
    if (got < n) {
        *s = NULL;
        return DD_OK;
    }
    *len = (size_t)n;
    return DD_OK;
}

/* The first 16-byte aligned magic in [start, start+size), as searchMagic finds it. */
static int search_magic(dd_elf *e, uint64_t start, uint64_t size, uint64_t *at, int *found)
{
    uint64_t end = start + size;

    *found = 0;
    if (end < start)
        return DD_OK;
    start = (start + BUILD_INFO_ALIGN - 1) & ~(uint64_t)(BUILD_INFO_ALIGN - 1);
    while (start < end) {
        uint64_t remaining = end - start,
                 chunk = remaining < SEARCH_CHUNK ? remaining : SEARCH_CHUNK;
        const unsigned char *p;
        uint64_t n, i = 0;
        int rc;

        if ((rc = dd_elf__read_vaddr(e, start, chunk, &p, &n)) != DD_OK)
            return not_go(e, rc);
        if (n == 0)
            return DD_OK;
        while (i + sizeof(build_info_magic) <= n) {
            const unsigned char *m =
                memmem(p + i, (size_t)(n - i), build_info_magic, sizeof(build_info_magic));
            uint64_t k;

            if (!m)
                break;
            k = (uint64_t)(m - p);
            if (remaining - k < BUILD_INFO_HEADER)
                return DD_OK;
            if (k % BUILD_INFO_ALIGN == 0) {
                *at = start + k;
                *found = 1;
                return DD_OK;
            }
            i = (k + BUILD_INFO_ALIGN - 1) & ~(uint64_t)(BUILD_INFO_ALIGN - 1);
        }
        start += chunk;
    }
    return DD_OK;
}

int dd_gobin__read_raw(dd_gobin_raw *out, int *found, dd_elf *e)
{
    const dd_elf_shdr *sec = dd_elf__section(e, ".go.buildinfo");
    const unsigned char *h, *vers = NULL, *mod = NULL;
    size_t vers_len = 0, mod_len = 0;
    uint64_t start = 0, size = 0, addr = 0, got;
    int ok, rc;

    memset(out, 0, sizeof(*out));
    *found = 0;
    if (sec) {
        start = sec->addr;
        size = sec->size;
    } else {
        /* Go 1.13 and later always name the section; a file whose sections have names but
         * not that one is no Go binary, and its data segment need not be read */
        for (size_t i = 0; i < e->n_sh; i++)
            if (e->sh[i].name[0])
                return DD_OK;
        for (size_t i = 0; i < e->n_ph; i++) {
            const dd_elf_phdr *p = &e->ph[i];

            if (p->type == DD_ELF_PT_LOAD &&
                (p->flags & (DD_ELF_PF_X | DD_ELF_PF_W)) == DD_ELF_PF_W) {
                start = p->vaddr;
                size = p->memsz;
                break;
            }
        }
    }
    if (size == 0)
        return DD_OK;
    if ((rc = search_magic(e, start, size, &addr, &ok)) != DD_OK || !ok)
        return rc;
    if ((rc = dd_elf__read_vaddr(e, addr, BUILD_INFO_HEADER, &h, &got)) != DD_OK)
        return not_go(e, rc);
    if (got < BUILD_INFO_HEADER)
        return DD_OK;
    if (h[15] & 2) {
        uint64_t next;

        if ((rc = decode_string(e, addr + BUILD_INFO_HEADER, &vers, &vers_len, &next, &ok)) !=
                DD_OK ||
            !ok)
            return rc;
        if ((rc = decode_string(e, next, &mod, &mod_len, &next, &ok)) != DD_OK || !ok)
            return rc;
    } else {
        int ptr_size = h[14], big = h[15] & 1;

        if (ptr_size != 4 && ptr_size != 8)
            return DD_OK;
        if ((rc = read_string(e, ptr_size, big, read_ptr(h + 16, ptr_size, big), &vers,
                              &vers_len)) != DD_OK ||
            (rc = read_string(e, ptr_size, big, read_ptr(h + 16 + ptr_size, ptr_size, big), &mod,
                              &mod_len)) != DD_OK)
            return rc;
    }
    if (vers_len == 0)
        return DD_OK;
    if (mod_len >= 2 * MODINFO_FRAME + 1 && mod[mod_len - MODINFO_FRAME - 1] == '\n') {
        mod += MODINFO_FRAME;
        mod_len -= 2 * MODINFO_FRAME;
    } else {
        mod_len = 0;
    }
    out->vers = vers;
    out->vers_len = vers_len;
    out->mod = mod;
    out->mod_len = mod_len;
    if (dd_elf__vaddr(e, addr, &out->offset, &got) != DD_OK)
        out->offset = 0;
    *found = 1;
    return DD_OK;
}

/* ---- the module information text (runtime/debug.ParseBuildInfo) ---- */

typedef struct {
    const char *path, *version, *sum;
    const char *rpath, *rversion, *rsum; /* its replacement; rpath NULL when none */
} gomod;

/* Splits `line` (len bytes) at tabs into at most 4 fields (NUL-terminated copies in `a`); *n is
 * the number of fields there were. */
static int split_tabs(dd_arena *a, const char *line, size_t len, const char *f[4], size_t *n)
{
    size_t start = 0;

    *n = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && line[i] != '\t')
            continue;
        if (*n < 4 && !(f[*n] = dd_arena_strndup(a, line + start, i - start)))
            return dd_error_set(DD_ENOMEM, "out of memory");
        (*n)++;
        start = i + 1;
    }
    return DD_OK;
}

/* "1.19.8" of "go1.19.8", "go1.22.3 X:boringcrypto" or "go1.26.0-X:nodwarf5"; NULL for a
 * development toolchain ("devel go1.23-abcdef ...") or anything else. */
static const char *stdlib_version(dd_arena *a, const char *v, size_t n)
{
    size_t end = 2;

    if (n < 3 || v[0] != 'g' || v[1] != 'o' || v[2] < '0' || v[2] > '9')
        return NULL;
    while (end < n && v[end] != ' ' && !(n - end >= 3 && memcmp(v + end, "-X:", 3) == 0))
        end++;
    return dd_arena_strndup(a, v + 2, end - 2);
}

static int push(dd_pkglist *out, const char *path, const char *name, const char *version,
                const char *sum)
{
    dd_package p = {.type = DD_PKG_GOLANG,
                    .name = name,
                    .version = version,
                    .path = path,
                    .db_path = path,
                    .checksum = sum && *sum ? sum : NULL};

    return dd_pkglist__push(out, &p);
}

/* A replacement by a directory ("../fork", "/src/x") rather than a module: cmd/go's rule. */
static int is_local_path(const char *p)
{
    return p[0] == '/' || strncmp(p, "./", 2) == 0 || strncmp(p, "../", 3) == 0 ||
           strcmp(p, ".") == 0 || strcmp(p, "..") == 0 || p[0] == '\\' ||
           strncmp(p, ".\\", 2) == 0 || strncmp(p, "..\\", 3) == 0 ||
           (((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z') && p[1] == ':');
}

/* The module as built: a replacement module's path, version and sum; for a directory that
 * replaces a module, the module's own path at the directory's version (cmd/go writes
 * "(devel)"), without a sum. */
static int push_module(dd_pkglist *out, const char *path, const gomod *m)
{
    if (!m->path[0])
        return DD_OK; /* old toolchains list a dependency without a path */
    if (m->rpath && is_local_path(m->rpath))
        return push(out, path, m->path, m->rversion[0] ? m->rversion : "(devel)", NULL);
    if (m->rpath)
        return push(out, path, m->rpath, m->rversion, m->rsum);
    return push(out, path, m->path, m->version, m->sum);
}

int dd_gobin__parse(dd_pkglist *out, const char *path, const char *vers, size_t vers_len,
                    const char *mod, size_t mod_len)
{
    gomod main_mod = {0}, *deps = NULL, *last = NULL;
    size_t n_deps = 0, deps_alloc = 0, line_no = 1, pos = 0;
    const char *stdlib;
    int rc = DD_OK, have_main = 0;

    if (!dd_lang__utf8_valid(vers, vers_len) || !dd_lang__utf8_valid(mod, mod_len) ||
        memchr(vers, '\0', vers_len) || memchr(mod, '\0', mod_len))
        return dd_error_set(DD_EINVALID, "%s: Go build info is not UTF-8 text", path);
    if ((stdlib = stdlib_version(out->arena, vers, vers_len)) &&
        (rc = push(out, path, "stdlib", stdlib, NULL)) != DD_OK)
        return rc;
    /* lines end with "\n"; text after the last one is ignored, as Go does */
    while (pos < mod_len) {
        const char *line = mod + pos, *nl = memchr(line, '\n', mod_len - pos);
        const char *f[4];
        size_t len, n;
        int is_dep = 0;

        if (!nl)
            break;
        len = (size_t)(nl - line);
        pos += len + 1;
        if ((len > 4 && memcmp(line, "mod\t", 4) == 0) ||
            (is_dep = len > 4 && memcmp(line, "dep\t", 4) == 0)) {
            gomod *m;

            if ((rc = split_tabs(out->arena, line + 4, len - 4, f, &n)) != DD_OK)
                goto done;
            if (n != 2 && n != 3) {
                rc = dd_error_set(DD_EINVALID,
                                  "%s: Go build info line %zu: expected 2 or 3 columns; got %zu",
                                  path, line_no, n);
                goto done;
            }
            if (is_dep) {
                if ((rc = DD_ARRAY_RESERVE(deps, deps_alloc, n_deps + 1, sizeof(*deps), 16)) !=
                    DD_OK)
                    goto done;
                m = &deps[n_deps++];
            } else {
                m = &main_mod;
                have_main = 1;
            }
            *m = (gomod){.path = f[0], .version = f[1], .sum = n == 3 ? f[2] : ""};
            last = m;
        } else if (len >= 3 && memcmp(line, "=>\t", 3) == 0) {
            if ((rc = split_tabs(out->arena, line + 3, len - 3, f, &n)) != DD_OK)
                goto done;
            if (n != 3) {
                rc = dd_error_set(DD_EINVALID,
                                  "%s: Go build info line %zu: expected 3 columns for "
                                  "replacement; got %zu",
                                  path, line_no, n);
                goto done;
            }
            if (!last) {
                rc = dd_error_set(DD_EINVALID,
                                  "%s: Go build info line %zu: replacement with no module on "
                                  "previous line",
                                  path, line_no);
                goto done;
            }
            last->rpath = f[0];
            last->rversion = f[1];
            last->rsum = f[2];
            last = NULL;
        }
        line_no++;
    }

done:
    /* what was read before any damage is kept */
    if (have_main) {
        int prc = push_module(out, path, &main_mod);

        if (rc == DD_OK)
            rc = prc;
    }
    for (size_t i = 0; i < n_deps; i++) {
        int prc = push_module(out, path, &deps[i]);

        if (rc == DD_OK)
            rc = prc;
    }
    dd_free(deps);
    return rc;
}

/* ---- the cataloger ---- */

typedef struct {
    dd_inventory *inv;
    dd_pkglist squashed, hidden;
} go_run;

static int visit(go_run *g, const dd_entry *e, int squashed, const unsigned char *data, size_t len)
{
    dd_pkglist *list = squashed ? &g->squashed : &g->hidden;
    const unsigned char *rec, *vers = NULL;
    size_t pos = 0, rec_len, vers_len = 0, first = list->n;
    int tag, r, rc = DD_OK;

    while ((r = dd_binary__next(data, len, &pos, &tag, &rec, &rec_len)) == 1 && rc == DD_OK) {
        if (tag == DD_BINARY_WARNING && squashed) {
            rc = dd_inventory__warn(g->inv, "%.*s", (int)rec_len, (const char *)rec);
        } else if (tag == DD_BINARY_GO_VERSION) {
            vers = rec;
            vers_len = rec_len;
        } else if (tag == DD_BINARY_GO_MODINFO && vers) {
            rc = dd_gobin__parse(list, e->path, (const char *)vers, vers_len, (const char *)rec,
                                 rec_len);
            if (rc == DD_EINVALID) {
                rc = squashed ? dd_inventory__warn(g->inv, "%s", dd_error_message()) : DD_OK;
                dd_error_clear();
            }
        }
    }
    for (size_t i = first; i < list->n; i++)
        list->v[i].layer = e->layer;
    return rc;
}

static int each_binary(go_run *g, const dd_walk *w, const dd_entry *e, int squashed)
{
    const void *data;
    size_t len;

    if ((e->type != DD_FT_REG && e->type != DD_FT_HARDLINK) ||
        dd_walk_extracted(w, e, &data, &len) != DD_OK) {
        dd_error_clear();
        return DD_OK;
    }
    return visit(g, e, squashed, data, len);
}

static int run(dd_inventory *inv, const dd_walk *w, const dd_catalog_opts *opts)
{
    go_run g = {.inv = inv};
    dd_arena *a;
    int rc;

    if ((rc = dd_arena_new(&a)) != DD_OK)
        return rc;
    g.squashed.arena = g.hidden.arena = a;
    for (size_t i = 0, n = dd_walk_count(w); i < n && rc == DD_OK; i++)
        rc = each_binary(&g, w, dd_walk_entry(w, i), 1);
    for (size_t i = 0, n = dd_walk_hidden_count(w);
         opts->scope == DD_SCOPE_ALL_LAYERS && i < n && rc == DD_OK; i++)
        rc = each_binary(&g, w, dd_walk_hidden(w, i), 0);
    if (rc == DD_OK)
        rc = dd_lang__emit(inv, opts, &g.squashed, &g.hidden);
    dd_pkglist__dispose(&g.squashed);
    dd_pkglist__dispose(&g.hidden);
    dd_arena_free(a);
    return rc;
}

static const char *const no_globs[] = {NULL};

const dd_cataloger dd_cataloger_gobin = {
    .name = "go-binary",
    .type = DD_PKG_GOLANG,
    .globs = no_globs,
    .max_bytes = 0,
    .run = run,
};
