#include "server/rpc_status.h"

#include <string>

#include "absl/strings/cord.h"
#include "core/input_rules.h"
#include "google/rpc/error_details.pb.h"

namespace agora_token {
namespace {

constexpr char kRetryPayloadUrl[] = "type.agora.token/retry-delay-ms";

}  // namespace

absl::Status WithRetryDelay(absl::Status status, std::chrono::milliseconds delay) {
  status.SetPayload(kRetryPayloadUrl, absl::Cord(std::to_string(delay.count())));
  return status;
}

std::optional<std::chrono::milliseconds> RetryDelayOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kRetryPayloadUrl);
  if (!payload.has_value()) return std::nullopt;
  return std::chrono::milliseconds(std::stoll(std::string(*payload)));
}

google::rpc::Status ToRpcStatus(const absl::Status& status) {
  google::rpc::Status rpc;
  // absl::StatusCode shares google.rpc.Code's numbering.
  rpc.set_code(static_cast<int>(status.code()));
  rpc.set_message(std::string(status.message()));
  if (std::optional<std::string> field = InvalidFieldName(status)) {
    google::rpc::BadRequest bad_request;
    google::rpc::BadRequest::FieldViolation* violation = bad_request.add_field_violations();
    violation->set_field(*field);
    // The message is "<field>: <rule>"; the description is the rule.
    const std::string message(status.message());
    violation->set_description(message.substr(std::min(message.size(), field->size() + 2)));
    rpc.add_details()->PackFrom(bad_request);
  }
  if (std::optional<std::chrono::milliseconds> delay = RetryDelayOf(status)) {
    google::rpc::RetryInfo retry;
    retry.mutable_retry_delay()->set_seconds(delay->count() / 1000);
    retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>(delay->count() % 1000) * 1000000);
    rpc.add_details()->PackFrom(retry);
  }
  return rpc;
}

}  // namespace agora_token
