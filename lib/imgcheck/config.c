/* Rules over the image configuration: user, Env, history steps, ports, volumes, healthcheck. */
#include "imgcheck/imgcheck_int.h"

#include <ctype.h>
#include <strings.h>
#include <string.h>

#define MAX_WORDS    32
#define MAX_WORD_LEN 32

/* Words that make a variable name a secret on their own ("DB_PASSWORD", "apiToken"). */
static const char *const secret_words[] = {
    "PASSWORD",    "PASSWD",     "PASSPHRASE", "PASS",      "PWD",
    "SECRET",      "SECRETS",    "TOKEN",      "APIKEY",    "CREDENTIAL",
    "CREDENTIALS", "PRIVATEKEY", "ACCESSKEY",  "SECRETKEY", "AUTHTOKEN",
};

/* Words that make a following "KEY" a secret ("API_KEY", "AWS_SECRET_ACCESS_KEY"); a bare
 * "KEY" (GPG_KEY, the fingerprint official images verify downloads with) is not one. */
static const char *const key_qualifiers[] = {
    "API",    "ACCESS", "SECRET",  "PRIVATE", "AUTH",    "ENCRYPTION", "SIGNING",
    "MASTER", "CLIENT", "LICENSE", "ACCOUNT", "SESSION", "HMAC",       "JWT",
};

/* A last word that makes the variable name where a secret is, or a property of it. */
static const char *const benign_last_words[] = {
    "FILE",    "PATH",  "DIR",    "LENGTH", "LEN",  "TTL",     "EXPIRY",   "EXPIRES",
    "TIMEOUT", "NAME",  "URL",    "HOST",   "PORT", "ENABLED", "MODE",     "TYPE",
    "HEADER",  "FIELD", "POLICY", "MIN",    "MAX",  "SIZE",    "ENDPOINT", "ID_FILE",
};

static bool in_list(const char *w, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(w, list[i]) == 0)
            return true;
    return false;
}

/* Splits a variable name into upper-cased words at non-alphanumerics and camelCase humps. */
static size_t split_words(const char *key, size_t len, char words[MAX_WORDS][MAX_WORD_LEN])
{
    size_t n = 0, wl = 0;

    for (size_t i = 0; i <= len; i++) {
        unsigned char c = i < len ? (unsigned char)key[i] : 0;
        bool hump = i > 0 && isupper(c) && islower((unsigned char)key[i - 1]);

        if (!isalnum(c) || hump) {
            if (wl > 0 && n < MAX_WORDS) {
                words[n][wl < MAX_WORD_LEN ? wl : MAX_WORD_LEN - 1] = '\0';
                n++;
            }
            wl = 0;
            if (!isalnum(c))
                continue;
        }
        if (n < MAX_WORDS && wl < MAX_WORD_LEN - 1)
            words[n][wl] = (char)toupper(c);
        wl++;
    }
    return n;
}

static bool secret_name(const char *key, size_t len)
{
    char words[MAX_WORDS][MAX_WORD_LEN];
    size_t n;

    if ((len == 3 && strncasecmp(key, "PWD", 3) == 0) ||
        (len == 6 && strncasecmp(key, "OLDPWD", 6) == 0))
        return false;
    if ((n = split_words(key, len, words)) == 0)
        return false;
    if (in_list(words[n - 1], benign_last_words, DD_ARRAY_SIZE(benign_last_words)))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (in_list(words[i], secret_words, DD_ARRAY_SIZE(secret_words)))
            return true;
        if (i > 0 && strcmp(words[i], "KEY") == 0 &&
            in_list(words[i - 1], key_qualifiers, DD_ARRAY_SIZE(key_qualifiers)))
            return true;
    }
    return false;
}

/* A run of at least `min` characters of `set` at `s`. */
static bool run_of(const char *s, const char *end, const char *set, size_t min)
{
    size_t n = 0;

    while (s + n < end && s[n] && strchr(set, s[n]))
        n++;
    return n >= min;
}

#define ALNUM       "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define UPPER_DIGIT "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define B64URL      ALNUM "-_"

/* Token shapes whose value alone says it is a credential. */
static const struct {
    const char *prefix;
    const char *set;
    size_t min;
    const char *what;
} value_shapes[] = {
    {"AKIA", UPPER_DIGIT, 16, "an AWS access key id"},
    {"ASIA", UPPER_DIGIT, 16, "an AWS temporary access key id"},
    {"ghp_", ALNUM, 36, "a GitHub token"},
    {"gho_", ALNUM, 36, "a GitHub token"},
    {"ghu_", ALNUM, 36, "a GitHub token"},
    {"ghs_", ALNUM, 36, "a GitHub token"},
    {"github_pat_", ALNUM "_", 22, "a GitHub token"},
    {"glpat-", ALNUM "-_", 20, "a GitLab token"},
    {"xoxb-", ALNUM "-", 10, "a Slack token"},
    {"xoxp-", ALNUM "-", 10, "a Slack token"},
    {"sk_live_", ALNUM, 24, "a Stripe key"},
    {"npm_", ALNUM, 36, "an npm token"},
    {"eyJ", B64URL, 10, "a JSON web token"},
};

/* What kind of credential `v` looks like, or NULL. */
static const char *secret_value(const char *v, size_t len)
{
    const char *end = v + len;

    for (size_t i = 0; i < DD_ARRAY_SIZE(value_shapes); i++) {
        const char *pfx = value_shapes[i].prefix;
        size_t plen = strlen(pfx);

        for (const char *p = v; (p = memmem(p, (size_t)(end - p), pfx, plen)) != NULL; p++) {
            if (p > v && strchr(ALNUM, p[-1]))
                continue; /* inside a longer word */
            if (!run_of(p + plen, end, value_shapes[i].set, value_shapes[i].min))
                continue;
            /* a JWT is three dot-separated parts, the second one JSON too */
            if (strcmp(pfx, "eyJ") == 0) {
                const char *dot = memchr(p, '.', (size_t)(end - p));

                if (!dot || (size_t)(end - dot) < 4 || memcmp(dot + 1, "eyJ", 3) != 0 ||
                    !memchr(dot + 1, '.', (size_t)(end - dot - 1)))
                    continue;
            }
            return value_shapes[i].what;
        }
    }
    if (memmem(v, len, "PRIVATE KEY", 11) && memmem(v, len, "-----BEGIN", 10))
        return "a private key";
    if (dd_imgcheck__url_has_password(v, len))
        return "a URL with a password";
    return NULL;
}

static bool env_has(const dd_image_config *cfg, const char *kv, size_t len)
{
    for (size_t i = 0; i < cfg->n_env; i++)
        if (cfg->env[i] && strlen(cfg->env[i]) == len && memcmp(cfg->env[i], kv, len) == 0)
            return true;
    return false;
}

/* Checks one KEY=VALUE (from Env or a history step); `kv_len` covers both. */
static int check_assignment(dd_imgcheck__list *l, dd_imgcheck__where *where, const char *kv,
                            size_t kv_len, const char *source)
{
    const char *eq = memchr(kv, '=', kv_len);
    const char *val, *what;
    size_t klen, vlen;
    char *red;

    if (!eq)
        return DD_OK;
    klen = (size_t)(eq - kv);
    val = eq + 1;
    vlen = kv_len - klen - 1;
    if (vlen >= 2 && (val[0] == '"' || val[0] == '\'') && val[vlen - 1] == val[0]) {
        val++;
        vlen -= 2;
    }
    if (vlen == 0 || val[0] == '$')
        return DD_OK; /* empty, or a reference filled in at run time */
    if (klen > 0 && secret_name(kv, klen))
        what = "a secret-like name";
    else if (!(what = secret_value(val, vlen)))
        return DD_OK;
    if (!(red = dd_imgcheck__redact(l->arena, val, vlen)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    return dd_imgcheck__add(l, DD_ISSUE_CONFIG, "DD-IMG-007", where, "%s sets %.*s=%s (%s)", source,
                            (int)(klen > 200 ? 200 : klen), kv, red, what);
}

static int check_env(dd_imgcheck__list *l, const dd_image_config *cfg)
{
    dd_imgcheck__where where = DD_IMGCHECK__WHERE_INIT;
    int rc;

    where.location = "Env";
    for (size_t i = 0; i < cfg->n_env; i++) {
        if (!cfg->env[i])
            continue;
        if ((rc = check_assignment(l, &where, cfg->env[i], strlen(cfg->env[i]), "Env")) != DD_OK)
            return rc;
    }
    return DD_OK;
}

/* The KEY=VALUE words of a history step (ENV, ARG and RUN with variables) that Env does not
 * repeat, and credential-shaped words. */
static int check_history_secrets(dd_imgcheck__list *l, const dd_image_config *cfg, size_t i,
                                 dd_imgcheck__where *where)
{
    const char *s = cfg->history[i].created_by, *end = s + strlen(s);
    char source[48];
    int rc;

    snprintf(source, sizeof(source), "history step %zu", i);
    while (s < end) {
        const char *tok, *eq;
        char quote = 0;

        while (s < end && isspace((unsigned char)*s))
            s++;
        tok = s;
        while (s < end && (quote || !isspace((unsigned char)*s))) {
            if (quote && *s == quote)
                quote = 0;
            else if (!quote && (*s == '"' || *s == '\''))
                quote = *s;
            s++;
        }
        if (s == tok)
            break;
        eq = memchr(tok, '=', (size_t)(s - tok));
        if (eq && eq > tok && (isalpha((unsigned char)*tok) || *tok == '_')) {
            const char *k = tok;

            while (k < eq && (isalnum((unsigned char)*k) || *k == '_'))
                k++;
            if (k == eq) {
                if (env_has(cfg, tok, (size_t)(s - tok)))
                    continue;
                if ((rc = check_assignment(l, where, tok, (size_t)(s - tok), source)) != DD_OK)
                    return rc;
                continue;
            }
        }
        {
            const char *what = secret_value(tok, (size_t)(s - tok));
            char *red;

            if (!what)
                continue;
            if (!(red = dd_imgcheck__redact(l->arena, tok, (size_t)(s - tok))))
                return dd_error_set(DD_ENOMEM, "out of memory");
            if ((rc = dd_imgcheck__add(l, DD_ISSUE_CONFIG, "DD-IMG-007", where, "%s holds %s: %s",
                                       source, what, red)) != DD_OK)
                return rc;
        }
    }
    return DD_OK;
}

static bool has(const char *s, const char *needle)
{
    return strcasestr(s, needle) != NULL;
}

/* DD-IMG-008: what the history's build steps tell about how the image was built. */
static int check_history_steps(dd_imgcheck__list *l, const char *cb, dd_imgcheck__where *where,
                               size_t i)
{
    const char *problem[4];
    size_t n = 0;
    int rc;

    if ((has(cb, "apt-get update") || has(cb, "apt update")) && !has(cb, " install"))
        problem[n++] = "runs apt-get update without an install in the same step";
    if (has(cb, "dist-upgrade") || has(cb, "apt-get upgrade") || has(cb, "apt upgrade") ||
        has(cb, "apk upgrade"))
        problem[n++] = "upgrades every package at build time";
    if ((has(cb, "apt-get install") || has(cb, "apt install")) && !has(cb, "/var/lib/apt/lists"))
        problem[n++] = "installs with apt without removing /var/lib/apt/lists in the same step";
    if (has(cb, "apk add") && !has(cb, "--no-cache") && !has(cb, "/var/cache/apk"))
        problem[n++] = "installs with apk without --no-cache";
    if (n < DD_ARRAY_SIZE(problem) && (has(cb, "ADD http://") || has(cb, "ADD https://")))
        problem[n++] = "ADDs a remote URL (use curl with a checksum, or COPY)";
    for (size_t k = 0; k < n; k++)
        if ((rc = dd_imgcheck__add(l, DD_ISSUE_CONFIG, "DD-IMG-008", where, "history step %zu %s",
                                   i, problem[k])) != DD_OK)
            return rc;
    return DD_OK;
}

static int check_history(dd_imgcheck__list *l, const dd_image_config *cfg)
{
    int rc;

    for (size_t i = 0; i < cfg->n_history; i++) {
        dd_imgcheck__where where = DD_IMGCHECK__WHERE_INIT;
        char loc[48];

        if (!cfg->history[i].created_by)
            continue;
        snprintf(loc, sizeof(loc), "history[%zu].created_by", i);
        where.location = loc;
        where.layer = cfg->history[i].layer;
        if ((rc = check_history_secrets(l, cfg, i, &where)) != DD_OK ||
            (rc = check_history_steps(l, cfg->history[i].created_by, &where, i)) != DD_OK)
            return rc;
    }
    return DD_OK;
}

static int check_user(dd_imgcheck__list *l, const dd_image_config *cfg,
                      const dd_imgcheck__account *passwd, size_t n_passwd)
{
    dd_imgcheck__where where = DD_IMGCHECK__WHERE_INIT;
    const char *u = cfg->user;
    size_t ulen;

    where.location = "User";
    if (!u || !u[0])
        return dd_imgcheck__add(l, DD_ISSUE_CONFIG, "DD-IMG-003", &where,
                                "User is not set: the container runs as root");
    ulen = strcspn(u, ":");
    if ((ulen == 4 && memcmp(u, "root", 4) == 0) || (ulen > 0 && strspn(u, "0") == ulen))
        return dd_imgcheck__add(l, DD_ISSUE_CONFIG, "DD-IMG-003", &where,
                                "User is \"%s\": the container runs as root", u);
    for (size_t i = 0; i < n_passwd; i++)
        if (passwd[i].has_id && passwd[i].id == 0 && strlen(passwd[i].name) == ulen &&
            memcmp(passwd[i].name, u, ulen) == 0)
            return dd_imgcheck__add(l, DD_ISSUE_CONFIG, "DD-IMG-003", &where,
                                    "User is \"%s\", uid 0 in etc/passwd line %u: the container "
                                    "runs as root",
                                    u, passwd[i].line);
    return DD_OK;
}

static int check_ports(dd_imgcheck__list *l, const dd_image_config *cfg)
{
    dd_imgcheck__where where = DD_IMGCHECK__WHERE_INIT;
    int rc;

    where.location = "ExposedPorts";
    for (size_t i = 0; i < cfg->n_exposed_ports; i++) {
        const char *p = cfg->exposed_ports[i];

        if (p && strncmp(p, "22", 2) == 0 && (p[2] == '\0' || p[2] == '/') &&
            (rc = dd_imgcheck__add(l, DD_ISSUE_CONFIG, "DD-IMG-001", &where,
                                   "the image exposes port %s (ssh)", p)) != DD_OK)
            return rc;
    }
    return DD_OK;
}

static int check_volumes(dd_imgcheck__list *l, const dd_image_config *cfg)
{
    static const char *const kernel[] = {"proc", "sys", "dev"};
    dd_imgcheck__where where = DD_IMGCHECK__WHERE_INIT;
    int rc;

    where.location = "Volumes";
    for (size_t i = 0; i < cfg->n_volumes; i++) {
        const char *v = cfg->volumes[i];

        if (!v)
            continue;
        while (*v == '/')
            v++;
        for (size_t k = 0; k < DD_ARRAY_SIZE(kernel); k++) {
            size_t kl = strlen(kernel[k]);

            if (strncmp(v, kernel[k], kl) == 0 && (v[kl] == '\0' || v[kl] == '/') &&
                (rc = dd_imgcheck__add(l, DD_ISSUE_CONFIG, "DD-IMG-005", &where,
                                       "volume %s is on /%s", cfg->volumes[i], kernel[k])) != DD_OK)
                return rc;
        }
    }
    return DD_OK;
}

static int check_healthcheck(dd_imgcheck__list *l, const dd_image_config *cfg)
{
    dd_imgcheck__where where = DD_IMGCHECK__WHERE_INIT;
    const dd_healthcheck *h = cfg->healthcheck;

    where.location = "Healthcheck";
    if (!h || h->n_test == 0)
        return dd_imgcheck__add(l, DD_ISSUE_CONFIG, "DD-IMG-002", &where,
                                "the image has no HEALTHCHECK");
    if (h->test[0] && strcmp(h->test[0], "NONE") == 0)
        return dd_imgcheck__add(l, DD_ISSUE_CONFIG, "DD-IMG-002", &where,
                                "HEALTHCHECK NONE disables the health check");
    return DD_OK;
}

int dd_imgcheck__config(dd_imgcheck__list *l, const dd_image_config *cfg,
                        const dd_imgcheck__account *passwd, size_t n_passwd)
{
    int rc;

    if ((rc = check_user(l, cfg, passwd, n_passwd)) != DD_OK || (rc = check_env(l, cfg)) != DD_OK ||
        (rc = check_history(l, cfg)) != DD_OK || (rc = check_ports(l, cfg)) != DD_OK ||
        (rc = check_volumes(l, cfg)) != DD_OK || (rc = check_healthcheck(l, cfg)) != DD_OK)
        return rc;
    return DD_OK;
}
