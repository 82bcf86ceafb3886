#include "server/http/dropin_routes.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/http/connect_error.h"

namespace agora_token {
namespace {

namespace v1 = agora::token::v1;

constexpr uint32_t kDefaultExpirySeconds = 3600;  // the peer's default

// The peer answers errors as {"message", "status"}; ours add the Connect
// code and details (google.rpc.BadRequest names the field).
HttpResponse Error(const absl::Status& status) {
  HttpResponse response = ConnectErrorResponse(status);
  response.body = absl::StrCat("{\"status\":", response.status, ",", response.body.substr(1));
  return response;
}

// A bad route parameter, named as the peer's route names it.
HttpResponse BadParameter(std::string_view parameter, std::string_view rule) {
  return JsonResponse(
      400, absl::StrCat("{\"status\":400,\"code\":\"invalid_argument\",\"message\":",
                        JsonQuote(absl::StrCat(std::string(parameter), ": ", std::string(rule))),
                        ",\"parameter\":", JsonQuote(parameter), "}"));
}

// A decimal uid that fits in 32 bits. The peer casts 4294967296 to 0
// ("any user"); here it is refused.
std::optional<uint32_t> ParseUid(std::string_view text) {
  uint32_t uid = 0;
  if (text.empty() || text.size() > 10 ||
      text.find_first_not_of("0123456789") != std::string_view::npos ||
      !absl::SimpleAtoi(absl::string_view(text.data(), text.size()), &uid)) {
    return std::nullopt;
  }
  return uid;
}

std::optional<std::string_view> QueryParameter(std::string_view target, std::string_view name) {
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  for (absl::string_view pair :
       absl::StrSplit(absl::string_view(target.data() + question + 1, target.size() - question - 1),
                      '&')) {
    const size_t equals = pair.find('=');
    if (pair.substr(0, equals) == absl::string_view(name.data(), name.size())) {
      return equals == absl::string_view::npos
                 ? std::string_view()
                 : std::string_view(pair.data() + equals + 1, pair.size() - equals - 1);
    }
  }
  return std::nullopt;
}

// Percent-decoding of one path segment (channel names may hold '%XX').
std::optional<std::string> Unescape(std::string_view segment) {
  std::string out;
  for (size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] != '%') {
      out.push_back(segment[i]);
      continue;
    }
    if (i + 2 >= segment.size()) return std::nullopt;
    const std::string hex(segment.substr(i + 1, 2));
    if (hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) return std::nullopt;
    out.push_back(static_cast<char>(std::stoi(hex, nullptr, 16)));
    i += 2;
  }
  return out;
}

struct RtcParams {
  std::string channel;
  v1::Role role = v1::ROLE_PUBLISHER;
  bool by_uid = true;
  uint32_t uid = 0;
  std::string account;
  uint32_t expiry = kDefaultExpirySeconds;
};

class DropIn {
 public:
  DropIn(ServiceLayer& layer, const CallCredentials& credentials, std::string app_id)
      : layer_(layer), credentials_(credentials), app_id_(std::move(app_id)) {}

  absl::StatusOr<std::string> Rtc(const RtcParams& p) {
    if (p.by_uid) {
      v1::BuildRtcTokenWithUidRequest request;
      request.set_uid(p.uid);
      return Token<v1::BuildRtcTokenWithUidResponse>(RtcRequest(p, &request),
                                                     &ServiceLayer::BuildRtcTokenWithUid);
    }
    v1::BuildRtcTokenWithAccountRequest request;
    request.set_account(p.account);
    return Token<v1::BuildRtcTokenWithAccountResponse>(RtcRequest(p, &request),
                                                       &ServiceLayer::BuildRtcTokenWithAccount);
  }

  absl::StatusOr<std::string> Rtm(const std::string& user_id, uint32_t expiry) {
    v1::BuildRtmTokenRequest request;
    request.set_app_id(app_id_);
    request.set_user_id(user_id);
    request.set_token_version(v1::TOKEN_VERSION_007);
    request.set_token_expire_seconds(expiry);
    return Token<v1::BuildRtmTokenResponse>(request, &ServiceLayer::BuildRtmToken);
  }

  absl::StatusOr<std::string> Chat(const std::string& user_id, uint32_t expiry) {
    v1::BuildChatTokenRequest request;
    request.set_app_id(app_id_);
    request.set_kind(user_id.empty() ? v1::CHAT_TOKEN_KIND_APP : v1::CHAT_TOKEN_KIND_USER);
    request.set_user_id(user_id);
    request.set_token_expire_seconds(expiry);
    return Token<v1::BuildChatTokenResponse>(request, &ServiceLayer::BuildChatToken);
  }

 private:
  // The fields both RTC requests share (the peer always mints 007).
  template <typename Request>
  const Request& RtcRequest(const RtcParams& p, Request* request) const {
    request->set_app_id(app_id_);
    request->set_channel_name(p.channel);
    request->set_role(p.role);
    request->set_token_version(v1::TOKEN_VERSION_007);
    request->set_token_expire_seconds(p.expiry);
    return *request;
  }

  // Calls one service-layer method; its response's token, or its error.
  template <typename Response, typename Request, typename Method>
  absl::StatusOr<std::string> Token(const Request& request, Method method) {
    Response response;
    absl::Status status = (layer_.*method)(credentials_, {}, request, &response);
    if (!status.ok()) return status;
    return std::move(*response.mutable_token());
  }

  ServiceLayer& layer_;
  const CallCredentials& credentials_;
  std::string app_id_;
};

// "publisher"/"subscriber" (the peer makes anything else a subscriber).
std::optional<v1::Role> ParseRole(std::string_view role) {
  if (role == "publisher") return v1::ROLE_PUBLISHER;
  if (role == "subscriber") return v1::ROLE_SUBSCRIBER;
  return std::nullopt;
}

std::optional<HttpResponse> ParseExpiry(const HttpRequest& request, uint32_t* expiry) {
  if (std::optional<std::string_view> text = QueryParameter(request.target, "expiry")) {
    if (!absl::SimpleAtoi(absl::string_view(text->data(), text->size()), expiry) ||
        *expiry == 0) {
      return BadParameter("expiry", "must be seconds from 1 to 4294967295");
    }
  }
  return std::nullopt;
}

// channelName, role, tokenType, rtcuid of /rtc and /rte.
std::optional<HttpResponse> ParseRtc(const std::vector<std::string>& segments,
                                     const HttpRequest& request, RtcParams* p) {
  p->channel = segments[1];
  std::optional<v1::Role> role = ParseRole(segments[2]);
  if (!role) return BadParameter("role", "must be publisher or subscriber");
  p->role = *role;
  if (segments[3] == "uid") {
    std::optional<uint32_t> uid = ParseUid(segments[4]);
    if (!uid) return BadParameter("rtcuid", "must be a decimal uid from 0 to 4294967295");
    p->uid = *uid;
  } else if (segments[3] == "userAccount") {
    p->by_uid = false;
    p->account = segments[4];
  } else {
    return BadParameter("tokenType", "must be uid or userAccount");
  }
  return ParseExpiry(request, &p->expiry);
}

HttpResponse TokenJson(std::initializer_list<std::pair<std::string_view, std::string>> fields) {
  std::string body = "{";
  for (const auto& [name, token] : fields) {
    absl::StrAppend(&body, body.size() > 1 ? "," : "", JsonQuote(name), ":", JsonQuote(token));
  }
  body += "}";
  return JsonResponse(200, std::move(body));
}

std::optional<HttpResponse> GetToken(DropIn& dropin, const HttpRequest& request) {
  google::protobuf::Struct body;
  google::protobuf::util::JsonParseOptions options;
  if (!google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(request.body.data(), request.body.size()), &body, options)
           .ok()) {
    return BadParameter("body", "must be a JSON object {tokenType, channel, role, uid, expire}");
  }
  const auto& fields = body.fields();
  auto text = [&](const char* name) -> std::optional<std::string> {
    auto it = fields.find(name);
    if (it == fields.end()) return std::string();
    if (it->second.has_string_value()) return it->second.string_value();
    if (it->second.has_number_value()) {
      const double n = it->second.number_value();
      if (n < 0 || n != static_cast<double>(static_cast<uint64_t>(n))) return std::nullopt;
      return absl::StrCat(static_cast<uint64_t>(n));
    }
    return std::nullopt;
  };
  for (const auto& [name, value] : fields) {
    if (name != "tokenType" && name != "channel" && name != "role" && name != "uid" &&
        name != "expire") {
      return BadParameter(name, "is not a parameter of /getToken");
    }
  }
  const std::optional<std::string> type = text("tokenType");
  const std::optional<std::string> channel = text("channel");
  const std::optional<std::string> role_text = text("role");
  const std::optional<std::string> uid = text("uid");
  const std::optional<std::string> expire_text = text("expire");
  if (!type) return BadParameter("tokenType", "must be rtc, rtm or chat");
  if (!channel) return BadParameter("channel", "must be a string");
  if (!uid) return BadParameter("uid", "must be a string or a number");
  uint32_t expire = kDefaultExpirySeconds;
  if (!expire_text || (!expire_text->empty() && !absl::SimpleAtoi(*expire_text, &expire))) {
    return BadParameter("expire", "must be seconds from 0 to 4294967295");
  }
  if (expire == 0) expire = kDefaultExpirySeconds;
  absl::StatusOr<std::string> token;
  if (*type == "rtc") {
    RtcParams p;
    p.channel = *channel;
    p.expiry = expire;
    std::optional<v1::Role> role =
        role_text && !role_text->empty() ? ParseRole(*role_text) : v1::ROLE_PUBLISHER;
    if (!role) return BadParameter("role", "must be publisher or subscriber");
    p.role = *role;
    // Digits are a uid (and must fit in 32 bits); anything else an account.
    if (!uid->empty() && uid->find_first_not_of("0123456789") == std::string::npos) {
      std::optional<uint32_t> parsed = ParseUid(*uid);
      if (!parsed) return BadParameter("uid", "must be a decimal uid from 0 to 4294967295");
      p.uid = *parsed;
    } else {
      p.by_uid = false;
      p.account = *uid;
    }
    token = dropin.Rtc(p);
  } else if (*type == "rtm") {
    token = dropin.Rtm(*uid, expire);
  } else if (*type == "chat") {
    token = dropin.Chat(*uid, expire);
  } else {
    return BadParameter("tokenType", "must be rtc, rtm or chat");
  }
  if (!token.ok()) return Error(token.status());
  return TokenJson({{"token", *token}});
}

}  // namespace

std::optional<HttpResponse> ServeDropIn(ServiceLayer& layer, const ServingState& state,
                                        const HttpRequest& request, std::string_view path,
                                        const CallCredentials& credentials) {
  std::vector<std::string> segments;
  for (absl::string_view segment :
       absl::StrSplit(absl::string_view(path.data(), path.size()), '/', absl::SkipEmpty())) {
    std::optional<std::string> decoded = Unescape(std::string_view(segment.data(), segment.size()));
    if (!decoded) return BadParameter("path", "has a bad percent escape");
    segments.push_back(*std::move(decoded));
  }
  if (segments.empty()) return std::nullopt;
  const std::string& route = segments[0];
  const size_t n = segments.size();
  const bool known = (route == "ping" && n == 1) || (route == "rtc" && n == 5) ||
                     (route == "rtm" && n == 2) || (route == "rte" && (n == 5 || n == 6)) ||
                     (route == "chat" && ((n == 2 && segments[1] == "app") ||
                                          (n == 3 && segments[1] == "account"))) ||
                     (route == "getToken" && n == 1);
  if (!known) return std::nullopt;
  const char* method = route == "getToken" ? "POST" : "GET";
  if (request.method != method) {
    HttpResponse response =
        JsonResponse(405, "{\"status\":405,\"message\":\"method not allowed\"}");
    response.Set("Allow", method);
    return response;
  }
  if (route == "ping") return JsonResponse(200, "{\"message\":\"pong\"}");

  std::string app_id = state.config.http.dropin_app_id();
  if (app_id.empty()) app_id = state.keyring->SoleAppId();
  if (app_id.empty()) {
    return Error(absl::FailedPreconditionError(
        "the keyring holds several apps: name the one these routes mint for in "
        "http.dropin_app_id"));
  }
  DropIn dropin(layer, credentials, std::move(app_id));
  if (route == "getToken") return GetToken(dropin, request);
  if (route == "rtc" || route == "rte") {
    RtcParams p;
    if (std::optional<HttpResponse> bad = ParseRtc(segments, request, &p)) return bad;
    absl::StatusOr<std::string> rtc = dropin.Rtc(p);
    if (!rtc.ok()) return Error(rtc.status());
    if (route == "rtc") return TokenJson({{"rtcToken", *rtc}});
    absl::StatusOr<std::string> rtm = dropin.Rtm(n == 6 ? segments[5] : segments[4], p.expiry);
    if (!rtm.ok()) return Error(rtm.status());
    return TokenJson({{"rtcToken", *rtc}, {"rtmToken", *rtm}});
  }
  uint32_t expiry = kDefaultExpirySeconds;
  if (std::optional<HttpResponse> bad = ParseExpiry(request, &expiry)) return bad;
  if (route == "rtm") {
    absl::StatusOr<std::string> rtm = dropin.Rtm(segments[1], expiry);
    if (!rtm.ok()) return Error(rtm.status());
    return TokenJson({{"rtmToken", *rtm}});
  }
  absl::StatusOr<std::string> chat = dropin.Chat(n == 3 ? segments[2] : "", expiry);
  if (!chat.ok()) return Error(chat.status());
  return TokenJson({{"chatToken", *chat}});
}

}  // namespace agora_token
