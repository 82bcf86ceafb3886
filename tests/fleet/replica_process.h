// One replica of the fleet test: the real agora-token-server binary started
// on given loopback ports (0 on the first start, the same ports again on a
// restart, as a replica behind a fixed upstream list restarts) for gRPC,
// the HTTP API and health alone, with its own log file per start, and
// bounded waits for its "serving" log line and for its health check to
// report SERVING. Or, in container mode (tests/container), a container of
// the image: created on the first start, `docker start --attach`ed on each
// start, so the log file and the exit code are the container's.
#ifndef AGORA_TOKEN_TESTS_FLEET_REPLICA_PROCESS_H_
#define AGORA_TOKEN_TESTS_FLEET_REPLICA_PROCESS_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/e2e/child_process.h"

namespace agora_token_fleet {

// Where a replica listens, all on 127.0.0.1; 0 picks a free port.
struct ReplicaPorts {
  int api = 0;
  int http = 0;
  int health = 0;
};

struct ReplicaOptions {
  std::string binary;
  std::string keyring_path;
  // Flags after --listen, --http-listen, --health-listen and --keyring.
  std::vector<std::string> extra_flags;
  // Container mode when `docker` (the client binary) is set: container
  // `container` of `image`, host network, read-only root, uid 10001, with
  // the keyring's directory mounted read-only at /etc/agora-token/keyring
  // as deploy/k8s mounts its Secret. Ports are fixed when it is created.
  std::string docker;
  std::string image;
  std::string container;
};

class ReplicaProcess {
 public:
  // Starts the server on `ports`, stderr to `log_path`, and waits up to
  // `timeout` for its "serving" line. In container mode, ports 0 create the
  // container on free ports; its ports start it again.
  static absl::StatusOr<std::unique_ptr<ReplicaProcess>> Start(const ReplicaOptions& options,
                                                               const ReplicaPorts& ports,
                                                               const std::string& log_path,
                                                               std::chrono::milliseconds timeout);

  const ReplicaPorts& ports() const { return ports_; }
  int port() const { return ports_.api; }
  int health_port() const { return ports_.health; }
  std::string address() const { return "127.0.0.1:" + std::to_string(ports_.api); }
  std::string http_address() const { return "127.0.0.1:" + std::to_string(ports_.http); }
  agora_token_e2e::ChildProcess& process() { return *process_; }

  // Polls the health port until it reports SERVING, for up to `timeout`.
  absl::Status WaitUntilServing(std::chrono::milliseconds timeout) const;

  // How many JSON log lines so far have this "msg" (and, if `field` is not
  // empty, that string `value` in `field`).
  int CountLogged(const std::string& message, const std::string& field = "",
                  const std::string& value = "") const;
  // The raw log, for failure messages (the server never logs secrets).
  std::string LogText() const;

 private:
  ReplicaProcess(std::unique_ptr<agora_token_e2e::ChildProcess> process, std::string log_path)
      : process_(std::move(process)), log_path_(std::move(log_path)) {}

  std::unique_ptr<agora_token_e2e::ChildProcess> process_;
  std::string log_path_;
  ReplicaPorts ports_;
};

// What grpc.health.v1.Health/Check at `address` answers: OK if SERVING,
// otherwise the reason (NOT_SERVING, or the call's error).
absl::Status CheckServing(const std::string& address, std::chrono::milliseconds deadline);

}  // namespace agora_token_fleet

#endif  // AGORA_TOKEN_TESTS_FLEET_REPLICA_PROCESS_H_
