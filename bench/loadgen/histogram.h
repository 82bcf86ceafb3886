// A log-linear latency histogram in the style of HdrHistogram: every power of
// two above kSubBuckets is split into kSubBuckets equal-width buckets, so a
// recorded value is known to within 1/kSubBuckets of itself (0.78%) while the
// whole uint64 range fits in a few thousand counters. Values below
// kSubBuckets are kept exactly. Recording is a shift and an increment, cheap
// enough for the load generator's hot path; each worker thread owns one and
// the results are merged at the end. Not thread-safe.
#ifndef AGORA_TOKEN_BENCH_LOADGEN_HISTOGRAM_H_
#define AGORA_TOKEN_BENCH_LOADGEN_HISTOGRAM_H_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace agora_token_bench {

class LogLinearHistogram {
 public:
  // 2^7 linear sub-buckets per power of two: a bucket is at most 1/128 of its
  // lower bound wide, so reporting its midpoint is within 0.4% of any value
  // in it (the brief asks for < 1%).
  static constexpr int kSubBucketBits = 7;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;
  // Values < kSubBuckets get one exact bucket each; each of the remaining
  // 64 - kSubBucketBits powers of two gets kSubBuckets buckets.
  static constexpr size_t kBucketCount = kSubBuckets * (64 - kSubBucketBits + 1);

  LogLinearHistogram() : counts_(kBucketCount, 0) {}

  void Record(uint64_t value) {
    ++counts_[BucketIndex(value)];
    ++count_;
    sum_ += static_cast<double>(value);
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }

  void Merge(const LogLinearHistogram& other) {
    for (size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }

  uint64_t count() const { return count_; }
  // 0 when empty.
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_); }

  // The value below which `percentile` percent (0..100) of the recorded
  // values fall: the midpoint of the bucket holding the value of that rank,
  // clamped to the exact min and max. 0 when empty.
  uint64_t ValueAtPercentile(double percentile) const {
    if (count_ == 0) return 0;
    if (percentile >= 100.0) return max_;
    if (percentile <= 0.0) return min_;
    // The rank of the wanted value, 1-based: the smallest sample such that
    // at least `percentile` percent of all samples are <= it.
    const double exact_rank = std::ceil(percentile / 100.0 * static_cast<double>(count_));
    const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(exact_rank));
    uint64_t seen = 0;
    for (size_t i = 0; i < kBucketCount; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::clamp(BucketMidpoint(i), min_, max_);
    }
    return max_;
  }

  // Exposed for tests: which bucket holds `value`, and that bucket's range.
  static size_t BucketIndex(uint64_t value) {
    if (value < kSubBuckets) return static_cast<size_t>(value);
    const int top_bit = 63 - __builtin_clzll(value);
    const int shift = top_bit - kSubBucketBits;  // >= 0 here
    // value >> shift lies in [kSubBuckets, 2 * kSubBuckets).
    return static_cast<size_t>(kSubBuckets * static_cast<uint64_t>(shift + 1) +
                               ((value >> shift) - kSubBuckets));
  }
  static uint64_t BucketLowerBound(size_t index) {
    if (index < kSubBuckets) return index;
    const int shift = static_cast<int>(index / kSubBuckets) - 1;
    return (kSubBuckets + index % kSubBuckets) << shift;
  }
  static uint64_t BucketWidth(size_t index) {
    if (index < kSubBuckets) return 1;
    return uint64_t{1} << (index / kSubBuckets - 1);
  }

 private:
  static uint64_t BucketMidpoint(size_t index) {
    return BucketLowerBound(index) + (BucketWidth(index) - 1) / 2;
  }

  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  double sum_ = 0;
  uint64_t min_ = std::numeric_limits<uint64_t>::max();
  uint64_t max_ = 0;
};

}  // namespace agora_token_bench

#endif  // AGORA_TOKEN_BENCH_LOADGEN_HISTOGRAM_H_
