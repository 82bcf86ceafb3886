#include "core/input_rules.h"
#include "core/token.h"

namespace agora_token {

absl::StatusOr<AppKey> AppKey::New(const AppCredentials& credentials) {
  absl::Status status = ValidateAppId(credentials.app_id);
  if (!status.ok()) return status;
  status = ValidateAppCertificate(credentials.app_certificate);
  if (!status.ok()) return status;
  return AppKey(credentials.app_id, credentials.app_certificate);
}

}  // namespace agora_token
