// The handlers called directly, with no transport at all: a ServingState
// (a keyring built from a proto, the open caller directory, no audit log)
// and a fixed clock are all a handler needs.
#include "server/build_handlers.h"

#include <string>

#include "core/input_rules.h"
#include "gtest/gtest.h"
#include "server/decode_handler.h"
#include "tests/server/test_support.h"

namespace agora_token_server_test {
namespace {

namespace v1 = agora::token::v1;
using agora_token::InvalidFieldName;

class TokenHandlersTest : public ::testing::Test {
 protected:
  // A call of the development caller against `state`, cancelled when
  // `cancelled` says so.
  struct TestCall {
    TestCall(const TokenHandlersTest& test, std::shared_ptr<const agora_token::ServingState> state,
             std::function<bool()> cancelled = nullptr)
        : state(std::move(state)),
          cancelled(std::move(cancelled)),
          call{*this->state,
               *this->state->callers().Authenticate(credentials, nullptr, kNow).value(),
               credentials,
               agora_token::RpcMethod::kBuildTokens,
               std::chrono::steady_clock::now(),
               test.clock_,
               metrics,
               this->cancelled} {}
    std::shared_ptr<const agora_token::ServingState> state;
    std::function<bool()> cancelled;
    agora_token::CallCredentials credentials;
    agora_token::Metrics metrics;
    agora_token::Call call;
  };

  std::shared_ptr<const agora_token::ServingState> State() const {
    return StateOf(KeyringOf(kInlineAppId, kInlineCertificate), options_);
  }

  agora_token::HandlerOptions options_;
  const agora_token::FixedClock clock_{kNow};
};

TEST_F(TokenHandlersTest, BuildsWithTheConfiguredDefaultVersion) {
  options_.default_version = agora_token::TokenVersion::k006;
  const TestCall test(*this, State());
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("room 1");
  request.set_uid(3);
  v1::BuildRtcTokenWithUidResponse response;
  ASSERT_TRUE(agora_token::BuildRtcTokenWithUid(test.call, request, &response).ok());
  EXPECT_EQ(response.token_version(), v1::TOKEN_VERSION_006);
  const agora_token::Token006Subject subject =
      agora_token::Token006Subject::ForRtc("room 1", agora_token::RtcUser(uint32_t{3}));
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, &subject));
}

TEST_F(TokenHandlersTest, FieldErrorsAreAbslStatusesNamingTheField) {
  const TestCall test(*this, State());
  v1::BuildRtcTokenWithAccountRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("room 1");
  v1::BuildRtcTokenWithAccountResponse response;
  const absl::Status status = agora_token::BuildRtcTokenWithAccount(test.call, request, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InvalidFieldName(status), "account");
  EXPECT_TRUE(HasNoSecret(status));
  EXPECT_TRUE(response.token().empty());
}

TEST_F(TokenHandlersTest, BatchLimitComesFromOptions) {
  options_.max_batch_items = 2;
  const TestCall test(*this, State());
  v1::BuildTokensRequest request;
  for (int i = 0; i < 3; ++i) {
    v1::BuildChatTokenRequest* chat = request.add_items()->mutable_chat();
    chat->set_app_id(kInlineAppId);
    chat->set_kind(v1::CHAT_TOKEN_KIND_APP);
  }
  v1::BuildTokensResponse response;
  const absl::Status status = agora_token::BuildTokens(test.call, request, &response);
  EXPECT_EQ(InvalidFieldName(status), "items");
  EXPECT_TRUE(HasNoSecret(status));
  EXPECT_NE(std::string(status.message()).find("1 to 2"), std::string::npos) << status;

  request.mutable_items()->RemoveLast();
  ASSERT_TRUE(agora_token::BuildTokens(test.call, request, &response).ok());
  ASSERT_EQ(response.results_size(), 2);
  for (const v1::BuildTokensResult& result : response.results()) {
    EXPECT_TRUE(IssuedTokenChecks(result.token(), kInlineCertificate, nullptr));
  }
}

TEST_F(TokenHandlersTest, CancelledBatchStops) {
  int polls = 0;
  const TestCall test(*this, State(), [&polls] {
    ++polls;
    return true;
  });
  v1::BuildTokensRequest request;
  v1::BuildChatTokenRequest* chat = request.add_items()->mutable_chat();
  chat->set_app_id(kInlineAppId);
  chat->set_kind(v1::CHAT_TOKEN_KIND_APP);
  v1::BuildTokensResponse response;
  const absl::Status status = agora_token::BuildTokens(test.call, request, &response);
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(HasNoSecret(status));
  EXPECT_GE(polls, 1);
  EXPECT_EQ(response.results_size(), 0);
}

// A call uses the one snapshot it was given; the next call sees the next.
TEST_F(TokenHandlersTest, EachCallUsesItsOwnSnapshot) {
  const TestCall before(*this, State());
  v1::BuildChatTokenRequest request;
  request.set_app_id(kRotatingAppId);
  request.set_kind(v1::CHAT_TOKEN_KIND_APP);
  v1::BuildChatTokenResponse response;
  const absl::Status not_found = agora_token::BuildChatToken(before.call, request, &response);
  EXPECT_EQ(not_found.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(HasNoSecret(not_found));

  const TestCall after(*this, StateOf(KeyringOf(kRotatingAppId, kRotatingPrimary), options_));
  ASSERT_TRUE(agora_token::BuildChatToken(after.call, request, &response).ok());
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kRotatingPrimary, nullptr));
  // The earlier snapshot still answers as it did.
  EXPECT_EQ(agora_token::BuildChatToken(before.call, request, &response).code(),
            absl::StatusCode::kNotFound);

  // And decodes against its own keyring only.
  v1::DecodeTokenRequest decode;
  decode.set_token(response.token());
  v1::DecodeTokenResponse decoded;
  ASSERT_TRUE(agora_token::DecodeToken(after.call, decode, &decoded).ok());
  EXPECT_EQ(decoded.signature(), v1::SIGNATURE_STATE_VALID);
  const absl::Status gone = agora_token::DecodeToken(before.call, decode, &decoded);
  EXPECT_EQ(gone.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(HasNoSecret(gone));
  EXPECT_EQ(std::string(gone.message()).find(response.token()), std::string::npos);
}

}  // namespace
}  // namespace agora_token_server_test
