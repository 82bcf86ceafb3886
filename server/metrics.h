// Prometheus metrics of the server: fixed label sets held in atomic
// counters, so recording on the call path is a few relaxed increments and
// never locks or allocates. Labels never carry a channel, uid, account or
// secret: only method, status code, token kind and version.
#ifndef AGORA_TOKEN_SERVER_METRICS_H_
#define AGORA_TOKEN_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "core/token.h"

namespace agora_token {

enum class RpcMethod {
  kBuildRtcTokenWithUid,
  kBuildRtcTokenWithAccount,
  kBuildRtmToken,
  kBuildChatToken,
  kBuildTokens,
  kDecodeToken,
};
inline constexpr size_t kRpcMethodCount = 6;

enum class TokenKind { kRtc, kRtm, kChat };
inline constexpr size_t kTokenKindCount = 3;

// "BuildRtcTokenWithUid", ...; "rtc", "rtm", "chat".
std::string_view RpcMethodName(RpcMethod method);
std::string_view TokenKindName(TokenKind kind);

class Metrics {
 public:
  Metrics();

  void RecordCall(RpcMethod method, absl::StatusCode code, std::chrono::nanoseconds latency);
  void RecordIssued(TokenKind kind, TokenVersion version);
  void RecordKeyringLoaded() { keyring_version_.fetch_add(1, std::memory_order_relaxed); }
  void RecordKeyringReload(bool ok);
  void RecordConfigReload(bool ok);
  void RecordAuditDrops(uint64_t lines) {
    audit_drops_.fetch_add(lines, std::memory_order_relaxed);
  }

  // The Prometheus text exposition format (version 0.0.4).
  std::string Render() const;

 private:
  static constexpr size_t kCodeCount = 17;  // google.rpc.Code 0..16
  static constexpr size_t kBucketCount = 14;
  static const std::array<double, kBucketCount> kBucketBounds;  // seconds

  struct Latency {
    std::array<std::atomic<uint64_t>, kBucketCount> buckets{};  // non-cumulative
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_ns{0};
  };

  std::array<std::array<std::atomic<uint64_t>, kCodeCount>, kRpcMethodCount> calls_{};
  std::array<Latency, kRpcMethodCount> latency_{};
  std::array<std::array<std::atomic<uint64_t>, 2>, kTokenKindCount> issued_{};
  std::atomic<uint64_t> keyring_version_{0};
  std::atomic<uint64_t> keyring_reloads_{0};
  std::atomic<uint64_t> keyring_reload_failures_{0};
  std::atomic<uint64_t> config_reloads_{0};
  std::atomic<uint64_t> config_reload_failures_{0};
  std::atomic<uint64_t> audit_drops_{0};
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_METRICS_H_
