#include "server/keyring.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/input_rules.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace agora_token {
namespace {

absl::Status KeyringError(const std::string& what) {
  return absl::InvalidArgumentError("keyring: " + what);
}

// Collects the first parse error by position only: protobuf's messages may
// quote the offending token, which could be a certificate.
class PositionOnlyErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string&) override {
    if (first_.empty()) first_ = absl::StrCat("syntax error at line ", line + 1, ", column ", column + 1);
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

absl::StatusOr<std::string> ResolveCertificate(const agora::token::v1::CertificateSource& source,
                                               const std::string& field,
                                               const std::string& base_dir) {
  std::string value;
  switch (source.source_case()) {
    case agora::token::v1::CertificateSource::kValue:
      value = source.value();
      break;
    case agora::token::v1::CertificateSource::kPath: {
      const std::string& path = source.path();
      const std::string full = !path.empty() && path[0] == '/' ? path : base_dir + "/" + path;
      absl::StatusOr<std::string> contents = ReadFile(full);
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
                                  const std::string& field, const std::string& base_dir) {
  absl::StatusOr<std::string> certificate = ResolveCertificate(source, field, base_dir);
  if (!certificate.ok()) return certificate.status();
  absl::StatusOr<AppKey> key = AppKey::New({app_id, *certificate});
  if (!key.ok()) return KeyringError(field + ": invalid");
  return key;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Keyring>> Keyring::LoadFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return KeyringError(std::string(text.status().message()));
  agora::token::v1::Keyring proto;
  google::protobuf::TextFormat::Parser parser;
  PositionOnlyErrors errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(*text, &proto)) {
    return KeyringError(absl::StrCat(path, ": ", errors.first()));
  }
  const size_t slash = path.rfind('/');
  return FromProto(proto, slash == std::string::npos ? "." : path.substr(0, slash));
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
    absl::StatusOr<AppKey> primary = LoadAppKey(app.app_id(), app.primary_certificate(),
                                                field + ".primary_certificate", base_dir);
    if (!primary.ok()) return primary.status();
    AppCertificates certificates{*std::move(primary), std::nullopt};
    if (app.has_secondary_certificate()) {
      absl::StatusOr<AppKey> secondary = LoadAppKey(app.app_id(), app.secondary_certificate(),
                                                    field + ".secondary_certificate", base_dir);
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
