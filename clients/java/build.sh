#!/bin/sh
# Builds the Java client from Debian's jars, without Maven: generates the
# message classes and the gRPC stub from proto/ with protoc and
# grpc_java_plugin, compiles them with the client, and writes into OUT_DIR
#
#   agora-token-client.jar      io.agora.token.client, the agora.token.v1
#                               classes, and a copy of the shared service
#                               config (clients/service_config.json)
#   agora-token-rpc-protos.jar  com.google.rpc (Status, BadRequest, RetryInfo)
#                               from the repository's proto/google/rpc: Debian's
#                               libgrpc-java does not pull in the
#                               proto-google-common-protos jar that Maven
#                               users get with grpc-protobuf
#   agora-token-tls-native.jar  Debian's netty-tcnative JNI library under the
#                               name netty looks for (see below)
#   classpath                   one line: the jars above and the Debian jars
#                               they need at run time (java -cp "$(cat ...)")
#
# Generated code is never committed, so it always matches proto/.
#
# Usage: clients/java/build.sh OUT_DIR
#        clients/java/build.sh --sources DIR   only generates the
#            agora.token.v1 Java sources into DIR (what pom.xml runs; Maven
#            brings the jars, and com.google.rpc with grpc-protobuf)
# Needs: default-jdk-headless libgrpc-java libprotobuf-java libnetty-java
# libperfmark-java libgoogle-gson-java libnetty-tcnative-java
# libnetty-tcnative-jni protobuf-compiler protobuf-compiler-grpc-java-plugin
# (scripts/install-deps.sh test).
set -eu

sources_only=false
if [ $# -eq 2 ] && [ "$1" = --sources ]; then
  sources_only=true
  shift
fi
if [ $# -ne 1 ]; then
  echo "usage: $0 OUT_DIR | $0 --sources DIR" >&2
  exit 2
fi
client_dir=$(cd "$(dirname "$0")" && pwd)
proto_dir=$(cd "$client_dir/../../proto" && pwd)
java_dir=${AGORA_TOKEN_JAVA_JARS:-/usr/share/java}
plugin=${GRPC_JAVA_PLUGIN:-$(command -v grpc_java_plugin || true)}
command -v protoc >/dev/null 2>&1 || { echo "$0: protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }
if [ -z "$plugin" ]; then
  echo "$0: grpc_java_plugin not found (apt-get install protobuf-compiler-grpc-java-plugin)" >&2
  exit 1
fi

# Generates the Java sources of PROTO... into DIR: generate DIR PROTO...
#
# protoc 3.21's Java generator gives a string field `x` and a bytes field
# `x_bytes` the same accessors (getXBytes()), and the API has such pairs
# (DecodedService.channel_name_bytes, Rtm2Permission.names_bytes, ...). The
# Java classes are generated from a copy in which each `x_bytes` field is
# named `raw_x` (getRawX()); field numbers, and so the wire format, are
# unchanged.
generate() {
  gen_dir=$1
  shift
  proto_copy=$(mktemp -d "${TMPDIR:-/tmp}/agora-token-java-proto-XXXXXX")
  cp -R "$proto_dir/." "$proto_copy"
  sed -E 's/^( *(repeated )?bytes )([a-z0-9_]+)_bytes = /\1raw_\3 = /' \
    "$proto_dir/agora/token/v1/token_service.proto" > "$proto_copy/agora/token/v1/token_service.proto"
  rm -rf "$gen_dir"
  mkdir -p "$gen_dir"
  protoc -I"$proto_copy" --java_out="$gen_dir" \
    --plugin=protoc-gen-grpc-java="$plugin" --grpc-java_out="$gen_dir" "$@"
  rm -rf "$proto_copy"
  # The stub's @javax.annotation.Generated (source retention) is not in JDK
  # 11+, and grpc_java_plugin 1.41 cannot leave it out.
  sed -i '/^@javax.annotation.Generated(/,/)$/d' "$gen_dir/agora/token/v1/TokenServiceGrpc.java"
}

if $sources_only; then
  generate "$1" agora/token/v1/token_service.proto
  exit 0
fi
for tool in javac jar; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$0: $tool not found (apt-get install default-jdk-headless)" >&2; exit 1; }
done

# What grpc-netty and grpc-protobuf need at run time (their poms), as
# Debian ships them: only grpc-netty (no okhttp, no netty-shaded), over
# Debian's unshaded netty 4.1. gson parses the service config; jsr305 and
# error_prone_annotations are needed only to compile. Missing jars are
# named before anything is built.
#
# TLS: Debian's netty 4.1.48 has its JDK ALPN support patched out, and gRPC
# over TLS needs ALPN, so TLS goes through OpenSSL with netty-tcnative.
# Debian installs its JNI library as libnetty-tcnative.so, a name netty
# never tries; netty also loads META-INF/native/lib<name>.so from the
# classpath, so the library is packed into a jar under the name it tries
# (netty_tcnative).
runtime_jars="grpc-api grpc-context grpc-core grpc-netty grpc-protobuf grpc-protobuf-lite grpc-stub
  protobuf guava gson perfmark-api
  netty-buffer netty-codec netty-codec-http netty-codec-http2 netty-codec-socks netty-common
  netty-handler netty-handler-proxy netty-resolver netty-transport netty-tcnative"
tcnative_so=${AGORA_TOKEN_TCNATIVE_SO:-$(ls /usr/lib/*/jni/libnetty-tcnative.so 2>/dev/null | head -n 1)}
if [ -z "$tcnative_so" ] || [ ! -f "$tcnative_so" ]; then
  echo "$0: libnetty-tcnative.so not found (apt-get install libnetty-tcnative-jni)" >&2
  exit 1
fi
classpath=
for name in $runtime_jars; do
  if [ ! -f "$java_dir/$name.jar" ]; then
    echo "$0: $java_dir/$name.jar is missing (scripts/install-deps.sh test)" >&2
    exit 1
  fi
  classpath=$classpath${classpath:+:}$java_dir/$name.jar
done
compile_classpath=$classpath:$java_dir/jsr305.jar:$java_dir/error_prone_annotations.jar

mkdir -p "$1"
out=$(cd "$1" && pwd)
rm -rf "$out/classes"
mkdir -p "$out/classes/rpc" "$out/classes/client" "$out/classes/native/META-INF/native"
generate "$out/gen" agora/token/v1/token_service.proto google/rpc/status.proto google/rpc/error_details.proto

# --release 11 keeps the jars usable on Java 11, as the pom promises.
javac -nowarn --release 11 -encoding UTF-8 -cp "$compile_classpath" -d "$out/classes/rpc" \
  $(find "$out/gen/com/google/rpc" -name '*.java')
javac -nowarn --release 11 -encoding UTF-8 -cp "$compile_classpath:$out/classes/rpc" \
  -d "$out/classes/client" $(find "$out/gen/agora" -name '*.java')
# The client itself compiles without a warning.
javac -Xlint:all -Xlint:-processing -Werror --release 11 -encoding UTF-8 \
  -cp "$compile_classpath:$out/classes/rpc:$out/classes/client" -d "$out/classes/client" \
  $(find "$client_dir/src/main/java" -name '*.java')
cp "$client_dir/../service_config.json" "$out/classes/client/io/agora/token/client/service_config.json"

jar --create --file "$out/agora-token-client.jar" -C "$out/classes/client" .
jar --create --file "$out/agora-token-rpc-protos.jar" -C "$out/classes/rpc" .
cp "$tcnative_so" "$out/classes/native/META-INF/native/libnetty_tcnative.so"
jar --create --file "$out/agora-token-tls-native.jar" -C "$out/classes/native" .
echo "$out/agora-token-client.jar:$out/agora-token-rpc-protos.jar:$out/agora-token-tls-native.jar:$classpath" \
  > "$out/classpath"
