// What one request asks for, in the terms policies and the audit log use:
// the kind of token, the app, the channel, the user. Each request message
// has one FactsOf (build_handlers.h), so these are filled in one place and
// read by the policy check, the audit line and the metrics alike.
#ifndef AGORA_TOKEN_SERVER_TOKEN_FACTS_H_
#define AGORA_TOKEN_SERVER_TOKEN_FACTS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/token.h"

namespace agora_token {

// The kinds of token a policy grants separately. Chat app tokens act for the
// whole app, so they are a kind of their own, apart from Chat user tokens.
enum class TokenKind { kRtc, kRtm, kChatUser, kChatApp };
inline constexpr size_t kTokenKindCount = 4;

// "rtc", "rtm", "chat_user", "chat_app".
std::string_view TokenKindName(TokenKind kind);

// Views point into the request message: facts live no longer than the call.
struct TokenFacts {
  TokenKind kind = TokenKind::kRtc;
  bool decode = false;                  // DecodeToken rather than a build
  std::optional<TokenVersion> version;  // unset when the request's is invalid
  std::string_view app_id;
  std::string_view channel_name;
  std::optional<uint32_t> uid;  // RTC with uid
  std::string_view account;     // RTC account, or RTM/Chat user id
  int role = 0;                 // the request's role number
  bool with_rtm = false;
};

// True when the token would let any user in: RTC uid 0 or an empty account.
inline bool NamesAnyUser(const TokenFacts& facts) {
  return facts.kind == TokenKind::kRtc && !facts.decode &&
         (facts.uid.has_value() ? *facts.uid == 0 : facts.account.empty());
}

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_TOKEN_FACTS_H_
