// The account string a user is signed as (UserAccountString in token.h)
// without a heap string: builders sign and pack it and then drop it, so the
// decimal uid is written into a buffer on the stack.
#ifndef AGORA_TOKEN_CORE_ACCOUNT_TEXT_H_
#define AGORA_TOKEN_CORE_ACCOUNT_TEXT_H_

#include <charconv>
#include <string>
#include <string_view>
#include <variant>

#include "core/token.h"

namespace agora_token {

class AccountText {
 public:
  // Views the account inside `user`, which must outlive this object.
  explicit AccountText(const RtcUser& user) {
    if (const uint32_t* uid = std::get_if<uint32_t>(&user)) {
      if (*uid != 0) {
        const char* end = std::to_chars(digits_, digits_ + sizeof(digits_), *uid).ptr;
        text_ = std::string_view(digits_, static_cast<size_t>(end - digits_));
      }
    } else {
      text_ = std::get<std::string>(user);
    }
  }
  AccountText(const AccountText&) = delete;
  AccountText& operator=(const AccountText&) = delete;

  std::string_view view() const { return text_; }

 private:
  char digits_[10];  // 4294967295
  // Never a null view, even empty: it ends up in memcpy calls.
  std::string_view text_{digits_, 0};
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_ACCOUNT_TEXT_H_
