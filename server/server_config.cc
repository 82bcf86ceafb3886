#include "server/server_config.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/text_proto_file.h"

namespace agora_token {
namespace {

// A PEM file that exists and looks like PEM; gRPC parses it for real.
absl::StatusOr<std::string> PemFile(const std::string& base_dir, const std::string& path,
                                    std::string_view field) {
  if (path.empty()) return ConfigError(field, "required");
  const std::string full = ResolvePath(base_dir, path);
  absl::StatusOr<std::string> contents = ReadWholeFile(full);
  if (!contents.ok()) return ConfigError(field, absl::StrCat("cannot read ", full));
  if (!absl::StrContains(*contents, "-----BEGIN ")) {
    return ConfigError(field, absl::StrCat(full, " is not a PEM file"));
  }
  return full;
}

}  // namespace

absl::StatusOr<ServerConfig> LoadServerConfig(const std::string& path) {
  agora::token::v1::ServerConfig proto;
  if (absl::Status parsed = ParseTextProtoFile(path, &proto); !parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", parsed.message()));
  }
  ServerConfig config;
  config.path = path;
  config.base_dir = DirectoryOf(path);
  if (proto.keyring_path().empty()) return ConfigError("keyring_path", "required");
  config.keyring_path = ResolvePath(config.base_dir, proto.keyring_path());
  if (proto.has_tls()) {
    const agora::token::v1::TlsConfig& tls = proto.tls();
    TlsFiles files;
    absl::StatusOr<std::string> chain =
        PemFile(config.base_dir, tls.certificate_chain_path(), "tls.certificate_chain_path");
    if (!chain.ok()) return chain.status();
    absl::StatusOr<std::string> key =
        PemFile(config.base_dir, tls.private_key_path(), "tls.private_key_path");
    if (!key.ok()) return key.status();
    files.certificate_chain_path = *chain;
    files.private_key_path = *key;
    if (!tls.client_ca_path().empty()) {
      absl::StatusOr<std::string> ca =
          PemFile(config.base_dir, tls.client_ca_path(), "tls.client_ca_path");
      if (!ca.ok()) return ca.status();
      files.client_ca_path = *ca;
    }
    config.tls = std::move(files);
  }
  const bool mtls = config.tls.has_value() && !config.tls->client_ca_path.empty();
  absl::StatusOr<std::shared_ptr<const CallerDirectory>> callers =
      CallerDirectory::FromProto(proto, mtls, config.base_dir);
  if (!callers.ok()) return callers.status();
  config.callers = *std::move(callers);
  if (proto.audit_log().destination_case() == agora::token::v1::AuditLogConfig::kPath &&
      proto.audit_log().path().empty()) {
    return ConfigError("audit_log.path", "must not be empty");
  }
  config.audit_log = proto.audit_log();
  config.listen_address = proto.listen_address();
  config.http_listen_address = proto.http_listen_address();
  config.http = proto.http();
  const agora::token::v1::CorsConfig& cors = config.http.cors();
  for (int i = 0; i < cors.allowed_origins_size(); ++i) {
    const std::string& origin = cors.allowed_origins(i);
    const std::string field = absl::StrCat("http.cors.allowed_origins[", i, "]");
    if (origin == "*") {
      if (cors.allow_credentials()) {
        return ConfigError(field, "\"*\" cannot be combined with allow_credentials");
      }
      continue;
    }
    // An origin is scheme://host[:port]: a path or a trailing slash never
    // matches what a browser sends.
    const size_t scheme = origin.find("://");
    if ((!absl::StartsWith(origin, "https://") && !absl::StartsWith(origin, "http://")) ||
        origin.find('/', scheme + 3) != std::string::npos || origin.size() == scheme + 3) {
      return ConfigError(field, "must be scheme://host[:port], e.g. https://app.example.com");
    }
  }
  if (cors.max_age_seconds() > 86400) {
    return ConfigError("http.cors.max_age_seconds", "must be 0 (600 seconds) to 86400");
  }
  if (proto.reload_interval_seconds() > 3600) {
    return ConfigError("reload_interval_seconds", "must be 0 (5 seconds) to 3600");
  }
  if (proto.reload_interval_seconds() != 0) {
    config.reload_interval = std::chrono::seconds(proto.reload_interval_seconds());
  }
  return config;
}

ServerConfig DevelopmentConfig(const std::string& keyring_path,
                               std::chrono::milliseconds reload_interval) {
  ServerConfig config;
  config.keyring_path = keyring_path;
  config.callers = CallerDirectory::Open();
  config.reload_interval = reload_interval;
  return config;
}

absl::Status CheckLiveChange(const ServerConfig& running, const ServerConfig& next) {
  auto needs_restart = [](std::string_view field) {
    return absl::FailedPreconditionError(absl::StrCat(
        "config: ", std::string(field), ": changing it needs a restart; the reload was refused"));
  };
  if (next.listen_address != running.listen_address) return needs_restart("listen_address");
  if (next.http_listen_address != running.http_listen_address) {
    return needs_restart("http_listen_address");
  }
  if (next.tls.has_value() != running.tls.has_value()) return needs_restart("tls");
  if (!next.tls.has_value()) return absl::OkStatus();
  // gRPC watches the files at these paths (their contents reload live).
  if (next.tls->certificate_chain_path != running.tls->certificate_chain_path) {
    return needs_restart("tls.certificate_chain_path");
  }
  if (next.tls->private_key_path != running.tls->private_key_path) {
    return needs_restart("tls.private_key_path");
  }
  if (next.tls->client_ca_path != running.tls->client_ca_path) {
    return needs_restart("tls.client_ca_path");
  }
  return absl::OkStatus();
}

}  // namespace agora_token
