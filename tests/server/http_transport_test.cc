// The HTTP transport (server/http/) in-process over real sockets: the Connect
// protocol for every RPC with JSON and protobuf bodies, every error code with
// its HTTP status and google.rpc details, CORS, the drop-in routes of
// agora-token-service, probes, audit and metrics, TLS and mutual TLS (with
// curl), limits against hostile clients, and draining.
#include <arpa/inet.h>
#include <google/protobuf/util/json_util.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/substitute.h"
#include "agora/token/v1/token_service.pb.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/rpc_method.h"
#include "server/http/connect_error.h"
#include "server/server.h"
#include "server/server_config.h"
#include "tests/server/test_pki.h"
#include "tests/server/test_support.h"

namespace agora_token_server_test {
namespace {

namespace v1 = agora::token::v1;
using agora_token::ServerOptions;
using agora_token::TokenServer;

// API keys of the test callers: secrets, never in a log or an error.
constexpr char kHttpBackendKey[] = "http-backend-key-0123456789abcdef012345";
constexpr char kHttpLimitedKey[] = "http-limited-key-fedcba9876543210fedcba";

// `mtls`: the backend is also known by its certificate (which needs
// tls.client_ca_path).
std::string CallersText(bool mtls = false) {
  return absl::Substitute(
      R"pb(
        callers {
          name: "backend"
          api_key_sha256: "$0" $3
          policy {
            app_ids: "*"
            token_kinds: [
              TOKEN_KIND_RTC_006,
              TOKEN_KIND_RTC_007,
              TOKEN_KIND_RTM,
              TOKEN_KIND_CHAT_USER,
              TOKEN_KIND_CHAT_APP
            ]
            allow_decode: true
            allow_any_user: true
            max_token_lifetime_seconds: 86400
          }
        }
        callers {
          name: "limited"
          api_key_sha256: "$1"
          policy {
            app_ids: "$2"
            token_kinds: TOKEN_KIND_RTC_007
            max_token_lifetime_seconds: 3600
            channel_name_prefixes: "room-"
            rate_limit { tokens_per_second: 0.001 burst: 3 }
          }
        }
      )pb",
      Sha256Hex(kHttpBackendKey), Sha256Hex(kHttpLimitedKey), kInlineAppId,
      mtls ? "certificate_identities: \"spiffe://test/backend\"" : "");
}

struct Response {
  int status = 0;  // 0: no response (connection closed or timed out)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

// Reads until the peer closes or `timeout` passes; "" on no data.
std::string ReadUntilClosed(int fd, std::chrono::milliseconds timeout, bool* closed = nullptr) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (closed != nullptr) *closed = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return out;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return out;
    char buffer[65536];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      if (closed != nullptr) *closed = true;
      return out;
    }
    out.append(buffer, static_cast<size_t>(n));
  }
}

Response Parse(const std::string& raw) {
  Response response;
  const size_t end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) return response;
  response.status = std::stoi(raw.substr(9, 3));
  std::vector<std::string> lines = absl::StrSplit(raw.substr(0, end), "\r\n");
  for (size_t i = 1; i < lines.size(); ++i) {
    const size_t colon = lines[i].find(':');
    if (colon == std::string::npos) continue;
    response.headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
  }
  response.body = raw.substr(end + 4);
  return response;
}

// Sends raw bytes on a new connection and parses what comes back.
Response Raw(int port, std::string_view request,
             std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const int fd = ConnectLoopback(port);
  if (fd < 0) return {};
  SendAll(fd, request);
  Response response = Parse(ReadUntilClosed(fd, timeout));
  ::close(fd);
  return response;
}

Response Fetch(int port, std::string_view method, std::string_view target,
               const std::vector<std::pair<std::string, std::string>>& headers = {},
               std::string_view body = {}) {
  std::string request = absl::StrCat(std::string(method), " ", std::string(target),
                                     " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
  for (const auto& [name, value] : headers) absl::StrAppend(&request, name, ": ", value, "\r\n");
  if (!body.empty() || method == "POST") {
    absl::StrAppend(&request, "Content-Length: ", body.size(), "\r\n");
  }
  absl::StrAppend(&request, "\r\n", std::string(body));
  return Raw(port, request);
}

// The `Authorization: Bearer <key>` header.
std::pair<std::string, std::string> BearerHeader(std::string_view key) {
  return {"Authorization", absl::StrCat("Bearer ", std::string(key))};
}

constexpr char kJson[] = "application/json";

Response Connect(int port, std::string_view method, std::string_view json,
                 std::string_view key = kHttpBackendKey,
                 std::vector<std::pair<std::string, std::string>> extra = {}) {
  std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", kJson},
                                                              {"Connect-Protocol-Version", "1"}};
  if (!key.empty()) headers.push_back(BearerHeader(key));
  for (auto& header : extra) headers.push_back(std::move(header));
  return Fetch(port, "POST", absl::StrCat("/agora.token.v1.TokenService/", std::string(method)),
               headers, json);
}

std::string RtcJson(std::string_view app_id, std::string_view channel, uint32_t uid = 42) {
  return absl::StrCat(R"({"appId":")", std::string(app_id), R"(","channelName":")",
                      std::string(channel), R"(","uid":)", uid,
                      R"(,"tokenVersion":"TOKEN_VERSION_007","tokenExpireSeconds":600})");
}

// The google.rpc detail of `type` in a Connect error body, decoded.
template <typename Detail>
std::optional<Detail> DetailOf(const nlohmann::json& error, std::string_view type) {
  if (!error.contains("details")) return std::nullopt;
  for (const auto& detail : error["details"]) {
    if (detail["type"] != type) continue;
    std::string value = detail["value"];
    while (value.size() % 4 != 0) value.push_back('=');
    std::string bytes;
    Detail parsed;
    if (absl::Base64Unescape(value, &bytes) && parsed.ParseFromString(bytes)) return parsed;
  }
  return std::nullopt;
}

::testing::AssertionResult NoSecretIn(std::string_view text) {
  for (std::string_view secret : {kHttpBackendKey, kHttpLimitedKey}) {
    if (text.find(secret) != std::string_view::npos) {
      return ::testing::AssertionFailure() << "contains an API key";
    }
  }
  return HasNoSecret(text);
}

class HttpTest : public ::testing::Test {
 protected:
  void SetUp() override { WriteTestKeyring(dir_); }

  // Writes the config (callers above, `extra` after them) and starts the
  // server with the HTTP API on a free loopback port.
  std::unique_ptr<TokenServer> StartServer(const std::string& extra = "",
                                           void (*adjust)(ServerOptions*) = nullptr) {
    const std::string config =
        absl::StrCat("keyring_path: \"keyring.textproto\"\naudit_log { path: \"audit.log\" }\n",
                     CallersText(absl::StrContains(extra, "client_ca_path")), extra);
    ServerOptions options = TestServerOptions("", &clock_);
    options.keyring_path.clear();
    options.config_path = dir_.WriteFile("config.textproto", config);
    options.http_listen_address = "127.0.0.1:0";
    if (adjust != nullptr) adjust(&options);
    absl::StatusOr<std::unique_ptr<TokenServer>> server = TokenServer::BuildAndStart(options);
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return nullptr;
    EXPECT_GT((*server)->http_port(), 0);
    return *std::move(server);
  }

  std::vector<nlohmann::json> AuditLines(TokenServer& server) {
    server.audit_log()->Flush();
    std::ifstream in(dir_.path() + "/audit.log");
    std::vector<nlohmann::json> lines;
    for (std::string line; std::getline(in, line);) {
      EXPECT_TRUE(NoSecretIn(line));
      lines.push_back(nlohmann::json::parse(line));
    }
    return lines;
  }

  const agora_token::FixedClock clock_{kNow};
  TempDir dir_;
};

constexpr char kDropInApp[] =
    "http { dropin_app_id: \"0123456789abcdef0123456789abcdef\" "
    "cors { allowed_origins: \"https://app.test\" max_age_seconds: 120 } }\n";

// --- the Connect protocol ------------------------------------------------------

TEST_F(HttpTest, ConnectJsonCallMintsTheSameTokenAsGrpcWould) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  const Response response =
      Connect(server->http_port(), "BuildRtcTokenWithUid", RtcJson(kInlineAppId, "room-1"));
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.at("content-type"), "application/json");
  v1::BuildRtcTokenWithUidResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(response.body, &parsed).ok());
  EXPECT_EQ(parsed.token_version(), v1::TOKEN_VERSION_007);
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(parsed), kInlineCertificate, nullptr));
}

TEST_F(HttpTest, ConnectProtoCallMintsAToken) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  v1::BuildRtmTokenRequest request;
  request.set_app_id(kInlineAppId);
  request.set_user_id("alice");
  request.set_token_version(v1::TOKEN_VERSION_007);
  const Response response =
      Fetch(server->http_port(), "POST", "/agora.token.v1.TokenService/BuildRtmToken",
            {{"Content-Type", "application/proto"}, BearerHeader(kHttpBackendKey)},
            request.SerializeAsString());
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.at("content-type"), "application/proto");
  v1::BuildRtmTokenResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(response.body));
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(parsed), kInlineCertificate, nullptr));
}

TEST_F(HttpTest, EveryRpcHasItsRoute) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  for (size_t m = 0; m < agora_token::kRpcMethodCount; ++m) {
    const std::string method(agora_token::RpcMethodName(static_cast<agora_token::RpcMethod>(m)));
    const Response response = Connect(server->http_port(), method, "{}");
    // An empty request is refused by the handler's input rules, or by this
    // caller's policy for the kinds it does not grant: routed, either way.
    const std::string code = response.Json()["code"];
    EXPECT_TRUE((response.status == 400 && code == "invalid_argument") ||
                (response.status == 403 && code == "permission_denied"))
        << method << ": " << response.status << " " << code;
  }
  const Response unknown = Connect(server->http_port(), "BuildNothing", "{}");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.Json()["code"], "unimplemented");
}

TEST_F(HttpTest, ErrorsCarryTheirCodeStatusAndDetails) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  const int port = server->http_port();

  const Response invalid = Connect(port, "BuildRtcTokenWithUid", RtcJson(kInlineAppId, ""));
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(invalid.Json()["code"], "invalid_argument");
  const auto bad_request = DetailOf<google::rpc::BadRequest>(invalid.Json(), "google.rpc.BadRequest");
  ASSERT_TRUE(bad_request.has_value()) << invalid.body;
  ASSERT_EQ(bad_request->field_violations_size(), 1);
  EXPECT_EQ(bad_request->field_violations(0).field(), "channel_name");

  const Response unauthenticated = Connect(port, "BuildRtcTokenWithUid", RtcJson(kInlineAppId, "room-1"), "");
  EXPECT_EQ(unauthenticated.status, 401);
  EXPECT_EQ(unauthenticated.Json()["code"], "unauthenticated");
  const Response wrong_key = Connect(port, "BuildRtcTokenWithUid", RtcJson(kInlineAppId, "room-1"),
                                     "not-a-key-of-anyone-0123456789abcdef");
  EXPECT_EQ(wrong_key.status, 401);

  const Response denied =
      Connect(port, "BuildRtcTokenWithUid", RtcJson(kInlineAppId, "lobby"), kHttpLimitedKey);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.Json()["code"], "permission_denied");

  const Response not_found = Connect(port, "BuildRtcTokenWithUid", RtcJson(kUnknownAppId, "room-1"));
  EXPECT_EQ(not_found.status, 404);
  EXPECT_EQ(not_found.Json()["code"], "not_found");

  // The limited caller's burst of 3 went on the refused call above and
  // these; then resource_exhausted with RetryInfo and Retry-After.
  Response limited;
  for (int i = 0; i < 4 && limited.status != 429; ++i) {
    limited = Connect(port, "BuildRtcTokenWithUid", RtcJson(kInlineAppId, "room-1"), kHttpLimitedKey);
  }
  ASSERT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Json()["code"], "resource_exhausted");
  EXPECT_TRUE(DetailOf<google::rpc::RetryInfo>(limited.Json(), "google.rpc.RetryInfo").has_value());
  ASSERT_TRUE(limited.headers.count("retry-after"));
  EXPECT_GT(std::stoi(limited.headers.at("retry-after")), 0);

  for (const Response* r : std::vector<const Response*>{&invalid, &unauthenticated, &wrong_key,
                                                       &denied, &not_found, &limited}) {
    EXPECT_TRUE(NoSecretIn(r->body));
  }
}

TEST(ConnectErrorTest, EveryCodeHasTheSpecsHttpStatus) {
  using C = absl::StatusCode;
  const std::vector<std::tuple<C, const char*, int>> table = {
      {C::kCancelled, "canceled", 499},
      {C::kUnknown, "unknown", 500},
      {C::kInvalidArgument, "invalid_argument", 400},
      {C::kDeadlineExceeded, "deadline_exceeded", 504},
      {C::kNotFound, "not_found", 404},
      {C::kAlreadyExists, "already_exists", 409},
      {C::kPermissionDenied, "permission_denied", 403},
      {C::kResourceExhausted, "resource_exhausted", 429},
      {C::kFailedPrecondition, "failed_precondition", 400},
      {C::kAborted, "aborted", 409},
      {C::kOutOfRange, "out_of_range", 400},
      {C::kUnimplemented, "unimplemented", 501},
      {C::kInternal, "internal", 500},
      {C::kUnavailable, "unavailable", 503},
      {C::kDataLoss, "data_loss", 500},
      {C::kUnauthenticated, "unauthenticated", 401},
  };
  for (const auto& [code, name, status] : table) {
    const agora_token::HttpResponse response =
        agora_token::ConnectErrorResponse(absl::Status(code, "why"));
    EXPECT_EQ(response.status, status) << name;
    const nlohmann::json body = nlohmann::json::parse(response.body);
    EXPECT_EQ(body["code"], name);
    EXPECT_EQ(body["message"], "why");
  }
}

TEST_F(HttpTest, ProtocolErrorsEachGetTheirOwn4xxAndTheServerKeepsServing) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  const int port = server->http_port();
  const std::string path = "/agora.token.v1.TokenService/BuildRtcTokenWithUid";
  struct Case {
    const char* name;
    Response response;
    int status;
  };
  const std::vector<Case> cases = {
      {"malformed JSON", Connect(port, "BuildRtcTokenWithUid", R"({"appId": "x", )"), 400},
      {"unknown field", Connect(port, "BuildRtcTokenWithUid", R"({"appId":"x","colour":1})"), 400},
      {"wrong content type",
       Fetch(port, "POST", path, {{"Content-Type", "text/plain"}, BearerHeader(kHttpBackendKey)},
             "{}"),
       415},
      {"GET of a Connect route", Fetch(port, "GET", path, {BearerHeader(kHttpBackendKey)}), 405},
      {"Connect-Protocol-Version 2",
       Connect(port, "BuildRtcTokenWithUid", "{}", kHttpBackendKey,
               {{"Connect-Protocol-Version", "2"}}),
       400},
      {"Connect-Timeout-Ms not a number",
       Connect(port, "BuildRtcTokenWithUid", "{}", kHttpBackendKey,
               {{"Connect-Timeout-Ms", "soon"}}),
       400},
      {"Connect-Timeout-Ms of 11 digits",
       Connect(port, "BuildRtcTokenWithUid", "{}", kHttpBackendKey,
               {{"Connect-Timeout-Ms", "12345678901"}}),
       400},
      {"compressed body",
       Connect(port, "BuildRtcTokenWithUid", "{}", kHttpBackendKey, {{"Content-Encoding", "gzip"}}),
       501},
      {"unknown route", Fetch(port, "GET", "/nothing/here"), 404},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.response.status, c.status) << c.name << ": " << c.response.body;
    EXPECT_TRUE(NoSecretIn(c.response.body)) << c.name;
  }
  // protobuf's JSON error quotes the input on its later lines; none comes back.
  const Response token_body = Connect(port, "DecodeToken", R"({"token": "007eJxTYDhw", )");
  EXPECT_EQ(token_body.status, 400);
  EXPECT_FALSE(absl::StrContains(token_body.body, "007eJxTYDhw")) << token_body.body;
  EXPECT_EQ(Fetch(port, "GET", "/healthz").status, 200);
}

TEST_F(HttpTest, AConnectTimeoutThatPassedIsDeadlineExceeded) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  // A generous timeout is honoured as a deadline and does not get in the way.
  EXPECT_EQ(Connect(server->http_port(), "BuildRtcTokenWithUid", RtcJson(kInlineAppId, "room-1"),
                    kHttpBackendKey, {{"Connect-Timeout-Ms", "10000"}})
                .status,
            200);
}

TEST_F(HttpTest, AuditLinesAndMetricsNameTheTransport) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  ASSERT_EQ(Connect(server->http_port(), "BuildRtcTokenWithUid", RtcJson(kInlineAppId, "room-1")).status,
            200);
  ASSERT_EQ(Connect(server->http_port(), "BuildRtcTokenWithUid", RtcJson(kInlineAppId, "room-1"), "")
                .status,
            401);
  const std::vector<nlohmann::json> lines = AuditLines(*server);
  ASSERT_EQ(lines.size(), 2u);
  for (const nlohmann::json& line : lines) EXPECT_EQ(line["transport"], "http");
  EXPECT_EQ(lines[0]["caller"], "backend");
  const std::string metrics = server->metrics().Render();
  EXPECT_TRUE(absl::StrContains(
      metrics,
      "agora_token_rpc_requests_total{method=\"BuildRtcTokenWithUid\",code=\"OK\",transport=\"http\"} 1"))
      << metrics;
  EXPECT_TRUE(absl::StrContains(metrics,
                                "{method=\"BuildRtcTokenWithUid\",code=\"UNAUTHENTICATED\","
                                "transport=\"http\"} 1"));
}

// --- probes and draining ---------------------------------------------------------

TEST_F(HttpTest, ReadyzTurns503WhenTheDrainBeginsAndInFlightRequestsFinish) {
  auto server = StartServer("", [](ServerOptions* options) {
    options->shutdown_delay = std::chrono::milliseconds(600);
  });
  ASSERT_NE(server, nullptr);
  const int port = server->http_port();
  EXPECT_EQ(Fetch(port, "GET", "/healthz").status, 200);
  EXPECT_EQ(Fetch(port, "GET", "/readyz").status, 200);

  // Load on keep-alive connections while the drain runs.
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, bad{0}, last_bad{0};
  std::vector<std::thread> load;
  for (int t = 0; t < 4; ++t) {
    load.emplace_back([&] {
      while (!stop) {
        const Response r = Connect(port, "BuildRtcTokenWithUid", RtcJson(kInlineAppId, "room-1"));
        if (r.status == 200) {
          ++ok;
        } else if (r.status != 0) {
          ++bad;  // a started request must never fail; a refused connect may
          last_bad = r.status;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::thread shutdown([&] { server->Shutdown(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const Response during = Fetch(port, "GET", "/readyz");
  EXPECT_EQ(during.status, 503);
  EXPECT_EQ(during.Json()["status"], "NOT_SERVING");
  shutdown.join();
  stop = true;
  for (std::thread& t : load) t.join();
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(bad.load(), 0) << "last status " << last_bad.load();
  EXPECT_EQ(ConnectLoopback(port), -1) << "the port still accepts after the drain";
}

// --- CORS ----------------------------------------------------------------------

TEST_F(HttpTest, CorsPreflightForAnAllowedOriginAnswers204WithWhatItAllows) {
  auto server = StartServer(kDropInApp);
  ASSERT_NE(server, nullptr);
  const Response preflight =
      Fetch(server->http_port(), "OPTIONS", "/agora.token.v1.TokenService/BuildRtcTokenWithUid",
            {{"Origin", "https://app.test"},
             {"Access-Control-Request-Method", "POST"},
             {"Access-Control-Request-Headers", "authorization, content-type"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.headers.at("access-control-allow-origin"), "https://app.test");
  EXPECT_TRUE(absl::StrContains(preflight.headers.at("access-control-allow-methods"), "POST"));
  const std::string allowed = preflight.headers.at("access-control-allow-headers");
  for (const char* header :
       {"Authorization", "Content-Type", "Connect-Protocol-Version", "Connect-Timeout-Ms"}) {
    EXPECT_TRUE(absl::StrContains(allowed, header)) << header;
  }
  EXPECT_EQ(preflight.headers.at("access-control-max-age"), "120");
  EXPECT_EQ(preflight.headers.count("access-control-allow-credentials"), 0u);

  const Response call = Connect(server->http_port(), "BuildRtcTokenWithUid",
                                RtcJson(kInlineAppId, "room-1"), kHttpBackendKey,
                                {{"Origin", "https://app.test"}});
  EXPECT_EQ(call.status, 200);
  EXPECT_EQ(call.headers.at("access-control-allow-origin"), "https://app.test");
}

TEST_F(HttpTest, CredentialsAreAllowedOnlyForAnExactOrigin) {
  auto server = StartServer(
      "http { cors { allowed_origins: \"https://app.test\" allow_credentials: true } }\n");
  ASSERT_NE(server, nullptr);
  const Response preflight =
      Fetch(server->http_port(), "OPTIONS", "/rtm/alice/",
            {{"Origin", "https://app.test"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.headers.at("access-control-allow-origin"), "https://app.test");
  EXPECT_EQ(preflight.headers.at("access-control-allow-credentials"), "true");
  EXPECT_EQ(preflight.headers.at("access-control-max-age"), "600");
}

TEST_F(HttpTest, ADisallowedOriginGets403AndNothingIsMinted) {
  auto server = StartServer(kDropInApp);
  ASSERT_NE(server, nullptr);
  const Response preflight =
      Fetch(server->http_port(), "OPTIONS", "/agora.token.v1.TokenService/BuildRtcTokenWithUid",
            {{"Origin", "https://evil.test"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(preflight.status, 403);
  EXPECT_EQ(preflight.headers.count("access-control-allow-origin"), 0u);
  const Response call = Connect(server->http_port(), "BuildRtcTokenWithUid",
                                RtcJson(kInlineAppId, "room-1"), kHttpBackendKey,
                                {{"Origin", "https://app.test.evil.test"}});
  EXPECT_EQ(call.status, 403);
  EXPECT_FALSE(absl::StrContains(call.body, "token\""));
  EXPECT_TRUE(AuditLines(*server).empty()) << "a refused origin reached the service";
}

TEST_F(HttpTest, AWildcardOriginIsOnlyWhatTheConfigWritesAndNeverWithCredentials) {
  auto server = StartServer("http { cors { allowed_origins: \"*\" } }\n");
  ASSERT_NE(server, nullptr);
  const Response preflight =
      Fetch(server->http_port(), "OPTIONS", "/rtm/alice/",
            {{"Origin", "https://anywhere.test"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.headers.at("access-control-allow-origin"), "*");
  EXPECT_EQ(preflight.headers.count("access-control-allow-credentials"), 0u);
  server.reset();
  ServerOptions options = TestServerOptions("", &clock_);
  options.keyring_path.clear();
  options.config_path = dir_.WriteFile(
      "star.textproto",
      absl::StrCat("keyring_path: \"keyring.textproto\"\n", CallersText(),
                   "http { cors { allowed_origins: \"*\" allow_credentials: true } }\n"));
  const auto refused = TokenServer::BuildAndStart(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "http.cors.allowed_origins[0]"))
      << refused.status();
}

// --- drop-in routes of agora-token-service -----------------------------------

TEST_F(HttpTest, DropInRoutesAnswerInThePeersShapes) {
  auto server = StartServer(kDropInApp);
  ASSERT_NE(server, nullptr);
  const int port = server->http_port();
  const auto get = [&](const std::string& target) {
    return Fetch(port, "GET", target, {BearerHeader(kHttpBackendKey)});
  };
  EXPECT_EQ(get("/ping").Json(), nlohmann::json({{"message", "pong"}}));
  const std::vector<std::pair<std::string, std::vector<std::string>>> routes = {
      {"/rtc/room-1/publisher/uid/42/?expiry=600", {"rtcToken"}},
      {"/rtc/room-1/subscriber/userAccount/alice/", {"rtcToken"}},
      {"/rtm/alice/", {"rtmToken"}},
      {"/rte/room-1/publisher/uid/42/", {"rtcToken", "rtmToken"}},
      {"/rte/room-1/publisher/uid/42/bob/", {"rtcToken", "rtmToken"}},
      {"/chat/app/", {"chatToken"}},
      {"/chat/account/alice/?expiry=300", {"chatToken"}},
  };
  for (const auto& [target, fields] : routes) {
    const Response response = get(target);
    ASSERT_EQ(response.status, 200) << target << ": " << response.body;
    const nlohmann::json body = response.Json();
    EXPECT_EQ(body.size(), fields.size()) << target;
    for (const std::string& field : fields) {
      EXPECT_TRUE(body.contains(field) && body[field].get<std::string>().rfind("007", 0) == 0)
          << target << " " << field;
    }
  }
  for (const auto& [body, field] :
       std::vector<std::pair<std::string, std::string>>{
           {R"({"tokenType":"rtc","channel":"room-1","role":"publisher","uid":"42","expire":600})",
            "token"},
           {R"({"tokenType":"rtc","channel":"room-1","role":"subscriber","uid":"alice"})", "token"},
           {R"({"tokenType":"rtm","uid":"alice","expire":600})", "token"},
           {R"({"tokenType":"chat","uid":"alice"})", "token"},
           {R"({"tokenType":"chat"})", "token"}}) {
    const Response response = Fetch(port, "POST", "/getToken",
                                    {{"Content-Type", kJson}, BearerHeader(kHttpBackendKey)}, body);
    ASSERT_EQ(response.status, 200) << body << ": " << response.body;
    EXPECT_TRUE(response.Json().contains(field)) << body;
  }
}

TEST_F(HttpTest, DropInRoutesRefuseWhatThePeerWouldCastOrGuess) {
  auto server = StartServer(kDropInApp);
  ASSERT_NE(server, nullptr);
  const int port = server->http_port();
  const Response overflow =
      Fetch(port, "GET", "/rtc/room-1/publisher/uid/4294967296/", {BearerHeader(kHttpBackendKey)});
  EXPECT_EQ(overflow.status, 400);
  EXPECT_EQ(overflow.Json()["parameter"], "rtcuid");
  const Response post_overflow =
      Fetch(port, "POST", "/getToken", {{"Content-Type", kJson}, BearerHeader(kHttpBackendKey)},
            R"({"tokenType":"rtc","channel":"room-1","role":"publisher","uid":"4294967296"})");
  EXPECT_EQ(post_overflow.status, 400);
  EXPECT_EQ(post_overflow.Json()["parameter"], "uid");
  EXPECT_EQ(Fetch(port, "GET", "/rtc/room-1/admin/uid/1/", {BearerHeader(kHttpBackendKey)})
                .Json()["parameter"],
            "role");
  EXPECT_EQ(Fetch(port, "GET", "/rtc/room-1/publisher/email/1/", {BearerHeader(kHttpBackendKey)})
                .Json()["parameter"],
            "tokenType");
  // Our authentication, policy and input rules apply.
  EXPECT_EQ(Fetch(port, "GET", "/rtm/alice/").status, 401);
  const Response policy =
      Fetch(port, "GET", "/rtc/lobby/publisher/uid/42/", {BearerHeader(kHttpLimitedKey)});
  EXPECT_EQ(policy.status, 403);
  EXPECT_EQ(policy.Json()["status"], 403);
  const Response rules = Fetch(port, "GET", "/rtc/room-1/publisher/uid/42/?expiry=abc",
                               {BearerHeader(kHttpBackendKey)});
  EXPECT_EQ(rules.status, 400);
  EXPECT_EQ(Fetch(port, "POST", "/rtm/alice/", {BearerHeader(kHttpBackendKey)}).status, 405);
}

TEST_F(HttpTest, DropInRoutesNeedTheAppNamedWhenTheKeyringHoldsSeveral) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  const Response response =
      Fetch(server->http_port(), "GET", "/rtm/alice/", {BearerHeader(kHttpBackendKey)});
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.Json()["code"], "failed_precondition");
  EXPECT_TRUE(absl::StrContains(response.body, "http.dropin_app_id"));
}

// --- hostile clients -----------------------------------------------------------

TEST_F(HttpTest, HostileRequestsEachGetTheirStatusAndTheServerKeepsServing) {
  auto server = StartServer("", [](ServerOptions* options) {
    options->http_max_header_bytes = 4096;
  });
  ASSERT_NE(server, nullptr);
  const int port = server->http_port();
  const std::string post =
      "POST /agora.token.v1.TokenService/DecodeToken HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\n";
  struct Case {
    const char* name;
    std::string request;
    int status;
  };
  const std::vector<Case> table = {
      {"duplicated Content-Length", post + "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}", 400},
      {"conflicting Content-Length", post + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400},
      {"Content-Length with Transfer-Encoding",
       post + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400},
      {"Transfer-Encoding not ending in chunked", post + "Transfer-Encoding: gzip\r\n\r\n{}", 400},
      {"Transfer-Encoding twice",
       post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
      {"negative Content-Length", post + "Content-Length: -1\r\n\r\n", 400},
      {"body over 1 MiB", post + "Content-Length: 1048577\r\n\r\n", 413},
      {"header over the limit",
       absl::StrCat("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ", std::string(8192, 'a'),
                    "\r\n\r\n"),
       431},
      {"garbage request line", "HELLO THERE\r\n\r\n", 400},
      {"bad header line", "GET /healthz HTTP/1.1\r\nHost x\r\n\r\n", 400},
      {"HTTP/2 preface on the HTTP/1.1 port", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505},
      // RFC 9112 lets a server replace obs-fold with spaces, as Beast does.
      {"obsolete line folding",
       "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\nConnection: close\r\n\r\n", 200},
      {"bad chunk size", post + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400},
      {"malformed JSON in a valid frame", post + "Connection: close\r\nContent-Length: 3\r\n\r\n{{{",
       401},
  };
  for (const Case& c : table) {
    const Response response = Raw(port, c.request);
    EXPECT_EQ(response.status, c.status) << c.name << ": " << response.body;
    EXPECT_EQ(Fetch(port, "GET", "/healthz").status, 200) << "after " << c.name;
  }
}

TEST_F(HttpTest, ExpectContinueGetsA100BeforeTheBodyIsSent) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  const int fd = ConnectLoopback(server->http_port());
  const std::string body = RtcJson(kInlineAppId, "room-1");
  SendAll(fd, absl::StrCat("POST /agora.token.v1.TokenService/BuildRtcTokenWithUid HTTP/1.1\r\n"
                           "Host: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
                           "Authorization: Bearer ",
                           kHttpBackendKey, "\r\nExpect: 100-continue\r\nContent-Length: ",
                           body.size(), "\r\n\r\n"));
  const std::string interim = ReadUntilClosed(fd, std::chrono::milliseconds(500));
  EXPECT_EQ(interim.rfind("HTTP/1.1 100 Continue\r\n", 0), 0u) << interim;
  SendAll(fd, body);
  const Response response = Parse(ReadUntilClosed(fd, std::chrono::seconds(5)));
  ::close(fd);
  EXPECT_EQ(response.status, 200);
}

TEST_F(HttpTest, SlowClientsAreCutOffAtTheirTimeouts) {
  auto server = StartServer("", [](ServerOptions* options) {
    options->http_header_timeout = std::chrono::milliseconds(300);
    options->http_body_timeout = std::chrono::milliseconds(300);
    options->http_idle_timeout = std::chrono::milliseconds(300);
  });
  ASSERT_NE(server, nullptr);
  const int port = server->http_port();
  const auto closed_within = [&](std::string_view sent) {
    const int fd = ConnectLoopback(port);
    SendAll(fd, sent);
    bool closed = false;
    const auto start = std::chrono::steady_clock::now();
    ReadUntilClosed(fd, std::chrono::seconds(3), &closed);
    ::close(fd);
    return closed ? std::chrono::steady_clock::now() - start : std::chrono::hours(1);
  };
  // Slowloris: half a header, then nothing.
  EXPECT_LT(closed_within("GET /healthz HTTP/1.1\r\nHost: x\r\n"), std::chrono::seconds(2));
  // A body that never comes.
  EXPECT_LT(closed_within("POST /getToken HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{"),
            std::chrono::seconds(2));
  // A kept-alive connection after its answer, then idle.
  EXPECT_LT(closed_within("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), std::chrono::seconds(2));
  EXPECT_EQ(Fetch(port, "GET", "/healthz").status, 200);
}

TEST_F(HttpTest, KeepAliveServesManyRequestsOnOneConnection) {
  auto server = StartServer();
  ASSERT_NE(server, nullptr);
  const int fd = ConnectLoopback(server->http_port());
  std::string pipeline;
  for (int i = 0; i < 3; ++i) pipeline += "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  pipeline += "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  SendAll(fd, pipeline);
  const std::string answers = ReadUntilClosed(fd, std::chrono::seconds(3));
  ::close(fd);
  size_t count = 0;
  for (size_t at = answers.find("HTTP/1.1 200"); at != std::string::npos;
       at = answers.find("HTTP/1.1 200", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 4u);
}

TEST_F(HttpTest, ConnectionsBeyondTheLimitAreClosedAtOnce) {
  auto server = StartServer("", [](ServerOptions* options) { options->http_max_connections = 2; });
  ASSERT_NE(server, nullptr);
  const int port = server->http_port();
  const int a = ConnectLoopback(port), b = ConnectLoopback(port);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const int c = ConnectLoopback(port);
  SendAll(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  bool closed = false;
  const std::string answer = ReadUntilClosed(c, std::chrono::seconds(2), &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(answer, "");
  ::close(a);
  ::close(b);
  ::close(c);
  // The slots come back.
  for (int i = 0; i < 50 && Fetch(port, "GET", "/healthz").status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(Fetch(port, "GET", "/healthz").status, 200);
}

// --- TLS -----------------------------------------------------------------------

// curl's status code for a request, or -1 when curl fails (TLS refused).
int CurlStatus(const std::string& args, std::string* body = nullptr) {
  const std::string command =
      absl::StrCat("curl -sS -o - -w '\\n%{http_code}' --max-time 10 ", args, " 2>/dev/null");
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string out;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  const int rc = ::pclose(pipe);
  const size_t newline = out.rfind('\n');
  if (body != nullptr) *body = out.substr(0, newline == std::string::npos ? 0 : newline);
  if (rc != 0 || newline == std::string::npos) return -1;
  return std::stoi(out.substr(newline + 1));
}

class HttpTlsTest : public HttpTest {
 protected:
  void SetUp() override {
    HttpTest::SetUp();
    absl::StatusOr<TestPki> pki = TestPki::Create(dir_.path(), "test-ca");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = *std::move(pki);
    ASSERT_TRUE(pki_->Issue("server", "token-server", "DNS:localhost,IP:127.0.0.1").ok());
  }
  std::string Url(const TokenServer& server, std::string_view path) const {
    return absl::StrCat("https://localhost:", server.http_port(), std::string(path));
  }
  std::optional<TestPki> pki_;
};

TEST_F(HttpTlsTest, HttpsServesTheSameTlsAsGrpcWithApiKeys) {
  auto server = StartServer(R"(tls { certificate_chain_path: "server.crt" private_key_path: "server.key" })");
  ASSERT_NE(server, nullptr);
  const std::string resolve = absl::StrCat(" --resolve localhost:", server->http_port(), ":127.0.0.1");
  const std::string ca = absl::StrCat(" --cacert ", pki_->ca_path(), resolve);
  EXPECT_EQ(CurlStatus(ca + " " + Url(*server, "/healthz")), 200);
  EXPECT_EQ(CurlStatus(absl::StrCat(ca, " -H 'Authorization: Bearer ", kHttpBackendKey, "' ",
                                    Url(*server, "/rtc/room-1/publisher/uid/42/"))),
            400);  // two apps, none named: failed_precondition; TLS and auth passed
  EXPECT_EQ(CurlStatus(absl::StrCat(ca, " -X POST -H 'Content-Type: application/json' -H "
                                        "'Authorization: Bearer ",
                                    kHttpBackendKey, "' -d '", RtcJson(kInlineAppId, "room-1"),
                                    "' ", Url(*server, "/agora.token.v1.TokenService/BuildRtcTokenWithUid"))),
            200);
  // Plaintext HTTP on the TLS port gets no answer.
  EXPECT_EQ(Fetch(server->http_port(), "GET", "/healthz").status, 0);
}

TEST_F(HttpTlsTest, RotatedCertificateFilesApplyToNewConnections) {
  auto server = StartServer(R"(tls { certificate_chain_path: "server.crt" private_key_path: "server.key" })");
  ASSERT_NE(server, nullptr);
  absl::StatusOr<TestPki> other = TestPki::Create(dir_.path(), "other-ca");
  ASSERT_TRUE(other.ok()) << other.status();
  absl::StatusOr<PemPair> rotated = other->Issue("rotated", "token-server", "DNS:localhost");
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  const auto curl_with = [&](const std::string& ca) {
    return CurlStatus(absl::StrCat(" --cacert ", ca, " --resolve localhost:", server->http_port(),
                                   ":127.0.0.1 ", Url(*server, "/healthz")));
  };
  ASSERT_EQ(curl_with(pki_->ca_path()), 200);
  // Rename into place, as a certificate manager does.
  ASSERT_EQ(std::rename(rotated->private_key_path.c_str(), (dir_.path() + "/server.key").c_str()), 0);
  ASSERT_EQ(std::rename(rotated->certificate_path.c_str(), (dir_.path() + "/server.crt").c_str()), 0);
  int status = -1;
  for (int i = 0; i < 50 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = curl_with(other->ca_path());
  }
  EXPECT_EQ(status, 200);
  EXPECT_EQ(curl_with(pki_->ca_path()), -1);
}

TEST_F(HttpTlsTest, MutualTlsCallersAreIdentifiedAsOnGrpc) {
  auto client = pki_->Issue("client", "ignored-cn", "URI:spiffe://test/backend");
  ASSERT_TRUE(client.ok());
  auto stranger = pki_->Issue("stranger", "stranger", "URI:spiffe://test/stranger");
  ASSERT_TRUE(stranger.ok());
  auto server = StartServer(
      R"(tls { certificate_chain_path: "server.crt" private_key_path: "server.key" client_ca_path: "test-ca.crt" })");
  ASSERT_NE(server, nullptr);
  const std::string base = absl::StrCat(" --cacert ", pki_->ca_path(), " --resolve localhost:",
                                        server->http_port(), ":127.0.0.1 -X POST -H "
                                        "'Content-Type: application/json' -d '",
                                        RtcJson(kInlineAppId, "room-1"), "' ");
  const std::string url = Url(*server, "/agora.token.v1.TokenService/BuildRtcTokenWithUid");
  EXPECT_EQ(CurlStatus(absl::StrCat(base, " --cert ", client->certificate_path, " --key ",
                                    client->private_key_path, " ", url)),
            200);
  EXPECT_EQ(CurlStatus(absl::StrCat(base, " --cert ", stranger->certificate_path, " --key ",
                                    stranger->private_key_path, " ", url)),
            401);
  EXPECT_EQ(CurlStatus(base + url), -1) << "a client without a certificate got through";
  const std::vector<nlohmann::json> lines = AuditLines(*server);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["caller"], "backend");
  EXPECT_EQ(lines[0]["transport"], "http");
  EXPECT_TRUE(absl::StrContains(lines[1].dump(), "spiffe://test/stranger"));
}

TEST_F(HttpTest, PlaintextHttpOffLoopbackIsRefused) {
  ServerOptions options = TestServerOptions("", &clock_);
  options.keyring_path.clear();
  options.config_path = dir_.WriteFile(
      "config.textproto", absl::StrCat("keyring_path: \"keyring.textproto\"\n", CallersText()));
  options.http_listen_address = "0.0.0.0:0";
  const auto server = TokenServer::BuildAndStart(options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(server.status().message(), "0.0.0.0:0"));
}

TEST_F(HttpTest, AReloadThatMovesTheHttpListenAddressIsRefusedAndHttpKeepsServing) {
  auto server = StartServer("http_listen_address: \"127.0.0.1:0\"\n", [](ServerOptions* options) {
    options->http_listen_address.clear();  // the config's address serves
  });
  ASSERT_NE(server, nullptr);
  dir_.WriteFile("config.textproto",
                 absl::StrCat("keyring_path: \"keyring.textproto\"\naudit_log { path: \"audit.log\" }\n",
                              CallersText(), "http_listen_address: \"127.0.0.1:1\"\n"));
  const absl::Status reload = server->Reload("test");
  EXPECT_EQ(reload.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(reload.message(), "http_listen_address")) << reload;
  EXPECT_EQ(Fetch(server->http_port(), "GET", "/healthz").status, 200);
}

TEST(HttpConfigTest, AReloadThatMovesTheHttpListenAddressIsRefused) {
  agora_token::ServerConfig running, next;
  running.http_listen_address = "127.0.0.1:8080";
  next.http_listen_address = "127.0.0.1:8081";
  const absl::Status status = agora_token::CheckLiveChange(running, next);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(status.message(), "http_listen_address"));
}

}  // namespace
}  // namespace agora_token_server_test
