// The server's log: every line on stderr is one JSON object, also when the
// text came from outside (bytes that are not UTF-8) or from libprotobuf
// itself, which RouteLibraryLogs sends through the same logger.
#include "server/log.h"

#include <sstream>
#include <string>

#include "agora/token/v1/token_service.pb.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace agora_token_server_test {
namespace {

// Every line of `text` parses as a JSON object; returns them.
std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    EXPECT_TRUE(nlohmann::json::accept(line)) << line;
    if (nlohmann::json::accept(line)) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

TEST(LogTest, BytesThatAreNotUtf8StillMakeAJsonLine) {
  ::testing::internal::CaptureStderr();
  agora_token::Log(agora_token::LogLevel::kWarning, "bad bytes", {{"value", "room-\xff\xfe"}});
  const std::vector<nlohmann::json> lines = JsonLines(::testing::internal::GetCapturedStderr());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["value"], "room-\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(lines[0]["level"], "warning");
}

TEST(LogTest, LibprotobufMessagesBecomeJsonLines) {
  agora_token::RouteLibraryLogs();
  // A proto3 string with bytes that are not UTF-8: libprotobuf logs an
  // error while parsing it.
  agora::token::v1::BuildRtmTokenRequest request;
  const std::string wire = std::string("\x12\x02\xff\xfe", 4);  // user_id (2) = ff fe
  ::testing::internal::CaptureStderr();
  EXPECT_FALSE(request.ParseFromString(wire));
  const std::vector<nlohmann::json> lines = JsonLines(::testing::internal::GetCapturedStderr());
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0]["source"], "libprotobuf");
  EXPECT_EQ(lines[0]["level"], "error");
}

}  // namespace
}  // namespace agora_token_server_test
