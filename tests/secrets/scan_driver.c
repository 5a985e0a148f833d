/* Test and benchmark driver of the secret scanner: scans files and directory trees through
 * dd_secrets_scan_buffer and prints one line per finding, or measures throughput, or prints
 * the rule catalogue as markdown.
 *
 *   dd_secrets_scan [--binary] [--max-bytes N] [--fail-on SEVERITY] PATH...
 *       one finding a line: SEVERITY<TAB>RULE<TAB>PATH:LINE<TAB>MATCH<TAB>MESSAGE; exit 1 when
 *       a finding is at or above --fail-on, 2 on an error (a message naming the file)
 *   dd_secrets_scan --bench MAX_MB PATH...
 *       reads text files (up to MAX_MB) into memory, then scans them on one thread and prints
 *       "bytes=N files=N seconds=S gbps=G cpu_seconds=S cpu_gbps=G compile_ms=C load_ms=L
 *       rules=R findings=F" (gbps from the wall clock, cpu_gbps from the thread's CPU time,
 *       which other load on the machine disturbs less)
 *   dd_secrets_scan --rules-md
 *       the rule table of docs/secrets.md */
#include <drydock/secrets.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    dd_severity fail_on;
    int failed;
    size_t findings;
} print_ctx;

static double clock_s(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

static int print_issue(const dd_issue *is, void *payload)
{
    print_ctx *c = payload;

    printf("%s\t%s\t%s:%u\t%s\t%s\n", dd_severity_name(is->severity), is->rule_id,
           is->path ? is->path : "-", is->line, is->match, is->message);
    c->findings++;
    if (c->fail_on != DD_SEV_UNKNOWN && is->severity >= c->fail_on)
        c->failed = 1;
    return DD_OK;
}

/* Reads a whole regular file (at most `max` bytes). */
static int read_all(const char *path, size_t max, char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    char *buf;
    size_t n = 0;

    *out = NULL;
    *len = 0;
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    size_t want = (uint64_t)st.st_size < max ? (size_t)st.st_size : max;

    buf = malloc(want + 1);
    if (!buf) {
        close(fd);
        return -1;
    }
    while (n < want) {
        ssize_t r = read(fd, buf + n, want - n);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *out = buf;
    *len = n;
    return 0;
}

typedef int (*file_fn)(const char *path, void *payload);

/* Every regular file below `path` (symlinks not followed), in directory order. */
static int walk(const char *path, file_fn fn, void *payload, int depth)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    int rc = 0;

    if (lstat(path, &st) != 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return 2;
    }
    if (S_ISREG(st.st_mode))
        return fn(path, payload);
    if (!S_ISDIR(st.st_mode) || depth > 512)
        return 0;
    if (!(d = opendir(path)))
        return 0; /* unreadable directories of a live system are skipped */
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        size_t n = strlen(path) + strlen(de->d_name) + 2;
        char *sub = malloc(n);

        if (!sub) {
            rc = 2;
            break;
        }
        snprintf(sub, n, "%s/%s", path, de->d_name);
        int r = walk(sub, fn, payload, depth + 1);

        free(sub);
        if (r > rc)
            rc = r;
        if (rc == 2)
            break;
    }
    closedir(d);
    return rc;
}

typedef struct {
    dd_secrets *s;
    print_ctx pc;
    size_t max;
} scan_ctx;

static int scan_file(const char *path, void *payload)
{
    scan_ctx *c = payload;
    char *buf;
    size_t len;
    int rc;

    if (read_all(path, c->max, &buf, &len) != 0)
        return 0; /* vanished or unreadable (a live system) */
    rc = dd_secrets_scan_buffer(c->s, path, buf, len, print_issue, &c->pc);
    free(buf);
    if (rc != DD_OK) {
        fprintf(stderr, "%s: %s\n", path, dd_error_message());
        return 2;
    }
    return 0;
}

typedef struct {
    char **bufs;
    size_t *lens;
    char **paths;
    size_t n, alloc, total, max_total;
} corpus;

static int collect_file(const char *path, void *payload)
{
    corpus *c = payload;
    char *buf;
    size_t len;

    if (c->total >= c->max_total)
        return 0;
    if (read_all(path, c->max_total - c->total, &buf, &len) != 0)
        return 0;
    /* text only: what the scanner would not skip as binary anyway */
    if (!len || memchr(buf, 0, len < 1024 ? len : 1024)) {
        free(buf);
        return 0;
    }
    if (c->n == c->alloc) {
        c->alloc = c->alloc ? c->alloc * 2 : 1024;
        c->bufs = realloc(c->bufs, c->alloc * sizeof(*c->bufs));
        c->lens = realloc(c->lens, c->alloc * sizeof(*c->lens));
        c->paths = realloc(c->paths, c->alloc * sizeof(*c->paths));
        if (!c->bufs || !c->lens || !c->paths)
            return 2;
    }
    c->bufs[c->n] = buf;
    c->lens[c->n] = len;
    c->paths[c->n] = strdup(path);
    c->n++;
    c->total += len;
    return 0;
}

static int count_issue(const dd_issue *is, void *payload)
{
    (void)is;
    (*(size_t *)payload)++;
    return DD_OK;
}

static int bench(int argc, char **argv)
{
    corpus c = {.max_total = (size_t)strtoull(argv[0], NULL, 10) << 20};
    dd_secrets *s = NULL;
    size_t findings = 0;
    double t0, t1, t2, c1, c2, compile_ms;

    for (int i = 1; i < argc; i++)
        if (walk(argv[i], collect_file, &c, 0) == 2)
            return 2;
    /* the compile without the cache, then a load from it (the first default-cache call may
     * compile and save, so it is not timed) */
    {
        dd_secrets_opts nocache = DD_SECRETS_OPTS_INIT;
        nocache.cache_dir = "";
        t0 = now();
        if (dd_secrets_new(&s, &nocache) != DD_OK) {
            fprintf(stderr, "secrets: %s\n", dd_error_message());
            return 2;
        }
        compile_ms = (now() - t0) * 1e3;
        dd_secrets_free(s);
        s = NULL;
    }
    for (int pass = 0; pass < 2; pass++) {
        dd_secrets_free(s);
        t0 = now();
        if (dd_secrets_new(&s, NULL) != DD_OK) {
            fprintf(stderr, "secrets: %s\n", dd_error_message());
            return 2;
        }
    }
    t1 = now();
    c1 = clock_s(CLOCK_THREAD_CPUTIME_ID);
    for (size_t i = 0; i < c.n; i++) {
        if (dd_secrets_scan_buffer(s, c.paths[i], c.bufs[i], c.lens[i], count_issue, &findings) !=
            DD_OK) {
            fprintf(stderr, "%s: %s\n", c.paths[i], dd_error_message());
            return 2;
        }
    }
    t2 = now();
    c2 = clock_s(CLOCK_THREAD_CPUTIME_ID);
    printf("bytes=%zu files=%zu seconds=%.3f gbps=%.3f cpu_seconds=%.3f cpu_gbps=%.3f "
           "compile_ms=%.1f load_ms=%.1f rules=%zu findings=%zu\n",
           c.total, c.n, t2 - t1, (double)c.total / (t2 - t1) / 1e9, c2 - c1,
           (double)c.total / (c2 - c1) / 1e9, compile_ms, (t1 - t0) * 1e3, dd_secrets_rule_count(s),
           findings);
    for (size_t i = 0; i < c.n; i++) {
        free(c.bufs[i]);
        free(c.paths[i]);
    }
    free(c.bufs);
    free(c.lens);
    free(c.paths);
    dd_secrets_free(s);
    return 0;
}

static void md_cell(const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", stdout);
        else if (*s == '\n')
            fputs("\\n", stdout);
        else if (*s == '`')
            fputs("\\`", stdout);
        else
            putchar(*s);
    }
}

static int rules_md(void)
{
    dd_secrets *s;

    if (dd_secrets_new(&s, NULL) != DD_OK) {
        fprintf(stderr, "secrets: %s\n", dd_error_message());
        return 2;
    }
    printf("| rule | category | severity | title | example (fake) |\n");
    printf("| --- | --- | --- | --- | --- |\n");
    for (size_t i = 0; i < dd_secrets_rule_count(s); i++) {
        const dd_secrets_rule_info *r = dd_secrets_rule(s, i);

        printf("| `%s` | %s | %s | ", r->id, r->category, dd_severity_name(r->severity));
        md_cell(r->title);
        printf(" | `");
        md_cell(r->example);
        printf("` |\n");
    }
    dd_secrets_free(s);
    return 0;
}

int main(int argc, char **argv)
{
    dd_secrets_opts opts = DD_SECRETS_OPTS_INIT;
    scan_ctx c = {.max = (size_t)64 << 20};
    int i = 1, rc = 0;

    if (argc > 1 && strcmp(argv[1], "--rules-md") == 0)
        return rules_md();
    if (argc > 2 && strcmp(argv[1], "--bench") == 0)
        return bench(argc - 2, argv + 2);
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--binary") == 0) {
            opts.scan_binary = true;
        } else if (strcmp(argv[i], "--max-bytes") == 0 && i + 1 < argc) {
            opts.max_file_bytes = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--fail-on") == 0 && i + 1 < argc) {
            if (dd_severity_parse(&c.pc.fail_on, argv[++i]) != DD_OK) {
                fprintf(stderr, "--fail-on: unknown severity \"%s\"\n", argv[i]);
                return 2;
            }
        } else {
            fprintf(stderr, "usage: dd_secrets_scan [--binary] [--max-bytes N] [--fail-on SEV] "
                            "PATH... | --bench MAX_MB PATH... | --rules-md\n");
            return 2;
        }
    }
    if (i == argc) {
        fprintf(stderr, "dd_secrets_scan: no path given\n");
        return 2;
    }
    if (dd_secrets_new(&c.s, &opts) != DD_OK) {
        fprintf(stderr, "secrets: %s\n", dd_error_message());
        return 2;
    }
    for (; i < argc && rc != 2; i++) {
        int r = walk(argv[i], scan_file, &c, 0);

        if (r > rc)
            rc = r;
    }
    dd_secrets_free(c.s);
    fflush(stdout);
    if (rc == 2)
        return 2;
    return c.pc.failed ? 1 : 0;
}
