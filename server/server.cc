#include "server/server.h"

#include <grpc/grpc.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "server/log.h"

namespace agora_token {
namespace {

// Host part of "host:port", "[v6]:port" or "unix:path".
std::string HostOf(const std::string& address) {
  if (address.rfind("unix:", 0) == 0) return "unix";
  if (!address.empty() && address[0] == '[') return address.substr(1, address.find(']') - 1);
  return address.substr(0, address.rfind(':'));
}

bool IsLoopback(const std::string& address) {
  const std::string host = HostOf(address);
  return host == "unix" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace

TokenServer::TokenServer(const ServerOptions& options, std::shared_ptr<const Keyring> keyring)
    : options_(options),
      keyring_(std::move(keyring)),
      handlers_(HandlerOptions{options.default_version, options.compression,
                               options.max_batch_items},
                &keyring_, options.clock != nullptr ? options.clock : &system_clock_, &metrics_),
      service_(&handlers_, &metrics_) {
  metrics_.RecordKeyringLoaded();
}

TokenServer::~TokenServer() { Shutdown(); }

absl::StatusOr<std::unique_ptr<TokenServer>> TokenServer::BuildAndStart(
    const ServerOptions& options) {
  if (options.keyring_path.empty()) return absl::InvalidArgumentError("--keyring is required");
  if (!IsLoopback(options.listen_address) && !options.allow_insecure_remote) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to serve plaintext without caller authentication on ", options.listen_address,
        ": listen on a loopback address (127.0.0.1, ::1, unix:) or pass "
        "--allow_insecure_remote behind a trusted proxy"));
  }
  if (options.max_batch_items == 0 || options.max_request_bytes <= 0) {
    return absl::InvalidArgumentError("max_batch_items and max_request_bytes must be positive");
  }
  absl::StatusOr<std::shared_ptr<const Keyring>> keyring = Keyring::LoadFile(options.keyring_path);
  if (!keyring.ok()) return keyring.status();

  std::unique_ptr<TokenServer> server(new TokenServer(options, *std::move(keyring)));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, grpc::InsecureServerCredentials(),
                           &server->port_);
  builder.RegisterService(&server->service_);
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen_address));
  }
  if (!options.health_listen_address.empty()) {
    grpc::ServerBuilder health_builder;
    health_builder.AddListeningPort(options.health_listen_address,
                                    grpc::InsecureServerCredentials(), &server->health_port_);
    server->health_server_ = health_builder.BuildAndStart();
    if (server->health_server_ == nullptr || server->health_port_ == 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot serve health checks on ", options.health_listen_address));
    }
  }
  if (!options.metrics_listen_address.empty()) {
    absl::StatusOr<std::unique_ptr<MetricsHttpServer>> metrics =
        MetricsHttpServer::Start(options.metrics_listen_address, &server->metrics_);
    if (!metrics.ok()) return metrics.status();
    server->metrics_http_ = *std::move(metrics);
  }
  server->SetServing(true);
  return server;
}

absl::Status TokenServer::ReloadKeyring() {
  absl::StatusOr<std::shared_ptr<const Keyring>> keyring = Keyring::LoadFile(options_.keyring_path);
  metrics_.RecordKeyringReload(keyring.ok());
  if (!keyring.ok()) return keyring.status();
  keyring_.Set(*std::move(keyring));
  return absl::OkStatus();
}

void TokenServer::SetServing(bool serving) {
  server_->GetHealthCheckService()->SetServingStatus(serving);
  if (health_server_ != nullptr) health_server_->GetHealthCheckService()->SetServingStatus(serving);
}

void TokenServer::Shutdown() {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  // Load balancers and clients watching health stop sending first.
  SetServing(false);
  std::this_thread::sleep_for(options_.shutdown_delay);
  const auto deadline = std::chrono::system_clock::now() + options_.drain_timeout;
  std::atomic<bool> done{false};
  std::thread drain([&] {
    server_->Shutdown(deadline);  // refuses new calls, waits for running ones
    done = true;
  });
  // gRPC 1.51 also waits out the deadline for idle client connections.
  // Once no call has been running for a few polls, nothing is left to drain:
  // close those connections so the process exits promptly.
  constexpr auto kPoll = std::chrono::milliseconds(10);
  constexpr int kQuietPolls = 5;
  int quiet = 0;
  while (!done && std::chrono::system_clock::now() < deadline) {
    quiet = service_.in_flight() == 0 ? quiet + 1 : 0;
    if (quiet >= kQuietPolls) {
      grpc_server_cancel_all_calls(server_->c_server());
      break;
    }
    std::this_thread::sleep_for(kPoll);
  }
  drain.join();
  if (health_server_ != nullptr) health_server_->Shutdown(std::chrono::system_clock::now());
  metrics_http_.reset();
}

std::shared_ptr<grpc::Channel> TokenServer::InProcessChannel() {
  return server_->InProcessChannel(grpc::ChannelArguments());
}

}  // namespace agora_token
