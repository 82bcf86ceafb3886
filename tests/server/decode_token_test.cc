// DecodeToken end to end: signature states (006 with each kind of subject
// and without one, 007, a foreign certificate, the secondary certificate of
// an app in rotation) and expiry states against the server's fixed clock.
// Tokens the server did not build come from the core's builders with chosen
// issue times, so expired tokens need no waiting.
#include <string>

#include "core/base64.h"
#include "core/compression.h"
#include "core/signing.h"
#include "core/token.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/server/test_support.h"

namespace agora_token_server_test {
namespace {

namespace v1 = agora::token::v1;
using agora_token::AppCredentials;
using agora_token::BuiltToken;
using agora_token::Compression;
using agora_token::Issuance;
using agora_token::RtcUser;

constexpr uint32_t kDay = agora_token::kMaxTokenLifetimeSeconds;
AppCredentials InlineApp() { return {kInlineAppId, kInlineCertificate}; }

class DecodeRpcTest : public ServerTest {
 protected:
  v1::DecodeTokenResponse Decode(const v1::DecodeTokenRequest& request) {
    v1::DecodeTokenResponse response;
    grpc::ClientContext context;
    const grpc::Status status = stub().DecodeToken(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
    return response;
  }
  v1::DecodeTokenResponse Decode(const std::string& token) {
    v1::DecodeTokenRequest request;
    request.set_token(token);
    return Decode(request);
  }

  std::string BuildRtc006(const v1::BuildRtcTokenWithUidRequest& request) {
    v1::BuildRtcTokenWithUidResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(stub().BuildRtcTokenWithUid(&context, request, &response).ok());
    const agora_token::Token006Subject subject =
        agora_token::Token006Subject::ForRtc(request.channel_name(), RtcUser(request.uid()));
    EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, &subject));
    return response.token();
  }
};

// A core-built token; fails the test (and returns "") if the core refuses.
std::string Must(const absl::StatusOr<BuiltToken>& built) {
  EXPECT_TRUE(built.ok()) << built.status();
  return built.ok() ? built->token : std::string();
}

v1::BuildRtcTokenWithUidRequest Rtc006Request(uint32_t uid) {
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name("room 1");
  request.set_uid(uid);
  request.set_token_version(v1::TOKEN_VERSION_006);
  request.set_role(v1::ROLE_SUBSCRIBER);
  request.set_privilege_expired_ts(kNow + 600);
  return request;
}

TEST_F(DecodeRpcTest, Token006WithUidSubject) {
  const std::string token = BuildRtc006(Rtc006Request(42));
  v1::DecodeTokenRequest request;
  request.set_token(token);
  request.set_channel_name("room 1");
  request.set_uid(42);
  const v1::DecodeTokenResponse response = Decode(request);

  EXPECT_EQ(response.signature(), v1::SIGNATURE_STATE_VALID);
  EXPECT_EQ(response.expiry(), v1::EXPIRY_STATE_VALID);
  EXPECT_EQ(response.token_version(), v1::TOKEN_VERSION_006);
  EXPECT_EQ(response.app_id(), kInlineAppId);
  EXPECT_EQ(response.issue_ts(), 0u);  // 006 carries none
  // Everything else as the core reads it.
  absl::StatusOr<agora_token::DecodedToken> decoded = agora_token::DecodeToken(token);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(response.salt(), decoded->salt);
  EXPECT_EQ(response.expire_ts(), kNow + kDay);
  ASSERT_TRUE(response.has_token006());
  EXPECT_EQ(response.token006().ts(), decoded->ts);
  EXPECT_EQ(response.token006().crc_channel_name(), decoded->crc_channel_name);
  EXPECT_EQ(response.token006().crc_uid(), decoded->crc_uid);
  ASSERT_EQ(response.token006().privileges_size(), 1);
  EXPECT_EQ(response.token006().privileges(0).privilege(), 1u);
  EXPECT_EQ(response.token006().privileges(0).value(), kNow + 600);
  EXPECT_EQ(response.token006().privileges(0).expire_ts(), kNow + 600);
  EXPECT_TRUE(response.expired_privileges().empty());

  // Another uid or channel: the CRCs no longer match.
  request.set_uid(43);
  EXPECT_EQ(Decode(request).signature(), v1::SIGNATURE_STATE_INVALID);
  request.set_uid(42);
  request.set_channel_name("room 2");
  EXPECT_EQ(Decode(request).signature(), v1::SIGNATURE_STATE_INVALID);
}

TEST_F(DecodeRpcTest, Token006WithAccountSubject) {
  v1::BuildRtcTokenWithAccountRequest build;
  build.set_app_id(kInlineAppId);
  build.set_channel_name("room 1");
  build.set_account("alice");
  build.set_token_version(v1::TOKEN_VERSION_006);
  v1::BuildRtcTokenWithAccountResponse built;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildRtcTokenWithAccount(&context, build, &built).ok());
  const agora_token::Token006Subject subject =
      agora_token::Token006Subject::ForRtc("room 1", RtcUser(std::string("alice")));
  ASSERT_TRUE(IssuedTokenChecks(AsIssued(built), kInlineCertificate, &subject));

  v1::DecodeTokenRequest request;
  request.set_token(built.token());
  request.set_channel_name("room 1");
  request.set_account("alice");
  EXPECT_EQ(Decode(request).signature(), v1::SIGNATURE_STATE_VALID);
  request.set_account("alicia");
  EXPECT_EQ(Decode(request).signature(), v1::SIGNATURE_STATE_INVALID);
}

TEST_F(DecodeRpcTest, Token006WithRtmUserIdSubject) {
  v1::BuildRtmTokenRequest build;
  build.set_app_id(kInlineAppId);
  build.set_user_id("bob");
  build.set_token_version(v1::TOKEN_VERSION_006);
  v1::BuildRtmTokenResponse built;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildRtmToken(&context, build, &built).ok());
  const agora_token::Token006Subject subject = agora_token::Token006Subject::ForRtm("bob");
  ASSERT_TRUE(IssuedTokenChecks(AsIssued(built), kInlineCertificate, &subject));

  v1::DecodeTokenRequest request;
  request.set_token(built.token());
  request.set_rtm_user_id("bob");
  const v1::DecodeTokenResponse response = Decode(request);
  EXPECT_EQ(response.signature(), v1::SIGNATURE_STATE_VALID);
  ASSERT_EQ(response.token006().privileges_size(), 1);
  EXPECT_EQ(response.token006().privileges(0).privilege(), 1000u);
  request.set_rtm_user_id("bobby");
  EXPECT_EQ(Decode(request).signature(), v1::SIGNATURE_STATE_INVALID);
}

TEST_F(DecodeRpcTest, Token006WithoutSubjectIsNotChecked) {
  const std::string token = BuildRtc006(Rtc006Request(42));
  const v1::DecodeTokenResponse response = Decode(token);
  EXPECT_EQ(response.signature(), v1::SIGNATURE_STATE_NOT_CHECKED);
  EXPECT_EQ(response.expiry(), v1::EXPIRY_STATE_VALID);
  EXPECT_EQ(response.app_id(), kInlineAppId);
}

TEST_F(DecodeRpcTest, Token007) {
  v1::BuildRtcTokenWithAccountRequest build;
  build.set_app_id(kRotatingAppId);
  build.set_channel_name("room 1");
  build.set_account("carol");
  build.set_token_expire_seconds(3600);
  build.set_with_rtm(true);
  v1::BuildRtcTokenWithAccountResponse built;
  grpc::ClientContext context;
  ASSERT_TRUE(stub().BuildRtcTokenWithAccount(&context, build, &built).ok());
  ASSERT_TRUE(IssuedTokenChecks(AsIssued(built), kRotatingPrimary, nullptr));

  const v1::DecodeTokenResponse response = Decode(built.token());
  EXPECT_EQ(response.signature(), v1::SIGNATURE_STATE_VALID);
  EXPECT_EQ(response.expiry(), v1::EXPIRY_STATE_VALID);
  EXPECT_EQ(response.token_version(), v1::TOKEN_VERSION_007);
  EXPECT_EQ(response.app_id(), kRotatingAppId);
  EXPECT_EQ(response.salt(), built.salt());
  EXPECT_EQ(response.issue_ts(), kNow);
  EXPECT_EQ(response.expire_ts(), built.expire_ts());
  EXPECT_EQ(response.unknown_service_type(), 0u);
  ASSERT_TRUE(response.has_token007());
  EXPECT_EQ(response.token007().expire_seconds(), 3600u);
  ASSERT_EQ(response.token007().services_size(), 2);
  const v1::DecodedService& rtc = response.token007().services(0);
  EXPECT_EQ(rtc.type(), v1::SERVICE_TYPE_RTC);
  EXPECT_EQ(rtc.channel_name(), "room 1");
  EXPECT_EQ(rtc.account(), "carol");
  ASSERT_EQ(rtc.privileges_size(), 4);
  const v1::DecodedService& rtm = response.token007().services(1);
  EXPECT_EQ(rtm.type(), v1::SERVICE_TYPE_RTM);
  EXPECT_EQ(rtm.user_id(), "carol");
  // The decoded privileges' effective expiries are the build response's.
  int next = 0;
  for (const v1::DecodedService& service : response.token007().services()) {
    for (const v1::DecodedPrivilege& p : service.privileges()) {
      ASSERT_LT(next, built.privilege_expiries_size());
      EXPECT_EQ(p.expire_ts(), built.privilege_expiries(next).expire_ts());
      EXPECT_EQ(p.privilege(), built.privilege_expiries(next).privilege());
      ++next;
    }
  }
  EXPECT_EQ(next, built.privilege_expiries_size());
}

TEST_F(DecodeRpcTest, WrongCertificateIsInvalid) {
  const AppCredentials forged{kInlineAppId, kForeignCertificate};
  const std::string token007 = Must(agora_token::BuildRtmToken007(
      forged, "mallory", 0, Issuance{kNow, 1}, Compression::kCompatible));
  EXPECT_EQ(Decode(token007).signature(), v1::SIGNATURE_STATE_INVALID);

  const std::string token006 =
      Must(agora_token::BuildRtmToken006(forged, "mallory", 0, Issuance{kNow, 1}));
  v1::DecodeTokenRequest request;
  request.set_token(token006);
  request.set_rtm_user_id("mallory");
  EXPECT_EQ(Decode(request).signature(), v1::SIGNATURE_STATE_INVALID);
}

TEST_F(DecodeRpcTest, SecondaryCertificateIsValid) {
  const AppCredentials secondary{kRotatingAppId, kRotatingSecondary};
  agora_token::Rtc007Params params;
  params.channel_name = "room 1";
  params.user = RtcUser(uint32_t{8});
  const std::string token007 =
      Must(agora_token::BuildRtcToken007(secondary, params, Issuance{kNow, 2}, Compression::kFast));
  EXPECT_EQ(Decode(token007).signature(), v1::SIGNATURE_STATE_VALID);

  agora_token::Rtc006Params params006;
  params006.channel_name = "room 1";
  params006.user = RtcUser(uint32_t{8});
  const std::string token006 =
      Must(agora_token::BuildRtcToken006(secondary, params006, Issuance{kNow, 3}));
  v1::DecodeTokenRequest request;
  request.set_token(token006);
  request.set_channel_name("room 1");
  request.set_uid(8);
  EXPECT_EQ(Decode(request).signature(), v1::SIGNATURE_STATE_VALID);

  // The inline app has no secondary: the rotating app's certificates are no
  // good for it.
  const AppCredentials other_app{kInlineAppId, kRotatingSecondary};
  EXPECT_EQ(Decode(Must(agora_token::BuildRtcToken007(other_app, params, Issuance{kNow, 2},
                                                      Compression::kFast)))
                .signature(),
            v1::SIGNATURE_STATE_INVALID);
}

TEST_F(DecodeRpcTest, Expired007Token) {
  // Issued two hours before the server's now, for one hour.
  const std::string token = Must(agora_token::BuildRtmToken007(
      InlineApp(), "dave", 3600, Issuance{kNow - 7200, 4}, Compression::kCompatible));
  const v1::DecodeTokenResponse response = Decode(token);
  EXPECT_EQ(response.expiry(), v1::EXPIRY_STATE_TOKEN_EXPIRED);
  EXPECT_EQ(response.signature(), v1::SIGNATURE_STATE_VALID);
  EXPECT_EQ(response.issue_ts(), kNow - 7200);
  EXPECT_EQ(response.expire_ts(), kNow - 3600);
  // With the token gone, no privilege is listed on its own.
  EXPECT_TRUE(response.expired_privileges().empty());
}

TEST_F(DecodeRpcTest, Expired006Token) {
  // 006 tokens live 24 hours; this one was issued 25 hours ago.
  const std::string token =
      Must(agora_token::BuildRtmToken006(InlineApp(), "dave", 0, Issuance{kNow - kDay - 3600, 5}));
  const v1::DecodeTokenResponse response = Decode(token);
  EXPECT_EQ(response.expiry(), v1::EXPIRY_STATE_TOKEN_EXPIRED);
  EXPECT_EQ(response.expire_ts(), kNow - 3600);
}

TEST_F(DecodeRpcTest, TokenValidUpToItsLastSecond) {
  const std::string token = Must(agora_token::BuildRtmToken007(
      InlineApp(), "dave", 3600, Issuance{kNow - 3600, 6}, Compression::kCompatible));
  EXPECT_EQ(Decode(token).expiry(), v1::EXPIRY_STATE_VALID);
}

TEST_F(DecodeRpcTest, ExpiredPrivilege) {
  // Issued two minutes ago for an hour; publishing audio stopped after one.
  agora_token::Rtc007Params params;
  params.channel_name = "room 1";
  params.user = RtcUser(uint32_t{9});
  params.token_expire = 3600;
  params.privilege_expires = agora_token::RtcPrivilegeExpires{0, 60, 0, 0};
  const std::string token = Must(agora_token::BuildRtcToken007(
      InlineApp(), params, Issuance{kNow - 120, 7}, Compression::kCompatible));
  const v1::DecodeTokenResponse response = Decode(token);

  EXPECT_EQ(response.expiry(), v1::EXPIRY_STATE_PRIVILEGE_EXPIRED);
  EXPECT_EQ(response.signature(), v1::SIGNATURE_STATE_VALID);
  EXPECT_TRUE(PrivilegesAre(response.expired_privileges(), {{v1::SERVICE_TYPE_RTC, 2, kNow - 60}}));
  // And the privilege lists the same effective expiry as CheckExpiry.
  absl::StatusOr<agora_token::DecodedToken> decoded = agora_token::DecodeToken(token);
  ASSERT_TRUE(decoded.ok());
  const agora_token::ExpiryReport report = agora_token::CheckExpiry(*decoded, kNow);
  ASSERT_EQ(response.token007().services_size(), 1);
  const v1::DecodedService& rtc = response.token007().services(0);
  ASSERT_EQ(static_cast<size_t>(rtc.privileges_size()), report.privileges.size());
  for (int i = 0; i < rtc.privileges_size(); ++i) {
    EXPECT_EQ(rtc.privileges(i).expire_ts(), report.privileges[static_cast<size_t>(i)].expire_ts);
  }
  EXPECT_EQ(rtc.privileges(1).value(), 60u);
}

TEST_F(DecodeRpcTest, ExpiredPrivilegeOf006Token) {
  const std::string token =
      Must(agora_token::BuildRtmToken006(InlineApp(), "dave", kNow - 10, Issuance{kNow - 100, 8}));
  v1::DecodeTokenRequest request;
  request.set_token(token);
  request.set_rtm_user_id("dave");
  const v1::DecodeTokenResponse response = Decode(request);
  EXPECT_EQ(response.expiry(), v1::EXPIRY_STATE_PRIVILEGE_EXPIRED);
  EXPECT_TRUE(PrivilegesAre(response.expired_privileges(),
                            {{v1::SERVICE_TYPE_UNSPECIFIED, 1000, kNow - 10}}));
}

TEST_F(DecodeRpcTest, ChannelNameAndSubjectAreIgnoredFor007) {
  const std::string token = Must(agora_token::BuildRtmToken007(
      InlineApp(), "dave", 0, Issuance{kNow, 9}, Compression::kCompatible));
  v1::DecodeTokenRequest request;
  request.set_token(token);
  request.set_channel_name("unrelated");
  request.set_uid(1);
  EXPECT_EQ(Decode(request).signature(), v1::SIGNATURE_STATE_VALID);
}

// A 007 token may carry any bytes in its strings; the reference builders
// check nothing. Bytes that are not UTF-8 cannot go into a proto3 string
// as they are: DecodeToken gives them readable (U+FFFD) in the string field
// and exactly in its *_bytes twin, and every client can parse the answer.
TEST_F(DecodeRpcTest, StringsThatAreNotUtf8TravelExactlyInTheirBytesTwins) {
  std::string info;
  auto u16 = [&info](uint16_t v) {
    info.append({static_cast<char>(v & 0xff), static_cast<char>(v >> 8)});
  };
  auto u32 = [&](uint32_t v) {
    u16(static_cast<uint16_t>(v & 0xffff));
    u16(static_cast<uint16_t>(v >> 16));
  };
  auto str = [&](std::string_view bytes) {
    u16(static_cast<uint16_t>(bytes.size()));
    info.append(bytes);
  };
  const std::string channel = "room-\xff\xfe";
  const std::string account = "\xc3\x28";    // a bad two-byte sequence
  const std::string rtm_user = "user-\xe9";  // Latin-1, not UTF-8
  str(kInlineAppId);
  u32(kNow);
  u32(3600);
  u32(7);
  u16(2);  // services
  u16(1);  // RTC: join, then channel and account
  u16(1);
  u16(1);
  u32(0);
  str(channel);
  str(account);
  u16(2);  // RTM: login, then the user id
  u16(1);
  u16(1);
  u32(0);
  str(rtm_user);
  const agora_token::Sha256Digest signature =
      agora_token::Sign007(kInlineCertificate, kNow, 7, info);
  std::string content;
  content.append({static_cast<char>(32), 0});
  content.append(agora_token::AsStringView(signature));
  content.append(info);
  std::string stream;
  agora_token::ZlibCompress(content, agora_token::Compression::kCompatible, &stream);
  std::string token = "007";
  agora_token::Base64Append(stream, &token);

  v1::DecodeTokenRequest request;
  request.set_token(token);
  grpc::ClientContext context;
  v1::DecodeTokenResponse response;
  ASSERT_TRUE(stub().DecodeToken(&context, request, &response).ok());
  EXPECT_EQ(response.signature(), v1::SIGNATURE_STATE_VALID);
  ASSERT_EQ(response.token007().services_size(), 2);
  const v1::DecodedService& rtc = response.token007().services(0);
  EXPECT_EQ(rtc.channel_name(), "room-\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(rtc.channel_name_bytes(), channel);
  EXPECT_EQ(rtc.account(), "\xEF\xBF\xBD(");
  EXPECT_EQ(rtc.account_bytes(), account);
  const v1::DecodedService& rtm = response.token007().services(1);
  EXPECT_EQ(rtm.user_id(), "user-\xEF\xBF\xBD");
  EXPECT_EQ(rtm.user_id_bytes(), rtm_user);
  // A valid string has no twin.
  EXPECT_TRUE(rtc.user_id_bytes().empty());

  // The whole answer survives a strict UTF-8 parse (what other languages do).
  v1::DecodeTokenResponse reparsed;
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(response, &json).ok());
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &reparsed).ok());
  EXPECT_EQ(reparsed.token007().services(0).channel_name_bytes(), channel);
}

}  // namespace
}  // namespace agora_token_server_test
