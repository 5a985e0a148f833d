/* The Java cataloger: jar, war, ear, hpi and jpi files of the image and the archives nested in
 * them (a fat jar's BOOT-INF/lib, a war's WEB-INF/lib, an ear's lib and modules). A Maven
 * package per META-INF/maven/.../pom.properties; without one, the MANIFEST.MF main section;
 * without that, the file name. A file is read as it streams through the walk (a walk
 * extractor: its local headers in order, only the metadata entries and nested archives
 * decompressed), so a fat jar is never held whole; a nested archive is held while libarchive
 * reads it from memory. The extract the walk keeps is the packages and warnings found. */
#include "catalog/java_int.h"

#include <archive.h>
#include <archive_entry.h>
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MANIFEST_MAX        (1u << 20)  /* signed jars list every class after the main section */
#define POM_PROPERTIES_MAX  (64u << 10)
#define READ_CHUNK          (64u << 10)
#define DEPTH_CAP           16u /* ancestors kept for the recursion check */
#define ID_MAX              256 /* longest groupId or artifactId taken from a manifest */
#define PREAMBLE_MAX        (1u << 20) /* a launch script before the zip (Spring Boot) */

static const char *const archive_exts[] = {".jar", ".war", ".ear", ".jpi", ".hpi"};

static int is_archive_name(const char *path)
{
    size_t n = strlen(path);

    for (size_t i = 0; i < DD_ARRAY_SIZE(archive_exts); i++)
        if (n > 4 && strcasecmp(path + n - 4, archive_exts[i]) == 0)
            return 1;
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\f';
}

/* The next line of data[*pos..len) without its end (CR LF, LF or CR); false at the end. */
static int next_line(const char *data, size_t len, size_t *pos, const char **line, size_t *n)
{
    size_t start = *pos, i = start;

    if (start >= len)
        return 0;
    while (i < len && data[i] != '\n' && data[i] != '\r')
        i++;
    *line = data + start;
    *n = i - start;
    if (i < len)
        i += data[i] == '\r' && i + 1 < len && data[i + 1] == '\n' ? 2 : 1;
    *pos = i;
    return 1;
}

/* A copy of s[0..n) without surrounding white space, in `a`; NULL (with `*nomem` left alone)
 * for an empty or non-UTF-8 value. */
static const char *trimmed_dup(dd_arena *a, const char *s, size_t n, int *nomem)
{
    const char *c;

    while (n && is_space(*s))
        s++, n--;
    while (n && is_space(s[n - 1]))
        n--;
    if (n == 0 || !dd_lang__utf8_valid(s, n))
        return NULL;
    if (!(c = dd_arena_strndup(a, s, n)))
        *nomem = 1;
    return c;
}

/* --- MANIFEST.MF --- */

static const struct {
    const char *name;
    size_t field;
} manifest_fields[] = {
    {"Implementation-Title", offsetof(dd_java_manifest, impl_title)},
    {"Implementation-Version", offsetof(dd_java_manifest, impl_version)},
    {"Implementation-Vendor-Id", offsetof(dd_java_manifest, impl_vendor_id)},
    {"Specification-Title", offsetof(dd_java_manifest, spec_title)},
    {"Specification-Version", offsetof(dd_java_manifest, spec_version)},
    {"Bundle-Name", offsetof(dd_java_manifest, bundle_name)},
    {"Bundle-SymbolicName", offsetof(dd_java_manifest, bundle_symbolic_name)},
    {"Bundle-Version", offsetof(dd_java_manifest, bundle_version)},
};

static int header_name_valid(const char *s, size_t n)
{
    if (n == 0 || n > 70)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
            return 0;
    return 1;
}

/* Stores the finished header `name` (n bytes) with `value` when it is one the cataloger uses;
 * a later header of the same name replaces it, as java.util.jar.Attributes does. */
static int keep_header(dd_java_manifest *out, dd_arena *a, const char *name, size_t n,
                       const dd_buf *value)
{
    for (size_t i = 0; i < DD_ARRAY_SIZE(manifest_fields); i++) {
        const char **field = (const char **)((char *)out + manifest_fields[i].field);
        int nomem = 0;

        if (strlen(manifest_fields[i].name) != n || strncasecmp(manifest_fields[i].name, name, n))
            continue;
        *field = trimmed_dup(a, value->data, value->len, &nomem);
        return nomem ? dd_error_set(DD_ENOMEM, "out of memory") : DD_OK;
    }
    return DD_OK;
}

int dd_java__parse_manifest(dd_java_manifest *out, dd_arena *a, const char *path,
                            const char *data, size_t len)
{
    dd_buf value = DD_BUF_INIT;
    const char *name = NULL, *line;
    size_t name_len = 0, pos = 0, n, lineno = 0;
    int rc = DD_OK;

    memset(out, 0, sizeof(*out));
    while (rc == DD_OK && next_line(data, len, &pos, &line, &n)) {
        const char *colon;

        lineno++;
        if (memchr(line, '\0', n)) {
            rc = dd_error_set(DD_EINVALID, "%s:%zu: NUL byte", path, lineno);
            break;
        }
        if (n == 0)
            break; /* the main section ends at the first empty line */
        if (line[0] == ' ') {
            if (!name) {
                rc = dd_error_set(DD_EINVALID, "%s:%zu: continuation line without a header",
                                  path, lineno);
                break;
            }
            rc = dd_buf_put(&value, line + 1, n - 1);
            continue;
        }
        if (name && (rc = keep_header(out, a, name, name_len, &value)) != DD_OK)
            break;
        colon = memchr(line, ':', n);
        /* Java's reader wants ": " exactly */
        if (!colon || (size_t)(colon - line) + 1 >= n || colon[1] != ' ') {
            rc = dd_error_set(DD_EINVALID, "%s:%zu: not a \"Name: value\" header", path,
                              lineno);
            break;
        }
        if (!header_name_valid(line, (size_t)(colon - line))) {
            rc = dd_error_set(DD_EINVALID, "%s:%zu: invalid header name \"%.*s\"", path, lineno,
                              (int)(colon - line < 70 ? colon - line : 70), line);
            break;
        }
        name = line;
        name_len = (size_t)(colon - line);
        dd_buf_clear(&value);
        rc = dd_buf_put(&value, colon + 2, n - (size_t)(colon + 2 - line));
    }
    if (rc == DD_OK && name)
        rc = keep_header(out, a, name, name_len, &value);
    dd_buf_dispose(&value);
    return rc;
}

/* --- pom.properties --- */

static int put_utf8(dd_buf *b, unsigned cp)
{
    char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    }
    return dd_buf_put(b, u, n);
}

static int hex4(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;

    if (n < 4)
        return 0;
    for (size_t i = 0; i < 4; i++) {
        int c = (unsigned char)s[i];

        if (!isxdigit(c))
            return 0;
        v = v << 4 | (unsigned)(isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
    }
    *out = v;
    return 1;
}

/* Appends s[0..n) with Properties escapes resolved and ISO 8859-1 bytes made UTF-8 to `b`.
 * Returns DD_OK, DD_EINVALID (a malformed \uXXXX, message left to the caller) or DD_ENOMEM. */
static int unescape(dd_buf *b, const char *s, size_t n)
{
    int rc = DD_OK;

    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        unsigned cp = (unsigned char)s[i];

        if (cp == '\\' && i + 1 < n) {
            char e = s[++i];

            if (e == 'u') {
                if (!hex4(s + i + 1, n - i - 1, &cp))
                    return DD_EINVALID;
                i += 4;
                /* UTF-16 in the escapes: a surrogate pair is one character */
                if (cp >= 0xD800 && cp <= 0xDBFF && i + 2 < n && s[i + 1] == '\\' &&
                    s[i + 2] == 'u') {
                    unsigned lo;

                    if (hex4(s + i + 3, n - i - 3, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        i += 6;
                    }
                }
                if (cp >= 0xD800 && cp <= 0xDFFF)
                    cp = 0xFFFD;
            } else {
                cp = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 'f' ? '\f'
                                                                          : (unsigned char)e;
            }
        } else if (cp == '\\') {
            break; /* a lone backslash at the very end */
        }
        rc = put_utf8(b, cp);
    }
    return rc;
}

int dd_java__parse_pom_properties(dd_java_pom *out, dd_arena *a, const char *path,
                                  const char *data, size_t len)
{
    dd_buf raw = DD_BUF_INIT, key = DD_BUF_INIT, val = DD_BUF_INIT;
    size_t pos = 0, lineno = 0;
    int rc = DD_OK;

    memset(out, 0, sizeof(*out));
    while (rc == DD_OK && pos < len) {
        const char *line;
        size_t n, first = lineno + 1, i, sep;
        int more = 1, start = 1;

        /* one logical line: natural lines joined where one ends in an odd number of "\" */
        dd_buf_clear(&raw);
        while (more && next_line(data, len, &pos, &line, &n)) {
            size_t slashes = 0;

            lineno++;
            while (n && is_space(*line))
                line++, n--;
            if (start && (n == 0 || *line == '#' || *line == '!'))
                break; /* blank or comment */
            start = 0;
            while (slashes < n && line[n - 1 - slashes] == '\\')
                slashes++;
            more = slashes % 2 == 1;
            if ((rc = dd_buf_put(&raw, line, more ? n - 1 : n)) != DD_OK)
                break;
        }
        if (rc != DD_OK || raw.len == 0)
            continue;
        for (i = 0; i < raw.len; i++) {
            char c = raw.data[i];

            if (c == '\\')
                i++;
            else if (c == '=' || c == ':' || is_space(c))
                break;
        }
        if (i > raw.len)
            i = raw.len;
        sep = i;
        while (sep < raw.len && is_space(raw.data[sep]))
            sep++;
        if (sep < raw.len && (raw.data[sep] == '=' || raw.data[sep] == ':'))
            sep++;
        while (sep < raw.len && is_space(raw.data[sep]))
            sep++;
        dd_buf_clear(&key);
        dd_buf_clear(&val);
        rc = unescape(&key, raw.data, i);
        if (rc == DD_OK)
            rc = unescape(&val, raw.data + sep, raw.len - sep);
        if (rc == DD_EINVALID) {
            rc = dd_error_set(DD_EINVALID, "%s:%zu: malformed \\uxxxx escape", path, first);
            break;
        }
        if (rc != DD_OK) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            break;
        }
        {
            const char **field = strcmp(key.data, "groupId") == 0      ? &out->group_id
                                 : strcmp(key.data, "artifactId") == 0 ? &out->artifact_id
                                 : strcmp(key.data, "version") == 0    ? &out->version
                                                                       : NULL;
            int nomem = 0;

            if (field)
                *field = trimmed_dup(a, val.data, val.len, &nomem);
            if (nomem)
                rc = dd_error_set(DD_ENOMEM, "out of memory");
        }
    }
    dd_buf_dispose(&raw);
    dd_buf_dispose(&key);
    dd_buf_dispose(&val);
    return rc;
}

/* --- file names --- */

int dd_java__split_file_name(const char **artifact, const char **version, dd_arena *a,
                             const char *base)
{
    size_t n = strlen(base), cut = 0;

    *artifact = *version = NULL;
    if (is_archive_name(base))
        n -= 4;
    for (size_t i = n; i-- > 2;)
        if (base[i - 1] == '-' && isdigit((unsigned char)base[i])) {
            cut = i;
            break;
        }
    if (cut) {
        *artifact = dd_arena_strndup(a, base, cut - 1);
        *version = dd_arena_strndup(a, base + cut, n - cut);
        if (!*artifact || !*version)
            return dd_error_set(DD_ENOMEM, "out of memory");
        return DD_OK;
    }
    if (!(*artifact = dd_arena_strndup(a, base, n)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    return DD_OK;
}

/* --- archives --- */

typedef struct {
    dd_pkglist *out;
    const char *file; /* the image path of the file: every package's db_path */
    dd_java_limits lim;
    dd_java_warn_fn warn;
    void *payload;
    uint64_t budget, inflated, entries, listed;
    unsigned warnings;
    int stop; /* a limit of the whole file was reached: no entry more is read */
    /* the archives held in memory, outermost first (chain_len 0: not held): a nested one equal
     * to any of them is not read again */
    const unsigned char *chain[DEPTH_CAP + 1];
    size_t chain_len[DEPTH_CAP + 1];
    const char *chain_label[DEPTH_CAP + 1];
} jar_ctx;

/* One archive being read: its label ("FILE!NESTED"), copied to the arena once a package
 * needs it. */
typedef struct {
    const char *label;
    const char *label_kept;
    const char *base; /* its file name, for the fallback */
    unsigned n_poms;
    dd_java_manifest mf;
    int have_mf, seen_mf;
} jar_frame;

static void ctx_init(jar_ctx *c, dd_pkglist *out, const char *path, uint64_t size,
                     const dd_java_limits *lim, dd_java_warn_fn warn, void *payload)
{
    memset(c, 0, sizeof(*c));
    c->out = out;
    c->file = path;
    c->lim = *lim;
    c->warn = warn;
    c->payload = payload;
    if (c->lim.max_depth > DEPTH_CAP)
        c->lim.max_depth = DEPTH_CAP;
    c->budget = lim->budget_base < UINT64_MAX / 2 ? lim->budget_base : UINT64_MAX / 2;
    if (lim->budget_factor && size > (UINT64_MAX / 2 - c->budget) / lim->budget_factor)
        c->budget = UINT64_MAX / 2;
    else
        c->budget += (uint64_t)lim->budget_factor * size;
    c->chain_label[0] = path;
}

static int warnf(jar_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int warnf(jar_ctx *c, const char *fmt, ...)
{
    dd_buf b = DD_BUF_INIT;
    va_list ap;
    int rc;

    if (c->warnings > c->lim.max_warnings)
        return DD_OK;
    if (c->warnings++ == c->lim.max_warnings) {
        rc = dd_buf_printf(&b, "%s: more than %u problems: the others are not reported",
                           c->file, c->lim.max_warnings);
    } else {
        va_start(ap, fmt);
        rc = dd_buf_vprintf(&b, fmt, ap);
        va_end(ap);
    }
    if (rc == DD_OK)
        rc = c->warn(b.data, c->payload);
    dd_buf_dispose(&b);
    return rc;
}

static int add_package(jar_ctx *c, jar_frame *f, const char *name, const char *version)
{
    dd_package p = {.type = DD_PKG_MAVEN, .name = name, .version = version, .db_path = c->file};
    uint64_t bytes = strlen(name) + strlen(version) + strlen(f->label) + 16;

    /* what a file lists is kept by the walk: bounded like everything else it keeps */
    if (c->listed + bytes > c->lim.max_listed_bytes) {
        if (c->listed <= c->lim.max_listed_bytes) {
            c->listed = c->lim.max_listed_bytes + 1;
            return warnf(c, "%s: more than %llu bytes of package names and paths: the rest is "
                            "not listed",
                         c->file, (unsigned long long)c->lim.max_listed_bytes);
        }
        return DD_OK;
    }
    c->listed += bytes;

    if (!f->label_kept && !(f->label_kept = dd_arena_strdup(c->out->arena, f->label)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    p.path = f->label_kept;
    return dd_pkglist__push(c->out, &p);
}

/* An entry name fit for a label: control bytes, and every byte >= 0x80 of a name that is not
 * UTF-8, become "?". */
static int put_name(dd_buf *b, const char *name, size_t n)
{
    int utf8 = dd_lang__utf8_valid(name, n), rc = DD_OK;

    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        unsigned char ch = (unsigned char)name[i];

        rc = dd_buf_putc(b, ch < 0x20 || ch == 0x7F || (!utf8 && ch >= 0x80) ? '?' : (char)ch);
    }
    return rc;
}

/* "LABEL!NAME" into `b` (cleared first). */
static int entry_label(dd_buf *b, const char *label, const char *name, size_t n)
{
    int rc;

    dd_buf_clear(b);
    rc = dd_buf_printf(b, "%s!", label);
    return rc == DD_OK ? put_name(b, name, n) : rc;
}

static int id_like(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0 || n > ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-' && s[i] != '_')
            return 0;
    return 1;
}

static char *join_coordinates(dd_arena *a, const char *group, const char *artifact)
{
    size_t gn = strlen(group), an = strlen(artifact);
    char *s = dd_arena_alloc(a, gn + 1 + an + 1);

    if (!s)
        return NULL;
    memcpy(s, group, gn);
    s[gn] = ':';
    memcpy(s + gn + 1, artifact, an + 1);
    return s;
}

/* The package a manifest names: version from Implementation-Version, Bundle-Version or
 * Specification-Version; artifactId the first of Implementation-Title, Specification-Title,
 * Bundle-Name that is an identifier, else the file name's; groupId Implementation-Vendor-Id,
 * or the Bundle-SymbolicName when it is GROUP.ARTIFACTID. Sets `*added`. */
static int add_from_manifest(jar_ctx *c, jar_frame *f, int *added)
{
    const dd_java_manifest *m = &f->mf;
    const char *version = m->impl_version     ? m->impl_version
                          : m->bundle_version ? m->bundle_version
                                              : m->spec_version;
    const char *artifact = NULL, *group = NULL, *file_version, *name;
    dd_arena *a = c->out->arena;
    int rc;

    *added = 0;
    if (!version)
        return DD_OK;
    if (id_like(m->impl_title))
        artifact = m->impl_title;
    else if (id_like(m->spec_title))
        artifact = m->spec_title;
    else if (id_like(m->bundle_name))
        artifact = m->bundle_name;
    else if ((rc = dd_java__split_file_name(&artifact, &file_version, a, f->base)) != DD_OK)
        return rc;
    if (!artifact || !*artifact || !dd_lang__utf8_valid(artifact, strlen(artifact)))
        return DD_OK;
    if (id_like(m->impl_vendor_id)) {
        group = m->impl_vendor_id;
    } else if (m->bundle_symbolic_name) {
        const char *bsn = m->bundle_symbolic_name;
        size_t n = strcspn(bsn, "; "), an = strlen(artifact);

        if (n > an + 1 && bsn[n - an - 1] == '.' && memcmp(bsn + n - an, artifact, an) == 0) {
            char *g = dd_arena_strndup(a, bsn, n - an - 1);

            if (!g)
                return dd_error_set(DD_ENOMEM, "out of memory");
            group = id_like(g) ? g : NULL;
        }
    }
    name = group ? join_coordinates(a, group, artifact) : artifact;
    if (!name)
        return dd_error_set(DD_ENOMEM, "out of memory");
    *added = 1;
    return add_package(c, f, name, version);
}

static int add_from_file_name(jar_ctx *c, jar_frame *f)
{
    const char *artifact, *version;
    int rc = dd_java__split_file_name(&artifact, &version, c->out->arena, f->base);

    if (rc != DD_OK || !version || !*artifact ||
        !dd_lang__utf8_valid(artifact, strlen(artifact)) ||
        !dd_lang__utf8_valid(version, strlen(version)))
        return rc;
    return add_package(c, f, artifact, version);
}

/* The archive's own identity once its entries are read: its pom.properties packages were
 * added as they came; without any, the manifest's or the file name's. */
static int frame_identity(jar_ctx *c, jar_frame *f)
{
    int rc, added = 0;

    if (f->n_poms)
        return DD_OK;
    if (f->have_mf && (rc = add_from_manifest(c, f, &added)) != DD_OK)
        return rc;
    return added ? DD_OK : add_from_file_name(c, f);
}

static int on_manifest(jar_ctx *c, jar_frame *f, const unsigned char *data, size_t len)
{
    dd_buf where = DD_BUF_INIT;
    int rc = dd_buf_printf(&where, "%s!META-INF/MANIFEST.MF", f->label);

    if (rc == DD_OK)
        rc = dd_java__parse_manifest(&f->mf, c->out->arena, where.data, (const char *)data, len);
    if (rc == DD_OK) {
        f->have_mf = 1;
    } else if (rc == DD_EINVALID) {
        rc = warnf(c, "%s", dd_error_message());
        dd_error_clear();
    }
    dd_buf_dispose(&where);
    return rc;
}

static int on_pom(jar_ctx *c, jar_frame *f, const char *where, const unsigned char *data,
                  size_t len)
{
    dd_java_pom pom;
    char *name;
    int rc = dd_java__parse_pom_properties(&pom, c->out->arena, where, (const char *)data, len);

    if (rc == DD_EINVALID) {
        rc = warnf(c, "%s", dd_error_message());
        dd_error_clear();
        return rc;
    }
    if (rc != DD_OK)
        return rc;
    if (!pom.group_id || !pom.artifact_id || !pom.version)
        return warnf(c, "%s: no %s", where,
                     !pom.group_id ? "groupId" : !pom.artifact_id ? "artifactId" : "version");
    if (!(name = join_coordinates(c->out->arena, pom.group_id, pom.artifact_id)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    f->n_poms++;
    return add_package(c, f, name, pom.version);
}

/* An entry's name as UTF-8. A name of ASCII bytes is that already: asking libarchive for its
 * UTF-8 form opens an iconv converter for each archive, nearly a third of the time of reading
 * a small nested jar. */
static const char *entry_name(struct archive_entry *e)
{
    const char *name = archive_entry_pathname(e), *utf8;

    for (const char *p = name; p && *p; p++)
        if ((unsigned char)*p >= 0x80) {
            utf8 = archive_entry_pathname_utf8(e);
            return utf8 ? utf8 : name;
        }
    return name ? name : archive_entry_pathname_utf8(e);
}

static int read_archive(jar_ctx *c, const char *label, const char *base,
                        const unsigned char *data, size_t len, unsigned depth);

static const char *base_name(const char *name)
{
    const char *slash = strrchr(name, '/');

    return slash ? slash + 1 : name;
}

/* A nested archive, read from memory as archive `depth` + 1. */
static int on_nested(jar_ctx *c, const char *where, const unsigned char *data, size_t len,
                     unsigned depth)
{
    char *label;
    int rc;

    for (unsigned i = 0; i <= depth; i++)
        if (c->chain[i] && c->chain_len[i] == len && memcmp(c->chain[i], data, len) == 0)
            return warnf(c, "%s: the same bytes as %s, which contains it: not read", where,
                         c->chain_label[i]);
    if (!(label = dd_strdup(where)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    c->chain[depth + 1] = data;
    c->chain_len[depth + 1] = len;
    c->chain_label[depth + 1] = label;
    rc = read_archive(c, label, base_name(label), data, len, depth + 1);
    c->chain_len[depth + 1] = 0;
    dd_free(label);
    return rc;
}

typedef enum { ENTRY_OTHER = 0, ENTRY_MANIFEST, ENTRY_POM, ENTRY_ARCHIVE } entry_kind;

static entry_kind kind_of(const char *name)
{
    size_t n = strlen(name);

    if (strcasecmp(name, "META-INF/MANIFEST.MF") == 0)
        return ENTRY_MANIFEST;
    if (strncmp(name, "META-INF/maven/", 15) == 0 && n > 15 + 15 &&
        strcmp(name + n - 15, "/pom.properties") == 0)
        return ENTRY_POM;
    if (is_archive_name(name))
        return ENTRY_ARCHIVE;
    return ENTRY_OTHER;
}

static uint64_t entry_cap(const jar_ctx *c, entry_kind kind)
{
    return kind == ENTRY_MANIFEST ? MANIFEST_MAX
           : kind == ENTRY_POM    ? POM_PROPERTIES_MAX
                                  : c->lim.max_nested_bytes;
}

/* What to do with a complete entry's bytes (`over`: it had more than its cap). */
static int on_entry(jar_ctx *c, jar_frame *f, entry_kind kind, const char *where,
                    const unsigned char *data, size_t len, int over, unsigned depth)
{
    if (kind == ENTRY_MANIFEST)
        return on_manifest(c, f, data, len); /* the main section comes first: a cut one does */
    if (over)
        return warnf(c, "%s: larger than %llu bytes: not read", where,
                     (unsigned long long)entry_cap(c, kind));
    if (kind == ENTRY_POM)
        return on_pom(c, f, where, data, len);
    return on_nested(c, where, data, len, depth);
}

/* --- archives in memory (nested ones), read with libarchive --- */

/* Reads the data of the current entry, at most `cap` bytes, into `*out` (dd_malloc'd, one more
 * byte for a NUL); `*over` is set when the entry holds more. Returns DD_OK, DD_EINVALID when
 * libarchive cannot read it (`*fatal` when the archive is done for), DD_ELIMIT when the file's
 * budget ran out, DD_ENOMEM. */
static int read_entry(jar_ctx *c, struct archive *a, struct archive_entry *e, uint64_t cap,
                      unsigned char **out, size_t *len, int *over, int *fatal)
{
    unsigned char *buf = NULL;
    size_t n = 0, alloc;
    la_ssize_t got;
    int rc = DD_OK;

    *out = NULL;
    *len = 0;
    *over = *fatal = 0;
    /* the stated size is a hint for the first allocation, never trusted past the cap */
    alloc = archive_entry_size_is_set(e) && archive_entry_size(e) >= 0 &&
                    (uint64_t)archive_entry_size(e) < cap
                ? (size_t)archive_entry_size(e) + 1
                : (size_t)(cap < READ_CHUNK ? cap + 1 : READ_CHUNK);
    if (!(buf = dd_malloc(alloc)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (;;) {
        size_t want = alloc - 1 - n;

        if (want == 0) {
            /* full: one byte more tells whether the entry ends here */
            unsigned char probe, *p;
            size_t grown;

            if ((got = archive_read_data(a, &probe, 1)) < 0)
                goto failed;
            if (got == 0)
                break;
            if (alloc - 1 >= cap) {
                *over = 1;
                break;
            }
            grown = alloc - 1 > cap / 2 ? (size_t)cap + 1 : alloc * 2;
            if (!(p = dd_realloc(buf, grown))) {
                rc = dd_error_set(DD_ENOMEM, "out of memory");
                goto done;
            }
            buf = p;
            alloc = grown;
            buf[n++] = probe;
            got = 1;
        } else {
            if (want > READ_CHUNK)
                want = READ_CHUNK;
            if ((got = archive_read_data(a, buf + n, want)) < 0)
                goto failed;
            if (got == 0)
                break;
            n += (size_t)got;
        }
        c->inflated += (uint64_t)got;
        if (c->inflated > c->budget) {
            rc = DD_ELIMIT;
            goto done;
        }
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return DD_OK;
failed:
    *fatal = got == ARCHIVE_FATAL;
    rc = DD_EINVALID;
done:
    dd_free(buf);
    return rc;
}

/* Whether the bytes end with a zip "end of central directory" record (its comment reaching
 * exactly to the end), as a reader that seeks needs. */
static int has_end_record(const unsigned char *data, size_t len)
{
    size_t lo = len > 22 + 65535 ? len - 22 - 65535 : 0;

    for (size_t i = len >= 22 ? len - 22 + 1 : 0; i-- > lo;)
        if (data[i] == 'P' && data[i + 1] == 'K' && data[i + 2] == 5 && data[i + 3] == 6 &&
            (size_t)(data[i + 20] | data[i + 21] << 8) == len - i - 22)
            return 1;
    return 0;
}

static const char *archive_message(struct archive *a)
{
    const char *m = archive_error_string(a);

    return m && *m ? m : "damaged zip";
}

static int budget_warning(jar_ctx *c)
{
    c->stop = 1;
    return warnf(c, "%s: more than %llu bytes inflated from its entries (a zip bomb?): the rest "
                    "is not read",
                 c->file, (unsigned long long)c->budget);
}

static int entries_warning(jar_ctx *c)
{
    c->stop = 1;
    return warnf(c, "%s: more than %llu zip entries (nested ones included): the rest is not read",
                 c->file, (unsigned long long)c->lim.max_entries);
}

/* Reads one archive held in memory: through its central directory when it ends with one
 * (libarchive's seeking reader), else by its local headers in order (its streaming reader,
 * and one warning at the end). */
static int read_archive(jar_ctx *c, const char *label, const char *base,
                        const unsigned char *data, size_t len, unsigned depth)
{
    jar_frame f = {.label = label, .base = base};
    dd_buf where = DD_BUF_INIT, why = DD_BUF_INIT;
    int rc = DD_OK, cut = 0;
    struct archive *a = NULL;
    struct archive_entry *e;

    if (!has_end_record(data, len)) {
        if (len < 4 || memcmp(data, "PK\3\4", 4) != 0) {
            rc = warnf(c, "%s: not a zip archive", label);
            goto done;
        }
        cut = 1;
    }
    if (!(a = archive_read_new())) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    if (cut)
        archive_read_support_format_zip_streamable(a);
    else
        archive_read_support_format_zip(a);
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
        rc = warnf(c, "%s: not a zip archive: %s", label, archive_message(a));
        goto done;
    }
    while (!c->stop && rc == DD_OK) {
        int r = archive_read_next_header(a, &e), over, fatal;
        const char *name;
        unsigned char *buf = NULL;
        size_t n;
        entry_kind kind;

        if (r == ARCHIVE_EOF)
            break;
        if (++c->entries > c->lim.max_entries) {
            rc = entries_warning(c);
            break;
        }
        if (r < ARCHIVE_WARN) {
            if (cut) {
                rc = dd_buf_puts(&why, archive_message(a));
                break;
            }
            rc = warnf(c, "%s: %s", label, archive_message(a));
            if (r == ARCHIVE_FAILED)
                continue;
            break;
        }
        name = entry_name(e);
        if (!name || archive_entry_filetype(e) != AE_IFREG)
            continue;
        kind = kind_of(name);
        if (kind == ENTRY_OTHER || (kind == ENTRY_MANIFEST && f.seen_mf))
            continue;
        if ((rc = entry_label(&where, label, name, strlen(name))) != DD_OK)
            break;
        if (kind == ENTRY_ARCHIVE && depth + 1 > c->lim.max_depth) {
            rc = warnf(c, "%s: nested more than %u archives deep: not read", where.data,
                       c->lim.max_depth);
            continue;
        }
        f.seen_mf |= kind == ENTRY_MANIFEST;
        rc = read_entry(c, a, e, entry_cap(c, kind), &buf, &n, &over, &fatal);
        if (rc == DD_ELIMIT) {
            rc = budget_warning(c);
            break;
        }
        if (rc == DD_EINVALID) {
            if (cut) {
                rc = dd_buf_printf(&why, "%s: %s", where.data, archive_message(a));
                break;
            }
            rc = warnf(c, "%s: %s", where.data, archive_message(a));
            if (fatal)
                break;
            continue;
        }
        if (rc == DD_OK)
            rc = on_entry(c, &f, kind, where.data, buf, n, over, depth);
        dd_free(buf);
    }
    if (rc == DD_OK && cut)
        rc = warnf(c, "%s: cut short (no zip end of central directory record)%s%s; the entries "
                      "before that are read",
                   label, why.len ? ": " : "", why.data);
    if (rc == DD_OK)
        rc = frame_identity(c, &f);
done:
    archive_read_free(a);
    dd_buf_dispose(&where);
    dd_buf_dispose(&why);
    return rc;
}

int dd_java__parse_archive(dd_pkglist *out, const char *path, const void *data, size_t len,
                           const dd_java_limits *lim, dd_java_warn_fn warn, void *payload)
{
    jar_ctx c;

    ctx_init(&c, out, path, len, lim, warn, payload);
    c.chain[0] = data;
    c.chain_len[0] = len;
    return read_archive(&c, path, dd_lang__basename(path), data, len, 0);
}

/* --- archives streamed: the local headers of a file as its bytes go by --- */

typedef enum { ST_PREAMBLE, ST_HEADER, ST_NAME, ST_DATA, ST_DESCRIPTOR, ST_END } stream_state;

struct dd_java_stream {
    jar_ctx c;
    dd_arena *arena;
    dd_pkglist pkgs;
    dd_buf records; /* the extract: warnings as they come, packages at the end */
    char *path;
    jar_frame f;
    stream_state st;
    int saw_entry, finished;
    uint64_t off;        /* offset in the file of the next byte */
    uint64_t data_start; /* offset of the current entry's data */
    uint64_t preamble;   /* bytes before the first local header */
    uint64_t hdr_off;    /* offset of the current local header */
    unsigned char hdr[30];
    size_t hdr_got;
    unsigned char *ne; /* name and extra field (at most 2 x 65535 bytes) */
    size_t ne_need, ne_got, ne_alloc;
    dd_buf where; /* "FILE!NAME" of the current entry */
    char *name;   /* the current entry's name, NUL-terminated */
    entry_kind kind;
    int keep, inflating, known, zip64;
    uint16_t flags, method;
    uint32_t crc, run_crc;
    uint64_t csize, usize, got, produced;
    unsigned char *buf; /* what is kept of the current entry, decompressed */
    size_t len, alloc;
    int over;
    struct inflate_state *inf;
    unsigned char *scratch;  /* output of data inflated only to find its end */
    unsigned char inq[8];    /* the last bytes handed to the inflater */
    size_t inq_n;
    unsigned char desc[24];
    size_t desc_got, desc_need;
    unsigned char pb[8]; /* bytes the inflater read ahead: parsed before the next input */
    size_t pb_n;
    unsigned char hold[16]; /* stored data without sizes: bytes that may start its descriptor */
    size_t hold_n;
};

#define SCRATCH_LEN (64u << 10)

/* Records of the extract: a tag byte, a 32-bit little-endian length, the bytes. The first is
 * REC_HEADER with EXTRACT_ID; tags differ from the ELF extractor's (binary.c), whose readers
 * pass over records they do not know. */
enum { REC_HEADER = 'J', REC_PACKAGE = 'p', REC_WARNING = 'w' };
#define EXTRACT_ID "java/1"

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int stream_warning(const char *message, void *payload)
{
    dd_java_stream *s = payload;
    size_t n = strlen(message);
    unsigned char h[5] = {REC_WARNING, (unsigned char)n, (unsigned char)(n >> 8),
                          (unsigned char)(n >> 16), (unsigned char)(n >> 24)};
    int rc = dd_buf_put(&s->records, h, sizeof(h));

    return rc == DD_OK ? dd_buf_put(&s->records, message, n) : rc;
}

int dd_java__stream_new(dd_java_stream **out, const char *path, uint64_t size, int preamble,
                        const dd_java_limits *lim)
{
    dd_java_stream *s = dd_calloc(1, sizeof(*s));
    int rc;

    *out = NULL;
    if (!s)
        return dd_error_set(DD_ENOMEM, "out of memory");
    s->records = (dd_buf)DD_BUF_INIT;
    s->where = (dd_buf)DD_BUF_INIT;
    if ((rc = dd_arena_new(&s->arena)) != DD_OK) {
        dd_free(s);
        return rc;
    }
    s->pkgs.arena = s->arena;
    if (!(s->path = dd_arena_strdup(s->arena, path))) {
        dd_java__stream_free(s);
        return dd_error_set(DD_ENOMEM, "out of memory");
    }
    ctx_init(&s->c, &s->pkgs, s->path, size, lim, stream_warning, s);
    s->f.label = s->path;
    s->f.base = dd_lang__basename(s->path);
    s->st = preamble ? ST_PREAMBLE : ST_HEADER;
    {
        static const unsigned char h[5] = {REC_HEADER, sizeof(EXTRACT_ID) - 1, 0, 0, 0};

        if ((rc = dd_buf_put(&s->records, h, sizeof(h))) != DD_OK ||
            (rc = dd_buf_puts(&s->records, EXTRACT_ID)) != DD_OK) {
            dd_java__stream_free(s);
            return rc;
        }
    }
    *out = s;
    return DD_OK;
}

void dd_java__stream_free(dd_java_stream *s)
{
    if (!s)
        return;
    dd_pkglist__dispose(&s->pkgs);
    dd_arena_free(s->arena);
    dd_buf_dispose(&s->records);
    dd_buf_dispose(&s->where);
    dd_free(s->ne);
    dd_free(s->name);
    dd_free(s->buf);
    dd_free(s->inf);
    dd_free(s->scratch);
    dd_free(s);
}

/* Stops reading the file: nothing after this point is looked at. */
static int stream_stop(dd_java_stream *s)
{
    s->st = ST_END;
    return DD_OK;
}

static void entry_reset(dd_java_stream *s)
{
    dd_free(s->buf);
    s->buf = NULL;
    s->len = s->alloc = 0;
    s->over = 0;
    s->keep = s->inflating = 0;
    s->hdr_got = 0;
    s->st = ST_HEADER;
}

/* Keeps decompressed bytes of the entry (up to its cap), with their CRC. */
static int entry_keep(dd_java_stream *s, const unsigned char *p, size_t n)
{
    uint64_t cap = entry_cap(&s->c, s->kind);

    s->c.inflated += n;
    if (s->c.inflated > s->c.budget)
        return DD_ELIMIT;
    if (s->over)
        return DD_OK;
    if (s->len + n > cap) {
        n = (size_t)(cap - s->len);
        s->over = 1;
    }
    if (s->len + n + 1 > s->alloc) {
        size_t want = s->alloc ? s->alloc : 4096;
        unsigned char *q;

        while (want < s->len + n + 1)
            want *= 2;
        if (want > cap + 1)
            want = (size_t)cap + 1;
        if (!(q = dd_realloc(s->buf, want)))
            return dd_error_set(DD_ENOMEM, "out of memory");
        s->buf = q;
        s->alloc = want;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    s->buf[s->len] = 0;
    s->run_crc = crc32_gzip_refl(s->run_crc, p, n);
    return DD_OK;
}

static int stream_budget(dd_java_stream *s)
{
    int rc = budget_warning(&s->c);

    return rc == DD_OK ? stream_stop(s) : rc;
}

/* The entry's data ended: its descriptor, or the entry is done. */
static int entry_finish(dd_java_stream *s)
{
    int rc = DD_OK;

    if (s->flags & 8) {
        s->st = ST_DESCRIPTOR;
        s->desc_got = s->desc_need = 0;
        return DD_OK;
    }
    if (s->keep && !s->over && s->run_crc != s->crc)
        rc = warnf(&s->c, "%s: CRC mismatch: not read", s->where.data);
    else if (s->keep)
        rc = on_entry(&s->c, &s->f, s->kind, s->where.data, s->buf ? s->buf : (unsigned char *)"",
                      s->len, s->over, 0);
    entry_reset(s);
    if (rc == DD_OK && s->c.stop)
        rc = stream_stop(s);
    return rc;
}

static int on_preamble(dd_java_stream *s, const unsigned char *p, size_t n, size_t *used)
{
    /* "PK\3\4" may straddle two inputs: hdr keeps the last 3 bytes seen */
    for (size_t i = 0; i < n; i++) {
        memmove(s->hdr, s->hdr + 1, 3);
        s->hdr[3] = p[i];
        if (s->off + i + 1 >= 4 && memcmp(s->hdr, "PK\3\4", 4) == 0) {
            s->preamble = s->off + i + 1 - 4;
            s->hdr_off = s->preamble;
            s->hdr_got = 4;
            s->st = ST_HEADER;
            *used = i + 1;
            return DD_OK;
        }
        if (s->off + i + 1 >= PREAMBLE_MAX) {
            *used = i + 1;
            s->st = ST_END;
            return warnf(&s->c, "%s: not a zip archive (no local header in its first %u bytes)",
                         s->path, PREAMBLE_MAX);
        }
    }
    *used = n;
    return DD_OK;
}

static int begin_entry(dd_java_stream *s, uint64_t data_start);

static int on_header(dd_java_stream *s, const unsigned char *p, size_t n, size_t *used)
{
    size_t take = (s->hdr_got < 4 ? 4 : 30) - s->hdr_got;

    if (s->hdr_got == 0)
        s->hdr_off = s->off;
    if (take > n)
        take = n;
    memcpy(s->hdr + s->hdr_got, p, take);
    s->hdr_got += take;
    *used = take;
    if (s->hdr_got == 4) {
        static const char *const ends[] = {"PK\1\2", "PK\5\6", "PK\6\6", "PK\6\7"};

        for (size_t i = 0; i < DD_ARRAY_SIZE(ends); i++)
            if (memcmp(s->hdr, ends[i], 4) == 0) {
                s->finished = 1; /* the central directory: every entry was seen */
                return stream_stop(s);
            }
        if (memcmp(s->hdr, "PK\7\x08", 4) == 0 && s->off + take == s->preamble + 4) {
            s->hdr_got = 0; /* the marker of a split archive before its first header */
            return DD_OK;
        }
        if (memcmp(s->hdr, "PK\3\4", 4) != 0) {
            int rc = s->saw_entry ? warnf(&s->c, "%s: offset %llu: no zip local header", s->path,
                                          (unsigned long long)(s->off + take - 4))
                                  : warnf(&s->c, "%s: not a zip archive", s->path);

            s->finished = 1; /* said already */
            return rc == DD_OK ? stream_stop(s) : rc;
        }
        return DD_OK;
    }
    if (s->hdr_got < 30)
        return DD_OK;
    s->flags = le16(s->hdr + 6);
    s->method = le16(s->hdr + 8);
    s->crc = le32(s->hdr + 14);
    s->csize = le32(s->hdr + 18);
    s->usize = le32(s->hdr + 22);
    s->ne_need = (size_t)le16(s->hdr + 26) + le16(s->hdr + 28);
    s->ne_got = 0;
    if (!s->ne || s->ne_need > s->ne_alloc) {
        size_t want = s->ne_need < 512 ? 512 : s->ne_need;
        unsigned char *q = dd_realloc(s->ne, want);

        if (!q)
            return dd_error_set(DD_ENOMEM, "out of memory");
        s->ne = q;
        s->ne_alloc = want;
    }
    s->st = ST_NAME;
    return s->ne_need == 0 ? begin_entry(s, s->off + take) : DD_OK;
}

static int on_name(dd_java_stream *s, const unsigned char *p, size_t n, size_t *used)
{
    size_t take = s->ne_need - s->ne_got < n ? s->ne_need - s->ne_got : n;

    memcpy(s->ne + s->ne_got, p, take);
    s->ne_got += take;
    *used = take;
    return s->ne_got == s->ne_need ? begin_entry(s, s->off + take) : DD_OK;
}

/* The local header, name and extra field are in: decide what to do with the data. */
static int begin_entry(dd_java_stream *s, uint64_t data_start)
{
    size_t nlen = le16(s->hdr + 26), xlen = le16(s->hdr + 28);
    const unsigned char *x = s->ne + nlen;
    char *name;
    int rc;

    s->saw_entry = 1;
    s->zip64 = 0;
    /* the zip64 extra field: 8-byte sizes for the 32-bit ones set to all ones */
    for (size_t i = 0; i + 4 <= xlen;) {
        size_t id = le16(x + i), sz = le16(x + i + 2), k = i + 4;

        if (sz > xlen - i - 4)
            break;
        if (id == 1) {
            s->zip64 = 1;
            if (s->usize == UINT32_MAX && k + 8 <= i + 4 + sz)
                s->usize = le64(x + k), k += 8;
            if (s->csize == UINT32_MAX && k + 8 <= i + 4 + sz)
                s->csize = le64(x + k);
        }
        i += 4 + sz;
    }
    if (!(name = dd_realloc(s->name, nlen + 1)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    memcpy(name, s->ne, nlen);
    name[nlen] = 0;
    s->name = name;
    s->data_start = data_start;
    s->got = s->produced = 0;
    s->hold_n = 0;
    s->run_crc = 0;
    s->known = !(s->flags & 8);
    s->st = ST_DATA;
    if (++s->c.entries > s->c.lim.max_entries) {
        rc = entries_warning(&s->c);
        return rc == DD_OK ? stream_stop(s) : rc;
    }
    s->kind = memchr(name, 0, nlen) || (nlen && name[nlen - 1] == '/') ? ENTRY_OTHER
                                                                       : kind_of(name);
    if (s->kind == ENTRY_MANIFEST && s->f.seen_mf)
        s->kind = ENTRY_OTHER;
    s->keep = s->kind != ENTRY_OTHER;
    if (s->keep && (rc = entry_label(&s->where, s->path, name, nlen)) != DD_OK)
        return rc;
    rc = DD_OK;
    if (s->keep && s->kind == ENTRY_ARCHIVE && s->c.lim.max_depth < 1) {
        rc = warnf(&s->c, "%s: nested more than %u archives deep: not read", s->where.data,
                   s->c.lim.max_depth);
        s->keep = 0;
    } else if (s->keep && (s->flags & 1)) {
        rc = warnf(&s->c, "%s: encrypted: not read", s->where.data);
        s->keep = 0;
    } else if (s->keep && s->method != 0 && s->method != 8) {
        rc = warnf(&s->c, "%s: compression method %u: not read", s->where.data, s->method);
        s->keep = 0;
    }
    if (rc != DD_OK)
        return rc;
    s->f.seen_mf |= s->keep && s->kind == ENTRY_MANIFEST;
    if (!s->known && ((s->method != 8 && s->method != 0) || (s->flags & 1))) {
        /* its end is found only by reading the compressed data through */
        rc = warnf(&s->c, "%s: offset %llu: entry \"%.200s\" without sizes (method %u): the "
                          "rest is not read",
                   s->path, (unsigned long long)s->hdr_off, name, s->method);
        return rc == DD_OK ? stream_stop(s) : rc;
    }
    s->inflating = s->method == 8 && (s->keep || !s->known);
    if (s->inflating) {
        if (!s->inf && !(s->inf = dd_malloc(sizeof(*s->inf))))
            return dd_error_set(DD_ENOMEM, "out of memory");
        if (!s->keep && !s->scratch && !(s->scratch = dd_malloc(SCRATCH_LEN)))
            return dd_error_set(DD_ENOMEM, "out of memory");
        isal_inflate_init(s->inf);
        s->inf->crc_flag = ISAL_DEFLATE;
        s->inq_n = 0;
    }
    if (s->known && s->csize == 0 && !s->inflating)
        return entry_finish(s);
    return DD_OK;
}

/* Deflated data: inflated to keep it, or only to find its end. */
static int on_inflate(dd_java_stream *s, const unsigned char *p, size_t n, size_t *used)
{
    size_t avail = s->known && s->csize - s->got < n ? (size_t)(s->csize - s->got) : n;
    struct inflate_state *z = s->inf;
    unsigned char before[8];
    size_t before_n = s->inq_n, fed;
    int rc = DD_OK, ret;

    if (avail > UINT32_MAX)
        avail = UINT32_MAX;
    memcpy(before, s->inq, before_n);
    if (!s->scratch && !(s->scratch = dd_malloc(SCRATCH_LEN)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    z->next_in = (uint8_t *)(uintptr_t)p;
    z->avail_in = (uint32_t)avail;
    do {
        const uint8_t *in_was = z->next_in;
        size_t made;

        z->next_out = s->scratch;
        z->avail_out = SCRATCH_LEN;
        ret = isal_inflate(z);
        if (ret < 0)
            break;
        made = SCRATCH_LEN - z->avail_out;
        s->produced += made;
        if (s->keep)
            rc = entry_keep(s, s->scratch, made);
        else if ((s->c.inflated += made) > s->c.budget)
            rc = DD_ELIMIT;
        if (rc == DD_ELIMIT)
            return stream_budget(s);
        if (rc != DD_OK)
            return rc;
        if (made == 0 && z->next_in == in_was)
            break; /* no progress: more input is needed */
    } while (z->block_state != ISAL_BLOCK_FINISH && (z->avail_in > 0 || z->avail_out == 0));
    fed = (size_t)(z->next_in - p);
    /* the last bytes handed over, for a read-ahead reaching back before this input */
    if (fed >= sizeof(s->inq)) {
        memcpy(s->inq, p + fed - sizeof(s->inq), sizeof(s->inq));
        s->inq_n = sizeof(s->inq);
    } else {
        size_t keep_old = sizeof(s->inq) - fed < s->inq_n ? sizeof(s->inq) - fed : s->inq_n;

        memmove(s->inq, s->inq + s->inq_n - keep_old, keep_old);
        memcpy(s->inq + keep_old, p, fed);
        s->inq_n = keep_old + fed;
    }
    if (ret >= 0 && fed == 0 && avail > 0 && z->block_state != ISAL_BLOCK_FINISH)
        ret = ISAL_INVALID_BLOCK; /* it took nothing: it never will */
    if (ret < 0) {
        *used = fed;
        s->got += fed;
        rc = warnf(&s->c, "%s: offset %llu: entry \"%.200s\": invalid deflate data%s", s->path,
                   (unsigned long long)s->hdr_off, s->name,
                   s->known ? "" : ": the rest is not read");
        if (rc != DD_OK || !s->known)
            return rc == DD_OK ? stream_stop(s) : rc;
        s->keep = s->inflating = 0; /* the rest of its data is passed over */
        return s->got == s->csize ? entry_finish(s) : DD_OK;
    }
    if (z->block_state == ISAL_BLOCK_FINISH) {
        size_t unread = (size_t)z->read_in_length / 8;

        if (s->known) {
            /* the sizes say where the data ends: what is left of it is passed over */
            *used = fed;
            s->got += fed;
            s->inflating = 0;
            return s->got == s->csize ? entry_finish(s) : DD_OK;
        }
        if (unread <= fed) {
            *used = fed - unread;
        } else {
            /* read ahead into bytes of an earlier input: parse them again first */
            size_t back = unread - fed;

            if (back > before_n || back > sizeof(s->pb))
                return dd_error_set(DD_ERROR, "%s: inflater read ahead %zu bytes", s->path,
                                    unread);
            memcpy(s->pb, before + before_n - back, back);
            s->pb_n = back;
            s->off -= back;
            *used = 0;
        }
        s->got += *used;
        s->inflating = 0;
        return entry_finish(s);
    }
    *used = fed;
    s->got += fed;
    if (s->known && s->got == s->csize) {
        rc = warnf(&s->c, "%s: offset %llu: entry \"%.200s\": deflate data cut short", s->path,
                   (unsigned long long)s->hdr_off, s->name);
        s->keep = 0;
        s->inflating = 0;
        return rc == DD_OK ? entry_finish(s) : rc;
    }
    return DD_OK;
}

/* A descriptor at `d` (16 bytes: signature, CRC, 32-bit sizes) whose sizes are both `len`,
 * the stored bytes before it. */
static int is_descriptor(const unsigned char *d, uint64_t len)
{
    return memcmp(d, "PK\7\x08", 4) == 0 && le32(d + 8) == len && le32(d + 12) == len;
}

static int stored_commit(dd_java_stream *s, const unsigned char *p, size_t n)
{
    int rc = s->keep ? entry_keep(s, p, n) : DD_OK;

    s->got += n;
    return rc == DD_ELIMIT ? stream_budget(s) : rc;
}

static int stored_end(dd_java_stream *s, const unsigned char *d)
{
    s->crc = le32(d + 4);
    s->flags &= (uint16_t)~8u;
    return entry_finish(s);
}

/* Stored data whose size only its descriptor states (as libarchive and Python write it): it
 * ends where a "PK\7\x08" follows with sizes equal to the bytes before it. Up to 15 bytes that
 * may start the descriptor wait in `hold` for the next input. */
static int on_stored_scan(dd_java_stream *s, const unsigned char *p, size_t n, size_t *used)
{
    size_t j = 0;
    int rc;

    *used = n;
    if (s->hold_n) {
        unsigned char t[32];
        size_t add = n < 16 ? n : 16, tn = s->hold_n + add;

        memcpy(t, s->hold, s->hold_n);
        memcpy(t + s->hold_n, p, add);
        for (size_t i = 0; i < s->hold_n; i++) {
            if (tn - i < 16) {
                /* too few bytes yet to decide at i: all of this input is held */
                if ((rc = stored_commit(s, t, i)) != DD_OK)
                    return rc;
                memmove(s->hold, t + i, tn - i);
                s->hold_n = tn - i;
                return DD_OK;
            }
            if (is_descriptor(t + i, s->got + i)) {
                if ((rc = stored_commit(s, t, i)) != DD_OK || s->st != ST_DATA)
                    return rc;
                *used = i + 16 - s->hold_n;
                s->hold_n = 0;
                return stored_end(s, t + i);
            }
        }
        rc = stored_commit(s, t, s->hold_n);
        s->hold_n = 0;
        if (rc != DD_OK || s->st != ST_DATA)
            return rc;
    }
    while (j < n) {
        const unsigned char *q = memchr(p + j, 'P', n - j);
        size_t k = q ? (size_t)(q - p) : n;

        if (n - k < 16 && k < n) {
            /* a "P" near the end: the rest waits for the next input */
            if ((rc = stored_commit(s, p + j, k - j)) != DD_OK || s->st != ST_DATA)
                return rc;
            memcpy(s->hold, p + k, n - k);
            s->hold_n = n - k;
            return DD_OK;
        }
        if (k < n && is_descriptor(p + k, s->got + (k - j))) {
            if ((rc = stored_commit(s, p + j, k - j)) != DD_OK || s->st != ST_DATA)
                return rc;
            *used = k + 16;
            return stored_end(s, p + k);
        }
        k = k < n ? k + 1 : n;
        if ((rc = stored_commit(s, p + j, k - j)) != DD_OK || s->st != ST_DATA)
            return rc;
        j = k;
    }
    return DD_OK;
}

static int on_data(dd_java_stream *s, const unsigned char *p, size_t n, size_t *used)
{
    size_t take;
    int rc;

    if (s->inflating)
        return on_inflate(s, p, n, used);
    if (!s->known)
        return on_stored_scan(s, p, n, used);
    /* stored, or passed over: the sizes are known */
    take = s->csize - s->got < n ? (size_t)(s->csize - s->got) : n;
    if (s->keep && s->method == 0 && (rc = entry_keep(s, p, take)) != DD_OK)
        return rc == DD_ELIMIT ? stream_budget(s) : rc;
    *used = take;
    s->got += take;
    return s->got == s->csize ? entry_finish(s) : DD_OK;
}

static int on_descriptor(dd_java_stream *s, const unsigned char *p, size_t n, size_t *used)
{
    size_t take;
    int wide;
    const unsigned char *d;

    if (s->desc_need == 0) {
        take = 4 - s->desc_got < n ? 4 - s->desc_got : n;
        memcpy(s->desc + s->desc_got, p, take);
        s->desc_got += take;
        *used = take;
        if (s->desc_got < 4)
            return DD_OK;
        /* 8-byte sizes where the entry needed them, as Java's writer decides */
        wide = s->zip64 || s->got >= UINT32_MAX || s->produced >= UINT32_MAX;
        s->desc_need = (memcmp(s->desc, "PK\7\x08", 4) == 0 ? 8 : 4) + (wide ? 16 : 8);
        return DD_OK;
    }
    take = s->desc_need - s->desc_got < n ? s->desc_need - s->desc_got : n;
    memcpy(s->desc + s->desc_got, p, take);
    s->desc_got += take;
    *used = take;
    if (s->desc_got < s->desc_need)
        return DD_OK;
    d = memcmp(s->desc, "PK\7\x08", 4) == 0 ? s->desc + 4 : s->desc;
    s->crc = le32(d);
    s->flags &= (uint16_t)~8u;
    return entry_finish(s);
}

static int stream_step(dd_java_stream *s, const unsigned char *p, size_t n)
{
    int rc = DD_OK;

    while (n > 0 && s->st != ST_END && rc == DD_OK) {
        size_t used = 0;

        switch (s->st) {
        case ST_PREAMBLE:
            rc = on_preamble(s, p, n, &used);
            break;
        case ST_HEADER:
            rc = on_header(s, p, n, &used);
            break;
        case ST_NAME:
            rc = on_name(s, p, n, &used);
            break;
        case ST_DATA:
            rc = on_data(s, p, n, &used);
            break;
        case ST_DESCRIPTOR:
            rc = on_descriptor(s, p, n, &used);
            break;
        default:
            used = n;
            break;
        }
        p += used;
        n -= used;
        s->off += used;
        if (s->pb_n && rc == DD_OK) {
            /* bytes the inflater read ahead of its end, before this input */
            unsigned char again[sizeof(s->pb)];
            size_t k = s->pb_n;

            memcpy(again, s->pb, k);
            s->pb_n = 0;
            rc = stream_step(s, again, k);
        }
    }
    return rc;
}

int dd_java__stream_feed(dd_java_stream *s, uint64_t offset, const void *data, size_t len,
                         uint64_t *next)
{
    const unsigned char *p = data;
    int rc;

    if (s->st != ST_END && offset != s->off) {
        uint64_t skip_end = s->data_start + s->csize;

        if (offset > s->off && s->st == ST_DATA && s->known && !s->inflating && !s->keep &&
            offset <= skip_end) {
            s->got += offset - s->off; /* data passed over as asked */
            s->off = offset;
        } else if (offset < s->off && offset + len > s->off) {
            p += s->off - offset; /* seen already */
            len -= (size_t)(s->off - offset);
        } else {
            rc = warnf(&s->c, "%s: offset %llu: bytes missing before it", s->path,
                       (unsigned long long)offset);
            s->finished = 1;
            return rc == DD_OK ? stream_stop(s) : rc;
        }
    }
    rc = stream_step(s, p, len);
    /* data nobody reads: ask the walk to go on after it */
    *next = s->st == ST_DATA && s->known && !s->inflating && !s->keep ? s->data_start + s->csize
                                                                       : s->off;
    if (s->st == ST_END)
        *next = UINT64_MAX;
    return rc;
}

static int put_package_record(dd_buf *b, const dd_package *p)
{
    size_t nn = strlen(p->name), vn = strlen(p->version), pn = strlen(p->path),
           n = nn + 1 + vn + 1 + pn;
    unsigned char h[5] = {REC_PACKAGE, (unsigned char)n, (unsigned char)(n >> 8),
                          (unsigned char)(n >> 16), (unsigned char)(n >> 24)};
    int rc = dd_buf_put(b, h, sizeof(h));

    if (rc == DD_OK)
        rc = dd_buf_put(b, p->name, nn + 1);
    if (rc == DD_OK)
        rc = dd_buf_put(b, p->version, vn + 1);
    if (rc == DD_OK)
        rc = dd_buf_put(b, p->path, pn);
    return rc;
}

int dd_java__stream_finish(dd_java_stream *s, const void **extract, size_t *len)
{
    int rc = DD_OK;

    if (!s->finished && s->st != ST_END) {
        if (s->st == ST_PREAMBLE || !s->saw_entry)
            rc = warnf(&s->c, "%s: not a zip archive", s->path);
        else if (s->st == ST_HEADER && s->hdr_got == 0)
            rc = warnf(&s->c, "%s: cut short after %llu bytes (no zip central directory)",
                       s->path, (unsigned long long)s->off);
        else if (s->st == ST_HEADER || s->st == ST_NAME)
            rc = warnf(&s->c, "%s: cut short after %llu bytes, in the local header at offset %llu",
                       s->path, (unsigned long long)s->off, (unsigned long long)s->hdr_off);
        else
            rc = warnf(&s->c, "%s: cut short after %llu bytes, in entry \"%.200s\"", s->path,
                       (unsigned long long)s->off, s->name);
    }
    s->st = ST_END;
    if (rc == DD_OK && s->saw_entry)
        rc = frame_identity(&s->c, &s->f);
    for (size_t i = 0; i < s->pkgs.n && rc == DD_OK; i++)
        rc = put_package_record(&s->records, &s->pkgs.v[i]);
    if (rc != DD_OK)
        return rc;
    dd_error_clear();
    *extract = s->records.data;
    *len = s->records.len;
    return DD_OK;
}

int dd_java__extract_decode(const void *extract, size_t len, dd_java_record_fn fn,
                            void *payload)
{
    const unsigned char *d = extract;
    size_t pos = 0;
    int rc = DD_OK;

    if (len < 5 + sizeof(EXTRACT_ID) - 1 || d[0] != REC_HEADER ||
        le32(d + 1) != sizeof(EXTRACT_ID) - 1 || memcmp(d + 5, EXTRACT_ID, le32(d + 1)) != 0)
        return dd_error_set(DD_EINVALID, "java extract: no header record");
    pos = 5 + sizeof(EXTRACT_ID) - 1;
    while (pos < len && rc == DD_OK) {
        size_t n;

        if (len - pos < 5)
            return dd_error_set(DD_EINVALID, "java extract: record header cut at %zu", pos);
        n = le32(d + pos + 1);
        if (n > len - pos - 5)
            return dd_error_set(DD_EINVALID, "java extract: record cut at %zu", pos);
        if (d[pos] == REC_WARNING) {
            rc = fn(NULL, NULL, NULL, (const char *)d + pos + 5, n, payload);
        } else if (d[pos] == REC_PACKAGE) {
            const char *name = (const char *)d + pos + 5, *version, *path;
            const char *end = name + n;

            version = memchr(name, 0, n);
            path = version ? memchr(version + 1, 0, (size_t)(end - version - 1)) : NULL;
            if (!path)
                return dd_error_set(DD_EINVALID, "java extract: package record at %zu", pos);
            rc = fn(name, version + 1, path + 1, NULL, (size_t)(end - path - 1), payload);
        } else {
            return dd_error_set(DD_EINVALID, "java extract: record tag %u at %zu", d[pos], pos);
        }
        pos += 5 + n;
    }
    return rc;
}

/* --- the cataloger --- */

/* Walk extractor for files starting with "PK\3\4" (and, through a second registration, with
 * the "#!/bin/bash" of a launch script): only those named like Java archives are read. */
static int java_extract(dd_walk_extract_ctx *x, uint64_t offset, const void *data, size_t len,
                        void *payload)
{
    dd_java_stream *s = x->state;
    dd_java_limits lim = DD_JAVA_LIMITS_INIT;
    uint64_t next;
    int rc;

    if (!data) {
        const void *ext;
        size_t n;

        if (!s)
            return DD_OK;
        rc = dd_java__stream_finish(s, &ext, &n);
        if (rc == DD_OK && n)
            rc = dd_walk_extract_keep(x, ext, n);
        if (rc == DD_ELIMIT) {
            rc = DD_OK; /* more than the walk keeps of a file: left out */
            dd_error_clear();
        }
        dd_java__stream_free(s);
        x->state = NULL;
        return rc;
    }
    if (!s) {
        if (!is_archive_name(x->entry->path)) {
            x->want_len = 0;
            return DD_OK;
        }
        if ((rc = dd_java__stream_new(&s, x->entry->path, x->entry->size, payload != NULL,
                                      &lim)) != DD_OK)
            return rc;
        x->state = s;
    }
    if ((rc = dd_java__stream_feed(s, offset, data, len, &next)) != DD_OK)
        return rc;
    if (next == UINT64_MAX) {
        x->want_len = 0;
    } else if (next > x->want_offset) {
        x->want_offset = next;
        x->want_len = UINT64_MAX;
    }
    return DD_OK;
}

/* Only archives named like Java's are opened: a directory root has thousands of other files */
static const char *const java_names[] = {"*.jar", "*.war", "*.ear", "*.jpi", "*.hpi",
                                         "*.JAR", "*.WAR", "*.EAR", NULL};

int dd_java__register(dd_walk *w, const dd_catalog_opts *opts)
{
    static const char script[] = "#!/bin/bash";
    int rc;

    if (opts->pkg_types && !(opts->pkg_types & (1u << DD_PKG_MAVEN)))
        return DD_OK;
    if ((rc = dd_walk_extract(w, "PK\3\4", 4, 0, java_names, java_extract, NULL)) != DD_OK)
        return rc;
    /* Spring Boot's "fully executable" jars: a launch script, then the zip */
    return dd_walk_extract(w, script, sizeof(script) - 1, 0, java_names, java_extract,
                           (void *)script);
}

typedef struct {
    dd_inventory *inv;
    dd_arena *arena;
    dd_pkglist squashed, hidden;
    const dd_entry *e;
    int squashed_now;
} java_run;

static int on_record(const char *name, const char *version, const char *path,
                     const char *warning, size_t n, void *payload)
{
    java_run *r = payload;
    dd_pkglist *l = r->squashed_now ? &r->squashed : &r->hidden;
    dd_package p = {.type = DD_PKG_MAVEN, .db_path = r->e->path, .layer = r->e->layer};

    if (warning)
        return r->squashed_now ? dd_inventory__warn(r->inv, "%.*s", (int)n, warning) : DD_OK;
    p.name = dd_arena_strdup(r->arena, name);
    p.version = dd_arena_strdup(r->arena, version);
    p.path = dd_arena_strndup(r->arena, path, n);
    if (!p.name || !p.version || !p.path)
        return dd_error_set(DD_ENOMEM, "out of memory");
    return dd_pkglist__push(l, &p);
}

static int visit(java_run *r, const dd_walk *w, const dd_entry *e, int squashed)
{
    const void *data;
    size_t len;
    int rc;

    if (e->type != DD_FT_REG || !is_archive_name(e->path) ||
        dd_walk_extracted(w, e, &data, &len) != DD_OK) {
        dd_error_clear();
        return DD_OK;
    }
    r->e = e;
    r->squashed_now = squashed;
    rc = dd_java__extract_decode(data, len, on_record, r);
    if (rc == DD_EINVALID) {
        /* another extractor's (an ELF file named like a jar) */
        dd_error_clear();
        rc = DD_OK;
    }
    return rc;
}

static int cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int cmp_key(const void *pa, const void *pb)
{
    const dd_package *a = pa, *b = pb;
    int c;

    if ((c = cmp_str(a->name, b->name)) || (c = cmp_str(a->version, b->version)))
        return c;
    return cmp_str(a->path, b->path);
}

/* Equal keys newest layer first: a removed package keeps the layer of the last file that had
 * it. */
static int cmp_key_newest(const void *pa, const void *pb)
{
    const dd_package *a = pa, *b = pb;
    int c = cmp_key(a, b);

    if (c)
        return c;
    return a->layer > b->layer ? -1 : a->layer < b->layer;
}

/* Adds the squashed packages once each (an archive may repeat a pom.properties), and with
 * scope all-layers those only hidden files had, marked removed. The purl comes from
 * dd_package_purl (pkg:maven/GROUP/ARTIFACT@VERSION; none without a groupId). */
static int emit(dd_inventory *inv, const dd_catalog_opts *opts, dd_pkglist *sq, dd_pkglist *hid)
{
    int rc = DD_OK;

    if (sq->n > 1)
        qsort(sq->v, sq->n, sizeof(*sq->v), cmp_key);
    for (size_t i = 0; i < sq->n && rc == DD_OK; i++)
        if (i == 0 || cmp_key(&sq->v[i - 1], &sq->v[i]) != 0)
            rc = dd_inventory__add(inv, &sq->v[i]);
    if (rc != DD_OK || opts->scope != DD_SCOPE_ALL_LAYERS || hid->n == 0)
        goto done;
    qsort(hid->v, hid->n, sizeof(*hid->v), cmp_key_newest);
    for (size_t i = 0; i < hid->n && rc == DD_OK; i++) {
        dd_package *p = &hid->v[i];

        if ((i > 0 && cmp_key(&hid->v[i - 1], p) == 0) ||
            (sq->n && bsearch(p, sq->v, sq->n, sizeof(*sq->v), cmp_key)))
            continue;
        p->removed = 1;
        rc = dd_inventory__add(inv, p);
    }
done:
    if (rc == DD_OK)
        dd_error_clear(); /* a purl left out for want of a groupId is no error */
    return rc;
}

static int java_run_fn(dd_inventory *inv, const dd_walk *w, const dd_catalog_opts *opts)
{
    java_run r = {.inv = inv};
    int rc;

    if ((rc = dd_arena_new(&r.arena)) != DD_OK)
        return rc;
    r.squashed.arena = r.arena;
    r.hidden.arena = r.arena;
    for (size_t i = 0, n = dd_walk_count(w); i < n && rc == DD_OK; i++)
        rc = visit(&r, w, dd_walk_entry(w, i), 1);
    for (size_t i = 0, n = dd_walk_hidden_count(w);
         opts->scope == DD_SCOPE_ALL_LAYERS && i < n && rc == DD_OK; i++)
        rc = visit(&r, w, dd_walk_hidden(w, i), 0);
    if (rc == DD_OK)
        rc = emit(inv, opts, &r.squashed, &r.hidden);
    dd_pkglist__dispose(&r.squashed);
    dd_pkglist__dispose(&r.hidden);
    dd_arena_free(r.arena);
    return rc;
}

static const char *const java_globs[] = {NULL};

const dd_cataloger dd_cataloger_java = {
    .name = "java",
    .type = DD_PKG_MAVEN,
    .globs = java_globs,
    .run = java_run_fn,
};
