#!/bin/sh
# Runs the Go client's tests: lays out a temporary GOPATH workspace with
# clients/go/gen.sh (stubs generated from proto/ now), adds
# client_e2e_test.go as package .../e2e, builds the example, and runs
# `go test` in GOPATH mode against Debian's Go packages (offline). The
# e2e test starts the real server itself.
#
# Usage: tests/e2e/go/run.sh SERVER_BINARY [GO_CACHE_DIR]
# Environment: AGORA_TOKEN_NODE (default: node on PATH).
# Needs: golang-go, golang-google-grpc-dev, golang-google-protobuf-dev,
# golang-github-golang-protobuf-1-5-dev, protoc-gen-go, protoc-gen-go-grpc.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 SERVER_BINARY [GO_CACHE_DIR]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "$here/../../.." && pwd)
server=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
if [ ! -x "$server" ]; then
  echo "$0: server binary $server is missing; build agora-token-server" >&2
  exit 1
fi
if ! command -v go >/dev/null 2>&1; then
  echo "$0: go not found (apt-get install golang-go)" >&2
  exit 1
fi
node=${AGORA_TOKEN_NODE:-$(command -v node || true)}
if [ -z "$node" ]; then
  echo "$0: node not found; set AGORA_TOKEN_NODE" >&2
  exit 1
fi

workspace=$(mktemp -d "${TMPDIR:-/tmp}/agora-token-go-XXXXXX")
trap 'rm -rf "$workspace"' EXIT
trap 'exit 1' INT TERM
"$repo_root/clients/go/gen.sh" "$workspace"
package_dir=$workspace/src/github.com/agora-token-service/clients/go
mkdir -p "$package_dir/e2e"
cp "$here/client_e2e_test.go" "$package_dir/e2e/"

# GOPATH mode sees Debian's /usr/share/gocode; module mode offline cannot.
# grpc-go 1.33 applies the client's retry policy only with GRPC_GO_RETRY=on.
GOPATH=$workspace:/usr/share/gocode
GO111MODULE=off
GOFLAGS=
GOCACHE=${2:-$workspace/cache}
GRPC_GO_RETRY=on
export GOPATH GO111MODULE GOFLAGS GOCACHE GRPC_GO_RETRY

cd "$package_dir"
unformatted=$(gofmt -l tokenclient example e2e)
if [ -n "$unformatted" ]; then
  echo "$0: not gofmt-formatted: $unformatted" >&2
  exit 1
fi
go vet ./tokenclient ./example ./e2e
go build -o "$workspace/example" ./example

AGORA_TOKEN_SERVER=$server AGORA_TOKEN_REPO_ROOT=$repo_root AGORA_TOKEN_NODE=$node \
AGORA_TOKEN_GO_EXAMPLE=$workspace/example \
  go test -count=1 -timeout 150s -v ./tokenclient ./e2e
