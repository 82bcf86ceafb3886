// Who may call the server and what each caller may do, compiled from the
// `callers` of the server config (proto/agora/token/v1/server_config.proto).
// A CallerDirectory is immutable once built and lives in the ServingState,
// so a call sees one consistent set of callers, keys and policies. In
// development mode the directory is Open(): one caller that may do anything.
#ifndef AGORA_TOKEN_SERVER_CALLERS_H_
#define AGORA_TOKEN_SERVER_CALLERS_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "agora/token/v1/server_config.pb.h"
#include "core/crypto.h"
#include "server/rate_limits.h"
#include "server/rpc_method.h"
#include "server/token_facts.h"

namespace agora_token {

struct EndUserBinding;  // end_users.h
class TrustedIssuers;   // end_users.h

// PERMISSION_DENIED "this caller <what>", naming the policy `rule` that
// refused for the audit line.
absl::Status PolicyDenied(std::string_view rule, std::string_view what);
// The rule a PERMISSION_DENIED of a policy names (e.g. "channel_name_prefixes",
// "end_user.identity"), for the audit line; "" for other statuses.
std::string DeniedByRule(const absl::Status& status);

// What one caller may do. Every refusal is PERMISSION_DENIED and speaks only
// of this caller's own policy.
class CallerPolicy {
 public:
  // `field` prefixes error messages, e.g. "callers[2].policy".
  static absl::StatusOr<CallerPolicy> FromProto(const agora::token::v1::CallerPolicy& proto,
                                                const std::string& field);
  // Everything: development mode.
  static CallerPolicy AllowAll();

  // The RPC as a whole: may this caller call it at all?
  absl::Status CheckMethod(RpcMethod method) const;
  // One token to build or decode: its app, then every service and channel
  // it would grant.
  absl::Status CheckToken(const TokenFacts& facts) const;
  // A built token: from issue time to the latest of its own expiry (007)
  // and its privileges' effective expiries.
  absl::Status CheckLifetime(const BuiltToken& token) const;

  const std::optional<RateLimit>& rate_limit() const { return rate_limit_; }

  // An end user without the publisher claim whose publishing RTC requests
  // are built as subscriber rather than refused.
  bool subscribes_instead_of_publishing() const;

 private:
  friend class EndUserTemplate;

  bool Grants(TokenKind kind) const { return kinds_[static_cast<size_t>(kind)]; }
  absl::Status CheckGrant(const GrantFacts& grant, std::optional<TokenVersion> version) const;

  bool all_apps_ = false;
  absl::flat_hash_set<std::string> app_ids_;
  bool rtc006_ = false, rtc007_ = false, decode_ = false, allow_any_user_ = false;
  bool allow_wildcard_channel_ = false;
  // Indexed by TokenKind; RTC is rtc006_/rtc007_.
  bool kinds_[kTokenKindCount] = {};
  uint32_t max_lifetime_seconds_ = 0;
  std::vector<std::string> channel_prefixes_;
  std::optional<RateLimit> rate_limit_;
  // Set for an end user (a JWT's caller): CheckToken checks it too.
  std::shared_ptr<const EndUserBinding> end_user_;
};

struct Caller {
  std::string name;
  CallerPolicy policy;
};

// The identity a verified client certificate proves, as a transport reads it.
struct CertificateIdentity {
  std::vector<std::string> spiffe_ids;  // SPIFFE URI SANs
  std::vector<std::string> dns_names;
  std::string common_name;  // only for a certificate without SANs
  // First 16 hex characters of the SHA-256 of the certificate (DER), for
  // logs and audit lines.
  std::string fingerprint;
};

// What a transport knows about who is calling; nothing transport-specific.
struct CallCredentials {
  std::string_view transport = "grpc";
  // The caller's address, e.g. "ipv4:127.0.0.1:5432", for the log and audit
  // line of a refusal; asked for only then (gRPC copies it under a lock).
  std::function<std::string()> peer = [] { return std::string(); };
  // The verified client certificate (mutual TLS), if any.
  std::optional<CertificateIdentity> certificate;
  // The `authorization` header or metadata value, if any.
  std::optional<std::string_view> authorization;
};

// Why a call was not authenticated, for the server log and the audit line;
// the caller only ever learns UNAUTHENTICATED.
struct AuthenticationFailure {
  absl::Status status;
  std::string reason;     // e.g. "unknown API key"
  std::string presented;  // "api_key_sha256:<16 hex>", "certificate:<ids>", or ""
};

class CallerDirectory {
 public:
  // `mtls` says whether client certificates are verified; identities need it.
  // Trusted issuers' JWKS files are read relative to `base_dir`.
  static absl::StatusOr<std::shared_ptr<const CallerDirectory>> FromProto(
      const agora::token::v1::ServerConfig& config, bool mtls, const std::string& base_dir = "");
  // Development mode: every call is the caller "development", allowed all.
  static std::shared_ptr<const CallerDirectory> Open();

  // The caller these credentials prove, or why not. A certificate is looked
  // up by SPIFFE id first, then DNS names, then its CN (only without SANs);
  // an API key (`Bearer <key>`) is hashed and compared with every configured
  // hash in constant time; a bearer value that looks like a JWT is verified
  // against the trusted issuers at `now_unix_seconds` and makes an end-user
  // caller of its own (which the returned pointer owns; directory callers
  // live as long as the directory).
  absl::StatusOr<std::shared_ptr<const Caller>> Authenticate(const CallCredentials& credentials,
                                                             AuthenticationFailure* failure,
                                                             uint32_t now_unix_seconds) const;

  bool open() const { return open_; }
  size_t size() const { return callers_.size(); }
  // Each rate-limited caller's name and limit, for RateLimits::Adopt.
  std::vector<std::pair<std::string, RateLimit>> RateLimitsByCaller() const;
  // The same for end users: each rate-limited issuer's caller-name prefix
  // ("jwt:<issuer>#") and limit.
  std::vector<std::pair<std::string, RateLimit>> RateLimitsByEndUserPrefix() const;
  // The trusted issuers' JWKS files, watched like the keyring.
  std::vector<std::string> JwksFiles() const;

 private:
  const Caller* FindByApiKey(std::string_view api_key) const;
  const Caller* FindByCertificate(const CertificateIdentity& identity) const;

  bool open_ = false;
  std::vector<Caller> callers_;
  std::vector<std::pair<Sha256Digest, const Caller*>> api_keys_;
  absl::flat_hash_map<std::string, const Caller*> identities_;
  std::shared_ptr<const TrustedIssuers> trusted_issuers_;  // null without any
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_CALLERS_H_
