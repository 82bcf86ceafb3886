// Expiry: the effective-expiry helpers of core/expiry.h and CheckExpiry on
// real 006 and 007 tokens (valid, token expired, one privilege expired while
// the token is still valid).
#include "core/expiry.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/token.h"
#include "gtest/gtest.h"
#include "tests/core/test_support.h"

namespace agora_token {
namespace {

using agora_token_test::Sorted;
using agora_token_test::TestApp;

using agora_token_test::kAt;
using agora_token_test::kIssueTs;

DecodedToken MustDecode(const absl::StatusOr<BuiltToken>& built) {
  if (!built.ok()) {
    ADD_FAILURE() << built.status();
    return {};
  }
  absl::StatusOr<DecodedToken> decoded = DecodeToken(built->token);
  if (!decoded.ok()) {
    ADD_FAILURE() << decoded.status();
    return {};
  }
  return *decoded;
}

TEST(EffectiveExpiryTest, Token006) {
  EXPECT_EQ(EffectiveExpiry006(0, 5000), 5000u);     // 0 = the token's
  EXPECT_EQ(EffectiveExpiry006(4999, 5000), 4999u);  // earlier stands
  EXPECT_EQ(EffectiveExpiry006(5000, 5000), 5000u);
  EXPECT_EQ(EffectiveExpiry006(5001, 5000), 5000u);  // later is capped
}

TEST(EffectiveExpiryTest, Token007) {
  EXPECT_EQ(EffectiveExpiry007(1000, 0, 4600), 4600u);
  EXPECT_EQ(EffectiveExpiry007(1000, 600, 4600), 1600u);
  EXPECT_EQ(EffectiveExpiry007(1000, 3600, 4600), 4600u);
  EXPECT_EQ(EffectiveExpiry007(1000, 3601, 4600), 4600u);
  EXPECT_EQ(EffectiveExpiry007(1000, UINT32_MAX, 4600), 4600u);  // no wrap-around
}

TEST(EffectiveExpiryTest, AddSecondsSaturates) {
  EXPECT_EQ(AddSeconds(1000, 600), 1600u);
  EXPECT_EQ(AddSeconds(UINT32_MAX - 10, 10), UINT32_MAX);
  EXPECT_EQ(AddSeconds(UINT32_MAX - 10, 11), UINT32_MAX);
  EXPECT_EQ(AddSeconds(UINT32_MAX, UINT32_MAX), UINT32_MAX);
}

// ---------------------------------------------------------------------------
// 007: a per-privilege RTC token with RTM; publish audio expires first.

class CheckExpiry007Test : public ::testing::Test {
 protected:
  static constexpr uint32_t kTokenExpire = 3600;
  static constexpr uint32_t kAudioExpire = 300;

  void SetUp() override {
    Rtc007Params params;
    params.channel_name = "expiry";
    params.user = uint32_t{42};
    params.token_expire = kTokenExpire;
    params.privilege_expires = RtcPrivilegeExpires{0, kAudioExpire, 7200, kTokenExpire};
    params.with_rtm = true;
    token_ = MustDecode(BuildRtcToken007(TestApp(), params, kAt, Compression::kCompatible));
  }

  const std::vector<PrivilegeExpiry> all_ = Sorted({
      {kServiceRtc, kRtcJoinChannel, kIssueTs + kTokenExpire},
      {kServiceRtc, kRtcPublishAudio, kIssueTs + kAudioExpire},
      {kServiceRtc, kRtcPublishVideo, kIssueTs + kTokenExpire},  // 7200 capped
      {kServiceRtc, kRtcPublishData, kIssueTs + kTokenExpire},
      {kServiceRtm, kRtmLogin, kIssueTs + kTokenExpire},
  });
  DecodedToken token_;
};

TEST_F(CheckExpiry007Test, ValidFromIssueUntilTheFirstPrivilegeEnds) {
  for (const uint32_t now : {kIssueTs - 10, kIssueTs, kIssueTs + kAudioExpire - 1}) {
    const ExpiryReport report = CheckExpiry(token_, now);
    EXPECT_EQ(report.state, ExpiryReport::State::kValid) << now;
    EXPECT_EQ(report.token_expire_ts, kIssueTs + kTokenExpire);
    EXPECT_EQ(Sorted(report.privileges), all_);
    EXPECT_TRUE(report.expired_privileges.empty());
  }
}

TEST_F(CheckExpiry007Test, OnePrivilegeExpiredWhileTheTokenIsValid) {
  for (const uint32_t now : {kIssueTs + kAudioExpire + 1, kIssueTs + kTokenExpire - 1}) {
    const ExpiryReport report = CheckExpiry(token_, now);
    EXPECT_EQ(report.state, ExpiryReport::State::kPrivilegeExpired) << now;
    EXPECT_EQ(report.token_expire_ts, kIssueTs + kTokenExpire);
    EXPECT_EQ(Sorted(report.privileges), all_);
    EXPECT_EQ(
        report.expired_privileges,
        (std::vector<PrivilegeExpiry>{{kServiceRtc, kRtcPublishAudio, kIssueTs + kAudioExpire}}));
  }
}

TEST_F(CheckExpiry007Test, TokenExpired) {
  for (const uint32_t now : {kIssueTs + kTokenExpire + 1, kIssueTs + 86400 * 2, UINT32_MAX}) {
    const ExpiryReport report = CheckExpiry(token_, now);
    EXPECT_EQ(report.state, ExpiryReport::State::kTokenExpired) << now;
    EXPECT_EQ(report.token_expire_ts, kIssueTs + kTokenExpire);
    // Token expiry is the whole story: privileges are not listed as expired.
    EXPECT_TRUE(report.expired_privileges.empty());
  }
}

// The expiry second itself. The brief says a token is expired when
// now > expire; the same boundary applies to privileges.
TEST_F(CheckExpiry007Test, ExpirySecondItselfIsStillValid) {
  EXPECT_EQ(CheckExpiry(token_, kIssueTs + kAudioExpire).state, ExpiryReport::State::kValid);
  EXPECT_EQ(CheckExpiry(token_, kIssueTs + kTokenExpire).state,
            ExpiryReport::State::kPrivilegeExpired);
}

TEST(CheckExpiryTest, Token007ZeroPrivilegeLastsAsLongAsTheToken) {
  const DecodedToken token = MustDecode(
      BuildChatToken007(TestApp(), "", 600, kAt, Compression::kFast));  // privilege = token
  const ExpiryReport report = CheckExpiry(token, kIssueTs + 599);
  EXPECT_EQ(report.state, ExpiryReport::State::kValid);
  ASSERT_EQ(report.privileges.size(), 1u);
  EXPECT_EQ(report.privileges[0].expire_ts, report.token_expire_ts);
  EXPECT_EQ(CheckExpiry(token, kIssueTs + 601).state, ExpiryReport::State::kTokenExpired);
}

// ---------------------------------------------------------------------------
// 006: absolute timestamps; the token's own ts is issue + 24 h.

TEST(CheckExpiry006Test, RtcPrivilegesExpireBeforeTheToken) {
  Rtc006Params params;
  params.channel_name = "expiry";
  params.user = uint32_t{42};
  params.privilege_expired_ts = kIssueTs + 600;
  const DecodedToken token = MustDecode(BuildRtcToken006(TestApp(), params, kAt));
  const uint32_t ts = kIssueTs + 86400;
  std::vector<PrivilegeExpiry> all;
  for (const uint16_t p : {k006JoinChannel, k006PublishAudio, k006PublishVideo, k006PublishData}) {
    all.push_back({0, p, kIssueTs + 600});
  }

  ExpiryReport report = CheckExpiry(token, kIssueTs);
  EXPECT_EQ(report.state, ExpiryReport::State::kValid);
  EXPECT_EQ(report.token_expire_ts, ts);
  EXPECT_EQ(Sorted(report.privileges), all);
  EXPECT_TRUE(report.expired_privileges.empty());

  report = CheckExpiry(token, kIssueTs + 601);
  EXPECT_EQ(report.state, ExpiryReport::State::kPrivilegeExpired);
  EXPECT_EQ(Sorted(report.expired_privileges), all);

  report = CheckExpiry(token, ts + 1);
  EXPECT_EQ(report.state, ExpiryReport::State::kTokenExpired);
  EXPECT_EQ(report.token_expire_ts, ts);
}

TEST(CheckExpiry006Test, RtmLoginExpiresBeforeTheToken) {
  const DecodedToken token = MustDecode(BuildRtmToken006(TestApp(), "u", kIssueTs + 60, kAt));
  const ExpiryReport report = CheckExpiry(token, kIssueTs + 61);
  EXPECT_EQ(report.state, ExpiryReport::State::kPrivilegeExpired);
  EXPECT_EQ(report.expired_privileges,
            (std::vector<PrivilegeExpiry>{{0, k006RtmLogin, kIssueTs + 60}}));
  EXPECT_EQ(CheckExpiry(token, kIssueTs + 59).state, ExpiryReport::State::kValid);
}

TEST(CheckExpiry006Test, ZeroAndLaterPrivilegesLastAsLongAsTheToken) {
  for (const uint32_t privilege_expired_ts : {0u, kIssueTs + 86400 + 1000}) {
    const DecodedToken token =
        MustDecode(BuildRtmToken006(TestApp(), "u", privilege_expired_ts, kAt));
    const ExpiryReport report = CheckExpiry(token, kIssueTs + 86400 - 1);
    EXPECT_EQ(report.state, ExpiryReport::State::kValid);
    ASSERT_EQ(report.privileges.size(), 1u);
    EXPECT_EQ(report.privileges[0].expire_ts, kIssueTs + 86400);
  }
}

TEST(CheckExpiry006Test, ExpirySecondItselfIsStillValid) {
  const DecodedToken token = MustDecode(BuildRtmToken006(TestApp(), "u", kIssueTs + 60, kAt));
  EXPECT_EQ(CheckExpiry(token, kIssueTs + 60).state, ExpiryReport::State::kValid);
}

TEST(ExpiryStateNameTest, NamesEveryStateDistinctly) {
  const std::string valid(ExpiryStateName(ExpiryReport::State::kValid));
  const std::string token(ExpiryStateName(ExpiryReport::State::kTokenExpired));
  const std::string privilege(ExpiryStateName(ExpiryReport::State::kPrivilegeExpired));
  EXPECT_FALSE(valid.empty());
  EXPECT_NE(valid, token);
  EXPECT_NE(valid, privilege);
  EXPECT_NE(token, privilege);
}

TEST(ServiceTypeNameTest, NamesEveryKnownTypeDistinctly) {
  std::vector<std::string> names;
  for (uint16_t type = kServiceRtc; type <= kServiceStt; ++type) {
    names.emplace_back(ServiceTypeName(type));
    EXPECT_NE(names.back(), "unknown") << type;
  }
  EXPECT_EQ(names.size(), 10u);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::unique(names.begin(), names.end()), names.end());
  EXPECT_EQ(ServiceTypeName(kServiceConvoAi), "convo_ai");
  EXPECT_EQ(ServiceTypeName(kServiceStt), "stt");
  EXPECT_EQ(ServiceTypeName(0), "unknown");
  EXPECT_EQ(ServiceTypeName(11), "unknown");
}

}  // namespace
}  // namespace agora_token
