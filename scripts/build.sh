#!/usr/bin/env bash
# Configures and builds into build/ (incremental). Extra arguments are
# passed to `cmake --build`, e.g. `--target agora-token-server`. CMAKE_ARGS,
# when set, are applied to an existing tree too (re-configure), so a tree
# first configured without tests gains them when the test command asks.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
if [ ! -f "$build_dir/build.ninja" ] || [ -n "${CMAKE_ARGS:-}" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} ${CMAKE_ARGS:-} >/dev/null
fi
cmake --build "$build_dir" -j"$(nproc)" "$@"
