#!/usr/bin/env bash
# Language packages through image layers: the docker-archive form of tests/images/lang.sh's
# image against its root filesystem.
#
#   bash tests/lang/test_layers.sh DRYDOCK IMAGES_CACHE
#
# lang.docker.tar is the same tree in three layers (0: Debian with its python3-*/node-*
# packages, 1: /srv and /opt, 2: deletes srv/cli/node_modules/@sindresorhus). Its squashed
# language components must be the root filesystem's less that package, with layer 1 for the
# apps; --scope all-layers must add that package once, marked removed, from layer 1; the debs
# keep their language evidence.
set -euo pipefail
drydock=$(realpath "${1:?usage: test_layers.sh DRYDOCK IMAGES_CACHE}")
cache=$(realpath "${2:?usage: test_layers.sh DRYDOCK IMAGES_CACHE}")
. "$(dirname "$0")/lib.sh"
gone="pkg:npm/%40sindresorhus/is@4.6.0 srv/cli/node_modules/@sindresorhus/is"

sbom "$tmp/dir.json" cyclonedx "dir:$root"
sbom "$tmp/img.json" cyclonedx "$lang/lang.docker.tar"
[ "$sbom_status" = 0 ] || bad "sbom lang.docker.tar exited $sbom_status: $(head -3 "$tmp/img.json.err")"
# purl and path (dev too) must match; the layer differs: a directory is one layer
lang_tuples "$tmp/dir.json" | cut -d' ' -f1-3 | grep -v "^$gone " >"$tmp/dir.t"
lang_tuples "$tmp/img.json" | cut -d' ' -f1-3 >"$tmp/img.t"
if diff "$tmp/dir.t" "$tmp/img.t" >"$tmp/diff"; then
    ok "docker-archive: $(wc -l <"$tmp/img.t") language components, the root filesystem's less the deleted one"
else
    bad "docker-archive differs from the root filesystem (< dir, > image):"
    head -20 "$tmp/diff" >&2
fi
layers=$(lang_tuples "$tmp/img.json" srv/ | cut -d' ' -f4 | sort -u | tr '\n' ' ')
[ "$layers" = "1 " ] || bad "layers of the srv/ components: '$layers', expected 1"
layer=$(jq -r '.components[] | select(.name == "python3-requests")
    | .properties[] | select(.name == "drydock:layer:index") | .value' "$tmp/img.json")
[ "$layer" = 0 ] || bad "python3-requests: layer '$layer', expected 0"
ev=$(jq -r '.components[] | select(.name == "python3-requests")
    | .properties[] | select(.name == "drydock:package:language_purl") | .value' "$tmp/img.json")
[ "$ev" = "pkg:pypi/requests@2.28.1" ] || bad "python3-requests evidence in the image: '$ev'"

sbom "$tmp/all.json" cyclonedx --scope all-layers "$lang/lang.docker.tar"
removed=$(lang_tuples "$tmp/all.json" | awk '$NF == "true"')
[ "$removed" = "$gone  1 true" ] || bad "all-layers removed language packages: '$removed'"
[ "$(lang_tuples "$tmp/all.json" | awk '$NF != "true"')" = "$(lang_tuples "$tmp/img.json")" ] ||
    bad "all-layers: the present language packages differ from the squashed ones"
[ $fail = 0 ] && ok "the deleted package is removed in all-layers scope, from layer 1"
exit $fail
