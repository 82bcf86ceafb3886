#include "server/jwks.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace agora_token {
namespace {

constexpr size_t kMaxKeys = 64;
constexpr int kMinRsaBits = 2048;

struct ParamBuildDeleter {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamDeleter {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct BignumDeleter {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;

absl::Status Invalid(size_t index, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("keys[", index, "]: ", std::string(what)));
}

// A base64url member of a JWK, decoded; "" when missing or malformed.
std::string Base64UrlMember(const nlohmann::json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return "";
  std::string bytes;
  if (!absl::WebSafeBase64Unescape(it->get_ref<const std::string&>(), &bytes)) return "";
  return bytes;
}

std::shared_ptr<EVP_PKEY> Owned(EVP_PKEY* key) {
  return std::shared_ptr<EVP_PKEY>(key, [](EVP_PKEY* p) { EVP_PKEY_free(p); });
}

// A public key from OSSL_PARAMs, checked by OpenSSL (an EC point on the
// curve, a sane RSA modulus); null when it is not one.
std::shared_ptr<EVP_PKEY> FromData(const char* type, OSSL_PARAM_BLD* build) {
  std::unique_ptr<OSSL_PARAM, ParamDeleter> params(OSSL_PARAM_BLD_to_param(build));
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  std::shared_ptr<EVP_PKEY> key = Owned(raw);
  PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return key;
}

std::shared_ptr<EVP_PKEY> RsaKey(const std::string& n, const std::string& e) {
  std::unique_ptr<OSSL_PARAM_BLD, ParamBuildDeleter> build(OSSL_PARAM_BLD_new());
  std::unique_ptr<BIGNUM, BignumDeleter> modulus(BN_bin2bn(
      reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr));
  std::unique_ptr<BIGNUM, BignumDeleter> exponent(BN_bin2bn(
      reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr));
  if (build == nullptr || modulus == nullptr || exponent == nullptr ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    return nullptr;
  }
  return FromData("RSA", build.get());
}

std::shared_ptr<EVP_PKEY> P256Key(const std::string& x, const std::string& y) {
  std::string point = absl::StrCat("\x04", x, y);  // uncompressed SEC1 point
  std::unique_ptr<OSSL_PARAM_BLD, ParamBuildDeleter> build(OSSL_PARAM_BLD_new());
  if (build == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return nullptr;
  }
  return FromData("EC", build.get());
}

std::string StringMember(const nlohmann::json& jwk, const char* name) {
  auto it = jwk.find(name);
  return it != jwk.end() && it->is_string() ? it->get<std::string>() : "";
}

// The key of one JWK, or why it is refused; nullopt for a key that is not
// for us (another type, curve or use), which is skipped.
absl::StatusOr<std::optional<Jwk>> KeyOf(const nlohmann::json& jwk, size_t index) {
  if (!jwk.is_object()) return Invalid(index, "is not a JSON object");
  for (const char* secret : {"d", "p", "q", "dp", "dq", "qi", "k"}) {
    if (jwk.contains(secret)) {
      return Invalid(index, "holds private key material: publish only public keys");
    }
  }
  const std::string use = StringMember(jwk, "use");
  if (!use.empty() && use != "sig") return std::nullopt;
  const std::string kty = StringMember(jwk, "kty");
  const std::string crv = StringMember(jwk, "crv");
  Jwk key;
  key.kid = StringMember(jwk, "kid");
  if (kty == "RSA") {
    key.algorithm = JwtAlgorithm::kRs256;
    const std::string n = Base64UrlMember(jwk, "n"), e = Base64UrlMember(jwk, "e");
    if (n.empty() || e.empty()) return Invalid(index, "an RSA key needs base64url n and e");
    key.key = RsaKey(n, e);
    if (key.key == nullptr) return Invalid(index, "is not a valid RSA public key");
    if (EVP_PKEY_get_bits(key.key.get()) < kMinRsaBits) {
      return Invalid(index, "an RSA key must have at least 2048 bits");
    }
  } else if (kty == "EC" && crv == "P-256") {
    key.algorithm = JwtAlgorithm::kEs256;
    const std::string x = Base64UrlMember(jwk, "x"), y = Base64UrlMember(jwk, "y");
    if (x.size() != 32 || y.size() != 32) {
      return Invalid(index, "a P-256 key needs base64url x and y of 32 bytes each");
    }
    key.key = P256Key(x, y);
    if (key.key == nullptr) return Invalid(index, "is not a point on P-256");
  } else if (kty == "OKP" && crv == "Ed25519") {
    key.algorithm = JwtAlgorithm::kEdDsa;
    const std::string x = Base64UrlMember(jwk, "x");
    if (x.size() != 32) return Invalid(index, "an Ed25519 key needs a base64url x of 32 bytes");
    EVP_PKEY* raw = EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x.data()), x.size());
    if (raw == nullptr) return Invalid(index, "is not a valid Ed25519 public key");
    key.key = Owned(raw);
  } else {
    return std::nullopt;
  }
  // A key published for one algorithm is used for that one only.
  const std::string alg = StringMember(jwk, "alg");
  if (!alg.empty() && alg != JwtAlgorithmName(key.algorithm)) return std::nullopt;
  return key;
}

}  // namespace

std::string_view JwtAlgorithmName(JwtAlgorithm algorithm) {
  switch (algorithm) {
    case JwtAlgorithm::kRs256:
      return "RS256";
    case JwtAlgorithm::kEs256:
      return "ES256";
    case JwtAlgorithm::kEdDsa:
      return "EdDSA";
  }
  return "";
}

absl::StatusOr<std::shared_ptr<const Jwks>> Jwks::Parse(std::string_view json) {
  const nlohmann::json document = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    return absl::InvalidArgumentError("is not a JSON object");
  }
  auto keys = document.find("keys");
  if (keys == document.end() || !keys->is_array()) {
    return absl::InvalidArgumentError("needs a \"keys\" array");
  }
  if (keys->size() > kMaxKeys) {
    return absl::InvalidArgumentError(absl::StrCat("holds more than ", kMaxKeys, " keys"));
  }
  auto set = std::make_shared<Jwks>();
  for (size_t i = 0; i < keys->size(); ++i) {
    absl::StatusOr<std::optional<Jwk>> key = KeyOf((*keys)[i], i);
    if (!key.ok()) return key.status();
    if (!key->has_value()) continue;
    for (const Jwk& other : set->keys_) {
      if (other.kid == (*key)->kid && other.algorithm == (*key)->algorithm) {
        return Invalid(i, "has the kid of an earlier key for the same algorithm");
      }
    }
    set->keys_.push_back(**std::move(key));
  }
  if (set->keys_.empty()) {
    return absl::InvalidArgumentError("holds no RSA, P-256 or Ed25519 signing key");
  }
  return std::shared_ptr<const Jwks>(std::move(set));
}

const Jwk* Jwks::Find(std::string_view kid, JwtAlgorithm algorithm) const {
  const Jwk* found = nullptr;
  for (const Jwk& key : keys_) {
    if (key.algorithm != algorithm) continue;
    if (!kid.empty() && key.kid == kid) return &key;
    // Without a kid, only an unambiguous key is used.
    if (kid.empty()) {
      if (found != nullptr) return nullptr;
      found = &key;
    }
  }
  return found;
}

}  // namespace agora_token
