// VerifyToken: a VerifiedToken only for a token the key signed, for its own
// app (and, for 006, for the subject); one refusal for every mismatch. And
// Secret, which holds certificates and wipes them.
#include "core/verified_token.h"

#include <string>

#include "core/secret.h"
#include "gtest/gtest.h"
#include "tests/core/test_support.h"

namespace agora_token {
namespace {

using agora_token_test::kAppCertificate;
using agora_token_test::kAppId;
using agora_token_test::kOtherCertificate;
using agora_token_test::TestApp;

using agora_token_test::kAt;

AppKey Key(const std::string& app_id, const std::string& certificate) {
  absl::StatusOr<AppKey> key = AppKey::New({app_id, certificate});
  EXPECT_TRUE(key.ok()) << key.status();
  return *std::move(key);
}

TEST(VerifyTokenTest, A007TokenOfTheKeyVerifiesAndHandsOutItsClaims) {
  Rtc007Params params;
  params.channel_name = "room";
  params.user = uint32_t{42};
  params.token_expire = 600;
  absl::StatusOr<BuiltToken> built =
      BuildRtcToken007(TestApp(), params, kAt, Compression::kCompatible);
  ASSERT_TRUE(built.ok());
  absl::StatusOr<VerifiedToken> verified = VerifyToken(built->token, Key(kAppId, kAppCertificate));
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->version(), TokenVersion::k007);
  EXPECT_EQ(verified->app_id(), kAppId);
  EXPECT_EQ(verified->expire_ts(), kAt.issue_ts + 600);
  ASSERT_EQ(verified->services().size(), 1u);
  EXPECT_EQ(verified->services()[0].channel_name, "room");
  EXPECT_EQ(verified->services()[0].account, "42");
  EXPECT_EQ(verified->ExpiryAt(kAt.issue_ts + 601).state, ExpiryReport::State::kTokenExpired);
}

TEST(VerifyTokenTest, EveryMismatchIsTheSameRefusal) {
  Rtc007Params params;
  params.channel_name = "room";
  params.user = uint32_t{42};
  absl::StatusOr<BuiltToken> built =
      BuildRtcToken007(TestApp(), params, kAt, Compression::kCompatible);
  ASSERT_TRUE(built.ok());
  const absl::StatusOr<VerifiedToken> other_certificate =
      VerifyToken(built->token, Key(kAppId, kOtherCertificate));
  // Same certificate, but the token names another app than the key.
  const absl::StatusOr<VerifiedToken> other_app =
      VerifyToken(built->token, Key("0123456789abcdef0123456789abcdef", kAppCertificate));
  for (const auto* refused : {&other_certificate, &other_app}) {
    EXPECT_EQ(refused->status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(refused->status().message(), "token signature does not match");
  }
  const absl::StatusOr<VerifiedToken> malformed =
      VerifyToken("007xyz", Key(kAppId, kAppCertificate));
  EXPECT_EQ(malformed.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(VerifyTokenTest, A006TokenNeedsItsSubject) {
  Rtc006Params params;
  params.channel_name = "room";
  params.user = std::string("alice");
  absl::StatusOr<BuiltToken> built = BuildRtcToken006(TestApp(), params, kAt);
  ASSERT_TRUE(built.ok());
  const AppKey key = Key(kAppId, kAppCertificate);
  EXPECT_EQ(VerifyToken(built->token, key).status().code(), absl::StatusCode::kInvalidArgument);
  const Token006Subject right = Token006Subject::ForRtc("room", std::string("alice"));
  const Token006Subject wrong = Token006Subject::ForRtc("room", std::string("bob"));
  absl::StatusOr<VerifiedToken> verified = VerifyToken(built->token, key, &right);
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->expire_ts(), kAt.issue_ts + kMaxTokenLifetimeSeconds);
  EXPECT_EQ(VerifyToken(built->token, key, &wrong).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(SecretTest, HoldsItsValueAndLeavesMovedFromValuesEmpty) {
  Secret secret(kAppCertificate);
  EXPECT_EQ(secret.view(), kAppCertificate);
  Secret copy = secret;
  EXPECT_EQ(copy.view(), kAppCertificate);
  Secret moved = std::move(secret);
  EXPECT_EQ(moved.view(), kAppCertificate);
  EXPECT_TRUE(secret.view().empty());  // NOLINT(bugprone-use-after-move): the point
  copy = Secret(kOtherCertificate);
  EXPECT_EQ(copy.view(), kOtherCertificate);
  // The key built from it signs with it.
  EXPECT_EQ(Key(kAppId, kAppCertificate).app_certificate(), kAppCertificate);
}

}  // namespace
}  // namespace agora_token
