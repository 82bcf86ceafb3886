// Core results as API messages, shared by the build and decode handlers.
#ifndef AGORA_TOKEN_SERVER_ISSUED_TOKEN_H_
#define AGORA_TOKEN_SERVER_ISSUED_TOKEN_H_

#include <utility>

#include "agora/token/v1/token_service.pb.h"
#include "core/token.h"

namespace agora_token {

inline agora::token::v1::TokenVersion VersionToProto(TokenVersion version) {
  return version == TokenVersion::k006 ? agora::token::v1::TOKEN_VERSION_006
                                       : agora::token::v1::TOKEN_VERSION_007;
}

inline agora::token::v1::ServiceType ServiceToProto(uint16_t type) {
  return agora::token::v1::ServiceType_IsValid(type)
             ? static_cast<agora::token::v1::ServiceType>(type)
             : agora::token::v1::SERVICE_TYPE_UNSPECIFIED;
}

inline void FillPrivilegeExpiry(const PrivilegeExpiry& from,
                                agora::token::v1::PrivilegeExpiry* to) {
  to->set_service(ServiceToProto(from.service_type));
  to->set_privilege(from.privilege);
  to->set_expire_ts(from.expire_ts);
}

// Every build response (and IssuedToken) has the same fields. Takes the
// token string: on an arena-allocated response that is a move, not a copy.
template <typename Response>
void FillIssued(BuiltToken&& built, Response* response) {
  response->set_token(std::move(built.token));
  response->set_token_version(VersionToProto(built.version));
  response->set_issue_ts(built.issue_ts);
  response->set_salt(built.salt);
  response->set_expire_ts(built.expire_ts);
  for (const PrivilegeExpiry& p : built.privileges) {
    FillPrivilegeExpiry(p, response->add_privilege_expiries());
  }
}

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_ISSUED_TOKEN_H_
