// The gRPC transport: a thin callback service over the ServiceLayer. Each
// method reads the caller's credentials from the call, hands the request to
// the layer, and finishes with the layer's status through the one error
// boundary (grpc_status.h). Requests and responses live on pooled arenas.
#ifndef AGORA_TOKEN_SERVER_TOKEN_SERVICE_IMPL_H_
#define AGORA_TOKEN_SERVER_TOKEN_SERVICE_IMPL_H_

#include "agora/token/v1/token_service.grpc.pb.h"
#include "server/arena_messages.h"
#include "server/service_layer.h"

namespace agora_token {

class TokenServiceImpl final : public agora::token::v1::TokenService::CallbackService {
 public:
  // `layer` must outlive the service.
  explicit TokenServiceImpl(ServiceLayer* layer);

  grpc::ServerUnaryReactor* BuildRtcTokenWithUid(
      grpc::CallbackServerContext* context,
      const agora::token::v1::BuildRtcTokenWithUidRequest* request,
      agora::token::v1::BuildRtcTokenWithUidResponse* response) override;
  grpc::ServerUnaryReactor* BuildRtcTokenWithAccount(
      grpc::CallbackServerContext* context,
      const agora::token::v1::BuildRtcTokenWithAccountRequest* request,
      agora::token::v1::BuildRtcTokenWithAccountResponse* response) override;
  grpc::ServerUnaryReactor* BuildRtmToken(
      grpc::CallbackServerContext* context, const agora::token::v1::BuildRtmTokenRequest* request,
      agora::token::v1::BuildRtmTokenResponse* response) override;
  grpc::ServerUnaryReactor* BuildChatToken(
      grpc::CallbackServerContext* context, const agora::token::v1::BuildChatTokenRequest* request,
      agora::token::v1::BuildChatTokenResponse* response) override;
  grpc::ServerUnaryReactor* BuildTokens(grpc::CallbackServerContext* context,
                                        const agora::token::v1::BuildTokensRequest* request,
                                        agora::token::v1::BuildTokensResponse* response) override;
  grpc::ServerUnaryReactor* DecodeToken(grpc::CallbackServerContext* context,
                                        const agora::token::v1::DecodeTokenRequest* request,
                                        agora::token::v1::DecodeTokenResponse* response) override;

 private:
  // Calls `method` of the layer with this call's credentials and finishes.
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* Serve(absl::Status (ServiceLayer::*method)(const CallCredentials&,
                                                                       const CallOptions&,
                                                                       const Request&, Response*),
                                  grpc::CallbackServerContext* context, const Request* request,
                                  Response* response);

  ServiceLayer* layer_;
  ArenaMessageAllocator<agora::token::v1::BuildRtcTokenWithUidRequest,
                        agora::token::v1::BuildRtcTokenWithUidResponse>
      rtc_with_uid_messages_;
  ArenaMessageAllocator<agora::token::v1::BuildRtcTokenWithAccountRequest,
                        agora::token::v1::BuildRtcTokenWithAccountResponse>
      rtc_with_account_messages_;
  ArenaMessageAllocator<agora::token::v1::BuildRtmTokenRequest,
                        agora::token::v1::BuildRtmTokenResponse>
      rtm_messages_;
  ArenaMessageAllocator<agora::token::v1::BuildChatTokenRequest,
                        agora::token::v1::BuildChatTokenResponse>
      chat_messages_;
  ArenaMessageAllocator<agora::token::v1::BuildTokensRequest, agora::token::v1::BuildTokensResponse>
      batch_messages_;
  ArenaMessageAllocator<agora::token::v1::DecodeTokenRequest, agora::token::v1::DecodeTokenResponse>
      decode_messages_;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_TOKEN_SERVICE_IMPL_H_
