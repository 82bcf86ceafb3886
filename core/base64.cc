#include "core/base64.h"

#include <array>
#include <cstdint>
#include <cstring>

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

}  // namespace

void Base64Append(std::string_view in, std::string* out) {
  const size_t start = out->size();
  out->resize(start + (in.size() + 2) / 3 * 4);
  char* dst = out->data() + start;
  const auto* src = reinterpret_cast<const uint8_t*>(in.data());
  size_t i = 0;
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
  out->reserve(in.size() / 4 * 3);
  const size_t body = in.size() - padding;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < body; ++i) {
    const uint8_t v = kDecode[static_cast<uint8_t>(in[i])];
    if (v == kInvalid) return false;  // also catches '=' inside the body
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // Leftover bits are padding positions; canonical encodings leave them 0.
  return (acc & ((1u << bits) - 1)) == 0;
}

}  // namespace agora_token
