// What every 007 builder shares: the stored token expiry, the issuance
// check, and signing plus encoding of a packed payload. The fixed-shape
// builders (token007.cc) and the general AccessToken2 builder
// (access_token2.cc, PackServices) both end in Finish007, so a token is
// signed and encoded in exactly one place.
#ifndef AGORA_TOKEN_CORE_TOKEN007_INTERNAL_H_
#define AGORA_TOKEN_CORE_TOKEN007_INTERNAL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/access_token2.h"
#include "core/crypto.h"
#include "core/token.h"

namespace agora_token {

// payload = str(signature) + signing_info: builders leave this many bytes
// free at the front and Finish007 writes the signature there.
inline constexpr size_t kSignatureField = 2 + kSha256Size;

// The seed's rule: 0, or anything beyond 24 hours, means 24 hours.
inline uint32_t StoredTokenExpire(uint32_t requested) {
  return requested == 0 || requested > kMaxTokenLifetimeSeconds ? kMaxTokenLifetimeSeconds
                                                                : requested;
}

absl::Status ValidateIssue(const Issuance& at);

// Only publisher and subscriber exist in 007.
absl::Status ValidateRtcRole007(RtcRole role);

// Signs payload[kSignatureField:] (the signing info) in place, writes the
// signature field, compresses and encodes. The caller fills `privileges`.
BuiltToken Finish007(const AppKey& app, const Issuance& at, uint32_t expire, std::string& payload,
                     Compression compression);

// Packs already validated services (any order; sorted here as the
// references sort them) into a token whose stored expire is `expire`. Fails
// only if the token would be longer than kMaxTokenLength.
absl::StatusOr<BuiltToken> PackServices(const AppKey& app, const Issuance& at, uint32_t expire,
                                        std::vector<ServiceGrant> services,
                                        Compression compression);

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_TOKEN007_INTERNAL_H_
