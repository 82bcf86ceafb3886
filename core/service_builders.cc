// The reference builders' compositions of services, on top of PackServices.
// Each validates its own parameters (so errors name them, not services[i])
// and then lists the services exactly as the C++/Python builder adds them.
#include "core/service_builders.h"

#include "absl/strings/escaping.h"
#include "core/app_key_internal.h"
#include "core/crypto.h"
#include "core/input_rules.h"
#include "core/token007_internal.h"

namespace agora_token {
namespace {

ServiceGrant Grant(uint16_t type, std::vector<PrivilegeValue> privileges) {
  ServiceGrant grant;
  grant.type = type;
  grant.privileges = std::move(privileges);
  return grant;
}

ServiceGrant UserGrant(uint16_t type, uint16_t privilege, uint32_t value, std::string user_id) {
  ServiceGrant grant = Grant(type, {{privilege, value}});
  grant.user_id = std::move(user_id);
  return grant;
}

absl::StatusOr<BuiltToken> Pack(const AppKey& app, const Issuance& at, uint32_t expire,
                                std::vector<ServiceGrant> services, Compression compression) {
  absl::Status status = ValidateIssue(at);
  if (!status.ok()) return status;
  return PackServices(app, at, expire, std::move(services), compression);
}

// The Chat user of an APaaS room user: lower-case hex md5 of the user uuid,
// as the C++ and Python references compute it.
std::string ChatUserOf(std::string_view user_uuid) {
  const Md5Digest digest = Md5(user_uuid);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

absl::Status MustBeUnset(bool unset, std::string_view field, std::string_view kind) {
  if (unset) return absl::OkStatus();
  return InvalidField(
      field,
      std::string("an APaaS ").append(kind).append(" token has no such field; leave it unset"));
}

absl::StatusOr<std::vector<ServiceGrant>> ApaasServices(const ApaasTokenParams& p,
                                                        uint32_t expire) {
  ServiceGrant apaas = Grant(kServiceApaas, {});
  absl::Status status;
  switch (p.kind) {
    case ApaasTokenKind::kRoomUser: {
      status = ValidateChannelName(p.room_uuid, "room_uuid");
      if (status.ok()) status = ValidateUuid(p.user_uuid, "user_uuid");
      if (status.ok()) status = ValidateApaasRole(p.role);
      if (!status.ok()) return status;
      apaas.privileges = {{kApaasRoomUser, expire}};
      apaas.room_uuid = p.room_uuid;
      apaas.user_uuid = p.user_uuid;
      apaas.role = p.role;
      return std::vector<ServiceGrant>{
          apaas, UserGrant(kServiceRtm, kRtmLogin, expire, p.user_uuid),
          UserGrant(kServiceChat, kChatUser, expire, ChatUserOf(p.user_uuid))};
    }
    case ApaasTokenKind::kUser:
      status = MustBeUnset(p.room_uuid.empty(), "room_uuid", "user");
      if (status.ok()) status = MustBeUnset(p.role == kApaasNoRole, "role", "user");
      if (status.ok()) status = ValidateUuid(p.user_uuid, "user_uuid");
      if (!status.ok()) return status;
      apaas.privileges = {{kApaasUser, expire}};
      apaas.user_uuid = p.user_uuid;
      return std::vector<ServiceGrant>{apaas};
    case ApaasTokenKind::kApp:
      status = MustBeUnset(p.room_uuid.empty(), "room_uuid", "app");
      if (status.ok()) status = MustBeUnset(p.user_uuid.empty(), "user_uuid", "app");
      if (status.ok()) status = MustBeUnset(p.role == kApaasNoRole, "role", "app");
      if (!status.ok()) return status;
      apaas.privileges = {{kApaasApp, expire}};
      return std::vector<ServiceGrant>{apaas};
  }
  return InvalidField("kind", "must be room user, user or app");
}

// buildTokenWithRtm2's services, with `extra_type` (ConvoAI, STT) appended
// empty when non-zero.
absl::StatusOr<BuiltToken> BuildRtcWithRtm(const AppKey& app, const RtcWithRtmParams& p,
                                           uint16_t extra_type, const Issuance& at,
                                           Compression compression) {
  const std::string account = UserAccountString(p.user);
  absl::Status status = ValidateRtcChannel007(p.channel_name, account);
  if (status.ok() && std::holds_alternative<std::string>(p.user)) {
    status = ValidateAccount(account);
  }
  if (status.ok()) status = ValidateRtcRole007(p.role);
  if (status.ok()) status = ValidateUserId(p.rtm_user_id, "rtm_user_id");
  if (!status.ok()) return status;

  const RtcPrivilegeExpires& e = p.privilege_expires;
  ServiceGrant rtc = Grant(kServiceRtc, {{kRtcJoinChannel, e.join_channel}});
  if (p.role == RtcRole::kPublisher) {
    rtc.privileges.push_back({kRtcPublishAudio, e.publish_audio});
    rtc.privileges.push_back({kRtcPublishVideo, e.publish_video});
    rtc.privileges.push_back({kRtcPublishData, e.publish_data_stream});
  }
  rtc.channel_name = p.channel_name;
  rtc.account = account;
  std::vector<ServiceGrant> services = {
      std::move(rtc), UserGrant(kServiceRtm, kRtmLogin, p.rtm_token_expire, p.rtm_user_id)};
  if (extra_type != 0) services.push_back(Grant(extra_type, {}));
  return Pack(app, at, StoredTokenExpire(p.token_expire), std::move(services), compression);
}

}  // namespace

absl::StatusOr<BuiltToken> BuildFpaToken(const AppKey& app, const Issuance& at,
                                         Compression compression) {
  // The reference fixes both: a 24 h token whose login lasts as long.
  return Pack(app, at, kMaxTokenLifetimeSeconds, {Grant(kServiceFpa, {{kFpaLogin, 0}})},
              compression);
}

absl::StatusOr<BuiltToken> BuildApaasToken(const AppKey& app, const ApaasTokenParams& params,
                                           const Issuance& at, Compression compression) {
  const uint32_t expire = StoredTokenExpire(params.token_expire);
  absl::StatusOr<std::vector<ServiceGrant>> services = ApaasServices(params, expire);
  if (!services.ok()) return services.status();
  return Pack(app, at, expire, *std::move(services), compression);
}

absl::StatusOr<BuiltToken> BuildRtm2Token(const AppKey& app, const Rtm2TokenParams& params,
                                          const Issuance& at, Compression compression) {
  absl::Status status = ValidateUserId(params.user_id, "user_id");
  if (status.ok()) status = ValidateRtm2Resources(params.rtm2_resources, "rtm2_resources");
  if (!status.ok()) return status;
  const uint32_t expire = StoredTokenExpire(params.token_expire);
  ServiceGrant rtm2 = UserGrant(kServiceRtm2, kRtm2Login, expire, params.user_id);
  rtm2.rtm2_resources = params.rtm2_resources;
  return Pack(app, at, expire, {std::move(rtm2)}, compression);
}

absl::StatusOr<BuiltToken> BuildRtcTokenWithRtm2(const AppKey& app, const RtcWithRtmParams& params,
                                                 const Issuance& at, Compression compression) {
  return BuildRtcWithRtm(app, params, 0, at, compression);
}

absl::StatusOr<BuiltToken> BuildConvoAiToken(const AppKey& app, const RtcWithRtmParams& params,
                                             const Issuance& at, Compression compression) {
  return BuildRtcWithRtm(app, params, kServiceConvoAi, at, compression);
}

absl::StatusOr<BuiltToken> BuildSttToken(const AppKey& app, const RtcWithRtmParams& params,
                                         const Issuance& at, Compression compression) {
  return BuildRtcWithRtm(app, params, kServiceStt, at, compression);
}

// The AppCredentials overloads validate the credentials, then build.

absl::StatusOr<BuiltToken> BuildFpaToken(const AppCredentials& app, const Issuance& at,
                                         Compression compression) {
  return WithAppKey(app, [&](const AppKey& key) { return BuildFpaToken(key, at, compression); });
}

absl::StatusOr<BuiltToken> BuildApaasToken(const AppCredentials& app,
                                           const ApaasTokenParams& params, const Issuance& at,
                                           Compression compression) {
  return WithAppKey(
      app, [&](const AppKey& key) { return BuildApaasToken(key, params, at, compression); });
}

absl::StatusOr<BuiltToken> BuildRtm2Token(const AppCredentials& app, const Rtm2TokenParams& params,
                                          const Issuance& at, Compression compression) {
  return WithAppKey(
      app, [&](const AppKey& key) { return BuildRtm2Token(key, params, at, compression); });
}

absl::StatusOr<BuiltToken> BuildRtcTokenWithRtm2(const AppCredentials& app,
                                                 const RtcWithRtmParams& params, const Issuance& at,
                                                 Compression compression) {
  return WithAppKey(
      app, [&](const AppKey& key) { return BuildRtcTokenWithRtm2(key, params, at, compression); });
}

absl::StatusOr<BuiltToken> BuildConvoAiToken(const AppCredentials& app,
                                             const RtcWithRtmParams& params, const Issuance& at,
                                             Compression compression) {
  return WithAppKey(
      app, [&](const AppKey& key) { return BuildConvoAiToken(key, params, at, compression); });
}

absl::StatusOr<BuiltToken> BuildSttToken(const AppCredentials& app, const RtcWithRtmParams& params,
                                         const Issuance& at, Compression compression) {
  return WithAppKey(app,
                    [&](const AppKey& key) { return BuildSttToken(key, params, at, compression); });
}

}  // namespace agora_token
