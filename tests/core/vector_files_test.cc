// The vector files themselves: all three load, official.json has every kind
// the brief lists, and extra.json and apaas_reference.json say where they
// came from and carry what the 007 tests compare. Without this, a missing file would quietly leave
// the vector suites empty.
#include <fstream>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "tests/core/test_support.h"

namespace agora_token_test {
namespace {

std::set<std::string> KindsOf(const std::vector<Vector>& vectors) {
  std::set<std::string> kinds;
  for (const Vector& v : vectors) kinds.insert(v.kind());
  return kinds;
}

TEST(VectorFilesTest, OfficialCoversEveryKind) {
  const std::vector<Vector> vectors = LoadVectors("official.json");
  ASSERT_FALSE(vectors.empty()) << VectorPath("official.json");
  EXPECT_EQ(
      KindsOf(vectors),
      (std::set<std::string>{"rtc006_uid", "rtc006_account", "rtm006", "rtc007_uid",
                             "rtc007_account", "rtc007_uid_privilege", "rtc007_rtm", "rtm007"}));
  for (const Vector& v : LoadVectors("official.json", "007")) {
    EXPECT_TRUE(v.fields.contains("payload_hex")) << v.id();
  }
}

TEST(VectorFilesTest, ExtraSaysWhereItCameFromAndCoversChat) {
  std::ifstream in(VectorPath("extra.json"));
  ASSERT_TRUE(in) << VectorPath("extra.json");
  const nlohmann::json doc = nlohmann::json::parse(in);
  const std::string about = doc.at("about").get<std::string>();
  EXPECT_NE(about.find("make_extra_vectors.js"), std::string::npos);
  EXPECT_NE(about.find("agora-token 2.0.6"), std::string::npos);

  const std::vector<Vector> vectors = LoadVectors("extra.json");
  const std::set<std::string> kinds = KindsOf(vectors);
  for (const char* kind : {"chat007_user",
                           "chat007_app",
                           "rtc006_uid",
                           "rtc006_account",
                           "rtm006",
                           "rtc007_uid",
                           "rtc007_account",
                           "rtc007_uid_privilege",
                           "rtc007_account_privilege",
                           "rtc007_rtm",
                           "rtm007",
                           "unknown_service007",
                           "fpa007",
                           "apaas007_user",
                           "apaas007_app",
                           "rtm2_007",
                           "rtc007_rtm2",
                           "convoai007",
                           "stt007",
                           "access_token2_007"}) {
    EXPECT_EQ(kinds.count(kind), 1u) << kind;
  }
  std::set<int> roles006;
  for (const Vector& v : LoadVectors("extra.json", "rtc006"))
    roles006.insert(v.fields.at("role").get<int>());
  EXPECT_EQ(roles006, (std::set<int>{0, 1, 2, 101}));
  for (const Vector& v : LoadVectors("extra.json", "007")) {
    EXPECT_TRUE(v.fields.contains("payload_hex")) << v.id();
    EXPECT_TRUE(v.fields.at("token_matches_system_zlib").is_boolean()) << v.id();
    EXPECT_EQ(v.fields.at("system_zlib_token").get<std::string>().rfind("007eJ", 0), 0u) << v.id();
  }
}

TEST(VectorFilesTest, ApaasReferenceSaysWhereItCameFrom) {
  std::ifstream in(VectorPath("apaas_reference.json"));
  ASSERT_TRUE(in) << VectorPath("apaas_reference.json");
  const nlohmann::json doc = nlohmann::json::parse(in);
  const std::string about = doc.at("about").get<std::string>();
  EXPECT_NE(about.find("AgoraIO/Tools"), std::string::npos);
  EXPECT_NE(about.find("Python"), std::string::npos);
  const std::set<std::string> kinds = KindsOf(LoadVectors("apaas_reference.json"));
  EXPECT_EQ(kinds, (std::set<std::string>{"apaas007_room_user", "apaas007_user", "apaas007_app"}));
  std::set<int> roles;
  for (const Vector& v : LoadVectors("apaas_reference.json", "apaas007_room_user")) {
    roles.insert(v.fields.at("role").get<int>());
  }
  // Role 0 is where Node differs; -1 is the references' "none".
  EXPECT_EQ(roles.count(0), 1u);
  EXPECT_EQ(roles.count(-1), 1u);
  for (const Vector& v : LoadVectors("apaas_reference.json")) {
    // Python compresses with the system zlib.
    EXPECT_TRUE(v.fields.at("token_matches_system_zlib").get<bool>()) << v.id();
  }
}

TEST(VectorFilesTest, IdsAreUniqueAcrossFiles) {
  std::set<std::string> ids;
  for (const char* file : {"official.json", "extra.json", "apaas_reference.json"}) {
    for (const Vector& v : LoadVectors(file)) {
      EXPECT_TRUE(ids.insert(VectorName(v)).second) << v.id();
    }
  }
}

}  // namespace
}  // namespace agora_token_test
