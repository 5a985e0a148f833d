/* Fetching osv.dev's per-ecosystem all.zip archives into a cache and rebuilding the database. */
#include <drydock/vulndb_update.h>

#include "util/util.h"
#include "vulndb/curl_dl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/base64.h>
#include <nettle/md5.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const osv_ecosystems[] = {
    "Debian",   "Alpine", "Ubuntu", "PyPI",      "npm",         "Go",        "crates.io",
    "RubyGems", "Maven",  "NuGet",  "Packagist", "Rocky Linux", "AlmaLinux", "Red Hat",
};

#define META_MAX_BYTES 4096
#define MD5_B64_LEN    24 /* base64 of 16 bytes, with "==" */
#define LOW_SPEED_TIME 60 /* seconds below one byte a second before a transfer is dropped */

const char *const *dd_vulndb_osv_ecosystems(size_t *n)
{
    *n = DD_ARRAY_SIZE(osv_ecosystems);
    return osv_ecosystems;
}

int dd_vulndb_ecosystem_name(const char **out, const char *name)
{
    *out = NULL;
    for (size_t i = 0; i < DD_ARRAY_SIZE(osv_ecosystems); i++)
        if (strcasecmp(name, osv_ecosystems[i]) == 0) {
            *out = osv_ecosystems[i];
            return DD_OK;
        }
    if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return dd_error_set(DD_EINVALID, "ecosystem \"%s\": not a name", name);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
            return dd_error_set(
                DD_EINVALID, "ecosystem \"%s\": contains '/', '\\' or a control character", name);
    *out = name;
    return DD_OK;
}

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "a/b" in a new string (dd_free), or NULL with the error set. */
static char *path_join(const char *dir, const char *name)
{
    dd_buf b = DD_BUF_INIT;

    if (dd_buf_printf(&b, "%s/%s", dir, name) != DD_OK) {
        dd_buf_dispose(&b);
        return NULL;
    }
    return dd_buf_detach(&b, NULL);
}

/* The directory part of `path` ("." when it has none), in a new string. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *s;

    if (!slash)
        s = dd_strdup(".");
    else if (slash == path)
        s = dd_strdup("/");
    else
        s = dd_strndup(path, (size_t)(slash - path));
    if (!s)
        dd_error_set(DD_ENOMEM, "out of memory");
    return s;
}

/* mkdir -p. */
static int make_dirs(const char *path)
{
    char *p = dd_strdup(path);
    int rc = DD_OK;

    if (!p)
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (char *s = p + 1;; s++) {
        char c = *s;

        if (c != '/' && c != '\0')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            rc = dd_error_set(DD_EIO, "%s: %s", p, strerror(errno));
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    if (rc == DD_OK) {
        struct stat st;

        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            rc = dd_error_set(DD_EIO, "%s: not a directory", path);
    }
    dd_free(p);
    return rc;
}

/* Writes `data` to `path` through a temporary beside it, so readers see the old or the new
 * file, never a part. */
static int write_file_atomic(const char *path, const char *data, size_t len)
{
    dd_buf tmp = DD_BUF_INIT;
    int fd = -1, rc = DD_OK;
    size_t off = 0;

    if ((rc = dd_buf_printf(&tmp, "%s.XXXXXX", path)) != DD_OK)
        goto done;
    if ((fd = mkstemp(tmp.data)) < 0) {
        rc = dd_error_set(DD_EIO, "%s: %s", tmp.data, strerror(errno));
        goto done;
    }
    (void)fchmod(fd, 0644); /* readable like the database itself, not mkstemp's 0600 */
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = dd_error_set(DD_EIO, "%s: %s", tmp.data, strerror(errno));
            goto done;
        }
        off += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        fd = -1;
        rc = dd_error_set(DD_EIO, "%s: %s", tmp.data, strerror(errno));
        goto done;
    }
    fd = -1;
    if (rename(tmp.data, path) != 0)
        rc = dd_error_set(DD_EIO, "%s: %s", path, strerror(errno));
done:
    if (fd >= 0)
        close(fd);
    if (rc != DD_OK && tmp.len)
        unlink(tmp.data);
    dd_buf_dispose(&tmp);
    return rc;
}

/* --- the side file: what the server said about the cached archive --- */

typedef struct {
    char url[2048];
    char last_modified[64];
    char md5[MD5_B64_LEN + 1];
    uint64_t size;
    int has_size;
} archive_meta;

/* A header value we keep and send back: printable ASCII only, so a damaged side file cannot
 * inject a header line. */
static int header_value_ok(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            return 0;
    return 1;
}

static void copy_field(char *dst, size_t cap, const char *src, size_t len)
{
    if (len >= cap || !header_value_ok(src, len)) {
        dst[0] = '\0';
        return;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Reads the side file; a missing, damaged or oversized one reads as empty (the archive is then
 * fetched unconditionally), which is always safe. */
static void meta_read(archive_meta *m, const char *path)
{
    dd_buf b = DD_BUF_INIT;
    const char *p, *end;

    memset(m, 0, sizeof(*m));
    if (dd_read_file(&b, path, META_MAX_BYTES) != DD_OK) {
        dd_error_clear();
        dd_buf_dispose(&b);
        return;
    }
    for (p = b.data, end = b.data + b.len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end, *colon = memchr(p, ':', (size_t)(eol - p));

        if (colon && colon + 1 < eol && colon[1] == ' ') {
            size_t klen = (size_t)(colon - p), vlen = (size_t)(eol - colon - 2);
            const char *v = colon + 2;

            if (klen == 3 && memcmp(p, "url", 3) == 0)
                copy_field(m->url, sizeof(m->url), v, vlen);
            else if (klen == 13 && memcmp(p, "last-modified", 13) == 0)
                copy_field(m->last_modified, sizeof(m->last_modified), v, vlen);
            else if (klen == 3 && memcmp(p, "md5", 3) == 0)
                copy_field(m->md5, sizeof(m->md5), v, vlen);
            else if (klen == 4 && memcmp(p, "size", 4) == 0 && vlen > 0 && vlen < 21) {
                uint64_t n = 0;
                size_t i;

                for (i = 0; i < vlen && v[i] >= '0' && v[i] <= '9'; i++)
                    n = n * 10 + (uint64_t)(v[i] - '0');
                if (i == vlen) {
                    m->size = n;
                    m->has_size = 1;
                }
            }
        }
        p = eol + 1;
    }
    dd_buf_dispose(&b);
}

static int meta_write(const char *path, const archive_meta *m)
{
    dd_buf b = DD_BUF_INIT;
    int rc;

    rc = dd_buf_printf(&b, "url: %s\nsize: %llu\n", m->url, (unsigned long long)m->size);
    if (rc == DD_OK && m->last_modified[0])
        rc = dd_buf_printf(&b, "last-modified: %s\n", m->last_modified);
    if (rc == DD_OK && m->md5[0])
        rc = dd_buf_printf(&b, "md5: %s\n", m->md5);
    if (rc == DD_OK)
        rc = write_file_atomic(path, b.data, b.len);
    dd_buf_dispose(&b);
    return rc;
}

/* --- one transfer --- */

typedef struct {
    int fd;
    const char *tmp_path;
    struct md5_ctx md5;
    uint64_t bytes, max_bytes;
    unsigned char head[4]; /* the first bytes of the body: a zip starts "PK" */
    long status;           /* of the response being received */
    char reason[64];       /* its reason phrase, when HTTP/1 gives one */
    char goog_md5[MD5_B64_LEN + 1];
    int goog_md5_bad; /* an md5= that is not 24 base64 characters */
    char last_modified[64];
    int over_limit;
    int write_errno;
} transfer;

static int ieq_prefix(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);

    return len >= n && strncasecmp(s, prefix, n) == 0;
}

static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' || (*s)[*len - 1] == '\r' ||
                    (*s)[*len - 1] == '\n'))
        (*len)--;
}

static int base64_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

/* x-goog-hash: crc32c=BASE64,md5=BASE64 (GCS sends one header per hash, or one list). */
static void parse_goog_hash(transfer *t, const char *v, size_t len)
{
    while (len) {
        const char *comma = memchr(v, ',', len);
        size_t tlen = comma ? (size_t)(comma - v) : len;
        const char *tok = v;

        trim(&tok, &tlen);
        if (ieq_prefix(tok, tlen, "md5=")) {
            const char *h = tok + 4;
            size_t hlen = tlen - 4;
            int ok = hlen == MD5_B64_LEN && h[22] == '=' && h[23] == '=';

            for (size_t i = 0; ok && i < 22; i++)
                ok = base64_char(h[i]);
            if (ok) {
                memcpy(t->goog_md5, h, MD5_B64_LEN);
                t->goog_md5[MD5_B64_LEN] = '\0';
            } else {
                t->goog_md5_bad = 1;
            }
        }
        if (!comma)
            break;
        len -= tlen + 1;
        v = comma + 1;
    }
}

static size_t on_header(char *data, size_t size, size_t nitems, void *payload)
{
    transfer *t = payload;
    size_t len = size * nitems;
    const char *v;
    size_t vlen;

    if (ieq_prefix(data, len, "HTTP/")) {
        /* a new response (after a redirect): forget what the previous one said */
        const char *sp = memchr(data, ' ', len);

        t->status = 0;
        t->reason[0] = '\0';
        t->goog_md5[0] = '\0';
        t->goog_md5_bad = 0;
        t->last_modified[0] = '\0';
        if (sp && (size_t)(sp - data) + 4 <= len) {
            for (int i = 1; i <= 3 && sp[i] >= '0' && sp[i] <= '9'; i++)
                t->status = t->status * 10 + (sp[i] - '0');
            v = sp + 4;
            vlen = len - (size_t)(v - data);
            trim(&v, &vlen);
            copy_field(t->reason, sizeof(t->reason), v, vlen);
        }
        return len;
    }
    if (ieq_prefix(data, len, "x-goog-hash:")) {
        v = data + 12;
        vlen = len - 12;
        trim(&v, &vlen);
        parse_goog_hash(t, v, vlen);
    } else if (ieq_prefix(data, len, "last-modified:")) {
        v = data + 14;
        vlen = len - 14;
        trim(&v, &vlen);
        copy_field(t->last_modified, sizeof(t->last_modified), v, vlen);
    }
    return len;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *payload)
{
    transfer *t = payload;
    size_t len = size * nmemb, off = 0;

    if (t->status != 200)
        return len; /* an error page: only its status matters */
    if (len > t->max_bytes - t->bytes) {
        t->over_limit = 1;
        return 0;
    }
    for (size_t i = 0; i < len && t->bytes + i < sizeof(t->head); i++)
        t->head[t->bytes + i] = (unsigned char)data[i];
    while (off < len) {
        ssize_t n = write(t->fd, data + off, len - off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            t->write_errno = errno;
            return 0;
        }
        off += (size_t)n;
    }
    md5_update(&t->md5, len, (const uint8_t *)data);
    t->bytes += len;
    return len;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct {
    CURL *curl;
    const char *base_url;
    const char *cache_dir;
    long connect_timeout, timeout;
    uint64_t max_bytes;
    int force;
    char user_agent[64];
} fetcher;

/* Sets the options of one GET of `url` on the fetcher's handle. */
static int setup_transfer(fetcher *f, const char *url, transfer *t, struct curl_slist *headers,
                          char *errbuf)
{
    CURL *c = f->curl;
    CURLcode rc = CURLE_OK;

    curl_easy_reset(c); /* keeps the connection cache: one connection for every archive */
#define SET(opt, val)                                                                              \
    if (rc == CURLE_OK)                                                                            \
    rc = curl_easy_setopt(c, opt, val)
    SET(CURLOPT_URL, url);
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_USERAGENT, f->user_agent);
    SET(CURLOPT_FOLLOWLOCATION, 1L);
    SET(CURLOPT_MAXREDIRS, 10L);
#if LIBCURL_VERSION_NUM >= 0x075500
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    SET(CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SET(CURLOPT_CONNECTTIMEOUT, f->connect_timeout);
    SET(CURLOPT_TIMEOUT, f->timeout);
    SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
    SET(CURLOPT_LOW_SPEED_TIME, (long)LOW_SPEED_TIME);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->max_bytes);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, t);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, t);
    if (headers)
        SET(CURLOPT_HTTPHEADER, headers);
#undef SET
    if (rc != CURLE_OK)
        return dd_error_set(DD_ERROR, "%s: libcurl: %s", url, curl_easy_strerror(rc));
    return DD_OK;
}

/* Checks a complete 200 body against what the server said of it. */
static int verify_body(transfer *t, const char *url, curl_off_t content_length,
                       char md5_out[MD5_B64_LEN + 1])
{
    unsigned char digest[MD5_DIGEST_SIZE];

    if (content_length >= 0 && (uint64_t)content_length != t->bytes)
        return dd_error_set(DD_EINVALID, "%s: received %llu bytes, Content-Length says %lld", url,
                            (unsigned long long)t->bytes, (long long)content_length);
    md5_digest(&t->md5, sizeof(digest), digest);
    base64_encode_raw(md5_out, sizeof(digest), digest);
    md5_out[BASE64_ENCODE_RAW_LENGTH(sizeof(digest))] = '\0';
    if (t->goog_md5_bad)
        return dd_error_set(DD_EINVALID, "%s: x-goog-hash has a malformed md5 value", url);
    if (t->goog_md5[0] && strcmp(t->goog_md5, md5_out) != 0)
        return dd_error_set(DD_EINVALID,
                            "%s: checksum mismatch: x-goog-hash md5=%s, the %llu bytes received "
                            "have md5=%s",
                            url, t->goog_md5, (unsigned long long)t->bytes, md5_out);
    if (t->bytes < 4 || t->head[0] != 'P' || t->head[1] != 'K' ||
        !((t->head[2] == 3 && t->head[3] == 4) || (t->head[2] == 5 && t->head[3] == 6)))
        return dd_error_set(DD_EINVALID, "%s: the body (%llu bytes) is not a zip archive", url,
                            (unsigned long long)t->bytes);
    return DD_OK;
}

/* unlink(2) where failing is harmless: a file left behind is never imported or trusted. */
static void remove_quietly(const char *path)
{
    (void)unlink(path);
}

/* A temporary of an earlier run killed mid-transfer: "all.zip." or "all.zip.meta." followed by
 * mkstemp's six characters. */
static int is_stale_temp(const char *name)
{
    const char *rest;

    if (strncmp(name, "all.zip.", 8) != 0)
        return 0;
    rest = name + 8;
    if (strncmp(rest, "meta.", 5) == 0)
        rest += 5;
    if (strlen(rest) != 6)
        return 0;
    for (const char *p = rest; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            return 0;
    return 1;
}

static void remove_stale_temps(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d)) != NULL)
        if (is_stale_temp(e->d_name))
            unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
}

/* Fetches one ecosystem's archive into CACHE/<eco>/all.zip and fills `r`: the status and, for
 * MISSING and FAILED, the error code and message. */
static void fetch_one(fetcher *f, const char *eco, dd_vulndb_fetch_result *r)
{
    char errbuf[CURL_ERROR_SIZE];
    char md5[MD5_B64_LEN + 1] = "";
    char *escaped = NULL, *dir = NULL, *archive = NULL, *meta_path = NULL;
    dd_buf url = DD_BUF_INIT, tmp = DD_BUF_INIT, ims = DD_BUF_INIT;
    struct curl_slist *headers = NULL;
    archive_meta meta, fresh;
    transfer t = {.fd = -1};
    struct stat st;
    int sent_ims = 0, rc = DD_OK;
    curl_off_t content_length = -1;
    double t0 = now_seconds();
    CURLcode cc;

    memset(r, 0, sizeof(*r));
    r->ecosystem = eco;
    r->status = DD_VULNDB_FETCH_FAILED;
    errbuf[0] = '\0';
    if (!(escaped = curl_easy_escape(f->curl, eco, 0))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = dd_buf_printf(&url, "%s/%s/all.zip", f->base_url, escaped)) != DD_OK)
        goto done;
    if (!(dir = path_join(f->cache_dir, eco)) || !(archive = path_join(dir, "all.zip")) ||
        !(meta_path = path_join(dir, "all.zip.meta"))) {
        rc = DD_ENOMEM;
        goto done;
    }
    if ((rc = make_dirs(dir)) != DD_OK)
        goto done;
    remove_stale_temps(dir);

    meta_read(&meta, meta_path);
    if (!f->force && meta.last_modified[0] && meta.has_size && strcmp(meta.url, url.data) == 0 &&
        stat(archive, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == meta.size) {
        if ((rc = dd_buf_printf(&ims, "If-Modified-Since: %s", meta.last_modified)) != DD_OK)
            goto done;
        if (!(headers = curl_slist_append(NULL, ims.data))) {
            rc = dd_error_set(DD_ENOMEM, "out of memory");
            goto done;
        }
        sent_ims = 1;
    }

    if ((rc = dd_buf_printf(&tmp, "%s.XXXXXX", archive)) != DD_OK)
        goto done;
    if ((t.fd = mkstemp(tmp.data)) < 0) {
        rc = dd_error_set(DD_EIO, "%s: %s", tmp.data, strerror(errno));
        dd_buf_clear(&tmp);
        goto done;
    }
    (void)fchmod(t.fd, 0644);
    t.tmp_path = tmp.data;
    t.max_bytes = f->max_bytes;
    md5_init(&t.md5);
    if ((rc = setup_transfer(f, url.data, &t, headers, errbuf)) != DD_OK)
        goto done;

    cc = curl_easy_perform(f->curl);
    r->seconds = now_seconds() - t0;
    r->bytes = t.bytes;
    curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &r->http_status);
    if (cc != CURLE_OK) {
        if (t.over_limit || cc == CURLE_FILESIZE_EXCEEDED)
            rc = dd_error_set(DD_ELIMIT, "%s: larger than the limit of %llu bytes", url.data,
                              (unsigned long long)f->max_bytes);
        else if (t.write_errno)
            rc = dd_error_set(DD_EIO, "%s: %s", tmp.data, strerror(t.write_errno));
        else
            rc = dd_error_set(DD_EIO, "%s: %s", url.data,
                              errbuf[0] ? errbuf : curl_easy_strerror(cc));
        goto done;
    }
    if (r->http_status == 304 && sent_ims) {
        r->status = DD_VULNDB_FETCH_NOT_MODIFIED;
        goto done;
    }
    if (r->http_status == 404) {
        /* the bucket does not publish this ecosystem (any more): its old copy must not be
         * imported as if it were current */
        r->status = DD_VULNDB_FETCH_MISSING;
        rc = dd_error_set(DD_ENOTFOUND, "%s: not found (HTTP 404)", url.data);
        remove_quietly(archive);
        remove_quietly(meta_path);
        rmdir(dir);
        goto done;
    }
    if (r->http_status != 200) {
        rc = dd_error_set(DD_EIO, "%s: HTTP %ld%s%s", url.data, r->http_status,
                          t.reason[0] ? " " : "", t.reason);
        goto done;
    }
    curl_easy_getinfo(f->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &content_length);
    if ((rc = verify_body(&t, url.data, content_length, md5)) != DD_OK)
        goto done;
    if (fsync(t.fd) != 0 || close(t.fd) != 0) {
        t.fd = -1;
        rc = dd_error_set(DD_EIO, "%s: %s", tmp.data, strerror(errno));
        goto done;
    }
    t.fd = -1;
    if (rename(tmp.data, archive) != 0) {
        rc = dd_error_set(DD_EIO, "%s: %s", archive, strerror(errno));
        goto done;
    }
    dd_buf_clear(&tmp);
    /* The archive is in place; a side file that cannot be written only costs a full download
     * next time, since a stale one no longer matches the archive's size. */
    memset(&fresh, 0, sizeof(fresh));
    copy_field(fresh.url, sizeof(fresh.url), url.data, url.len);
    memcpy(fresh.last_modified, t.last_modified, sizeof(fresh.last_modified));
    memcpy(fresh.md5, md5, sizeof(fresh.md5));
    fresh.size = t.bytes;
    if (meta_write(meta_path, &fresh) != DD_OK) {
        dd_error_clear();
        remove_quietly(meta_path);
    }
    r->status = DD_VULNDB_FETCH_DOWNLOADED;
done:
    if (r->seconds == 0)
        r->seconds = now_seconds() - t0;
    if (rc != DD_OK) {
        r->error = rc;
        snprintf(r->message, sizeof(r->message), "%s", dd_error_message());
    }
    curl_easy_reset(f->curl); /* it pointed at this frame's buffers and header list */
    if (t.fd >= 0)
        close(t.fd);
    if (tmp.len)
        unlink(tmp.data);
    curl_slist_free_all(headers);
    curl_free(escaped);
    dd_buf_dispose(&url);
    dd_buf_dispose(&tmp);
    dd_buf_dispose(&ims);
    dd_free(dir);
    dd_free(archive);
    dd_free(meta_path);
}

/* --- the rebuild --- */

/* What the database was built from: the source, each archive's size and modification time, and
 * the database file as the rebuild left it. Equal text means the database is current. */
static int build_state(dd_buf *out, const char *source, char *const *archives, size_t n,
                       const char *db_path)
{
    struct stat st;
    int rc = dd_buf_printf(out, "source: %s\n", source);

    for (size_t i = 0; rc == DD_OK && i < n; i++) {
        if (stat(archives[i], &st) != 0)
            return dd_error_set(DD_EIO, "%s: %s", archives[i], strerror(errno));
        rc = dd_buf_printf(out, "archive: %s %lld %lld.%09ld\n", archives[i], (long long)st.st_size,
                           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    }
    if (rc != DD_OK)
        return rc;
    if (stat(db_path, &st) != 0)
        return dd_error_set(DD_ENOTFOUND, "%s: %s", db_path, strerror(errno));
    return dd_buf_printf(out, "database: %lld %lld.%09ld %llu\n", (long long)st.st_size,
                         (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                         (unsigned long long)st.st_ino);
}

static int database_current(const char *db_path, const char *state_path, const char *source,
                            char *const *archives, size_t n)
{
    dd_buf want = DD_BUF_INIT, have = DD_BUF_INIT;
    dd_vulndb *db = NULL;
    dd_vulndb_info info;
    int current = 0;

    if (build_state(&want, source, archives, n, db_path) == DD_OK &&
        dd_read_file(&have, state_path, 1u << 20) == DD_OK && have.len == want.len &&
        memcmp(have.data, want.data, want.len) == 0 && dd_vulndb_open(&db, db_path) == DD_OK &&
        dd_vulndb_info_get(db, &info) == DD_OK && info.source && strcmp(info.source, source) == 0)
        current = 1;
    dd_vulndb_close(db);
    dd_error_clear();
    dd_buf_dispose(&want);
    dd_buf_dispose(&have);
    return current;
}

static int resolve_ecosystems(const char ***out, size_t *n_out, const dd_vulndb_update_opts *o)
{
    const char *const *names = o->ecosystems;
    size_t n = o->n_ecosystems, k = 0;
    const char **list;

    if (!names)
        names = dd_vulndb_osv_ecosystems(&n);
    if (n == 0)
        return dd_error_set(DD_EINVALID, "no ecosystem to fetch");
    if (!(list = dd_calloc(n, sizeof(*list))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *canon;
        size_t j;
        int rc = dd_vulndb_ecosystem_name(&canon, names[i]);

        if (rc != DD_OK) {
            dd_free(list);
            return rc;
        }
        for (j = 0; j < k && strcmp(list[j], canon) != 0; j++)
            ;
        if (j == k)
            list[k++] = canon;
    }
    *out = list;
    *n_out = k;
    return DD_OK;
}

/* The base URL without trailing slashes, checked to be http or https. */
static int normalize_base_url(char **out, const char *url)
{
    size_t len = strlen(url);

    if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
        return dd_error_set(DD_EINVALID, "base URL \"%s\": not an http:// or https:// URL", url);
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return dd_error_set(DD_EINVALID,
                                "base URL \"%s\": contains a space or a control character", url);
    while (len > 8 && url[len - 1] == '/')
        len--;
    if (!(*out = dd_strndup(url, len)))
        return dd_error_set(DD_ENOMEM, "out of memory");
    return DD_OK;
}

int dd_vulndb_update(const char *db_path, const dd_vulndb_update_opts *opts,
                     dd_vulndb_update_stats *stats)
{
    dd_vulndb_update_opts defaults = DD_VULNDB_UPDATE_OPTS_INIT;
    dd_vulndb_import_opts iopts = DD_VULNDB_IMPORT_OPTS_INIT;
    fetcher f = {0};
    const char **ecos = NULL;
    size_t n_ecos = 0, n_archives = 0;
    char **archives = NULL;
    char *base = NULL, *cache = NULL, *db_dir = NULL, *lock_path = NULL;
    dd_buf state_path = DD_BUF_INIT, state = DD_BUF_INIT;
    int lock_fd = -1, rc;
    double t0;

    memset(stats, 0, sizeof(*stats));
    if (!opts)
        opts = &defaults;
    if ((rc = normalize_base_url(&base, opts->base_url ? opts->base_url
                                                       : DD_VULNDB_OSV_BASE_URL)) != DD_OK)
        goto done;
    if ((rc = resolve_ecosystems(&ecos, &n_ecos, opts)) != DD_OK)
        goto done;
    if (!(db_dir = dir_of(db_path))) {
        rc = DD_ENOMEM;
        goto done;
    }
    cache = opts->cache_dir ? dd_strdup(opts->cache_dir) : path_join(db_dir, "osv");
    if (!cache || !(lock_path = path_join(cache, ".lock")) ||
        !(archives = dd_calloc(n_ecos, sizeof(*archives)))) {
        rc = dd_error_set(DD_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = make_dirs(db_dir)) != DD_OK || (rc = make_dirs(cache)) != DD_OK)
        goto done;
    if ((lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
        rc = dd_error_set(DD_EIO, "%s: %s", lock_path, strerror(errno));
        goto done;
    }
    if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
        rc = dd_error_set(DD_EIO, "%s: %s", cache,
                          errno == EWOULDBLOCK ? "another drydock db update is using this cache"
                                               : strerror(errno));
        goto done;
    }

    if ((rc = dd_curl__load()) != DD_OK)
        goto done;
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK) {
        rc = dd_error_set(DD_ERROR, "libcurl: %s", curl_easy_strerror(curl_init_rc));
        goto done;
    }
    if (!(f.curl = curl_easy_init())) {
        rc = dd_error_set(DD_ENOMEM, "libcurl: out of memory");
        goto done;
    }
    f.base_url = base;
    f.cache_dir = cache;
    f.connect_timeout =
        opts->connect_timeout > 0 ? opts->connect_timeout : DD_VULNDB_UPDATE_CONNECT_TIMEOUT;
    f.timeout = opts->timeout > 0 ? opts->timeout : DD_VULNDB_UPDATE_TIMEOUT;
    if (f.connect_timeout > f.timeout)
        f.connect_timeout = f.timeout;
    f.max_bytes = opts->max_bytes ? opts->max_bytes : DD_VULNDB_UPDATE_MAX_BYTES;
    f.force = opts->force;
    snprintf(f.user_agent, sizeof(f.user_agent), "drydock/%s", dd_version());

    t0 = now_seconds();
    for (size_t i = 0; i < n_ecos; i++) {
        dd_vulndb_fetch_result r;

        fetch_one(&f, ecos[i], &r);
        if (r.error == DD_ENOMEM) {
            rc = dd_error_set(DD_ENOMEM, "%s", r.message);
            goto done;
        }
        switch (r.status) {
        case DD_VULNDB_FETCH_DOWNLOADED:
            stats->downloaded++;
            break;
        case DD_VULNDB_FETCH_NOT_MODIFIED:
            stats->not_modified++;
            break;
        case DD_VULNDB_FETCH_MISSING:
            stats->missing++;
            break;
        case DD_VULNDB_FETCH_FAILED:
            stats->failed++;
            break;
        }
        if (opts->on_fetch)
            opts->on_fetch(&r, opts->payload);
        if (r.status == DD_VULNDB_FETCH_DOWNLOADED || r.status == DD_VULNDB_FETCH_NOT_MODIFIED) {
            char *dir = path_join(cache, ecos[i]);

            archives[n_archives] = dir ? path_join(dir, "all.zip") : NULL;
            dd_free(dir);
            if (!archives[n_archives]) {
                rc = dd_error_set(DD_ENOMEM, "out of memory");
                goto done;
            }
            n_archives++;
        }
    }
    stats->fetch_seconds = now_seconds() - t0;
    curl_easy_cleanup(f.curl);
    f.curl = NULL;

    if (stats->failed) {
        rc = dd_error_set(DD_ERROR,
                          "%zu of %zu archives could not be fetched; %s was left as it was",
                          stats->failed, n_ecos, db_path);
        goto done;
    }
    if (n_archives == 0) {
        rc = dd_error_set(DD_ENOTFOUND,
                          "%s has none of the %zu archives asked for; %s was left "
                          "as it was",
                          base, n_ecos, db_path);
        goto done;
    }
    if ((rc = dd_buf_printf(&state_path, "%s.update", db_path)) != DD_OK)
        goto done;
    if (!opts->force && stats->downloaded == 0 &&
        database_current(db_path, state_path.data, base, archives, n_archives)) {
        rc = DD_OK;
        goto done;
    }
    /* the state of the old database must not vouch for a half-made new one */
    remove_quietly(state_path.data);
    iopts.source = base;
    t0 = now_seconds();
    rc = dd_vulndb_import(db_path, (const char *const *)archives, n_archives, &iopts,
                          &stats->import);
    stats->import_seconds = now_seconds() - t0;
    if (rc != DD_OK)
        goto done;
    stats->rebuilt = 1;
    if (build_state(&state, base, archives, n_archives, db_path) != DD_OK ||
        write_file_atomic(state_path.data, state.data, state.len) != DD_OK)
        dd_error_clear(); /* without the state the next update rebuilds: slower, not wrong */
done:
    if (f.curl)
        curl_easy_cleanup(f.curl);
    if (lock_fd >= 0)
        close(lock_fd); /* releases the lock */
    for (size_t i = 0; archives && i < n_archives; i++)
        dd_free(archives[i]);
    dd_free(archives);
    dd_free(ecos);
    dd_free(base);
    dd_free(cache);
    dd_free(db_dir);
    dd_free(lock_path);
    dd_buf_dispose(&state_path);
    dd_buf_dispose(&state);
    return rc;
}
