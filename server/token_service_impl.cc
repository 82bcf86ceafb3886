#include "server/token_service_impl.h"

#include <chrono>

#include "server/caller_identity.h"
#include "server/grpc_status.h"

namespace agora_token {
namespace {

namespace v1 = agora::token::v1;

}  // namespace

TokenServiceImpl::TokenServiceImpl(ServiceLayer* layer) : layer_(layer) {
  SetMessageAllocatorFor_BuildRtcTokenWithUid(&rtc_with_uid_messages_);
  SetMessageAllocatorFor_BuildRtcTokenWithAccount(&rtc_with_account_messages_);
  SetMessageAllocatorFor_BuildRtmToken(&rtm_messages_);
  SetMessageAllocatorFor_BuildChatToken(&chat_messages_);
  SetMessageAllocatorFor_BuildTokens(&batch_messages_);
  SetMessageAllocatorFor_DecodeToken(&decode_messages_);
}

template <typename Request, typename Response>
grpc::ServerUnaryReactor* TokenServiceImpl::Serve(
    absl::Status (ServiceLayer::*method)(const CallCredentials&, const CallOptions&, const Request&,
                                         Response*),
    grpc::CallbackServerContext* context, const Request* request, Response* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  CallOptions options;
  options.deadline = context->deadline();
  // A large batch checks between items whether anyone still waits for it.
  options.cancelled = [context] {
    return context->IsCancelled() || context->deadline() <= std::chrono::system_clock::now();
  };
  const absl::Status status =
      (layer_->*method)(CredentialsOf(*context), options, *request, response);
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

grpc::ServerUnaryReactor* TokenServiceImpl::BuildRtcTokenWithUid(
    grpc::CallbackServerContext* context, const v1::BuildRtcTokenWithUidRequest* request,
    v1::BuildRtcTokenWithUidResponse* response) {
  return Serve(&ServiceLayer::BuildRtcTokenWithUid, context, request, response);
}

grpc::ServerUnaryReactor* TokenServiceImpl::BuildRtcTokenWithAccount(
    grpc::CallbackServerContext* context, const v1::BuildRtcTokenWithAccountRequest* request,
    v1::BuildRtcTokenWithAccountResponse* response) {
  return Serve(&ServiceLayer::BuildRtcTokenWithAccount, context, request, response);
}

grpc::ServerUnaryReactor* TokenServiceImpl::BuildRtmToken(grpc::CallbackServerContext* context,
                                                          const v1::BuildRtmTokenRequest* request,
                                                          v1::BuildRtmTokenResponse* response) {
  return Serve(&ServiceLayer::BuildRtmToken, context, request, response);
}

grpc::ServerUnaryReactor* TokenServiceImpl::BuildChatToken(grpc::CallbackServerContext* context,
                                                           const v1::BuildChatTokenRequest* request,
                                                           v1::BuildChatTokenResponse* response) {
  return Serve(&ServiceLayer::BuildChatToken, context, request, response);
}

grpc::ServerUnaryReactor* TokenServiceImpl::BuildTokens(grpc::CallbackServerContext* context,
                                                        const v1::BuildTokensRequest* request,
                                                        v1::BuildTokensResponse* response) {
  return Serve(&ServiceLayer::BuildTokens, context, request, response);
}

grpc::ServerUnaryReactor* TokenServiceImpl::DecodeToken(grpc::CallbackServerContext* context,
                                                        const v1::DecodeTokenRequest* request,
                                                        v1::DecodeTokenResponse* response) {
  return Serve(&ServiceLayer::DecodeToken, context, request, response);
}

}  // namespace agora_token
