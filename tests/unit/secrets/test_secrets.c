/* Unit tests of the secret scanner: every rule against a token made of random bytes at test
 * time, the documented examples, redaction, allow rules, the entropy gate, chunks that split a
 * secret, layers that delete a file, binary files, size caps and the image configuration. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "secrets/secrets_int.h"
#include "walk/walk_int.h"

/* ---- collecting findings ---- */

typedef struct {
    char rule[96];
    char match[96];
    char message[512];
    char path[256];
    char location[64];
    dd_severity severity;
    int32_t layer, removed_in;
    uint32_t line;
} got_issue;

typedef struct {
    got_issue items[512];
    size_t n;
} got;

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static int collect_fn(const dd_issue *is, void *payload)
{
    got *g = payload;

    assert_int_equal(is->cls, DD_ISSUE_SECRET);
    assert_non_null(is->rule_id);
    assert_non_null(is->title);
    assert_non_null(is->category);
    assert_non_null(is->match);
    if (g->n < DD_ARRAY_SIZE(g->items)) {
        got_issue *o = &g->items[g->n++];

        copy_str(o->rule, sizeof(o->rule), is->rule_id);
        copy_str(o->match, sizeof(o->match), is->match);
        copy_str(o->message, sizeof(o->message), is->message);
        copy_str(o->path, sizeof(o->path), is->path);
        copy_str(o->location, sizeof(o->location), is->location);
        o->severity = is->severity;
        o->layer = is->layer;
        o->removed_in = is->removed_in;
        o->line = is->line;
    }
    return DD_OK;
}

static bool has_rule(const got *g, const char *rule)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->items[i].rule, rule) == 0)
            return true;
    return false;
}

static void scan(dd_secrets *s, const char *path, const char *text, got *g)
{
    memset(g, 0, sizeof(*g));
    assert_int_equal(dd_secrets_scan_buffer(s, path, text, strlen(text), collect_fn, g), DD_OK);
}

/* One scanner with the default options for the whole group: compiling takes a moment. */
static dd_secrets *S;

static dd_secrets *scanner(void)
{
    return S;
}

static void release(dd_secrets *s)
{
    if (s != S)
        dd_secrets_free(s);
}

/* ---- random tokens ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64*, seeded from the kernel once per run */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static int setup(void **state)
{
    (void)state;
    if (getrandom(&rng_state, sizeof(rng_state), 0) != sizeof(rng_state) || !rng_state)
        rng_state = 0x9E3779B97F4A7C15ull;
    fprintf(stderr, "token seed: %llu\n", (unsigned long long)rng_state);
    return dd_secrets_new(&S, NULL) == DD_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    dd_secrets_free(S);
    return 0;
}

static size_t base64_encode(char *out, const unsigned char *in, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;

    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;

        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = a[(v >> 18) & 63];
        out[o++] = a[(v >> 12) & 63];
        out[o++] = i + 1 < n ? a[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? a[v & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

/* Random printable bytes of the rule's body class, drawn until they pass the rule's gates. */
static void random_body(const dd_secrets__rule *r, char *out, size_t *len)
{
    bool cs[256];
    char alphabet[256];
    size_t na = 0;

    assert_int_equal(dd_secrets__charset_parse(cs, r->charset), DD_OK);
    for (int c = 0x21; c < 0x7f; c++)
        if (cs[c])
            alphabet[na++] = (char)c;
    assert_true(na > 0);
    for (int tries = 0; tries < 10000; tries++) {
        size_t n = r->min + (size_t)(rnd() % (uint64_t)(r->max - r->min + 1));

        if (n > 60 && r->min <= 60)
            n = 60 > r->min ? 60 : r->min; /* keep generic values and long tokens readable */
        if (r->flags & DD_SECRETS__USERPASS) {
            char plain[64];
            size_t pn = (size_t)snprintf(plain, sizeof(plain), "deploy:");

            for (int i = 0; i < 16; i++)
                plain[pn++] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"[rnd() % 56];
            *len = base64_encode(out, (unsigned char *)plain, pn);
            return;
        }
        for (size_t i = 0; i < n; i++)
            out[i] = alphabet[rnd() % na];
        out[n] = '\0';
        *len = n;
        if (dd_secrets__placeholder(out, n, r->flags & DD_SECRETS__KEYBODY))
            continue;
        if ((r->flags & DD_SECRETS__ENTROPY) && !dd_secrets__entropy_ok(out, n))
            continue;
        if ((r->flags & DD_SECRETS__GENERIC) && !dd_secrets__generic_value_ok(out, n))
            continue;
        if ((r->flags & DD_SECRETS__URL) &&
            (!dd_secrets__url_password_ok(out, n) || out[0] == '$' || out[0] == '%'))
            continue;
        return;
    }
    fail_msg("no body for %s", r->id);
}

/* The literal lead-in of a rule: its example's text before the body. */
static void lead(const dd_secrets__rule *r, char *out, size_t cap)
{
    size_t o = 0;

    if (r->ex) {
        snprintf(out, cap, "%s", r->ex);
    } else {
        for (const char *p = r->prefix; *p && o + 1 < cap; p++) {
            if (*p == '\\' && p[1])
                p++;
            out[o++] = *p;
        }
        out[o] = '\0';
    }
    /* the example's filler (EXAMPLE, zeros) in a lead-in becomes random too */
    for (char *p = out; (p = strstr(p, "EXAMPLE")) != NULL; p += 7)
        for (int i = 0; i < 7; i++)
            p[i] = (char)('A' + rnd() % 26);
    for (char *p = out; *p; p++) {
        size_t zeros = strspn(p, "0");

        if (zeros >= 2)
            for (size_t i = 0; i < zeros; i++)
                p[i] = (char)('1' + rnd() % 9);
        if (zeros)
            p += zeros - 1;
    }
}

static void test_rule_count(void **state)
{
    dd_secrets *s = scanner();

    (void)state;
    assert_true(dd_secrets_rule_count(s) >= 150);
    for (size_t i = 0; i < dd_secrets_rule_count(s); i++) {
        const dd_secrets_rule_info *r = dd_secrets_rule(s, i);

        assert_int_equal(strncmp(r->id, "DD-SECRET-", 10), 0);
        assert_true(r->severity >= DD_SEV_LOW && r->severity <= DD_SEV_CRITICAL);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(r->id, dd_secrets_rule(s, j)->id);
    }
    assert_null(dd_secrets_rule(s, dd_secrets_rule_count(s)));
    release(s);
}

/* Every rule finds a token of its format built from random bytes, redacted. */
static void test_every_rule_finds_random_token(void **state)
{
    dd_secrets *s = scanner();
    static got g;
    int failures = 0;

    (void)state;
    for (size_t i = 0; i < dd_secrets__n_rules; i++) {
        const dd_secrets__rule *r = &dd_secrets__rules[i];
        char text[4096], body[2048], pre[512], id[128];
        size_t blen;

        lead(r, pre, sizeof(pre));
        random_body(r, body, &blen);
        snprintf(text, sizeof(text), "# config\n%s%s%s\nend\n", pre, body,
                 (r->flags & DD_SECRETS__URL) ? "@db.internal:5432/app" : "");
        snprintf(id, sizeof(id), "DD-SECRET-%s", r->id);
        scan(s, "srv/app/config", text, &g);
        if (!has_rule(&g, id)) {
            fprintf(stderr, "%s not found in: %s", id, text);
            failures++;
            continue;
        }
        for (size_t k = 0; k < g.n; k++) {
            /* the secret itself is in no string handed out */
            if (blen >= 8) {
                assert_null(strstr(g.items[k].match, body));
                assert_null(strstr(g.items[k].message, body));
            }
            if (strcmp(g.items[k].rule, id) == 0)
                assert_int_equal(g.items[k].line, 2);
        }
    }
    assert_int_equal(failures, 0);
    release(s);
}

/* The documented examples match their rule's pattern, and the allow rules drop every one. */
static void test_examples_are_allowed(void **state)
{
    dd_secrets *s = scanner();
    static got g;
    int failures = 0;

    (void)state;
    for (size_t i = 0; i < dd_secrets_rule_count(s); i++) {
        const dd_secrets_rule_info *r = dd_secrets_rule(s, i);
        char text[4096];

        snprintf(text, sizeof(text), "%s\n", r->example);
        scan(s, "srv/app/config", text, &g);
        if (g.n) {
            fprintf(stderr, "example of %s reported as %s\n", r->id, g.items[0].rule);
            failures++;
        }
        dd_secrets__set_raw(s, true);
        scan(s, "srv/app/config", text, &g);
        dd_secrets__set_raw(s, false);
        if (!has_rule(&g, r->id)) {
            fprintf(stderr, "example of %s does not match its pattern: %s", r->id, text);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
    release(s);
}

static void test_redaction(void **state)
{
    char out[128];

    (void)state;
    dd_secrets__redact(out, "AKIAABCDEFGHIJKLMNOP", 20);
    assert_string_equal(out, "AK****************OP");
    dd_secrets__redact(out, "Zq8xLm3Pw9", 10);
    assert_string_equal(out, "Z********9");
    dd_secrets__redact(out, "abc", 3);
    assert_string_equal(out, "***");
    char longs[300];

    memset(longs, 'k', sizeof(longs));
    dd_secrets__redact(out, longs, sizeof(longs));
    assert_int_equal(strlen(out), 68);

    dd_secrets *s = scanner();
    static got g;
    const char *tok = "ghp_R4nd0mT0k3nV4lu3Xy9Qw8Er7Ty6Ui5Op4Zm";

    char text[256];

    snprintf(text, sizeof(text), "token: %s\n", tok);
    scan(s, "app/x", text, &g);
    assert_true(has_rule(&g, "DD-SECRET-GITHUB-PAT"));
    assert_string_equal(g.items[0].match, "gh************************************Zm");
    assert_null(strstr(g.items[0].message, tok + 4));
    release(s);
}

static void test_entropy_gate_and_placeholders(void **state)
{
    dd_secrets *s = scanner();
    static got g;
    static const char *const rejected[] = {
        "password = abcdefgh\n",
        "password: ${DB_PASSWORD}\n",
        "password = changeme123\n",
        "password = os.environ\n",
        "password = PASSWORD_FILE_NAME\n",
        "DB_PASSWORD=your_password_here\n",
        "password = getpass(prompt)\n",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        "AKIAIOSFODNN7EXAMPLE\n",
        "token = ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
        "url = postgres://user:password@localhost/db\n",
        "url = postgres://user:${PGPASS}@localhost/db\n",
        "-----BEGIN RSA PRIVATE KEY-----\nEXAMPLEKEYEXAMPLEKEYEXAMPLEKEYEXAMPLEKEYEXAMPLEKEY\n",
    };

    (void)state;
    for (size_t i = 0; i < DD_ARRAY_SIZE(rejected); i++) {
        scan(s, "srv/app.conf", rejected[i], &g);
        if (g.n)
            fail_msg("\"%s\" reported as %s", rejected[i], g.items[0].rule);
    }
    scan(s, "srv/app.conf", "password = \"Xk9#mQ2vL8pZ\"\n", &g);
    assert_true(has_rule(&g, "DD-SECRET-GENERIC-PASSWORD"));
    assert_int_equal(g.items[0].severity, DD_SEV_MEDIUM);
    assert_true(dd_secrets__entropy("aaaa", 4) < 0.01);
    assert_true(dd_secrets__entropy("abcd", 4) > 1.99);
    release(s);
}

static void test_allow_paths(void **state)
{
    dd_secrets *s = scanner();
    static got g;
    const char *generic = "api_key = \"f8Kq2ZLx9Vb3Nw7R\"\n";
    const char *token = "NPM_TOKEN=npm_Q8w7E6r5T4y3U2i1O0pA9s8D7f6G5h4J3k2L\n";

    (void)state;
    scan(s, "srv/app.conf", generic, &g);
    assert_true(has_rule(&g, "DD-SECRET-GENERIC-API-KEY"));
    scan(s, "srv/tests/app.conf", generic, &g);
    assert_int_equal(g.n, 0);
    scan(s, "usr/lib/python3/dist-packages/x/README.md", generic, &g);
    assert_int_equal(g.n, 0);
    /* a provider token in a test directory is still a token */
    scan(s, "srv/tests/app.conf", token, &g);
    assert_true(has_rule(&g, "DD-SECRET-NPM-ACCESS-TOKEN"));
    /* packages' documentation is examples */
    scan(s, "usr/share/doc/app/README", token, &g);
    assert_int_equal(g.n, 0);
    release(s);
}

static void test_binary_and_size_cap(void **state)
{
    dd_secrets *s = scanner(), *sb = NULL, *small = NULL;
    dd_secrets_opts o = DD_SECRETS_OPTS_INIT;
    static got g;
    char buf[4096];
    const char *tok = "\nghp_R4nd0mT0k3nV4lu3Xy9Qw8Er7Ty6Ui5Op4Zm\n";

    (void)state;
    memset(buf, 'a', sizeof(buf));
    memcpy(buf, "\x7f" "ELF\x02\x01\x01", 7);
    memcpy(buf + 2000, tok, strlen(tok));
    assert_int_equal(dd_secrets_scan_buffer(s, "usr/bin/x", buf, sizeof(buf), collect_fn, &g), DD_OK);
    assert_int_equal(g.n, 0);
    o.scan_binary = true;
    assert_int_equal(dd_secrets_new(&sb, &o), DD_OK);
    memset(&g, 0, sizeof(g));
    assert_int_equal(dd_secrets_scan_buffer(sb, "usr/bin/x", buf, sizeof(buf), collect_fn, &g),
                     DD_OK);
    assert_true(has_rule(&g, "DD-SECRET-GITHUB-PAT"));

    o.scan_binary = false;
    o.max_file_bytes = 1000;
    assert_int_equal(dd_secrets_new(&small, &o), DD_OK);
    memset(buf, 'a', sizeof(buf));
    memcpy(buf + 2000, tok, strlen(tok));
    memset(&g, 0, sizeof(g));
    assert_int_equal(dd_secrets_scan_buffer(small, "x", buf, sizeof(buf), collect_fn, &g), DD_OK);
    assert_int_equal(g.n, 0);
    memset(&g, 0, sizeof(g));
    assert_int_equal(dd_secrets_scan_buffer(s, "x", buf, sizeof(buf), collect_fn, &g), DD_OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.items[0].line, 2);
    release(s);
    dd_secrets_free(sb);
    dd_secrets_free(small);
}

/* ---- through the content hook ---- */

static const char straddle_text[] =
    "# settings\n"
    "GITHUB_TOKEN=ghp_R4nd0mT0k3nV4lu3Xy9Qw8Er7Ty6Ui5Op4Zm\n"
    "db: postgres://app:Zq8xLm3Pw9@db.internal:5432/app\n"
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACBvZ3VzZWRmYWtla2V5Zm9ydGVzdGluZ29ubHlvbmx5b25seQAAAJgAAAAA\n"
    "-----END OPENSSH PRIVATE KEY-----\n"
    "last_key=sk_live_4eC39HqLyjWDarjtT1zdp7dc"; /* at the very end: no newline */

static void feed_chunks(dd_walk *w, const dd_entry *e, const char *text, size_t len,
                        size_t split_a, size_t split_b)
{
    size_t cuts[4] = {0, split_a, split_b, len};

    for (int i = 0; i < 3; i++)
        if (cuts[i + 1] > cuts[i])
            assert_int_equal(w->hook(e, cuts[i], text + cuts[i], cuts[i + 1] - cuts[i],
                                     w->hook_payload),
                             0);
    assert_int_equal(w->hook(e, len, NULL, 0, w->hook_payload), 0);
}

static void findings_as_text(const got *g, char *out, size_t cap)
{
    size_t o = 0;

    out[0] = '\0';
    for (size_t i = 0; i < g->n && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s:%u:%s\n", g->items[i].rule, g->items[i].line,
                              g->items[i].match);
}

/* A secret split at any byte between two chunks (or three) is found the same way. */
static void test_chunk_straddling(void **state)
{
    dd_secrets *s = scanner();
    size_t len = strlen(straddle_text);
    static got whole, part;
    char want[4096], have[4096];

    (void)state;
    scan(s, "app/settings", straddle_text, &whole);
    assert_true(has_rule(&whole, "DD-SECRET-GITHUB-PAT"));
    assert_true(has_rule(&whole, "DD-SECRET-POSTGRES-URL-PASSWORD"));
    assert_true(has_rule(&whole, "DD-SECRET-PRIVATE-KEY-OPENSSH"));
    assert_true(has_rule(&whole, "DD-SECRET-STRIPE-SECRET-KEY"));
    assert_int_equal(whole.n, 4);
    findings_as_text(&whole, want, sizeof(want));
    for (size_t a = 1; a < len; a++) {
        dd_walk *w = NULL;
        dd_secrets *hs = scanner();

        dd_secrets__clear_kept(hs);
        dd_entry e = {.path = "app/settings", .type = DD_FT_REG, .size = len, .layer = 0};

        assert_int_equal(dd_walk_new(&w, NULL), DD_OK);
        assert_int_equal(dd_secrets_attach(hs, w), DD_OK);
        feed_chunks(w, &e, straddle_text, len, a, a + (a % 7) + 1 < len ? a + (a % 7) + 1 : len);
        memset(&part, 0, sizeof(part));
        assert_int_equal(dd_secrets_collect(hs, w, collect_fn, &part), DD_OK);
        findings_as_text(&part, have, sizeof(have));
        if (strcmp(want, have) != 0)
            fail_msg("split at %zu:\n%s\nwanted:\n%s", a, have, want);
        dd_walk_free(w);
        if (a > 40 && a < len - 60)
            a += 3; /* every byte around the secrets' edges, a sample in between */
    }
    release(s);
}

/* ---- layers built in memory: a file deleted and one replaced by an upper layer ---- */

typedef struct {
    struct archive *a;
    unsigned char buf[1 << 16];
    size_t used;
} tar_mem;

static void tar_begin(tar_mem *t)
{
    t->a = archive_write_new();
    assert_int_equal(archive_write_set_format_pax_restricted(t->a), ARCHIVE_OK);
    assert_int_equal(archive_write_open_memory(t->a, t->buf, sizeof(t->buf), &t->used),
                     ARCHIVE_OK);
}

static void tar_file(tar_mem *t, const char *path, const char *content)
{
    struct archive_entry *e = archive_entry_new();
    size_t len = strlen(content);

    archive_entry_set_pathname(e, path);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)len);
    assert_int_equal(archive_write_header(t->a, e), ARCHIVE_OK);
    if (len)
        assert_int_equal(archive_write_data(t->a, content, len), (la_ssize_t)len);
    archive_entry_free(e);
}

static void tar_end(tar_mem *t)
{
    assert_int_equal(archive_write_close(t->a), ARCHIVE_OK);
    archive_write_free(t->a);
}

static void test_layers_removed_in(void **state)
{
    static tar_mem l0, l1, l2;
    dd_walk *w = NULL;
    dd_secrets *s = scanner();
    static got g;
    dd_walk_opts wo = DD_WALK_OPTS_INIT;

    (void)state;
    tar_begin(&l0);
    tar_file(&l0, "app/.env", "STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n");
    tar_file(&l0, "app/config.yml", "# v1\ntoken: glpat-Xy7Qw9Er3Ty5Ui1Op0As\n");
    tar_file(&l0, "usr/bin/tool", "\x7f" "ELF\x02\x01 ghp_R4nd0mT0k3nV4lu3Xy9Qw8Er7Ty6Ui5Op4Zm");
    tar_end(&l0);
    tar_begin(&l1);
    tar_file(&l1, "app/.wh..env", "");
    tar_end(&l1);
    tar_begin(&l2);
    tar_file(&l2, "app/config.yml", "# v2\n\ntoken: glpat-Ab3Cd5Ef7Gh9Ij1Kl3Mn\n");
    tar_end(&l2);

    const void *bufs[] = {l0.buf, l1.buf, l2.buf};
    size_t lens[] = {l0.used, l1.used, l2.used};

    wo.threads = 3;
    dd_secrets__clear_kept(s);
    assert_int_equal(dd_walk_new(&w, &wo), DD_OK);
    assert_int_equal(dd_secrets_attach(s, w), DD_OK);
    assert_int_equal(dd_walk__run_buffers(w, "test-image", bufs, lens, 3, 100), DD_OK);
    memset(&g, 0, sizeof(g));
    assert_int_equal(dd_secrets_collect(s, w, collect_fn, &g), DD_OK);
    assert_int_equal(g.n, 3);
    /* sorted by path, layer, line */
    assert_string_equal(g.items[0].path, "app/.env");
    assert_string_equal(g.items[0].rule, "DD-SECRET-STRIPE-SECRET-KEY");
    assert_int_equal(g.items[0].layer, 0);
    assert_int_equal(g.items[0].removed_in, 1);
    assert_non_null(strstr(g.items[0].message, "removed in layer 1, still shipped in layer 0"));
    assert_string_equal(g.items[1].path, "app/config.yml");
    assert_int_equal(g.items[1].layer, 0);
    assert_int_equal(g.items[1].removed_in, 2);
    assert_int_equal(g.items[1].line, 2);
    assert_string_equal(g.items[2].path, "app/config.yml");
    assert_int_equal(g.items[2].layer, 2);
    assert_int_equal(g.items[2].removed_in, -1);
    assert_int_equal(g.items[2].line, 3);
    assert_string_equal(g.items[2].match, "gl**********************Mn");

    dd_secrets_stats st;

    dd_secrets_get_stats(s, &st);
    assert_true(st.binary_skipped >= 1);
    dd_walk_free(w);
    release(s);
}

static void test_config(void **state)
{
    dd_secrets *s = scanner();
    static got g;
    const char *env[] = {"PATH=/usr/local/bin:/usr/bin", "DATABASE_PASSWORD=Vb7#kQ2zLp9X",
                         "HOME=/root"};
    dd_history hist[] = {
        {.created_by = "/bin/sh -c #(nop) ADD file:abc in /", .layer = 0},
        {.created_by = "/bin/sh -c #(nop)  ENV DATABASE_PASSWORD=Vb7#kQ2zLp9X",
         .empty_layer = 1, .layer = -1},
        {.created_by = "RUN /bin/sh -c echo //registry.npmjs.org/:_authToken="
                       "npm_Q8w7E6r5T4y3U2i1O0pA9s8D7f6G5h4J3k2L > .npmrc",
         .layer = 1},
    };
    dd_image_config cfg = {.env = env, .n_env = 3, .history = hist, .n_history = 3};

    (void)state;
    memset(&g, 0, sizeof(g));
    assert_int_equal(dd_secrets_scan_config(s, &cfg, collect_fn, &g), DD_OK);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.items[0].rule, "DD-SECRET-GENERIC-PASSWORD");
    assert_string_equal(g.items[0].location, "Env");
    assert_non_null(strstr(g.items[0].message, "DATABASE_PASSWORD"));
    assert_null(strstr(g.items[0].message, "Vb7#kQ2zLp9X"));
    assert_string_equal(g.items[0].path, "");
    assert_string_equal(g.items[1].location, "history[1].created_by");
    assert_int_equal(g.items[1].layer, -1);
    assert_string_equal(g.items[2].location, "history[2].created_by");
    assert_string_equal(g.items[2].rule, "DD-SECRET-NPM-ACCESS-TOKEN");
    assert_int_equal(g.items[2].layer, 1);
    release(s);
}

/* Many threads scanning at once get the same findings as one. */
static dd_secrets *shared;

static void *thread_scan(void *arg)
{
    got *g = arg;

    for (int i = 0; i < 50; i++) {
        memset(g, 0, sizeof(*g));
        if (dd_secrets_scan_buffer(shared, "app/settings", straddle_text, strlen(straddle_text),
                                   collect_fn, g) != DD_OK)
            return (void *)1;
        if (g->n != 4)
            return (void *)1;
    }
    return NULL;
}

static void test_threads(void **state)
{
    pthread_t t[4];
    static got g[4];

    (void)state;
    shared = scanner();
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, thread_scan, &g[i]), 0);
    for (int i = 0; i < 4; i++) {
        void *rv;

        assert_int_equal(pthread_join(t[i], &rv), 0);
        assert_null(rv);
    }
}

/* A line far longer than the look-back window, and a file made of tokens: bounded work. */
static void test_long_lines_and_floods(void **state)
{
    dd_secrets *s = scanner();
    static got g;
    size_t n = 8u << 20;
    char *buf = malloc(n + 1);
    const char *tok = " ghp_R4nd0mT0k3nV4lu3Xy9Qw8Er7Ty6Ui5Op4Zm ";

    (void)state;
    assert_non_null(buf);
    for (size_t i = 0; i < n; i++)
        buf[i] = "abcdefghij0123456789+/"[i % 22];
    memcpy(buf + n / 2, tok, strlen(tok));
    buf[n] = '\0';
    memset(&g, 0, sizeof(g));
    assert_int_equal(dd_secrets_scan_buffer(s, "big", buf, n, collect_fn, &g), DD_OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.items[0].line, 1);
    /* a flood of tokens: findings per file are capped */
    for (size_t i = 0; i + 42 <= n; i += 42)
        memcpy(buf + i, "\nghp_R4nd0mT0k3nV4lu3Xy9Qw8Er7Ty6Ui5Op4Zm\n", 42);
    memset(&g, 0, sizeof(g));
    assert_int_equal(dd_secrets_scan_buffer(s, "flood", buf, n, collect_fn, &g), DD_OK);
    assert_true(g.n > 0 && g.n <= 256);
    free(buf);
    release(s);
}

/* ---- the compiled databases kept between runs ---- */

static int cache_file(const char *dir, char *path, size_t cap)
{
    char cmd[512];
    FILE *fp;
    int n = 0;

    snprintf(cmd, sizeof(cmd), "ls %s/secrets-*.hsdb 2>/dev/null", dir);
    if (!(fp = popen(cmd, "r")))
        return 0;
    while (fgets(path, (int)cap, fp)) {
        path[strcspn(path, "\n")] = '\0';
        n++;
    }
    pclose(fp);
    return n;
}

static void expect_finds_aws(dd_secrets *s)
{
    got g;

    scan(s, "app/config.env", "aws_access_key_id = AKIAZ7QW3RTY5UIO2PLM\n", &g);
    assert_true(has_rule(&g, "DD-SECRET-AWS-ACCESS-KEY-ID"));
}

static void test_compiled_cache(void **state)
{
    char dir[] = "/tmp/dd-secrets-cache.XXXXXX", path[1024], cmd[1200];
    dd_secrets_opts o = DD_SECRETS_OPTS_INIT;
    dd_secrets *s = NULL;
    FILE *fp;

    (void)state;
    assert_non_null(mkdtemp(dir));
    o.cache_dir = dir;
    /* the first scanner compiles and keeps the databases; the second loads them */
    assert_int_equal(dd_secrets_new(&s, &o), DD_OK);
    dd_secrets_free(s);
    assert_int_equal(cache_file(dir, path, sizeof(path)), 1);
    assert_int_equal(dd_secrets_new(&s, &o), DD_OK);
    assert_int_equal(dd_secrets_rule_count(s), dd_secrets_rule_count(scanner()));
    expect_finds_aws(s);
    dd_secrets_free(s);
    /* a damaged file is compiled again, and replaced */
    assert_non_null(fp = fopen(path, "r+b"));
    assert_int_equal(ftruncate(fileno(fp), 4000), 0);
    fclose(fp);
    assert_int_equal(dd_secrets_new(&s, &o), DD_OK);
    expect_finds_aws(s);
    dd_secrets_free(s);
    assert_non_null(fp = fopen(path, "r+b"));
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    assert_true(ftell(fp) > 4000);
    fseek(fp, 200, SEEK_SET);
    fputs("garbage in the middle of the serialised database", fp);
    fclose(fp);
    assert_int_equal(dd_secrets_new(&s, &o), DD_OK);
    expect_finds_aws(s);
    dd_secrets_free(s);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    /* "" keeps nothing */
    o.cache_dir = "";
    assert_int_equal(dd_secrets_new(&s, &o), DD_OK);
    expect_finds_aws(s);
    dd_secrets_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_count),
        cmocka_unit_test(test_every_rule_finds_random_token),
        cmocka_unit_test(test_examples_are_allowed),
        cmocka_unit_test(test_redaction),
        cmocka_unit_test(test_entropy_gate_and_placeholders),
        cmocka_unit_test(test_allow_paths),
        cmocka_unit_test(test_binary_and_size_cap),
        cmocka_unit_test(test_chunk_straddling),
        cmocka_unit_test(test_layers_removed_in),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_long_lines_and_floods),
        cmocka_unit_test(test_compiled_cache),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
