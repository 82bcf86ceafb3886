// The one error boundary between absl::Status and gRPC: the status as
// google.rpc.Status (rpc_status.h) in the standard grpc-status-details-bin
// trailer.
#ifndef AGORA_TOKEN_SERVER_GRPC_STATUS_H_
#define AGORA_TOKEN_SERVER_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "server/rpc_status.h"

namespace agora_token {

// absl::Status -> grpc::Status, details serialized into the trailer.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_GRPC_STATUS_H_
