#include "bench/loadgen/histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace agora_token_bench {
namespace {

// The value of rank ceil(p% * n) in `sorted`, the definition the histogram
// approximates.
uint64_t ExactPercentile(const std::vector<uint64_t>& sorted, double percentile) {
  const double rank = std::ceil(percentile / 100.0 * static_cast<double>(sorted.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

double RelativeError(uint64_t reported, uint64_t exact) {
  if (exact == 0) return reported == 0 ? 0 : 1;
  return std::fabs(static_cast<double>(reported) - static_cast<double>(exact)) /
         static_cast<double>(exact);
}

TEST(LogLinearHistogramTest, EmptyReportsZero) {
  LogLinearHistogram histogram;
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.ValueAtPercentile(50), 0u);
  EXPECT_EQ(histogram.min(), 0u);
  EXPECT_EQ(histogram.max(), 0u);
  EXPECT_EQ(histogram.mean(), 0.0);
}

TEST(LogLinearHistogramTest, SmallValuesAreExact) {
  LogLinearHistogram histogram;
  std::vector<uint64_t> values;
  for (uint64_t v = 0; v < LogLinearHistogram::kSubBuckets; ++v) {
    histogram.Record(v);
    values.push_back(v);
  }
  for (double p : {1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0}) {
    EXPECT_EQ(histogram.ValueAtPercentile(p), ExactPercentile(values, p)) << "p" << p;
  }
}

TEST(LogLinearHistogramTest, EveryBucketHoldsItsValuesWithinOnePercent) {
  std::mt19937_64 random(7);
  std::vector<uint64_t> values = {0,   1,   127,  128,    129,
                                  255, 256, 1000, 999999, std::numeric_limits<uint64_t>::max()};
  for (int shift = 0; shift < 64; ++shift) {
    values.push_back(uint64_t{1} << shift);
    values.push_back((uint64_t{1} << shift) - 1);
    values.push_back(random() >> shift);
  }
  for (uint64_t value : values) {
    const size_t index = LogLinearHistogram::BucketIndex(value);
    ASSERT_LT(index, LogLinearHistogram::kBucketCount) << value;
    const uint64_t low = LogLinearHistogram::BucketLowerBound(index);
    const uint64_t width = LogLinearHistogram::BucketWidth(index);
    EXPECT_LE(low, value);
    EXPECT_LE(value - low, width - 1) << value;
    // Reported as the bucket's midpoint: at most half a width off.
    if (low > 0) {
      EXPECT_LT(static_cast<double>(width - 1 - (width - 1) / 2) / static_cast<double>(low), 0.01)
          << value;
    }
  }
}

TEST(LogLinearHistogramTest, BucketsAreContiguous) {
  for (size_t i = 0; i + 1 < LogLinearHistogram::kBucketCount; ++i) {
    ASSERT_EQ(LogLinearHistogram::BucketLowerBound(i) + LogLinearHistogram::BucketWidth(i),
              LogLinearHistogram::BucketLowerBound(i + 1))
        << i;
    ASSERT_EQ(LogLinearHistogram::BucketIndex(LogLinearHistogram::BucketLowerBound(i)), i);
  }
}

TEST(LogLinearHistogramTest, PercentilesMatchSortedSamplesWithinOnePercent) {
  // Latencies in nanoseconds spread log-uniformly from 10 ns to 10 s, the
  // shape a tail-heavy latency distribution has.
  std::mt19937_64 random(42);
  std::uniform_real_distribution<double> exponent(1.0, 10.0);
  LogLinearHistogram histogram;
  std::vector<uint64_t> values;
  for (int i = 0; i < 200000; ++i) {
    const uint64_t value = static_cast<uint64_t>(std::pow(10.0, exponent(random)));
    histogram.Record(value);
    values.push_back(value);
  }
  std::sort(values.begin(), values.end());
  for (double p : {0.1, 1.0, 10.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    const uint64_t exact = ExactPercentile(values, p);
    EXPECT_LT(RelativeError(histogram.ValueAtPercentile(p), exact), 0.01)
        << "p" << p << " exact " << exact << " reported " << histogram.ValueAtPercentile(p);
  }
  EXPECT_EQ(histogram.count(), values.size());
  EXPECT_EQ(histogram.min(), values.front());
  EXPECT_EQ(histogram.max(), values.back());
  EXPECT_EQ(histogram.ValueAtPercentile(100), values.back());
  EXPECT_EQ(histogram.ValueAtPercentile(0), values.front());
}

TEST(LogLinearHistogramTest, TightClusterResolvesWithinOnePercent) {
  // Every value within 2% of 1 ms: a coarse histogram would report one
  // bucket boundary for all percentiles.
  std::mt19937_64 random(3);
  std::uniform_int_distribution<uint64_t> around(990000, 1010000);
  LogLinearHistogram histogram;
  std::vector<uint64_t> values;
  for (int i = 0; i < 50000; ++i) {
    values.push_back(around(random));
    histogram.Record(values.back());
  }
  std::sort(values.begin(), values.end());
  for (double p : {5.0, 50.0, 95.0}) {
    EXPECT_LT(RelativeError(histogram.ValueAtPercentile(p), ExactPercentile(values, p)), 0.01);
  }
  EXPECT_LT(histogram.ValueAtPercentile(5), histogram.ValueAtPercentile(95));
}

TEST(LogLinearHistogramTest, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 random(11);
  LogLinearHistogram first;
  LogLinearHistogram second;
  LogLinearHistogram both;
  for (int i = 0; i < 10000; ++i) {
    const uint64_t a = random() % 5000000;
    const uint64_t b = random() % 50000 + 7;
    first.Record(a);
    second.Record(b);
    both.Record(a);
    both.Record(b);
  }
  first.Merge(second);
  EXPECT_EQ(first.count(), both.count());
  EXPECT_EQ(first.min(), both.min());
  EXPECT_EQ(first.max(), both.max());
  EXPECT_DOUBLE_EQ(first.mean(), both.mean());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9}) {
    EXPECT_EQ(first.ValueAtPercentile(p), both.ValueAtPercentile(p)) << "p" << p;
  }
}

TEST(LogLinearHistogramTest, ReportedValuesStayWithinRecordedRange) {
  LogLinearHistogram histogram;
  histogram.Record(1000003);
  for (double p : {0.0, 1.0, 50.0, 99.9, 100.0}) {
    EXPECT_EQ(histogram.ValueAtPercentile(p), 1000003u) << "p" << p;
  }
  histogram.Record(std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(histogram.max(), std::numeric_limits<uint64_t>::max());
  EXPECT_LT(RelativeError(histogram.ValueAtPercentile(50), 1000003), 0.01);
  EXPECT_EQ(histogram.ValueAtPercentile(100), std::numeric_limits<uint64_t>::max());
  EXPECT_LT(RelativeError(histogram.ValueAtPercentile(99), std::numeric_limits<uint64_t>::max()),
            0.01);
}

}  // namespace
}  // namespace agora_token_bench
