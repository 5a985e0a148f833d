/* Fuzz target: compose parsing (YAML events, anchors, merge keys, interpolation) and rules. */
#include <drydock/lint.h>

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const env[] = {"TAG=1.0", "EMPTY=", "PORT=8080"};
    dd_lint_result *r = NULL;
    dd_lint_config *cfg = NULL;

    if (dd_lint_result_new(&r) == DD_OK && dd_lint_config_new(&cfg) == DD_OK &&
        dd_lint_config_set_env(cfg, env, 3) == DD_OK)
        /* a path in a directory that does not exist: no .env, no extends file is read */
        (void)dd_lint_compose(r, "/nonexistent-fuzz-dir/compose.yaml", (const char *)data, size,
                              cfg);
    dd_lint_config_free(cfg);
    dd_lint_result_free(r);
    return 0;
}
