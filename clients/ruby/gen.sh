#!/bin/sh
# Generates the Ruby message classes and gRPC stubs for agora.token.v1 from
# proto/ into DIR (DIR/agora/token/v1/token_service_pb.rb and
# token_service_services_pb.rb) with protoc and grpc_ruby_plugin. The stubs
# are generated, never committed, so they always match proto/.
#
# Usage: clients/ruby/gen.sh DIR
#   DIR = clients/ruby/lib before `gem build` puts the stubs into the gem,
#   with a copy of the service config all five clients share
#   (clients/service_config.json) next to the client; any other DIR is found
#   through AGORA_TOKEN_RUBY_GEN=DIR at run time, and the client reads the
#   shared file in place.
#
# google/rpc/*.proto is not generated: the googleapis-common-protos-types gem
# (a dependency of grpc) defines Google::Rpc::Status and BadRequest, and grpc's
# own BadStatus#to_rpc_status uses those classes.
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
client_dir=$(cd "$(dirname "$0")" && pwd)
proto_dir=$(cd "$client_dir/../../proto" && pwd)
plugin=${GRPC_RUBY_PLUGIN:-$(command -v grpc_ruby_plugin || true)}
if ! command -v protoc >/dev/null 2>&1 || [ -z "$plugin" ]; then
  echo "$0: protoc and grpc_ruby_plugin are needed (apt-get install protobuf-compiler protobuf-compiler-grpc)" >&2
  exit 1
fi
mkdir -p "$1"
protoc -I"$proto_dir" --ruby_out="$1" --grpc_out="$1" --plugin=protoc-gen-grpc="$plugin" \
  agora/token/v1/token_service.proto
if [ "$(cd "$1" && pwd)" = "$client_dir/lib" ]; then
  cp "$client_dir/../service_config.json" "$client_dir/lib/agora_token/service_config.json"
fi
