// Who is calling, as gRPC tells it: the verified client certificate's
// identity (mTLS) and the `authorization` metadata, reduced to the
// transport-free CallCredentials the service layer authenticates.
#ifndef AGORA_TOKEN_SERVER_CALLER_IDENTITY_H_
#define AGORA_TOKEN_SERVER_CALLER_IDENTITY_H_

#include <grpcpp/server_context.h>

#include "server/callers.h"

namespace agora_token {

// Views into `context`'s metadata: valid while the call runs.
CallCredentials CredentialsOf(const grpc::ServerContextBase& context);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_CALLER_IDENTITY_H_
