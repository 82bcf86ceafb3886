// core/service_builders.h: every known-answer vector of FPA, APaaS (from the
// C++/Python references' Python builders), RTM2 with permissions, RTC with
// RTM for another user, ConvoAI and STT (from npm agora-token 2.0.6), and
// each builder's input rules at and past their bounds.
#include "core/service_builders.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/access_token2.h"
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

DecodedService Service(uint16_t type, std::vector<PrivilegeValue> privileges) {
  DecodedService s;
  s.type = type;
  s.privileges = std::move(privileges);
  return s;
}

DecodedService UserService(uint16_t type, std::string user_id, uint16_t privilege, uint32_t value) {
  DecodedService s = Service(type, {{privilege, value}});
  s.user_id = std::move(user_id);
  return s;
}

DecodedService ApaasService(uint16_t privilege, uint32_t value, std::string room, std::string user,
                            int16_t role) {
  DecodedService s = Service(kServiceApaas, {{privilege, value}});
  s.room_uuid = std::move(room);
  s.user_uuid = std::move(user);
  s.role = role;
  return s;
}

std::string Text(const nlohmann::json& v, const char* key) { return v.at(key).get<std::string>(); }
uint32_t Number(const nlohmann::json& v, const char* key) { return v.at(key).get<uint32_t>(); }

RtcWithRtmParams RtcWithRtmOf(const nlohmann::json& v) {
  RtcWithRtmParams p;
  p.channel_name = Text(v, "channel_name");
  if (v.contains("uid")) {
    p.user = Number(v, "uid");
  } else {
    p.user = Text(v, "account");
  }
  p.role = static_cast<RtcRole>(v.at("role").get<int>());
  p.token_expire = Number(v, "token_expire");
  p.privilege_expires = {
      Number(v, "join_channel_privilege_expire"), Number(v, "pub_audio_privilege_expire"),
      Number(v, "pub_video_privilege_expire"), Number(v, "pub_data_stream_privilege_expire")};
  p.rtm_user_id = Text(v, "rtm_user_id");
  p.rtm_token_expire = Number(v, "rtm_token_expire");
  return p;
}

ApaasTokenParams ApaasOf(const Vector& vector) {
  const nlohmann::json& v = vector.fields;
  ApaasTokenParams p;
  p.token_expire = Number(v, "token_expire");
  if (vector.kind() == "apaas007_room_user") {
    p.kind = ApaasTokenKind::kRoomUser;
    p.room_uuid = Text(v, "room_uuid");
    p.user_uuid = Text(v, "user_uuid");
    p.role = v.at("role").get<int32_t>();
  } else if (vector.kind() == "apaas007_user") {
    p.kind = ApaasTokenKind::kUser;
    p.user_uuid = Text(v, "user_uuid");
  } else {
    p.kind = ApaasTokenKind::kApp;
  }
  return p;
}

// Calls the builder a vector names.
template <typename App>
absl::StatusOr<BuiltToken> BuildFromVector(const App& app, const Vector& vector,
                                           Compression compression) {
  const nlohmann::json& v = vector.fields;
  const std::string kind = vector.kind();
  const Issuance at = IssuanceOf(v);
  if (kind == "fpa007") return BuildFpaToken(app, at, compression);
  if (kind.rfind("apaas007", 0) == 0) return BuildApaasToken(app, ApaasOf(vector), at, compression);
  if (kind == "rtm2_007") {
    return BuildRtm2Token(
        app,
        {Text(v, "user_id"), Rtm2ResourcesOf(v.at("rtm2_resources")), Number(v, "token_expire")},
        at, compression);
  }
  if (kind == "rtc007_rtm2") return BuildRtcTokenWithRtm2(app, RtcWithRtmOf(v), at, compression);
  if (kind == "convoai007") return BuildConvoAiToken(app, RtcWithRtmOf(v), at, compression);
  if (kind == "stt007") return BuildSttToken(app, RtcWithRtmOf(v), at, compression);
  return absl::InvalidArgumentError("no builder for vector kind " + kind);
}

// The services a vector's token carries, in token order, read from the
// vector's inputs as the reference builder's source describes them.
std::vector<DecodedService> ExpectedServices(const Vector& vector) {
  const nlohmann::json& v = vector.fields;
  const std::string kind = vector.kind();
  const uint32_t expire = Number(v, "token_expire");
  if (kind == "fpa007") return {Service(kServiceFpa, {{1, 0}})};
  if (kind == "apaas007_room_user") {
    // RTM (2), Chat (5), APaaS (7): packed by type, not in the order added.
    return {UserService(kServiceRtm, Text(v, "user_uuid"), kRtmLogin, expire),
            UserService(kServiceChat, Text(v, "chat_user_id"), kChatUser, expire),
            ApaasService(1, expire, Text(v, "room_uuid"), Text(v, "user_uuid"),
                         static_cast<int16_t>(v.at("role").get<int>()))};
  }
  if (kind == "apaas007_user") return {ApaasService(2, expire, "", Text(v, "user_uuid"), -1)};
  if (kind == "apaas007_app") return {ApaasService(3, expire, "", "", -1)};
  if (kind == "rtm2_007") {
    DecodedService rtm2 = UserService(kServiceRtm2, Text(v, "user_id"), 1, expire);
    rtm2.rtm2_resources = InPackedOrder(Rtm2ResourcesOf(v.at("rtm2_resources")));
    return {rtm2};
  }
  // RTC with RTM for another user, plus ConvoAI or STT.
  DecodedService rtc = Service(kServiceRtc, {{1, Number(v, "join_channel_privilege_expire")}});
  if (v.at("role").get<int>() == 1) {
    rtc.privileges.push_back({2, Number(v, "pub_audio_privilege_expire")});
    rtc.privileges.push_back({3, Number(v, "pub_video_privilege_expire")});
    rtc.privileges.push_back({4, Number(v, "pub_data_stream_privilege_expire")});
  }
  rtc.channel_name = Text(v, "channel_name");
  if (v.contains("uid")) {
    rtc.account = Number(v, "uid") == 0 ? "" : std::to_string(Number(v, "uid"));
  } else {
    rtc.account = Text(v, "account");
  }
  std::vector<DecodedService> services = {
      rtc, UserService(kServiceRtm, Text(v, "rtm_user_id"), 1, Number(v, "rtm_token_expire"))};
  if (kind == "convoai007") services.push_back(Service(kServiceConvoAi, {}));
  if (kind == "stt007") services.push_back(Service(kServiceStt, {}));
  return services;
}

const char* const kKinds[] = {"fpa007",   "apaas007_room_user", "apaas007_user", "apaas007_app",
                              "rtm2_007", "rtc007_rtm2",        "convoai007",    "stt007"};

std::vector<Vector> ServiceBuilderVectors(const std::string& file) {
  std::vector<Vector> out;
  for (const char* kind : kKinds) {
    for (Vector& v : LoadVectors(file, kind)) {
      if (v.kind() == kind) out.push_back(std::move(v));
    }
  }
  return out;
}

class ServiceBuilderVectorTest : public ::testing::TestWithParam<Vector> {};

TEST_P(ServiceBuilderVectorTest, BuildsTheReferenceToken) {
  const AppCredentials app = AppOf(GetParam().fields);
  agora_token_test::ExpectBuildsVector(
      GetParam(),
      [&](Compression compression) { return BuildFromVector(app, GetParam(), compression); },
      ExpectedServices(GetParam()));
}

TEST_P(ServiceBuilderVectorTest, AppKeyOverloadBuildsTheSameToken) {
  absl::StatusOr<AppKey> key = AppKey::New(AppOf(GetParam().fields));
  ASSERT_TRUE(key.ok()) << key.status();
  absl::StatusOr<BuiltToken> from_key = BuildFromVector(*key, GetParam(), Compression::kCompatible);
  absl::StatusOr<BuiltToken> from_credentials =
      BuildFromVector(AppOf(GetParam().fields), GetParam(), Compression::kCompatible);
  ASSERT_TRUE(from_key.ok()) << from_key.status();
  ASSERT_TRUE(from_credentials.ok()) << from_credentials.status();
  EXPECT_EQ(from_key->token, from_credentials->token);
}

INSTANTIATE_TEST_SUITE_P(Extra, ServiceBuilderVectorTest,
                         ::testing::ValuesIn(ServiceBuilderVectors("extra.json")),
                         [](const auto& info) { return agora_token_test::VectorName(info.param); });
INSTANTIATE_TEST_SUITE_P(ApaasReference, ServiceBuilderVectorTest,
                         ::testing::ValuesIn(ServiceBuilderVectors("apaas_reference.json")),
                         [](const auto& info) { return agora_token_test::VectorName(info.param); });

TEST(ServiceBuilderVectorsTest, EveryBuilderHasVectors) {
  for (const char* kind : kKinds) {
    size_t count = 0;
    for (const char* file : {"extra.json", "apaas_reference.json"}) {
      for (const Vector& v : LoadVectors(file, kind)) count += v.kind() == kind;
    }
    EXPECT_GE(count, 2u) << kind;
  }
  // The room-user token comes from the Python reference only: npm 2.0.6's
  // leaves the room-user privilege out.
  for (const Vector& v : LoadVectors("extra.json", "apaas007_room_user")) {
    ADD_FAILURE() << "npm room-user vector " << v.id();
  }
}

// ---------------------------------------------------------------------------
// Input rules of each builder.

void ExpectViolation(const absl::StatusOr<BuiltToken>& built, const std::string& field) {
  ASSERT_FALSE(built.ok()) << field;
  EXPECT_EQ(built.status().code(), absl::StatusCode::kInvalidArgument) << built.status();
  EXPECT_EQ(InvalidFieldName(built.status()), field) << built.status();
}

RtcWithRtmParams ValidRtcWithRtm() {
  RtcWithRtmParams p;
  p.channel_name = "room";
  p.user = uint32_t{7};
  p.rtm_user_id = "agent";
  return p;
}

using RtcWithRtmBuilder = absl::StatusOr<BuiltToken> (*)(const AppCredentials&,
                                                         const RtcWithRtmParams&, const Issuance&,
                                                         Compression);

class RtcWithRtmRulesTest : public ::testing::TestWithParam<RtcWithRtmBuilder> {
 protected:
  absl::StatusOr<BuiltToken> Build(const RtcWithRtmParams& p) {
    return GetParam()(TestApp(), p, kAt, Compression::kFast);
  }
};

TEST_P(RtcWithRtmRulesTest, ChannelRulesAndTheWildcard) {
  RtcWithRtmParams p = ValidRtcWithRtm();
  p.channel_name = std::string(64, 'c');
  EXPECT_TRUE(Build(p).ok());
  p.channel_name = std::string(65, 'c');
  ExpectViolation(Build(p), "channel_name");
  p.channel_name = "*";
  EXPECT_TRUE(Build(p).ok());
  p.user = std::string("alice");
  EXPECT_TRUE(Build(p).ok());
  p.user = uint32_t{0};
  ExpectViolation(Build(p), "channel_name");
}

TEST_P(RtcWithRtmRulesTest, UserRoleAndRtmUser) {
  RtcWithRtmParams p = ValidRtcWithRtm();
  p.user = std::string(255, 'a');
  EXPECT_TRUE(Build(p).ok());
  p.user = std::string(256, 'a');
  ExpectViolation(Build(p), "account");
  p.user = std::string();
  ExpectViolation(Build(p), "account");

  p = ValidRtcWithRtm();
  p.role = RtcRole::kSubscriber;
  EXPECT_TRUE(Build(p).ok());
  p.role = RtcRole::kAttendee;
  ExpectViolation(Build(p), "role");
  p.role = RtcRole::kAdmin;
  ExpectViolation(Build(p), "role");

  p = ValidRtcWithRtm();
  p.rtm_user_id = std::string(64, 'r');
  EXPECT_TRUE(Build(p).ok());
  p.rtm_user_id = std::string(65, 'r');
  ExpectViolation(Build(p), "rtm_user_id");
  p.rtm_user_id = "";
  ExpectViolation(Build(p), "rtm_user_id");
  p.rtm_user_id = "a/b";
  ExpectViolation(Build(p), "rtm_user_id");
}

TEST_P(RtcWithRtmRulesTest, ExpiriesFollowThe007Rules) {
  RtcWithRtmParams p = ValidRtcWithRtm();
  p.token_expire = 0;
  p.rtm_token_expire = 200000;  // stored as given, capped by the token
  absl::StatusOr<BuiltToken> built = Build(p);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->expire_ts, kAt.issue_ts + kMaxTokenLifetimeSeconds);
  absl::StatusOr<DecodedToken> decoded = DecodeToken(built->token);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->expire, kMaxTokenLifetimeSeconds);
  ASSERT_GE(decoded->services.size(), 2u);
  EXPECT_EQ(decoded->services[1].privileges, (std::vector<PrivilegeValue>{{kRtmLogin, 200000}}));
  for (const PrivilegeExpiry& e : built->privileges) EXPECT_LE(e.expire_ts, built->expire_ts);
}

TEST_P(RtcWithRtmRulesTest, RejectsABadIssuanceAndBadCredentials) {
  ExpectViolation(GetParam()(TestApp(), ValidRtcWithRtm(), Issuance{0, 1}, Compression::kFast),
                  "issue_ts");
  AppCredentials bad = TestApp();
  bad.app_id.pop_back();
  ExpectViolation(GetParam()(bad, ValidRtcWithRtm(), kAt, Compression::kFast), "app_id");
}

INSTANTIATE_TEST_SUITE_P(AllThree, RtcWithRtmRulesTest,
                         ::testing::Values(static_cast<RtcWithRtmBuilder>(&BuildRtcTokenWithRtm2),
                                           static_cast<RtcWithRtmBuilder>(&BuildConvoAiToken),
                                           static_cast<RtcWithRtmBuilder>(&BuildSttToken)));

TEST(ApaasRulesTest, RoomUserBounds) {
  ApaasTokenParams p{ApaasTokenKind::kRoomUser, std::string(64, 'r'), std::string(255, 'u'), 1, 0};
  EXPECT_TRUE(BuildApaasToken(TestApp(), p, kAt, Compression::kFast).ok());
  p.room_uuid = std::string(65, 'r');
  ExpectViolation(BuildApaasToken(TestApp(), p, kAt, Compression::kFast), "room_uuid");
  p.room_uuid = "";
  ExpectViolation(BuildApaasToken(TestApp(), p, kAt, Compression::kFast), "room_uuid");
  p.room_uuid = "r";
  p.user_uuid = std::string(256, 'u');
  ExpectViolation(BuildApaasToken(TestApp(), p, kAt, Compression::kFast), "user_uuid");
  p.user_uuid = "";
  ExpectViolation(BuildApaasToken(TestApp(), p, kAt, Compression::kFast), "user_uuid");
  p.user_uuid = "bad\xC3";
  ExpectViolation(BuildApaasToken(TestApp(), p, kAt, Compression::kFast), "user_uuid");
  p.user_uuid = "u";
  for (int32_t role : {-1, 0, 32767}) {
    p.role = role;
    EXPECT_TRUE(BuildApaasToken(TestApp(), p, kAt, Compression::kFast).ok()) << role;
  }
  for (int32_t role : {-2, 32768}) {
    p.role = role;
    ExpectViolation(BuildApaasToken(TestApp(), p, kAt, Compression::kFast), "role");
  }
}

TEST(ApaasRulesTest, UserAndAppTokensTakeOnlyTheirFields) {
  ApaasTokenParams user{ApaasTokenKind::kUser, "", "u", -1, 600};
  EXPECT_TRUE(BuildApaasToken(TestApp(), user, kAt, Compression::kFast).ok());
  user.room_uuid = "r";
  ExpectViolation(BuildApaasToken(TestApp(), user, kAt, Compression::kFast), "room_uuid");
  user.room_uuid = "";
  user.role = 1;
  ExpectViolation(BuildApaasToken(TestApp(), user, kAt, Compression::kFast), "role");
  user.role = -1;
  user.user_uuid = "";
  ExpectViolation(BuildApaasToken(TestApp(), user, kAt, Compression::kFast), "user_uuid");

  ApaasTokenParams app{ApaasTokenKind::kApp, "", "", -1, 600};
  EXPECT_TRUE(BuildApaasToken(TestApp(), app, kAt, Compression::kFast).ok());
  app.user_uuid = "u";
  ExpectViolation(BuildApaasToken(TestApp(), app, kAt, Compression::kFast), "user_uuid");
  app.user_uuid = "";
  app.role = 0;
  ExpectViolation(BuildApaasToken(TestApp(), app, kAt, Compression::kFast), "role");

  ApaasTokenParams bad_kind{static_cast<ApaasTokenKind>(7), "", "", -1, 600};
  ExpectViolation(BuildApaasToken(TestApp(), bad_kind, kAt, Compression::kFast), "kind");
}

TEST(ApaasTest, RoomUserChatIdIsTheLowerCaseMd5OfTheUserUuid) {
  // RFC 1321's "abc" digest: the Chat user id is its lower-case hex.
  ApaasTokenParams p{ApaasTokenKind::kRoomUser, "room", "abc", 2, 600};
  absl::StatusOr<BuiltToken> built = BuildApaasToken(TestApp(), p, kAt, Compression::kFast);
  ASSERT_TRUE(built.ok()) << built.status();
  absl::StatusOr<DecodedToken> decoded = DecodeToken(built->token);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->services.size(), 3u);
  EXPECT_EQ(decoded->services[1].type, kServiceChat);
  EXPECT_EQ(decoded->services[1].user_id, "900150983cd24fb0d6963f7d28e17f72");
}

TEST(Rtm2RulesTest, UserIdAndPermissions) {
  Rtm2TokenParams p{std::string(64, 'u'), {{kRtm2Users, {{kRtm2Read, {"bob"}}}}}, 600};
  EXPECT_TRUE(BuildRtm2Token(TestApp(), p, kAt, Compression::kFast).ok());
  p.user_id = std::string(65, 'u');
  ExpectViolation(BuildRtm2Token(TestApp(), p, kAt, Compression::kFast), "user_id");
  p.user_id = "";
  ExpectViolation(BuildRtm2Token(TestApp(), p, kAt, Compression::kFast), "user_id");
  p.user_id = "u";
  p.rtm2_resources[0].resource_type = 5;
  ExpectViolation(BuildRtm2Token(TestApp(), p, kAt, Compression::kFast),
                  "rtm2_resources[0].resource_type");
  p.rtm2_resources[0].resource_type = kRtm2MessageChannels;
  p.rtm2_resources[0].permissions[0].names = {"ok", "no*"};
  ExpectViolation(BuildRtm2Token(TestApp(), p, kAt, Compression::kFast),
                  "rtm2_resources[0].permissions[0].names[1]");
}

TEST(FpaTest, IsA24HourLoginAtAnyTime) {
  absl::StatusOr<BuiltToken> built = BuildFpaToken(TestApp(), kAt, Compression::kCompatible);
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->expire_ts, kAt.issue_ts + kMaxTokenLifetimeSeconds);
  EXPECT_EQ(built->privileges,
            (std::vector<PrivilegeExpiry>{{kServiceFpa, kFpaLogin, built->expire_ts}}));
  ExpectViolation(BuildFpaToken(TestApp(), Issuance{0, 1}, Compression::kFast), "issue_ts");
}

}  // namespace
}  // namespace agora_token
