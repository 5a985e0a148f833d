/* Unit tests for the image checks: configuration rules over in-memory configs, file checks and
 * hygiene over layers written as ustar bytes and walked from memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "imgcheck/imgcheck_int.h"
#include "walk/walk_int.h"

/* ---- ustar layers ---- */

typedef struct {
    unsigned char *buf;
    size_t len, cap;
} tar_layer;

static void tar_reserve(tar_layer *t, size_t more)
{
    if (t->len + more <= t->cap)
        return;
    t->cap = (t->len + more) * 2;
    t->buf = realloc(t->buf, t->cap);
    assert_non_null(t->buf);
}

/* A zero-padded octal number filling `width - 1` digits and a NUL. */
static void octal(char *field, size_t width, uint64_t v)
{
    field[width - 1] = '\0';
    for (size_t i = width - 1; i-- > 0; v >>= 3)
        field[i] = (char)('0' + (v & 7));
}

/* type: '0' file, '5' directory, '2' symlink (link = target). */
static void tar_entry(tar_layer *t, const char *path, char type, unsigned mode, const char *data,
                      size_t len, const char *link)
{
    char h[512];
    unsigned sum = 0;

    assert_true(strlen(path) < 100);
    memset(h, 0, sizeof(h));
    memcpy(h, path, strlen(path));
    octal(h + 100, 8, mode);
    octal(h + 108, 8, 0);
    octal(h + 116, 8, 0);
    octal(h + 124, 12, type == '0' ? len : 0);
    octal(h + 136, 12, 1700000000);
    h[156] = type;
    if (link)
        memcpy(h + 157, link, strlen(link));
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    for (size_t i = 0; i < sizeof(h); i++)
        sum += (unsigned char)h[i];
    snprintf(h + 148, 8, "%06o", sum);
    tar_reserve(t, 512 + len + 512);
    memcpy(t->buf + t->len, h, 512);
    t->len += 512;
    if (type == '0' && len) {
        memcpy(t->buf + t->len, data, len);
        memset(t->buf + t->len + len, 0, (512 - len % 512) % 512);
        t->len += (len + 511) / 512 * 512;
    }
}

static void tar_file(tar_layer *t, const char *path, unsigned mode, const char *content)
{
    tar_entry(t, path, '0', mode, content, strlen(content), NULL);
}

static void tar_sized(tar_layer *t, const char *path, size_t size)
{
    char *data = malloc(size ? size : 1);

    assert_non_null(data);
    memset(data, 'x', size);
    tar_entry(t, path, '0', 0644, data, size, NULL);
    free(data);
}

static void tar_dir(tar_layer *t, const char *path, unsigned mode)
{
    tar_entry(t, path, '5', mode, NULL, 0, NULL);
}

static void tar_finish(tar_layer *t)
{
    tar_reserve(t, 1024);
    memset(t->buf + t->len, 0, 1024);
    t->len += 1024;
}

static dd_walk *walk_layers(tar_layer *layers, size_t n)
{
    const void *bufs[8];
    size_t lens[8];
    dd_walk *w;

    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++) {
        tar_finish(&layers[i]);
        bufs[i] = layers[i].buf;
        lens[i] = layers[i].len;
    }
    assert_int_equal(dd_walk_new(&w, NULL), DD_OK);
    assert_int_equal(dd_imgcheck_prepare(w), DD_OK);
    assert_int_equal(dd_walk__run_buffers(w, "test-image", bufs, lens, n, 0), DD_OK);
    for (size_t i = 0; i < n; i++)
        free(layers[i].buf);
    return w;
}

/* ---- collected findings ---- */

typedef struct {
    char rule[32], path[128], location[64], message[256];
    dd_severity severity;
    int32_t layer, removed_in;
    uint64_t bytes;
} finding;

typedef struct {
    finding f[256];
    size_t n;
} findings;

static int collect(const dd_issue *is, void *payload)
{
    findings *fs = payload;
    finding *f;

    assert_true(fs->n < 256);
    f = &fs->f[fs->n++];
    memset(f, 0, sizeof(*f));
    snprintf(f->rule, sizeof(f->rule), "%s", is->rule_id);
    snprintf(f->path, sizeof(f->path), "%s", is->path ? is->path : "");
    snprintf(f->location, sizeof(f->location), "%s", is->location ? is->location : "");
    snprintf(f->message, sizeof(f->message), "%s", is->message);
    f->severity = is->severity;
    f->layer = is->layer;
    f->removed_in = is->removed_in;
    f->bytes = is->bytes;
    assert_non_null(is->title);
    assert_non_null(is->fix);
    return DD_OK;
}

/* The findings of `rule` at `where` (a path or a location). */
static size_t count(const findings *fs, const char *rule, const char *where)
{
    size_t n = 0;

    for (size_t i = 0; i < fs->n; i++)
        if (strcmp(fs->f[i].rule, rule) == 0 &&
            (!where || strcmp(fs->f[i].path, where) == 0 || strcmp(fs->f[i].location, where) == 0))
            n++;
    return n;
}

static const finding *find(const findings *fs, const char *rule, const char *where)
{
    for (size_t i = 0; i < fs->n; i++)
        if (strcmp(fs->f[i].rule, rule) == 0 &&
            (strcmp(fs->f[i].path, where) == 0 || strcmp(fs->f[i].location, where) == 0))
            return &fs->f[i];
    fail_msg("no %s finding at %s", rule, where);
    return NULL;
}

/* ---- configuration rules ---- */

static dd_walk *empty_walk(void)
{
    tar_layer l = {0};

    tar_dir(&l, "etc/", 0755);
    tar_file(&l, "etc/passwd", 0644,
             "root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\napp:x:1000:1000::/app:\n");
    return walk_layers(&l, 1);
}

static void test_config_rules(void **state)
{
    static const char *const env[] = {
        "PATH=/usr/local/bin:/usr/bin",
        "PWD=/app",
        "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D",
        "DATABASE_PASSWORD=hunter2",
        "POSTGRES_PASSWORD_FILE=/run/secrets/db",
        "apiToken=abcdef123",
        "UPSTREAM=https://deploy:s3cr3tpw@git.example.com/x.git",
        "AWS_SECRET_ACCESS_KEY=",
        "NOTE=AKIAIOSFODNN7EXAMPLE",
        "EMPTY_TOKEN=${TOKEN}",
    };
    static const char *const ports[] = {"80/tcp", "22/tcp", "2222/tcp"};
    static const char *const volumes[] = {"/data", "/proc", "/sys/fs/cgroup/", "/devices"};
    dd_history hist[] = {
        {.created_by = "/bin/sh -c #(nop) ENV DATABASE_PASSWORD=hunter2",
         .layer = -1,
         .empty_layer = 1},
        {.created_by = "|1 NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz0123456789 /bin/sh -c npm ci",
         .layer = 0},
        {.created_by = "/bin/sh -c apt-get update", .layer = 1},
        {.created_by = "/bin/sh -c apt-get install -y curl", .layer = 2},
        {.created_by = "/bin/sh -c apt-get update && apt-get install -y x && rm -rf "
                       "/var/lib/apt/lists/*",
         .layer = 3},
    };
    dd_image_config cfg = {0};
    findings fs = {0};
    dd_walk *w = empty_walk();
    const finding *f;

    (void)state;
    cfg.env = env;
    cfg.n_env = sizeof(env) / sizeof(env[0]);
    cfg.exposed_ports = ports;
    cfg.n_exposed_ports = 3;
    cfg.volumes = volumes;
    cfg.n_volumes = 4;
    cfg.history = hist;
    cfg.n_history = sizeof(hist) / sizeof(hist[0]);
    assert_int_equal(dd_imgcheck_run(&cfg, w, collect, &fs), DD_OK);

    f = find(&fs, "DD-IMG-003", "User");
    assert_int_equal(f->severity, DD_SEV_MEDIUM);
    assert_int_equal(count(&fs, "DD-IMG-007", "Env"), 4);
    for (size_t i = 0; i < fs.n; i++) {
        assert_null(strstr(fs.f[i].message, "hunter2"));
        assert_null(strstr(fs.f[i].message, "s3cr3tpw"));
        assert_null(strstr(fs.f[i].message, "GPG_KEY"));
        assert_null(strstr(fs.f[i].message, "PWD="));
        assert_null(strstr(fs.f[i].message, "PASSWORD_FILE"));
    }
    /* the history repeats Env's password: reported once, under Env */
    assert_int_equal(count(&fs, "DD-IMG-007", "history[0].created_by"), 0);
    f = find(&fs, "DD-IMG-007", "history[1].created_by");
    assert_int_equal(f->layer, 0);
    assert_int_equal(f->severity, DD_SEV_HIGH);
    assert_int_equal(count(&fs, "DD-IMG-001", "ExposedPorts"), 1);
    assert_int_equal(count(&fs, "DD-IMG-005", "Volumes"), 2);
    assert_int_equal(find(&fs, "DD-IMG-005", "Volumes")->severity, DD_SEV_HIGH);
    assert_int_equal(find(&fs, "DD-IMG-002", "Healthcheck")->severity, DD_SEV_LOW);
    assert_int_equal(count(&fs, "DD-IMG-008", "history[2].created_by"), 1);
    assert_int_equal(count(&fs, "DD-IMG-008", "history[3].created_by"), 1);
    assert_int_equal(count(&fs, "DD-IMG-008", "history[4].created_by"), 0);
    /* sorted by rule id */
    for (size_t i = 1; i < fs.n; i++)
        assert_true(strcmp(fs.f[i - 1].rule, fs.f[i].rule) <= 0);
    dd_walk_free(w);
}

static void check_user(dd_walk *w, const char *user, size_t expected)
{
    const char *const cmd_test[] = {"CMD-SHELL", "true"};
    dd_healthcheck hc = {.test = cmd_test, .n_test = 2};
    dd_image_config cfg = {0};
    findings fs = {0};

    cfg.user = user;
    cfg.healthcheck = &hc;
    assert_int_equal(dd_imgcheck_run(&cfg, w, collect, &fs), DD_OK);
    if (count(&fs, "DD-IMG-003", "User") != expected)
        fail_msg("user \"%s\": %zu DD-IMG-003 findings, expected %zu", user,
                 count(&fs, "DD-IMG-003", "User"), expected);
    assert_int_equal(count(&fs, "DD-IMG-002", NULL), 0);
}

static void test_user(void **state)
{
    dd_walk *w = empty_walk();

    (void)state;
    check_user(w, "root", 1);
    check_user(w, "0:0", 1);
    check_user(w, "root:app", 1);
    check_user(w, "toor", 1); /* uid 0 in etc/passwd */
    check_user(w, "app", 0);
    check_user(w, "1000:1000", 0);
    check_user(w, "10", 0);
    dd_walk_free(w);
}

/* ---- files ---- */

#define PRIVATE_KEY                                                                                \
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n"          \
    "-----END PRIVATE KEY-----\n"

static void test_files(void **state)
{
    tar_layer l[3] = {{0}};
    findings fs = {0};
    const finding *f;
    dd_walk *w;

    (void)state;
    tar_dir(&l[0], "etc/", 0755);
    tar_file(&l[0], "etc/passwd", 0644,
             "root:x:0:0:root:/root:/bin/sh\nbob:x:1000:1000::/home/bob:/bin/sh\n"
             "toor:x:0:0::/root:/bin/sh\nnis:\n+::::::\n");
    tar_file(&l[0], "etc/shadow", 0640, "root:*:19000:0:99999:7:::\nbob::19000::::::\n");
    tar_file(&l[0], "etc/group", 0644, "root:x:0:\nstaff:x:50:\nadm:x:50:\n");
    tar_dir(&l[0], "tmp/", 01777);
    tar_file(&l[0], "tmp/scratch", 0666, "x");
    tar_dir(&l[0], "usr/", 0755);
    tar_dir(&l[0], "usr/bin/", 0755);
    tar_file(&l[0], "usr/bin/su", 04755, "ELF");
    tar_file(&l[0], "usr/bin/wall", 02755, "ELF");
    tar_dir(&l[0], "var/", 0755);
    tar_dir(&l[0], "var/www/", 0777);
    tar_file(&l[0], "var/www/index.html", 0666, "hi");
    tar_dir(&l[0], "app/", 0755);
    tar_file(&l[0], "app/.env", 0644, "DB_PASSWORD=x\n");
    tar_file(&l[0], "app/.env.example", 0644, "DB_PASSWORD=\n");
    tar_file(&l[0], "app/.npmrc", 0644, "//registry.npmjs.org/:_authToken=npm_abcdef\n");
    tar_file(&l[0], "app/sub/.npmrc", 0644, "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n");
    tar_file(&l[0], "app/tls/server.pem", 0600, PRIVATE_KEY);
    tar_file(&l[0], "app/tls/ca.pem", 0644,
             "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    tar_file(&l[0], "usr/share/doc/pkg/example.key", 0644, PRIVATE_KEY);
    tar_file(&l[0], "root/.ssh/id_ed25519", 0600, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
    tar_file(&l[0], "root/.ssh/id_ed25519.pub", 0644, "ssh-ed25519 AAAA\n");
    tar_file(&l[0], "root/.docker/config.json", 0600,
             "{\"auths\":{\"registry.example.com\":{\"auth\":\"dXNlcjpwYXNz\"}}}");
    tar_file(&l[0], "home/u/.docker/config.json", 0600, "{\"auths\":{},\"credsStore\":\"pass\"}");
    tar_file(&l[0], "root/.aws/credentials", 0600,
             "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
             "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
    tar_file(&l[0], "root/.git-credentials", 0600, "https://u:tok@github.com\n");
    tar_file(&l[0], "root/.kube/config", 0600,
             "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: abc123\n");
    tar_file(&l[0], "app/.git/config", 0644,
             "[remote \"origin\"]\n\turl = https://deploy:ghp_x@github.com/o/r.git\n");
    tar_file(&l[0], "app/.git/HEAD", 0644, "ref: refs/heads/main\n");
    tar_file(&l[0], "root/.pypirc", 0600, "[pypi]\nusername = __token__\npassword = pypi-AgEI\n");
    /* layer 1 deletes .env and rewrites the .npmrc without its token */
    tar_dir(&l[1], "app/", 0755);
    tar_file(&l[1], "app/.wh..env", 0644, "");
    tar_file(&l[1], "app/.npmrc", 0644, "registry=https://registry.npmjs.org/\n");
    tar_dir(&l[2], "srv/", 0755);
    w = walk_layers(l, 3);
    assert_int_equal(dd_imgcheck_run(NULL, w, collect, &fs), DD_OK);

    f = find(&fs, "DD-SEC-005", "app/.env");
    assert_int_equal(f->layer, 0);
    assert_int_equal(f->removed_in, 1);
    assert_int_equal(f->severity, DD_SEV_HIGH);
    assert_non_null(strstr(f->message, "removed in layer 1, still shipped in layer 0"));
    f = find(&fs, "DD-SEC-005", "app/.npmrc");
    assert_int_equal(f->layer, 0);
    assert_int_equal(f->removed_in, 1);
    assert_int_equal(count(&fs, "DD-SEC-005", "app/.npmrc"), 1);
    assert_int_equal(count(&fs, "DD-SEC-005", "app/sub/.npmrc"), 0);
    assert_int_equal(count(&fs, "DD-SEC-005", "app/.env.example"), 0);
    assert_int_equal(find(&fs, "DD-SEC-005", "app/tls/server.pem")->severity, DD_SEV_HIGH);
    assert_int_equal(count(&fs, "DD-SEC-005", "app/tls/ca.pem"), 0);
    assert_int_equal(find(&fs, "DD-SEC-005", "usr/share/doc/pkg/example.key")->severity,
                     DD_SEV_LOW);
    assert_int_equal(count(&fs, "DD-SEC-005", "root/.ssh/id_ed25519"), 1);
    assert_int_equal(count(&fs, "DD-SEC-005", "root/.ssh/id_ed25519.pub"), 0);
    assert_int_equal(count(&fs, "DD-SEC-005", "root/.docker/config.json"), 1);
    assert_int_equal(count(&fs, "DD-SEC-005", "home/u/.docker/config.json"), 0);
    assert_int_equal(count(&fs, "DD-SEC-005", "root/.aws/credentials"), 1);
    assert_int_equal(count(&fs, "DD-SEC-005", "root/.git-credentials"), 1);
    assert_int_equal(count(&fs, "DD-SEC-005", "root/.kube/config"), 1);
    assert_int_equal(count(&fs, "DD-SEC-005", "app/.git/config"), 1);
    assert_int_equal(count(&fs, "DD-SEC-005", "root/.pypirc"), 1);
    assert_int_equal(count(&fs, "DD-SEC-005", NULL), 11);
    /* unneeded directories: the outermost only (implicit ones too) */
    assert_int_equal(count(&fs, "DD-IMG-006", "app/.git"), 1);
    assert_int_equal(count(&fs, "DD-IMG-006", "root/.aws"), 1);
    assert_int_equal(count(&fs, "DD-IMG-006", NULL), 2);
    /* modes */
    assert_int_equal(count(&fs, "DD-IMG-004", "usr/bin/su"), 1);
    assert_int_equal(count(&fs, "DD-IMG-004", "usr/bin/wall"), 1);
    assert_int_equal(count(&fs, "DD-IMG-004", NULL), 2);
    assert_int_equal(count(&fs, DD_IMGCHECK_RULE_WORLD_WRITABLE, "var/www"), 1);
    assert_int_equal(count(&fs, DD_IMGCHECK_RULE_WORLD_WRITABLE, "var/www/index.html"), 1);
    assert_int_equal(count(&fs, DD_IMGCHECK_RULE_WORLD_WRITABLE, NULL), 2);
    /* accounts */
    f = find(&fs, "DD-USR-005", "etc/shadow");
    assert_int_equal(f->severity, DD_SEV_HIGH);
    assert_non_null(strstr(f->message, "\"bob\""));
    assert_int_equal(count(&fs, "DD-USR-005", NULL), 1);
    assert_int_equal(count(&fs, "DD-USR-006", "etc/passwd"), 1);
    assert_non_null(strstr(find(&fs, "DD-USR-006", "etc/passwd")->message, "toor"));
    assert_int_equal(count(&fs, "DD-USR-006", "etc/group"), 1);
    dd_walk_free(w);
}

/* ---- hygiene ---- */

static dd_walk *hygiene_walk(void)
{
    tar_layer l[3] = {{0}};

    tar_sized(&l[0], "a", 3000);
    tar_sized(&l[0], "b", 50);
    tar_dir(&l[0], "d/", 0755);
    tar_sized(&l[0], "d/x", 30);
    tar_sized(&l[0], "d/y", 20);
    tar_dir(&l[0], "bin/", 0755);
    tar_sized(&l[0], "bin/dash", 7);
    tar_entry(&l[0], "bin/sh", '2', 0777, NULL, 0, "dash");
    tar_dir(&l[0], "usr/", 0755);
    tar_dir(&l[0], "usr/bin/", 0755);
    tar_sized(&l[0], "usr/bin/dpkg", 3);
    tar_sized(&l[0], "var/lib/apt/lists/deb.debian.org_Packages", 1000);
    tar_entry(&l[0], "var/lib/apt/lists/lock", '0', 0640, "", 0, NULL);
    tar_sized(&l[1], "a", 10);
    tar_entry(&l[1], ".wh.b", '0', 0644, "", 0, NULL);
    tar_entry(&l[1], ".wh.d", '0', 0644, "", 0, NULL);
    tar_sized(&l[2], "c", 5);
    tar_sized(&l[2], "root/.cache/pip/http/1", 300);
    tar_sized(&l[2], "usr/bin/gcc-12", 4);
    tar_sized(&l[2], "usr/bin/make", 4);
    tar_entry(&l[2], "usr/bin/git", '2', 0777, NULL, 0, "/nonexistent/git");
    return walk_layers(l, 3);
}

static void test_hygiene(void **state)
{
    dd_walk *w = hygiene_walk();
    const dd_hygiene_summary *s;
    const dd_hygiene_layer *l0, *l1, *l2;
    dd_hygiene *h;
    findings fs = {0};

    (void)state;
    assert_int_equal(dd_hygiene_compute(&h, NULL, w), DD_OK);
    s = dd_hygiene_summary_get(h);
    assert_int_equal(dd_hygiene_layer_count(h), 3);
    l0 = dd_hygiene_layer_get(h, 0);
    l1 = dd_hygiene_layer_get(h, 1);
    l2 = dd_hygiene_layer_get(h, 2);
    assert_int_equal(l0->bytes, 3000 + 50 + 30 + 20 + 7 + 3 + 1000);
    assert_int_equal(l0->wasted_bytes, 3100);
    assert_int_equal(l0->wasted_files, 4);
    assert_int_equal(l1->bytes, 10);
    assert_int_equal(l1->wasted_bytes, 0);
    assert_int_equal(l1->removed_bytes, 3100);
    assert_int_equal(l1->removed_files, 4);
    assert_int_equal(l2->bytes, 5 + 300 + 4 + 4);
    assert_int_equal(s->wasted_bytes, 3100);
    /* dive: a 3000+10 (twice), b 50+0 (twice); d/x, d/y, the whiteout of d (50), the rest once */
    assert_int_equal(s->dive_wasted_bytes, 3060);
    {
        double all = 3010 + 50 + 30 + 20 + 50 + 7 + 3 + 1000 + 5 + 300 + 4 + 4;
        double min = 10 + 0 + 30 + 20 + 50 + 7 + 3 + 1000 + 5 + 300 + 4 + 4;

        assert_true(s->efficiency > min / all - 1e-9 && s->efficiency < min / all + 1e-9);
    }
    assert_int_equal(dd_hygiene_cache_count(h), 2);
    assert_string_equal(dd_hygiene_cache_get(h, 0)->path, "root/.cache/pip");
    assert_string_equal(dd_hygiene_cache_get(h, 0)->kind, "pip");
    assert_int_equal(dd_hygiene_cache_get(h, 0)->layer, 2);
    assert_int_equal(dd_hygiene_cache_get(h, 0)->bytes, 300);
    assert_string_equal(dd_hygiene_cache_get(h, 1)->path, "var/lib/apt/lists");
    assert_int_equal(dd_hygiene_cache_get(h, 1)->bytes, 1000);
    assert_int_equal(dd_hygiene_cache_get(h, 1)->files, 2);
    assert_int_equal(dd_hygiene_tool_count(h), 2); /* the dangling git link is no git */
    assert_string_equal(dd_hygiene_tool_get(h, 0)->name, "gcc");
    assert_string_equal(dd_hygiene_tool_get(h, 0)->path, "usr/bin/gcc-12");
    assert_string_equal(dd_hygiene_tool_get(h, 1)->name, "make");
    assert_string_equal(s->shell, "bin/sh");
    assert_string_equal(s->package_manager, "usr/bin/dpkg");

    assert_int_equal(dd_hygiene_issues(h, collect, &fs), DD_OK);
    assert_int_equal(count(&fs, "DD-HYG-001", NULL), 1);
    assert_int_equal(fs.f[0].layer, 0);
    assert_int_equal(fs.f[0].bytes, 3100);
    assert_int_equal(fs.f[0].severity, DD_SEV_LOW);
    assert_int_equal(count(&fs, "DD-HYG-002", NULL), 2);
    assert_int_equal(count(&fs, "DD-HYG-003", NULL), 2);
    assert_int_equal(count(&fs, "DD-HYG-004", NULL), 1);
    assert_int_equal(count(&fs, "DD-HYG-005", NULL), 1);
    for (size_t i = 0; i < fs.n; i++)
        assert_true(fs.f[i].severity < DD_SEV_HIGH);

    {
        char *text = NULL;
        size_t len = 0;
        FILE *fp = open_memstream(&text, &len);
        json_t *j;

        assert_int_equal(dd_hygiene_write_json(fp, h), DD_OK);
        fclose(fp);
        j = json_loads(text, 0, NULL);
        assert_non_null(j);
        assert_int_equal(json_integer_value(json_object_get(j, "wasted_bytes")), 3100);
        assert_int_equal(json_array_size(json_object_get(j, "layers")), 3);
        assert_string_equal(json_string_value(json_object_get(j, "shell")), "bin/sh");
        json_decref(j);
        free(text);
        fp = open_memstream(&text, &len);
        assert_int_equal(dd_hygiene_write_text(fp, h), DD_OK);
        fclose(fp);
        assert_non_null(strstr(text, "var/lib/apt/lists"));
        free(text);
    }
    dd_hygiene_free(h);
    dd_walk_free(w);
}

/* ---- parsers and helpers ---- */

static void test_accounts_parse(void **state)
{
    static const char data[] = "# comment\r\nroot:x:0:0:root:/root:/bin/sh\r\n\nshort:x:1\n"
                               "+nis::::::\nbig:x:99999999999:0:::\nneg:x:-1:0:::\n"
                               "nul:x:5:5:\0::\n:x:7:7:::\nlast:x:8:8:::";
    dd_imgcheck__account *r;
    dd_arena *a;
    size_t n;

    (void)state;
    assert_int_equal(dd_arena_new(&a), DD_OK);
    assert_int_equal(
        dd_imgcheck__accounts_parse(&r, &n, a, data, sizeof(data) - 1, DD_IMGCHECK__PASSWD), DD_OK);
    assert_int_equal(n, 4);
    assert_string_equal(r[0].name, "root");
    assert_int_equal(r[0].line, 2);
    assert_true(r[0].has_id);
    assert_int_equal(r[0].id, 0);
    assert_string_equal(r[1].name, "big");
    assert_false(r[1].has_id);
    assert_false(r[2].has_id);
    assert_string_equal(r[3].name, "last");
    assert_int_equal(r[3].id, 8);
    assert_int_equal(dd_imgcheck__accounts_parse(&r, &n, a, "", 0, DD_IMGCHECK__SHADOW), DD_OK);
    assert_int_equal(n, 0);
    dd_arena_free(a);
}

static void test_helpers(void **state)
{
    dd_arena *a;

    (void)state;
    assert_int_equal(dd_arena_new(&a), DD_OK);
    assert_string_equal(dd_imgcheck__redact(a, "hunter2", 7), "h*****2");
    assert_string_equal(dd_imgcheck__redact(a, "abcd", 4), "****");
    assert_string_equal(dd_imgcheck__redact(a, "abcdefghijklmnopqrstuvwxyz", 26),
                        "a****************z");
    assert_true(dd_imgcheck__url_has_password("x https://u:p@h/x", 17));
    assert_false(dd_imgcheck__url_has_password("https://u@h/x", 13));
    assert_false(dd_imgcheck__url_has_password("https://u:$TOKEN@h", 18));
    assert_false(dd_imgcheck__url_has_password("http://h:8080/x@y", 17));
    assert_true(dd_imgcheck__has_private_key("x\n-----BEGIN EC PRIVATE KEY-----\n", 32));
    assert_false(dd_imgcheck__has_private_key("-----BEGIN PUBLIC KEY-----\n", 27));
    dd_arena_free(a);
}

/* ---- allocation failures ---- */

static long fail_at, calls;

static void *failing_malloc(size_t size, void *payload)
{
    (void)payload;
    return ++calls == fail_at ? NULL : malloc(size);
}

static void *failing_realloc(void *p, size_t size, void *payload)
{
    (void)payload;
    return ++calls == fail_at ? NULL : realloc(p, size);
}

static void plain_free(void *p, void *payload)
{
    (void)payload;
    free(p);
}

static int ignore(const dd_issue *is, void *payload)
{
    (void)is;
    (void)payload;
    return DD_OK;
}

static void test_alloc_failures(void **state)
{
    dd_allocator alloc = {failing_malloc, failing_realloc, plain_free, NULL};
    dd_walk *w = hygiene_walk();
    dd_image_config cfg = {0};
    int failures = 0;

    (void)state;
    dd_set_allocator(&alloc);
    for (fail_at = 1; fail_at < 2000; fail_at++) {
        dd_hygiene *h = NULL;
        int rc;

        calls = 0;
        rc = dd_imgcheck_run(&cfg, w, ignore, NULL);
        if (rc == DD_OK)
            rc = dd_hygiene_compute(&h, &cfg, w);
        if (rc == DD_OK)
            rc = dd_hygiene_issues(h, ignore, NULL);
        dd_hygiene_free(h);
        if (rc == DD_OK && calls < fail_at)
            break;
        assert_int_equal(rc, DD_ENOMEM);
        failures++;
    }
    dd_set_allocator(NULL);
    assert_true(failures > 10);
    dd_walk_free(w);
}

/* A callback's code stops the run and comes back. */
static int stop_at_first(const dd_issue *is, void *payload)
{
    (void)is;
    ++*(int *)payload;
    return DD_EIO;
}

static void test_callback_stops(void **state)
{
    dd_walk *w = empty_walk();
    dd_image_config cfg = {0};
    int seen = 0;

    (void)state;
    assert_int_equal(dd_imgcheck_run(&cfg, w, stop_at_first, &seen), DD_EIO);
    assert_int_equal(seen, 1);
    dd_walk_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_rules),   cmocka_unit_test(test_user),
        cmocka_unit_test(test_files),          cmocka_unit_test(test_hygiene),
        cmocka_unit_test(test_accounts_parse), cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_alloc_failures), cmocka_unit_test(test_callback_stops),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
