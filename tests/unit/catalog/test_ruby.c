/* Unit tests for the Ruby cataloger: gemspecs as RubyGems writes them (current and 1.x
 * formats, the stub line, escapes), Gemfile.lock, and the rules over a root filesystem. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/pkgfiles_int.h"
#include <drydock/image.h>

#define LIT(s) s, strlen(s)

#include "pkglist_fixture.h"

static char *purl_of(const dd_package *p)
{
    char *purl = NULL;

    assert_int_equal(dd_package_purl(&purl, p, NULL), DD_OK);
    return purl;
}

/* The layout of RubyGems 3 (Gem::Specification#to_ruby), with String#dump escapes. */
static const char current[] =
    "# -*- encoding: utf-8 -*-\n"
    "# stub: nokogiri 1.15.4 x86_64-linux lib\n"
    "\n"
    "Gem::Specification.new do |s|\n"
    "  s.name = \"nokogiri\".freeze\n"
    "  s.version = \"1.15.4\"\n"
    "  s.platform = \"x86_64-linux\".freeze\n"
    "\n"
    "  s.required_rubygems_version = Gem::Requirement.new(\">= 0\".freeze) if "
    "s.respond_to? :required_rubygems_version=\n"
    "  s.metadata = { \"bug_tracker_uri\" => \"https://github.com/x/issues\", "
    "\"rubygems_mfa_required\" => \"true\" } if s.respond_to? :metadata=\n"
    "  s.require_paths = [\"lib\".freeze]\n"
    "  s.authors = [\"Mike Dalessio\".freeze, \"Andr\\u00E9 Arko\".freeze, \"\\u{1F600 "
    "41}\".freeze]\n"
    "  s.description = \"Nokogiri (\\u92F8) makes\\nit \\\"easy\\\" \\#{not} "
    "\\x41\\101\\e\".freeze\n"
    "  s.files = [\"bin/nokogiri\".freeze, \"lib/a \\\"b\\\".rb\".freeze]\n"
    "  s.licenses = [\"MIT\".freeze, \"Ruby\".freeze]\n"
    "  s.summary = \"Nokogiri (\\u92F8) \\\"easy\\\" \\#{x} \\x41\\101\\t\".freeze\n"
    "\n"
    "  s.installed_by_version = \"3.4.19\" if s.respond_to? :installed_by_version\n"
    "\n"
    "  if s.respond_to? :specification_version then\n"
    "    s.specification_version = 4\n"
    "  end\n"
    "\n"
    "  s.add_runtime_dependency(%q<racc>.freeze, [\"~> 1.4\"])\n"
    "end\n";

static void gemspec_current(void **state)
{
    fixture *f = *state;
    const dd_package *p;
    char *purl;

    assert_int_equal(dd_ruby__parse_gemspec(&f->list, "g/specifications/nokogiri.gemspec", current,
                                            strlen(current), 0),
                     DD_OK);
    assert_int_equal(f->list.n, 1);
    p = &f->list.v[0];
    assert_int_equal(p->type, DD_PKG_GEM);
    assert_string_equal(p->name, "nokogiri");
    assert_string_equal(p->version, "1.15.4");
    assert_string_equal(p->arch, "x86_64-linux");
    assert_int_equal(p->n_licenses, 2);
    assert_string_equal(p->licenses[1], "Ruby");
    assert_null(p->license);
    assert_string_equal(p->description, "Nokogiri (\xe9\x8b\xb8) \"easy\" #{x} AA\t");
    assert_string_equal(p->maintainer, "Mike Dalessio, Andr\xc3\xa9 Arko, \xf0\x9f\x98\x80"
                                       "A");
    assert_string_equal(p->path, "g/specifications/nokogiri.gemspec");
    assert_string_equal(p->db_path, p->path);
    purl = purl_of(p);
    assert_string_equal(purl, "pkg:gem/nokogiri@1.15.4?platform=x86_64-linux");
    dd_free(purl);
}

/* RubyGems 1.x wrote %q{} strings, Gem::Version-free versions and a date. */
static void gemspec_old(void **state)
{
    fixture *f = *state;
    const dd_package *p;
    static const char old[] =
        "# -*- encoding: utf-8 -*-\n"
        "\n"
        "Gem::Specification.new do |spec|\n"
        "  spec.name = %q{rack}\n"
        "  spec.version = \"1.0.0-rc1\"\n"
        "  spec.required_rubygems_version = Gem::Requirement.new(\">= 0\") if "
        "spec.respond_to? :required_rubygems_version=\n"
        "  spec.authors = [\"Christian {Neukirchen}\"]\n"
        "  spec.date = %q{2009-04-25}\n"
        "  spec.description = %q{Rack provides a minimal {modular} interface\n"
        "spanning lines \\} and \\\\ }\n"
        "  spec.license = 'MIT'\n"
        "  spec.platform = Gem::Platform.new([\"universal\", \"java\", nil])\n"
        "  spec.summary = %q{a modular Ruby webserver interface}\n"
        "=begin\n"
        "  spec.name = \"commented\"\n"
        "=end\n"
        "  if spec.respond_to? :specification_version then\n"
        "    current_version = Gem::Specification::CURRENT_SPECIFICATION_VERSION\n"
        "    spec.specification_version = 2\n"
        "  end\n"
        "end\n"
        "__END__\n"
        "spec.name = \"after end\"\n";

    assert_int_equal(
        dd_ruby__parse_gemspec(&f->list, "specifications/rack-1.0.0.gemspec", old, strlen(old), 0),
        DD_OK);
    p = &f->list.v[0];
    assert_string_equal(p->name, "rack");
    assert_string_equal(p->version, "1.0.0.pre.rc1"); /* Gem::Version#to_s */
    assert_string_equal(p->license, "MIT");
    assert_string_equal(p->arch, "universal-java");
    assert_string_equal(p->maintainer, "Christian {Neukirchen}");
    assert_string_equal(p->description, "a modular Ruby webserver interface");
}

static void gemspec_bad(void **state)
{
    fixture *f = *state;
    static const char cut[] = "# -*- encoding: utf-8 -*-\n"
                              "# stub: rake 13.0.6 ruby lib\n"
                              "Gem::Specification.new do |s|\n"
                              "  s.licenses = [\"MIT\".freeze]\n"
                              "  s.summary = \"never ends\n";
    static const char nul[] = "Gem::Specification.new do |s|\n  s.name = \"x\"\n  \0 s.version\n";

    /* a string that does not end: the stub line still names the gem */
    assert_int_equal(dd_ruby__parse_gemspec(&f->list, "specifications/rake.gemspec", LIT(cut), 0),
                     DD_EINVALID);
    assert_string_equal(dd_error_message(),
                        "specifications/rake.gemspec:5: a string that does not end");
    assert_int_equal(f->list.n, 1);
    assert_string_equal(f->list.v[0].name, "rake");
    assert_string_equal(f->list.v[0].version, "13.0.6");
    assert_string_equal(f->list.v[0].license, "MIT");
    /* cut by the capture limit */
    assert_int_equal(dd_ruby__parse_gemspec(&f->list, "specifications/rake.gemspec", LIT(cut), 1),
                     DD_ELIMIT);
    assert_int_equal(f->list.n, 2);
    /* no stub, no name */
    assert_int_equal(dd_ruby__parse_gemspec(&f->list, "s/x.gemspec", nul, sizeof(nul) - 1, 0),
                     DD_EINVALID);
    assert_string_equal(dd_error_message(), "s/x.gemspec:3: a NUL byte in the code");
    assert_int_equal(dd_ruby__parse_gemspec(&f->list, "s/x.gemspec", LIT("{\"name\": 1}"), 0),
                     DD_EINVALID);
    assert_non_null(strstr(dd_error_message(), "s/x.gemspec:1: no gem name and version"));
    /* an interpolation or a bad escape leaves the value unset: the stub wins */
    assert_int_equal(
        dd_ruby__parse_gemspec(&f->list, "s/y.gemspec",
                               LIT("# x\n# stub: y 2.0 ruby lib\nGem::Specification.new do |s|\n"
                                   "  s.name = \"#{n}\"\n  s.version = \"\\u{110000}\"\nend\n"),
                               0),
        DD_OK);
    assert_string_equal(f->list.v[f->list.n - 1].name, "y");
    assert_string_equal(f->list.v[f->list.n - 1].version, "2.0");
    assert_int_equal(f->list.n, 3);
}

static const char lock[] = "GIT\n"
                           "  remote: https://github.com/rails/sdoc.git\n"
                           "  revision: e9bb867eba81f48c402a129e688e810ec1fa387c\n"
                           "  branch: main\n"
                           "  specs:\n"
                           "    sdoc (3.0.0.alpha)\n"
                           "      nokogiri\n"
                           "\n"
                           "PATH\n"
                           "  remote: .\n"
                           "  specs:\n"
                           "    rails (8.0.0.alpha)\n"
                           "      actioncable (= 8.0.0.alpha)\n"
                           "\n"
                           "GEM\n"
                           "  remote: https://rubygems.org/\n"
                           "  specs:\n"
                           "    ffi (1.17.0)\r\n"
                           "    ffi (1.17.0-x86_64-darwin)\n"
                           "    ffi (1.17.0-x86_64-linux-gnu)\n"
                           "    nokogiri (1.16.7-x86_64-linux)\n"
                           "      racc (~> 1.4)\n"
                           "    racc (1.8.1)\n"
                           "\n"
                           "PLATFORMS\n"
                           "  ruby\n"
                           "  x86_64-linux\n"
                           "\n"
                           "DEPENDENCIES\n"
                           "  rails!\n"
                           "  sdoc!\n"
                           "\n"
                           "CHECKSUMS\n"
                           "  ffi (1.17.0) sha256=abc\n"
                           "\n"
                           "BUNDLED WITH\n"
                           "   2.5.16\n";

static void gemfile_lock(void **state)
{
    fixture *f = *state;

    assert_int_equal(dd_ruby__parse_gemfile_lock(&f->list, "app/Gemfile.lock", LIT(lock)), DD_OK);
    assert_int_equal(f->list.n, 4);
    assert_string_equal(named(&f->list, "sdoc")->version, "3.0.0.alpha");
    assert_string_equal(named(&f->list, "ffi")->version, "1.17.0");
    assert_string_equal(named(&f->list, "nokogiri")->version, "1.16.7");
    assert_null(named(&f->list, "nokogiri")->arch);
    assert_string_equal(named(&f->list, "racc")->path, "app/Gemfile.lock");
    assert_null(named(&f->list, "rails")); /* the application's own */
}

static void gemfile_lock_bad(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *text, *message;
    } cases[] = {
        {"GEM\n  specs:\n    a (1.0)\nSPECS\n", "L:4: \"SPECS\" is no Gemfile.lock section"},
        {"GEM\n  specs:\n    a\n", "L:3: a spec without \"(VERSION)\""},
        {"GEM\n  specs:\n    a (-x86)\n", "L:3: a spec without a version"},
        {"GEM\n  specs:\n     a (1.0)\n", "L:3: unexpected indentation (5 spaces)"},
        {"GEM\n  specs:\n<<<<<<< HEAD\n", "L:3: a merge conflict marker"},
        {"  a (1.0)\n", "L:1: an indented line before any section"},
        {"GEM\n  remote: x\n    a (1.0)\n", "L:3: unexpected indentation (4 spaces)"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(dd_ruby__parse_gemfile_lock(&f->list, "L", LIT(cases[i].text)),
                         DD_EINVALID);
        assert_string_equal(dd_error_message(), cases[i].message);
    }
    assert_int_equal(dd_ruby__parse_gemfile_lock(&f->list, "L", LIT("")), DD_OK);
    /* what was read before the damage is kept: a (1.0) of the first case */
    assert_int_equal(f->list.n, 1);
    assert_string_equal(f->list.v[0].version, "1.0");
}

/* --- through the walk --- */

static void write_file(const char *root, const char *rel, const char *text)
{
    char path[4096], dir[4096];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    for (char *s = strchr(path + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
        snprintf(dir, sizeof(dir), "%.*s", (int)(s - path), path);
        mkdir(dir, 0755);
    }
    assert_non_null(fp = fopen(path, "w"));
    fputs(text, fp);
    fclose(fp);
}

static const dd_package *at(const dd_inventory *inv, const char *path, const char *name)
{
    for (size_t i = 0; i < dd_inventory_count(inv); i++) {
        const dd_package *p = dd_inventory_get(inv, i);

        if (p->path && strcmp(p->path, path) == 0 && strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

static void spec(const char *root, const char *path, const char *name, const char *version)
{
    char text[512];

    snprintf(text, sizeof(text),
             "# -*- encoding: utf-8 -*-\n# stub: %s %s ruby lib\n\n"
             "Gem::Specification.new do |s|\n  s.name = \"%s\".freeze\n  s.version = \"%s\"\n"
             "  s.licenses = [\"MIT\".freeze]\nend\n",
             name, version, name, version);
    write_file(root, path, text);
}

static void walk_rules(void **state)
{
    const char *tmp = getenv("DD_TEST_TMP");
    char root[4096], ref[4200];
    dd_image *img = NULL;
    dd_walk *w = NULL;
    dd_walk_opts wo = DD_WALK_OPTS_INIT;
    dd_catalog_opts co = DD_CATALOG_OPTS_INIT;
    dd_inventory *inv = NULL;
    const dd_package *p;
    static const char app_lock[] = "GEM\n  remote: https://rubygems.org/\n  specs:\n"
                                   "    rack (2.2.8)\n    rake (13.0.6)\n    thin (1.8.2)\n"
                                   "\nPLATFORMS\n  ruby\n";

    (void)state;
    snprintf(root, sizeof(root), "%s/ruby-%d", tmp ? tmp : "/tmp", (int)getpid());
    mkdir(tmp ? tmp : "/tmp", 0755);
    mkdir(root, 0755);
    spec(root, "usr/local/bundle/specifications/rake-13.0.6.gemspec", "rake", "13.0.6");
    spec(root, "usr/local/bundle/specifications/rack-2.2.8.gemspec", "rack", "2.2.8");
    spec(root, "usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec", "json",
         "2.6.1");
    spec(root, "usr/lib/ruby/gems/3.1.0/specifications/deeper/x/no-1.0.gemspec", "no", "1.0");
    spec(root, "usr/lib/ruby/gems/3.1.0/gems/rake-13.0.6/rake.gemspec", "no", "2.0");
    write_file(root, "usr/lib/ruby/gems/3.1.0/specifications/broken-1.gemspec",
               "Gem::Specification.new do |s|\n  s.name = 'broken\n");
    /* bundled here: most of its gems (rack, rake) are installed; thin was left out */
    write_file(root, "srv/installed/Gemfile.lock", app_lock);
    /* not bundled here: of its gems only json, a default gem, is installed */
    write_file(root, "srv/locked/Gemfile.lock",
               "GEM\n  remote: https://rubygems.org/\n  specs:\n    json (2.6.1)\n"
               "    mustermann (3.0.0)\n    sinatra (3.1.0)\n");
    /* a gem's own development lockfile */
    write_file(root, "usr/local/bundle/gems/rake-13.0.6/Gemfile.lock", app_lock);
    write_file(root, "usr/local/bundle/bundler/gems/x-123/Gemfile.lock", app_lock);
    write_file(root, "srv/badlock/gems.locked", "GEM\n  specs:\n    a\n");
    snprintf(ref, sizeof(ref), "dir:%s", root);
    assert_int_equal(dd_image_open(&img, ref, NULL), DD_OK);
    assert_int_equal(dd_walk_new(&w, &wo), DD_OK);
    assert_int_equal(dd_catalog_register(w, &co), DD_OK);
    assert_int_equal(dd_walk_run(w, img), DD_OK);
    assert_int_equal(dd_catalog_run(&inv, w, &co), DD_OK);
    assert_int_equal(dd_inventory_warning_count(inv), 2);
    assert_string_equal(dd_inventory_warning(inv, 0),
                        "srv/badlock/gems.locked:3: a spec without \"(VERSION)\"");
    assert_string_equal(dd_inventory_warning(inv, 1),
                        "usr/lib/ruby/gems/3.1.0/specifications/broken-1.gemspec:2: a string that "
                        "does not end");
    assert_int_equal(dd_inventory_count(inv), 5);
    p = at(inv, "usr/local/bundle/specifications/rake-13.0.6.gemspec", "rake");
    assert_non_null(p);
    assert_string_equal(p->purl, "pkg:gem/rake@13.0.6");
    assert_string_equal(p->license, "MIT");
    assert_non_null(
        at(inv, "usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec", "json"));
    assert_null(at(inv, "srv/locked/Gemfile.lock", "json")); /* listed once, by its gemspec */
    assert_non_null(at(inv, "srv/locked/Gemfile.lock", "mustermann"));
    assert_null(at(inv, "srv/installed/Gemfile.lock", "thin"));
    assert_string_equal(at(inv, "srv/locked/Gemfile.lock", "sinatra")->purl,
                        "pkg:gem/sinatra@3.1.0");
    dd_inventory_free(inv);
    dd_walk_free(w);
    dd_image_free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(gemspec_current, setup, teardown),
        cmocka_unit_test_setup_teardown(gemspec_old, setup, teardown),
        cmocka_unit_test_setup_teardown(gemspec_bad, setup, teardown),
        cmocka_unit_test_setup_teardown(gemfile_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(gemfile_lock_bad, setup, teardown),
        cmocka_unit_test(walk_rules),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
