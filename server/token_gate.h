// The seam between the token handlers and the security layer. Handlers
// describe every token they are asked to build or decode as TokenFacts and
// consult a TokenGate before (Admit: may this caller ask for this?) and after
// (Decide: may it have what was built? and record the decision). A batch
// item is a decision of its own. The handlers stay free of gRPC and of
// caller identity; policy_gate.h holds the real gate.
#ifndef AGORA_TOKEN_SERVER_TOKEN_GATE_H_
#define AGORA_TOKEN_SERVER_TOKEN_GATE_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/token.h"
#include "server/metrics.h"

namespace agora_token {

// What one request asks for. Views point into the request message, so
// facts live no longer than the call.
struct TokenFacts {
  TokenKind kind = TokenKind::kRtc;
  bool decode = false;                  // DecodeToken rather than a build
  std::optional<TokenVersion> version;  // unset until the request's is known
  std::string_view app_id;
  std::string_view channel_name;
  std::optional<uint32_t> uid;  // RTC with uid
  std::string_view account;     // RTC account, or RTM/Chat user id
  int role = 0;                 // the request's role (or chat kind) number
  bool with_rtm = false;
};

class TokenGate {
 public:
  virtual ~TokenGate() = default;

  // Before building: PERMISSION_DENIED (or another error) refuses.
  virtual absl::Status Admit(const TokenFacts& facts) const = 0;

  // After building (or failing to): returns what the caller gets, which may
  // turn a built token into a refusal, and records the decision.
  virtual absl::StatusOr<BuiltToken> Decide(const TokenFacts& facts,
                                            absl::StatusOr<BuiltToken> outcome) const = 0;
  // DecodeToken's decision: the decoded facts and the result code.
  virtual void RecordDecode(const TokenFacts& facts, std::string_view token,
                            const absl::Status& outcome) const = 0;

  // Admits everything and records nothing: development mode and tests.
  static const TokenGate& Open();
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_TOKEN_GATE_H_
