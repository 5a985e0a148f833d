/* Fuzz target: the Dockerfile parser, RUN shell splitter and every Dockerfile rule. */
#include <drydock/lint.h>

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dd_lint_result *r = NULL;
    dd_lint_dockerfile_opts opts = DD_LINT_DOCKERFILE_OPTS_INIT;

    if (dd_lint_result_new(&r) != DD_OK)
        return 0;
    opts.has_dockerignore = (int)(size & 1);
    (void)dd_lint_dockerfile_ext(r, "Dockerfile", (const char *)data, size, NULL, &opts);
    for (size_t i = 0; i < dd_lint_result_count(r); i++)
        (void)dd_lint_result_get(r, i);
    dd_lint_result_free(r);
    return 0;
}
