// A child process for end-to-end tests: posix_spawn with stdout and stderr
// sent to files, signals, and waits that always end (bounded by a timeout),
// so a broken server or tool fails the test instead of hanging it. The
// destructor SIGKILLs and reaps a child that is still running.
#ifndef AGORA_TOKEN_TESTS_E2E_CHILD_PROCESS_H_
#define AGORA_TOKEN_TESTS_E2E_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace agora_token_e2e {

class ChildProcess {
 public:
  // Runs argv[0] (an absolute path) with argv; stdin is /dev/null, stdout and
  // stderr are appended to the given files (empty path: /dev/null).
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Spawn(const std::vector<std::string>& argv,
                                                             const std::string& stdout_path,
                                                             const std::string& stderr_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Sends `signal` unless the child has already been reaped.
  void Signal(int signal);

  // The exit code once the child has exited, checking without blocking.
  // A child killed by a signal reports 128 + the signal number.
  std::optional<int> PollExit();

  // Waits up to `timeout` for the child to exit; DeadlineExceeded if it has
  // not (it keeps running).
  absl::StatusOr<int> WaitForExit(std::chrono::milliseconds timeout);

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}

  pid_t pid_;
  std::optional<int> exit_code_;
};

// Runs a command to completion, killing it after `timeout`. Returns its exit
// code; its stdout and stderr are written to the given files.
absl::StatusOr<int> RunToCompletion(const std::vector<std::string>& argv,
                                    const std::string& stdout_path, const std::string& stderr_path,
                                    std::chrono::milliseconds timeout);

}  // namespace agora_token_e2e

#endif  // AGORA_TOKEN_TESTS_E2E_CHILD_PROCESS_H_
