// One HTTP request and its response as the HTTP API sees them, with nothing
// of the HTTP library in them: http_server.cc fills an HttpRequest from the
// wire and writes the HttpResponse back, and tests build them directly.
#ifndef AGORA_TOKEN_SERVER_HTTP_HTTP_MESSAGE_H_
#define AGORA_TOKEN_SERVER_HTTP_HTTP_MESSAGE_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/callers.h"
#include "server/log.h"  // JsonQuote

namespace agora_token {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent
  // Field names in lower case; a name may repeat.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string peer;  // "ipv4:127.0.0.1:5432", as gRPC names peers
  // The verified client certificate (mutual TLS), if any.
  std::optional<CertificateIdentity> certificate;

  // The first value of header `name` (lower case), if present.
  std::optional<std::string_view> Header(std::string_view name) const {
    for (const auto& [field, value] : headers) {
      if (field == name) return value;
    }
    return std::nullopt;
  }
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void Set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// A response of `status` with a JSON `body`.
inline HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.Set("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_HTTP_HTTP_MESSAGE_H_
