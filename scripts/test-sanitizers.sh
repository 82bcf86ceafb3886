#!/usr/bin/env bash
# Runs the tests under sanitizers (CI stage of scripts/test.sh):
#   address: build-asan/, ASan + UBSan, the whole CTest suite, every client
#            language included;
#   thread:  build-tsan/, TSan, the server tests.
# Both build with clang 14 (gcc needs 3x longer for the UBSan build at -O1 -g,
# and its separate libubsan ignores log_path, so UBSan reports of a server
# child process would only reach that process's stderr), at -O0: instrumented
# -O1 takes two to four times longer to compile (the generated protobuf code
# most), which CI pays in full, while the tests run almost as fast. The
# core, which the differential tests and the fuzzers run hot, stays at -O1
# (tests/fuzz/CMakeLists.txt).
# Every instrumented process, including the agora-token-server binaries that
# tests start and whose stderr or exit code they do not look at, writes its
# sanitizer reports to <build dir>/sanitizer-reports/; any report there fails
# the run, as does any failing test. Debian's gRPC, protobuf and Abseil are
# not instrumented; tests/sanitizers/*.supp explain the few reports from them
# that are suppressed. Node, Python, Go, Ruby and Java clients are separate,
# uninstrumented programs: they need no LD_PRELOAD, only the environment
# below reaching the server they start.
#
# Usage: scripts/test-sanitizers.sh [address] [thread]   (default: both)
# Environment: JOBS (build and ctest parallelism, default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
jobs=${JOBS:-2}
stages=("$@")
((${#stages[@]})) || stages=(address thread)

# clang, its sanitizer runtimes and llvm-symbolizer (Debian: clang,
# libclang-rt-dev, llvm).
for tool in clang++ llvm-symbolizer; do
  command -v "$tool" >/dev/null || { echo "$tool not found: apt-get install clang libclang-rt-dev llvm" >&2; exit 1; }
done

# ccache, as in scripts/build.sh: a second run (or a worktree) recompiles
# only what changed.
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(cd .. && pwd)}
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi

# Configures one sanitized tree once; line tables give file:line in every
# report. The address tree also has the libFuzzer targets (AGORA_TOKEN_FUZZ),
# so scripts/fuzz.sh reuses its libraries instead of building a third tree.
configure() {
  local dir=$1 sanitizer=$2
  local fuzz=OFF
  [ "$sanitizer" = address ] && fuzz=ON
  # Configured every time (seconds), so a tree from before a change of these
  # flags picks it up.
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O0 -gline-tables-only" \
    -DAGORA_TOKEN_SANITIZE="$sanitizer" -DAGORA_TOKEN_FUZZ="$fuzz" \
    -DAGORA_TOKEN_BUILD_BENCH=OFF >/dev/null
}

build() {
  local dir=$1 sanitizer=$2
  shift 2
  configure "$dir" "$sanitizer" || return 1
  cmake --build "$dir" -j"$jobs" "$@"
}

# Fails when any process left a sanitizer report, and prints the reports.
check_reports() {
  local reports=$1
  if compgen -G "$reports/*" >/dev/null; then
    echo "sanitizer reports in $reports:" >&2
    for f in "$reports"/*; do
      echo "---- $f" >&2
      cat "$f" >&2
    done
    return 1
  fi
}

run_address() {
  local dir=build-asan
  echo "== ASan+UBSan: build ($dir)"
  # (set -e does not apply inside a function called from `||`: check each step.)
  build "$dir" address || return 1
  local reports=$repo/$dir/sanitizer-reports
  rm -rf "$reports" && mkdir -p "$reports" || return 1
  echo "== ASan+UBSan: ctest (every test but the container ones, which test the image)"
  # strict_init_order catches static initialisers that read other, not yet
  # initialised globals. Leak checking is on (LSan's default on Linux).
  local status=0
  ASAN_OPTIONS="log_path=$reports/asan:strict_init_order=1:check_initialization_order=1:detect_stack_use_after_return=1:strict_string_checks=1" \
  LSAN_OPTIONS="suppressions=$repo/tests/sanitizers/lsan.supp:print_suppressions=0" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    bash -c "cd '$dir' && ctest -j'$jobs' -LE container --output-on-failure --timeout 600" || status=$?
  check_reports "$reports" || status=1
  return "$status"
}

run_thread() {
  local dir=build-tsan
  echo "== TSan: build ($dir: the server, the CLI and the server tests)"
  # The server tests (ctest -L server) only, to keep CI short: they drive
  # every RPC, reloads under load, mTLS and the hostile-input floods through
  # real gRPC; the CLI is the binary endpoint test's client.
  build "$dir" thread --target agora-token-server agora-token server_test || return 1
  local reports=$repo/$dir/sanitizer-reports
  rm -rf "$reports" && mkdir -p "$reports" || return 1
  echo "== TSan: ctest -L server"
  local status=0
  TSAN_OPTIONS="log_path=$reports/tsan:ignore_noninstrumented_modules=1:suppressions=$repo/tests/sanitizers/tsan.supp:print_suppressions=0:second_deadlock_stack=1:halt_on_error=0" \
    bash -c "cd '$dir' && ctest -j'$jobs' -L server --output-on-failure --timeout 600" || status=$?
  check_reports "$reports" || status=1
  return "$status"
}

failed=()
for stage in "${stages[@]}"; do
  case "$stage" in
    address | thread)
      start=$SECONDS
      "run_$stage" || failed+=("$stage")
      echo "== $stage: $((SECONDS - start)) s"
      ;;
    configure-address) configure build-asan address ;;  # for scripts/fuzz.sh
    *) echo "unknown stage '$stage' (address, thread)" >&2; exit 2 ;;
  esac
done
if ((${#failed[@]})); then
  echo "sanitizer stages failed: ${failed[*]}" >&2
  exit 1
fi
