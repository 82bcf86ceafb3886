#include "server/policy_gate.h"

#include "core/crypto.h"

namespace agora_token {

absl::Status PolicyGate::Admit(const TokenFacts& facts) const {
  return caller_ != nullptr ? caller_->policy->CheckToken(facts) : absl::OkStatus();
}

absl::StatusOr<BuiltToken> PolicyGate::Decide(const TokenFacts& facts,
                                              absl::StatusOr<BuiltToken> outcome) const {
  if (outcome.ok() && caller_ != nullptr) {
    absl::Status lifetime = caller_->policy->CheckLifetime(*outcome);
    if (!lifetime.ok()) {
      SecureWipe(outcome->token.data(), outcome->token.size());
      outcome = std::move(lifetime);
    }
  }
  if (audit_ != nullptr) {
    AuditRecord record = NewRecord(outcome.status().code());
    FillFacts(facts, record);
    if (outcome.ok()) {
      record.expire_ts = outcome->expire_ts;
      record.fingerprint = TokenFingerprint(outcome->token);
    }
    audit_->Record(std::move(record));
  }
  return outcome;
}

void PolicyGate::RecordDecode(const TokenFacts& facts, std::string_view token,
                              const absl::Status& outcome) const {
  if (audit_ == nullptr) return;
  AuditRecord record = NewRecord(outcome.code());
  FillFacts(facts, record);
  record.fingerprint = TokenFingerprint(token);
  audit_->Record(std::move(record));
}

void PolicyGate::RecordRefusedCall(const absl::Status& status) const {
  if (audit_ != nullptr) audit_->Record(NewRecord(status.code()));
}

AuditRecord PolicyGate::NewRecord(absl::StatusCode code) const {
  AuditRecord record;
  record.time = std::chrono::system_clock::now();
  if (caller_ != nullptr) record.caller = caller_->name;
  record.method = method_;
  record.code = code;
  record.latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start_);
  return record;
}

void PolicyGate::FillFacts(const TokenFacts& facts, AuditRecord& record) const {
  record.kind = facts.decode ? "decode" : std::string(TokenKindName(facts.kind));
  record.app_id = ClipForAudit(facts.app_id);
  record.channel_name = ClipForAudit(facts.channel_name);
  record.uid = facts.uid;
  record.account = ClipForAudit(facts.account);
  record.role = facts.role;
  record.version = facts.version;
}

}  // namespace agora_token
