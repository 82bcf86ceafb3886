// The API's token contents (agora.token.v1.ServiceGrant, Rtm2Resource) in
// the core's terms, for the server's BuildAccessToken and BuildRtmToken and
// the CLI's `build access-token`, so both read a request the same way. The
// core checks each type's rules; this only narrows the wire's 32-bit ids to
// the format's 16 bits (refusing what does not fit) and refuses fields that
// exist only in responses. Errors name the field under `path`.
#ifndef AGORA_TOKEN_SERVER_SERVICE_GRANTS_H_
#define AGORA_TOKEN_SERVER_SERVICE_GRANTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agora/token/v1/token_service.pb.h"
#include "core/access_token2.h"

namespace agora_token {

// `path` names the list, e.g. "rtm2_resources" or "services[0].rtm2_resources".
absl::StatusOr<std::vector<Rtm2Resource>> Rtm2ResourcesOf(
    const google::protobuf::RepeatedPtrField<agora::token::v1::Rtm2Resource>& resources,
    const std::string& path);

// `path` names the grant, e.g. "services[1]".
absl::StatusOr<ServiceGrant> ServiceGrantOf(const agora::token::v1::ServiceGrant& grant,
                                            const std::string& path);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_SERVICE_GRANTS_H_
