// The token server as a library: BuildAndStart turns Options into a running
// gRPC server (token service, health checking, reflection), so tests can
// start it in-process and main.cc stays a thin flag parser. With a config
// file (server_config.h) it serves TLS or mTLS, authenticates and authorizes
// every call and writes the audit log; without one it is a development
// server, plaintext and open, and only on loopback. The config, keyring and
// TLS files reload when they change or on Reload(), each swap atomic.
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
#include "server/audit_log.h"
#include "server/callers.h"
#include "server/keyring.h"
#include "server/metrics.h"
#include "server/metrics_http.h"
#include "server/server_config.h"
#include "server/token_handlers.h"
#include "server/token_service.h"

namespace agora_token {

struct ServerOptions {
  // host:port; port 0 picks a free port (see TokenServer::port()).
  std::string listen_address = "127.0.0.1:50051";
  // A plaintext gRPC server carrying only grpc.health.v1, for probes that
  // cannot speak TLS (Kubernetes). Empty: none.
  std::string health_listen_address;
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
};

// Logs the outcome of a reload (SIGHUP, a changed file) as one line.
void LogReload(const absl::Status& status, std::string_view why);

class TokenServer {
 public:
  static absl::StatusOr<std::unique_ptr<TokenServer>> BuildAndStart(const ServerOptions& options);
  ~TokenServer();

  int port() const { return port_; }
  int health_port() const { return health_port_; }
  int metrics_port() const { return metrics_http_ ? metrics_http_->port() : 0; }
  const Metrics& metrics() const { return metrics_; }
  // True when the keyring is marked as development-only.
  bool serving_development_keyring() const { return keyring_.Get()->development(); }
  // True when calls are authenticated (a config file is in force).
  bool authenticating() const { return callers_ != nullptr; }
  AuditLog* audit_log() { return audit_.get(); }

  // Re-reads the config (callers, keys, policies) and the keyring, and swaps
  // both in only if both are good; on error the old set keeps serving. TLS
  // files are watched by gRPC itself (every reload interval).
  absl::Status Reload();

  // Health goes NOT_SERVING; after shutdown_delay new calls are refused,
  // and in-flight calls get up to drain_timeout to finish. Idempotent.
  void Shutdown();
  void Wait() { server_->Wait(); }

 private:
  TokenServer(const ServerOptions& options, std::optional<ServerConfig> config,
              std::shared_ptr<const Keyring> keyring, std::optional<AuditDestination> audit);
  // Sets the health of every service on both the main and the health port.
  void SetServing(bool serving);
  // Polls the watched files; a change triggers Reload().
  void WatchFiles(std::chrono::milliseconds interval);
  std::map<std::string, std::string> FileStamps() const;

  ServerOptions options_;
  std::optional<ServerConfig> config_;
  SystemClock system_clock_;
  Metrics metrics_;
  KeyringStore keyring_;
  std::unique_ptr<CallerDirectoryStore> callers_;
  std::unique_ptr<AuditLog> audit_;
  TokenHandlers handlers_;
  TokenService service_;
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
