#include "server/server.h"

#include <grpc/grpc.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <sys/stat.h>

#include <algorithm>
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

std::shared_ptr<grpc::ServerCredentials> TlsCredentials(const TlsFiles& files,
                                                        std::chrono::milliseconds refresh) {
  // gRPC re-reads the files every `refresh`, so rotated certificates take
  // effect without a restart; a broken new file keeps the old pair.
  const auto seconds = static_cast<unsigned int>(
      std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(refresh).count()));
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      files.private_key_path, files.certificate_chain_path, files.client_ca_path, seconds);
  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_identity_key_cert_pairs();
  if (files.client_ca_path.empty()) {
    tls.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    tls.watch_root_certs();
    tls.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(tls);
}

}  // namespace

void LogReload(const absl::Status& status, std::string_view why) {
  if (status.ok()) {
    Log(LogLevel::kInfo, "reloaded the config and keyring", {{"why", std::string(why)}});
  } else {
    Log(LogLevel::kError, "reload failed; the old config and keyring keep serving",
        {{"why", std::string(why)}, {"error", std::string(status.message())}});
  }
}

TokenServer::TokenServer(const ServerOptions& options, std::optional<ServerConfig> config,
                         std::shared_ptr<const Keyring> keyring,
                         std::optional<AuditDestination> audit)
    : options_(options),
      config_(std::move(config)),
      keyring_(std::move(keyring)),
      callers_(config_.has_value() ? std::make_unique<CallerDirectoryStore>(config_->callers)
                                   : nullptr),
      audit_(audit.has_value() ? std::make_unique<AuditLog>(*audit, &metrics_) : nullptr),
      handlers_(
          HandlerOptions{options.default_version, options.compression, options.max_batch_items},
          &keyring_, options.clock != nullptr ? options.clock : &system_clock_, &metrics_),
      service_(&handlers_, &metrics_, callers_.get(), audit_.get()) {
  metrics_.RecordKeyringLoaded();
}

TokenServer::~TokenServer() { Shutdown(); }

absl::StatusOr<std::unique_ptr<TokenServer>> TokenServer::BuildAndStart(
    const ServerOptions& options) {
  if (options.max_batch_items == 0 || options.max_request_bytes <= 0 ||
      options.max_concurrent_streams <= 0) {
    return absl::InvalidArgumentError(
        "max_batch_items, max_request_bytes and max_concurrent_streams must be positive");
  }
  std::optional<ServerConfig> config;
  std::string keyring_path = options.keyring_path;
  std::optional<AuditDestination> audit;
  if (!options.config_path.empty()) {
    if (!options.keyring_path.empty()) {
      return absl::InvalidArgumentError(
          "give the keyring in the config file (keyring_path), not also as --keyring");
    }
    absl::StatusOr<ServerConfig> loaded = LoadServerConfig(options.config_path);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->tls.has_value() && !IsLoopback(options.listen_address)) {
      return absl::FailedPreconditionError(
          absl::StrCat("config: tls: required to serve on ", options.listen_address,
                       " (plaintext is allowed on loopback addresses only)"));
    }
    keyring_path = loaded->keyring_path;
    absl::StatusOr<AuditDestination> destination =
        OpenAuditDestination(loaded->audit_log, loaded->base_dir);
    if (!destination.ok()) return destination.status();
    audit = *destination;
    config = *std::move(loaded);
  } else {
    if (keyring_path.empty())
      return absl::InvalidArgumentError("--keyring or --config is required");
    if (!IsLoopback(options.listen_address)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "refusing to serve without TLS and caller authentication on ", options.listen_address,
          ": give a --config with tls and callers (see deploy/k8s/base/config.textproto), "
          "or listen on a loopback address (127.0.0.1, ::1) for development"));
    }
  }
  absl::StatusOr<std::shared_ptr<const Keyring>> keyring = Keyring::LoadFile(keyring_path);
  if (!keyring.ok()) return keyring.status();

  const std::chrono::milliseconds reload_interval =
      config.has_value() ? std::chrono::milliseconds(config->reload_interval)
                         : options.reload_interval;
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (config.has_value() && config->tls.has_value()) {
    credentials = TlsCredentials(*config->tls, reload_interval);
  }
  std::unique_ptr<TokenServer> server(
      new TokenServer(options, std::move(config), *std::move(keyring), audit));
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, credentials, &server->port_);
  builder.RegisterService(&server->service_);
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options.max_concurrent_streams);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                             static_cast<int>(options.max_connection_idle.count()));
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                             static_cast<int>(options.handshake_timeout.count()));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                             static_cast<int>(options.max_connection_age.count()));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             static_cast<int>(options.max_connection_age_grace.count()));
  // Keepalive: ping a quiet connection every 2 minutes and drop it if the
  // peer does not answer in 20 s (dead peers, half-open connections).
  // Clients may ping at most every 10 s, with or without calls; two pings
  // faster than that and the server closes the connection (ping floods).
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 120000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
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
  TokenServer* raw = server.get();
  server->watcher_ = std::thread([raw, reload_interval] { raw->WatchFiles(reload_interval); });
  return server;
}

absl::Status TokenServer::Reload() {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  std::string keyring_path = options_.keyring_path;
  std::shared_ptr<const CallerDirectory> callers;
  if (config_.has_value()) {
    absl::StatusOr<ServerConfig> config = LoadServerConfig(options_.config_path);
    metrics_.RecordConfigReload(config.ok());
    if (!config.ok()) return config.status();
    keyring_path = config->keyring_path;
    callers = config->callers;
  }
  absl::StatusOr<std::shared_ptr<const Keyring>> keyring = Keyring::LoadFile(keyring_path);
  metrics_.RecordKeyringReload(keyring.ok());
  if (!keyring.ok()) return keyring.status();
  keyring_.Set(*std::move(keyring));
  if (callers != nullptr) {
    callers_->Set(std::move(callers));
    config_->keyring_path = keyring_path;
  }
  return absl::OkStatus();
}

std::map<std::string, std::string> TokenServer::FileStamps() const {
  std::vector<std::string> files = keyring_.Get()->source_files();
  if (config_.has_value()) files.push_back(options_.config_path);
  std::map<std::string, std::string> stamps;
  for (const std::string& file : files) {
    struct stat st {};
    // A missing file is a change too (it may come back broken or fixed).
    stamps[file] = ::stat(file.c_str(), &st) != 0
                       ? "missing"
                       : absl::StrCat(st.st_dev, ":", st.st_ino, ":", st.st_size, ":",
                                      st.st_mtim.tv_sec, ".", st.st_mtim.tv_nsec);
  }
  return stamps;
}

void TokenServer::WatchFiles(std::chrono::milliseconds interval) {
  std::map<std::string, std::string> last = FileStamps();
  std::unique_lock<std::mutex> lock(watch_mutex_);
  while (!watch_stop_.wait_for(lock, interval, [this] { return watch_stopping_; })) {
    lock.unlock();
    std::map<std::string, std::string> now = FileStamps();
    if (now != last) {
      const absl::Status reloaded = Reload();
      LogReload(reloaded, "a watched file changed");
      now = FileStamps();  // the new keyring may name other files
    }
    last = std::move(now);
    lock.lock();
  }
}

void TokenServer::SetServing(bool serving) {
  server_->GetHealthCheckService()->SetServingStatus(serving);
  if (health_server_ != nullptr) health_server_->GetHealthCheckService()->SetServingStatus(serving);
}

void TokenServer::Shutdown() {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  // Load balancers and clients watching health stop sending first; before
  // anything else, so health never says SERVING once a drain has begun.
  SetServing(false);
  {
    std::lock_guard<std::mutex> lock(watch_mutex_);
    watch_stopping_ = true;
  }
  watch_stop_.notify_all();
  if (watcher_.joinable()) watcher_.join();
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
  if (audit_ != nullptr) audit_->Flush();
}

}  // namespace agora_token
