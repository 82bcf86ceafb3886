// End-to-end tests of the C++ client (clients/cpp) against the real
// agora-token-server binary: every token it returns is checked by Agora's
// official npm package through tests/crosscheck/verify_with_agora_token.js,
// field errors arrive as google.rpc.BadRequest violations, and the client's
// retry and deadline policy is checked against an in-process fake server,
// and against clients/service_config.json, which all five clients share.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "clients/cpp/token_client.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "tests/e2e/token_server_process.h"

namespace agora_token_e2e {
namespace {

namespace v1 = agora::token::v1;
using ::agora_token::FieldViolation;
using ::agora_token::TokenClient;
using ::agora_token::TokenClientOptions;

constexpr std::chrono::milliseconds kServerStopTimeout{10000};
constexpr std::chrono::milliseconds kVerifierTimeout{60000};
constexpr uint32_t kDay = 86400;

uint32_t Now() { return static_cast<uint32_t>(std::time(nullptr)); }

std::string VersionName(v1::TokenVersion version) {
  switch (version) {
    case v1::TOKEN_VERSION_006:
      return "006";
    case v1::TOKEN_VERSION_007:
      return "007";
    default:
      return "unknown";
  }
}

// Collects verify_with_agora_token.js input lines: the inputs sent, plus what
// the server says it built. `compression` is the server's 007 mode.
class TokenRecords {
 public:
  explicit TokenRecords(const TestApp& app) : app_(app) {}

  template <typename Response>
  nlohmann::json& Add(const std::string& shape, const std::string& kind,
                      const std::string& compression, const Response& response) {
    nlohmann::json record = {
        {"seed", "cpp-e2e"},
        {"case", shape},
        {"shape", shape},
        {"kind", kind},
        {"app_id", app_.app_id},
        {"app_certificate", app_.certificate},
        {"token", response.token()},
        {"issuance", "new"},
        {"issue_ts", response.issue_ts()},
        {"salt", response.salt()},
        {"built",
         {{"version", VersionName(response.token_version())},
          {"salt", response.salt()},
          {"issue_ts", response.issue_ts()},
          {"expire_ts", response.expire_ts()}}},
    };
    // 006 records pass "": they have no compression. (Kinds such as
    // "apaas007_user" do not end in "007".)
    if (!compression.empty()) record["compression"] = compression;
    records_.push_back(std::move(record));
    return records_.back();
  }

  std::vector<nlohmann::json>& all() { return records_; }

 private:
  TestApp app_;
  std::vector<nlohmann::json> records_;
};

struct VerifierResult {
  int exit_code = -1;
  std::string summary;  // the last line: "N passed, M failed"
  std::string output;
};

class CppClientE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TempDir>> dir = TempDir::Create("agora-token-cpp-e2e-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *std::move(dir);
    app_ = NewTestApp();
    absl::StatusOr<std::string> keyring = WriteKeyring(*dir_, app_);
    ASSERT_TRUE(keyring.ok()) << keyring.status();
    keyring_path_ = *keyring;
  }

  // Starts a server with `flags` and returns it, or nullptr after a test
  // failure.
  std::unique_ptr<TokenServerProcess> StartServer(const std::string& name,
                                                  const std::vector<std::string>& flags) {
    absl::StatusOr<std::unique_ptr<TokenServerProcess>> server =
        TokenServerProcess::Start(AGORA_TOKEN_SERVER_BINARY, keyring_path_,
                                  dir_->File(name + ".log"), flags, kServerStartTimeout);
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? *std::move(server) : nullptr;
  }

  VerifierResult RunVerifier(const std::vector<nlohmann::json>& records, const std::string& name) {
    VerifierResult result;
    // A missing toolchain fails the test: this is the only C++ check against
    // Agora's own code.
    if (access(AGORA_TOKEN_NODE, X_OK) != 0) {
      ADD_FAILURE() << "Node.js not found (" << AGORA_TOKEN_NODE
                    << "); install node 20, run `npm ci` at the repo root and re-run cmake";
      return result;
    }
    std::string lines;
    for (const nlohmann::json& record : records) lines += record.dump() + "\n";
    const std::string tokens_path = dir_->File(name + ".jsonl");
    const std::string output_path = dir_->File(name + ".out");
    absl::Status written = WriteFile(tokens_path, lines);
    EXPECT_TRUE(written.ok()) << written;
    absl::StatusOr<int> exit_code =
        RunToCompletion({AGORA_TOKEN_NODE, AGORA_TOKEN_VERIFIER, tokens_path}, output_path,
                        output_path, kVerifierTimeout);
    EXPECT_TRUE(exit_code.ok()) << exit_code.status();
    if (exit_code.ok()) result.exit_code = *exit_code;
    result.output = ReadFile(output_path).value_or("");
    // The summary is the last non-empty line.
    std::string text = result.output;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    result.summary = text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
    return result;
  }

  std::unique_ptr<TempDir> dir_;
  TestApp app_;
  std::string keyring_path_;
};

// Builds one token of each RTC shape through `client`, recording them with
// the given 007 compression mode.
void BuildRtc007Tokens(const TokenClient& client, const TestApp& app,
                       const std::string& compression, TokenRecords& records) {
  const std::string& id = app.app_id;
  {
    v1::BuildRtcTokenWithUidRequest request;
    request.set_app_id(id);
    request.set_channel_name("e2e channel!");
    request.set_uid(12345);
    request.set_role(v1::ROLE_PUBLISHER);
    request.set_token_version(v1::TOKEN_VERSION_007);
    request.set_token_expire_seconds(7200);
    absl::StatusOr<v1::BuildRtcTokenWithUidResponse> r = client.BuildRtcTokenWithUid(request);
    ASSERT_TRUE(r.ok()) << r.status();
    records.Add("rtc007_uid_publisher_" + compression, "rtc007", compression, *r)
        .update({{"channel_name", "e2e channel!"},
                 {"uid", 12345},
                 {"role", 1},
                 {"privilege_expire", 0},
                 {"token_expire", 7200},
                 {"with_rtm", false}});
  }
  {
    // With token_expire_seconds 0 the token expires at privilege_expired_ts
    // too: both become spans after the issue time.
    const uint32_t pet = Now() + 1800;
    absl::StatusOr<v1::BuildRtcTokenWithAccountResponse> r = client.BuildTokenWithAccount(
        id, "room[1]", "Alice_01", v1::ROLE_SUBSCRIBER, pet, v1::TOKEN_VERSION_007);
    ASSERT_TRUE(r.ok()) << r.status();
    records.Add("rtc007_account_subscriber_" + compression, "rtc007", compression, *r)
        .update({{"channel_name", "room[1]"},
                 {"account", "Alice_01"},
                 {"role", 2},
                 {"privilege_expire", pet - r->issue_ts()},
                 {"token_expire", pet - r->issue_ts()},
                 {"with_rtm", false}});
  }
  {
    // token_version unset: the server's default, 007.
    absl::StatusOr<v1::BuildRtcTokenWithUidResponse> r =
        client.BuildTokenWithUid(id, "default-version", 42, v1::ROLE_PUBLISHER, 0);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->token_version(), v1::TOKEN_VERSION_007);
    records.Add("rtc007_default_version_" + compression, "rtc007", compression, *r)
        .update({{"channel_name", "default-version"},
                 {"uid", 42},
                 {"role", 1},
                 {"privilege_expire", 0},
                 {"token_expire", 0},
                 {"with_rtm", false}});
  }
  {
    v1::BuildRtcTokenWithUidRequest request;
    request.set_app_id(id);
    request.set_channel_name("stage");
    request.set_uid(777);
    request.set_token_version(v1::TOKEN_VERSION_007);
    request.set_with_rtm(true);
    v1::RtcPrivilegeExpires* expires = request.mutable_privilege_expires();
    expires->set_join_channel_privilege_expire(3600);
    expires->set_pub_audio_privilege_expire(1800);
    expires->set_pub_video_privilege_expire(900);
    expires->set_pub_data_stream_privilege_expire(600);
    absl::StatusOr<v1::BuildRtcTokenWithUidResponse> r = client.BuildRtcTokenWithUid(request);
    ASSERT_TRUE(r.ok()) << r.status();
    records.Add("rtc007_uid_per_privilege_with_rtm_" + compression, "rtc007", compression, *r)
        .update({{"channel_name", "stage"},
                 {"uid", 777},
                 {"token_expire", 0},
                 {"with_rtm", true},
                 {"privilege_expires",
                  {{"join_channel", 3600},
                   {"publish_audio", 1800},
                   {"publish_video", 900},
                   {"publish_data_stream", 600}}}});
  }
  {
    v1::BuildRtcTokenWithAccountRequest request;
    request.set_app_id(id);
    request.set_channel_name("room[1]");
    request.set_account("bob");
    request.set_role(v1::ROLE_PUBLISHER);
    request.set_token_version(v1::TOKEN_VERSION_007);
    request.set_token_expire_seconds(5000);
    request.set_with_rtm(true);
    absl::StatusOr<v1::BuildRtcTokenWithAccountResponse> r =
        client.BuildRtcTokenWithAccount(request);
    ASSERT_TRUE(r.ok()) << r.status();
    records.Add("rtc007_account_with_rtm_" + compression, "rtc007", compression, *r)
        .update({{"channel_name", "room[1]"},
                 {"account", "bob"},
                 {"role", 1},
                 {"privilege_expire", 0},
                 {"token_expire", 5000},
                 {"with_rtm", true}});
  }
}

void BuildRtmAndChat007Tokens(const TokenClient& client, const TestApp& app,
                              const std::string& compression, TokenRecords& records) {
  {
    v1::BuildRtmTokenRequest request;
    request.set_app_id(app.app_id);
    request.set_user_id("rtm-user");
    request.set_token_version(v1::TOKEN_VERSION_007);
    request.set_token_expire_seconds(900);
    absl::StatusOr<v1::BuildRtmTokenResponse> r = client.BuildRtmToken(request);
    ASSERT_TRUE(r.ok()) << r.status();
    records.Add("rtm007_" + compression, "rtm007", compression, *r)
        .update({{"user_id", "rtm-user"}, {"token_expire", 900}});
  }
  {
    v1::BuildChatTokenRequest request;
    request.set_app_id(app.app_id);
    request.set_kind(v1::CHAT_TOKEN_KIND_USER);
    request.set_user_id("chat_user");
    absl::StatusOr<v1::BuildChatTokenResponse> r = client.BuildChatToken(request);
    ASSERT_TRUE(r.ok()) << r.status();
    records.Add("chat007_user_" + compression, "chat007", compression, *r)
        .update({{"user_id", "chat_user"}, {"token_expire", 0}});
  }
  {
    v1::BuildChatTokenRequest request;
    request.set_app_id(app.app_id);
    request.set_kind(v1::CHAT_TOKEN_KIND_APP);
    request.set_token_expire_seconds(3000);
    absl::StatusOr<v1::BuildChatTokenResponse> r = client.BuildChatToken(request);
    ASSERT_TRUE(r.ok()) << r.status();
    records.Add("chat007_app_" + compression, "chat007", compression, *r)
        .update({{"user_id", ""}, {"token_expire", 3000}});
  }
}

void Build006Tokens(const TokenClient& client, const TestApp& app, TokenRecords& records) {
  const std::string& id = app.app_id;
  const uint32_t now = Now();
  {
    absl::StatusOr<v1::BuildRtcTokenWithUidResponse> r = client.BuildTokenWithUid(
        id, "e2e channel!", 2882341273u, v1::ROLE_PUBLISHER, 0, v1::TOKEN_VERSION_006);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->expire_ts(), r->issue_ts() + kDay);
    records.Add("rtc006_uid_publisher", "rtc006", "", *r)
        .update({{"channel_name", "e2e channel!"},
                 {"uid", 2882341273u},
                 {"role", 1},
                 {"privilege_expired_ts", 0}});
  }
  {
    absl::StatusOr<v1::BuildRtcTokenWithUidResponse> r = client.BuildTokenWithUid(
        id, "any-uid", 0, v1::ROLE_SUBSCRIBER, now + 3600, v1::TOKEN_VERSION_006);
    ASSERT_TRUE(r.ok()) << r.status();
    records.Add("rtc006_uid0_subscriber", "rtc006", "", *r)
        .update({{"channel_name", "any-uid"},
                 {"uid", 0},
                 {"role", 2},
                 {"privilege_expired_ts", now + 3600}});
  }
  {
    absl::StatusOr<v1::BuildRtcTokenWithAccountResponse> r = client.BuildTokenWithAccount(
        id, "room[1]", "user@example.com", v1::ROLE_PUBLISHER, now + 7200, v1::TOKEN_VERSION_006);
    ASSERT_TRUE(r.ok()) << r.status();
    records.Add("rtc006_account_publisher", "rtc006", "", *r)
        .update({{"channel_name", "room[1]"},
                 {"account", "user@example.com"},
                 {"role", 1},
                 {"privilege_expired_ts", now + 7200}});
  }
  {
    v1::BuildRtmTokenRequest request;
    request.set_app_id(id);
    request.set_user_id("rtm-user");
    request.set_token_version(v1::TOKEN_VERSION_006);
    request.set_privilege_expired_ts(now + 600);
    absl::StatusOr<v1::BuildRtmTokenResponse> r = client.BuildRtmToken(request);
    ASSERT_TRUE(r.ok()) << r.status();
    records.Add("rtm006", "rtm006", "", *r)
        .update({{"user_id", "rtm-user"}, {"privilege_expired_ts", now + 600}});
  }
}

void BuildBatchTokens(const TokenClient& client, const TestApp& app, TokenRecords& records) {
  v1::BuildTokensRequest request;
  v1::BuildRtcTokenWithUidRequest* rtc = request.add_items()->mutable_rtc_with_uid();
  rtc->set_app_id(app.app_id);
  rtc->set_channel_name("batch");
  rtc->set_uid(42);
  rtc->set_token_version(v1::TOKEN_VERSION_006);
  v1::BuildChatTokenRequest* chat = request.add_items()->mutable_chat();
  chat->set_app_id(app.app_id);
  chat->set_kind(v1::CHAT_TOKEN_KIND_USER);
  chat->set_user_id("carol");
  absl::StatusOr<v1::BuildTokensResponse> r = client.BuildTokens(request);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->results_size(), 2);
  for (const v1::BuildTokensResult& result : r->results()) {
    ASSERT_TRUE(result.has_token()) << agora_token::FromRpcStatus(result.error());
  }
  // ROLE_UNSPECIFIED is the publisher role.
  records.Add("batch_rtc006_uid", "rtc006", "", r->results(0).token())
      .update({{"channel_name", "batch"}, {"uid", 42}, {"role", 1}, {"privilege_expired_ts", 0}});
  records.Add("batch_chat007_user", "chat007", "compatible", r->results(1).token())
      .update({{"user_id", "carol"}, {"token_expire", 0}});
}

TEST_F(CppClientE2eTest, EveryTokenPassesAgoraOfficialPackage) {
  // One server with the default (compatible) 007 compression, one with fast.
  std::unique_ptr<TokenServerProcess> compatible_server = StartServer("compatible", {});
  ASSERT_NE(compatible_server, nullptr);
  std::unique_ptr<TokenServerProcess> fast_server = StartServer("fast", {"--compression", "fast"});
  ASSERT_NE(fast_server, nullptr);
  const TokenClient compatible_client(compatible_server->target());
  const TokenClient fast_client(fast_server->target());

  TokenRecords records(app_);
  ASSERT_NO_FATAL_FAILURE(Build006Tokens(compatible_client, app_, records));
  ASSERT_NO_FATAL_FAILURE(BuildRtc007Tokens(compatible_client, app_, "compatible", records));
  ASSERT_NO_FATAL_FAILURE(BuildRtmAndChat007Tokens(compatible_client, app_, "compatible", records));
  ASSERT_NO_FATAL_FAILURE(BuildBatchTokens(compatible_client, app_, records));
  ASSERT_NO_FATAL_FAILURE(BuildRtc007Tokens(fast_client, app_, "fast", records));
  ASSERT_NO_FATAL_FAILURE(BuildRtmAndChat007Tokens(fast_client, app_, "fast", records));
  // 006 has no compression, so the fast server must build the same format.
  ASSERT_NO_FATAL_FAILURE(Build006Tokens(fast_client, app_, records));

  for (const nlohmann::json& record : records.all()) {
    const std::string kind = record["kind"];
    const std::string token = record["token"];
    EXPECT_EQ(token.substr(0, 3), kind.substr(kind.size() - 3)) << record["shape"];
    EXPECT_EQ(record["built"]["version"], kind.substr(kind.size() - 3)) << record["shape"];
  }

  const size_t total = records.all().size();
  const VerifierResult verified = RunVerifier(records.all(), "tokens");
  EXPECT_EQ(verified.summary, absl::StrCat(total, " passed, 0 failed")) << verified.output;
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  std::printf("agora-token verifier: %s\n", verified.summary.c_str());

  // The same check must notice one damaged token, or it proves nothing.
  std::vector<nlohmann::json> damaged = records.all();
  nlohmann::json& victim = damaged[total / 2];
  std::string token = victim["token"];
  const size_t middle = token.size() / 2;
  token[middle] = token[middle] == 'A' ? 'B' : 'A';
  victim["token"] = token;
  const VerifierResult rejected = RunVerifier(damaged, "damaged");
  EXPECT_EQ(rejected.summary, absl::StrCat(total - 1, " passed, 1 failed")) << rejected.output;
  EXPECT_NE(rejected.exit_code, 0) << rejected.output;
  EXPECT_TRUE(absl::StrContains(rejected.output,
                                absl::StrCat("case=", victim["shape"].get<std::string>(), " ")))
      << rejected.output;

  EXPECT_EQ(compatible_server->Stop(kServerStopTimeout).value_or(-1), 0);
  EXPECT_EQ(fast_server->Stop(kServerStopTimeout).value_or(-1), 0);
  // No log line may carry the certificate or a token.
  for (const TokenServerProcess* server : {compatible_server.get(), fast_server.get()}) {
    const std::string log = server->LogText();
    EXPECT_FALSE(absl::StrContains(log, app_.certificate));
    for (const nlohmann::json& record : records.all()) {
      EXPECT_FALSE(absl::StrContains(log, record["token"].get<std::string>()));
    }
  }
}

TEST_F(CppClientE2eTest, DecodeTokenChecksSignaturesOfBuiltTokens) {
  std::unique_ptr<TokenServerProcess> server = StartServer("server", {});
  ASSERT_NE(server, nullptr);
  const TokenClient client(server->target());

  absl::StatusOr<v1::BuildRtcTokenWithAccountResponse> built007 = client.BuildTokenWithAccount(
      app_.app_id, "decode-me", "dave", v1::ROLE_PUBLISHER, 0, v1::TOKEN_VERSION_007);
  ASSERT_TRUE(built007.ok()) << built007.status();
  v1::DecodeTokenRequest request;
  request.set_token(built007->token());
  absl::StatusOr<v1::DecodeTokenResponse> decoded = client.DecodeToken(request);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->token_version(), v1::TOKEN_VERSION_007);
  EXPECT_EQ(decoded->app_id(), app_.app_id);
  EXPECT_EQ(decoded->salt(), built007->salt());
  EXPECT_EQ(decoded->issue_ts(), built007->issue_ts());
  EXPECT_EQ(decoded->signature(), v1::SIGNATURE_STATE_VALID);
  EXPECT_EQ(decoded->expiry(), v1::EXPIRY_STATE_VALID);
  ASSERT_TRUE(decoded->has_token007());
  ASSERT_GE(decoded->token007().services_size(), 1);
  EXPECT_EQ(decoded->token007().services(0).channel_name(), "decode-me");
  EXPECT_EQ(decoded->token007().services(0).account(), "dave");

  absl::StatusOr<v1::BuildRtcTokenWithUidResponse> built006 = client.BuildTokenWithUid(
      app_.app_id, "decode-me", 9, v1::ROLE_PUBLISHER, 0, v1::TOKEN_VERSION_006);
  ASSERT_TRUE(built006.ok()) << built006.status();
  request.set_token(built006->token());
  request.set_channel_name("decode-me");
  request.set_uid(9);
  decoded = client.DecodeToken(request);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->signature(), v1::SIGNATURE_STATE_VALID);
  request.set_uid(10);
  decoded = client.DecodeToken(request);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->signature(), v1::SIGNATURE_STATE_INVALID);
}

bool HasViolationOf(const std::vector<FieldViolation>& violations, const std::string& field) {
  for (const FieldViolation& violation : violations) {
    if (violation.field == field && !violation.description.empty()) return true;
  }
  return false;
}

// --- the kinds beyond RTC, RTM and Chat (issue 15) -----------------------------

// One of each new request shape, recorded for the verifier with the inputs in
// its JSON form (tests/crosscheck/verify_with_agora_token.js), and the
// service types its token must decode to.
struct NewKindToken {
  std::string shape;
  std::string token;
  std::vector<v1::ServiceType> types;
};

nlohmann::json PrivilegeExpiresJson(const v1::RtcPrivilegeExpires& p) {
  return {{"join_channel", p.join_channel_privilege_expire()},
          {"publish_audio", p.pub_audio_privilege_expire()},
          {"publish_video", p.pub_video_privilege_expire()},
          {"publish_data_stream", p.pub_data_stream_privilege_expire()}};
}

// The verifier's fields of a request shaped like buildTokenWithRtm2's;
// `user` is {"uid": N} or {"account": S}.
template <typename Request>
nlohmann::json RtcWithRtmFields(const Request& request, const nlohmann::json& user) {
  nlohmann::json fields = {{"channel_name", request.channel_name()},
                           {"role", request.role() == v1::ROLE_SUBSCRIBER ? 2 : 1},
                           {"token_expire", request.token_expire_seconds()},
                           {"privilege_expires", PrivilegeExpiresJson(request.privilege_expires())},
                           {"rtm_user_id", request.rtm_user_id()},
                           {"rtm_token_expire", request.rtm_token_expire_seconds()}};
  fields.update(user);
  return fields;
}

v1::RtcPrivilegeExpires SomePrivilegeExpires() {
  v1::RtcPrivilegeExpires expires;
  expires.set_join_channel_privilege_expire(3600);
  expires.set_pub_audio_privilege_expire(1800);
  expires.set_pub_video_privilege_expire(0);
  expires.set_pub_data_stream_privilege_expire(600);
  return expires;
}

nlohmann::json Rtm2ResourcesJson(const google::protobuf::RepeatedPtrField<v1::Rtm2Resource>& in) {
  nlohmann::json resources = nlohmann::json::array();
  for (const v1::Rtm2Resource& resource : in) {
    nlohmann::json permissions = nlohmann::json::array();
    for (const v1::Rtm2Permission& permission : resource.permissions()) {
      permissions.push_back({{"permission_type", permission.permission_type()},
                             {"names", std::vector<std::string>(permission.names().begin(),
                                                                permission.names().end())}});
    }
    resources.push_back(
        {{"resource_type", resource.resource_type()}, {"permissions", permissions}});
  }
  return resources;
}

void AddRtm2Resources(google::protobuf::RepeatedPtrField<v1::Rtm2Resource>* out) {
  v1::Rtm2Resource* users = out->Add();
  users->set_resource_type(4);
  v1::Rtm2Permission* write = users->add_permissions();
  write->set_permission_type(1);
  write->add_names("bob");
  write->add_names("carol");
  v1::Rtm2Resource* channels = out->Add();
  channels->set_resource_type(0);
  v1::Rtm2Permission* read = channels->add_permissions();
  read->set_permission_type(0);
  read->add_names("lobby");
}

void BuildNewKindTokens(const TokenClient& client, const TestApp& app,
                        const std::string& compression, TokenRecords& records,
                        std::vector<NewKindToken>& built) {
  const std::string& id = app.app_id;
  auto keep = [&](const std::string& shape, const std::string& kind, const auto& response,
                  std::vector<v1::ServiceType> types) -> nlohmann::json& {
    built.push_back({shape + "_" + compression, response.token(), std::move(types)});
    return records.Add(shape + "_" + compression, kind, compression, response);
  };
  {
    v1::BuildFpaTokenRequest request;
    request.set_app_id(id);
    absl::StatusOr<v1::BuildFpaTokenResponse> r = client.BuildFpaToken(request);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->expire_ts(), r->issue_ts() + kDay);
    keep("fpa007", "fpa007", *r, {v1::SERVICE_TYPE_FPA}).update({{"token_expire", 0}});
  }
  {
    v1::BuildApaasTokenRequest request;
    request.set_app_id(id);
    request.set_kind(v1::APAAS_TOKEN_KIND_ROOM_USER);
    request.set_room_uuid("room-7");
    request.set_user_uuid("student-7");
    request.set_role(2);
    request.set_expire_seconds(3600);
    absl::StatusOr<v1::BuildApaasTokenResponse> r = client.BuildApaasToken(request);
    ASSERT_TRUE(r.ok()) << r.status();
    keep("apaas007_room_user", "apaas007_room_user", *r,
         {v1::SERVICE_TYPE_RTM, v1::SERVICE_TYPE_CHAT, v1::SERVICE_TYPE_APAAS})
        .update({{"room_uuid", "room-7"},
                 {"user_uuid", "student-7"},
                 {"role", 2},
                 {"token_expire", 3600}});
    request.set_kind(v1::APAAS_TOKEN_KIND_USER);
    request.clear_room_uuid();
    request.clear_role();
    r = client.BuildApaasToken(request);
    ASSERT_TRUE(r.ok()) << r.status();
    keep("apaas007_user", "apaas007_user", *r, {v1::SERVICE_TYPE_APAAS})
        .update({{"user_uuid", "student-7"}, {"token_expire", 3600}});
    request.set_kind(v1::APAAS_TOKEN_KIND_APP);
    request.clear_user_uuid();
    r = client.BuildApaasToken(request);
    ASSERT_TRUE(r.ok()) << r.status();
    keep("apaas007_app", "apaas007_app", *r, {v1::SERVICE_TYPE_APAAS})
        .update({{"token_expire", 3600}});
  }
  {
    v1::BuildRtmTokenRequest request;
    request.set_app_id(id);
    request.set_user_id("alice");
    request.set_token_version(v1::TOKEN_VERSION_007);
    request.set_token_expire_seconds(1200);
    AddRtm2Resources(request.mutable_rtm2_resources());
    absl::StatusOr<v1::BuildRtmTokenResponse> r = client.BuildRtmToken(request);
    ASSERT_TRUE(r.ok()) << r.status();
    keep("rtm2_007", "rtm2_007", *r, {v1::SERVICE_TYPE_RTM2})
        .update({{"user_id", "alice"},
                 {"token_expire", 1200},
                 {"rtm2_resources", Rtm2ResourcesJson(request.rtm2_resources())}});
  }
  {
    v1::BuildRtcTokenWithUidRequest request;
    request.set_app_id(id);
    request.set_channel_name("room-42");
    request.set_uid(1234567);
    request.set_token_version(v1::TOKEN_VERSION_007);
    request.set_token_expire_seconds(3600);
    *request.mutable_privilege_expires() = SomePrivilegeExpires();
    request.set_rtm_user_id("agent-1");
    request.set_rtm_token_expire_seconds(600);
    absl::StatusOr<v1::BuildRtcTokenWithUidResponse> r = client.BuildRtcTokenWithUid(request);
    ASSERT_TRUE(r.ok()) << r.status();
    keep("rtc007_rtm2_uid", "rtc007_rtm2", *r, {v1::SERVICE_TYPE_RTC, v1::SERVICE_TYPE_RTM})
        .update(RtcWithRtmFields(request, {{"uid", request.uid()}}));
  }
  {
    v1::BuildConvoAiTokenRequest request;
    request.set_app_id(id);
    request.set_channel_name("agents");
    request.set_account("caller");
    request.set_role(v1::ROLE_SUBSCRIBER);
    request.set_token_expire_seconds(7200);
    *request.mutable_privilege_expires() = SomePrivilegeExpires();
    request.set_rtm_user_id("agent-2");
    absl::StatusOr<v1::BuildConvoAiTokenResponse> r = client.BuildConvoAiToken(request);
    ASSERT_TRUE(r.ok()) << r.status();
    keep("convoai007_account", "convoai007", *r,
         {v1::SERVICE_TYPE_RTC, v1::SERVICE_TYPE_RTM, v1::SERVICE_TYPE_CONVO_AI})
        .update(RtcWithRtmFields(request, {{"account", request.account()}}));
  }
  {
    v1::BuildSttTokenRequest request;
    request.set_app_id(id);
    request.set_channel_name("stt-room");
    request.set_uid(99);
    request.set_token_expire_seconds(600);
    request.set_rtm_user_id("transcriber");
    request.set_rtm_token_expire_seconds(300);
    absl::StatusOr<v1::BuildSttTokenResponse> r = client.BuildSttToken(request);
    ASSERT_TRUE(r.ok()) << r.status();
    keep("stt007_uid", "stt007", *r,
         {v1::SERVICE_TYPE_RTC, v1::SERVICE_TYPE_RTM, v1::SERVICE_TYPE_STT})
        .update(RtcWithRtmFields(request, {{"uid", request.uid()}}));
  }
  {
    // Streaming and FCDN have no builder of their own; two RTC grants keep
    // their request order.
    v1::BuildAccessTokenRequest request;
    request.set_app_id(id);
    request.set_token_expire_seconds(5400);
    nlohmann::json services = nlohmann::json::array();
    auto add = [&](v1::ServiceType type, std::vector<std::pair<uint32_t, uint32_t>> privileges) {
      v1::ServiceGrant* grant = request.add_services();
      grant->set_type(type);
      nlohmann::json pairs = nlohmann::json::array();
      for (const auto& [privilege, seconds] : privileges) {
        v1::PrivilegeGrant* p = grant->add_privileges();
        p->set_privilege(privilege);
        p->set_expire_seconds(seconds);
        pairs.push_back({privilege, seconds});
      }
      services.push_back({{"type", static_cast<int>(type)}, {"privileges", pairs}});
      return grant;
    };
    v1::ServiceGrant* fcdn = add(v1::SERVICE_TYPE_FCDN, {{2, 0}, {1, 300}});
    fcdn->set_channel_name("cdn-1");
    services.back().update({{"channel_name", "cdn-1"}, {"account", ""}});
    v1::ServiceGrant* streaming = add(v1::SERVICE_TYPE_STREAMING, {{1, 600}});
    streaming->set_channel_name("mix");
    streaming->set_account("42");
    services.back().update({{"channel_name", "mix"}, {"account", "42"}});
    v1::ServiceGrant* rtc_b = add(v1::SERVICE_TYPE_RTC, {{1, 0}});
    rtc_b->set_channel_name("second");
    services.back().update({{"channel_name", "second"}, {"account", ""}});
    v1::ServiceGrant* rtc_a = add(v1::SERVICE_TYPE_RTC, {{1, 120}, {2, 120}});
    rtc_a->set_channel_name("first");
    rtc_a->set_account("bob");
    services.back().update({{"channel_name", "first"}, {"account", "bob"}});
    v1::ServiceGrant* apaas = add(v1::SERVICE_TYPE_APAAS, {{1, 0}});
    apaas->set_room_uuid("room-1");
    apaas->set_user_uuid("Zo\xc3\xab");
    apaas->set_role(0);
    services.back().update({{"room_uuid", "room-1"}, {"user_uuid", "Zo\xc3\xab"}, {"role", 0}});
    v1::ServiceGrant* rtm2 = add(v1::SERVICE_TYPE_RTM2, {{1, 0}});
    rtm2->set_user_id("alice");
    AddRtm2Resources(rtm2->mutable_rtm2_resources());
    services.back().update(
        {{"user_id", "alice"}, {"rtm2_resources", Rtm2ResourcesJson(rtm2->rtm2_resources())}});
    add(v1::SERVICE_TYPE_CONVO_AI, {});
    absl::StatusOr<v1::BuildAccessTokenResponse> r = client.BuildAccessToken(request);
    ASSERT_TRUE(r.ok()) << r.status();
    keep("access_token2_mixed", "access_token2_007", *r,
         {v1::SERVICE_TYPE_RTC, v1::SERVICE_TYPE_RTC, v1::SERVICE_TYPE_STREAMING,
          v1::SERVICE_TYPE_FCDN, v1::SERVICE_TYPE_APAAS, v1::SERVICE_TYPE_RTM2,
          v1::SERVICE_TYPE_CONVO_AI})
        .update({{"token_expire", 5400}, {"services", services}});
  }
  {
    // A batch takes every new kind.
    v1::BuildTokensRequest request;
    request.add_items()->mutable_fpa()->set_app_id(id);
    v1::BuildSttTokenRequest* stt = request.add_items()->mutable_stt();
    stt->set_app_id(id);
    stt->set_channel_name("batch");
    stt->set_uid(5);
    stt->set_rtm_user_id("bot");
    absl::StatusOr<v1::BuildTokensResponse> r = client.BuildTokens(request);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->results_size(), 2);
    for (const v1::BuildTokensResult& result : r->results()) {
      ASSERT_TRUE(result.has_token()) << agora_token::FromRpcStatus(result.error());
    }
    keep("batch_fpa007", "fpa007", r->results(0).token(), {v1::SERVICE_TYPE_FPA})
        .update({{"token_expire", 0}});
    keep("batch_stt007", "stt007", r->results(1).token(),
         {v1::SERVICE_TYPE_RTC, v1::SERVICE_TYPE_RTM, v1::SERVICE_TYPE_STT})
        .update(RtcWithRtmFields(*stt, {{"uid", stt->uid()}}));
  }
}

TEST_F(CppClientE2eTest, NewTokenKindsDecodeAndPassAgoraOfficialPackage) {
  std::unique_ptr<TokenServerProcess> compatible_server = StartServer("compatible", {});
  ASSERT_NE(compatible_server, nullptr);
  std::unique_ptr<TokenServerProcess> fast_server = StartServer("fast", {"--compression", "fast"});
  ASSERT_NE(fast_server, nullptr);
  const TokenClient compatible_client(compatible_server->target());
  const TokenClient fast_client(fast_server->target());

  TokenRecords records(app_);
  std::vector<NewKindToken> built;
  ASSERT_NO_FATAL_FAILURE(
      BuildNewKindTokens(compatible_client, app_, "compatible", records, built));
  ASSERT_NO_FATAL_FAILURE(BuildNewKindTokens(fast_client, app_, "fast", records, built));

  // The server's own decoder reads back each token's services, signed.
  for (const NewKindToken& token : built) {
    SCOPED_TRACE(token.shape);
    v1::DecodeTokenRequest request;
    request.set_token(token.token);
    absl::StatusOr<v1::DecodeTokenResponse> decoded = compatible_client.DecodeToken(request);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->signature(), v1::SIGNATURE_STATE_VALID);
    EXPECT_EQ(decoded->expiry(), v1::EXPIRY_STATE_VALID);
    std::vector<v1::ServiceType> types;
    for (const v1::DecodedService& service : decoded->token007().services()) {
      types.push_back(service.type());
    }
    EXPECT_EQ(types, token.types);
  }

  const size_t total = records.all().size();
  const VerifierResult verified = RunVerifier(records.all(), "new-kinds");
  EXPECT_EQ(verified.summary, absl::StrCat(total, " passed, 0 failed")) << verified.output;
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  std::printf("agora-token verifier (new kinds): %s\n", verified.summary.c_str());

  EXPECT_EQ(compatible_server->Stop(kServerStopTimeout).value_or(-1), 0);
  EXPECT_EQ(fast_server->Stop(kServerStopTimeout).value_or(-1), 0);
}

TEST_F(CppClientE2eTest, NewRequestsReturnFieldViolations) {
  std::unique_ptr<TokenServerProcess> server = StartServer("server", {});
  ASSERT_NE(server, nullptr);
  const TokenClient client(server->target());

  v1::BuildAccessTokenRequest access;
  access.set_app_id(app_.app_id);
  v1::ServiceGrant* fpa = access.add_services();
  fpa->set_type(v1::SERVICE_TYPE_FPA);
  fpa->add_privileges()->set_privilege(1);
  v1::ServiceGrant* rtc = access.add_services();
  rtc->set_type(v1::SERVICE_TYPE_RTC);
  rtc->set_channel_name("c");
  rtc->set_room_uuid("not-an-rtc-field");
  rtc->add_privileges()->set_privilege(1);
  absl::StatusOr<v1::BuildAccessTokenResponse> a = client.BuildAccessToken(access);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasViolationOf(agora_token::FieldViolations(a.status()), "services[1].room_uuid"))
      << a.status();

  v1::BuildApaasTokenRequest apaas;
  apaas.set_app_id(app_.app_id);
  apaas.set_kind(v1::APAAS_TOKEN_KIND_ROOM_USER);
  apaas.set_room_uuid("bad/room");
  apaas.set_user_uuid("u");
  absl::StatusOr<v1::BuildApaasTokenResponse> b = client.BuildApaasToken(apaas);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasViolationOf(agora_token::FieldViolations(b.status()), "room_uuid")) << b.status();

  v1::BuildConvoAiTokenRequest convo_ai;
  convo_ai.set_app_id(app_.app_id);
  convo_ai.set_channel_name("c");
  convo_ai.set_uid(1);
  convo_ai.set_rtm_user_id(std::string(65, 'a'));
  absl::StatusOr<v1::BuildConvoAiTokenResponse> c = client.BuildConvoAiToken(convo_ai);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(HasViolationOf(agora_token::FieldViolations(c.status()), "rtm_user_id"))
      << c.status();
}

TEST_F(CppClientE2eTest, InvalidRequestReturnsFieldViolations) {
  std::unique_ptr<TokenServerProcess> server = StartServer("server", {});
  ASSERT_NE(server, nullptr);
  const TokenClient client(server->target());

  absl::StatusOr<v1::BuildRtcTokenWithUidResponse> r = client.BuildTokenWithUid(
      app_.app_id, "bad*name", 1, v1::ROLE_PUBLISHER, 0, v1::TOKEN_VERSION_007);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(r.status().message().empty());
  const std::vector<FieldViolation> violations = agora_token::FieldViolations(r.status());
  ASSERT_EQ(violations.size(), 1u) << r.status();
  EXPECT_EQ(violations[0].field, "channel_name");
  EXPECT_FALSE(violations[0].description.empty());
  EXPECT_FALSE(absl::StrContains(r.status().ToString(), app_.certificate));

  // A batch item's error converts the same way.
  v1::BuildTokensRequest batch;
  v1::BuildRtmTokenRequest* good = batch.add_items()->mutable_rtm();
  good->set_app_id(app_.app_id);
  good->set_user_id("fine");
  v1::BuildRtcTokenWithUidRequest* bad = batch.add_items()->mutable_rtc_with_uid();
  bad->set_app_id(app_.app_id);
  bad->set_channel_name("bad*name");
  absl::StatusOr<v1::BuildTokensResponse> results = client.BuildTokens(batch);
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->results_size(), 2);
  EXPECT_TRUE(results->results(0).has_token());
  ASSERT_TRUE(results->results(1).has_error());
  const absl::Status item_error = agora_token::FromRpcStatus(results->results(1).error());
  EXPECT_EQ(item_error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasViolationOf(agora_token::FieldViolations(item_error), "channel_name"))
      << item_error;

  // A well-formed app id the keyring does not hold.
  absl::StatusOr<v1::BuildRtcTokenWithUidResponse> unknown =
      client.BuildTokenWithUid(RandomHex(16), "channel", 1, v1::ROLE_PUBLISHER, 0);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound) << unknown.status();
}

// --- client policy against an in-process fake server ------------------------

// Answers BuildRtmToken with UNAVAILABLE for the first `failures` calls;
// BuildChatToken sleeps past any short client deadline; BuildRtcTokenWithUid
// fails with a field violation and a retry delay.
class FakeTokenService final : public v1::TokenService::Service {
 public:
  explicit FakeTokenService(int failures) : failures_(failures) {}

  grpc::Status BuildRtmToken(grpc::ServerContext* context, const v1::BuildRtmTokenRequest*,
                             v1::BuildRtmTokenResponse* response) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      authorization_.clear();
      for (auto [it, end] = context->client_metadata().equal_range("authorization"); it != end;
           ++it) {
        authorization_.emplace_back(it->second.data(), it->second.size());
      }
    }
    rtm_deadline_left_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                                context->deadline() - std::chrono::system_clock::now())
                                .count();
    if (++rtm_calls_ <= failures_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting");
    response->set_token("007fake");
    return grpc::Status::OK;
  }

  grpc::Status BuildChatToken(grpc::ServerContext* context, const v1::BuildChatTokenRequest*,
                              v1::BuildChatTokenResponse*) override {
    // Bounded, so the fake server can always shut down.
    for (int i = 0; i < 200 && !context->IsCancelled(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return grpc::Status(grpc::StatusCode::INTERNAL, "should have timed out");
  }

  grpc::Status BuildRtcTokenWithUid(grpc::ServerContext*, const v1::BuildRtcTokenWithUidRequest*,
                                    v1::BuildRtcTokenWithUidResponse*) override {
    ++rtc_calls_;
    google::rpc::Status status;
    status.set_code(static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
    status.set_message("bad channel_name");
    google::rpc::BadRequest bad_request;
    google::rpc::BadRequest::FieldViolation* violation = bad_request.add_field_violations();
    violation->set_field("channel_name");
    violation->set_description("must be 1 to 64 bytes");
    status.add_details()->PackFrom(bad_request);
    google::rpc::RetryInfo retry_info;
    retry_info.mutable_retry_delay()->set_seconds(1);
    retry_info.mutable_retry_delay()->set_nanos(500000000);
    status.add_details()->PackFrom(retry_info);
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, status.message(),
                        status.SerializeAsString());
  }

  int rtm_calls() const { return rtm_calls_; }
  // How long the last BuildRtmToken call had left when it arrived.
  std::chrono::milliseconds rtm_deadline_left() const {
    return std::chrono::milliseconds(rtm_deadline_left_ms_.load());
  }
  int rtc_calls() const { return rtc_calls_; }
  // The authorization metadata of the last BuildRtmToken call.
  std::vector<std::string> authorization() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return authorization_;
  }

 private:
  const int failures_;
  mutable std::mutex mutex_;
  std::vector<std::string> authorization_;
  std::atomic<int> rtm_calls_{0};
  std::atomic<int> rtc_calls_{0};
  std::atomic<int64_t> rtm_deadline_left_ms_{0};
};

// clients/service_config.json, read by the test itself rather than through
// the client, so a client that ignored the file would fail.
nlohmann::json SharedServiceConfig() {
  std::ifstream file(AGORA_TOKEN_SHARED_SERVICE_CONFIG);
  return nlohmann::json::parse(file);
}

const nlohmann::json& SharedMethodConfig() {
  static const nlohmann::json method = SharedServiceConfig()["methodConfig"][0];
  return method;
}

// The shared "timeout" ("5s", "2.5s") in milliseconds.
std::chrono::milliseconds SharedTimeout() {
  const std::string timeout = SharedMethodConfig()["timeout"];
  return std::chrono::milliseconds(
      static_cast<int64_t>(std::stod(timeout.substr(0, timeout.size() - 1)) * 1000));
}

int SharedMaxAttempts() { return SharedMethodConfig()["retryPolicy"]["maxAttempts"]; }

class TokenClientPolicyTest : public ::testing::Test {
 protected:
  // A fake owned by the fixture: it must outlive the server, whose handler
  // threads may still be inside it (the slow BuildChatToken) when a test body
  // ends; TearDown shuts the server down first.
  FakeTokenService& NewFake(int failures) {
    service_ = std::make_unique<FakeTokenService>(failures);
    return *service_;
  }

  // Serves `service` on a free loopback port; returns the target.
  std::string Serve(FakeTokenService& service) {
    int port = 0;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service);
    server_ = builder.BuildAndStart();
    EXPECT_NE(server_, nullptr);
    EXPECT_GT(port, 0);
    return absl::StrCat("127.0.0.1:", port);
  }

  void TearDown() override {
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    }
  }

  v1::BuildRtmTokenRequest RtmRequest() {
    v1::BuildRtmTokenRequest request;
    request.set_app_id(std::string(32, '0'));
    request.set_user_id("user");
    return request;
  }

  std::unique_ptr<FakeTokenService> service_;  // destroyed after server_
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(TokenClientPolicyTest, UnavailableIsRetried) {
  FakeTokenService& service = NewFake(/*failures=*/2);
  const TokenClient client(Serve(service));
  absl::StatusOr<v1::BuildRtmTokenResponse> r = client.BuildRtmToken(RtmRequest());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->token(), "007fake");
  EXPECT_EQ(service.rtm_calls(), 3);
}

TEST_F(TokenClientPolicyTest, ApiKeyTravelsAsBearerAuthorization) {
  FakeTokenService& service = NewFake(/*failures=*/0);
  const std::string target = Serve(service);
  TokenClientOptions options;
  options.api_key = "k-123";
  ASSERT_TRUE(TokenClient(target, options).BuildRtmToken(RtmRequest()).ok());
  EXPECT_EQ(service.authorization(), std::vector<std::string>{"Bearer k-123"});
  ASSERT_TRUE(TokenClient(target).BuildRtmToken(RtmRequest()).ok());
  EXPECT_TRUE(service.authorization().empty());
}

TEST_F(TokenClientPolicyTest, GivesUpAfterTheSharedMaxAttempts) {
  FakeTokenService& service = NewFake(/*failures=*/100);
  const TokenClient client(Serve(service));
  absl::StatusOr<v1::BuildRtmTokenResponse> r = client.BuildRtmToken(RtmRequest());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message(), "restarting");
  EXPECT_TRUE(agora_token::FieldViolations(r.status()).empty());
  EXPECT_EQ(SharedMaxAttempts(), 4);  // the README states it
  EXPECT_EQ(service.rtm_calls(), SharedMaxAttempts());
}

// The channel gets the shared file less its "timeout", which the client sets
// on each call itself (see TokenServiceConfigJson).
TEST(SharedServiceConfigTest, ClientUsesTheSharedFile) {
  nlohmann::json want = SharedServiceConfig();
  want["methodConfig"][0].erase("timeout");
  EXPECT_EQ(nlohmann::json::parse(agora_token::TokenServiceConfigJson(TokenClientOptions())), want);
  EXPECT_EQ(agora_token::DefaultDeadline(), SharedTimeout());
  EXPECT_EQ(TokenClientOptions().deadline, SharedTimeout());
  EXPECT_EQ(TokenClientOptions().max_attempts, SharedMaxAttempts());
  EXPECT_EQ(SharedTimeout(), std::chrono::seconds(5));  // the README states it
  EXPECT_EQ(SharedMethodConfig()["retryPolicy"]["retryableStatusCodes"],
            nlohmann::json::array({"UNAVAILABLE", "CANCELLED"}));
}

TEST(SharedServiceConfigTest, MaxAttemptsOptionOverridesTheSharedOne) {
  TokenClientOptions options;
  options.max_attempts = 2;
  nlohmann::json want = SharedServiceConfig();
  want["methodConfig"][0].erase("timeout");
  want["methodConfig"][0]["retryPolicy"]["maxAttempts"] = 2;
  EXPECT_EQ(nlohmann::json::parse(agora_token::TokenServiceConfigJson(options)), want);
  options.max_attempts = 1;
  want["methodConfig"][0].erase("retryPolicy");
  EXPECT_EQ(nlohmann::json::parse(agora_token::TokenServiceConfigJson(options)), want);
}

TEST_F(TokenClientPolicyTest, CallsGetTheSharedDefaultDeadline) {
  FakeTokenService& service = NewFake(/*failures=*/0);
  ASSERT_TRUE(TokenClient(Serve(service)).BuildRtmToken(RtmRequest()).ok());
  // grpc-timeout rounds up, so allow a little over.
  EXPECT_LE(service.rtm_deadline_left(), SharedTimeout() + std::chrono::milliseconds(100));
  EXPECT_GT(service.rtm_deadline_left(), SharedTimeout() - std::chrono::seconds(1));
}

TEST_F(TokenClientPolicyTest, OneAttemptDisablesRetries) {
  FakeTokenService& service = NewFake(/*failures=*/100);
  TokenClientOptions options;
  options.max_attempts = 1;
  const TokenClient client(Serve(service), options);
  EXPECT_EQ(client.BuildRtmToken(RtmRequest()).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(service.rtm_calls(), 1);
}

TEST_F(TokenClientPolicyTest, DeadlineBoundsEveryCall) {
  FakeTokenService& service = NewFake(/*failures=*/0);
  TokenClientOptions options;
  options.deadline = std::chrono::milliseconds(200);
  const TokenClient client(Serve(service), options);
  v1::BuildChatTokenRequest request;
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<v1::BuildChatTokenResponse> r = client.BuildChatToken(request);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
  EXPECT_GE(elapsed, std::chrono::milliseconds(150));
  EXPECT_LT(elapsed, std::chrono::milliseconds(1500));
}

TEST_F(TokenClientPolicyTest, ErrorDetailsSurviveAndAreNotRetried) {
  FakeTokenService& service = NewFake(/*failures=*/0);
  const TokenClient client(Serve(service));
  absl::StatusOr<v1::BuildRtcTokenWithUidResponse> r =
      client.BuildTokenWithUid(std::string(32, '0'), "x", 1, v1::ROLE_PUBLISHER, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "bad channel_name");
  const std::vector<FieldViolation> want = {{"channel_name", "must be 1 to 64 bytes"}};
  EXPECT_EQ(agora_token::FieldViolations(r.status()), want);
  EXPECT_EQ(agora_token::RetryDelay(r.status()), std::chrono::milliseconds(1500));
  EXPECT_EQ(service.rtc_calls(), 1);
}

TEST(TokenClientStatusTest, StatusWithoutDetailsHasNoViolations) {
  EXPECT_TRUE(agora_token::FieldViolations(absl::InvalidArgumentError("plain")).empty());
  EXPECT_FALSE(agora_token::RetryDelay(absl::UnavailableError("plain")).has_value());
  absl::Status garbage = absl::InvalidArgumentError("garbage payload");
  garbage.SetPayload(agora_token::kRpcStatusPayloadUrl, absl::Cord("\xff\xff not a proto"));
  EXPECT_TRUE(agora_token::FieldViolations(garbage).empty());
  EXPECT_TRUE(agora_token::FromGrpcStatus(grpc::Status::OK).ok());
}

}  // namespace
}  // namespace agora_token_e2e
