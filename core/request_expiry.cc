#include "core/request_expiry.h"

#include "core/input_rules.h"

namespace agora_token {
namespace {

absl::Status CheckAbsoluteExpiry(uint32_t privilege_expired_ts, uint32_t issue_ts) {
  if (privilege_expired_ts == 0 || privilege_expired_ts > issue_ts) return absl::OkStatus();
  return InvalidField("privilege_expired_ts",
                      "must be 0 (as long as the token) or an absolute unix time later than now");
}

}  // namespace

absl::StatusOr<uint32_t> PrivilegeExpiredTs006(const RequestExpiry& request, uint32_t issue_ts) {
  if (request.token_expire_seconds != 0) {
    return InvalidField("token_expire_seconds", "applies to 007 tokens only");
  }
  if (absl::Status status = CheckAbsoluteExpiry(request.privilege_expired_ts, issue_ts);
      !status.ok()) {
    return status;
  }
  return request.privilege_expired_ts;
}

absl::StatusOr<Expiry007> RtcExpiry007(const RequestExpiry& request, uint32_t issue_ts) {
  if (absl::Status status = CheckAbsoluteExpiry(request.privilege_expired_ts, issue_ts);
      !status.ok()) {
    return status;
  }
  if (request.privilege_expired_ts == 0) return Expiry007{request.token_expire_seconds, 0};
  const uint32_t span = request.privilege_expired_ts - issue_ts;
  return Expiry007{request.token_expire_seconds != 0 ? request.token_expire_seconds : span, span};
}

absl::StatusOr<uint32_t> TokenExpire007(const RequestExpiry& request) {
  if (request.privilege_expired_ts != 0) {
    return InvalidField("privilege_expired_ts",
                        "applies to 006 tokens only; use token_expire_seconds");
  }
  return request.token_expire_seconds;
}

}  // namespace agora_token
