#include "server/token_facts.h"

#include <algorithm>

namespace agora_token {

std::string_view TokenKindName(TokenKind kind) {
  static constexpr std::string_view kNames[kTokenKindCount] = {
      "rtc",       "rtm",  "chat_user", "chat_app", "fpa", "apaas",
      "streaming", "fcdn", "rtm2",      "convo_ai", "stt"};
  return kNames[static_cast<size_t>(kind)];
}

absl::InlinedVector<TokenKind, 4> GrantedKinds(const TokenFacts& facts) {
  absl::InlinedVector<TokenKind, 4> kinds;
  for (const GrantFacts& grant : facts.grants) {
    if (std::find(kinds.begin(), kinds.end(), grant.kind) == kinds.end()) {
      kinds.push_back(grant.kind);
    }
  }
  return kinds;
}

}  // namespace agora_token
