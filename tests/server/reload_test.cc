// Reloads of the serving state: all or nothing under load, what a reload
// applies live (keyring, policies, audit destination), what it refuses
// (restart-only settings), rate-limit buckets that outlive reloads, the
// audit log following logrotate and deletion and writing without a flush,
// and the one expiry mapping
// that the CLI and the server share.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"
#include "cli/cli.h"
#include "core/crypto.h"
#include "core/token.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/audit_log.h"
#include "server/rate_limits.h"
#include "server/server.h"
#include "tests/server/test_support.h"

namespace agora_token_server_test {
namespace {

namespace v1 = agora::token::v1;
using agora_token::ServerOptions;
using agora_token::TokenServer;

constexpr char kKey[] = "reload-test-key-0123456789abcdef0123";
// The certificates a keyring rotation moves to.
constexpr char kInlineCertificate2[] = "b2c3d4e5f60718293a4b5c6d7e8f90a1";
constexpr char kRotatingPrimary2[] = "6a5b4c3d2e1f00998877665544332211";

std::string KeyringText(const char* inline_certificate, const char* rotating_primary) {
  return absl::Substitute(
      R"pb(apps {
             app_id: "$0"
             primary_certificate { value: "$1" }
           }
           apps {
             app_id: "$2"
             primary_certificate { value: "$3" }
           })pb",
      kInlineAppId, inline_certificate, kRotatingAppId, rotating_primary);
}

// One caller, "alpha", with API key kKey. `extra` goes at the end of the
// config (listen_address, tls, ...); `policy_extra` into the policy.
std::string ConfigText(const std::string& keyring, const std::string& app_ids,
                       const std::string& audit, const std::string& policy_extra = "",
                       const std::string& extra = "") {
  return absl::Substitute(
      R"pb(keyring_path: "$0"
           audit_log { path: "$1" }
           callers {
             name: "alpha"
             api_key_sha256: "$2"
             policy {
               $3
               token_kinds: [ TOKEN_KIND_RTC_007, TOKEN_KIND_RTM ]
               max_token_lifetime_seconds: 86400 $4
             }
           } $5)pb",
      keyring, audit, Sha256Hex(kKey), app_ids, policy_extra, extra);
}

std::string AppIds(std::initializer_list<const char*> apps) {
  std::string text;
  for (const char* app : apps) absl::StrAppend(&text, "app_ids: \"", app, "\" ");
  return text;
}

grpc::ClientContext* Authorized(grpc::ClientContext* context) {
  context->AddMetadata("authorization", absl::StrCat("Bearer ", kKey));
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return context;
}

v1::BuildRtcTokenWithUidRequest Rtc(const char* app_id) {
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(app_id);
  request.set_channel_name("room");
  request.set_uid(42);
  request.set_token_version(v1::TOKEN_VERSION_007);
  return request;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

size_t LineCount(const std::string& path) {
  const std::string text = ReadFile(path);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The value of an unlabelled counter in the Prometheus text.
uint64_t Counter(const TokenServer& server, const std::string& name) {
  const std::string text = server.metrics().Render();
  const size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return UINT64_MAX;
  return std::stoull(text.substr(at + name.size() + 2));
}

class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.WriteFile("keyring1.textproto", KeyringText(kInlineCertificate, kRotatingPrimary));
    dir_.WriteFile("keyring2.textproto", KeyringText(kInlineCertificate2, kRotatingPrimary2));
  }

  std::unique_ptr<TokenServer> Start(const std::string& config) {
    config_path_ = dir_.WriteFile("config.textproto", config);
    ServerOptions options = TestServerOptions("", &clock_);
    options.keyring_path.clear();
    options.config_path = config_path_;
    absl::StatusOr<std::unique_ptr<TokenServer>> server = TokenServer::BuildAndStart(options);
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? *std::move(server) : nullptr;
  }

  // Rewrites the config and reloads at once (as SIGHUP does).
  absl::Status Rewrite(TokenServer& server, const std::string& config) {
    dir_.WriteFile("config.textproto", config);
    return server.Reload("test");
  }

  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }

  const agora_token::FixedClock clock_{kNow};
  TempDir dir_;
  std::string config_path_;
};

// One reload moves both apps to new certificates and takes app B away from
// the caller. Every call builds [A, B] in one batch, which is served from
// one snapshot: A's signature says which keyring it saw, B's outcome which
// policy. A mix of the two, an old state after a new one was seen, or any
// failed call is a broken reload.
TEST_F(ReloadTest, KeyringAndPolicySwapTogetherUnderLoad) {
  std::unique_ptr<TokenServer> server =
      Start(ConfigText("keyring1.textproto", AppIds({kInlineAppId, kRotatingAppId}), "audit.log"));
  ASSERT_NE(server, nullptr);
  using Clock = std::chrono::steady_clock;
  struct Observation {
    Clock::time_point start, end;
    bool ok = false;
    bool new_keyring = false;
    bool new_policy = false;
    bool consistent_token = true;
  };
  std::atomic<bool> stop{false};
  std::vector<std::vector<Observation>> seen(3);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&, t] {
      auto stub = TcpStub(server->port());
      v1::BuildTokensRequest batch;
      *batch.add_items()->mutable_rtc_with_uid() = Rtc(kInlineAppId);
      *batch.add_items()->mutable_rtc_with_uid() = Rtc(kRotatingAppId);
      while (!stop.load()) {
        Observation o;
        grpc::ClientContext context;
        v1::BuildTokensResponse response;
        o.start = Clock::now();
        const grpc::Status status = stub->BuildTokens(Authorized(&context), batch, &response);
        o.end = Clock::now();
        o.ok = status.ok() && response.results_size() == 2 && response.results(0).has_token();
        if (o.ok) {
          const v1::IssuedToken& a = response.results(0).token();
          const bool signed_old = IssuedTokenChecks(a, kInlineCertificate, nullptr, kNow) ==
                                  ::testing::AssertionSuccess();
          o.new_keyring = !signed_old;
          o.consistent_token =
              signed_old || IssuedTokenChecks(a, kInlineCertificate2, nullptr, kNow);
          const v1::BuildTokensResult& b = response.results(1);
          o.new_policy = b.has_error();
          if (b.has_error()) {
            o.consistent_token &= b.error().code() == grpc::StatusCode::PERMISSION_DENIED;
          } else {
            // B was still allowed: it must be signed by the same keyring as A.
            o.consistent_token &= static_cast<bool>(IssuedTokenChecks(
                b.token(), o.new_keyring ? kRotatingPrimary2 : kRotatingPrimary, nullptr, kNow));
          }
        }
        seen[t].push_back(o);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const Clock::time_point reload_start = Clock::now();
  ASSERT_TRUE(
      Rewrite(*server, ConfigText("keyring2.textproto", AppIds({kInlineAppId}), "audit.log")).ok());
  const Clock::time_point reload_end = Clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  stop = true;
  for (std::thread& thread : threads) thread.join();

  size_t calls = 0, failed = 0, mixed = 0, old_after_new = 0, before = 0, after = 0;
  Clock::time_point first_new_end = Clock::time_point::max();
  for (const auto& list : seen) {
    for (const Observation& o : list) {
      if (o.ok && o.new_keyring && o.new_policy) first_new_end = std::min(first_new_end, o.end);
    }
  }
  for (const auto& list : seen) {
    for (const Observation& o : list) {
      ++calls;
      if (!o.ok || !o.consistent_token) {
        ++failed;
        continue;
      }
      if (o.new_keyring != o.new_policy) ++mixed;
      const bool is_new = o.new_keyring && o.new_policy;
      // Calls wholly before the reload saw the old state, wholly after it
      // the new one, and no call that started after a new one ended saw the
      // old.
      if (o.end < reload_start) {
        ++before;
        EXPECT_FALSE(is_new);
      }
      if (o.start > reload_end) {
        ++after;
        EXPECT_TRUE(is_new);
      }
      if (!is_new && o.start > first_new_end) ++old_after_new;
    }
  }
  std::printf(
      "reload under load: %zu calls (%zu before the reload, %zu after), %zu failed, "
      "%zu mixed states, %zu old after new\n",
      calls, before, after, failed, mixed, old_after_new);
  EXPECT_GT(before, 0u);
  EXPECT_GT(after, 0u);
  EXPECT_EQ(failed, 0u);
  EXPECT_EQ(mixed, 0u);
  EXPECT_EQ(old_after_new, 0u);
  EXPECT_EQ(Counter(*server, "agora_token_reload_failures_total"), 0u);
  EXPECT_EQ(Counter(*server, "agora_token_reloads_total"), 1u);
}

TEST_F(ReloadTest, ANewAuditPathGetsTheNextDecisions) {
  std::unique_ptr<TokenServer> server =
      Start(ConfigText("keyring1.textproto", AppIds({kInlineAppId}), "first.log"));
  ASSERT_NE(server, nullptr);
  auto stub = TcpStub(server->port());
  v1::BuildRtcTokenWithUidResponse response;
  grpc::ClientContext first;
  ASSERT_TRUE(stub->BuildRtcTokenWithUid(Authorized(&first), Rtc(kInlineAppId), &response).ok());
  ASSERT_TRUE(
      Rewrite(*server, ConfigText("keyring1.textproto", AppIds({kInlineAppId}), "second.log"))
          .ok());
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext context;
    ASSERT_TRUE(
        stub->BuildRtcTokenWithUid(Authorized(&context), Rtc(kInlineAppId), &response).ok());
  }
  server->audit_log()->Flush();
  EXPECT_EQ(LineCount(Path("first.log")), 1u);
  EXPECT_EQ(LineCount(Path("second.log")), 3u);
}

// The listen address and the TLS files are bound when the server starts: a
// reload that changes them is refused whole, says so on stderr with the
// field, counts, and leaves the old state serving.
TEST_F(ReloadTest, ChangesThatNeedARestartAreRefusedLoggedAndCounted) {
  std::unique_ptr<TokenServer> server =
      Start(ConfigText("keyring1.textproto", AppIds({kInlineAppId}), "audit.log"));
  ASSERT_NE(server, nullptr);
  const std::string refused_config =
      ConfigText("keyring2.textproto", AppIds({kInlineAppId, kRotatingAppId}), "audit.log", "",
                 "listen_address: \"127.0.0.1:1\"");
  ::testing::internal::CaptureStderr();
  const absl::Status status = Rewrite(*server, refused_config);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("listen_address"), absl::string_view::npos) << status;
  EXPECT_NE(log.find("reload refused"), std::string::npos) << log;
  EXPECT_NE(log.find("listen_address"), std::string::npos) << log;
  EXPECT_EQ(Counter(*server, "agora_token_reload_failures_total"), 1u);

  // Adding TLS is refused the same way.
  const absl::Status tls = Rewrite(
      *server, ConfigText("keyring1.textproto", AppIds({kInlineAppId}), "audit.log", "",
                          "tls { certificate_chain_path: \"a.pem\" private_key_path: \"b.pem\" }"));
  EXPECT_FALSE(tls.ok());
  EXPECT_EQ(Counter(*server, "agora_token_reload_failures_total"), 2u);

  // Still the old state: the old certificate signs, and app B is refused.
  auto stub = TcpStub(server->port());
  v1::BuildRtcTokenWithUidResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->BuildRtcTokenWithUid(Authorized(&context), Rtc(kInlineAppId), &response).ok());
  EXPECT_TRUE(IssuedTokenChecks(AsIssued(response), kInlineCertificate, nullptr));
  grpc::ClientContext refused;
  EXPECT_EQ(
      stub->BuildRtcTokenWithUid(Authorized(&refused), Rtc(kRotatingAppId), &response).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ReloadTest, TwentyReloadsDoNotRefillAnEmptyBucket) {
  const std::string config = ConfigText("keyring1.textproto", AppIds({kInlineAppId}), "audit.log",
                                        "rate_limit { tokens_per_second: 0.001 burst: 3 }");
  std::unique_ptr<TokenServer> server = Start(config);
  ASSERT_NE(server, nullptr);
  auto stub = TcpStub(server->port());
  auto call = [&] {
    grpc::ClientContext context;
    v1::BuildRtcTokenWithUidResponse response;
    return stub->BuildRtcTokenWithUid(Authorized(&context), Rtc(kInlineAppId), &response)
        .error_code();
  };
  for (int i = 0; i < 3; ++i) ASSERT_EQ(call(), grpc::StatusCode::OK);
  ASSERT_EQ(call(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  for (int i = 0; i < 20; ++i) {
    // A comment makes each a real change of the file.
    ASSERT_TRUE(Rewrite(*server, absl::StrCat(config, "\n# reload ", i, "\n")).ok());
  }
  EXPECT_EQ(call(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Counter(*server, "agora_token_reloads_total"), 20u);
}

// logrotate renames the file and sends SIGHUP (a reload): the next lines go
// to a new file at the path. A deleted file is noticed at the next write
// even without a reload: the lines land in a new file at the path.
TEST_F(ReloadTest, TheAuditLogFollowsRotationAndDeletion) {
  std::unique_ptr<TokenServer> server =
      Start(ConfigText("keyring1.textproto", AppIds({kInlineAppId}), "audit.log"));
  ASSERT_NE(server, nullptr);
  auto stub = TcpStub(server->port());
  auto calls = [&](int n) {
    for (int i = 0; i < n; ++i) {
      grpc::ClientContext context;
      v1::BuildRtcTokenWithUidResponse response;
      ASSERT_TRUE(
          stub->BuildRtcTokenWithUid(Authorized(&context), Rtc(kInlineAppId), &response).ok());
    }
    server->audit_log()->Flush();
  };
  calls(2);
  ASSERT_EQ(std::rename(Path("audit.log").c_str(), Path("audit.log.1").c_str()), 0);
  ASSERT_TRUE(server->Reload("SIGHUP").ok());
  calls(3);
  EXPECT_EQ(LineCount(Path("audit.log.1")), 2u);
  EXPECT_EQ(LineCount(Path("audit.log")), 3u);

  ASSERT_EQ(::unlink(Path("audit.log").c_str()), 0);
  calls(4);
  EXPECT_EQ(LineCount(Path("audit.log")), 4u);
  EXPECT_GE(Counter(*server, "agora_token_audit_log_reopens_total"), 2u);
  EXPECT_EQ(server->audit_log()->dropped(), 0u);
}

// The writer gathers a few milliseconds of lines per write: it must still
// write them by itself, with no Flush(), and keep every line of a burst
// larger than one write, in order.
TEST(AuditLogTest, WritesGatheredLinesWithoutBeingFlushed) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  constexpr int kLines = 3000;  // two full writes and a remainder
  {
    agora_token::AuditLog log(fds[1], nullptr);
    for (int i = 0; i < kLines; ++i) {
      agora_token::AuditRecord record;
      record.caller = absl::StrCat("caller-", i);
      log.Record(std::move(record));
    }
    std::string written;
    int lines = 0;
    while (lines < kLines) {
      pollfd readable{fds[0], POLLIN, 0};
      ASSERT_EQ(::poll(&readable, 1, 30000), 1) << "only " << lines << " lines written";
      char buffer[65536];
      const ssize_t n = ::read(fds[0], buffer, sizeof(buffer));
      ASSERT_GT(n, 0);
      written.append(buffer, static_cast<size_t>(n));
      lines = static_cast<int>(std::count(written.begin(), written.end(), '\n'));
    }
    std::istringstream in(written);
    std::string line;
    for (int i = 0; std::getline(in, line); ++i) {
      ASSERT_EQ(nlohmann::json::parse(line)["caller"], absl::StrCat("caller-", i));
    }
    EXPECT_EQ(log.dropped(), 0u);
  }
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(RateLimitsTest, ARateChangeContinuesFromTheCurrentLevel) {
  agora_token::RateLimits limits;
  const auto t0 = agora_token::RateLimits::Clock::now();
  const agora_token::RateLimit slow{1.0, 10};
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(limits.Take("caller", slow, 1, t0).ok());
  EXPECT_DOUBLE_EQ(limits.Level("caller", slow, t0), 0.0);
  // Two seconds at the old rate, then the new one: 2 tokens, not a refill.
  const auto t2 = t0 + std::chrono::seconds(2);
  const agora_token::RateLimit fast{100.0, 10};
  limits.Adopt({{"caller", fast}}, t2);
  EXPECT_DOUBLE_EQ(limits.Level("caller", fast, t2), 2.0);
  // From there at the new rate: 50 ms is 5 more.
  EXPECT_DOUBLE_EQ(limits.Level("caller", fast, t2 + std::chrono::milliseconds(50)), 7.0);
  // A smaller burst caps the level; a caller no longer limited loses its bucket.
  limits.Adopt({{"caller", agora_token::RateLimit{100.0, 1}}}, t2);
  EXPECT_DOUBLE_EQ(limits.Level("caller", fast, t2), 1.0);
  limits.Adopt({}, t2);
  EXPECT_DOUBLE_EQ(limits.Level("caller", slow, t2), 10.0);  // a new bucket starts full
}

// The CLI (in-process) and the server build from the same inputs; every
// expiry field of what they return must agree, and so must their refusals.
TEST(ExpiryMappingTest, TheCliAndTheServerAgreeOnEveryExpiryField) {
  TempDir dir;
  ServerOptions options = TestServerOptions(WriteTestKeyring(dir), nullptr);
  const agora_token::FixedClock clock{kNow};
  options.clock = &clock;
  absl::StatusOr<std::unique_ptr<TokenServer>> server = TokenServer::BuildAndStart(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = TcpStub((*server)->port());
  const agora_token::cli::Environment env = {
      {agora_token::cli::kAppCertificateEnv, kInlineCertificate}};

  int compared = 0;
  for (const char* kind : {"rtc", "rtm"}) {
    for (const char* version : {"006", "007"}) {
      for (uint32_t privilege_expired_ts :
           {0u, kNow, kNow + 1, kNow + 600, kNow + 86400, kNow + 90000}) {
        for (uint32_t token_expire : {0u, 600u, 7200u, 86401u}) {
          // 006 takes the token's own timestamp (issue + 24 h), 007 the issue time.
          const bool v006 = std::string(version) == "006";
          std::vector<std::string> args = {"agora-token",
                                           "build",
                                           kind,
                                           "--json",
                                           "--version",
                                           version,
                                           "--app-id",
                                           kInlineAppId,
                                           v006 ? "--ts" : "--issue-ts",
                                           std::to_string(v006 ? kNow + 86400 : kNow)};
          if (std::string(kind) == "rtc") {
            args.insert(args.end(), {"--channel", "room", "--uid", "42"});
          } else {
            args.insert(args.end(), {"--user-id", "user-42"});
          }
          if (privilege_expired_ts != 0) {
            args.insert(args.end(),
                        {"--privilege-expired-ts", std::to_string(privilege_expired_ts)});
          }
          if (token_expire != 0)
            args.insert(args.end(), {"--token-expire", std::to_string(token_expire)});
          std::vector<const char*> argv;
          for (const std::string& arg : args) argv.push_back(arg.c_str());
          std::ostringstream out, err;
          const int exit_code =
              agora_token::cli::Run(static_cast<int>(argv.size()), argv.data(), out, err, env);

          grpc::ClientContext context;
          v1::IssuedToken issued;
          grpc::Status status;
          const v1::TokenVersion proto_version =
              std::string(version) == "006" ? v1::TOKEN_VERSION_006 : v1::TOKEN_VERSION_007;
          if (std::string(kind) == "rtc") {
            v1::BuildRtcTokenWithUidRequest request = Rtc(kInlineAppId);
            request.set_token_version(proto_version);
            request.set_privilege_expired_ts(privilege_expired_ts);
            request.set_token_expire_seconds(token_expire);
            v1::BuildRtcTokenWithUidResponse response;
            status = stub->BuildRtcTokenWithUid(&context, request, &response);
            issued = AsIssued(response);
          } else {
            v1::BuildRtmTokenRequest request;
            request.set_app_id(kInlineAppId);
            request.set_user_id("user-42");
            request.set_token_version(proto_version);
            request.set_privilege_expired_ts(privilege_expired_ts);
            request.set_token_expire_seconds(token_expire);
            v1::BuildRtmTokenResponse response;
            status = stub->BuildRtmToken(&context, request, &response);
            issued = AsIssued(response);
          }
          const std::string what =
              absl::StrCat(kind, " ", version, " privilege_expired_ts=", privilege_expired_ts,
                           " token_expire=", token_expire);
          // The CLI refuses flag combinations at parse time (usage, exit 2)
          // that the server refuses as INVALID_ARGUMENT: both are refusals.
          ASSERT_EQ(exit_code == 0, status.ok())
              << what << ": cli " << err.str() << " server " << status.error_message();
          if (!status.ok()) {
            EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << what;
            ++compared;
            continue;
          }
          const nlohmann::json cli = nlohmann::json::parse(out.str());
          EXPECT_EQ(cli["issue_ts"], issued.issue_ts()) << what;
          EXPECT_EQ(cli["expire_ts"], issued.expire_ts()) << what;
          ASSERT_EQ(cli["privileges"].size(), static_cast<size_t>(issued.privilege_expiries_size()))
              << what;
          for (int i = 0; i < issued.privilege_expiries_size(); ++i) {
            EXPECT_EQ(cli["privileges"][i]["expire_ts"], issued.privilege_expiries(i).expire_ts())
                << what << " privilege " << i;
          }
          ++compared;
        }
      }
    }
  }
  EXPECT_EQ(compared, 2 * 2 * 6 * 4);
}

}  // namespace
}  // namespace agora_token_server_test
