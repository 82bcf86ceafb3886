#include "core/verified_token.h"

#include "core/crypto.h"
#include "core/expiry.h"

namespace agora_token {

uint32_t VerifiedToken::expire_ts() const {
  return claims_.version == TokenVersion::k006 ? claims_.ts
                                               : AddSeconds(claims_.issue_ts, claims_.expire);
}

absl::StatusOr<VerifiedToken> VerifyToken(std::string_view token, const AppKey& key,
                                          const Token006Subject* subject) {
  absl::StatusOr<DecodedToken> decoded = DecodeToken(token);
  if (!decoded.ok()) return decoded.status();
  // Both checks run before deciding, and fail alike.
  const bool same_app = ConstantTimeEquals(decoded->app_id, key.app_id());
  // A mismatch is VerifySignature's one kPermissionDenied; a missing 006
  // subject is its kInvalidArgument.
  const absl::Status signature = VerifySignature(*decoded, key.app_certificate(), subject);
  if (!signature.ok()) return signature;
  if (!same_app) return absl::PermissionDeniedError("token signature does not match");
  return VerifiedToken(*std::move(decoded));
}

}  // namespace agora_token
