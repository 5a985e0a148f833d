/* Matching a request's method and path against the route table (the table itself is at the end
 * of handlers.c, beside the handlers it names). */
#include "server/server_int.h"

#include <string.h>

/* Whether `path` has the shape of `pattern`; {NAME} takes one non-empty segment. */
static bool path_matches(const char *pat, const char *path, dd_server_span *params, unsigned *np)
{
    *np = 0;
    while (*pat && *path) {
        if (*pat == '{') {
            const char *close = strchr(pat, '}');
            size_t n = strcspn(path, "/");

            if (!close || n == 0 || *np >= DD_SERVER_MAX_PARAMS)
                return false;
            params[*np].p = path;
            params[*np].n = n;
            (*np)++;
            pat = close + 1;
            path += n;
        } else if (*pat == *path) {
            pat++;
            path++;
        } else {
            return false;
        }
    }
    return *pat == '\0' && *path == '\0';
}

int dd_server__route_find(const dd_server_route *tab, size_t n, const char *method,
                          const char *path, dd_server_span params[DD_SERVER_MAX_PARAMS])
{
    dd_server_span scratch[DD_SERVER_MAX_PARAMS];
    bool path_known = false;
    unsigned np;

    if (!strcmp(method, "HEAD"))
        method = "GET";
    for (size_t i = 0; i < n; i++) {
        if (!path_matches(tab[i].pattern, path, scratch, &np))
            continue;
        path_known = true;
        if (strcmp(tab[i].method, method) != 0)
            continue;
        memset(params, 0, sizeof(dd_server_span) * DD_SERVER_MAX_PARAMS);
        memcpy(params, scratch, sizeof(dd_server_span) * np);
        return (int)i;
    }
    return path_known ? DD_SERVER_BAD_METHOD : DD_SERVER_NO_ROUTE;
}

void dd_server__route_allow(const dd_server_route *tab, size_t n, const char *path, char *buf,
                            size_t size)
{
    dd_server_span scratch[DD_SERVER_MAX_PARAMS];
    size_t used = 0;
    unsigned np;

    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *m = tab[i].method;
        int w;

        if (!path_matches(tab[i].pattern, path, scratch, &np))
            continue;
        w = snprintf(buf + used, size - used, "%s%s%s", used ? ", " : "", m,
                     strcmp(m, "GET") ? "" : ", HEAD");
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}
