#include "tests/cli/cli_test_support.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "gtest/gtest.h"

namespace agora_token_cli_test {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Every certificate any test hands to the CLI.
const std::set<std::string>& KnownCertificates() {
  static const std::set<std::string>* certificates = [] {
    auto* set = new std::set<std::string>{kCertificate, kWrongCertificate, kMalformedCertificate};
    for (const char* file : {"official.json", "extra.json"}) {
      for (const nlohmann::json& vector : LoadVectors(file)) {
        set->insert(vector.at("app_certificate").get<std::string>());
      }
    }
    return set;
  }();
  return *certificates;
}

void ExpectNoCertificate(const std::string& stream_name, const std::string& text) {
  std::string lower = Lower(text);
  for (const std::string& certificate : KnownCertificates()) {
    EXPECT_EQ(lower.find(Lower(certificate)), std::string::npos)
        << stream_name << " contains an app certificate";
  }
}

std::string RoleName(int role) {
  switch (role) {
    case 0:
      return "attendee";
    case 1:
      return "publisher";
    case 2:
      return "subscriber";
    case 101:
      return "admin";
  }
  ADD_FAILURE() << "vector with unknown role " << role;
  return "unknown";
}

std::string Num(const nlohmann::json& vector, const char* field) {
  return std::to_string(vector.at(field).get<uint64_t>());
}

std::string Text(const nlohmann::json& vector, const char* field) {
  return vector.at(field).get<std::string>();
}

}  // namespace

CliResult RunCli(const std::vector<std::string>& args, const agora_token::cli::Environment& env) {
  std::vector<const char*> argv = {"agora-token"};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out;
  std::ostringstream err;
  CliResult result;
  result.exit_code =
      agora_token::cli::Run(static_cast<int>(argv.size()), argv.data(), out, err, env);
  result.out = out.str();
  result.err = err.str();
  ExpectNoCertificate("stdout", result.out);
  ExpectNoCertificate("stderr", result.err);
  return result;
}

agora_token::cli::Environment EnvWithCertificate(const std::string& certificate) {
  return {{agora_token::cli::kAppCertificateEnv, certificate}};
}

std::vector<nlohmann::json> LoadVectors(const std::string& file) {
  std::ifstream in(std::string(AGORA_TOKEN_VECTORS_DIR) + "/" + file);
  if (!in) {
    ADD_FAILURE() << "cannot read vector file " << file;
    return {};
  }
  nlohmann::json document = nlohmann::json::parse(in);
  return document.at("vectors").get<std::vector<nlohmann::json>>();
}

std::optional<std::vector<std::string>> BuildArgsForVector(const nlohmann::json& v) {
  const std::string kind = Text(v, "kind");
  std::vector<std::string> args;
  auto add = [&args](std::initializer_list<std::string> more) {
    args.insert(args.end(), more.begin(), more.end());
  };
  auto add_issuance = [&](const nlohmann::json& vector) {
    add({"--salt", Num(vector, "salt"), "--issue-ts", Num(vector, "issue_ts")});
  };
  auto add_user = [&](const nlohmann::json& vector) {
    if (vector.contains("uid")) {
      add({"--uid", Num(vector, "uid")});
    } else {
      add({"--account", Text(vector, "account")});
    }
  };
  if (kind == "rtc006_uid" || kind == "rtc006_account") {
    add({"build", "rtc", "--version", "006", "--app-id", Text(v, "app_id"), "--channel",
         Text(v, "channel_name")});
    add_user(v);
    add({"--role", RoleName(v.at("role").get<int>()), "--privilege-expired-ts",
         Num(v, "privilege_expire_ts"), "--salt", Num(v, "salt"), "--ts", Num(v, "ts")});
  } else if (kind == "rtm006") {
    add({"build", "rtm", "--version", "006", "--app-id", Text(v, "app_id"), "--user-id",
         Text(v, "account"), "--privilege-expired-ts", Num(v, "privilege_expire_ts"), "--salt",
         Num(v, "salt"), "--ts", Num(v, "ts")});
  } else if (kind == "rtc007_uid" || kind == "rtc007_account" || kind == "rtc007_rtm") {
    add({"build", "rtc", "--version", "007", "--app-id", Text(v, "app_id"), "--channel",
         Text(v, "channel_name")});
    add_user(v);
    add({"--role", RoleName(v.at("role").get<int>()), "--token-expire", Num(v, "token_expire"),
         "--privilege-expire", Num(v, "privilege_expire"), "--salt", Num(v, "salt"), "--issue-ts",
         Num(v, "issue_ts")});
    if (kind == "rtc007_rtm") add({"--with-rtm"});
  } else if (kind == "rtc007_uid_privilege" || kind == "rtc007_account_privilege") {
    add({"build", "rtc", "--app-id", Text(v, "app_id"), "--channel", Text(v, "channel_name")});
    add_user(v);
    add({"--token-expire", Num(v, "token_expire"), "--join-expire",
         Num(v, "join_channel_privilege_expire"), "--publish-audio-expire",
         Num(v, "pub_audio_privilege_expire"), "--publish-video-expire",
         Num(v, "pub_video_privilege_expire"), "--publish-data-expire",
         Num(v, "pub_data_stream_privilege_expire"), "--salt", Num(v, "salt"), "--issue-ts",
         Num(v, "issue_ts")});
  } else if (kind == "rtm007") {
    add({"build", "rtm", "--app-id", Text(v, "app_id"), "--user-id", Text(v, "user_id"),
         "--token-expire", Num(v, "token_expire"), "--salt", Num(v, "salt"), "--issue-ts",
         Num(v, "issue_ts")});
  } else if (kind == "chat007_user" || kind == "chat007_app") {
    add({"build", "chat", "--app-id", Text(v, "app_id")});
    if (kind == "chat007_user") {
      add({"--user-id", Text(v, "user_id")});
    } else {
      add({"--app-token"});
    }
    add({"--token-expire", Num(v, "token_expire"), "--salt", Num(v, "salt"), "--issue-ts",
         Num(v, "issue_ts")});
  } else if (kind == "fpa007") {
    add({"build", "fpa", "--app-id", Text(v, "app_id")});
    add_issuance(v);
  } else if (kind.rfind("apaas007_", 0) == 0) {
    add({"build", "apaas", "--app-id", Text(v, "app_id"), "--expire", Num(v, "token_expire")});
    if (kind == "apaas007_room_user") {
      add({"--kind", "room-user", "--room-uuid", Text(v, "room_uuid"), "--user-uuid",
           Text(v, "user_uuid"), "--role", std::to_string(v.at("role").get<int>())});
    } else if (kind == "apaas007_user") {
      add({"--kind", "user", "--user-uuid", Text(v, "user_uuid")});
    } else {
      add({"--kind", "app"});
    }
    add_issuance(v);
  } else if (kind == "rtm2_007") {
    add({"build", "rtm", "--app-id", Text(v, "app_id"), "--user-id", Text(v, "user_id"),
         "--token-expire", Num(v, "token_expire"), "--rtm2"});
    for (const std::string& permission : PermissionFlags(v.at("rtm2_resources"))) {
      add({"--permission", permission});
    }
    add_issuance(v);
  } else if (kind == "rtc007_rtm2" || kind == "convoai007" || kind == "stt007") {
    const char* command = kind == "rtc007_rtm2" ? "rtc" : kind == "convoai007" ? "convo-ai" : "stt";
    add({"build", command, "--app-id", Text(v, "app_id"), "--channel", Text(v, "channel_name")});
    add_user(v);
    add({"--role", RoleName(v.at("role").get<int>()), "--token-expire", Num(v, "token_expire"),
         "--join-expire", Num(v, "join_channel_privilege_expire"), "--publish-audio-expire",
         Num(v, "pub_audio_privilege_expire"), "--publish-video-expire",
         Num(v, "pub_video_privilege_expire"), "--publish-data-expire",
         Num(v, "pub_data_stream_privilege_expire"), "--rtm-user-id", Text(v, "rtm_user_id"),
         "--rtm-token-expire", Num(v, "rtm_token_expire")});
    add_issuance(v);
#ifdef AGORA_TOKEN_CLI_WITH_PROTO
  } else if (kind == "access_token2_007") {
    add({"build", "access-token", "--app-id", Text(v, "app_id"), "--token-expire",
         Num(v, "token_expire")});
    for (const nlohmann::json& service : v.at("services")) {
      add({"--service", ServiceGrantJson(service).dump()});
    }
    add_issuance(v);
#endif
  } else {
    return std::nullopt;
  }
  return args;
}

std::vector<std::string> PermissionFlags(const nlohmann::json& rtm2_resources) {
  static const char* const kTypes[] = {"message-channels", "stream-channels", "group-channels",
                                       "server-groups", "users"};
  static const char* const kPermissions[] = {"read", "write"};
  std::vector<std::string> flags;
  for (const nlohmann::json& resource : rtm2_resources) {
    for (const nlohmann::json& permission : resource.at("permissions")) {
      for (const nlohmann::json& name : permission.at("names")) {
        flags.push_back(std::string(kTypes[resource.at("resource_type").get<int>()]) + ":" +
                        kPermissions[permission.at("permission_type").get<int>()] + ":" +
                        name.get<std::string>());
      }
    }
  }
  return flags;
}

nlohmann::json ServiceGrantJson(const nlohmann::json& service) {
  nlohmann::json grant = service;
  nlohmann::json privileges = nlohmann::json::array();
  for (const nlohmann::json& pair : service.at("privileges")) {
    privileges.push_back({{"privilege", pair.at(0)}, {"expire_seconds", pair.at(1)}});
  }
  grant["privileges"] = privileges;
  return grant;
}

std::vector<std::string> SubjectArgsForVector(const nlohmann::json& v) {
  const std::string kind = Text(v, "kind");
  if (kind == "rtm006") return {"--rtm-user", Text(v, "account")};
  if (kind.rfind("rtc006", 0) == 0) {
    std::vector<std::string> args = {"--channel", Text(v, "channel_name")};
    if (v.contains("uid")) {
      args.insert(args.end(), {"--uid", Num(v, "uid")});
    } else {
      args.insert(args.end(), {"--account", Text(v, "account")});
    }
    return args;
  }
  return {};
}

std::string TokenOfSystemZlib(const nlohmann::json& vector) {
  return vector.value("system_zlib_token", Text(vector, "token"));
}

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 0xf]);
  }
  return hex;
}

uint32_t Crc32(const std::string& data) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

std::string WriteTempFile(const std::string& name, const std::string& content) {
  // The pid keeps parallel test processes from sharing a file.
  std::string path =
      ::testing::TempDir() + "agora_token_cli_test_" + std::to_string(getpid()) + "_" + name;
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << content;
  return path;
}

}  // namespace agora_token_cli_test
