#include "server/audit_log.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

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

std::string FormatAuditLine(const AuditRecord& r) {
  std::string line = absl::StrCat("{\"time\":", JsonQuote(Rfc3339(r.time)),
                                  ",\"audit\":true,\"caller\":", JsonQuote(r.caller),
                                  ",\"rpc\":", JsonQuote(RpcMethodName(r.method)));
  if (!r.kind.empty()) absl::StrAppend(&line, ",\"kind\":", JsonQuote(r.kind));
  if (!r.app_id.empty()) absl::StrAppend(&line, ",\"app_id\":", JsonQuote(r.app_id));
  if (!r.channel_name.empty())
    absl::StrAppend(&line, ",\"channel_name\":", JsonQuote(r.channel_name));
  if (r.uid.has_value()) absl::StrAppend(&line, ",\"uid\":", *r.uid);
  if (!r.account.empty()) absl::StrAppend(&line, ",\"account\":", JsonQuote(r.account));
  if (r.role != 0) absl::StrAppend(&line, ",\"role\":", r.role);
  if (r.version.has_value()) {
    absl::StrAppend(&line, ",\"version\":\"", *r.version == TokenVersion::k006 ? "006" : "007",
                    "\"");
  }
  if (r.expire_ts != 0) absl::StrAppend(&line, ",\"expire_ts\":", r.expire_ts);
  if (!r.fingerprint.empty())
    absl::StrAppend(&line, ",\"token_sha256_16\":\"", r.fingerprint, "\"");
  absl::StrAppend(&line, ",\"code\":", JsonQuote(absl::StatusCodeToString(r.code)),
                  ",\"latency_us\":", r.latency.count(), "}\n");
  return line;
}

absl::StatusOr<AuditDestination> OpenAuditDestination(
    const agora::token::v1::AuditLogConfig& config, const std::string& base_dir) {
  if (config.destination_case() != agora::token::v1::AuditLogConfig::kPath) {
    return AuditDestination{STDOUT_FILENO, false};
  }
  if (config.path().empty()) {
    return absl::InvalidArgumentError("config: audit_log.path: must not be empty");
  }
  const std::string path = ResolvePath(base_dir, config.path());
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("config: audit_log.path: cannot open ", path, ": ", strerror(errno)));
  }
  return AuditDestination{fd, true};
}

AuditLog::AuditLog(AuditDestination destination, Metrics* metrics)
    : fd_(destination.fd),
      owns_fd_(destination.owned),
      metrics_(metrics),
      writer_([this] { WriterLoop(); }) {}

AuditLog::~AuditLog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  writer_.join();
  if (owns_fd_) ::close(fd_);
}

void AuditLog::Record(AuditRecord record) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (queue_.size() >= kMaxQueued) {
      ++dropped_;
      if (metrics_ != nullptr) metrics_->RecordAuditDrops(1);
      return;
    }
    was_empty = queue_.empty();
    queue_.push_back(std::move(record));
  }
  if (was_empty) wake_.notify_one();
}

void AuditLog::Flush() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [this] { return queue_.empty() && !writing_; });
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

void AuditLog::WriterLoop() {
  std::vector<AuditRecord> batch;
  std::string buffer;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      writing_ = false;
      if (queue_.empty()) idle_.notify_all();
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping with nothing left
      batch.swap(queue_);
      writing_ = true;
    }
    // Lines go out in chunks of whole lines; a failed write (a full disk)
    // drops that chunk's lines and counts them.
    uint64_t lines = 0;
    uint64_t failed = 0;
    auto flush = [&] {
      if (lines > 0 && !WriteAll(fd_, buffer)) failed += lines;
      buffer.clear();
      lines = 0;
    };
    for (const AuditRecord& record : batch) {
      buffer += FormatAuditLine(record);
      if (++lines == 256) flush();
    }
    flush();
    if (failed > 0) Drop(failed);
    batch.clear();
  }
}

}  // namespace agora_token
