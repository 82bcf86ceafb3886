#include "server/rate_limits.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/rpc_status.h"

namespace agora_token {

void RateLimits::Bucket::Refill(Clock::time_point now) {
  if (now > refilled) {
    const double elapsed = std::chrono::duration<double>(now - refilled).count();
    available = std::min<double>(limit.burst, available + elapsed * limit.tokens_per_second);
    refilled = now;
  }
}

absl::Status RateLimits::Take(std::string_view key, const RateLimit& limit, uint32_t count,
                              Clock::time_point now) {
  double missing;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (buckets_.size() >= kSweepEvery && added_since_sweep_ >= kSweepEvery) SweepFull(now);
    auto [it, added] = buckets_.try_emplace(absl::string_view(key.data(), key.size()));
    Bucket& bucket = it->second;
    if (added) {
      bucket = Bucket{limit, static_cast<double>(limit.burst), now};
      ++added_since_sweep_;
    }
    bucket.Refill(now);
    if (bucket.available >= count) {
      bucket.available -= count;
      return absl::OkStatus();
    }
    missing = count - bucket.available;
  }
  if (count > limit.burst) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "rate limit: ", count, " tokens in one call exceed this caller's burst of ", limit.burst));
  }
  const auto delay = std::chrono::milliseconds(
      static_cast<int64_t>(std::ceil(missing / limit.tokens_per_second * 1000.0)));
  return WithRetryDelay(absl::ResourceExhaustedError(absl::StrCat(
                            "rate limit: this caller may mint ", limit.tokens_per_second,
                            " tokens per second with a burst of ", limit.burst)),
                        delay);
}

void RateLimits::SweepFull(Clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    auto next = std::next(it);
    it->second.Refill(now);
    if (it->second.available >= it->second.limit.burst) buckets_.erase(it);
    it = next;
  }
  added_since_sweep_ = 0;
}

void RateLimits::Adopt(const std::vector<std::pair<std::string, RateLimit>>& limits,
                       Clock::time_point now,
                       const std::vector<std::pair<std::string, RateLimit>>& prefixes) {
  std::lock_guard<std::mutex> lock(mutex_);
  absl::flat_hash_map<std::string, RateLimit> by_key(limits.begin(), limits.end());
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    auto next = std::next(it);
    const RateLimit* limit = nullptr;
    if (auto found = by_key.find(it->first); found != by_key.end()) {
      limit = &found->second;
    } else {
      for (const auto& [prefix, prefix_limit] : prefixes) {
        if (absl::StartsWith(it->first, prefix)) {
          limit = &prefix_limit;
          break;
        }
      }
    }
    if (limit == nullptr) {
      buckets_.erase(it);
    } else {
      Bucket& bucket = it->second;
      bucket.Refill(now);  // at the old rate, up to the swap
      bucket.limit = *limit;
      bucket.available = std::min<double>(bucket.available, limit->burst);
    }
    it = next;
  }
}

double RateLimits::Level(std::string_view key, const RateLimit& limit,
                         Clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = buckets_.find(absl::string_view(key.data(), key.size()));
  if (it == buckets_.end()) return limit.burst;
  Bucket bucket = it->second;
  bucket.Refill(now);
  return bucket.available;
}

}  // namespace agora_token
