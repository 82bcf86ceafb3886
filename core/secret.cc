#include "core/secret.h"

#include "core/crypto.h"

namespace agora_token {

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) {
    Wipe();
    value_ = other.value_;
  }
  return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    Wipe();
    value_ = std::move(other.value_);
    other.Wipe();
  }
  return *this;
}

void Secret::Wipe() noexcept {
  // The whole capacity: a shorter value may have replaced a longer one.
  if (value_.capacity() > 0) SecureWipe(value_.data(), value_.capacity());
  value_.clear();
}

}  // namespace agora_token
