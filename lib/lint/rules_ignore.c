/* .dockerignore rules DD-IGN-002..005: what a context's ignore file fails to keep out. */
#include "lint/lint_int.h"
#include "lint/ignore_int.h"

#include <stdio.h>
#include <string.h>

/* Representative paths for each group: a pattern set that excludes them does its job. The
 * secret probes are the ones the security guide's own .dockerignore keeps out, so following the
 * guide to the letter lints clean; key files with other names (id_rsa) that are really present
 * in a context are still reported by the build-context audit. */
static const char *const secret_probes[] = {
    ".env", "server.pem", "server.key", "credentials.json", ".aws/credentials",
};
static const char *const secret_names[] = {
    ".env", "*.pem", "*.key", "credentials.json", ".aws/",
};
static const char *const clutter_probes[] = {"node_modules", ".cache", ".npm", ".idea", ".vscode"};

static int missing_list(const dd_ignore *ig, const char *const *probes, const char *const *names,
                        size_t n, dd_buf *out)
{
    int rc = DD_OK;

    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        if (dd_ignore_excluded(ig, probes[i]))
            continue;
        if (i > 0 && strcmp(names[i], names[i - 1]) == 0 && strstr(out->data, names[i]))
            continue; /* two probes of one name */
        rc = dd_buf_printf(out, "%s%s", out->len ? ", " : "", names[i]);
    }
    return rc;
}

bool dd_lint__secret_path(const char *rel)
{
    static const char *const suffixes[] = {".pem", ".key", ".p12", ".pfx", ".jks", ".keystore",
                                           ".ovpn", ".kdbx", ".tfstate"};
    static const char *const exact[] = {"credentials", "credentials.json", ".npmrc", ".pypirc",
                                        ".netrc", ".git-credentials", ".htpasswd", ".pgpass",
                                        "secrets.yml", "secrets.yaml", "database.yml"};
    static const char *const keys[] = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"};
    static const char *const dirs[] = {".aws", ".ssh", ".gnupg", ".azure", ".gcp", ".kube"};
    const char *base = strrchr(rel, '/');
    size_t bl;

    base = base ? base + 1 : rel;
    bl = strlen(base);
    for (size_t i = 0; i < DD_ARRAY_SIZE(dirs); i++) {
        size_t l = strlen(dirs[i]);
        const char *p = strstr(rel, dirs[i]);

        if (p && (p == rel || p[-1] == '/') && (p[l] == '/' || p[l] == '\0'))
            return true;
    }
    if (strcmp(base, ".env") == 0)
        return true;
    if (strncmp(base, ".env.", 5) == 0)
        return !strstr(base, "example") && !strstr(base, "sample") && !strstr(base, "template") &&
               !strstr(base, ".dist");
    for (size_t i = 0; i < DD_ARRAY_SIZE(exact); i++)
        if (strcmp(base, exact[i]) == 0)
            return true;
    for (size_t i = 0; i < DD_ARRAY_SIZE(keys); i++) {
        size_t l = strlen(keys[i]);

        if (strncmp(base, keys[i], l) == 0 && !(bl > 4 && strcmp(base + bl - 4, ".pub") == 0))
            return true;
    }
    for (size_t i = 0; i < DD_ARRAY_SIZE(suffixes); i++) {
        size_t l = strlen(suffixes[i]);

        if (bl > l && strcmp(base + bl - l, suffixes[i]) == 0)
            return true;
    }
    return false;
}

/* A pattern with no wildcard names one path: probe it too. */
static bool literal_pattern(const char *t)
{
    return strpbrk(t, "*?[\\") == NULL;
}

static int rule_reinclude(dd_lint_result *r, const dd_lint_config *cfg, const char *path,
                          const dd_ignore *ig)
{
    size_t n = dd_ignore_count(ig);
    int rc = DD_OK;

    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        int exc;
        uint32_t line, dline;
        const char *t = dd_ignore_pattern(ig, i, &exc, &line);
        const char *hit = NULL;

        if (!exc)
            continue;
        if (literal_pattern(t) && dd_lint__secret_path(t) && !dd_ignore_match(ig, t, &dline) &&
            dline == line)
            hit = t;
        for (size_t k = 0; !hit && k < DD_ARRAY_SIZE(secret_probes); k++)
            if (!dd_ignore_match(ig, secret_probes[k], &dline) && dline == line)
                hit = secret_probes[k];
        if (hit)
            rc = dd_lint__report(r, cfg, "DD-IGN-005", path, line, 1,
                                 "!%s re-includes %s, a secret path excluded earlier", t, hit);
    }
    return rc;
}

int dd_lint__ignore_rules(dd_lint_result *r, const char *path, const dd_ignore *ig,
                          const dd_lint_config *cfg)
{
    dd_buf miss = DD_BUF_INIT;
    int rc = DD_OK;

    if (!dd_ignore_excluded(ig, ".git") && !dd_ignore_excluded(ig, ".git/HEAD"))
        rc = dd_lint__report(r, cfg, "DD-IGN-002", path, 1, 0,
                             ".dockerignore does not exclude .git (history and remotes reach "
                             "the builder)");
    if (rc == DD_OK)
        rc = missing_list(ig, secret_probes, secret_names, DD_ARRAY_SIZE(secret_probes), &miss);
    if (rc == DD_OK && miss.len)
        rc = dd_lint__report(r, cfg, "DD-IGN-003", path, 1, 0,
                             ".dockerignore does not exclude secret files: %s", miss.data);
    dd_buf_clear(&miss);
    if (rc == DD_OK)
        rc = missing_list(ig, clutter_probes, clutter_probes, DD_ARRAY_SIZE(clutter_probes),
                          &miss);
    if (rc == DD_OK && miss.len)
        rc = dd_lint__report(r, cfg, "DD-IGN-004", path, 1, 0,
                             ".dockerignore does not exclude %s", miss.data);
    if (rc == DD_OK)
        rc = rule_reinclude(r, cfg, path, ig);
    dd_buf_dispose(&miss);
    return rc;
}

int dd_lint_dockerignore(dd_lint_result *r, const char *path, const char *data, size_t len,
                         const dd_lint_config *cfg)
{
    dd_ignore *ig = NULL;
    int rc;

    dd_lint__count_file(r);
    if ((rc = dd_ignore_load(&ig, path, data, len)) != DD_OK)
        return rc;
    rc = dd_lint__ignore_rules(r, path, ig, cfg);
    dd_ignore_free(ig);
    return rc;
}
