#include "server/token_service.h"

#include <chrono>

#include "server/caller_identity.h"
#include "server/grpc_status.h"
#include "server/policy_gate.h"

namespace agora_token {
namespace {

namespace v1 = agora::token::v1;

bool DeadlinePassed(const grpc::CallbackServerContext* context) {
  return context->deadline() <= std::chrono::system_clock::now();
}

}  // namespace

// Runs `work` unless the call is already dead or not allowed, then finishes
// it.
template <typename Work>
grpc::ServerUnaryReactor* TokenService::Serve(RpcMethod method,
                                              grpc::CallbackServerContext* context, uint32_t tokens,
                                              Work&& work) {
  in_flight_.fetch_add(1, std::memory_order_acq_rel);
  const auto start = std::chrono::steady_clock::now();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status status;
  if (DeadlinePassed(context)) {
    status = absl::DeadlineExceededError("the call's deadline passed before it was served");
  } else if (callers_ == nullptr) {
    status = audit_ == nullptr ? work(TokenGate::Open())
                               : work(PolicyGate(nullptr, audit_, method, start));
  } else {
    // The snapshot keeps the caller (and its policy) alive for the call.
    const std::shared_ptr<const CallerDirectory> directory = callers_->Get();
    absl::StatusOr<const Caller*> caller = AuthenticateCall(*directory, *context);
    const PolicyGate gate(caller.ok() ? *caller : nullptr, audit_, method, start);
    if (!caller.ok()) {
      status = caller.status();
    } else if (status = (*caller)->policy->CheckMethod(method); status.ok()) {
      RateLimiter* limiter = (*caller)->policy->rate_limiter();
      if (limiter != nullptr) status = limiter->Take(tokens);
    }
    if (status.ok()) {
      status = work(gate);
    } else {
      gate.RecordRefusedCall(status);
    }
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
  return Serve(RpcMethod::kBuildRtcTokenWithUid, context, 1, [&](const TokenGate& gate) {
    return handlers_->BuildRtcTokenWithUid(*request, response, gate);
  });
}

grpc::ServerUnaryReactor* TokenService::BuildRtcTokenWithAccount(
    grpc::CallbackServerContext* context, const v1::BuildRtcTokenWithAccountRequest* request,
    v1::BuildRtcTokenWithAccountResponse* response) {
  return Serve(RpcMethod::kBuildRtcTokenWithAccount, context, 1, [&](const TokenGate& gate) {
    return handlers_->BuildRtcTokenWithAccount(*request, response, gate);
  });
}

grpc::ServerUnaryReactor* TokenService::BuildRtmToken(grpc::CallbackServerContext* context,
                                                      const v1::BuildRtmTokenRequest* request,
                                                      v1::BuildRtmTokenResponse* response) {
  return Serve(RpcMethod::kBuildRtmToken, context, 1, [&](const TokenGate& gate) {
    return handlers_->BuildRtmToken(*request, response, gate);
  });
}

grpc::ServerUnaryReactor* TokenService::BuildChatToken(grpc::CallbackServerContext* context,
                                                       const v1::BuildChatTokenRequest* request,
                                                       v1::BuildChatTokenResponse* response) {
  return Serve(RpcMethod::kBuildChatToken, context, 1, [&](const TokenGate& gate) {
    return handlers_->BuildChatToken(*request, response, gate);
  });
}

grpc::ServerUnaryReactor* TokenService::BuildTokens(grpc::CallbackServerContext* context,
                                                    const v1::BuildTokensRequest* request,
                                                    v1::BuildTokensResponse* response) {
  // A batch takes one per item; one out of range (refused by the handler
  // as INVALID_ARGUMENT, not as rate-limited) or empty takes one.
  const size_t items = static_cast<size_t>(request->items_size());
  const uint32_t tokens =
      items >= 1 && items <= handlers_->max_batch_items() ? static_cast<uint32_t>(items) : 1;
  return Serve(RpcMethod::kBuildTokens, context, tokens, [&](const TokenGate& gate) {
    // A large batch checks between items whether anyone still waits for it.
    return handlers_->BuildTokens(
        *request, response, [context] { return context->IsCancelled() || DeadlinePassed(context); },
        gate);
  });
}

grpc::ServerUnaryReactor* TokenService::DecodeToken(grpc::CallbackServerContext* context,
                                                    const v1::DecodeTokenRequest* request,
                                                    v1::DecodeTokenResponse* response) {
  return Serve(RpcMethod::kDecodeToken, context, 1, [&](const TokenGate& gate) {
    return handlers_->DecodeToken(*request, response, gate);
  });
}

}  // namespace agora_token
