// Test-only identity provider: signing keys generated in-process with
// OpenSSL when a test runs (no private key is committed), their public JWK
// Sets, and JWTs signed with them, well-formed or deliberately broken.
#ifndef AGORA_TOKEN_TESTS_SERVER_TEST_JWT_H_
#define AGORA_TOKEN_TESTS_SERVER_TEST_JWT_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

typedef struct evp_pkey_st EVP_PKEY;

namespace agora_token_server_test {

std::string Base64Url(std::string_view bytes);

class TestJwtKey {
 public:
  // "RS256" (RSA 2048), "ES256" (P-256) or "EdDSA" (Ed25519).
  TestJwtKey(std::string alg, std::string kid);

  const std::string& alg() const { return alg_; }
  const std::string& kid() const { return kid_; }
  // The public key as a JWK.
  nlohmann::json Jwk() const;
  // The public key as PEM (SubjectPublicKeyInfo): what an HS256 forgery
  // uses as its HMAC key.
  std::string PublicPem() const;
  // The JWS signature of `signed_part` (ES256 as r || s).
  std::string Sign(std::string_view signed_part) const;
  // A JWT of `claims`, its header {alg, kid, typ} plus `extra_header`.
  std::string Token(const nlohmann::json& claims,
                    const nlohmann::json& extra_header = nlohmann::json::object()) const;

 private:
  std::string alg_, kid_;
  std::shared_ptr<EVP_PKEY> key_;
};

// A JWK Set document of `keys`.
std::string JwksOf(const std::vector<const TestJwtKey*>& keys);

// header.payload.signature from JSON parts, the signature given.
std::string JwtOf(const nlohmann::json& header, const nlohmann::json& claims,
                  std::string_view signature);

}  // namespace agora_token_server_test

#endif  // AGORA_TOKEN_TESTS_SERVER_TEST_JWT_H_
