/* Byte parsers of the Ruby, PHP, .NET and pnpm package files (ruby.c, php.c, dotnet.c, pnpm.c),
 * usable without a walk (the fuzz targets and unit tests call them). Each adds what it reads to
 * `out` (strings in out->arena; path and db_path are `path`) and, at the first damage, returns
 * DD_EINVALID with "PATH:LINE: message" (or "PATH: message" for JSON shapes), keeping what it
 * read before. */
#ifndef DD_PKGFILES_INT_H
#define DD_PKGFILES_INT_H

#include "catalog/lang_int.h"

/* A gemspec RubyGems wrote into a specifications/ folder: the "# stub: NAME VERSION PLATFORM"
 * line and the Gem::Specification.new block, read as the literal subset RubyGems writes
 * (strings with their escapes, `.freeze`, arrays, %q{} of older versions), never evaluated.
 * One package: name, version (as Gem::Version prints it), platform in `arch` unless "ruby",
 * licenses, summary as description, authors as maintainer. The block's assignments win over
 * the stub line, as Gem::Specification.load has it; without a usable block the stub line is
 * enough (RubyGems lists gems from it). DD_EINVALID for a file that names no gem, a string that
 * does not end, a NUL byte in code; DD_ELIMIT when `truncated` (the capture was cut) and the
 * cut is inside the code (what was read, with the stub, is still pushed). */
int dd_ruby__parse_gemspec(dd_pkglist *out, const char *path, const char *data, size_t len,
                           int truncated);

/* A Gemfile.lock (or gems.locked): one package per spec of its GEM and GIT sections (name,
 * version without the "-PLATFORM" suffix, each name and version once); PATH sections are the
 * application's own code and are left out. DD_EINVALID for a line at column 0 that is no
 * section Bundler writes, a spec line without "(VERSION)", bad indentation inside specs, a
 * merge-conflict marker, a NUL byte. */
int dd_ruby__parse_gemfile_lock(dd_pkglist *out, const char *path, const char *data, size_t len);

/* Composer's vendor/composer/installed.json: Composer 1's array of packages or Composer 2's
 * {"packages": [...], "dev-package-names": [...]} (those marked dev). Name "vendor/package",
 * version as Composer writes it ("v6.3.0", not version_normalized), licenses, description,
 * authors. DD_EINVALID for JSON that does not parse or has another shape. */
int dd_php__parse_installed(dd_pkglist *out, const char *path, const char *data, size_t len);

/* composer.lock: "packages" and "packages-dev" (dev), the same fields. */
int dd_php__parse_lock(dd_pkglist *out, const char *path, const char *data, size_t len);

/* A .NET *.deps.json: the libraries of type "package" (and "runtimepack", the runtime a
 * self-contained app bundles, named without the "runtimepack." prefix) that the runtime
 * target (runtimeTarget.name) lists, or every such library when it names no target there;
 * "project" and "reference" entries are the application's own. An entry of the target without
 * runtime, runtimeTargets or native assets (analyzers, build-only and meta packages) is dev.
 * Name as written, version. DD_EINVALID for JSON that does not parse or has another shape, or
 * a library key that is not "NAME/VERSION". */
int dd_dotnet__parse_deps(dd_pkglist *out, const char *path, const char *data, size_t len);

/* A pnpm-lock.yaml of lockfileVersion 5.x, 6.x or 9.x (parsed with libfyaml; aliases bounded):
 * one npm package per name and version of "packages" (keys "/name/1.2.3", "/@s/n/1.2.3_peer",
 * "/name@1.2.3(peer@1)", "name@1.2.3"; an entry's own name and version fields win), local
 * folders (file:, link:) left out. dev: v5 and v6 write it per package (`dev: true`); for v9,
 * what only the importers' devDependencies reach through the snapshots is dev. DD_EINVALID for
 * YAML that does not parse or has another shape, DD_EUNSUPPORTED for another lockfileVersion,
 * DD_ELIMIT for aliases that expand too far, nesting too deep, a file too large. */
int dd_pnpm__parse_lock(dd_pkglist *out, const char *path, const char *data, size_t len);

#endif
