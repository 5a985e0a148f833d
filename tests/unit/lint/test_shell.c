/* Unit tests for the RUN shell splitter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lint/dockerfile_int.h"

static dd_sh_script split(dd_arena *a, const char *s)
{
    dd_sh_script sc;

    assert_int_equal(dd_sh__split(&sc, a, s, strlen(s)), DD_OK);
    return sc;
}

static const char *name(const dd_sh_script *sc, size_t i)
{
    return sc->cmds[i].argv[sc->cmds[i].cmd0];
}

static void operators(void **state)
{
    dd_arena *a;
    dd_sh_script sc;

    assert_int_equal(dd_arena_new(&a), DD_OK);
    sc = split(a, "set -eux; apt-get update && (cd /x || exit 1) | tee log; { echo a; }");
    assert_int_equal(sc.n, 6);
    assert_string_equal(name(&sc, 0), "set");
    assert_string_equal(name(&sc, 1), "apt-get");
    assert_string_equal(name(&sc, 2), "cd");
    assert_string_equal(name(&sc, 3), "exit");
    assert_string_equal(name(&sc, 4), "tee");
    assert_string_equal(name(&sc, 5), "echo");
    assert_true(sc.has_pipe);
    assert_true(sc.cmds[4].piped_in);
    dd_arena_free(a);
}

static void quotes_wrappers_and_substitutions(void **state)
{
    dd_arena *a;
    dd_sh_script sc;

    assert_int_equal(dd_arena_new(&a), DD_OK);
    sc = split(a, "DEBIAN_FRONTEND=noninteractive sudo -u root apt-get install -y \"a b\" 'c;d' "
                  "$(cat list) >/dev/null 2>&1 && echo `id -u`");
    assert_string_equal(name(&sc, 0), "cat");
    assert_string_equal(name(&sc, 1), "apt-get");
    assert_true(sc.cmds[1].sudo);
    assert_string_equal(sc.cmds[1].argv[sc.cmds[1].cmd0 + 3], "a b");
    assert_string_equal(sc.cmds[1].argv[sc.cmds[1].cmd0 + 4], "c;d");
    assert_string_equal(sc.cmds[1].argv[sc.cmds[1].argc - 1], "$(...)");
    assert_string_equal(name(&sc, 2), "id");
    assert_string_equal(name(&sc, 3), "echo");
    dd_arena_free(a);
}

static void hostile_input_does_not_crash(void **state)
{
    dd_arena *a;
    dd_sh_script sc;
    char deep[4096];

    assert_int_equal(dd_arena_new(&a), DD_OK);
    memset(deep, '(', sizeof(deep) - 1);
    deep[sizeof(deep) - 1] = '\0';
    sc = split(a, deep);
    (void)sc;
    memset(deep, ')', sizeof(deep) - 1);
    sc = split(a, deep);
    sc = split(a, "echo 'unterminated");
    assert_int_equal(sc.n, 1);
    sc = split(a, "$(( 1 << 2 )) ${X:-$(y)} \\");
    dd_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(operators),
        cmocka_unit_test(quotes_wrappers_and_substitutions),
        cmocka_unit_test(hostile_input_does_not_crash),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
