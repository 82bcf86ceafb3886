#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang 14, ASan + UBSan) in
# build-asan/ and fuzzes each for FUZZ_SECONDS (default 60; 0 only replays
# the seed corpus), all targets at once: three on CI's two cores, so each
# gets about two thirds of a core and the stage still takes FUZZ_SECONDS.
# A crash, sanitizer report, leak, timeout (-timeout, seconds per input) or
# broken invariant fails the run; the input that caused it is kept in
# build-asan/artifacts/ and can be replayed with
# `build-asan/tests/fuzz/<target> <file>`.
#
# New inputs go to a temporary directory listed first, so the committed seed
# corpus (tests/fuzz/corpus/<target>/, written by tests/fuzz/make_corpus.py)
# is only read. FUZZ_KEEP_CORPUS=DIR keeps what was found in DIR/<target>.
#
# Environment: FUZZ_SECONDS (60), FUZZ_TARGETS (all three), FUZZ_KEEP_CORPUS,
# JOBS (build parallelism, default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
jobs=${JOBS:-2}
build_dir=build-asan
read -r -a targets <<<"${FUZZ_TARGETS:-token_decoder_fuzz request_validation_fuzz deflate_differential_fuzz}"

# max_len: the decoder's input is a token (the core rejects more than 8192
# characters; a little more exercises that bound); the deflater's input goes
# a little past SmallDeflate's 8 KiB limit, so its zlib fallback is compared
# too; requests stay small enough to mutate quickly while still holding a
# batch of several items.
max_len_of() {
  case "$1" in
    token_decoder_fuzz) echo 8300 ;;
    deflate_differential_fuzz) echo 8300 ;;
    *) echo 4096 ;;
  esac
}

# The ASan+UBSan tree of scripts/test-sanitizers.sh, which builds these
# targets too; configured by that script, so both agree on its flags.
echo "== fuzz: build ($build_dir, clang)"
scripts/test-sanitizers.sh configure-address
cmake --build "$build_dir" -j"$jobs" --target "${targets[@]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/agora-token-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts=$build_dir/artifacts
mkdir -p "$artifacts"

if [ "$seconds" = 0 ]; then
  duration=(-runs=0)
else
  duration=(-max_total_time="$seconds")
fi

pids=()
for target in "${targets[@]}"; do
  seeds=tests/fuzz/corpus/$target
  [ -d "$seeds" ] || { echo "no seed corpus $seeds" >&2; exit 1; }
  mkdir -p "$work/$target/new"
  echo "== fuzz: $target, ${seconds} s, seeds $seeds"
  # detect_leaks is libFuzzer's default with ASan; said here so it stays on.
  ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    "$build_dir/tests/fuzz/$target" "${duration[@]}" -max_len="$(max_len_of "$target")" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$artifacts/$target-" "$work/$target/new" "$seeds" \
      >"$work/$target/log" 2>&1 &
  pids+=($!)
done

failed=()
for i in "${!targets[@]}"; do
  target=${targets[$i]}
  if wait "${pids[$i]}"; then
    # The last status line: executions, coverage, corpus size.
    summary=$(grep -E '^#[0-9]+' "$work/$target/log" | tail -1 || true)
    echo "ok: $target: $summary"
  else
    failed+=("$target")
    echo "FAIL: $target; its log ends:" >&2
    tail -60 "$work/$target/log" >&2
  fi
  if [ -n "${FUZZ_KEEP_CORPUS:-}" ]; then
    mkdir -p "$FUZZ_KEEP_CORPUS/$target"
    cp -r "$work/$target/new/." "$FUZZ_KEEP_CORPUS/$target/"
  fi
done
if ((${#failed[@]})); then
  echo "fuzzing failed: ${failed[*]} (inputs in $artifacts/)" >&2
  exit 1
fi
