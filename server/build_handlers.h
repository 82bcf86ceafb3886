// The build RPCs as plain functions of (Call, request): validate, check the
// caller's policy, look the app up in the snapshot's keyring, call the core,
// fill the response, and audit each decision once. No transport types here:
// the service layer calls these for gRPC and HTTP alike, and tests call them
// directly.
#ifndef AGORA_TOKEN_SERVER_BUILD_HANDLERS_H_
#define AGORA_TOKEN_SERVER_BUILD_HANDLERS_H_

#include "absl/status/status.h"
#include "agora/token/v1/token_service.pb.h"
#include "server/service_layer.h"
#include "server/serving_state.h"
#include "server/token_facts.h"

namespace agora_token {

// What each request asks for: the one place its TokenFacts are filled.
TokenFacts FactsOf(const agora::token::v1::BuildRtcTokenWithUidRequest& request,
                   const HandlerOptions& options);
TokenFacts FactsOf(const agora::token::v1::BuildRtcTokenWithAccountRequest& request,
                   const HandlerOptions& options);
TokenFacts FactsOf(const agora::token::v1::BuildRtmTokenRequest& request,
                   const HandlerOptions& options);
TokenFacts FactsOf(const agora::token::v1::BuildChatTokenRequest& request,
                   const HandlerOptions& options);
TokenFacts FactsOf(const agora::token::v1::BuildAccessTokenRequest& request,
                   const HandlerOptions& options);
TokenFacts FactsOf(const agora::token::v1::BuildFpaTokenRequest& request,
                   const HandlerOptions& options);
TokenFacts FactsOf(const agora::token::v1::BuildApaasTokenRequest& request,
                   const HandlerOptions& options);
TokenFacts FactsOf(const agora::token::v1::BuildConvoAiTokenRequest& request,
                   const HandlerOptions& options);
TokenFacts FactsOf(const agora::token::v1::BuildSttTokenRequest& request,
                   const HandlerOptions& options);

absl::Status BuildRtcTokenWithUid(const Call& call,
                                  const agora::token::v1::BuildRtcTokenWithUidRequest& request,
                                  agora::token::v1::BuildRtcTokenWithUidResponse* response);
absl::Status BuildRtcTokenWithAccount(
    const Call& call, const agora::token::v1::BuildRtcTokenWithAccountRequest& request,
    agora::token::v1::BuildRtcTokenWithAccountResponse* response);
absl::Status BuildRtmToken(const Call& call, const agora::token::v1::BuildRtmTokenRequest& request,
                           agora::token::v1::BuildRtmTokenResponse* response);
absl::Status BuildChatToken(const Call& call,
                            const agora::token::v1::BuildChatTokenRequest& request,
                            agora::token::v1::BuildChatTokenResponse* response);
absl::Status BuildAccessToken(const Call& call,
                              const agora::token::v1::BuildAccessTokenRequest& request,
                              agora::token::v1::BuildAccessTokenResponse* response);
absl::Status BuildFpaToken(const Call& call, const agora::token::v1::BuildFpaTokenRequest& request,
                           agora::token::v1::BuildFpaTokenResponse* response);
absl::Status BuildApaasToken(const Call& call,
                             const agora::token::v1::BuildApaasTokenRequest& request,
                             agora::token::v1::BuildApaasTokenResponse* response);
absl::Status BuildConvoAiToken(const Call& call,
                               const agora::token::v1::BuildConvoAiTokenRequest& request,
                               agora::token::v1::BuildConvoAiTokenResponse* response);
absl::Status BuildSttToken(const Call& call, const agora::token::v1::BuildSttTokenRequest& request,
                           agora::token::v1::BuildSttTokenResponse* response);
// Each item is a decision of its own, with its own result; the call fails
// only for a batch out of range or a call cancelled midway.
absl::Status BuildTokens(const Call& call, const agora::token::v1::BuildTokensRequest& request,
                         agora::token::v1::BuildTokensResponse* response);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_BUILD_HANDLERS_H_
