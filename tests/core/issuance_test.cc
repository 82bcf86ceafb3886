// NewIssuance (fresh salt in the official range, time from the clock), the
// clocks, and how users turn into the account strings tokens sign.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <set>
#include <string>

#include "core/token.h"
#include "gtest/gtest.h"

namespace agora_token {
namespace {

TEST(NewIssuanceTest, TakesTheTimeFromTheClock) {
  for (const uint32_t now : {0u, 1u, 1700000000u, 4294967295u}) {
    EXPECT_EQ(NewIssuance(FixedClock(now)).issue_ts, now);
  }
}

TEST(NewIssuanceTest, SaltsAreInTheOfficialRangeAndFresh) {
  const FixedClock clock(1700000000);
  std::set<uint32_t> salts;
  for (int i = 0; i < 1000; ++i) {
    const Issuance at = NewIssuance(clock);
    ASSERT_GE(at.salt, 1u);
    ASSERT_LE(at.salt, 99999999u);
    salts.insert(at.salt);
  }
  // 1000 uniform draws from 10^8 values collide with probability ~0.5%.
  EXPECT_GT(salts.size(), 990u);
}

TEST(NewIssuanceTest, SaltsSpreadOverTheRange) {
  // A salt drawn from fewer bits (e.g. 16) would never pass 65535.
  const FixedClock clock(1);
  uint32_t max_salt = 0;
  uint32_t min_salt = UINT32_MAX;
  for (int i = 0; i < 1000; ++i) {
    const uint32_t salt = NewIssuance(clock).salt;
    max_salt = std::max(max_salt, salt);
    min_salt = std::min(min_salt, salt);
  }
  EXPECT_GT(max_salt, 90000000u);
  EXPECT_LT(min_salt, 10000000u);
}

// std::time may use the coarse clock, up to a tick behind the precise one
// the SystemClock reads, so the bounds come from the precise clock too.
uint32_t PreciseUnixSeconds() {
  return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

TEST(ClockTest, SystemClockReadsTheWallClock) {
  const uint32_t before = PreciseUnixSeconds();
  const uint32_t now = SystemClock().NowUnixSeconds();
  const uint32_t after = PreciseUnixSeconds();
  EXPECT_GE(now, before);
  EXPECT_LE(now, after);
}

TEST(ClockTest, FixedClockAlwaysReadsTheSameSecond) {
  const FixedClock clock(1111111);
  EXPECT_EQ(clock.NowUnixSeconds(), 1111111u);
  EXPECT_EQ(clock.NowUnixSeconds(), 1111111u);
}

TEST(UserAccountStringTest, UidZeroIsEmptyOthersAreDecimalAccountsAsIs) {
  EXPECT_EQ(UserAccountString(uint32_t{0}), "");
  EXPECT_EQ(UserAccountString(uint32_t{1}), "1");
  EXPECT_EQ(UserAccountString(uint32_t{2882341273}), "2882341273");
  EXPECT_EQ(UserAccountString(uint32_t{4294967295}), "4294967295");
  EXPECT_EQ(UserAccountString(std::string("alice")), "alice");
  EXPECT_EQ(UserAccountString(std::string("0")), "0");
}

TEST(Token006SubjectTest, RtcAndRtmSubjects) {
  const Token006Subject rtc = Token006Subject::ForRtc("room", uint32_t{42});
  EXPECT_EQ(rtc.channel_name, "room");
  EXPECT_EQ(rtc.uid_str, "42");
  EXPECT_EQ(Token006Subject::ForRtc("room", uint32_t{0}).uid_str, "");
  EXPECT_EQ(Token006Subject::ForRtc("room", std::string("bob")).uid_str, "bob");
  const Token006Subject rtm = Token006Subject::ForRtm("bob");
  EXPECT_EQ(rtm.channel_name, "bob");
  EXPECT_EQ(rtm.uid_str, "");
}

}  // namespace
}  // namespace agora_token
