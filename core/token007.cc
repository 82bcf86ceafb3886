// 007 (AccessToken2) builders. Layout (docs/token-format.md):
//   "007" + base64(zlib(str(signature) + signing_info))
//   signing_info = str(app_id) + u32(issue_ts) + u32(expire) + u32(salt)
//                  + u16(service_count) + services in ascending type
//   signing_key  = HMAC(u32(salt), HMAC(u32(issue_ts), app_certificate))
#include <array>
#include <cstring>

#include "core/account_text.h"
#include "core/app_key_internal.h"
#include "core/base64.h"
#include "core/byte_io.h"
#include "core/compression.h"
#include "core/expiry.h"
#include "core/input_rules.h"
#include "core/signing.h"
#include "core/token.h"
#include "core/token007_internal.h"

namespace agora_token {
namespace {

// One service to pack: its privileges (ascending) and its string fields.
struct ServiceSpec {
  uint16_t type = 0;
  std::array<PrivilegeValue, 4> privileges{};
  size_t privilege_count = 0;
  std::array<std::string_view, 2> fields{};
  size_t field_count = 0;
};

// Size of the packed service, so the payload is allocated once.
size_t ServiceSize(const ServiceSpec& service) {
  size_t size = 2 + 2 + 6 * service.privilege_count;
  for (size_t i = 0; i < service.field_count; ++i) size += 2 + service.fields[i].size();
  return size;
}

// Signs and packs services (given in ascending type order) into a token.
BuiltToken Pack007(const AppKey& app, const Issuance& at, uint32_t expire,
                   const ServiceSpec* services, size_t service_count, Compression compression) {
  size_t payload_size = kSignatureField + 2 + app.app_id().size() + 4 + 4 + 4 + 2;
  for (size_t s = 0; s < service_count; ++s) payload_size += ServiceSize(services[s]);
  thread_local std::string payload;  // reused: its capacity persists, the token copies it
  payload.assign(payload_size, '\0');
  ByteWriter w(payload.data() + kSignatureField);
  w.Str(app.app_id());
  w.U32(at.issue_ts);
  w.U32(expire);
  w.U32(at.salt);
  w.U16(static_cast<uint16_t>(service_count));
  for (size_t s = 0; s < service_count; ++s) {
    const ServiceSpec& service = services[s];
    w.U16(service.type);
    w.U16(static_cast<uint16_t>(service.privilege_count));
    for (size_t i = 0; i < service.privilege_count; ++i) {
      w.U16(service.privileges[i].privilege);
      w.U32(service.privileges[i].value);
    }
    for (size_t i = 0; i < service.field_count; ++i) w.Str(service.fields[i]);
  }
  BuiltToken built = Finish007(app, at, expire, payload, compression);
  size_t privilege_count = 0;
  for (size_t s = 0; s < service_count; ++s) privilege_count += services[s].privilege_count;
  // Filled in place, as in token006.cc (no store-forwarding stalls).
  built.privileges.resize(privilege_count);
  PrivilegeExpiry* out = built.privileges.data();
  for (size_t s = 0; s < service_count; ++s) {
    for (size_t i = 0; i < services[s].privilege_count; ++i, ++out) {
      const PrivilegeValue& p = services[s].privileges[i];
      out->service_type = services[s].type;
      out->privilege = p.privilege;
      out->expire_ts = EffectiveExpiry007(at.issue_ts, p.value, built.expire_ts);
    }
  }
  return built;
}

ServiceSpec SingleUserService(uint16_t type, uint16_t privilege, uint32_t value,
                              std::string_view user_id) {
  ServiceSpec spec;
  spec.type = type;
  spec.privileges[0] = {privilege, value};
  spec.privilege_count = 1;
  spec.fields[0] = user_id;
  spec.field_count = 1;
  return spec;
}

}  // namespace

absl::Status ValidateIssue(const Issuance& at) {
  if (at.issue_ts == 0) return InvalidField("issue_ts", "must be a unix time after 1970");
  return absl::OkStatus();
}

absl::Status ValidateRtcRole007(RtcRole role) {
  if (role == RtcRole::kPublisher || role == RtcRole::kSubscriber) return absl::OkStatus();
  return InvalidField("role",
                      "must be publisher (1) or subscriber (2) for 007 tokens; "
                      "attendee and admin exist only in 006");
}

BuiltToken Finish007(const AppKey& app, const Issuance& at, uint32_t expire, std::string& payload,
                     Compression compression) {
  const std::string_view signing_info = std::string_view(payload).substr(kSignatureField);
  const Sha256Digest signature = Sign007(app.app_certificate(), at.issue_ts, at.salt, signing_info);
  ByteWriter(payload.data()).Str(AsStringView(signature));

  BuiltToken built;
  built.version = TokenVersion::k007;
  built.issue_ts = at.issue_ts;
  built.salt = at.salt;
  built.expire_ts = AddSeconds(at.issue_ts, expire);
  thread_local std::string compressed;  // reused: its capacity persists
  compressed.clear();
  ZlibCompress(payload, compression, &compressed);
  built.token.resize(3 + Base64EncodedSize(compressed.size()));
  std::memcpy(built.token.data(), "007", 3);
  Base64Encode(compressed, built.token.data() + 3);
  return built;
}

absl::StatusOr<BuiltToken> BuildRtcToken007(const AppKey& app, const Rtc007Params& params,
                                            const Issuance& at, Compression compression) {
  const AccountText account_text(params.user);
  const std::string_view account = account_text.view();
  absl::Status status = ValidateRtcChannel007(params.channel_name, account);
  if (!status.ok()) return status;
  if (std::holds_alternative<std::string>(params.user)) {
    status = ValidateAccount(account);
    if (!status.ok()) return status;
  }
  if (!params.privilege_expires.has_value()) {
    status = ValidateRtcRole007(params.role);
    if (!status.ok()) return status;
  }
  if (params.with_rtm && account.empty()) {
    return InvalidField("with_rtm", "RTM login needs a user: use a non-zero uid or an account");
  }
  status = ValidateIssue(at);
  if (!status.ok()) return status;

  const uint32_t expire = StoredTokenExpire(params.token_expire);
  std::array<ServiceSpec, 2> services;
  ServiceSpec& rtc = services[0];
  rtc.type = kServiceRtc;
  if (params.privilege_expires.has_value()) {
    const RtcPrivilegeExpires& e = *params.privilege_expires;
    rtc.privileges = {{{kRtcJoinChannel, e.join_channel},
                       {kRtcPublishAudio, e.publish_audio},
                       {kRtcPublishVideo, e.publish_video},
                       {kRtcPublishData, e.publish_data_stream}}};
    rtc.privilege_count = 4;
  } else {
    const uint32_t v = params.privilege_expire;
    rtc.privileges = {
        {{kRtcJoinChannel, v}, {kRtcPublishAudio, v}, {kRtcPublishVideo, v}, {kRtcPublishData, v}}};
    rtc.privilege_count = params.role == RtcRole::kPublisher ? 4 : 1;
  }
  rtc.fields = {params.channel_name, account};
  rtc.field_count = 2;
  size_t service_count = 1;
  if (params.with_rtm) {
    services[service_count++] = SingleUserService(kServiceRtm, kRtmLogin, expire, account);
  }
  return Pack007(app, at, expire, services.data(), service_count, compression);
}

absl::StatusOr<BuiltToken> BuildRtmToken007(const AppKey& app, std::string_view user_id,
                                            uint32_t token_expire, const Issuance& at,
                                            Compression compression) {
  absl::Status status = ValidateAccount(user_id, "user_id");
  if (!status.ok()) return status;
  status = ValidateIssue(at);
  if (!status.ok()) return status;
  const uint32_t expire = StoredTokenExpire(token_expire);
  const ServiceSpec rtm = SingleUserService(kServiceRtm, kRtmLogin, expire, user_id);
  return Pack007(app, at, expire, &rtm, 1, compression);
}

absl::StatusOr<BuiltToken> BuildChatToken007(const AppKey& app, std::string_view user_id,
                                             uint32_t token_expire, const Issuance& at,
                                             Compression compression) {
  if (!user_id.empty()) {
    absl::Status status = ValidateAccount(user_id, "user_id");
    if (!status.ok()) return status;
  }
  absl::Status status = ValidateIssue(at);
  if (!status.ok()) return status;
  const uint32_t expire = StoredTokenExpire(token_expire);
  const ServiceSpec chat = user_id.empty()
                               ? SingleUserService(kServiceChat, kChatApp, expire, "")
                               : SingleUserService(kServiceChat, kChatUser, expire, user_id);
  return Pack007(app, at, expire, &chat, 1, compression);
}

absl::StatusOr<BuiltToken> BuildRtcToken007(const AppCredentials& app, const Rtc007Params& params,
                                            const Issuance& at, Compression compression) {
  return WithAppKey(
      app, [&](const AppKey& key) { return BuildRtcToken007(key, params, at, compression); });
}

absl::StatusOr<BuiltToken> BuildRtmToken007(const AppCredentials& app, std::string_view user_id,
                                            uint32_t token_expire, const Issuance& at,
                                            Compression compression) {
  return WithAppKey(app, [&](const AppKey& key) {
    return BuildRtmToken007(key, user_id, token_expire, at, compression);
  });
}

absl::StatusOr<BuiltToken> BuildChatToken007(const AppCredentials& app, std::string_view user_id,
                                             uint32_t token_expire, const Issuance& at,
                                             Compression compression) {
  return WithAppKey(app, [&](const AppKey& key) {
    return BuildChatToken007(key, user_id, token_expire, at, compression);
  });
}

}  // namespace agora_token
