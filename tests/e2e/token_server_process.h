// The real agora-token-server binary as a child process, for end-to-end
// tests: a temporary directory holding a test keyring (a random app whose
// certificate lives in a file, as in production), the server started on
// 127.0.0.1:0, and its port read back from the "serving" JSON line it logs on
// stderr. Every wait is bounded, so a server that never starts fails fast.
#ifndef AGORA_TOKEN_TESTS_E2E_TOKEN_SERVER_PROCESS_H_
#define AGORA_TOKEN_TESTS_E2E_TOKEN_SERVER_PROCESS_H_

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/e2e/child_process.h"

namespace agora_token_e2e {

// How long a test waits for a server it starts to report serving.
inline constexpr std::chrono::milliseconds kServerStartTimeout{15000};

// A directory under $TMPDIR (or /tmp), removed with its contents on
// destruction.
class TempDir {
 public:
  static absl::StatusOr<std::unique_ptr<TempDir>> Create(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

absl::Status WriteFile(const std::string& path, const std::string& contents);
absl::StatusOr<std::string> ReadFile(const std::string& path);

// `bytes` random bytes as lowercase hex (2 * bytes characters).
std::string RandomHex(size_t bytes);

// An app of the test keyring; the certificate is a secret: never log it.
struct TestApp {
  std::string app_id;
  std::string certificate;
};

// A fresh app with a random id and certificate.
TestApp NewTestApp();

// Writes <dir>/keyring.textproto naming `app`, whose certificate goes to
// <dir>/test_app.certificate. Returns the keyring's path.
absl::StatusOr<std::string> WriteKeyring(const TempDir& dir, const TestApp& app);

class TokenServerProcess {
 public:
  // Starts `binary` with --listen 127.0.0.1:0, --keyring and `extra_flags`,
  // stderr to `log_path`, and waits up to `timeout` for its "serving" line.
  static absl::StatusOr<std::unique_ptr<TokenServerProcess>> Start(
      const std::string& binary, const std::string& keyring_path, const std::string& log_path,
      const std::vector<std::string>& extra_flags, std::chrono::milliseconds timeout);

  int port() const { return port_; }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }
  ChildProcess& process() { return *process_; }

  // Every JSON line logged so far (other lines are skipped).
  std::vector<nlohmann::json> LogRecords() const;
  // The raw log, for failure messages (the server never logs secrets).
  std::string LogText() const;
  // True if some logged line has this "msg".
  bool Logged(const std::string& message) const;

  // SIGTERM (drain), then the exit code if it exits within `timeout`.
  absl::StatusOr<int> Stop(std::chrono::milliseconds timeout);

 private:
  TokenServerProcess(std::unique_ptr<ChildProcess> process, std::string log_path)
      : process_(std::move(process)), log_path_(std::move(log_path)) {}

  std::unique_ptr<ChildProcess> process_;
  std::string log_path_;
  int port_ = 0;
};

}  // namespace agora_token_e2e

#endif  // AGORA_TOKEN_TESTS_E2E_TOKEN_SERVER_PROCESS_H_
