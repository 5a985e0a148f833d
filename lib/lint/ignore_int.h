/* What the .dockerignore rules and the build-context audit share inside lib/lint/. */
#ifndef DD_LINT_IGNORE_INT_H
#define DD_LINT_IGNORE_INT_H

#include "lint/lint_int.h"

/* True for a path whose name marks it as a secret (.env, private keys, credential files and
 * directories such as .aws/ or .ssh/). Example env files (.env.example, ...) are not. */
bool dd_lint__secret_path(const char *rel);

/* Runs DD-IGN-002..005 on a loaded ignore file named `path`. */
int dd_lint__ignore_rules(dd_lint_result *r, const char *path, const dd_ignore *ig,
                          const dd_lint_config *cfg);

#endif
