// The token server as a library: BuildAndStart turns Options into a running
// gRPC server (token service, health checking, reflection), so tests can
// start it in-process and main.cc stays a thin flag parser.
#ifndef AGORA_TOKEN_SERVER_SERVER_H_
#define AGORA_TOKEN_SERVER_SERVER_H_

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "core/token.h"
#include "server/keyring.h"
#include "server/metrics.h"
#include "server/metrics_http.h"
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
  // Plaintext without caller authentication is only safe on loopback.
  bool allow_insecure_remote = false;
  // nullptr means the system clock.
  const Clock* clock = nullptr;
};

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

  // Re-reads the keyring file; on error the old keyring keeps serving.
  absl::Status ReloadKeyring();

  // Health goes NOT_SERVING; after shutdown_delay new calls are refused,
  // and in-flight calls get up to drain_timeout to finish. Idempotent.
  void Shutdown();
  void Wait() { server_->Wait(); }

  std::shared_ptr<grpc::Channel> InProcessChannel();

 private:
  TokenServer(const ServerOptions& options, std::shared_ptr<const Keyring> keyring);
  // Sets the health of every service on both the main and the health port.
  void SetServing(bool serving);

  ServerOptions options_;
  SystemClock system_clock_;
  Metrics metrics_;
  KeyringStore keyring_;
  TokenHandlers handlers_;
  TokenService service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> health_server_;
  std::unique_ptr<MetricsHttpServer> metrics_http_;
  int port_ = 0;
  int health_port_ = 0;
  bool shut_down_ = false;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_SERVER_H_
