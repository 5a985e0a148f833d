#!/usr/bin/env bash
# drydock's main job on sample data: builds drydock, builds (or reuses) the project's sample
# images under tests/images/cache, inspects the derived Debian image, imports the bundled OSV
# advisories (../shared/vulndata) into a database and scans the Debian 11 sample image with it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/install-deps.sh all
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" >/dev/null
cache=${DRYDOCK_TEST_IMAGES:-$top/tests/images/cache}
vulndata=${DRYDOCK_VULNDATA:-$top/../shared/vulndata}
bash tests/images/build.sh "$cache" >&2
bash tests/images/bullseye.sh "$cache" >&2
drydock=build/release/drydock
"$drydock" inspect --layers "$cache/derived.docker.tar"
echo
"$drydock" db import --db "$cache/vuln.db" "$vulndata"
"$drydock" image --db "$cache/vuln.db" "$cache/bullseye/bullseye-vuln.docker.tar"
