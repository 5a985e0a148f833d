/* dd_lint_path: picks the linter by file name, and finds the lintable files of a directory. */
#include "lint/dockerfile_int.h"

#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static bool has_suffix_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

bool dd_lint__name_is_dockerfile(const char *b)
{
    return strcasecmp(b, "Dockerfile") == 0 || strcasecmp(b, "Containerfile") == 0 ||
           strncasecmp(b, "Dockerfile.", 11) == 0 || strncasecmp(b, "Containerfile.", 14) == 0 ||
           has_suffix_ci(b, ".Dockerfile") || has_suffix_ci(b, ".Containerfile");
}

dd_lint_kind dd_lint_kind_of(const char *path)
{
    const char *slash = strrchr(path, '/'), *b = slash ? slash + 1 : path;

    /* Dockerfile.dockerignore is the per-Dockerfile ignore file */
    if (strcmp(b, ".dockerignore") == 0 || has_suffix_ci(b, ".dockerignore"))
        return DD_LINT_DOCKERIGNORE;
    if (dd_lint__name_is_dockerfile(b))
        return DD_LINT_DOCKERFILE;
    if (((strncasecmp(b, "compose.", 8) == 0 || strncasecmp(b, "docker-compose", 14) == 0) &&
         (has_suffix_ci(b, ".yml") || has_suffix_ci(b, ".yaml"))))
        return DD_LINT_COMPOSE;
    return 0;
}

static bool file_exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Whether the builder would find an ignore file for the Dockerfile at `path`: `<path>.dockerignore`
 * or `.dockerignore` in its directory (the usual context). */
static int dockerignore_beside(const char *path, int *out)
{
    dd_buf b = DD_BUF_INIT;
    const char *slash = strrchr(path, '/');
    int rc;

    if ((rc = dd_buf_printf(&b, "%s.dockerignore", path)) != DD_OK)
        goto done;
    *out = file_exists(b.data);
    if (!*out) {
        dd_buf_clear(&b);
        if (slash)
            rc = dd_buf_printf(&b, "%.*s/.dockerignore", (int)(slash - path), path);
        else
            rc = dd_buf_puts(&b, ".dockerignore");
        if (rc != DD_OK)
            goto done;
        *out = file_exists(b.data);
    }
done:
    dd_buf_dispose(&b);
    return rc;
}

/* `ignore_known`: -1 to look for the ignore file, else whether it exists (a directory scan
 * already knows, which saves two stat calls per Dockerfile). */
static int lint_file(dd_lint_result *r, const char *path, dd_lint_kind kind,
                     const dd_lint_config *cfg, int ignore_known)
{
    dd_buf data = DD_BUF_INIT;
    dd_lint_dockerfile_opts opts = DD_LINT_DOCKERFILE_OPTS_INIT;
    int rc;

    rc = dd_read_file(&data, path, DD_DF_MAX_BYTES);
    if (rc != DD_OK) {
        if (rc == DD_ELIMIT)
            rc = dd_error_set(DD_ELIMIT, "%s:1: file larger than 16 MiB", path);
        goto done;
    }
    switch (kind) {
    case DD_LINT_COMPOSE:
        rc = dd_lint_compose(r, path, data.data, data.len, cfg);
        break;
    case DD_LINT_DOCKERIGNORE:
        rc = dd_lint_dockerignore(r, path, data.data, data.len, cfg);
        break;
    default:
        if (ignore_known >= 0)
            opts.has_dockerignore = ignore_known;
        else if ((rc = dockerignore_beside(path, &opts.has_dockerignore)) != DD_OK)
            break;
        rc = dd_lint_dockerfile_ext(r, path, data.data, data.len, cfg, &opts);
        break;
    }
done:
    dd_buf_dispose(&data);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int lint_dir(dd_lint_result *r, const char *dir, const dd_lint_config *cfg)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, alloc = 0;
    int rc = DD_OK, first_err = DD_OK;
    bool any_dockerfile = false, dir_ignore = false;
    int has_ignore = 0;
    dd_buf path = DD_BUF_INIT;
    dd_error_state saved = {0};

    if (!d)
        return dd_error_set(errno == ENOENT ? DD_ENOTFOUND : DD_EIO, "%s: %s", dir,
                            strerror(errno));
    while ((e = readdir(d)) != NULL) {
        if (!dd_lint_kind_of(e->d_name))
            continue;
        if ((rc = DD_ARRAY_RESERVE(names, alloc, n + 1, sizeof(*names),
                                   16)) != DD_OK)
            goto done;
        if (!(names[n] = dd_strdup(e->d_name))) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
        n++;
    }
    qsort(names, n, sizeof(*names), cmp_str);
    {
        const char *key = ".dockerignore";

        dir_ignore = bsearch(&key, names, n, sizeof(*names), cmp_str) != NULL;
    }
    for (size_t i = 0; i < n; i++) {
        dd_lint_kind kind = dd_lint_kind_of(names[i]);

        dd_buf_clear(&path);
        if ((rc = dd_buf_printf(&path, "%s%s%s", dir, has_suffix_ci(dir, "/") ? "" : "/",
                                names[i])) != DD_OK)
            goto done;
        if (kind == DD_LINT_DOCKERFILE) {
            char own[512];
            const char *key = own;

            any_dockerfile = true;
            snprintf(own, sizeof(own), "%s.dockerignore", names[i]);
            has_ignore = bsearch(&key, names, n, sizeof(*names), cmp_str) != NULL || dir_ignore;
        }
        rc = lint_file(r, path.data, kind, cfg, kind == DD_LINT_DOCKERFILE ? has_ignore : -1);
        /* one unusable file does not hide the findings of the others: remember the first */
        if (rc == DD_ENOMEM)
            goto done;
        if (rc != DD_OK && first_err == DD_OK) {
            first_err = rc;
            dd_error_save(&saved);
        }
    }
    if (any_dockerfile) {
        rc = dd_lint__context(r, dir, cfg, true);
        if (rc != DD_OK && first_err == DD_OK) {
            first_err = rc;
            dd_error_save(&saved);
        }
    }
    rc = DD_OK;
done:
    closedir(d);
    for (size_t i = 0; i < n; i++)
        dd_free(names[i]);
    dd_free(names);
    dd_buf_dispose(&path);
    if (rc == DD_OK && first_err != DD_OK)
        rc = dd_error_restore(&saved);
    return rc;
}

int dd_lint_path(dd_lint_result *r, const char *path, const dd_lint_config *cfg)
{
    struct stat st;
    dd_lint_kind kind;

    if (stat(path, &st) != 0)
        return dd_error_set(errno == ENOENT ? DD_ENOTFOUND : DD_EIO, "%s: %s", path,
                            strerror(errno));
    if (S_ISDIR(st.st_mode))
        return lint_dir(r, path, cfg);
    kind = dd_lint_kind_of(path);
    /* a file named on the command line is a compose file when it is YAML, else a Dockerfile */
    if (!kind)
        kind = has_suffix_ci(path, ".yml") || has_suffix_ci(path, ".yaml") ? DD_LINT_COMPOSE
                                                                           : DD_LINT_DOCKERFILE;
    return lint_file(r, path, kind, cfg, -1);
}
