// CORS for browser callers, from the reloadable server config
// (HttpConfig.cors): exact origins, or "*" only when written so; a preflight
// OPTIONS gets 204 with the allowed methods and headers and
// Access-Control-Max-Age; credentials are never allowed with "*"; any other
// origin is refused with 403 before the request reaches the service.
#ifndef AGORA_TOKEN_SERVER_HTTP_CORS_H_
#define AGORA_TOKEN_SERVER_HTTP_CORS_H_

#include <optional>

#include "agora/token/v1/server_config.pb.h"
#include "server/http/http_message.h"

namespace agora_token {

struct CorsDecision {
  // Set: answer with this (a preflight, or a refused origin) and stop.
  std::optional<HttpResponse> answer;
  // Headers every other response to this request carries.
  std::vector<std::pair<std::string, std::string>> headers;
};

CorsDecision DecideCors(const agora::token::v1::CorsConfig& cors, const HttpRequest& request);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_HTTP_CORS_H_
