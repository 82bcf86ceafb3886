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

std::shared_ptr<grpc::ServerCredentials> TlsCredentials(const TlsFiles& files) {
  // gRPC re-reads the files every second, so rotated certificates take
  // effect without a restart; a broken new file keeps the old pair.
  constexpr unsigned int kRefreshSeconds = 1;
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      files.private_key_path, files.certificate_chain_path, files.client_ca_path, kRefreshSeconds);
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

// The config the options name, loaded and checked.
absl::StatusOr<ServerConfig> ConfigOf(const ServerOptions& options) {
  if (options.config_path.empty()) {
    return DevelopmentConfig(options.keyring_path, options.reload_interval);
  }
  return LoadServerConfig(options.config_path);
}

// Where the gRPC API listens: the config's listen_address, else --listen.
std::string ListenAddressOf(const ServerOptions& options, const ServerConfig& config) {
  return config.listen_address.empty() ? options.listen_address : config.listen_address;
}

// Where the HTTP API listens: the config's http_listen_address, else
// --http-listen; empty: no HTTP API.
std::string HttpListenAddressOf(const ServerOptions& options, const ServerConfig& config) {
  return config.http_listen_address.empty() ? options.http_listen_address
                                            : config.http_listen_address;
}

}  // namespace

absl::Status ServerOptions::Validate() const {
  if (max_batch_items == 0) return absl::InvalidArgumentError("--max_batch_items must be positive");
  if (max_request_bytes <= 0) {
    return absl::InvalidArgumentError("--max_request_bytes must be positive");
  }
  if (max_concurrent_streams <= 0) {
    return absl::InvalidArgumentError("--max_concurrent_streams must be positive");
  }
  if (http_max_connections <= 0) {
    return absl::InvalidArgumentError("--http_max_connections must be positive");
  }
  if (http_max_header_bytes < 1024) {
    return absl::InvalidArgumentError("--http_max_header_bytes must be at least 1024");
  }
  const std::pair<std::chrono::milliseconds, const char*> positive[] = {
      {http_header_timeout, "--http_header_timeout_ms"},
      {http_body_timeout, "--http_body_timeout_ms"},
      {http_idle_timeout, "--http_idle_timeout_ms"},
      {max_connection_idle, "--max_connection_idle_ms"},
      {handshake_timeout, "--handshake_timeout_ms"},
      {max_connection_age, "--max_connection_age_ms"},
      {max_connection_age_grace, "--max_connection_age_grace_ms"},
      {reload_interval, "reload_interval"}};
  for (const auto& [value, flag] : positive) {
    if (value.count() <= 0)
      return absl::InvalidArgumentError(absl::StrCat(flag, " must be positive"));
  }
  if (drain_timeout.count() < 0) {
    return absl::InvalidArgumentError("--drain_timeout_ms must not be negative");
  }
  if (shutdown_delay.count() < 0) {
    return absl::InvalidArgumentError("--shutdown_delay_ms must not be negative");
  }
  if (!config_path.empty() && !keyring_path.empty()) {
    return absl::InvalidArgumentError(
        "give the keyring in the config file (keyring_path), not also as --keyring");
  }
  if (config_path.empty() && keyring_path.empty()) {
    return absl::InvalidArgumentError("--keyring or --config is required");
  }
  return absl::OkStatus();
}

TokenServer::TokenServer(const ServerOptions& options)
    : options_(options),
      handler_options_{options.default_version, options.compression, options.max_batch_items},
      state_(nullptr),
      layer_(&state_, &rate_limits_, &metrics_,
             options.clock != nullptr ? options.clock : &system_clock_),
      service_(&layer_),
      http_api_(&layer_, &state_) {}

TokenServer::~TokenServer() { Shutdown(); }

void ApplyApiTransportOptions(const ServerOptions& options, grpc::ServerBuilder* builder) {
  builder->SetMaxReceiveMessageSize(options.max_request_bytes);
  builder->AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options.max_concurrent_streams);
  builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                              static_cast<int>(options.max_connection_idle.count()));
  builder->AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                              static_cast<int>(options.handshake_timeout.count()));
  builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                              static_cast<int>(options.max_connection_age.count()));
  builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                              static_cast<int>(options.max_connection_age_grace.count()));
  // Keepalive: ping a quiet connection every 2 minutes and drop it if the
  // peer does not answer in 20 s (dead peers, half-open connections).
  // Clients may ping at most every 10 s, with or without calls; two pings
  // faster than that and the server closes the connection (ping floods).
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 120000);
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder->AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder->AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
}

absl::StatusOr<std::unique_ptr<TokenServer>> TokenServer::BuildAndStart(
    const ServerOptions& options) {
  if (absl::Status valid = options.Validate(); !valid.ok()) return valid;
  absl::StatusOr<ServerConfig> config = ConfigOf(options);
  if (!config.ok()) return config.status();
  const std::string listen_address = ListenAddressOf(options, *config);
  if (options.config_path.empty() && !IsLoopback(listen_address)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing to serve without TLS and caller authentication on ", listen_address,
        ": give a --config with tls and callers (see deploy/k8s/base/config.textproto), "
        "or listen on a loopback address (127.0.0.1, ::1) for development"));
  }
  if (!config->tls.has_value() && !IsLoopback(listen_address)) {
    return absl::FailedPreconditionError(
        absl::StrCat("config: tls: required to serve on ", listen_address,
                     " (plaintext is allowed on loopback addresses only)"));
  }
  const std::string http_address = HttpListenAddressOf(options, *config);
  if (!http_address.empty() && !config->tls.has_value() && !IsLoopback(http_address)) {
    return absl::FailedPreconditionError(absl::StrCat(
        options.config_path.empty() ? "refusing to serve plaintext HTTP without --config on "
                                    : "config: tls: required to serve HTTP on ",
        http_address, " (plaintext is allowed on loopback addresses only)"));
  }
  std::optional<TlsFiles> tls_files = config->tls;
  std::shared_ptr<grpc::ServerCredentials> credentials =
      config->tls.has_value() ? TlsCredentials(*config->tls) : grpc::InsecureServerCredentials();
  std::unique_ptr<TokenServer> server(new TokenServer(options));
  absl::StatusOr<std::shared_ptr<const ServingState>> state =
      BuildServingState(*std::move(config), server->handler_options_, nullptr, &server->metrics_);
  if (!state.ok()) return state.status();
  server->metrics_.RecordKeyringLoaded();
  server->rate_limits_.Adopt((*state)->callers().RateLimitsByCaller(), RateLimits::Clock::now(),
                             (*state)->callers().RateLimitsByEndUserPrefix());
  server->state_.Set(*std::move(state));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen_address, credentials, &server->port_);
  builder.RegisterService(&server->service_);
  ApplyApiTransportOptions(options, &builder);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen_address));
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
  if (!http_address.empty()) {
    HttpServerOptions http;
    http.listen_address = http_address;
    http.tls = tls_files;
    http.max_body_bytes = static_cast<size_t>(options.max_request_bytes);
    http.max_header_bytes = static_cast<uint32_t>(options.http_max_header_bytes);
    http.header_timeout = options.http_header_timeout;
    http.body_timeout = options.http_body_timeout;
    http.idle_timeout = options.http_idle_timeout;
    http.max_connections = options.http_max_connections;
    absl::StatusOr<std::unique_ptr<HttpServer>> started =
        HttpServer::Start(http, &server->http_api_);
    if (!started.ok()) return started.status();
    server->http_ = *std::move(started);
  }
  if (!options.metrics_listen_address.empty()) {
    absl::StatusOr<std::unique_ptr<MetricsHttpServer>> metrics =
        MetricsHttpServer::Start(options.metrics_listen_address, &server->metrics_);
    if (!metrics.ok()) return metrics.status();
    server->metrics_http_ = *std::move(metrics);
  }
  server->SetServing(true);
  TokenServer* raw = server.get();
  server->watcher_ = std::thread([raw] { raw->WatchFiles(); });
  return server;
}

absl::Status TokenServer::BuildAndSwap() {
  const std::shared_ptr<const ServingState> running = state_.Get();
  absl::StatusOr<ServerConfig> config = ConfigOf(options_);
  if (!options_.config_path.empty()) metrics_.RecordConfigReload(config.ok());
  if (!config.ok()) return config.status();
  if (absl::Status live = CheckLiveChange(running->config, *config); !live.ok()) return live;
  absl::StatusOr<std::shared_ptr<const ServingState>> next =
      BuildServingState(*std::move(config), handler_options_, running.get(), &metrics_);
  if (!next.ok()) return next.status();
  // Buckets move to the new limits, settled at the old ones up to now.
  rate_limits_.Adopt((*next)->callers().RateLimitsByCaller(), RateLimits::Clock::now(),
                     (*next)->callers().RateLimitsByEndUserPrefix());
  const std::shared_ptr<AuditLog> previous_audit = running->audit;
  const bool audit_moved = (*next)->audit != previous_audit;
  state_.Set(*std::move(next));
  // Decisions before the reload reach the old destination before it returns
  // (the old state, and its log, may outlive the swap a while).
  if (audit_moved) previous_audit->Flush();
  return absl::OkStatus();
}

absl::Status TokenServer::Reload(std::string_view why) {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  const absl::Status status = BuildAndSwap();
  metrics_.RecordReload(status.ok());
  if (status.ok()) {
    Log(LogLevel::kInfo, "reloaded the serving state", {{"why", std::string(why)}});
  } else {
    Log(LogLevel::kError, "reload refused; the previous state keeps serving",
        {{"why", std::string(why)}, {"error", std::string(status.message())}});
  }
  return status;
}

std::map<std::string, std::string> TokenServer::FileStamps() const {
  std::map<std::string, std::string> stamps;
  for (const std::string& file : state_.Get()->WatchedFiles()) {
    struct stat st {};
    // A missing file is a change too (it may come back broken or fixed).
    stamps[file] = ::stat(file.c_str(), &st) != 0
                       ? "missing"
                       : absl::StrCat(st.st_dev, ":", st.st_ino, ":", st.st_size, ":",
                                      st.st_mtim.tv_sec, ".", st.st_mtim.tv_nsec);
  }
  return stamps;
}

void TokenServer::WatchFiles() {
  std::map<std::string, std::string> last = FileStamps();
  std::unique_lock<std::mutex> lock(watch_mutex_);
  // The interval is the state's, so a reload that changes it applies.
  while (!watch_stop_.wait_for(lock, state_.Get()->config.reload_interval,
                               [this] { return watch_stopping_; })) {
    lock.unlock();
    std::map<std::string, std::string> now = FileStamps();
    if (now != last) {
      Reload("a watched file changed").IgnoreError();  // Reload logs and counts the outcome
      now = FileStamps();                              // the new state may name other files
    }
    last = std::move(now);
    lock.lock();
  }
}

void TokenServer::SetServing(bool serving) {
  if (!serving) http_api_.SetDraining();
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
  // HTTP drains alongside: no new connections, idle ones closed, requests
  // in progress finish.
  std::thread http_drain([&] {
    if (http_ != nullptr) http_->Drain(deadline);
  });
  // gRPC 1.51 also waits out the deadline for idle client connections.
  // Once no call has been running for a few polls, nothing is left to drain:
  // close those connections so the process exits promptly.
  constexpr auto kPoll = std::chrono::milliseconds(10);
  constexpr int kQuietPolls = 5;
  int quiet = 0;
  while (!done && std::chrono::system_clock::now() < deadline) {
    quiet = layer_.in_flight() == 0 ? quiet + 1 : 0;
    if (quiet >= kQuietPolls) {
      grpc_server_cancel_all_calls(server_->c_server());
      break;
    }
    std::this_thread::sleep_for(kPoll);
  }
  drain.join();
  http_drain.join();
  if (health_server_ != nullptr) health_server_->Shutdown(std::chrono::system_clock::now());
  metrics_http_.reset();
  state_.Get()->audit->Flush();
}

}  // namespace agora_token
