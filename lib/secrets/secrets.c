/* The secret scanner: one streaming vectorscan database over every file's chunks, a block-mode
 * verify pass over a bounded look-back window to find where each secret starts, the allow
 * rules, and the findings handed to the caller redacted. */
#include "secrets/secrets_int.h"
#include "secrets/hs_dl.h"

#include "util/util.h"

#include <ctype.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdatomic.h>
#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_PREFIX "DD-SECRET-"
/* longest secret (prefix + body) a rule may match: the look-back window kept per file */
#define WINDOW_MAX 4096
/* per chunk, matches waiting for the verify pass; more are dropped (a file made of matches) */
#define HITS_MAX 4096
/* findings kept per file, and matches verified per file, before the rest is dropped */
#define FOUND_MAX  256
#define VERIFY_MAX 100000
#define MATCH_MAX  80 /* redacted match: 2 + 64 stars + 2, and the NUL */

typedef struct {
    const dd_secrets__rule *r;
    bool cs[256];    /* the body's character class */
    bool span[256];  /* the bytes allowed between the anchor and the end */
    bool span_any;   /* any byte: take the nearest anchor */
    bool anchored;   /* the verify database has the rule's anchor */
    bool ctx_anchor; /* the anchor is the context: the secret starts where it ends */
    uint32_t maxw;   /* longest secret (prefix + body) */
    bool low_prio;   /* generic: gives way to a provider rule on the same bytes */
    dd_secrets_rule_info info;
} rule_rt;

typedef struct {
    uint32_t rule;
    uint64_t to;
} hit;

typedef struct {
    uint32_t rule;
    uint32_t line;
    uint64_t from, to; /* the secret's bytes in the file */
    char match[MATCH_MAX];
} found;

/* A thread's scanning state: its scratch space and the file it is in. */
typedef struct worker {
    struct worker *next;
    pthread_t owner;
    hs_scratch_t *scratch;
    /* the current file */
    const dd_entry *entry;
    const char *path;
    bool open, skip;
    hs_stream_t *stream;
    uint64_t pos; /* bytes fed to the stream */
    uint64_t nl;  /* newlines in those bytes */
    uint64_t verified;
    unsigned char *tail; /* the last `window` bytes fed, before the current chunk */
    size_t tail_len;
    const unsigned char *chunk;
    size_t chunk_len;
    hit *hits;
    size_t n_hits;
    unsigned char *win; /* a verify window assembled from tail and chunk */
    found *found;
    size_t n_found;
} worker;

/* A finding kept from the content hook until dd_secrets_collect. */
typedef struct {
    const dd_entry *entry;
    uint32_t rule;
    uint32_t line;
    const char *match;
} kept;

static atomic_uint_fast64_t instance_ids = 1;

struct dd_secrets {
    dd_secrets_opts opts;
    uint64_t id;
    hs_database_t *stream_db, *som_db;
    rule_rt *rules;
    size_t n_rules;
    uint32_t window;
    bool raw;
    dd_arena *arena; /* rule strings; kept matches (under lock) */
    pthread_mutex_t lock;
    worker *workers;
    kept *kept;
    size_t n_kept, kept_alloc;
    atomic_uint_fast64_t files, binary_skipped, bytes_scanned, truncated_files;
};

/* The worker of this thread for the scanner it last served. */
static _Thread_local struct {
    uint64_t id;
    worker *w;
} tls_worker;

/* ---------------------------------------------------------------- building the database */

/* The stream pattern of a rule ([ctx] prefix body boundary), its secret (prefix body) and its
 * context alone (empty when none), which anchors the secret's start in the verify pass. */
static int build_patterns(dd_buf *full, dd_buf *secret, dd_buf *ctx, const dd_secrets__rule *r,
                          const char *prefix)
{
    const char *cs = r->charset;
    int rc;

    dd_buf_clear(full);
    dd_buf_clear(secret);
    dd_buf_clear(ctx);
    if (r->ctx && (r->flags & DD_SECRETS__RAWCTX))
        rc = dd_buf_puts(full, r->ctx);
    else if (r->ctx && (r->flags & DD_SECRETS__GENERIC))
        rc = dd_buf_printf(full, "(?i:%s)[\"']?\\s{0,4}(?:=|:|:=|=>)\\s{0,4}[\"']?", r->ctx);
    else if (r->ctx)
        rc = dd_buf_printf(full,
                           "(?:^|[^A-Za-z0-9])(?i:%s)[A-Za-z0-9_.-]{0,24}[\"']?\\s{0,4}"
                           "(?:=|:|:=|=>)\\s{0,4}[\"']?",
                           r->ctx);
    else
        rc = DD_OK;
    if (rc || (rc = dd_buf_put(ctx, full->data, full->len)))
        return rc;
    if (!r->ctx && prefix[0] != '-' && (rc = dd_buf_puts(full, "(?:^|[^A-Za-z0-9_])")))
        return rc;
    if ((rc = dd_buf_printf(secret, "(?:%s)[%s]{%u,%u}", prefix, cs, r->min, r->max)) ||
        (rc = dd_buf_put(full, secret->data, secret->len)))
        return rc;
    if (r->flags & DD_SECRETS__URL)
        rc = dd_buf_puts(full, "@[A-Za-z0-9\\[._-]");
    else if (cs[0] == '^')
        rc = dd_buf_printf(full, "(?:[%s]|$)", cs + 1);
    else
        rc = dd_buf_printf(full, "(?:[^%s]|$)", cs);
    return rc;
}

/* A fanned-out rule (DD_SECRETS__FANOUT) is compiled into the stream database as one expression
 * per combination of the bytes of its prefix's lone classes (bracket expressions outside any
 * group and without a quantifier, so each matches exactly one byte): "[0-9]/[0-9]" becomes
 * "0/0", "0/1" ... "9/9". The language is the same, but each expression then holds a literal of
 * 3 bytes or more. Left to itself, vectorscan takes the 1- or 2-byte literal ("/", "SK", "Q~")
 * as the rule's factor, and such literals in the literal matcher of the database made the scan
 * of every byte of every file about twice as slow (issue 8). */
#define FANOUT_MAX 256 /* stream expressions of one rule */

typedef struct {
    size_t at, len;  /* the class in the prefix, brackets included */
    char bytes[256]; /* its bytes */
    unsigned n;
} lone_class;

/* The lone classes of `prefix` (at most `cap`) and the number of combinations of their bytes. */
static int lone_classes(lone_class *out, size_t cap, size_t *n_out, size_t *combos,
                        const dd_secrets__rule *r)
{
    const char *p = r->prefix;
    size_t n = 0;
    int depth = 0;

    *combos = 1;
    for (size_t i = 0; p[i]; i++) {
        if (p[i] == '\\' && p[i + 1]) {
            i++;
            continue;
        }
        depth += p[i] == '(' ? 1 : p[i] == ')' ? -1 : 0;
        if (p[i] != '[')
            continue;

        size_t j = i + 1;
        char inner[64];
        bool set[256];

        while (p[j] && p[j] != ']')
            j += p[j] == '\\' && p[j + 1] ? 2 : 1;
        if (!p[j] || j - i - 1 >= sizeof(inner))
            return dd_error_set(DD_EINVALID, "secret rule %s%s: prefix class too long", ID_PREFIX,
                                r->id);
        if (depth > 0 || (p[j + 1] && strchr("{?*+", p[j + 1]))) {
            i = j; /* in a group or repeated: it may match several bytes, or none */
            continue;
        }
        if (n == cap)
            return dd_error_set(DD_EINVALID, "secret rule %s%s: too many classes to fan out",
                                ID_PREFIX, r->id);
        memcpy(inner, p + i + 1, j - i - 1);
        inner[j - i - 1] = '\0';
        if (dd_secrets__charset_parse(set, inner) != DD_OK)
            return dd_error_prefix("secret rule %s%s", ID_PREFIX, r->id);
        out[n] = (lone_class){.at = i, .len = j - i + 1};
        for (int c = 0; c < 256; c++)
            if (set[c])
                out[n].bytes[out[n].n++] = (char)c;
        *combos *= out[n].n;
        if (out[n].n == 0 || *combos > FANOUT_MAX)
            return dd_error_set(DD_EINVALID, "secret rule %s%s: fan-out of %zu expressions",
                                ID_PREFIX, r->id, *combos);
        n++;
        i = j;
    }
    *n_out = n;
    return DD_OK;
}

/* The prefix of combination `k` of the lone classes: each class replaced by one of its bytes. */
static int fanout_prefix(dd_buf *out, const char *prefix, const lone_class *lc, size_t n, size_t k)
{
    size_t from = 0;
    int rc = DD_OK;

    dd_buf_clear(out);
    for (size_t c = 0; c < n && rc == DD_OK; c++) {
        unsigned char b = (unsigned char)lc[c].bytes[k % lc[c].n];

        k /= lc[c].n;
        rc = dd_buf_put(out, prefix + from, lc[c].at - from);
        if (rc == DD_OK)
            rc = isalnum(b) ? dd_buf_putc(out, (char)b) : dd_buf_printf(out, "\\x%02x", b);
        from = lc[c].at + lc[c].len;
    }
    return rc ? rc : dd_buf_puts(out, prefix + from);
}

static int compile_error(const char *what, hs_compile_error_t *err, const dd_secrets__rule *rules)
{
    int rc;

    if (err->expression >= 0)
        rc = dd_error_set(DD_ERROR, "secret rule %s%s (%s pattern): %s", ID_PREFIX,
                          rules[err->expression].id, what, err->message);
    else
        rc = dd_error_set(DD_ERROR, "secret rules (%s database): %s", what, err->message);
    hs_free_compile_error(err);
    return rc;
}

/* The documentation example: the rule's literal lead-in and a body of zeros (or x's). */
static char *make_example(dd_arena *a, const dd_secrets__rule *r, const bool cs[256])
{
    dd_buf b = DD_BUF_INIT;
    char *out = NULL;
    char fill = cs['0'] ? '0' : cs['x'] ? 'x' : cs['X'] ? 'X' : cs['A'] ? 'A' : 'Q';

    if (r->ex) {
        if (dd_buf_puts(&b, r->ex))
            goto done;
    } else {
        for (const char *p = r->prefix; *p; p++) {
            if (*p == '\\' && p[1])
                p++;
            if (dd_buf_putc(&b, *p))
                goto done;
        }
    }
    size_t n = r->min < 12 && r->max >= 12 ? 12 : r->min;
    bool word = cs['E'] && cs['X'] && cs['A'] && cs['M'] && cs['P'] && cs['L'] && n >= 10;

    if (word && dd_buf_puts(&b, "EXAMPLE"))
        goto done;
    for (size_t i = word ? 7 : 0; i < n; i++)
        if (dd_buf_putc(&b, fill))
            goto done;
    if ((r->flags & DD_SECRETS__URL) && dd_buf_puts(&b, "@db.example.com/app"))
        goto done;
    out = dd_arena_strndup(a, b.data, b.len);
done:
    dd_buf_dispose(&b);
    return out;
}

/* ------------------------------------------------- the compiled databases, cached on disk */

/* Compiling the rules takes about a second, ten times what a scan of a typical image's text
 * takes: the serialised databases are kept in the user's cache directory under a name derived
 * from every pattern and flag and the vectorscan version, so a changed rule or library never
 * reads a stale file, and any file that does not load is simply compiled again. */
#define CACHE_MAGIC     "DDHSDB1\n"
#define CACHE_MAX_BYTES (64u << 20)

static void hash_str(dd_sha256 *h, const char *str)
{
    dd_sha256_update(h, str ? str : "", str ? strlen(str) + 1 : 1);
}

static int cache_key(char key[72], const char *const *full, const unsigned *ffl,
                     const unsigned *ids, size_t n_full, const char *const *secret_pats, size_t n,
                     const char *const *som, const unsigned *sfl, const unsigned *som_ids,
                     size_t n_som)
{
    dd_sha256 *h = NULL;

    if (dd_sha256_new(&h) != DD_OK)
        return dd_error_set(DD_ENOMEM, "secret rules: out of memory");
    hash_str(h, CACHE_MAGIC);
    hash_str(h, hs_version());
    for (size_t i = 0; i < n_full; i++) {
        hash_str(h, full[i]);
        dd_sha256_update(h, &ffl[i], sizeof(ffl[i]));
        dd_sha256_update(h, &ids[i], sizeof(ids[i]));
    }
    for (size_t i = 0; i < n; i++)
        hash_str(h, secret_pats[i]);
    for (size_t i = 0; i < n_som; i++) {
        hash_str(h, som[i]);
        dd_sha256_update(h, &sfl[i], sizeof(sfl[i]));
        dd_sha256_update(h, &som_ids[i], sizeof(som_ids[i]));
    }
    dd_sha256_final_digest(h, key);
    dd_sha256_free(h);
    return DD_OK;
}

/* The cache file for `key` in `buf`: opts.cache_dir, else $XDG_CACHE_HOME/drydock, else
 * $HOME/.cache/drydock; false when caching is off ("" or neither variable set). */
static bool cache_path(const dd_secrets *s, const char *key, char *buf, size_t cap, bool mkdirs)
{
    const char *dir = s->opts.cache_dir, *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    const char *hex = key + strlen("sha256:");
    char base[4096];
    int n;

    if (dir && !*dir)
        return false;
    if (dir)
        n = snprintf(base, sizeof(base), "%s", dir);
    else if (xdg && *xdg)
        n = snprintf(base, sizeof(base), "%s/drydock", xdg);
    else if (home && *home)
        n = snprintf(base, sizeof(base), "%s/.cache/drydock", home);
    else
        return false;
    if (n < 0 || (size_t)n >= sizeof(base))
        return false;
    if (mkdirs && !dir) {
        char *slash = strrchr(base, '/');
        *slash = '\0';
        mkdir(base, 0700); /* $XDG_CACHE_HOME or ~/.cache; errors show at the open below */
        *slash = '/';
        mkdir(base, 0700);
    }
    n = snprintf(buf, cap, "%s/secrets-%.32s.hsdb", base, hex);
    return n > 0 && (size_t)n < cap;
}

/* Copies `len` bytes at the cursor into `out` and moves past them; false at the end. The file
 * is read only by the machine that wrote it (vectorscan checks the platform of each blob). */
static bool take(const char **p, const char *end, void *out, size_t len)
{
    if ((size_t)(end - *p) < len)
        return false;
    memcpy(out, *p, len);
    *p += len;
    return true;
}

static int cache_load(dd_secrets *s, const char *key, uint32_t *widths)
{
    char path[4200], digest[72];
    dd_buf b = DD_BUF_INIT;
    const char *p, *end;
    uint32_t n;
    uint64_t len;
    int rc = DD_ENOTFOUND;

    if (!cache_path(s, key, path, sizeof(path), false) ||
        dd_read_file(&b, path, CACHE_MAX_BYTES) != DD_OK)
        goto done;
    p = b.data;
    end = b.data + b.len;
    if (b.len < strlen(CACHE_MAGIC) + 64 || memcmp(p, CACHE_MAGIC, strlen(CACHE_MAGIC)) != 0 ||
        memcmp(p + strlen(CACHE_MAGIC), key + strlen("sha256:"), 64) != 0)
        goto done;
    p += strlen(CACHE_MAGIC) + 64;
    /* the payload's digest: a damaged blob must never reach the scanner */
    if ((size_t)(end - p) < 64 ||
        dd_sha256_digest(digest, p + 64, (size_t)(end - p - 64)) != DD_OK ||
        memcmp(p, digest + strlen("sha256:"), 64) != 0)
        goto done;
    p += 64;
    if (!take(&p, end, &n, sizeof(n)) || n != s->n_rules ||
        !take(&p, end, widths, (size_t)n * sizeof(*widths)))
        goto done;
    if (!take(&p, end, &len, sizeof(len)) || len > (uint64_t)(end - p) ||
        hs_deserialize_database(p, (size_t)len, &s->stream_db) != HS_SUCCESS)
        goto done;
    p += len;
    if (!take(&p, end, &len, sizeof(len)) || len != (uint64_t)(end - p) ||
        hs_deserialize_database(p, (size_t)len, &s->som_db) != HS_SUCCESS)
        goto done;
    rc = DD_OK;
done:
    if (rc != DD_OK) {
        hs_free_database(s->stream_db);
        hs_free_database(s->som_db);
        s->stream_db = s->som_db = NULL;
        dd_error_clear();
    }
    dd_buf_dispose(&b);
    return rc;
}

static int put_blob(dd_buf *b, const hs_database_t *db)
{
    char *bytes = NULL;
    size_t len = 0;
    uint64_t len64;
    int rc;

    if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
        return DD_ERROR;
    len64 = len;
    rc = dd_buf_put(b, &len64, sizeof(len64));
    if (rc == DD_OK)
        rc = dd_buf_put(b, bytes, len);
    free(bytes); /* allocated by vectorscan's misc allocator: malloc */
    return rc;
}

/* Writes magic, key, the payload's digest and the payload (rule count, widths, both databases)
 * to a temporary file renamed over the cache file, so readers see all of it or nothing. */
static void cache_save(const dd_secrets *s, const char *key, const uint32_t *widths)
{
    char path[4200], tmp[4220], digest[72];
    uint32_t n = (uint32_t)s->n_rules;
    dd_buf b = DD_BUF_INIT;
    FILE *fp = NULL;
    bool ok;
    int fd;

    if (dd_buf_put(&b, &n, sizeof(n)) != DD_OK ||
        dd_buf_put(&b, widths, (size_t)n * sizeof(*widths)) != DD_OK ||
        put_blob(&b, s->stream_db) != DD_OK || put_blob(&b, s->som_db) != DD_OK ||
        dd_sha256_digest(digest, b.data, b.len) != DD_OK ||
        !cache_path(s, key, path, sizeof(path), true) ||
        snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp) ||
        (fd = mkstemp(tmp)) < 0) {
        dd_buf_dispose(&b);
        dd_error_clear();
        return;
    }
    if (!(fp = fdopen(fd, "wb"))) {
        close(fd);
        unlink(tmp);
        dd_buf_dispose(&b);
        return;
    }
    ok = fwrite(CACHE_MAGIC, 1, strlen(CACHE_MAGIC), fp) == strlen(CACHE_MAGIC) &&
         fwrite(key + strlen("sha256:"), 1, 64, fp) == 64 &&
         fwrite(digest + strlen("sha256:"), 1, 64, fp) == 64 &&
         fwrite(b.data, 1, b.len, fp) == b.len;
    ok = fclose(fp) == 0 && ok;
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);
    dd_buf_dispose(&b);
}

/* Each rule's longest secret: the width of its secret pattern, plus, when the secret starts
 * where its context ends, the width of that context (the verify window reaches back over it). */
static int rule_widths(dd_secrets *s, const char *const *secret_pats, const char *const *som,
                       const unsigned *som_ids, size_t n_som, uint32_t *widths)
{
    hs_compile_error_t *err = NULL;
    hs_expr_info_t *info = NULL;

    for (size_t i = 0; i < s->n_rules; i++) {
        if (hs_expression_info(secret_pats[i], 0, &info, &err) != HS_SUCCESS) {
            int rc =
                dd_error_set(DD_ERROR, "secret rule %s: %s", s->rules[i].info.id, err->message);
            hs_free_compile_error(err);
            return rc;
        }
        widths[i] = info->max_width;
        free(info); /* hs_expression_info allocates with the misc allocator: malloc */
    }
    for (size_t j = 0; j < n_som; j++) {
        unsigned i = som_ids[j];

        if (!s->rules[i].ctx_anchor)
            continue;
        if (hs_expression_info(som[j], 0, &info, &err) != HS_SUCCESS) {
            int rc =
                dd_error_set(DD_ERROR, "secret rule %s: %s", s->rules[i].info.id, err->message);
            hs_free_compile_error(err);
            return rc;
        }
        widths[i] = info->max_width > WINDOW_MAX ? UINT32_MAX : widths[i] + info->max_width;
        free(info);
    }
    return DD_OK;
}

/* The stream expressions of rule `i` appended at full[*n_full]: its pattern, or one per
 * combination of its lone classes when it fans out. */
static int add_stream_patterns(dd_secrets *s, size_t i, const char *pattern, dd_buf *bf, dd_buf *bs,
                               dd_buf *bc, const char **full, unsigned *ids, size_t *n_full)
{
    const dd_secrets__rule *r = &dd_secrets__rules[i];
    lone_class lc[4];
    size_t n_lc = 0, combos = 0;
    dd_buf pre = DD_BUF_INIT;
    int rc = DD_OK;

    if (!(r->flags & DD_SECRETS__FANOUT)) {
        full[*n_full] = pattern;
        ids[(*n_full)++] = (unsigned)i;
        return DD_OK;
    }
    if ((rc = lone_classes(lc, DD_ARRAY_SIZE(lc), &n_lc, &combos, r)) != DD_OK)
        return rc;
    for (size_t k = 0; k < combos && rc == DD_OK; k++) {
        if ((rc = fanout_prefix(&pre, r->prefix, lc, n_lc, k)) != DD_OK ||
            (rc = build_patterns(bf, bs, bc, r, pre.data)) != DD_OK)
            break;
        if (!(full[*n_full] = dd_arena_strndup(s->arena, bf->data, bf->len))) {
            rc = dd_error_set(DD_ENOMEM, "secret rules: out of memory");
            break;
        }
        ids[(*n_full)++] = (unsigned)i;
    }
    dd_buf_dispose(&pre);
    return rc;
}

static int compile_rules(dd_secrets *s)
{
    size_t n = dd_secrets__n_rules, n_full = 0, cap_full = n;
    const char **full = NULL, **som = NULL, **secret_pats = NULL;
    unsigned *ids = NULL, *som_ids = NULL, *ffl = NULL, *sfl = NULL;
    uint32_t *widths = NULL;
    char key[72];
    size_t n_som = 0;
    dd_buf bf = DD_BUF_INIT, bs = DD_BUF_INIT, bc = DD_BUF_INIT;
    hs_compile_error_t *err = NULL;
    int rc = DD_ENOMEM;

    for (size_t i = 0; i < n; i++)
        if (dd_secrets__rules[i].flags & DD_SECRETS__FANOUT)
            cap_full += FANOUT_MAX;
    s->rules = dd_calloc(n, sizeof(*s->rules));
    full = dd_calloc(cap_full, sizeof(*full));
    som = dd_calloc(n, sizeof(*som));
    ids = dd_calloc(cap_full, sizeof(*ids));
    som_ids = dd_calloc(n, sizeof(*som_ids));
    ffl = dd_calloc(cap_full, sizeof(*ffl));
    sfl = dd_calloc(n, sizeof(*sfl));
    secret_pats = dd_calloc(n, sizeof(*secret_pats));
    widths = dd_calloc(n, sizeof(*widths));
    if (!s->rules || !full || !som || !ids || !som_ids || !ffl || !sfl || !secret_pats || !widths) {
        rc = dd_error_set(DD_ENOMEM, "secret rules: out of memory");
        goto done;
    }
    /* libhs is loaded here, at the scanner's first need of it, not with the program */
    if ((rc = dd_hs__load()) != DD_OK) {
        dd_error_prefix("secret scanner");
        goto done;
    }
    s->n_rules = n;
    for (size_t i = 0; i < n; i++) {
        const dd_secrets__rule *r = &dd_secrets__rules[i];
        rule_rt *rt = &s->rules[i];
        char *id, *ctx, *pattern;

        rt->r = r;
        if ((rc = dd_secrets__charset_parse(rt->cs, r->charset)) != DD_OK) {
            dd_error_prefix("secret rule %s%s", ID_PREFIX, r->id);
            goto done;
        }
        if ((rc = build_patterns(&bf, &bs, &bc, r, r->prefix)) != DD_OK)
            goto done;
        pattern = dd_arena_strndup(s->arena, bf.data, bf.len);
        ctx = bc.len ? dd_arena_strndup(s->arena, bc.data, bc.len) : NULL;
        secret_pats[i] = dd_arena_strndup(s->arena, bs.data, bs.len);
        id = dd_arena_alloc(s->arena, strlen(ID_PREFIX) + strlen(r->id) + 1);
        if (!pattern || !id || (bc.len && !ctx) || !secret_pats[i]) {
            rc = dd_error_set(DD_ENOMEM, "secret rules: out of memory");
            goto done;
        }
        memcpy(id, ID_PREFIX, strlen(ID_PREFIX));
        memcpy(id + strlen(ID_PREFIX), r->id, strlen(r->id) + 1);
        if ((rc = add_stream_patterns(s, i, pattern, &bf, &bs, &bc, full, ids, &n_full)) != DD_OK)
            goto done;
        rt->anchored = r->anchor || r->prefix[0] || ctx;
        rt->ctx_anchor = !r->prefix[0] && (r->anchor || ctx);
        if (rt->anchored) {
            som[n_som] = r->anchor ? r->anchor : r->prefix[0] ? r->prefix : ctx;
            som_ids[n_som] = (unsigned)i;
            sfl[n_som++] = HS_FLAG_SOM_LEFTMOST;
        }
        rt->span_any = r->span && strcmp(r->span, "*") == 0;
        if (!rt->span_any &&
            (rc = dd_secrets__charset_parse(rt->span, r->span ? r->span : r->charset)) != DD_OK) {
            dd_error_prefix("secret rule %s", id);
            goto done;
        }
        rt->low_prio = (r->flags & DD_SECRETS__GENERIC) || strcmp(r->category, "Generic") == 0;
        rt->info = (dd_secrets_rule_info){
            .id = id,
            .category = r->category,
            .title = r->title,
            .severity = r->severity,
            .pattern = pattern,
            .example = make_example(s->arena, r, rt->cs),
            .generic = rt->low_prio,
        };
        if (!rt->info.example) {
            rc = dd_error_set(DD_ENOMEM, "secret rules: out of memory");
            goto done;
        }
    }
    /* the compiled databases and the widths come from the cache when these very patterns were
     * compiled before by this vectorscan, else from the compiler (about a second) */
    if ((rc = cache_key(key, full, ffl, ids, n_full, secret_pats, n, som, sfl, som_ids, n_som)) !=
        DD_OK)
        goto done;
    if (cache_load(s, key, widths) != DD_OK) {
        if ((rc = rule_widths(s, secret_pats, som, som_ids, n_som, widths)) != DD_OK)
            goto done;
        if (hs_compile_multi(full, ffl, ids, (unsigned)n_full, HS_MODE_STREAM, NULL, &s->stream_db,
                             &err) != HS_SUCCESS) {
            if (err->expression >= 0)
                err->expression = (int)ids[err->expression];
            rc = compile_error("stream", err, dd_secrets__rules);
            goto done;
        }
        if (hs_compile_multi(som, sfl, som_ids, (unsigned)n_som, HS_MODE_BLOCK, NULL, &s->som_db,
                             &err) != HS_SUCCESS) {
            if (err->expression >= 0)
                err->expression = (int)som_ids[err->expression];
            rc = compile_error("verify", err, dd_secrets__rules);
            goto done;
        }
        cache_save(s, key, widths); /* best effort: a read-only cache only costs time */
    }
    for (size_t i = 0; i < n; i++) {
        rule_rt *rt = &s->rules[i];

        rt->maxw = widths[i];
        if (rt->maxw == 0 || rt->maxw > WINDOW_MAX - 2) {
            rc = dd_error_set(DD_ERROR, "secret rule %s: secret of unbounded or too long width",
                              rt->info.id);
            goto done;
        }
        if (rt->maxw + 2 > s->window)
            s->window = rt->maxw + 2;
    }
    rc = DD_OK;
done:
    dd_buf_dispose(&bf);
    dd_buf_dispose(&bs);
    dd_buf_dispose(&bc);
    dd_free(full);
    dd_free(som);
    dd_free(ids);
    dd_free(som_ids);
    dd_free(ffl);
    dd_free(sfl);
    dd_free(secret_pats);
    dd_free(widths);
    return rc;
}

int dd_secrets_new(dd_secrets **out, const dd_secrets_opts *opts)
{
    dd_secrets *s = dd_calloc(1, sizeof(*s));
    int rc;

    *out = NULL;
    if (!s)
        return dd_error_set(DD_ENOMEM, "secret scanner: out of memory");
    if (opts)
        s->opts = *opts;
    if (!s->opts.max_file_bytes)
        s->opts.max_file_bytes = DD_SECRETS_DEFAULT_MAX_FILE_BYTES;
    s->id = atomic_fetch_add(&instance_ids, 1);
    pthread_mutex_init(&s->lock, NULL);
    if ((rc = dd_arena_new(&s->arena)) != DD_OK || (rc = compile_rules(s)) != DD_OK) {
        dd_secrets_free(s);
        return rc;
    }
    *out = s;
    return DD_OK;
}

static void worker_free(worker *w)
{
    if (w->stream)
        hs_close_stream(w->stream, NULL, NULL, NULL);
    hs_free_scratch(w->scratch);
    dd_free(w->tail);
    dd_free(w->hits);
    dd_free(w->win);
    dd_free(w->found);
    dd_free(w);
}

void dd_secrets_free(dd_secrets *s)
{
    if (!s)
        return;
    for (worker *w = s->workers, *next; w; w = next) {
        next = w->next;
        worker_free(w);
    }
    if (s->stream_db) /* else libhs may not be loaded */
        hs_free_database(s->stream_db);
    if (s->som_db)
        hs_free_database(s->som_db);
    dd_free(s->rules);
    dd_free(s->kept);
    dd_arena_free(s->arena);
    pthread_mutex_destroy(&s->lock);
    dd_free(s);
}

size_t dd_secrets_rule_count(const dd_secrets *s)
{
    return s->n_rules;
}

const dd_secrets_rule_info *dd_secrets_rule(const dd_secrets *s, size_t index)
{
    return index < s->n_rules ? &s->rules[index].info : NULL;
}

void dd_secrets__set_raw(dd_secrets *s, bool raw)
{
    s->raw = raw;
}

void dd_secrets__clear_kept(dd_secrets *s)
{
    pthread_mutex_lock(&s->lock);
    s->n_kept = 0;
    pthread_mutex_unlock(&s->lock);
}

void dd_secrets_get_stats(const dd_secrets *s, dd_secrets_stats *out)
{
    out->files = atomic_load(&s->files);
    out->binary_skipped = atomic_load(&s->binary_skipped);
    out->bytes_scanned = atomic_load(&s->bytes_scanned);
    out->truncated_files = atomic_load(&s->truncated_files);
}

/* ---------------------------------------------------------------- workers */

static worker *worker_new(dd_secrets *s)
{
    worker *w = dd_calloc(1, sizeof(*w));

    if (!w)
        return NULL;
    w->owner = pthread_self();
    w->tail = dd_malloc(s->window);
    w->win = dd_malloc(s->window);
    w->hits = dd_malloc(HITS_MAX * sizeof(*w->hits));
    w->found = dd_malloc(FOUND_MAX * sizeof(*w->found));
    if (!w->tail || !w->win || !w->hits || !w->found ||
        hs_alloc_scratch(s->stream_db, &w->scratch) != HS_SUCCESS ||
        hs_alloc_scratch(s->som_db, &w->scratch) != HS_SUCCESS) {
        worker_free(w);
        return NULL;
    }
    return w;
}

/* This thread's worker: one per thread that scans, kept until dd_secrets_free. */
static worker *worker_get(dd_secrets *s)
{
    pthread_t self = pthread_self();
    worker *w;

    if (tls_worker.id == s->id && tls_worker.w)
        return tls_worker.w;
    pthread_mutex_lock(&s->lock);
    for (w = s->workers; w; w = w->next)
        if (pthread_equal(w->owner, self))
            break;
    if (!w && (w = worker_new(s)) != NULL) {
        w->next = s->workers;
        s->workers = w;
    }
    pthread_mutex_unlock(&s->lock);
    if (!w) {
        dd_error_set(DD_ENOMEM, "secret scanner: out of memory for a scratch space");
        return NULL;
    }
    tls_worker.id = s->id;
    tls_worker.w = w;
    return w;
}

/* ---------------------------------------------------------------- scanning one file */

/* Newlines in p[0..n). Every byte scanned is counted (the line of a finding in a later chunk
 * needs them), on bytes the scan has just brought into the cache: SSE2 counts 16 a step, about
 * 25 GB/s, so the count costs a few per cent of the scan (eight bytes at a time with integer
 * arithmetic, it cost a quarter). */
static uint64_t count_newlines(const unsigned char *p, size_t n)
{
    uint64_t count = 0;
    size_t i = 0;

#if defined(__SSE2__) && defined(__x86_64__)
    const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();

    while (n - i >= 16) {
        /* at most 255 steps into byte counters, then summed by _mm_sad_epu8 */
        size_t stop = n - i >= 255 * 16 ? i + 255 * 16 : i + ((n - i) & ~(size_t)15);
        __m128i acc = zero, sum;

        for (; i < stop; i += 16)
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), nl));
        sum = _mm_sad_epu8(acc, zero);
        count += (uint64_t)_mm_cvtsi128_si64(sum) +
                 (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sum, sum));
    }
#else
    /* byte counters that compilers vectorise */
    while (n - i >= 255) {
        unsigned char c = 0;

        for (size_t j = 0; j < 255; j++)
            c += p[i + j] == '\n';
        count += c;
        i += 255;
    }
#endif
    for (; i < n; i++)
        count += p[i] == '\n';
    return count;
}

/* By the first bytes: NULs, or the magic of an executable, archive, image or database. */
static bool looks_binary(const unsigned char *p, size_t n)
{
    static const struct {
        const char *magic;
        size_t len;
    } magics[] = {
        {"\x7f"
         "ELF",
         4},
        {"\x1f\x8b", 2},
        {"\x28\xb5\x2f\xfd", 4},
        {"\xfd"
         "7zXZ",
         5},
        {"BZh", 3},
        {"\x89PNG", 4},
        {"\xff\xd8\xff", 3},
        {"GIF8", 4},
        {"PK\x03\x04", 4},
        {"PK\x05\x06", 4},
        {"\xca\xfe\xba\xbe", 4},
        {"%PDF-", 5},
        {"\xcf\xfa\xed\xfe", 4},
        {"\xce\xfa\xed\xfe", 4},
        {"!<arch>\n", 8},
        {"7z\xbc\xaf", 4},
        {"Rar!", 4},
        {"MZ", 2},
        {"\x00"
         "asm",
         4},
        {"OggS", 4},
        {"RIFF", 4},
        {"wOFF", 4},
        {"wOF2", 4},
        {"\xed\xab\xee\xdb", 4},
    };
    size_t m = n < 1024 ? n : 1024, control = 0;

    for (size_t i = 0; i < DD_ARRAY_SIZE(magics); i++)
        if (n >= magics[i].len && memcmp(p, magics[i].magic, magics[i].len) == 0)
            return true;
    if (memchr(p, 0, m))
        return true;
    for (size_t i = 0; i < m; i++)
        if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r' && p[i] != '\f' &&
            p[i] != '\v' && p[i] != '\b' && p[i] != 0x1b)
            control++;
    return control * 10 > m; /* more than 10% control bytes */
}

static int on_stream_match(unsigned int id, unsigned long long from, unsigned long long to,
                           unsigned int flags, void *ctx)
{
    worker *w = ctx;

    (void)from;
    (void)flags;
    if (w->n_hits < HITS_MAX)
        w->hits[w->n_hits++] = (hit){id, to};
    return 0;
}

typedef struct {
    const rule_rt *rt;
    unsigned want;
    unsigned long long end, run; /* the window's end; bytes of span class before it */
    unsigned long long from, q;  /* the best anchor so far: its start and end */
} som_ctx;

/* An anchor of the wanted rule after which every byte up to the end is in the span class. */
static int on_som_match(unsigned int id, unsigned long long from, unsigned long long to,
                        unsigned int flags, void *ctx)
{
    som_ctx *c = ctx;
    const dd_secrets__rule *r = c->rt->r;

    (void)flags;
    if (id != c->want || to > c->end || c->end - to > c->run)
        return 0;
    if (!r->span && (c->end - to < r->min || c->end - to > r->max))
        return 0;
    if (c->rt->ctx_anchor ? (c->q == ~0ull || to < c->q)
        : c->rt->span_any ? (c->q == ~0ull || to > c->q || (to == c->q && from < c->from))
                          : from < c->from) {
        c->from = from;
        c->q = to;
    }
    return 0;
}

static unsigned char byte_at(const worker *w, uint64_t o)
{
    uint64_t cstart = w->pos;

    return o >= cstart ? w->chunk[o - cstart] : w->tail[w->tail_len - (size_t)(cstart - o)];
}

/* Base64 of "user:password" with both parts present and printable. */
static bool userpass_ok(const unsigned char *p, size_t n)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char out[300];
    size_t o = 0, colon = 0;
    uint32_t acc = 0;
    int bits = 0;

    for (size_t i = 0; i < n && p[i] != '='; i++) {
        const char *c = memchr(alphabet, p[i], 64);

        if (!c)
            return false;
        acc = (acc << 6) | (uint32_t)(c - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= sizeof(out))
                return false;
            out[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    for (size_t i = 0; i < o; i++) {
        if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f)
            return false;
        if (out[i] == ':' && !colon)
            colon = i;
    }
    return colon > 0 && colon + 1 < o &&
           !dd_secrets__placeholder(out + colon + 1, o - colon - 1, 0);
}

/* Keeps a verified finding unless a rule of higher priority holds the same bytes. */
static void add_found(dd_secrets *s, worker *w, const found *f)
{
    const rule_rt *nr = &s->rules[f->rule];
    size_t keep = 0;
    bool drop = false;

    for (size_t i = 0; i < w->n_found; i++) {
        found *o = &w->found[i];
        const rule_rt *orr = &s->rules[o->rule];
        bool overlap = o->from < f->to && f->from < o->to;
        bool wins = false; /* the new one displaces this one */

        if (overlap && !drop) {
            if (orr->low_prio != nr->low_prio)
                wins = orr->low_prio;
            else if (f->to - f->from != o->to - o->from)
                wins = f->to - f->from > o->to - o->from;
            else
                wins = f->rule < o->rule;
            if (!wins)
                drop = true;
        }
        if (!(overlap && wins))
            w->found[keep++] = *o;
    }
    w->n_found = keep;
    if (!drop && w->n_found < FOUND_MAX)
        w->found[w->n_found++] = *f;
}

static void verify_hit(dd_secrets *s, worker *w, const hit *h)
{
    const rule_rt *rt = &s->rules[h->rule];
    const dd_secrets__rule *r = rt->r;
    uint64_t cstart = w->pos, tstart = cstart - w->tail_len, end, ws;
    const unsigned char *wp;
    size_t wn;

    if (w->n_found >= FOUND_MAX || w->verified >= VERIFY_MAX)
        return;
    w->verified++;
    if (h->to < 2 || h->to - 2 < tstart)
        return;
    if (r->flags & DD_SECRETS__URL)
        end = h->to - 2;
    else
        end = rt->cs[byte_at(w, h->to - 1)] ? h->to : h->to - 1;
    ws = end > rt->maxw ? end - rt->maxw : 0;
    if (ws < tstart)
        ws = tstart;
    wn = (size_t)(end - ws);
    if (ws >= cstart) {
        wp = w->chunk + (ws - cstart);
    } else {
        size_t from_tail = (size_t)((end < cstart ? end : cstart) - ws);

        memcpy(w->win, w->tail + (ws - tstart), from_tail);
        if (end > cstart)
            memcpy(w->win + from_tail, w->chunk, (size_t)(end - cstart));
        wp = w->win;
    }

    size_t run = 0, start, body_at = 0;

    if (rt->span_any)
        run = wn;
    else
        while (run < wn && rt->span[wp[wn - 1 - run]])
            run++;
    if (rt->anchored) {
        som_ctx sc = {.rt = rt, .want = h->rule, .end = wn, .run = run, .from = ~0ull, .q = ~0ull};

        if (hs_scan(s->som_db, (const char *)wp, (unsigned)wn, 0, w->scratch, on_som_match, &sc) !=
                HS_SUCCESS ||
            sc.from == ~0ull)
            return;
        start = (size_t)(rt->ctx_anchor ? sc.q : sc.from);
        body_at = (size_t)sc.q;
    } else {
        if (run < r->min)
            return;
        start = wn - (run < r->max ? run : r->max);
    }

    const char *sec = (const char *)wp + start;
    size_t slen = wn - start, blen = 0;

    /* the body: after the anchor, or the secret's trailing run of the body class */
    if (rt->anchored && !rt->span_any)
        blen = (size_t)(wn - body_at);
    else
        while (blen < slen && blen < r->max && rt->cs[(unsigned char)sec[slen - 1 - blen]])
            blen++;
    if (!s->raw) {
        const char *body = sec + slen - blen;

        if (dd_secrets__placeholder(body, blen, r->flags & DD_SECRETS__KEYBODY))
            return;
        if (!r->ctx && !(r->flags & DD_SECRETS__KEYBODY) && dd_secrets__has_runs(sec, slen))
            return;
        if ((r->flags & DD_SECRETS__GENERIC) && !dd_secrets__generic_value_ok(body, blen))
            return;
        if ((r->flags & DD_SECRETS__ENTROPY) && !dd_secrets__entropy_ok(body, blen))
            return;
        /* a generic value ends a line, a quoted string or a word: not a call or a list */
        if ((r->flags & DD_SECRETS__GENERIC) && end < h->to &&
            !strchr("\n\r'\"` \t", byte_at(w, h->to - 1)))
            return;
        if ((r->flags & DD_SECRETS__USERPASS) && !userpass_ok((const unsigned char *)body, blen))
            return;
        if ((r->flags & DD_SECRETS__URL) &&
            (body[0] == '$' || body[0] == '%' || !dd_secrets__url_password_ok(body, blen)))
            return;
        if (dd_secrets__path_allowed(r, w->path))
            return;
    }

    found f = {.rule = h->rule, .from = ws + start, .to = end};
    uint64_t o = f.from;

    if (o >= cstart)
        f.line = (uint32_t)(w->nl + count_newlines(w->chunk, (size_t)(o - cstart)) + 1);
    else
        f.line =
            (uint32_t)(w->nl - count_newlines(w->tail + (o - tstart), (size_t)(cstart - o)) + 1);
    /* URLs and keyword rules: only the password or value is secret */
    if (r->flags & (DD_SECRETS__URL | DD_SECRETS__RAWCTX | DD_SECRETS__KEYBODY) || r->ctx)
        dd_secrets__redact(f.match, sec + slen - blen, blen);
    else
        dd_secrets__redact(f.match, sec, slen);
    add_found(s, w, &f);
}

static void file_begin(worker *w, const dd_entry *entry, const char *path)
{
    w->entry = entry;
    w->path = path;
    w->open = true;
    w->skip = false;
    w->pos = w->nl = w->verified = 0;
    w->tail_len = 0;
    w->n_found = 0;
}

static int process_hits(dd_secrets *s, worker *w)
{
    for (size_t i = 0; i < w->n_hits; i++)
        verify_hit(s, w, &w->hits[i]);
    w->n_hits = 0;
    return DD_OK;
}

static int file_feed(dd_secrets *s, worker *w, const unsigned char *data, size_t len,
                     bool check_binary)
{
    if (w->skip || !len)
        return DD_OK;
    if (w->pos == 0) {
        if (check_binary && !s->opts.scan_binary && looks_binary(data, len)) {
            w->skip = true;
            atomic_fetch_add(&s->binary_skipped, 1);
            return DD_OK;
        }
        if (hs_open_stream(s->stream_db, 0, &w->stream) != HS_SUCCESS)
            return dd_error_set(DD_ENOMEM, "%s: cannot open a scan stream", w->path);
    }
    if (w->pos >= s->opts.max_file_bytes) {
        w->skip = true;
        atomic_fetch_add(&s->truncated_files, 1);
        return DD_OK;
    }
    if (len > s->opts.max_file_bytes - w->pos)
        len = (size_t)(s->opts.max_file_bytes - w->pos);
    while (len) {
        /* vectorscan takes at most 4 GiB a call */
        size_t n = len < (1u << 30) ? len : (1u << 30);

        w->chunk = data;
        w->chunk_len = n;
        w->n_hits = 0;
        if (hs_scan_stream(w->stream, (const char *)data, (unsigned)n, 0, w->scratch,
                           on_stream_match, w) != HS_SUCCESS)
            return dd_error_set(DD_ERROR, "%s: vectorscan stream scan failed", w->path);
        process_hits(s, w);
        w->nl += count_newlines(data, n);
        /* keep the last `window` bytes for the look-back of the next chunk */
        if (n >= s->window) {
            memcpy(w->tail, data + n - s->window, s->window);
            w->tail_len = s->window;
        } else {
            size_t keep = w->tail_len + n > s->window ? s->window - n : w->tail_len;

            memmove(w->tail, w->tail + w->tail_len - keep, keep);
            memcpy(w->tail + keep, data, n);
            w->tail_len = keep + n;
        }
        w->pos += n;
        atomic_fetch_add(&s->bytes_scanned, n);
        data += n;
        len -= n;
    }
    return DD_OK;
}

static int file_end(dd_secrets *s, worker *w)
{
    int rc = DD_OK;

    if (w->stream) {
        w->chunk = NULL;
        w->chunk_len = 0;
        w->n_hits = 0;
        if (hs_close_stream(w->stream, w->scratch, on_stream_match, w) != HS_SUCCESS)
            rc = dd_error_set(DD_ERROR, "%s: vectorscan stream close failed", w->path);
        w->stream = NULL;
        if (rc == DD_OK)
            process_hits(s, w);
    }
    w->open = false;
    atomic_fetch_add(&s->files, 1);
    return rc;
}

/* ---------------------------------------------------------------- the content hook */

static int keep_found(dd_secrets *s, worker *w)
{
    int rc = DD_OK;

    pthread_mutex_lock(&s->lock);
    if (DD_ARRAY_RESERVE(s->kept, s->kept_alloc, s->n_kept + w->n_found, sizeof(*s->kept), 64)) {
        rc = DD_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < w->n_found; i++) {
        const char *m = dd_arena_strdup(s->arena, w->found[i].match);

        if (!m) {
            rc = dd_error_set(DD_ENOMEM, "%s: out of memory keeping a finding", w->path);
            goto done;
        }
        s->kept[s->n_kept++] = (kept){w->entry, w->found[i].rule, w->found[i].line, m};
    }
done:
    pthread_mutex_unlock(&s->lock);
    w->n_found = 0;
    return rc;
}

static int content_hook(const dd_entry *entry, uint64_t offset, const void *data, size_t len,
                        void *payload)
{
    dd_secrets *s = payload;
    worker *w = worker_get(s);
    int rc;

    (void)offset;
    if (!w)
        return DD_ENOMEM;
    if (!w->open || w->entry != entry) {
        if (w->open && w->stream) {
            hs_close_stream(w->stream, NULL, NULL, NULL);
            w->stream = NULL;
        }
        file_begin(w, entry, entry->path);
    }
    if (data)
        return file_feed(s, w, data, len, true);
    if ((rc = file_end(s, w)) != DD_OK)
        return rc;
    return w->n_found ? keep_found(s, w) : DD_OK;
}

int dd_secrets_attach(dd_secrets *s, dd_walk *w)
{
    dd_walk_set_content_hook(w, content_hook, s);
    return DD_OK;
}

/* ---------------------------------------------------------------- handing findings out */

static int cmp_kept(const void *a, const void *b, void *arg)
{
    const kept *x = a, *y = b;
    const dd_secrets *s = arg;
    int c = strcmp(x->entry->path, y->entry->path);

    if (c)
        return c;
    if (x->entry->layer != y->entry->layer)
        return x->entry->layer < y->entry->layer ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return strcmp(s->rules[x->rule].info.id, s->rules[y->rule].info.id);
}

static int emit(const dd_secrets *s, uint32_t rule, const char *path, const char *location,
                const char *what, int32_t layer, int32_t removed_in, uint32_t line,
                const char *match, dd_issue_fn fn, void *payload)
{
    const rule_rt *rt = &s->rules[rule];
    dd_buf msg = DD_BUF_INIT;
    int rc;

    if (what)
        rc = dd_buf_printf(&msg, "%s in %s: %s", rt->info.title, what, match);
    else
        rc = dd_buf_printf(&msg, "%s: %s", rt->info.title, match);
    if (rc == DD_OK && removed_in >= 0)
        rc = dd_buf_printf(&msg, " (removed in layer %d, still shipped in layer %d)", removed_in,
                           layer);
    if (rc != DD_OK) {
        dd_buf_dispose(&msg);
        return rc;
    }

    dd_issue is = DD_ISSUE_INIT;

    is.cls = DD_ISSUE_SECRET;
    is.rule_id = rt->info.id;
    is.category = rt->info.category;
    is.title = rt->info.title;
    is.message = msg.data;
    is.fix = "remove the secret from the image (and from every layer), rotate it, and pass it at "
             "run time (a mounted secret or the environment of the container)";
    is.severity = rt->info.severity;
    is.path = path;
    is.location = location;
    is.layer = layer;
    is.removed_in = removed_in;
    is.line = line;
    is.match = match;
    rc = fn(&is, payload);
    dd_buf_dispose(&msg);
    return rc;
}

int dd_secrets_collect(dd_secrets *s, const dd_walk *w, dd_issue_fn fn, void *payload)
{
    (void)w; /* entries carry their layer and what hid them once the walk has run */
    if (s->n_kept)
        qsort_r(s->kept, s->n_kept, sizeof(*s->kept), cmp_kept, s);
    for (size_t i = 0; i < s->n_kept; i++) {
        const kept *k = &s->kept[i];
        const dd_entry *e = k->entry;
        int32_t removed = e->hidden != DD_HIDDEN_NONE ? (int32_t)e->hidden_by : -1;
        int rc = emit(s, k->rule, e->path, NULL, NULL, (int32_t)e->layer, removed, k->line,
                      k->match, fn, payload);

        if (rc != DD_OK)
            return rc;
    }
    return DD_OK;
}

static int cmp_found(const void *a, const void *b, void *arg)
{
    const found *x = a, *y = b;
    const dd_secrets *s = arg;

    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return strcmp(s->rules[x->rule].info.id, s->rules[y->rule].info.id);
}

/* Scans one buffer on this thread's worker and hands its findings out, sorted by line. */
static int scan_mem(dd_secrets *s, const char *path, const void *data, size_t len,
                    bool check_binary, const char *location, const char *what, int32_t layer,
                    dd_issue_fn fn, void *payload)
{
    worker *w = worker_get(s);
    int rc;

    if (!w)
        return DD_ENOMEM;
    if (w->open && w->stream) { /* a file left open by a walk that stopped */
        hs_close_stream(w->stream, NULL, NULL, NULL);
        w->stream = NULL;
    }
    file_begin(w, NULL, path);
    rc = file_feed(s, w, data, len, check_binary);
    if (rc == DD_OK)
        rc = file_end(s, w);
    else if (w->stream) {
        hs_close_stream(w->stream, NULL, NULL, NULL);
        w->stream = NULL;
    }
    w->open = false;
    qsort_r(w->found, w->n_found, sizeof(*w->found), cmp_found, s);
    for (size_t i = 0; rc == DD_OK && i < w->n_found; i++)
        rc = emit(s, w->found[i].rule, path, location, what, layer, -1, w->found[i].line,
                  w->found[i].match, fn, payload);
    w->n_found = 0;
    return rc;
}

int dd_secrets_scan_buffer(dd_secrets *s, const char *path, const void *data, size_t len,
                           dd_issue_fn fn, void *payload)
{
    return scan_mem(s, path, data, len, true, NULL, NULL, -1, fn, payload);
}

int dd_secrets_scan_config(dd_secrets *s, const dd_image_config *cfg, dd_issue_fn fn, void *payload)
{
    dd_buf what = DD_BUF_INIT, loc = DD_BUF_INIT;
    int rc = DD_OK;

    for (size_t i = 0; rc == DD_OK && i < cfg->n_env; i++) {
        const char *kv = cfg->env[i];
        const char *eq;

        if (!kv)
            continue;
        eq = strchr(kv, '=');
        dd_buf_clear(&what);
        if ((rc = dd_buf_printf(&what, "Env variable %.*s", (int)(eq ? eq - kv : (int)strlen(kv)),
                                kv)) != DD_OK)
            break;
        rc = scan_mem(s, NULL, kv, strlen(kv), false, "Env", what.data, -1, fn, payload);
    }
    for (size_t i = 0; rc == DD_OK && i < cfg->n_history; i++) {
        const dd_history *h = &cfg->history[i];

        if (!h->created_by)
            continue;
        dd_buf_clear(&loc);
        dd_buf_clear(&what);
        if ((rc = dd_buf_printf(&loc, "history[%zu].created_by", i)) != DD_OK ||
            (rc = dd_buf_printf(&what, "build step %zu", i)) != DD_OK)
            break;
        rc = scan_mem(s, NULL, h->created_by, strlen(h->created_by), false, loc.data, what.data,
                      h->layer, fn, payload);
    }
    dd_buf_dispose(&what);
    dd_buf_dispose(&loc);
    return rc;
}
