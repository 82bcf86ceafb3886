#include "clients/cpp/token_client.h"

#include <algorithm>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "clients/cpp/shared_service_config.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"

namespace agora_token {
namespace {

namespace v1 = agora::token::v1;

// gRPC ignores attempts beyond 5, and a retryPolicy needs at least 2.
constexpr int kMaxGrpcAttempts = 5;

// clients/service_config.json as embedded at build time, parsed once. CMake
// has checked that it parses and has methodConfig[0].timeout and
// .retryPolicy, so the lookups below cannot miss.
const google::protobuf::Struct& SharedServiceConfig() {
  static const google::protobuf::Struct* const config = [] {
    auto* parsed = new google::protobuf::Struct;
    (void)google::protobuf::util::JsonStringToMessage(internal::kSharedServiceConfigJson, parsed);
    return parsed;
  }();
  return *config;
}

google::protobuf::Struct* MethodConfig(google::protobuf::Struct& config) {
  return (*config.mutable_fields())["methodConfig"]
      .mutable_list_value()
      ->mutable_values(0)
      ->mutable_struct_value();
}

const google::protobuf::Struct& SharedMethodConfig() {
  return SharedServiceConfig().fields().at("methodConfig").list_value().values(0).struct_value();
}

absl::Status WithDetails(absl::StatusCode code, absl::string_view message,
                         const std::string& serialized_rpc_status) {
  absl::Status status(code, message);
  if (!serialized_rpc_status.empty()) {
    status.SetPayload(kRpcStatusPayloadUrl, absl::Cord(serialized_rpc_status));
  }
  return status;
}

std::optional<google::rpc::Status> RpcStatusOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kRpcStatusPayloadUrl);
  if (!payload.has_value()) return std::nullopt;
  google::rpc::Status rpc_status;
  if (!rpc_status.ParseFromString(std::string(*payload))) return std::nullopt;
  return rpc_status;
}

// Both code sets share google.rpc.Code numbering; anything outside it is
// UNKNOWN, as gRPC itself treats it.
absl::StatusCode ToAbslCode(int code) {
  if (code < 0 || code > static_cast<int>(absl::StatusCode::kUnauthenticated)) {
    return absl::StatusCode::kUnknown;
  }
  return static_cast<absl::StatusCode>(code);
}

template <typename Request, typename Response>
using StubMethod = grpc::Status (v1::TokenService::Stub::*)(grpc::ClientContext*, const Request&,
                                                            Response*);

template <typename Request, typename Response>
absl::StatusOr<Response> CallUnary(v1::TokenService::Stub& stub,
                                   StubMethod<Request, Response> method,
                                   grpc::ClientContext& context, const Request& request) {
  Response response;
  grpc::Status status = (stub.*method)(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

}  // namespace

std::chrono::milliseconds DefaultDeadline() {
  google::protobuf::Duration timeout;
  // A JSON string holding a duration is the Duration message's JSON form.
  (void)google::protobuf::util::JsonStringToMessage(
      absl::StrCat("\"", SharedMethodConfig().fields().at("timeout").string_value(), "\""),
      &timeout);
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::seconds(timeout.seconds()) + std::chrono::nanoseconds(timeout.nanos()));
}

int DefaultMaxAttempts() {
  return static_cast<int>(SharedMethodConfig()
                              .fields()
                              .at("retryPolicy")
                              .struct_value()
                              .fields()
                              .at("maxAttempts")
                              .number_value());
}

std::string TokenServiceConfigJson(const TokenClientOptions& options) {
  google::protobuf::Struct config = SharedServiceConfig();
  google::protobuf::Struct& method = *MethodConfig(config);
  // The deadline is set on each call instead (NewContext): gRPC 1.51's core
  // measures a service config timeout from a stale start time (a "2s"
  // timeout expired after about 1 s in our probe) and does not send it to
  // the server.
  method.mutable_fields()->erase("timeout");
  if (options.max_attempts < 2) {
    method.mutable_fields()->erase("retryPolicy");
  } else {
    (*(*method.mutable_fields())["retryPolicy"].mutable_struct_value()->mutable_fields())
        ["maxAttempts"]
            .set_number_value(std::min(options.max_attempts, kMaxGrpcAttempts));
  }
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(config, &json);
  return json;
}

std::string TokenServiceConfigJson(int max_attempts) {
  TokenClientOptions options;
  options.max_attempts = max_attempts;
  return TokenServiceConfigJson(options);
}

std::shared_ptr<grpc::Channel> CreateTokenServiceChannel(const std::string& target,
                                                         const TokenClientOptions& options) {
  grpc::ChannelArguments arguments;
  arguments.SetServiceConfigJSON(TokenServiceConfigJson(options));
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      options.credentials != nullptr ? options.credentials : grpc::InsecureChannelCredentials();
  return grpc::CreateCustomChannel(target, credentials, arguments);
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return WithDetails(ToAbslCode(static_cast<int>(status.error_code())), status.error_message(),
                     status.error_details());
}

absl::Status FromRpcStatus(const google::rpc::Status& status) {
  if (status.code() == 0) return absl::OkStatus();
  return WithDetails(ToAbslCode(status.code()), status.message(), status.SerializeAsString());
}

std::vector<FieldViolation> FieldViolations(const absl::Status& status) {
  std::vector<FieldViolation> violations;
  std::optional<google::rpc::Status> rpc_status = RpcStatusOf(status);
  if (!rpc_status.has_value()) return violations;
  for (const google::protobuf::Any& detail : rpc_status->details()) {
    google::rpc::BadRequest bad_request;
    if (!detail.Is<google::rpc::BadRequest>() || !detail.UnpackTo(&bad_request)) continue;
    for (const google::rpc::BadRequest::FieldViolation& violation :
         bad_request.field_violations()) {
      violations.push_back({violation.field(), violation.description()});
    }
  }
  return violations;
}

std::optional<std::chrono::milliseconds> RetryDelay(const absl::Status& status) {
  std::optional<google::rpc::Status> rpc_status = RpcStatusOf(status);
  if (!rpc_status.has_value()) return std::nullopt;
  for (const google::protobuf::Any& detail : rpc_status->details()) {
    google::rpc::RetryInfo retry_info;
    if (!detail.Is<google::rpc::RetryInfo>() || !detail.UnpackTo(&retry_info)) continue;
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::seconds(retry_info.retry_delay().seconds()) +
        std::chrono::nanoseconds(retry_info.retry_delay().nanos()));
  }
  return std::nullopt;
}

TokenClient::TokenClient(const std::string& target, TokenClientOptions options)
    : TokenClient(CreateTokenServiceChannel(target, options), options) {}

TokenClient::TokenClient(std::shared_ptr<grpc::Channel> channel, TokenClientOptions options)
    : options_(std::move(options)),
      channel_(std::move(channel)),
      stub_(v1::TokenService::NewStub(channel_)) {}

std::unique_ptr<grpc::ClientContext> TokenClient::NewContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + options_.deadline);
  if (!options_.api_key.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", options_.api_key));
  }
  return context;
}

absl::StatusOr<v1::BuildRtcTokenWithUidResponse> TokenClient::BuildRtcTokenWithUid(
    const v1::BuildRtcTokenWithUidRequest& request) const {
  return CallUnary(*stub_, &v1::TokenService::Stub::BuildRtcTokenWithUid, *NewContext(), request);
}

absl::StatusOr<v1::BuildRtcTokenWithAccountResponse> TokenClient::BuildRtcTokenWithAccount(
    const v1::BuildRtcTokenWithAccountRequest& request) const {
  return CallUnary(*stub_, &v1::TokenService::Stub::BuildRtcTokenWithAccount, *NewContext(),
                   request);
}

absl::StatusOr<v1::BuildRtmTokenResponse> TokenClient::BuildRtmToken(
    const v1::BuildRtmTokenRequest& request) const {
  return CallUnary(*stub_, &v1::TokenService::Stub::BuildRtmToken, *NewContext(), request);
}

absl::StatusOr<v1::BuildChatTokenResponse> TokenClient::BuildChatToken(
    const v1::BuildChatTokenRequest& request) const {
  return CallUnary(*stub_, &v1::TokenService::Stub::BuildChatToken, *NewContext(), request);
}

absl::StatusOr<v1::BuildAccessTokenResponse> TokenClient::BuildAccessToken(
    const v1::BuildAccessTokenRequest& request) const {
  return CallUnary(*stub_, &v1::TokenService::Stub::BuildAccessToken, *NewContext(), request);
}

absl::StatusOr<v1::BuildFpaTokenResponse> TokenClient::BuildFpaToken(
    const v1::BuildFpaTokenRequest& request) const {
  return CallUnary(*stub_, &v1::TokenService::Stub::BuildFpaToken, *NewContext(), request);
}

absl::StatusOr<v1::BuildApaasTokenResponse> TokenClient::BuildApaasToken(
    const v1::BuildApaasTokenRequest& request) const {
  return CallUnary(*stub_, &v1::TokenService::Stub::BuildApaasToken, *NewContext(), request);
}

absl::StatusOr<v1::BuildConvoAiTokenResponse> TokenClient::BuildConvoAiToken(
    const v1::BuildConvoAiTokenRequest& request) const {
  return CallUnary(*stub_, &v1::TokenService::Stub::BuildConvoAiToken, *NewContext(), request);
}

absl::StatusOr<v1::BuildSttTokenResponse> TokenClient::BuildSttToken(
    const v1::BuildSttTokenRequest& request) const {
  return CallUnary(*stub_, &v1::TokenService::Stub::BuildSttToken, *NewContext(), request);
}

absl::StatusOr<v1::BuildTokensResponse> TokenClient::BuildTokens(
    const v1::BuildTokensRequest& request) const {
  return CallUnary(*stub_, &v1::TokenService::Stub::BuildTokens, *NewContext(), request);
}

absl::StatusOr<v1::DecodeTokenResponse> TokenClient::DecodeToken(
    const v1::DecodeTokenRequest& request) const {
  return CallUnary(*stub_, &v1::TokenService::Stub::DecodeToken, *NewContext(), request);
}

absl::StatusOr<v1::BuildRtcTokenWithUidResponse> TokenClient::BuildTokenWithUid(
    const std::string& app_id, const std::string& channel_name, uint32_t uid, v1::Role role,
    uint32_t privilege_expired_ts, v1::TokenVersion version) const {
  v1::BuildRtcTokenWithUidRequest request;
  request.set_app_id(app_id);
  request.set_channel_name(channel_name);
  request.set_uid(uid);
  request.set_role(role);
  request.set_privilege_expired_ts(privilege_expired_ts);
  request.set_token_version(version);
  return BuildRtcTokenWithUid(request);
}

absl::StatusOr<v1::BuildRtcTokenWithAccountResponse> TokenClient::BuildTokenWithAccount(
    const std::string& app_id, const std::string& channel_name, const std::string& account,
    v1::Role role, uint32_t privilege_expired_ts, v1::TokenVersion version) const {
  v1::BuildRtcTokenWithAccountRequest request;
  request.set_app_id(app_id);
  request.set_channel_name(channel_name);
  request.set_account(account);
  request.set_role(role);
  request.set_privilege_expired_ts(privilege_expired_ts);
  request.set_token_version(version);
  return BuildRtcTokenWithAccount(request);
}

}  // namespace agora_token
