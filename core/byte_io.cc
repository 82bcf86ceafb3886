#include "core/byte_io.h"

namespace agora_token {

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
  // Filled in place: an entry pushed whole is stored in halves and reloaded
  // whole, a store-forwarding stall each.
  std::vector<PrivilegeValue> entries(count);
  for (PrivilegeValue& e : entries) {
    e.privilege = U16();
    e.value = U32();
  }
  return entries;
}

}  // namespace agora_token
