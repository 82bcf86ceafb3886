#!/usr/bin/env bash
# Installs what a profile needs, from Debian 12 packages and (test only) the
# npm registry:
#
#   scripts/install-deps.sh server   build the server, the CLI and the Python
#                                    stubs (scripts/run-server.sh), and the .deb
#   scripts/install-deps.sh image    build the server only (deploy/Dockerfile)
#   scripts/install-deps.sh [test]   everything the tests and benchmarks need:
#                                    clang/LLVM, Go, Ruby, Java, PHP, Node.js
#                                    and npm modules, nginx, gnuplot, docker, ...
#
# Idempotent: a machine that has it all is left alone (no apt-get update, no
# npm download).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-test}

# Compiling the server and the CLI (Release or not).
build_packages=(
  build-essential cmake ninja-build pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libssl-dev zlib1g-dev libmicrohttpd-dev nlohmann-json3-dev
  # The HTTP transport (server/http/): Boost.Beast and Asio.
  libboost1.81-dev
  # Trusted issuers' jwks_uri: an HTTPS client and the CAs it trusts.
  libcurl4-openssl-dev ca-certificates
  # scripts/build.sh compiles through ccache when it is there: a new tree
  # (a worktree, another build type) or a second machine handed the cache
  # (the fresh-machine test, after the image build) compiles only what
  # changed.
  ccache
)
# The README's Python example: the stubs need protoc's Python plugin (in
# protobuf-compiler-grpc) and the runtime.
python_packages=(python3 python3-grpcio python3-protobuf)
# `cpack -G DEB` (cmake/Package.cmake) reads the binaries' dependencies with
# dpkg-shlibdeps (dpkg-dev, from build-essential) after `file` finds them.
package_packages=(file)
test_packages=(
  git android-libboringssl-dev libgtest-dev libgmock-dev libbenchmark-dev
  nghttp2-client nginx-light gnuplot-nox
  # HTTP tests and the HTTP benchmark (tests/server/http_transport_test.cc,
  # tests/e2e/http_e2e_test.py, bench/run.sh).
  curl wrk
  # Sanitizer builds and libFuzzer targets (scripts/test-sanitizers.sh, fuzz.sh).
  clang libclang-rt-dev llvm
  # Client tests: Go (offline, GOPATH mode over Debian's gocode), Ruby, and
  # PHP (no gRPC extension in Debian: the PHP client speaks the Connect
  # protocol over curl; openssl makes its test's certificates).
  # golang-github-golang-protobuf-1-5-dev must be named here: without it apt
  # resolves grpc-go's dependency to the older 1-3 API.
  golang-go golang-google-grpc-dev golang-google-protobuf-dev
  golang-github-golang-protobuf-1-5-dev protoc-gen-go protoc-gen-go-grpc
  ruby ruby-grpc ruby-google-protobuf ruby-minitest
  php-cli php-curl openssl
  # Java client (clients/java/build.sh, tests/e2e/java): libgrpc-java names
  # none of the jars grpc-netty needs at run time, so they are listed;
  # netty-tcnative is the TLS provider (Debian's netty has no JDK ALPN).
  default-jdk-headless libgrpc-java libprotobuf-java protobuf-compiler-grpc-java-plugin
  libnetty-java libperfmark-java libgoogle-gson-java libnetty-tcnative-java
  libnetty-tcnative-jni junit4
  # Container tests (tests/container): a private dockerd, debootstrap for the
  # base images; systemd-analyze checks the unit (tests/deploy).
  docker.io debootstrap systemd
  # The browser test of tokens for signed-in users (tests/e2e/browser).
  chromium
)

case $profile in
  image) packages=("${build_packages[@]}") ;;
  server) packages=("${build_packages[@]}" "${python_packages[@]}" "${package_packages[@]}") ;;
  test)
    packages=("${build_packages[@]}" "${python_packages[@]}" "${package_packages[@]}" "${test_packages[@]}")
    command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
    ;;
  *) echo "usage: $0 [server|image|test]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps ($profile): installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ "$profile" = test ] || exit 0
# Node tooling pinned by package-lock.json (agora-token, grpc-js, buf).
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.package-lock.json.src 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.package-lock.json.src
fi
