// The RPCs of agora.token.v1.TokenService, as the service layer, the
// policies, the audit log and the metrics name them, whatever the transport.
#ifndef AGORA_TOKEN_SERVER_RPC_METHOD_H_
#define AGORA_TOKEN_SERVER_RPC_METHOD_H_

#include <cstddef>
#include <string_view>

namespace agora_token {

enum class RpcMethod {
  kBuildRtcTokenWithUid,
  kBuildRtcTokenWithAccount,
  kBuildRtmToken,
  kBuildChatToken,
  kBuildTokens,
  kDecodeToken,
  kBuildAccessToken,
  kBuildFpaToken,
  kBuildApaasToken,
  kBuildConvoAiToken,
  kBuildSttToken,
};
inline constexpr size_t kRpcMethodCount = 11;

// "BuildRtcTokenWithUid", ...
std::string_view RpcMethodName(RpcMethod method);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_RPC_METHOD_H_
