// The security layer end to end over real TCP: mTLS identities (SPIFFE, DNS
// SAN, CN fallback) and refused clients, API keys, per-caller policies, rate
// limits, the audit log, start-up refusals, and reloads of callers and
// keyring under load.
#include <google/protobuf/text_format.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "agora/token/v1/server_config.pb.h"
#include "core/crypto.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/server.h"
#include "tests/server/test_pki.h"
#include "tests/server/test_support.h"

namespace agora_token_server_test {
namespace {

namespace v1 = agora::token::v1;
using agora_token::ServerOptions;
using agora_token::TokenServer;

// API keys of the test callers: secrets, so no log or error may show them.
constexpr char kBackendKey[] = "backend-key-0123456789abcdef0123456789";
constexpr char kLimitedKey[] = "limited-key-fedcba9876543210fedcba9876";
constexpr char kRotatedKey[] = "rotated-key-00112233445566778899aabbcc";

// "backend": everything for both test apps. "limited": RTC 007 for the
// inline app only, channels "room-", one hour, 5 calls of burst (denied
// calls spend it too).
// `backend_credentials`: api_key_sha256 and certificate_identities lines
// (identities need tls.client_ca_path, so only the mTLS tests give them).
std::string CallersText(const std::string& backend_credentials) {
  return absl::Substitute(
      R"pb(
        callers {
          name: "backend" $0
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
            rate_limit { tokens_per_second: 0.001 burst: 5 }
          }
        }
      )pb",
      backend_credentials, Sha256Hex(kLimitedKey), kInlineAppId);
}

constexpr char kBackendIdentities[] = R"pb(
  certificate_identities: "spiffe://test/backend"
  certificate_identities: "backend.test"
  certificate_identities: "cn-only-backend"
)pb";

std::string KeyLine(std::string_view key) {
  return absl::StrCat("api_key_sha256: \"", Sha256Hex(key), "\"");
}

// Every string the suite must never find in a log line or an error.
std::vector<std::string> Secrets() {
  std::vector<std::string> secrets = AllCertificates();
  secrets.insert(secrets.end(), {kBackendKey, kLimitedKey, kRotatedKey});
  return secrets;
}

::testing::AssertionResult ShowsNoSecret(std::string_view text) {
  for (const std::string& secret : Secrets()) {
    if (text.find(secret) != std::string_view::npos) {
      return ::testing::AssertionFailure()
             << "contains the secret starting " << secret.substr(0, 4);
    }
  }
  return ::testing::AssertionSuccess();
}

grpc::ClientContext* WithKey(grpc::ClientContext* context, std::string_view key) {
  if (!key.empty())
    context->AddMetadata("authorization", absl::StrCat("Bearer ", std::string(key)));
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return context;
}

v1::BuildRtcTokenWithUidRequest RtcRequest(std::string_view app_id = kInlineAppId,
                                           std::string_view channel = "room-1") {
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(std::string(app_id));
  request.set_channel_name(std::string(channel));
  request.set_uid(42);
  request.set_role(v1::ROLE_PUBLISHER);
  request.set_token_version(v1::TOKEN_VERSION_007);
  request.set_token_expire_seconds(600);
  return request;
}

grpc::Status BuildRtc(v1::TokenService::Stub& stub, std::string_view key,
                      const v1::BuildRtcTokenWithUidRequest& request,
                      v1::BuildRtcTokenWithUidResponse* response = nullptr) {
  grpc::ClientContext context;
  v1::BuildRtcTokenWithUidResponse ignored;
  return stub.BuildRtcTokenWithUid(WithKey(&context, key), request,
                                   response != nullptr ? response : &ignored);
}

std::vector<nlohmann::json> ReadJsonLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) {
    EXPECT_TRUE(ShowsNoSecret(line));
    lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override { WriteTestKeyring(dir_); }

  // Writes config.textproto (the keyring beside it) and starts a server.
  absl::StatusOr<std::unique_ptr<TokenServer>> Start(
      const std::string& config_body, const std::string& listen = "127.0.0.1:0",
      const std::string& audit = "audit.log", const std::string& config_name = "config.textproto") {
    const std::string config = absl::StrCat(R"(keyring_path: "keyring.textproto")", "\n",
                                            "audit_log { path: \"", audit, "\" }\n", config_body);
    ServerOptions options = TestServerOptions("", &clock_);
    options.keyring_path.clear();
    options.listen_address = listen;
    options.config_path = dir_.WriteFile(config_name, config);
    return TokenServer::BuildAndStart(options);
  }

  std::unique_ptr<TokenServer> StartOrDie(const std::string& config_body,
                                          const std::string& audit = "audit.log",
                                          const std::string& config_name = "config.textproto") {
    absl::StatusOr<std::unique_ptr<TokenServer>> server =
        Start(config_body, "127.0.0.1:0", audit, config_name);
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? *std::move(server) : nullptr;
  }

  std::vector<nlohmann::json> AuditLines(TokenServer& server) {
    server.audit_log()->Flush();
    return ReadJsonLines(dir_.path() + "/audit.log");
  }

  const agora_token::FixedClock clock_{kNow};
  TempDir dir_;
};

// --- mutual TLS ------------------------------------------------------------

class MutualTlsTest : public SecurityTest {
 protected:
  void SetUp() override {
    SecurityTest::SetUp();
    absl::StatusOr<TestPki> pki = TestPki::Create(dir_.path(), "test-ca");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = *std::move(pki);
    absl::StatusOr<PemPair> server_pair =
        pki_->Issue("server", "token-server", "DNS:localhost,IP:127.0.0.1");
    ASSERT_TRUE(server_pair.ok()) << server_pair.status();
    server_ = StartOrDie(
        absl::StrCat(R"(tls {
          certificate_chain_path: "server.crt"
          private_key_path: "server.key"
          client_ca_path: "test-ca.crt"
        })",
                     CallersText(absl::StrCat(KeyLine(kBackendKey), kBackendIdentities))));
    ASSERT_NE(server_, nullptr);
  }

  // A stub presenting `client` (or no certificate), trusting `ca`.
  std::unique_ptr<v1::TokenService::Stub> TlsStub(const PemPair* client, const std::string& ca) {
    return TlsStubFor(server_->port(), client, ca);
  }

  static std::unique_ptr<v1::TokenService::Stub> TlsStubFor(int port, const PemPair* client,
                                                            const std::string& ca) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ca;
    if (client != nullptr) {
      ssl.pem_cert_chain = client->certificate;
      ssl.pem_private_key = client->private_key;
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    return v1::TokenService::NewStub(grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                                               grpc::SslCredentials(ssl), args));
  }

  grpc::Status CallAs(const PemPair* client, const std::string& ca, std::string_view key = "") {
    return BuildRtc(*TlsStub(client, ca), key, RtcRequest());
  }

  std::optional<TestPki> pki_;
  std::unique_ptr<TokenServer> server_;
};

// The complete example that deploy/ ships loads, and admits its callers as
// its comments say (its file paths and app id pointed at this test's).
TEST_F(MutualTlsTest, DeployExampleConfigAdmitsItsCallersAsDocumented) {
  std::ifstream in(AGORA_TOKEN_DEPLOY_CONFIG);
  std::stringstream text;
  text << in.rdbuf();
  v1::ServerConfig config;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text.str(), &config));
  ASSERT_EQ(config.callers_size(), 3);
  config.set_keyring_path("keyring.textproto");
  config.mutable_tls()->set_certificate_chain_path("server.crt");
  config.mutable_tls()->set_private_key_path("server.key");
  config.mutable_tls()->set_client_ca_path("test-ca.crt");
  for (v1::Caller& caller : *config.mutable_callers()) {
    for (std::string& app_id : *caller.mutable_policy()->mutable_app_ids()) {
      if (app_id != "*") app_id = kInlineAppId;
    }
  }
  std::string rewritten;
  ASSERT_TRUE(google::protobuf::TextFormat::PrintToString(config, &rewritten));
  ServerOptions options = TestServerOptions("", &clock_);
  options.keyring_path.clear();
  options.config_path = dir_.WriteFile("deploy-config.textproto", rewritten);
  absl::StatusOr<std::unique_ptr<TokenServer>> server = TokenServer::BuildAndStart(options);
  ASSERT_TRUE(server.ok()) << server.status();

  absl::StatusOr<PemPair> calls =
      pki_->Issue("calls", "calls", "URI:spiffe://example.com/ns/calls/sa/call-backend");
  absl::StatusOr<PemPair> chat =
      pki_->Issue("chat", "chat", "DNS:chat-backend.chat.svc.cluster.local");
  ASSERT_TRUE(calls.ok() && chat.ok());
  auto calls_stub = TlsStubFor((*server)->port(), &*calls, pki_->ca());
  auto chat_stub = TlsStubFor((*server)->port(), &*chat, pki_->ca());
  EXPECT_EQ(BuildRtc(*calls_stub, "", RtcRequest(kInlineAppId, "call-7")).error_code(),
            grpc::StatusCode::OK);
  EXPECT_EQ(BuildRtc(*calls_stub, "", RtcRequest(kInlineAppId, "room-7")).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);  // channel prefix "call-"
  EXPECT_EQ(BuildRtc(*chat_stub, "", RtcRequest(kInlineAppId, "call-7")).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);  // RTM and Chat only
}

TEST_F(MutualTlsTest, CallerIsIdentifiedBySpiffeIdThenDnsSanThenCommonName) {
  struct Case {
    const char* stem;
    const char* cn;
    const char* sans;
  };
  for (const Case& c :
       {Case{"spiffe", "whatever", "URI:spiffe://test/backend"},
        Case{"dns", "whatever", "DNS:backend.test"}, Case{"cn", "cn-only-backend", ""}}) {
    SCOPED_TRACE(c.stem);
    absl::StatusOr<PemPair> client = pki_->Issue(c.stem, c.cn, c.sans);
    ASSERT_TRUE(client.ok()) << client.status();
    EXPECT_TRUE(CallAs(&*client, pki_->ca()).ok());
  }
  const std::vector<nlohmann::json> audit = AuditLines(*server_);
  ASSERT_EQ(audit.size(), 3u);
  for (const nlohmann::json& line : audit) EXPECT_EQ(line["caller"], "backend");
}

TEST_F(MutualTlsTest, CommonNameDoesNotCountWhenTheCertificateHasSans) {
  // The CN names a known caller, but the DNS SAN does not: SANs win.
  absl::StatusOr<PemPair> client = pki_->Issue("both", "cn-only-backend", "DNS:stranger.test");
  ASSERT_TRUE(client.ok());
  EXPECT_TRUE(HasCode(CallAs(&*client, pki_->ca()), grpc::StatusCode::UNAUTHENTICATED));
}

TEST_F(MutualTlsTest, UnknownIdentityIsUnauthenticated) {
  absl::StatusOr<PemPair> client = pki_->Issue("stranger", "x", "URI:spiffe://test/stranger");
  ASSERT_TRUE(client.ok());
  const grpc::Status status = CallAs(&*client, pki_->ca());
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::UNAUTHENTICATED));
  // A known certificate cannot borrow another caller's SPIFFE id, but a
  // valid API key on top of an unknown certificate identifies its caller.
  EXPECT_TRUE(CallAs(&*client, pki_->ca(), kBackendKey).ok());
}

// An X.509-SVID has exactly one SPIFFE id. gRPC reports none when a
// certificate has two, which would let its DNS SAN (or an API key) speak for
// it; it is refused outright, and the audit line says why.
TEST_F(MutualTlsTest, ACertificateWithTwoSpiffeIdsIsRefusedWhateverElseItCarries) {
  absl::StatusOr<PemPair> client = pki_->Issue(
      "two-ids", "x", "URI:spiffe://test/backend,URI:spiffe://test/other,DNS:backend.test");
  ASSERT_TRUE(client.ok());
  EXPECT_TRUE(HasCode(CallAs(&*client, pki_->ca()), grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_TRUE(
      HasCode(CallAs(&*client, pki_->ca(), kBackendKey), grpc::StatusCode::UNAUTHENTICATED));
  const std::vector<nlohmann::json> lines = AuditLines(*server_);
  ASSERT_EQ(lines.size(), 2u);
  for (const nlohmann::json& line : lines) {
    EXPECT_EQ(line["code"], "UNAUTHENTICATED");
    EXPECT_EQ(line["caller"], "");
    EXPECT_NE(line["reason"].get<std::string>().find("2 SPIFFE ids"), std::string::npos) << line;
    EXPECT_EQ(line["presented"].get<std::string>().rfind("certificate:", 0), 0u) << line;
    EXPECT_FALSE(line["peer"].get<std::string>().empty());
  }
}

TEST_F(MutualTlsTest, ClientsWithoutAVerifiedCertificateCannotConnect) {
  EXPECT_EQ(CallAs(nullptr, pki_->ca(), kBackendKey).error_code(), grpc::StatusCode::UNAVAILABLE);
  absl::StatusOr<TestPki> other = TestPki::Create(dir_.path(), "other-ca");
  ASSERT_TRUE(other.ok());
  absl::StatusOr<PemPair> forged = other->Issue("forged", "x", "URI:spiffe://test/backend");
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(CallAs(&*forged, pki_->ca(), kBackendKey).error_code(), grpc::StatusCode::UNAVAILABLE);
  // Nothing reached the service, so nothing was audited.
  EXPECT_TRUE(AuditLines(*server_).empty());
}

TEST_F(MutualTlsTest, PlaintextClientsCannotConnect) {
  EXPECT_EQ(BuildRtc(*TcpStub(server_->port()), kBackendKey, RtcRequest()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

// The server certificate and the client CA are re-read when their files
// change: a new server certificate is presented to new connections, and a
// client CA swapped for another one turns away clients of the old CA.
TEST_F(MutualTlsTest, TlsFilesReloadWhenTheyChange) {
  ASSERT_TRUE(pki_->Issue("rotating", "server-one", "DNS:localhost").ok());
  absl::StatusOr<TestPki> client_ca = TestPki::Create(dir_.path(), "rotating-ca");
  ASSERT_TRUE(client_ca.ok()) << client_ca.status();
  std::unique_ptr<TokenServer> server =
      StartOrDie(absl::StrCat(R"(
        reload_interval_seconds: 1
        tls {
          certificate_chain_path: "rotating.crt"
          private_key_path: "rotating.key"
          client_ca_path: "rotating-ca.crt"
        })",
                              CallersText(absl::StrCat(KeyLine(kBackendKey), kBackendIdentities))),
                 "rotating-audit.log", "rotating-config.textproto");
  ASSERT_NE(server, nullptr);
  absl::StatusOr<PemPair> client = client_ca->Issue("rotation-client", "c", "DNS:backend.test");
  ASSERT_TRUE(client.ok()) << client.status();
  // The common name of the certificate the server presents to a new channel.
  auto presented = [&]() -> std::string {
    grpc::ClientContext context;
    WithKey(&context, "");
    v1::BuildRtcTokenWithUidResponse response;
    const grpc::Status status = TlsStubFor(server->port(), &*client, pki_->ca())
                                    ->BuildRtcTokenWithUid(&context, RtcRequest(), &response);
    if (!status.ok()) return absl::StrCat("error ", status.error_code());
    const std::vector<grpc::string_ref> names =
        context.auth_context()->FindPropertyValues("x509_common_name");
    return names.empty() ? "" : std::string(names[0].data(), names[0].size());
  };
  auto eventually = [&](const std::string& want) {
    std::string seen;
    for (int i = 0; i < 100 && seen != want; ++i) {
      seen = presented();
      if (seen != want) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return seen;
  };
  EXPECT_EQ(presented(), "server-one");

  // Issue writes the new key and certificate beside the old ones, so the
  // server may read a mismatched pair in between; it keeps the old one then.
  ASSERT_TRUE(pki_->Issue("rotating", "server-two", "DNS:localhost").ok());
  EXPECT_EQ(eventually("server-two"), "server-two");

  dir_.WriteFile("rotating-ca.crt", pki_->ca());
  EXPECT_EQ(eventually("error 14"), "error 14");  // UNAVAILABLE: handshake refused
}

// --- API keys and policies (plaintext on loopback) --------------------------

class PolicyTest : public SecurityTest {
 protected:
  void SetUp() override {
    SecurityTest::SetUp();
    server_ = StartOrDie(CallersText(KeyLine(kBackendKey)));
    ASSERT_NE(server_, nullptr);
    stub_ = TcpStub(server_->port());
  }

  std::unique_ptr<TokenServer> server_;
  std::unique_ptr<v1::TokenService::Stub> stub_;
};

TEST_F(PolicyTest, ApiKeysIdentifyCallers) {
  v1::BuildRtcTokenWithUidResponse response;
  ASSERT_TRUE(BuildRtc(*stub_, kBackendKey, RtcRequest(), &response).ok());
  const agora_token::Token006Subject* no_subject = nullptr;
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, no_subject));

  for (const std::string& key : {std::string(""), std::string("Bearer-less"),
                                 std::string(kBackendKey) + "x", std::string("short")}) {
    const grpc::Status status = BuildRtc(*stub_, key, RtcRequest());
    EXPECT_TRUE(HasCode(status, grpc::StatusCode::UNAUTHENTICATED)) << key;
    EXPECT_TRUE(ShowsNoSecret(status.error_message()));
  }
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Basic Zm9vOmJhcg==");
  v1::BuildRtcTokenWithUidResponse ignored;
  EXPECT_TRUE(HasCode(stub_->BuildRtcTokenWithUid(&context, RtcRequest(), &ignored),
                      grpc::StatusCode::UNAUTHENTICATED));
}

TEST_F(PolicyTest, RefusesWhatThePolicyDoesNotGrantWithoutRevealingOtherPolicies) {
  auto denied = [&](const v1::BuildRtcTokenWithUidRequest& request, std::string_view says) {
    const grpc::Status status = BuildRtc(*stub_, kLimitedKey, request);
    EXPECT_TRUE(HasCode(status, grpc::StatusCode::PERMISSION_DENIED));
    EXPECT_NE(status.error_message().find(std::string(says)), std::string::npos)
        << status.error_message();
    // Nothing about the other caller: its name, or apps only it may use.
    EXPECT_EQ(status.error_message().find("backend"), std::string::npos);
    EXPECT_TRUE(ShowsNoSecret(status.error_message()));
  };
  v1::BuildRtcTokenWithUidRequest request = RtcRequest();
  ASSERT_TRUE(BuildRtc(*stub_, kLimitedKey, request).ok());

  denied(RtcRequest(kRotatingAppId), "may not use this app id");
  denied(RtcRequest(kInlineAppId, "lobby"), "allowed prefixes");
  request = RtcRequest();
  request.set_token_version(v1::TOKEN_VERSION_006);
  denied(request, "may not mint RTC 006 tokens");
  request = RtcRequest();
  request.set_with_rtm(true);
  denied(request, "RTM");
}

TEST_F(PolicyTest, TokenLifetimeBeyondTheLimitIsRefusedNotShortened) {
  v1::BuildRtcTokenWithUidRequest request = RtcRequest();
  request.set_token_expire_seconds(3600);  // exactly the limit
  v1::BuildRtcTokenWithUidResponse response;
  ASSERT_TRUE(BuildRtc(*stub_, kLimitedKey, request, &response).ok());
  EXPECT_EQ(response.expire_ts(), kNow + 3600);

  request.set_token_expire_seconds(3601);
  const grpc::Status status = BuildRtc(*stub_, kLimitedKey, request);
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_NE(status.error_message().find("at most 3600 seconds"), std::string::npos);
  EXPECT_NE(status.error_message().find("3601"), std::string::npos);

  // The limit bounds the token's own expiry as well as its privileges: a
  // two-hour token whose privileges all end after ten minutes is beyond a
  // one-hour limit (a leaked token would still log in to services that have
  // no privileges of their own).
  request.set_token_expire_seconds(7200);
  request.set_privilege_expired_ts(kNow + 600);
  const grpc::Status two_hours = BuildRtc(*stub_, kLimitedKey, request);
  EXPECT_TRUE(HasCode(two_hours, grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_NE(two_hours.error_message().find("7200"), std::string::npos);
  // Privileges for ten minutes in a token of ten minutes are fine.
  request.set_token_expire_seconds(0);
  EXPECT_TRUE(BuildRtc(*stub_, kLimitedKey, request).ok());
}

TEST_F(PolicyTest, MethodsOutsideThePolicyAreRefusedBeforeAnythingElse) {
  grpc::ClientContext rtm_context;
  v1::BuildRtmTokenRequest rtm;
  rtm.set_app_id(kInlineAppId);
  rtm.set_user_id("u");
  v1::BuildRtmTokenResponse rtm_response;
  EXPECT_TRUE(HasCode(stub_->BuildRtmToken(WithKey(&rtm_context, kLimitedKey), rtm, &rtm_response),
                      grpc::StatusCode::PERMISSION_DENIED));
  grpc::ClientContext decode_context;
  v1::DecodeTokenRequest decode;
  decode.set_token("not even a token");
  v1::DecodeTokenResponse decode_response;
  EXPECT_TRUE(
      HasCode(stub_->DecodeToken(WithKey(&decode_context, kLimitedKey), decode, &decode_response),
              grpc::StatusCode::PERMISSION_DENIED));
}

TEST_F(PolicyTest, BatchItemsAreDecidedOneByOne) {
  v1::BuildTokensRequest batch;
  *batch.add_items()->mutable_rtc_with_uid() = RtcRequest();
  *batch.add_items()->mutable_rtc_with_uid() = RtcRequest(kInlineAppId, "lobby");
  grpc::ClientContext context;
  v1::BuildTokensResponse response;
  ASSERT_TRUE(stub_->BuildTokens(WithKey(&context, kLimitedKey), batch, &response).ok());
  ASSERT_EQ(response.results_size(), 2);
  EXPECT_TRUE(response.results(0).has_token());
  EXPECT_EQ(response.results(1).error().code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(PolicyTest, RateLimitAnswersResourceExhaustedWithRetryInfo) {
  // The limited caller has a burst of 5 and refills one token in 1000 s.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(BuildRtc(*stub_, kLimitedKey, RtcRequest()).ok()) << i;
  const grpc::Status status = BuildRtc(*stub_, kLimitedKey, RtcRequest());
  ASSERT_TRUE(HasCode(status, grpc::StatusCode::RESOURCE_EXHAUSTED));
  google::rpc::RetryInfo retry;
  bool found = false;
  const google::rpc::Status rpc_status = RpcStatusOf(status);
  for (const google::protobuf::Any& detail : rpc_status.details()) {
    found = found || detail.UnpackTo(&retry);
  }
  ASSERT_TRUE(found);
  EXPECT_GT(retry.retry_delay().seconds(), 100);
  // Another caller's budget is its own.
  EXPECT_TRUE(BuildRtc(*stub_, kBackendKey, RtcRequest()).ok());
}

TEST_F(PolicyTest, AuditLogHasOneLinePerDecisionAndOnlyAFingerprintOfTheToken) {
  v1::BuildRtcTokenWithUidResponse issued;
  ASSERT_TRUE(BuildRtc(*stub_, kLimitedKey, RtcRequest(), &issued).ok());
  ASSERT_FALSE(BuildRtc(*stub_, kLimitedKey, RtcRequest(kRotatingAppId)).ok());
  ASSERT_FALSE(BuildRtc(*stub_, "wrong-key-wrong-key-wrong-key-wrong", RtcRequest()).ok());
  v1::BuildTokensRequest batch;
  *batch.add_items()->mutable_rtc_with_uid() = RtcRequest();
  *batch.add_items()->mutable_rtc_with_uid() = RtcRequest(kInlineAppId, "lobby");
  grpc::ClientContext context;
  v1::BuildTokensResponse batch_response;
  ASSERT_TRUE(stub_->BuildTokens(WithKey(&context, kBackendKey), batch, &batch_response).ok());

  const std::vector<nlohmann::json> lines = AuditLines(*server_);
  ASSERT_EQ(lines.size(), 5u);
  const nlohmann::json& first = lines[0];
  EXPECT_EQ(first["caller"], "limited");
  EXPECT_EQ(first["rpc"], "BuildRtcTokenWithUid");
  EXPECT_EQ(first["kind"], "rtc");
  EXPECT_EQ(first["app_id"], kInlineAppId);
  EXPECT_EQ(first["channel_name"], "room-1");
  EXPECT_EQ(first["uid"], 42);
  EXPECT_EQ(first["role"], v1::ROLE_PUBLISHER);
  EXPECT_EQ(first["version"], "007");
  EXPECT_EQ(first["expire_ts"], issued.expire_ts());
  EXPECT_EQ(first["token_sha256_16"], Sha256Hex(issued.token()).substr(0, 16));
  EXPECT_EQ(first["code"], "OK");
  EXPECT_TRUE(first.contains("time"));
  EXPECT_TRUE(first["latency_us"].is_number());
  EXPECT_EQ(lines[1]["code"], "PERMISSION_DENIED");
  EXPECT_EQ(lines[1]["caller"], "limited");
  EXPECT_EQ(lines[2]["code"], "UNAUTHENTICATED");
  EXPECT_EQ(lines[2]["caller"], "");
  EXPECT_EQ(lines[3]["rpc"], "BuildTokens");
  EXPECT_EQ(lines[3]["code"], "OK");
  EXPECT_EQ(lines[4]["code"], "OK");  // backend has no channel prefixes
  std::ifstream in(dir_.path() + "/audit.log");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().find(issued.token()), std::string::npos);
}

// Every decision writes exactly one line: per request, per batch item, and
// one for a call refused as a whole, which says what it asked for.
TEST_F(PolicyTest, EveryDecisionHasItsOneAuditLine) {
  // A method the caller may not call: the line still names app and user.
  grpc::ClientContext chat_context;
  v1::BuildChatTokenRequest chat;
  chat.set_app_id(kInlineAppId);
  chat.set_kind(v1::CHAT_TOKEN_KIND_USER);
  chat.set_user_id("user-7");
  v1::BuildChatTokenResponse chat_response;
  ASSERT_EQ(
      stub_->BuildChatToken(WithKey(&chat_context, kLimitedKey), chat, &chat_response).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // Batches out of range, and an item with no request.
  auto batch = [&](int items, bool empty_item) {
    v1::BuildTokensRequest request;
    for (int i = 0; i < items; ++i) *request.add_items()->mutable_rtc_with_uid() = RtcRequest();
    if (empty_item) request.add_items();
    grpc::ClientContext context;
    v1::BuildTokensResponse response;
    return stub_->BuildTokens(WithKey(&context, kBackendKey), request, &response).error_code();
  };
  EXPECT_EQ(batch(0, false), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(batch(1001, false), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(batch(1, true), grpc::StatusCode::OK);
  // An unknown API key: the line has the peer and a fingerprint of the key.
  const std::string stranger_key = "stranger-key-0123456789abcdef012345";
  EXPECT_EQ(BuildRtc(*stub_, stranger_key, RtcRequest()).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  const std::vector<nlohmann::json> lines = AuditLines(*server_);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0]["rpc"], "BuildChatToken");
  EXPECT_EQ(lines[0]["code"], "PERMISSION_DENIED");
  EXPECT_EQ(lines[0]["caller"], "limited");
  EXPECT_EQ(lines[0]["app_id"], kInlineAppId);
  EXPECT_EQ(lines[0]["account"], "user-7");
  EXPECT_EQ(lines[0]["kind"], "chat_user");
  EXPECT_EQ(lines[1]["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(lines[1]["items"], 0);
  EXPECT_EQ(lines[2]["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(lines[2]["items"], 1001);
  EXPECT_EQ(lines[3]["code"], "OK");                // the batch's first item
  EXPECT_EQ(lines[4]["code"], "INVALID_ARGUMENT");  // its item with no request
  EXPECT_FALSE(lines[4].contains("kind"));
  const nlohmann::json& stranger = lines[5];
  EXPECT_EQ(stranger["code"], "UNAUTHENTICATED");
  EXPECT_EQ(stranger["caller"], "");
  EXPECT_EQ(stranger["app_id"], kInlineAppId);
  EXPECT_EQ(stranger["channel_name"], "room-1");
  EXPECT_FALSE(stranger["peer"].get<std::string>().empty());
  EXPECT_EQ(stranger["presented"], "api_key_sha256:" + Sha256Hex(stranger_key).substr(0, 16));
  EXPECT_EQ(stranger["reason"], "unknown API key");
  std::ifstream in(dir_.path() + "/audit.log");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().find(stranger_key), std::string::npos);
}

// Chat app tokens act for the whole app: a policy grants them apart from
// Chat user tokens, and the old all-Chat kind is refused in a config.
TEST_F(SecurityTest, ChatUserAndAppTokensAreGrantedSeparately) {
  std::unique_ptr<TokenServer> server = StartOrDie(absl::Substitute(
      R"pb(callers {
             name: "chat-users"
             api_key_sha256: "$0"
             policy {
               app_ids: "*"
               token_kinds: TOKEN_KIND_CHAT_USER
               max_token_lifetime_seconds: 86400
             }
           })pb",
      Sha256Hex(kBackendKey)));
  ASSERT_NE(server, nullptr);
  auto stub = TcpStub(server->port());
  auto chat = [&](v1::ChatTokenKind kind, const std::string& user_id) {
    v1::BuildChatTokenRequest request;
    request.set_app_id(kInlineAppId);
    request.set_kind(kind);
    request.set_user_id(user_id);
    grpc::ClientContext context;
    v1::BuildChatTokenResponse response;
    return stub->BuildChatToken(WithKey(&context, kBackendKey), request, &response);
  };
  EXPECT_TRUE(chat(v1::CHAT_TOKEN_KIND_USER, "user-1").ok());
  const grpc::Status app = chat(v1::CHAT_TOKEN_KIND_APP, "");
  EXPECT_TRUE(HasCode(app, grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_NE(app.error_message().find("Chat app"), std::string::npos) << app.error_message();

  const absl::StatusOr<std::unique_ptr<TokenServer>> old_kind = Start(absl::Substitute(
      R"pb(callers {
             name: "chat"
             api_key_sha256: "$0"
             policy { app_ids: "*" token_kinds: TOKEN_KIND_CHAT max_token_lifetime_seconds: 60 }
           })pb",
      Sha256Hex(kBackendKey)));
  ASSERT_FALSE(old_kind.ok());
  EXPECT_NE(old_kind.status().message().find("callers[0].policy.token_kinds[0]"),
            absl::string_view::npos)
      << old_kind.status();
  EXPECT_NE(old_kind.status().message().find("TOKEN_KIND_CHAT_USER"), absl::string_view::npos);
}

// uid 0 lets every user of the channel in: a policy must allow it by name.
TEST_F(SecurityTest, TokensForAnyUserNeedAllowAnyUser) {
  const std::string policy =
      R"pb(
    app_ids: "*" token_kinds: TOKEN_KIND_RTC_007 max_token_lifetime_seconds: 86400)pb";
  std::unique_ptr<TokenServer> server = StartOrDie(absl::Substitute(
      R"pb(callers { name: "named" api_key_sha256: "$0" policy { $2 } }
           callers {
             name: "anyone"
             api_key_sha256: "$1"
             policy { $2 allow_any_user: true }
           })pb",
      Sha256Hex(kBackendKey), Sha256Hex(kRotatedKey), policy));
  ASSERT_NE(server, nullptr);
  auto stub = TcpStub(server->port());
  v1::BuildRtcTokenWithUidRequest request = RtcRequest();
  ASSERT_TRUE(BuildRtc(*stub, kBackendKey, request).ok());
  request.set_uid(0);
  const grpc::Status refused = BuildRtc(*stub, kBackendKey, request);
  EXPECT_TRUE(HasCode(refused, grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_NE(refused.error_message().find("allow_any_user"), std::string::npos);
  EXPECT_TRUE(BuildRtc(*stub, kRotatedKey, request).ok());
}

TEST_F(SecurityTest, AFullDiskDropsAuditLinesButNeverACall) {
  std::unique_ptr<TokenServer> server = StartOrDie(CallersText(KeyLine(kBackendKey)), "/dev/full");
  ASSERT_NE(server, nullptr);
  auto stub = TcpStub(server->port());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(BuildRtc(*stub, kBackendKey, RtcRequest()).ok());
  server->audit_log()->Flush();
  EXPECT_EQ(server->audit_log()->dropped(), 20u);
  EXPECT_NE(server->metrics().Render().find("agora_token_audit_log_dropped_lines_total 20"),
            std::string::npos);
}

// --- start-up refusals -----------------------------------------------------

TEST_F(SecurityTest, RefusesPlaintextOffLoopback) {
  absl::StatusOr<std::unique_ptr<TokenServer>> with_config =
      Start(CallersText(KeyLine(kBackendKey)), "0.0.0.0:0");
  ASSERT_FALSE(with_config.ok());
  EXPECT_NE(with_config.status().message().find("tls"), std::string::npos);

  ServerOptions development = TestServerOptions(dir_.path() + "/keyring.textproto", &clock_);
  development.listen_address = "0.0.0.0:0";
  absl::StatusOr<std::unique_ptr<TokenServer>> open = TokenServer::BuildAndStart(development);
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.status().message().find("refusing"), std::string::npos);
}

TEST_F(SecurityTest, InvalidConfigsNameTheBadField) {
  const std::string good_policy =
      "app_ids: \"*\" token_kinds: TOKEN_KIND_RTC_007 max_token_lifetime_seconds: 60";
  struct Case {
    std::string body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"", "callers"},
      {absl::StrCat("callers { name: \"a b\" ", KeyLine(kBackendKey), " policy { ", good_policy,
                    " } }"),
       "callers[0].name"},
      {absl::StrCat("callers { name: \"a\" policy { ", good_policy, " } }"), "callers[0]"},
      {absl::StrCat("callers { name: \"a\" api_key_sha256: \"ABC\" policy { ", good_policy, " } }"),
       "callers[0].api_key_sha256[0]"},
      {absl::StrCat("callers { name: \"a\" ", KeyLine(kBackendKey),
                    " policy { app_ids: \"*\" token_kinds: TOKEN_KIND_RTM } }"),
       "callers[0].policy.max_token_lifetime_seconds"},
      {absl::StrCat("callers { name: \"a\" ", KeyLine(kBackendKey),
                    " policy { app_ids: \"nope\" token_kinds: TOKEN_KIND_RTM "
                    "max_token_lifetime_seconds: 5 } }"),
       "callers[0].policy.app_ids[0]"},
      {absl::StrCat("callers { name: \"a\" ", KeyLine(kBackendKey), " policy { ", good_policy,
                    " rate_limit { tokens_per_second: 5 } } }"),
       "callers[0].policy.rate_limit.burst"},
      {absl::StrCat("callers { name: \"a\" certificate_identities: \"x\" policy { ", good_policy,
                    " } }"),
       "callers[0].certificate_identities"},
      {absl::StrCat("callers { name: \"a\" ", KeyLine(kBackendKey), " policy { ", good_policy,
                    " } } callers { name: \"b\" ", KeyLine(kBackendKey), " policy { ", good_policy,
                    " } }"),
       "callers[1].api_key_sha256[0]"},
      {absl::StrCat("tls { certificate_chain_path: \"missing.crt\" private_key_path: \"k\" }",
                    CallersText(KeyLine(kBackendKey))),
       "tls.certificate_chain_path"},
      {"callers { this is not text format", "syntax error at line"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::unique_ptr<TokenServer>> server = Start(c.body);
    ASSERT_FALSE(server.ok()) << c.field;
    EXPECT_NE(server.status().message().find(c.field), std::string::npos)
        << c.field << " not in: " << server.status().message();
    EXPECT_TRUE(ShowsNoSecret(std::string(server.status().message())));
  }
}

// --- reloads -------------------------------------------------------------------

std::string RotatedKeyringText(const std::string& primary, const std::string& secondary) {
  return absl::Substitute(R"pb(
                            apps {
                              app_id: "$0"
                              primary_certificate { value: "$1" }
                              secondary_certificate { value: "$2" }
                            }
                          )pb",
                          kInlineAppId, primary, secondary);
}

TEST_F(SecurityTest, ReloadsUnderLoadNeverFailACallAndRotateCertificatesAndKeys) {
  // No file watching here: every reload is one of the test's own.
  std::unique_ptr<TokenServer> server = StartOrDie(
      absl::StrCat("reload_interval_seconds: 3600\n", CallersText(KeyLine(kBackendKey))));
  ASSERT_NE(server, nullptr);
  auto stub = TcpStub(server->port());
  v1::BuildRtcTokenWithUidResponse before;
  ASSERT_TRUE(BuildRtc(*stub, kBackendKey, RtcRequest(), &before).ok());

  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, failures{0};
  std::vector<std::thread> load;
  for (int t = 0; t < 4; ++t) {
    load.emplace_back([&] {
      auto own = TcpStub(server->port());
      while (!stop) {
        const grpc::Status status = BuildRtc(*own, kBackendKey, RtcRequest());
        ++calls;
        if (!status.ok()) ++failures;
      }
    });
  }
  const std::string rotated_config =
      CallersText(absl::StrCat(KeyLine(kBackendKey), " ", KeyLine(kRotatedKey)));
  const std::string config_head =
      "keyring_path: \"keyring.textproto\"\naudit_log { path: \"audit.log\" }\n"
      "reload_interval_seconds: 3600\n";
  for (int i = 0; i < 20; ++i) {
    const bool good = i % 2 == 1;
    if (good) {
      dir_.WriteFile("config.textproto", absl::StrCat(config_head, rotated_config));
      dir_.WriteFile("keyring.textproto",
                     RotatedKeyringText(kForeignCertificate, kInlineCertificate));
    } else {
      // Alternately a broken config and a broken keyring.
      if (i % 4 == 0) {
        dir_.WriteFile("config.textproto", absl::StrCat(config_head, "callers { name: \"x\" }"));
      } else {
        dir_.WriteFile("keyring.textproto", "apps { app_id: \"not hex\" }");
      }
    }
    const absl::Status reloaded = server->Reload();
    EXPECT_EQ(reloaded.ok(), good) << i << ": " << reloaded;
    EXPECT_TRUE(ShowsNoSecret(std::string(reloaded.message())));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  for (std::thread& t : load) t.join();
  EXPECT_GT(calls.load(), 20);
  EXPECT_EQ(failures.load(), 0) << "of " << calls.load();
  const std::string metrics = server->metrics().Render();
  EXPECT_NE(metrics.find("agora_token_config_reload_failures_total 5"), std::string::npos);
  EXPECT_NE(metrics.find("agora_token_keyring_reload_failures_total 5"), std::string::npos);

  // The rotated primary signs; the old primary, now secondary, still
  // verifies tokens minted before; the new API key works.
  v1::BuildRtcTokenWithUidResponse after;
  ASSERT_TRUE(BuildRtc(*stub, kRotatedKey, RtcRequest(), &after).ok());
  const agora_token::Token006Subject* no_subject = nullptr;
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(after), kForeignCertificate, no_subject));
  for (const std::string& token : {before.token(), after.token()}) {
    grpc::ClientContext context;
    v1::DecodeTokenRequest decode;
    decode.set_token(token);
    v1::DecodeTokenResponse decoded;
    ASSERT_TRUE(stub->DecodeToken(WithKey(&context, kBackendKey), decode, &decoded).ok());
    EXPECT_EQ(decoded.signature(), v1::SIGNATURE_STATE_VALID);
  }
}

TEST_F(SecurityTest, AChangedConfigFileIsPickedUpWithoutASignal) {
  std::unique_ptr<TokenServer> server =
      StartOrDie(absl::StrCat("reload_interval_seconds: 1\n", CallersText(KeyLine(kBackendKey))));
  ASSERT_NE(server, nullptr);
  auto stub = TcpStub(server->port());
  ASSERT_TRUE(
      HasCode(BuildRtc(*stub, kRotatedKey, RtcRequest()), grpc::StatusCode::UNAUTHENTICATED));
  dir_.WriteFile("config.textproto",
                 absl::StrCat("keyring_path: \"keyring.textproto\"\n",
                              "audit_log { path: \"audit.log\" }\nreload_interval_seconds: 1\n",
                              CallersText(KeyLine(kRotatedKey))));
  bool rotated = false;
  for (int i = 0; i < 100 && !rotated; ++i) {  // up to 10 s
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    rotated = BuildRtc(*stub, kRotatedKey, RtcRequest()).ok();
  }
  EXPECT_TRUE(rotated);
  // The replaced key is gone.
  EXPECT_TRUE(
      HasCode(BuildRtc(*stub, kBackendKey, RtcRequest()), grpc::StatusCode::UNAUTHENTICATED));
}

}  // namespace
}  // namespace agora_token_server_test
