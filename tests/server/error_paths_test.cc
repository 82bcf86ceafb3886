// Every error the token service returns, read as a client reads it: the code,
// and for field problems a google.rpc.Status in grpc-status-details-bin with
// a google.rpc.BadRequest naming the exact request field. Each check also
// asserts that no test certificate appears in the message or details.
#include <string>

#include "gtest/gtest.h"
#include "tests/server/test_support.h"

namespace agora_token_server_test {
namespace {

namespace v1 = agora::token::v1;
using agora_token::RtcUser;
using agora_token::Token006Subject;

class ErrorPathTest : public ServerTest {
 protected:
  grpc::Status Call(const v1::BuildRtcTokenWithUidRequest& request) {
    v1::BuildRtcTokenWithUidResponse response;
    grpc::ClientContext context;
    grpc::Status status = stub().BuildRtcTokenWithUid(&context, request, &response);
    // A failed call returns no token; a successful one a good token.
    EXPECT_TRUE(status.ok() || response.token().empty());
    if (status.ok()) {
      const Token006Subject subject =
          Token006Subject::ForRtc(request.channel_name(), RtcUser(request.uid()));
      EXPECT_TRUE(
          IssuedTokenChecks(AsIssued(response), SigningCertificateOf(request.app_id()), &subject));
    }
    return status;
  }
  grpc::Status Call(const v1::BuildRtcTokenWithAccountRequest& request) {
    v1::BuildRtcTokenWithAccountResponse response;
    grpc::ClientContext context;
    grpc::Status status = stub().BuildRtcTokenWithAccount(&context, request, &response);
    EXPECT_TRUE(status.ok() || response.token().empty());
    if (status.ok()) {
      const Token006Subject subject =
          Token006Subject::ForRtc(request.channel_name(), RtcUser(request.account()));
      EXPECT_TRUE(
          IssuedTokenChecks(AsIssued(response), SigningCertificateOf(request.app_id()), &subject));
    }
    return status;
  }
  grpc::Status Call(const v1::BuildRtmTokenRequest& request) {
    v1::BuildRtmTokenResponse response;
    grpc::ClientContext context;
    grpc::Status status = stub().BuildRtmToken(&context, request, &response);
    EXPECT_TRUE(status.ok() || response.token().empty());
    if (status.ok()) {
      const Token006Subject subject = Token006Subject::ForRtm(request.user_id());
      EXPECT_TRUE(
          IssuedTokenChecks(AsIssued(response), SigningCertificateOf(request.app_id()), &subject));
    }
    return status;
  }
  grpc::Status Call(const v1::BuildChatTokenRequest& request) {
    v1::BuildChatTokenResponse response;
    grpc::ClientContext context;
    grpc::Status status = stub().BuildChatToken(&context, request, &response);
    EXPECT_TRUE(status.ok() || response.token().empty());
    if (status.ok()) {
      EXPECT_TRUE(
          IssuedTokenChecks(AsIssued(response), SigningCertificateOf(request.app_id()), nullptr));
    }
    return status;
  }
  grpc::Status Call(const v1::BuildTokensRequest& request) {
    v1::BuildTokensResponse response;
    grpc::ClientContext context;
    grpc::Status status = stub().BuildTokens(&context, request, &response);
    EXPECT_TRUE(status.ok() || response.results().empty());
    return status;
  }
  grpc::Status Call(const v1::DecodeTokenRequest& request) {
    v1::DecodeTokenResponse response;
    grpc::ClientContext context;
    return stub().DecodeToken(&context, request, &response);
  }

  // A valid request each test breaks one field of.
  static v1::BuildRtcTokenWithUidRequest GoodUid() {
    v1::BuildRtcTokenWithUidRequest request;
    request.set_app_id(kInlineAppId);
    request.set_channel_name("room 1");
    request.set_uid(1);
    return request;
  }
  static v1::BuildRtcTokenWithAccountRequest GoodAccount() {
    v1::BuildRtcTokenWithAccountRequest request;
    request.set_app_id(kRotatingAppId);
    request.set_channel_name("room 1");
    request.set_account("alice");
    return request;
  }
  static v1::BuildRtmTokenRequest GoodRtm() {
    v1::BuildRtmTokenRequest request;
    request.set_app_id(kInlineAppId);
    request.set_user_id("alice");
    return request;
  }
  static v1::BuildChatTokenRequest GoodChat() {
    v1::BuildChatTokenRequest request;
    request.set_app_id(kInlineAppId);
    request.set_kind(v1::CHAT_TOKEN_KIND_USER);
    request.set_user_id("alice");
    return request;
  }
};

TEST_F(ErrorPathTest, GoodRequestsSucceed) {
  // The baseline each test below breaks: without it a test could pass
  // because the request was bad in some other way.
  EXPECT_TRUE(Call(GoodUid()).ok());
  EXPECT_TRUE(Call(GoodAccount()).ok());
  EXPECT_TRUE(Call(GoodRtm()).ok());
  EXPECT_TRUE(Call(GoodChat()).ok());
}

TEST_F(ErrorPathTest, ChannelName) {
  v1::BuildRtcTokenWithUidRequest request = GoodUid();
  request.set_channel_name("room*1");
  EXPECT_TRUE(IsInvalidField(Call(request), "channel_name"));
  request.set_channel_name(std::string(65, 'a'));
  EXPECT_TRUE(IsInvalidField(Call(request), "channel_name"));
  request.set_channel_name(std::string(64, 'a'));
  EXPECT_TRUE(Call(request).ok());
  request.set_channel_name("");
  EXPECT_TRUE(IsInvalidField(Call(request), "channel_name"));
  // The same rules for 006.
  request.set_token_version(v1::TOKEN_VERSION_006);
  request.set_channel_name("room*1");
  EXPECT_TRUE(IsInvalidField(Call(request), "channel_name"));

  v1::BuildRtcTokenWithAccountRequest account = GoodAccount();
  account.set_channel_name("room/1");
  EXPECT_TRUE(IsInvalidField(Call(account), "channel_name"));
}

TEST_F(ErrorPathTest, Account) {
  v1::BuildRtcTokenWithAccountRequest request = GoodAccount();
  request.set_account("");
  EXPECT_TRUE(IsInvalidField(Call(request), "account"));
  request.set_account(std::string(256, 'a'));
  EXPECT_TRUE(IsInvalidField(Call(request), "account"));
  request.set_account("tab\there");
  EXPECT_TRUE(IsInvalidField(Call(request), "account"));
  request.set_account("");
  request.set_token_version(v1::TOKEN_VERSION_006);
  EXPECT_TRUE(IsInvalidField(Call(request), "account"));
}

TEST_F(ErrorPathTest, AppId) {
  v1::BuildRtcTokenWithUidRequest request = GoodUid();
  request.set_app_id("");
  EXPECT_TRUE(IsInvalidField(Call(request), "app_id"));
  request.set_app_id(std::string(kInlineAppId).substr(1));  // 31 characters
  EXPECT_TRUE(IsInvalidField(Call(request), "app_id"));
  request.set_app_id("0123456789abcdef0123456789abcdeg");  // not hex
  EXPECT_TRUE(IsInvalidField(Call(request), "app_id"));
}

TEST_F(ErrorPathTest, UnknownEnumNumbers) {
  v1::BuildRtcTokenWithUidRequest request = GoodUid();
  request.set_role(static_cast<v1::Role>(7));
  EXPECT_TRUE(IsInvalidField(Call(request), "role"));
  request.set_token_version(v1::TOKEN_VERSION_006);
  EXPECT_TRUE(IsInvalidField(Call(request), "role"));

  request = GoodUid();
  request.set_token_version(static_cast<v1::TokenVersion>(9));
  EXPECT_TRUE(IsInvalidField(Call(request), "token_version"));

  v1::BuildRtmTokenRequest rtm = GoodRtm();
  rtm.set_token_version(static_cast<v1::TokenVersion>(9));
  EXPECT_TRUE(IsInvalidField(Call(rtm), "token_version"));

  v1::BuildChatTokenRequest chat = GoodChat();
  chat.set_kind(static_cast<v1::ChatTokenKind>(7));
  EXPECT_TRUE(IsInvalidField(Call(chat), "kind"));
}

TEST_F(ErrorPathTest, Fields007OnlyWith006) {
  v1::BuildRtcTokenWithUidRequest request = GoodUid();
  request.set_token_version(v1::TOKEN_VERSION_006);
  request.set_token_expire_seconds(600);
  EXPECT_TRUE(IsInvalidField(Call(request), "token_expire_seconds"));

  request = GoodUid();
  request.set_token_version(v1::TOKEN_VERSION_006);
  request.mutable_privilege_expires()->set_join_channel_privilege_expire(600);
  EXPECT_TRUE(IsInvalidField(Call(request), "privilege_expires"));

  request = GoodUid();
  request.set_token_version(v1::TOKEN_VERSION_006);
  request.set_with_rtm(true);
  EXPECT_TRUE(IsInvalidField(Call(request), "with_rtm"));

  v1::BuildRtmTokenRequest rtm = GoodRtm();
  rtm.set_token_version(v1::TOKEN_VERSION_006);
  rtm.set_token_expire_seconds(600);
  EXPECT_TRUE(IsInvalidField(Call(rtm), "token_expire_seconds"));
  // And the other way round.
  rtm = GoodRtm();
  rtm.set_token_version(v1::TOKEN_VERSION_007);
  rtm.set_privilege_expired_ts(kNow + 600);
  EXPECT_TRUE(IsInvalidField(Call(rtm), "privilege_expired_ts"));
}

TEST_F(ErrorPathTest, PerPrivilegeFormExcludesRoleAndPrivilegeExpiredTs) {
  v1::BuildRtcTokenWithUidRequest request = GoodUid();
  request.mutable_privilege_expires()->set_join_channel_privilege_expire(600);
  ASSERT_TRUE(Call(request).ok());
  request.set_role(v1::ROLE_SUBSCRIBER);
  EXPECT_TRUE(IsInvalidField(Call(request), "role"));
  request.set_role(v1::ROLE_PUBLISHER);
  EXPECT_TRUE(IsInvalidField(Call(request), "role"));

  request.clear_role();
  request.set_privilege_expired_ts(kNow + 600);
  EXPECT_TRUE(IsInvalidField(Call(request), "privilege_expired_ts"));

  v1::BuildRtcTokenWithAccountRequest account = GoodAccount();
  account.mutable_privilege_expires();  // set, even with every value 0
  account.set_role(v1::ROLE_SUBSCRIBER);
  EXPECT_TRUE(IsInvalidField(Call(account), "role"));
}

TEST_F(ErrorPathTest, PrivilegeExpiredTsInThePast) {
  v1::BuildRtcTokenWithUidRequest request = GoodUid();
  request.set_privilege_expired_ts(kNow);
  EXPECT_TRUE(IsInvalidField(Call(request), "privilege_expired_ts"));
  request.set_token_version(v1::TOKEN_VERSION_006);
  EXPECT_TRUE(IsInvalidField(Call(request), "privilege_expired_ts"));
  request.set_privilege_expired_ts(kNow + 1);
  EXPECT_TRUE(Call(request).ok());

  v1::BuildRtmTokenRequest rtm = GoodRtm();
  rtm.set_token_version(v1::TOKEN_VERSION_006);
  rtm.set_privilege_expired_ts(kNow - 1);
  EXPECT_TRUE(IsInvalidField(Call(rtm), "privilege_expired_ts"));
}

TEST_F(ErrorPathTest, WithRtmNeedsAUser) {
  v1::BuildRtcTokenWithUidRequest request = GoodUid();
  request.set_uid(0);
  request.set_with_rtm(true);
  EXPECT_TRUE(IsInvalidField(Call(request), "with_rtm"));
}

TEST_F(ErrorPathTest, RtmUserId) {
  v1::BuildRtmTokenRequest request = GoodRtm();
  request.set_user_id("");
  EXPECT_TRUE(IsInvalidField(Call(request), "user_id"));
  request.set_token_version(v1::TOKEN_VERSION_006);
  EXPECT_TRUE(IsInvalidField(Call(request), "user_id"));
  request.set_user_id(std::string(256, 'u'));
  EXPECT_TRUE(IsInvalidField(Call(request), "user_id"));
}

TEST_F(ErrorPathTest, ChatKindAndUserId) {
  v1::BuildChatTokenRequest request = GoodChat();
  request.clear_kind();
  EXPECT_TRUE(IsInvalidField(Call(request), "kind"));
  request.set_kind(v1::CHAT_TOKEN_KIND_APP);  // with a user id
  EXPECT_TRUE(IsInvalidField(Call(request), "user_id"));
  request.set_kind(v1::CHAT_TOKEN_KIND_USER);
  request.clear_user_id();
  EXPECT_TRUE(IsInvalidField(Call(request), "user_id"));
  request.set_user_id("a*b");
  EXPECT_TRUE(IsInvalidField(Call(request), "user_id"));
}

TEST_F(ErrorPathTest, UnknownAppIsNotFoundAndRevealsNoOtherApp) {
  std::vector<grpc::Status> errors;
  v1::BuildRtcTokenWithUidRequest uid = GoodUid();
  uid.set_app_id(kUnknownAppId);
  errors.push_back(Call(uid));
  v1::BuildRtcTokenWithAccountRequest account = GoodAccount();
  account.set_app_id(kUnknownAppId);
  errors.push_back(Call(account));
  v1::BuildRtmTokenRequest rtm = GoodRtm();
  rtm.set_app_id(kUnknownAppId);
  errors.push_back(Call(rtm));
  v1::BuildChatTokenRequest chat = GoodChat();
  chat.set_app_id(kUnknownAppId);
  errors.push_back(Call(chat));

  for (const grpc::Status& status : errors) {
    EXPECT_TRUE(HasCode(status, grpc::StatusCode::NOT_FOUND));
    for (const std::string& app : {std::string(kInlineAppId), std::string(kRotatingAppId)}) {
      EXPECT_EQ(status.error_message().find(app), std::string::npos) << status.error_message();
      EXPECT_EQ(status.error_details().find(app), std::string::npos);
    }
  }
}

TEST_F(ErrorPathTest, BatchSizeOutOfRange) {
  v1::BuildTokensRequest empty;
  EXPECT_TRUE(IsInvalidField(Call(empty), "items"));

  v1::BuildTokensRequest too_many;
  for (int i = 0; i < 1001; ++i) *too_many.add_items()->mutable_rtm() = GoodRtm();
  EXPECT_TRUE(IsInvalidField(Call(too_many), "items"));
  too_many.mutable_items()->RemoveLast();  // 1000 is allowed
  v1::BuildTokensResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildTokens(&context, too_many, &response).ok());
  ASSERT_EQ(response.results_size(), 1000);
  for (const v1::BuildTokensResult& result : response.results()) {
    ASSERT_TRUE(result.has_token());
    EXPECT_TRUE(IssuedTokenChecks(result.token(), kInlineCertificate, nullptr));
  }
}

TEST_F(ErrorPathTest, DecodeGarbageNamesTokenAndNeverEchoesIt) {
  // A real token to take apart, plus inputs of every broken shape.
  v1::BuildRtcTokenWithUidResponse built;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub().BuildRtcTokenWithUid(&context, GoodUid(), &built).ok());
  }
  ASSERT_TRUE(IssuedTokenChecks(AsIssued(built), kInlineCertificate, nullptr));
  const std::string real = built.token();
  const std::vector<std::string> garbage = {
      "thisisnotatokenatallXYZZY",
      "007NotBase64!!!NotBase64!!!NotBase64",
      "006" + std::string(kInlineAppId) + "IAAAAGarbageGarbage",
      real.substr(0, real.size() / 2),  // truncated
      real + "AAAA",                    // trailing bytes
      "008" + real.substr(3),           // unknown version
      std::string(agora_token::kMaxTokenLength + 1, 'A'),
      "",
  };
  for (const std::string& token : garbage) {
    v1::DecodeTokenRequest request;
    request.set_token(token);
    const grpc::Status status = Call(request);
    EXPECT_TRUE(IsInvalidField(status, "token")) << "input of " << token.size() << " bytes";
    if (token.size() >= 8) {
      // Not even a piece of the token: any 16 characters of it would do.
      for (size_t at = 0; at + 16 <= token.size(); at += 8) {
        const std::string piece = token.substr(at, 16);
        EXPECT_EQ(status.error_message().find(piece), std::string::npos) << status.error_message();
        EXPECT_EQ(status.error_details().find(piece), std::string::npos);
      }
    }
  }
}

TEST_F(ErrorPathTest, DecodeSubjectFields) {
  v1::BuildRtcTokenWithUidResponse built;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub().BuildRtcTokenWithUid(&context, GoodUid(), &built).ok());
  }
  ASSERT_TRUE(IssuedTokenChecks(AsIssued(built), kInlineCertificate, nullptr));
  v1::DecodeTokenRequest request;
  request.set_token(built.token());
  request.set_channel_name("room 1");  // without a subject
  EXPECT_TRUE(IsInvalidField(Call(request), "channel_name"));
  request.set_rtm_user_id("alice");  // RTM tokens have no channel
  EXPECT_TRUE(IsInvalidField(Call(request), "channel_name"));
}

TEST_F(ErrorPathTest, Decode006SubjectSizes) {
  v1::BuildRtcTokenWithUidRequest build = GoodUid();
  build.set_token_version(v1::TOKEN_VERSION_006);
  v1::BuildRtcTokenWithUidResponse built;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub().BuildRtcTokenWithUid(&context, build, &built).ok());
  }
  const Token006Subject subject = Token006Subject::ForRtc("room 1", RtcUser(uint32_t{1}));
  ASSERT_TRUE(IssuedTokenChecks(AsIssued(built), kInlineCertificate, &subject));
  v1::DecodeTokenRequest request;
  request.set_token(built.token());
  request.set_uid(1);  // with no channel: the contract wants 1 to 64 bytes
  EXPECT_TRUE(IsInvalidField(Call(request), "channel_name"));
  request.set_channel_name(std::string(65, 'c'));
  EXPECT_TRUE(IsInvalidField(Call(request), "channel_name"));
  request.set_channel_name("room 1");
  request.set_account("");
  EXPECT_TRUE(IsInvalidField(Call(request), "account"));
  request.set_account(std::string(256, 'a'));
  EXPECT_TRUE(IsInvalidField(Call(request), "account"));
  request.clear_channel_name();
  request.set_rtm_user_id("");
  EXPECT_TRUE(IsInvalidField(Call(request), "rtm_user_id"));
  request.set_rtm_user_id(std::string(256, 'u'));
  EXPECT_TRUE(IsInvalidField(Call(request), "rtm_user_id"));
  // In range, the request is fine (and the signature simply checked).
  request.set_channel_name(std::string(64, 'c'));
  request.set_account(std::string(255, 'a'));
  EXPECT_TRUE(Call(request).ok());
}

TEST_F(ErrorPathTest, DecodeSubjectIsIgnoredFor007) {
  v1::BuildRtcTokenWithUidResponse built;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub().BuildRtcTokenWithUid(&context, GoodUid(), &built).ok());
  }
  ASSERT_TRUE(IssuedTokenChecks(AsIssued(built), kInlineCertificate, nullptr));
  v1::DecodeTokenRequest request;
  request.set_token(built.token());
  request.set_account("");
  EXPECT_TRUE(Call(request).ok());
}

TEST_F(ErrorPathTest, DecodeTokenOfUnknownAppIsNotFound) {
  absl::StatusOr<agora_token::BuiltToken> foreign = agora_token::BuildRtmToken007(
      agora_token::AppCredentials{kUnknownAppId, kForeignCertificate}, "alice", 0,
      agora_token::Issuance{kNow, 1}, agora_token::Compression::kCompatible);
  ASSERT_TRUE(foreign.ok());
  v1::DecodeTokenRequest request;
  request.set_token(foreign->token);
  const grpc::Status status = Call(request);
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ(status.error_message().find(foreign->token), std::string::npos);
}

TEST_F(ErrorPathTest, AlreadyExpiredDeadline) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() - std::chrono::seconds(1));
  v1::BuildRtcTokenWithUidResponse response;
  const grpc::Status status = stub().BuildRtcTokenWithUid(&context, GoodUid(), &response);
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::DEADLINE_EXCEEDED));
  EXPECT_TRUE(response.token().empty());
}

// A server that accepts only small requests.
class SmallRequestLimitTest : public ServerTest {
 protected:
  void Configure(agora_token::ServerOptions* options) override {
    options->max_request_bytes = 4096;
  }
};

TEST_F(SmallRequestLimitTest, LargerRequestIsResourceExhausted) {
  v1::BuildTokensRequest request;
  v1::BuildRtmTokenRequest item;
  item.set_app_id(kInlineAppId);
  item.set_user_id("alice");
  *request.add_items()->mutable_rtm() = item;
  {
    // Under the limit: served.
    ASSERT_LT(request.ByteSizeLong(), 4096u);
    v1::BuildTokensResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(stub().BuildTokens(&context, request, &response).ok());
    ASSERT_EQ(response.results_size(), 1);
    EXPECT_TRUE(IssuedTokenChecks(response.results(0).token(), kInlineCertificate, nullptr));
  }
  while (request.ByteSizeLong() <= 4096) *request.add_items()->mutable_rtm() = item;

  // Both over TCP and in-process: the limit is the server's, not a channel's.
  std::unique_ptr<v1::TokenService::Stub> tcp = TcpStub(server().port());
  for (v1::TokenService::Stub* via : {&stub(), tcp.get()}) {
    v1::BuildTokensResponse response;
    grpc::ClientContext context;
    const grpc::Status status = via->BuildTokens(&context, request, &response);
    EXPECT_TRUE(HasCode(status, grpc::StatusCode::RESOURCE_EXHAUSTED)) << status.error_message();
    EXPECT_TRUE(response.results().empty());
  }
}

}  // namespace
}  // namespace agora_token_server_test
