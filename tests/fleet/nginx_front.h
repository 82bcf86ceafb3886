// nginx in front of the fleet test's replicas, running the production config
// (deploy/nginx/agora-token.conf) itself: only its addresses and TLS pair are
// swapped for a free loopback port, the replicas' gRPC and HTTP ports and a
// throwaway self-signed certificate, so the test exercises the retry, keepalive and
// error-mapping rules that production runs. nginx runs unprivileged as one
// foreground process (daemon off, master_process off: nothing outlives the
// test) under a temporary prefix, with an access log that records which
// replicas each call went to and what status it ended with.
#ifndef AGORA_TOKEN_TESTS_FLEET_NGINX_FRONT_H_
#define AGORA_TOKEN_TESTS_FLEET_NGINX_FRONT_H_

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/e2e/child_process.h"

namespace agora_token_fleet {

// The parts of the production config that a test on loopback must replace.
struct NginxSubstitutions {
  int listen_port = 0;  // every `listen` becomes 127.0.0.1:PORT
  // Upstream name -> host:port of the servers replacing its own. Every
  // upstream of the config must be named.
  std::map<std::string, std::vector<std::string>> upstreams;
  std::string certificate_path;
  std::string key_path;
};

// `production` with the substitutions applied; the `server` lines of each
// upstream block are replaced by one line per replica with the parameters
// of the first (max_fails, ...). Fails if the config no longer has the lines
// this relies on, so a change to it cannot silently bypass the test.
absl::StatusOr<std::string> LoopbackNginxConfig(const std::string& production,
                                                const NginxSubstitutions& substitutions);

// The config's `server_name` (the name its certificate must carry).
absl::StatusOr<std::string> NginxServerName(const std::string& production);

// One line of the access log.
struct NginxAccessRecord {
  double finished_unix_seconds = 0;
  int http_status = 0;
  // Every replica nginx sent the call to, in order (more than one: nginx
  // tried the next replica itself), and what each answered.
  std::vector<std::string> upstream_addresses;
  std::string upstream_statuses;
  // grpc-status as a trailer from a replica, or as a header from nginx's own
  // error pages; "-" when absent.
  std::string replica_grpc_status;
  std::string nginx_grpc_status;
};

class NginxFront {
 public:
  struct Options {
    std::string nginx_binary;
    std::string openssl_binary;
    std::string production_config_path;
    std::map<std::string, std::vector<std::string>> upstreams;
    // An existing directory, used as nginx's prefix.
    std::string prefix;
  };

  static absl::StatusOr<std::unique_ptr<NginxFront>> Start(const Options& options,
                                                           std::chrono::milliseconds timeout);
  // Stops nginx gracefully (SIGQUIT), killing it if it lingers.
  ~NginxFront();

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // The self-signed certificate clients must trust, and the name it is for.
  const std::string& root_certificate_pem() const { return certificate_pem_; }
  const std::string& server_name() const { return server_name_; }

  std::vector<NginxAccessRecord> AccessLog() const;
  std::string ErrorLog() const;

 private:
  NginxFront() = default;

  std::unique_ptr<agora_token_e2e::ChildProcess> process_;
  std::string prefix_;
  int port_ = 0;
  std::string certificate_pem_;
  std::string server_name_;
};

}  // namespace agora_token_fleet

#endif  // AGORA_TOKEN_TESTS_FLEET_NGINX_FRONT_H_
