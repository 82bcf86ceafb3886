// absl::Status as google.rpc.Status, for every transport: field errors
// (core/input_rules.h) become google.rpc.BadRequest field violations and a
// retry delay becomes google.rpc.RetryInfo, so every client language can
// read which field failed and when to retry. gRPC sends it in the
// grpc-status-details-bin trailer (grpc_status.h); batch items carry it in
// the response.
#ifndef AGORA_TOKEN_SERVER_RPC_STATUS_H_
#define AGORA_TOKEN_SERVER_RPC_STATUS_H_

#include <chrono>
#include <optional>

#include "absl/status/status.h"
#include "google/rpc/status.pb.h"

namespace agora_token {

// Marks `status` as retryable after `delay` (sent as google.rpc.RetryInfo).
absl::Status WithRetryDelay(absl::Status status, std::chrono::milliseconds delay);
std::optional<std::chrono::milliseconds> RetryDelayOf(const absl::Status& status);

// absl::Status -> google.rpc.Status with its details.
google::rpc::Status ToRpcStatus(const absl::Status& status);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_RPC_STATUS_H_
