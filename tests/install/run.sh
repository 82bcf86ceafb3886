#!/usr/bin/env bash
# Installs a built tree into a temporary prefix and builds two consumers
# against it, the way a user outside the repository would:
#   1. tests/install/consumer through find_package(AgoraToken CONFIG);
#   2. the same main.cc with only `pkg-config --cflags --libs agora-token`.
# Each consumer must print the official rtc006_uid token (read from
# tests/vectors/official.json here, computed by the installed core there) and
# reach the gRPC stack through TokenClient.
#
# Usage: run.sh BUILD_DIR [SOURCE_DIR]
# Environment: CMAKE (default cmake), CMAKE_GENERATOR (default Ninja if
# available), CXX (default c++), PKG_CONFIG (default pkg-config),
# PYTHON (default /usr/bin/python3), KEEP_TMP=1 keeps the temp directory.
set -euo pipefail

build_dir=$(cd "${1:?usage: run.sh BUILD_DIR [SOURCE_DIR]}" && pwd)
source_dir=$(cd "${2:-$(dirname "$0")/../..}" && pwd)
cmake_bin=${CMAKE:-cmake}
cxx=${CXX:-c++}
pkg_config=${PKG_CONFIG:-pkg-config}
python=${PYTHON:-/usr/bin/python3}
if [[ -z "${CMAKE_GENERATOR:-}" ]] && command -v ninja >/dev/null; then
  export CMAKE_GENERATOR=Ninja
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/agora-token-install.XXXXXX")
if [[ "${KEEP_TMP:-0}" == 1 ]]; then
  echo "keeping $tmp"
else
  trap 'rm -rf "$tmp"' EXIT
fi
prefix=$tmp/prefix

fail() { echo "FAIL: $*" >&2; exit 1; }

expected=$("$python" -c '
import json, sys
vectors = json.load(open(sys.argv[1]))["vectors"]
print(next(v["token"] for v in vectors if v["id"] == "rtc006_uid"))
' "$source_dir/tests/vectors/official.json")

# Checks a consumer's output: the vector's token, and a failed call (nothing
# serves 127.0.0.1:1) that went through the real channel.
check_output() {
  local name=$1 output=$2
  local token client
  token=$(sed -n 's/^token //p' <<<"$output")
  client=$(sed -n 's/^client //p' <<<"$output")
  # Tokens are credentials: a mismatch reports lengths and a short prefix.
  [[ "$token" == "$expected" ]] ||
    fail "$name printed a token that differs from official.json's rtc006_uid" \
         "(${#token} chars, starts '${token:0:12}'; expected ${#expected} chars, '${expected:0:12}')"
  [[ "$client" == UNAVAILABLE || "$client" == DEADLINE_EXCEEDED ]] ||
    fail "$name: a call to 127.0.0.1:1 ended with '$client', expected UNAVAILABLE"
  echo "ok: $name built the official rtc006_uid token; its client call ended $client"
}

echo "== cmake --install $build_dir --prefix $prefix"
"$cmake_bin" --install "$build_dir" --prefix "$prefix" >"$tmp/install.log" ||
  { cat "$tmp/install.log"; fail "cmake --install failed"; }
for f in include/core/token.h include/core/input_rules.h include/core/crypto.h \
         include/clients/cpp/token_client.h \
         include/agora/token/v1/token_service.pb.h include/agora/token/v1/token_service.grpc.pb.h \
         include/google/rpc/status.pb.h include/google/rpc/error_details.pb.h \
         share/agora-token/proto/agora/token/v1/token_service.proto \
         share/agora-token/proto/google/rpc/status.proto; do
  [[ -f "$prefix/$f" ]] || fail "not installed: $f"
done
config=$(find "$prefix" -name AgoraTokenConfig.cmake)
pc=$(find "$prefix" -name agora-token.pc)
[[ -n "$config" ]] || fail "AgoraTokenConfig.cmake not installed"
[[ -n "$pc" ]] || fail "agora-token.pc not installed"
for lib in agora_token_core agora_token_proto agora_token_client; do
  [[ -n "$(find "$prefix" -name "lib$lib.*")" ]] || fail "lib$lib not installed"
done

echo "== consumer via find_package(AgoraToken)"
"$cmake_bin" -S "$source_dir/tests/install/consumer" -B "$tmp/consumer-build" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON \
  >"$tmp/configure.log" || { cat "$tmp/configure.log"; fail "configuring the consumer failed"; }
# The package must come from the prefix, not from the build or source tree.
grep -q "from $(dirname "$config")" "$tmp/configure.log" ||
  { cat "$tmp/configure.log"; fail "find_package(AgoraToken) did not use $(dirname "$config")"; }
"$cmake_bin" --build "$tmp/consumer-build" >"$tmp/build.log" ||
  { cat "$tmp/build.log"; fail "building the consumer failed"; }
check_output "find_package consumer" "$("$tmp/consumer-build/consumer")"

echo "== consumer via pkg-config"
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
flags=$("$pkg_config" --cflags --libs agora-token) || fail "pkg-config --cflags --libs agora-token failed"
# Only installed headers: the include path must point into the prefix.
[[ "$flags" == *"-I$prefix/"* || "$flags" == *"-I$(dirname "$pc")/"* ]] ||
  fail "pkg-config gives no include path into the prefix: $flags"
# shellcheck disable=SC2086  # $flags is a list of compiler arguments
"$cxx" -std=c++17 "$source_dir/tests/install/consumer/main.cc" -o "$tmp/pkgconfig-consumer" $flags \
  >"$tmp/pkgconfig-build.log" 2>&1 ||
  { cat "$tmp/pkgconfig-build.log"; echo "flags: $flags"; fail "building with pkg-config flags failed"; }
check_output "pkg-config consumer" "$("$tmp/pkgconfig-consumer")"
