#include "core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/md5.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace agora_token {
namespace {

constexpr size_t kBlockSize = 64;

static_assert(sizeof(SHA256_CTX) <= 128, "HmacSha256Key::kStateSize is too small");

SHA256_CTX* Ctx(unsigned char* storage) { return reinterpret_cast<SHA256_CTX*>(storage); }

}  // namespace

HmacSha256Key::HmacSha256Key(std::string_view key) {
  // One buffer: the key, XORed into the inner pad, then into the outer one.
  unsigned char pad[kBlockSize] = {};
  if (key.size() > kBlockSize) {
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), pad);
  } else if (!key.empty()) {
    std::memcpy(pad, key.data(), key.size());
  }
  for (unsigned char& c : pad) c ^= 0x36;
  SHA256_Init(Ctx(inner_));
  SHA256_Update(Ctx(inner_), pad, kBlockSize);
  for (unsigned char& c : pad) c ^= 0x36 ^ 0x5c;
  SHA256_Init(Ctx(outer_));
  SHA256_Update(Ctx(outer_), pad, kBlockSize);
  SecureWipe(pad, sizeof(pad));
}

HmacSha256Key::~HmacSha256Key() {
  SecureWipe(inner_, sizeof(inner_));
  SecureWipe(outer_, sizeof(outer_));
}

HmacSha256Key::HmacSha256Key(const HmacSha256Key& other) {
  std::memcpy(inner_, other.inner_, sizeof(inner_));
  std::memcpy(outer_, other.outer_, sizeof(outer_));
}

HmacSha256Key& HmacSha256Key::operator=(const HmacSha256Key& other) {
  std::memcpy(inner_, other.inner_, sizeof(inner_));
  std::memcpy(outer_, other.outer_, sizeof(outer_));
  return *this;
}

Sha256Digest HmacSha256Key::Sign(std::initializer_list<std::string_view> parts) const {
  // SHA256_CTX is plain data in both backends, so a struct copy resumes
  // from the pre-hashed pad.
  SHA256_CTX ctx = *reinterpret_cast<const SHA256_CTX*>(inner_);
  for (std::string_view part : parts) SHA256_Update(&ctx, part.data(), part.size());
  Sha256Digest inner_digest;
  SHA256_Final(inner_digest.data(), &ctx);
  ctx = *reinterpret_cast<const SHA256_CTX*>(outer_);
  SHA256_Update(&ctx, inner_digest.data(), inner_digest.size());
  Sha256Digest out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

Sha256Digest HmacSha256(std::string_view key, std::initializer_list<std::string_view> parts) {
  return HmacSha256Key(key).Sign(parts);
}

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest out;
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

Md5Digest Md5(std::string_view data) {
  Md5Digest out;
  MD5(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data());
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void SecureRandomBytes(void* out, size_t size) {
  if (RAND_bytes(static_cast<unsigned char*>(out), size) != 1) {
    std::fputs("agora_token: the CSPRNG failed; refusing to continue\n", stderr);
    std::abort();
  }
}

// A memset the compiler must assume is read afterwards, so it is never
// elided: BoringSSL's OPENSSL_cleanse is exactly this. OpenSSL's is a call
// into a loop of 8-byte stores, and every 007 token wipes about a kilobyte
// of key schedules (three HMAC keys), so the inline one is measurably cheaper.
void SecureWipe(void* data, size_t size) {
#if defined(__GNUC__) || defined(__clang__)
  std::memset(data, 0, size);
  __asm__ __volatile__("" : : "r"(data) : "memory");
#else
  OPENSSL_cleanse(data, size);
#endif
}

}  // namespace agora_token
