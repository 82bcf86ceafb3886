// An out-of-tree program that uses the installed Agora token libraries, built
// by tests/install/run.sh through find_package(AgoraToken) and through
// pkg-config. It builds the official rtc006_uid vector offline with the core
// and prints the token, then calls a TokenClient aimed at a port nobody
// serves, which proves the client, the generated stubs and gRPC link and run.
// Output: "token <token>" and "client <grpc status code name>".
#include <chrono>
#include <cstdint>
#include <iostream>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clients/cpp/token_client.h"
#include "core/token.h"

namespace {

// Inputs of the rtc006_uid vector in tests/vectors/official.json (Agora's
// public sample app). A 006 vector's "ts" is the token's own timestamp, which
// is the issue time + 24 h; run.sh compares the printed token with the file.
constexpr char kAppId[] = "970CA35de60c44645bbae8a215061b33";
constexpr char kAppCertificate[] = "5CFd2fd1755d40ecb72977518be15d3b";
constexpr char kChannelName[] = "7d72365eb983485397e3e3f9d460bdda";
constexpr uint32_t kUid = 2882341273;
constexpr uint32_t kPrivilegeExpiredTs = 1446455471;
constexpr uint32_t kSalt = 1;
constexpr uint32_t kTokenTs = 1111111;

}  // namespace

int main() {
  agora_token::Rtc006Params params;
  params.channel_name = kChannelName;
  params.user = kUid;
  params.role = agora_token::RtcRole::kPublisher;
  params.privilege_expired_ts = kPrivilegeExpiredTs;
  const agora_token::Issuance at{kTokenTs - agora_token::kMaxTokenLifetimeSeconds, kSalt};
  absl::StatusOr<agora_token::BuiltToken> built = agora_token::BuildRtcToken006(
      agora_token::AppCredentials{kAppId, kAppCertificate}, params, at);
  if (!built.ok()) {
    std::cerr << "BuildRtcToken006 failed: " << built.status() << "\n";
    return 1;
  }
  std::cout << "token " << built->token << "\n";

  // Nothing listens on port 1, so the call must fail fast with UNAVAILABLE
  // (or run out of its short deadline while retrying).
  agora_token::TokenClientOptions options;
  options.deadline = std::chrono::milliseconds(1000);
  options.max_attempts = 1;
  const agora_token::TokenClient client("127.0.0.1:1", options);
  absl::StatusOr<agora::token::v1::BuildRtcTokenWithUidResponse> response =
      client.BuildTokenWithUid(kAppId, kChannelName, kUid, agora::token::v1::ROLE_PUBLISHER, 0);
  if (response.ok()) {
    std::cerr << "a call to 127.0.0.1:1 unexpectedly succeeded\n";
    return 1;
  }
  std::cout << "client " << absl::StatusCodeToString(response.status().code()) << "\n";
  return 0;
}
