// Who may call the server and what each caller may do, compiled from the
// `callers` of the server config (proto/agora/token/v1/server_config.proto).
// A CallerDirectory is immutable once built; a reload builds a new one and
// swaps it in whole (CallerDirectoryStore), so a call sees one consistent
// set of callers, keys and policies.
#ifndef AGORA_TOKEN_SERVER_CALLERS_H_
#define AGORA_TOKEN_SERVER_CALLERS_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "agora/token/v1/server_config.pb.h"
#include "core/crypto.h"
#include "server/metrics.h"
#include "server/snapshot_store.h"
#include "server/token_gate.h"

namespace agora_token {

// A token bucket. Thread-safe; the lock is held for a few arithmetic steps.
class RateLimiter {
 public:
  RateLimiter(double tokens_per_second, uint32_t burst);

  // Takes `count` tokens, or returns how long until `count` will be there
  // (never, as a very long delay, when count exceeds the burst).
  absl::Status Take(uint32_t count);

 private:
  const double rate_;
  const double burst_;
  std::mutex mutex_;
  double available_;
  std::chrono::steady_clock::time_point refilled_;
};

// What one caller may do. Every refusal is PERMISSION_DENIED and speaks only
// of this caller's own policy.
class CallerPolicy {
 public:
  // `field` prefixes error messages, e.g. "callers[2].policy".
  static absl::StatusOr<std::unique_ptr<CallerPolicy>> FromProto(
      const agora::token::v1::CallerPolicy& proto, const std::string& field);

  // The RPC as a whole: may this caller call it at all?
  absl::Status CheckMethod(RpcMethod method) const;
  // One token to build or decode.
  absl::Status CheckToken(const TokenFacts& facts) const;
  // A built token: from issue time to its latest effective privilege expiry.
  absl::Status CheckLifetime(const BuiltToken& token) const;

  // nullptr when unlimited.
  RateLimiter* rate_limiter() const { return rate_limiter_.get(); }

 private:
  bool all_apps_ = false;
  absl::flat_hash_set<std::string> app_ids_;
  bool rtc006_ = false, rtc007_ = false, rtm_ = false, chat_ = false, decode_ = false;
  uint32_t max_lifetime_seconds_ = 0;
  std::vector<std::string> channel_prefixes_;
  std::unique_ptr<RateLimiter> rate_limiter_;
};

struct Caller {
  std::string name;
  std::unique_ptr<CallerPolicy> policy;
};

// The identity a client certificate proves (gRPC's auth context, reduced).
struct CertificateIdentity {
  std::vector<std::string> spiffe_ids;
  std::vector<std::string> dns_names;
  std::string common_name;
};

class CallerDirectory {
 public:
  // `mtls` says whether client certificates are verified; identities need it.
  static absl::StatusOr<std::shared_ptr<const CallerDirectory>> FromProto(
      const agora::token::v1::ServerConfig& config, bool mtls);

  // The caller whose API key this is, or nullptr. Hashes the key and compares
  // it with every configured hash in constant time, without stopping early.
  const Caller* FindByApiKey(std::string_view api_key) const;
  // SPIFFE id first, then DNS names, then the CN (only without SANs).
  const Caller* FindByCertificate(const CertificateIdentity& identity) const;

  size_t size() const { return callers_.size(); }

 private:
  std::vector<Caller> callers_;
  std::vector<std::pair<Sha256Digest, const Caller*>> api_keys_;
  absl::flat_hash_map<std::string, const Caller*> identities_;
};

using CallerDirectoryStore = SnapshotStore<CallerDirectory>;

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_CALLERS_H_
