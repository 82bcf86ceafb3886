#include "tests/e2e/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

extern char** environ;

namespace agora_token_e2e {
namespace {

constexpr std::chrono::milliseconds kPollInterval{5};

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// The spawn file actions that point `fd` at `path` (appending), or at
// /dev/null for an empty path.
int AddRedirect(posix_spawn_file_actions_t* actions, int fd, const std::string& path) {
  if (path.empty()) return posix_spawn_file_actions_addopen(actions, fd, "/dev/null", O_WRONLY, 0);
  return posix_spawn_file_actions_addopen(actions, fd, path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                          0600);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(
    const std::vector<std::string>& argv, const std::string& stdout_path,
    const std::string& stderr_path) {
  if (argv.empty()) return absl::InvalidArgumentError("empty argv");
  std::vector<char*> arguments;
  for (const std::string& argument : argv) arguments.push_back(const_cast<char*>(argument.c_str()));
  arguments.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  int error = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (error == 0) error = AddRedirect(&actions, 1, stdout_path);
  if (error == 0) error = AddRedirect(&actions, 2, stderr_path);
  // The test may block signals in its threads; the child must start with a
  // clean mask and default handlers or SIGTERM would not reach its sigwait.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t empty_set;
  sigemptyset(&empty_set);
  sigset_t default_set;
  sigemptyset(&default_set);
  sigaddset(&default_set, SIGTERM);
  sigaddset(&default_set, SIGINT);
  sigaddset(&default_set, SIGHUP);
  sigaddset(&default_set, SIGPIPE);
  posix_spawnattr_setsigmask(&attributes, &empty_set);
  posix_spawnattr_setsigdefault(&attributes, &default_set);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid = 0;
  if (error == 0) {
    error = posix_spawn(&pid, arguments[0], &actions, &attributes, arguments.data(), environ);
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) {
    return absl::InternalError(absl::StrCat("cannot start ", argv[0], ": ", std::strerror(error)));
  }
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid));
}

ChildProcess::~ChildProcess() {
  if (exit_code_.has_value()) return;
  kill(pid_, SIGKILL);
  int wait_status = 0;
  while (waitpid(pid_, &wait_status, 0) < 0 && errno == EINTR) {
  }
}

void ChildProcess::Signal(int signal) {
  if (!exit_code_.has_value()) kill(pid_, signal);
}

std::optional<int> ChildProcess::PollExit() {
  if (exit_code_.has_value()) return exit_code_;
  int wait_status = 0;
  if (waitpid(pid_, &wait_status, WNOHANG) == pid_) exit_code_ = ExitCodeOf(wait_status);
  return exit_code_;
}

absl::StatusOr<int> ChildProcess::WaitForExit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (std::optional<int> code = PollExit(); code.has_value()) return *code;
    if (std::chrono::steady_clock::now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("pid ", pid_, " still running after ", timeout.count(), " ms"));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

absl::StatusOr<int> RunToCompletion(const std::vector<std::string>& argv,
                                    const std::string& stdout_path, const std::string& stderr_path,
                                    std::chrono::milliseconds timeout) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Spawn(argv, stdout_path, stderr_path);
  if (!child.ok()) return child.status();
  return (*child)->WaitForExit(timeout);  // on timeout the destructor kills it
}

}  // namespace agora_token_e2e
