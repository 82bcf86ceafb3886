#include "server/http/http_api.h"

#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/http/connect_error.h"
#include "server/http/connect_routes.h"
#include "server/http/cors.h"
#include "server/http/dropin_routes.h"

namespace agora_token {
namespace {

// A Connect error with an HTTP status of its own (the spec's status for
// protocol-level problems, like 415 for a content type it does not speak).
HttpResponse ConnectError(absl::Status status, int http_status = 0) {
  HttpResponse response = ConnectErrorResponse(status);
  if (http_status != 0) response.status = http_status;
  return response;
}

// The media type of a Content-Type value, lower case, without parameters.
std::string MediaType(std::string_view content_type) {
  const size_t semicolon = content_type.find(';');
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(
      absl::string_view(content_type.data(), content_type.size()).substr(0, semicolon)));
}

}  // namespace

HttpResponse HttpApi::Handle(const HttpRequest& request) const {
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  CallCredentials credentials;
  credentials.transport = "http";
  credentials.peer = [&request] { return request.peer; };
  credentials.certificate = request.certificate;
  credentials.authorization = request.Header("authorization");

  const std::shared_ptr<const ServingState> state = state_->Get();
  CorsDecision cors = DecideCors(state->config.http.cors(), request);
  if (cors.answer.has_value()) return *std::move(cors.answer);
  HttpResponse response = Route(request, path, credentials);
  for (auto& header : cors.headers) response.headers.push_back(std::move(header));
  return response;
}

HttpResponse HttpApi::Route(const HttpRequest& request, std::string_view path,
                            const CallCredentials& credentials) const {
  if (path.substr(0, kConnectServicePrefix.size()) == kConnectServicePrefix) {
    return ServeConnect(request, path, credentials);
  }
  if (path == "/healthz") {
    return JsonResponse(200, "{\"status\":\"SERVING\"}");
  }
  if (path == "/readyz") {
    // Ready once a keyring serves (the state holds one) and until a drain.
    const bool ready = state_->Get() != nullptr && !draining();
    return JsonResponse(ready ? 200 : 503,
                        ready ? "{\"status\":\"SERVING\"}" : "{\"status\":\"NOT_SERVING\"}");
  }
  if (std::optional<HttpResponse> dropin =
          ServeDropIn(*layer_, *state_->Get(), request, path, credentials)) {
    return *std::move(dropin);
  }
  return JsonResponse(404, "{\"code\":\"not_found\",\"message\":\"no such route\"}");
}

HttpResponse HttpApi::ServeConnect(const HttpRequest& request, std::string_view path,
                                   const CallCredentials& credentials) const {
  const ConnectRoute* route = FindConnectRoute(path);
  if (route == nullptr) {
    return ConnectError(absl::UnimplementedError("no such method in agora.token.v1.TokenService"),
                        404);
  }
  if (request.method != "POST") {
    HttpResponse response =
        ConnectError(absl::UnimplementedError("Connect unary calls are POST requests"), 405);
    response.Set("Allow", "POST");
    return response;
  }
  const std::string media_type = MediaType(request.Header("content-type").value_or(""));
  ConnectCodec codec;
  if (media_type == "application/json") {
    codec = ConnectCodec::kJson;
  } else if (media_type == "application/proto") {
    codec = ConnectCodec::kProto;
  } else {
    HttpResponse response = ConnectError(
        absl::InvalidArgumentError("Content-Type must be application/json or application/proto"),
        415);
    response.Set("Accept-Post", "application/json, application/proto");
    return response;
  }
  if (std::optional<std::string_view> version = request.Header("connect-protocol-version");
      version.has_value() && *version != "1") {
    return ConnectError(absl::InvalidArgumentError("Connect-Protocol-Version must be 1"));
  }
  if (std::optional<std::string_view> encoding = request.Header("content-encoding");
      encoding.has_value() && *encoding != "identity") {
    HttpResponse response =
        ConnectError(absl::UnimplementedError("request compression is not supported"));
    response.Set("Accept-Encoding", "identity");
    return response;
  }
  CallOptions options;
  if (std::optional<std::string_view> timeout = request.Header("connect-timeout-ms")) {
    // The spec: a positive integer of at most 10 digits.
    int64_t ms = 0;
    if (timeout->empty() || timeout->size() > 10 ||
        !absl::SimpleAtoi(absl::string_view(timeout->data(), timeout->size()), &ms) || ms <= 0) {
      return ConnectError(
          absl::InvalidArgumentError("Connect-Timeout-Ms must be 1 to 10 digits, in milliseconds"));
    }
    options.deadline = std::chrono::system_clock::now() + std::chrono::milliseconds(ms);
    // A large batch stops between items once nobody waits for it.
    options.cancelled = [deadline = options.deadline] {
      return deadline <= std::chrono::system_clock::now();
    };
  }
  std::string body;
  const absl::Status status =
      route->serve(*layer_, route->method, credentials, options, codec, request.body, &body);
  if (!status.ok()) return ConnectError(status);
  HttpResponse response;
  response.Set("Content-Type",
               codec == ConnectCodec::kJson ? "application/json" : "application/proto");
  response.body = std::move(body);
  return response;
}

}  // namespace agora_token
