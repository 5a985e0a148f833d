/* Fuzz target: a Go binary's build info, from an ELF file to its packages: the summary the walk
 * keeps (build info and .dep-v0 records), the module information text, and the .dep-v0 JSON.
 * Inputs not starting with "\x7fELF" are read as module information text. */
#include "catalog/elf_int.h"

#include <string.h>

static void packages(dd_pkglist *l, const unsigned char *data, size_t len)
{
    const unsigned char *rec, *vers = (const unsigned char *)"go1.21.0";
    size_t pos = 0, rec_len, vers_len = 8;
    int tag;

    while (dd_binary__next(data, len, &pos, &tag, &rec, &rec_len) == 1) {
        if (tag == DD_BINARY_GO_VERSION) {
            vers = rec;
            vers_len = rec_len;
        } else if (tag == DD_BINARY_GO_MODINFO) {
            (void)dd_gobin__parse(l, "bin/app", (const char *)vers, vers_len, (const char *)rec,
                                  rec_len);
        } else if (tag == DD_BINARY_DEP_V0) {
            (void)dd_rust__parse_dep_v0(l, "bin/app", rec, rec_len);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_pkglist l = {0};
    dd_buf out = DD_BUF_INIT;

    if (dd_arena_new(&l.arena) != DD_OK)
        return 0;
    if (size >= 4 && memcmp(data,
                            "\x7f"
                            "ELF",
                            4) == 0) {
        if (dd_binary__summarize_file(&out, "bin/app", data, size) == DD_OK)
            packages(&l, (const unsigned char *)out.data, out.len);
    } else {
        (void)dd_gobin__parse(&l, "bin/app", "go1.21.0", 8, (const char *)data, size);
    }
    for (size_t i = 0; i < l.n; i++) {
        char *purl = NULL;

        if (dd_package_purl(&purl, &l.v[i], NULL) == DD_OK)
            dd_free(purl);
    }
    dd_error_clear();
    dd_buf_dispose(&out);
    dd_pkglist__dispose(&l);
    dd_arena_free(l.arena);
    return 0;
}
