// The --config file (proto/agora/token/v1/server_config.proto) loaded and
// checked: paths resolved against the file's directory, the TLS files
// readable, the callers compiled. Every error names the bad field, as in
// "config: callers[1].policy.max_token_lifetime_seconds: must be 1 to 86400".
// Development mode has a config too (DevelopmentConfig): an open caller
// directory, no TLS and no audit log, so the rest of the server has one
// shape whatever the mode.
#ifndef AGORA_TOKEN_SERVER_SERVER_CONFIG_H_
#define AGORA_TOKEN_SERVER_SERVER_CONFIG_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "agora/token/v1/server_config.pb.h"
#include "server/callers.h"

namespace agora_token {

struct TlsFiles {
  std::string certificate_chain_path;
  std::string private_key_path;
  std::string client_ca_path;  // empty: no client certificates (API keys)
};

struct ServerConfig {
  std::string path;      // "" in development mode
  std::string base_dir;  // relative paths in the file are resolved here
  std::string keyring_path;
  std::string listen_address;  // "" means the --listen flag
  std::string http_listen_address;  // "" means the --http-listen flag
  // CORS and the drop-in routes' app (server/http/); empty in development.
  agora::token::v1::HttpConfig http;
  std::optional<TlsFiles> tls;
  std::shared_ptr<const CallerDirectory> callers;
  // Unset: no audit log (development mode only).
  std::optional<agora::token::v1::AuditLogConfig> audit_log;
  std::chrono::milliseconds reload_interval{std::chrono::seconds(5)};
};

absl::StatusOr<ServerConfig> LoadServerConfig(const std::string& path);

// Development mode: the keyring file, every call admitted, nothing audited.
ServerConfig DevelopmentConfig(const std::string& keyring_path,
                               std::chrono::milliseconds reload_interval);

// The first setting `next` changes that only a restart can apply (the
// listen addresses, TLS on or off, the TLS file paths), as
// FAILED_PRECONDITION naming the field; OK when there is none.
absl::Status CheckLiveChange(const ServerConfig& running, const ServerConfig& next);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_SERVER_CONFIG_H_
