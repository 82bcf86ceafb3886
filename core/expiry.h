// Effective expiries: a privilege never outlives its token, and a stored 0
// means "as long as the token". Shared by the builders (which report what
// they encoded) and CheckExpiry (which reports what a token grants).
#ifndef AGORA_TOKEN_CORE_EXPIRY_H_
#define AGORA_TOKEN_CORE_EXPIRY_H_

#include <algorithm>
#include <cstdint>

namespace agora_token {

// Absolute expiry of a 006 privilege whose stored value is absolute.
inline uint32_t EffectiveExpiry006(uint32_t stored, uint32_t token_ts) {
  return stored == 0 ? token_ts : std::min(stored, token_ts);
}

// issue_ts + seconds, saturating instead of wrapping past 2106.
inline uint32_t AddSeconds(uint32_t issue_ts, uint32_t seconds) {
  const uint64_t sum = uint64_t{issue_ts} + seconds;
  return sum > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(sum);
}

// Absolute expiry of a 007 privilege whose stored value is relative.
inline uint32_t EffectiveExpiry007(uint32_t issue_ts, uint32_t stored, uint32_t token_expire_ts) {
  return stored == 0 ? token_expire_ts : std::min(AddSeconds(issue_ts, stored), token_expire_ts);
}

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_EXPIRY_H_
