/* Fuzz target: the bounded ELF reader over a whole file and over the same file with a gap in
 * its kept bytes (what a streamed or partly read file looks like), then every virtual address
 * the program headers name. */
#include "catalog/elf_int.h"

static void read_all(const uint8_t *data, size_t size, const dd_elf_chunk *c, size_t n)
{
    const unsigned char *p;
    uint64_t got;
    dd_elf e;

    if (dd_elf__open(&e, "fuzz", size, c, n) == DD_OK) {
        for (size_t i = 0; i < e.n_ph; i++)
            (void)dd_elf__read_vaddr(&e, e.ph[i].vaddr + e.ph[i].filesz / 2, 64, &p, &got);
        for (size_t i = 0; i < e.n_sh; i++) {
            if (dd_elf__bytes(&e, e.sh[i].offset, e.sh[i].size, &p) == DD_OK && e.sh[i].size)
                (void)p[e.sh[i].size - 1];
            (void)dd_elf__section(&e, e.sh[i].name);
        }
    }
    dd_elf__dispose(&e);
    (void)data;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_elf_chunk whole = {0, size, data}, split[2];

    read_all(data, size, &whole, 1);
    /* the first half and the last quarter */
    split[0] = (dd_elf_chunk){0, size / 2, data};
    split[1] = (dd_elf_chunk){size - size / 4, size / 4, data + (size - size / 4)};
    read_all(data, size, split, 2);
    dd_error_clear();
    return 0;
}
