// The CLI's hand-written argument parser: both flag forms, switches, the
// "--" terminator, repeated and unknown flags, and uint32 parsing without
// silent truncation.
#include "cli/arguments.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace agora_token::cli {
namespace {

const std::vector<FlagSpec> kFlags = {{"channel"}, {"uid"}, {"fast", false}};

TEST(ParseUint32Test, AcceptsTheWholeRange) {
  EXPECT_EQ(*ParseUint32("0", "--uid"), 0u);
  EXPECT_EQ(*ParseUint32("2882341273", "--uid"), 2882341273u);
  EXPECT_EQ(*ParseUint32("4294967295", "--uid"), 4294967295u);
  EXPECT_EQ(*ParseUint32("0000000000000000000042", "--uid"), 42u);
}

TEST(ParseUint32Test, RejectsWhatIsNotAPlainUint32) {
  for (const char* text : {"", "4294967296", "18446744073709551617", "99999999999999999999999",
                           "-1", "+1", " 1", "1 ", "1.0", "0x10", "1e3", "abc"}) {
    SCOPED_TRACE(text);
    absl::StatusOr<uint32_t> parsed = ParseUint32(text, "--uid");
    ASSERT_FALSE(parsed.ok());
    EXPECT_NE(parsed.status().message().find("--uid"), std::string::npos);
  }
}

TEST(ParsedArgumentsTest, ReadsBothFlagFormsAndSwitches) {
  absl::StatusOr<ParsedArguments> parsed =
      ParsedArguments::Parse({"--channel", "a=b", "--uid=7", "--fast"}, kFlags, 0);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->Value("channel"), "a=b");
  EXPECT_EQ(**parsed->Uint32("uid"), 7u);
  EXPECT_TRUE(parsed->Has("fast"));
  EXPECT_FALSE(parsed->Value("fast").has_value());
  EXPECT_FALSE(parsed->help_requested());
}

TEST(ParsedArgumentsTest, EqualsFormCarriesValuesThatLookLikeFlags) {
  absl::StatusOr<ParsedArguments> parsed =
      ParsedArguments::Parse({"--channel=--odd", "--uid="}, kFlags, 0);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->Value("channel"), "--odd");
  EXPECT_EQ(parsed->Value("uid"), "");
  EXPECT_FALSE(parsed->Uint32("uid").ok());
}

TEST(ParsedArgumentsTest, AFlagAfterAValueFlagMeansTheValueIsMissing) {
  absl::StatusOr<ParsedArguments> parsed =
      ParsedArguments::Parse({"--channel", "--uid", "1"}, kFlags, 0);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("--channel needs a value"), std::string::npos);
  EXPECT_FALSE(ParsedArguments::Parse({"--channel"}, kFlags, 0).ok());
}

TEST(ParsedArgumentsTest, DoubleDashEndsTheFlags) {
  absl::StatusOr<ParsedArguments> parsed =
      ParsedArguments::Parse({"--uid", "1", "--", "--channel"}, kFlags, 1);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->positionals(), std::vector<std::string>{"--channel"});
  EXPECT_FALSE(parsed->Has("channel"));
}

TEST(ParsedArgumentsTest, HelpIsRecognisedAnywhere) {
  EXPECT_TRUE(ParsedArguments::Parse({"--uid", "1", "--help"}, kFlags, 0)->help_requested());
  EXPECT_TRUE(ParsedArguments::Parse({"-h"}, kFlags, 0)->help_requested());
}

TEST(ParsedArgumentsTest, RejectsMalformedCommandLines) {
  const std::vector<std::vector<std::string>> bad = {
      {"--colour", "red"},           // unknown flag
      {"-x"},                        // single-dash flag
      {"--uid", "1", "--uid", "2"},  // repeated
      {"--fast=yes"},                // switch with a value
      {"positional"},                // no positionals allowed here
  };
  for (const std::vector<std::string>& args : bad) {
    SCOPED_TRACE(args.front());
    EXPECT_FALSE(ParsedArguments::Parse(args, kFlags, 0).ok());
  }
}

TEST(ParsedArgumentsTest, ErrorsDoNotEchoValues) {
  // A mistyped flag may carry a secret; only its name is repeated back.
  absl::StatusOr<ParsedArguments> unknown =
      ParsedArguments::Parse({"--app-certficate=SECRETVALUE"}, kFlags, 0);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("--app-certficate"), std::string::npos);
  EXPECT_EQ(unknown.status().message().find("SECRETVALUE"), std::string::npos);
  absl::StatusOr<ParsedArguments> stray = ParsedArguments::Parse({"SECRETVALUE"}, kFlags, 0);
  ASSERT_FALSE(stray.ok());
  EXPECT_EQ(stray.status().message().find("SECRETVALUE"), std::string::npos);
}

TEST(ParsedArgumentsTest, AtMostOneOfNamesTheConflict) {
  absl::StatusOr<ParsedArguments> parsed =
      ParsedArguments::Parse({"--uid", "1", "--channel", "c"}, kFlags, 0);
  ASSERT_TRUE(parsed.ok());
  absl::Status conflict = AtMostOneOf(*parsed, {"uid", "channel"});
  ASSERT_FALSE(conflict.ok());
  EXPECT_NE(conflict.message().find("--uid and --channel"), std::string::npos);
  EXPECT_TRUE(AtMostOneOf(*parsed, {"uid", "fast"}).ok());
}

}  // namespace
}  // namespace agora_token::cli
