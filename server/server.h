// The token server as a library: BuildAndStart turns Options into a running
// server, so tests can start it in-process and main.cc stays a thin flag
// parser. It owns what outlives a reload (metrics, rate-limit buckets, the
// listening transports) and the ServingStateStore; the ServiceLayer serves
// every call from one snapshot of it; the gRPC transport (TokenServiceImpl,
// health checking, reflection) sits on top. With a config file it serves
// TLS or mTLS, authenticates and authorizes every call and writes the audit
// log; without one it is a development server, plaintext and open, and only
// on loopback. Reload() (SIGHUP, or a watched file changing) builds a whole
// new state and swaps it in, or refuses and keeps the old one.
#ifndef AGORA_TOKEN_SERVER_SERVER_H_
#define AGORA_TOKEN_SERVER_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "core/token.h"
#include "server/metrics.h"
#include "server/http/http_api.h"
#include "server/http/http_server.h"
#include "server/metrics_http.h"
#include "server/rate_limits.h"
#include "server/server_config.h"
#include "server/service_layer.h"
#include "server/serving_state.h"
#include "server/token_service_impl.h"

namespace agora_token {

struct ServerOptions {
  // host:port; port 0 picks a free port (see TokenServer::port()).
  std::string listen_address = "127.0.0.1:50051";
  // A plaintext gRPC server carrying only grpc.health.v1, for probes that
  // cannot speak TLS (Kubernetes). Empty: none.
  std::string health_listen_address;
  // host:port of the HTTP API (server/http/: Connect and the drop-in
  // routes). Empty: the config's http_listen_address, else none.
  std::string http_listen_address;
  // HTTP limits (the body limit is max_request_bytes).
  int http_max_connections = 1024;
  int http_max_header_bytes = 16 * 1024;
  std::chrono::milliseconds http_header_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds http_body_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds http_idle_timeout{std::chrono::seconds(60)};
  // IPv4:port of the Prometheus endpoint (GET /metrics). Empty: none.
  std::string metrics_listen_address;
  // The security config (proto/agora/token/v1/server_config.proto), which
  // names the keyring. Empty: development mode, with keyring_path.
  std::string config_path;
  std::string keyring_path;
  TokenVersion default_version = TokenVersion::k007;
  Compression compression = Compression::kCompatible;
  size_t max_batch_items = 1000;
  // Larger requests are refused by gRPC with RESOURCE_EXHAUSTED.
  int max_request_bytes = 1 << 20;
  // How long health reports NOT_SERVING before new calls are refused, so
  // health-checking clients and load balancers move away first.
  std::chrono::milliseconds shutdown_delay{0};
  // How long in-flight calls may run after new calls are refused.
  std::chrono::milliseconds drain_timeout{10000};
  // Transport limits against hostile or broken clients.
  int max_concurrent_streams = 256;  // per connection
  std::chrono::milliseconds max_connection_idle{std::chrono::minutes(5)};
  std::chrono::milliseconds handshake_timeout{std::chrono::seconds(10)};
  // Every connection is told to go away (GOAWAY) after max_connection_age,
  // so clients re-resolve and spread over new replicas; its calls then get
  // max_connection_age_grace to finish, which also ends a call whose client
  // never sends its request.
  std::chrono::milliseconds max_connection_age{std::chrono::minutes(30)};
  std::chrono::milliseconds max_connection_age_grace{std::chrono::seconds(30)};
  // Development mode: how often the keyring file is checked for changes.
  std::chrono::milliseconds reload_interval{std::chrono::seconds(5)};
  // nullptr means the system clock.
  const Clock* clock = nullptr;

  // Every limit in range, and a keyring or a config but not both; the error
  // names the flag.
  absl::Status Validate() const;
};

// The API port's transport settings: largest request, streams per
// connection, connection idle and age limits, handshake timeout, keepalive.
// bench/floor_server.cc serves with the same, so the benchmark's floor
// differs from this server only in the work each call does.
void ApplyApiTransportOptions(const ServerOptions& options, grpc::ServerBuilder* builder);

class TokenServer {
 public:
  static absl::StatusOr<std::unique_ptr<TokenServer>> BuildAndStart(const ServerOptions& options);
  ~TokenServer();

  int port() const { return port_; }
  int health_port() const { return health_port_; }
  int http_port() const { return http_ ? http_->port() : 0; }
  int metrics_port() const { return metrics_http_ ? metrics_http_->port() : 0; }
  const Metrics& metrics() const { return metrics_; }
  // The state calls are served from now.
  std::shared_ptr<const ServingState> state() const { return state_.Get(); }
  // True when the keyring is marked as development-only.
  bool serving_development_keyring() const { return state()->keyring->development(); }
  // True when calls are authenticated (a config file is in force).
  bool authenticating() const { return !state()->callers().open(); }
  AuditLog* audit_log() { return state()->audit.get(); }

  // Builds a new serving state from the config (or the development keyring)
  // and swaps it in whole; on any error, or a change only a restart can
  // apply, the old state keeps serving. Logs one line saying which, with
  // `why` (e.g. "SIGHUP"), and counts it in the metrics.
  absl::Status Reload(std::string_view why = "Reload()");

  // Health goes NOT_SERVING; after shutdown_delay new calls are refused,
  // and in-flight calls get up to drain_timeout to finish. Idempotent.
  void Shutdown();
  void Wait() { server_->Wait(); }

 private:
  explicit TokenServer(const ServerOptions& options);
  absl::Status BuildAndSwap();
  // Sets the health of every service on both the main and the health port.
  void SetServing(bool serving);
  // Polls the watched files at the state's reload interval; a change
  // triggers Reload().
  void WatchFiles();
  std::map<std::string, std::string> FileStamps() const;

  ServerOptions options_;
  HandlerOptions handler_options_;
  SystemClock system_clock_;
  Metrics metrics_;
  RateLimits rate_limits_;
  ServingStateStore state_;
  ServiceLayer layer_;
  TokenServiceImpl service_;
  HttpApi http_api_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> health_server_;
  std::unique_ptr<MetricsHttpServer> metrics_http_;
  int port_ = 0;
  int health_port_ = 0;
  bool shut_down_ = false;

  std::mutex reload_mutex_;  // one reload at a time
  std::mutex watch_mutex_;
  std::condition_variable watch_stop_;
  bool watch_stopping_ = false;
  std::thread watcher_;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_SERVER_H_
