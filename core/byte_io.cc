#include "core/byte_io.h"

namespace agora_token {

bool ByteReader::Take(size_t n, std::string_view* out) {
  if (!ok_ || remaining() < n) {
    ok_ = false;
    return false;
  }
  *out = in_.substr(pos_, n);
  pos_ += n;
  return true;
}

uint16_t ByteReader::U16() {
  std::string_view b;
  if (!Take(2, &b)) return 0;
  return static_cast<uint16_t>(static_cast<uint8_t>(b[0]) | (static_cast<uint8_t>(b[1]) << 8));
}

uint32_t ByteReader::U32() {
  std::string_view b;
  if (!Take(4, &b)) return 0;
  return static_cast<uint32_t>(static_cast<uint8_t>(b[0])) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[1])) << 8) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[2])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(b[3])) << 24);
}

std::string_view ByteReader::Str() {
  const uint16_t size = U16();
  std::string_view s;
  Take(size, &s);
  return s;
}

uint16_t ByteReader::Count(size_t min_element_size) {
  const uint16_t count = U16();
  if (!ok_ || remaining() / min_element_size < count) {
    ok_ = false;
    return 0;
  }
  return count;
}

std::vector<PrivilegeValue> ByteReader::PrivilegeMap() {
  const uint16_t count = Count(6);  // u16 key + u32 value
  std::vector<PrivilegeValue> entries;
  entries.reserve(count);
  for (uint16_t i = 0; i < count; ++i) {
    PrivilegeValue e;
    e.privilege = U16();
    e.value = U32();
    entries.push_back(e);
  }
  return entries;
}

}  // namespace agora_token
