#!/usr/bin/env bash
# drydock's main job on sample data: builds drydock, builds (or reuses) the project's sample
# images under tests/images/cache, and inspects the derived Debian image.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/install-deps.sh all
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" >/dev/null
cache=${DRYDOCK_TEST_IMAGES:-$top/tests/images/cache}
bash tests/images/build.sh "$cache" >&2
build/release/drydock inspect --layers "$cache/derived.docker.tar"
