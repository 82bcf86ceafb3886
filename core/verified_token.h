// Verification in the style of Tink's VerifyMacAndDecode: VerifyToken checks
// a token's signature against an app's key and only then hands out its
// claims, as a VerifiedToken that nothing else can construct. Code that acts
// on what a token grants takes a VerifiedToken, so forgetting to verify does
// not compile. DecodeToken (token.h) stays for inspecting untrusted tokens.
#ifndef AGORA_TOKEN_CORE_VERIFIED_TOKEN_H_
#define AGORA_TOKEN_CORE_VERIFIED_TOKEN_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "core/token.h"

namespace agora_token {

class VerifiedToken {
 public:
  TokenVersion version() const { return claims_.version; }
  const std::string& app_id() const { return claims_.app_id; }
  // 007: the services and their privileges; empty for 006.
  const std::vector<DecodedService>& services() const { return claims_.services; }
  // 006: the privileges (absolute expiries); empty for 007.
  const std::vector<PrivilegeValue>& privileges_006() const { return claims_.privileges_006; }
  // Absolute unix seconds when the token itself expires.
  uint32_t expire_ts() const;
  // What is still valid at `now`.
  ExpiryReport ExpiryAt(uint32_t now) const { return CheckExpiry(claims_, now); }
  // Every decoded field, all of them covered by the verified signature.
  const DecodedToken& claims() const { return claims_; }

 private:
  friend absl::StatusOr<VerifiedToken> VerifyToken(std::string_view token, const AppKey& key,
                                                   const Token006Subject* subject);
  explicit VerifiedToken(DecodedToken claims) : claims_(std::move(claims)) {}

  DecodedToken claims_;
};

// Parses `token` and checks, in constant time, that `key` signed it for its
// own app id (and, for 006, for `subject`, which 006 needs). A malformed
// token is kInvalidArgument naming "token"; a token of another app, another
// subject or another certificate is the same kPermissionDenied "token
// signature does not match", whatever the reason.
absl::StatusOr<VerifiedToken> VerifyToken(std::string_view token, const AppKey& key,
                                          const Token006Subject* subject = nullptr);

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_VERIFIED_TOKEN_H_
