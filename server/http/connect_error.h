// absl::Status as a Connect protocol error (connectrpc.com/docs/protocol):
// the HTTP status the spec maps each code to, and the JSON body
// {"code": "invalid_argument", "message": ..., "details": [...]}, whose
// details are the same google.rpc.BadRequest and RetryInfo that gRPC sends
// (rpc_status.h), each as {"type", "value": base64 of its bytes, "debug"}.
// A retry delay also becomes a Retry-After header (whole seconds, rounded up).
#ifndef AGORA_TOKEN_SERVER_HTTP_CONNECT_ERROR_H_
#define AGORA_TOKEN_SERVER_HTTP_CONNECT_ERROR_H_

#include <string_view>

#include "absl/status/status.h"
#include "server/http/http_message.h"

namespace agora_token {

// "invalid_argument", ... as Connect spells google.rpc.Code.
std::string_view ConnectCodeName(absl::StatusCode code);

// 400 invalid_argument, 401 unauthenticated, 403 permission_denied, 404
// not_found, 429 resource_exhausted, 503 unavailable, ... (the spec's table).
int HttpStatusOf(absl::StatusCode code);

// The whole error response for a status that is not OK.
HttpResponse ConnectErrorResponse(const absl::Status& status);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_HTTP_CONNECT_ERROR_H_
