#include "core/base64.h"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define AGORA_TOKEN_BASE64_SSSE3 1
#endif

namespace agora_token {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr uint8_t kInvalid = 0xff;

constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> table{};
  for (auto& v : table) v = kInvalid;
  for (uint8_t i = 0; i < 64; ++i) table[static_cast<uint8_t>(kAlphabet[i])] = i;
  return table;
}
constexpr std::array<uint8_t, 256> kDecode = MakeDecodeTable();

constexpr std::array<std::array<char, 2>, 4096> MakePairTable() {
  std::array<std::array<char, 2>, 4096> table{};
  for (size_t v = 0; v < 4096; ++v) table[v] = {kAlphabet[v >> 6], kAlphabet[v & 63]};
  return table;
}
constexpr std::array<std::array<char, 2>, 4096> kPairs = MakePairTable();

#ifdef AGORA_TOKEN_BASE64_SSSE3
// Twelve bytes to sixteen characters per step with SSSE3 byte shuffles (the
// build targets baseline x86-64, so it is chosen at run time). Each step
// loads 16 bytes, so it stops with at least 4 left; returns the bytes done.
__attribute__((target("ssse3"))) size_t EncodeSsse3(const uint8_t* src, size_t size, char* dst) {
  // Per 32-bit lane, input bytes b0 b1 b2 as b1 b0 b2 b1: every 6-bit group
  // then sits whole in one 16-bit half, where a multiply moves it into place.
  const __m128i spread = _mm_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
  // Per 6-bit value: 0-25 -> 13 ('A' + v), 26-51 -> 0 ('a' - 26 + v),
  // 52-61 -> 1-10 ('0' - 52 + v), 62 -> 11 ('+'), 63 -> 12 ('/').
  const __m128i offsets =
      _mm_setr_epi8('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                    '0' - 52, '0' - 52, '0' - 52, '+' - 62, '/' - 63, 'A', 0, 0);
  size_t i = 0;
  for (; i + 16 <= size; i += 12, dst += 16) {
    const __m128i in = _mm_shuffle_epi8(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i)), spread);
    // Groups 1 and 3 of each lane by a high multiply (right shifts), 2 and 4
    // by a low one (left shifts); one byte per group.
    const __m128i hi = _mm_mulhi_epu16(_mm_and_si128(in, _mm_set1_epi32(0x0fc0fc00)),
                                       _mm_set1_epi32(0x04000040));
    const __m128i lo = _mm_mullo_epi16(_mm_and_si128(in, _mm_set1_epi32(0x003f03f0)),
                                       _mm_set1_epi32(0x01000010));
    const __m128i values = _mm_or_si128(hi, lo);
    __m128i slot = _mm_subs_epu8(values, _mm_set1_epi8(51));
    const __m128i upper = _mm_cmpgt_epi8(_mm_set1_epi8(26), values);
    slot = _mm_or_si128(slot, _mm_and_si128(upper, _mm_set1_epi8(13)));
    const __m128i chars = _mm_add_epi8(_mm_shuffle_epi8(offsets, slot), values);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), chars);
  }
  return i;
}

// Sixteen characters to twelve bytes per step, for the whole groups before
// any padding: returns the groups done (a multiple of 4), or kBadInput at the
// first step holding a character outside the alphabet ('=' included).
constexpr size_t kBadInput = ~size_t{0};

__attribute__((target("ssse3"))) size_t DecodeSsse3(const uint8_t* src, size_t groups,
                                                    char* dst) {
  const auto in_range = [](__m128i x, char low, char high) {  // low <= x <= high, signed
    return _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(static_cast<char>(low - 1))),
                         _mm_cmplt_epi8(x, _mm_set1_epi8(static_cast<char>(high + 1))));
  };
  // Output bytes of each 32-bit lane (the 24-bit group value, little-endian)
  // in stream order, then the unused top four bytes.
  const __m128i order = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  size_t g = 0;
  for (; g + 4 <= groups; g += 4, src += 16, dst += 12) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
    // Bytes from 0x80 up are negative, so outside every range.
    const __m128i upper = in_range(x, 'A', 'Z');
    const __m128i lower = in_range(x, 'a', 'z');
    const __m128i digit = in_range(x, '0', '9');
    const __m128i plus = _mm_cmpeq_epi8(x, _mm_set1_epi8('+'));
    const __m128i slash = _mm_cmpeq_epi8(x, _mm_set1_epi8('/'));
    const __m128i valid =
        _mm_or_si128(_mm_or_si128(upper, lower), _mm_or_si128(digit, _mm_or_si128(plus, slash)));
    if (_mm_movemask_epi8(valid) != 0xffff) return kBadInput;
    // Each class's distance from its 6-bit values.
    const __m128i offset = _mm_or_si128(
        _mm_or_si128(_mm_and_si128(upper, _mm_set1_epi8(-'A')),
                     _mm_and_si128(lower, _mm_set1_epi8(static_cast<char>(26 - 'a')))),
        _mm_or_si128(_mm_and_si128(digit, _mm_set1_epi8(52 - '0')),
                     _mm_or_si128(_mm_and_si128(plus, _mm_set1_epi8(62 - '+')),
                                  _mm_and_si128(slash, _mm_set1_epi8(63 - '/')))));
    const __m128i values = _mm_add_epi8(x, offset);
    // Per lane a<<18 | b<<12 | c<<6 | d: pairs by multiply-add, then halves.
    const __m128i pairs = _mm_maddubs_epi16(values, _mm_set1_epi32(0x01400140));
    const __m128i groups24 = _mm_madd_epi16(pairs, _mm_set1_epi32(0x00011000));
    const __m128i bytes = _mm_shuffle_epi8(groups24, order);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), bytes);
    const auto last = static_cast<uint32_t>(_mm_cvtsi128_si32(_mm_srli_si128(bytes, 8)));
    std::memcpy(dst + 8, &last, 4);
  }
  return g;
}

bool HasSsse3() {
  static const bool has = __builtin_cpu_supports("ssse3");
  return has;
}
#endif

}  // namespace

void Base64Append(std::string_view in, std::string* out) {
  const size_t start = out->size();
  out->resize(start + Base64EncodedSize(in.size()));
  Base64Encode(in, out->data() + start);
}

void Base64Encode(std::string_view in, char* dst) {
  const auto* src = reinterpret_cast<const uint8_t*>(in.data());
  size_t i = 0;
#ifdef AGORA_TOKEN_BASE64_SSSE3
  if (HasSsse3()) {
    i = EncodeSsse3(src, in.size(), dst);
    dst += i / 3 * 4;
  }
#endif
  // Two output characters per lookup: each 12-bit half of a 3-byte group.
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (src[i] << 16) | (src[i + 1] << 8) | src[i + 2];
    std::memcpy(dst, kPairs[v >> 12].data(), 2);
    std::memcpy(dst + 2, kPairs[v & 0xfff].data(), 2);
    dst += 4;
  }
  const size_t left = in.size() - i;
  if (left == 1) {
    const uint32_t v = src[i] << 16;
    *dst++ = kAlphabet[v >> 18];
    *dst++ = kAlphabet[(v >> 12) & 63];
    *dst++ = '=';
    *dst++ = '=';
  } else if (left == 2) {
    const uint32_t v = (src[i] << 16) | (src[i + 1] << 8);
    *dst++ = kAlphabet[v >> 18];
    *dst++ = kAlphabet[(v >> 12) & 63];
    *dst++ = kAlphabet[(v >> 6) & 63];
    *dst++ = '=';
  }
}

bool Base64DecodeStrict(std::string_view in, std::string* out) {
  out->clear();
  if (in.size() % 4 != 0) return false;
  if (in.empty()) return true;
  size_t padding = 0;
  if (in[in.size() - 1] == '=') padding = in[in.size() - 2] == '=' ? 2 : 1;
  const size_t groups = (in.size() - padding) / 4;  // whole groups before the padded one
  out->resize(groups * 3 + (padding == 0 ? 0 : 3 - padding));
  const auto* src = reinterpret_cast<const uint8_t*>(in.data());
  char* dst = out->data();
  // Four characters to three bytes per step; invalid characters (kInvalid,
  // also '=' inside the body) are collected and checked once at the end.
  uint32_t seen = 0;
  size_t g = 0;
#ifdef AGORA_TOKEN_BASE64_SSSE3
  if (HasSsse3()) {
    g = DecodeSsse3(src, groups, dst);
    if (g == kBadInput) {
      out->clear();
      return false;
    }
    src += 4 * g;
    dst += 3 * g;
  }
#endif
  for (; g < groups; ++g, src += 4, dst += 3) {
    const uint32_t a = kDecode[src[0]];
    const uint32_t b = kDecode[src[1]];
    const uint32_t c = kDecode[src[2]];
    const uint32_t d = kDecode[src[3]];
    seen |= a | b | c | d;
    const uint32_t v = a << 18 | b << 12 | c << 6 | d;
    dst[0] = static_cast<char>(v >> 16);
    dst[1] = static_cast<char>(v >> 8);
    dst[2] = static_cast<char>(v);
  }
  // Leftover bits are padding positions; canonical encodings leave them 0.
  uint32_t leftover = 0;
  if (padding != 0) {
    const uint32_t a = kDecode[src[0]];
    const uint32_t b = kDecode[src[1]];
    seen |= a | b;
    dst[0] = static_cast<char>(a << 2 | b >> 4);
    if (padding == 2) {
      leftover = b & 0xf;
    } else {
      const uint32_t c = kDecode[src[2]];
      seen |= c;
      dst[1] = static_cast<char>(b << 4 | c >> 2);
      leftover = c & 3;
    }
  }
  if (seen >= 64 || leftover != 0) {
    out->clear();
    return false;
  }
  return true;
}

}  // namespace agora_token
