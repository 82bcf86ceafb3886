#!/usr/bin/env bash
# Installs everything the build, the tests and the benchmarks need, from
# Debian 12 packages and the npm registry. Idempotent: a machine that has it
# all is left alone (no apt-get update, no npm download).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libssl-dev android-libboringssl-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev
  python3 python3-grpcio python3-protobuf
  nghttp2-client libmicrohttpd-dev nginx-light gnuplot-nox
  # Sanitizer builds and libFuzzer targets (scripts/test-sanitizers.sh, fuzz.sh).
  clang libclang-rt-dev llvm
  # Client tests: Go (offline, GOPATH mode over Debian's gocode) and Ruby.
  # golang-github-golang-protobuf-1-5-dev must be named here: without it apt
  # resolves grpc-go's dependency to the older 1-3 API.
  golang-go golang-google-grpc-dev golang-google-protobuf-dev
  golang-github-golang-protobuf-1-5-dev protoc-gen-go protoc-gen-go-grpc
  ruby ruby-grpc ruby-google-protobuf ruby-minitest
)
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node tooling pinned by package-lock.json (agora-token, grpc-js, buf).
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.package-lock.json.src 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.package-lock.json.src
fi
