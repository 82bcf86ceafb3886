// core/access_token2.h: the general AccessToken2 builder against npm
// agora-token 2.0.6's AccessToken2 for every service type alone, all ten in
// one token and repeated types out of order; the stable packing order; and
// every field and privilege rule with the path it reports.
#include "core/access_token2.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/input_rules.h"
#include "gtest/gtest.h"
#include "tests/core/test_support.h"

namespace agora_token {
namespace {

using agora_token_test::AppOf;
using agora_token_test::InPackedOrder;
using agora_token_test::IssuanceOf;
using agora_token_test::LoadVectors;
using agora_token_test::Rtm2ResourcesOf;
using agora_token_test::TestApp;
using agora_token_test::Vector;

using agora_token_test::kAt;

// A vector's "services" entry as the request gives it (any order inside).
ServiceGrant GrantOf(const nlohmann::json& s) {
  ServiceGrant grant;
  grant.type = s.at("type").get<uint16_t>();
  for (const nlohmann::json& p : s.at("privileges")) {
    grant.privileges.push_back({p.at(0).get<uint16_t>(), p.at(1).get<uint32_t>()});
  }
  grant.channel_name = s.value("channel_name", "");
  grant.account = s.value("account", "");
  grant.user_id = s.value("user_id", "");
  grant.room_uuid = s.value("room_uuid", "");
  grant.user_uuid = s.value("user_uuid", "");
  if (s.contains("role")) grant.role = s.at("role").get<int32_t>();
  if (s.contains("rtm2_resources")) grant.rtm2_resources = Rtm2ResourcesOf(s.at("rtm2_resources"));
  return grant;
}

// What the token must carry for one entry: privileges, RTM2 resource types
// and permission types ascending (the references keep them in maps), the
// APaaS role -1 when unset.
DecodedService ExpectedOf(const nlohmann::json& s) {
  const ServiceGrant grant = GrantOf(s);
  DecodedService out;
  out.type = grant.type;
  out.privileges = grant.privileges;
  std::sort(out.privileges.begin(), out.privileges.end(),
            [](const auto& a, const auto& b) { return a.privilege < b.privilege; });
  out.channel_name = grant.channel_name;
  out.account = grant.account;
  out.user_id = grant.user_id;
  out.room_uuid = grant.room_uuid;
  out.user_uuid = grant.user_uuid;
  out.role = grant.type == kServiceApaas ? static_cast<int16_t>(grant.role.value_or(-1)) : 0;
  out.rtm2_resources = InPackedOrder(grant.rtm2_resources);
  return out;
}

AccessToken2Params ParamsOf(const nlohmann::json& v) {
  AccessToken2Params params;
  params.token_expire = v.at("token_expire").get<uint32_t>();
  for (const nlohmann::json& s : v.at("services")) params.services.push_back(GrantOf(s));
  return params;
}

// Token order: by type, and in request order within a type.
std::vector<DecodedService> ExpectedServices(const nlohmann::json& v) {
  std::vector<DecodedService> out;
  for (uint16_t type = 1; type <= kServiceStt; ++type) {
    for (const nlohmann::json& s : v.at("services")) {
      if (s.at("type").get<uint16_t>() == type) out.push_back(ExpectedOf(s));
    }
  }
  return out;
}

class AccessToken2VectorTest : public ::testing::TestWithParam<Vector> {};

TEST_P(AccessToken2VectorTest, BuildsTheReferenceToken) {
  const nlohmann::json& v = GetParam().fields;
  const std::vector<DecodedService> expected = ExpectedServices(v);
  ASSERT_EQ(expected.size(), v.at("services").size());
  agora_token_test::ExpectBuildsVector(
      GetParam(),
      [&](Compression compression) {
        return BuildAccessToken2(AppOf(v), ParamsOf(v), IssuanceOf(v), compression);
      },
      expected);
}

TEST_P(AccessToken2VectorTest, AppKeyOverloadBuildsTheSameToken) {
  const nlohmann::json& v = GetParam().fields;
  absl::StatusOr<AppKey> key = AppKey::New(AppOf(v));
  ASSERT_TRUE(key.ok()) << key.status();
  absl::StatusOr<BuiltToken> a =
      BuildAccessToken2(*key, ParamsOf(v), IssuanceOf(v), Compression::kCompatible);
  absl::StatusOr<BuiltToken> b =
      BuildAccessToken2(AppOf(v), ParamsOf(v), IssuanceOf(v), Compression::kCompatible);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->token, b->token);
}

INSTANTIATE_TEST_SUITE_P(Extra, AccessToken2VectorTest,
                         ::testing::ValuesIn(LoadVectors("extra.json", "access_token2_007")),
                         [](const auto& info) { return agora_token_test::VectorName(info.param); });

TEST(AccessToken2VectorsTest, CoverEveryTypeAloneAndTogether) {
  std::vector<int> alone(kServiceStt + 1, 0);
  bool all_in_one = false;
  bool repeated = false;
  for (const Vector& vector : LoadVectors("extra.json", "access_token2_007")) {
    const nlohmann::json& services = vector.fields.at("services");
    if (services.size() == 1) ++alone[services[0].at("type").get<int>()];
    std::vector<int> count(kServiceStt + 1, 0);
    for (const nlohmann::json& s : services) ++count[s.at("type").get<int>()];
    all_in_one |= std::count(count.begin() + 1, count.end(), 1) == kServiceStt;
    repeated |= *std::max_element(count.begin(), count.end()) > 1;
  }
  for (int type = 1; type <= kServiceStt; ++type) EXPECT_GE(alone[type], 1) << type;
  EXPECT_TRUE(all_in_one);
  EXPECT_TRUE(repeated);
}

// ---------------------------------------------------------------------------
// Packing order and what the builder reports.

ServiceGrant Rtc(std::string channel, std::string account, std::vector<PrivilegeValue> p) {
  ServiceGrant g;
  g.type = kServiceRtc;
  g.privileges = std::move(p);
  g.channel_name = std::move(channel);
  g.account = std::move(account);
  return g;
}

ServiceGrant UserGrant(uint16_t type, std::string user_id, std::vector<PrivilegeValue> p) {
  ServiceGrant g;
  g.type = type;
  g.privileges = std::move(p);
  g.user_id = std::move(user_id);
  return g;
}

ServiceGrant Bare(uint16_t type, std::vector<PrivilegeValue> p = {}) {
  ServiceGrant g;
  g.type = type;
  g.privileges = std::move(p);
  return g;
}

absl::StatusOr<BuiltToken> Build(std::vector<ServiceGrant> services, uint32_t expire = 600) {
  return BuildAccessToken2(TestApp(), {expire, std::move(services)}, kAt, Compression::kFast);
}

TEST(AccessToken2Test, PacksByTypeKeepingRequestOrderWithinAType) {
  absl::StatusOr<BuiltToken> built =
      Build({Bare(kServiceStt), Rtc("b", "2", {{1, 0}}), UserGrant(kServiceRtm, "u", {{1, 0}}),
             Rtc("a", "1", {{1, 0}}), Bare(kServiceConvoAi), Rtc("c", "", {{1, 0}})});
  ASSERT_TRUE(built.ok()) << built.status();
  absl::StatusOr<DecodedToken> decoded = DecodeToken(built->token);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  std::vector<std::pair<uint16_t, std::string>> order;
  for (const DecodedService& s : decoded->services) order.push_back({s.type, s.channel_name});
  EXPECT_EQ(order, (std::vector<std::pair<uint16_t, std::string>>{{kServiceRtc, "b"},
                                                                  {kServiceRtc, "a"},
                                                                  {kServiceRtc, "c"},
                                                                  {kServiceRtm, ""},
                                                                  {kServiceConvoAi, ""},
                                                                  {kServiceStt, ""}}));
  EXPECT_TRUE(VerifySignature(*decoded, agora_token_test::kAppCertificate).ok());
}

TEST(AccessToken2Test, ReportsEveryPrivilegeCappedByTheToken) {
  absl::StatusOr<BuiltToken> built =
      Build({UserGrant(kServiceChat, "", {{kChatApp, 100000}}), Bare(kServiceFpa, {{kFpaLogin, 0}}),
             Rtc("c", "1", {{kRtcPublishAudio, 60}, {kRtcJoinChannel, 0}})},
            3600);
  ASSERT_TRUE(built.ok()) << built.status();
  const uint32_t end = kAt.issue_ts + 3600;
  EXPECT_EQ(built->expire_ts, end);
  EXPECT_EQ(agora_token_test::Sorted(built->privileges),
            (std::vector<PrivilegeExpiry>{{kServiceRtc, kRtcJoinChannel, end},
                                          {kServiceRtc, kRtcPublishAudio, kAt.issue_ts + 60},
                                          {kServiceFpa, kFpaLogin, end},
                                          {kServiceChat, kChatApp, end}}));
}

TEST(AccessToken2Test, TokenExpireFollowsThe24HourRule) {
  for (const uint32_t requested : {0u, 86401u, 4294967295u}) {
    absl::StatusOr<BuiltToken> built = Build({Bare(kServiceFpa, {{1, 0}})}, requested);
    ASSERT_TRUE(built.ok()) << built.status();
    EXPECT_EQ(built->expire_ts, kAt.issue_ts + kMaxTokenLifetimeSeconds) << requested;
  }
  absl::StatusOr<BuiltToken> built = Build({Bare(kServiceFpa, {{1, 0}})}, 86400);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->expire_ts, kAt.issue_ts + 86400);
}

// ---------------------------------------------------------------------------
// Input rules, each at and past its bound, with the field path reported.

void ExpectViolation(const absl::StatusOr<BuiltToken>& built, const std::string& field) {
  ASSERT_FALSE(built.ok()) << field;
  EXPECT_EQ(built.status().code(), absl::StatusCode::kInvalidArgument) << built.status();
  EXPECT_EQ(InvalidFieldName(built.status()), field) << built.status();
}

TEST(AccessToken2RulesTest, OneToSixteenServices) {
  ExpectViolation(Build({}), "services");
  std::vector<ServiceGrant> sixteen(16, Bare(kServiceFpa, {{1, 0}}));
  EXPECT_TRUE(Build(sixteen).ok());
  sixteen.push_back(Bare(kServiceFpa, {{1, 0}}));
  ExpectViolation(Build(sixteen), "services");
}

TEST(AccessToken2RulesTest, ServiceTypesOneToTen) {
  for (uint16_t type = 1; type <= 10; ++type) EXPECT_NE(ServiceTypeName(type), "unknown");
  ExpectViolation(Build({Bare(kServiceFpa, {{1, 0}}), Bare(0)}), "services[1].type");
  ExpectViolation(Build({Bare(11)}), "services[0].type");
  ExpectViolation(Build({Bare(0xffff)}), "services[0].type");
}

TEST(AccessToken2RulesTest, PrivilegeIdsOfEachType) {
  // The highest id of each type is accepted, the next one is not.
  const std::vector<std::pair<ServiceGrant, uint16_t>> highest = {
      {Rtc("c", "1", {}), 4},
      {UserGrant(kServiceRtm, "u", {}), 1},
      {[] {
         ServiceGrant g = Bare(kServiceStreaming);
         g.channel_name = "c";
         return g;
       }(),
       2},
      {Bare(kServiceFpa), 1},
      {UserGrant(kServiceChat, "u", {}), 2},
      {[] {
         ServiceGrant g = Bare(kServiceFcdn);
         g.channel_name = "c";
         return g;
       }(),
       2},
      {Bare(kServiceApaas), 3},
      {UserGrant(kServiceRtm2, "u", {}), 1},
  };
  for (const auto& [grant, max] : highest) {
    SCOPED_TRACE(ServiceTypeName(grant.type));
    ServiceGrant ok = grant;
    ok.privileges = {{max, 0}, {1, 5}};
    if (max == 1) ok.privileges.pop_back();
    EXPECT_TRUE(Build({ok}).ok());
    ServiceGrant past = grant;
    past.privileges = {{static_cast<uint16_t>(max + 1), 0}};
    ExpectViolation(Build({past}), "services[0].privileges[0].privilege");
    past.privileges = {{0, 0}};
    ExpectViolation(Build({past}), "services[0].privileges[0].privilege");
  }
  for (uint16_t type : {kServiceConvoAi, kServiceStt}) {
    EXPECT_TRUE(Build({Bare(type)}).ok());
    ExpectViolation(Build({Bare(type, {{1, 0}})}), "services[0].privileges[0].privilege");
  }
}

TEST(AccessToken2RulesTest, APrivilegeAppearsOnce) {
  ExpectViolation(Build({Rtc("c", "1", {{1, 0}, {2, 0}, {1, 60}})}),
                  "services[0].privileges[2].privilege");
}

TEST(AccessToken2RulesTest, FieldsATypeLacksMustStayUnset) {
  ServiceGrant rtc = Rtc("c", "1", {{1, 0}});
  rtc.room_uuid = "r";
  ExpectViolation(Build({Bare(kServiceFpa, {{1, 0}}), rtc}), "services[1].room_uuid");
  rtc = Rtc("c", "1", {{1, 0}});
  rtc.user_id = "u";
  ExpectViolation(Build({rtc}), "services[0].user_id");
  rtc = Rtc("c", "1", {{1, 0}});
  rtc.role = -1;
  ExpectViolation(Build({rtc}), "services[0].role");
  ServiceGrant rtm = UserGrant(kServiceRtm, "u", {{1, 0}});
  rtm.rtm2_resources = {{0, {{0, {"c"}}}}};
  ExpectViolation(Build({rtm}), "services[0].rtm2_resources");
  ServiceGrant fpa = Bare(kServiceFpa);
  fpa.channel_name = "c";
  ExpectViolation(Build({fpa}), "services[0].channel_name");
  ServiceGrant stt = Bare(kServiceStt);
  stt.account = "1";
  ExpectViolation(Build({stt}), "services[0].account");
  ServiceGrant apaas = Bare(kServiceApaas);
  apaas.user_id = "u";
  ExpectViolation(Build({apaas}), "services[0].user_id");
  ServiceGrant chat = UserGrant(kServiceChat, "u", {});
  chat.user_uuid = "u";
  ExpectViolation(Build({chat}), "services[0].user_uuid");
}

TEST(AccessToken2RulesTest, ChannelsAndAccounts) {
  for (uint16_t type : {kServiceRtc, kServiceStreaming, kServiceFcdn}) {
    SCOPED_TRACE(ServiceTypeName(type));
    ServiceGrant g = Bare(type);
    g.channel_name = std::string(64, 'c');
    g.account = std::string(255, 'a');
    EXPECT_TRUE(Build({g}).ok());
    g.account = "";  // uid 0: any user
    EXPECT_TRUE(Build({g}).ok());
    g.channel_name = std::string(65, 'c');
    ExpectViolation(Build({g}), "services[0].channel_name");
    g.channel_name = "";
    ExpectViolation(Build({g}), "services[0].channel_name");
    g.channel_name = "c";
    g.account = std::string(256, 'a');
    ExpectViolation(Build({g}), "services[0].account");
    g.account = "o'neil";
    ExpectViolation(Build({g}), "services[0].account");
  }
}

TEST(AccessToken2RulesTest, WildcardOnlyInRtcGrantsWithAUser) {
  EXPECT_TRUE(Build({Rtc("*", "1", {{1, 0}})}).ok());
  EXPECT_TRUE(Build({Rtc("*", "alice", {{1, 0}})}).ok());
  ExpectViolation(Build({Rtc("*", "", {{1, 0}})}), "services[0].channel_name");
  for (uint16_t type : {kServiceStreaming, kServiceFcdn}) {
    ServiceGrant g = Bare(type);
    g.channel_name = "*";
    g.account = "1";
    ExpectViolation(Build({g}), "services[0].channel_name");
  }
}

TEST(AccessToken2RulesTest, UserIds) {
  for (uint16_t type : {kServiceRtm, kServiceRtm2, kServiceChat}) {
    SCOPED_TRACE(ServiceTypeName(type));
    EXPECT_TRUE(Build({UserGrant(type, std::string(64, 'u'), {{1, 0}})}).ok());
    ExpectViolation(Build({UserGrant(type, std::string(65, 'u'), {{1, 0}})}),
                    "services[0].user_id");
    ExpectViolation(Build({UserGrant(type, "a\tb", {{1, 0}})}), "services[0].user_id");
  }
  // Only Chat (its app token) goes without a user.
  EXPECT_TRUE(Build({UserGrant(kServiceChat, "", {{kChatApp, 0}})}).ok());
  ExpectViolation(Build({UserGrant(kServiceRtm, "", {{1, 0}})}), "services[0].user_id");
  ExpectViolation(Build({UserGrant(kServiceRtm2, "", {{1, 0}})}), "services[0].user_id");
}

TEST(AccessToken2RulesTest, ApaasFields) {
  ServiceGrant g = Bare(kServiceApaas, {{kApaasRoomUser, 0}});
  g.room_uuid = std::string(64, 'r');
  g.user_uuid = std::string(255, 'u');
  g.role = 32767;
  EXPECT_TRUE(Build({g}).ok());
  g.role = -1;
  EXPECT_TRUE(Build({g}).ok());
  g.role = -2;
  ExpectViolation(Build({g}), "services[0].role");
  g.role = 32768;
  ExpectViolation(Build({g}), "services[0].role");
  g.role.reset();
  g.room_uuid = std::string(65, 'r');
  ExpectViolation(Build({g}), "services[0].room_uuid");
  g.room_uuid = "r";
  g.user_uuid = std::string(256, 'u');
  ExpectViolation(Build({g}), "services[0].user_uuid");
  g.user_uuid = std::string("a\0b", 3);
  ExpectViolation(Build({g}), "services[0].user_uuid");
  g.user_uuid = "\xFF";
  ExpectViolation(Build({g}), "services[0].user_uuid");
}

TEST(AccessToken2RulesTest, Rtm2ResourcesReportTheirPath) {
  ServiceGrant g = UserGrant(kServiceRtm2, "u", {{1, 0}});
  g.rtm2_resources = {{kRtm2Users, {{kRtm2Write, {"ok", std::string(65, 'u')}}}}};
  ExpectViolation(Build({Bare(kServiceFpa, {{1, 0}}), g}),
                  "services[1].rtm2_resources[0].permissions[0].names[1]");
}

TEST(AccessToken2RulesTest, TokensLongerThanTheDecoderTakesAreRefused) {
  // 16 RTM2 services with 64 incompressible-enough names each.
  std::vector<std::string> names;
  for (int i = 0; i < 64; ++i)
    names.push_back(std::to_string(i * 7919) + std::string(50, 'a' + i % 26));
  ServiceGrant g = UserGrant(kServiceRtm2, "u", {{1, 0}});
  g.rtm2_resources = {{kRtm2MessageChannels, {{kRtm2Read, names}}}};
  EXPECT_TRUE(Build({g}).ok());
  ExpectViolation(Build(std::vector<ServiceGrant>(16, g)), "services");
}

TEST(AccessToken2RulesTest, IssuanceAndCredentials) {
  ExpectViolation(
      BuildAccessToken2(TestApp(), {0, {Bare(kServiceFpa, {{1, 0}})}}, {0, 1}, Compression::kFast),
      "issue_ts");
  AppCredentials app = TestApp();
  app.app_certificate[0] = 'g';
  ExpectViolation(
      BuildAccessToken2(app, {0, {Bare(kServiceFpa, {{1, 0}})}}, kAt, Compression::kFast),
      "app_certificate");
}

}  // namespace
}  // namespace agora_token
