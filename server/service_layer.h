// The service layer: what every transport calls, and nothing of any
// transport in it. A transport turns its wire request into the proto
// request and its connection into CallCredentials, calls one method here,
// and maps the absl::Status back (grpc_status.h for gRPC,
// http/connect_error.h for HTTP). Each call:
//   read one ServingState snapshot -> deadline -> authenticate (the
//   snapshot's CallerDirectory) -> the caller's method policy -> its rate
//   limit -> the handler (build_handlers.h, decode_handler.h) -> core,
// with exactly one audit line per decision: per request, per batch item, or
// one for a call refused as a whole.
#ifndef AGORA_TOKEN_SERVER_SERVICE_LAYER_H_
#define AGORA_TOKEN_SERVER_SERVICE_LAYER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "agora/token/v1/token_service.pb.h"
#include "core/token.h"
#include "server/callers.h"
#include "server/metrics.h"
#include "server/rate_limits.h"
#include "server/serving_state.h"
#include "server/token_facts.h"

namespace agora_token {

// One authenticated call, as the handlers see it.
struct Call {
  const ServingState& state;
  const Caller& caller;
  const CallCredentials& credentials;
  RpcMethod method;
  std::chrono::steady_clock::time_point start;
  const Clock& clock;
  Metrics& metrics;
  // True once nobody waits for the answer (polled between batch items).
  const std::function<bool()>& cancelled;

  // Writes the audit line of one decision: about `facts` (null when the
  // request says nothing usable, like a batch item with no request set),
  // with the issued or decoded `token` if any, or about a whole batch of
  // `items`.
  // The line names the policy rule that refused, if one did.
  void Audit(const TokenFacts* facts, const absl::Status& status, std::string_view token = {},
             uint32_t expire_ts = 0, std::optional<uint32_t> items = std::nullopt) const;
};

// Per-call facts about the call itself, from the transport.
struct CallOptions {
  std::chrono::system_clock::time_point deadline = std::chrono::system_clock::time_point::max();
  std::function<bool()> cancelled;  // may be empty
};

class ServiceLayer {
 public:
  // Everything must outlive the layer.
  ServiceLayer(const ServingStateStore* state, RateLimits* rate_limits, Metrics* metrics,
               const Clock* clock)
      : state_(state), rate_limits_(rate_limits), metrics_(metrics), clock_(clock) {}

  absl::Status BuildRtcTokenWithUid(const CallCredentials& credentials, const CallOptions& call,
                                    const agora::token::v1::BuildRtcTokenWithUidRequest& request,
                                    agora::token::v1::BuildRtcTokenWithUidResponse* response);
  absl::Status BuildRtcTokenWithAccount(
      const CallCredentials& credentials, const CallOptions& call,
      const agora::token::v1::BuildRtcTokenWithAccountRequest& request,
      agora::token::v1::BuildRtcTokenWithAccountResponse* response);
  absl::Status BuildRtmToken(const CallCredentials& credentials, const CallOptions& call,
                             const agora::token::v1::BuildRtmTokenRequest& request,
                             agora::token::v1::BuildRtmTokenResponse* response);
  absl::Status BuildChatToken(const CallCredentials& credentials, const CallOptions& call,
                              const agora::token::v1::BuildChatTokenRequest& request,
                              agora::token::v1::BuildChatTokenResponse* response);
  absl::Status BuildAccessToken(const CallCredentials& credentials, const CallOptions& call,
                                const agora::token::v1::BuildAccessTokenRequest& request,
                                agora::token::v1::BuildAccessTokenResponse* response);
  absl::Status BuildFpaToken(const CallCredentials& credentials, const CallOptions& call,
                             const agora::token::v1::BuildFpaTokenRequest& request,
                             agora::token::v1::BuildFpaTokenResponse* response);
  absl::Status BuildApaasToken(const CallCredentials& credentials, const CallOptions& call,
                               const agora::token::v1::BuildApaasTokenRequest& request,
                               agora::token::v1::BuildApaasTokenResponse* response);
  absl::Status BuildConvoAiToken(const CallCredentials& credentials, const CallOptions& call,
                                 const agora::token::v1::BuildConvoAiTokenRequest& request,
                                 agora::token::v1::BuildConvoAiTokenResponse* response);
  absl::Status BuildSttToken(const CallCredentials& credentials, const CallOptions& call,
                             const agora::token::v1::BuildSttTokenRequest& request,
                             agora::token::v1::BuildSttTokenResponse* response);
  absl::Status BuildTokens(const CallCredentials& credentials, const CallOptions& call,
                           const agora::token::v1::BuildTokensRequest& request,
                           agora::token::v1::BuildTokensResponse* response);
  absl::Status DecodeToken(const CallCredentials& credentials, const CallOptions& call,
                           const agora::token::v1::DecodeTokenRequest& request,
                           agora::token::v1::DecodeTokenResponse* response);

  // A request the transport could not parse: refused (INVALID_ARGUMENT
  // naming no field), audited and counted like any other decision.
  absl::Status Unparsable(const CallCredentials& credentials, RpcMethod method);

  // Calls currently inside the layer; a drain waits for this to reach 0.
  int in_flight() const { return in_flight_.load(std::memory_order_acquire); }

 private:
  // Everything before and after the handler; `request` describes a call
  // refused as a whole in its audit line.
  template <typename Request, typename Handle>
  absl::Status Serve(RpcMethod method, const CallCredentials& credentials,
                     const CallOptions& options, const Request& request, uint32_t tokens,
                     Handle&& handle);

  const ServingStateStore* state_;
  RateLimits* rate_limits_;
  Metrics* metrics_;
  const Clock* clock_;
  std::atomic<int> in_flight_{0};
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_SERVICE_LAYER_H_
