#include "server/caller_identity.h"

#include <grpc/grpc_security_constants.h>

namespace agora_token {
namespace {

std::vector<std::string> PropertyValues(const grpc::AuthContext& auth, const char* name) {
  std::vector<std::string> values;
  for (const grpc::string_ref& value : auth.FindPropertyValues(name)) {
    values.emplace_back(value.data(), value.size());
  }
  return values;
}

CertificateIdentity IdentityOf(const grpc::AuthContext& auth) {
  CertificateIdentity identity;
  identity.spiffe_ids = PropertyValues(auth, GRPC_PEER_SPIFFE_ID_PROPERTY_NAME);
  identity.dns_names = PropertyValues(auth, GRPC_PEER_DNS_PROPERTY_NAME);
  // The CN counts only for a certificate with no SANs at all.
  if (PropertyValues(auth, GRPC_X509_SAN_PROPERTY_NAME).empty()) {
    std::vector<std::string> cn = PropertyValues(auth, GRPC_X509_CN_PROPERTY_NAME);
    if (!cn.empty()) identity.common_name = cn.front();
  }
  return identity;
}

}  // namespace

absl::StatusOr<const Caller*> AuthenticateCall(const CallerDirectory& directory,
                                               const grpc::ServerContextBase& context) {
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    if (const Caller* caller = directory.FindByCertificate(IdentityOf(*auth))) return caller;
  }
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it != metadata.end()) {
    constexpr std::string_view kBearer = "Bearer ";
    const std::string_view value(it->second.data(), it->second.size());
    if (value.substr(0, kBearer.size()) == kBearer) {
      if (const Caller* caller = directory.FindByApiKey(value.substr(kBearer.size()))) {
        return caller;
      }
    }
    return absl::UnauthenticatedError("the API key is not valid");
  }
  return absl::UnauthenticatedError(
      "no known caller: present a client certificate this server knows or an "
      "`authorization: Bearer <API key>` header");
}

}  // namespace agora_token
