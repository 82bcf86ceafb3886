// 007 (AccessToken2) builders: every 007 vector of official.json and
// extra.json (payload always, full token wherever the reference used the
// system zlib), round trips for every service and both compression modes, and
// the expiry rules of the product document.
#include <algorithm>
#include <functional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "core/input_rules.h"
#include "core/token.h"
#include "gtest/gtest.h"
#include "tests/core/test_support.h"
#include "zlib.h"

namespace agora_token {
namespace {

using agora_token_test::AppOf;
using agora_token_test::EffectiveExpiries;
using agora_token_test::Hex;
using agora_token_test::IssuanceOf;
using agora_token_test::LoadVectors;
using agora_token_test::Payload007;
using agora_token_test::Sorted;
using agora_token_test::Str;
using agora_token_test::SystemZlibToken;
using agora_token_test::TestApp;
using agora_token_test::U16;
using agora_token_test::U32;
using agora_token_test::Vector;

using agora_token_test::kAt;
using agora_token_test::kIssueTs;
using agora_token_test::kSalt;
constexpr uint32_t kDay = kMaxTokenLifetimeSeconds;

DecodedService RtcService(std::string channel, std::string account,
                          std::vector<PrivilegeValue> privileges) {
  DecodedService s;
  s.type = kServiceRtc;
  s.privileges = std::move(privileges);
  s.channel_name = std::move(channel);
  s.account = std::move(account);
  return s;
}

DecodedService UserService(uint16_t type, std::string user_id, uint16_t privilege, uint32_t value) {
  DecodedService s;
  s.type = type;
  s.privileges = {{privilege, value}};
  s.user_id = std::move(user_id);
  return s;
}

std::vector<PrivilegeValue> RolePrivileges(RtcRole role, uint32_t value) {
  if (role == RtcRole::kSubscriber) return {{kRtcJoinChannel, value}};
  return {{kRtcJoinChannel, value},
          {kRtcPublishAudio, value},
          {kRtcPublishVideo, value},
          {kRtcPublishData, value}};
}

// The fixed head of every 007 signing info.
std::string SigningInfoHead(std::string_view app_id, uint32_t issue_ts, uint32_t expire,
                            uint32_t salt, uint16_t services) {
  return Str(app_id) + U32(issue_ts) + U32(expire) + U32(salt) + U16(services);
}

// ---------------------------------------------------------------------------
// Known-answer vectors.

RtcUser UserOf(const nlohmann::json& v) {
  if (v.contains("uid")) return v.at("uid").get<uint32_t>();
  return v.at("account").get<std::string>();
}

bool IsPerPrivilege(const nlohmann::json& v) { return v.contains("join_channel_privilege_expire"); }

// Calls the builder a vector names, with AppCredentials or an AppKey.
template <typename App>
absl::StatusOr<BuiltToken> BuildFromVector(const App& app, const Vector& vector,
                                           Compression compression) {
  const nlohmann::json& v = vector.fields;
  const std::string kind = vector.kind();
  const uint32_t token_expire = v.at("token_expire").get<uint32_t>();
  if (kind == "rtm007") {
    return BuildRtmToken007(app, v.at("user_id").get<std::string>(), token_expire, IssuanceOf(v),
                            compression);
  }
  if (kind == "chat007_user") {
    return BuildChatToken007(app, v.at("user_id").get<std::string>(), token_expire, IssuanceOf(v),
                             compression);
  }
  if (kind == "chat007_app") {
    return BuildChatToken007(app, "", token_expire, IssuanceOf(v), compression);
  }
  Rtc007Params params;
  params.channel_name = v.at("channel_name").get<std::string>();
  params.user = UserOf(v);
  params.token_expire = token_expire;
  if (IsPerPrivilege(v)) {
    params.privilege_expires =
        RtcPrivilegeExpires{v.at("join_channel_privilege_expire").get<uint32_t>(),
                            v.at("pub_audio_privilege_expire").get<uint32_t>(),
                            v.at("pub_video_privilege_expire").get<uint32_t>(),
                            v.at("pub_data_stream_privilege_expire").get<uint32_t>()};
  } else {
    params.role = static_cast<RtcRole>(v.at("role").get<int>());
    params.privilege_expire = v.at("privilege_expire").get<uint32_t>();
  }
  params.with_rtm = kind == "rtc007_rtm";
  return BuildRtcToken007(app, params, IssuanceOf(v), compression);
}

absl::StatusOr<BuiltToken> BuildFromVector(const Vector& vector, Compression compression) {
  return BuildFromVector(AppOf(vector.fields), vector, compression);
}

// The services a vector's token must carry, read from the vector's inputs
// alone (not from the builder call above).
std::vector<DecodedService> ExpectedServices(const Vector& vector) {
  const nlohmann::json& v = vector.fields;
  const std::string kind = vector.kind();
  const uint32_t token_expire = v.at("token_expire").get<uint32_t>();
  if (kind == "rtm007") {
    return {UserService(kServiceRtm, v.at("user_id").get<std::string>(), kRtmLogin, token_expire)};
  }
  if (kind == "chat007_user") {
    return {UserService(kServiceChat, v.at("user_id").get<std::string>(), kChatUser, token_expire)};
  }
  if (kind == "chat007_app") return {UserService(kServiceChat, "", kChatApp, token_expire)};

  std::string account;
  if (v.contains("uid")) {
    const uint32_t uid = v.at("uid").get<uint32_t>();
    account = uid == 0 ? "" : std::to_string(uid);
  } else {
    account = v.at("account").get<std::string>();
  }
  std::vector<PrivilegeValue> privileges;
  if (IsPerPrivilege(v)) {
    privileges = {{kRtcJoinChannel, v.at("join_channel_privilege_expire").get<uint32_t>()},
                  {kRtcPublishAudio, v.at("pub_audio_privilege_expire").get<uint32_t>()},
                  {kRtcPublishVideo, v.at("pub_video_privilege_expire").get<uint32_t>()},
                  {kRtcPublishData, v.at("pub_data_stream_privilege_expire").get<uint32_t>()}};
  } else if (v.contains("role")) {
    privileges = RolePrivileges(static_cast<RtcRole>(v.at("role").get<int>()),
                                v.at("privilege_expire").get<uint32_t>());
  } else {
    privileges = {{kRtcJoinChannel, v.at("privilege_expire").get<uint32_t>()}};
  }
  std::vector<DecodedService> services = {
      RtcService(v.at("channel_name").get<std::string>(), account, privileges)};
  if (kind == "rtc007_rtm") {
    // The official builder logs the same account into RTM for the token's life.
    services.push_back(UserService(kServiceRtm, account, kRtmLogin, token_expire));
  }
  return services;
}

// The 007 vectors of the builders in token.h; the newer kinds have their own
// tests (access_token2_test.cc, service_builders_test.cc) and the
// unknown-service one is decode-only.
std::vector<Vector> BuildableVectors(const std::string& file) {
  static const std::set<std::string> kKinds = {
      "rtc007_uid", "rtc007_account", "rtc007_uid_privilege", "rtc007_account_privilege",
      "rtc007_rtm", "rtm007",         "chat007_user",         "chat007_app"};
  std::vector<Vector> out = LoadVectors(file, "007");
  out.erase(std::remove_if(out.begin(), out.end(),
                           [](const Vector& v) { return kKinds.count(v.kind()) == 0; }),
            out.end());
  return out;
}

std::string VectorToken(const Vector& vector) {
  return vector.fields.at("token").get<std::string>();
}
std::string VectorPayloadHex(const Vector& vector) {
  return vector.fields.at("payload_hex").get<std::string>();
}

class Token007VectorTest : public ::testing::TestWithParam<Vector> {};

TEST_P(Token007VectorTest, BuildsTheReferencePayload) {
  absl::StatusOr<BuiltToken> built = BuildFromVector(GetParam(), Compression::kCompatible);
  ASSERT_TRUE(built.ok()) << built.status();
  absl::StatusOr<DecodedToken> decoded = DecodeToken(built->token);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(Hex(Payload007(*decoded)), VectorPayloadHex(GetParam()));

  const Issuance at = IssuanceOf(GetParam().fields);
  EXPECT_EQ(built->version, TokenVersion::k007);
  EXPECT_EQ(built->issue_ts, at.issue_ts);
  EXPECT_EQ(built->salt, at.salt);
  EXPECT_EQ(built->expire_ts, at.issue_ts + GetParam().fields.at("token_expire").get<uint32_t>());
  EXPECT_EQ(Sorted(built->privileges),
            EffectiveExpiries(at.issue_ts, GetParam().fields.at("token_expire").get<uint32_t>(),
                              ExpectedServices(GetParam())));
}

TEST_P(Token007VectorTest, FastCompressionCarriesTheSamePayload) {
  absl::StatusOr<BuiltToken> built = BuildFromVector(GetParam(), Compression::kFast);
  ASSERT_TRUE(built.ok()) << built.status();
  absl::StatusOr<DecodedToken> decoded = DecodeToken(built->token);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(Hex(Payload007(*decoded)), VectorPayloadHex(GetParam()));
}

TEST_P(Token007VectorTest, AppKeyOverloadBuildsTheSameToken) {
  absl::StatusOr<AppKey> key = AppKey::New(AppOf(GetParam().fields));
  ASSERT_TRUE(key.ok()) << key.status();
  absl::StatusOr<BuiltToken> from_key = BuildFromVector(*key, GetParam(), Compression::kCompatible);
  absl::StatusOr<BuiltToken> from_credentials =
      BuildFromVector(GetParam(), Compression::kCompatible);
  ASSERT_TRUE(from_key.ok()) << from_key.status();
  ASSERT_TRUE(from_credentials.ok()) << from_credentials.status();
  EXPECT_EQ(from_key->token, from_credentials->token);
}

TEST_P(Token007VectorTest, DecodesAndVerifiesTheReferenceToken) {
  const nlohmann::json& v = GetParam().fields;
  absl::StatusOr<DecodedToken> decoded = DecodeToken(VectorToken(GetParam()));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  // Inflating the reference token (whichever zlib made it) gives its payload.
  EXPECT_EQ(Hex(Payload007(*decoded)), VectorPayloadHex(GetParam()));

  const Issuance at = IssuanceOf(v);
  const uint32_t expire = v.at("token_expire").get<uint32_t>();
  const std::vector<DecodedService> services = ExpectedServices(GetParam());
  EXPECT_EQ(decoded->version, TokenVersion::k007);
  EXPECT_EQ(decoded->app_id, v.at("app_id").get<std::string>());
  EXPECT_EQ(decoded->issue_ts, at.issue_ts);
  EXPECT_EQ(decoded->salt, at.salt);
  EXPECT_EQ(decoded->expire, expire);
  EXPECT_EQ(decoded->services, services);
  EXPECT_FALSE(decoded->unknown_service_type.has_value());
  EXPECT_EQ(decoded->signature.size(), 32u);
  EXPECT_EQ(decoded->signed_bytes.substr(0, 48),
            SigningInfoHead(decoded->app_id, at.issue_ts, expire, at.salt,
                            static_cast<uint16_t>(services.size())));
  EXPECT_TRUE(VerifySignature(*decoded, v.at("app_certificate").get<std::string>()).ok());
  EXPECT_EQ(VerifySignature(*decoded, agora_token_test::kOtherCertificate).code(),
            absl::StatusCode::kPermissionDenied);
}

INSTANTIATE_TEST_SUITE_P(Official, Token007VectorTest,
                         ::testing::ValuesIn(BuildableVectors("official.json")),
                         [](const auto& info) { return agora_token_test::VectorName(info.param); });
INSTANTIATE_TEST_SUITE_P(Extra, Token007VectorTest,
                         ::testing::ValuesIn(BuildableVectors("extra.json")),
                         [](const auto& info) { return agora_token_test::VectorName(info.param); });

class Token007ByteExactTest : public ::testing::TestWithParam<Vector> {};

TEST_P(Token007ByteExactTest, CompatibleCompressionBuildsTheReferenceToken) {
  absl::StatusOr<BuiltToken> built = BuildFromVector(GetParam(), Compression::kCompatible);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->token, SystemZlibToken(GetParam()));
  if (GetParam().fields.value("token_matches_system_zlib", true)) {
    EXPECT_EQ(built->token, VectorToken(GetParam()));
  }
}

INSTANTIATE_TEST_SUITE_P(Official, Token007ByteExactTest,
                         ::testing::ValuesIn(BuildableVectors("official.json")),
                         [](const auto& info) { return agora_token_test::VectorName(info.param); });
INSTANTIATE_TEST_SUITE_P(Extra, Token007ByteExactTest,
                         ::testing::ValuesIn(BuildableVectors("extra.json")),
                         [](const auto& info) { return agora_token_test::VectorName(info.param); });

// ---------------------------------------------------------------------------
// Round trips for every service, in both compression modes.

using Builder007 = std::function<absl::StatusOr<BuiltToken>(Compression)>;

struct RoundTripCase {
  std::string name;
  Builder007 build;
  uint32_t expire;  // the token expire the token must carry
  std::vector<DecodedService> services;
};

Rtc007Params RtcParams(RtcUser user, RtcRole role, uint32_t privilege_expire,
                       bool with_rtm = false) {
  Rtc007Params p;
  p.channel_name = "Round trip: #7 (ok)";
  p.user = std::move(user);
  p.role = role;
  p.token_expire = 3600;
  p.privilege_expire = privilege_expire;
  p.with_rtm = with_rtm;
  return p;
}

Builder007 Rtc(Rtc007Params params) {
  return [params](Compression c) { return BuildRtcToken007(TestApp(), params, kAt, c); };
}

std::vector<RoundTripCase> RoundTripCases() {
  const std::string channel = RtcParams(0u, RtcRole::kPublisher, 0).channel_name;
  Rtc007Params per_privilege = RtcParams(99u, RtcRole::kPublisher, 0);
  per_privilege.privilege_expires = RtcPrivilegeExpires{3600, 0, 7200, 60};
  Rtc007Params per_privilege_rtm = per_privilege;
  per_privilege_rtm.with_rtm = true;
  const std::vector<PrivilegeValue> per_privilege_values = {{kRtcJoinChannel, 3600},
                                                            {kRtcPublishAudio, 0},
                                                            {kRtcPublishVideo, 7200},
                                                            {kRtcPublishData, 60}};

  return {
      {"RtcUidPublisher",
       Rtc(RtcParams(2882341273u, RtcRole::kPublisher, 1800)),
       3600,
       {RtcService(channel, "2882341273", RolePrivileges(RtcRole::kPublisher, 1800))}},
      {"RtcUidZeroSubscriber",
       Rtc(RtcParams(0u, RtcRole::kSubscriber, 0)),
       3600,
       {RtcService(channel, "", RolePrivileges(RtcRole::kSubscriber, 0))}},
      {"RtcUidMax",
       Rtc(RtcParams(4294967295u, RtcRole::kPublisher, 3600)),
       3600,
       {RtcService(channel, "4294967295", RolePrivileges(RtcRole::kPublisher, 3600))}},
      {"RtcAccount",
       Rtc(RtcParams(std::string("alice.smith"), RtcRole::kPublisher, 600)),
       3600,
       {RtcService(channel, "alice.smith", RolePrivileges(RtcRole::kPublisher, 600))}},
      {"RtcAccountSubscriber",
       Rtc(RtcParams(std::string("bob"), RtcRole::kSubscriber, 600)),
       3600,
       {RtcService(channel, "bob", RolePrivileges(RtcRole::kSubscriber, 600))}},
      {"RtcPerPrivilege",
       Rtc(per_privilege),
       3600,
       {RtcService(channel, "99", per_privilege_values)}},
      {"RtcWithRtmUid",
       Rtc(RtcParams(1234u, RtcRole::kPublisher, 0, true)),
       3600,
       {RtcService(channel, "1234", RolePrivileges(RtcRole::kPublisher, 0)),
        UserService(kServiceRtm, "1234", kRtmLogin, 3600)}},
      {"RtcWithRtmAccount",
       Rtc(RtcParams(std::string("carol"), RtcRole::kSubscriber, 900, true)),
       3600,
       {RtcService(channel, "carol", RolePrivileges(RtcRole::kSubscriber, 900)),
        UserService(kServiceRtm, "carol", kRtmLogin, 3600)}},
      {"RtcPerPrivilegeWithRtm",
       Rtc(per_privilege_rtm),
       3600,
       {RtcService(channel, "99", per_privilege_values),
        UserService(kServiceRtm, "99", kRtmLogin, 3600)}},
      {"Rtm",
       [](Compression c) { return BuildRtmToken007(TestApp(), "rtm-user", 3600, kAt, c); },
       3600,
       {UserService(kServiceRtm, "rtm-user", kRtmLogin, 3600)}},
      {"ChatUser",
       [](Compression c) { return BuildChatToken007(TestApp(), "chat_user", 3600, kAt, c); },
       3600,
       {UserService(kServiceChat, "chat_user", kChatUser, 3600)}},
      {"ChatApp",
       [](Compression c) { return BuildChatToken007(TestApp(), "", 3600, kAt, c); },
       3600,
       {UserService(kServiceChat, "", kChatApp, 3600)}},
  };
}

void PrintTo(const RoundTripCase& c, std::ostream* os) { *os << c.name; }

class Token007RoundTripTest
    : public ::testing::TestWithParam<std::tuple<RoundTripCase, Compression>> {};

TEST_P(Token007RoundTripTest, DecodesToItsInputsVerifiesAndIsValidAtIssue) {
  const RoundTripCase& c = std::get<0>(GetParam());
  absl::StatusOr<BuiltToken> built = c.build(std::get<1>(GetParam()));
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->version, TokenVersion::k007);
  EXPECT_EQ(built->token.substr(0, 3), "007");
  EXPECT_EQ(built->issue_ts, kIssueTs);
  EXPECT_EQ(built->salt, kSalt);
  EXPECT_EQ(built->expire_ts, kIssueTs + c.expire);
  const std::vector<PrivilegeExpiry> expected = EffectiveExpiries(kIssueTs, c.expire, c.services);
  EXPECT_EQ(Sorted(built->privileges), expected);

  absl::StatusOr<DecodedToken> decoded = DecodeToken(built->token);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->version, TokenVersion::k007);
  EXPECT_EQ(decoded->app_id, agora_token_test::kAppId);
  EXPECT_EQ(decoded->issue_ts, kIssueTs);
  EXPECT_EQ(decoded->salt, kSalt);
  EXPECT_EQ(decoded->expire, c.expire);
  EXPECT_EQ(decoded->services, c.services);
  EXPECT_FALSE(decoded->unknown_service_type.has_value());
  EXPECT_EQ(decoded->signature.size(), 32u);
  EXPECT_EQ(decoded->signed_bytes.substr(0, 48),
            SigningInfoHead(agora_token_test::kAppId, kIssueTs, c.expire, kSalt,
                            static_cast<uint16_t>(c.services.size())));

  EXPECT_TRUE(VerifySignature(*decoded, agora_token_test::kAppCertificate).ok());

  const ExpiryReport report = CheckExpiry(*decoded, kIssueTs);
  EXPECT_EQ(report.state, ExpiryReport::State::kValid);
  EXPECT_EQ(report.token_expire_ts, built->expire_ts);
  EXPECT_EQ(Sorted(report.privileges), expected);
  EXPECT_TRUE(report.expired_privileges.empty());
}

INSTANTIATE_TEST_SUITE_P(EveryKind, Token007RoundTripTest,
                         ::testing::Combine(::testing::ValuesIn(RoundTripCases()),
                                            ::testing::Values(Compression::kCompatible,
                                                              Compression::kFast)),
                         [](const auto& info) {
                           return std::get<0>(info.param).name +
                                  (std::get<1>(info.param) == Compression::kFast ? "_Fast"
                                                                                 : "_Compatible");
                         });

// ---------------------------------------------------------------------------
// Token expire: 0, or anything beyond 24 h, is stored as 24 h.

struct TokenExpireCase {
  const char* name;
  uint32_t requested;
  uint32_t stored;
};

void PrintTo(const TokenExpireCase& c, std::ostream* os) { *os << c.name; }

class Token007ExpireTest : public ::testing::TestWithParam<TokenExpireCase> {
 protected:
  void ExpectStored(const absl::StatusOr<BuiltToken>& built) {
    ASSERT_TRUE(built.ok()) << built.status();
    EXPECT_EQ(built->expire_ts, kIssueTs + GetParam().stored);
    absl::StatusOr<DecodedToken> decoded = DecodeToken(built->token);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->expire, GetParam().stored);
    EXPECT_EQ(CheckExpiry(*decoded, kIssueTs).token_expire_ts, kIssueTs + GetParam().stored);
    for (const PrivilegeExpiry& p : built->privileges) {
      EXPECT_LE(p.expire_ts, built->expire_ts);
    }
  }
};

TEST_P(Token007ExpireTest, Rtc) {
  Rtc007Params params;
  params.channel_name = "c";
  params.token_expire = GetParam().requested;
  ExpectStored(BuildRtcToken007(TestApp(), params, kAt, Compression::kCompatible));
}

TEST_P(Token007ExpireTest, Rtm) {
  ExpectStored(BuildRtmToken007(TestApp(), "u", GetParam().requested, kAt, Compression::kFast));
}

TEST_P(Token007ExpireTest, ChatUser) {
  ExpectStored(BuildChatToken007(TestApp(), "u", GetParam().requested, kAt, Compression::kFast));
}

TEST_P(Token007ExpireTest, ChatApp) {
  ExpectStored(
      BuildChatToken007(TestApp(), "", GetParam().requested, kAt, Compression::kCompatible));
}

INSTANTIATE_TEST_SUITE_P(Boundaries, Token007ExpireTest,
                         ::testing::Values(TokenExpireCase{"Zero", 0, kDay},
                                           TokenExpireCase{"One", 1, 1},
                                           TokenExpireCase{"TenMinutes", 600, 600},
                                           TokenExpireCase{"DayMinusOne", kDay - 1, kDay - 1},
                                           TokenExpireCase{"Day", kDay, kDay},
                                           TokenExpireCase{"DayPlusOne", kDay + 1, kDay},
                                           TokenExpireCase{"Max", 4294967295u, kDay}),
                         [](const auto& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------
// Privilege expire: 0 = as long as the token; beyond the token = capped (but
// stored as given, as the official builders store it).

struct PrivilegeExpireCase {
  const char* name;
  uint32_t privilege_expire;
  uint32_t effective_seconds;  // after issue, for a token of 3600 s
};

void PrintTo(const PrivilegeExpireCase& c, std::ostream* os) { *os << c.name; }

class Token007PrivilegeExpireTest : public ::testing::TestWithParam<PrivilegeExpireCase> {};

TEST_P(Token007PrivilegeExpireTest, RoleForm) {
  Rtc007Params params = RtcParams(7u, RtcRole::kPublisher, GetParam().privilege_expire);
  absl::StatusOr<BuiltToken> built =
      BuildRtcToken007(TestApp(), params, kAt, Compression::kCompatible);
  ASSERT_TRUE(built.ok()) << built.status();
  ASSERT_EQ(built->privileges.size(), 4u);
  for (const PrivilegeExpiry& p : built->privileges) {
    EXPECT_EQ(p.service_type, kServiceRtc);
    EXPECT_EQ(p.expire_ts, kIssueTs + GetParam().effective_seconds) << "privilege " << p.privilege;
  }
  absl::StatusOr<DecodedToken> decoded = DecodeToken(built->token);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->services.size(), 1u);
  for (const PrivilegeValue& p : decoded->services[0].privileges) {
    EXPECT_EQ(p.value, GetParam().privilege_expire);
  }
  EXPECT_EQ(Sorted(CheckExpiry(*decoded, kIssueTs).privileges), Sorted(built->privileges));
}

TEST_P(Token007PrivilegeExpireTest, PerPrivilegeForm) {
  Rtc007Params params = RtcParams(7u, RtcRole::kPublisher, 0);
  // Only publish audio varies; the others stay at known values.
  params.privilege_expires = RtcPrivilegeExpires{0, GetParam().privilege_expire, 100, 3600};
  absl::StatusOr<BuiltToken> built = BuildRtcToken007(TestApp(), params, kAt, Compression::kFast);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(Sorted(built->privileges),
            (std::vector<PrivilegeExpiry>{
                {kServiceRtc, kRtcJoinChannel, kIssueTs + 3600},
                {kServiceRtc, kRtcPublishAudio, kIssueTs + GetParam().effective_seconds},
                {kServiceRtc, kRtcPublishVideo, kIssueTs + 100},
                {kServiceRtc, kRtcPublishData, kIssueTs + 3600}}));
  absl::StatusOr<DecodedToken> decoded = DecodeToken(built->token);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(Sorted(CheckExpiry(*decoded, kIssueTs).privileges), Sorted(built->privileges));
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, Token007PrivilegeExpireTest,
    ::testing::Values(PrivilegeExpireCase{"ZeroMeansTheToken", 0, 3600},
                      PrivilegeExpireCase{"One", 1, 1}, PrivilegeExpireCase{"Shorter", 600, 600},
                      PrivilegeExpireCase{"EqualToTheToken", 3600, 3600},
                      PrivilegeExpireCase{"OneBeyondIsCapped", 3601, 3600},
                      PrivilegeExpireCase{"FarBeyondIsCapped", 4294967295u, 3600}),
    [](const auto& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------
// The signing key depends on the issue time and the salt.

TEST(Token007Test, IssueTimeAndSaltBothChangeTheSignature) {
  const auto signature = [](const Issuance& at) {
    absl::StatusOr<BuiltToken> built =
        BuildRtmToken007(TestApp(), "u", 600, at, Compression::kFast);
    if (!built.ok()) return built.status().ToString();
    absl::StatusOr<DecodedToken> decoded = DecodeToken(built->token);
    if (!decoded.ok()) return decoded.status().ToString();
    return decoded->signature;
  };
  const std::string base = signature({kIssueTs, kSalt});
  ASSERT_EQ(base.size(), 32u) << base;
  EXPECT_EQ(signature({kIssueTs, kSalt}), base);  // builders are pure functions
  EXPECT_NE(signature({kIssueTs + 1, kSalt}), base);
  EXPECT_NE(signature({kIssueTs, kSalt + 1}), base);
}

// kFast stores the payload uncompressed: one stored deflate block, which any
// zlib inflates to the same bytes kCompatible carries.
TEST(Token007Test, FastModeIsAStoredBlockThatSystemZlibInflates) {
  Rtc007Params params = RtcParams(std::string("dave"), RtcRole::kPublisher, 0, true);
  absl::StatusOr<BuiltToken> fast = BuildRtcToken007(TestApp(), params, kAt, Compression::kFast);
  absl::StatusOr<BuiltToken> compatible =
      BuildRtcToken007(TestApp(), params, kAt, Compression::kCompatible);
  ASSERT_TRUE(fast.ok() && compatible.ok());
  EXPECT_GT(fast->token.size(), compatible->token.size());

  std::string stream;
  ASSERT_TRUE(absl::Base64Unescape(fast->token.substr(3), &stream));
  ASSERT_GT(stream.size(), 3u);
  EXPECT_EQ((static_cast<uint8_t>(stream[0]) * 256 + static_cast<uint8_t>(stream[1])) % 31, 0);
  EXPECT_EQ(static_cast<uint8_t>(stream[2]) & 0x06, 0) << "first block is not a stored block";

  std::string inflated(4096, '\0');
  uLongf size = inflated.size();
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(inflated.data()), &size,
                       reinterpret_cast<const Bytef*>(stream.data()), stream.size()),
            Z_OK);
  inflated.resize(size);
  absl::StatusOr<DecodedToken> decoded = DecodeToken(compatible->token);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(inflated, Payload007(*decoded));
}

TEST(Token007Test, DeprecatedRolesAreRejected) {
  for (const RtcRole role : {RtcRole::kAttendee, RtcRole::kAdmin, static_cast<RtcRole>(3)}) {
    Rtc007Params params = RtcParams(7u, role, 0);
    absl::StatusOr<BuiltToken> built =
        BuildRtcToken007(TestApp(), params, kAt, Compression::kCompatible);
    ASSERT_FALSE(built.ok()) << "role " << static_cast<int>(role);
    EXPECT_EQ(built.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(InvalidFieldName(built.status()), "role");
  }
}

TEST(Token007Test, WithRtmNeedsAUser) {
  // uid 0 is "any user"; RTM has no such wildcard.
  absl::StatusOr<BuiltToken> built = BuildRtcToken007(
      TestApp(), RtcParams(0u, RtcRole::kPublisher, 0, true), kAt, Compression::kCompatible);
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(InvalidFieldName(built.status()).has_value());
}

}  // namespace
}  // namespace agora_token
