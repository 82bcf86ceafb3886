#include "server/serving_state.h"

#include "server/text_proto_file.h"

namespace agora_token {
namespace {

// The file an audit config writes to; "" for standard output.
std::string AuditPathOf(const agora::token::v1::AuditLogConfig& audit,
                        const std::string& base_dir) {
  return audit.destination_case() == agora::token::v1::AuditLogConfig::kPath
             ? ResolvePath(base_dir, audit.path())
             : "";
}

absl::StatusOr<std::shared_ptr<AuditLog>> AuditLogFor(const ServerConfig& config,
                                                      const ServingState* previous,
                                                      Metrics* metrics) {
  if (!config.audit_log.has_value()) return AuditLog::Disabled();
  if (previous != nullptr && previous->audit->enabled() &&
      previous->audit->path() == AuditPathOf(*config.audit_log, config.base_dir)) {
    previous->audit->Reopen();
    return previous->audit;
  }
  return AuditLog::Open(*config.audit_log, config.base_dir, metrics);
}

}  // namespace

std::vector<std::string> ServingState::WatchedFiles() const {
  std::vector<std::string> files = keyring->source_files();
  for (std::string& jwks : callers().JwksFiles()) files.push_back(std::move(jwks));
  if (!config.path.empty()) files.push_back(config.path);
  return files;
}

absl::StatusOr<std::shared_ptr<const ServingState>> BuildServingState(ServerConfig config,
                                                                      const HandlerOptions& options,
                                                                      const ServingState* previous,
                                                                      Metrics* metrics) {
  absl::StatusOr<std::shared_ptr<const Keyring>> keyring = Keyring::LoadFile(config.keyring_path);
  if (metrics != nullptr && previous != nullptr) metrics->RecordKeyringReload(keyring.ok());
  if (!keyring.ok()) return keyring.status();
  absl::StatusOr<std::shared_ptr<AuditLog>> audit = AuditLogFor(config, previous, metrics);
  if (!audit.ok()) return audit.status();
  auto state = std::make_shared<ServingState>();
  state->config = std::move(config);
  state->keyring = *std::move(keyring);
  state->audit = *std::move(audit);
  state->options = options;
  return std::shared_ptr<const ServingState>(std::move(state));
}

}  // namespace agora_token
