// The audit log: one JSON line per decision (a token issued, a request
// refused, a token decoded), for "who minted what, when". Recording never
// blocks or fails a call: records go to a bounded queue that a background
// thread formats and writes a few milliseconds' worth at a time; when the
// queue is full or the write fails (a full disk) lines are dropped and
// counted in the metrics. A record holds a token's fingerprint (first 16
// hex characters of its SHA-256), never the token.
//
// A file destination follows its path: before and after each write the
// writer checks that the path still names the open file, and reopens it
// when it does not (deleted, or renamed by logrotate); lines that went to a
// file already deleted are written again to the new one. Reopen() (SIGHUP)
// does the same on request.
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
  std::string_view transport = "grpc";
  std::string peer;       // the caller's address (refusals before a caller is known)
  std::string presented;  // what an unauthenticated call presented: a fingerprint
  std::string reason;     // why it was refused, when the status alone does not say
  RpcMethod method = RpcMethod::kBuildRtcTokenWithUid;
  std::string kind;  // the request's main kind (TokenKindName), "decode", or ""
  // Every kind of service the token holds (TokenKindName's static names).
  std::vector<std::string_view> services;
  std::string app_id;
  std::string channel_name;
  std::optional<uint32_t> uid;
  std::string account;  // RTC account or RTM/Chat user id
  int role = 0;
  std::optional<TokenVersion> version;
  std::optional<uint32_t> items;  // a batch refused as a whole: its size
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

// Appends the JSON line of a record, newline included.
void AppendAuditLine(const AuditRecord& record, std::string* out);

class AuditLog {
 public:
  // The config's destination: a file (created 0600, appended to, relative
  // paths against `base_dir`) or standard output.
  static absl::StatusOr<std::shared_ptr<AuditLog>> Open(
      const agora::token::v1::AuditLogConfig& config, const std::string& base_dir,
      Metrics* metrics);
  // Records nothing: development mode without a config.
  static std::shared_ptr<AuditLog> Disabled();

  // Writes to `fd`, which stays the caller's (tests, the fuzzer).
  AuditLog(int fd, Metrics* metrics);
  // Writes what is queued, then stops.
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Never blocks on I/O; drops the record when the queue is full.
  void Record(AuditRecord record);
  // Waits until everything recorded so far is written or dropped.
  void Flush();
  // Asks the writer to reopen the file at its path (logrotate's SIGHUP).
  void Reopen();

  bool enabled() const { return enabled_; }
  // The file it appends to; "" for standard output or a given fd.
  const std::string& path() const { return path_; }
  uint64_t dropped() const;

 private:
  AuditLog(int fd, bool owns_fd, std::string path, Metrics* metrics, bool enabled);
  void WriterLoop();
  void Drop(uint64_t lines);
  // Writes `buffer`, following the path as the header says; false when the
  // write failed.
  bool WriteFollowingPath(std::string_view buffer);
  // Reopens path_ when asked to or when it no longer names the open file.
  // Returns true when the open file had been deleted.
  bool FollowPath(bool requested);

  static constexpr size_t kMaxQueued = 1 << 16;
  // The writer writes what gathered in kGatherFor after a first line, or
  // kWriteAt lines, whichever comes first; a Flush() or Reopen() at once.
  static constexpr std::chrono::milliseconds kGatherFor{5};
  static constexpr size_t kWriteAt = 1024;

  int fd_;  // the writer thread's own after construction
  const bool owns_fd_;
  const std::string path_;
  Metrics* const metrics_;
  const bool enabled_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::vector<AuditRecord> queue_;
  bool writing_ = false;
  bool stopping_ = false;
  bool reopen_requested_ = false;
  int flush_waiters_ = 0;
  uint64_t dropped_ = 0;
  std::thread writer_;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_AUDIT_LOG_H_
