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
#include "server/rpc_method.h"
#include "server/token_facts.h"

namespace agora_token {

class Metrics {
 public:
  Metrics();

  // `transport` is CallCredentials::transport: "grpc" or "http".
  void RecordCall(RpcMethod method, absl::StatusCode code, std::chrono::nanoseconds latency,
                  std::string_view transport = "grpc");
  void RecordIssued(TokenKind kind, TokenVersion version);
  void RecordKeyringLoaded() { keyring_version_.fetch_add(1, std::memory_order_relaxed); }
  void RecordKeyringReload(bool ok);
  void RecordConfigReload(bool ok);
  // Any reload (SIGHUP, a changed file): applied whole, or refused whole.
  void RecordReload(bool ok);
  void RecordAuditDrops(uint64_t lines) {
    audit_drops_.fetch_add(lines, std::memory_order_relaxed);
  }
  // The audit file was reopened because its path no longer named it
  // (deleted, renamed) or on a reload.
  void RecordAuditReopen() { audit_reopens_.fetch_add(1, std::memory_order_relaxed); }

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

  static constexpr size_t kTransportCount = 2;  // grpc, http
  std::array<std::array<std::array<std::atomic<uint64_t>, kCodeCount>, kRpcMethodCount>,
             kTransportCount>
      calls_{};
  std::array<Latency, kRpcMethodCount> latency_{};
  std::array<std::array<std::atomic<uint64_t>, 2>, kTokenKindCount> issued_{};
  std::atomic<uint64_t> keyring_version_{0};
  std::atomic<uint64_t> keyring_reloads_{0};
  std::atomic<uint64_t> keyring_reload_failures_{0};
  std::atomic<uint64_t> config_reloads_{0};
  std::atomic<uint64_t> config_reload_failures_{0};
  std::atomic<uint64_t> reloads_{0};
  std::atomic<uint64_t> reload_failures_{0};
  std::atomic<uint64_t> audit_drops_{0};
  std::atomic<uint64_t> audit_reopens_{0};
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_METRICS_H_
