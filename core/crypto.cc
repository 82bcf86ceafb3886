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

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define AGORA_TOKEN_SHA_NI 1
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

#ifdef AGORA_TOKEN_SHA_NI
// The SHA-256 block function on the SHA extensions (chosen at run time), for
// one block or two independent ones at once. A block is a chain of 32
// two-round instructions, each waiting on the last; two chains interleaved
// keep the unit busy where one leaves it idle half the time, so an HMAC's
// inner and outer pad blocks cost about one block. It also skips the
// library's call and dispatch per block, which matter at a token's 4 to 14.
#define AGORA_TOKEN_SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

alignas(16) constexpr uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

bool HasShaNi() {
  static const bool has = [] {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
    const bool ssse3_sse41 = (c & (1u << 9)) && (c & (1u << 19));
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    return ssse3_sse41 && (b & (1u << 29)) != 0;
  }();
  return has;
}

// The next four message words from the four groups before them, oldest
// first: W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16].
AGORA_TOKEN_SHA_TARGET inline __m128i NextWords(__m128i w16, __m128i w12, __m128i w8, __m128i w4) {
  const __m128i x = _mm_add_epi32(_mm_sha256msg1_epu32(w16, w12), _mm_alignr_epi8(w4, w8, 4));
  return _mm_sha256msg2_epu32(x, w4);
}

// Four rounds; the instruction keeps the state as ABEF and CDGH halves, and
// after two rounds the old ABEF is the new CDGH.
AGORA_TOKEN_SHA_TARGET inline void FourRounds(__m128i& abef, __m128i& cdgh, __m128i w, int group) {
  __m128i wk = _mm_add_epi32(
      w, _mm_load_si128(reinterpret_cast<const __m128i*>(kRoundConstants + 4 * group)));
  cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
  wk = _mm_shuffle_epi32(wk, 0x0e);
  abef = _mm_sha256rnds2_epu32(abef, cdgh, wk);
}

// Compresses blocks[i] into h[i] for each of the N lanes, interleaved.
template <int N>
AGORA_TOKEN_SHA_TARGET void CompressShaNi(uint32_t* const* h, const unsigned char* const* blocks) {
  const __m128i byte_swap = _mm_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
  __m128i abef[N];
  __m128i cdgh[N];
  __m128i start_abef[N];
  __m128i start_cdgh[N];
  __m128i w[N][4];
  for (int l = 0; l < N; ++l) {
    const __m128i cdab =
        _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h[l])), 0xb1);
    const __m128i efgh =
        _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h[l] + 4)), 0x1b);
    abef[l] = start_abef[l] = _mm_alignr_epi8(cdab, efgh, 8);
    cdgh[l] = start_cdgh[l] = _mm_blend_epi16(efgh, cdab, 0xf0);
    for (int i = 0; i < 4; ++i) {
      w[l][i] = _mm_shuffle_epi8(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(blocks[l] + 16 * i)), byte_swap);
    }
  }
#pragma GCC unroll 16
  for (int g = 0; g < 16; ++g) {
    for (int l = 0; l < N; ++l) {
      __m128i& words = w[l][g & 3];
      if (g >= 4) words = NextWords(words, w[l][(g + 1) & 3], w[l][(g + 2) & 3], w[l][(g + 3) & 3]);
      FourRounds(abef[l], cdgh[l], words, g);
    }
  }
  for (int l = 0; l < N; ++l) {
    const __m128i feba = _mm_shuffle_epi32(_mm_add_epi32(abef[l], start_abef[l]), 0x1b);
    const __m128i dchg = _mm_shuffle_epi32(_mm_add_epi32(cdgh[l], start_cdgh[l]), 0xb1);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h[l]), _mm_blend_epi16(feba, dchg, 0xf0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h[l] + 4), _mm_alignr_epi8(dchg, feba, 8));
  }
}
#endif  // AGORA_TOKEN_SHA_NI

// A SHA-256 chaining value: SHA256_CTX::h in both backends, the only field
// SHA256_Transform reads or writes, so the rest is never set up.
using Words = uint32_t[8];
struct ChainState {
  SHA256_CTX ctx;

  void Set(const Words& h) { std::memcpy(ctx.h, h, sizeof(ctx.h)); }
  void Get(Words& h) const { std::memcpy(h, ctx.h, sizeof(ctx.h)); }
  void Compress(const unsigned char* block) {
#ifdef AGORA_TOKEN_SHA_NI
    if (HasShaNi()) {
      uint32_t* const h[1] = {ctx.h};
      CompressShaNi<1>(h, &block);
      return;
    }
#endif
    SHA256_Transform(&ctx, block);
  }
  void Wipe() { agora_token::Wipe(ctx.h, sizeof(ctx.h)); }
};

// Compresses one block into each of two independent states.
void CompressPair(ChainState& a, const unsigned char* block_a, ChainState& b,
                  const unsigned char* block_b) {
#ifdef AGORA_TOKEN_SHA_NI
  if (HasShaNi()) {
    uint32_t* const h[2] = {a.ctx.h, b.ctx.h};
    const unsigned char* const blocks[2] = {block_a, block_b};
    CompressShaNi<2>(h, blocks);
    return;
  }
#endif
  a.Compress(block_a);
  b.Compress(block_b);
}

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

// The last block of a message of `size` bytes after one pad block, whose
// final size % 64 bytes are `tail` (at most 55, so padding fits).
void LastBlock(std::string_view tail, uint64_t size, unsigned char* block) {
  std::memset(block, 0, kBlockSize);
  if (!tail.empty()) std::memcpy(block, tail.data(), tail.size());
  block[tail.size()] = 0x80;
  StoreBigEndian32(static_cast<uint32_t>((kBlockSize + size) * 8), block + kBlockSize - 4);
}

// The outer hash of an HMAC: its message is one 32-byte digest after the
// pad block, so it is exactly one more block, padding included.
void FinishOuter(const Words& outer, const unsigned char* inner_digest, unsigned char* out) {
  unsigned char block[kBlockSize];
  LastBlock({reinterpret_cast<const char*>(inner_digest), kSha256Size}, kSha256Size, block);
  ChainState state;
  state.Set(outer);
  state.Compress(block);
  StoreDigest(state, out);
  Wipe(block, sizeof(block));
  state.Wipe();
}

// A key's inner and outer pad blocks (RFC 2104).
void MakePads(std::string_view key, unsigned char* pad, unsigned char* outer_pad) {
  std::memset(pad, 0, kBlockSize);
  if (key.size() > kBlockSize) {
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), pad);
  } else if (!key.empty()) {
    std::memcpy(pad, key.data(), key.size());
  }
  for (size_t i = 0; i < kBlockSize; ++i) {
    outer_pad[i] = pad[i] ^ 0x5c;
    pad[i] ^= 0x36;
  }
}

// The chaining values after the key's inner and outer pad blocks.
void HashPads(std::string_view key, Words& inner, Words& outer) {
  unsigned char pad[kBlockSize];
  unsigned char outer_pad[kBlockSize];
  MakePads(key, pad, outer_pad);
  // The two pad blocks are independent: hashed together.
  ChainState inner_state;
  ChainState outer_state;
  inner_state.Set(kInitialState);
  outer_state.Set(kInitialState);
  CompressPair(inner_state, pad, outer_state, outer_pad);
  inner_state.Get(inner);
  outer_state.Get(outer);
  Wipe(pad, sizeof(pad));
  Wipe(outer_pad, sizeof(outer_pad));
  inner_state.Wipe();
  outer_state.Wipe();
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

Sha256Digest HmacSha256Nested(std::string_view outer_key, std::string_view inner_key,
                              std::string_view data, Sha256Digest* inner_mac) {
  constexpr size_t kMaxTail = kBlockSize - 9;  // room for 0x80 and the length
  if (outer_key.size() > kBlockSize || inner_key.size() > kBlockSize || data.size() > kMaxTail) {
    Sha256Digest mac = HmacSha256(inner_key, {data});
    const Sha256Digest out = HmacSha256(outer_key, {AsStringView(mac)});
    if (inner_mac != nullptr) *inner_mac = mac;
    Wipe(mac.data(), mac.size());
    return out;
  }
  // Lanes: a, b hash the inner MAC's inner and outer halves, c, d the outer
  // MAC's. Each step pairs two blocks that do not wait on each other.
  unsigned char a_block[kBlockSize];
  unsigned char b_block[kBlockSize];
  unsigned char c_block[kBlockSize];
  unsigned char d_block[kBlockSize];
  ChainState a, b, c, d;
  a.Set(kInitialState);
  b.Set(kInitialState);
  c.Set(kInitialState);
  d.Set(kInitialState);
  MakePads(inner_key, a_block, b_block);
  CompressPair(a, a_block, b, b_block);
  MakePads(outer_key, c_block, d_block);
  LastBlock(data, data.size(), a_block);
  CompressPair(a, a_block, c, c_block);  // the inner MAC's message; the outer key's inner pad
  StoreDigest(a, a_block);
  LastBlock({reinterpret_cast<const char*>(a_block), kSha256Size}, kSha256Size, b_block);
  CompressPair(b, b_block, d, d_block);  // the inner MAC's outer hash; the outer key's outer pad
  Sha256Digest mac;
  StoreDigest(b, mac.data());
  LastBlock(AsStringView(mac), kSha256Size, c_block);
  c.Compress(c_block);
  StoreDigest(c, c_block);
  LastBlock({reinterpret_cast<const char*>(c_block), kSha256Size}, kSha256Size, d_block);
  d.Compress(d_block);
  Sha256Digest out;
  StoreDigest(d, out.data());
  if (inner_mac != nullptr) *inner_mac = mac;
  Wipe(mac.data(), mac.size());
  for (unsigned char* block : {a_block, b_block, c_block, d_block}) Wipe(block, kBlockSize);
  for (ChainState* state : {&a, &b, &c, &d}) state->Wipe();
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
