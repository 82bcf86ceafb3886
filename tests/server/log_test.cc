// The server's log: every line on stderr is one JSON object, also when the
// text came from outside (bytes that are not UTF-8) or from libprotobuf
// itself, which RouteLibraryLogs sends through the same logger.
#include "server/log.h"

#include <chrono>
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

// RFC 3339 with milliseconds, digits written by hand: against known
// instants, a leap day and the last millisecond of a year.
TEST(LogTest, Rfc3339FormatsUtcWithMilliseconds) {
  using std::chrono::milliseconds;
  using std::chrono::system_clock;
  auto at = [](int64_t ms) { return system_clock::time_point(milliseconds(ms)); };
  EXPECT_EQ(agora_token::Rfc3339(at(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(agora_token::Rfc3339(at(951782400007)), "2000-02-29T00:00:00.007Z");
  EXPECT_EQ(agora_token::Rfc3339(at(1798761599999)), "2026-12-31T23:59:59.999Z");
  EXPECT_EQ(agora_token::Rfc3339(at(1764304144123)), "2025-11-28T04:29:04.123Z");
}

// Every byte value, alone and between plain text, quotes into a JSON string
// that reads back as the text (bytes that are not UTF-8 as U+FFFD).
TEST(LogTest, JsonQuoteEscapesWhatJsonNeedsAndNothingElse) {
  EXPECT_EQ(agora_token::JsonQuote("room-1 (a/b)"), "\"room-1 (a/b)\"");
  EXPECT_EQ(agora_token::JsonQuote("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
  for (int c = 0; c < 256; ++c) {
    const std::string text = "x" + std::string(1, static_cast<char>(c)) + "y";
    const std::string quoted = agora_token::JsonQuote(text);
    ASSERT_TRUE(nlohmann::json::accept(quoted)) << c;
    const std::string back = nlohmann::json::parse(quoted).get<std::string>();
    EXPECT_EQ(back, c < 0x80 ? text : "x\xEF\xBF\xBDy") << c;
  }
  std::string appended = "prefix:";
  agora_token::AppendJsonQuoted("v", &appended);
  EXPECT_EQ(appended, "prefix:\"v\"");
}

}  // namespace
}  // namespace agora_token_server_test
