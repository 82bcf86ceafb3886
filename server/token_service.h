// The gRPC callback service: each method forwards to TokenHandlers and
// finishes the call through the one error boundary (grpc_status.h).
#ifndef AGORA_TOKEN_SERVER_TOKEN_SERVICE_H_
#define AGORA_TOKEN_SERVER_TOKEN_SERVICE_H_

#include <atomic>

#include "agora/token/v1/token_service.grpc.pb.h"
#include "server/metrics.h"
#include "server/token_handlers.h"

namespace agora_token {

class TokenService final : public agora::token::v1::TokenService::CallbackService {
 public:
  // `handlers` and `metrics` (may be null) must outlive the service.
  TokenService(const TokenHandlers* handlers, Metrics* metrics)
      : handlers_(handlers), metrics_(metrics) {}

  // Calls currently inside a method; shutdown waits for this to reach 0.
  int in_flight() const { return in_flight_.load(std::memory_order_acquire); }

  grpc::ServerUnaryReactor* BuildRtcTokenWithUid(
      grpc::CallbackServerContext* context,
      const agora::token::v1::BuildRtcTokenWithUidRequest* request,
      agora::token::v1::BuildRtcTokenWithUidResponse* response) override;
  grpc::ServerUnaryReactor* BuildRtcTokenWithAccount(
      grpc::CallbackServerContext* context,
      const agora::token::v1::BuildRtcTokenWithAccountRequest* request,
      agora::token::v1::BuildRtcTokenWithAccountResponse* response) override;
  grpc::ServerUnaryReactor* BuildRtmToken(grpc::CallbackServerContext* context,
                                          const agora::token::v1::BuildRtmTokenRequest* request,
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
  template <typename Work>
  grpc::ServerUnaryReactor* Serve(RpcMethod method, grpc::CallbackServerContext* context,
                                  Work&& work);

  const TokenHandlers* handlers_;
  Metrics* metrics_;
  std::atomic<int> in_flight_{0};
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_TOKEN_SERVICE_H_
