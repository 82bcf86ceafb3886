// Signed-in end users as callers: the `trusted_issuers` of the server config
// (proto/agora/token/v1/server_config.proto) compiled once, and the caller a
// verified JWT of one of them makes. That caller is named
// "jwt:<issuer>#<sub>" and its policy is the issuer's EndUserPolicy with an
// EndUserBinding filled in from the token's claims: the one uid or account
// it may mint for, its channels, and whether it may publish. The identity
// comes from the token, never from the request.
#ifndef AGORA_TOKEN_SERVER_END_USERS_H_
#define AGORA_TOKEN_SERVER_END_USERS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "agora/token/v1/server_config.pb.h"
#include "server/callers.h"
#include "server/jwt_verifier.h"
#include "server/token_facts.h"

namespace agora_token {

// What one end user's token lets it mint, beyond its issuer's policy.
struct EndUserBinding {
  std::optional<uint32_t> uid;        // set for a uid identity
  std::string account;                // else the account identity
  std::vector<std::string> channels;  // exact names, from a claim or templates
  std::vector<std::string> channel_prefixes;
  bool may_publish = false;
  // Without may_publish, RTC requests are built as subscriber (true) or
  // refused (false).
  bool subscriber_instead = false;

  // Every grant of `facts`: its user is this user (RTC uid or account, RTM
  // user id), its channel is one of this user's, and it publishes only if
  // this user may. PERMISSION_DENIED naming the rule (DeniedByRule).
  absl::Status Check(const TokenFacts& facts) const;
  // The user's id as RTM knows it: the account, or the uid in decimal.
  std::string RtmUserId() const;
};

// One issuer's EndUserPolicy: the fixed part as a CallerPolicy, the rest a
// template over claims.
class EndUserTemplate {
 public:
  static absl::StatusOr<EndUserTemplate> FromProto(const agora::token::v1::EndUserPolicy& proto,
                                                   const std::string& field);

  // The caller `jwt` makes, or UNAUTHENTICATED saying which claim does not
  // fill the template (a missing identity, a claim of the wrong type).
  absl::StatusOr<Caller> CallerFor(const VerifiedJwt& jwt) const;
  const std::optional<RateLimit>& rate_limit() const { return base_.rate_limit(); }

 private:
  CallerPolicy base_;
  std::string uid_claim_, account_claim_, channels_claim_, publisher_claim_;
  std::vector<std::string> channel_templates_, channel_prefixes_;
  bool subscriber_instead_ = false;
};

class TrustedIssuers {
 public:
  // `trusted_issuers` of `config`, with each JWKS file read (relative paths
  // against `base_dir`). Errors name the field, as config errors do.
  static absl::StatusOr<std::shared_ptr<const TrustedIssuers>> FromProto(
      const agora::token::v1::ServerConfig& config, const std::string& base_dir);

  // The end-user caller `jwt` proves at `now`, or UNAUTHENTICATED whose
  // message is the reason (for the log and audit line only).
  absl::StatusOr<Caller> Authenticate(std::string_view jwt, uint32_t now_unix_seconds) const;

  bool empty() const { return issuers_.empty(); }
  // "jwt:<issuer>#" and the limit of each issuer whose users are limited.
  std::vector<std::pair<std::string, RateLimit>> RateLimitsByPrefix() const;
  // The JWKS files, watched for changes like the keyring.
  const std::vector<std::string>& jwks_files() const { return jwks_files_; }

 private:
  std::vector<JwtIssuer> issuers_;
  std::vector<EndUserTemplate> templates_;  // one per issuer, same order
  std::vector<std::string> jwks_files_;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_END_USERS_H_
