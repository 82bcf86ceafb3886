// Who is calling, from a gRPC call: the verified client certificate's
// identity (mTLS) or the API key in `authorization: Bearer <key>` metadata,
// looked up in the CallerDirectory.
#ifndef AGORA_TOKEN_SERVER_CALLER_IDENTITY_H_
#define AGORA_TOKEN_SERVER_CALLER_IDENTITY_H_

#include <grpcpp/server_context.h>

#include "absl/status/statusor.h"
#include "server/callers.h"

namespace agora_token {

// The caller, or UNAUTHENTICATED. The message never repeats a presented key.
absl::StatusOr<const Caller*> AuthenticateCall(const CallerDirectory& directory,
                                               const grpc::ServerContextBase& context);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_CALLER_IDENTITY_H_
