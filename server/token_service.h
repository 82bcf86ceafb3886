// The gRPC callback service: each method authenticates the caller (when the
// server has a config), checks the caller's policy and rate limit, forwards
// to TokenHandlers with a PolicyGate, and finishes the call through the one
// error boundary (grpc_status.h).
#ifndef AGORA_TOKEN_SERVER_TOKEN_SERVICE_H_
#define AGORA_TOKEN_SERVER_TOKEN_SERVICE_H_

#include <atomic>

#include "agora/token/v1/token_service.grpc.pb.h"
#include "server/arena_messages.h"
#include "server/audit_log.h"
#include "server/callers.h"
#include "server/metrics.h"
#include "server/token_handlers.h"

namespace agora_token {

class TokenService final : public agora::token::v1::TokenService::CallbackService {
 public:
  // Everything must outlive the service. `metrics` may be null. Without
  // `callers` every call is served without authentication (development);
  // without `audit` nothing is audited.
  TokenService(const TokenHandlers* handlers, Metrics* metrics,
               const CallerDirectoryStore* callers = nullptr, AuditLog* audit = nullptr)
      : handlers_(handlers), metrics_(metrics), callers_(callers), audit_(audit) {
    SetMessageAllocatorFor_BuildRtcTokenWithUid(&rtc_with_uid_messages_);
    SetMessageAllocatorFor_BuildRtcTokenWithAccount(&rtc_with_account_messages_);
    SetMessageAllocatorFor_BuildRtmToken(&rtm_messages_);
    SetMessageAllocatorFor_BuildChatToken(&chat_messages_);
    SetMessageAllocatorFor_BuildTokens(&batch_messages_);
    SetMessageAllocatorFor_DecodeToken(&decode_messages_);
  }

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
  // `tokens` is what the call takes from the caller's rate limit.
  template <typename Work>
  grpc::ServerUnaryReactor* Serve(RpcMethod method, grpc::CallbackServerContext* context,
                                  uint32_t tokens, Work&& work);

  const TokenHandlers* handlers_;
  Metrics* metrics_;
  const CallerDirectoryStore* callers_;
  AuditLog* audit_;
  std::atomic<int> in_flight_{0};
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

#endif  // AGORA_TOKEN_SERVER_TOKEN_SERVICE_H_
