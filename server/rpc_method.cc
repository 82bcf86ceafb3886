#include "server/rpc_method.h"

namespace agora_token {

std::string_view RpcMethodName(RpcMethod method) {
  static constexpr std::string_view kNames[kRpcMethodCount] = {
      "BuildRtcTokenWithUid", "BuildRtcTokenWithAccount",
      "BuildRtmToken",        "BuildChatToken",
      "BuildTokens",          "DecodeToken",
      "BuildAccessToken",     "BuildFpaToken",
      "BuildApaasToken",      "BuildConvoAiToken",
      "BuildSttToken",
  };
  return kNames[static_cast<size_t>(method)];
}

}  // namespace agora_token
