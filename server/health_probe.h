// Client mode of the server binary (--health-probe HOST:PORT): one
// grpc.health.v1.Health/Check for the whole server, for container health
// checks that have no gRPC client of their own.
#ifndef AGORA_TOKEN_SERVER_HEALTH_PROBE_H_
#define AGORA_TOKEN_SERVER_HEALTH_PROBE_H_

#include <chrono>
#include <string>

#include "absl/status/status.h"

namespace agora_token {

// OK when the server at `target` reports SERVING within `timeout`.
absl::Status ProbeHealth(const std::string& target, std::chrono::milliseconds timeout);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_HEALTH_PROBE_H_
