// The real TokenGate for one authenticated call: admits what the caller's
// policy allows, refuses tokens that would outlive its limit, and writes an
// audit record for every decision. Built on the stack per call.
#ifndef AGORA_TOKEN_SERVER_POLICY_GATE_H_
#define AGORA_TOKEN_SERVER_POLICY_GATE_H_

#include <chrono>

#include "server/audit_log.h"
#include "server/callers.h"
#include "server/token_gate.h"

namespace agora_token {

class PolicyGate final : public TokenGate {
 public:
  // `caller` may be null (no policy: development mode with an audit log);
  // `audit` may be null (no audit log).
  PolicyGate(const Caller* caller, AuditLog* audit, RpcMethod method,
             std::chrono::steady_clock::time_point start)
      : caller_(caller), audit_(audit), method_(method), start_(start) {}

  absl::Status Admit(const TokenFacts& facts) const override;
  absl::StatusOr<BuiltToken> Decide(const TokenFacts& facts,
                                    absl::StatusOr<BuiltToken> outcome) const override;
  void RecordDecode(const TokenFacts& facts, std::string_view token,
                    const absl::Status& outcome) const override;

  // A call refused as a whole (unauthenticated, method not allowed, rate
  // limited) before any token was considered.
  void RecordRefusedCall(const absl::Status& status) const;

 private:
  AuditRecord NewRecord(absl::StatusCode code) const;
  void FillFacts(const TokenFacts& facts, AuditRecord& record) const;

  const Caller* caller_;
  AuditLog* audit_;
  RpcMethod method_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_POLICY_GATE_H_
