// The HTTP API over the ServiceLayer, with nothing of the HTTP library in
// it: one HttpRequest in, one HttpResponse out. It routes
//   POST /agora.token.v1.TokenService/<Method>   the Connect protocol
//   GET/POST drop-in routes of agora-token-service (dropin_routes.h)
//   GET /healthz, GET /readyz                      probes
// after CORS (cors.h), and turns the request into CallCredentials
// {transport "http", peer, certificate, authorization} and CallOptions
// (Connect-Timeout-Ms) for the layer, which authenticates, applies the
// caller's policy and rate limit, audits and counts, as for gRPC.
#ifndef AGORA_TOKEN_SERVER_HTTP_HTTP_API_H_
#define AGORA_TOKEN_SERVER_HTTP_HTTP_API_H_

#include <atomic>

#include "server/http/http_message.h"
#include "server/service_layer.h"
#include "server/serving_state.h"

namespace agora_token {

class HttpApi {
 public:
  // Both must outlive the API.
  HttpApi(ServiceLayer* layer, const ServingStateStore* state) : layer_(layer), state_(state) {}

  HttpResponse Handle(const HttpRequest& request) const;

  // From now on /readyz answers 503, so load balancers stop sending.
  void SetDraining() { draining_.store(true, std::memory_order_release); }
  bool draining() const { return draining_.load(std::memory_order_acquire); }

 private:
  HttpResponse Route(const HttpRequest& request, std::string_view path,
                     const CallCredentials& credentials) const;
  HttpResponse ServeConnect(const HttpRequest& request, std::string_view path,
                            const CallCredentials& credentials) const;

  ServiceLayer* layer_;
  const ServingStateStore* state_;
  std::atomic<bool> draining_{false};
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_HTTP_HTTP_API_H_
