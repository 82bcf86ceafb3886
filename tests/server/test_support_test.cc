// The checks in test_support.h can fail: a test suite whose every assertion
// goes through them is only as strict as they are.
#include "tests/server/test_support.h"

#include <string>

#include "absl/strings/ascii.h"
#include "core/input_rules.h"
#include "gtest/gtest.h"
#include "server/grpc_status.h"

namespace agora_token_server_test {
namespace {

namespace v1 = agora::token::v1;

TEST(TestSupportTest, HasNoSecretCatchesEveryCertificateInAnyCase) {
  for (const std::string& certificate : AllCertificates()) {
    EXPECT_FALSE(HasNoSecret("x " + certificate + " y"));
    EXPECT_FALSE(HasNoSecret(absl::AsciiStrToUpper(certificate)));
    EXPECT_FALSE(HasNoSecret(grpc::Status(grpc::StatusCode::INTERNAL, "ok", certificate)));
    EXPECT_FALSE(HasNoSecret(absl::InternalError(certificate)));
  }
  EXPECT_TRUE(HasNoSecret(std::string(kInlineAppId) + kRotatingAppId));
}

TEST(TestSupportTest, IsInvalidFieldNeedsTheExactFieldAndDetails) {
  const grpc::Status status =
      agora_token::ToGrpcStatus(agora_token::InvalidField("channel_name", "bad"));
  EXPECT_TRUE(IsInvalidField(status, "channel_name"));
  EXPECT_FALSE(IsInvalidField(status, "channel"));
  EXPECT_FALSE(IsInvalidField(status, "account"));
  // Right code and message, but no details.
  EXPECT_FALSE(IsInvalidField(
      grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, status.error_message()), "channel_name"));
  EXPECT_FALSE(IsInvalidField(grpc::Status(grpc::StatusCode::NOT_FOUND, "x"), "channel_name"));
  // A leaked certificate fails it too.
  EXPECT_FALSE(IsInvalidField(
      agora_token::ToGrpcStatus(agora_token::InvalidField("channel_name", kInlineCertificate)),
      "channel_name"));
}

TEST(TestSupportTest, IssuedTokenChecksCatchesEveryMismatch) {
  const absl::StatusOr<agora_token::BuiltToken> built = agora_token::BuildChatToken007(
      agora_token::AppCredentials{kInlineAppId, kInlineCertificate}, "", 600,
      agora_token::Issuance{kNow, 77}, agora_token::Compression::kCompatible);
  ASSERT_TRUE(built.ok());
  v1::IssuedToken good;
  good.set_token(built->token);
  good.set_token_version(v1::TOKEN_VERSION_007);
  good.set_issue_ts(kNow);
  good.set_salt(77);
  good.set_expire_ts(kNow + 600);
  v1::PrivilegeExpiry* privilege = good.add_privilege_expiries();
  privilege->set_service(v1::SERVICE_TYPE_CHAT);
  privilege->set_privilege(2);
  privilege->set_expire_ts(kNow + 600);
  ASSERT_TRUE(IssuedTokenChecks(good, kInlineCertificate, nullptr));

  EXPECT_FALSE(IssuedTokenChecks(good, kForeignCertificate, nullptr));
  EXPECT_FALSE(IssuedTokenChecks(good, kInlineCertificate, nullptr, kNow + 1));
  v1::IssuedToken bad = good;
  bad.set_token_version(v1::TOKEN_VERSION_006);
  EXPECT_FALSE(IssuedTokenChecks(bad, kInlineCertificate, nullptr));
  bad = good;
  bad.set_salt(78);
  EXPECT_FALSE(IssuedTokenChecks(bad, kInlineCertificate, nullptr));
  bad = good;
  bad.set_expire_ts(kNow + 601);
  EXPECT_FALSE(IssuedTokenChecks(bad, kInlineCertificate, nullptr));
  bad = good;
  bad.mutable_privilege_expiries(0)->set_privilege(1);
  EXPECT_FALSE(IssuedTokenChecks(bad, kInlineCertificate, nullptr));
  bad = good;
  bad.add_privilege_expiries()->CopyFrom(good.privilege_expiries(0));
  EXPECT_FALSE(IssuedTokenChecks(bad, kInlineCertificate, nullptr));
  bad = good;
  bad.set_token(good.token().substr(0, good.token().size() - 4));
  EXPECT_FALSE(IssuedTokenChecks(bad, kInlineCertificate, nullptr));
}

}  // namespace
}  // namespace agora_token_server_test
