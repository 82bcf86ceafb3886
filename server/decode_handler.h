// DecodeToken as a plain function of (Call, request): parse the token with
// the core, check the caller's policy for its app, verify the signature
// with the app's primary or secondary certificate, and report every field
// and the expiry state. Never the certificate. Bytes from the token that are
// not valid UTF-8 travel in the `*_bytes` twin fields (token_service.proto).
#ifndef AGORA_TOKEN_SERVER_DECODE_HANDLER_H_
#define AGORA_TOKEN_SERVER_DECODE_HANDLER_H_

#include "absl/status/status.h"
#include "agora/token/v1/token_service.pb.h"
#include "server/service_layer.h"
#include "server/token_facts.h"

namespace agora_token {

// What the request names before the token is read (its app comes later).
TokenFacts FactsOf(const agora::token::v1::DecodeTokenRequest& request);

absl::Status DecodeToken(const Call& call, const agora::token::v1::DecodeTokenRequest& request,
                         agora::token::v1::DecodeTokenResponse* response);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_DECODE_HANDLER_H_
