/* Fuzz target: the secret scanner over one buffer, binary files included, and the same bytes
 * split into chunks through the content hook (the split point taken from the first byte). */
#include <drydock/secrets.h>

#include "secrets/secrets_int.h"
#include "walk/walk_int.h"

#include <stdint.h>
#include <stdlib.h>

static int ignore_issue(const dd_issue *is, void *payload)
{
    (void)payload;
    /* every finding is complete and redacted: no string may be missing */
    if (!is->rule_id || !is->match || !is->message || !is->title)
        abort();
    return DD_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static dd_secrets *s;
    static dd_walk *w;
    dd_entry e = {.path = "fuzz/input", .type = DD_FT_REG, .size = size};

    if (!s) {
        dd_secrets_opts o = DD_SECRETS_OPTS_INIT;

        o.scan_binary = true;
        if (dd_secrets_new(&s, &o) != DD_OK || dd_walk_new(&w, NULL) != DD_OK)
            abort();
        dd_secrets_attach(s, w);
    }
    dd_secrets_scan_buffer(s, "fuzz/input", data, size, ignore_issue, NULL);

    size_t cut = size ? (size_t)data[0] * size / 256 : 0;

    dd_secrets__clear_kept(s);
    if (cut)
        w->hook(&e, 0, data, cut, w->hook_payload);
    if (size > cut)
        w->hook(&e, cut, data + cut, size - cut, w->hook_payload);
    w->hook(&e, size, NULL, 0, w->hook_payload);
    dd_secrets_collect(s, w, ignore_issue, NULL);
    return 0;
}
