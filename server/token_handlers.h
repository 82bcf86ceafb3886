// The work of each TokenService RPC as a plain function over its request
// message: validate, look the app up in the keyring, call the core, fill the
// response. No gRPC types here, so tests call these directly; the callback
// service (token_service.h) only forwards to them and finishes the call.
#ifndef AGORA_TOKEN_SERVER_TOKEN_HANDLERS_H_
#define AGORA_TOKEN_SERVER_TOKEN_HANDLERS_H_

#include <cstddef>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "agora/token/v1/token_service.pb.h"
#include "core/token.h"
#include "server/keyring.h"
#include "server/metrics.h"
#include "server/token_gate.h"

namespace agora_token {

struct HandlerOptions {
  TokenVersion default_version = TokenVersion::k007;
  Compression compression = Compression::kCompatible;
  size_t max_batch_items = 1000;
};

class TokenHandlers {
 public:
  // `keyring`, `clock` and `metrics` (may be null) must outlive the handlers.
  TokenHandlers(HandlerOptions options, const KeyringStore* keyring, const Clock* clock,
                Metrics* metrics = nullptr)
      : options_(options), keyring_(keyring), clock_(clock), metrics_(metrics) {}

  size_t max_batch_items() const { return options_.max_batch_items; }

  // Every handler consults `gate` for each token (token_gate.h).
  absl::Status BuildRtcTokenWithUid(const agora::token::v1::BuildRtcTokenWithUidRequest& request,
                                    agora::token::v1::BuildRtcTokenWithUidResponse* response,
                                    const TokenGate& gate = TokenGate::Open()) const;
  absl::Status BuildRtcTokenWithAccount(
      const agora::token::v1::BuildRtcTokenWithAccountRequest& request,
      agora::token::v1::BuildRtcTokenWithAccountResponse* response,
      const TokenGate& gate = TokenGate::Open()) const;
  absl::Status BuildRtmToken(const agora::token::v1::BuildRtmTokenRequest& request,
                             agora::token::v1::BuildRtmTokenResponse* response,
                             const TokenGate& gate = TokenGate::Open()) const;
  absl::Status BuildChatToken(const agora::token::v1::BuildChatTokenRequest& request,
                              agora::token::v1::BuildChatTokenResponse* response,
                              const TokenGate& gate = TokenGate::Open()) const;
  // `cancelled` is polled between items so an abandoned batch stops early.
  absl::Status BuildTokens(const agora::token::v1::BuildTokensRequest& request,
                           agora::token::v1::BuildTokensResponse* response,
                           const std::function<bool()>& cancelled = nullptr,
                           const TokenGate& gate = TokenGate::Open()) const;
  absl::Status DecodeToken(const agora::token::v1::DecodeTokenRequest& request,
                           agora::token::v1::DecodeTokenResponse* response,
                           const TokenGate& gate = TokenGate::Open()) const;

 private:
  // Shared by the single RPCs and the batch: one request against one
  // keyring snapshot.
  // Each validates against `facts` already filled from the request, asks
  // the gate to admit once the version is known, and builds.
  template <typename Request>
  absl::StatusOr<BuiltToken> BuildRtc(const Keyring& keyring, const Request& request, RtcUser user,
                                      const TokenGate& gate, TokenFacts& facts) const;
  absl::StatusOr<BuiltToken> BuildRtm(const Keyring& keyring,
                                      const agora::token::v1::BuildRtmTokenRequest& request,
                                      const TokenGate& gate, TokenFacts& facts) const;
  absl::StatusOr<BuiltToken> BuildChat(const Keyring& keyring,
                                       const agora::token::v1::BuildChatTokenRequest& request,
                                       const TokenGate& gate, TokenFacts& facts) const;
  // One request from start to decision: facts, build, gate, metrics.
  absl::StatusOr<BuiltToken> Decided(const Keyring& keyring,
                                     const agora::token::v1::BuildRtcTokenWithUidRequest& request,
                                     const TokenGate& gate) const;
  absl::StatusOr<BuiltToken> Decided(
      const Keyring& keyring, const agora::token::v1::BuildRtcTokenWithAccountRequest& request,
      const TokenGate& gate) const;
  absl::StatusOr<BuiltToken> Decided(const Keyring& keyring,
                                     const agora::token::v1::BuildRtmTokenRequest& request,
                                     const TokenGate& gate) const;
  absl::StatusOr<BuiltToken> Decided(const Keyring& keyring,
                                     const agora::token::v1::BuildChatTokenRequest& request,
                                     const TokenGate& gate) const;
  absl::StatusOr<BuiltToken> BuildItem(const Keyring& keyring,
                                       const agora::token::v1::BuildTokensRequestItem& item,
                                       const TokenGate& gate) const;
  // DecodeToken without its decision record; fills `facts` and `app_id`.
  absl::Status Decode(const agora::token::v1::DecodeTokenRequest& request,
                      agora::token::v1::DecodeTokenResponse* response, const TokenGate& gate,
                      TokenFacts& facts, std::string& app_id) const;
  absl::StatusOr<TokenVersion> VersionOf(int token_version) const;
  // Counts a successful build in the metrics.
  absl::StatusOr<BuiltToken> Counted(TokenKind kind, absl::StatusOr<BuiltToken> built) const;

  HandlerOptions options_;
  const KeyringStore* keyring_;
  const Clock* clock_;
  Metrics* metrics_;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_TOKEN_HANDLERS_H_
