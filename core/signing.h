// The two token signatures (docs/token-format.md), shared by the builders
// and the verifier so both sides compute exactly the same bytes.
#ifndef AGORA_TOKEN_CORE_SIGNING_H_
#define AGORA_TOKEN_CORE_SIGNING_H_

#include <cstdint>
#include <string_view>

#include "core/crypto.h"

namespace agora_token {

// 006: HMAC(app_certificate, app_id + channel + uid + message).
inline Sha256Digest Sign006(const HmacSha256Key& certificate_key, std::string_view app_id,
                            std::string_view channel, std::string_view uid,
                            std::string_view message) {
  return certificate_key.Sign({app_id, channel, uid, message});
}

// 007: HMAC(HMAC(u32(salt), HMAC(u32(issue_ts), app_certificate)), signing_info).
Sha256Digest Sign007(std::string_view app_certificate, uint32_t issue_ts, uint32_t salt,
                     std::string_view signing_info);

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_SIGNING_H_
