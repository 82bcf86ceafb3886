// The Connect protocol's unary routes, one row per RPC of
// agora.token.v1.TokenService: POST /agora.token.v1.TokenService/<Method>.
// A row names the RpcMethod and the ServiceLayer member; the request and
// response types come from the member's signature, so adding an RPC is
// adding one row to kConnectRoutes in connect_routes.cc.
#ifndef AGORA_TOKEN_SERVER_HTTP_CONNECT_ROUTES_H_
#define AGORA_TOKEN_SERVER_HTTP_CONNECT_ROUTES_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "server/rpc_method.h"
#include "server/service_layer.h"

namespace agora_token {

// How a Connect body is encoded (its Content-Type).
enum class ConnectCodec {
  kJson,   // application/json: the proto3 JSON mapping
  kProto,  // application/proto: protobuf binary
};

struct ConnectRoute {
  RpcMethod method;
  // Decodes `body`, calls the layer, encodes the response into `out`. A body
  // that does not decode is refused through ServiceLayer::Unparsable, so it
  // is authenticated, audited and counted like any call.
  absl::Status (*serve)(ServiceLayer& layer, RpcMethod method, const CallCredentials& credentials,
                        const CallOptions& options, ConnectCodec codec, std::string_view body,
                        std::string* out);
};

// The route for "/agora.token.v1.TokenService/<Method>", or null.
const ConnectRoute* FindConnectRoute(std::string_view path);

// The service's path prefix, "/agora.token.v1.TokenService/".
inline constexpr std::string_view kConnectServicePrefix = "/agora.token.v1.TokenService/";

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_HTTP_CONNECT_ROUTES_H_
