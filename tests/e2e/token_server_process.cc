#include "tests/e2e/token_server_process.h"

#include <signal.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"

namespace agora_token_e2e {
namespace {

constexpr std::chrono::milliseconds kLogPollInterval{10};

}  // namespace

absl::StatusOr<std::unique_ptr<TempDir>> TempDir::Create(const std::string& prefix) {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp", "/", prefix, "XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", pattern, ": ", std::strerror(errno)));
  }
  return std::unique_ptr<TempDir>(new TempDir(pattern));
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

absl::Status WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

std::string RandomHex(size_t bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::random_device random;
  std::string hex;
  for (size_t i = 0; i < bytes; ++i) {
    const unsigned byte = random() & 0xff;
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0xf]);
  }
  return hex;
}

TestApp NewTestApp() { return TestApp{RandomHex(16), RandomHex(16)}; }

absl::StatusOr<std::string> WriteKeyring(const TempDir& dir, const TestApp& app) {
  absl::Status written = WriteFile(dir.File("test_app.certificate"), app.certificate + "\n");
  if (!written.ok()) return written;
  // The path is relative: the server resolves it against the keyring's
  // directory, as a mounted secret next to the keyring would be.
  const std::string keyring_path = dir.File("keyring.textproto");
  written = WriteFile(keyring_path, absl::StrCat("apps {\n  app_id: \"", app.app_id,
                                                 "\"\n  primary_certificate { path: "
                                                 "\"test_app.certificate\" }\n}\n"));
  if (!written.ok()) return written;
  return keyring_path;
}

absl::StatusOr<std::unique_ptr<TokenServerProcess>> TokenServerProcess::Start(
    const std::string& binary, const std::string& keyring_path, const std::string& log_path,
    const std::vector<std::string>& extra_flags, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {binary, "--listen", "127.0.0.1:0", "--keyring", keyring_path};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  absl::StatusOr<std::unique_ptr<ChildProcess>> child = ChildProcess::Spawn(argv, "", log_path);
  if (!child.ok()) return child.status();
  std::unique_ptr<TokenServerProcess> server(new TokenServerProcess(*std::move(child), log_path));

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (const nlohmann::json& record : server->LogRecords()) {
      if (record.value("msg", "") != "serving" || !record.contains("port")) continue;
      const nlohmann::json& port = record["port"];
      server->port_ =
          port.is_string() ? std::atoi(port.get<std::string>().c_str()) : port.get<int>();
      if (server->port_ <= 0) {
        return absl::InternalError(
            absl::StrCat("bad port in the serving line; log:\n", server->LogText()));
      }
      return server;
    }
    if (std::optional<int> code = server->process_->PollExit(); code.has_value()) {
      return absl::InternalError(
          absl::StrCat("server exited with ", *code, " before serving; log:\n", server->LogText()));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat("server did not log \"serving\" within ",
                                                      timeout.count(), " ms; log:\n",
                                                      server->LogText()));
    }
    std::this_thread::sleep_for(kLogPollInterval);
  }
}

std::vector<nlohmann::json> TokenServerProcess::LogRecords() const {
  std::vector<nlohmann::json> records;
  std::istringstream lines(LogText());
  std::string line;
  while (std::getline(lines, line)) {
    // A line still being written is incomplete JSON; it is read next time.
    nlohmann::json record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (record.is_object()) records.push_back(std::move(record));
  }
  return records;
}

std::string TokenServerProcess::LogText() const {
  absl::StatusOr<std::string> text = ReadFile(log_path_);
  return text.ok() ? *text : std::string();
}

bool TokenServerProcess::Logged(const std::string& message) const {
  for (const nlohmann::json& record : LogRecords()) {
    if (record.value("msg", "") == message) return true;
  }
  return false;
}

absl::StatusOr<int> TokenServerProcess::Stop(std::chrono::milliseconds timeout) {
  process_->Signal(SIGTERM);
  return process_->WaitForExit(timeout);
}

}  // namespace agora_token_e2e
