/* Compose parser and rules: interpolation, anchors and merge keys, extends, ports and volumes,
 * the rules on good and bad files, and hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lint/compose_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static dd_lint_config *new_cfg(void)
{
    static const char *const env[] = {"TAG=1.2", "EMPTY=", "PORT=8080", "OVER=cfg"};
    dd_lint_config *cfg = NULL;

    assert_int_equal(dd_lint_config_new(&cfg), DD_OK);
    assert_int_equal(dd_lint_config_set_env(cfg, env, 4), DD_OK);
    return cfg;
}

static dd_compose *parse(const char *path, const char *yaml)
{
    dd_lint_config *cfg = new_cfg();
    dd_compose *c = NULL;
    int rc = dd_compose__parse(&c, path, yaml, strlen(yaml), cfg);

    if (rc)
        fail_msg("parse: %s", dd_error_message());
    dd_lint_config_free(cfg);
    return c;
}

static const dd_ynode *svc_get(const dd_compose *c, const char *svc, const char *key)
{
    for (size_t i = 0; i < c->n_services; i++)
        if (strcmp(c->services[i].name, svc) == 0)
            return dd_ynode_get(c->services[i].def, key);
    return NULL;
}

static void test_interpolation(void **state)
{
    (void)state;
    dd_compose *c = parse("/nonexistent/compose.yaml",
                          "services:\n"
                          "  a:\n"
                          "    image: \"x:${TAG}\"\n"
                          "    e1: ${EMPTY:-dflt}\n"
                          "    e2: ${EMPTY-dflt}\n"
                          "    e3: ${UNSET-dflt}\n"
                          "    e4: ${TAG:+set}${UNSET:+no}${EMPTY+empty-set}\n"
                          "    e5: $$TAG $TAG ${UNSET:?must}end\n"
                          "    e6: ${UNSET:-${ALSO:-${PORT}}}\n"
                          "    ${TAG}: key-not-interpolated\n");

    assert_string_equal(svc_get(c, "a", "image")->str, "x:1.2");
    assert_string_equal(svc_get(c, "a", "image")->raw, "x:${TAG}");
    assert_string_equal(svc_get(c, "a", "e1")->str, "dflt");
    assert_string_equal(svc_get(c, "a", "e2")->str, "");
    assert_string_equal(svc_get(c, "a", "e3")->str, "dflt");
    assert_string_equal(svc_get(c, "a", "e4")->str, "setempty-set");
    assert_string_equal(svc_get(c, "a", "e5")->str, "$TAG 1.2 end");
    assert_string_equal(svc_get(c, "a", "e6")->str, "8080");
    assert_non_null(svc_get(c, "a", "${TAG}"));
    dd_compose__free(c);
}

static void test_bad_interpolation(void **state)
{
    (void)state;
    const char *y = "services:\n  a:\n    image: ${TAG\n";
    dd_compose *c = NULL;

    assert_int_equal(dd_compose__parse(&c, "f.yml", y, strlen(y), NULL), DD_EINVALID);
    assert_string_equal(dd_error_message(), "f.yml:3: invalid interpolation format: unterminated \"${\"");
}

static void test_anchors_merge(void **state)
{
    (void)state;
    dd_compose *c = parse("/nonexistent/compose.yaml",
                          "x-base: &base\n"
                          "  read_only: true\n"
                          "  image: base:1\n"
                          "x-more: &more\n"
                          "  user: \"1000\"\n"
                          "  image: more:1\n"
                          "services:\n"
                          "  a:\n"
                          "    <<: [*base, *more]\n"
                          "    image: own:1\n"
                          "  b:\n"
                          "    <<: *more\n"
                          "    cap_drop: &drop [ALL]\n"
                          "  c:\n"
                          "    cap_drop: *drop\n");

    assert_int_equal(c->n_services, 3);
    assert_string_equal(svc_get(c, "a", "image")->str, "own:1"); /* explicit key wins */
    assert_true(dd_ynode_is_true(svc_get(c, "a", "read_only")));
    assert_string_equal(svc_get(c, "a", "user")->str, "1000");
    assert_string_equal(svc_get(c, "b", "image")->str, "more:1");
    assert_ptr_equal(svc_get(c, "b", "cap_drop"), svc_get(c, "c", "cap_drop"));
    assert_int_equal(svc_get(c, "a", "image")->line, 10);
    assert_int_equal(c->services[1].key->line, 11);
    dd_compose__free(c);
}

static char *tmp_dir(const char *name)
{
    const char *base = getenv("DD_TEST_TMP");
    static char path[2048];

    snprintf(path, sizeof(path), "%s/%s", base && *base ? base : "/tmp", name);
    mkdir(base && *base ? base : "/tmp", 0755);
    mkdir(path, 0755);
    return path;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char p[4200];
    FILE *f;

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_extends_and_dotenv(void **state)
{
    (void)state;
    char *dir = tmp_dir("compose_extends");
    char path[4200];
    const char *y = "services:\n"
                    "  web:\n"
                    "    extends:\n"
                    "      file: common.yml\n"
                    "      service: base\n"
                    "    image: \"web:${FROM_DOTENV}-${OVER}\"\n"
                    "    cap_add: [NET_BIND_SERVICE]\n"
                    "  local:\n"
                    "    extends: web\n";
    dd_lint_config *cfg = new_cfg();
    dd_lint_result *r = NULL;
    dd_compose *c = NULL;
    int saw_base = 0;

    write_file(dir, ".env", "# comment\nexport FROM_DOTENV=\"fromenv\"\nOVER=dotenv # x\n");
    write_file(dir, "common.yml",
               "services:\n  base:\n    read_only: true\n    cap_add: [CHOWN]\n"
               "    environment:\n      DB_PASSWORD: literal\n");
    snprintf(path, sizeof(path), "%s/compose.yml", dir);
    assert_int_equal(dd_compose__parse(&c, path, y, strlen(y), cfg), DD_OK);
    assert_string_equal(svc_get(c, "web", "image")->str, "web:fromenv-cfg");
    assert_true(dd_ynode_is_true(svc_get(c, "web", "read_only")));
    assert_int_equal(svc_get(c, "web", "cap_add")->n, 2); /* sequences concatenate */
    assert_string_equal(svc_get(c, "local", "image")->str, "web:fromenv-cfg");
    assert_null(svc_get(c, "local", "extends"));
    dd_compose__free(c);

    /* a finding on an inherited setting points into the base file */
    assert_int_equal(dd_lint_result_new(&r), DD_OK);
    assert_int_equal(dd_lint_compose(r, path, y, strlen(y), cfg), DD_OK);
    for (size_t i = 0; i < dd_lint_result_count(r); i++) {
        const dd_lint_finding *f = dd_lint_result_get(r, i);

        if (strcmp(f->rule->id, "DD-CMP-024") == 0) {
            assert_non_null(strstr(f->file, "common.yml"));
            assert_int_equal(f->line, 6);
            saw_base++;
        }
    }
    assert_int_equal(saw_base, 2); /* web and local both inherit it */
    dd_lint_result_free(r);

    {
        const char *cyc = "services:\n  a:\n    extends: b\n  b:\n    extends: a\n";

        assert_int_equal(dd_compose__parse(&c, path, cyc, strlen(cyc), cfg), DD_ELIMIT);
        assert_non_null(strstr(dd_error_message(), "extends chain"));
    }
    dd_lint_config_free(cfg);
}

static void test_ports(void **state)
{
    (void)state;
    dd_compose *c = parse("/nonexistent/compose.yaml",
                          "p:\n"
                          " - \"3000\"\n"
                          " - \"127.0.0.1:8001:8001\"\n"
                          " - \"127.0.0.1::5000\"\n"
                          " - \"9090-9091:8080-8081/udp\"\n"
                          " - \"[::1]:6001:6001\"\n"
                          " - 22:22\n"
                          " - {target: 80, published: \"127.0.0.1:8080\"}\n"
                          " - {target: 80, host_ip: 10.0.0.1, published: 8080}\n");
    const dd_ynode *p = dd_ynode_get(c->root, "p");
    dd_compose_port pt;

    assert_true(dd_compose__port_parse(p->items[0], &pt));
    assert_true(pt.published && pt.host_lo == 0 && pt.cont_lo == 3000 && !pt.host_ip[0]);
    assert_true(dd_compose__port_parse(p->items[1], &pt));
    assert_string_equal(pt.host_ip, "127.0.0.1");
    assert_int_equal(pt.host_lo, 8001);
    assert_true(dd_compose__port_parse(p->items[2], &pt));
    assert_string_equal(pt.host_ip, "127.0.0.1");
    assert_int_equal(pt.host_lo, 0);
    assert_int_equal(pt.cont_lo, 5000);
    assert_true(dd_compose__port_parse(p->items[3], &pt));
    assert_int_equal(pt.host_hi, 9091);
    assert_int_equal(pt.cont_hi, 8081);
    assert_string_equal(pt.proto, "udp");
    assert_true(dd_compose__port_parse(p->items[4], &pt));
    assert_string_equal(pt.host_ip, "::1");
    assert_true(dd_compose__port_parse(p->items[5], &pt)); /* YAML 1.1 would read 22:22 as 1342 */
    assert_int_equal(pt.cont_lo, 22);
    assert_true(dd_compose__port_parse(p->items[6], &pt));
    assert_string_equal(pt.host_ip, "127.0.0.1");
    assert_int_equal(pt.host_lo, 8080);
    assert_true(dd_compose__port_parse(p->items[7], &pt));
    assert_string_equal(pt.host_ip, "10.0.0.1");
    dd_compose__free(c);
}

static void test_volumes(void **state)
{
    (void)state;
    dd_compose *c = parse("/nonexistent/compose.yaml",
                          "v:\n"
                          " - /data\n"
                          " - ./src:/app:ro\n"
                          " - named:/var/lib/x\n"
                          " - type: bind\n"
                          "   source: /etc\n"
                          "   target: /host\n"
                          "   bind: {propagation: rshared}\n");
    const dd_ynode *v = dd_ynode_get(c->root, "v");
    dd_compose_volume vol;

    assert_true(dd_compose__volume_parse(c, v->items[0], &vol));
    assert_string_equal(vol.type, "volume");
    assert_string_equal(vol.source, "");
    assert_string_equal(vol.target, "/data");
    assert_true(dd_compose__volume_parse(c, v->items[1], &vol));
    assert_string_equal(vol.type, "bind");
    assert_string_equal(vol.source, "./src");
    assert_true(vol.read_only);
    assert_true(dd_compose__volume_parse(c, v->items[2], &vol));
    assert_string_equal(vol.type, "volume");
    assert_string_equal(vol.source, "named");
    assert_true(dd_compose__volume_parse(c, v->items[3], &vol));
    assert_string_equal(vol.source, "/etc");
    assert_string_equal(vol.propagation, "rshared");
    assert_int_equal(vol.source_line, 6);
    assert_int_equal(vol.propagation_line, 8);
    dd_compose__free(c);
}

/* Rule ids reported (W and E only when `we`), as "ID@LINE" joined by spaces. */
static char *lint_ids(const char *yaml, bool we)
{
    static char out[8192];
    dd_lint_config *cfg = new_cfg();
    dd_lint_result *r = NULL;
    size_t o = 0;

    assert_int_equal(dd_lint_result_new(&r), DD_OK);
    if (dd_lint_compose(r, "/nonexistent/compose.yaml", yaml, strlen(yaml), cfg))
        fail_msg("lint: %s", dd_error_message());
    out[0] = '\0';
    for (size_t i = 0; i < dd_lint_result_count(r); i++) {
        const dd_lint_finding *f = dd_lint_result_get(r, i);

        if (we && f->severity < DD_SEV_WARNING)
            continue;
        o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s@%u", o ? " " : "", f->rule->id,
                              f->line);
    }
    dd_lint_result_free(r);
    dd_lint_config_free(cfg);
    return out;
}

/* The seed's practices: nothing of warning or error level. */
static const char hardened[] =
    "services:\n"
    "  web:\n"
    "    image: nginx:1.27@sha256:0000000000000000000000000000000000000000000000000000000000000000\n"
    "    user: \"101:101\"\n"
    "    read_only: true\n"
    "    tmpfs: [/tmp, /var/cache/nginx]\n"
    "    cap_drop: [ALL]\n"
    "    cap_add: [NET_BIND_SERVICE]\n"
    "    security_opt: [\"no-new-privileges:true\"]\n"
    "    pids_limit: 100\n"
    "    deploy:\n"
    "      resources:\n"
    "        limits: {cpus: \"0.5\", memory: 256M}\n"
    "        reservations: {cpus: \"0.1\", memory: 64M}\n"
    "    ports: [\"127.0.0.1:8080:8080\"]\n"
    "    networks: [frontend]\n"
    "    healthcheck: {test: [\"CMD\", \"wget\", \"-q\", \"http://localhost:8080\"]}\n"
    "    restart: on-failure:5\n"
    "  db:\n"
    "    image: postgres:16@sha256:1111111111111111111111111111111111111111111111111111111111111111\n"
    "    user: \"999:999\"\n"
    "    read_only: true\n"
    "    tmpfs: [/tmp, /run/postgresql]\n"
    "    cap_drop: [ALL]\n"
    "    security_opt: [\"no-new-privileges:true\"]\n"
    "    pids_limit: 200\n"
    "    mem_limit: 1g\n"
    "    cpus: 1\n"
    "    environment:\n"
    "      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n"
    "      POSTGRES_USER: ${DB_USER}\n"
    "    secrets: [db_password]\n"
    "    volumes: [\"dbdata:/var/lib/postgresql/data\"]\n"
    "    networks: [backend]\n"
    "    healthcheck: {test: [\"CMD\", \"pg_isready\"]}\n"
    "networks:\n"
    "  frontend: {}\n"
    "  backend: {internal: true}\n"
    "volumes:\n"
    "  dbdata: {}\n"
    "secrets:\n"
    "  db_password: {file: ./db_password.txt}\n";

static void test_hardened_clean(void **state)
{
    (void)state;
    assert_string_equal(lint_ids(hardened, true), "");
}

static void test_bad_service(void **state)
{
    (void)state;
    const char *y = "services:\n"                                   /* 1 */
                    "  app:\n"                                      /* 2 */
                    "    image: myapp\n"                            /* 3 */
                    "    privileged: true\n"                        /* 4 */
                    "    network_mode: host\n"                      /* 5 */
                    "    pid: host\n"                               /* 6 */
                    "    cap_add: [SYS_ADMIN]\n"                    /* 7 */
                    "    security_opt: [seccomp:unconfined]\n"      /* 8 */
                    "    volumes:\n"                                /* 9 */
                    "      - /var/run/docker.sock:/var/run/docker.sock\n" /* 10 */
                    "      - /:/host\n"                             /* 11 */
                    "    environment:\n"                            /* 12 */
                    "      - API_TOKEN=abc123\n"                    /* 13 */
                    "      - ALLOW_EMPTY_PASSWORD=yes\n"            /* 14 */
                    "      - DB_PASSWORD=${DB_PASSWORD}\n"          /* 15 */
                    "    user: root\n"                              /* 16 */
                    "    devices: [/dev/kmsg]\n"                    /* 17 */
                    "    pids_limit: -1\n";                         /* 18 */
    const char *ids = lint_ids(y, true);

    assert_non_null(strstr(ids, "DD-CMP-001@4"));
    assert_non_null(strstr(ids, "DD-CMP-013@5"));
    assert_non_null(strstr(ids, "DD-CMP-014@6"));
    assert_non_null(strstr(ids, "DD-CMP-003@7"));
    assert_non_null(strstr(ids, "DD-CMP-007@8"));
    assert_non_null(strstr(ids, "DD-CMP-015@10"));
    assert_non_null(strstr(ids, "DD-CMP-016@11"));
    assert_non_null(strstr(ids, "DD-CMP-024@13"));
    assert_null(strstr(ids, "DD-CMP-024@14"));
    assert_null(strstr(ids, "DD-CMP-024@15"));
    assert_non_null(strstr(ids, "DD-CMP-025@16"));
    assert_non_null(strstr(ids, "DD-CMP-018@17"));
    assert_non_null(strstr(ids, "DD-CMP-011@18"));
    assert_non_null(strstr(ids, "DD-CMP-030@3"));
}

static void test_segmentation(void **state)
{
    (void)state;
    /* the db shares the default network with a published web service and publishes 5432 */
    const char *y = "services:\n"
                    "  web:\n"
                    "    image: nginx:1\n"
                    "    ports: [\"80:80\"]\n"
                    "  db:\n"
                    "    image: docker.io/library/postgres:16-alpine\n"
                    "    ports: [\"5432:5432\"]\n"
                    "    environment: {POSTGRES_PASSWORD: example}\n"
                    "  cache:\n"
                    "    image: redis:7\n"
                    "    networks: [back]\n"
                    "networks:\n"
                    "  back: {}\n";
    const char *ids = lint_ids(y, true);

    assert_non_null(strstr(ids, "DD-CMP-023@5"));
    assert_non_null(strstr(ids, "DD-CMP-021@7"));
    assert_non_null(strstr(ids, "DD-CMP-024@8"));
    assert_non_null(strstr(ids, "DD-CMP-023@9")); /* back is not internal */
    assert_non_null(strstr(ids, "DD-CMP-019@4"));
}

/* "# drydock ignore=" covers the next YAML line and the block under it; "global" the file. */
static void test_pragmas(void **state)
{
    const char *yaml = "# drydock global ignore=DD-CMP-026\n"
                       "services:\n"
                       "  # drydock ignore=DD-CMP-001,DD-CMP-002\n"
                       "  web:\n"
                       "    image: nginx:1.25\n"
                       "\n"
                       "    # drydock ignore=DD-CMP-009 DD-NOPE-1\n"
                       "    privileged: true\n"
                       "    deploy:\n"
                       "      resources: {}\n"
                       "  db:\n"
                       "    image: postgres:16\n"
                       "    privileged: true\n";
    const char *out = lint_ids(yaml, false);

    assert_null(strstr(out, "DD-CMP-026"));
    assert_null(strstr(out, "DD-CMP-001@8"));
    assert_null(strstr(out, "DD-CMP-002@4"));
    assert_non_null(strstr(out, "DD-CMP-001@13"));
    assert_non_null(strstr(out, "DD-CMP-002@11"));
    assert_non_null(strstr(out, "DD-CMP-009@10")); /* the pragma covered line 8 only */
}

static void expect_error(const char *yaml, size_t len, int code, const char *prefix)
{
    dd_lint_result *r = NULL;

    assert_int_equal(dd_lint_result_new(&r), DD_OK);
    assert_int_equal(dd_lint_compose(r, "bad.yml", yaml, len, NULL), code);
    if (strncmp(dd_error_message(), prefix, strlen(prefix)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", dd_error_message(), prefix);
    assert_int_equal(dd_lint_result_count(r), 0);
    dd_lint_result_free(r);
}

static void test_hostile(void **state)
{
    (void)state;
    size_t big = 10u << 20;
    char *buf = malloc(big + 64);
    size_t n;

    expect_error("services:\n  a: [\n", 17, DD_EINVALID, "bad.yml:3: invalid YAML");
    expect_error("services:\n\0\0\0", 13, DD_EINVALID, "bad.yml:2: binary file");
    expect_error("- a\n- b\n", 8, DD_EINVALID, "bad.yml:1: not a compose file");
    /* invalid UTF-8 in a directive made libfyaml 0.7.12 loop forever (found by fuzzing) */
    expect_error("a: 1\n%   x\x8a_name: y\n", 20, DD_EINVALID, "bad.yml:2: invalid UTF-8");
    expect_error("a: *nope\n", 9, DD_EINVALID, "bad.yml:1: unknown alias");
    expect_error("services: [1]\n", 14, DD_EINVALID, "bad.yml:1: services:");

    /* a 10 MB single line */
    assert_non_null(buf);
    n = (size_t)snprintf(buf, 64, "services:\n  a:\n    image: ");
    memset(buf + n, 'x', big);
    buf[n + big] = '\n';
    expect_error(buf, n + big + 1, DD_ELIMIT, "bad.yml:3: line longer than");

    /* deep nesting */
    memset(buf, '[', 100000);
    memset(buf + 100000, ']', 100000);
    expect_error(buf, 200000, DD_ELIMIT, "bad.yml:1: nesting deeper than 64");

    /* billion laughs */
    n = (size_t)snprintf(buf, 256, "a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
    for (int i = 1; i < 12; i++) {
        n += (size_t)snprintf(buf + n, 64, "a%d: &a%d [", i, i);
        for (int k = 0; k < 10; k++)
            n += (size_t)snprintf(buf + n, 64, "%s*a%d", k ? "," : "", i - 1);
        n += (size_t)snprintf(buf + n, 8, "]\n");
    }
    expect_error(buf, n, DD_ELIMIT, "bad.yml:6: aliases expand to more than");
    free(buf);

    /* empty and comment-only files are valid and clean */
    {
        dd_lint_result *r = NULL;

        assert_int_equal(dd_lint_result_new(&r), DD_OK);
        assert_int_equal(dd_lint_compose(r, "e.yml", "", 0, NULL), DD_OK);
        assert_int_equal(dd_lint_compose(r, "e.yml", "# x\n", 4, NULL), DD_OK);
        assert_int_equal(dd_lint_result_count(r), 0);
        dd_lint_result_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interpolation),   cmocka_unit_test(test_bad_interpolation),
        cmocka_unit_test(test_anchors_merge),   cmocka_unit_test(test_extends_and_dotenv),
        cmocka_unit_test(test_ports),           cmocka_unit_test(test_volumes),
        cmocka_unit_test(test_hardened_clean),  cmocka_unit_test(test_bad_service),
        cmocka_unit_test(test_segmentation),    cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_pragmas),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
