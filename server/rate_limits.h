// Per-caller token buckets that outlive the serving state. A reload swaps
// policies, not buckets: the buckets live here, keyed by caller name, so a
// reload never refills one, and a caller whose rate changes continues from
// its current level at the new rate (Adopt settles every bucket at its old
// rate first). Signed-in end users have a bucket each, under names their
// issuer's prefix starts; a bucket that has refilled is the same as none,
// so such buckets are swept out now and then and memory follows the users
// who are active, not all who ever called.
#ifndef AGORA_TOKEN_SERVER_RATE_LIMITS_H_
#define AGORA_TOKEN_SERVER_RATE_LIMITS_H_

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"

namespace agora_token {

// `burst` tokens at most, refilled at `tokens_per_second`.
struct RateLimit {
  double tokens_per_second = 0;
  uint32_t burst = 0;
  bool operator==(const RateLimit& other) const {
    return tokens_per_second == other.tokens_per_second && burst == other.burst;
  }
};

class RateLimits {
 public:
  using Clock = std::chrono::steady_clock;

  // Takes `count` tokens from `key`'s bucket, or RESOURCE_EXHAUSTED with a
  // retry delay (google.rpc.RetryInfo). A new key starts with a full bucket.
  absl::Status Take(std::string_view key, const RateLimit& limit, uint32_t count,
                    Clock::time_point now = Clock::now());

  // Before a reload swaps policies in: settles every bucket at its old rate
  // up to `now` and moves it to its key's new limit (a smaller burst caps
  // the level), or to the limit of the first of `prefixes` its key starts
  // with; buckets of keys no longer limited are dropped.
  void Adopt(const std::vector<std::pair<std::string, RateLimit>>& limits,
             Clock::time_point now = Clock::now(),
             const std::vector<std::pair<std::string, RateLimit>>& prefixes = {});

  // The tokens left in `key`'s bucket at `now`; the burst for a new key.
  double Level(std::string_view key, const RateLimit& limit, Clock::time_point now) const;

 private:
  struct Bucket {
    RateLimit limit;
    double available = 0;
    Clock::time_point refilled;
    void Refill(Clock::time_point now);
  };

  // Drops the buckets that have refilled, every kSweepEvery new buckets.
  void SweepFull(Clock::time_point now);
  static constexpr size_t kSweepEvery = 4096;

  mutable std::mutex mutex_;
  absl::flat_hash_map<std::string, Bucket> buckets_;
  size_t added_since_sweep_ = 0;
};

}  // namespace agora_token

#endif  // AGORA_TOKEN_SERVER_RATE_LIMITS_H_
