#include "server/http/cors.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace agora_token {
namespace {

constexpr char kAllowedMethods[] = "GET, POST, OPTIONS";
constexpr char kAllowedHeaders[] =
    "Authorization, Content-Type, Connect-Protocol-Version, Connect-Timeout-Ms";
constexpr char kExposedHeaders[] = "Retry-After";
constexpr uint32_t kDefaultMaxAgeSeconds = 600;

}  // namespace

CorsDecision DecideCors(const agora::token::v1::CorsConfig& cors, const HttpRequest& request) {
  CorsDecision decision;
  const std::optional<std::string_view> origin = request.Header("origin");
  if (!origin.has_value()) return decision;  // not a browser's cross-origin call
  const auto& allowed = cors.allowed_origins();
  const bool exact = std::find(allowed.begin(), allowed.end(), *origin) != allowed.end();
  const bool wildcard = std::find(allowed.begin(), allowed.end(), "*") != allowed.end();
  if (!exact && !wildcard) {
    HttpResponse refused = JsonResponse(
        403,
        "{\"code\":\"permission_denied\",\"message\":\"this origin may not call the server "
        "(http.cors.allowed_origins)\"}");
    refused.Set("Vary", "Origin");
    decision.answer = std::move(refused);
    return decision;
  }
  // With credentials the origin is echoed (never "*"); the config refuses
  // "*" together with allow_credentials.
  const bool credentials = exact && cors.allow_credentials();
  decision.headers.emplace_back("Access-Control-Allow-Origin",
                                exact ? std::string(*origin) : std::string("*"));
  decision.headers.emplace_back("Vary", "Origin");
  if (credentials) decision.headers.emplace_back("Access-Control-Allow-Credentials", "true");
  if (request.method == "OPTIONS" && request.Header("access-control-request-method")) {
    HttpResponse preflight;
    preflight.status = 204;
    preflight.headers = decision.headers;
    preflight.Set("Access-Control-Allow-Methods", kAllowedMethods);
    preflight.Set("Access-Control-Allow-Headers", kAllowedHeaders);
    preflight.Set("Access-Control-Max-Age",
                  absl::StrCat(cors.max_age_seconds() != 0 ? cors.max_age_seconds()
                                                           : kDefaultMaxAgeSeconds));
    decision.answer = std::move(preflight);
    return decision;
  }
  decision.headers.emplace_back("Access-Control-Expose-Headers", kExposedHeaders);
  return decision;
}

}  // namespace agora_token
