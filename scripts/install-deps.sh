#!/usr/bin/env bash
# Installs what drydock needs to build, test and benchmark on Debian 12. Idempotent: packages
# already present are skipped, so it is cheap to run before every build.
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config clang libclang-rt-14-dev
    libarchive-dev libjansson-dev libssl-dev libisal-dev libzstd-dev libcmocka-dev libfyaml-dev
    libsqlite3-dev libcurl4-openssl-dev libvectorscan-dev libmicrohttpd-dev libpq-dev
    zlib1g-dev libbz2-dev liblzma-dev nettle-dev) # libarchive.a's zip reader (CMakeLists.txt)
test_pkgs=(python3 podman skopeo debootstrap uidmap fuse-overlayfs tar gzip zstd jq time
    hyperfine ca-certificates
    rpm db5.3-util python3-jsonschema python3-apt python3-packaging ruby maven php-cli php-composer-semver openssh-client
    postgresql wrk)

want=("${build_pkgs[@]}")
case "${1:-all}" in
build) ;;
all | test) want+=("${test_pkgs[@]}") ;;
*)
    echo "usage: $0 [build|test|all]" >&2
    exit 2
    ;;
esac

missing=()
for p in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
# Node.js and a JRE may come from elsewhere than Debian's packages (a vendor's nodejs package
# ships npm itself): only install Debian's when the commands are missing.
if [ "${1:-all}" != build ]; then
    command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
    command -v java >/dev/null || missing+=(default-jre-headless)
fi
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: everything is installed" >&2
    exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
