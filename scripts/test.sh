#!/usr/bin/env bash
# Runs every test: installs dependencies, builds, runs CTest (core, CLI,
# server, cross-checks against Agora's npm builders, end-to-end clients),
# buf lint, the container tests (the image, the fleet on containers, the
# README's first command on a bare Debian 12, the .deb; tests/container),
# the core tests again on the BoringSSL backend, the suite under
# ASan+UBSan and TSan (scripts/test-sanitizers.sh), and the fuzz targets for
# FUZZ_SECONDS each (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

# Each stage prints its seconds when it ends ("== build: 812 s"), and the
# run ends with all of them, also when a stage fails, so a slow or failed CI
# run shows where its time went.
timings=()
stage_name=
stage() {  # stage NAME "what it does": ends the stage before, starts NAME
  end_stage
  stage_name=$1 stage_started=$SECONDS
  echo "== $1${2:+ ($2)}"
}
end_stage() {
  [ -n "$stage_name" ] || return 0
  local seconds=$((SECONDS - stage_started))
  echo "== $stage_name: $seconds s"
  timings+=("$(printf '%6d s  %s' "$seconds" "$stage_name")")
  stage_name=
}
summary() {
  local status=$?
  end_stage
  echo "== stage times"
  printf '%s\n' "${timings[@]}"
  if ((status == 0)); then
    echo "== all tests passed in $((SECONDS - started)) s"
  else
    echo "== failed (exit $status) after $((SECONDS - started)) s"
  fi
}
trap summary EXIT

stage install "Debian and npm packages: scripts/install-deps.sh test"
scripts/install-deps.sh test

stage build "OpenSSL backend, everything"
# Tests and benchmarks on, also in a tree that run-server.sh configured without.
CMAKE_ARGS="-DAGORA_TOKEN_BUILD_TESTS=ON -DAGORA_TOKEN_BUILD_BENCH=ON" scripts/build.sh

stage ctest "every test but the container ones"
(cd build && ctest -j"$(nproc)" -LE container --output-on-failure --timeout 300)
echo "== no secret in any test's output (certificates, API keys, tokens, private keys)"
python3 scripts/scan-secrets.py build/Testing/Temporary/LastTest.log

stage containers "image build and run, container fleet, fresh Debian 12, .deb"
# One private dockerd for the stage. Two at a time: the .deb test beside the
# image build; then the fresh-machine test, which starts from the image
# build's compiler cache instead of compiling the server a second time; the
# image and fleet tests run alone (RUN_SERIAL).
tests/container/docker_env.sh bash -c \
  'cd build && ctest -L container -j2 --output-on-failure --timeout 2400'
python3 scripts/scan-secrets.py build/Testing/Temporary/LastTest.log

stage check-api "buf lint, buf breaking, docs/api.md up to date"
scripts/check-api.sh

stage boringssl "the core tests on the BoringSSL backend"
BUILD_DIR=build-boringssl CMAKE_ARGS="-DAGORA_TOKEN_CRYPTO=boringssl -DAGORA_TOKEN_BUILD_SERVER=OFF -DAGORA_TOKEN_BUILD_BENCH=OFF" \
  scripts/build.sh
(cd build-boringssl && ctest -j"$(nproc)" --output-on-failure --timeout 300)

stage sanitizers "ASan+UBSan: every test; TSan: server tests"
scripts/test-sanitizers.sh

stage fuzzing "${FUZZ_SECONDS:-60} s per target, all three at once"
scripts/fuzz.sh
