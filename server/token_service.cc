#include "server/token_service.h"

#include <chrono>

#include "server/grpc_status.h"

namespace agora_token {
namespace {

namespace v1 = agora::token::v1;

bool DeadlinePassed(const grpc::CallbackServerContext* context) {
  return context->deadline() <= std::chrono::system_clock::now();
}

}  // namespace

// Runs `work` unless the call is already dead, then finishes it.
template <typename Work>
grpc::ServerUnaryReactor* TokenService::Serve(RpcMethod method,
                                              grpc::CallbackServerContext* context, Work&& work) {
  in_flight_.fetch_add(1, std::memory_order_acq_rel);
  const auto start = std::chrono::steady_clock::now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status status;
  if (DeadlinePassed(context)) {
    status = absl::DeadlineExceededError("the call's deadline passed before it was served");
  } else {
    status = work();
  }
  reactor->Finish(ToGrpcStatus(status));
  if (metrics_ != nullptr) {
    metrics_->RecordCall(method, status.code(), std::chrono::steady_clock::now() - start);
  }
  in_flight_.fetch_sub(1, std::memory_order_acq_rel);
  return reactor;
}

grpc::ServerUnaryReactor* TokenService::BuildRtcTokenWithUid(
    grpc::CallbackServerContext* context, const v1::BuildRtcTokenWithUidRequest* request,
    v1::BuildRtcTokenWithUidResponse* response) {
  return Serve(RpcMethod::kBuildRtcTokenWithUid, context,
               [&] { return handlers_->BuildRtcTokenWithUid(*request, response); });
}

grpc::ServerUnaryReactor* TokenService::BuildRtcTokenWithAccount(
    grpc::CallbackServerContext* context, const v1::BuildRtcTokenWithAccountRequest* request,
    v1::BuildRtcTokenWithAccountResponse* response) {
  return Serve(RpcMethod::kBuildRtcTokenWithAccount, context,
               [&] { return handlers_->BuildRtcTokenWithAccount(*request, response); });
}

grpc::ServerUnaryReactor* TokenService::BuildRtmToken(grpc::CallbackServerContext* context,
                                                      const v1::BuildRtmTokenRequest* request,
                                                      v1::BuildRtmTokenResponse* response) {
  return Serve(RpcMethod::kBuildRtmToken, context,
               [&] { return handlers_->BuildRtmToken(*request, response); });
}

grpc::ServerUnaryReactor* TokenService::BuildChatToken(grpc::CallbackServerContext* context,
                                                       const v1::BuildChatTokenRequest* request,
                                                       v1::BuildChatTokenResponse* response) {
  return Serve(RpcMethod::kBuildChatToken, context,
               [&] { return handlers_->BuildChatToken(*request, response); });
}

grpc::ServerUnaryReactor* TokenService::BuildTokens(grpc::CallbackServerContext* context,
                                                    const v1::BuildTokensRequest* request,
                                                    v1::BuildTokensResponse* response) {
  return Serve(RpcMethod::kBuildTokens, context, [&] {
    // A large batch checks between items whether anyone still waits for it.
    return handlers_->BuildTokens(*request, response, [context] {
      return context->IsCancelled() || DeadlinePassed(context);
    });
  });
}

grpc::ServerUnaryReactor* TokenService::DecodeToken(grpc::CallbackServerContext* context,
                                                    const v1::DecodeTokenRequest* request,
                                                    v1::DecodeTokenResponse* response) {
  return Serve(RpcMethod::kDecodeToken, context,
               [&] { return handlers_->DecodeToken(*request, response); });
}

}  // namespace agora_token
