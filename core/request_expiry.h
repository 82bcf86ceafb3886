// The one mapping from a request's expiry fields to what a builder encodes,
// shared by the server (token_service.proto's fields) and the CLI (its
// flags), so the two cannot drift apart:
// - privilege_expired_ts: the product document's absolute unix time at which
//   the privileges expire; 0 means "as long as the token". It must be later
//   than the issue time. In 006 it is encoded as given (the token itself
//   always lives 24 hours). In 007 RTC it becomes seconds after issue, and
//   when token_expire_seconds is 0 the token expires then too. 007 RTM and
//   Chat tokens have no separate privilege expiry: it must be 0 there.
// - token_expire_seconds: 007 only, the token's lifetime after issue; 0 or
//   more than 86400 means 86400. It must be 0 for 006.
// Errors are kInvalidArgument naming the API's field ("privilege_expired_ts",
// "token_expire_seconds"); the CLI reports them under its flag names.
#ifndef AGORA_TOKEN_CORE_REQUEST_EXPIRY_H_
#define AGORA_TOKEN_CORE_REQUEST_EXPIRY_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "core/token.h"

namespace agora_token {

struct RequestExpiry {
  uint32_t privilege_expired_ts = 0;  // absolute unix seconds, 0 = the token's
  uint32_t token_expire_seconds = 0;  // 007 only; 0 = 86400
};

// What a 007 builder takes: seconds after issue.
struct Expiry007 {
  uint32_t token_expire = 0;
  uint32_t privilege_expire = 0;
};

// 006 RTC and RTM: the absolute privilege expiry to encode.
absl::StatusOr<uint32_t> PrivilegeExpiredTs006(const RequestExpiry& request, uint32_t issue_ts);

// 007 RTC: the token's and the role's privileges' spans.
absl::StatusOr<Expiry007> RtcExpiry007(const RequestExpiry& request, uint32_t issue_ts);

// 007 RTM and Chat: the token's span (their one privilege lasts as long).
absl::StatusOr<uint32_t> TokenExpire007(const RequestExpiry& request);

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_REQUEST_EXPIRY_H_
