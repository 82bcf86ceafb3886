// The token kinds beyond RTC, RTM and Chat (issue 15) through the handlers:
// each RPC gives the core builder's exact bytes for the response's salt and
// issue time (the core matches Agora's reference builders byte for byte,
// tests/core), its input errors name the request field, and no new kind,
// channel or lifetime gets past a caller's policy.
#include <google/protobuf/text_format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "core/access_token2.h"
#include "core/input_rules.h"
#include "core/service_builders.h"
#include "gtest/gtest.h"
#include "server/build_handlers.h"
#include "tests/server/test_support.h"

namespace agora_token_server_test {
namespace {

namespace v1 = agora::token::v1;
using agora_token::BuiltToken;
using agora_token::InvalidFieldName;

agora_token::Caller CallerWith(const std::string& policy_text) {
  v1::CallerPolicy proto;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(policy_text, &proto));
  absl::StatusOr<agora_token::CallerPolicy> policy =
      agora_token::CallerPolicy::FromProto(proto, "policy");
  EXPECT_TRUE(policy.ok()) << policy.status();
  return agora_token::Caller{"kinds-test",
                             policy.ok() ? *policy : agora_token::CallerPolicy::AllowAll()};
}

// Any single-token response's token, or the status.
template <typename Response>
absl::StatusOr<std::string> TokenOf(absl::Status status, const Response& response) {
  if (!status.ok()) return status;
  return response.token();
}

class TokenKindsTest : public ::testing::Test {
 protected:
  TokenKindsTest() {
    auto state = std::make_shared<agora_token::ServingState>(
        *StateOf(KeyringOf(kInlineAppId, kInlineCertificate), agora_token::HandlerOptions{}));
    audit_fd_ = memfd_create("audit", 0);
    state->audit = std::make_shared<agora_token::AuditLog>(audit_fd_, &metrics_);
    state_ = std::move(state);
  }
  ~TokenKindsTest() override {
    state_.reset();  // the audit log's writer stops before its fd closes
    close(audit_fd_);
  }

  // Runs `handler` as one call of `caller`.
  template <typename Request, typename Response>
  absl::Status Run(absl::Status (*handler)(const agora_token::Call&, const Request&, Response*),
                   const Request& request, Response* response,
                   const agora_token::Caller* caller = nullptr) {
    const std::function<bool()> cancelled;
    const agora_token::Call call{*state_,
                                 caller != nullptr ? *caller : anyone_,
                                 credentials_,
                                 agora_token::RpcMethod::kBuildAccessToken,
                                 std::chrono::steady_clock::now(),
                                 clock_,
                                 metrics_,
                                 cancelled};
    return handler(call, request, response);
  }

  // What the audit log has written so far.
  std::string AuditText() {
    state_->audit->Flush();
    std::string text(4096, '\0');
    const ssize_t n = pread(audit_fd_, text.data(), text.size(), 0);
    text.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return text;
  }

  // The issue time and salt a response reports, to rebuild it with the core.
  template <typename Response>
  static agora_token::Issuance IssuanceOf(const Response& response) {
    return agora_token::Issuance{response.issue_ts(), response.salt()};
  }

  const agora_token::AppCredentials app_{kInlineAppId, kInlineCertificate};
  const agora_token::Compression compression_ = agora_token::HandlerOptions{}.compression;
  const agora_token::FixedClock clock_{kNow};
  agora_token::Metrics metrics_;
  agora_token::CallCredentials credentials_;
  int audit_fd_ = -1;
  std::shared_ptr<const agora_token::ServingState> state_;
  const agora_token::Caller anyone_{"anyone", agora_token::CallerPolicy::AllowAll()};
};

::testing::AssertionResult SameToken(const std::string& served,
                                     const absl::StatusOr<BuiltToken>& built) {
  if (!built.ok()) return ::testing::AssertionFailure() << "core: " << built.status();
  if (served != built->token) return ::testing::AssertionFailure() << "tokens differ";
  return ::testing::AssertionSuccess();
}

v1::BuildConvoAiTokenRequest ConvoAiRequest() {
  v1::BuildConvoAiTokenRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("room-agents");
  request.set_account("agent-7");
  request.set_role(v1::ROLE_PUBLISHER);
  request.set_token_expire_seconds(600);
  request.mutable_privilege_expires()->set_join_channel_privilege_expire(300);
  request.set_rtm_user_id("agent-7");
  request.set_rtm_token_expire_seconds(120);
  return request;
}

agora_token::RtcWithRtmParams ConvoAiParams() {
  agora_token::RtcWithRtmParams params;
  params.channel_name = "room-agents";
  params.user = std::string("agent-7");
  params.role = agora_token::RtcRole::kPublisher;
  params.token_expire = 600;
  params.privilege_expires.join_channel = 300;
  params.rtm_user_id = "agent-7";
  params.rtm_token_expire = 120;
  return params;
}

v1::BuildAccessTokenRequest StreamingAndFcdnRequest(const std::string& channel) {
  v1::BuildAccessTokenRequest request;
  request.set_app_id(kInlineAppId);
  request.set_token_expire_seconds(900);
  // FCDN first: the token packs services by type, whatever the order asked.
  v1::ServiceGrant* fcdn = request.add_services();
  fcdn->set_type(v1::SERVICE_TYPE_FCDN);
  fcdn->set_channel_name(channel);
  fcdn->set_account("5");
  fcdn->add_privileges()->set_privilege(2);
  v1::ServiceGrant* streaming = request.add_services();
  streaming->set_type(v1::SERVICE_TYPE_STREAMING);
  streaming->set_channel_name(channel);
  streaming->set_account("5");
  v1::PrivilegeGrant* mix = streaming->add_privileges();
  mix->set_privilege(1);
  mix->set_expire_seconds(60);
  return request;
}

v1::Rtm2Resource* AddResource(v1::BuildRtmTokenRequest& request, uint32_t type,
                              const std::string& name) {
  v1::Rtm2Resource* resource = request.add_rtm2_resources();
  resource->set_resource_type(type);
  v1::Rtm2Permission* permission = resource->add_permissions();
  permission->set_permission_type(agora_token::kRtm2Read);
  permission->add_names(name);
  return resource;
}

v1::BuildRtmTokenRequest Rtm2Request(const std::string& channel) {
  v1::BuildRtmTokenRequest request;
  request.set_app_id(kInlineAppId);
  request.set_user_id("alice");
  request.set_token_version(v1::TOKEN_VERSION_007);
  request.set_token_expire_seconds(600);
  AddResource(request, agora_token::kRtm2MessageChannels, channel);
  AddResource(request, agora_token::kRtm2Users, "bob");
  return request;
}

TEST_F(TokenKindsTest, EachNewRpcGivesTheCoreBuildersBytes) {
  v1::BuildFpaTokenRequest fpa;
  fpa.set_app_id(kInlineAppId);
  v1::BuildFpaTokenResponse fpa_response;
  ASSERT_TRUE(Run(agora_token::BuildFpaToken, fpa, &fpa_response).ok());
  EXPECT_TRUE(SameToken(fpa_response.token(),
                        agora_token::BuildFpaToken(app_, IssuanceOf(fpa_response), compression_)));
  EXPECT_EQ(fpa_response.expire_ts(), kNow + 86400);

  v1::BuildApaasTokenRequest apaas;
  apaas.set_app_id(kInlineAppId);
  apaas.set_kind(v1::APAAS_TOKEN_KIND_ROOM_USER);
  apaas.set_room_uuid("room-1");
  apaas.set_user_uuid("alice");
  apaas.set_role(0);  // role 0 is a role, not the reference's -1
  apaas.set_expire_seconds(600);
  v1::BuildApaasTokenResponse apaas_response;
  ASSERT_TRUE(Run(agora_token::BuildApaasToken, apaas, &apaas_response).ok());
  agora_token::ApaasTokenParams apaas_params;
  apaas_params.kind = agora_token::ApaasTokenKind::kRoomUser;
  apaas_params.room_uuid = "room-1";
  apaas_params.user_uuid = "alice";
  apaas_params.role = 0;
  apaas_params.token_expire = 600;
  EXPECT_TRUE(SameToken(
      apaas_response.token(),
      agora_token::BuildApaasToken(app_, apaas_params, IssuanceOf(apaas_response), compression_)));
  // APaaS room user, RTM login and the Chat user, each for the token's life.
  EXPECT_TRUE(PrivilegesAre(apaas_response.privilege_expiries(),
                            {{v1::SERVICE_TYPE_RTM, 1, kNow + 600},
                             {v1::SERVICE_TYPE_CHAT, 1, kNow + 600},
                             {v1::SERVICE_TYPE_APAAS, 1, kNow + 600}}));

  apaas.Clear();
  apaas.set_app_id(kInlineAppId);
  apaas.set_kind(v1::APAAS_TOKEN_KIND_APP);
  ASSERT_TRUE(Run(agora_token::BuildApaasToken, apaas, &apaas_response).ok());
  apaas_params = agora_token::ApaasTokenParams{};
  apaas_params.kind = agora_token::ApaasTokenKind::kApp;
  EXPECT_TRUE(SameToken(
      apaas_response.token(),
      agora_token::BuildApaasToken(app_, apaas_params, IssuanceOf(apaas_response), compression_)));

  v1::BuildConvoAiTokenResponse convo_response;
  ASSERT_TRUE(Run(agora_token::BuildConvoAiToken, ConvoAiRequest(), &convo_response).ok());
  EXPECT_TRUE(SameToken(convo_response.token(),
                        agora_token::BuildConvoAiToken(app_, ConvoAiParams(),
                                                       IssuanceOf(convo_response), compression_)));

  v1::BuildSttTokenRequest stt;
  stt.set_app_id(kInlineAppId);
  stt.set_channel_name("room-captions");
  stt.set_uid(42);
  stt.set_role(v1::ROLE_SUBSCRIBER);
  stt.set_rtm_user_id("stt-bot");
  v1::BuildSttTokenResponse stt_response;
  ASSERT_TRUE(Run(agora_token::BuildSttToken, stt, &stt_response).ok());
  agora_token::RtcWithRtmParams stt_params;
  stt_params.channel_name = "room-captions";
  stt_params.user = uint32_t{42};
  stt_params.role = agora_token::RtcRole::kSubscriber;
  stt_params.rtm_user_id = "stt-bot";
  EXPECT_TRUE(SameToken(
      stt_response.token(),
      agora_token::BuildSttToken(app_, stt_params, IssuanceOf(stt_response), compression_)));

  v1::BuildRtmTokenResponse rtm2_response;
  ASSERT_TRUE(Run(agora_token::BuildRtmToken, Rtm2Request("room-chat"), &rtm2_response).ok());
  agora_token::Rtm2TokenParams rtm2_params;
  rtm2_params.user_id = "alice";
  rtm2_params.token_expire = 600;
  rtm2_params.rtm2_resources = {{agora_token::kRtm2MessageChannels, {{0, {"room-chat"}}}},
                                {agora_token::kRtm2Users, {{0, {"bob"}}}}};
  EXPECT_TRUE(SameToken(
      rtm2_response.token(),
      agora_token::BuildRtm2Token(app_, rtm2_params, IssuanceOf(rtm2_response), compression_)));
  EXPECT_TRUE(
      PrivilegesAre(rtm2_response.privilege_expiries(), {{v1::SERVICE_TYPE_RTM2, 1, kNow + 600}}));

  v1::BuildAccessTokenResponse access_response;
  ASSERT_TRUE(
      Run(agora_token::BuildAccessToken, StreamingAndFcdnRequest("room-live"), &access_response)
          .ok());
  agora_token::AccessToken2Params access_params;
  access_params.token_expire = 900;
  agora_token::ServiceGrant fcdn;
  fcdn.type = agora_token::kServiceFcdn;
  fcdn.channel_name = "room-live";
  fcdn.account = "5";
  fcdn.privileges = {{agora_token::kFcdnPlay, 0}};
  agora_token::ServiceGrant streaming = fcdn;
  streaming.type = agora_token::kServiceStreaming;
  streaming.privileges = {{agora_token::kStreamingPublishMixStream, 60}};
  access_params.services = {fcdn, streaming};
  EXPECT_TRUE(SameToken(access_response.token(),
                        agora_token::BuildAccessToken2(app_, access_params,
                                                       IssuanceOf(access_response), compression_)));
  EXPECT_TRUE(PrivilegesAre(
      access_response.privilege_expiries(),
      {{v1::SERVICE_TYPE_STREAMING, 1, kNow + 60}, {v1::SERVICE_TYPE_FCDN, 2, kNow + 900}}));
}

TEST_F(TokenKindsTest, RtcRequestsBuildTokenWithRtm2ForAnotherRtmUser) {
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("room-1");
  request.set_uid(7);
  request.set_token_version(v1::TOKEN_VERSION_007);
  request.set_token_expire_seconds(3600);
  request.set_rtm_user_id("bob");
  request.set_rtm_token_expire_seconds(600);
  v1::BuildRtcTokenWithUidResponse response;
  ASSERT_TRUE(Run(agora_token::BuildRtcTokenWithUid, request, &response).ok());
  agora_token::RtcWithRtmParams params;
  params.channel_name = "room-1";
  params.user = uint32_t{7};
  params.token_expire = 3600;
  params.rtm_user_id = "bob";
  params.rtm_token_expire = 600;
  EXPECT_TRUE(SameToken(response.token(), agora_token::BuildRtcTokenWithRtm2(
                                              app_, params, IssuanceOf(response), compression_)));
  EXPECT_TRUE(
      PrivilegesAre(response.privilege_expiries(), {{v1::SERVICE_TYPE_RTC, 1, kNow + 3600},
                                                    {v1::SERVICE_TYPE_RTC, 2, kNow + 3600},
                                                    {v1::SERVICE_TYPE_RTC, 3, kNow + 3600},
                                                    {v1::SERVICE_TYPE_RTC, 4, kNow + 3600},
                                                    {v1::SERVICE_TYPE_RTM, 1, kNow + 600}}));

  // Not with with_rtm, which names the RTC user; not in 006; no RTM expiry
  // without an RTM user.
  request.set_with_rtm(true);
  EXPECT_EQ(InvalidFieldName(Run(agora_token::BuildRtcTokenWithUid, request, &response)),
            "rtm_user_id");
  request.set_with_rtm(false);
  request.set_token_version(v1::TOKEN_VERSION_006);
  request.set_token_expire_seconds(0);
  EXPECT_EQ(InvalidFieldName(Run(agora_token::BuildRtcTokenWithUid, request, &response)),
            "rtm_user_id");
  request.set_token_version(v1::TOKEN_VERSION_007);
  request.clear_rtm_user_id();
  EXPECT_EQ(InvalidFieldName(Run(agora_token::BuildRtcTokenWithUid, request, &response)),
            "rtm_token_expire_seconds");
}

TEST_F(TokenKindsTest, WildcardChannelOnlyIn007WithANamedUser) {
  v1::BuildRtcTokenWithAccountRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("*");
  request.set_account("alice");
  request.set_token_version(v1::TOKEN_VERSION_007);
  v1::BuildRtcTokenWithAccountResponse response;
  ASSERT_TRUE(Run(agora_token::BuildRtcTokenWithAccount, request, &response).ok());
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, nullptr));

  request.set_token_version(v1::TOKEN_VERSION_006);
  EXPECT_EQ(InvalidFieldName(Run(agora_token::BuildRtcTokenWithAccount, request, &response)),
            "channel_name");

  v1::BuildRtcTokenWithUidRequest any_uid;
  any_uid.set_app_id(kInlineAppId);
  any_uid.set_channel_name("*");
  any_uid.set_token_version(v1::TOKEN_VERSION_007);
  v1::BuildRtcTokenWithUidResponse any_uid_response;
  EXPECT_EQ(InvalidFieldName(Run(agora_token::BuildRtcTokenWithUid, any_uid, &any_uid_response)),
            "channel_name");
}

TEST_F(TokenKindsTest, InputErrorsNameTheRequestField) {
  const auto access_error = [&](const v1::BuildAccessTokenRequest& request) {
    v1::BuildAccessTokenResponse response;
    const absl::Status status = Run(agora_token::BuildAccessToken, request, &response);
    EXPECT_TRUE(response.token().empty());
    EXPECT_TRUE(HasNoSecret(status));
    return InvalidFieldName(status).value_or("(none: " + status.ToString() + ")");
  };
  v1::BuildAccessTokenRequest request = StreamingAndFcdnRequest("room-1");
  request.mutable_services(1)->set_room_uuid("room-2");
  EXPECT_EQ(access_error(request), "services[1].room_uuid");

  request = StreamingAndFcdnRequest("room-1");
  request.mutable_services(0)->mutable_privileges(0)->set_privilege(65536 + 1);
  EXPECT_EQ(access_error(request), "services[0].privileges[0].privilege");

  request = StreamingAndFcdnRequest("room-1");
  request.mutable_services(0)->set_type(static_cast<v1::ServiceType>(11));
  EXPECT_EQ(access_error(request), "services[0].type");

  request = StreamingAndFcdnRequest("room-1");
  request.mutable_services(0)->set_role(1);
  EXPECT_EQ(access_error(request), "services[0].role");

  // 16 services at most, and at least one.
  request.clear_services();
  EXPECT_EQ(access_error(request), "services");
  for (size_t i = 0; i < agora_token::kMaxServicesPerToken; ++i) {
    v1::ServiceGrant* fpa = request.add_services();
    fpa->set_type(v1::SERVICE_TYPE_FPA);
    fpa->add_privileges()->set_privilege(1);
  }
  v1::BuildAccessTokenResponse response;
  EXPECT_TRUE(Run(agora_token::BuildAccessToken, request, &response).ok());
  *request.add_services() = request.services(0);
  EXPECT_EQ(access_error(request), "services");

  v1::BuildRtmTokenRequest rtm2 = Rtm2Request("room-1");
  rtm2.mutable_rtm2_resources(0)->mutable_permissions(0)->add_names_bytes("room-1");
  v1::BuildRtmTokenResponse rtm2_response;
  EXPECT_EQ(InvalidFieldName(Run(agora_token::BuildRtmToken, rtm2, &rtm2_response)),
            "rtm2_resources[0].permissions[0].names_bytes");
  rtm2 = Rtm2Request("room 1!");
  rtm2.mutable_rtm2_resources(0)->mutable_permissions(0)->set_names(0, "bad*name");
  EXPECT_EQ(InvalidFieldName(Run(agora_token::BuildRtmToken, rtm2, &rtm2_response)),
            "rtm2_resources[0].permissions[0].names[0]");
  rtm2 = Rtm2Request("room-1");
  rtm2.set_token_version(v1::TOKEN_VERSION_006);
  rtm2.set_token_expire_seconds(0);
  EXPECT_EQ(InvalidFieldName(Run(agora_token::BuildRtmToken, rtm2, &rtm2_response)),
            "rtm2_resources");
  rtm2 = Rtm2Request("room-1");
  rtm2.set_user_id(std::string(agora_token::kMaxUserIdBytes + 1, 'u'));
  EXPECT_EQ(InvalidFieldName(Run(agora_token::BuildRtmToken, rtm2, &rtm2_response)), "user_id");

  v1::BuildApaasTokenRequest apaas;
  apaas.set_app_id(kInlineAppId);
  v1::BuildApaasTokenResponse apaas_response;
  EXPECT_EQ(InvalidFieldName(Run(agora_token::BuildApaasToken, apaas, &apaas_response)), "kind");
  apaas.set_kind(v1::APAAS_TOKEN_KIND_USER);
  apaas.set_user_uuid("alice");
  apaas.set_role(2);
  EXPECT_EQ(InvalidFieldName(Run(agora_token::BuildApaasToken, apaas, &apaas_response)), "role");
  apaas.set_role(0);
  apaas.set_room_uuid("room-1");
  EXPECT_EQ(InvalidFieldName(Run(agora_token::BuildApaasToken, apaas, &apaas_response)),
            "room_uuid");
  apaas.set_kind(v1::APAAS_TOKEN_KIND_ROOM_USER);
  apaas.set_room_uuid("bad*room");
  EXPECT_EQ(InvalidFieldName(Run(agora_token::BuildApaasToken, apaas, &apaas_response)),
            "room_uuid");
  apaas.set_room_uuid("room-1");
  apaas.set_user_uuid(std::string(agora_token::kMaxUuidBytes + 1, 'u'));
  EXPECT_EQ(InvalidFieldName(Run(agora_token::BuildApaasToken, apaas, &apaas_response)),
            "user_uuid");
  apaas.set_user_uuid(std::string(agora_token::kMaxUuidBytes, 'u'));
  apaas.set_role(agora_token::kMaxApaasRole + 1);
  EXPECT_EQ(InvalidFieldName(Run(agora_token::BuildApaasToken, apaas, &apaas_response)), "role");
  apaas.set_role(agora_token::kMaxApaasRole);
  EXPECT_TRUE(Run(agora_token::BuildApaasToken, apaas, &apaas_response).ok());

  v1::BuildConvoAiTokenRequest convo = ConvoAiRequest();
  convo.clear_account();
  v1::BuildConvoAiTokenResponse convo_response;
  EXPECT_EQ(InvalidFieldName(Run(agora_token::BuildConvoAiToken, convo, &convo_response)), "uid");
  convo = ConvoAiRequest();
  convo.set_rtm_user_id(std::string(agora_token::kMaxUserIdBytes + 1, 'r'));
  EXPECT_EQ(InvalidFieldName(Run(agora_token::BuildConvoAiToken, convo, &convo_response)),
            "rtm_user_id");
  convo.set_rtm_user_id(std::string(agora_token::kMaxUserIdBytes, 'r'));
  EXPECT_TRUE(Run(agora_token::BuildConvoAiToken, convo, &convo_response).ok());
}

TEST_F(TokenKindsTest, BatchesTakeEveryNewKind) {
  v1::BuildTokensRequest request;
  *request.add_items()->mutable_access_token() = StreamingAndFcdnRequest("room-1");
  request.add_items()->mutable_fpa()->set_app_id(kInlineAppId);
  v1::BuildApaasTokenRequest* apaas = request.add_items()->mutable_apaas();
  apaas->set_app_id(kInlineAppId);
  apaas->set_kind(v1::APAAS_TOKEN_KIND_USER);
  apaas->set_user_uuid("alice");
  *request.add_items()->mutable_convo_ai() = ConvoAiRequest();
  v1::BuildSttTokenRequest* stt = request.add_items()->mutable_stt();
  *stt->mutable_app_id() = kInlineAppId;
  stt->set_channel_name("room-1");
  stt->set_uid(3);
  stt->set_rtm_user_id("3");
  *request.add_items()->mutable_rtm() = Rtm2Request("room-1");
  v1::BuildTokensResponse response;
  ASSERT_TRUE(Run(agora_token::BuildTokens, request, &response).ok());
  ASSERT_EQ(response.results_size(), request.items_size());
  for (const v1::BuildTokensResult& result : response.results()) {
    ASSERT_TRUE(result.has_token()) << result.error().message();
    EXPECT_TRUE(IssuedTokenChecks(result.token(), kInlineCertificate, nullptr));
  }
}

// The policy sees every service a token would hold, whichever RPC asks.
class TokenKindsPolicyTest : public TokenKindsTest {
 protected:
  // A caller granted `kinds` only, for channels starting "room-", whose
  // tokens last at most an hour.
  static agora_token::Caller Limited(const std::string& kinds) {
    return CallerWith(
        "app_ids: \"*\" max_token_lifetime_seconds: 3600 "
        "channel_name_prefixes: \"room-\" token_kinds: [" +
        kinds + "]");
  }

  // `status` is a denial that speaks of this caller only and says `what`.
  static ::testing::AssertionResult DeniedFor(const absl::Status& status, std::string_view what) {
    if (status.code() != absl::StatusCode::kPermissionDenied) {
      return ::testing::AssertionFailure() << "not denied: " << status;
    }
    const std::string message(status.message());
    if (message.rfind("this caller ", 0) != 0 || message.find(what) == std::string::npos) {
      return ::testing::AssertionFailure() << "message: " << message;
    }
    return ::testing::AssertionSuccess();
  }
};

TEST_F(TokenKindsPolicyTest, EveryServiceNeedsItsKind) {
  const agora_token::Caller rtc_only = Limited("TOKEN_KIND_RTC_007");
  v1::BuildAccessTokenResponse access;
  EXPECT_TRUE(DeniedFor(
      Run(agora_token::BuildAccessToken, StreamingAndFcdnRequest("room-1"), &access, &rtc_only),
      "may not mint FCDN tokens"));
  const agora_token::Caller fcdn_only = Limited("TOKEN_KIND_FCDN");
  EXPECT_TRUE(DeniedFor(
      Run(agora_token::BuildAccessToken, StreamingAndFcdnRequest("room-1"), &access, &fcdn_only),
      "may not mint Streaming tokens"));
  const agora_token::Caller both = Limited("TOKEN_KIND_FCDN, TOKEN_KIND_STREAMING");
  EXPECT_TRUE(
      Run(agora_token::BuildAccessToken, StreamingAndFcdnRequest("room-1"), &access, &both).ok());

  // A Chat service is a user or an app token by its privilege.
  v1::BuildAccessTokenRequest chat_app;
  chat_app.set_app_id(kInlineAppId);
  chat_app.add_services()->set_type(v1::SERVICE_TYPE_CHAT);
  chat_app.mutable_services(0)->add_privileges()->set_privilege(2);
  const agora_token::Caller chat_user = Limited("TOKEN_KIND_CHAT_USER");
  EXPECT_TRUE(DeniedFor(Run(agora_token::BuildAccessToken, chat_app, &access, &chat_user),
                        "may not mint Chat app tokens"));

  // The RTC + RTM builders need RTM as well as their own kind.
  const agora_token::Caller convo_rtc = Limited("TOKEN_KIND_CONVO_AI, TOKEN_KIND_RTC_007");
  v1::BuildConvoAiTokenResponse convo;
  EXPECT_TRUE(DeniedFor(Run(agora_token::BuildConvoAiToken, ConvoAiRequest(), &convo, &convo_rtc),
                        "may not mint RTM tokens"));
  v1::BuildRtcTokenWithUidRequest rtc;
  rtc.set_app_id(kInlineAppId);
  rtc.set_channel_name("room-1");
  rtc.set_uid(9);
  rtc.set_token_version(v1::TOKEN_VERSION_007);
  rtc.set_rtm_user_id("someone-else");
  v1::BuildRtcTokenWithUidResponse rtc_response;
  EXPECT_TRUE(DeniedFor(Run(agora_token::BuildRtcTokenWithUid, rtc, &rtc_response, &rtc_only),
                        "may not mint RTM tokens"));

  // A Flexible Classroom room user also logs in to RTM and Chat.
  v1::BuildApaasTokenRequest apaas;
  apaas.set_app_id(kInlineAppId);
  apaas.set_kind(v1::APAAS_TOKEN_KIND_ROOM_USER);
  apaas.set_room_uuid("room-1");
  apaas.set_user_uuid("alice");
  const agora_token::Caller apaas_rtm = Limited("TOKEN_KIND_APAAS, TOKEN_KIND_RTM");
  v1::BuildApaasTokenResponse apaas_response;
  EXPECT_TRUE(DeniedFor(Run(agora_token::BuildApaasToken, apaas, &apaas_response, &apaas_rtm),
                        "may not mint Chat user tokens"));

  // RTM permissions are RTM2, a kind of its own.
  const agora_token::Caller rtm_only = Limited("TOKEN_KIND_RTM");
  v1::BuildRtmTokenResponse rtm_response;
  EXPECT_TRUE(
      DeniedFor(Run(agora_token::BuildRtmToken, Rtm2Request("room-1"), &rtm_response, &rtm_only),
                "may not mint RTM2 tokens"));

  // Batch items are checked the same way, each on its own.
  v1::BuildTokensRequest batch;
  batch.add_items()->mutable_fpa()->set_app_id(kInlineAppId);
  v1::BuildTokensResponse batch_response;
  ASSERT_TRUE(Run(agora_token::BuildTokens, batch, &batch_response, &rtc_only).ok());
  EXPECT_EQ(batch_response.results(0).error().code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(TokenKindsPolicyTest, ChannelPrefixesCoverEveryChannelATokenNames) {
  const agora_token::Caller caller = Limited(
      "TOKEN_KIND_RTC_007, TOKEN_KIND_RTM, TOKEN_KIND_RTM2, TOKEN_KIND_STREAMING, "
      "TOKEN_KIND_FCDN, TOKEN_KIND_APAAS, TOKEN_KIND_CHAT_USER, TOKEN_KIND_CONVO_AI");
  v1::BuildAccessTokenResponse access;
  EXPECT_TRUE(DeniedFor(
      Run(agora_token::BuildAccessToken, StreamingAndFcdnRequest("lobby"), &access, &caller),
      "allowed prefixes"));
  v1::BuildRtmTokenResponse rtm;
  EXPECT_TRUE(DeniedFor(Run(agora_token::BuildRtmToken, Rtm2Request("lobby"), &rtm, &caller),
                        "allowed prefixes"));
  // User resources are not channels.
  v1::BuildRtmTokenRequest users = Rtm2Request("room-1");
  users.mutable_rtm2_resources(1)->mutable_permissions(0)->set_names(0, "lobby");
  EXPECT_TRUE(Run(agora_token::BuildRtmToken, users, &rtm, &caller).ok());

  v1::BuildApaasTokenRequest apaas;
  apaas.set_app_id(kInlineAppId);
  apaas.set_kind(v1::APAAS_TOKEN_KIND_ROOM_USER);
  apaas.set_room_uuid("lobby");
  apaas.set_user_uuid("alice");
  v1::BuildApaasTokenResponse apaas_response;
  EXPECT_TRUE(DeniedFor(Run(agora_token::BuildApaasToken, apaas, &apaas_response, &caller),
                        "allowed prefixes"));
  v1::BuildConvoAiTokenRequest convo = ConvoAiRequest();
  convo.set_channel_name("lobby");
  v1::BuildConvoAiTokenResponse convo_response;
  EXPECT_TRUE(DeniedFor(Run(agora_token::BuildConvoAiToken, convo, &convo_response, &caller),
                        "allowed prefixes"));
}

TEST_F(TokenKindsPolicyTest, WildcardChannelNeedsItsOwnGrant) {
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("*");
  request.set_uid(9);
  request.set_token_version(v1::TOKEN_VERSION_007);
  v1::BuildRtcTokenWithUidResponse response;
  const agora_token::Caller plain =
      CallerWith("app_ids: \"*\" max_token_lifetime_seconds: 3600 token_kinds: TOKEN_KIND_RTC_007");
  EXPECT_TRUE(DeniedFor(Run(agora_token::BuildRtcTokenWithUid, request, &response, &plain),
                        "allow_wildcard_channel"));
  const agora_token::Caller prefixed = Limited("TOKEN_KIND_RTC_007");
  EXPECT_TRUE(DeniedFor(Run(agora_token::BuildRtcTokenWithUid, request, &response, &prefixed),
                        "allow_wildcard_channel"));
  const agora_token::Caller wildcard = CallerWith(
      "app_ids: \"*\" max_token_lifetime_seconds: 3600 "
      "token_kinds: TOKEN_KIND_RTC_007 allow_wildcard_channel: true");
  request.set_token_expire_seconds(3600);
  EXPECT_TRUE(Run(agora_token::BuildRtcTokenWithUid, request, &response, &wildcard).ok());

  // The same in a multi-service token.
  v1::BuildAccessTokenRequest access;
  access.set_app_id(kInlineAppId);
  access.set_token_expire_seconds(60);
  v1::ServiceGrant* rtc = access.add_services();
  rtc->set_type(v1::SERVICE_TYPE_RTC);
  rtc->set_channel_name("*");
  rtc->set_account("9");
  rtc->add_privileges()->set_privilege(1);
  v1::BuildAccessTokenResponse access_response;
  EXPECT_TRUE(DeniedFor(Run(agora_token::BuildAccessToken, access, &access_response, &plain),
                        "allow_wildcard_channel"));
  EXPECT_TRUE(Run(agora_token::BuildAccessToken, access, &access_response, &wildcard).ok());

  // "*" would bypass prefixes, so a policy cannot have both.
  v1::CallerPolicy both;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      "app_ids: \"*\" max_token_lifetime_seconds: 60 token_kinds: TOKEN_KIND_RTC_007 "
      "allow_wildcard_channel: true channel_name_prefixes: \"room-\"",
      &both));
  const absl::StatusOr<agora_token::CallerPolicy> refused =
      agora_token::CallerPolicy::FromProto(both, "callers[0].policy");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("callers[0].policy.allow_wildcard_channel"),
            std::string::npos);
}

TEST_F(TokenKindsPolicyTest, AnyUserAndLifetimeLimitsHoldForEveryKind) {
  const agora_token::Caller caller = Limited(
      "TOKEN_KIND_RTC_007, TOKEN_KIND_RTM, TOKEN_KIND_STT, TOKEN_KIND_STREAMING, "
      "TOKEN_KIND_FCDN, TOKEN_KIND_APAAS");
  // Any user: an RTC service without an account, an STT token for uid 0.
  v1::BuildAccessTokenRequest access = StreamingAndFcdnRequest("room-1");
  access.mutable_services(1)->clear_account();
  v1::BuildAccessTokenResponse access_response;
  EXPECT_TRUE(
      DeniedFor(Run(agora_token::BuildAccessToken, access, &access_response, &caller), "any user"));
  v1::BuildSttTokenRequest stt;
  stt.set_app_id(kInlineAppId);
  stt.set_channel_name("room-1");
  stt.set_uid(0);
  stt.set_token_expire_seconds(600);
  stt.set_rtm_user_id("stt-bot");
  v1::BuildSttTokenResponse stt_response;
  EXPECT_TRUE(DeniedFor(Run(agora_token::BuildSttToken, stt, &stt_response, &caller), "any user"));

  // Lifetime: the token's own, then a privilege's (capped by the token).
  access = StreamingAndFcdnRequest("room-1");
  access.set_token_expire_seconds(3601);
  EXPECT_TRUE(DeniedFor(Run(agora_token::BuildAccessToken, access, &access_response, &caller),
                        "at most 3600 seconds"));
  access.set_token_expire_seconds(3600);
  access.mutable_services(1)->mutable_privileges(0)->set_expire_seconds(7200);
  EXPECT_TRUE(Run(agora_token::BuildAccessToken, access, &access_response, &caller).ok());
  v1::BuildApaasTokenRequest apaas;
  apaas.set_app_id(kInlineAppId);
  apaas.set_kind(v1::APAAS_TOKEN_KIND_APP);
  v1::BuildApaasTokenResponse apaas_response;
  EXPECT_TRUE(DeniedFor(Run(agora_token::BuildApaasToken, apaas, &apaas_response, &caller),
                        "at most 3600 seconds"));  // 0 means 24 hours
  stt.set_uid(5);
  stt.set_token_expire_seconds(0);
  stt.set_rtm_token_expire_seconds(600);
  EXPECT_TRUE(DeniedFor(Run(agora_token::BuildSttToken, stt, &stt_response, &caller),
                        "at most 3600 seconds"));
  stt.set_token_expire_seconds(3600);
  EXPECT_TRUE(Run(agora_token::BuildSttToken, stt, &stt_response, &caller).ok());
}

TEST_F(TokenKindsTest, AuditLinesListTheServicesAndMetricsCountEachKind) {
  v1::BuildConvoAiTokenResponse convo;
  ASSERT_TRUE(Run(agora_token::BuildConvoAiToken, ConvoAiRequest(), &convo).ok());
  const std::string audit = AuditText();
  EXPECT_NE(audit.find("\"kind\":\"convo_ai\",\"services\":[\"convo_ai\",\"rtc\",\"rtm\"]"),
            std::string::npos)
      << audit;
  EXPECT_EQ(audit.find(convo.token()), std::string::npos);
  const std::string metrics = metrics_.Render();
  for (const char* kind : {"convo_ai", "rtc", "rtm"}) {
    EXPECT_NE(metrics.find(std::string("agora_token_tokens_issued_total{kind=\"") + kind +
                           "\",version=\"007\"} 1"),
              std::string::npos)
        << kind;
  }
  EXPECT_NE(metrics.find("agora_token_tokens_issued_total{kind=\"stt\",version=\"007\"} 0"),
            std::string::npos);
}

}  // namespace
}  // namespace agora_token_server_test
