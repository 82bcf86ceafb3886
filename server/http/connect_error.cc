#include "server/http/connect_error.h"

#include <google/protobuf/util/json_util.h>

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "server/rpc_status.h"

namespace agora_token {
namespace {

// Connect writes base64 without padding, as connect-go does; clients accept both.
std::string Unpadded(std::string base64) {
  while (!base64.empty() && base64.back() == '=') base64.pop_back();
  return base64;
}

}  // namespace

std::string_view ConnectCodeName(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return "ok";
    case absl::StatusCode::kCancelled: return "canceled";
    case absl::StatusCode::kUnknown: return "unknown";
    case absl::StatusCode::kInvalidArgument: return "invalid_argument";
    case absl::StatusCode::kDeadlineExceeded: return "deadline_exceeded";
    case absl::StatusCode::kNotFound: return "not_found";
    case absl::StatusCode::kAlreadyExists: return "already_exists";
    case absl::StatusCode::kPermissionDenied: return "permission_denied";
    case absl::StatusCode::kResourceExhausted: return "resource_exhausted";
    case absl::StatusCode::kFailedPrecondition: return "failed_precondition";
    case absl::StatusCode::kAborted: return "aborted";
    case absl::StatusCode::kOutOfRange: return "out_of_range";
    case absl::StatusCode::kUnimplemented: return "unimplemented";
    case absl::StatusCode::kInternal: return "internal";
    case absl::StatusCode::kUnavailable: return "unavailable";
    case absl::StatusCode::kDataLoss: return "data_loss";
    case absl::StatusCode::kUnauthenticated: return "unauthenticated";
    default: return "unknown";
  }
}

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kCancelled: return 499;
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists: return 409;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kFailedPrecondition: return 400;
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kUnimplemented: return 501;
    case absl::StatusCode::kUnavailable: return 503;
    case absl::StatusCode::kUnauthenticated: return 401;
    default: return 500;  // unknown, internal, data_loss
  }
}

HttpResponse ConnectErrorResponse(const absl::Status& status) {
  const google::rpc::Status rpc = ToRpcStatus(status);
  std::string body = absl::StrCat("{\"code\":\"", std::string(ConnectCodeName(status.code())),
                                  "\",\"message\":", JsonQuote(rpc.message()));
  if (rpc.details_size() > 0) {
    body += ",\"details\":[";
    for (int i = 0; i < rpc.details_size(); ++i) {
      const google::protobuf::Any& detail = rpc.details(i);
      // "type.googleapis.com/google.rpc.BadRequest" -> "google.rpc.BadRequest"
      absl::string_view type = detail.type_url();
      type = type.substr(type.rfind('/') + 1);
      std::string debug;
      google::rpc::BadRequest bad_request;
      google::rpc::RetryInfo retry;
      if (detail.UnpackTo(&bad_request)) {
        (void)google::protobuf::util::MessageToJsonString(bad_request, &debug);
      } else if (detail.UnpackTo(&retry)) {
        (void)google::protobuf::util::MessageToJsonString(retry, &debug);
      }
      absl::StrAppend(&body, i > 0 ? "," : "", "{\"type\":", JsonQuote(std::string(type)),
                      ",\"value\":\"", Unpadded(absl::Base64Escape(detail.value())), "\"");
      if (!debug.empty()) absl::StrAppend(&body, ",\"debug\":", debug);
      body += "}";
    }
    body += "]";
  }
  body += "}";
  HttpResponse response = JsonResponse(HttpStatusOf(status.code()), std::move(body));
  if (std::optional<std::chrono::milliseconds> delay = RetryDelayOf(status)) {
    response.Set("Retry-After", absl::StrCat((delay->count() + 999) / 1000));
  }
  return response;
}

}  // namespace agora_token
