/* Build-context audit: the files a build would send to the builder although they look like
 * secrets, found by name and by a look at their first bytes. */
#include "lint/lint_int.h"
#include "lint/ignore_int.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define HEAD_BYTES 8192

typedef struct {
    dd_lint_result *r;
    const dd_lint_config *cfg;
    const char *dir;
    dd_buf abs;
    dd_buf file; /* "DIR/REL" for the finding */
    bool git_reported;
    bool dockerfiles_linted; /* the top-level Dockerfiles were linted (their secrets reported) */
    char head[HEAD_BYTES + 1];
} audit;

/* Reads up to HEAD_BYTES of a regular file; 0 bytes when it cannot be read. */
static size_t read_head(audit *a, const char *rel)
{
    ssize_t n;
    int fd;

    dd_buf_clear(&a->abs);
    if (dd_buf_printf(&a->abs, "%s/%s", a->dir, rel))
        return 0;
    fd = open(a->abs.data, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    n = read(fd, a->head, HEAD_BYTES);
    close(fd);
    if (n < 0)
        n = 0;
    a->head[n] = '\0';
    /* NUL bytes would stop strstr early; binary heads are searched as text up to them */
    return (size_t)n;
}

static bool head_has(const audit *a, size_t n, const char *needle)
{
    return memmem(a->head, n, needle, strlen(needle)) != NULL;
}

static bool has_private_key_block(const audit *a, size_t n)
{
    const char *p = memmem(a->head, n, "-----BEGIN ", 11);

    while (p) {
        const char *eol = memchr(p, '\n', (size_t)(a->head + n - p));
        size_t l = eol ? (size_t)(eol - p) : (size_t)(a->head + n - p);

        if (memmem(p, l, "PRIVATE KEY-----", 16))
            return true;
        p = memmem(p + 11, (size_t)(a->head + n - p - 11), "-----BEGIN ", 11);
    }
    return false;
}

static const char *base_name(const char *rel)
{
    const char *s = strrchr(rel, '/');

    return s ? s + 1 : rel;
}

/* Why `rel` should not reach the builder, or NULL. */
static const char *sensitive_reason(audit *a, const char *rel)
{
    const char *base = base_name(rel);
    size_t n;

    if (strcmp(base, ".npmrc") == 0) {
        n = read_head(a, rel);
        return head_has(a, n, "_authToken") || head_has(a, n, "_auth") ||
                       head_has(a, n, "_password")
                   ? "an .npmrc with a registry token"
                   : NULL;
    }
    if (strcmp(base, ".pypirc") == 0) {
        n = read_head(a, rel);
        return head_has(a, n, "password") ? "a .pypirc with a password" : NULL;
    }
    if (strcmp(base, "config.json") == 0 && strstr(rel, ".docker/")) {
        n = read_head(a, rel);
        return head_has(a, n, "\"auths\"") && head_has(a, n, "\"auth\"")
                   ? "a Docker config.json with registry credentials"
                   : NULL;
    }
    if (strstr(rel, ".aws/") && (strcmp(base, "credentials") == 0 || strcmp(base, "config") == 0))
        return "AWS credentials";
    if (dd_lint__secret_path(rel)) {
        size_t bl = strlen(base);

        /* certificates and public material share the .pem/.key names: look inside */
        if ((bl > 4 && strcmp(base + bl - 4, ".pem") == 0) ||
            (bl > 4 && strcmp(base + bl - 4, ".key") == 0)) {
            n = read_head(a, rel);
            return has_private_key_block(a, n) ? "a private key" : NULL;
        }
        if (strcmp(base, ".npmrc") == 0 || strcmp(base, ".pypirc") == 0)
            return NULL;
        if (strcmp(base, ".env") == 0 || strncmp(base, ".env.", 5) == 0)
            return "an environment file";
        if (strncmp(base, "id_", 3) == 0)
            return "an SSH private key";
        return "a credentials file";
    }
    /* a key inside a Dockerfile the caller linted is a DD-SEC finding already: not reading
     * those again halves the system calls of `drydock lint DIR` */
    if (a->dockerfiles_linted && base == rel && dd_lint__name_is_dockerfile(base))
        return NULL;
    n = read_head(a, rel);
    if (has_private_key_block(a, n))
        return "a private key";
    if (strlen(base) > 5 && strcmp(base + strlen(base) - 5, ".json") == 0 &&
        head_has(a, n, "\"private_key\"") &&
        head_has(a, n, "service_account"))
        return "a Google Cloud service account key";
    return NULL;
}

static int audit_file(const char *rel, int is_dir, void *payload)
{
    audit *a = payload;
    const char *why;

    if (strcmp(rel, ".git") == 0 || strncmp(rel, ".git/", 5) == 0) {
        if (a->git_reported)
            return DD_OK;
        a->git_reported = true;
        dd_buf_clear(&a->file);
        if (dd_buf_printf(&a->file, "%s/.git", a->dir))
            return dd_error_code();
        return dd_lint__report(a->r, a->cfg, "DD-IGN-002", a->file.data, 0, 0,
                               "the build context sends .git/ (history, remotes, maybe "
                               "credentials) to the builder");
    }
    if (is_dir)
        return DD_OK;
    why = sensitive_reason(a, rel);
    if (!why)
        return DD_OK;
    dd_buf_clear(&a->file);
    if (dd_buf_printf(&a->file, "%s/%s", a->dir, rel))
        return dd_error_code();
    return dd_lint__report(a->r, a->cfg, "DD-IGN-003", a->file.data, 0, 0,
                           "the build context sends %s, %s, to the builder", rel, why);
}

int dd_lint__context(dd_lint_result *r, const char *dir, const dd_lint_config *cfg,
                     bool dockerfiles_linted)
{
    audit *a = dd_calloc(1, sizeof(*a));
    int rc;

    if (!a)
        return dd_error_set(DD_ENOMEM, "out of memory");
    a->r = r;
    a->cfg = cfg;
    a->dir = dir;
    a->dockerfiles_linted = dockerfiles_linted;
    a->abs = (dd_buf)DD_BUF_INIT;
    a->file = (dd_buf)DD_BUF_INIT;
    rc = dd_ignore_walk(dir, NULL, audit_file, a);
    dd_buf_dispose(&a->abs);
    dd_buf_dispose(&a->file);
    dd_free(a);
    return rc;
}

int dd_lint_context(dd_lint_result *r, const char *dir, const dd_lint_config *cfg)
{
    return dd_lint__context(r, dir, cfg, false);
}
