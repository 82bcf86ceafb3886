// Input rules from the product document (the seed), shared by every builder
// and by the server's request validation. Each check returns OK or an
// InvalidArgument error whose message is "<field>: <rule>" and whose payload
// names the field, so the gRPC layer can report it as a field violation.
#ifndef AGORA_TOKEN_CORE_INPUT_RULES_H_
#define AGORA_TOKEN_CORE_INPUT_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "core/token.h"

namespace agora_token {

inline constexpr size_t kMaxChannelNameBytes = 64;
inline constexpr size_t kMaxAccountBytes = 255;
inline constexpr size_t kAppIdLength = 32;
// RTM, RTM2 and Chat user ids: "max length is 64 bytes" in the references' own
// comments (RtmTokenBuilder2).
inline constexpr size_t kMaxUserIdBytes = 64;
// APaaS user uuids: Agora's documentation gives no bound, so ours.
inline constexpr size_t kMaxUuidBytes = 255;
// The wildcard channel of 007 RTC grants (SDK 4.2.2+ preloadChannel).
inline constexpr std::string_view kWildcardChannel = "*";
// Services per 007 token: the ten types with room for repeats, far below
// the u16 count the format allows.
inline constexpr size_t kMaxServicesPerToken = 16;
// RTM2 permissions: one entry per resource type (0-4) and per permission
// type (0 read, 1 write), and at most this many names in one token.
inline constexpr uint16_t kMaxRtm2ResourceType = 4;
inline constexpr uint16_t kMaxRtm2PermissionType = 1;
inline constexpr size_t kMaxRtm2NamesPerToken = 64;
// APaaS roles: -1 is the references' "no role"; others fit the i16 field.
inline constexpr int32_t kApaasNoRole = -1;
inline constexpr int32_t kMaxApaasRole = INT16_MAX;

// An InvalidArgument error for `field` breaking `rule`.
absl::Status InvalidField(std::string_view field, std::string_view rule);

// The field an InvalidField error names, if any.
std::optional<std::string> InvalidFieldName(const absl::Status& status);

// True for the 89 characters channel names and accounts may use.
bool IsAllowedNameChar(char c);

// 32 hexadecimal characters. The certificate's value never appears in the
// error.
absl::Status ValidateAppId(std::string_view app_id);
absl::Status ValidateAppCertificate(std::string_view app_certificate);

// At most 64 bytes from the allowed set. An empty name is rejected too: no
// SDK can join a channel without a name.
absl::Status ValidateChannelName(std::string_view channel_name,
                                 std::string_view field = "channel_name");

// 1 to 255 bytes from the allowed set.
absl::Status ValidateAccount(std::string_view account, std::string_view field = "account");

// The channel of a 007 RTC grant: a channel name, or the wildcard "*" when
// the grant names a user (`account` is the signed account string, "" for
// uid 0), as Agora's wildcard-token documentation requires. 006 tokens never
// take "*": they use ValidateChannelName.
absl::Status ValidateRtcChannel007(std::string_view channel_name, std::string_view account,
                                   std::string_view field = "channel_name");

// RTM, RTM2 and Chat user ids: 1 to 64 bytes from the allowed set.
absl::Status ValidateUserId(std::string_view user_id, std::string_view field = "user_id");

// APaaS user uuids: 1 to 255 bytes of valid UTF-8 without NUL.
absl::Status ValidateUuid(std::string_view uuid, std::string_view field);

// APaaS roles: -1 (none) to 32767.
absl::Status ValidateApaasRole(int32_t role, std::string_view field = "role");

// RTM2 permissions: resource types 0-4 and permission types 0-1, each at most
// once and with at least one entry; at most 64 names in all. Names of channel
// and server-group resources (types 0-3) follow the channel-name rule, user
// names (type 4) the user-id rule. Errors name the element, e.g.
// "rtm2_resources[1].permissions[0].names[2]".
absl::Status ValidateRtm2Resources(const std::vector<Rtm2Resource>& resources,
                                   std::string_view field = "rtm2_resources");

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_INPUT_RULES_H_
