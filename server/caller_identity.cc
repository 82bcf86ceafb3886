#include "server/caller_identity.h"

#include <grpc/grpc_security_constants.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace agora_token {
namespace {

std::vector<std::string> PropertyValues(const grpc::AuthContext& auth, const char* name) {
  std::vector<std::string> values;
  for (const grpc::string_ref& value : auth.FindPropertyValues(name)) {
    values.emplace_back(value.data(), value.size());
  }
  return values;
}

// First 16 hex characters of the SHA-256 of the certificate's DER, as
// `openssl x509 -fingerprint -sha256` starts.
std::string FingerprintOfPem(absl::string_view body) {
  const size_t begin = body.find("-----\n");
  const size_t end = body.find("-----END");
  if (begin == absl::string_view::npos || end == absl::string_view::npos || end < begin) return "";
  std::string base64 =
      absl::StrReplaceAll(body.substr(begin + 6, end - begin - 6), {{"\n", ""}, {"\r", ""}});
  std::string der;
  if (!absl::Base64Unescape(base64, &der)) return "";
  const Sha256Digest digest = Sha256(der);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest.data()), 8));
}

CertificateIdentity ParseIdentity(const grpc::AuthContext& auth, absl::string_view pem) {
  CertificateIdentity identity;
  // Every SPIFFE URI SAN: gRPC's peer_spiffe_id is empty when there are
  // several, and such a certificate must be refused, not matched by DNS.
  for (std::string& uri : PropertyValues(auth, GRPC_PEER_URI_PROPERTY_NAME)) {
    if (absl::StartsWithIgnoreCase(uri, "spiffe://")) identity.spiffe_ids.push_back(std::move(uri));
  }
  identity.dns_names = PropertyValues(auth, GRPC_PEER_DNS_PROPERTY_NAME);
  // The CN counts only for a certificate with no SANs at all.
  if (PropertyValues(auth, GRPC_X509_SAN_PROPERTY_NAME).empty()) {
    std::vector<std::string> cn = PropertyValues(auth, GRPC_X509_CN_PROPERTY_NAME);
    if (!cn.empty()) identity.common_name = cn.front();
  }
  if (!pem.empty()) identity.fingerprint = FingerprintOfPem(pem);
  return identity;
}

// The identity depends on the certificate alone, and a connection's calls
// all present the same one: each thread keeps the identities of the last
// certificates it saw, keyed by their PEM, so a call costs a hash lookup
// instead of decoding and hashing the certificate and copying its names.
CertificateIdentity IdentityOf(const grpc::AuthContext& auth) {
  const std::vector<grpc::string_ref> pems =
      auth.FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
  if (pems.empty()) return ParseIdentity(auth, "");
  const absl::string_view pem(pems.front().data(), pems.front().size());
  constexpr size_t kMaxCachedPerThread = 64;
  thread_local absl::flat_hash_map<std::string, CertificateIdentity> cache;
  if (auto it = cache.find(pem); it != cache.end()) return it->second;
  if (cache.size() >= kMaxCachedPerThread) cache.clear();
  return cache.emplace(std::string(pem), ParseIdentity(auth, pem)).first->second;
}

}  // namespace

CallCredentials CredentialsOf(const grpc::ServerContextBase& context) {
  CallCredentials credentials;
  credentials.transport = "grpc";
  credentials.peer = [&context] { return context.peer(); };
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) credentials.certificate = IdentityOf(*auth);
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it != metadata.end()) {
    credentials.authorization = std::string_view(it->second.data(), it->second.size());
  }
  return credentials;
}

}  // namespace agora_token
