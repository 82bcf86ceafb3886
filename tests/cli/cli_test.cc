// The agora-token CLI, run in-process through cli::Run: the official and extra
// known-answer vectors reproduced from the command line, decode and signature
// checks, the certificate sources, every kind of usage error (exit 2), input
// the core rejects (exit 1), and help. RunCli fails any test whose output
// contains an app certificate.
#include "cli/cli.h"

#include <cctype>
#include <chrono>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/cli/cli_test_support.h"

namespace agora_token_cli_test {
namespace {

using nlohmann::json;

constexpr int kOk = agora_token::cli::kExitOk;
constexpr int kError = agora_token::cli::kExitError;
constexpr int kUsage = agora_token::cli::kExitUsage;
constexpr int kInvalidSignature = agora_token::cli::kExitInvalidSignature;

json VectorById(const std::string& file, const std::string& id) {
  for (const json& vector : LoadVectors(file)) {
    if (vector.at("id") == id) return vector;
  }
  ADD_FAILURE() << "no vector " << id << " in " << file;
  return json::object();
}

json Official(const std::string& id) { return VectorById("official.json", id); }

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Parses stdout as JSON, failing the test (not crashing) if it is not.
json ParseOut(const CliResult& result) {
  json parsed = json::parse(result.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(parsed.is_discarded()) << "stdout is not JSON: " << result.out;
  return parsed.is_discarded() ? json::object() : parsed;
}

// The payload of a 007 token as the vectors write it: hex of
// str(signature) + signing_info, from a decode's JSON.
std::string PayloadHexFromDecode(const json& decoded) {
  // str(signature): u16 little-endian length 32, then the bytes.
  return "2000" + decoded.at("signature_hex").get<std::string>() +
         decoded.at("signed_bytes_hex").get<std::string>();
}

std::string Trimmed(const std::string& line) {
  return line.substr(0, line.find_last_not_of('\n') + 1);
}

// A valid 007 build of the rtc007_uid vector, to which tests add one mistake.
std::vector<std::string> Rtc007UidArgs() { return *BuildArgsForVector(Official("rtc007_uid")); }
std::vector<std::string> Rtc006UidArgs() { return *BuildArgsForVector(Official("rtc006_uid")); }

// ---------------------------------------------------------------------------
// Known-answer vectors through the CLI.

TEST(CliVectorTest, BuildReproducesEveryVector) {
  for (const char* file : {"official.json", "extra.json", "apaas_reference.json"}) {
    std::vector<std::string> not_built;
    for (const json& vector : LoadVectors(file)) {
      const std::string id = vector.at("id");
      SCOPED_TRACE(id);
      std::optional<std::vector<std::string>> args = BuildArgsForVector(vector);
      if (!args.has_value()) {
#ifndef AGORA_TOKEN_CLI_WITH_PROTO
        if (vector.at("kind") == "access_token2_007") continue;  // needs the gRPC build
#endif
        not_built.push_back(id);
        continue;
      }
      CliResult result =
          RunCli(*args, EnvWithCertificate(vector.at("app_certificate").get<std::string>()));
      ASSERT_EQ(result.exit_code, kOk) << result.err;
      EXPECT_EQ(result.err, "");
      EXPECT_EQ(result.out, TokenOfSystemZlib(vector) + "\n");
      if (vector.contains("payload_hex")) {
        CliResult decoded = RunCli({"decode", Trimmed(result.out)});
        ASSERT_EQ(decoded.exit_code, kOk) << decoded.err;
        EXPECT_EQ(PayloadHexFromDecode(ParseOut(decoded)), vector.at("payload_hex"));
      }
    }
    // Only a token with a service type no builder knows is left out.
    EXPECT_EQ(not_built, std::string(file) == "extra.json"
                             ? std::vector<std::string>{"unknown_service007"}
                             : std::vector<std::string>{})
        << file;
  }
}

TEST(CliVectorTest, DecodeVerifiesEveryVectorAndRejectsAWrongCertificate) {
  for (const char* file : {"official.json", "extra.json"}) {
    for (const json& vector : LoadVectors(file)) {
      SCOPED_TRACE(vector.at("id").get<std::string>());
      std::vector<std::string> args =
          Concat({"decode", vector.at("token").get<std::string>()}, SubjectArgsForVector(vector));
      CliResult good =
          RunCli(args, EnvWithCertificate(vector.at("app_certificate").get<std::string>()));
      ASSERT_EQ(good.exit_code, kOk) << good.err;
      EXPECT_EQ(ParseOut(good).at("signature"), "valid");

      CliResult wrong = RunCli(args, EnvWithCertificate(kWrongCertificate));
      EXPECT_EQ(wrong.exit_code, kInvalidSignature) << wrong.err;
      EXPECT_EQ(ParseOut(wrong).at("signature"), "invalid");
    }
  }
}

TEST(CliVectorTest, JsonOutputDescribesTheBuiltToken) {
  for (const json& vector : LoadVectors("official.json")) {
    SCOPED_TRACE(vector.at("id").get<std::string>());
    CliResult result = RunCli(Concat(*BuildArgsForVector(vector), {"--json"}),
                              EnvWithCertificate(vector.at("app_certificate").get<std::string>()));
    ASSERT_EQ(result.exit_code, kOk) << result.err;
    json built = ParseOut(result);
    EXPECT_EQ(built.at("token"), vector.at("token"));
    EXPECT_EQ(built.at("salt"), vector.at("salt"));
    const bool is006 = vector.at("kind").get<std::string>().find("006") != std::string::npos;
    if (is006) {
      EXPECT_EQ(built.at("version"), "006");
      EXPECT_EQ(built.at("expire_ts"), vector.at("ts"));
      EXPECT_EQ(built.at("issue_ts").get<uint32_t>(), vector.at("ts").get<uint32_t>() - 86400);
    } else {
      EXPECT_EQ(built.at("version"), "007");
      EXPECT_EQ(built.at("issue_ts"), vector.at("issue_ts"));
      EXPECT_EQ(built.at("expire_ts").get<uint32_t>(),
                vector.at("issue_ts").get<uint32_t>() + vector.at("token_expire").get<uint32_t>());
    }
    ASSERT_FALSE(built.at("privileges").empty());
    for (const json& privilege : built.at("privileges")) {
      EXPECT_LE(privilege.at("expire_ts").get<uint32_t>(), built.at("expire_ts").get<uint32_t>());
      EXPECT_NE(privilege.at("privilege"), "unknown");
    }
  }
}

TEST(CliVectorTest, JsonOutputCarriesPerPrivilegeExpiries) {
  json vector = Official("rtc007_uid_privileges");
  CliResult result = RunCli(Concat(*BuildArgsForVector(vector), {"--json"}), EnvWithCertificate());
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  const uint32_t issue = vector.at("issue_ts").get<uint32_t>();
  std::map<std::string, uint32_t> expiries;
  const json built = ParseOut(result);
  for (const json& privilege : built.at("privileges")) {
    EXPECT_EQ(privilege.at("service"), "rtc");
    expiries[privilege.at("privilege").get<std::string>()] =
        privilege.at("expire_ts").get<uint32_t>();
  }
  EXPECT_EQ(expiries, (std::map<std::string, uint32_t>{{"join_channel", issue + 600},
                                                       {"publish_audio_stream", issue + 300},
                                                       {"publish_video_stream", issue + 200},
                                                       {"publish_data_stream", issue + 100}}));
}

// ---------------------------------------------------------------------------
// build: behaviour beyond the vectors.

TEST(CliBuildTest, DefaultsAreVersion007AndPublisher) {
  json vector = Official("rtc007_uid");
  CliResult result =
      RunCli({"build", "rtc", "--app-id", kAppId, "--channel", vector.at("channel_name"), "--uid",
              "2882341273", "--token-expire", "600", "--privilege-expire", "600", "--salt", "1",
              "--issue-ts", "1111111"},
             EnvWithCertificate());
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  EXPECT_EQ(result.out, vector.at("token").get<std::string>() + "\n");
}

TEST(CliBuildTest, Rtc006DeprecatedRolesGrantWhatPublisherGets) {
  const std::string publisher_token = Official("rtc006_uid").at("token");
  for (const char* role : {"attendee", "admin"}) {
    SCOPED_TRACE(role);
    std::vector<std::string> args = Rtc006UidArgs();
    // Replace the vector's "--role publisher".
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == "--role") args[i + 1] = role;
    }
    CliResult result = RunCli(args, EnvWithCertificate());
    ASSERT_EQ(result.exit_code, kOk) << result.err;
    EXPECT_EQ(result.out, publisher_token + "\n");
  }
}

TEST(CliBuildTest, Rtc007RejectsDeprecatedRolesNamingTheFlag) {
  for (const char* role : {"attendee", "admin"}) {
    SCOPED_TRACE(role);
    std::vector<std::string> args = Rtc007UidArgs();
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == "--role") args[i + 1] = role;
    }
    CliResult result = RunCli(args, EnvWithCertificate());
    EXPECT_EQ(result.exit_code, kError);
    EXPECT_EQ(result.out, "");
    EXPECT_EQ(result.err.rfind("error: ", 0), 0u) << result.err;
    EXPECT_NE(result.err.find("--role"), std::string::npos) << result.err;
  }
}

TEST(CliBuildTest, Rtc007AbsolutePrivilegeExpiryBecomesSecondsAfterIssue) {
  // rtc007_uid: issued at 1111111 with privileges for 600 s.
  json vector = Official("rtc007_uid");
  CliResult result =
      RunCli({"build", "rtc", "--app-id", kAppId, "--channel", vector.at("channel_name"), "--uid",
              "2882341273", "--token-expire", "600", "--privilege-expired-ts", "1111711", "--salt",
              "1", "--issue-ts", "1111111"},
             EnvWithCertificate());
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  EXPECT_EQ(result.out, vector.at("token").get<std::string>() + "\n");
}

TEST(CliBuildTest, Rtc007AbsolutePrivilegeExpiryMustFollowTheIssueTime) {
  for (const char* ts : {"1111111", "1000000"}) {
    SCOPED_TRACE(ts);
    CliResult result = RunCli({"build", "rtc", "--app-id", kAppId, "--channel", "c", "--uid", "1",
                               "--privilege-expired-ts", ts, "--issue-ts", "1111111"},
                              EnvWithCertificate());
    EXPECT_EQ(result.exit_code, kError);
    EXPECT_NE(result.err.find("--privilege-expired-ts"), std::string::npos) << result.err;
    EXPECT_EQ(result.out, "");
  }
}

// RTM 007 follows the server's expiry mapping (core/request_expiry.h): a
// 007 RTM token takes --token-expire; an absolute --privilege-expired-ts is
// for 006, where it is the login privilege's expiry.
TEST(CliBuildTest, Rtm007TakesTokenExpireAndRefusesAnAbsoluteExpiry) {
  json vector = Official("rtm007");
  CliResult result = RunCli({"build", "rtm", "--app-id", kAppId, "--user-id", "test_user",
                             "--token-expire", "600", "--salt", "1", "--issue-ts", "1111111"},
                            EnvWithCertificate());
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  EXPECT_EQ(result.out, vector.at("token").get<std::string>() + "\n");

  result = RunCli({"build", "rtm", "--app-id", kAppId, "--user-id", "test_user",
                   "--privilege-expired-ts", "1111711", "--salt", "1", "--issue-ts", "1111111"},
                  EnvWithCertificate());
  EXPECT_EQ(result.exit_code, kError);
  EXPECT_NE(result.err.find("--privilege-expired-ts: applies to 006 tokens only"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(result.out, "");
}

TEST(CliBuildTest, FastTokenCarriesTheSamePayload) {
  json vector = Official("rtc007_uid");
  CliResult fast = RunCli(Concat(Rtc007UidArgs(), {"--fast"}), EnvWithCertificate());
  ASSERT_EQ(fast.exit_code, kOk) << fast.err;
  EXPECT_NE(fast.out, vector.at("token").get<std::string>() + "\n");
  CliResult decoded = RunCli({"decode", Trimmed(fast.out)}, EnvWithCertificate());
  ASSERT_EQ(decoded.exit_code, kOk) << decoded.err;
  json parsed = ParseOut(decoded);
  EXPECT_EQ(parsed.at("signature"), "valid");
  EXPECT_EQ(PayloadHexFromDecode(parsed), vector.at("payload_hex"));
}

// The precise wall clock the CLI reads (std::time may lag it by a tick).
uint32_t PreciseUnixSeconds() {
  return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

TEST(CliBuildTest, UnfixedIssuanceUsesTheClockAndARandomSalt) {
  std::vector<std::string> args = {"build", "rtc",   "--app-id", kAppId,  "--channel",
                                   "room",  "--uid", "1",        "--json"};
  const uint32_t before = PreciseUnixSeconds();
  CliResult first = RunCli(args, EnvWithCertificate());
  CliResult second = RunCli(args, EnvWithCertificate());
  const uint32_t after = PreciseUnixSeconds();
  ASSERT_EQ(first.exit_code, kOk) << first.err;
  ASSERT_EQ(second.exit_code, kOk) << second.err;
  json a = ParseOut(first);
  json b = ParseOut(second);
  for (const json& built : {a, b}) {
    EXPECT_GE(built.at("issue_ts").get<uint32_t>(), before);
    EXPECT_LE(built.at("issue_ts").get<uint32_t>(), after);
  }
  EXPECT_NE(a.at("salt"), b.at("salt"));
  EXPECT_NE(a.at("token"), b.at("token"));
}

TEST(CliBuildTest, FixedSaltAloneKeepsTheClockForTheTime) {
  const uint32_t before = PreciseUnixSeconds();
  CliResult result = RunCli({"build", "rtm", "--version", "006", "--app-id", kAppId, "--user-id",
                             "u", "--salt", "77", "--json"},
                            EnvWithCertificate());
  const uint32_t after = PreciseUnixSeconds();
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  json built = ParseOut(result);
  EXPECT_EQ(built.at("salt"), 77);
  EXPECT_GE(built.at("issue_ts").get<uint32_t>(), before);
  EXPECT_LE(built.at("issue_ts").get<uint32_t>(), after);
  EXPECT_EQ(built.at("expire_ts").get<uint32_t>(), built.at("issue_ts").get<uint32_t>() + 86400);
}

TEST(CliBuildTest, ChatUserAndAppTokensDecodeAsChatServices) {
  struct Case {
    std::vector<std::string> who;
    uint16_t privilege;
    std::string user_id;
  };
  for (const Case& c : {Case{{"--user-id", "alice"}, 1, "alice"}, Case{{"--app-token"}, 2, ""}}) {
    SCOPED_TRACE(c.user_id);
    CliResult built = RunCli(Concat({"build", "chat", "--app-id", kAppId, "--token-expire", "600",
                                     "--salt", "3", "--issue-ts", "1700000000"},
                                    c.who),
                             EnvWithCertificate());
    ASSERT_EQ(built.exit_code, kOk) << built.err;
    CliResult decoded =
        RunCli({"decode", Trimmed(built.out), "--now", "1700000001"}, EnvWithCertificate());
    ASSERT_EQ(decoded.exit_code, kOk) << decoded.err;
    json parsed = ParseOut(decoded);
    EXPECT_EQ(parsed.at("signature"), "valid");
    ASSERT_EQ(parsed.at("services").size(), 1u);
    const json& service = parsed.at("services")[0];
    EXPECT_EQ(service.at("name"), "chat");
    EXPECT_EQ(service.at("user_id"), c.user_id);
    ASSERT_EQ(service.at("privileges").size(), 1u);
    EXPECT_EQ(service.at("privileges")[0].at("privilege"), c.privilege);
    EXPECT_EQ(service.at("privileges")[0].at("value"), 600);
  }
}

TEST(CliBuildTest, UidBoundaries) {
  CliResult largest =
      RunCli({"build", "rtc", "--app-id", kAppId, "--channel", "c", "--uid", "4294967295"},
             EnvWithCertificate());
  EXPECT_EQ(largest.exit_code, kOk) << largest.err;
  CliResult too_large =
      RunCli({"build", "rtc", "--app-id", kAppId, "--channel", "c", "--uid", "4294967296"},
             EnvWithCertificate());
  EXPECT_EQ(too_large.exit_code, kUsage);
  EXPECT_NE(too_large.err.find("--uid"), std::string::npos);
  EXPECT_EQ(too_large.out, "");
}

// ---------------------------------------------------------------------------
// build: the kinds beyond RTC, RTM and Chat.

json ExtraVector(const std::string& id) { return VectorById("extra.json", id); }

TEST(CliBuildTest, Rtm2PermissionsGroupByTypeWhateverTheFlagOrder) {
  // The vector's resources and permissions backwards, names in order, and
  // no --rtm2: --permission implies it.
  json vector = ExtraVector("rtm2_007_permissions");
  std::vector<std::string> args = {
      "build",          "rtm",  "--app-id", vector.at("app_id"), "--user-id",  vector.at("user_id"),
      "--token-expire", "3600", "--salt",   "12345678",          "--issue-ts", "1700000000"};
  const json& resources = vector.at("rtm2_resources");
  for (auto resource = resources.rbegin(); resource != resources.rend(); ++resource) {
    const json& permissions = resource->at("permissions");
    for (auto permission = permissions.rbegin(); permission != permissions.rend(); ++permission) {
      json one = {{{"resource_type", resource->at("resource_type")},
                   {"permissions", json::array({*permission})}}};
      for (const std::string& flag : PermissionFlags(one)) {
        args.insert(args.end(), {"--permission", flag});
      }
    }
  }
  CliResult result = RunCli(args, EnvWithCertificate(vector.at("app_certificate")));
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  EXPECT_EQ(result.out, TokenOfSystemZlib(vector) + "\n");
}

TEST(CliBuildTest, RtcWithRtmUserTakesTheRoleFormForAllFourExpiries) {
  const std::vector<std::string> base = {
      "build",  "rtc", "--app-id",      kAppId,      "--channel",          "c",
      "--uid",  "7",   "--rtm-user-id", "agent",     "--rtm-token-expire", "60",
      "--salt", "1",   "--issue-ts",    "1700000000"};
  CliResult role_form = RunCli(Concat(base, {"--privilege-expire", "600"}), EnvWithCertificate());
  CliResult per_privilege =
      RunCli(Concat(base, {"--role", "publisher", "--join-expire", "600", "--publish-audio-expire",
                           "600", "--publish-video-expire", "600", "--publish-data-expire", "600"}),
             EnvWithCertificate());
  ASSERT_EQ(role_form.exit_code, kOk) << role_form.err;
  EXPECT_EQ(role_form.out, per_privilege.out);

  CliResult decoded = RunCli({"decode", Trimmed(role_form.out)}, EnvWithCertificate());
  ASSERT_EQ(decoded.exit_code, kOk) << decoded.err;
  const json services = ParseOut(decoded).at("services");
  ASSERT_EQ(services.size(), 2u);
  EXPECT_EQ(services[0].at("account"), "7");
  EXPECT_EQ(services[1].at("type"), 2);
  EXPECT_EQ(services[1].at("user_id"), "agent");
  EXPECT_EQ(services[1].at("privileges")[0].at("value"), 60);
}

TEST(CliBuildTest, ConvoAiAndSttCarryTheirServiceAfterRtcAndRtm) {
  for (const auto& [kind, type] : {std::pair<std::string, int>{"convo-ai", 9}, {"stt", 10}}) {
    SCOPED_TRACE(kind);
    CliResult built =
        RunCli({"build", kind, "--app-id", kAppId, "--channel", "room", "--account", "alice",
                "--role", "subscriber", "--join-expire", "300", "--rtm-user-id", "agent-1"},
               EnvWithCertificate());
    ASSERT_EQ(built.exit_code, kOk) << built.err;
    CliResult decoded = RunCli({"decode", Trimmed(built.out)}, EnvWithCertificate());
    ASSERT_EQ(decoded.exit_code, kOk) << decoded.err;
    const json out = ParseOut(decoded);
    EXPECT_EQ(out.at("signature"), "valid");
    std::vector<int> types;
    for (const json& service : out.at("services")) types.push_back(service.at("type"));
    EXPECT_EQ(types, (std::vector<int>{1, 2, type}));
    EXPECT_EQ(out.at("services")[0].at("privileges").size(), 1u) << "a subscriber joins only";
  }
}

TEST(CliBuildTest, ApaasRoomUserGrantsApaasRtmAndChat) {
  json vector = VectorById("apaas_reference.json", "apaas007_room_user");
  CliResult result = RunCli(Concat(*BuildArgsForVector(vector), {"--json"}),
                            EnvWithCertificate(vector.at("app_certificate")));
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  const json built = ParseOut(result);
  std::set<std::string> services;
  for (const json& privilege : built.at("privileges")) {
    services.insert(privilege.at("service").get<std::string>());
  }
  EXPECT_EQ(services, (std::set<std::string>{"apaas", "rtm", "chat"})) << result.out;
}

#ifdef AGORA_TOKEN_CLI_WITH_PROTO
// The vector's services as proto3 JSON in its other spellings: lowerCamel
// names and enum names.
json CamelCaseGrant(const json& service) {
  static const char* const kTypes[] = {"",
                                       "SERVICE_TYPE_RTC",
                                       "SERVICE_TYPE_RTM",
                                       "SERVICE_TYPE_STREAMING",
                                       "SERVICE_TYPE_FPA",
                                       "SERVICE_TYPE_CHAT",
                                       "SERVICE_TYPE_FCDN",
                                       "SERVICE_TYPE_APAAS",
                                       "SERVICE_TYPE_RTM2",
                                       "SERVICE_TYPE_CONVO_AI",
                                       "SERVICE_TYPE_STT"};
  json grant = ServiceGrantJson(service);
  json camel;
  for (const auto& [key, value] : grant.items()) {
    std::string name;
    for (size_t i = 0; i < key.size(); ++i) {
      name +=
          key[i] == '_' && i + 1 < key.size() ? static_cast<char>(std::toupper(key[++i])) : key[i];
    }
    camel[name] = value;
  }
  camel["type"] = kTypes[service.at("type").get<int>()];
  for (json& privilege : camel["privileges"]) {
    privilege["expireSeconds"] = privilege["expire_seconds"];
    privilege.erase("expire_seconds");
  }
  return camel;
}

TEST(CliAccessTokenTest, ServicesArrayCamelCaseAndEnumNamesBuildTheSameToken) {
  json vector = ExtraVector("access_token2_all_types");
  json array = json::array();
  for (const json& service : vector.at("services")) array.push_back(CamelCaseGrant(service));
  CliResult result =
      RunCli({"build", "access-token", "--app-id", vector.at("app_id"), "--token-expire", "86400",
              "--services", array.dump(), "--salt", "12345678", "--issue-ts", "1700000000"},
             EnvWithCertificate(vector.at("app_certificate")));
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  EXPECT_EQ(result.out, TokenOfSystemZlib(vector) + "\n");
}

TEST(CliAccessTokenTest, AFieldOrIdTheTypeLacksFailsNamingIt) {
  const std::string fpa = R"({"type": "SERVICE_TYPE_FPA", "privileges": [{"privilege": 1}]})";
  struct Case {
    std::vector<std::string> services;
    std::string field;
  };
  for (const Case& c : std::vector<Case>{
           {{fpa, R"({"type": 1, "channel_name": "c", "room_uuid": "r",
                      "privileges": [{"privilege": 1}]})"},
            "services[1].room_uuid"},
           {{R"({"type": "SERVICE_TYPE_FPA", "userId": "u", "privileges": [{"privilege": 1}]})"},
            "services[0].user_id"},
           {{R"({"type": "SERVICE_TYPE_RTM", "user_id": "u", "role": 1,
                 "privileges": [{"privilege": 1}]})"},
            "services[0].role"},
           {{fpa, fpa, R"({"type": 70000})"}, "services[2].type"},
           {{R"({"type": "SERVICE_TYPE_CHAT", "user_id": "u",
                 "privileges": [{"privilege": 70001}]})"},
            "services[0].privileges[0].privilege"},
           {{R"({"type": "SERVICE_TYPE_RTM2", "user_id": "u", "privileges": [{"privilege": 1}],
                 "rtm2_resources": [{"resource_type": 0, "permissions": [
                   {"permission_type": 0, "names": ["c"], "names_bytes": ["Yw=="]}]}]})"},
            "services[0].rtm2_resources[0].permissions[0].names_bytes"},
           {{R"({"type": "SERVICE_TYPE_RTM2", "user_id": "u", "privileges": [{"privilege": 1}],
                 "rtm2_resources": [{"resource_type": 9, "permissions": [
                   {"permission_type": 0, "names": ["c"]}]}]})"},
            "services[0].rtm2_resources[0].resource_type"}}) {
    SCOPED_TRACE(c.field);
    std::vector<std::string> args = {"build", "access-token", "--app-id", kAppId};
    for (const std::string& service : c.services) args.insert(args.end(), {"--service", service});
    CliResult result = RunCli(args, EnvWithCertificate());
    EXPECT_EQ(result.exit_code, kError) << result.err;
    EXPECT_EQ(result.out, "");
    EXPECT_EQ(result.err.rfind("error: " + c.field + ":", 0), 0u) << result.err;
  }
}

TEST(CliAccessTokenTest, MalformedServicesAreUsageErrors) {
  const std::string fpa = R"({"type": 4, "privileges": [{"privilege": 1}]})";
  struct Case {
    std::vector<std::string> flags;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{}, "--service (once per service) or --services is required"},
           {{"--service", fpa, "--services", "[" + fpa + "]"}, "cannot be used together"},
           {{"--services", fpa}, "--services must be a JSON array"},
           {{"--services", "[" + fpa + ","}, "--services must be a JSON array"},
           {{"--service", fpa, "--service", "{\"type\": 4,"}, "services[1] is not"},
           {{"--service", R"({"type": 4, "channel": "c"})"}, "services[0] is not"},
           {{"--service", R"({"type": "SERVICE_TYPE_VOICE"})"}, "services[0] is not"},
           {{"--service", fpa, "--version", "006"}, "007"}}) {
    SCOPED_TRACE(c.message);
    CliResult result = RunCli(Concat({"build", "access-token", "--app-id", kAppId}, c.flags),
                              EnvWithCertificate());
    EXPECT_EQ(result.exit_code, kUsage) << result.err;
    EXPECT_NE(result.err.find(c.message), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("Usage: agora-token build access-token"), std::string::npos);
  }
}
#endif  // AGORA_TOKEN_CLI_WITH_PROTO

// Input the core rejects: exit 1 with "error: <message naming the field>".
struct RejectedInput {
  std::string name;
  std::vector<std::string> args;
  std::string field;
};

void PrintTo(const RejectedInput& input, std::ostream* os) { *os << input.name; }

class CliRejectedInputTest : public ::testing::TestWithParam<RejectedInput> {};

TEST_P(CliRejectedInputTest, ExitsOneNamingTheField) {
  CliResult result = RunCli(GetParam().args, EnvWithCertificate());
  EXPECT_EQ(result.exit_code, kError) << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err.rfind("error: ", 0), 0u) << result.err;
  EXPECT_NE(result.err.find(GetParam().field), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("Usage:"), std::string::npos) << "not a usage error";
}

std::vector<std::string> RtcWith(const std::vector<std::string>& overrides) {
  return Concat({"build", "rtc", "--app-id", kAppId, "--uid", "1"}, overrides);
}
std::vector<std::string> ApaasRoomUser(const std::string& room_uuid, const std::string& role) {
  return {"build",       "apaas",   "--app-id",    kAppId, "--kind", "room-user",
          "--room-uuid", room_uuid, "--user-uuid", "u",    "--role", role};
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, CliRejectedInputTest,
    ::testing::Values(
        RejectedInput{"ChannelWithSlash", RtcWith({"--channel", "bad/name"}), "channel_name"},
        RejectedInput{"ChannelTooLong", RtcWith({"--channel", std::string(65, 'a')}),
                      "channel_name"},
        RejectedInput{"ChannelEmpty", RtcWith({"--channel="}), "channel_name"},
        RejectedInput{"Channel006", Concat(RtcWith({"--channel", "a*b"}), {"--version", "006"}),
                      "channel_name"},
        RejectedInput{"AccountEmpty",
                      {"build", "rtc", "--app-id", kAppId, "--channel", "c", "--account="},
                      "account"},
        RejectedInput{"AppIdNotHex",
                      {"build", "rtc", "--app-id", "not-hex", "--channel", "c", "--uid", "1"},
                      "app_id"},
        RejectedInput{"RtmUserIdTooLong",
                      {"build", "rtm", "--app-id", kAppId, "--user-id", std::string(256, 'u')},
                      "user_id"},
        RejectedInput{
            "Rtm2UserIdPast64Bytes",
            {"build", "rtm", "--app-id", kAppId, "--rtm2", "--user-id", std::string(65, 'u')},
            "user_id"},
        RejectedInput{"Rtm2PermissionNameOutsideTheChannelRule",
                      {"build", "rtm", "--app-id", kAppId, "--user-id", "u", "--permission",
                       "users:read:bob", "--permission", "message-channels:write:bad/name"},
                      "rtm2_resources[1].permissions[0].names[0]"},
        RejectedInput{"RtcRtmUserEmpty", RtcWith({"--channel", "c", "--rtm-user-id="}),
                      "rtm_user_id"},
        RejectedInput{"ApaasRoleBeyondInt16", ApaasRoomUser("r", "32768"), "role"},
        RejectedInput{"ApaasRoleBelowNone", ApaasRoomUser("r", "-2"), "role"},
        RejectedInput{"ApaasUserUuidEmpty",
                      {"build", "apaas", "--app-id", kAppId, "--kind", "user", "--user-uuid="},
                      "user_uuid"},
        RejectedInput{"ApaasRoomUuidWithSlash", ApaasRoomUser("a/b", "1"), "room_uuid"},
        RejectedInput{"ConvoAiRtmUserPast64Bytes",
                      {"build", "convo-ai", "--app-id", kAppId, "--channel", "c", "--uid", "1",
                       "--rtm-user-id", std::string(65, 'a')},
                      "rtm_user_id"},
        RejectedInput{"SttWildcardForAnyUser",
                      {"build", "stt", "--app-id", kAppId, "--channel", "*", "--uid", "0",
                       "--rtm-user-id", "agent"},
                      "channel_name"},
        RejectedInput{"FpaAppIdNotHex", {"build", "fpa", "--app-id", "not-hex"}, "app_id"}),
    [](const ::testing::TestParamInfo<RejectedInput>& info) { return info.param.name; });

// ---------------------------------------------------------------------------
// Where the certificate comes from.

TEST(CliCertificateTest, MissingCertificateIsAnError) {
  for (const agora_token::cli::Environment& env :
       {agora_token::cli::Environment{}, EnvWithCertificate("")}) {
    CliResult result = RunCli(Rtc007UidArgs(), env);
    EXPECT_EQ(result.exit_code, kError);
    EXPECT_NE(result.err.find("no app certificate"), std::string::npos) << result.err;
    EXPECT_EQ(result.out, "");
  }
}

TEST(CliCertificateTest, MalformedCertificateNamesTheFieldButNotTheValue) {
  CliResult result = RunCli(Rtc007UidArgs(), EnvWithCertificate(kMalformedCertificate));
  EXPECT_EQ(result.exit_code, kError);
  EXPECT_NE(result.err.find("app_certificate"), std::string::npos) << result.err;
  CliResult decoded = RunCli({"decode", Official("rtc007_uid").at("token")},
                             EnvWithCertificate(kMalformedCertificate));
  EXPECT_EQ(decoded.exit_code, kError);
  EXPECT_NE(decoded.err.find("app_certificate"), std::string::npos) << decoded.err;
}

TEST(CliCertificateTest, FileIsReadWithoutTrailingWhitespaceAndWinsOverTheEnvironment) {
  std::string path = WriteTempFile("cert_ok", std::string(kCertificate) + " \t\r\n\n");
  CliResult result = RunCli(Concat(Rtc007UidArgs(), {"--app-certificate-file", path}),
                            EnvWithCertificate(kWrongCertificate));
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  EXPECT_EQ(result.out, Official("rtc007_uid").at("token").get<std::string>() + "\n");
  EXPECT_EQ(result.err, "");

  CliResult decoded =
      RunCli(Concat({"decode", Trimmed(result.out)}, {"--app-certificate-file=" + path}));
  ASSERT_EQ(decoded.exit_code, kOk) << decoded.err;
  EXPECT_EQ(ParseOut(decoded).at("signature"), "valid");
}

TEST(CliCertificateTest, UnreadableOrOversizedFileIsAnError) {
  std::string missing = ::testing::TempDir() + "agora_token_cli_test_no_such_file";
  CliResult result = RunCli(Concat(Rtc007UidArgs(), {"--app-certificate-file", missing}));
  EXPECT_EQ(result.exit_code, kError);
  EXPECT_NE(result.err.find(missing), std::string::npos) << result.err;

  std::string big = WriteTempFile("cert_big", std::string(kCertificate) + std::string(5000, 'x'));
  CliResult oversized = RunCli(Concat(Rtc007UidArgs(), {"--app-certificate-file", big}));
  EXPECT_EQ(oversized.exit_code, kError);
  EXPECT_NE(oversized.err.find("larger than"), std::string::npos) << oversized.err;
}

TEST(CliCertificateTest, CommandLineCertificateWorksButWarns) {
  for (const std::vector<std::string>& flag :
       {std::vector<std::string>{"--app-certificate", kCertificate},
        std::vector<std::string>{std::string("--app-certificate=") + kCertificate}}) {
    CliResult result = RunCli(Concat(Rtc007UidArgs(), flag));
    ASSERT_EQ(result.exit_code, kOk) << result.err;
    EXPECT_EQ(result.out, Official("rtc007_uid").at("token").get<std::string>() + "\n");
    EXPECT_NE(result.err.find("warning: --app-certificate"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("other users"), std::string::npos) << result.err;
  }
}

TEST(CliCertificateTest, NoWarningWithoutTheCommandLineCertificate) {
  CliResult result = RunCli(Rtc007UidArgs(), EnvWithCertificate());
  ASSERT_EQ(result.exit_code, kOk);
  EXPECT_EQ(result.err, "");
}

// ---------------------------------------------------------------------------
// decode.

TEST(CliDecodeTest, Shows006Fields) {
  json vector = Official("rtc006_uid");
  CliResult result = RunCli(Concat({"decode", vector.at("token")}, SubjectArgsForVector(vector)),
                            EnvWithCertificate());
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  json decoded = ParseOut(result);
  EXPECT_EQ(decoded.at("version"), "006");
  EXPECT_EQ(decoded.at("app_id"), kAppId);
  EXPECT_EQ(decoded.at("salt"), 1);
  EXPECT_EQ(decoded.at("ts"), 1111111);
  EXPECT_EQ(decoded.at("crc_channel_name"), Crc32(vector.at("channel_name")));
  EXPECT_EQ(decoded.at("crc_uid"), Crc32("2882341273"));
  EXPECT_EQ(decoded.at("signature_hex").get<std::string>().size(), 64u);
  std::set<int> ids;
  for (const json& privilege : decoded.at("privileges")) {
    ids.insert(privilege.at("privilege").get<int>());
    EXPECT_EQ(privilege.at("value"), 1446455471);
    // The privilege outlives the token, so the token's expiry caps it.
    EXPECT_EQ(privilege.at("expire_ts"), 1111111);
  }
  EXPECT_EQ(ids, (std::set<int>{1, 2, 3, 4}));
  EXPECT_EQ(decoded.at("signature"), "valid");
  EXPECT_FALSE(decoded.contains("services"));
}

TEST(CliDecodeTest, Shows007FieldsAndTheSignedBytes) {
  json vector = Official("rtc007_uid");
  CliResult result =
      RunCli({"decode", vector.at("token"), "--now", "1111200"}, EnvWithCertificate());
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  json decoded = ParseOut(result);
  EXPECT_EQ(decoded.at("version"), "007");
  EXPECT_EQ(decoded.at("app_id"), kAppId);
  EXPECT_EQ(decoded.at("issue_ts"), 1111111);
  EXPECT_EQ(decoded.at("expire"), 600);
  EXPECT_EQ(decoded.at("unknown_service_type"), nullptr);
  EXPECT_EQ(PayloadHexFromDecode(decoded), vector.at("payload_hex"));
  ASSERT_EQ(decoded.at("services").size(), 1u);
  const json& rtc = decoded.at("services")[0];
  EXPECT_EQ(rtc.at("type"), 1);
  EXPECT_EQ(rtc.at("channel_name"), vector.at("channel_name"));
  EXPECT_EQ(rtc.at("account"), "2882341273");
  EXPECT_EQ(rtc.at("privileges").size(), 4u);
  for (const json& privilege : rtc.at("privileges")) {
    EXPECT_EQ(privilege.at("value"), 600);
    EXPECT_EQ(privilege.at("expire_ts"), 1111711);
  }
  EXPECT_EQ(decoded.at("expiry").at("state"), "valid");
  EXPECT_EQ(decoded.at("expiry").at("now"), 1111200);
  EXPECT_EQ(decoded.at("expiry").at("token_expire_ts"), 1111711);
  EXPECT_EQ(decoded.at("signature"), "valid");
}

TEST(CliDecodeTest, ReportsAnExpiredToken) {
  CliResult result = RunCli({"decode", Official("rtc007_uid").at("token"), "--now", "1112000"},
                            EnvWithCertificate());
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  EXPECT_EQ(ParseOut(result).at("expiry").at("state"), "token_expired");
}

TEST(CliDecodeTest, ReportsExpiredPrivileges) {
  // Video lasts 200 s and data 100 s after 1111111; audio 300 s, join 600 s.
  CliResult result =
      RunCli({"decode", Official("rtc007_uid_privileges").at("token"), "--now", "1111361"},
             EnvWithCertificate());
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  json expiry = ParseOut(result).at("expiry");
  EXPECT_EQ(expiry.at("state"), "privilege_expired");
  std::set<std::string> expired;
  for (const json& privilege : expiry.at("expired_privileges")) {
    expired.insert(privilege.at("privilege").get<std::string>());
  }
  EXPECT_EQ(expired, (std::set<std::string>{"publish_video_stream", "publish_data_stream"}));
}

TEST(CliDecodeTest, WithoutCertificateTheSignatureIsNotChecked) {
  CliResult result = RunCli({"decode", Official("rtc007_uid").at("token")});
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  json decoded = ParseOut(result);
  EXPECT_EQ(decoded.at("signature"), "not_checked");
  EXPECT_EQ(decoded.at("version"), "007");
}

TEST(CliDecodeTest, A006TokenWithoutItsSubjectIsNotChecked) {
  CliResult result = RunCli({"decode", Official("rtc006_uid").at("token")}, EnvWithCertificate());
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  json decoded = ParseOut(result);
  EXPECT_EQ(decoded.at("signature"), "not_checked");
  EXPECT_NE(decoded.at("signature_not_checked_because").get<std::string>().find("--channel"),
            std::string::npos);
}

TEST(CliDecodeTest, A006TokenForAnotherChannelOrUserIsInvalid) {
  const std::string token = Official("rtc006_uid").at("token");
  const std::string channel = Official("rtc006_uid").at("channel_name");
  for (const std::vector<std::string>& subject :
       {std::vector<std::string>{"--channel", "other", "--uid", "2882341273"},
        std::vector<std::string>{"--channel", channel, "--uid", "2882341274"},
        std::vector<std::string>{"--rtm-user", "2882341273"}}) {
    CliResult result = RunCli(Concat({"decode", token}, subject), EnvWithCertificate());
    EXPECT_EQ(result.exit_code, kInvalidSignature) << result.err;
    EXPECT_EQ(ParseOut(result).at("signature"), "invalid");
  }
}

TEST(CliDecodeTest, A007TokenIgnoresSubjectFlagsWithANote) {
  CliResult result =
      RunCli({"decode", Official("rtc007_uid").at("token"), "--channel", "other", "--uid", "5"},
             EnvWithCertificate());
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  EXPECT_EQ(ParseOut(result).at("signature"), "valid");
  EXPECT_NE(result.err.find("note:"), std::string::npos);
}

TEST(CliDecodeTest, ShowsAnUnknownServiceAndStillVerifies) {
  json vector = VectorById("extra.json", "unknown_service007");
  CliResult result = RunCli({"decode", vector.at("token")}, EnvWithCertificate());
  ASSERT_EQ(result.exit_code, kOk) << result.err;
  json decoded = ParseOut(result);
  EXPECT_EQ(decoded.at("unknown_service_type"), vector.at("unknown_service_type"));
  EXPECT_EQ(decoded.at("signature"), "valid");
}

TEST(CliDecodeTest, MalformedTokensAreErrors) {
  const std::string good = Official("rtc007_uid").at("token");
  for (const std::string& token :
       {std::string("hello"), std::string("007!!!not-base64"), good.substr(0, good.size() / 2),
        std::string("008") + good.substr(3), std::string("")}) {
    SCOPED_TRACE(token);
    CliResult result = RunCli({"decode", token}, EnvWithCertificate());
    EXPECT_EQ(result.exit_code, kError);
    EXPECT_EQ(result.out, "");
    EXPECT_EQ(result.err.rfind("error: ", 0), 0u) << result.err;
  }
}

// ---------------------------------------------------------------------------
// Usage errors: exit 2, a message naming the problem, then the usage text.

struct UsageCase {
  std::string name;
  std::vector<std::string> args;
  std::string message;  // a part of the one-line message
};

void PrintTo(const UsageCase& usage, std::ostream* os) { *os << usage.name; }

class CliUsageErrorTest : public ::testing::TestWithParam<UsageCase> {};

TEST_P(CliUsageErrorTest, ExitsTwoWithUsage) {
  CliResult result = RunCli(GetParam().args, EnvWithCertificate());
  EXPECT_EQ(result.exit_code, kUsage);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err.rfind("agora-token: ", 0), 0u) << result.err;
  EXPECT_NE(result.err.find(GetParam().message), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("Usage:"), std::string::npos) << result.err;
}

std::vector<std::string> Rtc(std::vector<std::string> more) {
  return Concat({"build", "rtc", "--app-id", kAppId, "--channel", "c"}, more);
}
std::vector<std::string> Rtm(std::vector<std::string> more) {
  return Concat({"build", "rtm", "--app-id", kAppId, "--user-id", "u"}, more);
}
std::vector<std::string> Chat(std::vector<std::string> more) {
  return Concat({"build", "chat", "--app-id", kAppId}, more);
}
std::vector<std::string> Apaas(std::vector<std::string> more) {
  return Concat({"build", "apaas", "--app-id", kAppId}, more);
}
std::vector<std::string> ConvoAi(std::vector<std::string> more) {
  return Concat({"build", "convo-ai", "--app-id", kAppId, "--channel", "c", "--uid", "1"}, more);
}
std::vector<std::string> Decode(std::vector<std::string> more) {
  return Concat({"decode", "007eJxTYDhuGCT90E3Yo2"}, more);
}

INSTANTIATE_TEST_SUITE_P(
    CommandLines, CliUsageErrorTest,
    ::testing::Values(
        UsageCase{"NoCommand", {}, "no command"},
        UsageCase{"UnknownCommand", {"frobnicate"}, "unknown command"},
        UsageCase{"BuildWithoutKind", {"build"}, "token kind"},
        UsageCase{"BuildUnknownKind", {"build", "voice"}, "unknown token kind"},
        UsageCase{"UnknownFlag", Rtc({"--uid", "1", "--colour", "red"}), "--colour"},
        UsageCase{"MissingValueAtEnd", Rtc({"--uid"}), "--uid needs a value"},
        UsageCase{"MissingValueBeforeFlag", Rtc({"--uid", "--role", "publisher"}),
                  "--uid needs a value"},
        UsageCase{"NonNumericUid", Rtc({"--uid", "abc"}), "--uid"},
        UsageCase{"NegativeUid", Rtc({"--uid", "-1"}), "--uid"},
        UsageCase{"HexUid", Rtc({"--uid", "0x10"}), "--uid"},
        UsageCase{"UidOutOfRange", Rtc({"--uid", "4294967296"}), "out of range"},
        UsageCase{"SaltOutOfRange", Rtc({"--uid", "1", "--salt", "99999999999999999999"}),
                  "--salt"},
        UsageCase{"TokenExpireNotANumber", Rtc({"--uid", "1", "--token-expire", "1h"}),
                  "--token-expire"},
        UsageCase{"RepeatedFlag", Rtc({"--uid", "1", "--uid", "2"}), "more than once"},
        UsageCase{"UidAndAccount", Rtc({"--uid", "1", "--account", "a"}), "--uid and --account"},
        UsageCase{"NoUser", Rtc({}), "--uid or --account"},
        UsageCase{"NoAppId", {"build", "rtc", "--channel", "c", "--uid", "1"}, "--app-id"},
        UsageCase{"NoChannel", {"build", "rtc", "--app-id", kAppId, "--uid", "1"}, "--channel"},
        UsageCase{"UnknownVersion", Rtc({"--uid", "1", "--version", "008"}), "--version"},
        UsageCase{"UnknownRole", Rtc({"--uid", "1", "--role", "king"}), "--role"},
        UsageCase{"TsWith007", Rtc({"--uid", "1", "--ts", "1111111"}), "--ts"},
        UsageCase{"IssueTsWith006", Rtc({"--uid", "1", "--version", "006", "--issue-ts", "5"}),
                  "--issue-ts"},
        UsageCase{"TsBeforeOneDay", Rtc({"--uid", "1", "--version", "006", "--ts", "86399"}),
                  "--ts"},
        UsageCase{"TokenExpireWith006",
                  Rtc({"--uid", "1", "--version", "006", "--token-expire", "60"}),
                  "--token-expire applies only to 007"},
        UsageCase{"PrivilegeExpireWith006",
                  Rtc({"--uid", "1", "--version", "006", "--privilege-expire", "60"}),
                  "--privilege-expire applies only to 007"},
        UsageCase{"WithRtmWith006", Rtc({"--uid", "1", "--version", "006", "--with-rtm"}),
                  "--with-rtm applies only to 007"},
        UsageCase{"FastWith006", Rtc({"--uid", "1", "--version", "006", "--fast"}),
                  "--fast applies only to 007"},
        UsageCase{"PerPrivilegeWith006",
                  Rtc({"--uid", "1", "--version", "006", "--join-expire", "1"}),
                  "--join-expire applies only to 007"},
        UsageCase{"PerPrivilegeIncomplete",
                  Rtc({"--uid", "1", "--join-expire", "1", "--publish-audio-expire", "1"}),
                  "--publish-video-expire, --publish-data-expire"},
        UsageCase{"PerPrivilegeWithRole",
                  Rtc({"--uid", "1", "--role", "subscriber", "--join-expire", "1",
                       "--publish-audio-expire", "1", "--publish-video-expire", "1",
                       "--publish-data-expire", "1"}),
                  "--role"},
        UsageCase{"PrivilegeExpireTwice",
                  Rtc({"--uid", "1", "--privilege-expire", "5", "--privilege-expired-ts", "9"}),
                  "cannot be used together"},
        UsageCase{"SwitchWithValue", Rtc({"--uid", "1", "--fast=yes"}), "takes no value"},
        UsageCase{"StrayArgument", Rtc({"--uid", "1", "extra"}), "unexpected argument"},
        UsageCase{"SingleDashFlag", Rtc({"--uid", "1", "-v"}), "unknown flag"},
        UsageCase{"BothCertificateFlags",
                  Rtc({"--uid", "1", "--app-certificate-file", "f", "--app-certificate", "x"}),
                  "cannot be used together"},
        UsageCase{"RtmWithoutUser", {"build", "rtm", "--app-id", kAppId}, "--user-id"},
        UsageCase{"RtmTokenExpireWith006", Rtm({"--version", "006", "--token-expire", "5"}),
                  "--token-expire applies only to 007"},
        UsageCase{"RtmBothExpiries", Rtm({"--token-expire", "5", "--privilege-expired-ts", "9"}),
                  "cannot be used together"},
        UsageCase{"RtmChannelFlag", Rtm({"--channel", "c"}), "--channel"},
        UsageCase{"ChatWith006", Chat({"--version", "006", "--app-token"}), "007"},
        UsageCase{"ChatWithoutWho", Chat({}), "--user-id or --app-token"},
        UsageCase{"ChatUserAndApp", Chat({"--user-id", "u", "--app-token"}),
                  "cannot be used together"},
        UsageCase{"ChatEmptyUser", Chat({"--user-id="}), "--app-token"},
        UsageCase{"ChatTs", Chat({"--app-token", "--ts", "100000"}), "--ts"},
        UsageCase{"DecodeWithoutToken", {"decode"}, "TOKEN"},
        UsageCase{"DecodeTwoTokens", Decode({"007eJxTYDhuGCT90E3Yo2"}), "too many"},
        UsageCase{"DecodeChannelWithoutUser", Decode({"--channel", "c"}), "--channel"},
        UsageCase{"DecodeUidWithoutChannel", Decode({"--uid", "1"}), "--channel"},
        UsageCase{"DecodeRtmUserWithChannel",
                  Decode({"--rtm-user", "u", "--channel", "c", "--uid", "1"}), "--rtm-user"},
        UsageCase{"DecodeBadNow", Decode({"--now", "yesterday"}), "--now"},
        UsageCase{"DecodeUidOutOfRange", Decode({"--channel", "c", "--uid", "4294967296"}),
                  "--uid"},
        UsageCase{"RtcRtmUserWithRtm", Rtc({"--uid", "1", "--with-rtm", "--rtm-user-id", "u"}),
                  "cannot be used together"},
        UsageCase{"RtcRtmTokenExpireAlone", Rtc({"--uid", "1", "--rtm-token-expire", "60"}),
                  "--rtm-token-expire needs --rtm-user-id"},
        UsageCase{"RtcRtmUserWith006",
                  Rtc({"--uid", "1", "--version", "006", "--rtm-user-id", "u"}),
                  "--rtm-user-id applies only to 007"},
        UsageCase{"RtcRtmUserPerPrivilegeWithPrivilegeExpire",
                  Rtc({"--uid", "1", "--rtm-user-id", "u", "--privilege-expire", "5",
                       "--join-expire", "1", "--publish-audio-expire", "1",
                       "--publish-video-expire", "1", "--publish-data-expire", "1"}),
                  "replace --privilege-expire"},
        UsageCase{"RtmPermissionWithoutName", Rtm({"--permission", "users:read"}),
                  "TYPE:PERMISSION:NAME"},
        UsageCase{"RtmPermissionUnknownType", Rtm({"--permission", "rooms:read:x"}),
                  "message-channels"},
        UsageCase{"RtmPermissionUnknownPermission", Rtm({"--permission", "users:admin:x"}),
                  "read or write"},
        UsageCase{"Rtm2With006", Rtm({"--version", "006", "--rtm2"}), "--rtm2 applies only to 007"},
        UsageCase{"PermissionWith006", Rtm({"--version", "006", "--permission", "users:read:x"}),
                  "--permission applies only to 007"},
        UsageCase{"FpaWith006", {"build", "fpa", "--app-id", kAppId, "--version", "006"}, "007"},
        UsageCase{"FpaTakesNoExpiry",
                  {"build", "fpa", "--app-id", kAppId, "--token-expire", "5"},
                  "--token-expire"},
        UsageCase{"ApaasWithoutKind", Apaas({}), "--kind is required"},
        UsageCase{"ApaasUnknownKind", Apaas({"--kind", "teacher"}), "room-user, user or app"},
        UsageCase{"ApaasRoomUserWithoutRole",
                  Apaas({"--kind", "room-user", "--room-uuid", "r", "--user-uuid", "u"}),
                  "--kind room-user needs --role"},
        UsageCase{"ApaasUserWithRoom",
                  Apaas({"--kind", "user", "--user-uuid", "u", "--room-uuid", "r"}),
                  "--room-uuid does not apply to --kind user"},
        UsageCase{"ApaasAppWithRole", Apaas({"--kind", "app", "--role", "1"}),
                  "--role does not apply to --kind app"},
        UsageCase{"ApaasRoleNotANumber",
                  Apaas({"--kind", "room-user", "--room-uuid", "r", "--user-uuid", "u", "--role",
                         "teacher"}),
                  "--role must be a decimal number"},
        UsageCase{"ApaasWith006", Apaas({"--kind", "app", "--version", "006"}), "007"},
        UsageCase{"ConvoAiWithoutRtmUser", ConvoAi({}), "--rtm-user-id is required"},
        UsageCase{"ConvoAiDeprecatedRole", ConvoAi({"--rtm-user-id", "a", "--role", "admin"}),
                  "--role admin"},
        UsageCase{"SttWithoutUser",
                  {"build", "stt", "--app-id", kAppId, "--channel", "c", "--rtm-user-id", "a"},
                  "--uid or --account"},
        UsageCase{"SttTakesNoPrivilegeExpire",
                  {"build", "stt", "--app-id", kAppId, "--channel", "c", "--uid", "1",
                   "--rtm-user-id", "a", "--privilege-expire", "5"},
                  "--privilege-expire"}),
    [](const ::testing::TestParamInfo<UsageCase>& info) { return info.param.name; });

TEST(CliUsageTest, HelpGoesToStdoutWithExitZero) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"help"}, std::vector<std::string>{"--help"},
        std::vector<std::string>{"-h"}}) {
    CliResult result = RunCli(args);
    EXPECT_EQ(result.exit_code, kOk);
    EXPECT_EQ(result.err, "");
    for (const char* part : {"build rtc", "build rtm", "build chat", "build fpa", "build apaas",
                             "build convo-ai", "build stt", "build access-token", "decode TOKEN",
                             "AGORA_APP_CERTIFICATE", "Exit codes", "3  decode"}) {
      EXPECT_NE(result.out.find(part), std::string::npos) << part;
    }
  }
}

TEST(CliUsageTest, CommandHelpShowsThatCommand) {
  struct Case {
    std::vector<std::string> args;
    std::string shows;
  };
  for (const Case& c : {Case{{"build", "rtc", "--help"}, "--with-rtm"},
                        Case{{"build", "rtm", "-h"}, "Usage: agora-token build rtm"},
                        Case{{"build", "chat", "--app-token", "--help"}, "--app-token"},
                        Case{{"build", "--help"}, "Usage: agora-token build chat"},
                        Case{{"build", "--help"}, "Usage: agora-token build access-token"},
                        Case{{"build", "rtc", "--help"}, "--rtm-user-id"},
                        Case{{"build", "rtm", "--help"}, "--permission TYPE:PERMISSION:NAME"},
                        Case{{"build", "fpa", "--help"}, "FpaTokenBuilder"},
                        Case{{"build", "apaas", "-h"}, "--kind room-user"},
                        Case{{"build", "convo-ai", "--help"}, "ConvoAITokenBuilder"},
                        Case{{"build", "stt", "--help"}, "SttTokenBuilder"},
                        Case{{"decode", "--help"}, "--rtm-user"}}) {
    CliResult result = RunCli(c.args);
    EXPECT_EQ(result.exit_code, kOk);
    EXPECT_EQ(result.err, "");
    EXPECT_NE(result.out.find(c.shows), std::string::npos) << result.out;
  }
}

// Without the gRPC build's protobuf library access-token cannot read its
// JSON, and says so.
TEST(CliUsageTest, AccessTokenHelpOrWhyItIsMissing) {
  CliResult result = RunCli({"build", "access-token", "--help"});
#ifdef AGORA_TOKEN_CLI_WITH_PROTO
  EXPECT_EQ(result.exit_code, kOk);
  EXPECT_NE(result.out.find("ServiceGrant"), std::string::npos) << result.out;
#else
  EXPECT_EQ(result.exit_code, kUsage);
  EXPECT_NE(result.err.find("AGORA_TOKEN_BUILD_SERVER=ON"), std::string::npos) << result.err;
#endif
}

}  // namespace
}  // namespace agora_token_cli_test
