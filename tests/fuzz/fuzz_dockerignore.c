/* Fuzz target: .dockerignore loading, the matcher and the IGN rules. */
#include <drydock/lint.h>

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const probes[] = {"a", ".git/HEAD", "src/app/x.py", "node_modules/p/i.js",
                                         ".env", "a/b/c/d/e/f/g", "[x].txt", "dir/sub/"};
    dd_ignore *ig = NULL;
    dd_lint_result *r = NULL;
    uint32_t line;

    if (dd_ignore_load(&ig, ".dockerignore", (const char *)data, size) == DD_OK) {
        for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
            (void)dd_ignore_match(ig, probes[i], &line);
            (void)dd_ignore_may_reinclude(ig, probes[i]);
        }
        dd_ignore_free(ig);
    }
    if (dd_lint_result_new(&r) == DD_OK)
        (void)dd_lint_dockerignore(r, ".dockerignore", (const char *)data, size, NULL);
    dd_lint_result_free(r);
    return 0;
}
