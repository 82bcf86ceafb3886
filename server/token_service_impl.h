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

namespace raw {
using agora::token::v1::TokenService;
// Every method of the generated service, raw (bytes in, bytes out).
using TokenServiceBase = TokenService::WithRawCallbackMethod_BuildRtcTokenWithUid<
    TokenService::WithRawCallbackMethod_BuildRtcTokenWithAccount<
        TokenService::WithRawCallbackMethod_BuildRtmToken<
            TokenService::WithRawCallbackMethod_BuildChatToken<
                TokenService::WithRawCallbackMethod_BuildAccessToken<
                    TokenService::WithRawCallbackMethod_BuildFpaToken<
                        TokenService::WithRawCallbackMethod_BuildApaasToken<
                            TokenService::WithRawCallbackMethod_BuildConvoAiToken<
                                TokenService::WithRawCallbackMethod_BuildSttToken<
                                    TokenService::WithRawCallbackMethod_BuildTokens<
                                        TokenService::WithRawCallbackMethod_DecodeToken<
                                            TokenService::Service>>>>>>>>>>>;
}  // namespace raw

// One raw method's override (defined in the .cc, where each hands its bytes
// to Serve with the layer's method of the same name).
#define AGORA_TOKEN_RAW_METHOD(Name)                                                          \
  grpc::ServerUnaryReactor* Name(grpc::CallbackServerContext* context,                        \
                                 const grpc::ByteBuffer* request, grpc::ByteBuffer* response) \
      override;

class TokenServiceImpl final : public raw::TokenServiceBase {
 public:
  // `layer` must outlive the service.
  explicit TokenServiceImpl(ServiceLayer* layer) : layer_(layer) {}

  AGORA_TOKEN_RAW_METHOD(BuildRtcTokenWithUid)
  AGORA_TOKEN_RAW_METHOD(BuildRtcTokenWithAccount)
  AGORA_TOKEN_RAW_METHOD(BuildRtmToken)
  AGORA_TOKEN_RAW_METHOD(BuildChatToken)
  AGORA_TOKEN_RAW_METHOD(BuildAccessToken)
  AGORA_TOKEN_RAW_METHOD(BuildFpaToken)
  AGORA_TOKEN_RAW_METHOD(BuildApaasToken)
  AGORA_TOKEN_RAW_METHOD(BuildConvoAiToken)
  AGORA_TOKEN_RAW_METHOD(BuildSttToken)
  AGORA_TOKEN_RAW_METHOD(BuildTokens)
  AGORA_TOKEN_RAW_METHOD(DecodeToken)

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

#undef AGORA_TOKEN_RAW_METHOD

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_TOKEN_SERVICE_IMPL_H_
