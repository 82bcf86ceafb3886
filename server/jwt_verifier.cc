#include "server/jwt_verifier.h"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <algorithm>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace agora_token {
namespace {

// Decoded sizes; the token's own limit bounds them too, these keep a
// header from being most of it.
constexpr size_t kMaxHeaderBytes = 1024;
constexpr size_t kMaxSubjectBytes = 255;

absl::Status Refused(std::string_view reason) {
  return absl::UnauthenticatedError(std::string(reason));
}

bool IsBase64Url(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

struct Segments {
  std::string_view header, payload, signature;
};

std::optional<Segments> Split(std::string_view token) {
  const size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  Segments segments{token.substr(0, first), token.substr(first + 1, second - first - 1),
                    token.substr(second + 1)};
  if (!IsBase64Url(segments.header) || !IsBase64Url(segments.payload) ||
      !IsBase64Url(segments.signature)) {
    return std::nullopt;
  }
  return segments;
}

std::optional<nlohmann::json> JsonObjectOf(std::string_view base64url) {
  std::string text;
  if (!absl::WebSafeBase64Unescape(absl::string_view(base64url.data(), base64url.size()), &text)) {
    return std::nullopt;
  }
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return json;
}

std::optional<JwtAlgorithm> AlgorithmNamed(std::string_view name) {
  for (JwtAlgorithm algorithm :
       {JwtAlgorithm::kRs256, JwtAlgorithm::kEs256, JwtAlgorithm::kEdDsa}) {
    if (JwtAlgorithmName(algorithm) == name) return algorithm;
  }
  return std::nullopt;
}

// JWS ES256 signatures are r || s (32 bytes each); OpenSSL verifies DER.
std::optional<std::string> EcdsaDer(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int size = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (size <= 0) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(size));
  OPENSSL_free(der);
  return out;
}

bool SignatureVerifies(const Jwk& key, std::string_view signed_part, std::string_view signature) {
  std::string der;
  if (key.algorithm == JwtAlgorithm::kEs256) {
    std::optional<std::string> converted = EcdsaDer(signature);
    if (!converted.has_value()) return false;
    der = *std::move(converted);
    signature = der;
  }
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  // Ed25519 hashes internally: no digest of its own.
  const EVP_MD* digest = key.algorithm == JwtAlgorithm::kEdDsa ? nullptr : EVP_sha256();
  return ctx != nullptr &&
         EVP_DigestVerifyInit(ctx.get(), nullptr, digest, nullptr, key.key.get()) == 1 &&
         EVP_DigestVerify(
             ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
             reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
}

bool AudienceMatches(const nlohmann::json& aud, const std::vector<std::string>& accepted) {
  auto accepts = [&](const nlohmann::json& value) {
    return value.is_string() && std::find(accepted.begin(), accepted.end(),
                                          value.get_ref<const std::string&>()) != accepted.end();
  };
  if (aud.is_string()) return accepts(aud);
  return aud.is_array() && std::any_of(aud.begin(), aud.end(), accepts);
}

// A NumericDate claim: absent, a number, or the wrong type.
enum class TimeClaim { kAbsent, kPresent, kWrongType };
TimeClaim ReadTime(const nlohmann::json& claims, const char* name, double* value) {
  auto it = claims.find(name);
  if (it == claims.end()) return TimeClaim::kAbsent;
  if (!it->is_number()) return TimeClaim::kWrongType;
  *value = it->get<double>();
  return TimeClaim::kPresent;
}

}  // namespace

bool LooksLikeJwt(std::string_view value) {
  return value.substr(0, 3) == "eyJ" && Split(value).has_value();
}

absl::StatusOr<VerifiedJwt> VerifyJwt(std::string_view token, const std::vector<JwtIssuer>& issuers,
                                      int64_t now_unix_seconds) {
  if (token.size() > kMaxJwtBytes) {
    return Refused(absl::StrCat("the JWT is longer than ", kMaxJwtBytes, " bytes"));
  }
  const std::optional<Segments> segments = Split(token);
  if (!segments.has_value()) return Refused("the JWT is not three base64url segments");
  if (segments->header.size() > kMaxHeaderBytes * 4 / 3 + 4) {
    return Refused("the JWT header is too large");
  }
  const std::optional<nlohmann::json> header = JsonObjectOf(segments->header);
  if (!header.has_value()) return Refused("the JWT header is not a base64url JSON object");
  std::optional<nlohmann::json> claims = JsonObjectOf(segments->payload);
  if (!claims.has_value()) return Refused("the JWT payload is not a base64url JSON object");

  // The issuer is chosen by the unverified `iss`; nothing else of the
  // payload is read before the signature verifies.
  auto iss = claims->find("iss");
  if (iss == claims->end() || !iss->is_string()) return Refused("the JWT has no string iss");
  auto issuer = std::find_if(issuers.begin(), issuers.end(), [&](const JwtIssuer& candidate) {
    return candidate.issuer == iss->get_ref<const std::string&>();
  });
  if (issuer == issuers.end()) return Refused("the JWT's issuer is not trusted");

  auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string()) return Refused("the JWT header has no alg");
  const std::optional<JwtAlgorithm> algorithm = AlgorithmNamed(alg->get_ref<const std::string&>());
  if (!algorithm.has_value() || std::find(issuer->algorithms.begin(), issuer->algorithms.end(),
                                          *algorithm) == issuer->algorithms.end()) {
    // Covers "none" and HMAC, which no issuer may allow: logged by name only
    // when it is a JWS algorithm name, never as whatever the header says.
    const std::string& name = alg->get_ref<const std::string&>();
    const bool known = name == "none" || name == "HS256" || name == "HS384" || name == "HS512" ||
                       algorithm.has_value();
    return Refused(absl::StrCat("the JWT's alg ", known ? name : "(unknown)",
                                " is not allowed for this issuer"));
  }
  if (header->contains("crit")) return Refused("the JWT header has crit extensions");
  std::string kid;
  if (auto it = header->find("kid"); it != header->end()) {
    if (!it->is_string()) return Refused("the JWT header's kid is not a string");
    kid = it->get<std::string>();
  }
  std::shared_ptr<const Jwks> jwks =
      issuer->fetcher != nullptr ? issuer->fetcher->Current() : issuer->jwks;
  const Jwk* key = jwks != nullptr ? jwks->Find(kid, *algorithm) : nullptr;
  if (key == nullptr && issuer->fetcher != nullptr) {
    // Perhaps the issuer rotated: fetch (rate-limited) and look again.
    jwks = issuer->fetcher->RefreshForUnknownKid();
    key = jwks != nullptr ? jwks->Find(kid, *algorithm) : nullptr;
  }
  if (key == nullptr) return Refused("no key of the issuer's JWKS has the JWT's kid");
  std::string signature;
  if (!absl::WebSafeBase64Unescape(
          absl::string_view(segments->signature.data(), segments->signature.size()), &signature) ||
      !SignatureVerifies(*key, token.substr(0, token.size() - segments->signature.size() - 1),
                         signature)) {
    return Refused("the JWT's signature does not verify");
  }

  auto aud = claims->find("aud");
  if (aud == claims->end() || !AudienceMatches(*aud, issuer->audiences)) {
    return Refused("the JWT's aud names none of the accepted audiences");
  }
  auto sub = claims->find("sub");
  if (sub == claims->end() || !sub->is_string() || sub->get_ref<const std::string&>().empty() ||
      sub->get_ref<const std::string&>().size() > kMaxSubjectBytes) {
    return Refused("the JWT's sub is not a string of 1 to 255 bytes");
  }
  const double now = static_cast<double>(now_unix_seconds);
  const double leeway = issuer->leeway_seconds;
  double exp = 0, nbf = 0, iat = 0;
  switch (ReadTime(*claims, "exp", &exp)) {
    case TimeClaim::kAbsent:
    case TimeClaim::kWrongType:
      return Refused("the JWT has no numeric exp");
    case TimeClaim::kPresent:
      if (now >= exp + leeway) return Refused("the JWT has expired");
  }
  switch (ReadTime(*claims, "nbf", &nbf)) {
    case TimeClaim::kWrongType:
      return Refused("the JWT's nbf is not a number");
    case TimeClaim::kPresent:
      if (now + leeway < nbf) return Refused("the JWT is not valid yet (nbf)");
      break;
    case TimeClaim::kAbsent:
      break;
  }
  switch (ReadTime(*claims, "iat", &iat)) {
    case TimeClaim::kWrongType:
      return Refused("the JWT's iat is not a number");
    case TimeClaim::kPresent:
      if (now + leeway < iat) return Refused("the JWT was issued in the future (iat)");
      if (iat > exp) return Refused("the JWT expires before it was issued");
      break;
    case TimeClaim::kAbsent:
      break;
  }
  VerifiedJwt verified;
  verified.issuer_ = &*issuer;
  verified.subject_ = sub->get<std::string>();
  verified.claims_ = *std::move(claims);
  return verified;
}

}  // namespace agora_token
