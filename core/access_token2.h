// The general AccessToken2 (007) builder: one token holding any list of
// services, the layer the product document places under RtcTokenBuilder.
// It is the only way to mint Streaming (3) and FCDN (6), which have no
// builder of their own; service_builders.h composes the reference builders'
// tokens from the same parts. Layouts are in docs/token-format.md.
#ifndef AGORA_TOKEN_CORE_ACCESS_TOKEN2_H_
#define AGORA_TOKEN_CORE_ACCESS_TOKEN2_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/token.h"

namespace agora_token {

// Privilege ids of the services token.h does not list (ids are per service).
enum StreamingPrivilege : uint16_t {
  kStreamingPublishMixStream = 1,
  kStreamingPublishRawStream = 2,
};
enum FpaPrivilege : uint16_t { kFpaLogin = 1 };
enum FcdnPrivilege : uint16_t { kFcdnPublish = 1, kFcdnPlay = 2 };
enum ApaasPrivilege : uint16_t { kApaasRoomUser = 1, kApaasUser = 2, kApaasApp = 3 };
enum Rtm2Privilege : uint16_t { kRtm2Login = 1 };

// RTM2 permission resource and permission types.
enum Rtm2ResourceType : uint16_t {
  kRtm2MessageChannels = 0,
  kRtm2StreamChannels = 1,
  kRtm2GroupChannels = 2,
  kRtm2ServerGroups = 3,
  kRtm2Users = 4,
};
enum Rtm2PermissionType : uint16_t { kRtm2Read = 0, kRtm2Write = 1 };

// One service to put in a token. It mirrors DecodedService: each type uses
// only its own fields, and the builder rejects any other field that is set.
struct ServiceGrant {
  uint16_t type = 0;  // ServiceType
  // Privilege ids of this type, each at most once, in any order; the value
  // is seconds after issue (0: as long as the token). Stored as given and
  // never outliving the token.
  std::vector<PrivilegeValue> privileges;
  std::string channel_name;     // RTC, Streaming, FCDN (RTC also takes "*")
  std::string account;          // RTC, Streaming, FCDN: decimal uid or account; "" = uid 0
  std::string user_id;          // RTM, RTM2; Chat ("" for the app token)
  std::string room_uuid;        // APaaS ("" for user and app tokens)
  std::string user_uuid;        // APaaS ("" for the app token)
  std::optional<int32_t> role;  // APaaS only; unset is the reference's -1
  std::vector<Rtm2Resource> rtm2_resources;  // RTM2; any order, packed sorted by type
};

struct AccessToken2Params {
  uint32_t token_expire = 0;  // seconds; 0 or > 86400 means 86400
  // 1 to 16 services. Packed in ascending type; services of the same type
  // keep this order (a stable sort, as the references do).
  std::vector<ServiceGrant> services;
};

// Builds a 007 token holding `params.services`. Fails with kInvalidArgument
// naming the field, e.g. "services[1].room_uuid".
absl::StatusOr<BuiltToken> BuildAccessToken2(const AppKey& app, const AccessToken2Params& params,
                                             const Issuance& at, Compression compression);
absl::StatusOr<BuiltToken> BuildAccessToken2(const AppCredentials& app,
                                             const AccessToken2Params& params, const Issuance& at,
                                             Compression compression);

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_ACCESS_TOKEN2_H_
