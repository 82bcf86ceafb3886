// The HTTP transport: Boost.Beast (HTTP/1.1, keep-alive) over Boost.Asio,
// with TLS and mutual TLS through Asio's OpenSSL streams, the OpenSSL the
// gRPC port uses. Each request is read, checked against the limits below,
// handed to the HttpApi as an HttpRequest, and its HttpResponse written
// back; the API's handlers are synchronous and short, so they run on the
// I/O threads. Beast's parser refuses malformed framing (a duplicated or
// conflicting Content-Length, a Transfer-Encoding with a Content-Length or
// not ending in chunked) with its own status and closes that connection
// only. Why Beast rather than libmicrohttpd or h2o: README "Calling over
// HTTP".
#ifndef AGORA_TOKEN_SERVER_HTTP_HTTP_SERVER_H_
#define AGORA_TOKEN_SERVER_HTTP_HTTP_SERVER_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "server/http/http_api.h"
#include "server/server_config.h"

namespace agora_token {

struct HttpServerOptions {
  std::string listen_address;  // host:port; port 0 picks one
  std::optional<TlsFiles> tls;  // none: plaintext (loopback only, checked by the caller)
  size_t max_body_bytes = 1 << 20;
  uint32_t max_header_bytes = 16 * 1024;
  // A new connection must finish its TLS handshake and send a whole header
  // within header_timeout; a body must arrive within body_timeout once its
  // header has (slowloris).
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds body_timeout{std::chrono::seconds(10)};
  // A keep-alive connection with no request for this long is closed.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  // Connections beyond this are closed as soon as they are accepted.
  int max_connections = 1024;
  int threads = 0;  // 0: one per CPU, at least 2
};

class HttpServer {
 public:
  // Listens and starts serving. `api` must outlive the server.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                           HttpApi* api);
  ~HttpServer();

  int port() const;

  // Stops accepting, closes idle keep-alive connections, lets requests in
  // progress finish (their responses say Connection: close) until
  // `deadline`, then stops. Idempotent.
  void Drain(std::chrono::system_clock::time_point deadline);

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_HTTP_HTTP_SERVER_H_
