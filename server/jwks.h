// An identity provider's public keys: a JWK Set (RFC 7517) parsed into
// OpenSSL EVP_PKEYs once, when the config loads, so verifying a JWT only
// looks a key up. Only public signing keys are kept: RSA (2048 bits or
// more), EC P-256 and OKP Ed25519; other keys are skipped, and a set that
// holds private key material is refused (it was published by mistake).
#ifndef AGORA_TOKEN_SERVER_JWKS_H_
#define AGORA_TOKEN_SERVER_JWKS_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace agora_token {

// The JWS algorithms the server can verify (never `none` or HMAC).
enum class JwtAlgorithm { kRs256, kEs256, kEdDsa };

// "RS256", "ES256", "EdDSA": the JWS `alg` names.
std::string_view JwtAlgorithmName(JwtAlgorithm algorithm);

struct Jwk {
  std::string kid;  // "" when the key has none
  JwtAlgorithm algorithm;
  std::shared_ptr<EVP_PKEY> key;
};

class Jwks {
 public:
  // A JWK Set document; INVALID_ARGUMENT saying what is wrong (never a key).
  static absl::StatusOr<std::shared_ptr<const Jwks>> Parse(std::string_view json);

  // The key that may verify a token with this `kid` (empty: the token names
  // none, which only a set of exactly one key for `algorithm` answers) and
  // algorithm; null when there is none.
  const Jwk* Find(std::string_view kid, JwtAlgorithm algorithm) const;

  size_t size() const { return keys_.size(); }

 private:
  std::vector<Jwk> keys_;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_JWKS_H_
