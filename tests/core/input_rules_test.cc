// The product document's input rules, each at its boundary and just past it,
// both through the validators of core/input_rules.h and through every
// builder: a violation is kInvalidArgument, names its field, and never
// repeats the certificate.
#include "core/input_rules.h"

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "core/token.h"
#include "gtest/gtest.h"
#include "tests/core/test_support.h"

namespace agora_token {
namespace {

using agora_token_test::kAppCertificate;
using agora_token_test::kAppId;
using agora_token_test::TestApp;

using agora_token_test::kAt;

// The 89 characters of the product document: a-z, A-Z, 0-9, space and
// ! # $ % & ( ) + - : ; < = . > ? @ [ ] ^ _ { } | ~ ,
// (the seed's "*_" is a markdown artifact: '_' is allowed, '*' is not).
const std::string kAllowedChars =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&()+-:;<=.>?@[]^_{}|~,";

const std::vector<std::string> kDisallowed = {
    "*",  "/",  "\"", "\\",   "'", "`", std::string(1, '\0'), "\xC3\xA9" /* é */,
    "\t", "\n", "\r", "\x7f", "*_"};

void ExpectViolation(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(InvalidFieldName(status), field) << status;
  const std::string message(status.message());
  EXPECT_EQ(message.rfind(field + ": ", 0), 0u)
      << "message should start with the field: " << message;
  EXPECT_EQ(message.find(kAppCertificate), std::string::npos) << message;
}

TEST(InvalidFieldTest, CarriesTheFieldInMessageAndPayload) {
  const absl::Status status = InvalidField("channel_name", "must not be empty");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "channel_name: must not be empty");
  EXPECT_EQ(InvalidFieldName(status), "channel_name");
}

TEST(InvalidFieldTest, OtherStatusesNameNoField) {
  EXPECT_EQ(InvalidFieldName(absl::OkStatus()), std::nullopt);
  EXPECT_EQ(InvalidFieldName(absl::InvalidArgumentError("channel_name: bad")), std::nullopt);
  EXPECT_EQ(InvalidFieldName(absl::PermissionDeniedError("x")), std::nullopt);
}

TEST(IsAllowedNameCharTest, ExactlyThe89DocumentedCharacters) {
  ASSERT_EQ(kAllowedChars.size(), 89u);
  int allowed = 0;
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    const bool documented = kAllowedChars.find(ch) != std::string::npos;
    EXPECT_EQ(IsAllowedNameChar(ch), documented) << "byte " << c;
    allowed += IsAllowedNameChar(ch) ? 1 : 0;
  }
  EXPECT_EQ(allowed, 89);
  EXPECT_FALSE(IsAllowedNameChar('*'));
  EXPECT_TRUE(IsAllowedNameChar('_'));
}

// ---------------------------------------------------------------------------
// App ID and certificate: exactly 32 hex characters, either case.

struct HexCase {
  const char* name;
  std::string value;
  bool ok;
};

void PrintTo(const HexCase& c, std::ostream* os) { *os << c.name; }

class Hex32Test : public ::testing::TestWithParam<HexCase> {};

TEST_P(Hex32Test, AppId) {
  const absl::Status status = ValidateAppId(GetParam().value);
  if (GetParam().ok) {
    EXPECT_TRUE(status.ok()) << status;
  } else {
    ExpectViolation(status, "app_id");
  }
}

TEST_P(Hex32Test, AppCertificateNeverInTheMessage) {
  const absl::Status status = ValidateAppCertificate(GetParam().value);
  if (GetParam().ok) {
    EXPECT_TRUE(status.ok()) << status;
    return;
  }
  ExpectViolation(status, "app_certificate");
  if (GetParam().value.size() >= 8) {
    EXPECT_EQ(std::string(status.message()).find(GetParam().value.substr(0, 8)), std::string::npos)
        << status;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, Hex32Test,
    ::testing::Values(HexCase{"Mixed32", "5CFd2fd1755d40ecb72977518be15d3b", true},
                      HexCase{"Lower32", "0123456789abcdef0123456789abcdef", true},
                      HexCase{"Upper32", "0123456789ABCDEF0123456789ABCDEF", true},
                      HexCase{"Empty", "", false},
                      HexCase{"Length31", "5CFd2fd1755d40ecb72977518be15d3", false},
                      HexCase{"Length33", "5CFd2fd1755d40ecb72977518be15d3b0", false},
                      HexCase{"Length64", std::string(64, 'a'), false},
                      HexCase{"NonHexG", "5CFd2fd1755d40ecb72977518be15d3g", false},
                      HexCase{"NonHexFirst", "x5Fd2fd1755d40ecb72977518be15d3b", false},
                      HexCase{"Space", "5CFd2fd1755d40ecb72977518be15d3 ", false},
                      HexCase{"Nul", std::string(31, 'a') + std::string(1, '\0'), false},
                      HexCase{"HexPrefix", "0x5Fd2fd1755d40ecb72977518be15d3", false}),
    [](const auto& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------
// Channel names: 1 to 64 bytes of the allowed set.

TEST(ChannelNameTest, LengthBoundaries) {
  EXPECT_TRUE(ValidateChannelName("a").ok());
  EXPECT_TRUE(ValidateChannelName(std::string(64, 'a')).ok());
  EXPECT_TRUE(ValidateChannelName(kAllowedChars.substr(0, 64)).ok());
  ExpectViolation(ValidateChannelName(std::string(65, 'a')), "channel_name");
  ExpectViolation(ValidateChannelName(""), "channel_name");
}

TEST(ChannelNameTest, EveryAllowedCharacterIsAccepted) {
  for (const char c : kAllowedChars) {
    EXPECT_TRUE(ValidateChannelName(std::string(1, c)).ok()) << "'" << c << "'";
    EXPECT_TRUE(ValidateChannelName(std::string("x") + c + "y").ok()) << "'" << c << "'";
  }
}

TEST(ChannelNameTest, DisallowedCharactersAreRejected) {
  for (const std::string& bad : kDisallowed) {
    SCOPED_TRACE(testing::PrintToString(bad));
    ExpectViolation(ValidateChannelName(bad), "channel_name");
    ExpectViolation(ValidateChannelName("room" + bad + "42"), "channel_name");
  }
}

// Names of 16 bytes and more are checked sixteen bytes a step: every byte
// value at every position of a long name must be judged as the table does,
// and the error must name the first bad byte.
TEST(ChannelNameTest, EveryByteAtEveryPositionOfALongName) {
  const std::string base = "Room-42_abcdefghijklmnopqrstuvwxyz:ABCDEFGHIJKLMNOPQRSTUVWXY";
  ASSERT_EQ(base.size(), 60u);
  for (size_t position = 0; position < base.size(); position += 7) {
    for (int byte = 0; byte < 256; ++byte) {
      std::string name = base;
      name[position] = static_cast<char>(byte);
      const absl::Status status = ValidateChannelName(name);
      ASSERT_EQ(status.ok(), IsAllowedNameChar(static_cast<char>(byte))) << position << " " << byte;
      if (!status.ok()) {
        EXPECT_NE(std::string(status.message()).find("byte " + std::to_string(position) + " "),
                  std::string::npos)
            << status.message();
      }
    }
  }
}

// App ids and certificates are checked sixteen characters a step.
TEST(Hex32ByteTest, EveryByteAtEveryPosition) {
  const std::string base = "0123456789abcdefABCDEF0123456789";
  ASSERT_TRUE(ValidateAppId(base).ok());
  const std::string hex = "0123456789abcdefABCDEF";
  for (size_t position = 0; position < base.size(); ++position) {
    for (int byte = 0; byte < 256; ++byte) {
      std::string id = base;
      id[position] = static_cast<char>(byte);
      const bool is_hex = byte != 0 && hex.find(static_cast<char>(byte)) != std::string::npos;
      ASSERT_EQ(ValidateAppId(id).ok(), is_hex) << position << " " << byte;
      ASSERT_EQ(ValidateAppCertificate(id).ok(), is_hex) << position << " " << byte;
    }
  }
}

TEST(ChannelNameTest, ReportsTheFieldItIsGiven) {
  ExpectViolation(ValidateChannelName("", "rtc.channel"), "rtc.channel");
}

// ---------------------------------------------------------------------------
// Accounts: 1 to 255 bytes of the same set.

TEST(AccountTest, LengthBoundaries) {
  EXPECT_TRUE(ValidateAccount("a").ok());
  EXPECT_TRUE(ValidateAccount(std::string(255, 'a')).ok());
  ExpectViolation(ValidateAccount(""), "account");
  ExpectViolation(ValidateAccount(std::string(256, 'a')), "account");
}

TEST(AccountTest, CharacterSet) {
  EXPECT_TRUE(ValidateAccount(kAllowedChars).ok());
  for (const std::string& bad : kDisallowed) {
    SCOPED_TRACE(testing::PrintToString(bad));
    ExpectViolation(ValidateAccount("user" + bad), "account");
  }
  ExpectViolation(ValidateAccount("a/b", "user_id"), "user_id");
}

// ---------------------------------------------------------------------------
// Every builder applies the rules and names the field.

struct BuilderViolation {
  std::string name;
  std::function<absl::Status()> call;
  std::string field;
};

AppCredentials WithAppId(std::string app_id) { return {std::move(app_id), kAppCertificate}; }
AppCredentials WithCertificate(std::string certificate) { return {kAppId, std::move(certificate)}; }

Rtc006Params Rtc006(std::string channel, RtcUser user, RtcRole role = RtcRole::kPublisher) {
  Rtc006Params p;
  p.channel_name = std::move(channel);
  p.user = std::move(user);
  p.role = role;
  return p;
}

Rtc007Params Rtc007(std::string channel, RtcUser user, RtcRole role = RtcRole::kPublisher) {
  Rtc007Params p;
  p.channel_name = std::move(channel);
  p.user = std::move(user);
  p.role = role;
  return p;
}

template <typename T>
absl::Status StatusOf(const absl::StatusOr<T>& result) {
  return result.status();
}

std::vector<BuilderViolation> BuilderViolations() {
  const std::string long_name(65, 'c');
  const std::string long_account(256, 'u');
  std::vector<BuilderViolation> cases;

  // App ID and certificate, through every builder.
  const std::vector<std::pair<std::string, AppCredentials>> bad_apps = {
      {"AppId31", WithAppId(std::string(kAppId).substr(0, 31))},
      {"AppId33", WithAppId(std::string(kAppId) + "0")},
      {"AppIdNonHex", WithAppId("970CA35de60c44645bbae8a215061b3g")},
      {"AppIdEmpty", WithAppId("")},
      {"Certificate31", WithCertificate(std::string(kAppCertificate).substr(0, 31))},
      {"Certificate33", WithCertificate(std::string(kAppCertificate) + "0")},
      {"CertificateNonHex", WithCertificate("5CFd2fd1755d40ecb72977518be15d3g")},
      {"CertificateEmpty", WithCertificate("")},
  };
  for (const auto& [name, app] : bad_apps) {
    const std::string field = name.rfind("AppId", 0) == 0 ? "app_id" : "app_certificate";
    cases.push_back({name + "_Rtc006",
                     [app = app] { return StatusOf(BuildRtcToken006(app, Rtc006("c", 1u), kAt)); },
                     field});
    cases.push_back({name + "_Rtm006",
                     [app = app] { return StatusOf(BuildRtmToken006(app, "u", 0, kAt)); }, field});
    cases.push_back({name + "_Rtc007",
                     [app = app] {
                       return StatusOf(
                           BuildRtcToken007(app, Rtc007("c", 1u), kAt, Compression::kCompatible));
                     },
                     field});
    cases.push_back(
        {name + "_Rtm007",
         [app = app] { return StatusOf(BuildRtmToken007(app, "u", 0, kAt, Compression::kFast)); },
         field});
    cases.push_back(
        {name + "_Chat007",
         [app = app] { return StatusOf(BuildChatToken007(app, "", 0, kAt, Compression::kFast)); },
         field});
    cases.push_back({name + "_AppKey", [app = app] { return StatusOf(AppKey::New(app)); }, field});
  }

  const AppCredentials app = TestApp();
  const auto rtc006 = [app](Rtc006Params p) {
    return [app, p] { return StatusOf(BuildRtcToken006(app, p, kAt)); };
  };
  const auto rtc007 = [app](Rtc007Params p) {
    return [app, p] { return StatusOf(BuildRtcToken007(app, p, kAt, Compression::kCompatible)); };
  };
  const auto rtm006 = [app](std::string user) {
    return [app, user] { return StatusOf(BuildRtmToken006(app, user, 0, kAt)); };
  };
  const auto rtm007 = [app](std::string user) {
    return
        [app, user] { return StatusOf(BuildRtmToken007(app, user, 0, kAt, Compression::kFast)); };
  };
  const auto chat = [app](std::string user) {
    return
        [app, user] { return StatusOf(BuildChatToken007(app, user, 0, kAt, Compression::kFast)); };
  };

  const std::vector<BuilderViolation> more = {
      {"Rtc006ChannelEmpty", rtc006(Rtc006("", 1u)), "channel_name"},
      {"Rtc006Channel65", rtc006(Rtc006(long_name, 1u)), "channel_name"},
      {"Rtc006ChannelStar", rtc006(Rtc006("a*b", 1u)), "channel_name"},
      {"Rtc006AccountEmpty", rtc006(Rtc006("c", std::string())), "account"},
      {"Rtc006Account256", rtc006(Rtc006("c", long_account)), "account"},
      {"Rtc006AccountSlash", rtc006(Rtc006("c", std::string("a/b"))), "account"},
      {"Rtc006Role3", rtc006(Rtc006("c", 1u, static_cast<RtcRole>(3))), "role"},
      {"Rtc006RoleMinus1", rtc006(Rtc006("c", 1u, static_cast<RtcRole>(-1))), "role"},
      {"Rtc007ChannelEmpty", rtc007(Rtc007("", 1u)), "channel_name"},
      {"Rtc007Channel65", rtc007(Rtc007(long_name, 1u)), "channel_name"},
      {"Rtc007ChannelUtf8", rtc007(Rtc007("caf\xC3\xA9", 1u)), "channel_name"},
      {"Rtc007AccountEmpty", rtc007(Rtc007("c", std::string())), "account"},
      {"Rtc007Account256", rtc007(Rtc007("c", long_account)), "account"},
      {"Rtc007AccountQuote", rtc007(Rtc007("c", std::string("o'neil"))), "account"},
      {"Rtc007RoleAttendee", rtc007(Rtc007("c", 1u, RtcRole::kAttendee)), "role"},
      {"Rtc007RoleAdmin", rtc007(Rtc007("c", 1u, RtcRole::kAdmin)), "role"},
      {"Rtc007Role3", rtc007(Rtc007("c", 1u, static_cast<RtcRole>(3))), "role"},
      {"Rtc006Wildcard", rtc006(Rtc006("*", 1u)), "channel_name"},
      {"Rtc006WildcardAccount", rtc006(Rtc006("*", std::string("alice"))), "channel_name"},
      {"Rtc007WildcardUid0", rtc007(Rtc007("*", 0u)), "channel_name"},
      {"Rtc007WildcardInName", rtc007(Rtc007("room*", 1u)), "channel_name"},
      {"Rtc007DoubleWildcard", rtc007(Rtc007("**", 1u)), "channel_name"},
      {"Rtm006UserEmpty", rtm006(""), "user_id"},
      {"Rtm006User256", rtm006(long_account), "user_id"},
      {"Rtm006UserTab", rtm006("a\tb"), "user_id"},
      {"Rtm007UserEmpty", rtm007(""), "user_id"},
      {"Rtm007User256", rtm007(long_account), "user_id"},
      {"Rtm007UserBacktick", rtm007("a`b"), "user_id"},
      {"ChatUser256", chat(long_account), "user_id"},
      {"ChatUserNewline", chat("a\nb"), "user_id"},
  };
  cases.insert(cases.end(), more.begin(), more.end());
  return cases;
}

TEST(BuilderRulesTest, EveryViolationNamesItsFieldAndHidesTheCertificate) {
  for (const BuilderViolation& c : BuilderViolations()) {
    SCOPED_TRACE(c.name);
    const absl::Status status = c.call();
    ASSERT_FALSE(status.ok());
    ExpectViolation(status, c.field);
    // Nor any 8-character piece of the certificate a case passed in.
    for (const std::string& certificate :
         {std::string(kAppCertificate), std::string("5CFd2fd1755d40ecb72977518be15d3g")}) {
      for (size_t i = 0; i + 8 <= certificate.size(); i += 8) {
        EXPECT_EQ(std::string(status.message()).find(certificate.substr(i, 8)), std::string::npos);
      }
    }
  }
}

TEST(BuilderRulesTest, BoundaryValuesThatMustBeAccepted) {
  const AppCredentials app = TestApp();
  const AppCredentials upper = {"970CA35DE60C44645BBAE8A215061B33",
                                "5CFD2FD1755D40ECB72977518BE15D3B"};
  const std::string channel64(64, 'c');
  const std::string account255(255, 'u');
  const std::vector<std::pair<std::string, std::function<absl::Status()>>> accepted = {
      {"UppercaseHex", [&] { return StatusOf(BuildRtcToken006(upper, Rtc006("c", 1u), kAt)); }},
      {"Channel64_006",
       [&] { return StatusOf(BuildRtcToken006(app, Rtc006(channel64, 1u), kAt)); }},
      {"Channel64_007",
       [&] {
         return StatusOf(
             BuildRtcToken007(app, Rtc007(channel64, 1u), kAt, Compression::kCompatible));
       }},
      {"AllowedChars_007",
       [&] {
         return StatusOf(BuildRtcToken007(app, Rtc007(kAllowedChars.substr(25, 64), kAllowedChars),
                                          kAt, Compression::kFast));
       }},
      {"Uid0_006", [&] { return StatusOf(BuildRtcToken006(app, Rtc006("c", 0u), kAt)); }},
      {"UidMax_006",
       [&] { return StatusOf(BuildRtcToken006(app, Rtc006("c", 4294967295u), kAt)); }},
      {"Uid0_007",
       [&] {
         return StatusOf(BuildRtcToken007(app, Rtc007("c", 0u), kAt, Compression::kCompatible));
       }},
      {"UidMax_007",
       [&] {
         return StatusOf(
             BuildRtcToken007(app, Rtc007("c", 4294967295u), kAt, Compression::kCompatible));
       }},
      {"Account1_006",
       [&] { return StatusOf(BuildRtcToken006(app, Rtc006("c", std::string("a")), kAt)); }},
      {"Account255_006",
       [&] { return StatusOf(BuildRtcToken006(app, Rtc006("c", account255), kAt)); }},
      {"Account1_007",
       [&] {
         return StatusOf(
             BuildRtcToken007(app, Rtc007("c", std::string("a")), kAt, Compression::kFast));
       }},
      {"Account255_007",
       [&] {
         return StatusOf(BuildRtcToken007(app, Rtc007("c", account255), kAt, Compression::kFast));
       }},
      {"Attendee006",
       [&] { return StatusOf(BuildRtcToken006(app, Rtc006("c", 1u, RtcRole::kAttendee), kAt)); }},
      {"Admin006",
       [&] { return StatusOf(BuildRtcToken006(app, Rtc006("c", 1u, RtcRole::kAdmin), kAt)); }},
      {"Subscriber007",
       [&] {
         return StatusOf(
             BuildRtcToken007(app, Rtc007("c", 1u, RtcRole::kSubscriber), kAt, Compression::kFast));
       }},
      {"RtmUser1_006", [&] { return StatusOf(BuildRtmToken006(app, "u", 0, kAt)); }},
      {"RtmUser255_007",
       [&] { return StatusOf(BuildRtmToken007(app, account255, 0, kAt, Compression::kFast)); }},
      {"ChatApp", [&] { return StatusOf(BuildChatToken007(app, "", 0, kAt, Compression::kFast)); }},
      {"ChatUser255",
       [&] { return StatusOf(BuildChatToken007(app, account255, 0, kAt, Compression::kFast)); }},
      {"Rtc007WildcardUid1",
       [&] { return StatusOf(BuildRtcToken007(app, Rtc007("*", 1u), kAt, Compression::kFast)); }},
      {"Rtc007WildcardAccount",
       [&] {
         return StatusOf(
             BuildRtcToken007(app, Rtc007("*", std::string("a")), kAt, Compression::kFast));
       }},
  };
  for (const auto& [name, call] : accepted) {
    const absl::Status status = call();
    EXPECT_TRUE(status.ok()) << name << ": " << status;
  }
}

// ---------------------------------------------------------------------------
// The 007 RTC channel: a channel name, or "*" for a named user.

TEST(RtcChannel007Test, WildcardNeedsAUser) {
  EXPECT_TRUE(ValidateRtcChannel007("*", "1").ok());
  EXPECT_TRUE(ValidateRtcChannel007("*", "alice").ok());
  ExpectViolation(ValidateRtcChannel007("*", ""), "channel_name");
  ExpectViolation(ValidateRtcChannel007("*", "", "services[0].channel_name"),
                  "services[0].channel_name");
}

TEST(RtcChannel007Test, OtherwiseTheChannelNameRule) {
  EXPECT_TRUE(ValidateRtcChannel007(std::string(64, 'c'), "").ok());
  ExpectViolation(ValidateRtcChannel007(std::string(65, 'c'), "1"), "channel_name");
  ExpectViolation(ValidateRtcChannel007("", "1"), "channel_name");
  // Only the whole name "*" is the wildcard.
  for (const char* name : {"**", "a*", "* ", " *"}) {
    ExpectViolation(ValidateRtcChannel007(name, "1"), "channel_name");
  }
}

// ---------------------------------------------------------------------------
// User ids: 1 to 64 bytes of the allowed set.

TEST(UserIdTest, LengthBoundaries) {
  EXPECT_TRUE(ValidateUserId("a").ok());
  EXPECT_TRUE(ValidateUserId(kAllowedChars.substr(0, 64)).ok());
  ExpectViolation(ValidateUserId(""), "user_id");
  ExpectViolation(ValidateUserId(std::string(65, 'a')), "user_id");
}

TEST(UserIdTest, CharacterSetAndField) {
  for (const std::string& bad : kDisallowed) {
    SCOPED_TRACE(testing::PrintToString(bad));
    ExpectViolation(ValidateUserId("u" + bad, "rtm_user_id"), "rtm_user_id");
  }
}

// ---------------------------------------------------------------------------
// APaaS user uuids: 1 to 255 bytes of UTF-8, no NUL.

TEST(UuidTest, LengthBoundaries) {
  EXPECT_TRUE(ValidateUuid("a", "user_uuid").ok());
  EXPECT_TRUE(ValidateUuid(std::string(255, 'a'), "user_uuid").ok());
  // 85 three-byte characters: 255 bytes, at the bound in bytes, not characters.
  std::string cjk;
  for (int i = 0; i < 85; ++i) cjk += "\xE5\xAD\xA6";
  EXPECT_TRUE(ValidateUuid(cjk, "user_uuid").ok());
  ExpectViolation(ValidateUuid(cjk + "a", "user_uuid"), "user_uuid");
  ExpectViolation(ValidateUuid("", "user_uuid"), "user_uuid");
  ExpectViolation(ValidateUuid(std::string(256, 'a'), "user_uuid"), "user_uuid");
}

TEST(UuidTest, ValidUtf8IsAccepted) {
  for (const char* ok : {"Zo\xC3\xAB", "\xE5\xAD\xA6\xE7\x94\x9F", "\xF0\x9F\x98\x80",
                         "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF", "/*'\"`\t"}) {
    EXPECT_TRUE(ValidateUuid(ok, "user_uuid").ok()) << testing::PrintToString(ok);
  }
}

TEST(UuidTest, NulAndInvalidUtf8AreRejected) {
  const std::vector<std::string> bad = {
      std::string("a\0b", 3),
      "\x80",              // continuation byte first
      "\xC3",              // truncated
      "\xC0\xAF",          // overlong '/'
      "\xE0\x80\xAF",      // overlong
      "\xED\xA0\x80",      // surrogate
      "\xF4\x90\x80\x80",  // above U+10FFFF
      "\xF5\x80\x80\x80",
      "\xFF",
      "ok\xE5\xAD",  // truncated at the end
  };
  for (const std::string& b : bad) {
    SCOPED_TRACE(testing::PrintToString(b));
    ExpectViolation(ValidateUuid(b, "services[2].user_uuid"), "services[2].user_uuid");
  }
}

TEST(ApaasRoleTest, Boundaries) {
  EXPECT_TRUE(ValidateApaasRole(-1).ok());
  EXPECT_TRUE(ValidateApaasRole(0).ok());
  EXPECT_TRUE(ValidateApaasRole(32767).ok());
  ExpectViolation(ValidateApaasRole(-2), "role");
  ExpectViolation(ValidateApaasRole(32768), "role");
}

// ---------------------------------------------------------------------------
// RTM2 permissions.

Rtm2Resource Resource(uint16_t type, std::vector<Rtm2Permission> permissions) {
  return Rtm2Resource{type, std::move(permissions)};
}

TEST(Rtm2ResourcesTest, EveryTypeOnceIsAccepted) {
  std::vector<Rtm2Resource> all;
  for (uint16_t type = 0; type <= 4; ++type)
    all.push_back(Resource(type, {{0, {"a"}}, {1, {"b"}}}));
  EXPECT_TRUE(ValidateRtm2Resources(all).ok());
  EXPECT_TRUE(ValidateRtm2Resources({}).ok());  // login only
}

TEST(Rtm2ResourcesTest, TypesOutOfRangeOrRepeated) {
  ExpectViolation(ValidateRtm2Resources({Resource(5, {{0, {"a"}}})}),
                  "rtm2_resources[0].resource_type");
  ExpectViolation(ValidateRtm2Resources({Resource(0, {{0, {"a"}}}), Resource(0, {{1, {"b"}}})}),
                  "rtm2_resources[1].resource_type");
  ExpectViolation(ValidateRtm2Resources({Resource(1, {{2, {"a"}}})}),
                  "rtm2_resources[0].permissions[0].permission_type");
  ExpectViolation(ValidateRtm2Resources({Resource(1, {{1, {"a"}}, {1, {"b"}}})}),
                  "rtm2_resources[0].permissions[1].permission_type");
}

TEST(Rtm2ResourcesTest, EmptyEntriesAreRejected) {
  ExpectViolation(ValidateRtm2Resources({Resource(2, {})}), "rtm2_resources[0].permissions");
  ExpectViolation(ValidateRtm2Resources({Resource(2, {{0, {}}})}),
                  "rtm2_resources[0].permissions[0].names");
}

TEST(Rtm2ResourcesTest, NamesPerTokenBound) {
  std::vector<std::string> names;
  for (int i = 0; i < 32; ++i) names.push_back("n" + std::to_string(i));
  // 32 read + 32 write names: exactly 64.
  std::vector<Rtm2Resource> at_bound = {Resource(0, {{0, names}}), Resource(4, {{1, names}})};
  EXPECT_TRUE(ValidateRtm2Resources(at_bound).ok());
  at_bound[1].permissions.push_back({0, {"one-more"}});
  ExpectViolation(ValidateRtm2Resources(at_bound), "rtm2_resources[1].permissions[1].names");
}

TEST(Rtm2ResourcesTest, ChannelAndUserNames) {
  // Channel and server-group names: the channel-name rule.
  for (uint16_t type = 0; type <= 3; ++type) {
    EXPECT_TRUE(ValidateRtm2Resources({Resource(type, {{0, {std::string(64, 'c')}}})}).ok());
    ExpectViolation(ValidateRtm2Resources({Resource(type, {{0, {"ok", std::string(65, 'c')}}})}),
                    "rtm2_resources[0].permissions[0].names[1]");
    ExpectViolation(ValidateRtm2Resources({Resource(type, {{0, {"*"}}})}),
                    "rtm2_resources[0].permissions[0].names[0]");
  }
  // User names: the user-id rule.
  EXPECT_TRUE(ValidateRtm2Resources({Resource(4, {{0, {std::string(64, 'u')}}})}).ok());
  ExpectViolation(ValidateRtm2Resources({Resource(4, {{0, {std::string(65, 'u')}}})}, "x"),
                  "x[0].permissions[0].names[0]");
  ExpectViolation(ValidateRtm2Resources({Resource(4, {{0, {""}}})}),
                  "rtm2_resources[0].permissions[0].names[0]");
}

}  // namespace
}  // namespace agora_token
