#include "server/audit_log.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/crypto.h"
#include "server/log.h"
#include "server/text_proto_file.h"

namespace agora_token {
namespace {

constexpr size_t kMaxFieldBytes = 256;

// Writes all of `data`; false on an error (ENOSPC, EIO, ...).
bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

std::string ClipForAudit(std::string_view value) {
  if (value.size() <= kMaxFieldBytes) return std::string(value);
  return absl::StrCat(std::string(value.substr(0, kMaxFieldBytes)), "...(", value.size(),
                      " bytes)");
}

std::string TokenFingerprint(std::string_view token) {
  const Sha256Digest digest = Sha256(token);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest.data()), 8));
}

void AppendAuditLine(const AuditRecord& r, std::string* out) {
  std::string& line = *out;
  line.append("{\"time\":\"");
  AppendRfc3339(r.time, &line);
  line.append("\",\"audit\":true,\"caller\":");
  AppendJsonQuoted(r.caller, &line);
  line.append(",\"transport\":");
  AppendJsonQuoted(r.transport, &line);
  line.append(",\"rpc\":");
  AppendJsonQuoted(RpcMethodName(r.method), &line);
  auto add_text = [&line](std::string_view name, const std::string& value) {
    if (value.empty()) return;
    line.append(",\"").append(name).append("\":");
    AppendJsonQuoted(value, &line);
  };
  add_text("peer", r.peer);
  add_text("presented", r.presented);
  add_text("kind", r.kind);
  if (!r.services.empty()) {
    line.append(",\"services\":[");
    for (size_t i = 0; i < r.services.size(); ++i) {
      line.append(i == 0 ? "\"" : ",\"").append(r.services[i]).append("\"");
    }
    line.append("]");
  }
  add_text("app_id", r.app_id);
  add_text("channel_name", r.channel_name);
  if (r.uid.has_value()) absl::StrAppend(&line, ",\"uid\":", *r.uid);
  add_text("account", r.account);
  if (r.role != 0) absl::StrAppend(&line, ",\"role\":", r.role);
  if (r.version.has_value()) {
    line.append(",\"version\":\"")
        .append(*r.version == TokenVersion::k006 ? "006" : "007")
        .append("\"");
  }
  if (r.items.has_value()) absl::StrAppend(&line, ",\"items\":", *r.items);
  if (r.expire_ts != 0) absl::StrAppend(&line, ",\"expire_ts\":", r.expire_ts);
  if (!r.fingerprint.empty())
    line.append(",\"token_sha256_16\":\"").append(r.fingerprint).append("\"");
  line.append(",\"code\":");
  AppendJsonQuoted(absl::StatusCodeToString(r.code), &line);
  add_text("reason", r.reason);
  absl::StrAppend(&line, ",\"latency_us\":", r.latency.count(), "}\n");
}

namespace {

int OpenForAppend(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

}  // namespace

absl::StatusOr<std::shared_ptr<AuditLog>> AuditLog::Open(
    const agora::token::v1::AuditLogConfig& config, const std::string& base_dir, Metrics* metrics) {
  if (config.destination_case() != agora::token::v1::AuditLogConfig::kPath) {
    return std::shared_ptr<AuditLog>(new AuditLog(STDOUT_FILENO, false, "", metrics, true));
  }
  if (config.path().empty()) {
    return absl::InvalidArgumentError("config: audit_log.path: must not be empty");
  }
  const std::string path = ResolvePath(base_dir, config.path());
  const int fd = OpenForAppend(path);
  if (fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("config: audit_log.path: cannot open ", path, ": ", strerror(errno)));
  }
  return std::shared_ptr<AuditLog>(new AuditLog(fd, true, path, metrics, true));
}

std::shared_ptr<AuditLog> AuditLog::Disabled() {
  return std::shared_ptr<AuditLog>(new AuditLog(-1, false, "", nullptr, false));
}

AuditLog::AuditLog(int fd, Metrics* metrics) : AuditLog(fd, false, "", metrics, true) {}

AuditLog::AuditLog(int fd, bool owns_fd, std::string path, Metrics* metrics, bool enabled)
    : fd_(fd), owns_fd_(owns_fd), path_(std::move(path)), metrics_(metrics), enabled_(enabled) {
  if (enabled_) writer_ = std::thread([this] { WriterLoop(); });
}

AuditLog::~AuditLog() {
  if (writer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    writer_.join();
  }
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

void AuditLog::Record(AuditRecord record) {
  if (!enabled_) return;
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.size() >= kMaxQueued) {
      ++dropped_;
      if (metrics_ != nullptr) metrics_->RecordAuditDrops(1);
      return;
    }
    queue_.push_back(std::move(record));
    // The writer gathers for kGatherFor after the first line; a burst wakes
    // it early, before the queue fills.
    wake = queue_.size() == 1 || queue_.size() == kWriteAt;
  }
  if (wake) wake_.notify_one();
}

void AuditLog::Flush() {
  if (!enabled_) return;
  std::unique_lock<std::mutex> lock(mutex_);
  ++flush_waiters_;
  wake_.notify_one();  // no gathering while someone waits
  idle_.wait(lock, [this] { return queue_.empty() && !writing_ && !reopen_requested_; });
  --flush_waiters_;
}

void AuditLog::Reopen() {
  if (!enabled_ || path_.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    reopen_requested_ = true;
  }
  wake_.notify_one();
}

uint64_t AuditLog::dropped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dropped_;
}

void AuditLog::Drop(uint64_t lines) {
  std::lock_guard<std::mutex> lock(mutex_);
  dropped_ += lines;
  if (metrics_ != nullptr) metrics_->RecordAuditDrops(lines);
}

bool AuditLog::FollowPath(bool requested) {
  if (path_.empty()) return false;
  struct stat open_file {};
  struct stat at_path {};
  const bool open_ok = ::fstat(fd_, &open_file) == 0;
  const bool deleted = open_ok && open_file.st_nlink == 0;
  const bool moved = ::stat(path_.c_str(), &at_path) != 0 || !open_ok ||
                     at_path.st_dev != open_file.st_dev || at_path.st_ino != open_file.st_ino;
  if (!requested && !deleted && !moved) return false;
  const int fd = OpenForAppend(path_);
  if (fd < 0) {
    Log(LogLevel::kError, "cannot reopen the audit log; lines go to the old file",
        {{"path", path_}, {"error", strerror(errno)}});
    return false;
  }
  ::close(fd_);
  fd_ = fd;
  if (metrics_ != nullptr) metrics_->RecordAuditReopen();
  if (!requested) {
    Log(LogLevel::kWarning,
        deleted ? "the audit log file was deleted; reopened it at its path"
                : "the audit log path names another file (rotated?); reopened it",
        {{"path", path_}});
  }
  return deleted;
}

bool AuditLog::WriteFollowingPath(std::string_view buffer) {
  FollowPath(false);
  if (!WriteAll(fd_, buffer)) return false;
  // Deleted while (or just before) these lines went out: write them again
  // to the file now at the path, so the deletion loses none of them.
  if (FollowPath(false)) return WriteAll(fd_, buffer);
  return true;
}

void AuditLog::WriterLoop() {
  std::vector<AuditRecord> batch;
  std::string buffer;
  for (;;) {
    bool reopen = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      writing_ = false;
      if (queue_.empty()) idle_.notify_all();
      wake_.wait(lock, [this] { return stopping_ || reopen_requested_ || !queue_.empty(); });
      if (queue_.empty() && !reopen_requested_) return;  // stopping with nothing left
      // One wake-up and one write for the lines of the next few
      // milliseconds, not one per call: under load that was most of the
      // log's cost (futex wake-ups, a write and two stats per line).
      wake_.wait_for(lock, kGatherFor, [this] {
        return stopping_ || reopen_requested_ || flush_waiters_ > 0 || queue_.size() >= kWriteAt;
      });
      batch.swap(queue_);
      reopen = std::exchange(reopen_requested_, false);
      writing_ = true;
    }
    if (reopen) FollowPath(true);
    // Lines go out in chunks of whole lines; a failed write (a full disk)
    // drops that chunk's lines and counts them.
    uint64_t lines = 0;
    uint64_t failed = 0;
    auto flush = [&] {
      if (lines > 0 && !WriteFollowingPath(buffer)) failed += lines;
      buffer.clear();
      lines = 0;
    };
    for (const AuditRecord& record : batch) {
      AppendAuditLine(record, &buffer);
      if (++lines == 256) flush();
    }
    flush();
    if (failed > 0) Drop(failed);
    batch.clear();
  }
}

}  // namespace agora_token
