// Little-endian packing and unpacking of the token building blocks
// (docs/token-format.md): u16, u32, i16, str(s) and map16_32. The reader
// never reads past its input: the first short read latches a failure that
// the caller turns into one specific error.
#ifndef AGORA_TOKEN_CORE_BYTE_IO_H_
#define AGORA_TOKEN_CORE_BYTE_IO_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/token.h"

namespace agora_token {

class ByteWriter {
 public:
  explicit ByteWriter(std::string* out) : out_(out) {}

  void U16(uint16_t v) {
    const char b[2] = {static_cast<char>(v & 0xff), static_cast<char>(v >> 8)};
    out_->append(b, 2);
  }
  void U32(uint32_t v) {
    const char b[4] = {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
                       static_cast<char>((v >> 16) & 0xff), static_cast<char>(v >> 24)};
    out_->append(b, 4);
  }
  // str(s): callers validate that s fits in 16 bits first.
  void Str(std::string_view s) {
    U16(static_cast<uint16_t>(s.size()));
    out_->append(s.data(), s.size());
  }
  // map16_32: the entries must already be in ascending key order.
  template <typename Entries>
  void PrivilegeMap(const Entries& entries) {
    U16(static_cast<uint16_t>(entries.size()));
    for (const PrivilegeValue& e : entries) {
      U16(e.privilege);
      U32(e.value);
    }
  }

 private:
  std::string* out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  uint16_t U16();
  uint32_t U32();
  int16_t I16() { return static_cast<int16_t>(U16()); }
  std::string_view Str();
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
  bool Take(size_t n, std::string_view* out);

  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_BYTE_IO_H_
