// The Prometheus endpoint: GET /metrics over plain HTTP on its own address
// (--metrics-listen), served by libmicrohttpd's own thread, away from the
// gRPC threads.
#ifndef AGORA_TOKEN_SERVER_METRICS_HTTP_H_
#define AGORA_TOKEN_SERVER_METRICS_HTTP_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/metrics.h"

struct MHD_Daemon;

namespace agora_token {

class MetricsHttpServer {
 public:
  // `address` is "host:port" with a numeric IPv4 host; port 0 picks one.
  // `metrics` must outlive the server.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(const std::string& address,
                                                                  const Metrics* metrics);
  ~MetricsHttpServer();

  int port() const { return port_; }

 private:
  MetricsHttpServer() = default;

  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_METRICS_HTTP_H_
