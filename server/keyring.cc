#include "server/keyring.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/input_rules.h"
#include "server/text_proto_file.h"

namespace agora_token {
namespace {

absl::Status KeyringError(const std::string& what) {
  return absl::InvalidArgumentError("keyring: " + what);
}

absl::StatusOr<std::string> ResolveCertificate(const agora::token::v1::CertificateSource& source,
                                               const std::string& field,
                                               const std::string& base_dir,
                                               std::vector<std::string>* files) {
  std::string value;
  switch (source.source_case()) {
    case agora::token::v1::CertificateSource::kValue:
      value = source.value();
      break;
    case agora::token::v1::CertificateSource::kPath: {
      const std::string full = ResolvePath(base_dir, source.path());
      files->push_back(full);
      absl::StatusOr<std::string> contents = ReadWholeFile(full);
      if (!contents.ok()) return KeyringError(absl::StrCat(field, ".path: cannot read ", full));
      value = std::string(absl::StripAsciiWhitespace(*contents));
      break;
    }
    default:
      return KeyringError(absl::StrCat(field, ": set value or path"));
  }
  if (!ValidateAppCertificate(value).ok()) {
    return KeyringError(absl::StrCat(field, ": must be 32 hexadecimal characters"));
  }
  return value;
}

// The app's key for one certificate source; errors name `field`.
absl::StatusOr<AppKey> LoadAppKey(const std::string& app_id,
                                  const agora::token::v1::CertificateSource& source,
                                  const std::string& field, const std::string& base_dir,
                                  std::vector<std::string>* files) {
  absl::StatusOr<std::string> certificate = ResolveCertificate(source, field, base_dir, files);
  if (!certificate.ok()) return certificate.status();
  absl::StatusOr<AppKey> key = AppKey::New({app_id, *certificate});
  if (!key.ok()) return KeyringError(field + ": invalid");
  return key;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Keyring>> Keyring::LoadFile(const std::string& path) {
  agora::token::v1::Keyring proto;
  if (absl::Status parsed = ParseTextProtoFile(path, &proto); !parsed.ok()) {
    return KeyringError(std::string(parsed.message()));
  }
  absl::StatusOr<std::shared_ptr<const Keyring>> keyring = FromProto(proto, DirectoryOf(path));
  if (!keyring.ok()) return keyring.status();
  auto with_sources = std::const_pointer_cast<Keyring>(*std::move(keyring));
  with_sources->source_files_.insert(with_sources->source_files_.begin(), path);
  return std::shared_ptr<const Keyring>(std::move(with_sources));
}

absl::StatusOr<std::shared_ptr<const Keyring>> Keyring::FromProto(
    const agora::token::v1::Keyring& proto, const std::string& base_dir) {
  auto keyring = std::make_shared<Keyring>();
  keyring->development_ = proto.development();
  for (int i = 0; i < proto.apps_size(); ++i) {
    const agora::token::v1::AppKey& app = proto.apps(i);
    const std::string field = absl::StrCat("apps[", i, "]");
    if (!ValidateAppId(app.app_id()).ok()) {
      return KeyringError(absl::StrCat(field, ".app_id: must be 32 hexadecimal characters"));
    }
    if (keyring->apps_.contains(app.app_id())) {
      return KeyringError(absl::StrCat(field, ".app_id: listed twice"));
    }
    if (!app.has_primary_certificate()) {
      return KeyringError(absl::StrCat(field, ".primary_certificate: required"));
    }
    absl::StatusOr<AppKey> primary =
        LoadAppKey(app.app_id(), app.primary_certificate(), field + ".primary_certificate",
                   base_dir, &keyring->source_files_);
    if (!primary.ok()) return primary.status();
    AppCertificates certificates{*std::move(primary), std::nullopt};
    if (app.has_secondary_certificate()) {
      absl::StatusOr<AppKey> secondary =
          LoadAppKey(app.app_id(), app.secondary_certificate(), field + ".secondary_certificate",
                     base_dir, &keyring->source_files_);
      if (!secondary.ok()) return secondary.status();
      certificates.secondary = *std::move(secondary);
    }
    keyring->apps_.emplace(app.app_id(), std::move(certificates));
  }
  if (keyring->apps_.empty()) return KeyringError("apps: at least one app is required");
  return std::shared_ptr<const Keyring>(std::move(keyring));
}

const AppCertificates* Keyring::Find(std::string_view app_id) const {
  auto it = apps_.find(absl::string_view(app_id.data(), app_id.size()));
  return it == apps_.end() ? nullptr : &it->second;
}

}  // namespace agora_token
