// Drop-in routes of AgoraIO-Community/agora-token-service, with its paths,
// parameters and response shapes, mapped onto the service layer so its
// users switch by changing the base URL, but pass our authentication,
// policy, rate limits and input rules:
//   GET  /ping                                        {"message": "pong"}
//   GET  /rtc/:channelName/:role/:tokenType/:rtcuid/  {"rtcToken"}
//   GET  /rtm/:rtmuid/                                {"rtmToken"}
//   GET  /rte/:channelName/:role/:tokenType/:rtcuid/[:rtmuid/]
//                                                     {"rtcToken", "rtmToken"}
//   GET  /chat/app/, /chat/account/:chatid/           {"chatToken"}
//   POST /getToken {tokenType, channel, role, uid, expire}  {"token"}
// They mint for HttpConfig.dropin_app_id, or the keyring's only app. The
// README lists what each maps to and every difference from the peer.
#ifndef AGORA_TOKEN_SERVER_HTTP_DROPIN_ROUTES_H_
#define AGORA_TOKEN_SERVER_HTTP_DROPIN_ROUTES_H_

#include <optional>
#include <string_view>

#include "server/http/http_message.h"
#include "server/service_layer.h"
#include "server/serving_state.h"

namespace agora_token {

// The answer when `path` is a drop-in route; nullopt otherwise.
std::optional<HttpResponse> ServeDropIn(ServiceLayer& layer, const ServingState& state,
                                        const HttpRequest& request, std::string_view path,
                                        const CallCredentials& credentials);

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_HTTP_DROPIN_ROUTES_H_
