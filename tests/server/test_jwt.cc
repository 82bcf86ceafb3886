#include "tests/server/test_jwt.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <stdexcept>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace agora_token_server_test {
namespace {

std::string BignumParam(EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error(name);
  std::string out(pad > 0 ? static_cast<size_t>(pad) : static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return out;
}

}  // namespace

std::string Base64Url(std::string_view bytes) {
  std::string out;
  absl::WebSafeBase64Escape(absl::string_view(bytes.data(), bytes.size()), &out);
  return out;
}

TestJwtKey::TestJwtKey(std::string alg, std::string kid)
    : alg_(std::move(alg)), kid_(std::move(kid)) {
  EVP_PKEY* raw = nullptr;
  if (alg_ == "RS256") {
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
  } else if (alg_ == "ES256") {
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  } else {
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  }
  if (raw == nullptr) throw std::runtime_error("keygen failed");
  key_.reset(raw, EVP_PKEY_free);
}

nlohmann::json TestJwtKey::Jwk() const {
  nlohmann::json jwk = {{"kid", kid_}, {"use", "sig"}, {"alg", alg_}};
  if (alg_ == "RS256") {
    jwk["kty"] = "RSA";
    jwk["n"] = Base64Url(BignumParam(key_.get(), OSSL_PKEY_PARAM_RSA_N));
    jwk["e"] = Base64Url(BignumParam(key_.get(), OSSL_PKEY_PARAM_RSA_E));
  } else if (alg_ == "ES256") {
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] = Base64Url(BignumParam(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32));
    jwk["y"] = Base64Url(BignumParam(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32));
  } else {
    jwk["kty"] = "OKP";
    jwk["crv"] = "Ed25519";
    std::string x(32, '\0');
    size_t size = x.size();
    EVP_PKEY_get_raw_public_key(key_.get(), reinterpret_cast<unsigned char*>(x.data()), &size);
    jwk["x"] = Base64Url(x);
  }
  return jwk;
}

std::string TestJwtKey::PublicPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key_.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  return pem;
}

std::string TestJwtKey::Sign(std::string_view signed_part) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* digest = alg_ == "EdDSA" ? nullptr : EVP_sha256();
  size_t size = 0;
  EVP_DigestSignInit(ctx, nullptr, digest, nullptr, key_.get());
  const auto* data = reinterpret_cast<const unsigned char*>(signed_part.data());
  EVP_DigestSign(ctx, nullptr, &size, data, signed_part.size());
  std::string signature(size, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &size, data,
                 signed_part.size());
  EVP_MD_CTX_free(ctx);
  signature.resize(size);
  if (alg_ != "ES256") return signature;
  // DER ECDSA-Sig-Value -> r || s, 32 bytes each.
  const auto* der = reinterpret_cast<const unsigned char*>(signature.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size()));
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return raw;
}

std::string TestJwtKey::Token(const nlohmann::json& claims,
                              const nlohmann::json& extra_header) const {
  nlohmann::json header = {{"alg", alg_}, {"kid", kid_}, {"typ", "JWT"}};
  header.update(extra_header);
  const std::string signed_part =
      absl::StrCat(Base64Url(header.dump()), ".", Base64Url(claims.dump()));
  return absl::StrCat(signed_part, ".", Base64Url(Sign(signed_part)));
}

std::string JwksOf(const std::vector<const TestJwtKey*>& keys) {
  nlohmann::json set = {{"keys", nlohmann::json::array()}};
  for (const TestJwtKey* key : keys) set["keys"].push_back(key->Jwk());
  return set.dump();
}

std::string JwtOf(const nlohmann::json& header, const nlohmann::json& claims,
                  std::string_view signature) {
  return absl::StrCat(Base64Url(header.dump()), ".", Base64Url(claims.dump()), ".",
                      Base64Url(signature));
}

}  // namespace agora_token_server_test
