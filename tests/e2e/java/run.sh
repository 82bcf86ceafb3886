#!/bin/sh
# Runs the Java client's end-to-end test: builds the client with
# clients/java/build.sh into WORK_DIR/client (the build tree, never the
# source tree), compiles TokenClientE2ETest.java against it and Debian's
# junit4 (each again only when its sources changed), and runs it. The test
# starts the real server itself.
#
# Usage: tests/e2e/java/run.sh SERVER_BINARY WORK_DIR
# Environment: AGORA_TOKEN_NODE (default: node on PATH).
# Needs: the Java packages clients/java/build.sh names, junit4, openssl.
set -eu

if [ $# -ne 2 ]; then
  echo "usage: $0 SERVER_BINARY WORK_DIR" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "$here/../../.." && pwd)
server=$1
java_dir=${AGORA_TOKEN_JAVA_JARS:-/usr/share/java}
if [ ! -x "$server" ]; then
  echo "$0: server binary $server is missing; build agora-token-server" >&2
  exit 1
fi
for jar in junit4 hamcrest-core; do
  if [ ! -f "$java_dir/$jar.jar" ]; then
    echo "$0: $java_dir/$jar.jar is missing (apt-get install junit4)" >&2
    exit 1
  fi
done
node=${AGORA_TOKEN_NODE:-$(command -v node || true)}
if [ -z "$node" ]; then
  echo "$0: node not found; set AGORA_TOKEN_NODE" >&2
  exit 1
fi

mkdir -p "$2"
work=$(cd "$2" && pwd)
# The client is rebuilt only when its inputs changed: javac takes most of
# this test's time on the generated classes.
jar=$work/client/agora-token-client.jar
if [ ! -f "$jar" ] || [ ! -f "$work/client/classpath" ] || [ -n "$(find "$repo_root/clients/java/build.sh" \
    "$repo_root/clients/java/src" "$repo_root/proto" "$repo_root/clients/service_config.json" \
    -newer "$jar" -print | head -n 1)" ]; then
  "$repo_root/clients/java/build.sh" "$work/client"
fi
classpath=$(cat "$work/client/classpath")
test_classpath=$classpath:$java_dir/junit4.jar:$java_dir/hamcrest-core.jar
test_class=$work/test-classes/TokenClientE2ETest.class
if [ ! -f "$test_class" ] || [ -n "$(find "$here/TokenClientE2ETest.java" "$jar" -newer "$test_class" -print)" ]; then
  rm -rf "$work/test-classes"
  mkdir -p "$work/test-classes"
  javac -Xlint:all -Werror -encoding UTF-8 -cp "$test_classpath" -d "$work/test-classes" \
    "$here/TokenClientE2ETest.java"
fi

AGORA_TOKEN_SERVER=$(cd "$(dirname "$server")" && pwd)/$(basename "$server") \
AGORA_TOKEN_REPO_ROOT=$repo_root AGORA_TOKEN_NODE=$node AGORA_TOKEN_JAVA_CLASSPATH=$classpath \
  exec java -cp "$test_classpath:$work/test-classes" org.junit.runner.JUnitCore TokenClientE2ETest
