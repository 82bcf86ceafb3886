// The build RPCs end to end: a real server (BuildAndStart on a free loopback
// port, test keyring, fixed clock) called through the generated stub on its
// in-process channel. Every token that comes back is decoded and verified
// with the core against the certificate, and the response's expiries must be
// what the core reads from the token.
#include <string>

#include "core/token.h"
#include "gtest/gtest.h"
#include "tests/server/test_support.h"

namespace agora_token_server_test {
namespace {

namespace v1 = agora::token::v1;
using agora_token::RtcUser;
using agora_token::Token006Subject;

constexpr uint32_t kDay = agora_token::kMaxTokenLifetimeSeconds;

class BuildRpcTest : public ServerTest {};

TEST_F(BuildRpcTest, RtcWithUidDefaultsTo007Publisher) {
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("room 1");
  request.set_uid(1234);
  v1::BuildRtcTokenWithUidResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildRtcTokenWithUid(&context, request, &response).ok());

  EXPECT_EQ(response.token_version(), v1::TOKEN_VERSION_007);
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, nullptr));
  // No lifetime given: 24 hours, and a publisher gets all four privileges.
  EXPECT_EQ(response.expire_ts(), kNow + kDay);
  EXPECT_TRUE(
      PrivilegesAre(response.privilege_expiries(), {{v1::SERVICE_TYPE_RTC, 1, kNow + kDay},
                                                    {v1::SERVICE_TYPE_RTC, 2, kNow + kDay},
                                                    {v1::SERVICE_TYPE_RTC, 3, kNow + kDay},
                                                    {v1::SERVICE_TYPE_RTC, 4, kNow + kDay}}));
  // The token is bound to this channel and uid.
  absl::StatusOr<agora_token::DecodedToken> decoded = agora_token::DecodeToken(response.token());
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->services.size(), 1u);
  EXPECT_EQ(decoded->services[0].channel_name, "room 1");
  EXPECT_EQ(decoded->services[0].account, "1234");
}

TEST_F(BuildRpcTest, RtcWithUid006SubscriberUntilPrivilegeExpiredTs) {
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("room 1");
  request.set_uid(42);
  request.set_token_version(v1::TOKEN_VERSION_006);
  request.set_role(v1::ROLE_SUBSCRIBER);
  request.set_privilege_expired_ts(kNow + 3600);
  v1::BuildRtcTokenWithUidResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildRtcTokenWithUid(&context, request, &response).ok());

  EXPECT_EQ(response.token_version(), v1::TOKEN_VERSION_006);
  const Token006Subject subject = Token006Subject::ForRtc("room 1", RtcUser(uint32_t{42}));
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, &subject));
  // A 006 token always lives 24 hours; the subscriber only joins, until the
  // given time.
  EXPECT_EQ(response.expire_ts(), kNow + kDay);
  EXPECT_TRUE(PrivilegesAre(response.privilege_expiries(),
                            {{v1::SERVICE_TYPE_UNSPECIFIED, 1, kNow + 3600}}));
  // Signed for uid 42 only.
  const Token006Subject other = Token006Subject::ForRtc("room 1", RtcUser(uint32_t{43}));
  EXPECT_FALSE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, &other));
}

TEST_F(BuildRpcTest, RtcWithUid006PublisherAnyUid) {
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("lobby");
  request.set_token_version(v1::TOKEN_VERSION_006);
  request.set_role(v1::ROLE_PUBLISHER);
  v1::BuildRtcTokenWithUidResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildRtcTokenWithUid(&context, request, &response).ok());

  const Token006Subject subject = Token006Subject::ForRtc("lobby", RtcUser(uint32_t{0}));
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, &subject));
  // 006 privilege ids are global (service unspecified); 0 = the token's expiry.
  EXPECT_TRUE(PrivilegesAre(response.privilege_expiries(),
                            {{v1::SERVICE_TYPE_UNSPECIFIED, 1, kNow + kDay},
                             {v1::SERVICE_TYPE_UNSPECIFIED, 2, kNow + kDay},
                             {v1::SERVICE_TYPE_UNSPECIFIED, 3, kNow + kDay},
                             {v1::SERVICE_TYPE_UNSPECIFIED, 4, kNow + kDay}}));
}

TEST_F(BuildRpcTest, RtcWithAccount007SubscriberWithLifetime) {
  v1::BuildRtcTokenWithAccountRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("room 2");
  request.set_account("alice@example.com");
  request.set_token_version(v1::TOKEN_VERSION_007);
  request.set_role(v1::ROLE_SUBSCRIBER);
  request.set_token_expire_seconds(600);
  v1::BuildRtcTokenWithAccountResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildRtcTokenWithAccount(&context, request, &response).ok());

  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, nullptr));
  EXPECT_EQ(response.expire_ts(), kNow + 600);
  EXPECT_TRUE(
      PrivilegesAre(response.privilege_expiries(), {{v1::SERVICE_TYPE_RTC, 1, kNow + 600}}));
  absl::StatusOr<agora_token::DecodedToken> decoded = agora_token::DecodeToken(response.token());
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->services.size(), 1u);
  EXPECT_EQ(decoded->services[0].account, "alice@example.com");
}

TEST_F(BuildRpcTest, RtcWithAccount006) {
  v1::BuildRtcTokenWithAccountRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("room 2");
  request.set_account("bob");
  request.set_token_version(v1::TOKEN_VERSION_006);
  v1::BuildRtcTokenWithAccountResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildRtcTokenWithAccount(&context, request, &response).ok());

  EXPECT_EQ(response.token_version(), v1::TOKEN_VERSION_006);
  const Token006Subject subject = Token006Subject::ForRtc("room 2", RtcUser(std::string("bob")));
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, &subject));
  EXPECT_EQ(response.privilege_expiries_size(), 4);
}

TEST_F(BuildRpcTest, Rtc007PrivilegeExpiredTsSetsTokenLifetimeToo) {
  // The product document's meaning: with no token_expire_seconds, the token
  // expires when its privileges do.
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("room 1");
  request.set_uid(7);
  request.set_privilege_expired_ts(kNow + 5000);
  v1::BuildRtcTokenWithUidResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildRtcTokenWithUid(&context, request, &response).ok());

  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, nullptr));
  EXPECT_EQ(response.expire_ts(), kNow + 5000);
  for (const v1::PrivilegeExpiry& p : response.privilege_expiries()) {
    EXPECT_EQ(p.expire_ts(), kNow + 5000);
  }
}

TEST_F(BuildRpcTest, LifetimesBeyond24HoursAreCapped) {
  // 007: a privilege_expired_ts two days out makes a 24-hour token.
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("room 1");
  request.set_uid(7);
  request.set_privilege_expired_ts(kNow + 2 * kDay);
  v1::BuildRtcTokenWithUidResponse response;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub().BuildRtcTokenWithUid(&context, request, &response).ok());
  }
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, nullptr));
  EXPECT_EQ(response.expire_ts(), kNow + kDay);
  ASSERT_EQ(response.privilege_expiries_size(), 4);
  EXPECT_EQ(response.privilege_expiries(0).expire_ts(), kNow + kDay);

  // 007: so does a token_expire_seconds above 86400.
  request.clear_privilege_expired_ts();
  request.set_token_expire_seconds(kDay + 1);
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub().BuildRtcTokenWithUid(&context, request, &response).ok());
  }
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, nullptr));
  EXPECT_EQ(response.expire_ts(), kNow + kDay);

  // 006: the privilege is encoded as given but never outlives the token.
  request.clear_token_expire_seconds();
  request.set_token_version(v1::TOKEN_VERSION_006);
  request.set_privilege_expired_ts(kNow + 2 * kDay);
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub().BuildRtcTokenWithUid(&context, request, &response).ok());
  }
  const Token006Subject subject = Token006Subject::ForRtc("room 1", RtcUser(uint32_t{7}));
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, &subject));
  EXPECT_EQ(response.expire_ts(), kNow + kDay);
  ASSERT_EQ(response.privilege_expiries_size(), 4);
  EXPECT_EQ(response.privilege_expiries(0).expire_ts(), kNow + kDay);
}

TEST_F(BuildRpcTest, Rtc007PerPrivilegeForm) {
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("stage");
  request.set_uid(99);
  request.set_token_expire_seconds(7200);
  v1::RtcPrivilegeExpires* expires = request.mutable_privilege_expires();
  expires->set_join_channel_privilege_expire(3600);
  expires->set_pub_audio_privilege_expire(600);
  // pub_video left 0: as long as the token.
  expires->set_pub_data_stream_privilege_expire(100000);  // capped by the token
  v1::BuildRtcTokenWithUidResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildRtcTokenWithUid(&context, request, &response).ok());

  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, nullptr));
  EXPECT_EQ(response.expire_ts(), kNow + 7200);
  EXPECT_TRUE(
      PrivilegesAre(response.privilege_expiries(), {{v1::SERVICE_TYPE_RTC, 1, kNow + 3600},
                                                    {v1::SERVICE_TYPE_RTC, 2, kNow + 600},
                                                    {v1::SERVICE_TYPE_RTC, 3, kNow + 7200},
                                                    {v1::SERVICE_TYPE_RTC, 4, kNow + 7200}}));
  // The encoded values are the spans as given.
  absl::StatusOr<agora_token::DecodedToken> decoded = agora_token::DecodeToken(response.token());
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->services.size(), 1u);
  ASSERT_EQ(decoded->services[0].privileges.size(), 4u);
  EXPECT_EQ(decoded->services[0].privileges[3].value, 100000u);
}

TEST_F(BuildRpcTest, RtcWithUidWithRtm) {
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("room 1");
  request.set_uid(2882341273u);
  request.set_with_rtm(true);
  v1::BuildRtcTokenWithUidResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildRtcTokenWithUid(&context, request, &response).ok());

  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, nullptr));
  EXPECT_TRUE(
      PrivilegesAre(response.privilege_expiries(), {{v1::SERVICE_TYPE_RTC, 1, kNow + kDay},
                                                    {v1::SERVICE_TYPE_RTC, 2, kNow + kDay},
                                                    {v1::SERVICE_TYPE_RTC, 3, kNow + kDay},
                                                    {v1::SERVICE_TYPE_RTC, 4, kNow + kDay},
                                                    {v1::SERVICE_TYPE_RTM, 1, kNow + kDay}}));
  absl::StatusOr<agora_token::DecodedToken> decoded = agora_token::DecodeToken(response.token());
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->services.size(), 2u);
  EXPECT_EQ(decoded->services[1].type, agora_token::kServiceRtm);
  EXPECT_EQ(decoded->services[1].user_id, "2882341273");
}

TEST_F(BuildRpcTest, RtcWithAccountWithRtm) {
  v1::BuildRtcTokenWithAccountRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("room 1");
  request.set_account("carol");
  request.set_role(v1::ROLE_SUBSCRIBER);
  request.set_with_rtm(true);
  v1::BuildRtcTokenWithAccountResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildRtcTokenWithAccount(&context, request, &response).ok());

  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, nullptr));
  EXPECT_TRUE(PrivilegesAre(
      response.privilege_expiries(),
      {{v1::SERVICE_TYPE_RTC, 1, kNow + kDay}, {v1::SERVICE_TYPE_RTM, 1, kNow + kDay}}));
  absl::StatusOr<agora_token::DecodedToken> decoded = agora_token::DecodeToken(response.token());
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->services.size(), 2u);
  EXPECT_EQ(decoded->services[1].user_id, "carol");
}

TEST_F(BuildRpcTest, RotatingAppSignsWithPrimaryFromFile) {
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(kRotatingAppId);
  request.set_channel_name("room 1");
  request.set_uid(5);
  v1::BuildRtcTokenWithUidResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildRtcTokenWithUid(&context, request, &response).ok());

  // The certificate file's whitespace was stripped, and builders never sign
  // with the secondary.
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kRotatingPrimary, nullptr));
  EXPECT_FALSE(IssuedTokenChecks(AsIssued(response), kRotatingSecondary, nullptr));
}

TEST_F(BuildRpcTest, Rtm006) {
  v1::BuildRtmTokenRequest request;
  request.set_app_id(kInlineAppId);
  request.set_user_id("dave");
  request.set_token_version(v1::TOKEN_VERSION_006);
  request.set_privilege_expired_ts(kNow + 1800);
  v1::BuildRtmTokenResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildRtmToken(&context, request, &response).ok());

  EXPECT_EQ(response.token_version(), v1::TOKEN_VERSION_006);
  const Token006Subject subject = Token006Subject::ForRtm("dave");
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, &subject));
  EXPECT_EQ(response.expire_ts(), kNow + kDay);
  EXPECT_TRUE(PrivilegesAre(response.privilege_expiries(),
                            {{v1::SERVICE_TYPE_UNSPECIFIED, 1000, kNow + 1800}}));
}

TEST_F(BuildRpcTest, Rtm007) {
  v1::BuildRtmTokenRequest request;
  request.set_app_id(kRotatingAppId);
  request.set_user_id("dave");
  request.set_token_expire_seconds(900);
  v1::BuildRtmTokenResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildRtmToken(&context, request, &response).ok());

  EXPECT_EQ(response.token_version(), v1::TOKEN_VERSION_007);
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kRotatingPrimary, nullptr));
  EXPECT_EQ(response.expire_ts(), kNow + 900);
  EXPECT_TRUE(
      PrivilegesAre(response.privilege_expiries(), {{v1::SERVICE_TYPE_RTM, 1, kNow + 900}}));
}

TEST_F(BuildRpcTest, ChatUserToken) {
  v1::BuildChatTokenRequest request;
  request.set_app_id(kInlineAppId);
  request.set_kind(v1::CHAT_TOKEN_KIND_USER);
  request.set_user_id("erin");
  request.set_token_expire_seconds(300);
  v1::BuildChatTokenResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildChatToken(&context, request, &response).ok());

  EXPECT_EQ(response.token_version(), v1::TOKEN_VERSION_007);
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, nullptr));
  EXPECT_TRUE(
      PrivilegesAre(response.privilege_expiries(), {{v1::SERVICE_TYPE_CHAT, 1, kNow + 300}}));
  absl::StatusOr<agora_token::DecodedToken> decoded = agora_token::DecodeToken(response.token());
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->services.size(), 1u);
  EXPECT_EQ(decoded->services[0].user_id, "erin");
}

TEST_F(BuildRpcTest, ChatAppToken) {
  v1::BuildChatTokenRequest request;
  request.set_app_id(kInlineAppId);
  request.set_kind(v1::CHAT_TOKEN_KIND_APP);
  v1::BuildChatTokenResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildChatToken(&context, request, &response).ok());

  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, nullptr));
  EXPECT_TRUE(
      PrivilegesAre(response.privilege_expiries(), {{v1::SERVICE_TYPE_CHAT, 2, kNow + kDay}}));
}

TEST_F(BuildRpcTest, BatchOfMixedItemsWithOneBadItem) {
  v1::BuildTokensRequest request;
  v1::BuildRtcTokenWithUidRequest* rtc006 = request.add_items()->mutable_rtc_with_uid();
  rtc006->set_app_id(kInlineAppId);
  rtc006->set_channel_name("room 1");
  rtc006->set_uid(1);
  rtc006->set_token_version(v1::TOKEN_VERSION_006);
  v1::BuildRtcTokenWithAccountRequest* account = request.add_items()->mutable_rtc_with_account();
  account->set_app_id(kRotatingAppId);
  account->set_channel_name("room 1");
  account->set_account("frank");
  // The bad one, between good ones.
  v1::BuildRtcTokenWithUidRequest* bad = request.add_items()->mutable_rtc_with_uid();
  bad->set_app_id(kInlineAppId);
  bad->set_channel_name("room*1");
  v1::BuildRtmTokenRequest* rtm = request.add_items()->mutable_rtm();
  rtm->set_app_id(kInlineAppId);
  rtm->set_user_id("grace");
  v1::BuildChatTokenRequest* chat = request.add_items()->mutable_chat();
  chat->set_app_id(kInlineAppId);
  chat->set_kind(v1::CHAT_TOKEN_KIND_APP);
  v1::BuildRtmTokenRequest* unknown_app = request.add_items()->mutable_rtm();
  unknown_app->set_app_id(kUnknownAppId);
  unknown_app->set_user_id("grace");
  request.add_items();  // sets none of the requests

  v1::BuildTokensResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub().BuildTokens(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.results_size(), request.items_size());

  const Token006Subject subject006 = Token006Subject::ForRtc("room 1", RtcUser(uint32_t{1}));
  ASSERT_TRUE(response.results(0).has_token());
  EXPECT_EQ(response.results(0).token().token_version(), v1::TOKEN_VERSION_006);
  EXPECT_TRUE(IssuedTokenChecks(response.results(0).token(), kInlineCertificate, &subject006));
  ASSERT_TRUE(response.results(1).has_token());
  EXPECT_TRUE(IssuedTokenChecks(response.results(1).token(), kRotatingPrimary, nullptr));
  ASSERT_TRUE(response.results(2).has_error());
  EXPECT_TRUE(IsInvalidField(response.results(2).error(), "channel_name"));
  ASSERT_TRUE(response.results(3).has_token());
  EXPECT_TRUE(IssuedTokenChecks(response.results(3).token(), kInlineCertificate, nullptr));
  EXPECT_TRUE(PrivilegesAre(response.results(3).token().privilege_expiries(),
                            {{v1::SERVICE_TYPE_RTM, 1, kNow + kDay}}));
  ASSERT_TRUE(response.results(4).has_token());
  EXPECT_TRUE(IssuedTokenChecks(response.results(4).token(), kInlineCertificate, nullptr));
  ASSERT_TRUE(response.results(5).has_error());
  EXPECT_EQ(response.results(5).error().code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(HasNoSecret(response.results(5).error()));
  ASSERT_TRUE(response.results(6).has_error());
  EXPECT_TRUE(IsInvalidField(response.results(6).error(), "request"));
}

TEST_F(BuildRpcTest, BatchItemMatchesTheSingleRpc) {
  // The same request alone and in a batch fails the same way.
  v1::BuildRtcTokenWithAccountRequest bad;
  bad.set_app_id(kInlineAppId);
  bad.set_channel_name("room 1");
  v1::BuildRtcTokenWithAccountResponse single_response;
  grpc::ClientContext single_context;
  const grpc::Status single =
      stub().BuildRtcTokenWithAccount(&single_context, bad, &single_response);

  v1::BuildTokensRequest request;
  *request.add_items()->mutable_rtc_with_account() = bad;
  v1::BuildTokensResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildTokens(&context, request, &response).ok());
  ASSERT_EQ(response.results_size(), 1);
  ASSERT_TRUE(response.results(0).has_error());

  EXPECT_TRUE(IsInvalidField(single, "account"));
  EXPECT_TRUE(IsInvalidField(response.results(0).error(), "account"));
  EXPECT_EQ(RpcStatusOf(single).SerializeAsString(),
            response.results(0).error().SerializeAsString());
}

TEST_F(BuildRpcTest, TcpPortServesTheSameApi) {
  ASSERT_GT(server().port(), 0);
  std::unique_ptr<v1::TokenService::Stub> tcp = TcpStub(server().port());
  v1::BuildRtmTokenRequest request;
  request.set_app_id(kInlineAppId);
  request.set_user_id("heidi");
  v1::BuildRtmTokenResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(tcp->BuildRtmToken(&context, request, &response).ok());
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, nullptr));
}

// The server's default version is configurable.
class Default006Test : public ServerTest {
 protected:
  void Configure(agora_token::ServerOptions* options) override {
    options->default_version = agora_token::TokenVersion::k006;
  }
};

TEST_F(Default006Test, UnspecifiedVersionBuilds006) {
  v1::BuildRtmTokenRequest request;
  request.set_app_id(kInlineAppId);
  request.set_user_id("ivan");
  v1::BuildRtmTokenResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildRtmToken(&context, request, &response).ok());
  EXPECT_EQ(response.token_version(), v1::TOKEN_VERSION_006);
  const Token006Subject subject = Token006Subject::ForRtm("ivan");
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, &subject));
}

}  // namespace
}  // namespace agora_token_server_test

namespace agora_token_server_test {
namespace {

// The RPCs of issue 15 over gRPC: each reaches its handler through the raw
// method table, and its field errors travel as BadRequest violations.
TEST_F(BuildRpcTest, NewTokenKindsAreServedOverGrpc) {
  v1::BuildFpaTokenRequest fpa;
  fpa.set_app_id(kInlineAppId);
  v1::BuildFpaTokenResponse fpa_response;
  grpc::ClientContext fpa_context;
  ASSERT_TRUE(stub().BuildFpaToken(&fpa_context, fpa, &fpa_response).ok());
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(fpa_response), kInlineCertificate, nullptr));
  EXPECT_TRUE(
      PrivilegesAre(fpa_response.privilege_expiries(), {{v1::SERVICE_TYPE_FPA, 1, kNow + kDay}}));

  v1::BuildSttTokenRequest stt;
  stt.set_app_id(kInlineAppId);
  stt.set_channel_name("room 1");
  stt.set_account("captions");
  stt.set_token_expire_seconds(600);
  stt.set_rtm_user_id("captions");
  v1::BuildSttTokenResponse stt_response;
  grpc::ClientContext stt_context;
  ASSERT_TRUE(stub().BuildSttToken(&stt_context, stt, &stt_response).ok());
  absl::StatusOr<agora_token::DecodedToken> decoded =
      agora_token::DecodeToken(stt_response.token());
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->services.size(), 3u);
  EXPECT_EQ(decoded->services[2].type, agora_token::kServiceStt);

  v1::BuildAccessTokenRequest access;
  access.set_app_id(kInlineAppId);
  v1::ServiceGrant* apaas = access.add_services();
  apaas->set_type(v1::SERVICE_TYPE_APAAS);
  apaas->set_channel_name("room 1");
  v1::BuildAccessTokenResponse access_response;
  grpc::ClientContext access_context;
  EXPECT_TRUE(IsInvalidField(stub().BuildAccessToken(&access_context, access, &access_response),
                             "services[0].channel_name"));
}

}  // namespace
}  // namespace agora_token_server_test
