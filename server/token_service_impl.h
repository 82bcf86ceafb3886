// The gRPC transport: a thin callback service over the ServiceLayer. Its
// methods take the raw request bytes, so a request that does not parse is
// the service's decision too (INVALID_ARGUMENT, audited), not an empty
// UNIMPLEMENTED from gRPC. Each method parses the request onto a per-thread
// arena, reads the caller's credentials from the call, hands both to the
// layer, serializes the response, and finishes with the layer's status
// through the one error boundary (grpc_status.h).
#ifndef AGORA_TOKEN_SERVER_TOKEN_SERVICE_IMPL_H_
#define AGORA_TOKEN_SERVER_TOKEN_SERVICE_IMPL_H_

#include "agora/token/v1/token_service.grpc.pb.h"
#include "server/service_layer.h"

namespace agora_token {

// Every method of the generated service, raw (bytes in, bytes out).
using RawTokenService = agora::token::v1::TokenService::WithRawCallbackMethod_BuildRtcTokenWithUid<
    agora::token::v1::TokenService::WithRawCallbackMethod_BuildRtcTokenWithAccount<
        agora::token::v1::TokenService::WithRawCallbackMethod_BuildRtmToken<
            agora::token::v1::TokenService::WithRawCallbackMethod_BuildChatToken<
                agora::token::v1::TokenService::WithRawCallbackMethod_BuildTokens<
                    agora::token::v1::TokenService::WithRawCallbackMethod_DecodeToken<
                        agora::token::v1::TokenService::Service>>>>>>;

class TokenServiceImpl final : public RawTokenService {
 public:
  // `layer` must outlive the service.
  explicit TokenServiceImpl(ServiceLayer* layer) : layer_(layer) {}

  grpc::ServerUnaryReactor* BuildRtcTokenWithUid(grpc::CallbackServerContext* context,
                                                 const grpc::ByteBuffer* request,
                                                 grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* BuildRtcTokenWithAccount(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* BuildRtmToken(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* BuildChatToken(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* BuildTokens(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* DecodeToken(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;

 private:
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* Serve(RpcMethod rpc,
                                  absl::Status (ServiceLayer::*method)(const CallCredentials&,
                                                                       const CallOptions&,
                                                                       const Request&, Response*),
                                  grpc::CallbackServerContext* context,
                                  const grpc::ByteBuffer* request_bytes,
                                  grpc::ByteBuffer* response_bytes);

  ServiceLayer* layer_;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_TOKEN_SERVICE_IMPL_H_
