// Little-endian packing and unpacking of the token building blocks
// (docs/token-format.md): u16, u32, i16, str(s) and map16_32. The reader
// never reads past its input: the first short read latches a failure that
// the caller turns into one specific error.
#ifndef AGORA_TOKEN_CORE_BYTE_IO_H_
#define AGORA_TOKEN_CORE_BYTE_IO_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/token.h"

namespace agora_token {

// Writes into a buffer the caller has sized: token layouts are small and
// fully known up front, so builders size once and never reallocate.
class ByteWriter {
 public:
  explicit ByteWriter(char* out) : p_(out) {}

  void U16(uint16_t v) {
    p_[0] = static_cast<char>(v & 0xff);
    p_[1] = static_cast<char>(v >> 8);
    p_ += 2;
  }
  void U32(uint32_t v) {
    p_[0] = static_cast<char>(v & 0xff);
    p_[1] = static_cast<char>((v >> 8) & 0xff);
    p_[2] = static_cast<char>((v >> 16) & 0xff);
    p_[3] = static_cast<char>(v >> 24);
    p_ += 4;
  }
  void Bytes(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  // str(s): callers validate that s fits in 16 bits first.
  void Str(std::string_view s) {
    U16(static_cast<uint16_t>(s.size()));
    Bytes(s);
  }
  char* position() const { return p_; }

 private:
  char* p_;
};

// u32(v) as its 4 little-endian bytes.
inline std::array<char, 4> U32Bytes(uint32_t v) {
  std::array<char, 4> out;
  ByteWriter(out.data()).U32(v);
  return out;
}

inline std::string_view AsStringView(const std::array<char, 4>& bytes) {
  return {bytes.data(), bytes.size()};
}

// The fixed-size reads are inline: a decode makes dozens of them, and a call
// each cost more than the read.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  uint16_t U16() {
    if (!ok_ || remaining() < 2) return Short();
    const auto* p = reinterpret_cast<const uint8_t*>(in_.data() + pos_);
    pos_ += 2;
    return static_cast<uint16_t>(p[0] | p[1] << 8);
  }
  uint32_t U32() {
    if (!ok_ || remaining() < 4) return Short();
    const auto* p = reinterpret_cast<const uint8_t*>(in_.data() + pos_);
    pos_ += 4;
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
  }
  int16_t I16() { return static_cast<int16_t>(U16()); }
  std::string_view Str() {
    const uint16_t size = U16();
    std::string_view s;
    Take(size, &s);
    return s;
  }
  // Reads map16_32 as stored (the signature covers its order).
  std::vector<PrivilegeValue> PrivilegeMap();
  // Reads a u16 element count and checks the input can hold that many
  // elements of at least `min_element_size` bytes, so hostile counts never
  // drive long loops or large allocations.
  uint16_t Count(size_t min_element_size);

  bool ok() const { return ok_; }
  void Fail() { ok_ = false; }
  size_t remaining() const { return in_.size() - pos_; }
  std::string_view rest() const { return in_.substr(pos_); }

 private:
  bool Take(size_t n, std::string_view* out) {
    if (!ok_ || remaining() < n) {
      ok_ = false;
      return false;
    }
    *out = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  // A read past the end: latches the failure and reads as 0.
  uint16_t Short() {
    ok_ = false;
    return 0;
  }

  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_BYTE_IO_H_
