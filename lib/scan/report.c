/* The report entry point and what every writer shares: which findings are shown, the summary
 * counts, and text made safe for terminals and documents. */
#include "scan/report_int.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

bool dd_report__passes(const dd_report_opts *opts, const dd_finding *f)
{
    if (opts->severities && !(opts->severities & (1u << dd_report__severity(f))))
        return false;
    if (opts->ignore_unfixed && !f->fixed)
        return false;
    return true;
}

bool dd_report_selects(const dd_report_opts *opts, const dd_finding *f)
{
    return f->suppressed == DD_SUPPRESS_NONE && dd_report__passes(opts, f);
}

bool dd_report__shown(const dd_report_opts *opts, const dd_finding *f)
{
    if (!dd_report__passes(opts, f))
        return false;
    return f->suppressed == DD_SUPPRESS_NONE || opts->show_suppressed;
}

bool dd_report__issue_passes(const dd_report_opts *opts, const dd_issue *is)
{
    return !opts->severities || (opts->severities & (1u << is->severity));
}

bool dd_report_selects_issue(const dd_report_opts *opts, const dd_issue *is)
{
    return is->suppressed == DD_SUPPRESS_NONE && dd_report__issue_passes(opts, is);
}

bool dd_report__issue_shown(const dd_report_opts *opts, const dd_issue *is)
{
    return dd_report__issue_passes(opts, is) &&
           (is->suppressed == DD_SUPPRESS_NONE || opts->show_suppressed);
}

void dd_report__count_issues(dd_report_counts *out, const dd_scan_result *r,
                             const dd_report_opts *opts, int cls)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < dd_scan_issue_count(r); i++) {
        const dd_issue *is = dd_scan_issue_get(r, i);

        if ((cls >= 0 && (int)is->cls != cls) || !dd_report__issue_passes(opts, is))
            continue;
        if (is->suppressed != DD_SUPPRESS_NONE) {
            out->suppressed++;
            continue;
        }
        out->total++;
        out->by_severity[is->severity]++;
    }
}

void dd_report__count(dd_report_counts *out, const dd_scan_result *r, const dd_report_opts *opts)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < dd_scan_count(r); i++) {
        const dd_finding *f = dd_scan_get(r, i);

        if (!dd_report__passes(opts, f))
            continue;
        if (f->suppressed != DD_SUPPRESS_NONE) {
            out->suppressed++;
            continue;
        }
        out->total++;
        out->by_severity[dd_report__severity(f)]++;
    }
}

int dd_report__shown_list(size_t **out, size_t *n, const dd_scan_result *r,
                          const dd_report_opts *opts)
{
    size_t count = dd_scan_count(r), k = 0;
    size_t *v;

    *out = NULL;
    *n = 0;
    if (count == 0)
        return DD_OK;
    if (!(v = dd_malloc(count * sizeof(*v))))
        return dd_error_set(DD_ENOMEM, "out of memory");
    for (size_t i = 0; i < count; i++)
        if (dd_report__shown(opts, dd_scan_get(r, i)))
            v[k++] = i;
    if (k == 0) {
        dd_free(v);
        return DD_OK;
    }
    *out = v;
    *n = k;
    return DD_OK;
}

dd_severity dd_report__severity(const dd_finding *f)
{
    return (unsigned)f->severity < DD_SEV_COUNT ? f->severity : DD_SEV_UNKNOWN;
}

const dd_package *dd_report__package(const dd_scan_result *r, const dd_finding *f)
{
    const dd_inventory *inv = dd_scan_inventory(r);

    return inv ? dd_inventory_get(inv, f->pkg) : NULL;
}

const char *dd_report__status(const dd_finding *f)
{
    return f->fixed ? "fixed" : "affected";
}

const char *dd_report__suppress_name(dd_suppress_kind k)
{
    switch (k) {
    case DD_SUPPRESS_IGNOREFILE:
        return "ignorefile";
    case DD_SUPPRESS_VEX:
        return "vex";
    case DD_SUPPRESS_NONE:
        break;
    }
    return NULL;
}

const char *dd_report__first_url(const dd_finding *f)
{
    for (size_t i = 0; i < f->n_references; i++) {
        const char *u = f->references[i];

        if (u && (strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0))
            return u;
    }
    return NULL;
}

const char *dd_report__tool_version(const dd_report_opts *opts)
{
    return opts->tool_version ? opts->tool_version : dd_version();
}

void dd_report__timestamp(char out[32], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}

static uint32_t utf8_decode(const unsigned char *s, size_t n)
{
    switch (n) {
    case 1:
        return s[0];
    case 2:
        return ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
    case 3:
        return ((uint32_t)(s[0] & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
    default:
        return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
               ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
    }
}

typedef struct {
    uint32_t lo, hi;
} cp_range;

static bool in_ranges(uint32_t cp, const cp_range *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cp >= r[i].lo && cp <= r[i].hi)
            return true;
    return false;
}

unsigned dd_report__cp_width(uint32_t cp)
{
    static const cp_range zero[] = {
        {0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd}, {0x0610, 0x061a},
        {0x064b, 0x065f}, {0x1ab0, 0x1aff}, {0x1dc0, 0x1dff}, {0x200b, 0x200d},
        {0x2060, 0x2064}, {0x20d0, 0x20ff}, {0xfe00, 0xfe0f}, {0xfe20, 0xfe2f},
    };
    /* East Asian Wide (W) and Fullwidth (F) blocks, and the emoji planes terminals draw wide */
    static const cp_range wide[] = {
        {0x1100, 0x115f},   {0x231a, 0x231b},   {0x2329, 0x232a},   {0x23e9, 0x23ec},
        {0x25fd, 0x25fe},   {0x2614, 0x2615},   {0x2648, 0x2653},   {0x26aa, 0x26ab},
        {0x26bd, 0x26be},   {0x26c4, 0x26c5},   {0x2705, 0x2705},   {0x270a, 0x270b},
        {0x274c, 0x274c},   {0x2753, 0x2755},   {0x2795, 0x2797},   {0x2b1b, 0x2b1c},
        {0x2e80, 0x303e},   {0x3041, 0x33ff},   {0x3400, 0x4dbf},   {0x4e00, 0x9fff},
        {0xa000, 0xa4cf},   {0xa960, 0xa97f},   {0xac00, 0xd7a3},   {0xf900, 0xfaff},
        {0xfe10, 0xfe19},   {0xfe30, 0xfe6f},   {0xff00, 0xff60},   {0xffe0, 0xffe6},
        {0x16fe0, 0x16fe4}, {0x17000, 0x18cff}, {0x1b000, 0x1b2ff}, {0x1f004, 0x1f004},
        {0x1f0cf, 0x1f0cf}, {0x1f18e, 0x1f18e}, {0x1f191, 0x1f19a}, {0x1f200, 0x1f251},
        {0x1f300, 0x1f64f}, {0x1f680, 0x1f6ff}, {0x1f900, 0x1f9ff}, {0x1fa70, 0x1faff},
        {0x20000, 0x3fffd},
    };

    if (cp < 0x300) /* Latin: the common case */
        return 1;
    if (in_ranges(cp, zero, DD_ARRAY_SIZE(zero)))
        return 0;
    if (cp >= 0x1100 && in_ranges(cp, wide, DD_ARRAY_SIZE(wide)))
        return 2;
    return 1;
}

/* Code points that separate words: they become one space. */
static bool is_space_cp(uint32_t cp)
{
    return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85 || cp == 0xa0 || cp == 0x2028 ||
           cp == 0x2029;
}

/* Code points never written: controls, bidi embeddings, overrides and isolates, the BOM. */
static bool is_dropped_cp(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0x200e || cp == 0x200f ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

/* One pass of dd_report__clean: appends while the columns stay within `limit`. */
static int clean_run(dd_buf *out, const char *str, size_t limit, size_t *cols, bool *cut)
{
    static const char replacement[] = "\xef\xbf\xbd";
    const unsigned char *s = (const unsigned char *)str;
    bool space = false, started = false;
    size_t used = 0;

    *cut = false;
    while (*s) {
        size_t n = dd_utf8_seq_len(s), w;
        uint32_t cp;
        const char *bytes = (const char *)s;

        if (n == 0) {
            cp = 0xfffd;
            bytes = replacement;
            n = 3;
            s++;
        } else {
            cp = utf8_decode(s, n);
            s += n;
        }
        if (is_space_cp(cp)) {
            space = started;
            continue;
        }
        if (is_dropped_cp(cp))
            continue;
        w = dd_report__cp_width(cp) + (space ? 1 : 0);
        if (used + w > limit) {
            *cut = true;
            break;
        }
        if ((space && dd_buf_putc(out, ' ') != DD_OK) || dd_buf_put(out, bytes, n) != DD_OK)
            return DD_ENOMEM;
        used += w;
        space = false;
        started = true;
    }
    *cols = used;
    return DD_OK;
}

int dd_report__clean(dd_buf *out, const char *s, size_t max_cols, size_t *cols)
{
    size_t start = out->len, used = 0;
    bool cut = false;
    int rc;

    if (cols)
        *cols = 0;
    if (!s)
        return DD_OK;
    if ((rc = clean_run(out, s, max_cols ? max_cols : SIZE_MAX, &used, &cut)) != DD_OK)
        return rc;
    if (cut && max_cols > 3) {
        out->len = start;
        out->data[start] = '\0';
        if ((rc = clean_run(out, s, max_cols - 3, &used, &cut)) != DD_OK ||
            (rc = dd_buf_puts(out, "...")) != DD_OK)
            return rc;
        used += 3;
    }
    if (cols)
        *cols = used;
    return DD_OK;
}

json_t *dd_report__jstr(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    dd_buf b = DD_BUF_INIT;
    json_t *j;

    if (!s)
        return json_null();
    while (*p && dd_utf8_seq_len(p))
        p += dd_utf8_seq_len(p);
    if (!*p)
        return json_string(s);
    /* not UTF-8 (a Latin-1 package description): replace each stray byte */
    p = (const unsigned char *)s;
    while (*p) {
        size_t n = dd_utf8_seq_len(p);

        if (n ? dd_buf_put(&b, p, n) != DD_OK : dd_buf_puts(&b, "\xef\xbf\xbd") != DD_OK) {
            dd_buf_dispose(&b);
            return NULL;
        }
        p += n ? n : 1;
    }
    j = json_stringn(b.data, b.len);
    dd_buf_dispose(&b);
    return j;
}

void dd_report__set(json_t *o, const char *key, json_t *v, int *rc)
{
    if (!v || json_object_set_new(o, key, v) != 0)
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
}

void dd_report__append(json_t *a, json_t *v, int *rc)
{
    if (!v || json_array_append_new(a, v) != 0)
        *rc = dd_error_set(DD_ENOMEM, "out of memory");
}

static int dump_callback(const char *buffer, size_t size, void *data)
{
    return fwrite(buffer, 1, size, data) == size ? 0 : -1;
}

int dd_report__dump(FILE *fp, const json_t *doc)
{
    /* CVSS scores have one decimal: six significant digits print 9.8 as "9.8", not
     * "9.8000000000000007" */
    size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6);

    if (json_dump_callback(doc, dump_callback, fp, flags) != 0 || fputc('\n', fp) == EOF) {
        if (ferror(fp))
            return dd_error_set(DD_EIO, "writing the report: %s", strerror(errno));
        return dd_error_set(DD_ENOMEM, "out of memory");
    }
    return DD_OK;
}

static int buf_callback(const char *buffer, size_t size, void *data)
{
    return dd_buf_put(data, buffer, size) == DD_OK ? 0 : -1;
}

static int dump_to_buf(dd_buf *b, const json_t *doc)
{
    size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6);

    dd_buf_clear(b);
    if (json_dump_callback(doc, buf_callback, b, flags) != 0)
        return dd_error_set(DD_ENOMEM, "out of memory");
    return DD_OK;
}

int dd_report__dump_streamed(FILE *fp, const json_t *doc, dd_report_next_fn next, void *payload)
{
    static const char token[] = "\"" DD_REPORT_STREAM_TOKEN "\"";
    dd_buf head = DD_BUF_INIT, item = DD_BUF_INIT;
    const char *at = NULL, *p, *line;
    size_t indent = 0, n = 0;
    json_t *el = NULL;
    int rc;

    if ((rc = dump_to_buf(&head, doc)) != DD_OK)
        goto done;
    /* the last occurrence: only closing brackets follow the placeholder, never data */
    for (p = head.data; (p = strstr(p, token)); p++)
        at = p;
    assert(at);
    if (!at) {
        rc = dd_error_set(DD_ERROR, "report: the document has no array placeholder");
        goto done;
    }
    for (line = at; line > head.data && line[-1] != '\n'; line--)
        ;
    while (line[indent] == ' ')
        indent++;
    fwrite(head.data, 1, (size_t)(at - head.data), fp);
    while ((rc = next(&el, payload)) == DD_OK && el) {
        rc = dump_to_buf(&item, el);
        json_decref(el);
        el = NULL;
        if (rc != DD_OK)
            goto done;
        fputs(n++ ? ",\n" : "[\n", fp);
        for (p = item.data; *p;) {
            const char *end = strchr(p, '\n');
            size_t len = end ? (size_t)(end - p) + 1 : strlen(p);

            fprintf(fp, "%*s", (int)(indent + 2), "");
            fwrite(p, 1, len, fp);
            p += len;
        }
        if (ferror(fp))
            break;
    }
    if (rc != DD_OK)
        goto done;
    if (n)
        fprintf(fp, "\n%*s]", (int)indent, "");
    else
        fputs("[]", fp);
    fputs(at + strlen(token), fp);
    fputc('\n', fp);
    if (ferror(fp))
        rc = dd_error_set(DD_EIO, "writing the report: %s", strerror(errno));
done:
    dd_buf_dispose(&head);
    dd_buf_dispose(&item);
    return rc;
}

int dd_report_write(FILE *fp, const dd_scan_result *r, const dd_report_opts *opts)
{
    int rc;

    switch (opts->format) {
    case DD_REPORT_TABLE:
        rc = dd_report__table(fp, r, opts);
        break;
    case DD_REPORT_JSON:
        rc = dd_report__json(fp, r, opts);
        break;
    case DD_REPORT_SARIF:
        rc = dd_report__sarif(fp, r, opts);
        break;
    case DD_REPORT_CYCLONEDX:
        rc = dd_report__cyclonedx(fp, r, opts);
        break;
    case DD_REPORT_MARKDOWN:
        rc = dd_report__markdown(fp, r, opts);
        break;
    default:
        return dd_error_set(DD_EINVALID, "unknown report format %d", (int)opts->format);
    }
    if (rc != DD_OK)
        return rc;
    if (fflush(fp) != 0 || ferror(fp))
        return dd_error_set(DD_EIO, "writing the report: %s", strerror(errno));
    return DD_OK;
}
