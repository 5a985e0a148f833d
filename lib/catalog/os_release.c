/* os-release(5) parsing and the distribution detection built on it. */
#include <drydock/catalog.h>

#include "util/util.h"

#include <string.h>

#define OS_RELEASE_MAX (64u * 1024u)

static const char *const os_release_paths[] = {"etc/os-release", "usr/lib/os-release"};

/* Tried in this order when neither os-release exists: Alpine, the Red Hat family (the specific
 * files before the generic ones), lsb-release (Ubuntu also has a debian_version naming the
 * Debian release it branched from, so lsb-release goes first), Debian. */
static const char *const fallback_paths[] = {
    "etc/alpine-release",   "etc/centos-release", "etc/rocky-release",  "etc/almalinux-release",
    "etc/fedora-release",   "etc/oracle-release", "etc/redhat-release", "etc/system-release",
    "etc/lsb-release",      "etc/debian_version",
};

void dd_os_info_free(dd_os_info *info)
{
    if (!info)
        return;
    dd_free(info->id);
    dd_free(info->id_like);
    dd_free(info->name);
    dd_free(info->version_id);
    dd_free(info->version_codename);
    dd_free(info->pretty_name);
    dd_free(info->source_path);
    dd_free(info);
}

/* Unquotes a shell-style value: "double" with \" \\ \$ \` escapes, 'single', or bare. */
static int unquote(dd_buf *out, const char *v, size_t n)
{
    int rc = DD_OK;

    if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
        char q = v[0];

        for (size_t i = 1; i + 1 < n && rc == DD_OK; i++) {
            if (q == '"' && v[i] == '\\' && i + 2 < n &&
                strchr("\"\\$`", v[i + 1]))
                i++;
            rc = dd_buf_putc(out, v[i]);
        }
        return rc;
    }
    if (n >= 1 && (v[0] == '"' || v[0] == '\''))
        return DD_EINVALID;
    return dd_buf_put(out, v, n);
}

static char **field_for(dd_os_info *info, const char *key, size_t n)
{
    static const struct {
        const char *key;
        size_t offset;
    } fields[] = {
        {"ID", offsetof(dd_os_info, id)},
        {"ID_LIKE", offsetof(dd_os_info, id_like)},
        {"NAME", offsetof(dd_os_info, name)},
        {"VERSION_ID", offsetof(dd_os_info, version_id)},
        {"VERSION_CODENAME", offsetof(dd_os_info, version_codename)},
        {"PRETTY_NAME", offsetof(dd_os_info, pretty_name)},
    };

    for (size_t i = 0; i < DD_ARRAY_SIZE(fields); i++)
        if (strlen(fields[i].key) == n && memcmp(fields[i].key, key, n) == 0)
            return (char **)((char *)info + fields[i].offset);
    return NULL;
}

int dd_os_release_parse(dd_os_info **out, const char *data, size_t len)
{
    dd_os_info *info = dd_calloc(1, sizeof(*info));
    dd_buf value = DD_BUF_INIT;
    size_t pos = 0, lineno = 0;
    int rc = DD_OK;

    *out = NULL;
    if (!info)
        return dd_error_set(DD_ENOMEM, "out of memory");
    if (len > OS_RELEASE_MAX) {
        rc = dd_error_set(DD_ELIMIT, "%zu bytes, more than an os-release file can be", len);
        goto done;
    }
    while (pos < len) {
        const char *line = data + pos, *nl = memchr(line, '\n', len - pos), *eq;
        size_t n = nl ? (size_t)(nl - line) : len - pos, klen;
        char **field;

        pos += n + (nl ? 1 : 0);
        lineno++;
        while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
            n--;
        while (n && (*line == ' ' || *line == '\t')) {
            line++;
            n--;
        }
        if (n == 0 || line[0] == '#')
            continue;
        eq = memchr(line, '=', n);
        if (!eq || eq == line) {
            rc = dd_error_set(DD_EINVALID, "%zu: not a KEY=VALUE line", lineno);
            goto done;
        }
        klen = (size_t)(eq - line);
        field = field_for(info, line, klen);
        if (!field)
            continue;
        dd_buf_clear(&value);
        rc = unquote(&value, eq + 1, n - klen - 1);
        if (rc == DD_EINVALID) {
            rc = dd_error_set(DD_EINVALID, "%zu: unterminated quote", lineno);
            goto done;
        }
        if (rc != DD_OK)
            goto done;
        dd_free(*field);
        if (!(*field = dd_strndup(value.data, value.len))) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
    }
    *out = info;
    info = NULL;
done:
    dd_buf_dispose(&value);
    dd_os_info_free(info);
    return rc;
}

/* --- fallback release files --- */

static int set_field(char **field, const char *v, size_t n)
{
    while (n && (*v == ' ' || *v == '\t'))
        v++, n--;
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
        n--;
    dd_free(*field);
    *field = dd_strndup(v, n);
    return *field ? DD_OK : dd_error_set(DD_ENOMEM, "out of memory");
}

/* The first line, without surrounding blanks; DD_EINVALID when empty. */
static int first_line(const char **line, size_t *n, const char *data, size_t len)
{
    const char *nl = memchr(data, '\n', len);
    size_t ln = nl ? (size_t)(nl - data) : len;

    while (ln && (*data == ' ' || *data == '\t'))
        data++, ln--;
    while (ln && (data[ln - 1] == ' ' || data[ln - 1] == '\t' || data[ln - 1] == '\r'))
        ln--;
    if (ln == 0 || memchr(data, '\0', ln))
        return dd_error_set(DD_EINVALID, "1: no release text on the first line");
    *line = data;
    *n = ln;
    return DD_OK;
}

static int is_version_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || (s[i] >= 'a' && s[i] <= 'z') ||
              s[i] == '_' || s[i] == '-'))
            return 0;
    return n > 0 && s[0] >= '0' && s[0] <= '9';
}

static int parse_alpine(dd_os_info *info, const char *data, size_t len)
{
    const char *l;
    size_t n;
    int rc;

    if ((rc = first_line(&l, &n, data, len)) != DD_OK)
        return rc;
    if (!is_version_text(l, n))
        return dd_error_set(DD_EINVALID, "1: \"%.*s\" is not an Alpine version", (int)n, l);
    if ((rc = set_field(&info->id, "alpine", 6)) || (rc = set_field(&info->name, "Alpine Linux", 12)) ||
        (rc = set_field(&info->version_id, l, n)))
        return rc;
    return DD_OK;
}

/* "12.7" -> VERSION_ID 12 (the major, as os-release has it); "trixie/sid" -> codename. */
static int parse_debian(dd_os_info *info, const char *data, size_t len)
{
    const char *l, *slash;
    size_t n;
    int rc;

    if ((rc = first_line(&l, &n, data, len)) != DD_OK)
        return rc;
    if ((rc = set_field(&info->id, "debian", 6)) || (rc = set_field(&info->name, "Debian GNU/Linux", 16)))
        return rc;
    if (l[0] >= '0' && l[0] <= '9') {
        size_t major = 0;

        if (!is_version_text(l, n))
            return dd_error_set(DD_EINVALID, "1: \"%.*s\" is not a Debian version", (int)n, l);
        while (major < n && l[major] >= '0' && l[major] <= '9')
            major++;
        return set_field(&info->version_id, l, major);
    }
    slash = memchr(l, '/', n);
    return set_field(&info->version_codename, l, slash ? (size_t)(slash - l) : n);
}

/* "Red Hat Enterprise Linux release 9.3 (Plow)", "CentOS Linux release 7.9.2009 (Core)",
 * "Amazon Linux release 2 (Karoo)", "Fedora release 39 (Thirty Nine)". */
static int parse_redhat(dd_os_info *info, const char *data, size_t len)
{
    static const struct {
        const char *prefix, *id;
    } ids[] = {
        {"Red Hat Enterprise Linux", "rhel"}, {"CentOS Stream", "centos"},
        {"CentOS", "centos"},                 {"Fedora", "fedora"},
        {"Rocky Linux", "rocky"},             {"AlmaLinux", "almalinux"},
        {"Oracle Linux", "ol"},               {"Amazon Linux", "amzn"},
    };
    const char *l, *rel, *v, *ve;
    size_t n;
    int rc;

    if ((rc = first_line(&l, &n, data, len)) != DD_OK)
        return rc;
    rel = memmem(l, n, " release ", 9);
    if (!rel)
        return dd_error_set(DD_EINVALID, "1: no \" release \" in \"%.*s\"", (int)n, l);
    for (size_t i = 0; i < DD_ARRAY_SIZE(ids); i++)
        if (n >= strlen(ids[i].prefix) && strncmp(l, ids[i].prefix, strlen(ids[i].prefix)) == 0) {
            if ((rc = set_field(&info->id, ids[i].id, strlen(ids[i].id))) != DD_OK)
                return rc;
            break;
        }
    if (!info->id) {
        /* an unknown member of the family: its first word, lower-cased */
        size_t w = 0;

        while (w < n && l[w] != ' ')
            w++;
        if ((rc = set_field(&info->id, l, w)) != DD_OK)
            return rc;
        for (char *c = info->id; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
    }
    if ((rc = set_field(&info->name, l, (size_t)(rel - l))) != DD_OK ||
        (rc = set_field(&info->pretty_name, l, n)) != DD_OK)
        return rc;
    v = rel + 9;
    ve = v;
    while (ve < l + n && *ve != ' ')
        ve++;
    if (ve == v || !(v[0] >= '0' && v[0] <= '9'))
        return dd_error_set(DD_EINVALID, "1: no version after \"release\"");
    if ((rc = set_field(&info->version_id, v, (size_t)(ve - v))) != DD_OK)
        return rc;
    {
        const char *open = memchr(ve, '(', (size_t)(l + n - ve)), *close;

        if (open && (close = memchr(open, ')', (size_t)(l + n - open))) && close > open + 1)
            rc = set_field(&info->version_codename, open + 1, (size_t)(close - open - 1));
    }
    return rc;
}

/* DISTRIB_ID=Ubuntu, DISTRIB_RELEASE=22.04, DISTRIB_CODENAME=jammy, DISTRIB_DESCRIPTION=... */
static int parse_lsb(dd_os_info *info, const char *data, size_t len)
{
    static const char *const keys[] = {"DISTRIB_ID", "DISTRIB_RELEASE", "DISTRIB_CODENAME",
                                       "DISTRIB_DESCRIPTION"};
    dd_buf text = DD_BUF_INIT;
    dd_os_info *tmp = NULL;
    size_t pos = 0;
    int rc = DD_OK;

    /* rewrite the keys to os-release ones and reuse its parser (quoting and errors alike) */
    while (pos < len && rc == DD_OK) {
        const char *line = data + pos, *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        const char *map[] = {"NAME", "VERSION_ID", "VERSION_CODENAME", "PRETTY_NAME"};
        int done = 0;

        pos += n + (nl ? 1 : 0);
        for (size_t k = 0; k < DD_ARRAY_SIZE(keys) && !done; k++) {
            size_t kl = strlen(keys[k]);

            if (n > kl && strncmp(line, keys[k], kl) == 0 && line[kl] == '=') {
                rc = dd_buf_printf(&text, "%s%.*s\n", map[k], (int)(n - kl), line + kl);
                if (rc == DD_OK && k == 0)
                    rc = dd_buf_printf(&text, "ID%.*s\n", (int)(n - kl), line + kl);
                done = 1;
            }
        }
        if (!done && rc == DD_OK)
            rc = dd_buf_printf(&text, "%.*s\n", (int)n, line);
    }
    if (rc == DD_OK)
        rc = dd_os_release_parse(&tmp, text.data, text.len);
    if (rc == DD_OK && !tmp->id)
        rc = dd_error_set(DD_EINVALID, "no DISTRIB_ID");
    if (rc == DD_OK) {
        for (char *c = tmp->id; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        /* swap the parsed fields in */
        dd_os_info t = *info;

        *info = *tmp;
        *tmp = t;
    }
    dd_os_info_free(tmp);
    dd_buf_dispose(&text);
    return rc;
}

int dd_os_release_parse_file(dd_os_info **out, const char *path, const char *data, size_t len)
{
    static const struct {
        const char *base;
        int (*parse)(dd_os_info *, const char *, size_t);
    } parsers[] = {
        {"alpine-release", parse_alpine},     {"debian_version", parse_debian},
        {"redhat-release", parse_redhat},     {"centos-release", parse_redhat},
        {"fedora-release", parse_redhat},     {"rocky-release", parse_redhat},
        {"almalinux-release", parse_redhat},  {"oracle-release", parse_redhat},
        {"system-release", parse_redhat},     {"lsb-release", parse_lsb},
    };
    const char *base = strrchr(path, '/');
    dd_os_info *info = NULL;
    int rc = DD_EUNSUPPORTED;

    *out = NULL;
    base = base ? base + 1 : path;
    if (len > OS_RELEASE_MAX)
        return dd_error_set(DD_ELIMIT, "%s: %zu bytes, more than a release file can be", path,
                            len);
    if (strcmp(base, "os-release") == 0) {
        rc = dd_os_release_parse(&info, data, len);
    } else {
        for (size_t i = 0; i < DD_ARRAY_SIZE(parsers); i++) {
            if (strcmp(base, parsers[i].base) != 0)
                continue;
            if (!(info = dd_calloc(1, sizeof(*info))))
                return dd_error_set(DD_ENOMEM, "out of memory");
            rc = parsers[i].parse(info, data, len);
            break;
        }
        if (rc == DD_EUNSUPPORTED)
            return dd_error_set(DD_EUNSUPPORTED, "%s: not a release file drydock knows", path);
    }
    if (rc == DD_OK && !(info->source_path = dd_strdup(path)))
        rc = dd_error_set(DD_ENOMEM, "out of memory");
    if (rc != DD_OK) {
        if (rc == DD_EINVALID)
            dd_error_prefix("/%s", path);
        dd_os_info_free(info);
        return rc;
    }
    *out = info;
    return DD_OK;
}

int dd_os_register_captures(dd_walk *w)
{
    int rc = DD_OK;

    for (size_t i = 0; i < DD_ARRAY_SIZE(os_release_paths) && rc == DD_OK; i++)
        rc = dd_walk_capture(w, os_release_paths[i], OS_RELEASE_MAX);
    for (size_t i = 0; i < DD_ARRAY_SIZE(fallback_paths) && rc == DD_OK; i++)
        rc = dd_walk_capture(w, fallback_paths[i], OS_RELEASE_MAX);
    return rc;
}

int dd_os_detect(dd_os_info **out, const dd_walk *w)
{
    *out = NULL;
    for (size_t i = 0; i < DD_ARRAY_SIZE(os_release_paths); i++) {
        const dd_entry *e;
        const void *data;
        size_t len;
        int rc;

        if (dd_walk_resolve(w, os_release_paths[i], &e) != DD_OK || e->type != DD_FT_REG)
            continue;
        if (dd_walk_content(w, e, &data, &len, NULL) != DD_OK)
            continue;
        rc = dd_os_release_parse(out, data, len);
        if (rc != DD_OK)
            return dd_error_prefix("/%s", e->path);
        if (!((*out)->source_path = dd_strdup(e->path))) {
            dd_os_info_free(*out);
            *out = NULL;
            return dd_error_set(DD_ENOMEM, "out of memory");
        }
        return DD_OK;
    }
    for (size_t i = 0; i < DD_ARRAY_SIZE(fallback_paths); i++) {
        const dd_entry *e;
        const void *data;
        size_t len;

        if (dd_walk_resolve(w, fallback_paths[i], &e) != DD_OK || e->type != DD_FT_REG)
            continue;
        if (dd_walk_content(w, e, &data, &len, NULL) != DD_OK)
            continue;
        /* a fallback that does not parse is skipped: the next one may */
        if (dd_os_release_parse_file(out, e->path, data, len) == DD_OK)
            return DD_OK;
    }
    dd_error_clear();
    return dd_error_set(DD_ENOTFOUND, "no os-release or distribution release file");
}
