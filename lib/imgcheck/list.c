/* The image checks' finding list: rule metadata, copies of the strings, sorting, hand-over. */
#include "imgcheck/imgcheck_int.h"

#include <drydock/lint.h>

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Rules this module reports that the lint catalogue does not (yet) hold. */
static const struct {
    const char *id;
    dd_severity severity;
    const char *title;
    const char *fix;
} own_rules[] = {
    {"DD-HYG-001", DD_SEV_LOW, "Layer carries bytes that upper layers overwrite or delete",
     "create, use and delete temporary files in the same RUN step (or a build stage)"},
    {"DD-HYG-002", DD_SEV_LOW, "Package-manager cache left in the image",
     "clean the cache in the RUN that fills it, or use a cache mount"},
    {"DD-HYG-003", DD_SEV_LOW, "Build tool in the final image",
     "build in a separate stage and copy only the artefacts (multi-stage build)"},
    {"DD-HYG-004", DD_SEV_LOW, "Shell or package manager in the final image",
     "use a distroless or scratch base for the final stage when the application allows it"},
    {"DD-HYG-005", DD_SEV_MEDIUM, "Image efficiency below 90% (dive's score)",
     "avoid rewriting and deleting files of earlier layers; merge steps or use a build stage"},
    {DD_IMGCHECK_RULE_WORLD_WRITABLE, DD_SEV_MEDIUM, "World-writable files outside /tmp",
     "remove the write bit for others (chmod o-w), or set the sticky bit on shared directories"},
};

dd_severity dd_imgcheck__severity(int lint_severity)
{
    switch (lint_severity) {
    case DD_SEV_ERROR:
        return DD_SEV_HIGH;
    case DD_SEV_WARNING:
        return DD_SEV_MEDIUM;
    default:
        return DD_SEV_LOW;
    }
}

int dd_imgcheck__list_init(dd_imgcheck__list *l)
{
    memset(l, 0, sizeof(*l));
    return dd_arena_new(&l->arena);
}

void dd_imgcheck__list_dispose(dd_imgcheck__list *l)
{
    dd_arena_free(l->arena);
    dd_free(l->items);
    memset(l, 0, sizeof(*l));
}

static const char *copy(dd_arena *a, const char *s, int *failed)
{
    char *c;

    if (!s)
        return NULL;
    if (!(c = dd_arena_strdup(a, s)))
        *failed = 1;
    return c;
}

int dd_imgcheck__add(dd_imgcheck__list *l, dd_issue_class cls, const char *rule_id,
                     const dd_imgcheck__where *where, const char *fmt, ...)
{
    dd_issue is = DD_ISSUE_INIT;
    const dd_lint_rule *rule = dd_lint_rule_find(rule_id);
    dd_buf msg = DD_BUF_INIT;
    va_list ap;
    int failed = 0, rc;

    is.cls = cls;
    if (rule) {
        is.title = rule->title;
        is.fix = rule->fix;
        is.severity = dd_imgcheck__severity(rule->severity);
    } else {
        for (size_t i = 0; i < DD_ARRAY_SIZE(own_rules); i++)
            if (strcmp(own_rules[i].id, rule_id) == 0) {
                is.title = own_rules[i].title;
                is.fix = own_rules[i].fix;
                is.severity = own_rules[i].severity;
            }
        assert(is.title);
    }
    if (where->severity != DD_SEV_UNKNOWN)
        is.severity = where->severity;
    va_start(ap, fmt);
    rc = dd_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    if (rc != DD_OK)
        goto done;
    is.rule_id = copy(l->arena, rule_id, &failed);
    is.title = copy(l->arena, is.title, &failed);
    is.fix = copy(l->arena, is.fix, &failed);
    is.message = copy(l->arena, msg.data, &failed);
    is.path = copy(l->arena, where->path, &failed);
    is.location = copy(l->arena, where->location, &failed);
    is.layer = where->layer;
    is.removed_in = where->removed_in;
    is.line = where->line;
    is.bytes = where->bytes;
    if (failed || DD_ARRAY_RESERVE(l->items, l->alloc, l->n + 1, sizeof(*l->items), 32) != DD_OK) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    l->items[l->n++] = is;
done:
    dd_buf_dispose(&msg);
    return rc;
}

static int strcmp_null(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int cmp_issue(const void *pa, const void *pb)
{
    const dd_issue *a = pa, *b = pb;
    int c;

    if ((c = strcmp(a->rule_id, b->rule_id)) != 0)
        return c;
    if ((c = strcmp_null(a->path, b->path)) != 0)
        return c;
    if ((c = strcmp_null(a->location, b->location)) != 0)
        return c;
    if (a->layer != b->layer)
        return a->layer < b->layer ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return strcmp(a->message, b->message);
}

int dd_imgcheck__emit(dd_imgcheck__list *l, bool sort, dd_issue_fn fn, void *payload)
{
    int rc;

    if (sort && l->n > 1)
        qsort(l->items, l->n, sizeof(*l->items), cmp_issue);
    for (size_t i = 0; i < l->n; i++)
        if ((rc = fn(&l->items[i], payload)) != DD_OK)
            return rc;
    return DD_OK;
}

const char *dd_imgcheck__basename(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

bool dd_imgcheck__has_private_key(const char *data, size_t len)
{
    static const char begin[] = "-----BEGIN ";
    const char *p = data, *end = data + len;

    while ((p = memmem(p, (size_t)(end - p), begin, sizeof(begin) - 1)) != NULL) {
        const char *label = p + sizeof(begin) - 1;
        const char *stop = memchr(label, '\n', (size_t)(end - label));
        size_t n = stop ? (size_t)(stop - label) : (size_t)(end - label);

        /* "RSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "PRIVATE KEY" */
        if (n <= 64 && memmem(label, n, "PRIVATE KEY-----", 16))
            return true;
        p = label;
    }
    return false;
}

char *dd_imgcheck__redact(dd_arena *a, const char *value, size_t len)
{
    char *out;
    size_t stars, i = 0;

    if (len <= 4) {
        out = dd_arena_alloc(a, len + 1);
        if (out) {
            memset(out, '*', len);
            out[len] = '\0';
        }
        return out;
    }
    stars = len - 2 > 16 ? 16 : len - 2;
    if (!(out = dd_arena_alloc(a, stars + 3)))
        return NULL;
    out[i++] = value[0];
    memset(out + i, '*', stars);
    i += stars;
    out[i++] = value[len - 1];
    out[i] = '\0';
    return out;
}

bool dd_imgcheck__url_has_password(const char *s, size_t len)
{
    const char *p = s, *end = s + len;

    while ((p = memmem(p, (size_t)(end - p), "://", 3)) != NULL) {
        const char *u = p + 3, *q = u;
        const char *colon = NULL;

        /* the user information ends at '@' before any '/', whitespace or quote */
        for (; q < end && !strchr("/ \t\r\n\"'@", *q); q++)
            if (*q == ':' && !colon)
                colon = q;
        if (q < end && *q == '@' && colon && colon > u && colon + 1 < q && colon[1] != '$')
            return true;
        p = u;
    }
    return false;
}
