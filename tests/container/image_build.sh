#!/usr/bin/env bash
# Builds the image as the README says (`docker build -f deploy/Dockerfile .`,
# from source, in a daemon that has only the bare base images), then hands
# the build stage's compiler cache to the fresh-machine test:
#
#   tests/container/image_build.sh IMAGE CCACHE_TAR     (under docker_env.sh)
#
# The build stage compiled the server with ccache (the image profile of
# scripts/install-deps.sh installs it, scripts/build.sh uses it) and is then
# discarded. `docker build --target build` of the same file is that stage
# again, every step cached; its /root/.cache/ccache, statistics zeroed, is
# written to CCACHE_TAR (paths from /). fresh_machine_test.sh copies it into
# its bare Debian 12 before running the README's command in the same source
# path (/src), so the server's objects, the same sources with the same
# compiler and flags (Release), are cache hits there instead of a second
# compile of the whole server from scratch. CTest: container_image_build.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DOCKER_HOST:?run under tests/container/docker_env.sh}"
image=${1:?usage: $0 IMAGE CCACHE_TAR}
ccache_tar=${2:?usage: $0 IMAGE CCACHE_TAR}
docker=/usr/bin/docker

rm -f "$ccache_tar"
started=$SECONDS
"$docker" build --network host -t "$image" -f deploy/Dockerfile .
echo "image build: $((SECONDS - started)) s"

"$docker" build --network host -q --target build -t "$image-build-stage" -f deploy/Dockerfile . >/dev/null
mkdir -p "$(dirname "$ccache_tar")"
"$docker" run --rm --network host "$image-build-stage" bash -c \
  'ccache --zero-stats >/dev/null && tar -C / -c root/.cache/ccache' >"$ccache_tar.tmp"
mv "$ccache_tar.tmp" "$ccache_tar"
echo "image build: compiler cache for the fresh-machine test, $(($(stat -c %s "$ccache_tar") / 1048576)) MB"
