#include "core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/md5.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace agora_token {
namespace {

constexpr size_t kBlockSize = 64;

// SecureWipe, inlined: every signature wipes a few pads and states, and a
// call each cost more than the stores.
#if defined(__GNUC__) || defined(__clang__)
inline void Wipe(void* data, size_t size) {
  std::memset(data, 0, size);
  __asm__ __volatile__("" : : "r"(data) : "memory");
}
#else
inline void Wipe(void* data, size_t size) { OPENSSL_cleanse(data, size); }
#endif

// A SHA-256 chaining value: SHA256_CTX::h in both backends, the only field
// SHA256_Transform reads or writes, so the rest is never set up.
using Words = uint32_t[8];
struct ChainState {
  SHA256_CTX ctx;

  void Set(const Words& h) { std::memcpy(ctx.h, h, sizeof(ctx.h)); }
  void Get(Words& h) const { std::memcpy(h, ctx.h, sizeof(ctx.h)); }
  void Compress(const unsigned char* block) { SHA256_Transform(&ctx, block); }
  void Wipe() { agora_token::Wipe(ctx.h, sizeof(ctx.h)); }
};

// SHA-256's initial chaining value (FIPS 180-4 section 5.3.3).
constexpr Words kInitialState = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

void StoreBigEndian32(uint32_t v, unsigned char* p) {
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  v = __builtin_bswap32(v);  // one store: GCC vectorises the byte form badly
  std::memcpy(p, &v, 4);
#else
  p[0] = static_cast<unsigned char>(v >> 24);
  p[1] = static_cast<unsigned char>(v >> 16);
  p[2] = static_cast<unsigned char>(v >> 8);
  p[3] = static_cast<unsigned char>(v);
#endif
}

void StoreDigest(const ChainState& state, unsigned char* out) {
#if defined(__SSE2__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  // Two 16-byte stores: the digest is read back 16 bytes at a time at once,
  // and a wide load of narrow stores waits for them to retire.
  const auto bswap32 = [](__m128i v) {
    v = _mm_shufflehi_epi16(_mm_shufflelo_epi16(v, 0xb1), 0xb1);  // swap 16-bit halves
    return _mm_or_si128(_mm_slli_epi16(v, 8), _mm_srli_epi16(v, 8));
  };
  const auto* h = reinterpret_cast<const __m128i*>(state.ctx.h);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), bswap32(_mm_loadu_si128(h)));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16), bswap32(_mm_loadu_si128(h + 1)));
#else
  for (size_t i = 0; i < 8; ++i) StoreBigEndian32(state.ctx.h[i], out + 4 * i);
#endif
}

// SHA-256 continued from a chaining value that has already absorbed
// `prefix` bytes (an HMAC pad block), with the padding written here: the
// library's Update/Final bookkeeping and its cleanse of the buffer cost more
// than the compressions of a token's few blocks.
class Sha256Stream {
 public:
  Sha256Stream(const Words& h, uint64_t prefix) : total_(prefix) { state_.Set(h); }
  ~Sha256Stream() {
    Wipe(buffer_, sizeof(buffer_));
    state_.Wipe();
  }
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Update(std::string_view part) {
    if (part.empty()) return;  // its data may be null, which memcpy must not get
    const auto* p = reinterpret_cast<const unsigned char*>(part.data());
    size_t n = part.size();
    total_ += n;
    if (fill_ != 0) {
      const size_t take = n < kBlockSize - fill_ ? n : kBlockSize - fill_;
      std::memcpy(buffer_ + fill_, p, take);
      fill_ += take;
      p += take;
      n -= take;
      if (fill_ < kBlockSize) return;
      state_.Compress(buffer_);
      fill_ = 0;
    }
    for (; n >= kBlockSize; n -= kBlockSize, p += kBlockSize) state_.Compress(p);
    if (n != 0) std::memcpy(buffer_, p, n);
    fill_ = n;
  }

  // The digest of everything absorbed (FIPS 180-4 padding).
  void Finish(unsigned char* out) {
    buffer_[fill_++] = 0x80;
    if (fill_ > kBlockSize - 8) {
      std::memset(buffer_ + fill_, 0, kBlockSize - fill_);
      state_.Compress(buffer_);
      fill_ = 0;
    }
    std::memset(buffer_ + fill_, 0, kBlockSize - 8 - fill_);
    const uint64_t bits = total_ * 8;
    StoreBigEndian32(static_cast<uint32_t>(bits >> 32), buffer_ + kBlockSize - 8);
    StoreBigEndian32(static_cast<uint32_t>(bits), buffer_ + kBlockSize - 4);
    state_.Compress(buffer_);
    StoreDigest(state_, out);
  }

 private:
  ChainState state_;
  uint64_t total_;
  unsigned char buffer_[kBlockSize];
  size_t fill_ = 0;
};

// The outer hash of an HMAC: its message is one 32-byte digest after the
// pad block, so it is exactly one more block, padding included.
void FinishOuter(const Words& outer, const unsigned char* inner_digest, unsigned char* out) {
  unsigned char block[kBlockSize] = {};
  std::memcpy(block, inner_digest, kSha256Size);
  block[kSha256Size] = 0x80;
  StoreBigEndian32((kBlockSize + kSha256Size) * 8, block + kBlockSize - 4);
  ChainState state;
  state.Set(outer);
  state.Compress(block);
  StoreDigest(state, out);
  Wipe(block, sizeof(block));
  state.Wipe();
}

// The chaining values after the key's inner and outer pad blocks.
void HashPads(std::string_view key, Words& inner, Words& outer) {
  unsigned char pad[kBlockSize] = {};
  if (key.size() > kBlockSize) {
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), pad);
  } else if (!key.empty()) {
    std::memcpy(pad, key.data(), key.size());
  }
  ChainState state;
  for (unsigned char& c : pad) c ^= 0x36;
  state.Set(kInitialState);
  state.Compress(pad);
  state.Get(inner);
  for (unsigned char& c : pad) c ^= 0x36 ^ 0x5c;
  state.Set(kInitialState);
  state.Compress(pad);
  state.Get(outer);
  Wipe(pad, sizeof(pad));
  state.Wipe();
}

Sha256Digest SignWithPads(const Words& inner, const Words& outer,
                          std::initializer_list<std::string_view> parts) {
  Sha256Digest inner_digest;
  {
    Sha256Stream stream(inner, kBlockSize);
    for (std::string_view part : parts) stream.Update(part);
    stream.Finish(inner_digest.data());
  }
  Sha256Digest out;
  FinishOuter(outer, inner_digest.data(), out.data());
  Wipe(inner_digest.data(), inner_digest.size());
  return out;
}

}  // namespace

HmacSha256Key::HmacSha256Key(std::string_view key) { HashPads(key, inner_, outer_); }

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
  return SignWithPads(inner_, outer_, parts);
}

Sha256Digest HmacSha256(std::string_view key, std::initializer_list<std::string_view> parts) {
  Words inner;
  Words outer;
  HashPads(key, inner, outer);
  const Sha256Digest out = SignWithPads(inner, outer, parts);
  Wipe(inner, sizeof(inner));
  Wipe(outer, sizeof(outer));
  return out;
}

// On the block function too: OpenSSL 3's SHA256() fetches the algorithm and
// allocates a context on every call, several times the hashing of the
// certificate or token the server fingerprints per call.
Sha256Digest Sha256(std::string_view data) {
  Sha256Digest out;
  Sha256Stream stream(kInitialState, 0);
  stream.Update(data);
  stream.Finish(out.data());
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
void SecureWipe(void* data, size_t size) { Wipe(data, size); }

}  // namespace agora_token
