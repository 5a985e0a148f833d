/* Fuzz target: the purl parser (the input up to its first NUL is the purl). */
#include <drydock/catalog.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    dd_purl *p = NULL;

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (dd_purl_parse(&p, s) == DD_OK) {
        /* what the parser promises: a lowercase type, a name, non-empty qualifier values */
        if (!p->type[0] || !p->name[0])
            abort();
        for (const char *c = p->type; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                abort();
        for (size_t i = 0; i < p->n_qualifiers; i++)
            if (!p->qualifiers[i].key[0] || !p->qualifiers[i].value[0] ||
                dd_purl_qualifier_get(p, p->qualifiers[i].key) != p->qualifiers[i].value)
                abort();
        if ((p->ns && !p->ns[0]) || (p->subpath && !p->subpath[0]) ||
            (p->version && !p->version[0]))
            abort();
        dd_purl_free(p);
    }
    free(s);
    return 0;
}
