#!/usr/bin/env bash
# Configures and builds into build/ (incremental). Extra arguments are
# passed to `cmake --build`, e.g. `--target agora-token-server`. CMAKE_ARGS,
# when set, are applied to an existing tree too (re-configure), so a tree
# first configured without tests gains them when the test command asks.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
# ccache, when installed, makes rebuilds in fresh trees (git worktrees, a
# second build type) cheap; the base dir lets trees at different paths share it.
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(cd .. && pwd)}
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
if [ ! -f "$build_dir/build.ninja" ] || [ -n "${CMAKE_ARGS:-}" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} "${launcher[@]}" ${CMAKE_ARGS:-} >/dev/null
fi
cmake --build "$build_dir" -j"$(nproc)" "$@"
