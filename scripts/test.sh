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
scripts/install-deps.sh test

echo "== build (OpenSSL backend, everything)"
# Tests and benchmarks on, also in a tree that run-server.sh configured without.
CMAKE_ARGS="-DAGORA_TOKEN_BUILD_TESTS=ON -DAGORA_TOKEN_BUILD_BENCH=ON" scripts/build.sh
echo "== ctest"
(cd build && ctest -j"$(nproc)" -LE container --output-on-failure --timeout 300)
echo "== no secret in any test's output (certificates, API keys, tokens, private keys)"
python3 scripts/scan-secrets.py build/Testing/Temporary/LastTest.log

echo "== containers (image build and run, container fleet, fresh Debian 12, .deb)"
stage_started=$SECONDS
# One private dockerd for the stage. Two at a time: the image build and the
# fresh-machine build overlap their downloads with each other's compiling;
# the image and fleet tests run alone (RUN_SERIAL).
tests/container/docker_env.sh bash -c \
  'cd build && ctest -L container -j2 --output-on-failure --timeout 2400'
python3 scripts/scan-secrets.py build/Testing/Temporary/LastTest.log
echo "== containers: $((SECONDS - stage_started)) s"

echo "== API checks (buf lint, buf breaking, docs/api.md up to date)"
scripts/check-api.sh

echo "== core tests on the BoringSSL backend"
BUILD_DIR=build-boringssl CMAKE_ARGS="-DAGORA_TOKEN_CRYPTO=boringssl -DAGORA_TOKEN_BUILD_SERVER=OFF -DAGORA_TOKEN_BUILD_BENCH=OFF" \
  scripts/build.sh
(cd build-boringssl && ctest -j"$(nproc)" --output-on-failure --timeout 300)

echo "== sanitizers (ASan+UBSan: every test; TSan: server tests)"
stage_started=$SECONDS
scripts/test-sanitizers.sh
echo "== sanitizers: $((SECONDS - stage_started)) s"

echo "== fuzzing (${FUZZ_SECONDS:-60} s per target, all three at once)"
stage_started=$SECONDS
scripts/fuzz.sh
echo "== fuzzing: $((SECONDS - stage_started)) s"
echo "== all tests passed in $((SECONDS - started)) s"
