/* Fuzz target: a Java archive read from memory with libarchive (nested archives included) and
 * streamed through the local-header reader in pieces whose size the first byte chooses; the
 * extract it makes is decoded again. Small limits keep each run short. With DD_JAVA_FUZZ_PRINT
 * set in the environment, what each reading finds is printed (for debugging a corpus file). */
#include "catalog/java_int.h"

#include <stdio.h>
#include <stdlib.h>

static int print_warning(const char *message, void *payload)
{
    (void)payload;
    if (getenv("DD_JAVA_FUZZ_PRINT"))
        printf("memory warning: %s\n", message);
    return DD_OK;
}

static int on_record(const char *name, const char *version, const char *path,
                     const char *warning, size_t n, void *payload)
{
    (void)payload;
    if (!getenv("DD_JAVA_FUZZ_PRINT"))
        return DD_OK;
    if (warning)
        printf("stream warning: %.*s\n", (int)n, warning);
    else
        printf("stream package: %s %s %.*s\n", name, version, (int)n, path);
    return DD_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_java_limits lim = DD_JAVA_LIMITS_INIT;
    dd_pkglist l = {0};
    dd_java_stream *s = NULL;
    size_t chunk = size ? (size_t)data[0] % 61 + 1 : 1, off = 0;
    uint64_t next = 0;
    const void *ext;
    size_t n;

    lim.max_nested_bytes = 1u << 20;
    lim.budget_base = 4u << 20;
    lim.max_entries = 4096;
    if (dd_arena_new(&l.arena) != DD_OK)
        return 0;
    (void)dd_java__parse_archive(&l, "app/x-1.0.jar", data, size, &lim, print_warning, NULL);
    for (size_t i = 0; getenv("DD_JAVA_FUZZ_PRINT") && i < l.n; i++)
        printf("memory package: %s %s %s\n", l.v[i].name, l.v[i].version, l.v[i].path);
    for (size_t i = 0; i < l.n; i++) {
        char *purl = NULL;

        if (dd_package_purl(&purl, &l.v[i], NULL) == DD_OK)
            dd_free(purl);
    }
    dd_pkglist__dispose(&l);
    dd_arena_free(l.arena);
    if (dd_java__stream_new(&s, "app/x-1.0.jar", size, size && data[0] == '#', &lim) != DD_OK)
        return 0;
    while (off < size && next != UINT64_MAX) {
        size_t take = size - off < chunk ? size - off : chunk;

        if (dd_java__stream_feed(s, off, data + off, take, &next) != DD_OK)
            break;
        off = next != UINT64_MAX && next > off + take ? (size_t)(next < size ? next : size)
                                                      : off + take;
    }
    if (dd_java__stream_finish(s, &ext, &n) == DD_OK)
        (void)dd_java__extract_decode(ext, n, on_record, NULL);
    dd_java__stream_free(s);
    dd_error_clear();
    return 0;
}
