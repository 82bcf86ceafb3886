#include "server/token_facts.h"

namespace agora_token {

std::string_view TokenKindName(TokenKind kind) {
  static constexpr std::string_view kNames[kTokenKindCount] = {"rtc", "rtm", "chat_user",
                                                               "chat_app"};
  return kNames[static_cast<size_t>(kind)];
}

}  // namespace agora_token
