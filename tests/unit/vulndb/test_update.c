/* Unit tests for dd_vulndb_update's checks and failure paths (the transfers themselves are tested
 * against a real server by tests/vulndb/update/test_update.sh). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drydock/vulndb_update.h>

static char tmp_root[512];

static int setup(void **state)
{
    const char *base = getenv("DD_TEST_TMP");

    snprintf(tmp_root, sizeof(tmp_root), "%s/vulndb-update.XXXXXX", base ? base : "/tmp");
    if (base)
        mkdir(base, 0755);
    return mkdtemp(tmp_root) ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int teardown(void **state)
{
    return nftw(tmp_root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void ecosystem_names(void **state)
{
    const char *const *all;
    const char *out;
    size_t n;

    all = dd_vulndb_osv_ecosystems(&n);
    assert_int_equal(n, 14);
    assert_string_equal(all[0], "Debian");
    assert_int_equal(dd_vulndb_ecosystem_name(&out, "pypi"), DD_OK);
    assert_string_equal(out, "PyPI");
    assert_int_equal(dd_vulndb_ecosystem_name(&out, "CRATES.IO"), DD_OK);
    assert_string_equal(out, "crates.io");
    assert_int_equal(dd_vulndb_ecosystem_name(&out, "rocky linux"), DD_OK);
    assert_string_equal(out, "Rocky Linux");
    assert_int_equal(dd_vulndb_ecosystem_name(&out, "Hex"), DD_OK); /* not in the list: kept */
    assert_string_equal(out, "Hex");
    const char *bad[] = {"", ".", "..", "a/b", "..\\x", "a\nb", "tab\there"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(dd_vulndb_ecosystem_name(&out, bad[i]), DD_EINVALID);
        assert_non_null(strstr(dd_error_message(), "ecosystem"));
    }
}

static void bad_options_touch_nothing(void **state)
{
    dd_vulndb_update_opts o = DD_VULNDB_UPDATE_OPTS_INIT;
    dd_vulndb_update_stats st;
    const char *ecos[] = {"Debian", "../up"};
    char db[600];
    struct stat sb;

    snprintf(db, sizeof(db), "%s/bad/vuln.db", tmp_root);
    o.base_url = "ftp://example.org";
    assert_int_equal(dd_vulndb_update(db, &o, &st), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "ftp://example.org"));
    o.base_url = "http://example.org/a b";
    assert_int_equal(dd_vulndb_update(db, &o, &st), DD_EINVALID);
    o.base_url = "http://example.org";
    o.ecosystems = ecos;
    o.n_ecosystems = 2;
    assert_int_equal(dd_vulndb_update(db, &o, &st), DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "../up"));
    snprintf(db, sizeof(db), "%s/bad", tmp_root);
    assert_int_equal(stat(db, &sb), -1); /* nothing was created */
}

/* A loopback port on which nothing listens: bound (so no one else takes it) but not listening,
 * so a connection is refused at once. */
static int refused_port(int *fd_out)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    *fd_out = -1;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    *fd_out = fd;
    return ntohs(a.sin_port);
}

typedef struct {
    int calls;
    int failed;
    char first_message[512];
} seen;

static void on_fetch(const dd_vulndb_fetch_result *r, void *payload)
{
    seen *s = payload;

    if (s->calls++ == 0)
        snprintf(s->first_message, sizeof(s->first_message), "%s", r->message);
    s->failed += r->status == DD_VULNDB_FETCH_FAILED;
}

static int run_unreachable(const char *db, const char *url, seen *s, dd_vulndb_update_stats *st)
{
    dd_vulndb_update_opts o = DD_VULNDB_UPDATE_OPTS_INIT;
    const char *ecos[] = {"Debian", "crates.io", "Rocky Linux"};

    o.base_url = url;
    o.ecosystems = ecos;
    o.n_ecosystems = 3;
    o.timeout = 10;
    o.on_fetch = on_fetch;
    o.payload = s;
    memset(s, 0, sizeof(*s));
    return dd_vulndb_update(db, &o, st);
}

static void unreachable_server_fails_every_archive(void **state)
{
    dd_vulndb_update_stats st;
    char db[600], url[64], want[128], cache[640];
    struct stat sb;
    struct dirent *e;
    DIR *d;
    seen s;
    int fd, port = refused_port(&fd);

    assert_true(port > 0);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
    snprintf(db, sizeof(db), "%s/unreachable/vuln.db", tmp_root);
    assert_int_equal(run_unreachable(db, url, &s, &st), DD_ERROR);
    assert_int_equal(s.calls, 3);
    assert_int_equal(s.failed, 3);
    assert_int_equal(st.failed, 3);
    assert_int_equal(st.rebuilt, 0);
    snprintf(want, sizeof(want), "http://127.0.0.1:%d/Debian/all.zip: ", port);
    assert_non_null(strstr(s.first_message, want));
    assert_non_null(strstr(dd_error_message(), "3 of 3 archives could not be fetched"));
    assert_int_equal(stat(db, &sb), -1);
    /* no temporary is left in the cache */
    snprintf(cache, sizeof(cache), "%s/unreachable/osv/Rocky Linux", tmp_root);
    assert_non_null(d = opendir(cache));
    while ((e = readdir(d)) != NULL)
        assert_true(e->d_name[0] == '.');
    closedir(d);
    close(fd);
}

static int fail_after;

static void *failing_malloc(size_t size, void *payload)
{
    return fail_after-- > 0 ? malloc(size) : NULL;
}

static void *failing_realloc(void *p, size_t size, void *payload)
{
    return fail_after-- > 0 ? realloc(p, size) : NULL;
}

static void plain_free(void *p, void *payload)
{
    free(p);
}

/* Fails each of drydock's allocations in turn: every path reports ENOMEM (or, once no allocation
 * fails, the transfer errors) and leaks nothing (LeakSanitizer in the asan preset). */
static void allocation_failures_are_clean(void **state)
{
    const dd_allocator hook = {failing_malloc, failing_realloc, plain_free, NULL};
    dd_vulndb_update_stats st;
    char db[600], url[64];
    seen s;
    int fd, port = refused_port(&fd), n, rc = DD_ENOMEM;

    assert_true(port > 0);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
    snprintf(db, sizeof(db), "%s/faults/vuln.db", tmp_root);
    for (n = 0; n < 500 && rc != DD_ERROR; n++) {
        fail_after = n;
        dd_set_allocator(&hook);
        rc = run_unreachable(db, url, &s, &st);
        dd_set_allocator(NULL);
        assert_true(rc == DD_ENOMEM || rc == DD_ERROR);
    }
    assert_int_equal(rc, DD_ERROR);
    assert_true(n > 5);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ecosystem_names),
        cmocka_unit_test(bad_options_touch_nothing),
        cmocka_unit_test(unreachable_server_fails_every_archive),
        cmocka_unit_test(allocation_failures_are_clean),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
