// TokenHandlers called directly, with no gRPC at all: a keyring built from a
// proto, a KeyringStore and a fixed clock are all a handler needs.
#include "server/token_handlers.h"

#include <string>

#include "core/input_rules.h"
#include "gtest/gtest.h"
#include "tests/server/test_support.h"

namespace agora_token_server_test {
namespace {

namespace v1 = agora::token::v1;
using agora_token::InvalidFieldName;

std::shared_ptr<const agora_token::Keyring> KeyringOf(const char* app_id, const char* certificate) {
  v1::Keyring proto;
  v1::AppKey* app = proto.add_apps();
  app->set_app_id(app_id);
  app->mutable_primary_certificate()->set_value(certificate);
  absl::StatusOr<std::shared_ptr<const agora_token::Keyring>> keyring =
      agora_token::Keyring::FromProto(proto, ".");
  EXPECT_TRUE(keyring.ok()) << keyring.status();
  return keyring.ok() ? *keyring : nullptr;
}

class TokenHandlersTest : public ::testing::Test {
 protected:
  agora_token::HandlerOptions options_;
  const agora_token::FixedClock clock_{kNow};
  agora_token::KeyringStore keyring_{KeyringOf(kInlineAppId, kInlineCertificate)};
};

TEST_F(TokenHandlersTest, BuildsWithTheConfiguredDefaultVersion) {
  options_.default_version = agora_token::TokenVersion::k006;
  const agora_token::TokenHandlers handlers(options_, &keyring_, &clock_);
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("room 1");
  request.set_uid(3);
  v1::BuildRtcTokenWithUidResponse response;
  ASSERT_TRUE(handlers.BuildRtcTokenWithUid(request, &response).ok());
  EXPECT_EQ(response.token_version(), v1::TOKEN_VERSION_006);
  const agora_token::Token006Subject subject =
      agora_token::Token006Subject::ForRtc("room 1", agora_token::RtcUser(uint32_t{3}));
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, &subject));
}

TEST_F(TokenHandlersTest, FieldErrorsAreAbslStatusesNamingTheField) {
  const agora_token::TokenHandlers handlers(options_, &keyring_, &clock_);
  v1::BuildRtcTokenWithAccountRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("room 1");
  v1::BuildRtcTokenWithAccountResponse response;
  const absl::Status status = handlers.BuildRtcTokenWithAccount(request, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InvalidFieldName(status), "account");
  EXPECT_TRUE(HasNoSecret(status));
  EXPECT_TRUE(response.token().empty());
}

TEST_F(TokenHandlersTest, BatchLimitComesFromOptions) {
  options_.max_batch_items = 2;
  const agora_token::TokenHandlers handlers(options_, &keyring_, &clock_);
  v1::BuildTokensRequest request;
  for (int i = 0; i < 3; ++i) {
    v1::BuildChatTokenRequest* chat = request.add_items()->mutable_chat();
    chat->set_app_id(kInlineAppId);
    chat->set_kind(v1::CHAT_TOKEN_KIND_APP);
  }
  v1::BuildTokensResponse response;
  const absl::Status status = handlers.BuildTokens(request, &response);
  EXPECT_EQ(InvalidFieldName(status), "items");
  EXPECT_TRUE(HasNoSecret(status));
  EXPECT_NE(std::string(status.message()).find("1 to 2"), std::string::npos) << status;

  request.mutable_items()->RemoveLast();
  ASSERT_TRUE(handlers.BuildTokens(request, &response).ok());
  ASSERT_EQ(response.results_size(), 2);
  for (const v1::BuildTokensResult& result : response.results()) {
    EXPECT_TRUE(IssuedTokenChecks(result.token(), kInlineCertificate, nullptr));
  }
}

TEST_F(TokenHandlersTest, CancelledBatchStops) {
  const agora_token::TokenHandlers handlers(options_, &keyring_, &clock_);
  v1::BuildTokensRequest request;
  v1::BuildChatTokenRequest* chat = request.add_items()->mutable_chat();
  chat->set_app_id(kInlineAppId);
  chat->set_kind(v1::CHAT_TOKEN_KIND_APP);
  v1::BuildTokensResponse response;
  int polls = 0;
  const absl::Status status = handlers.BuildTokens(request, &response, [&polls] {
    ++polls;
    return true;
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(HasNoSecret(status));
  EXPECT_GE(polls, 1);
  EXPECT_EQ(response.results_size(), 0);
}

TEST_F(TokenHandlersTest, SeesAKeyringSwap) {
  const agora_token::TokenHandlers handlers(options_, &keyring_, &clock_);
  v1::BuildChatTokenRequest request;
  request.set_app_id(kRotatingAppId);
  request.set_kind(v1::CHAT_TOKEN_KIND_APP);
  v1::BuildChatTokenResponse response;
  const absl::Status not_found = handlers.BuildChatToken(request, &response);
  EXPECT_EQ(not_found.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(HasNoSecret(not_found));

  keyring_.Set(KeyringOf(kRotatingAppId, kRotatingPrimary));
  ASSERT_TRUE(handlers.BuildChatToken(request, &response).ok());
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kRotatingPrimary, nullptr));

  // And decodes against the new keyring only.
  v1::DecodeTokenRequest decode;
  decode.set_token(response.token());
  v1::DecodeTokenResponse decoded;
  ASSERT_TRUE(handlers.DecodeToken(decode, &decoded).ok());
  EXPECT_EQ(decoded.signature(), v1::SIGNATURE_STATE_VALID);
  keyring_.Set(KeyringOf(kInlineAppId, kInlineCertificate));
  const absl::Status gone = handlers.DecodeToken(decode, &decoded);
  EXPECT_EQ(gone.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(HasNoSecret(gone));
  EXPECT_EQ(std::string(gone.message()).find(response.token()), std::string::npos);
}

}  // namespace
}  // namespace agora_token_server_test
