// Lets the AppCredentials overloads of the builders validate the
// credentials once and reuse the AppKey overloads.
#ifndef AGORA_TOKEN_CORE_APP_KEY_INTERNAL_H_
#define AGORA_TOKEN_CORE_APP_KEY_INTERNAL_H_

#include "core/token.h"

namespace agora_token {

template <typename Build>
absl::StatusOr<BuiltToken> WithAppKey(const AppCredentials& app, Build&& build) {
  absl::StatusOr<AppKey> key = AppKey::New(app);
  if (!key.ok()) return key.status();
  return build(*key);
}

}  // namespace agora_token

#endif  // AGORA_TOKEN_CORE_APP_KEY_INTERNAL_H_
