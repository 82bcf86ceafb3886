// Public API of the core token library: builders, decoder and verifier for
// Agora access tokens in the 006 (AccessToken) and 007 (AccessToken2) formats.
// Pure C++17 with Abseil status types; no gRPC. The wire formats are described
// in docs/token-format.md. Every builder validates its input with the rules in
// input_rules.h and fails with kInvalidArgument naming the field and the rule.
// access_token2.h (any list of services) and service_builders.h (FPA, APaaS,
// RTM2, RTC with RTM2, ConvoAI, STT) hold the other 007 builders.
#ifndef AGORA_TOKEN_CORE_TOKEN_H_
#define AGORA_TOKEN_CORE_TOKEN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/crypto.h"
#include "core/secret.h"

namespace agora_token {

// No token lives longer than this (seconds), as the product document says.
inline constexpr uint32_t kMaxTokenLifetimeSeconds = 24 * 60 * 60;

enum class TokenVersion { k006, k007 };

// RTC roles. kAttendee and kAdmin are deprecated and only accepted for 006,
// where the official builders grant them the publisher's privileges.
enum class RtcRole : int { kAttendee = 0, kPublisher = 1, kSubscriber = 2, kAdmin = 101 };

// How a 007 payload is deflated. kCompatible uses zlib's default level, so the
// token is byte-identical to the reference C++/Python builders'. kFast writes a
// stored (uncompressed) deflate block: ~10x cheaper, ~24 characters longer.
enum class Compression { kCompatible, kFast };

// 007 service types (docs/token-format.md).
enum ServiceType : uint16_t {
  kServiceRtc = 1,
  kServiceRtm = 2,
  kServiceStreaming = 3,
  kServiceFpa = 4,
  kServiceChat = 5,
  kServiceFcdn = 6,
  kServiceApaas = 7,
  kServiceRtm2 = 8,
  kServiceConvoAi = 9,  // Conversational AI agent; no privileges, no fields
  kServiceStt = 10,     // real-time speech-to-text; no privileges, no fields
};

// Privilege ids. 006 ids are global; 007 ids are per service.
enum Privilege006 : uint16_t {
  k006JoinChannel = 1,
  k006PublishAudio = 2,
  k006PublishVideo = 3,
  k006PublishData = 4,
  k006AdministrateChannel = 101,
  k006RtmLogin = 1000,
};
enum RtcPrivilege : uint16_t {
  kRtcJoinChannel = 1,
  kRtcPublishAudio = 2,
  kRtcPublishVideo = 3,
  kRtcPublishData = 4,
};
enum RtmPrivilege : uint16_t { kRtmLogin = 1 };
enum ChatPrivilege : uint16_t { kChatUser = 1, kChatApp = 2 };

// An app's identity and signing secret. Both are 32 hex characters; builders
// and verifiers check that. The certificate never leaves this struct in any
// log, error message or token.
struct AppCredentials {
  std::string app_id;
  std::string app_certificate;
};

// Validated credentials with the 006 HMAC key prepared once. Build one per
// app and reuse it (it is immutable and thread-safe): each 006 signature then
// costs only the message's hash blocks.
class AppKey {
 public:
  // Fails with kInvalidArgument naming app_id or app_certificate.
  static absl::StatusOr<AppKey> New(const AppCredentials& credentials);

  const std::string& app_id() const { return app_id_; }
  std::string_view app_certificate() const { return app_certificate_.view(); }
  const HmacSha256Key& hmac_006() const { return hmac_006_; }

 private:
  AppKey(std::string app_id, std::string_view app_certificate)
      : app_id_(std::move(app_id)), app_certificate_(app_certificate), hmac_006_(app_certificate) {}

  std::string app_id_;
  Secret app_certificate_;  // wiped when the key is destroyed
  HmacSha256Key hmac_006_;
};

// When a token is minted and with which salt. Builders are pure functions of
// their inputs and an Issuance; NewIssuance draws a fresh one.
struct Issuance {
  uint32_t issue_ts = 0;  // unix seconds
  uint32_t salt = 0;      // random per token
};

// Source of the current time; injectable so tests can fix it.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual uint32_t NowUnixSeconds() const = 0;
};

// The wall clock.
class SystemClock final : public Clock {
 public:
  uint32_t NowUnixSeconds() const override;
};

// A clock that always reads the same second; for tests and the CLI.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(uint32_t now) : now_(now) {}
  uint32_t NowUnixSeconds() const override { return now_; }

 private:
  uint32_t now_;
};

// Now from `clock`, and a salt in [1, 99999999] (the official builders'
// range) from the crypto library's CSPRNG.
Issuance NewIssuance(const Clock& clock);

// A user of an RTC channel: an int uid (0 means any uid) or a string account.
using RtcUser = std::variant<uint32_t, std::string>;

// The account string a user is signed as: decimal uid, "" for uid 0, or the
// account itself.
std::string UserAccountString(const RtcUser& user);

// The effective, absolute expiry of one privilege of a built token.
struct PrivilegeExpiry {
  uint16_t service_type = 0;  // 0 for 006 tokens
  uint16_t privilege = 0;
  uint32_t expire_ts = 0;  // unix seconds, never later than the token's
};

// A token and what it grants, as the builder actually encoded it.
struct BuiltToken {
  std::string token;
  TokenVersion version = TokenVersion::k007;
  uint32_t issue_ts = 0;  // unix seconds
  uint32_t salt = 0;
  uint32_t expire_ts = 0;  // unix seconds when the token itself expires
  std::vector<PrivilegeExpiry> privileges;
};

// ---------------------------------------------------------------------------
// 006 builders. The token's own timestamp is issue_ts + 24 h. A
// privilege_expired_ts of 0 means "no earlier expiry than the token's"; a later
// value is encoded as given (the official builders do) but never outlives the
// token, which BuiltToken reports.

struct Rtc006Params {
  std::string channel_name;
  RtcUser user = uint32_t{0};
  RtcRole role = RtcRole::kPublisher;
  uint32_t privilege_expired_ts = 0;  // absolute unix seconds, 0 = token's
};

absl::StatusOr<BuiltToken> BuildRtcToken006(const AppKey& app, const Rtc006Params& params,
                                            const Issuance& at);
absl::StatusOr<BuiltToken> BuildRtcToken006(const AppCredentials& app, const Rtc006Params& params,
                                            const Issuance& at);

absl::StatusOr<BuiltToken> BuildRtmToken006(const AppKey& app, std::string_view user_id,
                                            uint32_t privilege_expired_ts, const Issuance& at);
absl::StatusOr<BuiltToken> BuildRtmToken006(const AppCredentials& app, std::string_view user_id,
                                            uint32_t privilege_expired_ts, const Issuance& at);

// ---------------------------------------------------------------------------
// 007 builders. Expiries are seconds after issue_ts. A token expire of 0, or
// one above 86400, is stored as 86400: no token outlives 24 h. A privilege
// expire of 0 means "as long as the token" and is stored as 0; a privilege
// expire beyond the token's is stored as given and capped by the token.

// Per-privilege expiries of the 007 RTC per-privilege form.
struct RtcPrivilegeExpires {
  uint32_t join_channel = 0;
  uint32_t publish_audio = 0;
  uint32_t publish_video = 0;
  uint32_t publish_data_stream = 0;
};

struct Rtc007Params {
  std::string channel_name;
  RtcUser user = uint32_t{0};
  // Role-based form: join always; publisher also gets publish audio, video
  // and data. Only kPublisher and kSubscriber are valid for 007.
  RtcRole role = RtcRole::kPublisher;
  uint32_t token_expire = 0;      // seconds; 0 or > 86400 means 86400
  uint32_t privilege_expire = 0;  // seconds; 0 means as long as the token
  // Per-privilege form: when set, replaces role and privilege_expire.
  std::optional<RtcPrivilegeExpires> privilege_expires;
  // Adds an RTM service (login, as long as the token) for the same account.
  bool with_rtm = false;
};

absl::StatusOr<BuiltToken> BuildRtcToken007(const AppKey& app, const Rtc007Params& params,
                                            const Issuance& at, Compression compression);
absl::StatusOr<BuiltToken> BuildRtcToken007(const AppCredentials& app, const Rtc007Params& params,
                                            const Issuance& at, Compression compression);

absl::StatusOr<BuiltToken> BuildRtmToken007(const AppKey& app, std::string_view user_id,
                                            uint32_t token_expire, const Issuance& at,
                                            Compression compression);
absl::StatusOr<BuiltToken> BuildRtmToken007(const AppCredentials& app, std::string_view user_id,
                                            uint32_t token_expire, const Issuance& at,
                                            Compression compression);

// A Chat user token (user_id set) or a Chat app token (user_id empty).
absl::StatusOr<BuiltToken> BuildChatToken007(const AppKey& app, std::string_view user_id,
                                             uint32_t token_expire, const Issuance& at,
                                             Compression compression);
absl::StatusOr<BuiltToken> BuildChatToken007(const AppCredentials& app, std::string_view user_id,
                                             uint32_t token_expire, const Issuance& at,
                                             Compression compression);

// ---------------------------------------------------------------------------
// Decoder and verifier.

// Upper bounds that keep hostile input cheap.
inline constexpr size_t kMaxTokenLength = 8192;           // characters
inline constexpr size_t kMaxInflatedPayload = 64 * 1024;  // bytes

struct PrivilegeValue {
  uint16_t privilege = 0;
  uint32_t value = 0;  // 006: absolute unix seconds; 007: seconds after issue
};

// RTM2 permissions: resource type -> (permission type -> names).
struct Rtm2Permission {
  uint16_t permission_type = 0;
  std::vector<std::string> names;
};
struct Rtm2Resource {
  uint16_t resource_type = 0;
  std::vector<Rtm2Permission> permissions;
};

// One 007 service with every field of its type; fields a type lacks stay
// empty.
struct DecodedService {
  uint16_t type = 0;
  std::vector<PrivilegeValue> privileges;
  std::string channel_name;                  // RTC, Streaming, FCDN
  std::string account;                       // RTC, Streaming, FCDN ("" = uid 0)
  std::string user_id;                       // RTM, Chat, RTM2
  std::string room_uuid;                     // APaaS
  std::string user_uuid;                     // APaaS
  int16_t role = 0;                          // APaaS
  std::vector<Rtm2Resource> rtm2_resources;  // RTM2
};

struct DecodedToken {
  TokenVersion version = TokenVersion::k007;
  std::string app_id;
  std::string signature;  // raw HMAC-SHA256 bytes as carried in the token
  uint32_t salt = 0;
  // 006 only.
  uint32_t ts = 0;  // absolute unix seconds when the token expires
  uint32_t crc_channel_name = 0;
  uint32_t crc_uid = 0;
  std::vector<PrivilegeValue> privileges_006;
  // 007 only.
  uint32_t issue_ts = 0;
  uint32_t expire = 0;  // seconds after issue_ts
  std::vector<DecodedService> services;
  // A service type this library does not know. Its layout is unknown, so
  // parsing stops there; the signature still covers (and verifies) it.
  std::optional<uint16_t> unknown_service_type;
  // The bytes the signature covers: the 006 message or the 007 signing info.
  std::string signed_bytes;
};

// Parses a 006 or 007 token. Fails with kInvalidArgument and a specific
// message for empty, oversized, wrong-version, non-base64, truncated,
// trailing-garbage, inconsistent or decompression-bomb input.
absl::StatusOr<DecodedToken> DecodeToken(std::string_view token);

// What a 006 token is bound to: only CRCs of these travel in the token.
struct Token006Subject {
  std::string channel_name;
  std::string uid_str;  // decimal uid, "" for uid 0, or the account

  static Token006Subject ForRtc(std::string channel_name, const RtcUser& user);
  static Token006Subject ForRtm(std::string user_id);
};

// Checks the signature with `app_certificate` in constant time. 006 tokens
// need `subject` and also check both CRCs against it. Every mismatch gives
// the same kPermissionDenied "signature mismatch"; an unusable certificate or
// a missing 006 subject gives kInvalidArgument.
absl::Status VerifySignature(const DecodedToken& token, std::string_view app_certificate,
                             const Token006Subject* subject = nullptr);

// Expiry of a decoded token against a point in time.
struct ExpiryReport {
  enum class State { kValid, kTokenExpired, kPrivilegeExpired };
  State state = State::kValid;
  uint32_t token_expire_ts = 0;  // absolute unix seconds
  // Effective absolute expiry of every privilege (capped by the token's).
  std::vector<PrivilegeExpiry> privileges;
  // The privileges that have expired while the token has not.
  std::vector<PrivilegeExpiry> expired_privileges;
};

// A token or privilege is valid up to and including its expiry second, and
// expired once `now` is later.
ExpiryReport CheckExpiry(const DecodedToken& token, uint32_t now);

std::string_view ExpiryStateName(ExpiryReport::State state);
// "rtc", "rtm", ... "convo_ai", "stt"; "unknown" for any other type.
std::string_view ServiceTypeName(uint16_t type);

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_TOKEN_H_
