/* Checks over the image's files: modes, accounts, unneeded directories and credential files in
 * every layer, including the ones an upper layer hides. */
#include "imgcheck/imgcheck_int.h"

#include <ctype.h>
#include <jansson.h>
#include <strings.h>
#include <string.h>

#define ACCOUNT_CAPTURE_BYTES    (4u << 20)
#define CREDENTIAL_CAPTURE_BYTES (256u << 10)

static const char *const account_files[] = {"etc/passwd", "etc/group", "etc/shadow"};

/* Files whose contents decide whether they hold credentials. A glob's "*" crosses "/", so
 * "*.npmrc" also matches ".npmrc" at the root; the checks then look at the base name. */
static const char *const credential_globs[] = {
    "*.npmrc",
    "*.pypirc",
    "*.docker/config.json",
    "*.aws/credentials",
    "*.kube/config",
    "*kubeconfig",
    "*.git/config",
    "*.netrc",
    "*.pem",
    "*.key",
    "*.p8",
    "*.pk8",
};

int dd_imgcheck_prepare(dd_walk *w)
{
    int rc;

    for (size_t i = 0; i < DD_ARRAY_SIZE(account_files); i++)
        if ((rc = dd_walk_capture(w, account_files[i], ACCOUNT_CAPTURE_BYTES)) != DD_OK)
            return rc;
    for (size_t i = 0; i < DD_ARRAY_SIZE(credential_globs); i++)
        if ((rc = dd_walk_capture(w, credential_globs[i], CREDENTIAL_CAPTURE_BYTES)) != DD_OK)
            return rc;
    return DD_OK;
}

static bool is_regular(const dd_entry *e)
{
    return e->type == DD_FT_REG || e->type == DD_FT_HARDLINK;
}

/* True when `path` is `prefix` or lies below it. */
static bool under(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);

    return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* True when `path` ends with the components `tail` ("x/.aws/credentials", ".aws/credentials"). */
static bool ends_with_components(const char *path, const char *tail)
{
    size_t pl = strlen(path), tl = strlen(tail);

    return pl >= tl && strcmp(path + pl - tl, tail) == 0 && (pl == tl || path[pl - tl - 1] == '/');
}

/* ---- file modes ---- */

static int check_modes(dd_imgcheck__list *l, const dd_entry *e)
{
    static const char *const temp_dirs[] = {"tmp", "var/tmp", "dev"};
    dd_imgcheck__where where = DD_IMGCHECK__WHERE_INIT;
    int rc;

    where.path = e->path;
    where.layer = (int32_t)e->layer;
    if (is_regular(e) && (e->mode & 06000) &&
        (rc = dd_imgcheck__add(l, DD_ISSUE_CONFIG, "DD-IMG-004", &where, "%s is %s (mode %04o)",
                               e->path,
                               (e->mode & 04000) && (e->mode & 02000) ? "setuid and setgid"
                               : (e->mode & 04000)                    ? "setuid"
                                                                      : "setgid",
                               e->mode & 07777)) != DD_OK)
        return rc;
    if (!(e->mode & 0002) || !(is_regular(e) || e->type == DD_FT_DIR))
        return DD_OK;
    /* a sticky shared directory (like /tmp) is the safe form of a world-writable one */
    if (e->type == DD_FT_DIR && (e->mode & 01000))
        return DD_OK;
    for (size_t i = 0; i < DD_ARRAY_SIZE(temp_dirs); i++)
        if (under(e->path, temp_dirs[i]))
            return DD_OK;
    return dd_imgcheck__add(l, DD_ISSUE_CONFIG, DD_IMGCHECK_RULE_WORLD_WRITABLE, &where,
                            "%s %s is world-writable (mode %04o)",
                            e->type == DD_FT_DIR ? "directory" : "file", e->path, e->mode & 07777);
}

/* ---- accounts ---- */

static int load_accounts(dd_imgcheck__account **out, size_t *n, dd_arena *a, const dd_walk *w,
                         const char *path, dd_imgcheck__account_file kind, const dd_entry **entry)
{
    const void *data;
    size_t len;

    *out = NULL;
    *n = 0;
    *entry = dd_walk_lookup(w, path);
    if (!*entry || !is_regular(*entry))
        return DD_OK;
    if (dd_walk_content(w, *entry, &data, &len, NULL) != DD_OK) {
        dd_error_clear(); /* not captured: the walk was not prepared */
        return DD_OK;
    }
    return dd_imgcheck__accounts_parse(out, n, a, data, len, kind);
}

static int cmp_account_id(const void *pa, const void *pb)
{
    const dd_imgcheck__account *a = *(const dd_imgcheck__account *const *)pa;
    const dd_imgcheck__account *b = *(const dd_imgcheck__account *const *)pb;

    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

static int check_duplicate_ids(dd_imgcheck__list *l, const dd_imgcheck__account *recs, size_t n,
                               const dd_entry *e, const char *what)
{
    dd_imgcheck__where where = DD_IMGCHECK__WHERE_INIT;
    const dd_imgcheck__account **by_id;
    size_t m = 0;
    int rc = DD_OK;

    if (n < 2)
        return DD_OK;
    if (!(by_id = dd_malloc(n * sizeof(*by_id))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (recs[i].has_id)
            by_id[m++] = &recs[i];
    if (m > 1)
        qsort(by_id, m, sizeof(*by_id), cmp_account_id);
    where.path = e->path;
    where.layer = (int32_t)e->layer;
    for (size_t i = 1; i < m && rc == DD_OK; i++) {
        if (by_id[i]->id != by_id[i - 1]->id)
            continue;
        where.line = by_id[i]->line;
        rc = dd_imgcheck__add(l, DD_ISSUE_CONFIG, "DD-USR-006", &where,
                              "%s %u of \"%.64s\" (line %u) is also %s's (line %u)%s", what,
                              by_id[i]->id, by_id[i]->name, by_id[i]->line, by_id[i - 1]->name,
                              by_id[i - 1]->line,
                              by_id[i]->id == 0 ? ": a second root account" : "");
    }
    dd_free(by_id);
    return rc;
}

static int check_empty_passwords(dd_imgcheck__list *l, const dd_imgcheck__account *recs, size_t n,
                                 const dd_entry *e, const dd_imgcheck__account *shadow,
                                 size_t n_shadow)
{
    dd_imgcheck__where where = DD_IMGCHECK__WHERE_INIT;
    int rc;

    where.path = e->path;
    where.layer = (int32_t)e->layer;
    for (size_t i = 0; i < n; i++) {
        bool shadowed = false;

        if (recs[i].password[0])
            continue;
        /* in etc/passwd an empty field matters only where etc/shadow does not take over */
        for (size_t k = 0; k < n_shadow && !shadowed; k++)
            shadowed = strcmp(shadow[k].name, recs[i].name) == 0;
        if (shadowed)
            continue;
        where.line = recs[i].line;
        if ((rc = dd_imgcheck__add(l, DD_ISSUE_CONFIG, "DD-USR-005", &where,
                                   "account \"%.64s\" has an empty password (line %u): anyone "
                                   "can log in as it",
                                   recs[i].name, recs[i].line)) != DD_OK)
            return rc;
    }
    return DD_OK;
}

static int check_accounts(dd_imgcheck__list *l, const dd_walk *w, dd_arena *a,
                          const dd_imgcheck__account *passwd, size_t n_passwd)
{
    dd_imgcheck__account *group, *shadow;
    size_t n_group, n_shadow;
    const dd_entry *pe = dd_walk_lookup(w, "etc/passwd"), *ge, *se;
    int rc;

    if ((rc = load_accounts(&group, &n_group, a, w, "etc/group", DD_IMGCHECK__GROUP, &ge)) !=
            DD_OK ||
        (rc = load_accounts(&shadow, &n_shadow, a, w, "etc/shadow", DD_IMGCHECK__SHADOW, &se)) !=
            DD_OK)
        return rc;
    if (se && (rc = check_empty_passwords(l, shadow, n_shadow, se, NULL, 0)) != DD_OK)
        return rc;
    if (pe && (rc = check_empty_passwords(l, passwd, n_passwd, pe, shadow, n_shadow)) != DD_OK)
        return rc;
    if (pe && (rc = check_duplicate_ids(l, passwd, n_passwd, pe, "uid")) != DD_OK)
        return rc;
    if (ge && (rc = check_duplicate_ids(l, group, n_group, ge, "gid")) != DD_OK)
        return rc;
    return DD_OK;
}

/* ---- credential files ---- */

/* Skips spaces and tabs. */
static const char *skip_blank(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* True when a line of `data` assigns a non-empty value that is not a "$VARIABLE" reference to
 * a key that equals (or, with `suffix`, ends with) one of `keys`, case-insensitively; `seps`
 * are the assignment characters. YAML list dashes before the key are skipped. */
static bool assigns(const char *data, size_t len, const char *const *keys, size_t n_keys,
                    bool suffix, const char *seps)
{
    const char *p = data, *end = data + len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end, *k, *kend, *v;

        k = skip_blank(p, eol);
        if (k < eol && *k == '-')
            k = skip_blank(k + 1, eol);
        kend = k;
        while (kend < eol && !strchr(seps, *kend))
            kend++;
        if (kend < eol) {
            const char *ke = kend;

            while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
                ke--;
            v = skip_blank(kend + 1, eol);
            if (v < eol && *v != '\r' && *v != '$' && *v != '"' && *v != '\'' && *v != '#') {
                for (size_t i = 0; i < n_keys; i++) {
                    size_t kl = strlen(keys[i]), have = (size_t)(ke - k);

                    if (have < kl || (!suffix && have != kl))
                        continue;
                    if (strncasecmp(ke - kl, keys[i], kl) == 0)
                        return true;
                }
            } else if (v + 1 < eol && (*v == '"' || *v == '\'') && v[1] != *v && v[1] != '$') {
                /* a quoted non-empty value */
                for (size_t i = 0; i < n_keys; i++) {
                    size_t kl = strlen(keys[i]), have = (size_t)(ke - k);

                    if (have >= kl && (suffix || have == kl) &&
                        strncasecmp(ke - kl, keys[i], kl) == 0)
                        return true;
                }
            }
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    return false;
}

static bool npmrc_has_token(const char *d, size_t n)
{
    static const char *const keys[] = {"_authToken", "_auth", "_password"};

    return assigns(d, n, keys, DD_ARRAY_SIZE(keys), true, "=");
}

static bool pypirc_has_password(const char *d, size_t n)
{
    static const char *const keys[] = {"password"};

    return assigns(d, n, keys, DD_ARRAY_SIZE(keys), false, "=:");
}

static bool aws_has_secret(const char *d, size_t n)
{
    static const char *const keys[] = {"aws_secret_access_key", "aws_session_token"};

    return assigns(d, n, keys, DD_ARRAY_SIZE(keys), false, "=");
}

static bool kubeconfig_has_credentials(const char *d, size_t n)
{
    static const char *const keys[] = {"token",    "client-key-data", "client-key",
                                       "password", "id-token",        "refresh-token"};

    return memmem(d, n, "users:", 6) && assigns(d, n, keys, DD_ARRAY_SIZE(keys), false, ":");
}

static bool netrc_has_password(const char *d, size_t n)
{
    const char *p = d, *end = d + n;

    while ((p = memmem(p, (size_t)(end - p), "password", 8)) != NULL) {
        const char *v = p + 8;

        if ((p == d || isspace((unsigned char)p[-1])) && v < end && isspace((unsigned char)*v)) {
            while (v < end && isspace((unsigned char)*v))
                v++;
            if (v < end)
                return true;
        }
        p += 8;
    }
    return false;
}

/* A docker config whose "auths" holds an entry with an auth string or a token
 * ({"auths": {}} and credential helpers keep nothing in the file). */
static bool docker_config_has_auths(const char *d, size_t n)
{
    static const char *const fields[] = {"auth", "identitytoken", "registrytoken", "password"};
    json_t *root = json_loadb(d, n, 0, NULL), *auths, *entry;
    const char *host;
    bool found = false;

    if (!root)
        return false;
    auths = json_object_get(root, "auths");
    if (json_is_object(auths))
        json_object_foreach(auths, host, entry)
        {
            for (size_t i = 0; i < DD_ARRAY_SIZE(fields) && !found; i++) {
                const char *v = json_string_value(json_object_get(entry, fields[i]));

                found = v && v[0];
            }
        }
    json_decref(root);
    return found;
}

static bool env_file_name(const char *base)
{
    static const char *const templates[] = {"example",  "sample",  "template", "dist",
                                            "defaults", "default", "tmpl",     "schema"};
    const char *suffix;

    if (strcmp(base, ".env") == 0)
        return true;
    if (strncmp(base, ".env.", 5) != 0)
        return false;
    suffix = base + 5;
    for (size_t i = 0; i < DD_ARRAY_SIZE(templates); i++)
        if (strcasecmp(suffix, templates[i]) == 0)
            return false;
    return true;
}

static bool ssh_key_name(const char *base)
{
    static const char *const names[] = {"id_rsa",     "id_dsa",      "id_ecdsa",
                                        "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"};

    for (size_t i = 0; i < DD_ARRAY_SIZE(names); i++)
        if (strcmp(base, names[i]) == 0)
            return true;
    return false;
}

static bool key_file_name(const char *base)
{
    static const char *const exts[] = {".pem", ".key", ".p8", ".pk8"};
    size_t bl = strlen(base);

    for (size_t i = 0; i < DD_ARRAY_SIZE(exts); i++) {
        size_t el = strlen(exts[i]);

        if (bl > el && strcasecmp(base + bl - el, exts[i]) == 0)
            return true;
    }
    return false;
}

/* Documentation and test trees ship sample keys on purpose; a key there is reported LOW. */
static bool sample_path(const char *path)
{
    static const char *const dirs[] = {"test",     "tests", "testdata", "fixtures",
                                       "examples", "doc",   "docs"};

    if (under(path, "usr/share/doc") || under(path, "usr/share"))
        return true;
    for (const char *p = path; *p;) {
        const char *slash = strchr(p, '/');
        size_t n;

        if (!slash)
            break; /* the last component is the file itself */
        n = (size_t)(slash - p);
        for (size_t i = 0; i < DD_ARRAY_SIZE(dirs); i++)
            if (n == strlen(dirs[i]) && strncmp(p, dirs[i], n) == 0)
                return true;
        p = slash + 1;
    }
    return false;
}

/* What credential `e` holds, or NULL. `*severity` is lowered for sample keys. */
static const char *credential_kind(const dd_walk *w, const dd_entry *e, dd_severity *severity)
{
    const char *base = dd_imgcheck__basename(e->path);
    const void *data = NULL;
    size_t len = 0;
    bool have;

    *severity = DD_SEV_UNKNOWN;
    if (e->size == 0)
        return NULL;
    if (env_file_name(base))
        return "environment file";
    if (ssh_key_name(base))
        return "private SSH key";
    if (strcmp(base, ".git-credentials") == 0)
        return "git credential store";
    have = dd_walk_content(w, e, &data, &len, NULL) == DD_OK;
    if (!have) {
        dd_error_clear();
        return NULL;
    }
    if (strcmp(base, ".npmrc") == 0)
        return npmrc_has_token(data, len) ? ".npmrc with an auth token" : NULL;
    if (strcmp(base, ".pypirc") == 0)
        return pypirc_has_password(data, len) ? ".pypirc with a password" : NULL;
    if (strcmp(base, ".netrc") == 0)
        return netrc_has_password(data, len) ? ".netrc with a password" : NULL;
    if (ends_with_components(e->path, ".docker/config.json"))
        return docker_config_has_auths(data, len) ? "docker config with registry credentials"
                                                  : NULL;
    if (ends_with_components(e->path, ".aws/credentials"))
        return aws_has_secret(data, len) ? "AWS credentials file" : NULL;
    if (ends_with_components(e->path, ".git/config"))
        return dd_imgcheck__url_has_password(data, len) ? "git config with a password in a "
                                                          "remote URL"
                                                        : NULL;
    if (ends_with_components(e->path, ".kube/config") || strcmp(base, "kubeconfig") == 0 ||
        (strlen(base) > 11 && strcmp(base + strlen(base) - 11, ".kubeconfig") == 0))
        return kubeconfig_has_credentials(data, len) ? "kubeconfig with user credentials" : NULL;
    if (key_file_name(base) && dd_imgcheck__has_private_key(data, len)) {
        if (sample_path(e->path))
            *severity = DD_SEV_LOW;
        return "PEM private key";
    }
    return NULL;
}

static const char *hidden_phrase(dd_hidden_reason r)
{
    switch (r) {
    case DD_HIDDEN_DELETED:
        return "removed";
    case DD_HIDDEN_OPAQUE:
        return "hidden by an opaque directory";
    default:
        return "overwritten";
    }
}

static int check_credentials(dd_imgcheck__list *l, const dd_walk *w, const dd_entry *e)
{
    dd_imgcheck__where where = DD_IMGCHECK__WHERE_INIT;
    const char *what;

    if (!is_regular(e) || !(what = credential_kind(w, e, &where.severity)))
        return DD_OK;
    where.path = e->path;
    where.layer = (int32_t)e->layer;
    if (e->hidden == DD_HIDDEN_NONE)
        return dd_imgcheck__add(l, DD_ISSUE_CONFIG, "DD-SEC-005", &where, "%s %s (layer %u)%s",
                                what, e->path, e->layer,
                                where.severity == DD_SEV_LOW ? ", in a documentation or test "
                                                               "directory"
                                                             : "");
    where.removed_in = (int32_t)e->hidden_by;
    return dd_imgcheck__add(l, DD_ISSUE_CONFIG, "DD-SEC-005", &where,
                            "%s %s: %s in layer %u, still shipped in layer %u", what, e->path,
                            hidden_phrase(e->hidden), e->hidden_by, e->layer);
}

/* ---- unneeded directories ---- */

static bool unneeded_name(const char *name, size_t n)
{
    static const char *const dirs[] = {".git", ".cache",  ".aws",  ".azure",
                                       ".gcp", ".vscode", ".idea", ".npm"};

    for (size_t i = 0; i < DD_ARRAY_SIZE(dirs); i++)
        if (n == strlen(dirs[i]) && memcmp(name, dirs[i], n) == 0)
            return true;
    return false;
}

/* True when `path` names an unneeded directory no other one encloses. */
static bool unneeded_dir(const char *path)
{
    const char *p = path;

    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);

        if (unneeded_name(p, n))
            return !slash; /* the outermost one is reported, not what lies below it */
        if (!slash)
            return false;
        p = slash + 1;
    }
}

static int check_unneeded(dd_imgcheck__list *l, const dd_walk *w, const dd_entry *e,
                          const dd_entry *prev_hidden)
{
    dd_imgcheck__where where = DD_IMGCHECK__WHERE_INIT;

    if (e->type != DD_FT_DIR || !unneeded_dir(e->path))
        return DD_OK;
    where.path = e->path;
    where.layer = (int32_t)e->layer;
    if (e->hidden != DD_HIDDEN_NONE) {
        const dd_entry *v = dd_walk_lookup(w, e->path);

        /* one finding per directory: the view's, else the lowest layer's hidden one */
        if ((v && v->type == DD_FT_DIR) || (prev_hidden && strcmp(prev_hidden->path, e->path) == 0))
            return DD_OK;
        where.removed_in = (int32_t)e->hidden_by;
        return dd_imgcheck__add(l, DD_ISSUE_CONFIG, "DD-IMG-006", &where,
                                "directory %s: %s in layer %u, still shipped in layer %u", e->path,
                                hidden_phrase(e->hidden), e->hidden_by, e->layer);
    }
    return dd_imgcheck__add(l, DD_ISSUE_CONFIG, "DD-IMG-006", &where, "directory %s (layer %u)",
                            e->path, e->layer);
}

int dd_imgcheck__files(dd_imgcheck__list *l, const dd_walk *w, dd_arena *scratch,
                       const dd_imgcheck__account *passwd, size_t n_passwd)
{
    size_t n = dd_walk_count(w), nh = dd_walk_hidden_count(w);
    int rc;

    for (size_t i = 0; i < n; i++) {
        const dd_entry *e = dd_walk_entry(w, i);

        if ((rc = check_modes(l, e)) != DD_OK || (rc = check_credentials(l, w, e)) != DD_OK ||
            (rc = check_unneeded(l, w, e, NULL)) != DD_OK)
            return rc;
    }
    for (size_t i = 0; i < nh; i++) {
        const dd_entry *e = dd_walk_hidden(w, i);

        if ((rc = check_credentials(l, w, e)) != DD_OK ||
            (rc = check_unneeded(l, w, e, i ? dd_walk_hidden(w, i - 1) : NULL)) != DD_OK)
            return rc;
    }
    return check_accounts(l, w, scratch, passwd, n_passwd);
}

int dd_imgcheck_run(const dd_image_config *cfg, const dd_walk *w, dd_issue_fn fn, void *payload)
{
    dd_imgcheck__list l;
    dd_imgcheck__account *passwd = NULL;
    size_t n_passwd = 0;
    const dd_entry *pe;
    int rc;

    if ((rc = dd_imgcheck__list_init(&l)) != DD_OK)
        return rc;
    if ((rc = load_accounts(&passwd, &n_passwd, l.arena, w, "etc/passwd", DD_IMGCHECK__PASSWD,
                            &pe)) != DD_OK)
        goto done;
    if (cfg && (rc = dd_imgcheck__config(&l, cfg, passwd, n_passwd)) != DD_OK)
        goto done;
    if ((rc = dd_imgcheck__files(&l, w, l.arena, passwd, n_passwd)) != DD_OK)
        goto done;
    rc = dd_imgcheck__emit(&l, true, fn, payload);
done:
    dd_imgcheck__list_dispose(&l);
    return rc;
}
