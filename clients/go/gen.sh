#!/bin/sh
# Lays out a GOPATH workspace for the Go client: copies tokenclient/ and
# example/ to DIR/src/github.com/agora-token-service/clients/go/, copies the
# service config all five clients share (clients/service_config.json) into
# tokenclient/, which embeds it (//go:embed cannot reach a parent directory),
# and generates the agora.token.v1 stubs (package tokenv1) next to them with
# protoc, protoc-gen-go and protoc-gen-go-grpc. The stubs and the copy are
# made here, never committed, so they always match proto/ and the shared file.
#
# Usage: clients/go/gen.sh DIR
# Then:  GOPATH=DIR:/usr/share/gocode GO111MODULE=off go build github.com/agora-token-service/clients/go/...
#
# google/rpc/status.proto is not generated: its go_package names
# google.golang.org/genproto/googleapis/rpc/status, so BuildTokensResult.error
# is genproto's status.Status, the type grpc-go's status package uses.
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 GOPATH_DIR" >&2
  exit 2
fi
client_dir=$(cd "$(dirname "$0")" && pwd)
proto_dir=$(cd "$client_dir/../../proto" && pwd)
import_root=github.com/agora-token-service/clients/go
stub_package=$import_root/tokenv1
service_proto=agora/token/v1/token_service.proto

for tool in protoc protoc-gen-go protoc-gen-go-grpc; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$0: $tool not found (apt-get install protobuf-compiler protoc-gen-go protoc-gen-go-grpc)" >&2
    exit 1
  fi
done

mkdir -p "$1/src/$import_root"
workspace=$(cd "$1" && pwd)
package_dir=$workspace/src/$import_root
rm -rf "$package_dir/tokenclient" "$package_dir/example" "$package_dir/tokenv1"
cp -R "$client_dir/tokenclient" "$client_dir/example" "$package_dir/"
cp "$client_dir/../service_config.json" "$package_dir/tokenclient/"
mkdir -p "$package_dir/tokenv1"

# paths=import with the M option writes DIR/src/<stub_package>/*.pb.go.
protoc -I"$proto_dir" \
  --go_out="$workspace/src" --go_opt="M$service_proto=$stub_package" \
  --go-grpc_out="$workspace/src" --go-grpc_opt="M$service_proto=$stub_package" \
  "$service_proto"
