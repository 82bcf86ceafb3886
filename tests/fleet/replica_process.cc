#include "tests/fleet/replica_process.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/e2e/health_check.h"
#include "tests/e2e/token_server_process.h"

namespace agora_token_fleet {
namespace {

constexpr std::chrono::milliseconds kPollInterval{20};

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> records;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    // A line still being written is incomplete JSON; it is read next time.
    nlohmann::json record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (record.is_object()) records.push_back(std::move(record));
  }
  return records;
}

// The server logs ports as strings; accept numbers too.
int PortField(const nlohmann::json& record, const char* name) {
  if (!record.contains(name)) return 0;
  const nlohmann::json& value = record[name];
  if (value.is_string()) return std::atoi(value.get<std::string>().c_str());
  return value.is_number_integer() ? value.get<int>() : 0;
}

// A loopback port free right now. A container's ports are fixed at
// creation (a restart must keep them), so they cannot be 0 there.
absl::StatusOr<int> FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  const bool bound = fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&address), length) == 0 &&
                     getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  if (fd >= 0) close(fd);
  if (!bound) return absl::InternalError("no free loopback port");
  return ntohs(address.sin_port);
}

std::string Dirname(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// `docker create` of the replica's container; `ports` are set to the free
// ports it listens on.
absl::Status CreateContainer(const ReplicaOptions& options, const std::string& log_path,
                             ReplicaPorts* ports) {
  for (int* chosen : {&ports->api, &ports->http, &ports->health}) {
    absl::StatusOr<int> free = FreePort();
    if (!free.ok()) return free.status();
    *chosen = *free;
  }
  const std::string keyring_dir = "/etc/agora-token/keyring";
  std::vector<std::string> argv = {
      options.docker, "create", "--name", options.container, "--network", "host", "--read-only",
      "--user", "10001:10001", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
      "-v", absl::StrCat(Dirname(options.keyring_path), ":", keyring_dir, ":ro"), options.image,
      "--listen", absl::StrCat("127.0.0.1:", ports->api), "--http-listen",
      absl::StrCat("127.0.0.1:", ports->http), "--health-listen",
      absl::StrCat("127.0.0.1:", ports->health), "--keyring",
      absl::StrCat(keyring_dir, "/", options.keyring_path.substr(options.keyring_path.rfind('/') + 1))};
  argv.insert(argv.end(), options.extra_flags.begin(), options.extra_flags.end());
  const std::string create_log = log_path + ".create";
  absl::StatusOr<int> created = agora_token_e2e::RunToCompletion(argv, create_log, create_log,
                                                                  std::chrono::seconds(60));
  if (!created.ok()) return created.status();
  if (*created != 0) {
    absl::StatusOr<std::string> output = agora_token_e2e::ReadFile(create_log);
    return absl::InternalError(absl::StrCat("docker create exited ", *created, ": ",
                                            output.ok() ? *output : std::string()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReplicaProcess>> ReplicaProcess::Start(
    const ReplicaOptions& options, const ReplicaPorts& requested, const std::string& log_path,
    std::chrono::milliseconds timeout) {
  ReplicaPorts ports = requested;
  std::vector<std::string> argv;
  if (options.docker.empty()) {
    argv = {options.binary,
            "--listen",
            absl::StrCat("127.0.0.1:", ports.api),
            "--http-listen",
            absl::StrCat("127.0.0.1:", ports.http),
            "--health-listen",
            absl::StrCat("127.0.0.1:", ports.health),
            "--keyring",
            options.keyring_path};
    argv.insert(argv.end(), options.extra_flags.begin(), options.extra_flags.end());
  } else {
    if (ports.api == 0) {
      absl::Status created = CreateContainer(options, log_path, &ports);
      if (!created.ok()) return created;
    }
    // Attached: the container's stderr is this start's log, and the
    // client exits with the container's exit code.
    argv = {options.docker, "start", "--attach", options.container};
  }
  absl::StatusOr<std::unique_ptr<agora_token_e2e::ChildProcess>> child =
      agora_token_e2e::ChildProcess::Spawn(argv, "", log_path);
  if (!child.ok()) return child.status();
  std::unique_ptr<ReplicaProcess> replica(new ReplicaProcess(*std::move(child), log_path));

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (const nlohmann::json& record : JsonLines(replica->LogText())) {
      if (record.value("msg", "") != "serving") continue;
      replica->ports_ = {PortField(record, "port"), PortField(record, "http_port"),
                         PortField(record, "health_port")};
      const ReplicaPorts& got = replica->ports_;
      if (got.api <= 0 || got.http <= 0 || got.health <= 0 ||
          (ports.api != 0 && (got.api != ports.api || got.http != ports.http))) {
        return absl::InternalError(
            absl::StrCat("unexpected ports in the serving line; log:\n", replica->LogText()));
      }
      return replica;
    }
    if (std::optional<int> code = replica->process_->PollExit(); code.has_value()) {
      return absl::InternalError(absl::StrCat("server exited with ", *code,
                                              " before serving; log:\n", replica->LogText()));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat("server did not log \"serving\" within ",
                                                      timeout.count(), " ms; log:\n",
                                                      replica->LogText()));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

absl::Status ReplicaProcess::WaitUntilServing(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string health_address = absl::StrCat("127.0.0.1:", ports_.health);
  for (;;) {
    absl::Status serving = CheckServing(health_address, std::chrono::milliseconds(500));
    if (serving.ok()) return serving;
    if (std::chrono::steady_clock::now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat("replica on ", address(),
                                                      " not SERVING within ", timeout.count(),
                                                      " ms: ", serving.message()));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

int ReplicaProcess::CountLogged(const std::string& message, const std::string& field,
                                const std::string& value) const {
  int count = 0;
  for (const nlohmann::json& record : JsonLines(LogText())) {
    if (record.value("msg", "") != message) continue;
    if (!field.empty() && record.value(field, "") != value) continue;
    ++count;
  }
  return count;
}

std::string ReplicaProcess::LogText() const {
  absl::StatusOr<std::string> text = agora_token_e2e::ReadFile(log_path_);
  return text.ok() ? *text : std::string();
}

absl::Status CheckServing(const std::string& address, std::chrono::milliseconds deadline) {
  // No retries: each probe reports what the server answered at that moment.
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  grpc::GenericStub stub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments));
  uint32_t serving_status = 0;
  const grpc::Status status =
      agora_token_e2e::CheckWholeServerHealth(stub, deadline, &serving_status);
  if (!status.ok()) {
    return absl::UnavailableError(
        absl::StrCat("health check failed: ", status.error_code(), " ", status.error_message()));
  }
  if (serving_status != 1) {
    return absl::UnavailableError(absl::StrCat("health status ", serving_status));
  }
  return absl::OkStatus();
}

}  // namespace agora_token_fleet
