#include "server/http/connect_routes.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/http/json_codec.h"

namespace agora_token {
namespace {

// The request and response types of a ServiceLayer member.
template <auto Member>
struct LayerMethod;
template <typename Request, typename Response,
          absl::Status (ServiceLayer::*Member)(const CallCredentials&, const CallOptions&,
                                               const Request&, Response*)>
struct LayerMethod<Member> {
  using RequestType = Request;
  using ResponseType = Response;
};

// protobuf's JSON errors quote the input around the error on the lines
// after the first; a DecodeToken body holds a token, which must never come
// back in an error, so only the first line (the reason) is kept.
std::string ClipParseError(std::string_view error) {
  constexpr size_t kMax = 200;
  return std::string(error.substr(0, std::min(error.find('\n'), kMax)));
}

template <auto Member>
absl::Status Serve(ServiceLayer& layer, RpcMethod method, const CallCredentials& credentials,
                   const CallOptions& options, ConnectCodec codec, std::string_view body,
                   std::string* out) {
  using Request = typename LayerMethod<Member>::RequestType;
  using Response = typename LayerMethod<Member>::ResponseType;
  Request request;
  Response response;
  std::string parse_error;
  if (codec == ConnectCodec::kJson) {
    // A misspelt field is an error, not a default.
    const absl::Status parsed = JsonToMessage(body, &request);
    if (!parsed.ok()) {
      parse_error = absl::StrCat("the body is not a JSON ", Request::descriptor()->name(), ": ",
                                 ClipParseError(std::string(parsed.message())));
    }
  } else if (!request.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    parse_error = absl::StrCat("the body is not a protobuf ", Request::descriptor()->name());
  }
  if (!parse_error.empty()) {
    absl::Status status = layer.Unparsable(credentials, method);
    // Authenticated callers learn what was wrong; others only that they
    // are not authenticated.
    if (status.code() == absl::StatusCode::kInvalidArgument) {
      status = absl::InvalidArgumentError(parse_error);
    }
    return status;
  }
  absl::Status status = (layer.*Member)(credentials, options, request, &response);
  if (!status.ok()) return status;
  if (codec == ConnectCodec::kJson) {
    if (!MessageToJson(response, out).ok()) {
      return absl::InternalError("cannot print the response as JSON");
    }
  } else if (!response.SerializeToString(out)) {
    return absl::InternalError("cannot serialize the response");
  }
  return absl::OkStatus();
}

// One row per RPC: adding an RPC to the HTTP API is adding its row here.
constexpr ConnectRoute kConnectRoutes[] = {
    {RpcMethod::kBuildRtcTokenWithUid, &Serve<&ServiceLayer::BuildRtcTokenWithUid>},
    {RpcMethod::kBuildRtcTokenWithAccount, &Serve<&ServiceLayer::BuildRtcTokenWithAccount>},
    {RpcMethod::kBuildRtmToken, &Serve<&ServiceLayer::BuildRtmToken>},
    {RpcMethod::kBuildChatToken, &Serve<&ServiceLayer::BuildChatToken>},
    {RpcMethod::kBuildAccessToken, &Serve<&ServiceLayer::BuildAccessToken>},
    {RpcMethod::kBuildFpaToken, &Serve<&ServiceLayer::BuildFpaToken>},
    {RpcMethod::kBuildApaasToken, &Serve<&ServiceLayer::BuildApaasToken>},
    {RpcMethod::kBuildConvoAiToken, &Serve<&ServiceLayer::BuildConvoAiToken>},
    {RpcMethod::kBuildSttToken, &Serve<&ServiceLayer::BuildSttToken>},
    {RpcMethod::kBuildTokens, &Serve<&ServiceLayer::BuildTokens>},
    {RpcMethod::kDecodeToken, &Serve<&ServiceLayer::DecodeToken>},
};

}  // namespace

const ConnectRoute* FindConnectRoute(std::string_view path) {
  if (path.substr(0, kConnectServicePrefix.size()) != kConnectServicePrefix) return nullptr;
  const std::string_view name = path.substr(kConnectServicePrefix.size());
  for (const ConnectRoute& route : kConnectRoutes) {
    if (RpcMethodName(route.method) == name) return &route;
  }
  return nullptr;
}

}  // namespace agora_token
