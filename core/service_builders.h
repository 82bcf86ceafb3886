// The reference builders' multi-service and newer 007 tokens, composed from
// the general AccessToken2 layer (access_token2.h): FPA, APaaS (Flexible
// Classroom), RTM2 with permissions, RTC with RTM for another user, ConvoAI
// and STT. Each gives the token the C++/Python references give for the same
// inputs, salt and issue time (docs/token-format.md lists where the other
// references differ), and fails with kInvalidArgument naming its own field.
// Expiries follow the 007 rules of token.h.
#ifndef AGORA_TOKEN_CORE_SERVICE_BUILDERS_H_
#define AGORA_TOKEN_CORE_SERVICE_BUILDERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/token.h"

namespace agora_token {

// FpaTokenBuilder.buildToken: FPA login (0: as long as the token) for 24 h.
absl::StatusOr<BuiltToken> BuildFpaToken(const AppKey& app, const Issuance& at,
                                         Compression compression);
absl::StatusOr<BuiltToken> BuildFpaToken(const AppCredentials& app, const Issuance& at,
                                         Compression compression);

// ApaasTokenBuilder (and its older twin EducationTokenBuilder).
enum class ApaasTokenKind {
  kRoomUser,  // buildRoomUserToken: APaaS(room, user, role) + RTM(user) + Chat(md5(user))
  kUser,      // buildUserToken: APaaS("", user, -1)
  kApp,       // buildAppToken: APaaS("", "", -1)
};

struct ApaasTokenParams {
  ApaasTokenKind kind = ApaasTokenKind::kRoomUser;
  std::string room_uuid;      // room user only; the channel-name rule
  std::string user_uuid;      // room user and user; 1 to 255 bytes of UTF-8, no NUL
  int32_t role = -1;          // room user only (-1 to 32767); other kinds must leave -1
  uint32_t token_expire = 0;  // seconds; every privilege lasts as long as the token
};

absl::StatusOr<BuiltToken> BuildApaasToken(const AppKey& app, const ApaasTokenParams& params,
                                           const Issuance& at, Compression compression);
absl::StatusOr<BuiltToken> BuildApaasToken(const AppCredentials& app,
                                           const ApaasTokenParams& params, const Issuance& at,
                                           Compression compression);

// RtmTokenBuilder2.buildTokenWithPermissions: RTM2 (type 8) login for the
// token's life, with resource permissions (rules in input_rules.h).
struct Rtm2TokenParams {
  std::string user_id;  // 1 to 64 bytes
  std::vector<Rtm2Resource> rtm2_resources;
  uint32_t token_expire = 0;
};

absl::StatusOr<BuiltToken> BuildRtm2Token(const AppKey& app, const Rtm2TokenParams& params,
                                          const Issuance& at, Compression compression);
absl::StatusOr<BuiltToken> BuildRtm2Token(const AppCredentials& app, const Rtm2TokenParams& params,
                                          const Issuance& at, Compression compression);

// RtcTokenBuilder2.buildTokenWithRtm2 and the ConvoAI and STT builders that
// share its parameters: RTC(channel, user) with join, plus the three publish
// privileges for a publisher, each with its own expiry; and RTM login for
// rtm_user_id, which need not be the RTC user, lasting rtm_token_expire.
struct RtcWithRtmParams {
  std::string channel_name;  // or "*" with a non-zero uid or an account
  RtcUser user = uint32_t{0};
  RtcRole role = RtcRole::kPublisher;     // kPublisher or kSubscriber
  uint32_t token_expire = 0;              // seconds; 0 or > 86400 means 86400
  RtcPrivilegeExpires privilege_expires;  // subscribers use join_channel only
  std::string rtm_user_id;                // 1 to 64 bytes
  uint32_t rtm_token_expire = 0;          // seconds; 0 means as long as the token
};

absl::StatusOr<BuiltToken> BuildRtcTokenWithRtm2(const AppKey& app, const RtcWithRtmParams& params,
                                                 const Issuance& at, Compression compression);
absl::StatusOr<BuiltToken> BuildRtcTokenWithRtm2(const AppCredentials& app,
                                                 const RtcWithRtmParams& params, const Issuance& at,
                                                 Compression compression);

// ConvoAITokenBuilder.buildToken: as BuildRtcTokenWithRtm2 plus an empty
// ConvoAI (type 9) service.
absl::StatusOr<BuiltToken> BuildConvoAiToken(const AppKey& app, const RtcWithRtmParams& params,
                                             const Issuance& at, Compression compression);
absl::StatusOr<BuiltToken> BuildConvoAiToken(const AppCredentials& app,
                                             const RtcWithRtmParams& params, const Issuance& at,
                                             Compression compression);

// SttTokenBuilder.buildToken: as BuildRtcTokenWithRtm2 plus an empty STT
// (type 10) service.
absl::StatusOr<BuiltToken> BuildSttToken(const AppKey& app, const RtcWithRtmParams& params,
                                         const Issuance& at, Compression compression);
absl::StatusOr<BuiltToken> BuildSttToken(const AppCredentials& app, const RtcWithRtmParams& params,
                                         const Issuance& at, Compression compression);

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_SERVICE_BUILDERS_H_
