// A small typed C++ client for agora.token.v1.TokenService. TokenClient wraps
// the generated stub: one method per RPC taking the request message and
// returning absl::StatusOr<Response>, plus BuildTokenWithUid and
// BuildTokenWithAccount, which mirror the product document's Ruby builders
// (minus the certificate, which only the server holds). Every call gets a
// deadline, and a channel made from a target string retries UNAVAILABLE
// (server restarting or draining) and server-side CANCELLED within that deadline; the
// retry policy and the default deadline are those of clients/service_config.json, which
// all five clients share, embedded at build time. A failed call
// comes back as an absl::Status with the gRPC code and message; the server's google.rpc.Status
// details ride along as a payload, which FieldViolations and RetryDelay decode. The client is
// thread-safe: share one per target.
#ifndef AGORA_TOKEN_CLIENTS_CPP_TOKEN_CLIENT_H_
#define AGORA_TOKEN_CLIENTS_CPP_TOKEN_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agora/token/v1/token_service.grpc.pb.h"
#include "agora/token/v1/token_service.pb.h"
#include "google/rpc/status.pb.h"

namespace agora_token {

// The absl::Status payload key under which a failed call carries the
// serialized google.rpc.Status the server sent (grpc-status-details-bin).
inline constexpr char kRpcStatusPayloadUrl[] = "type.googleapis.com/google.rpc.Status";

// The default deadline of a call: the "timeout" of the shared service config.
std::chrono::milliseconds DefaultDeadline();

// The shared service config's maxAttempts.
int DefaultMaxAttempts();

struct TokenClientOptions {
  // Deadline of each call, retries included. Must be positive.
  std::chrono::milliseconds deadline = DefaultDeadline();

  // Attempts per call when the server answers UNAVAILABLE or CANCELLED,
  // first one included (gRPC caps this at 5); 1 disables retries. Used only
  // when the client creates its channel.
  int max_attempts = DefaultMaxAttempts();

  // Used only when the client creates its channel; nullptr means plaintext,
  // which the server accepts on loopback or behind a trusted proxy.
  std::shared_ptr<grpc::ChannelCredentials> credentials;

  // Sent as "authorization: Bearer <key>" with every call when not empty,
  // for servers whose config identifies callers by API key (use it over TLS).
  std::string api_key;
};

// One google.rpc.BadRequest field violation: the field's path in the request
// message (e.g. "channel_name") and the rule it breaks.
struct FieldViolation {
  std::string field;
  std::string description;

  bool operator==(const FieldViolation& other) const {
    return field == other.field && description == other.description;
  }
};

// The service config a TokenClient's own channel uses: the shared one with
// maxAttempts set to options.max_attempts and without its "timeout", which
// the client applies to each call itself (options.deadline). Public so
// callers that build their own channel can reuse it.
std::string TokenServiceConfigJson(const TokenClientOptions& options);

// The same for default options with `max_attempts`.
std::string TokenServiceConfigJson(int max_attempts);

// A channel to `target` ("host:port") with TokenServiceConfigJson(options) set.
std::shared_ptr<grpc::Channel> CreateTokenServiceChannel(const std::string& target,
                                                         const TokenClientOptions& options = {});

// grpc::Status -> absl::Status with the same code and message; the details
// trailer, if any, becomes the kRpcStatusPayloadUrl payload.
absl::Status FromGrpcStatus(const grpc::Status& status);

// google.rpc.Status (a BuildTokensResult error) -> absl::Status, the same way.
absl::Status FromRpcStatus(const google::rpc::Status& status);

// The google.rpc.BadRequest field violations carried by `status`, in the order
// sent; empty if it carries none (or its payload does not parse).
std::vector<FieldViolation> FieldViolations(const absl::Status& status);

// The google.rpc.RetryInfo delay carried by `status`, if any.
std::optional<std::chrono::milliseconds> RetryDelay(const absl::Status& status);

class TokenClient {
 public:
  // Connects to `target` ("host:port") over a channel it creates.
  explicit TokenClient(const std::string& target, TokenClientOptions options = {});
  // Uses the caller's channel as is (its service config, if any, applies).
  explicit TokenClient(std::shared_ptr<grpc::Channel> channel, TokenClientOptions options = {});

  absl::StatusOr<agora::token::v1::BuildRtcTokenWithUidResponse> BuildRtcTokenWithUid(
      const agora::token::v1::BuildRtcTokenWithUidRequest& request) const;
  absl::StatusOr<agora::token::v1::BuildRtcTokenWithAccountResponse> BuildRtcTokenWithAccount(
      const agora::token::v1::BuildRtcTokenWithAccountRequest& request) const;
  absl::StatusOr<agora::token::v1::BuildRtmTokenResponse> BuildRtmToken(
      const agora::token::v1::BuildRtmTokenRequest& request) const;
  absl::StatusOr<agora::token::v1::BuildChatTokenResponse> BuildChatToken(
      const agora::token::v1::BuildChatTokenRequest& request) const;
  absl::StatusOr<agora::token::v1::BuildAccessTokenResponse> BuildAccessToken(
      const agora::token::v1::BuildAccessTokenRequest& request) const;
  absl::StatusOr<agora::token::v1::BuildFpaTokenResponse> BuildFpaToken(
      const agora::token::v1::BuildFpaTokenRequest& request) const;
  absl::StatusOr<agora::token::v1::BuildApaasTokenResponse> BuildApaasToken(
      const agora::token::v1::BuildApaasTokenRequest& request) const;
  absl::StatusOr<agora::token::v1::BuildConvoAiTokenResponse> BuildConvoAiToken(
      const agora::token::v1::BuildConvoAiTokenRequest& request) const;
  absl::StatusOr<agora::token::v1::BuildSttTokenResponse> BuildSttToken(
      const agora::token::v1::BuildSttTokenRequest& request) const;
  // Item errors are inside the response; FromRpcStatus converts them.
  absl::StatusOr<agora::token::v1::BuildTokensResponse> BuildTokens(
      const agora::token::v1::BuildTokensRequest& request) const;
  absl::StatusOr<agora::token::v1::DecodeTokenResponse> DecodeToken(
      const agora::token::v1::DecodeTokenRequest& request) const;

  // The product document's build_token_with_uid. privilege_expired_ts is
  // absolute unix seconds, 0 for "as long as the token"; `version` left
  // unspecified means the server's default format.
  absl::StatusOr<agora::token::v1::BuildRtcTokenWithUidResponse> BuildTokenWithUid(
      const std::string& app_id, const std::string& channel_name, uint32_t uid,
      agora::token::v1::Role role, uint32_t privilege_expired_ts,
      agora::token::v1::TokenVersion version = agora::token::v1::TOKEN_VERSION_UNSPECIFIED) const;

  // The product document's build_token_with_account.
  absl::StatusOr<agora::token::v1::BuildRtcTokenWithAccountResponse> BuildTokenWithAccount(
      const std::string& app_id, const std::string& channel_name, const std::string& account,
      agora::token::v1::Role role, uint32_t privilege_expired_ts,
      agora::token::v1::TokenVersion version = agora::token::v1::TOKEN_VERSION_UNSPECIFIED) const;

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

 private:
  // A context whose deadline is now + options_.deadline.
  std::unique_ptr<grpc::ClientContext> NewContext() const;

  TokenClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<agora::token::v1::TokenService::Stub> stub_;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_CLIENTS_CPP_TOKEN_CLIENT_H_
