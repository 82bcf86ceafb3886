// The --config file (proto/agora/token/v1/server_config.proto) loaded and
// checked: paths resolved against the file's directory, the TLS files
// readable, the callers compiled. Every error names the bad field, as in
// "config: callers[1].policy.max_token_lifetime_seconds: must be 1 to 86400".
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
  std::string path;
  std::string base_dir;  // relative paths in the file are resolved here
  std::string keyring_path;
  std::optional<TlsFiles> tls;
  std::shared_ptr<const CallerDirectory> callers;
  agora::token::v1::AuditLogConfig audit_log;
  std::chrono::seconds reload_interval{5};
};

absl::StatusOr<ServerConfig> LoadServerConfig(const std::string& path);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_SERVER_CONFIG_H_
