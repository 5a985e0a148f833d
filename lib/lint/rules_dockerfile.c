/* The Dockerfile rules of the catalogue: they walk the parsed tree (dockerfile_int.h) once,
 * split every RUN into simple commands and report through dd_lint__report. */
#include "lint/dockerfile_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    uint32_t update_line; /* RUN that only refreshes the package index, 0 when none pending */
    bool pipefail, posix_shell;
    bool has_workdir;
    bool cache_dir_env; /* PIP_NO_CACHE_DIR set */
    const dd_df_inst *last_user;
    size_t n_healthcheck;
} stage_state;

typedef struct {
    dd_lint_result *r;
    const dd_lint_config *cfg;
    const dd_lint_dockerfile_opts *opts;
    const char *path;
    dd_df *df;
    dd_arena *a;
    int rc;
    stage_state *st;
    uint32_t curl_line, wget_line;
    bool reported_both;
    bool compilers;
    uint32_t compilers_line;
    bool *shipped; /* per stage: false for a build stage only copied from (COPY --from) */
    bool *final_chain; /* per stage: the final stage or one it builds on (FROM stage) */
    const dd_df_stage **by_name; /* named stages sorted by name, then index */
    size_t n_named;
    int tool_stage; /* stage in which curl_line / wget_line were seen */
} ctx;

#define REPORT(c, id, line, col, ...)                                                              \
    do {                                                                                           \
        int rc_ = dd_lint__report((c)->r, (c)->cfg, (id), (c)->path, (line), (col), __VA_ARGS__); \
        if (rc_ != DD_OK && (c)->rc == DD_OK)                                                      \
            (c)->rc = rc_;                                                                         \
    } while (0)

#define REPORT_SEV(c, id, sev, line, col, ...)                                                     \
    do {                                                                                           \
        int rc_ = dd_lint__report_sev((c)->r, (c)->cfg, (id), (sev), (c)->path, (line), (col),     \
                                      __VA_ARGS__);                                                \
        if (rc_ != DD_OK && (c)->rc == DD_OK)                                                      \
            (c)->rc = rc_;                                                                         \
    } while (0)

/* --- small helpers --- */

static bool streq(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static const char *base_name(const char *s)
{
    const char *slash = strrchr(s, '/');

    return slash ? slash + 1 : s;
}

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

static const char *flag_value(const dd_df_inst *in, const char *name, bool *present)
{
    for (size_t i = 0; i < in->n_flags; i++)
        if (streq(in->flags[i].name, name)) {
            if (present)
                *present = true;
            return in->flags[i].value ? in->flags[i].value : "";
        }
    if (present)
        *present = false;
    return NULL;
}

/* A RUN --mount of type cache or tmpfs whose target starts with `dir`. */
static bool mount_covers(const dd_df_inst *in, const char *dir)
{
    for (size_t i = 0; i < in->n_flags; i++) {
        const char *v = in->flags[i].value;
        bool cache = false, hit = false;

        if (!streq(in->flags[i].name, "mount") || !v)
            continue;
        while (*v) {
            const char *e = strchr(v, ',');
            size_t n = e ? (size_t)(e - v) : strlen(v);

            if ((n == 10 && strncmp(v, "type=cache", 10) == 0) ||
                (n == 10 && strncmp(v, "type=tmpfs", 10) == 0))
                cache = true;
            else if ((starts(v, "target=") || starts(v, "dst=") || starts(v, "destination=")) &&
                     strncmp(strchr(v, '=') + 1, dir, strlen(dir)) == 0)
                hit = true;
            if (!e)
                break;
            v = e + 1;
        }
        if (cache && hit)
            return true;
    }
    return false;
}

/* --- shell command helpers --- */

static const char *cmd_name(const dd_sh_cmd *c)
{
    return c->cmd0 < c->argc ? base_name(c->argv[c->cmd0]) : "";
}

static bool cmd_has(const dd_sh_cmd *c, const char *w)
{
    for (size_t i = c->cmd0; i < c->argc; i++)
        if (streq(c->argv[i], w))
            return true;
    return false;
}

static bool cmd_has_prefix(const dd_sh_cmd *c, const char *w)
{
    for (size_t i = c->cmd0; i < c->argc; i++)
        if (starts(c->argv[i], w))
            return true;
    return false;
}

/* A short option cluster (-qy) or a long option holding `ch`. */
static bool cmd_has_short(const dd_sh_cmd *c, char ch)
{
    for (size_t i = c->cmd0 + 1; i < c->argc; i++) {
        const char *a = c->argv[i];

        if (a[0] == '-' && a[1] && a[1] != '-' && strchr(a + 1, ch) && !strchr(a, '='))
            return true;
    }
    return false;
}

/* Index of the subcommand: the first non-option word after the command name, skipping the
 * values of options listed in `with_value`. */
static size_t subcommand(const dd_sh_cmd *c, size_t from, const char *const *with_value)
{
    for (size_t i = from; i < c->argc; i++) {
        const char *a = c->argv[i];

        if (a[0] != '-')
            return i;
        if (with_value && in_list(a, with_value))
            i++;
    }
    return c->argc;
}

typedef bool (*pin_fn)(const char *pkg);

/* Collects the packages (non-option words after `from`) that `pinned` rejects, into `out`. */
static size_t unpinned(const dd_sh_cmd *c, size_t from, const char *const *with_value,
                       pin_fn pinned, char *out, size_t outn)
{
    size_t count = 0, used = 0;

    if (outn)
        out[0] = '\0';
    for (size_t i = from; i < c->argc; i++) {
        const char *a = c->argv[i];

        if (a[0] == '-') {
            if (with_value && in_list(a, with_value))
                i++;
            continue;
        }
        if (!*a || strchr(a, '$') || pinned(a))
            continue;
        count++;
        if (used + strlen(a) + 2 < outn) {
            used += (size_t)snprintf(out + used, outn - used, "%s%s", used ? " " : "", a);
        }
    }
    return count;
}

static bool pin_eq(const char *p)
{
    return strchr(p, '=') || ends(p, ".deb") || p[0] == '/' || p[0] == '.';
}

static bool pin_apk(const char *p)
{
    return strchr(p, '=') || strchr(p, '~') || strchr(p, '<') || strchr(p, '>') ||
           ends(p, ".apk") || p[0] == '.' || p[0] == '/';
}

static bool pin_pip(const char *p)
{
    return strchr(p, '=') || strchr(p, '>') || strchr(p, '<') || strstr(p, "~=") ||
           strstr(p, "!=") || strchr(p, '@') || p[0] == '.' || p[0] == '/' || ends(p, ".whl") ||
           ends(p, ".tar.gz") || ends(p, ".zip") || strstr(p, "://");
}

static bool pin_npm(const char *p)
{
    const char *at = strchr(p + 1, '@');

    if (p[0] == '.' || p[0] == '/' || p[0] == '~' || strstr(p, "://") || starts(p, "git") ||
        ends(p, ".tgz") || ends(p, ".tar.gz"))
        return true;
    /* any @tag counts: a dist-tag is a deliberate choice (hadolint and KICS agree) */
    return at && at[1];
}

static bool pin_go(const char *p)
{
    const char *at = strchr(p, '@');

    return (at && !streq(at + 1, "latest")) || p[0] == '.';
}

static bool pin_rpm(const char *p)
{
    /* name-1.2.3, name = 1.2, a local .rpm, a @group */
    for (const char *s = p; *s; s++)
        if (*s == '-' && s[1] >= '0' && s[1] <= '9')
            return true;
    return strchr(p, '=') || strchr(p, '>') || strchr(p, '<') || ends(p, ".rpm") ||
           p[0] == '@' || p[0] == '/' || strstr(p, "://");
}

static bool pin_zypper(const char *p)
{
    return strchr(p, '=') || strchr(p, '>') || strchr(p, '<') || ends(p, ".rpm") ||
           p[0] == '/';
}

/* --- per-RUN analysis --- */

typedef struct {
    bool apt_install, apt_lists_removed, update, install, yum_install, yum_clean, zypper_install,
        zypper_clean, dnf_install, dnf_clean, yarn_install, yarn_clean, pipefail_set, fetch_archive,
        tar_extract, pwsh_first;
} run_facts;

static const char *const apt_value_opts[] = {"-o", "-t", "-c", "--target-release", "--option",
                                             NULL};
static const char *const apk_value_opts[] = {"-X", "--repository", "-t", "--virtual", "-p",
                                             "--root", "--repositories-file", "--arch", NULL};
static const char *const pip_value_opts[] = {
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
    "--extra-index-url", "--trusted-host", "-t", "--target", "--prefix", "-f", "--find-links",
    "--root", "--src", "--platform", "--python-version", "--implementation", "--abi", "--progress-bar",
    "--log", "--cache-dir", "--proxy", "--timeout", "--retries", "--upgrade-strategy", NULL};
static const char *const rpm_value_opts[] = {"-x", "--exclude", "-c", "--config", "--installroot",
                                             "--releasever", "--repo", "--enablerepo",
                                             "--disablerepo", NULL};
static const char *const gem_value_opts[] = {"-v", "--version", "-s", "--source", "-i",
                                             "--install-dir", "-n", "--bindir", "-P", NULL};

static bool apt_yes(const dd_sh_cmd *c)
{
    int quiet = 0;

    for (size_t i = c->cmd0 + 1; i < c->argc; i++) {
        const char *a = c->argv[i];

        if (streq(a, "--quiet"))
            quiet++;
        else if (a[0] == '-' && a[1] != '-')
            for (const char *q = a + 1; *q; q++)
                quiet += *q == 'q';
        if (quiet >= 2)
            return true;

        if (streq(a, "--yes") || streq(a, "--assume-yes") || streq(a, "-qq") ||
            streq(a, "-q=2") || streq(a, "--quiet=2") || starts(a, "-qqy") ||
            streq(a, "--force-yes") || (a[0] == '-' && a[1] != '-' && strchr(a, 'y')))
            return true;
    }
    return false;
}

static void check_pkg_managers(ctx *c, const dd_df_inst *in, const dd_sh_cmd *cmd,
                               run_facts *f, const stage_state *st)
{
    const char *name = cmd_name(cmd);
    char pk[160];
    size_t sub;
    uint32_t l = in->line, col = in->col;
    /* layer hygiene and prompts matter where layers ship, not in stages only copied from */
    bool ship = c->shipped[in->stage];

    if (streq(name, "apt-get") || streq(name, "apt") || streq(name, "aptitude")) {
        const char *s;

        sub = subcommand(cmd, cmd->cmd0 + 1, apt_value_opts);
        s = sub < cmd->argc ? cmd->argv[sub] : "";
        if (streq(name, "apt") && (streq(s, "install") || streq(s, "update") ||
                                   streq(s, "upgrade") || streq(s, "remove") ||
                                   streq(s, "full-upgrade") || streq(s, "purge") ||
                                   streq(s, "autoremove") || streq(s, "dist-upgrade")))
            REPORT(c, "DD-PKG-006", l, col, "apt %s: use apt-get in scripts", s);
        if (cmd_has(cmd, "--allow-unauthenticated") || cmd_has(cmd, "--force-yes") ||
            cmd_has(cmd, "--allow-insecure-repositories") ||
            cmd_has_prefix(cmd, "APT::Get::AllowUnauthenticated"))
            REPORT(c, "DD-BLD-014", l, col, "%s disables package signature checks", name);
        if (streq(s, "update"))
            f->update = true;
        if (streq(s, "clean") || streq(s, "autoclean"))
            f->apt_lists_removed = true; /* KICS accepts apt-get clean; see docs/lint-rules.md */
        if (streq(s, "upgrade") || streq(s, "dist-upgrade") || streq(s, "full-upgrade"))
            REPORT(c, "DD-PKG-007", l, col, "%s %s upgrades the base image's packages", name, s);
        if (streq(s, "install")) {
            f->install = true;
            f->apt_install = true;
            if (unpinned(cmd, sub + 1, apt_value_opts, pin_eq, pk, sizeof(pk)))
                REPORT(c, "DD-PKG-001", l, col, "%s install without pinned versions: %s", name,
                       pk);
            if (ship && !apt_yes(cmd))
                REPORT(c, "DD-PKG-005", l, col, "%s install without -y", name);
            if (ship && !cmd_has(cmd, "--no-install-recommends") &&
                !cmd_has_prefix(cmd, "APT::Install-Recommends=false") &&
                !cmd_has_prefix(cmd, "APT::Install-Recommends=0"))
                REPORT(c, "DD-LYR-002", l, col, "%s install without --no-install-recommends",
                       name);
        }
        return;
    }
    if (streq(name, "apk")) {
        const char *s;

        sub = subcommand(cmd, cmd->cmd0 + 1, apk_value_opts);
        s = sub < cmd->argc ? cmd->argv[sub] : "";
        if (cmd_has(cmd, "--allow-untrusted"))
            REPORT(c, "DD-BLD-014", l, col, "apk --allow-untrusted disables signature checks");
        if (streq(s, "update"))
            f->update = true;
        if (streq(s, "upgrade"))
            REPORT(c, "DD-PKG-007", l, col, "apk upgrade upgrades the base image's packages");
        if (streq(s, "add")) {
            f->install = true;
            if (cmd_has(cmd, "--update") || cmd_has(cmd, "-U"))
                f->update = true;
            if (unpinned(cmd, sub + 1, apk_value_opts, pin_apk, pk, sizeof(pk)))
                REPORT(c, "DD-PKG-002", l, col, "apk add without pinned versions: %s", pk);
            if (ship && !cmd_has(cmd, "--no-cache") && !mount_covers(in, "/var/cache/apk") &&
                !mount_covers(in, "/etc/apk/cache"))
                REPORT(c, "DD-LYR-003", l, col, "apk add without --no-cache");
        }
        return;
    }
    if (starts(name, "pip") ||
        (starts(name, "python") && cmd->cmd0 + 2 < cmd->argc &&
         streq(cmd->argv[cmd->cmd0 + 1], "-m") && starts(cmd->argv[cmd->cmd0 + 2], "pip"))) {
        size_t from = starts(name, "pip") ? cmd->cmd0 + 1 : cmd->cmd0 + 3;
        const char *s;

        sub = subcommand(cmd, from, pip_value_opts);
        s = sub < cmd->argc ? cmd->argv[sub] : "";
        if (cmd_has(cmd, "--trusted-host") || cmd_has_prefix(cmd, "--trusted-host=") ||
            cmd_has_prefix(cmd, "global.trusted-host"))
            REPORT(c, "DD-BLD-015", l, col, "pip --trusted-host disables TLS verification");
        if (streq(s, "install")) {
            bool reqs = cmd_has(cmd, "-r") || cmd_has(cmd, "--requirement") ||
                        cmd_has_prefix(cmd, "--requirement=");

            if (!reqs && unpinned(cmd, sub + 1, pip_value_opts, pin_pip, pk, sizeof(pk)))
                REPORT(c, "DD-PKG-003", l, col, "pip install without pinned versions: %s", pk);
            if (ship && !cmd_has(cmd, "--no-cache-dir") && !st->cache_dir_env &&
                !mount_covers(in, "/root/.cache") && !cmd_has_prefix(cmd, "--cache-dir"))
                REPORT(c, "DD-LYR-004", l, col, "pip install without --no-cache-dir");
        }
        return;
    }
    if (streq(name, "npm")) {
        const char *s;

        sub = subcommand(cmd, cmd->cmd0 + 1, NULL);
        s = sub < cmd->argc ? cmd->argv[sub] : "";
        if ((streq(s, "install") || streq(s, "i") || streq(s, "add")) &&
            unpinned(cmd, sub + 1, NULL, pin_npm, pk, sizeof(pk)))
            REPORT(c, "DD-PKG-003", l, col, "npm install without pinned versions: %s", pk);
        if (streq(s, "config") && cmd_has(cmd, "strict-ssl") && cmd_has(cmd, "false"))
            REPORT(c, "DD-BLD-015", l, col, "npm strict-ssl false disables TLS verification");
        return;
    }
    if (streq(name, "gem")) {
        sub = subcommand(cmd, cmd->cmd0 + 1, NULL);
        if (sub < cmd->argc && streq(cmd->argv[sub], "install")) {
            size_t n = 0;
            const char *last = NULL;

            /* -v VERSION pins the gem named just before it */
            for (size_t i = sub + 1; i < cmd->argc; i++) {
                const char *a = cmd->argv[i];

                if (streq(a, "-v") || streq(a, "--version") || starts(a, "--version=")) {
                    if (last) {
                        n--;
                        last = NULL;
                    }
                    i += streq(a, "-v") || streq(a, "--version");
                    continue;
                }
                if (a[0] == '-') {
                    if (in_list(a, gem_value_opts))
                        i++;
                    continue;
                }
                last = NULL;
                if (!strchr(a, ':') && !strchr(a, '$') && !ends(a, ".gem")) {
                    n++;
                    last = a;
                }
            }
            if (n)
                REPORT(c, "DD-PKG-003", l, col, "gem install without a version (-v)");
        }
        return;
    }
    if (streq(name, "go")) {
        sub = subcommand(cmd, cmd->cmd0 + 1, NULL);
        if (sub < cmd->argc && streq(cmd->argv[sub], "install") &&
            unpinned(cmd, sub + 1, NULL, pin_go, pk, sizeof(pk)))
            REPORT(c, "DD-PKG-003", l, col, "go install without a version: %s", pk);
        if (sub < cmd->argc && streq(cmd->argv[sub], "build"))
            c->compilers = true;
        return;
    }
    if (streq(name, "yarn")) {
        sub = subcommand(cmd, cmd->cmd0 + 1, NULL);
        if (sub >= cmd->argc || streq(cmd->argv[sub], "install"))
            f->yarn_install = true;
        if (sub + 1 < cmd->argc && streq(cmd->argv[sub], "cache") &&
            streq(cmd->argv[sub + 1], "clean"))
            f->yarn_clean = true;
        return;
    }
    if (streq(name, "yum") || streq(name, "dnf") || streq(name, "microdnf") ||
        streq(name, "tdnf")) {
        const char *s;
        bool dnf = !streq(name, "yum");

        sub = subcommand(cmd, cmd->cmd0 + 1, rpm_value_opts);
        s = sub < cmd->argc ? cmd->argv[sub] : "";
        if (cmd_has(cmd, "--nogpgcheck") || cmd_has_prefix(cmd, "--setopt=gpgcheck=0") ||
            cmd_has_prefix(cmd, "--setopt=sslverify=0") ||
            cmd_has_prefix(cmd, "--setopt=sslverify=false"))
            REPORT(c, "DD-BLD-014", l, col, "%s --nogpgcheck disables signature checks", name);
        if (streq(s, "update") || streq(s, "upgrade") || streq(s, "distro-sync")) {
            f->update = true;
            REPORT(c, "DD-PKG-007", l, col, "%s %s upgrades the base image's packages", name, s);
        }
        if (streq(s, "makecache"))
            f->update = true;
        /* the last of install and clean wins, word by word, so a clean that comes first does
         * not count (and neither does a line-continuation slip that joins two commands) */
        for (size_t i = sub; i < cmd->argc; i++) {
            const char *w = cmd->argv[i];
            bool inst = streq(w, "install") || (dnf && streq(w, "in"));

            if (inst || streq(w, "clean")) {
                bool *done_ = dnf ? &f->dnf_clean : &f->yum_clean;

                if (inst && (i == sub || streq(cmd->argv[i - 1], "-y") || cmd->argv[i - 1][0] != '-')) {
                    f->install = true;
                    if (dnf)
                        f->dnf_install = true;
                    else
                        f->yum_install = true;
                    *done_ = false;
                } else if (!inst) {
                    *done_ = true;
                }
            }
        }
        if (streq(s, "install") || streq(s, "groupinstall") || streq(s, "localinstall") ||
            streq(s, "reinstall") || (dnf && streq(s, "in"))) {
            if ((streq(s, "install") || streq(s, "in")) &&
                unpinned(cmd, sub + 1, rpm_value_opts, pin_rpm, pk, sizeof(pk)))
                REPORT(c, "DD-PKG-004", l, col, "%s install without pinned versions: %s", name,
                       pk);
            if (ship && !cmd_has(cmd, "-y") && !cmd_has(cmd, "--assumeyes") &&
                !cmd_has_short(cmd, 'y'))
                REPORT(c, "DD-PKG-005", l, col, "%s install without -y", name);
        }
        return;
    }
    if (streq(name, "zypper")) {
        const char *s;

        sub = subcommand(cmd, cmd->cmd0 + 1, NULL);
        s = sub < cmd->argc ? cmd->argv[sub] : "";
        if (cmd_has(cmd, "--no-gpg-checks") || cmd_has(cmd, "--gpg-auto-import-keys"))
            REPORT(c, "DD-BLD-014", l, col, "zypper disables signature checks");
        if (streq(s, "refresh") || streq(s, "ref"))
            f->update = true;
        if (streq(s, "update") || streq(s, "up") || streq(s, "dist-upgrade") ||
            streq(s, "dup") || streq(s, "patch")) {
            f->update = true;
            REPORT(c, "DD-PKG-007", l, col, "zypper %s upgrades the base image's packages", s);
        }
        if (streq(s, "clean") || streq(s, "cc"))
            f->zypper_clean = true;
        if (streq(s, "install") || streq(s, "in")) {
            f->install = true;
            f->zypper_install = true;
            f->zypper_clean = false;
            if (unpinned(cmd, sub + 1, NULL, pin_zypper, pk, sizeof(pk)))
                REPORT(c, "DD-PKG-004", l, col, "zypper install without pinned versions: %s", pk);
            if (ship && !cmd_has(cmd, "-n") && !cmd_has(cmd, "--non-interactive") &&
                !cmd_has(cmd, "-y") && !cmd_has(cmd, "--no-confirm"))
                REPORT(c, "DD-PKG-005", l, col, "zypper install without -n/-y");
        }
        return;
    }
    if (streq(name, "pacman")) {
        for (size_t i = cmd->cmd0 + 1; i < cmd->argc; i++) {
            const char *a = cmd->argv[i];

            if (a[0] == '-' && a[1] == 'S') {
                if (strchr(a, 'y'))
                    f->update = true;
                if (strchr(a, 'u'))
                    REPORT(c, "DD-PKG-007", l, col, "pacman %s upgrades the system", a);
                else if (!strchr(a, 'y') || i + 1 < cmd->argc)
                    f->install = true;
            }
        }
        return;
    }
}

static bool is_shell_name(const char *n)
{
    static const char *const shells[] = {"sh", "bash", "zsh", "dash", "ash", "ksh", "fish",
                                         "python", "python3", "perl", "ruby", "node", NULL};

    return in_list(n, shells);
}

static const char *const tls_env[] = {"PYTHONHTTPSVERIFY", "NODE_TLS_REJECT_UNAUTHORIZED",
                                      "NPM_CONFIG_STRICT_SSL", "GIT_SSL_NO_VERIFY",
                                      "PIP_TRUSTED_HOST", "GOINSECURE", "GONOSUMCHECK",
                                      "GONOSUMDB", "GOFLAGS", NULL};

/* Whether NAME=VALUE turns TLS verification off. */
static bool tls_off(const char *name, const char *value)
{
    if (!value)
        return false;
    if (streq(name, "PYTHONHTTPSVERIFY") || streq(name, "NODE_TLS_REJECT_UNAUTHORIZED"))
        return streq(value, "0");
    if (streq(name, "NPM_CONFIG_STRICT_SSL"))
        return strcasecmp(value, "false") == 0 || streq(value, "0");
    if (streq(name, "GIT_SSL_NO_VERIFY"))
        return *value && strcasecmp(value, "false") != 0 && !streq(value, "0");
    if (streq(name, "PIP_TRUSTED_HOST") || streq(name, "GOINSECURE"))
        return *value != '\0';
    if (streq(name, "GOFLAGS"))
        return strstr(value, "-insecure") != NULL;
    return false;
}

static void check_tls_assignment(ctx *c, const dd_df_inst *in, const char *word)
{
    const char *eq = strchr(word, '=');
    char name[64];

    if (!eq || (size_t)(eq - word) >= sizeof(name))
        return;
    memcpy(name, word, (size_t)(eq - word));
    name[eq - word] = '\0';
    if (in_list(name, tls_env) && tls_off(name, eq + 1))
        REPORT(c, "DD-BLD-015", in->line, in->col, "%s disables TLS verification", word);
}

static void check_command(ctx *c, const dd_df_inst *in, const dd_sh_script *sc, size_t k,
                          run_facts *f, stage_state *st)
{
    const dd_sh_cmd *cmd = &sc->cmds[k];
    const char *name = cmd_name(cmd);
    uint32_t l = in->line, col = in->col;
    static const char *const pointless[] = {"ssh", "vim", "vi", "shutdown", "service", "ps",
                                            "free", "top", "kill", "mount", "ifconfig", "nano",
                                            "reboot", "halt", NULL};
    static const char *const compilers[] = {"gcc", "g++", "cc", "make", "cmake", "cargo",
                                            "rustc", "javac", "mvn", "gradle", NULL};

    for (size_t i = 0; i < cmd->cmd0; i++)
        check_tls_assignment(c, in, cmd->argv[i]);
    if (!*name)
        return;
    if (cmd->sudo)
        REPORT(c, "DD-PKG-009", l, col, "sudo in RUN: %s", name);
    check_pkg_managers(c, in, cmd, f, st);
    if (streq(name, "export") || streq(name, "declare"))
        for (size_t i = cmd->cmd0 + 1; i < cmd->argc; i++)
            check_tls_assignment(c, in, cmd->argv[i]);
    if (streq(name, "cd") &&
        (k + 1 < sc->n || cmd->cmd0 + 1 >= cmd->argc || cmd->argv[cmd->cmd0 + 1][0] != '/' ||
         strstr(cmd->argv[cmd->cmd0 + 1], "..")))
        REPORT(c, "DD-BLD-016", l, col, "RUN cd %s: use WORKDIR",
               cmd->cmd0 + 1 < cmd->argc ? cmd->argv[cmd->cmd0 + 1] : "");
    if (in_list(name, pointless))
        REPORT(c, "DD-BLD-027", l, col, "%s has no purpose in a container build", name);
    if (in_list(name, compilers))
        c->compilers = true;
    if (streq(name, "set"))
        for (size_t i = cmd->cmd0 + 1; i < cmd->argc; i++)
            if (streq(cmd->argv[i], "pipefail"))
                f->pipefail_set = true;
    if (streq(name, "ln") && (cmd_has(cmd, "/bin/sh") || cmd_has(cmd, "/usr/bin/sh")) &&
        cmd_has_short(cmd, 's') && streq(cmd->argv[cmd->argc - 1] + (cmd->argv[cmd->argc - 1][0] == '/' && starts(cmd->argv[cmd->argc - 1], "/usr") ? 4 : 0), "/bin/sh"))
        REPORT(c, "DD-BLD-022", l, col, "ln replaces /bin/sh: use SHELL");
    if (streq(name, "curl") || streq(name, "wget")) {
        bool curl = streq(name, "curl");

        if (c->tool_stage != in->stage) {
            c->tool_stage = in->stage;
            c->curl_line = c->wget_line = 0;
        }
        if ((curl && c->wget_line) || (!curl && c->curl_line))
            REPORT(c, "DD-BLD-028", l, col, "%s used although %s is used at line %u", name,
                   curl ? "wget" : "curl", curl ? c->wget_line : c->curl_line);
        else if (curl && !c->curl_line)
            c->curl_line = l;
        else if (!curl && !c->wget_line)
            c->wget_line = l;
        if (curl && (cmd_has(cmd, "--insecure") || cmd_has_short(cmd, 'k')))
            REPORT(c, "DD-BLD-013", l, col, "curl -k disables TLS verification");
        if (!curl && cmd_has(cmd, "--no-check-certificate"))
            REPORT(c, "DD-BLD-013", l, col, "wget --no-check-certificate disables TLS verification");
        if (!curl && !cmd_has_prefix(cmd, "--progress") && !cmd_has(cmd, "-q") &&
            !cmd_has(cmd, "--quiet") && !cmd_has(cmd, "-nv") && !cmd_has(cmd, "--no-verbose") &&
            !cmd_has_short(cmd, 'q'))
            REPORT(c, "DD-BLD-029", l, col, "wget without --progress fills the build log");
        for (size_t i = cmd->cmd0 + 1; i < cmd->argc; i++) {
            const char *a = cmd->argv[i];

            if (strstr(a, "://") && (ends(a, ".tar.gz") || ends(a, ".tgz") || ends(a, ".tar.xz") ||
                                     ends(a, ".tar.bz2") || ends(a, ".tar") || ends(a, ".zip")))
                f->fetch_archive = true;
        }
        if (cmd->piped_out)
            for (size_t j = k + 1; j < sc->n && sc->cmds[j].pipeline == cmd->pipeline; j++)
                if (is_shell_name(cmd_name(&sc->cmds[j]))) {
                    REPORT(c, "DD-BLD-011", l, col, "%s output piped to %s", name,
                           cmd_name(&sc->cmds[j]));
                    break;
                }
    }
    if (streq(name, "tar") && cmd->cmd0 + 1 < cmd->argc && strchr(cmd->argv[cmd->cmd0 + 1], 'x'))
        f->tar_extract = true;
    if (streq(name, "rm"))
        for (size_t i = cmd->cmd0 + 1; i < cmd->argc; i++) {
            if (starts(cmd->argv[i], "/var/lib/apt/lists"))
                f->apt_lists_removed = true;
            if (starts(cmd->argv[i], "/var/cache/yum"))
                f->yum_clean = true;
            if (starts(cmd->argv[i], "/var/cache/dnf"))
                f->dnf_clean = true;
            if (starts(cmd->argv[i], "/var/cache/zypp"))
                f->zypper_clean = true;
        }
    if (streq(name, "git") && cmd_has(cmd, "config") &&
        (cmd_has(cmd, "http.sslVerify") || cmd_has(cmd, "http.sslverify")) &&
        (cmd_has(cmd, "false") || cmd_has(cmd, "0")))
        REPORT(c, "DD-BLD-015", l, col, "git http.sslVerify false disables TLS verification");
    if (streq(name, "chpasswd") || (streq(name, "passwd") && cmd->piped_in) ||
        ((streq(name, "useradd") || streq(name, "usermod")) &&
         (cmd_has(cmd, "-p") || cmd_has(cmd, "--password"))))
        REPORT(c, "DD-USR-004", l, col, "%s sets a password at build time", name);
    if (streq(name, "useradd") && !cmd_has(cmd, "-l") && !cmd_has(cmd, "--no-log-init") &&
        !cmd_has_short(cmd, 'l'))
        for (size_t i = cmd->cmd0 + 1; i + 1 < cmd->argc; i++)
            if ((streq(cmd->argv[i], "-u") || streq(cmd->argv[i], "--uid")) &&
                strtoul(cmd->argv[i + 1], NULL, 10) > 99999)
                REPORT(c, "DD-LYR-008", l, col, "useradd -u %s without -l", cmd->argv[i + 1]);
}

static void check_run(ctx *c, const dd_df_inst *in, stage_state *st)
{
    dd_sh_script sc;
    run_facts f;
    int rc;

    memset(&f, 0, sizeof(f));
    if (in->json) {
        /* exec form: one command, unless it is `sh -c SCRIPT` */
        if (in->n_words >= 3 && is_shell_name(base_name(in->words[0].s)) &&
            streq(in->words[1].s, "-c")) {
            rc = dd_sh__split(&sc, c->a, in->words[2].s, strlen(in->words[2].s));
        } else {
            memset(&sc, 0, sizeof(sc));
            sc.cmds = dd_arena_alloc(c->a, sizeof(dd_sh_cmd));
            rc = sc.cmds ? DD_OK : DD_ENOMEM;
            if (sc.cmds && in->n_words) {
                char **argv = dd_arena_alloc(c->a, in->n_words * sizeof(char *));

                rc = argv ? DD_OK : DD_ENOMEM;
                if (argv) {
                    for (size_t i = 0; i < in->n_words; i++)
                        argv[i] = in->words[i].s;
                    memset(sc.cmds, 0, sizeof(dd_sh_cmd));
                    sc.cmds[0].argv = argv;
                    sc.cmds[0].argc = in->n_words;
                    dd_sh__resolve(&sc.cmds[0]);
                    sc.n = 1;
                }
            }
        }
    } else {
        rc = dd_sh__split(&sc, c->a, in->args, strlen(in->args));
        for (size_t i = 0; rc == DD_OK && i < in->n_heredocs; i++)
            if (in->heredocs[i].is_script)
                rc = dd_sh__split_append(&sc, c->a, in->heredocs[i].body,
                                         strlen(in->heredocs[i].body));
    }
    if (rc != DD_OK) {
        c->rc = dd_error_set(DD_ENOMEM, "out of memory");
        return;
    }
    if (sc.n)
        f.pwsh_first = starts(cmd_name(&sc.cmds[0]), "pwsh") ||
                       starts(cmd_name(&sc.cmds[0]), "powershell");
    for (size_t k = 0; k < sc.n; k++)
        check_command(c, in, &sc, k, &f, st);
    if (!c->shipped[in->stage])
        f.apt_install = f.yum_install = f.dnf_install = f.zypper_install = f.yarn_install = false;
    if (f.apt_install && !f.apt_lists_removed && !mount_covers(in, "/var/lib/apt/lists"))
        REPORT(c, "DD-LYR-001", in->line, in->col,
               "apt-get install without rm -rf /var/lib/apt/lists/* in the same RUN");
    if (f.yum_install && !f.yum_clean && !mount_covers(in, "/var/cache/yum"))
        REPORT(c, "DD-LYR-005", in->line, in->col, "yum install without yum clean all");
    if (f.dnf_install && !f.dnf_clean && !mount_covers(in, "/var/cache/dnf") &&
        !mount_covers(in, "/var/cache/yum"))
        REPORT(c, "DD-LYR-005", in->line, in->col, "dnf install without dnf clean all");
    if (f.zypper_install && !f.zypper_clean && !mount_covers(in, "/var/cache/zypp"))
        REPORT(c, "DD-LYR-005", in->line, in->col, "zypper install without zypper clean");
    if (f.yarn_install && !f.yarn_clean && !mount_covers(in, "/usr/local/share/.cache/yarn"))
        REPORT(c, "DD-LYR-006", in->line, in->col, "yarn install without yarn cache clean");
    if (f.fetch_archive && f.tar_extract)
        REPORT(c, "DD-BLD-010", in->line, in->col,
               "archive downloaded and extracted by RUN: ADD can fetch and extract it");
    if (sc.has_pipe && !in->json && st->posix_shell && !st->pipefail && !f.pipefail_set &&
        !f.pwsh_first)
        REPORT(c, "DD-BLD-012", in->line, in->col,
               "RUN with a pipe while the shell lacks -o pipefail");
    /* the package index refreshed in one RUN and used by a later one */
    if (f.update && !f.install && !st->update_line)
        st->update_line = in->line;
    else if (f.install && !f.update && st->update_line) {
        REPORT(c, "DD-PKG-008", in->line, in->col,
               "install uses a package index refreshed by the RUN at line %u", st->update_line);
        st->update_line = 0;
    }
}

/* --- other instructions --- */

static bool secret_name(const char *key)
{
    static const char *const words_[] = {"PASSWORD", "PASSWD", "PASS", "SECRET", "TOKEN",
                                         "APIKEY", "CREDENTIALS", "CREDENTIAL", "PRIVATEKEY",
                                         NULL};
    static const char *const key_prefix[] = {"API", "ACCESS", "PRIVATE", "SECRET", "AUTH",
                                             "CLIENT", "SIGNING", "ENCRYPTION", "MASTER", NULL};
    char up[128], *parts[16];
    size_t n = 0, len = strlen(key);

    if (len == 0 || len >= sizeof(up))
        return false;
    for (size_t i = 0; i <= len; i++)
        up[i] = (char)((key[i] >= 'a' && key[i] <= 'z') ? key[i] - 'a' + 'A' : key[i]);
    if (ends(up, "_FILE") || ends(up, "_PATH") || ends(up, "_DIR") || ends(up, "_URL") ||
        ends(up, "_ID") || ends(up, "_NAME") || ends(up, "_USER") || ends(up, "_LENGTH"))
        return false;
    /* split at _ - . */
    parts[n++] = up;
    for (char *p = up; *p && n < DD_ARRAY_SIZE(parts); p++)
        if (*p == '_' || *p == '-' || *p == '.') {
            *p = '\0';
            parts[n++] = p + 1;
        }
    for (size_t i = 0; i < n; i++) {
        if (in_list(parts[i], words_))
            return true;
        if (streq(parts[i], "KEY") && i > 0 && in_list(parts[i - 1], key_prefix))
            return true;
        if (ends(parts[i], "PASSWORD") || ends(parts[i], "TOKEN") || ends(parts[i], "SECRET"))
            return true;
    }
    return false;
}

static void check_env_arg(ctx *c, const dd_df_inst *in, stage_state *st)
{
    for (size_t i = 0; i < in->n_kvs; i++) {
        const dd_df_kv *kv = &in->kvs[i];

        if (in->op == DD_DF_LABEL)
            break;
        if (secret_name(kv->key)) {
            if (in->op == DD_DF_ENV || kv->has_value)
                REPORT(c, "DD-SEC-001", kv->line, kv->col,
                       "%s %s: a secret in %s stays in the image metadata", in->name, kv->key,
                       in->name);
            else
                REPORT(c, "DD-SEC-004", kv->line, kv->col,
                       "ARG %s: pass build secrets with RUN --mount=type=secret", kv->key);
        }
        if (kv->has_value && in_list(kv->key, tls_env) && tls_off(kv->key, kv->value))
            REPORT(c, "DD-BLD-015", kv->line, kv->col, "%s=%s disables TLS verification",
                   kv->key, kv->value);
        if (in->op == DD_DF_ENV && streq(kv->key, "PIP_NO_CACHE_DIR"))
            st->cache_dir_env = true;
        if (in->op == DD_DF_ENV && kv->raw_value)
            for (size_t j = 0; j < i; j++) {
                const char *k = in->kvs[j].key, *p = kv->raw_value;
                size_t kl = strlen(k);

                while ((p = strchr(p, '$')) != NULL) {
                    const char *nm = p + 1 + (p[1] == '{');

                    if (strncmp(nm, k, kl) == 0 &&
                        !((nm[kl] >= 'A' && nm[kl] <= 'Z') || (nm[kl] >= 'a' && nm[kl] <= 'z') ||
                          (nm[kl] >= '0' && nm[kl] <= '9') || nm[kl] == '_')) {
                        REPORT(c, "DD-BLD-024", kv->line, kv->col,
                               "ENV %s uses %s, defined in the same ENV", kv->key, k);
                        break;
                    }
                    p++;
                }
            }
    }
}

/* Splits an image reference into registry, repository, tag and digest presence. */
typedef struct {
    char registry[128];
    char repo[256];
    char tag[128];
    bool digest;
} image_ref;

static void parse_ref(const char *img, image_ref *r)
{
    const char *at = strchr(img, '@'), *end = at ? at : img + strlen(img);
    const char *slash = memchr(img, '/', (size_t)(end - img)), *colon, *name = img;
    const char *last_slash = NULL;

    memset(r, 0, sizeof(*r));
    r->digest = at != NULL;
    if (slash) {
        size_t fl = (size_t)(slash - img);

        if (memchr(img, '.', fl) || memchr(img, ':', fl) || (fl == 9 && !strncmp(img, "localhost", 9))) {
            snprintf(r->registry, sizeof(r->registry), "%.*s", (int)fl, img);
            name = slash + 1;
        }
    }
    if (!r->registry[0])
        snprintf(r->registry, sizeof(r->registry), "docker.io");
    for (const char *p = name; p < end; p++)
        if (*p == '/')
            last_slash = p;
    colon = memchr(last_slash ? last_slash : name, ':', (size_t)(end - (last_slash ? last_slash : name)));
    if (colon) {
        snprintf(r->repo, sizeof(r->repo), "%.*s", (int)(colon - name), name);
        snprintf(r->tag, sizeof(r->tag), "%.*s", (int)(end - colon - 1), colon + 1);
    } else {
        snprintf(r->repo, sizeof(r->repo), "%.*s", (int)(end - name), name);
    }
}

static bool registry_trusted(const dd_lint_config *cfg, const char *reg)
{
    for (size_t i = 0; i < cfg->n_trusted_registries; i++) {
        const char *t = cfg->trusted_registries[i];

        if (strcasecmp(t, reg) == 0 ||
            ((streq(reg, "docker.io")) && (streq(t, "index.docker.io") ||
                                            streq(t, "registry-1.docker.io") ||
                                            streq(t, "hub.docker.com"))))
            return true;
    }
    return false;
}

static int cmp_stage_name(const void *a, const void *b)
{
    const dd_df_stage *x = *(const dd_df_stage *const *)a, *y = *(const dd_df_stage *const *)b;
    int c = strcasecmp(x->name, y->name);

    return c ? c : (x < y ? -1 : x > y);
}

static int cmp_name_key(const void *key, const void *elem)
{
    return strcasecmp(key, (*(const dd_df_stage *const *)elem)->name);
}

/* The entry of by_name for the first stage named `name`, or NULL: a binary search, so that a
 * file of thousands of stages stays n log n. */
static const dd_df_stage *const *stage_by_name(const ctx *c, const char *name)
{
    const dd_df_stage *const *hit =
        c->n_named ? bsearch(name, c->by_name, c->n_named, sizeof(*c->by_name), cmp_name_key)
                   : NULL;

    while (hit && hit > c->by_name && strcasecmp(hit[-1]->name, name) == 0)
        hit--;
    return hit;
}

static int stage_index(const ctx *c, const char *name)
{
    const dd_df_stage *const *hit = stage_by_name(c, name);

    return hit ? (int)(*hit - c->df->stages) : -1;
}

static void check_from(ctx *c, const dd_df_inst *in, const dd_df_stage *st, size_t idx)
{
    image_ref ref;
    static const char *const full_distros[] = {"ubuntu", "debian", "centos", "fedora",
                                               "rockylinux", "almalinux", "amazonlinux",
                                               "oraclelinux", "archlinux", "opensuse/leap",
                                               "opensuse/tumbleweed", "buildpack-deps", NULL};
    static const char *const reserved[] = {"scratch", "context", NULL};

    if (st->name) {
        /* the first other stage of that name: by_name holds them side by side */
        const dd_df_stage *const *hit = stage_by_name(c, st->name), *other = NULL;

        if (hit && *hit != st)
            other = *hit;
        else if (hit && hit + 1 < c->by_name + c->n_named &&
                 strcasecmp(hit[1]->name, st->name) == 0)
            other = hit[1];
        if (other)
            REPORT(c, "DD-BLD-004", in->line, in->col,
                   "stage name \"%s\" is also used at line %u", st->name, other->line);
    }
    if (st->name && in_list(st->name, reserved))
        REPORT(c, "DD-BLD-005", in->line, in->col, "stage named with the reserved word \"%s\"",
               st->name);
    if (st->platform) {
        if (strstr(st->platform, "TARGETPLATFORM"))
            REPORT(c, "DD-BI-008", in->line, in->col, "--platform=%s is the default",
                   st->platform);
        else
            REPORT(c, "DD-BI-007", in->line, in->col, "FROM --platform=%s fixes the platform",
                   st->platform);
    }
    if (st->base_stage >= 0 || strcasecmp(st->image, "scratch") == 0 || st->unresolved)
        return;
    parse_ref(st->image, &ref);
    if (!ref.tag[0] && !ref.digest)
        REPORT(c, "DD-BI-001", in->line, in->col, "FROM %s has no tag or digest (implicit latest)",
               st->image);
    if (streq(ref.tag, "latest"))
        REPORT(c, "DD-BI-002", in->line, in->col, "FROM %s uses the mutable latest tag",
               st->image);
    if (!ref.digest)
        REPORT(c, "DD-BI-003", in->line, in->col, "FROM %s is not pinned by digest", st->image);
    if (c->cfg && c->cfg->n_trusted_registries && !registry_trusted(c->cfg, ref.registry))
        REPORT(c, "DD-BI-004", in->line, in->col, "FROM %s: registry %s is not trusted",
               st->image, ref.registry);
    if (idx + 1 == c->df->n_stages) {
        const char *repo = starts(ref.repo, "library/") ? ref.repo + 8 : ref.repo;
        bool small = strstr(ref.tag, "slim") || strstr(ref.tag, "alpine") ||
                     strstr(ref.tag, "minimal") || strstr(ref.tag, "distroless") ||
                     strstr(ref.repo, "distroless") || strstr(ref.repo, "alpine") ||
                     strstr(ref.tag, "micro");

        if (!small && in_list(repo, full_distros))
            REPORT(c, "DD-BI-005", in->line, in->col,
                   "final stage on the full distribution image %s", st->image);
    }
}

static bool url(const char *s)
{
    return starts(s, "http://") || starts(s, "https://") || starts(s, "git@") ||
           starts(s, "git://") || starts(s, "ssh://");
}

static bool archive(const char *s)
{
    static const char *const ext[] = {".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz",
                                      ".txz", ".tar.zst", ".gz", ".bz2", ".xz", NULL};

    for (const char *const *e = ext; *e; e++)
        if (ends(s, *e))
            return true;
    return false;
}

static bool secret_file(const char *path)
{
    const char *b = base_name(path);
    static const char *const names[] = {".env", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519",
                                        "credentials", "credentials.json", ".npmrc", ".pypirc",
                                        ".netrc", ".git-credentials", ".dockercfg", ".htpasswd",
                                        ".aws", ".ssh", "secrets.yml", "secrets.yaml",
                                        "database.yml", NULL};

    if (!*b && strlen(path) > 1) {
        /* "dir/" */
        char tmp[256];
        size_t n = strlen(path) - 1;

        if (n >= sizeof(tmp))
            return false;
        memcpy(tmp, path, n);
        tmp[n] = '\0';
        return secret_file(tmp);
    }
    return in_list(b, names) || starts(b, ".env.") || starts(b, "id_rsa") || ends(b, ".pem") ||
           ends(b, ".key") || ends(b, ".p12") || ends(b, ".pfx") || ends(b, ".jks") ||
           ends(b, ".keystore");
}

static void check_copy(ctx *c, const dd_df_inst *in, stage_state *st)
{
    bool has_from, has_chown;
    const char *from = flag_value(in, "from", &has_from);
    size_t n = in->n_words, nsrc;
    const char *dest;
    bool add = in->op == DD_DF_ADD;

    flag_value(in, "chown", &has_chown);
    if (has_chown)
        REPORT(c, "DD-BLD-030", in->line, in->col, "%s --chown: use --chmod if only permissions matter",
               in->name);
    if (has_from && from) {
        int idx = stage_index(c, from);
        const dd_df_stage *cur = in->stage >= 0 ? &c->df->stages[in->stage] : NULL;
        bool numeric = *from && strspn(from, "0123456789") == strlen(from);

        if (cur && cur->name && strcasecmp(cur->name, from) == 0)
            REPORT(c, "DD-BLD-003", in->line, in->col, "COPY --from=%s names the current stage",
                   from);
        else if (numeric)
            REPORT(c, "DD-BLD-002", in->line, in->col,
                   "COPY --from=%s refers to an unnamed stage by index: name it with AS", from);
        else if ((idx < 0 || idx >= in->stage) && !strchr(from, '/') && !strchr(from, ':') &&
                 !strchr(from, '.') && !strchr(from, '$'))
            REPORT(c, "DD-BLD-002", in->line, in->col,
                   "COPY --from=%s names no earlier stage", from);
    }
    if (n == 0)
        return;
    dest = in->words[n - 1].s;
    nsrc = n - 1 + in->n_heredocs;
    for (size_t i = 0; i + 1 < n; i++) {
        const char *s = in->words[i].s;

        if (s[0] == '<' && s[1] == '<')
            continue;
        if (has_from && streq(s, "/"))
            REPORT(c, "DD-BLD-006", in->line, in->col, "COPY --from=%s / copies a whole filesystem",
                   from);
        if (!has_from && secret_file(s))
            REPORT(c, "DD-SEC-003", in->words[i].line, in->words[i].col,
                   "%s %s copies a secret file into the image", in->name, s);
        if (!has_from && (streq(s, ".") || streq(s, "./")) && c->opts &&
            c->opts->has_dockerignore == 0)
            REPORT(c, "DD-IGN-001", in->line, in->col,
                   "%s %s sends the whole context and there is no .dockerignore", in->name, s);
        if (add && !has_from) {
            if (url(s) && !flag_value(in, "checksum", NULL) && !starts(s, "git"))
                REPORT(c, "DD-BLD-009", in->line, in->col,
                       "ADD %s fetches a remote file without --checksum", s);
            else if (!url(s) && !archive(s))
                REPORT(c, "DD-BLD-008", in->line, in->col, "ADD %s: use COPY for local files", s);
        }
    }
    if (in->n_heredocs)
        nsrc = n - 1 + in->n_heredocs - 0;
    if (nsrc >= 2 && !ends(dest, "/") && !strchr(dest, '$'))
        REPORT(c, "DD-BLD-007", in->line, in->col,
               "%s with %zu sources needs a destination ending in /", in->name, nsrc);
    if (dest[0] != '/' && dest[0] != '$' && !(dest[0] && dest[1] == ':') && !st->has_workdir)
        REPORT(c, "DD-BLD-018", in->line, in->col,
               "%s to the relative path %s before any WORKDIR", in->name, dest);
}

static void check_workdir(ctx *c, const dd_df_inst *in, stage_state *st)
{
    const char *w = in->n_words ? in->words[0].s : "";
    static const char *const sys[] = {"/proc", "/boot", "/dev", "/initrd", "/lost+found", NULL};

    st->has_workdir = true;
    if (w[0] != '/' && w[0] != '$' && w[0] != '\\' && !(w[0] && w[1] == ':') &&
        !strchr(in->words[0].raw, '$'))
        REPORT(c, "DD-BLD-017", in->line, in->col, "WORKDIR %s is relative", w);
    for (const char *const *s = sys; *s; s++) {
        size_t l = strlen(*s);

        if (strncmp(w, *s, l) == 0 && (w[l] == '\0' || w[l] == '/'))
            REPORT(c, "DD-BLD-019", in->line, in->col, "WORKDIR %s is a system directory", w);
    }
}

static void check_expose(ctx *c, const dd_df_inst *in)
{
    for (size_t i = 0; i < in->n_words; i++) {
        const char *w = in->words[i].s, *p = w;
        unsigned long lo, hi;
        char *end;

        if (strchr(in->words[i].raw, '$') || !*w)
            continue;
        lo = strtoul(p, &end, 10);
        if (end == p)
            continue;
        hi = lo;
        if (*end == '-') {
            p = end + 1;
            hi = strtoul(p, &end, 10);
        }
        if (lo > 65535 || hi > 65535)
            REPORT(c, "DD-BLD-026", in->words[i].line, in->words[i].col,
                   "EXPOSE %s is outside 0-65535", w);
        else if (lo <= 22 && hi >= 22)
            REPORT(c, "DD-IMG-001", in->words[i].line, in->words[i].col,
                   "EXPOSE %s exposes the SSH port", w);
    }
}

static bool is_root_user(const char *u)
{
    size_t n = strcspn(u, ":");

    return (n == 4 && strncmp(u, "root", 4) == 0) || (n == 1 && u[0] == '0');
}

/* Secret-like values anywhere in the text (DD-SEC-002): prefixes of well-known token formats. */
static void scan_secret_values(ctx *c, const char *data, size_t len)
{
    static const struct {
        const char *prefix;
        size_t min_tail;
        const char *what;
    } pats[] = {
        {"AKIA", 16, "an AWS access key id"},
        {"ASIA", 16, "an AWS temporary access key id"},
        {"ghp_", 36, "a GitHub token"},
        {"gho_", 36, "a GitHub OAuth token"},
        {"ghs_", 36, "a GitHub token"},
        {"github_pat_", 40, "a GitHub token"},
        {"glpat-", 20, "a GitLab token"},
        {"xoxb-", 20, "a Slack token"},
        {"xoxp-", 20, "a Slack token"},
        {"sk_live_", 20, "a Stripe secret key"},
        {"-----BEGIN ", 0, "a private key"},
        {"AIza", 35, "a Google API key"},
        {"npm_", 36, "an npm token"},
    };

    for (size_t k = 0; k < DD_ARRAY_SIZE(pats); k++) {
        size_t pl = strlen(pats[k].prefix);
        const char *p = data, *e = data + len;

        while ((p = memmem(p, (size_t)(e - p), pats[k].prefix, pl)) != NULL) {
            const char *t = p + pl;
            size_t tail = 0;
            uint32_t line = 1;

            while (t + tail < e && (((t[tail] | 32) >= 'a' && (t[tail] | 32) <= 'z') ||
                                    (t[tail] >= '0' && t[tail] <= '9') || t[tail] == '_' ||
                                    t[tail] == '-'))
                tail++;
            if (pats[k].min_tail == 0) {
                if (!(memmem(t, (size_t)(e - t) < 40 ? (size_t)(e - t) : 40, "PRIVATE KEY", 11)))
                    tail = 0, p = t;
                else
                    tail = 1;
            }
            if ((pats[k].min_tail == 0 && tail) ||
                (pats[k].min_tail && tail >= pats[k].min_tail &&
                 (p == data || !(((p[-1] | 32) >= 'a' && (p[-1] | 32) <= 'z') ||
                                 (p[-1] >= '0' && p[-1] <= '9'))))) {
                for (const char *q = data; q < p; q++)
                    line += *q == '\n';
                REPORT(c, "DD-SEC-002", line, 0, "line %u holds what looks like %s", line,
                       pats[k].what);
            }
            p = t;
        }
    }
}

static int atoi_bounded(const char *s, int limit)
{
    long v = strtol(s, NULL, 10);

    return v >= 0 && v < limit ? (int)v : -1;
}

static bool stage_is_final_chain(const ctx *c, int idx)
{
    return idx >= 0 && (size_t)idx < c->df->n_stages && c->final_chain[idx];
}

static void check_stage_end(ctx *c)
{
    dd_df *df = c->df;
    int fi = (int)df->n_stages - 1;
    const dd_df_stage *fs = &df->stages[fi];
    const dd_df_inst *user = NULL;
    bool health = false;

    for (int s = fi; s >= 0 && !user; s = df->stages[s].base_stage)
        user = c->st[s].last_user;
    for (int s = fi; s >= 0 && !health; s = df->stages[s].base_stage)
        health = c->st[s].n_healthcheck > 0;
    if (!user) {
        int root = fi;

        while (df->stages[root].base_stage >= 0)
            root = df->stages[root].base_stage;
        /* scratch has no user database: a static binary there is judged by the image scan */
        if (!strstr(df->stages[root].image, "nonroot") && !df->stages[root].unresolved &&
            strcasecmp(df->stages[root].image, "scratch") != 0)
            REPORT(c, "DD-USR-001", fs->line, fs->col,
                   "the final stage never sets USER, so the container runs as root");
    } else {
        const char *u = user->n_words ? user->words[0].s : "";

        if (is_root_user(u))
            REPORT(c, "DD-USR-002", user->line, user->col, "the last USER is %s", u);
        else if (*u && strspn(u, "0123456789") != strcspn(u, ":") && !strchr(user->words[0].raw, '$'))
            REPORT(c, "DD-USR-003", user->line, user->col,
                   "USER %s is not numeric: runAsNonRoot cannot verify it", u);
    }
    if (!health)
        REPORT(c, "DD-IMG-002", fs->line, fs->col, "the final stage has no HEALTHCHECK");
    if (df->n_stages == 1 && c->compilers)
        REPORT(c, "DD-BI-006", fs->line, fs->col,
               "single-stage build installs or runs compilers: build in a separate stage");
    for (size_t i = 0; c->cfg && i < c->cfg->n_required_labels; i++) {
        const char *want = c->cfg->required_labels[i];
        bool found = false;

        for (int s = fi; s >= 0 && !found; s = df->stages[s].base_stage)
            for (size_t k = df->stages[s].first; k <= df->stages[s].last && !found; k++)
                if (df->insts[k].op == DD_DF_LABEL)
                    for (size_t j = 0; j < df->insts[k].n_kvs; j++)
                        if (streq(df->insts[k].kvs[j].key, want))
                            found = true;
        if (!found)
            REPORT(c, "DD-BLD-031", fs->line, fs->col, "the required label %s is missing", want);
    }
}

static const char *const label_type_what[] = {
    [DD_LINT__LABEL_TEXT] = "text",
    [DD_LINT__LABEL_URL] = "a valid URL",
    [DD_LINT__LABEL_RFC3339] = "an RFC 3339 date-time",
    [DD_LINT__LABEL_SPDX] = "an SPDX license expression",
    [DD_LINT__LABEL_HASH] = "a git commit hash",
    [DD_LINT__LABEL_SEMVER] = "a semantic version",
    [DD_LINT__LABEL_EMAIL] = "an RFC 5322 e-mail address",
};

/* DD-BLD-031 with a label schema in the config (hadolint DL3048, DL3050-DL3058): key syntax,
 * labels outside the schema when strict, empty values and values of the wrong type. Missing
 * labels are checked with the final stage (check_stage_end). */
static void check_labels(ctx *c, const dd_df_inst *in)
{
    const dd_lint_config *cfg = c->cfg;

    for (size_t i = 0; i < in->n_kvs; i++) {
        const dd_df_kv *kv = &in->kvs[i];
        const dd_lint__label_rule *lr = NULL;
        const char *why;

        if (!dd_lint__label_key_valid(kv->key, &why))
            REPORT_SEV(c, "DD-BLD-031", DD_SEV_STYLE, kv->line, kv->col, "label key %s %s",
                       kv->key, why);
        for (size_t k = 0; k < cfg->n_label_schema && !lr; k++)
            if (streq(cfg->label_schema[k].name, kv->key))
                lr = &cfg->label_schema[k];
        if (!lr) {
            if (cfg->strict_labels)
                REPORT(c, "DD-BLD-031", kv->line, kv->col,
                       "label %s is not in the label schema (strict-labels)", kv->key);
            continue;
        }
        /* a value from a build argument is only known at build time */
        if (kv->raw_value && strchr(kv->raw_value, '$'))
            continue;
        if (!kv->value || !*kv->value)
            REPORT_SEV(c, "DD-BLD-031", DD_SEV_WARNING, kv->line, kv->col, "label %s is empty",
                       kv->key);
        else if (!dd_lint__label_value_valid(lr->type, kv->value))
            REPORT_SEV(c, "DD-BLD-031", DD_SEV_WARNING, kv->line, kv->col,
                       "label %s=%s is not %s", kv->key, kv->value, label_type_what[lr->type]);
    }
}

/* Repeated CMD/ENTRYPOINT/HEALTHCHECK: each one that a later one in its stage overrides. */
static void check_repeats(ctx *c, const dd_df_stage *st, int idx)
{
    if (!c->shipped[idx])
        return;
    for (size_t i = st->first; i <= st->last; i++) {
        const dd_df_inst *in = &c->df->insts[i];

        if (in->op != DD_DF_CMD && in->op != DD_DF_ENTRYPOINT && in->op != DD_DF_HEALTHCHECK)
            continue;
        for (size_t j = i + 1; j <= st->last; j++)
            if (c->df->insts[j].op == in->op) {
                REPORT(c, "DD-BLD-021", in->line, in->col,
                       "%s is overridden by the %s at line %u", in->name, in->name,
                       c->df->insts[j].line);
                break;
            }
    }
}

static const char *copy_dest(const dd_df_inst *in)
{
    return in->n_words ? in->words[in->n_words - 1].s : "";
}

static void check_consecutive(ctx *c)
{
    dd_df *df = c->df;

    for (size_t i = 0; i + 1 < df->n; i++) {
        const dd_df_inst *a = &df->insts[i], *b = &df->insts[i + 1];

        if (a->op != b->op || a->stage != b->stage ||
            (a->op != DD_DF_RUN && a->op != DD_DF_COPY && a->op != DD_DF_ADD))
            continue;
        if (i > 0 && df->insts[i - 1].op == a->op && df->insts[i - 1].stage == a->stage &&
            (a->op == DD_DF_RUN || streq(copy_dest(&df->insts[i - 1]), copy_dest(a))))
            continue; /* reported at the first of the group */
        if (a->op != DD_DF_RUN &&
            (!streq(copy_dest(a), copy_dest(b)) || flag_value(a, "from", NULL) ||
             flag_value(b, "from", NULL)))
            continue;
        if (a->op == DD_DF_RUN && (a->n_flags || b->n_flags))
            continue;
        REPORT(c, "DD-LYR-007", a->line, a->col, "consecutive %s instructions could be merged",
               a->name);
    }
}

/* A stage that a later COPY --from reads and that the final stage does not build on is a build
 * stage: its layers never ship. Every other stage (the final chain, stages nobody uses) does. */
static void mark_shipped(ctx *c)
{
    dd_df *df = c->df;

    for (size_t s = 0; s < df->n_stages; s++)
        c->shipped[s] = true;
    for (size_t i = 0; i < df->n; i++) {
        const dd_df_inst *in = &df->insts[i];
        const char *from;
        int idx;

        if ((in->op != DD_DF_COPY && in->op != DD_DF_ADD) ||
            !(from = flag_value(in, "from", NULL)) || !*from)
            continue;
        idx = stage_index(c, from);
        if (idx < 0 && strspn(from, "0123456789") == strlen(from))
            idx = atoi_bounded(from, (int)df->n_stages);
        if (idx >= 0 && !stage_is_final_chain(c, idx))
            c->shipped[idx] = false;
    }
}

static void run_rules(ctx *c, const char *data, size_t len)
{
    dd_df *df = c->df;

    for (size_t k = 0; k < df->n_pragmas; k++)
        REPORT(c, "DD-BLD-033", df->pragma_lines[k], 0, "inline ignore pragma");
    for (size_t i = 0; i < df->n && c->rc == DD_OK; i++) {
        const dd_df_inst *in = &df->insts[i];
        stage_state *st = in->stage >= 0 ? &c->st[in->stage] : NULL;

        if (in->stage < 0) {
            if (in->op != DD_DF_ARG)
                REPORT(c, "DD-BLD-001", in->line, in->col, "%s before the first FROM", in->name);
            continue;
        }
        switch (in->op) {
        case DD_DF_FROM: {
            const dd_df_stage *s = &df->stages[in->stage];

            check_from(c, in, s, (size_t)in->stage);
            st->posix_shell = true;
            if (s->base_stage >= 0) {
                st->pipefail = c->st[s->base_stage].pipefail;
                st->posix_shell = c->st[s->base_stage].posix_shell;
                st->has_workdir = c->st[s->base_stage].has_workdir;
            }
            break;
        }
        case DD_DF_RUN:
            check_run(c, in, st);
            break;
        case DD_DF_COPY:
        case DD_DF_ADD:
            check_copy(c, in, st);
            break;
        case DD_DF_WORKDIR:
            check_workdir(c, in, st);
            break;
        case DD_DF_EXPOSE:
            check_expose(c, in);
            break;
        case DD_DF_USER:
            st->last_user = in;
            break;
        case DD_DF_HEALTHCHECK:
            st->n_healthcheck++;
            break;
        case DD_DF_ENV:
        case DD_DF_ARG:
        case DD_DF_LABEL:
            check_env_arg(c, in, st);
            if (in->op == DD_DF_LABEL && c->cfg && c->cfg->n_label_schema)
                check_labels(c, in);
            break;
        case DD_DF_CMD:
        case DD_DF_ENTRYPOINT:
            if (!in->json && c->shipped[in->stage])
                REPORT(c, "DD-BLD-020", in->line, in->col,
                       "%s in shell form: signals do not reach the process", in->name);
            break;
        case DD_DF_MAINTAINER:
            REPORT(c, "DD-BLD-025", in->line, in->col, "MAINTAINER is deprecated");
            break;
        case DD_DF_ONBUILD:
            if (in->trigger && (in->trigger->op == DD_DF_ONBUILD || in->trigger->op == DD_DF_FROM ||
                                in->trigger->op == DD_DF_MAINTAINER))
                REPORT(c, "DD-BLD-023", in->line, in->col, "ONBUILD cannot trigger %s",
                       in->trigger->name);
            break;
        case DD_DF_SHELL: {
            bool pf = false;

            for (size_t k = 0; k < in->n_words; k++)
                if (strstr(in->words[k].s, "pipefail"))
                    pf = true;
            st->pipefail = pf;
            st->posix_shell = in->n_words &&
                              !starts(base_name(in->words[0].s), "pwsh") &&
                              !starts(base_name(in->words[0].s), "powershell") &&
                              !starts(base_name(in->words[0].s), "cmd");
            break;
        }
        default:
            break;
        }
    }
    for (size_t s = 0; s < df->n_stages; s++)
        check_repeats(c, &df->stages[s], (int)s);
    check_consecutive(c);
    check_stage_end(c);
    scan_secret_values(c, data, len);
}

int dd_lint_dockerfile_ext(dd_lint_result *r, const char *path, const char *data, size_t len,
                           const dd_lint_config *cfg, const dd_lint_dockerfile_opts *opts)
{
    dd_arena *a = NULL;
    dd_df df;
    ctx c;
    uint32_t err_line = 0;
    int rc;

    dd_lint__count_file(r);
    if ((rc = dd_arena_new(&a)) != DD_OK)
        return rc;
    rc = dd_df__parse(&df, a, path, data, len, &err_line);
    if (rc != DD_OK) {
        if (rc == DD_EINVALID || rc == DD_ELIMIT) {
            dd_error_state saved;
            const char *msg;

            dd_error_save(&saved);
            /* the message without its "PATH:LINE: " prefix */
            msg = saved.message;
            if (strncmp(msg, path, strlen(path)) == 0) {
                msg += strlen(path);
                if (*msg == ':')
                    msg = strchr(msg + 1, ':') ? strchr(msg + 1, ':') + 1 : msg;
                while (*msg == ' ')
                    msg++;
            }
            dd_lint__report(r, NULL, "DD-BLD-032", path, err_line, 0, "%s", msg);
            dd_error_restore(&saved);
        }
        goto done;
    }
    memset(&c, 0, sizeof(c));
    c.r = r;
    c.cfg = cfg;
    c.opts = opts;
    c.path = path;
    c.df = &df;
    c.a = a;
    c.st = dd_arena_alloc(a, df.n_stages * sizeof(stage_state));
    if (!c.st) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    memset(c.st, 0, df.n_stages * sizeof(stage_state));
    c.shipped = dd_arena_alloc(a, df.n_stages * sizeof(bool));
    if (!c.shipped) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    c.final_chain = dd_arena_alloc(a, df.n_stages * sizeof(bool));
    c.by_name = dd_arena_alloc(a, df.n_stages * sizeof(*c.by_name));
    if (!c.final_chain || !c.by_name) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    memset(c.final_chain, 0, df.n_stages * sizeof(bool));
    /* base_stage always names an earlier stage, so the walk ends */
    for (int s = (int)df.n_stages - 1; s >= 0; s = df.stages[s].base_stage)
        c.final_chain[s] = true;
    for (size_t s = 0; s < df.n_stages; s++)
        if (df.stages[s].name)
            c.by_name[c.n_named++] = &df.stages[s];
    qsort(c.by_name, c.n_named, sizeof(*c.by_name), cmp_stage_name);
    c.tool_stage = -1;
    mark_shipped(&c);
    dd_lint__set_suppressions(r, path, df.sups, df.n_sups);
    run_rules(&c, data, len);
    dd_lint__set_suppressions(r, NULL, NULL, 0);
    rc = c.rc;
done:
    dd_arena_free(a);
    return rc;
}

int dd_lint_dockerfile(dd_lint_result *r, const char *path, const char *data, size_t len,
                       const dd_lint_config *cfg)
{
    return dd_lint_dockerfile_ext(r, path, data, len, cfg, NULL);
}
