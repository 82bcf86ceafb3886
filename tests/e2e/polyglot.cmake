# End-to-end tests of the Node.js, Go, Ruby, Java and PHP clients
# (clients/node, clients/go, clients/ruby, clients/java, clients/php)
# against the real agora-token-server binary (the PHP client through its
# HTTP API).
# Included from tests/e2e/CMakeLists.txt. Each test starts the server itself
# on a free loopback port, builds RTC tokens with uid and with account through
# its client, checks them with Agora's official npm package (agora-token, via
# tests/crosscheck/verify_with_agora_token.js) and checks that an invalid
# channel name surfaces as a "channel_name" field violation.
#
# Toolchains (Debian packages, see scripts/install-deps.sh): Node.js with
# `npm ci` at the repo root; golang-go, golang-google-grpc-dev,
# golang-google-protobuf-dev, golang-github-golang-protobuf-1-5-dev,
# protoc-gen-go, protoc-gen-go-grpc; ruby, ruby-grpc, ruby-google-protobuf,
# ruby-minitest, protobuf-compiler-grpc (grpc_ruby_plugin);
# default-jdk-headless, libgrpc-java and the jars clients/java/build.sh
# names, protobuf-compiler-grpc-java-plugin, junit4; php-cli and php-curl,
# with the openssl command for the PHP test's certificates. A missing
# toolchain fails its test rather than skipping it.

if(NOT TARGET agora-token-server)
  return()
endif()

set(_polyglot_dir ${CMAKE_CURRENT_LIST_DIR})
set(_polyglot_server $<TARGET_FILE:agora-token-server>)

find_program(AGORA_TOKEN_NODE node DOC "Node.js, for the Node client and the agora-token cross-check")
find_program(AGORA_TOKEN_GO go DOC "Go toolchain (Debian golang-go), for the Go client")
find_program(AGORA_TOKEN_RUBY ruby DOC "Ruby with Debian's ruby-grpc, for the Ruby client")
find_program(AGORA_TOKEN_JAVA java DOC "Java (Debian default-jdk-headless), for the Java client")
find_program(AGORA_TOKEN_PHP php DOC "PHP CLI (Debian php-cli with php-curl), for the PHP client")
find_program(AGORA_TOKEN_SH sh)

# Registers a test that fails with a message: used when a toolchain is missing.
function(_agora_token_missing_toolchain_test name what)
  add_test(NAME ${name}
    COMMAND ${AGORA_TOKEN_SH} -c "echo '${name}: ${what} not found; install it (scripts/install-deps.sh)' >&2; exit 1")
  set_tests_properties(${name} PROPERTIES LABELS "e2e")
endfunction()

# --- Node.js client (clients/node) --------------------------------------------
if(AGORA_TOKEN_NODE)
  add_test(NAME e2e_node_client
    COMMAND ${AGORA_TOKEN_NODE} --test ${_polyglot_dir}/node/client.test.js)
  set_tests_properties(e2e_node_client PROPERTIES
    LABELS "e2e;node"
    TIMEOUT 180
    ENVIRONMENT "AGORA_TOKEN_SERVER=${_polyglot_server}")
else()
  _agora_token_missing_toolchain_test(e2e_node_client "node")
endif()

# --- Signed-in users in a real browser -------------------------------------------
# Headless Chromium (Debian's chromium) loads a page from one origin that
# fetches a token from the HTTP API on another, across CORS, with an ID token
# signed by a key made for the run (tests/e2e/browser/end_user.test.mjs).
find_program(AGORA_TOKEN_CHROMIUM chromium DOC "Debian's chromium, for the browser test")
if(AGORA_TOKEN_NODE AND AGORA_TOKEN_CHROMIUM)
  add_test(NAME e2e_browser_end_user
    COMMAND ${AGORA_TOKEN_NODE} --test ${_polyglot_dir}/browser/end_user.test.mjs)
  set_tests_properties(e2e_browser_end_user PROPERTIES
    LABELS "e2e;browser;http"
    TIMEOUT 180
    ENVIRONMENT "AGORA_TOKEN_SERVER=${_polyglot_server};AGORA_TOKEN_CLI=$<TARGET_FILE:agora-token>;AGORA_TOKEN_CHROMIUM=${AGORA_TOKEN_CHROMIUM}")
else()
  _agora_token_missing_toolchain_test(e2e_browser_end_user "node or chromium")
endif()

# --- The HTTP transport (server/http/) ------------------------------------------
# A Connect client from npm @connectrpc/connect-node with protoc-gen-es code
# generated from proto/ into the build tree, curl over every route, the
# drop-in routes, a SIGTERM drain under load and the secret scan.
if(AGORA_TOKEN_NODE)
  add_test(NAME e2e_http_connect
    COMMAND ${AGORA_TOKEN_NODE} --test ${_polyglot_dir}/node/http.test.mjs)
  set_tests_properties(e2e_http_connect PROPERTIES
    LABELS "e2e;node;http"
    TIMEOUT 120
    ENVIRONMENT "AGORA_TOKEN_SERVER=${_polyglot_server};AGORA_TOKEN_ES_GEN_DIR=${CMAKE_CURRENT_BINARY_DIR}/connect_es;AGORA_TOKEN_REPO_ROOT=${PROJECT_SOURCE_DIR}")
else()
  _agora_token_missing_toolchain_test(e2e_http_connect "node")
endif()

# --- Go client (clients/go) -----------------------------------------------------
# run.sh generates the stubs into a temporary GOPATH and runs `go test` in
# GOPATH mode against /usr/share/gocode; the build cache stays in the build
# tree so repeated runs do not recompile grpc-go.
if(AGORA_TOKEN_GO AND AGORA_TOKEN_NODE)
  add_test(NAME e2e_go_client
    COMMAND ${AGORA_TOKEN_SH} ${_polyglot_dir}/go/run.sh ${_polyglot_server} ${CMAKE_CURRENT_BINARY_DIR}/go-cache)
  set_tests_properties(e2e_go_client PROPERTIES
    LABELS "e2e;go"
    TIMEOUT 600
    ENVIRONMENT "AGORA_TOKEN_NODE=${AGORA_TOKEN_NODE}")
else()
  _agora_token_missing_toolchain_test(e2e_go_client "go (golang-go) or node")
endif()

# --- Ruby client (clients/ruby) -------------------------------------------------
if(AGORA_TOKEN_RUBY AND AGORA_TOKEN_NODE)
  add_test(NAME e2e_ruby_client
    COMMAND ${AGORA_TOKEN_RUBY} ${_polyglot_dir}/ruby/client_test.rb -v)
  set_tests_properties(e2e_ruby_client PROPERTIES
    LABELS "e2e;ruby"
    TIMEOUT 180
    ENVIRONMENT "AGORA_TOKEN_SERVER=${_polyglot_server};AGORA_TOKEN_NODE=${AGORA_TOKEN_NODE}")
else()
  _agora_token_missing_toolchain_test(e2e_ruby_client "ruby or node")
endif()

# --- Java client (clients/java) -------------------------------------------------
# run.sh builds the client with clients/java/build.sh into the build tree,
# compiles the JUnit 4 test against it and runs it; the test starts the real
# server itself (plaintext, TLS with API keys, mutual TLS).
if(AGORA_TOKEN_JAVA AND AGORA_TOKEN_NODE)
  add_test(NAME e2e_java_client
    COMMAND ${AGORA_TOKEN_SH} ${_polyglot_dir}/java/run.sh ${_polyglot_server} ${CMAKE_CURRENT_BINARY_DIR}/java)
  set_tests_properties(e2e_java_client PROPERTIES
    LABELS "e2e;java"
    TIMEOUT 300
    ENVIRONMENT "AGORA_TOKEN_NODE=${AGORA_TOKEN_NODE}")
else()
  _agora_token_missing_toolchain_test(e2e_java_client "java (default-jdk-headless) or node")
endif()

# --- PHP client (clients/php) ---------------------------------------------------
# Plain PHP (no phpunit): the test starts a development server and two with
# TLS configs (API keys; mutual TLS), all with --http_listen, plus a scripted
# `php -S` endpoint for retries and deadlines; it prints TAP.
if(AGORA_TOKEN_PHP AND AGORA_TOKEN_NODE)
  add_test(NAME e2e_php_client
    COMMAND ${AGORA_TOKEN_PHP} ${_polyglot_dir}/php/client_test.php)
  set_tests_properties(e2e_php_client PROPERTIES
    LABELS "e2e;php"
    TIMEOUT 180
    ENVIRONMENT "AGORA_TOKEN_SERVER=${_polyglot_server};AGORA_TOKEN_NODE=${AGORA_TOKEN_NODE}")
else()
  _agora_token_missing_toolchain_test(e2e_php_client "php (php-cli) or node")
endif()
