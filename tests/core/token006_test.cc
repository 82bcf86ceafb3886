// 006 (AccessToken) builders: every 006 vector of official.json and
// extra.json byte for byte, round trips through the decoder and verifier for
// every role and user form, and the privilege_expired_ts rules.
#include <ostream>
#include <string>
#include <vector>

#include "core/input_rules.h"
#include "core/token.h"
#include "gtest/gtest.h"
#include "tests/core/test_support.h"

namespace agora_token {
namespace {

using agora_token_test::Content006;
using agora_token_test::Crc32;
using agora_token_test::LoadVectors;
using agora_token_test::Sorted;
using agora_token_test::TestApp;
using agora_token_test::U16;
using agora_token_test::U32;
using agora_token_test::Vector;

using agora_token_test::kAt;
using agora_token_test::kIssueTs;
using agora_token_test::kSalt;
constexpr uint32_t kTokenTs = kIssueTs + kMaxTokenLifetimeSeconds;  // a 006 token's own ts

// The privileges an official 006 RTC builder grants a role: join always,
// publishing for every role but subscriber.
std::vector<uint16_t> Privileges006ForRole(RtcRole role) {
  if (role == RtcRole::kSubscriber) return {k006JoinChannel};
  return {k006JoinChannel, k006PublishAudio, k006PublishVideo, k006PublishData};
}

uint32_t Effective006(uint32_t privilege_expired_ts, uint32_t ts) {
  if (privilege_expired_ts == 0 || privilege_expired_ts > ts) return ts;
  return privilege_expired_ts;
}

// The message a 006 token signs: u32(salt) u32(ts) map16_32(privileges).
std::string Message006(uint32_t salt, uint32_t ts, const std::vector<uint16_t>& privileges,
                       uint32_t value) {
  std::string m = U32(salt) + U32(ts) + U16(static_cast<uint16_t>(privileges.size()));
  for (uint16_t p : privileges) m += U16(p) + U32(value);
  return m;
}

// ---------------------------------------------------------------------------
// Known-answer vectors.

struct Inputs006 {
  AppCredentials app;
  Issuance at;
  bool rtm = false;
  Rtc006Params rtc;
  std::string rtm_user;
  uint32_t privilege_expired_ts = 0;
  uint32_t ts = 0;
};

Inputs006 InputsOf(const Vector& vector) {
  const nlohmann::json& v = vector.fields;
  Inputs006 in;
  in.app = {v.at("app_id").get<std::string>(), v.at("app_certificate").get<std::string>()};
  in.ts = v.at("ts").get<uint32_t>();
  // A 006 vector's ts is the token's own timestamp: the issue time + 24 h.
  in.at = {in.ts - kMaxTokenLifetimeSeconds, v.at("salt").get<uint32_t>()};
  in.privilege_expired_ts = v.at("privilege_expire_ts").get<uint32_t>();
  if (vector.kind() == "rtm006") {
    in.rtm = true;
    in.rtm_user = v.at("account").get<std::string>();
    return in;
  }
  in.rtc.channel_name = v.at("channel_name").get<std::string>();
  if (v.contains("uid")) {
    in.rtc.user = v.at("uid").get<uint32_t>();
  } else {
    in.rtc.user = v.at("account").get<std::string>();
  }
  in.rtc.role = static_cast<RtcRole>(v.at("role").get<int>());
  in.rtc.privilege_expired_ts = in.privilege_expired_ts;
  return in;
}

absl::StatusOr<BuiltToken> Build(const Inputs006& in) {
  if (in.rtm) return BuildRtmToken006(in.app, in.rtm_user, in.privilege_expired_ts, in.at);
  return BuildRtcToken006(in.app, in.rtc, in.at);
}

Token006Subject SubjectOf(const Inputs006& in) {
  if (in.rtm) return Token006Subject::ForRtm(in.rtm_user);
  return Token006Subject::ForRtc(in.rtc.channel_name, in.rtc.user);
}

class Token006VectorTest : public ::testing::TestWithParam<Vector> {};

TEST_P(Token006VectorTest, BuildsTheOfficialTokenByteForByte) {
  const Inputs006 in = InputsOf(GetParam());
  absl::StatusOr<BuiltToken> built = Build(in);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->token, GetParam().fields.at("token").get<std::string>());
  EXPECT_EQ(built->version, TokenVersion::k006);
  EXPECT_EQ(built->issue_ts, in.at.issue_ts);
  EXPECT_EQ(built->salt, in.at.salt);
  EXPECT_EQ(built->expire_ts, in.ts);
}

TEST_P(Token006VectorTest, BuildsTheSameTokenFromAnAppKey) {
  const Inputs006 in = InputsOf(GetParam());
  absl::StatusOr<AppKey> key = AppKey::New(in.app);
  ASSERT_TRUE(key.ok()) << key.status();
  absl::StatusOr<BuiltToken> built =
      in.rtm ? BuildRtmToken006(*key, in.rtm_user, in.privilege_expired_ts, in.at)
             : BuildRtcToken006(*key, in.rtc, in.at);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->token, GetParam().fields.at("token").get<std::string>());
}

TEST_P(Token006VectorTest, DecodesAndVerifiesTheOfficialToken) {
  const Inputs006 in = InputsOf(GetParam());
  const std::string token = GetParam().fields.at("token").get<std::string>();
  absl::StatusOr<DecodedToken> decoded = DecodeToken(token);
  ASSERT_TRUE(decoded.ok()) << decoded.status();

  const Token006Subject subject = SubjectOf(in);
  const std::vector<uint16_t> privileges =
      in.rtm ? std::vector<uint16_t>{k006RtmLogin} : Privileges006ForRole(in.rtc.role);
  EXPECT_EQ(decoded->version, TokenVersion::k006);
  EXPECT_EQ(decoded->app_id, in.app.app_id);
  EXPECT_EQ(decoded->salt, in.at.salt);
  EXPECT_EQ(decoded->ts, in.ts);
  EXPECT_EQ(decoded->crc_channel_name, Crc32(subject.channel_name));
  EXPECT_EQ(decoded->crc_uid, Crc32(subject.uid_str));
  EXPECT_EQ(decoded->signature.size(), 32u);
  EXPECT_EQ(decoded->signed_bytes,
            Message006(in.at.salt, in.ts, privileges, in.privilege_expired_ts));
  // Re-serializing what was decoded gives back the token's exact content.
  EXPECT_EQ(agora_token_test::Make006Token(decoded->app_id, Content006(*decoded)), token);
  EXPECT_TRUE(VerifySignature(*decoded, in.app.app_certificate, &subject).ok());
}

INSTANTIATE_TEST_SUITE_P(Official, Token006VectorTest,
                         ::testing::ValuesIn(LoadVectors("official.json", "006")),
                         [](const auto& info) { return agora_token_test::VectorName(info.param); });
INSTANTIATE_TEST_SUITE_P(Extra, Token006VectorTest,
                         ::testing::ValuesIn(LoadVectors("extra.json", "006")),
                         [](const auto& info) { return agora_token_test::VectorName(info.param); });

// ---------------------------------------------------------------------------
// Round trips: build, decode, verify, check expiry; every field as given.

struct Rtc006Case {
  const char* name;
  RtcUser user;
  RtcRole role;
};

void PrintTo(const Rtc006Case& c, std::ostream* os) { *os << c.name; }

class Rtc006RoundTripTest : public ::testing::TestWithParam<Rtc006Case> {};

TEST_P(Rtc006RoundTripTest, DecodesToItsInputsAndVerifies) {
  Rtc006Params params;
  params.channel_name = "round trip #1";
  params.user = GetParam().user;
  params.role = GetParam().role;
  params.privilege_expired_ts = kIssueTs + 3600;

  absl::StatusOr<BuiltToken> built = BuildRtcToken006(TestApp(), params, kAt);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->version, TokenVersion::k006);
  EXPECT_EQ(built->expire_ts, kTokenTs);
  EXPECT_EQ(built->token.substr(0, 35), std::string("006") + agora_token_test::kAppId);

  absl::StatusOr<DecodedToken> decoded = DecodeToken(built->token);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  const std::string uid_str = UserAccountString(params.user);
  const std::vector<uint16_t> granted = Privileges006ForRole(params.role);
  EXPECT_EQ(decoded->version, TokenVersion::k006);
  EXPECT_EQ(decoded->app_id, agora_token_test::kAppId);
  EXPECT_EQ(decoded->salt, kSalt);
  EXPECT_EQ(decoded->ts, kTokenTs);
  EXPECT_EQ(decoded->crc_channel_name, Crc32(params.channel_name));
  EXPECT_EQ(decoded->crc_uid, Crc32(uid_str));
  EXPECT_EQ(decoded->signed_bytes,
            Message006(kSalt, kTokenTs, granted, params.privilege_expired_ts));
  ASSERT_EQ(decoded->privileges_006.size(), granted.size());
  std::vector<PrivilegeExpiry> expected_expiries;
  for (size_t i = 0; i < granted.size(); ++i) {
    EXPECT_EQ(decoded->privileges_006[i].privilege, granted[i]);
    EXPECT_EQ(decoded->privileges_006[i].value, params.privilege_expired_ts);
    expected_expiries.push_back({0, granted[i], params.privilege_expired_ts});
  }
  EXPECT_EQ(Sorted(built->privileges), expected_expiries);

  const Token006Subject subject = Token006Subject::ForRtc(params.channel_name, params.user);
  EXPECT_EQ(subject.uid_str, uid_str);
  EXPECT_TRUE(VerifySignature(*decoded, agora_token_test::kAppCertificate, &subject).ok());

  const ExpiryReport report = CheckExpiry(*decoded, kIssueTs);
  EXPECT_EQ(report.state, ExpiryReport::State::kValid);
  EXPECT_EQ(report.token_expire_ts, kTokenTs);
  EXPECT_EQ(Sorted(report.privileges), expected_expiries);
  EXPECT_TRUE(report.expired_privileges.empty());
}

INSTANTIATE_TEST_SUITE_P(
    AllUsersAndRoles, Rtc006RoundTripTest,
    ::testing::Values(Rtc006Case{"Uid", uint32_t{2882341273}, RtcRole::kPublisher},
                      Rtc006Case{"UidZero", uint32_t{0}, RtcRole::kPublisher},
                      Rtc006Case{"UidMax", uint32_t{4294967295}, RtcRole::kSubscriber},
                      Rtc006Case{"Account", std::string("alice.smith"), RtcRole::kPublisher},
                      Rtc006Case{"Attendee", uint32_t{7}, RtcRole::kAttendee},
                      Rtc006Case{"Publisher", uint32_t{7}, RtcRole::kPublisher},
                      Rtc006Case{"Subscriber", uint32_t{7}, RtcRole::kSubscriber},
                      Rtc006Case{"Admin", std::string("boss"), RtcRole::kAdmin}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Rtm006RoundTripTest, DecodesToItsInputsAndVerifies) {
  const std::string user_id = "rtm-user_7";
  absl::StatusOr<BuiltToken> built = BuildRtmToken006(TestApp(), user_id, kIssueTs + 60, kAt);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->expire_ts, kTokenTs);
  EXPECT_EQ(built->privileges, (std::vector<PrivilegeExpiry>{{0, k006RtmLogin, kIssueTs + 60}}));

  absl::StatusOr<DecodedToken> decoded = DecodeToken(built->token);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->app_id, agora_token_test::kAppId);
  EXPECT_EQ(decoded->salt, kSalt);
  EXPECT_EQ(decoded->ts, kTokenTs);
  // RTM signs the user id in the channel's place and an empty uid.
  EXPECT_EQ(decoded->crc_channel_name, Crc32(user_id));
  EXPECT_EQ(decoded->crc_uid, Crc32(""));
  EXPECT_EQ(decoded->signed_bytes, Message006(kSalt, kTokenTs, {k006RtmLogin}, kIssueTs + 60));

  const Token006Subject subject = Token006Subject::ForRtm(user_id);
  EXPECT_EQ(subject.channel_name, user_id);
  EXPECT_EQ(subject.uid_str, "");
  EXPECT_TRUE(VerifySignature(*decoded, agora_token_test::kAppCertificate, &subject).ok());

  const ExpiryReport report = CheckExpiry(*decoded, kIssueTs);
  EXPECT_EQ(report.state, ExpiryReport::State::kValid);
  EXPECT_EQ(report.token_expire_ts, kTokenTs);
  EXPECT_EQ(report.privileges, built->privileges);
}

// ---------------------------------------------------------------------------
// privilege_expired_ts: 0 means the token's ts, a later value is capped at
// ts (but encoded as given, as the official builders do), an earlier one
// stands.

struct PrivilegeExpiryCase {
  const char* name;
  uint32_t privilege_expired_ts;
  uint32_t effective;
};

void PrintTo(const PrivilegeExpiryCase& c, std::ostream* os) { *os << c.name; }

class Token006PrivilegeExpiryTest : public ::testing::TestWithParam<PrivilegeExpiryCase> {};

TEST_P(Token006PrivilegeExpiryTest, RtcEncodesAsGivenAndReportsTheEffectiveExpiry) {
  Rtc006Params params;
  params.channel_name = "expiry";
  params.user = uint32_t{5};
  params.privilege_expired_ts = GetParam().privilege_expired_ts;
  absl::StatusOr<BuiltToken> built = BuildRtcToken006(TestApp(), params, kAt);
  ASSERT_TRUE(built.ok()) << built.status();
  ASSERT_EQ(built->privileges.size(), 4u);
  for (const PrivilegeExpiry& p : built->privileges) {
    EXPECT_EQ(p.expire_ts, GetParam().effective) << "privilege " << p.privilege;
    EXPECT_EQ(p.expire_ts, Effective006(GetParam().privilege_expired_ts, kTokenTs));
  }

  absl::StatusOr<DecodedToken> decoded = DecodeToken(built->token);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  for (const PrivilegeValue& p : decoded->privileges_006) {
    EXPECT_EQ(p.value, GetParam().privilege_expired_ts);
  }
  const ExpiryReport report = CheckExpiry(*decoded, kIssueTs);
  EXPECT_EQ(Sorted(report.privileges), Sorted(built->privileges));
}

TEST_P(Token006PrivilegeExpiryTest, RtmEncodesAsGivenAndReportsTheEffectiveExpiry) {
  absl::StatusOr<BuiltToken> built =
      BuildRtmToken006(TestApp(), "user", GetParam().privilege_expired_ts, kAt);
  ASSERT_TRUE(built.ok()) << built.status();
  ASSERT_EQ(built->privileges.size(), 1u);
  EXPECT_EQ(built->privileges[0].expire_ts, GetParam().effective);

  absl::StatusOr<DecodedToken> decoded = DecodeToken(built->token);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->privileges_006.size(), 1u);
  EXPECT_EQ(decoded->privileges_006[0].value, GetParam().privilege_expired_ts);
  EXPECT_EQ(CheckExpiry(*decoded, kIssueTs).privileges, built->privileges);
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, Token006PrivilegeExpiryTest,
    ::testing::Values(PrivilegeExpiryCase{"ZeroMeansTheToken", 0, kTokenTs},
                      PrivilegeExpiryCase{"JustAfterIssue", kIssueTs + 1, kIssueTs + 1},
                      PrivilegeExpiryCase{"EarlierStands", kIssueTs + 600, kIssueTs + 600},
                      PrivilegeExpiryCase{"OneBeforeTheToken", kTokenTs - 1, kTokenTs - 1},
                      PrivilegeExpiryCase{"EqualToTheToken", kTokenTs, kTokenTs},
                      PrivilegeExpiryCase{"OneAfterTheTokenIsCapped", kTokenTs + 1, kTokenTs},
                      PrivilegeExpiryCase{"FarLaterIsCapped", 4000000000u, kTokenTs}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Token006Test, TokenTimestampIsIssueTimePlus24Hours) {
  for (const uint32_t issue_ts : {1u, 1111111u, kIssueTs}) {
    absl::StatusOr<BuiltToken> built = BuildRtmToken006(TestApp(), "u", 0, {issue_ts, 1});
    ASSERT_TRUE(built.ok()) << built.status();
    EXPECT_EQ(built->expire_ts, issue_ts + 86400);
    absl::StatusOr<DecodedToken> decoded = DecodeToken(built->token);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->ts, issue_ts + 86400);
  }
}

TEST(Token006Test, SaltIsSignedSoDifferentSaltsGiveDifferentTokens) {
  Rtc006Params params;
  params.channel_name = "c";
  absl::StatusOr<BuiltToken> a = BuildRtcToken006(TestApp(), params, {kIssueTs, 1});
  absl::StatusOr<BuiltToken> b = BuildRtcToken006(TestApp(), params, {kIssueTs, 2});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->token, b->token);
  EXPECT_NE(DecodeToken(a->token)->signature, DecodeToken(b->token)->signature);
}

}  // namespace
}  // namespace agora_token
