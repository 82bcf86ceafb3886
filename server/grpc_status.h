// The one error boundary between the core's absl::Status and gRPC. Field
// errors (core/input_rules.h) become google.rpc.BadRequest field violations,
// and a retry delay becomes google.rpc.RetryInfo, inside a google.rpc.Status
// sent in the standard grpc-status-details-bin trailer, so every client
// language can read which field failed and why.
#ifndef AGORA_TOKEN_SERVER_GRPC_STATUS_H_
#define AGORA_TOKEN_SERVER_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include <chrono>
#include <optional>

#include "absl/status/status.h"
#include "google/rpc/status.pb.h"

namespace agora_token {

// Marks `status` as retryable after `delay` (sent as google.rpc.RetryInfo).
absl::Status WithRetryDelay(absl::Status status, std::chrono::milliseconds delay);
std::optional<std::chrono::milliseconds> RetryDelayOf(const absl::Status& status);

// absl::Status -> google.rpc.Status with its details (used alone for batch
// items, whose errors travel inside the response).
google::rpc::Status ToRpcStatus(const absl::Status& status);

// absl::Status -> grpc::Status, details serialized into the trailer.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_GRPC_STATUS_H_
