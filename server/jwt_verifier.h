// Verifies the JWTs (OIDC ID tokens) of trusted issuers with OpenSSL EVP and
// nlohmann-json; no hand-written crypto. A token is accepted when it is at
// most kMaxJwtBytes, its header names an algorithm its issuer allows and a
// key of the issuer's JWK Set that verifies its signature, and its claims
// name the issuer (`iss`), one of its audiences (`aud`), a subject (`sub`,
// 1 to 255 bytes), and times that hold at `now` within the leeway: `exp`
// (required) not passed, `nbf` and `iat` not in the future. Every refusal is
// UNAUTHENTICATED; its message is the reason, for the server log and the
// audit line only, and never contains the token.
#ifndef AGORA_TOKEN_SERVER_JWT_VERIFIER_H_
#define AGORA_TOKEN_SERVER_JWT_VERIFIER_H_

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "server/jwks.h"
#include "server/jwks_fetcher.h"

namespace agora_token {

inline constexpr size_t kMaxJwtBytes = 8192;

// What one trusted issuer's tokens must satisfy.
struct JwtIssuer {
  std::string issuer;
  std::vector<std::string> audiences;
  std::vector<JwtAlgorithm> algorithms;
  uint32_t leeway_seconds = 0;
  // The keys: a fixed set (jwks_path), or the fetcher of jwks_uri.
  std::shared_ptr<const Jwks> jwks;
  std::shared_ptr<JwksFetcher> fetcher;
};

// A JWT whose signature and claims were checked: only VerifyJwt makes one,
// so code that takes a VerifiedJwt cannot forget to verify.
class VerifiedJwt {
 public:
  const JwtIssuer& issuer() const { return *issuer_; }
  const std::string& subject() const { return subject_; }
  const nlohmann::json& claims() const { return claims_; }

 private:
  friend absl::StatusOr<VerifiedJwt> VerifyJwt(std::string_view token,
                                               const std::vector<JwtIssuer>& issuers,
                                               int64_t now_unix_seconds);
  VerifiedJwt() = default;

  const JwtIssuer* issuer_ = nullptr;
  std::string subject_;
  nlohmann::json claims_;
};

// Whether an `authorization: Bearer` value is meant as a JWT: three
// base64url segments, the first starting as a JSON object does ("eyJ").
// API keys never look like that, so each kind of credential is verified as
// what it is.
bool LooksLikeJwt(std::string_view value);

// The token verified against the issuer its `iss` names. `issuers` must
// outlive the result.
absl::StatusOr<VerifiedJwt> VerifyJwt(std::string_view token, const std::vector<JwtIssuer>& issuers,
                                      int64_t now_unix_seconds);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_JWT_VERIFIER_H_
