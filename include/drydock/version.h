/* Version ordering exactly as each ecosystem's own tool orders versions (dpkg, apk-tools, rpm,
 * node-semver, Python packaging, Go, Maven, RubyGems, NuGet, Cargo, Composer). */
#ifndef DRYDOCK_VERSION_H
#define DRYDOCK_VERSION_H

#include <drydock/common.h>

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest version string accepted, in bytes (node-semver's own MAX_LENGTH). Longer strings
 * fail with DD_ELIMIT, so every comparison is bounded work. */
#define DD_VERSION_MAX_LEN 256

typedef enum {
    DD_VERSION_DEB = 0,  /* dpkg: [epoch:]upstream[-revision], '~' before everything */
    DD_VERSION_APK,      /* apk-tools 3: digit{.digit}{letter}{_suffix{N}}{~hash}{-rN} */
    DD_VERSION_RPM,      /* rpm's rpmvercmp on [epoch:]version[-release], '~' and '^' */
    DD_VERSION_SEMVER,   /* SemVer 2.0.0 as node-semver's strict parser accepts it */
    DD_VERSION_NPM,      /* node-semver with its loose parser (what npm itself uses) */
    DD_VERSION_PEP440,   /* PEP 440 as Python's packaging.version.Version */
    DD_VERSION_GO,       /* golang.org/x/mod/semver; the leading 'v' is optional */
    DD_VERSION_MAVEN,    /* Maven's ComparableVersion (maven-artifact 3.8) */
    DD_VERSION_GEM,      /* RubyGems' Gem::Version */
    DD_VERSION_NUGET,    /* NuGet.Versioning's NuGetVersion, default comparer */
    DD_VERSION_CARGO,    /* the Rust semver crate that Cargo uses */
    DD_VERSION_COMPOSER, /* Composer: VersionParser::normalize, then PHP's version_compare */
} dd_version_scheme;

#define DD_VERSION_SCHEME_COUNT 12

/* Compares `a` with `b` in scheme `s` and stores <0, 0 or >0 in *out. Compares in place: no
 * allocation. Errors: DD_EINVALID when either string is one the scheme's tool rejects (the
 * message names the string and the reason), DD_ELIMIT when one is longer than
 * DD_VERSION_MAX_LEN. *out is untouched on error. */
int dd_version_cmp(dd_version_scheme s, const char *a, const char *b, int *out);

/* True when `v` is a version the scheme's tool accepts (and within DD_VERSION_MAX_LEN).
 * Leaves the thread's error untouched. */
bool dd_version_valid(dd_version_scheme s, const char *v);

/* Like dd_version_valid, but on failure sets the thread's error and returns DD_EINVALID or
 * DD_ELIMIT; DD_OK when valid. */
int dd_version_check(dd_version_scheme s, const char *v);

/* The scheme that orders versions of an OSV ecosystem ("Debian:12", "Alpine:v3.20",
 * "Ubuntu:22.04:LTS", "Red Hat:...", "npm", "PyPI", "Go", "crates.io", "RubyGems", "Maven",
 * "NuGet", "Packagist", ...). Distro ecosystems match on the part before the first ':'. Returns
 * DD_OK, or DD_EUNSUPPORTED (message set) for an ecosystem with no scheme here, such as "Hackage".
 */
int dd_version_scheme_for_ecosystem(dd_version_scheme *out, const char *ecosystem);

/* Short lower-case name: "deb", "apk", "rpm", "semver", "npm", "pep440", "go", "maven", "gem",
 * "nuget", "cargo", "composer"; "?" for a value outside the enum. */
const char *dd_version_scheme_name(dd_version_scheme s);

/* The scheme with that short name; DD_ENOTFOUND (message set) otherwise. */
int dd_version_scheme_from_name(dd_version_scheme *out, const char *name);

#ifdef __cplusplus
}
#endif

#endif
