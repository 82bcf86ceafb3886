// What one request asks for, in the terms policies and the audit log use:
// the kind of token, the app, the channel, the user, and every service the
// token would hold. Each request message has one FactsOf (build_handlers.h),
// so these are filled in one place and read by the policy check, the audit
// line and the metrics alike.
#ifndef AGORA_TOKEN_SERVER_TOKEN_FACTS_H_
#define AGORA_TOKEN_SERVER_TOKEN_FACTS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/container/inlined_vector.h"
#include "core/token.h"

namespace agora_token {

// The kinds of token a policy grants separately, one per service (RTC is
// split by format in the policy). Chat and APaaS app tokens act for the
// whole app; Chat's are a kind of their own, apart from Chat user tokens.
enum class TokenKind {
  kRtc,
  kRtm,
  kChatUser,
  kChatApp,
  kFpa,
  kApaas,
  kStreaming,
  kFcdn,
  kRtm2,
  kConvoAi,
  kStt,
};
inline constexpr size_t kTokenKindCount = 11;

// "rtc", "rtm", "chat_user", "chat_app", "fpa", "apaas", "streaming",
// "fcdn", "rtm2", "convo_ai", "stt".
std::string_view TokenKindName(TokenKind kind);

// One service a token would hold, or one channel it names: the unit the
// policy checks, so no kind of request can carry a service, a channel or an
// "any user" grant past it.
struct GrantFacts {
  TokenKind kind = TokenKind::kRtc;
  std::string_view channel_name;  // a channel (or APaaS room) it names, if any
  bool any_user = false;          // a channel grant without a named user
};

// Views point into the request message: facts live no longer than the call.
struct TokenFacts {
  TokenKind kind = TokenKind::kRtc;     // the request's main kind (audit, metrics)
  bool decode = false;                  // DecodeToken rather than a build
  std::optional<TokenVersion> version;  // unset when the request's is invalid
  std::string_view app_id;
  std::string_view channel_name;
  std::optional<uint32_t> uid;  // RTC with uid
  std::string_view account;     // RTC account, or RTM/Chat/APaaS user id
  std::string_view rtm_user_id;  // an RTC token's RTM user of its own, if any
  int role = 0;                 // the request's role number
  // Every service and channel the token would grant, the main one first.
  absl::InlinedVector<GrantFacts, 3> grants;
};

// The distinct kinds `facts` grants, in the order first granted.
absl::InlinedVector<TokenKind, 4> GrantedKinds(const TokenFacts& facts);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_TOKEN_FACTS_H_
