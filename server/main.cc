// agora-token-server: flags -> ServerOptions -> TokenServer. Signals are
// handled synchronously here: SIGHUP reloads the config and keyring, SIGTERM
// and SIGINT drain and exit 0.
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/flag_types.h"
#include "server/health_probe.h"
#include "server/log.h"
#include "server/server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "host:port to serve on (port 0 picks one)");
ABSL_FLAG(std::string, config, "",
          "security config (protobuf text format, proto/agora/token/v1/server_config.proto): "
          "TLS, callers and their policies, audit log, keyring. Without it the server runs in "
          "development mode: plaintext, unauthenticated, loopback only");
ABSL_FLAG(std::string, keyring, "",
          "development mode only: keyring file (protobuf text format, "
          "proto/agora/token/v1/keyring.proto)");
ABSL_FLAG(agora_token::TokenVersion, default_token_version, agora_token::TokenVersion::k007,
          "token format when a request leaves token_version unset: 006 or 007");
ABSL_FLAG(agora_token::Compression, compression, agora_token::Compression::kCompatible,
          "007 deflate mode: compatible (byte-identical to the reference builders) or fast "
          "(stored block: ~10x cheaper, ~24 characters longer)");
ABSL_FLAG(int, max_batch_items, 1000, "most items in one BuildTokens call");
ABSL_FLAG(int, max_request_bytes, 1 << 20, "largest accepted request message, in bytes");
ABSL_FLAG(int, shutdown_delay_ms, 0,
          "after SIGTERM, how long health reports NOT_SERVING before new calls are refused");
ABSL_FLAG(int, drain_timeout_ms, 10000,
          "how long in-flight calls may finish once new calls are refused");
ABSL_FLAG(std::string, health_listen, "",
          "also serve grpc.health.v1 alone, in plaintext, on this host:port (for probes)");
ABSL_FLAG(std::string, metrics_listen, "", "serve Prometheus metrics at http://IPV4:PORT/metrics");
ABSL_FLAG(std::string, http_listen, "",
          "also serve the API over HTTP (Connect protocol, drop-in agora-token-service routes, "
          "/healthz, /readyz) on this host:port; TLS as the config says, plaintext on loopback "
          "only");
ABSL_FLAG(int, http_max_connections, 1024, "most open HTTP connections; more are closed at once");
ABSL_FLAG(int, http_max_header_bytes, 16 * 1024, "largest accepted HTTP request header, in bytes");
ABSL_FLAG(int, http_header_timeout_ms, 10000,
          "an HTTP connection must deliver a whole request header (and finish TLS) in this time");
ABSL_FLAG(int, http_body_timeout_ms, 10000,
          "an HTTP request body must arrive in this time once its header has");
ABSL_FLAG(int, http_idle_timeout_ms, 60000, "close a kept-alive HTTP connection idle this long");
ABSL_FLAG(std::string, health_probe, "",
          "client mode: check the health of the server at this host:port and exit 0 if SERVING");
ABSL_FLAG(int, max_concurrent_streams, 256, "most concurrent calls on one client connection");
ABSL_FLAG(int, max_connection_idle_ms, 300000,
          "close a client connection after this long without calls");
ABSL_FLAG(int, max_connection_age_ms, 1800000,
          "send GOAWAY on a client connection this old, so clients rebalance");
ABSL_FLAG(int, max_connection_age_grace_ms, 30000,
          "then let its calls run this long before the connection is closed");
ABSL_FLAG(int, handshake_timeout_ms, 10000,
          "close a new connection that has not finished its HTTP/2 (and TLS) handshake by then");

namespace {

int Fail(const std::string& message) {
  agora_token::Log(agora_token::LogLevel::kError, message);
  return 1;
}

// Accepts --flag-name as well as Abseil's --flag_name, as the docs spell
// flags with hyphens.
void NormalizeFlagNames(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    char* arg = argv[i];
    if (arg[0] != '-' || arg[1] != '-') continue;
    if (arg[2] == '\0') break;  // "--" ends the flags
    for (char* p = arg + 2; *p != '\0' && *p != '='; ++p) {
      if (*p == '-') *p = '_';
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Debian's Abseil is built with mutex deadlock detection on: ~6% of the
  // server's CPU under load, for a check meant for debug builds.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::SetProgramUsageMessage(
      "Serves Agora access tokens over gRPC (agora.token.v1.TokenService).");
  NormalizeFlagNames(argc, argv);
  absl::ParseCommandLine(argc, argv);

  if (const std::string target = absl::GetFlag(FLAGS_health_probe); !target.empty()) {
    const absl::Status health = agora_token::ProbeHealth(target, std::chrono::seconds(2));
    if (!health.ok()) std::fprintf(stderr, "%s\n", std::string(health.message()).c_str());
    return health.ok() ? 0 : 1;
  }

  agora_token::ServerOptions options;
  options.listen_address = absl::GetFlag(FLAGS_listen);
  options.config_path = absl::GetFlag(FLAGS_config);
  options.keyring_path = absl::GetFlag(FLAGS_keyring);
  options.health_listen_address = absl::GetFlag(FLAGS_health_listen);
  options.metrics_listen_address = absl::GetFlag(FLAGS_metrics_listen);
  options.http_listen_address = absl::GetFlag(FLAGS_http_listen);
  options.http_max_connections = absl::GetFlag(FLAGS_http_max_connections);
  options.http_max_header_bytes = absl::GetFlag(FLAGS_http_max_header_bytes);
  options.http_header_timeout =
      std::chrono::milliseconds(absl::GetFlag(FLAGS_http_header_timeout_ms));
  options.http_body_timeout = std::chrono::milliseconds(absl::GetFlag(FLAGS_http_body_timeout_ms));
  options.http_idle_timeout = std::chrono::milliseconds(absl::GetFlag(FLAGS_http_idle_timeout_ms));
  options.default_version = absl::GetFlag(FLAGS_default_token_version);
  options.compression = absl::GetFlag(FLAGS_compression);
  options.max_batch_items = static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_max_batch_items)));
  options.max_request_bytes = absl::GetFlag(FLAGS_max_request_bytes);
  options.shutdown_delay = std::chrono::milliseconds(absl::GetFlag(FLAGS_shutdown_delay_ms));
  options.drain_timeout = std::chrono::milliseconds(absl::GetFlag(FLAGS_drain_timeout_ms));
  options.max_concurrent_streams = absl::GetFlag(FLAGS_max_concurrent_streams);
  options.max_connection_idle =
      std::chrono::milliseconds(absl::GetFlag(FLAGS_max_connection_idle_ms));
  options.handshake_timeout = std::chrono::milliseconds(absl::GetFlag(FLAGS_handshake_timeout_ms));
  options.max_connection_age =
      std::chrono::milliseconds(absl::GetFlag(FLAGS_max_connection_age_ms));
  options.max_connection_age_grace =
      std::chrono::milliseconds(absl::GetFlag(FLAGS_max_connection_age_grace_ms));
  if (absl::Status valid = options.Validate(); !valid.ok()) {
    return Fail(std::string(valid.message()));
  }
  // libprotobuf's and gRPC's own messages become JSON lines too.
  agora_token::RouteLibraryLogs();

  // Block the signals before any gRPC thread exists so only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<std::unique_ptr<agora_token::TokenServer>> server =
      agora_token::TokenServer::BuildAndStart(options);
  if (!server.ok()) return Fail(std::string(server.status().message()));
  if ((*server)->serving_development_keyring()) {
    agora_token::Log(agora_token::LogLevel::kWarning,
                     "serving a DEVELOPMENT keyring with public sample credentials: tokens it "
                     "mints protect nothing; never use it in production",
                     {{"keyring", options.keyring_path}});
  }
  if (!(*server)->authenticating()) {
    agora_token::Log(agora_token::LogLevel::kWarning,
                     "development mode: calls are not authenticated (no --config); loopback only");
  }
  agora_token::Log(agora_token::LogLevel::kInfo, "serving",
                   {{"listen", options.listen_address},
                    {"port", absl::StrCat((*server)->port())},
                    {"health_port", absl::StrCat((*server)->health_port())},
                    {"http_port", absl::StrCat((*server)->http_port())},
                    {"metrics_port", absl::StrCat((*server)->metrics_port())},
                    {"default_token_version", AbslUnparseFlag(options.default_version)},
                    {"compression", AbslUnparseFlag(options.compression)}});

  for (;;) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) continue;
    if (signal_number == SIGHUP) {
      (*server)->Reload("SIGHUP").IgnoreError();  // it logs the outcome
      continue;
    }
    agora_token::Log(agora_token::LogLevel::kInfo, "draining",
                     {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"},
                      {"drain_timeout_ms", absl::StrCat(options.drain_timeout.count())}});
    (*server)->Shutdown();
    (*server)->Wait();
    agora_token::Log(agora_token::LogLevel::kInfo, "stopped");
    return 0;
  }
}
