// The only file that talks to the crypto library. It uses API that BoringSSL
// and OpenSSL share (SHA256_*, MD5, RAND_bytes, CRYPTO_memcmp), chosen at build
// time by AGORA_TOKEN_CRYPTO. HMAC is built on the library's SHA-256 block
// function (SHA256_Transform) with the padding done here: a key's inner and
// outer pads are hashed once and each signature costs only the message's
// blocks, without the Update/Final bookkeeping that outweighs a token's few
// blocks. The 006 key is fixed per app, and that is the hot path.
#ifndef AGORA_TOKEN_CORE_CRYPTO_H_
#define AGORA_TOKEN_CORE_CRYPTO_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace agora_token {

inline constexpr size_t kSha256Size = 32;
using Sha256Digest = std::array<uint8_t, kSha256Size>;

// An HMAC-SHA256 key with its pads pre-hashed. Immutable after construction,
// so one instance may sign from many threads at once.
class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view key);
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key& other);
  HmacSha256Key& operator=(const HmacSha256Key& other);

  // HMAC of the concatenation of `parts`.
  Sha256Digest Sign(std::initializer_list<std::string_view> parts) const;

 private:
  // SHA-256 chaining values after the inner and outer pad blocks.
  uint32_t inner_[8];
  uint32_t outer_[8];
};

// One-shot HMAC-SHA256 of the concatenation of `parts`.
Sha256Digest HmacSha256(std::string_view key, std::initializer_list<std::string_view> parts);

// HMAC(outer_key, HMAC(inner_key, data)), the 007 signing key's shape. With
// keys of at most 64 bytes and data of at most 55, its eight blocks take
// five steps: two at a time where they do not wait on each other (the
// outer key's pads beside the inner MAC). `inner_mac`, if not null,
// receives HMAC(inner_key, data).
Sha256Digest HmacSha256Nested(std::string_view outer_key, std::string_view inner_key,
                              std::string_view data, Sha256Digest* inner_mac = nullptr);

Sha256Digest Sha256(std::string_view data);

inline constexpr size_t kMd5Size = 16;
using Md5Digest = std::array<uint8_t, kMd5Size>;

// MD5, only because the APaaS room-user token names its Chat user by the md5
// of the user uuid (docs/token-format.md); never for anything secret.
Md5Digest Md5(std::string_view data);

// Constant-time equality for secrets and signatures. The size is compared
// first (sizes are not secret here).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Fills `out` from the CSPRNG. Aborts if the CSPRNG fails: minting tokens
// with predictable salts is worse than not minting them.
void SecureRandomBytes(void* out, size_t size);

// Overwrites memory in a way the compiler cannot elide.
void SecureWipe(void* data, size_t size);

inline std::string_view AsStringView(const Sha256Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_CRYPTO_H_
