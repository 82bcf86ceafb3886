#include "server/service_layer.h"

#include "server/build_handlers.h"
#include "server/decode_handler.h"
#include "server/log.h"

namespace agora_token {
namespace {

namespace v1 = agora::token::v1;

AuditRecord NewRecord(const CallCredentials& credentials, const Caller* caller, RpcMethod method,
                      std::chrono::steady_clock::time_point start, absl::StatusCode code) {
  AuditRecord record;
  record.time = std::chrono::system_clock::now();
  if (caller != nullptr) record.caller = caller->name;
  record.transport = credentials.transport;
  record.method = method;
  record.code = code;
  record.latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  return record;
}

void FillFacts(const TokenFacts& facts, AuditRecord& record) {
  record.kind = facts.decode ? "decode" : std::string(TokenKindName(facts.kind));
  for (TokenKind kind : GrantedKinds(facts)) record.services.push_back(TokenKindName(kind));
  record.app_id = ClipForAudit(facts.app_id);
  record.channel_name = ClipForAudit(facts.channel_name);
  record.uid = facts.uid;
  record.account = ClipForAudit(facts.account);
  record.role = facts.role;
  record.version = facts.version;
}

// What a call refused as a whole asked for: the facts of a single-token
// request, the size of a batch.
template <typename Request>
void DescribeRefused(const Request& request, const ServingState& state, AuditRecord& record) {
  FillFacts(FactsOf(request, state.options), record);
}
void DescribeRefused(const v1::BuildTokensRequest& request, const ServingState&,
                     AuditRecord& record) {
  record.items = static_cast<uint32_t>(request.items_size());
}
void DescribeRefused(const v1::DecodeTokenRequest& request, const ServingState&,
                     AuditRecord& record) {
  FillFacts(FactsOf(request), record);
}

// A request the transport could not parse: nothing is known of it.
struct UnparsedRequest {};
void DescribeRefused(const UnparsedRequest&, const ServingState&, AuditRecord&) {}

bool DeadlinePassed(const CallOptions& options) {
  return options.deadline <= std::chrono::system_clock::now();
}

}  // namespace

void Call::Audit(const TokenFacts* facts, const absl::Status& status, std::string_view token,
                 uint32_t expire_ts, std::optional<uint32_t> items) const {
  if (!state.audit->enabled()) return;
  AuditRecord record = NewRecord(credentials, &caller, method, start, status.code());
  record.reason = DeniedByRule(status);
  if (facts != nullptr) FillFacts(*facts, record);
  record.items = items;
  record.expire_ts = expire_ts;
  if (!token.empty()) record.fingerprint = TokenFingerprint(token);
  state.audit->Record(std::move(record));
}

template <typename Request, typename Handle>
absl::Status ServiceLayer::Serve(RpcMethod method, const CallCredentials& credentials,
                                 const CallOptions& options, const Request& request,
                                 uint32_t tokens, Handle&& handle) {
  in_flight_.fetch_add(1, std::memory_order_acq_rel);
  const auto start = std::chrono::steady_clock::now();
  // One snapshot for the whole call; it also keeps the caller alive.
  const std::shared_ptr<const ServingState> state = state_->Get();
  AuthenticationFailure failure;
  // An end user's caller is the call's own; the snapshot owns the others.
  const absl::StatusOr<std::shared_ptr<const Caller>> caller =
      state->callers().Authenticate(credentials, &failure, clock_->NowUnixSeconds());
  absl::Status status;
  if (!caller.ok()) {
    status = caller.status();
    Log(LogLevel::kWarning, "refused an unauthenticated call",
        {{"reason", failure.reason},
         {"peer", credentials.peer()},
         {"presented", failure.presented},
         {"transport", std::string(credentials.transport)}});
  } else if (DeadlinePassed(options)) {
    status = absl::DeadlineExceededError("the call's deadline passed before it was served");
  } else if (status = (*caller)->policy.CheckMethod(method); status.ok()) {
    if (const std::optional<RateLimit>& limit = (*caller)->policy.rate_limit()) {
      status = rate_limits_->Take((*caller)->name, *limit, tokens);
    }
  }
  if (status.ok()) {
    const Call call{*state, **caller, credentials, method,
                    start,  *clock_,  *metrics_,   options.cancelled};
    status = handle(call);
  } else if (state->audit->enabled()) {
    AuditRecord record =
        NewRecord(credentials, caller.ok() ? caller->get() : nullptr, method, start, status.code());
    if (!caller.ok()) {
      record.peer = credentials.peer();
      record.presented = failure.presented;
      record.reason = failure.reason;
    } else {
      record.reason = DeniedByRule(status);
    }
    DescribeRefused(request, *state, record);
    state->audit->Record(std::move(record));
  }
  metrics_->RecordCall(method, status.code(), std::chrono::steady_clock::now() - start,
                       credentials.transport);
  in_flight_.fetch_sub(1, std::memory_order_acq_rel);
  return status;
}

// A single-token RPC: one rate-limit token, and the handler of the same
// name.
#define AGORA_TOKEN_SERVE_ONE(Name)                                                               \
  absl::Status ServiceLayer::Name(const CallCredentials& credentials, const CallOptions& options, \
                                  const v1::Name##Request& request,                               \
                                  v1::Name##Response* response) {                                 \
    return Serve(RpcMethod::k##Name, credentials, options, request, 1,                            \
                 [&](const Call& call) { return agora_token::Name(call, request, response); });   \
  }

AGORA_TOKEN_SERVE_ONE(BuildRtcTokenWithUid)
AGORA_TOKEN_SERVE_ONE(BuildRtcTokenWithAccount)
AGORA_TOKEN_SERVE_ONE(BuildRtmToken)
AGORA_TOKEN_SERVE_ONE(BuildChatToken)
AGORA_TOKEN_SERVE_ONE(BuildAccessToken)
AGORA_TOKEN_SERVE_ONE(BuildFpaToken)
AGORA_TOKEN_SERVE_ONE(BuildApaasToken)
AGORA_TOKEN_SERVE_ONE(BuildConvoAiToken)
AGORA_TOKEN_SERVE_ONE(BuildSttToken)
AGORA_TOKEN_SERVE_ONE(DecodeToken)

#undef AGORA_TOKEN_SERVE_ONE

absl::Status ServiceLayer::BuildTokens(const CallCredentials& credentials,
                                       const CallOptions& options,
                                       const v1::BuildTokensRequest& request,
                                       v1::BuildTokensResponse* response) {
  // A batch takes one per item; one out of range (refused by the handler
  // as INVALID_ARGUMENT, not as rate-limited) or empty takes one.
  const size_t items = static_cast<size_t>(request.items_size());
  const size_t max_items = state_->Get()->options.max_batch_items;
  const uint32_t tokens = items >= 1 && items <= max_items ? static_cast<uint32_t>(items) : 1;
  return Serve(RpcMethod::kBuildTokens, credentials, options, request, tokens,
               [&](const Call& call) { return agora_token::BuildTokens(call, request, response); });
}

absl::Status ServiceLayer::Unparsable(const CallCredentials& credentials, RpcMethod method) {
  return Serve(method, credentials, CallOptions{}, UnparsedRequest{}, 1, [&](const Call& call) {
    const absl::Status status = absl::InvalidArgumentError(
        "the request is not a valid message of this method (protobuf parse failed)");
    if (call.state.audit->enabled()) {
      AuditRecord record = NewRecord(credentials, &call.caller, method, call.start, status.code());
      record.reason = "unparsable request";
      call.state.audit->Record(std::move(record));
    }
    return status;
  });
}

}  // namespace agora_token
