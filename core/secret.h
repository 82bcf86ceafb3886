// Secret bytes held in memory (an App Certificate): the buffer is wiped with
// OPENSSL_cleanse when the value is destroyed or replaced, so a freed
// certificate does not linger in the heap for a core dump or a later
// allocation to reveal.
#ifndef AGORA_TOKEN_CORE_SECRET_H_
#define AGORA_TOKEN_CORE_SECRET_H_

#include <string>
#include <string_view>

namespace agora_token {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string_view value) : value_(value) {}
  Secret(const Secret& other) : value_(other.value_) {}
  Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.Wipe(); }
  Secret& operator=(const Secret& other);
  Secret& operator=(Secret&& other) noexcept;
  ~Secret() { Wipe(); }

  std::string_view view() const { return value_; }
  size_t size() const { return value_.size(); }

 private:
  // Wipes the bytes (and leaves the value empty).
  void Wipe() noexcept;

  std::string value_;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_SECRET_H_
