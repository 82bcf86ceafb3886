// The vector files themselves: both load, official.json has every kind the
// brief lists, and extra.json says where it came from and carries what the
// 007 tests compare. Without this, a missing file would quietly leave the
// vector suites empty.
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
  for (const char* kind :
       {"chat007_user", "chat007_app", "rtc006_uid", "rtc006_account", "rtm006", "rtc007_uid",
        "rtc007_account", "rtc007_uid_privilege", "rtc007_account_privilege", "rtc007_rtm",
        "rtm007", "unknown_service007"}) {
    EXPECT_EQ(kinds.count(kind), 1u) << kind;
  }
  std::set<int> roles006;
  for (const Vector& v : LoadVectors("extra.json", "rtc006"))
    roles006.insert(v.fields.at("role").get<int>());
  EXPECT_EQ(roles006, (std::set<int>{0, 1, 2, 101}));
  for (const Vector& v : LoadVectors("extra.json", "007")) {
    EXPECT_TRUE(v.fields.contains("payload_hex")) << v.id();
    EXPECT_TRUE(v.fields.at("token_matches_system_zlib").is_boolean()) << v.id();
  }
}

TEST(VectorFilesTest, IdsAreUniqueAcrossFiles) {
  std::set<std::string> ids;
  for (const char* file : {"official.json", "extra.json"}) {
    for (const Vector& v : LoadVectors(file)) {
      EXPECT_TRUE(ids.insert(VectorName(v)).second) << v.id();
    }
  }
}

}  // namespace
}  // namespace agora_token_test
