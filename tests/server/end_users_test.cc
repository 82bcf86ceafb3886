// Signed-in end users over gRPC and HTTP (Connect JSON) against a live
// in-process server: a JWT of
// a trusted issuer mints only for its own uid or account, on its own
// channels, publishing only with the claim; every refusal names its rule in
// the audit line; each end user has a rate-limit bucket of its own; a JWKS
// file rotates keys on reload, under load, without a failed call; and a
// jwks_uri that goes down keeps its last good key set.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "gtest/gtest.h"
#include "server/jwks_fetcher.h"
#include "server/rate_limits.h"
#include "server/server.h"
#include "tests/server/test_jwt.h"
#include "tests/server/test_support.h"

namespace agora_token_server_test {
namespace {

namespace v1 = agora::token::v1;
using nlohmann::json;

constexpr char kIssuer[] = "https://issuer.test";
constexpr char kAccounts[] = "https://accounts.test";

const TestJwtKey& OldKey() {
  static const TestJwtKey key("ES256", "2026-old");
  return key;
}
const TestJwtKey& NewKey() {
  static const TestJwtKey key("ES256", "2026-new");
  return key;
}

// Two issuers: one binds uids (claim "agora_uid") with channels from a
// claim list and a template, refusing publishers without "can_publish";
// the other binds accounts ("sub") under a prefix, builds subscribers, and
// rate-limits each user.
std::string Config() {
  return absl::Substitute(
      R"pb(
        keyring_path: "keyring.textproto"
        audit_log { path: "audit.log" }
        reload_interval_seconds: 1
        trusted_issuers {
          issuer: "$0"
          audiences: "web-app"
          jwks_path: "jwks.json"
          end_user_policy {
            app_ids: "$2"
            token_kinds: [ TOKEN_KIND_RTC_007, TOKEN_KIND_RTM ]
            uid_claim: "agora_uid"
            channels_claim: "channels"
            channel_templates: "team-{claim:team}"
            publisher_claim: "can_publish"
            max_token_lifetime_seconds: 3600
          }
        }
        trusted_issuers {
          issuer: "$1"
          audiences: "web-app"
          jwks_path: "jwks.json"
          end_user_policy {
            app_ids: "$2"
            token_kinds: TOKEN_KIND_RTC_007
            account_claim: "sub"
            channel_name_prefixes: "lobby-"
            subscriber_without_publisher_claim: true
            max_token_lifetime_seconds: 3600
            rate_limit { tokens_per_second: 0.001 burst: 20 }
          }
        }
      )pb",
      kIssuer, kAccounts, kInlineAppId);
}

json Claims(const std::string& sub, uint32_t uid, const std::string& issuer = kIssuer) {
  return {{"iss", issuer},
          {"aud", "web-app"},
          {"sub", sub},
          {"iat", kNow - 10},
          {"exp", kNow + 3600},
          {"agora_uid", uid},
          {"channels", json::array({"room-1", "room-2"})},
          {"team", "blue"}};
}

v1::BuildRtcTokenWithUidRequest RtcRequest(uint32_t uid, const std::string& channel,
                                           int role = v1::ROLE_SUBSCRIBER) {
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(kInlineAppId);
  request.set_channel_name(channel);
  request.set_uid(uid);
  request.set_role(static_cast<v1::Role>(role));
  request.set_token_version(v1::TOKEN_VERSION_007);
  request.set_token_expire_seconds(600);
  return request;
}

class JwtEndUserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteTestKeyring(dir_);
    dir_.WriteFile("jwks.json", JwksOf({&OldKey()}));
    agora_token::ServerOptions options = TestServerOptions("", &clock_);
    options.keyring_path.clear();
    options.config_path = dir_.WriteFile("config.textproto", Config());
    options.http_listen_address = "127.0.0.1:0";
    absl::StatusOr<std::unique_ptr<agora_token::TokenServer>> server =
        agora_token::TokenServer::BuildAndStart(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = TcpStub(server_->port());
  }

  grpc::Status Rtc(const std::string& jwt, const v1::BuildRtcTokenWithUidRequest& request,
                   v1::BuildRtcTokenWithUidResponse* response = nullptr) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", jwt));
    v1::BuildRtcTokenWithUidResponse ignored;
    return stub_->BuildRtcTokenWithUid(&context, request, response ? response : &ignored);
  }

  std::vector<json> AuditLines() {
    server_->audit_log()->Flush();
    std::ifstream in(dir_.path() + "/audit.log");
    std::vector<json> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
    return lines;
  }

  const agora_token::FixedClock clock_{kNow};
  TempDir dir_;
  std::unique_ptr<agora_token::TokenServer> server_;
  std::unique_ptr<v1::TokenService::Stub> stub_;
};

TEST_F(JwtEndUserTest, MintsForItsOwnUidOnItsOwnChannels) {
  const std::string jwt = OldKey().Token(Claims("user-1", 1001));
  v1::BuildRtcTokenWithUidResponse response;
  ASSERT_TRUE(Rtc(jwt, RtcRequest(1001, "room-1"), &response).ok());
  ASSERT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, nullptr));
  EXPECT_TRUE(Rtc(jwt, RtcRequest(1001, "room-2")).ok());
  EXPECT_TRUE(Rtc(jwt, RtcRequest(1001, "team-blue")).ok());
  const std::vector<json> lines = AuditLines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["caller"], "jwt:https://issuer.test#user-1");
  EXPECT_EQ(lines[0]["uid"], 1001);
  EXPECT_EQ(lines[0]["code"], "OK");
}

struct Refusal {
  std::string name;
  v1::BuildRtcTokenWithUidRequest request;
  std::string rule;
};

// What user 1001 (channels room-1, room-2, team-blue; no publisher claim)
// may not have, each with the rule that refuses it.
std::vector<Refusal> Refusals() {
  v1::BuildRtcTokenWithUidRequest other_rtm_user = RtcRequest(1001, "room-1");
  other_rtm_user.set_rtm_user_id("1002");
  return {
      {"another uid", RtcRequest(1002, "room-1"), "end_user.identity"},
      {"any user (uid 0)", RtcRequest(0, "room-1"), "allow_any_user"},
      {"another channel", RtcRequest(1001, "room-3"), "end_user.channels"},
      {"another team's channel", RtcRequest(1001, "team-red"), "end_user.channels"},
      {"the wildcard", RtcRequest(1001, "*"), "allow_wildcard_channel"},
      {"publishing without the claim", RtcRequest(1001, "room-1", v1::ROLE_PUBLISHER),
       "end_user.publisher_claim"},
      {"publishing by default", RtcRequest(1001, "room-1", v1::ROLE_UNSPECIFIED),
       "end_user.publisher_claim"},
      {"RTM for another user id", other_rtm_user, "end_user.identity"},
  };
}

TEST_F(JwtEndUserTest, EveryOtherUserChannelOrRoleIsRefusedNamingTheRule) {
  const std::string jwt = OldKey().Token(Claims("user-1", 1001));
  const std::vector<Refusal> refusals = Refusals();
  for (const Refusal& refusal : refusals) {
    SCOPED_TRACE(refusal.name);
    // Refused every time, not just the first.
    for (int i = 0; i < 2; ++i) {
      EXPECT_TRUE(HasCode(Rtc(jwt, refusal.request), grpc::StatusCode::PERMISSION_DENIED));
    }
  }
  const std::vector<json> lines = AuditLines();
  ASSERT_EQ(lines.size(), 2 * refusals.size());
  for (size_t i = 0; i < refusals.size(); ++i) {
    EXPECT_EQ(lines[2 * i]["reason"], refusals[i].rule) << refusals[i].name;
    EXPECT_EQ(lines[2 * i]["caller"], "jwt:https://issuer.test#user-1");
  }
}

// A Connect JSON call of BuildRtcTokenWithUid: HTTP status and body.
std::pair<long, json> HttpRtc(int port, const std::string& jwt,
                              const v1::BuildRtcTokenWithUidRequest& request) {
  std::string body;
  if (!google::protobuf::util::MessageToJsonString(request, &body).ok()) return {0, json()};
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  std::string response;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Connect-Protocol-Version: 1");
  headers = curl_slist_append(headers, absl::StrCat("Authorization: Bearer ", jwt).c_str());
  const std::string url =
      absl::StrCat("http://127.0.0.1:", port, "/agora.token.v1.TokenService/BuildRtcTokenWithUid");
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(
      curl.get(), CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t count, void* out) {
        static_cast<std::string*>(out)->append(data, size * count);
        return size * count;
      });
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response);
  long status = 0;
  if (curl_easy_perform(curl.get()) == CURLE_OK) {
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  }
  curl_slist_free_all(headers);
  return {status, json::parse(response, nullptr, false)};
}

TEST_F(JwtEndUserTest, OverHttpTheSameUserIsBoundTheSameWay) {
  const int port = server_->http_port();
  ASSERT_GT(port, 0);
  const std::string jwt = OldKey().Token(Claims("user-1", 1001));
  auto [status, body] = HttpRtc(port, jwt, RtcRequest(1001, "room-1"));
  EXPECT_EQ(status, 200) << body.dump();
  EXPECT_TRUE(body.contains("token"));
  for (const Refusal& refusal : Refusals()) {
    SCOPED_TRACE(refusal.name);
    for (int i = 0; i < 2; ++i) {
      auto [refused, error] = HttpRtc(port, jwt, refusal.request);
      EXPECT_EQ(refused, 403);
      EXPECT_EQ(error["code"], "permission_denied");
    }
  }
  json expired = Claims("user-1", 1001);
  expired["exp"] = kNow - 100;
  auto [unauthenticated, error] =
      HttpRtc(port, OldKey().Token(expired), RtcRequest(1001, "room-1"));
  EXPECT_EQ(unauthenticated, 401);
  EXPECT_EQ(error["code"], "unauthenticated");
  EXPECT_EQ(error["message"], "the bearer token is not valid");
  const std::vector<json> lines = AuditLines();
  ASSERT_EQ(lines.size(), 2 + 2 * Refusals().size());
  EXPECT_EQ(lines[0]["transport"], "http");
  EXPECT_EQ(lines[0]["caller"], "jwt:https://issuer.test#user-1");
  EXPECT_EQ(lines[1]["reason"], "end_user.identity");
  EXPECT_EQ(lines.back()["reason"], "the JWT has expired");
}

TEST_F(JwtEndUserTest, PublishesOnlyWithTheClaim) {
  json claims = Claims("user-1", 1001);
  claims["can_publish"] = true;
  EXPECT_TRUE(Rtc(OldKey().Token(claims), RtcRequest(1001, "room-1", v1::ROLE_PUBLISHER)).ok());
  claims["can_publish"] = "true";  // a string is not the boolean
  EXPECT_TRUE(HasCode(Rtc(OldKey().Token(claims), RtcRequest(1001, "room-1", v1::ROLE_PUBLISHER)),
                      grpc::StatusCode::PERMISSION_DENIED));
}

TEST_F(JwtEndUserTest, RtmOnlyForItsOwnUserIdAndNoOtherKinds) {
  const std::string jwt = OldKey().Token(Claims("user-1", 1001));
  auto rtm = [&](const std::string& user_id) {
    v1::BuildRtmTokenRequest request;
    request.set_app_id(kInlineAppId);
    request.set_user_id(user_id);
    request.set_token_expire_seconds(600);
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", jwt));
    v1::BuildRtmTokenResponse response;
    return stub_->BuildRtmToken(&context, request, &response);
  };
  EXPECT_TRUE(rtm("1001").ok());
  EXPECT_TRUE(HasCode(rtm("1002"), grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_TRUE(HasCode(rtm("user-1"), grpc::StatusCode::PERMISSION_DENIED));

  v1::BuildChatTokenRequest chat;
  chat.set_app_id(kInlineAppId);
  chat.set_kind(v1::CHAT_TOKEN_KIND_USER);
  chat.set_user_id("1001");
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", jwt));
  v1::BuildChatTokenResponse response;
  EXPECT_TRUE(HasCode(stub_->BuildChatToken(&context, chat, &response),
                      grpc::StatusCode::PERMISSION_DENIED));
}

TEST_F(JwtEndUserTest, AccountIdentityAndSubscriberInsteadOfPublisher) {
  const std::string jwt = OldKey().Token(Claims("alice@example.com", 0, kAccounts));
  auto rtc = [&](const std::string& account, const std::string& channel,
                 v1::BuildRtcTokenWithAccountResponse* response) {
    v1::BuildRtcTokenWithAccountRequest request;
    request.set_app_id(kInlineAppId);
    request.set_channel_name(channel);
    request.set_account(account);
    request.set_role(v1::ROLE_PUBLISHER);
    request.set_token_version(v1::TOKEN_VERSION_007);
    request.set_token_expire_seconds(600);
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", jwt));
    return stub_->BuildRtcTokenWithAccount(&context, request, response);
  };
  v1::BuildRtcTokenWithAccountResponse response;
  ASSERT_TRUE(rtc("alice@example.com", "lobby-1", &response).ok());
  // Built as subscriber: the join privilege only, no publishing ones.
  ASSERT_EQ(response.privilege_expiries_size(), 1);
  EXPECT_EQ(response.privilege_expiries(0).privilege(), 1u);
  EXPECT_TRUE(
      HasCode(rtc("bob@example.com", "lobby-1", &response), grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_TRUE(
      HasCode(rtc("alice@example.com", "room-1", &response), grpc::StatusCode::PERMISSION_DENIED));
  // A uid request names no account: not this user.
  EXPECT_TRUE(HasCode(Rtc(jwt, RtcRequest(1001, "lobby-1")), grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_EQ(AuditLines()[0]["caller"], "jwt:https://accounts.test#alice@example.com");
}

TEST_F(JwtEndUserTest, RefusedTokensAreUnauthenticatedWithTheReasonOnlyInTheAuditLine) {
  json expired = Claims("user-1", 1001);
  expired["exp"] = kNow - 100;
  const std::string jwt = OldKey().Token(expired);
  const grpc::Status status = Rtc(jwt, RtcRequest(1001, "room-1"));
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_EQ(status.error_message(), "the bearer token is not valid");
  const std::vector<json> lines = AuditLines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["reason"], "the JWT has expired");
  EXPECT_EQ(lines[0]["caller"], "");
  EXPECT_TRUE(absl::StartsWith(lines[0]["presented"].get<std::string>(), "jwt_sha256:"));
  std::ifstream in(dir_.path() + "/audit.log");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find(jwt.substr(jwt.find('.'))), std::string::npos);
}

TEST_F(JwtEndUserTest, EachEndUserHasARateLimitOfItsOwn) {
  auto rtc = [&](const std::string& jwt, const std::string& account) {
    v1::BuildRtcTokenWithAccountRequest request;
    request.set_app_id(kInlineAppId);
    request.set_channel_name("lobby-1");
    request.set_account(account);
    request.set_token_expire_seconds(600);
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", jwt));
    v1::BuildRtcTokenWithAccountResponse response;
    return stub_->BuildRtcTokenWithAccount(&context, request, &response);
  };
  const std::string alice = OldKey().Token(Claims("alice", 0, kAccounts));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(rtc(alice, "alice").ok()) << i;
  EXPECT_TRUE(HasCode(rtc(alice, "alice"), grpc::StatusCode::RESOURCE_EXHAUSTED));
  // A fresh token of the same user shares the bucket; another user does not.
  json again = Claims("alice", 0, kAccounts);
  again["iat"] = kNow - 5;
  EXPECT_TRUE(HasCode(rtc(OldKey().Token(again), "alice"), grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_TRUE(rtc(OldKey().Token(Claims("bob", 0, kAccounts)), "bob").ok());
  // A reload carries the end users' buckets over, as it does callers'.
  ASSERT_TRUE(server_->Reload("test").ok());
  EXPECT_TRUE(HasCode(rtc(alice, "alice"), grpc::StatusCode::RESOURCE_EXHAUSTED));
}

TEST(JwtRateLimitsTest, SweepsOnlyRefilledBucketsAndAdoptsEndUsersByPrefix) {
  agora_token::RateLimits limits;
  const auto t0 = agora_token::RateLimits::Clock::now();
  const agora_token::RateLimit slow{0.001, 1}, fast{1000.0, 1};
  ASSERT_TRUE(limits.Take("jwt:a#slow", slow, 1, t0).ok());
  // Enough users to trigger sweeps; each has refilled a second later.
  for (int i = 0; i < 10000; ++i) {
    ASSERT_TRUE(limits.Take(absl::StrCat("jwt:a#u", i), fast, 1, t0).ok());
  }
  const auto t1 = t0 + std::chrono::seconds(1);
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(limits.Take(absl::StrCat("jwt:a#v", i), fast, 1, t1).ok());
  }
  EXPECT_FALSE(limits.Take("jwt:a#slow", slow, 1, t1).ok());  // not swept: still empty
  limits.Adopt({}, t1, {{"jwt:a#", slow}});
  EXPECT_FALSE(limits.Take("jwt:a#slow", slow, 1, t1).ok());  // carried over
  limits.Adopt({}, t1, {{"jwt:b#", slow}});
  EXPECT_TRUE(limits.Take("jwt:a#slow", slow, 1, t1).ok());  // issuer gone: dropped
}

TEST_F(JwtEndUserTest, JwksRotationUnderLoadFailsNoCallUnderTheNewKeyAfterTheReload) {
  const std::string old_jwt = OldKey().Token(Claims("user-1", 1001));
  const std::string new_jwt = NewKey().Token(Claims("user-2", 1002));
  EXPECT_TRUE(HasCode(Rtc(new_jwt, RtcRequest(1002, "room-1")), grpc::StatusCode::UNAUTHENTICATED));

  std::atomic<bool> rotated{false}, stop{false};
  std::atomic<int> calls{0}, failures{0};
  std::vector<std::thread> load;
  for (int t = 0; t < 4; ++t) {
    load.emplace_back([&, t] {
      auto stub = TcpStub(server_->port());
      while (!stop) {
        // Half the threads use the old key (in both sets), half the new one
        // once the reload has returned.
        const bool use_new = t % 2 == 1 && rotated;
        if (t % 2 == 1 && !use_new) {
          std::this_thread::yield();
          continue;
        }
        grpc::ClientContext context;
        context.AddMetadata("authorization", absl::StrCat("Bearer ", use_new ? new_jwt : old_jwt));
        v1::BuildRtcTokenWithUidResponse response;
        const grpc::Status status = stub->BuildRtcTokenWithUid(
            &context, RtcRequest(use_new ? 1002 : 1001, "room-1"), &response);
        ++calls;
        if (!status.ok()) ++failures;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  dir_.WriteFile("jwks.json", JwksOf({&OldKey(), &NewKey()}));
  ASSERT_TRUE(server_->Reload("test rotation").ok());
  rotated = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (std::thread& thread : load) thread.join();
  EXPECT_GT(calls.load(), 20);
  EXPECT_EQ(failures.load(), 0);

  // A broken JWKS file refuses the reload: the last good set keeps serving.
  dir_.WriteFile("jwks.json", "{\"keys\": ");
  EXPECT_FALSE(server_->Reload("test broken JWKS").ok());
  EXPECT_FALSE(
      HasCode(Rtc(new_jwt, RtcRequest(1002, "room-1")), grpc::StatusCode::UNAUTHENTICATED));

  // Retiring the old key refuses its tokens.
  dir_.WriteFile("jwks.json", JwksOf({&NewKey()}));
  ASSERT_TRUE(server_->Reload("test retire").ok());
  EXPECT_TRUE(HasCode(Rtc(old_jwt, RtcRequest(1001, "room-1")), grpc::StatusCode::UNAUTHENTICATED));
}

TEST_F(JwtEndUserTest, AChangedJwksFileIsPickedUpWithoutASignal) {
  const std::string new_jwt = NewKey().Token(Claims("user-2", 1002));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  grpc::Status status(grpc::StatusCode::UNKNOWN, "not tried yet");
  // Rewritten until seen (its size alternates), so a watcher that takes
  // its first look after the first write still sees a change.
  for (int i = 0; !status.ok() && std::chrono::steady_clock::now() < deadline; ++i) {
    dir_.WriteFile("jwks.json", JwksOf({&NewKey()}) + std::string(i % 2, ' '));
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    status = Rtc(new_jwt, RtcRequest(1002, "room-1"));
  }
  EXPECT_TRUE(status.ok()) << status.error_message();
}

// An issuer's jwks_uri on loopback: serves `body` with `status`.
class JwksHttpServer {
 public:
  JwksHttpServer() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, nullptr, nullptr, &Handle, this,
                               MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_END);
    port_ = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)->port;
  }
  ~JwksHttpServer() { MHD_stop_daemon(daemon_); }

  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_, "/jwks.json"); }
  void Serve(unsigned int status, std::string body) {
    std::lock_guard<std::mutex> lock(mutex_);
    status_ = status;
    body_ = std::move(body);
  }
  int requests() const { return requests_; }

 private:
  static MHD_Result Handle(void* self, MHD_Connection* connection, const char*, const char*,
                           const char*, const char*, size_t*, void**) {
    auto* server = static_cast<JwksHttpServer*>(self);
    std::lock_guard<std::mutex> lock(server->mutex_);
    ++server->requests_;
    MHD_Response* response = MHD_create_response_from_buffer(
        server->body_.size(), server->body_.data(), MHD_RESPMEM_MUST_COPY);
    const MHD_Result result = MHD_queue_response(connection, server->status_, response);
    MHD_destroy_response(response);
    return result;
  }

  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
  std::mutex mutex_;
  unsigned int status_ = MHD_HTTP_OK;
  std::string body_;
  std::atomic<int> requests_{0};
};

TEST(JwtJwksUriTest, RefreshesOnAnUnknownKidAndKeepsTheLastGoodSetWhenDown) {
  JwksHttpServer issuer;
  issuer.Serve(MHD_HTTP_OK, JwksOf({&OldKey()}));
  TempDir dir;
  WriteTestKeyring(dir);
  const agora_token::FixedClock clock{kNow};
  agora_token::ServerOptions options = TestServerOptions("", &clock);
  options.keyring_path.clear();
  std::string config = Config();
  const std::string jwks_path = "jwks_path: \"jwks.json\"";
  config.replace(config.find(jwks_path), jwks_path.size(),
                 absl::StrCat("jwks_uri: \"", issuer.url(), "\" jwks_refresh_seconds: 1"));
  dir.WriteFile("jwks.json", JwksOf({&OldKey()}));  // the second issuer's
  options.config_path = dir.WriteFile("config.textproto", config);
  absl::StatusOr<std::unique_ptr<agora_token::TokenServer>> server =
      agora_token::TokenServer::BuildAndStart(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = TcpStub((*server)->port());
  auto rtc = [&](const std::string& jwt, uint32_t uid) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", jwt));
    v1::BuildRtcTokenWithUidResponse response;
    return stub->BuildRtcTokenWithUid(&context, RtcRequest(uid, "room-1"), &response);
  };
  const std::string old_jwt = OldKey().Token(Claims("user-1", 1001));
  const std::string new_jwt = NewKey().Token(Claims("user-2", 1002));
  EXPECT_TRUE(rtc(old_jwt, 1001).ok());

  // The issuer rotates: the first token under the new kid fetches at once.
  issuer.Serve(MHD_HTTP_OK, JwksOf({&OldKey(), &NewKey()}));
  EXPECT_TRUE(rtc(new_jwt, 1002).ok());

  // Down: fetches fail and are counted, the last good set keeps serving.
  issuer.Serve(MHD_HTTP_SERVICE_UNAVAILABLE, "down");
  const int before = issuer.requests();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (issuer.requests() < before + 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GE(issuer.requests(), before + 2);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(rtc(old_jwt, 1001).ok());
    EXPECT_TRUE(rtc(new_jwt, 1002).ok());
  }
  EXPECT_TRUE(
      absl::StrContains((*server)->metrics().Render(), "agora_token_jwks_fetch_failures_total "));
  EXPECT_GT(agora_token::JwksFetchFailures(), 0u);
  // Unknown kids while down do not hammer the issuer: one early fetch per
  // 10 seconds at most, whatever the number of tokens.
  const TestJwtKey stranger("ES256", "stranger");
  const int requests = issuer.requests();
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(HasCode(rtc(stranger.Token(Claims("user-3", 1003)), 1003),
                        grpc::StatusCode::UNAUTHENTICATED));
  }
  EXPECT_LE(issuer.requests(), requests + 3);  // the 1 s schedule may add some
  (*server)->Shutdown();
}

}  // namespace
}  // namespace agora_token_server_test
