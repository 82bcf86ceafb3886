// 006 (AccessToken) builders. Layout (docs/token-format.md):
//   "006" + app_id + base64(str(signature) + u32(crc(channel)) + u32(crc(uid)) + str(message))
//   message   = u32(salt) + u32(ts) + map16_32(privileges)
//   signature = HMAC(app_certificate, app_id + channel + uid + message)
#include <array>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/account_text.h"
#include "core/app_key_internal.h"
#include "core/base64.h"
#include "core/byte_io.h"
#include "core/compression.h"
#include "core/expiry.h"
#include "core/input_rules.h"
#include "core/signing.h"
#include "core/token.h"

namespace agora_token {
namespace {

// Rejects expiries a 006 token can only hold by wrapping or that grant
// nothing (already over when minted).
absl::Status ValidateIssueAndExpiry(const Issuance& at, uint32_t privilege_expired_ts) {
  if (at.issue_ts > UINT32_MAX - kMaxTokenLifetimeSeconds) {
    return InvalidField("issue_ts", "must leave room for a 24-hour token before 2106");
  }
  if (privilege_expired_ts != 0 && privilege_expired_ts <= at.issue_ts) {
    return InvalidField("privilege_expired_ts",
                        "must be 0 (24 hours) or an absolute unix time later than the issue time");
  }
  return absl::OkStatus();
}

// Signs and packs one 006 token. `privileges` must be in ascending order.
template <size_t N>
BuiltToken Pack006(const AppKey& app, std::string_view channel, std::string_view uid,
                   const std::array<PrivilegeValue, N>& privileges, size_t count,
                   const Issuance& at) {
  const uint32_t ts = at.issue_ts + kMaxTokenLifetimeSeconds;
  // content = str(signature) u32 u32 str(message); the message sits at a
  // fixed offset, so it is written first and signed in place.
  constexpr size_t kMessageOffset = 2 + kSha256Size + 4 + 4 + 2;
  const size_t message_size = 4 + 4 + 2 + 6 * count;
  char content[kMessageOffset + 4 + 4 + 2 + 6 * N];
  ByteWriter m(content + kMessageOffset);
  m.U32(at.salt);
  m.U32(ts);
  m.U16(static_cast<uint16_t>(count));
  for (size_t i = 0; i < count; ++i) {
    m.U16(privileges[i].privilege);
    m.U32(privileges[i].value);
  }
  const std::string_view message(content + kMessageOffset, message_size);
  const Sha256Digest signature = Sign006(app.hmac_006(), app.app_id(), channel, uid, message);
  ByteWriter c(content);
  c.Str(AsStringView(signature));
  c.U32(Crc32(channel));
  c.U32(Crc32(uid));
  c.U16(static_cast<uint16_t>(message_size));

  BuiltToken built;
  built.version = TokenVersion::k006;
  built.issue_ts = at.issue_ts;
  built.salt = at.salt;
  built.expire_ts = ts;
  // The token sized once and written in place.
  const size_t content_size = kMessageOffset + message_size;
  const std::string& app_id = app.app_id();
  built.token.resize(3 + app_id.size() + Base64EncodedSize(content_size));
  char* token = built.token.data();
  std::memcpy(token, "006", 3);
  std::memcpy(token + 3, app_id.data(), app_id.size());
  Base64Encode({content, content_size}, token + 3 + app_id.size());
  // Filled in place: pushing whole entries built from 16- and 32-bit fields
  // made the compiler store them in halves and reload them whole, a
  // store-forwarding stall per entry.
  std::vector<PrivilegeExpiry> expiries(count);
  for (size_t i = 0; i < count; ++i) {
    expiries[i].privilege = privileges[i].privilege;
    expiries[i].expire_ts = EffectiveExpiry006(privileges[i].value, ts);
  }
  built.privileges = std::move(expiries);
  return built;
}

}  // namespace

absl::StatusOr<BuiltToken> BuildRtcToken006(const AppKey& app, const Rtc006Params& params,
                                            const Issuance& at) {
  absl::Status status = ValidateChannelName(params.channel_name);
  if (!status.ok()) return status;
  if (const std::string* account = std::get_if<std::string>(&params.user)) {
    status = ValidateAccount(*account);
    if (!status.ok()) return status;
  }
  switch (params.role) {
    case RtcRole::kAttendee:
    case RtcRole::kPublisher:
    case RtcRole::kSubscriber:
    case RtcRole::kAdmin:
      break;
    default:
      return InvalidField("role",
                          "must be publisher (1) or subscriber (2); 006 also accepts "
                          "the deprecated attendee (0) and admin (101)");
  }
  status = ValidateIssueAndExpiry(at, params.privilege_expired_ts);
  if (!status.ok()) return status;

  const uint32_t v = params.privilege_expired_ts;
  const std::array<PrivilegeValue, 4> privileges = {
      {{k006JoinChannel, v}, {k006PublishAudio, v}, {k006PublishVideo, v}, {k006PublishData, v}}};
  // Subscribers may only join; every other role also publishes (as the
  // official C++/Node/Python 006 builders grant).
  const size_t count = params.role == RtcRole::kSubscriber ? 1 : 4;
  const AccountText uid(params.user);
  return Pack006(app, params.channel_name, uid.view(), privileges, count, at);
}

absl::StatusOr<BuiltToken> BuildRtmToken006(const AppKey& app, std::string_view user_id,
                                            uint32_t privilege_expired_ts, const Issuance& at) {
  absl::Status status = ValidateAccount(user_id, "user_id");
  if (!status.ok()) return status;
  status = ValidateIssueAndExpiry(at, privilege_expired_ts);
  if (!status.ok()) return status;
  // RTM signs the user id where RTC signs the channel, with an empty uid.
  const std::array<PrivilegeValue, 1> privileges = {{{k006RtmLogin, privilege_expired_ts}}};
  return Pack006(app, user_id, "", privileges, 1, at);
}

absl::StatusOr<BuiltToken> BuildRtcToken006(const AppCredentials& app, const Rtc006Params& params,
                                            const Issuance& at) {
  return WithAppKey(app, [&](const AppKey& key) { return BuildRtcToken006(key, params, at); });
}

absl::StatusOr<BuiltToken> BuildRtmToken006(const AppCredentials& app, std::string_view user_id,
                                            uint32_t privilege_expired_ts, const Issuance& at) {
  return WithAppKey(app, [&](const AppKey& key) {
    return BuildRtmToken006(key, user_id, privilege_expired_ts, at);
  });
}

}  // namespace agora_token
