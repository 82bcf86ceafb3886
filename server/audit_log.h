// The audit log: one JSON line per decision (a token issued, a request
// refused, a token decoded), for "who minted what, when". Recording never
// blocks or fails a call: records go to a bounded queue that a background
// thread formats and writes; when the queue is full or the write fails (a
// full disk) lines are dropped and counted in the metrics. A record holds a
// token's fingerprint (first 16 hex characters of its SHA-256), never the
// token.
#ifndef AGORA_TOKEN_SERVER_AUDIT_LOG_H_
#define AGORA_TOKEN_SERVER_AUDIT_LOG_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "agora/token/v1/server_config.pb.h"
#include "core/token.h"
#include "server/metrics.h"

namespace agora_token {

struct AuditRecord {
  std::chrono::system_clock::time_point time;
  std::string caller;  // the config's caller name, or "" when unauthenticated
  RpcMethod method = RpcMethod::kBuildRtcTokenWithUid;
  std::string kind;  // "rtc", "rtm", "chat", "decode", or "" for a refused call
  std::string app_id;
  std::string channel_name;
  std::optional<uint32_t> uid;
  std::string account;  // RTC account or RTM/Chat user id
  int role = 0;
  std::optional<TokenVersion> version;
  uint32_t expire_ts = 0;
  std::string fingerprint;
  absl::StatusCode code = absl::StatusCode::kOk;
  std::chrono::microseconds latency{0};
};

// First 16 hex characters of SHA-256(token).
std::string TokenFingerprint(std::string_view token);

// A request string as the audit log keeps it: cut at 256 bytes (with the
// full size noted) so hostile input cannot bloat the queue or the log.
std::string ClipForAudit(std::string_view value);

// The JSON line of a record, newline included.
std::string FormatAuditLine(const AuditRecord& record);

// Where an audit log writes.
struct AuditDestination {
  int fd = -1;
  bool owned = false;  // close it when done (a file, not stdout)
};

// Opens the destination (a file is created 0600 and appended to).
absl::StatusOr<AuditDestination> OpenAuditDestination(
    const agora::token::v1::AuditLogConfig& config, const std::string& base_dir);

class AuditLog {
 public:
  // `metrics` (may be null) receives the drop counts and must outlive the log.
  AuditLog(AuditDestination destination, Metrics* metrics);
  // Writes what is queued, then stops.
  ~AuditLog();

  // Never blocks on I/O; drops the record when the queue is full.
  void Record(AuditRecord record);
  // Waits until everything recorded so far is written or dropped.
  void Flush();

  uint64_t dropped() const;

 private:
  void WriterLoop();
  void Drop(uint64_t lines);

  static constexpr size_t kMaxQueued = 1 << 16;

  const int fd_;
  const bool owns_fd_;
  Metrics* const metrics_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::vector<AuditRecord> queue_;
  bool writing_ = false;
  bool stopping_ = false;
  uint64_t dropped_ = 0;
  std::thread writer_;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_AUDIT_LOG_H_
